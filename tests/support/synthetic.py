"""Synthetic but realistic REGBEF inputs of any size, for tests and benchmarks.

Nothing here is data: the schedules are textbook-shaped (a Rogers–Castro labour-force peak
around 22, a Hadwiger fertility schedule with TFR 1.5, Gompertz-like mortality), scaled to
Norwegian orders of magnitude. Used by property tests and ``bench/``.
"""

from __future__ import annotations

import numpy as np

from regbef_excel.engine.fertility import hadwiger_rates
from regbef_excel.engine.inputs import N_AGES, N_RC, RC_KEYS, Hadwiger, ProjectionInputs

#: A typical out-migration schedule (probabilities), in RC_KEYS order (13-parameter storage).
TYPICAL_RC = {
    "a1": 0.02, "alpha1": 0.10, "a2": 0.06, "alpha2": 0.10, "mu2": 21.0, "lambda2": 0.40,
    "c": 0.003, "a3": 0.0005, "alpha3": 0.60, "mu3": 67.0, "lambda3": 0.30, "a4": 0.0, "lambda4": 0.0,
}  # fmt: skip


def typical_rc_array(scale: float = 1.0) -> np.ndarray:
    arr = np.array([TYPICAL_RC[k] for k in RC_KEYS])
    for k in ("a1", "a2", "c", "a3"):
        arr[RC_KEYS.index(k)] *= scale
    return arr


def gompertz_death_prob() -> np.ndarray:
    """(2, A1) death probabilities of a Norwegian-like life table (e0 ≈ 81/84)."""
    ages = np.arange(N_AGES, dtype=float)
    out = np.empty((2, N_AGES))
    for s, (a, b) in enumerate([(2.5e-5, 0.098), (1.4e-5, 0.102)]):
        mu = a * np.exp(b * ages) + 2e-4
        mu[0] = 0.002 * 0.85
        out[s] = 1 - np.exp(-mu)
    return np.minimum(out, 0.6)


def synthetic_inputs(n_zones: int = 5, n_years: int = 10, *, seed: int = 0, base_year: int = 2025) -> ProjectionInputs:
    """Random valid inputs: populations of 500–50 000 per zone, realistic schedules."""
    rng = np.random.default_rng(seed)
    K, T = n_zones, n_years
    ages = np.arange(N_AGES)
    shape = np.exp(-((ages - 40) / 35.0) ** 2) + 0.05
    size = rng.uniform(500, 50_000, K)
    pop = size[:, None, None] * shape[None, None, :] / shape.sum() / 2 * rng.uniform(0.9, 1.1, (K, 2, N_AGES))
    rc = {}
    for flow, scale in (("EUF", 0.6), ("IUF", 0.4), ("EIFU", 1.0), ("EIFN", 1.0), ("IIF", 1.0)):
        p = np.broadcast_to(typical_rc_array(scale), (K, 2, N_RC)).copy()
        p[..., RC_KEYS.index("mu2")] += rng.uniform(-2, 2, (K, 2))
        rc[flow] = p
    share = rng.dirichlet(np.ones(K))
    net = rng.normal(0, 30, K)
    net -= net.mean()
    return ProjectionInputs(
        zone_codes=tuple(f"Z{k + 1:03d}" for k in range(K)),
        zone_names=tuple(f"Sone {k + 1}" for k in range(K)),
        base_year=base_year,
        horizon=base_year + T,
        population=pop,
        fertility_source="rates",
        fertility_rates=hadwiger_rates(1.5, 3.5, 31.0),
        hadwiger=Hadwiger(1.5, 3.5, 31.0),
        fertility_level_region=np.ones(T),
        fertility_level_zone=rng.uniform(0.8, 1.2, K),
        death_prob=gompertz_death_prob(),
        mortality_level_region=np.ones(T),
        mortality_level_zone=rng.uniform(0.9, 1.1, K),
        rc_params=rc,
        migration_level_region={f: np.ones(T) for f in ("EUF", "IUF", "EIFN")},
        migration_level_zone={f: rng.uniform(0.8, 1.2, K) for f in ("EUF", "IUF")},
        immigration_total=np.full(T, 0.008 * size.sum()),
        immigration_share=share,
        domestic_inmigration=0.02 * size,
        internal_net_trend=net,
    )


