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
from regbef_excel.engine.inputs import SEXES


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


def test_population_by_zone_has_one_numbered_row_per_zone_and_the_region_last(projection):
    p = projection
    df = p.total_by_zone()
    K = len(p.zone_codes)
    assert list(df.index) == list(range(K + 1))  # positional rows: writers use .iloc / row order
    assert df.loc[K, "zone_name"] == "Region"
    tot = p.population.sum(axis=(2, 3))
    for i, y in enumerate(p.years):
        np.testing.assert_allclose(df[int(y)].to_numpy()[:K], tot[i], rtol=1e-14)
        assert df.loc[K, int(y)] == pytest.approx(tot[i].sum(), rel=1e-14)
    assert len(p.total_by_zone(region_total=False)) == K


def test_long_population_table_is_every_cell_once(projection):
    p = projection
    df = p.population_long()
    T1, K, S, A1 = p.population.shape
    assert list(df.columns) == ["zone_code", "zone_name", "year", "sex", "age", "population"]
    assert len(df) == T1 * K * S * A1
    rng = np.random.default_rng(2)
    for _ in range(25):
        t, k, s, a = (int(rng.integers(n)) for n in (T1, K, S, A1))
        row = df[(df.year == p.years[t]) & (df.zone_code == p.zone_codes[k]) & (df.age == a)
                 & (df.sex == SEXES[s])]  # fmt: skip
        assert len(row) == 1
        assert row.zone_name.iloc[0] == p.zone_names[k]
        assert row.population.iloc[0] == p.population[t, k, s, a]
    np.testing.assert_allclose(df.population.sum(), p.population.sum(), rtol=1e-13)


def test_age_groups_sum_single_ages_with_the_open_group_capped(projection):
    p = projection
    groups = {"0": (0, 0), "6-15": (6, 15), "80+": (80, 200)}
    df = p.age_groups(groups)
    T1, K, _, A1 = p.population.shape
    assert len(df) == T1 * K * len(groups)
    by_age = p.population.sum(axis=2)
    for t in (0, T1 - 1):
        for k in range(K):
            sel = df[(df.year == p.years[t]) & (df.zone_code == p.zone_codes[k])]
            assert list(sel.group) == list(groups)
            assert sel.zone_name.iloc[0] == p.zone_names[k]
            want = [by_age[t, k, 0], by_age[t, k, 6:16].sum(), by_age[t, k, 80:].sum()]
            np.testing.assert_allclose(sel.population.to_numpy(), want, rtol=1e-13)
    default = p.age_groups()
    np.testing.assert_allclose(default.groupby("year").population.sum().to_numpy(),
                               p.population.sum(axis=(1, 2, 3)), rtol=1e-12)
