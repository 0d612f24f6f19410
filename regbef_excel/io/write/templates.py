"""Writing distributable template workbooks fast (openpyxl): the ``xlwings.conf`` sheet,
document properties, and saving many one-zone templates that share most of their sheets.

Every process builds its first template completely and keeps it as a prototype
(:class:`TemplatePrototype`); later ones are built without :data:`REUSED_SHEETS` and completed
with the prototype's sheets (style tables merged, style references renumbered).
:func:`save_fast` writes the cacheable sheets' XML once per process and reuses it (shared strings
and cell styles seeded so every index means the same), keeps sheet XML in memory and deflates at
level 1. The use case that plans and runs the templates is :mod:`regbef_excel.app.templates`.
"""

from __future__ import annotations

import copy
import io
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.packaging.custom import StringProperty
from openpyxl.packaging.relationship import get_rels_path
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import tostring

from regbef_excel.io.write import styles
from regbef_excel.schema.inputs import SHEETS
from regbef_excel.schema.udfs import UDF_MODULE, XLWINGS_CONF_ROWS


def conf_rows() -> tuple[tuple[str, str], ...]:
    """``xlwings.conf`` rows of a template: the add-in's settings plus ``UDF Modules``.

    Interpreter keys are NOT written: an empty value would override the user's
    ``~/.xlwings/xlwings.conf``; they are shown as inactive examples beside the table.
    """
    rows = dict(XLWINGS_CONF_ROWS)
    rows.setdefault("UDF Modules", UDF_MODULE)
    return tuple(rows.items())


_CONF_NOTES = {
    "nb": (
        "xlwings-innstillinger for REGBEF-tillegget: nøkkel i kolonne A, verdi i kolonne B, "
        "ingen tomme rader (xlwings leser til første tomme celle i kolonne A).",
        "Excel finner som regel Python selv. Hvis ikke: legg til en rad under tabellen til "
        "venstre med en av nøklene nedenfor og din egen sti. Ikke la en nøkkel stå med tom verdi.",
        "Finn stien med «where pythonw» (Windows) eller «which python3» (macOS). "
        "Se docs/brukerveiledning.md del 2.",
    ),
    "en": (
        "xlwings settings for the REGBEF add-in: key in column A, value in column B, no blank "
        "rows (xlwings reads down to the first empty cell of column A).",
        "Excel usually finds Python by itself. If not: add a row below the table on the left "
        "with one of the keys below and your own path. Never leave a key with an empty value.",
        "Find the path with “where pythonw” (Windows) or “which python3” (macOS). "
        "See docs/excel-setup.md.",
    ),
}


_CONF_EXAMPLES = (
    ("Interpreter_Win", r"C:\Users\<me>\AppData\Local\Programs\Python\Python312\pythonw.exe"),
    ("Interpreter_Mac", "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3"),
    ("PYTHONPATH", r"C:\regbef\extra-modules"),
    ("Conda Path", r"C:\Users\<me>\miniconda3"),
    ("Conda Env", "regbef"),
)


def add_xlwings_conf(wb, language: str = "nb") -> None:  # noqa: ANN001 - openpyxl Workbook
    """Append the ``xlwings.conf`` sheet: active keys in A/B, notes and examples from D."""
    ws = wb.create_sheet("xlwings.conf")
    for r, (k, v) in enumerate(conf_rows(), start=1):
        ws.cell(row=r, column=1, value=k)
        ws.cell(row=r, column=2, value=v)
    grey = Font(italic=True, color="595959")
    notes = _CONF_NOTES["en" if language == "en" else "nb"]
    for i, text in enumerate(notes, start=1):
        ws.cell(row=i, column=4, value=text).font = grey
    r0 = len(notes) + 2
    en = language == "en"
    head = ("Examples (inactive)", "Value") if en else ("Eksempler (inaktive)", "Verdi")
    ws.cell(row=r0, column=4, value=head[0]).style = styles.HEADER
    ws.cell(row=r0, column=5, value=head[1]).style = styles.HEADER
    for i, (k, v) in enumerate(_CONF_EXAMPLES, start=r0 + 1):
        ws.cell(row=i, column=4, value=k).font = grey
        ws.cell(row=i, column=5, value=v).font = grey
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 3
    ws.column_dimensions["D"].width = 22
    ws.column_dimensions["E"].width = 70


