"""Use cases that judge a projection: compare two scenarios, back-test a county, compare with
SSB's official municipal projection. Each reads, computes and writes one new workbook; the input
workbooks are never written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from regbef_excel import data
from regbef_excel.app.projection import read_input
from regbef_excel.engine import project
from regbef_excel.errors import InputError, Location
from regbef_excel.evaluation.backtest import BacktestResult, run_backtest
from regbef_excel.evaluation.scenarios import ScenarioComparison, compare_scenarios
from regbef_excel.evaluation.ssb import compare_with_ssb, read_ssb_projection_csv
from regbef_excel.files import same_file
from regbef_excel.io.write.evaluation import write_backtest, write_comparison, write_ssb_comparison


def refuse_input_as_output(output: str, *inputs: str) -> None:
    """Refuse to write over an input workbook."""
    for path in inputs:
        if same_file(path, output):
            raise InputError("the output file must differ from the input files (inputs are never overwritten)",
                             location=Location(cell=str(output)))  # fmt: skip


def compare_workbooks(
    a: str, b: str, output: str, *, labels: Sequence[str] | None = None, language: str | None = None
) -> ScenarioComparison:
    """Run two input workbooks and write one scenario-comparison workbook to ``output``."""
    refuse_input_as_output(output, a, b)
    labels = tuple(labels) if labels else (Path(a).stem, Path(b).stem)
    ia, meta = read_input(a, name_file=True)  # two inputs: every message names its file
    ib, _ = read_input(b, name_file=True)
    comp = compare_scenarios(project(ia), project(ib), labels)  # type: ignore[arg-type]
    lang = language or getattr(meta, "language", None) or "nb"
    write_comparison(comp, output, language=lang)
    return comp


def backtest_county(
    county: str, base_year: int, output: str, *, horizon_years: int = 10, language: str | None = None
) -> BacktestResult:
    """Project a county from an earlier base year with information up to then, compare with the
    observed population and write the back-test workbook to ``output``."""
    result = run_backtest(county, base_year, horizon_years=horizon_years)
    write_backtest(result, output, language=language or "nb")
    return result


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
    input: str, output: str, *, ssb: str | None = None, alternative: str = "MMMM", language: str | None = None
) -> pd.DataFrame:
    """Run a workbook, compare it with SSB's projection and write the comparison to ``output``."""
    refuse_input_as_output(output, input)
    inputs, meta = read_input(input)
    frame = ssb_frame_for(inputs.zone_codes, ssb, Path(input).name)
    comp = compare_with_ssb(project(inputs), frame, alternative)
    write_ssb_comparison(comp, output, language=language or getattr(meta, "language", None) or "nb")
    return comp


__all__ = [
    "backtest_county",
    "compare_workbooks",
    "refuse_input_as_output",
    "ssb_compare_workbook",
    "ssb_frame_for",
]
