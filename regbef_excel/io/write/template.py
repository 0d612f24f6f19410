"""Template builder: a ready-to-fill REGBEF workbook, empty or pre-filled, driven by the schema,
written with XlsxWriter.

Public API::

    build_workbook(inputs=None, *, language="nb", meta=None) -> InputWorkbook
    save_workbook(wb, path)        # atomic: temp file + os.replace

An :class:`InputWorkbook` is the workbook as planned (validated inputs turned into table rows);
it is written by :meth:`InputWorkbook.save` (a path), :meth:`InputWorkbook.to_bytes`, or
:meth:`InputWorkbook.write` into an XlsxWriter workbook the caller owns (e.g. to add output
sheets after the input sheets). :meth:`InputWorkbook.to_openpyxl` loads the written workbook
for code that reads or edits a workbook in memory.

Every value from the inputs, the metadata or a planner is written as a string, number or
boolean by type; formulas exist only where this module builds them (the checks and the
master check on the cover).
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import xlsxwriter
from openpyxl import load_workbook

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.engine.inputs import ProjectionInputs
from regbef_excel.files import atomic_path
from regbef_excel.io.cells import display_value
from regbef_excel.io.rows import inputs_to_rows, table_for_rows
from regbef_excel.io.write import styles
from regbef_excel.io.write.sheets import wrapped_lines
from regbef_excel.io.write.styles import PROTECTION, Formats
from regbef_excel.io.write.templates import CONF_SHEET, write_conf_sheet
from regbef_excel.schema.base import ChoiceList, Column, Sheet, Table, Validation, check_language
from regbef_excel.schema.checks import CHECKS, check_formula, checks_layout, run_checks
from regbef_excel.schema.cover import COVER_TEXT
from regbef_excel.schema.inputs import CHECKS_TABLE, INPUT_SHEETS, LISTS, SHEETS, TABLES
from regbef_excel.schema.layout import (
    TableLayout,
    column_index,
    column_letter,
    quote_sheet,
    split_cell,
)
from regbef_excel.schema.meta import WorkbookMeta
from regbef_excel.schema.udfs import INPUTS_NAME, inputs_name_formula

#: Workbook-scoped names (listed on the cover).
MASTER_CHECK_NAME = "REGBEF_MASTER_CHECK"
SCHEMA_VERSION_NAME = "REGBEF_SCHEMA_VERSION"
HEADER_ROW_HEIGHT = 33
#: Characters of the cover's 10-point notes per line of its 100-character-wide column C.
COVER_NOTE_CHARS_PER_LINE = 105

#: XlsxWriter options: nothing a string holds is turned into a formula, number or link.
BOOK_OPTIONS = {
    "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
    "strings_to_urls": False, "nan_inf_to_errors": True,
}  # fmt: skip

A4 = 9  # Excel's paper size code



def is_protected(sheet: Sheet, rows: dict[str, Sequence[object]]) -> bool:
    """Whether the template builder protects ``sheet`` given the table ``rows`` it writes.

    Excel and LibreOffice cannot add rows to a table on a protected sheet. Tables the builder
    fills from inputs are sized by them (one row per zone, age, year, item), so their sheets
    are protected; a sheet whose main (first) table is still empty (the empty template, the
    targets and history sheets before use, a housing or labour sheet without data) is left
    unprotected so the planner can type rows beneath it. Checks and lists have no input cells
    and are always protected. A planner who wants to add rows to a protected table lifts the
    protection (no password) and may set it again.
    """
    if sheet.kind in ("checks", "lists"):
        return True
    return bool(sheet.tables) and len(rows.get(sheet.tables[0], ())) > 0


# ----------------------------------------------------------------------------------------------
# Lists sheet geometry (dropdown sources): one single-column table per list, side by side
# ----------------------------------------------------------------------------------------------
def list_layout(key: str) -> tuple[int, int, int]:
    """``(column, first_row, last_row)`` of the labels of list ``key`` on the lists sheet."""
    i = list(LISTS).index(key)
    n = len(LISTS[key].choices)
    return 1 + 2 * i, 5, 4 + n


def list_range(key: str, language: str) -> str:
    col, r0, r1 = list_layout(key)
    c = column_letter(col)
    return f"{quote_sheet(SHEETS['lists'].label(language))}!${c}${r0}:${c}${r1}"


# ----------------------------------------------------------------------------------------------
# Cells (1-based row and column, as in the schema's layouts)
# ----------------------------------------------------------------------------------------------
def put(ws, row: int, col: int, value: object, fmt=None) -> None:  # noqa: ANN001
    """Write one value by its type: text always as a string (never a formula), numbers as
    numbers, booleans as booleans, ``None`` as an empty (formatted) cell."""
    r, c = row - 1, col - 1
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            ws.write_string(r, c, str(value), fmt)
        else:
            ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def put_formula(ws, row: int, col: int, formula: str, fmt, value: object) -> None:  # noqa: ANN001
    """Write a formula this module built, with its value as computed in Python (shown by
    viewers that do not recalculate; Excel and LibreOffice recalculate on load)."""
    ws.write_formula(row - 1, col - 1, formula, fmt, value)


def set_width(ws, col: int, width: float) -> None:  # noqa: ANN001
    ws.set_column(col - 1, col - 1, width)


#: Widest a column grows to show its longest text (longer comments spill or wrap).
MAX_TEXT_WIDTH = 45.0


def header_width(text: str, width: float, *, lines: int = 2) -> float:
    """The width (from ``width`` up, in steps of one character) at which the header ``text``
    wraps into at most ``lines`` lines of the header row (:data:`HEADER_ROW_HEIGHT`)."""
    style = styles.STYLES[styles.HEADER]
    while wrapped_lines(text, width, style) > lines and width < MAX_TEXT_WIDTH:
        width += 1.0
    return width


def sheet_title(ws, fmt: Formats, sheet: Sheet, language: str) -> None:  # noqa: ANN001
    """The sheet's title (row 1) and intro text (row 2)."""
    put(ws, 1, 1, sheet.label(language), fmt(styles.TITLE))
    put(ws, 2, 1, sheet.intro(language), fmt(styles.NOTE))
    ws.set_row(0, 22)


