"""Results writer: sheets, labels, numbers, balance, charts, atomic writes (read back with openpyxl)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook
from support.synthetic import synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.io.write import results as writer
from regbef_excel.io.write.streamed_rows import STREAM_THRESHOLD_ROWS
from regbef_excel.schema import age_groups as AG
from regbef_excel.schema import outputs as S

K, T = 4, 6


@pytest.fixture(scope="module")
def projection():
    return project(synthetic_inputs(K, T, seed=3))


@pytest.fixture(scope="module")
def results_nb(projection, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nb") / "results.xlsx"
    writer.write_results(projection, path, run_log={"input_path": "in.xlsx", "checks": {"C01": 0}})
    return path


@pytest.fixture(scope="module")
def wb_nb(results_nb):
    return load_workbook(results_nb)


def _results(projection, language: str = "nb"):
    """The result sheets alone, read back."""
    return load_workbook(io.BytesIO(writer.result_sheets(projection, language=language)))


def _sheet(wb, key: str, language: str = "nb"):
    return wb[S.OUTPUT_SHEETS_BY_KEY[key].name.get(language)]


def _table(ws, first_row: int, n_rows: int, first_col: int, n_cols: int) -> np.ndarray:
    rows = ws.iter_rows(
        min_row=first_row, max_row=first_row + n_rows - 1, min_col=first_col,
        max_col=first_col + n_cols - 1, values_only=True,
    )
    return np.array([list(r) for r in rows], dtype=float)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sheets_and_labels(projection, language):
    wb = _results(projection, language)
    assert wb.sheetnames == [s.name.get(language) for s in S.OUTPUT_SHEETS]
    comp = _sheet(wb, "components", language)
    headers = [c.value for c in comp[S.HEADER_ROW]][: len(S.COMPONENTS.columns)]
    assert headers == S.COMPONENTS.headers(language)
    if language == "nb":
        for label in ("Fødte", "Døde", "Utflytting til resten av landet og utlandet", "Innvandring",
                      "Innflytting fra resten av Norge", "Intern utflytting", "Intern innflytting"):
            assert label in headers
    summary = _sheet(wb, "population_summary", language)
    assert summary["A1"].value == S.POPULATION_SUMMARY.title.get(language)
    years = [c.value for c in summary[S.HEADER_ROW]][2 : 2 + T + 1]
    assert years == list(range(projection.inputs.base_year, projection.inputs.horizon + 1))
    assert summary.freeze_panes == "C5"
    assert summary.page_setup.orientation == "landscape"
    # one page wide, any number of pages tall (fitToWidth 1 is the default, §18.3.1.63)
    assert summary.page_setup.fitToWidth in (None, 1) and summary.page_setup.fitToHeight == 0
    assert summary.sheet_properties.pageSetUpPr.fitToPage


def test_unknown_language_is_refused(projection):
    with pytest.raises(ValueError, match="language"):
        writer.result_sheets(projection, language="de")


def test_summary_numbers(projection, wb_nb):
    ws = _sheet(wb_nb, "population_summary")
    got = _table(ws, S.FIRST_DATA_ROW, K, 3, T + 1)
    want = projection.population.sum(axis=(2, 3)).T
    np.testing.assert_allclose(got, want, atol=1e-5)
    total = _table(ws, S.FIRST_DATA_ROW + K, 1, 3, T + 1)[0]
    np.testing.assert_allclose(total, want.sum(axis=0), atol=1e-5)
    assert ws.cell(S.FIRST_DATA_ROW + K, 2).value == S.REGION.get("nb")
    assert ws.cell(S.FIRST_DATA_ROW, 1).value == projection.zone_codes[0]


def test_detail_numbers_and_streamed_rows(projection, wb_nb):
    """The detail sheet is partly streamed by write_results; every cell must match the arrays."""
    ws = _sheet(wb_nb, "population_detail")
    A1 = projection.population.shape[3]
    n = K * 2 * A1
    assert n > STREAM_THRESHOLD_ROWS  # this test exercises the streamed route
    got = _table(ws, S.FIRST_DATA_ROW, n, 5, T + 1)
    want = projection.population.reshape(T + 1, n).T
    np.testing.assert_allclose(got, want, atol=1e-6)
    labels = list(ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_row=S.FIRST_DATA_ROW + n - 1,
                               max_col=4, values_only=True))
    assert labels[0] == (projection.zone_codes[0], projection.zone_names[0], "Menn", 0)
    assert labels[A1] == (projection.zone_codes[0], projection.zone_names[0], "Kvinner", 0)
    assert labels[-1] == (projection.zone_codes[-1], projection.zone_names[-1], "Kvinner", A1 - 1)
    # streamed cells carry the same number format as the cells XlsxWriter wrote
    assert ws.cell(S.FIRST_DATA_ROW + n - 1, 5).number_format == S.FMT_PERSONS
    assert ws.max_row == S.FIRST_DATA_ROW + n - 1


def _first_zone_row(ws, code: str) -> int:
    return next(r for r in range(S.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value == code)


def test_components_balance(projection, wb_nb):
    ws = _sheet(wb_nb, "components")
    cols = [c.key for c in S.COMPONENTS.columns]
    n = (K + 1) * T
    zone_first = _first_zone_row(ws, projection.zone_codes[0])
    assert zone_first > S.FIRST_DATA_ROW + T  # the chart sits between the region's and the zones' rows
    region = _table(ws, S.FIRST_DATA_ROW, T, 3, len(cols) - 3)  # year .. growth (no formula)
    data = np.vstack([region, _table(ws, zone_first, K * T, 3, len(cols) - 3)])
    idx = {k: i for i, k in enumerate(cols[2:-1])}
    end = data[:, idx["start"]] + sum(sign * data[:, idx[k]] for k, sign in S.COMPONENT_SIGNS.items())
    np.testing.assert_allclose(end, data[:, idx["end"]], atol=1e-4)
    np.testing.assert_allclose(data[:, idx["growth"]], data[:, idx["end"]] - data[:, idx["start"]], atol=1e-4)
    # zone rows equal the projection's own table
    comp = projection.components()
    z0 = comp[comp["zone_code"] == projection.zone_codes[0]]
    np.testing.assert_allclose(data[T : 2 * T, idx["births"]], z0["births"], atol=1e-6)
    np.testing.assert_allclose(data[T : 2 * T, idx["EUF"]], z0["EUF"], atol=1e-6)
    # region block = sum over zones
    np.testing.assert_allclose(data[:T, idx["deaths"]], comp.groupby("year")["deaths"].sum(), atol=1e-5)
    check = ws.cell(S.FIRST_DATA_ROW, len(cols)).value
    assert isinstance(check, str) and check.startswith("=ROUND(")
    assert ws.cell(zone_first + K * T - 1, len(cols)).value.startswith("=ROUND(")
    assert n == len(data)


def test_age_groups(projection, wb_nb):
    ws = _sheet(wb_nb, "age_groups")
    G = len(AG.STANDARD_GROUPS)
    region = _table(ws, S.FIRST_DATA_ROW, G, 4, T + 1)
    by_age = projection.population.sum(axis=2)
    np.testing.assert_allclose(region.sum(axis=0), by_age.sum(axis=(1, 2)), atol=1e-4)
    z1 = _first_zone_row(ws, projection.zone_codes[0])
    zone = _table(ws, z1, G, 4, T + 1)
    np.testing.assert_allclose(zone[G - 1], by_age[:, 0, 90:].sum(axis=1), atol=1e-6)  # zone 1, 90+
    assert ws.cell(S.FIRST_DATA_ROW + 1, 3).value == AG.label("1-5", "nb")


def test_pyramid_table(projection, wb_nb):
    """The selector's long table: the region's rows, then each zone's (sex, age) rows by year;
    the chart data are formulas into it (their values: tests/test_history_and_selector.py)."""
    ws = _sheet(wb_nb, "pyramid")
    A1 = projection.population.shape[3]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == S.ZONE_NAME.label.get("nb"))
    region = _table(ws, head + 1, 2 * A1, 4, T + 1)
    np.testing.assert_allclose(region[:A1, 0], projection.population[0, :, 0].sum(axis=0), atol=1e-6)
    np.testing.assert_allclose(region[A1:, -1], projection.population[-1, :, 1].sum(axis=0), atol=1e-6)
    zone = _table(ws, head + 1 + 2 * A1, 2 * A1, 4, T + 1)
    np.testing.assert_allclose(zone[A1:, 1], projection.population[1, 0, 1], atol=1e-6)
    assert ws.cell(head + 1, 1).value == S.REGION.get("nb")
    assert ws.cell(head + 1 + 2 * A1, 1).value == projection.zone_names[0]
    formulas = [c.value for row in ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_row=S.FIRST_DATA_ROW) for c in row
                if isinstance(c.value, str) and "INDEX(" in c.value]  # fmt: skip
    assert len(formulas) == 6 and formulas[0].startswith("=IFERROR(-INDEX(")


def test_run_log(projection, wb_nb):
    import regbef_excel

    ws = _sheet(wb_nb, "run_log")
    items = {r[0]: r[1] for r in ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_col=2, values_only=True) if r[0]}
    lab = {k: v.get("nb") for k, v in S.RUN_LOG_ITEMS.items()}
    assert items[lab["engine_version"]] == regbef_excel.__version__
    assert str(items[lab["schema_version"]]) == str(regbef_excel.SCHEMA_VERSION)
    assert re.fullmatch(r"[0-9a-f]{64}", items[lab["inputs_sha256"]])
    assert items[lab["inputs_sha256"]] == writer.inputs_sha256(projection.inputs)
    assert items[lab["input_path"]] == "in.xlsx"
    assert items[lab["checks"]].startswith("1 kontroller, 0 ikke OK")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", items[lab["time_utc"]])
    values = [r[1] for r in ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_col=2, values_only=True)]
    for w in projection.warnings:
        assert w in values


def _chart_xml(path: Path) -> dict[str, str]:
    """Chart parts with the chart namespace prefix (if any) removed, for simple matching."""
    with zipfile.ZipFile(path) as zf:
        return {
            n: re.sub(r"<(/?)c:", r"<\1", zf.read(n).decode())
            for n in zf.namelist()
            if re.match(r"xl/charts/chart\d+\.xml", n)
        }


def test_charts_reference_the_right_ranges(results_nb, projection):
    xml = _chart_xml(results_nb)
    assert len(xml) == 9  # region total, zones, components, 2 age-group charts, pyramid + age groups of the chosen zone, 2 fan charts
    allx = "\n".join(xml.values())
    assert '<delete val="1"' not in allx  # no hidden axis (an absent <delete> means drawn)
    summary = S.POPULATION_SUMMARY.name.get("nb")
    last_year = chr(ord("C") + T)
    region_row = S.FIRST_DATA_ROW + K
    assert f"'{summary}'!$C${region_row}:${last_year}${region_row}" in allx
    assert f"'{summary}'!$C$4:${last_year}$4" in allx  # years as categories
    pyr = S.PYRAMID.name.get("nb")
    A1 = projection.population.shape[3]
    pyramid = [x for x in xml.values() if f"'{pyr}'" in x and '<barDir val="bar"/>' in x]
    assert len(pyramid) == 1 and pyramid[0].count("<ser>") == 6  # final year, base year, chosen year
    assert re.search(rf"'{pyr}'!\$[A-Z]+\$5:\$[A-Z]+\${4 + A1}", pyramid[0])
    for x in pyramid:
        assert '<barDir val="bar"/>' in x and '<overlap val="100"/>' in x
        assert '<gapWidth val="0"/>' in x and '<tickLblPos val="low"/>' in x
        assert 'formatCode="#,##0;#,##0"' in x
    comp = [x for x in xml.values() if f"'{S.COMPONENTS.name.get('nb')}'" in x]
    assert len(comp) == 1 and '<grouping val="stacked"/>' in comp[0] and "<lineChart>" in comp[0]


def test_many_zones_chart_shows_largest(tmp_path):
    p = project(synthetic_inputs(12, 2, seed=1))
    ws = _sheet(_results(p), "population_summary")
    charts_ = ws._charts
    assert len(charts_[1].series) == writer.MAX_ZONES_IN_CHART
    title = charts_[1].title.tx.rich.p[0].r[0].t
    assert "8" in title and "12" in title


def test_atomic_write_leaves_nothing_on_error(projection, tmp_path):
    out = tmp_path / "res.xlsx"

    def boom(_):
        raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        writer.write_results(projection, out, _before_replace=boom)
    assert list(tmp_path.iterdir()) == []
    # an existing file survives a failed rewrite untouched
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        writer.write_results(projection, out, _before_replace=boom)
    assert out.read_bytes() == b"old" and list(tmp_path.iterdir()) == [out]


def test_refuses_to_overwrite_input(projection, tmp_path):
    inp = tmp_path / "input.xlsx"
    Workbook().save(inp)
    before = inp.read_bytes()
    with pytest.raises(ValueError, match="overwrite the input"):
        writer.write_results(projection, tmp_path / "." / "input.xlsx", run_log={"input_path": str(inp)})
    with pytest.raises(ValueError, match="overwrite the input"):
        writer.write_results(projection, inp, base_workbook=inp)
    assert inp.read_bytes() == before


def test_base_workbook_sheets_come_first_and_rerun_replaces(projection, tmp_path):
    base = Workbook()
    base.active.title = "Forside"
    base.active["A1"] = "input"
    out = writer.write_results(projection, tmp_path / "r.xlsx", base_workbook=base)
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Forside" and wb["Forside"]["A1"].value == "input"
    again = writer.write_results(projection, tmp_path / "r2.xlsx", base_workbook=out)  # replaces, no duplicates
    assert load_workbook(again).sheetnames == ["Forside", *[s.name.get("nb") for s in S.OUTPUT_SHEETS]]


def test_formulas_carry_their_results_for_viewers_that_do_not_recalculate(results_nb, projection):
    """LibreOffice does not recalculate .xlsx files on opening by default: each formula's cached
    value must be its result, not 0."""
    wb = load_workbook(results_nb, data_only=True)
    ws = _sheet(wb, "population_summary")
    tot = projection.population.sum(axis=(2, 3)).T  # (K, T+1)
    first_col = 3
    change_col = first_col + T + 1
    for i in range(K + 1):  # every zone, then the region's total row
        start, end = (tot[i, 0], tot[i, -1]) if i < K else (tot[:, 0].sum(), tot[:, -1].sum())
        assert ws.cell(S.FIRST_DATA_ROW + i, change_col).value == pytest.approx(end - start, abs=1e-4)
        assert ws.cell(S.FIRST_DATA_ROW + i, change_col + 1).value == pytest.approx(end / start - 1, abs=1e-6)
    comp = _sheet(wb, "components")
    n_check = len(S.COMPONENTS.columns)
    checks = [comp.cell(r, n_check).value for r in range(S.FIRST_DATA_ROW, comp.max_row + 1)
              if isinstance(comp.cell(r, 3).value, int)]  # fmt: skip
    assert len(checks) >= T * (K + 1) and all(c == 0 for c in checks)


def test_long_table_streams_past_cells_beside_it():
    """The uncertainty sheet of many zones: its zone list (a helper column right of the table)
    reaches into the rows where the zones' table is streamed; both must come out whole."""
    p = project(synthetic_inputs(40, 4, seed=2))
    ws = _sheet(_results(p), "uncertainty")
    n_cols = len(S.UNCERTAINTY.columns)
    rows = list(ws.iter_rows(min_row=S.FIRST_DATA_ROW, values_only=True))
    table = [r[:n_cols] for r in rows if r[0] is not None or r[1] is not None]
    assert len(table) == 41 * len(S.INTERVAL_MEASURES) * 5  # region + 40 zones, 5 measures, 5 years
    list_col = next(c for c in range(n_cols + 1, ws.max_column + 1)
                    if ws.cell(S.HEADER_ROW, c).value == S.REGION.get("nb"))  # fmt: skip
    names = [ws.cell(S.HEADER_ROW + i, list_col).value for i in range(41)]
    assert names == [S.REGION.get("nb"), *p.zone_names]
    last = S.FIRST_DATA_ROW + len(table) - 1
    assert ws.cell(last, 2).value == p.zone_names[-1]


def test_streamed_blank_and_non_finite_cells_stay_blank(tmp_path):
    """A streamed number column with gaps (None, NaN) writes blank cells with the column's
    format, never 'nan' or 'None' (which would make the file unreadable)."""
    from regbef_excel.io.write.sheets import XlsxBook, data_style
    from regbef_excel.io.write.streamed_rows import StreamedRows, TableWriter, stream_rows

    buffer = io.BytesIO()
    streamed: list[StreamedRows] = []
    values = np.arange(1000, dtype=float)
    values[[3, 700]] = np.nan
    gaps = [None if i % 10 == 0 else float(i) for i in range(1000)]
    with XlsxBook(buffer) as book:
        st = book.sheet("Ark")
        TableWriter(st, streamed).write(2, [values, gaps], [data_style(S.FMT_PERSONS)] * 2)
    ws = load_workbook(io.BytesIO(stream_rows(buffer.getvalue(), streamed)))["Ark"]
    assert streamed and ws.max_row == 1001
    got = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(2, 1002)]
    assert got[3] == (None, 3.0) and got[700] == (None, None) and got[999] == (999.0, 999.0)
    assert ws.cell(702, 1).number_format == S.FMT_PERSONS  # the blank keeps the column's format
