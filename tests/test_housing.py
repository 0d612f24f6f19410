"""Housing stock, need, housing market and endogenous Hadwiger (handbook §2.5, §3.4, §3.16–3.21)."""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.housing import (
    HOUSING_AGE_LOWER,
    HadwigerRegression,
    HousingMarketParams,
    HousingStock,
    base_stock_by_period,
    building_need,
    hadwiger_coefficients,
    housing_change_index,
    housing_market_step,
    housing_need,
    housing_need_level,
    median_age,
    need_rates,
    zone_demolition_share,
)
from regbef_excel.engine.inputs import N_AGES
from regbef_excel.errors import InputError

G = len(HOUSING_AGE_LOWER)


def _civil(seed: int = 0):
    rng = np.random.default_rng(seed)
    siv = rng.dirichlet(np.ones(4), size=(2, G)) * 0.95  # shares sum to 0.95 (some live with parents)
    bol = np.empty((2, G, 4))
    bol[..., 0] = 1.0  # single: one dwelling per person
    bol[..., 1] = 1.0
    bol[..., 2] = 0.5  # couples share
    bol[..., 3] = 0.5
    return siv, bol


def _pop(K: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(5, 80, (K, 2, N_AGES))


def _distances(K: int, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (K, 2))
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, 3.0)
    return d


# ------------------------------------------------------------------ stock
def test_base_stock_by_period_formula():
    s90 = np.array([[100.0, 200, 300, 400], [10, 20, 30, 40]])
    bld = np.array([[5.0, 6, 7], [1, 1, 1]])
    avg = np.array([0.01, 0.008, 0.005, 0.003, 0.001])
    out = base_stock_by_period(s90, bld, avg, 1993)
    np.testing.assert_allclose(out[:, :4], s90 * (1 - avg[:4]) ** 3)
    np.testing.assert_allclose(out[:, 4], bld @ (1 - avg[4]) ** np.array([2, 1, 0]))
    share = zone_demolition_share(out, avg)
    np.testing.assert_allclose(share, (out @ avg) / out.sum(1))


def test_stock_identity_and_closed_form():
    K, T = 5, 12
    rng = np.random.default_rng(4)
    by_period = rng.uniform(100, 1000, (K, 5))
    avge, avgn = 0.006, 0.002
    stock = HousingStock(by_period, avge=avge, avgn=avgn)
    base = by_period.sum(1)
    builds = rng.uniform(0, 30, (T, K))
    prev = stock.total
    for t in range(T):
        yr = stock.step(builds[t])
        np.testing.assert_allclose(yr.stock, prev - yr.demolition + builds[t], rtol=1e-13)
        np.testing.assert_allclose(yr.previous, prev)
        np.testing.assert_allclose(yr.available, prev - yr.demolition)
        # handbook §3.16.1.1.1: BOLMAS_t = BOLMAS_0(1−AVGE)^t + Σ_{y<t} BOLBYG_y (1−AVGN)^(t−y)
        tt = t + 1
        closed = base * (1 - avge) ** tt + sum(builds[y] * (1 - avgn) ** (t - y) for y in range(t))
        np.testing.assert_allclose(yr.available, closed, rtol=1e-12)
        prev = yr.stock


