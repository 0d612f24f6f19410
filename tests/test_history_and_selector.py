"""Observed history beside the projection (population and age-group sheets, their charts) and
the pyramid sheet's zone and year selector, whose formulas LibreOffice recalculates."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from support import libreoffice as lo
from support.synthetic import synthetic_inputs

from regbef_excel import data
from regbef_excel.app.observed_history import observed_history
from regbef_excel.engine import project
from regbef_excel.io import libreoffice_render as render
from regbef_excel.io.write import results as writer
from regbef_excel.schema import age_groups as AG
from regbef_excel.schema import outputs as S
from regbef_excel.schema.meta import WorkbookMeta

SKIEN, PORSGRUNN = "4003", "4001"
T = 6


@pytest.fixture(scope="module")
def projection():
    """Two Telemark municipalities (SSB has their history) and one sub-municipal zone."""
    inp = synthetic_inputs(3, T, seed=11, base_year=2025)
    inp = replace(inp, zone_codes=(SKIEN, PORSGRUNN, "400301"), zone_names=("Skien", "Porsgrunn", "Skien sentrum"))
    return project(inp)


@pytest.fixture(scope="module")
def history(projection):
    return observed_history(projection)


def write(projection, history, path: Path, language: str = "nb") -> Path:
    return writer.write_results(projection, path, language=language, history=history)


@pytest.fixture(scope="module")
def results(projection, history, tmp_path_factory) -> Path:
    return write(projection, history, tmp_path_factory.mktemp("history") / "results.xlsx")


def sheet(wb, key: str, language: str = "nb"):
    return wb[S.OUTPUT_SHEETS_BY_KEY[key].name.get(language)]


def ssb_31_december(code: str, year: int) -> float:
    """SSB's population of ``code`` on 31 December ``year`` (1 January of the next year)."""
    return float(data.population(code, year + 1)["population"].sum())


# ----------------------------------------------------------------------------- the history itself
def test_history_is_the_ten_years_before_the_base_year_from_ssb(projection, history):
    assert history.source == "ssb"
    assert history.years == tuple(range(2015, 2025))
    assert history.zones_with().tolist() == [True, True, False]  # the sub-municipal zone has none
    skien = history.population[-1, 0].sum()
    assert skien == ssb_31_december(SKIEN, 2024)
    assert 50_000 < skien < 60_000
    # the projection's open oldest age holds everyone at or above it
    A1 = projection.population.shape[3]
    tidy = data.population(SKIEN, 2025)
    assert history.population[-1, 0, 1, A1 - 1] == tidy[(tidy.sex == "F") & (tidy.age >= A1 - 1)]["population"].sum()


def test_history_sheet_of_the_workbook_comes_first(projection):
    rows = [{"year": y, "zone_code": code, "age": a, "males": 10.0 + k, "females": 20.0}
            for y in (2022, 2023, 2024) for k, code in enumerate((SKIEN, "400301")) for a in (0, 5, 200)]  # fmt: skip
    meta = WorkbookMeta(history={"tblHistPopulation": pd.DataFrame(rows)})
    h = observed_history(projection, meta)
    assert h.source == "workbook" and h.years == (2022, 2023, 2024)
    assert h.zones_with().tolist() == [True, False, True]  # Porsgrunn is not in the table
    A1 = projection.population.shape[3]
    assert h.population[0, 0, 0, A1 - 1] == 10.0  # age 200 in the open group
    assert h.population[2, 2].sum() == 3 * (11.0 + 20.0)
    # an empty table: SSB's numbers
    assert observed_history(projection, WorkbookMeta(history={"tblHistPopulation": None})).source == "ssb"


# ----------------------------------------------------------------------------- the sheets
def _column_of(ws, row: int, value) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(row, c).value == value)


