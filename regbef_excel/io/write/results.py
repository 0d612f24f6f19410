"""Write a projection's results as formatted output sheets with native charts.

Decision: the results of ``run`` and ``demo`` are written into a **copy of the planner's input
workbook** (for ``demo``, of the generated template), so that the results file still holds the
input sheets and re-validates. That is the one case where sheets are added to an existing
workbook, so this module uses openpyxl, through the public-API adapter
:class:`regbef_excel.io.write.sheets.OpenpyxlSheet` (no private openpyxl names); every other new
workbook is written with XlsxWriter.

Two entry points:

* :func:`add_output_sheets` adds (or replaces) the output sheets (named in
  :mod:`regbef_excel.schema.outputs`) in an openpyxl workbook that may already hold the input
  sheets;
* :func:`write_results` writes a **new** file atomically (temporary file in the target
  directory, then ``os.replace``) and never the input file. It streams the bulk of the long
  tables straight into the saved sheet XML (:class:`_BulkRows`), which is many times faster than
  openpyxl cells: openpyxl writes the first row of each long table and saves, then the remaining
  rows are inserted into that sheet's XML, reusing the style ids openpyxl gave the first row
  (strings as inline strings, so text stays text), so both routes produce the same sheets.

Layout of every sheet: title in row 1, unit line in row 2, header row 4, data from row 5,
frozen below the header and right of the label columns, landscape, fit to one page wide.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.engine.results import SERVICE_AGE_GROUPS, Projection
from regbef_excel.files import file_sha256
from regbef_excel.files import same_file as _same_file
from regbef_excel.io.write import charts
from regbef_excel.io.write.markets import add_market_sheets
from regbef_excel.io.write.sheets import (
    DECIMALS,
    HEADER,
    HELPER_TITLE,
    LEFT,
    WRAP_TOP,
    CellStyle,
    Formula,
    OpenpyxlSheet,
    cols_for_cm,
    data_style,
    freeze_labels,
    new_sheet,
    rows_for_cm,
    set_widths,
    write_headers,
    write_title,
    zone_arrays,
)
from regbef_excel.schema import outputs as S

#: Tables longer than this many rows are streamed by :func:`write_results`.
BULK_THRESHOLD_ROWS = 500
#: How many of the largest zones the population chart shows when there are many zones.
MAX_ZONES_IN_CHART = 8

# --------------------------------------------------------------------------- bulk rows
@dataclass
class _Formula:
    """A formula column the program builds: ``template`` with ``{r}`` for the row (no '=')."""

    template: str


Column = np.ndarray | Sequence[object] | _Formula


@dataclass
class _BulkRows:
    """Rows of one sheet streamed into its XML after openpyxl has saved the workbook."""

    sheet_title: str
    first_row: int
    columns: list[Column]
    style_ids: list[int] | None = None  # filled from the last openpyxl-written row

    @property
    def n_rows(self) -> int:
        for col in self.columns:
            if not isinstance(col, _Formula):
                return len(col)
        raise ValueError("a bulk block needs at least one data column")


class _TableWriter:
    """Writes a column-oriented table, either as cells or (for long tables) partly streamed."""

    def __init__(self, ws: OpenpyxlSheet, bulk: list[_BulkRows] | None) -> None:
        self.ws, self.bulk = ws, bulk

    def write(self, first_row: int, columns: list[Column], styles: list[CellStyle]) -> int:
        """Write the table from ``first_row``; return the row after it."""
        n = _BulkRows(self.ws.title, first_row, columns).n_rows
        n_cells = n if self.bulk is None or n <= BULK_THRESHOLD_ROWS else 1
        prepared = [_prepare(c) for c in columns]
        for i in range(n_cells):
            r = first_row + i
            for j, (col, style) in enumerate(zip(prepared, styles, strict=True)):
                value = Formula(col.template.format(r=r)) if isinstance(col, _Formula) else col[i]
                self.ws.put(r, j + 1, value, style)
        if n_cells < n:
            rest = [c if isinstance(c, _Formula) else c[n_cells:] for c in prepared]
            self.bulk.append(_BulkRows(self.ws.title, first_row + n_cells, rest))
        return first_row + n


def _prepare(col: Column) -> Column:
    if isinstance(col, _Formula):
        return col
    if isinstance(col, np.ndarray):
        if col.dtype.kind == "f":
            return np.round(col, DECIMALS).tolist()
        return col.tolist()
    return list(col)


def _row_xml_template(first_col_letters: list[str], block: _BulkRows) -> str:
    """A ``str.format`` template for one row: ``{r}`` is the row, ``{0}``… the cell contents."""
    parts = ['<row r="{r}">']
    for j, (letter, col) in enumerate(zip(first_col_letters, block.columns, strict=True)):
        s = block.style_ids[j]
        if isinstance(col, _Formula):
            parts.append(f'<c r="{letter}{{r}}" s="{s}"><f>{{{j}}}</f></c>')
        elif col and isinstance(col[0], str):
            parts.append(f'<c r="{letter}{{r}}" s="{s}" t="inlineStr"><is><t>{{{j}}}</t></is></c>')
        else:
            parts.append(f'<c r="{letter}{{r}}" s="{s}"><v>{{{j}!r}}</v></c>')
    parts.append("</row>")
    return "".join(parts)


def _bulk_xml(block: _BulkRows, chunk: int = 2000) -> Iterator[bytes]:
    letters = [get_column_letter(j + 1) for j in range(len(block.columns))]
    tmpl = _row_xml_template(letters, block)
    cols: list[list[object] | None] = []
    for col in block.columns:
        if isinstance(col, _Formula):
            cols.append(None)
        elif col and isinstance(col[0], str):
            cols.append([escape(v, _XML_CONTROL) for v in col])
        else:
            cols.append(col)
    n = block.n_rows
    for start in range(0, n, chunk):
        out = []
        for i in range(start, min(n, start + chunk)):
            r = block.first_row + i
            vals = [
                escape(c.template.format(r=r)) if col is None else col[i]
                for c, col in zip(block.columns, cols, strict=True)
            ]
            out.append(tmpl.format(*vals, r=r))
        yield "".join(out).encode("utf-8")


#: Characters an XML parser would not keep verbatim in text (CR is normalised to LF).
_XML_CONTROL = {"\r": "&#13;"}
_ROW_RE = re.compile(rb'<row r="(\d+)"[^>]*>(.*?)</row>', re.S)
_CELL_S_RE = re.compile(rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?')


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> zip member of its XML, from the workbook part and its relationships."""
    wb_xml = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {i: t for t, i in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    out = {}
    for attrs in re.findall(r"<sheet ([^>]*)/>", wb_xml):
        name = re.search(r'name="([^"]*)"', attrs).group(1)
        rid = re.search(r'r:id="([^"]*)"|id="([^"]*)"', attrs)
        rid = rid.group(1) or rid.group(2)
        target = targets[rid].lstrip("/")
        out[_unescape(name)] = target if target.startswith("xl/") else "xl/" + target
    return out


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _inject_bulk(src: Path, dst: Path, blocks: list[_BulkRows]) -> None:
    """Copy the zip ``src`` to ``dst`` with each block's rows appended to its sheet's data."""
    with zipfile.ZipFile(src) as zin:
        paths = _sheet_paths(zin)
        by_member: dict[str, list[_BulkRows]] = {}
        for b in blocks:
            by_member.setdefault(paths[b.sheet_title], []).append(b)
        # level 1: the streamed sheets are large and deflate is the slowest step at 6
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename not in by_member:
                    zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                    continue
                zinfo = zipfile.ZipInfo(info.filename, info.date_time)
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(zinfo, "w", force_zip64=True) as fh:
                    _write_sheet_with_blocks(fh, data, by_member[info.filename])


def _write_sheet_with_blocks(fh, data: bytes, blocks: list[_BulkRows]) -> None:
    blocks = sorted(blocks, key=lambda b: b.first_row)
    end = data.index(b"</sheetData>")
    head, tail = data[:end], data[end:]
    rows = {int(m.group(1)): m.group(2) for m in _ROW_RE.finditer(head)}
    last_row = max(rows) if rows else 0
    for b in blocks:
        if b.first_row <= last_row:
            raise RuntimeError(f"bulk rows of {b.sheet_title!r} overlap cells written by openpyxl")
        template_row = rows.get(b.first_row - 1, b"")
        ids = {m.group(1).decode(): int(m.group(2) or 0) for m in _CELL_S_RE.finditer(template_row)}
        b.style_ids = [ids.get(get_column_letter(j + 1), 0) for j in range(len(b.columns))]
    last = max(b.first_row + b.n_rows - 1 for b in blocks)
    max_col = max(len(b.columns) for b in blocks)
    head = re.sub(
        rb'<dimension ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/>',
        lambda m: b'<dimension ref="%s%s:%s%d"/>'
        % (m.group(1), m.group(2), max(m.group(3), get_column_letter(max_col).encode(), key=_col_key), last),
        head,
        count=1,
    )
    fh.write(head)
    for b in blocks:
        for chunk in _bulk_xml(b):
            fh.write(chunk)
    fh.write(tail)


def _col_key(letters: bytes) -> tuple[int, bytes]:
    return (len(letters), letters)


# --------------------------------------------------------------------------- the sheets
def _population_summary(wb: Workbook, p: Projection, lang: str, tw_bulk) -> OpenpyxlSheet:
    sheet = S.POPULATION_SUMMARY
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    codes, names = zone_arrays(p)
    tot = p.population.sum(axis=(2, 3)).T  # (K, T+1)
    K, Y = tot.shape
    write_title(st, sheet, lang)
    change = S.SUMMARY_CHANGE.label.format(lang, first=years[0], last=years[-1])
    write_headers(st, [*sheet.headers(lang), *years, change, S.SUMMARY_CHANGE_PCT.label.get(lang)])
    nl = len(sheet.columns)
    first_year_col, last_year_col = nl + 1, nl + Y
    fy, ly = get_column_letter(first_year_col), get_column_letter(last_year_col)
    cols: list[Column] = [codes, names, *[tot[:, i] for i in range(Y)]]
    cols += [_Formula(f"{ly}{{r}}-{fy}{{r}}"), _Formula(f"IF({fy}{{r}}=0,0,{ly}{{r}}/{fy}{{r}}-1)")]
    styles = [data_style(S.FMT_TEXT)] * 2 + [data_style(S.FMT_PERSONS)] * Y
    styles += [data_style(S.FMT_SIGNED_PERSONS), data_style(S.FMT_PERCENT)]
    first = S.FIRST_DATA_ROW
    total_row = _TableWriter(st, tw_bulk).write(first, cols, styles)
    # region total: SUM formulas keep the sheet live if a planner edits or filters nothing else
    region = tot.sum(axis=0)
    st.put(total_row, 1, "", data_style(S.FMT_TEXT, total=True))
    st.put(total_row, 2, S.REGION.get(lang), data_style(S.FMT_TEXT, total=True))
    for i in range(Y):
        st.put(total_row, first_year_col + i, round(float(region[i]), DECIMALS), data_style(S.FMT_PERSONS, total=True))
    st.put(total_row, last_year_col + 1, Formula(f"{ly}{total_row}-{fy}{total_row}"), data_style(S.FMT_SIGNED_PERSONS, total=True))
    st.put(
        total_row, last_year_col + 2, Formula(f"IF({fy}{total_row}=0,0,{ly}{total_row}/{fy}{total_row}-1)"),
        data_style(S.FMT_PERCENT, total=True),
    )
    set_widths(st, [c.width for c in sheet.columns] + [sheet.year_width] * Y + [12.0, 10.0])
    st.height(S.HEADER_ROW, 30)
    freeze_labels(st, nl)

    # charts below the table: the region total, then the zones (the largest ones if many)
    chart_row = total_row + 3
    region_chart = charts.line_chart_from_rows(
        st.title, rows=[total_row], title_col=nl, first_col=first_year_col, last_col=last_year_col,
        categories_row=S.HEADER_ROW, title=S.CHART_TEXTS["region_total"].get(lang),
        y_title=S.CHART_TEXTS["persons"].get(lang),
    )
    st.chart(region_chart, chart_row, 1)
    order = np.argsort(-tot[:, 0], kind="stable")
    if K <= MAX_ZONES_IN_CHART:
        chosen, title = sorted(order), S.CHART_TEXTS["zones_all"].get(lang)
    else:
        chosen = order[:MAX_ZONES_IN_CHART]
        title = S.CHART_TEXTS["zones_largest"].format(lang, n=MAX_ZONES_IN_CHART, k=K)
    zone_chart = charts.line_chart_from_rows(
        st.title, rows=[first + int(k) for k in chosen], title_col=nl, first_col=first_year_col,
        last_col=last_year_col, categories_row=S.HEADER_ROW, title=title,
        y_title=S.CHART_TEXTS["persons"].get(lang),
    )
    zone_chart = replace(zone_chart, width_cm=charts.WIDTH_CM + 6)
    st.chart(zone_chart, chart_row, nl + 1 + cols_for_cm(charts.WIDTH_CM - 6, 9.0))
    st.print_setup()
    return st


def _population_detail(wb: Workbook, p: Projection, lang: str, bulk) -> OpenpyxlSheet:
    sheet = S.POPULATION_DETAIL
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    T1, K, n_sex, A1 = p.population.shape
    codes, names = zone_arrays(p)
    write_title(st, sheet, lang)
    write_headers(st, [*sheet.headers(lang), *years])
    n = K * n_sex * A1
    sex_labels = [S.SEX_LABELS[s].get(lang) for s in range(n_sex)]
    cols: list[Column] = [
        np.repeat(np.asarray(codes, dtype=object), n_sex * A1).tolist(),
        np.repeat(np.asarray(names, dtype=object), n_sex * A1).tolist(),
        np.tile(np.repeat(np.asarray(sex_labels, dtype=object), A1), K).tolist(),
        np.tile(np.arange(A1), K * n_sex),
    ]
    values = p.population.reshape(T1, n).T  # rows (k, s, a), columns years
    cols += [values[:, i] for i in range(T1)]
    styles = [data_style(c.number_format) for c in sheet.columns] + [data_style(S.FMT_PERSONS)] * T1
    _TableWriter(st, bulk).write(S.FIRST_DATA_ROW, cols, styles)
    nl = len(sheet.columns)
    set_widths(st, [c.width for c in sheet.columns] + [sheet.year_width] * T1)
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, S.HEADER_ROW + n, nl + T1)
    st.print_setup()
    return st


