"""Worksheet functions called the way Excel calls them: 2-D lists, None, comma decimals, errors."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
from support.synthetic import synthetic_inputs, typical_rc_array

from regbef_excel.app.udf_cache import ProjectionCache
from regbef_excel.engine import project
from regbef_excel.engine.fertility import hadwiger
from regbef_excel.engine.migration import RC_FORMS, rogers_castro
from regbef_excel.excel import udfs, xlwings_udfs
from regbef_excel.io.backend import InMemoryBackend
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.io.xlwings_live import XlwingsBackend
from regbef_excel.schema.udfs import UDFS

RC11 = dict(zip(RC_FORMS[11], [0.02, 0.1, 0.06, 0.1, 20.0, 0.4, 0.003, 0.001, 0.5, 65.0, 0.3], strict=True))


def is_error(out: list[list[object]]) -> bool:
    return len(out) == 1 and len(out[0]) == 1 and str(out[0][0]).startswith("#REGBEF: ")


# -------------------------------------------------------------------------------- conversion
@pytest.mark.parametrize(
    ("value", "expected"),
    [("1,5", 1.5), ("1 234,5", 1234.5), (" 7 ", 7.0), (3, 3.0), (2.5, 2.5), ("12 %", 0.12), ("−3", -3.0)],
)
def test_numbers_as_excel_gives_them(value, expected):
    assert udfs.to_float(value, "x") == pytest.approx(expected)


# COM hands error cells over as 0x800A0000 + xlErr code (xlErrNA 2042, xlErrDiv0 2007).
@pytest.mark.parametrize(("value", "name"), [("#N/A", "#N/A"), (" #value! ", "#VALUE!"),
                                             (-2146828288 + 2042, "#N/A"), (-2146828288 + 2007, "#DIV/0!")])
def test_excel_errors_are_recognised(value, name):
    assert udfs.excel_error(value) == name
    with pytest.raises(udfs.InputError, match="Excel error value"):
        udfs.to_float(value, "ages", 3)


@pytest.mark.parametrize("value", ["N/A", "1,5", 3, True, None])
def test_ordinary_values_are_not_excel_errors(value):
    assert udfs.excel_error(value) is None


def test_shapes():
    assert udfs.as_matrix(None) == [[None]]
    assert udfs.as_matrix(5) == [[5]]
    assert udfs.as_matrix([1, 2]) == [[1, 2]]
    assert udfs.as_matrix([[1], [2, 3]]) == [[1, None], [2, 3]]
    v, orient = udfs.as_vector([[1], [2], ["3,5"]], "ages")
    assert orient == "column" and v.tolist() == [1, 2, 3.5]
    with pytest.raises(udfs.InputError, match="one row or one column"):
        udfs.as_vector([[1, 2], [3, 4]], "ages")


# -------------------------------------------------------------------------------- schedules
def test_rogers_castro_all_parameter_layouts_agree():
    ages = list(range(0, 100))
    expected = rogers_castro(np.arange(100.0), RC11)
    two_cols = [[k, v] for k, v in RC11.items()]
    two_rows = [list(RC11), list(RC11.values())]
    vector = [[str(v).replace(".", ",")] for v in RC11.values()]  # numbers as text, comma decimals
    for params in (two_cols, two_rows, vector):
        out = udfs.regbef_rogers_castro([ages], params)
        assert len(out) == 1, out
        np.testing.assert_allclose(out[0], expected)
    col = udfs.regbef_rogers_castro([[a] for a in ages], two_cols)
    assert len(col) == 100 and len(col[0]) == 1  # same orientation as the ages


def test_rogers_castro_bad_input_is_a_readable_cell():
    out = udfs.regbef_rogers_castro([[0, 1, "x"]], [[k, v] for k, v in RC11.items()])
    assert is_error(out) and "ages, item 3" in out[0][0] and "not a number" in out[0][0]
    out = udfs.regbef_rogers_castro([[0, 1]], [[1, 2, 3]])
    assert is_error(out) and "7, 9, 11 or 13" in out[0][0]
    out = udfs.regbef_rogers_castro([[0, 1], [2, 3]], [[1]])
    assert is_error(out) and "one row or one column" in out[0][0]


def test_hadwiger_matches_engine_and_rejects_bad_parameters():
    ages = [[a] for a in range(15, 50)]
    out = udfs.regbef_hadwiger(ages, "1,8", 3.5, [[29.0]])
    np.testing.assert_allclose([r[0] for r in out], hadwiger(np.arange(15.0, 50), 1.8, 3.5, 29.0))
    assert "must be positive" in udfs.regbef_hadwiger(ages, 1.8, 0, 29)[0][0]
    assert "Excel error value #DIV/0!" in udfs.regbef_hadwiger(ages, "#DIV/0!", 3, 29)[0][0]
    assert "empty cell" in udfs.regbef_hadwiger(ages, None, 3, 29)[0][0]


def test_rogest_recovers_a_schedule_with_missing_cells():
    ages = np.arange(100.0)
    rates = rogers_castro(ages, RC11).tolist()
    rates[50] = None  # an empty cell is a missing rate
    out = udfs.regbef_rogest([list(ages)], [rates], 11)
    assert out[0] == ["parameter", "value"]
    table = {r[0]: r[1] for r in out[1:]}
    fitted = rogers_castro(ages, {k: table[k] for k in RC_FORMS[11]})
    np.testing.assert_allclose(fitted, rogers_castro(ages, RC11), atol=2e-4)
    assert table["converged"] is True
    assert "7, 9, 11 or 13" in udfs.regbef_rogest([list(ages)], [rates], 8)[0][0]
    assert "as many rates" in udfs.regbef_rogest([list(ages)], [rates[:-1]])[0][0]


def test_agegroups():
    ages = list(range(100))
    out = udfs.regbef_agegroups([ages], [[1.0] * 100])
    assert out[0] == ["Aldersgruppe", "Personer"]
    sums = {r[0]: r[1] for r in out[1:]}
    assert sums["1–5 år (barnehage)"] == 5 and sums["Alle aldre"] == 100
    assert sums["16–19 år (videregående)"] == 4 and sums["6–15 år (grunnskole)"] == 10
    assert sums["90 år og eldre"] == 10 and sums["67 år og eldre (pensjonister)"] == 33


# -------------------------------------------------------------------------------- regression
def _panel(n_regions: int = 6, n_years: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    region = np.repeat(np.arange(n_regions), n_years)
    year = np.tile(np.arange(2015, 2015 + n_years), n_regions)
    x1 = rng.normal(size=region.size)
    y = 2.0 * x1 + region * 0.5 + rng.normal(scale=0.1, size=region.size)
    return region, year, x1, y


def test_regress_pooled_and_fixed_effects():
    region, year, x1, y = _panel()
    out = udfs.regbef_regress([["netto"], *[[float(v)] for v in y]], [["ledighet"], *[[str(v).replace(".", ",")] for v in x1]])
    assert out[0] == ["variable", "coef", "std_err", "t", "p_value"]
    assert out[1][0] == "ledighet" and out[1][1] == pytest.approx(2.0, abs=0.3)
    fe = udfs.regbef_regress(
        [["netto"], *[[v] for v in y]], [["ledighet"], *[[v] for v in x1]],
        [["region"], *[[f"R{r}"] for r in region]], [["år"], *[[int(t)] for t in year]], "fe", "robust",
    )  # fmt: skip
    rows = {r[0]: r for r in fe}
    assert rows["ledighet"][1] == pytest.approx(2.0, abs=0.1)
    assert rows["N"][1] == 30 and rows["groups"][1] == 6


def test_regress_bad_input():
    out = udfs.regbef_regress([[1], [2], [3]], [[1], [2]])
    assert is_error(out) and "as many rows" in out[0][0]
    out = udfs.regbef_regress([[1], [2], [3]], [[1], ["#N/A"], [3]])
    assert is_error(out) and "#N/A" in out[0][0]
    out = udfs.regbef_regress([[1], [2], [3]], [[1], [2], [3]], method="ols")
    assert is_error(out)


# -------------------------------------------------------------------------------- REGBEF_RUN
@pytest.fixture
def workbook():
    return build_workbook(synthetic_inputs(3, 5)).to_openpyxl()


def _snapshot(wb) -> dict:
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_run_returns_totals_and_never_writes(workbook):
    before = _snapshot(workbook)
    cache = ProjectionCache()
    out = udfs.regbef_run(backend=lambda: InMemoryBackend(workbook), cache=cache)
    expected = project(synthetic_inputs(3, 5)).total_by_zone()
    assert out[0][:2] == ["Sonenr.", "Sone"] and out[0][2] == 2025
    assert len(out) == 1 + len(expected)
    np.testing.assert_allclose([r[2:] for r in out[1:]], expected.iloc[:, 2:].to_numpy(dtype=float))
    assert out[-1][1] == "Hele regionen"
    assert _snapshot(workbook) == before


def test_run_results_and_cache(workbook):
    cache = ProjectionCache()
    be = lambda: InMemoryBackend(workbook)  # noqa: E731
    code = str(workbook["Soner"]["A5"].value) if "Soner" in workbook.sheetnames else None
    for result in ("agegroups", "komponenter", "pyramide"):
        out = udfs.regbef_run(result, None, None, backend=be, cache=cache)
        assert not is_error(out), out
    assert (cache.misses, cache.hits) == (1, 2)  # unchanged inputs: projected once
    pyr = udfs.regbef_run("pyramid", code, 2027, backend=be, cache=cache)
    assert not is_error(pyr), pyr
    assert pyr[0] == ["Alder", "Menn", "Kvinner"] and len(pyr) == 101
    # a changed input value is a new projection
    ws = next(ws for ws in workbook.worksheets if "tblPopulation" in ws.tables)
    ref = ws.tables["tblPopulation"].ref
    first_data = int(ref.split(":")[0][1:]) + 1
    ws.cell(row=first_data, column=3).value = 1234.0
    udfs.regbef_run(backend=be, cache=cache)
    assert cache.misses == 2


def test_run_bad_inputs_are_readable(workbook):
    ws = next(ws for ws in workbook.worksheets if "tblPopulation" in ws.tables)
    first_data = int(ws.tables["tblPopulation"].ref.split(":")[0][1:]) + 1
    ws.cell(row=first_data, column=3).value = -5
    out = udfs.regbef_run(backend=lambda: InMemoryBackend(workbook), cache=ProjectionCache())
    assert is_error(out)
    assert f"{ws.title}!C{first_data}" in out[0][0]
    check = udfs.regbef_check(backend=lambda: InMemoryBackend(workbook))
    assert all(str(r[0]).startswith("#REGBEF: ") for r in check)
    lines = [r[0] for r in check]
    # the bad cell once, and the failed check C01 once (one front door: no problem listed twice)
    assert len(lines) == len(set(lines)) == 2
    assert f"{ws.title}!C{first_data}" in lines[0] and "C01" in lines[1]


# ------------------------------------------------------- recalculation: the inputs name
@pytest.mark.parametrize("language", ["nb", "en"])
def test_inputs_name_references_every_input_sheet(language):
    """``=REGBEF_RUN(Inndata)`` depends on every input sheet: the name's formula references
    each input sheet's rows, and nothing else."""
    from regbef_excel.schema.inputs import INPUT_SHEETS
    from regbef_excel.schema.udfs import INPUTS_NAME

    wb = build_workbook(synthetic_inputs(3, 5), language=language).to_openpyxl()
    formula = wb.defined_names[INPUTS_NAME[language]].attr_text
    referenced = re.findall(r"'((?:[^']|'')+)'!\$1:\$1048576", formula)
    expected = [s.label(language) for s in INPUT_SHEETS if s.kind == "input"]
    assert referenced == expected and formula.startswith("COUNTA(")
    tables = {t for ws in wb.worksheets if ws.title in referenced for t in ws.tables}
    assert {"tblPopulation", "tblZones", "tblSettings"} <= tables


