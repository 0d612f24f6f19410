"""The fast file reader (calamine) against openpyxl: every value of every sheet equal, the same
type included, over hostile cells, the demo and templates in both languages; both readers read
the same inputs and report the same problems; both refuse the same non-workbooks alike."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.table import Table

from regbef_excel.app.projection import run_demo, write_template
from regbef_excel.errors import InputError, InputErrors
from regbef_excel.io.backend import cell_value
from regbef_excel.io.fast_files import (
    FILE_READERS,
    FastFileBackend,
    default_reader,
    has_error_cells,
    open_file,
)
from regbef_excel.io.openpyxl_files import OpenpyxlBackend
from regbef_excel.io.read.projection import read_workbook, validate_workbook
from regbef_excel.io.xlsx_package import sheet_parts

#: Cells a planner, Excel, LibreOffice or a script may leave: text that looks like numbers,
#: dates, booleans, percent, extremes, whitespace, escapes, long and non-ASCII text.
HOSTILE = [
    "text", "", " ", "1,5", "00123", "12 %", "−3", "'quoted", "TRUE", "#N/A as text?",
    0, -0.0, 1, 4001, 2**31, 2**53, 10**15, 10**20, 1e-300, 0.1, 1 / 3, 1.5e15, 123456789012345.6,
    -7.25, True, False, dt.datetime(2024, 1, 31), dt.date(2024, 2, 29), dt.datetime(2024, 1, 31, 13, 45, 10),
    dt.time(13, 45), dt.timedelta(hours=30), 0.125, "x" * 300, "tab\tnew\nline", "   padded  ",
    "ünï©ødé 🙂 Ørsta", None,
]  # fmt: skip
#: Text that looks like Excel's escape of a character (``_x0041_`` is "A"). The one known
#: difference: openpyxl decodes these wrongly (shared strings: drops every ``x005F_``; inline
#: strings: not at all), the fast reader as Excel does.
ESCAPE_LIKE = "_x005F_ and _x0041_"
FORMATS = {"percent": "0%", "percent2": "0.00%", "thousands": "#,##0", "date": "dd.mm.yyyy",
           "time": "hh:mm", "duration": "[h]:mm:ss", "datetime": "yyyy-mm-dd hh:mm"}  # fmt: skip


def _openpyxl_hostile(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Verdier æøå"
    ws.append(["key", "value", "format"])
    for i, v in enumerate(HOSTILE):
        ws.append([f"k{i}", v, None])
    ws.append(["escape", ESCAPE_LIKE, None])  # openpyxl writes it unescaped: Excel shows "_ and A"
    for i, (name, fmt) in enumerate(FORMATS.items()):  # numbers shown as percent, dates, times
        row = len(HOSTILE) + 3 + i
        ws.cell(row, 1, name)
        ws.cell(row, 2, 45000.5 if "date" in name else 0.375).number_format = fmt
        ws.cell(row, 3, 1).number_format = fmt
    ws.add_table(Table(displayName="tblHostile", ref=f"A1:C{ws.max_row}"))
    off = wb.create_sheet("Offset")  # data starting at C5, gaps between rows
    off["C5"], off["D5"], off["E9"], off["F12"] = "a", 1.5, "=1+1", 7
    errors = wb.create_sheet("Errors")
    errors["A1"], errors["B1"], errors["A2"], errors["B2"] = "k", "v", "x", 2.5
    errors["B3"] = "#N/A"  # openpyxl stores error codes as error cells
    errors["B4"] = "#DIV/0!"
    wb.create_sheet("Empty")
    wb.save(path)
    return path


def _xlsxwriter_hostile(path: Path, **options) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, **options})  # fmt: skip
    ws = wb.add_worksheet("Values")
    fmts = {k: wb.add_format({"num_format": f}) for k, f in FORMATS.items()}
    ws.write_row(0, 0, ["key", "value"])
    for r, v in enumerate(HOSTILE, start=1):
        ws.write_string(r, 0, f"k{r}")
        if v is None:
            ws.write_blank(r, 1, None, fmts["percent"])
        elif isinstance(v, str):
            ws.write_string(r, 1, v)
        elif isinstance(v, bool):
            ws.write_boolean(r, 1, v)
        elif isinstance(v, dt.datetime | dt.date | dt.time | dt.timedelta):
            ws.write_datetime(r, 1, v, fmts["datetime" if isinstance(v, dt.datetime) else "date"])
        else:
            ws.write_number(r, 1, v, fmts["percent"] if r % 3 == 0 else None)
    r = len(HOSTILE) + 1
    bold = wb.add_format({"bold": True})
    ws.write_rich_string(r, 1, "rich ", bold, "text")
    ws.write_string(r, 2, ESCAPE_LIKE)  # XlsxWriter escapes it: Excel shows it as written
    ws.write_formula(r + 1, 1, "=2*2", None, 4)
    ws.write_formula(r + 2, 1, '="a"&"b"', None, "ab")
    ws.write_formula(r + 3, 1, "=TRUE()", None, True)
    ws.write_formula(r + 4, 1, "=1/3", None, 1 / 3)
    if not options.get("constant_memory"):  # XlsxWriter writes no tables in that mode
        ws.add_table(0, 0, r + 4, 1, {"name": "tblValues", "columns": [{"header": "key"}, {"header": "value"}]})
    errs = wb.add_worksheet("Errors")
    errs.write_formula(0, 0, "=1/0", None, "#DIV/0!")
    errs.write_formula(1, 0, "=NA()", None, "#N/A")
    errs.write_number(2, 0, 3)
    wb.add_worksheet("Empty")
    wb.close()
    return path


def trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without the trailing empty ones (a reader may or may not list them)."""
    rows = list(rows)
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def assert_same_cells(path: Path) -> FastFileBackend:
    """Every cell of every sheet, as the fast and the openpyxl reader return it: same value, same type."""
    fast, slow = FastFileBackend(path), OpenpyxlBackend(path)
    with fast, slow:
        assert fast.sheet_names() == slow.sheet_names()
        assert fast.tables() == slow.tables()
        assert fast.custom_properties() == slow.custom_properties()
        for sheet in fast.sheet_names():
            a = trimmed(fast.read_values(sheet, 1, 1, 40))
            b = trimmed(slow.read_values(sheet, 1, 1, 40))
            assert len(a) == len(b), sheet
            for i, (ra, rb) in enumerate(zip(a, b, strict=True), start=1):
                assert len(ra) == len(rb) == 40
                for j, (x, y) in enumerate(zip(ra, rb, strict=True), start=1):
                    if isinstance(y, str) and "_x" in y:
                        continue  # openpyxl's escape decoding (test_escaped_text_read_as_excel_shows_it)
                    assert x == y and type(x) is type(y), f"{sheet} row {i} col {j}: fast {x!r}, openpyxl {y!r}"
            # a rectangle inside the sheet, with an explicit last row
            assert trimmed(fast.read_values(sheet, 2, 2, 3, 6)) == trimmed(slow.read_values(sheet, 2, 2, 3, 6))
    return fast


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("hostile")
    return [
        _openpyxl_hostile(d / "openpyxl.xlsx"),
        _xlsxwriter_hostile(d / "xlsxwriter.xlsx"),
        _xlsxwriter_hostile(d / "xlsxwriter_constant_memory.xlsx", constant_memory=True),
    ]


