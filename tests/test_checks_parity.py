"""Checks-sheet parity: every check C01–C24 counts the same in Python and in the workbook's own
formula, and ``validate`` and ``run`` refuse the same workbooks (one front door).

For each check, a filled template (``regbef-excel template``) is edited so that exactly that
check fails. Then:

(a) Python's count (``run_checks``, as computed inside ``validate``) is non-zero for that check
    and 0 for every other check;
(b) LibreOffice recalculates the workbook (one ``soffice`` call converts all 24 files) and the
    checks sheet shows Python's count in every check cell;
(c) ``validate`` and ``run`` (the CLI, in-process) both exit 2; validate lists the check at its
    cell on the checks sheet, run prints one line — validate's headline and the same number of
    problems — writes no output, and the input file is unchanged.

In every case (and in every other violating edit tried) the reader also reports the cells
themselves — ``Case.reader`` names that message — so the checks are a second, formula-visible
line of defence. ``test_front_door_*`` therefore forces a check to fail on a clean workbook to
show that a failed check alone stops ``run``, ``REGBEF_RUN`` and the macros' reader.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries

from regbef_excel.app import projection as app
from regbef_excel.app.udf_cache import ProjectionCache, read_inputs
from regbef_excel.cli import main
from regbef_excel.errors import InputErrors
from regbef_excel.io import libreoffice_render as render
from regbef_excel.io.read import projection as reader
from regbef_excel.schema.base import normalise_header
from regbef_excel.schema.checks import CHECKS, CheckResult, checks_layout
from regbef_excel.schema.inputs import SHEETS, TABLES

lo = pytest.importorskip("support.libreoffice")
needs_lo = pytest.mark.skipif(lo.SOFFICE is None, reason="LibreOffice (soffice) not installed")

LANG = "nb"
CHECKS_SHEET = SHEETS["checks"].label(LANG)
LAY = checks_layout()
IDS = [c.id for c in CHECKS]

Edits = dict[tuple[str, str], object]  # (sheet, cell) -> new value


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def at(wb, table: str, key: str, i: int) -> tuple[str, str]:
    """(sheet, cell) of column ``key`` in data row ``i`` of an Excel table (``i < 0``: from the
    end). The header is matched, so a reordered template fails here, not in a check."""
    ws = wb[SHEETS[TABLES[table].sheet].label(LANG)]
    c0, r0, c1, r1 = range_boundaries(ws.tables[table].ref)
    aliases = TABLES[table].column(key).header_aliases()
    col = next(c for c in range(c0, c1 + 1) if normalise_header(ws.cell(r0, c).value) in aliases)
    return ws.title, f"{get_column_letter(col)}{r0 + 1 + i if i >= 0 else r1 + 1 + i}"


def setting(wb, key: str) -> tuple[str, str]:
    ws = wb[SHEETS[TABLES["tblSettings"].sheet].label(LANG)]
    c0, r0, c1, r1 = range_boundaries(ws.tables["tblSettings"].ref)
    row = next(r for r in range(r0 + 1, r1 + 1) if ws.cell(r, c0).value == key)
    return at(wb, "tblSettings", "value", row - r0 - 1)


def cells(wb, table: str, i: int) -> Edits:
    """Every cell of data row ``i`` of a table cleared."""
    return {at(wb, table, k, i): None for k in TABLES[table].column_keys}


def n_rows(wb, table: str) -> int:
    ws = wb[SHEETS[TABLES[table].sheet].label(LANG)]
    _, r0, _, r1 = range_boundaries(ws.tables[table].ref)
    return r1 - r0


def rename_zone(old: str, new: str) -> Callable[[openpyxl.Workbook], Edits]:
    """The zone code ``old`` replaced by ``new`` in every input cell (zones, every table, the
    distance matrix header): the zone list then holds ``new`` twice and nothing is unknown."""

    def edit(wb) -> Edits:
        skip = {SHEETS[s].label(LANG) for s in ("cover", "checks")}
        return {(ws.title, c.coordinate): new for ws in wb.worksheets if ws.title not in skip
                for row in ws.iter_rows() for c in row if c.value == old}  # fmt: skip

    return edit


@dataclass(frozen=True)
class Case:
    """A workbook violating exactly one check."""

    what: str
    edit: Callable[[openpyxl.Workbook], Edits]
    #: the reader's own message for the same cells, in the workbook's language ("" would mean:
    #: only the check fails)
    reader: str


def _c04(wb) -> Edits:
    """The last zone code becomes the one before it, everywhere."""
    ws = wb[SHEETS[TABLES["tblZones"].sheet].label(LANG)]
    c0, _, _, r1 = range_boundaries(ws.tables["tblZones"].ref)
    return rename_zone(ws.cell(r1, c0).value, ws.cell(r1 - 1, c0).value)(wb)


def _c21(wb) -> Edits:
    sheet, cell = at(wb, "tblStockByPeriod", "dwellings", 0)
    return {(sheet, cell): wb[sheet][cell].value + 1000}


def _c23(wb) -> Edits:
    sheet, cell = at(wb, "tblDistances", "zone_code", 0)
    right = wb[sheet][cell].offset(column=1)  # the matrix's first distance
    assert isinstance(right.value, float)
    return {(sheet, right.coordinate): -1}


CASES: dict[str, Case] = {
    "C01": Case("population males, first row = -5", lambda wb: {at(wb, "tblPopulation", "males", 0): -5},
                "utenfor gyldig område"),
    "C02": Case("last population row (last zone, age 99) cleared", lambda wb: cells(wb, "tblPopulation", -1),
                "aldre mangler"),
    "C03": Case("population age of the 2nd row = 100", lambda wb: {at(wb, "tblPopulation", "age", 1): 100},
                "utenfor gyldig område"),
    "C04": Case("last zone code (4036) renamed to the one before it (4034) in every input cell", _c04,
                "sonekode står to ganger"),
    "C05": Case("population zone code of the first row = '9999'",
                lambda wb: {at(wb, "tblPopulation", "zone_code", 0): "9999"}, "ukjent sonekode"),
    "C06": Case("death probability (male, 6th row) = 1.5", lambda wb: {at(wb, "tblDeathProb", "male", 5): 1.5},
                "utenfor gyldig område"),
    "C07": Case("fertility rate (2nd row) = -0.1", lambda wb: {at(wb, "tblFertilityRates", "rate", 1): -0.1},
                "utenfor gyldig område"),
    "C08": Case("immigration share of the first zone = 0.9",
                lambda wb: {at(wb, "tblZoneFactors", "EIFU_share", 0): 0.9}, "innvandringsandelene summerer ikke til 1"),
    # horizon = base year alone would also fail C10 (25 year rows for 0 years): clear them too
    "C09": Case("horizon = base year (2025) and the year factors cleared",
                lambda wb: {setting(wb, "horizon"): 2025, **{k: None for i in range(n_rows(wb, "tblYearFactors"))
                                                            for k in cells(wb, "tblYearFactors", i)}},
                "sluttåret må være etter basisåret"),
    "C10": Case("last year-factor year 2050 → 2051", lambda wb: {at(wb, "tblYearFactors", "year", -1): 2051},
                "årsfaktorer mangler for år"),
    "C11": Case("Rogers–Castro a1 (first row) = -0.1", lambda wb: {at(wb, "tblRogersCastro", "a1", 0): -0.1},
                "utenfor gyldig område"),
    "C12": Case("last Rogers–Castro row cleared", lambda wb: cells(wb, "tblRogersCastro", -1),
                "Rogers–Castro-parametre mangler"),
    # clearing the whole row would change the share sum (C08): only the zone code goes
    "C13": Case("zone code of the last zone-factor row cleared",
                lambda wb: {at(wb, "tblZoneFactors", "zone_code", -1): None}, "tom celle"),
    # 1.0 (the boundary) fails C14 too, but then the headline is the engine's "table settings: share
    # of boys must be between 0 and 1", which names no sheet!cell
    "C14": Case("share of boys = 1.5", lambda wb: {setting(wb, "share_boys"): 1.5}, "utenfor gyldig område"),
    "C15": Case("death probability (female, age 99) cleared",
                lambda wb: {at(wb, "tblDeathProb", "female", -1): None}, "tom celle"),
    "C16": Case("a region target for 2020 (base year 2025)",
                lambda wb: {at(wb, "tblTargets", "year", 0): 2020, at(wb, "tblTargets", "steering", 0): 1,
                            at(wb, "tblTargets", "target_type", 0): 1, at(wb, "tblTargets", "value", 0): 100},
                "mål: år før framskrivingsperioden"),
    "C17": Case("a 2030 target for zone '9999'",
                lambda wb: {at(wb, "tblTargets", "year", 0): 2030, at(wb, "tblTargets", "zone_code", 0): "9999",
                            at(wb, "tblTargets", "steering", 0): 1, at(wb, "tblTargets", "target_type", 0): 1,
                            at(wb, "tblTargets", "value", 0): 100},
                "ukjent sonekode"),
    "C18": Case("participation rate (males, first row) = 1.5",
                lambda wb: {at(wb, "tblParticipation", "males", 0): 1.5}, "utenfor gyldig område"),
    "C19": Case("jobs (first row) = -1", lambda wb: {at(wb, "tblJobs", "jobs", 0): -1}, "utenfor gyldig område"),
    "C20": Case("AVGE demolition share (first zone) = 1.5", lambda wb: {at(wb, "tblHousingZones", "AVGE", 0): 1.5},
                "utenfor gyldig område"),
    "C21": Case("dwellings by period of the first zone + 1000", _c21, "boliger etter periode summerer ikke"),
    "C22": Case("SIVRAT (first row) = 1.5", lambda wb: {at(wb, "tblHousingNeed", "SIVRAT", 0): 1.5},
                "utenfor gyldig område"),
    "C23": Case("distance (first row, first column) = -1", _c23, "negativ avstand"),
    "C24": Case("zone code of the last distance-matrix row cleared",
                lambda wb: {at(wb, "tblDistances", "zone_code", -1): None}, "avstandsmatrisen er ikke kvadratisk"),
}  # fmt: skip


assert sorted(CASES) == IDS


@dataclass
class Outcome:
    python: dict[str, int]
    validate_rc: int
    validate_out: list[str]
    run_rc: int
    run_err: list[str]
    output_written: bool
    unchanged: bool
    libreoffice: dict[str, object] | None = None


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def _number(text: str) -> object:
    try:
        x = float(text)
    except ValueError:
        return text  # an error value such as '#VALUE!' or 'Err:502' stays visible
    return int(x) if x.is_integer() else x


def _checks_sheet_values(csv_path: Path) -> dict[str, object]:
    """Check id → value LibreOffice computed in its cell on the checks sheet (exported as CSV)."""
    c_id, c_val = (openpyxl.utils.column_index_from_string(LAY.letter(k)) - 1 for k in ("id", "value"))
    with csv_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[LAY.first_row - 1 : LAY.last_row]
    return {r[c_id]: _number(r[c_val]) for r in rows}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    """Build the 24 workbooks, start one LibreOffice conversion of all of them in the background,
    meanwhile run validate and run on each, then collect LibreOffice's values."""
    t0 = time.perf_counter()
    root = tmp_path_factory.mktemp("parity")
    template = app.write_template(root / "template.xlsx", language=LANG)
    wb = openpyxl.load_workbook(template)
    paths: dict[str, Path] = {}
    for cid, case in CASES.items():
        edits = case.edit(wb)
        assert edits, cid
        before = {k: wb[k[0]][k[1]].value for k in edits}
        for (sheet, cell), value in edits.items():
            wb[sheet][cell] = value
        paths[cid] = root / f"{cid}.xlsx"
        wb.save(paths[cid])
        for (sheet, cell), value in before.items():  # back to the clean template
            wb[sheet][cell] = value
    # One soffice call (a profile that recalculates on load) writes the checks sheet of
    # every workbook as CSV: raw values, UTF-8, sheet number N (LibreOffice ≥ 7.2) → '<stem>-<sheet>.csv'.
    # Much faster than saving 24 whole workbooks as .xlsx.
    recalc = root / "recalc"
    recalc.mkdir()
    sheet_no = wb.sheetnames.index(CHECKS_SHEET) + 1
    with tempfile.TemporaryDirectory(prefix="regbef-lo-") as profile:
        cmd = [lo.SOFFICE, f"-env:UserInstallation={render.profile(profile, recalc=True).as_uri()}", "--headless", "--norestore",
               "--convert-to", f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet_no}",
               "--outdir", str(recalc), *(str(p) for p in paths.values())]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out: dict[str, Outcome] = {}
            seen: list[list[CheckResult]] = []
            real = reader.run_checks
            with pytest.MonkeyPatch.context() as mp:  # record Python's counts inside validate
                mp.setattr(reader, "run_checks", lambda *a, **k: seen.append(real(*a, **k)) or seen[-1])
                for cid, p in paths.items():
                    digest = sha(p)
                    seen.clear()
                    v_rc, v_out, _ = _cli(["validate", str(p)])
                    assert len(seen) == 1, cid
                    python = {r.id: r.count for r in seen[0]}
                    result = root / f"{cid}-resultat.xlsx"
                    r_rc, _, r_err = _cli(["run", str(p), "-o", str(result), "-q"])
                    out[cid] = Outcome(python, v_rc, v_out.splitlines(), r_rc, r_err.splitlines(),
                                       result.exists(), sha(p) == digest)  # fmt: skip
            log, _ = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for cid, p in paths.items():
        got = sorted(recalc.glob(f"{p.stem}*.csv"))
        assert len(got) == 1, f"LibreOffice made no CSV of {p.name}'s checks sheet: {log}"
        out[cid].libreoffice = _checks_sheet_values(got[0])
    print(f"\nchecks parity: 24 workbooks built, validated, run and recalculated in {time.perf_counter() - t0:.0f} s")
    return out


