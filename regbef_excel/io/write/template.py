"""Template builder: a ready-to-fill REGBEF workbook, empty or pre-filled, driven by the schema.

Public API::

    build_workbook(inputs=None, *, language="nb", meta=None) -> openpyxl.Workbook
    save_workbook(wb, path)        # atomic: temp file + os.replace

Reusable pieces for output sheets: :func:`new_sheet`, :func:`write_table`.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from collections.abc import Collection, Sequence
from copy import copy
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.engine.inputs import ProjectionInputs
from regbef_excel.io.cells import display_value
from regbef_excel.io.rows import inputs_to_rows, table_for_rows
from regbef_excel.io.write import styles
from regbef_excel.schema.base import (
    ChoiceList,
    Column,
    Sheet,
    Table,
    Validation,
    check_language,
)
from regbef_excel.schema.checks import CHECKS, check_formula, checks_layout
from regbef_excel.schema.cover import COVER_TEXT
from regbef_excel.schema.inputs import CHECKS_TABLE, INPUT_SHEETS, LISTS, SHEETS, TABLES
from regbef_excel.schema.layout import TableLayout, quote_sheet
from regbef_excel.schema.meta import WorkbookMeta
from regbef_excel.schema.udfs import INPUTS_NAME, inputs_name_formula

#: Workbook-scoped names (listed on the cover).
MASTER_CHECK_NAME = "REGBEF_MASTER_CHECK"
SCHEMA_VERSION_NAME = "REGBEF_SCHEMA_VERSION"
HEADER_ROW_HEIGHT = 33


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
    c = get_column_letter(col)
    return f"{quote_sheet(SHEETS['lists'].label(language))}!${c}${r0}:${c}${r1}"


# ----------------------------------------------------------------------------------------------
# Generic writing helpers (also used for output sheets)
# ----------------------------------------------------------------------------------------------
def new_sheet(wb: Workbook, sheet: Sheet, language: str, *, first: bool = False) -> Worksheet:
    """Create a worksheet with the sheet's title (row 1) and intro text (row 2)."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = sheet.label(language)
    if sheet.kind != "cover":
        ws["A1"] = sheet.label(language)
        ws["A1"].style = styles.TITLE
        ws["A2"] = sheet.intro(language)
        ws["A2"].style = styles.NOTE
        ws.row_dimensions[1].height = 22
    ws.sheet_view.zoomScale = 100
    return ws


def _validation(column: Column, language: str, sqref: str) -> DataValidation | None:
    v: Validation | None = column.validation
    prompt = column.prompt(language)[:255]
    title = column.label(language)[:32]
    common = dict(
        allow_blank=True, showInputMessage=bool(prompt), promptTitle=title or None,
        prompt=prompt or None, showErrorMessage=True, errorTitle=title or None,
    )  # fmt: skip
    if v is None or v.kind == "text":
        if not prompt:
            return None
        dv = DataValidation(**common)  # any value; just the prompt
        dv.showErrorMessage = False
    elif v.kind == "list":
        dv = DataValidation(type="list", formula1=list_range(v.choices or "", language), **common)
        dv.error = LISTS[v.choices or ""].expected(language)
    else:
        kind = "whole" if v.kind == "whole" else "decimal"
        lo, hi = v.minimum, v.maximum
        if lo is not None and hi is not None:
            dv = DataValidation(type=kind, operator="between", formula1=str(lo), formula2=str(hi), **common)
        elif lo is not None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(lo), **common)
        elif hi is not None:
            dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=str(hi), **common)
        else:
            dv = DataValidation(type=kind, operator="between", formula1="-1E+307", formula2="1E+307", **common)
        dv.error = v.describe(language)
    dv.sqref = sqref  # type: ignore[assignment]
    return dv


def _style_array(ws: Worksheet, style: str, number_format: str = "General") -> StyleArray:
    """The style array of a cell with named style ``style`` and ``number_format``."""
    proto = Cell(ws)
    proto.style = style
    if number_format != "General":
        proto.number_format = number_format
    return proto._style


def put_cell(ws: Worksheet, row: int, column: int, value: object, style: StyleArray) -> None:
    """Write one cell with a prepared style array.

    Bulk writing: about ten times faster than ``ws.cell(...)`` followed by ``cell.style = …``,
    which looks the named style up and copies it for every cell (national workbooks have
    ~250 000 input cells).
    """
    ws._add_cell(Cell(ws, row=row, column=column, value=value, style_array=copy(style)))


def _set_width(ws: Worksheet, col: int, width: float) -> None:
    dim = ws.column_dimensions[get_column_letter(col)]
    dim.width = max(dim.width or 0, width)


