"""Estimation: pooled OLS, fixed effects (within) and first differences, as Stata does them.

Thesis eq. 6 (and its extensions eq. 11–12) with year dummies in every regression:

.. math::

    y_{it} = \\beta_0 + x_{it}'\\beta + \\sum_{t>1} \\alpha_t \\,\\text{year}_t + a_i + u_{it}

* ``method="pooled"``: ``regress y x i.year`` (``a_i`` left in the error).
* ``method="fe"``: ``xtreg y x i.year, fe`` (``a_i`` swept out by the within transformation).
* ``method="fd"``: ``regress D.y D.x i.year`` on consecutive periods (an extra robustness check,
  spec §3).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from regbef_excel.errors import InputError, Location
from regbef_excel.regression.covariance import (
    build_design,
    demean,
    inverse_gram,
    rowsum,
    sandwich,
    sequential_independent,
    to_reported,
)
from regbef_excel.regression.data import Sample, prepare_sample
from regbef_excel.regression.options import PanelSpec
from regbef_excel.regression.results import PanelResult, t_pvalues

#: A column is "collinear" when its residual sum of squares, after projecting on the columns
#: listed before it (and on the region effects for FE), is at most this share of its centred
#: sum of squares in the raw data, i.e. R² > 1 − 1e-9.
COLLINEARITY_TOL = 1e-9


class _Internal:
    """What post-estimation needs from a fit (kept off the public surface)."""

    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def dummy_name(label: object, time: str) -> str:
    """Stata's name of a year dummy: ``1995.year``."""
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        label = int(label)
    return f"{label}.{time}"


def fit_panel(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str] | str,
    entity: str | None,
    time: str | None,
    *,
    method: str = "fe",
    cov: str = "robust",
    time_dummies: bool = True,
) -> PanelResult:
    """Estimate thesis eq. 6 (or any linear panel model) with Stata's conventions.

    Parameters
    ----------
    data
        One row per region-year (or per unit of a cross-section).
    y
        Dependent variable column.
    x
        Regressors; ``"a:b"`` is the product of columns ``a`` and ``b`` (list the main effects
        separately, as in thesis eq. 11: ``["arbeidsledighet", "by", "arbeidsledighet:by"]``).
    entity, time
        Region and year columns; both ``None`` for a pooled regression on a cross-section.
    method
        ``"pooled"`` (``regress``), ``"fe"`` (``xtreg, fe``) or ``"fd"`` (``regress`` on first
        differences of consecutive periods, with a constant).
    cov
        ``"robust"`` — what Stata means: HC1 after pooled OLS/FD, cluster by region after FE;
        ``"cluster"`` — cluster by region; ``"classic"`` — conventional.
    time_dummies
        Add a dummy for every period but the first in the estimation sample (``i.year``).

    Returns
    -------
    PanelResult

    Notes
    -----
    Degrees of freedom (Stata):

    * pooled/FD, classic and HC1: ``V_HC1 = N/(N−K) (X'X)^-1 (Σ û² x x') (X'X)^-1``, K counts
      every coefficient (constant and year dummies included); t(N−K).
    * cluster (any method): ``V × G/(G−1) × (N−1)/(N−K)`` with t(G−1). After FE, K = regressors
      + year dummies + 1: the absorbed region effects are **not** counted (``xtreg, fe
      vce(robust)``, which is cluster by region).
    * FE classic: ``σ² = RSS/(N−G−K_x)`` with K_x the kept regressors incl. year dummies
      (``xtreg, fe``: one absorbed effect per region; the constant is one of them). This is the
      residual d.o.f. in Stata's ``F(K_x, N−G−K_x)``, e.g. the [XT] manual's nlswork example
      ``F(8, 23386)`` with N = 28,091, G = 4,697.

    FE constant: Stata's average intercept ``ȳ − x̄'β̂`` (grand means, year dummies included)
    with its SE from the augmented regression; under clustering its variance is ``x̄'V_β x̄``.

    Collinearity: columns are examined in the order constant, regressors as listed, year
    dummies; a column in the span of earlier ones is omitted (Stata's ``_rmcoll`` order), so
    a national variable with year dummies omits the last year dummy. Regressors that do not
    vary within regions are omitted after FE (and FD). All omissions are in ``dropped``.

    Regions observed once are kept after FE, as ``xtreg`` keeps them: they count in N and G
    but have zero within variation (a warning names them).
    """
    if isinstance(x, str):
        x = [x]
    spec = PanelSpec(
        y=y,
        x=tuple(x),
        entity=entity,
        time=time,
        method=method,
        cov=cov,
        time_dummies=bool(time_dummies),
    )
    sample = prepare_sample(data, spec)
    if spec.method == "fd":
        sample = first_differences(sample, spec)
    return estimate(sample, spec)


