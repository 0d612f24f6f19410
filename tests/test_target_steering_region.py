"""Target steering of the region (handbook §3.9–3.13; docs/model.md "Target steering").

Municipality targets are met exactly; the regional requirement minus the steered
municipalities is spread over the others in proportion to their start-of-year population (equal
shares where they have none). In variants 3 and 5 only the region is steered: municipality
targets are ignored (with a warning) even when every municipality has one. Expected values are
typed targets and hand computations.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine.inputs import NET_MIGRATION, POPULATION, TARGET, Targets
from regbef_excel.engine.projection import project
from regbef_excel.engine.steering import external_inflow_for, net_migration_targets
from regbef_excel.errors import InputError


def _targets(T: int, K: int) -> Targets:
    tg = Targets.trend(T, K)
    tg.region_mode[:] = TARGET
    tg.region_type[:] = NET_MIGRATION
    tg.region_value[:] = 300.0
    return tg


def test_zone_targets_are_used_by_default():
    tg = _targets(1, 3)
    tg.zone_mode[0, 0] = TARGET
    tg.zone_type[0, 0] = POPULATION
    tg.zone_value[0, 0] = 1050.0
    start = np.array([1000.0, 3000.0, 1000.0])
    after = np.array([990.0, 3010.0, 1005.0])
    nf, steered = net_migration_targets(tg, 0, start, after, np.array([5.0, 6.0, 7.0]))
    # zone 0: 1050 − 990 = 60; the other 240 of the 300 in proportion 3000 : 1000
    np.testing.assert_allclose(nf, [60.0, 180.0, 60.0], rtol=1e-14)
    assert steered.all()


def test_regional_remainder_is_shared_equally_among_zones_without_population():
    tg = _targets(1, 3)
    tg.zone_mode[0, 0] = TARGET
    tg.zone_type[0, 0] = NET_MIGRATION
    tg.zone_value[0, 0] = 100.0
    start = np.array([1000.0, 0.0, 0.0])  # zones 1 and 2 are new: nobody lives there yet
    nf, steered = net_migration_targets(tg, 0, start, start.copy(), np.zeros(3))
    np.testing.assert_allclose(nf, [100.0, 100.0, 100.0], rtol=1e-14)
    assert steered.all()


@pytest.mark.parametrize("variant", [3, 5])
def test_region_only_variants_ignore_targets_of_every_municipality(variant):
    K, T = 4, 2
    inp = add_labour_housing(synthetic_inputs(K, T, seed=13), seed=13)
    inp.variant = variant
    tg = _targets(T, K)
    tg.zone_mode[:, :] = TARGET  # every municipality has a target: 10 persons each
    tg.zone_type[:, :] = NET_MIGRATION
    tg.zone_value[:, :] = 10.0
    inp.targets = tg
    proj = project(inp)
    assert any("municipality targets are ignored" in w for w in proj.warnings)
    tot = proj.component_totals()
    net = tot["EIFU"] + tot["EIFN"] - tot["EUF"] + tot["IIF"] - tot["IUF"]  # (T, K)
    np.testing.assert_allclose(net.sum(axis=1), [300.0, 300.0], rtol=1e-9)
    np.testing.assert_allclose(
        proj.series["target_net_migration"].sum(axis=1), [300.0, 300.0], rtol=1e-9
    )


def test_integer_trend_nets_do_not_truncate_the_steered_requirement():
    tg = _targets(1, 3)
    start = np.array([1000.0, 2000.0, 4000.0])
    nf, _ = net_migration_targets(tg, 0, start, start.copy(), [5, 6, 7])  # whole persons
    np.testing.assert_allclose(nf, [300 / 7, 600 / 7, 1200 / 7], rtol=1e-14)


CODES = ("Z1", "Z2", "Z3")


def _split(net, euf, immigration):
    warnings: list[str] = []
    u, n = external_inflow_for(
        np.array(net, float), np.array(euf, float), np.array(immigration, float),
        year=2031, zone_codes=CODES, warnings=warnings,
    )  # fmt: skip
    return u, n, warnings


def test_external_inflow_keeps_immigration_and_fills_the_rest_from_norway():
    # EIF = EUF + NF; EIFU = min(trend immigration, EIF); EIFN = EIF − EIFU
    u, n, w = _split(net=[30.0, 0.3, -4.0], euf=[20.0, 0.0, 4.0], immigration=[10.0, 0.0, 0.0])
    np.testing.assert_allclose(u, [10.0, 0.0, 0.0], rtol=1e-14)
    np.testing.assert_allclose(n, [40.0, 0.3, 0.0], rtol=1e-14, atol=1e-15)
    assert w == []


def test_immigration_is_cut_to_the_room_the_target_leaves_with_a_warning():
    # zone 1: room for 9 in-migrants, trend immigration 10: cut by 1 (warned);
    # zone 2: cut by exactly 0.5 (below the warning threshold of half a person)
    u, n, w = _split(net=[-1.0, -0.5, 0.0], euf=[10.0, 10.0, 0.0], immigration=[10.0, 10.0, 0.0])
    np.testing.assert_allclose(u, [9.0, 9.5, 0.0], rtol=1e-14)
    np.testing.assert_allclose(n, [0.0, 0.0, 0.0], atol=1e-15)
    assert len(w) == 1 and "zone Z1" in w[0] and "2031" in w[0]


def test_round_off_below_zero_in_migration_is_zero():
    u, n, w = _split(net=[-1e-9, 0.0, 0.0], euf=[0.0, 0.0, 0.0], immigration=[0.0, 0.0, 0.0])
    np.testing.assert_array_equal(u, 0.0)
    np.testing.assert_array_equal(n, 0.0)


def test_target_needing_negative_in_migration_is_an_input_error():
    with pytest.raises(
        InputError, match="2031: the target for zone Z2 needs negative in-migration"
    ):
        _split(net=[0.0, -10.5, 0.0], euf=[0.0, 10.0, 0.0], immigration=[0.0, 0.0, 0.0])


def test_regional_remainder_follows_fractional_populations():
    # free zones with 0.2 and 0.6 persons at the start of the year share 1 : 3
    tg = _targets(1, 3)
    tg.zone_mode[0, 0] = TARGET
    tg.zone_type[0, 0] = NET_MIGRATION
    tg.zone_value[0, 0] = 100.0
    start = np.array([1000.0, 0.2, 0.6])
    nf, _ = net_migration_targets(tg, 0, start, start.copy(), np.zeros(3))
    np.testing.assert_allclose(nf, [100.0, 50.0, 150.0], rtol=1e-12)


def _variant_inputs(variant: int, K: int = 4, T: int = 2):
    inp = add_labour_housing(synthetic_inputs(K, T, seed=13), seed=13)
    inp.variant = variant
    return inp


@pytest.mark.parametrize("variant, ignored", [(1, True), (4, True), (2, False), (6, False)])
def test_targets_in_variants_without_steering_are_ignored_with_a_warning(variant, ignored):
    inp = _variant_inputs(variant)
    inp.targets = _targets(inp.n_years, inp.n_zones)
    proj = project(inp)
    warned = any(f"targets are ignored in model variant {variant}" in w for w in proj.warnings)
    assert warned == ignored
    assert not any("municipality targets are ignored" in w for w in proj.warnings)


@pytest.mark.parametrize("variant", [2, 6])
def test_region_target_that_every_municipality_target_overrides_is_reported(variant):
    # every zone has its own target (10 each, 40 in all): the region's 300 cannot be met
    inp = _variant_inputs(variant)
    tg = _targets(inp.n_years, inp.n_zones)
    tg.zone_mode[:, :] = TARGET
    tg.zone_type[:, :] = NET_MIGRATION
    tg.zone_value[:, :] = 10.0
    inp.targets = tg
    proj = project(inp)
    tot = proj.component_totals()
    net = tot["EIFU"] + tot["EIFN"] - tot["EUF"] + tot["IIF"] - tot["IUF"]
    np.testing.assert_allclose(net, 10.0, atol=1e-6)
    msgs = [w for w in proj.warnings if "every municipality is steered" in w]
    assert len(msgs) == inp.n_years
    assert "differs from their sum by 260 persons" in msgs[0]


@pytest.mark.parametrize(
    "remainder, warned", [(0.0, False), (0.5, False), (1.0, True), (260.0, True)]
)
def test_unmet_region_target_is_warned_from_half_a_person(remainder, warned):
    # every zone steered; the zone targets sum to 300 − remainder
    tg = _targets(1, 4)
    tg.zone_mode[0, :] = TARGET
    tg.zone_type[0, :] = NET_MIGRATION
    tg.zone_value[0, :] = [100.0, 100.0, 100.0 - remainder, 0.0]
    start = np.full(4, 1000.0)
    warnings: list[str] = []
    nf, steered = net_migration_targets(
        tg, 0, start, start.copy(), np.zeros(4), year=2031, warnings=warnings
    )
    np.testing.assert_allclose(nf, tg.zone_value[0], rtol=1e-14)
    assert steered.all()
    assert (len(warnings) == 1) == warned
    # without a warnings list nothing is reported (and nothing fails)
    net_migration_targets(tg, 0, start, start.copy(), np.zeros(4), year=2031)
