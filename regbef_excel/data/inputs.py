"""The embedded defaults: national vital rates and the Telemark demo, built from package data.

National schedules come from the Human Mortality Database and the Human Fertility Database
(Norway, derived from SSB; CC BY 4.0); population and migration from Statistics Norway
(SSB, NLOD 2.0 / CC BY 4.0). Conversions from HMD/HFD's Lexis squares (age in completed years)
to REGBEF's rates by age at the end of the year are stated at each function.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.engine.flows import schedules
from regbef_excel.engine.generation import GenerationReport, History, NationalRates, generate
from regbef_excel.engine.housing import HOUSING_AGE_LOWER, HousingMarketParams
from regbef_excel.engine.inputs import (
    MAX_AGE,
    N_AGES,
    HousingInputs,
    LabourInputs,
    ProjectionInputs,
)
from regbef_excel.engine.labour import LabourMarketParams, expand_age_groups, labour_supply

#: Years whose HMD death rates are averaged into the projected schedule (reference = middle).
MORTALITY_YEARS = (2019, 2023)
#: Period over which the annual mortality improvement is measured (age-standardised).
IMPROVEMENT_YEARS = (2003, 2023)
#: Share of infant deaths that occur in the calendar year of birth (lower Lexis triangle);
#: a standard value for low-mortality populations (reconstruction; HMD Lexis data not shipped).
INFANT_LOWER_TRIANGLE = 0.9

TELEMARK = "40"
DEMO_BASE_YEAR = 2025
DEMO_HORIZON = 2050


def _mx_matrix(mort: pd.DataFrame, year: int) -> np.ndarray:
    """(2, A1) central death rates for ages 0..MAX_AGE−1 and the open group MAX_AGE+."""
    out = np.empty((2, N_AGES))
    y = mort[mort["year"] == year]
    for s, sex in enumerate(("M", "F")):
        d = y[y["sex"] == sex].set_index("age").sort_index()
        mx = d["mx"].to_numpy(dtype=float)
        deaths = d["deaths"].to_numpy(dtype=float)
        out[s, :MAX_AGE] = mx[:MAX_AGE]
        old = slice(MAX_AGE, None)
        with np.errstate(invalid="ignore", divide="ignore"):
            expo = np.where(mx[old] > 0, deaths[old] / mx[old], 0.0)
        out[s, MAX_AGE] = deaths[old].sum() / expo.sum() if expo.sum() > 0 else mx[MAX_AGE]
    return np.nan_to_num(out, nan=0.5)


def death_prob_end_of_year(mx: np.ndarray) -> np.ndarray:
    """Probability of dying in the year by age at the end of the year, from central rates.

    A person aged a at the end of the year spent the year between exact ages a−1 and a+1 (a
    Lexis parallelogram), half in each square on average:
    ``q[a] = 1 − exp(−(m[a−1] + m[a]) / 2)`` for 1 ≤ a < A; the open group uses its own rate;
    newborns: ``q[0] = 0.9 · (1 − exp(−m[0]))`` (infant deaths are concentrated in the first
    weeks, so ~90 % fall in the birth year). Reconstruction: the handbook gives DODRAT as
    input without saying how it is made.
    """
    q = np.empty_like(mx)
    q[:, 0] = INFANT_LOWER_TRIANGLE * (1 - np.exp(-mx[:, 0]))
    q[:, 1:MAX_AGE] = 1 - np.exp(-0.5 * (mx[:, : MAX_AGE - 1] + mx[:, 1:MAX_AGE]))
    q[:, MAX_AGE] = 1 - np.exp(-mx[:, MAX_AGE])
    return np.clip(q, 0.0, 1.0)


def fertility_end_of_year(asfr_by_age: pd.Series) -> np.ndarray:
    """FODRAT by age at end of year from rates by age in completed years (HFD Lexis squares).

    Women aged a at the end of the year were a−1 or a at the birth (half the year each on
    average): ``f_end[a] = (f[a−1] + f[a]) / 2``; zero outside 15–49 (handbook §3.6).
    """
    f = np.zeros(N_AGES + 1)
    for age, v in asfr_by_age.items():
        if 0 <= int(age) < N_AGES:
            f[int(age)] = float(v)
    out = np.zeros(N_AGES)
    out[15:50] = 0.5 * (f[14:49] + f[15:50])
    return out


@lru_cache(maxsize=8)
def national_rates(as_of: int | None = None) -> NationalRates:
    """Norway's schedules from HMD (mortality) and HFD (fertility), converted for REGBEF.

    ``as_of``: use only data published for years up to and including this year (back-testing);
    the mortality reference is the mean of the five years up to it, the improvement is measured
    over the 20 years before it, and the fertility schedule is that of the latest year <= as_of.
    """
    mort = data.national_death_rates()
    last_mort = int(mort["year"].max()) if as_of is None else min(int(as_of), int(mort["year"].max()))
    mort = mort[mort["year"] <= last_mort]
    years = sorted(mort["year"].unique())
    by_year = {int(y): death_prob_end_of_year(_mx_matrix(mort, int(y))) for y in years if y >= 2000}
    y0, y1 = (MORTALITY_YEARS if as_of is None else (last_mort - 4, last_mort))
    improvement_years = IMPROVEMENT_YEARS if as_of is None else (last_mort - 20, last_mort)
    ref_mx = np.mean([_mx_matrix(mort, y) for y in range(y0, y1 + 1)], axis=0)
    ref_year = (y0 + y1) // 2
    # Annual improvement: age-standardised death rate (standard = latest population), both sexes.
    pop = data.national_population("hmd")
    std = pop[pop["year"] == improvement_years[1]].pivot(index="sex", columns="age", values="population")
    std = std.loc[["M", "F"]].to_numpy(dtype=float)[:, :MAX_AGE]
    asmr = {}
    for y in improvement_years:
        mx = _mx_matrix(mort, y)[:, :MAX_AGE]
        asmr[y] = float((std * mx).sum() / std.sum())
    span = improvement_years[1] - improvement_years[0]
    improvement = 1 - (asmr[improvement_years[1]] / asmr[improvement_years[0]]) ** (1 / span)

    asfr = data.national_fertility_rates()
    if as_of is not None:
        asfr = asfr[asfr["year"] <= as_of]
    fert = {int(y): fertility_end_of_year(g.set_index("age")["asfr"]) for y, g in asfr.groupby("year") if y >= 2000}
    latest = max(fert)
    births = data.national_births_by_sex()
    if as_of is not None:
        births = births[births["year"] <= as_of]
    recent = births[births["year"] >= births["year"].max() - 9]
    share_boys = float(recent["male"].sum() / recent["total"].sum())
    return NationalRates(
        death_prob=death_prob_end_of_year(ref_mx),
        death_prob_by_year=by_year,
        fertility=fert,
        fertility_latest=fert[latest],
        fertility_latest_year=latest,
        mortality_improvement=float(improvement),
        mortality_reference_year=ref_year,
        share_boys=share_boys,
        sources=[
            f"Dødelighet: HMD Norge, gjennomsnitt {y0}–{y1}; forbedring {improvement:.2%}/år "
            f"(aldersstandardisert {improvement_years[0]}–{improvement_years[1]})",
            f"Fruktbarhet: HFD Norge {latest} (samlet fruktbarhet {fert[latest].sum():.2f})",
            f"Andel gutter: HMD fødte {int(recent['year'].min())}–{int(recent['year'].max())}",
        ],
    )


def municipality_names(codes: list[str]) -> list[str]:
    m = data.municipalities().set_index("municip_code")
    return [str(m.loc[c, "name"]) for c in codes]


def stocks(codes: list[str], first: int, last: int) -> dict[int, np.ndarray]:
    """Population on 31 Dec of each year first..last (SSB 1 January of the next year)."""
    return {y: data.population_array(codes, y + 1).astype(float) for y in range(first, last + 1)}


@lru_cache(maxsize=1)
def telemark_history() -> History:
    """Telemark's 17 municipalities: SSB population 2005–2026 and migration by age 2016–2025.

    The gross flows (both sexes, all moves across the municipal border) are split into
    internal / rest of Norway / abroad with each municipality's 2025 shares: internal from the
    within-Telemark origin–destination table (SSB 13864), abroad = total minus domestic moves.
    """
    codes = data.municipality_codes(TELEMARK)
    mig = data.telemark_migration_by_age()
    years = np.array(sorted(mig["year"].unique()))
    K = len(codes)
    out = np.full((len(years), K, N_AGES), np.nan)
    inn = np.full((len(years), K, N_AGES), np.nan)
    yi = np.searchsorted(years, mig["year"].to_numpy())
    ki = pd.Index(codes).get_indexer(mig["municip_code"])
    ai = np.minimum(mig["age"].to_numpy(), MAX_AGE)
    if (ki < 0).any():
        raise ValueError("Telemark migration data has codes outside the municipality list")
    out[yi, ki, ai] = 0.0
    inn[yi, ki, ai] = 0.0
    np.add.at(out, (yi, ki, ai), mig["out"].to_numpy(dtype=float))
    np.add.at(inn, (yi, ki, ai), mig["in"].to_numpy(dtype=float))

    flows = data.telemark_flows()
    last = int(flows["year"].max())
    inside = flows[(flows["origin_county_code"] == TELEMARK) & (flows["dest_county_code"] == TELEMARK)]
    internal = inside[inside["origin_code"] != inside["dest_code"]]
    dom_out = flows[flows["origin_county_code"] == TELEMARK].groupby("origin_code")["persons"].sum()
    dom_in = flows[flows["dest_county_code"] == TELEMARK].groupby("dest_code")["persons"].sum()
    int_out = internal.groupby("origin_code")["persons"].sum()
    int_in = internal.groupby("dest_code")["persons"].sum()
    m_last = mig[mig["year"] == last].groupby("municip_code")[["out", "in"]].sum()
    tot_out = m_last["out"].reindex(codes).to_numpy(dtype=float)
    tot_in = m_last["in"].reindex(codes).to_numpy(dtype=float)
    get = lambda s: s.reindex(codes).fillna(0).to_numpy(dtype=float)  # noqa: E731
    return History(
        zone_codes=tuple(codes),
        zone_names=tuple(municipality_names(codes)),
        population=stocks(codes, 2004, 2025),
        flow_years=years,
        out_by_age=out,
        in_by_age=inn,
        internal_out_share=np.clip(get(int_out) / tot_out, 0, 1),
        internal_in_share=np.clip(get(int_in) / tot_in, 0, 1),
        abroad_out_share=np.clip(1 - get(dom_out) / tot_out, 0, 1),
        abroad_in_share=np.clip(1 - get(dom_in) / tot_in, 0, 1),
        region_name="Telemark",
        sources=[
            "Befolkning: SSB tabell 07459 (1. januar, 2024-grenser)",
            "Flytting etter alder 2016–2025: SSB via Telemark fylkeskommune (PANDA-grunnlag)",
            f"Flyttestrømmer mellom kommuner {last}: SSB tabell 13864",
        ],
    )


@lru_cache(maxsize=4)
def _telemark(base_year: int, horizon: int) -> tuple[ProjectionInputs, GenerationReport]:
    return generate(telemark_history(), national_rates(), base_year=base_year, horizon=horizon)


def telemark_inputs(
    base_year: int = DEMO_BASE_YEAR, horizon: int = DEMO_HORIZON
) -> tuple[ProjectionInputs, GenerationReport]:
    """The Telemark demo: inputs generated from 2016–2025 history, base year 2025 (1 Jan 2026)."""
    inputs, report = _telemark(base_year, horizon)
    return inputs.copy(), report


# ---------------------------------------------------------------------------------------------
# Defaults: distances, labour market, housing (Telemark)
# ---------------------------------------------------------------------------------------------

#: Labour-force participation by sex × age group (lower bounds). ASSUMPTION: rounded values of
#: the order of Norway's labour force survey (AKU) rates; replace with local register data.
PARTICIPATION_AGE_LOWER = (15, 20, 25, 30, 40, 50, 55, 60, 62, 67, 70, 75)
PARTICIPATION = np.array(
    [[0.35, 0.72, 0.86, 0.90, 0.90, 0.88, 0.84, 0.72, 0.50, 0.20, 0.08, 0.0],
     [0.38, 0.70, 0.82, 0.85, 0.87, 0.85, 0.80, 0.66, 0.42, 0.15, 0.05, 0.0]]
)  # fmt: skip
#: Yearly demolition share of the existing stock (AVGE). ASSUMPTION (0.2 % a year).
DEMOLITION_OLD = 0.002
#: Persons per household moving into existing dwellings (EBFAMIN) and into new dwellings by
#: house type (BFFAM). ASSUMPTIONS of the order of Norwegian household sizes by dwelling type.
FAMILY_EXISTING = 1.9
FAMILY_NEW = {"Enebolig": 2.6, "Rekkehus, tomannsbolig og småhus": 2.2, "Leilighet": 1.6, "Annen boligbygging": 1.5}


def intra_zone_distance(d: np.ndarray) -> np.ndarray:
    """Distances with the diagonal set to half the distance to the nearest other zone (≥ 1 km).

    A convention (decision): the power deterrence function needs a positive intra-zone distance;
    half the nearest-neighbour distance is the radius of a zone's catchment in a regular layout.
    """
    out = np.array(d, dtype=float)
    K = out.shape[0]
    if K == 1:
        out[0, 0] = 1.0
        return out
    off = out + np.diag(np.full(K, np.inf))
    np.fill_diagonal(out, np.maximum(off.min(axis=1) / 2.0, 1.0))
    return out


def civil_status_and_need_rates() -> tuple[np.ndarray, np.ndarray]:
    """SIVRAT and BOLRAT (2, 14, 4) by sex × housing age group × civil status. ASSUMPTION.

    Civil status (single, single with children, married/cohabiting, married with children) by
    age follows the usual Norwegian life course; need per person is 1 dwelling per single adult
    and ½ per partner in a couple; 16–19-year-olds mostly live with their parents (need 0.1).
    The base-year level factor scales need to the real stock, so only the age pattern matters.
    """
    G = len(HOUSING_AGE_LOWER)
    ages = np.array(HOUSING_AGE_LOWER, dtype=float) + 2.0
    couple = np.clip((ages - 18) / 15, 0, 1) * 0.65 * np.where(ages > 70, np.clip(1 - (ages - 70) / 25, 0.3, 1), 1)
    children = np.clip(1 - np.abs(ages - 38) / 16, 0, 1)
    siv = np.zeros((2, G, 4))
    single = 1 - couple
    siv[:, :, 0] = single * (1 - 0.15 * children)
    siv[:, :, 1] = single * 0.15 * children
    siv[:, :, 2] = couple * (1 - children)
    siv[:, :, 3] = couple * children
    bol = np.tile(np.array([1.0, 1.0, 0.5, 0.5]), (2, G, 1))
    bol[:, 0, :] = 0.1
    return siv, bol


def add_telemark_labour_housing(inputs: ProjectionInputs) -> ProjectionInputs:
    """Distances (great-circle, SSB coordinates), labour and housing inputs for the demo, in place.

    Real data: dwellings by house type on 1 January of the year after the base year (SSB 06265)
    and the building programme = mean yearly growth of the stock over the last ten years plus
    assumed demolition. Assumptions (flagged in the workbook): participation rates, jobs (equal
    to the base-year labour supply and constant), demolition share, civil status and need rates,
    family sizes, market parameters.
    """
    codes = list(inputs.zone_codes)
    K, T = inputs.n_zones, inputs.n_years
    inputs.distances = intra_zone_distance(data.great_circle_km(codes))
    profile = schedules(inputs, []).dist["IIF"].mean(axis=0)
    profile = profile / profile.sum()
    yrk0 = labour_supply(inputs.population, expand_age_groups(PARTICIPATION, PARTICIPATION_AGE_LOWER))
    inputs.labour = LabourInputs(
        participation=PARTICIPATION.copy(), age_lower=PARTICIPATION_AGE_LOWER,
        level_region=np.ones(T), level_zone=np.ones(K), jobs=np.tile(yrk0, (T + 1, 1)),
        params=LabourMarketParams(), kup=np.zeros(K), kip=np.zeros(K), profile=profile,
    )  # fmt: skip

    dw = data.telemark_dwellings()
    by_group = dw[dw["region_code"].isin(codes)].pivot_table(
        index=["year", "region_code"], columns="building_type_group", values="dwellings", aggfunc="sum"
    )
    types = list(FAMILY_NEW)
    last = int(inputs.base_year) + 1
    first = last - 10
    stock_now = by_group.loc[last].reindex(index=codes, columns=types).fillna(0).to_numpy(float)
    stock_then = by_group.loc[first].reindex(index=codes, columns=types).fillna(0).to_numpy(float)
    growth = (stock_now - stock_then) / 10.0
    gross = np.maximum(growth.sum(axis=1) + DEMOLITION_OLD * stock_now.sum(axis=1), 0.0)
    pos = np.maximum(growth, 0.0)
    type_share = np.where(pos.sum(axis=1, keepdims=True) > 0, pos / np.maximum(pos.sum(axis=1, keepdims=True), 1e-12),
                          stock_now / stock_now.sum(axis=1, keepdims=True))
    siv, bol = civil_status_and_need_rates()
    inputs.housing = HousingInputs(
        stock_by_period=stock_now.sum(axis=1, keepdims=True), period_labels=(f"før {last}",),
        stock_by_type=stock_now, type_labels=tuple(types),
        demolition_old=np.full(K, DEMOLITION_OLD), demolition_new=np.zeros(K),
        building=np.tile(gross, (T, 1)), building_type_shares=type_share, sivrat=siv, bolrat=bol,
        level_region=np.ones(T), market=HousingMarketParams(), family_existing=np.full(K, FAMILY_EXISTING),
        family_new=np.array([FAMILY_NEW[t] for t in types]),
        profile_new=np.broadcast_to(profile, (len(types), 2, N_AGES)).copy(),
    )  # fmt: skip
    return inputs
