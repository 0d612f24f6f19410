"""What users read: the estimation result and the results of tests and linear combinations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

METHOD_LABELS = {"pooled": "Pooled OLS", "fe": "Fixed effects (within)", "fd": "First differences"}


@dataclass(repr=False)
class PanelResult:
    """The estimates of :func:`~regbef_excel.regression.fit_panel`, with Stata's conventions.

    Attributes
    ----------
    params, bse, tvalues, pvalues
        Coefficients, standard errors, t statistics and two-sided p-values (t distribution
        with ``df_resid`` degrees of freedom). Order: regressors as listed, then kept year
        dummies (``"1995.year"``, Stata's naming), then ``"const"``.
    cov
        Covariance matrix of ``params`` (DataFrame).
    nobs, n_entities
        Observations and regions (``n_entities`` is ``None`` for a plain cross-section).
    rsquared
        Stata's ``e(r2)``: R² of pooled OLS / first differences; the **within** R² after FE.
    r2_within, r2_between, r2_overall
        Stata's ``xtreg, fe`` R² trio (squared correlations); ``None`` for pooled OLS.
    df_resid
        Stata's ``e(df_r)``, the t-test degrees of freedom: N−K (pooled classic/robust),
        G−1 (any cluster-robust covariance), N−G−K (FE classic).
    dropped
        Regressors omitted because of collinearity, in listed order (year dummies included,
        e.g. ``["2017.year"]``; time-invariant regressors after FE).
    method, cov_type
        ``"pooled" | "fe" | "fd"`` and the covariance actually computed: ``"classic"``,
        ``"HC1"`` or ``"cluster"`` (FE "robust" is reported as ``"cluster"``).
    """

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    cov: pd.DataFrame
    nobs: int
    n_entities: int | None
    rsquared: float
    df_resid: int
    dropped: list[str]
    method: str
    cov_type: str
    # --- beyond the DESIGN fields ---
    y_name: str = ""
    regressors: list[str] = field(default_factory=list)
    time_dummy_names: list[str] = field(default_factory=list)
    cov_requested: str = ""
    has_time_dummies: bool = False
    k: int = 0
    df_model: int = 0
    n_clusters: int | None = None
    rss: float = float("nan")
    tss: float = float("nan")
    r2_within: float | None = None
    r2_between: float | None = None
    r2_overall: float | None = None
    resid: pd.Series | None = None
    fittedvalues: pd.Series | None = None
    xb: pd.Series | None = None
    entity_effects: pd.Series | None = None
    n_missing_dropped: int = 0
    missing_by_column: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    spec: Any = None
    _internal: Any = field(default=None, repr=False)

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def estimation_frame(self) -> pd.DataFrame:
        """The estimation sample as used: the data rows kept (after listwise deletion), with the
        regressors' columns (interactions included)."""
        return self._internal.sample.frame

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals with the t(``df_resid``) critical value Stata uses."""
        q = stats.t.ppf(0.5 + level / 2.0, self.df_resid)
        return pd.DataFrame(
            {"lower": self.params - q * self.bse, "upper": self.params + q * self.bse}
        )

    def summary_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficient table: coef, std err, t, P>|t|, CI (one row per kept coefficient)."""
        ci = self.conf_int(level)
        return pd.DataFrame(
            {
                "coef": self.params,
                "std err": self.bse,
                "t": self.tvalues,
                "P>|t|": self.pvalues,
                "ci lower": ci["lower"],
                "ci upper": ci["upper"],
            }
        )

    def __repr__(self) -> str:
        return (
            f"<PanelResult {self.method} {self.cov_type} y={self.y_name} N={self.nobs} "
            f"K={self.k} dropped={self.dropped}>"
        )

    def __str__(self) -> str:
        head = (
            f"{self.method_label}, dependent variable {self.y_name}; cov {self.cov_type}; "
            f"N = {self.nobs}"
            + (f", regions = {self.n_entities}" if self.n_entities is not None else "")
            + f", R2 = {self.rsquared:.4f}, df_r = {self.df_resid}"
        )
        lines = [head, self.summary_frame().to_string(float_format=lambda v: f"{v:.4f}")]
        if self.dropped:
            lines.append("omitted because of collinearity: " + ", ".join(self.dropped))
        lines.extend(self.warnings)
        return "\n".join(lines)


@dataclass(frozen=True)
class HettestResult:
    """Breusch–Pagan / Cook–Weisberg test (Stata ``estat hettest``)."""

    stat: float
    df: int
    pvalue: float
    variant: str
    regressors: str
    applied_to: str


@dataclass(frozen=True)
class ResetResult:
    """Ramsey RESET (Stata ``estat ovtest``): F test of powers of the fitted values."""

    stat: float
    df_num: int
    df_den: int
    pvalue: float
    powers: tuple[int, ...]
    applied_to: str


@dataclass(frozen=True)
class LincomResult:
    """A linear combination of coefficients (Stata ``lincom``)."""

    expression: str
    weights: dict[str, float]
    estimate: float
    se: float
    t: float
    pvalue: float
    df: int
    ci_lower: float
    ci_upper: float
    level: float = 0.95

    def as_series(self) -> pd.Series:
        return pd.Series(
            {
                "estimate": self.estimate,
                "se": self.se,
                "t": self.t,
                "pvalue": self.pvalue,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
            },
            name=self.expression,
        )


@dataclass(repr=False)
class MundlakResult:
    """Mundlak / correlated random effects test of FE against RE (cluster-robust Wald test)."""

    stat: float
    df_num: int
    df_den: int
    pvalue: float
    chi2: float
    chi2_pvalue: float
    mean_terms: list[str]
    fit: PanelResult


def t_pvalues(tvalues: np.ndarray, df: int) -> np.ndarray:
    """Two-sided p-values from t(df)."""
    return 2.0 * stats.t.sf(np.abs(tvalues), df)
