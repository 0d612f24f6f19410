"""The live path in a real spreadsheet program: every toolbar action run in LibreOffice Calc.

A headless ``soffice`` (private profile, named pipe; ``support/soffice.py``) opens real
templates, and each action runs through ``macros.execute(action, LibreOfficeLiveWorkbook(...))``
— the call the REGBEF toolbar makes, and, with the xlwings adapter instead, the Excel ribbon.
The assertions are on the document afterwards. The last test installs the built ``REGBEF.oxt``
and presses the toolbar's buttons through LibreOffice's dispatch API, inside LibreOffice.

Messages are captured through the adapter's ``message`` function (headless LibreOffice shows
no dialogs). The extension's own build is checked without LibreOffice at the end.
"""

from __future__ import annotations

import ast
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from support import soffice

from regbef_excel import __version__
from regbef_excel.addin import oxt
from regbef_excel.app.projection import write_template
from regbef_excel.app.regression import write_regression_template
from regbef_excel.excel import macros
from regbef_excel.io.backend import LiveWorkbook
from regbef_excel.io.libreoffice_live import LibreOfficeLiveWorkbook, UnoBackend
from regbef_excel.io.openpyxl_files import OpenpyxlBackend
from regbef_excel.schema.messages import text
from regbef_excel.schema.outputs import (
    HOUSING_RESULTS,
    LABOUR_RESULTS,
    MIGRATION_MATRIX,
    SCENARIO_COMPARISON,
    output_sheet_names,
)

WORKBOOK_SOURCES = Path(__file__).resolve().parents[1] / "workbook"
SKIP = soffice.skip_reason()
live_office = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {lang: write_template(folder / f"kommune-{lang}.xlsx", language=lang) for lang in ("nb", "en")}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    if SKIP is not None:
        pytest.skip(SKIP)
    office = soffice.Office(tmp_path_factory.mktemp("office"))
    yield office
    office.stop()


class Session:
    """One open document and what its user saw."""

    def __init__(self, office: soffice.Office, path: Path, **pickers) -> None:
        self.path = path
        self.doc = office.open(path)
        self.messages: list[str] = []
        self.live = LibreOfficeLiveWorkbook(self.doc, office.ctx, message=lambda t, title: self.messages.append(t),
                                            **pickers)  # fmt: skip

    def press(self, action: str) -> bool:
        """What the toolbar button ``action`` runs."""
        return macros.execute(action, self.live)

    def sheets(self) -> list[str]:
        return list(self.doc.Sheets.ElementNames)


def opened(office, source: Path, folder: Path, **pickers) -> Session:
    folder.mkdir(parents=True, exist_ok=True)
    return Session(office, Path(shutil.copy(source, folder / source.name)), **pickers)


def values(doc, names) -> dict[str, tuple]:
    """Every cell value (and formula) of the sheets ``names``, as LibreOffice holds them."""
    out = {}
    for name in names:
        sheet = doc.Sheets.getByName(name)
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.RangeAddress
        rng = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
        out[name] = (rng.getDataArray(), rng.getFormulaArray())
    return out


def charts(doc, name: str) -> list[str]:
    """Names of the sheets each chart on sheet ``name`` takes its data from."""
    sheets = doc.Sheets
    found = []
    for i in range(sheets.getByName(name).Charts.Count):
        chart = sheets.getByName(name).Charts.getByIndex(i)
        found += [sheets.getByIndex(r.Sheet).Name for r in chart.Ranges]
    return found


@pytest.fixture(scope="module")
def ran(office, templates, tmp_path_factory):
    """The Norwegian template after one press of "Kjør framskriving"."""
    s = opened(office, templates["nb"], tmp_path_factory.mktemp("nb"))
    s.inputs = s.sheets()
    s.before = values(s.doc, s.inputs)
    s.ok = s.press("regbefRun")
    return s


# --------------------------------------------------------------------------------- the adapter
def test_the_adapter_implements_the_interface():
    methods = [n for n, v in vars(LiveWorkbook).items() if callable(v) and not n.startswith("_")]
    assert len(methods) >= 8
    for attr in methods:
        assert callable(getattr(LibreOfficeLiveWorkbook, attr, None)), attr
    assert "self.name =" in Path(LibreOfficeLiveWorkbook.__init__.__code__.co_filename).read_text(encoding="utf-8")


