"""The hostile-input catalogue: well over a hundred bad or hostile inputs across the projection
workbook, the regression workbook, the files themselves and the command line.

Every case goes through the command line's ``main()`` in-process and must end the same way:
exit code 2, ONE line on stderr that names the place (``Sheet!Cell``, the file and its part,
or the command-line option), no traceback and no "unexpected error", every input file
byte-identical, and no output file — not even a hidden temporary one — left behind. Projection
cases also run ``validate``, whose first problem must be the headline ``run`` printed (one
front door). Formula-like labels (``=HYPERLINK(…)``, DDE, ``+``/``-``/``@``, tab and CR
prefixes) are not bad input: they must run (exit 0) and leave the input untouched.

Workbooks are built once in-process and edited cell by cell (each edit undone after saving),
so the whole catalogue runs in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries
from support.synthetic import synthetic_inputs

from regbef_excel.cli import main
from regbef_excel.data.panels import PanelData, VariableInfo
from regbef_excel.io.read.regression import ModelSpec
from regbef_excel.io.write.regression import write_regression_workbook
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema.inputs import TABLES

HUGE = "x" * 200_000  # a 200 kB text cell (the message must not repeat it)


# ------------------------------------------------------------------------------ the lab
class Lab:
    """The good workbooks (bytes and one open copy each) and a scratch folder per case."""

    def __init__(self, root: Path) -> None:
        self.root = root
        good = root / "good.xlsx"
        save_workbook(build_workbook(synthetic_inputs(2, 3)), good)
        self.good = good.read_bytes()
        self.wb = openpyxl.load_workbook(BytesIO(self.good))
        rng = np.random.default_rng(1)
        regions, years = [f"R{i}" for i in range(6)], list(range(2010, 2014))
        d = pd.DataFrame([(r, i + 1, y) for i, r in enumerate(regions) for y in years],
                         columns=["region", "region_code", "year"])  # fmt: skip
        for k in "yabc":
            d[k] = rng.normal(size=len(d))
        panel = PanelData(d, tuple(VariableInfo(k, k, k) for k in "yabc"), "real", "Test", "Test")
        models = [ModelSpec("M1", "T", "y", ("a", "b"), "pooled"), ModelSpec("M2", "T", "y", ("a", "b", "a:b"), "fe")]
        reg = root / "reg.xlsx"
        write_regression_workbook(panel, reg, models)
        self.reg = reg.read_bytes()
        self.regwb = openpyxl.load_workbook(BytesIO(self.reg))
        self.n = 0

    def folder(self) -> Path:
        self.n += 1
        f = self.root / f"case{self.n}"
        f.mkdir()
        return f

    def write(self, data: bytes, name: str = "in.xlsx") -> Path:
        p = self.folder() / name
        p.write_bytes(data)
        return p

    def edited(self, edit: Callable, *, regression: bool = False, name: str = "in.xlsx") -> Path:
        """Save a copy with ``edit`` applied; cell edits are undone on the shared open copy."""
        wb = self.regwb if regression else self.wb
        undo = edit(wb)
        p = self.folder() / name
        try:
            wb.save(p)
        finally:
            if undo is not None:
                undo()
        return p

    def fresh(self, edit: Callable, *, regression: bool = False) -> Path:
        """For structural edits that cannot be undone: a freshly loaded copy."""
        wb = openpyxl.load_workbook(BytesIO(self.reg if regression else self.good))
        edit(wb)
        p = self.folder() / "in.xlsx"
        wb.save(p)
        return p


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    return Lab(tmp_path_factory.mktemp("hostile"))


def where(wb, table: str, column: str, row: int = 0) -> tuple[str, str]:
    """(sheet, cell) of a long table's ``row``-th data cell in ``column``, or of a key/value
    table's setting ``column``."""
    for ws in wb.worksheets:
        if table in ws.tables:
            c0, r0, c1, r1 = range_boundaries(ws.tables[table].ref)
            break
    else:
        raise KeyError(table)
    t = TABLES.get(table)
    if t is not None and t.kind == "keyvalue":
        for r in range(r0 + 1, r1 + 1):
            if ws.cell(r, c0).value == column:
                return ws.title, f"{get_column_letter(c0 + 2)}{r}"
        raise KeyError(column)
    headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    names = {t.column(column).header(lang) for lang in ("nb", "en")} if t is not None else {column}
    j = next(j for j, h in enumerate(headers) if h in names)
    return ws.title, f"{get_column_letter(c0 + j)}{r0 + 1 + row}"


