"""Regression use cases: estimate every model of a regression workbook into a new results
workbook, write a regression template with a demo panel, and turn the migration regressions into
net-migration targets of a projection workbook.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from regbef_excel.app.projection import (
    check_output_path,
    check_xlsx_package,
    input_sha256,
    read_input,
    unreadable,
)
from regbef_excel.data.panels import REGION, YEAR, ba_zones, demo_panel
from regbef_excel.engine.inputs import ProjectionInputs
from regbef_excel.errors import InputError, Location, RegbefError
from regbef_excel.files import file_sha256
from regbef_excel.io.fast_files import open_file
from regbef_excel.io.read.regression import ModelSpec, RegressionInput, read_regression_workbook
from regbef_excel.io.read.targets import targets_from_rows
from regbef_excel.io.regression_run import RegressionRun, run_regressions
from regbef_excel.io.write.regression import write_regression_results, write_regression_workbook
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.regression import (
    fit_panel,
)
from regbef_excel.regression.options import INTERACTION_SEPARATOR
from regbef_excel.regression.targets import baseline_scenario, shock, targets_from_fe
from regbef_excel.schema import plausibility


def _say(language: str, nb: str, en: str) -> str:
    return en if language == "en" else nb


def read_regression_input(path: str | os.PathLike, *, name_file: bool = False) -> RegressionInput:
    """The front door of every command that reads a regression workbook: the package's parts,
    the reader, then the checks the reader leaves to the use case (:func:`check_regression_input`:
    duplicate model names, implausible panel values), each naming sheet!cell before any model
    runs. ``name_file`` prefixes every message with the file's name."""
    try:
        check_xlsx_package(path)
        backend = open_file(path)
        with backend:
            try:
                inp = read_regression_workbook(backend)
                refs = {k.casefold(): v for k, v in backend.tables().items()}
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged file the reader did not classify
                raise unreadable(path, exc) from None
        models, panel = refs.get("tblmodels"), refs.get("tblpanel")
        check_regression_input(inp, models_sheet=models.sheet if models else "",
                               models_header_row=models.min_row if models else 0,
                               panel_sheet=panel.sheet if panel else "")  # fmt: skip
    except InputError as exc:
        raise (exc.in_file(Path(path).name) if name_file else exc) from None
    return inp


def check_regression_input(inp: RegressionInput, *, models_sheet: str, models_header_row: int,
                           panel_sheet: str) -> None:  # fmt: skip
    """Problems a regression workbook can have that the reader does not see, each naming
    sheet!cell: a model name used twice (results are keyed by name) and panel values outside
    :data:`~regbef_excel.schema.plausibility.PANEL_VALUE`."""
    lang = inp.language
    first: dict[str, ModelSpec] = {}
    for m in inp.models:
        if m.name in first:
            raise InputError(
                _say(lang, "modellnavnet er brukt to ganger", "model name used twice"),
                location=Location(sheet=models_sheet, table="tblModels", cell=f"{m.column}{models_header_row}",
                                  column=m.name),
                found=m.name, expected=_say(lang, f"unike navn (først i kolonne {first[m.name].column})",
                                            f"unique names (first in column {first[m.name].column})"),
            )  # fmt: skip
        first[m.name] = m
    bound = plausibility.PANEL_VALUE
    data = inp.data
    for name in (v.key for v in inp.variables):
        if name not in data.columns or name not in inp.panel_columns:
            continue
        values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isnan(values) & ~((values >= bound.minimum) & (values <= bound.maximum)))
        if bad.size:
            raise InputError(
                plausibility.message(lang),
                location=Location(sheet=panel_sheet, table="tblPanel",
                                  cell=f"{inp.panel_columns[name]}{data.index[bad[0]]}", column=name),
                found=data[name].iloc[bad[0]], expected=bound.expected(lang),
            )  # fmt: skip


def write_regression_template(
    path: str | Path, *, panel: str = "real", language: str = "nb"
) -> Path:
    """Write a regression workbook pre-filled with a demo panel (``"real"`` or ``"synthetic"``)."""
    data = demo_panel(panel)
    return write_regression_workbook(data, path, language=language)


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
    input_path = Path(input_path)
    output_path = check_output_path(output_path, input_path, language=language or "nb")
    sha = input_sha256(input_path) or ""
    inp = read_regression_input(input_path)
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
    check_output_path(output_path, regression_path, projection_path)
    reg = read_regression_input(regression_path, name_file=True)
    fe = [m for m in reg.models if m.method == "fe"]
    chosen = [m for m in fe if model is None or m.name == model]
    if not chosen:
        raise InputError(
            "no fixed-effects model with that name in the regression workbook",
            location=Location(sheet="Modeller", table="tblModels"),
            found=model, expected=", ".join(m.name for m in fe) or "an FE model",
        )
    spec = chosen[-1] if model is None else chosen[0]
    if shock_variable:  # checked before any work: the variables the model's scenario holds
        valid = list(dict.fromkeys(f for term in spec.x for f in term.split(INTERACTION_SEPARATOR)))
        if shock_variable not in valid:
            raise InputError(
                f"unknown variable '{shock_variable}' for the shock (not a regressor of model '{spec.name}')",
                location=Location(cell="--shock"), found=shock_variable, expected=", ".join(valid),
            )  # fmt: skip
    res = fit_panel(reg.data, spec.y, list(spec.x), REGION, YEAR, method="fe", cov=spec.cov,
                    time_dummies=spec.time_dummies)
    inputs, meta = read_input(projection_path, name_file=True)
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
