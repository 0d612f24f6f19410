"""Fertility assumptions and elderly in-migration as rates of a reference population: the paths
by hand, what generation makes of a history, and the back-test workbook's interval coverage."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_generation import simulated_history

from regbef_excel.cli import main
from regbef_excel.engine import project
from regbef_excel.engine.fertility import damped_trend, fertility_level_path
from regbef_excel.engine.generation import generate, reference_age_levels
from regbef_excel.evaluation import backtest as bt
from regbef_excel.evaluation import calibrate as cb
from regbef_excel.evaluation import intervals as iv
from regbef_excel.io.write.evaluation import write_backtest


def test_damped_trend_by_hand():
    # L = 1.0, b = −0.02, φ = 0.8: h=1 1 − 0.02·0.8; h=2 1 − 0.02·(0.8 + 0.64); h=3 adds 0.512
    np.testing.assert_allclose(
        damped_trend(1.0, -0.02, 0.8, np.array([1, 2, 3])), [0.984, 0.9712, 0.96096]
    )
    # far ahead it levels off at L + b·φ/(1−φ) = 1 − 0.08
    assert damped_trend(1.0, -0.02, 0.8, np.array([200]))[0] == pytest.approx(0.92)
    np.testing.assert_allclose(damped_trend(1.0, -0.02, 1.0, np.array([1, 5])), [0.98, 0.9])


def test_fertility_level_paths():
    np.testing.assert_array_equal(fertility_level_path("period_mean", 3), [1, 1, 1])
    np.testing.assert_array_equal(
        fertility_level_path("last_year", 2, last_year_level=0.95), [0.95, 0.95]
    )
    np.testing.assert_allclose(
        fertility_level_path("damped_trend", 2, trend_start=1.02, trend_slope=-0.05, damping=0.5),
        [1.02 - 0.05 * 0.5, 1.02 - 0.05 * 0.75],
    )
    # a steep trend stops at the floor
    assert fertility_level_path("damped_trend", 30, trend_slope=-1.0, damping=1.0)[-1] == 0.2
    # a planner's TFR path over the schedule's TFR
    np.testing.assert_allclose(
        fertility_level_path("tfr_path", 2, tfr_path=np.array([1.5, 1.2]), schedule_tfr=1.6),
        [0.9375, 0.75],
    )
    with pytest.raises(ValueError, match="expected 3"):
        fertility_level_path("tfr_path", 3, tfr_path=np.array([1.5, 1.2]), schedule_tfr=1.6)
    with pytest.raises(ValueError, match="unknown fertility assumption"):
        fertility_level_path("ssb", 3)


@pytest.fixture(scope="module")
def history():
    return simulated_history()


def _with_falling_births(hist, factor: float):
    """The history with the last year's newborns scaled (births fall in the last year)."""
    pop = {y: p.copy() for y, p in hist.population.items()}
    last = max(pop)
    pop[last][:, :, 0] *= factor
    return type(hist)(**{**hist.__dict__, "population": pop})


def test_last_year_fertility_is_the_last_observed_level(history):
    truth, _sim, hist, nat = history
    hist = _with_falling_births(hist, 0.8)
    base = dict(base_year=2014, horizon=2016, estimation=(2011, 2014))
    mean, rep = generate(hist, nat, **base)
    last, rep_last = generate(hist, nat, fertility_assumption="last_year", **base)
    f = rep.fertility
    # the region's level of the last estimation year: estimated over expected births that year
    ratio_last = rep.estimated_births[-1].sum() / rep.expected_births[-1].sum()
    ratio_mean = rep.estimated_births.sum() / rep.expected_births.sum()
    assert f.last_year_level == pytest.approx(ratio_last / ratio_mean)
    assert f.last_year_level < 0.9  # the fall shows
    np.testing.assert_allclose(last.fertility_level_region, f.last_year_level)
    np.testing.assert_array_equal(mean.fertility_level_region, 1.0)
    # so the first projected year's births per woman are the last observed year's:
    # Σ FODRAT·FR·FK over women = estimated births of the last year / its expected births × expected
    p = project(last)
    women = p.population[0][:, 1, :]  # (K, A1) at the base year, aged one year in the engine
    assert p.flows["births"][0].sum() < project(mean).flows["births"][0].sum() * 0.9
    assert women.sum() > 0
    assert rep_last.fertility.assumption == "last_year"