def set_cell(sheet: str, cell: str, value: object, *, text: bool = False) -> Callable:
    def edit(wb):
        c = wb[sheet][cell]
        old, old_type, old_format = c.value, c.data_type, c.number_format
        c.value = value
        if text:
            c.data_type = "s"  # a literal text starting with '=', never a formula

        def undo():  # a date also sets a date format: restore everything
            c.value = old
            c.data_type = old_type
            c.number_format = old_format

        return undo

    return edit


# ------------------------------------------------------------------------------ the verdict
def sha(p: Path) -> str | None:
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None


def refused(capsys, argv: list[str], place: str, *, inputs: list[Path] = (), text: str = "") -> str:
    """Run ``main(argv)``; assert exit 2, one stderr line naming ``place`` (and ``text``), inputs
    byte-identical and no output (nor any new file) in the output's folder."""
    out = Path(argv[argv.index("-o") + 1]) if "-o" in argv else None
    folder = out.parent if out is not None and out.parent.is_dir() else None
    before_files = set(os.listdir(folder)) if folder is not None else None
    digests = [sha(p) for p in inputs]
    capsys.readouterr()
    rc = main(argv)
    cap = capsys.readouterr()
    lines = [ln for ln in cap.err.splitlines() if ln.strip()]
    assert rc == 2, (rc, cap.err)
    assert len(lines) == 1, cap.err
    line = lines[0]
    assert line.startswith("regbef-excel"), line
    assert place in line, (place, line)
    assert text in line, (text, line)
    assert "Traceback" not in cap.err and "unexpected error" not in line, line
    assert len(line) < 1200, len(line)
    assert [sha(p) for p in inputs] == digests
    if out is not None:
        assert not out.exists() or out.is_dir() or out in inputs or sha(out) in digests
    if folder is not None:
        assert set(os.listdir(folder)) == before_files, "a file was left in the output folder"
    return line


def projection_refused(capsys, lab: Lab, path: Path, place: str, text: str = "") -> None:
    """``run`` and ``validate`` refuse alike: the same headline naming the same place."""
    out = path.with_name("out.xlsx")
    line = refused(capsys, ["run", str(path), "-o", str(out), "-q"], place, inputs=[path], text=text)
    digest = sha(path)
    assert main(["validate", str(path)]) == 2
    cap = capsys.readouterr()
    first = cap.out.splitlines()[0]
    assert place in first and line.removeprefix("regbef-excel: ").startswith(first), (line, first)
    assert sha(path) == digest


