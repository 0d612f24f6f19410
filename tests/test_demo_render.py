"""The demo workbook (real Telemark data) opens, recalculates and renders in LibreOffice."""

from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import load_workbook
from support.libreoffice import colour, ink, page_texts, raster, shown

from regbef_excel.cli import main
from regbef_excel.io import libreoffice_render as render
from regbef_excel.schema.outputs import output_sheet_names

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(not render.available(), reason="LibreOffice and pdftoppm are needed"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "regbef-demo.xlsx"
    assert main(["demo", "-o", str(out), "-q"]) == 0
    return out


def test_demo_renders_with_charts(demo, tmp_path):
    with zipfile.ZipFile(demo) as zf:
        charts = [n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) >= 6  # population ×2, components, age groups, two pyramids
    pdf = render.to_pdf(demo, tmp_path)
    pages = render.pdf_page_count(pdf)
    assert 10 < pages < 400  # inputs and outputs print, without the optional history tables
    pngs = render.pdf_to_png(pdf, tmp_path / "png", dpi=30, last=3)
    assert len(pngs) == 3 and all(p.stat().st_size > 1000 for p in pngs)
    # Not blank: the cover, the population table (numbers as written, and the change that
    # LibreOffice computed from the formula) and the pyramid chart are on their pages.
    texts = page_texts(pdf)
    assert len(texts) == pages
    assert "REGBEF" in texts[0] and "Telemark" in texts[0]
    assert all(ink(raster(pdf, k)) > 0.02 for k in (1, 2, 3))  # a blank page has 0
    wb = load_workbook(demo, read_only=True)
    header = next(wb["Folkemengde"].iter_rows(min_row=4, max_row=4, values_only=True))
    rows = list(wb["Folkemengde"].iter_rows(min_row=5, values_only=True))
    wb.close()
    # the observed years come first, the projection from the base year; chart data further right
    base = header.index(2025)
    stop = next(j for j in range(base, len(header)) if not isinstance(header[j], int))
    first = next(r for r in rows if r[1] == "Porsgrunn")
    region = next(r for r in rows if r[1] == "Hele regionen")
    years = [v for v in first[base:stop] if isinstance(v, int | float)]
    totals = [v for v in region[base:stop] if isinstance(v, int | float)]
    k = next(i for i, t in enumerate(texts) if "Folkemengde etter sone og år" in t)
    text = texts[k]
    for name in ("Porsgrunn", "Skien", "Vinje", "Hele regionen"):
        assert name in text, name
    for number in (years[0], years[-1], totals[0], totals[-1], totals[-1] - totals[0]):
        assert re.search(shown(number), text), number
    assert ink(raster(pdf, k + 1)) > 0.03
    k = next(i for i, t in enumerate(texts) if "Befolkningspyramide og aldersgrupper for valgt sone" in t)
    assert colour(raster(pdf, k + 1)) > 0.02  # the red/blue bars of the pyramid


def test_demo_checks_pass_after_libreoffice_recalculation(demo, tmp_path):
    recalced = render.recalculate(demo, tmp_path / "recalc.xlsx")
    wb = load_workbook(recalced, data_only=True, read_only=True)
    ws = wb["Kontroller"]
    values = [
        row
        for row in ws.iter_rows(values_only=True)
        if row and isinstance(row[0], str) and re.fullmatch(r"C\d\d", row[0])
    ]
    assert len(values) >= 10
    assert all(isinstance(r[2], int | float) and r[2] == 0 for r in values), values
    assert set(output_sheet_names("nb").values()) <= set(wb.sheetnames)
    wb.close()
