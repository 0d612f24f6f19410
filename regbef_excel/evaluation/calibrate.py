"""Calibrating prediction intervals: back-tests over every county and base year, their errors,
the interval model, and its out-of-sample coverage.

:func:`collect_errors` runs :func:`regbef_excel.evaluation.backtest.run_backtest` (model variant
1, information up to each base year only, boundary transfers put on the base year's borders)
for every county and base year and records, for every municipality, the county total and each
measure of :data:`regbef_excel.evaluation.intervals.MEASURES`, the log error at every observed
horizon. Municipalities with an unexplained break (merge or split) after the base year are left
out. :func:`fit_intervals` turns the errors into the interval model; :func:`out_of_sample`
measures coverage leave-one-county-out and on later base years.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.errors import InputError
from regbef_excel.evaluation import backtest as bt
from regbef_excel.evaluation import intervals as iv

#: Years of growth whose volatility is a predictor (the five years to the base year).
VOLATILITY_YEARS = 5
#: Fewest estimation years of a calibration back-test: stocks start on 31 Dec 2004, so base
#: years 2007–2008 have a shortened estimation period (3–4 years instead of 5); earlier ones
#: (1–2 years of history) are not like any projection a planner makes.
MIN_ESTIMATION_YEARS = 3
#: Horizons at which coverage is judged, and the split year of the later-base-years check.
TARGET_HORIZONS = (5, 10)
TIME_SPLIT_YEAR = 2015


def default_base_years() -> list[int]:
    """Every base year with at least :data:`MIN_ESTIMATION_YEARS` years of estimation and one
    observed year after it (2007–2024)."""
    return list(range(bt.FIRST_STOCK_YEAR + MIN_ESTIMATION_YEARS, bt.LAST_STOCK_YEAR))


def growth_volatility(totals: np.ndarray) -> np.ndarray:
    """Standard deviation of yearly growth rates (%) over the years of ``totals`` (Y, K)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = 100 * (totals[1:] / totals[:-1] - 1)
    if len(growth) < 2:
        return np.full(totals.shape[1], np.nan)
    with warnings.catch_warnings():  # a zone with fewer than two growth rates gets NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(growth, axis=0, ddof=1)


def errors_of(result: bt.BacktestResult, county: str) -> pd.DataFrame:
    """Tidy log errors of one back-test: municipalities and the county total, every measure
    and observed horizon > 0. Columns: county, base_year, kind, zone_code, measure, horizon,
    size, size_class, volatility, projected, observed, log_error."""
    T = len(result.observed_years)
    obs = iv.measure_sums(result.observed)  # (T, K, M)
    prj = iv.measure_sums(result.projection.population[:T])
    keep = [k for k, c in enumerate(result.zone_codes) if c not in result.suspect_zones]
    past = result.setup.past_groups
    totals = np.stack([past[y][:, 0] for y in sorted(past)])[-(VOLATILITY_YEARS + 1) :]
    vol = growth_volatility(totals)
    size = obs[0, :, 0]
    names = list(iv.MEASURES)
    frames = []
    for kind, o, p, codes, sz, vl in (
        (iv.MUNICIPALITY, obs[:, keep], prj[:, keep], [result.zone_codes[k] for k in keep],
         size[keep], vol[keep]),
        (iv.REGION, obs.sum(axis=1, keepdims=True), prj.sum(axis=1, keepdims=True), [county],
         np.array([size.sum()]), growth_volatility(totals.sum(axis=1, keepdims=True))),
    ):  # fmt: skip
        K, M = o.shape[1], o.shape[2]
        h = np.arange(T)
        with np.errstate(divide="ignore", invalid="ignore"):
            le = np.log(o / p)
        frames.append(pd.DataFrame({
            "county": county,
            "base_year": result.base_year,
            "kind": kind,
            "zone_code": np.tile(np.repeat(np.array(codes, dtype=object), M), T),
            "measure": np.tile(np.array(names, dtype=object), T * K),
            "horizon": np.repeat(h, K * M),
            "size": np.tile(np.repeat(sz, M), T),
            "volatility": np.tile(np.repeat(vl, M), T),
            "projected": p.reshape(-1),
            "observed": o.reshape(-1),
            "log_error": le.reshape(-1),
        }))  # fmt: skip
    e = pd.concat(frames, ignore_index=True)
    e = e[e["horizon"] > 0]
    e.insert(7, "size_class", iv.size_class(e["size"].to_numpy()))
    return e.reset_index(drop=True)


@lru_cache(maxsize=32)
def county_stocks(county: str) -> dict[int, np.ndarray]:
    """A county's stocks by year, read once per process (years without a stock for every
    municipality are left out, as the back-test itself does)."""
    codes = data.municipality_codes(county)
    stocks = {}
    for y in range(bt.FIRST_STOCK_YEAR, bt.LAST_STOCK_YEAR + 1):
        try:
            stocks[y] = data.population_array(codes, y + 1).astype(float)
        except InputError:
            continue
    return stocks


