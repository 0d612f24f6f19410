"""Input normalisation: from a user's table to one clean estimation sample.

Everything a planner can get wrong in the panel data sheet is caught here and reported as an
:class:`~regbef_excel.errors.InputError` naming the column and the rows. Row numbers are the
labels of the DataFrame index, so a workbook adapter that indexes the frame by sheet row number
gets sheet row numbers in every message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regbef_excel.errors import InputError, Location
from regbef_excel.regression.options import INTERACTION_SEPARATOR, PanelSpec

#: How many offending row labels a message lists before it says "and N more".
MAX_ROWS_IN_MESSAGE = 8


def rows_text(labels: Sequence[object]) -> str:
    """``"rows 3, 7, 12"`` (at most :data:`MAX_ROWS_IN_MESSAGE`, then "and N more")."""
    shown = ", ".join(str(v) for v in list(labels)[:MAX_ROWS_IN_MESSAGE])
    more = len(labels) - MAX_ROWS_IN_MESSAGE
    word = "row" if len(labels) == 1 else "rows"
    return f"{word} {shown}" + (f" and {more} more" if more > 0 else "")


def _first_row(labels: Sequence[object]) -> int | None:
    first = labels[0] if len(labels) else None
    return int(first) if isinstance(first, (int, np.integer)) else None


@dataclass(frozen=True)
class Term:
    """One regressor: a column or the product of columns (an interaction ``a:b``)."""

    name: str
    factors: tuple[str, ...]

    @property
    def is_interaction(self) -> bool:
        return len(self.factors) > 1


def parse_terms(x: Sequence[str] | str) -> list[Term]:
    """Parse a regressor list; ``"a:b"`` is the product of columns ``a`` and ``b``.

    Parameters
    ----------
    x
        Column names and interaction terms, e.g. ``["arbeidsledighet", "by",
        "arbeidsledighet:by"]``. A single string is one regressor.

    Notes
    -----
    As in R and patsy, ``a:b`` adds only the product; the main effects are listed separately,
    so the thesis' eq. 11 is ``["arbeidsledighet", "by", "arbeidsledighet:by", ...]``.
    Repeated terms raise an error (Stata would omit the repeat as collinear; in a
    specification sheet a repeat is a typing mistake).
    """
    if isinstance(x, str):
        x = [x]
    terms: list[Term] = []
    seen: set[str] = set()
    for raw in x:
        if not isinstance(raw, str) or not raw.strip():
            raise InputError(
                "empty or non-text regressor name", location=Location(column="x"), found=raw
            )
        factors = tuple(p.strip() for p in raw.split(INTERACTION_SEPARATOR))
        if any(not f for f in factors):
            raise InputError(
                "malformed interaction term",
                location=Location(column=raw),
                found=raw,
                expected="'a:b' (product of columns a and b)",
            )
        name = INTERACTION_SEPARATOR.join(factors)
        if name in seen:
            raise InputError("regressor listed twice", location=Location(column=name), found=name)
        seen.add(name)
        terms.append(Term(name=name, factors=factors))
    return terms


@dataclass
class Sample:
    """The clean estimation sample (after listwise deletion), in the data's row order.

    Attributes
    ----------
    index
        Row labels of the kept rows in the user's table.
    y
        Dependent variable, shape (N,).
    X
        Regressor columns (interactions multiplied out), shape (N, p), in the order asked for.
    names
        Regressor names (``"a:b"`` for interactions).
    entity, time
        Integer codes 0..G-1 and 0..T-1 (time codes follow the sorted period values), or
        ``None``.
    entity_labels, time_labels
        The values behind the codes.
    frame
        The kept rows of every column used (y, factor columns, entity, time) for
        post-estimation (marginal effects at sample levels, Mundlak means, predictions).
    n_missing_dropped
        Rows removed by listwise deletion.
    missing_by_column
        Missing values per column (before deletion; a row can count in several columns).
    """

    index: pd.Index
    y: np.ndarray
    X: np.ndarray
    names: list[str]
    terms: list[Term]
    entity: np.ndarray | None
    time: np.ndarray | None
    entity_labels: np.ndarray | None
    time_labels: np.ndarray | None
    frame: pd.DataFrame
    n_missing_dropped: int = 0
    missing_by_column: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def nobs(self) -> int:
        return int(self.y.shape[0])


def _as_frame(data: object) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise InputError(
        "regression data must be a table (pandas DataFrame or mapping of columns)",
        found=type(data).__name__,
        expected="DataFrame",
    )


def _numeric_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as float with missing values as NaN; non-numeric cells raise InputError."""
    col = frame[name]
    if pd.api.types.is_bool_dtype(col):
        return col.astype(float)
    if pd.api.types.is_numeric_dtype(col):
        out = col.astype(float)
    else:
        out = pd.to_numeric(col, errors="coerce").astype(float)
        bad = out.isna() & col.notna()
        # Empty strings are blank cells, i.e. missing, not text.
        bad &= ~col.astype(object).map(lambda v: isinstance(v, str) and not v.strip())
        if bad.any():
            labels = list(frame.index[bad.to_numpy()])
            raise InputError(
                f"non-numeric values in {rows_text(labels)}",
                location=Location(column=name, row=_first_row(labels)),
                found=col[bad].iloc[0],
                expected="a number (decimal point) or an empty cell",
            )
    inf = np.isinf(out.to_numpy())
    if inf.any():
        labels = list(frame.index[inf])
        raise InputError(
            f"infinite values in {rows_text(labels)}",
            location=Location(column=name, row=_first_row(labels)),
            found=float(out.to_numpy()[inf][0]),
            expected="a finite number",
        )
    return out


