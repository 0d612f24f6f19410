"""Tables in the thesis layout (pure pandas): descriptives, correlations, regression tables.

Every builder returns a :class:`Table`: ``text`` is a DataFrame of strings laid out as the
thesis prints it (ready for a sheet writer or ``to_string``), ``numeric`` the same content in
machine-readable form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regbef_excel.errors import InputError, Location
from regbef_excel.regression.model import fit_panel
from regbef_excel.regression.options import INTERACTION_SEPARATOR, LANGUAGES, check_option
from regbef_excel.regression.results import PanelResult

#: Variable labels (thesis table 10). Norwegian: the names the thesis prints; English: the
#: definitions of table 10 in short form.
VARIABLE_LABELS: dict[str, dict[str, str]] = {
    "nb": {"const": "Konstant"},
    "en": {
        "const": "Constant",
        "nettoinnflytting": "Net in-migration per 1000",
        "arbeidsledighet": "Unemployment (%)",
        "vakanser": "Vacancies, county (%)",
        "nledighet": "National unemployment (%)",
        "kriminalitet": "Reported offences per 1000",
        "alder1": "Share aged 15–25",
        "gifte": "Share married",
        "innvandrere": "Immigrant share",
        "kino": "Cinemas per 1000",
        "nedbørS": "Summer precipitation (mm)",
        "utdanning": "Share with higher education",
        "by": "City region (>150,000)",
        "by100": "City region (>100,000)",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "variables": "VARIABLER",
        "obs": "Observasjoner",
        "r2": "R2",
        "regions": "Antall regioner",
        "year_dummies": "Årsdummyer",
        "yes": "Ja",
        "no": "Nei",
        "robust": "Robuste standardfeil i parentes",
        "cluster": "Klyngerobuste standardfeil (region) i parentes",
        "classic": "Standardfeil i parentes",
        "stars": "*** p<0.01, ** p<0.05, * p<0.1",
        "omitted": "Blank: utelatt (kollinearitet eller tidsinvariant under FE)",
        "variable": "Variabler",
        "mean": "Gj.snitt",
        "sd": "Std. avvik",
        "desc_obs": "Obs",
        "pooled": "POLS",
        "fe": "FE",
        "fd": "FD",
    },
    "en": {
        "variables": "VARIABLES",
        "obs": "Observations",
        "r2": "R2",
        "regions": "Number of regions",
        "year_dummies": "Year dummies",
        "yes": "Yes",
        "no": "No",
        "robust": "Robust standard errors in parentheses",
        "cluster": "Cluster-robust standard errors (region) in parentheses",
        "classic": "Standard errors in parentheses",
        "stars": "*** p<0.01, ** p<0.05, * p<0.1",
        "omitted": "Blank: omitted (collinear or time-invariant under FE)",
        "variable": "Variables",
        "mean": "Mean",
        "sd": "Std. dev.",
        "desc_obs": "Obs",
        "pooled": "POLS",
        "fe": "FE",
        "fd": "FD",
    },
}


def table_language(language: str) -> str:
    """``"nb"`` or ``"en"`` as given; ``"no"`` (the code these tables once took) means ``"nb"``."""
    return "nb" if language == "no" else language


@dataclass(frozen=True)
class Table:
    """A formatted table (strings, thesis layout) with its numeric counterpart."""

    text: pd.DataFrame
    numeric: pd.DataFrame
    title: str = ""

    def to_string(self) -> str:
        body = self.text.to_string(index=False)
        return f"{self.title}\n{body}" if self.title else body


def variable_label(name: str, language: str = "nb", labels: Mapping[str, str] | None = None) -> str:
    """Label of a variable; interactions join their parts (``arbeidsledighet_by`` in
    Norwegian as the thesis prints them, ``a × b`` in English)."""
    if labels and name in labels:
        return labels[name]
    language = table_language(language)
    table = VARIABLE_LABELS.get(language, {})
    if name in table:
        return table[name]
    if INTERACTION_SEPARATOR in name:
        parts = [variable_label(p, language, labels) for p in name.split(INTERACTION_SEPARATOR)]
        return ("_" if language == "nb" else " × ").join(parts)
    return name


def stars(p: float) -> str:
    """Stata/thesis stars: *** p<0.01, ** p<0.05, * p<0.1 (strict)."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def thousands(n: int) -> str:
    """``2,040`` (the thesis prints Stata's comma separator in both languages)."""
    return f"{int(n):,}"


