"""The market-model output sheets and comparison workbooks open and render in LibreOffice."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from support.libreoffice import colour, ink, page_texts, raster, shown
from support.markets import rich_inputs

from regbef_excel.engine import project
from regbef_excel.evaluation.scenarios import compare_scenarios
from regbef_excel.io import libreoffice_render as render
from regbef_excel.io.write import results as writer
from regbef_excel.io.write.evaluation import write_comparison
from regbef_excel.schema import outputs as S

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(not render.available(), reason="LibreOffice and pdftoppm are needed"),
]


def test_results_with_new_sheets_render_and_recalculate(tmp_path):
    inp = rich_inputs(5, 8)
    inp.endogenous_hadwiger = False
    p = project(inp)
    xlsx = writer.write_results(p, tmp_path / "results.xlsx")
    pdf = render.to_pdf(xlsx, tmp_path)
    assert render.pdf_page_count(pdf) >= len(S.OUTPUT_SHEETS) + 4
    # the four new sheets print with their headings, numbers and charts / colour scales
    texts = page_texts(pdf)
    headings = {
        S.HOUSING_RESULTS: ("Boliger: beholdning, avgang, bygging og behov", "housing_stock", "housing_need"),
        S.LABOUR_RESULTS: ("Arbeidskraft, arbeidsplasser, pendling", "labour_supply", "jobs"),
        S.MIGRATION_MATRIX: ("Intern flytting mellom sonene", None, None),
        S.COMMUTING: ("Pendling: bosted (rad) → arbeidssted (kolonne)", None, None),
    }
    for sheet, (heading, *series) in headings.items():
        name = sheet.name.get("nb")
        k = next((i for i, t in enumerate(texts) if heading in t), None)
        assert k is not None and f"{name} – " in texts[k], (name, heading)
        sheet_text = "\n".join(t for t in texts if f"{name} – " in t)
        for key in filter(None, series):
            for t in (0, -1):  # region total, base year and final year
                assert re.search(shown(p.series[key][t].sum()), sheet_text), (name, key, t)
        img = raster(pdf, k + 1)
        assert ink(img) > 0.05, name  # a blank page has 0
        assert colour(img, (0.5, 0.0, 1.0, 1.0)) > 0.01, name  # chart on the right / colour scale
    wb = load_workbook(render.recalculate(xlsx, tmp_path / "recalc.xlsx"), data_only=True)
    for sheet in (S.HOUSING_RESULTS, S.LABOUR_RESULTS, S.MIGRATION_MATRIX, S.COMMUTING):
        assert sheet.name.get("nb") in wb.sheetnames
    ws = wb[S.HOUSING_RESULTS.name.get("nb")]
    assert ws.cell(S.FIRST_DATA_ROW, 4).value == pytest.approx(p.series["housing_stock"][0].sum(), abs=1e-3)


def test_comparison_renders(tmp_path):
    inp = rich_inputs(5, 8)
    inp.endogenous_hadwiger = False
    trend, program = project(inp.replace(variant=1)), project(inp)
    comp = compare_scenarios(trend, program, ("Trend", "Program"))
    xlsx = write_comparison(comp, tmp_path / "cmp.xlsx", language="en")
    pdf = render.to_pdf(xlsx, tmp_path)
    pngs = render.pdf_to_png(pdf, tmp_path / "png", dpi=40, last=1)
    assert len(pngs) == 1 and pngs[0].stat().st_size > 5000
    text = page_texts(pdf)[0]
    assert "Scenario comparison: Trend and Program" in text
    a, b = (x.population.sum(axis=(1, 2, 3)) for x in (trend, program))  # region by year
    assert abs(a[-1] - b[-1]) > 100  # the scenarios differ, so the numbers below are distinct
    for number in (a[0], a[-1], b[-1], b[-1] - a[-1]):
        assert re.search(shown(number), text), number
    img = raster(pdf, 1)
    assert ink(img) > 0.05  # a blank page has 0
    assert colour(img, (0.5, 0.0, 1.0, 1.0)) > 0.01  # the charts on the right
