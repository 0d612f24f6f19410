"""A projection that reaches a number that is not finite is refused before anything is
written, naming the year, zone and component where the first one arose."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel.app import projection as app
from regbef_excel.cli import main
from regbef_excel.engine import project
from regbef_excel.io.write.template import build_workbook, save_workbook


@pytest.fixture(scope="module")
def projected():
    return project(synthetic_inputs(2, 3))


def test_all_finite_is_none(projected):
    assert app.first_non_finite(projected) is None


def test_first_non_finite_names_year_zone_component(projected):
    p = projected
    births = p.flows["births"].copy()
    pop = p.population.copy()
    try:
        p.flows["births"][1, 1, 0] = np.inf  # year index 1 = base + 2, zone Z002
        p.population[3, 0, 0, 5] = np.nan  # later year: not the first
        assert app.first_non_finite(p) == (p.inputs.base_year + 2, "Z002", "births")
        p.population[2, 0, 0, 5] = np.nan  # the stock of base + 2 comes after that year's flows
        assert app.first_non_finite(p) == (p.inputs.base_year + 2, "Z002", "births")
        p.population[1, 0, 0, 5] = np.nan  # an earlier year wins
        assert app.first_non_finite(p) == (p.inputs.base_year + 1, "Z001", "population")
    finally:
        p.flows["births"][...] = births
        p.population[...] = pop


def test_nan_by_design_is_allowed(projected):
    p = projected
    p.series["target_net_migration"] = np.full((p.inputs.n_years, p.inputs.n_zones), np.nan)
    try:
        assert app.first_non_finite(p) is None
        p.series["target_net_migration"][0, 0] = np.inf
        assert app.first_non_finite(p) == (p.inputs.base_year + 1, "Z001", "target_net_migration")
    finally:
        del p.series["target_net_migration"]


def test_run_refuses_to_write_a_non_finite_projection(tmp_path, monkeypatch, capsys):
    path = tmp_path / "in.xlsx"
    save_workbook(build_workbook(synthetic_inputs(2, 3)), path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    def overflowing(inputs, **kwargs):
        p = project(inputs, **kwargs)
        p.flows["EIFU"][2, 0, 1, 30] = np.inf
        return p

    monkeypatch.setattr(app, "project", overflowing)
    out = tmp_path / "out.xlsx"
    assert main(["run", str(path), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2028, zone Z001, component EIFU" in err[0], err
    assert not out.exists() and sorted(x.name for x in tmp_path.iterdir()) == ["in.xlsx"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
