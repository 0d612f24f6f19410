"""Numbers a planner types or pastes as text: Norwegian and English formats, table-driven.

The rule :func:`regbef_excel.io.cells.parse_number` implements (pinned here):

* spaces of every kind (ASCII space, no-break space U+00A0, thin space U+2009, narrow no-break
  space U+202F) and the apostrophe group thousands and are dropped, wherever they are;
* U+2212 (the typographic minus, what Word and many web pages paste) is a minus;
* a trailing ``%`` divides by 100;
* when both ``,`` and ``.`` occur, the one that comes LAST is the decimal mark and the other
  groups thousands (``1.234,5`` and ``1,234.5`` are both 1234.5);
* a single ``,`` or ``.`` alone is always the decimal mark — so the ambiguous ``1.234`` and
  ``1,234`` are both 1.234 (a Norwegian reading: a comma is a decimal comma), never 1234;
* several ``,`` (or several ``.``) without the other mark is rejected: ``1,234,567`` and
  ``1.234.567`` are not numbers (group with spaces instead);
* accounting parentheses ``(12,5)`` are not supported: rejected, not silently made negative;
* scientific notation works with either decimal mark (``1,5e3`` = 1500);
* empty text, Excel error values, ``inf``/``nan`` and overflow are rejected.

``convert_cell`` (what the workbook reader uses) turns a rejection into :class:`CellProblem`
carrying the text of what the column expects; the UDFs' ``to_float`` into an
:class:`~regbef_excel.errors.InputError`.
"""

from __future__ import annotations

import math

import pytest

from regbef_excel.errors import InputError
from regbef_excel.excel import udfs
from regbef_excel.io.cells import CellProblem, convert_cell, expected_text, parse_number
from regbef_excel.schema.base import ANY_NUMBER, COUNT, NONNEG, PROBABILITY, Column, Text

NBSP, NNBSP, THIN, MINUS = "\u00a0", "\u202f", "\u2009", "\u2212"

#: input text → expected float (exact: every expected value is the float Python parses from
#: the canonical spelling, so equality is exact, not approximate).
ACCEPTED: list[tuple[str, float]] = [
    # plain
    ("1234.5", 1234.5),
    ("1234,5", 1234.5),
    ("0,5", 0.5),
    (",5", 0.5),
    (".5", 0.5),
    ("5,", 5.0),
    ("42", 42.0),
    ("+3,5", 3.5),
    # thousands separators, Norwegian
    ("1 234,5", 1234.5),
    ("1 234 567,5", 1234567.5),
    (f"1{NBSP}234,5", 1234.5),
    (f"1{NNBSP}234,5", 1234.5),
    (f"1{THIN}234,5", 1234.5),
    (f"1{NBSP}234{NBSP}567", 1234567.0),
    ("1.234,5", 1234.5),
    ("1.234.567,89", 1234567.89),
    # thousands separators, English / Swiss
    ("1,234.5", 1234.5),
    ("1,234,567.89", 1234567.89),
    ("1'234.5", 1234.5),
    ("1 234", 1234.0),
    # the ambiguous single separator is the decimal mark (pinned)
    ("1.234", 1.234),
    ("1,234", 1.234),
    # minus signs
    ("-12,5", -12.5),
    (f"{MINUS}12,5", -12.5),
    (f"{MINUS}1 234,5", -1234.5),
    ("- 12,5", -12.5),
    ("-1.234,5", -1234.5),
    # percent
    ("12,5 %", 0.125),
    ("12.5%", 0.125),
    ("12,5%", 0.125),
    (f"12,5{NBSP}%", 0.125),
    (f"{MINUS}2,5 %", -0.025),
    ("1 250 %", 12.5),
    ("100%", 1.0),
    # leading / trailing blanks (incl. a pasted no-break space, tab and newline)
    ("  12,5  ", 12.5),
    (f"{NBSP}12,5{NBSP}", 12.5),
    ("\t12,5\n", 12.5),
    ("12 % ", 0.12),
    # scientific
    ("1,5e3", 1500.0),
    ("1.5E3", 1500.0),
    ("1,5E-3", 0.0015),
    ("2e0", 2.0),
]

#: input text that is not a number.
REJECTED: list[str] = [
    "",
    "   ",
    "(12,5)",  # accounting negative: not supported
    "1,234,567",  # several commas only: not a number (ambiguous)
    "1.234.567",  # several dots only: not a number (ambiguous)
    "12,5%%",
    "%12",
    "abc",
    "12 kr",
    "1,5e",
    "-",
    MINUS,
    "inf",
    "-inf",
    "nan",
    "1e400",  # overflows to inf
    "#DIV/0!",
    "#N/A",
    "#VALUE!",
    "#REF!",
]

EXCEL_ERROR_VALUES = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


@pytest.mark.parametrize("text,expected", ACCEPTED, ids=[repr(t) for t, _ in ACCEPTED])
def test_parse_number_accepts(text, expected):
    got = parse_number(text)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-15, abs=0), (text, got)


@pytest.mark.parametrize("text", REJECTED, ids=[repr(t) for t in REJECTED])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


