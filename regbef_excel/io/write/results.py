"""Write a projection's results as formatted output sheets with native charts.

Decision: the results of ``run`` and ``demo`` go into a **copy of the planner's input workbook**
(for ``demo``, of the generated template), so that the results file still holds the input sheets
and re-validates. The result sheets are written with XlsxWriter, like every new workbook, as a
workbook of their own (:func:`result_sheets`); :func:`write_results` then splices them into a
copy of the input file part by part (:mod:`regbef_excel.io.write.splice`), so the planner's
sheets come back byte for byte — nothing is loaded and re-saved through openpyxl, which would
drop their pictures and charts and is several times slower. The file is written atomically
(temporary file in the target directory, then ``os.replace``) and never over the input file.

Layout of every sheet: title in row 1, unit line in row 2, header row 4, data from row 5,
frozen below the header and right of the label columns, landscape, fit to one page wide.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.engine.results import Projection, sum_ages
from regbef_excel.evaluation.calibrate import intervals_of_projection
from regbef_excel.files import atomic_path, file_sha256
from regbef_excel.files import same_file as _same_file
from regbef_excel.io.write import charts
from regbef_excel.io.write.markets import add_market_sheets
from regbef_excel.io.write.splice import splice_sheets
from regbef_excel.io.write.streamed_rows import RowFormula, StreamedRows, TableWriter, stream_rows
from regbef_excel.io.write.sheets import (
    DECIMALS,
    HEADER,
    HELPER_TITLE,
    INPUT_CELL,
    LEFT,
    NOTE,
    SUBTITLE,
    UNIT,
    WRAP_TOP,
    CellStyle,
    Formula,
    SheetWriter,
    XlsxBook,
    XlsxSheet,
    cols_for_cm,
    data_style,
    fit_header_height,
    fit_widths,
    freeze_labels,
    new_sheet,
    rows_for_cm,
    set_widths,
    write_headers,
    write_title,
    zone_arrays,
)
from regbef_excel.schema import age_groups as AG
from regbef_excel.schema import outputs as S

#: How many of the largest zones the population chart shows when there are many zones.
MAX_ZONES_IN_CHART = 8
#: Year headers of stock tables show "31.12.2025" (the cell value stays the year).
YEAR_END_HEADER = HEADER.but(number_format=S.FMT_YEAR_END)


def _year_headers(st: XlsxSheet, years: Sequence[int], first_col: int, *, year_end: bool = True) -> None:
    for i, y in enumerate(years):
        st.put(S.HEADER_ROW, first_col + i, int(y), YEAR_END_HEADER if year_end else HEADER)


# --------------------------------------------------------------------------- the sheets
def key_figure_columns(p: Projection) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The key-figures columns (:data:`schema.outputs.KEY_FIGURES`) by year: region (T+1,) and
    zones (T+1, K); the base year has no flows (NaN)."""
    tot = p.component_totals()  # (T, K)
    pop = p.population.sum(axis=(2, 3))  # (T+1, K)
    tfr_z, tfr_r = p.total_fertility()
    e0_z, e0_r = p.life_expectancy()

    def pad(a: np.ndarray) -> np.ndarray:
        return np.concatenate([np.full((1, *a.shape[1:]), np.nan), a], axis=0)

    zones = {
        "population": pop,
        "growth": pad(np.diff(pop, axis=0)),
        "births": pad(tot["births"]),
        "deaths": pad(tot["deaths"]),
        "net_internal": pad(tot["IIF"] - tot["IUF"]),
        "EIFN": pad(tot["EIFN"]),
        "EIFU": pad(tot["EIFU"]),
        "EUF": pad(tot["EUF"]),
        "net_external": pad(tot["EIFU"] + tot["EIFN"] - tot["EUF"]),
        "tfr": pad(tfr_z),
        "e0_male": pad(e0_z[..., 0]),
        "e0_female": pad(e0_z[..., 1]),
    }
    region = {k: v.sum(axis=1) for k, v in zones.items() if k not in ("tfr", "e0_male", "e0_female")}
    region["growth"][0] = np.nan
    for k in ("births", "deaths", "net_internal", "EIFN", "EIFU", "EUF", "net_external"):
        region[k][0] = np.nan
    region |= {"tfr": pad(tfr_r), "e0_male": pad(e0_r[:, 0]), "e0_female": pad(e0_r[:, 1])}
    return region, zones