def write_table(
    ws: Worksheet,
    table: Table,
    rows: Sequence[Sequence[object]],
    language: str,
    *,
    anchor: str | None = None,
    validate: bool = True,
) -> TableLayout:
    """Write ``rows`` (stored values, schema column order) as an Excel table.

    Writes the caption above the header, the header (labels with units), the data with the
    named style of each column role and its number format, the Excel table object, and one
    data validation per column over the table's capacity. Key/value tables get one validation
    per value cell, following each item.

    Returns the :class:`TableLayout` actually written.
    """
    if anchor is not None:
        table = replace(table, anchor=anchor)
    lay = TableLayout.of(table, len(rows))
    r0, c0 = lay.header_row, lay.first_col
    cols = table.columns
    if table.title(language) and table.title(language) != ws.title:
        cap = ws.cell(row=r0 - 1, column=c0, value=table.title(language))
        cap.style = styles.SUBTITLE
    for j, col in enumerate(cols):
        cell = ws.cell(row=r0, column=c0 + j, value=col.header(language))
        cell.style = styles.HEADER
        _set_width(ws, c0 + j, col.width)
    ws.row_dimensions[r0].height = HEADER_ROW_HEIGHT
    col_styles = [styles.style_for_role(c.role) for c in cols]
    if table.kind == "keyvalue":
        col_styles = [styles.CALC, styles.CALC, styles.INPUT, styles.CALC, styles.INPUT]
    formats = [c.number_format for c in cols]
    kv_items = {c.key: c for c in table.items}
    displays = [
        c.validation is not None and c.validation.kind == "list" or c.dtype == "bool" for c in cols
    ]
    data = rows if rows else [[None] * len(cols)]
    skip_empty = [c.role == "calc" and table.kind == "long" and len(data) > 1 for c in cols]
    protos = [_style_array(ws, col_styles[j], formats[j]) for j in range(len(cols))]
    for i, row in enumerate(data):
        r = r0 + 1 + i
        item = kv_items.get(row[0]) if table.kind == "keyvalue" else None  # type: ignore[arg-type]
        for j, value in enumerate(row):
            proto = protos[j]
            if item is not None and cols[j].key == "value":
                value = display_value(value, item, language)
                proto = _style_array(ws, col_styles[j], item.number_format)
            elif displays[j]:
                value = display_value(value, cols[j], language)
            if value is None and skip_empty[j]:
                continue  # empty read-only cells need no cell at all (national tables are big)
            put_cell(ws, r, c0 + j, value, proto)
    xt = XlTable(displayName=table.key, ref=lay.ref)
    xt.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=False)
    ws.add_table(xt)
    if validate:
        if table.kind == "keyvalue":
            vcol = lay.letter("value")
            for i, row in enumerate(rows):
                item = kv_items.get(row[0])  # type: ignore[arg-type]
                if item is not None:
                    dv = _validation(item, language, f"{vcol}{lay.first_row + i}")
                    if dv is not None:
                        ws.add_data_validation(dv)
            dv = _validation(cols[-1], language, lay.span_range(cols[-1].key, absolute=False))
            if dv is not None:
                ws.add_data_validation(dv)
        else:
            for col in cols:
                if col.role == "calc":
                    continue
                dv = _validation(col, language, lay.span_range(col.key, absolute=False))
                if dv is not None:
                    ws.add_data_validation(dv)
    return lay