def test_stock_by_type_and_rooms_follow_the_total():
    by_period = np.array([[60.0, 40], [30, 70], [50, 50]])
    by_type = np.array([[70.0, 30], [50, 50], [20, 80]])
    by_rooms = np.array([[10.0, 40, 50], [20, 30, 50], [30, 30, 40]])
    st = HousingStock(by_period, total=by_period.sum(1), by_type=by_type, by_rooms=by_rooms,
                      rooms_per_class=[1.0, 3.0, 5.5], avge=np.array([0.01, 0.02, 0.0]), avgn=0.005)
    np.testing.assert_allclose(st.mean_rooms(), (by_rooms @ [1, 3, 5.5]) / 100)
    other = st.copy()
    for _ in range(4):
        st.step(np.array([10.0, 0.0, 5.0]), type_shares=np.array([0.0, 1.0]),
                room_shares=np.array([0.0, 0.0, 1.0]))
        np.testing.assert_allclose(st.by_type.sum(1), st.total, rtol=1e-12)
        np.testing.assert_allclose(st.by_rooms.sum(1), st.total, rtol=1e-12)
    assert st.mean_rooms()[0] > other.mean_rooms()[0]  # big new dwellings raise DWZ
    np.testing.assert_allclose(other.total, by_period.sum(1))  # the copy is independent
    # zone-by-period demolition shares
    st2 = HousingStock(by_period, avge=np.array([[0.1, 0.0], [0.0, 0.0], [0.0, 0.5]]))
    _, dem = st2.demolish()
    np.testing.assert_allclose(dem, [6.0, 0.0, 25.0])


def test_stock_tables_must_add_up():
    by_period = np.array([[60.0, 40], [30, 70]])
    with pytest.raises(InputError, match="construction period do not sum to the total in zone 1"):
        HousingStock(by_period, total=np.array([100.0, 110.0]))
    with pytest.raises(InputError, match="house type do not sum to the total in zone 0"):
        HousingStock(by_period, by_type=np.array([[50.0, 40], [50, 50]]))
    with pytest.raises(InputError, match="rooms do not sum"):
        HousingStock(by_period, by_rooms=np.array([[50.0, 50], [50, 48]]))
    HousingStock(by_period, total=np.array([100.2, 99.8]))  # rounding of published counts is fine
    with pytest.raises(InputError, match="below 1"):
        HousingStock(by_period, avge=1.0)
    with pytest.raises(InputError, match="negative"):
        HousingStock(-by_period)


# ------------------------------------------------------------------ need
def test_housing_need_by_group_and_base_year_coverage():
    K = 4
    pop = _pop(K)
    siv, bol = _civil()
    need = housing_need(pop, siv, bol)
    ref = np.zeros(K)
    for g, lo in enumerate(HOUSING_AGE_LOWER):
        hi = HOUSING_AGE_LOWER[g + 1] if g + 1 < G else N_AGES
        for s in range(2):
            ref += pop[:, s, lo:hi].sum(1) * (siv[s, g] * bol[s, g]).sum()
    np.testing.assert_allclose(need, ref, rtol=1e-12)
    assert np.all(need_rates(siv, bol)[:, :16] == 0)
    stock = need * np.array([0.9, 1.1, 1.0, 1.3])
    br = housing_need_level(pop, siv, bol, stock)
    np.testing.assert_allclose(housing_need(pop, siv, bol, br), stock, rtol=1e-12)  # 100 % coverage
    br_region = housing_need_level(pop, siv, bol, stock, per_zone=False)
    assert housing_need(pop, siv, bol, br_region).sum() == pytest.approx(stock.sum())
    np.testing.assert_allclose(building_need([10.0, 5.0], [8.0, 9.0]), [2.0, 0.0])


def test_need_bad_inputs():
    siv, bol = _civil()
    bad = siv.copy()
    bad[1, 3] = [0.5, 0.3, 0.3, 0.1]
    with pytest.raises(InputError, match="sex 1, age group 3 sum to more than 1"):
        need_rates(bad, bol)
    with pytest.raises(InputError, match="shape of the civil-status shares"):
        need_rates(siv, bol[:, :, :3])
    pop = _pop(2)
    pop[1, :, 16:] = 0.0
    with pytest.raises(InputError, match="zone 1 has dwellings but zero housing need"):
        housing_need_level(pop, siv, bol, np.array([100.0, 50.0]))


