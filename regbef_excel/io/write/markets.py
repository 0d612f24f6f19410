"""Output sheets of the market models: housing results, labour, the internal migration matrix, commuting.

Called by :func:`regbef_excel.io.write.results.result_sheets`; a sheet is
written only when the projection carries its data (``Projection.series`` / ``matrices``), so
runs without labour or housing inputs give the same workbook as before. The migration matrix is
written when the inputs have distances (without them the engine's matrix is a flat-share
allocation that tells a planner nothing).

Layout as the other output sheets (title row 1, unit row 2, header row 4, data from row 5,
frozen labels, landscape, one page wide); a chart sits right under the region's rows (on screen
when the sheet opens), the zones' rows follow it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
from openpyxl.utils import get_column_letter

from regbef_excel.engine.results import Projection
from regbef_excel.io.write import charts
from regbef_excel.io.write.sheets import (
    ASSUMPTION_NOTE,
    DECIMALS,
    HEADER,
    HELPER_TITLE,
    XlsxBook,
    XlsxSheet,
    data_style,
    fit_widths,
    freeze_labels,
    new_sheet,
    rows_for_cm,
    set_widths,
    write_headers,
    write_title,
    zone_arrays,
)
from regbef_excel.schema import outputs as S
from regbef_excel.schema.inputs import HOUSING, HOUSING_MARKET, LABOUR

#: Low → high colours of the matrices' colour scale (white → dark blue).
SCALE_LOW, SCALE_MID, SCALE_HIGH = "FFFFFF", "9DC3E6", "1F4E79"


def _value(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), DECIMALS)


def _measure_sheet(
    wb: XlsxBook,
    sheet: S.OutputSheet,
    p: Projection,
    lang: str,
    measures: Mapping[str, S.Text],
    chart_keys: tuple[str, ...],
    chart_title: S.Text,
    y_title: S.Text,
    assumption_sheets: tuple[str, ...] = (),
) -> XlsxSheet:
    """Rows zone × measure, columns years (base year first; flows leave it blank).

    The region's rows come first with their chart right under them, then the zones' rows; a
    red note in row 3 names the input sheets whose ANTAKELSE/REKONSTRUERT parameters the
    numbers rest on.
    """
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    T1 = len(years)
    keys = [k for k in measures if k in p.series]
    codes, names = zone_arrays(p)
    K = len(codes)

    def padded(key: str) -> np.ndarray:
        arr = np.asarray(p.series[key], dtype=float)  # (T+1, K) stocks or (T, K) flows
        if arr.shape[0] == T1:
            return arr
        return np.vstack([np.full((1, arr.shape[1]), np.nan), arr])

    data = {k: padded(k) for k in keys}
    write_title(st, sheet, lang)
    if assumption_sheets:
        st.put(S.UNIT_ROW + 1, 1, S.READABLE_TEXTS["assumption_note"].format(
            lang, sheets=", ".join(assumption_sheets)), ASSUMPTION_NOTE)  # fmt: skip
    year_head = HEADER.but(number_format=S.FMT_YEAR_END)
    write_headers(st, sheet.headers(lang))
    for i, y in enumerate(years):
        st.put(S.HEADER_ROW, len(sheet.columns) + 1 + i, y, year_head)
    nl = len(sheet.columns)
    r = S.FIRST_DATA_ROW
    region_rows: dict[str, int] = {}
    for k in keys:
        total = np.nansum(data[k], axis=1)
        total[np.all(np.isnan(data[k]), axis=1)] = np.nan
        st.put(r, 1, "", data_style(S.FMT_TEXT, total=True))
        st.put(r, 2, S.REGION.get(lang), data_style(S.FMT_TEXT, total=True))
        st.put(r, 3, measures[k].get(lang), data_style(S.FMT_TEXT, total=True))
        for i in range(T1):
            st.put(r, nl + 1 + i, _value(total[i]), data_style(S.FMT_SIGNED_PERSONS, total=True))
        region_rows[k] = r
        r += 1
    rows = [region_rows[k] for k in chart_keys if k in region_rows]
    chart = None
    if rows and K > 0:
        chart = charts.line_chart_from_rows(
            st.title, rows=rows, title_col=nl, first_col=nl + 1, last_col=nl + T1,
            categories_row=S.HEADER_ROW, title=chart_title.get(lang), y_title=y_title.get(lang),
        )  # fmt: skip
        chart = replace(chart, legend="bottom", value_min=0.0)
        st.chart(chart, r + 1, 1)
        r += rows_for_cm(chart.height_cm) + 2
        st.put(r - 1, 1, S.READABLE_TEXTS["by_zone"].get(lang), HELPER_TITLE)
    for z in range(K):
        for k in keys:
            st.put(r, 1, codes[z], data_style(S.FMT_TEXT))
            st.put(r, 2, names[z], data_style(S.FMT_TEXT))
            st.put(r, 3, measures[k].get(lang), data_style(S.FMT_TEXT))
            for i in range(T1):
                st.put(r, nl + 1 + i, _value(data[k][i, z]), data_style(S.FMT_SIGNED_PERSONS))
            r += 1
    last_row = r - 1
    last_col = nl + T1
    set_widths(st, [c.width for c in sheet.columns] + [sheet.year_width] * T1)
    fit_widths(st, last=last_col, minimum=8.0)
    st.height(S.HEADER_ROW, 30)
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, last_row, last_col)
    st.print_setup(area=f"A1:{get_column_letter(last_col)}{last_row}")
    return st


def _matrix_block(st: XlsxSheet, top: int, caption: str, labels: list[str], codes: list[str],
                  m: np.ndarray, lang: str) -> int:
    """One labelled matrix with row and column totals from row ``top``; returns the next free
    row. ``m`` is (n, n) from row → column."""
    n = m.shape[0]
    st.put(top, 1, caption, HELPER_TITLE)
    h = top + 1
    total = S.MATRIX_TEXTS["total"].get(lang)
    st.put(h, 1, S.ZONE_CODE.label.get(lang), HEADER)
    st.put(h, 2, S.MATRIX_TEXTS["from_to"].get(lang), HEADER)
    for j in range(n):
        st.put(h, 3 + j, labels[j], HEADER)
    st.put(h, 3 + n, total, HEADER)
    for i in range(n):
        r = h + 1 + i
        st.put(r, 1, codes[i], data_style(S.FMT_TEXT))
        st.put(r, 2, labels[i], data_style(S.FMT_TEXT))
        for j in range(n):
            st.put(r, 3 + j, _value(m[i, j]), data_style(S.FMT_PERSONS))
        st.put(r, 3 + n, _value(m[i].sum()), data_style(S.FMT_PERSONS, total=True))
    r = h + 1 + n
    st.put(r, 1, "", data_style(S.FMT_TEXT, total=True))
    st.put(r, 2, total, data_style(S.FMT_TEXT, total=True))
    for j in range(n):
        st.put(r, 3 + j, _value(m[:, j].sum()), data_style(S.FMT_PERSONS, total=True))
    st.put(r, 3 + n, _value(m.sum()), data_style(S.FMT_PERSONS, total=True))
    st.color_scale(h + 1, 3, h + n, 2 + n, low=SCALE_LOW, mid=SCALE_MID, high=SCALE_HIGH, mid_percentile=90)
    st.height(h, 45)
    return r + 3


def _matrix_sheet(wb: XlsxBook, sheet: S.OutputSheet, p: Projection, lang: str,
                  blocks: list[tuple[str, np.ndarray]], labels: list[str], codes: list[str]) -> XlsxSheet:
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    write_title(st, sheet, lang, first=years[1], last=years[-1])
    r = S.HEADER_ROW - 1
    for caption, m in blocks:
        r = _matrix_block(st, r, caption, labels, codes, m, lang)
    n = len(labels)
    set_widths(st, [10.0, 22.0] + [11.0] * n + [12.0])
    st.freeze(S.FIRST_DATA_ROW, 3)
    st.print_setup(title_row=None, area=f"A1:{get_column_letter(3 + n)}{r - 3}")
    return st


def add_market_sheets(wb: XlsxBook, p: Projection, lang: str) -> list[XlsxSheet]:
    """Add the market-model output sheets the projection has data for; returns them in order."""
    out: list[XlsxSheet] = []
    if "housing_stock" in p.series:
        out.append(_measure_sheet(
            wb, S.HOUSING_RESULTS, p, lang, S.HOUSING_MEASURES, ("housing_need", "housing_stock"),
            S.MARKET_CHART_TEXTS["housing"], S.MARKET_CHART_TEXTS["dwellings"],
            (HOUSING.label(lang), HOUSING_MARKET.label(lang)),
        ))  # fmt: skip
    if "labour_supply" in p.series:
        out.append(_measure_sheet(
            wb, S.LABOUR_RESULTS, p, lang, S.LABOUR_MEASURES, ("labour_supply", "jobs"),
            S.MARKET_CHART_TEXTS["labour"], S.CHART_TEXTS["persons"], (LABOUR.label(lang),),
        ))  # fmt: skip
    codes, names = zone_arrays(p)
    years = [int(y) for y in p.years]
    if p.inputs.distances is not None:
        m = np.asarray(p.internal_migration(), dtype=float)
        blocks = [
            (S.MATRIX_TEXTS["period"].format(lang, first=years[1], last=years[-1]), m.sum(axis=0)),
            (S.MATRIX_TEXTS["year"].format(lang, year=years[1]), m[0]),
        ]
        out.append(_matrix_sheet(wb, S.MIGRATION_MATRIX, p, lang, blocks, names, codes))
    com = p.matrices.get("commuting")
    if com is not None:
        c = np.asarray(com, dtype=float)
        labels = [*names, S.MATRIX_TEXTS["outside"].get(lang)]
        blocks = [(S.MATRIX_TEXTS["year"].format(lang, year=years[1]), c[0])]
        if c.shape[0] > 1:
            blocks.append((S.MATRIX_TEXTS["year"].format(lang, year=years[-1]), c[-1]))
        out.append(_matrix_sheet(wb, S.COMMUTING, p, lang, blocks, labels, [*codes, ""]))
    return out


__all__ = ["add_market_sheets"]
