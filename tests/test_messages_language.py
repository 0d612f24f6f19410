"""What ``validate`` says about a workbook is in the workbook's language: hostile inputs across
every input table, in a Norwegian and an English workbook, through the command line. The scan
looks for English words in the Norwegian output and Norwegian words in the English output (the
planner's own values, table keys and headers are not words of the message)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.cli import main
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema import SHEETS, TABLES
from regbef_excel.schema.messages import WORKBOOK_NB, say

#: English words of messages (framing, problems, expectations) that a Norwegian workbook's
#: messages must not contain.
ENGLISH = ("found", "expected", "table", "column", "row", "rows", "missing", "duplicate", "unknown",
           "empty", "number", "range", "check", "failed", "problems", "zone", "year", "must", "the", "one",
           "not", "and", "value", "list", "sheet", "setting", "text", "whole", "shares", "sum", "needs",
           "before", "after", "of", "or", "is", "date")  # fmt: skip
# ("for", "per" and "problem" are Norwegian words too)
#: Norwegian words that must not appear in an English workbook's messages.
NORWEGIAN = ("fant", "forventet", "tabell", "kolonne", "mangler", "ukjent", "ikke", "og", "rad", "rader",
             "sone", "kontroll", "feilet", "tom", "tall", "heltall", "utenfor", "står", "ganger", "etter")  # fmt: skip

#: (table, column or setting, data row, value): one hostile input per case, in every input table
#: a planner fills (population, settings, fertility, mortality, migration, level factors,
#: labour, housing, distances, targets).
EDITS = [
    ("tblPopulation", "males", 3, "abc"),
    ("tblPopulation", "females", 4, -3),
    ("tblPopulation", "age", 5, 100),
    ("tblPopulation", "age", 6, 5.5),
    ("tblPopulation", "age", 7, 0),
    ("tblPopulation", "zone_code", 8, "ZZZ"),
    ("tblPopulation", "males", 9, None),
    ("tblPopulation", "males", 10, "#REF!"),
    ("tblPopulation", "males", 11, dt.datetime(2020, 1, 1)),
    ("tblPopulation", "females", 12, True),
    ("tblPopulation", "males", 13, 1e308),
    ("tblZones", "zone_name", 0, "x" * 300),
    ("tblZones", "zone_code", 1, "Z001"),
    ("tblSettings", "horizon", 0, 2020),
    ("tblSettings", "variant", 0, 9),
    ("tblSettings", "share_boys", 0, 1.5),
    ("tblSettings", "drop_oldest", 0, "kanskje"),
    ("tblSettings", "base_year", 0, None),
    ("tblFertilityRates", "rate", 3, 1.5),
    ("tblHadwiger", "HDWA", 0, "abc"),
    ("tblDeathProb", "age", 1, 0),
    ("tblRogersCastro", "flow", 0, "XYZ"),
    ("tblRogersCastro", "a1", 0, 1e308),
    ("tblZoneFactors", "EIFU_share", 0, 0.2),
    ("tblZoneFactors", "zone_code", 0, "ZZZ"),
    ("tblYearFactors", "year", 0, 1999),
    ("tblYearFactors", "year", 1, 2026),
    ("tblParticipation", "males", 0, 1.5),
    ("tblJobs", "jobs", 0, -1),
    ("tblJobs", "year", 0, 1990),
    ("tblHousingZones", "AVGE", 0, 1.5),
    ("tblStockByPeriod", "dwellings", 0, 1e6),
    ("tblStockByType", "house_type", 0, "Slott"),
    ("tblHousingNeed", "SIVRAT", 0, 1.5),
    ("tblDistances", "zone_code", 1, None),
    ("tblTargets", "year", 0, 2020),
    ("tblTargets", "zone_code", 0, "9999"),
]


def _header_row_cells(ws, table: str):
    c0, r0, c1, r1 = range_boundaries(ws.tables[table].ref)
    return c0, r0, c1, r1


def cell_of(wb, table: str, column: str, row: int) -> tuple[str, str]:
    """(sheet, cell) of a long table's ``row``-th data cell, or a key/value table's setting."""
    ws = next(ws for ws in wb.worksheets if table in ws.tables)
    c0, r0, c1, r1 = _header_row_cells(ws, table)
    t = TABLES[table]
    if t.kind == "keyvalue":
        r = next(r for r in range(r0 + 1, r1 + 1) if ws.cell(r, c0).value == column)
        return ws.title, f"{get_column_letter(c0 + 2)}{r}"
    headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    names = {t.column(column).header(lang) for lang in ("nb", "en")}
    j = next(j for j, h in enumerate(headers) if h in names)
    return ws.title, f"{get_column_letter(c0 + j)}{r0 + 1 + row}"


def _target_row(wb, language: str) -> None:
    """A valid target row to spoil (the template's targets table is empty)."""
    for column, value in (("year", 2026), ("steering", 1), ("target_type", 1), ("value", 10)):
        sheet, cell = cell_of(wb, "tblTargets", column, 0)
        wb[sheet][cell] = value if column != "steering" else (1 if language == "en" else 1)


def _rename_header(wb, language):
    sheet = SHEETS["population"].label(language)
    wb[sheet]["C4"] = "Gutter"


def _drop_sheet(wb, language):
    del wb[SHEETS["mortality"].label(language)]


def _drop_table(wb, language):
    del wb[SHEETS["zones"].label(language)].tables["tblZones"]


def _setting_twice(wb, language):
    ws = wb[SHEETS["settings"].label(language)]
    ws["A6"] = "base_year"


STRUCTURE: list[Callable] = [_rename_header, _drop_sheet, _drop_table, _setting_twice]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("words")
    out = {}
    for language in ("nb", "en"):
        path = folder / f"good-{language}.xlsx"
        save_workbook(build_workbook(add_labour_housing(synthetic_inputs(2, 3)), language=language), path)
        out[language] = path
    return out


def validate_lines(capsys, path: Path) -> list[str]:
    capsys.readouterr()
    assert main(["validate", str(path)]) == 2
    cap = capsys.readouterr()
    return [ln for ln in (cap.out + cap.err).splitlines() if ln.strip()]


def hostile_outputs(capsys, good: Path, language: str, tmp_path: Path) -> list[tuple[str, list[str]]]:
    """``validate`` output of every hostile edit (one workbook per edit)."""
    outputs = []
    cases = [(f"{t}.{c}[{r}]={str(v)[:10]}", t, c, r, v) for t, c, r, v in EDITS]
    for i, (name, table, column, row, value) in enumerate(cases):
        wb = openpyxl.load_workbook(good)
        if table == "tblTargets":
            _target_row(wb, language)
        sheet, cell = cell_of(wb, table, column, row)
        wb[sheet][cell] = value
        path = tmp_path / f"case{i}.xlsx"
        wb.save(path)
        outputs.append((name, validate_lines(capsys, path)))
    for edit in STRUCTURE:
        wb = openpyxl.load_workbook(good)
        edit(wb, language)
        path = tmp_path / f"{edit.__name__}.xlsx"
        wb.save(path)
        outputs.append((edit.__name__, validate_lines(capsys, path)))
    return outputs


def foreign_words(lines: list[str], words: tuple[str, ...], values: tuple[str, ...] = ()) -> list[str]:
    """Words of ``words`` in ``lines`` once the planner's own values and quoted names (found
    values, headers, sheet names) are taken out."""
    found = []
    for line in lines:
        text = re.sub(r"'[^']*'|«[^»]*»|\btbl\w+", " ", line)  # quoted values and table keys
        for v in values:
            text = text.replace(v, " ")
        for word in words:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, flags=re.IGNORECASE):
                found.append(f"{word!r} in {line!r}")
    return found