def page_setup(ws, *, landscape: bool = False, title_row: int | None = 4) -> None:  # noqa: ANN001
    """A4, fit to one page wide, header row repeated (every input sheet)."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    if title_row:
        ws.repeat_rows(title_row - 1)


# ----------------------------------------------------------------------------------------------
# Data validation
# ----------------------------------------------------------------------------------------------
def validation_rule(column: Column, language: str) -> dict | None:
    """The data-validation options (XlsxWriter's form) of a column or key/value item."""
    v: Validation | None = column.validation
    prompt = column.prompt(language)[:255]
    title = column.label(language)[:32]
    rule: dict[str, object] = {"ignore_blank": True}
    if prompt:
        rule.update(input_message=prompt, input_title=title or None, show_input=True)
    if title:
        rule["error_title"] = title
    if v is None or v.kind == "text":
        if not prompt:
            return None
        rule.update(validate="any", show_error=False)
        return {k: x for k, x in rule.items() if x is not None and k != "error_title"}
    if v.kind == "list":
        rule.update(validate="list", source="=" + list_range(v.choices or "", language),
                    error_message=LISTS[v.choices or ""].expected(language)[:255])  # fmt: skip
    else:
        rule["validate"] = "integer" if v.kind == "whole" else "decimal"
        lo, hi = v.minimum, v.maximum
        if lo is not None and hi is not None:
            rule.update(criteria="between", minimum=lo, maximum=hi)
        elif lo is not None:
            rule.update(criteria=">=", value=lo)
        elif hi is not None:
            rule.update(criteria="<=", value=hi)
        else:
            rule.update(criteria="between", minimum="-1E+307", maximum="1E+307")
        rule["error_message"] = v.describe(language)[:255]
    return {k: x for k, x in rule.items() if x is not None}


def add_validation(ws, a1_range: str, rule: dict | None) -> None:  # noqa: ANN001
    if rule is None:
        return
    first, _, last = a1_range.replace("$", "").partition(":")
    c0, r0 = split_cell(first)
    c1, r1 = split_cell(last or first)
    ws.data_validation(r0 - 1, column_index(c0) - 1, r1 - 1, column_index(c1) - 1, dict(rule))


# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------
def write_input_table(
    ws,  # noqa: ANN001 - xlsxwriter Worksheet
    fmt: Formats,
    table: Table,
    rows: Sequence[Sequence[object]],
    language: str,
    *,
    anchor: str | None = None,
    validate: bool = True,
    wrap_columns: Collection[str] = (),
    title: str | None = None,
) -> TableLayout:
    """Write ``rows`` (stored values, schema column order) as an Excel table.

    Writes the caption above the header (unless it equals the sheet title ``title``), the
    header (labels with units), the data with the style of each column role and its number
    format, the Excel table object, and one data validation per column over the table's
    capacity. Key/value tables get one validation per value cell, following each item.

    Returns the :class:`TableLayout` actually written.
    """
    if anchor is not None:
        table = replace(table, anchor=anchor)
    lay = TableLayout.of(table, len(rows))
    r0, c0 = lay.header_row, lay.first_col
    cols = table.columns
    caption = table.title(language)
    if caption and caption != title:
        put(ws, r0 - 1, c0, caption, fmt(styles.SUBTITLE))
    header_fmt = fmt(styles.HEADER)
    for j, col in enumerate(cols):
        set_width(ws, c0 + j, col.width)
    ws.set_row(r0 - 1, HEADER_ROW_HEIGHT)
    col_styles = [styles.style_for_role(c.role) for c in cols]
    if table.kind == "keyvalue":
        col_styles = [styles.CALC, styles.CALC, styles.INPUT, styles.CALC, styles.INPUT]
    wrap = {"text_wrap": True, "valign": "top"}
    formats = [fmt(col_styles[j], c.number_format, **(wrap if c.key in wrap_columns else {}))
               for j, c in enumerate(cols)]  # fmt: skip
    kv_items = {c.key: c for c in table.items}
    displays = [
        c.validation is not None and c.validation.kind == "list" or c.dtype == "bool" for c in cols
    ]
    data = rows if rows else [[None] * len(cols)]
    skip_empty = [c.role == "calc" and table.kind == "long" and len(data) > 1 for c in cols]
    longest = [0.0] * len(cols)  # the widest text shown in each column
    for i, row in enumerate(data):
        r = r0 + 1 + i
        item = kv_items.get(row[0]) if table.kind == "keyvalue" else None  # type: ignore[arg-type]
        for j, value in enumerate(row):
            f = formats[j]
            if item is not None and cols[j].key == "value":
                value = display_value(value, item, language)
                f = fmt(col_styles[j], item.number_format)
            elif displays[j]:
                value = display_value(value, cols[j], language)
            if value is None and skip_empty[j]:
                continue  # empty read-only cells need no cell at all (national tables are big)
            if isinstance(value, str) and len(value) > longest[j]:
                longest[j] = float(len(value))
            put(ws, r, c0 + j, value, f)
        if wrap_columns:  # wrapped text: no spreadsheet grows the row by itself on load
            lines = max(math.ceil(len(str(row[j] or "")) / (cols[j].width * 1.05))
                        for j in range(len(cols)) if cols[j].key in wrap_columns)  # fmt: skip
            if lines > 1:
                ws.set_row(r - 1, 15 * lines)
    for j, col in enumerate(cols):  # every header in two lines, every text whole (measured)
        fitted = header_width(col.header(language), col.width)
        if col.key not in wrap_columns:
            fitted = max(fitted, min(MAX_TEXT_WIDTH, longest[j] + 1.5))
        if fitted > col.width:
            set_width(ws, c0 + j, fitted)
    ws.add_table(r0 - 1, c0 - 1, lay.last_row - 1, c0 + len(cols) - 2, {
        "name": table.key, "style": styles.TABLE_STYLE, "banded_rows": False,
        "columns": [{"header": c.header(language), "header_format": header_fmt} for c in cols],
    })  # fmt: skip
    if validate:
        if table.kind == "keyvalue":
            vcol = lay.letter("value")
            for i, row in enumerate(rows):
                item = kv_items.get(row[0])  # type: ignore[arg-type]
                if item is not None:
                    add_validation(ws, f"{vcol}{lay.first_row + i}", validation_rule(item, language))
            add_validation(ws, lay.span_range(cols[-1].key), validation_rule(cols[-1], language))
        else:
            for col in cols:
                if col.role != "calc":
                    add_validation(ws, lay.span_range(col.key), validation_rule(col, language))
    return lay


# ----------------------------------------------------------------------------------------------
# The workbook
# ----------------------------------------------------------------------------------------------
@dataclass
class InputWorkbook:
    """A REGBEF input workbook, planned and ready to write with XlsxWriter.

    Made by :func:`build_workbook`. Add the ``regbef.conf`` sheet and template properties
    with :meth:`add_conf_sheet` and :meth:`add_properties` before writing.
    """

    language: str
    meta: WorkbookMeta
    inputs: ProjectionInputs | None
    rows: dict[str, list[list[object]]]
    created: _dt.datetime
    cover_sections: Sequence[tuple[str, Sequence[str]]] = ()
    skip_sheets: Collection[str] = ()
    xlwings_conf: bool = False
    category: str | None = None
    keywords: list[str] = field(default_factory=list)
    custom: list[tuple[str, str]] = field(default_factory=list)

    @property
    def created_text(self) -> str:
        return self.created.isoformat(sep=" ")

    @property
    def sheetnames(self) -> list[str]:
        """The sheet names in order, as they will be written."""
        names = [SHEETS["cover"].label(self.language)]
        names += [s.label(self.language) for s in self._input_sheets()]
        names.append(SHEETS["checks"].label(self.language))
        if "lists" not in self.skip_sheets:
            names.append(SHEETS["lists"].label(self.language))
        if self.xlwings_conf:
            names.append(CONF_SHEET)
        return names

    def add_conf_sheet(self) -> None:
        """Append the ``regbef.conf`` sheet for the REGBEF add-in (last sheet)."""
        self.xlwings_conf = True

    def add_properties(self, *, category: str | None = None, keywords: str = "",
                       custom: Sequence[tuple[str, str]] = ()) -> None:  # fmt: skip
        """Set the document category, append ``keywords`` and custom string properties."""
        if category is not None:
            self.category = category
        if keywords:
            self.keywords.append(keywords)
        self.custom.extend(custom)

    def _input_sheets(self) -> list[Sheet]:
        return [s for s in sorted(INPUT_SHEETS, key=lambda s: s.order)
                if s.kind == "input" and s.key not in self.skip_sheets]  # fmt: skip

    # --- writing ------------------------------------------------------------------------------
    def write(self, book) -> None:  # noqa: ANN001 - xlsxwriter.Workbook
        """Add the input sheets, names and document properties to ``book`` (which the caller
        made with :data:`BOOK_OPTIONS` and closes)."""
        language = self.language
        fmt = Formats(book)
        nrows = {k: len(v) for k, v in self.rows.items()}
        checks = run_checks(raw_tables(self.rows, self.inputs), language=language)
        cover = book.add_worksheet(SHEETS["cover"].label(language))
        for sheet in self._input_sheets():
            ws = book.add_worksheet(sheet.label(language))
            sheet_title(ws, fmt, sheet, language)
            for tkey in sheet.tables:
                write_input_table(ws, fmt, table_for_rows(tkey, self.inputs), self.rows[tkey],
                                  language, title=sheet.label(language))  # fmt: skip
            ws.freeze_panes(4, 0)
            page_setup(ws, landscape=sum(len(TABLES[k].columns) for k in sheet.tables) > 8)
            if is_protected(sheet, self.rows):
                ws.protect("", PROTECTION)
        master_ref, master = write_checks(book, fmt, language, nrows, checks)
        if "lists" not in self.skip_sheets:
            write_lists(book, fmt, language)
        schema_ref = write_cover(cover, fmt, language, self.meta, self.rows["tblProvenance"],
                                 self.created_text, self.cover_sections, master)  # fmt: skip
        if is_protected(SHEETS["cover"], self.rows):
            cover.protect("", PROTECTION)
        if self.xlwings_conf:
            write_conf_sheet(book, fmt, language)
        book.define_name(MASTER_CHECK_NAME, "=" + master_ref)
        book.define_name(SCHEMA_VERSION_NAME, "=" + schema_ref)
        # =REGBEF_RUN(Inndata): the name references every input row, so the cell recalculates
        # when an input changes
        input_sheets = [s.label(language) for s in self._input_sheets()]
        book.define_name(INPUTS_NAME[language], "=" + inputs_name_formula(input_sheets))
        self._properties(book)

    def _properties(self, book) -> None:  # noqa: ANN001
        t = COVER_TEXT[self.language]
        region = self.meta.region_name
        props = {
            "title": str(t["title"]) + (f" – {region}" if region else ""),
            "author": f"regbef_excel {__version__}",
            "keywords": "; ".join([f"REGBEF; schema {SCHEMA_VERSION}; template {__version__}",
                                   *self.keywords]),
            "comments": f"REGBEF workbook, template {__version__}, engine {__version__}, "
                        f"schema {SCHEMA_VERSION}",
            "created": self.created,
        }  # fmt: skip
        if region:
            props["subject"] = region
        if self.category:
            props["category"] = self.category
        book.set_properties(props)
        for name, value in (
            ("REGBEF_template_version", __version__),
            ("REGBEF_engine_version", __version__),
            ("REGBEF_schema_version", SCHEMA_VERSION),
            ("REGBEF_created", self.created_text),
            ("REGBEF_language", self.language),
            *self.custom,
        ):
            book.set_custom_property(name, str(value), "text")

    def save(self, path: str | os.PathLike[str] | io.BytesIO) -> None:
        """Write the workbook to ``path`` (not atomic: see :func:`save_workbook`)."""
        book = xlsxwriter.Workbook(path, BOOK_OPTIONS)
        try:
            self.write(book)
        finally:
            book.close()

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    def to_openpyxl(self):  # noqa: ANN201 - openpyxl Workbook
        """The written workbook loaded with openpyxl (to read or edit it in memory)."""
        return load_workbook(io.BytesIO(self.to_bytes()))


def raw_tables(rows: dict[str, list[list[object]]], inputs: ProjectionInputs | None) -> dict:
    """Column-wise stored values of the tables written (the form ``run_checks`` reads)."""
    out = {}
    for key, rs in rows.items():
        cols = table_for_rows(key, inputs).column_keys
        out[key] = {c: [r[i] for r in rs] for i, c in enumerate(cols)}
    return out


# ----------------------------------------------------------------------------------------------
# The sheets
# ----------------------------------------------------------------------------------------------
def write_lists(book, fmt: Formats, language: str) -> None:  # noqa: ANN001
    ws = book.add_worksheet(SHEETS["lists"].label(language))
    sheet_title(ws, fmt, SHEETS["lists"], language)
    calc, header = fmt(styles.CALC), fmt(styles.HEADER)
    for key, cl in LISTS.items():
        col, r0, _ = list_layout(key)
        lst: ChoiceList = cl
        for i, choice in enumerate(lst.choices):
            put(ws, r0 + i, col, choice.cell_value(language), calc)
        ws.add_table(3, col - 1, r0 + len(lst.choices) - 2, col - 1, {
            "name": lst.table, "style": styles.TABLE_STYLE, "banded_rows": False,
            "columns": [{"header": lst.label(language), "header_format": header}],
        })  # fmt: skip
        set_width(ws, col, max(16, max(len(x) for x in lst.labels(language)) + 2))
        set_width(ws, col + 1, 3)
    ws.set_row(3, HEADER_ROW_HEIGHT)
    ws.freeze_panes(4, 0)
    page_setup(ws, landscape=True)
    ws.protect("", PROTECTION)


def write_checks(book, fmt: Formats, language: str, nrows: dict[str, int], results) -> tuple[str, int]:  # noqa: ANN001
    """The checks sheet; returns the master check's reference and its value in Python."""
    sheet = SHEETS["checks"]
    ws = book.add_worksheet(sheet.label(language))
    sheet_title(ws, fmt, sheet, language)
    ok, bad = ("OK", "FEIL") if language == "nb" else ("OK", "ERROR")
    lay = checks_layout()
    vcol, scol = lay.letter("value"), lay.letter("status")
    counts = {r.id: r.count for r in results}
    # the table's cells first (ids and descriptions), then its formulas over them
    rows = [[chk.id, chk.description(language), None, None] for chk in CHECKS]
    write_input_table(ws, fmt, CHECKS_TABLE, rows, language, validate=False, title=ws.name)
    calc, number = fmt(styles.CALC), fmt(styles.CALC, "#,##0")
    for i, chk in enumerate(CHECKS):
        r = lay.first_row + i
        n = counts[chk.id]
        put_formula(ws, r, lay.col("value"), check_formula(chk, language, nrows), number, n)
        put_formula(ws, r, lay.col("status"), f'=IF({vcol}{r}=0,"{ok}","{bad}")', calc,
                    ok if n == 0 else bad)  # fmt: skip
    master_row = lay.last_row + 2
    total = sum(counts.values())
    put(ws, master_row, lay.col("description"), COVER_TEXT[language]["master"], fmt(styles.SUBTITLE))
    put_formula(ws, master_row, lay.col("value"),
                f"=SUM({vcol}{lay.first_row}:{vcol}{lay.last_row})", number, total)  # fmt: skip
    put_formula(ws, master_row, lay.col("status"), f'=IF({vcol}{master_row}=0,"{ok}","{bad}")',
                calc, ok if total == 0 else bad)  # fmt: skip
    rng = f"{scol}{lay.first_row}:{scol}{master_row}"
    for text, colour in ((ok, styles.OK_FILL), (bad, styles.ERROR_FILL)):
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{text}"',
                                    "format": fmt.fill(colour)})  # fmt: skip
    ws.freeze_panes(4, 0)
    page_setup(ws, landscape=True)
    ws.protect("", PROTECTION)
    return f"{quote_sheet(ws.name)}!${vcol}${master_row}", total


