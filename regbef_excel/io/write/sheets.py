"""One sheet toolkit for every output sheet: library-neutral styles and two adapters.

Styles are plain values (:class:`CellStyle`, a frozen dataclass: bold, italic, size, colours,
fill, borders, wrapping, alignment, number format). Two adapters put them on cells behind the
same small API (:class:`SheetWriter`: put a cell, title and unit rows, headers, widths, heights,
freeze panes, auto-filter, print set-up, charts, page breaks):

* :class:`XlsxBook` / :class:`XlsxSheet` write a **new** workbook with XlsxWriter (regression
  outputs, scenario comparisons, back-test, SSB comparison);
* :class:`OpenpyxlSheet` adds sheets to a **copy of an existing workbook** with openpyxl's public
  API only (the results of ``run``/``demo`` go into a copy of the planner's input workbook, so
  that the results file still holds the input sheets and re-validates). A style with more than a
  number format becomes one named style, registered once per workbook, and a cell takes it by
  name (measured: ~17 µs per cell against ~47 µs for three attribute assignments; a plain number
  format costs ~2 µs).

Text is text, decided in one place: :meth:`SheetWriter.put` writes every ``str`` as a string
cell, whatever it starts with (``=``, ``+``, ``-``, ``@``, tab, CR, ``#N/A``); only a
:class:`Formula`, which the program builds itself, becomes a formula. Sheet names made from
user text go through :func:`safe_sheet_name`.

Every output sheet has its title in row 1, unit line in row 2, header row 4 and data from row 5
(:mod:`regbef_excel.schema.outputs`). Rows and columns in this API are 1-based.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import xlsxwriter
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from regbef_excel.engine.results import Projection
from regbef_excel.files import atomic_path
from regbef_excel.io.cells import display_value
from regbef_excel.io.write import charts
from regbef_excel.io.write.styles import (
    CALC_FILL,
    INPUT_FILL,
    INPUT_FONT,
    PROTECTION,
    TITLE_COLOUR,
    CellStyle,
    xlsx_props,
)
from regbef_excel.schema import outputs as S
from regbef_excel.schema.base import Sheet, Table
from regbef_excel.schema.layout import TableLayout, quote_sheet

#: Values are rounded to this many decimals (10⁻⁶ persons) to keep files small.
DECIMALS = 6


# --------------------------------------------------------------------------- styles
PLAIN = CellStyle()
HEADER_FILL = "1F4E79"
TOTAL_FILL = "DDEBF7"
HELPER_FILL = "F2F2F2"
THIN = "8EA9C1"
RED = "C00000"
GREY = "595959"

TITLE = CellStyle(bold=True, size=14, colour=HEADER_FILL)
UNIT = CellStyle(italic=True, size=9, colour=GREY)
HEADER = CellStyle(bold=True, colour="FFFFFF", fill=HEADER_FILL, border_bottom=THIN, wrap=True,
                   vertical="center", horizontal="center")  # fmt: skip
HELPER_TITLE = CellStyle(bold=True, italic=True, size=9, colour=GREY)
SUBTITLE = CellStyle(bold=True, size=12, colour=HEADER_FILL)
NOTE = CellStyle(italic=True, size=10, colour=GREY, vertical="top")
LINK = CellStyle(underline=True, colour="0563C1")
LEFT = CellStyle(horizontal="left")
WRAP_TOP = CellStyle(wrap=True, vertical="top")
#: A note that results rest on assumed parameters (next to the numbers, hard to miss).
ASSUMPTION_NOTE = CellStyle(bold=True, size=10, colour=RED)


# the input-workbook look (editable cells yellow with blue text, calculated cells grey)
_CELL_BORDER = "BFBFBF"
INPUT_CELL = CellStyle(colour=INPUT_FONT, fill=INPUT_FILL, border_box=_CELL_BORDER, unlocked=True)
CALC_CELL = CellStyle(fill=CALC_FILL, border_box=_CELL_BORDER)
OUTPUT_CELL = CellStyle(border_box=_CELL_BORDER)
KEY_CELL = CellStyle(border_box=_CELL_BORDER, unlocked=True)
TABLE_HEADER = CellStyle(bold=True, colour="FFFFFF", fill=TITLE_COLOUR, wrap=True, vertical="center",
                         border_box=_CELL_BORDER)  # fmt: skip
SHEET_TITLE = CellStyle(bold=True, size=16, colour=TITLE_COLOUR)
SHEET_SUBTITLE = CellStyle(bold=True, size=12, colour=TITLE_COLOUR)
HEADER_ROW_HEIGHT = 33


def role_style(role: str) -> CellStyle:
    """The cell style of a table column role (``key``/``input``/``calc``/``comment``)."""
    return {"input": INPUT_CELL, "comment": INPUT_CELL, "key": KEY_CELL, "calc": CALC_CELL}.get(role, OUTPUT_CELL)


def data_style(fmt: str, *, total: bool = False, helper: bool = False) -> CellStyle:
    """A data cell: plain, a bold tinted total, or a small grey helper (chart data)."""
    if total:
        return CellStyle(bold=True, fill=TOTAL_FILL, border_top=THIN, number_format=fmt)
    if helper:
        return CellStyle(fill=HELPER_FILL, size=9, number_format=fmt)
    return CellStyle(number_format=fmt)


# --------------------------------------------------------------------------- measured widths
#: Styles whose text is meant to run over the cells to its right (titles, notes, captions):
#: they do not widen their column.
SPILL_STYLES = frozenset({TITLE, UNIT, HELPER_TITLE, SUBTITLE, NOTE, SHEET_TITLE, SHEET_SUBTITLE, ASSUMPTION_NOTE})
#: Bold text is about 10 % wider than regular text of the same size.
_BOLD_FACTOR = 1.1


def shown_text(value: object, number_format: str = "General") -> str:
    """The text a spreadsheet shows for ``value`` in ``number_format`` (close enough to measure).

    Handles the formats of this package: thousands separators (``#,##0``), fixed decimals
    (``0.0``, ``0.00``), percentages (``0.0 %``), literal prefixes in quotes (``"31.12."0``) and
    text. Other formats fall back to ``str``.
    """
    value = cell_value(value)
    if value is None or isinstance(value, Formula):
        return ""
    if isinstance(value, str) or isinstance(value, bool):
        return str(value)
    fmt = number_format.split(";")[0]
    prefix = "".join(re.findall(r'"([^"]*)"', fmt))
    fmt = re.sub(r'"[^"]*"', "", fmt)
    decimals = len(fmt.split(".")[1].rstrip(" %")) if "." in fmt else 0
    x = float(value) * (100 if "%" in fmt else 1)
    if fmt in ("General", "@", ""):
        text = f"{x:.6g}" if isinstance(value, float) else str(value)
    else:
        text = f"{x:,.{decimals}f}" if "," in fmt else f"{x:.{decimals}f}"
    return prefix + text + (" %" if "%" in fmt else "")


def text_width(value: object, style: CellStyle = PLAIN) -> float:
    """Column width (Excel character units) that shows ``value`` in ``style`` unclipped.

    Wrapped text needs only its longest word; other text its longest line. Measured from the
    shown text (:func:`shown_text`), scaled by font size (11 pt = 1) and bold.
    """
    text = shown_text(value, style.number_format)
    if not text:
        return 0.0
    parts = text.split() if style.wrap else text.splitlines()
    n = max((len(p) for p in parts), default=0)
    scale = (style.size or 11) / 11 * (_BOLD_FACTOR if style.bold else 1.0)
    return n * scale


class WidthMeter:
    """Remembers the widest shown text per column, for :func:`fit_widths`."""

    def __init__(self) -> None:
        self.widths: dict[int, float] = {}

    def see(self, col: int, value: object, style: CellStyle) -> None:
        if style in SPILL_STYLES:
            return
        w = text_width(value, style)
        if w > self.widths.get(col, 0.0):
            self.widths[col] = w


def fit_widths(ws: SheetWriter, *, first: int = 1, last: int | None = None, minimum: float = 5.0,
               maximum: float = 60.0, padding: float = 2.0) -> dict[int, float]:  # fmt: skip
    """Set the widths of columns ``first..last`` from the text measured in them (plus padding).

    Returns the widths set. Columns with nothing measured are left alone.
    """
    measured = ws.meter.widths
    last = max(measured, default=first) if last is None else last
    out = {}
    for col in range(first, last + 1):
        if col in measured:
            out[col] = min(maximum, max(minimum, round(measured[col] + padding, 1)))
            ws.width(col, out[col])
    return out


def wrapped_lines(text: str, width: float, style: CellStyle = HEADER) -> int:
    """Lines ``text`` needs when wrapped at word boundaries in a column ``width`` characters wide."""
    scale = (style.size or 11) / 11 * (_BOLD_FACTOR if style.bold else 1.0)
    room = max(1.0, width - 1.0)
    lines, used = 1, 0.0
    for word in str(text).split():
        w = len(word) * scale
        if used and used + scale + w > room:
            lines, used = lines + 1, w
        else:
            used = used + (scale if used else 0.0) + w
    return lines


def fit_header_height(ws: SheetWriter, row: int, labels: dict[int, str], widths: dict[int, float], *,
                      style: CellStyle = HEADER, minimum: float = 15.0) -> float:  # fmt: skip
    """Set row ``row`` tall enough for every wrapped header label (``col -> text``) at ``widths``."""
    lines = max((wrapped_lines(t, widths.get(c, 8.43), style) for c, t in labels.items()), default=1)
    height = max(minimum, round(lines * 14.5 + 4, 1))
    ws.height(row, height)
    return height


# --------------------------------------------------------------------------- values
@dataclass(frozen=True)
class Formula:
    """A formula the program built (with or without the leading ``=``); never user text.

    ``value`` is its result as the program computed it, stored as the cell's cached value: a
    spreadsheet that does not recalculate on opening (LibreOffice's default for .xlsx files, file
    viewers, pandas) shows it instead of 0; Excel recalculates (the workbooks ask for a full
    calculation on load)."""

    text: str
    value: object = None

    @property
    def source(self) -> str:
        return self.text if self.text.startswith("=") else "=" + self.text


def cell_value(value: object) -> object:
    """``value`` as a plain Python cell value: numpy scalars unwrapped, non-finite -> ``None``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def safe_sheet_name(name: str, taken: set[str] | None = None, *, fallback: str = "Ark") -> str:
    """A valid, unused sheet name from user text.

    Excel's forbidden characters ``[]:*?/\\`` and control characters become ``-``, leading and
    trailing apostrophes go, the name is cut to 31 characters and made unique (case-insensitive)
    among ``taken`` with a number; ``taken`` is updated. A leading ``=`` is harmless in a sheet
    name (it is never evaluated) and is kept.
    """
    base = _FORBIDDEN_IN_SHEET_NAMES.sub("-", str(name)).strip().strip("'").strip() or fallback
    if base.casefold() == "history":  # reserved by Excel
        base = f"{base}-"
    base = base[:31]
    taken = taken if taken is not None else set()
    folded = {t.casefold() for t in taken}
    cand, i = base, 2
    while cand.casefold() in folded:
        suffix = f" {i}"
        cand = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(cand)
    return cand


# --------------------------------------------------------------------------- the API
class SheetWriter(Protocol):
    """What the shared sheet helpers (titles, headers, widths, freezing, print set-up) call; both
    adapters implement it. :class:`XlsxSheet` has more: charts, tables, links, validation."""

    title: str
    meter: WidthMeter

    def put(self, row: int, col: int, value: object, style: CellStyle = PLAIN) -> None: ...
    def width(self, col: int, width: float) -> None: ...
    def height(self, row: int, height: float) -> None: ...
    def freeze(self, row: int, col: int) -> None: ...
    def print_setup(self, *, landscape: bool = True, title_row: int | None = S.HEADER_ROW,
                    area: str | Sequence[str] | None = None, footer: bool = True) -> None: ...  # fmt: skip


def write_title(ws: SheetWriter, sheet: S.OutputSheet, language: str, **fmt: object) -> None:
    """Title (row 1) and unit line (row 2) of an output sheet."""
    ws.put(S.TITLE_ROW, 1, sheet.title.format(language, **fmt), TITLE)
    ws.put(S.UNIT_ROW, 1, sheet.unit.format(language, **fmt), UNIT)
    ws.height(S.TITLE_ROW, 21)


def write_headers(ws: SheetWriter, labels: Sequence[object], *, row: int = S.HEADER_ROW, col: int = 1,
                  style: CellStyle = HEADER) -> None:  # fmt: skip
    for j, label in enumerate(labels):
        ws.put(row, col + j, label, style)


def set_widths(ws: SheetWriter, widths: Sequence[float], start: int = 1) -> None:
    for j, w in enumerate(widths):
        ws.width(start + j, w)


def freeze_labels(ws: SheetWriter, n_label_cols: int) -> None:
    """Freeze below the header row and right of the label columns."""
    ws.freeze(S.FIRST_DATA_ROW, n_label_cols + 1)


def rows_for_cm(cm: float) -> int:
    """Default-height rows (15 pt) covering ``cm`` centimetres, plus one."""
    return int(cm / (15 / 72 * 2.54)) + 1


def cols_for_cm(cm: float, width: float) -> int:
    """Columns of ``width`` characters covering ``cm`` centimetres (≈ 0.19 cm per character)."""
    return int(cm / (width * 0.19)) + 1


def area(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    """``A1:B2`` of a block."""
    return f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"


def zone_arrays(p: Projection) -> tuple[list[str], list[str]]:
    return [str(c) for c in p.zone_codes], [str(n) for n in p.zone_names]


_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.5}
_FOOTER = "&C&A – &P / &N"


# --------------------------------------------------------------------------- XlsxWriter
class XlsxBook:
    """A new workbook written with XlsxWriter; sheets are :class:`XlsxSheet`.

    Use as a context manager around the writing: the file appears at ``path`` (atomically) only
    when the block ends without error.
    """

    def __init__(self, path: str | os.PathLike[str] | io.BytesIO) -> None:
        self.path = path
        if isinstance(path, io.BytesIO):
            self._atomic = None  # in memory: the caller decides where the bytes go
        else:
            out = Path(path)
            if out.suffix.lower() not in (".xlsx", ".xlsm"):
                raise ValueError(f"workbooks must be written to an .xlsx file, not {out.name!r}")
            self.path = out
            self._atomic = atomic_path(out)
        self.book: xlsxwriter.Workbook | None = None
        self._formats: dict[CellStyle, object] = {}
        self.sheets: list[XlsxSheet] = []
        self.taken: set[str] = set()

    def __enter__(self) -> XlsxBook:
        options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        if self._atomic is None:
            self.book = xlsxwriter.Workbook(self.path, {**options, "in_memory": True})
        else:
            self.book = xlsxwriter.Workbook(str(self._atomic.__enter__()), options)
        return self

    def __exit__(self, kind, value, tb) -> bool:  # noqa: ANN001
        try:
            if kind is None:
                self.book.close()
        finally:
            if self._atomic is not None:
                self._atomic.__exit__(kind, value, tb)
        return False

    @property
    def sheetnames(self) -> list[str]:
        return [s.title for s in self.sheets]

    def sheet(self, name: str) -> XlsxSheet:
        """A new sheet named ``name`` (made safe and unique)."""
        title = safe_sheet_name(name, self.taken)
        ws = XlsxSheet(self, self.book.add_worksheet(title), title)
        self.sheets.append(ws)
        return ws

    def fmt(self, style: CellStyle):  # noqa: ANN201 - xlsxwriter Format
        f = self._formats.get(style)
        if f is None:
            f = self._formats[style] = self.book.add_format(xlsx_props(style))
        return f

    def properties(self, *, title: str = "", author: str = "", keywords: str = "",
                   custom: Sequence[tuple[str, str]] = ()) -> None:  # fmt: skip
        self.book.set_properties({"title": title, "author": author, "keywords": keywords})
        for name, value in custom:
            self.book.set_custom_property(name, value, "text")

    def activate(self, index: int = 0) -> None:
        self.sheets[index].ws.activate()




class XlsxSheet:
    """One XlsxWriter worksheet behind the :class:`SheetWriter` API."""

    def __init__(self, book: XlsxBook, ws, title: str) -> None:  # noqa: ANN001 - xlsxwriter Worksheet
        self.book, self.ws, self.title = book, ws, title
        self.meter = WidthMeter()

    def put(self, row: int, col: int, value: object, style: CellStyle = PLAIN) -> None:
        r, c, value = row - 1, col - 1, cell_value(value)
        self.meter.see(col, value, style)
        f = self.book.fmt(style) if style != PLAIN else None
        if isinstance(value, str):
            self.ws.write_string(r, c, value, f)  # text is text, whatever it starts with
        elif isinstance(value, Formula):
            self.ws.write_formula(r, c, value.source, f, cell_value(value.value))
        elif isinstance(value, bool):
            self.ws.write_boolean(r, c, value, f)
        elif isinstance(value, (int, float)):
            self.ws.write_number(r, c, value, f)
        elif value is None:
            if f is not None:
                self.ws.write_blank(r, c, None, f)
        else:
            self.ws.write_string(r, c, str(value), f)

    def put_column(self, first_row: int, col: int, values: Sequence[object], style: CellStyle = PLAIN) -> None:
        """:meth:`put` each of ``values`` down column ``col`` from ``first_row``, measuring the
        column's width from its extremes and distinct texts instead of from every cell."""
        f = self.book.fmt(style) if style != PLAIN else None
        ws, c, r0 = self.ws, col - 1, first_row - 1
        self.measure(col, values, style)
        for i, v in enumerate(values):
            if type(v) in (int, float) and math.isfinite(v):
                ws.write_number(r0 + i, c, v, f)
            elif type(v) is str:
                ws.write_string(r0 + i, c, v, f)
            else:
                self.put(first_row + i, col, v, style)

    def measure(self, col: int, values: Sequence[object], style: CellStyle = PLAIN) -> None:
        """Record the width ``values`` need in column ``col`` (without writing them): the widest
        number is the smallest or the largest, so only those and each distinct text are measured."""
        numbers = [v for v in values if type(v) in (int, float) and math.isfinite(v)]
        for v in (min(numbers), max(numbers)) if numbers else ():
            self.meter.see(col, v, style)
        for v in {v for v in values if type(v) is str}:
            self.meter.see(col, v, style)

    def width(self, col: int, width: float) -> None:
        self.ws.set_column(col - 1, col - 1, width)

    def height(self, row: int, height: float) -> None:
        self.ws.set_row(row - 1, height)

    def freeze(self, row: int, col: int) -> None:
        self.ws.freeze_panes(row - 1, col - 1)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self.ws.autofilter(first_row - 1, first_col - 1, last_row - 1, last_col - 1)

    def chart(self, chart: charts.Chart, row: int, col: int) -> None:
        self.ws.insert_chart(row - 1, col - 1, charts.to_xlsxwriter(self.book.book, chart))

    def comment(self, row: int, col: int, text: str, *, width: int = 320, height: int = 160) -> None:
        self.ws.write_comment(row - 1, col - 1, text, {"author": "regbef_excel", "width": width,
                                                       "height": height})  # fmt: skip

    def link(self, row: int, col: int, sheet: str, text: str, style: CellStyle = LINK) -> None:
        self.ws.write_url(row - 1, col - 1, f"internal:{quote_sheet(sheet)}!A1", self.book.fmt(style),
                          string=text)  # fmt: skip

    def row_breaks(self, rows: Sequence[int]) -> None:
        self.ws.set_h_pagebreaks([r - 1 for r in rows])

    def hide_gridlines(self) -> None:
        self.ws.hide_gridlines(2)

    def protect(self) -> None:
        """Protect the sheet without a password: only cells put with an unlocked style (the
        yellow selectors) can be changed; widening, filtering and sorting stay allowed."""
        self.ws.protect("", PROTECTION)

    def table(self, name: str, first_row: int, first_col: int, last_row: int, last_col: int,
              headers: Sequence[str], *, header_style: CellStyle = HEADER) -> None:  # fmt: skip
        """An Excel table over a block whose header cells are ``headers`` (data already put)."""
        self.ws.add_table(first_row - 1, first_col - 1, last_row - 1, last_col - 1, {
            "name": name, "style": "Table Style Light 9", "banded_rows": False, "autofilter": True,
            "columns": [{"header": h, "header_format": self.book.fmt(header_style)} for h in headers],
        })  # fmt: skip

    def validation(self, first_row: int, first_col: int, last_row: int, last_col: int, *,
                   source: str | None = None, title: str = "", prompt: str = "", error: str = "") -> None:  # fmt: skip
        """A dropdown from ``source`` (a range), or only an input prompt when ``source`` is None."""
        opts: dict[str, object] = {"validate": "list", "source": "=" + source} if source else {"validate": "any"}
        opts["ignore_blank"] = True
        if prompt:
            opts["input_title"], opts["input_message"] = title[:32], prompt[:255]
        if source:
            opts["error_title"], opts["error_message"] = title[:32], error[:255]
        self.ws.data_validation(first_row - 1, first_col - 1, last_row - 1, last_col - 1, opts)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a block, keeping the value and style already put in its top-left cell."""
        self.ws.merge_range(first_row - 1, first_col - 1, last_row - 1, last_col - 1, None)

    def color_scale(self, first_row: int, first_col: int, last_row: int, last_col: int, *, low: str, mid: str,
                    high: str, mid_percentile: int = 50) -> None:  # fmt: skip
        """A three-colour scale (min, a percentile, max) over a block."""
        self.ws.conditional_format(first_row - 1, first_col - 1, last_row - 1, last_col - 1, {
            "type": "3_color_scale", "min_color": "#" + low, "mid_type": "percentile",
            "mid_value": mid_percentile, "mid_color": "#" + mid, "max_color": "#" + high,
        })  # fmt: skip

    def print_setup(self, *, landscape: bool = True, title_row: int | None = S.HEADER_ROW,
                    area: str | Sequence[str] | None = None, footer: bool = True) -> None:  # fmt: skip
        """A4, fit to one page wide, header row repeated, page footer, narrow margins."""
        ws = self.ws
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(**_MARGINS)
        if title_row:
            ws.repeat_rows(title_row - 1)
        if area:
            ws.print_area(area if isinstance(area, str) else area[0])
        if footer:
            ws.set_footer(_FOOTER)


# --------------------------------------------------------------------------- openpyxl
class OpenpyxlSheet:
    """One sheet of an existing openpyxl workbook behind the :class:`SheetWriter` API.

    Only openpyxl's public API: cells are made with ``ws.cell``, styled by named style (one per
    :class:`CellStyle`, registered once) or, when only the number format differs from the
    default, by ``number_format``; a string is stored as a string (``data_type = "s"``).
    """

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.title = ws.title
        self._cell = ws.cell
        self.meter = WidthMeter()

    def put(self, row: int, col: int, value: object, style: CellStyle = PLAIN) -> None:
        value = cell_value(value)
        self.meter.see(col, value, style)
        if isinstance(value, Formula):
            cell = self._cell(row=row, column=col, value=value.source)
        elif isinstance(value, str):
            cell = self._cell(row=row, column=col, value=value)
            cell.data_type = "s"  # text is text: never a formula or an error value
        else:
            cell = self._cell(row=row, column=col, value=value)
        if style is PLAIN:
            return
        if style.only_number_format:
            cell.number_format = style.number_format
        else:
            cell.style = named_style(self.ws.parent, style)

    def width(self, col: int, width: float) -> None:
        self.ws.column_dimensions[get_column_letter(col)].width = width

    def height(self, row: int, height: float) -> None:
        self.ws.row_dimensions[row].height = height

    def freeze(self, row: int, col: int) -> None:
        self.ws.freeze_panes = f"{get_column_letter(col)}{row}"

    def print_setup(self, *, landscape: bool = True, title_row: int | None = S.HEADER_ROW,
                    area: str | Sequence[str] | None = None, footer: bool = True) -> None:  # fmt: skip
        """A4, fit to one page wide, header row repeated, page footer, narrow margins."""
        ws = self.ws
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{title_row}:{title_row}" if title_row else None
        ws.print_options.gridLines = False
        for side, value in _MARGINS.items():
            setattr(ws.page_margins, side, value)
        if area:
            ws.print_area = area if isinstance(area, str) else list(area)
        if footer:
            ws.oddFooter.center.text = "&A – &P / &N"


def named_style(wb, style: CellStyle) -> str:  # noqa: ANN001 - openpyxl Workbook
    """The name of ``style`` as a named style of ``wb``, registered on first use.

    The name is derived from the style's values, so a later run on the same workbook finds the
    same style instead of adding another.
    """
    digest = hashlib.sha1(repr(style).encode()).hexdigest()[:8]
    name = f"REGBEF resultat {digest}"
    if name not in wb.named_styles:
        wb.add_named_style(_openpyxl_named_style(name, style))
    return name


def _openpyxl_named_style(name: str, s: CellStyle) -> NamedStyle:
    def side(colour: str | None) -> Side:
        return Side(style="thin", color=colour) if colour else Side()

    top = s.border_top or s.border_box
    bottom = s.border_bottom or s.border_box
    return NamedStyle(
        name,
        font=Font(name="Calibri", bold=s.bold, italic=s.italic, underline="single" if s.underline else None,
                  size=s.size or 11, color=s.colour),
        fill=PatternFill("solid", fgColor=s.fill) if s.fill else PatternFill(),
        border=Border(top=side(top), bottom=side(bottom), left=side(s.border_box), right=side(s.border_box)),
        alignment=Alignment(wrap_text=s.wrap or None, horizontal=s.horizontal, vertical=s.vertical),
        number_format=s.number_format,
    )  # fmt: skip


# --------------------------------------------------------------------------- schema sheets
def schema_sheet(book: XlsxBook, sheet: Sheet, language: str) -> XlsxSheet:
    """A new sheet of the workbook contract with its title (row 1) and intro (row 2)."""
    st = book.sheet(sheet.label(language))
    if sheet.kind != "cover":
        st.put(1, 1, sheet.label(language), SHEET_TITLE)
        st.put(2, 1, sheet.intro(language), NOTE.but(vertical="top"))
        st.height(1, 22)
    return st


def write_table(st: XlsxSheet, table: Table, rows: Sequence[Sequence[object]], language: str) -> TableLayout:
    """Write ``rows`` (stored values, schema column order) as an Excel table of the contract.

    Caption above the header, the header (labels with units), the data in the style of each
    column's role with its number format (choice codes shown as their labels), and the Excel
    table object. Returns the :class:`TableLayout` written.
    """
    lay = TableLayout.of(table, len(rows))
    r0, c0 = lay.header_row, lay.first_col
    cols = table.columns
    if table.title(language) and table.title(language) != st.title:
        st.put(r0 - 1, c0, table.title(language), SHEET_SUBTITLE)
    headers = [c.header(language) for c in cols]
    for j, col in enumerate(cols):
        st.width(c0 + j, col.width)
    st.height(r0, HEADER_ROW_HEIGHT)
    styles = [role_style(c.role).but(number_format=c.number_format) for c in cols]
    displays = [c.validation is not None and c.validation.kind == "list" or c.dtype == "bool" for c in cols]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if displays[j]:
                value = display_value(value, cols[j], language)
            st.put(r0 + 1 + i, c0 + j, value, styles[j])
    if not rows:
        for j in range(len(cols)):
            st.put(r0 + 1, c0 + j, None, styles[j])
    st.table(table.key, r0, c0, lay.last_row, c0 + len(cols) - 1, headers, header_style=TABLE_HEADER)
    return lay


def replace_sheet(wb, name: str) -> OpenpyxlSheet:  # noqa: ANN001 - openpyxl Workbook
    """Create (or replace, at the same position) the sheet ``name`` of an existing workbook."""
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        wb.remove(wb[name])
        return OpenpyxlSheet(wb.create_sheet(name, index))
    return OpenpyxlSheet(wb.create_sheet(name))


def new_sheet(wb, sheet: S.OutputSheet, language: str) -> SheetWriter:  # noqa: ANN001
    """The output sheet ``sheet`` in ``wb`` (an :class:`XlsxBook` or an openpyxl workbook)."""
    name = sheet.name.get(language)
    if isinstance(wb, XlsxBook):
        return wb.sheet(name)
    return replace_sheet(wb, name)
