"""What a planner reads: SSB's age groups everywhere, key figures, chart placement, the words
of Norwegian workbooks, assumption notes, and the regression outputs' samples, notes and SDs."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel import data
from regbef_excel.engine import project
from regbef_excel.engine.results import life_expectancy_at_birth
from regbef_excel.evaluation.backtest import run_backtest
from regbef_excel.evaluation.scenarios import compare_scenarios
from regbef_excel.evaluation.ssb import compare_with_ssb
from regbef_excel.io.write import results as writer
from regbef_excel.io.write.evaluation import write_backtest, write_comparison, write_ssb_comparison
from regbef_excel.io.write.regression import grouped_notes, regressor_sd
from regbef_excel.io.write.sheets import HEADER, shown_text, text_width, wrapped_lines
from regbef_excel.schema import age_groups as AG
from regbef_excel.schema import outputs as S

K, T = 3, 8

#: English words that must not appear in a Norwegian workbook (keys, units, log items).
ENGLISH = ("births", "deaths", "net_external", "net_internal", "capped_persons", "seconds", "checks",
           "not OK", "Whole region", "Age group", "Population", "Persons", "Observed", "Error",
           "Notes", "Models", "effect", "inhabitants", "Total", "Year", "Warnings")  # fmt: skip


@pytest.fixture(scope="module")
def projection():
    inp = add_labour_housing(synthetic_inputs(K, T, seed=5), seed=5)
    return project(inp)


@pytest.fixture(scope="module")
def results_nb(projection, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readable") / "results.xlsx"
    log = {"input_path": "in.xlsx", "checks": {"C01": 0, "C02": 1}, "capped_persons": 0.0,
           "seconds": "read 0.10 s; project 0.02 s", "warnings": []}  # fmt: skip
    return writer.write_results(projection, path, run_log=log)


def workbook_strings(path: Path) -> list[str]:
    """Every string a reader sees: cells (shared and inline strings) and chart texts."""
    out = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if re.match(r"xl/(sharedStrings|worksheets/sheet\d+|charts/chart\d+)\.xml", name):
                out += [t for t in re.findall(r"<(?:\w+:)?t(?: [^>]*)?>([^<]*)</(?:\w+:)?t>", zf.read(name).decode())]
    return out


def english_in(path: Path, allowed: tuple[str, ...] = ()) -> list[str]:
    found = []
    for text in workbook_strings(path):
        for word in ENGLISH:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) and text not in allowed:
                found.append(f"{word!r} in {text!r}")
    return found


# ----------------------------------------------------------------------------- age groups
def test_one_definition_of_the_age_groups():
    keys = [g.key for g in AG.STANDARD_GROUPS]
    assert keys == ["0", "1-5", "6-12", "13-15", "16-19", "20-44", "45-66", "67-79", "80-89", "90+"]
    # contiguous from 0, the last one open
    assert AG.STANDARD_GROUPS[0].first == 0 and AG.STANDARD_GROUPS[-1].is_open
    for a, b in zip(AG.STANDARD_GROUPS, AG.STANDARD_GROUPS[1:], strict=False):
        assert b.first == a.last + 1
    assert [g.key for g in AG.SERVICE_SUM_GROUPS] == ["1-5", "6-15", "16-19", "67+", "80+", "90+"]
    for g in (*AG.STANDARD_GROUPS, *AG.SERVICE_SUM_GROUPS):
        assert g.label.nb and g.label.en and g.label.nb != g.label.en
    # SSB's own labels map onto ours by their ages
    ssb = data.ssb_projection_telemark()[["age_group", "age_from", "age_to"]].drop_duplicates()
    mapped = [AG.group_for_ages(int(f), None if pd.isna(t) else int(t)) for _, f, t in ssb.itertuples(index=False)]
    assert [g.key for g in mapped] == keys


def test_age_group_sheet_sums_and_ratios(projection, results_nb):
    ws = load_workbook(results_nb)[S.AGE_GROUPS.name.get("nb")]
    G, Ssum = len(AG.STANDARD_GROUPS), len(AG.SERVICE_SUM_GROUPS)
    labels = [ws.cell(S.FIRST_DATA_ROW + i, 3).value for i in range(G + Ssum + 3)]
    assert labels[:G] == [g.label.get("nb") for g in AG.STANDARD_GROUPS]
    by_age = projection.population.sum(axis=(1, 2))  # (T+1, A1)
    row = {lab: [ws.cell(S.FIRST_DATA_ROW + i, 4 + t).value for t in range(T + 1)] for i, lab in enumerate(labels)}
    six15 = next(lab for lab in labels if "6–15" in lab)
    np.testing.assert_allclose(row[six15], by_age[:, 6:16].sum(axis=1), atol=1e-4)
    old = next(lab for lab in labels if lab.startswith("Forsørgerbrøk 67+"))
    np.testing.assert_allclose(row[old], 100 * by_age[:, 67:].sum(axis=1) / by_age[:, 20:67].sum(axis=1), atol=1e-4)
    young = next(lab for lab in labels if lab.startswith("Forsørgerbrøk 0–19 år"))
    np.testing.assert_allclose(row[young], 100 * by_age[:, :20].sum(axis=1) / by_age[:, 20:67].sum(axis=1), atol=1e-4)
    # year headers show 31.12. and keep the year as the value
    assert ws.cell(S.HEADER_ROW, 4).value == int(projection.years[0])
    assert ws.cell(S.HEADER_ROW, 4).number_format == S.FMT_YEAR_END


# ----------------------------------------------------------------------------- key figures
def test_life_table_matches_a_hand_computation():
    q = np.zeros(101)
    q[-1] = 1.0  # everybody lives to 100, dies within the open group's half year
    assert life_expectancy_at_birth(q, sex=1) == pytest.approx(100 + 0.5)
    q = np.full(101, 0.1)
    q[-1] = 1.0
    e0 = life_expectancy_at_birth(q, sex=0)
    lx = 0.9 ** np.arange(101)
    a0 = 0.2991  # q0 = 0.1 above the HMD's upper bound for men
    hand = (lx[0] - (1 - a0) * 0.1) + sum(lx[x] - 0.5 * lx[x] * 0.1 for x in range(1, 100)) + lx[100] * 0.5
    assert e0 == pytest.approx(hand, rel=1e-12)


def test_key_figures_are_the_rates_used(projection, results_nb):
    inp = projection.inputs
    tfr_z, tfr_r = projection.total_fertility()
    # TFR = Σ FODRAT · FR_t · FK_k (no reconciliation in these inputs)
    from regbef_excel.engine.fertility import fertility_rates

    expect = fertility_rates(inp).sum() * np.asarray(inp.fertility_level_region)[:, None] * np.asarray(
        inp.fertility_level_zone)[None, :]  # fmt: skip
    np.testing.assert_allclose(tfr_z, expect, rtol=1e-9)
    ws = load_workbook(results_nb)[S.KEY_FIGURES.name.get("nb")]
    assert load_workbook(results_nb, read_only=True).sheetnames.index(S.KEY_FIGURES.name.get("nb")) < \
        load_workbook(results_nb, read_only=True).sheetnames.index(S.POPULATION_SUMMARY.name.get("nb"))
    col = {c.key: j + 1 for j, c in enumerate(S.KEY_FIGURES.columns)}
    r1 = S.FIRST_DATA_ROW + 1  # region, first projection year
    assert ws.cell(r1, col["tfr"]).value == pytest.approx(tfr_r[0], abs=1e-6)
    e0_z, e0_r = projection.life_expectancy()
    assert ws.cell(r1, col["e0_female"]).value == pytest.approx(e0_r[0, 1], abs=1e-6)
    assert 60 < e0_r[0, 0] < e0_r[0, 1] < 100
    comp = projection.components()
    first = comp[comp["year"] == projection.years[1]]
    for key in ("births", "deaths", "EIFN", "EIFU", "EUF", "net_internal", "net_external"):
        assert ws.cell(r1, col[key]).value == pytest.approx(first[key].sum(), abs=1e-4), key
    assert ws.cell(S.FIRST_DATA_ROW, col["births"]).value is None  # base year: no flows


# ----------------------------------------------------------------------------- charts, words, notes
def test_charts_sit_under_their_tables_with_axes_from_zero(results_nb):
    wb = load_workbook(results_nb)
    for key in ("population_summary", "components", "age_groups", "housing_results", "labour_results"):
        ws = wb[S.OUTPUT_SHEETS_BY_KEY[key].name.get("nb")]
        for chart in ws._charts:
            col = chart.anchor._from.col  # 0-based
            assert col <= 12, (key, col)
    with zipfile.ZipFile(results_nb) as zf:
        charts_ = [zf.read(n).decode() for n in zf.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)]
    # the uncertainty sheet's charts show change from the base year and a fan close above its
    # lower bound: their axes are not levels from zero
    unc = S.UNCERTAINTY.name.get("nb")
    lines = [c for c in charts_ if "lineChart" in c and "barChart" not in c and unc not in c]
    assert lines and all(re.search(r'<(?:c:)?min val="0(?:\.0)?"', c) for c in lines)


def test_one_zone_has_no_duplicate_charts(tmp_path):
    p = project(synthetic_inputs(1, 3, seed=1))
    out = writer.write_results(p, tmp_path / "one.xlsx")
    ws = load_workbook(out)[S.POPULATION_SUMMARY.name.get("nb")]
    assert len(ws._charts) == 1


def test_norwegian_results_have_no_english_words(results_nb):
    assert english_in(results_nb) == []


def test_the_word_scan_finds_english(tmp_path, projection):
    out = writer.write_results(projection, tmp_path / "en.xlsx", language="en")
    assert english_in(out)  # the scan is not blind


def test_norwegian_comparisons_have_no_english_words(projection, tmp_path):
    b = project(projection.inputs.replace(immigration_total=np.asarray(projection.inputs.immigration_total) * 1.5))
    comp = compare_scenarios(projection, b, ("trend", "høy"))
    out = write_comparison(comp, tmp_path / "cmp.xlsx")
    assert english_in(out) == []
    bt = write_backtest(run_backtest("40", 2015, horizon_years=3), tmp_path / "bt.xlsx")
    assert english_in(bt) == []
    tm = synthetic_inputs(3, 25, seed=2, base_year=2025).replace(
        zone_codes=("4001", "4003", "4005"), zone_names=("Porsgrunn", "Skien", "Notodden"))
    ssb = compare_with_ssb(project(tm), data.ssb_projection_telemark())
    out = write_ssb_comparison(ssb, tmp_path / "ssb.xlsx")
    assert english_in(out) == []
    texts = workbook_strings(out)
    assert "90 år og eldre" in texts and "90 år eller eldre" not in texts  # our labels for SSB's groups


def test_housing_and_labour_say_they_rest_on_assumptions(results_nb):
    wb = load_workbook(results_nb)
    for sheet in (S.HOUSING_RESULTS, S.LABOUR_RESULTS):
        note = wb[sheet.name.get("nb")].cell(S.UNIT_ROW + 1, 1).value
        assert "ANTAKELSE" in note and "REKONSTRUERT" in note


def test_run_log_in_norwegian(results_nb):
    ws = load_workbook(results_nb)[S.RUN_LOG.name.get("nb")]
    items = {r[0]: r[1] for r in ws.iter_rows(min_row=S.FIRST_DATA_ROW, max_col=2, values_only=True) if r[0]}
    assert items["Tidsbruk"] == "lesing 0.10 s; framskriving 0.02 s"
    assert items["Kontroller"] == "2 kontroller, 1 ikke OK: C02"
    assert "Avkortet utflytting i alt (personer)" in items


# ----------------------------------------------------------------------------- widths
def test_widths_are_measured():
    assert shown_text(2025, S.FMT_YEAR_END) == "31.12.2025"
    assert shown_text(1234567.4, "#,##0") == "1,234,567"
    assert shown_text(0.1234, "0.0 %") == "12.3 %"
    assert text_width("Folkemengde 31.12.", HEADER) == pytest.approx(11 * 1.1)  # wrapped: longest word
    long = "Utflytting ut av regionen (innenlands og utvandring)"
    assert wrapped_lines("Fødte", 8.0) == 1
    assert wrapped_lines(long, 60.0) == 1 < wrapped_lines(long, 30.0) < wrapped_lines(long, 14.0)


def test_results_columns_fit_their_text(results_nb):
    """Text columns are as wide as their longest text, headers as their longest word."""
    ws = load_workbook(results_nb)[S.KEY_FIGURES.name.get("nb")]
    for j in range(1, len(S.KEY_FIGURES.columns) + 1):
        letter = ws.cell(1, j).column_letter
        cells = ws[letter][S.FIRST_DATA_ROW - 1 :]
        texts = [c.value for c in cells if isinstance(c.value, str)]
        word = max(len(w) for w in str(ws.cell(S.HEADER_ROW, j).value).split()) * 1.1
        need = max([len(t) for t in texts] + [word])
        assert ws.column_dimensions[letter].width >= min(need, 16.0), letter


# ----------------------------------------------------------------------------- regression outputs
class _Res:
    def __init__(self, frame: pd.DataFrame, method: str) -> None:
        self.estimation_frame, self.method = frame, method


def test_fe_plot_uses_the_within_sd():
    frame = pd.DataFrame({"region": ["a", "a", "b", "b"], "x": [0.0, 2.0, 10.0, 12.0]})
    assert regressor_sd(_Res(frame, "pooled"), "x", "region") == pytest.approx(np.std([0, 2, 10, 12], ddof=1))
    assert regressor_sd(_Res(frame, "fe"), "x", "region") == pytest.approx(np.std([-1, 1, -1, 1], ddof=1))


def test_each_model_note_once():
    class _Spec:
        def __init__(self, name: str) -> None:
            self.name = name

    class _O:
        def __init__(self, name: str, notes: list[str]) -> None:
            self.spec, self.notes = _Spec(name), notes

    out = grouped_notes([_O("M1", ["missing 5"]), _O("M2", ["missing 5", "other"]), _O("M3", ["missing 5"])])
    assert out == [("missing 5", ["M1", "M2", "M3"]), ("other", ["M2"])]


def test_regression_outputs_in_norwegian_with_both_samples(tmp_path):
    from regbef_excel.cli import main

    src, out = tmp_path / "reg.xlsx", tmp_path / "out.xlsx"
    assert main(["regress-template", str(src), "--panel", "synthetic"]) == 0
    assert main(["regress", str(src), "-o", str(out)]) == 0
    wb = load_workbook(out)
    texts = [c.value for ws in (wb["Kjørelogg"], wb["Deskriptiv"], wb["Diagnostikk"]) for row in ws.iter_rows()
             for c in row if isinstance(c.value, str)]  # fmt: skip
    assert not [t for t in texts if re.search(r"\b(omitted|dropped|rows|not computed|collinearity)\b", t)]
    captions = [t for t in texts if t.startswith(("Estimeringsutvalget", "Alle observasjoner"))]
    assert len(captions) == 2
    log = [c.value for row in wb["Kjørelogg"].iter_rows() for c in row if isinstance(c.value, str)]
    notes = [t for t in log if "kollinearitet" in t]
    assert notes and len(notes) == len(set(notes))  # each note once, beside the models it concerns


def test_history_and_selector_words_follow_the_language(projection, tmp_path):
    """Observed columns, their charts and notes, and the zone selector: no English in a
    Norwegian workbook, and the English one is English."""
    K_, A1 = projection.population.shape[1], projection.population.shape[3]
    pop = np.full((3, K_, 2, A1), np.nan)
    pop[:, 0] = projection.population[0, 0]  # one zone with history, the others without
    history = writer.ObservedHistory((2022, 2023, 2024), pop, "workbook")
    nb = writer.write_results(projection, tmp_path / "nb.xlsx", history=history)
    assert english_in(nb) == []
    texts = workbook_strings(nb)
    assert any(t.startswith("Ingen observert historikk for ") for t in texts)
    assert "Observert 31.12. (arket Historikk)" in texts and "Velg sone" in texts
    en = writer.write_results(projection, tmp_path / "en.xlsx", language="en", history=history)
    texts = workbook_strings(en)
    assert "Observed 31 Dec (the History sheet)" in texts and "Choose zone" in texts
    assert not [t for t in texts if re.search(r"\b(observert|framskrevet|Velg|Stiplet)\b", t)]
