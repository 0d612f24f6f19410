"""Edge cases of the projection loop and what it tells the planner (warnings, caps).

Each case is one the random and demo tests do not reach: every zone short of internal
in-migrants, a regional remainder over zones without population, every municipality steered
under a region target, caps in the housing-market variants, and warnings that must (not) appear.
Expected values are worked out here from the rules in docs/model.md, not with the engine.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.engine.flows import consistency_adjust
from regbef_excel.engine.inputs import NET_MIGRATION, POPULATION, TARGET, Targets
from regbef_excel.engine.steering import net_migration_targets


def test_consistency_when_no_zone_has_internal_in_migrants():
    """Every zone's uncorrected in-migration is zero while zones have out-migrants: the
    out-migrants of each sex × age are spread equally over the zones (docs/model.md §3.22)."""
    iuf = np.zeros((3, 2, 100))
    iuf[0, 0, 20] = 30.0
    iuf[2, 1, 40] = 6.0
    iif = consistency_adjust(iuf, np.zeros((3, 2, 100)))
    np.testing.assert_allclose(iif[:, 0, 20], [10.0, 10.0, 10.0], rtol=1e-15)
    np.testing.assert_allclose(iif[:, 1, 40], [2.0, 2.0, 2.0], rtol=1e-15)
    assert iif.sum() == pytest.approx(36.0)


def test_every_zone_short_of_in_migrants_keeps_internal_in_equal_out():
    inp = synthetic_inputs(3, 4, seed=11)
    inp.internal_net_trend = np.full(3, -1e7)  # no zone can have internal in-migrants
    p = project(inp)
    iuf, iif = p.flows["IUF"], p.flows["IIF"]
    np.testing.assert_allclose(iif.sum(axis=1), iuf.sum(axis=1), rtol=1e-12)
    # spread equally: every zone gets a third of each sex × age
    np.testing.assert_allclose(iif[:, 0], iif[:, 1], rtol=1e-12)
    np.testing.assert_allclose(iif[:, 0], iuf.sum(axis=1) / 3, rtol=1e-12)
    assert sum("set to zero" in w for w in p.warnings) == 3 * 4  # every zone, every year


def targets_for(inp, *, region=None, zones=None) -> Targets:
    t = Targets.trend(inp.n_years, inp.n_zones)
    if region is not None:
        kind, value = region
        t.region_mode[:] = TARGET
        t.region_type[:] = kind
        t.region_value[:] = value
    for k, (kind, value) in (zones or {}).items():
        t.zone_mode[:, k] = TARGET
        t.zone_type[:, k] = kind
        t.zone_value[:, k] = value
    return t


def test_region_remainder_over_zones_without_population_is_spread_equally():
    """RIM weights are start-of-year populations; when the free zones have none, equal shares."""
    t = targets_for(synthetic_inputs(3, 1), region=(NET_MIGRATION, 900.0), zones={0: (NET_MIGRATION, 300.0)})
    start = np.array([1000.0, 0.0, 0.0])
    nf, steered = net_migration_targets(t, 0, start, start, np.zeros(3))
    np.testing.assert_allclose(nf, [300.0, 300.0, 300.0])
    assert steered.all()


def test_region_target_with_every_zone_steered_warns_that_it_is_not_met():
    inp = synthetic_inputs(2, 2, seed=3)
    inp.variant = 2
    inp.targets = targets_for(inp, region=(NET_MIGRATION, 5000.0),
                              zones={0: (NET_MIGRATION, 100.0), 1: (NET_MIGRATION, 200.0)})
    p = project(inp)
    np.testing.assert_allclose(p.series["target_net_migration"], [[100.0, 200.0]] * 2)
    warned = [w for w in p.warnings if "regional target differs" in w]
    assert len(warned) == 2 and "4700 persons" in warned[0]


def test_warnings_about_ignored_targets_name_only_real_cases():
    inp = synthetic_inputs(2, 2, seed=4)
    inp.targets = targets_for(inp, zones={0: (POPULATION, float(inp.population[0].sum()))})
    trend = project(inp.replace(variant=1))
    assert any("targets are ignored in model variant 1" in w for w in trend.warnings)
    steered = project(inp.replace(variant=2))
    assert not any("ignored" in w for w in steered.warnings)


def test_region_only_variants_warn_that_municipality_targets_are_ignored():
    inp = add_labour_housing(synthetic_inputs(3, 2, seed=6), seed=6)
    inp.targets = targets_for(inp, region=(NET_MIGRATION, 100.0), zones={1: (NET_MIGRATION, 50.0)})
    v3 = project(inp.replace(variant=3))
    assert any("steers the region only" in w for w in v3.warnings)
    v2 = project(inp.replace(variant=2))
    assert not any("steers the region only" in w for w in v2.warnings)


def test_no_cap_warning_when_nothing_was_capped():
    inp = synthetic_inputs(2, 3, seed=8)
    p = project(inp)
    assert p.capped.sum() == 0
    assert not any("capped" in w for w in p.warnings)


@pytest.mark.parametrize("variant", [3, 4, 5])
def test_caps_in_the_housing_market_variants_are_counted_and_reported(variant):
    """Out-migration rates far above 1 make the caps bind; the caps are finite persons and the
    warning states their total."""
    inp = add_labour_housing(synthetic_inputs(3, 3, seed=9), seed=9)
    for flow in ("EUF", "IUF"):
        inp.migration_level_zone[flow] = np.full(3, 200.0)
    inp.variant = variant
    p = project(inp)
    assert np.isfinite(p.capped).all() and (p.capped >= 0).all()
    total = p.capped.sum()
    assert total > 0
    msg = next(w for w in p.warnings if "out-migration was capped" in w)
    assert f"({total:.1f} persons in all)" in msg