def _key_figures(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows]) -> XlsxSheet:
    """Per year, the region and each zone: population, births, deaths, migration by kind, TFR
    and life expectancy by sex (what the projection gives and what it assumes, one table)."""
    sheet = S.KEY_FIGURES
    st = new_sheet(wb, sheet, lang)
    years = p.years.astype(int)
    T1, K = len(years), len(p.zone_codes)
    region, zones = key_figure_columns(p)
    codes, names = zone_arrays(p)
    write_title(st, sheet, lang)
    st.put(S.UNIT_ROW + 1, 1, S.READABLE_TEXTS["one_flow"].get(lang), UNIT)
    write_headers(st, sheet.headers(lang))
    keys = [c.key for c in sheet.columns[3:]]
    nl = 3
    styles_t = [data_style(c.number_format, total=True) for c in sheet.columns]
    row = TableWriter(st, None).write(
        S.FIRST_DATA_ROW, [[""] * T1, [S.REGION.get(lang)] * T1, years, *[region[k] for k in keys]], styles_t
    )
    cols: list[Column] = [
        np.repeat(np.asarray(codes, dtype=object), T1).tolist(),
        np.repeat(np.asarray(names, dtype=object), T1).tolist(),
        np.tile(years, K),
        *[zones[k].T.reshape(-1) for k in keys],
    ]
    styles = [data_style(c.number_format) for c in sheet.columns]
    if K > 1:  # one zone = the region: its rows would repeat the region's
        TableWriter(st, streamed).write(row, cols, styles)
        last_row = row + K * T1 - 1
    else:
        last_row = row - 1
    widths = fit_widths(st, last=len(sheet.columns), minimum=7.0, maximum=16.0)
    fit_header_height(st, S.HEADER_ROW, dict(enumerate(sheet.headers(lang), start=1)), widths)
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, last_row, len(sheet.columns))
    st.print_setup(area=f"A1:{get_column_letter(len(sheet.columns))}{last_row}")
    return st


def _population_summary(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows]) -> XlsxSheet:
    sheet = S.POPULATION_SUMMARY
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    codes, names = zone_arrays(p)
    tot = p.population.sum(axis=(2, 3)).T  # (K, T+1)
    K, Y = tot.shape
    write_title(st, sheet, lang)
    change = S.SUMMARY_CHANGE.label.format(lang, first=years[0], last=years[-1])
    nl = len(sheet.columns)
    write_headers(st, sheet.headers(lang))
    _year_headers(st, years, nl + 1)
    write_headers(st, [change, S.SUMMARY_CHANGE_PCT.label.get(lang)], col=nl + Y + 1)
    first_year_col, last_year_col = nl + 1, nl + Y
    fy, ly = get_column_letter(first_year_col), get_column_letter(last_year_col)
    cols: list[Column] = [codes, names, *[tot[:, i] for i in range(Y)]]
    start, end = np.round(tot[:, 0], DECIMALS), np.round(tot[:, -1], DECIMALS)
    cols += [RowFormula(f"{ly}{{r}}-{fy}{{r}}", end - start),
             RowFormula(f"IF({fy}{{r}}=0,0,{ly}{{r}}/{fy}{{r}}-1)", _growth(start, end))]  # fmt: skip
    styles = [data_style(S.FMT_TEXT)] * 2 + [data_style(S.FMT_PERSONS)] * Y
    styles += [data_style(S.FMT_SIGNED_PERSONS), data_style(S.FMT_PERCENT)]
    first = S.FIRST_DATA_ROW
    total_row = TableWriter(st, streamed).write(first, cols, styles)
    # region total: SUM formulas keep the sheet live if a planner edits or filters nothing else
    region = tot.sum(axis=0)
    st.put(total_row, 1, "", data_style(S.FMT_TEXT, total=True))
    st.put(total_row, 2, S.REGION.get(lang), data_style(S.FMT_TEXT, total=True))
    for i in range(Y):
        st.put(total_row, first_year_col + i, round(float(region[i]), DECIMALS), data_style(S.FMT_PERSONS, total=True))
    r_start, r_end = round(float(region[0]), DECIMALS), round(float(region[-1]), DECIMALS)
    st.put(total_row, last_year_col + 1, Formula(f"{ly}{total_row}-{fy}{total_row}", r_end - r_start),
           data_style(S.FMT_SIGNED_PERSONS, total=True))  # fmt: skip
    st.put(
        total_row, last_year_col + 2,
        Formula(f"IF({fy}{total_row}=0,0,{ly}{total_row}/{fy}{total_row}-1)", float(_growth(r_start, r_end))),
        data_style(S.FMT_PERCENT, total=True),
    )
    fit_widths(st, last=last_year_col + 2, minimum=8.0)
    st.height(S.HEADER_ROW, 30)
    freeze_labels(st, nl)

    # charts right under the table: the region total (axis from zero), then the zones (the
    # largest ones if many; none when the only zone is the region)
    chart_row = total_row + 2
    region_chart = charts.line_chart_from_rows(
        st.title, rows=[total_row], title_col=nl, first_col=first_year_col, last_col=last_year_col,
        categories_row=S.HEADER_ROW, title=S.CHART_TEXTS["region_total"].get(lang),
        y_title=S.CHART_TEXTS["persons"].get(lang),
    )
    region_chart = replace(region_chart, value_min=0.0)
    st.chart(region_chart, chart_row, 1)
    last_row = chart_row + rows_for_cm(region_chart.height_cm)
    if K > 1:
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
        zone_chart = replace(zone_chart, width_cm=charts.WIDTH_CM + 6, value_min=0.0)
        zone_row = last_row + 1
        st.chart(zone_chart, zone_row, 1)
        last_row = zone_row + rows_for_cm(zone_chart.height_cm)
    st.print_setup(area=f"A1:{get_column_letter(last_year_col + 2)}{last_row}")
    return st


