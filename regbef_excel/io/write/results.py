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
from regbef_excel.engine.results import DEPENDENCY_RATIOS, Projection, sum_ages
from regbef_excel.evaluation.calibrate import intervals_of_projection
from regbef_excel.files import atomic_path, file_sha256
from regbef_excel.files import same_file as _same_file
from regbef_excel.io.write import charts
from regbef_excel.io.write.markets import add_market_sheets
from regbef_excel.io.write.splice import splice_sheets
from regbef_excel.io.write.streamed_rows import Column, RowFormula, StreamedRows, TableWriter, finisher, stream_rows
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
    text_width,
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


# --------------------------------------------------------------------------- observed history
@dataclass(frozen=True)
class ObservedHistory:
    """Observed population before the base year, shown beside the projection.

    Attributes
    ----------
    years : tuple of int
        Years ascending; the population on 31 December of each.
    population : numpy.ndarray
        Persons ``(len(years), K, 2, A1)`` in the projection's zone order, sexes (males first)
        and ages (the last one open); NaN for a zone without history.
    source : {'workbook', 'ssb'}
        The input workbook's history sheet, or the SSB population (table 07459) the package
        ships, by municipality code.
    """

    years: tuple[int, ...]
    population: np.ndarray
    source: str

    def zones_with(self) -> np.ndarray:
        """Boolean per zone: has observed numbers."""
        if not self.years:
            return np.zeros(self.population.shape[1], dtype=bool)
        return np.isfinite(self.population).all(axis=(0, 2, 3))

    def shown(self) -> bool:
        """Whether any zone has observed numbers (else the sheets show the note only)."""
        return bool(self.zones_with().any())


def _history_note(p: Projection, history: ObservedHistory | None, lang: str) -> str | None:
    """The one note on a sheet about zones without observed history, or None."""
    if history is None:
        return None
    have = history.zones_with()
    T = S.HISTORY_TEXTS
    why = T["why_workbook" if history.source == "workbook" else "why_ssb"].get(lang)
    if not history.years:
        return T["none_years"].format(lang, base=int(p.years[0]), why=why)
    if have.all():
        return None
    _codes, names = zone_arrays(p)
    missing = ", ".join(n for n, h in zip(names, have, strict=True) if not h)
    key = "none_zones" if not have.any() else "some_zones"
    return T[key].format(lang, zones=missing, why=why)


def _observed_header(history: ObservedHistory, lang: str) -> tuple[str, CellStyle]:
    source = S.HISTORY_TEXTS["source_" + history.source].get(lang)
    return S.HISTORY_TEXTS["observed_band"].format(lang, source=source), OBSERVED_HEADER


def _band_labels(st: XlsxSheet, history: ObservedHistory, lang: str, first_col: int, n_obs: int) -> None:
    """Row 3 over the year columns: "observed (source)" over the observed years (grey), "base
    year and projection" over the rest."""
    text, style = _observed_header(history, lang)
    st.put(S.HEADER_ROW - 1, first_col, text, OBSERVED_BAND)
    st.put(S.HEADER_ROW - 1, first_col + n_obs, S.HISTORY_TEXTS["projected_band"].get(lang), PROJECTED_BAND)
    for j in range(1, n_obs):
        st.put(S.HEADER_ROW - 1, first_col + j, None, OBSERVED_BAND)


def _observed_year_headers(st: XlsxSheet, years: Sequence[int], first_col: int) -> None:
    for i, y in enumerate(years):
        st.put(S.HEADER_ROW, first_col + i, int(y), OBSERVED_HEADER)


#: Observed year headers: grey instead of the projection's blue; the band label above them.
OBSERVED_HEADER = YEAR_END_HEADER.but(fill="7F7F7F")
OBSERVED_BAND = CellStyle(bold=True, italic=True, size=9, colour="FFFFFF", fill="7F7F7F")
PROJECTED_BAND = CellStyle(bold=True, italic=True, size=9, colour="1F4E79")
#: Observed numbers: grey text, so observed and projected columns differ at a glance.
OBSERVED_DATA_COLOUR = "595959"


def _observed_style(fmt: str, *, total: bool = False) -> CellStyle:
    return data_style(fmt, total=total).but(colour=OBSERVED_DATA_COLOUR, italic=True)