def test_observed_columns_beside_the_projection(results, projection):
    wb = load_workbook(results)
    ws = sheet(wb, "population_summary")
    years = [ws.cell(S.HEADER_ROW, c).value for c in range(3, 3 + 10 + T + 1)]
    assert years == list(range(2015, 2025)) + list(range(2025, 2025 + T + 1))
    col_2024 = _column_of(ws, S.HEADER_ROW, 2024)
    assert ws.cell(S.FIRST_DATA_ROW, col_2024).value == ssb_31_december(SKIEN, 2024)
    assert ws.cell(S.FIRST_DATA_ROW + 1, col_2024).value == ssb_31_december(PORSGRUNN, 2024)
    assert ws.cell(S.FIRST_DATA_ROW + 2, col_2024).value is None  # no history for a sub-municipal zone
    assert ws.cell(S.FIRST_DATA_ROW + 3, col_2024).value is None  # so the region's total is unknown
    # the projection's columns are where they were, shifted by the observed ones
    col_base = _column_of(ws, S.HEADER_ROW, 2025)
    assert col_base == col_2024 + 1
    np.testing.assert_allclose(ws.cell(S.FIRST_DATA_ROW, col_base).value, projection.population[0, 0].sum())
    # visually distinct: grey header with the band label above, grey italic numbers
    assert ws.cell(S.HEADER_ROW, col_2024).fill.fgColor.rgb.endswith("7F7F7F")
    assert ws.cell(S.HEADER_ROW, col_base).fill.fgColor.rgb.endswith(S_HEADER_FILL)
    assert ws.cell(S.HEADER_ROW - 1, 3).value == "Observert 31.12. (SSB tabell 07459)"
    assert ws.cell(S.HEADER_ROW - 1, col_base).value == "Basisår og framskriving 31.12."
    assert ws.cell(S.FIRST_DATA_ROW, col_2024).font.i and not ws.cell(S.FIRST_DATA_ROW, col_base).font.i
    # one note says why a zone has none
    notes = [c.value for row in ws.iter_rows(max_col=1) for c in row if isinstance(c.value, str)]
    assert [n for n in notes if n.startswith("Ingen observert historikk")] == [
        "Ingen observert historikk for Skien sentrum: de er ikke kommuner med 2024-grenser i SSBs "
        "befolkningstall, og arket Historikk har ingen befolkning."
    ]
    # the print area holds the observed columns
    assert ws.print_area.startswith("'") and "$A$1:" in ws.print_area


S_HEADER_FILL = "1F4E79"


