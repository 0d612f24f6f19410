"""The input workbook reads whole in a spreadsheet: every table header fits the two lines of the
header row, and every text a table shows (list labels such as house types, keys, comments up
to a limit) fits its column. Measured from the written file with the same text measure the
writers use."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.io.write import styles
from regbef_excel.io.write.sheets import wrapped_lines
from regbef_excel.io.write.template import MAX_TEXT_WIDTH, build_workbook


@pytest.fixture(scope="module", params=["nb", "en"])
def workbook(request, tmp_path_factory):
    inputs = add_labour_housing(synthetic_inputs(4, 6, seed=2))
    path = tmp_path_factory.mktemp(request.param) / "t.xlsx"
    build_workbook(inputs, language=request.param).save(path)
    return openpyxl.load_workbook(path)


def _width(ws, col: int) -> float:
    """The column's width (a <col> element may span several columns)."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= col <= dim.max and dim.width:
            return dim.width
    return 8.43


def test_headers_fit_two_lines_and_texts_fit_their_columns(workbook):
    header = styles.STYLES[styles.HEADER]
    checked = 0
    for ws in workbook.worksheets:
        for name, ref in ws.tables.items():
            c0, r0, c1, r1 = range_boundaries(ref)
            for c in range(c0, c1 + 1):
                width = _width(ws, c)
                text = str(ws.cell(r0, c).value)
                assert wrapped_lines(text, width, header) <= 2, (ws.title, name, text, width)
                for r in range(r0 + 1, r1 + 1):
                    v = ws.cell(r, c).value
                    if isinstance(v, str) and not v.startswith("=") and not ws.cell(r, c).alignment.wrap_text:
                        assert len(v) <= width or width >= MAX_TEXT_WIDTH, (ws.title, name, v, width)
                checked += 1
    assert checked > 100
