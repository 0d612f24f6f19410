"""Project generation (handbook §2, docs/model.md "Project generation") against a loop-based
re-computation of every closed-form step.

:func:`generate` derives the level factors, migration rates, totals and shares of a template
from history. The ROGEST fits are numerical; every other step is a formula (reconstructions,
stated in :mod:`regbef_excel.engine.generation`) and is recomputed here zone by zone, year by
year and age by age with plain Python loops from the same history:

* births of a year = (persons aged 0 at year end + infant out-migrants − infant in-migrants) /
  survival of newborns; expected births = women after ageing × national rates (§2.1.3);
* deaths = the balancing equation solved for deaths, only for zone-years with complete flows;
  expected deaths from the national probabilities (§2.3.2);
* FK, DK = Σ estimated / Σ expected, clipped to [0.5, 2] with a warning naming the factor;
* gross out-migration rates = Σ out-migrants / Σ persons at risk after ageing, births and
  deaths (§2.4.1, §2.4.3), split into EUF/IUF by the zone's internal share;
* region and zone level factors that make the fitted schedules reproduce the observed totals;
* immigration total (mean over years) and zone shares, in-migration from the rest of Norway,
  the trend net internal migration made to sum to zero in proportion to the base population;
* in-migration profiles and their chi-square weights; the Hadwiger alternative by moments.

The history has incomplete ages in one year, a zone with an extreme fertility level and
different shares per zone, so that each rule matters.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from regbef_excel.engine import generation as G
from regbef_excel.engine.generation import History, NationalRates, generate
from regbef_excel.engine.inputs import DEFAULT_SHARE_BOYS, N_AGES, RC_KEYS
from regbef_excel.engine.migration import fit_rogers_castro_many, rc_schedule

A = N_AGES
YEARS = list(range(2015, 2021))  # stocks on 31 Dec 2015..2020, flows 2016..2020
K = 3


def _history() -> tuple[History, NationalRates]:
    """Six years of a three-zone region made forward with the balancing equation, so that the
    estimated deaths are deaths (DK near the true 0.8/1.0/1.25, not clipped); zone 2 then gets
    twelve times the infants in the last year, so its FK is clipped at 2."""
    rng = np.random.default_rng(21)
    q = np.clip(np.stack([np.linspace(0.004, 0.4, A), np.linspace(0.003, 0.35, A)]) ** 1.5, 0, 1)
    fert = np.zeros(A)
    fert[15:50] = 1.6 * np.exp(-0.5 * ((np.arange(15, 50) - 30.5) / 5.0) ** 2) / (5.0 * math.sqrt(2 * math.pi))
    dk_true = np.array([0.8, 1.0, 1.25])
    ages = np.arange(A)
    young = np.exp(-0.5 * ((ages - 24) / 6.0) ** 2) + 0.02 * np.exp(-ages / 30.0)  # few old movers
    flow_years = np.array(YEARS[1:])
    out = np.stack([rng.uniform(20, 40, size=(K, 1)) * young * rng.uniform(0.8, 1.2, size=(K, A))
                    for _ in flow_years])  # fmt: skip
    inn = np.stack([rng.uniform(20, 40, size=(K, 1)) * young * rng.uniform(0.8, 1.2, size=(K, A))
                    for _ in flow_years])  # fmt: skip
    pop = {YEARS[0]: rng.uniform(200, 600, size=(K, 2, A)) * np.linspace(1.2, 0.2, A)[None, None, :]}
    for i, y in enumerate(flow_years):
        nxt = _aged(pop[y - 1])
        nxt[:, :, 0] = (nxt[:, 1, 15:50] @ fert[15:50])[:, None] * np.array([0.51, 0.49])
        nxt = nxt * (1 - np.minimum(q[None] * dk_true[:, None, None], 1)) + (inn[i] - out[i])[:, None, :] / 2
        pop[int(y)] = np.maximum(nxt, 0)
    pop[YEARS[-1]][2, :, 0] *= 12.0
    out[1, 0, 80:] = np.nan  # ages 80+ not published in 2017 for zone 0
    inn[1, 0, 80:] = np.nan
    hist = History(
        zone_codes=("4001", "4003", "4005"), zone_names=("A", "B", "C"), population=pop,
        flow_years=flow_years, out_by_age=out, in_by_age=inn,
        internal_out_share=np.array([0.3, 0.5, 0.2]), internal_in_share=np.array([0.25, 0.4, 0.35]),
        abroad_out_share=np.array([0.1, 0.05, 0.2]), abroad_in_share=np.array([0.2, 0.1, 0.3]),
    )  # fmt: skip
    nat = NationalRates(
        death_prob=q, death_prob_by_year={2017: q * 1.02}, fertility={2016: fert * 1.1},
        fertility_latest=fert, fertility_latest_year=2020, mortality_improvement=0.015,
        mortality_reference_year=2019, share_boys=0.52,
    )  # fmt: skip
    return hist, nat


def _aged(p: np.ndarray) -> np.ndarray:
    out = np.zeros_like(p)
    for k in range(K):
        for s in range(2):
            for a in range(1, A):
                out[k, s, a] = p[k, s, a - 1]
            out[k, s, A - 1] += p[k, s, A - 1]
    return out


def _q(nat: NationalRates, y: int) -> np.ndarray:
    return nat.death_prob_by_year.get(y, nat.death_prob * (1 - nat.mortality_improvement) ** (y - nat.mortality_reference_year))


def _clip(x: float) -> float:
    return min(max(x, 0.5), 2.0)


@pytest.fixture(scope="module")
def generated():
    hist, nat = _history()
    inputs, report = generate(hist, nat, base_year=2020, horizon=2030)
    return hist, nat, inputs, report


def _reference_vital(hist: History, nat: NationalRates):
    sb = DEFAULT_SHARE_BOYS
    fy = list(hist.flow_years)
    b_est = np.zeros((len(fy), K))
    b_exp = np.zeros((len(fy), K))
    d_est = np.full((len(fy), K), np.nan)
    d_exp = np.zeros((len(fy), K))
    bef1 = {}
    for i, y in enumerate(fy):
        aged = _aged(hist.population[y - 1])
        end = hist.population[y]
        q = _q(nat, y)
        fert = nat.fertility.get(y, nat.fertility_latest)
        surv0 = 1 - (q[0, 0] * sb + q[1, 0] * (1 - sb))
        for k in range(K):
            out0, in0 = hist.out_by_age[i, k, 0], hist.in_by_age[i, k, 0]
            net0 = (0 if np.isnan(out0) else out0) - (0 if np.isnan(in0) else in0)
            b_est[i, k] = max(end[k, 0, 0] + end[k, 1, 0] + net0, 0) / surv0
            b_exp[i, k] = sum(aged[k, 1, a] * fert[a] for a in range(A))
            aged[k, 0, 0], aged[k, 1, 0] = b_est[i, k] * sb, b_est[i, k] * (1 - sb)
            d_exp[i, k] = sum(aged[k, s, a] * q[s, a] for s in range(2) for a in range(A))
            outs, ins = hist.out_by_age[i, k], hist.in_by_age[i, k]
            if np.all(np.isfinite(outs)) and np.all(np.isfinite(ins)):
                d_est[i, k] = (hist.population[y - 1][k].sum() + b_est[i, k] + ins.sum() - outs.sum()
                               - end[k].sum())  # fmt: skip
        bef1[y] = aged
    return b_est, b_exp, d_est, d_exp, bef1


def test_births_deaths_and_their_level_factors(generated):
    hist, nat, inputs, report = generated
    b_est, b_exp, d_est, d_exp, _ = _reference_vital(hist, nat)
    np.testing.assert_allclose(report.estimated_births, b_est, rtol=1e-12)
    np.testing.assert_allclose(report.expected_births, b_exp, rtol=1e-12)
    np.testing.assert_allclose(report.expected_deaths, d_exp, rtol=1e-12)
    np.testing.assert_array_equal(np.isnan(report.estimated_deaths), np.isnan(d_est))
    np.testing.assert_allclose(report.estimated_deaths, d_est, rtol=1e-10)
    for k in range(K):
        fk = b_est[:, k].sum() / b_exp[:, k].sum()
        assert inputs.fertility_level_zone[k] == pytest.approx(_clip(fk), rel=1e-12)
        ok = np.isfinite(d_est[:, k])
        dk = d_est[ok, k].sum() / d_exp[ok, k].sum()
        assert inputs.mortality_level_zone[k] == pytest.approx(_clip(dk), rel=1e-12)
    assert inputs.fertility_level_zone[2] == 2.0
    assert np.all((0.5 < inputs.mortality_level_zone) & (inputs.mortality_level_zone < 2.0))
    assert any(w.startswith("fertility level factor FK: zone 4005 estimate") for w in report.warnings)


def test_out_migration_rates_and_level_factors(generated):
    hist, nat, inputs, report = generated
    _, _, _, _, bef1 = _reference_vital(hist, nat)
    dk = inputs.mortality_level_zone
    num, den = np.zeros((K, A)), np.zeros((K, A))
    seen = np.zeros((K, A), dtype=bool)
    for i, y in enumerate(hist.flow_years):
        q = _q(nat, int(y))
        for k in range(K):
            for a in range(A):
                at_risk = sum(bef1[int(y)][k, s, a] * (1 - min(q[s, a] * dk[k], 1.0)) for s in range(2))
                if np.isfinite(hist.out_by_age[i, k, a]):
                    num[k, a] += hist.out_by_age[i, k, a]
                    den[k, a] += at_risk
                    seen[k, a] = True
    rate = np.where(seen, num / np.where(den > 0, den, 1), np.nan)
    share = hist.internal_out_share
    for flow, part in (("EUF", 1 - share), ("IUF", share)):
        want = rate * part[:, None]
        np.testing.assert_allclose(report.observed_rates[flow], want, rtol=1e-10)
        fitted = np.clip(rc_schedule(inputs.rc_params[flow][:, 0], np.arange(A, dtype=float)), 0, None)
        obs_k = np.array([np.nansum(want[k] * den[k]) for k in range(K)])
        fit_k = np.array([(fitted[k] * den[k]).sum() for k in range(K)])
        lr = obs_k.sum() / fit_k.sum()
        np.testing.assert_allclose(inputs.migration_level_region[flow], lr, rtol=1e-10)
        np.testing.assert_allclose(inputs.migration_level_zone[flow],
                                   [_clip(o / (f * lr)) for o, f in zip(obs_k, fit_k, strict=True)], rtol=1e-10)  # fmt: skip
        np.testing.assert_array_equal(inputs.rc_params[flow][:, 0], inputs.rc_params[flow][:, 1])


def test_totals_shares_and_trend_internal_migration(generated):
    hist, nat, inputs, report = generated
    Y = len(hist.flow_years)
    in_year = np.array([[np.nansum(hist.in_by_age[i, k]) for k in range(K)] for i in range(Y)])
    out_year = np.array([[np.nansum(hist.out_by_age[i, k]) for k in range(K)] for i in range(Y)])
    abroad = in_year * hist.abroad_in_share
    np.testing.assert_allclose(inputs.immigration_total, abroad.sum() / Y, rtol=1e-12)
    np.testing.assert_allclose(inputs.immigration_share, abroad.sum(axis=0) / abroad.sum(), rtol=1e-12)
    rest = 1 - hist.internal_in_share - hist.abroad_in_share
    np.testing.assert_allclose(inputs.domestic_inmigration, (in_year * rest).mean(axis=0), rtol=1e-12)
    inf = [sum(in_year[i, k] * hist.internal_in_share[k] - out_year[i, k] * hist.internal_out_share[k]
               for i in range(Y)) / Y for k in range(K)]  # fmt: skip
    pop = [hist.population[2020][k].sum() for k in range(K)]
    want = [inf[k] - sum(inf) * pop[k] / sum(pop) for k in range(K)]
    np.testing.assert_allclose(inputs.internal_net_trend, want, rtol=1e-10)
    assert abs(inputs.internal_net_trend.sum()) < 1e-9
    years = np.arange(2021, 2031)
    np.testing.assert_allclose(inputs.mortality_level_region, (1 - 0.015) ** (years - 2019), rtol=1e-14)
    assert inputs.share_boys == 0.52
    np.testing.assert_array_equal(inputs.population, hist.population[2020])


def test_without_immigration_every_zone_gets_an_equal_share():
    hist, nat = _history()
    hist.abroad_in_share = np.zeros(K)
    inputs, _ = generate(hist, nat, base_year=2020, horizon=2025)
    np.testing.assert_allclose(inputs.immigration_share, np.full(K, 1 / K), rtol=1e-14)
    assert np.all(inputs.immigration_total == 0)


def test_in_migration_profiles_and_their_weights(generated):
    hist, nat, inputs, report = generated
    prof = np.zeros((K, A))
    for k in range(K):
        for a in range(A):
            vals = [v for v in hist.in_by_age[:, k, a] if np.isfinite(v)]
            prof[k, a] = sum(vals) / len(vals)
        tot = prof[k].sum()
        prof[k] /= tot
    np.testing.assert_allclose(report.observed_rates["IN_PROFILE"], prof, rtol=1e-12)
    in_total = np.nansum([[sum(v for v in hist.in_by_age[:, k, a] if np.isfinite(v)) /
                           np.isfinite(hist.in_by_age[:, k, a]).sum() for a in range(A)] for k in range(K)], axis=1)  # fmt: skip
    floor = 0.05 / np.maximum(in_total, 1.0)
    w = 1.0 / np.maximum(prof, floor[:, None])
    w /= w.max(axis=1, keepdims=True)
    fit = fit_rogers_castro_many(np.arange(A, dtype=float), prof, n_params=11, weights=w)
    half = fit.params.copy()
    for key in ("a1", "a2", "c", "a3", "a4"):
        half[:, RC_KEYS.index(key)] *= 0.5
    for flow in ("EIFU", "EIFN", "IIF"):
        np.testing.assert_allclose(inputs.rc_params[flow][:, 0], half, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(inputs.rc_params[flow][:, 1], half, rtol=1e-9, atol=1e-12)


def test_hadwiger_alternative_has_the_schedules_moments():
    hist, nat = _history()
    f = nat.fertility_latest
    tfr = f.sum()
    mean = (np.arange(A) * f).sum() / tfr
    sd = math.sqrt(((np.arange(A) - mean) ** 2 * f).sum() / tfr)
    h = G._hadwiger_like(f)
    assert (h.a, h.b, h.c) == pytest.approx((tfr, mean / (sd * math.sqrt(2)), mean), rel=1e-12)
    empty = G._hadwiger_like(np.zeros(A))
    assert (empty.a, empty.b, empty.c) == (1.5, 3.5, 30.0)


def test_fit_quality_is_reported_per_zone_and_sex(generated):
    hist, nat, inputs, report = generated
    for flow in ("EUF", "IUF", "EIFU", "EIFN", "IIF"):
        q = report.fit_quality[flow]
        assert q["sse"].shape == (K, 2) and q["converged"].shape == (K, 2) and q["at_bounds"].shape == (K, 2)
        np.testing.assert_array_equal(q["sse"][:, 0], q["sse"][:, 1])  # both sexes share one fit


def test_a_level_factor_exactly_at_the_range_end_is_not_reported_as_clipped():
    warnings: list[str] = []
    out = G._ratio(np.array([1.0, 4.0, 6.0]), np.array([2.0, 2.0, 2.0]), "FK", ("a", "b", "c"), warnings)
    np.testing.assert_array_equal(out, [0.5, 2.0, 2.0])
    assert warnings == ["FK: zone c estimate 3.000 clipped to [0.5, 2.0]"]
