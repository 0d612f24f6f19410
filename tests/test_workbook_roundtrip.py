"""The workbook path, field by field: inputs → template → file → reader → the same inputs →
``regbef-excel run`` → the same population as the engine on the original inputs.

Every level factor is away from 1 and different per year / zone, and no two factor columns
hold the same values, so a reader that reads one column for another (FR for DR, EUF for IUF,
zone for region …) changes a value and fails the comparison.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pytest
from openpyxl import load_workbook
from support.synthetic import synthetic_inputs

from regbef_excel.app import projection as app
from regbef_excel.cli import main
from regbef_excel.engine import project
from regbef_excel.engine.housing import HadwigerRegression
from regbef_excel.engine.inputs import FLOWS, N_AGES, TARGET, Hadwiger, ProjectionInputs, Targets
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.io.write.results import DECIMALS
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema import outputs as S
from regbef_excel.schema.meta import WorkbookMeta

K, T = 5, 6


def distinct_inputs() -> ProjectionInputs:
    """Synthetic inputs with every factor away from 1 and distinct per year and zone."""
    inp = synthetic_inputs(K, T, seed=17)
    t = np.arange(T, dtype=float)
    k = np.arange(K, dtype=float)
    inp.fertility_level_region = 1.031 + 0.0113 * t  # FR_t
    inp.mortality_level_region = 0.947 - 0.0071 * t  # DR_t
    inp.fertility_level_zone = 0.861 + 0.0737 * k  # FK_k
    inp.mortality_level_zone = 1.083 - 0.0291 * k  # DK_k
    inp.migration_level_region = {
        "EUF": 1.107 + 0.0131 * t,
        "IUF": 0.893 + 0.0173 * t,
        "EIFN": 1.217 - 0.0093 * t,
    }
    inp.migration_level_zone = {"EUF": 0.912 + 0.0413 * k, "IUF": 1.139 - 0.0377 * k}
    inp.immigration_total = 1234.5 + 37.25 * t
    share = np.array([0.05, 0.35, 0.1, 0.42, 0.08])  # uneven
    inp.immigration_share = share / share.sum()
    inp.domestic_inmigration = np.array([811.5, 96.25, 402.0, 1333.75, 57.5])
    net = np.array([-41.5, 12.25, 63.0, -20.75, -13.0])
    inp.internal_net_trend = net
    inp.share_boys = 0.5127
    inp.hadwiger = Hadwiger(1.63, 3.71, 30.45)
    inp.drop_oldest = True
    # every Rogers–Castro parameter distinct per flow, zone and sex
    rng = np.random.default_rng(5)
    inp.rc_params = {
        f: np.asarray(p) * rng.uniform(0.9, 1.1, np.shape(p)) for f, p in inp.rc_params.items()
    }
    # target steering in some years (variant 2: region + municipalities); net migration targets
    tg = Targets.trend(T, K)
    tg.region_mode[1] = TARGET
    tg.region_value[1] = 350.0
    tg.zone_mode[3, 2] = TARGET
    tg.zone_value[3, 2] = -25.5
    tg.region_value[4] = 12.5  # a trend year with a stored value (kept, not used)
    inp.targets = tg
    inp.variant = 2
    # not used unless endogenous_hadwiger, but stored (the table always holds coefficients)
    inp.hadwiger_regression = HadwigerRegression(a_const=41.25, b_inc=0.0411, c_ma=-0.0301)
    inp.validate()
    # the premise of this file: no factor at 1, no two factor columns equal anywhere
    year_cols = [
        inp.fertility_level_region,
        inp.mortality_level_region,
        *inp.migration_level_region.values(),
    ]
    zone_cols = [
        inp.fertility_level_zone,
        inp.mortality_level_zone,
        *inp.migration_level_zone.values(),
    ]
    for cols in (year_cols, zone_cols):
        stacked = np.vstack(cols)
        assert np.all(np.abs(stacked - 1) > 1e-3)
        assert len({round(v, 9) for v in stacked.ravel()}) == stacked.size
    return inp


def assert_same(a: object, b: object, name: str, rtol: float = 1e-12) -> None:
    """Recursive comparison: arrays to ``rtol``, dataclasses and mappings field by field."""
    if a is None or b is None:
        assert a is None and b is None, name
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape, (name, a.shape, b.shape)
        np.testing.assert_allclose(
            b.astype(float), a.astype(float), rtol=rtol, atol=0, err_msg=name
        )
    elif dataclasses.is_dataclass(a):
        assert type(a) is type(b), name
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{name}.{f.name}", rtol)
    elif isinstance(a, Mapping):
        assert set(a) == set(b), (name, set(a), set(b))
        for key in a:
            assert_same(a[key], b[key], f"{name}[{key}]", rtol)
    elif isinstance(a, float) or isinstance(b, float):
        assert float(b) == pytest.approx(float(a), rel=rtol, abs=0), name
    else:
        assert a == b, (name, a, b)


@pytest.fixture(scope="module")
def original() -> ProjectionInputs:
    return distinct_inputs()


@pytest.fixture(scope="module", params=["nb", "en"])
def written(request, original, tmp_path_factory):
    language = request.param
    path = tmp_path_factory.mktemp(f"rt-{language}") / f"inputs-{language}.xlsx"
    meta = WorkbookMeta(language=language, region_name="Testregion")
    save_workbook(build_workbook(original, language=language, meta=meta), path)
    return language, path


def test_every_field_round_trips(original, written):
    language, path = written
    back, meta = read_workbook(path)
    assert meta.language == language
    names = [f.name for f in dataclasses.fields(ProjectionInputs)]
    for name in names:
        assert_same(getattr(original, name), getattr(back, name), name)

    # the spot checks a swapped column would break, stated plainly (the file keeps ~15
    # significant digits: 1.0535999999999999 comes back as 1.0536)
    def same(x, y, what):
        np.testing.assert_allclose(x, y, rtol=1e-14, atol=0, err_msg=what)

    same(back.fertility_level_region, original.fertility_level_region, "FR")
    same(back.mortality_level_region, original.mortality_level_region, "DR")
    same(back.fertility_level_zone, original.fertility_level_zone, "FK")
    same(back.mortality_level_zone, original.mortality_level_zone, "DK")
    for flow in FLOWS:
        same(back.rc_params[flow], original.rc_params[flow], flow)
    for d in ("migration_level_region", "migration_level_zone"):
        for key, arr in getattr(original, d).items():
            same(getattr(back, d)[key], arr, f"{d}[{key}]")


def test_cli_run_gives_the_engine_population(original, written, tmp_path):
    language, path = written
    expected = project(original).population  # (T+1, K, 2, A)
    # the CLI writes the results workbook; its detailed population sheet holds every number
    out = tmp_path / f"results-{language}.xlsx"
    assert main(["run", str(path), "-o", str(out), "-q"]) == 0
    wb = load_workbook(out, read_only=True)
    ws = wb[S.POPULATION_DETAIL.name.get(language)]
    n_rows = K * 2 * N_AGES
    block = [
        r[4 : 4 + T + 1]
        for r in ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_row=S.FIRST_DATA_ROW + n_rows - 1,
                              values_only=True)
    ]  # fmt: skip
    wb.close()
    got = np.array(block, dtype=float).reshape(K, 2, N_AGES, T + 1).transpose(3, 0, 1, 2)
    # the results workbook stores persons rounded to DECIMALS (6) places
    np.testing.assert_allclose(got, expected, rtol=0, atol=0.5 * 10.0**-DECIMALS + 1e-9)
    # and through the Python entry point of the same command
    res = app.run_workbook(path, tmp_path / f"again-{language}.xlsx")
    np.testing.assert_allclose(res.projection.population, expected, rtol=1e-12, atol=1e-9)
    # every factor matters: a projection with FR and DR swapped differs visibly
    swapped = original.replace(fertility_level_region=original.mortality_level_region,
                               mortality_level_region=original.fertility_level_region)  # fmt: skip
    births_delta = np.abs(project(swapped).population[1:, :, :, 0] - expected[1:, :, :, 0]).max()
    assert births_delta > 1.0