def _pairs_block(st: XlsxSheet, lang: str, top: int, col: int, years: Sequence[int], n_obs: int,
                 lines: Sequence[tuple[str, np.ndarray]], *, both_first: bool = False) -> list[tuple[int, int]]:  # fmt: skip
    """Chart data of an observed-and-projected line chart from row ``top`` at column ``col``:
    the years in the first row, then two rows per line (observed years up to the base year,
    projected years from it; blank elsewhere so the chart leaves gaps). ``lines`` = (name,
    values over all ``years``); ``both_first``: the first line's legend shows both parts by
    name. Returns the (observed, projected) row pairs."""
    T = S.HISTORY_TEXTS
    st.put(top - 1, col, T["chart_data"].get(lang), HELPER_TITLE)
    st.put(top, col, S.YEAR.label.get(lang), data_style(S.FMT_TEXT, helper=True))
    for j, y in enumerate(years):
        st.put(top, col + 1 + j, int(y), data_style(S.FMT_YEAR, helper=True))
    helper = data_style(S.FMT_PERSONS, helper=True)
    pairs = []
    r = top + 1
    for i, (name, values) in enumerate(lines):
        for part, keep in (("observed", lambda j: j <= n_obs), ("projected", lambda j: j >= n_obs)):
            # the legend names the projected line plainly, except a line shown with both parts
            label = name if part == "projected" and not (i == 0 and both_first) else f"{name} ({T[part].get(lang)})"
            st.put(r, col, label, data_style(S.FMT_TEXT, helper=True))
            for j, v in enumerate(values):
                ok = keep(j) and np.isfinite(v)
                st.put(r, col + 1 + j, round(float(v), DECIMALS) if ok else None, helper)
            r += 1
        pairs.append((r - 2, r - 1))
    return pairs


def _observed_chart(st: XlsxSheet, pairs: list[tuple[int, int]], data_col: int, n_years: int, title: str,
                    lang: str, *, observed_in_legend: bool = False) -> charts.Chart:  # fmt: skip
    """The line chart of rows made by :func:`_pairs_block` (observed dashed, projected solid)."""
    return charts.line_chart_from_rows(
        st.title, rows=[p for _o, p in pairs], observed_rows=[o for o, _p in pairs], title_col=data_col,
        first_col=data_col + 1, last_col=data_col + n_years, categories_row=S.HEADER_ROW, title=title,
        y_title=S.CHART_TEXTS["persons"].get(lang), x_title=S.HISTORY_TEXTS["x_axis"].get(lang),
        observed_in_legend=observed_in_legend,
    )  # fmt: skip


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