def add_labour_housing(inp: ProjectionInputs, *, seed: int = 0) -> ProjectionInputs:
    """Add distances, labour and housing inputs to synthetic inputs, in place."""
    from regbef_excel.engine.housing import (
        HOUSING_AGE_LOWER,
        HousingMarketParams,
        housing_need,
        need_rates,
    )
    from regbef_excel.engine.inputs import HousingInputs, LabourInputs
    from regbef_excel.engine.labour import LabourMarketParams, expand_age_groups, labour_supply

    rng = np.random.default_rng(seed)
    K, T = inp.n_zones, inp.n_years
    xy = rng.uniform(0, 150, (K, 2))
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(d, 5.0)
    inp.distances = d
    age_lower = (15, 20, 25, 30, 40, 50, 55, 60, 62, 67, 70, 75)
    part = np.array(
        [[0.35, 0.72, 0.86, 0.90, 0.90, 0.88, 0.84, 0.72, 0.50, 0.20, 0.08, 0.0],
         [0.38, 0.70, 0.82, 0.85, 0.87, 0.85, 0.80, 0.66, 0.42, 0.15, 0.05, 0.0]]
    )  # fmt: skip
    yrk0 = labour_supply(inp.population, expand_age_groups(part, age_lower))
    jobs = yrk0[None, :] * np.cumprod(np.full((T + 1, K), 1.0) + rng.normal(0.0, 0.01, (T + 1, K)), axis=0)
    ages = np.arange(N_AGES)
    profile = np.exp(-((ages - 30) / 10.0) ** 2)[None, :].repeat(2, axis=0) + 0.01
    inp.labour = LabourInputs(
        participation=part, age_lower=age_lower, level_region=np.ones(T), level_zone=np.ones(K),
        jobs=jobs, params=LabourMarketParams(), kup=np.zeros(K), kip=np.zeros(K),
        profile=profile / profile.sum(),
    )  # fmt: skip
    G = len(HOUSING_AGE_LOWER)
    siv = np.zeros((2, G, 4))
    married = np.clip(np.linspace(0.0, 0.7, G), 0, 0.65)
    siv[:, :, 0] = 1 - married - 0.1
    siv[:, :, 1] = 0.1
    siv[:, :, 2] = married * 0.6
    siv[:, :, 3] = married * 0.4
    bol = np.tile(np.array([0.9, 0.9, 0.5, 0.5]), (2, G, 1))
    bol[:, 0, :] *= 0.2
    need0 = housing_need(inp.population, siv, bol)
    stock = need0 * rng.uniform(0.95, 1.05, K)
    by_period = np.stack([stock * 0.6, stock * 0.4], axis=1)
    by_type = np.stack([stock * 0.5, stock * 0.3, stock * 0.2], axis=1)
    _ = need_rates(siv, bol)
    prof_new = np.broadcast_to(profile / profile.sum(), (3, 2, N_AGES)).copy()
    inp.housing = HousingInputs(
        stock_by_period=by_period, period_labels=("før 1990", "1990–"), stock_by_type=by_type,
        type_labels=("enebolig", "småhus", "blokk"), demolition_old=np.full(K, 0.003),
        demolition_new=np.zeros(K), building=np.outer(np.ones(T), 0.008 * stock),
        building_type_shares=np.tile([0.4, 0.3, 0.3], (K, 1)), sivrat=siv, bolrat=bol,
        level_region=np.ones(T), market=HousingMarketParams(), family_existing=np.full(K, 1.9),
        family_new=np.array([2.6, 2.1, 1.6]), profile_new=prof_new,
    )  # fmt: skip
    return inp
