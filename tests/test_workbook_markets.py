"""Market-model workbook: targets, labour, housing, distances, endogenous Hadwiger (round trips, bad
input naming sheet and cell, output sheets, scenario comparison, back-test and SSB CLIs)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support.markets import assert_same_markets, rich_inputs
from support.synthetic import synthetic_inputs

from regbef_excel.cli import main
from regbef_excel.engine import project
from regbef_excel.engine.housing import HadwigerRegression
from regbef_excel.errors import InputErrors
from regbef_excel.evaluation.scenarios import compare_scenarios
from regbef_excel.io.backend import InMemoryBackend
from regbef_excel.io.read.projection import read_from_backend, read_workbook
from regbef_excel.io.rows import inputs_to_raw_tables
from regbef_excel.io.write import results as writer
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema import SHEETS, TABLES
from regbef_excel.schema import outputs as S
from regbef_excel.schema.checks import run_checks
from regbef_excel.schema.layout import TableLayout


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cell(table: str, key: str, row: int = 0) -> tuple[str, str]:
    """(sheet name nb, A1 address) of data row ``row`` of a table as the builder writes it."""
    t = TABLES[table]
    return SHEETS[t.sheet].label("nb"), TableLayout.of(t).cell(key, row)


def kv_cell(table: str, key: str) -> tuple[str, str]:
    t = TABLES[table]
    i = [c.key for c in t.items].index(key)
    return SHEETS[t.sheet].label("nb"), TableLayout.of(t).cell("value", i)


@pytest.fixture(scope="module")
def inputs():
    inp = rich_inputs()
    K = inp.n_zones
    inp.labour.params = dataclasses.replace(inp.labour.params, external_distance=tuple(80.0 + k for k in range(K)))
    return inp


@pytest.fixture(scope="module")
def good(inputs, tmp_path_factory) -> Path:
    return save_workbook(build_workbook(inputs), tmp_path_factory.mktemp("i3") / "good.xlsx")


# ----------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("language", ["nb", "en"])
def test_round_trip_every_new_table(inputs, tmp_path, language):
    path = save_workbook(build_workbook(inputs, language=language), tmp_path / "w.xlsx")
    before = sha(path)
    out, meta = read_workbook(path)
    assert sha(path) == before
    assert_same_markets(inputs, out)
    assert out.labour.params.external_distance == inputs.labour.params.external_distance
    assert all(r.ok for r in run_checks(inputs_to_raw_tables(inputs))), [r for r in run_checks(inputs_to_raw_tables(inputs)) if not r.ok]
    # rebuilding from what was read gives the same again (comments and flags are stable)
    path2 = save_workbook(build_workbook(out, language=language, meta=meta), tmp_path / "w2.xlsx")
    out2, meta2 = read_workbook(path2)
    assert_same_markets(out, out2)
    assert meta2.comments == meta.comments


def test_variant_dropdown_shows_names(good):
    wb = openpyxl.load_workbook(good)
    sheet, addr = kv_cell("tblSettings", "variant")
    assert wb[sheet][addr].value == "5 – Mål for regionen + arbeidsmarked + boligmarked"
    lists = wb[SHEETS["lists"].label("nb")]
    names = [c.value for row in lists.iter_rows(min_row=5, max_row=10, max_col=1) for c in row]
    assert names[0] == "1 – Trend" and names[5].startswith("6 – ")


def test_assumptions_and_reconstruction_are_flagged(good):
    wb = openpyxl.load_workbook(good)
    ws = wb[SHEETS["labour"].label("nb")]
    lay = TableLayout.of(TABLES["tblLabourParams"])
    comments = [ws[lay.cell("comment", i)].value for i in range(len(TABLES["tblLabourParams"].items))]
    assert all("ANTAKELSE" in c for c in comments)
    ws = wb[SHEETS["fertility"].label("nb")]
    lay = TableLayout.of(TABLES["tblHadwigerRegression"])
    keys = [ws[lay.cell("key", i)].value for i in range(13)]
    flags = [ws[lay.cell("comment", i)].value for i in range(13)]
    assert flags[keys.index("a_inc")].startswith("REKONSTRUERT fortegn")


def test_older_workbook_without_new_sheets_still_reads():
    wb = build_workbook(synthetic_inputs(3, 5)).to_openpyxl()
    for key in ("targets", "labour", "housing", "housing_market", "distances"):
        del wb[SHEETS[key].label("nb")]
    res = read_from_backend(InMemoryBackend(wb))
    assert res.errors == []
    inp = res.inputs
    assert (inp.targets, inp.labour, inp.housing, inp.distances, inp.income) == (None,) * 5
    assert inp.endogenous_hadwiger is False


def test_empty_new_tables_give_none(tmp_path):
    out, _ = read_workbook(save_workbook(build_workbook(synthetic_inputs(3, 5)), tmp_path / "x.xlsx"))
    assert (out.targets, out.labour, out.housing, out.distances) == (None,) * 4
    # the coefficient table always holds its defaults, and they read back as written
    assert out.hadwiger_regression == HadwigerRegression()


# ----------------------------------------------------------------------------- bad input
def problems(good: Path, tmp_path: Path, edit) -> list:
    """Edit a copy of ``good``, read it: every problem listed, the edited file byte-identical."""
    wb = openpyxl.load_workbook(good)
    edit(wb)
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    digest = sha(bad)
    with pytest.raises(InputErrors) as info:
        read_workbook(bad)
    assert sha(bad) == digest
    return info.value.errors


def find(errs, sheet: str, addr: str | None, text: str):
    hits = [e for e in errs if e.location.sheet == sheet and (addr is None or e.location.cell == addr)
            and text in e.message]  # fmt: skip
    assert hits, "\n".join(str(e) for e in errs)
    return hits[0]


def setter(sheet: str, addr: str, value):
    def edit(wb):
        wb[sheet][addr] = value

    return edit


def test_distance_matrix_not_square(good, inputs, tmp_path):
    sheet, _ = cell("tblDistances", "zone_code")
    lay = TableLayout.of(TABLES["tblDistances"])
    below = f"A{lay.first_row + inputs.n_zones}"  # a row typed under the table
    errs = problems(good, tmp_path, setter(sheet, below, "Z999"))
    find(errs, sheet, f"A{lay.header_row}", "avstandsmatrisen er ikke kvadratisk")
    find(errs, sheet, below, "ukjent sonekode")


def test_zone_missing_from_distance_matrix(good, inputs, tmp_path):
    sheet, _ = cell("tblDistances", "zone_code")
    lay = TableLayout.of(TABLES["tblDistances"])
    last_col = openpyxl.utils.get_column_letter(1 + inputs.n_zones)

    def edit(wb):
        wb[sheet][f"{last_col}{lay.header_row}"] = "Z999"

    errs = problems(good, tmp_path, edit)
    find(errs, sheet, f"{last_col}{lay.header_row}", "ukjent sonekode i kolonneoverskriftene")
    e = find(errs, sheet, None, "soner mangler i avstandsmatrisen (kolonner)")
    assert "Z004" in str(e.found)


@pytest.mark.parametrize("value,text", [(-5, "negativ avstand"), (0, "null avstand med potensfunksjonen")])
def test_negative_or_zero_distance(good, tmp_path, value, text):
    sheet, addr = "Avstander", "C6"  # row Z002, column Z002: the diagonal
    e = find(problems(good, tmp_path, setter(sheet, addr, value)), sheet, addr, text)
    assert e.location.table == "tblDistances"


def test_participation_above_one(good, tmp_path):
    sheet, addr = cell("tblParticipation", "males", 2)
    e = find(problems(good, tmp_path, setter(sheet, addr, 1.2)), sheet, addr, "utenfor gyldig område")
    assert sheet == "Arbeidsmarked" and e.location.table == "tblParticipation"


def test_dwellings_by_period_do_not_sum_to_total(good, inputs, tmp_path):
    sheet, addr = cell("tblStockByPeriod", "dwellings", 2)  # zone Z002, first period
    value = float(inputs.housing.stock_by_period[1, 0]) + 10
    e = find(problems(good, tmp_path, setter(sheet, addr, value)), sheet, addr, "summerer ikke til totalen")
    assert sheet == "Boliger" and "Z002" in e.message


def test_targets_outside_years_and_unknown_zone(good, inputs, tmp_path):
    sheet, year_cell = cell("tblTargets", "year", 0)
    _, zone_cell = cell("tblTargets", "zone_code", 1)

    def edit(wb):
        wb[sheet][year_cell] = inputs.base_year
        wb[sheet][zone_cell] = "ZZZ"

    errs = problems(good, tmp_path, edit)
    find(errs, sheet, year_cell, "mål: år før framskrivingsperioden")
    find(errs, sheet, zone_cell, "ukjent sonekode")


def test_unknown_variant(good, tmp_path):
    sheet, addr = kv_cell("tblSettings", "variant")
    e = find(problems(good, tmp_path, setter(sheet, addr, 7)), sheet, addr, "ikke en verdi fra listen")
    assert "1 – Trend" in e.expected


def test_variant_needs_its_sheets(tmp_path):
    path = save_workbook(build_workbook(synthetic_inputs(3, 5).replace(variant=4)), tmp_path / "v.xlsx")
    errs = problems(path, tmp_path, lambda wb: None)
    sheet, addr = kv_cell("tblSettings", "variant")
    e = find(errs, sheet, addr, "trenger arbeidsmarkedsdata")
    assert "Arbeidsmarked" in e.expected


def test_checks_count_the_same_problems_in_python(good, tmp_path):
    sheet, addr = "Avstander", "C6"
    wb = openpyxl.load_workbook(good)
    wb[sheet][addr] = -5
    res = read_from_backend(InMemoryBackend(wb))
    counts = {r.id: r.count for r in run_checks(res.raw)}
    assert counts["C23"] == 1 and sum(counts.values()) == 1


# ----------------------------------------------------------------------------- outputs
@pytest.fixture(scope="module")
def projection(inputs):
    return project(inputs.replace(endogenous_hadwiger=False))


@pytest.fixture(scope="module")
def results(projection, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "results.xlsx"
    writer.write_results(projection, path)
    return openpyxl.load_workbook(path)


def test_output_sheets_present_in_order(results):
    names = results.sheetnames
    new = [S.HOUSING_RESULTS, S.LABOUR_RESULTS, S.MIGRATION_MATRIX, S.COMMUTING]
    idx = [names.index(s.name.get("nb")) for s in new]
    assert idx == sorted(idx) and idx[-1] < names.index(S.RUN_LOG.name.get("nb"))


@pytest.mark.parametrize("sheet,measures,chart_keys", [
    (S.HOUSING_RESULTS, S.HOUSING_MEASURES, ("housing_need", "housing_stock")),
    (S.LABOUR_RESULTS, S.LABOUR_MEASURES, ("labour_supply", "jobs")),
])  # fmt: skip
def test_measure_sheets_hold_the_series(results, projection, sheet, measures, chart_keys):
    ws = results[sheet.name.get("nb")]
    keys = [k for k in measures if k in projection.series]
    T1, K = len(projection.years), len(projection.zone_codes)
    assert [c.value for c in ws[S.HEADER_ROW]][3 : 3 + T1] == [int(y) for y in projection.years]
    for m, key in enumerate(keys):
        arr = projection.series[key]
        off = T1 - arr.shape[0]  # flows leave the base-year column blank
        region = [ws.cell(S.FIRST_DATA_ROW + m, 4 + off + i).value for i in range(arr.shape[0])]
        np.testing.assert_allclose(region, arr.sum(axis=1), atol=1e-5)
        zone_first = next(r for r in range(S.FIRST_DATA_ROW, ws.max_row + 1)
                          if ws.cell(r, 1).value == projection.zone_codes[0])  # fmt: skip
        for z in range(K):
            r = zone_first + len(keys) * z + m
            assert ws.cell(r, 1).value == projection.zone_codes[z]
            assert ws.cell(r, 3).value == measures[key].get("nb")
            vals = [ws.cell(r, 4 + off + i).value for i in range(arr.shape[0])]
            np.testing.assert_allclose(vals, arr[:, z], atol=1e-5)
    # the assumption note next to the numbers
    assert "ANTAKELSE" in ws.cell(S.UNIT_ROW + 1, 1).value
    # one line chart: a series per charted measure, its region row over the year columns
    (chart,) = ws._charts
    title, first, last = sheet.name.get("nb"), "D", openpyxl.utils.get_column_letter(3 + T1)
    rows = [S.FIRST_DATA_ROW + keys.index(k) for k in chart_keys]
    assert [s.val.numRef.f for s in chart.series] == [f"'{title}'!${first}${r}:${last}${r}" for r in rows]
    assert [s.tx.strRef.f for s in chart.series] == [f"'{title}'!$C${r}" for r in rows]
    assert {s.cat.numRef.f for s in chart.series} == {f"'{title}'!${first}${S.HEADER_ROW}:${last}${S.HEADER_ROW}"}


def test_migration_matrix_and_commuting(results, projection):
    K = len(projection.zone_codes)
    ws = results[S.MIGRATION_MATRIX.name.get("nb")]
    m = projection.internal_migration()
    block = np.array([[ws.cell(S.HEADER_ROW + 1 + i, 3 + j).value for j in range(K)] for i in range(K)], float)
    np.testing.assert_allclose(block, m.sum(axis=0), atol=1e-5)
    assert ws.cell(S.HEADER_ROW + 1 + K, 3 + K).value == pytest.approx(m.sum(), abs=1e-4)
    assert len(ws.conditional_formatting) == 2
    wc = results[S.COMMUTING.name.get("nb")]
    c = projection.matrices["commuting"]
    first = np.array([[wc.cell(S.HEADER_ROW + 1 + i, 3 + j).value for j in range(K + 1)] for i in range(K + 1)],
                     float)  # fmt: skip
    np.testing.assert_allclose(first, c[0], atol=1e-5)
    assert wc.cell(S.HEADER_ROW, 3 + K).value == "Utenfor regionen"


def test_no_new_sheets_without_the_data():
    wb = openpyxl.load_workbook(io.BytesIO(writer.result_sheets(project(synthetic_inputs(3, 4)))))
    assert wb.sheetnames == [s.name.get("nb") for s in S.OUTPUT_SHEETS]


# ----------------------------------------------------------------------------- scenarios
def test_compare_scenarios_tables(projection, inputs):
    a = project(inputs.replace(variant=1, endogenous_hadwiger=False))
    comp = compare_scenarios(a, projection, ("Trend", "Program"))
    pop = comp.population
    tot_a, tot_b = a.population.sum(axis=(2, 3)), projection.population.sum(axis=(2, 3))
    reg = comp.region()
    np.testing.assert_allclose(reg["a"], tot_a.sum(axis=1))
    np.testing.assert_allclose(reg["difference"], tot_b.sum(axis=1) - tot_a.sum(axis=1))
    z = pop[(pop["zone_code"] == "Z002") & (pop["year"] == comp.horizon)].iloc[0]
    assert z["pct_difference"] == pytest.approx(100 * (tot_b[-1, 1] - tot_a[-1, 1]) / tot_a[-1, 1])
    g = comp.age_groups
    assert g[(g["zone_code"] == "") & (g["year"] == comp.base_year)]["difference"].abs().max() < 1e-9
    growth = comp.region("components").set_index("component").loc["growth"]
    assert growth["b"] == pytest.approx(tot_b[-1].sum() - tot_b[0].sum())
    with pytest.raises(Exception, match="different zones"):
        compare_scenarios(a, project(synthetic_inputs(2, inputs.n_years)))


def test_cli_compare_end_to_end(inputs, tmp_path, capsys):
    a = save_workbook(build_workbook(inputs.replace(variant=1, endogenous_hadwiger=False)), tmp_path / "trend.xlsx")
    b = save_workbook(build_workbook(inputs.replace(endogenous_hadwiger=False)), tmp_path / "program.xlsx")
    before = (sha(a), sha(b))
    out = tmp_path / "cmp.xlsx"
    assert main(["compare", str(a), str(b), "-o", str(out), "-q"]) == 0
    assert (sha(a), sha(b)) == before
    text = capsys.readouterr().out
    assert "trend" in text and "program" in text and "Region" in text
    wb = openpyxl.load_workbook(out)
    ws = wb[S.SCENARIO_COMPARISON.name.get("nb")]
    assert ws["A1"].value == "Scenariosammenligning: trend og program"
    assert len(ws._charts) == 2
    assert main(["compare", str(a), str(b), "-o", str(a)]) == 2  # never over an input


# ----------------------------------------------------------------------------- back-test, SSB
def test_cli_backtest_county_40(tmp_path, capsys):
    out = tmp_path / "bt.xlsx"
    assert main(["backtest", "--county", "40", "--base-year", "2015", "--horizon", "10", "-o", str(out),
                 "--language", "en"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "MAPE" in text and "2025" in text and "naive" in text
    wb = openpyxl.load_workbook(out)
    ws = wb[S.BACKTEST.name.get("en")]
    assert ws["A1"].value.startswith("Back-test: projection from 2015")
    assert len(ws._charts) == 3  # MAPE, projected vs observed, the fan chart with observed points
    values = [c.value for c in ws["B"]]
    assert "Porsgrunn" in values and "Skien" in values


def telemark_like(tmp_path) -> Path:
    inp = synthetic_inputs(3, 25, seed=2, base_year=2025)
    inp = inp.replace(zone_codes=("4001", "4003", "4005"), zone_names=("Porsgrunn", "Skien", "Notodden"))
    return save_workbook(build_workbook(inp), tmp_path / "tm.xlsx")


def test_cli_ssb_compare_shipped_telemark(tmp_path, capsys):
    src = telemark_like(tmp_path)
    before = sha(src)
    out = tmp_path / "ssb.xlsx"
    assert main(["ssb-compare", str(src), "-o", str(out), "-q"]) == 0
    assert sha(src) == before
    text = capsys.readouterr().out
    assert "MMMM" in text and "Porsgrunn" in text and "2050" in text
    ws = openpyxl.load_workbook(out)[S.SSB_COMPARISON.name.get("nb")]
    assert "MMMM" in ws["A1"].value
    assert len(ws._charts) == 2


def test_cli_ssb_compare_other_zones_needs_a_file(tmp_path, capsys):
    src = save_workbook(build_workbook(synthetic_inputs(2, 5)), tmp_path / "x.xlsx")
    out = tmp_path / "ssb.xlsx"
    assert main(["ssb-compare", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no SSB projection is shipped" in err and "--ssb" in err
    assert not out.exists()


def test_scenarios_from_files_of_the_same_name_are_told_apart(tmp_path):
    """A returned copy of a template beside the original has the same file name: the
    comparison names each scenario with the folder that tells them apart."""
    from regbef_excel.app.evaluation import scenario_labels

    a, b = tmp_path / "sendt" / "4005-Notodden.xlsx", tmp_path / "mottatt" / "4005-Notodden.xlsx"
    assert scenario_labels(a, b) == ("4005-Notodden (sendt)", "4005-Notodden (mottatt)")
    assert scenario_labels(tmp_path / "a.xlsx", tmp_path / "b.xlsx") == ("a", "b")
    assert scenario_labels(tmp_path / "x" / "a.xlsx", tmp_path / "x" / "A.xlsx")[0] != \
        scenario_labels(tmp_path / "x" / "a.xlsx", tmp_path / "x" / "A.xlsx")[1]
