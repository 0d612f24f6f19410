r"""Gravity models: doubly constrained and hybrid (handbook §3.14, §3.17.1.1.5–6).

REGBEF clears two markets with gravity models: the labour market (a doubly constrained model
with an external zone, handbook §3.14) and the housing market (a *hybrid* model in which some
destination zones are constrained and the others are weighted by an attractiveness measure,
handbook §3.17.1.1.6). Both are solved here by alternating row/column scaling (Furness
balancing, also called iterative proportional fitting), vectorised over zones. The balancing
iteration is accelerated by Anderson mixing on the log column factors (safeguarded: whenever an
accelerated step does not reduce the fixed-point residual, a plain Furness step is taken and the
history is dropped), which cuts the iterations at national size (357 zones) by a factor of 3–4;
the answer is the same fixed point and is always finished by a plain step.

Notation: origins :math:`O_i`, destinations :math:`D_j`, attractiveness :math:`W_j`, deterrence
:math:`f_{ij} \ge 0` (the handbook's AF / BF), balancing factors :math:`a_i, b_j`.

Doubly constrained model:

.. math::

    T_{ij} = a_i O_i\, b_j D_j\, f_{ij}, \qquad \sum_j T_{ij} = O_i, \qquad \sum_i T_{ij} = D_j .

Its solution is also the unique minimiser of the entropy objective
:math:`\sum_{ij} T_{ij}(\ln(T_{ij}/f_{ij}) - 1)` subject to the two sets of margins (the tests
cross-check the balancing against that independent formulation).

Hybrid model (zones :math:`Z = Z_1 \cup Z_2`, constrained and unconstrained destinations):

.. math::

    T_{ij} = \begin{cases} a_i O_i\, b_j D_j\, f_{ij} & j \in Z_1 \\
                           a_i O_i\, W_j\, f_{ij}     & j \in Z_2 \end{cases}
    \qquad \sum_j T_{ij} = O_i \;\forall i, \qquad \sum_i T_{ij} = D_j \;\forall j\in Z_1 .

With :math:`Z_2 = \emptyset` it is the doubly constrained model; with :math:`Z_1 = \emptyset`
the production-constrained (singly constrained) model
:math:`T_{ij} = O_i W_j f_{ij} / \sum_k W_k f_{ik}`; with exactly one unconstrained zone it equals
the doubly constrained model whose demand in that zone is the remainder
:math:`\sum_i O_i - \sum_{j\in Z_1} D_j` (uniqueness of matrix scaling).

Tolerance convention (both models): iterations stop when the largest row-sum error is at most
``tol × Σ O`` (relative to the total flow); the constrained column sums are exact after the
last column step. Margins whose totals must agree may differ by at most
:data:`MARGIN_RTOL` relative; within that the destinations are rescaled to the origin total
(documented rescaling), beyond it the problem is reported as an :class:`InputError`.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack as _lapack
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from regbef_excel.errors import ConvergenceError, InputError, Location

#: Largest relative difference between Σ origins and Σ (constrained) destinations accepted as
#: round-off; within it the destinations are rescaled to the origin total.
MARGIN_RTOL = 1e-6

#: Problems up to this many cells get an exact linear-programming feasibility check when the
#: balancing does not converge, so that an infeasible problem is reported as bad input.
_LP_CHECK_MAX_CELLS = 400_000


def _err(message: str, table: str, index: int | None = None, found=None, expected=None) -> InputError:
    return InputError(
        message, location=Location(table=f"gravity model: {table}", row=index), found=found,
        expected=expected,
    )


def _vector(x, name: str) -> np.ndarray:
    v = np.asarray(x, dtype=float)
    if v.ndim != 1:
        raise _err(f"{name} must be a vector", name, found=v.shape)
    bad = ~np.isfinite(v)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _err(f"{name}: missing or non-numeric value in zone {i}", name, i)
    neg = v < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise _err(f"{name}: negative value in zone {i}", name, i, found=float(v[i]), expected=">= 0")
    return v


def _matrix(f, n: int, m: int) -> np.ndarray:
    F = np.asarray(f, dtype=float)
    if F.shape != (n, m):
        raise _err("deterrence matrix has the wrong shape", "deterrence", found=F.shape,
                   expected=f"({n}, {m}): origins × destinations")
    if F.size and F.min() >= 0 and np.isfinite(F).all():  # fast path (NaN fails min() >= 0)
        return F
    bad = ~np.isfinite(F) | (F < 0)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise _err(f"deterrence f[{i}, {j}] must be finite and >= 0", "deterrence", i,
                   found=float(F[i, j]), expected="finite, >= 0")
    return F


def _check_reach(F: np.ndarray, rows: np.ndarray, cols: np.ndarray, col_what: str) -> None:
    """Every active origin must reach (positive deterrence) some active destination."""
    ind = np.zeros(F.shape[1])
    ind[cols] = 1.0
    reach = (F[rows] @ ind) > 0 if rows.size < F.shape[0] else (F @ ind) > 0
    if not reach.all():
        i = int(rows[np.flatnonzero(~reach)[0]])
        raise _err(f"infeasible: origin zone {i} has a positive total but zero deterrence to every "
                   f"{col_what}", "deterrence", i)


def _check_columns_reached(F: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
    """Every constrained destination must be reached by some active origin."""
    ind = np.zeros(F.shape[0])
    ind[rows] = 1.0
    reached = (ind @ F[:, cols]) > 0 if cols.size < F.shape[1] else (ind @ F) > 0
    if not reached.all():
        j = int(cols[np.flatnonzero(~reached)[0]])
        raise _err(f"infeasible: destination zone {j} has positive demand but zero deterrence from "
                   "every origin with supply", "deterrence", j)


def _lp_feasible(F: np.ndarray, orig: np.ndarray, D: np.ndarray, constrained: np.ndarray) -> bool:
    """Is there T >= 0 on the support of F with rows = orig and constrained columns = D?

    Exact check by linear programming (scipy HiGHS); used only to classify a failed balancing.
    """
    ii, jj = np.nonzero(F > 0)
    nv = ii.size
    n, m = F.shape
    ccols = np.flatnonzero(constrained)
    cpos = -np.ones(m, dtype=int)
    cpos[ccols] = np.arange(ccols.size)
    keep = cpos[jj] >= 0
    rows = np.concatenate([ii, n + cpos[jj[keep]]])
    cols = np.concatenate([np.arange(nv), np.arange(nv)[keep]])
    A = coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n + ccols.size, nv)).tocsr()
    b = np.concatenate([orig, D[ccols]])
    res = linprog(np.zeros(nv), A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    return bool(res.status == 0)


def _not_converged(F, orig, D, constrained, it: int, resid: float, total: float, tol: float) -> Exception:
    if F.size <= _LP_CHECK_MAX_CELLS and not _lp_feasible(F, orig, D, constrained):
        return _err("infeasible margins: no flow matrix that uses only origin–destination pairs "
                    "with positive deterrence has these totals (a group of destinations needs more "
                    "than the origins that reach it can supply, or the reverse)", "margins")
    return ConvergenceError(
        f"gravity balancing did not converge in {it} iterations (largest row-sum error "
        f"{resid:.3g}, {resid / total if total else 0:.3g} of the total; tolerance {tol:g}). "
        "The margins may be attainable only with some positive-deterrence cells at zero; check "
        "zones that only reach a few others, or raise max_iter"
    )


#: Depth of the Anderson acceleration of the balancing (0 = plain Furness iterations).
_ANDERSON_DEPTH = 5
#: After this many iterations the balancing continues without acceleration (plain Furness).
_ACCEL_MAX_ITER = 1000


def _balance(F: np.ndarray, orig: np.ndarray, D: np.ndarray, W: np.ndarray, constrained: np.ndarray,
             tol: float, max_iter: int):
    """Balancing on an all-active problem; returns (T or None, iterations, row residual).

    The iteration is the Furness fixed point on the log column weights
    ``x_j = log(b_j D_j)`` of the constrained columns::

        a = 1 / (F c),   c_j ← D_j / (Fᵀ (a ∘ O))_j   (j constrained; free columns keep W_j)

    accelerated by Anderson mixing (depth 5) with a plain Furness step as the fallback whenever
    the accelerated residual misbehaves. The result is always the pair (a, c) of the last plain
    step, so constrained columns are exact and the row residual is measured, not estimated.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _balance_loop(F, orig, D, W, constrained, tol, max_iter)