def test_inputs_argument(workbook):
    """The value of the name (a number) means this workbook; an old-style first argument and a
    broken name give readable cells."""
    be = lambda: InMemoryBackend(workbook)  # noqa: E731
    cache = ProjectionCache()
    plain = udfs.regbef_run(backend=be, cache=cache)
    assert udfs.regbef_run(None, None, None, 2511.0, backend=be, cache=cache) == plain
    assert udfs.regbef_check(2511, backend=be) == [["OK"]]
    old = udfs.regbef_run("total", None, None, "agegroups", backend=be, cache=cache)
    assert is_error(old) and 'REGBEF_RUN(Inndata; "agegroups")' in old[0][0]
    broken = udfs.regbef_check("#REF!", backend=be)
    assert is_error(broken) and "#REF!" in broken[0][0] and "Inndata" in broken[0][0]
    caller = FakeBook(workbook)._sheets[0].range((1, 1), (1, 1))
    caller.sheet = FakeBook(workbook)._sheets[0]
    assert xlwings_udfs.REGBEF_RUN(2511.0, "total", caller=caller) == plain
    assert xlwings_udfs.REGBEF_RUN(None, "agegroups", caller=caller)[0][0] == "Aldersgruppe"


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_evaluates_the_inputs_name(tmp_path):
    """An independent spreadsheet program resolves every reference of the name: its COUNTA
    equals the number of filled cells on the input sheets (an unresolved reference would be an
    error or count as one cell)."""
    import csv
    import subprocess

    from regbef_excel.schema.inputs import INPUT_SHEETS

    wb = build_workbook(synthetic_inputs(3, 5)).to_openpyxl()
    names = {s.label("nb") for s in INPUT_SHEETS if s.kind == "input"}
    filled = sum(c.value not in (None, "") for ws in wb.worksheets if ws.title in names
                 for row in ws.iter_rows() for c in row)  # fmt: skip
    probe = wb.create_sheet("Probe")
    probe["A1"] = "=Inndata"
    path = tmp_path / "fp.xlsx"
    save_workbook(wb, path)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
         "--outdir", str(tmp_path), str(path)],
        capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    with open(tmp_path / "fp-Probe.csv", encoding="utf-8") as fh:
        value = next(csv.reader(fh))[0]
    assert int(float(value)) == filled