@pytest.mark.libreoffice
@live_office
def test_reader_sees_what_the_file_reader_sees(office, templates, tmp_path):
    """Tables (database ranges in Calc), cell values and error cells as the openpyxl back-end
    reads them from the file."""
    s = opened(office, templates["nb"], tmp_path)
    live, disk = UnoBackend(s.doc), OpenpyxlBackend(s.path)
    with disk:
        assert live.tables() == disk.tables()
        for name, ref in disk.tables().items():
            if name == "tblChecks":  # formulas: LibreOffice computed them, the file has none cached
                continue
            args = (ref.sheet, ref.min_row, ref.min_col, ref.max_col, None)
            assert live.read_values(*args) == disk.read_values(*args), name
        assert live.custom_properties()["REGBEF_language"] == disk.custom_properties()["REGBEF_language"]
    ref = live.tables()["tblPopulation"]
    s.doc.Sheets.getByName(ref.sheet).getCellByPosition(ref.min_col + 1, ref.min_row).Formula = "=NA()"
    row = live.read_values(ref.sheet, ref.min_row + 1, ref.min_col, ref.max_col, ref.min_row + 1)[0]
    assert row[2] == "#N/A" and row[3] is not None  # an error cell is its text, not a blank
    s.doc.close(True)


@pytest.mark.libreoffice
@live_office
def test_run_writes_result_sheets_and_charts_and_leaves_inputs_alone(ran):
    assert ran.ok, ran.messages
    assert ran.messages == []  # success goes to the status bar, no message box
    outputs = list(output_sheet_names("nb").values())
    assert set(outputs) <= set(ran.sheets())
    assert ran.sheets()[: len(ran.inputs)] == ran.inputs  # planner's sheets first, in order
    assert values(ran.doc, ran.inputs) == ran.before  # every input value and formula unchanged
    # native charts came along and read the copied sheet, not the temporary file
    assert charts(ran.doc, "Folkemengde") and set(charts(ran.doc, "Folkemengde")) == {"Folkemengde"}
    assert charts(ran.doc, "Befolkningspyramide")
    assert not any(n.startswith("~regbef") for n in ran.sheets())
    # a second press replaces the result sheets instead of adding more
    n = len(ran.sheets())
    assert ran.press("regbefRun")
    assert len(ran.sheets()) == n and len(set(ran.sheets())) == n


@pytest.mark.libreoffice
@live_office
def test_run_brings_every_result_sheet_the_command_line_writes(ran):
    assert {HOUSING_RESULTS.name.nb, LABOUR_RESULTS.name.nb, MIGRATION_MATRIX.name.nb} <= set(ran.sheets())


@pytest.mark.libreoffice
@live_office
def test_a_failed_run_shows_one_message_and_keeps_the_previous_results(ran):
    assert ran.ok
    ref = UnoBackend(ran.doc).tables()["tblPopulation"]
    cell = ran.doc.Sheets.getByName(ref.sheet).getCellByPosition(ref.min_col + 2, ref.min_row)
    old = cell.Value
    results = list(output_sheet_names("nb").values())
    before = values(ran.doc, results)
    sheets = ran.sheets()
    ran.messages.clear()
    cell.String = "mange"
    try:
        assert not ran.press("regbefRun")
        after = values(ran.doc, results)
    finally:
        cell.Value = old
    assert len(ran.messages) == 1
    assert f"{ref.sheet}!D{ref.min_row + 1}" in ran.messages[0] and "mange" in ran.messages[0]
    assert ran.messages[0].startswith(text("input_problems", "nb", n=1))
    assert ran.sheets() == sheets and after == before


@pytest.mark.libreoffice
@live_office
def test_validate_and_about(ran):
    ran.messages.clear()
    assert ran.press("regbefValidate")
    assert ran.messages == [text("valid", "nb")]
    assert ran.press("regbefAbout")
    assert __version__ in ran.messages[-1] and "Python" in ran.messages[-1]
    assert not ran.press("regbefRegress")  # a projection workbook has no regression tables
    assert "regress-template" in ran.messages[-1]


@pytest.fixture(scope="module")
def english(office, templates, tmp_path_factory):
    """The English template after pressing Validate, Compare, New template and (last) Run; its
    buttons pick files in ``folder``. ``pressed[action]`` = (succeeded, messages shown)."""
    folder = tmp_path_factory.mktemp("en")
    other = Path(shutil.copy(templates["nb"], folder / "other.xlsx"))
    s = opened(office, templates["en"], folder / "doc", choose_open=lambda title: other,
               choose_save=lambda suggested, title: folder / suggested,
               answer=lambda prompt, title, default: "empty")  # fmt: skip
    s.inputs = s.sheets()
    s.before = values(s.doc, s.inputs)
    s.folder, s.pressed = folder, {}
    for action in ("regbefValidate", "regbefCompare", "regbefNew", "regbefRun"):
        s.messages.clear()
        s.pressed[action] = (s.press(action), list(s.messages))
    yield s
    s.doc.close(True)


