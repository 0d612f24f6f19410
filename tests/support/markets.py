"""Shared helpers of the market-model workbook tests: rich inputs and an exact comparison."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from regbef_excel.engine import project
from regbef_excel.engine.housing import HadwigerRegression, HousingStock
from regbef_excel.engine.inputs import Targets
from regbef_excel.errors import InvariantError
from support.synthetic import add_labour_housing, synthetic_inputs


def rich_inputs(n_zones: int = 4, n_years: int = 6, seed: int = 3, variant: int = 5):
    """Synthetic inputs with targets, labour, housing, distances and endogenous Hadwiger."""
    inp = add_labour_housing(synthetic_inputs(n_zones, n_years, seed=seed), seed=seed)
    T, K = inp.n_years, inp.n_zones
    tg = Targets.trend(T, K)
    tg.region_mode[:] = 1
    tg.region_value[:] = 150.0
    tg.zone_mode[min(2, T - 1), 1] = 1
    tg.zone_type[min(2, T - 1), 1] = 2
    tg.zone_value[min(2, T - 1), 1] = 12345.0
    tg.zone_mode[min(3, T - 1), 0] = 1
    tg.zone_type[min(3, T - 1), 0] = 3
    tg.zone_value[min(3, T - 1), 0] = -0.5
    inp.targets = tg
    inp.income = np.random.default_rng(seed).uniform(1, 3, (T, K))
    inp.hadwiger_regression = HadwigerRegression(a_const=40.0)
    inp.endogenous_hadwiger = True
    inp.variant = variant
    inp.labour.level_region = np.linspace(1.0, 1.05, T)
    inp.housing.level_region = np.linspace(1.0, 0.98, T)
    inp.labour.params = dataclasses.replace(inp.labour.params, tov=0.12, distance_function="power", beta=1.5)
    inp.housing.market = dataclasses.replace(inp.housing.market, a2=0.1, mode="advanced")
    return inp


def _same(a, b, name):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12,
                                   atol=0, err_msg=name)
    elif dataclasses.is_dataclass(a):
        assert type(a) is type(b), name
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{name}.{f.name}")
    elif isinstance(a, float):
        assert a == b, name
    else:
        assert a == b, (name, a, b)


def assert_same_markets(a, b):
    """The market-model fields of two ProjectionInputs are identical (arrays bit for bit)."""
    for name in ("targets", "labour", "housing", "distances", "endogenous_hadwiger",
                 "hadwiger_regression", "income", "variant"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            _same(x, y, name)


def faulty_build(delta_of_total):
    """HousingStock.build that books `delta_of_total(previous total)` dwellings too many."""
    original = HousingStock.build

    def build(self, building, type_shares=None, room_shares=None):
        prev = self.total.copy()
        original(self, building, type_shares, room_shares)
        self.new = self.new + delta_of_total(prev)
        return self.total

    return build


def project_with_stock_discrepancy(inp, discrepancy, refused: bool):
    """Project with ``discrepancy`` dwellings per zone booked wrongly in the first year only:
    the stock identity check must refuse it (``refused``) or accept it (round-off)."""
    calls = []

    def first_year_only(prev):
        calls.append(1)
        return discrepancy * (len(calls) == 1)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(HousingStock, "build", faulty_build(first_year_only))
        if refused:
            with pytest.raises(InvariantError, match="housing stock identity"):
                project(inp)
            return None
        return project(inp)