def test_damped_trend_follows_the_record(history):
    _truth, _sim, hist, nat = history
    hist = _with_falling_births(hist, 0.8)
    inp, rep = generate(hist, nat, base_year=2014, horizon=2020, estimation=(2011, 2014),
                        fertility_assumption="damped_trend", fertility_damping=0.8)  # fmt: skip
    f = rep.fertility
    rel = f.tfr / f.level
    x = np.array(f.years, dtype=float)
    slope, icpt = np.polyfit(x, rel, 1)
    assert f.trend_slope == pytest.approx(slope)
    assert f.trend_start == pytest.approx(icpt + slope * 2014)
    h = np.arange(1, 7)
    np.testing.assert_allclose(
        inp.fertility_level_region, f.trend_start + slope * 0.8 * (1 - 0.8**h) / 0.2
    )


def test_tfr_path_sets_the_level_against_the_schedule(history):
    _truth, _sim, hist, nat = history
    path = np.array([1.4, 1.3])
    inp, _ = generate(hist, nat, base_year=2014, horizon=2016, estimation=(2011, 2014),
                      fertility_assumption="tfr_path", tfr_path=path)  # fmt: skip
    np.testing.assert_allclose(inp.fertility_level_region * nat.fertility_latest.sum(), path)


def _reference(scale_base: float = 1.0) -> dict[int, np.ndarray]:
    ref = {y: np.full((2, 100), 1000.0) for y in range(2010, 2015)}
    ref[2014] = ref[2014] * scale_base
    return ref


def test_rates_scale_with_the_reference_population(history):
    _truth, _sim, hist, nat = history
    nat0 = type(nat)(**{**nat.__dict__, "death_prob": np.zeros_like(nat.death_prob)})
    years = [2011, 2012, 2013, 2014]
    band = (67, 79)
    one = reference_age_levels(_reference(1.0), years, 2014, 2016, nat0, ages=band)
    # no deaths, a flat reference: the band's population ages unchanged, multipliers 1
    np.testing.assert_allclose(one, 1.0)
    # the open age group 99+ keeps its survivors: the band 67–99 gains 1 000 a year (33 000 → 34 000)
    np.testing.assert_allclose(reference_age_levels(_reference(1.0), years, 2014, 2016, nat0, ages=(67, 99))[:, 67],
                               [34 / 33, 35 / 33])  # fmt: skip
    # the base year's reference doubled: the projected reference of the band is 2× the flat
    # one, so the multiplier is 2 / mean(1, 1, 1, 2) = 1.6 in both years; elsewhere counts stay
    two = reference_age_levels(_reference(2.0), years, 2014, 2016, nat0, ages=band)
    np.testing.assert_allclose(two[:, 67:80], 1.6)
    np.testing.assert_allclose(two[:, :67], 1.0)
    np.testing.assert_allclose(two[:, 80:], 1.0)
    # in the projection: in-migration from the rest of Norway at 70 scales, at 30 it does not
    base = dict(base_year=2014, horizon=2016, estimation=(2011, 2014))
    counts, _ = generate(hist, nat0, **base)
    rates, rep = generate(hist, nat0, elderly_inmigration="rates", reference_population=_reference(2.0),
                          elderly_ages=band, **base)  # fmt: skip
    np.testing.assert_allclose(rep.inmigration_age_level, two)
    pc, pr = project(counts).flows["EIFN"][0], project(rates).flows["EIFN"][0]
    np.testing.assert_allclose(pr[:, :, 70], 1.6 * pc[:, :, 70], rtol=1e-12)
    np.testing.assert_allclose(pr[:, :, 30], pc[:, :, 30], rtol=1e-12)
    np.testing.assert_allclose(pr[:, :, 85], pc[:, :, 85], rtol=1e-12)
    with pytest.raises(ValueError, match="reference population"):
        generate(hist, nat0, elderly_inmigration="rates", **base)


