"""Long result tables: the first row written as cells, the rest streamed into the sheet's XML.

The single-age detail of a county projection is ~100 000 cells; written one by one through
XlsxWriter that is most of a run's writing time. So :class:`TableWriter` writes the first row of
a long table as ordinary cells (which gives each column its cell format) and keeps the rest as a
:class:`StreamedRows` block; after XlsxWriter has closed the workbook, :func:`stream_rows` copies
the package and appends the blocks' rows to their sheets' ``<sheetData>`` (ECMA-376 Part 1,
§18.3.1.73 ``row``, §18.3.1.4 ``c``), each cell with the format id of the cell above it. Numbers
are written with ``repr`` (shortest round-trip), text as inline strings (``t="inlineStr"``,
§18.3.1.53; text stays text whatever it starts with), formulas as ``<f>`` without a cached value
(the workbook asks for a full calculation on load). Short tables are all cells.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np

from regbef_excel.io.write.sheets import DECIMALS, Formula, XlsxSheet
from regbef_excel.io.write.styles import CellStyle
from regbef_excel.schema.layout import column_index, column_letter

#: Tables longer than this many rows are streamed.
STREAM_THRESHOLD_ROWS = 500


@dataclass
class RowFormula:
    """A formula column the program builds: ``template`` with ``{r}`` for the row (no '='), and
    the results it computed, one per row (cached in the cells, see :class:`Formula`)."""

    template: str
    values: Sequence[float]


Column = np.ndarray | Sequence[object] | RowFormula


@dataclass
class StreamedRows:
    """Rows of one sheet streamed into its XML after the workbook is written."""

    sheet_title: str
    first_row: int
    columns: list[Column]
    style_ids: list[int] | None = None  # filled from the row above the block

    @property
    def n_rows(self) -> int:
        for col in self.columns:
            if not isinstance(col, RowFormula):
                return len(col)
        raise ValueError("a table needs at least one data column")


class TableWriter:
    """Writes a column-oriented table (arrays, lists or formula templates) from a first row."""

    def __init__(self, ws: XlsxSheet, streamed: list[StreamedRows] | None) -> None:
        self.ws, self.streamed = ws, streamed

    def write(self, first_row: int, columns: list[Column], styles: list[CellStyle]) -> int:
        """Write the table from ``first_row``; return the row after it."""
        prepared = [prepare(c) for c in columns]
        n = StreamedRows(self.ws.title, first_row, prepared).n_rows
        n_cells = n if self.streamed is None or n <= STREAM_THRESHOLD_ROWS else 1
        for j, (col, style) in enumerate(zip(prepared, styles, strict=True)):
            if isinstance(col, RowFormula):
                for i in range(n_cells):
                    self.ws.put(first_row + i, j + 1, Formula(col.template.format(r=first_row + i), col.values[i]),
                                style)  # fmt: skip
            else:
                self.ws.put_column(first_row, j + 1, col[:n_cells], style)
                self.ws.measure(j + 1, col[n_cells:], style)
        if n_cells < n:
            rest = [RowFormula(c.template, c.values[n_cells:]) if isinstance(c, RowFormula) else c[n_cells:]
                    for c in prepared]  # fmt: skip
            self.streamed.append(StreamedRows(self.ws.title, first_row + n_cells, rest))
        return first_row + n


def prepare(col: Column) -> Column:
    """A column as a Python list (floats rounded to :data:`DECIMALS`), or the formula as is."""
    if isinstance(col, RowFormula):
        return RowFormula(col.template, prepare(np.asarray(col.values, dtype=float)))
    if isinstance(col, np.ndarray):
        if col.dtype.kind == "f":
            rounded = np.round(col, DECIMALS)
            if np.isfinite(rounded).all():
                return rounded.tolist()
            return [v if math.isfinite(v) else None for v in rounded.tolist()]  # blank, as put() writes it
        return col.tolist()
    return list(col)


# --------------------------------------------------------------------------- the XML
_XML_CONTROL = {"\r": "&#13;"}  # CR would be normalised to LF by an XML parser
_ROW_RE = re.compile(rb'<row r="(\d+)"[^>]*>(.*?)</row>', re.S)
_CELL_S_RE = re.compile(rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?')
_SHEET_RE = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL_RE = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"')


def _cells_template(block: StreamedRows) -> str:
    """A ``str.format`` template for the cells of one row: ``{r}`` is the row, ``{0}``… the cell
    contents (a formula column takes two: the formula and its computed value)."""
    parts, k = [], 0
    for j, col in enumerate(block.columns):
        letter, s = column_letter(j + 1), block.style_ids[j]
        if isinstance(col, RowFormula):
            parts.append(f'<c r="{letter}{{r}}" s="{s}"><f>{{{k}}}</f><v>{{{k + 1}!r}}</v></c>')
            k += 2
        elif col and isinstance(col[0], str):
            parts.append(f'<c r="{letter}{{r}}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{{{k}}}</t></is></c>')
            k += 1
        elif _has_blanks(col):  # the whole cell per row: a blank one keeps only its format
            parts.append(f"{{{k}}}")
            k += 1
        else:
            parts.append(f'<c r="{letter}{{r}}" s="{s}"><v>{{{k}!r}}</v></c>')
            k += 1
    return "".join(parts)


def _has_blanks(col: Column) -> bool:
    """A number column with blank cells (``None``: e.g. a zone without observed history)."""
    return not isinstance(col, RowFormula) and not (col and isinstance(col[0], str)) and any(v is None for v in col)


def _rows_xml(block: StreamedRows, beside: dict[int, tuple[bytes, bytes]], chunk: int = 2000) -> Iterator[bytes]:
    """The block's rows; a row in ``beside`` (row → its attributes and cells, all to the right of
    the block) is written once, with the block's cells first."""
    tmpl = _cells_template(block)
    cols: list[list[object] | None] = []
    for j, col in enumerate(block.columns):
        if isinstance(col, RowFormula):
            cols.append(None)
        elif col and isinstance(col[0], str):
            cols.append([escape(v, _XML_CONTROL) for v in col])
        elif _has_blanks(col):
            letter, s = column_letter(j + 1), block.style_ids[j]
            cols.append([f'<c r="{letter}{block.first_row + i}" s="{s}"/>' if v is None else
                         f'<c r="{letter}{block.first_row + i}" s="{s}"><v>{v!r}</v></c>' for i, v in enumerate(col)])
        else:
            cols.append(col)
    n = block.n_rows
    for start in range(0, n, chunk):
        out = []
        for i in range(start, min(n, start + chunk)):
            r = block.first_row + i
            vals: list[object] = []
            for c, col in zip(block.columns, cols, strict=True):
                if col is None:
                    vals += [escape(c.template.format(r=r)), c.values[i]]
                else:
                    vals.append(col[i])
            cells = tmpl.format(*vals, r=r)
            if r in beside:  # its column span grows to the block's cells: leave the optional hint out
                attrs, more = beside.pop(r)
                attrs = _SPANS_RE.sub(b"", attrs)
                out.append(f'<row r="{r}"{attrs.decode()}>{cells}{more.decode()}</row>')
            else:
                out.append(f'<row r="{r}">{cells}</row>')
        yield "".join(out).encode("utf-8")


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → zip member of its XML (XlsxWriter's workbook: targets relative to xl/)."""
    rels = dict(_REL_RE.findall(zf.read("xl/_rels/workbook.xml.rels")))
    out = {}
    for name, rid in _SHEET_RE.findall(zf.read("xl/workbook.xml")):
        title = name.decode().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
        target = rels[rid].decode().lstrip("/")
        out[title] = target if target.startswith("xl/") else "xl/" + target
    return out


def finisher(blocks: list[StreamedRows]) -> Callable[[str, bytes], bytes]:
    """For :func:`regbef_excel.io.write.splice.splice_sheets`: a sheet's XML with its blocks'
    rows in place (sheets without blocks unchanged)."""
    by_title: dict[str, list[StreamedRows]] = {}
    for b in blocks:
        by_title.setdefault(b.sheet_title, []).append(b)

    def finish(title: str, data: bytes) -> bytes:
        return _with_blocks(data, by_title[title]) if title in by_title else data

    return finish


def stream_rows(package: bytes, blocks: list[StreamedRows]) -> bytes:
    """The workbook ``package`` with each block's rows appended to its sheet's data."""
    if not blocks:
        return package
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        paths = _sheet_members(zin)
        by_member: dict[str, list[StreamedRows]] = {}
        for b in blocks:
            by_member.setdefault(paths[b.sheet_title], []).append(b)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename in by_member:
                    data = _with_blocks(data, by_member[info.filename])
                zout.writestr(info.filename, data)
    return out.getvalue()


_SPANS_RE = re.compile(rb'\sspans="[^"]*"')
_ROW_OPEN_RE = re.compile(rb'<row r="(\d+)"([^>]*?)(/?)>')
_CELL_COL_RE = re.compile(rb'<c r="([A-Z]+)\d+"')


def _with_blocks(data: bytes, blocks: list[StreamedRows]) -> bytes:
    """The sheet XML with the blocks' rows in place. Rows the workbook already holds at or below a
    block's first row (a helper list beside a long table) keep their cells, which must lie to the
    right of the block; every row is written once, in order."""
    blocks = sorted(blocks, key=lambda b: b.first_row)
    end = data.index(b"</sheetData>")
    first = blocks[0].first_row
    cut = end
    for m in _ROW_OPEN_RE.finditer(data, 0, end):
        if int(m.group(1)) >= first:
            cut = m.start()
            break
    head, later, tail = data[:cut], data[cut:end], data[end:]
    rows = {int(m.group(1)): m.group(2) for m in _ROW_RE.finditer(head)}
    beside: dict[int, tuple[bytes, bytes]] = {}
    pos = 0
    while pos < len(later):
        m = _ROW_OPEN_RE.match(later, pos)
        if m is None:
            raise RuntimeError("unexpected sheet XML after the streamed table's first row")
        if m.group(3):  # an empty row: <row .../>
            beside[int(m.group(1))] = (m.group(2), b"")
            pos = m.end()
            continue
        close = later.index(b"</row>", m.end())
        beside[int(m.group(1))] = (m.group(2), later[m.end():close])
        pos = close + len(b"</row>")
    for b in blocks:
        width = len(b.columns)
        for r in range(b.first_row, b.first_row + b.n_rows):
            if r in beside and any(column_index(c.decode()) <= width for c in _CELL_COL_RE.findall(beside[r][1])):
                raise RuntimeError(f"streamed rows of {b.sheet_title!r} overlap cells already written (row {r})")
        template_row = rows.get(b.first_row - 1, b"")
        ids = {m.group(1).decode(): int(m.group(2) or 0) for m in _CELL_S_RE.finditer(template_row)}
        b.style_ids = [ids.get(column_letter(j + 1), 0) for j in range(width)]
    last = max([b.first_row + b.n_rows - 1 for b in blocks] + list(beside))
    max_col = column_letter(max(len(b.columns) for b in blocks)).encode()
    head = re.sub(
        rb'<dimension ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/>',
        lambda m: b'<dimension ref="%s%s:%s%d"/>' % (m.group(1), m.group(2), max(m.group(3), max_col, key=_col_key),
                                                     max(last, int(m.group(4)))),
        head, count=1)  # fmt: skip
    parts = [head]
    for b in blocks:
        for r in sorted(k for k in beside if k < b.first_row):  # rows between blocks, in order
            attrs, cells = beside.pop(r)
            parts.append(b'<row r="%d"%s>%s</row>' % (r, attrs, cells))
        parts.extend(_rows_xml(b, beside))
    for r in sorted(beside):
        attrs, cells = beside.pop(r)
        parts.append(b'<row r="%d"%s>%s</row>' % (r, attrs, cells))
    parts.append(tail)
    return b"".join(parts)


def _col_key(letters: bytes) -> tuple[int, bytes]:
    return (len(letters), letters)


__all__ = ["STREAM_THRESHOLD_ROWS", "Column", "RowFormula", "StreamedRows", "TableWriter", "finisher", "prepare",
           "stream_rows"]
