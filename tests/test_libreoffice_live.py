"""The live path in a real spreadsheet program: every toolbar action run in LibreOffice Calc.

One headless ``soffice`` for the module (private profile, named pipe; ``support/soffice.py``) with
the built ``REGBEF.oxt`` installed. Tests open real templates and press buttons two ways: through
``macros.execute(action, LibreOfficeLiveWorkbook(...))`` from this process — the call the REGBEF
toolbar makes, and, with the xlwings adapter instead, the Excel ribbon — and through the
installed toolbar itself (LibreOffice's dispatch API, the handler running inside LibreOffice,
questions answered from ``$REGBEF_ANSWERS``, messages in ``$REGBEF_MESSAGE_LOG``). Every ribbon
button is pressed (``test_every_toolbar_action_is_pressed_here``); the assertions are on the
document and the files afterwards, with numbers. The extension's own build is checked without
LibreOffice at the end.
"""

from __future__ import annotations

import ast
import json
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from support import soffice

from regbef_excel import __version__
from regbef_excel.addin import oxt
from regbef_excel.addin.ribbon import ribbon_buttons
from regbef_excel.app.projection import write_template
from regbef_excel.app.regression import write_regression_template
from regbef_excel.app.templates import write_templates
from regbef_excel.data import ssb_projection_telemark
from regbef_excel.engine import project
from regbef_excel.excel import macros
from regbef_excel.io.backend import LiveWorkbook
from regbef_excel.io.libreoffice_live import (
    ANSWERS_ENV,
    LibreOfficeLiveWorkbook,
    UnoBackend,
    scripted_answers,
)
from regbef_excel.io.openpyxl_files import OpenpyxlBackend
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.schema.messages import text
from regbef_excel.schema.outputs import (
    HOUSING_RESULTS,
    LABOUR_RESULTS,
    MIGRATION_MATRIX,
    SCENARIO_COMPARISON,
    SSB_COMPARISON,
    output_sheet_names,
)

