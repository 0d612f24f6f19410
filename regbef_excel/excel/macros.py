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
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.app.collect import collect_workbooks
from regbef_excel.app.estimate import estimate_workbook
from regbef_excel.app.estimation_record import check_estimation_record
from regbef_excel.app.evaluation import backtest_county, ssb_frame_for
from regbef_excel.app.observed_history import observed_history
from regbef_excel.app.projection import project_checked, run_log, write_template
from regbef_excel.app.regression import regression_targets
from regbef_excel.app.templates import write_templates
from regbef_excel.app.udf_cache import project_cached, read_inputs
from regbef_excel.errors import FeatureNotAvailable, InputError, InputErrors, Location, RegbefError
from regbef_excel.evaluation.scenarios import compare_scenarios as scenario_comparison
from regbef_excel.evaluation.ssb import compare_with_ssb
from regbef_excel.files import shipped_path
from regbef_excel.io.backend import LiveWorkbook
from regbef_excel.io.fast_files import open_file
from regbef_excel.io.read.projection import read_from_backend
from regbef_excel.io.read.regression import read_regression_workbook
from regbef_excel.io.regression_run import run_regressions
from regbef_excel.io.write.evaluation import write_comparison, write_ssb_comparison
from regbef_excel.io.write.regression import results_sheet_names, write_regression_results
from regbef_excel.io.write.results import write_results
from regbef_excel.io.xlwings_live import XlwingsLiveWorkbook
from regbef_excel.schema.inputs import SHEETS
from regbef_excel.schema.messages import text
from regbef_excel.schema.outputs import SCENARIO_COMPARISON, SSB_COMPARISON, all_output_sheets

#: Most problems listed in one message box.
MAX_PROBLEMS_SHOWN = 12




# ----------------------------------------------------------------------------------------------
# The interface the macros talk to
# ----------------------------------------------------------------------------------------------


@dataclass
class MacroResult:
    """What an action reports: a message box text and/or a status bar text."""

    message: str | None = None
    status: str | None = None


# ----------------------------------------------------------------------------------------------
# Messages (Norwegian bokmål by default, English for English workbooks)
# ----------------------------------------------------------------------------------------------




def _language(live: LiveWorkbook) -> str:
    names = set(live.sheet_names())
    nb = sum(s.label("nb") in names for s in SHEETS.values())
    en = sum(s.label("en") in names for s in SHEETS.values())
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
    # parameters estimated from another period or history are refused, as `run` refuses them
    stale = check_estimation_record(res.meta, res.language)
    return res.inputs, res.language, [*res.meta.read_notes, *stale]


def _output_sheets(live: LiveWorkbook, written: Path, language: str,
                   names: Sequence[str] | None = None) -> list[str]:
    """The sheets of the results file ``written`` to copy into the live workbook: every output
    sheet the file holds (the same set ``regbef-excel run`` writes, incl. housing, labour and
    the migration matrix), never a sheet that holds an input table of the live workbook,
    whatever its name (refused with a message naming the sheet)."""
    src = open_file(written)
    try:
        in_file = src.sheet_names()
    finally:
        src.close()
    wanted = list(names) if names is not None else [s.name.get(language) for s in all_output_sheets()]
    chosen = [n for n in wanted if n in in_file]
    backend = live.backend()
    try:
        holding_inputs = {t.sheet.casefold() for t in backend.tables().values()}
    finally:
        backend.close()
    clash = [n for n in chosen if n.casefold() in holding_inputs]
    if clash:
        raise InputError(text("output_would_replace_input", language, sheet=clash[0]),
                         location=Location(sheet=clash[0]),
                         expected=text("output_would_replace_input_expected", language))
    return chosen


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
    projection = project_checked(inputs, progress=progress)
    projection.warnings[:0] = notes
    seconds["project"] = time.perf_counter() - t1
    live.status(text("writing", lang))
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        out = Path(tmp) / "regbef-resultater.xlsx"
        log = run_log(projection, input_path=live.path(), seconds=seconds)
        write_results(projection, out, language=lang, run_log=log, history=observed_history(projection))
        live.replace_sheets(out, _output_sheets(live, out, lang))
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
    check_estimation_record(res.meta, res.language)  # what `validate` refuses too
    return MacroResult(message=text("valid", res.language))