# ------------------------------------------------------------------------------ projection cells
#: (table, column or setting, data row, value, fragment of the message: a Norwegian workbook's
#: messages are in Norwegian)
CELLS = [
    ("tblPopulation", "males", 9, "abc", "ikke et tall"),
    ("tblPopulation", "males", 9, -3, "utenfor gyldig område"),
    ("tblPopulation", "males", 9, 1e308, "urimelig verdi"),
    ("tblPopulation", "females", 9, 2e6, "urimelig verdi"),
    ("tblPopulation", "females", 9, True, "ikke et tall"),
    ("tblPopulation", "females", 9, "#REF!", "#REF!"),
    ("tblPopulation", "females", 10, "#N/A", "#N/A"),
    ("tblPopulation", "males", 9, dt.datetime(2020, 1, 1), "dato"),
    ("tblPopulation", "males", 9, "1,2,3", "ikke et tall"),
    ("tblPopulation", "males", 9, "1e999", "ikke et tall"),
    ("tblPopulation", "males", 9, "-1e308", "utenfor gyldig område"),
    ("tblPopulation", "males", 9, None, "tom celle"),
    ("tblPopulation", "males", 9, HUGE, "ikke et tall"),
    ("tblPopulation", "age", 9, 100, "utenfor gyldig område"),
    ("tblPopulation", "age", 9, 5.5, "heltall"),
    ("tblPopulation", "age", 9, 0, "to ganger"),  # named at the row's zone cell (A)
    ("tblPopulation", "age", 9, "ni", "ikke et tall"),
    ("tblPopulation", "zone_code", 9, "ZZZ", "ukjent sonekode"),
    ("tblPopulation", "zone_code", 9, HUGE, "…"),
    ("tblZones", "zone_code", 1, "Z001", "to ganger"),
    ("tblZones", "zone_name", 0, "x" * 300, "lengre enn 255"),
    ("tblZones", "zone_name", 0, HUGE, "…"),
    ("tblSettings", "base_year", 0, "abc", "ikke et tall"),
    ("tblSettings", "base_year", 0, 1700, "utenfor gyldig område"),
    ("tblSettings", "base_year", 0, 2025.5, "heltall"),
    ("tblSettings", "base_year", 0, None, "tom celle"),
    ("tblSettings", "horizon", 0, 2400, "utenfor gyldig område"),
    ("tblSettings", "horizon", 0, 2020, "sluttåret"),
    ("tblSettings", "variant", 0, 9, "listen"),
    ("tblSettings", "share_boys", 0, 1.5, "utenfor gyldig område"),
    ("tblSettings", "share_boys", 0, "#DIV/0!", "#DIV/0!"),
    ("tblSettings", "drop_oldest", 0, "kanskje", "listen"),
    ("tblSettings", "fertility_source", 0, "zzz", "listen"),
    ("tblSettings", "region_name", 0, "x" * 300, "lengre enn 255"),
    ("tblFertilityRates", "rate", 3, 1.5, "utenfor gyldig område"),
    ("tblFertilityRates", "rate", 3, -0.1, "utenfor gyldig område"),
    ("tblFertilityRates", "age", 3, 60, "utenfor gyldig område"),
    ("tblHadwiger", "HDWA", 0, 11, "utenfor gyldig område"),
    ("tblHadwiger", "HDWB", 0, -1, "utenfor gyldig område"),
    ("tblHadwiger", "HDWC", 0, 10, "utenfor gyldig område"),
    ("tblHadwiger", "HDWA", 0, "abc", "ikke et tall"),
    ("tblDeathProb", "male", 9, 1.5, "utenfor gyldig område"),
    ("tblDeathProb", "female", 9, -0.1, "utenfor gyldig område"),
    ("tblDeathProb", "age", 1, 0, "to ganger"),
    ("tblRogersCastro", "a1", 0, 1e308, "urimelig verdi"),
    ("tblRogersCastro", "mu2", 0, 500, "urimelig verdi"),
    ("tblRogersCastro", "alpha1", 0, -1, "utenfor gyldig område"),
    ("tblRogersCastro", "lambda2", 0, 11, "urimelig verdi"),
    ("tblRogersCastro", "flow", 0, "XYZ", "listen"),
    ("tblRogersCastro", "sex", 0, "Q", "listen"),
    ("tblRogersCastro", "zone_code", 0, "ZZZ", "ukjent sonekode"),
    ("tblRogersCastro", "c", 0, "#N/A", "#N/A"),
    ("tblZoneFactors", "FK", 0, 1e308, "urimelig verdi"),
    ("tblZoneFactors", "DK", 0, 101, "urimelig verdi"),
    ("tblZoneFactors", "EUF_K", 0, -1, "utenfor gyldig område"),
    ("tblZoneFactors", "IUF_K", 0, "abc", "ikke et tall"),
    ("tblZoneFactors", "EIFU_share", 0, 2, "utenfor gyldig område"),
    ("tblZoneFactors", "EIFN_total", 0, 3e7, "urimelig verdi"),
    ("tblZoneFactors", "INF_trend", 0, -3e7, "urimelig verdi"),
    ("tblZoneFactors", "zone_code", 0, "ZZZ", "ukjent sonekode"),
    ("tblYearFactors", "FR", 0, 1e308, "urimelig verdi"),
    ("tblYearFactors", "DR", 1, 1e6, "urimelig verdi"),
    ("tblYearFactors", "EUF_R", 0, "abc", "ikke et tall"),
    ("tblYearFactors", "IUF_R", 0, -1, "utenfor gyldig område"),
    ("tblYearFactors", "EIFN_R", 2, 1e200, "urimelig verdi"),
    ("tblYearFactors", "EIFU_total", 0, 1e308, "urimelig verdi"),
    ("tblYearFactors", "EIFU_total", 1, 5e7, "urimelig verdi"),
    ("tblYearFactors", "year", 0, 1999, "mangler"),
    ("tblYearFactors", "year", 1, 2026, "to ganger"),
]


