"""Project generation (handbook §2) recovers what a simulation put in."""

from __future__ import annotations

import numpy as np
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.engine.generation import History, NationalRates, generate
from regbef_excel.engine.migration import rc_schedule


def simulated_history(seed: int = 3):
    """History made by the engine itself from known parameters (a closed test)."""
    truth = synthetic_inputs(6, 4, seed=seed, base_year=2010)
    truth.mortality_level_zone = np.array([0.8, 0.9, 1.0, 1.1, 1.2, 1.3])
    truth.fertility_level_zone = np.array([0.7, 0.9, 1.0, 1.1, 1.25, 1.4])
    p = project(truth)
    years = p.years[1:]
    flows = p.flows
    hist = History(
        zone_codes=truth.zone_codes,
        zone_names=truth.zone_names,
        population={int(y): p.population[i] for i, y in enumerate(p.years)},
        flow_years=years,
        out_by_age=(flows["EUF"] + flows["IUF"]).sum(axis=2),
        in_by_age=(flows["EIFU"] + flows["EIFN"] + flows["IIF"]).sum(axis=2),
        internal_out_share=flows["IUF"].sum(axis=(0, 2, 3)) / (flows["EUF"] + flows["IUF"]).sum(axis=(0, 2, 3)),
        internal_in_share=flows["IIF"].sum(axis=(0, 2, 3))
        / (flows["EIFU"] + flows["EIFN"] + flows["IIF"]).sum(axis=(0, 2, 3)),
        abroad_out_share=np.zeros(6),
        abroad_in_share=flows["EIFU"].sum(axis=(0, 2, 3))
        / (flows["EIFU"] + flows["EIFN"] + flows["IIF"]).sum(axis=(0, 2, 3)),
    )
    nat = NationalRates(
        death_prob=truth.death_prob,
        death_prob_by_year={},
        fertility={},
        fertility_latest=truth.fertility_rates,
        fertility_latest_year=2010,
        mortality_improvement=0.0,
        mortality_reference_year=2010,
    )
    return truth, p, hist, nat


def test_generation_recovers_level_factors_and_totals():
    truth, sim, hist, nat = simulated_history()
    gen, report = generate(hist, nat, base_year=2014, horizon=2018, estimation=(2011, 2014))
    # Fertility and mortality level factors: births/deaths are reconstructed from stocks and
    # flows, so the zone factors come back (up to newborn-mortality approximations).
    np.testing.assert_allclose(gen.fertility_level_zone, truth.fertility_level_zone, rtol=2e-3)
    np.testing.assert_allclose(gen.mortality_level_zone, truth.mortality_level_zone, rtol=2e-3)
    # Persons at risk in the simulation, summed over the estimation years and both sexes: the
    # engine applies out-migration rates to BEF2 = aged stock + newborns − deaths.
    obs_out = hist.out_by_age.sum(axis=(0, 2))
    f = sim.flows
    expo = np.zeros(obs_out.shape + (sim.population.shape[-1],))
    for t in range(len(sim.years) - 1):
        prev = sim.population[t]
        bef1 = np.zeros_like(prev)
        bef1[..., 1:] = prev[..., :-1]
        bef1[..., -1] += prev[..., -1]  # open last age
        bef1[..., 0] = f["births"][t]
        expo += (bef1 - f["deaths"][t]).sum(axis=1)
    # The unsmoothed observed rates recover the engine's gross out-migration rate by age (the
    # estimate's exposure uses the estimated DK, hence not exact).
    true_rate = (f["EUF"] + f["IUF"]).sum(axis=(0, 2)) / expo
    observed = report.observed_rates["EUF"] + report.observed_rates["IUF"]
    np.testing.assert_allclose(observed, true_rate, rtol=2e-3)
    # Level factors make the fitted (smoothed) Rogers–Castro rates reproduce each zone's
    # observed out-migration of each type over the period (§2.4.1).
    ages = np.arange(sim.population.shape[-1], dtype=float)
    for flow, share in (("EUF", 1 - hist.internal_out_share), ("IUF", hist.internal_out_share)):
        fitted = np.clip(rc_schedule(gen.rc_params[flow][:, 0, :], ages), 0, None)
        level = gen.migration_level_region[flow][0] * gen.migration_level_zone[flow]
        np.testing.assert_allclose((fitted * expo).sum(axis=1) * level, obs_out * share, rtol=1e-4)
    # Projecting the estimation period again from its start reproduces gross flows closely.
    gen0, _ = generate(hist, nat, base_year=2010, horizon=2014, estimation=(2011, 2014))
    re = project(gen0)
    got = (re.flows["EUF"] + re.flows["IUF"]).sum(axis=(0, 2, 3))
    np.testing.assert_allclose(got, obs_out, rtol=0.02)
    # Immigration: the period mean, shared by zone; internal trend sums to zero.
    eifu = sim.flows["EIFU"].sum(axis=(1, 2, 3)).mean()
    assert gen.immigration_total[0] == pytest.approx(eifu, rel=1e-9)
    assert gen.internal_net_trend.sum() == pytest.approx(0.0, abs=1e-9)
    assert gen.immigration_share.sum() == pytest.approx(1.0)


def test_generation_rejects_missing_base_year():
    _, _, hist, nat = simulated_history()
    with pytest.raises(ValueError, match="no population"):
        generate(hist, nat, base_year=2030, horizon=2040)
