"""A planner's journeys end to end through the command line (in-process ``main``), in Norwegian
and English, asserting numbers: a municipality's workbook edited, validated and run; a county's
templates collected; re-estimation over another period; scenario comparison; the consistency
of municipal templates with their county; bad returned workbooks."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from regbef_excel.app.county_context import consistency, county_run
from regbef_excel.cli import main
from regbef_excel.io.read.projection import read_workbook

NOTODDEN = "4005"
LANGS = {"nb": "40", "en": "39"}  # Telemark in bokmål, Vestfold in English


def _cell(path: Path, table: str, key: tuple, column: str):
    """(workbook, worksheet, cell) of ``column`` in the row of ``table`` whose first cells are ``key``."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if table in ws.tables:
            rows = list(ws[ws.tables[table].ref])
            from regbef_excel.schema.inputs import TABLES

            cols = [c.key for c in TABLES[table].columns] if TABLES[table].kind != "keyvalue" else ["key", "label", "value"]
            j = cols.index(column)
            for r in rows[1:]:
                if tuple(c.value for c in r[: len(key)]) == key:
                    return wb, ws, r[j]
    raise KeyError((table, key, column))


def _set(src: Path, dst: Path, table: str, key: tuple, column: str, value) -> object:  # noqa: ANN001
    wb, _, cell = _cell(src, table, key, column)
    old = cell.value
    cell.value = value
    wb.save(dst)
    return old


def _csv_totals(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"zone_code": str})
    assert list(df.columns) == ["zone_code", "zone_name", "year", "sex", "age", "population"]
    assert set(df["sex"]) == {"male", "female"} and df["age"].max() == 99
    return df.groupby(["zone_code", "year"])["population"].sum().unstack("year")


@pytest.fixture(scope="module", params=sorted(LANGS))
def county(request, tmp_path_factory):
    lang = request.param
    out = tmp_path_factory.mktemp(f"county-{lang}") / "maler"
    assert main(["templates", "--county", LANGS[lang], "--out", str(out), "--language", lang, "-q"]) == 0
    return lang, LANGS[lang], sorted(out.glob("*.xlsx"))


# ---------------------------------------------------------------------------------------------
def test_municipal_templates_reproduce_the_county_every_year(county):
    lang, cc, files = county
    run = county_run(cc)
    worst = max(float(np.abs(e).max()) for e in consistency(run).values())
    assert worst < 0.005
    # a template file run unchanged (through the workbook) equals the county projection
    src = files[0]
    out = src.with_name("res.xlsx")
    csv = src.with_name("pop.csv")
    assert main(["run", str(src), "-o", str(out), "--csv", str(csv), "-q"]) == 0
    tot = _csv_totals(csv)
    code = src.name[:4]
    county_tot = run.projection.population[:, run.index(code)].sum(axis=(1, 2))
    np.testing.assert_allclose(tot.loc[code].to_numpy(), county_tot, rtol=0.005)
    # the results workbook keeps every input table (output sheet names never equal input ones)
    assert main(["validate", str(out)]) == 0
    wb = openpyxl.load_workbook(out, read_only=False)
    assert any("tblPopulation" in ws.tables for ws in wb.worksheets)


def test_county_templates_edit_one_collect(county, tmp_path, capsys):
    lang, cc, files = county
    run = county_run(cc)
    # unchanged templates collect to the county projection
    out = tmp_path / "fylke.xlsx"
    csv = tmp_path / "fylke.csv"
    assert main(["collect", *map(str, files), "-o", str(out), "--csv", str(csv), "-q"]) == 0
    tot = _csv_totals(csv)
    codes = list(run.inputs.zone_codes)
    np.testing.assert_allclose(tot.loc[codes].to_numpy(), run.projection.population.sum(axis=(2, 3)).T, rtol=0.005)
    # one municipality raises its fertility level by 20 %
    edited = tmp_path / files[1].name
    code = files[1].name[:4]
    fk = _set(files[1], edited, "tblZoneFactors", (code,), "FK", None)
    _set(files[1], edited, "tblZoneFactors", (code,), "FK", fk * 1.2)
    both = [str(edited if f == files[1] else f) for f in files]
    out2 = tmp_path / "fylke2.xlsx"
    capsys.readouterr()
    assert main(["collect", *both, "-o", str(out2), "-q"]) == 0
    text = capsys.readouterr().out
    assert "1 with changes" in text
    inputs, _ = read_workbook(out2)
    k = run.index(code)
    assert inputs.fertility_level_zone[k] == pytest.approx(run.inputs.fertility_level_zone[k] * 1.2, rel=1e-6)
    others = [j for j in range(len(codes)) if j != k]
    np.testing.assert_allclose(np.delete(inputs.fertility_level_zone, k), run.inputs.fertility_level_zone[others])
    # the change sheet lists it with a positive effect on the municipality's population
    wb = openpyxl.load_workbook(out2, read_only=True)
    name = "Kommunenes endringer" if lang == "nb" else "Municipal changes"
    rows = [r for r in wb[name].iter_rows(min_row=5, values_only=True) if r[0] == code]
    assert rows and rows[0][4] == "FK" and rows[0][6] == pytest.approx(fk * 1.2, rel=1e-5)
    assert rows[0][9] > 50  # more births: more people in the last year


