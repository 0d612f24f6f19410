"""The command line as a planner uses it: demo, template → fill → run → read back, validate."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from regbef_excel.cli import main
from regbef_excel.engine import project
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.schema import SHEETS, TABLES
from regbef_excel.schema.outputs import output_sheet_names


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_cells(wb, table_key: str, language: str = "nb"):
    """(worksheet, header->column index, first data row, last row) of an Excel table."""
    table = TABLES[table_key]
    ws = wb[SHEETS[table.sheet].label(language)]
    ref = ws.tables[table_key].ref
    (c0, r0), (c1, r1) = (openpyxl.utils.cell.coordinate_from_string(x) for x in ref.split(":"))
    first = openpyxl.utils.cell.column_index_from_string(c0)
    last = openpyxl.utils.cell.column_index_from_string(c1)
    headers = {ws.cell(r0, c).value: c for c in range(first, last + 1)}
    cols = {key: headers[table.column(key).header(language)] for key in table.column_keys}
    return ws, cols, r0 + 1, r1


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "kommune.xlsx"
    assert main(["template", str(path), "-q"]) == 0
    return path


def test_help_lists_commands_and_examples(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("demo", "template", "run", "validate", "examples:"):
        assert word in out


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2


def test_demo_writes_workbook_and_prints_summary(tmp_path, capsys):
    out = tmp_path / "regbef-demo.xlsx"
    assert main(["demo", "-o", str(out), "-q"]) == 0
    text = capsys.readouterr().out
    assert "Porsgrunn" in text and "2050" in text and "Region" in text
    wb = openpyxl.load_workbook(out, read_only=True)
    names = set(wb.sheetnames)
    wb.close()
    assert set(output_sheet_names("nb").values()) <= names
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 3  # pyramid, population per zone, components (and more)
    # the results workbook carries its inputs: it can be read and run again
    inputs, meta = read_workbook(out)
    assert inputs.zone_codes[0] == "4001" and inputs.base_year == 2025 and inputs.horizon == 2050
    assert meta.region_name == "Telemark"


def test_template_fill_run_and_read_outputs_back(template, tmp_path):
    filled = tmp_path / "fylt.xlsx"
    wb = openpyxl.load_workbook(template)
    # the planner doubles immigration from abroad in every projection year
    ws, cols, first, last = table_cells(wb, "tblYearFactors")
    for r in range(first, last + 1):
        ws.cell(r, cols["EIFU_total"]).value = 2 * ws.cell(r, cols["EIFU_total"]).value
    wb.save(filled)
    before = sha(filled)
    out = tmp_path / "resultat.xlsx"
    assert main(["run", str(filled), "-o", str(out), "-q"]) == 0
    assert sha(filled) == before  # the input file is never modified

    baseline, _ = read_workbook(template)
    changed, _ = read_workbook(filled)
    np.testing.assert_allclose(changed.immigration_total, 2 * baseline.immigration_total)
    expected = project(changed)
    # read the summary sheet back: zone rows, years left → right
    res = openpyxl.load_workbook(out, read_only=True, data_only=True)
    ws = res[output_sheet_names("nb")["population_summary"]]
    rows = list(ws.iter_rows(values_only=True))
    res.close()
    header = next(r for r in rows if r and 2050 in r)
    col2050 = header.index(2050)
    got = {r[0]: r[col2050] for r in rows if r and r[0] in expected.zone_codes}
    want = dict(zip(expected.zone_codes, expected.population[-1].sum(axis=(1, 2)), strict=True))
    for code, value in want.items():
        assert got[code] == pytest.approx(value, rel=1e-9)
    assert expected.population[-1].sum() > project(baseline).population[-1].sum()


def test_shorter_horizon_keeps_extra_year_rows_and_says_so(template, tmp_path, capsys):
    """A planner shortens the horizon 2050 → 2040 without deleting the year-factor rows
    2041–2050: the run accepts them, projects to 2040 and says they were not used."""
    short = tmp_path / "kort.xlsx"
    wb = openpyxl.load_workbook(template)
    ws, cols, first, last = table_cells(wb, "tblSettings")
    row = next(r for r in range(first, last + 1) if ws.cell(r, cols["key"]).value == "horizon")
    ws.cell(row, cols["value"]).value = 2040
    wb.save(short)
    assert main(["validate", str(short)]) == 0
    out = tmp_path / "kort-resultat.xlsx"
    assert main(["run", str(short), "-o", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    for table in ("tblYearFactors", "tblJobs", "tblBuilding"):  # every year-indexed table filled
        assert f"tabell {table}: " in err  # a Norwegian workbook: the note is in Norwegian
    assert err.count("2041–2050 ligger etter sluttåret 2040 og brukes ikke") == 3
    inputs, meta = read_workbook(short)
    assert inputs.horizon == 2040 and inputs.n_years == 15
    full, _ = read_workbook(template)
    np.testing.assert_array_equal(inputs.fertility_level_region, full.fertility_level_region[:15])
    np.testing.assert_allclose(project(inputs).population, project(full).population[:16], rtol=1e-12)


def test_run_with_bad_cell_gives_one_line_and_no_output(template, tmp_path, capsys):
    bad = tmp_path / "feil.xlsx"
    wb = openpyxl.load_workbook(template)
    ws, cols, first, _ = table_cells(wb, "tblPopulation")
    ws.cell(first + 3, cols["males"]).value = "mange"
    cell = ws.cell(first + 3, cols["males"]).coordinate
    wb.save(bad)
    before = sha(bad)
    out = tmp_path / "skal-ikke-finnes.xlsx"
    assert main(["run", str(bad), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"Befolkning!{cell}" in err and "mange" in err
    assert not out.exists()
    assert sha(bad) == before
    assert main(["validate", str(bad)]) == 2
    assert f"Befolkning!{cell}" in capsys.readouterr().out


def test_run_refuses_to_overwrite_input(template, tmp_path, capsys):
    copy = tmp_path / "kopi.xlsx"
    shutil.copy(template, copy)
    before = sha(copy)
    assert main(["run", str(copy), "-o", str(copy), "-q"]) == 2
    assert "overskrives aldri" in capsys.readouterr().err  # nb by default: the input is never overwritten
    assert sha(copy) == before


@pytest.mark.parametrize("content", [b"kode;navn\n4001;Porsgrunn\n", b"PK\x03\x04 not a zip"])
def test_run_on_non_xlsx_file(tmp_path, capsys, content):
    f = tmp_path / "ikke-excel.xlsx"
    f.write_bytes(content)
    assert main(["run", str(f), "-o", str(tmp_path / "x.xlsx"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_validate_ok_template(template, capsys):
    assert main(["validate", str(template)]) == 0
    assert capsys.readouterr().out.strip() == f"{template}: OK (alle kontroller bestått)"  # a nb workbook


def test_validate_ok_in_the_workbooks_language(tmp_path, capsys):
    path = tmp_path / "en.xlsx"
    assert main(["template", str(path), "--language", "en"]) == 0
    capsys.readouterr()
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.strip() == f"{path}: OK (all checks pass)"


def test_empty_template_validates_with_problems_not_crashes(tmp_path, capsys):
    path = tmp_path / "tom.xlsx"
    assert main(["template", str(path), "--empty", "-q"]) == 0
    assert main(["validate", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().out
