"""One year of the housing market, :func:`housing_market_step`, on small hand-set inputs
(handbook §3.17–3.21; docs/model.md "Housing").

The arguments are chosen so that supply TIL and demand ETT are easy to read off: the need per
person is 1 at every age, so BOLUT_k and BOLIN_k are the zone's internal out- and in-movers;
BOLEKS = 1, BOLLED = 0.5. Each test pins one rule of the market a plausible slip would change:
attractiveness ATT = A1·TIL + A2·ETT + A3·max(ARBPL_t − ARBPL_{t−1}, 0), which zones are
constrained, the advanced mode's rule that no unconstrained zone is allocated more than its
supply (also below one dwelling), the warning when only one side of the market exists, and the
input field each malformed argument is reported as.
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.housing import HousingMarketParams, housing_market_step
from regbef_excel.engine.inputs import N_AGES
from regbef_excel.errors import InputError

K, B = 3, 2


def _movers(per_zone) -> np.ndarray:
    x = np.zeros((K, 2, N_AGES))
    x[:, 0, 30] = per_zone  # everybody aged 30, men: need 1 each
    return x


def _args(scale: float = 1.0, **over) -> dict:
    profile = np.ones((2, N_AGES))
    args = dict(
        bolmas=np.array([100.0, 50.0, 80.0]) * scale,
        bolbeh=np.array([90.0, 60.0, 80.0]) * scale,   # over 10, under 10, balanced
        riuf=_movers(np.array([4.0, 6.0, 2.0]) * scale),
        riif=_movers(np.array([3.0, 1.0, 0.5]) * scale),
        need_rate=np.ones((2, N_AGES)),
        building_capacity=np.array([[2.0, 1.0], [0.0, 0.0], [1.0, 0.0]]) * scale,
        distances=np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 2.0], [3.0, 2.0, 1.0]]),
        params=HousingMarketParams(),
        ebfamin=np.array([2.0, 2.2, 1.8]),
        ebratin=profile,
        bffam=np.array([2.5, 1.5]),
        bfrat=np.stack([profile, profile]),
    )
    args.update(over)
    return args


def _supply_demand(a: dict) -> tuple[np.ndarray, np.ndarray]:
    p = a["params"]
    bolut = a["riuf"].sum(axis=(1, 2))
    bolin = a["riif"].sum(axis=(1, 2))
    til = np.maximum(a["bolmas"] - a["bolbeh"], 0) * p.bolled + bolin * p.boleks + a["building_capacity"].sum(axis=1)
    ett = np.maximum(a["bolbeh"] - a["bolmas"], 0) + bolut * p.boleks
    return til, ett


def test_supply_demand_and_attractiveness_with_job_growth():
    params = HousingMarketParams(a1=1.0, a2=0.3, a3=0.7)
    a = _args(params=params, jobs_prev=np.array([100.0, 200.0, 50.0]), jobs=np.array([110.0, 195.0, 50.0]))
    r = housing_market_step(**a)
    til, ett = _supply_demand(a)
    np.testing.assert_allclose(r.til, til, rtol=1e-14)
    np.testing.assert_allclose(r.ett, ett, rtol=1e-14)
    growth = np.array([10.0, 0.0, 0.0])  # falling jobs do not repel
    np.testing.assert_allclose(r.att, 1.0 * til + 0.3 * ett + 0.7 * growth, rtol=1e-14)


def test_simple_mode_constrains_every_zone_with_supply_even_below_one_dwelling():
    # Zone 2 offers 0.5 dwellings (its in-movers' freed dwellings): still a supply zone.
    a = _args(riif=_movers([3.0, 1.0, 0.5]), building_capacity=np.array([[2.0, 1.0], [0.0, 0.0], [0.0, 0.0]]))
    r = housing_market_step(**a)
    assert r.til[2] == pytest.approx(0.5)
    assert r.constrained.tolist() == [True, True, True]
    # demand ≥ supply: every supply zone gets exactly its supply
    np.testing.assert_allclose(r.moves.sum(axis=0), r.til, rtol=1e-8)


@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_advanced_mode_meets_demand_and_never_overfills_an_unconstrained_zone(scale):
    # Zone 1 has little supply but a large demand, which with A2 > 0 makes it attractive: the
    # first, singly constrained round over-allocates it, so it must become constrained. At
    # scale 0.01 the over-allocation is below one dwelling and must still be caught.
    params = HousingMarketParams(mode="advanced", a1=0.2, a2=3.0, beta=0.5)
    a = _args(scale=scale, params=params,
              bolmas=np.array([140.0, 58.0, 95.0]) * scale, bolbeh=np.array([90.0, 60.0, 80.0]) * scale,
              building_capacity=np.array([[5.0, 3.0], [0.0, 0.0], [4.0, 0.0]]) * scale)  # fmt: skip
    r = housing_market_step(**a)
    assert r.til.sum() >= r.ett.sum()
    np.testing.assert_allclose(r.moves.sum(axis=1), r.ett, rtol=1e-8)
    col = r.moves.sum(axis=0)
    assert r.constrained[1]
    np.testing.assert_allclose(col[r.constrained], r.til[r.constrained], rtol=1e-8)
    assert np.all(col <= r.til * (1 + 1e-9) + 1e-12)


def test_one_sided_market_moves_nobody_and_says_so():
    a = _args(riuf=_movers([0.0, 0.0, 0.0]), bolbeh=np.array([90.0, 40.0, 80.0]))
    r = housing_market_step(**a)
    assert r.ett.sum() == 0 and r.til.sum() > 0
    assert not r.moves.any() and not r.constrained.any()
    assert any("no supply or no demand" in w for w in r.warnings)
    quiet = housing_market_step(**_args(riuf=_movers([0.0] * 3), riif=_movers([0.0] * 3),
                                        bolbeh=np.array([100.0, 50.0, 80.0]),
                                        building_capacity=np.zeros((K, B))))  # fmt: skip
    assert quiet.warnings == ()


def _negative(x):
    y = np.array(x, dtype=float, copy=True)
    y.flat[0] = -1.0
    return y


@pytest.mark.parametrize(
    ("arg", "table"),
    [
        ("bolmas", "dwellings (BOLMAS)"),
        ("bolbeh", "housing need (BOLBEH)"),
        ("riuf", "internal out-migration (RIUF)"),
        ("riif", "internal in-migration (RIIF)"),
        ("need_rate", "housing need per person"),
        ("building_capacity", "building capacity (BOLBR)"),
        ("ebfamin", "family size EBFAMIN"),
        ("bffam", "family size BFFAM"),
        ("bfrat", "new-dwelling profiles (BFRAT)"),
        ("ebratin", "in-migration profile (EBRATIN)"),
    ],
)
def test_a_negative_input_is_reported_as_its_field(arg, table):
    a = _args()
    a[arg] = _negative(a[arg])
    with pytest.raises(InputError) as e:
        housing_market_step(**a)
    assert e.value.location.table == table


def test_negative_jobs_are_reported_as_jobs():
    a = _args(params=HousingMarketParams(a3=0.5), jobs_prev=np.ones(K), jobs=np.array([1.0, -2.0, 1.0]))
    with pytest.raises(InputError) as e:
        housing_market_step(**a)
    assert e.value.location.table == "jobs (ARBPL)"


@pytest.mark.parametrize(("arg", "table"), [("ebratin", "in-migration profile (EBRATIN)"),
                                            ("bfrat", "new-dwelling profiles (BFRAT)")])
def test_a_profile_that_is_zero_at_every_age_names_its_zone(arg, table):
    a = _args()
    if arg == "ebratin":
        p = np.ones((K, 2, N_AGES))
        p[1] = 0.0
    else:
        p = np.ones((B, 2, N_AGES))
        p[1] = 0.0
    a[arg] = p
    with pytest.raises(InputError) as e:
        housing_market_step(**a)
    assert e.value.location.table == table
    assert e.value.location.row == 1
