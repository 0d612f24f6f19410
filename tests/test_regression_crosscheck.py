"""fit_panel against independent implementations on simulated panels.

* FE, cluster by region: linearmodels ``PanelOLS`` (explicit constant and year dummies,
  ``entity_effects=True``, ``cov_type="clustered"``, ``cluster_entity=True``,
  ``group_debias=True``) and pyfixest ``feols("y ~ x + C(year) | region", vcov={"CRV1":
  "region"})``. Both scale by G/(G−1)·(N−1)/(N−K) with K = regressors + year dummies + 1
  (pyfixest: its default ``ssc(k_fixef="nonnested")`` discards the region effects nested in the
  clusters and counts the intercept the effects replace; linearmodels counts its explicit
  constant) — exactly Stata's ``xtreg, fe vce(robust)``. No adjustment is needed.
* p-values: pyfixest uses t(G−1) like Stata (linearmodels uses another d.o.f.; not compared).
* Pooled OLS: statsmodels ``OLS`` with ``cov_type="HC1"`` (and "cluster" for SEs).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from regbef_excel.regression import fit_panel

pf = pytest.importorskip("pyfixest")
lm_panel = pytest.importorskip("linearmodels.panel")
smf = pytest.importorskip("statsmodels.formula.api")

RTOL = 1e-8


def simulate(n_regions=40, n_years=8, seed=0, unbalanced=False):
    rng = np.random.default_rng(seed)
    ent = np.repeat(np.arange(n_regions), n_years)
    year = np.tile(np.arange(2000, 2000 + n_years), n_regions)
    a = rng.normal(size=n_regions)[ent]
    x1 = rng.normal(size=ent.size) + a
    x2 = rng.normal(size=ent.size)
    by = (rng.random(n_regions) < 0.3).astype(float)[ent]
    nl = rng.normal(size=n_years)[year - 2000]
    y = (
        1
        + 0.5 * x1
        - 0.3 * x2
        + 0.2 * x1 * by
        + a
        + 0.3 * nl
        + rng.normal(size=ent.size) * (1 + np.abs(x2))
    )
    df = pd.DataFrame({"region": ent, "year": year, "y": y, "x1": x1, "x2": x2, "by": by, "nl": nl})
    if unbalanced:
        df = df[rng.random(len(df)) > 0.25]
        df = df.groupby("region").filter(lambda d: len(d) >= 2)
    df = df.reset_index(drop=True)
    df["x1by"] = df.x1 * df.by
    return df


@pytest.fixture(params=[False, True], ids=["balanced", "unbalanced"])
def panel(request):
    return simulate(unbalanced=request.param, seed=3 if request.param else 4)


X_TERMS = ["x1", "x2", "by", "x1:by"]
KEPT = ["x1", "x2", "x1:by"]


def _pyfixest(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols("y ~ x1 + x2 + x1by + C(year) | region", data=df, vcov={"CRV1": "region"})


def test_fe_matches_pyfixest(panel):
    res = fit_panel(panel, "y", X_TERMS, "region", "year", method="fe", cov="robust")
    m = _pyfixest(panel)
    coef = m.coef().to_numpy()
    se = m.se().to_numpy()
    pv = m.pvalue().to_numpy()
    np.testing.assert_allclose(res.params[KEPT].to_numpy(), coef[:3], rtol=RTOL)
    np.testing.assert_allclose(res.bse[KEPT].to_numpy(), se[:3], rtol=RTOL)
    np.testing.assert_allclose(res.pvalues[KEPT].to_numpy(), pv[:3], rtol=1e-6, atol=1e-12)
    # Year dummies too (pyfixest names them C(year)[T.2001] ...).
    np.testing.assert_allclose(res.params[res.time_dummy_names].to_numpy(), coef[3:], rtol=1e-7)
    np.testing.assert_allclose(res.bse[res.time_dummy_names].to_numpy(), se[3:], rtol=RTOL)
    assert res.dropped == ["by"]  # time-invariant: omitted after FE
    assert res.df_resid == res.n_entities - 1
    assert res.rsquared == pytest.approx(m._r2_within, rel=1e-8)


def test_fe_matches_linearmodels(panel):
    res = fit_panel(panel, "y", X_TERMS, "region", "year", method="fe", cov="robust")
    d = panel.set_index(["region", "year"])
    years = pd.get_dummies(
        d.index.get_level_values("year"), prefix="y", drop_first=True, dtype=float
    )
    years.index = d.index
    X = pd.concat(
        [pd.Series(1.0, index=d.index, name="const"), d[["x1", "x2", "x1by"]], years], axis=1
    )
    fit = lm_panel.PanelOLS(d.y, X, entity_effects=True).fit(
        cov_type="clustered", cluster_entity=True, group_debias=True
    )
    np.testing.assert_allclose(res.params[KEPT].to_numpy(), fit.params.to_numpy()[1:4], rtol=RTOL)
    np.testing.assert_allclose(res.bse[KEPT].to_numpy(), fit.std_errors.to_numpy()[1:4], rtol=RTOL)
    # linearmodels' constant is Stata's average intercept; so is its SE.
    assert res.params["const"] == pytest.approx(fit.params["const"], rel=RTOL)
    assert res.bse["const"] == pytest.approx(fit.std_errors["const"], rel=RTOL)
    np.testing.assert_allclose(
        res.bse[res.time_dummy_names].to_numpy(), fit.std_errors.to_numpy()[4:], rtol=RTOL
    )


@pytest.mark.parametrize(
    "cov, sm_cov", [("robust", "HC1"), ("cluster", "cluster"), ("classic", "nonrobust")]
)
def test_pooled_matches_statsmodels(panel, cov, sm_cov):
    res = fit_panel(panel, "y", X_TERMS, "region", "year", method="pooled", cov=cov)
    kw = {"cov_kwds": {"groups": panel.region}} if sm_cov == "cluster" else {}
    o = smf.ols("y ~ x1 + x2 + by + x1:by + C(year)", data=panel).fit(
        cov_type=sm_cov, use_t=True, **kw
    )
    np.testing.assert_allclose(
        res.params[X_TERMS].to_numpy(), o.params[X_TERMS].to_numpy(), rtol=RTOL
    )
    np.testing.assert_allclose(res.bse[X_TERMS].to_numpy(), o.bse[X_TERMS].to_numpy(), rtol=RTOL)
    assert res.params["const"] == pytest.approx(o.params["Intercept"], rel=RTOL)
    assert res.bse["const"] == pytest.approx(o.bse["Intercept"], rel=RTOL)
    assert res.rsquared == pytest.approx(o.rsquared, rel=1e-10)
    years = [c for c in o.params.index if c.startswith("C(year)")]
    np.testing.assert_allclose(
        res.bse[res.time_dummy_names].to_numpy(), o.bse[years].to_numpy(), rtol=RTOL
    )
    if cov == "robust":
        assert res.cov_type == "HC1" and res.df_resid == res.nobs - res.k
        np.testing.assert_allclose(
            res.pvalues[X_TERMS].to_numpy(), o.pvalues[X_TERMS].to_numpy(), rtol=1e-6
        )
    if cov == "cluster":
        assert res.df_resid == res.n_entities - 1


def test_pooled_cluster_pvalues_match_pyfixest(panel):
    res = fit_panel(
        panel, "y", ["x1", "x2", "x1:by"], "region", "year", method="pooled", cov="cluster"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols("y ~ x1 + x2 + x1by + C(year)", data=panel, vcov={"CRV1": "region"})
    np.testing.assert_allclose(
        res.bse[["x1", "x2", "x1:by"]].to_numpy(), m.se().to_numpy()[1:4], rtol=RTOL
    )
    np.testing.assert_allclose(
        res.pvalues[["x1", "x2", "x1:by"]].to_numpy(),
        m.pvalue().to_numpy()[1:4],
        rtol=1e-6,
        atol=1e-12,
    )


def test_fe_classic_matches_linearmodels_unadjusted(panel):
    # xtreg, fe: sigma^2 = RSS/(N - G - K_x); linearmodels' unadjusted FE covariance uses the
    # same d.o.f. when entity effects are counted (its default, count_effects=True).
    res = fit_panel(panel, "y", ["x1", "x2"], "region", "year", method="fe", cov="classic")
    d = panel.set_index(["region", "year"])
    years = pd.get_dummies(d.index.get_level_values("year"), drop_first=True, dtype=float)
    years.index = d.index
    X = pd.concat([d[["x1", "x2"]], years], axis=1)
    fit = lm_panel.PanelOLS(d.y, X, entity_effects=True).fit(cov_type="unadjusted")
    np.testing.assert_allclose(
        res.bse[["x1", "x2"]].to_numpy(), fit.std_errors.to_numpy()[:2], rtol=RTOL
    )
    assert res.df_resid == res.nobs - res.n_entities - (res.k - 1)


def test_interaction_and_fitted_identities(panel):
    res = fit_panel(panel, "y", X_TERMS, "region", "year", method="fe")
    # Stata: predict xb + predict u + predict e = y, and sum_it u_i = 0 (average intercept).
    u = res.entity_effects.reindex(panel.region.to_numpy()).to_numpy()
    np.testing.assert_allclose(
        res.xb.to_numpy() + u + res.resid.to_numpy(), panel.y.to_numpy(), atol=1e-10
    )
    assert abs(u.sum()) < 1e-8