def print_setup(ws: Worksheet, landscape: bool = False, title_row: int | None = 4) -> None:
    """A4, fit to one page wide, header row repeated (shared by every workbook we write)."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"


# ----------------------------------------------------------------------------------------------
# The sheets
# ----------------------------------------------------------------------------------------------
def _write_lists(wb: Workbook, language: str) -> None:
    ws = new_sheet(wb, SHEETS["lists"], language)
    for key, cl in LISTS.items():
        col, r0, _ = list_layout(key)
        lst: ChoiceList = cl
        h = ws.cell(row=4, column=col, value=lst.label(language))
        h.style = styles.HEADER
        for i, choice in enumerate(lst.choices):
            ws.cell(row=r0 + i, column=col, value=choice.cell_value(language)).style = styles.CALC
        c = get_column_letter(col)
        xt = XlTable(displayName=lst.table, ref=f"{c}4:{c}{r0 + len(lst.choices) - 1}")
        xt.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=False)
        ws.add_table(xt)
        _set_width(ws, col, max(16, max(len(x) for x in lst.labels(language)) + 2))
        _set_width(ws, col + 1, 3)
    ws.row_dimensions[4].height = HEADER_ROW_HEIGHT
    ws.freeze_panes = "A5"
    print_setup(ws, landscape=True)


def _write_checks(wb: Workbook, language: str, nrows: dict[str, int]) -> str:
    ws = new_sheet(wb, SHEETS["checks"], language)
    ok, bad = ("OK", "FEIL") if language == "nb" else ("OK", "ERROR")
    lay = checks_layout()
    vcol, scol = lay.letter("value"), lay.letter("status")
    rows = []
    for i, chk in enumerate(CHECKS):
        r = lay.first_row + i
        rows.append([chk.id, chk.description(language), check_formula(chk, language, nrows),
                     f'=IF({vcol}{r}=0,"{ok}","{bad}")'])  # fmt: skip
    write_table(ws, CHECKS_TABLE, rows, language, validate=False)
    for i in range(len(rows)):
        ws[f"{vcol}{lay.first_row + i}"].number_format = "#,##0"
    master_row = lay.last_row + 2
    label = ws.cell(row=master_row, column=lay.col("description"), value=COVER_TEXT[language]["master"])
    label.style = styles.SUBTITLE
    master = ws.cell(row=master_row, column=lay.col("value"),
                     value=f"=SUM({vcol}{lay.first_row}:{vcol}{lay.last_row})")  # fmt: skip
    master.style = styles.CALC
    master.number_format = "#,##0"
    ws.cell(row=master_row, column=lay.col("status"), value=f'=IF({vcol}{master_row}=0,"{ok}","{bad}")').style = styles.CALC
    rng = f"{scol}{lay.first_row}:{scol}{master_row}"
    ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=[f'"{ok}"'], fill=PatternFill("solid", fgColor=styles.OK_FILL))
    )
    ws.conditional_formatting.add(
        rng, CellIsRule(operator="equal", formula=[f'"{bad}"'], fill=PatternFill("solid", fgColor=styles.ERROR_FILL))
    )
    ws.freeze_panes = "A5"
    print_setup(ws, landscape=True)
    return f"{quote_sheet(ws.title)}!${vcol}${master_row}"


def _write_cover(
    ws: Worksheet,
    language: str,
    meta: WorkbookMeta,
    prov_rows: list,
    created: str,
    sections: Sequence[tuple[str, Sequence[str]]] = (),
) -> None:
    t = COVER_TEXT[language]
    ws.column_dimensions["A"].width = 3
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 100
    ws.sheet_view.showGridLines = False
    title = str(t["title"]) + (f" – {meta.region_name}" if meta.region_name else "")
    ws["B1"] = title
    ws["B1"].style = styles.TITLE
    ws.row_dimensions[1].height = 24
    ws["B2"] = t["subtitle"]
    ws["B2"].style = styles.NOTE
    r = 4
    # status box: master check and versions
    ws.cell(row=r, column=2, value=t["master_short"]).style = styles.SUBTITLE
    c = ws.cell(row=r, column=3, value=f'=IF({MASTER_CHECK_NAME}=0,"{t["ok"]}","{t["not_ok"]}: "&{MASTER_CHECK_NAME})')
    c.style = styles.CALC
    c.font = Font(name="Calibri", size=11, bold=True)
    ws.conditional_formatting.add(
        f"C{r}", CellIsRule(operator="equal", formula=[f'"{t["ok"]}"'], fill=PatternFill("solid", fgColor=styles.OK_FILL))
    )
    ws.conditional_formatting.add(
        f"C{r}", CellIsRule(operator="notEqual", formula=[f'"{t["ok"]}"'], fill=PatternFill("solid", fgColor=styles.ERROR_FILL))
    )
    r += 2

    def heading(text: object) -> None:
        nonlocal r
        ws.cell(row=r, column=2, value=str(text)).style = styles.SUBTITLE
        r += 1

    def lines(items: object, bullet: str = "•") -> None:
        nonlocal r
        for line in items:  # type: ignore[attr-defined]
            ws.cell(row=r, column=2, value=f"{bullet} {line}" if bullet else line)
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
            r += 1
        r += 1

    for head, items in sections:  # caller's sections (e.g. municipality templates) come first
        heading(head)
        lines(items)
    heading(t["version_h"])
    for label, value in (
        (t["region"], meta.region_name or "–"),
        (t["template_version"], __version__),
        (t["engine_version"], __version__),
        (t["schema_version"], SCHEMA_VERSION),
        (t["created"], created),
    ):
        ws.cell(row=r, column=2, value=str(label))
        cell = ws.cell(row=r, column=3, value=value)
        cell.style = styles.CALC
        if label == t["schema_version"]:
            schema_cell = f"{quote_sheet(ws.title)}!$C${r}"
        r += 1
    r += 1
    heading(t["purpose_h"])
    lines(t["purpose"], "")
    heading(t["run_h"])
    lines(t["run"])
    heading(t["assumptions_h"])
    lines(t["assumptions"])
    heading(t["toc_h"])
    for sheet in sorted(INPUT_SHEETS, key=lambda s: s.order):
        if sheet.kind == "cover":
            continue
        name = sheet.label(language)
        cell = ws.cell(row=r, column=2, value=name)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quote_sheet(name)}!A1", display=name)
        cell.style = styles.LINK
        ws.cell(row=r, column=3, value=sheet.intro(language)).style = styles.NOTE
        r += 1
    r += 1
    heading(t["legend_h"])
    legend_style = {"input": styles.INPUT, "key": styles.KEY, "calc": styles.CALC, "output": styles.OUTPUT}
    sample = {"input": 1234, "key": "0301", "calc": 0.514, "output": 5678}
    for role, text in t["legend"]:  # type: ignore[attr-defined]
        s = ws.cell(row=r, column=2, value=sample[role])
        s.style = legend_style[role]
        ws.cell(row=r, column=3, value=text)
        r += 1
    r += 1
    heading(t["names_h"])
    lines(t["names"], "")
    # sources, licences and notes: a table, so the reader gets them back
    write_table(ws, TABLES["tblProvenance"], prov_rows, language, anchor=f"B{r + 1}")
    for i in range(max(1, len(prov_rows))):
        ws.cell(row=r + 2 + i, column=3).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 100
    print_setup(ws, title_row=None)
    ws.page_setup.fitToHeight = 0
    return schema_cell  # type: ignore[return-value]


def build_workbook(
    inputs: ProjectionInputs | None = None,
    *,
    language: str = "nb",
    meta: WorkbookMeta | None = None,
    cover_sections: Sequence[tuple[str, Sequence[str]]] = (),
    skip_sheets: Collection[str] = (),
) -> Workbook:
    """Build a REGBEF input workbook.

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
        Keys of input sheets (and ``'lists'``) NOT to build: the caller inserts its own
        identical copies (:mod:`regbef_excel.app.templates` reuses them across many workbooks).
        Default none: a complete workbook.

    Returns
    -------
    openpyxl.Workbook
        Not yet saved; use :func:`save_workbook`.
    """
    language = check_language(language)
    meta = meta or WorkbookMeta()
    if inputs is not None:
        inputs.validate()
    wb = Workbook()
    styles.register_styles(wb)
    rows = inputs_to_rows(inputs, meta, language)
    nrows = {k: len(v) for k, v in rows.items()}
    created = _dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")

    cover = new_sheet(wb, SHEETS["cover"], language, first=True)
    for sheet in sorted(INPUT_SHEETS, key=lambda s: s.order):
        if sheet.kind != "input" or sheet.key in skip_sheets:
            continue
        ws = new_sheet(wb, sheet, language)
        for tkey in sheet.tables:
            write_table(ws, table_for_rows(tkey, inputs), rows[tkey], language)
        ws.freeze_panes = "A5"
        wide = sum(len(TABLES[k].columns) for k in sheet.tables) > 8
        print_setup(ws, landscape=wide)
    master_ref = _write_checks(wb, language, nrows)
    if "lists" not in skip_sheets:
        _write_lists(wb, language)
    schema_ref = _write_cover(cover, language, meta, rows["tblProvenance"], created, cover_sections)

    wb.defined_names[MASTER_CHECK_NAME] = DefinedName(MASTER_CHECK_NAME, attr_text=master_ref)
    wb.defined_names[SCHEMA_VERSION_NAME] = DefinedName(SCHEMA_VERSION_NAME, attr_text=schema_ref)
    inputs_name = INPUTS_NAME[language]  # =REGBEF_RUN(Inndata): recalculates when an input changes
    input_sheets = [s.label(language) for s in INPUT_SHEETS if s.kind == "input"]
    wb.defined_names[inputs_name] = DefinedName(inputs_name, attr_text=inputs_name_formula(input_sheets))
    props = wb.properties
    props.title = COVER_TEXT[language]["title"] + (f" – {meta.region_name}" if meta.region_name else "")  # type: ignore[operator]
    props.creator = f"regbef_excel {__version__}"
    props.subject = meta.region_name or None
    props.keywords = f"REGBEF; schema {SCHEMA_VERSION}; template {__version__}"
    props.description = f"REGBEF workbook, template {__version__}, engine {__version__}, schema {SCHEMA_VERSION}"
    for name, value in (
        ("REGBEF_template_version", __version__),
        ("REGBEF_engine_version", __version__),
        ("REGBEF_schema_version", SCHEMA_VERSION),
        ("REGBEF_created", created),
        ("REGBEF_language", language),
    ):
        wb.custom_doc_props.append(StringProperty(name=name, value=value))
    return wb


def save_workbook(wb: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save ``wb`` atomically: write a temporary file beside ``path``, then ``os.replace``.

    On any failure the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix or ".xlsx", dir=path.parent)
    os.close(fd)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file normal permissions
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
