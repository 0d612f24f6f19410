"""Edge cases of the hybrid gravity model (handbook §3.17–3.21): mask forms, empty origins, zero rows.

Expected values come from the model's definition: rows sum to the origins, constrained columns to
their destinations, and a zone with nothing to send gets a zero row while the others solve the
same problem as without it.
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.gravity import hybrid
from regbef_excel.errors import InputError

D = np.array([[1.0, 2.0, 4.0], [2.0, 1.0, 3.0], [4.0, 3.0, 1.0]])
F = np.exp(-0.3 * D)


def test_an_integer_zero_one_mask_is_the_boolean_mask():
    o, d, w = np.array([50.0, 30.0, 20.0]), np.array([40.0, 0.0, 25.0]), np.array([1.0, 2.0, 1.5])
    as_bool = hybrid(o, d, w, F, np.array([True, False, True]))
    as_int = hybrid(o, d, w, F, np.array([1, 0, 1]))
    np.testing.assert_allclose(as_int, as_bool, rtol=1e-12)
    np.testing.assert_allclose(as_bool.sum(axis=1), o, rtol=1e-9)
    np.testing.assert_allclose(as_bool[:, [0, 2]].sum(axis=0), [40.0, 25.0], rtol=1e-9)
    with pytest.raises(InputError):
        hybrid(o, d, w, F, np.array([2, 0, 1]))


def test_demand_for_constrained_zones_without_any_origin_is_infeasible():
    with pytest.raises(InputError, match="infeasible"):
        hybrid(np.zeros(3), np.array([0.5, 0.0, 0.0]), np.ones(3), F, np.array([True, False, False]))
    # no origins and only unconstrained destinations: nothing moves
    assert not hybrid(np.zeros(3), np.zeros(3), np.ones(3), F, np.array([False, False, False])).any()


def test_a_zone_with_nothing_to_send_gets_a_zero_row_and_leaves_the_rest_unchanged():
    o = np.array([50.0, 0.0, 20.0])
    d, w = np.array([30.0, 0.0, 25.0]), np.array([1.0, 2.0, 1.5])
    mask = np.array([True, False, True])
    full = hybrid(o, d, w, F, mask, tol=1e-12)
    assert not full[1].any()
    sub = hybrid(o[[0, 2]], d, w, F[[0, 2]], mask, tol=1e-12)
    np.testing.assert_allclose(full[[0, 2]], sub, rtol=1e-9)
    np.testing.assert_allclose(full.sum(axis=1), o, rtol=1e-9)
