"""The macro layer against a fake live workbook (openpyxl in memory) implementing LiveWorkbook."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from support.synthetic import synthetic_inputs

from regbef_excel.excel import macros
from regbef_excel.io.backend import InMemoryBackend, WorkbookBackend
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema.outputs import output_sheet_names


class FakeLiveWorkbook:
    """A LiveWorkbook over an openpyxl workbook; records what the user would see."""

    def __init__(self, wb: Workbook, name: str = "kommune.xlsx", *, open_path=None, save_path=None) -> None:
        self.wb, self.name = wb, name
        self.alerts: list[str] = []
        self.statuses: list[str | None] = []
        self.replaced: list[list[str]] = []
        self.open_path, self.save_path = open_path, save_path
        self.broken_backend = False
        self.answers: list[str | None] = []  # what the user types, in order
        self.prompts: list[str] = []
        self.saved_as: Path | None = None  # the workbook's own file

    def backend(self) -> WorkbookBackend:
        if self.broken_backend:
            raise RuntimeError("COM object disconnected")
        return InMemoryBackend(self.wb, self.name)

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def path(self) -> Path | None:
        return self.saved_as

    def replace_sheets(self, source: Path, names: Sequence[str]) -> None:
        src = load_workbook(source)
        copies = []
        for i, name in enumerate(names):  # copy all first (values and charts count), then swap
            if name not in src.sheetnames:
                continue
            new = self.wb.create_sheet(f"~regbef{i}")
            for row in src[name].iter_rows():
                for c in row:
                    new.cell(row=c.row, column=c.column, value=c.value)
            new._charts = list(src[name]._charts)
            copies.append((new, name))
        for new, name in copies:
            if name in self.wb.sheetnames:
                idx = self.wb.sheetnames.index(name)
                del self.wb[name]
                self.wb.move_sheet(new, idx - self.wb.sheetnames.index(new.title))
            new.title = name
        self.replaced.append(list(names))

    def status(self, text: str | None) -> None:
        self.statuses.append(text)

    def alert(self, text: str, title: str = "REGBEF") -> None:
        self.alerts.append(text)

    def ask_open_path(self, title: str) -> Path | None:
        return self.open_path

    def ask_save_path(self, suggested: str, title: str) -> Path | None:
        return self.save_path

    def ask_text(self, prompt: str, title: str, default: str = "") -> str | None:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def snapshot(wb: Workbook, names: Sequence[str] | None = None) -> dict:
    """Cell values by sheet; trailing empty cells ignored (openpyxl grows a sheet's dimension
    when a reader merely iterates past its last row)."""
    out = {}
    for ws in wb.worksheets:
        if names is not None and ws.title not in names:
            continue
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        rows = [r[: max((i + 1 for i, v in enumerate(r) if v is not None), default=0)] for r in rows]
        while rows and not rows[-1]:
            rows.pop()
        out[ws.title] = rows
    return out


@pytest.fixture
def live() -> FakeLiveWorkbook:
    wb = build_workbook(synthetic_inputs(3, 5)).to_openpyxl()
    own = wb.create_sheet("Mine notater")
    own["A1"] = "planleggerens egne tall"
    return FakeLiveWorkbook(wb)


def test_fake_implements_the_interface(live):
    assert isinstance(live, macros.LiveWorkbook)
    for attr in ("backend", "sheet_names", "path", "replace_sheets", "status", "alert",
                 "ask_open_path", "ask_save_path", "ask_text"):  # fmt: skip
        assert callable(getattr(macros.XlwingsLiveWorkbook, attr))


def test_run_writes_output_sheets_and_leaves_inputs_alone(live):
    inputs_before = snapshot(live.wb)
    assert macros.execute("regbefRun", live)
    outputs = list(output_sheet_names("nb").values())
    assert all(n in live.wb.sheetnames for n in outputs)
    assert live.alerts == []  # success: a status bar message, no message box
    assert live.statuses[-1].startswith("REGBEF: ferdig – 3 soner, 2025–2030")
    assert any(s and "framskriver" in s for s in live.statuses)
    assert snapshot(live.wb, list(inputs_before)) == inputs_before  # planner's sheets untouched
    assert live.wb["Folkemengde"]._charts  # native charts came along
    # a second run replaces the sheets instead of adding more
    n = len(live.wb.sheetnames)
    assert macros.execute("regbefRun", live)
    assert len(live.wb.sheetnames) == n and len(set(live.wb.sheetnames)) == n


def test_bad_input_shows_one_message_and_writes_nothing(live):
    ws = next(ws for ws in live.wb.worksheets if "tblPopulation" in ws.tables)
    row = int(ws.tables["tblPopulation"].ref.split(":")[0][1:]) + 2
    ws.cell(row=row, column=4).value = "mange"
    before = snapshot(live.wb)
    assert not macros.execute("regbefRun", live)
    assert len(live.alerts) == 1
    assert f"{ws.title}!D{row}" in live.alerts[0] and "problem" in live.alerts[0]
    assert live.replaced == [] and snapshot(live.wb) == before
    assert live.statuses[-1] is None  # the status bar is given back


def test_many_problems_are_summarised(live):
    ws = next(ws for ws in live.wb.worksheets if "tblPopulation" in ws.tables)
    first = int(ws.tables["tblPopulation"].ref.split(":")[0][1:]) + 1
    for r in range(first, first + 30):
        ws.cell(row=r, column=3).value = "#N/A"
    assert not macros.execute("regbefRun", live)
    assert len(live.alerts) == 1
    assert "Excel-feilverdi #N/A" in live.alerts[0] and "Valider" in live.alerts[0]
    assert live.alerts[0].count("\n•") <= macros.MAX_PROBLEMS_SHOWN


def test_validate(live):
    assert macros.execute("regbefValidate", live)
    assert live.alerts == [macros.text("valid")]
    live.alerts.clear()
    live.wb["Mine notater"]["A1"] = "fine"
    ws = next(ws for ws in live.wb.worksheets if "tblZones" in ws.tables)
    del ws.tables["tblZones"]
    assert not macros.execute("regbefValidate", live)
    assert len(live.alerts) == 1 and "tblZones" in live.alerts[0]


def test_validate_lists_each_problem_once(live):
    """A negative population cell: the cell and the failed check C01, each once."""
    ws = next(ws for ws in live.wb.worksheets if "tblPopulation" in ws.tables)
    first = int(ws.tables["tblPopulation"].ref.split(":")[0][1:]) + 1
    ws.cell(row=first, column=3).value = -5
    assert not macros.execute("regbefValidate", live)
    assert len(live.alerts) == 1
    bullets = [ln for ln in live.alerts[0].splitlines() if ln.startswith("•")]
    assert len(bullets) == 2, live.alerts[0]
    assert f"{ws.title}!C{first}" in bullets[0] and "C01" in bullets[1]


def test_unexpected_errors_and_unknown_buttons(live, tmp_path):
    live.broken_backend = True
    assert not macros.execute("regbefRun", live)
    assert len(live.alerts) == 1 and "Uventet feil: RuntimeError" in live.alerts[0]
    log = Path(live.alerts[0].split("lagret i:\n")[1].split("\n")[0])
    assert "Traceback" in log.read_text(encoding="utf-8")
    log.unlink()
    live.alerts.clear()
    assert not macros.execute("noSuchButton", live)
    assert live.alerts == ["Ukjent knapp: noSuchButton"]


def test_regress_on_a_projection_workbook_explains(live):
    assert not macros.execute("regbefRegress", live)
    assert len(live.alerts) == 1 and "regress-template" in live.alerts[0]


def test_regress_on_a_regression_workbook(tmp_path):
    from regbef_excel.app.regression import write_regression_template

    path = write_regression_template(tmp_path / "regresjon.xlsx", panel="synthetic")
    fake = FakeLiveWorkbook(load_workbook(path), "regresjon.xlsx")
    before = snapshot(fake.wb)
    assert macros.execute("regbefRegress", fake), fake.alerts
    assert fake.replaced and len(fake.wb.sheetnames) > len(before)
    assert snapshot(fake.wb, list(before)) == before
    assert "regresjonsmodell" in fake.statuses[-1]


def test_new_workbook_for_a_municipality_is_filled_and_validates(live, tmp_path):
    from regbef_excel.app.projection import validate_file
    from regbef_excel.io.read.projection import read_workbook

    live.answers, live.save_path = ["4001"], tmp_path / "porsgrunn.xlsx"
    assert macros.execute("regbefNew", live), live.alerts
    assert "Kommunenummer" in live.prompts[0]
    assert str(live.save_path) in live.alerts[-1]
    assert validate_file(live.save_path) == []
    inputs, _ = read_workbook(live.save_path)
    assert list(inputs.zone_codes) == ["4001"] and inputs.population.sum() > 30_000  # Porsgrunn


def test_new_workbook_empty_cancel_and_bad_code(live, tmp_path):
    live.answers, live.save_path = ["tom"], tmp_path / "tom.xlsx"
    assert macros.execute("regbefNew", live)
    assert live.save_path.exists() and str(live.save_path) in live.alerts[-1]
    live.alerts, live.answers = [], [None]
    assert macros.execute("regbefNew", live)
    assert live.alerts == [] and live.statuses[-1] == "REGBEF: avbrutt"
    live.answers, live.save_path = ["9999"], tmp_path / "feil.xlsx"
    assert not macros.execute("regbefNew", live)
    assert len(live.alerts) == 1 and "9999" in live.alerts[0] and not live.save_path.exists()
    # never over the open workbook
    live.alerts, live.answers = [], ["tom"]
    live.saved_as = live.save_path = tmp_path / "tom.xlsx"
    before = live.saved_as.read_bytes()
    assert not macros.execute("regbefNew", live)
    assert "new name" in live.alerts[0] and live.saved_as.read_bytes() == before


def test_templates_for_the_municipalities_of_a_county(live, tmp_path):
    live.answers, live.save_path = ["03"], tmp_path / "maler-oslo"
    assert macros.execute("regbefTemplates", live), live.alerts
    assert [p.name for p in live.save_path.iterdir()] == ["0301-Oslo.xlsx"]
    assert "1 mal(er)" in live.alerts[-1]


def test_backtest(live, tmp_path):
    live.answers, live.save_path = ["03", "2015"], tmp_path / "tilbaketest.xlsx"
    assert macros.execute("regbefBacktest", live), live.alerts
    assert live.save_path.exists() and str(live.save_path) in live.alerts[-1]
    live.answers, live.alerts = ["03", "tjue"], []
    assert not macros.execute("regbefBacktest", live)
    assert "whole number" in live.alerts[0] and "tjue" in live.alerts[0]


def test_ssb_comparison_only_where_ssb_figures_are_shipped(live):
    assert not macros.execute("regbefSsb", live)  # synthetic zones: no SSB projection shipped
    assert len(live.alerts) == 1 and "--ssb" in live.alerts[0]
    assert live.replaced == []


def test_ssb_comparison_of_a_telemark_workbook():
    from regbef_excel.app.projection import demo_inputs

    inputs, meta = demo_inputs()
    fake = FakeLiveWorkbook(build_workbook(inputs, meta=meta).to_openpyxl(), "telemark.xlsx")
    before = snapshot(fake.wb)
    assert macros.execute("regbefSsb", fake), fake.alerts
    assert fake.replaced == [["SSB-sammenligning"]] and "SSB-sammenligning" in fake.wb.sheetnames
    assert snapshot(fake.wb, list(before)) == before


def test_regression_targets_needs_a_saved_workbook(live):
    assert not macros.execute("regbefRegressTargets", live)
    assert live.alerts == ["Lagre arbeidsboken først: «Regresjon → mål» leser den lagrede fila."]


def test_compare_scenarios(live, tmp_path):
    other = save_workbook(build_workbook(synthetic_inputs(3, 5, seed=1)), tmp_path / "scenario-b.xlsx")
    live.open_path = other
    assert macros.execute("regbefCompare", live), live.alerts
    ws = live.wb[macros.SCENARIO_COMPARISON.name.get("nb")]
    # the same sheet as `regbef-excel compare` writes: title naming both workbooks, charts
    assert ws["A1"].value.startswith("Scenariosammenligning: ") and "scenario-b.xlsx" in ws["A1"].value
    assert len(ws._charts) == 2


def test_about_opens_the_installed_user_guide(live, monkeypatch):
    opened = []
    monkeypatch.setattr(macros, "open_document", lambda path: opened.append(path) or True)
    assert macros.execute("regbefAbout", live)
    assert len(live.alerts) == 1 and "xlwings 0.37.8" in live.alerts[0]
    guide = macros.user_guide()
    assert opened == [guide] and guide.name == "brukerveiledning.md" and guide.exists()
    assert f"Brukerveiledningen er åpnet: {guide}" in live.alerts[0]


def test_ribbon_ids_match_the_ribbon_xml():
    import re

    xml = (Path(__file__).resolve().parents[1] / "workbook" / "customUI14.xml").read_text(encoding="utf-8")
    ids = re.findall(r'<button id="([^"]+)"', xml)
    assert ids == list(macros.ACTIONS) or set(ids) == set(macros.ACTIONS)
    # every job of the planner has a button (estimate and collect: not in this version)
    assert {"regbefNew", "regbefRun", "regbefValidate", "regbefCompare", "regbefSsb", "regbefTemplates",
            "regbefBacktest", "regbefRegress", "regbefRegressTargets", "regbefAbout"} <= set(ids)
