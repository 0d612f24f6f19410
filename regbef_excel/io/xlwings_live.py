"""A :class:`~regbef_excel.io.backend.WorkbookBackend` over a live Excel workbook (xlwings).

The reader (:func:`regbef_excel.io.read.projection.read_from_backend`) validates the values this
back-end returns exactly as it validates a file, so a macro or ``=REGBEF_RUN()`` in live Excel
sees the same inputs and the same error messages as ``regbef-excel run``.

Live Excel through xlwings: the reader back-end (:class:`XlwingsBackend`), the macros'
workbook (:class:`XlwingsLiveWorkbook`) and the UDF decorators (:func:`udf_export`).

Every xlwings call is in this module and each is a one-liner; xlwings is imported only inside
calls, so the module imports (and its logic is testable) on Linux with a stand-in book object.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from regbef_excel.errors import FeatureNotAvailable
from regbef_excel.io.backend import TableRef, WorkbookBackend
from regbef_excel.schema.messages import TITLE
from regbef_excel.schema.udfs import UdfSpec


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


class XlwingsLiveWorkbook:
    """:class:`LiveWorkbook` over an ``xlwings.Book`` (Windows/macOS Excel). Thin by design."""

    def __init__(self, book) -> None:  # noqa: ANN001 - xlwings.Book
        self.book = book
        self.name = str(book.name)

    @classmethod
    def caller(cls) -> XlwingsLiveWorkbook:
        import xlwings as xw  # optional: only present where Excel runs the macro

        return cls(xw.Book.caller())

    def backend(self) -> WorkbookBackend:
        return XlwingsBackend(self.book)

    def sheet_names(self) -> list[str]:
        return [str(s.name) for s in self.book.sheets]

    def path(self) -> Path | None:
        full = str(self.book.fullname)
        # unsaved books have no folder; OneDrive/SharePoint books have an https:// name
        return Path(full) if os.path.isabs(full) and os.path.exists(full) else None

    def status(self, text: str | None) -> None:
        self.book.app.status_bar = text if text else False

    def alert(self, text: str, title: str = TITLE) -> None:
        self.book.app.alert(text, title=title)

    def ask_open_path(self, title: str) -> Path | None:
        if sys.platform != "win32":
            raise FeatureNotAvailable("Choosing a file is only supported on Windows; on macOS use "
                                      "regbef-excel on the command line.")  # fmt: skip
        got = self.book.app.api.GetOpenFilename("Excel (*.xlsx;*.xlsm),*.xlsx;*.xlsm", 1, title)
        return Path(got) if isinstance(got, str) and got else None

    def ask_save_path(self, suggested: str, title: str) -> Path | None:
        if sys.platform != "win32":
            folder = self.path().parent if self.path() else Path.home()
            return _unique(folder / suggested)
        got = self.book.app.api.GetSaveAsFilename(suggested, "Excel (*.xlsx),*.xlsx", 1, title)
        return Path(got) if isinstance(got, str) and got else None

    def ask_text(self, prompt: str, title: str, default: str = "") -> str | None:
        if sys.platform != "win32":
            raise FeatureNotAvailable("Typing codes in a dialog is only supported on Windows; on "
                                      "macOS use regbef-excel on the command line.")  # fmt: skip
        got = self.book.app.api.InputBox(prompt, title, default, Type=2)  # Type 2: text; False if cancelled
        return str(got).strip() if isinstance(got, str) else None

    def replace_sheets(self, source: Path, names: Sequence[str]) -> None:
        app = self.book.app
        updating, alerts = app.screen_updating, app.display_alerts
        app.screen_updating = False
        app.display_alerts = False  # no "delete this sheet?" prompts
        src = app.books.open(str(source), update_links=False, read_only=True)
        copies = []
        try:
            existing = {s.name: s for s in self.book.sheets}
            for i, name in enumerate(names):
                if name not in [s.name for s in src.sheets]:
                    continue
                old = existing.get(name)
                where = {"before": old} if old is not None else {"after": self.book.sheets[-1]}
                new = src.sheets[name].copy(name=f"~regbef{i}", **where)
                copies.append((new, old, name))
        except BaseException:
            for new, _, _ in copies:  # all or nothing: drop the copies made so far
                new.delete()
            raise
        finally:
            src.close()
            app.screen_updating, app.display_alerts = updating, alerts
        try:
            app.display_alerts = False
            for new, old, name in copies:
                if old is not None:
                    old.delete()
                new.name = name
            if copies:
                copies[0][0].activate()
        finally:
            app.display_alerts = alerts


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    for i in range(2, 1000):
        cand = path.with_name(f"{path.stem} ({i}){path.suffix}")
        if not cand.exists():
            return cand
    return path


#: Conversion of range arguments: always 2-D lists, Excel errors as text ('#N/A'), not None.
RANGE_OPTIONS: dict[str, Any] = {"ndim": 2, "err_to_str": True}


def udf_export(spec: UdfSpec) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Name a function after ``spec`` and, where xlwings is installed, apply ``@xw.arg`` (with
    the registry's help text) to every argument and ``@xw.func``."""
    try:
        import xlwings as xw  # optional: decorators are no-ops outside Windows/macOS Excel
    except Exception:  # noqa: BLE001 - any import problem means "no Excel here"
        xw = None

    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        f.__name__ = f.__qualname__ = spec.name
        f.__doc__ = spec.doc
        if xw is None:
            return f
        for a in spec.args:
            f = xw.arg(a.name, doc=a.doc, **RANGE_OPTIONS)(f)
        return xw.func(category="REGBEF", volatile=spec.volatile)(f)

    return deco
