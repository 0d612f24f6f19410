"""Macros: what the REGBEF ribbon buttons (VBA ``RunPython``) do in live Excel.

The ribbon has one VBA callback that forwards the button id::

    RunPython "import regbef_excel.excel.macros as m; m.ribbon('" & control.Id & "')"

:func:`ribbon` finds the calling workbook (``xw.Book.caller()``), wraps it in
:class:`XlwingsLiveWorkbook` and runs the action through :func:`execute`. Every action talks to
the small :class:`LiveWorkbook` interface only, so the whole macro layer runs on Linux against a
fake workbook (see ``tests/test_macros.py``).

How results reach the live workbook (decision): the output sheets and their native charts are
built by the same openpyxl writer the command line uses, into a temporary workbook file; then
:meth:`LiveWorkbook.replace_sheets` copies those sheets into the live workbook through Excel
(``Sheet.copy``), and only after every copy succeeded are the previous output sheets deleted
and the copies renamed. A failed run therefore leaves the workbook as it was (no half-written
sheets); the planner's own sheets, the VBA project and the ribbon are never touched. Formulas
on the planner's sheets that point *into* an output sheet become ``#REF!`` when it is replaced —
the user guide says so.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Protocol, runtime_checkable

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font, PatternFill

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.app.projection import run_log, write_template
from regbef_excel.engine import project
from regbef_excel.errors import InputError, InputErrors, RegbefError
from regbef_excel.excel.udfs import project_cached, read_inputs
from regbef_excel.io.backend import OpenpyxlBackend, WorkbookBackend
from regbef_excel.io.read.projection import read_from_backend
from regbef_excel.io.regression_workbook import (
    build_results_workbook,
    read_regression_workbook,
    run_regressions,
)
from regbef_excel.io.write.results import write_results
from regbef_excel.io.xlwings_live import XlwingsBackend
from regbef_excel.schema import outputs as S
from regbef_excel.schema import regression as R
from regbef_excel.schema.inputs import SHEETS
from regbef_excel.schema.outputs import output_sheet_names

#: Title of every message box.
TITLE = "REGBEF"
#: Most problems listed in one message box.
MAX_PROBLEMS_SHOWN = 12


class FeatureNotAvailable(RegbefError):
    """A button whose function this version does not provide yet."""


# ----------------------------------------------------------------------------------------------
# The interface the macros talk to
# ----------------------------------------------------------------------------------------------
@runtime_checkable
class LiveWorkbook(Protocol):
    """What a macro needs from the workbook it was started from."""

    name: str

    def backend(self) -> WorkbookBackend:
        """A reader back-end over the workbook's sheets and tables."""

    def sheet_names(self) -> list[str]:
        """Sheet names in order."""

    def path(self) -> Path | None:
        """The workbook's file, if it is saved on a local/synced disk."""

    def replace_sheets(self, source: Path, names: Sequence[str]) -> None:
        """Copy the sheets ``names`` from the workbook file ``source`` into this workbook,
        replacing sheets of the same name — all or nothing."""

    def status(self, text: str | None) -> None:
        """Show ``text`` in the status bar (``None`` gives the bar back to Excel)."""

    def alert(self, text: str, title: str = TITLE) -> None:
        """Show a message box."""

    def ask_open_path(self, title: str) -> Path | None:
        """Let the user pick a workbook to open; ``None`` if cancelled."""

    def ask_save_path(self, suggested: str, title: str) -> Path | None:
        """Let the user pick where to save a new workbook; ``None`` if cancelled."""


@dataclass
class MacroResult:
    """What an action reports: a message box text and/or a status bar text."""

    message: str | None = None
    status: str | None = None