def _population_detail(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows]) -> XlsxSheet:
    sheet = S.POPULATION_DETAIL
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    T1, K, n_sex, A1 = p.population.shape
    codes, names = zone_arrays(p)
    write_title(st, sheet, lang)
    write_headers(st, sheet.headers(lang))
    _year_headers(st, years, len(sheet.columns) + 1)
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
    TableWriter(st, streamed).write(S.FIRST_DATA_ROW, cols, styles)
    nl = len(sheet.columns)
    set_widths(st, [c.width for c in sheet.columns] + [sheet.year_width] * T1)
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, S.HEADER_ROW + n, nl + T1)
    st.print_setup()
    return st


def _components(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows]) -> XlsxSheet:
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
    check = "ROUND(" + check + "),3)"
    nl = 3

    def table(first_row: int, code: list[str], name: list[str], frame, total: bool, writer) -> int:
        cols: list[Column] = [code, name, frame["year"].to_numpy() if "year" in frame else frame.index.to_numpy()]
        values = {k: np.round(frame[k].to_numpy(dtype=float), DECIMALS) for k in keys}
        balance = values["end"] - values["start"] - sum(sign * values[k] for k, sign in S.COMPONENT_SIGNS.items())
        cols += [values[k] for k in keys] + [RowFormula(check, np.round(balance, 3))]
        styles = [data_style(c.number_format, total=total) for c in sheet.columns]
        return writer.write(first_row, cols, styles)

    region_name = S.REGION.get(lang)
    row = table(S.FIRST_DATA_ROW, [""] * T, [region_name] * T, region, True, TableWriter(st, None))
    last_table_col = len(sheet.columns)

    # chart data to the right of the region's rows: outflows negative, rows = years
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
    chart = charts.components_chart(
        st.title, header_row=S.HEADER_ROW, first_row=S.FIRST_DATA_ROW, last_row=S.FIRST_DATA_ROW + T - 1,
        category_col=hc, bar_cols=[hc + 1 + j for j in range(len(series))],
        line_col=hc + 1 + len(series), title=S.CHART_TEXTS["components"].get(lang),
        y_title=S.CHART_TEXTS["persons"].get(lang),
    )
    # the chart right under the region's rows, then the zones' rows
    st.chart(chart, row + 1, 1)
    zone_first = row + rows_for_cm(chart.height_cm) + 3
    st.put(zone_first - 1, 1, S.READABLE_TEXTS["by_zone"].get(lang), SUBTITLE)
    zones = _by_zone(df, K, T)
    zone_codes = zones["zone_code"].astype(str).tolist()
    zone_names = zones["zone_name"].astype(str).tolist()
    table(zone_first, zone_codes, zone_names, zones, False, TableWriter(st, streamed))
    last_row = zone_first + K * T - 1
    widths = {j + 1: c.width for j, c in enumerate(sheet.columns)} | fit_widths(st, last=3, minimum=6.0)
    set_widths(st, [widths[j + 1] for j in range(len(sheet.columns))])
    set_widths(st, [7.0] + [12.0] * (len(series) + 1), start=hc)
    labels = dict(enumerate(sheet.headers(lang), start=1)) | {hc + j: h for j, h in enumerate(heads)}
    fit_header_height(st, S.HEADER_ROW, labels, widths | {hc + j: 12.0 for j in range(1, len(heads))})
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, last_row, last_table_col)
    table_area = f"A1:{get_column_letter(last_table_col)}{last_row}"
    helper_area = f"{get_column_letter(hc)}{S.HEADER_ROW - 1}:{get_column_letter(hc + len(series) + 1)}{row - 1}"
    st.print_setup(area=[table_area, helper_area])
    return st


def _by_zone(df, K: int, T: int):
    """Components frame reordered zone by zone (the tidy table is year by year)."""
    order = np.arange(K * T).reshape(T, K).T.reshape(-1)
    return df.iloc[order].reset_index(drop=True)


def _age_group_rows(p: Projection) -> tuple[np.ndarray, list[str], list[str]]:
    """Persons (T+1, K, R) in SSB's standard groups, then the service sums, then the dependency
    ratios per 100 persons 20–66; row kinds ('group', 'sum', 'ratio') and keys."""
    by_age = p.population.sum(axis=2)  # (T+1, K, A1)
    groups = sum_ages(by_age, AG.group_bounds(AG.STANDARD_GROUPS))
    sums = sum_ages(by_age, AG.group_bounds(AG.SERVICE_SUM_GROUPS))
    ratios = p.dependency_ratios()
    rat = np.stack([ratios[k] * 100.0 for k in AG.DEPENDENCY_LABELS], axis=2)
    kinds = ["group"] * groups.shape[2] + ["sum"] * sums.shape[2] + ["ratio"] * rat.shape[2]
    keys = [g.key for g in AG.STANDARD_GROUPS] + [g.key for g in AG.SERVICE_SUM_GROUPS] + list(AG.DEPENDENCY_LABELS)
    return np.concatenate([groups, sums, rat], axis=2), kinds, keys