@pytest.mark.libreoffice
@needs_lo
@pytest.mark.parametrize("cid", IDS)
def test_check_parity(outcomes, cid):
    o, case = outcomes[cid], CASES[cid]
    print(f"{cid} | {case.what} | python {o.python[cid]} | libreoffice {o.libreoffice[cid]}")
    # (a) Python: exactly this check fails
    assert o.python[cid] > 0
    assert {k: v for k, v in o.python.items() if v} == {cid: o.python[cid]}
    # (b) LibreOffice's recalculated checks sheet agrees for every check
    diff = {k: (v, o.libreoffice.get(k)) for k, v in o.python.items() if o.libreoffice.get(k) != v}
    assert o.libreoffice == o.python, f"(python, libreoffice) differ: {diff}"
    # (c) validate: exit 2, the check listed at its cell, no other check; the reader's own message
    cell = f"{CHECKS_SHEET}!{LAY.cell('value', IDS.index(cid))}"
    assert o.validate_rc == 2
    failed = [line for line in o.validate_out if " feilet: " in line and line.startswith(f"{CHECKS_SHEET}!")]
    assert len(failed) == 1 and failed[0].startswith(cell) and f"kontroll {cid} feilet" in failed[0], o.validate_out
    assert any(case.reader in line for line in o.validate_out), o.validate_out  # also a cell-level problem
    #     run: exit 2, one line = validate's headline and as many problems, nothing written
    assert o.run_rc == 2 and len(o.run_err) == 1, o.run_err
    more = len(o.validate_out) - 1
    headline = f"regbef-excel: {o.validate_out[0]}"
    assert o.run_err[0] == headline + (f" (og {more} problem(er) til; kjør 'regbef-excel validate')" if more else "")
    assert re.match(r"regbef-excel: [^:,]+![A-Z]+\d+", o.run_err[0]), o.run_err  # names sheet!cell
    assert not o.output_written
    assert o.unchanged


