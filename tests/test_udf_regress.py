"""REGBEF_REGRESS with several x columns equals fit_panel on the same data, number for number.

The UDF reads every x column from the sheet range (header row, then values as Excel hands them
over: floats, text with a decimal comma, empty cells) and must hand each column — not the first
one over and over — to :func:`regbef_excel.regression.fit_panel`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from regbef_excel.excel import udfs
from regbef_excel.regression import fit_panel

X_NAMES = ["ledighet", "vakanser", "boligpris"]
BETA = {"ledighet": 1.5, "vakanser": -2.0, "boligpris": 0.7}
HEADER = ["variable", "coef", "std_err", "t", "p_value"]


def make_panel(n_regions: int = 9, n_years: int = 7, seed: int = 11) -> pd.DataFrame:
    """A balanced panel, three regressors that are not collinear, region effects, a year trend."""
    rng = np.random.default_rng(seed)
    region = np.repeat([f"R{i:02d}" for i in range(n_regions)], n_years)
    year = np.tile(np.arange(2014, 2014 + n_years), n_regions)
    effect = np.repeat(rng.normal(0, 2, n_regions), n_years)
    df = pd.DataFrame({"region": region, "year": year})
    df["ledighet"] = rng.normal(3, 1, len(df)) + 0.3 * effect
    df["vakanser"] = rng.normal(0, 1, len(df))
    df["boligpris"] = rng.normal(10, 2, len(df)) + 0.1 * (year - 2014)
    df["netto"] = (
        sum(BETA[k] * df[k] for k in X_NAMES)
        + effect + 0.2 * (year - 2014)
        + rng.normal(0, 0.3 * (1 + (region == "R03")), len(df))  # heteroskedastic
    )  # fmt: skip
    return df


def _text(v: float) -> str:
    """A float as a planner's text cell with a decimal comma (exact round trip)."""
    return repr(float(v)).replace(".", ",")


def sheet_ranges(df: pd.DataFrame, *, headers: bool = True, as_text: bool = True):
    """The four ranges Excel passes: y, x (3 columns), entity, time — each with a header row."""
    y = [["netto"], *[[float(v)] for v in df["netto"]]]
    x = [[*X_NAMES]] if headers else []
    for r in df[X_NAMES].itertuples(index=False):
        x.append([r[0], _text(r[1]) if as_text else float(r[1]), float(r[2])])
    entity = [["region"], *[[v] for v in df["region"]]]
    time = [["år"], *[[float(v)] for v in df["year"]]]  # Excel delivers whole numbers as floats
    return y, x, entity, time


def _canonical(name: str) -> str:
    """Year dummies ``2015.<time column>`` → ``2015.year`` (the UDF names its time column)."""
    m = re.fullmatch(r"(\d+)\.\S+", name)
    return f"{m.group(1)}.year" if m else name


def table(out) -> dict[str, list[object]]:
    assert out[0] == HEADER, out[0]  # not a '#REGBEF: …' error cell
    return {str(r[0]): r[1:] for r in out[1:]}


def assert_same_as_fit_panel(out, ref, x_names=X_NAMES):
    rows = table(out)
    coef_names = [n for n in rows if n not in ("N", "groups", "R2", "method / cov", "dropped")]
    # every regressor appears, each once, in fit_panel's order (regressors, dummies, const)
    assert [_canonical(n) for n in coef_names] == [_canonical(n) for n in ref.params.index]
    assert coef_names[: len(x_names)] == list(x_names)
    got = np.array([[float(v) for v in rows[n]] for n in coef_names])
    want = np.column_stack([ref.params, ref.bse, ref.tvalues, ref.pvalues])
    for j, what in enumerate(HEADER[1:]):
        np.testing.assert_allclose(got[:, j], want[:, j], rtol=1e-10, atol=0, err_msg=what)
    assert rows["N"][0] == ref.nobs
    assert rows["groups"][0] == ("" if ref.n_entities is None else ref.n_entities)
    assert rows["R2"][0] == pytest.approx(ref.rsquared, rel=1e-10)
    assert rows["method / cov"][0] == f"{ref.method} / {ref.cov_type}"
    assert ("dropped" in rows) == bool(ref.dropped)


@pytest.fixture(scope="module")
def panel():
    return make_panel()


