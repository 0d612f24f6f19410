"""One Excel cell value -> Python: emptiness, numbers as planners type them, list choices.

Knows nothing about files: the reader turns the 2-D values a back-end extracted into typed
values (:func:`convert_cell`); the builder writes stored values as cells (:func:`display_value`).
Engine inputs ↔ table rows are in :mod:`regbef_excel.io.rows`.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np

from regbef_excel.schema.base import ChoiceList, Column
from regbef_excel.schema.inputs import (
    LISTS,
)
from regbef_excel.schema.messages import say

#: Error values Excel (and LibreOffice) store in cells.
EXCEL_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#UNKNOWN!", "#EXTERNAL!"}
)  # fmt: skip

_SPACES = str.maketrans("", "", " \u00a0\u2009\u202f'")


class CellProblem(Exception):
    """A cell value that cannot be converted; ``message`` and ``expected`` describe it."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


def is_empty(value: object) -> bool:
    """True for ``None``, blank text and NaN."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, float) and math.isnan(value)


def parse_number(text: str) -> float:
    """Parse a number typed as text: ``'1,5'``, ``'1 234'``, ``'1.234,5'``, ``'−3'``, ``'12 %'``.

    Raises ``ValueError`` when the text is not a number.
    """
    s = text.strip().translate(_SPACES).replace("\u2212", "-")
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    if "," in s and "." in s:
        # whichever comes last is the decimal mark, the other groups thousands
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    x = float(s)
    if not math.isfinite(x):
        raise ValueError(text)
    return x / 100 if percent else x


def expected_text(column: Column, language: str) -> str:
    """What a valid cell of ``column`` looks like, for messages."""
    v = column.validation
    if v is not None and v.kind == "list" and v.choices:
        return LISTS[v.choices].expected(language)
    if column.dtype == "bool":
        return LISTS["yesno"].expected(language)
    if v is not None:
        return v.describe(language)
    return say({"int": "a whole number", "float": "a number", "str": "text"}.get(column.dtype, "a value"), language)


def _choice(value: object, lst: ChoiceList, language: str) -> object:
    text = value
    if isinstance(value, float) and value.is_integer():
        text = int(value)
    found = lst.lookup().get(str(text).strip().casefold())
    if found is None:
        raise CellProblem(say("not a value from the list", language), lst.expected(language))
    return found


_NUMERIC = ("int", "float")


def _is_list(column: Column) -> bool:
    val = column.validation
    return val is not None and val.kind == "list" and bool(val.choices)


def _number(x: float, column: Column, language: str) -> object:
    """A number cell's value for a number column: finite, whole where asked, within range."""
    if not math.isfinite(x):
        raise CellProblem(say("not a finite number", language), expected_text(column, language))
    val = column.validation
    if column.dtype == "int" or (val is not None and val.kind == "whole"):
        if abs(x - round(x)) > 1e-9:
            raise CellProblem(say("not a whole number", language), expected_text(column, language))
        x = float(round(x))
    out = int(x) if column.dtype == "int" else x
    _in_range(out, column, language)
    return out


def _in_range(out: object, column: Column, language: str) -> None:
    val = column.validation
    if val is not None and val.kind in ("whole", "decimal"):
        if (val.minimum is not None and out < val.minimum) or (  # type: ignore[operator]
            val.maximum is not None and out > val.maximum  # type: ignore[operator]
        ):
            raise CellProblem(say("out of range", language), expected_text(column, language))


def convert_cell(value: object, column: Column, language: str = "en") -> object:
    """Convert one cell value to the column's stored type, or raise :class:`CellProblem`.

    Returns ``None`` for an empty cell (the caller decides whether empty is allowed). Accepts
    numbers stored as text, decimal commas, Norwegian JA/NEI and list labels in either language.
    """
    # The reader calls this for every cell of a workbook (260 000 at national size): numbers
    # in number columns go the short way, and the expected text is only built for a problem.
    t = type(value)
    if (t is float or t is int) and column.dtype in _NUMERIC and not _is_list(column):
        x = float(value)  # type: ignore[arg-type]
        return None if x != x else _number(x, column, language)  # NaN is empty
    if is_empty(value):
        return None
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        raise CellProblem(say("Excel error value {value}", language, value=value.strip().upper()), expected_text(column, language))
    if isinstance(value, _dt.datetime | _dt.date | _dt.time | _dt.timedelta):
        raise CellProblem(say("a date or time, not a value of this column", language), expected_text(column, language))
    val = column.validation
    if val is not None and val.kind == "list" and val.choices:
        out: Any = _choice(value, LISTS[val.choices], language)
    elif column.dtype == "bool":
        if isinstance(value, bool):
            out = value
        else:
            out = _choice(value, LISTS["yesno"], language)
    elif column.dtype in ("int", "float"):
        if isinstance(value, bool):
            raise CellProblem(say("TRUE/FALSE is not a number", language), expected_text(column, language))
        if isinstance(value, int | float):
            x = float(value)
        else:
            try:
                x = parse_number(str(value))
            except ValueError:
                raise CellProblem(say("text is not a number", language), expected_text(column, language)) from None
        return _number(x, column, language)
    else:  # str
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out = str(value).strip()
        if val is not None and val.max_length and len(out) > val.max_length:
            raise CellProblem(say("text longer than {n} characters", language, n=val.max_length), expected_text(column, language))
    _in_range(out, column, language)
    return out


def display_value(value: object, column: Column, language: str) -> object:
    """The cell value the builder writes for a stored value (list codes → labels)."""
    if value is None:
        return None
    val = column.validation
    key = val.choices if (val is not None and val.kind == "list") else None
    if key is None and column.dtype == "bool":
        key = "yesno"
    if key is not None:
        for c in LISTS[key].choices:
            if c.code == value and type(c.code) is type(value):
                return c.cell_value(language)
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value
