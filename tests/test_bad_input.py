"""Bad input: every problem is one InputError naming sheet, table, cell and column; the file
is byte-identical afterwards; no traceback escapes."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel.errors import InputError, InputErrors
from regbef_excel.io.backend import InMemoryBackend
from regbef_excel.io.read.projection import read_from_backend, read_workbook, validate_workbook
from regbef_excel.io.write.template import build_workbook, save_workbook


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.xlsx"
    save_workbook(build_workbook(synthetic_inputs(3, 5)), path)
    return path


def edited(good: Path, tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(good)
    edit(wb)
    out = tmp_path / "bad.xlsx"
    wb.save(out)
    return out


def problems(path: Path) -> list[InputError]:
    """Problems of a file via read_workbook; checks the file is unchanged and validate agrees."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(InputErrors) as info:
        read_workbook(path)
    errs = info.value.errors
    assert str(info.value)  # one line for the CLI
    assert [str(e) for e in validate_workbook(path)][: len(errs)] == [str(e) for e in errs]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    return errs


@pytest.fixture(scope="module")
def good_wb():
    return build_workbook(synthetic_inputs(3, 5)).to_openpyxl()


def memory_problems(good_wb, edit) -> list[InputError]:
    """Fast path for cell-level cases: edit a copy in memory and read it through the same
    back-end interface a live-Excel back-end uses (no file round trip)."""
    from copy import deepcopy

    wb = deepcopy(good_wb)
    edit(wb)
    res = read_from_backend(InMemoryBackend(wb))
    assert res.inputs is None and res.errors
    return res.errors


def find(errs, sheet, cell=None, text=""):
    hits = [e for e in errs if e.location.sheet == sheet and (cell is None or e.location.cell == cell)
            and text in e.message]  # fmt: skip
    assert hits, "\n".join(str(e) for e in errs)
    return hits[0]


def set_cell(sheet, cell, value):
    def edit(wb):
        wb[sheet][cell] = value

    return edit


CELL_CASES = [
    ("Befolkning", "C14", "abc", "teksten er ikke et tall"),
    ("Befolkning", "C14", None, "tom celle"),
    ("Befolkning", "C14", -3, "utenfor gyldig område"),
    ("Befolkning", "D20", float("nan"), "tom celle"),
    ("Befolkning", "C14", True, "ikke et tall"),
    ("Dødelighet", "B10", 1.5, "utenfor gyldig område"),
    ("Dødelighet", "C10", -0.1, "utenfor gyldig område"),
    ("Fruktbarhet", "B6", "1,2,3", "ikke et tall"),
    ("Nivåfaktorer", "B5", -1, "utenfor gyldig område"),
    ("Flytting", "A5", "XYZ", "ikke en verdi fra listen"),
    ("Flytting", "C5", "Q", "ikke en verdi fra listen"),
    ("Flytting", "D5", "#REF!", "Excel-feilverdi #REF!"),
    ("Befolkning", "A5", "ZZZ", "ukjent sonekode"),
    ("Nivåfaktorer", "A6", "ZZZ", "ukjent sonekode"),
    ("Innstillinger", "C7", 9, "ikke en verdi fra listen"),
    ("Innstillinger", "C12", "kanskje", "ikke en verdi fra listen"),
]


def test_cell_problem_in_a_file(good, tmp_path):
    e = find(problems(edited(good, tmp_path, set_cell("Befolkning", "C14", "abc"))), "Befolkning", "C14")
    assert e.message == "teksten er ikke et tall" and e.found == "abc"
    assert e.location.table == "tblPopulation" and e.location.column == "Menn (personer)"
    assert str(e).startswith("Befolkning!C14, tabell tblPopulation, kolonne 'Menn (personer)'")


@pytest.mark.parametrize("sheet,cell,value,text", CELL_CASES, ids=lambda x: str(x))
def test_cell_problems(good_wb, sheet, cell, value, text):
    errs = memory_problems(good_wb, set_cell(sheet, cell, value))
    e = find(errs, sheet, cell.split(":")[0] if cell else None, "")
    assert any(text in x.message for x in errs if x.location.sheet == sheet), [str(x) for x in errs]
    assert e.location.table and e.location.table.startswith("tbl")
    assert e.location.column


