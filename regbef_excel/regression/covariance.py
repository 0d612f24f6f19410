"""The centred design and its variance estimators (Stata's small-sample conventions).

The design of every estimator here is ``[1, Z~, D~]``: a constant, the dense regressors ``Z``
demeaned within groups (one group for pooled OLS, one per region for fixed effects) and the
year dummies ``D`` demeaned the same way. The dummy block is never materialised: with
``H`` the (groups × periods) matrix of period shares within each group, ``D~ = D - E H`` (``E``
the group indicators), and every product needed — ``X'WX``, ``X'v``, ``X b`` and the cluster
scores — is a handful of ``np.bincount`` calls. That keeps a 1,000,000-row panel with 100 year
dummies at a few hundred MB and a few seconds.

Because every column of ``Z~`` and ``D~`` sums to zero, the constant is orthogonal to them and
the bread is block diagonal, ``diag(1/N, (X~'X~)^-1)``. The reported intercept is
``const = ybar - xbar'b`` (pooled OLS: the usual intercept; FE: Stata's ``xtreg, fe`` average
intercept from the augmented regression ``y_it - ybar_i + ybar`` on ``1, x_it - xbar_i + xbar``),
obtained by the linear map in :func:`to_reported`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg


def rowsum(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Sum the rows of ``values`` (N,) or (N, p) by integer ``codes``; shape (n,) or (n, p).

    Panels usually arrive sorted by region: then every group is a contiguous block and one
    ``np.add.reduceat`` call sums all columns; otherwise one ``np.bincount`` per column.
    """
    m = codes.shape[0]
    if m and n <= m and codes[0] == 0 and codes[-1] == n - 1:
        steps = np.diff(codes)
        if steps.min(initial=0) >= 0 and steps.max(initial=0) <= 1:
            starts = np.concatenate([[0], np.flatnonzero(steps) + 1])
            if starts.shape[0] == n:
                return np.add.reduceat(values, starts, axis=0)
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n)
    out = np.empty((n, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=n)
    return out


def demean(values: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Subtract group means (the within transformation); ``counts`` are the group sizes."""
    n = counts.shape[0]
    means = rowsum(values, codes, n) / (counts if values.ndim == 1 else counts[:, None])
    return values - means[codes]


@dataclass
class Design:
    """A centred design ``[Z~, D~]`` with the year-dummy block kept implicit.

    Attributes
    ----------
    Z
        Dense regressors, demeaned within groups, shape (N, p).
    time
        Period codes 0..T-1, or ``None`` when there are no dummies.
    levels
        Period codes that have a dummy column (base period and omitted dummies excluded).
    group
        Group codes of the demeaning (all zero for pooled OLS).
    H
        (groups × T) share of each group's observations falling in each period.
    """

    Z: np.ndarray
    time: np.ndarray | None
    n_periods: int
    levels: np.ndarray
    group: np.ndarray
    n_groups: int
    H: np.ndarray | None

    @property
    def n_dense(self) -> int:
        return self.Z.shape[1]

    @property
    def k(self) -> int:
        return self.Z.shape[1] + self.levels.shape[0]

    @property
    def has_dummies(self) -> bool:
        return self.levels.shape[0] > 0

    def subset(self, keep: np.ndarray) -> Design:
        """The design with only the columns ``keep`` (indices into ``[Z, dummies]``)."""
        keep = np.asarray(keep, dtype=np.intp)
        dense = keep[keep < self.n_dense]
        dummies = keep[keep >= self.n_dense] - self.n_dense
        same = dense.shape[0] == self.n_dense
        return Design(
            Z=self.Z if same else self.Z[:, dense],
            time=self.time,
            n_periods=self.n_periods,
            levels=self.levels[dummies],
            group=self.group,
            n_groups=self.n_groups,
            H=self.H,
        )

    def weighted_gram(self, w: np.ndarray | None = None) -> np.ndarray:
        """``[1, X~]' diag(w) [1, X~]``, shape (1+K, 1+K); ``w=None`` is the plain Gram."""
        n = self.Z.shape[0]
        plain = w is None
        w = np.ones(n) if w is None else w
        Zw = self.Z if plain else self.Z * w[:, None]
        k = self.k
        p = self.n_dense
        out = np.empty((1 + k, 1 + k))
        out[0, 0] = w.sum()
        out[0, 1 : 1 + p] = out[1 : 1 + p, 0] = Zw.sum(axis=0)
        out[1 : 1 + p, 1 : 1 + p] = self.Z.T @ Zw
        if self.has_dummies:
            T, G, t, g, H = self.n_periods, self.n_groups, self.time, self.group, self.H
            a = np.bincount(t, weights=w, minlength=T)
            by_group = np.bincount(g, weights=w, minlength=G)
            B = np.bincount(g * T + t, weights=w, minlength=G * T).reshape(G, T)
            one_d = a - by_group @ H
            zd = rowsum(Zw, t, T).T
            if not plain:
                # Z~'WE H; zero for W = I because Z~ sums to zero within groups.
                zd -= rowsum(Zw, g, G).T @ H
            BH = B.T @ H
            dd = np.diag(a) - BH - BH.T + H.T @ (by_group[:, None] * H)
            L = self.levels
            out[0, 1 + p :] = out[1 + p :, 0] = one_d[L]
            out[1 : 1 + p, 1 + p :] = zd[:, L]
            out[1 + p :, 1 : 1 + p] = zd[:, L].T
            out[1 + p :, 1 + p :] = dd[np.ix_(L, L)]
        return out

    def cross(self, v: np.ndarray) -> np.ndarray:
        """``X~' v`` for a vector already demeaned within groups, shape (K,)."""
        parts = [self.Z.T @ v]
        if self.has_dummies:
            # D~'v = D'v - H'E'v and E'v = 0 for a group-demeaned v.
            parts.append(np.bincount(self.time, weights=v, minlength=self.n_periods)[self.levels])
        return np.concatenate(parts)

    def apply(self, b: np.ndarray) -> np.ndarray:
        """``X~ b`` for coefficients ``b`` of length K, shape (N,)."""
        out = self.Z @ b[: self.n_dense]
        if self.has_dummies:
            g = np.zeros(self.n_periods)
            g[self.levels] = b[self.n_dense :]
            out = out + g[self.time] - (self.H @ g)[self.group]
        return out

    def cluster_scores(self, e: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
        """Per-cluster scores ``[1, X~]_g' e_g``, shape (G, 1+K).

        Clusters must either coincide with the demeaning groups (FE) or the design must have a
        single group (pooled OLS); both are the only cases this package builds.
        """
        s1 = np.bincount(clusters, weights=e, minlength=n_clusters)
        parts = [s1[:, None], rowsum(self.Z * e[:, None], clusters, n_clusters)]
        if self.has_dummies:
            T = self.n_periods
            sd = np.bincount(clusters * T + self.time, weights=e, minlength=n_clusters * T).reshape(
                n_clusters, T
            )
            if self.n_groups == 1:
                sd -= s1[:, None] * self.H[0][None, :]
            else:
                sd -= s1[:, None] * self.H
            parts.append(sd[:, self.levels])
        return np.hstack(parts)


def build_design(
    X: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    time: np.ndarray | None,
    n_periods: int,
    dummy_levels: np.ndarray,
) -> Design:
    """Demean ``X`` within ``group`` and set up the implicit demeaned dummy block."""
    counts = np.bincount(group, minlength=n_groups).astype(float)
    Z = demean(X, group, counts)
    H = None
    if dummy_levels.shape[0] > 0 and time is not None:
        C = np.bincount(group * n_periods + time, minlength=n_groups * n_periods)
        H = C.reshape(n_groups, n_periods) / counts[:, None]
    return Design(
        Z=Z,
        time=time,
        n_periods=n_periods,
        levels=np.asarray(dummy_levels, dtype=np.intp),
        group=group,
        n_groups=n_groups,
        H=H,
    )


def sequential_independent(gram: np.ndarray, scale: np.ndarray, tol: float) -> np.ndarray:
    """Indices of the columns kept when collinear columns are omitted in listed order.

    A column is omitted when its residual sum of squares after projecting on the columns kept
    before it is at most ``tol * scale`` (``scale`` = the column's centred sum of squares in
    the raw data). Earlier columns are always preferred, as Stata's ``_rmcoll`` does: with
    ``nledighet`` listed before the year dummies, the *last* year dummy is omitted.
    """
    k = gram.shape[0]
    kept: list[int] = []
    L = np.zeros((k, k))
    for j in range(k):
        if not scale[j] > 0:
            continue
        if kept:
            m = len(kept)
            lvec = linalg.solve_triangular(L[:m, :m], gram[kept, j], lower=True)
            r = gram[j, j] - lvec @ lvec
        else:
            lvec = np.zeros(0)
            r = gram[j, j]
        if r <= tol * scale[j]:
            continue
        m = len(kept)
        L[m, :m] = lvec
        L[m, m] = np.sqrt(r)
        kept.append(j)
    return np.asarray(kept, dtype=np.intp)


def inverse_gram(gram: np.ndarray) -> np.ndarray:
    """Inverse of a positive definite Gram matrix via an equilibrated Cholesky factor."""
    d = 1.0 / np.sqrt(np.diag(gram))
    A = gram * d[:, None] * d[None, :]
    factor = linalg.cho_factor(A, lower=True)
    return linalg.cho_solve(factor, np.eye(A.shape[0])) * d[:, None] * d[None, :]


def sandwich(bread: np.ndarray, meat: np.ndarray) -> np.ndarray:
    """``bread @ meat @ bread``, symmetrised."""
    v = bread @ meat @ bread
    return (v + v.T) / 2.0


def to_reported(v_centred: np.ndarray, xbar: np.ndarray) -> np.ndarray:
    """Map the covariance of ``(alpha, b)`` in the centred design to that of ``(b, const)``.

    ``const = alpha - xbar'b`` with ``alpha = ybar`` the coefficient of the constant in the
    centred design; the reported order puts the constant last, as Stata does.
    """
    k = xbar.shape[0]
    J = np.zeros((k + 1, k + 1))
    J[:k, 1:] = np.eye(k)
    J[k, 0] = 1.0
    J[k, 1:] = -xbar
    return J @ v_centred @ J.T
