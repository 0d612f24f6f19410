"""Workbook back-ends: where the 2-D cell values come from.

The reader's validation and conversion work on :class:`TableBlock` objects — plain 2-D lists of
cell values plus the address of their top-left cell — so any back-end that can list sheets,
locate Excel tables and return a rectangle of values can feed it. This module has the
interface (:class:`WorkbookBackend`), the one form of a cell value (:func:`cell_value`) and an
in-memory back-end; the file back-ends are :mod:`regbef_excel.io.fast_files` and
:mod:`regbef_excel.io.openpyxl_files`, the live-Excel (xlwings) back-end implements the same
three methods.
"""

from __future__ import annotations

import datetime as _dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from openpyxl.utils.cell import get_column_letter, range_boundaries

from regbef_excel.schema.messages import TITLE


@dataclass(frozen=True)
class TableRef:
    """Where an Excel table is: its sheet and its 1-based bounds (header row included)."""

    name: str
    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass
class TableBlock:
    """The values of one table as read: header row first, then data rows.

    ``row_numbers[i]`` is the sheet row of ``rows[i]`` (blank rows are dropped), so the reader
    can name cells like ``'Befolkning!C14'``.
    """

    name: str
    sheet: str
    header_row: int
    first_col: int
    header: list[object]
    rows: list[list[object]]
    row_numbers: list[int]

    def address(self, row_index: int, col_offset: int) -> str:
        return f"{get_column_letter(self.first_col + col_offset)}{self.row_numbers[row_index]}"

    def header_address(self, col_offset: int) -> str:
        return f"{get_column_letter(self.first_col + col_offset)}{self.header_row}"


#: Floats with a whole value below this are whole numbers: writers (Excel, LibreOffice,
#: XlsxWriter's %.16G, Python's repr) write them without an exponent; from 1e16 on they are
#: written with one.
WHOLE_LIMIT = 1e16


def cell_value(value: object) -> object:
    """One cell value as every file back-end returns it, whatever read it: a whole number
    (below 1e16) is an ``int``, empty text is ``None``, a date is a ``datetime`` at midnight.

    One form for all readers, so the fast reader (which reads every number as a float and
    cannot tell empty text from an empty cell) returns exactly what the openpyxl reader returns.
    """
    t = type(value)
    if t is float:
        return int(value) if value.is_integer() and -WHOLE_LIMIT < value < WHOLE_LIMIT else value  # type: ignore[union-attr,operator]
    if t is str:
        return value or None
    if t is _dt.date:
        return _dt.datetime(value.year, value.month, value.day)  # type: ignore[union-attr]
    return value


class WorkbookBackend(ABC):
    """What the reader needs from a workbook, whatever holds it."""

    #: Name used in messages (file name or workbook name).
    label: str = ""

    @abstractmethod
    def sheet_names(self) -> list[str]:
        """Visible names of all worksheets in order."""

    @abstractmethod
    def tables(self) -> dict[str, TableRef]:
        """Every Excel table by name."""

    @abstractmethod
    def read_values(
        self, sheet: str, min_row: int, min_col: int, max_col: int, max_row: int | None = None
    ) -> list[list[object]]:
        """A rectangle of cell values (``None`` for empty cells); ``max_row=None`` reads to the
        last used row of the sheet (trailing empty rows may be left out). Error cells are their
        error text, e.g. ``'#N/A'``. File back-ends return values in :func:`cell_value`'s form."""

    def custom_properties(self) -> dict[str, str]:
        """Custom document properties (version stamps); empty if unavailable."""
        return {}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the workbook."""

    def __enter__(self) -> WorkbookBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def read_table_block(backend: WorkbookBackend, ref: TableRef) -> TableBlock:
    """Read a table's header and data rows, and rows typed directly below it.

    LibreOffice and older Excel versions do not always extend a table when rows are pasted
    underneath, so rows below the table's end are read until the first fully blank row.
    Fully blank rows inside the table are skipped.
    """
    values = backend.read_values(ref.sheet, ref.min_row, ref.min_col, ref.max_col, None)
    header = list(values[0]) if values else []
    rows: list[list[object]] = []
    numbers: list[int] = []
    n_table = ref.max_row - ref.min_row
    for i, row in enumerate(values[1:], start=1):
        if all(_blank(v) for v in row):
            if i > n_table:
                break
            continue
        rows.append(list(row))
        numbers.append(ref.min_row + i)
    return TableBlock(ref.name, ref.sheet, ref.min_row, ref.min_col, header, rows, numbers)


class InMemoryBackend(WorkbookBackend):
    """Read an openpyxl :class:`~openpyxl.Workbook` already in memory (not read-only).

    Used to validate a workbook just built or edited without saving it, and by tests.
    """

    def __init__(self, wb, label: str = "workbook") -> None:  # noqa: ANN001 - openpyxl Workbook
        self._wb = wb
        self.label = label

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def tables(self) -> dict[str, TableRef]:
        out = {}
        for ws in self._wb.worksheets:
            # dict.items: openpyxl's TableList.items() yields (name, ref) and a copied
            # workbook may hold refs instead of Table objects
            for name, t in dict.items(ws.tables):
                ref = t if isinstance(t, str) else t.ref
                c0, r0, c1, r1 = range_boundaries(ref)
                out[name] = TableRef(name, ws.title, r0, c0, r1, c1)
        return out

    def read_values(
        self, sheet: str, min_row: int, min_col: int, max_col: int, max_row: int | None = None
    ) -> list[list[object]]:
        ws = self._wb[sheet]
        return [
            [cell_value(v) for v in r]
            for r in ws.iter_rows(
                min_row=min_row, max_row=max_row or ws.max_row, min_col=min_col, max_col=max_col,
                values_only=True,
            )
        ]

    def custom_properties(self) -> dict[str, str]:
        return {p.name: str(p.value) for p in getattr(self._wb, "custom_doc_props", [])}


@runtime_checkable
class LiveWorkbook(Protocol):
    """What a macro needs from the workbook it was started from."""

    name: str

    def backend(self) -> WorkbookBackend:
        """A reader back-end over the workbook's sheets and tables."""

    def sheet_names(self) -> list[str]:
        """Sheet names in order."""

    def path(self) -> Path | None:
        """The workbook's file, if it is saved on a local/synced disk."""

    def replace_sheets(self, source: Path, names: Sequence[str]) -> None:
        """Copy the sheets ``names`` from the workbook file ``source`` into this workbook,
        replacing sheets of the same name — all or nothing."""

    def status(self, text: str | None) -> None:
        """Show ``text`` in the status bar (``None`` gives the bar back to Excel)."""

    def alert(self, text: str, title: str = TITLE) -> None:
        """Show a message box."""

    def ask_open_path(self, title: str) -> Path | None:
        """Let the user pick a workbook to open; ``None`` if cancelled."""

    def ask_save_path(self, suggested: str, title: str) -> Path | None:
        """Let the user pick where to save a new workbook; ``None`` if cancelled."""

    def ask_text(self, prompt: str, title: str, default: str = "") -> str | None:
        """Let the user type a short text (codes, a year); ``None`` if cancelled."""