@pytest.mark.parametrize("table,column,row,value,text", CELLS,
                         ids=[f"{t}.{c}[{r}]={str(v)[:12]}" for t, c, r, v, _ in CELLS])  # fmt: skip
def test_projection_cell(capsys, lab, table, column, row, value, text):
    sheet, cell = where(lab.wb, table, column, row)
    path = lab.edited(set_cell(sheet, cell, value))
    place = PLACE.get((table, column, value), f"{sheet}!{cell}")
    projection_refused(capsys, lab, path, place, text)


#: Cases whose headline names another cell: a duplicate key at the row's first key cell, a year
#: before the period after "year factors missing" at the year column's header.
PLACE = {("tblPopulation", "age", 0): "Befolkning!A14", ("tblYearFactors", "year", 1999): "Nivåfaktorer!L4"}


def test_huge_text_is_cut_in_the_message(capsys, lab):
    sheet, cell = where(lab.wb, "tblPopulation", "males", 3)
    path = lab.edited(set_cell(sheet, cell, HUGE))
    line = refused(capsys, ["run", str(path), "-o", str(path.with_name("o.xlsx"))], f"{sheet}!{cell}", inputs=[path])
    assert "x" * 61 not in line and "…" in line


def test_english_workbook_gets_english_messages(capsys, tmp_path):
    path = tmp_path / "en.xlsx"
    save_workbook(build_workbook(synthetic_inputs(2, 3), language="en"), path)
    wb = openpyxl.load_workbook(path)
    sheet, cell = where(wb, "tblYearFactors", "FR", 0)
    wb[sheet][cell] = 1e308
    wb.save(path)
    refused(capsys, ["run", str(path), "-o", str(tmp_path / "o.xlsx")], f"{sheet}!{cell}", inputs=[path],
            text="implausible value")  # fmt: skip


# ------------------------------------------------------------------------------ projection structure
def _rename_header(wb):
    wb["Befolkning"]["C4"] = "Gutter"


def _drop_header(wb):
    wb["Dødelighet"]["C4"] = None


def _drop_sheet(wb):
    del wb["Befolkning"]


def _drop_table(wb):
    del wb["Soner"].tables["tblZones"]


def _setting_twice(wb):
    wb["Innstillinger"]["A6"] = "base_year"


def _clear_population(wb):
    for row in wb["Befolkning"].iter_rows(min_row=5, max_row=104):
        for c in row[:4]:
            c.value = None


def _shares(wb):
    wb["Nivåfaktorer"]["F5"] = 0.99


def _second_zone_gone(wb):
    for c in "ABC":
        wb["Soner"][f"{c}6"] = None


STRUCTURE = [
    (_rename_header, "Befolkning!C4"),
    (_drop_header, "Dødelighet"),
    (_drop_sheet, "Befolkning"),
    (_drop_table, "Soner"),
    (_setting_twice, "Innstillinger!A6"),
    (_clear_population, "Befolkning"),
    (_shares, "Nivåfaktorer"),
    (_second_zone_gone, "ukjent sonekode"),
]


@pytest.mark.parametrize("edit,place", STRUCTURE, ids=[e.__name__ for e, _ in STRUCTURE])
def test_projection_structure(capsys, lab, edit, place):
    projection_refused(capsys, lab, lab.fresh(edit), place)


# ------------------------------------------------------------------------------ formula-like labels
LABELS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("label", LABELS, ids=["hyperlink", "dde", "plus", "minus", "at", "tab", "cr"])
def test_formula_like_labels_run_as_text(capsys, lab, label):
    """Not bad input: a label is text whatever it starts with; it runs and the input stays as
    it was (that the results hold it as text, never a formula, is the writers' test)."""
    zs, zc = where(lab.wb, "tblZones", "zone_name", 0)
    cs, cc = where(lab.wb, "tblZones", "comment", 1)
    rs, rc_ = where(lab.wb, "tblSettings", "region_name", 0)
    edits = [set_cell(zs, zc, label, text=True), set_cell(cs, cc, label, text=True), set_cell(rs, rc_, label, text=True)]

    def edit(wb):
        undos = [e(wb) for e in edits]
        return lambda: [u() for u in reversed(undos)]

    path = lab.edited(edit)
    digest = sha(path)
    out = path.with_name("out.xlsx")
    assert main(["run", str(path), "-o", str(out), "-q"]) == 0, capsys.readouterr().err
    assert out.is_file() and sha(path) == digest
    assert "unexpected" not in capsys.readouterr().err


