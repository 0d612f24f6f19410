"""Prediction intervals where a planner meets them: the uncertainty sheet of the results
workbook (table, selector formulas, fan charts, note), the intervals CSV beside ``--csv`` and
the ``REGBEF_INTERVAL`` worksheet function."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from regbef_excel.app.evaluation import intervals_for
from regbef_excel.app.population_csv import (
    INTERVAL_CSV_COLUMNS,
    interval_csv_path,
    write_population_csv,
)
from regbef_excel.app.udf_cache import ProjectionCache
from regbef_excel.engine import project
from regbef_excel.excel import udfs, xlwings_udfs
from regbef_excel.io.backend import InMemoryBackend
from regbef_excel.io.write.results import result_sheets, write_results
from regbef_excel.io.write.template import build_workbook
from regbef_excel.schema import outputs as S
from tests.support.synthetic import synthetic_inputs

BOUNDS = ["lower95", "lower80", "projected", "upper80", "upper95"]
#: The bounds are nested; the projection itself may lie outside the 80 % interval where the
#: back-test record shows a bias (docs/model.md: the interval is asymmetric).
NESTED = ["lower95", "lower80", "upper80", "upper95"]


@pytest.fixture(scope="module")
def projection():
    return project(synthetic_inputs(3, 5))


@pytest.fixture(scope="module")
def intervals(projection):
    return intervals_for(projection)


def _table(ws) -> pd.DataFrame:
    keys = [c.key for c in S.UNCERTAINTY.columns]
    rows = []
    for row in ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_col=len(keys), values_only=True):
        if row[3] is None:
            break
        rows.append(row)
    return pd.DataFrame(rows, columns=keys)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_uncertainty_sheet_holds_the_intervals(projection, intervals, lang):
    wb = load_workbook(io.BytesIO(result_sheets(projection, language=lang, intervals=intervals)))
    name = S.UNCERTAINTY.name.get(lang)
    assert name in wb.sheetnames
    ws = wb[name]
    assert ws["A1"].value == S.UNCERTAINTY.title.get(lang)
    assert [ws.cell(S.HEADER_ROW, j + 1).value for j in range(len(S.UNCERTAINTY.columns))] == S.UNCERTAINTY.headers(lang)
    t = _table(ws)
    K, Y = len(projection.zone_codes), len(projection.years)
    assert len(t) == (K + 1) * len(S.INTERVAL_MEASURES) * Y  # every zone and the region
    # the region first, named in the sheet's language
    assert t["zone_name"].iloc[0] == S.REGION.get(lang) and t["zone_code"].iloc[0] in ("", None)
    assert set(t["measure"]) == {m.get(lang) for m in S.INTERVAL_MEASURES.values()}
    # bounds ordered, and the base year's interval is the projection itself
    v = t[BOUNDS].to_numpy(dtype=float)
    assert (np.diff(t[NESTED].to_numpy(dtype=float), axis=1) >= -1e-6).all()
    base = t["year"] == int(projection.years[0])
    np.testing.assert_allclose(v[base], np.repeat(t.loc[base, ["projected"]].to_numpy(float), 5, axis=1))
    assert (v[~base, 4] > v[~base, 0]).all()  # real width after the base year
    # the numbers are intervals_for's
    label = {m.get(lang): k for k, m in S.INTERVAL_MEASURES.items()}
    got = t.assign(measure=t["measure"].map(label), zone_code=t["zone_code"].fillna("").astype(str))
    ref = intervals.assign(zone_code=intervals["zone_code"].astype(str))
    merged = got.merge(ref, on=["zone_code", "measure", "year"], suffixes=("", "_ref"))
    assert len(merged) == len(t)
    for k in BOUNDS:
        np.testing.assert_allclose(merged[k], merged[f"{k}_ref"], rtol=1e-9, atol=1e-5)
    # the note says what the intervals mean, in the sheet's language
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert S.UNCERTAINTY_TEXTS["note"].get(lang) in texts
    other = "en" if lang == "nb" else "nb"
    assert S.UNCERTAINTY_TEXTS["note"].get(other) not in texts
    assert ("16 år" if lang == "nb" else "16 years") in S.UNCERTAINTY_TEXTS["note"].get(lang)


def test_fan_charts_and_selector(projection, intervals):
    wb = load_workbook(io.BytesIO(result_sheets(projection, language="nb", intervals=intervals)))
    ws = wb[S.UNCERTAINTY.name.get("nb")]
    assert len(ws._charts) == 2  # noqa: SLF001 - openpyxl has no public chart list
    kinds = sorted(type(c).__name__ for c in ws._charts)  # noqa: SLF001
    assert kinds == ["AreaChart", "LineChart"]
    area = next(c for c in ws._charts if type(c).__name__ == "AreaChart")  # noqa: SLF001
    assert area.grouping == "stacked" and len(area.series) == 4  # invisible base + three bands
    # a drop-down on the zone and measure cells, each list holding what the table holds
    assert len(ws.data_validations.dataValidation) == 2
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert any("SUMIFS(" in f for f in formulas)


def test_written_workbook_recalculates_the_selection_in_libreoffice(projection, intervals, tmp_path):
    from tests.support import libreoffice as lo

    if lo.SOFFICE is None:
        pytest.skip("LibreOffice not installed")
    out = write_results(projection, tmp_path / "r.xlsx", intervals=intervals)
    calc = load_workbook(lo.recalculate(out, tmp_path), data_only=True)
    ws = calc[S.UNCERTAINTY.name.get("nb")]
    # the selection block: the chosen zone's change from the base year, equal to intervals_for's
    first_data = None
    for row in ws.iter_rows(min_row=S.HEADER_ROW, max_row=S.HEADER_ROW):
        for c in row:
            if c.value == S.YEAR.label.get("nb") and c.column > len(S.UNCERTAINTY.columns):
                first_data = c.column
                break
    assert first_data is not None
    zone = ws.cell(S.HEADER_ROW, len(S.UNCERTAINTY.columns) + 3).value
    ref = intervals[(intervals["zone_name"] == zone) & (intervals["measure"] == "total")].sort_values("year")
    p0 = float(ref["projected"].iloc[0])
    got = [[ws.cell(S.HEADER_ROW + 1 + i, first_data + 1 + j).value for j in range(4)] for i in range(len(ref))]
    want = (ref[["lower95", "lower80", "upper80", "upper95"]].to_numpy(float) - p0)
    np.testing.assert_allclose(np.asarray(got, float), want, atol=1e-3)


def test_csv_writes_intervals_beside_the_population(projection, intervals, tmp_path):
    path = write_population_csv(projection, tmp_path / "befolkning.csv", intervals=intervals)
    iv_path = interval_csv_path(path)
    assert iv_path.name == "befolkning-intervals.csv"
    df = pd.read_csv(iv_path, dtype={"zone_code": str}, keep_default_na=False)
    assert tuple(df.columns) == INTERVAL_CSV_COLUMNS
    assert len(df) == len(intervals)
    v = df[BOUNDS].to_numpy(float)
    assert (np.diff(df[NESTED].to_numpy(float), axis=1) >= -1e-9).all()
    np.testing.assert_allclose(v, intervals[BOUNDS].to_numpy(float), rtol=1e-12)
    assert "" in set(df["zone_code"])  # the region
    assert list(pd.read_csv(path).columns) == ["zone_code", "zone_name", "year", "sex", "age", "population"]


# ------------------------------------------------------------------------------ REGBEF_INTERVAL
@pytest.fixture
def workbook():
    return build_workbook(synthetic_inputs(3, 5)).to_openpyxl()


def test_regbef_interval_in_process(workbook):
    be = lambda: InMemoryBackend(workbook)  # noqa: E731
    cache = ProjectionCache()
    p = project(synthetic_inputs(3, 5))
    ref = intervals_for(p)
    year = int(p.years[3])
    code = str(p.zone_codes[1])
    for zone, key in (("", ""), (code, code), (str(p.zone_names[1]), code)):
        for level in (80, 95):
            for bound, word in (("lower", "nedre"), ("upper", "øvre")):
                want = ref[(ref["zone_code"] == key) & (ref["year"] == year) & (ref["measure"] == "total")]
                got = udfs.regbef_interval(zone, year, level, word, None, 2511.0, backend=be, cache=cache)
                assert got == [[pytest.approx(float(want[f"{bound}{level}"].iloc[0]), rel=1e-12)]]
    out = udfs.regbef_interval(code, year, 95, "upper", "80+", backend=be, cache=cache)
    want = ref[(ref["zone_code"] == code) & (ref["year"] == year) & (ref["measure"] == "80+")]["upper95"].iloc[0]
    assert out == [[pytest.approx(float(want))]]
    assert cache.misses == 2  # one projection, one interval table
    lo95 = udfs.regbef_interval("", year, 95, "lower", backend=be, cache=cache)[0][0]
    lo80 = udfs.regbef_interval("", year, 80, "lower", backend=be, cache=cache)[0][0]
    up80 = udfs.regbef_interval("", year, 80, "upper", backend=be, cache=cache)[0][0]
    assert lo95 < lo80 < up80
    # the wrapper Excel calls takes the inputs first (no caller here: a readable cell, no traceback)
    out = xlwings_udfs.REGBEF_INTERVAL(2511.0, "", year, 80, "upper")
    assert str(out[0][0]).startswith("#REGBEF: ") and "no workbook" in out[0][0]


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (("", 2025, 90, "lower"), "level"),
        (("", 2025, 80, "middle"), "bound"),
        (("nowhere", 2025, 80, "lower"), "zone"),
        (("", 1990, 80, "lower"), "year"),
        (("", None, 80, "lower"), "year"),
    ],
)
def test_regbef_interval_bad_arguments_are_readable(workbook, args, where):
    out = udfs.regbef_interval(*args, backend=lambda: InMemoryBackend(workbook), cache=ProjectionCache())
    assert len(out) == 1 and len(out[0]) == 1
    assert str(out[0][0]).startswith("#REGBEF: ") and where in out[0][0]


def test_regbef_interval_measure_alias(workbook):
    out = udfs.regbef_interval("", 2030, 80, "upper", "tall", backend=lambda: InMemoryBackend(workbook),
                               cache=ProjectionCache())  # fmt: skip
    assert str(out[0][0]).startswith("#REGBEF: ") and "measure" in out[0][0]
