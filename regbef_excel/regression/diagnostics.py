"""Specification tests: Breusch–Pagan (``estat hettest``), RESET (``estat ovtest``), Mundlak.

After FE both ``estat`` tests are applied to the **within-transformed regression** (Stata
offers them only after ``regress``): residuals ``ê_it`` (Stata's ``predict e``) and fitted
values ``x̃_it'β̂`` of the demeaned data, and for RESET the residual degrees of freedom of
``xtreg, fe`` (N−G−K). That is what the tests mean for the FE model: heteroskedasticity of the
idiosyncratic error and neglected non-linearity in the time-varying regressors. After pooled
OLS and first differences they are exactly Stata's tests after ``regress``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from regbef_excel.errors import InputError, Location
from regbef_excel.regression.covariance import demean
from regbef_excel.regression.model import fit_panel
from regbef_excel.regression.options import BP_REGRESSORS, BP_VARIANTS, check_option
from regbef_excel.regression.results import HettestResult, MundlakResult, PanelResult, ResetResult


def _applied_to(result: PanelResult) -> str:
    if result.method == "fe":
        return "within-transformed regression (FE idiosyncratic residuals)"
    if result.method == "fd":
        return "first-difference regression"
    return "pooled OLS regression"


def _internal(result: PanelResult):
    internal = getattr(result, "_internal", None)
    if internal is None:
        raise InputError("this result does not carry its estimation data; refit with fit_panel")
    return internal


def breusch_pagan(
    result: PanelResult, variant: str = "normal", *, regressors: str = "fitted"
) -> HettestResult:
    """Breusch–Pagan / Cook–Weisberg test for heteroskedasticity (Stata ``estat hettest``).

    Parameters
    ----------
    result
        A fit from :func:`~regbef_excel.regression.fit_panel`.
    variant
        ``"normal"`` (Stata's default): regress ``û²/(RSS/N)`` on a constant and the test
        variables; statistic = explained SS / 2 ~ χ²(m). ``"koenker"`` (``, iid``): N·R² of the
        regression of ``û²`` on the same variables ~ χ²(m).
    regressors
        ``"fitted"`` (default): the fitted values, m = 1. ``"rhs"`` (``, rhs``): every kept
        regressor including year dummies, m = K_x.

    Notes
    -----
    After FE the test uses the within residuals and within fitted values (module notes).
    """
    check_option("variant", variant, BP_VARIANTS)
    check_option("regressors", regressors, BP_REGRESSORS)
    it = _internal(result)
    e = it.e
    N = e.shape[0]
    u2 = e * e
    if regressors == "fitted":
        f = it.y_t - e
        fc = f - f.mean()
        m = 1

        def explained(v: np.ndarray) -> float:
            vc = v - v.mean()
            return float((fc @ vc) ** 2 / (fc @ fc))
    else:
        m = it.design.k

        def explained(v: np.ndarray) -> float:
            vc = v - v.mean()
            c = it.design.cross(vc)
            return float(c @ it.Winv @ c)

    if variant == "normal":
        stat = explained(u2 / (float(e @ e) / N)) / 2.0
    else:
        u2c = u2 - u2.mean()
        stat = N * explained(u2) / float(u2c @ u2c)
    return HettestResult(
        stat=float(stat),
        df=int(m),
        pvalue=float(stats.chi2.sf(stat, m)),
        variant=variant,
        regressors=regressors,
        applied_to=_applied_to(result),
    )


def reset(result: PanelResult, powers: Sequence[int] = (2, 3, 4)) -> ResetResult:
    """Ramsey RESET test (Stata ``estat ovtest``).

    The fitted values are rescaled to [0, 1] (``(ŷ − min)/(max − min)``, for numerical
    stability; the F statistic does not change) and their ``powers`` are added to the
    regression; F(q, df − q) of their joint significance with q = ``len(powers)`` and df the
    classical residual degrees of freedom (N−K; FE: N−G−K). Default powers 2, 3, 4 give
    Stata's F(3, N−K−3).
    """
    powers = tuple(int(p) for p in powers)
    if not powers or any(p < 2 for p in powers):
        raise InputError("RESET powers must be integers ≥ 2", found=powers, expected="(2, 3, 4)")
    it = _internal(result)
    e = it.e
    f = it.y_t - e if result.method == "fe" else np.asarray(result.xb, dtype=float)
    span = float(f.max() - f.min())
    if span == 0:
        raise InputError("fitted values are constant; RESET is undefined")
    s = (f - f.min()) / span
    P = np.column_stack([s**p for p in powers])
    P = demean(P, it.group, it.counts)
    if it.design.k:
        gamma = it.Winv @ np.column_stack([it.design.cross(P[:, j]) for j in range(P.shape[1])])
        P = P - np.column_stack([it.design.apply(gamma[:, j]) for j in range(P.shape[1])])
    q = len(powers)
    df_den = it.df_classic - q
    if df_den <= 0:
        raise InputError("too few observations for the RESET test", found=df_den)
    c = P.T @ e
    # Equilibrated solve; P'P can be badly scaled for high powers.
    d = 1.0 / np.sqrt(np.diag(P.T @ P))
    A = (P.T @ P) * d[:, None] * d[None, :]
    ess = float((c * d) @ np.linalg.solve(A, c * d))
    rss_u = float(e @ e) - ess
    stat = (ess / q) / (rss_u / df_den)
    return ResetResult(
        stat=float(stat),
        df_num=q,
        df_den=int(df_den),
        pvalue=float(stats.f.sf(stat, q, df_den)),
        powers=powers,
        applied_to=_applied_to(result),
    )


def mundlak_test(result: PanelResult) -> MundlakResult:
    """Mundlak / correlated random effects test of FE against RE, cluster-robust.

    Adds the region means ``x̄_i`` of every time-varying regressor to a pooled OLS of the same
    model (with the same year dummies), clusters by region, and tests that the coefficients
    of the means are jointly zero (Wooldridge 2010, §10.7.3; Wooldridge 2019 §14.3). The Wald
    statistic ``W = b'V⁻¹b`` is reported as F = W/q on (q, G−1) — what Stata's ``test``
    prints after ``regress, vce(cluster region)`` — and as χ²(q) (what ``test`` prints after
    ``xtreg, re vce(robust)``). Rejection favours FE. Unlike the classic Hausman test it is
    valid with heteroskedastic and serially correlated errors.

    Notes
    -----
    Means of the year dummies are not added; in a balanced panel they are constant. In an
    unbalanced panel the CRE coefficients on ``x`` then differ slightly from FE.
    """
    spec = result.spec
    if spec is None or spec.entity is None:
        raise InputError("the Mundlak test needs a panel (entity column)")
    it = _internal(result)
    sample = it.sample
    frame = sample.frame.copy()
    counts = np.bincount(sample.entity).astype(float)
    mean_terms: list[str] = []
    plain_terms: list[str] = []
    for j, name in enumerate(sample.names):
        col_name = name.replace(":", "×")
        if col_name != name:
            frame[col_name] = sample.X[:, j]
        plain_terms.append(col_name)
        within = demean(sample.X[:, j], sample.entity, counts)
        if float(within @ within) <= 1e-9 * float(
            ((sample.X[:, j] - sample.X[:, j].mean()) ** 2).sum()
        ):
            continue  # time-invariant: its mean is itself
        means = (np.bincount(sample.entity, weights=sample.X[:, j]) / counts)[sample.entity]
        if float(np.ptp(means)) <= 1e-12 * max(1.0, float(np.abs(means).max())):
            # varies only over time (e.g. national unemployment in a balanced panel): its region
            # means are one constant, absorbed by the intercept, so there is nothing to test
            continue
        mean_name = f"mean({col_name})"
        frame[mean_name] = means
        mean_terms.append(mean_name)
    if not mean_terms:
        raise InputError(
            "no time-varying regressor: nothing to test", location=Location(column="x")
        )
    fit = fit_panel(
        frame,
        spec.y,
        plain_terms + mean_terms,
        spec.entity,
        spec.time,
        method="pooled",
        cov="cluster",
        time_dummies=spec.time_dummies,
    )
    tested = [m for m in mean_terms if m in fit.params.index]
    b = fit.params[tested].to_numpy()
    V = fit.cov.loc[tested, tested].to_numpy()
    W = float(b @ np.linalg.solve(V, b))
    q = len(tested)
    df_den = fit.df_resid
    F = W / q
    return MundlakResult(
        stat=F,
        df_num=q,
        df_den=df_den,
        pvalue=float(stats.f.sf(F, q, df_den)),
        chi2=W,
        chi2_pvalue=float(stats.chi2.sf(W, q)),
        mean_terms=tested,
        fit=fit,
    )
