"""Regression to targets, end to end: FE model + scenario → targets in the projection → population."""

from __future__ import annotations

import hashlib

import numpy as np
import openpyxl
import pytest

from regbef_excel.cli import main
from regbef_excel.engine import project
from regbef_excel.io.read.projection import read_workbook


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("rt")
    assert main(["regress-template", str(d / "reg.xlsx")]) == 0
    assert main(["template", str(d / "proj.xlsx"), "-q"]) == 0
    return d


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_targets_written_and_met_exactly(files, capsys):
    before = (sha(files / "reg.xlsx"), sha(files / "proj.xlsx"))
    out = files / "mål.xlsx"
    assert main(["regress-targets", str(files / "reg.xlsx"), str(files / "proj.xlsx"), "-o", str(out)]) == 0
    # the model used is named: CLI line, the target table's source column, the cover
    assert "mål fra modellen 'By FE' (modellvariant 2)" in capsys.readouterr().out
    book = openpyxl.load_workbook(out, read_only=True)
    sources = {r[5] for r in book["Mål"].iter_rows(min_row=5, values_only=True) if r[0] is not None}
    assert len(sources) == 1 and "regresjonsmodell 'By FE'" in sources.pop()
    cover = " ".join(str(v) for r in book["Forside"].iter_rows(values_only=True) for v in r if v)
    assert "Mål fra regresjonsmodell" in cover and "regresjonsmodell 'By FE'" in cover
    assert (sha(files / "reg.xlsx"), sha(files / "proj.xlsx")) == before
    inputs, _ = read_workbook(out)
    assert inputs.variant == 2 and inputs.targets is not None
    assert np.all(inputs.targets.zone_mode == 1)
    p = project(inputs)
    tot = p.component_totals()
    net = tot["EIFU"] + tot["EIFN"] - tot["EUF"] + tot["IIF"] - tot["IUF"]
    np.testing.assert_allclose(net, inputs.targets.zone_value, atol=1e-6)


def test_unemployment_shock_moves_targets_by_the_coefficient(files):
    """FE (1) has unemployment only: the shock changes each zone's target by β × population / 1000."""
    from regbef_excel.data.panels import REGION, YEAR, ba_zones
    from regbef_excel.io.read.regression import read_regression_workbook
    from regbef_excel.regression import fit_panel

    base, shocked = files / "base.xlsx", files / "shock.xlsx"
    common = [str(files / "reg.xlsx"), str(files / "proj.xlsx"), "--model", "FE (1)"]
    assert main(["regress-targets", *common, "-o", str(base)]) == 0
    assert main(["regress-targets", *common, "-o", str(shocked), "--shock", "arbeidsledighet=+1",
                 "--from-year", "2030"]) == 0
    a, _ = read_workbook(base)
    b, _ = read_workbook(shocked)
    diff = b.targets.zone_value - a.targets.zone_value
    years = a.years
    np.testing.assert_allclose(diff[years < 2030], 0.0, atol=1e-9)
    reg = read_regression_workbook(files / "reg.xlsx")
    beta = fit_panel(reg.data, "nettoinnflytting", ["arbeidsledighet"], REGION, YEAR).params["arbeidsledighet"]
    # each municipality gets its population share of its region's persons: β × pop_k / 1000
    pop = ba_zones(list(a.zone_codes), region_column=REGION)["population"].to_numpy()
    np.testing.assert_allclose(diff[years >= 2030], np.broadcast_to(beta * pop / 1000, diff[years >= 2030].shape),
                               rtol=1e-9)


def test_bad_shock_is_one_line(files, capsys):
    assert main(["regress-targets", str(files / "reg.xlsx"), str(files / "proj.xlsx"), "-o",
                 str(files / "x.xlsx"), "--shock", "arbeidsledighet"]) == 2
    assert "VARIABLE=DELTA" in capsys.readouterr().err
    assert not (files / "x.xlsx").exists()


@pytest.mark.parametrize(("model", "found"), [
    ("Konjunktur FE", "nledighet er kollineær med årsdummyene"),
    ("FE (9)", "ingen FE-modell med det navnet"),
])  # fmt: skip
def test_model_that_cannot_give_targets_is_refused_naming_the_usable_ones(files, capsys, model, found):
    """National unemployment takes one value per year: beside the year dummies its coefficient
    is arbitrary, so that model is refused (and the default never picks it)."""
    out = files / "refused.xlsx"
    assert main(["regress-targets", str(files / "reg.xlsx"), str(files / "proj.xlsx"), "-o", str(out),
                 "--model", model]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and found in err
    assert "FE (1), FE (2), FE (3), FE (4), By FE" in err
    assert not out.exists()


def test_shocking_an_omitted_variable_is_refused(files, capsys):
    assert main(["regress-targets", str(files / "reg.xlsx"), str(files / "proj.xlsx"), "-o",
                 str(files / "y.xlsx"), "--model", "By FE", "--shock", "by=1"]) == 2  # fmt: skip
    assert "by er utelatt på grunn av kollinearitet" in capsys.readouterr().err
    assert not (files / "y.xlsx").exists()
