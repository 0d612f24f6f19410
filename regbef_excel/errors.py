"""One exception family for bad input, carrying where the problem is.

Every message a planner sees names the place (sheet, table, row/column or cell), what was found
and what was expected. The CLI prints ``str(error)`` as one line and exits non-zero; a UDF returns
``error.cell_text()``; a macro shows it in a message box.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: Longest found value, column header or name a message repeats (longer ones end in "…"):
#: a 32 MiB cell must not become a 32 MiB message.
FOUND_LIMIT = 60
#: Longest message and expected text (lists of valid names can be long).
TEXT_LIMIT = 400

#: The framing words of a one-line message in the workbook's language (``nb`` or ``en``).
WORDS = {
    "nb": {"table": "tabell", "column": "kolonne", "row": "rad", "found": "fant", "expected": "forventet",
           "more": "og {n} problem(er) til; kjør 'regbef-excel validate'", "count": "{n} problem(er)",
           "ok": "OK (alle kontroller bestått)", "warning": "advarsel",
           "more_warnings": "… og {n} til (se arket Kjørelogg)"},
    "en": {"table": "table", "column": "column", "row": "row", "found": "found", "expected": "expected",
           "more": "and {n} more problem(s); run 'regbef-excel validate'", "count": "{n} problem(s)",
           "ok": "OK (all checks pass)", "warning": "warning",
           "more_warnings": "… and {n} more (see the run log sheet)"},
}  # fmt: skip


def words(language: str | None) -> dict[str, str]:
    """The framing words of ``language`` (English when it is not ``'nb'``)."""
    return WORDS["nb" if language == "nb" else "en"]


def shorten(text: str, limit: int = FOUND_LIMIT) -> str:
    """``text`` on one line (control characters as spaces), cut to ``limit`` characters with "…"."""
    text = text[: limit + 1]  # cut first: the text may be megabytes
    one = "".join(" " if ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029" else ch for ch in text)
    return one if len(one) <= limit else one[: limit - 1] + "…"


@dataclass(frozen=True)
class Location:
    """Where in a workbook (or in an array) a problem was found. Every field is optional.

    ``file`` names the input file when a command reads several (``compare A B``).
    """

    sheet: str | None = None
    table: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    file: str | None = None
    #: a part of the file's package, e.g. ``xl/worksheets/sheet3.xml``
    part: str | None = None

    def __str__(self) -> str:
        return self.describe()

    def describe(self, language: str | None = None) -> str:
        """The place in ``language`` (``'nb'`` or English)."""
        where = self._in_file(words(language))
        if self.part:
            where = f"{shorten(self.part, TEXT_LIMIT)}, {where}" if where else shorten(self.part, TEXT_LIMIT)
        if self.file and self.file != self.sheet:
            name = shorten(self.file, TEXT_LIMIT)
            return f"{name}: {where}" if where else name
        return where

    def _in_file(self, w: dict[str, str]) -> str:
        parts = []
        if self.sheet:
            where = self.sheet
            if self.cell:
                where += f"!{self.cell}"
            parts.append(where)
        elif self.cell:
            parts.append(self.cell)
        if self.table:
            parts.append(f"{w['table']} {self.table}")
        if self.column:
            parts.append(f"{w['column']} '{shorten(str(self.column))}'")
        if self.row is not None and not self.cell:
            parts.append(f"{w['row']} {self.row}")
        return ", ".join(parts)


class RegbefError(Exception):
    """Base class of every error regbef_excel raises on purpose."""


class InputError(RegbefError):
    """Bad input: names the place, what was found and what was expected.

    ``language`` (``'nb'`` or ``'en'``, default English) is the language of the message, so the
    framing words (table, column, found, expected) are in the same language.
    """

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        found: object = None,
        expected: str | None = None,
        language: str | None = None,
    ) -> None:
        self.message = message
        self.location = location or Location()
        self.found = found
        self.expected = expected
        self.language = language
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Place, message, found and expected on one line; long values cut with "…"."""
        w = words(getattr(self, "language", None))
        where = self.location.describe(getattr(self, "language", None))
        message = shorten(self.message, TEXT_LIMIT)
        text = f"{where}: {message}" if where else message
        expected = shorten(self.expected, TEXT_LIMIT) if self.expected else None
        if self.found is not None:
            text += f" ({w['found']} {found_text(self.found)}"
            text += f"; {w['expected']} {expected})" if expected else ")"
        elif expected:
            text += f" ({w['expected']} {expected})"
        return text

    def in_file(self, name: str) -> InputError:
        """The same problem, its place prefixed with the file ``name`` (unless already named)."""
        if self.location.file or self.location.sheet == name:
            return self
        return InputError(self.message, location=replace(self.location, file=name), found=self.found,
                          expected=self.expected, language=self.language)

    def cell_text(self) -> str:
        """The text a UDF returns in a cell."""
        return "#REGBEF: " + self.one_line()


def found_text(found: object) -> str:
    """A found value as messages show it: ``repr`` (quotes show blanks), cut to
    :data:`FOUND_LIMIT` characters with "…"."""
    if type(found).__module__ == "numpy" and hasattr(found, "item"):
        found = found.item()  # 1.5, not np.float64(1.5)
    if isinstance(found, str) and len(found) > FOUND_LIMIT:
        found = found[: FOUND_LIMIT + 1]  # never repr a huge string whole
    return shorten(repr(found))


class InputErrors(InputError):
    """Several input problems found in one pass; the first is the headline."""

    def __init__(self, errors: list[InputError]) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        self.errors = list(errors)
        first = errors[0]
        super().__init__(
            first.message, location=first.location, found=first.found, expected=first.expected,
            language=getattr(first, "language", None),
        )

    def one_line(self) -> str:  # type: ignore[override]
        head = InputError.one_line(self)
        extra = len(getattr(self, "errors", [])) - 1
        more = words(getattr(self, "language", None))["more"].format(n=extra)
        return head + (f" ({more})" if extra > 0 else "")

    def in_file(self, name: str) -> InputErrors:  # type: ignore[override]
        return InputErrors([e.in_file(name) for e in self.errors])


class ConvergenceError(RegbefError):
    """An iterative solver (gravity balancing, target steering) did not converge."""


class InvariantError(RegbefError):
    """An accounting invariant (balancing equation, internal in = out) failed: a bug, not input."""


class FeatureNotAvailable(RegbefError):
    """A button whose function this version does not provide yet."""
