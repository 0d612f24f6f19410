"""Model variants 1–6 and target steering (handbook §3.9–3.23; spec §6–7)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.engine.inputs import GROWTH, NET_MIGRATION, POPULATION, TARGET, Targets
from regbef_excel.engine.results import COMPONENTS
from regbef_excel.errors import InputError


def full_inputs(K=6, T=6, seed=1, variant=1):
    inp = add_labour_housing(synthetic_inputs(K, T, seed=seed), seed=seed)
    inp.variant = variant
    return inp


def net_migration(p):
    tot = p.component_totals()
    return tot["EIFU"] + tot["EIFN"] - tot["EUF"] + tot["IIF"] - tot["IUF"]  # (T, K)


@pytest.mark.parametrize("variant", [2, 6])
def test_zone_targets_of_each_type_are_met_exactly(variant):
    inp = full_inputs(variant=variant)
    T, K = inp.n_years, inp.n_zones
    tg = Targets.trend(T, K)
    tg.zone_mode[:, :3] = TARGET
    tg.zone_type[:, 0], tg.zone_value[:, 0] = NET_MIGRATION, 50.0
    base = inp.population.sum(axis=(1, 2))
    tg.zone_type[:, 1], tg.zone_value[:, 1] = POPULATION, base[1] + 100.0 * np.arange(1, T + 1)
    tg.zone_type[:, 2], tg.zone_value[:, 2] = GROWTH, 1.5
    inp.targets = tg
    p = project(inp)
    pop = p.population.sum(axis=(2, 3))  # (T+1, K)
    np.testing.assert_allclose(net_migration(p)[:, 0], 50.0, atol=1e-6)
    np.testing.assert_allclose(pop[1:, 1], tg.zone_value[:, 1], atol=1e-6)
    np.testing.assert_allclose(pop[1:, 2] / pop[:-1, 2], 1.015, rtol=1e-10)
    # the other zones follow the trend: same as an unsteered run in the first year
    free = project(full_inputs(variant=1))
    np.testing.assert_allclose(pop[1, 3:], free.population[1].sum(axis=(1, 2))[3:], rtol=1e-9)


@pytest.mark.parametrize("variant", [2, 3, 5, 6])
def test_region_target_is_met_and_remainder_spread(variant):
    inp = full_inputs(variant=variant)
    T, K = inp.n_years, inp.n_zones
    tg = Targets.trend(T, K)
    tg.region_mode[:] = TARGET
    tg.region_type[:], tg.region_value[:] = GROWTH, 0.8
    if variant in (2, 6):
        tg.zone_mode[:, 0] = TARGET
        tg.zone_type[:, 0], tg.zone_value[:, 0] = NET_MIGRATION, -20.0
    inp.targets = tg
    p = project(inp)
    region = p.population.sum(axis=(1, 2, 3))
    np.testing.assert_allclose(region[1:] / region[:-1], 1.008, rtol=1e-10)
    if variant in (2, 6):
        np.testing.assert_allclose(net_migration(p)[:, 0], -20.0, atol=1e-6)


def test_target_needing_negative_in_migration_is_an_input_error():
    inp = full_inputs(variant=2)
    tg = Targets.trend(inp.n_years, inp.n_zones)
    tg.zone_mode[2, 1] = TARGET
    tg.zone_type[2, 1], tg.zone_value[2, 1] = NET_MIGRATION, -1e6
    inp.targets = tg
    with pytest.raises(InputError, match=r"2028: the target for zone Z002 needs negative in-migration"):
        project(inp)


@pytest.mark.parametrize("variant,missing", [(3, "housing"), (4, "labour"), (5, "distances"), (6, "labour")])
def test_variant_without_its_inputs_names_the_sheet(variant, missing):
    inp = full_inputs(variant=variant)
    setattr(inp, missing, None)
    with pytest.raises(InputError, match=f"needs the {missing} inputs"):
        project(inp)


def test_housing_stock_identity_and_coverage_every_variant():
    for v in range(1, 7):
        p = project(full_inputs(variant=v))
        s = p.series
        np.testing.assert_allclose(
            s["housing_stock"][1:], s["housing_stock"][:-1] - s["demolition"] + s["building"], rtol=1e-10
        )
        np.testing.assert_allclose(s["housing_need"][0], s["housing_stock"][0], rtol=1e-10)  # 100 %
        assert np.all(s["building"] <= s["building_programme"] + 1e-9)
        assert np.all(s["building_need"] >= 0)


def test_labour_market_variants_report_commuting_and_zero_sum_labour_migration():
    p = project(full_inputs(variant=4))
    np.testing.assert_allclose(p.series["labour_migration"].sum(axis=1), 0.0, atol=1e-6)
    np.testing.assert_allclose(p.series["net_commuting"].sum(axis=1), 0.0, atol=1e-6)
    assert p.matrices["commuting"].shape == (p.inputs.n_years, 7, 7)


def test_internal_migration_matrix_margins_match_flows():
    p = project(full_inputs(variant=1))
    m = p.internal_migration()
    np.testing.assert_allclose(m.sum(axis=2), p.flows["IUF"].sum(axis=(2, 3)), rtol=1e-6)
    np.testing.assert_allclose(m.sum(axis=1), p.flows["IIF"].sum(axis=(2, 3)), rtol=1e-6)
    assert np.all(np.diagonal(m, axis1=1, axis2=2) == 0)


@settings(max_examples=120, deadline=None)
@given(
    variant=st.integers(1, 6),
    seed=st.integers(0, 2**31 - 1),
    K=st.integers(2, 6),
    growth=st.floats(-1.0, 2.0),
)
def test_every_variant_keeps_the_invariants(variant, seed, K, growth):
    inp = full_inputs(K=K, T=3, seed=seed, variant=variant)
    tg = Targets.trend(3, K)
    tg.region_mode[:] = TARGET
    tg.region_type[:], tg.region_value[:] = GROWTH, growth
    inp.targets = tg
    try:
        p = project(inp)
    except InputError as e:  # an unreachable target is reported, never silently clipped
        assert "negative in-migration" in str(e)
        return
    pop = p.population
    assert np.all(pop >= 0)
    tot = p.component_totals()
    change = pop[1:].sum(axis=(2, 3)) - pop[:-1].sum(axis=(2, 3))
    np.testing.assert_allclose(change, sum(s * tot[n] for n, s in COMPONENTS.items()), atol=1e-6)
    np.testing.assert_allclose(p.flows["IIF"].sum(axis=1), p.flows["IUF"].sum(axis=1), atol=1e-6)


def test_endogenous_hadwiger_gives_zone_schedules_from_housing():
    """Every year's births follow per-zone Hadwiger schedules whose HDWA/HDWB/HDWC come from the
    regressions on DWZ, NEWH, INC and MA (docs/model.md "Endogenous Hadwiger"). The expected values
    are typed out here (closed Hadwiger formula, regression equations with the default
    coefficients of HadwigerRegression, grouped median age), not computed by the engine."""
    inp = full_inputs(variant=1)
    T, K = inp.n_years, inp.n_zones
    inp.endogenous_hadwiger = True
    inp.fertility_level_region = np.linspace(0.95, 1.05, T)  # FR_t must still multiply
    # INC varies by zone and year so that every term of the regressions is exercised
    inc = 90.0 + 5.0 * np.arange(K)[None, :] + 2.0 * np.arange(T)[:, None]
    inp.income = inc
    p = project(inp)

    # default coefficient values (regbef_excel/engine/housing.py HadwigerRegression), signs as read
    A0, A_DWZ, A_NEWH, A_INC = 44.4, 297.9, 4.95, -3.34
    B0, B_INC, B_DWZ, B_MA = 1.05, 0.0392, 0.395, -0.031
    C0, C_INC, C_DWZ, C_MA, C_NEWH = 25.75, 0.095, -0.465, -0.0293, -0.0154
    dwz = 4.5  # no rooms by type given: 4.5 rooms per dwelling of every type
    stock = p.series["housing_stock"]  # (T+1, K), its own identity is tested in test_housing
    ages = np.arange(15, 50, dtype=float)
    for t in range(T):
        # women after ageing: aged a at the end of year t were a-1 at its start
        women = np.zeros((K, 50))
        women[:, 1:] = p.population[t, :, 1, :49]
        # median age of women 15-44: each single year spread evenly over [a, a+1)
        ma = np.empty(K)
        for k in range(K):
            w = women[k, 15:45]
            half, below = w.sum() / 2.0, 0.0
            for i, n in enumerate(w):
                if below + n >= half:
                    ma[k] = 15 + i + (half - below) / n
                    break
                below += n
        newh = 100.0 * stock[t] / stock[max(t - 3, 0)]  # base-year stock for the first 3 years
        hdwa = A0 + A_DWZ * dwz + A_NEWH * newh + A_INC * inc[t]
        hdwb = B0 + B_INC * inc[t] + B_DWZ * dwz + B_MA * ma
        hdwc = C0 + C_INC * inc[t] + C_DWZ * dwz + C_MA * ma + C_NEWH * newh
        np.testing.assert_allclose(p.series["hadwiger_a"][t], hdwa, rtol=1e-12)
        np.testing.assert_allclose(p.series["hadwiger_b"][t], hdwb, rtol=1e-12)
        np.testing.assert_allclose(p.series["hadwiger_c"][t], hdwc, rtol=1e-12)
        # f(x) = (a/c)(b/sqrt(pi))(c/x)^(3/2) exp(-b^2 (c/x + x/c - 2)), a = HDWA/1000 per woman
        a, b, c = hdwa[:, None] / 1000.0, hdwb[:, None], hdwc[:, None]
        f = (a / c) * (b / np.sqrt(np.pi)) * (c / ages) ** 1.5 * np.exp(-(b**2) * (c / ages + ages / c - 2.0))
        expected = (women[:, 15:50] * f).sum(axis=1) * inp.fertility_level_region[t] * inp.fertility_level_zone
        np.testing.assert_allclose(p.flows["births"][t].sum(axis=1), expected, rtol=1e-10)
    # plausibility of the reconstructed signs: mean age of childbearing 25-35, TFR 0.5-4 per woman
    assert np.all((p.series["hadwiger_c"] > 25) & (p.series["hadwiger_c"] < 35))
    assert np.all((p.series["hadwiger_a"] > 500) & (p.series["hadwiger_a"] < 4000))


def test_endogenous_hadwiger_without_income_is_an_input_error():
    inp = full_inputs(variant=1)
    inp.endogenous_hadwiger = True
    with pytest.raises(InputError, match="endogenous Hadwiger option needs"):
        project(inp)
