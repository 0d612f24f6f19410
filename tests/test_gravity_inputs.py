"""Inputs and iteration budget of the gravity models (handbook §3.14.1.1.2, §3.17.1.1.5–6;
docs/model.md "Gravity models").

Hand-set three-zone problems: which deterrence cells are refused and which one the error names,
idle origins and destinations (zero total) whose deterrence is all zero, distances that are
missing or given as text, the iterations a separable problem needs,
and the row-sum error a ConvergenceError reports (worked out here from one Furness step).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from regbef_excel.engine.gravity import (
    doubly_constrained,
    exponential_deterrence,
    hybrid,
    power_deterrence,
)
from regbef_excel.errors import ConvergenceError, InputError

ORIG = np.array([30.0, 50.0, 20.0])
D = np.array([40.0, 25.0, 35.0])
F = np.array([[1.0, 0.5, 0.2], [0.4, 1.0, 0.6], [0.1, 0.3, 1.0]])


def test_negative_finite_deterrence_is_refused():
    """f_ij ≥ 0: a negative (finite) deterrence cell is an input error naming the cell."""
    f = F.copy()
    f[1, 2] = -0.5
    with pytest.raises(InputError, match=r"deterrence f\[1, 2\] must be finite and >= 0"):
        doubly_constrained(ORIG, D, f)


def test_error_names_the_bad_deterrence_cell_not_a_small_one():
    """The error names the first missing or negative cell; cells below 1 are valid."""
    f = F.copy()
    f[2, 1] = np.nan
    with pytest.raises(InputError, match=r"deterrence f\[2, 1\]") as e:
        doubly_constrained(ORIG, D, f)
    assert e.value.location.row == 2


def test_idle_origin_with_zero_deterrence_is_not_infeasible():
    """An origin with zero total gets nothing, whatever its deterrence: a zero row of f there
    is not an infeasible problem (doubly constrained and hybrid)."""
    o = np.array([60.0, 40.0, 0.0])
    f = F.copy()
    f[2, :] = 0.0
    T = doubly_constrained(o, D, f)
    np.testing.assert_allclose(T.sum(axis=1), o, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(T.sum(axis=0), D, rtol=1e-8)
    H = hybrid(o, np.array([40.0, 25.0, 0.0]), np.array([0.0, 0.0, 2.0]), f,
               np.array([True, True, False]))
    np.testing.assert_allclose(H.sum(axis=1), o, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(H[:, :2].sum(axis=0), [40.0, 25.0], rtol=1e-8)


def test_idle_destination_with_zero_deterrence_is_not_infeasible():
    """A destination with zero demand receives nothing: a zero column of f there is not an
    infeasible problem."""
    d = np.array([55.0, 45.0, 0.0])
    f = F.copy()
    f[:, 2] = 0.0
    T = doubly_constrained(ORIG, d, f)
    np.testing.assert_allclose(T.sum(axis=1), ORIG, rtol=1e-8)
    np.testing.assert_allclose(T.sum(axis=0), d, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("deterrence", [power_deterrence, exponential_deterrence])
def test_missing_distance_names_both_zones(deterrence):
    """A missing distance (an empty cell, None) is an input error naming zones i and j."""
    d = [[1.0, 2.0, 3.0], [2.0, 1.0, None], [3.0, 2.0, 1.0]]
    with pytest.raises(InputError, match="distance from zone 1 to zone 2 is missing") as e:
        deterrence(d, 1.0)
    assert (e.value.location.row, e.value.location.column) == (1, "2")


def test_distances_given_as_numeric_text_are_numbers():
    """Distances read as numeric text give the same deterrence as the numbers."""
    d = [["1", "2.5"], ["2.5", "1"]]
    np.testing.assert_allclose(power_deterrence(d, 2.0), [[1.0, 0.16], [0.16, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(exponential_deterrence(d, 1.0), np.exp(-np.array([[1.0, 2.5], [2.5, 1.0]])),
                               rtol=1e-15)


def test_separable_deterrence_balances_in_the_first_steps():
    """With a separable deterrence f_ij = u_i·v_j one column scaling makes every margin exact,
    so T = O·Dᵀ / ΣO (equal totals). The first iteration starts from the column weights D_j and
    is already exact when f depends on the origin only (max_iter=1); otherwise the second
    iteration confirms the fixed point (max_iter=2)."""
    for f, budget in ((np.outer([1.0, 2.0, 0.5], [1.0, 1.0, 1.0]), 1),
                      (np.outer([1.0, 2.0, 0.5], [0.3, 1.0, 0.7]), 2)):
        T = doubly_constrained(ORIG, D, f, max_iter=budget)
        np.testing.assert_allclose(T, np.outer(ORIG, D) / ORIG.sum(), rtol=1e-12)


def test_convergence_error_reports_the_row_sum_error_of_the_last_step():
    """When max_iter runs out the error reports the largest row-sum error of the last plain
    Furness step: rows scaled to O, then columns to D; here one step (max_iter=1)."""
    rows = ORIG / (F @ D)
    T0 = rows[:, None] * F * D[None, :]          # rows sum to ORIG
    T1 = T0 * (D / T0.sum(axis=0))[None, :]      # columns sum to D
    err = float(np.abs(T1.sum(axis=1) - ORIG).max())
    assert err > 1e-3 * ORIG.sum()
    with pytest.raises(ConvergenceError) as e:
        doubly_constrained(ORIG, D, F, max_iter=1)
    m = re.search(r"largest row-sum error ([0-9.eE+-]+), ([0-9.eE+-]+) of the total", str(e.value))
    assert m, str(e.value)
    assert m.group(1) == f"{err:.3g}"
    assert m.group(2) == f"{err / ORIG.sum():.3g}"
