"""Scenario comparison: two projections of the same region side by side.

A planner's usual pair is "trend" against "a housing programme" or "a job target". The tables
are computed from :class:`~regbef_excel.engine.results.Projection` objects only; the workbook
sheet is written by :func:`regbef_excel.io.write.evaluation.write_comparison`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from regbef_excel.engine.results import COMPONENTS, SERVICE_AGE_GROUPS, Projection
from regbef_excel.errors import InputError, Location

#: Name of the whole-region rows (as in Projection.total_by_zone).
REGION = "Region"


@dataclass
class ScenarioComparison:
    """Tables of a comparison of scenario ``b`` against scenario ``a``.

    Every table has the columns ``a``, ``b``, ``difference`` (b − a) and ``pct_difference``
    (100·(b − a)/a; NaN where a is 0).

    Attributes
    ----------
    labels : (str, str)
        Names of the scenarios (a, b).
    population : DataFrame
        ``zone_code, zone_name, year`` — every zone and the region (zone_code ``""``), every year.
    age_groups : DataFrame
        ``zone_code, zone_name, year, group`` — service age groups, every zone and the region.
    components : DataFrame
        ``zone_code, zone_name, component`` — components of change summed over the projection
        period (births, deaths, EUF, EIFU, EIFN, IUF, IIF, leavers, net_external, net_internal,
        growth), every zone and the region.
    base_year, horizon : int
    """

    labels: tuple[str, str]
    population: pd.DataFrame
    age_groups: pd.DataFrame
    components: pd.DataFrame
    base_year: int
    horizon: int

    def region(self, table: str = "population") -> pd.DataFrame:
        """The whole-region rows of a table."""
        df = getattr(self, table)
        return df[df["zone_code"] == ""].reset_index(drop=True)

    def in_year(self, year: int | None = None) -> pd.DataFrame:
        """Population by zone (region last) in ``year`` (default: the horizon)."""
        y = self.horizon if year is None else int(year)
        df = self.population[self.population["year"] == y]
        return df.reset_index(drop=True)


def _diff(df: pd.DataFrame) -> pd.DataFrame:
    df["difference"] = df["b"] - df["a"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["pct_difference"] = np.where(np.abs(df["a"]) > 1e-6, 100 * df["difference"] / df["a"], np.nan)
    return df


def _check_same_region(a: Projection, b: Projection) -> None:
    if tuple(a.zone_codes) != tuple(b.zone_codes):
        raise InputError(
            "the two scenarios have different zones", location=Location(table="scenario comparison"),
            found=f"{len(a.zone_codes)} vs {len(b.zone_codes)} zones",
            expected="the same zones in the same order",
        )  # fmt: skip
    if not np.array_equal(a.years, b.years):
        raise InputError(
            "the two scenarios cover different years", location=Location(table="scenario comparison"),
            found=f"{a.years[0]}–{a.years[-1]} vs {b.years[0]}–{b.years[-1]}",
            expected="the same base year and horizon",
        )  # fmt: skip


def compare_scenarios(a: Projection, b: Projection, labels: tuple[str, str] = ("A", "B")) -> ScenarioComparison:
    """Compare projection ``b`` with projection ``a`` (same zones and years).

    Parameters
    ----------
    a, b : Projection
        The reference scenario and the alternative.
    labels : (str, str)
        Scenario names shown in the workbook.

    Returns
    -------
    ScenarioComparison

    Raises
    ------
    InputError
        When the projections do not cover the same zones and years.
    """
    _check_same_region(a, b)
    codes = list(a.zone_codes)
    names = list(a.zone_names)

    # population by zone and year, region rows first
    def pop_long(p: Projection) -> np.ndarray:
        tot = p.population.sum(axis=(2, 3))  # (T+1, K)
        return np.concatenate([tot.sum(axis=1, keepdims=True), tot], axis=1)  # region first

    years = [int(y) for y in a.years]
    K1 = len(codes) + 1
    zc, zn = ["", *codes], [REGION, *names]
    pa, pb = pop_long(a), pop_long(b)
    population = _diff(pd.DataFrame({
        "zone_code": np.tile(np.asarray(zc, dtype=object), len(years)),
        "zone_name": np.tile(np.asarray(zn, dtype=object), len(years)),
        "year": np.repeat(years, K1),
        "a": pa.reshape(-1), "b": pb.reshape(-1),
    }))  # fmt: skip

    def groups(p: Projection) -> np.ndarray:
        by_age = p.population.sum(axis=2)  # (T+1, K, A1)
        A1 = by_age.shape[2]
        g = np.stack([by_age[:, :, lo : min(hi, A1 - 1) + 1].sum(axis=2)
                      for lo, hi in SERVICE_AGE_GROUPS.values()], axis=2)  # (T+1, K, G)
        return np.concatenate([g.sum(axis=1, keepdims=True), g], axis=1)  # fmt: skip

    ga, gb = groups(a), groups(b)
    G = ga.shape[2]
    age_groups = _diff(pd.DataFrame({
        "zone_code": np.tile(np.repeat(np.asarray(zc, dtype=object), G), len(years)),
        "zone_name": np.tile(np.repeat(np.asarray(zn, dtype=object), G), len(years)),
        "year": np.repeat(years, K1 * G),
        "group": np.tile(np.asarray(list(SERVICE_AGE_GROUPS), dtype=object), len(years) * K1),
        "a": ga.reshape(-1), "b": gb.reshape(-1),
    }))  # fmt: skip

    def comps(p: Projection) -> dict[str, np.ndarray]:
        tot = {k: v.sum(axis=0) for k, v in p.component_totals().items()}  # (K,)
        tot["net_external"] = tot["EIFU"] + tot["EIFN"] - tot["EUF"]
        tot["net_internal"] = tot["IIF"] - tot["IUF"]
        pop = p.population.sum(axis=(2, 3))
        tot["growth"] = pop[-1] - pop[0]
        return {k: np.concatenate([[v.sum()], v]) for k, v in tot.items()}

    ca, cb = comps(a), comps(b)
    keys = [*COMPONENTS, "net_external", "net_internal", "growth"]
    components = _diff(pd.DataFrame({
        "zone_code": np.repeat(np.asarray(zc, dtype=object), len(keys)),
        "zone_name": np.repeat(np.asarray(zn, dtype=object), len(keys)),
        "component": np.tile(np.asarray(keys, dtype=object), K1),
        "a": np.stack([ca[k] for k in keys], axis=1).reshape(-1),
        "b": np.stack([cb[k] for k in keys], axis=1).reshape(-1),
    }))  # fmt: skip
    return ScenarioComparison(
        labels=(str(labels[0]), str(labels[1])), population=population, age_groups=age_groups,
        components=components, base_year=years[0], horizon=years[-1],
    )  # fmt: skip


__all__ = ["REGION", "ScenarioComparison", "compare_scenarios"]