def _balance_loop(F, orig, D, W, con, tol, max_iter):
    total = orig.sum()
    tol_abs = tol * total
    all_con = bool(con.all())
    Fc = F if all_con else F[:, con]
    Dc = D[con]
    vfree = 0.0 if all_con else F[:, ~con] @ W[~con]
    Fct = Fc.T
    logD = np.log(Dc)
    # LAPACK's gesv directly: the same solve as np.linalg.solve on these ≤ 5×5 systems without
    # its per-call overhead (about 10 µs of a 50-zone iteration's ~90 µs)
    gesv = _lapack.dgesv

    x = logD.copy()
    dxs: list[np.ndarray] = []
    drs: list[np.ndarray] = []
    x_prev = r_prev = None
    best = np.inf
    resid = np.inf
    accelerate = _ANDERSON_DEPTH > 0
    g = x
    a = np.ones_like(orig)
    for it in range(1, max_iter + 1):
        a = 1.0 / (Fc @ np.exp(x) + vfree)
        g = logD - np.log(Fct @ (a * orig))
        r = g - x
        rn = np.abs(r).max()
        if not np.isfinite(rn):
            if not accelerate:  # plain iterations overflow: the factors run off to infinity
                return None, it, resid
            accelerate = False  # retry without acceleration from the start
            x = logD.copy()
            dxs.clear()
            drs.clear()
            x_prev = r_prev = None
            best = np.inf
            continue
        if rn < 1e-3:  # near the fixed point: measure the rows of the plain step (a, c(g))
            cg = np.exp(g)
            resid = float(np.abs(a * (Fc @ cg + vfree) * orig - orig).max())
            if resid <= tol_abs:
                c = W.copy()
                c[con] = cg
                return (a * orig)[:, None] * F * c[None, :], it, resid
        if it > _ACCEL_MAX_ITER:
            accelerate = False
        if accelerate and rn < best:  # progress: extrapolate from the recent history
            if x_prev is not None:
                dxs.append(x - x_prev)
                drs.append(r - r_prev)
                if len(dxs) > _ANDERSON_DEPTH:
                    del dxs[0], drs[0]
            x_prev, r_prev = x, r
            best = rn
            x = g
            if dxs:
                DR = np.array(drs)
                M = DR @ DR.T
                M.flat[:: M.shape[0] + 1] += 1e-12 * M.trace() + 1e-300
                _, _, gamma, info = gesv(M, DR @ r)  # NaN in M: caught by the check below
                if info != 0:  # singular
                    gamma = None
                if gamma is not None:
                    x_new = g - (np.array(dxs) + DR).T @ gamma
                    if np.isfinite(x_new.sum()):
                        x = x_new
        else:  # no progress: forget the history and take a plain Furness step
            dxs.clear()
            drs.clear()
            x_prev = r_prev = None
            x = g
    resid = float(np.abs(a * (Fc @ np.exp(g) + vfree) * orig - orig).max())
    return None, max_iter, resid