def _population_summary(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows],
                        history: ObservedHistory | None = None) -> XlsxSheet:  # fmt: skip
    """Population by zone and year, the region's total under it, the change base→final; with
    ``history``, the observed years before the base year in grey columns left of the projection;
    charts under the table (observed dashed, projected solid)."""
    sheet = S.POPULATION_SUMMARY
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    codes, names = zone_arrays(p)
    tot = p.population.sum(axis=(2, 3)).T  # (K, T+1)
    K, Y = tot.shape
    show = history is not None and history.shown()
    obs_years = list(history.years) if show else []
    H = len(obs_years)
    obs = history.population.sum(axis=(2, 3)).T if show else np.zeros((K, 0))  # (K, H), NaN = none
    write_title(st, sheet, lang)
    note = _history_note(p, history, lang)
    change = S.SUMMARY_CHANGE.label.format(lang, first=years[0], last=years[-1])
    nl = len(sheet.columns)
    write_headers(st, sheet.headers(lang))
    if H:
        _observed_year_headers(st, obs_years, nl + 1)
    _year_headers(st, years, nl + H + 1)
    write_headers(st, [change, S.SUMMARY_CHANGE_PCT.label.get(lang)], col=nl + H + Y + 1)
    first_year_col, last_year_col = nl + H + 1, nl + H + Y
    fy, ly = get_column_letter(first_year_col), get_column_letter(last_year_col)
    obs_cols = [[None if not np.isfinite(v) else round(float(v), DECIMALS) for v in obs[:, i]] for i in range(H)]
    cols: list[Column] = [codes, names, *obs_cols, *[tot[:, i] for i in range(Y)]]
    start, end = np.round(tot[:, 0], DECIMALS), np.round(tot[:, -1], DECIMALS)
    cols += [RowFormula(f"{ly}{{r}}-{fy}{{r}}", end - start),
             RowFormula(f"IF({fy}{{r}}=0,0,{ly}{{r}}/{fy}{{r}}-1)", _growth(start, end))]  # fmt: skip
    styles = [data_style(S.FMT_TEXT)] * 2 + [_observed_style(S.FMT_PERSONS)] * H + [data_style(S.FMT_PERSONS)] * Y
    styles += [data_style(S.FMT_SIGNED_PERSONS), data_style(S.FMT_PERCENT)]
    first = S.FIRST_DATA_ROW
    total_row = TableWriter(st, streamed).write(first, cols, styles)
    # region total: SUM formulas keep the sheet live if a planner edits or filters nothing else
    region = tot.sum(axis=0)
    region_obs = obs.sum(axis=0)  # NaN when a zone has no history: the region's total is unknown
    st.put(total_row, 1, "", data_style(S.FMT_TEXT, total=True))
    st.put(total_row, 2, S.REGION.get(lang), data_style(S.FMT_TEXT, total=True))
    for i in range(H):
        v = region_obs[i]
        st.put(total_row, nl + 1 + i, round(float(v), DECIMALS) if np.isfinite(v) else None,
               _observed_style(S.FMT_PERSONS, total=True))  # fmt: skip
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
    if H:  # after the widths: the band labels run over the year columns
        _band_labels(st, history, lang, nl + 1, H)
    st.height(S.HEADER_ROW, 30)
    freeze_labels(st, nl)
    if note:
        st.put(total_row + 1, 1, note, NOTE)
    chart_row = total_row + (3 if note else 2)

    # charts right under the table: the region total (axis from zero), then the zones (the
    # largest ones if many; none when the only zone is the region)
    if K > 1:
        order = np.argsort(-tot[:, 0], kind="stable")
        if K <= MAX_ZONES_IN_CHART:
            chosen, title = sorted(order), S.CHART_TEXTS["zones_all"].get(lang)
        else:
            chosen = order[:MAX_ZONES_IN_CHART]
            title = S.CHART_TEXTS["zones_largest"].format(lang, n=MAX_ZONES_IN_CHART, k=K)
    else:
        chosen, title = [], ""
    persons = S.CHART_TEXTS["persons"].get(lang)
    if H:  # chart data right of the table: observed and projected as separate rows per line
        all_years = obs_years + years
        data_col = last_year_col + 4
        lines = [(S.REGION.get(lang), np.concatenate([region_obs, region]))]
        lines += [(names[k], np.concatenate([obs[k], tot[k]])) for k in chosen]
        pairs = _pairs_block(st, lang, S.HEADER_ROW, data_col, all_years, H, lines, both_first=True)
        region_chart = _observed_chart(st, pairs[:1], data_col, len(all_years), S.CHART_TEXTS["region_total"].get(lang),
                                       lang, observed_in_legend=True)  # fmt: skip
        zone_chart = _observed_chart(st, pairs[1:], data_col, len(all_years), title, lang) if len(chosen) else None
        set_widths(st, [24.0] + [7.0] * len(all_years), start=data_col)
    else:
        region_chart = charts.line_chart_from_rows(
            st.title, rows=[total_row], title_col=nl, first_col=first_year_col, last_col=last_year_col,
            categories_row=S.HEADER_ROW, title=S.CHART_TEXTS["region_total"].get(lang), y_title=persons,
        )
        zone_chart = charts.line_chart_from_rows(
            st.title, rows=[first + int(k) for k in chosen], title_col=nl, first_col=first_year_col,
            last_col=last_year_col, categories_row=S.HEADER_ROW, title=title, y_title=persons,
        ) if len(chosen) else None  # fmt: skip
    region_chart = replace(region_chart, value_min=0.0)
    st.chart(region_chart, chart_row, 1)
    last_row = chart_row + rows_for_cm(region_chart.height_cm)
    if zone_chart is not None:
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


def _age_group_values(by_age: np.ndarray) -> np.ndarray:
    """The rows of :func:`_age_group_rows` for persons by age ``(..., A1)``: ``(..., R)``; the
    dependency ratios per 100 persons 20–66 (NaN where nobody is 20–66), as the projection's."""
    groups = sum_ages(by_age, AG.group_bounds(AG.STANDARD_GROUPS))
    sums = sum_ages(by_age, AG.group_bounds(AG.SERVICE_SUM_GROUPS))
    parts = {k: (sum_ages(by_age, {"n": num})[..., 0], sum_ages(by_age, {"d": den})[..., 0])
             for k, (num, den) in DEPENDENCY_RATIOS.items()}  # fmt: skip
    parts["total"] = (parts["young"][0] + parts["old"][0], parts["young"][1])
    ratios = []
    for key in AG.DEPENDENCY_LABELS:
        num, den = parts[key]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios.append(np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan))
    return np.concatenate([groups, sums, np.stack(ratios, axis=-1)], axis=-1)


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


