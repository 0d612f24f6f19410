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
from regbef_excel.io.write.regression import (
    model_notes,
    write_regression_results,
    write_regression_workbook,
)
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.regression import (
    fit_panel,
)
from regbef_excel.regression.options import INTERACTION_SEPARATOR
from regbef_excel.regression.targets import (
    YEAR_COLLINEAR,
    baseline_scenario,
    shock,
    targets_from_fe,
    unidentified_terms,
)
from regbef_excel.schema import plausibility
from regbef_excel.schema import regression as R


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
    language: str = "nb"


def warning_lines(run: RegressionRun, language: str) -> list[str]:
    """The estimation run's notes for the command line: each distinct note once, in
    ``language``, with how many models it concerns (the run log sheet lists them all)."""
    word = _say(language, "advarsel", "warning")
    return [f"{word} – {who}: {note}" for who, note in model_notes(run.outcomes, language)]


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
    return RegressionOutcome(run, output_path, sha, language or inp.language)


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


@dataclass
class RegressionTargets:
    """What :func:`regression_targets` wrote: the targets table, the model that predicted them
    (``model``), the source text written beside every target (``source``) and the workbook's
    language."""

    targets: pd.DataFrame
    model: str
    source: str
    output_path: Path
    language: str


def _fe_fit(reg: RegressionInput, spec: ModelSpec):  # noqa: ANN202 - PanelResult
    return fit_panel(reg.data, spec.y, list(spec.x), REGION, YEAR, method="fe", cov=spec.cov,
                     time_dummies=spec.time_dummies)  # fmt: skip


def _factors(spec: ModelSpec) -> list[str]:
    return list(dict.fromkeys(f for term in spec.x for f in term.split(INTERACTION_SEPARATOR)))


def target_model_problem(spec: ModelSpec, result, shock_variable: str | None,  # noqa: ANN001
                         language: str = "nb") -> str | None:  # fmt: skip
    """Why an FE model cannot give targets (``None`` when it can): a regressor that takes one
    value per year beside the year dummies (its coefficient and the future year effect are then
    arbitrary), the shocked variable omitted or collinear, or not a regressor at all."""
    bad = unidentified_terms(result)
    year = [t for t, why in bad.items() if why == YEAR_COLLINEAR]
    if year:
        return _say(language, f"{', '.join(year)} er kollineær med årsdummyene",
                    f"{', '.join(year)} is collinear with the year dummies")  # fmt: skip
    if shock_variable:
        if shock_variable not in _factors(spec):
            return _say(language, f"{shock_variable} er ikke en forklaringsvariabel i modellen",
                        f"{shock_variable} is not a regressor of the model")  # fmt: skip
        hit = [t for t in bad if shock_variable in t.split(INTERACTION_SEPARATOR)]
        if hit:
            return _say(language, f"{', '.join(hit)} er utelatt på grunn av kollinearitet",
                        f"{', '.join(hit)} was omitted because of collinearity")  # fmt: skip
    return None


def _choose_target_model(reg: RegressionInput, model: str | None, shock_variable: str | None,
                         language: str):  # noqa: ANN202 - (ModelSpec, PanelResult)
    """The FE model the targets come from: ``model`` when named (refused, with the usable
    models listed, when it cannot give targets), else the last usable FE model."""
    where = Location(sheet=R.SHEETS["models"].label(reg.language), table="tblModels")
    fe = [m for m in reg.models if m.method == "fe"]
    if model is not None and model not in {m.name for m in fe}:
        raise InputError(
            _say(language, "--model: ingen FE-modell med det navnet i regresjonsarbeidsboka",
                 "--model: no fixed-effects model with that name in the regression workbook"),
            location=where, found=model,
            expected=", ".join(m.name for m in fe) or _say(language, "en FE-modell", "an FE model"),
        )  # fmt: skip
    asked = [m for m in fe if m.name == model] if model is not None else fe
    valid = list(dict.fromkeys(f for m in asked for f in _factors(m)))
    if shock_variable and shock_variable not in valid:  # checked before any work
        which = _say(language, f"modellen '{model}'", f"model '{model}'") if model is not None else \
            _say(language, "noen FE-modell", "any FE model")  # fmt: skip
        raise InputError(
            _say(language, f"ukjent variabel '{shock_variable}' for sjokket (ikke forklaringsvariabel i {which})",
                 f"unknown variable '{shock_variable}' for the shock (not a regressor of {which})"),
            location=Location(cell="--shock"), found=shock_variable, expected=", ".join(valid),
        )  # fmt: skip
    fits = {m.name: _fe_fit(reg, m) for m in fe}
    fits_spec = {m.name: m for m in fe}
    problems = {m.name: target_model_problem(m, fits[m.name], shock_variable, language) for m in fe}
    usable = [m for m in fe if problems[m.name] is None]
    listed = ", ".join(m.name for m in usable) or _say(language, "ingen", "none")
    if model is not None and problems[model] is not None:
        raise InputError(
            _say(language, f"modellen '{model}' kan ikke gi mål: {problems[model]}",
                 f"model '{model}' cannot give targets: {problems[model]}"),
            location=where, found=model,
            expected=_say(language, f"en brukbar FE-modell: {listed}", f"a usable FE model: {listed}"),
        )  # fmt: skip
    if model is None and not usable:
        why = "; ".join(f"{name}: {p}" for name, p in problems.items()
                        if shock_variable is None or shock_variable in _factors(fits_spec[name]))  # fmt: skip
        shocked = _say(language, f" med sjokk i {shock_variable}", f" with a shock to {shock_variable}") \
            if shock_variable else ""  # fmt: skip
        raise InputError(
            _say(language, f"ingen FE-modell i regresjonsarbeidsboka kan gi mål{shocked}",
                 f"no fixed-effects model of the regression workbook can give targets{shocked}"),
            location=where,
            found=why or _say(language, f"{shock_variable} er ikke med i noen FE-modell",
                              f"{shock_variable} is in no FE model") if fe else _say(language, "ingen FE-modell", "no FE model"),
            expected=_say(language, "en FE-modell uten kollineære variabler",
                          "an FE model without collinear regressors"),
        )  # fmt: skip
    spec = next(m for m in fe if m.name == model) if model is not None else usable[-1]
    return spec, fits[spec.name]