def doubly_constrained(origins, destinations, deterrence, tol: float = 1e-10,
                       max_iter: int = 10_000) -> np.ndarray:
    r"""Doubly constrained gravity model by Furness balancing (handbook §3.14.1.1.2).

    .. math::

        T_{ij} = a_i O_i\, b_j D_j\, f_{ij},\quad
        a_i = 1\Big/\sum_j b_j D_j f_{ij},\quad b_j = 1\Big/\sum_i a_i O_i f_{ij}

    Parameters
    ----------
    origins : array_like, shape (n,)
        :math:`O_i \ge 0`, the row totals (e.g. labour supply TIL by residence zone).
    destinations : array_like, shape (m,)
        :math:`D_j \ge 0`, the column totals (e.g. labour demand ETT by workplace zone).
        Must have the same sum as ``origins`` to within :data:`MARGIN_RTOL` (relative); within
        that tolerance it is rescaled to the origin total.
    deterrence : array_like, shape (n, m)
        :math:`f_{ij} \ge 0`, e.g. :func:`power_deterrence` or :func:`exponential_deterrence`.
    tol : float
        Stop when :math:`\max_i |\sum_j T_{ij} - O_i| \le \mathrm{tol}\cdot\sum_i O_i`; the
        column sums are exact after the last step.
    max_iter : int
        Iteration limit.

    Returns
    -------
    numpy.ndarray, shape (n, m)
        :math:`T_{ij}`. Rows and columns with a zero total are zero.

    Raises
    ------
    InputError
        Bad shapes, negative or non-finite values, totals that differ, or an infeasible problem
        (an origin with supply but zero deterrence to every destination with demand, a
        destination with demand unreachable from every origin with supply, or — checked by
        linear programming when balancing fails — a group of destinations needing more than the
        origins that reach them can supply). The message names the zone index.
    ConvergenceError
        ``max_iter`` reached on a feasible problem (e.g. margins attainable only with some
        positive-deterrence cells at zero).
    """
    orig = _vector(origins, "origins")
    D = _vector(destinations, "destinations")
    F = _matrix(deterrence, orig.size, D.size)
    so, sd = orig.sum(), D.sum()
    if abs(so - sd) > MARGIN_RTOL * max(so, sd):
        raise _err("origin and destination totals differ", "margins", found=f"{so:.6g} vs {sd:.6g}",
                   expected=f"equal to within {MARGIN_RTOL:g} relative")
    T = np.zeros((orig.size, D.size))
    if so == 0:
        return T
    D = D * (so / sd)
    rows, cols = np.flatnonzero(orig > 0), np.flatnonzero(D > 0)
    _check_reach(F, rows, cols, "destination with demand")
    _check_columns_reached(F, rows, cols)
    full = rows.size == orig.size and cols.size == D.size
    Fs = F if full else F[np.ix_(rows, cols)]
    con = np.ones(cols.size, dtype=bool)
    sub, it, resid = _balance(Fs, orig[rows], D[cols], np.zeros(cols.size), con, tol, max_iter)
    if sub is None:
        raise _not_converged(Fs, orig[rows], D[cols], con, it, resid, so, tol)
    if full:
        return sub
    T[np.ix_(rows, cols)] = sub
    return T


