"""fit_panel conventions, bad input, post-estimation and tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regbef_excel.errors import InputError
from regbef_excel.regression import (
    breusch_pagan,
    correlation_table,
    descriptive_table,
    fit_panel,
    lincom,
    marginal_effects,
    mundlak_test,
    nested_table,
    predict_fe,
    regression_table,
    reset,
)


def thesis_like(n_regions=20, n_years=6, seed=1):
    """A small synthetic panel shaped like the thesis data (synthetic, not the thesis data)."""
    rng = np.random.default_rng(seed)
    reg = np.repeat([f"R{i:02d}" for i in range(n_regions)], n_years)
    year = np.tile(np.arange(1994, 1994 + n_years), n_regions)
    nled = np.round(rng.uniform(2.5, 5.4, n_years), 1)[year - 1994]
    a = rng.normal(size=n_regions)[np.repeat(np.arange(n_regions), n_years)]
    ledig = 2.3 + 0.5 * nled - 1.9 + rng.normal(0, 0.6, reg.size) + 0.3 * a
    vak = rng.gamma(2, 1.3, reg.size)
    by = np.repeat((rng.random(n_regions) < 0.25).astype(float), n_years)
    y = -2.7 - 1.3 * ledig + 0.5 * ledig * by + 0.4 * nled + 3 * a + rng.normal(0, 4, reg.size)
    return pd.DataFrame(
        {
            "region": reg,
            "year": year,
            "nettoinnflytting": y,
            "arbeidsledighet": ledig,
            "vakanser": vak,
            "nledighet": nled,
            "by": by,
        }
    )


@pytest.fixture
def df():
    return thesis_like()


# ---------------------------------------------------------------- collinearity -------------


@pytest.mark.parametrize("method", ["pooled", "fe"])
def test_national_variable_with_year_dummies_omits_last_dummy(df, method):
    res = fit_panel(
        df,
        "nettoinnflytting",
        ["arbeidsledighet", "nledighet", "arbeidsledighet:nledighet"],
        "region",
        "year",
        method=method,
    )
    assert res.dropped == ["1999.year"]  # Stata: "1999.year omitted because of collinearity"
    assert "nledighet" in res.params.index
    assert res.time_dummy_names == [f"{y}.year" for y in range(1995, 1999)]
    # Same fit as without the omitted dummy: nothing silently pseudo-inverted. Reference: plain
    # least squares on the design WITHOUT the 1999 dummy (region dummies for FE), and the
    # Stata covariance typed out (pooled: HC1; FE robust: cluster by region, K = slopes + 1).
    x = df["arbeidsledighet"].to_numpy()
    n = df["nledighet"].to_numpy()
    dummies = [(df["year"] == y).to_numpy(float) for y in range(1995, 1999)]
    slopes = np.column_stack([x, n, x * n, *dummies])
    names = ["arbeidsledighet", "nledighet", "arbeidsledighet:nledighet", *res.time_dummy_names]
    y = df["nettoinnflytting"].to_numpy()
    N = len(y)
    if method == "pooled":
        X = np.column_stack([slopes, np.ones(N)])
        b, *_ = np.linalg.lstsq(X, y, rcond=None)
        e = y - X @ b
        XtXi = np.linalg.inv(X.T @ X)
        V = N / (N - X.shape[1]) * XtXi @ (X.T * e**2) @ X @ XtXi
        np.testing.assert_allclose(res.params[[*names, "const"]], b, rtol=1e-9)
        np.testing.assert_allclose(res.bse[[*names, "const"]], np.sqrt(np.diag(V)), rtol=1e-9)
    else:
        g = df["region"].to_numpy()
        Xw = slopes - pd.DataFrame(slopes).groupby(g).transform("mean").to_numpy()
        yw = y - pd.Series(y).groupby(g).transform("mean").to_numpy()
        b, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
        e = yw - Xw @ b
        XtXi = np.linalg.inv(Xw.T @ Xw)
        meat = sum(np.outer(Xw[g == r].T @ e[g == r], Xw[g == r].T @ e[g == r]) for r in np.unique(g))
        G, K = len(np.unique(g)), Xw.shape[1] + 1
        V = XtXi @ meat @ XtXi * G / (G - 1) * (N - 1) / (N - K)
        np.testing.assert_allclose(res.params[names], b, rtol=1e-9)
        np.testing.assert_allclose(res.bse[names], np.sqrt(np.diag(V)), rtol=1e-9)


def test_time_invariant_regressor_blank_after_fe(df):
    res = fit_panel(
        df,
        "nettoinnflytting",
        ["arbeidsledighet", "by", "arbeidsledighet:by"],
        "region",
        "year",
        method="fe",
    )
    assert res.dropped == ["by"]
    table = regression_table([res])
    row = table.text[table.text[""] == "by"]
    assert row["(1)"].iloc[0] == ""
    assert table.numeric.query("term == 'by'")["omitted"].iloc[0]


def test_duplicate_regressor_collinear_pooled(df):
    df = df.assign(ledig2=2 * df.arbeidsledighet)
    res = fit_panel(
        df, "nettoinnflytting", ["arbeidsledighet", "ledig2"], "region", "year", method="pooled"
    )
    assert res.dropped == ["ledig2"]


# ---------------------------------------------------------------- bad input ----------------


def test_unknown_variable(df):
    with pytest.raises(InputError) as exc:
        fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "ledighet"], "region", "year")
    assert exc.value.location.column == "ledighet"
    assert "unknown variable" in str(exc.value)


def test_non_numeric_values_name_column_and_rows(df):
    df["vakanser"] = df["vakanser"].astype(object)
    df.loc[[3, 7], "vakanser"] = "n/a"
    with pytest.raises(InputError) as exc:
        fit_panel(df, "nettoinnflytting", ["vakanser"], "region", "year")
    assert exc.value.location.column == "vakanser"
    assert exc.value.location.row == 3
    assert "rows 3, 7" in str(exc.value)


def test_missing_values_listwise_deletion_reported(df):
    df.loc[[0, 5], "vakanser"] = np.nan
    df.loc[[5, 9], "arbeidsledighet"] = np.nan
    res = fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    assert res.nobs == len(df) - 3
    assert res.n_missing_dropped == 3
    assert res.missing_by_column == {"vakanser": 2, "arbeidsledighet": 2}
    assert 0 not in res.resid.index and 9 not in res.resid.index


def test_duplicate_region_year(df):
    df = pd.concat([df, df.iloc[[4]]], ignore_index=True)
    with pytest.raises(InputError) as exc:
        fit_panel(df, "nettoinnflytting", ["arbeidsledighet"], "region", "year")
    assert "duplicate" in str(exc.value) and "rows 4, 120" in str(exc.value)


def test_constant_regressor(df):
    df["const5"] = 5.0
    with pytest.raises(InputError) as exc:
        fit_panel(
            df, "nettoinnflytting", ["arbeidsledighet", "const5"], "region", "year", method="pooled"
        )
    assert exc.value.location.column == "const5"


def test_more_regressors_than_observations():
    d = pd.DataFrame(
        {"y": [1.0, 2.0, 4.0], "a": [1.0, 0.0, 2.0], "b": [3.0, 1.0, 0.0], "c": [0.0, 5.0, 1.0]}
    )
    with pytest.raises(InputError, match="more coefficients"):
        fit_panel(d, "y", ["a", "b", "c"], None, None, method="pooled")


def test_single_year_region_kept_as_stata_does(df):
    df = df.drop(index=df.index[(df.region == "R03") & (df.year > 1994)])
    res = fit_panel(df, "nettoinnflytting", ["arbeidsledighet"], "region", "year", method="fe")
    assert res.n_entities == 20 and res.nobs == len(df)
    assert any("single year" in w and "R03" in w for w in res.warnings)
    # The singleton has zero within residual and changes nothing but N, G and the d.o.f.
    dropped = df[df.region != "R03"]
    ref = fit_panel(dropped, "nettoinnflytting", ["arbeidsledighet"], "region", "year", method="fe")
    assert res.params["arbeidsledighet"] == pytest.approx(ref.params["arbeidsledighet"], rel=1e-10)
    N, G, K = res.nobs, res.n_entities, res.k
    scale = (G / (G - 1) * (N - 1) / (N - K)) / ((G - 1) / (G - 2) * (N - 2) / (N - 1 - K))
    assert res.bse["arbeidsledighet"] == pytest.approx(
        ref.bse["arbeidsledighet"] * np.sqrt(scale), rel=1e-10
    )


def test_fe_needs_entity(df):
    with pytest.raises(InputError):
        fit_panel(df, "nettoinnflytting", ["arbeidsledighet"], None, None, method="fe")
    with pytest.raises(InputError):
        fit_panel(df, "nettoinnflytting", ["arbeidsledighet"], "region", "year", method="iv")


def test_cross_section_pooled(df):
    res = fit_panel(df, "nettoinnflytting", "arbeidsledighet", None, None, method="pooled")
    assert res.n_entities is None and res.cov_type == "HC1" and not res.has_time_dummies
    assert res.df_resid == res.nobs - 2


# ---------------------------------------------------------------- post-estimation ----------


def test_lincom_and_marginal_effects(df):
    res = fit_panel(
        df,
        "nettoinnflytting",
        ["arbeidsledighet", "nledighet", "arbeidsledighet:nledighet"],
        "region",
        "year",
        method="fe",
    )
    lc = lincom(res, "arbeidsledighet + 3.5*arbeidsledighet:nledighet")
    w = pd.Series(0.0, index=res.params.index)
    w["arbeidsledighet"], w["arbeidsledighet:nledighet"] = 1.0, 3.5
    assert lc.estimate == pytest.approx(w @ res.params)
    assert lc.se == pytest.approx(np.sqrt(w @ res.cov @ w))
    assert lc.df == res.n_entities - 1
    me = marginal_effects(res, "arbeidsledighet", "nledighet")
    assert list(me.index) == ["min", "mean", "max"]
    assert me.loc["min", "level"] == pytest.approx(df.nledighet.min())
    lc2 = lincom(res, {"arbeidsledighet": 1, "arbeidsledighet:nledighet": me.loc["max", "level"]})
    assert me.loc["max", "se"] == pytest.approx(lc2.se)
    with pytest.raises(InputError):
        lincom(res, "arbeidsledighet + 1999.year")  # omitted dummy


def test_lincom_single_coefficient_equals_table(df):
    res = fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    lc = lincom(res, "vakanser")
    assert lc.t == pytest.approx(res.tvalues["vakanser"])
    assert lc.pvalue == pytest.approx(res.pvalues["vakanser"])
    d = lincom(res, "arbeidsledighet - vakanser")
    assert d.weights == {"arbeidsledighet": 1.0, "vakanser": -1.0}


def test_predict_fe_future_year_assumption(df):
    res = fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    insample = predict_fe(res)
    np.testing.assert_allclose(
        insample["prediction"] + res.resid, df["nettoinnflytting"], atol=1e-10
    )
    future = df[df.year == 1999].assign(year=2030, arbeidsledighet=lambda d: d.arbeidsledighet + 1)
    last = predict_fe(res, future, future_year_effect="last")
    zero = predict_fe(res, future, future_year_effect="zero")
    assert last["future_year"].all()
    np.testing.assert_allclose(last["year_effect"], res.params["1999.year"])
    np.testing.assert_allclose(last["prediction"] - zero["prediction"], res.params["1999.year"])
    given_ = predict_fe(res, future, future_year_effect=0.25)
    np.testing.assert_allclose(given_["year_effect"], 0.25)
    with pytest.raises(InputError):
        predict_fe(res, future.assign(region="Nowhere"))


def test_mundlak_balanced_cre_equals_fe(df):
    fe = fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    m = mundlak_test(fe)
    # Balanced panel: the CRE (pooled with region means) slopes are the FE slopes.
    for name in ["arbeidsledighet", "vakanser"]:
        assert m.fit.params[name] == pytest.approx(fe.params[name], rel=1e-8)
    assert m.df_num == 2 and m.df_den == fe.n_entities - 1
    assert m.chi2 == pytest.approx(m.stat * m.df_num)


def test_first_differences_drop_time_invariant(df):
    res = fit_panel(
        df,
        "nettoinnflytting",
        ["arbeidsledighet", "by"],
        "region",
        "year",
        method="fd",
        cov="cluster",
    )
    assert res.dropped == ["by"]
    assert res.nobs == 20 * 5
    assert res.time_dummy_names[0] == "1996.year"


def test_bp_and_reset_after_fe(df):
    res = fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    bp = breusch_pagan(res)
    assert bp.df == 1 and 0 <= bp.pvalue <= 1 and "within" in bp.applied_to
    # Stata's estat hettest after xtreg, fe, by hand: within residuals e and fitted values f;
    # regress e²/(RSS/N) on a constant and f; statistic = explained SS / 2 ~ χ²(1)
    from scipy import stats

    g = df["region"].to_numpy()
    X = np.column_stack([df["arbeidsledighet"], df["vakanser"],
                         *[(df["year"] == y).to_numpy(float) for y in range(1995, 2000)]])  # fmt: skip
    y = df["nettoinnflytting"].to_numpy()
    Xw = X - pd.DataFrame(X).groupby(g).transform("mean").to_numpy()
    yw = y - pd.Series(y).groupby(g).transform("mean").to_numpy()
    b, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
    e = yw - Xw @ b
    v = e**2 / (e @ e / len(e))
    Z = np.column_stack([np.ones(len(e)), yw - e])
    fitted = Z @ np.linalg.lstsq(Z, v, rcond=None)[0]
    stat = float(((fitted - v.mean()) ** 2).sum()) / 2
    assert bp.stat == pytest.approx(stat, rel=1e-9)
    assert bp.pvalue == pytest.approx(stats.chi2.sf(stat, 1), rel=1e-9)
    rr = reset(res)
    assert rr.df_num == 3
    assert rr.df_den == res.nobs - res.n_entities - res.df_model - 3


# ---------------------------------------------------------------- tables -------------------


def test_regression_table_layout(df):
    pols = fit_panel(
        df,
        "nettoinnflytting",
        ["arbeidsledighet", "by", "arbeidsledighet:by"],
        "region",
        "year",
        method="pooled",
    )
    fe = fit_panel(
        df,
        "nettoinnflytting",
        ["arbeidsledighet", "by", "arbeidsledighet:by"],
        "region",
        "year",
        method="fe",
    )
    t = regression_table([pols, fe])
    text = t.text
    assert list(text.columns) == ["", "(1)", "(2)"]
    assert text.iloc[0].tolist() == ["", "POLS", "FE"]
    assert text.iloc[1, 0] == "VARIABLER"
    labels = text[""].tolist()
    assert labels[2] == "arbeidsledighet" and "arbeidsledighet_by" in labels
    i = labels.index("arbeidsledighet")
    b, se, p = (
        pols.params["arbeidsledighet"],
        pols.bse["arbeidsledighet"],
        pols.pvalues["arbeidsledighet"],
    )
    star = "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""
    assert text.iloc[i, 1] == f"{b:.4f}{star}"
    assert text.iloc[i + 1, 1] == f"({se:.4f})"
    assert "Konstant" in labels
    row = dict(zip(labels, text["(2)"], strict=False))
    assert row["Observasjoner"] == "120" and row["Antall regioner"] == "20"
    assert row["R2"] == f"{fe.rsquared:.3f}" and row["Årsdummyer"] == "Ja"
    assert "Robuste standardfeil i parentes" in labels
    assert "*** p<0.01, ** p<0.05, * p<0.1" in labels
    en = regression_table([pols, fe], language="en").text[""].tolist()
    assert "Observations" in en and "Unemployment (%)" in en and "Constant" in en


def test_thousands_separator_and_nested_table(df):
    big = pd.concat([df.assign(region=df.region + f"_{k}") for k in range(20)], ignore_index=True)
    table, results = nested_table(
        big, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year"
    )
    labels = table.text[""].tolist()
    assert table.text.iloc[labels.index("Observasjoner"), 1] == "2,400"
    assert len(results) == 2 and table.text.iloc[labels.index("vakanser"), 1] == ""


def test_stars_strict_thresholds():
    from regbef_excel.regression.tables import stars

    assert stars(0.01) == "**" and stars(0.0099) == "***" and stars(0.05) == "*"
    assert stars(0.1) == "" and stars(0.0999) == "*"


def test_descriptive_and_correlation_tables(df):
    d = descriptive_table(df, ["nettoinnflytting", "arbeidsledighet"])
    assert d.numeric.loc["arbeidsledighet", "sd"] == pytest.approx(df.arbeidsledighet.std(ddof=1))
    assert d.text.columns.tolist() == ["Variabler", "Obs", "Gj.snitt", "Std. avvik", "Min", "Max"]
    c = correlation_table(df, ["nettoinnflytting", "arbeidsledighet", "vakanser"])
    assert c.text.iloc[0, 1] == "1.000" and c.text.iloc[0, 2] == ""
    assert c.text.iloc[2, 1] == f"{df.nettoinnflytting.corr(df.vakanser):.3f}"
    assert c.text.iloc[1, 0] == "(2) arbeidsledighet"


# ---------------------------------------------------------------- properties ---------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0), shift=st.floats(-50, 50))
def test_fe_equivariance(seed, scale, shift):
    """Rescaling y scales β and SEs; adding a region-constant to y changes nothing but u_i."""
    df = thesis_like(n_regions=8, n_years=5, seed=seed)
    base = fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    shifted = df.assign(nettoinnflytting=scale * df.nettoinnflytting + shift * (df.region == "R01"))
    res = fit_panel(shifted, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    np.testing.assert_allclose(
        res.params.drop("const"), scale * base.params.drop("const"), rtol=1e-7, atol=1e-9
    )
    np.testing.assert_allclose(res.bse, abs(scale) * base.bse, rtol=1e-7, atol=1e-9)
    assert res.rsquared == pytest.approx(base.rsquared, rel=1e-8)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_row_order_does_not_matter(seed):
    df = thesis_like(n_regions=6, n_years=4, seed=seed)
    a = fit_panel(df, "nettoinnflytting", ["arbeidsledighet", "vakanser"], "region", "year")
    b = fit_panel(
        df.sample(frac=1.0, random_state=seed),
        "nettoinnflytting",
        ["arbeidsledighet", "vakanser"],
        "region",
        "year",
    )
    np.testing.assert_allclose(a.params, b.params, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(a.bse, b.bse, rtol=1e-9, atol=1e-10)


def test_mundlak_skips_regressors_that_vary_only_over_time():
    """National variables (same for every region) have constant region means in a balanced panel;
    the Mundlak test must skip them instead of failing on a constant regressor."""
    import numpy as np
    import pandas as pd

    from regbef_excel.regression import fit_panel
    from regbef_excel.regression.diagnostics import mundlak_test

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"r": np.repeat(range(30), 10), "t": np.tile(range(10), 30)})
    df["x"] = rng.normal(size=len(df)) + np.repeat(rng.normal(size=30), 10)
    df["nat"] = rng.normal(size=10)[df["t"]]
    df["y"] = df["x"] + rng.normal(size=len(df))
    res = fit_panel(df, "y", ["x", "nat", "x:nat"], "r", "t", method="fe")
    m = mundlak_test(res)
    # nat is skipped; x and the interaction vary within and between regions and are tested
    assert m.mean_terms == ["mean(x)", "mean(x×nat)"]
    assert m.df_num == 2 and m.df_den == 29  # F(q, G − 1), cluster by region
    assert "mean(nat)" not in m.fit.params.index
    # the statistic is the Wald test of the two mean coefficients in the CRE regression
    b = m.fit.params[m.mean_terms].to_numpy()
    V = m.fit.cov.loc[m.mean_terms, m.mean_terms].to_numpy()
    W = float(b @ np.linalg.solve(V, b))
    assert m.chi2 == pytest.approx(W, rel=1e-12) and m.stat == pytest.approx(W / 2, rel=1e-12)
    from scipy import stats

    assert m.pvalue == pytest.approx(stats.f.sf(W / 2, 2, 29), rel=1e-9)
    # x is exogenous here (no correlation with the region effects): no evidence against RE
    assert m.pvalue > 0.01


def test_table_language_codes_nb_en_and_no_as_alias():
    df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 6.0], "x": [0.0, 1.0, 2.0, 3.0, 4.0]})
    res = fit_panel(df, "y", ["x"], None, None, method="pooled", cov="classic")
    nb = regression_table([res], language="nb").text
    assert nb.equals(regression_table([res], language="no").text)  # the former code still reads
    assert nb.equals(regression_table([res]).text)  # Norwegian by default
    assert "Konstant" in nb.iloc[:, 0].tolist() and "Constant" in regression_table([res], language="en").text.iloc[:, 0].tolist()
    with pytest.raises(InputError):
        regression_table([res], language="de")
