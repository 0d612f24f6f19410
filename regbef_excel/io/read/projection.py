"""Read a REGBEF workbook into validated :class:`ProjectionInputs` (+ :class:`WorkbookMeta`).

Public API::

    read_workbook(path) -> (ProjectionInputs, WorkbookMeta)   # raises InputErrors
    validate_workbook(path) -> list[InputError]               # all problems + failed checks
    read_from_backend(backend) -> ReadResult                  # any back-end (files, live Excel)

:func:`read_from_backend` is the one front door: its ``errors`` are the cell-level and
cross-table problems followed by the failed checks C01–C24 (:func:`check_errors`), so
``validate``, ``run``, ``REGBEF_RUN`` and the Run macro refuse exactly the same workbooks.

Every problem becomes one :class:`~regbef_excel.errors.InputError` naming the sheet (its
visible name), the Excel table, the cell (``'Befolkning!C14'``), the column header, what was
found and what was expected. All problems are collected; the first is the headline.

Tables are found by their Excel name wherever they are; headers are matched by the label in
either language (with or without the unit) or by the column key, so a workbook built in English
reads the same as a Norwegian one. The file is opened read-only and never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from regbef_excel import SCHEMA_VERSION
from regbef_excel.engine.fertility import fertility_level_path
from regbef_excel.engine.inputs import (
    FLOWS,
    N_AGES,
    RC_KEYS,
    SEXES,
    SHARE_TOLERANCE,
    ZONE_YEAR_KEYS,
    Hadwiger,
    ProjectionInputs,
)
from regbef_excel.errors import InputError, InputErrors, Location
from regbef_excel.io.backend import WorkbookBackend
from regbef_excel.io.fast_files import FileReader, open_file
from regbef_excel.io.read.markets import assemble_markets
from regbef_excel.io.read.tables import ParsedTable, TableReader, compress_ranges
from regbef_excel.io.rows import rc_array
from regbef_excel.schema.base import LANGUAGES
from regbef_excel.schema.checks import RawTables, checks_layout, run_checks
from regbef_excel.schema.inputs import CHECKS_TABLE, DEFAULT_COMMENTS, SHEETS, TABLES
from regbef_excel.schema.messages import say, translated
from regbef_excel.schema.meta import RCFitQuality, WorkbookMeta


@dataclass
class ReadResult:
    """Outcome of reading a workbook: inputs (``None`` if any problem), meta, problems (failed
    checks included, last), raw tables for :func:`run_checks`."""

    inputs: ProjectionInputs | None
    meta: WorkbookMeta
    errors: list[InputError]
    raw: dict[str, dict[str, list[object]]]
    language: str = "nb"






def read_from_backend(backend: WorkbookBackend) -> ReadResult:
    """Read and validate a workbook from any back-end; never raises for bad input.

    ``errors`` lists every problem: cell-level and cross-table problems first, then the failed
    checks of the checks sheet. ``inputs`` is ``None`` unless there is none.
    """
    r = TableReader(backend)
    for key in TABLES:
        r.parse(TABLES[key])
    raw = {k: pt.raw for k, pt in r.parsed.items()}
    meta = WorkbookMeta(language=r.lang, sheet_names={k: r.sheet_label(k) for k in SHEETS})
    props = backend.custom_properties()
    meta.template_version = props.get("REGBEF_template_version")
    meta.schema_version = props.get("REGBEF_schema_version")
    meta.engine_version = props.get("REGBEF_engine_version")
    meta.created = props.get("REGBEF_created")
    inputs = _assemble(r, meta)
    if meta.schema_version and meta.schema_version != SCHEMA_VERSION and r.errors:
        r.err("workbook made for another schema version", found=meta.schema_version,
              expected=say("schema {version}: build a new template and copy the inputs", r.lang,
                           version=SCHEMA_VERSION))  # fmt: skip
    meta.read_notes = tuple(r.notes)
    errors = [*r.errors, *check_errors(raw, r.lang)]
    return ReadResult(inputs if not errors else None, meta, errors, raw, r.lang)


def _comments(pt: ParsedTable | None, meta: WorkbookMeta) -> None:
    if pt is None or "comment" not in pt.offsets:
        return
    keys = pt.table.key_columns
    out = {}

    for rec in pt.records:
        text = rec.get("comment")
        if text in DEFAULT_COMMENTS:
            continue  # the builder's own flag (assumption, handbook default, reconstructed)
        if text and all(rec.get(k) is not None for k in keys):
            out[tuple(rec[k] for k in keys)] = text
    if out:
        meta.comments[pt.table.key] = out


def _assemble(r: TableReader, meta: WorkbookMeta) -> ProjectionInputs | None:  # noqa: C901
    P = r.parsed
    settings = r.values("tblSettings")
    meta.region_name = str(settings.get("region_name") or "")
    lang = settings.get("language")
    meta.language = lang if lang in LANGUAGES else r.lang  # type: ignore[assignment]
    meta.estimation_start = settings.get("estimation_start")  # type: ignore[assignment]
    meta.estimation_end = settings.get("estimation_end")  # type: ignore[assignment]
    for key in P:
        _comments(P[key], meta)
    if "tblProvenance" in P:
        recs = P["tblProvenance"].records
        meta.provenance = tuple(str(x["text"]) for x in recs if x.get("kind") == "provenance" and x.get("text"))
        meta.notes = tuple(str(x["text"]) for x in recs if x.get("kind") == "note" and x.get("text"))
    for key in ("tblHistPopulation", "tblHistMigration"):
        if key in P:
            cols = TABLES[key].column_keys
            rows = [[rec.get(c) for c in cols] for rec in P[key].records if rec]
            if rows:
                meta.history[key] = pd.DataFrame(rows, columns=list(cols))
                r.unique(P[key], TABLES[key].key_columns, "year/zone/age")

    base, horizon = settings.get("base_year"), settings.get("horizon")
    st = P.get("tblSettings")
    if isinstance(base, int) and isinstance(horizon, int) and horizon <= base and st is not None:
        i = next(i for i, rec in enumerate(st.records) if rec.get("key") == "horizon")
        r.err("the horizon must be after the base year", sheet=st.block.sheet, table="tblSettings",
              cell=st.cell(i, "value"), column=st.header_text("value"), found=horizon,
              expected=say("a year after {base}", r.lang, base=base))  # fmt: skip

    # zones
    zones: list[str] = []
    names: list[str] = []
    zt = P.get("tblZones")
    if zt is not None:
        idx = r.unique(zt, ("zone_code",), "zone code")
        for (code,), i in idx.items():
            zones.append(str(code))
            names.append(str(zt.records[i].get("zone_name") or code))
        if not zones and not any(e.location.table == "tblZones" for e in r.errors):
            r.err("no zones", sheet=zt.block.sheet, table="tblZones", cell=zt.block.header_address(0),
                  column=zt.header_text("zone_code"), expected="at least one zone row")  # fmt: skip
    zset = set(zones)
    K = len(zones)
    zpos = {z: k for k, z in enumerate(zones)}

    # population
    pop = np.full((K, 2, N_AGES), np.nan)
    pt = P.get("tblPopulation")
    if pt is not None and zt is not None:
        r.known_zones(pt, zset)
        idx = r.unique(pt, ("zone_code", "age"), "zone and age")
        for (z, a), i in idx.items():
            if z in zpos:
                rec = pt.records[i]
                pop[zpos[z], 0, a] = rec["males"] if rec.get("males") is not None else np.nan  # type: ignore[index]
                pop[zpos[z], 1, a] = rec["females"] if rec.get("females") is not None else np.nan  # type: ignore[index]
        have: dict[str, set[int]] = {}
        for z, a in idx:
            have.setdefault(z, set()).add(a)  # type: ignore[arg-type]
        for z in zones:
            miss = sorted(set(range(N_AGES)) - have.get(z, set()))
            if len(miss) == N_AGES:
                r.missing(pt, "zone_code", say("no population rows for zone {zone}", r.lang, zone=z), [z],
                          "100 rows, ages 0–99")  # fmt: skip
            else:
                r.missing(pt, "age", say("zone {zone}: ages missing", r.lang, zone=z), compress_ranges(miss),
                          "one row for each age 0–99")  # fmt: skip

    # fertility
    fert = np.zeros(N_AGES)
    ft = P.get("tblFertilityRates")
    if ft is not None:
        idx = r.unique(ft, ("age",), "age")
        for (a,), i in idx.items():
            fert[a] = ft.records[i].get("rate") or 0.0  # type: ignore[index]
        miss = sorted(set(range(15, 50)) - {a for (a,) in idx})
        if settings.get("fertility_source", "rates") == "rates":
            r.missing(ft, "age", "fertility rates missing for ages", compress_ranges(miss), "one row for each age 15–49")
    had = r.values("tblHadwiger")

    # mortality
    dp = np.full((2, N_AGES), np.nan)
    dt = P.get("tblDeathProb")
    if dt is not None:
        idx = r.unique(dt, ("age",), "age")
        for (a,), i in idx.items():
            rec = dt.records[i]
            dp[0, a] = rec["male"] if rec.get("male") is not None else np.nan  # type: ignore[index]
            dp[1, a] = rec["female"] if rec.get("female") is not None else np.nan  # type: ignore[index]
        miss = sorted(set(range(N_AGES)) - {a for (a,) in idx})
        r.missing(dt, "age", "death probabilities missing for ages", compress_ranges(miss), "one row for each age 0–99")

    # Rogers–Castro
    rc_rows: dict[tuple[str, str, str], list[float]] = {}
    rt = P.get("tblRogersCastro")
    if rt is not None and zt is not None:
        r.known_zones(rt, zset)
        idx = r.unique(rt, ("flow", "zone_code", "sex"), "flow, zone and sex")
        for (f, z, s), i in idx.items():
            rec = rt.records[i]
            rc_rows[(f, z, s)] = [float(rec.get(k) or 0.0) for k in RC_KEYS]  # type: ignore[arg-type]
            if any(rec.get(c) is not None for c in ("n_params", "sse", "converged", "at_bounds")):
                ab = rec.get("at_bounds")
                meta.fit_quality[(f, z, s)] = RCFitQuality(
                    rec.get("n_params"), rec.get("sse"), rec.get("converged"),  # type: ignore[arg-type]
                    tuple(x.strip() for x in str(ab).split(",") if x.strip()) if ab else (),
                )
        for f in FLOWS:
            for z in zones:
                miss = [s for s in SEXES if (f, z, s) not in rc_rows]
                if miss:
                    labels = ["M" if s == "M" else ("K" if r.lang == "nb" else "F") for s in miss]
                    r.missing(rt, "flow", say("Rogers–Castro parameters missing for {flow}, zone {zone}", r.lang,
                                              flow=f, zone=z),
                              labels, "one row per flow, zone and sex")  # fmt: skip

    # zone factors
    zf: dict[str, dict[str, object]] = {}
    zft = P.get("tblZoneFactors")
    if zft is not None and zt is not None:
        r.known_zones(zft, zset)
        idx = r.unique(zft, ("zone_code",), "zone code")
        zf = {z: zft.records[i] for (z,), i in idx.items()}  # type: ignore[misc]
        r.missing(zft, "zone_code", "level factors missing for zones", [z for z in zones if z not in zf],
                  "one row per zone")  # fmt: skip
        shares = [zf[z].get("EIFU_share") for z in zones if z in zf]
        total = float(sum(x for x in shares if isinstance(x, float)))
        if zones and all(isinstance(x, float) for x in shares) and abs(total - 1) > SHARE_TOLERANCE:
            r.missing(zft, "EIFU_share", "immigration shares do not sum to 1", [round(total, 6)],
                      "shares summing to 1")  # fmt: skip

    # year factors
    yf: dict[int, dict[str, object]] = {}
    yt = P.get("tblYearFactors")
    if yt is not None:
        idx = r.unique(yt, ("year",), "year")
        yf = {y: yt.records[i] for (y,), i in idx.items()}  # type: ignore[misc]
        if isinstance(base, int) and isinstance(horizon, int) and horizon > base:
            want = range(base + 1, horizon + 1)
            r.missing(yt, "year", "year factors missing for years", compress_ranges([y for y in want if y not in yf]),
                      say("one row for each year {first}–{last}", r.lang, first=base + 1, last=horizon))  # fmt: skip
            r.years_in_period(yt, idx, base + 1, horizon, "year-factor")

    # zone-by-year factors (optional; a missing row is 1)
    zyt = P.get("tblZoneYearFactors")
    zy_rows: dict[tuple, int] = {}
    if zyt is not None and any(zyt.records):
        r.known_zones(zyt, zset)
        zy_rows = r.unique(zyt, ("year", "zone_code"), "year and zone")
        if isinstance(base, int) and isinstance(horizon, int) and horizon > base:
            r.years_in_period(zyt, zy_rows, base + 1, horizon, "zone-by-year factor")

    tt = P.get("tblTargets")
    if tt is not None:  # where the engine's errors about a target point to
        for i, rec in enumerate(tt.records):
            if isinstance(rec.get("year"), int):
                meta.target_cells[(rec["year"], str(rec.get("zone_code") or ""))] = tt.cell(i, "value")  # type: ignore[index]

    markets: dict[str, object] = {}
    if isinstance(base, int) and isinstance(horizon, int) and horizon > base and zones:
        markets = assemble_markets(r, zones, base, horizon, settings, yf, rc_rows)

    assumed = _assumptions(r, settings, yf, base, horizon, meta)

    if r.errors or not isinstance(base, int) or not isinstance(horizon, int):
        return None
    years = list(range(base + 1, horizon + 1))

    def zcol(key: str) -> np.ndarray:
        return np.array([float(zf[z][key]) for z in zones])  # type: ignore[arg-type]

    def ycol(key: str) -> np.ndarray:
        return np.array([float(yf[y][key]) for y in years])  # type: ignore[arg-type]

    zone_year: dict[str, np.ndarray] = {}
    if zy_rows and zyt is not None:
        ypos, zpos = {y: t for t, y in enumerate(years)}, {z: k for k, z in enumerate(zones)}
        for key in ZONE_YEAR_KEYS:
            grid = np.ones((len(years), len(zones)))
            for (y, z), i in zy_rows.items():
                if y in ypos and z in zpos and zyt.ok(i, key):
                    grid[ypos[y], zpos[z]] = float(zyt.records[i][key])  # type: ignore[arg-type]
            if np.any(grid != 1.0):
                zone_year[key] = grid

    inputs = ProjectionInputs(
        zone_codes=tuple(zones), zone_names=tuple(names), base_year=base, horizon=horizon,
        population=pop, fertility_source=settings["fertility_source"],  # type: ignore[arg-type]
        fertility_rates=fert,
        hadwiger=Hadwiger(float(had["HDWA"]), float(had["HDWB"]), float(had["HDWC"])),  # type: ignore[arg-type]
        fertility_level_region=ycol("FR") * fertility_level_path(
            assumed["fertility_assumption"], len(years),  # type: ignore[arg-type]
            last_year_level=assumed["fertility_last_year"], trend_start=assumed["fertility_start"],  # type: ignore[arg-type]
            trend_slope=assumed["fertility_slope"], damping=assumed["fertility_damping"],  # type: ignore[arg-type]
            tfr_path=assumed.get("tfr_path"),  # type: ignore[arg-type]
            schedule_tfr=float(had["HDWA"]) if settings["fertility_source"] == "hadwiger" else float(fert.sum()),  # type: ignore[arg-type]
        ),
        fertility_level_zone=zcol("FK"),
        share_boys=float(settings["share_boys"]),  # type: ignore[arg-type]
        reconcile_births=bool(settings["reconcile_births"]),
        death_prob=dp, mortality_level_region=ycol("DR"), mortality_level_zone=zcol("DK"),
        reconcile_deaths=bool(settings["reconcile_deaths"]),
        rc_params=rc_array(rc_rows, zones),
        migration_level_region={"EUF": ycol("EUF_R"), "IUF": ycol("IUF_R"), "EIFN": ycol("EIFN_R")},
        migration_level_zone={"EUF": zcol("EUF_K"), "IUF": zcol("IUF_K")},
        immigration_total=ycol("EIFU_total"), immigration_share=zcol("EIFU_share"),
        domestic_inmigration=zcol("EIFN_total"), internal_net_trend=zcol("INF_trend"),
        zone_year_factors=zone_year,
        variant=int(settings["variant"]),  # type: ignore[arg-type]
        drop_oldest=bool(settings["drop_oldest"]),
        inmigration_age_level=assumed.get("age_level"),  # type: ignore[arg-type]
        **markets,  # type: ignore[arg-type]
    )  # fmt: skip
    try:
        inputs.validate()
    except InputErrors as exc:
        r.errors.extend(exc.errors)
        return None
    return inputs


#: Settings of the projection assumptions and their defaults (an older workbook has none).
ASSUMPTION_SETTINGS = ("fertility_assumption", "fertility_last_year", "fertility_start",
                       "fertility_slope", "fertility_damping", "elderly_inmigration", "elderly_from_age",
                       "elderly_to_age")  # fmt: skip


def _as_tuple(values: object) -> tuple[float, ...] | None:
    return None if values is None else tuple(float(x) for x in values)  # type: ignore[attr-defined]


def _assumptions(r: TableReader, settings: dict, yf: dict, base: object, horizon: object,
                 meta: WorkbookMeta) -> dict[str, object]:
    """The fertility and elderly in-migration assumptions of the settings with the year columns
    they need (TFR, EIFN_elderly), checked; a filled column an assumption does not use is noted."""
    items = {c.key: c for c in TABLES["tblSettings"].items}
    out: dict[str, object] = {k: settings.get(k) if settings.get(k) is not None else items[k].default
                              for k in ASSUMPTION_SETTINGS}  # fmt: skip
    meta.settings.update(out)
    st, yt = r.parsed.get("tblSettings"), r.parsed.get("tblYearFactors")
    if not (isinstance(base, int) and isinstance(horizon, int) and horizon > base) or yt is None:
        return out
    years = range(base + 1, horizon + 1)

    def column(key: str, needed: bool, why: str) -> np.ndarray | None:
        """The column's values if every year has one (kept for writing the workbook again)."""
        have = {y: yf[y].get(key) for y in years if y in yf}
        miss = [y for y in years if have.get(y) is None]
        if needed:
            r.missing(yt, key, f"{key} missing for years", compress_ranges(miss),
                      f"a value for each year {years[0]}–{years[-1]} ({why})")  # fmt: skip
        elif any(v is not None for v in have.values()):
            r.notes.append(f"{yt.block.sheet}, table tblYearFactors: column {yt.header_text(key)} is "
                           f"filled but not used (only when {why})")  # fmt: skip
        return None if miss else np.array([float(have[y]) for y in years])  # type: ignore[arg-type]

    out["tfr_path"] = column("TFR", out["fertility_assumption"] == "tfr_path", "fertility assumption = TFR path")
    rates = out["elderly_inmigration"] == "rates"
    levels = column("EIFN_elderly", rates, "elderly in-migration = rates")
    # as tuples: WorkbookMeta compares by value
    meta.settings.update(tfr_path=_as_tuple(out["tfr_path"]), elderly_levels=_as_tuple(levels))
    lo, hi = int(out["elderly_from_age"]), int(out["elderly_to_age"])  # type: ignore[call-overload]
    if lo > hi and st is not None:
        i = next(i for i, rec in enumerate(st.records) if rec.get("key") == "elderly_to_age")
        r.err("the last elderly age is below the first", sheet=st.block.sheet, table="tblSettings",
              cell=st.cell(i, "value"), column=st.header_text("value"), found=hi, expected=f">= {lo}")  # fmt: skip
    elif levels is not None and rates:
        age = np.ones((len(years), N_AGES))
        age[:, lo : hi + 1] = levels[:, None]
        out["age_level"] = age
    return out


