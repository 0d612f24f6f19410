"""Back-testing REGBEF: project from an earlier base year and compare with what happened.

A back-test from base year B uses only what a planner could have known on
1 January B+1:

* population stocks up to 31 Dec B (SSB 07459, 1 January B+1), shipped for 2005–2026;
* national vital rates ``national_rates(as_of=B)`` (HMD/HFD years <= B only);
* the migration history of the estimation period, B−E+1..B, which for most counties is **not
  published by age**: it is reconstructed from the stocks by the residual method
  (:mod:`regbef_excel.engine.residual`), and gross flows are built from it (see
  :func:`history_from_arrays`).

Two constants of the method are taken from data *after* many base years; they are structural
assumptions about age shapes and the split of flows, not information about any zone's growth,
but they are stated here because they break the strict information set:

* the **standard gross out-migration schedule** (:func:`standard_out_rates`) is Telemark's,
  pooled over its 17 municipalities and 2016–2025 (the only migration-by-age data shipped);
* the **internal / rest of Norway / abroad split** (:func:`telemark_split_shares`) is
  Telemark's 2025 (SSB 13864 origin–destination table).

Both can be overridden (``standard_out``, ``shares``); ``bench/bench_backtest.py`` shows how much
the standard's level matters.

The projection is model variant 1 (trend) from :func:`regbef_excel.engine.generation.generate`,
unchanged. Errors are computed against the observed stocks for every projection year, per
municipality, for the total and the service-planning age groups (spec §13), with two naive
benchmarks so that a planner sees whether the model beats "nothing changes" or "the recent
trend continues".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.data import inputs as shipped_inputs
from regbef_excel.data import vintage
from regbef_excel.engine.fertility import DEFAULT_DAMPING
from regbef_excel.engine.generation import (
    ELDERLY_AGES,
    GenerationReport,
    History,
    NationalRates,
    generate,
)
from regbef_excel.engine.inputs import ProjectionInputs
from regbef_excel.engine.projection import project
from regbef_excel.engine.residual import InfantRule, ResidualMigration, residual_net_migration
from regbef_excel.engine.results import SERVICE_AGE_GROUPS, Projection
from regbef_excel.errors import InputError, Location
from regbef_excel.evaluation import breaks

#: First and last year with a stock on 31 Dec in the shipped data (SSB 1 Jan 2005 … 2026).
FIRST_STOCK_YEAR = 2004
LAST_STOCK_YEAR = 2025
#: Ages at and above this one share one standard out-migration rate (few moves, noisy).
STANDARD_POOL_FROM = vintage.STANDARD_POOL_FROM
#: Label of the all-ages row in the error tables.
TOTAL = "Total"
#: Method labels in the error tables.
MODEL = "REGBEF"
NAIVE_CONSTANT = "naive_constant"
NAIVE_TREND = "naive_trend"
METHODS = (MODEL, NAIVE_CONSTANT, NAIVE_TREND)
#: One-year relative change of a zone's observed total taken as a series break (40 %: real
#: shocks in small municipalities reach ~30 %, e.g. Etnedal 3450 +27 % in 2025; the Ålesund/Haram
#: artefact is 72 %).
BREAK_THRESHOLD = 0.40


# ---------------------------------------------------------------------------------------------
# the standard gross out-migration schedule and the flow split (Telemark)
# ---------------------------------------------------------------------------------------------


def standard_out_rates() -> np.ndarray:
    """Standard gross out-migration rates by age (both sexes), Telemark 2016–2025.

    ``m[a] = Σ_{k,y} OUT[y,k,a] / Σ_{k,y} BEF2[y,k,a]`` over the 17 Telemark municipalities and
    the years in which age a was published (0–70 in 2016–2021, 0–99 in 2022–2025), with BEF2 the
    expected survivors of :func:`regbef_excel.engine.residual.residual_net_migration` (national
    mortality). Ages 90+ share one pooled rate. OUT counts every move across the municipal
    border (to other Telemark municipalities, the rest of Norway and abroad), so the schedule
    is the *municipal* gross out-migration of a county of small and medium towns; it is lower
    than that of Oslo or university towns and higher than that of a whole county. Reconstruction:
    PANDA estimates gross rates from observed flows (handbook §2.4.1); this standard replaces
    them where flows are not published.

    Returns
    -------
    ndarray (A1,)
    """
    return vintage.standard_out_rates_as_of(None)[0]


def telemark_split_shares() -> dict[str, float]:
    """Telemark's 2025 split of gross flows, pooled over its municipalities.

    ``internal_out = Σ_k internal out_k / Σ_k out_k`` and likewise ``internal_in``; ``abroad_out
    = 1 − Σ domestic out / Σ out``, ``abroad_in`` likewise (SSB 13864 domestic origin–destination
    moves; totals from the migration-by-age data, which include moves abroad). Used for every
    zone of a region of two or more zones without its own origin–destination data; a region of
    one zone has no internal migration.

    Returns
    -------
    dict with keys internal_out, internal_in, abroad_out, abroad_in.
    """
    return vintage.split_shares_as_of(None)[0]


# ---------------------------------------------------------------------------------------------
# history from stocks
# ---------------------------------------------------------------------------------------------


def gross_flows_from_net(
    net: np.ndarray, at_risk: np.ndarray, standard_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gross out- and in-flows consistent with a net flow (both sexes).

    ``OUT = m[a]·BEF2``, ``IN = OUT + NET``; where that would make IN negative the out-flow is
    raised, ``OUT = −NET``, ``IN = 0``. So IN − OUT = NET in every cell, IN, OUT >= 0 and
    OUT <= BEF2 (because NET >= −BEF2). Reconstruction (see :func:`standard_out_rates`).

    Parameters
    ----------
    net, at_risk : ndarray (..., A1)
        Net migration and persons at risk (BEF2), both sexes.
    standard_out : ndarray (A1,)
        Standard gross out-migration rates m[a].

    Returns
    -------
    out, in : ndarray (..., A1)
    """
    out = standard_out * np.maximum(at_risk, 0)
    inn = out + net
    short = inn < 0
    out = np.where(short, -net, out)
    inn = np.where(short, 0.0, inn)
    return out, inn


