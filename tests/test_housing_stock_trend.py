"""Housing stock accounting in the variants without a housing market (1, 2, 6; docs/model.md
"Housing", handbook §3.16): the building programme is built in full,

    BOLMAS_t = BOLMAS_0·(1 − AVGE)^t + Σ_{y=1..t} BOLBYG_y·(1 − AVGN)^(t−y),

demolition = stock[t−1] − stock[t] + building, new dwellings are split by the programme's type
shares, and the identity stock[t] = stock[t−1] − demolition + building is asserted every year
(to 1e-6 · max(1, stock) dwellings). Expected values are computed here from these formulas.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.markets import faulty_build, project_with_stock_discrepancy
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine.housing import HousingStock
from regbef_excel.engine.projection import project
from regbef_excel.errors import InvariantError

K, T = 4, 3


def _inputs(variant: int = 1):
    inp = add_labour_housing(synthetic_inputs(K, T, seed=21), seed=21)
    inp.variant = variant
    h = inp.housing
    h.demolition_old = np.array([0.004, 0.01, 0.0, 0.02])
    h.demolition_new = np.array([0.002, 0.0, 0.05, 0.01])
    stock0 = np.asarray(h.stock_by_period, float).sum(axis=1)
    h.building = np.array([0.01, 0.02, 0.015])[:, None] * stock0[None, :]
    h.building_type_shares = np.array(
        [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1], [0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3]]
    )
    return inp


@pytest.mark.parametrize("variant", [1, 2, 6])
def test_stock_follows_the_closed_formula_and_the_programme_is_built(variant):
    inp = _inputs(variant)
    h = inp.housing
    proj = project(inp)
    s = proj.series
    stock0 = np.asarray(h.stock_by_period, float).sum(axis=1)
    avge, avgn = h.demolition_old, h.demolition_new
    prog = np.asarray(h.building, float)
    for t in range(1, T + 1):
        expected = stock0 * (1 - avge) ** t + sum(
            prog[y - 1] * (1 - avgn) ** (t - y) for y in range(1, t + 1)
        )
        np.testing.assert_allclose(s["housing_stock"][t], expected, rtol=1e-12)
        np.testing.assert_allclose(s["building"][t - 1], prog[t - 1], rtol=1e-14)
        np.testing.assert_allclose(s["building_programme"][t - 1], prog[t - 1], rtol=1e-14)
        demolition = s["housing_stock"][t - 1] - expected + prog[t - 1]
        np.testing.assert_allclose(s["demolition"][t - 1], demolition, rtol=1e-9, atol=1e-9)
    # the first year's demolition by hand: only the old stock exists
    np.testing.assert_allclose(s["demolition"][0], stock0 * avge, rtol=1e-12)


def test_new_dwellings_are_split_by_the_programme_type_shares():
    inp = _inputs(1)
    h = inp.housing
    captured = []
    original = HousingStock.build

    def spy(self, building, type_shares=None, room_shares=None):
        out = original(self, building, type_shares, room_shares)
        captured.append(self.by_type.copy())
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(HousingStock, "build", spy)
        project(inp)
    by_type0 = np.asarray(h.stock_by_type, float)
    prog = np.asarray(h.building, float)
    shares = np.asarray(h.building_type_shares, float)
    expected = by_type0 * (1 - h.demolition_old)[:, None] + prog[0][:, None] * shares
    np.testing.assert_allclose(captured[0], expected, rtol=1e-12)
    expected2 = (
        by_type0 * ((1 - h.demolition_old) ** 2)[:, None]
        + (prog[0][:, None] * (1 - h.demolition_new)[:, None] + prog[1][:, None]) * shares
    )
    np.testing.assert_allclose(captured[1], expected2, rtol=1e-12)


def test_stock_identity_violation_is_an_invariant_error():
    inp = _inputs(1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(HousingStock, "build", faulty_build(lambda prev: np.ones_like(prev)))
        with pytest.raises(InvariantError, match="housing stock identity"):
            project(inp)


def test_stock_identity_tolerates_round_off():
    inp = _inputs(1)
    assert np.asarray(inp.housing.stock_by_period).sum(axis=1).min() > 100
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(HousingStock, "build", faulty_build(lambda prev: 1e-9 * prev))
        project(inp)


@pytest.mark.parametrize("delta, refused", [(1e-6, False), (1.5e-6, True)])
def test_stock_identity_tolerance_in_a_zone_without_dwellings(delta, refused):
    # Tolerance 1e-6 · max(1, stock): 1e-6 dwellings in a zone without dwellings.
    inp = _inputs(1)
    h = inp.housing
    h.stock_by_period[3] = 0.0
    h.stock_by_type[3] = 0.0
    h.building[:, 3] = 0.0
    project_with_stock_discrepancy(inp, delta * np.array([0.0, 0.0, 0.0, 1.0]), refused)
