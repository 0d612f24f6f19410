"""Property tests of the invariants of spec §2 on random valid inputs (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from support.synthetic import synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.engine.inputs import RC_KEYS
from regbef_excel.engine.results import COMPONENTS


@st.composite
def random_inputs(draw):
    inp = synthetic_inputs(
        draw(st.integers(1, 6)), draw(st.integers(1, 5)), seed=draw(st.integers(0, 2**32 - 1))
    )
    # Stress: out-migration rates up to far above 1 so that caps must bind, empty zones,
    # strongly negative trend net migration, both options of every switch.
    scale = draw(st.sampled_from([0.0, 1.0, 10.0, 60.0]))
    for flow in ("EUF", "IUF"):
        p = inp.rc_params[flow].copy()
        for key in ("a1", "a2", "c"):
            p[..., RC_KEYS.index(key)] *= scale
        inp.rc_params[flow] = p
    if draw(st.booleans()):
        inp.population[0] = 0.0
    inp.internal_net_trend = inp.internal_net_trend * draw(st.sampled_from([0.0, 1.0, 100.0]))
    inp.drop_oldest = draw(st.booleans())
    inp.reconcile_births = draw(st.booleans())
    inp.reconcile_deaths = draw(st.booleans())
    inp.immigration_total = inp.immigration_total * draw(st.sampled_from([0.0, 1.0, 5.0]))
    return inp


@settings(max_examples=250, deadline=None)
@given(random_inputs())
def test_balancing_internal_consistency_and_non_negativity(inp):
    p = project(inp)
    pop = p.population
    assert np.all(pop >= 0)
    tot = p.component_totals()
    change = pop[1:].sum(axis=(2, 3)) - pop[:-1].sum(axis=(2, 3))
    comp = sum(sign * tot[name] for name, sign in COMPONENTS.items())
    np.testing.assert_allclose(change, comp, atol=1e-6)
    # internal in = internal out for every year, sex and age (handbook §3.22)
    np.testing.assert_allclose(p.flows["IIF"].sum(axis=1), p.flows["IUF"].sum(axis=1), atol=1e-8)
    # outflows never exceed the population at risk, and any cap is reported
    if p.capped.sum() > 0:
        assert any("capped" in w for w in p.warnings)
    if not inp.drop_oldest:
        assert p.flows["leavers"].sum() == 0
    for name in ("deaths", "EUF", "IUF", "EIFU", "EIFN", "IIF"):
        assert np.all(p.flows[name] >= 0)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000))
def test_no_migration_no_births_no_deaths_is_pure_ageing(seed):
    inp = synthetic_inputs(3, 4, seed=seed)
    for flow in inp.rc_params:
        inp.rc_params[flow] = np.zeros_like(inp.rc_params[flow])
    inp.immigration_total[:] = 0
    inp.domestic_inmigration[:] = 0
    inp.internal_net_trend[:] = 0
    inp.fertility_rates[:] = 0
    inp.death_prob[:] = 0
    p = project(inp)
    # after t years the age-a population is the base population of age a−t (open group at 99)
    t = inp.n_years
    np.testing.assert_allclose(p.population[-1][..., t:99], inp.population[..., : 99 - t], atol=1e-9)
    np.testing.assert_allclose(p.population[-1].sum(), inp.population.sum())