@pytest.mark.libreoffice
@live_office
def test_english_workbook_validate_compare_template_run(english):
    s = english
    assert s.pressed["regbefValidate"] == (True, [text("valid", "en")])
    assert s.pressed["regbefCompare"] == (True, [])
    name = SCENARIO_COMPARISON.name.get("en")
    assert name in s.sheets() and charts(s.doc, name)
    ok, shown = s.pressed["regbefNew"]
    assert ok and (s.folder / "REGBEF-template.xlsx").is_file() and "REGBEF-template.xlsx" in shown[0]
    assert s.pressed["regbefRun"] == (True, [])
    assert set(output_sheet_names("en").values()) <= set(s.sheets())
    assert charts(s.doc, output_sheet_names("en")["population_summary"])


@pytest.mark.libreoffice
@live_office
def test_english_run_leaves_inputs_alone(english):
    assert english.pressed["regbefRun"][0]
    assert values(english.doc, english.inputs) == english.before


@pytest.mark.libreoffice
@live_office
def test_regression_workbook(office, tmp_path):
    path = write_regression_template(tmp_path / "regresjon.xlsx", panel="synthetic")
    s = opened(office, path, tmp_path / "doc")
    inputs = s.sheets()
    before = values(s.doc, inputs)
    assert s.press("regbefRegress"), s.messages
    assert len(s.sheets()) > len(inputs) and s.sheets()[: len(inputs)] == inputs
    assert values(s.doc, inputs) == before
    s.doc.close(True)


# ------------------------------------------------------------------------------ the extension
@pytest.mark.libreoffice
@live_office
def test_toolbar_buttons_in_libreoffice(templates, tmp_path):
    """Install REGBEF.oxt (unopkg), open a template, press toolbar buttons (dispatch API)."""
    built = oxt.build_oxt(tmp_path / "dist", WORKBOOK_SOURCES)
    soffice.install_extension(tmp_path, built)
    log = tmp_path / "messages.txt"
    office = soffice.Office(tmp_path, env={"REGBEF_MESSAGE_LOG": str(log)})
    try:
        doc = office.open(Path(shutil.copy(templates["nb"], tmp_path / "kommune.xlsx")))
        frame = doc.CurrentController.Frame
        bars = [e.ResourceURL for e in frame.LayoutManager.getElements()]
        assert f"private:resource/toolbar/addon_{oxt.TOOLBAR}" in bars
        dispatcher = office.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper",
                                                                         office.ctx)  # fmt: skip
        for action in ("regbefValidate", "regbefRun"):
            dispatcher.executeDispatch(frame, oxt.PROTOCOL + action, "", 0, ())
        messages = log.read_text(encoding="utf-8").split("\n\f\n")[:-1]
        assert messages == [text("valid", "nb")]
        assert set(output_sheet_names("nb").values()) <= set(doc.Sheets.ElementNames)
        assert charts(doc, "Folkemengde")
    finally:
        office.stop()


def test_extension_package(tmp_path):
    """The .oxt without LibreOffice: parts, one toolbar and menu entry per ribbon button,
    well-formed XML, a handler that compiles, and the same bytes from the same sources."""
    built = oxt.build_oxt(tmp_path, WORKBOOK_SOURCES, python_paths=["/env/site-packages"])
    with zipfile.ZipFile(built) as z:
        names = set(z.namelist())
        parts = {n: z.read(n).decode("utf-8") for n in names}
    manifest = ET.fromstring(parts["META-INF/manifest.xml"])
    listed = {e.get("{http://openoffice.org/2001/manifest}full-path") for e in manifest}
    assert listed <= names and "regbef_toolbar.py" in listed
    for name in names - {"regbef_toolbar.py"}:
        ET.fromstring(parts[name])
    ribbon = [b.id for b in oxt.ribbon_buttons(WORKBOOK_SOURCES)]
    assert set(ribbon) == set(macros.ACTIONS)
    urls = [e.text for e in ET.fromstring(parts["Addons.xcu"]).iter("value") if e.text and e.text.startswith(oxt.PROTOCOL)]
    assert urls == [oxt.PROTOCOL + b for b in ribbon] * 2  # menu, then toolbar
    handler = parts["regbef_toolbar.py"]
    ast.parse(handler)
    assert "PYTHON_PATHS = ['/env/site-packages']" in handler and "macros import execute" in handler
    assert oxt.oxt_bytes(WORKBOOK_SOURCES, ["/env/site-packages"]) == built.read_bytes()
