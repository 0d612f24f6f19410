"""From an estimated FE migration model to net-migration targets of the projection (MÅLTYP 1).

Chain (spec migration-regression.md §3)::

    scenario for the regressors (region × future year)
      → predicted net migration per 1000:  const + x'β + γ_t (assumed) + û_i     (predict_fe)
      → internally consistent rates:       r_it − Σ_i r_it P_it / Σ_i P_it       (centre=True)
      → persons per region:                N_it = r_it × P_it / 1000
      → persons per municipality:          N_kt = N_it × P_kt / Σ_{k∈i} P_kt     (zones)
      → targets: year, zone_code, steering=1, target_type=1, value=N_kt, comment

Consistency: net *internal* migration sums to zero over a set of regions that covers the
country. Subtracting the population-weighted mean rate of each year makes the persons sum to
exactly zero (Σ_i (r_i − r̄) P_i = 0). It removes any level the model predicts for the country
as a whole — with the real demo panel, whose dependent variable is **total** net migration
(immigration included), that level is net immigration, which must then be set separately in
the projection. Use ``centre=False`` to keep it (targets then include net immigration).

Distribution to municipalities is in proportion to their population in the year (the
projection's or the shipped 1 January population): every municipality of a region gets the
region's rate. This is a simplification (small municipalities in a region usually lose more
than its centre); it keeps each region's total.

The future year effect γ_t is an explicit assumption (``future_year_effect``: the last
estimated year's effect, the mean over the estimation years, zero = base year, or a number).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from regbef_excel.errors import InputError, Location
from regbef_excel.regression.data import parse_terms
from regbef_excel.regression.postestimation import predict_fe
from regbef_excel.regression.results import PanelResult

#: The target table's columns, in order (the lead's tblTargets uses the same keys).
TARGET_COLUMNS = ("year", "zone_code", "steering", "target_type", "value", "comment")
STEERING_ON = 1
TARGET_NET_MIGRATION = 1  # MÅLTYP 1: net migration (persons)


def _factors(result: PanelResult) -> list[str]:
    spec = result.spec
    return list(dict.fromkeys(f for t in parse_terms(spec.x) for f in t.factors))


#: Why a regressor's effect cannot be used for a scenario (keys of :func:`unidentified_terms`).
OMITTED = "omitted"
YEAR_COLLINEAR = "year"


def unidentified_terms(result: PanelResult) -> dict[str, str]:
    """Regressors of ``result`` whose coefficient says nothing about a scenario.

    :data:`OMITTED`: omitted because of collinearity (e.g. a region-invariant variable after
    FE, whose level the region effects carry). :data:`YEAR_COLLINEAR`: the regressor takes one
    value per year (e.g. national unemployment) while the model has year dummies; the regression
    then drops a year dummy instead, so the coefficient mixes the variable with that year's
    effect and moving the variable in a scenario (or assuming a future year effect) is
    arbitrary.

    Returns
    -------
    dict
        Term → :data:`OMITTED` or :data:`YEAR_COLLINEAR`, in the model's order.
    """
    spec = result.spec
    out: dict[str, str] = {}
    frame = result.estimation_frame
    for term in result.regressors:
        if term in result.dropped:
            out[term] = OMITTED
            continue
        if not (result.has_time_dummies and spec.time in frame.columns and term in frame.columns):
            continue
        x = frame[term].to_numpy(dtype=float)
        within_year = x - frame.groupby(spec.time)[term].transform("mean").to_numpy(dtype=float)
        if np.max(np.abs(within_year), initial=0.0) <= 1e-9 * (1.0 + np.max(np.abs(x), initial=0.0)):
            out[term] = YEAR_COLLINEAR
    return out


def baseline_scenario(
    result: PanelResult,
    data: pd.DataFrame,
    years: Iterable[int],
    *,
    regions: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Regressors held at each region's last observed values for ``years``.

    Parameters
    ----------
    result
        The FE fit (its region/year column names and regressors are used).
    data
        The panel the model was estimated on (or a newer one).
    years
        Future years.
    regions
        Regions to include; default every region with an estimated effect.
    """
    spec = result.spec
    ent, tim = spec.entity, spec.time
    cols = _factors(result)
    missing = [c for c in [ent, tim, *cols] if c not in data.columns]
    if missing:
        raise InputError(f"unknown variable '{missing[0]}'", location=Location(column=missing[0]))
    complete = data.dropna(subset=cols)
    last = complete.sort_values(tim).groupby(ent, sort=True).tail(1).set_index(ent)[cols]
    regs = list(regions) if regions is not None else list(result.entity_effects.index)
    absent = [r for r in regs if r not in last.index]
    if absent:
        raise InputError("region without complete data", location=Location(column=ent),
                         found=absent[0], expected="a region of the panel")  # fmt: skip
    years = [int(y) for y in years]
    out = last.loc[regs].reset_index().merge(pd.DataFrame({tim: years}), how="cross")
    return out[[ent, tim, *cols]].sort_values([ent, tim], kind="stable").reset_index(drop=True)


