"""Engine pieces: Hadwiger, ageing, births, deaths, flows (handbook §3.2–3.7, §3.15, §3.22)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from regbef_excel.engine.ageing import age_one_year
from regbef_excel.engine.fertility import (
    births,
    hadwiger,
    hadwiger_rates,
    hadwiger_rates_by_zone,
    split_births,
)
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


def hadwiger_closed(x: float, a: float, b: float, c: float) -> float:
    """PANDA's Hadwiger form (handbook §2.2.2) typed out with the math module, independent of
    the engine: f(x) = a/c · b/√π · (c/x)^(3/2) · exp(−b² (c/x + x/c − 2))."""
    return a / c * b / math.sqrt(math.pi) * (c / x) ** 1.5 * math.exp(-(b * b) * (c / x + x / c - 2.0))


def test_hadwiger_pinned_values_at_exact_ages():
    # at x = c the exponential is 1: f(c) = a·b / (c·√π)
    assert hadwiger([30.0], 1.6, 3.5, 30.0)[0] == pytest.approx(1.6 * 3.5 / (30.0 * math.sqrt(math.pi)), rel=1e-14)
    assert hadwiger([30.0], 1.0, 1.0, 30.0)[0] == pytest.approx(0.018806319451591877, rel=1e-14)
    ages = [15.0, 20.0, 25.5, 30.0, 37.0, 49.0]
    got = hadwiger(ages, 1.6, 3.5, 30.0)
    np.testing.assert_allclose(got, [hadwiger_closed(x, 1.6, 3.5, 30.0) for x in ages], rtol=1e-13)
    assert hadwiger([0.0, -3.0], 1.6, 3.5, 30.0).tolist() == [0.0, 0.0]


def test_hadwiger_rates_evaluated_at_exact_age_not_midpoint():
    """FODRAT[a] is f(a) at the exact age a (rates by age at the end of the year, handbook §3.6),
    not f(a + 0.5)."""
    a, b, c = 1.6, 3.5, 30.0
    r = hadwiger_rates(a, b, c)
    for age in (15, 20, 25, 29, 30, 35, 42, 49):
        assert r[age] == pytest.approx(hadwiger_closed(float(age), a, b, c), rel=1e-13), age
        # the midpoint value differs by far more than the tolerance (the schedule is not flat)
        assert abs(r[age] - hadwiger_closed(age + 0.5, a, b, c)) > 1e-4 * r[age], age
    assert r[30] == pytest.approx(a * b / (c * math.sqrt(math.pi)), rel=1e-14)


def test_hadwiger_rates_by_zone_independent_formula():
    """The per-zone path (endogenous Hadwiger): each zone's row is that zone's Hadwiger schedule
    at exact ages 15–49, zero elsewhere — checked against scipy's inverse Gaussian and the closed
    formula, not against the engine."""
    a = np.array([1.4, 1.7, 2.05])
    b = np.array([3.0, 3.5, 4.2])
    c = np.array([28.0, 30.5, 32.25])
    out = hadwiger_rates_by_zone(a, b, c)
    assert out.shape == (3, 100)
    assert np.all(out[:, :15] == 0) and np.all(out[:, 50:] == 0)
    x = np.arange(15, 50, dtype=float)
    for k in range(3):
        lam = 2 * b[k] ** 2 * c[k]  # inverse Gaussian: mean c, shape 2b²c
        ref = a[k] * stats.invgauss.pdf(x, mu=c[k] / lam, scale=lam)
        np.testing.assert_allclose(out[k, 15:50], ref, rtol=1e-12, err_msg=f"zone {k}")
        closed = [hadwiger_closed(v, a[k], b[k], c[k]) for v in x]
        np.testing.assert_allclose(out[k, 15:50], closed, rtol=1e-13, err_msg=f"zone {k}")
    # f(c) = a·b/(c·√π) at a whole age c
    z = hadwiger_rates_by_zone(np.array([1.5]), np.array([3.5]), np.array([30.0]))
    assert z[0, 30] == pytest.approx(1.5 * 3.5 / (30.0 * math.sqrt(math.pi)), rel=1e-14)


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


def test_death_probability_times_region_factor_above_one_is_refused():
    """DODRAT·DR_t > 1 is refused even where the zone factor DK brings it below 1: region
    reconciliation scales towards Σ BEF1·DODRAT·DR_t, more deaths than persons."""
    from support.synthetic import synthetic_inputs

    from regbef_excel.errors import InputErrors

    inp = synthetic_inputs(2, 3, seed=1)
    inp.death_prob[:, 99] = 0.9
    inp.mortality_level_zone = np.array([0.5, 0.5])
    inp.mortality_level_region = np.array([1.0, 1.2, 1.0])
    with pytest.raises(InputErrors) as exc:
        inp.validate()
    assert any(e.location.table == "mortality_level_region" for e in exc.value.errors)
    inp.mortality_level_region = np.array([1.0, 1.1, 1.0])
    inp.validate()  # 0.9 · 1.1 = 0.99: fine