def test_observed_age_groups(results, projection):
    ws = sheet(load_workbook(results), "age_groups")
    col_2024 = _column_of(ws, S.HEADER_ROW, 2024)
    first = next(r for r in range(S.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value == SKIEN)
    tidy = data.population(SKIEN, 2025)
    for i, g in enumerate(AG.STANDARD_GROUPS):
        upto = 10_000 if g.is_open else g.last
        want = tidy[(tidy.age >= g.first) & (tidy.age <= upto)]["population"].sum()
        assert ws.cell(first + i, col_2024).value == want, g.key
    assert ws.cell(S.FIRST_DATA_ROW, col_2024).value is None  # region: a zone has no history


def _charts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        # without the chart namespace prefix (XlsxWriter writes c:, openpyxl none)
        return [re.sub(r"<(/?)c:", r"<\1", zf.read(n).decode()) for n in zf.namelist()
                if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def test_charts_draw_observed_dashed(results):
    xml = "\n".join(_charts(results))
    # region total, 3 zones, children, elderly: an observed (dashed) series per line
    assert xml.count('prstDash val="dash"') == 1 + 3 + 5 + 3
    # the observed lines have no legend entry of their own, except the region total's
    assert len(re.findall(r'<legendEntry><idx val="\d+"\s*/><delete val="1"\s*/></legendEntry>', xml)) == 3 + 5 + 3


@pytest.mark.parametrize("language", ["nb", "en"])
def test_words_in_each_language(projection, history, tmp_path, language):
    wb = load_workbook(write(projection, history, tmp_path / f"r-{language}.xlsx", language))
    ws = sheet(wb, "population_summary", language)
    band = ws.cell(S.HEADER_ROW - 1, 3).value
    assert band == S.HISTORY_TEXTS["observed_band"].format(language, source=S.HISTORY_TEXTS["source_ssb"].get(language))
    pyr = sheet(wb, "pyramid", language)
    assert pyr.cell(S.HEADER_ROW, 1).value == S.SELECTOR_TEXTS["choose_zone"].get(language)
    assert pyr.cell(S.HEADER_ROW, 2).value == S.REGION.get(language)
    texts = [c.value for s in (ws, pyr) for row in s.iter_rows() for c in row if isinstance(c.value, str)]
    foreign = ("observed", "projected", "Choose", "Dashed") if language == "nb" else ("observert", "Velg", "Stiplet")
    assert not [t for t in texts if any(w in t for w in foreign)]


def test_no_history_at_all_is_said_once(tmp_path):
    p = project(synthetic_inputs(2, 3, seed=2))  # zone codes that are no municipality
    h = observed_history(p)
    assert not h.shown()
    ws = sheet(load_workbook(write(p, h, tmp_path / "r.xlsx")), "population_summary")
    assert ws.cell(S.HEADER_ROW, 3).value == p.years[0]  # no observed columns
    notes = [c.value for row in ws.iter_rows(max_col=1) for c in row
             if isinstance(c.value, str) and c.value.startswith("Ingen observert")]  # fmt: skip
    assert notes == ["Ingen observert historikk for sonene (Sone 1, Sone 2): de er ikke kommuner med 2024-grenser i "
                     "SSBs befolkningstall, og arket Historikk har ingen befolkning."]  # fmt: skip


# ----------------------------------------------------------------------------- the selector in LibreOffice
def _selector_cells(ws):
    """(zone cell, year cell, age-group rows, pyramid data rows/cols) found by their labels."""
    head = next(r for r in range(1, 40) if ws.cell(r, 1).value == AG.CAPTIONS["standard"].get("nb"))
    pyr_col = next(c for c in range(5, ws.max_column + 1) if ws.cell(S.HEADER_ROW, c).value == "Alder")
    return head, pyr_col


@pytest.mark.libreoffice
@pytest.mark.skipif(not render.available(), reason="LibreOffice and pdftoppm are needed")
def test_selector_recalculates_in_libreoffice(results, projection, tmp_path):
    wb = load_workbook(results)
    ws = sheet(wb, "pyramid")
    chosen_year = int(projection.years[3])
    ws.cell(S.HEADER_ROW, 2).value = "Porsgrunn"  # the zone selector
    ws.cell(S.HEADER_ROW + 1, 2).value = chosen_year  # the year selector
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    ws = sheet(load_workbook(lo.recalculate(edited, tmp_path), data_only=True), "pyramid")
    head, pc = _selector_cells(ws)
    A1 = projection.population.shape[3]
    k = 1  # Porsgrunn
    pop = projection.population
    got = np.array([[ws.cell(S.FIRST_DATA_ROW + a, pc + j).value for j in range(1, 7)] for a in range(A1)],
                   dtype=float)  # fmt: skip
    np.testing.assert_allclose(-got[:, 0], pop[-1, k, 0], atol=1e-3)  # final year, males (negative)
    np.testing.assert_allclose(got[:, 1], pop[-1, k, 1], atol=1e-3)
    np.testing.assert_allclose(-got[:, 2], pop[0, k, 0], atol=1e-3)  # base year
    np.testing.assert_allclose(got[:, 5], pop[3, k, 1], atol=1e-3)  # the chosen year, females
    assert ws.cell(S.HEADER_ROW, pc + 5).value == f"Menn {chosen_year}"
    by_age = pop[:, k].sum(axis=1)
    for i, g in enumerate(AG.STANDARD_GROUPS):
        upto = A1 - 1 if g.is_open else g.last
        for j, t in enumerate((0, 3, -1)):
            want = by_age[t, g.first : upto + 1].sum()
            assert ws.cell(head + 1 + i, 2 + j).value == pytest.approx(want, abs=1e-3), (g.key, t)  # LibreOffice keeps 10 digits


def test_streamed_and_cell_routes_agree_with_blank_observed_cells(tmp_path, monkeypatch):
    """Many zones: the age-group rows are streamed into the sheet XML; zones without history
    leave blank cells there exactly as XlsxWriter's cells do."""
    from regbef_excel.io.write import streamed_rows

    p = project(synthetic_inputs(30, 2, seed=3))
    K, A1 = 30, p.population.shape[3]
    pop = np.full((2, K, 2, A1), np.nan)
    pop[:, ::2] = p.population[0, ::2] * 0.99  # every other zone has history
    h = writer.ObservedHistory((2023, 2024), pop, "workbook")
    R = len(AG.STANDARD_GROUPS) + len(AG.SERVICE_SUM_GROUPS) + len(AG.DEPENDENCY_LABELS)
    assert K * R > streamed_rows.STREAM_THRESHOLD_ROWS
    streamed = sheet(load_workbook(writer.write_results(p, tmp_path / "s.xlsx", history=h)), "age_groups")
    monkeypatch.setattr(streamed_rows, "STREAM_THRESHOLD_ROWS", 10**9)  # every row as cells
    cells = sheet(load_workbook(writer.write_results(p, tmp_path / "c.xlsx", history=h)), "age_groups")
    assert streamed.max_row == cells.max_row
    rows = range(streamed.max_row - K * R + 1, streamed.max_row + 1)
    a = [[streamed.cell(r, c).value for c in range(1, 9)] for r in rows]
    b = [[cells.cell(r, c).value for c in range(1, 9)] for r in rows]
    assert a == b
    assert a[-1][3] is None and a[-R - 1][3] is not None  # the last zone has none, the one before has
    assert streamed.cell(rows[-1], 4).font.i  # blank observed cells keep their style


def test_selector_labels_are_literal_and_unique(tmp_path):
    """Zone names are data: a wildcard, a leading comparison sign or a name differing only in
    case must not make SUMIFS/MATCH pick another zone."""
    inp = synthetic_inputs(4, 2, seed=4)
    inp = replace(inp, zone_names=("Sone*", "=1+1", "Bø", "BØ"))
    p = project(inp)
    ws = sheet(load_workbook(writer.write_results(p, tmp_path / "r.xlsx")), "pyramid")
    lists = next(c for c in range(1, ws.max_column + 1) if ws.cell(S.HEADER_ROW - 1, c).value == "Nedtrekkslister")
    labels = [ws.cell(S.FIRST_DATA_ROW + i, lists).value for i in range(5)]
    assert labels == ["Hele regionen", "Sone\u2217 (Z001)", "\u2060=1+1 (Z002)", "Bø (Z003)", "BØ (Z004)"]
    assert all(ws.cell(S.FIRST_DATA_ROW + i, lists).data_type == "s" for i in range(5))
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == S.ZONE_NAME.label.get("nb"))
    A1 = p.population.shape[3]
    assert [ws.cell(head + 1 + k * 2 * A1, 1).value for k in range(5)] == labels


def test_both_chart_renderers_draw_the_observed_part_dashed_without_a_legend_entry(tmp_path):
    import xlsxwriter

    from regbef_excel.io.write import charts

    chart = charts.line_chart_from_rows("Ark1", rows=[3, 5], observed_rows=[2, 4], title_col=1, first_col=2,
                                        last_col=9, categories_row=1, title="t", y_title="y")  # fmt: skip
    assert [s.dash for s in chart.series] == ["dash", None, "dash", None]
    assert [s.in_legend for s in chart.series] == [False, True, False, True]
    assert chart.series[0].colour == charts.tint(chart.series[1].colour, 0.35) != chart.series[1].colour
    path = tmp_path / "x.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Ark1").insert_chart("A1", charts.to_xlsxwriter(book, chart))
    book.close()
    (xml,) = _charts(path)
    assert xml.count('<a:prstDash val="dash"/>') == 2
    assert re.findall(r"<legendEntry><idx val=\"(\d)\"/><delete val=\"1\"/></legendEntry>", xml) == ["0", "2"]
