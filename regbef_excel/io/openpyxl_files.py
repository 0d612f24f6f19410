"""The openpyxl file back-end: cell values of .xlsx/.xlsm files with openpyxl
(``read_only=True, data_only=True``); the package checks, tables and properties come from
:mod:`regbef_excel.io.xlsx_package`.

The fallback of the fast reader (:mod:`regbef_excel.io.fast_files`): slower, but it reads every
sheet the fast reader cannot read exactly (sheets with error cells).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from regbef_excel.io.backend import TableRef, WorkbookBackend, cell_value
from regbef_excel.io.xlsx_package import custom_properties, file_error, open_package, scan_tables


def sheet_values(ws, min_row: int, min_col: int, max_col: int,  # noqa: ANN001 - openpyxl sheet
                 max_row: int | None) -> list[list[object]]:  # fmt: skip
    """A rectangle of an openpyxl worksheet's values in :func:`~regbef_excel.io.backend.cell_value`'s form."""
    return [
        [cell_value(v) for v in r]
        for r in ws.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
        )
    ]


class OpenpyxlBackend(WorkbookBackend):
    """Read an .xlsx/.xlsm file with openpyxl (``read_only=True, data_only=True``).

    The file is only read, never written. Every way of not being a readable workbook becomes
    an :class:`~regbef_excel.errors.InputError` naming the file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path = Path(path)
        self.label = path.name
        self._zip = open_package(path)
        try:
            self._tables = scan_tables(self._zip)
            self._props = custom_properties(self._zip)
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # corrupt package: openpyxl/zipfile/lxml raise many kinds
            self._zip.close()
            raise file_error(path, f"cannot be read as a workbook ({type(exc).__name__}: {exc})",
                             "an .xlsx file saved by Excel or LibreOffice") from None  # fmt: skip

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def tables(self) -> dict[str, TableRef]:
        return dict(self._tables)

    def read_values(
        self, sheet: str, min_row: int, min_col: int, max_col: int, max_row: int | None = None
    ) -> list[list[object]]:
        return sheet_values(self._wb[sheet], min_row, min_col, max_col, max_row)

    def custom_properties(self) -> dict[str, str]:
        return dict(self._props)

    def close(self) -> None:
        wb = getattr(self, "_wb", None)
        if wb is not None:
            wb.close()
        self._zip.close()

