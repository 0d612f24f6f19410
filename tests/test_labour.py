"""Labour supply and the labour-market model (handbook §3.8, §3.14, §3.15; spec §8)."""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.inputs import N_AGES
from regbef_excel.engine.labour import (
    LabourMarketParams,
    LabourState,
    adjusted_turnover,
    expand_age_groups,
    external_inmigration,
    labour_market_step,
    labour_migration_persons,
    labour_supply,
    moving_share,
)
from regbef_excel.errors import InputError

LABOUR_GROUPS = (15, 20, 25, 30, 40, 50, 60, 67, 75)


def _pop(K: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(5, 60, (K, 2, N_AGES))


def _participation() -> np.ndarray:
    by_group = np.array([[0.35, 0.70, 0.85, 0.88, 0.88, 0.85, 0.60, 0.15, 0.02],
                         [0.38, 0.68, 0.80, 0.84, 0.86, 0.82, 0.52, 0.10, 0.01]])
    return expand_age_groups(by_group, LABOUR_GROUPS)


def _distances(K: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 200, (K, 2))
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, 4.0)
    return d


# ------------------------------------------------------------------ age groups and supply
def test_expand_age_groups():
    r = expand_age_groups(np.array([[1.0, 2.0, 3.0]]), (15, 20, 67))
    assert r.shape == (1, N_AGES)
    assert np.all(r[0, :15] == 0) and np.all(r[0, 15:20] == 1) and np.all(r[0, 20:67] == 2)
    assert np.all(r[0, 67:] == 3)  # open last group
    with pytest.raises(InputError, match="increase strictly"):
        expand_age_groups(np.ones(3), (15, 15, 20))
    with pytest.raises(InputError, match="one lower age bound per age group"):
        expand_age_groups(np.ones(3), (15, 20))


def test_labour_supply_matches_the_sum():
    pop = _pop(4)
    rat = _participation()
    yk = np.array([1.0, 0.9, 1.1, 1.05])
    yrk = labour_supply(pop, rat, 1.02, yk)
    ref = [sum(pop[k, s, a] * rat[s, a] for s in range(2) for a in range(N_AGES)) * 1.02 * yk[k]
           for k in range(4)]
    np.testing.assert_allclose(yrk, ref, rtol=1e-12)


def test_participation_above_one_after_factors_is_named():
    pop = _pop(3)
    rat = _participation()
    with pytest.raises(InputError, match=r"exceeds 1 in zone 2 \(M, age 30\)"):
        labour_supply(pop, rat, 1.1, np.array([1.0, 1.0, 1.05]))  # 0.88 × 1.1 × 1.05 > 1
    bad = rat.copy()
    bad[1, 40] = 1.2
    with pytest.raises(InputError, match="exceeds 1 in zone 0"):
        labour_supply(pop, bad)
    with pytest.raises(InputError, match="by sex × single age"):
        labour_supply(pop, rat[:, :50])


# ------------------------------------------------------------------ S-curve and turnover
def test_s_curve_continuity_and_complement():
    alfa, beta, delta = 0.4, 0.08, 50.0
    eps = 1e-9
    left, mid, right = moving_share(np.array([delta - eps, delta, delta + eps]), alfa, beta, delta)
    assert left == pytest.approx(alfa, abs=1e-9) and mid == pytest.approx(alfa)
    assert right == pytest.approx(alfa, abs=1e-9)
    # slope is continuous too: alfa·beta on both sides
    h = 1e-5
    dl = (moving_share(delta, alfa, beta, delta) - moving_share(delta - h, alfa, beta, delta)) / h
    dr = (moving_share(delta + h, alfa, beta, delta) - moving_share(delta, alfa, beta, delta)) / h
    assert dl == pytest.approx(alfa * beta, rel=1e-4) and dr == pytest.approx(alfa * beta, rel=1e-4)
    d = np.linspace(0, 500, 1001)
    afland = moving_share(d, alfa, beta, delta)
    penand = 1.0 - afland
    np.testing.assert_allclose(afland + penand, 1.0)
    assert np.all(np.diff(afland) >= 0)  # moving share rises with distance
    assert afland[0] == pytest.approx(alfa * np.exp(-beta * delta))
    assert afland[-1] == pytest.approx(2 * alfa, rel=1e-6) and np.all(afland <= 2 * alfa)
    # printed formula, both branches
    np.testing.assert_allclose(moving_share(30.0, alfa, beta, delta), alfa * np.exp(-beta * 20.0))
    np.testing.assert_allclose(moving_share(80.0, alfa, beta, delta),
                               alfa * (2 - np.exp(-beta * 30.0)))


