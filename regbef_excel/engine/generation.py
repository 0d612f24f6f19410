"""Project generation: derive REGBEF parameters from history (handbook §2, "Prosjektgenerering").

From an estimation period (population stocks by zone × sex × age, migration flows by zone ×
age, national vital rates) this module derives

* fertility level factors per zone (handbook §2.1.3) against national rates,
* mortality level factors per zone (§2.3.2) from the demographic balance,
* Rogers–Castro parameters per flow × zone × sex with fit quality (ROGEST, §2.4.1–2.4.5) and the
  level factors that make the smoothed rates reproduce the observed totals of the period
  (region and zone, §2.4.1, §2.4.3),
* immigration totals and zone shares (§2.4.5), in-migration from the rest of Norway, the trend
  net internal migration (RINF, §3.11), and in-migration age profiles (EBRATIN, §2.7).

The handbook's formulas for these steps were images lost in extraction; each function states
the reconstruction it uses. Every derived value lands in the workbook where the planner can see
and override it (the template builder writes the returned :class:`ProjectionInputs` and the
:class:`GenerationReport`).

Data limitations handled here (decisions, see docs/model.md):

* Migration by age is often available for both sexes together: rate-mode schedules are then
  the same for both sexes (a rate applies equally to men and women of an age), and
  distribution-mode profiles are split equally between the sexes.
* The split of gross flows into internal / external-Norway / abroad is by zone shares
  (from an origin–destination table of one year), independent of age.
* Births and deaths by zone are not observed: births are estimated from the population aged 0
  at the end of the year plus infant out-migrants minus infant in-migrants; deaths as the
  residual of the balancing equation. Both only feed level factors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from regbef_excel.engine.ageing import age_one_year
from regbef_excel.engine.fertility import DEFAULT_DAMPING, fertility_level_path
from regbef_excel.engine.inputs import (
    DEFAULT_SHARE_BOYS,
    FEMALE,
    N_AGES,
    RC_KEYS,
    Hadwiger,
    ProjectionInputs,
)
from regbef_excel.engine.migration import fit_rogers_castro_many, rc_schedule

#: Ages (first, last) of "elderly" in-migration taken as a rate of a reference population
#: (option; 67–79 did better than 67–99 in the back-test of all counties, docs/model.md).
ELDERLY_AGES = (67, 79)
#: Plausible range for estimated level factors; estimates outside are clipped and reported.
LEVEL_FACTOR_RANGE = (0.5, 2.0)
AGES = np.arange(N_AGES, dtype=float)


@dataclass
class NationalRates:
    """National vital rates used as the standard schedules (HMD/HFD for Norway by default).

    ``death_prob`` (2, A1): probabilities by age at end of year. ``fertility`` maps a calendar
    year to FODRAT (A1,) by age at end of year; ``fertility_latest`` is the schedule projected.
    ``mortality_improvement``: annual relative decline of death probabilities (0.01 = 1 %),
    ``mortality_reference_year``: the year ``death_prob`` describes.
    """

    death_prob: np.ndarray
    death_prob_by_year: dict[int, np.ndarray]
    fertility: dict[int, np.ndarray]
    fertility_latest: np.ndarray
    fertility_latest_year: int
    mortality_improvement: float
    mortality_reference_year: int
    share_boys: float = DEFAULT_SHARE_BOYS
    sources: list[str] = field(default_factory=list)

    def death_prob_for(self, year: int) -> np.ndarray:
        if year in self.death_prob_by_year:
            return self.death_prob_by_year[year]
        return self.death_prob * (1 - self.mortality_improvement) ** (year - self.mortality_reference_year)

    def fertility_for(self, year: int) -> np.ndarray:
        return self.fertility.get(year, self.fertility_latest)


@dataclass
class History:
    """Observed history of a region's zones.

    ``population[y]`` (K, 2, A1): stock on 31 Dec of year y (SSB's 1 January y+1), last age open.
    ``out_by_age`` / ``in_by_age`` (Y, K, A1): gross out- and in-migration of the zones in the
    years ``flow_years`` by age at end of year, both sexes; NaN where an age was not published.
    The four share vectors (K,) split the gross flows: ``internal_out_share`` = share of
    out-migrants who move to another zone of the region, ``abroad_out_share`` = share who
    emigrate; likewise for in-migrants.
    """

    zone_codes: tuple[str, ...]
    zone_names: tuple[str, ...]
    population: dict[int, np.ndarray]
    flow_years: np.ndarray
    out_by_age: np.ndarray
    in_by_age: np.ndarray
    internal_out_share: np.ndarray
    internal_in_share: np.ndarray
    abroad_out_share: np.ndarray
    abroad_in_share: np.ndarray
    region_name: str = ""
    sources: list[str] = field(default_factory=list)


@dataclass
class GenerationReport:
    """What project generation derived and how well (shown in the workbook)."""

    estimation_years: list[int]
    #: flow -> dict of arrays (K, 2): sse, r2, converged; at_bounds (K, 2) list of names.
    fit_quality: dict[str, dict[str, np.ndarray]]
    estimated_births: np.ndarray  # (Y, K)
    expected_births: np.ndarray  # (Y, K)
    estimated_deaths: np.ndarray  # (Y, K), NaN where flows incomplete
    expected_deaths: np.ndarray  # (Y, K)
    observed_rates: dict[str, np.ndarray]  # flow -> (K, A1) unsmoothed rates or profiles
    warnings: list[str] = field(default_factory=list)
    #: The region's fertility record and the assumption projected (:class:`FertilityRecord`).
    fertility: FertilityRecord | None = None
    #: Elderly in-migration as rates of a reference population: the age multipliers (T, A1)
    #: applied to in-migration from the rest of Norway, None for fixed counts.
    inmigration_age_level: np.ndarray | None = None


@dataclass
class FertilityRecord:
    """The region's fertility in the estimation period, relative to what the projection assumes
    with FR = 1 (the zone levels FK of the period on the latest national schedule).

    ``tfr[y]``: the region's TFR estimate of estimation year y, ``TFR(national_y) · Σ_k births_k /
    Σ_k expected births_k`` (expected from the national schedule of y). ``level`` = ``TFR(latest
    schedule) · Σ births / Σ expected`` over the period: the TFR the handbook's trend variant
    projects. ``last_year_level`` = tfr[last] / level; ``trend_start`` and ``trend_slope``: the
    least-squares line of tfr / level over the estimation years, its value at the base year and
    its yearly change. ``assumption``, ``damping`` and ``level_path`` (FR_t) what was projected.
    """

    years: list[int]
    tfr: np.ndarray
    level: float
    last_year_level: float
    trend_start: float
    trend_slope: float
    assumption: str = "period_mean"
    damping: float = DEFAULT_DAMPING
    level_path: np.ndarray = field(default_factory=lambda: np.ones(0))


def _ratio(num: np.ndarray, den: np.ndarray, what: str, codes, warnings: list[str]) -> np.ndarray:
    """Level factor num/den per zone, clipped to LEVEL_FACTOR_RANGE with a warning."""
    lo, hi = LEVEL_FACTOR_RANGE
    out = np.ones_like(num, dtype=float)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    for k in np.flatnonzero(~ok):
        warnings.append(f"{what}: zone {codes[k]} has no expected events; level factor set to 1")
    bad = ok & ((out < lo) | (out > hi))
    for k in np.flatnonzero(bad):
        warnings.append(f"{what}: zone {codes[k]} estimate {out[k]:.3f} clipped to [{lo}, {hi}]")
    return np.clip(out, lo, hi)


def _fit(rates: np.ndarray, weights: np.ndarray, n_params: int):
    """ROGEST on (N, A1) schedules, ignoring NaN ages; returns the batch result."""
    w = np.where(np.isfinite(rates), weights, 0.0)
    r = np.where(np.isfinite(rates), rates, 0.0)
    return fit_rogers_castro_many(AGES, r, n_params=n_params, weights=w)


def generate(
    history: History,
    national: NationalRates,
    *,
    base_year: int,
    horizon: int,
    estimation: tuple[int, int] | None = None,
    n_params: int = 11,
    fertility_assumption: str = "period_mean",
    fertility_damping: float = DEFAULT_DAMPING,
    tfr_path: np.ndarray | None = None,
    elderly_inmigration: str = "counts",
    reference_population: dict[int, np.ndarray] | None = None,
    elderly_ages: tuple[int, int] = ELDERLY_AGES,
) -> tuple[ProjectionInputs, GenerationReport]:
    """Derive a complete :class:`ProjectionInputs` for model variant 1 from history.

    Parameters
    ----------
    history : History
    national : NationalRates
    base_year : int
        Year whose 31 December population is the starting point (must be in history).
    horizon : int
        Last projection year.
    estimation : (first, last), optional
        Estimation period (flow years); default all flow years with population on both sides.
    n_params : int
        Rogers–Castro form fitted (7, 9, 11 or 13; PANDA's ROGEST uses 11).
    fertility_assumption, fertility_damping, tfr_path
        The fertility assumption of the projection period
        (:func:`regbef_excel.engine.fertility.fertility_level_path`, parameters from
        :class:`FertilityRecord`); ``tfr_path`` (T,) for ``"tfr_path"``. Default
        ``"period_mean"``, the handbook's trend variant (FR = 1).
    elderly_inmigration : ``"counts"`` or ``"rates"``
        ``"counts"`` (default, the handbook's trend variant): in-migration from the rest of
        Norway is the period-mean count at every age. ``"rates"``: at ``elderly_ages``
        it is a rate of ``reference_population`` at ``elderly_ages`` (first, last; 2, A1 stocks on 31 Dec by year, the rest of
        the country; years of the estimation period and the base year), projected by
        :func:`reference_age_levels`.
    """
    codes = history.zone_codes
    K = len(codes)
    warnings: list[str] = []
    if base_year not in history.population:
        raise ValueError(f"no population for 31 Dec {base_year} in the history")
    years = [
        int(y)
        for y in history.flow_years
        if (y - 1) in history.population
        and y in history.population
        and (estimation is None or estimation[0] <= y <= estimation[1])
    ]
    if not years:
        raise ValueError("no estimation year has population at both ends and flows")
    yi = [int(np.flatnonzero(history.flow_years == y)[0]) for y in years]
    out_obs = history.out_by_age[yi]  # (Y, K, A1)
    in_obs = history.in_by_age[yi]
    Y = len(years)

    # --- exposure and events per estimation year ------------------------------------------
    bef1 = np.empty((Y, K, 2, N_AGES))
    births_est = np.empty((Y, K))
    births_exp = np.empty((Y, K))
    deaths_est = np.full((Y, K), np.nan)
    deaths_exp = np.empty((Y, K))
    for i, y in enumerate(years):
        aged, _ = age_one_year(history.population[y - 1])
        end = history.population[y]
        # Births (reconstruction): survivors aged 0 at year end + infant out − infant in,
        # divided by the survival of newborns to the end of their birth year.
        q0 = national.death_prob_for(y)[:, 0]
        net0 = np.nan_to_num(out_obs[i, :, 0] - in_obs[i, :, 0])
        surv0 = 1 - (q0 * np.array([DEFAULT_SHARE_BOYS, 1 - DEFAULT_SHARE_BOYS])).sum()
        births_est[i] = np.maximum(end[:, :, 0].sum(axis=1) + net0, 0) / surv0
        births_exp[i] = aged[:, FEMALE, :] @ national.fertility_for(y)
        aged[:, :, 0] = births_est[i][:, None] * np.array([DEFAULT_SHARE_BOYS, 1 - DEFAULT_SHARE_BOYS])
        bef1[i] = aged
        deaths_exp[i] = (aged * national.death_prob_for(y)[None]).sum(axis=(1, 2))
        complete = np.all(np.isfinite(out_obs[i]), axis=1) & np.all(np.isfinite(in_obs[i]), axis=1)
        # Deaths (reconstruction): the balancing equation solved for deaths.
        resid = (
            history.population[y - 1].sum(axis=(1, 2))
            + births_est[i]
            + np.nan_to_num(in_obs[i]).sum(axis=1)
            - np.nan_to_num(out_obs[i]).sum(axis=1)
            - end.sum(axis=(1, 2))
        )
        deaths_est[i] = np.where(complete, resid, np.nan)

    fk = _ratio(births_est.sum(axis=0), births_exp.sum(axis=0), "fertility level factor FK", codes, warnings)
    fert = fertility_record(years, births_est, births_exp, national)
    complete_years = np.isfinite(deaths_est)
    dk = _ratio(
        np.where(complete_years, deaths_est, 0).sum(axis=0),
        np.where(complete_years, deaths_exp, 0).sum(axis=0),
        "mortality level factor DK",
        codes,
        warnings,
    )

    # --- gross migration rates (handbook §2.4.1, §2.4.3): unsmoothed, both sexes ------------
    # Persons at risk = BEF2, the population after ageing, births and deaths: the engine applies
    # the rates to BEF2 (§3.15), so the estimate uses the same population (deaths expected from
    # the national probabilities × the zone's DK).
    bef2 = np.empty_like(bef1)
    for i, y in enumerate(years):
        q = np.minimum(national.death_prob_for(y)[None] * dk[:, None, None], 1.0)
        bef2[i] = bef1[i] * (1 - q)
    expo = bef2.sum(axis=2)  # (Y, K, A1)
    obs_mask = np.isfinite(out_obs)
    expo_obs = np.where(obs_mask, expo, 0).sum(axis=0)  # (K, A1)
    out_sum = np.nansum(out_obs, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out_rate = np.where(expo_obs > 0, out_sum / expo_obs, np.nan)
    out_rate[~obs_mask.any(axis=0)] = np.nan
    rate = {
        "EUF": out_rate * (1 - history.internal_out_share)[:, None],
        "IUF": out_rate * history.internal_out_share[:, None],
    }
    # In-migration age profiles (handbook §2.4.2, §2.4.4, §2.7): mean counts per observed year.
    n_obs = np.isfinite(in_obs).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        in_mean = np.where(n_obs > 0, np.nansum(in_obs, axis=0) / np.maximum(n_obs, 1), np.nan)
    in_total = np.nansum(in_mean, axis=1)
    profile = in_mean / np.where(in_total > 0, in_total, 1)[:, None]

    # --- ROGEST for every zone at once ----------------------------------------------------
    rc_params: dict[str, np.ndarray] = {}
    quality: dict[str, dict[str, np.ndarray]] = {}
    fitted_rate: dict[str, np.ndarray] = {}
    for flow in ("EUF", "IUF"):
        w = expo_obs / max(expo_obs.max(), 1)
        fit = _fit(rate[flow], w, n_params)
        p = fit.params  # (K, 13)
        rc_params[flow] = np.repeat(p[:, None, :], 2, axis=1)
        fitted_rate[flow] = np.clip(rc_schedule(p, AGES), 0, None)
        quality[flow] = _quality(fit, K)
    # Counts are Poisson: weight each age by 1 / expected count (chi-square weights) so that the
    # fit is relative where in-migrants are few (old ages). Equal weights let the constant c
    # spread in-migrants evenly over ages 0–99 (5× too many at 90+ in the Telemark demo).
    floor = 0.05 / np.maximum(in_total, 1.0)[:, None]  # a twentieth of a person a year
    prof_w = np.where(np.isfinite(profile), 1.0 / np.maximum(np.nan_to_num(profile), floor), 0.0)
    prof_w = prof_w / prof_w.max(axis=1, keepdims=True)
    prof_fit = _fit(profile, prof_w, n_params)
    half = prof_fit.params.copy()
    for key in ("a1", "a2", "c", "a3", "a4"):
        half[:, RC_KEYS.index(key)] *= 0.5  # equal split between the sexes
    for flow in ("EIFU", "EIFN", "IIF"):
        rc_params[flow] = np.repeat(half[:, None, :], 2, axis=1)
        quality[flow] = _quality(prof_fit, K)

    # --- level factors for rate flows (handbook §2.4.1): region, then zone -----------------
    level_region: dict[str, float] = {}
    level_zone: dict[str, np.ndarray] = {}
    for flow in ("EUF", "IUF"):
        obs_k = np.nansum(np.where(obs_mask.any(axis=0), rate[flow] * expo_obs, 0), axis=1)
        fit_k = (fitted_rate[flow] * expo_obs).sum(axis=1)
        lr = obs_k.sum() / fit_k.sum() if fit_k.sum() > 0 else 1.0
        level_region[flow] = float(lr)
        level_zone[flow] = _ratio(obs_k, fit_k * lr, f"{flow} zone level factor", codes, warnings)

    # --- totals for distribution flows (handbook §2.4.5, §3.11, §3.15) ---------------------
    in_year = np.nansum(in_obs, axis=2)  # (Y, K)
    out_year = np.nansum(out_obs, axis=2)
    abroad = in_year * history.abroad_in_share[None, :]
    imm_total = float(abroad.sum(axis=1).mean())
    imm_share = abroad.sum(axis=0) / abroad.sum() if abroad.sum() > 0 else np.full(K, 1 / K)
    rest_share = np.clip(1 - history.internal_in_share - history.abroad_in_share, 0, 1)
    eifn = (in_year * rest_share[None, :]).mean(axis=0)
    inf = (in_year * history.internal_in_share - out_year * history.internal_out_share).mean(axis=0)
    pop_base = history.population[base_year].sum(axis=(1, 2))
    inf = inf - inf.sum() * pop_base / pop_base.sum()  # Σ_k RINF_k = 0 (internal migration is closed)

    T = horizon - base_year
    proj_years = np.arange(base_year + 1, horizon + 1)
    fert.assumption, fert.damping = fertility_assumption, float(fertility_damping)
    fert.level_path = fertility_level_path(
        fertility_assumption, T, last_year_level=fert.last_year_level,
        trend_start=fert.trend_start, trend_slope=fert.trend_slope, damping=fertility_damping,
        tfr_path=tfr_path, schedule_tfr=float(national.fertility_latest.sum()),
    )  # fmt: skip
    age_level = None
    if elderly_inmigration == "rates":
        if reference_population is None:
            raise ValueError("elderly in-migration as rates needs a reference population")
        age_level = reference_age_levels(
            reference_population, years, base_year, horizon, national, ages=elderly_ages
        )
    elif elderly_inmigration != "counts":
        raise ValueError(f"unknown elderly in-migration {elderly_inmigration!r}; expected counts or rates")
    dr = (1 - national.mortality_improvement) ** (proj_years - national.mortality_reference_year)
    inputs = ProjectionInputs(
        zone_codes=tuple(codes),
        zone_names=tuple(history.zone_names),
        base_year=base_year,
        horizon=horizon,
        population=history.population[base_year].astype(float).copy(),
        fertility_source="rates",
        fertility_rates=national.fertility_latest.copy(),
        hadwiger=_hadwiger_like(national.fertility_latest),
        fertility_level_region=fert.level_path.copy(),
        fertility_level_zone=fk,
        share_boys=national.share_boys,
        death_prob=national.death_prob.copy(),
        mortality_level_region=dr,
        mortality_level_zone=dk,
        rc_params=rc_params,
        migration_level_region={
            "EUF": np.full(T, level_region["EUF"]),
            "IUF": np.full(T, level_region["IUF"]),
            "EIFN": np.ones(T),
        },
        migration_level_zone=level_zone,
        immigration_total=np.full(T, imm_total),
        immigration_share=imm_share,
        domestic_inmigration=eifn,
        internal_net_trend=inf,
        inmigration_age_level=age_level,
    )
    report = GenerationReport(
        estimation_years=years,
        fit_quality=quality,
        estimated_births=births_est,
        expected_births=births_exp,
        estimated_deaths=deaths_est,
        expected_deaths=deaths_exp,
        observed_rates={"EUF": rate["EUF"], "IUF": rate["IUF"], "IN_PROFILE": profile},
        warnings=warnings,
        fertility=fert,
        inmigration_age_level=age_level,
    )
    return inputs.validate(), report


def fertility_record(
    years: list[int], births_est: np.ndarray, births_exp: np.ndarray, national: NationalRates
) -> FertilityRecord:
    """The region's TFR by estimation year and the parameters of the fertility assumptions
    (:class:`FertilityRecord`), from estimated and expected births (Y, K)."""
    est, exp = births_est.sum(axis=1), births_exp.sum(axis=1)
    ratio = np.where(exp > 0, est / np.where(exp > 0, exp, 1), 1.0)
    tfr = np.array([float(national.fertility_for(y).sum()) for y in years]) * ratio
    mean_ratio = est.sum() / exp.sum() if exp.sum() > 0 else 1.0
    level = float(national.fertility_latest.sum()) * float(mean_ratio)
    rel = tfr / level if level > 0 else np.ones(len(years))
    x = np.asarray(years, dtype=float)
    if len(years) >= 2:
        slope = float(np.polyfit(x, rel, 1)[0])
        start = float(rel.mean() + slope * (x[-1] - x.mean()))
    else:
        slope, start = 0.0, float(rel[-1])
    return FertilityRecord(list(years), tfr, level, float(rel[-1]), start, slope)


def assumption_settings(report: GenerationReport) -> dict[str, object]:
    """The workbook settings of the fertility assumption generation derived (the region's level
    in the last estimation year, the trend line's start and slope, the damping, the assumption)
    and of elderly in-migration (``rates`` when generated so, with the multipliers of its first
    age as ``elderly_levels``)."""
    f = report.fertility
    out: dict[str, object] = {}
    if f is not None:
        out.update(fertility_assumption=f.assumption, fertility_last_year=round(f.last_year_level, 6),
                   fertility_start=round(f.trend_start, 6), fertility_slope=round(f.trend_slope, 6),
                   fertility_damping=f.damping)  # fmt: skip
    if report.inmigration_age_level is not None:
        out.update(elderly_inmigration="rates")
    return out


def reference_age_levels(
    reference: dict[int, np.ndarray],
    years: list[int],
    base_year: int,
    horizon: int,
    national: NationalRates,
    *,
    ages: tuple[int, int] = ELDERLY_AGES,
) -> np.ndarray:
    """Multipliers (T, A1) of in-migration by age when it is a rate of a reference population.

    In-migrants aged ``ages`` (first, last) are a rate of the reference population of those ages
    together: ``r = mean_y EIFN / mean_y REF`` over the estimation years y (stocks 31 Dec), so the
    projected count is ``r · REF(t)`` = the period-mean count × ``REF(t) / mean_y REF``, the
    multiplier returned at those ages (1 elsewhere, where counts stay fixed; the age shape within
    the band stays the period's). ``REF(t)`` is the base year's reference population aged one
    year at a time with the national death probabilities of each year (closed: at these ages
    migration is small against deaths), the open age group keeping its survivors; nothing after
    the base year is used.
    """
    T = horizon - base_year
    lo, hi = ages
    band = slice(lo, hi + 1)
    mean_ref = float(np.mean([np.asarray(reference[y], dtype=float)[:, band].sum() for y in years]))
    out = np.ones((T, N_AGES))
    pop = np.asarray(reference[base_year], dtype=float).copy()  # (2, A1)
    for t in range(T):
        aged = np.zeros_like(pop)
        aged[:, 1:] = pop[:, :-1]
        aged[:, -1] += pop[:, -1]
        pop = aged * (1 - np.minimum(national.death_prob_for(base_year + 1 + t), 1.0))
        out[t, band] = pop[:, band].sum() / mean_ref if mean_ref > 0 else 1.0
    return out


def _quality(fit, K: int) -> dict[str, np.ndarray]:
    names = np.array(RC_KEYS, dtype=object)
    at = [", ".join(names[row]) for row in np.asarray(fit.at_bounds)]
    return {
        "sse": np.repeat(np.asarray(fit.sse)[:, None], 2, axis=1),
        "converged": np.repeat(np.asarray(fit.converged)[:, None], 2, axis=1),
        "at_bounds": np.repeat(np.array(at, dtype=object)[:, None], 2, axis=1),
    }


def _hadwiger_like(rates: np.ndarray) -> Hadwiger:
    """Hadwiger parameters with the same TFR, mean and SD as a schedule (method of moments).

    Offered as the alternative fertility source in the workbook (inverse-Gaussian moments:
    mean c, SD c/(b√2)).
    """
    tfr = float(rates.sum())
    if tfr <= 0:
        return Hadwiger(1.5, 3.5, 30.0)
    mean = float((AGES * rates).sum() / tfr)
    sd = float(np.sqrt(((AGES - mean) ** 2 * rates).sum() / tfr))
    return Hadwiger(a=tfr, b=mean / (sd * np.sqrt(2)), c=mean)
