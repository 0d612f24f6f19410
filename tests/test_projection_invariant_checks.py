"""The invariants asserted every projection year (docs/model.md "Invariants asserted every year,
every zone"; spec §2):

* the balancing equation BEF[t] − BEF[t−1] = FOD − DOD − EUF + EIFU + EIFN − IUF + IIF − leavers
  per zone, to 1e-6 persons;
* Σ_k IIF[k, s, a] = Σ_k IUF[k, s, a] for every sex and age (to 1e-6 of the flow);
* no negative cell (below −1e-6 persons).

A violation raises InvariantError naming the year and the zone (and sex and age for a negative
cell). The year's arrays are built here by hand so that every identity holds exactly; each test
then breaks one of them by a known amount.
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.projection import _check_year
from regbef_excel.errors import InvariantError

K, A1 = 3, 100
CODES = ("Z001", "Z002", "Z003")


def _year():
    rng = np.random.default_rng(7)
    old = rng.uniform(5.0, 50.0, (K, 2, A1))
    dod = rng.uniform(0.0, 0.5, (K, 2, A1))
    euf = rng.uniform(0.0, 0.5, (K, 2, A1))
    iuf = rng.uniform(0.0, 1.0, (K, 2, A1))
    iuf[:, 1, 99] = 0.0  # nobody aged 99+ moves within the region (used by the tolerance tests)
    iuf[:, 0, 50] = [2.0, 3.0, 5.0]  # 10 internal movers: men aged 50
    iif = np.roll(iuf, 1, axis=0)  # the same persons arrive elsewhere: Σ_k IIF = Σ_k IUF exactly
    eifu = rng.uniform(0.0, 0.5, (K, 2, A1))
    eifn = rng.uniform(0.0, 0.5, (K, 2, A1))
    fod = rng.uniform(10.0, 20.0, K)
    leavers = np.zeros((K, 2))
    new = old - dod - euf - iuf + eifu + eifn + iif
    new[:, 0, 0] += fod / 2
    new[:, 1, 0] += fod / 2
    return dict(
        old=old,
        new=new,
        fod=fod,
        dod=dod,
        euf=euf,
        iuf=iuf,
        eifu=eifu,
        eifn=eifn,
        iif=iif,
        leavers=leavers,
    )


def _check(y):
    _check_year(
        2030,
        y["old"],
        y["new"],
        y["fod"],
        y["dod"],
        y["euf"],
        y["iuf"],
        y["eifu"],
        y["eifn"],
        y["iif"],
        y["leavers"],
        CODES,
    )


def test_consistent_year_passes():
    _check(_year())


def test_leavers_count_in_the_balancing_equation():
    y = _year()
    y["leavers"][1] = [3.0, 4.0]
    y["new"][1, 0, 99] -= 7.0
    _check(y)
    y["leavers"][1] = [0.0, 0.0]
    with pytest.raises(InvariantError, match="zone Z002"):
        _check(y)


@pytest.mark.parametrize("zone", [0, 2])
def test_half_a_person_missing_breaks_the_balancing_equation(zone):
    y = _year()
    y["new"][zone, 1, 40] -= 0.5
    with pytest.raises(
        InvariantError, match=f"2030: balancing equation fails for zone {CODES[zone]}"
    ):
        _check(y)


@pytest.mark.parametrize(
    "component, sign", [("fod", 1), ("dod", -1), ("euf", -1), ("eifu", 1), ("eifn", 1)]
)
def test_every_component_enters_the_balancing_equation_with_its_sign(component, sign):
    y = _year()
    if component == "fod":
        y["fod"][1] += 2.0
    else:
        y[component][1, 0, 30] += 2.0
    y["new"][1, 0, 30] += sign * 2.0
    _check(y)  # the new population accounts for the extra flow
    y["new"][1, 0, 30] -= 2 * sign * 2.0  # the flow counted with the wrong sign
    with pytest.raises(InvariantError, match="zone Z002"):
        _check(y)


def test_balancing_tolerance_is_a_millionth_of_a_person():
    y = _year()
    y["new"][1, 0, 40] += 3e-7
    _check(y)
    y["new"][1, 0, 40] += 3e-6
    with pytest.raises(InvariantError, match="balancing equation"):
        _check(y)


def test_internal_in_and_out_must_agree_for_every_sex_and_age():
    y = _year()
    # one in-migrant more in zone 0 (the zone balance still holds: the person is in BEF[t])
    y["iif"][0, 1, 30] += 1e-3
    y["new"][0, 1, 30] += 1e-3
    with pytest.raises(
        InvariantError, match="internal in-migration differs from internal out-migration"
    ):
        _check(y)


def test_internal_in_out_tolerance():
    y = _year()
    y["iif"][0, 1, 30] += 3e-7
    y["new"][0, 1, 30] += 3e-7
    _check(y)


def test_negative_cell_is_refused_with_its_zone_sex_and_age():
    y = _year()
    # zone 2, women aged 80: −1e-5 persons; zone 2 stays balanced (the persons are elsewhere)
    y["new"][2, 1, 81] += y["new"][2, 1, 80] + 1e-5
    y["new"][2, 1, 80] = -1e-5
    with pytest.raises(
        InvariantError, match="2030: negative population .* in zone Z003, sex 1, age 80"
    ):
        _check(y)


def test_round_off_below_zero_is_accepted():
    y = _year()
    y["new"][2, 1, 81] += y["new"][2, 1, 80] + 5e-7
    y["new"][2, 1, 80] = -5e-7
    _check(y)


def _with_empty_zone(y):
    """Zone 2 has nobody and no flows (its sums are exact zeros)."""
    for name in ("old", "new", "dod", "euf", "eifu", "eifn", "iuf", "iif"):
        y[name][2] = 0.0
    y["fod"][2] = 0.0
    y["iif"][0] = y["iuf"][1]  # zone 1's out-migrants now arrive in zone 0
    y["new"][0] = (
        y["old"][0]
        - y["dod"][0]
        - y["euf"][0]
        - y["iuf"][0]
        + y["eifu"][0]
        + y["eifn"][0]
        + y["iif"][0]
    )
    y["new"][0, :, 0] += y["fod"][0] / 2
    return y


def test_balancing_tolerance_boundary_is_one_millionth_exactly():
    # an empty zone gains exactly 1e-6 persons from nowhere: accepted; 1.5e-6: refused
    y = _with_empty_zone(_year())
    _check(y)
    y["new"][2, 0, 99] = 1e-6
    _check(y)
    y["new"][2, 0, 99] = 1.5e-6
    with pytest.raises(InvariantError, match="zone Z003"):
        _check(y)


def _with_huge_zone(y):
    """Zone 0 becomes 2·10¹² persons in one cell, with no flows (all its sums are exact)."""
    for name in ("old", "new", "dod", "euf", "eifu", "eifn"):
        y[name][0] = 0.0
    y["iuf"][0] = 0.0
    y["iif"][1] = y["iuf"][2]  # zone 2's out-migrants now arrive in zone 1, none in zone 0
    y["iif"][0] = 0.0
    y["new"][1] = (
        y["old"][1]
        - y["dod"][1]
        - y["euf"][1]
        - y["iuf"][1]
        + y["eifu"][1]
        + y["eifn"][1]
        + y["iif"][1]
    )
    y["new"][1, :, 0] += y["fod"][1] / 2
    y["old"][0, 0, 50] = y["new"][0, 0, 50] = 2e12
    y["fod"][0] = 0.0
    return y


def test_balancing_tolerance_is_relative_above_a_million_million_persons():
    # tolerance 1e-6 · max(1, 1e-12 · the zone's own population): 2e-6 persons in a zone of
    # 2·10¹² persons; 1.5e-6 births not in the population are accepted there
    y = _with_huge_zone(_year())
    _check(y)
    y["fod"][0] = 1.5e-6
    _check(y)
    y["fod"][0] = 2.5e-6
    with pytest.raises(InvariantError, match="zone Z001"):
        _check(y)


def test_balancing_tolerance_of_a_small_zone_ignores_a_huge_neighbour():
    y = _with_huge_zone(_year())
    y["new"][2, 1, 40] += 1.5e-6  # zone 2 (a few thousand persons): tolerance 1e-6
    with pytest.raises(InvariantError, match="zone Z003"):
        _check(y)


@pytest.mark.parametrize("delta, refused", [(1e-6, False), (1.5e-6, True), (1e-4, True)])
def test_internal_in_out_tolerance_without_movers_is_a_millionth_of_a_person(delta, refused):
    # women aged 99+: nobody moves out; delta in-migrants in zone 0 from nowhere
    y = _year()
    y["iif"][0, 1, 99] = delta
    y["new"][0, 1, 99] += delta
    if refused:
        with pytest.raises(InvariantError, match="internal in-migration differs"):
            _check(y)
    else:
        _check(y)


def test_internal_in_out_tolerance_is_relative_to_the_movers():
    # men aged 50: 10 internal movers, tolerance 1e-5 persons
    y = _year()
    y["iif"][0, 0, 50] += 3e-6
    y["new"][0, 0, 50] += 3e-6
    _check(y)
    y["iif"][0, 0, 50] += 2e-5
    y["new"][0, 0, 50] += 2e-5
    with pytest.raises(InvariantError, match="internal in-migration differs"):
        _check(y)


def test_negative_cell_of_exactly_minus_a_millionth_is_accepted():
    y = _year()
    y["new"][2, 1, 81] += y["new"][2, 1, 80] + 1e-6
    y["new"][2, 1, 80] = -1e-6
    _check(y)
