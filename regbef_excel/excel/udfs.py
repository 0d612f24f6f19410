"""The REGBEF worksheet functions (UDFs) in plain Python: conversion, computation, errors.

Excel calls these through thin xlwings wrappers (:mod:`regbef_excel.excel.xlwings_udfs`); on
Linux the xlwings decorators do nothing, so everything that matters — turning Excel values into
numbers, checking shapes, running the engine and turning any problem into a readable
``'#REGBEF: …'`` text — lives here and is tested by calling these functions directly.

Excel-like values accepted everywhere:

* a scalar, a 1-D list (one row or one column) or a 2-D list of rows;
* ``None`` for an empty cell;
* numbers typed as text, with a decimal comma (``'1,5'``), spaces as thousands separators
  (``'1 234'``) or a percent sign;
* Excel error values: the strings ``'#N/A'``, ``'#VALUE!'``, … or the integer codes the COM
  interface delivers (``-2146826246`` for ``#N/A``).

Every public function returns a 2-D list (rows of cells) that Excel 365 spills; a problem is a
1×1 array holding ``'#REGBEF: <where>: <what> (found …; expected …)'`` — never a traceback.
The registry :data:`regbef_excel.schema.udfs.UDFS` describes every function and argument once; the xlwings wrappers,
the add-in's VBA declarations and the function wizard help are generated from it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import platform
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.app.udf_cache import (
    CACHE,
    ProjectionCache,
    backend_for,
    inputs_for,
    inputs_key,
    project_cached,
)
from regbef_excel.engine.fertility import hadwiger
from regbef_excel.engine.inputs import RC_KEYS
from regbef_excel.engine.migration import RC_FORMS, fit_rogers_castro, rogers_castro
from regbef_excel.errors import InputError, Location, RegbefError
from regbef_excel.evaluation.calibrate import intervals_of_projection
from regbef_excel.io.cells import EXCEL_ERRORS, is_empty, parse_number
from regbef_excel.io.read.projection import read_from_backend
from regbef_excel.regression import fit_panel
from regbef_excel.schema import age_groups as AG
from regbef_excel.schema import outputs as S
from regbef_excel.schema.udfs import COM_ERROR_CODES, ERROR_PREFIX, INPUTS_NAME, Matrix

# ----------------------------------------------------------------------------------------------
# Registry: names, help texts, arguments (one source for wrappers, VBA and function wizard)
# ----------------------------------------------------------------------------------------------






# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------
def error_text(exc: BaseException) -> str:
    """The one-line cell text for any exception (``'#REGBEF: …'``)."""
    if isinstance(exc, InputError):
        return exc.cell_text()
    if isinstance(exc, RegbefError | ValueError | KeyError):
        msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        return ERROR_PREFIX + msg
    return f"{ERROR_PREFIX}unexpected error: {type(exc).__name__}: {exc}"


def udf_safe(func: Callable[..., Matrix]) -> Callable[..., Matrix]:
    """Decorator: any exception becomes a 1×1 array with its ``'#REGBEF: …'`` text."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Matrix:
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a cell never shows a traceback
            return [[error_text(exc)]]

    return wrapper


def _bad(arg: str, message: str, *, found: object = None, expected: str | None = None,
         item: int | None = None) -> InputError:  # fmt: skip
    where = arg if item is None else f"{arg}, item {item}"
    return InputError(message, location=Location(cell=where), found=found, expected=expected)


# ----------------------------------------------------------------------------------------------
# Conversion of Excel values
# ----------------------------------------------------------------------------------------------
def excel_error(value: object) -> str | None:
    """The Excel error a cell value stands for (``'#N/A'``…), or ``None`` if it is not one."""
    if isinstance(value, str):
        s = value.strip().upper()
        return s if s in EXCEL_ERRORS else None
    if isinstance(value, int) and not isinstance(value, bool):
        return COM_ERROR_CODES.get(value)
    # xlwings/pywin32 may hand over error objects; recognise them by their text
    name = type(value).__name__.lower()
    if "error" in name:
        s = str(value).strip().upper()
        return s if s in EXCEL_ERRORS else "#VALUE!"
    return None


