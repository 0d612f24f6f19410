"""The workbook contract: every sheet, Excel table, column, unit, validation rule and label.

:mod:`.base` has the building blocks (reused by the output sheets), :mod:`.inputs` the input
sheets and tables, :mod:`.checks` the numbered checks (Excel formulas and Python), and
:mod:`.layout` the cell geometry derived from them.
"""

from __future__ import annotations

from regbef_excel.schema.base import Choice, ChoiceList, Column, Sheet, Table, Validation
from regbef_excel.schema.checks import CHECKS, CheckResult, run_checks
from regbef_excel.schema.inputs import INPUT_SHEETS, LISTS, SHEETS, TABLES
from regbef_excel.schema.layout import TableLayout

__all__ = [
    "CHECKS",
    "INPUT_SHEETS",
    "LISTS",
    "SHEETS",
    "TABLES",
    "CheckResult",
    "Choice",
    "ChoiceList",
    "Column",
    "Sheet",
    "Table",
    "TableLayout",
    "Validation",
    "run_checks",
]