def shock(
    scenario: pd.DataFrame,
    variable: str,
    delta: float,
    *,
    regions: Sequence[object] | None = None,
    from_year: int | None = None,
    entity: str = "region",
    time: str = "year",
) -> pd.DataFrame:
    """A copy of ``scenario`` with ``variable`` + ``delta`` in ``regions`` from ``from_year`` on.

    E.g. ``shock(base, "arbeidsledighet", 1.0, regions=["Grenland"], from_year=2027)``: one
    percentage point more unemployment in Grenland from 2027.
    """
    if variable not in scenario.columns:
        raise InputError(f"unknown variable '{variable}'", location=Location(column=variable))
    out = scenario.copy()
    sel = pd.Series(True, index=out.index)
    if regions is not None:
        sel &= out[entity].isin(list(regions))
    if from_year is not None:
        sel &= out[time] >= from_year
    out.loc[sel, variable] = out.loc[sel, variable].astype(float) + float(delta)
    return out


def _population_frame(
    population: pd.DataFrame, key: str, time: str, value: str, what: str
) -> pd.Series:
    for c in (key, time, value):
        if c not in population.columns:
            raise InputError(
                f"{what}: column '{c}' missing", location=Location(column=c),
                expected=f"columns {key}, {time}, {value}",
            )  # fmt: skip
    pop = population.set_index([key, time])[value].astype(float)
    if pop.index.duplicated().any():
        k = pop.index[pop.index.duplicated()][0]
        raise InputError(f"{what}: duplicate rows", location=Location(column=key), found=k)
    return pop


def predicted_net_migration(
    result: PanelResult,
    scenario: pd.DataFrame,
    population: pd.DataFrame,
    *,
    future_year_effect: str | float = "last",
    centre: bool = True,
    population_column: str = "population",
) -> pd.DataFrame:
    """Predicted net migration per region and year, as a rate and in persons.

    Parameters
    ----------
    result
        An FE fit (``method="fe"``) whose dependent variable is net migration per 1000.
    scenario
        Region, year and every regressor (factor) column of the model for the future years.
    population
        Region, year and ``population_column``: the population the rate applies to (the
        projection's population at the start of each year, or the shipped data).
    future_year_effect
        Assumed year effect γ_t for years without an estimate (see :func:`predict_fe`).
    centre
        Subtract each year's population-weighted mean rate (net internal migration sums to
        zero; module docstring).

    Returns
    -------
    DataFrame
        Columns: region, year, ``rate`` (per 1000, as predicted), ``rate_consistent`` (centred
        or equal to ``rate``), ``population``, ``persons`` (= rate_consistent × population /
        1000), ``year_effect``, ``future_year``.
    """
    spec = result.spec
    ent, tim = spec.entity, spec.time
    pred = predict_fe(result, scenario, future_year_effect=future_year_effect)
    pop = _population_frame(population, ent, tim, population_column, "population")
    key = pd.MultiIndex.from_arrays([pred[ent], pred[tim]])
    p = pop.reindex(key).to_numpy()
    if np.isnan(p).any():
        i = int(np.flatnonzero(np.isnan(p))[0])
        raise InputError(
            "no population for a region and year of the scenario",
            location=Location(column=population_column),
            found=f"{pred[ent].iloc[i]} {pred[tim].iloc[i]}",
            expected="population for every region and year of the scenario",
        )  # fmt: skip
    out = pd.DataFrame(
        {
            ent: pred[ent].to_numpy(),
            tim: pred[tim].to_numpy(),
            "rate": pred["prediction"].to_numpy(),
            "population": p,
            "year_effect": pred["year_effect"].to_numpy(),
            "future_year": pred["future_year"].to_numpy(),
        }
    )
    if centre:
        w = out["rate"] * out["population"]
        mean = w.groupby(out[tim]).transform("sum") / out["population"].groupby(out[tim]).transform(
            "sum"
        )
        out["rate_consistent"] = out["rate"] - mean
    else:
        out["rate_consistent"] = out["rate"]
    out["persons"] = out["rate_consistent"] * out["population"] / 1000.0
    cols = [ent, tim, "rate", "rate_consistent", "population", "persons", "year_effect",
            "future_year"]  # fmt: skip
    return out[cols]