def target_source_text(spec: ModelSpec, regression_file: str, *, future_year_effect: str | float,
                       shock_variable: str | None, shock_size: float, shock_from: int | None,
                       shock_regions: list[str] | None, centre: bool, language: str) -> str:  # fmt: skip
    """The source written beside every target and on the cover: which model, from which
    file, with which assumptions."""
    fye = future_year_effect if isinstance(future_year_effect, str) else f"{future_year_effect:g}"
    parts = [_say(language, f"regresjonsmodell '{spec.name}' (FE, {spec.y}) i {regression_file}",
                  f"regression model '{spec.name}' (FE, {spec.y}) in {regression_file}"),
             _say(language, f"framtidig årseffekt: {fye}", f"future year effect: {fye}")]  # fmt: skip
    if shock_variable:
        regions = ", ".join(shock_regions) if shock_regions else _say(language, "alle regioner", "all regions")
        start = f" {_say(language, 'fra', 'from')} {shock_from}" if shock_from else ""
        parts.append(f"{shock_variable} {shock_size:+g} ({regions}){start}")
    if centre:
        parts.append(_say(language, "sentrert (sum null per år)", "centred (zero sum per year)"))
    return "; ".join(parts)


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
) -> RegressionTargets:
    """From "what if unemployment rises" to population by age.

    Estimates a fixed-effects model of a regression workbook (``model``; default the last FE
    model that can give targets, see :func:`target_model_problem`), predicts net migration
    per 1000 for the projection years under a scenario (regressors at each region's last
    observed values, optionally shocked), converts it to persons per region and year
    (population on 1 January 2026, held constant), distributes regions to the projection's
    municipalities in proportion to population, and writes a NEW projection workbook whose
    target sheet holds these net-migration targets (MÅLTYP 1) for every municipality and
    year, with model variant 2 (target steering). The model and the assumptions are named in
    the target table's source column and on the cover. ``centre`` subtracts the
    population-weighted mean rate so that persons sum to zero over the regions — right for a
    model of internal net migration covering the country (the thesis' dependent variable); the
    demo panel's variable is total net migration including moves abroad, so centring is off by
    default.
    """
    check_output_path(output_path, regression_path, projection_path)
    reg = read_regression_input(regression_path, name_file=True)
    inputs, meta = read_input(projection_path, name_file=True)
    lang = meta.language or "nb"
    spec, res = _choose_target_model(reg, model, shock_variable, lang)
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
            _say(lang, "prognosens kommuner hører til regioner som ikke er i regresjonspanelet",
                 "the projection's municipalities belong to regions that are not in the regression panel"),
            location=Location(sheet=R.SHEETS["panel"].label(reg.language), table="tblPanel", column=REGION),
            found=unknown[0],
            expected=_say(lang, "et panel av TØIs bo- og arbeidsmarkedsregioner (regress-template --panel real)",
                          "a panel of the TØI housing and labour-market regions (regress-template --panel real)"),
        )  # fmt: skip
    source = target_source_text(spec, Path(regression_path).name, future_year_effect=future_year_effect,
                                shock_variable=shock_variable, shock_size=shock_size, shock_from=shock_from,
                                shock_regions=shock_regions, centre=centre, language=lang)  # fmt: skip
    mine = zones[REGION].unique()
    targets = targets_from_fe(res, scen[scen[REGION].isin(mine)], pop[pop[REGION].isin(mine)],
                              future_year_effect=future_year_effect, centre=False, zones=zones, comment=source)
    if centre:
        full = targets_from_fe(res, scen, pop, future_year_effect=future_year_effect, centre=True,
                               zones=all_zones, comment=source)
        targets = full[full["zone_code"].isin(inputs.zone_codes)].reset_index(drop=True)
    inputs.targets = targets_frame_to_arrays(targets, inputs)
    if inputs.variant not in (2, 6):
        inputs.variant = variant
    meta.comments = {**meta.comments, "tblTargets": {
        (int(y), str(z)): source for y, z in zip(targets["year"], targets["zone_code"], strict=True)}}
    heading = _say(lang, "Mål fra regresjonsmodell", "Targets from a regression model")
    lines = [source, _say(lang, f"{len(targets)} mål for netto flytting (måltype 1) per kommune og år, "
                                f"modellvariant {inputs.variant} (målstyring).",
                          f"{len(targets)} net-migration targets (target type 1) per municipality and "
                          f"year, model variant {inputs.variant} (target steering).")]  # fmt: skip
    book = build_workbook(inputs, language=lang, meta=meta, cover_sections=[(heading, lines)])
    save_workbook(book, output_path)
    return RegressionTargets(targets, spec.name, source, Path(output_path), lang)