def test_s_curve_needs_two_alfa_at_most_one():
    with pytest.raises(InputError, match="2·AFALFA ≤ 1"):
        moving_share(10.0, 0.6, 0.1, 50.0)
    with pytest.raises(InputError, match="AFALFA"):
        LabourMarketParams(afalfa=0.51).validate()


def test_turnover_is_raised_where_jobs_or_workers_fall_faster():
    tov = adjusted_turnover(0.1, jobs_prev=[100, 100, 100, 0], jobs=[95, 80, 100, 5],
                            yrk_prev=[100, 100, 100, 10], yrk=[100, 100, 70, 10])
    np.testing.assert_allclose(tov, [0.1, 0.2, 0.3, 0.1])


# ------------------------------------------------------------------ market step
def _step(K=6, job_growth=1.03, seed=2, **kw):
    rng = np.random.default_rng(seed)
    yrk_prev = rng.uniform(1000, 20000, K)
    yrk = yrk_prev * rng.uniform(0.98, 1.03, K)
    jobs_prev = yrk_prev * rng.uniform(0.8, 1.2, K)
    jobs = jobs_prev * job_growth * rng.uniform(0.97, 1.03, K)
    params = kw.pop("params", LabourMarketParams())
    state = kw.pop("state", LabourState.initial(K))
    return labour_market_step(yrk_prev, yrk, jobs_prev, jobs, _distances(K), params, state, **kw), (
        yrk_prev, yrk, jobs_prev, jobs)


