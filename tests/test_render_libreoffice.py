"""A results workbook opens, recalculates and renders in LibreOffice (a second, real client)."""

from __future__ import annotations

import re
import zipfile

import numpy as np
import pytest
from openpyxl import load_workbook
from support.libreoffice import colour, ink, page_texts, raster, shown
from support.synthetic import synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.io import libreoffice_render as render
from regbef_excel.io.write import results as writer
from regbef_excel.schema import outputs as S

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(not render.available(), reason="LibreOffice and pdftoppm are needed"),
]


def test_blank_page_fails_the_checks(tmp_path):
    """The checks below must reject a blank page (a PDF of an empty sheet)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = None
    wb.save(tmp_path / "blank.xlsx")
    pdf = render.to_pdf(tmp_path / "blank.xlsx", tmp_path)
    img = raster(pdf, 1)
    assert ink(img) < 0.001 and colour(img) == 0.0
    assert page_texts(pdf)[0].strip() == ""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("lo") / "results.xlsx"
    p = project(synthetic_inputs(6, 12, seed=5))
    writer.write_results(p, out, run_log={"input_path": "synthetic"})
    return p, out


def test_renders_to_pdf_and_png(results, tmp_path):
    _, xlsx = results
    with zipfile.ZipFile(xlsx) as zf:
        charts = [n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == 9  # population 2, components, age groups 2, pyramid and age groups of a zone, uncertainty 2
    pdf = render.to_pdf(xlsx, tmp_path)
    pages = render.pdf_page_count(pdf)
    assert pages >= len(S.OUTPUT_SHEETS)
    pngs = render.pdf_to_png(pdf, tmp_path / "png", dpi=30, last=2)
    assert len(pngs) == 2 and all(p.stat().st_size > 1000 for p in pngs)
    # Not blank: every output sheet prints (its name is in a page footer "<sheet> – n / N"),
    # page 1 shows the population table with the projected numbers and both charts.
    texts = page_texts(pdf)
    assert len(texts) == pages
    for sheet in S.OUTPUT_SHEETS:
        assert any(f"{sheet.name.get('nb')} – " in t for t in texts), sheet.name.get("nb")
    p, _ = results
    tot = p.population.sum(axis=(2, 3))  # (years, zones)
    k = next(i for i, t in enumerate(texts) if "Folkemengde etter sone og år" in t)  # after Nøkkeltall
    first = texts[k]
    for text in ("Folkemengde etter sone og år", "Hele regionen", "Folkemengde i hele regionen",
                 "Folkemengde etter sone", *p.zone_codes):  # fmt: skip
        assert text in first, text
    for number in (tot[0, 0], tot[-1, 0], tot[0].sum(), tot[-1].sum()):
        assert re.search(shown(number), first), (number, first[:400])
    img = raster(pdf, k + 1)
    assert ink(img) > 0.03  # a blank page has 0
    assert ink(img, (0.0, 0.0, 1.0, 0.25)) > 0.05  # the table at the top
    assert colour(img, (0.0, 0.35, 1.0, 1.0)) > 0.001  # the charts under the table: region line, zone lines
    # the pyramid page: the heading, and red/blue bars in the chart area right of the table
    k = next(i for i, t in enumerate(texts) if "Befolkningspyramide og aldersgrupper for valgt sone" in t)
    img = raster(pdf, k + 1)
    assert colour(img, (0.3, 0.0, 1.0, 1.0)) > 0.03


def test_recalculated_formulas_and_read_back(results, tmp_path):
    p, xlsx = results
    out = render.recalculate(xlsx, tmp_path / "recalc.xlsx")
    wb = load_workbook(out, data_only=True)
    assert [s.name.get("nb") for s in S.OUTPUT_SHEETS] == wb.sheetnames
    comp = wb[S.COMPONENTS.name.get("nb")]
    n_rows = (len(p.zone_codes) + 1) * (len(p.years) - 1)  # the region's rows, then each zone's
    col = len(S.COMPONENTS.columns)
    checks = [comp.cell(r, col).value for r in range(S.FIRST_DATA_ROW, comp.max_row + 1)
              if isinstance(comp.cell(r, 3).value, int)]  # rows with a year
    assert len(checks) == n_rows and all(isinstance(v, (int, float)) for v in checks)
    assert max(abs(v) for v in checks) < 1e-3  # balancing equation holds in the spreadsheet
    summary = wb[S.POPULATION_SUMMARY.name.get("nb")]
    T1 = len(p.years)
    change = [summary.cell(S.FIRST_DATA_ROW + k, 3 + T1).value for k in range(len(p.zone_codes))]
    tot = p.population.sum(axis=(2, 3))
    np.testing.assert_allclose(change, tot[-1] - tot[0], atol=1e-3)
    # LibreOffice kept the numbers openpyxl wrote
    detail = wb[S.POPULATION_DETAIL.name.get("nb")]
    last = S.FIRST_DATA_ROW + p.population[0].size - 1
    assert detail.cell(last, 5).value == pytest.approx(p.population[0, -1, 1, -1], abs=1e-6)