def _components(wb: Workbook, p: Projection, lang: str, bulk) -> OpenpyxlSheet:
    sheet = S.COMPONENTS
    st = new_sheet(wb, sheet, lang)
    df = p.components()
    T, K = len(p.years) - 1, len(p.zone_codes)
    keys = [c.key for c in S.COMPONENT_COLUMNS]
    region = df.groupby("year", sort=True)[keys].sum()
    write_title(st, sheet, lang)
    write_headers(st, sheet.headers(lang))
    letter = {c.key: get_column_letter(j + 1) for j, c in enumerate(sheet.columns)}
    check = letter["end"] + "{r}-(" + letter["start"] + "{r}"
    for key, sign in S.COMPONENT_SIGNS.items():
        check += ("+" if sign > 0 else "-") + letter[key] + "{r}"
    check = _Formula("ROUND(" + check + "),3)")
    nl = 3

    def table(first_row: int, code: list[str], name: list[str], frame, total: bool, writer) -> int:
        cols: list[Column] = [code, name, frame["year"].to_numpy() if "year" in frame else frame.index.to_numpy()]
        cols += [frame[k].to_numpy(dtype=float) for k in keys] + [check]
        styles = [data_style(c.number_format, total=total) for c in sheet.columns]
        return writer.write(first_row, cols, styles)

    region_name = S.REGION.get(lang)
    row = table(S.FIRST_DATA_ROW, [""] * T, [region_name] * T, region, True, _TableWriter(st, None))
    zones = _by_zone(df, K, T)
    zone_codes = zones["zone_code"].astype(str).tolist()
    table(row, zone_codes, zones["zone_name"].astype(str).tolist(), zones, False, _TableWriter(st, bulk))
    last_table_col = len(sheet.columns)
    set_widths(st, [c.width for c in sheet.columns])
    st.height(S.HEADER_ROW, 58)
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, row + K * T - 1, last_table_col)

    # chart data to the right: the region's components with outflows negative, rows = years
    hc = last_table_col + 2
    st.put(S.HEADER_ROW - 1, hc, S.CHART_TEXTS["components_data"].get(lang), HELPER_TITLE)
    label = {c.key: c.label.get(lang) for c in S.COMPONENT_COLUMNS}
    series = [("births", +1), ("EIFU", +1), ("EIFN", +1), ("deaths", -1), ("EUF", -1)]
    if float(region["leavers"].abs().sum()) > 0:
        series.append(("leavers", -1))
    heads = [S.YEAR.label.get(lang)] + [label[k] for k, _ in series] + [label["growth"]]
    write_headers(st, heads, col=hc)
    for i, year in enumerate(region.index):
        r = S.FIRST_DATA_ROW + i
        st.put(r, hc, int(year), data_style(S.FMT_YEAR, helper=True))
        for j, (k, sign) in enumerate(series):
            v = round(sign * float(region[k].iloc[i]), DECIMALS)
            st.put(r, hc + 1 + j, v, data_style(S.FMT_SIGNED_PERSONS, helper=True))
        v = round(float(region["growth"].iloc[i]), DECIMALS)
        st.put(r, hc + 1 + len(series), v, data_style(S.FMT_SIGNED_PERSONS, helper=True))
    set_widths(st, [7.0] + [13.0] * (len(series) + 1), start=hc)
    chart = charts.components_chart(
        st.title, header_row=S.HEADER_ROW, first_row=S.FIRST_DATA_ROW, last_row=S.FIRST_DATA_ROW + T - 1,
        category_col=hc, bar_cols=[hc + 1 + j for j in range(len(series))],
        line_col=hc + 1 + len(series), title=S.CHART_TEXTS["components"].get(lang),
        y_title=S.CHART_TEXTS["persons"].get(lang),
    )
    chart_col = hc + len(series) + 3
    st.chart(chart, S.HEADER_ROW, chart_col)
    last_chart_col = get_column_letter(chart_col + cols_for_cm(chart.width_cm, 9.0))
    last_chart_row = max(S.FIRST_DATA_ROW + T, S.HEADER_ROW + rows_for_cm(chart.height_cm))
    table_area = f"A1:{get_column_letter(last_table_col)}{row + K * T - 1}"
    chart_area = f"{get_column_letter(hc)}{S.HEADER_ROW - 1}:{last_chart_col}{last_chart_row}"
    st.print_setup(area=[chart_area, table_area])
    return st


