"""The result of a projection: arrays plus tidy tables for the workbook writer (spec §13)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regbef_excel.engine.allocation import allocate_internal_migration
from regbef_excel.engine.inputs import SEXES, ProjectionInputs

#: Service-planning age groups (spec §13): label -> (first age, last age inclusive).
#: 0 (health-station), 1–5 kindergarten, 6–12 primary, 13–15 lower secondary, 16–18 upper
#: secondary, 19–66 working age, 67–79, 80–89, 90+ elderly care.
SERVICE_AGE_GROUPS: dict[str, tuple[int, int]] = {
    "0": (0, 0),
    "1-5": (1, 5),
    "6-12": (6, 12),
    "13-15": (13, 15),
    "16-18": (16, 18),
    "19-66": (19, 66),
    "67-79": (67, 79),
    "80-89": (80, 89),
    "90+": (90, 10_000),
}

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

    def age_groups(self, groups: dict[str, tuple[int, int]] | None = None) -> pd.DataFrame:
        """Population in service-planning age groups: zone_code, zone_name, year, group, population."""
        groups = groups or SERVICE_AGE_GROUPS
        by_age = self.population.sum(axis=2)  # (T+1, K, A1)
        A1 = by_age.shape[2]
        cols = []
        for lo, hi in groups.values():
            cols.append(by_age[:, :, lo : min(hi, A1 - 1) + 1].sum(axis=2))
        arr = np.stack(cols, axis=2)  # (T+1, K, G)
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