# ------------------------------------------------------------------ market
def _market(K=6, *, capacity_scale=1.0, params=None, distances=None, seed=5, ebratin=None):
    """One housing-market year on synthetic data; ``ebratin`` maps the drawn common profile to
    the profile used (default: the common profile itself)."""
    rng = np.random.default_rng(seed)
    pop = _pop(K, seed)
    siv, bol = _civil(seed)
    rate = need_rates(siv, bol)
    need = housing_need(pop, siv, bol)
    bolmas = need * rng.uniform(0.9, 1.1, K)
    riuf = pop * 0.03
    riif = pop * rng.uniform(0.02, 0.04, (K, 1, 1))
    cap = rng.uniform(0, 40, (K, 3)) * capacity_scale
    B = 3
    prof = rng.uniform(0, 1, (2, N_AGES))
    bfrat = rng.uniform(0, 1, (B, 2, N_AGES))
    return housing_market_step(
        bolmas=bolmas, bolbeh=need, riuf=riuf, riif=riif, need_rate=rate, building_capacity=cap,
        distances=_distances(K) if distances is None else distances,
        params=params or HousingMarketParams(), ebfamin=rng.uniform(1.8, 2.4, K),
        ebratin=prof if ebratin is None else ebratin(prof),
        bffam=np.array([2.5, 2.0, 1.6]), bfrat=bfrat,
    ), cap