def _by_zone(df, K: int, T: int):
    """Components frame reordered zone by zone (the tidy table is year by year)."""
    order = np.arange(K * T).reshape(T, K).T.reshape(-1)
    return df.iloc[order].reset_index(drop=True)


def _age_groups(wb: Workbook, p: Projection, lang: str, bulk) -> OpenpyxlSheet:
    sheet = S.AGE_GROUPS
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    by_age = p.population.sum(axis=2)  # (T+1, K, A1)
    A1 = by_age.shape[2]
    groups = list(SERVICE_AGE_GROUPS)
    arr = np.stack(
        [by_age[:, :, lo : min(hi, A1 - 1) + 1].sum(axis=2) for lo, hi in SERVICE_AGE_GROUPS.values()],
        axis=2,
    )  # (T+1, K, G)
    T1, K, G = arr.shape
    glabels = [S.AGE_GROUP_LABELS[g].get(lang) for g in groups]
    codes, names = zone_arrays(p)
    write_title(st, sheet, lang)
    write_headers(st, [*sheet.headers(lang), *years])
    nl = len(sheet.columns)
    region = arr.sum(axis=1)  # (T+1, G)
    styles_t = [data_style(c.number_format, total=True) for c in sheet.columns] + [data_style(S.FMT_PERSONS, total=True)] * T1
    row = _TableWriter(st, None).write(
        S.FIRST_DATA_ROW, [[""] * G, [S.REGION.get(lang)] * G, glabels, *list(region)], styles_t
    )
    zone_vals = arr.transpose(1, 2, 0).reshape(K * G, T1)
    cols: list[Column] = [
        np.repeat(np.asarray(codes, dtype=object), G).tolist(),
        np.repeat(np.asarray(names, dtype=object), G).tolist(),
        glabels * K,
        *[zone_vals[:, i] for i in range(T1)],
    ]
    styles = [data_style(c.number_format) for c in sheet.columns] + [data_style(S.FMT_PERSONS)] * T1
    _TableWriter(st, bulk).write(row, cols, styles)
    set_widths(st, [c.width for c in sheet.columns] + [sheet.year_width] * T1)
    freeze_labels(st, nl)
    last_col = nl + T1

    # index (base year = 100) for the region, to the right of the table, with its chart below
    hc = last_col + 2
    st.put(S.HEADER_ROW - 1, hc, S.CHART_TEXTS["age_index_data"].get(lang), HELPER_TITLE)
    write_headers(st, [S.AGE_GROUPS.column("group").label.get(lang), *years], col=hc)
    base = np.where(region[0] > 0, region[0], np.nan)
    index = np.nan_to_num(region / base * 100.0, nan=0.0)  # (T+1, G)
    for g in range(G):
        r = S.FIRST_DATA_ROW + g
        st.put(r, hc, glabels[g], data_style(S.FMT_TEXT, helper=True))
        for i in range(T1):
            st.put(r, hc + 1 + i, round(float(index[i, g]), DECIMALS), data_style(S.FMT_ONE_DECIMAL, helper=True))
    set_widths(st, [24.0] + [7.0] * T1, start=hc)
    chart = charts.line_chart_from_rows(
        st.title, rows=[S.FIRST_DATA_ROW + g for g in range(G)], title_col=hc, first_col=hc + 1,
        last_col=hc + T1, categories_row=S.HEADER_ROW, title=S.CHART_TEXTS["age_index"].get(lang),
        y_title=S.CHART_TEXTS["index"].get(lang), number_format="0",
    )
    chart = replace(chart, width_cm=charts.WIDTH_CM + 5, height_cm=charts.HEIGHT_CM + 3)
    chart_row = S.FIRST_DATA_ROW + G + 2
    st.chart(chart, chart_row, hc)
    table_area = f"A1:{get_column_letter(last_col)}{row + K * G - 1}"
    chart_area = (
        f"{get_column_letter(hc)}{S.HEADER_ROW - 1}:{get_column_letter(hc + T1)}"
        f"{chart_row + rows_for_cm(chart.height_cm)}"
    )
    st.print_setup(area=[chart_area, table_area])
    return st


