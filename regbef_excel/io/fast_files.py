"""The fast file back-end: cell values of .xlsx/.xlsm files read by calamine (a Rust reader,
the ``python-calamine`` package), about ten times faster than openpyxl's read-only mode.

Exact: every value equals what the openpyxl back-end returns for the same cell
(``tests/test_fast_reader.py`` compares them cell by cell). calamine returns every number as a
float, a date without time as a ``date`` and empty text like an empty cell; both back-ends
return one form (:func:`~regbef_excel.io.backend.cell_value`). calamine reads error cells (``#N/A``) as empty, so a sheet whose XML
has an error cell is read with openpyxl instead. The tables, the custom properties and the
checks that the file is a workbook come from the package XML (:mod:`regbef_excel.io.xlsx_package`),
as for the openpyxl back-end.

:func:`open_file` is how the readers open a workbook file: the fast back-end, or openpyxl when
asked (``reader="openpyxl"`` or the environment variable ``REGBEF_READER=openpyxl``) or when
calamine cannot read the package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

import python_calamine

from regbef_excel.errors import InputError
from regbef_excel.io.backend import TableRef, WorkbookBackend, cell_value
from regbef_excel.io.openpyxl_files import OpenpyxlBackend
from regbef_excel.io.xlsx_package import custom_properties, open_package, scan_tables, sheet_parts

#: The file readers: ``"fast"`` (calamine) and ``"openpyxl"`` (the fallback).
FileReader = Literal["fast", "openpyxl"]
FILE_READERS: tuple[FileReader, ...] = get_args(FileReader)

def has_error_cells(sheet_xml: bytes) -> bool:
    """Whether a worksheet's XML may hold an error cell (``t="e"``; a false alarm only costs
    time): the attribute value ``e`` in either quote, with any spacing around ``=``."""
    return b'"e"' in sheet_xml or b"'e'" in sheet_xml


class FastFileBackend(WorkbookBackend):
    """Read an .xlsx/.xlsm file with calamine; the file is only read, never written.

    Raises :class:`~regbef_excel.errors.InputError` for files that are not workbooks and
    ``python_calamine.CalamineError`` (or another exception) when calamine cannot read one.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path = Path(path)
        self.label = path.name
        self._zip = open_package(path)
        self._fallback: OpenpyxlBackend | None = None
        self._grids: dict[str, list[list[object]] | None] = {}
        try:
            self._tables = scan_tables(self._zip)
            self._props = custom_properties(self._zip)
            self._parts = sheet_parts(self._zip)
            self._wb = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception:
            self._zip.close()
            raise

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheet_names)

    def tables(self) -> dict[str, TableRef]:
        return dict(self._tables)

    def custom_properties(self) -> dict[str, str]:
        return dict(self._props)

    @property
    def sheets_read_with_openpyxl(self) -> set[str]:
        """Sheets read so far that had error cells, so openpyxl read them."""
        return {s for s, grid in self._grids.items() if grid is None}

    def _grid(self, sheet: str) -> list[list[object]] | None:
        """The sheet's values from A1 (rows may be shorter than the widest), or ``None`` when
        the sheet has error cells and is read with openpyxl."""
        if sheet not in self._grids:
            part = self._parts.get(sheet)
            if part is not None and has_error_cells(self._zip.read(part)):
                self._grids[sheet] = None
            else:  # converted lazily, rectangle by rectangle (read_values)
                self._grids[sheet] = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return self._grids[sheet]

    def read_values(
        self, sheet: str, min_row: int, min_col: int, max_col: int, max_row: int | None = None
    ) -> list[list[object]]:
        grid = self._grid(sheet)
        if grid is None:
            if self._fallback is None:
                self._fallback = OpenpyxlBackend(self.path)
            return self._fallback.read_values(sheet, min_row, min_col, max_col, max_row)
        width = max_col - min_col + 1
        out = []
        for row in grid[min_row - 1 : max_row]:
            values = [cell_value(v) for v in row[min_col - 1 : max_col]]
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            out.append(values)
        return out

    def close(self) -> None:
        wb = getattr(self, "_wb", None)
        if wb is not None:
            wb.close()
        if self._fallback is not None:
            self._fallback.close()
        self._zip.close()


def default_reader() -> FileReader:
    """The reader :func:`open_file` uses: ``REGBEF_READER`` if set to a known reader, else fast."""
    chosen = os.environ.get("REGBEF_READER", "fast").strip().lower()
    return chosen if chosen in FILE_READERS else "fast"  # type: ignore[return-value]


def open_file(path: str | Path, reader: FileReader | None = None) -> WorkbookBackend:
    """A reader back-end over a workbook file (the caller closes it).

    ``reader=None`` takes :func:`default_reader`. The fast reader falls back to openpyxl when
    calamine cannot read the package (openpyxl then reads it or says why it cannot).
    """
    if (reader or default_reader()) == "openpyxl":
        return OpenpyxlBackend(path)
    try:
        return FastFileBackend(path)
    except InputError:
        raise
    except Exception:  # calamine's own errors (and Rust panics) on packages it does not parse
        return OpenpyxlBackend(path)