def test_run_missing_tables_and_options():
    from openpyxl import Workbook

    out = udfs.regbef_run(backend=lambda: InMemoryBackend(Workbook()))
    assert is_error(out) and "mangler" in out[0][0]  # no sheets: Norwegian, the default language
    assert "unknown result" in udfs.regbef_run("everything", backend=lambda: None)[0][0]
    assert "no workbook" in udfs.regbef_run()[0][0]
    assert "file not found" in udfs.regbef_run(None, None, None, "/nonexistent/x.xlsx")[0][0]


def test_check_ok_and_version(workbook):
    assert udfs.regbef_check(backend=lambda: InMemoryBackend(workbook)) == [["OK"]]
    v = dict(udfs.regbef_version())
    assert v["xlwings"] == "0.37.8"


# -------------------------------------------------------------------------------- wrappers
class FakeRange:
    def __init__(self, ws, r0, c0, r1, c1):
        self.ws, self.row, self.column, self.r1, self.c1 = ws, r0, c0, r1, c1
        self._opts = {}

    @property
    def last_cell(self):
        return FakeRange(self.ws, self.r1, self.c1, self.r1, self.c1)

    def options(self, **opts):
        self._opts = opts
        return self

    @property
    def value(self):
        assert self._opts.get("ndim") == 2 and self._opts.get("err_to_str") is True
        return [[c.value for c in row] for row in self.ws.iter_rows(min_row=self.row, max_row=self.r1,
                                                                    min_col=self.column, max_col=self.c1)]