def _pyramid(wb: Workbook, p: Projection, lang: str) -> OpenpyxlSheet:
    sheet = S.PYRAMID
    st = new_sheet(wb, sheet, lang)
    first_year, last_year = int(p.years[0]), int(p.years[-1])
    write_title(st, sheet, lang)
    heads = [sheet.column("age").label.get(lang)]
    data: list[np.ndarray] = []
    for year in (first_year, last_year):
        pyr = p.pyramid(year)
        for s, key in ((0, "male"), (1, "female")):
            heads.append(S.PYRAMID_SERIES.format(lang, sex=S.SEX_LABELS[s].get(lang), year=year))
            sign = -1.0 if s == 0 else 1.0
            data.append(sign * pyr[key].to_numpy(dtype=float))
    write_headers(st, heads)
    A1 = len(data[0])
    ages = np.arange(A1)
    styles = [data_style("0")] + [data_style(S.FMT_PYRAMID)] * 4
    _TableWriter(st, None).write(S.FIRST_DATA_ROW, [ages, *data], styles)
    set_widths(st, [7.0] + [11.0] * 4)
    st.height(S.HEADER_ROW, 30)
    freeze_labels(st, 1)
    top = charts.nice_ceiling(max(float(np.abs(d).max()) for d in data))
    last = S.FIRST_DATA_ROW + A1 - 1
    for i, (year, col) in enumerate(((first_year, 2), (last_year, 4))):
        chart = charts.pyramid_chart(
            st.title, header_row=S.HEADER_ROW, first_row=S.FIRST_DATA_ROW, last_row=last, age_col=1,
            male_col=col, female_col=col + 1, title=S.CHART_TEXTS["pyramid"].format(lang, year=year),
            x_title=S.CHART_TEXTS["persons"].get(lang), axis_max=top,
        )
        st.chart(chart, S.HEADER_ROW, 7 + 8 * i)
    st.print_setup(area=f"A1:V{last}")
    return st