def hybrid(origins, destinations, attractiveness, deterrence, constrained, tol: float = 1e-10,
           max_iter: int = 10_000) -> np.ndarray:
    r"""Hybrid gravity model (handbook §3.17.1.1.6): some destinations constrained, the rest free.

    .. math::

        T_{ij} = \begin{cases} a_i O_i\, b_j D_j\, f_{ij} & j \in Z_1\ (\text{constrained}) \\
                               a_i O_i\, W_j\, f_{ij}     & j \in Z_2 \end{cases}

    with :math:`\sum_j T_{ij} = O_i` for every origin and :math:`\sum_i T_{ij} = D_j` for every
    constrained destination; the unconstrained destinations share what is left of each origin's
    total in proportion to :math:`W_j f_{ij}`. Solved by alternating row scaling (all rows) and
    column scaling (constrained columns only).

    Parameters
    ----------
    origins : array_like, shape (n,)
        :math:`O_i \ge 0`.
    destinations : array_like, shape (m,)
        :math:`D_j`, used for constrained zones only (ignored where ``constrained`` is False).
        A constrained zone must have :math:`D_j > 0`.
    attractiveness : array_like, shape (m,)
        :math:`W_j \ge 0`, used for unconstrained zones only. An unconstrained zone with zero
        attractiveness receives nothing.
    deterrence : array_like, shape (n, m)
        :math:`f_{ij} \ge 0`.
    constrained : array_like of bool, shape (m,)
        The mask of constrained destinations :math:`Z_1`.
    tol, max_iter : float, int
        As in :func:`doubly_constrained`.

    Returns
    -------
    numpy.ndarray, shape (n, m)

    Notes
    -----
    Feasibility requires :math:`\sum_{j\in Z_1} D_j \le \sum_i O_i`. When the two are equal (to
    within :data:`MARGIN_RTOL`), or when no unconstrained zone has positive attractiveness, the
    only solution gives the unconstrained zones nothing: the constrained part is then solved as a
    doubly constrained model (the limit of the hybrid as :math:`b_j \to \infty`) and the free
    columns are zero. With every destination constrained the result is exactly
    :func:`doubly_constrained`; with none it is the closed-form production-constrained model.

    Raises
    ------
    InputError
        As :func:`doubly_constrained`, plus: a constrained zone with zero demand (named by its
        index), :math:`\sum_{Z_1} D_j > \sum_i O_i`, an origin that reaches no constrained zone
        and no unconstrained zone with positive attractiveness.
    ConvergenceError
        ``max_iter`` reached on a feasible problem.
    """
    orig = _vector(origins, "origins")
    D = _vector(destinations, "destinations")
    W = _vector(attractiveness, "attractiveness")
    con = np.asarray(constrained)
    if con.shape != (D.size,) or W.shape != (D.size,):
        raise _err("destinations, attractiveness and the constrained mask must have one entry per "
                   "destination zone", "constrained", found=(D.shape, W.shape, con.shape),
                   expected=f"({D.size},) each")
    if con.dtype != bool:
        if not np.all(np.isin(con, (0, 1))):
            raise _err("constrained must be a boolean mask", "constrained", found=con.dtype)
        con = con.astype(bool)
    F = _matrix(deterrence, orig.size, D.size)
    zero_dem = con & ~(D > 0)
    if zero_dem.any():
        j = int(np.flatnonzero(zero_dem)[0])
        raise _err(f"constrained destination zone {j} has zero demand; make it unconstrained or "
                   "give it a positive total", "destinations", j, found=float(D[j]), expected="> 0")
    so = orig.sum()
    s1 = D[con].sum()
    if s1 > so * (1 + MARGIN_RTOL):
        raise _err("infeasible: the constrained destinations need more than all origins supply",
                   "margins", found=f"Σ constrained destinations {s1:.6g} > Σ origins {so:.6g}",
                   expected="Σ constrained destinations ≤ Σ origins")
    T = np.zeros((orig.size, D.size))
    if so == 0:  # then s1 == 0 too: the check above refused s1 > 0
        return T
    free = ~con & (W > 0)
    # the constrained zones absorb everything: the free zones get nothing (limit case)
    if not free.any() or s1 >= so * (1 - MARGIN_RTOL):
        if abs(s1 - so) > MARGIN_RTOL * so:
            raise _err("no unconstrained destination has positive attractiveness, so the "
                       "constrained destinations must take all origins' totals", "margins",
                       found=f"Σ constrained destinations {s1:.6g} vs Σ origins {so:.6g}",
                       expected="equal")
        cols = np.flatnonzero(con)
        T[:, cols] = doubly_constrained(orig, D[cols], F[:, cols], tol=tol, max_iter=max_iter)
        return T
    rows = np.flatnonzero(orig > 0)
    cols = np.flatnonzero(con | free)
    _check_reach(F, rows, cols, "constrained destination or attractive unconstrained destination")
    _check_columns_reached(F, rows, np.flatnonzero(con))
    full = rows.size == orig.size and cols.size == D.size
    Fs = F if full else F[np.ix_(rows, cols)]
    cs = con[cols]
    if not cs.any():  # production constrained: closed form
        g = Fs * W[cols][None, :]
        T[np.ix_(rows, cols)] = g * (orig[rows] / g.sum(axis=1))[:, None]
        return T
    sub, it, resid = _balance(Fs, orig[rows], D[cols], W[cols], cs, tol, max_iter)
    if sub is None:
        raise _not_converged(Fs, orig[rows], D[cols], cs, it, resid, so, tol)
    if full:
        return sub
    T[np.ix_(rows, cols)] = sub
    return T


