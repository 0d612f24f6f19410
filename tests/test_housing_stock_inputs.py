"""The housing stock's inputs (handbook §2.5, §3.16.1.1.1–2, §3.17; docs/model.md "Housing").

Hand-set two-zone stocks: the tables the base stock is given in (named in their errors,
scaled to the total, mean rooms per class), equal type shares for an empty zone, demolition
shares given per zone × construction period for one year (as the stock's own default allows),
building of the wrong shape refused and named, the base-year level factor refusing a stock
with the wrong number of zones, the tolerance of a stock that must sum to its total, and the
housing market's distance functions.
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.housing import (
    STOCK_ATOL,
    HousingMarketParams,
    HousingStock,
    housing_need_level,
    need_rates,
)
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


def test_empty_zone_builds_in_equal_type_shares():
    """A zone with no dwellings in the base year has no type mix to follow: its building is
    split equally over the house types (1/H each)."""
    st = HousingStock(np.array([[60.0, 40.0], [0.0, 0.0]]),
                      by_type=np.array([[70.0, 20.0, 10.0], [0.0, 0.0, 0.0]]))
    st.build([10.0, 9.0])
    np.testing.assert_allclose(st.new_type, [[7.0, 2.0, 1.0], [3.0, 3.0, 3.0]], rtol=1e-15)


def test_stock_by_rooms_is_scaled_to_the_period_total():
    """Stock by rooms that misses the total by less than half a dwelling is scaled to it, so
    the stock by rooms and by period describe the same dwellings."""
    st = HousingStock(BY_PERIOD, by_rooms=np.array([[20.0, 30.0, 49.6], [10.0, 40.0, 50.0]]))
    np.testing.assert_allclose(st.by_rooms.sum(axis=1), [100.0, 100.0], rtol=1e-15)
    np.testing.assert_allclose(st.by_rooms[0], np.array([20.0, 30.0, 49.6]) * 100.0 / 99.6, rtol=1e-15)


def test_mean_rooms_defaults_to_one_two_three_rooms():
    """DWZ (handbook §2.2.1): without rooms per class the classes hold 1, 2, …, R rooms."""
    st = HousingStock(BY_PERIOD, by_rooms=np.array([[20.0, 30.0, 50.0], [10.0, 40.0, 50.0]]))
    np.testing.assert_allclose(st.mean_rooms(), [2.3, 2.4], rtol=1e-15)


def test_rooms_per_class_of_the_wrong_length_is_named():
    """Rooms per class needs one value per rooms class."""
    with pytest.raises(InputError) as e:
        HousingStock(BY_PERIOD, by_rooms=np.array([[20.0, 30.0, 50.0], [10.0, 40.0, 50.0]]),
                     rooms_per_class=[1.0, 2.0])
    assert e.value.location.table == "rooms per class"


@pytest.mark.parametrize(("field", "bad", "table"), [
    ("total", np.array([120.0, 100.0]), "dwellings by construction period"),
    ("by_type", np.array([[50.0, 50.0], [-1.0, 101.0]]), "dwellings by house type"),
    ("by_type", np.array([[50.0, 40.0], [50.0, 50.0]]), "dwellings by house type"),
    ("by_rooms", np.array([[50.0, 50.0], [-1.0, 101.0]]), "dwellings by rooms"),
    ("by_rooms", np.array([[50.0, 40.0], [50.0, 50.0]]), "dwellings by rooms"),
], ids=["period-sum", "type-negative", "type-sum", "rooms-negative", "rooms-sum"])
def test_base_stock_errors_name_the_table(field, bad, table):
    """A negative value or parts that do not sum to the total name the table the planner
    filled in (the stock by construction period, house type or rooms)."""
    with pytest.raises(InputError) as e:
        HousingStock(BY_PERIOD, **{field: bad})
    assert e.value.location.table == table


def test_negative_civil_status_share_names_sivrat():
    """A negative civil-status share is reported under the handbook's name SIVRAT."""
    sivrat = np.full((2, 14, 4), 0.25)
    sivrat[1, 3, 2] = -0.1
    with pytest.raises(InputError) as e:
        need_rates(sivrat, np.full((2, 14, 4), 0.5))
    assert e.value.location.table == "civil-status shares (SIVRAT)"


@pytest.mark.parametrize("form", ["power", "exponential"])
def test_housing_market_accepts_both_distance_functions(form):
    """§3.17.1.1.5: the housing market's distance function is power or exponential."""
    assert HousingMarketParams(distance_function=form).validate().distance_function == form