CASES = [
    ("fe", "robust", True),
    ("fe", "cluster", True),
    ("fe", "classic", True),
    ("fe", "robust", False),
    ("pooled", "robust", True),
    ("pooled", "classic", False),
    ("pooled", "cluster", True),
    ("fd", "robust", True),
]


@pytest.mark.parametrize("method,cov,dummies", CASES, ids=[f"{m}-{c}-{d}" for m, c, d in CASES])
def test_three_x_columns_match_fit_panel(panel, method, cov, dummies):
    y, x, entity, time = sheet_ranges(panel)
    out = udfs.regbef_regress(y, x, entity, time, method, cov, dummies)
    ref = fit_panel(
        panel, "netto", X_NAMES, "region", "year", method=method, cov=cov, time_dummies=dummies
    )
    assert ref.dropped == [] and list(ref.params.index[:3]) == X_NAMES  # nothing collinear
    assert_same_as_fit_panel(out, ref)


def test_coefficients_recover_each_regressor(panel):
    """Independent of fit_panel: each of the three columns gets its own slope."""
    y, x, entity, time = sheet_ranges(panel)
    rows = table(udfs.regbef_regress(y, x, entity, time, "fe", "robust", True))
    for name, beta in BETA.items():
        assert rows[name][0] == pytest.approx(beta, abs=0.15), name
    # and a plain least-squares solve of the within-transformed data gives the same slopes
    d = panel.copy()
    cols = ["netto", *X_NAMES]
    yd = pd.get_dummies(d["year"], prefix="y", drop_first=True).astype(float)
    d = pd.concat([d, yd], axis=1)
    cols += list(yd.columns)
    w = d[cols] - d.groupby("region")[cols].transform("mean")
    coef, *_ = np.linalg.lstsq(w[cols[1:]].to_numpy(), w["netto"].to_numpy(), rcond=None)
    np.testing.assert_allclose([rows[n][0] for n in X_NAMES], coef[:3], rtol=1e-9)


def test_column_order_follows_the_range(panel):
    """Permuting the x columns permutes the coefficients (each is read from its own column)."""
    y, x, entity, time = sheet_ranges(panel, as_text=False)
    order = [2, 0, 1]
    xp = [[r[j] for j in order] for r in x]
    a = table(udfs.regbef_regress(y, x, entity, time, "fe", "robust", True))
    b = table(udfs.regbef_regress(y, xp, entity, time, "fe", "robust", True))
    assert [n for n in b][:3] == [X_NAMES[j] for j in order]
    for n in X_NAMES:
        np.testing.assert_allclose([float(v) for v in b[n]], [float(v) for v in a[n]], rtol=1e-10)


def test_without_headers_names_are_x1_x2_x3(panel):
    y, x, entity, time = sheet_ranges(panel, headers=False)
    y = y[1:]
    out = udfs.regbef_regress(y, x, None, None, "pooled", "robust")
    ref = fit_panel(panel.rename(columns=dict(zip(X_NAMES, ["x1", "x2", "x3"], strict=True))),
                    "netto", ["x1", "x2", "x3"], None, None, method="pooled", cov="robust",
                    time_dummies=False)  # fmt: skip
    assert_same_as_fit_panel(out, ref, ["x1", "x2", "x3"])


def test_cross_section_without_entity_is_pooled(panel):
    y, x, _, _ = sheet_ranges(panel)
    out = udfs.regbef_regress(y, x)  # fe requested by default, no entity → plain regression
    ref = fit_panel(
        panel, "netto", X_NAMES, None, None, method="pooled", cov="robust", time_dummies=False
    )
    assert_same_as_fit_panel(out, ref)


def test_empty_cells_drop_rows_like_fit_panel(panel):
    y, x, entity, time = sheet_ranges(panel)
    # range row i is data row i - 1 (row 0 is the header)
    x[5][1] = None  # vakanser missing
    x[17][2] = ""  # boligpris missing
    y[30][0] = None
    out = udfs.regbef_regress(y, x, entity, time, "fe", "robust", True)
    df = panel.copy()
    df.loc[4, "vakanser"] = np.nan
    df.loc[16, "boligpris"] = np.nan
    df.loc[29, "netto"] = np.nan
    ref = fit_panel(df, "netto", X_NAMES, "region", "year", method="fe", cov="robust")
    assert ref.nobs == len(df) - 3
    assert_same_as_fit_panel(out, ref)