def _age_groups(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows], history: ObservedHistory | None = None) -> XlsxSheet:
    """SSB's standard groups, service sums and dependency ratios; the region's rows first with
    two charts under them (children and young people, the elderly; persons, axes from zero),
    then every zone's rows. With ``history``, the observed years in grey columns before the
    projection's, and dashed in the charts."""
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
    show = history is not None and history.shown()
    obs_years = list(history.years) if show else []
    H = len(obs_years)
    if H:
        hist_by_age = history.population.sum(axis=2)  # (H, K, A1), NaN for zones without history
        obs_zone = _age_group_values(hist_by_age)  # (H, K, R)
        obs_region = _age_group_values(hist_by_age.sum(axis=1))  # (H, R), NaN unless every zone has history
    codes, names = zone_arrays(p)
    write_title(st, sheet, lang)
    write_headers(st, sheet.headers(lang))
    nl = len(sheet.columns)
    if H:
        _observed_year_headers(st, obs_years, nl + 1)
    _year_headers(st, years, nl + H + 1)
    label_styles = [data_style(c.number_format) for c in sheet.columns]

    def number(v: float) -> float | None:
        return round(float(v), DECIMALS) if np.isfinite(v) else None

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
        for t in range(H):
            st.put(r, nl + 1 + t, number(obs_region[t, i]), style.but(colour=OBSERVED_DATA_COLOUR, italic=True))
        for t in range(T1):
            st.put(r, nl + H + 1 + t, number(region[t, i]), style)
        r += 1
    region_last = r - 1
    note = _history_note(p, history, lang)
    if note:
        st.put(region_last + 1, 1, note, NOTE)
    # charts right under the region's rows
    n_std = kinds.count("group")
    young_i = [i for i, k in enumerate(keys[:n_std]) if AG.GROUPS_BY_KEY[k].last <= 19]
    old_i = [i for i, k in enumerate(keys[:n_std]) if AG.GROUPS_BY_KEY[k].first >= 67]
    chart_row = region_last + (3 if note else 2)
    persons = S.CHART_TEXTS["persons"].get(lang)
    last_col = nl + H + T1
    if H:
        all_years = obs_years + years
        data_col = last_col + 3
        lines = [(labels[i], np.concatenate([obs_region[:, i], region[:, i]])) for i in (*young_i, *old_i)]
        pairs = _pairs_block(st, lang, S.HEADER_ROW, data_col, all_years, H, lines)
        set_widths(st, [24.0] + [7.0] * len(all_years), start=data_col)
        made = [_observed_chart(st, part, data_col, len(all_years), S.READABLE_TEXTS[title].get(lang), lang)
                for part, title in ((pairs[: len(young_i)], "children_chart"), (pairs[len(young_i):], "elderly_chart"))]  # fmt: skip
    else:
        made = [
            charts.line_chart_from_rows(
                st.title, rows=[S.FIRST_DATA_ROW + i for i in rows], title_col=nl, first_col=nl + 1,
                last_col=nl + T1, categories_row=S.HEADER_ROW, title=S.READABLE_TEXTS[title].get(lang),
                y_title=persons,
            )
            for rows, title in ((young_i, "children_chart"), (old_i, "elderly_chart"))
        ]  # fmt: skip
    height = 0
    for c, chart in enumerate(made):
        chart = replace(chart, value_min=0.0, legend="bottom", width_cm=15.0, height_cm=9.5 + (1.0 if H else 0.0))
        st.chart(chart, chart_row, 1 if c == 0 else nl + 1 + cols_for_cm(chart.width_cm - 11.5, 9.0))
        height = rows_for_cm(chart.height_cm)
    zone_first = chart_row + height + 2
    st.put(zone_first - 1, 1, S.READABLE_TEXTS["by_zone"].get(lang), SUBTITLE)
    zone_vals = arr.transpose(1, 2, 0).reshape(K * R, T1)
    obs_cols: list[Column] = []
    if H:
        obs_vals = obs_zone.transpose(1, 2, 0).reshape(K * R, H)
        obs_cols = [[number(v) for v in obs_vals[:, i]] for i in range(H)]
    cols: list[Column] = [
        np.repeat(np.asarray(codes, dtype=object), R).tolist(),
        np.repeat(np.asarray(names, dtype=object), R).tolist(),
        labels * K,
        *obs_cols,
        *[zone_vals[:, i] for i in range(T1)],
    ]
    styles = label_styles + [_observed_style(S.FMT_PERSONS)] * H + [data_style(S.FMT_PERSONS)] * T1
    TableWriter(st, streamed).write(zone_first, cols, styles)
    last_row = zone_first + K * R - 1
    # the headers show "31.12.2025" in bold: the columns fit them (and the numbers under them)
    year_width = max(sheet.year_width, text_width(years[-1], YEAR_END_HEADER) + 2.0)
    set_widths(st, [year_width] * (H + T1), start=nl + 1)
    fit_widths(st, last=nl, minimum=7.0)
    if H:  # after the widths: the band labels run over the year columns
        _band_labels(st, history, lang, nl + 1, H)
    freeze_labels(st, nl)
    st.autofilter(S.HEADER_ROW, 1, last_row, last_col)
    st.print_setup(area=f"A1:{get_column_letter(last_col)}{last_row}")
    return st


