"""Regression use cases: estimate every model of a regression workbook into a new results
workbook, write a regression template with a demo panel, and turn the migration regressions into
net-migration targets of a projection workbook.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regbef_excel.data.panels import REGION, YEAR, ba_zones, demo_panel
from regbef_excel.engine.inputs import ProjectionInputs
from regbef_excel.errors import InputError, Location, RegbefError
from regbef_excel.files import file_sha256, same_file
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.io.read.regression import read_regression_workbook
from regbef_excel.io.read.targets import targets_from_rows
from regbef_excel.io.regression_run import RegressionRun, run_regressions
from regbef_excel.io.write.regression import build_regression_workbook, write_regression_results
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.regression import (
    fit_panel,
)
from regbef_excel.regression.targets import baseline_scenario, shock, targets_from_fe


def write_regression_template(
    path: str | Path, *, panel: str = "real", language: str = "nb"
) -> Path:
    """Write a regression workbook pre-filled with a demo panel (``"real"`` or ``"synthetic"``)."""
    data = demo_panel(panel)
    return save_workbook(build_regression_workbook(data, language=language), path)


@dataclass
class RegressionOutcome:
    run: RegressionRun
    output_path: Path
    input_sha256: str


def regress_file(
    input_path: str | Path, output_path: str | Path, *, language: str | None = None
) -> RegressionOutcome:
    """Read a regression workbook, estimate every model and write a NEW results workbook.

    Every input problem raises :class:`InputError` before anything is written; the input file
    is only read (its SHA-256 is checked before and after).
    """
    input_path, output_path = Path(input_path), Path(output_path)
    if same_file(input_path, output_path):
        raise InputError(
            "the output file must differ from the input file (the input is never overwritten)",
            location=Location(cell=str(output_path)),
        )
    sha = file_sha256(input_path) if input_path.exists() else ""
    inp = read_regression_workbook(input_path)
    run = run_regressions(inp)
    items = {
        ("Inndata" if (language or inp.language) == "nb" else "Input"): str(input_path.name),
        "SHA-256": sha,
        ("Kjørt" if (language or inp.language) == "nb" else "Run at"):
            _dt.datetime.now().replace(microsecond=0).isoformat(sep=" "),
    }  # fmt: skip
    write_regression_results(run, output_path, language=language, run_items=items)
    if sha and file_sha256(input_path) != sha:  # pragma: no cover - guard
        raise RegbefError(f"the input file {input_path} changed during the run; please report this")
    return RegressionOutcome(run, output_path, sha)


def targets_frame_to_arrays(frame: pd.DataFrame, inputs: ProjectionInputs):
    """tblTargets rows (year, zone_code, steering, target_type, value) → :class:`Targets`.

    Blank ``zone_code`` is the region. Rows outside the projection years or for unknown zones
    are input errors naming the row.
    """
    tg, problems = targets_from_rows(enumerate(frame.to_dict("records"), start=1), inputs.zone_codes,
                                     inputs.base_year, inputs.horizon)  # fmt: skip
    if problems:
        p = problems[0]
        raise InputError(p.message, location=Location(table="tblTargets", row=p.row), found=p.found,
                         expected=p.expected)  # fmt: skip
    return tg


def regression_targets(
    regression_path: str | os.PathLike,
    projection_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    model: str | None = None,
    shock_variable: str | None = None,
    shock_size: float = 0.0,
    shock_regions: list[str] | None = None,
    shock_from: int | None = None,
    future_year_effect: str | float = "last",
    centre: bool = False,
    variant: int = 2,
) -> pd.DataFrame:
    """From "what if unemployment rises" to population by age.

    Estimates the chosen fixed-effects model of a regression workbook, predicts net migration
    per 1000 for the projection years under a scenario (regressors at each region's last
    observed values, optionally shocked), converts it to persons per region and year
    (population on 1 January 2026, held constant), distributes regions to the projection's
    municipalities in proportion to population, and writes a NEW projection workbook whose
    target sheet holds these net-migration targets (MÅLTYP 1) for every municipality and
    year, with model variant 2 (target steering). ``centre`` subtracts the population-weighted
    mean rate so that persons sum to zero over the regions — right for a model of internal net
    migration covering the country (the thesis' dependent variable); the demo panel's variable
    is total net migration including moves abroad, so centring is off by default.

    Returns the targets table that was written.
    """
    if same_file(projection_path, output_path) or same_file(regression_path, output_path):
        raise InputError("the output file must differ from the input files", location=Location(cell=str(output_path)))
    reg = read_regression_workbook(regression_path)
    fe = [m for m in reg.models if m.method == "fe"]
    chosen = [m for m in fe if model is None or m.name == model]
    if not chosen:
        raise InputError(
            "no fixed-effects model with that name in the regression workbook",
            location=Location(sheet="Modeller", table="tblModels"),
            found=model, expected=", ".join(m.name for m in fe) or "an FE model",
        )
    spec = chosen[-1] if model is None else chosen[0]
    res = fit_panel(reg.data, spec.y, list(spec.x), REGION, YEAR, method="fe", cov=spec.cov,
                    time_dummies=spec.time_dummies)
    inputs, meta = read_workbook(projection_path)
    years = [int(y) for y in inputs.years]
    scen = baseline_scenario(res, reg.data, years)
    if shock_variable:
        scen = shock(scen, shock_variable, shock_size, regions=shock_regions, from_year=shock_from,
                     entity=REGION, time=YEAR)
    all_zones = ba_zones(region_column=REGION)
    region_pop = all_zones.groupby(REGION, as_index=False)["population"].sum()
    pop = region_pop.merge(pd.DataFrame({YEAR: years}), how="cross")
    zones = ba_zones(list(inputs.zone_codes), region_column=REGION)
    unknown = sorted(set(zones[REGION]) - set(res.entity_effects.index))
    if unknown:
        raise InputError(
            "the projection's municipalities belong to regions that are not in the regression panel",
            location=Location(sheet="Paneldata", table="tblPanel", column=REGION), found=unknown[0],
            expected="a panel of the TØI housing and labour-market regions (regress-template --panel real)",
        )
    what = f"; {shock_variable} {shock_size:+g} from {shock_from or years[0]}" if shock_variable else ""
    comment = f"FE-modell '{spec.name}'{what}; år-effekt: {future_year_effect}"
    mine = zones[REGION].unique()
    targets = targets_from_fe(res, scen[scen[REGION].isin(mine)], pop[pop[REGION].isin(mine)],
                              future_year_effect=future_year_effect, centre=False, zones=zones, comment=comment)
    if centre:
        full = targets_from_fe(res, scen, pop, future_year_effect=future_year_effect, centre=True,
                               zones=all_zones, comment=comment)
        targets = full[full["zone_code"].isin(inputs.zone_codes)].reset_index(drop=True)
    inputs.targets = targets_frame_to_arrays(targets, inputs)
    if inputs.variant not in (2, 6):
        inputs.variant = variant
    save_workbook(build_workbook(inputs, language=meta.language or "nb", meta=meta), output_path)
    return targets