def first_differences(sample: Sample, spec: PanelSpec) -> Sample:
    """Difference y and every regressor term between consecutive periods of a region.

    "Consecutive" means adjacent in the sorted list of periods present in the estimation
    sample (Stata's ``D.`` with a yearly ``tsset`` delta when no year is missing from the
    whole sample). A pair with a gap yields no difference. Interactions are differenced as
    products: ``D.(a·b)``. The differenced observation carries the later period.
    """
    assert sample.entity is not None and sample.time is not None
    order = np.lexsort((sample.time, sample.entity))
    ent, tim = sample.entity[order], sample.time[order]
    ok = (ent[1:] == ent[:-1]) & (tim[1:] == tim[:-1] + 1)
    later, earlier = order[1:][ok], order[:-1][ok]
    if later.size == 0:
        raise InputError(
            "no region has two consecutive years: first differences are empty",
            location=Location(column=spec.time),
        )
    later_sorted = np.sort(later)
    pos = np.argsort(later)
    earlier_sorted = earlier[pos]
    ent_codes, ent_labels = pd.factorize(
        sample.entity_labels[sample.entity[later_sorted]], sort=True
    )
    return Sample(
        index=sample.index[later_sorted],
        y=sample.y[later_sorted] - sample.y[earlier_sorted],
        X=sample.X[later_sorted] - sample.X[earlier_sorted],
        names=sample.names,
        terms=sample.terms,
        entity=ent_codes.astype(np.intp),
        time=sample.time[later_sorted],
        entity_labels=np.asarray(ent_labels),
        time_labels=sample.time_labels,
        frame=sample.frame.loc[sample.index[later_sorted]],
        n_missing_dropped=sample.n_missing_dropped,
        missing_by_column=sample.missing_by_column,
        warnings=[],
    )


def _too_few(n: int, k: int, what: str) -> InputError:
    return InputError(
        f"more coefficients than the observations allow ({what})",
        location=Location(column="x"),
        found=f"N = {n}, K = {k}",
        expected="fewer regressors or more observations",
    )


