"""The reporting matrix of internal migration in variants 1, 2 and 6 (docs/model.md, "Internal
migration matrix"): each zone's internal out- and in-migrants allocated to zone pairs by a doubly
constrained model with exp(−0.05·d), no moves within a zone, and a proportional allocation where
the margins cannot be met without the diagonal.

Expected values come from an iterative proportional fitting written here (plain row/column
scaling, no acceleration) or from hand computation, never from the engine's gravity code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel.engine.allocation import (
    allocate_internal_migration,
    allocate_zone_pairs,
    allocation_deterrence,
)
from regbef_excel.engine.projection import project


def _ipf(out_tot, in_tot, f, iters: int = 20_000, tol: float = 1e-14) -> np.ndarray:
    """Doubly constrained T_ij = A_i·B_j·f_ij with row sums out_tot and column sums in_tot."""
    out_tot = np.asarray(out_tot, float)
    in_tot = np.asarray(in_tot, float)
    T = np.array(f, dtype=float)
    for _ in range(iters):
        r = T.sum(axis=1)
        T = T * np.where(r > 0, out_tot / np.where(r > 0, r, 1.0), 0.0)[:, None]
        c = T.sum(axis=0)
        T = T * np.where(c > 0, in_tot / np.where(c > 0, c, 1.0), 0.0)[None, :]
        if np.abs(T.sum(axis=1) - out_tot).max() <= tol * out_tot.sum():
            break
    return T


def _exp_deterrence_no_diagonal(d) -> np.ndarray:
    K = len(d)
    return np.array(
        [[0.0 if i == j else math.exp(-0.05 * d[i][j]) for j in range(K)] for i in range(K)]
    )


DIST = np.array([[3.0, 20.0, 45.0], [20.0, 4.0, 30.0], [45.0, 30.0, 2.0]])


def test_allocation_deterrence_is_exponential_with_zero_diagonal():
    inp = synthetic_inputs(3, 2, seed=1)
    inp.distances = DIST.copy()
    f = allocation_deterrence(inp)
    np.testing.assert_allclose(f, _exp_deterrence_no_diagonal(DIST.tolist()), rtol=1e-14, atol=0)
    assert f.dtype == float


def test_allocation_deterrence_without_distances_is_flat_off_the_diagonal():
    inp = synthetic_inputs(4, 2, seed=1)
    assert inp.distances is None
    f = allocation_deterrence(inp)
    expected = np.ones((4, 4)) - np.eye(4)
    np.testing.assert_array_equal(f, expected)


def test_one_zone_has_no_internal_migration_matrix():
    m = allocate_zone_pairs(np.array([12.0]), np.array([12.0]), np.zeros((1, 1)))
    assert m.shape == (1, 1)
    assert m[0, 0] == 0.0


def test_no_movers_gives_a_zero_matrix():
    f = _exp_deterrence_no_diagonal(DIST.tolist())
    m = allocate_zone_pairs(np.zeros(3), np.zeros(3), f)
    np.testing.assert_array_equal(m, np.zeros((3, 3)))


def test_two_zones_exchange_their_movers():
    # Without the diagonal each zone's out-migrants can only go to the other zone.
    f = np.array([[0.0, math.exp(-0.05 * 17.0)], [math.exp(-0.05 * 17.0), 0.0]])
    m = allocate_zone_pairs(np.array([3.0, 5.0]), np.array([5.0, 3.0]), f)
    np.testing.assert_allclose(m, [[0.0, 3.0], [5.0, 0.0]], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "out_tot, in_tot",
    [
        ([40.0, 25.0, 35.0], [30.0, 45.0, 25.0]),
        ([0.3, 0.2, 0.1], [0.2, 0.25, 0.15]),  # fewer than one mover in all: still allocated
    ],
)
def test_three_zone_matrix_matches_iterative_proportional_fitting(out_tot, in_tot):
    f = _exp_deterrence_no_diagonal(DIST.tolist())
    m = allocate_zone_pairs(np.array(out_tot), np.array(in_tot), f)
    expected = _ipf(out_tot, in_tot, f)
    np.testing.assert_allclose(m, expected, rtol=1e-6, atol=1e-9 * sum(out_tot))
    np.testing.assert_allclose(m.sum(axis=1), out_tot, rtol=1e-7)
    np.testing.assert_allclose(m.sum(axis=0), in_tot, rtol=1e-7)
    assert np.all(np.diag(m) == 0.0)


def test_infeasible_margins_fall_back_to_proportional_allocation():
    # Zone 0 holds 10 of 12 out-migrants and 10 of 12 in-migrants: without the diagonal it would
    # have to send 10 persons to zones that can take only 2. Proportional: T_ij = O_i·D_j / ΣD.
    out_tot = np.array([10.0, 1.0, 1.0])
    in_tot = np.array([10.0, 1.0, 1.0])
    f = _exp_deterrence_no_diagonal(DIST.tolist())
    m = allocate_zone_pairs(out_tot, in_tot, f)
    expected = np.array([[o * i / 12.0 for i in in_tot] for o in out_tot])
    np.testing.assert_allclose(m, expected, rtol=1e-14)
    assert m[0, 0] == pytest.approx(100.0 / 12.0)


def test_projection_matrix_has_one_allocation_per_year():
    # T = 3 years, K = 4 zones (different on purpose): one (K, K) matrix per projection year with
    # the year's internal out- and in-migrants as margins, allocated by exp(−0.05·d).
    inp = synthetic_inputs(4, 3, seed=5)
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 80, (4, 2))
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    inp.distances = d
    proj = project(inp)
    mats = allocate_internal_migration(proj.inputs, proj.flows["IUF"], proj.flows["IIF"])
    assert mats.shape == (3, 4, 4)
    f = _exp_deterrence_no_diagonal(d.tolist())
    for t in range(3):
        out_tot = proj.flows["IUF"][t].sum(axis=(1, 2))
        in_tot = proj.flows["IIF"][t].sum(axis=(1, 2))
        expected = _ipf(out_tot, in_tot, f)
        np.testing.assert_allclose(mats[t], expected, rtol=1e-6, atol=1e-8 * out_tot.sum())
        np.testing.assert_allclose(mats[t].sum(axis=1), out_tot, rtol=1e-7)
        assert np.all(np.diag(mats[t]) == 0.0)