# --------------------------------------------------------------------------- run log
def inputs_sha256(inputs: object) -> str:
    """SHA-256 of a :class:`ProjectionInputs` (every field, arrays by dtype, shape and bytes)."""
    h = hashlib.sha256()

    def feed(value: object) -> None:
        if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and value and isinstance(value[0], float)):
            a = np.ascontiguousarray(np.asarray(value, dtype=float))
            h.update(f"{a.dtype}{a.shape}".encode())
            h.update(a.tobytes())
        elif isinstance(value, dict):
            for k in sorted(value):
                h.update(str(k).encode())
                feed(value[k])
        else:
            h.update(repr(value).encode())

    for f in fields(inputs):
        h.update(f.name.encode())
        feed(getattr(inputs, f.name))
    return h.hexdigest()


def run_log_items(p: Projection, run_log: dict | None = None) -> dict[str, object]:
    """The run log as key -> value (keys of ``schema.outputs.RUN_LOG_ITEMS`` first, then extras).

    ``run_log`` may give ``input_path``, ``input_file_sha256``, ``variant``, ``checks`` (text or a
    mapping id -> value), ``time_utc`` and any other item; missing ones are filled in here.
    """
    given = dict(run_log or {})
    inp = p.inputs
    pop = p.population.sum(axis=(1, 2, 3))
    items: dict[str, object] = {
        "time_utc": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "engine_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "input_path": None,
        "input_file_sha256": None,
        "inputs_sha256": inputs_sha256(inp),
        "variant": getattr(inp, "variant", None),
        "base_year": int(p.years[0]),
        "horizon": int(p.years[-1]),
        "n_zones": len(p.zone_codes),
        "population_base": round(float(pop[0]), 1),
        "population_final": round(float(pop[-1]), 1),
        "capped": f"{float(p.capped.sum()):.1f}, {int((p.capped > 0).sum())}",
        "checks": None,
        "n_warnings": len(p.warnings) + len(given.get("warnings", []) or []),
    }
    path = given.get("input_path")
    if path:
        items["input_path"] = str(path)
        if "input_file_sha256" not in given and Path(path).is_file():
            items["input_file_sha256"] = file_sha256(path)
    checks = given.pop("checks", None)
    if isinstance(checks, dict):
        bad = {k: v for k, v in checks.items() if v}
        checks = f"{len(checks)} checks, {len(bad)} not OK" + (f": {', '.join(map(str, bad))}" if bad else "")
    items["checks"] = checks
    given.pop("warnings", None)
    items.update({k: v for k, v in given.items() if v is not None})
    return items