def test_simple_mode_realises_the_building_programme():
    res, cap = _market()
    assert res.ett.sum() >= res.til.sum()
    np.testing.assert_allclose(res.moves.sum(0), res.til, rtol=1e-9)  # all supply realised
    np.testing.assert_allclose(res.moves.sum(1), res.ett * res.til.sum() / res.ett.sum(), rtol=1e-8)
    np.testing.assert_allclose(res.bolbygg, cap.sum(1), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(res.ebr + res.lbr + res.bolbygg, res.til, rtol=1e-9)
    assert not res.warnings


def test_internal_in_equals_out_for_every_sex_and_age():
    for mode in ("simple", "advanced"):
        res, _ = _market(capacity_scale=20.0 if mode == "advanced" else 1.0,
                         params=HousingMarketParams(mode=mode))
        for a, b in ((res.iif1, res.iuf1), (res.iif2, res.iuf2), (res.iif3, res.iuf3)):
            np.testing.assert_allclose(a.sum(0), b.sum(0), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res.inf.sum(0), 0.0, atol=1e-9)
        # the migration matrix carries the same persons: rows = IUF, columns = IIF
        np.testing.assert_allclose(res.migration.sum(1), res.iuf.sum((1, 2)), rtol=1e-10)
        np.testing.assert_allclose(res.migration.sum(0), res.iif.sum((1, 2)), rtol=1e-10)
        assert np.all(np.diag(res.migration) == 0)
        assert all(np.all(x >= 0) for x in (res.iif, res.iuf, res.moves, res.bolbygg))


def test_persons_follow_family_sizes():
    res, cap = _market()
    share_stay = np.diag(res.moves) / res.moves.sum(0)
    bandel = cap / cap.sum(1, keepdims=True)
    # IIF3 (between zones) = (1 − stay share) · Σ_b BOLBYGG · BANDEL · BFFAM
    np.testing.assert_allclose(res.iif3.sum((1, 2)),
                               (1 - share_stay) * res.bolbygg * (bandel @ [2.5, 2.0, 1.6]), rtol=1e-9)


def test_unit_distances_give_the_share_model():
    K = 5
    res, _ = _market(K=K, distances=np.ones((K, K)))
    np.testing.assert_allclose(res.moves, np.outer(res.ett, res.til) / res.ett.sum(), rtol=1e-9)


def test_demand_below_supply_in_simple_mode_is_reported():
    res, _ = _market(capacity_scale=30.0)
    assert res.ett.sum() < res.til.sum()
    assert any("below supply" in w for w in res.warnings)
    np.testing.assert_allclose(res.moves.sum(1), res.ett, rtol=1e-9)
    share = res.ett.sum() / res.til.sum()
    np.testing.assert_allclose(res.moves.sum(0), res.til * share, rtol=1e-9)


def test_advanced_mode_meets_demand_and_caps_supply():
    res, _ = _market(capacity_scale=20.0, params=HousingMarketParams(mode="advanced"))
    assert res.til.sum() > res.ett.sum()
    np.testing.assert_allclose(res.moves.sum(1), res.ett, rtol=1e-9)
    col = res.moves.sum(0)
    assert np.all(col <= res.til * (1 + 1e-8))
    np.testing.assert_allclose(col[res.constrained], res.til[res.constrained], rtol=1e-9)


def test_market_bad_inputs():
    K = 4
    d = _distances(K)
    d[1, 1] = 0.0
    with pytest.raises(InputError, match="zone 1 to zone 1 must be > 0 with the power"):
        _market(K=K, distances=d)
    with pytest.raises(InputError, match="must be square"):
        _market(K=K, distances=np.ones((K, K + 1)))
    with pytest.raises(InputError, match="BOLLED is a share"):
        _market(K=K, params=HousingMarketParams(bolled=1.5))


# ------------------------------------------------------------------ endogenous Hadwiger
def test_hadwiger_coefficients_defaults_with_minus_for_lost_operators():
    a, b, c = hadwiger_coefficients(4.2, 103.0, 60.0, 29.5)
    assert a == pytest.approx(44.4 + 297.9 * 4.2 + 4.95 * 103 - 3.34 * 60)
    assert b == pytest.approx(1.05 + 0.0392 * 60 + 0.395 * 4.2 - 0.031 * 29.5)
    assert c == pytest.approx(25.75 + 0.095 * 60 - 0.465 * 4.2 - 0.0293 * 29.5 - 0.0154 * 103)
    assert 1000 < a < 2500  # per 1000 women
    assert set(HadwigerRegression.RECONSTRUCTED) == {"a_inc", "b_ma", "c_dwz", "c_ma", "c_newh"}
    a2, _, _ = hadwiger_coefficients(np.array([4.0, 4.5]), 100.0, 60.0, 30.0,
                                     HadwigerRegression(a_dwz=0.0))
    np.testing.assert_allclose(a2, 44.4 + 495 - 200.4)
    with pytest.raises(InputError, match="impossible HDWB"):
        hadwiger_coefficients(4.0, 100.0, 0.0, 200.0)


def test_median_age_and_change_index():
    f = np.zeros(N_AGES)
    f[15:45] = 10.0
    assert median_age(f) == pytest.approx(30.0)
    f2 = np.zeros((2, N_AGES))
    f2[0, 20] = 5.0  # all women aged 20 → median 20.5 (middle of the year of age)
    f2[1, 15:45] = np.arange(30)
    m = median_age(f2)
    assert m[0] == pytest.approx(20.5)
    cum = np.cumsum(np.arange(30.0))
    idx = int(np.argmax(cum >= cum[-1] / 2))
    assert m[1] == pytest.approx(15 + idx + (cum[-1] / 2 - cum[idx - 1]) / idx)
    assert np.isnan(median_age(np.zeros(N_AGES)))
    np.testing.assert_allclose(housing_change_index([103.0, 98.0], [100.0, 100.0]), [103.0, 98.0])


def test_zone_specific_in_migration_profiles():
    K = 6
    common, _ = _market(K=K)
    same, _ = _market(K=K, ebratin=lambda p: np.broadcast_to(p, (K, 2, N_AGES)))
    # the general path with the same profile in every zone equals the rank-one path
    for name in ("iif1", "iif2", "iif3", "iuf1", "iuf2", "iuf3", "migration"):
        np.testing.assert_allclose(getattr(same, name), getattr(common, name), rtol=1e-10,
                                   atol=1e-12)
    zone_prof = np.random.default_rng(9).uniform(0, 1, (K, 2, N_AGES))
    res, _ = _market(K=K, ebratin=lambda p: zone_prof)
    np.testing.assert_allclose(res.iif.sum(0), res.iuf.sum(0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.migration.sum(1), res.iuf.sum((1, 2)), rtol=1e-10)
