"""From an FE migration model to net-migration targets (MÅLTYP 1) for the projection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regbef_excel.data.panels import ba_zones
from regbef_excel.errors import InputError
from regbef_excel.regression import fit_panel, predict_fe
from regbef_excel.regression.targets import (
    TARGET_COLUMNS,
    baseline_scenario,
    predicted_net_migration,
    shock,
    targets_from_fe,
)

FUTURE = list(range(2026, 2031))


@pytest.fixture(scope="module")
def panel():
    """A simulated panel: net migration falls 1.5 per 1000 per pp of unemployment."""
    rng = np.random.default_rng(5)
    regions = [f"R{i:02d}" for i in range(12)]
    years = list(range(2011, 2026))
    d = pd.DataFrame([(r, y) for r in regions for y in years], columns=["region", "year"])
    effect = dict(zip(regions, rng.normal(0, 4, len(regions)), strict=True))
    d["arbeidsledighet"] = 2.5 + rng.normal(0, 0.8, len(d))
    d["alder1"] = 0.12 + rng.normal(0, 0.01, len(d))
    d["nettoinnflytting"] = (
        3 - 1.5 * d["arbeidsledighet"] + 20 * d["alder1"] + d["region"].map(effect)
        + rng.normal(0, 1, len(d))
    )  # fmt: skip
    d["population"] = d["region"].map(dict(zip(regions, rng.integers(5_000, 200_000, 12),
                                               strict=True)))  # fmt: skip
    return d


@pytest.fixture(scope="module")
def fit(panel):
    return fit_panel(panel, "nettoinnflytting", ["arbeidsledighet", "alder1"], "region", "year",
                     method="fe")  # fmt: skip


@pytest.fixture(scope="module")
def future_pop(panel):
    last = panel[panel["year"] == 2025][["region", "population"]]
    return last.merge(pd.DataFrame({"year": FUTURE}), how="cross")


def test_targets_columns_and_zero_sum(fit, panel, future_pop):
    scen = baseline_scenario(fit, panel, FUTURE)
    t = targets_from_fe(fit, scen, future_pop)
    assert tuple(t.columns) == TARGET_COLUMNS
    assert (t["steering"] == 1).all() and (t["target_type"] == 1).all()
    assert sorted(t["year"].unique()) == FUTURE and len(t) == 12 * len(FUTURE)
    sums = t.groupby("year")["value"].sum()
    np.testing.assert_allclose(sums, 0.0, atol=1e-8)
    assert t["comment"].str.contains("FE").all()


def test_persons_are_rate_times_population(fit, panel, future_pop):
    scen = baseline_scenario(fit, panel, FUTURE)
    reg = predicted_net_migration(fit, scen, future_pop, centre=False)
    pred = predict_fe(fit, scen)
    np.testing.assert_allclose(reg["rate"], pred["prediction"])
    np.testing.assert_allclose(reg["persons"], reg["rate"] * reg["population"] / 1000)
    t = targets_from_fe(fit, scen, future_pop, centre=False)
    merged = t.merge(reg, left_on=["year", "zone_code"], right_on=["year", "region"])
    np.testing.assert_allclose(merged["value"], merged["persons"])
    # centring subtracts the population-weighted mean rate of each year
    c = predicted_net_migration(fit, scen, future_pop)
    wmean = (reg["rate"] * reg["population"]).groupby(reg["year"]).transform("sum") / reg[
        "population"
    ].groupby(reg["year"]).transform("sum")
    np.testing.assert_allclose(c["rate_consistent"], reg["rate"] - wmean)


def test_unemployment_shock_lowers_targets(fit, panel, future_pop):
    assert fit.params["arbeidsledighet"] < 0
    base = baseline_scenario(fit, panel, FUTURE)
    hit = ["R03", "R07"]
    scen = shock(base, "arbeidsledighet", 1.0, regions=hit, from_year=2028)
    t0 = targets_from_fe(fit, base, future_pop).set_index(["year", "zone_code"])["value"]
    t1 = targets_from_fe(fit, scen, future_pop).set_index(["year", "zone_code"])["value"]
    diff = (t1 - t0).unstack()
    assert (diff.loc[[2026, 2027]].abs() < 1e-9).all().all()  # before the shock: unchanged
    assert (diff.loc[2028:, hit] < 0).all().all()  # shocked regions lose
    others = [c for c in diff.columns if c not in hit]
    assert (diff.loc[2028:, others] > 0).all().all()  # consistency: the others gain
    np.testing.assert_allclose(diff.sum(axis=1), 0.0, atol=1e-8)
    # Uncentred, the shocked regions lose exactly β × 1 pp × population / 1000.
    u0 = predicted_net_migration(fit, base, future_pop, centre=False)
    u1 = predicted_net_migration(fit, scen, future_pop, centre=False)
    d = (u1["persons"] - u0["persons"]).to_numpy()
    sel = (u1["region"].isin(hit) & (u1["year"] >= 2028)).to_numpy()
    np.testing.assert_allclose(d[sel], fit.params["arbeidsledighet"] * u1["population"][sel] / 1000)
    assert np.all(d[~sel] == 0)


def test_distribution_to_municipalities(fit, panel, future_pop):
    scen = baseline_scenario(fit, panel, FUTURE)
    zones = pd.DataFrame({
        "zone_code": ["0001", "0002", "0003"] + [f"1{i:03d}" for i in range(1, 12)],
        "region": ["R00", "R00", "R00"] + [f"R{i:02d}" for i in range(1, 12)],
        "population": [500.0, 1500.0, 2000.0] + [1.0] * 11,
    })  # fmt: skip
    t = targets_from_fe(fit, scen, future_pop, zones=zones)
    reg = predicted_net_migration(fit, scen, future_pop)
    r0 = reg[reg["region"] == "R00"].set_index("year")["persons"]
    z = t[t["zone_code"].isin(["0001", "0002", "0003"])].pivot(index="year", columns="zone_code",
                                                               values="value")  # fmt: skip
    np.testing.assert_allclose(z.sum(axis=1), r0)
    np.testing.assert_allclose(z["0002"], 3 * z["0001"])
    np.testing.assert_allclose(t.groupby("year")["value"].sum(), 0.0, atol=1e-8)


def test_future_year_effect_assumption(fit, panel, future_pop):
    scen = baseline_scenario(fit, panel, FUTURE)
    a = predicted_net_migration(fit, scen, future_pop, future_year_effect=0.0, centre=False)
    b = predicted_net_migration(fit, scen, future_pop, future_year_effect=2.0, centre=False)
    np.testing.assert_allclose(b["rate"] - a["rate"], 2.0)
    assert a["future_year"].all()


def test_bad_inputs(fit, panel, future_pop):
    scen = baseline_scenario(fit, panel, FUTURE)
    with pytest.raises(InputError, match="no population"):
        targets_from_fe(fit, scen, future_pop[future_pop["year"] < 2030])
    with pytest.raises(InputError, match="unknown variable"):
        shock(scen, "ledighet", 1.0)
    zones = pd.DataFrame({"zone_code": ["1"], "region": ["R00"], "population": [1.0]})
    with pytest.raises(InputError, match="no municipality"):
        targets_from_fe(fit, scen, future_pop, zones=zones)


def test_real_data_to_municipal_targets():
    """Real BA panel → FE → 357 municipal targets per year that sum to zero."""
    from regbef_excel.data.panels import real_panel

    d = real_panel(first_year=2015).data
    fit = fit_panel(d, "nettoinnflytting", ["arbeidsledighet", "alder1"], "region", "year",
                    method="fe")  # fmt: skip
    years = [2026, 2027]
    scen = baseline_scenario(fit, d, years)
    pop = d[d["year"] == 2025][["region", "befolkning"]].merge(
        pd.DataFrame({"year": years}), how="cross"
    )
    zones = ba_zones()
    with pytest.raises(InputError, match="zones: column 'befolkning' missing"):
        targets_from_fe(fit, scen, pop, zones=zones, population_column="befolkning")
    zones = zones.rename(columns={"population": "befolkning"})
    t = targets_from_fe(fit, scen, pop, zones=zones, population_column="befolkning")
    assert len(t) == 357 * 2 and t["zone_code"].str.len().eq(4).all()
    np.testing.assert_allclose(t.groupby("year")["value"].sum(), 0.0, atol=1e-6)