def descriptive_table(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    language: str = "nb",
    labels: Mapping[str, str] | None = None,
    decimals: int = 3,
) -> Table:
    """Descriptive statistics (thesis table 1, Stata ``summarize``): Obs, Mean, SD (N−1), Min, Max.

    Each variable uses its own non-missing observations, as ``summarize`` does.
    """
    language = check_option("language", table_language(language), LANGUAGES)
    t = TEXT[language]
    rows = []
    for c in columns:
        if c not in data.columns:
            raise InputError(f"unknown variable '{c}'", location=Location(column=c))
        v = pd.to_numeric(data[c], errors="coerce").dropna().to_numpy(dtype=float)
        rows.append(
            {
                "variable": c,
                "obs": v.size,
                "mean": v.mean() if v.size else np.nan,
                "sd": v.std(ddof=1) if v.size > 1 else np.nan,
                "min": v.min() if v.size else np.nan,
                "max": v.max() if v.size else np.nan,
            }
        )
    numeric = pd.DataFrame(rows).set_index("variable")
    fmt = f"{{:.{decimals}f}}"
    text = pd.DataFrame(
        {
            t["variable"]: [variable_label(c, language, labels) for c in columns],
            t["desc_obs"]: [str(int(n)) for n in numeric["obs"]],
            t["mean"]: [fmt.format(v) for v in numeric["mean"]],
            t["sd"]: [fmt.format(v) for v in numeric["sd"]],
            "Min": [fmt.format(v) for v in numeric["min"]],
            "Max": [fmt.format(v) for v in numeric["max"]],
        }
    )
    return Table(text=text, numeric=numeric)


def correlation_table(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    language: str = "nb",
    labels: Mapping[str, str] | None = None,
    decimals: int = 3,
) -> Table:
    """Pearson correlation matrix, lower triangle (thesis table 9, Stata ``pwcorr``-style).

    Correlations use the rows complete in all listed columns (``correlate``).
    """
    language = check_option("language", table_language(language), LANGUAGES)
    for c in columns:
        if c not in data.columns:
            raise InputError(f"unknown variable '{c}'", location=Location(column=c))
    frame = data[list(columns)].apply(pd.to_numeric, errors="coerce").dropna()
    corr = frame.corr(method="pearson")
    k = len(columns)
    header = [TEXT[language]["variables"].capitalize()] + [f"({i + 1})" for i in range(k)]
    rows = []
    for i, c in enumerate(columns):
        row = [f"({i + 1}) {variable_label(c, language, labels)}"]
        for j in range(k):
            row.append(f"{corr.iloc[i, j]:.{decimals}f}" if j <= i else "")
        rows.append(row)
    return Table(text=pd.DataFrame(rows, columns=header), numeric=corr)


def _note_kind(result: PanelResult) -> str:
    if result.cov_requested == "robust":
        return "robust"
    return "cluster" if result.cov_type == "cluster" else "classic"