# ----------------------------------------------------------------------------------------------
# One front door: a failed check alone stops every path that projects
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clean_template(tmp_path_factory) -> Path:
    return app.write_template(tmp_path_factory.mktemp("front") / "ok.xlsx", language=LANG)


@pytest.fixture
def c16_fails(monkeypatch):
    """Python's C16 counts one problem on any workbook (the reader finds none)."""
    real = reader.run_checks

    def fake(*a, **k):
        return [CheckResult(r.id, r.description, 1 if r.id == "C16" else r.count) for r in real(*a, **k)]

    monkeypatch.setattr(reader, "run_checks", fake)
    return f"{CHECKS_SHEET}!{LAY.cell('value', IDS.index('C16'))}"


def test_front_door_cli_and_app(clean_template, tmp_path, c16_fails):
    digest = sha(clean_template)
    out = tmp_path / "resultat.xlsx"
    rc, stdout, _ = _cli(["validate", str(clean_template)])
    assert rc == 2 and len(stdout.splitlines()) == 1  # the check is the only problem
    assert stdout.startswith(c16_fails) and "kontroll C16 feilet" in stdout
    rc, _, err = _cli(["run", str(clean_template), "-o", str(out), "-q"])
    assert rc == 2 and err.strip() == f"regbef-excel: {stdout.strip()}"
    with pytest.raises(InputErrors) as info:
        app.run_workbook(clean_template, out)
    assert [e.one_line() for e in info.value.errors] == stdout.splitlines()
    assert not out.exists() and sha(clean_template) == digest


