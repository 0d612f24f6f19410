"""Choosing the projection's assumptions by their record: age-group errors of back-tests under
alternative fertility and elderly in-migration assumptions, and a leave-one-county-out choice.

:func:`compare_assumptions` back-tests every county from every base year (information up to
the base year only, as :func:`regbef_excel.evaluation.backtest.run_backtest`) once per
:class:`~regbef_excel.evaluation.backtest.Assumptions` and records, per county, base year,
horizon and age group (:data:`AGE_GROUPS`), the sum of absolute and algebraic percentage errors
of the municipalities (those with a break after the base year left out). :func:`mape_table`
turns them into MAPE; :func:`leave_one_county_out` picks, for each county, the assumptions with
the lowest error on the *other* counties and reports how that choice did on the county itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.evaluation import backtest as bt
from regbef_excel.evaluation import calibrate as cb

#: Age groups of the assumption comparison (first, last age; 99 is the open group 99+).
AGE_GROUPS: dict[str, tuple[int, int]] = {
    "Total": (0, 99),
    "0": (0, 0),
    "1–5": (1, 5),
    "6–15": (6, 15),
    "16–19": (16, 19),
    "20–44": (20, 44),
    "45–66": (45, 66),
    "67–79": (67, 79),
    "80+": (80, 99),
}
#: Horizons at which assumptions are judged.
JUDGED_HORIZONS = (5, 10)


def group_sums(pop: np.ndarray) -> np.ndarray:
    """(..., K, 2, A1) -> (..., K, G) sums over :data:`AGE_GROUPS`."""
    by_age = pop.sum(axis=-2)
    return np.stack(
        [by_age[..., lo : hi + 1].sum(axis=-1) for lo, hi in AGE_GROUPS.values()], axis=-1
    )


def age_group_errors(result: bt.BacktestResult, county: str, label: str) -> pd.DataFrame:
    """Per horizon (> 0) and age group of one back-test: n municipalities, the sums of their
    absolute and algebraic percentage errors (100·(P−O)/O, municipalities with O > 0; those
    with a break after the base year left out)."""
    T = len(result.observed_years)
    keep = [k for k, c in enumerate(result.zone_codes) if c not in result.suspect_zones]
    obs = group_sums(result.observed)[:, keep]  # (T, K, G)
    prj = group_sums(result.projection.population[:T])[:, keep]
    ok = obs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(ok, 100 * (prj - obs) / np.where(ok, obs, 1), 0.0)
    G = len(AGE_GROUPS)
    h = np.arange(T)
    return pd.DataFrame({
        "assumptions": label,
        "county": county,
        "base_year": result.base_year,
        "horizon": np.repeat(h, G),
        "group": np.tile(np.array(list(AGE_GROUPS), dtype=object), T),
        "n": ok.sum(axis=1).reshape(-1),
        "sum_ape": np.abs(pct).sum(axis=1).reshape(-1),
        "sum_pe": pct.sum(axis=1).reshape(-1),
    }).query("horizon > 0")  # fmt: skip


def _task(task: tuple[int, tuple[str, ...], tuple[bt.Assumptions, ...]]) -> pd.DataFrame:
    base, counties, variants = task
    frames = []
    for county in counties:
        for a in variants:
            r = bt.run_backtest(county, base, horizon_years=min(10, bt.LAST_STOCK_YEAR - base),
                                known_stocks=cb.county_stocks(county), assumptions=a)  # fmt: skip
            frames.append(age_group_errors(r, county, a.label()))
    return pd.concat(frames, ignore_index=True)


def compare_assumptions(
    variants: Sequence[bt.Assumptions],
    counties: Sequence[str] | None = None,
    base_years: Sequence[int] | None = None,
    *,
    jobs: int = 1,
) -> pd.DataFrame:
    """Back-test every county from every base year under each of ``variants`` (10 years ahead
    at most); the rows of :func:`age_group_errors`."""
    counties = tuple(str(c).zfill(2) for c in (counties or data.county_codes()))
    tasks = [
        (int(b), counties, tuple(variants)) for b in sorted(base_years or cb.default_base_years())
    ]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            frames = list(pool.map(_task, tasks))
    else:
        frames = [_task(t) for t in tasks]
    return pd.concat(frames, ignore_index=True)


def mape_table(errors: pd.DataFrame, horizons: Sequence[int] = JUDGED_HORIZONS) -> pd.DataFrame:
    """MAPE and mean % error (bias) per assumptions × county (and ``All``) × horizon × group:
    the mean over the municipalities and base years of the county."""
    e = errors[errors["horizon"].isin(list(horizons))]
    keys = ["assumptions", "horizon", "group"]
    by_county = (
        e.groupby([*keys, "county"], sort=False)[["n", "sum_ape", "sum_pe"]].sum().reset_index()
    )
    pooled = (
        e.groupby(keys, sort=False)[["n", "sum_ape", "sum_pe"]]
        .sum()
        .reset_index()
        .assign(county="All")
    )
    t = pd.concat([by_county, pooled], ignore_index=True)
    t["mape"] = t["sum_ape"] / t["n"]
    t["bias"] = t["sum_pe"] / t["n"]
    return t[["assumptions", "county", "horizon", "group", "n", "mape", "bias"]]


def score(errors: pd.DataFrame, horizons: Sequence[int] = JUDGED_HORIZONS) -> pd.Series:
    """One number per assumptions: the mean of the age groups' MAPE (groups other than the
    total, :data:`AGE_GROUPS`) over ``horizons``, pooled over the counties in ``errors``."""
    t = mape_table(errors, horizons)
    t = t[(t["county"] == "All") & (t["group"] != "Total")]
    return t.groupby("assumptions", sort=False)["mape"].mean()


def leave_one_county_out(
    errors: pd.DataFrame, horizons: Sequence[int] = JUDGED_HORIZONS
) -> pd.DataFrame:
    """For each county: the assumptions with the lowest :func:`score` on the other counties,
    and the county's own score under that choice and under each assumptions.

    Columns: county, chosen, score_chosen, then one score column per assumptions."""
    rows = []
    for county in sorted(errors["county"].unique()):
        chosen = score(errors[errors["county"] != county], horizons).idxmin()
        own = score(errors[errors["county"] == county], horizons)
        rows.append(
            {"county": county, "chosen": chosen, "score_chosen": own[chosen], **own.to_dict()}
        )
    return pd.DataFrame(rows)


__all__ = [
    "AGE_GROUPS",
    "JUDGED_HORIZONS",
    "age_group_errors",
    "compare_assumptions",
    "group_sums",
    "leave_one_county_out",
    "mape_table",
    "score",
]