def regression_table(
    results: Sequence[PanelResult],
    *,
    language: str = "nb",
    labels: Mapping[str, str] | None = None,
    column_titles: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    notes: Sequence[str] | None = None,
    decimals: int = 4,
) -> Table:
    """Nested specifications (1)…(k) or POLS | FE pairs in the thesis layout (tables 2–8).

    Layout: a row of model numbers, a row of estimator titles (POLS/FE), the dependent
    variable row (``VARIABLER``), then per regressor the coefficient with stars (4 decimals)
    and the SE in parentheses on the next row (blank where the model does not have the
    regressor or omitted it), ``Konstant``, then ``Årsdummyer``, ``Observasjoner`` (thousands
    separator), ``R2`` (3 decimals; Stata ``e(r2)``, within R² for FE), ``Antall regioner``
    and note rows.

    Returns
    -------
    Table
        ``numeric``: long form with model, term, coef, se, pvalue, stars (NaN when absent).
    """
    language = check_option("language", table_language(language), LANGUAGES)
    if not results:
        raise InputError("a regression table needs at least one model")
    t = TEXT[language]
    k = len(results)
    cols = [f"({i + 1})" for i in range(k)]
    titles = list(column_titles) if column_titles else [t[r.method] for r in results]
    if order is None:
        terms: list[str] = []
        for r in results:
            for name in r.regressors:
                if name not in terms:
                    terms.append(name)
    else:
        terms = list(order)
    terms = [n for n in terms if n != "const"] + ["const"]

    def cell(r: PanelResult, name: str) -> tuple[str, str]:
        if name not in r.params.index:
            return "", ""
        b, se, p = r.params[name], r.bse[name], r.pvalues[name]
        return f"{b:.{decimals}f}{stars(p)}", f"({se:.{decimals}f})"

    lines: list[list[str]] = [["", *titles], [t["variables"], *[r.y_name for r in results]]]
    numeric_rows = []
    for name in terms:
        coef_row = [variable_label(name, language, labels)]
        se_row = [""]
        for i, r in enumerate(results):
            c, s = cell(r, name)
            coef_row.append(c)
            se_row.append(s)
            present = name in r.params.index
            numeric_rows.append(
                {
                    "model": cols[i],
                    "term": name,
                    "coef": float(r.params[name]) if present else np.nan,
                    "se": float(r.bse[name]) if present else np.nan,
                    "pvalue": float(r.pvalues[name]) if present else np.nan,
                    "stars": stars(r.pvalues[name]) if present else "",
                    "omitted": name in r.dropped,
                }
            )
        lines.extend([coef_row, se_row])
    lines.append(
        [t["year_dummies"], *[t["yes"] if r.has_time_dummies else t["no"] for r in results]]
    )
    lines.append([t["obs"], *[thousands(r.nobs) for r in results]])
    lines.append([t["r2"], *[f"{r.rsquared:.3f}" for r in results]])
    lines.append(
        [t["regions"], *["" if r.n_entities is None else str(r.n_entities) for r in results]]
    )
    kinds = list(dict.fromkeys(_note_kind(r) for r in results))
    note_lines = [t[kd] for kd in kinds] + [t["stars"]] + list(notes or [])
    for n in note_lines:
        lines.append([n, *[""] * k])
    text = pd.DataFrame(lines, columns=["", *cols])
    numeric = pd.DataFrame(numeric_rows)
    summary = pd.DataFrame(
        {
            "model": cols,
            "method": [r.method for r in results],
            "nobs": [r.nobs for r in results],
            "rsquared": [r.rsquared for r in results],
            "n_entities": [r.n_entities for r in results],
            "cov_type": [r.cov_type for r in results],
            "time_dummies": [r.has_time_dummies for r in results],
        }
    )
    numeric.attrs["models"] = summary
    return Table(text=text, numeric=numeric)


def nested_table(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    entity: str | None,
    time: str | None,
    *,
    method: str = "fe",
    cov: str = "robust",
    time_dummies: bool = True,
    language: str = "nb",
    labels: Mapping[str, str] | None = None,
) -> tuple[Table, list[PanelResult]]:
    """Thesis tables 2–3: model (j) uses the first j regressors of ``x``."""
    results = [
        fit_panel(
            data,
            y,
            list(x[: j + 1]),
            entity,
            time,
            method=method,
            cov=cov,
            time_dummies=time_dummies,
        )
        for j in range(len(x))
    ]
    return regression_table(results, language=language, labels=labels), results