def history_from_arrays(
    codes: Sequence[str],
    names: Sequence[str],
    population: dict[int, np.ndarray],
    national: NationalRates,
    *,
    standard_out: np.ndarray | None = None,
    shares: dict[str, float] | None = None,
    mortality_level_zone: np.ndarray | None = None,
    infant: InfantRule = "child",
    region_name: str = "",
) -> tuple[History, ResidualMigration]:
    """A :class:`History` for :func:`generate` from population stocks alone (no data access).

    Flow years are every year y with stocks on 31 Dec of y−1 and y. Net migration by age is the
    residual (:func:`residual_net_migration`, national death probabilities of each year ×
    ``mortality_level_zone``); gross flows follow :func:`gross_flows_from_net`; the split into
    internal / rest of Norway / abroad uses ``shares`` (default :func:`telemark_split_shares`,
    internal = 0 when there is one zone). Generation then estimates the fertility level from the
    residual births, a mortality level of exactly ``mortality_level_zone`` (the residual deaths
    are the assumed ones), the Rogers–Castro schedules from the standard rates, and the
    immigration, rest-of-Norway and trend internal migration from the net flows.

    Returns
    -------
    (History, ResidualMigration)
    """
    years = sorted(population)
    if years != list(range(years[0], years[-1] + 1)) or len(years) < 2:
        raise ValueError("population must hold two or more consecutive years")
    flow_years = np.array(years[1:])
    stocks = np.stack([np.asarray(population[y], dtype=float) for y in years])
    K = stocks.shape[1]
    q = np.stack([national.death_prob_for(int(y)) for y in flow_years])
    res = residual_net_migration(stocks, q, mortality_level_zone, infant=infant)
    std = standard_out_rates() if standard_out is None else np.asarray(standard_out, float)
    out, inn = gross_flows_from_net(res.net.sum(axis=2), res.at_risk.sum(axis=2), std)
    sh = dict(telemark_split_shares()) if shares is None else dict(shares)
    if K == 1:
        sh["internal_out"] = sh["internal_in"] = 0.0
    hist = History(
        zone_codes=tuple(codes),
        zone_names=tuple(names),
        population={int(y): np.asarray(population[y], dtype=float) for y in years},
        flow_years=flow_years,
        out_by_age=out,
        in_by_age=inn,
        internal_out_share=np.full(K, sh["internal_out"]),
        internal_in_share=np.full(K, sh["internal_in"]),
        abroad_out_share=np.full(K, sh["abroad_out"]),
        abroad_in_share=np.full(K, sh["abroad_in"]),
        region_name=region_name,
        sources=[
            f"Befolkning: SSB tabell 07459, 31.12.{years[0]}–31.12.{years[-1]} (2024-grenser)",
            "Nettoflytting etter alder: residualmetoden (bestand, nasjonal dødelighet)",
            "Bruttoflytting: standard utflyttingsrater (Telemark 2016–2025) + netto",
        ],
    )
    return hist, res


