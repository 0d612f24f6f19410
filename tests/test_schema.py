"""The workbook contract is self-consistent: unique keys, both languages, valid rules."""

from __future__ import annotations

import re

import pytest

from regbef_excel.engine.inputs import FLOWS, RC_KEYS
from regbef_excel.schema import CHECKS, INPUT_SHEETS, LISTS, SHEETS, TABLES
from regbef_excel.schema.base import iter_labels, normalise_header
from regbef_excel.schema.checks import check_formula
from regbef_excel.schema.inputs import CHECKS_TABLE
from regbef_excel.schema.layout import TableLayout

ALL_TABLES = [*TABLES.values(), CHECKS_TABLE]


def test_sheet_keys_labels_orders_unique():
    for what in ("key", "nb", "en", "order"):
        values = [s.label(what) if what in ("nb", "en") else getattr(s, what) for s in INPUT_SHEETS]
        assert len(values) == len(set(values)), what
    for s in INPUT_SHEETS:
        assert len(s.label("nb")) <= 31 and len(s.label("en")) <= 31  # Excel's limit
        assert not set("[]:*?/\\") & set(s.label("nb") + s.label("en"))


def test_every_table_is_on_a_sheet_and_listed_there():
    for t in ALL_TABLES:
        assert t.sheet in SHEETS
        assert t.key in SHEETS[t.sheet].tables, t.key
        assert re.fullmatch(r"tbl[A-Z][A-Za-z]+", t.key)


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.key)
def test_columns_unique_and_labelled(table):
    keys = [c.key for c in table.columns]
    assert len(keys) == len(set(keys))
    for lang in ("nb", "en"):
        headers = [normalise_header(c.header(lang)) for c in table.columns]
        assert len(headers) == len(set(headers)), (table.key, lang)
    # a header in one language must not be the header of another column in the other
    aliases = [c.header_aliases() for c in table.columns]
    for i in range(len(aliases)):
        for j in range(i + 1, len(aliases)):
            assert not aliases[i] & aliases[j], (table.key, keys[i], keys[j])
    for text in iter_labels(table):
        nb, en = text.nb, text.en
        assert nb and en
    for k in table.key_columns:
        assert k in keys


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.key)
def test_validations_are_valid(table):
    for c in (*table.columns, *table.items):
        v = c.validation
        assert c.dtype in ("int", "float", "str", "bool")
        if v is None:
            continue
        if v.kind == "list":
            assert v.choices in LISTS
        if v.minimum is not None and v.maximum is not None:
            assert v.minimum <= v.maximum
        if v.kind in ("whole", "decimal"):
            assert c.dtype in ("int", "float")
        assert len(c.prompt("nb")) <= 255 and len(c.prompt("en")) <= 255
        if c.role in ("input", "key") and v.kind != "text":
            assert c.prompt("nb") and c.prompt("en"), (table.key, c.key)


def test_lists_unambiguous():
    for cl in LISTS.values():
        for lang in ("nb", "en"):
            labels = [x.casefold() for x in cl.labels(lang)]
            assert len(labels) == len(set(labels))
        lookup = cl.lookup()
        for ch in cl.choices:
            assert lookup[ch.label("nb").casefold()] == ch.code
            assert lookup[ch.label("en").casefold()] == ch.code
    assert tuple(c.code for c in LISTS["flow"].choices) == FLOWS


def test_contract_matches_engine():
    rc = TABLES["tblRogersCastro"].column_keys
    assert rc[3 : 3 + len(RC_KEYS)] == RC_KEYS
    assert TABLES["tblPopulation"].column_keys[:4] == ("zone_code", "age", "males", "females")


def test_tables_on_one_sheet_do_not_overlap():
    by_sheet: dict[str, list[TableLayout]] = {}
    for t in ALL_TABLES:
        if t.key == "tblProvenance":
            continue  # placed below the cover text by the builder
        by_sheet.setdefault(t.sheet, []).append(TableLayout.of(t))
    for lays in by_sheet.values():
        spans = sorted((lay.first_col, lay.first_col + len(lay.table.columns) - 1) for lay in lays)
        for (_a0, a1), (b0, _b1) in zip(spans, spans[1:], strict=False):
            assert a1 < b0


def test_checks_have_unique_ids_and_formulas():
    ids = [c.id for c in CHECKS]
    assert ids == sorted(set(ids))
    for lang in ("nb", "en"):
        for c in CHECKS:
            f = check_formula(c, lang, {})
            assert f.startswith("=") and "[" not in f  # plain ranges, no structured references
            assert f.count("(") == f.count(")")
            assert c.description(lang)
            for fn in re.findall(r"([A-Z]+)\(", f):
                assert fn in {"COUNTIF", "COUNTA", "COUNT", "SUM", "SUMPRODUCT", "INDEX", "MATCH",
                              "IF", "ABS", "OR"}, fn  # fmt: skip