def test_backtest_coverage_is_a_hand_count():
    rows = []
    # zone A (size 1 000): horizon 1 inside both, horizon 2 outside 80 inside 95
    # zone B (size 10 000): horizon 1 outside both, horizon 2 inside both
    for code, size, obs in (
        ("A", 1000.0, (100.0, 100.0, 85.0)),
        ("B", 10000.0, (100.0, 130.0, 100.0)),
    ):
        for h, o in enumerate(obs):
            rows.append({"zone_code": code, "zone_name": code, "kind": iv.MUNICIPALITY, "year": 2020 + h,
                         "horizon": h, "measure": "total", "projected": 100.0,
                         "lower80": 90.0, "upper80": 110.0, "lower95": 80.0, "upper95": 120.0,
                         "observed": size if h == 0 else o})  # fmt: skip
    cov = cb.backtest_coverage(pd.DataFrame(rows))
    pooled = cov[cov["size_class"] == "all"].set_index("horizon")
    assert (
        pooled.loc[1, "n"] == 2
        and pooled.loc[1, "cover80"] == 50
        and pooled.loc[1, "cover95"] == 50
    )
    assert pooled.loc[2, "cover80"] == 50 and pooled.loc[2, "cover95"] == 100
    assert pooled.loc[1, "half80_pct"] == 10 and pooled.loc[1, "half95_pct"] == 20
    small = cov[cov["size_class"] == "<2000"].set_index("horizon")
    assert (
        small.loc[1, "cover80"] == 100
        and small.loc[2, "cover80"] == 0
        and small.loc[2, "cover95"] == 100
    )
    big = cov[cov["size_class"] == "5000-19999"].set_index("horizon")
    assert big.loc[1, "cover95"] == 0 and big.loc[2, "cover80"] == 100
    assert list(cov["size_class"]) == ["all", "all", "<2000", "<2000", "5000-19999", "5000-19999"]


