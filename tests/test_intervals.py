"""Prediction intervals: the interval model, series breaks, base-year information, the use cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel import data
from regbef_excel.app import evaluation as app_eval
from regbef_excel.cli import main
from regbef_excel.data import vintage
from regbef_excel.engine import project
from regbef_excel.errors import InputError
from regbef_excel.evaluation import backtest as bt
from regbef_excel.evaluation import breaks
from regbef_excel.evaluation import calibrate as cb
from regbef_excel.evaluation import intervals as iv

Z80, Z95 = 1.2815515655446004, 1.959963984540054


def _synthetic_errors(n: int = 400, horizons=range(1, 11), seed: int = 0, sigma: float = 0.01):
    """Normal log errors with sd sigma·h and drift 0.002·h, one size class, known quantiles."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in horizons:
        e = 0.002 * h + sigma * h * rng.standard_normal(n)
        rows.append(pd.DataFrame({"kind": iv.MUNICIPALITY, "measure": "total", "size_class": "2000-4999",
                                  "volatility": rng.uniform(0, 2, n), "horizon": h, "log_error": e}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_isotonic_is_the_weighted_least_squares_monotone_fit():
    y = np.array([1.0, 3.0, 2.0, 2.0, 5.0, 4.0])
    w = np.array([1.0, 1.0, 2.0, 1.0, 1.0, 3.0])
    fit = iv.isotonic(y, w)
    # pools: [1], [3, 2, 2] -> (3 + 4 + 2)/4 = 2.25, [5, 4] -> (5 + 12)/4 = 4.25
    np.testing.assert_allclose(fit, [1.0, 2.25, 2.25, 2.25, 4.25, 4.25])
    np.testing.assert_allclose(iv.isotonic(np.arange(4.0), np.ones(4)), np.arange(4.0))


def test_interval_model_recovers_known_quantiles_and_covers_fresh_draws():
    cal = iv.fit_intervals(_synthetic_errors(n=4000))
    rows = iv.stratum_rows(cal, iv.Stratum(iv.MUNICIPALITY, "total", "2000-4999", "all"))
    assert list(rows["horizon"]) == list(range(1, 11))
    h = rows["horizon"].to_numpy()
    np.testing.assert_array_less(np.abs(rows["q50"] - 0.002 * h), 0.001 * h)
    np.testing.assert_allclose(rows["q90"] - rows["q50"], Z80 * 0.01 * h, rtol=0.08)
    np.testing.assert_allclose(rows["q50"] - rows["q025"], Z95 * 0.01 * h, rtol=0.08)
    # Fresh draws from the same process: coverage near the nominal levels.
    fresh = cb.with_strata(_synthetic_errors(n=3000, seed=1), cal)
    fresh["projected"] = 1000.0
    fresh["observed"] = 1000.0 * np.exp(fresh["log_error"])
    cov = iv.coverage(iv.apply_intervals(cal, fresh), by=("kind",)).iloc[0]
    assert 78 <= cov["cover80"] <= 82 and 93.5 <= cov["cover95"] <= 96.5
    # Beyond the longest horizon the spread keeps growing (power in [0.3, 1]; here ~1).
    q = iv.quantiles_at(rows, np.array([10, 20]))
    spread = q[3] - q[0]
    assert 1.6 < spread[1] / spread[0] <= 2.0 + 1e-9
    assert rows["power"].iloc[0] == pytest.approx(1.0, abs=0.1)


def test_interval_factors_and_coverage_by_hand():
    cal = pd.DataFrame({
        "kind": iv.MUNICIPALITY, "measure": "total", "size_class": "all", "volatility_class": "all",
        "horizon": [1, 2], "n_errors": 50, "q025": [-0.2, -0.4], "q10": [-0.1, -0.2], "q50": [0.0, 0.0],
        "q90": [0.1, 0.2], "q975": [0.2, 0.4], "power": 0.5, "volatility_threshold": 1.0,
    })  # fmt: skip
    f = iv.interval_factors(cal, iv.Stratum(iv.MUNICIPALITY, "total", "<2000", "low"), [0, 1, 2, 8])
    np.testing.assert_allclose(f["lower80"], np.exp([0.0, -0.1, -0.2, -0.2 * 2.0]))  # (8/2)^0.5 = 2
    np.testing.assert_allclose(f["upper95"], np.exp([0.0, 0.2, 0.4, 0.8]))
    frame = pd.DataFrame({"horizon": [1, 1, 1, 1], "observed": [100, 95, 112, 80.0], "projected": 100.0,
                          "lower80": 90.0, "upper80": 110.0, "lower95": 85.0, "upper95": 120.0})  # fmt: skip
    c = iv.coverage(frame).iloc[0]
    assert c["n"] == 4 and c["cover80"] == 50 and c["cover95"] == 75
    assert c["half80_pct"] == 10 and c["half95_pct"] == 17.5
    assert iv.volatility_class(cal, 2.0) == "high" and iv.volatility_class(cal, None) == "all"


def test_stad_kinn_boundary_transfer_is_found_and_adjusted():
    found = breaks.detect_breaks()
    row = found[(found["kind"] == breaks.TRANSFER) & (found["zone_code"] == "4649")]
    assert list(row["year"]) == [2019] and list(row["partner_code"]) == ["4602"]
    assert 500 < row["persons"].iloc[0] < 650  # SSB: +559 / −615 between 1 Jan 2019 and 2020
    # Known in 2019, not before: detection uses no later stock.
    assert not any(x.donor == "4602" for x in breaks.transfers(2018))
    # No city noise read as a transfer, and the late series are listed.
    assert not found["zone_code"].isin(["0301", "5001", "4601", "1103"]).any()
    late = set(found.loc[found["kind"] == breaks.LATE_START, "zone_code"])
    assert late == {"1160", "1576"}
    # Putting 2015–2022 on the 2022 borders moves exactly the persons in the years before.
    codes = ["4602", "4649"]
    pop = {y: data.population_array(codes, y + 1).astype(float) for y in range(2015, 2023)}
    x = next(t for t in breaks.transfers() if t.receiver == "4649")
    new = breaks.on_borders_of(pop, codes, 2022, [x])
    for y in pop:
        moved = x.persons if y < 2019 else 0.0
        np.testing.assert_allclose(new[y][0].sum(), pop[y][0].sum() - moved)
        np.testing.assert_allclose(new[y][1].sum(), pop[y][1].sum() + moved)
        np.testing.assert_allclose(new[y].sum(), pop[y].sum())
        assert (new[y] >= 0).all()
    # The stock of 31 Dec 2019 is already on the new borders: with border year 2019 only the
    # years before it move.
    same = breaks.on_borders_of(pop, codes, 2019, [x])
    np.testing.assert_array_equal(same[2019], pop[2019])
    np.testing.assert_allclose(same[2018][1].sum(), pop[2018][1].sum() + x.persons)
    # And back to the 2015 borders from 2019 on.
    old = breaks.on_borders_of(pop, codes, 2015, [x])
    np.testing.assert_allclose(old[2020][1].sum(), pop[2020][1].sum() - x.persons)
    np.testing.assert_array_equal(old[2016], pop[2016])


def test_standard_schedule_and_split_use_only_years_up_to_the_base(monkeypatch):
    rc, src = vintage.standard_out_rates_as_of(2012)
    np.testing.assert_allclose(rc, vintage.rogers_castro_standard())
    assert "Rogers" in src
    assert vintage.split_shares_as_of(2024)[0] == vintage.NO_SPLIT
    assert vintage.split_shares_as_of(2025)[0] == bt.telemark_split_shares()
    r2017, _ = vintage.standard_out_rates_as_of(2017)
    assert not np.allclose(r2017, bt.standard_out_rates())
    # The 2017 schedule is the same when the data after 2017 do not exist.
    real = data.telemark_migration_by_age
    monkeypatch.setattr(
        data, "telemark_migration_by_age", lambda: real()[real()["year"] <= 2017].copy()
    )
    vintage._pooled_out_rates.cache_clear()
    try:
        cut, _ = vintage.standard_out_rates_as_of(2017)
    finally:
        vintage._pooled_out_rates.cache_clear()
    np.testing.assert_allclose(cut, r2017)
    # A back-test from 2012 uses the published model schedule and no split.
    setup = bt.prepare_backtest(["4001", "4003"], 2012, horizon_years=2)
    assert any("Rogers" in s for s in setup.history.sources)
    np.testing.assert_array_equal(setup.history.internal_out_share, 0.0)


@pytest.fixture(scope="module")
def small_run():
    r = bt.run_backtest(["4001", "4003", "4005"], 2013, horizon_years=12)
    return r, cb.errors_of(r, "40")


def test_errors_of_a_backtest_are_its_log_ratios(small_run):
    r, e = small_run
    tot = e[(e["kind"] == iv.MUNICIPALITY) & (e["measure"] == "total")]
    ref = r.errors_by_municipality()
    ref = ref[(ref["method"] == bt.MODEL) & (ref["years_ahead"] > 0)]
    m = tot.merge(ref, left_on=["zone_code", "horizon"], right_on=["zone_code", "years_ahead"])
    assert len(m) == 3 * 12
    np.testing.assert_allclose(
        m["log_error"], np.log(m["observed_y"] / m["projected_y"]), rtol=1e-9
    )
    reg = e[(e["kind"] == iv.REGION) & (e["measure"] == "67+")].sort_values("horizon")
    ages = r.observed.sum(axis=2)[1:, :, 67:].sum(axis=(1, 2))
    np.testing.assert_allclose(reg["observed"], ages)
    # volatility: sd of the 5 yearly growth rates to 2013, from the stocks
    t = np.array([data.population_array(["4001"], y + 1).sum() for y in range(2008, 2014)], float)
    v = e.loc[e["zone_code"] == "4001", "volatility"].iloc[0]
    assert v == pytest.approx(np.std(100 * np.diff(t) / t[:-1], ddof=1))


def test_backtest_intervals_csv_has_the_promised_columns(tmp_path, small_run):
    r, e = small_run
    # enough errors (and base years) per horizon: ten relabelled copies
    cal = iv.fit_intervals(pd.concat([e.assign(base_year=2000 + i) for i in range(10)]))
    out = cb.backtest_intervals(r, cal)
    text = app_eval.backtest_csv(out)
    df = pd.read_csv(pd.io.common.StringIO(text), dtype={"zone_code": str})
    assert list(df.columns[:7]) == ["zone_code", "zone_name", "year", "observed", "projected",
                                    "lower80", "upper80"]  # fmt: skip
    assert len(df) == 3 * 13 and set(df["zone_code"]) == {"4001", "4003", "4005"}
    assert (df["lower80"] <= df["upper80"]).all()
    base = df[df["year"] == 2013]
    np.testing.assert_allclose(base["lower80"], base["projected"], rtol=1e-12)
    # observed values sit on the right rows (zone, measure, year) and inside80 says so
    muni = out[(out["horizon"] > 0) & (out["kind"] == iv.MUNICIPALITY)]
    later = muni.merge(e, on=["zone_code", "measure", "horizon"], suffixes=("", "_e"))
    assert len(later) == len(muni) == 3 * 5 * 12
    np.testing.assert_allclose(later["observed"], later["observed_e"])
    np.testing.assert_allclose(later["projected"], later["projected_e"])
    inside = (later["observed"] >= later["lower80"]) & (later["observed"] <= later["upper80"])
    assert (later["inside80"] == inside).all()


def test_intervals_for_a_projection_are_ordered_and_start_at_the_base():
    proj = project(synthetic_inputs(3, 12, seed=4, base_year=2025))
    cal = iv.shipped_calibration()
    out = app_eval.intervals_for(proj, cal)
    assert set(out["measure"]) == set(iv.MEASURES)
    assert set(out["zone_code"]) == {*proj.zone_codes, ""}
    assert len(out) == (3 + 1) * len(iv.MEASURES) * 13
    assert (out["lower95"] <= out["lower80"] + 1e-9).all() and (
        out["lower80"] <= out["upper80"]
    ).all()
    assert (out["upper80"] <= out["upper95"] + 1e-9).all()
    base = out[out["horizon"] == 0]
    np.testing.assert_allclose(base["upper95"], base["projected"])
    tot = out[(out["zone_code"] == "") & (out["measure"] == "total")]
    np.testing.assert_allclose(tot["projected"], proj.population.sum(axis=(1, 2, 3)))
    width = (tot["upper95"] - tot["lower95"]).to_numpy()
    assert (np.diff(width[1:]) > 0).all()  # wider every year, also beyond the calibrated horizon


def test_shipped_calibration_is_complete():
    cal = iv.shipped_calibration()
    for kind in (iv.MUNICIPALITY, iv.REGION):
        for m in iv.MEASURES:
            rows = iv.stratum_rows(cal, iv.Stratum(kind, m))
            assert rows["horizon"].max() >= 10
    assert (cal["q025"] <= cal["q10"]).all() and (cal["q10"] <= cal["q50"]).all()
    assert (cal["q50"] <= cal["q90"]).all() and (cal["q90"] <= cal["q975"]).all()


def test_bad_calibration_file_and_base_years_are_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "kal.csv"
    bad.write_text("kind,measure\nmunicipality,total\n", encoding="utf-8")
    with pytest.raises(InputError, match="kal.csv"):
        iv.read_calibration(bad)
    out = tmp_path / "bt.xlsx"
    assert main(["backtest", "--county", "40", "--base-year", "2020", "--calibration", str(bad),
                 "-o", str(out), "--csv", str(tmp_path / "bt.csv")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kal.csv" in err and "q025" in err
    assert not out.exists() and not (tmp_path / "bt.csv").exists()
    assert main(["calibrate", "-o", str(tmp_path / "c.csv"), "--base-years", "1990-2000"]) == 2
    assert main(["calibrate", "-o", str(tmp_path / "c.csv"), "--base-years", "x"]) == 2
    assert main(["calibrate", "-o", str(tmp_path / "c.csv"), "--exclude-counties", "99"]) == 2
    assert not list(tmp_path.glob("c*.csv"))


def test_cli_calibrate_and_backtest_csv(tmp_path, capsys):
    cal = tmp_path / "kal.csv"
    others = [c for c in data.county_codes() if c not in ("03", "39")]
    assert main(["calibrate", "-o", str(cal), "--exclude-counties", ",".join(others),
                 "--base-years", "2018-2022", "--jobs", "1", "-q"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "2 counties × 5 base years" in text and "leave-one-county-out" in text
    fitted = iv.read_calibration(cal)
    assert set(fitted["kind"]) == {iv.MUNICIPALITY} and fitted["horizon"].max() == 5  # n >= 20
    assert (tmp_path / "kal-coverage.csv").exists() and (tmp_path / "kal-breaks.csv").exists()
    out, csv = tmp_path / "bt.xlsx", tmp_path / "bt.csv"
    assert main(["backtest", "--county", "39", "--base-year", "2020", "--horizon", "5",
                 "--calibration", str(cal), "--csv", str(csv), "-o", str(out)]) == 0  # fmt: skip
    assert "inside 80 %" in capsys.readouterr().out
    df = pd.read_csv(csv, dtype={"zone_code": str})
    assert list(df.columns[:7]) == ["zone_code", "zone_name", "year", "observed", "projected",
                                    "lower80", "upper80"]  # fmt: skip
    assert len(df) == 6 * 6 and df["lower80"].notna().all()
    codes = data.municipality_codes("39")
    assert list(df.loc[df["year"] == 2025, "zone_code"]) == codes
    obs = [data.population_array([c], 2026).sum() for c in codes]
    np.testing.assert_allclose(df.loc[df["year"] == 2025, "observed"], obs, atol=0.05)


def test_a_horizon_seen_from_fewer_than_three_base_years_is_extrapolated():
    e = _synthetic_errors(n=300, horizons=range(1, 7))
    e["base_year"] = np.where(e["horizon"] >= 5, 2000 + e.index % 2, 2000 + e.index % 5)
    cal = iv.fit_intervals(e)
    rows = iv.stratum_rows(cal, iv.Stratum(iv.MUNICIPALITY, "total", "2000-4999", "all"))
    assert rows["horizon"].max() == 4
    q = iv.quantiles_at(rows, np.array([4, 8]))
    med4 = rows["q50"].iloc[-1]
    # the bias is held, the spreads grow by (8/4)^power
    ratio = 2.0 ** rows["power"].iloc[-1]
    np.testing.assert_allclose(q[:, 1] - med4, (q[:, 0] - med4) * ratio)
