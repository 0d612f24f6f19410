"""The REGBEF projection loop (handbook §3, order of computation in spec §2).

One year t, vectorised over zone × sex × age:

1. ageing (§3.2)                         BEF1 = BEF[t−1] shifted one age
2. births (§3.3–3.6)                     newborns enter BEF1[:, :, 0]
3. deaths (§3.7)                         BEF2 = BEF1 − DOD
4. labour supply (§3.8)                  YRK from BEF2 (reported from BEF[t])
5–6. target steering (§3.9–3.13)         net-migration requirements NF (variants 2, 3, 5, 6)
7. labour-market model (§3.14)           variants 4, 5 (drives migration), 6 (reported)
8. gross external migration (§3.15)      EUF from BEF2 (rates); EIFU, EIFN by variant
9. housing stock and need (§3.16)        demolition, need, building need
10. housing market (§3.17–3.21)          internal migration in variants 3, 4, 5
11. consistency (§3.22)                  Σ_k IIF = Σ_k IUF per sex × age
12. update (§3.23)                       BEF[t] = BEF2 − EUF − IUF + EIFU + EIFN + IIF

Model variants (spec §7, reconstructed mapping; see docs/model.md):

=======  ================================================  ==========================  ===========
variant  name                                              external migration          internal
=======  ================================================  ==========================  ===========
1        trend                                             rates / period means         rates
2        target: region + municipalities                   target steering              trend
3        target region + housing market                    region target over zones     housing market
4        labour market + housing market                    labour-market model          housing market
5        target region + labour + housing market           labour model scaled to target housing market
6        target + labour market at region level            target steering              trend
=======  ================================================  ==========================  ===========
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from regbef_excel.engine.ageing import age_one_year
from regbef_excel.engine.fertility import (
    births,
    fertility_rates,
    hadwiger_rates_by_zone,
    split_births,
)
from regbef_excel.engine.flows import consistency_adjust, internal_inflow, outflows, schedules
from regbef_excel.engine.gravity import deterrence
from regbef_excel.engine.housing import (
    HadwigerRegression,
    HousingStock,
    hadwiger_coefficients,
    housing_market_step,
    housing_need,
    housing_need_level,
    median_age,
    need_rates,
)
from regbef_excel.engine.inputs import (
    DEFAULT_ROOMS_PER_TYPE,
    FEMALE,
    VARIANT_NAMES,
    ZONE_YEAR_KEYS,
    ProjectionInputs,
    Targets,
)
from regbef_excel.engine.labour import (
    LabourState,
    expand_age_groups,
    external_inmigration,
    labour_geometry,
    labour_market_step,
    labour_supply,
)
from regbef_excel.engine.mortality import death_probabilities
from regbef_excel.engine.results import COMPONENTS, Projection
from regbef_excel.engine.steering import external_inflow_for, net_migration_targets
from regbef_excel.errors import InputError, InvariantError, Location

#: Tolerance of the balancing equation, in persons (spec §2).
BALANCE_TOL = 1e-6
#: Relative tolerance of the yearly gravity balancing (labour and housing markets): margins to
#: 1e-8 of the flows, far below a person at county or national size; the consistency step makes
#: internal in = out exactly afterwards.
GRAVITY_TOL = 1e-8
LABOUR_VARIANTS = (4, 5, 6)
HOUSING_MARKET_VARIANTS = (3, 4, 5)
TARGET_VARIANTS = (2, 3, 5, 6)


def _require(inputs: ProjectionInputs) -> None:
    """Variants need their inputs: a clear message instead of a crash deep in the loop.

    The error names the input field (``Location.table``); the reader's side maps it to the
    workbook's sheet in the workbook's language.
    """
    v = inputs.variant
    need = []
    if v in LABOUR_VARIANTS:
        need += ["labour", "distances"]
    if v in HOUSING_MARKET_VARIANTS:
        need += ["housing", "distances"]
    for name in dict.fromkeys(need):
        if getattr(inputs, name) is None:
            raise InputError(
                f"model variant {v} ({VARIANT_NAMES[v]}) needs the {name} inputs",
                location=Location(table=name),
                expected=f"the {name} inputs filled, or another model variant",
            )


class _Labour:
    """Labour supply and (variants 4–6) the labour-market model, year by year."""

    def __init__(self, inputs: ProjectionInputs, run_model: bool) -> None:
        lab = inputs.labour
        self.inputs = inputs
        self.part = expand_age_groups(np.asarray(lab.participation, float), lab.age_lower)
        self.yr = np.asarray(lab.level_region, float)
        self.yk = np.asarray(lab.level_zone, float)
        self.jobs = np.asarray(lab.jobs, float)
        self.run_model = run_model
        if run_model:
            self.af, self.afland = labour_geometry(inputs.distances, lab.params)
            self.state = LabourState.initial(inputs.n_zones)

    def supply(self, pop: np.ndarray, t: int) -> np.ndarray:
        return labour_supply(pop, self.part, float(self.yr[min(t, self.yr.size - 1)]), self.yk)

    def step(self, t: int, yrk_prev: np.ndarray, yrk: np.ndarray):
        lab = self.inputs.labour
        res = labour_market_step(
            yrk_prev, yrk, self.jobs[t], self.jobs[t + 1], self.inputs.distances, lab.params, self.state,
            kup=lab.kup, kip=lab.kip, profile=lab.profile, af=self.af, afland=self.afland,
            tol=GRAVITY_TOL,
        )  # fmt: skip
        self.state = res.state
        return res


class _Housing:
    """Housing stock, need and (variants 3–5) the housing market, year by year."""

    def __init__(self, inputs: ProjectionInputs, pop0: np.ndarray, run_market: bool) -> None:
        h = inputs.housing
        self.h = h
        self.stock = HousingStock(
            np.asarray(h.stock_by_period, float),
            by_type=np.asarray(h.stock_by_type, float),
            avge=np.asarray(h.demolition_old, float),
            avgn=np.asarray(h.demolition_new, float),
        )
        # Base-year level factor so that need = stock (coverage 100 %, handbook §3.16)
        self.level = housing_need_level(pop0, h.sivrat, h.bolrat, self.stock.total)
        self.br = np.asarray(h.level_region, float)
        self.need_rate = need_rates(h.sivrat, h.bolrat)
        self.need0 = housing_need(pop0, h.sivrat, h.bolrat, self.level)
        self.run_market = run_market
        if run_market:
            self.bf = deterrence(inputs.distances, h.market.distance_function, h.market.beta)

    def need(self, pop: np.ndarray, t: int) -> np.ndarray:
        """BOLBEH (handbook §3.16): population × need per person (SIVRAT·BOLRAT) × levels."""
        return np.einsum("ksa,sa->k", pop, self.need_rate) * (self.level * self.br[t])


def project(
    inputs: ProjectionInputs,
    *,
    validate: bool = True,
    check_invariants: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Projection:
    """Project population year by year with REGBEF (model variants 1–6).

    Parameters
    ----------
    inputs : ProjectionInputs
        Validated inputs (the workbook readers validate cell by cell first).
    validate : bool
        Run :meth:`ProjectionInputs.validate` first.
    check_invariants : bool
        Assert the balancing equation, internal in = out and non-negativity every year (spec §2).
        On by default; switch off only in benchmarks that measure the loop alone.
    progress : callable(t, T), optional
        Called after each projection year.

    Returns
    -------
    Projection
    """
    if validate:
        inputs.validate()
    _require(inputs)
    v = inputs.variant
    K, T = inputs.n_zones, inputs.n_years
    A1 = inputs.population.shape[2]
    years = inputs.years
    codes = inputs.zone_codes
    warnings: list[str] = []
    sched = schedules(inputs, warnings)
    fod_rates = fertility_rates(inputs)
    targets = inputs.targets if inputs.targets is not None else Targets.trend(T, K)
    if targets.any_target and v not in TARGET_VARIANTS:
        warnings.append(f"targets are ignored in model variant {v} ({VARIANT_NAMES[v]})")
    zone_targets = v in (2, 6)
    endo = _EndogenousHadwiger(inputs) if inputs.endogenous_hadwiger else None
    if v in (3, 5) and np.any(targets.zone_mode == 1):
        warnings.append(f"model variant {v} steers the region only: municipality targets are ignored")

    lvl = {f: np.asarray(x, dtype=float) for f, x in inputs.migration_level_region.items()}
    lvk = {f: np.asarray(x, dtype=float) for f, x in inputs.migration_level_zone.items()}
    share = np.asarray(inputs.immigration_share, dtype=float)
    share = share / share.sum() if share.sum() > 0 else share  # accepted within SHARE_TOLERANCE
    dom = np.asarray(inputs.domestic_inmigration, dtype=float)
    zy = {key: inputs.zone_year(key) for key in ZONE_YEAR_KEYS}  # (T, K) each, ones by default
    inf_trend = np.asarray(inputs.internal_net_trend, dtype=float)
    dist_u, dist_n, dist_i = sched.dist["EIFU"], sched.dist["EIFN"], sched.dist["IIF"]
    dist_n0 = dist_n
    age_level = None if inputs.inmigration_age_level is None else np.asarray(inputs.inmigration_age_level, dtype=float)

    population = np.empty((T + 1, K, 2, A1))
    population[0] = inputs.population
    flows = {name: np.empty((T, K, 2, A1)) for name in ("deaths", "EUF", "EIFU", "EIFN", "IUF", "IIF")}
    flows["births"] = np.zeros((T, K, 2))
    flows["leavers"] = np.zeros((T, K, 2))
    capped = np.zeros((T, K, 2, A1))
    capped_deaths = np.zeros((T, K, 2, A1))  # deaths the cap at probability 1 did not count
    series: dict[str, np.ndarray] = {}
    matrices: dict[str, np.ndarray] = {}
    if v in HOUSING_MARKET_VARIANTS:
        matrices["internal_migration"] = np.zeros((T, K, K))
    if targets.any_target and v in TARGET_VARIANTS:
        series["target_net_migration"] = np.full((T, K), np.nan)

    labour = _Labour(inputs, v in LABOUR_VARIANTS) if inputs.labour is not None else None
    if labour is not None:
        series["labour_supply"] = np.zeros((T + 1, K))
        series["labour_supply"][0] = labour.supply(inputs.population, 0)
        series["jobs"] = labour.jobs[: T + 1].copy()
        if labour.run_model:
            series["net_commuting"] = np.zeros((T, K))
            series["labour_migration"] = np.zeros((T, K))
            matrices["commuting"] = np.zeros((T, K + 1, K + 1))
    housing = _Housing(inputs, inputs.population, v in HOUSING_MARKET_VARIANTS) if inputs.housing is not None else None
    if housing is not None:
        for name in ("housing_stock", "housing_need"):
            series[name] = np.zeros((T + 1, K))
        series["housing_stock"][0] = housing.stock.total
        series["housing_need"][0] = housing.need0
        for name in ("demolition", "building", "building_programme", "building_need"):
            series[name] = np.zeros((T, K))

    pop = np.asarray(inputs.population, dtype=float).copy()
    for t in range(T):
        year = int(years[t])
        # 1–3. ageing, births, deaths
        bef1, leavers = age_one_year(pop, drop_oldest=inputs.drop_oldest)
        rates_t = fod_rates if endo is None else endo.rates(t, bef1, housing, series)
        fod = births(
            bef1[:, FEMALE, :], rates_t, inputs.fertility_level_region[t],
            np.asarray(inputs.fertility_level_zone) * zy["FR"][t], reconcile=inputs.reconcile_births,
        )  # fmt: skip
        newborn = split_births(fod, inputs.share_boys)
        bef1[:, :, 0] = newborn
        q = death_probabilities(
            bef1, np.asarray(inputs.death_prob), inputs.mortality_level_region[t],
            np.asarray(inputs.mortality_level_zone) * zy["DR"][t], reconcile=inputs.reconcile_deaths,
        )  # fmt: skip
        dod = bef1 * np.minimum(q, 1.0)
        if inputs.reconcile_deaths:  # validation keeps q ≤ 1 without reconciliation
            np.multiply(bef1, np.maximum(q - 1.0, 0.0), out=capped_deaths[t])
        bef2 = bef1 - dod
        start = pop.sum(axis=(1, 2))
        after_natural = bef2.sum(axis=(1, 2))
        lvk_t = {f: lvk[f] * zy[f][t] for f in ("EUF", "IUF")}
        rate_euf = sched.rate["EUF"] * (lvl["EUF"][t] * lvk_t["EUF"])[:, None, None]
        rate_iuf = sched.rate["IUF"] * (lvl["IUF"][t] * lvk_t["IUF"])[:, None, None]
        eifu_tot = inputs.immigration_total[t] * share * zy["EIFU"][t]
        eifn_tot = dom * lvl["EIFN"][t] * zy["EIFN"][t]
        if age_level is not None:  # rates of a reference population at some ages: more or
            # fewer in-migrants there, the same elsewhere (count and age shape of the year)
            w = dist_n0 * age_level[t]
            grow = w.sum(axis=(1, 2))
            dist_n = w / np.where(grow > 0, grow, 1.0)[:, None, None]
            eifn_tot = eifn_tot * grow
        # 4, 7. labour supply and labour-market model
        lm = None
        if labour is not None and labour.run_model:
            lm = labour.step(t, series["labour_supply"][t], labour.supply(bef2, t))
            series["net_commuting"][t] = lm.intpend
            series["labour_migration"][t] = lm.iyaflyt * inputs.labour.params.arbfam
            matrices["commuting"][t] = lm.commuting

        if v not in HOUSING_MARKET_VARIANTS:
            # Internal migration from rates (handbook §3.11, §3.15): independent of the
            # external flows, so steering below can meet municipality targets exactly.
            euf, iuf, cap = outflows(bef2, rate_euf, rate_iuf)
            iif, shortfall = internal_inflow(iuf, inf_trend, dist_i)
            _report_shortfall(shortfall, year, codes, warnings)
            euf_tot = euf.sum(axis=(1, 2))
            net_internal = iif.sum(axis=(1, 2)) - iuf.sum(axis=(1, 2))
            if v in (2, 6) and targets.any_target:
                trend_net = eifu_tot + eifn_tot - euf_tot + net_internal
                nf, steered = net_migration_targets(
                    targets, t, start, after_natural, trend_net, use_zone_targets=zone_targets,
                    year=year, warnings=warnings,
                )  # fmt: skip
                u, n = external_inflow_for(nf - net_internal, euf_tot, eifu_tot, year=year,
                                           zone_codes=codes, warnings=warnings)
                eifu_tot = np.where(steered, u, eifu_tot)
                eifn_tot = np.where(steered, n, eifn_tot)
                series["target_net_migration"][t] = np.where(steered, nf, np.nan)
            eifu = eifu_tot[:, None, None] * dist_u
            eifn = eifn_tot[:, None, None] * dist_n
            if housing is not None:
                _housing_trend_year(housing, t, inputs, series)
        else:
            # External migration first (handbook §3.13, §3.15), then the housing market.
            euf, _, cap = outflows(bef2, rate_euf, np.zeros_like(rate_euf))
            euf_tot = euf.sum(axis=(1, 2))
            if lm is not None:  # variants 4, 5: the labour market sets external in-migration

                eif, short = external_inmigration(euf_tot, lm.yntfl, inputs.labour.params.utfam,
                                                  inputs.labour.params.innfam)
                for k in np.flatnonzero(short > 0.5):
                    warnings.append(f"{year}: zone {codes[k]}: labour-market out-migration exceeds "
                                    f"in-migration; {short[k]:.0f} persons set to zero")
                base_enf = eif - euf_tot
            else:
                base_enf = eifu_tot + eifn_tot - euf_tot
            enf = base_enf
            if v in (3, 5) and targets.region_mode[t] == 1:
                nf_region, _ = net_migration_targets(
                    targets, t, start, after_natural, base_enf, use_zone_targets=False, year=year,
                )  # fmt: skip
                # Handbook §3.13: the regional target is distributed over zones "in proportion to
                # registered net migration"; with mixed signs that rule breaks, so each zone keeps
                # its own (trend or labour-market) net and the difference to the target is
                # spread in proportion to population (reconstruction, docs/model.md).
                gap = nf_region.sum() - base_enf.sum()
                enf = base_enf + gap * start / start.sum()
                series["target_net_migration"][t] = enf
            u, n = external_inflow_for(enf, euf_tot, np.minimum(eifu_tot, euf_tot + enf), year=year,
                                       zone_codes=codes, warnings=warnings)
            eifu = u[:, None, None] * dist_u
            eifn = n[:, None, None] * dist_n
            bef3 = bef2 - euf + eifu + eifn
            iuf, iif, cap_i, mig = _housing_market_year(housing, t, inputs, bef3, sched, lvl, lvk_t,
                                                        inf_trend, lm, series, warnings)
            cap = cap + cap_i
            matrices["internal_migration"][t] = mig

        # 12. update (in place: at national size the loop is memory-bound)
        new = population[t + 1]
        np.subtract(bef2, euf, out=new)
        new -= iuf
        new += eifu
        new += eifn
        new += iif
        if check_invariants:
            _check_year(year, pop, new, fod, dod, euf, iuf, eifu, eifn, iif, leavers, codes)
        np.maximum(new, 0.0, out=new)  # only round-off below zero survives the check
        flows["births"][t] = newborn
        flows["deaths"][t] = dod
        flows["EUF"][t] = euf
        flows["IUF"][t] = iuf
        flows["EIFU"][t] = eifu
        flows["EIFN"][t] = eifn
        flows["IIF"][t] = iif
        flows["leavers"][t] = leavers
        capped[t] = cap
        if labour is not None:
            series["labour_supply"][t + 1] = labour.supply(new, t)
        if housing is not None:
            series["housing_need"][t + 1] = housing.need(new, t)
            series["building_need"][t] = np.maximum(series["housing_need"][t + 1] - housing.stock.total, 0.0)
        pop = new
        if progress is not None:
            progress(t + 1, T)

    total_capped = capped.sum()
    if total_capped > 0:
        warnings.append(
            f"out-migration was capped in {int((capped > 0).sum())} cells ({total_capped:.1f} persons in all) "
            "so that no population cell became negative"
        )
    dead_capped = capped_deaths.sum()
    if dead_capped > 0:
        warnings.append(
            f"region reconciliation of deaths gave death probabilities above 1 in {int((capped_deaths > 0).sum())} "
            f"cells; capped at 1 ({dead_capped:.1f} deaths fewer in all)"
        )
        capped += capped_deaths
    if endo is not None:
        for i, name in enumerate(("hadwiger_a", "hadwiger_b", "hadwiger_c")):
            series[name] = np.array([coef[i] for coef in endo.coefficients])
    return Projection(inputs=inputs, population=population, flows=flows, capped=capped, warnings=warnings,
                      series=series, matrices=matrices)


class _EndogenousHadwiger:
    """Endogenous Hadwiger coefficients per zone and year (handbook §3.4; reconstructed).

    DWZ = mean rooms per dwelling of the housing stock by type, NEWH = 100 · stock / stock three
    years earlier (the base-year stock for the first three years: nothing earlier is known),
    INC = the income indicator (input), MA = median age of women 15–44 (after ageing). The
    resulting HDWA (per 1000), HDWB, HDWC give each zone's fertility schedule; the level factors
    FR_t and FK_k still multiply it.
    """

    def __init__(self, inputs: ProjectionInputs) -> None:
        if inputs.housing is None or inputs.income is None:
            raise InputError(
                "the endogenous Hadwiger option needs the housing inputs and the income indicator",
                location=Location(table="income"),
                expected="the housing inputs and income per zone and year, or the option switched off",
            )
        self.inputs = inputs
        self.coef = inputs.hadwiger_regression or HadwigerRegression()
        rooms = inputs.housing.rooms_by_type
        H = np.asarray(inputs.housing.stock_by_type).shape[1]
        self.rooms = np.full(H, DEFAULT_ROOMS_PER_TYPE) if rooms is None else np.asarray(rooms, float)
        self.coefficients: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def rates(self, t: int, bef1: np.ndarray, housing, series: dict) -> np.ndarray:
        by_type = housing.stock.by_type
        dwz = (by_type @ self.rooms) / np.maximum(by_type.sum(axis=1), 1e-12)
        stock = series["housing_stock"]
        newh = 100.0 * stock[t] / np.maximum(stock[max(t - 3, 0)], 1e-12)
        ma = median_age(bef1[:, FEMALE, :])
        ma = np.where(np.isfinite(ma), ma, 30.0)
        a, b, c = hadwiger_coefficients(dwz, newh, np.asarray(self.inputs.income, float)[t], ma, self.coef)
        self.coefficients.append((a, b, c))
        return hadwiger_rates_by_zone(a / 1000.0, b, c)


def _report_shortfall(shortfall: np.ndarray, year: int, codes, warnings: list[str]) -> None:
    for k in np.flatnonzero(shortfall):
        warnings.append(
            f"{year}: zone {codes[k]}: trend net internal migration would need negative in-migration; "
            f"{shortfall[k]:.1f} persons set to zero"
        )


def _housing_trend_year(housing: _Housing, t: int, inputs: ProjectionInputs, series: dict) -> None:
    """Stock accounting in variants without a housing market: the programme is built."""
    prev = housing.stock.total
    _, demolition = housing.stock.demolish()
    programme = np.asarray(inputs.housing.building[t], float)
    housing.stock.build(programme, type_shares=inputs.housing.building_type_shares)
    series["demolition"][t] = demolition
    series["building"][t] = programme
    series["building_programme"][t] = programme
    series["housing_stock"][t + 1] = housing.stock.total
    gap = np.abs(housing.stock.total - (prev - demolition + programme))
    if np.any(gap > 1e-6 * np.maximum(1.0, prev)):
        raise InvariantError("housing stock identity stock[t] = stock[t−1] − demolition + building fails")


def _housing_market_year(housing, t, inputs, bef3, sched, lvl, lvk, inf_trend, lm, series, warnings):
    """Internal migration from the housing market (handbook §3.17–3.21), variants 3–5.

    The trend internal out-movers (rates × BEF3) and in-movers give the market's BOLUT and BOLIN
    (need of internal movers); the market allocates households from demand to supply zones; the
    moves become IIF1–3 / IUF1–3. Labour-driven internal migration IAFLYT (variants 4, 5) is
    added. Out-migrants are capped at the cell population and the consistency adjustment makes
    Σ_k IIF = Σ_k IUF per sex × age (§3.22).
    """
    h = inputs.housing
    rate_iuf = sched.rate["IUF"] * (lvl["IUF"][t] * lvk["IUF"])[:, None, None]
    riuf = np.minimum(bef3 * rate_iuf, bef3)
    riif, _ = internal_inflow(riuf, inf_trend, sched.dist["IIF"])
    prev = housing.stock.total
    available, demolition = housing.stock.demolish()
    need = housing.need(bef3, t)
    capacity = np.asarray(h.building[t], float)[:, None] * np.asarray(h.building_type_shares, float)
    jobs = inputs.labour.jobs if inputs.labour is not None else None
    hm = housing_market_step(
        bolmas=available, bolbeh=need, riuf=riuf, riif=riif, need_rate=housing.need_rate,
        building_capacity=capacity, distances=inputs.distances, params=h.market,
        ebfamin=h.family_existing, ebratin=sched.dist["IIF"], bffam=h.family_new, bfrat=h.profile_new,
        br=housing.level * housing.br[t], jobs_prev=None if jobs is None else jobs[t], jobs=None if jobs is None else jobs[t + 1],
        bf=housing.bf, tol=GRAVITY_TOL,
    )  # fmt: skip
    warnings.extend(f"{inputs.years[t]}: {w}" for w in hm.warnings)
    iuf = hm.iuf.copy()
    iif = hm.iif.copy()
    if lm is not None and lm.iaflyt_in is not None:
        iuf += lm.iaflyt_out
        iif += lm.iaflyt_in
    cap = np.maximum(iuf - bef3, 0.0)
    iuf = np.minimum(iuf, bef3)
    iif = consistency_adjust(iuf, iif)
    housing.stock.build(hm.bolbygg, type_shares=h.building_type_shares)
    series["demolition"][t] = demolition
    series["building"][t] = hm.bolbygg
    series["building_programme"][t] = np.asarray(h.building[t], float)
    series["housing_stock"][t + 1] = housing.stock.total
    gap = np.abs(housing.stock.total - (prev - demolition + hm.bolbygg))
    if np.any(gap > 1e-6 * np.maximum(1.0, prev)):
        raise InvariantError("housing stock identity stock[t] = stock[t−1] − demolition + building fails")
    return iuf, iif, cap, hm.migration


def _check_year(year, old, new, fod, dod, euf, iuf, eifu, eifn, iif, leavers, codes) -> None:
    """Assert the invariants of spec §2 for one projection year."""
    change = new.sum(axis=(1, 2)) - old.sum(axis=(1, 2))
    comp = (
        fod
        - dod.sum(axis=(1, 2))
        - euf.sum(axis=(1, 2))
        + eifu.sum(axis=(1, 2))
        + eifn.sum(axis=(1, 2))
        - iuf.sum(axis=(1, 2))
        + iif.sum(axis=(1, 2))
        - leavers.sum(axis=1)
    )
    gap = np.abs(change - comp)
    scale = np.maximum(1.0, np.abs(old.sum(axis=(1, 2))) * 1e-12)
    if np.any(gap > BALANCE_TOL * scale):
        k = int(np.argmax(gap))
        raise InvariantError(f"{year}: balancing equation fails for zone {codes[k]} by {gap[k]:.3g} persons")
    d = np.abs(iif.sum(axis=0) - iuf.sum(axis=0))
    if np.any(d > BALANCE_TOL * np.maximum(1.0, iuf.sum(axis=0))):
        raise InvariantError(f"{year}: internal in-migration differs from internal out-migration by {d.max():.3g}")
    if new.min() < -BALANCE_TOL:
        k, s, a = np.unravel_index(int(np.argmin(new)), new.shape)
        raise InvariantError(f"{year}: negative population {new.min():.3g} in zone {codes[k]}, sex {s}, age {a}")


__all__ = ["project", "COMPONENTS", "BALANCE_TOL"]