def targets_from_fe(
    result: PanelResult,
    scenario: pd.DataFrame,
    population: pd.DataFrame,
    *,
    future_year_effect: str | float = "last",
    centre: bool = True,
    zones: pd.DataFrame | None = None,
    population_column: str = "population",
    comment: str | None = None,
) -> pd.DataFrame:
    """Net-migration targets (MÅLTYP 1) for the projection from an FE model and a scenario.

    Parameters
    ----------
    result, scenario, population, future_year_effect, centre, population_column
        As :func:`predicted_net_migration`.
    zones
        Municipalities to distribute the regional persons to: columns ``zone_code``, the
        model's region column, ``year`` (optional) and ``population_column``. Each
        municipality gets its population share of its region (per year when ``year`` is
        given). ``None``: the regions are the zones (``zone_code`` = region).
    comment
        Text for the comment column; default names the model and the assumptions.

    Returns
    -------
    DataFrame
        Exactly the columns :data:`TARGET_COLUMNS`: ``year``, ``zone_code``, ``steering`` (1 =
        target on), ``target_type`` (1 = net migration), ``value`` (persons, not rounded:
        rounding would break the zero sum), ``comment``. Sorted by year and zone.
    """
    spec = result.spec
    ent, tim = spec.entity, spec.time
    reg = predicted_net_migration(result, scenario, population,
                                  future_year_effect=future_year_effect, centre=centre,
                                  population_column=population_column)  # fmt: skip
    if comment is None:
        fye = future_year_effect if isinstance(future_year_effect, str) else f"{future_year_effect:g}"
        comment = (
            f"FE-modell for {spec.y}: {', '.join(spec.x)}; framtidig årseffekt = {fye}; "
            + ("sentrert (sum null per år)" if centre else "ikke sentrert")
        )
    if zones is None:
        out = pd.DataFrame({"year": reg[tim].astype(int), "zone_code": reg[ent].astype(str),
                            "value": reg["persons"]})  # fmt: skip
    else:
        needed = ["zone_code", ent, population_column]
        for c in needed:
            if c not in zones.columns:
                raise InputError(f"zones: column '{c}' missing", location=Location(column=c),
                                 expected=", ".join(needed) + " [, year]")  # fmt: skip
        z = zones.copy()
        z[population_column] = z[population_column].astype(float)
        by_year = tim in z.columns
        keys = [ent, tim] if by_year else [ent]
        z["share"] = z[population_column] / z.groupby(keys)[population_column].transform("sum")
        if z["share"].isna().any():
            bad = z.loc[z["share"].isna(), "zone_code"].iloc[0]
            raise InputError("zones: region with zero population", location=Location(
                column=population_column), found=bad)  # fmt: skip
        merged = reg.merge(z[[*keys, "zone_code", "share"]], on=keys, how="left")
        if merged["zone_code"].isna().any():
            r = merged.loc[merged["zone_code"].isna(), ent].iloc[0]
            raise InputError("zones: a region of the scenario has no municipality",
                             location=Location(column=ent), found=r)  # fmt: skip
        out = pd.DataFrame({"year": merged[tim].astype(int),
                            "zone_code": merged["zone_code"].astype(str),
                            "value": merged["persons"] * merged["share"]})  # fmt: skip
    out["steering"] = STEERING_ON
    out["target_type"] = TARGET_NET_MIGRATION
    out["comment"] = comment
    out = out.sort_values(["year", "zone_code"], kind="stable").reset_index(drop=True)
    return out[list(TARGET_COLUMNS)]




__all__ = [
    "TARGET_COLUMNS",
    "baseline_scenario",
    "predicted_net_migration",
    "shock",
    "targets_from_fe",
    "unidentified_terms",
]
