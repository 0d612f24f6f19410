"""Result sheets spliced into a copy of the planner's workbook: the planner's parts come back
byte for byte (with their own chart, comment, table and print area), the result sheets carry
their formats and strings, and a second run replaces them without leaving anything behind."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook
from support.synthetic import synthetic_inputs

from regbef_excel.engine import project
from regbef_excel.io.write import results as writer
from regbef_excel.io.write.splice import SpliceError, splice_sheets
from regbef_excel.schema import outputs as S

RESULT_NAMES = [s.name.get("nb") for s in S.OUTPUT_SHEETS]


@pytest.fixture(scope="module")
def projection():
    return project(synthetic_inputs(3, 4, seed=5))


def _planner_workbook(path: Path) -> Path:
    """A workbook as a planner might have it: two sheets, their own chart, a comment, a table,
    a print area, bold and percent formats, and text that looks like a formula."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    bold = wb.add_format({"bold": True})
    pct = wb.add_format({"num_format": "0.0 %"})
    notes = wb.add_worksheet("Notater")
    notes.write_string(0, 0, "Mitt notat", bold)
    notes.write_string(1, 0, "=SUM(A1:A9)")
    notes.write_number(2, 0, 0.125, pct)
    notes.write_comment(0, 0, "planlegger sin kommentar")
    for i in range(5):
        notes.write_number(4 + i, 1, 10 * i)
    notes.add_table(3, 0, 8, 1, {"name": "tblMine", "columns": [{"header": "a"}, {"header": "b"}]})
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "='Notater'!$B$5:$B$9", "name": "Min serie"})
    notes.insert_chart("D2", chart)
    notes.print_area("A1:B9")
    other = wb.add_worksheet("Annet")
    other.write_string(0, 0, "andre ark")
    other.print_area("A1:A1")
    other.activate()
    wb.close()
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_planner_parts_come_back_byte_for_byte(projection, tmp_path):
    base = _planner_workbook(tmp_path / "mine.xlsx")
    before = base.read_bytes()
    out = writer.write_results(projection, tmp_path / "out.xlsx", base_workbook=base)
    assert base.read_bytes() == before  # the input file is only read
    a, b = _parts(base), _parts(out)
    changed = {n for n in a if a[n] != b.get(n)}
    # only the package's index parts, and the sheet that was active (it is no longer selected)
    assert changed <= {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                       "xl/sharedStrings.xml", "docProps/app.xml", "xl/worksheets/sheet2.xml"}
    assert a["xl/worksheets/sheet2.xml"].replace(b' tabSelected="1"', b"") == b["xl/worksheets/sheet2.xml"]
    assert a["xl/charts/chart1.xml"] == b["xl/charts/chart1.xml"]  # the planner's own chart
    wb = load_workbook(out)
    assert wb.sheetnames == ["Notater", "Annet", *RESULT_NAMES]
    notes = wb["Notater"]
    assert notes["A1"].font.b and notes["A1"].comment.text.startswith("planlegger")
    assert notes["A2"].value == "=SUM(A1:A9)" and notes["A2"].data_type == "s"  # still text
    assert notes["A3"].number_format == "0.0 %"
    assert notes.print_area == "'Notater'!$A$1:$B$9" and wb["Annet"].print_area == "'Annet'!$A$1"
    assert "tblMine" in notes.tables and len(notes._charts) == 1  # noqa: SLF001 - no public chart list
    # the result sheets carry their own formats and strings after the merge of styles.xml and
    # sharedStrings.xml
    detail = wb[S.POPULATION_DETAIL.name.get("nb")]
    assert detail["A1"].value == S.POPULATION_DETAIL.title.get("nb") and detail["A1"].font.b
    assert detail.cell(S.FIRST_DATA_ROW, 5).number_format == S.FMT_PERSONS
    assert detail.cell(S.FIRST_DATA_ROW, 5).value == pytest.approx(projection.population[0, 0, 0, 0], abs=1e-6)
    summary = wb[S.POPULATION_SUMMARY.name.get("nb")]
    assert summary.print_area.startswith(f"'{summary.title}'!$A$1:")
    # only the first result sheet is selected and active
    assert wb.active.title == RESULT_NAMES[0]
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [RESULT_NAMES[0]]


