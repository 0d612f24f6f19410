"""Municipal templates that agree with their county: generation of the county, its projection,
and one-municipality inputs that carry the county context.

A one-zone workbook sees the rest of the county as "outside": out-migrants to the other
municipalities leave the region (EUF) and in-migrants from them arrive from the rest of Norway
(EIFN). Generated alone, a municipality's split of its flows and its level factors differ from
the county's, and its template contradicts the county projection (Notodden 2050: +7 %). Here a
municipality's template is cut from the county instead:

* the county is generated as one region (for Telemark with the default years exactly as the
  ``demo``; any other county or years from SSB stocks by the residual method, as ``templates
  --per region``) and projected (model variant 1);
* the municipality keeps the county's fertility, mortality, immigration and out-migration
  parameters;
* **out-flows to the other municipalities** (IUF, a rate) are added to the out-migration rate
  EUF: generation fits EUF and IUF on the same observed rates split by a share, so their
  Rogers–Castro shape parameters agree and the sum is one schedule with summed amplitudes (when
  they do not agree, e.g. after hand edits, the summed rate curve is re-fitted, 13 parameters);
  IUF is switched off (zone factor 0);
* **in-flows from the other municipalities** as the county run projects them, year by year,
  are added to EIFN: its total is the mean over the projection of EIFN + IIF, its year factor
  EIFN_R the year's ratio to that mean, its age profile a 13-parameter Rogers–Castro fit of
  the combined in-flows (weights 1/expected count, as generation's in-migration profiles).

The template run unchanged reproduces the municipality in the county run within 0.2 % in every
year (Telemark, measured by ``tests/test_journeys_county.py``; README).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from regbef_excel import data
from regbef_excel.data import DEFAULT_BASE_YEAR, DEFAULT_ESTIMATION_YEARS, DEFAULT_HORIZON
from regbef_excel.data.inputs import (
    DEMO_BASE_YEAR,
    TELEMARK,
    add_telemark_labour_housing,
    national_rates,
    telemark_history,
    telemark_inputs,
)
from regbef_excel.engine import Projection, ProjectionInputs, project
from regbef_excel.engine.generation import GenerationReport, History, generate
from regbef_excel.engine.inputs import N_AGES, RC_KEYS, HousingInputs, LabourInputs
from regbef_excel.engine.migration import fit_rogers_castro_many, rc_schedule
from regbef_excel.evaluation.backtest import history_from_stocks

#: Rogers–Castro amplitudes (the parameters that scale a schedule); the others set its shape.
AMPLITUDES = tuple(RC_KEYS.index(k) for k in ("a1", "a2", "c", "a3", "a4"))
SHAPES = tuple(i for i in range(len(RC_KEYS)) if i not in AMPLITUDES)
CONTEXT_PARAMS = 13
AGES = np.arange(N_AGES, dtype=float)


@dataclass
class CountyRun:
    """A county generated as one region and projected: the source of its municipal templates."""

    county_code: str
    county_name: str
    inputs: ProjectionInputs
    report: GenerationReport
    history: History
    projection: Projection
    #: zone code -> (EIFN profile parameters (2, 13), fit SSE (2,)) of the combined in-flows
    in_profiles: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def index(self, code: str) -> int:
        return self.inputs.zone_codes.index(code)


def county_of(code: str) -> tuple[str, str]:
    """(county code, county name) of a municipality."""
    m = data.municipalities().set_index("municip_code")
    return str(m.loc[code, "county_code"]), str(m.loc[code, "county_name"])


def county_name(county_code: str) -> str:
    m = data.municipalities()
    return str(m.loc[m["county_code"] == county_code, "county_name"].iloc[0])


def is_demo_generation(county_code: str, base_year: int, estimation_years: int) -> bool:
    """Telemark with the demo's base year and estimation period: the demo's own generation
    (real migration by age 2016–2025) instead of the residual method."""
    return county_code == TELEMARK and base_year == DEMO_BASE_YEAR and estimation_years == DEFAULT_ESTIMATION_YEARS


def generate_county(
    county_code: str,
    *,
    base_year: int = DEFAULT_BASE_YEAR,
    horizon: int = DEFAULT_HORIZON,
    estimation_years: int = DEFAULT_ESTIMATION_YEARS,
) -> tuple[ProjectionInputs, GenerationReport, History]:
    """Generate a county as one region, its municipalities as zones."""
    national = national_rates()
    name = county_name(county_code)
    if is_demo_generation(county_code, base_year, estimation_years):
        inputs, report = telemark_inputs(base_year, horizon)
        # the demo's dwellings (SSB), building programme, labour supply and distances, so the
        # municipal templates carry a housing stock and a building programme to edit
        add_telemark_labour_housing(inputs)
        return inputs, report, telemark_history()
    first = base_year - estimation_years + 1
    history = history_from_stocks(data.municipality_codes(county_code), first, base_year, national)
    history = replace(history, region_name=f"{county_code} {name}")
    inputs, report = generate(history, national, base_year=base_year, horizon=horizon)
    return inputs, report, history


@lru_cache(maxsize=4)
def _county_run(county_code: str, base_year: int, horizon: int, estimation_years: int) -> CountyRun:
    inputs, report, history = generate_county(county_code, base_year=base_year, horizon=horizon,
                                              estimation_years=estimation_years)  # fmt: skip
    projection = project(inputs)
    run = CountyRun(county_code, county_name(county_code), inputs, report, history, projection)
    run.in_profiles = _in_profiles(inputs, projection)
    return run


def county_run(
    county_code: str,
    *,
    base_year: int = DEFAULT_BASE_YEAR,
    horizon: int = DEFAULT_HORIZON,
    estimation_years: int = DEFAULT_ESTIMATION_YEARS,
) -> CountyRun:
    """The county's generation and trend projection (cached: templates and collect share it)."""
    return _county_run(str(county_code), int(base_year), int(horizon), int(estimation_years))