def test_front_door_udf_and_macros(clean_template, c16_fails):
    from regbef_excel.excel import udfs
    from regbef_excel.io.backend import InMemoryBackend

    got = udfs.regbef_run(None, None, None, str(clean_template), cache=ProjectionCache())
    assert got[0][0].startswith(f"#REGBEF: {c16_fails}"), got
    with pytest.raises(InputErrors) as info:  # the reader of the Run macro and of live REGBEF_RUN
        read_inputs(InMemoryBackend(openpyxl.load_workbook(clean_template)))
    assert info.value.location.cell == c16_fails.split("!")[1]


def test_text_base_year_is_a_problem_not_a_crash(clean_template, tmp_path):
    """C10 raised OverflowError (int(inf)) for a text base year: validate and run crashed."""
    wb = openpyxl.load_workbook(clean_template)
    sheet, cell = setting(wb, "base_year")
    wb[sheet][cell] = "tjuetjuefem"
    path = tmp_path / "tekst.xlsx"
    wb.save(path)
    rc, stdout, _ = _cli(["validate", str(path)])
    assert rc == 2 and stdout.startswith(f"{sheet}!{cell}") and "kontroll C10 feilet" in stdout
    rc, _, err = _cli(["run", str(path), "-o", str(tmp_path / "ut.xlsx"), "-q"])
    assert rc == 2 and err.startswith(f"regbef-excel: {sheet}!{cell}") and "unexpected" not in err