# ----------------------------------------------------------------------------------------------
# Messages (Norwegian bokmål by default, English for English workbooks)
# ----------------------------------------------------------------------------------------------
_TEXT = {
    "reading": ("REGBEF: leser og kontrollerer inndata …", "REGBEF: reading and checking inputs …"),
    "projecting": ("REGBEF: framskriver {year} ({t}/{T}) …", "REGBEF: projecting {year} ({t}/{T}) …"),
    "writing": ("REGBEF: skriver resultatark og diagrammer …", "REGBEF: writing result sheets and charts …"),
    "done": ("REGBEF: ferdig – {n} soner, {y0}–{y1} ({s:.1f} s){w}",
             "REGBEF: done – {n} zones, {y0}–{y1} ({s:.1f} s){w}"),
    "warnings": (", {n} advarsel(er) i Kjørelogg", ", {n} warning(s) in the run log"),
    "input_problems": ("Inndata har {n} problem(er). Rett dem og kjør igjen:",
                       "The inputs have {n} problem(s). Fix them and run again:"),
    "more": ("… og {n} til. Trykk «Valider» for hele listen.", "… and {n} more. Press 'Validate' for the full list."),
    "valid": ("Alle inndata og kontroller er i orden. Klar til å kjøre.", "All inputs and checks pass. Ready to run."),
    "template_written": ("Ny mal lagret:\n{path}", "New template saved:\n{path}"),
    "cancelled": ("REGBEF: avbrutt", "REGBEF: cancelled"),
    "compare_pick": ("Velg arbeidsboken med scenariet du vil sammenligne med",
                     "Choose the workbook with the scenario to compare with"),
    "compared": ("REGBEF: scenarier sammenlignet ({a} mot {b})", "REGBEF: scenarios compared ({a} vs {b})"),
    "template_pick": ("Lagre ny REGBEF-mal som", "Save new REGBEF template as"),
    "unexpected": ("Uventet feil: {err}\n\nDetaljer er lagret i:\n{log}\nSend filen til den som "
                   "støtter REGBEF hos dere.",
                   "Unexpected error: {err}\n\nDetails were saved to:\n{log}\nSend the file to "
                   "whoever supports REGBEF for you."),
    "unknown_button": ("Ukjent knapp: {id}", "Unknown button: {id}"),
    "regress_na": (
        "Denne arbeidsboken har ingen regresjonstabeller (tblVariables, tblPanel, tblModels). "
        "Lag en regresjonsarbeidsbok med «regbef-excel regress-template FIL.xlsx», eller bruk "
        "regnearkfunksjonen =REGBEF_REGRESS(y; x; region; år) på dine egne data.",
        "This workbook has no regression tables (tblVariables, tblPanel, tblModels). Make a "
        "regression workbook with 'regbef-excel regress-template FILE.xlsx', or use the worksheet "
        "function =REGBEF_REGRESS(y, x, region, year) on your own data.",
    ),
    "estimating": ("REGBEF: estimerer regresjoner …", "REGBEF: estimating regressions …"),
    "estimated": ("REGBEF: {n} regresjonsmodell(er) estimert", "REGBEF: {n} regression model(s) estimated"),
}  # fmt: skip


def text(key: str, language: str = "nb", **values: object) -> str:
    """A user message in ``language`` with placeholders filled."""
    nb, en = _TEXT[key]
    return (en if language == "en" else nb).format(**values)


def _language(live: LiveWorkbook) -> str:
    names = set(live.sheet_names())
    nb = sum(s.label_nb in names for s in SHEETS.values())
    en = sum(s.label_en in names for s in SHEETS.values())
    return "en" if en > nb else "nb"