def _run_log(wb: Workbook, p: Projection, lang: str, run_log: dict | None) -> OpenpyxlSheet:
    sheet = S.RUN_LOG
    st = new_sheet(wb, sheet, lang)
    write_title(st, sheet, lang)
    write_headers(st, sheet.headers(lang))
    items = run_log_items(p, run_log)
    r = S.FIRST_DATA_ROW
    not_given = S.RUN_LOG_NOT_GIVEN.get(lang)
    for key, value in items.items():
        label = S.RUN_LOG_ITEMS[key].get(lang) if key in S.RUN_LOG_ITEMS else key
        st.put(r, 1, label, data_style(S.FMT_TEXT))
        st.put(r, 2, not_given if value is None else value, LEFT)
        r += 1
    r += 1
    st.put(r, 1, S.RUN_LOG_WARNINGS.get(lang), HEADER)
    st.put(r, 2, "", HEADER)
    warnings = list(p.warnings) + list((run_log or {}).get("warnings", []) or [])
    for i, w in enumerate(warnings or [S.RUN_LOG_NO_WARNINGS.get(lang)]):
        st.put(r + 1 + i, 1, i + 1 if warnings else "", LEFT)
        st.put(r + 1 + i, 2, str(w), WRAP_TOP)
    set_widths(st, [c.width for c in sheet.columns])
    st.freeze(S.FIRST_DATA_ROW, 1)
    st.print_setup(landscape=False)
    return st


