"""Engine inputs → stored table rows, :func:`inputs_to_rows` (docs/workbook.md "Input tables").

What the template builder writes for a planner must carry everything the reader brings back:
each row's own comment (keyed by the table's key columns), labels, units and the builder's
flags in the workbook's language, the neutral year factors of an empty template and the
history tables in schema column order. Each test pins one of these rules.
"""

from __future__ import annotations

import pandas as pd
import pytest
from support.markets import rich_inputs

from regbef_excel.io.rows import inputs_to_rows
from regbef_excel.schema.inputs import ASSUMPTION, HANDBOOK, HANDBOOK_HOUSING_PARAMS, TABLES
from regbef_excel.schema.meta import WorkbookMeta


def _keyed(table: str, rows: list[list[object]]) -> list[tuple[tuple, list[object]]]:
    """(key tuple, row) for every row of ``table``, key in the stored form meta uses."""
    t = TABLES[table]
    idx = [t.column_index(k) for k in t.key_columns]
    return [(tuple(r[i] for i in idx), r) for r in rows]


def _commented_tables(rows: dict[str, list[list[object]]]) -> list[str]:
    return [k for k, rs in rows.items()
            if rs and k in TABLES and "comment" in TABLES[k].column_keys and TABLES[k].key_columns]


def _own_comments(rows: dict[str, list[list[object]]]) -> WorkbookMeta:
    """A meta with one distinct comment on every row of every table that has a comment column."""
    meta = WorkbookMeta()
    for table in _commented_tables(rows):
        meta.comments[table] = {key: f"{table} {key!r}" for key, _ in _keyed(table, rows[table])}
    return meta


@pytest.mark.parametrize("with_inputs", [True, False], ids=["inputs", "empty-template"])
def test_every_row_carries_its_own_comment(with_inputs):
    """A comment read from a workbook goes back on the row with the same key, in every table
    (settings, Hadwiger, rates, zones, year factors, targets, labour, housing, income)."""
    inp = rich_inputs() if with_inputs else None
    plain = inputs_to_rows(inp, WorkbookMeta(), "en")
    meta = _own_comments(plain)
    rows = inputs_to_rows(inp, meta, "en")
    tables = _commented_tables(rows)
    expected_tables = {"tblSettings", "tblHadwiger", "tblFertilityRates", "tblDeathProb", "tblYearFactors"}
    if with_inputs:
        expected_tables |= {
            "tblZones", "tblPopulation", "tblRogersCastro", "tblZoneFactors", "tblTargets",
            "tblParticipation", "tblLabourZones", "tblJobs", "tblLabourProfile", "tblHouseTypes",
            "tblStockByPeriod", "tblStockByType", "tblHousingZones", "tblBuilding", "tblHousingNeed",
            "tblNewDwellingProfile", "tblIncome", "tblLabourParams", "tblHousingMarket",
            "tblHadwigerRegression"}  # fmt: skip
    assert expected_tables <= set(tables)
    for table in tables:
        ci = TABLES[table].column_index("comment")
        for key, row in _keyed(table, rows[table]):
            assert row[ci] == f"{table} {key!r}", (table, key)


def test_row_values_do_not_depend_on_comments():
    """Comments only fill the comment column: every other cell is the same with and without."""
    inp = rich_inputs()
    plain = inputs_to_rows(inp, WorkbookMeta(), "en")
    rows = inputs_to_rows(inp, _own_comments(plain), "en")
    for table in _commented_tables(plain):
        ci = TABLES[table].column_index("comment")
        for a, b in zip(plain[table], rows[table], strict=True):
            assert a[:ci] + a[ci + 1:] == b[:ci] + b[ci + 1:], table


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("with_inputs", [True, False], ids=["inputs", "empty-template"])
def test_parameter_tables_speak_the_workbook_language(language, with_inputs):
    """Key/value parameter tables (labour market, housing market): labels, units and the
    builder's flag (handbook default / ASSUMPTION) in the workbook's language."""
    lang = 0 if language == "nb" else 1
    rows = inputs_to_rows(rich_inputs() if with_inputs else None, WorkbookMeta(), language)
    for table in ("tblLabourParams", "tblHousingMarket"):
        items = {c.key: c for c in TABLES[table].items}
        assert len(rows[table]) == len(items)
        for key, label, _value, unit, comment in rows[table]:
            assert label == items[key].label(language)
            assert unit == items[key].unit(language)
            flag = HANDBOOK if table == "tblHousingMarket" and key in HANDBOOK_HOUSING_PARAMS else ASSUMPTION
            assert comment == flag[lang], (table, key)


def test_labels_and_units_differ_between_languages():
    """The language really changes what the planner reads (guards the test above against
    labels that happen to be the same in both languages)."""
    nb = inputs_to_rows(rich_inputs(), WorkbookMeta(), "nb")
    en = inputs_to_rows(rich_inputs(), WorkbookMeta(), "en")
    for table in ("tblLabourParams", "tblHousingMarket"):
        assert [r[1] for r in nb[table]] != [r[1] for r in en[table]]
        assert [r[3] for r in nb[table]] != [r[3] for r in en[table]], table
        assert [r[4] for r in nb[table]] != [r[4] for r in en[table]], table


def test_empty_template_year_factors_are_neutral():
    """An empty template's year factors are 1 (no change) for FR, DR, EUF_R, IUF_R and EIFN_R,
    and empty for the totals the planner must give (EIFU, YR, BR)."""
    rows = inputs_to_rows(None, WorkbookMeta(), "nb")
    assert rows["tblYearFactors"]
    for r in rows["tblYearFactors"]:
        assert r[1:6] == [1.0] * 5
        assert r[6:9] == [None] * 3


def test_history_tables_are_written_in_schema_column_order():
    """History read back from a workbook is written in the schema's column order, whatever the
    frame's own order, and without columns the table does not have."""
    hist = pd.DataFrame({"females": [5.0, 6.0], "age": [0, 1], "zone_code": ["0301", "0301"],
                         "extra": ["x", "y"], "year": [2020, 2020], "males": [4.0, float("nan")]})
    meta = WorkbookMeta(history={"tblHistPopulation": hist})
    rows = inputs_to_rows(rich_inputs(), meta, "nb")
    assert TABLES["tblHistPopulation"].column_keys == ("year", "zone_code", "age", "males", "females")
    assert rows["tblHistPopulation"] == [[2020, "0301", 0, 4.0, 5.0], [2020, "0301", 1, None, 6.0]]
