"""What a planner could have known at a base year: migration schedules and flow splits by vintage.

A back-test from base year B (stock on 31 Dec B) may use data published for years up to and
including B and nothing later. Two constants of generating inputs from population stocks alone
(:func:`regbef_excel.evaluation.backtest.history_from_arrays`) need migration data that the
package holds only for later years:

* the **standard gross out-migration schedule** by age: Telemark's migration by age is shipped
  for 2016–2025 (SSB via Telemark fylkeskommune). :func:`standard_out_rates_as_of` pools the
  years ``<= B``; before the first of them the only age schedule a planner had was a published
  model schedule, the Rogers–Castro (1981) fundamental schedule (:data:`RC_FUNDAMENTAL`);
* the **split of gross flows** into internal / rest of Norway / abroad: the origin–destination
  table (SSB 13864) is shipped for 2025 only. :func:`split_shares_as_of` returns its split for
  ``B >= 2025`` and otherwise no split (every move counted as a move to or from the rest of
  Norway): without an origin–destination table there is no base for one.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from regbef_excel import data
from regbef_excel.data import inputs as shipped_inputs
from regbef_excel.engine.inputs import MAX_AGE, N_AGES
from regbef_excel.engine.migration import rogers_castro
from regbef_excel.engine.residual import residual_net_migration

#: Ages at and above this one share one standard out-migration rate (few moves, noisy).
STANDARD_POOL_FROM = 90
#: Rogers & Castro (1981), *Model Migration Schedules*, IIASA RR-81-30: the fundamental
#: parameters of their simplified standard schedule (7 parameters, as published, unscaled).
RC_FUNDAMENTAL = {"a1": 0.02, "alpha1": 0.1, "a2": 0.06, "alpha2": 0.1, "mu2": 20.0,
                  "lambda2": 0.4, "c": 0.003}  # fmt: skip
#: The split used when no origin–destination table is known: no internal moves, none abroad.
NO_SPLIT = {"internal_out": 0.0, "internal_in": 0.0, "abroad_out": 0.0, "abroad_in": 0.0}


def migration_years_as_of(base_year: int | None) -> list[int]:
    """Years of the shipped migration-by-age data published by ``base_year`` (all if None)."""
    years = sorted(int(y) for y in data.telemark_migration_by_age()["year"].unique())
    return years if base_year is None else [y for y in years if y <= int(base_year)]


@lru_cache(maxsize=32)
def _pooled_out_rates(years: tuple[int, ...]) -> np.ndarray:
    codes = data.municipality_codes(shipped_inputs.TELEMARK)
    mig = data.telemark_migration_by_age()
    mig = mig[mig["year"].isin(years)]
    pop = shipped_inputs.stocks(codes, years[0] - 1, years[-1])
    stocks = np.stack([pop[y] for y in range(years[0] - 1, years[-1] + 1)])
    nat = shipped_inputs.national_rates(as_of=years[-1])
    q = np.stack([nat.death_prob_for(y) for y in range(years[0], years[-1] + 1)])
    risk_all = residual_net_migration(stocks, q).at_risk.sum(axis=(1, 2))  # (Y, A1)
    risk = np.stack([risk_all[y - years[0]] for y in years])
    out = np.zeros((len(years), N_AGES))
    seen = np.zeros((len(years), N_AGES), dtype=bool)
    g = mig.assign(age=np.minimum(mig["age"], MAX_AGE)).groupby(["year", "age"])["out"].sum()
    for (y, a), v in g.items():
        out[years.index(int(y)), int(a)] += float(v)
        seen[years.index(int(y)), int(a)] = True
    num = np.where(seen, out, 0).sum(axis=0)
    den = np.where(seen, risk, 0).sum(axis=0)
    # Ages never published in these years (71+ before 2022) take the rate of the oldest
    # published age group pooled: the schedule is flat at old ages.
    old = slice(STANDARD_POOL_FROM, None)
    num[old] = num[old].sum()
    den[old] = den[old].sum()
    rates = np.divide(num, den, out=np.full(N_AGES, np.nan), where=den > 0)
    last_seen = np.flatnonzero(np.isfinite(rates))
    if len(last_seen) and last_seen[-1] < N_AGES - 1:
        tail = slice(max(0, last_seen[-1] - 9), last_seen[-1] + 1)
        rates[last_seen[-1] + 1 :] = num[tail].sum() / den[tail].sum()
    return np.nan_to_num(rates)


def rogers_castro_standard() -> np.ndarray:
    """The Rogers–Castro (1981) fundamental schedule by single age 0..99 (rates per person)."""
    return rogers_castro(np.arange(N_AGES, dtype=float), RC_FUNDAMENTAL)


def standard_out_rates_as_of(base_year: int | None) -> tuple[np.ndarray, str]:
    """Standard gross out-migration rates by age known at ``base_year`` and a source line.

    ``m[a] = Σ_{k,y} OUT[y,k,a] / Σ_{k,y} BEF2[y,k,a]`` over Telemark's 17 municipalities and
    the shipped years ``y <= base_year`` (ages 90+ pooled; ages not published in those years —
    71+ before 2022 — take the rate of the ten oldest published ages); with no such year the
    Rogers–Castro fundamental schedule :data:`RC_FUNDAMENTAL`. ``base_year=None``: every
    shipped year (the current default).

    Returns
    -------
    rates : ndarray (A1,)
    source : str (Norwegian, for a workbook's source list)
    """
    years = migration_years_as_of(base_year)
    if not years:
        return (
            rogers_castro_standard(),
            "Bruttoflytting: Rogers–Castro standardprofil (1981) + netto",
        )
    return _pooled_out_rates(tuple(years)).copy(), (
        f"Bruttoflytting: standard utflyttingsrater (Telemark {years[0]}–{years[-1]}) + netto"
    )


def split_shares_as_of(base_year: int | None) -> tuple[dict[str, float], str]:
    """The split of gross flows known at ``base_year`` and a source line.

    The pooled Telemark split of the latest origin–destination year ``<= base_year`` (see
    :func:`regbef_excel.evaluation.backtest.telemark_split_shares`); :data:`NO_SPLIT` when none
    is shipped for such a year.
    """
    last = int(data.telemark_flows()["year"].max())
    if base_year is not None and int(base_year) < last:
        return dict(NO_SPLIT), "Flyttestrømmer: ingen fordeling kjent (alle flyttinger eksterne)"
    tm = shipped_inputs.TELEMARK
    flows = data.telemark_flows()
    mig = data.telemark_migration_by_age()
    tot = mig[mig["year"] == last][["out", "in"]].sum()
    inside = flows[(flows["origin_county_code"] == tm) & (flows["dest_county_code"] == tm)]
    internal = float(inside.loc[inside["origin_code"] != inside["dest_code"], "persons"].sum())
    dom_out = float(flows.loc[flows["origin_county_code"] == tm, "persons"].sum())
    dom_in = float(flows.loc[flows["dest_county_code"] == tm, "persons"].sum())
    shares = {
        "internal_out": internal / float(tot["out"]),
        "internal_in": internal / float(tot["in"]),
        "abroad_out": max(0.0, 1 - dom_out / float(tot["out"])),
        "abroad_in": max(0.0, 1 - dom_in / float(tot["in"])),
    }
    return shares, f"Flyttestrømmer: Telemarks fordeling {last} (SSB 13864)"


__all__ = [
    "NO_SPLIT",
    "RC_FUNDAMENTAL",
    "migration_years_as_of",
    "rogers_castro_standard",
    "split_shares_as_of",
    "standard_out_rates_as_of",
]