#: Characters SUMIFS and MATCH read as wildcards: the selector's labels show look-alikes.
_WILDCARD_LOOKALIKES = str.maketrans({"*": "\u2217", "?": "\uff1f", "~": "\u223c"})


def _selector_label(text: str) -> str:
    """``text`` as a label that SUMIFS and MATCH compare literally: wildcards replaced by
    look-alikes, and a leading comparison sign (``<``, ``>``, ``=``) behind a word joiner."""
    text = str(text).translate(_WILDCARD_LOOKALIKES)
    return "\u2060" + text if text[:1] in ("<", ">", "=") else text


def _unique_zone_labels(p: Projection, lang: str) -> list[str]:
    """The selector's choices: the region, then every zone by name (with its code where two
    zones share a name, ignoring case as the lookups do, so a label finds one zone)."""
    codes, names = zone_arrays(p)
    labels = [S.REGION.get(lang), *names]
    if len({label.casefold() for label in labels}) < len(labels):
        labels = [S.REGION.get(lang), *(f"{n} ({c})" for c, n in zip(codes, names, strict=True))]
    return [_selector_label(label) for label in labels]


@dataclass(frozen=True)
class _LongTable:
    """Where the selector's long table sits: a header row (zone, sex, age, then one column per
    year from ``year_col``), then ``n_rows`` rows; formulas look values up in it."""

    head: int
    n_rows: int
    years: int
    year_col: int = 4

    @property
    def first(self) -> int:
        return self.head + 1

    def _rng(self, first_col: int, last_col: int, first_row: int, last_row: int) -> str:
        a, b = get_column_letter(first_col), get_column_letter(last_col)
        return f"${a}${first_row}:${b}${last_row}"

    @property
    def names(self) -> str:
        return self._rng(1, 1, self.first, self.head + self.n_rows)

    @property
    def ages(self) -> str:
        return self._rng(3, 3, self.first, self.head + self.n_rows)

    @property
    def year_header(self) -> str:
        return self._rng(self.year_col, self.year_col + self.years - 1, self.head, self.head)

    @property
    def block(self) -> str:
        return self._rng(self.year_col, self.year_col + self.years - 1, self.first, self.head + self.n_rows)

    def year_column(self, year: str) -> str:
        """The column of ``year`` (a number or a cell reference) as a range."""
        return f"INDEX({self.block},0,MATCH({year},{self.year_header},0))"

    def value(self, zone: str, offset: int, year: str) -> str:
        """The value ``offset`` rows below the first row of ``zone`` (a cell reference) in ``year``."""
        return f"INDEX({self.block},MATCH({zone},{self.names},0)+{offset},MATCH({year},{self.year_header},0))"


