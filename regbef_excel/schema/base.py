"""Building blocks of the workbook contract: sheets, Excel tables, columns, validation, lists.

The input sheets (:mod:`.inputs`) and the output sheets (``outputs.py``) are both described with
these classes, so the template builder, the reader, the result writer, the checks and the docs
read one description. Labels are :class:`Text`: Norwegian bokmål (``nb``, the default) and English (``en``);
keys (sheet keys, table names, column keys, stored codes) never change with the language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Language = Literal["nb", "en"]
LANGUAGES: tuple[str, ...] = ("nb", "en")
DType = Literal["int", "float", "str", "bool"]
Role = Literal["key", "input", "calc", "comment"]


def check_language(language: str) -> Language:
    """Return ``language`` if it is a supported label language, else raise ``ValueError``."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return language  # type: ignore[return-value]


@dataclass(frozen=True)
class Text:
    """A text in both workbook languages: the one label type of the workbook contract (sheet
    names, headers, units, prompts, titles, list entries, output labels)."""

    nb: str
    en: str

    def get(self, language: str) -> str:
        """Return the text in ``language`` ('nb' or 'en')."""
        check_language(language)
        return self.nb if language == "nb" else self.en

    def format(self, language: str, **values: object) -> str:
        """Return the text in ``language`` with ``str.format`` placeholders filled."""
        return self.get(language).format(**values)


#: No text (an optional unit, prompt, title or introduction left out).
NO_TEXT = Text("", "")


@dataclass(frozen=True)
class Choice:
    """One allowed value of a categorical input.

    Parameters
    ----------
    code
        The stored, language-independent value (what Python sees).
    label_text
        What the dropdown shows in each language.
    aliases
        Further spellings the reader accepts (matched case-insensitively).
    """

    code: object
    label_text: Text
    aliases: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        return self.label_text.get(language)

    def cell_value(self, language: str) -> object:
        """What a cell holds for this choice: numbers stay numbers (unless the choice has a
        descriptive label, e.g. ``'2 – Mål: region + kommuner'``), the rest is the label."""
        if isinstance(self.code, int) and not isinstance(self.code, bool) and self.label(language) == str(self.code):
            return self.code
        return self.label(language)


@dataclass(frozen=True)
class ChoiceList:
    """A dropdown source on the lists sheet (one small Excel table per list)."""

    key: str
    table: str
    label_text: Text
    choices: tuple[Choice, ...]

    def label(self, language: str) -> str:
        return self.label_text.get(language)

    def labels(self, language: str) -> list[str]:
        return [c.label(language) for c in self.choices]

    def lookup(self) -> Mapping[str, object]:
        """Every accepted spelling (both languages, codes, aliases), casefolded → code."""
        return self._spellings

    @cached_property
    def _spellings(self) -> dict[str, object]:  # built once: the reader looks up every cell
        out: dict[str, object] = {}
        for c in self.choices:
            for text in (str(c.code), c.label_text.nb, c.label_text.en, *c.aliases):
                out[text.strip().casefold()] = c.code
        return out

    def expected(self, language: str) -> str:
        return " / ".join(self.labels(language))


@dataclass(frozen=True)
class Validation:
    """A data-validation rule, applied in Excel and by the reader alike.

    ``kind`` is ``'whole'`` (integers), ``'decimal'``, ``'list'`` (values of a
    :class:`ChoiceList`) or ``'text'`` (any text, optionally ``max_length``). ``minimum`` and
    ``maximum`` are inclusive bounds and either may be ``None``.
    """

    kind: Literal["whole", "decimal", "list", "text"]
    minimum: float | None = None
    maximum: float | None = None
    choices: str | None = None
    max_length: int | None = None

    def describe(self, language: str = "en") -> str:
        """A short human description of what the rule accepts (used in messages)."""
        nb = language == "nb"
        if self.kind == "list":
            return "a value from the list" if not nb else "en verdi fra listen"
        if self.kind == "text":
            return "text" if not nb else "tekst"
        what = {"whole": ("a whole number", "et heltall"), "decimal": ("a number", "et tall")}[
            self.kind
        ][1 if nb else 0]
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            return f"{what} {_fmt(lo)}–{_fmt(hi)}"
        if lo is not None:
            return f"{what} ≥ {_fmt(lo)}"
        if hi is not None:
            return f"{what} ≤ {_fmt(hi)}"
        return what


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


#: Common rules.
COUNT = Validation("whole", minimum=0)
PROBABILITY = Validation("decimal", minimum=0, maximum=1)
NONNEG = Validation("decimal", minimum=0)
ANY_NUMBER = Validation("decimal")
YEAR = Validation("whole", minimum=1800, maximum=2300)
AGE = Validation("whole", minimum=0, maximum=99)
TEXT = Validation("text", max_length=255)


