"""The regression workbook: template → regress → tables read back equal fit_panel; bad input."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from regbef_excel.app.regression import regress_file
from regbef_excel.cli import main
from regbef_excel.data.panels import PanelData, VariableInfo, synthetic_panel
from regbef_excel.errors import InputError
from regbef_excel.io import libreoffice_render as render
from regbef_excel.io.read.regression import ModelSpec, read_regression_workbook
from regbef_excel.io.write.regression import write_regression_workbook
from regbef_excel.regression import descriptive_table, fit_panel, mundlak_test
from regbef_excel.schema import regression as R


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(wb, name: str) -> pd.DataFrame:
    for ws in wb.worksheets:
        if name in ws.tables:
            ref = ws.tables[name].ref
            rows = [list(r) for r in ws[ref]]
            values = [[c.value for c in r] for r in rows]
            return pd.DataFrame(values[1:], columns=values[0])
    raise KeyError(name)


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("syn")
    src, out = d / "regresjon.xlsx", d / "regresjon-resultat.xlsx"
    assert main(["regress-template", str(src), "--panel", "synthetic"]) == 0
    before = sha(src)
    assert main(["regress", str(src), "-o", str(out)]) == 0
    assert sha(src) == before  # the input is only read
    return src, out


@pytest.fixture(scope="module")
def out_wb(synthetic_run):
    return load_workbook(synthetic_run[1])


def test_round_trip_numbers_equal_fit_panel(out_wb):
    data = synthetic_panel().data
    wb = out_wb
    coefs = table_rows(wb, "tblCoefficients")
    base = ["arbeidsledighet", "vakanser", "alder1", "kriminalitet", "utdanning",
            "innvandrere", "gifte", "kino", "nedbørS"]  # fmt: skip
    checks = {
        "POLS (9)": dict(x=base, method="pooled"),
        "FE (9)": dict(x=base, method="fe"),
        "FE (3)": dict(x=base[:3], method="fe"),
        "By FE": dict(x=["arbeidsledighet", "by", "arbeidsledighet:by", *base[1:]], method="fe"),
        "Konjunktur POLS": dict(
            x=["arbeidsledighet", "nledighet", "arbeidsledighet:nledighet", *base[1:]],
            method="pooled",
        ),
    }
    for model, kw in checks.items():
        ref = fit_panel(data, "nettoinnflytting", kw["x"], "region", "year", method=kw["method"])
        got = coefs[coefs["Modell"] == model].set_index("Variabel")
        # the sheet lists ticked variables in row order, then the interactions
        assert sorted(got.index) == sorted(ref.params.index)
        got = got.loc[ref.params.index]
        np.testing.assert_allclose(got["Koeffisient"], ref.params, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got["Standardfeil"], ref.bse, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got["p-verdi"], ref.pvalues, rtol=1e-10, atol=1e-12)
    # The thesis-layout sheet holds the same numbers; stars/parentheses are number formats.
    ws = wb["FE"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "arbeidsledighet")
    ref = fit_panel(data, "nettoinnflytting", base, "region", "year", method="fe")
    c, se = ws.cell(row, 10), ws.cell(row + 1, 10)  # column (9)
    assert c.value == pytest.approx(ref.params["arbeidsledighet"], abs=1e-12)
    assert se.value == pytest.approx(ref.bse["arbeidsledighet"], abs=1e-12)
    assert c.number_format.startswith("0.0000") and se.number_format == '"("0.0000")"'
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    for text in ("VARIABLER", "Konstant", "Årsdummyer", "Observasjoner", "R2", "Antall regioner"):
        assert text in labels
    r_obs = labels.index("Observasjoner") + 1
    assert ws.cell(r_obs, 2).value == 2040 and ws.cell(r_obs, 2).number_format == "#,##0"
    assert ws.cell(r_obs + 1, 10).value == pytest.approx(ref.rsquared, abs=1e-12)
    assert any("SYNTETISKE DATA" in str(v) for v in labels)


def test_stars_follow_t_pvalues(out_wb):
    wb = out_wb
    coefs = table_rows(wb, "tblCoefficients")
    ws = wb["POLS"]
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    row = labels.index("vakanser") + 1
    p = coefs[(coefs["Modell"] == "POLS (9)") & (coefs["Variabel"] == "vakanser")]["p-verdi"].item()
    fmt = ws.cell(row, 10).number_format
    expected = "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""
    assert fmt == (f'0.0000"{expected}"' if expected else "0.0000")


def test_output_sheets_descriptives_diagnostics_marginal_plot(out_wb):
    wb = out_wb
    for key in ("run", "descriptives", "correlations", "diagnostics", "marginal", "plot"):
        assert R.OUTPUT_SHEETS[key].label("nb") in wb.sheetnames
    for s in ("Paneldata", "Variabler", "Modeller", "POLS", "FE", "By", "Konjunktur"):
        assert s in wb.sheetnames
    data = synthetic_panel().data
    desc = descriptive_table(data, ["nettoinnflytting", "arbeidsledighet"]).numeric
    ws = wb["Deskriptiv"]
    assert ws["A5"].value == "nettoinnflytting" and ws["B5"].value == 2040
    assert ws["C5"].value == pytest.approx(desc.loc["nettoinnflytting", "mean"], abs=1e-12)
    assert ws["D5"].value == pytest.approx(desc.loc["nettoinnflytting", "sd"], rel=1e-12)
    assert ws["G5"].value == "SYNTETISK"
    diag = table_rows(wb, "tblDiagnostics").set_index("Modell")
    base9 = ["arbeidsledighet", "vakanser", "alder1", "kriminalitet", "utdanning", "innvandrere",
             "gifte", "kino", "nedbørS"]  # fmt: skip
    fe9 = fit_panel(data, "nettoinnflytting", base9, "region", "year", method="fe")
    assert diag.loc["FE (9)", "Mundlak p-verdi"] == pytest.approx(mundlak_test(fe9).pvalue, rel=1e-10)
    # omitted like Stata; the row refers to a note written once under the table, with its models
    lines = [str(c.value) for row in wb["Diagnostikk"].iter_rows(min_col=1, max_col=1) for c in row if c.value]
    year_note = [n for n in lines if "2017.year" in n]
    assert len(year_note) == 1 and year_note[0].startswith("[") and "Konjunktur FE" in year_note[0]
    assert year_note[0].split("]")[0] + "]" in diag.loc["Konjunktur FE", "Merknader"].split(", ")
    assert "utelatt på grunn av kollinearitet" in year_note[0]  # in the workbook's language
    assert sum("manglende verdier" in n for n in lines) <= 2  # not once per model
    me = table_rows(wb, "tblMarginal")
    by = me[(me["Modell"] == "By FE")].set_index("Ved")
    ref = fit_panel(data, "nettoinnflytting",
                    ["arbeidsledighet", "by", "arbeidsledighet:by", "vakanser", "alder1",
                     "kriminalitet", "utdanning", "innvandrere", "gifte", "kino", "nedbørS"],
                    "region", "year", method="fe")  # fmt: skip
    city = ref.params["arbeidsledighet"] + ref.params["arbeidsledighet:by"]
    assert by.loc["1", "Effekt"] == pytest.approx(city, abs=1e-12)
    konj = me[me["Modell"] == "Konjunktur FE"]
    assert list(konj["Ved"]) == ["min", "mean", "max"]
    ws = wb["Marginaleffekter"]
    assert any("KUN GJENGIVELSE" in str(c.value) for row in ws.iter_rows() for c in row)
    assert len(wb["Koeffisientplott"]._charts) == 6
    chart = wb["Koeffisientplott"]._charts[0]
    # each bar's whiskers are the "± 95 %" column right of its effect column, same rows, both ways
    for s in chart.series:
        m = re.fullmatch(r"('Koeffisientplott'!)\$([A-Z])(\$\d+):\$([A-Z])(\$\d+)", s.val.numRef.f)
        assert m and m[2] == m[4], s.val.numRef.f
        half = f"{m[1]}${chr(ord(m[2]) + 1)}{m[3]}:${chr(ord(m[2]) + 1)}{m[5]}"
        assert (s.errBars.errBarType, s.errBars.errValType) == ("both", "cust")
        assert s.errBars.plus.numRef.f == s.errBars.minus.numRef.f == half
    ws = wb["Koeffisientplott"]
    assert str(ws[f"{chr(ord(m[2]) + 1)}{int(m[3][1:]) - 1}"].value).endswith("± 95 %")


def test_output_can_be_run_again(synthetic_run, out_wb, tmp_path):
    """The results workbook is itself a valid input: running it again writes a new workbook
    with the same estimates, and leaves the first results file untouched."""
    _, out = synthetic_run
    again = tmp_path / "again.xlsx"
    first = read_regression_workbook(out)
    assert first.kind == "synthetic" and len(first.models) == 26
    assert any("SYNTETISKE DATA" in n for n in first.notes)
    before = sha(out)
    outcome = regress_file(out, again)
    assert sha(out) == before and again.is_file() and outcome.output_path == again
    assert len(outcome.run.outcomes) == 26
    a = table_rows(out_wb, "tblCoefficients")
    b = table_rows(load_workbook(again, read_only=False), "tblCoefficients")
    assert len(a) > 26 and list(a.columns) == list(b.columns)
    assert list(a["Modell"]) == list(b["Modell"]) and list(a["Variabel"]) == list(b["Variabel"])
    for col in ("Koeffisient", "Standardfeil", "p-verdi"):
        np.testing.assert_allclose(b[col].astype(float), a[col].astype(float), rtol=1e-12, atol=1e-14)


def test_english_real_panel(tmp_path):
    src, out = tmp_path / "reg-en.xlsx", tmp_path / "reg-en-out.xlsx"
    assert main(["regress-template", str(src), "--language", "en"]) == 0
    wb = load_workbook(src, read_only=True)
    assert wb.sheetnames[:5] == ["Cover", "Panel data", "Variables", "Models", "Lists"]
    wb.close()
    outcome = regress_file(src, out)
    res = {o.spec.name: o for o in outcome.run.outcomes}
    assert res["FE (1)"].result.nobs == 159 * 15  # 2011–2025: unemployment from 2011
    assert res["FE (1)"].result.n_missing_dropped == 159 * 5
    assert "listwise" in res["FE (1)"].notes[0]
    wb = load_workbook(out)
    assert "Descriptives" in wb.sheetnames and "Diagnostics" in wb.sheetnames
    labels = [c.value for c in wb["FE"]["A"]]
    assert "Observations" in labels and "Number of regions" in labels
    assert any("ESTIMATED variables" in str(v) for v in labels)
    desc = wb["Descriptives"]
    notes = [desc.cell(r, 7).value for r in range(5, 12)]
    assert "ESTIMATED" in notes


# ---------------------------------------------------------------------------------------------
# Bad input: one clear message, nothing written, input unchanged
# ---------------------------------------------------------------------------------------------
def small_panel() -> PanelData:
    rng = np.random.default_rng(1)
    regions, years = [f"R{i}" for i in range(6)], list(range(2010, 2014))
    d = pd.DataFrame([(r, i + 1, y) for i, r in enumerate(regions) for y in years],
                     columns=["region", "region_code", "year"])  # fmt: skip
    d["y"] = rng.normal(size=len(d))
    d["a"] = rng.normal(size=len(d))
    d["b"] = rng.normal(size=len(d))
    d["c"] = rng.normal(size=len(d))
    variables = tuple(VariableInfo(k, k, k) for k in ("y", "a", "b", "c"))
    return PanelData(d, variables, "real", "Test", "Test")


MODELS = [
    ModelSpec("M1", "T", "y", ("a", "b"), "pooled"),
    ModelSpec("M2", "T", "y", ("a", "b", "a:b"), "fe"),
]
# Layout of the small workbook: tblPanel header row 5 (A region, B code, C year, D y, E a, ...);
# tblModels header row 5, settings rows 6–11 (table, y, estimator, cov, year dummies,
# interactions), tick rows 12–15 (y, a, b, c); models in columns C, D.


def make(tmp_path: Path, edit=None, models=MODELS, panel=None) -> Path:
    path = write_regression_workbook(panel or small_panel(), tmp_path / "in.xlsx", models)
    if edit is not None:  # a planner's edit of the written workbook
        wb = load_workbook(path)
        edit(wb)
        wb.save(path)
    return path


def expect_error(tmp_path: Path, path: Path, *fragments: str, capsys=None) -> None:
    out = tmp_path / "out.xlsx"
    before = sha(path)
    with pytest.raises(InputError) as err:
        regress_file(path, out)
    text = str(err.value)
    for f in fragments:
        assert f in text, text
    assert not out.exists()
    assert sha(path) == before
    if capsys is not None:
        assert main(["regress", str(path), "-o", str(out)]) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("regbef-excel: ")
        assert not out.exists()


def test_small_workbook_runs(tmp_path):
    o = regress_file(make(tmp_path), tmp_path / "ok.xlsx")
    assert [x.result.nobs for x in o.run.outcomes] == [24, 24]


def test_unknown_variable_row_in_models(tmp_path, capsys):
    def edit(wb):
        wb["Modeller"]["A15"] = "ledighet"

    expect_error(tmp_path, make(tmp_path, edit), "Modeller!A15", "ukjent variabel «ledighet»",
                 capsys=capsys)  # fmt: skip


def test_unknown_dependent_and_interaction(tmp_path):
    def edit_y(wb):
        wb["Modeller"]["D7"] = "netto"

    expect_error(tmp_path, make(tmp_path, edit_y), "Modeller!D7", "ukjent variabel «netto»",
                 "kolonne 'M2'")  # fmt: skip

    def edit_i(wb):
        wb["Modeller"]["D11"] = "a:by"

    expect_error(tmp_path, make(tmp_path, edit_i), "Modeller!D11", "'by'")


def test_bad_estimator_and_tick(tmp_path):
    def edit(wb):
        wb["Modeller"]["C8"] = "GMM"

    expect_error(tmp_path, make(tmp_path, edit), "Modeller!C8", "POLS / FE / FD")

    def edit_tick(wb):
        wb["Modeller"]["C13"] = "kanskje"

    expect_error(tmp_path, make(tmp_path, edit_tick), "Modeller!C13", "ikke et kryss")


def test_non_numeric_value(tmp_path, capsys):
    def edit(wb):
        wb["Paneldata"]["E9"] = "n/a"

    expect_error(tmp_path, make(tmp_path, edit), "Paneldata!E9", "column 'a'", "row 9",
                 "non-numeric", capsys=capsys)  # fmt: skip


def test_missing_values_listwise_deletion_reported(tmp_path):
    def edit(wb):
        wb["Paneldata"]["E9"] = None
        wb["Paneldata"]["F12"] = None

    out = tmp_path / "ok.xlsx"
    o = regress_file(make(tmp_path, edit), out)
    m1 = o.run.outcomes[0]
    assert m1.result.nobs == 22 and m1.result.n_missing_dropped == 2
    assert m1.missing_rows == [9, 12]
    assert "2 rows with missing values dropped" in m1.notes[0] and "rows 9, 12" in m1.notes[0]
    diag = table_rows(load_workbook(out), "tblDiagnostics").set_index("Modell")
    assert diag.loc["M1", "Rader tatt ut (mangler)"] == 2


def test_single_year_region(tmp_path, capsys):
    def edit(wb):
        wb["Paneldata"]["A9"] = "R9"  # a typo: R1's 2013 row becomes a one-row region

    expect_error(tmp_path, make(tmp_path, edit), "Paneldata!A9", "bare ett år", "'R9'",
                 capsys=capsys)  # fmt: skip


def test_duplicate_region_year(tmp_path):
    def edit(wb):
        wb["Paneldata"]["C7"] = 2010

    expect_error(tmp_path, make(tmp_path, edit), "Paneldata!C6", "to ganger", "rader 6, 7")


def test_constant_regressor(tmp_path):
    panel = small_panel()
    panel.data["c"] = 3.0
    models = [ModelSpec("M1", "T", "y", ("a", "c"), "pooled")]
    expect_error(tmp_path, make(tmp_path, models=models, panel=panel), "Paneldata",
                 "column 'c'", "constant", "model 'M1'")  # fmt: skip


def test_more_regressors_than_observations(tmp_path):
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"region": ["A", "A", "B", "B"], "region_code": [1, 1, 2, 2],
                      "year": [1, 2, 1, 2]})  # fmt: skip
    keys = ["y", "a", "b", "c", "e"]
    for k in keys:
        d[k] = rng.normal(size=4)
    panel = PanelData(d, tuple(VariableInfo(k, k, k) for k in keys), "real", "T", "T")
    models = [ModelSpec("Big", "T", "y", ("a", "b", "c", "e"), "pooled", time_dummies=False)]
    expect_error(tmp_path, make(tmp_path, models=models, panel=panel), "Modeller",
                 "column 'Big'", "more coefficients")  # fmt: skip


def test_output_must_differ_from_input(tmp_path):
    path = make(tmp_path)
    before = sha(path)
    with pytest.raises(InputError, match="en annen enn inndatafilen"):
        regress_file(path, path)
    assert sha(path) == before


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(not render.available(), reason="LibreOffice and pdftoppm are needed")
def test_output_renders_in_libreoffice(synthetic_run, tmp_path):
    _, out = synthetic_run
    pdf = render.to_pdf(out, tmp_path)
    pages = render.pdf_page_count(pdf)
    assert 20 < pages < 200
    pngs = render.pdf_to_png(pdf, tmp_path / "png", dpi=30, first=pages - 2, last=pages)
    assert len(pngs) == 3 and all(p.stat().st_size > 1000 for p in pngs)
    # Not blank. The thesis-layout FE page shows fit_panel's coefficient and (SE) of
    # arbeidsledighet in column (9), four decimals; the plot pages show the plot's heading and
    # coloured bars.
    import subprocess

    exe = render.pdftoppm_path().replace("pdftoppm", "pdftotext")
    text = subprocess.run([exe, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                          timeout=120).stdout.decode("utf-8")  # fmt: skip
    texts = text.split("\f")[:pages]
    base = ["arbeidsledighet", "vakanser", "alder1", "kriminalitet", "utdanning",
            "innvandrere", "gifte", "kino", "nedbørS"]  # fmt: skip
    ref = fit_panel(synthetic_panel().data, "nettoinnflytting", base, "region", "year", method="fe")
    fe = [t for t in texts if "VARIABLER" in t]  # the thesis-layout table pages
    assert len(fe) >= 6
    coef, se = f"{ref.params['arbeidsledighet']:.4f}".replace("-", "[-\u2212]"), f"({ref.bse['arbeidsledighet']:.4f})"
    assert any(re.search(coef + r"\*{0,3}", t) and se in t for t in fe), (coef, se)
    assert any(t.startswith("Koeffisientplott") for t in texts[-3:])
    for k in range(pages - 2, pages + 1):
        ppm = subprocess.run([render.pdftoppm_path(), "-r", "30", "-f", str(k), "-l", str(k), str(pdf)],
                             capture_output=True, check=True, timeout=120).stdout  # fmt: skip
        magic, w, h, _, data = ppm.split(maxsplit=4)
        img = np.frombuffer(data[: int(w) * int(h) * 3], np.uint8).reshape(int(h), int(w), 3).astype(int)
        assert magic == b"P6" and (img.min(axis=2) < 200).mean() > 0.03, k  # a blank page has 0
        assert ((img.max(axis=2) - img.min(axis=2)) > 60).mean() > 0.005, k  # coloured bars
