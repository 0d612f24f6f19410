"""Engine pieces: Hadwiger, ageing, births, deaths, flows (handbook §3.2–3.7, §3.15, §3.22)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from regbef_excel.engine.ageing import age_one_year
from regbef_excel.engine.fertility import births, hadwiger, hadwiger_rates, split_births
from regbef_excel.engine.flows import internal_inflow, normalise, outflows
from regbef_excel.engine.mortality import deaths


# ---------------------------------------------------------------- Hadwiger (handbook §2.2.2)
@pytest.mark.parametrize("a,b,c", [(1.5, 3.5, 31.0), (1.9, 2.8, 28.0), (1700.0, 4.0, 30.5)])
def test_hadwiger_is_a_times_inverse_gaussian(a, b, c):
    # scipy's invgauss(mu, scale): mean = mu*scale, shape lambda = scale. Ours: mean c, shape 2b²c.
    lam = 2 * b * b * c
    x = np.linspace(10, 60, 101)
    ref = a * stats.invgauss.pdf(x, mu=c / lam, scale=lam)
    np.testing.assert_allclose(hadwiger(x, a, b, c), ref, rtol=1e-12)


@pytest.mark.parametrize("a,b,c", [(1.5, 3.5, 31.0), (1.9, 2.8, 28.0)])
def test_hadwiger_moments(a, b, c):
    total, _ = integrate.quad(lambda x: hadwiger(np.array([x]), a, b, c)[0], 0, 200, limit=200)
    mean, _ = integrate.quad(lambda x: x * hadwiger(np.array([x]), a, b, c)[0] / a, 0, 200, limit=200)
    var, _ = integrate.quad(lambda x: (x - c) ** 2 * hadwiger(np.array([x]), a, b, c)[0] / a, 0, 200, limit=200)
    assert total == pytest.approx(a, rel=1e-6)
    assert mean == pytest.approx(c, rel=1e-6)  # the mean age is c exactly
    assert np.sqrt(var) == pytest.approx(c / (b * np.sqrt(2)), rel=1e-6)


def test_hadwiger_rates_single_years_sum_to_tfr_and_zero_outside_15_49():
    r = hadwiger_rates(1.6, 3.5, 30.0)
    assert r[:15].sum() == 0 and r[50:].sum() == 0
    full = hadwiger(np.arange(1, 100, dtype=float), 1.6, 3.5, 30.0)
    assert full.sum() == pytest.approx(1.6, rel=1e-6)  # single-year sum ≈ integral
    # truncation to the handbook's fertile ages 15–49 loses the tails (< 1 % here)
    assert 0.99 * 1.6 < r.sum() < 1.6
    with pytest.raises(ValueError):
        hadwiger([20.0], 1.5, -1.0, 30.0)


# ---------------------------------------------------------------- ageing (handbook §3.2)
def test_ageing_open_group_keeps_everyone():
    pop = np.arange(2 * 2 * 100, dtype=float).reshape(2, 2, 100)
    aged, leavers = age_one_year(pop)
    assert aged[..., 0].sum() == 0
    np.testing.assert_array_equal(aged[..., 5], pop[..., 4])
    np.testing.assert_array_equal(aged[..., 99], pop[..., 98] + pop[..., 99])
    assert leavers.sum() == 0
    assert aged.sum() == pop.sum()


def test_ageing_drop_oldest_reports_leavers():
    pop = np.ones((3, 2, 100))
    aged, leavers = age_one_year(pop, drop_oldest=True)
    np.testing.assert_array_equal(leavers, np.ones((3, 2)))
    assert aged.sum() + leavers.sum() == pop.sum()


# ---------------------------------------------------------------- births (§3.6) and deaths (§3.7)
def test_births_levels_and_reconciliation():
    women = np.zeros((3, 100))
    women[:, 30] = [100.0, 200.0, 300.0]
    rates = np.zeros(100)
    rates[30] = 0.1
    fk = np.array([1.0, 2.0, 0.5])
    b = births(women, rates, 1.2, fk)
    np.testing.assert_allclose(b, [12.0, 48.0, 18.0])
    br = births(women, rates, 1.2, fk, reconcile=True)
    assert br.sum() == pytest.approx((women @ rates).sum() * 1.2)  # FOD1: region without zone factors
    np.testing.assert_allclose(br / br.sum(), b / b.sum())  # zone pattern kept
    sb = split_births(b, 0.514)
    np.testing.assert_allclose(sb.sum(axis=1), b)
    np.testing.assert_allclose(sb[:, 0] / b, 0.514)


def test_deaths_levels_cap_and_reconciliation():
    pop = np.full((2, 2, 100), 10.0)
    q = np.full((2, 100), 0.6)
    d = deaths(pop, q, 1.0, np.array([1.0, 2.0]))
    np.testing.assert_allclose(d[0], 6.0)
    np.testing.assert_allclose(d[1], 10.0)  # 1.2 capped at probability 1
    dr = deaths(pop, np.full((2, 100), 0.1), 1.0, np.array([1.0, 3.0]), reconcile=True)
    assert dr.sum() == pytest.approx((pop * 0.1).sum())


# ---------------------------------------------------------------- migration flows (§3.15, §3.22)
def test_outflows_never_exceed_population_and_report_caps():
    pop = np.full((2, 2, 100), 10.0)
    euf, iuf, cap = outflows(pop, np.full_like(pop, 0.8), np.full_like(pop, 0.6))
    np.testing.assert_allclose(euf + iuf, pop)
    np.testing.assert_allclose(cap, 4.0)
    np.testing.assert_allclose(euf / iuf, 0.8 / 0.6)
    euf, iuf, cap = outflows(pop, np.full_like(pop, 0.1), np.full_like(pop, 0.2))
    assert cap.sum() == 0 and euf.sum() == pytest.approx(0.1 * pop.sum())


def test_internal_inflow_consistency_per_sex_and_age():
    rng = np.random.default_rng(1)
    iuf = rng.uniform(0, 5, (4, 2, 100))
    dist, _ = normalise(rng.uniform(0, 1, (4, 2, 100)))
    iif, short = internal_inflow(iuf, np.array([10.0, -5.0, 0.0, -5.0]), dist)
    np.testing.assert_allclose(iif.sum(axis=0), iuf.sum(axis=0), rtol=1e-12)
    assert short.sum() == 0


def test_internal_inflow_reports_negative_zone_total_and_fills_empty_cells():
    iuf = np.zeros((2, 2, 100))
    iuf[0, 0, 20] = 10.0
    dist = np.zeros((2, 2, 100))
    dist[:, 1, 50] = 1.0  # nobody of (M, 20) is in the in-migration profile
    iif, short = internal_inflow(iuf, np.array([0.0, -50.0]), dist)
    assert short[1] == pytest.approx(50.0)  # zone 2 would need −40 in-migrants: raised to zero
    np.testing.assert_allclose(iif.sum(axis=0), iuf.sum(axis=0))