def test_norwegian_workbook_messages_have_no_english_words(capsys, good, tmp_path):
    outputs = hostile_outputs(capsys, good["nb"], "nb", tmp_path)
    assert len(outputs) == len(EDITS) + len(STRUCTURE)
    problems = [f"{name}: {w}" for name, lines in outputs for w in foreign_words(lines, ENGLISH)]
    assert problems == [], "\n".join(problems[:40])
    # every case said something beyond the count line, in Norwegian framing
    for name, lines in outputs:
        assert lines[-1].endswith("problem(er)"), (name, lines)
        assert any("forventet" in ln or "fant" in ln for ln in lines[:-1]), (name, lines)


def test_english_workbook_messages_have_no_norwegian_words(capsys, good, tmp_path):
    outputs = hostile_outputs(capsys, good["en"], "en", tmp_path)
    problems = [f"{name}: {w}" for name, lines in outputs for w in foreign_words(lines, NORWEGIAN)]
    assert problems == [], "\n".join(problems[:40])
    for name, lines in outputs:
        assert lines[-1].endswith("problem(s)"), (name, lines)


def test_the_scan_is_not_blind(capsys, good, tmp_path):
    """The English words are found in an English workbook's messages, and the other way round."""
    wb = openpyxl.load_workbook(good["en"])
    sheet, cell = cell_of(wb, "tblPopulation", "males", 3)
    wb[sheet][cell] = "abc"
    wb.save(tmp_path / "en.xlsx")
    assert foreign_words(validate_lines(capsys, tmp_path / "en.xlsx"), ENGLISH)
    wb = openpyxl.load_workbook(good["nb"])
    wb[sheet.replace("Population", "Befolkning")][cell] = "abc"
    wb.save(tmp_path / "nb.xlsx")
    assert foreign_words(validate_lines(capsys, tmp_path / "nb.xlsx"), NORWEGIAN)


def test_every_catalogue_message_has_both_languages():
    for english, norwegian in WORKBOOK_NB.items():
        assert norwegian and norwegian != english or english in ("{what} missing",), english
        # the same placeholders in both texts
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", norwegian)), english
    assert say("out of range", "nb") == "utenfor gyldig område" and say("out of range", "en") == "out of range"
    assert say("zone {zone}: ages missing", "nb", zone="0301") == "sone 0301: aldre mangler"