@dataclass(frozen=True)
class Column:
    """One column of an Excel table (or, in a key/value table, one setting).

    Parameters
    ----------
    key
        Stable identifier (also accepted as a header by the reader).
    label_text
        Header text without the unit.
    dtype
        ``'int'``, ``'float'``, ``'str'`` or ``'bool'``.
    unit_text
        Unit shown in brackets after the label ("personer", "per kvinne", …).
    validation
        Rule used for Excel data validation and by the reader.
    required
        Empty cells are an error when true.
    role
        ``'key'`` (identifies a row), ``'input'`` (editable, input style), ``'calc'``
        (written by the tool, read-only style) or ``'comment'`` (free text source/comment).
    prompt_text
        Input prompt shown by Excel when the cell is selected.
    width
        Column width in characters.
    number_format
        Excel number format of the data cells.
    default
        Value written into an empty template (key/value settings only).
    """

    key: str
    label_text: Text
    dtype: DType = "float"
    unit_text: Text = NO_TEXT
    validation: Validation | None = None
    required: bool = True
    role: Role = "input"
    prompt_text: Text = NO_TEXT
    width: float = 12.0
    number_format: str = "General"
    default: object = None

    def label(self, language: str) -> str:
        return self.label_text.get(language)

    def unit(self, language: str) -> str:
        return self.unit_text.get(language)

    def header(self, language: str) -> str:
        """The header text: label plus the unit in brackets."""
        unit = self.unit(language)
        return f"{self.label(language)} ({unit})" if unit else self.label(language)

    def prompt(self, language: str) -> str:
        return self.prompt_text.get(language)

    def header_aliases(self) -> set[str]:
        """Every header text the reader accepts for this column (normalised)."""
        texts = {self.key}
        for lang in LANGUAGES:
            texts.add(self.label(lang))
            texts.add(self.header(lang))
        return {normalise_header(t) for t in texts}


def normalise_header(text: object) -> str:
    """Normalise a header cell for matching: casefold, single spaces, no non-breaking spaces."""
    if text is None:
        return ""
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold()


@dataclass(frozen=True)
class Table:
    """One Excel table (ListObject) on a sheet.

    Parameters
    ----------
    key
        The Excel table name, e.g. ``'tblPopulation'`` (stable across languages).
    sheet
        Key of the :class:`Sheet` the table lives on.
    columns
        The table's columns in order.
    kind
        ``'long'``: one row per record. ``'keyvalue'``: one row per item of ``items``, with the
        columns key, label, value, unit, comment.
    key_columns
        Column keys that identify a row (unique); also keys comments in ``WorkbookMeta``.
    items
        For key/value tables: the settings (each a :class:`Column` describing its value).
        ``'matrix'``: a zone × zone table whose first column is the key and whose other columns
        are data-dependent (one per zone, header = zone code).
    anchor
        Top-left cell of the header row.
    optional
        The table may be empty.
    capacity
        Rows covered by data validation and by the checks' ranges (at least the rows written).
    title_text
        Caption written above the table.
    """

    key: str
    sheet: str
    columns: tuple[Column, ...]
    kind: Literal["long", "keyvalue", "matrix"] = "long"
    key_columns: tuple[str, ...] = ()
    items: tuple[Column, ...] = ()
    anchor: str = "A4"
    optional: bool = False
    capacity: int = 1000
    title_text: Text = NO_TEXT

    def title(self, language: str) -> str:
        return self.title_text.get(language)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no column {key!r}")

    def item(self, key: str) -> Column:
        for c in self.items:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no item {key!r}")

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def column_index(self, key: str) -> int:
        return self.column_keys.index(key)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: stable key, visible labels, position, explanatory text."""

    key: str
    label_text: Text
    order: int
    kind: Literal["cover", "input", "output", "checks", "lists"] = "input"
    intro_text: Text = NO_TEXT
    tables: tuple[str, ...] = field(default=())

    def label(self, language: str) -> str:
        return self.label_text.get(language)

    def intro(self, language: str) -> str:
        return self.intro_text.get(language)


def iter_labels(obj: Sheet | Table | Column | ChoiceList) -> Iterator[Text]:
    """Yield the label texts of an object (for schema consistency tests)."""
    if isinstance(obj, Table):
        yield obj.title_text
        for c in (*obj.columns, *obj.items):
            yield c.label_text
    elif isinstance(obj, ChoiceList):
        yield obj.label_text
        for ch in obj.choices:
            yield ch.label_text
    else:
        yield obj.label_text