def test_hostile_cells_read_alike(hostile_files):
    for path in hostile_files:
        fast = assert_same_cells(path)
        # the hostile values went through calamine; only the sheets with error cells through openpyxl
        assert fast.sheets_read_with_openpyxl == {"Errors"}, path.name


def test_escaped_text_read_as_excel_shows_it(hostile_files):
    with open_file(hostile_files[0], "fast") as be:
        assert [r[1] for r in be.read_values("Verdier æøå", 1, 1, 2) if r[0] == "escape"] == ["_ and A"]
    for path in hostile_files[1:]:
        with open_file(path, "fast") as be:
            assert ESCAPE_LIKE in {r[2] for r in be.read_values("Values", 1, 1, 3)}, path.name


def test_error_cells_keep_their_text(hostile_files):
    with open_file(hostile_files[1], "fast") as be:
        assert [r[0] for r in be.read_values("Errors", 1, 1, 1)] == ["#DIV/0!", "#N/A", 3]
    with zipfile.ZipFile(hostile_files[1]) as zf:
        parts = sheet_parts(zf)
        assert has_error_cells(zf.read(parts["Errors"]))
        assert not has_error_cells(zf.read(parts["Values"]))


def test_cell_value_form():
    assert [cell_value(v) for v in (4001.0, -0.0, 1e16, 0.5, "", " ", dt.date(2024, 2, 29), True, None)] == [
        4001, 0, 1e16, 0.5, None, " ", dt.datetime(2024, 2, 29), True, None]
    assert type(cell_value(4001.0)) is int and type(cell_value(1e16)) is float and type(cell_value(True)) is bool