# --------------------------------------------------------------------------- public API
def _build(wb: Workbook, projection: Projection, language: str, run_log: dict | None, bulk) -> None:
    S.check_language(language)
    if wb.sheetnames == ["Sheet"] and wb["Sheet"].max_row == 1 and wb["Sheet"]["A1"].value is None:
        wb.remove(wb["Sheet"])  # the empty default sheet of a new Workbook
    first = len(wb.sheetnames)
    _population_summary(wb, projection, language, bulk)
    _population_detail(wb, projection, language, bulk)
    _components(wb, projection, language, bulk)
    _age_groups(wb, projection, language, bulk)
    _pyramid(wb, projection, language)

    add_market_sheets(wb, projection, language)
    _run_log(wb, projection, language, run_log)
    wb.active = min(first, len(wb.sheetnames) - 1)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is wb.active


def add_output_sheets(
    wb: Workbook, projection: Projection, *, language: str = "nb", run_log: dict | None = None
) -> None:
    """Add (or replace) the output sheets of ``projection`` in ``wb``.

    Parameters
    ----------
    wb : openpyxl.Workbook
        A normal (not write-only) workbook; may already hold the input sheets. Output sheets of an
        earlier run with the same names are replaced in place.
    projection : Projection
        The engine's result.
    language : {'nb', 'en'}
        Label language (Norwegian bokmål by default).
    run_log : dict, optional
        Extra run information for the run-log sheet (see :func:`run_log_items`).
    """
    _build(wb, projection, language, run_log, None)