def read_workbook(path: str | Path, *, reader: FileReader | None = None) -> tuple[ProjectionInputs, WorkbookMeta]:
    """Read a REGBEF workbook file into validated inputs and its meta data.

    ``reader`` chooses the file reader (:func:`regbef_excel.io.fast_files.open_file`; default
    the fast one).

    Raises
    ------
    InputErrors
        Every problem found, failed checks included (the first is the headline); also for
        files that are missing, not .xlsx, or password-protected.
    """
    try:
        backend = open_file(path, reader)
    except InputError as exc:
        raise InputErrors([exc]) from None
    with backend:
        res = read_from_backend(backend)
    if res.errors:
        raise InputErrors(res.errors)
    assert res.inputs is not None
    return res.inputs, res.meta


#: Input fields the engine names in its errors (``Location.table``) → where they are in a
#: workbook: (schema sheet key, table, column).
FIELD_PLACES: dict[str, tuple[str, str | None, str | None]] = {
    "targets": ("targets", "tblTargets", "value"),
    "labour": ("labour", None, None),
    "housing": ("housing", None, None),
    "distances": ("distances", "tblDistances", None),
    "income": ("fertility", "tblIncome", None),
}


def in_workbook(error: InputError, meta: WorkbookMeta) -> InputError:
    """An engine error that names an input field, pointed at the workbook's sheet (and, for a
    target of a zone and year, its cell) under the sheet's name in this workbook.

    Other errors are returned as they are.
    """
    loc = error.location
    place = FIELD_PLACES.get(loc.table or "")
    if place is None or loc.sheet or isinstance(error, InputErrors):
        return error
    sheet_key, table, column = place
    sheet = meta.sheet_names.get(sheet_key) or SHEETS[sheet_key].label(meta.language)
    language = "en" if sheet == SHEETS[sheet_key].label("en") else "nb"
    cell = None
    if loc.table == "targets" and isinstance(loc.row, int):
        cells = meta.target_cells
        cell = cells.get((loc.row, loc.column or "")) or cells.get((loc.row, ""))
    header = TABLES[table].column(column).header(language) if table and column else None
    message = translated(error.message, language) or error.message
    # an engine message the catalogue does not know stays English, framing words included
    said = language if message != error.message or language == "en" else None
    return InputError(message, location=Location(sheet, table, cell, None, header), found=error.found,
                      expected=translated(error.expected, said), language=said)  # fmt: skip


def check_errors(raw: RawTables, language: str = "nb") -> list[InputError]:
    """Failed checks as :class:`InputError`\\ s pointing at the check's cell on the checks sheet."""
    lay = checks_layout()
    sheet = SHEETS[CHECKS_TABLE.sheet].label(language)
    out = []
    for i, res in enumerate(run_checks(raw, language=language)):
        if res.count:
            out.append(InputError(
                say("check {id} failed: {description}", language, id=res.id, description=res.description),
                location=Location(sheet, CHECKS_TABLE.key, lay.cell("value", i), None,
                                  CHECKS_TABLE.column("value").header(language)),
                found=res.count, expected=say("0 problems", language), language=language,
            ))  # fmt: skip
    return out


def validate_workbook(path: str | Path, *, reader: FileReader | None = None) -> list[InputError]:
    """Every problem in a workbook file: cell-level and cross-table problems, then failed checks.

    Returns an empty list for a workbook ready to run. Never raises for bad input.
    """
    try:
        backend = open_file(path, reader)
    except InputError as exc:
        return [exc]
    with backend:
        res = read_from_backend(backend)
    return res.errors