def format_input_error(exc: InputError, language: str = "nb") -> str:
    """Message box text for bad input: a headline and the first problems, one per line."""
    problems = list(exc.errors) if isinstance(exc, InputErrors) else [exc]
    lines = [text("input_problems", language, n=len(problems)), ""]
    lines += ["• " + InputError.one_line(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines += ["", text("more", language, n=len(problems) - MAX_PROBLEMS_SHOWN)]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Actions
# ----------------------------------------------------------------------------------------------
def _read(live: LiveWorkbook):
    """(inputs, language, read notes) of the live workbook; raises :class:`InputErrors`."""
    backend = live.backend()
    try:
        res = read_from_backend(backend)
    finally:
        backend.close()
    if res.errors:
        raise InputErrors(res.errors)
    return res.inputs, res.language, res.meta.read_notes


def run_projection(live: LiveWorkbook) -> MacroResult:
    """Read the inputs, project, and replace the output sheets (with charts) in the workbook."""
    t0 = time.perf_counter()
    lang = _language(live)
    live.status(text("reading", lang))
    inputs, lang, notes = _read(live)
    seconds = {"read": time.perf_counter() - t0}

    def progress(t: int, T: int) -> None:
        live.status(text("projecting", lang, year=inputs.base_year + t, t=t, T=T))

    t1 = time.perf_counter()
    projection = project(inputs, progress=progress)
    projection.warnings[:0] = notes
    seconds["project"] = time.perf_counter() - t1
    live.status(text("writing", lang))
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        out = Path(tmp) / "regbef-resultater.xlsx"
        log = run_log(projection, input_path=live.path(), seconds=seconds)
        write_results(projection, out, language=lang, run_log=log)
        live.replace_sheets(out, list(output_sheet_names(lang).values()))
    n_warn = len(projection.warnings)
    w = text("warnings", lang, n=n_warn) if n_warn else ""
    return MacroResult(status=text("done", lang, n=len(inputs.zone_codes), y0=inputs.base_year,
                                   y1=inputs.horizon, s=time.perf_counter() - t0, w=w))  # fmt: skip


def validate_inputs(live: LiveWorkbook) -> MacroResult:
    """Every input problem and failed check, in a message box (nothing is written)."""
    lang = _language(live)
    live.status(text("reading", lang))
    backend = live.backend()
    try:
        res = read_from_backend(backend)
    finally:
        backend.close()
    problems = res.errors  # failed checks included (one front door)
    if problems:
        raise InputErrors(problems)
    return MacroResult(message=text("valid", res.language))


def estimate_regressions(live: LiveWorkbook) -> MacroResult:
    """Estimate the migration regressions of a regression workbook and write its result sheets.

    Uses :mod:`regbef_excel.io.regression_workbook` (the same reader and writer as
    ``regbef-excel regress``) over the live workbook. A workbook without the regression tables
    (e.g. a projection workbook) gets a message saying how to make one.
    """
    lang = _language(live)
    live.status(text("reading", lang))
    backend = live.backend()
    try:
        names = {k.casefold() for k in backend.tables()}
        if "tblvariables" not in names:
            raise FeatureNotAvailable(text("regress_na", lang))
        inp = read_regression_workbook(backend)
    finally:
        backend.close()
    live.status(text("estimating", inp.language))
    run = run_regressions(inp)
    live.status(text("writing", inp.language))
    wb = build_results_workbook(run, language=inp.language)
    inputs = {s.label(la) for s in R.SHEETS.values() for la in ("nb", "en")}
    outputs = [n for n in wb.sheetnames if n not in inputs]
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        out = Path(tmp) / "regbef-regresjon.xlsx"
        wb.save(out)
        live.replace_sheets(out, outputs)
    return MacroResult(status=text("estimated", inp.language, n=len(run.outcomes)))


def build_template(live: LiveWorkbook) -> MacroResult:
    """Write a new, empty REGBEF template (same language) where the user chooses."""
    lang = _language(live)
    target = live.ask_save_path("REGBEF-mal.xlsx" if lang == "nb" else "REGBEF-template.xlsx",
                                text("template_pick", lang))  # fmt: skip
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    current = live.path()
    if current is not None and Path(target).resolve() == current.resolve():
        raise InputError("the template must be saved under a new name (this workbook is open)")
    path = write_template(target, empty=True, language=lang)
    return MacroResult(message=text("template_written", lang, path=path))


def compare_scenarios(live: LiveWorkbook) -> MacroResult:
    """Project this workbook and another one, and write a comparison sheet with a chart."""
    lang = _language(live)
    other = live.ask_open_path(text("compare_pick", lang))
    if other is None:
        return MacroResult(status=text("cancelled", lang))
    live.status(text("reading", lang))
    inputs_a, lang, _notes = _read(live)
    with OpenpyxlBackend(other) as be:
        inputs_b, _ = read_inputs(be)
    live.status(text("projecting", lang, year=inputs_a.horizon, t=1, T=1))
    pa, pb = project_cached(inputs_a), project_cached(inputs_b)
    live.status(text("writing", lang))
    name_a, name_b = live.name, Path(other).name
    wb = scenario_comparison_workbook(pa, pb, name_a, name_b, language=lang)
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        out = Path(tmp) / "regbef-scenarier.xlsx"
        wb.save(out)
        live.replace_sheets(out, [COMPARISON_SHEET[lang]])
    return MacroResult(status=text("compared", lang, a=name_a, b=name_b))


def about(live: LiveWorkbook) -> MacroResult:
    """Versions, where Python runs from, and where to find help."""
    try:
        xlw = version("xlwings")
    except Exception:  # noqa: BLE001
        xlw = "?"
    lines = [
        f"REGBEF for Excel – regbef_excel {__version__} (skjema {SCHEMA_VERSION})",
        f"xlwings {xlw}, Python {platform.python_version()}",
        f"Python: {sys.executable}",
        "",
        "Kjør framskriving: leser inndatatabellene, framskriver og skriver resultatark med diagrammer.",
        "Valider: lister alle problemer i inndata uten å skrive noe.",
        "Sammenlign scenarier: sammenligner med en annen REGBEF-arbeidsbok.",
        "Lag mal: lagrer en ny, tom REGBEF-arbeidsbok.",
        "Regnearkfunksjoner: =REGBEF_RUN(), =REGBEF_ROGERS_CASTRO(), =REGBEF_HADWIGER(), "
        "=REGBEF_ROGEST(), =REGBEF_REGRESS(), =REGBEF_AGEGROUPS(), =REGBEF_CHECK(), =REGBEF_VERSION()",
        "",
        "Brukerveiledning: docs/brukerveiledning.md. Uten makroer: regbef-excel run ARBEIDSBOK.xlsx",
    ]
    return MacroResult(message="\n".join(lines))


#: Ribbon button id → action. The ids are the ``id`` attributes in ``workbook/customUI*.xml``.
ACTIONS: dict[str, Callable[[LiveWorkbook], MacroResult]] = {
    "regbefRun": run_projection,
    "regbefValidate": validate_inputs,
    "regbefRegress": estimate_regressions,
    "regbefCompare": compare_scenarios,
    "regbefTemplate": build_template,
    "regbefAbout": about,
}


def execute(action: str, live: LiveWorkbook) -> bool:
    """Run one action on ``live``; every failure becomes exactly one message box.

    Returns
    -------
    bool
        True if the action succeeded.
    """
    lang = "nb"
    try:
        lang = _language(live)
        fn = ACTIONS.get(action)
        if fn is None:
            raise RegbefError(text("unknown_button", lang, id=action))
        result = fn(live)
    except InputError as exc:
        live.status(None)
        live.alert(format_input_error(exc, lang))
        return False
    except RegbefError as exc:
        live.status(None)
        live.alert(str(exc))
        return False
    except Exception as exc:  # noqa: BLE001 - a planner never sees a traceback
        live.status(None)
        log = _write_crash_log(action)
        live.alert(text("unexpected", lang, err=f"{type(exc).__name__}: {exc}", log=log))
        return False
    live.status(result.status)
    if result.message:
        live.alert(result.message)
    return True


def _write_crash_log(action: str) -> str:
    try:
        fd, name = tempfile.mkstemp(prefix="regbef-feil-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"regbef_excel {__version__}, Python {sys.version}\naction: {action}\n\n")
            fh.write(traceback.format_exc())
        return name
    except OSError:
        return "(could not write a log file)"


# ----------------------------------------------------------------------------------------------
# Scenario comparison sheet
# ----------------------------------------------------------------------------------------------
COMPARISON_SHEET = {"nb": "Scenariosammenligning", "en": "Scenario comparison"}


def scenario_comparison_workbook(pa, pb, name_a: str, name_b: str, *, language: str = "nb"):
    """A workbook with one sheet: population by zone and year for two scenarios, the
    difference, and a line chart of the region totals."""
    wb = Workbook()
    ws = wb.active
    ws.title = COMPARISON_SHEET[language]
    nb = language == "nb"
    ws["A1"] = "Scenariosammenligning" if nb else "Scenario comparison"
    ws["A1"].font = Font(bold=True, size=14, color="1F4E79")
    ws["A2"] = (f"A = {name_a}, B = {name_b}. Folkemengde per 31.12.; differanse = B − A."
                if nb else f"A = {name_a}, B = {name_b}. Population on 31 Dec; difference = B − A.")  # fmt: skip
    ta, tb = pa.total_by_zone(), pb.total_by_zone()
    years = sorted(set(int(y) for y in pa.years) & set(int(y) for y in pb.years))
    head_fill, head_font = PatternFill("solid", fgColor="1F4E79"), Font(bold=True, color="FFFFFF")
    row = 4
    blocks = (("A", ta, None), ("B", tb, None), ("B − A", tb, ta))
    region_rows = []
    for label, frame, minus in blocks:
        header = [label, S.ZONE_NAME.label.get(language), *years]
        for j, h in enumerate(header, start=1):
            c = ws.cell(row=row, column=j, value=h)
            c.fill, c.font = head_fill, head_font
        row += 1
        other = None if minus is None else minus.set_index("zone_name")
        for rec in frame.to_dict("records"):
            name = S.REGION.get(language) if rec["zone_code"] == "" else rec["zone_name"]
            ws.cell(row=row, column=1, value=rec["zone_code"])
            ws.cell(row=row, column=2, value=name)
            for j, y in enumerate(years, start=3):
                v = float(rec[y])
                if other is not None:
                    v -= float(other.loc[rec["zone_name"], y]) if rec["zone_name"] in other.index else 0.0
                c = ws.cell(row=row, column=j, value=round(v, 6))
                c.number_format = S.FMT_SIGNED_PERSONS if minus is not None else S.FMT_PERSONS
            if rec["zone_code"] == "":
                region_rows.append(row)
                for j in range(1, len(years) + 3):
                    ws.cell(row=row, column=j).font = Font(bold=True)
            row += 1
        row += 1
    ws.column_dimensions["B"].width = 22
    ws.freeze_panes = "C5"
    chart = LineChart()
    chart.title = "Folkemengde i regionen" if nb else "Population of the region"
    chart.y_axis.number_format = S.FMT_PERSONS
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for r, label in zip(region_rows[:2], ("A", "B"), strict=False):
        data = Reference(ws, min_col=3, max_col=len(years) + 2, min_row=r, max_row=r)
        chart.add_data(data, from_rows=True, titles_from_data=False)
        chart.series[-1].tx = None

        chart.series[-1].tx = SeriesLabel(v=f"{label}: {name_a if label == 'A' else name_b}")
    chart.set_categories(Reference(ws, min_col=3, max_col=len(years) + 2, min_row=4, max_row=4))
    chart.height, chart.width = 8, 18
    ws.add_chart(chart, f"B{row + 1}")
    return wb


# ----------------------------------------------------------------------------------------------
# Live Excel through xlwings
# ----------------------------------------------------------------------------------------------
class XlwingsLiveWorkbook:
    """:class:`LiveWorkbook` over an ``xlwings.Book`` (Windows/macOS Excel). Thin by design."""

    def __init__(self, book) -> None:  # noqa: ANN001 - xlwings.Book
        self.book = book
        self.name = str(book.name)

    @classmethod
    def caller(cls) -> XlwingsLiveWorkbook:
        import xlwings as xw

        return cls(xw.Book.caller())

    def backend(self) -> WorkbookBackend:
        return XlwingsBackend(self.book)

    def sheet_names(self) -> list[str]:
        return [str(s.name) for s in self.book.sheets]

    def path(self) -> Path | None:
        full = str(self.book.fullname)
        # unsaved books have no folder; OneDrive/SharePoint books have an https:// name
        return Path(full) if os.path.isabs(full) and os.path.exists(full) else None

    def status(self, text: str | None) -> None:
        self.book.app.status_bar = text if text else False

    def alert(self, text: str, title: str = TITLE) -> None:
        self.book.app.alert(text, title=title)

    def ask_open_path(self, title: str) -> Path | None:
        if sys.platform != "win32":
            raise FeatureNotAvailable("Choosing a file is only supported on Windows; on macOS use "
                                      "regbef-excel on the command line.")  # fmt: skip
        got = self.book.app.api.GetOpenFilename("Excel (*.xlsx;*.xlsm),*.xlsx;*.xlsm", 1, title)
        return Path(got) if isinstance(got, str) and got else None

    def ask_save_path(self, suggested: str, title: str) -> Path | None:
        if sys.platform != "win32":
            folder = self.path().parent if self.path() else Path.home()
            return _unique(folder / suggested)
        got = self.book.app.api.GetSaveAsFilename(suggested, "Excel (*.xlsx),*.xlsx", 1, title)
        return Path(got) if isinstance(got, str) and got else None

    def replace_sheets(self, source: Path, names: Sequence[str]) -> None:
        app = self.book.app
        updating, alerts = app.screen_updating, app.display_alerts
        app.screen_updating = False
        app.display_alerts = False  # no "delete this sheet?" prompts
        src = app.books.open(str(source), update_links=False, read_only=True)
        copies = []
        try:
            existing = {s.name: s for s in self.book.sheets}
            for i, name in enumerate(names):
                if name not in [s.name for s in src.sheets]:
                    continue
                old = existing.get(name)
                where = {"before": old} if old is not None else {"after": self.book.sheets[-1]}
                new = src.sheets[name].copy(name=f"~regbef{i}", **where)
                copies.append((new, old, name))
        except BaseException:
            for new, _, _ in copies:  # all or nothing: drop the copies made so far
                new.delete()
            raise
        finally:
            src.close()
            app.screen_updating, app.display_alerts = updating, alerts
        try:
            app.display_alerts = False
            for new, old, name in copies:
                if old is not None:
                    old.delete()
                new.name = name
            if copies:
                copies[0][0].activate()
        finally:
            app.display_alerts = alerts


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    for i in range(2, 1000):
        cand = path.with_name(f"{path.stem} ({i}){path.suffix}")
        if not cand.exists():
            return cand
    return path


# ----------------------------------------------------------------------------------------------
# Entry points for VBA RunPython
# ----------------------------------------------------------------------------------------------
def ribbon(control_id: str) -> None:
    """The one ribbon callback: ``m.ribbon(control.Id)`` from ``Sub RegbefRibbon``."""
    execute(control_id, XlwingsLiveWorkbook.caller())


def run() -> None:
    """``RunPython "import regbef_excel.excel.macros as m; m.run()"``"""
    ribbon("regbefRun")


def validate() -> None:
    ribbon("regbefValidate")


def compare() -> None:
    ribbon("regbefCompare")


def template() -> None:
    ribbon("regbefTemplate")


def regress() -> None:
    ribbon("regbefRegress")


def show_about() -> None:
    ribbon("regbefAbout")


__all__ = [
    "ACTIONS",
    "FeatureNotAvailable",
    "LiveWorkbook",
    "MacroResult",
    "XlwingsLiveWorkbook",
    "about",
    "build_template",
    "compare_scenarios",
    "estimate_regressions",
    "execute",
    "format_input_error",
    "ribbon",
    "run_projection",
    "scenario_comparison_workbook",
    "validate_inputs",
]