#: Sheets whose content does not depend on the municipality in one-zone templates (national
#: schedules, empty market-model tables, lists). Not "distances": its columns are the zone codes.
#: ``tests/test_templates.py`` compares reused and freshly built workbooks cell by cell.
CACHEABLE_SHEETS = (
    "fertility", "mortality", "targets", "labour", "housing", "housing_market", "history", "lists",
)  # fmt: skip


@dataclass
class _CachedSheet:
    worksheet: object
    signature: tuple
    xml: bytes
    tables: list[tuple[int, bytes]]
    rels: bytes | None


@dataclass
class _SaveCache:
    """Per process and language: the first template's cacheable sheets as written XML, and the
    shared-string and cell-style tables every later template is seeded with (so that the
    indices inside that XML mean the same in every file)."""

    titles: frozenset[str]
    strings: list[str] | None = None
    cell_styles: list | None = None
    style_parts: tuple | None = None
    sheets: dict[str, _CachedSheet] = field(default_factory=dict)
    hits: int = 0


SAVE_CACHES: dict[str, _SaveCache] = {}


def _cacheable_titles(language: str) -> frozenset[str]:
    return frozenset([*(SHEETS[k].label(language) for k in CACHEABLE_SHEETS), "xlwings.conf"])


def _sheet_signature(ws) -> tuple:  # noqa: ANN001 - openpyxl Worksheet
    """Everything of a sheet that reaches its XML and may differ between templates."""
    cells = tuple(
        (k, c._value, c.data_type, tuple(c._style or ()), c.hyperlink is not None)
        for k, c in sorted(ws._cells.items())
    )
    dvs = tuple(
        (str(d.sqref), d.type, d.operator, d.formula1, d.formula2, d.prompt, d.error)
        for d in ws.data_validations.dataValidation
    )
    return (
        ws.title, cells, dvs, tuple(str(r) for r in ws.merged_cells.ranges),
        tuple((t.displayName, t.ref) for t in ws._tables.values()), ws.freeze_panes,
        ws.print_title_rows,
        tuple((k, d.width) for k, d in ws.column_dimensions.items()),
        tuple((k, d.height) for k, d in ws.row_dimensions.items()),
        len(ws.conditional_formatting), ws.page_setup.orientation,
    )  # fmt: skip


def _style_parts(wb) -> tuple:  # noqa: ANN001
    """The style tables a cell style array indexes into (must match to reuse XML)."""
    return (
        repr(list(wb._fonts)), repr(list(wb._fills)), repr(list(wb._borders)),
        tuple(wb._number_formats), repr(list(wb._alignments)), repr(list(wb._protections)),
        tuple(s.name for s in wb._named_styles),
    )  # fmt: skip


def _has_extras(wb) -> bool:  # noqa: ANN001
    return any(
        ws._charts or ws._images or ws._comments or ws._pivots or ws.legacy_drawing
        for ws in wb.worksheets
    )


