"""Gravity models (handbook §3.14, §3.17.1.1.6): doubly constrained and hybrid balancing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from regbef_excel.engine.gravity import (
    doubly_constrained,
    exponential_deterrence,
    hybrid,
    power_deterrence,
)
from regbef_excel.errors import ConvergenceError, InputError


def _problem(n: int, seed: int, m: int | None = None):
    rng = np.random.default_rng(seed)
    m = n if m is None else m
    xy = rng.uniform(0, 100, (max(n, m), 2))
    d = np.hypot(*(xy[:n, None, :] - xy[None, :m, :]).transpose(2, 0, 1)) + 5.0
    f = np.exp(-0.03 * d)
    o = rng.uniform(10, 500, n)
    dest = rng.uniform(10, 500, m)
    dest *= o.sum() / dest.sum()
    return o, dest, f


# ------------------------------------------------------------------ independent formulation
def _entropy_dual(o, dest, f, constrained=None, w=None):
    r"""Solve min Σ T(ln(T/(f·w)) − 1) s.t. margins through its convex dual.

    T_ij = f_ij w_j exp(u_i + v_j) (v_j = 0 for unconstrained j); the dual objective is
    Σ T − Σ O u − Σ_{Z1} D v. Scipy's trust-region Newton with exact Hessian; for the doubly
    constrained case v_0 is fixed at 0 (the dual has one free gauge direction).
    """
    n, m = f.shape
    con = np.ones(m, dtype=bool) if constrained is None else np.asarray(constrained)
    wt = np.where(con, 1.0, 1.0 if w is None else w)
    scale = o.sum()
    oo, dd = o / scale, dest / scale
    cidx = np.flatnonzero(con)
    free_v = cidx[1:] if con.all() else cidx  # gauge fix when every column is constrained
    g = f * wt[None, :]

    def unpack(x):
        u = x[:n]
        v = np.zeros(m)
        v[free_v] = x[n:]
        return u, v

    def tmat(x):
        u, v = unpack(x)
        return g * np.exp(u[:, None] + v[None, :])

    def fun(x):
        u, v = unpack(x)
        return tmat(x).sum() - oo @ u - dd[free_v] @ v[free_v]

    def jac(x):
        t = tmat(x)
        return np.concatenate([t.sum(1) - oo, t.sum(0)[free_v] - dd[free_v]])

    def hess(x):
        t = tmat(x)
        h = np.zeros((n + free_v.size, n + free_v.size))
        h[:n, :n] = np.diag(t.sum(1))
        h[n:, n:] = np.diag(t.sum(0)[free_v])
        h[:n, n:] = t[:, free_v]
        h[n:, :n] = t[:, free_v].T
        return h

    x0 = np.concatenate([np.log(oo), np.zeros(free_v.size)])
    res = minimize(fun, x0, jac=jac, hess=hess, method="trust-exact", options={"gtol": 1e-12})
    x = res.x
    for _ in range(5):  # polish with plain Newton steps: the trust region stops at f's precision
        x = x - np.linalg.solve(hess(x), jac(x))
    assert np.abs(jac(x)).max() < 1e-12
    return tmat(x) * scale


@pytest.mark.parametrize("n,seed", [(4, 0), (7, 1), (12, 2)])
def test_doubly_constrained_equals_entropy_minimiser(n, seed):
    o, dest, f = _problem(n, seed)
    t = doubly_constrained(o, dest, f)
    ref = _entropy_dual(o, dest, f)
    np.testing.assert_allclose(t, ref, rtol=1e-6, atol=1e-9 * o.sum())


def test_doubly_constrained_rectangular_equals_entropy_minimiser():
    o, dest, f = _problem(5, 3, m=8)
    np.testing.assert_allclose(doubly_constrained(o, dest, f), _entropy_dual(o, dest, f), rtol=1e-6)


def test_hybrid_equals_entropy_minimiser_with_several_unconstrained():
    o, dest, f = _problem(9, 4)
    con = np.array([1, 0, 1, 0, 0, 1, 0, 1, 1], dtype=bool)
    dest = dest * 0.6  # constrained zones take less than the total
    w = np.linspace(1.0, 3.0, 9)
    t = hybrid(o, dest, w, f, con)
    np.testing.assert_allclose(t, _entropy_dual(o, dest, f, con, w), rtol=1e-6, atol=1e-9 * o.sum())


# ------------------------------------------------------------------ margins and structure
def test_doubly_constrained_margins_and_form():
    o, dest, f = _problem(30, 5)
    t = doubly_constrained(o, dest, f)
    np.testing.assert_allclose(t.sum(1), o, rtol=1e-9)
    np.testing.assert_allclose(t.sum(0), dest, rtol=1e-12)
    # T = diag(x) F diag(y): log T − log F has rank-one additive structure
    r = np.log(t / f)
    np.testing.assert_allclose(r - r[:, :1] - r[:1, :] + r[0, 0], 0.0, atol=1e-9)


def test_tolerance_is_honoured():
    o, dest, f = _problem(20, 6)
    for tol in (1e-4, 1e-8, 1e-12):
        t = doubly_constrained(o, dest, f, tol=tol)
        assert np.abs(t.sum(1) - o).max() <= tol * o.sum()
        np.testing.assert_allclose(t.sum(0), dest, rtol=1e-12)


def test_symmetric_deterrence_and_equal_margins_give_symmetric_flows():
    rng = np.random.default_rng(7)
    a = rng.uniform(1, 50, (10, 10))
    d = a + a.T
    f = power_deterrence(d, 1.5)
    o = rng.uniform(5, 100, 10)
    t = doubly_constrained(o, o, f, tol=1e-14)
    np.testing.assert_allclose(t, t.T, rtol=1e-11)
    th = hybrid(o, o, np.ones(10), f, np.ones(10, dtype=bool), tol=1e-14)
    np.testing.assert_allclose(th, th.T, rtol=1e-11)


def test_uniform_deterrence_is_the_share_model():
    o = np.array([10.0, 30.0, 60.0])
    dest = np.array([50.0, 25.0, 25.0])
    t = doubly_constrained(o, dest, np.ones((3, 3)))
    np.testing.assert_allclose(t, np.outer(o, dest) / o.sum(), rtol=1e-12)


def test_zero_rows_and_columns():
    o, dest, f = _problem(6, 8)
    o[2] = 0.0
    dest[4] = 0.0
    dest *= o.sum() / dest.sum()
    t = doubly_constrained(o, dest, f)
    assert np.all(t[2] == 0) and np.all(t[:, 4] == 0)
    np.testing.assert_allclose(t.sum(1), o, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(t.sum(0), dest, rtol=1e-9, atol=1e-12)


def test_all_zero_margins_give_zero_matrix():
    assert not doubly_constrained(np.zeros(3), np.zeros(3), np.ones((3, 3))).any()


def test_small_total_mismatch_is_rescaled_large_is_an_error():
    o, dest, f = _problem(5, 9)
    t = doubly_constrained(o, dest * (1 + 1e-9), f)
    np.testing.assert_allclose(t.sum(0), dest, rtol=1e-8)
    with pytest.raises(InputError, match="totals differ"):
        doubly_constrained(o, dest * 1.01, f)


# ------------------------------------------------------------------ hybrid
def test_hybrid_with_several_unconstrained_zones():
    o, dest, f = _problem(10, 10)
    con = np.zeros(10, dtype=bool)
    con[[0, 3, 4, 8]] = True
    dest = dest * 0.5
    w = np.arange(1.0, 11.0)
    t = hybrid(o, dest, w, f, con)
    np.testing.assert_allclose(t.sum(1), o, rtol=1e-9)
    np.testing.assert_allclose(t.sum(0)[con], dest[con], rtol=1e-12)
    # unconstrained zones: T_ij / (W_j f_ij) is the same for every free j (= a_i O_i)
    ratio = t[:, ~con] / (w[~con][None, :] * f[:, ~con])
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones((1, (~con).sum())), rtol=1e-12)
    # the free zones get exactly what is left
    assert t[:, ~con].sum() == pytest.approx(o.sum() - dest[con].sum(), rel=1e-9)


def test_hybrid_all_constrained_equals_doubly():
    o, dest, f = _problem(8, 11)
    np.testing.assert_allclose(
        hybrid(o, dest, np.full(8, 3.0), f, np.ones(8, dtype=bool)), doubly_constrained(o, dest, f),
        rtol=1e-12,
    )


def test_hybrid_none_constrained_is_production_constrained():
    o, dest, f = _problem(8, 12)
    w = np.linspace(0.5, 4, 8)
    t = hybrid(o, dest, w, f, np.zeros(8, dtype=bool))
    g = f * w[None, :]
    np.testing.assert_allclose(t, g * (o / g.sum(1))[:, None], rtol=1e-12)


def test_hybrid_with_one_unconstrained_zone_is_doubly_with_the_remainder():
    # spec §10: with exactly one unconstrained zone the hybrid is the doubly constrained model
    o, dest, f = _problem(7, 13)
    con = np.ones(7, dtype=bool)
    con[5] = False
    dest = dest * 0.8
    ref_dest = dest.copy()
    ref_dest[5] = o.sum() - dest[con].sum()
    for w5 in (0.1, 7.0):
        w = np.ones(7)
        w[5] = w5
        np.testing.assert_allclose(hybrid(o, dest, w, f, con), doubly_constrained(o, ref_dest, f),
                                   rtol=1e-8)


def test_hybrid_saturated_constrained_zones_leave_nothing_to_free_zones():
    o, dest, f = _problem(6, 14)
    con = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    dest[con] *= o.sum() / dest[con].sum()
    t = hybrid(o, dest, np.ones(6), f, con)
    assert np.all(t[:, ~con] == 0)
    np.testing.assert_allclose(t.sum(1), o, rtol=1e-9)


# ------------------------------------------------------------------ bad input
def test_hybrid_constrained_zone_with_zero_demand_is_named():
    o, dest, f = _problem(5, 15)
    dest[3] = 0.0
    with pytest.raises(InputError, match="constrained destination zone 3 has zero demand"):
        hybrid(o, dest * 0.5, np.ones(5), f, np.ones(5, dtype=bool))


def test_hybrid_constrained_demand_above_supply_is_infeasible():
    o, dest, f = _problem(5, 16)
    con = np.array([1, 1, 1, 0, 0], dtype=bool)
    dest[con] = o.sum()  # each constrained zone alone wants everything
    with pytest.raises(InputError, match="infeasible"):
        hybrid(o, dest, np.ones(5), f, con)


def test_unreachable_destination_is_named():
    o = np.array([1.0, 2.0, 3.0])
    dest = np.array([2.0, 2.0, 2.0])
    f = np.ones((3, 3))
    f[:, 1] = 0.0
    with pytest.raises(InputError, match="destination zone 1 has positive demand"):
        doubly_constrained(o, dest, f)
    f = np.ones((3, 3))
    f[2, :] = 0.0
    with pytest.raises(InputError, match="origin zone 2"):
        doubly_constrained(o, dest, f)


def test_structurally_infeasible_margins_are_input_errors():
    # origins 0 and 1 reach only destination 0, which can take 1 of their 2
    f = np.array([[1.0, 0, 0], [1.0, 0, 0], [1.0, 1.0, 1.0]])
    with pytest.raises(InputError, match="infeasible margins"):
        doubly_constrained(np.ones(3), np.ones(3), f, max_iter=500)


def test_feasible_only_on_the_boundary():
    # origin 1 must send everything to destination 0, so T[0, 0] must be 0 although f[0, 0] > 0:
    # the balancing factors run off to infinity; the limit is reached within the tolerance ...
    f = np.array([[1.0, 1.0], [1.0, 0.0]])
    t = doubly_constrained(np.ones(2), np.ones(2), f)
    np.testing.assert_allclose(t, [[0.0, 1.0], [1.0, 0.0]], atol=1e-9)
    # ... and an iteration limit too small is a ConvergenceError naming the residual
    with pytest.raises(ConvergenceError, match="did not converge in 3 iterations"):
        doubly_constrained(np.ones(2), np.ones(2), f, max_iter=3)


def test_bad_shapes_and_values():
    with pytest.raises(InputError, match="wrong shape"):
        doubly_constrained(np.ones(3), np.ones(3), np.ones((3, 2)))
    with pytest.raises(InputError, match="negative value in zone 1"):
        doubly_constrained(np.array([1.0, -1.0, 3.0]), np.ones(3), np.ones((3, 3)))
    with pytest.raises(InputError, match="non-numeric value in zone 0"):
        doubly_constrained(np.array([np.nan, 1.0]), np.ones(2), np.ones((2, 2)))


def test_power_deterrence_needs_positive_square_distances():
    d = np.array([[0.0, 3.0], [3.0, 2.0]])
    with pytest.raises(InputError, match="zone 0 to zone 0 must be > 0 with the power"):
        power_deterrence(d, 2.0)
    with pytest.raises(InputError, match="must be square"):
        power_deterrence(np.ones((2, 3)), 2.0)
    with pytest.raises(InputError, match="negative"):
        exponential_deterrence(-d, 0.1)
    np.testing.assert_allclose(power_deterrence(np.full((2, 2), 2.0), 2.0), 0.25)
    np.testing.assert_allclose(exponential_deterrence(d, 0.5), np.exp(-0.5 * d))


# ------------------------------------------------------------------ properties
_sizes = st.integers(1, 6)


@st.composite
def _doubly_problems(draw):
    # sizes and spreads from hypothesis, values from a seeded generator (fast to draw)
    n, m = draw(_sizes), draw(_sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    spread = draw(st.floats(0.0, 3.0))  # orders of magnitude in margins and deterrence
    o = 10.0 ** rng.uniform(-spread, spread, n)
    dest = 10.0 ** rng.uniform(-spread, spread, m)
    dest *= o.sum() / dest.sum()
    f = 10.0 ** rng.uniform(-spread, spread, (n, m))
    return o, dest, f


@settings(max_examples=250, deadline=None)
@given(_doubly_problems())
def test_property_doubly_constrained_margins(problem):
    o, dest, f = problem
    t = doubly_constrained(o, dest, f)
    assert np.all(t >= 0)
    assert np.abs(t.sum(1) - o).max() <= 1e-10 * o.sum() * (1 + 1e-6)
    np.testing.assert_allclose(t.sum(0), dest, rtol=1e-9)


@st.composite
def _hybrid_problems(draw):
    o, dest, f = draw(_doubly_problems())
    m = dest.size
    con = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    w = 10.0 ** np.random.default_rng(draw(st.integers(0, 2**32 - 1))).uniform(-2, 2, m)
    if con.any() and not con.all():
        frac = draw(st.floats(0.05, 0.95))
        dest = dest.copy()
        dest[con] *= frac * o.sum() / dest[con].sum()
    return o, dest, w, f, con


@settings(max_examples=250, deadline=None)
@given(_hybrid_problems())
def test_property_hybrid_margins(problem):
    o, dest, w, f, con = problem
    t = hybrid(o, dest, w, f, con)
    assert np.all(t >= 0)
    assert np.abs(t.sum(1) - o).max() <= 1e-9 * o.sum()
    np.testing.assert_allclose(t.sum(0)[con], dest[con], rtol=1e-9)
    if (~con).sum() > 1:
        free = ~con
        ratio = t[:, free] / (w[free][None, :] * f[:, free])
        np.testing.assert_allclose(ratio, np.repeat(ratio[:, :1], free.sum(), axis=1), rtol=1e-9)