WORKBOOK_SOURCES = Path(__file__).resolve().parents[1] / "workbook"
NOTODDEN = "4005"
SKIP = soffice.skip_reason()
live_office = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {lang: write_template(folder / f"kommune-{lang}.xlsx", language=lang) for lang in ("nb", "en")}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The module's one LibreOffice, with the built ``REGBEF.oxt`` installed. Its toolbar
    writes messages to ``office.message_log`` and takes the answers to its questions from
    ``office.answers`` (headless LibreOffice shows no dialogs)."""
    if SKIP is not None:
        pytest.skip(SKIP)
    root = tmp_path_factory.mktemp("office")
    soffice.install_extension(root, oxt.build_oxt(root / "dist", WORKBOOK_SOURCES))
    log, answers = root / "messages.txt", root / "answers.json"
    office = soffice.Office(root, env={"REGBEF_MESSAGE_LOG": str(log), ANSWERS_ENV: str(answers)})
    office.message_log, office.answers = log, answers
    yield office
    office.stop()


def press_toolbar(office, doc, action: str, **answers: list[str]) -> list[str]:
    """Press the toolbar button ``action`` of the installed extension in ``doc`` (LibreOffice's
    dispatch API, as a click does) and return the messages it showed. ``answers``: the answers
    to its questions by kind (``ask_text``, ``ask_open_path``, ``ask_save_path``)."""
    office.answers.write_text(json.dumps({k: [str(v) for v in vs] for k, vs in answers.items()}), encoding="utf-8")
    office.message_log.write_text("", encoding="utf-8")
    dispatcher = office.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", office.ctx)
    dispatcher.executeDispatch(doc.CurrentController.Frame, oxt.PROTOCOL + action, "", 0, ())
    return office.message_log.read_text(encoding="utf-8").split("\n\f\n")[:-1]


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
def test_toolbar_buttons_in_libreoffice(office, templates, tmp_path):
    """The installed REGBEF.oxt: its toolbar is in Calc's window, labelled in LibreOffice's
    language, and its buttons run."""
    doc = office.open(Path(shutil.copy(templates["nb"], tmp_path / "kommune.xlsx")))
    bars = [e.ResourceURL for e in doc.CurrentController.Frame.LayoutManager.getElements()]
    assert f"private:resource/toolbar/addon_{oxt.TOOLBAR}" in bars
    # the labels LibreOffice shows (its accessibility tree): English unless its UI is Norwegian
    buttons = ribbon_buttons(WORKBOOK_SOURCES)
    norwegian = soffice.ui_locale(office.ctx).split("-")[0] in ("nb", "nn", "no")
    shown = [name for name, _ in soffice.toolbar_items(doc, f"private:resource/toolbar/addon_{oxt.TOOLBAR}")]
    assert shown == [b.label_nb if norwegian else b.label_en for b in buttons]
    assert press_toolbar(office, doc, "regbefValidate") == [text("valid", "nb")]
    assert press_toolbar(office, doc, "regbefRun") == []
    assert set(output_sheet_names("nb").values()) <= set(doc.Sheets.ElementNames)
    assert charts(doc, "Folkemengde")
    doc.close(True)


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
    ribbon = [b.id for b in ribbon_buttons(WORKBOOK_SOURCES)]
    assert set(ribbon) == set(macros.ACTIONS)
    urls = [e.text for e in ET.fromstring(parts["Addons.xcu"]).iter("value") if e.text and e.text.startswith(oxt.PROTOCOL)]
    assert urls == [oxt.PROTOCOL + b for b in ribbon] * 2  # menu, then toolbar
    handler = parts["regbef_toolbar.py"]
    ast.parse(handler)
    assert "PYTHON_PATHS = ['/env/site-packages']" in handler and "macros import execute" in handler
    assert oxt.oxt_bytes(WORKBOOK_SOURCES, ["/env/site-packages"]) == built.read_bytes()


# --------------------------------------------------------- every other button, pressed on the toolbar
# These press the installed extension's buttons (dispatch, inside LibreOffice), answer its
# questions from a file and check the document and the files it wrote, with numbers.
def rows(doc, sheet: str) -> list[tuple]:
    """The used cells of ``sheet`` as LibreOffice holds them (numbers as float, empty as '')."""
    return values(doc, [sheet])[sheet][0]


def row_of(doc, sheet: str, *first) -> tuple:  # noqa: ANN002 - the first cells of the row
    found = [r for r in rows(doc, sheet) if r[: len(first)] == first]
    assert len(found) == 1, (sheet, first, found)
    return found[0]


def column(doc, sheet: str, heading: object) -> int:
    """Index of the column headed ``heading`` (in the first row that holds it)."""
    return next(r.index(heading) for r in rows(doc, sheet) if heading in r)


@pytest.fixture(scope="module")
def notodden(tmp_path_factory) -> Path:
    """A municipality's workbook as ``regbef-excel templates --codes 4005`` writes it: SSB
    numbers, history, parameters estimated from 2016–2025."""
    res = write_templates(tmp_path_factory.mktemp("notodden"), codes=[NOTODDEN], per="municipality", language="nb")
    return res.paths[0]


def population(path: Path, year: int, code: str = NOTODDEN) -> float:
    """Population on 31 Dec ``year`` of zone ``code`` when the file is projected (the command
    line's reader and engine, no LibreOffice)."""
    inputs, _ = read_workbook(path)
    return float(project(inputs).population[year - inputs.base_year, list(inputs.zone_codes).index(code)].sum())


@pytest.mark.libreoffice
@live_office
def test_ssb_comparison_then_a_failed_one_keeps_it(office, notodden, tmp_path):
    doc = office.open(Path(shutil.copy(notodden, tmp_path / notodden.name)))
    inputs = list(doc.Sheets.ElementNames)
    before = values(doc, inputs)
    assert press_toolbar(office, doc, "regbefSsb") == []
    sheet = SSB_COMPARISON.name.nb
    assert list(doc.Sheets.ElementNames) == [*inputs, sheet] and values(doc, inputs) == before
    # ours: our 31 Dec 2049 against SSB's 1 Jan 2050 (main alternative, 2026 round)
    _, _, year, ours, ssb, difference, *_ = row_of(doc, sheet, NOTODDEN, "Notodden", 2050.0)
    ssb_2050 = ssb_projection_telemark(vintage=2026, alternative="MMMM").query("region_code == @NOTODDEN and year == 2050")
    assert ssb == ssb_2050["population"].sum() == 13544
    assert ours == pytest.approx(population(tmp_path / notodden.name, 2049), rel=1e-9)
    assert difference == pytest.approx(ours - ssb, abs=1e-6)
    # a bad cell: one message naming it, the comparison and the inputs as they were
    shown = values(doc, [sheet])
    ref = UnoBackend(doc).tables()["tblPopulation"]
    cell = doc.Sheets.getByName(ref.sheet).getCellByPosition(ref.min_col + 2, ref.min_row)
    cell.String = "mange"
    messages = press_toolbar(office, doc, "regbefSsb")
    assert len(messages) == 1 and messages[0].startswith(text("input_problems", "nb", n=1))
    assert f"{ref.sheet}!D{ref.min_row + 1}" in messages[0] and "mange" in messages[0]
    assert values(doc, [sheet]) == shown and list(doc.Sheets.ElementNames) == [*inputs, sheet]
    doc.close(True)


@pytest.mark.libreoffice
@live_office
def test_estimate_after_changing_the_period_then_run(office, notodden, tmp_path):
    """The planner moves the estimation period in Innstillinger and saves: Run refuses, naming
    the cell; Estimate writes a new workbook re-fitted over 2020–2025, which runs."""
    path = Path(shutil.copy(notodden, tmp_path / notodden.name))
    doc = office.open(path)
    ref = UnoBackend(doc).tables()["tblSettings"]
    row = [r[0] for r in rows(doc, ref.sheet)].index("estimation_start")
    doc.Sheets.getByName(ref.sheet).getCellByPosition(ref.min_col + 1, row).Value = 2020
    doc.store()  # LibreOffice writes the .xlsx; the estimate reads the saved file
    sheets = list(doc.Sheets.ElementNames)
    refused = press_toolbar(office, doc, "regbefRun")
    assert len(refused) == 1 and f"{ref.sheet}!C{row + 1}" in refused[0] and "2016–2025" in refused[0]
    assert list(doc.Sheets.ElementNames) == sheets  # nothing written
    target = tmp_path / "estimert.xlsx"
    said = press_toolbar(office, doc, "regbefEstimate", ask_save_path=[target])
    assert len(said) == 1 and str(target) in said[0]
    doc.close(True)
    before, meta = read_workbook(notodden)
    after, meta2 = read_workbook(target)
    assert (meta2.estimation_start, meta2.estimation_end) == (2020, 2025)
    # immigration re-fitted as the mean of 2020–2025 at the same abroad share
    by_year = meta.history["tblHistMigration"].groupby("year")["in"].sum()
    expected = by_year.loc[2020:2025].mean() / by_year.loc[2016:2025].mean()
    assert after.immigration_total[0] / before.immigration_total[0] == pytest.approx(expected, rel=1e-6)
    assert not np.allclose(after.fertility_level_zone, before.fertility_level_zone)
    # the new workbook runs on the toolbar; 2050 is what the command line projects for it
    est = office.open(target)
    assert press_toolbar(office, est, "regbefRun") == []
    sheet = output_sheet_names("nb")["population_summary"]
    shown = row_of(est, sheet, NOTODDEN)[column(est, sheet, 2050.0)]
    assert shown == pytest.approx(population(target, 2050), rel=1e-9)
    assert abs(shown - population(notodden, 2050)) > 10  # another period, another 2050
    est.close(True)


@pytest.mark.libreoffice
@live_office
def test_regression_targets_from_the_toolbar(office, notodden, tmp_path):
    reg = write_regression_template(tmp_path / "regresjon.xlsx")
    path = Path(shutil.copy(notodden, tmp_path / notodden.name))
    doc = office.open(path)
    target = tmp_path / "mål.xlsx"
    said = press_toolbar(office, doc, "regbefRegressTargets", ask_open_path=[reg], ask_save_path=[target])
    doc.close(True)
    years = list(range(2026, 2051))
    assert len(said) == 1 and said[0].startswith(text("targets_written", "nb", n=len(years), path=target))
    assert "regresjonsmodell 'By FE'" in said[0]  # the model is named
    inputs, meta = read_workbook(target)
    assert inputs.variant == 2 and np.all(inputs.targets.zone_mode == 1)
    assert inputs.targets.zone_value.shape == (len(years), 1)
    sources = set(meta.comments["tblTargets"].values())
    assert len(sources) == 1 and "regresjonsmodell 'By FE'" in sources.pop()
    # the targets are met: net migration of the projection equals the target every year
    tot = project(inputs).component_totals()
    net = tot["EIFU"] + tot["EIFN"] - tot["EUF"] + tot["IIF"] - tot["IUF"]
    np.testing.assert_allclose(net, inputs.targets.zone_value, atol=1e-6)
    assert read_workbook(path)[0].variant == 1  # the planner's workbook is not changed


@pytest.mark.libreoffice
@live_office
def test_backtest_from_the_toolbar(office, notodden, tmp_path):
    doc = office.open(Path(shutil.copy(notodden, tmp_path / notodden.name)))
    target = tmp_path / "tilbaketest.xlsx"
    said = press_toolbar(office, doc, "regbefBacktest", ask_text=["39", "2015"], ask_save_path=[target])
    assert said == [text("written", "nb", path=target)]
    doc.close(True)
    bt = office.open(target)
    sheet = bt.Sheets.ElementNames[0]
    assert "2015" in rows(bt, sheet)[0][0] and "Vestfold" in rows(bt, sheet)[0][0]
    header = row_of(bt, sheet, "År", "År fram")  # the error table (a fan chart's data follow it)
    table = rows(bt, sheet)
    by_year = {}
    for r in table[table.index(header) + 1:]:
        if not isinstance(r[0], float):
            break
        by_year[r[0]] = dict(zip(header, r, strict=True))
    assert [(y, r["År fram"]) for y, r in by_year.items()][:10] == [(2015.0 + h, float(h)) for h in range(1, 11)]
    ten = by_year[2025.0]
    # ten years on, REGBEF misses the municipalities by a few per cent, far less than "no change"
    assert 0 < ten["MAPE % REGBEF"] < 5 and ten["MAPE % REGBEF"] < ten["MAPE % Naiv: konstant"] / 2
    bt.close(True)


@pytest.mark.libreoffice
@live_office
def test_english_workbook_municipal_templates_then_collect(office, templates, tmp_path):
    """In an English workbook: templates for Vestfold's municipalities, then collected back."""
    doc = office.open(Path(shutil.copy(templates["en"], tmp_path / "county.xlsx")))
    folder = tmp_path / "vestfold"
    said = press_toolbar(office, doc, "regbefTemplates", ask_text=["39"], ask_save_path=[folder])
    files = sorted(folder.glob("*.xlsx"))
    assert said == [text("templates_written", "en", n=6, folder=folder)]
    assert [f.name[:4] for f in files] == ["3901", "3903", "3905", "3907", "3909", "3911"]
    base = {f.name[:4]: float(read_workbook(f)[0].population.sum()) for f in files}  # 31 Dec 2025
    target = tmp_path / "collected.xlsx"
    said = press_toolbar(office, doc, "regbefCollect", ask_open_path=[files[2]], ask_save_path=[target])
    assert said == [text("collect_written", "en", n=6, county="Vestfold", path=target)]
    doc.close(True)
    county = office.open(target)
    sheet = output_sheet_names("en")["population_summary"]
    first, last = column(county, sheet, 2025.0), column(county, sheet, 2050.0)
    zones = {r[0]: r for r in rows(county, sheet) if r[0] in base}
    whole = row_of(county, sheet, "", "Whole region")
    # every municipality's base population is its template's; the county is their sum, every year
    assert {code: r[first] for code, r in zones.items()} == base
    assert whole[first] == sum(base.values())
    assert whole[last] == pytest.approx(sum(r[last] for r in zones.values()), abs=1e-5)  # cells hold 6 decimals
    county.close(True)


def test_scripted_answers_in_order_per_kind_then_cancel(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"ask_text": ["39", "2015"], "ask_save_path": ["/x/a.xlsx"]}), encoding="utf-8")
    given = scripted_answers(path)
    assert [given["answer"]("?", "t", "") for _ in range(3)] == ["39", "2015", None]
    assert given["choose_save"]("s.xlsx", "t") == Path("/x/a.xlsx") and given["choose_save"]("s", "t") is None
    assert given["choose_open"]("t") is None


def test_every_toolbar_action_is_pressed_here():
    """Each button id of the ribbon is pressed by a test of this module, in LibreOffice."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    pressed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("press", "press_toolbar"):
            pressed |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):  # for action in ("...", ...)
            pressed |= {e.value for e in node.iter.elts if isinstance(e, ast.Constant)}
    assert set(macros.ACTIONS) <= pressed, set(macros.ACTIONS) - pressed