# ------------------------------------------------------------------------------ files
def _member(data: bytes, name: str, new: bytes | None) -> bytes:
    """The package with member ``name`` replaced by ``new`` (``None``: removed)."""
    src = zipfile.ZipFile(BytesIO(data))
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == name:
                if new is not None:
                    dst.writestr(name, new)
            else:
                dst.writestr(info, src.read(info))
    return buf.getvalue()


def _corrupt_member(data: bytes, name: str) -> bytes:
    """Flip bytes inside a member's compressed data (its checksum no longer matches)."""
    info = zipfile.ZipFile(BytesIO(data)).getinfo(name)
    raw = bytearray(data)
    n = int.from_bytes(raw[info.header_offset + 26: info.header_offset + 28], "little")
    m = int.from_bytes(raw[info.header_offset + 28: info.header_offset + 30], "little")
    start = info.header_offset + 30 + n + m
    for k in range(start + info.compress_size // 3, start + info.compress_size // 3 + 16):
        raw[k] ^= 0x5A
    return bytes(raw)


SHEET = "xl/worksheets/sheet4.xml"  # Befolkning
XXE = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
       b'<row r="5"><c r="C5" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>')  # fmt: skip
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9))
          + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
          b'<row r="5"><c r="C5" t="inlineStr"><is><t>&j;</t></is></c></row></sheetData></worksheet>')  # fmt: skip


def _sheet_xml(data: bytes, old: bytes, new: bytes) -> bytes:
    xml = zipfile.ZipFile(BytesIO(data)).read(SHEET)
    assert old in xml
    return _member(data, SHEET, xml.replace(old, new, 1))


def _first_shared_string_out_of_range(data: bytes) -> bytes:
    """The first text cell of the sheet points at shared string 99999, which does not exist."""
    xml = zipfile.ZipFile(BytesIO(data)).read(SHEET)
    damaged, n = re.subn(rb't="s"><v>\d+</v>', b't="s"><v>99999</v>', xml, count=1)
    assert n == 1
    return _member(data, SHEET, damaged)


FILES: list[tuple[str, Callable[[Lab], Path], str]] = [
    ("missing", lambda lab: lab.folder() / "nope.xlsx", "nope.xlsx"),
    ("folder", lambda lab: lab.folder(), "case"),
    ("folder named .xlsx", lambda lab: (lab.folder() / "dir.xlsx").mkdir() or lab.root / f"case{lab.n}" / "dir.xlsx",
     "dir.xlsx"),
    ("empty file", lambda lab: lab.write(b""), "in.xlsx"),
    ("csv renamed", lambda lab: lab.write(b"zone;age;males\n0301;0;5\n"), "in.xlsx"),
    ("random bytes", lambda lab: lab.write(bytes(range(256)) * 40), "in.xlsx"),
    ("PK header, garbage", lambda lab: lab.write(b"PK\x03\x04" + bytes(2000)), "in.xlsx"),
    ("zip, not a workbook", lambda lab: lab.write(_member(lab.good, "xl/workbook.xml", None)), "in.xlsx"),
    ("old .xls or encrypted", lambda lab: lab.write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)), "in.xlsx"),
    ("truncated", lambda lab: lab.write(lab.good[:4000]), "in.xlsx"),
    ("truncated at the end", lambda lab: lab.write(lab.good[:-100]), "in.xlsx"),
    (".xlsb", lambda lab: lab.write(_with_bin()), "in.xlsx"),
    ("damaged member (checksum)", lambda lab: lab.write(_corrupt_member(lab.good, SHEET)), SHEET),
    ("damaged styles", lambda lab: lab.write(_corrupt_member(lab.good, "xl/styles.xml")), "xl/styles.xml"),
    ("sheet XML cut short", lambda lab: lab.write(_member(lab.good, SHEET, b"<worksheet><sheetData><row>")), SHEET),
    ("sheet XML not XML", lambda lab: lab.write(_member(lab.good, SHEET, b"\x00\x01 not xml")), SHEET),
    ("external entity in a sheet", lambda lab: lab.write(_member(lab.good, SHEET, XXE)), SHEET),
    ("billion laughs in a sheet", lambda lab: lab.write(_member(lab.good, SHEET, LAUGHS)), SHEET),
    ("DTD in workbook.xml", lambda lab: lab.write(_member(
        lab.good, "xl/workbook.xml",
        b'<!DOCTYPE x [<!ENTITY e "e">]>' + zipfile.ZipFile(BytesIO(lab.good)).read("xl/workbook.xml"))),
     "xl/workbook.xml"),  # fmt: skip
    ("damaged content types", lambda lab: lab.write(_member(lab.good, "[Content_Types].xml", b"<Types")),
     "[Content_Types].xml"),
    ("damaged relationships", lambda lab: lab.write(_member(lab.good, "xl/_rels/workbook.xml.rels", b"<<>>")),
     "workbook.xml.rels"),
    ("number cell holding text", lambda lab: lab.write(_sheet_xml(lab.good, b'<c r="C5"', b'<c r="C5" t="n"><v>abc</v></c><c r="Q5"')),
     "in.xlsx"),
    ("shared string out of range", lambda lab: lab.write(_first_shared_string_out_of_range(lab.good)), "in.xlsx"),
    ("dangling symlink", lambda lab: _dangling(lab), "link.xlsx"),
]