def _age_group_labels(kinds: list[str], keys: list[str], lang: str) -> list[str]:
    sums = {g.key: g for g in AG.SERVICE_SUM_GROUPS}
    out = []
    for kind, key in zip(kinds, keys, strict=True):
        if kind == "group":
            out.append(AG.label(key, lang))
        elif kind == "sum":
            out.append(f"{S.READABLE_TEXTS['sum_prefix'].get(lang)} {sums[key].label.get(lang)}")
        else:
            out.append(f"{S.READABLE_TEXTS['ratio_prefix'].get(lang)} {AG.DEPENDENCY_LABELS[key].get(lang)}")
    return out


def _age_groups(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows]) -> XlsxSheet:
    """SSB's standard groups, service sums and dependency ratios; the region's rows first with
    two charts under them (children and young people, the elderly; persons, axes from zero),
    then every zone's rows."""
    sheet = S.AGE_GROUPS
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    arr, kinds, keys = _age_group_rows(p)  # (T+1, K, R)
    T1, K, R = arr.shape
    labels = _age_group_labels(kinds, keys, lang)
    by_age = p.population.sum(axis=2).sum(axis=1)  # (T+1, A1) region
    region = np.concatenate([
        sum_ages(by_age, AG.group_bounds(AG.STANDARD_GROUPS)),
        sum_ages(by_age, AG.group_bounds(AG.SERVICE_SUM_GROUPS)),
        np.stack([p.dependency_ratios()["region_" + k] * 100.0 for k in AG.DEPENDENCY_LABELS], axis=1),
    ], axis=1)  # (T+1, R)  # fmt: skip
    codes, names = zone_arrays(p)
    write_title(st, sheet, lang)
    write_headers(st, sheet.headers(lang))
    nl = len(sheet.columns)
    _year_headers(st, years, nl + 1)
    label_styles = [data_style(c.number_format) for c in sheet.columns]
    r = S.FIRST_DATA_ROW
    for i in range(R):
        kind = kinds[i]
        total = kind == "group"
        style = data_style(S.FMT_PERSONS, total=total)
        if kind != "group":
            style = style.but(italic=True)
        for j, v in enumerate(["", S.REGION.get(lang), labels[i]]):
            st.put(r, 1 + j, v, label_styles[j].but(bold=total, fill=style.fill, italic=style.italic,
                                                   border_top=style.border_top))  # fmt: skip
        for t in range(T1):
            st.put(r, nl + 1 + t, round(float(region[t, i]), DECIMALS) if np.isfinite(region[t, i]) else None, style)
        r += 1
    region_last = r - 1
    # charts right under the region's rows
    n_std = kinds.count("group")
    young = [S.FIRST_DATA_ROW + i for i, k in enumerate(keys[:n_std]) if AG.GROUPS_BY_KEY[k].last <= 19]
    old = [S.FIRST_DATA_ROW + i for i, k in enumerate(keys[:n_std]) if AG.GROUPS_BY_KEY[k].first >= 67]
    chart_row = region_last + 2
    height = 0
    for c, (rows, title) in enumerate(((young, "children_chart"), (old, "elderly_chart"))):
        chart = charts.line_chart_from_rows(
            st.title, rows=rows, title_col=nl, first_col=nl + 1, last_col=nl + T1,
            categories_row=S.HEADER_ROW, title=S.READABLE_TEXTS[title].get(lang),
            y_title=S.CHART_TEXTS["persons"].get(lang),
        )  # fmt: skip
        chart = replace(chart, value_min=0.0, legend="bottom", width_cm=15.0, height_cm=9.5)
        st.chart(chart, chart_row, 1 if c == 0 else nl + 1 + cols_for_cm(chart.width_cm - 11.5, 9.0))
        height = rows_for_cm(chart.height_cm)
    zone_first = chart_row + height + 2
    st.put(zone_first - 1, 1, S.READABLE_TEXTS["by_zone"].get(lang), SUBTITLE)
    zone_vals = arr.transpose(1, 2, 0).reshape(K * R, T1)
    cols: list[Column] = [
        np.repeat(np.asarray(codes, dtype=object), R).tolist(),
        np.repeat(np.asarray(names, dtype=object), R).tolist(),
        labels * K,
        *[zone_vals[:, i] for i in range(T1)],
    ]
    styles = label_styles + [data_style(S.FMT_PERSONS)] * T1
    TableWriter(st, streamed).write(zone_first, cols, styles)
    last_col, last_row = nl + T1, zone_first + K * R - 1
    set_widths(st, [sheet.year_width] * T1, start=nl + 1)
    fit_widths(st, last=nl, minimum=7.0)
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, last_row, last_col)
    st.print_setup(area=f"A1:{get_column_letter(last_col)}{last_row}")
    return st