def prepare_sample(data: object, spec: PanelSpec) -> Sample:
    """Validate the data for ``spec`` and return the listwise-complete estimation sample.

    Raises
    ------
    InputError
        Unknown column names, non-numeric or infinite values, duplicate entity–time rows,
        regressors that are constant in the estimation sample, an empty sample.
    """
    frame = _as_frame(data)
    terms = parse_terms(spec.x)
    if spec.y in {t.name for t in terms}:
        raise InputError(
            "the dependent variable is also listed as a regressor",
            location=Location(column=spec.y),
        )
    factor_cols = list(dict.fromkeys(f for t in terms for f in t.factors))
    keys = [k for k in (spec.entity, spec.time) if k is not None]
    needed = [spec.y, *factor_cols, *keys]
    columns = [str(c) for c in frame.columns]
    for name in needed:
        if name not in frame.columns:
            raise InputError(
                f"unknown variable '{name}'",
                location=Location(column=name),
                found=name,
                expected="one of the data columns: " + ", ".join(columns[:30]),
            )
    if spec.entity is not None and spec.entity == spec.time:
        raise InputError(
            "entity and time are the same column", location=Location(column=spec.entity)
        )

    numeric = {name: _numeric_column(frame, name) for name in [spec.y, *factor_cols]}
    missing_masks = {name: s.isna().to_numpy() for name, s in numeric.items()}
    for k in keys:
        missing_masks[k] = frame[k].isna().to_numpy()
    any_missing = np.zeros(len(frame), dtype=bool)
    for m in missing_masks.values():
        any_missing |= m
    missing_by_column = {k: int(m.sum()) for k, m in missing_masks.items() if m.any()}
    keep = ~any_missing
    if not keep.any():
        raise InputError(
            "no complete rows left after removing rows with missing values",
            location=Location(
                column=max(missing_by_column, key=missing_by_column.get)
                if missing_by_column
                else spec.y
            ),
            found=missing_by_column,
        )

    kept = frame.loc[keep, needed].copy()
    for name in [spec.y, *factor_cols]:
        kept[name] = numeric[name][keep]
    index = kept.index

    y = kept[spec.y].to_numpy(dtype=float)
    X = np.empty((len(kept), len(terms)), dtype=float)
    for j, term in enumerate(terms):
        col = np.ones(len(kept))
        for f in term.factors:
            col = col * kept[f].to_numpy(dtype=float)
        X[:, j] = col
        if len(kept) > 1 and np.ptp(col) == 0.0:
            raise InputError(
                f"regressor '{term.name}' is constant ({col[0]:g}) in all {len(kept)} rows of "
                "the estimation sample",
                location=Location(column=term.name),
                found=float(col[0]),
                expected="a variable that varies (a constant is already in the model)",
            )

    entity = time = entity_labels = time_labels = None
    if spec.entity is not None:
        codes, uniques = pd.factorize(kept[spec.entity], sort=True)
        entity, entity_labels = codes.astype(np.intp), np.asarray(uniques)
    if spec.time is not None:
        try:
            codes, uniques = pd.factorize(kept[spec.time], sort=True)
        except TypeError as exc:
            raise InputError(
                "time values cannot be ordered", location=Location(column=spec.time)
            ) from exc
        time, time_labels = codes.astype(np.intp), np.asarray(uniques)

    if entity is not None and time is not None:
        key = entity.astype(np.int64) * len(time_labels) + time
        if np.bincount(key).max(initial=0) > 1:
            dup = pd.Series(key).duplicated(keep=False).to_numpy()
            labels = list(index[dup])
            first = kept.loc[dup, [spec.entity, spec.time]].iloc[0]
            raise InputError(
                f"duplicate {spec.entity}–{spec.time} rows: {rows_text(labels)}",
                location=Location(column=spec.time, row=_first_row(labels)),
                found=f"{first[spec.entity]} {first[spec.time]}",
                expected="one row per region and year",
            )

    warnings: list[str] = []
    if entity is not None and time is not None:
        counts = np.bincount(entity)
        single = np.flatnonzero(counts == 1)
        if single.size:
            labels = [str(entity_labels[i]) for i in single[:MAX_ROWS_IN_MESSAGE]]
            rows = list(index[np.isin(entity, single)])
            warnings.append(
                f"column '{spec.entity}': {single.size} region(s) with a single year "
                f"({', '.join(labels)}; {rows_text(rows)}); kept as Stata xtreg does: they count "
                "in N and in the number of regions but carry no within variation"
            )
    return Sample(
        index=index,
        y=y,
        X=X,
        names=[t.name for t in terms],
        terms=terms,
        entity=entity,
        time=time,
        entity_labels=entity_labels,
        time_labels=time_labels,
        frame=kept,
        n_missing_dropped=int(any_missing.sum()),
        missing_by_column=missing_by_column,
        warnings=warnings,
    )
