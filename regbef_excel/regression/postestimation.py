"""Post-estimation: linear combinations, marginal effects of interactions, FE predictions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from regbef_excel.errors import InputError, Location
from regbef_excel.regression.data import parse_terms
from regbef_excel.regression.options import FUTURE_YEAR_EFFECTS, INTERACTION_SEPARATOR
from regbef_excel.regression.results import LincomResult, PanelResult

_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def _parse_expression(expr: str, names: Sequence[str]) -> dict[str, float]:
    """Parse ``"b1 + b2"``, ``"2*x - 0.5*z"`` (a number before ``*``), ``"x + x:by"`` into weights by coefficient name.

    Coefficient names are matched longest first, so ``x:by`` is not read as ``x``.
    """
    text = expr.replace("−", "-").strip()
    if not text:
        raise InputError("empty linear combination", location=Location(column="lincom"))
    by_length = sorted(names, key=len, reverse=True)
    weights: dict[str, float] = {}
    pos = 0
    sign = 1.0
    expect_term = True
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        if text[pos] in "+-":
            sign = sign * (-1.0 if text[pos] == "-" else 1.0)
            pos += 1
            expect_term = True
            continue
        if not expect_term:
            raise InputError(
                "cannot read linear combination",
                location=Location(column="lincom"),
                found=expr,
                expected="terms joined by + or -, e.g. 'x + 2*x:by'",
            )
        factor = 1.0
        m = re.match(rf"({_NUMBER})\s*\*\s*", text[pos:])
        if m:
            factor = float(m.group(1))
            pos += m.end()
        for name in by_length:
            if text.startswith(name, pos):
                weights[name] = weights.get(name, 0.0) + sign * factor
                pos += len(name)
                break
        else:
            raise InputError(
                "unknown coefficient in linear combination",
                location=Location(column="lincom"),
                found=text[pos:],
                expected="one of " + ", ".join(names),
            )
        sign = 1.0
        expect_term = False
    return weights


def lincom(
    result: PanelResult, expression: str | Mapping[str, float], *, level: float = 0.95
) -> LincomResult:
    """A linear combination of coefficients with SE, t test and CI (Stata ``lincom``).

    Parameters
    ----------
    result
        A fit.
    expression
        ``"arbeidsledighet + arbeidsledighet:by"`` (``+``/``-``, optional ``number*name``) or a
        mapping ``{name: weight}``.
    level
        Confidence level.

    Notes
    -----
    ``se = sqrt(w' V w)`` from the full covariance matrix; t and CI use t(``df_resid``), the
    distribution Stata uses after the estimator (t(G−1) when clustered). A coefficient omitted
    because of collinearity raises an error (Stata treats it as zero; silently zero would hide a
    specification problem).
    """
    names = list(result.params.index)
    if isinstance(expression, str):
        label = expression
        omitted = [d for d in result.dropped if d in expression]
        weights = _parse_expression(expression, names + omitted)
    else:
        weights = {str(k): float(v) for k, v in expression.items()}
        label = " + ".join(f"{v:g}*{k}" for k, v in weights.items())
    for name in weights:
        if name not in names:
            reason = "omitted because of collinearity" if name in result.dropped else "unknown"
            raise InputError(
                f"coefficient '{name}' is {reason}",
                location=Location(column=name),
                expected="one of " + ", ".join(names),
            )
    w = pd.Series(0.0, index=names)
    for k, v in weights.items():
        w[k] += v
    est = float(w @ result.params)
    var = float(w.to_numpy() @ result.cov.to_numpy() @ w.to_numpy())
    se = float(np.sqrt(max(var, 0.0)))
    t = est / se if se > 0 else float("nan")
    df = result.df_resid
    q = stats.t.ppf(0.5 + level / 2.0, df)
    return LincomResult(
        expression=label,
        weights=weights,
        estimate=est,
        se=se,
        t=t,
        pvalue=float(2.0 * stats.t.sf(abs(t), df)),
        df=df,
        ci_lower=est - q * se,
        ci_upper=est + q * se,
        level=level,
    )


def _interaction_name(result: PanelResult, var: str, moderator: str) -> str:
    for cand in (
        f"{var}{INTERACTION_SEPARATOR}{moderator}",
        f"{moderator}{INTERACTION_SEPARATOR}{var}",
    ):
        if cand in result.params.index or cand in result.dropped:
            return cand
    raise InputError(
        f"the model has no interaction of '{var}' and '{moderator}'",
        location=Location(column=f"{var}{INTERACTION_SEPARATOR}{moderator}"),
        expected=f"a regressor '{var}{INTERACTION_SEPARATOR}{moderator}'",
    )


def marginal_effects(
    result: PanelResult,
    var: str,
    moderator: str,
    at: Sequence[float] | Mapping[str, float] | None = None,
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Marginal effect of ``var`` at levels of ``moderator``: ∂y/∂var = β_var + δ·m.

    For thesis eq. 11 (``arbeidsledighet × by``) at m = 1 this is the city effect β1 + δ2;
    for eq. 12 (``arbeidsledighet × nledighet``) the business-cycle effect at a level of
    national unemployment — the thesis plugs the *coefficient* of nledighet in for m; this
    function uses levels.

    Parameters
    ----------
    at
        Levels of the moderator: a sequence, or a mapping label → level. Default: min, mean
        and max of the moderator in the estimation sample.

    Returns
    -------
    DataFrame
        One row per level: ``level``, ``effect``, ``se`` (delta method, full covariance:
        ``sqrt(V_bb + 2m V_bd + m² V_dd)``), ``t``, ``pvalue`` (t(df_resid)), ``ci_lower``,
        ``ci_upper``.
    """
    inter = _interaction_name(result, var, moderator)
    if inter in result.dropped or var in result.dropped:
        raise InputError(
            f"'{var}' or '{inter}' was omitted because of collinearity",
            location=Location(column=inter),
        )
    if at is None:
        frame = result._internal.sample.frame
        if moderator not in frame.columns:
            raise InputError(
                f"moderator '{moderator}' is not a data column", location=Location(column=moderator)
            )
        col = frame[moderator].to_numpy(dtype=float)
        at = {"min": col.min(), "mean": col.mean(), "max": col.max()}
    elif not isinstance(at, Mapping):
        at = {f"{float(v):g}": float(v) for v in at}
    rows = []
    for label, m in at.items():
        lc = lincom(result, {var: 1.0, inter: float(m)}, level=level)
        rows.append(
            {
                "at": label,
                "level": float(m),
                "effect": lc.estimate,
                "se": lc.se,
                "t": lc.t,
                "pvalue": lc.pvalue,
                "ci_lower": lc.ci_lower,
                "ci_upper": lc.ci_upper,
            }
        )
    out = pd.DataFrame(rows).set_index("at")
    out.attrs["description"] = f"d {result.y_name} / d {var} at levels of {moderator}"
    return out


def predict_fe(
    result: PanelResult,
    data: pd.DataFrame | None = None,
    *,
    future_year_effect: str | float = "last",
) -> pd.DataFrame:
    """Predictions of an FE model per region and year: const + x'β + γ_t + û_i.

    Parameters
    ----------
    result
        A ``method="fe"`` fit.
    data
        Rows with the region and year columns and every regressor (factor) column, e.g. a
        scenario for future years. ``None``: the estimation sample.
    future_year_effect
        The year effect γ_t for periods without an estimated dummy: ``"last"`` (the effect of
        the last estimation year), ``"mean"`` (mean effect over the estimation years, base
        year = 0 included), ``"zero"`` (the base year's level) or a number. Years in the
        estimation sample use their own estimate (0 for the base year and for omitted dummies).

    Returns
    -------
    DataFrame
        Columns: region, year, ``xb`` (const + x'β + γ_t, Stata's ``predict xb`` for sample
        years), ``u`` (region effect ``ȳ_i − const − x̄_i'β``, Stata's ``predict u``),
        ``year_effect``, ``prediction`` (= xb + u), ``future_year`` (True when γ_t is assumed).
    """
    if result.method != "fe":
        raise InputError(
            "predictions with region effects need a fixed-effects fit",
            found=result.method,
            expected="method='fe'",
        )
    it = result._internal
    spec = result.spec
    if isinstance(future_year_effect, str):
        if future_year_effect not in FUTURE_YEAR_EFFECTS:
            raise InputError(
                "unknown future_year_effect",
                location=Location(column="future_year_effect"),
                found=future_year_effect,
                expected="'last', 'mean', 'zero' or a number",
            )
    gamma = it.gamma
    if future_year_effect == "last":
        future = float(gamma[-1]) if gamma.size else 0.0
    elif future_year_effect == "mean":
        future = float(gamma.mean()) if gamma.size else 0.0
    elif future_year_effect == "zero":
        future = 0.0
    else:
        future = float(future_year_effect)

    if data is None:
        data = it.sample.frame

    terms = parse_terms(spec.x)
    needed = [spec.entity, spec.time, *dict.fromkeys(f for t in terms for f in t.factors)]
    for name in needed:
        if name not in data.columns:
            raise InputError(f"unknown variable '{name}'", location=Location(column=name))
    u = result.entity_effects
    ent = data[spec.entity]
    unknown = ~ent.isin(u.index)
    if unknown.any():
        rows = list(data.index[unknown.to_numpy()])
        raise InputError(
            f"regions not in the estimation sample: rows {', '.join(map(str, rows[:8]))}",
            location=Location(
                column=spec.entity, row=rows[0] if isinstance(rows[0], int) else None
            ),
            found=ent[unknown].iloc[0],
            expected="a region of the fitted model (its effect û_i is needed)",
        )
    xb = np.full(len(data), result.params["const"])
    for term in terms:
        if term.name not in result.params.index:
            continue
        col = np.ones(len(data))
        for f in term.factors:
            col = col * pd.to_numeric(data[f], errors="raise").to_numpy(dtype=float)
        xb = xb + result.params[term.name] * col
    labels = list(it.time_labels) if spec.time_dummies else []
    lookup = {lab: float(g) for lab, g in zip(labels, gamma, strict=False)} if labels else {}
    years = data[spec.time].to_numpy()
    is_future = (
        np.array([yr not in lookup for yr in years]) if lookup else np.zeros(len(data), bool)
    )
    if lookup:
        year_eff = np.array([lookup.get(yr, future) for yr in years])
    else:
        year_eff = np.zeros(len(data))
        is_future[:] = False
    xb = xb + year_eff
    uu = u.reindex(ent.to_numpy()).to_numpy()
    return pd.DataFrame(
        {
            spec.entity: ent.to_numpy(),
            spec.time: years,
            "xb": xb,
            "u": uu,
            "year_effect": year_eff,
            "prediction": xb + uu,
            "future_year": is_future,
        },
        index=data.index,
    )