def _with_bin() -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.bin", b"\x00" * 64)
        z.writestr("[Content_Types].xml", b"<Types/>")
    return buf.getvalue()


def _dangling(lab: Lab) -> Path:
    p = lab.folder() / "link.xlsx"
    p.symlink_to(p.with_name("gone.xlsx"))
    return p


@pytest.mark.parametrize("make,place", [(m, p) for _, m, p in FILES], ids=[n for n, _, _ in FILES])
def test_damaged_file(capsys, lab, make, place):
    path = make(lab)
    out = lab.folder() / "out.xlsx"
    refused(capsys, ["run", str(path), "-o", str(out), "-q"], place, inputs=[path] if path.is_file() else [])
    assert main(["validate", str(path)]) == 2
    assert place in capsys.readouterr().out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(capsys, lab):
    path = lab.write(lab.good)
    path.chmod(0)
    try:
        refused(capsys, ["run", str(path), "-o", str(path.with_name("o.xlsx"))], "in.xlsx")
    finally:
        path.chmod(0o644)


# ------------------------------------------------------------------------------ command line
def _good(lab: Lab, name: str = "in.xlsx") -> Path:
    return lab.write(lab.good, name)


def test_output_wrong_extension(capsys, lab):
    p = _good(lab)
    for ext in ("out.csv", "out.xls", "out"):
        refused(capsys, ["run", str(p), "-o", str(p.with_name(ext))], ext, inputs=[p])


def test_output_is_the_input(capsys, lab):
    p = _good(lab)
    refused(capsys, ["run", str(p), "-o", str(p)], "in.xlsx", inputs=[p], text="overskrives aldri")
    link = p.with_name("link.xlsx")
    link.symlink_to(p)
    refused(capsys, ["run", str(p), "-o", str(link)], "link.xlsx", inputs=[p])


def test_output_below_a_regular_file(capsys, lab):
    p = _good(lab)
    refused(capsys, ["run", str(p), "-o", str(p / "sub" / "out.xlsx")], "out.xlsx", inputs=[p], text="under en fil")


def test_output_is_a_folder(capsys, lab):
    p = _good(lab)
    (p.parent / "res.xlsx").mkdir()
    refused(capsys, ["run", str(p), "-o", str(p.parent / "res.xlsx")], "res.xlsx", inputs=[p], text="mappe")


def test_output_folder_not_writable(capsys, lab):
    p = _good(lab)
    line = refused(capsys, ["run", str(p), "-o", "/proc/regbef-out.xlsx"], "/proc/regbef-out.xlsx", inputs=[p])
    assert "/proc/." not in line  # the output, not a hidden temporary file