def test_collect_bad_input_one_line_exit_2_nothing_written(county, tmp_path, capsys):
    lang, cc, files = county
    out = tmp_path / "x.xlsx"
    # a municipality twice
    assert main(["collect", str(files[0]), str(files[0]), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and files[0].name in err and "twice" in err
    # a workbook from another county
    other = tmp_path / "other"
    assert main(["templates", "--codes", "0301", "--out", str(other), "--language", lang, "-q"]) == 0
    assert main(["collect", str(files[0]), str(next(other.glob("*.xlsx"))), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "0301" in err and "another county" in err
    # a history shorter than the estimation period
    short = tmp_path / files[0].name
    _set(files[0], short, "tblSettings", ("estimation_start",), "value", 2005)
    _set(short, short, "tblSettings", ("estimation_start",), "value", 2005)
    assert main(["collect", str(short), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert short.name in err and "!C8" in err
    # an older schema version
    old = tmp_path / ("old-" + files[0].name)
    wb = openpyxl.load_workbook(files[0])
    for p in wb.custom_doc_props:
        if p.name == "REGBEF_schema_version":
            p.value = "0"
    wb.save(old)
    assert main(["collect", str(old), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert old.name in err and "schema" in err
    assert not out.exists()


def test_change_estimation_period_estimate_run(county, tmp_path, capsys):
    lang, cc, files = county
    src = files[0]
    code = src.name[:4]
    moved = tmp_path / "moved.xlsx"
    _set(src, moved, "tblSettings", ("estimation_start",), "value", 2020)
    # validate and run refuse: the parameters were estimated from 2016–2025
    assert main(["validate", str(moved)]) == 2
    said = capsys.readouterr()
    assert "!C8" in said.out + said.err and "2016–2025" in said.out + said.err
    assert main(["run", str(moved), "-o", str(tmp_path / "r.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "!C8" in err and "2016–2025" in err and "estimate" in err
    assert not (tmp_path / "r.xlsx").exists()
    est = tmp_path / "est.xlsx"
    assert main(["estimate", str(moved), "-o", str(est), "-q"]) == 0
    before, meta = read_workbook(src)
    after, meta2 = read_workbook(est)
    assert (meta2.estimation_start, meta2.estimation_end) == (2020, 2025)
    # immigration is re-fitted as the mean of 2020–2025 at the same abroad share: the ratio of
    # the new to the old total is the ratio of the mean in-migration of the two periods
    hm = meta.history["tblHistMigration"]
    by_year = hm.groupby("year")["in"].sum()
    expected = by_year.loc[2020:2025].mean() / by_year.loc[2016:2025].mean()
    ratio = after.immigration_total[0] / before.immigration_total[0]
    assert ratio == pytest.approx(expected, rel=1e-6)
    assert not np.allclose(after.fertility_level_zone, before.fertility_level_zone)
    # the estimated workbook runs, and its numbers differ from the template's
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["run", str(src), "-o", str(tmp_path / "ra.xlsx"), "--csv", str(a), "-q"]) == 0
    assert main(["run", str(est), "-o", str(tmp_path / "rb.xlsx"), "--csv", str(b), "-q"]) == 0
    ta, tb = _csv_totals(a).loc[code], _csv_totals(b).loc[code]
    assert ta.iloc[0] == tb.iloc[0] and abs(tb.iloc[-1] - ta.iloc[-1]) > 1


def test_scenario_compare(county, tmp_path, capsys):
    lang, cc, files = county
    src = files[0]
    code = src.name[:4]
    b = tmp_path / "b.xlsx"
    dk = _set(src, b, "tblZoneFactors", (code,), "DK", None)
    _set(src, b, "tblZoneFactors", (code,), "DK", dk * 0.8)
    capsys.readouterr()
    assert main(["compare", str(src), str(b), "-o", str(tmp_path / "cmp.xlsx"), "--language", lang]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith(code))
    # the comparison's difference equals the difference of the two runs
    ra, rb = tmp_path / "a.csv", tmp_path / "bb.csv"
    main(["run", str(src), "-o", str(tmp_path / "ra.xlsx"), "--csv", str(ra), "-q"])
    main(["run", str(b), "-o", str(tmp_path / "rb.xlsx"), "--csv", str(rb), "-q"])
    d = _csv_totals(rb).loc[code].iloc[-1] - _csv_totals(ra).loc[code].iloc[-1]
    assert d > 0  # lower mortality, more people
    assert f"{d:,.0f}".replace(",", " ") in line


def test_csv_long_format_demo(tmp_path):
    csv = tmp_path / "demo.csv"
    assert main(["demo", "-o", str(tmp_path / "demo.xlsx"), "--csv", str(csv), "--language", "en", "-q"]) == 0
    df = pd.read_csv(csv, dtype={"zone_code": str})
    assert list(df.columns) == ["zone_code", "zone_name", "year", "sex", "age", "population"]
    assert len(df) == 17 * 26 * 2 * 100
    assert df["year"].min() == 2025 and df["year"].max() == 2050
    assert df.loc[df["year"] == 2050, "population"].sum() == pytest.approx(180_555, abs=1)
    # the English results workbook keeps its input tables and validates
    assert main(["validate", str(tmp_path / "demo.xlsx")]) == 0
    # a bad --csv name: exit 2, nothing written
    assert main(["demo", "-o", str(tmp_path / "d2.xlsx"), "--csv", str(tmp_path / "x.xlsx")]) == 2
    assert not (tmp_path / "d2.xlsx").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# every edit is carried into the county or refused (one line, sheet!cell, exit 2)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def telemark(tmp_path_factory):
    out = tmp_path_factory.mktemp("telemark") / "maler"
    assert main(["templates", "--county", "40", "--out", str(out), "-q"]) == 0
    return sorted(out.glob("*.xlsx"))


def _edit_rows(src: Path, dst: Path, sheet: str, table: str, edit) -> None:  # noqa: ANN001
    """Edit the data rows of ``table`` as a planner would in Excel (openpyxl, cell by cell)."""
    wb = openpyxl.load_workbook(src)
    ws = wb[sheet]
    for row in list(ws[ws.tables[table].ref])[1:]:
        edit(row)
    wb.save(dst)


def _collect_one_edited(files, edited: Path, tmp_path: Path):  # noqa: ANN001, ANN202
    from regbef_excel.app.collect import collect_workbooks

    mine = [edited if f.name == edited.name else f for f in files]
    return collect_workbooks(mine, tmp_path / "fylke.xlsx")


def test_collect_carries_the_building_programme_and_a_constant_year_factor(telemark, tmp_path):
    from regbef_excel.engine import project

    src = next(f for f in telemark if f.name.startswith(NOTODDEN))
    edited = tmp_path / src.name

    def plan(row):  # noqa: ANN001, ANN202 - 250 dwellings a year 2030–2032, FR 10 % up every year
        if row[0].value in (2030, 2031, 2032):
            row[2].value = 250

    _edit_rows(src, edited, "Boliger", "tblBuilding", plan)
    _edit_rows(edited, edited, "Nivåfaktorer", "tblYearFactors", lambda r: setattr(r[1], "value", r[1].value * 1.1))
    out = _collect_one_edited(telemark, edited, tmp_path)
    alone = project(read_workbook(edited)[0])
    k = out.projection.inputs.zone_codes.index(NOTODDEN)
    # housing: the county's stock and building for Notodden are the municipal run's, every year
    for key in ("housing_stock", "building"):
        np.testing.assert_allclose(np.asarray(out.projection.series[key])[:, k], np.asarray(alone.series[key])[:, 0],
                                   rtol=1e-9)  # fmt: skip
    assert out.projection.series["building"][4:7, k] == pytest.approx([250, 250, 250])
    # housing need follows the population (within the template's consistency)
    np.testing.assert_allclose(out.projection.series["housing_need"][:, k], alone.series["housing_need"][:, 0], rtol=0.005)
    # population 2030 and 2040: the municipal run's, and 10 % more fertility than the county's
    years = list(range(out.projection.inputs.base_year, out.projection.inputs.horizon + 1))
    for y in (2030, 2040):
        t = years.index(y)
        assert out.projection.population[t, k].sum() == pytest.approx(alone.population[t, 0].sum(), rel=0.005)
    t = years.index(2040)
    assert out.projection.population[t, k].sum() > out.baseline.population[t, k].sum() + 50
    # the other municipalities keep their inputs; their populations move only by Notodden's
    # moves to them (internal migration from more people)
    others = [j for j in range(out.projection.inputs.n_zones) if j != k]
    np.testing.assert_allclose(out.projection.inputs.fertility_level_zone[others], out.baseline.inputs.fertility_level_zone[others])
    np.testing.assert_allclose(out.projection.population[:, others].sum(axis=(2, 3)),
                               out.baseline.population[:, others].sum(axis=(2, 3)), rtol=2e-3)  # fmt: skip
    m = next(m for m in out.municipalities if m.code == NOTODDEN)
    assert {(c.table, c.what) for c in m.changes} == {("tblYearFactors", "FR (× every year)"), ("tblBuilding", "BOLBYG (sum)")}


def test_collect_keeps_a_year_varying_fertility_factor_year_by_year(telemark, tmp_path):
    """FR raised by 30 % from 2030 only: the county keeps it as Notodden's zone-by-year factor
    (tblZoneYearFactors), the county workbook re-runs to the same numbers, and Notodden's
    population in 2030 and 2040 is the municipal workbook's."""
    from regbef_excel.engine import project

    src = next(f for f in telemark if f.name.startswith(NOTODDEN))
    edited = tmp_path / src.name
    _edit_rows(src, edited, "Nivåfaktorer", "tblYearFactors",
               lambda r: r[0].value >= 2030 and setattr(r[1], "value", r[1].value * 1.3))  # fmt: skip
    out = _collect_one_edited(telemark, edited, tmp_path)
    alone = project(read_workbook(edited)[0])
    inp = out.projection.inputs
    k = inp.zone_codes.index(NOTODDEN)
    years = list(range(inp.base_year, inp.horizon + 1))
    # year by year, not averaged: 1 before 2030, 1.3 from 2030, only for Notodden
    fr = inp.zone_year("FR")
    assert fr[years.index(2029) - 1, k] == pytest.approx(1.0) and fr[years.index(2030) - 1:, k] == pytest.approx(1.3)
    assert np.all(np.delete(fr, k, axis=1) == 1.0)
    np.testing.assert_allclose(inp.fertility_level_region, out.baseline.inputs.fertility_level_region)
    for y in (2030, 2040):
        t = years.index(y)
        assert out.projection.population[t, k].sum() == pytest.approx(alone.population[t, 0].sum(), rel=0.005)
    t = years.index(2029)
    assert out.projection.population[t, k].sum() == pytest.approx(out.baseline.population[t, k].sum(), rel=1e-9)
    assert out.projection.population[years.index(2040), k].sum() > out.baseline.population[years.index(2040), k].sum() + 200
    # the county workbook holds the factors: validate and run it again, same numbers
    again = tmp_path / "again.csv"
    assert main(["validate", str(tmp_path / "fylke.xlsx")]) == 0
    assert main(["run", str(tmp_path / "fylke.xlsx"), "-o", str(tmp_path / "r.xlsx"), "--csv", str(again), "-q"]) == 0
    np.testing.assert_allclose(_csv_totals(again).loc[NOTODDEN].to_numpy(), out.projection.population[:, k].sum(axis=(1, 2)),
                               atol=0.01)  # fmt: skip


@pytest.mark.parametrize(
    ("sheet", "table", "edit", "cell", "words"),
    [
        # internal out-migration: in a municipal template it is part of EUF (the county context)
        ("Nivåfaktorer", "tblZoneFactors", lambda r: setattr(r[4], "value", 0.5), "Nivåfaktorer!E5",
         "IUF_K er fylkessammenhengen"),
        # one death probability changed: the county has one schedule
        ("Dødelighet", "tblDeathProb", lambda r: r[0].value == 80 and setattr(r[1], "value", r[1].value * 0.9),
         "Dødelighet!B85", "DODRAT er endret ulikt etter alder"),
        # a housing-need rate: one for the county
        ("Boligbehov", "tblHousingNeed", lambda r: r[0].value in ("K", "F") and r[1].value == "80+" and r[2].value == 1
         and setattr(r[4], "value", 0.8), "Boligbehov", "BOLRAT er felles for hele fylket"),
    ],
)  # fmt: skip
def test_collect_refuses_an_edit_the_county_cannot_hold(telemark, tmp_path, capsys, sheet, table, edit, cell, words):
    src = next(f for f in telemark if f.name.startswith(NOTODDEN))
    edited = tmp_path / src.name
    _edit_rows(src, edited, sheet, table, edit)
    out = tmp_path / "fylke.xlsx"
    mine = [str(edited if f.name == edited.name else f) for f in telemark]
    capsys.readouterr()
    assert main(["collect", *mine, "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and edited.name in err and cell in err and words in err
    assert not out.exists()