def as_matrix(value: object) -> Matrix:
    """Any Excel argument as a list of rows: scalar → 1×1, 1-D list → one row, 2-D as is.

    ``None`` (an omitted or empty argument) becomes ``[[None]]``. Ragged rows are padded with
    ``None``.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        return [[value]]
    if not value:
        return [[None]]
    if not any(isinstance(v, list | tuple) for v in value):
        return [list(value)]
    rows = [list(r) if isinstance(r, list | tuple) else [r] for r in value]
    width = max(len(r) for r in rows)
    return [r + [None] * (width - len(r)) for r in rows]


def is_missing(value: object) -> bool:
    """True for an omitted argument or an empty cell/range."""
    return all(is_empty(v) for row in as_matrix(value) for v in row)


def to_float(value: object, arg: str, item: int | None = None, *, allow_empty: bool = False) -> float:
    """One cell as a float; empty → NaN if ``allow_empty`` else an error.

    Raises
    ------
    InputError
        For Excel errors, text that is not a number, TRUE/FALSE, dates and empty cells
        (unless allowed).
    """
    err = excel_error(value)
    if err is not None:
        raise _bad(arg, f"Excel error value {err}", expected="a number", item=item)
    if is_empty(value):
        if allow_empty:
            return math.nan
        raise _bad(arg, "empty cell", expected="a number", item=item)
    if isinstance(value, bool):
        raise _bad(arg, "TRUE/FALSE is not a number", found=value, expected="a number", item=item)
    if isinstance(value, _dt.date | _dt.datetime | _dt.time | _dt.timedelta):
        raise _bad(arg, "a date, not a number", found=str(value), expected="a number", item=item)
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
    else:
        try:
            x = parse_number(str(value))
        except ValueError:
            raise _bad(arg, "text is not a number", found=value, expected="a number",
                       item=item) from None  # fmt: skip
    if not math.isfinite(x):
        raise _bad(arg, "not a finite number", found=value, expected="a number", item=item)
    return x


def as_vector(value: object, arg: str, *, allow_empty: bool = False) -> tuple[np.ndarray, str]:
    """A range of one row or one column as floats, and its orientation (``'row'``/``'column'``).

    Raises
    ------
    InputError
        If the range has several rows *and* several columns, or a cell is not a number.
    """
    m = as_matrix(value)
    n_rows, n_cols = len(m), len(m[0])
    if n_rows > 1 and n_cols > 1:
        raise _bad(arg, "expected one row or one column",
                   found=f"{n_rows} rows × {n_cols} columns", expected="a single row or column")  # fmt: skip
    orient = "column" if n_cols == 1 and n_rows > 1 else "row"
    cells = [r[0] for r in m] if orient == "column" else list(m[0])
    if all(is_empty(v) for v in cells):
        raise _bad(arg, "empty range", expected="numbers")
    out = np.array([to_float(v, arg, i + 1, allow_empty=allow_empty) for i, v in enumerate(cells)])
    return out, orient


def as_number(value: object, arg: str, default: float | None = None) -> float:
    """A single number (a 1×1 range or a scalar); ``default`` when omitted."""
    m = as_matrix(value)
    if len(m) * len(m[0]) != 1:
        raise _bad(arg, "expected a single cell", found=f"{len(m)} rows × {len(m[0])} columns")
    v = m[0][0]
    if is_empty(v) and default is not None:
        return float(default)
    return to_float(v, arg)


def as_text(value: object, arg: str, default: str = "") -> str:
    """A single value as stripped text; numbers like ``4001.0`` become ``'4001'``."""
    m = as_matrix(value)
    if len(m) * len(m[0]) != 1:
        raise _bad(arg, "expected a single cell", found=f"{len(m)} rows × {len(m[0])} columns")
    v = m[0][0]
    err = excel_error(v)
    if err is not None:
        raise _bad(arg, f"Excel error value {err}", expected="text")
    if is_empty(v):
        return default
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def as_bool(value: object, arg: str, default: bool) -> bool:
    """TRUE/FALSE, 1/0, JA/NEI, SANN/USANN, YES/NO; ``default`` when omitted."""
    text = as_text(value, arg, "")
    if text == "":
        return default
    t = text.casefold()
    if t in ("true", "1", "ja", "sann", "yes", "j", "y"):
        return True
    if t in ("false", "0", "nei", "usann", "no", "n"):
        return False
    raise _bad(arg, "not TRUE/FALSE", found=text, expected="TRUE or FALSE")


def _shape_like(values: np.ndarray, orient: str) -> Matrix:
    out = [_cell(v) for v in values]
    return [[v] for v in out] if orient == "column" else [out]


def _cell(v: object) -> object:
    """A Python value Excel can show: numpy scalars → Python, NaN/None → empty text."""
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    return v


def frame_rows(header: Sequence[object], rows: Sequence[Sequence[object]]) -> Matrix:
    """A header row and data rows as a clean 2-D list for Excel."""
    return [[_cell(h) for h in header], *[[_cell(v) for v in r] for r in rows]]


# ----------------------------------------------------------------------------------------------
# Rogers–Castro, ROGEST, Hadwiger, age groups
# ----------------------------------------------------------------------------------------------
def _rc_params(value: object) -> dict[str, float]:
    m = as_matrix(value)
    keys = {k.casefold(): k for k in RC_KEYS}

    def named(pairs: list[tuple[object, object]]) -> dict[str, float] | None:
        out: dict[str, float] = {}
        for i, (name, val) in enumerate(pairs):
            if is_empty(name) and is_empty(val):
                continue
            key = keys.get(str(name).strip().casefold()) if isinstance(name, str) else None
            if key is None:
                return None
            out[key] = to_float(val, "params", i + 1)
        return out or None

    if len(m[0]) == 2 and len(m) >= 2:
        got = named([(r[0], r[1]) for r in m])
        if got is not None:
            return got
    if len(m) == 2 and len(m[0]) >= 2:
        got = named(list(zip(m[0], m[1], strict=True)))
        if got is not None:
            return got
    vec, _ = as_vector(value, "params")
    form = RC_FORMS.get(len(vec))
    if form is None:
        raise _bad("params", "wrong number of parameters", found=len(vec),
                   expected="7, 9, 11 or 13 numbers, or a (name, value) table")  # fmt: skip
    return dict(zip(form, vec.tolist(), strict=True))


@udf_safe
def regbef_rogers_castro(ages: object, params: object) -> Matrix:
    """Rogers–Castro schedule m(x) at ``ages`` (same orientation as ``ages``).

    Parameters
    ----------
    ages : range
        One row or one column of ages.
    params : range
        Two columns (name, value), two rows (names over values), or 7/9/11/13 numbers in the
        order of :data:`regbef_excel.engine.migration.RC_FORMS`.
    """
    x, orient = as_vector(ages, "ages")
    return _shape_like(rogers_castro(x, _rc_params(params)), orient)


@udf_safe
def regbef_rogest(ages: object, rates: object, n_params: object = None, weights: object = None) -> Matrix:
    """Fit Rogers–Castro parameters (PANDA's ROGEST) and return a parameter/value table."""
    x, _ = as_vector(ages, "ages")
    y, _ = as_vector(rates, "rates", allow_empty=True)
    if len(x) != len(y):
        raise _bad("rates", "not as many rates as ages", found=len(y), expected=f"{len(x)} values")
    n = int(as_number(n_params, "n_params", 11))
    if n not in (7, 9, 11, 13):
        raise _bad("n_params", "not a Rogers–Castro form", found=n, expected="7, 9, 11 or 13")
    w = None
    if not is_missing(weights):
        w, _ = as_vector(weights, "weights", allow_empty=True)
        if len(w) != len(x):
            raise _bad("weights", "not as many weights as ages", found=len(w), expected=f"{len(x)} values")
    fit = fit_rogers_castro(x, y, n, w)
    rows: list[list[object]] = [[k, float(v)] for k, v in fit.params.items()]
    rows += [
        ["SSE", float(fit.sse)],
        ["R2", float(fit.r2)],
        ["converged", bool(fit.converged)],
        ["at_bounds", ", ".join(fit.at_bounds)],
    ]
    return frame_rows(["parameter", "value"], rows)


@udf_safe
def regbef_hadwiger(ages: object, a: object, b: object, c: object) -> Matrix:
    """Hadwiger fertility schedule (PANDA form) at ``ages`` (same orientation as ``ages``)."""
    x, orient = as_vector(ages, "ages")
    av, bv, cv = as_number(a, "a"), as_number(b, "b"), as_number(c, "c")
    if bv <= 0:
        raise _bad("b", "must be positive", found=bv, expected="a number > 0")
    if cv <= 0:
        raise _bad("c", "must be positive", found=cv, expected="a number > 0")
    return _shape_like(hadwiger(x, av, bv, cv), orient)


@udf_safe
def regbef_agegroups(ages: object, population: object, language: str = "nb") -> Matrix:
    """Population summed into SSB's standard age groups, then the service sums (label, persons)."""
    x, _ = as_vector(ages, "ages")
    p, _ = as_vector(population, "population", allow_empty=True)
    if len(x) != len(p):
        raise _bad("population", "not as many values as ages", found=len(p), expected=f"{len(x)} values")
    if np.any(np.abs(x - np.round(x)) > 1e-9) or np.any(x < 0):
        raise _bad("ages", "ages must be whole numbers ≥ 0")
    p = np.nan_to_num(p)
    rows = []
    for g in AG.STANDARD_GROUPS:
        rows.append([g.label.get(language), float(p[(x >= g.first) & (x <= g.last)].sum())])
    rows.append([AG.CAPTIONS["all_ages"].get(language), float(p.sum())])
    for g in AG.SERVICE_SUM_GROUPS:
        rows.append([g.label.get(language), float(p[(x >= g.first) & (x <= g.last)].sum())])
    head = ["Aldersgruppe", "Personer"] if language == "nb" else ["Age group", "Persons"]
    return frame_rows(head, rows)


# ----------------------------------------------------------------------------------------------
# Regression
# ----------------------------------------------------------------------------------------------
def _columns(value: object, arg: str, default_names: Sequence[str]) -> tuple[list[str], Matrix]:
    """Split a range into header names (if the first row is text) and data rows."""
    m = as_matrix(value)
    first = m[0]
    has_header = len(m) > 1 and all(isinstance(v, str) and excel_error(v) is None and v.strip()
                                    and _not_number(v) for v in first)  # fmt: skip
    if has_header:
        names = [str(v).strip() for v in first]
        data = m[1:]
    else:
        names = list(default_names)[: len(first)]
        if len(names) < len(first):
            names += [f"{arg}{j + 1}" for j in range(len(names), len(first))]
        data = m
    return names, data


def _not_number(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return True
    return False


@udf_safe
def regbef_regress(
    y: object, x: object, entity: object = None, time: object = None, method: object = None,
    cov: object = None, time_dummies: object = None,
) -> Matrix:  # fmt: skip
    """Panel regression (:func:`regbef_excel.regression.fit_panel`) as a coefficient table.

    Returns a header row (variable, coefficient, std. error, t, p-value) then one row per
    coefficient, then N, groups and R².
    """
    y_names, y_rows = _columns(y, "y", ["y"])
    if len(y_names) != 1:
        raise _bad("y", "expected one column", found=f"{len(y_names)} columns")
    x_names, x_rows = _columns(x, "x", [f"x{j + 1}" for j in range(len(as_matrix(x)[0]))])
    if len(x_rows) != len(y_rows):
        raise _bad("x", "not as many rows as y", found=len(x_rows), expected=f"{len(y_rows)} rows")
    data: dict[str, list[object]] = {}
    for name, col in ((y_names[0], 0),):
        data[name] = [to_float(r[col], "y", i + 1, allow_empty=True) for i, r in enumerate(y_rows)]
    for j, name in enumerate(x_names):
        if name in data:
            raise _bad("x", "duplicate column name", found=name)
        data[name] = [to_float(r[j], "x", i + 1, allow_empty=True) for i, r in enumerate(x_rows)]
    keys: dict[str, str | None] = {"entity": None, "time": None}
    for arg, value in (("entity", entity), ("time", time)):
        if is_missing(value):
            continue
        names, rows = _columns(value, arg, [f"_{arg}"])
        if len(names) != 1:
            raise _bad(arg, "expected one column", found=f"{len(names)} columns")
        if len(rows) != len(y_rows):
            raise _bad(arg, "not as many rows as y", found=len(rows), expected=f"{len(y_rows)} rows")
        col = f"_{arg}"
        vals = []
        for i, r in enumerate(rows):
            err = excel_error(r[0])
            if err is not None:
                raise _bad(arg, f"Excel error value {err}", item=i + 1)
            v = r[0]
            if arg == "time" and not is_empty(v):
                v = to_float(v, arg, i + 1)
            vals.append(None if is_empty(v) else v)
        data[col] = vals
        keys[arg] = col
    frame = pd.DataFrame(data)
    m = as_text(method, "method", "fe").lower() or "fe"
    c = as_text(cov, "cov", "robust").lower() or "robust"
    if m == "fe" and keys["entity"] is None:
        m = "pooled"  # without an entity there are no fixed effects: a plain regression
    res = fit_panel(frame, y_names[0], x_names, keys["entity"], keys["time"], method=m, cov=c,
                    time_dummies=as_bool(time_dummies, "time_dummies", keys["time"] is not None))  # fmt: skip
    rows = [
        [str(name), float(res.params[name]), float(res.bse[name]), float(res.tvalues[name]),
         float(res.pvalues[name])]
        for name in res.params.index
    ]  # fmt: skip
    rows += [
        ["N", int(res.nobs), "", "", ""],
        ["groups", "" if res.n_entities is None else int(res.n_entities), "", "", ""],
        ["R2", float(res.rsquared), "", "", ""],
        ["method / cov", f"{res.method} / {res.cov_type}", "", "", ""],
    ]
    if res.dropped:
        rows.append(["dropped", ", ".join(res.dropped), "", "", ""])
    return frame_rows(["variable", "coef", "std_err", "t", "p_value"], rows)


# ----------------------------------------------------------------------------------------------
# REGBEF_RUN and REGBEF_CHECK: projection on a workbook, with a cache
# ----------------------------------------------------------------------------------------------
RESULTS = ("total", "agegroups", "components", "pyramid")
_RESULT_ALIASES = {
    "": "total", "total": "total", "folkemengde": "total", "population": "total",
    "agegroups": "agegroups", "aldersgrupper": "agegroups", "age_groups": "agegroups",
    "components": "components", "komponenter": "components",
    "pyramid": "pyramid", "pyramide": "pyramid", "alderspyramide": "pyramid",
}  # fmt: skip


















def inputs_source(value: object) -> str:
    """The ``inputs`` argument of REGBEF_RUN / REGBEF_CHECK as a path: ``''`` for this workbook.

    ``=REGBEF_RUN(Inndata)`` passes the value of the workbook name ``Inndata`` (a number whose
    only purpose is the dependency on the input tables): that means this workbook, as does an
    empty argument. Text is the path of another workbook.
    """
    if is_missing(value):
        return ""
    m = as_matrix(value)
    if len(m) * len(m[0]) == 1:
        v = m[0][0]
        err = excel_error(v)
        if err is not None:
            names = " / ".join(INPUTS_NAME.values())
            raise _bad("inputs", f"the inputs name gives {err} (an input table was removed or renamed)",
                       found=err, expected=f"{names}: a COUNTA over the input tables")  # fmt: skip
        if isinstance(v, (bool, int, float)):
            return ""
    text = as_text(value, "inputs")
    if text.casefold() in _RESULT_ALIASES and not Path(text).expanduser().exists():
        raise _bad("inputs", "the first argument is the inputs, not the result", found=text,
                   expected=f'=REGBEF_RUN({INPUTS_NAME["nb"]}; "{text}")')  # fmt: skip
    return text


def _zone_index(projection, zone: str) -> int | None:
    if zone == "":
        return None
    codes = [str(c) for c in projection.zone_codes]
    names = [str(n).casefold() for n in projection.zone_names]
    z = zone.strip()
    for cand in (z, z.zfill(4)):
        if cand in codes:
            return codes.index(cand)
    if z.casefold() in names:
        return names.index(z.casefold())
    shown = ", ".join(codes[:6]) + (", …" if len(codes) > 6 else "")
    raise _bad("zone", "zone not found", found=zone, expected=f"a zone code or name ({shown})")


def result_table(projection, result: str = "total", zone: str = "", year: float | None = None,
                 language: str = "nb") -> Matrix:  # fmt: skip
    """One result of a projection as a 2-D list with a header row.

    Parameters
    ----------
    projection : Projection
    result : {'total', 'agegroups', 'components', 'pyramid'}
        Norwegian names (``'folkemengde'``, ``'aldersgrupper'``, ``'komponenter'``,
        ``'pyramide'``) are accepted too.
    zone : str
        Zone code or name; empty = the whole region (not used by ``'total'``).
    year : float, optional
        Year of the pyramid (default: the final year).
    language : {'nb', 'en'}
        Header language.
    """
    kind = _RESULT_ALIASES.get(result.strip().casefold())
    if kind is None:
        raise _bad("result", "unknown result", found=result, expected=", ".join(RESULTS))
    years = [int(y) for y in projection.years]
    k = _zone_index(projection, zone)
    region = S.REGION.get(language)
    if kind == "total":
        df = projection.total_by_zone()
        head = [S.ZONE_CODE.label.get(language), S.ZONE_NAME.label.get(language), *years]
        rows = df.astype(object).values.tolist()
        rows[-1][1] = region
        return frame_rows(head, rows)
    if kind == "agegroups":
        df = projection.age_groups(AG.group_bounds())
        if k is not None:
            df = df[df["zone_code"] == projection.zone_codes[k]]
        wide = df.pivot_table(index="group", columns="year", values="population", aggfunc="sum", sort=False)
        head = ["Aldersgruppe" if language == "nb" else "Age group", *years]
        rows = [[AG.label(g, language), *wide.loc[g].tolist()] for g in wide.index]
        return frame_rows(head, rows)
    if kind == "components":
        df = projection.components()
        if k is not None:
            df = df[df["zone_code"] == projection.zone_codes[k]]
        cols = [c for c in S.COMPONENT_COLUMNS if c.key in df.columns]
        agg = df.groupby("year", sort=True)[[c.key for c in cols]].sum()
        head = [S.YEAR.label.get(language), *[c.label.get(language) for c in cols]]
        return frame_rows(head, [[int(y), *agg.loc[y].tolist()] for y in agg.index])
    # pyramid
    y = years[-1] if year is None or (isinstance(year, float) and math.isnan(year)) else int(year)
    if y not in years:
        raise _bad("year", "year outside the projection", found=y, expected=f"{years[0]}–{years[-1]}")
    df = projection.pyramid(y, None if k is None else projection.zone_codes[k])
    head = ["Alder" if language == "nb" else "Age", S.SEX_LABELS[0].get(language), S.SEX_LABELS[1].get(language)]
    rows = [[int(a), float(m), float(f)] for a, m, f in df[["age", "male", "female"]].itertuples(index=False)]
    return frame_rows(head, rows)


@udf_safe
def regbef_run(
    result: object = None,
    zone: object = None,
    year: object = None,
    source: object = None,
    *,
    backend: Callable[[], object] | None = None,
    cache: ProjectionCache | None = None,
) -> Matrix:
    """REGBEF_RUN: project the inputs of a workbook and return one result table.

    Parameters
    ----------
    result, zone, year : Excel values
        See :func:`result_table`.
    source : Excel value
        The ``inputs`` argument in Excel (:func:`inputs_source`): empty or the value of the name
        ``Inndata``: read the calling workbook through ``backend``; text: a workbook file path.
    backend : callable, optional
        Returns a :class:`~regbef_excel.io.backend.WorkbookBackend` of the calling workbook
        (the xlwings wrapper passes one over the live book; tests pass an in-memory one).
    cache : ProjectionCache, optional
        Defaults to the process-wide :data:`CACHE`.

    Notes
    -----
    The workbook is read and validated on every call (that is what detects changed inputs);
    the projection itself runs only when the SHA-256 of the validated inputs is new.
    Excel calls the function again when an input changes only if the cell depends on the
    inputs: ``=REGBEF_RUN(Inndata)``. The function never writes to any cell.
    """
    kind = as_text(result, "result", "total")
    if _RESULT_ALIASES.get(kind.casefold()) is None:
        raise _bad("result", "unknown result", found=kind, expected=", ".join(RESULTS))
    zone_text = as_text(zone, "zone", "")
    y = None if is_missing(year) else as_number(year, "year")
    inputs, language = inputs_for(inputs_source(source), backend)
    projection = project_cached(inputs, cache)
    return result_table(projection, kind, zone_text, y, language)


#: Bounds of REGBEF_INTERVAL, with the Norwegian names accepted.
_BOUNDS = {"lower": "lower", "nedre": "lower", "upper": "upper", "øvre": "upper", "ovre": "upper"}
_MEASURE_ALIASES = {"": "total", "total": "total", "i alt": "total", "folkemengde": "total",
                    **{m: m for m in ("1-5", "6-15", "67+", "80+")},
                    "1–5": "1-5", "6–15": "6-15"}  # fmt: skip


def intervals_cached(projection, inputs: object, cache: ProjectionCache | None = None):  # noqa: ANN001, ANN201
    """The prediction intervals of ``projection`` (shipped calibration), computed once per
    distinct inputs (same cache and key as the projection, with a suffix)."""
    return (cache or CACHE).get_or_compute(inputs_key(inputs) + ":intervals",
                                           lambda: intervals_of_projection(projection))  # fmt: skip


def interval_value(intervals, zone: str, year: float, level: float, bound: str, measure: str = "") -> float:  # noqa: ANN001
    """One bound of a prediction interval from the table of
    :func:`~regbef_excel.evaluation.calibrate.intervals_of_projection`.

    ``zone``: code or name, empty = the region (or the only zone); ``level``: 80 or 95;
    ``bound``: ``lower``/``upper`` (``nedre``/``øvre``); ``measure``: ``total`` (default),
    ``1-5``, ``6-15``, ``67+``, ``80+``.
    """
    lv = int(level) if float(level).is_integer() else level
    if lv not in (80, 95):
        raise _bad("level", "unknown interval level", found=level, expected="80 or 95")
    b = _BOUNDS.get(bound.strip().casefold())
    if b is None:
        raise _bad("bound", "unknown bound", found=bound, expected='"lower" or "upper" ("nedre" or "øvre")')
    m = _MEASURE_ALIASES.get(measure.strip().casefold())
    if m is None:
        raise _bad("measure", "unknown measure", found=measure, expected="total, 1-5, 6-15, 67+ or 80+")
    codes = list(dict.fromkeys(str(c) for c in intervals["zone_code"]))
    if zone.strip() == "":
        code = "" if "" in codes else codes[0]
    else:
        names = {str(n).casefold(): str(c) for c, n in zip(intervals["zone_code"], intervals["zone_name"], strict=True)}
        z = zone.strip()
        code = next((c for c in (z, z.zfill(4)) if c in codes), names.get(z.casefold()))
        if code is None:
            shown = ", ".join(c for c in codes[:6] if c) + (", …" if len(codes) > 6 else "")
            raise _bad("zone", "zone not found", found=zone, expected=f"a zone code or name ({shown}); empty = the region")
    years = sorted({int(y) for y in intervals["year"]})
    if not float(year).is_integer() or int(year) not in years:
        raise _bad("year", "year outside the projection", found=year, expected=f"{years[0]}–{years[-1]}")
    row = intervals[(intervals["zone_code"] == code) & (intervals["year"] == int(year)) & (intervals["measure"] == m)]
    value = float(row[f"{b}{lv}"].iloc[0])
    if not math.isfinite(value):
        raise _bad("measure", "the calibration has no interval for this zone and measure", found=m)
    return value


@udf_safe
def regbef_interval(
    zone: object = None,
    year: object = None,
    level: object = None,
    bound: object = None,
    measure: object = None,
    source: object = None,
    *,
    backend: Callable[[], object] | None = None,
    cache: ProjectionCache | None = None,
) -> Matrix:
    """REGBEF_INTERVAL: one bound of the 80 % or 95 % prediction interval of a zone's (or the
    region's) population in a year (:func:`interval_value`), from the shipped calibration.

    ``source`` is the ``inputs`` argument in Excel (:func:`inputs_source`); the projection and
    its intervals are cached on the SHA-256 of the inputs, like REGBEF_RUN.
    """
    if is_missing(year):
        raise _bad("year", "a year is needed", expected="a year of the projection")
    y = as_number(year, "year")
    lv = as_number(level, "level", 80.0)
    b = as_text(bound, "bound", "")
    if b == "":
        raise _bad("bound", "a bound is needed", expected='"lower" or "upper" ("nedre" or "øvre")')
    inputs, _language = inputs_for(inputs_source(source), backend)
    projection = project_cached(inputs, cache)
    intervals = intervals_cached(projection, inputs, cache)
    return [[interval_value(intervals, as_text(zone, "zone", ""), y, lv, b, as_text(measure, "measure", ""))]]


@udf_safe
def regbef_check(source: object = None, *, backend: Callable[[], object] | None = None,
                 max_lines: int = 50) -> Matrix:  # fmt: skip
    """REGBEF_CHECK: ``[['OK']]`` or one row per input problem and failed check (``source``:
    see :func:`inputs_source`)."""
    be = backend_for(inputs_source(source), backend)
    try:
        res = read_from_backend(be)  # type: ignore[arg-type]
    finally:
        close = getattr(be, "close", None)
        if close is not None:
            close()
    problems = res.errors  # failed checks included (one front door)
    if not problems:
        return [["OK"]]
    lines = [[p.cell_text()] for p in problems[:max_lines]]
    if len(problems) > max_lines:
        lines.append([f"{ERROR_PREFIX}… and {len(problems) - max_lines} more"])
    return lines


@udf_safe
def regbef_version() -> Matrix:
    """Versions as a 2-column table (component, version)."""
    try:
        xlw = version("xlwings")
    except Exception:  # noqa: BLE001 - not installed is a fine answer
        xlw = "not installed"
    return [
        ["regbef_excel", __version__],
        ["schema", SCHEMA_VERSION],
        ["xlwings", xlw],
        ["python", platform.python_version()],
    ]


def parameters_from_mapping(params: Mapping[str, float]) -> Matrix:
    """A (name, value) table of parameters — handy to feed :func:`regbef_rogers_castro`."""
    return [[k, float(v)] for k, v in params.items()]


__all__ = [
    "COM_ERROR_CODES",
    "ERROR_PREFIX",
    "as_matrix",
    "as_number",
    "as_text",
    "as_vector",
    "error_text",
    "excel_error",
    "inputs_source",
    "interval_value",
    "intervals_cached",
    "regbef_agegroups",
    "regbef_check",
    "regbef_hadwiger",
    "regbef_interval",
    "regbef_regress",
    "regbef_rogers_castro",
    "regbef_rogest",
    "regbef_run",
    "regbef_version",
    "result_table",
    "to_float",
    "udf_safe",
]