def write_cover(
    ws,  # noqa: ANN001 - xlsxwriter Worksheet
    fmt: Formats,
    language: str,
    meta: WorkbookMeta,
    prov_rows: list,
    created: str,
    sections: Sequence[tuple[str, Sequence[str]]] = (),
    master: int = 0,
) -> str:
    """The cover: status box, the caller's sections, versions, purpose, how to run,
    assumptions, contents (links), style legend, names, and the provenance table. Returns the
    reference of the schema-version cell."""
    t = COVER_TEXT[language]
    ws.set_column(0, 0, 3)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 100)
    ws.hide_gridlines(2)
    plain, calc, subtitle = fmt(styles.PLAIN), fmt(styles.CALC), fmt(styles.SUBTITLE)
    put(ws, 1, 2, str(t["title"]) + (f" – {meta.region_name}" if meta.region_name else ""),
        fmt(styles.TITLE))  # fmt: skip
    ws.set_row(0, 24)
    put(ws, 2, 2, t["subtitle"], fmt(styles.NOTE))
    r = 4
    # status box: master check and versions
    put(ws, r, 2, t["master_short"], subtitle)
    status = t["ok"] if master == 0 else f"{t['not_ok']}: {master}"
    put_formula(ws, r, 3, f'=IF({MASTER_CHECK_NAME}=0,"{t["ok"]}","{t["not_ok"]}: "&{MASTER_CHECK_NAME})',
                fmt(styles.CALC, bold=True), status)  # fmt: skip
    ws.conditional_format(r - 1, 2, r - 1, 2, {"type": "cell", "criteria": "==",
                          "value": f'"{t["ok"]}"', "format": fmt.fill(styles.OK_FILL)})  # fmt: skip
    ws.conditional_format(r - 1, 2, r - 1, 2, {"type": "cell", "criteria": "!=",
                          "value": f'"{t["ok"]}"', "format": fmt.fill(styles.ERROR_FILL)})  # fmt: skip
    r += 2

    def heading(text: object) -> None:
        nonlocal r
        put(ws, r, 2, str(text), subtitle)
        r += 1

    def lines(items: object, bullet: str = "•") -> None:
        nonlocal r
        for line in items:  # type: ignore[attr-defined]
            ws.merge_range(r - 1, 1, r - 1, 2, "", plain)
            put(ws, r, 2, f"{bullet} {line}" if bullet else line, plain)
            r += 1
        r += 1

    for head, items in sections:  # caller's sections (e.g. municipality templates) come first
        heading(head)
        lines(items)
    heading(t["version_h"])
    schema_cell = ""
    for label, value in (
        (t["region"], meta.region_name or "–"),
        (t["template_version"], __version__),
        (t["engine_version"], __version__),
        (t["schema_version"], SCHEMA_VERSION),
        (t["created"], created),
    ):
        put(ws, r, 2, str(label))
        put(ws, r, 3, value, calc)
        if label == t["schema_version"]:
            schema_cell = f"{quote_sheet(ws.name)}!$C${r}"
        r += 1
    r += 1
    heading(t["purpose_h"])
    lines(t["purpose"], "")
    heading(t["run_h"])
    lines(t["run"])
    heading(t["assumptions_h"])
    lines(t["assumptions"])
    heading(t["toc_h"])
    link, note = fmt(styles.LINK, valign="top"), fmt(styles.NOTE, text_wrap=True)  # no overflow
    for sheet in sorted(INPUT_SHEETS, key=lambda s: s.order):
        if sheet.kind == "cover":
            continue
        name = sheet.label(language)
        ws.write_url(r - 1, 1, f"internal:{quote_sheet(name)}!A1", link, name)
        intro = sheet.intro(language)
        put(ws, r, 3, intro, note)
        lines_needed = math.ceil(len(intro) / COVER_NOTE_CHARS_PER_LINE)
        if lines_needed > 1:  # wrapped text: no spreadsheet grows the row by itself on load
            ws.set_row(r - 1, 13.5 * lines_needed)
        r += 1
    r += 1
    heading(t["legend_h"])
    legend_style = {"input": styles.INPUT, "key": styles.KEY, "calc": styles.CALC, "output": styles.OUTPUT}
    sample = {"input": 1234, "key": "0301", "calc": 0.514, "output": 5678}
    for role, text in t["legend"]:  # type: ignore[attr-defined]
        put(ws, r, 2, sample[role], fmt(legend_style[role], locked=True))  # a sample, not an input
        put(ws, r, 3, text)
        r += 1
    r += 1
    heading(t["names_h"])
    lines(t["names"], "")
    # sources, licences and notes: a table, so the reader gets them back
    prov = TABLES["tblProvenance"]
    write_input_table(ws, fmt, prov, prov_rows, language, anchor=f"B{r + 1}",
                      wrap_columns=(prov.columns[1].key,))  # fmt: skip
    page_setup(ws, title_row=None)
    return schema_cell