@pytest.fixture(scope="module")
def small_backtest():
    r = bt.run_backtest(["4001", "4003", "4005"], 2013, horizon_years=5)
    r.intervals = cb.backtest_intervals(r, iv.shipped_calibration())
    return r


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_backtest_workbook_shows_coverage_and_fan(tmp_path, small_backtest, lang):
    path = write_backtest(
        small_backtest, tmp_path / f"bt-{lang}.xlsx", language=lang, fan_zone="Skien"
    )
    ws = openpyxl.load_workbook(path).worksheets[0]
    cells = {
        (c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None
    }
    texts = [v for v in cells.values() if isinstance(v, str)]
    want = "Innenfor 80 % (%)" if lang == "nb" else "Inside 80 % (%)"
    head = next(k for k, v in cells.items() if v == want)
    cov = cb.backtest_coverage(small_backtest.intervals)
    # first data row: pooled, one year ahead, as computed
    assert cells[(head[0] + 1, head[1])] == pytest.approx(cov["cover80"].iloc[0])
    assert cells[(head[0] + 1, 1)] == ("alle" if lang == "nb" else "all")
    assert any("4003 Skien" in t for t in texts)
    assert len(ws._charts) == 3  # noqa: SLF001 - openpyxl has no public chart list
    area = next(c for c in ws._charts if type(c).__name__ == "AreaChart")  # noqa: SLF001
    assert len(area.series) == 4  # base + three bands; projection and observed are lines


def test_cli_backtest_options_are_checked(tmp_path, capsys):
    out = tmp_path / "bt.xlsx"
    assert (
        main(
            [
                "backtest",
                "--county",
                "40",
                "--base-year",
                "2015",
                "-o",
                str(out),
                "--damping",
                "1.5",
            ]
        )
        == 2
    )
    assert "damping" in capsys.readouterr().err and not out.exists()
    assert main(["backtest", "--county", "40", "--base-year", "2015", "-o", str(out),
                 "--fertility", "ssb"]) == 2  # fmt: skip
    assert "fertility" in capsys.readouterr().err and not out.exists()


# --------------------------------------------------------------------------- the workbook
@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "kommune.xlsx"
    assert main(["template", str(path), "-q"]) == 0
    return path


def _edit(template, tmp_path, settings: dict, year_column: tuple[str, list] | None = None):
    from test_cli import table_cells

    wb = openpyxl.load_workbook(template)
    ws, cols, first, last = table_cells(wb, "tblSettings")
    for r in range(first, last + 1):
        key = ws.cell(r, cols["key"]).value
        if key in settings:
            ws.cell(r, cols["value"]).value = settings[key]
    if year_column is not None:
        ws, cols, first, last = table_cells(wb, "tblYearFactors")
        key, values = year_column
        for i, r in enumerate(range(first, last + 1)):
            ws.cell(r, cols[key]).value = values[i] if i < len(values) else None
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def test_workbook_settings_drive_the_assumptions(template, tmp_path, capsys):
    from regbef_excel.io.read.projection import read_workbook

    base, meta = read_workbook(template)
    # the generated record is in the settings
    assert meta.settings["fertility_assumption"] == "period_mean"
    assert (
        0.5 < meta.settings["fertility_last_year"] < 1.5
        and meta.settings["elderly_levels"] is not None
    )
    T = base.n_years
    last, _ = read_workbook(_edit(template, tmp_path, {"fertility_assumption": "siste år",
                                                       "fertility_last_year": 0.9}))  # fmt: skip
    np.testing.assert_allclose(last.fertility_level_region, base.fertility_level_region * 0.9)
    trend, _ = read_workbook(_edit(template, tmp_path, {"fertility_assumption": "dempet trend", "fertility_start": 1.0,
                                                        "fertility_slope": -0.02, "fertility_damping": 0.5}))  # fmt: skip
    h = np.arange(1, T + 1)
    np.testing.assert_allclose(
        trend.fertility_level_region, base.fertility_level_region * (1 - 0.02 * (1 - 0.5**h))
    )
    tfr = [1.5] * T
    path, _ = read_workbook(
        _edit(template, tmp_path, {"fertility_assumption": "SFT-bane"}, ("TFR", tfr))
    )
    np.testing.assert_allclose(path.fertility_level_region,
                               base.fertility_level_region * 1.5 / base.fertility_rates.sum())  # fmt: skip
    # rates: the EIFN elderly column multiplies in-migration at the elderly ages
    rates, _ = read_workbook(_edit(template, tmp_path, {"elderly_inmigration": "rater", "elderly_from_age": 70,
                                                        "elderly_to_age": 89}))  # fmt: skip
    lv = np.asarray(meta.settings["elderly_levels"])
    np.testing.assert_allclose(rates.inmigration_age_level[:, 70], lv)
    np.testing.assert_allclose(rates.inmigration_age_level[:, 69], 1.0)
    np.testing.assert_allclose(rates.inmigration_age_level[:, 90], 1.0)
    assert base.inmigration_age_level is None
    eifn = project(rates).flows["EIFN"][-1].sum(axis=(0, 1))
    eifn0 = project(base).flows["EIFN"][-1].sum(axis=(0, 1))
    np.testing.assert_allclose(eifn[80], eifn0[80] * lv[-1], rtol=1e-9)
    np.testing.assert_allclose(eifn[30], eifn0[30], rtol=1e-9)


def test_workbook_assumption_errors_name_the_column(template, tmp_path, capsys):
    bad = _edit(template, tmp_path, {"fertility_assumption": "SFT-bane"})  # no TFR typed
    assert main(["validate", str(bad)]) == 2
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert "TFR missing for years" in err and "SFT samlet fruktbarhet" in err
    bad = _edit(template, tmp_path, {"elderly_from_age": 80, "elderly_to_age": 70})
    assert main(["validate", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "the last elderly age is below the first" in captured.out + captured.err
    # a TFR typed while the assumption does not use it: said, not silently ignored
    unused = _edit(template, tmp_path, {}, ("TFR", [1.5] * 5))
    out = tmp_path / "res.xlsx"
    assert main(["run", str(unused), "-o", str(out), "-q"]) == 0
    assert (
        "is filled but not used (only when fertility assumption = TFR path)"
        in capsys.readouterr().err
    )


def test_backtest_fan_zone_name_is_text(tmp_path, small_backtest):
    """A zone name that looks like a formula stays text in the fan chart's caption and title."""
    r = bt.BacktestResult(**{f: getattr(small_backtest, f) for f in (
        "setup", "projection", "observed", "observed_years", "forecasts", "warnings", "suspect_zones")})  # fmt: skip
    r.intervals = small_backtest.intervals.replace({"zone_name": {"Skien": '=HYPERLINK("x")'}})
    path = write_backtest(r, tmp_path / "hostile.xlsx", fan_zone="4003")
    ws = openpyxl.load_workbook(path).worksheets[0]
    captions = [
        c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert captions and all(c.data_type == "s" for row in ws.iter_rows() for c in row
                            if isinstance(c.value, str) and "HYPERLINK" in c.value)  # fmt: skip