def _make_writer(cache: _SaveCache | None, record: bool):  # noqa: ANN202

    class TemplateWriter(ExcelWriter):
        """openpyxl's writer for sheets without drawings: sheet XML in memory (no temporary
        files), and the XML of unchanged cacheable sheets reused."""

        def _write_worksheets(self) -> None:
            for idx, ws in enumerate(self.workbook.worksheets, 1):
                ws._id = idx
                cacheable = cache is not None and ws.title in cache.titles
                hit = cache.sheets.get(ws.title) if cacheable else None
                sig = None
                if cacheable and (hit is None or hit.worksheet is not ws):
                    sig = _sheet_signature(ws)  # the same object needs no comparison
                tables = list(ws._tables.values())
                first_id = len(self._tables) + 1
                ids = list(range(first_id, first_id + len(tables)))
                if (hit is not None and (hit.worksheet is ws or hit.signature == sig)
                        and [i for i, _ in hit.tables] == ids):  # fmt: skip
                    self._archive.writestr(ws.path[1:], hit.xml)
                    self.manifest.append(ws)
                    for t, (_, txml) in zip(tables, hit.tables, strict=True):
                        self._tables.append(t)
                        t.id = len(self._tables)
                        self._archive.writestr(t.path[1:], txml)
                        self.manifest.append(t)
                    if hit.rels is not None:
                        self._archive.writestr(get_rels_path(ws.path)[1:], hit.rels)
                    cache.hits += 1
                    continue
                buf = io.BytesIO()
                writer = WorksheetWriter(ws, out=buf)
                writer.write()
                ws._rels = writer._rels
                xml = buf.getvalue()
                self._archive.writestr(ws.path[1:], xml)
                self.manifest.append(ws)
                recorded = []
                for t in tables:
                    self._tables.append(t)
                    t.id = len(self._tables)
                    txml = tostring(t.to_tree())
                    self._archive.writestr(t.path[1:], txml)
                    self.manifest.append(t)
                    ws._rels.get(t._rel_id).Target = t.path
                    recorded.append((t.id, txml))
                rels = tostring(ws._rels.to_tree()) if ws._rels else None
                if rels is not None:
                    self._archive.writestr(get_rels_path(ws.path)[1:], rels)
                if record and cacheable and not ws.conditional_formatting:
                    cache.sheets[ws.title] = _CachedSheet(ws, sig, xml, recorded, rels)

    return TemplateWriter


def save_fast(wb, path: str | os.PathLike[str], language: str | None = None) -> None:  # noqa: ANN001
    """Save a template: ``wb.save(path)`` with zlib level 1, sheet XML written in memory and,
    with ``language``, the XML of cacheable sheets reused from the first template saved by this
    process when the sheet is unchanged (:data:`CACHEABLE_SHEETS`).

    Reuse is exact: the shared strings and cell styles are seeded with the first template's
    tables, so the indices in the reused XML mean the same; a sheet is reused only if its cells,
    styles, validations, tables and dimensions equal the first template's, and only if the
    style tables themselves are equal. ``tests/test_templates.py`` compares the parts with a
    plain save. Not atomic: used inside the staging folder.
    """
    cache = None
    record = False
    if language is not None and not _has_extras(wb):
        cache = SAVE_CACHES.setdefault(language, _SaveCache(_cacheable_titles(language)))
        parts = _style_parts(wb)
        if cache.strings is None:  # the first template of this process: record
            strings = [
                c._value for ws in wb.worksheets if ws.title in cache.titles
                for _, c in sorted(ws._cells.items()) if c.data_type == "s"
            ]  # fmt: skip
            cache.strings = list(dict.fromkeys(strings))
            cache.style_parts = parts
            record = True
            if len(wb.shared_strings) == 0:
                wb.shared_strings = IndexedList(cache.strings)
        elif (parts == cache.style_parts and len(wb.shared_strings) == 0
              and list(wb._cell_styles) == cache.cell_styles[: len(wb._cell_styles)]):  # fmt: skip
            wb.shared_strings = IndexedList(cache.strings)
            wb._cell_styles = IndexedList(cache.cell_styles)
        else:
            cache = None  # style tables differ: write every sheet
    writer_cls = _make_writer(cache, record)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as zf:
        writer_cls(wb, zf).save()
    if record and cache is not None:
        cache.cell_styles = list(wb._cell_styles)


#: Sheets a process builds once (for its first template) and inserts into every later one.
REUSED_SHEETS = (*CACHEABLE_SHEETS, "xlwings.conf")


_STYLE_TABLES = ("_fonts", "_fills", "_borders", "_protections", "_alignments")


