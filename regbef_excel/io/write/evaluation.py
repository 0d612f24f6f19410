"""Comparison workbooks: two scenarios, a back-test, REGBEF against SSB.

Each writer builds one sheet in a **new** workbook, written with XlsxWriter through the sheet
toolkit (:class:`regbef_excel.io.write.sheets.XlsxBook`) and saved atomically:

* :func:`write_comparison` — "Scenariosammenligning" / "Scenario comparison" from a
  :class:`regbef_excel.evaluation.scenarios.ScenarioComparison` (the CLI's ``compare`` and the
  ribbon's compare macro both write this one sheet);
* :func:`write_backtest` — "Tilbaketesting" / "Back-test" from a
  :class:`regbef_excel.evaluation.backtest.BacktestResult`;
* :func:`write_ssb_comparison` — "SSB-sammenligning" / "Comparison with SSB" from the frame of
  :func:`regbef_excel.evaluation.ssb.compare_with_ssb`.

Layout: title row 1, explanation row 2, then small tables stacked in columns A–I (caption row,
header row, data), charts to the right of the tables, a long detail table at the bottom for
filtering. Landscape, one page wide; the charts are inside the print area.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from regbef_excel.evaluation.backtest import MODEL, NAIVE_CONSTANT, NAIVE_TREND, TOTAL
from regbef_excel.evaluation.calibrate import backtest_coverage
from regbef_excel.evaluation.ssb import ALL_AGES, REGION_NAME, ssb_summary
from regbef_excel.io.write import charts
from regbef_excel.io.write.sheets import (
    DECIMALS,
    HELPER_TITLE,
    UNIT,
    XlsxBook,
    XlsxSheet,
    area,
    cols_for_cm,
    data_style,
    fit_header_height,
    fit_widths,
    new_sheet,
    rows_for_cm,
    write_headers,
    write_title,
)
from regbef_excel.schema import age_groups as AG
from regbef_excel.schema import outputs as S

#: Column of the charts (right of the tables, which use at most nine columns).
CHART_COL = 11
FMT_PCT = "0.0;-0.0"  # percentages stored as numbers (100 = 100 %)

_COMPONENT_LABELS = {c.key: c.label for c in S.COMPONENT_COLUMNS}


def _num(x: object) -> object:
    if x is None or (isinstance(x, float) and not np.isfinite(x)) or x is pd.NA:
        return None
    if isinstance(x, np.generic):
        x = x.item()
    return round(float(x), DECIMALS) if isinstance(x, float) else x


def _block(st: XlsxSheet, top: int, caption: str, headers: Sequence[str], columns: Sequence[Sequence[object]],
           formats: Sequence[str], *, total_rows: Sequence[int] = ()) -> tuple[int, int, int]:
    """Caption at ``top``, header below, data rows; returns (header_row, first_row, last_row)."""
    st.put(top, 1, caption, HELPER_TITLE)
    h = top + 1
    write_headers(st, list(headers), row=h)
    st.header_rows = [*getattr(st, "header_rows", []), (h, list(headers))]
    n = len(columns[0]) if columns else 0
    for i in range(n):
        total = i in total_rows
        for j, col in enumerate(columns):
            st.put(h + 1 + i, 1 + j, _num(col[i]), data_style(formats[j], total=total))
    return h, h + 1, h + n


def _finish(st: XlsxSheet, last_row: int, last_chart_row: int) -> None:
    """Widths from the measured text of every block, header rows tall enough for their wrapped
    labels, and a print area over every table and chart."""
    widths = fit_widths(st, last=CHART_COL - 2, minimum=7.0, maximum=34.0)
    for row, headers in getattr(st, "header_rows", []):
        fit_header_height(st, row, dict(enumerate(headers, start=1)), widths)
    end_col = CHART_COL + cols_for_cm(charts.WIDTH_CM + 1, 8.43)
    st.print_setup(title_row=None, area=area(1, 1, max(last_row, last_chart_row), end_col))


def _place(st: XlsxSheet, chart: charts.Chart, row: int) -> int:
    """Anchor ``chart`` at CHART_COL/``row``; return the first row below it."""
    st.chart(chart, row, CHART_COL)
    return row + rows_for_cm(chart.height_cm) + 1


# ============================================================================ scenarios
def write_comparison(comp, path: str | os.PathLike[str], *, language: str = "nb") -> Path:
    """Write a :class:`~regbef_excel.evaluation.scenarios.ScenarioComparison` as one sheet with charts."""
    S.check_language(language)
    with XlsxBook(path) as book:
        _comparison_sheet(book, comp, language)
    return Path(path)


def _comparison_sheet(book: XlsxBook, comp, lang: str) -> XlsxSheet:
    sheet = S.SCENARIO_COMPARISON
    st = new_sheet(book, sheet, lang)
    a, b = comp.labels
    T = S.SCENARIO_TEXTS
    write_title(st, sheet, lang, a=a, b=b)
    diff, pct = T["difference"].format(lang, a=a, b=b), T["pct"].get(lang)
    region = S.REGION.get(lang)
    fm = [S.FMT_TEXT, S.FMT_TEXT, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT]

    # 1 region by year
    reg = comp.region("population")
    h1, f1, l1 = _block(
        st, 3, f"{T['population'].get(lang)} – {region}",
        [S.YEAR.label.get(lang), "", a, b, diff, pct],
        [reg["year"].tolist(), [region] * len(reg), reg["a"].tolist(), reg["b"].tolist(),
         reg["difference"].tolist(), reg["pct_difference"].tolist()],
        [S.FMT_YEAR, *fm[1:]],
    )  # fmt: skip
    # 2 zones in the horizon year (region first)
    yr = comp.in_year()
    h2, f2, l2 = _block(
        st, l1 + 3, f"{T['population'].get(lang)} {comp.horizon}",
        [S.ZONE_CODE.label.get(lang), S.ZONE_NAME.label.get(lang), a, b, diff, pct],
        [yr["zone_code"].tolist(), [region if c == "" else n for c, n in zip(yr["zone_code"], yr["zone_name"], strict=True)],
         yr["a"].tolist(), yr["b"].tolist(), yr["difference"].tolist(), yr["pct_difference"].tolist()],
        fm, total_rows=(0,),
    )  # fmt: skip
    # 3 age groups, region, horizon year
    ag = comp.age_groups
    ag = ag[(ag["zone_code"] == "") & (ag["year"] == comp.horizon)]
    h3, f3, l3 = _block(
        st, l2 + 3, f"{T['age_groups'].get(lang)} {comp.horizon}",
        [S.AGE_GROUPS.column("group").label.get(lang), "", a, b, diff, pct],
        [[AG.label(g, lang) for g in ag["group"]], [""] * len(ag), ag["a"].tolist(),
         ag["b"].tolist(), ag["difference"].tolist(), ag["pct_difference"].tolist()],
        fm,
    )  # fmt: skip
    # 4 components, region, sum over the period
    co = comp.region("components")
    labels = [_COMPONENT_LABELS[k].get(lang) if k in _COMPONENT_LABELS else k for k in co["component"]]
    h4, f4, l4 = _block(
        st, l3 + 3, T["components"].format(lang, first=comp.base_year + 1, last=comp.horizon),
        [T["component"].get(lang), "", a, b, diff, pct],
        [labels, [""] * len(labels), co["a"].tolist(), co["b"].tolist(), co["difference"].tolist(),
         co["pct_difference"].tolist()],
        [S.FMT_TEXT, S.FMT_TEXT, S.FMT_SIGNED_PERSONS, S.FMT_SIGNED_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT],
    )  # fmt: skip
    # 5 detail: every zone and year
    pop = comp.population
    h5, f5, l5 = _block(
        st, l4 + 3, f"{T['population'].get(lang)} {comp.base_year}–{comp.horizon}",
        [S.ZONE_CODE.label.get(lang), S.ZONE_NAME.label.get(lang), S.YEAR.label.get(lang), a, b, diff, pct],
        [pop["zone_code"].tolist(), [region if c == "" else n for c, n in zip(pop["zone_code"], pop["zone_name"], strict=True)],
         pop["year"].tolist(), pop["a"].tolist(), pop["b"].tolist(), pop["difference"].tolist(),
         pop["pct_difference"].tolist()],
        [S.FMT_TEXT, S.FMT_TEXT, S.FMT_YEAR, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT],
    )  # fmt: skip
    st.autofilter(h5, 1, l5, 7)

    c1 = charts.line_chart_from_columns(
        st.title, header_row=h1, first_row=f1, last_row=l1, category_col=1, value_cols=[3, 4],
        title=T["chart_region"].format(lang, a=a, b=b), y_title=S.CHART_TEXTS["persons"].get(lang),
    )  # fmt: skip
    row = _place(st, c1, 3)
    c2 = charts.bar_chart_from_columns(
        st.title, header_row=h2, first_row=f2 + 1, last_row=l2, category_col=2, value_cols=[5],
        title=T["chart_zones"].format(lang, a=a, b=b, year=comp.horizon),
        y_title=S.CHART_TEXTS["persons"].get(lang), number_format=S.FMT_SIGNED_PERSONS,
    )  # fmt: skip
    row = _place(st, c2, row)
    _finish(st, l5, row)
    return st


# ============================================================================ back-test
def write_backtest(result, path: str | os.PathLike[str], *, language: str = "nb",
                   fan_zone: str | None = None, calibration: str | None = None) -> Path:
    """Write a :class:`~regbef_excel.evaluation.backtest.BacktestResult` as one sheet with charts.

    With intervals (``result.intervals``) the sheet also shows their coverage per horizon,
    pooled and by size class (:func:`regbef_excel.evaluation.calibrate.backtest_coverage`), and a
    fan chart of ``fan_zone`` (a municipality code or name; default the region, or the only
    municipality) with the observed population. ``calibration``: the calibration file's name
    shown in the note (default: the shipped calibration).
    """
    S.check_language(language)
    with XlsxBook(path) as book:
        _backtest_sheet(book, result, language, fan_zone, calibration)
    return Path(path)


def fan_rows(intervals: pd.DataFrame, zone: str | None) -> tuple[pd.DataFrame, str]:
    """Rows (by year, base year first) of the total population of ``zone`` (code or name; None =
    the region, or the only municipality) from a back-test's intervals, and the zone's code
    (``""`` for the region). Raises KeyError for an unknown zone."""
    tot = intervals[intervals["measure"] == "total"]
    if zone is None:
        code = "" if (tot["zone_code"] == "").any() else str(tot["zone_code"].iloc[0])
    else:
        text = str(zone).strip()
        hit = tot[(tot["zone_code"] == text) | (tot["zone_name"].str.casefold() == text.casefold())]
        if hit.empty:
            raise KeyError(text)
        code = str(hit["zone_code"].iloc[0])
    return tot[tot["zone_code"] == code].sort_values("year").reset_index(drop=True), code


def _coverage_blocks(st: XlsxSheet, result, lang: str, top: int, fan_zone: str | None,
                     calibration: str | None) -> tuple[int, charts.Chart]:
    """The coverage table and the fan chart's data from ``top``; returns the last row and the
    fan chart."""
    T = S.BACKTEST_TEXTS
    cov = backtest_coverage(result.intervals)
    label = T["calibration_shipped"].get(lang) if calibration is None else calibration
    sizes = [T["all_sizes"].get(lang) if c == "all" else c.replace("-", "–") for c in cov["size_class"]]
    _h, _f, last = _block(
        st, top, T["coverage"].get(lang),
        [T["size_class"].get(lang), T["years_ahead"].get(lang), T["n"].get(lang), T["inside80"].get(lang),
         T["inside95"].get(lang), T["half80"].get(lang), T["half95"].get(lang)],
        [sizes, cov["horizon"].tolist(), cov["n"].tolist(), cov["cover80"].tolist(), cov["cover95"].tolist(),
         cov["half80_pct"].tolist(), cov["half95_pct"].tolist()],
        [S.FMT_TEXT, "0", "0", FMT_PCT, FMT_PCT, FMT_PCT, FMT_PCT],
        total_rows=tuple(i for i, c in enumerate(cov["size_class"]) if c == "all"),
    )  # fmt: skip
    st.put(last + 1, 1, T["coverage_note"].format(lang, calibration=label), UNIT)
    rows, code = fan_rows(result.intervals, fan_zone)
    zone = S.REGION.get(lang) if code == "" else f"{code} {rows['zone_name'].iloc[0]}"
    U = S.UNCERTAINTY_TEXTS
    heads = [T["year"].get(lang), S.UNCERTAINTY.column("lower95").label.get(lang), U["band95"].get(lang),
             U["band80"].get(lang), U["band95_upper"].get(lang), U["projected"].get(lang), T["observed"].get(lang)]
    h, f, last = _block(
        st, last + 3, T["fan_data"].format(lang, zone=zone), heads,
        [rows["year"].tolist(), rows["lower95"].tolist(), (rows["lower80"] - rows["lower95"]).tolist(),
         (rows["upper80"] - rows["lower80"]).tolist(), (rows["upper95"] - rows["upper80"]).tolist(),
         rows["projected"].tolist(), rows["observed"].tolist()],
        [S.FMT_YEAR, *[S.FMT_PERSONS] * 6],
    )  # fmt: skip
    fan = charts.fan_chart(
        st.title, header_row=h, first_row=f, last_row=last, category_col=1, base_col=2,
        band_cols=(3, 4, 5), line_col=6, title=T["chart_fan"].format(lang, zone=zone, base=result.base_year),
        y_title=S.CHART_TEXTS["persons"].get(lang),
    )  # fmt: skip
    observed = charts.ChartSeries(charts.Ref(st.title, f, 7, last, 7), charts.Ref(st.title, h, 7, h, 7),
                                  "D55E00", as_line=True, line_pt=1.0, marker=True)  # fmt: skip
    low = float(np.nanmin(np.r_[rows["lower95"].to_numpy(float), rows["observed"].to_numpy(float)]))
    fan = replace(fan, series=(*fan.series, observed), value_min=charts.nice_floor(0.97 * low))
    return last, fan


def _backtest_sheet(book: XlsxBook, result, lang: str, fan_zone: str | None = None,
                    calibration: str | None = None) -> XlsxSheet:
    sheet = S.BACKTEST
    T = S.BACKTEST_TEXTS
    st = new_sheet(book, sheet, lang)
    write_title(st, sheet, lang, base=result.base_year, region=result.setup.region_name)
    top = 3
    if result.suspect_zones:
        st.put(3, 1, T["suspect"].format(lang, zones=", ".join(result.suspect_zones)), UNIT)
        top = 4
    summ = result.summary()
    tot = summ[(summ["group"] == TOTAL) & (summ["years_ahead"] > 0)]
    by = {m: tot[tot["method"] == m].set_index("year") for m in (MODEL, NAIVE_CONSTANT, NAIVE_TREND)}
    years = by[MODEL].index.tolist()
    mape = T["mape"].get(lang)
    h1, f1, l1 = _block(
        st, top, T["summary"].get(lang),
        [T["year"].get(lang), T["years_ahead"].get(lang), f"{mape} {T['projected'].get(lang)}",
         f"{mape} {T['naive_constant'].get(lang)}", f"{mape} {T['naive_trend'].get(lang)}",
         T["mean_pct_error"].get(lang), T["mape_weighted"].get(lang), T["region_pct_error"].get(lang),
         T["worst_zone"].get(lang)],
        [years, by[MODEL]["years_ahead"].tolist(), by[MODEL]["mape"].tolist(),
         by[NAIVE_CONSTANT]["mape"].tolist(), by[NAIVE_TREND]["mape"].tolist(),
         by[MODEL]["mean_pct_error"].tolist(), by[MODEL]["mape_weighted"].tolist(),
         by[MODEL]["region_pct_error"].tolist(), by[MODEL]["worst_zone"].tolist()],
        [S.FMT_YEAR, "0", FMT_PCT, FMT_PCT, FMT_PCT, FMT_PCT, FMT_PCT, FMT_PCT, S.FMT_TEXT],
    )  # fmt: skip
    last_year = int(result.observed_years[-1])
    h_ahead = last_year - result.base_year
    e = result.errors_by_municipality()
    e = e[e["year"] == last_year]
    em, ec, et = (e[e["method"] == m].reset_index(drop=True) for m in (MODEL, NAIVE_CONSTANT, NAIVE_TREND))
    pct = T["pct_error"].get(lang)
    h2, f2, l2 = _block(
        st, l1 + 3, T["by_zone"].format(lang, year=last_year, h=h_ahead),
        [S.ZONE_CODE.label.get(lang), S.ZONE_NAME.label.get(lang), T["observed"].get(lang),
         T["projected"].get(lang), T["error"].get(lang), pct, f"{pct} {T['naive_constant'].get(lang)}",
         f"{pct} {T['naive_trend'].get(lang)}"],
        [em["zone_code"].tolist(), em["zone_name"].tolist(), em["observed"].tolist(),
         em["projected"].tolist(), em["error"].tolist(), em["pct_error"].tolist(),
         ec["pct_error"].tolist(), et["pct_error"].tolist()],
        [S.FMT_TEXT, S.FMT_TEXT, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT, FMT_PCT, FMT_PCT],
    )  # fmt: skip
    g = summ[(summ["group"] != TOTAL) & (summ["year"] == last_year)]
    gm = {m: g[g["method"] == m].set_index("group") for m in (MODEL, NAIVE_CONSTANT, NAIVE_TREND)}
    groups = [g.key for g in AG.STANDARD_GROUPS if g.key in gm[MODEL].index]
    h3, f3, l3 = _block(
        st, l2 + 3, T["by_group"].format(lang, year=last_year),
        [T["group"].get(lang), "", f"{mape} {T['projected'].get(lang)}", T["mean_pct_error"].get(lang),
         f"{mape} {T['naive_constant'].get(lang)}", f"{mape} {T['naive_trend'].get(lang)}",
         T["region_pct_error"].get(lang)],
        [[AG.label(x, lang) for x in groups], [""] * len(groups),
         [gm[MODEL].loc[x, "mape"] for x in groups], [gm[MODEL].loc[x, "mean_pct_error"] for x in groups],
         [gm[NAIVE_CONSTANT].loc[x, "mape"] for x in groups], [gm[NAIVE_TREND].loc[x, "mape"] for x in groups],
         [gm[MODEL].loc[x, "region_pct_error"] for x in groups]],
        [S.FMT_TEXT, S.FMT_TEXT, FMT_PCT, FMT_PCT, FMT_PCT, FMT_PCT, FMT_PCT],
    )  # fmt: skip
    fan = None
    intervals = getattr(result, "intervals", None)  # a result made elsewhere may carry none
    if intervals is not None and len(intervals):
        l3, fan = _coverage_blocks(st, result, lang, l3 + 3, fan_zone, calibration)
    full = result.errors_by_municipality()
    full = full[(full["method"] == MODEL) & (full["years_ahead"] > 0)]
    h4, f4, l4 = _block(
        st, l3 + 3, f"{T['error'].get(lang)}: {T['projected'].get(lang)}",
        [S.ZONE_CODE.label.get(lang), S.ZONE_NAME.label.get(lang), T["year"].get(lang),
         T["observed"].get(lang), T["projected"].get(lang), T["error"].get(lang), pct],
        [full["zone_code"].tolist(), full["zone_name"].tolist(), full["year"].tolist(),
         full["observed"].tolist(), full["projected"].tolist(), full["error"].tolist(),
         full["pct_error"].tolist()],
        [S.FMT_TEXT, S.FMT_TEXT, S.FMT_YEAR, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT],
    )  # fmt: skip
    st.autofilter(h4, 1, l4, 7)
    c1 = charts.bar_chart_from_columns(
        st.title, header_row=h2, first_row=f2, last_row=l2, category_col=2, value_cols=[3, 4],
        title=T["chart"].format(lang, year=last_year), y_title=S.CHART_TEXTS["persons"].get(lang),
        colours=("7F7F7F", "0072B2"),
    )  # fmt: skip
    row = _place(st, c1, top)
    c2 = charts.line_chart_from_columns(
        st.title, header_row=h1, first_row=f1, last_row=l1, category_col=2, value_cols=[3, 4, 5],
        title=T["chart_mape"].get(lang), y_title="%", number_format="0.0",
    )  # fmt: skip
    c2 = replace(c2, category_title=T["years_ahead"].get(lang))
    row = _place(st, c2, row)
    if fan is not None:
        row = _place(st, fan, row)
    _finish(st, l4, row)
    return st


# ============================================================================ SSB
def write_ssb_comparison(comparison: pd.DataFrame, path: str | os.PathLike[str], *, language: str = "nb",
                         years: Sequence[int] = (2030, 2040, 2050)) -> Path:
    """Write the frame of :func:`~regbef_excel.evaluation.ssb.compare_with_ssb` as one sheet."""
    S.check_language(language)
    with XlsxBook(path) as book:
        _ssb_sheet(book, comparison, language, years)
    return Path(path)


def _ssb_sheet(book: XlsxBook, comparison: pd.DataFrame, lang: str, years: Sequence[int]) -> XlsxSheet:
    sheet = S.SSB_COMPARISON
    T = S.SSB_TEXTS
    st = new_sheet(book, sheet, lang)
    write_title(st, sheet, lang, alt=comparison.attrs.get("alternative", "MMMM"),
           vintage=comparison.attrs.get("vintage", ""))  # fmt: skip
    top = 3
    missing = comparison.attrs.get("missing_zones") or []
    if missing:
        st.put(3, 1, T["missing"].format(lang, zones=", ".join(missing)), UNIT)
        top = 4
    all_years = sorted(int(y) for y in comparison["year"].unique())
    chosen = [y for y in years if y in all_years] or [all_years[-1]]
    region = S.REGION.get(lang)

    def name(code: str, n: str) -> str:
        return region if code == "" or n == REGION_NAME else n

    def group(label: str, first: object, last: object) -> str:
        """Our label of SSB's group (the same ages), else SSB's own label."""
        g = AG.group_for_ages(int(first), None if pd.isna(last) else int(last)) if pd.notna(first) else None
        if label == ALL_AGES:
            return AG.CAPTIONS["all_ages"].get(lang)
        return g.label.get(lang) if g is not None else str(label)

    if not {"age_from", "age_to"} <= set(comparison.columns):  # a frame without SSB's bounds
        comparison = comparison.assign(age_from=pd.NA, age_to=pd.NA)
    ours_label = {a: group(a, f, t) for a, f, t in
                  comparison[["age_group", "age_from", "age_to"]].drop_duplicates().itertuples(index=False)}  # fmt: skip
    summ = ssb_summary(comparison, chosen)
    summ = summ.sort_values(["year"], kind="stable").reset_index(drop=True)
    ours, ssb, dif, pct = (T[k].get(lang) for k in ("ours", "ssb", "difference", "pct"))
    h1, f1, l1 = _block(
        st, top, T["totals"].get(lang),
        [S.ZONE_CODE.label.get(lang), S.ZONE_NAME.label.get(lang), S.YEAR.label.get(lang), ours, ssb,
         dif, pct, T["largest"].get(lang), pct],
        [summ["zone_code"].tolist(), [name(c, n) for c, n in zip(summ["zone_code"], summ["zone_name"], strict=True)],
         summ["year"].tolist(), summ["ours"].tolist(), summ["ssb"].tolist(), summ["difference"].tolist(),
         summ["pct_difference"].tolist(), [ours_label.get(g, g) for g in summ["largest_group"].fillna("")],
         summ["largest_group_pct"].tolist()],
        [S.FMT_TEXT, S.FMT_TEXT, S.FMT_YEAR, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT,
         S.FMT_TEXT, FMT_PCT],
        total_rows=tuple(i for i, c in enumerate(summ["zone_code"]) if c == ""),
    )  # fmt: skip
    reg = comparison[(comparison["zone_code"] == "") & comparison["year"].isin(chosen)
                     & (comparison["age_group"] != ALL_AGES)]  # fmt: skip
    h2, f2, l2 = _block(
        st, l1 + 3, T["groups"].get(lang),
        [T["group"].get(lang), S.YEAR.label.get(lang), ours, ssb, dif, pct],
        [[group(*x) for x in zip(reg["age_group"], reg["age_from"], reg["age_to"], strict=True)],
         reg["year"].tolist(), reg["ours"].tolist(), reg["ssb"].tolist(),
         reg["difference"].tolist(), reg["pct_difference"].tolist()],
        [S.FMT_TEXT, S.FMT_YEAR, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT],
    )  # fmt: skip
    tot = comparison[comparison["zone_code"] == ""]
    if (tot["age_group"] == ALL_AGES).any():
        tot = tot[tot["age_group"] == ALL_AGES][["year", "ours", "ssb"]]
    else:
        tot = tot.groupby("year", as_index=False)[["ours", "ssb"]].sum()
    tot = tot.sort_values("year")
    h3, f3, l3 = _block(
        st, l2 + 3, f"{region}: {ours} / {ssb}",
        [S.YEAR.label.get(lang), "", ours, ssb, dif, pct],
        [tot["year"].tolist(), [region] * len(tot), tot["ours"].tolist(), tot["ssb"].tolist(),
         (tot["ours"] - tot["ssb"]).tolist(), (100 * (tot["ours"] - tot["ssb"]) / tot["ssb"]).tolist()],
        [S.FMT_YEAR, S.FMT_TEXT, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS, FMT_PCT],
    )  # fmt: skip
    c = comparison
    h4, f4, l4 = _block(
        st, l3 + 3, f"{ours} / {ssb}: {T['group'].get(lang)}",
        [S.ZONE_CODE.label.get(lang), S.ZONE_NAME.label.get(lang), T["group"].get(lang),
         S.YEAR.label.get(lang), ours, ssb, dif, pct],
        [c["zone_code"].tolist(), [name(a, b) for a, b in zip(c["zone_code"], c["zone_name"], strict=True)],
         [group(*x) for x in zip(c["age_group"], c["age_from"], c["age_to"], strict=True)],
         c["year"].tolist(), c["ours"].tolist(), c["ssb"].tolist(),
         c["difference"].tolist(), c["pct_difference"].tolist()],
        [S.FMT_TEXT, S.FMT_TEXT, S.FMT_TEXT, S.FMT_YEAR, S.FMT_PERSONS, S.FMT_PERSONS, S.FMT_SIGNED_PERSONS,
         FMT_PCT],
    )  # fmt: skip
    st.autofilter(h4, 1, l4, 8)
    # chart: ours vs SSB by municipality in the last chosen year (zone rows are contiguous)
    last = chosen[-1]
    rows = [f1 + i for i, (y, code) in enumerate(zip(summ["year"], summ["zone_code"], strict=True))
            if y == last and code != ""]  # fmt: skip
    row = top
    if rows:
        c1 = charts.bar_chart_from_columns(
            st.title, header_row=h1, first_row=rows[0], last_row=rows[-1], category_col=2, value_cols=[4, 5],
            title=T["chart"].format(lang, year=last), y_title=S.CHART_TEXTS["persons"].get(lang),
            colours=("0072B2", "7F7F7F"),
        )  # fmt: skip
        row = _place(st, c1, row)
    c2 = charts.line_chart_from_columns(
        st.title, header_row=h3, first_row=f3, last_row=l3, category_col=1, value_cols=[3, 4],
        title=T["chart_region"].get(lang), y_title=S.CHART_TEXTS["persons"].get(lang),
        colours=("0072B2", "7F7F7F"),
    )  # fmt: skip
    row = _place(st, c2, row)
    _finish(st, l4, row)
    return st


__all__ = ["fan_rows", "write_backtest", "write_comparison", "write_ssb_comparison"]
