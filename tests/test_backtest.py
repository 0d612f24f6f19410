"""Residual net migration, history from stocks, and the back-test."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel import data
from regbef_excel.data import inputs as shipped_inputs
from regbef_excel.engine import project
from regbef_excel.engine.generation import NationalRates, generate
from regbef_excel.engine.residual import residual_net_migration
from regbef_excel.errors import InputError
from regbef_excel.evaluation import backtest as bt
from regbef_excel.evaluation import breaks


def _simulation(seed: int = 1):
    truth = synthetic_inputs(5, 4, seed=seed, base_year=2010)
    sim = project(truth)
    assert sim.capped.sum() == 0  # no capping: the engine's flows are exactly its rates
    T = truth.n_years
    # The engine's death probabilities per year: DODRAT × DR_t (zone factor DK passed apart).
    q = np.stack([truth.death_prob * truth.mortality_level_region[t] for t in range(T)])
    f = sim.flows
    true_net = f["EIFU"] + f["EIFN"] + f["IIF"] - f["EUF"] - f["IUF"]
    return truth, sim, q, true_net


def test_residual_recovers_engine_net_migration_exactly_above_age_0():
    truth, sim, q, true_net = _simulation()
    res = residual_net_migration(sim.population, q, truth.mortality_level_zone, infant="zero")
    # Ages >= 1: the engine kills BEF1 at q·DK and then migrates, so the residual with the same
    # q·DK is the engine's net flow to round-off.
    np.testing.assert_allclose(res.net[..., 1:], true_net[..., 1:], atol=1e-6)
    # Age 0 is confounded with births: the "zero" rule puts every infant migrant into births,
    # so births are off by exactly the surviving-infant net migration / survival and the
    # residual at age 0 is zero.
    q0 = np.minimum(q[:, None, :, 0] * truth.mortality_level_zone[None, :, None], 1)
    np.testing.assert_allclose(res.net[..., 0], 0.0)
    np.testing.assert_allclose(
        res.births, sim.flows["births"] + true_net[..., 0] / (1 - q0), rtol=1e-9, atol=1e-6
    )
    # Totals over ages differ from the truth by exactly the infant net migration.
    np.testing.assert_allclose(
        res.net.sum(axis=(2, 3)), true_net.sum(axis=(2, 3)) - true_net[..., 0].sum(axis=2),
        atol=1e-6,
    )  # fmt: skip


def test_residual_child_rule_and_national_mortality_bias():
    truth, sim, q, true_net = _simulation(seed=2)
    res = residual_net_migration(sim.population, q, truth.mortality_level_zone, infant="child")
    np.testing.assert_allclose(res.net[..., 1:], true_net[..., 1:], atol=1e-6)
    # The child rule borrows the 1–4 net rate for newborns; births stay within 5 % here.
    np.testing.assert_allclose(res.births, sim.flows["births"], rtol=0.05)
    # With national mortality (DK = 1) the residual is biased by exactly (DK* − 1)·q·BEF1.
    res1 = residual_net_migration(sim.population, q, None, infant="child")
    bias = res1.net[..., 1:] - true_net[..., 1:]
    expected = -(res.deaths - res1.deaths)[..., 1:]
    np.testing.assert_allclose(bias, expected, atol=1e-6)


def test_gross_flows_keep_net_and_are_nonnegative():
    rng = np.random.default_rng(0)
    risk = rng.uniform(0, 200, (3, 4, 100))
    net = rng.uniform(-1, 1, risk.shape) * risk * 0.3
    net[0, 0, 20] = -risk[0, 0, 20]  # everybody leaves
    out, inn = bt.gross_flows_from_net(net, risk, bt.standard_out_rates())
    np.testing.assert_allclose(inn - out, net, atol=1e-9)
    assert (out >= 0).all() and (inn >= 0).all() and (out <= risk + 1e-9).all()


def test_history_from_arrays_feeds_generate_on_a_simulation():
    truth, sim, q, _ = _simulation(seed=3)
    nat = NationalRates(
        death_prob=truth.death_prob,
        death_prob_by_year={2010 + t + 1: q[t] for t in range(len(q))},
        fertility={},
        fertility_latest=truth.fertility_rates,
        fertility_latest_year=2010,
        mortality_improvement=0.0,
        mortality_reference_year=2010,
    )
    pop = {int(y): sim.population[i] for i, y in enumerate(sim.years)}
    hist, res = bt.history_from_arrays(
        truth.zone_codes,
        truth.zone_names,
        pop,
        nat,
        mortality_level_zone=truth.mortality_level_zone,
    )
    np.testing.assert_allclose(hist.in_by_age - hist.out_by_age, res.net.sum(axis=2), atol=1e-9)
    gen, report = generate(hist, nat, base_year=2014, horizon=2016)
    # Residual deaths are the assumed ones, so generation returns the assumed DK (to 1e-3:
    # generation splits its newborns by the default share of boys, the residual by the stock).
    np.testing.assert_allclose(gen.mortality_level_zone, truth.mortality_level_zone, rtol=1e-3)
    # The fertility level absorbs only the infant-migration rule (child rule): a few per cent.
    np.testing.assert_allclose(gen.fertility_level_zone, truth.fertility_level_zone, rtol=0.05)
    # The generated inputs carry the history forward: first projected year, ages >= 1 (newborns
    # depend on the fertility level), deaths are the simulation's q·DK applied to the aged stock,
    # and immigration / in-migration from the rest of Norway are the history's yearly means.
    p = project(gen)
    last = sim.population[-1]
    aged = np.zeros_like(last)
    aged[..., 1:] = last[..., :-1]
    aged[..., -1] += last[..., -1]  # open last age
    q_dk = np.minimum(q[-1][None] * truth.mortality_level_zone[:, None, None], 1.0)
    np.testing.assert_allclose(
        p.flows["deaths"][0][..., 1:].sum(axis=(1, 2)),
        (aged * q_dk)[..., 1:].sum(axis=(1, 2)),
        rtol=1e-3,
    )
    ins = hist.in_by_age.sum(axis=2)  # (Y, K)
    rest_share = 1.0 - hist.abroad_in_share - hist.internal_in_share
    for t in range(gen.n_years):
        np.testing.assert_allclose(p.flows["EIFU"][t].sum(axis=(1, 2)),
                                   (ins * hist.abroad_in_share).mean(axis=0), rtol=1e-9)  # fmt: skip
        np.testing.assert_allclose(
            p.flows["EIFN"][t].sum(axis=(1, 2)), (ins * rest_share).mean(axis=0), rtol=1e-9
        )


def _ssb_totals(codes) -> pd.Series:
    """Population on 1 January per (municipality, year) from the shipped SSB 07459 file."""
    path = resources.files("regbef_excel") / "data" / "population_municipality.csv.gz"
    with resources.as_file(path) as f:
        df = pd.read_csv(f, dtype={"municip_code": str})
    df = df[df["municip_code"].isin(codes)]
    ages = [c for c in df.columns if c.startswith("age_")]
    return df[ages].sum(axis=1).groupby([df["municip_code"], df["year"]]).sum()


@pytest.fixture(scope="module")
def telemark():
    return bt.run_backtest("40", 2015, horizon_years=10, estimation_years=5)


@pytest.fixture(scope="module")
def more_og_romsdal():
    return bt.run_backtest(15, 2015, horizon_years=10)


@pytest.mark.parametrize("name", ["telemark", "more_og_romsdal"])
def test_backtest_runs_and_errors_are_sane(name, request):
    r = request.getfixturevalue(name)
    codes = data.municipality_codes("40" if name == "telemark" else "15")
    assert list(r.zone_codes) == codes
    assert r.observed_years[0] == 2015 and r.observed_years[-1] == 2025
    e = r.errors_by_municipality()
    assert set(e["method"]) == set(bt.METHODS)
    assert len(e) == len(bt.METHODS) * len(codes) * 11
    # Observed = the shipped SSB 07459 file read here with pandas (31 Dec Y = 1 January Y+1, all
    # ages, both sexes); projected (REGBEF) = the projection's totals; error and % error by hand.
    ssb = _ssb_totals(codes)
    proj = r.projection.population[: len(r.observed_years)].sum(axis=(2, 3))  # (T, K)
    m = e[e["method"] == bt.MODEL]
    rows = list(zip(m["zone_code"], m["year"], strict=True))
    obs = np.array([ssb[(c, y + 1)] for c, y in rows], dtype=float)
    prj = np.array([proj[y - 2015, codes.index(c)] for c, y in rows])
    # Boundary transfers after the base year are taken out of the observed stocks (back to the
    # base year's borders): the donor gets the transferred persons back, the receiver loses them.
    for x in breaks.transfers():
        if x.year > 2015:
            for code, sign in ((x.donor, 1.0), (x.receiver, -1.0)):
                obs[[c == code and y >= x.year for c, y in rows]] += sign * x.persons
    np.testing.assert_allclose(m["observed"].to_numpy(), obs, rtol=1e-9)
    np.testing.assert_allclose(m["projected"].to_numpy(), prj, rtol=1e-12)
    np.testing.assert_allclose(e["error"], e["projected"] - e["observed"], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(m["pct_error"], 100 * (prj - obs) / obs, rtol=1e-9)
    # The base year is observed: zero error for every method, zone and group.
    base = r.errors()
    assert (base.loc[base["years_ahead"] == 0, "error"].abs() < 1e-6).all()
    # The projection's base is the observed stock and the model's total matches its arrays.
    np.testing.assert_allclose(r.projection.population[0], r.observed[0])
    a = r.errors_by_age_group()
    assert set(a["group"]) == set(bt.GROUPS) - {bt.TOTAL}
    # Group sums add up to the totals (not for the trend benchmark, floored at 0 per group).
    a = a[a["method"] != bt.NAIVE_TREND]
    e = e[e["method"] != bt.NAIVE_TREND]
    g = a.groupby(["method", "zone_code", "year"])[["observed", "projected"]].sum()
    t = e.set_index(["method", "zone_code", "year"])[["observed", "projected"]]
    pd.testing.assert_frame_equal(g.sort_index(), t.sort_index(), check_exact=False)
    s = r.summary()
    top = s[(s["method"] == bt.MODEL) & (s["group"] == bt.TOTAL) & (s["year"] == 2025)].iloc[0]
    # The 2025 statistics of the model's totals, computed here from the arrays and the SSB file.
    obs25 = obs[[y == 2025 for _, y in rows]]  # in code order (rows are year-major)
    prj25 = proj[2025 - 2015]
    ape = 100 * np.abs(prj25 - obs25) / obs25
    assert top["n_zones"] == len(codes)
    np.testing.assert_allclose(top["mape"], ape.mean(), rtol=1e-9)
    np.testing.assert_allclose(
        top["mape_weighted"], 100 * np.abs(prj25 - obs25).sum() / obs25.sum(), rtol=1e-9
    )
    np.testing.assert_allclose(
        top["mean_pct_error"], (100 * (prj25 - obs25) / obs25).mean(), rtol=1e-9
    )
    np.testing.assert_allclose(top["median_ape"], np.median(ape), rtol=1e-9)
    np.testing.assert_allclose(top["max_ape"], ape.max(), rtol=1e-9)
    np.testing.assert_allclose(
        top["region_pct_error"], 100 * (prj25.sum() - obs25.sum()) / obs25.sum(), rtol=1e-9
    )
    assert top["worst_zone"].split()[0] == codes[int(ape.argmax())]
    # A sanity bound, not a claim: ten years ahead a county's total is within 5 %.
    assert abs(top["region_pct_error"]) < 5


def test_no_series_break_after_alesund_haram_resplit(more_og_romsdal):
    # The source held identical halves for Ålesund (1508) and Haram (1580) before 2024; the
    # package data re-splits them (regbef_excel/data/build.py), so no break is left to flag.
    assert more_og_romsdal.suspect_zones == []
    s = more_og_romsdal.summary()
    assert (s["n_zones"] <= 27).all()


def test_series_break_is_flagged(monkeypatch):
    # A boundary change (one zone's population halves in one year) is flagged and excluded.
    real = bt.observed_stocks

    def broken(codes, first, last):
        obs = real(codes, first, last).copy()
        obs[5:, 0] *= 0.5
        return obs

    monkeypatch.setattr(bt, "observed_stocks", broken)
    res = bt.run_backtest(["4001", "4003", "4005"], 2015, horizon_years=8)
    assert res.suspect_zones == ["4001"]
    assert any("4001" in w and "boundary change" in w for w in res.warnings)
    assert (res.summary(exclude=res.suspect_zones)["n_zones"] <= 2).all()


def test_estimation_starts_later_where_2005_is_missing():
    # Aure (1576) has no population on 1 Jan 2005 (= 31 Dec 2004).
    setup = bt.prepare_backtest(["1576", "1573"], 2008, horizon_years=2, estimation_years=5)
    assert setup.estimation == (2006, 2008)
    assert any("shortened" in w for w in setup.warnings)


def test_unknown_region_and_base_year():
    with pytest.raises(InputError, match="9999"):
        bt.prepare_backtest(["9999"], 2015)
    with pytest.raises(InputError, match="base year"):
        bt.prepare_backtest("40", 2025)


def test_information_set_is_respected(monkeypatch):
    """A back-test from B reads no stock after 31 Dec B and no national data after B.

    The two documented constants of the method (Telemark's standard out-migration schedule and
    flow split) are computed before the data are cut off.
    """
    base = 2012
    bt.standard_out_rates()
    bt.telemark_split_shares()
    reference = bt.prepare_backtest("40", base, horizon_years=3)

    real_array = data.population_array

    def guarded(codes, year, max_age=99):
        if year > base + 1:  # SSB 1 January B+1 = 31 Dec B
            raise AssertionError(f"population of 1 Jan {year} read in a back-test from {base}")
        return real_array(codes, year, max_age)

    def cut(loader):
        def f(*a, **k):
            df = loader(*a, **k)
            return df[df["year"] <= base].copy()

        return f

    monkeypatch.setattr(data, "population_array", guarded)
    for name in ("national_death_rates", "national_fertility_rates", "national_births_by_sex",
                 "national_population"):  # fmt: skip
        monkeypatch.setattr(data, name, cut(getattr(data, name)))
    shipped_inputs.national_rates.cache_clear()
    try:
        setup = bt.prepare_backtest("40", base, horizon_years=3)
        with pytest.raises(AssertionError, match="back-test"):
            bt.observed_stocks(setup.codes, base, base + 1)
    finally:
        shipped_inputs.national_rates.cache_clear()
    for name in ("population", "fertility_level_zone", "mortality_level_region",
                 "immigration_total", "domestic_inmigration", "internal_net_trend"):  # fmt: skip
        np.testing.assert_array_equal(getattr(setup.inputs, name), getattr(reference.inputs, name))
    for flow, arr in reference.inputs.rc_params.items():
        np.testing.assert_array_equal(setup.inputs.rc_params[flow], arr)