def _in_profiles(inputs: ProjectionInputs, projection: Projection) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """13-parameter Rogers–Castro fits of each zone's in-flows from the rest of Norway plus
    from the other zones, summed over the projection (per sex)."""
    K, T = inputs.n_zones, inputs.n_years
    comb = (projection.flows["EIFN"] + projection.flows["IIF"]).sum(axis=0)  # (K, 2, A1)
    total = comb.sum(axis=(1, 2))
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    has_iif = projection.flows["IIF"].sum(axis=(0, 2, 3)) > 0
    ks = [k for k in range(K) if has_iif[k] and total[k] > 0]
    if not ks:
        return out
    prof = comb[ks] / total[ks, None, None]
    rates = prof.reshape(len(ks) * 2, N_AGES)
    floor = (0.05 / np.maximum(total[ks] / T, 1.0)).repeat(2)[:, None]  # a twentieth of a person a year
    w = 1.0 / np.maximum(rates, floor)
    w = w / w.max(axis=1, keepdims=True)
    fit = fit_rogers_castro_many(AGES, rates, n_params=CONTEXT_PARAMS, weights=w)
    params = np.asarray(fit.params).reshape(len(ks), 2, len(RC_KEYS))
    sse = np.asarray(fit.sse).reshape(len(ks), 2)
    for j, k in enumerate(ks):
        out[inputs.zone_codes[k]] = (params[j], sse[j])
    return out


def _combined_out_rate(inputs: ProjectionInputs, k: int) -> np.ndarray:
    """EUF parameters (2, 13) of zone k whose schedule is EUF + IUF at the zone's level factors
    (relative to the EUF region factor of the first year)."""
    e = np.asarray(inputs.rc_params["EUF"][k], float).copy()
    i = np.asarray(inputs.rc_params["IUF"][k], float)
    le = float(np.asarray(inputs.migration_level_region.get("EUF", [1.0]))[0])
    li = float(np.asarray(inputs.migration_level_region.get("IUF", [1.0]))[0])
    ke = float(inputs.migration_level_zone["EUF"][k])
    ki = float(inputs.migration_level_zone["IUF"][k])
    wi = ki * li / le if le > 0 else 0.0
    if np.allclose(e[:, SHAPES], i[:, SHAPES], rtol=1e-6, atol=1e-9) or not np.any(i[:, AMPLITUDES]):
        e[:, AMPLITUDES] = e[:, AMPLITUDES] * ke + i[:, AMPLITUDES] * wi
        return e
    rates = np.clip(rc_schedule(e, AGES), 0, None) * ke + np.clip(rc_schedule(i, AGES), 0, None) * wi
    fit = fit_rogers_castro_many(AGES, rates, n_params=CONTEXT_PARAMS)
    return np.asarray(fit.params)


def zone_housing(housing: HousingInputs | None, k: int) -> HousingInputs | None:
    """Zone k's housing inputs: its stock, demolition, building programme and household size;
    the county-wide need rates, house types, periods and market parameters unchanged."""
    if housing is None:
        return None
    s = slice(k, k + 1)
    return replace(
        housing,
        stock_by_period=np.asarray(housing.stock_by_period, float)[s].copy(),
        stock_by_type=np.asarray(housing.stock_by_type, float)[s].copy(),
        demolition_old=np.asarray(housing.demolition_old, float)[s].copy(),
        demolition_new=np.asarray(housing.demolition_new, float)[s].copy(),
        building=np.asarray(housing.building, float)[:, s].copy(),
        building_type_shares=np.asarray(housing.building_type_shares, float)[s].copy(),
        family_existing=np.asarray(housing.family_existing, float)[s].copy(),
    )