def history_from_stocks(
    codes: Sequence[str | int],
    first_year: int,
    last_year: int,
    national: NationalRates,
    **options,
) -> History:
    """History of any set of municipalities from SSB stocks, for flow years first..last.

    Reads the stocks on 31 Dec of ``first_year − 1`` .. ``last_year`` (SSB 1 January
    ``first_year`` .. ``last_year + 1``) and nothing later; ``options`` go to
    :func:`history_from_arrays`. For a back-test from B pass ``last_year = B`` and
    ``national = national_rates(as_of=B)``.
    """
    codes = [str(c).zfill(4) for c in codes]
    pop = shipped_inputs.stocks(codes, first_year - 1, last_year)
    names = shipped_inputs.municipality_names(codes)
    hist, _ = history_from_arrays(codes, names, pop, national, **options)
    return hist


# ---------------------------------------------------------------------------------------------
# the back-test
# ---------------------------------------------------------------------------------------------


def _resolve_region(region: str | int | Sequence[str | int]) -> tuple[list[str], str]:
    """County code (2 digits) -> its municipalities; otherwise municipality codes."""
    if isinstance(region, (str, int, np.integer)):
        text = str(region).strip()
        if text.isdigit() and len(text) <= 2 and text.zfill(2) in data.county_codes():
            cc = text.zfill(2)
            m = data.municipalities()
            name = str(m.loc[m["county_code"] == cc, "county_name"].iloc[0])
            return data.municipality_codes(cc), name
        region = [region]
    codes = [str(c).strip().zfill(4) for c in region]  # type: ignore[union-attr]
    known = set(data.municipality_codes())
    for c in codes:
        if c not in known:
            raise InputError(
                "unknown county or municipality code",
                location=Location(table="backtest", column="region"),
                found=c,
                expected="a county code (" + ", ".join(data.county_codes()) + ") or 4-digit codes",
            )
    return codes, ", ".join(shipped_inputs.municipality_names(codes))


def _has_stock(codes: list[str], year: int) -> bool:
    try:
        data.population_array(codes, year + 1)
    except InputError:
        return False
    return True


def _group_sums(pop: np.ndarray) -> np.ndarray:
    """(..., K, 2, A1) -> (..., K, 1 + G): total, then SERVICE_AGE_GROUPS."""
    by_age = pop.sum(axis=-2)
    A1 = by_age.shape[-1]
    cols = [by_age.sum(axis=-1)]
    for lo, hi in SERVICE_AGE_GROUPS.values():
        cols.append(by_age[..., lo : min(hi, A1 - 1) + 1].sum(axis=-1))
    return np.stack(cols, axis=-1)


GROUPS = (TOTAL, *SERVICE_AGE_GROUPS)


@dataclass(frozen=True)
class Assumptions:
    """The assumptions of a back-test projection (project generation's options).

    ``fertility``: one of :data:`regbef_excel.engine.fertility.FERTILITY_ASSUMPTIONS` except
    ``tfr_path`` (a planner's path has no record before the base year); ``damping``: φ of the
    damped trend; ``elderly_inmigration``: ``counts`` (period-mean counts) or ``rates`` (a rate
    of the rest of the country's population at ``elderly_ages``). The default is the
    handbook's trend variant.
    """

    fertility: str = "period_mean"
    damping: float = DEFAULT_DAMPING
    elderly_inmigration: str = "counts"
    elderly_ages: tuple[int, int] = ELDERLY_AGES

    def label(self) -> str:
        fert = self.fertility if self.fertility != "damped_trend" else f"damped_trend({self.damping:g})"
        eld = self.elderly_inmigration
        if eld == "rates":
            eld += f" {self.elderly_ages[0]}–{self.elderly_ages[1]}"
        return f"{fert}, elderly {eld}"


