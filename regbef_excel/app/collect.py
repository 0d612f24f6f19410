"""Collect returned municipal templates into a county run.

``regbef-excel collect FILE... -o OUT`` (and the ribbon's "Samle kommunemaler") reads the
workbooks of one county that ``templates --county`` distributed and the municipalities filled
in, and

1. validates each (every problem names the file): one zone, same county, no municipality
   twice, this schema version, a history covering the estimation period, parameters that match
   their estimation record (as ``run``);
2. regenerates the county run the templates were cut from
   (:func:`regbef_excel.app.county_context.county_run`) and each distributed template, and
   compares each returned workbook with its distributed one;
3. carries each municipality's edits into the county inputs:

   * fertility: FK × (returned/distributed FK) × the mean ratio of FR × the ratio of the
     total fertility of the rate table (or Hadwiger) — a municipality's schedule or year
     factors become its zone level (reconstruction: the county has one schedule);
   * mortality: DK likewise with DR and the death probabilities (mean ratio weighted by the
     base population);
   * out-migration: EUF_K and IUF_K × the ratio of the returned to the distributed out-rate
     (EUF_K × mean EUF_R × Σ Rogers–Castro EUF);
   * immigration: the change of EIFU_total (persons a year) added to the county total and
     the zone's share; in-migration from the rest of Norway: the change of EIFN_total ×
     mean EIFN_R added to the zone's EIFN_total;
   * targets: the template's targets (zone or region rows) become targets of that
     municipality in the county, and the county runs model variant 2;
   * housing: listed on the change sheet (building programme); the county's population in
     model variant 1 does not depend on it, so it is not carried;

4. projects the county and writes the county workbook (inputs, results) plus the sheet
   "Kommunenes endringer": per municipality every changed input (distributed → returned) and
   its population in the last year without and with the changes of all municipalities.

Unchanged templates collect to the county projection (identical inputs).
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from regbef_excel import SCHEMA_VERSION
from regbef_excel.app.county_context import county_of, county_run, municipal_inputs
from regbef_excel.app.estimate import history_from_workbook
from regbef_excel.app.estimation_record import check_estimation_record, record_of
from regbef_excel.app.projection import run_log
from regbef_excel.engine import Projection, ProjectionInputs, project
from regbef_excel.engine.fertility import fertility_rates
from regbef_excel.engine.inputs import Targets
from regbef_excel.app.observed_history import observed_history
from regbef_excel.engine.migration import rc_schedule
from regbef_excel.errors import InputError, Location
from regbef_excel.files import file_sha256, same_file
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.io.write.results import write_results
from regbef_excel.io.write.sheets import (
    data_style,
    replace_sheet,
    set_widths,
    write_headers,
    write_title,
)
from regbef_excel.io.write.template import build_workbook
from regbef_excel.schema import outputs as S
from regbef_excel.schema.inputs import SHEETS, TABLES
from regbef_excel.schema.layout import TableLayout
from regbef_excel.schema.meta import WorkbookMeta

Progress = Callable[[str, float], None]
REL_TOL = 1e-6
AGES = np.arange(100, dtype=float)


@dataclass
class Change:
    """One changed input of a municipality: table, what, distributed and returned value."""

    table: str
    what: str
    distributed: object
    returned: object


@dataclass
class MunicipalChanges:
    """A returned workbook: its municipality, its changes and its population in the last year."""

    path: Path
    code: str
    name: str
    changes: list[Change] = field(default_factory=list)
    horizon_year: int = 0
    baseline: float = float("nan")
    collected: float = float("nan")


@dataclass
class CollectOutcome:
    output_path: Path
    county_code: str
    county_name: str
    projection: Projection
    baseline: Projection
    municipalities: list[MunicipalChanges]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------
# reading and validating one returned workbook
# ---------------------------------------------------------------------------------------------
def _file_error(path: Path, exc: InputError) -> InputError:
    return InputError(f"{path.name}: {exc.one_line()}")


def _zone_cell(lang: str) -> Location:
    return Location(sheet=SHEETS["zones"].label(lang), table="tblZones",
                    cell=TableLayout.of(TABLES["tblZones"], 1).cell("zone_code", 0))  # fmt: skip


def read_returned(path: Path) -> tuple[ProjectionInputs, WorkbookMeta]:
    """Read and validate one returned municipal workbook; errors name the file."""
    try:
        inputs, meta = read_workbook(path)
        lang = meta.language or "nb"
        if meta.schema_version is not None and meta.schema_version != SCHEMA_VERSION:
            raise InputError("template of another schema version",
                             location=Location(sheet=SHEETS["cover"].label(lang)),
                             found=f"schema {meta.schema_version}",
                             expected=f"schema {SCHEMA_VERSION}: make the templates again with "
                             "`regbef-excel templates` and copy the edits")  # fmt: skip
        if inputs.n_zones != 1:
            raise InputError("collect needs one-municipality templates", location=_zone_cell(lang),
                             found=f"{inputs.n_zones} zones", expected="1 zone (a template of `templates --county`)")  # fmt: skip
        record = record_of(meta)
        if meta.estimation_start is not None and meta.estimation_end is not None:
            # the history must cover the estimation period (the record is checked below)
            history_from_workbook(inputs, meta, int(meta.estimation_start), int(meta.estimation_end))
        check_estimation_record(meta, lang)
        if record is None:
            raise InputError("the workbook has no record of its estimation (not a distributed template)",
                             location=Location(sheet=SHEETS["settings"].label(lang), table="tblSettings"),
                             expected="a workbook from `regbef-excel templates --county`")  # fmt: skip
    except InputError as exc:
        raise _file_error(path, exc) from None
    return inputs, meta


# ---------------------------------------------------------------------------------------------
# comparing a returned workbook with its distributed template
# ---------------------------------------------------------------------------------------------
def _ratio(a: float, b: float) -> float:
    return a / b if b not in (0, 0.0) else 1.0


def _differs(a, b) -> bool:  # noqa: ANN001
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=REL_TOL, atol=1e-9)


def _tfr(inp: ProjectionInputs) -> float:
    return float(np.asarray(fertility_rates(inp), float).sum())


def _out_rate(inp: ProjectionInputs) -> float:
    r = np.clip(rc_schedule(np.asarray(inp.rc_params["EUF"], float)[0], AGES), 0, None).sum()
    return float(r * inp.migration_level_zone["EUF"][0] * np.mean(inp.migration_level_region["EUF"]))


def compare(dist: ProjectionInputs, ret: ProjectionInputs) -> tuple[list[Change], dict[str, float]]:
    """The changes of ``ret`` against ``dist`` and the factors that carry them into the county."""
    ch: list[Change] = []
    f = {"FK": 1.0, "DK": 1.0, "out": 1.0, "EIFU": 0.0, "EIFN": 0.0}

    def num(x) -> float:  # noqa: ANN001
        return round(float(x), 6)

    if _differs(dist.fertility_level_zone, ret.fertility_level_zone):
        ch.append(Change("tblZoneFactors", "FK", num(dist.fertility_level_zone[0]), num(ret.fertility_level_zone[0])))
    if _differs(dist.fertility_level_region, ret.fertility_level_region):
        ch.append(Change("tblYearFactors", "FR (mean)", num(np.mean(dist.fertility_level_region)),
                         num(np.mean(ret.fertility_level_region))))  # fmt: skip
    tfr_d, tfr_r = _tfr(dist), _tfr(ret)
    if abs(tfr_r - tfr_d) > 1e-9:
        ch.append(Change("tblFertilityRates", "TFR", num(tfr_d), num(tfr_r)))
    f["FK"] = (_ratio(ret.fertility_level_zone[0], dist.fertility_level_zone[0])
               * _ratio(np.mean(ret.fertility_level_region), np.mean(dist.fertility_level_region))
               * _ratio(tfr_r, tfr_d))  # fmt: skip
    if _differs(dist.mortality_level_zone, ret.mortality_level_zone):
        ch.append(Change("tblZoneFactors", "DK", num(dist.mortality_level_zone[0]), num(ret.mortality_level_zone[0])))
    if _differs(dist.mortality_level_region, ret.mortality_level_region):
        ch.append(Change("tblYearFactors", "DR (mean)", num(np.mean(dist.mortality_level_region)),
                         num(np.mean(ret.mortality_level_region))))  # fmt: skip
    w = dist.population[0].astype(float)
    q_d = float((np.asarray(dist.death_prob) * w).sum())
    q_r = float((np.asarray(ret.death_prob) * w).sum())
    if _differs(dist.death_prob, ret.death_prob):
        ch.append(Change("tblDeathProb", "expected deaths, base population", num(q_d), num(q_r)))
    f["DK"] = (_ratio(ret.mortality_level_zone[0], dist.mortality_level_zone[0])
               * _ratio(np.mean(ret.mortality_level_region), np.mean(dist.mortality_level_region))
               * _ratio(q_r, q_d))  # fmt: skip
    o_d, o_r = _out_rate(dist), _out_rate(ret)
    if abs(o_r / o_d - 1) > REL_TOL if o_d else o_r != 0:
        ch.append(Change("tblZoneFactors/tblRogersCastro", "EUF out-migration (sum of rates)", num(o_d), num(o_r)))
        f["out"] = _ratio(o_r, o_d)
    imm_d = np.asarray(dist.immigration_total, float) * float(dist.immigration_share[0])
    imm_r = np.asarray(ret.immigration_total, float) * float(np.asarray(ret.immigration_share)[0])
    if _differs(imm_d, imm_r):
        ch.append(Change("tblYearFactors", "EIFU_total (mean)", num(imm_d.mean()), num(imm_r.mean())))
        f["EIFU"] = float((imm_r - imm_d).mean())
    n_d = float(dist.domestic_inmigration[0]) * np.asarray(dist.migration_level_region["EIFN"], float)
    n_r = float(ret.domestic_inmigration[0]) * np.asarray(ret.migration_level_region["EIFN"], float)
    if _differs(n_d, n_r):
        ch.append(Change("tblZoneFactors", "EIFN_total × EIFN_R (mean)", num(n_d.mean()), num(n_r.mean())))
        f["EIFN"] = float((n_r - n_d).mean())
    for flow in ("EIFU", "EIFN", "IIF"):
        if _differs(dist.rc_params[flow], ret.rc_params[flow]):
            ch.append(Change("tblRogersCastro", f"{flow} age profile", "", "changed"))
    if ret.targets is not None and ret.targets.any_target:
        n = int((ret.targets.zone_mode == 1).sum() + (ret.targets.region_mode == 1).sum())
        ch.append(Change("tblTargets", "target years", 0, n))
    if ret.housing is not None:
        ch.append(Change("tblBuilding", "building programme (dwellings)", 0,
                         num(np.asarray(ret.housing.building, float).sum())))  # fmt: skip
    if ret.variant != dist.variant:
        ch.append(Change("tblSettings", "variant", dist.variant, ret.variant))
    return ch, f


def _apply(county: ProjectionInputs, k: int, ret: ProjectionInputs, f: dict[str, float]) -> ProjectionInputs:
    """County inputs with municipality k's changes (factors from :func:`compare`)."""
    fk = np.asarray(county.fertility_level_zone, float).copy()
    dk = np.asarray(county.mortality_level_zone, float).copy()
    fk[k] *= f["FK"]
    dk[k] *= f["DK"]
    lz = {key: np.asarray(v, float).copy() for key, v in county.migration_level_zone.items()}
    lz["EUF"][k] *= f["out"]
    lz["IUF"][k] *= f["out"]
    total = np.asarray(county.immigration_total, float)
    share = np.asarray(county.immigration_share, float)
    persons = total.mean() * share / share.sum()
    persons[k] = max(persons[k] + f["EIFU"], 0.0)
    new_total = total + f["EIFU"]
    dom = np.asarray(county.domestic_inmigration, float).copy()
    dom[k] = max(dom[k] + f["EIFN"], 0.0)
    targets = county.targets
    if ret.targets is not None and ret.targets.any_target:
        T, K = county.n_years, county.n_zones
        targets = copy.deepcopy(targets) if targets is not None else Targets.trend(T, K)
        zt = ret.targets
        use_zone = zt.zone_mode[:, 0] == 1
        use = np.where(use_zone, True, zt.region_mode == 1)
        targets.zone_mode[:, k] = np.where(use, 1, targets.zone_mode[:, k])
        targets.zone_type[:, k] = np.where(use_zone, zt.zone_type[:, 0], np.where(use, zt.region_type, targets.zone_type[:, k]))
        targets.zone_value[:, k] = np.where(use_zone, zt.zone_value[:, 0], np.where(use, zt.region_value, targets.zone_value[:, k]))
    return county.replace(
        fertility_level_zone=fk, mortality_level_zone=dk, migration_level_zone=lz,
        immigration_total=new_total, immigration_share=persons / persons.sum() if persons.sum() > 0 else share,
        domestic_inmigration=dom, targets=targets,
        variant=2 if targets is not None and targets.any_target else county.variant,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the change sheet
# ---------------------------------------------------------------------------------------------
def add_changes_sheet(wb, munis: Sequence[MunicipalChanges], language: str) -> None:  # noqa: ANN001
    """The sheet listing each municipality's changes and their effect (in the county workbook)."""
    sheet = S.COLLECT_CHANGES
    st = replace_sheet(wb, sheet.name.get(language))
    write_title(st, sheet, language)
    write_headers(st, sheet.headers(language))
    set_widths(st, [c.width for c in sheet.columns])
    styles = [data_style(c.number_format) for c in sheet.columns]
    row = S.FIRST_DATA_ROW
    for m in munis:
        items = m.changes or [Change("", S.COLLECT_NO_CHANGES.get(language), "", "")]
        for c in items:
            vals = [m.code, m.name, m.path.name, c.table, c.what, c.distributed, c.returned,
                    m.baseline, m.collected, m.collected - m.baseline]  # fmt: skip
            for j, v in enumerate(vals):
                st.put(row, j + 1, v, styles[j])  # text from a file or a planner stays text
            row += 1


# ---------------------------------------------------------------------------------------------
# the use case
# ---------------------------------------------------------------------------------------------
def collect_workbooks(
    paths: Sequence[str | os.PathLike[str]],
    output_path: str | os.PathLike[str],
    *,
    language: str | None = None,
    progress: Progress | None = None,
) -> CollectOutcome:
    """Collect returned municipal workbooks of one county into a county run; write the county
    workbook (inputs, results, "Kommunenes endringer").

    Raises
    ------
    InputError
        One line naming the file (and cell): a workbook that does not validate, from another
        county, a municipality twice, an older schema version, a history shorter than the
        estimation period, or the output naming an input. Nothing is written.
    """
    t0 = time.perf_counter()
    tell = progress or (lambda what, fraction: None)
    files = [Path(p) for p in paths]
    output_path = Path(output_path)
    if not files:
        raise InputError("collect needs at least one workbook")
    for p in files:
        if same_file(p, output_path):
            raise InputError("the output file must differ from the input files",
                             location=Location(cell=str(output_path)))  # fmt: skip
        if not p.is_file():
            raise InputError(f"{p.name}: file not found", location=Location(cell=str(p)))
    shas = {p: file_sha256(p) for p in files}
    returned: list[tuple[Path, ProjectionInputs, WorkbookMeta]] = []
    seen: dict[str, Path] = {}
    county = None
    for i, p in enumerate(files):
        tell(f"reading {p.name}", 0.5 * i / len(files))
        inp, meta = read_returned(p)
        code = inp.zone_codes[0]
        lang = meta.language or "nb"
        try:
            cc, _ = county_of(code)
        except KeyError:
            raise _file_error(p, InputError("not a municipality on 2024 borders", location=_zone_cell(lang),
                              found=code, expected="a 4-digit municipality code")) from None  # fmt: skip
        key = (cc, inp.base_year, inp.horizon, meta.estimation_start, meta.estimation_end)
        if county is None:
            county = (key, p)
        elif key[0] != county[0][0]:
            raise _file_error(p, InputError("a workbook from another county", location=_zone_cell(lang),
                              found=f"{code} (county {cc})", expected=f"a municipality of county {county[0][0]} "
                              f"like {county[1].name}"))  # fmt: skip
        elif key != county[0]:
            raise _file_error(p, InputError(
                f"base year, horizon or estimation period differ from {county[1].name}",
                location=Location(sheet=SHEETS["settings"].label(lang), table="tblSettings"),
                found=f"{key[1]}–{key[2]}, estimation {key[3]}–{key[4]}",
                expected=f"{county[0][1]}–{county[0][2]}, estimation {county[0][3]}–{county[0][4]}"))  # fmt: skip
        if code in seen:
            raise _file_error(p, InputError(f"municipality {code} twice (also in {seen[code].name})",
                              location=_zone_cell(lang), found=code, expected="each municipality once"))  # fmt: skip
        seen[code] = p
        returned.append((p, inp, meta))
    assert county is not None
    cc, base_year, horizon, y0, y1 = county[0]
    tell("projecting the county", 0.5)
    run = county_run(cc, base_year=base_year, horizon=horizon, estimation_years=int(y1) - int(y0) + 1)
    collected = run.inputs.copy()
    munis: list[MunicipalChanges] = []
    for p, inp, _ in returned:
        code = inp.zone_codes[0]
        k = run.index(code)
        changes, factors = compare(municipal_inputs(run, code), inp)
        if changes:
            collected = _apply(collected, k, inp, factors)
        munis.append(MunicipalChanges(p, code, inp.zone_names[0], changes))
    projection = project(collected) if any(m.changes for m in munis) else run.projection
    warnings = list(projection.warnings)
    missing = [c for c in run.inputs.zone_codes if c not in seen]
    if missing:
        warnings.insert(0, f"no workbook returned for {', '.join(missing)}: the county's trend is used")
    T = run.inputs.n_years
    for m in munis:
        k = run.index(m.code)
        m.horizon_year = int(horizon)
        m.baseline = float(run.projection.population[T, k].sum())
        m.collected = float(projection.population[T, k].sum())

    tell("writing the county workbook", 0.7)
    lang = language or (returned[0][2].language or "nb")
    meta = WorkbookMeta(region_name=f"{run.county_code} {run.county_name}", language=lang,
                        estimation_start=y0, estimation_end=y1,
                        provenance=tuple(run.history.sources),
                        notes=tuple(f"{m.path.name}: {len(m.changes)} change(s)" for m in munis))  # fmt: skip
    wb = build_workbook(projection.inputs, language=lang, meta=meta).to_openpyxl()
    add_changes_sheet(wb, munis, lang)
    log = run_log(projection, input_path=", ".join(p.name for p in files), seconds={})
    write_results(projection, output_path, language=lang, base_workbook=wb, run_log=log,
                  history=observed_history(projection, meta))  # fmt: skip
    for p in files:
        if file_sha256(p) != shas[p]:  # pragma: no cover - guard
            raise InputError(f"{p.name} changed during collect; please report this")
    tell("done", 1.0)
    return CollectOutcome(output_path, run.county_code, run.county_name, projection, run.projection,
                          munis, warnings, time.perf_counter() - t0)  # fmt: skip


__all__ = ["Change", "CollectOutcome", "MunicipalChanges", "collect_workbooks", "compare", "read_returned"]