def _pyramid(wb: XlsxBook, p: Projection, lang: str) -> XlsxSheet:
    """One overlaid pyramid of the whole region: the final year as bars, the base year as a
    line over them (ages bottom to top)."""
    sheet = S.PYRAMID
    st = new_sheet(wb, sheet, lang)
    first_year, last_year = int(p.years[0]), int(p.years[-1])
    write_title(st, sheet, lang)
    heads = [sheet.column("age").label.get(lang)]
    data: list[np.ndarray] = []
    for year in (last_year, first_year):
        pyr = p.pyramid(year)
        for s_, key in ((0, "male"), (1, "female")):
            heads.append(S.PYRAMID_SERIES.format(lang, sex=S.SEX_LABELS[s_].get(lang), year=year))
            sign = -1.0 if s_ == 0 else 1.0
            data.append(sign * pyr[key].to_numpy(dtype=float))
    write_headers(st, heads)
    A1 = len(data[0])
    ages = np.arange(A1)
    styles = [data_style("0")] + [data_style(S.FMT_PYRAMID)] * 4
    TableWriter(st, None).write(S.FIRST_DATA_ROW, [ages, *data], styles)
    set_widths(st, [7.0] + [11.0] * 4)
    fit_widths(st, last=5, minimum=7.0)
    st.height(S.HEADER_ROW, 30)
    freeze_labels(st, 1)
    top = charts.nice_ceiling(max(float(np.abs(d).max()) for d in data))
    last = S.FIRST_DATA_ROW + A1 - 1
    chart = charts.overlaid_pyramid_chart(
        st.title, header_row=S.HEADER_ROW, first_row=S.FIRST_DATA_ROW, last_row=last, age_col=1,
        male_col=2, female_col=3, line_male_col=4, line_female_col=5,
        title=S.READABLE_TEXTS["pyramid_overlay"].format(lang, first=first_year, last=last_year),
        x_title=S.CHART_TEXTS["persons"].get(lang), axis_max=top,
    )  # fmt: skip
    st.chart(chart, S.HEADER_ROW, 7)
    last_col = 7 + cols_for_cm(chart.width_cm, 8.43)
    st.print_setup(area=f"A1:{get_column_letter(last_col)}{max(last, S.HEADER_ROW + rows_for_cm(chart.height_cm))}")
    return st


# --------------------------------------------------------------------------- uncertainty
#: Columns of the uncertainty table (keys of :data:`schema.outputs.UNCERTAINTY`).
_INTERVAL_VALUES = ("projected", "lower95", "lower80", "upper80", "upper95")
#: First column of the panel right of the table (selectors, note, charts) and of the chart data.
_PANEL_COL = len(S.UNCERTAINTY.columns) + 2
_PANEL_WIDTH = 9  # columns of the note and the charts
_DATA_COL = _PANEL_COL + _PANEL_WIDTH + 1