@lru_cache(maxsize=64)
def _country_stock(year: int) -> np.ndarray:
    """Norway's stock (2, A1) on 31 Dec ``year`` summed over the municipalities with data."""
    codes = data.municipality_codes()
    try:
        return data.population_array(codes, year + 1).sum(axis=0).astype(float)
    except InputError:  # a municipality without data that year (1160, 1576 in 2004): one by one
        total = np.zeros((2, 100))
        for c in codes:
            try:
                total += data.population_array([c], year + 1)[0]
            except InputError:
                continue
        return total


def rest_of_country(codes: Sequence[str], years: Sequence[int], pop: Mapping[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Stocks (2, A1) of the country outside the region on 31 Dec of each year (Norway minus
    the region's own stocks ``pop``); used as the reference population of elderly in-migration."""
    return {int(y): np.maximum(_country_stock(int(y)) - np.asarray(pop[y]).sum(axis=0), 0.0)
            for y in years}  # fmt: skip


@dataclass
class BacktestSetup:
    """Everything a back-test derives from the information set (stocks <= B, rates as of B)."""

    codes: list[str]
    region_name: str
    base_year: int
    horizon: int
    estimation: tuple[int, int]
    national: NationalRates
    history: History
    residual: ResidualMigration
    inputs: ProjectionInputs
    report: GenerationReport
    #: observed stocks up to the base year used by the naive trend: year -> (K, 1 + G)
    past_groups: dict[int, np.ndarray]
    warnings: list[str] = field(default_factory=list)


def prepare_backtest(
    region: str | int | Sequence[str | int],
    base_year: int,
    horizon_years: int = 10,
    estimation_years: int = 5,
    *,
    trend_years: int = 5,
    n_params: int = 11,
    infant: InfantRule = "child",
    standard_out: np.ndarray | None = None,
    shares: dict[str, float] | None = None,
    known_stocks: Mapping[int, np.ndarray] | None = None,
    assumptions: Assumptions | None = None,
) -> BacktestSetup:
    """Build the back-test projection inputs using only information up to ``base_year``.

    Reads population stocks of 31 Dec ``base_year − max(estimation_years, trend_years)`` ..
    ``base_year`` and ``national_rates(as_of=base_year)``; nothing later (apart from the two
    Telemark constants of the method, see the module docstring). ``known_stocks`` (year ->
    (K, 2, A1) stocks of the region's municipalities, e.g. read once by a caller running many
    back-tests of one region) replaces the reads; only its years <= ``base_year`` are used.
    ``assumptions``: fertility and elderly in-migration (:class:`Assumptions`; default the
    handbook's trend variant). Estimation years without a
    stock for every municipality at their start (Vindafjord 1160 and Aure 1576 have none on
    31 Dec 2004) are dropped with a warning.
    """
    codes, region_name = _resolve_region(region)
    base_year = int(base_year)
    horizon = base_year + int(horizon_years)
    if horizon_years < 1 or estimation_years < 1:
        raise InputError(
            "horizon and estimation period must be at least one year",
            location=Location(table="backtest"),
            found=(horizon_years, estimation_years),
            expected=">= 1",
        )
    if not FIRST_STOCK_YEAR + 1 <= base_year <= LAST_STOCK_YEAR - 1:
        raise InputError(
            "base year outside the shipped population data",
            location=Location(table="backtest", column="base_year"),
            found=base_year,
            expected=f"{FIRST_STOCK_YEAR + 1}..{LAST_STOCK_YEAR - 1} (stocks 31 Dec)",
        )
    warnings: list[str] = []
    first_stock = max(FIRST_STOCK_YEAR, base_year - max(estimation_years, trend_years))

    def has(year: int) -> bool:
        return year in known_stocks if known_stocks is not None else _has_stock(codes, year)

    while first_stock < base_year and not has(first_stock):
        first_stock += 1
    if not has(base_year):
        raise InputError(
            "no population for the base year", location=Location(table="backtest"), found=base_year
        )
    est_first = max(first_stock + 1, base_year - estimation_years + 1)
    if est_first > base_year:
        raise InputError(
            "no estimation year with stocks at both ends",
            location=Location(table="backtest"),
            found=base_year,
        )
    if base_year - est_first + 1 < estimation_years:
        warnings.append(
            f"estimation period shortened to {est_first}–{base_year}: not every municipality "
            f"has a population on 31 Dec {est_first - 2}"
        )
    national = shipped_inputs.national_rates(as_of=base_year)
    if standard_out is None:
        standard_out, std_source = vintage.standard_out_rates_as_of(base_year)
    else:
        std_source = "Bruttoflytting: oppgitt standard utflyttingsprofil + netto"
    if shares is None:
        shares, split_source = vintage.split_shares_as_of(base_year)
    else:
        split_source = "Flyttestrømmer: oppgitt fordeling"
    names = shipped_inputs.municipality_names(codes)
    if known_stocks is None:
        pop = shipped_inputs.stocks(codes, first_stock, base_year)
    else:
        pop = {
            y: np.asarray(known_stocks[y], dtype=float) for y in range(first_stock, base_year + 1)
        }
    known = [x for x in breaks.transfers(base_year) if {x.donor, x.receiver} & set(codes)]
    pop = breaks.on_borders_of(pop, codes, base_year, known)
    for x in known:
        if x.year > first_stock:
            warnings.append(
                f"boundary transfer {x.year}: {x.persons:.0f} persons from {x.donor} to "
                f"{x.receiver}; earlier stocks put on the borders of {base_year}"
            )
    est_pop = {y: pop[y] for y in range(est_first - 1, base_year + 1)}
    hist, res = history_from_arrays(
        codes, names, est_pop, national, standard_out=standard_out, shares=shares,
        infant=infant, region_name=region_name,
    )  # fmt: skip
    hist.sources[-1:] = [std_source, split_source]
    a = assumptions or Assumptions()
    reference = None
    if a.elderly_inmigration == "rates":
        reference = rest_of_country(codes, range(est_first - 1, base_year + 1), pop)
    inputs, report = generate(
        hist, national, base_year=base_year, horizon=horizon,
        estimation=(est_first, base_year), n_params=n_params,
        fertility_assumption=a.fertility, fertility_damping=a.damping,
        elderly_inmigration=a.elderly_inmigration, reference_population=reference,
        elderly_ages=a.elderly_ages,
    )  # fmt: skip
    past = {
        y: _group_sums(pop[y])
        for y in range(max(first_stock, base_year - trend_years), base_year + 1)
    }
    return BacktestSetup(
        codes=codes, region_name=region_name, base_year=base_year, horizon=horizon,
        estimation=(est_first, base_year), national=national, history=hist, residual=res,
        inputs=inputs, report=report, past_groups=past, warnings=warnings + report.warnings,
    )  # fmt: skip


def naive_forecasts(past: dict[int, np.ndarray], base_year: int, years: np.ndarray) -> dict:
    """Naive benchmarks on (K, 1 + G) group sums for ``years`` (base year first).

    * ``naive_constant``: ``P(B+h) = O(B)`` (nothing changes);
    * ``naive_trend``: ``P(B+h) = max(0, O(B) + b·h)`` with ``b`` the least-squares slope of the
      observed stocks B−n..B of each zone and group (n = trend years available, default 5).

    Returns
    -------
    dict method -> ndarray (len(years), K, 1 + G)
    """
    ys = np.array(sorted(past), dtype=float)
    obs = np.stack([past[int(y)] for y in ys])  # (n, K, G1)
    base = past[base_year]
    h = (np.asarray(years) - base_year).astype(float)[:, None, None]
    if len(ys) >= 2:
        xc = ys - ys.mean()
        slope = np.tensordot(xc, obs - obs.mean(axis=0), axes=(0, 0)) / (xc**2).sum()
    else:
        slope = np.zeros_like(base)
    return {
        NAIVE_CONSTANT: np.broadcast_to(base, (len(years), *base.shape)).astype(float),
        NAIVE_TREND: np.maximum(base[None] + slope[None] * h, 0.0),
    }


@dataclass
class BacktestResult:
    """A back-test: the projection from ``base_year``, the observed stocks and the errors.

    ``observed`` (T_obs+1, K, 2, A1) holds 31 Dec of base_year .. last observed year (<= horizon);
    ``forecasts[method]`` (T_obs+1, K, 1 + G) the total and service age groups of the model and
    of the naive benchmarks for the same years.
    """

    setup: BacktestSetup
    projection: Projection
    observed: np.ndarray
    observed_years: np.ndarray
    forecasts: dict[str, np.ndarray]
    warnings: list[str] = field(default_factory=list)
    #: Zones whose observed total jumps by more than BREAK_THRESHOLD in one year after the base
    #: (a boundary change or a data problem, e.g. Ålesund 1508 / Haram 1580 before 2024).
    suspect_zones: list[str] = field(default_factory=list)
    #: Prediction intervals with what was observed (zone × measure × year; see
    #: :func:`regbef_excel.evaluation.calibrate.backtest_intervals`) and their coverage per
    #: kind × measure × horizon (:func:`regbef_excel.evaluation.intervals.coverage`), set by the
    #: back-test use case; None otherwise.
    intervals: pd.DataFrame | None = None
    interval_coverage: pd.DataFrame | None = None

    @property
    def base_year(self) -> int:
        return self.setup.base_year

    @property
    def zone_codes(self) -> tuple[str, ...]:
        return tuple(self.setup.codes)

    @property
    def zone_names(self) -> tuple[str, ...]:
        return tuple(self.projection.zone_names)

    def errors(self) -> pd.DataFrame:
        """Tidy errors: method, zone_code, zone_name, group, year, years_ahead, observed,
        projected, error (= projected − observed), pct_error (= 100·error/observed; NaN where
        observed is 0) and abs_pct_error."""
        obs = _group_sums(self.observed)  # (T, K, G1)
        T, K, G1 = obs.shape
        frames = []
        for method in METHODS:
            fc = self.forecasts[method]
            err = fc - obs
            with np.errstate(divide="ignore", invalid="ignore"):
                pct = np.where(obs > 0, 100 * err / obs, np.nan)
            frames.append(
                pd.DataFrame(
                    {
                        "method": method,
                        "zone_code": np.tile(np.repeat(np.array(self.zone_codes, object), G1), T),
                        "zone_name": np.tile(np.repeat(np.array(self.zone_names, object), G1), T),
                        "group": np.tile(np.array(GROUPS, dtype=object), T * K),
                        "year": np.repeat(self.observed_years, K * G1),
                        "years_ahead": np.repeat(self.observed_years - self.base_year, K * G1),
                        "observed": obs.reshape(-1),
                        "projected": fc.reshape(-1),
                        "error": err.reshape(-1),
                        "pct_error": pct.reshape(-1),
                        "abs_pct_error": np.abs(pct).reshape(-1),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def errors_by_municipality(self) -> pd.DataFrame:
        """Errors of each municipality's total population per year and method."""
        e = self.errors()
        return e[e["group"] == TOTAL].drop(columns="group").reset_index(drop=True)

    def errors_by_age_group(self) -> pd.DataFrame:
        """Errors per municipality × service age group × year and method."""
        e = self.errors()
        return e[e["group"] != TOTAL].reset_index(drop=True)

    def summary(self, exclude: Sequence[str] = ()) -> pd.DataFrame:
        """Error statistics over municipalities per method × group × year.

        Columns: method, group, year, years_ahead, n_zones, mape (unweighted mean of
        |P−O|/O·100 over municipalities with O > 0), mape_weighted (population-weighted,
        ``Σ|P−O| / ΣO · 100``), mean_pct_error (mean algebraic % error, the bias), median_ape,
        max_ape, worst_zone (code and name of the max), region_pct_error (% error of the
        region's sum). ``exclude``: zone codes left out (e.g. ``result.suspect_zones``).
        """
        e = self.errors()
        e = e[~e["zone_code"].isin(list(exclude))]
        rows = []
        for (method, group, year), g in e.groupby(["method", "group", "year"], sort=False):
            ok = g["abs_pct_error"].notna()
            ape = g.loc[ok, "abs_pct_error"]
            worst = g.loc[ape.idxmax()] if len(ape) and ape.max() > 0 else None
            obs_sum = g["observed"].sum()
            rows.append(
                {
                    "method": method,
                    "group": group,
                    "year": int(year),
                    "years_ahead": int(year) - self.base_year,
                    "n_zones": int(ok.sum()),
                    "mape": float(ape.mean()) if len(ape) else np.nan,
                    "mape_weighted": float(100 * g["error"].abs().sum() / obs_sum)
                    if obs_sum > 0
                    else np.nan,
                    "mean_pct_error": float(g.loc[ok, "pct_error"].mean()) if len(ape) else np.nan,
                    "median_ape": float(ape.median()) if len(ape) else np.nan,
                    "max_ape": float(ape.max()) if len(ape) else np.nan,
                    "worst_zone": ""
                    if worst is None
                    else f"{worst['zone_code']} {worst['zone_name']}",
                    "region_pct_error": float(100 * g["error"].sum() / obs_sum)
                    if obs_sum > 0
                    else np.nan,
                }
            )
        return pd.DataFrame(rows)


def observed_stocks(codes: Sequence[str], first: int, last: int) -> np.ndarray:
    """Observed stocks 31 Dec first..last (SSB 1 January first+1 .. last+1), (Y, K, 2, A1)."""
    pop = shipped_inputs.stocks(list(codes), first, last)
    return np.stack([pop[y] for y in range(first, last + 1)])


def run_backtest(
    region: str | int | Sequence[str | int],
    base_year: int,
    horizon_years: int = 10,
    estimation_years: int = 5,
    **options,
) -> BacktestResult:
    """Back-test REGBEF (variant 1) for a county or a list of municipalities.

    1. :func:`prepare_backtest` derives the inputs from stocks <= 31 Dec ``base_year`` and
       ``national_rates(as_of=base_year)`` (residual net migration, standard gross flows,
       generation as in :func:`regbef_excel.engine.generation.generate`);
    2. :func:`regbef_excel.engine.projection.project` projects ``horizon_years`` ahead;
    3. the observed stocks after the base year (available to 31 Dec 2025) and the naive
       benchmarks give the errors (:class:`BacktestResult`).

    Parameters
    ----------
    region : county code (``"40"``, ``40``) or municipality codes
    base_year : int
        Year whose 31 Dec stock starts the projection (2005–2024).
    horizon_years : int
        Years projected; errors are computed for those observed (to 2025).
    estimation_years : int
        Length of the estimation period (years of residual net migration).
    **options
        ``trend_years``, ``n_params``, ``infant``, ``standard_out``, ``shares``,
        ``known_stocks``, ``assumptions`` (see :func:`prepare_backtest`; the observed stocks are read from
        ``known_stocks`` too when it is given).
    """
    known_stocks = options.get("known_stocks")
    setup = prepare_backtest(region, base_year, horizon_years, estimation_years, **options)
    projection = project(setup.inputs)
    last = min(setup.horizon, LAST_STOCK_YEAR)
    warnings = list(setup.warnings)
    if last < setup.horizon:
        warnings.append(
            f"observed population ends 31 Dec {LAST_STOCK_YEAR}; "
            f"years {last + 1}–{setup.horizon} are not compared"
        )
    years = np.arange(setup.base_year, last + 1)
    if known_stocks is None:
        observed = observed_stocks(setup.codes, setup.base_year, last)
    else:
        observed = np.stack([known_stocks[y] for y in range(setup.base_year, last + 1)]).astype(
            float
        )
    later = [x for x in breaks.transfers() if x.year > setup.base_year and x.year <= last
             and {x.donor, x.receiver} & set(setup.codes)]  # fmt: skip
    if later:
        obs = breaks.on_borders_of(
            {y: observed[i] for i, y in enumerate(range(setup.base_year, last + 1))},
            setup.codes, setup.base_year, later,
        )  # fmt: skip
        observed = np.stack([obs[y] for y in range(setup.base_year, last + 1)])
        for x in later:
            warnings.append(
                f"boundary transfer {x.year}: {x.persons:.0f} persons from {x.donor} to "
                f"{x.receiver}; observed stocks put back on the borders of {setup.base_year}"
            )
    forecasts = naive_forecasts(setup.past_groups, setup.base_year, years)
    forecasts[MODEL] = _group_sums(projection.population[: len(years)])
    tot = observed.sum(axis=(2, 3))  # (T, K)
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = np.abs(tot[1:] / tot[:-1] - 1)
    suspect = []
    for k in np.flatnonzero((jump > BREAK_THRESHOLD).any(axis=0)):
        t = int(np.argmax(jump[:, k]))
        suspect.append(setup.codes[k])
        warnings.append(
            f"zone {setup.codes[k]}: observed population changes by {100 * jump[t, k]:.0f} % "
            f"from {years[t]} to {years[t + 1]} (boundary change or data problem); "
            "its errors say nothing about the model"
        )
    return BacktestResult(
        setup=setup, projection=projection, observed=observed, observed_years=years,
        forecasts=forecasts, warnings=warnings, suspect_zones=suspect,
    )  # fmt: skip


__all__ = [
    "Assumptions",
    "BacktestResult",
    "BacktestSetup",
    "GROUPS",
    "METHODS",
    "gross_flows_from_net",
    "history_from_arrays",
    "history_from_stocks",
    "naive_forecasts",
    "prepare_backtest",
    "rest_of_country",
    "run_backtest",
    "standard_out_rates",
    "telemark_split_shares",
]