def test_regress_output_checked_before_reading(capsys, lab):
    p = lab.write(lab.reg)
    refused(capsys, ["regress", str(p), "-o", str(p.with_name("r.csv"))], "r.csv", inputs=[p])


@pytest.mark.parametrize("argv,place", [
    (["run"], "input"),
    (["nosuch"], "nosuch"),
    (["run", "x.xlsx", "--language", "xx"], "--language"),
    (["regress-targets", "a.xlsx", "b.xlsx", "-o", "c.xlsx", "--from-year", "x"], "--from-year"),
    (["templates", "--out", "x"], "--county"),
], ids=["missing argument", "unknown command", "bad language", "bad year", "missing choice"])  # fmt: skip
def test_argument_errors_are_one_line(capsys, argv, place):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1 and place in lines[0], lines


def test_compare_names_the_bad_file(capsys, lab):
    good = _good(lab, "trend.xlsx")
    sheet, cell = where(lab.wb, "tblYearFactors", "FR", 0)
    bad = lab.edited(set_cell(sheet, cell, 1e308), name="bolig.xlsx")
    out = str(lab.folder() / "cmp.xlsx")
    refused(capsys, ["compare", str(good), str(bad), "-o", out], f"bolig.xlsx: {sheet}!{cell}", inputs=[good, bad])
    refused(capsys, ["compare", str(bad), str(good), "-o", out], f"bolig.xlsx: {sheet}!{cell}", inputs=[good, bad])
    refused(capsys, ["compare", str(good), str(lab.folder() / "gone.xlsx"), "-o", out], "gone.xlsx", inputs=[good])
    refused(capsys, ["compare", str(good), str(bad), "-o", str(good)], "trend.xlsx", inputs=[good, bad])


def test_ssb_compare_output_checked_first(capsys, lab):
    p = _good(lab)
    refused(capsys, ["ssb-compare", str(p), "-o", str(p.with_name("x.csv"))], "x.csv", inputs=[p])


@pytest.mark.parametrize("extra,place,text", [
    (["--shock", "nosuch=+1"], "--shock", "a, b"),
    (["--shock", "abc"], "--shock", "VARIABLE=DELTA"),
    (["--shock", "a=abc"], "--shock", "number"),
    (["--year-effect", "sometimes"], "--year-effect", "last, mean, zero"),
    (["--model", "nosuch"], "Modeller", "M2"),
], ids=["unknown shock variable", "shock without =", "shock not a number", "year effect", "unknown model"])  # fmt: skip
def test_regress_targets_options(capsys, lab, extra, place, text):
    reg = lab.write(lab.reg, "reg.xlsx")
    proj = reg.with_name("proj.xlsx")
    proj.write_bytes(lab.good)
    refused(capsys, ["regress-targets", str(reg), str(proj), "-o", str(reg.with_name("t.xlsx")), *extra], place,
            inputs=[reg, proj], text=text)  # fmt: skip


def test_regress_targets_names_the_bad_file(capsys, lab):
    proj = lab.write(lab.good, "proj.xlsx")
    bad = lab.edited(set_cell("Modeller", "D5", "M1"), regression=True, name="reg.xlsx")
    refused(capsys, ["regress-targets", str(bad), str(proj), "-o", str(proj.with_name("t.xlsx"))],
            "reg.xlsx: Modeller!D5", inputs=[bad, proj])  # fmt: skip