def _base_year(
    task: tuple[int, tuple[str, ...]] | tuple[int, tuple[str, ...], bt.Assumptions],
) -> tuple[pd.DataFrame, list[str]]:
    """Every county's back-test from one base year (national rates are computed once per base
    year; each county's stocks once per process)."""
    base, counties = task[0], task[1]
    assumptions = task[2] if len(task) > 2 else None
    frames, notes = [], []
    for county in counties:
        r = bt.run_backtest(county, base, horizon_years=bt.LAST_STOCK_YEAR - base,
                            known_stocks=county_stocks(county), assumptions=assumptions)  # fmt: skip
        notes += [f"{county} {base}: {w}" for w in r.warnings
                  if "boundary" in w or "changes by" in w]  # fmt: skip
        frames.append(errors_of(r, county))
    return pd.concat(frames, ignore_index=True), notes


@dataclass
class CalibrationRun:
    """The errors of every back-test, the fitted interval model and the notes of the run."""

    errors: pd.DataFrame
    calibration: pd.DataFrame
    counties: list[str]
    base_years: list[int]
    notes: list[str] = field(default_factory=list)


def collect_errors(
    counties: Sequence[str],
    base_years: Sequence[int],
    *,
    jobs: int = 1,
    progress: Callable[[str, float], None] | None = None,
    assumptions: bt.Assumptions | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Back-test every county from every base year; return the errors and the break notes.
    ``assumptions``: the projection's assumptions (default the handbook's trend variant)."""
    counties = tuple(str(c).zfill(2) for c in counties)
    a = assumptions or bt.Assumptions()
    # Earliest base years first: they project furthest and take longest.
    tasks = [(int(b), counties, a) for b in sorted(base_years)]
    frames, notes = [], []
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for i, (e, n) in enumerate(pool.map(_base_year, tasks)):
                frames.append(e)
                notes += n
                if progress:
                    progress(f"back-tests from {tasks[i][0]}", (i + 1) / len(tasks))
    else:
        for i, task in enumerate(tasks):
            e, n = _base_year(task)
            frames.append(e)
            notes += n
            if progress:
                progress(f"back-tests from {task[0]}", (i + 1) / len(tasks))
    return pd.concat(frames, ignore_index=True), notes


def calibrate(
    counties: Sequence[str] | None = None,
    base_years: Sequence[int] | None = None,
    *,
    exclude_counties: Sequence[str] = (),
    jobs: int = 1,
    progress: Callable[[str, float], None] | None = None,
    assumptions: bt.Assumptions | None = None,
) -> CalibrationRun:
    """Run the back-tests and fit the interval model (:func:`iv.fit_intervals`); the back-tests
    project with ``assumptions`` (default the handbook's trend variant)."""
    exclude = {str(c).zfill(2) for c in exclude_counties}
    counties = [c for c in (counties or data.county_codes()) if str(c).zfill(2) not in exclude]
    base_years = list(base_years or default_base_years())
    errors, notes = collect_errors(counties, base_years, jobs=jobs, progress=progress,
                                   assumptions=assumptions)  # fmt: skip
    return CalibrationRun(errors, iv.fit_intervals(errors), counties, base_years, notes)


def with_strata(errors: pd.DataFrame, calibration: pd.DataFrame) -> pd.DataFrame:
    """Errors with the volatility class of the calibration (``all`` for regions)."""
    thr = calibration["volatility_threshold"].dropna()
    t = float(thr.iloc[0]) if len(thr) else np.inf
    vc = np.where(errors["volatility"] > t, "high", "low")
    out = errors.assign(volatility_class=np.where(errors["kind"] == iv.REGION, "all", vc))
    out.loc[out["kind"] == iv.REGION, "size_class"] = "all"
    return out


def out_of_sample(errors: pd.DataFrame) -> pd.DataFrame:
    """Intervals for errors not used to fit them, with coverage columns for :func:`iv.coverage`.

    * ``leave-one-county-out``: each county's errors with a model fitted on the other counties;
    * ``later base years``: errors of base years >= :data:`TIME_SPLIT_YEAR` with a model fitted
      on the errors observed by 31 Dec of that year (base year + horizon <= split year).

    Returns the errors with columns check, lower80, upper80, lower95, upper95.
    """
    frames = []
    counties = sorted(errors["county"].unique())
    for c in counties if len(counties) > 1 else []:
        cal = iv.fit_intervals(errors[errors["county"] != c])
        test = with_strata(errors[errors["county"] == c], cal)
        frames.append(iv.apply_intervals(cal, test).assign(check="leave-one-county-out"))
    train = errors[errors["base_year"] + errors["horizon"] <= TIME_SPLIT_YEAR]
    test = errors[errors["base_year"] >= TIME_SPLIT_YEAR]
    if len(train) and len(test):
        cal = iv.fit_intervals(train)
        frames.append(
            iv.apply_intervals(cal, with_strata(test, cal)).assign(check="later base years")
        )
    if not frames:  # one county and no early record: nothing to check out of sample
        return errors.iloc[:0].assign(check="", lower80=np.nan, upper80=np.nan, lower95=np.nan,
                                      upper95=np.nan)  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def coverage_table(
    checked: pd.DataFrame, horizons: Sequence[int] = TARGET_HORIZONS
) -> pd.DataFrame:
    """The coverage report: check, kind, measure, size_class (``all`` = pooled), horizon, n,
    cover80, cover95, half80_pct, half95_pct for the given horizons."""
    c = checked[checked["horizon"].isin(list(horizons))]
    pooled = iv.coverage(c, by=("check", "kind", "measure", "horizon")).assign(size_class="all")
    muni = c[c["kind"] == iv.MUNICIPALITY]
    by_size = iv.coverage(muni, by=("check", "kind", "measure", "size_class", "horizon"))
    out = pd.concat([pooled, by_size], ignore_index=True)
    order = {s: i for i, s in enumerate(("all", *iv.SIZE_CLASSES))}
    out = out.sort_values(["check", "kind", "measure", "horizon", "size_class"],
                          key=lambda s: s.map(order) if s.name == "size_class" else s)  # fmt: skip
    cols = ["check", "kind", "measure", "size_class", "horizon", "n", "cover80", "cover95",
            "half80_pct", "half95_pct"]  # fmt: skip
    return out[cols].reset_index(drop=True)


def recent_volatility(codes: Sequence[str], base_year: int) -> np.ndarray:
    """Volatility of each municipality's growth over the five years to ``base_year`` from the
    shipped stocks (NaN where a code or year is not in them: the interval then uses the
    calibration's pooled volatility class)."""
    codes = [str(c) for c in codes]
    out = np.full(len(codes), np.nan)
    known = set(data.municipality_codes())
    idx = [k for k, c in enumerate(codes) if c in known]
    if not idx:
        return out
    years = range(int(base_year) - VOLATILITY_YEARS, int(base_year) + 1)
    sel = [codes[k] for k in idx]
    try:
        tot = np.stack([data.population_array(sel, y + 1).sum(axis=(1, 2)) for y in years])
    except InputError:  # a year outside the data or a municipality without it: one by one
        tot = np.full((len(years), len(sel)), np.nan)
        for j, c in enumerate(sel):
            try:
                tot[:, j] = [data.population_array([c], y + 1).sum() for y in years]
            except InputError:
                continue
    out[idx] = growth_volatility(tot.astype(float))
    return out


def projection_intervals(
    totals: np.ndarray,
    measures: np.ndarray,
    years: np.ndarray,
    zone_codes: Sequence[str],
    zone_names: Sequence[str],
    calibration: pd.DataFrame,
    volatility: np.ndarray | None = None,
) -> pd.DataFrame:
    """Intervals for a projection's zones and region.

    Parameters
    ----------
    totals : (K,) total population of each zone at the base year (its size class)
    measures : (T+1, K, M) projected :data:`iv.MEASURES` of each zone, base year first
    years : (T+1,) years, base year first
    volatility : (K,) recent growth volatility per zone, NaN = unknown

    Returns
    -------
    DataFrame: zone_code, zone_name (``""`` and ``"Region"`` for the region, which is only
    added for two or more zones), kind (municipality/region), year, horizon, measure, projected, lower80, upper80, lower95,
    upper95.
    """
    T1, K, M = measures.shape
    vol = np.full(K, np.nan) if volatility is None else np.asarray(volatility, float)
    names = list(iv.MEASURES)
    rows = []
    for k in range(K):
        vc = iv.volatility_class(calibration, vol[k])
        sc = str(iv.size_class(totals[k]))
        for m, name in enumerate(names):
            rows.append(
                (zone_codes[k], zone_names[k], iv.MUNICIPALITY, name, sc, vc, measures[:, k, m])
            )
    if K > 1:
        region = measures.sum(axis=1)
        for m, name in enumerate(names):
            rows.append(("", "Region", iv.REGION, name, "all", "all", region[:, m]))
    frames = []
    horizon = np.asarray(years) - int(years[0])
    for code, zname, kind, name, sc, vc, values in rows:
        f = iv.interval_factors(calibration, iv.Stratum(kind, name, sc, vc), horizon)
        frames.append(pd.DataFrame({
            "zone_code": code, "zone_name": zname, "kind": kind, "year": np.asarray(years, int), "horizon": horizon,
            "measure": name, "projected": values,
            **{c: values * f[c].to_numpy() for c in ("lower80", "upper80", "lower95", "upper95")},
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def intervals_of_projection(projection, calibration: pd.DataFrame | None = None) -> pd.DataFrame:  # noqa: ANN001
    """80 % and 95 % prediction intervals of a :class:`~regbef_excel.engine.results.Projection`
    (:func:`projection_intervals` of its zones and region). Size class: each zone's base-year
    total; volatility class: from the shipped SSB stocks of the five years to the base year for
    zones with a municipality code, otherwise pooled. ``calibration``: default the shipped one.
    """
    cal = iv.shipped_calibration() if calibration is None else calibration
    codes = [str(c) for c in projection.zone_codes]
    pop = projection.population
    return projection_intervals(
        pop[0].sum(axis=(1, 2)), iv.measure_sums(pop), projection.years, codes,
        list(projection.zone_names), cal, recent_volatility(codes, int(projection.years[0])),
    )  # fmt: skip


def backtest_intervals(result: bt.BacktestResult, calibration: pd.DataFrame) -> pd.DataFrame:
    """Intervals of a back-test's projection with what was observed.

    Returns the rows of :func:`projection_intervals` for the observed years, with observed,
    inside80 and inside95 (bool) added. The size class is the observed base-year total, the
    volatility that of the five years to the base year (both known at the base year).
    """
    T = len(result.observed_years)
    obs = iv.measure_sums(result.observed)
    prj = iv.measure_sums(result.projection.population[:T])
    past = result.setup.past_groups
    totals = np.stack([past[y][:, 0] for y in sorted(past)])[-(VOLATILITY_YEARS + 1) :]
    out = projection_intervals(obs[0, :, 0], prj, result.observed_years, result.zone_codes,
                               result.zone_names, calibration, growth_volatility(totals))  # fmt: skip
    K = obs.shape[1]
    observed = {}
    for k, code in enumerate(result.zone_codes):
        for m, name in enumerate(iv.MEASURES):
            observed[(code, name)] = obs[:, k, m]
    if K > 1:
        for m, name in enumerate(iv.MEASURES):
            observed[("", name)] = obs[:, :, m].sum(axis=1)
    out["observed"] = np.concatenate(
        [observed[(c, m)] for (c, m), _ in out.groupby(["zone_code", "measure"], sort=False)]
    )
    out["inside80"] = (out["observed"] >= out["lower80"]) & (out["observed"] <= out["upper80"])
    out["inside95"] = (out["observed"] >= out["lower95"]) & (out["observed"] <= out["upper95"])
    return out


def backtest_coverage(intervals: pd.DataFrame, measure: str = "total") -> pd.DataFrame:
    """Coverage of a back-test's intervals per horizon, pooled and by size class.

    ``intervals``: the frame of :func:`backtest_intervals`. Municipalities only (not the region),
    ``measure`` (default the total population), horizons >= 1. The size class is each
    municipality's observed total at the base year (:func:`iv.size_class`). Returns rows
    size_class (``all`` = pooled, then :data:`iv.SIZE_CLASSES` present), horizon, n, cover80,
    cover95 (% of observed inside), half80_pct, half95_pct (median half-width, % of projected).
    """
    m = intervals[(intervals["kind"] == iv.MUNICIPALITY) & (intervals["measure"] == measure)]
    base = m[m["horizon"] == 0].set_index("zone_code")["observed"]
    m = m[m["horizon"] > 0]
    m = m.assign(size_class=iv.size_class(base.reindex(m["zone_code"]).to_numpy(dtype=float)))
    pooled = iv.coverage(m, by=("horizon",)).assign(size_class="all")
    by_size = iv.coverage(m, by=("size_class", "horizon"))
    order = {s: i for i, s in enumerate(("all", *iv.SIZE_CLASSES))}
    out = pd.concat([pooled, by_size], ignore_index=True)
    out = out.sort_values(["size_class", "horizon"], key=lambda s: s.map(order) if s.name == "size_class" else s)
    cols = ["size_class", "horizon", "n", "cover80", "cover95", "half80_pct", "half95_pct"]
    return out[cols].reset_index(drop=True)


__all__ = [
    "backtest_coverage",
    "backtest_intervals",
    "CalibrationRun",
    "calibrate",
    "collect_errors",
    "county_stocks",
    "coverage_table",
    "default_base_years",
    "errors_of",
    "growth_volatility",
    "intervals_of_projection",
    "out_of_sample",
    "projection_intervals",
    "recent_volatility",
    "with_strata",
]