class FakeTable:
    def __init__(self, ws, t):
        from openpyxl.utils.cell import range_boundaries

        self.name = t.name
        c0, r0, c1, r1 = range_boundaries(t.ref)
        self.range = FakeRange(ws, r0, c0, r1, c1)


class FakeSheet:
    """Just enough of an ``xlwings.Sheet`` over an openpyxl worksheet."""

    def __init__(self, ws, book):
        self.ws, self.name, self.book = ws, ws.title, book
        self.tables = [FakeTable(ws, t) for t in ws.tables.values()]

    @property
    def used_range(self):
        return FakeRange(self.ws, 1, 1, self.ws.max_row, self.ws.max_column)

    def range(self, a, b):
        return FakeRange(self.ws, a[0], a[1], b[0], b[1])


class FakeBook:
    def __init__(self, wb):
        self.name = "kommune.xlsx"
        self._sheets = [FakeSheet(ws, self) for ws in wb.worksheets]

    @property
    def sheets(self):
        book = self

        class Sheets(list):
            def __getitem__(self, key):
                if isinstance(key, str):
                    return next(s for s in book._sheets if s.name == key)
                return list.__getitem__(self, key)

        return Sheets(self._sheets)


def test_xlwings_backend_reads_like_the_file_backend(workbook):
    from regbef_excel.io.read.projection import read_from_backend

    live = read_from_backend(XlwingsBackend(FakeBook(workbook)))
    mem = read_from_backend(InMemoryBackend(workbook))
    assert not live.errors
    np.testing.assert_array_equal(live.inputs.population, mem.inputs.population)