def _selector_age_groups(st: XlsxSheet, lang: str, tbl: _LongTable, head: int, zone: str,
                         years: tuple[str, str, str], heads: list[object], shown) -> charts.Chart:  # noqa: ANN001
    """SSB's standard groups of the chosen zone in three years (SUMIFS over the zone's rows of
    each year's column) from row ``head``, and their clustered-column chart (not placed).
    ``shown(year)``: persons (sex, age) of the pre-selected zone, the formulas' cached results."""
    for j, h in enumerate([AG.CAPTIONS["standard"].get(lang), *heads]):
        st.put(head, 1 + j, h, HEADER if j == 0 else YEAR_END_HEADER)
    for i, g in enumerate(AG.STANDARD_GROUPS):
        r = head + 1 + i
        st.put(r, 1, g.label.get(lang), data_style(S.FMT_TEXT))
        for j, y in enumerate(years):
            cond = f'{tbl.names},{zone},{tbl.ages},">="&{g.first}'
            if not g.is_open:
                cond += f',{tbl.ages},"<="&{g.last}'
            ages = shown(y).sum(axis=0)
            value = float(ages[g.first:].sum() if g.is_open else ages[g.first:g.last + 1].sum())
            st.put(r, 2 + j, Formula(f"IFERROR(SUMIFS({tbl.year_column(y)},{cond}),0)", round(value, DECIMALS)),
                   data_style(S.FMT_PERSONS))  # fmt: skip
    first, last = head + 1, head + len(AG.STANDARD_GROUPS)
    series = tuple(
        charts.ChartSeries(charts.Ref(st.title, first, c, last, c), charts.Ref(st.title, head, c, head, c), colour)
        for c, colour in ((2, charts.tint(charts.PALETTE[0], 0.45)), (3, charts.CHOSEN_COLOUR), (4, charts.PALETTE[0]))
    )  # fmt: skip
    return charts.Chart(
        "column", series, charts.Ref(st.title, first, 1, last, 1),
        S.SELECTOR_TEXTS["age_chart"].format(lang, first=heads[0], last=heads[2]),
        value_title=S.CHART_TEXTS["persons"].get(lang), gap=60, legend="bottom",
        width_cm=charts.WIDTH_CM, height_cm=charts.HEIGHT_CM + 1,
    )  # fmt: skip


def _selector_pyramid(st: XlsxSheet, p: Projection, lang: str, tbl: _LongTable, col: int, zone: str,
                      years: tuple[str, str, str], shown, chosen_year: int) -> charts.Chart:  # noqa: ANN001
    """The pyramid's chart data from column ``col`` (one row per age; males negative) for the
    final, base and chosen year (``years``: numbers or a cell reference), and its chart;
    ``shown(year)`` as in :func:`_selector_age_groups`."""
    n_sex, A1 = p.population.shape[2:]
    st.put(S.HEADER_ROW - 1, col, S.SELECTOR_TEXTS["pyramid_data"].get(lang), HELPER_TITLE)
    heads: list[object] = [S.PYRAMID.column("age").label.get(lang)]
    plan = []  # (sex, year)
    for y in years:
        for s_ in range(n_sex):
            sex = S.SEX_LABELS[s_].get(lang)
            is_year = y.isdigit()
            heads.append(S.PYRAMID_SERIES.format(lang, sex=sex, year=y) if is_year
                         else Formula(f'"{sex} "&{y}', f"{sex} {chosen_year}"))  # fmt: skip
            plan.append((s_, y))
    write_headers(st, heads, col=col)
    style = data_style(S.FMT_PYRAMID, helper=True)
    for a in range(A1):
        r = S.FIRST_DATA_ROW + a
        st.put(r, col, a, data_style("0", helper=True))
        for j, (s_, y) in enumerate(plan):
            sign = "-" if s_ == 0 else ""
            value = round(float(shown(y)[s_, a]) * (-1 if s_ == 0 else 1), DECIMALS)
            st.put(r, col + 1 + j, Formula(f"IFERROR({sign}{tbl.value(zone, s_ * A1 + a, y)},0)", value), style)
    set_widths(st, [6.0] + [9.0] * (len(heads) - 1), start=col)
    return charts.overlaid_pyramid_chart(
        st.title, header_row=S.HEADER_ROW, first_row=S.FIRST_DATA_ROW, last_row=S.FIRST_DATA_ROW + A1 - 1,
        age_col=col, male_col=col + 1, female_col=col + 2, line_male_col=col + 3, line_female_col=col + 4,
        chosen_cols=(col + 5, col + 6), title=S.SELECTOR_TEXTS["pyramid"].format(lang, first=years[1], last=years[0]),
        x_title=S.CHART_TEXTS["persons"].get(lang),
    )  # fmt: skip


