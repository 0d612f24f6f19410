"""The result of a projection: arrays plus tidy tables for the workbook writer (spec §13)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regbef_excel.engine.ageing import age_one_year
from regbef_excel.engine.allocation import allocate_internal_migration
from regbef_excel.engine.fertility import fertility_rates
from regbef_excel.engine.inputs import FEMALE, MALE, SEXES, ProjectionInputs
from regbef_excel.engine.mortality import death_probabilities

#: SSB's standard age groups for municipal planning (the groups of SSB's population projections,
#: table 14288): key -> (first age, last age inclusive; 10 000 = open). These are the groups of
#: every output (age-group sheet, scenario comparison, back-test, SSB comparison and the
#: ``REGBEF_AGEGROUPS`` function). The numbers live here because the engine and the evaluation
#: layer, which sit below the workbook contract, compute with them; their labels, the service
#: sums and the dependency ratios are in :mod:`regbef_excel.schema.age_groups`.
OPEN_AGE = 10_000
SSB_AGE_GROUPS: dict[str, tuple[int, int]] = {
    "0": (0, 0),
    "1-5": (1, 5),
    "6-12": (6, 12),
    "13-15": (13, 15),
    "16-19": (16, 19),
    "20-44": (20, 44),
    "45-66": (45, 66),
    "67-79": (67, 79),
    "80-89": (80, 89),
    "90+": (90, OPEN_AGE),
}
#: The groups the service-planning outputs use (SSB's standard groups).
SERVICE_AGE_GROUPS = SSB_AGE_GROUPS
#: Sums planners quote (kindergarten, compulsory school, upper secondary, elderly care).
SERVICE_SUMS: dict[str, tuple[int, int]] = {
    "1-5": (1, 5),
    "6-15": (6, 15),
    "16-19": (16, 19),
    "67+": (67, OPEN_AGE),
    "80+": (80, OPEN_AGE),
    "90+": (90, OPEN_AGE),
}
#: Dependency ratios: key -> (numerator ages, denominator ages), each (first, last).
DEPENDENCY_RATIOS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "young": ((0, 19), (20, 66)),
    "old": ((67, OPEN_AGE), (20, 66)),
}


def sum_ages(by_age: np.ndarray, groups: dict[str, tuple[int, int]]) -> np.ndarray:
    """Sum the last axis (single ages, the last one open) into ``groups``: (..., A1) -> (..., G)."""
    A1 = by_age.shape[-1]
    return np.stack([by_age[..., lo : min(hi, A1 - 1) + 1].sum(axis=-1) for lo, hi in groups.values()], axis=-1)


#: Components of change in balancing-equation order. Sign +1 adds to the population.
COMPONENTS: dict[str, int] = {
    "births": +1,
    "deaths": -1,
    "EUF": -1,
    "EIFU": +1,
    "EIFN": +1,
    "IUF": -1,
    "IIF": +1,
    "leavers": -1,
}


@dataclass
class Projection:
    """A REGBEF projection.

    Arrays (T projection years, K zones, A1 ages; sex 0 = male, 1 = female):

    * ``population`` (T+1, K, 2, A1): 31 Dec of base year and of every projection year.
    * ``flows[name]`` (T, K, 2, A1) for deaths, EUF, EIFU, EIFN, IUF, IIF (ages at end of year);
      ``flows['births']`` (T, K, 2) newborns by sex; ``flows['leavers']`` (T, K, 2) people who
      left the model above the oldest age (only with ``drop_oldest``).
    * ``capped`` (T, K, 2, A1): persons removed from outflows (deaths, out-migration) so that no
      cell became negative; reported in the run log.
    """

    inputs: ProjectionInputs
    population: np.ndarray
    flows: dict[str, np.ndarray]
    capped: np.ndarray
    warnings: list[str] = field(default_factory=list)
    #: Per-zone series by year (K last): stocks (T+1, K) include the base year, flows (T, K).
    #: Keys when the inputs have them: ``labour_supply`` YRK (T+1, K), ``jobs`` ARBPL (T+1, K),
    #: ``net_commuting`` INTPEND (T, K), ``labour_migration`` IYAFLYT·ARBFAM (T, K),
    #: ``housing_stock`` BOLMAS (T+1, K), ``demolition`` (T, K), ``building`` realised (T, K),
    #: ``building_programme`` BOLBYG (T, K), ``housing_need`` BOLBEH (T+1, K),
    #: ``building_need`` BOLBB (T, K), ``target_net_migration`` NF (T, K; NaN where trend).
    series: dict[str, np.ndarray] = field(default_factory=dict)
    #: Zone × zone matrices by year: ``internal_migration`` (T, K, K) persons from → to
    #: (housing market in variants 3–5; otherwise a doubly constrained allocation of the
    #: zones' internal out- and in-migration by distance, or flat shares without distances);
    #: ``commuting`` (T, K+1, K+1) workers residence → workplace incl. the external zone
    #: (variants 4–6).
    matrices: dict[str, np.ndarray] = field(default_factory=dict)

    # ------------------------------------------------------------------ basic axes
    @property
    def years(self) -> np.ndarray:
        """Calendar years of ``population`` (base year first), shape (T+1,)."""
        return np.arange(self.inputs.base_year, self.inputs.horizon + 1)

    @property
    def zone_codes(self) -> tuple[str, ...]:
        return self.inputs.zone_codes

    @property
    def zone_names(self) -> tuple[str, ...]:
        return self.inputs.zone_names

    def internal_migration(self) -> np.ndarray:
        """Internal migration matrix (T, K, K) from → to (computed on first use and kept)."""
        if "internal_migration" not in self.matrices:
            self.matrices["internal_migration"] = allocate_internal_migration(
                self.inputs, self.flows["IUF"], self.flows["IIF"]
            )
        return self.matrices["internal_migration"]

    def component_totals(self) -> dict[str, np.ndarray]:
        """Each component summed over sex and age: name -> (T, K)."""
        out = {}
        for name in COMPONENTS:
            arr = self.flows[name]
            out[name] = arr.reshape(arr.shape[0], arr.shape[1], -1).sum(axis=2)
        return out

    # ------------------------------------------------------------------ tidy tables
    def _zone_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"zone_code": list(self.zone_codes), "zone_name": list(self.zone_names)})

    def population_long(self) -> pd.DataFrame:
        """zone_code, zone_name, year, sex, age, population (one row per cell)."""
        T1, K, S, A1 = self.population.shape
        idx = pd.MultiIndex.from_product(
            [self.years, range(K), SEXES, range(A1)], names=["year", "k", "sex", "age"]
        )
        df = pd.DataFrame({"population": self.population.reshape(-1)}, index=idx).reset_index()
        df.insert(0, "zone_code", np.asarray(self.zone_codes, dtype=object)[df["k"].to_numpy()])
        df.insert(1, "zone_name", np.asarray(self.zone_names, dtype=object)[df["k"].to_numpy()])
        return df.drop(columns="k")[["zone_code", "zone_name", "year", "sex", "age", "population"]]

    def total_by_zone(self, *, region_total: bool = True) -> pd.DataFrame:
        """Wide table: one row per zone (plus the region), one column per year."""
        tot = self.population.sum(axis=(2, 3)).T  # (K, T+1)
        df = self._zone_frame()
        years = pd.DataFrame(tot, columns=[int(y) for y in self.years])
        df = pd.concat([df, years], axis=1)
        if region_total:
            row = {"zone_code": "", "zone_name": "Region"} | {int(y): tot[:, i].sum() for i, y in enumerate(self.years)}
            df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
        return df

    def components(self) -> pd.DataFrame:
        """Components of change per zone and projection year (balancing equation).

        Columns: zone_code, zone_name, year, start, births, deaths, EUF, EIFU, EIFN, IUF, IIF,
        leavers, end, net_external, net_internal, growth.
        """
        tot = self.component_totals()
        pop = self.population.sum(axis=(2, 3))  # (T+1, K)
        T, K = pop.shape[0] - 1, pop.shape[1]
        df = pd.DataFrame(
            {
                "zone_code": np.tile(np.asarray(self.zone_codes, dtype=object), T),
                "zone_name": np.tile(np.asarray(self.zone_names, dtype=object), T),
                "year": np.repeat(self.years[1:], K),
                "start": pop[:-1].reshape(-1),
            }
        )
        for name in COMPONENTS:
            df[name] = tot[name].reshape(-1)
        df["end"] = pop[1:].reshape(-1)
        df["net_external"] = df["EIFU"] + df["EIFN"] - df["EUF"]
        df["net_internal"] = df["IIF"] - df["IUF"]
        df["growth"] = df["end"] - df["start"]
        return df

    def age_group_array(self, groups: dict[str, tuple[int, int]] | None = None) -> np.ndarray:
        """Population (T+1, K, G) in ``groups`` (SSB's standard groups by default), both sexes."""
        return sum_ages(self.population.sum(axis=2), groups or SSB_AGE_GROUPS)

    def age_groups(self, groups: dict[str, tuple[int, int]] | None = None) -> pd.DataFrame:
        """Population in age groups (SSB's standard groups by default):
        zone_code, zone_name, year, group, population."""
        groups = groups or SSB_AGE_GROUPS
        arr = self.age_group_array(groups)  # (T+1, K, G)
        T1, K, G = arr.shape
        return pd.DataFrame(
            {
                "zone_code": np.tile(np.repeat(np.asarray(self.zone_codes, dtype=object), G), T1),
                "zone_name": np.tile(np.repeat(np.asarray(self.zone_names, dtype=object), G), T1),
                "year": np.repeat(self.years, K * G),
                "group": np.tile(np.asarray(list(groups), dtype=object), T1 * K),
                "population": arr.reshape(-1),
            }
        )

    def dependency_ratios(self) -> dict[str, np.ndarray]:
        """Dependency ratios per year and zone, (T+1, K), and for the region, (T+1,).

        ``young`` = persons 0–19 per person 20–66, ``old`` = 67+ per 20–66, ``total`` = both
        (0–19 and 67+) per 20–66; ``region_young`` … the same for the whole region. NaN where
        nobody is 20–66.
        """
        by_age = self.population.sum(axis=2)  # (T+1, K, A1)
        out: dict[str, np.ndarray] = {}
        parts = {k: (sum_ages(by_age, {"n": num})[..., 0], sum_ages(by_age, {"d": den})[..., 0])
                 for k, (num, den) in DEPENDENCY_RATIOS.items()}  # fmt: skip
        parts["total"] = (parts["young"][0] + parts["old"][0], parts["young"][1])
        for key, (num, den) in parts.items():
            with np.errstate(invalid="ignore", divide="ignore"):
                out[key] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
                rn, rd = num.sum(axis=1), den.sum(axis=1)
                out["region_" + key] = np.where(rd > 0, rn / np.where(rd > 0, rd, 1.0), np.nan)
        return out

    # ------------------------------------------------------------------ summary measures
    def _aged(self, t: int) -> np.ndarray:
        """BEF1 of projection year ``t`` (0-based): the stock after ageing, newborns at age 0."""
        bef1, _ = age_one_year(self.population[t], drop_oldest=self.inputs.drop_oldest)
        bef1[:, :, 0] = self.flows["births"][t]
        return bef1

    def total_fertility(self) -> tuple[np.ndarray, np.ndarray]:
        """Total fertility rate per projection year: zones (T, K) and region (T,).

        TFR is the sum over ages of the fertility rates the projection used that year,
        ``TFR_k,t = Σ_a FODRAT[a] · FR_t · FK_k · s_t`` (handbook §3.6; ``s_t`` the region
        reconciliation factor when it is on). It is computed as ``m_k,t · Σ_a FODRAT[a]`` with
        ``m_k,t = FOD[k, t] / Σ_a BEF1[k, F, a] · FODRAT[a]``, the level the births of that year
        imply, which is exactly the product above and also covers the reconciliation. The
        region's TFR uses the region's births over the region's women (a weighted mean of the
        zones' levels). With endogenous Hadwiger schedules (per zone and year, not kept) the
        level is relative to the base schedule: an approximation, equal in births. Zones
        without women get ``Σ FODRAT · FR_t · FK_k``.
        """
        inp = self.inputs
        rates = fertility_rates(inp)
        total = float(rates.sum())
        T, K = self.flows["births"].shape[:2]
        zones, region = np.empty((T, K)), np.empty(T)
        fk = np.asarray(inp.fertility_level_zone, dtype=float)
        for t in range(T):
            women = self._aged(t)[:, FEMALE, :] @ rates  # (K,)
            births = self.flows["births"][t].sum(axis=1)
            fallback = total * float(inp.fertility_level_region[t]) * fk * inp.zone_year("FR")[t]
            with np.errstate(invalid="ignore", divide="ignore"):
                zones[t] = np.where(women > 0, births / np.where(women > 0, women, 1.0) * total, fallback)
            region[t] = births.sum() / women.sum() * total if women.sum() > 0 else float(fallback.mean())
        return zones, region

    def death_probabilities_used(self) -> tuple[np.ndarray, np.ndarray]:
        """Death probabilities the projection used: zones (T, K, 2, A1) and region (T, 2, A1).

        Zones: ``min(1, DODRAT[s, a] · DR_t · DK_k)`` with the region reconciliation when it is on
        (:func:`regbef_excel.engine.mortality.death_probabilities`). Region: deaths over the
        persons at risk summed over the zones (the population-weighted mean); where no zone has
        anyone at an age, the unweighted mean of the zones.
        """
        inp = self.inputs
        T, K = self.flows["births"].shape[:2]
        A1 = self.population.shape[-1]
        zones = np.empty((T, K, 2, A1))
        region = np.empty((T, 2, A1))
        dk = np.asarray(inp.mortality_level_zone, dtype=float)
        for t in range(T):
            bef1 = self._aged(t)
            q = np.minimum(death_probabilities(bef1, np.asarray(inp.death_prob, dtype=float),
                                               float(inp.mortality_level_region[t]), dk * inp.zone_year("DR")[t],
                                               reconcile=inp.reconcile_deaths), 1.0)  # fmt: skip
            zones[t] = q
            at_risk = bef1.sum(axis=0)
            dead = (bef1 * q).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                region[t] = np.where(at_risk > 0, dead / np.where(at_risk > 0, at_risk, 1.0), q.mean(axis=0))
        return zones, region

    def life_expectancy(self) -> tuple[np.ndarray, np.ndarray]:
        """Life expectancy at birth by sex: zones (T, K, 2) and region (T, 2).

        A period life table (:func:`life_expectancy_at_birth`) of the death probabilities the
        projection used that year (:meth:`death_probabilities_used`).
        """
        zones_q, region_q = self.death_probabilities_used()
        zones = np.empty(zones_q.shape[:3])
        region = np.empty(region_q.shape[:2])
        for s in (MALE, FEMALE):
            zones[..., s] = life_expectancy_at_birth(zones_q[..., s, :], sex=s)
            region[..., s] = life_expectancy_at_birth(region_q[..., s, :], sex=s)
        return zones, region

    def pyramid(self, year: int, zone: str | None = None) -> pd.DataFrame:
        """age, male, female for one year, for a zone code or (None) the region."""
        i = int(year) - int(self.years[0])
        if not 0 <= i < len(self.years):
            raise ValueError(f"year {year} is outside {self.years[0]}–{self.years[-1]}")
        pop = self.population[i]
        if zone is not None:
            k = list(self.zone_codes).index(zone)
            pop = pop[k : k + 1]
        pop = pop.sum(axis=0)
        return pd.DataFrame({"age": np.arange(pop.shape[1]), "male": pop[0], "female": pop[1]})

    def summary(self, years: list[int] | None = None) -> pd.DataFrame:
        """Population by zone for a few years (base, 2035, horizon by default), for the CLI."""
        wide = self.total_by_zone()
        yrs = years or sorted({int(self.years[0]), min(int(self.years[0]) + 10, int(self.years[-1])), int(self.years[-1])})
        keep = [y for y in yrs if y in wide.columns]
        return wide[["zone_code", "zone_name", *keep]]


def life_expectancy_at_birth(q: np.ndarray, *, sex: int) -> np.ndarray:
    """Life expectancy at birth e0 from single-age death probabilities (last age open).

    A standard period life table (Preston, Heuveline & Guillot, *Demography*, 2001, ch. 3;
    HMD Methods Protocol, Wilmoth et al.): ``l_0 = 1``, ``l_{x+1} = l_x (1 − q_x)``,
    ``d_x = l_x q_x``, person-years ``L_x = l_x − (1 − a_x) d_x`` with ``a_x = ½`` for x ≥ 1 and
    the infant ``a_0`` of Andreev & Kingkade (2015) as used by the HMD
    (men ``0.1493 − 2.0367 q_0`` for q_0 < 0.0226, ``0.0244 + 1.8914 q_0`` below 0.0785, else
    0.2991; women ``0.1490 − 2.0867 q_0`` for q_0 < 0.0170, ``0.0438 + 4.1075 q_0`` below
    0.0658, else 0.3141). The open age group ω+ lives ``l_ω / m_ω`` years with
    ``m_ω = q_ω / (1 − ½ q_ω)`` (½ year when ``q_ω`` = 1). ``e_0 = Σ_x L_x``.

    .. math:: e_0 = \\sum_{x<\\omega} \\bigl(l_x - (1-a_x) d_x\\bigr) + l_\\omega / m_\\omega

    Parameters
    ----------
    q : (..., A1) death probabilities by single age, ages 0..ω, ω open.
    sex : 0 = male, 1 = female (for ``a_0``).

    Returns
    -------
    ndarray (...,) years.
    """
    q = np.clip(np.asarray(q, dtype=float), 0.0, 1.0)
    surv = np.cumprod(1.0 - q[..., :-1], axis=-1)
    lx = np.concatenate([np.ones(q.shape[:-1] + (1,)), surv], axis=-1)  # l_0..l_ω
    dx = lx[..., :-1] * q[..., :-1]
    q0 = q[..., 0]
    if sex == MALE:
        a0 = np.where(q0 < 0.0226, 0.1493 - 2.0367 * q0, np.where(q0 < 0.0785, 0.0244 + 1.8914 * q0, 0.2991))
    else:
        a0 = np.where(q0 < 0.0170, 0.1490 - 2.0867 * q0, np.where(q0 < 0.0658, 0.0438 + 4.1075 * q0, 0.3141))
    ax = np.full(dx.shape, 0.5)
    ax[..., 0] = a0
    person_years = (lx[..., :-1] - (1.0 - ax) * dx).sum(axis=-1)
    q_open = q[..., -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        m_open = q_open / (1.0 - 0.5 * q_open)
        open_years = np.where(q_open >= 1.0, 0.5, np.where(m_open > 0, 1.0 / np.where(m_open > 0, m_open, 1.0), 0.0))
    return person_years + lx[..., -1] * open_years
