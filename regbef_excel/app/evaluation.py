"""Use cases that judge a projection: compare two scenarios, back-test a county, compare with
SSB's official municipal projection, calibrate and attach prediction intervals. Each reads, computes and writes one new workbook; the input
workbooks are never written.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regbef_excel import data
from regbef_excel.app.projection import read_input
from regbef_excel.engine import project
from regbef_excel.engine.fertility import FERTILITY_ASSUMPTIONS
from regbef_excel.engine.results import Projection
from regbef_excel.errors import InputError, Location
from regbef_excel.evaluation import backtest as bt
from regbef_excel.evaluation import breaks
from regbef_excel.evaluation import calibrate as cb
from regbef_excel.evaluation import intervals as iv
from regbef_excel.evaluation.backtest import BacktestResult, run_backtest
from regbef_excel.evaluation.scenarios import ScenarioComparison, compare_scenarios
from regbef_excel.evaluation.ssb import compare_with_ssb, read_ssb_projection_csv
from regbef_excel.files import atomic_write, same_file
from regbef_excel.io.write.evaluation import (
    fan_rows,
    write_backtest,
    write_comparison,
    write_ssb_comparison,
)


def refuse_input_as_output(output: str, *inputs: str) -> None:
    """Refuse to write over an input workbook."""
    for path in inputs:
        if same_file(path, output):
            raise InputError("the output file must differ from the input files (inputs are never overwritten)",
                             location=Location(cell=str(output)))  # fmt: skip


def scenario_labels(a: str | os.PathLike, b: str | os.PathLike) -> tuple[str, str]:
    """The two scenarios' names: the file names without extension, or, when those are the same
    (a returned copy of a template in another folder), with the folder that tells them apart."""
    pa, pb = Path(a), Path(b)
    if pa.stem.casefold() != pb.stem.casefold():
        return pa.stem, pb.stem
    for da, db in zip(reversed(pa.resolve().parent.parts), reversed(pb.resolve().parent.parts), strict=False):
        if da != db:
            return f"{pa.stem} ({da})", f"{pb.stem} ({db})"
    return f"{pa.stem} (1)", f"{pb.stem} (2)"


def compare_workbooks(
    a: str, b: str, output: str, *, labels: Sequence[str] | None = None, language: str | None = None
) -> ScenarioComparison:
    """Run two input workbooks and write one scenario-comparison workbook to ``output``."""
    refuse_input_as_output(output, a, b)
    labels = tuple(labels) if labels else scenario_labels(a, b)
    ia, meta = read_input(a, name_file=True)  # two inputs: every message names its file
    ib, _ = read_input(b, name_file=True)
    comp = compare_scenarios(project(ia), project(ib), labels)  # type: ignore[arg-type]
    lang = language or getattr(meta, "language", None) or "nb"
    write_comparison(comp, output, language=lang)
    return comp


def load_calibration(path: str | None = None) -> pd.DataFrame:
    """The interval calibration in ``path`` (``regbef-excel calibrate -o FILE``) or the shipped one."""
    return iv.read_calibration(path) if path else iv.shipped_calibration()


def backtest_county(
    county: str,
    base_year: int,
    output: str,
    *,
    horizon_years: int = 10,
    language: str | None = None,
    calibration: str | None = None,
    csv: str | None = None,
    assumptions: bt.Assumptions | None = None,
    fan_zone: str | None = None,
) -> BacktestResult:
    """Project a county from an earlier base year with information up to then, compare with the
    observed population and write the back-test workbook to ``output``.

    The result carries prediction intervals (``result.intervals``, see
    :func:`regbef_excel.evaluation.calibrate.backtest_intervals`) from ``calibration`` (a file
    written by ``regbef-excel calibrate``; default: the shipped calibration, which was fitted on
    all counties, this one included: use ``calibrate --exclude-counties`` for an out-of-sample
    check) and their coverage (``result.interval_coverage``). ``csv``: one row per
    municipality and year, columns zone_code, zone_name, year, observed, projected, lower80,
    upper80, lower95, upper95, horizon. ``assumptions``: fertility and elderly in-migration
    (default the handbook's trend variant). ``fan_zone``: municipality (code or name) of the
    workbook's fan chart, default the region.
    """
    if csv:
        refuse_input_as_output(csv, *([calibration] if calibration else []))
    a = check_assumptions(assumptions, "backtest")
    cal = load_calibration(calibration)
    result = run_backtest(county, base_year, horizon_years=horizon_years, assumptions=a)
    result.intervals = cb.backtest_intervals(result, cal)
    if fan_zone is not None:
        try:
            fan_rows(result.intervals, fan_zone)
        except KeyError:
            raise InputError("unknown municipality for the fan chart", location=Location(table="backtest", column="fan-zone"),
                             found=fan_zone, expected="a code or name of the county's municipalities: "
                             + ", ".join(result.zone_codes)) from None  # fmt: skip
    inside = result.intervals[result.intervals["horizon"] > 0]
    result.interval_coverage = iv.coverage(inside, by=("kind", "measure", "horizon"))
    text = backtest_csv(result.intervals) if csv else ""
    write_backtest(result, output, language=language or "nb", fan_zone=fan_zone,
                   calibration=Path(calibration).name if calibration else None)
    if csv:
        write_text(csv, text)
    return result


def check_assumptions(assumptions: bt.Assumptions | None, table: str) -> bt.Assumptions:
    """The back-test assumptions, checked (one :class:`InputError` naming the option)."""
    a = assumptions or bt.Assumptions()
    back_testable = [f for f in FERTILITY_ASSUMPTIONS if f != "tfr_path"]
    if a.fertility not in back_testable:
        raise InputError("unknown fertility assumption", location=Location(table=table, column="fertility"),
                         found=a.fertility, expected=" or ".join(back_testable))  # fmt: skip
    if not 0 <= a.damping <= 1:
        raise InputError("damping outside 0–1", location=Location(table=table, column="damping"),
                         found=a.damping, expected="a number from 0 to 1 (e.g. 0.8)")  # fmt: skip
    if a.elderly_inmigration not in ("counts", "rates"):
        raise InputError("unknown elderly in-migration", location=Location(table=table, column="elderly-inmigration"),
                         found=a.elderly_inmigration, expected="counts or rates")  # fmt: skip
    return a


def backtest_csv(intervals: pd.DataFrame) -> str:
    """One row per municipality and year (total population): zone_code, zone_name, year,
    observed, projected, lower80, upper80, lower95, upper95, horizon."""
    t = intervals[(intervals["measure"] == "total") & (intervals["zone_code"] != "")]
    cols = ["zone_code", "zone_name", "year", "observed", "projected", "lower80", "upper80",
            "lower95", "upper95", "horizon"]  # fmt: skip
    return t[cols].to_csv(index=False, float_format="%.1f", lineterminator="\n")


def write_text(path: str, text: str) -> Path:
    """Write a text file through a temporary file renamed into place (no partial output)."""
    return atomic_write(path, text)


def intervals_for(projection: Projection, calibration: pd.DataFrame | None = None) -> pd.DataFrame:
    """80 % and 95 % prediction intervals of a projection from the back-test record.

    One row per zone (and the region, ``zone_code`` ``""``, when there are two or more zones),
    year and measure (``total``, ``1-5``, ``6-15``, ``67+``, ``80+``): zone_code, zone_name,
    year, horizon, measure, projected, lower80, upper80, lower95, upper95. The base year's
    bounds equal the projection. Size class: each zone's base-year total; volatility class: from
    the shipped SSB stocks of the five years to the base year for zones with a municipality code
    in them, otherwise pooled. ``calibration``: default the shipped one.
    """
    return cb.intervals_of_projection(projection, calibration)


@dataclass
class CalibrationReport:
    """What ``regbef-excel calibrate`` made: the run, its out-of-sample coverage, the breaks."""

    run: cb.CalibrationRun
    coverage: pd.DataFrame
    breaks: pd.DataFrame
    paths: list[Path]
    seconds: float


def calibrate_intervals(
    output: str,
    *,
    exclude_counties: Sequence[str] = (),
    base_years: Sequence[int] | None = None,
    jobs: int = 2,
    progress=None,  # noqa: ANN001 - Callable[[str, float], None]
    assumptions: bt.Assumptions | None = None,
) -> CalibrationReport:
    """Back-test every county (but the excluded) from every base year, fit the interval model
    and write it to ``output`` (CSV), its out-of-sample coverage to ``<output>-coverage.csv``
    and the detected series breaks to ``<output>-breaks.csv``. The back-tests project with
    ``assumptions`` (default the handbook's trend variant)."""
    start = time.perf_counter()
    a = check_assumptions(assumptions, "calibrate")
    known = set(data.county_codes())
    for c in exclude_counties:
        if str(c).zfill(2) not in known:
            raise InputError("unknown county code", location=Location(table="calibrate", column="exclude-counties"),
                             found=c, expected=", ".join(sorted(known)))  # fmt: skip
    allowed = range(bt.FIRST_STOCK_YEAR + 1, bt.LAST_STOCK_YEAR)
    for b in base_years or ():
        if b not in allowed:
            raise InputError("base year outside the back-test range",
                             location=Location(table="calibrate", column="base-years"),
                             found=b, expected=f"{allowed[0]}–{allowed[-1]}")  # fmt: skip
    run = cb.calibrate(
        base_years=base_years, exclude_counties=exclude_counties, jobs=jobs, progress=progress,
        assumptions=a,
    )
    coverage = cb.coverage_table(cb.out_of_sample(run.errors))
    found = breaks.detect_breaks()
    out = Path(output)
    stem = out.with_suffix("")
    paths = [write_text(output, iv.calibration_csv(run.calibration)),
             write_text(f"{stem}-coverage.csv", coverage.to_csv(index=False, float_format="%.2f", lineterminator="\n")),
             write_text(f"{stem}-breaks.csv", found.to_csv(index=False, lineterminator="\n"))]  # fmt: skip
    return CalibrationReport(run, coverage, found, paths, time.perf_counter() - start)


def ssb_frame_for(zone_codes, csv_path: str | None, source_name: str) -> pd.DataFrame:  # noqa: ANN001
    """SSB projection frame: the user's CSV, or the shipped Telemark tables for 40xx zones."""
    if csv_path:
        return read_ssb_projection_csv(csv_path)
    if all(len(str(c)) == 4 and str(c).startswith("40") for c in zone_codes):
        return data.ssb_projection_telemark()
    raise InputError(
        "no SSB projection is shipped for these zones (only Telemark, 40xx)",
        location=Location(sheet=source_name), found=", ".join(list(zone_codes)[:4]),
        expected="--ssb FILE.csv: a CSV export of SSB table 14288 or 14746 for your municipalities",
    )  # fmt: skip


def ssb_compare_workbook(
    input: str,
    output: str,
    *,
    ssb: str | None = None,
    alternative: str = "MMMM",
    language: str | None = None,
) -> pd.DataFrame:
    """Run a workbook, compare it with SSB's projection and write the comparison to ``output``."""
    refuse_input_as_output(output, input)
    inputs, meta = read_input(input)
    frame = ssb_frame_for(inputs.zone_codes, ssb, Path(input).name)
    comp = compare_with_ssb(project(inputs), frame, alternative)
    write_ssb_comparison(comp, output, language=language or getattr(meta, "language", None) or "nb")
    return comp


__all__ = [
    "CalibrationReport",
    "backtest_county",
    "backtest_csv",
    "calibrate_intervals",
    "check_assumptions",
    "intervals_for",
    "load_calibration",
    "compare_workbooks",
    "refuse_input_as_output",
    "ssb_compare_workbook",
    "ssb_frame_for",
    "write_text",
]
