"""A :class:`~regbef_excel.io.backend.WorkbookBackend` over a live Excel workbook (xlwings).

The reader (:func:`regbef_excel.io.read.projection.read_from_backend`) validates the values this
back-end returns exactly as it validates a file, so a macro or ``=REGBEF_RUN()`` in live Excel
sees the same inputs and the same error messages as ``regbef-excel run``.

Every xlwings call is in this module and each is a one-liner; nothing here imports xlwings, so
the module imports (and its logic is testable) on Linux with a stand-in book object.
"""

from __future__ import annotations

from regbef_excel.io.backend import TableRef, WorkbookBackend


class XlwingsBackend(WorkbookBackend):
    """Read sheets, Excel tables (ListObjects) and cell values of an ``xlwings.Book``.

    Parameters
    ----------
    book : xlwings.Book
        The live workbook (``xw.Book.caller()`` in a macro, ``caller.sheet.book`` in a UDF).
        It is only read.
    """

    def __init__(self, book) -> None:  # noqa: ANN001 - xlwings.Book
        self.book = book
        self.label = str(book.name)
        self._tables: dict[str, TableRef] | None = None

    def sheet_names(self) -> list[str]:
        return [str(s.name) for s in self.book.sheets]

    def tables(self) -> dict[str, TableRef]:
        if self._tables is None:
            out: dict[str, TableRef] = {}
            for sheet in self.book.sheets:
                for table in sheet.tables:
                    rng = table.range  # header row included
                    last = rng.last_cell
                    out[str(table.name)] = TableRef(
                        str(table.name), str(sheet.name), int(rng.row), int(rng.column),
                        int(last.row), int(last.column),
                    )  # fmt: skip
            self._tables = out
        return dict(self._tables)

    def read_values(
        self, sheet: str, min_row: int, min_col: int, max_col: int, max_row: int | None = None
    ) -> list[list[object]]:
        sh = self.book.sheets[sheet]
        if max_row is None:
            used = sh.used_range
            max_row = max(int(used.last_cell.row), min_row)
        rng = sh.range((min_row, min_col), (max_row, max_col))
        # ndim=2: always rows of cells; err_to_str: '#N/A' instead of None for error cells
        values = rng.options(ndim=2, err_to_str=True).value
        return [list(r) for r in values]

    def custom_properties(self) -> dict[str, str]:
        try:  # Windows COM only; macOS and failures simply give no version stamps
            props = self.book.api.CustomDocumentProperties
            return {str(p.Name): str(p.Value) for p in props}
        except Exception:  # noqa: BLE001
            return {}


__all__ = ["XlwingsBackend"]