def write_results(
    projection: Projection,
    path: str | os.PathLike[str],
    *,
    language: str = "nb",
    base_workbook: Workbook | str | os.PathLike[str] | None = None,
    run_log: dict | None = None,
    _before_replace: Callable[[Path], None] | None = None,
) -> Path:
    """Write the results to a new workbook file, atomically.

    Parameters
    ----------
    projection : Projection
        The engine's result.
    path : path-like
        Output file (.xlsx). Written through a temporary file in the same directory and
        ``os.replace``; on any error no partial file is left and an existing file is untouched.
    language : {'nb', 'en'}
        Label language.
    base_workbook : Workbook or path, optional
        Workbook whose sheets come first (e.g. the input sheets). A path is loaded read-only in
        effect: it is never saved back.
    run_log : dict, optional
        Run information; ``run_log['input_path']`` names the input file, which this function
        refuses to overwrite.

    Returns
    -------
    Path
        The written file.
    """
    S.check_language(language)
    out = Path(path)
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValueError(f"results must be written to an .xlsx file, not {out.name!r}")
    protected = [(run_log or {}).get("input_path")]
    if isinstance(base_workbook, (str, os.PathLike)):
        protected.append(base_workbook)
    for p in protected:
        if p and _same_file(out, Path(p)):
            raise ValueError(f"refusing to overwrite the input file {p}; write results to a new file")
    if base_workbook is None:
        wb = Workbook()
    elif isinstance(base_workbook, Workbook):
        wb = base_workbook
    else:
        wb = load_workbook(base_workbook)
    bulk: list[_BulkRows] = []
    _build(wb, projection, language, run_log, bulk)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{out.stem}-", dir=out.parent))
    try:
        plain = tmpdir / "openpyxl.xlsx"
        wb.save(plain)
        final = tmpdir / "final.xlsx"
        if bulk:
            _inject_bulk(plain, final, bulk)
        else:
            plain.replace(final)
        if _before_replace is not None:
            _before_replace(final)
        os.replace(final, out)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return out


__all__ = ["add_output_sheets", "file_sha256", "inputs_sha256", "run_log_items", "write_results"]