def _selector_table(st: XlsxSheet, p: Projection, lang: str, tbl: _LongTable, labels: list[str], streamed: list[StreamedRows] | None) -> None:
    """The long table the selector looks up: the region first, then every zone; sex, then age,
    in rows; years in columns."""
    T1, K, n_sex, A1 = p.population.shape
    st.put(tbl.head - 1, 1, S.SELECTOR_TEXTS["table"].get(lang), SUBTITLE)
    write_headers(st, [S.ZONE_NAME.label.get(lang), S.POPULATION_DETAIL.column("sex").label.get(lang),
                       S.PYRAMID.column("age").label.get(lang)], row=tbl.head)  # fmt: skip
    years = [int(y) for y in p.years]
    for i, y in enumerate(years):
        st.put(tbl.head, tbl.year_col + i, y, YEAR_END_HEADER)
    region = p.population.sum(axis=1, keepdims=True)  # (T+1, 1, 2, A1)
    values = np.concatenate([region, p.population], axis=1).reshape(T1, tbl.n_rows).T
    sex_labels = [S.SEX_LABELS[s_].get(lang) for s_ in range(n_sex)]
    cols: list[Column] = [
        np.repeat(np.asarray(labels, dtype=object), n_sex * A1).tolist(),
        np.tile(np.repeat(np.asarray(sex_labels, dtype=object), A1), K + 1).tolist(),
        np.tile(np.arange(A1), (K + 1) * n_sex),
        *[values[:, t] for t in range(T1)],
    ]
    styles = [data_style(S.FMT_TEXT), data_style(S.FMT_TEXT), data_style("0")] + [data_style(S.FMT_PERSONS)] * T1
    TableWriter(st, streamed).write(tbl.first, cols, styles)
    year_width = max(9.0, text_width(years[-1], YEAR_END_HEADER) + 2.0)
    widths = fit_widths(st, last=1, minimum=16.0, maximum=30.0)
    set_widths(st, [widths.get(1, 16.0), 14.0, 11.0] + [max(11.0, year_width)] + [year_width] * (T1 - 1))


def _pyramid(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows] | None = None) -> XlsxSheet:
    """A zone selector (yellow cell, drop-down of the region and every zone) and a year
    selector driving one overlaid pyramid (the final year as bars, the base year and the chosen
    year as outlines) and an age-group chart of the three years. The chart data are INDEX/MATCH
    and SUMIFS formulas (Excel and LibreOffice alike) over a long table at the foot of the sheet:
    population by zone, sex and age (rows) and year (columns), the region first."""
    sheet, T = S.PYRAMID, S.SELECTOR_TEXTS
    st = new_sheet(wb, sheet, lang)
    years = [int(y) for y in p.years]
    first_year, last_year = years[0], years[-1]
    T1, K, n_sex, A1 = p.population.shape
    write_title(st, sheet, lang)
    st.put(S.UNIT_ROW + 1, 1, T["how"].get(lang), NOTE)
    labels = _unique_zone_labels(p, lang)
    # the selectors: the region by default, a year ten years on (or the middle one)
    zone_cell, year_cell = (S.HEADER_ROW, 2), (S.HEADER_ROW + 1, 2)
    pick = INPUT_CELL.but(bold=True)
    st.put(S.HEADER_ROW, 1, T["choose_zone"].get(lang), HEADER.but(horizontal="left"))
    st.put(*zone_cell, labels[0], pick.but(number_format=S.FMT_TEXT))
    st.put(S.HEADER_ROW + 1, 1, T["choose_year"].get(lang), HEADER.but(horizontal="left"))
    chosen_year = min(first_year + 10, last_year) if T1 > 11 else years[T1 // 2]
    st.put(*year_cell, chosen_year, pick.but(number_format=S.FMT_YEAR_END, horizontal="left"))
    zone = f"${get_column_letter(zone_cell[1])}${zone_cell[0]}"
    chosen = f"${get_column_letter(year_cell[1])}${year_cell[0]}"

    # layout: age groups and their chart left, the pyramid right of them, its chart data and
    # the drop-down lists further right; the long table under everything (it may be streamed)
    ag_head = S.HEADER_ROW + 3
    ag_chart_row = ag_head + len(AG.STANDARD_GROUPS) + 2
    chart_col = 6
    pyramid_rows = rows_for_cm(18.0)
    ag_chart_rows = rows_for_cm(charts.HEIGHT_CM + 1)
    bottom = max(S.HEADER_ROW + pyramid_rows, ag_chart_row + ag_chart_rows)
    tbl = _LongTable(head=max(bottom, S.HEADER_ROW + A1) + 4, n_rows=(K + 1) * n_sex * A1, years=T1)

    def shown(y: str) -> np.ndarray:  # what the formulas give for the pre-selected zone: the region
        return p.population[years.index(int(y) if y.isdigit() else chosen_year)].sum(axis=0)

    ag_chart = _selector_age_groups(st, lang, tbl, ag_head, zone, (str(first_year), chosen, str(last_year)),
                                    [first_year, Formula(chosen, chosen_year), last_year], shown)  # fmt: skip
    st.chart(ag_chart, ag_chart_row, 1)
    data_col = chart_col + cols_for_cm(17.0, 8.43) + 2
    chart = _selector_pyramid(st, p, lang, tbl, data_col, zone, (str(last_year), str(first_year), chosen), shown,
                              chosen_year)  # fmt: skip
    st.chart(chart, S.HEADER_ROW, chart_col)
    # the drop-down lists beside the chart data
    lc = data_col + 1 + 3 * n_sex + 1  # after the ages, three years × sexes and a blank column
    st.put(S.HEADER_ROW - 1, lc, T["lists"].get(lang), HELPER_TITLE)
    for i, label in enumerate(labels):
        st.put(S.FIRST_DATA_ROW + i, lc, label, data_style(S.FMT_TEXT, helper=True))
    lcl = get_column_letter(lc)
    for (row, col), formula1 in (
        (zone_cell, f"${lcl}${S.FIRST_DATA_ROW}:${lcl}${S.FIRST_DATA_ROW + len(labels) - 1}"),
        (year_cell, tbl.year_header),
    ):
        st.validation(row, col, row, col, source=formula1)
    set_widths(st, [24.0], start=lc)

    _selector_table(st, p, lang, tbl, labels, streamed)
    st.height(S.HEADER_ROW, 20)
    st.height(S.HEADER_ROW + 1, 20)
    fit_header_height(st, ag_head, {1: AG.CAPTIONS["standard"].get(lang)}, {1: 16.0})
    last_col = chart_col + cols_for_cm(chart.width_cm, 8.43)
    st.print_setup(area=f"A1:{get_column_letter(last_col)}{bottom}", title_row=None)
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


def _uncertainty(wb: XlsxBook, p: Projection, lang: str, streamed: list[StreamedRows], intervals: pd.DataFrame) -> XlsxSheet:
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
           streamed: list[StreamedRows], intervals: pd.DataFrame | None = None,
           history: ObservedHistory | None = None) -> None:  # fmt: skip
    S.check_language(language)
    _key_figures(wb, projection, language, streamed)
    _population_summary(wb, projection, language, streamed, history)
    _population_detail(wb, projection, language, streamed)
    _components(wb, projection, language, streamed)
    _age_groups(wb, projection, language, streamed, history)
    _pyramid(wb, projection, language, streamed)
    _uncertainty(wb, projection, language, streamed,
                 intervals_of_projection(projection) if intervals is None else intervals)
    add_market_sheets(wb, projection, language)
    _run_log(wb, projection, language, run_log)
    for st in wb.sheets:  # results are read, not typed over: only the selectors are open
        st.protect()
    wb.activate(0)