def test_wrappers_use_the_calling_workbook(workbook):
    caller = FakeBook(workbook)._sheets[0].range((1, 1), (1, 1))
    caller.sheet = FakeBook(workbook)._sheets[0]
    out = xlwings_udfs.REGBEF_RUN(caller=caller)
    assert out[0][0] == "Sonenr." and len(out) == 5
    assert xlwings_udfs.REGBEF_CHECK(caller=caller) == [["OK"]]
    had = xlwings_udfs.REGBEF_HADWIGER([[20, 30]], 1.8, 3.5, 29)
    np.testing.assert_allclose(had[0], hadwiger(np.array([20.0, 30.0]), 1.8, 3.5, 29.0), rtol=1e-15)
    assert had[0][0] != had[0][1]  # each age its own value (the schedule is not flat)
    assert xlwings_udfs.REGBEF_RUN.__doc__ == UDFS["REGBEF_RUN"].doc


def test_registry_matches_wrapper_signatures():
    import inspect

    for name, spec in UDFS.items():
        f = getattr(xlwings_udfs, name)
        params = [p for p in inspect.signature(f).parameters if p != "caller"]
        assert params == [a.name for a in spec.args], name
        assert ("caller" in inspect.signature(f).parameters) == spec.uses_caller
        assert all(a.doc for a in spec.args) and spec.doc


def test_typical_rc_array_is_accepted_as_a_vector():
    vec = typical_rc_array()[0, 0] if typical_rc_array().ndim > 1 else typical_rc_array()
    out = udfs.regbef_rogers_castro([[20, 30]], [list(np.ravel(vec)[:13])])
    assert not is_error(out), out


def test_regbef_run_on_a_file_rereads_only_when_the_file_changes(tmp_path):
    import os

    import openpyxl

    from regbef_excel.app.projection import write_template
    from regbef_excel.app.udf_cache import ProjectionCache
    from regbef_excel.excel.udfs import regbef_run

    path = tmp_path / "t.xlsx"
    write_template(path)
    cache = ProjectionCache()
    first = regbef_run("total", None, None, str(path), cache=cache)
    again = regbef_run("total", None, None, str(path), cache=cache)
    assert first == again
    wb = openpyxl.load_workbook(path)
    ws = wb["Befolkning"]
    ref = ws.tables["tblPopulation"].ref
    row = int(ref.split(":")[0][1:]) + 1
    ws.cell(row, 3).value = ws.cell(row, 3).value + 1000  # 1000 more men aged 0 in the first zone
    wb.save(path)
    os.utime(path, ns=(1, 1))  # a different modification time even on coarse clocks
    changed = regbef_run("total", None, None, str(path), cache=cache)
    assert changed != first
