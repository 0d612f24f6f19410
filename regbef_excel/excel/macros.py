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
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from regbef_excel import SCHEMA_VERSION, __version__
from regbef_excel.app.projection import run_log, write_template
from regbef_excel.app.udf_cache import project_cached, read_inputs
from regbef_excel.engine import project
from regbef_excel.errors import FeatureNotAvailable, InputError, InputErrors, RegbefError
from regbef_excel.io.backend import LiveWorkbook
from regbef_excel.io.fast_files import open_file
from regbef_excel.io.read.projection import read_from_backend
from regbef_excel.io.read.regression import read_regression_workbook
from regbef_excel.io.regression_run import run_regressions
from regbef_excel.io.write.evaluation import scenario_comparison_workbook
from regbef_excel.io.write.regression import build_results_workbook
from regbef_excel.io.write.results import write_results
from regbef_excel.io.xlwings_live import XlwingsLiveWorkbook
from regbef_excel.schema import regression as R
from regbef_excel.schema.inputs import SHEETS
from regbef_excel.schema.messages import text
from regbef_excel.schema.outputs import COMPARISON_SHEET, output_sheet_names

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
    with open_file(other) as be:
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