@dataclass
class TemplatePrototype:
    """The first template a process built: its reusable sheets and its style tables."""

    titles: list[str]
    sheets: dict[str, object]
    keys: tuple[str, ...]
    tables: dict[str, list]
    number_formats: list[str]
    named_styles: list[str]
    cell_styles: list

    @classmethod
    def of(cls, wb, language: str, own: set[str]) -> TemplatePrototype:  # noqa: ANN001
        """``own``: the template's zone codes and names, which no reused sheet may contain."""
        keep = _cacheable_titles(language)

        def zone_free(ws) -> bool:  # noqa: ANN001 - a guard: no zone code or name anywhere
            cols = {c.name for t in ws._tables.values() for c in t.tableColumns}
            return not (own & cols) and not any(
                isinstance(c._value, str) and c._value in own for c in ws._cells.values()
            )

        sheets = {ws.title: ws for ws in wb.worksheets if ws.title in keep and zone_free(ws)}
        label = {k: SHEETS[k].label(language) if k in SHEETS else k for k in REUSED_SHEETS}
        return cls(
            titles=[ws.title for ws in wb.worksheets],
            sheets=sheets,
            keys=tuple(k for k in REUSED_SHEETS if label[k] in sheets),
            tables={name: list(getattr(wb, name)) for name in _STYLE_TABLES},
            number_formats=list(wb._number_formats),
            named_styles=[st.name for st in wb._named_styles],
            cell_styles=list(wb._cell_styles),
        )

    def adopt(self, wb) -> bool:  # noqa: ANN001
        """Complete ``wb`` (built without the reusable sheets) with the prototype's sheets.

        The style tables of ``wb`` become the prototype's (extended by anything new), and the
        style arrays of ``wb``'s own cells are renumbered accordingly, so the reused sheets'
        style references stay valid. Returns False (``wb`` unchanged) if the named styles
        differ or the sheets do not line up.
        """
        own = {ws.title: ws for ws in wb.worksheets}
        if [st.name for st in wb._named_styles] != self.named_styles:
            return False
        if set(own) | set(self.sheets) != set(self.titles) or set(own) & set(self.sheets):
            return False
        new_tables = {}
        maps = []
        for name in _STYLE_TABLES:
            table = IndexedList(self.tables[name])
            maps.append([table.add(item) for item in getattr(wb, name)])
            new_tables[name] = table
        fmts = IndexedList(self.number_formats)
        fmt_map = {164 + i: 164 + fmts.add(f) for i, f in enumerate(wb._number_formats)}
        font, fill, border, prot, align = maps
        memo: dict[tuple, StyleArray] = {}

        def remap(arr: StyleArray) -> StyleArray:
            key = tuple(arr)
            got = memo.get(key)
            if got is None:
                f, fi, b, n, p, a, pb, qp, xf = key
                got = memo[key] = StyleArray(
                    [font[f], fill[fi], border[b], fmt_map.get(n, n), prot[p], align[a], pb, qp, xf]
                )
            return got

        for ws in own.values():
            for c in ws._cells.values():
                if getattr(c, "_style", None) is not None:
                    c._style = copy.copy(remap(c._style))
            for dims in (ws.column_dimensions, ws.row_dimensions):
                for d in dims.values():
                    if getattr(d, "_style", None) is not None:
                        d._style = copy.copy(remap(d._style))
        for name, table in new_tables.items():
            setattr(wb, name, table)
        wb._number_formats = fmts
        wb._cell_styles = IndexedList(self.cell_styles)
        sheets = []
        for title in self.titles:
            ws = own.get(title) or self.sheets[title]
            ws._parent = wb
            sheets.append(ws)
        wb._sheets = sheets
        return True


PROTOTYPES: dict[str, TemplatePrototype] = {}


def add_template_properties(wb, *, category: str, keywords: str, custom: Sequence[tuple[str, str]]) -> None:  # noqa: ANN001
    """Set the template's category, append ``keywords`` and add custom string properties."""
    props = wb.properties
    props.category = category
    props.keywords = f"{props.keywords}; {keywords}"
    for name, value in custom:
        wb.custom_doc_props.append(StringProperty(name=name, value=value))


def clear_template_caches() -> None:
    """Forget this process's saved-sheet caches and prototypes (before forking, after a run)."""
    SAVE_CACHES.clear()
    PROTOTYPES.clear()