def estimate(sample: Sample, spec: PanelSpec) -> PanelResult:
    """Estimate ``spec`` on a clean ``sample`` (see :func:`fit_panel` for the conventions)."""
    N = sample.nobs
    p = sample.X.shape[1]
    is_fe = spec.method == "fe"
    time_codes = sample.time
    if time_codes is not None:
        # Periods present in this sample (FD loses the first period).
        present = np.unique(time_codes)
        remap = np.full(int(time_codes.max()) + 1, -1, dtype=np.intp)
        remap[present] = np.arange(present.size)
        time_codes = remap[time_codes]
        time_labels = sample.time_labels[present]
        n_periods = present.size
    else:
        time_labels = np.empty(0)
        n_periods = 0
    use_dummies = spec.time_dummies and time_codes is not None and n_periods > 1
    levels = np.arange(1, n_periods) if use_dummies else np.empty(0, dtype=np.intp)
    dummy_names = [dummy_name(time_labels[lv], spec.time) for lv in levels] if use_dummies else []

    if N <= p + 1:
        raise _too_few(N, p + 1 + len(levels), "regressors plus constant")

    if is_fe:
        group, n_groups = sample.entity, int(sample.entity.max()) + 1
    else:
        group, n_groups = np.zeros(N, dtype=np.intp), 1
    design = build_design(
        sample.X, group, n_groups, time_codes if use_dummies else None, n_periods, levels
    )
    counts = np.bincount(group, minlength=n_groups).astype(float)
    y_t = demean(sample.y, group, counts)

    # Collinearity on the centred (pooled) or within (FE) Gram, in listed order.
    gram_full = design.weighted_gram()
    n_per = np.bincount(time_codes, minlength=n_periods) if use_dummies else np.zeros(0)
    raw_ss = ((sample.X - sample.X.mean(axis=0)) ** 2).sum(axis=0)
    dummy_ss = n_per[levels] * (1.0 - n_per[levels] / N) if use_dummies else np.zeros(0)
    scale = np.concatenate([raw_ss, dummy_ss])
    all_names = [*sample.names, *dummy_names]
    keep = sequential_independent(gram_full[1:, 1:], scale, COLLINEARITY_TOL)
    dropped = [all_names[j] for j in range(len(all_names)) if j not in set(keep.tolist())]
    kept_names = [all_names[j] for j in keep]
    design = design.subset(keep)
    k_x = keep.size
    gram = gram_full[np.ix_(np.r_[0, keep + 1], np.r_[0, keep + 1])]

    G = int(sample.entity.max()) + 1 if sample.entity is not None else None
    k_stata = k_x + 1
    df_classic = N - G - k_x if is_fe else N - k_stata
    if df_classic <= 0:
        raise _too_few(N, k_x + 1 + (G - 1 if is_fe else 0), "no residual degrees of freedom")

    W = gram[1:, 1:]
    Winv = inverse_gram(W) if k_x else np.zeros((0, 0))
    beta = Winv @ design.cross(y_t) if k_x else np.zeros(0)
    e = y_t - design.apply(beta) if k_x else y_t.copy()
    rss = float(e @ e)
    tss = float(y_t @ y_t)
    bread = np.zeros((1 + k_x, 1 + k_x))
    bread[0, 0] = 1.0 / N
    bread[1:, 1:] = Winv

    cov_kind = spec.cov
    if is_fe and cov_kind == "robust":
        cov_kind = "cluster"
    elif cov_kind == "robust":
        cov_kind = "HC1"
    if cov_kind == "classic":
        v_c = bread * (rss / df_classic)
        df_t = df_classic
    elif cov_kind == "HC1":
        meat = design.weighted_gram(e * e)
        v_c = sandwich(bread, meat) * (N / (N - k_stata))
        df_t = N - k_stata
    else:
        scores = design.cluster_scores(e, sample.entity, G)
        if G < 2:
            raise InputError(
                "clustered standard errors need at least two regions",
                location=Location(column=spec.entity),
                found=G,
            )
        v_c = sandwich(bread, scores.T @ scores) * (G / (G - 1) * (N - 1) / (N - k_stata))
        df_t = G - 1

    # Means of every kept column in the raw data (year dummies: period shares).
    xbar_all = np.concatenate([sample.X.mean(axis=0), n_per[levels] / N if use_dummies else []])
    xbar = xbar_all[keep]
    const = float(sample.y.mean() - xbar @ beta)
    names = [*kept_names, "const"]
    params = np.concatenate([beta, [const]])
    cov = to_reported(v_c, xbar)
    bse = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        tvalues = params / bse
    pvalues = t_pvalues(tvalues, df_t)

    # Fitted values: xb (const + x'b, Stata's predict xb) and, after FE, the region effects.
    dense_keep = keep[keep < p]
    dummy_keep = keep[keep >= p] - p
    gamma = np.zeros(n_periods)
    if use_dummies:
        gamma[levels[dummy_keep]] = beta[dense_keep.size :]
    xb_noconst = sample.X[:, dense_keep] @ beta[: dense_keep.size]
    if use_dummies:
        xb_noconst = xb_noconst + gamma[time_codes]
    xb = xb_noconst + const
    fitted = sample.y - e
    entity_effects = None
    r2_within = r2_between = r2_overall = None
    if is_fe:
        u_i = rowsum(sample.y - xb, group, n_groups) / counts
        entity_effects = pd.Series(
            u_i, index=pd.Index(sample.entity_labels, name=spec.entity), name="u"
        )
        rsquared = 1.0 - rss / tss if tss > 0 else float("nan")
        r2_within = rsquared
        r2_overall = _corr2(sample.y, xb_noconst)
        ybar_i = rowsum(sample.y, group, n_groups) / counts
        xbbar_i = rowsum(xb_noconst, group, n_groups) / counts
        r2_between = _corr2(ybar_i, xbbar_i)
    else:
        rsquared = 1.0 - rss / tss if tss > 0 else float("nan")

    idx = sample.index
    internal = _Internal(
        sample=sample,
        design=design,
        Winv=Winv,
        y_t=y_t,
        e=e,
        group=group,
        n_groups=n_groups,
        counts=counts,
        df_classic=df_classic,
        time_codes=time_codes,
        time_labels=time_labels,
        gamma=gamma,
        dense_keep=dense_keep,
        xbar=xbar,
    )
    return PanelResult(
        params=pd.Series(params, index=names, name="coef"),
        bse=pd.Series(bse, index=names, name="std err"),
        tvalues=pd.Series(tvalues, index=names, name="t"),
        pvalues=pd.Series(pvalues, index=names, name="P>|t|"),
        cov=pd.DataFrame(cov, index=names, columns=names),
        nobs=N,
        n_entities=G,
        rsquared=float(rsquared),
        df_resid=int(df_t),
        dropped=dropped,
        method=spec.method,
        cov_type=cov_kind,
        y_name=spec.y,
        regressors=list(sample.names),
        time_dummy_names=[n for n in kept_names if n in set(dummy_names)],
        cov_requested=spec.cov,
        has_time_dummies=use_dummies,
        k=k_stata,
        df_model=k_x,
        n_clusters=G if cov_kind == "cluster" else None,
        rss=rss,
        tss=tss,
        r2_within=r2_within,
        r2_between=r2_between,
        r2_overall=r2_overall,
        resid=pd.Series(e, index=idx, name="resid"),
        fittedvalues=pd.Series(fitted, index=idx, name="fitted"),
        xb=pd.Series(xb, index=idx, name="xb"),
        entity_effects=entity_effects,
        n_missing_dropped=sample.n_missing_dropped,
        missing_by_column=dict(sample.missing_by_column),
        warnings=list(sample.warnings) if is_fe else [],
        spec=spec,
        _internal=internal,
    )


def _corr2(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1] ** 2)
