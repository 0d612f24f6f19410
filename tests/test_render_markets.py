"""The issue-3 output sheets and comparison workbooks open and render in LibreOffice."""

from __future__ import annotations

import pytest
from markets_helpers import rich_inputs
from openpyxl import load_workbook

from regbef_excel.engine import project
from regbef_excel.excel import render, writer
from regbef_excel.excel.evaluation import write_comparison
from regbef_excel.excel.schema import outputs as S
from regbef_excel.scenarios import compare_scenarios

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
    wb = load_workbook(render.recalculate(xlsx, tmp_path / "recalc.xlsx"), data_only=True)
    for sheet in (S.HOUSING_RESULTS, S.LABOUR_RESULTS, S.MIGRATION_MATRIX, S.COMMUTING):
        assert sheet.name.get("nb") in wb.sheetnames
    ws = wb[S.HOUSING_RESULTS.name.get("nb")]
    assert ws.cell(S.FIRST_DATA_ROW, 4).value == pytest.approx(p.series["housing_stock"][0].sum(), abs=1e-3)


def test_comparison_renders(tmp_path):
    inp = rich_inputs(5, 8)
    inp.endogenous_hadwiger = False
    comp = compare_scenarios(project(inp.replace(variant=1)), project(inp), ("Trend", "Program"))
    xlsx = write_comparison(comp, tmp_path / "cmp.xlsx", language="en")
    pdf = render.to_pdf(xlsx, tmp_path)
    pngs = render.pdf_to_png(pdf, tmp_path / "png", dpi=40, last=1)
    assert len(pngs) == 1 and pngs[0].stat().st_size > 5000