@pytest.fixture(scope="module")
def project_files(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("workbooks")
    run_demo(d / "demo.xlsx")  # inputs and every result sheet
    return [d / "demo.xlsx", write_template(d / "mal.xlsx"), write_template(d / "template.xlsx", language="en"),
            write_template(d / "tom.xlsx", empty=True)]  # fmt: skip


def test_project_workbooks_read_alike(project_files):
    for path in project_files:
        fast = assert_same_cells(path)
        assert not fast.sheets_read_with_openpyxl, path.name


@pytest.mark.parametrize("reader", FILE_READERS)
def test_both_readers_read_the_same_inputs(project_files, reader):
    inputs, meta = read_workbook(project_files[1], reader=reader)
    ref, ref_meta = read_workbook(project_files[1], reader="openpyxl")
    assert inputs.zone_codes == ref.zone_codes and meta == ref_meta
    for name in ("population", "death_prob", "fertility_rates", "immigration_total"):
        np.testing.assert_array_equal(getattr(inputs, name), getattr(ref, name))
    assert validate_workbook(project_files[3], reader=reader) != []


@pytest.mark.parametrize("reader", FILE_READERS)
def test_bad_cells_are_reported_alike(tmp_path, project_files, reader):
    path = tmp_path / "bad.xlsx"
    wb = openpyxl.load_workbook(project_files[1])
    ws = wb["Befolkning"]
    ws["C5"], ws["D6"], ws["C7"] = "mange", dt.datetime(2024, 1, 1), "=NA()"
    ws["D8"] = "#N/A"
    wb.save(path)
    found = [e.one_line() for e in validate_workbook(path, reader=reader)]
    assert found == [e.one_line() for e in validate_workbook(path, reader="openpyxl")]
    assert any("Befolkning!C5" in line and "teksten er ikke et tall" in line for line in found)  # nb workbook
    assert any("Befolkning!D8" in line and "#N/A" in line for line in found)


def _not_workbooks(d: Path) -> list[Path]:
    (d / "folder.xlsx").mkdir()
    (d / "text.xlsx").write_text("a;b\n1;2\n")
    (d / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with zipfile.ZipFile(d / "zip.xlsx", "w") as zf:
        zf.writestr("hello.txt", "hi")
    with zipfile.ZipFile(d / "broken.xlsx", "w") as zf:
        zf.writestr("xl/workbook.xml", "<not xml")
    return [d / "missing.xlsx", d / "folder.xlsx", d / "text.xlsx", d / "old.xls", d / "zip.xlsx", d / "broken.xlsx"]


@pytest.mark.parametrize("reader", FILE_READERS)
def test_not_workbooks_refused_alike(tmp_path, reader):
    for path in _not_workbooks(tmp_path):
        with pytest.raises(InputError) as fast:
            open_file(path, reader)
        with pytest.raises(InputError) as slow:
            OpenpyxlBackend(path)
        assert fast.value.one_line() == slow.value.one_line(), path.name
        with pytest.raises(InputErrors):
            read_workbook(path, reader=reader)


def test_reader_choice(monkeypatch, project_files):
    monkeypatch.delenv("REGBEF_READER", raising=False)
    assert default_reader() == "fast"
    with open_file(project_files[1]) as be:
        assert isinstance(be, FastFileBackend)
    monkeypatch.setenv("REGBEF_READER", "openpyxl")
    assert default_reader() == "openpyxl"
    with open_file(project_files[1]) as be:
        assert isinstance(be, OpenpyxlBackend)
    with open_file(project_files[1], "fast") as be:
        assert isinstance(be, FastFileBackend)
    monkeypatch.setenv("REGBEF_READER", "nonsense")
    assert default_reader() == "fast"