def test_broken_pipe_ends_quietly(capsys, monkeypatch, lab):
    """``regbef-excel compare … | head``: the reader went away; no message, no traceback."""
    p = _good(lab)

    def closed(_args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("regbef_excel.cli.cmd_validate", closed)  # build_parser binds it at call time
    capsys.readouterr()
    assert main(["validate", str(p)]) == 1
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------ regression workbook
#: (sheet, cell, value, place, fragment) on the small regression workbook (tblPanel A5:G29 with
#: region, code, year, y, a, b, c; tblModels A5:D15 with settings rows 6–11 and ticks 12–15).
REG_CELLS = [
    ("Modeller", "D5", "M1", "Modeller!D5", "to ganger"),
    ("Paneldata", "E6", 1e308, "Paneldata!E6", "urimelig verdi"),
    ("Paneldata", "F7", -1e13, "Paneldata!F7", "urimelig verdi"),
    ("Paneldata", "A6", None, "Paneldata!A6", "regionen er tom"),
    ("Paneldata", "C6", "abc", "Paneldata!C6", "year"),
    ("Paneldata", "C6", 2.5, "Paneldata!C6", "year"),
    ("Paneldata", "C7", 2010, "Paneldata!C", "to ganger"),
    ("Paneldata", "E6", "abc", "Paneldata!E6", ""),
    ("Paneldata", "A9", "Rx", "Paneldata!A9", "bare ett år"),
    ("Paneldata", "F5", "a", "Paneldata!F5", "kolonneoverskriften står to ganger"),
    ("Modeller", "A12", "nosuch", "Modeller!A12", "ukjent variabel"),
    ("Modeller", "A12", HUGE, "Modeller!A12", "…"),
    ("Modeller", "C8", "xx", "Modeller!C8", "estimator"),
    ("Modeller", "C8", None, "Modeller!C8", "estimator"),
    ("Modeller", "C9", "xx", "Modeller!C9", "standard"),
    ("Modeller", "C10", "kanskje", "Modeller!C10", ""),
    ("Modeller", "C7", None, "Modeller!C7", "avhengige variabelen"),
    ("Modeller", "C7", "zz", "Modeller!C7", "ukjent variabel"),
    ("Modeller", "C13", "maybe", "Modeller!C13", "kryss"),
    ("Modeller", "D11", "a:", "Modeller!D11", "samspillsleddet"),
    ("Modeller", "D11", "a:zz", "Modeller!D11", "ukjent variabel"),
    ("Modeller", "C12", "x", "Modeller!C12", "avhengige variabelen"),
]


@pytest.mark.parametrize("sheet,cell,value,place,text", REG_CELLS,
                         ids=[f"{s}!{c}={str(v)[:10]}" for s, c, v, _, _ in REG_CELLS])  # fmt: skip
def test_regression_cell(capsys, lab, sheet, cell, value, place, text):
    path = lab.edited(set_cell(sheet, cell, value), regression=True)
    refused(capsys, ["regress", str(path), "-o", str(path.with_name("out.xlsx"))], place, inputs=[path], text=text)


def _no_ticks(wb):
    for r in range(12, 16):
        wb["Modeller"][f"C{r}"] = None


def _drop_panel(wb):
    del wb["Paneldata"].tables["tblPanel"]


def _drop_models(wb):
    del wb["Modeller"].tables["tblModels"]


def _drop_variables(wb):
    del wb["Variabler"].tables["tblVariables"]


REG_STRUCTURE = [(_no_ticks, "Modeller!C5"), (_drop_panel, "Paneldata"), (_drop_models, "Modeller"),
                 (_drop_variables, "Variabler")]  # fmt: skip


@pytest.mark.parametrize("edit,place", REG_STRUCTURE, ids=[e.__name__ for e, _ in REG_STRUCTURE])
def test_regression_structure(capsys, lab, edit, place):
    path = lab.fresh(edit, regression=True)
    refused(capsys, ["regress", str(path), "-o", str(path.with_name("out.xlsx"))], place, inputs=[path])


def test_projection_workbook_given_to_regress(capsys, lab):
    p = _good(lab)
    refused(capsys, ["regress", str(p), "-o", str(p.with_name("out.xlsx"))], "tblVariables", inputs=[p])


def test_catalogue_size():
    n = (len(CELLS) + 2 + len(STRUCTURE) + len(LABELS) + len(FILES) + 1 + 3 + 2 + 1 + 1 + 1 + 1 + 5 + 4 + 1 + 5
         + 1 + len(REG_CELLS) + len(REG_STRUCTURE) + 1)  # fmt: skip
    assert n >= 100, n


def test_good_workbooks_still_run(capsys, lab):
    # after every case above, the shared open copies are back to what they were built from
    p = lab.edited(lambda wb: None)
    assert main(["run", str(p), "-o", str(p.with_name("o.xlsx")), "-q"]) == 0, capsys.readouterr().err
    r = lab.edited(lambda wb: None, regression=True)
    assert main(["regress", str(r), "-o", str(r.with_name("o.xlsx"))]) == 0, capsys.readouterr().err
    shutil.rmtree(lab.root / "case1", ignore_errors=True)