def build_workbook(
    inputs: ProjectionInputs | None = None,
    *,
    language: str = "nb",
    meta: WorkbookMeta | None = None,
    cover_sections: Sequence[tuple[str, Sequence[str]]] = (),
    skip_sheets: Collection[str] = (),
    created: _dt.datetime | None = None,
) -> InputWorkbook:
    """Plan a REGBEF input workbook.

    Parameters
    ----------
    inputs
        Inputs to pre-fill, or ``None`` for an empty template (settings defaults, age and year
        columns, Hadwiger defaults; zone tables empty but present).
    language
        ``'nb'`` (Norwegian bokmål, default) or ``'en'``: sheet names, headers, prompts, list
        labels. Table names and column keys do not change.
    meta
        Region name, sources, comments, fit quality, history, estimation period.
    cover_sections
        Extra ``(heading, lines)`` blocks shown on the cover below the master check, before
        the version block (e.g. the instructions of a municipality template). Default none.
    skip_sheets
        Keys of input sheets (and ``'lists'``) NOT to write. Default none: a complete workbook.
    created
        Creation time stamped on the cover and in the properties; default now (a reproducible
        build passes its build time).

    Returns
    -------
    InputWorkbook
        Not yet written; use :func:`save_workbook`, :meth:`InputWorkbook.to_bytes` or
        :meth:`InputWorkbook.write`.
    """
    language = check_language(language)
    meta = meta or WorkbookMeta()
    if inputs is not None:
        inputs.validate()
    when = (created or _dt.datetime.now()).replace(microsecond=0)
    return InputWorkbook(language, meta, inputs, inputs_to_rows(inputs, meta, language), when,
                         tuple(cover_sections), tuple(skip_sheets))  # fmt: skip


def save_workbook(wb, path: str | os.PathLike[str]) -> Path:  # noqa: ANN001
    """Save ``wb`` (anything with ``save(path)``: an :class:`InputWorkbook`, or an openpyxl
    workbook an output writer still builds) atomically: write a temporary file beside
    ``path``, then ``os.replace``.

    On any failure the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


__all__ = [
    "MASTER_CHECK_NAME", "SCHEMA_VERSION_NAME", "InputWorkbook", "build_workbook",
    "is_protected", "list_layout", "list_range", "save_workbook", "validation_rule",
]  # fmt: skip
