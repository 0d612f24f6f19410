"""Sheet helpers on an openpyxl workbook, kept for the regression workbook writer until it is
written with XlsxWriter like the input workbooks (:mod:`regbef_excel.io.write.template`).

Public openpyxl API only; no data validation (the regression writer adds its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from regbef_excel.io.cells import display_value
from regbef_excel.io.write import styles
from regbef_excel.schema.base import Sheet, Table
from regbef_excel.schema.layout import TableLayout

HEADER_ROW_HEIGHT = 33


def new_sheet(wb: Workbook, sheet: Sheet, language: str, *, first: bool = False) -> Worksheet:
    """Create a worksheet with the sheet's title (row 1) and intro text (row 2)."""
    styles.register_styles(wb)
    ws = wb.active if first else wb.create_sheet()
    ws.title = sheet.label(language)
    if sheet.kind != "cover":
        ws["A1"] = sheet.label(language)
        ws["A1"].style = styles.TITLE
        ws["A2"] = sheet.intro(language)
        ws["A2"].style = styles.NOTE
        ws.row_dimensions[1].height = 22
    return ws


def write_table(
    ws: Worksheet,
    table: Table,
    rows: Sequence[Sequence[object]],
    language: str,
    *,
    anchor: str | None = None,
    validate: bool = False,
) -> TableLayout:
    """Write ``rows`` as an Excel table: caption, header, styled data and the table object."""
    if validate:
        raise ValueError("data validation is written by the XlsxWriter input workbook writer")
    if anchor is not None:
        table = replace(table, anchor=anchor)
    lay = TableLayout.of(table, len(rows))
    r0, c0 = lay.header_row, lay.first_col
    cols = table.columns
    if table.title(language) and table.title(language) != ws.title:
        ws.cell(row=r0 - 1, column=c0, value=table.title(language)).style = styles.SUBTITLE
    for j, col in enumerate(cols):
        ws.cell(row=r0, column=c0 + j, value=col.header(language)).style = styles.HEADER
        dim = ws.column_dimensions[get_column_letter(c0 + j)]
        dim.width = max(dim.width or 0, col.width)
    ws.row_dimensions[r0].height = HEADER_ROW_HEIGHT
    col_styles = [styles.style_for_role(c.role) for c in cols]
    for i, row in enumerate(rows or [[None] * len(cols)]):
        for j, value in enumerate(row):
            cell = ws.cell(row=r0 + 1 + i, column=c0 + j, value=display_value(value, cols[j], language))
            cell.style = col_styles[j]
            if cols[j].number_format != "General":
                cell.number_format = cols[j].number_format
    xt = XlTable(displayName=table.key, ref=lay.ref)
    xt.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=False)
    ws.add_table(xt)
    return lay


def print_setup(ws: Worksheet, landscape: bool = False, title_row: int | None = 4) -> None:
    """A4, fit to one page wide, header row repeated."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"