@pytest.mark.parametrize("growth", [0.95, 1.0, 1.08])
def test_external_zone_balances_supply_and_demand(growth):
    res, _ = _step(job_growth=growth)
    assert res.til.sum() == pytest.approx(res.ett.sum(), rel=1e-12)
    np.testing.assert_allclose(res.flows.sum(1), res.til, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(res.flows.sum(0), res.ett, rtol=1e-9, atol=1e-9)
    assert res.external_supply == 0 or res.external_demand == 0
    if growth > 1.05:  # job surplus: workers come from outside, net labour in-migration
        assert res.external_supply > 0 and res.yntfl_region > 0
    if growth < 0.97:  # job deficit: jobs outside, net labour out-migration
        assert res.external_demand > 0 and res.yntfl_region < 0


def test_supply_and_demand_formulas():
    p = LabourMarketParams(tov=0.1, kalmin=0.05)
    kup = np.array([10.0, 0.0, 0.0])
    kip = np.array([0.0, 20.0, 0.0])
    res = labour_market_step([1000, 500, 800], [1020, 450, 800], [900, 600, 700], [950, 600, 500],
                             _distances(3), p, LabourState.initial(3), kup=kup, kip=kip)
    # zone 1 workers fall 10 % = TOV: unchanged; zone 2 jobs fall 28.6 % > TOV → TOV_2 = 2/7
    np.testing.assert_allclose(res.tov, [0.1, 0.1, 200 / 700])
    til = 0.95 * (np.array([1020, 450, 800]) - (1 - res.tov) * np.array([1000, 500, 800])) - kup
    ett = 0.95 * (np.array([950, 600, 500]) - (1 - res.tov) * np.array([900, 600, 700])) - kip
    np.testing.assert_allclose(res.til[:3], np.maximum(til, 0))
    np.testing.assert_allclose(res.ett[:3], np.maximum(ett, 0))
    assert res.til[1] == 0.0  # floored at zero
    assert res.ett[2] == pytest.approx(0.0, abs=1e-12)  # falling jobs: no vacancies, not negative


def test_internal_net_migration_and_commuting_sum_to_zero():
    res, _ = _step(K=8)
    assert res.iyaflyt.sum() == pytest.approx(0.0, abs=1e-9)
    assert res.intpend.sum() == pytest.approx(0.0, abs=1e-9)
    # IYAFLYT = net worker flow − this year's net commuting
    K = 8
    tt = res.flows[:K, :K]
    net = tt.sum(0) - tt.sum(1)
    np.testing.assert_allclose(res.iyaflyt, net - res.intpend, atol=1e-9)  # INTPEND_prev = 0
    # moving + commuting = flows off the diagonal
    off = ~np.eye(K + 1, dtype=bool)
    np.testing.assert_allclose((res.moving + res.commuting)[off], res.flows[off])


def test_intpend_carries_over_with_turnover_decay():
    p = LabourMarketParams(tov=0.2)
    r1, _ = _step(params=p)
    r2, _ = _step(params=p, state=r1.state)
    ci = r2.commuting[:6, :6]
    np.testing.assert_allclose(r2.intpend, 0.8 * r1.intpend + ci.sum(0) - ci.sum(1), atol=1e-9)
    assert r2.intpend.sum() == pytest.approx(0.0, abs=1e-8)


def test_labour_migrants_in_persons():
    K = 7
    prof = np.random.default_rng(3).uniform(0, 1, (K, 2, N_AGES))
    res, _ = _step(K=K, profile=prof, params=LabourMarketParams(arbfam=1.7))
    net = res.iaflyt
    np.testing.assert_allclose(net.sum(axis=(1, 2)), 1.7 * res.iyaflyt, atol=1e-9)
    np.testing.assert_allclose(net.sum(axis=0), 0.0, atol=1e-9)  # per sex × age
    assert np.all(res.iaflyt_in >= 0) and np.all(res.iaflyt_out >= 0)
    # a common (2, A1) profile works as well
    i2, o2 = labour_migration_persons(res.moving, 1.7, prof[0])
    np.testing.assert_allclose((i2 - o2).sum(axis=0), 0.0, atol=1e-9)


def test_external_inmigration():
    eif, short = external_inmigration(np.array([180.0, 90.0]), np.array([10.0, -80.0]), 1.8, 2.0)
    np.testing.assert_allclose(eif, [(100 + 10) * 2.0, 0.0])
    np.testing.assert_allclose(short, [0.0, 60.0])


def test_bad_inputs():
    K = 4
    d = _distances(K)
    args = (np.full(K, 100.0), np.full(K, 100.0), np.full(K, 100.0), np.full(K, 110.0))
    with pytest.raises(InputError, match="must be square"):
        labour_market_step(*args, d[:, :3], LabourMarketParams(), LabourState.initial(K))
    d0 = d.copy()
    d0[2, 2] = 0.0
    with pytest.raises(InputError, match="zone 2 to zone 2 must be > 0 with the power"):
        labour_market_step(*args, d0, LabourMarketParams(distance_function="power"),
                           LabourState.initial(K))
    with pytest.raises(InputError, match="KALMIN"):
        labour_market_step(*args, d, LabourMarketParams(kalmin=1.0), LabourState.initial(K))
    with pytest.raises(InputError, match="jobs must have one value"):
        labour_market_step(args[0], args[1], args[2], np.full(K - 1, 1.0), d, LabourMarketParams(),
                           LabourState.initial(K))
    with pytest.raises(InputError, match="EXTERNAL_DISTANCE"):
        LabourMarketParams(external_distance=(1.0, 2.0)).validate(K)


def test_precomputed_geometry_gives_the_same_year():
    from regbef_excel.engine.labour import labour_geometry

    K = 5
    p = LabourMarketParams(distance_function="power", beta=1.5, external_distance=80.0)
    af, afland = labour_geometry(_distances(K), p)
    a, _ = _step(K=K, params=p)
    b, _ = _step(K=K, params=p, af=af, afland=afland)
    np.testing.assert_allclose(a.flows, b.flows, rtol=1e-12)
    np.testing.assert_allclose(a.iyaflyt, b.iyaflyt, rtol=1e-12, atol=1e-12)
    with pytest.raises(InputError, match="external zone"):
        _step(K=K, params=p, af=af[:K, :K], afland=afland)
