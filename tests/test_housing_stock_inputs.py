"""The housing stock's yearly inputs (handbook §3.16.1.1.1–2, §3.17; docs/model.md "Housing").

Hand-set two-zone stocks: demolition shares given per zone × construction period for one year
(as the stock's own default allows), building of the wrong shape refused and named, the shares
of building by rooms named in their error, the base-year level factor refusing a stock with
the wrong number of zones, and the tolerance of a stock that must sum to its total.
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.housing import STOCK_ATOL, HousingStock, housing_need_level
from regbef_excel.engine.inputs import N_AGES
from regbef_excel.errors import InputError

BY_PERIOD = np.array([[60.0, 40.0], [30.0, 70.0]])


def test_one_years_demolition_by_zone_and_period():
    """§3.16.1.1.1: a year's AVGE may be given per zone × construction period, like the
    default: old ← old·(1 − AVGE_{k,p})."""
    st = HousingStock(BY_PERIOD)
    avge = np.array([[0.10, 0.0], [0.0, 0.50]])
    available, demolition = st.demolish(avge=avge)
    np.testing.assert_allclose(st.old, [[54.0, 40.0], [30.0, 35.0]], rtol=1e-15)
    np.testing.assert_allclose(demolition, [6.0, 35.0], rtol=1e-15)
    np.testing.assert_allclose(available, [94.0, 65.0], rtol=1e-15)


@pytest.mark.parametrize("building", [[5.0], [1.0, 2.0, 3.0], 4.0], ids=["too-few", "too-many", "scalar"])
def test_building_of_the_wrong_shape_is_refused_and_named(building):
    """Building is one value per zone; anything else is an input error naming the field."""
    st = HousingStock(BY_PERIOD, by_type=np.array([[50.0, 50.0], [80.0, 20.0]]))
    with pytest.raises(InputError) as e:
        st.build(building)
    assert e.value.location.table == "building"
    assert "building has the wrong shape" in str(e.value)


def test_room_shares_of_the_wrong_shape_name_the_field():
    """Shares of building by rooms of the wrong shape are reported as "building by rooms
    (shares)", the field the planner filled in."""
    st = HousingStock(BY_PERIOD, by_rooms=np.array([[20.0, 30.0, 50.0], [10.0, 40.0, 50.0]]))
    with pytest.raises(InputError) as e:
        st.build([1.0, 2.0], room_shares=np.ones((2, 2)))
    assert e.value.location.table == "building by rooms (shares)"
    assert "building by rooms (shares) has the wrong shape" in str(e.value)


@pytest.mark.parametrize("per_zone", [True, False])
@pytest.mark.parametrize("stock", [[100.0], [100.0, 80.0, 60.0], 100.0], ids=["too-few", "too-many", "scalar"])
def test_level_factor_refuses_a_stock_with_the_wrong_number_of_zones(stock, per_zone):
    """§3.17: the base-year level factor compares need and stock zone by zone, so the stock
    must have one value per zone of the population."""
    pop = np.zeros((2, 2, N_AGES))
    pop[:, :, 30:60] = 10.0
    sivrat = np.full((2, 14, 4), 0.25)
    bolrat = np.full((2, 14, 4), 0.5)
    with pytest.raises(InputError) as e:
        housing_need_level(pop, sivrat, bolrat, stock, per_zone=per_zone)
    assert e.value.location.table == "dwellings total"


def test_parts_may_differ_from_the_total_by_half_a_dwelling():
    """The stock by construction period must sum to the given total within ±STOCK_ATOL (half a
    dwelling, rounding of whole-dwelling counts): exactly half a dwelling is accepted, as the
    workbook reader accepts it; more is refused and names the zone."""
    assert STOCK_ATOL == 0.5
    HousingStock(np.array([[60.0, 40.0], [0.5, 0.0]]), total=np.array([100.0, 0.0]))
    with pytest.raises(InputError) as e:
        HousingStock(np.array([[60.0, 40.0], [0.75, 0.0]]), total=np.array([100.0, 0.0]))
    assert e.value.location.row == 1
