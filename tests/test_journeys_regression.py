"""A planner's journey, end to end in both languages: regression workbook → estimate → targets
from a chosen model → run the projection with them.

Asserts numbers a planner reads: the projection's net migration per municipality and year (the
components sheet of the results) equals the targets (model variant 2 steers to them), and the
targets equal the chosen model's predictions recomputed by hand from the coefficients in the
regression results workbook and the panel in the regression workbook.
"""

from __future__ import annotations

import hashlib

import numpy as np
import openpyxl
import pandas as pd
import pytest

from regbef_excel.cli import main
from regbef_excel.data.panels import REGION, YEAR, ba_zones
from regbef_excel.io.read.regression import read_regression_workbook

MODEL = "FE (2)"  # net migration per 1000 on unemployment and the share aged 0-1, region + year effects

#: Net migration of a zone in the components sheet: over the region's border + internal.
NET_COLUMNS = {"nb": ("Netto flytting over regiongrensen", "Netto intern flytting"),
               "en": ("Net external migration", "Net internal migration")}  # fmt: skip
WORDS = {
    "nb": {"wrote": "skrev", "targets": f"mål fra modellen '{MODEL}'", "source": f"regresjonsmodell '{MODEL}'",
           "coef": "Koeffisienter", "targets_sheet": "Mål", "warning": "advarsel – 10 modeller"},
    "en": {"wrote": "wrote", "targets": f"targets from model '{MODEL}'", "source": f"regression model '{MODEL}'",
           "coef": "Coefficients", "targets_sheet": "Targets", "warning": "warning – 10 models"},
}  # fmt: skip


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_after_header(ws, first: str) -> tuple[list[str], list[tuple]]:
    """The header row whose first cell is ``first`` and the rows under it (to the first blank)."""
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r and r[0] == first)
    body = []
    for r in rows[h + 1:]:
        if r[0] is None and (len(r) < 2 or r[1] is None):
            break
        body.append(r)
    return [str(c) for c in rows[h]], body


def components(book, language: str) -> pd.DataFrame:
    """Net migration per zone and year from the results' components sheet."""
    ext, internal = NET_COLUMNS[language]
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        for i, r in enumerate(rows):
            if r and ext in r and internal in r:
                e, n = r.index(ext), r.index(internal)
                frame = pd.DataFrame(rows[i + 1:])
                year = pd.to_numeric(frame[2], errors="coerce")
                frame = frame[year.notna() & frame[0].notna()]  # zones (the region row has no code)
                return pd.DataFrame({"zone_code": frame[0].astype(str), "year": frame[2].astype(int),
                                     "net": frame[e].astype(float) + frame[n].astype(float)})
    raise AssertionError("no components sheet with net migration columns")


def predicted_rates(reg_path, res_book, words) -> pd.Series:
    """Net migration per 1000 per region in a future year, by hand from the coefficient table:
    const + x_last'β + γ_last + u_i with u_i = mean_i(y − xb) over the estimation sample."""
    header, body = table_after_header(res_book[words["coef"]], header_first(res_book[words["coef"]]))
    coef = pd.DataFrame(body, columns=header)
    coef = coef[coef.iloc[:, 1] == MODEL]
    b = dict(zip(coef.iloc[:, 3], coef.iloc[:, 4].astype(float), strict=True))
    data = read_regression_workbook(reg_path).data
    xs = [k for k in b if k != "const" and not k.endswith(".year")]
    sample = data.dropna(subset=["nettoinnflytting", *xs]).copy()
    gamma = {int(k.split(".")[0]): v for k, v in b.items() if k.endswith(".year")}
    xb = b["const"] + sum(b[x] * sample[x].astype(float) for x in xs) + sample[YEAR].map(gamma).fillna(0.0)
    u = (sample["nettoinnflytting"].astype(float) - xb).groupby(sample[REGION]).mean()
    last = sample.sort_values(YEAR).groupby(REGION).tail(1).set_index(REGION)
    return b["const"] + sum(b[x] * last[x].astype(float) for x in xs) + gamma[max(gamma)] + u


def header_first(ws) -> str:
    """The first header cell of the machine-readable coefficient table (its 'Table' column)."""
    for r in ws.iter_rows(values_only=True):
        if r and r[1] is not None and r[3] is not None and r[0] is not None and r[4] is not None:
            return r[0]
    raise AssertionError("no coefficient table")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_regression_to_targets_to_run(tmp_path, capsys, language):
    w = WORDS[language]
    reg, res, proj = tmp_path / "reg.xlsx", tmp_path / "reg-res.xlsx", tmp_path / "proj.xlsx"
    targets, run = tmp_path / "targets.xlsx", tmp_path / "targets-res.xlsx"
    assert main(["regress-template", str(reg), "--language", language]) == 0
    assert main(["regress", str(reg), "-o", str(res)]) == 0
    out = capsys.readouterr()
    # each note once, in the workbook's language, with how many models it concerns
    # four distinct notes over 12 models (missing values twice: with and without nledighet)
    assert out.err.count(w["warning"]) == 1 and len(out.err.strip().splitlines()) == 4
    assert ("rows" in out.err) == (language == "en") and (" more" in out.err) == (language == "en")
    assert main(["template", str(proj), "-q", "--language", language]) == 0
    before = (sha(reg), sha(proj))
    capsys.readouterr()
    assert main(["regress-targets", str(reg), str(proj), "-o", str(targets), "--model", MODEL]) == 0
    line = capsys.readouterr().out
    assert line.startswith(f"{w['wrote']} ") and w["targets"] in line
    assert (sha(reg), sha(proj)) == before  # inputs never modified
    assert main(["run", str(targets), "-o", str(run), "-q"]) == 0

    # the targets workbook: one row per municipality and year, the model named as the source
    book = openpyxl.load_workbook(targets, read_only=True)
    header, body = table_after_header(book[w["targets_sheet"]], "År" if language == "nb" else "Year")
    tg = pd.DataFrame(body, columns=header).iloc[:, [0, 1, 4, 5]]
    tg.columns = ["year", "zone_code", "value", "source"]
    assert tg["source"].str.contains(w["source"], regex=False).all()
    assert tg["zone_code"].nunique() == 17 and tg["year"].min() == 2026 and tg["year"].max() == 2050

    # targets = the model's prediction recomputed from the published coefficients
    rate = predicted_rates(reg, openpyxl.load_workbook(res, read_only=True), w)
    zones = ba_zones(sorted(tg["zone_code"].astype(str).unique()), region_column=REGION)
    expected = zones.assign(value=rate.reindex(zones[REGION]).to_numpy() * zones["population"] / 1000.0)
    merged = tg.merge(expected[["zone_code", "value"]], on="zone_code", suffixes=("", "_by_hand"))
    assert len(merged) == len(tg)
    np.testing.assert_allclose(merged["value"], merged["value_by_hand"], rtol=1e-9, atol=1e-9)
    assert merged.groupby("year")["value"].sum().iloc[0] == pytest.approx(725.6, abs=0.1)

    # the projection's net migration per municipality and year = the targets (variant 2 steering)
    comp = components(openpyxl.load_workbook(run, read_only=True), language)
    both = tg.assign(year=tg["year"].astype(int), zone_code=tg["zone_code"].astype(str)).merge(
        comp, on=["zone_code", "year"])  # fmt: skip
    assert len(both) == len(tg) == 17 * 25
    np.testing.assert_allclose(both["net"], both["value"].astype(float), atol=1e-6)