@pytest.mark.parametrize("code", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?"])
def test_excel_error_values(good_wb, code):
    errs = memory_problems(good_wb, set_cell("Befolkning", "D30", code))
    e = find(errs, "Befolkning", "D30", "Excel-feilverdi")
    assert code in e.message and e.location.column == "Kvinner (personer)"


def test_comma_decimals_text_numbers_and_ja_nei_are_accepted(good, tmp_path):
    def edit(wb):
        wb["Befolkning"]["C14"] = "1,5"
        wb["Befolkning"]["D14"] = " 1 234 "
        wb["Innstillinger"]["C5"] = "2025"
        wb["Innstillinger"]["C12"] = "ja"
        wb["Innstillinger"]["C13"] = True

    inp, _ = read_workbook(edited(good, tmp_path, edit))
    assert inp.population[0, 0, 9] == 1.5 and inp.population[0, 1, 9] == 1234
    assert inp.drop_oldest is True and inp.reconcile_births is True


def test_renamed_header(good, tmp_path):
    errs = problems(edited(good, tmp_path, set_cell("Befolkning", "C4", "Gutter")))
    e = find(errs, "Befolkning", "C4", "gjenkjennes ikke")
    assert e.found == "Gutter" and "Menn (personer)" in e.expected and e.location.table == "tblPopulation"


def test_header_in_english_or_key_is_accepted(good, tmp_path):
    def edit(wb):
        wb["Befolkning"]["C4"] = "Males"
        wb["Befolkning"]["D4"] = "females"

    inp, _ = read_workbook(edited(good, tmp_path, edit))
    # the renamed columns map to the same sexes: the population is the one the file was built from
    np.testing.assert_allclose(inp.population, synthetic_inputs(3, 5).population, rtol=1e-12)


def test_missing_column(good, tmp_path):
    errs = problems(edited(good, tmp_path, set_cell("Dødelighet", "C4", None)))
    e = find(errs, "Dødelighet", None, "mangler")
    assert "Kvinner (sannsynlighet)" in e.message and e.location.table == "tblDeathProb"


def test_missing_sheet(good, tmp_path):
    def edit(wb):
        del wb["Befolkning"]

    e = find(problems(edited(good, tmp_path, edit)), "Befolkning", None, "arket mangler")
    assert "Population" in e.expected


def test_missing_table(good, tmp_path):
    def edit(wb):
        del wb["Soner"].tables["tblZones"]

    e = find(problems(edited(good, tmp_path, edit)), "Soner", None, "fant ikke Excel-tabellen tblZones")
    assert e.location.table == "tblZones"


def test_duplicate_zone(good, tmp_path):
    e = find(problems(edited(good, tmp_path, set_cell("Soner", "A6", "Z001"))), "Soner", "A6", "to ganger")
    assert "A5" in e.expected


def test_duplicate_zone_age_and_missing_age(good, tmp_path):
    errs = problems(edited(good, tmp_path, set_cell("Befolkning", "B6", 0)))
    find(errs, "Befolkning", "A6", "sone og alder står to ganger")
    e = find(errs, "Befolkning", None, "aldre mangler")
    assert e.found == "1" and "Z001" in e.message


def test_duplicate_flow_zone_sex(good, tmp_path):
    find(problems(edited(good, tmp_path, set_cell("Flytting", "C6", "M"))), "Flytting", "A6",
         "strøm, sone og kjønn står to ganger")  # fmt: skip


def test_missing_ages_rows_cleared(good, tmp_path):
    def edit(wb):
        for c in "ABCD":
            wb["Befolkning"][f"{c}10"] = None

    e = find(problems(edited(good, tmp_path, edit)), "Befolkning", None, "aldre mangler")
    assert e.found == "5"


def test_horizon_before_base_year(good, tmp_path):
    find(problems(edited(good, tmp_path, set_cell("Innstillinger", "C6", 2020))), "Innstillinger", "C6",
         "sluttåret")  # fmt: skip


def test_shares_not_summing_to_one(good, tmp_path):
    e = find(problems(edited(good, tmp_path, set_cell("Nivåfaktorer", "F5", 0.99))), "Nivåfaktorer", None,
             "summerer ikke til 1")  # fmt: skip
    assert e.location.column.startswith("Andel av innvandringen")


def test_many_problems_collected(good, tmp_path):
    def edit(wb):
        wb["Befolkning"]["C14"] = "x"
        wb["Dødelighet"]["B10"] = 2
        wb["Soner"]["A6"] = "Z001"

    errs = problems(edited(good, tmp_path, edit))
    assert len({e.location.sheet for e in errs}) >= 3


# --- files that are not workbooks ---------------------------------------------------------
def file_problem(path: Path, text: str) -> None:
    existed = path.exists()
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    with pytest.raises(InputErrors) as info:
        read_workbook(path)
    assert text in info.value.message, info.value.message
    assert info.value.location.sheet == path.name
    errs = validate_workbook(path)
    assert len(errs) == 1 and text in errs[0].message
    if digest:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert path.exists() == existed


def test_missing_file(tmp_path):
    file_problem(tmp_path / "nope.xlsx", "not found")


def test_csv_renamed(tmp_path):
    p = tmp_path / "data.xlsx"
    p.write_text("zone;age;males\n0301;0;5\n", encoding="utf-8")
    file_problem(p, "not an Excel workbook")


def test_zip_not_xlsx(tmp_path):
    p = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    file_problem(p, "zip file but not an Excel workbook")


def test_xls_or_encrypted(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    file_problem(p, "password-protected")


def test_truncated_xlsx(good, tmp_path):
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good.read_bytes()[:4000])
    with pytest.raises(InputErrors):
        read_workbook(p)


def test_folder(tmp_path):
    file_problem(tmp_path, "folder")


def test_good_file_still_reads(good):
    # after all the bad-input cases above, the shared good file still reads, to what it was built from
    inp, _ = read_workbook(good)
    truth = synthetic_inputs(3, 5)
    np.testing.assert_allclose(inp.population, truth.population, rtol=1e-12)
    np.testing.assert_allclose(inp.death_prob, truth.death_prob, rtol=1e-12)
    assert inp.zone_codes == truth.zone_codes and (inp.base_year, inp.horizon) == (truth.base_year, truth.horizon)