def _distances(d, name: str = "distances") -> np.ndarray:
    D = np.asarray(d, dtype=float)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise InputError("distance matrix must be square (one row and one column per zone)",
                         location=Location(table=name), found=D.shape, expected="(K, K)")
    bad = ~np.isfinite(D)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise InputError(f"distance from zone {i} to zone {j} is missing or not a number",
                         location=Location(table=name, row=i, column=str(j)))
    return D


def power_deterrence(d, beta: float) -> np.ndarray:
    r"""Power distance function :math:`f_{ij} = d_{ij}^{-\beta}` (handbook §3.17.1.1.5).

    Every distance, including the intra-zone distances on the diagonal, must be > 0 (the handbook
    requires intra-zone distances > 0 for the power function). With all distances equal to 1 the
    gravity model becomes a pure share model.

    Raises
    ------
    InputError
        Non-square matrix, or a distance ≤ 0 (naming zones i and j).
    """
    D = _distances(d)
    if not np.isfinite(beta) or beta < 0:
        raise InputError("distance parameter beta must be >= 0", location=Location(table="distances"),
                         found=beta, expected=">= 0")
    bad = D <= 0
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise InputError(
            f"distance from zone {i} to zone {j} must be > 0 with the power distance function "
            "(intra-zone distances too)", location=Location(table="distances", row=i, column=str(j)),
            found=float(D[i, j]), expected="> 0",
        )
    return D ** (-float(beta))


def exponential_deterrence(d, beta: float) -> np.ndarray:
    r"""Exponential distance function :math:`f_{ij} = \exp(-\beta\,d_{ij})` (handbook §3.17.1.1.5).

    Distances must be >= 0 (zero is allowed, e.g. on the diagonal).
    """
    D = _distances(d)
    if not np.isfinite(beta) or beta < 0:
        raise InputError("distance parameter beta must be >= 0", location=Location(table="distances"),
                         found=beta, expected=">= 0")
    neg = D < 0
    if neg.any():
        i, j = (int(x) for x in np.argwhere(neg)[0])
        raise InputError(f"distance from zone {i} to zone {j} is negative",
                         location=Location(table="distances", row=i, column=str(j)),
                         found=float(D[i, j]), expected=">= 0")
    return np.exp(-float(beta) * D)


def deterrence(d, form: str, beta: float) -> np.ndarray:
    """Dispatch on the distance-function name: ``"power"`` or ``"exponential"``."""
    if form == "power":
        return power_deterrence(d, beta)
    if form == "exponential":
        return exponential_deterrence(d, beta)
    raise InputError("unknown distance function", location=Location(table="settings"), found=form,
                     expected="power or exponential")
