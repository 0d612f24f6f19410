"""The workbook side of regbef_excel: schema, template builder, reader (files via openpyxl).

Public API::

    build_workbook(inputs=None, *, language="nb", meta=None) -> openpyxl.Workbook
    save_workbook(wb, path)                       # atomic write
    read_workbook(path) -> (ProjectionInputs, WorkbookMeta)
    validate_workbook(path) -> list[InputError]
    run_checks(raw_tables_or_inputs) -> list[CheckResult]
"""

from __future__ import annotations

from regbef_excel.excel.meta import RCFitQuality, WorkbookMeta
from regbef_excel.excel.reader import (
    ReadResult,
    read_from_backend,
    read_workbook,
    validate_workbook,
)
from regbef_excel.excel.schema.checks import CHECKS, CheckResult, run_checks
from regbef_excel.excel.template import (
    MASTER_CHECK_NAME,
    SCHEMA_VERSION_NAME,
    build_workbook,
    save_workbook,
)

__all__ = [
    "CHECKS",
    "MASTER_CHECK_NAME",
    "SCHEMA_VERSION_NAME",
    "CheckResult",
    "RCFitQuality",
    "ReadResult",
    "WorkbookMeta",
    "build_workbook",
    "read_from_backend",
    "read_workbook",
    "run_checks",
    "save_workbook",
    "validate_workbook",
]
