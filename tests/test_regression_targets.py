"""Regression to targets, end to end: FE model + scenario → targets in the projection → population."""

from __future__ import annotations

import hashlib

import numpy as np
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
    assert "targets (model variant 2)" in capsys.readouterr().out
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
