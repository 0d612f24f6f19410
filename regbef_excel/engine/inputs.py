"""The validated inputs of one REGBEF projection: the contract between workbook and engine.

Both workbook adapters (openpyxl files, live Excel through xlwings) produce a
:class:`ProjectionInputs`; project generation (:mod:`regbef_excel.engine.generation`) produces one
from history; the template builder writes one into a workbook. Arrays use the handbook's
dimensions (handbook §1.1): zone k, sex s (0 = male, 1 = female), single-year age a = 0..A,
projection year t = 1..T (calendar year ``base_year + t``).

Conventions (decisions recorded in docs/model.md):

* Population is the stock on 31 December (= 1 January of the next year in SSB tables).
* Ages of flows are ages at the end of the year (the age the person has after ageing, handbook
  §3.2), so rates are indexed by that age as well.
* Zone- and region-level factors are kept separate, as in the handbook, and multiply.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Literal

import numpy as np

from regbef_excel.errors import InputError, InputErrors, Location

#: Oldest single-year age; by default the last age is an open group A+ (spec §1).
MAX_AGE = 99
N_AGES = MAX_AGE + 1
SEXES = ("M", "F")
MALE, FEMALE = 0, 1

#: Migration flows of handbook §1.2.4 / §3.15.
#: EUF external out, IUF internal out, EIFU immigration from abroad, EIFN in from rest of Norway,
#: IIF internal in.
FLOWS = ("EUF", "IUF", "EIFU", "EIFN", "IIF")
#: Flows used in rate mode (rate × population at risk); the others are distributions of a total.
RATE_FLOWS = ("EUF", "IUF")
DISTRIBUTION_FLOWS = ("EIFU", "EIFN", "IIF")
#: Zone-by-year level factors (an extension of the handbook's zone × region factors): the
#: fertility and mortality levels, the out-migration rates and the immigration and in-migration
#: persons of one zone in one year. A collected municipal template whose year factors differ from
#: year to year keeps them here, on top of the county's FK_k · FR_t.
ZONE_YEAR_KEYS = ("FR", "DR", "EUF", "IUF", "EIFU", "EIFN")

#: Rogers–Castro parameter keys in storage order (DESIGN.md). A 7-parameter schedule has the
#: last six at zero, a 9-parameter one the retirement four at zero, an 11-parameter one a4 = 0.
RC_KEYS = (
    "a1", "alpha1", "a2", "alpha2", "mu2", "lambda2", "c",
    "a3", "alpha3", "mu3", "lambda3", "a4", "lambda4",
)  # fmt: skip
N_RC = len(RC_KEYS)

FertilitySource = Literal["rates", "hadwiger"]
FERTILITY_SOURCES: tuple[str, ...] = ("rates", "hadwiger")
VARIANTS = (1, 2, 3, 4, 5, 6)

#: Zone shares (immigration) must sum to 1 within this tolerance; the engine rescales them to
#: sum exactly 1, so shares rounded to 3–4 decimals in a workbook are accepted.
SHARE_TOLERANCE = 1e-3

#: Rooms per dwelling when no rooms table is given: 4.5 (ASSUMPTION, of the order of the
#: Norwegian mean), used only by the endogenous Hadwiger option.
DEFAULT_ROOMS_PER_TYPE = 4.5

#: Default share of boys among births (SSB long-run average, ~105.8 boys per 100 girls).
DEFAULT_SHARE_BOYS = 0.514


@dataclass(frozen=True)
class Hadwiger:
    """Hadwiger fertility parameters (handbook §2.2.2). ``a`` is the TFR per woman."""

    a: float
    b: float
    c: float


#: Model variants (handbook figure list "Modellanalyse i PANDA", spec §7; reconstructed mapping).
VARIANT_NAMES = {
    1: "Trend",
    2: "Target: region + municipalities",
    3: "Target region + housing market",
    4: "Labour market + housing market",
    5: "Target region + labour market + housing market",
    6: "Target + labour market at region level",
}
TARGET, TREND = 1, 2  # MR / MK: 1 = målstyring, 2 = trend (handbook §1.2.5)
NET_MIGRATION, POPULATION, GROWTH = 1, 2, 3  # MÅLTYP
TARGET_TYPES = (NET_MIGRATION, POPULATION, GROWTH)


@dataclass
class Targets:
    """Target steering, målstyring (handbook §1.2.5, §3.9–3.10), per projection year.

    ``*_mode``: 1 = target, 2 = trend (MR, MK). ``*_type``: MÅLTYP 1 net migration (persons),
    2 total population (persons, 31 Dec), 3 growth in % from the previous year. Region arrays
    have shape (T,), zone arrays (T, K). A zone in trend mode ignores its type and value.
    """

    region_mode: np.ndarray
    region_type: np.ndarray
    region_value: np.ndarray
    zone_mode: np.ndarray
    zone_type: np.ndarray
    zone_value: np.ndarray

    @classmethod
    def trend(cls, n_years: int, n_zones: int) -> Targets:
        """No steering anywhere (every year trend)."""
        return cls(
            region_mode=np.full(n_years, TREND),
            region_type=np.full(n_years, NET_MIGRATION),
            region_value=np.zeros(n_years),
            zone_mode=np.full((n_years, n_zones), TREND),
            zone_type=np.full((n_years, n_zones), NET_MIGRATION),
            zone_value=np.zeros((n_years, n_zones)),
        )

    @property
    def any_target(self) -> bool:
        return bool(np.any(self.region_mode == TARGET) or np.any(self.zone_mode == TARGET))


@dataclass
class LabourInputs:
    """Labour supply and the labour-market model (handbook §1.2.6, §3.8, §3.14; spec §8).

    ``participation`` YRKRAT (2, G) by sex × labour age group with lower bounds ``age_lower``
    (the last group open); ``level_region`` YR_t (T,), ``level_zone`` YK_k (K,); ``jobs`` ARBPL
    (T+1, K) for the base year and every projection year; ``params`` a
    :class:`regbef_excel.engine.labour.LabourMarketParams`; ``kup``/``kip`` core out-/in-commuting
    (K,); ``profile`` (2, A1) age/sex profile of labour migrants.
    """

    participation: np.ndarray
    age_lower: tuple[int, ...]
    level_region: np.ndarray
    level_zone: np.ndarray
    jobs: np.ndarray
    params: object
    kup: np.ndarray
    kip: np.ndarray
    profile: np.ndarray


@dataclass
class HousingInputs:
    """Housing stock, need and market (handbook §2.5, §3.16–3.21; spec §9–10).

    ``stock_by_period`` (K, P) dwellings at the end of the base year by construction period
    (labels ``period_labels``); ``stock_by_type`` (K, H) by house type (labels ``type_labels``);
    ``demolition_old`` AVGE and ``demolition_new`` AVGN (K,) yearly shares; ``building`` BOLBYG
    (T, K) the building programme / capacity (dwellings completed per year);
    ``building_type_shares`` (K, H) BOLTYP; ``sivrat``/``bolrat`` (2, G, 4) civil-status shares
    and need rates by sex × housing age group (16–19, …, 80+) × civil status; ``level_region``
    BR_t (T,); ``market`` a :class:`regbef_excel.engine.housing.HousingMarketParams`;
    ``family_existing`` EBFAMIN (K,) persons per household moving into existing dwellings;
    ``family_new`` BFFAM (H,) persons per household moving into new dwellings by type;
    ``profile_new`` BFRAT (H, 2, A1) age/sex profiles of movers into new dwellings.
    """

    stock_by_period: np.ndarray
    period_labels: tuple[str, ...]
    stock_by_type: np.ndarray
    type_labels: tuple[str, ...]
    demolition_old: np.ndarray
    demolition_new: np.ndarray
    building: np.ndarray
    building_type_shares: np.ndarray
    sivrat: np.ndarray
    bolrat: np.ndarray
    level_region: np.ndarray
    market: object
    family_existing: np.ndarray
    family_new: np.ndarray
    profile_new: np.ndarray
    #: Mean rooms per dwelling of each house type (H,), for DWZ in the endogenous Hadwiger
    #: option; None = :data:`DEFAULT_ROOMS_PER_TYPE` (an assumption).
    rooms_by_type: np.ndarray | None = None


@dataclass
class ProjectionInputs:
    """Everything the REGBEF engine needs for one run (every model variant).

    Shapes: K zones, T projection years, A1 = N_AGES ages.
    """

    zone_codes: tuple[str, ...]
    zone_names: tuple[str, ...]
    base_year: int
    horizon: int
    #: BEF[k, s, a] on 31 Dec of the base year (persons), shape (K, 2, A1).
    population: np.ndarray

    # --- fertility (handbook §2.1–2.2, §3.3–3.6) -------------------------------------------
    fertility_source: FertilitySource
    #: FODRAT[a]: births per woman by age at end of year, shape (A1,), zero outside 15–49.
    fertility_rates: np.ndarray
    hadwiger: Hadwiger
    #: FR_t, shape (T,)
    fertility_level_region: np.ndarray
    #: FK_k, shape (K,)
    fertility_level_zone: np.ndarray
    share_boys: float = DEFAULT_SHARE_BOYS
    reconcile_births: bool = False

    # --- mortality (handbook §2.3, §3.7) ---------------------------------------------------
    #: DODRAT[s, a]: probability of dying during the year by age at end of year, shape (2, A1).
    death_prob: np.ndarray = field(default_factory=lambda: np.zeros((2, N_AGES)))
    #: DR_t, shape (T,)
    mortality_level_region: np.ndarray = field(default_factory=lambda: np.ones(0))
    #: DK_k, shape (K,)
    mortality_level_zone: np.ndarray = field(default_factory=lambda: np.ones(0))
    reconcile_deaths: bool = False

    # --- migration (handbook §2.4, §3.15) --------------------------------------------------
    #: Rogers–Castro parameters per flow: shape (K, 2, N_RC), keys RC_KEYS.
    rc_params: Mapping[str, np.ndarray] = field(default_factory=dict)
    #: Region level factor per flow and year: shape (T,) (EUF, IUF: rate multipliers).
    migration_level_region: Mapping[str, np.ndarray] = field(default_factory=dict)
    #: Zone level factor per flow: shape (K,).
    migration_level_zone: Mapping[str, np.ndarray] = field(default_factory=dict)
    #: EIFU_t: immigration from abroad to the region per year, shape (T,).
    immigration_total: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: EIFUAND_k: zone shares of immigration, shape (K,), sums to 1.
    immigration_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: EIFN_k: in-migration from the rest of Norway per zone (persons/year), shape (K,);
    #: multiplied by ``migration_level_region['EIFN'][t]``.
    domestic_inmigration: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: RINF_k: trend net internal migration per zone (persons/year), shape (K,) (handbook §3.11).
    internal_net_trend: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Zone-by-year factors, key in :data:`ZONE_YEAR_KEYS` -> shape (T, K), multiplying the zone
    #: and region factors of that component; a missing key is 1 everywhere.
    zone_year_factors: Mapping[str, np.ndarray] = field(default_factory=dict)
    #: Optional multipliers of in-migration from the rest of Norway by year and age (T, A1):
    #: in-migration as a rate of a reference population at some ages (project generation's
    #: ``elderly_inmigration="rates"``). None = the period-mean counts (handbook).
    inmigration_age_level: np.ndarray | None = None

    # --- steering, labour, housing, distances --------------------------------------
    #: Målstyring; None = trend everywhere.
    targets: Targets | None = None
    #: Labour supply / labour-market inputs; None = no labour supply reported, variants 4–6
    #: unavailable.
    labour: LabourInputs | None = None
    #: Housing inputs; None = no housing reported, variants 3–5 unavailable.
    housing: HousingInputs | None = None
    #: Distances between zones in km (K, K); the diagonal is the intra-zone distance (> 0).
    distances: np.ndarray | None = None
    #: Endogenous Hadwiger coefficients (handbook §3.4; reconstructed, off by default): the
    #: regression coefficients (a :class:`regbef_excel.engine.housing.HadwigerRegression`) and
    #: the income indicator INC (T, K). Needs ``housing``.
    endogenous_hadwiger: bool = False
    hadwiger_regression: object | None = None
    income: np.ndarray | None = None

    # --- options ----------------------------------------------------------------------------
    variant: int = 1
    #: PANDA drops people older than MAX_AGE (handbook §3.2); default keeps an open group.
    drop_oldest: bool = False

    # ------------------------------------------------------------------------------------------
    @property
    def n_zones(self) -> int:
        return len(self.zone_codes)

    @property
    def n_years(self) -> int:
        return self.horizon - self.base_year

    @property
    def years(self) -> np.ndarray:
        """Projection years (calendar), shape (T,)."""
        return np.arange(self.base_year + 1, self.horizon + 1)

    def replace(self, **changes) -> ProjectionInputs:
        return replace(self, **changes)

    def zone_year(self, key: str) -> np.ndarray:
        """The zone-by-year factor of ``key`` (T, K); ones when not given."""
        f = self.zone_year_factors.get(key)
        return np.ones((self.n_years, self.n_zones)) if f is None else np.asarray(f, dtype=float)

    def copy(self) -> ProjectionInputs:
        """A deep copy (scenarios change a copy, never the original)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                v = v.copy()
            elif isinstance(v, Mapping):
                v = {k: np.array(x, dtype=float, copy=True) for k, x in v.items()}
            else:
                v = copy.deepcopy(v)
            out[f.name] = v
        return ProjectionInputs(**out)

    def validate(self) -> ProjectionInputs:
        """Check shapes and value ranges; raise :class:`InputErrors` listing every problem.

        The workbook reader checks cell-level problems with sheet/cell locations first; this is
        the engine's own guard for inputs built in Python.
        """
        errs: list[InputError] = []
        K, T = self.n_zones, self.n_years

        def err(msg: str, where: str, found=None, expected=None) -> None:
            errs.append(InputError(msg, location=Location(table=where), found=found, expected=expected))

        if K < 1:
            err("no zones", "zones")
        if len(self.zone_names) != K:
            err("zone names and codes differ in number", "zones", len(self.zone_names), str(K))
        if len(set(self.zone_codes)) != K:
            err("duplicate zone codes", "zones")
        if T < 1:
            err("horizon must be after the base year", "settings", self.horizon, f"> {self.base_year}")
        if self.variant not in VARIANTS:
            err("unknown model variant", "settings", self.variant, "1..6")
        if self.fertility_source not in FERTILITY_SOURCES:
            err("unknown fertility source", "settings", self.fertility_source, " or ".join(FERTILITY_SOURCES))

        def shape(name: str, arr, want: tuple[int, ...]) -> bool:
            a = np.asarray(arr)
            if a.shape != want:
                err(f"{name} has the wrong shape", name, a.shape, str(want))
                return False
            if not np.all(np.isfinite(a)):
                err(f"{name} has missing or non-numeric values", name)
                return False
            return True

        if shape("population", self.population, (K, 2, N_AGES)) and np.any(self.population < 0):
            err("negative population", "population", float(self.population.min()), ">= 0")
        if shape("fertility_rates", self.fertility_rates, (N_AGES,)) and np.any(self.fertility_rates < 0):
            err("negative fertility rate", "fertility_rates")
        for name in ("fertility_level_region", "mortality_level_region"):
            if shape(name, getattr(self, name), (T,)) and np.any(getattr(self, name) < 0):
                err("negative level factor", name)
        for name in ("fertility_level_zone", "mortality_level_zone"):
            if shape(name, getattr(self, name), (K,)) and np.any(getattr(self, name) < 0):
                err("negative level factor", name)
        if not 0 < self.share_boys < 1:
            err("share of boys must be between 0 and 1", "settings", self.share_boys, "0 < x < 1")
        for key, f in self.zone_year_factors.items():
            if key not in ZONE_YEAR_KEYS:
                err("unknown zone-by-year factor", "zone_year_factors", key, ", ".join(ZONE_YEAR_KEYS))
            elif shape(f"zone_year_factors[{key}]", f, (T, K)) and np.any(np.asarray(f) < 0):
                err("negative zone-by-year factor", "zone_year_factors")
        dk_worst = np.asarray(self.mortality_level_zone, dtype=float)
        dr_zone = np.asarray(self.zone_year_factors.get("DR", np.ones((1, 0))), dtype=float)
        if dr_zone.ndim == 2 and dr_zone.shape[0] > 0 and dr_zone.shape[1] == dk_worst.size == K \
                and np.all(np.isfinite(dr_zone)):  # fmt: skip
            dk_worst = dk_worst * dr_zone.max(axis=0)
        if shape("death_prob", self.death_prob, (2, N_AGES)):
            if np.any(self.death_prob < 0) or np.any(self.death_prob > 1):
                err("death probabilities outside 0–1", "death_prob")
            else:
                worst = self.death_prob[None, :, :] * self.mortality_level_region.max(initial=1.0) * dk_worst.reshape(
                    -1, 1, 1
                )
                if np.any(worst > 1):
                    err("death probability × level factors exceeds 1", "mortality_level_zone")
                # The region factor alone too: region reconciliation scales towards
                # Σ BEF1·DODRAT·DR_t, which must not exceed the persons at risk.
                if np.any(self.death_prob * np.max(self.mortality_level_region, initial=0.0) > 1):
                    err("death probability × region factor DR exceeds 1", "mortality_level_region")
        for flow in FLOWS:
            if flow not in self.rc_params:
                err(f"Rogers–Castro parameters for {flow} missing", "rc_params")
                continue
            if shape(f"rc_params[{flow}]", self.rc_params[flow], (K, 2, N_RC)) and np.any(
                np.asarray(self.rc_params[flow]) < 0
            ):
                err(f"negative Rogers–Castro parameter for {flow}", "rc_params")
        for flow in ("EUF", "IUF", "EIFN"):
            if flow not in self.migration_level_region:
                err(f"region level factors for {flow} missing", "migration_level_region")
            elif shape(f"migration_level_region[{flow}]", self.migration_level_region[flow], (T,)) and np.any(
                np.asarray(self.migration_level_region[flow]) < 0
            ):
                err(f"negative level factor for {flow}", "migration_level_region")
        for flow in ("EUF", "IUF"):
            if flow not in self.migration_level_zone:
                err(f"zone level factors for {flow} missing", "migration_level_zone")
            elif shape(f"migration_level_zone[{flow}]", self.migration_level_zone[flow], (K,)) and np.any(
                np.asarray(self.migration_level_zone[flow]) < 0
            ):
                err(f"negative level factor for {flow}", "migration_level_zone")
        if shape("immigration_total", self.immigration_total, (T,)) and np.any(self.immigration_total < 0):
            err("negative immigration total", "immigration_total")
        if shape("immigration_share", self.immigration_share, (K,)):
            if np.any(self.immigration_share < 0) or abs(self.immigration_share.sum() - 1) > SHARE_TOLERANCE:
                err("immigration shares must be >= 0 and sum to 1", "immigration_share",
                    round(float(self.immigration_share.sum()), 6), "1")
        if shape("domestic_inmigration", self.domestic_inmigration, (K,)) and np.any(self.domestic_inmigration < 0):
            err("negative in-migration from the rest of Norway", "domestic_inmigration")
        shape("internal_net_trend", self.internal_net_trend, (K,))
        if self.inmigration_age_level is not None and shape(
            "inmigration_age_level", self.inmigration_age_level, (T, N_AGES)
        ) and not np.all(np.asarray(self.inmigration_age_level) >= 0):
            err("negative in-migration age level", "inmigration_age_level")
        if errs:
            raise InputErrors(errs)
        return self