def zone_labour(labour: LabourInputs | None, k: int) -> LabourInputs | None:
    """Zone k's labour inputs (its level factor, jobs and core commuting; shared rates)."""
    if labour is None:
        return None
    s = slice(k, k + 1)
    return replace(
        labour,
        level_zone=np.asarray(labour.level_zone, float)[s].copy(),
        jobs=np.asarray(labour.jobs, float)[:, s].copy(),
        kup=np.asarray(labour.kup, float)[s].copy(),
        kip=np.asarray(labour.kip, float)[s].copy(),
    )


def municipal_inputs(run: CountyRun, code: str) -> ProjectionInputs:
    """The one-municipality inputs of ``code`` with the county context (see the module notes)."""
    inp = run.inputs
    k = run.index(code)
    s = slice(k, k + 1)
    T = inp.n_years
    flows = run.projection.flows
    in_total = flows["EIFN"][:, k].sum(axis=(1, 2)) + flows["IIF"][:, k].sum(axis=(1, 2))
    mean_in = float(in_total.mean())
    eifn_year = in_total / mean_in if mean_in > 0 else np.ones(T)
    rc = {f: np.asarray(p[s], float).copy() for f, p in inp.rc_params.items()}
    rc["EUF"] = _combined_out_rate(inp, k)[None]
    if code in run.in_profiles:
        rc["EIFN"] = run.in_profiles[code][0][None].copy()
    share = np.asarray(inp.immigration_share, float)
    share = share / share.sum() if share.sum() > 0 else np.full(inp.n_zones, 1 / inp.n_zones)
    region = {
        "EUF": np.asarray(inp.migration_level_region.get("EUF", np.ones(T)), float).copy(),
        "IUF": np.asarray(inp.migration_level_region.get("IUF", np.ones(T)), float).copy(),
        "EIFN": eifn_year,
    }
    return inp.replace(
        zone_codes=inp.zone_codes[s],
        zone_names=inp.zone_names[s],
        population=inp.population[s].copy(),
        fertility_level_zone=np.asarray(inp.fertility_level_zone)[s].copy(),
        mortality_level_zone=np.asarray(inp.mortality_level_zone)[s].copy(),
        rc_params=rc,
        migration_level_region=region,
        migration_level_zone={"EUF": np.ones(1), "IUF": np.zeros(1)},
        immigration_total=np.asarray(inp.immigration_total, float) * float(share[k]),
        immigration_share=np.ones(1),
        domestic_inmigration=np.array([mean_in]),
        internal_net_trend=np.zeros(1),
        targets=None,
        housing=zone_housing(inp.housing, k),
        labour=zone_labour(inp.labour, k),
        distances=None if inp.distances is None else np.asarray(inp.distances, float)[s, s].copy(),
    ).validate()


def zone_history(history: History, code: str) -> History:
    """The one-zone :class:`History` of ``code`` (its stocks and gross flows)."""
    k = history.zone_codes.index(code)
    s = slice(k, k + 1)
    return replace(
        history,
        zone_codes=history.zone_codes[s], zone_names=history.zone_names[s],
        population={y: a[s] for y, a in history.population.items()},
        out_by_age=history.out_by_age[:, s], in_by_age=history.in_by_age[:, s],
        internal_out_share=np.zeros(1), internal_in_share=np.zeros(1),
        abroad_out_share=history.abroad_out_share[s], abroad_in_share=history.abroad_in_share[s],
    )  # fmt: skip


def consistency(run: CountyRun, codes: list[str] | None = None) -> dict[str, np.ndarray]:
    """Relative difference (template run − county run) / county run per year, per municipality."""
    out = {}
    for code in codes or list(run.inputs.zone_codes):
        k = run.index(code)
        one = project(municipal_inputs(run, code))
        a = one.population.sum(axis=(2, 3))[:, 0]
        b = run.projection.population[:, k].sum(axis=(1, 2))
        out[code] = a / b - 1
    return out


__all__ = [
    "CountyRun", "consistency", "county_name", "county_of", "county_run", "generate_county",
    "is_demo_generation", "municipal_inputs", "zone_history", "zone_housing", "zone_labour",
]  # fmt: skip
