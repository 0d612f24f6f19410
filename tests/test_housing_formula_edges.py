"""Edges of the housing formulas (handbook §2.5.1, §3.4): zero and fractional stocks, first-age
medians, the error each malformed input raises and the field it names.

Each test pins a value or a location that a plausible slip in :mod:`regbef_excel.engine.housing`
would change (a strict/weak inequality swapped, a guard dropped, the wrong field named).
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.housing import (
    HadwigerRegression,
    base_stock_by_period,
    hadwiger_coefficients,
    median_age,
    zone_demolition_share,
)
from regbef_excel.errors import InputError


def test_base_stock_names_the_negative_field():
    with pytest.raises(InputError) as e:
        base_stock_by_period([[10.0, -1.0, 3.0, 4.0]], np.zeros((1, 35)), [0.01] * 5, 2025)
    assert e.value.location.table == "stock_1990"
    assert e.value.found == -1.0


def test_base_stock_refuses_building_years_that_do_not_match_the_base_year():
    # 2025 − 1990 = 35 completion years are needed; 36 is an input error naming the table,
    # not a numpy shape error deep in the matrix product.
    with pytest.raises(InputError) as e:
        base_stock_by_period([[10.0, 2.0, 3.0, 4.0]], np.ones((1, 36)), [0.01] * 5, 2025)
    assert e.value.location.table == "building_since_1990"


def test_zone_demolition_share_zero_and_fractional_stock():
    avg = np.array([0.02, 0.01, 0.005])
    s = np.array([[0.0, 0.0, 0.0],       # no stock: unweighted mean
                  [0.25, 0.25, 0.0],     # total 0.5 (below one dwelling): still the weighted mean
                  [10.0, 0.0, 30.0]])
    got = zone_demolition_share(s, avg)
    np.testing.assert_allclose(got, [avg.mean(), 0.015, (10 * 0.02 + 30 * 0.005) / 40], rtol=1e-14)


def test_zone_demolition_share_names_the_negative_field():
    with pytest.raises(InputError) as e:
        zone_demolition_share([[1.0, -2.0]], [0.01, 0.02])
    assert e.value.location.table == "stock_by_period"


def test_median_age_when_the_youngest_age_holds_half():
    # All women aged 15..44 are 15: spread over [15, 16), the median is 15.5.
    pop = np.zeros(100)
    pop[15] = 200.0
    assert median_age(pop) == pytest.approx(15.5, abs=1e-12)
    # 60 % at 15, 40 % at 16: half lies at 15 + 50/60.
    pop[15], pop[16] = 60.0, 40.0
    assert median_age(pop) == pytest.approx(15 + 50 / 60, abs=1e-12)


def test_median_age_per_zone_equals_each_zone_alone():
    rng = np.random.default_rng(3)
    pops = rng.uniform(0, 100, size=(4, 100))
    pops[2, 15:30] = 0.0  # a zone whose median lies in the older half
    both = median_age(pops)
    np.testing.assert_allclose(both, [median_age(p) for p in pops], rtol=1e-14)
    assert np.isnan(median_age(np.zeros(100)))


def test_hadwiger_coefficients_accept_a_zero_level():
    # HDWA = 0 (no births) is possible, HDWB and HDWC must be positive (handbook §3.4).
    c = HadwigerRegression(a_const=0.0, a_dwz=0.0, a_newh=0.0, a_inc=0.0)
    a, b, cc = hadwiger_coefficients(3.0, 100.0, 300.0, 30.0, coef=c)
    assert float(a) == 0.0 and float(b) > 0 and float(cc) > 0


def test_hadwiger_coefficients_name_the_first_impossible_zone():
    c = HadwigerRegression(b_const=-1000.0)
    with pytest.raises(InputError) as e:
        hadwiger_coefficients([3.0, 3.0], [100.0, 100.0], [300.0, 300.0], [30.0, 30.0], coef=c)
    assert "HDWB at (0,)" in str(e.value)
    assert e.value.found < 0