def test_second_run_replaces_without_leftovers(projection, tmp_path):
    base = _planner_workbook(tmp_path / "mine.xlsx")
    first = writer.write_results(projection, tmp_path / "first.xlsx", base_workbook=base)
    second = writer.write_results(projection, tmp_path / "second.xlsx", base_workbook=first)
    p1, p2 = _parts(first), _parts(second)
    assert sorted(p1) == sorted(p2)  # same parts: nothing orphaned, nothing duplicated
    wb = load_workbook(second)
    assert wb.sheetnames == ["Notater", "Annet", *RESULT_NAMES]
    ids = [int(m) for n, d in p2.items() if n.startswith("xl/tables/")
           for m in re.findall(rb'<table\b[^>]*?\sid="(\d+)"', d)]  # fmt: skip
    assert len(ids) == len(set(ids))
    locals_ = re.findall(rb'localSheetId="(\d+)"', p2["xl/workbook.xml"])
    assert all(int(i) < len(wb.sheetnames) for i in locals_)
    styles = p2["xl/styles.xml"]
    n_xf = int(re.search(rb'<cellXfs count="(\d+)"', styles).group(1))
    used = [int(s) for n, d in p2.items() if n.startswith("xl/worksheets/sheet") for s in re.findall(rb'\ss="(\d+)"', d)]
    assert max(used) < n_xf  # every cell format a sheet uses exists


def test_a_table_name_taken_by_the_planner_is_refused(projection, tmp_path):
    path = tmp_path / "clash.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Egen")
    ws.write_row(0, 0, ["a"])
    ws.write_row(1, 0, [1])
    ws.add_table(0, 0, 1, 0, {"name": "tblX", "columns": [{"header": "a"}]})
    wb.close()
    add = io.BytesIO()
    wb2 = xlsxwriter.Workbook(add, {"in_memory": True})
    ws2 = wb2.add_worksheet("Ny")
    ws2.write_row(0, 0, ["a"])
    ws2.write_row(1, 0, [1])
    ws2.add_table(0, 0, 1, 0, {"name": "tblX", "columns": [{"header": "a"}]})
    wb2.close()
    with pytest.raises(SpliceError, match="tblX"):
        splice_sheets(path, add.getvalue(), tmp_path / "out.xlsx")


def test_macro_workbook_keeps_its_vba_in_xlsm_and_drops_it_in_xlsx(projection, tmp_path):
    """A results .xlsx of an .xlsm input must not hold a VBA project (Excel refuses such a file);
    a results .xlsm keeps it byte for byte."""
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(b"not a real VBA project, only its bytes")
    base = tmp_path / "arbeidsbok.xlsm"
    wb = xlsxwriter.Workbook(str(base))
    wb.add_worksheet("Inndata").write_string(0, 0, "x")
    wb.add_vba_project(str(vba))
    wb.set_vba_name("ThisWorkbook")
    wb.close()
    as_xlsx = _parts(writer.write_results(projection, tmp_path / "r.xlsx", base_workbook=base))
    assert "xl/vbaProject.bin" not in as_xlsx
    assert b"macroEnabled" not in as_xlsx["[Content_Types].xml"]
    assert b"vbaProject" not in as_xlsx["xl/_rels/workbook.xml.rels"]
    as_xlsm = _parts(writer.write_results(projection, tmp_path / "r.xlsm", base_workbook=base))
    assert as_xlsm["xl/vbaProject.bin"] == vba.read_bytes()
    assert b"macroEnabled.main+xml" in as_xlsm["[Content_Types].xml"]
    assert load_workbook(tmp_path / "r.xlsx").sheetnames == ["Inndata", *RESULT_NAMES]
