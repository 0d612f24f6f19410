"""Results writer: sheets, labels, numbers, balance, charts, atomic writes (openpyxl only, fast)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook
from support.synthetic import synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.io.write import results as writer
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
    wb = Workbook()
    writer.add_output_sheets(wb, projection, language=language)
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
    assert summary.page_setup.fitToWidth == 1
    assert summary.sheet_properties.pageSetUpPr.fitToPage


def test_unknown_language_is_refused(projection):
    with pytest.raises(ValueError, match="language"):
        writer.add_output_sheets(Workbook(), projection, language="de")


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
    assert n > writer.BULK_THRESHOLD_ROWS  # this test exercises the streamed route
    got = _table(ws, S.FIRST_DATA_ROW, n, 5, T + 1)
    want = projection.population.reshape(T + 1, n).T
    np.testing.assert_allclose(got, want, atol=1e-6)
    labels = list(ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_row=S.FIRST_DATA_ROW + n - 1,
                               max_col=4, values_only=True))
    assert labels[0] == (projection.zone_codes[0], projection.zone_names[0], "Menn", 0)
    assert labels[A1] == (projection.zone_codes[0], projection.zone_names[0], "Kvinner", 0)
    assert labels[-1] == (projection.zone_codes[-1], projection.zone_names[-1], "Kvinner", A1 - 1)
    # streamed cells carry the same number format as openpyxl-written ones
    assert ws.cell(S.FIRST_DATA_ROW + n - 1, 5).number_format == S.FMT_PERSONS
    assert ws.max_row == S.FIRST_DATA_ROW + n - 1


def test_cells_and_streamed_routes_agree(projection, results_nb):
    wb = Workbook()
    writer.add_output_sheets(wb, projection)
    ws_cells = _sheet(wb, "population_detail")
    ws_stream = _sheet(load_workbook(results_nb), "population_detail")
    n = ws_cells.max_row
    assert ws_stream.max_row == n
    a = _table(ws_cells, S.FIRST_DATA_ROW, n - S.HEADER_ROW, 4, T + 2)
    b = _table(ws_stream, S.FIRST_DATA_ROW, n - S.HEADER_ROW, 4, T + 2)
    np.testing.assert_array_equal(a, b)


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


def test_pyramid_helper(projection, wb_nb):
    ws = _sheet(wb_nb, "pyramid")
    A1 = projection.population.shape[3]
    data = _table(ws, S.FIRST_DATA_ROW, A1, 2, 4)  # final year (bars), then base year (outline)
    np.testing.assert_allclose(-data[:, 2], projection.population[0, :, 0].sum(axis=0), atol=1e-6)
    np.testing.assert_allclose(data[:, 1], projection.population[-1, :, 1].sum(axis=0), atol=1e-6)
    assert (data[:, 0] <= 0).all() and (data[:, 1] >= 0).all()
    assert ws.cell(S.FIRST_DATA_ROW, 2).number_format == S.FMT_PYRAMID


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
    assert len(xml) == 8  # region total, zones, components, 2 age-group charts, 1 overlaid pyramid, 2 fan charts
    allx = "\n".join(xml.values())
    assert '<delete val="1"' not in allx and allx.count('<delete val="0"/>') >= 12
    summary = S.POPULATION_SUMMARY.name.get("nb")
    last_year = chr(ord("C") + T)
    region_row = S.FIRST_DATA_ROW + K
    assert f"'{summary}'!$C${region_row}:${last_year}${region_row}" in allx
    assert f"'{summary}'!$C$4:${last_year}$4" in allx  # years as categories
    pyr = S.PYRAMID.name.get("nb")
    A1 = projection.population.shape[3]
    assert f"'{pyr}'!$B$5:$B${4 + A1}" in allx and f"'{pyr}'!$E$5:$E${4 + A1}" in allx
    pyramid = [x for x in xml.values() if f"'{pyr}'" in x]
    assert len(pyramid) == 1 and pyramid[0].count("<ser>") == 4
    for x in pyramid:
        assert '<barDir val="bar"/>' in x and '<overlap val="100"/>' in x
        assert '<gapWidth val="0"/>' in x and '<tickLblPos val="low"/>' in x
        assert 'formatCode="#,##0;#,##0"' in x
    comp = [x for x in xml.values() if f"'{S.COMPONENTS.name.get('nb')}'" in x]
    assert len(comp) == 1 and '<grouping val="stacked"/>' in comp[0] and "<lineChart>" in comp[0]


def test_many_zones_chart_shows_largest(tmp_path):
    p = project(synthetic_inputs(12, 2, seed=1))
    wb = Workbook()
    writer.add_output_sheets(wb, p)
    ws = _sheet(wb, "population_summary")
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
    writer.add_output_sheets(wb, projection)  # a second run replaces, does not duplicate
    assert wb.sheetnames == ["Forside", *[s.name.get("nb") for s in S.OUTPUT_SHEETS]]