# ----------------------------------------------------------------------------- convert_cell
FLOAT = Column("level", Text("Nivå", "Level"), dtype="float", validation=ANY_NUMBER)
SHARE = Column("share", Text("Andel", "Share"), dtype="float", validation=PROBABILITY)
NONNEG_COL = Column("rate", Text("Rate", "Rate"), dtype="float", validation=NONNEG)
COUNT_COL = Column("persons", Text("Personer", "Persons"), dtype="float", validation=COUNT)
INT = Column("year", Text("År", "Year"), dtype="int")


@pytest.mark.parametrize("text,expected", ACCEPTED, ids=[repr(t) for t, _ in ACCEPTED])
def test_convert_cell_parses_text_like_parse_number(text, expected):
    got = convert_cell(text, FLOAT, "nb")
    assert isinstance(got, float) and got == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize("text", [t for t in REJECTED if t.strip() and t not in EXCEL_ERROR_VALUES])
def test_convert_cell_rejects_text_that_is_not_a_number(text):
    with pytest.raises(CellProblem) as exc:
        convert_cell(text, FLOAT, "en")
    assert exc.value.message in ("text is not a number", "not a finite number")
    assert exc.value.expected == expected_text(FLOAT, "en") == "a number"


@pytest.mark.parametrize("value", [*EXCEL_ERROR_VALUES, " #div/0! ", "#n/a"])
@pytest.mark.parametrize("column", [FLOAT, SHARE, NONNEG_COL, COUNT_COL, INT], ids=lambda c: c.key)
def test_convert_cell_rejects_excel_errors_naming_what_was_expected(value, column):
    with pytest.raises(CellProblem) as exc:
        convert_cell(value, column, "en")
    assert exc.value.message == f"Excel error value {value.strip().upper()}"
    assert exc.value.expected == expected_text(column, "en")
    assert exc.value.expected  # never empty: the planner is told what belongs in the cell


def test_expected_texts_name_the_rule():
    assert expected_text(SHARE, "en") == "a number 0–1"
    assert expected_text(NONNEG_COL, "en") == "a number ≥ 0"
    assert expected_text(COUNT_COL, "en") == "a whole number ≥ 0"
    assert expected_text(INT, "en") == "a whole number"


@pytest.mark.parametrize("value", ["", "   ", NBSP, None, math.nan])
def test_convert_cell_empty_is_none(value):
    assert convert_cell(value, FLOAT, "nb") is None


def test_convert_cell_percent_and_range_checks():
    assert convert_cell("12,5 %", SHARE, "nb") == pytest.approx(0.125, rel=1e-15)
    with pytest.raises(CellProblem, match="out of range") as exc:
        convert_cell("125 %", SHARE, "en")
    assert exc.value.expected == "a number 0–1"
    with pytest.raises(CellProblem, match="out of range"):
        convert_cell(f"{MINUS}1 234", NONNEG_COL, "en")
    assert convert_cell(f"1{NBSP}234", COUNT_COL, "en") == 1234.0
    with pytest.raises(CellProblem, match="not a whole number"):
        convert_cell("1 234,5", COUNT_COL, "en")


def test_convert_cell_whole_numbers():
    assert convert_cell("2 030", INT, "nb") == 2030 and isinstance(
        convert_cell("2 030", INT, "nb"), int
    )
    assert convert_cell("2,03e3", INT, "nb") == 2030
    with pytest.raises(CellProblem, match="ikke et heltall"):  # a Norwegian workbook: Norwegian words
        convert_cell("2030,5", INT, "nb")
    with pytest.raises(CellProblem, match="SANN/USANN er ikke et tall"):
        convert_cell(True, FLOAT, "nb")
    with pytest.raises(CellProblem, match="TRUE/FALSE is not a number"):
        convert_cell(True, FLOAT, "en")


# ----------------------------------------------------------------------------- UDF to_float
@pytest.mark.parametrize("text,expected", ACCEPTED[:12], ids=[repr(t) for t, _ in ACCEPTED[:12]])
def test_udf_to_float_accepts(text, expected):
    assert udfs.to_float(text, "x") == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize("value", [*EXCEL_ERROR_VALUES, -2146826281])  # COM code of #DIV/0!
def test_udf_to_float_rejects_excel_errors_with_input_error(value):
    with pytest.raises(InputError) as exc:
        udfs.to_float(value, "x", 3)
    err = exc.value
    assert err.message.startswith("Excel error value #") and err.expected == "a number"
    assert "x, item 3" in str(err) and "expected a number" in str(err)


@pytest.mark.parametrize("text", ["(12,5)", "1,234,567", "abc", "inf"])
def test_udf_to_float_rejects_text(text):
    with pytest.raises(InputError) as exc:
        udfs.to_float(text, "x")
    assert exc.value.expected == "a number"


def test_udf_to_float_empty():
    with pytest.raises(InputError, match="empty cell"):
        udfs.to_float("", "x")
    assert math.isnan(udfs.to_float("", "x", allow_empty=True))
