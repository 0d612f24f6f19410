"""The tidy tables a Projection hands to the writers: components of change, pyramids, summary.

Every number is checked against the projection's own arrays summed here by hand (population by
zone and year, the flows), so a column that is dropped, mis-shaped or computed from the wrong
year fails — the writers and the CLI print these tables as they are.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel.engine import project


@pytest.fixture(scope="module")
def projection():
    inp = synthetic_inputs(3, 12, seed=21)
    inp.drop_oldest = True  # leavers are a component too
    return project(inp)


def test_components_table_is_the_balancing_equation_per_zone_and_year(projection):
    df = projection.components()
    p = projection
    T, K = p.flows["deaths"].shape[:2]
    assert len(df) == T * K
    for t in (0, 5, T - 1):
        for k in range(K):
            row = df[(df["year"] == p.years[t + 1]) & (df["zone_code"] == p.zone_codes[k])].iloc[0]
            start, end = p.population[t, k].sum(), p.population[t + 1, k].sum()
            assert row["start"] == pytest.approx(start, rel=1e-12)
            assert row["end"] == pytest.approx(end, rel=1e-12)
            assert row["growth"] == pytest.approx(end - start, rel=1e-9, abs=1e-9)
            for name in ("deaths", "EUF", "EIFU", "EIFN", "IUF", "IIF"):
                assert row[name] == pytest.approx(p.flows[name][t, k].sum(), rel=1e-12)
            assert row["births"] == pytest.approx(p.flows["births"][t, k].sum(), rel=1e-12)
            assert row["leavers"] == pytest.approx(p.flows["leavers"][t, k].sum(), rel=1e-12, abs=1e-12)
            assert row["net_external"] == pytest.approx(row["EIFU"] + row["EIFN"] - row["EUF"], rel=1e-12)
            assert row["net_internal"] == pytest.approx(row["IIF"] - row["IUF"], rel=1e-12, abs=1e-9)
    assert p.flows["leavers"].sum() > 0


def test_pyramid_of_a_zone_and_of_the_region(projection):
    p = projection
    year = int(p.years[4])
    for k, code in enumerate(p.zone_codes):
        pyr = projection.pyramid(year, code)
        np.testing.assert_allclose(pyr["male"], p.population[4, k, 0], rtol=1e-12)
        np.testing.assert_allclose(pyr["female"], p.population[4, k, 1], rtol=1e-12)
    region = projection.pyramid(year)
    np.testing.assert_allclose(region["female"], p.population[4, :, 1].sum(axis=0), rtol=1e-12)
    assert list(region["age"]) == list(range(100))
    with pytest.raises(ValueError):
        projection.pyramid(int(p.years[-1]) + 1)


def test_summary_shows_base_year_ten_years_on_and_horizon(projection):
    p = projection
    table = projection.summary()
    years = [c for c in table.columns if isinstance(c, int | np.integer)]
    assert years == [int(p.years[0]), int(p.years[0]) + 10, int(p.years[-1])]
    region = table.iloc[-1]
    assert region[int(p.years[-1])] == pytest.approx(p.population[-1].sum(), rel=1e-12)
    assert region[int(p.years[0]) + 10] == pytest.approx(p.population[10].sum(), rel=1e-12)


def test_summary_of_a_short_horizon_shows_base_year_and_horizon_only():
    p = project(synthetic_inputs(2, 5, seed=22))
    years = [c for c in p.summary().columns if isinstance(c, int | np.integer)]
    assert years == [int(p.years[0]), int(p.years[-1])]