def result_sheets(projection: Projection, *, language: str = "nb", run_log: dict | None = None,
                  intervals: pd.DataFrame | None = None, history: ObservedHistory | None = None) -> bytes:  # fmt: skip
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
    history : ObservedHistory, optional
        Observed population before the base year, shown beside the projection
        (made by :func:`regbef_excel.app.observed_history.observed_history`); default: none.
    """
    return stream_rows(*_result_package(projection, language, run_log, intervals, history))


def _result_package(projection: Projection, language: str, run_log: dict | None, intervals: pd.DataFrame | None,
                    history: ObservedHistory | None) -> tuple[bytes, list[StreamedRows]]:  # fmt: skip
    """The result sheets as written by XlsxWriter (long tables' first rows only) and the rows
    still to stream into them."""
    buffer = io.BytesIO()
    streamed: list[StreamedRows] = []
    with XlsxBook(buffer) as book:
        _build(book, projection, language, run_log, streamed, intervals, history)
    return buffer.getvalue(), streamed


def write_results(
    projection: Projection,
    path: str | os.PathLike[str],
    *,
    language: str = "nb",
    base_workbook: Workbook | str | os.PathLike[str] | None = None,
    run_log: dict | None = None,
    intervals: pd.DataFrame | None = None,
    history: ObservedHistory | None = None,
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
    history : ObservedHistory, optional
        Observed population beside the projection (see :func:`result_sheets`).

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
    sheets, streamed = _result_package(projection, language, run_log, intervals, history)
    with atomic_path(out) as tmp:
        if base_workbook is None:
            tmp.write_bytes(stream_rows(sheets, streamed))
        else:
            if isinstance(base_workbook, Workbook):
                memory = io.BytesIO()
                base_workbook.save(memory)
                base: bytes | Path = memory.getvalue()
            else:
                base = Path(base_workbook)
            splice_sheets(base, sheets, tmp, macros=out.suffix.lower() == ".xlsm", finish=finisher(streamed))
        if _before_replace is not None:
            _before_replace(tmp)
    return out


__all__ = ["ObservedHistory", "result_sheets", "file_sha256", "inputs_sha256", "interval_rows", "run_log_items", "write_results"]