def interval_rows(intervals: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rows of the uncertainty table: the region first (its name in ``lang``), then every
    zone in the projection's order; measures in :data:`schema.outputs.INTERVAL_MEASURES` order,
    years ascending; rows without an interval left out."""
    df = intervals.dropna(subset=["lower80", "upper80", "lower95", "upper95"]).copy()
    df["zone_name"] = np.where(df["zone_code"] == "", S.REGION.get(lang), df["zone_name"].astype(str))
    order = {c: i for i, c in enumerate(dict.fromkeys(df["zone_code"]))}
    df["_zone"] = df["zone_code"].map(lambda c: -1 if c == "" else order[c])
    df["_measure"] = df["measure"].map({m: i for i, m in enumerate(S.INTERVAL_MEASURES)})
    df = df.sort_values(["_zone", "_measure", "year"], kind="stable")
    df["measure_label"] = df["measure"].map({k: t.get(lang) for k, t in S.INTERVAL_MEASURES.items()})
    return df.drop(columns=["_zone", "_measure"]).reset_index(drop=True)


def _fan_block(st: XlsxSheet, lang: str, header_row: int, years: list[int], values) -> tuple[int, int]:  # noqa: ANN001
    """Chart data of one fan chart from ``header_row``: year, the four bounds, the projection
    and the widths of the three bands stacked on the lower 95 % bound. ``values(key, i, row)``
    gives the cell content of ``key`` in year ``i`` (sheet row ``row``): a number or a
    :class:`Formula`. Returns the first and last data rows."""
    T = S.UNCERTAINTY_TEXTS
    bounds = [S.UNCERTAINTY.column(k).label.get(lang) for k in _FAN_KEYS]
    heads = [S.YEAR.label.get(lang), *bounds, T["projected"].get(lang), T["band95"].get(lang),
             T["band80"].get(lang), T["band95_upper"].get(lang)]  # fmt: skip
    write_headers(st, heads, row=header_row, col=_DATA_COL)
    helper = data_style(S.FMT_PERSONS, helper=True)
    first = header_row + 1
    for i, y in enumerate(years):
        r = first + i
        st.put(r, _DATA_COL, int(y), data_style(S.FMT_YEAR, helper=True))
        v = {k: values(k, i, r) for k in (*_FAN_KEYS, "projected")}
        cells = [*v.values(), _minus(v["lower80"], v["lower95"]), _minus(v["upper80"], v["lower80"]),
                 _minus(v["upper95"], v["upper80"])]  # fmt: skip
        for j, value in enumerate(cells):
            st.put(r, _DATA_COL + 1 + j, value, helper)
    return first, first + len(years) - 1


#: Bounds in the order of the chart data (the lower 95 % bound is the base of the bands).
_FAN_KEYS = ("lower95", "lower80", "upper80", "upper95")
#: Line colours of the selection's chart: 95 % bounds light, 80 % bounds mid, projection dark.
_FAN_LINE_COLOURS = ("9ECAE1", "4292C6", "08306B", "4292C6", "9ECAE1")


def _minus(a: object, b: object) -> object:
    if isinstance(a, Formula):
        return Formula(f"{a.source.lstrip('=')}-{b.source.lstrip('=')}", a.value - b.value)
    return round(float(a) - float(b), DECIMALS)


def _growth(start: np.ndarray | float, end: np.ndarray | float) -> np.ndarray:
    """``IF(start=0, 0, end/start-1)`` as the cells compute it."""
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(start == 0, 0.0, end / np.where(start == 0, 1.0, start) - 1)


def _uncertainty(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows],
                 intervals: pd.DataFrame) -> XlsxSheet:
    """Projected values with 80 % and 95 % intervals per zone (the region first), measure and
    year; a selector (zone, measure) driving one fan chart through SUMIFS formulas, a fan chart
    of the region's total and a note on what the intervals mean."""
    sheet, T = S.UNCERTAINTY, S.UNCERTAINTY_TEXTS
    st = new_sheet(wb, sheet, lang)
    write_title(st, sheet, lang)
    write_headers(st, sheet.headers(lang))
    df = interval_rows(intervals, lang)
    keys = [c.key for c in sheet.columns]
    cols_of = {"zone_code": df["zone_code"].astype(str).tolist(), "zone_name": df["zone_name"].tolist(),
               "measure": df["measure_label"].tolist(), "year": df["year"].to_numpy(dtype=int),
               "horizon": df["horizon"].to_numpy(dtype=int),
               **{k: df[k].to_numpy(dtype=float) for k in _INTERVAL_VALUES}}  # fmt: skip
    styles = [data_style(c.number_format) for c in sheet.columns]
    n_region = int((df["zone_code"] == "").sum())
    first = S.FIRST_DATA_ROW
    if n_region:  # the region's rows as cells in the total style, the zones' rows streamed
        TableWriter(st, None).write(first, [cols_of[k][:n_region] for k in keys],
                                     [data_style(c.number_format, total=True) for c in sheet.columns])  # fmt: skip
    last_row = first + len(df) - 1
    if len(df) > n_region:
        TableWriter(st, streamed).write(first + n_region, [cols_of[k][n_region:] for k in keys], styles)
    fit_widths(st, last=len(keys), minimum=7.0, maximum=24.0)
    fit_header_height(st, S.HEADER_ROW, dict(enumerate(sheet.headers(lang), start=1)), {})
    freeze_labels(st, 2)
    if len(df):
        st.autofilter(S.HEADER_ROW, 1, last_row, len(keys))
    years = [int(y) for y in p.years]
    # the selectors: zone (by name) and measure, with drop-down lists kept beside the chart data
    pc = _PANEL_COL
    zone_names = list(dict.fromkeys(df["zone_name"]))
    measure_labels = [t.get(lang) for t in S.INTERVAL_MEASURES.values()]
    st.put(S.HEADER_ROW, pc, T["choose_zone"].get(lang), HEADER)
    st.put(S.HEADER_ROW + 1, pc, T["choose_measure"].get(lang), HEADER)
    pick = INPUT_CELL.but(bold=True)
    default_zone = zone_names[1] if len(zone_names) > 1 else (zone_names[0] if zone_names else "")
    st.put(S.HEADER_ROW, pc + 1, default_zone, pick)
    st.put(S.HEADER_ROW + 1, pc + 1, measure_labels[0], pick)
    list_col = _DATA_COL + 10
    st.put(S.HEADER_ROW - 1, list_col, T["choose_zone"].get(lang), HELPER_TITLE)
    st.put(S.HEADER_ROW - 1, list_col + 1, T["choose_measure"].get(lang), HELPER_TITLE)
    for i, name in enumerate(zone_names):
        st.put(S.HEADER_ROW + i, list_col, name, data_style(S.FMT_TEXT, helper=True))
    for i, label in enumerate(measure_labels):
        st.put(S.HEADER_ROW + i, list_col + 1, label, data_style(S.FMT_TEXT, helper=True))
    for row, col, n in ((S.HEADER_ROW, list_col, len(zone_names)), (S.HEADER_ROW + 1, list_col + 1, len(measure_labels))):
        letter = get_column_letter(col)
        st.validation(row, pc + 1, row, pc + 1, source=f"${letter}${S.HEADER_ROW}:${letter}${S.HEADER_ROW + max(n, 1) - 1}")
    # the note, merged over the panel
    note_top = S.HEADER_ROW + 3
    note_bottom = note_top + 12
    st.put(note_top, pc, T["note"].get(lang), NOTE.but(wrap=True))
    st.merge(note_top, pc, note_bottom, pc + _PANEL_WIDTH - 1)
    # the chart of the selection: SUMIFS over the table by zone name, measure label and year
    letter = {k: get_column_letter(i + 1) for i, k in enumerate(keys)}

    def rng(k: str) -> str:
        return f"${letter[k]}${first}:${letter[k]}${max(last_row, first)}"

    zone_cell = f"${get_column_letter(pc + 1)}${S.HEADER_ROW}"
    measure_cell = f"${get_column_letter(pc + 1)}${S.HEADER_ROW + 1}"
    year_letter = get_column_letter(_DATA_COL)

    def sumifs(k: str, year: str) -> str:
        return (f"SUMIFS({rng(k)},{rng('zone_name')},{zone_cell},{rng('measure')},{measure_cell},"
                f"{rng('year')},{year})")  # fmt: skip

    base_year = f"${year_letter}${S.HEADER_ROW + 1}"

    shown = df[(df["zone_name"] == default_zone) & (df["measure_label"] == measure_labels[0])].set_index("year")

    def now(k: str, year: int) -> float:  # what the SUMIFS gives for the pre-selected zone and measure
        return float(shown[k].get(year, 0.0)) if len(shown) else 0.0

    def selected(k: str, i: int, r: int) -> Formula:
        # change from the base year: the fan opens from zero and every zone's axis fits its numbers
        return Formula(f"{sumifs(k, f'${year_letter}{r}')}-{sumifs('projected', base_year)}",
                       round(now(k, years[i]) - now("projected", years[0]), DECIMALS))  # fmt: skip

    st.put(S.HEADER_ROW - 1, _DATA_COL, T["chart_data"].get(lang), HELPER_TITLE)
    sel_rows = _fan_block(st, lang, S.HEADER_ROW, years, selected)
    chart_row = note_bottom + 2
    st.put(chart_row, pc, Formula(f'{zone_cell}&" – "&{measure_cell}', f"{default_zone} – {measure_labels[0]}"), SUBTITLE)
    # lines: an axis that follows the chosen zone's numbers (a stacked area starts at zero)
    chart = charts.line_chart_from_columns(
        st.title, header_row=S.HEADER_ROW, first_row=sel_rows[0], last_row=sel_rows[1], category_col=_DATA_COL,
        value_cols=[_DATA_COL + j for j in (1, 2, 5, 3, 4)], title=T["chart_selected"].get(lang),
        y_title=T["change_axis"].format(lang, base=years[0]), colours=_FAN_LINE_COLOURS,
    )  # fmt: skip
    chart = replace(chart, height_cm=charts.HEIGHT_CM + 1)
    st.chart(chart, chart_row + 1, pc)
    # the region's total as numbers (no formulas): a fan chart that needs no recalculation
    region = df[(df["zone_code"] == (df["zone_code"].iloc[0] if len(df) else "")) & (df["measure"] == "total")]
    region_head = sel_rows[1] + 3
    st.put(region_head - 1, _DATA_COL, T["region_data"].get(lang), HELPER_TITLE)
    by_year = region.set_index("year")
    reg_rows = _fan_block(st, lang, region_head, years,
                          lambda k, i, _r: round(float(by_year.loc[years[i], k]), DECIMALS) if years[i] in by_year.index else 0.0)  # fmt: skip
    region_name = str(region["zone_name"].iloc[0]) if len(region) else S.REGION.get(lang)
    c = _DATA_COL
    low = float(region["lower95"].min()) if len(region) else 0.0
    region_chart = charts.fan_chart(
        st.title, header_row=region_head, first_row=reg_rows[0], last_row=reg_rows[1], category_col=c,
        base_col=c + 1, band_cols=(c + 6, c + 7, c + 8), line_col=c + 5,
        title=T["chart"].format(lang, zone=region_name, measure=S.INTERVAL_MEASURES["total"].get(lang)),
        y_title=S.CHART_TEXTS["persons"].get(lang),
    )  # fmt: skip
    # the bands sit on an invisible area from zero: start the axis just below them
    region_chart = replace(region_chart, value_min=charts.nice_floor(0.95 * low))
    region_at = chart_row + 2 + rows_for_cm(chart.height_cm)
    st.chart(region_chart, region_at, pc)
    end_row = region_at + rows_for_cm(region_chart.height_cm)
    set_widths(st, [16.0, 22.0], start=pc)
    set_widths(st, [9.0] * 9, start=_DATA_COL)
    set_widths(st, [18.0, 18.0], start=list_col)
    st.print_setup(area=f"A1:{get_column_letter(pc + _PANEL_WIDTH - 1)}{end_row}")
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


def run_log_items(p: Projection, run_log: dict | None = None, *, language: str = "nb") -> dict[str, object]:
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
        checks = S.READABLE_TEXTS["checks_summary"].format(language, n=len(checks), bad=len(bad))
        checks += f": {', '.join(map(str, bad))}" if bad else ""
    items["checks"] = checks
    given.pop("warnings", None)
    items.update({k: v for k, v in given.items() if v is not None})
    return items


_STEP_WORDS = re.compile(r"\b(" + "|".join(S.RUN_LOG_STEPS) + r")\b")


def _run_log(wb: XlsxBook, p: Projection, lang: str, run_log: dict | None) -> XlsxSheet:
    sheet = S.RUN_LOG
    st = new_sheet(wb, sheet, lang)
    write_title(st, sheet, lang)
    write_headers(st, sheet.headers(lang))
    items = run_log_items(p, run_log, language=lang)
    r = S.FIRST_DATA_ROW
    not_given = S.RUN_LOG_NOT_GIVEN.get(lang)
    labels = {**S.RUN_LOG_ITEMS, **S.RUN_LOG_EXTRA_ITEMS}
    for key, value in items.items():
        label = labels[key].get(lang) if key in labels else key
        if key == "seconds" and isinstance(value, str):
            value = _STEP_WORDS.sub(lambda m: S.RUN_LOG_STEPS[m.group(0)].get(lang), value)
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
def _build(wb: XlsxBook, projection: Projection, language: str, run_log: dict | None,
           streamed: list[StreamedRows], intervals: pd.DataFrame | None = None) -> None:  # fmt: skip
    S.check_language(language)
    _key_figures(wb, projection, language, streamed)
    _population_summary(wb, projection, language, streamed)
    _population_detail(wb, projection, language, streamed)
    _components(wb, projection, language, streamed)
    _age_groups(wb, projection, language, streamed)
    _pyramid(wb, projection, language)
    _uncertainty(wb, projection, language, streamed,
                 intervals_of_projection(projection) if intervals is None else intervals)
    add_market_sheets(wb, projection, language)
    _run_log(wb, projection, language, run_log)
    wb.activate(0)


def result_sheets(projection: Projection, *, language: str = "nb", run_log: dict | None = None,
                  intervals: pd.DataFrame | None = None) -> bytes:  # fmt: skip
    """The output sheets of ``projection`` as a workbook of their own (the bytes of an .xlsx).

    Parameters
    ----------
    projection : Projection
        The engine's result.
    language : {'nb', 'en'}
        Label language (Norwegian bokmål by default).
    run_log : dict, optional
        Extra run information for the run-log sheet (see :func:`run_log_items`).
    intervals : DataFrame, optional
        The projection's prediction intervals (as made by
        :func:`regbef_excel.evaluation.calibrate.intervals_of_projection`) for the uncertainty
        sheet; default: computed with the shipped calibration.
    """
    buffer = io.BytesIO()
    streamed: list[StreamedRows] = []
    with XlsxBook(buffer) as book:
        _build(book, projection, language, run_log, streamed, intervals)
    return stream_rows(buffer.getvalue(), streamed)


def write_results(
    projection: Projection,
    path: str | os.PathLike[str],
    *,
    language: str = "nb",
    base_workbook: Workbook | str | os.PathLike[str] | None = None,
    run_log: dict | None = None,
    intervals: pd.DataFrame | None = None,
    _before_replace: Callable[[Path], None] | None = None,
) -> Path:
    """Write the results to a new workbook file, atomically.

    Parameters
    ----------
    projection : Projection
        The engine's result.
    path : path-like
        Output file (.xlsx, or .xlsm when the base workbook holds macros). Written through a
        temporary file in the same directory and ``os.replace``; on any error no partial file is
        left and an existing file is untouched.
    language : {'nb', 'en'}
        Label language.
    base_workbook : openpyxl Workbook or path, optional
        Workbook whose sheets come first (e.g. the input sheets). A file is only read: its parts
        are copied unchanged and the result sheets spliced in beside them
        (:func:`regbef_excel.io.write.splice.splice_sheets`); result sheets of an earlier run
        are replaced. An openpyxl workbook (one built in memory) is saved to memory first.
    run_log : dict, optional
        Run information; ``run_log['input_path']`` names the input file, which this function
        refuses to overwrite.
    intervals : DataFrame, optional
        Prediction intervals for the uncertainty sheet (see :func:`result_sheets`).

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
    sheets = result_sheets(projection, language=language, run_log=run_log, intervals=intervals)
    with atomic_path(out) as tmp:
        if base_workbook is None:
            tmp.write_bytes(sheets)
        else:
            if isinstance(base_workbook, Workbook):
                memory = io.BytesIO()
                base_workbook.save(memory)
                base: bytes | Path = memory.getvalue()
            else:
                base = Path(base_workbook)
            splice_sheets(base, sheets, tmp, macros=out.suffix.lower() == ".xlsm")
        if _before_replace is not None:
            _before_replace(tmp)
    return out


__all__ = ["result_sheets", "file_sha256", "inputs_sha256", "interval_rows", "run_log_items", "write_results"]