def estimate_regressions(live: LiveWorkbook) -> MacroResult:
    """Estimate the migration regressions of a regression workbook and write its result sheets.

    Uses :mod:`regbef_excel.io.read.regression`, :mod:`~regbef_excel.io.regression_run` and
    :mod:`~regbef_excel.io.write.regression` (the same reader, runner and writer as
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
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        out = write_regression_results(run, Path(tmp) / "regbef-regresjon.xlsx", language=inp.language)
        live.replace_sheets(out, _output_sheets(live, out, inp.language, results_sheet_names(run, inp.language)))
    return MacroResult(status=text("estimated", inp.language, n=len(run.outcomes)))


def _refuse_open_workbook(live: LiveWorkbook, target: Path) -> None:
    current = live.path()
    if current is not None and Path(target).resolve() == current.resolve():
        raise InputError("the new workbook must be saved under a new name (this workbook is open)",
                         location=Location(cell=str(target)))  # fmt: skip


def _codes(answer: str) -> list[str]:
    return [c for c in answer.replace(";", ",").replace(" ", ",").split(",") if c]


#: Answers to "which codes?" that ask for the empty template instead.
EMPTY_ANSWERS = {"tom", "empty"}


def new_workbook(live: LiveWorkbook) -> MacroResult:
    """A new REGBEF workbook filled from the embedded SSB data for the municipality or county
    codes the planner types (what ``regbef-excel templates`` does: one municipality gives a
    one-zone workbook, several municipalities or a county one workbook with them as zones);
    ``tom``/``empty`` gives the empty template. Saved where the planner chooses."""
    lang = _language(live)
    answer = live.ask_text(text("new_codes", lang), text("new_title", lang))
    if answer is None or not answer.strip():
        return MacroResult(status=text("cancelled", lang))
    empty = answer.strip().casefold() in EMPTY_ANSWERS
    codes = [] if empty else _codes(answer)
    suggested = ("REGBEF-mal" if lang == "nb" else "REGBEF-template") if empty else "REGBEF-" + "-".join(codes)
    target = live.ask_save_path(suggested + ".xlsx", text("new_pick", lang))
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    target = Path(target)
    _refuse_open_workbook(live, target)
    if empty:
        return MacroResult(message=text("new_written", lang, paths=write_template(target, empty=True, language=lang)))
    county = all(len(c) <= 2 for c in codes)
    live.status(text("generating", lang))
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        res = write_templates(
            Path(tmp) / "out", county=codes if county else None, codes=None if county else codes,
            per="municipality" if not county and len(codes) == 1 else "region", language=lang,
        )  # fmt: skip
        if len(res.paths) == 1:
            written = [Path(shutil.move(res.paths[0], target))]
        else:  # municipalities of several counties: one workbook per county, beside the choice
            written = [Path(shutil.move(p, target.parent / p.name)) for p in res.paths]
    return MacroResult(message=text("new_written", lang, paths="\n".join(map(str, written))))


def build_template(live: LiveWorkbook) -> MacroResult:
    """Write a new, empty REGBEF template (same language) where the user chooses."""
    lang = _language(live)
    target = live.ask_save_path("REGBEF-mal.xlsx" if lang == "nb" else "REGBEF-template.xlsx",
                                text("template_pick", lang))  # fmt: skip
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    _refuse_open_workbook(live, Path(target))
    path = write_template(target, empty=True, language=lang)
    return MacroResult(message=text("template_written", lang, path=path))


def municipal_templates(live: LiveWorkbook) -> MacroResult:
    """One ready-to-fill template per municipality of a county, into a new folder (what
    ``regbef-excel templates --county NN`` does)."""
    lang = _language(live)
    county = live.ask_text(text("county_code", lang), text("templates_title", lang))
    if county is None or not county.strip():
        return MacroResult(status=text("cancelled", lang))
    county = county.strip()
    target = live.ask_save_path(("REGBEF-maler-" if lang == "nb" else "REGBEF-templates-") + county,
                                text("templates_pick", lang))  # fmt: skip
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    target = Path(target)
    folder = target.with_suffix("") if target.suffix.lower() in (".xlsx", ".xlsm") else target
    live.status(text("generating", lang))
    res = write_templates(folder, county=county, per="municipality", language=lang)
    return MacroResult(message=text("templates_written", lang, n=len(res.paths), folder=res.out_dir))


def _saved_path(live: LiveWorkbook, lang: str) -> Path:
    """The file of the live workbook; actions that read the saved file need it saved."""
    here = live.path()
    if here is None:
        raise FeatureNotAvailable(text("save_first", lang, what=text("estimate_title", lang)))
    return here


def estimate_parameters(live: LiveWorkbook) -> MacroResult:
    """Re-fit the generated parameters from the Historikk sheet over the estimation period and
    save a NEW workbook (what ``regbef-excel estimate`` does; reads the saved file)."""
    lang = _language(live)
    here = _saved_path(live, lang)
    suffix = "-estimert" if lang == "nb" else "-estimated"
    target = live.ask_save_path(here.stem + suffix + here.suffix, text("estimate_pick", lang))
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    _refuse_open_workbook(live, Path(target))
    live.status(text("estimating_parameters", lang))
    res = estimate_workbook(here, target, language=lang)
    return MacroResult(message=text("estimate_written", lang, path=res.output_path,
                                    n=sum(res.refitted.values()), kept=len(res.kept)))  # fmt: skip


#: Workbook files ``collect`` takes from the folder the planner points at.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def collect_templates(live: LiveWorkbook) -> MacroResult:
    """Collect the returned municipal workbooks (every workbook in the folder of the one the
    planner picks) into a county run saved as a new workbook (what ``regbef-excel collect``
    does)."""
    lang = _language(live)
    first = live.ask_open_path(text("collect_pick", lang))
    if first is None:
        return MacroResult(status=text("cancelled", lang))
    folder = Path(first).parent
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$"))
    target = live.ask_save_path(("REGBEF-fylke-innsamlet" if lang == "nb" else "REGBEF-county-collected") + ".xlsx",
                                text("collect_save", lang))  # fmt: skip
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    _refuse_open_workbook(live, Path(target))
    files = [p for p in files if p.resolve() != Path(target).resolve()]
    live.status(text("collecting", lang, n=len(files)))
    res = collect_workbooks(files, target, language=lang)
    return MacroResult(message=text("collect_written", lang, n=len(res.municipalities), county=res.county_name,
                                    path=res.output_path))  # fmt: skip


def county_backtest(live: LiveWorkbook) -> MacroResult:
    """Back-test a county from an earlier base year and save the workbook (what
    ``regbef-excel backtest`` does)."""
    lang = _language(live)
    title = text("backtest_title", lang)
    county = live.ask_text(text("county_code", lang), title)
    if county is None or not county.strip():
        return MacroResult(status=text("cancelled", lang))
    answer = live.ask_text(text("backtest_year", lang), title, "2015")
    if answer is None or not answer.strip():
        return MacroResult(status=text("cancelled", lang))
    if not answer.strip().isdigit():
        raise InputError("the base year must be a whole number", location=Location(cell=title),
                         found=answer, expected="e.g. 2015")  # fmt: skip
    county, year = county.strip(), int(answer.strip())
    suggested = ("REGBEF-tilbaketest" if lang == "nb" else "REGBEF-backtest") + f"-{county}-{year}.xlsx"
    target = live.ask_save_path(suggested, text("backtest_pick", lang))
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    _refuse_open_workbook(live, Path(target))
    live.status(text("projecting", lang, year=year, t=0, T=1))
    backtest_county(county, year, str(target), language=lang)
    return MacroResult(message=text("written", lang, path=target))


def ssb_comparison(live: LiveWorkbook) -> MacroResult:
    """Project this workbook and compare it with SSB's municipal projection (main alternative)
    in a sheet of this workbook (what ``regbef-excel ssb-compare`` writes)."""
    lang = _language(live)
    live.status(text("reading", lang))
    inputs, lang, _notes = _read(live)
    frame = ssb_frame_for(inputs.zone_codes, None, live.name)
    live.status(text("projecting", lang, year=inputs.horizon, t=1, T=1))
    comparison = compare_with_ssb(project_cached(inputs), frame, "MMMM")
    live.status(text("writing", lang))
    sheet = SSB_COMPARISON.name.get(lang)
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        out = Path(tmp) / "regbef-ssb.xlsx"
        write_ssb_comparison(comparison, out, language=lang)
        live.replace_sheets(out, [sheet])
    return MacroResult(status=text("ssb_compared", lang, sheet=sheet))


def targets_from_regression(live: LiveWorkbook) -> MacroResult:
    """Net-migration targets from a fixed-effects regression for this (saved) projection
    workbook, written to a NEW workbook (what ``regbef-excel regress-targets`` does)."""
    lang = _language(live)
    current = live.path()
    if current is None:
        raise RegbefError(text("save_first", lang, what="Regresjon → mål" if lang == "nb" else "Regression → targets"))
    regression = live.ask_open_path(text("targets_pick_regression", lang))
    if regression is None:
        return MacroResult(status=text("cancelled", lang))
    target = live.ask_save_path(current.stem + ("-mål.xlsx" if lang == "nb" else "-targets.xlsx"),
                                text("targets_pick", lang))  # fmt: skip
    if target is None:
        return MacroResult(status=text("cancelled", lang))
    _refuse_open_workbook(live, Path(target))
    live.status(text("estimating", lang))
    res = regression_targets(regression, current, target)
    # the model and its assumptions, as written beside every target
    return MacroResult(message=text("targets_written", lang, n=len(res.targets), path=target) + "\n\n" + res.source)


def compare_scenarios(live: LiveWorkbook) -> MacroResult:
    """Project this workbook and another one, and write a comparison sheet with a chart."""
    lang = _language(live)
    other = live.ask_open_path(text("compare_pick", lang))
    if other is None:
        return MacroResult(status=text("cancelled", lang))
    live.status(text("reading", lang))
    inputs_a, lang, _notes = _read(live)
    with open_file(other) as be:
        inputs_b, _ = read_inputs(be)
    live.status(text("projecting", lang, year=inputs_a.horizon, t=1, T=1))
    pa, pb = project_cached(inputs_a), project_cached(inputs_b)
    live.status(text("writing", lang))
    name_a, name_b = live.name, Path(other).name
    comparison = scenario_comparison(pa, pb, (name_a, name_b))
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        out = write_comparison(comparison, Path(tmp) / "regbef-scenarier.xlsx", language=lang)
        live.replace_sheets(out, [SCENARIO_COMPARISON.name.get(lang)])
    return MacroResult(status=text("compared", lang, a=name_a, b=name_b))


def user_guide() -> Path:
    """The user guide installed with regbef_excel (from the wheel's data files), or the
    checkout's copy."""
    return shipped_path("docs", "brukerveiledning.md")


def open_document(path: Path) -> bool:
    """Open ``path`` with the program the computer uses for it; False if that failed (the
    message box still names the file)."""
    try:
        if sys.platform == "win32":
            try:
                os.startfile(path)  # type: ignore[attr-defined]  # Windows only
            except OSError:  # no program registered for .md: Notepad reads it
                subprocess.Popen(["notepad.exe", str(path)])
        elif sys.platform == "darwin":
            subprocess.Popen(["open", "-t", str(path)])
        else:
            subprocess.Popen(["xdg-open", str(path)])
    except OSError:
        return False
    return True


def about(live: LiveWorkbook) -> MacroResult:
    """Versions, where Python runs from, what each button does; opens the installed user guide."""
    try:
        xlw = version("xlwings")
    except Exception:  # noqa: BLE001
        xlw = "?"
    guide = user_guide()
    opened = guide.exists() and open_document(guide)
    lines = [
        f"REGBEF for Excel – regbef_excel {__version__} (skjema {SCHEMA_VERSION})",
        f"xlwings {xlw}, Python {platform.python_version()}",
        f"Python: {sys.executable}",
        "",
        "Ny arbeidsbok: fylt arbeidsbok for kommune- eller fylkesnummer (SSB-data).",
        "Kjør framskriving: leser inndatatabellene, framskriver og skriver resultatark med diagrammer.",
        "Valider: lister alle problemer i inndata uten å skrive noe.",
        "Sammenlign scenarier / med SSB: sammenligningsark i denne arbeidsboken.",
        "Maler for kommuner: én fylt mal per kommune i et fylke.",
        "Regresjon, Regresjon → mål, Tilbaketest: se brukerveiledningen.",
        "Regnearkfunksjoner: =REGBEF_RUN(Inndata), =REGBEF_CHECK(Inndata), =REGBEF_ROGERS_CASTRO(), "
        "=REGBEF_HADWIGER(), =REGBEF_ROGEST(), =REGBEF_REGRESS(), =REGBEF_AGEGROUPS(), =REGBEF_VERSION()",
        "",
        ("Brukerveiledningen er åpnet: " if opened else "Brukerveiledning: ") + str(guide),
        "Uten makroer: regbef-excel run ARBEIDSBOK.xlsx",
    ]
    return MacroResult(message="\n".join(lines))


#: Ribbon button id → action. The ids are the ``id`` attributes in ``workbook/customUI*.xml``.
ACTIONS: dict[str, Callable[[LiveWorkbook], MacroResult]] = {
    "regbefNew": new_workbook,
    "regbefEstimate": estimate_parameters,
    "regbefRun": run_projection,
    "regbefValidate": validate_inputs,
    "regbefCompare": compare_scenarios,
    "regbefSsb": ssb_comparison,
    "regbefTemplates": municipal_templates,
    "regbefCollect": collect_templates,
    "regbefBacktest": county_backtest,
    "regbefRegress": estimate_regressions,
    "regbefRegressTargets": targets_from_regression,
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




# ----------------------------------------------------------------------------------------------
# Live Excel through xlwings
# ----------------------------------------------------------------------------------------------




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
    ribbon("regbefNew")


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
    "county_backtest",
    "build_template",
    "compare_scenarios",
    "collect_templates",
    "estimate_parameters",
    "estimate_regressions",
    "execute",
    "format_input_error",
    "municipal_templates",
    "new_workbook",
    "open_document",
    "ribbon",
    "run_projection",
    "ssb_comparison",
    "targets_from_regression",
    "user_guide",
    "validate_inputs",
]
