"""One exception family for bad input, carrying where the problem is.

Every message a planner sees names the place (sheet, table, row/column or cell), what was found
and what was expected. The CLI prints ``str(error)`` as one line and exits non-zero; a UDF returns
``error.cell_text()``; a macro shows it in a message box.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in a workbook (or in an array) a problem was found. Every field is optional."""

    sheet: str | None = None
    table: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.sheet:
            where = self.sheet
            if self.cell:
                where += f"!{self.cell}"
            parts.append(where)
        elif self.cell:
            parts.append(self.cell)
        if self.table:
            parts.append(f"table {self.table}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.row is not None and not self.cell:
            parts.append(f"row {self.row}")
        return ", ".join(parts)


class RegbefError(Exception):
    """Base class of every error regbef_excel raises on purpose."""


class InputError(RegbefError):
    """Bad input: names the place, what was found and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        found: object = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.location = location or Location()
        self.found = found
        self.expected = expected
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.found is not None:
            text += f" (found {self.found!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text

    def cell_text(self) -> str:
        """The text a UDF returns in a cell."""
        return "#REGBEF: " + self.one_line()


class InputErrors(InputError):
    """Several input problems found in one pass; the first is the headline."""

    def __init__(self, errors: list[InputError]) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        self.errors = list(errors)
        first = errors[0]
        super().__init__(
            first.message, location=first.location, found=first.found, expected=first.expected
        )

    def one_line(self) -> str:  # type: ignore[override]
        head = InputError.one_line(self)
        extra = len(getattr(self, "errors", [])) - 1
        return head + (f" (and {extra} more problem(s); run 'regbef-excel validate')" if extra > 0 else "")


class ConvergenceError(RegbefError):
    """An iterative solver (gravity balancing, target steering) did not converge."""


class InvariantError(RegbefError):
    """An accounting invariant (balancing equation, internal in = out) failed: a bug, not input."""


class FeatureNotAvailable(RegbefError):
    """A button whose function this version does not provide yet."""
