"""Checks of the labour-market inputs (handbook §3.8, §3.14; docs/model.md "Labour market").

Hand-set values: age-group bounds beyond the last age, participation rates that are missing or
negative on their own, the external distance of each distance function, and the value an
out-of-range parameter error reports.
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.inputs import N_AGES
from regbef_excel.engine.labour import LabourMarketParams, expand_age_groups, labour_supply
from regbef_excel.errors import InputError


def test_age_groups_beyond_the_last_age_are_refused():
    """Group bounds must lie within 0..A−1; a last bound beyond the oldest age is refused even
    when the other bounds are fine."""
    with pytest.raises(InputError, match="age-group lower bounds"):
        expand_age_groups([0.1, 0.5, 0.7], [15, 20, N_AGES + 5])


def _pop() -> np.ndarray:
    return np.full((2, 2, N_AGES), 10.0)


@pytest.mark.parametrize("bad", [np.nan, -0.1], ids=["missing", "negative"])
def test_a_bad_participation_rate_alone_is_refused(bad):
    """§3.8: a missing or negative participation rate is an input error even when the level
    factors are fine."""
    rat = np.full((2, N_AGES), 0.5)
    rat[1, 40] = bad
    with pytest.raises(InputError) as e:
        labour_supply(_pop(), rat, 1.0, np.ones(2))
    assert e.value.location.table == "participation"


def test_exponential_function_refuses_a_negative_external_distance():
    """The external distance must be >= 0 with the exponential function (> 0 with power)."""
    with pytest.raises(InputError) as e:
        LabourMarketParams(distance_function="exponential", external_distance=-5.0).validate(3)
    assert e.value.location.column == "EXTERNAL_DISTANCE"
    LabourMarketParams(distance_function="exponential", external_distance=0.0).validate(3)


def test_power_function_refuses_a_zero_external_distance():
    """With the power function d^−β a zero external distance has no deterrence value."""
    with pytest.raises(InputError) as e:
        LabourMarketParams(distance_function="power", external_distance=0.0).validate(3)
    assert e.value.location.column == "EXTERNAL_DISTANCE"


def test_parameter_error_reports_the_value_found():
    """An out-of-range parameter names its column and reports the value found."""
    with pytest.raises(InputError) as e:
        LabourMarketParams(tov=1.5).validate()
    assert e.value.location.column == "TOV"
    assert e.value.found == 1.5
