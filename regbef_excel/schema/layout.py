"""Where tables sit on their sheets: cell addresses derived from the schema, nothing hard-coded.

Every table has a header row at ``Table.anchor`` and data rows below it. The ranges used by
data validation and by the check formulas cover ``max(capacity, rows written)`` rows so that
rows a planner adds at the end of a table are still validated and checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regbef_excel.schema.base import Table

#: Excel's last column, XFD.
MAX_COLUMN = 16384
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]*)$")


def column_letter(index: int) -> str:
    """Column letters of a 1-based column index: 1 → ``A``, 28 → ``AB``."""
    if not 1 <= index <= MAX_COLUMN:
        raise ValueError(f"column index {index} outside 1..{MAX_COLUMN}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """1-based column index of column letters: ``A`` → 1, ``ab`` → 28."""
    index = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        index = index * 26 + ord(ch) - 64
    if not 1 <= index <= MAX_COLUMN:
        raise ValueError(f"not a column: {letters!r}")
    return index


def split_cell(ref: str) -> tuple[str, int]:
    """``"AB12"`` (or ``"$AB$12"``) → ``("AB", 12)``."""
    m = _CELL.match(ref.strip())
    if m is None:
        raise ValueError(f"not a cell address: {ref!r}")
    return m.group(1).upper(), int(m.group(2))


def quote_sheet(name: str) -> str:
    """Quote a sheet name for use in a formula (always quoted; inner quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class TableLayout:
    """The cell geometry of one table as written.

    Attributes
    ----------
    header_row, first_col
        1-based row of the header and column of the first table column.
    n_rows
        Data rows written (at least 1: an Excel table needs one data row).
    span
        Data rows covered by validation and check ranges.
    """

    table: Table
    header_row: int
    first_col: int
    n_rows: int
    span: int

    @classmethod
    def of(cls, table: Table, n_rows: int = 0) -> TableLayout:
        col, row = split_cell(table.anchor)
        n = max(1, n_rows)
        return cls(table, row, column_index(col), n, max(n, table.capacity))

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        """Last data row of the Excel table as written."""
        return self.header_row + self.n_rows

    @property
    def last_span_row(self) -> int:
        return self.header_row + self.span

    def col(self, key: str) -> int:
        """1-based sheet column of a table column."""
        return self.first_col + self.table.column_index(key)

    def letter(self, key: str) -> str:
        return column_letter(self.col(key))

    @property
    def ref(self) -> str:
        """The Excel table's ``ref`` (header plus written rows)."""
        last = column_letter(self.first_col + len(self.table.columns) - 1)
        return f"{column_letter(self.first_col)}{self.header_row}:{last}{self.last_row}"

    def span_range(self, key: str, to_key: str | None = None, *, absolute: bool = True) -> str:
        """The A1 range of a column (or a block of adjacent columns) over ``span`` rows."""
        d = "$" if absolute else ""
        a, b = self.letter(key), self.letter(to_key or key)
        return f"{d}{a}{d}{self.first_row}:{d}{b}{d}{self.last_span_row}"

    def cell(self, key: str, row_index: int) -> str:
        """A1 address of data row ``row_index`` (0-based) in column ``key``."""
        return f"{self.letter(key)}{self.first_row + row_index}"
