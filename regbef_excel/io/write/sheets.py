"""One sheet toolkit for the output sheets (openpyxl): styles, titles, headers, widths, print setup.

Shared by the results, market, evaluation and regression writers; every output sheet has its
title in row 1, unit line in row 2, header row 4 and data from row 5 (:mod:`regbef_excel.schema.outputs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from regbef_excel.engine.results import Projection
from regbef_excel.schema import outputs as S

#: Values are rounded to this many decimals (10⁻⁶ persons) to keep files small.
DECIMALS = 6


HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")


HELPER_FILL = PatternFill("solid", fgColor="F2F2F2")


THIN = Side(style="thin", color="8EA9C1")


@dataclass(frozen=True)
class Style:
    """A cell style as openpyxl objects; turned into a StyleArray per workbook."""

    font: Font = Font()
    fill: PatternFill = PatternFill()
    border: Border = Border()
    alignment: Alignment = Alignment()
    number_format: str = "General"


TITLE = Style(font=Font(bold=True, size=14, color="1F4E79"))


UNIT = Style(font=Font(italic=True, size=9, color="595959"))


HEADER = Style(
    font=Font(bold=True, color="FFFFFF"),
    fill=HEADER_FILL,
    border=Border(bottom=THIN),
    alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
)


HELPER_TITLE = Style(font=Font(bold=True, italic=True, size=9, color="595959"))


def data_style(fmt: str, *, total: bool = False, helper: bool = False) -> Style:
    if total:
        return Style(font=Font(bold=True), fill=TOTAL_FILL, border=Border(top=THIN), number_format=fmt)
    if helper:
        return Style(fill=HELPER_FILL, number_format=fmt, font=Font(size=9))
    return Style(number_format=fmt)


class Styler:
    """Caches StyleArrays per workbook so styling a cell is one array copy."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._cache: dict[Style, StyleArray] = {}

    def array(self, style: Style) -> StyleArray:
        sa = self._cache.get(style)
        if sa is None:
            cell = Cell(self.ws)
            cell.font, cell.fill, cell.border = style.font, style.fill, style.border
            cell.alignment, cell.number_format = style.alignment, style.number_format
            sa = self._cache[style] = cell._style
        return sa

    def put(self, row: int, col: int, value: object, style: Style) -> Cell:
        cell = self.ws.cell(row=row, column=col, value=value)
        cell._style = StyleArray(self.array(style))
        return cell


def new_sheet(wb: Workbook, sheet: S.OutputSheet, language: str) -> Worksheet:
    """Create (or replace, at the same position) the output sheet ``sheet``."""
    name = sheet.name.get(language)
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        wb.remove(wb[name])
        return wb.create_sheet(name, index)
    return wb.create_sheet(name)


def write_title(st: Styler, sheet: S.OutputSheet, language: str, **fmt: object) -> None:
    st.put(S.TITLE_ROW, 1, sheet.title.format(language, **fmt), TITLE)
    st.put(S.UNIT_ROW, 1, sheet.unit.format(language, **fmt), UNIT)
    st.ws.row_dimensions[S.TITLE_ROW].height = 21


def write_headers(st: Styler, labels: Sequence[object], *, row: int = S.HEADER_ROW, col: int = 1) -> None:
    for j, label in enumerate(labels):
        st.put(row, col + j, label, HEADER)


def set_widths(ws: Worksheet, widths: Sequence[float], start: int = 1) -> None:
    for j, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(start + j)].width = w


def print_setup(
    ws: Worksheet, *, last_col: int, n_label_cols: int, area: str | list[str] | None = None
) -> None:
    """Landscape, one page wide, header row repeated, label columns repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{S.HEADER_ROW}:{S.HEADER_ROW}"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if area:
        ws.print_area = area
    ws.oddFooter.center.text = "&A – &P / &N"


def rows_for_cm(cm: float) -> int:
    """Default-height rows (15 pt) covering ``cm`` centimetres, plus one."""
    return int(cm / (15 / 72 * 2.54)) + 1


def cols_for_cm(cm: float, width: float) -> int:
    """Columns of ``width`` characters covering ``cm`` centimetres (≈ 0.19 cm per character)."""
    return int(cm / (width * 0.19)) + 1


def freeze_labels(ws: Worksheet, n_label_cols: int) -> None:
    ws.freeze_panes = f"{get_column_letter(n_label_cols + 1)}{S.FIRST_DATA_ROW}"


def zone_arrays(p: Projection) -> tuple[list[str], list[str]]:
    return [str(c) for c in p.zone_codes], [str(n) for n in p.zone_names]
