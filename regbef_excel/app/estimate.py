"""Project generation in the workbook: re-fit the generated parameters from its Historikk sheet.

``regbef-excel estimate FILE -o OUT`` (and the ribbon's "Estimer parametre") reads a workbook,
takes the estimation period from Innstillinger ("Estimeringsperiode, første år / siste år") and
the history from the Historikk sheet (population on 31 Dec by zone × age × sex; gross out- and
in-migration by zone × age), re-runs project generation
(:func:`regbef_excel.engine.generation.generate`, handbook §2) and writes a NEW workbook whose
generated parameters are re-fitted:

* Nivåfaktorer per sone: FK, DK, EUF_K, IUF_K, EIFU_share, EIFN_total, INF_trend;
* Nivåfaktorer per år: EUF_R, IUF_R, EIFU_total;
* Flytting: every Rogers–Castro schedule (ROGEST, 11 parameters) with its fit quality.

Each re-fitted row gets the source note "estimert fra historikk 2020–2025", and the settings
record the period and a fingerprint of the history (:mod:`regbef_excel.app.estimation_record`),
so ``run`` knows the parameters match the workbook. Everything else (fertility and death
schedules, FR/DR/EIFN_R/YR/BR, targets, housing, labour market) is left as it is.

Decisions
---------
* **Hand-typed values are kept** unless ``overwrite_edited`` (``--overwrite-edited``). A value
  counts as hand-typed when it differs from what generation gave for the recorded period and
  history (the workbook is regenerated from its record to find out), or — when that cannot be
  reproduced (no record, history changed, or a municipal template cut from its county) — when
  its row carries a comment the planner wrote (anything but the generated notes).
* **The split of gross flows** (internal / rest of Norway / abroad) is not on the Historikk
  sheet; it is the one the workbook's current parameters imply (:func:`flow_split`: IUF over
  EUF + IUF; EIFU and EIFN over the mean in-migration of the recorded period), so
  re-estimation changes levels and age schedules, not the split.
* **National standard schedules** (the fertility and mortality level factors are ratios to
  them) are the embedded HMD/HFD ones, as in every generation.
* A municipal template's county context (EIFN_R year factors) stays; its EUF/EIFN totals and
  schedules are re-fitted from the municipality's own history, which treats the rest of the
  county as outside.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from regbef_excel.app.estimation_record import (
    EstimationRecord,
    history_fingerprint,
    record_of,
    settings_cell,
    with_record,
)
from regbef_excel.data.inputs import national_rates
from regbef_excel.engine import ProjectionInputs
from regbef_excel.engine.generation import History, generate
from regbef_excel.engine.inputs import N_AGES
from regbef_excel.engine.migration import rc_schedule
from regbef_excel.errors import InputError, Location, RegbefError
from regbef_excel.files import file_sha256, same_file
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema.inputs import SHEETS
from regbef_excel.schema.meta import RCFitQuality, WorkbookMeta

Progress = Callable[[str, float], None]
#: Notes generation writes itself; any other comment marks a row the planner set by hand.
GENERATED_PREFIXES = ("estimert fra historikk", "estimated from history", "EUF_R/IUF_R estim",
                      "fylkessammenheng", "county context")  # fmt: skip
ZONE_PARAMS = ("FK", "DK", "EUF_K", "IUF_K", "EIFU_share", "EIFN_total", "INF_trend")
YEAR_PARAMS = ("EUF_R", "IUF_R", "EIFU_total")
_SEX = ("M", "F")


@dataclass
class EstimateOutcome:
    """What :func:`estimate_workbook` wrote: the period, how many values it re-fitted per table,
    the hand-typed values it kept (``"tblZoneFactors FK 4005"``), generation's warnings."""

    output_path: Path
    record: EstimationRecord
    refitted: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs: ProjectionInputs | None = None
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------
# history from the workbook
# ---------------------------------------------------------------------------------------------
def _hist_error(message: str, lang: str, key: str = "estimation_start", **kw) -> InputError:  # noqa: ANN003
    return InputError(message, location=settings_cell(key, lang), **kw)


def history_from_workbook(
    inputs: ProjectionInputs, meta: WorkbookMeta, start: int, end: int,
    split_period: tuple[int, int] | None = None,
) -> History:
    """The :class:`History` of the workbook's zones from its Historikk sheet.

    Raises :class:`InputError` naming the settings cell when the history does not cover the
    estimation period (population on 31 Dec of ``start − 1`` … ``end`` and of the base year,
    migration in ``start`` … ``end``) for every zone. ``split_period``: the years whose mean
    in-migration the current parameters' flow split refers to (default the estimation period;
    the recorded period when there is one).
    """
    lang = meta.language or "nb"
    sheet = SHEETS["history"].label(lang)
    hp, hm = meta.history.get("tblHistPopulation"), meta.history.get("tblHistMigration")
    if hp is None or len(hp) == 0 or hm is None or len(hm) == 0:
        raise InputError(
            "estimation needs the history: the Historikk sheet has no population or no migration rows",
            location=Location(sheet=sheet, table="tblHistPopulation" if hp is None or len(hp) == 0 else "tblHistMigration"),
            expected="a workbook made with `regbef-excel templates` or `template --with-history`",
        )  # fmt: skip
    codes = list(inputs.zone_codes)
    K = len(codes)
    zi = {c: k for k, c in enumerate(codes)}
    pop: dict[int, np.ndarray] = {}
    hp = hp[hp["zone_code"].astype(str).isin(zi)]
    for y, g in hp.groupby("year"):
        arr = np.zeros((K, 2, N_AGES))
        k = g["zone_code"].astype(str).map(zi).to_numpy()
        a = np.minimum(g["age"].to_numpy(dtype=int), N_AGES - 1)
        np.add.at(arr, (k, 0, a), g["males"].to_numpy(dtype=float))
        np.add.at(arr, (k, 1, a), g["females"].to_numpy(dtype=float))
        pop[int(y)] = arr
        missing = set(codes) - set(g["zone_code"].astype(str))
        if missing:
            pop.pop(int(y))
    for y in [*range(start - 1, end + 1), int(inputs.base_year)]:
        if y not in pop:
            raise _hist_error(
                f"the history is shorter than the estimation period {start}–{end}: {sheet} has "
                f"no population on 31 Dec {y} for every zone", lang,
                found=f"population years {min(pop) if pop else '–'}–{max(pop) if pop else '–'}",
                expected=f"population on 31 Dec {start - 1}–{end} and of the base year {inputs.base_year}",
            )  # fmt: skip
    years = np.arange(start, end + 1)
    out = np.full((len(years), K, N_AGES), np.nan)
    inn = np.full((len(years), K, N_AGES), np.nan)
    hm_all = hm
    hm = hm[hm["zone_code"].astype(str).isin(zi) & hm["year"].between(start, end)]
    if len(hm):
        yi = hm["year"].to_numpy(dtype=int) - start
        ki = hm["zone_code"].astype(str).map(zi).to_numpy()
        ai = np.minimum(hm["age"].to_numpy(dtype=int), N_AGES - 1)
        out[yi, ki, ai] = 0.0
        inn[yi, ki, ai] = 0.0
        np.add.at(out, (yi, ki, ai), hm["out"].to_numpy(dtype=float))
        np.add.at(inn, (yi, ki, ai), hm["in"].to_numpy(dtype=float))
    for i, y in enumerate(years):
        if not np.isfinite(out[i]).any(axis=1).all():
            raise _hist_error(
                f"the history is shorter than the estimation period {start}–{end}: {sheet} has no "
                f"migration in {y} for every zone", lang, found=f"no migration rows for {y}",
                expected=f"migration by age in {start}–{end}",
            )  # fmt: skip
    split = split_period or (start, end)
    hs = hm_all[hm_all["zone_code"].astype(str).isin(zi) & hm_all["year"].between(*split)]
    if hs["year"].nunique() == 0:
        hs = hm
    per_zone = hs.groupby(hs["zone_code"].astype(str))["in"].sum().reindex(codes).fillna(0).to_numpy(float)
    shares = flow_split(inputs, per_zone / max(hs["year"].nunique(), 1))
    return History(
        zone_codes=tuple(codes), zone_names=tuple(inputs.zone_names), population=pop,
        flow_years=years, out_by_age=out, in_by_age=inn, **shares,
        region_name=meta.region_name, sources=[f"{sheet} ({start}–{end})"],
    )  # fmt: skip


def flow_split(inputs: ProjectionInputs, mean_in: np.ndarray) -> dict[str, np.ndarray]:
    """Shares splitting the gross flows, implied by the current parameters.

    Out: the internal share of the out-migration rate at the first year's level factors
    (generation fits EUF and IUF on the same rates split by this share). In: immigration and
    in-migration from the rest of Norway over ``mean_in``, the mean yearly gross in-migration of
    the history; the rest is internal. A one-zone workbook has no internal migration.
    """
    K = inputs.n_zones
    if K == 1:
        z = np.zeros(1)
        ain = np.clip(float(np.asarray(inputs.immigration_total)[0]) / max(float(mean_in[0]), 1e-12), 0, 1)
        return {"internal_out_share": z, "internal_in_share": z.copy(), "abroad_out_share": z.copy(),
                "abroad_in_share": np.array([ain])}  # fmt: skip
    ages = np.arange(N_AGES, dtype=float)
    lr, lz = inputs.migration_level_region, inputs.migration_level_zone
    e = np.clip(rc_schedule(np.asarray(inputs.rc_params["EUF"], float)[:, 0], ages), 0, None).sum(axis=1)
    i = np.clip(rc_schedule(np.asarray(inputs.rc_params["IUF"], float)[:, 0], ages), 0, None).sum(axis=1)
    e = e * np.asarray(lz["EUF"], float) * float(np.asarray(lr.get("EUF", [1.0]))[0])
    i = i * np.asarray(lz["IUF"], float) * float(np.asarray(lr.get("IUF", [1.0]))[0])
    iout = np.where(e + i > 0, i / np.where(e + i > 0, e + i, 1), 0.0)
    share = np.asarray(inputs.immigration_share, float)
    share = share / share.sum() if share.sum() > 0 else share
    imm = float(np.asarray(inputs.immigration_total, float)[0]) * share
    m = np.where(mean_in > 0, mean_in, 1.0)
    ain = np.clip(imm / m, 0, 1)
    rest = np.clip(np.asarray(inputs.domestic_inmigration, float) / m, 0, 1)
    iin = np.clip(1 - ain - rest, 0, 1)
    return {"internal_out_share": iout, "internal_in_share": iin, "abroad_out_share": np.zeros(K),
            "abroad_in_share": ain}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# generated parameters as named arrays
# ---------------------------------------------------------------------------------------------
def _params(inp: ProjectionInputs) -> dict[tuple, np.ndarray]:
    """Every generated parameter: (table, column) -> array (zones (K,), years (T,) or RC (K, 2, 13))."""
    T = inp.n_years
    lz, lr = inp.migration_level_zone, inp.migration_level_region
    return {
        ("tblZoneFactors", "FK"): np.asarray(inp.fertility_level_zone, float),
        ("tblZoneFactors", "DK"): np.asarray(inp.mortality_level_zone, float),
        ("tblZoneFactors", "EUF_K"): np.asarray(lz["EUF"], float),
        ("tblZoneFactors", "IUF_K"): np.asarray(lz["IUF"], float),
        ("tblZoneFactors", "EIFU_share"): np.asarray(inp.immigration_share, float),
        ("tblZoneFactors", "EIFN_total"): np.asarray(inp.domestic_inmigration, float),
        ("tblZoneFactors", "INF_trend"): np.asarray(inp.internal_net_trend, float),
        ("tblYearFactors", "EUF_R"): np.asarray(lr.get("EUF", np.ones(T)), float),
        ("tblYearFactors", "IUF_R"): np.asarray(lr.get("IUF", np.ones(T)), float),
        ("tblYearFactors", "EIFU_total"): np.asarray(inp.immigration_total, float),
        **{("tblRogersCastro", f): np.asarray(p, float) for f, p in inp.rc_params.items()},
    }


def _with_params(inp: ProjectionInputs, p: dict[tuple, np.ndarray]) -> ProjectionInputs:
    lr = dict(inp.migration_level_region)
    lr["EUF"], lr["IUF"] = p[("tblYearFactors", "EUF_R")], p[("tblYearFactors", "IUF_R")]
    return inp.replace(
        fertility_level_zone=p[("tblZoneFactors", "FK")],
        mortality_level_zone=p[("tblZoneFactors", "DK")],
        migration_level_zone={**inp.migration_level_zone, "EUF": p[("tblZoneFactors", "EUF_K")],
                              "IUF": p[("tblZoneFactors", "IUF_K")]},
        immigration_share=p[("tblZoneFactors", "EIFU_share")],
        domestic_inmigration=p[("tblZoneFactors", "EIFN_total")],
        internal_net_trend=p[("tblZoneFactors", "INF_trend")],
        migration_level_region=lr,
        immigration_total=p[("tblYearFactors", "EIFU_total")],
        rc_params={f: p[("tblRogersCastro", f)] for f in inp.rc_params},
    )  # fmt: skip


def _generated_comment(text: object) -> bool:
    return not text or str(text).startswith(GENERATED_PREFIXES)


def _hand_mask_from_comments(inp: ProjectionInputs, meta: WorkbookMeta) -> dict[tuple, np.ndarray]:
    """Rows whose comment the planner wrote are hand-set (every value of the row)."""
    codes, years = inp.zone_codes, [int(y) for y in inp.years]
    out = {}
    for key, arr in _params(inp).items():
        table, col = key
        mask = np.zeros(arr.shape, bool)
        if table == "tblZoneFactors":
            for k, c in enumerate(codes):
                mask[k] = not _generated_comment(meta.comment(table, (c,)))
        elif table == "tblYearFactors":
            for t, y in enumerate(years):
                mask[t] = not _generated_comment(meta.comment(table, (y,)))
        else:
            for k, c in enumerate(codes):
                for s, sex in enumerate(_SEX):
                    mask[k, s] = not _generated_comment(meta.comment(table, (col, c, sex)))
        out[key] = mask
    return out


def _hand_mask(inp, meta, history_now: dict, lang: str) -> tuple[dict[tuple, np.ndarray], str]:  # noqa: ANN001
    """Which current values the planner typed: see the module's decisions."""
    record = record_of(meta)
    context = any("fylkessammenheng" in str(v) or "county context" in str(v)
                  for v in meta.comments.get("tblZoneFactors", {}).values())  # fmt: skip
    if record is not None and not context and record.fingerprint == history_fingerprint(history_now):
        try:
            h = history_from_workbook(inp, meta, record.start, record.end)
            regen, _ = generate(h, national_rates(), base_year=inp.base_year, horizon=inp.horizon,
                                estimation=(record.start, record.end))  # fmt: skip
        except (InputError, ValueError):
            regen = None
        if regen is not None:
            now, then = _params(inp), _params(regen)
            mask = {k: ~np.isclose(now[k], then[k], rtol=1e-6, atol=1e-9) for k in now}
            return mask, "compared with generation from the recorded period"
    return _hand_mask_from_comments(inp, meta), "rows with the planner's own comments"


# ---------------------------------------------------------------------------------------------
# the use case
# ---------------------------------------------------------------------------------------------
def estimate_workbook(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    *,
    overwrite_edited: bool = False,
    language: str | None = None,
    progress: Progress | None = None,
) -> EstimateOutcome:
    """Re-fit a workbook's generated parameters from its history; write a NEW workbook.

    Parameters
    ----------
    input_path
        The planner's workbook (never modified).
    output_path
        The workbook to write (must differ from the input); written atomically.
    overwrite_edited
        Re-fit hand-typed values too (default: keep them; see the module's decisions).
    language
        Labels of the new workbook (default: the input's language).
    progress
        ``progress(what, fraction)`` callback.

    Returns
    -------
    EstimateOutcome

    Raises
    ------
    InputError
        The workbook does not validate, the estimation period is missing or outside the
        history, or the output is the input. Nothing is written.
    """
    t_start = time.perf_counter()
    input_path, output_path = Path(input_path), Path(output_path)
    if same_file(input_path, output_path):
        raise InputError("the output file must differ from the input file (the planner's input is never overwritten)",
                         location=Location(cell=str(output_path)))  # fmt: skip
    tell = progress or (lambda what, fraction: None)
    sha = file_sha256(input_path) if input_path.exists() else None
    tell("reading workbook", 0.0)
    inputs, meta = read_workbook(input_path)
    lang = language or meta.language or "nb"
    start, end = meta.estimation_start, meta.estimation_end
    for key, v in (("estimation_start", start), ("estimation_end", end)):
        if not isinstance(v, int):
            raise InputError("estimation needs the estimation period in the settings",
                             location=settings_cell(key, meta.language), found=v if v is not None else "empty",
                             expected="a year, e.g. 2016")  # fmt: skip
    if not start <= end <= inputs.base_year:
        raise InputError("the estimation period must run forward and end by the base year",
                         location=settings_cell("estimation_end", meta.language), found=f"{start}–{end}",
                         expected=f"first year ≤ last year ≤ {inputs.base_year}")  # fmt: skip
    tell(f"estimating from history {start}–{end}", 0.2)
    old = record_of(meta)
    history = history_from_workbook(inputs, meta, start, end,
                                    split_period=(old.start, old.end) if old is not None else None)  # fmt: skip
    try:
        fitted, report = generate(history, national_rates(), base_year=inputs.base_year,
                                  horizon=inputs.horizon, estimation=(start, end))  # fmt: skip
    except ValueError as exc:
        raise InputError(f"estimation failed: {exc}", location=settings_cell("estimation_start", meta.language)) from None
    if overwrite_edited:
        hand = {k: np.zeros(v.shape, bool) for k, v in _params(inputs).items()}
    else:
        hand, _ = _hand_mask(inputs, meta, meta.history, meta.language)
    now, new = _params(inputs), _params(fitted)
    merged = {k: np.where(hand[k], now[k], new[k]) for k in now}
    out_inputs = _with_params(inputs, merged).validate()

    # --- what changed, source notes, fit quality --------------------------------------------
    record = EstimationRecord(start, end, history_fingerprint(meta.history))
    note = record.text(lang).split(";")[0]
    codes, years = inputs.zone_codes, [int(y) for y in inputs.years]
    comments = {k: dict(v) for k, v in meta.comments.items()}
    refitted: dict[str, int] = {}
    kept: list[str] = []
    quality = dict(meta.fit_quality)
    for (table, col), mask in hand.items():
        changed = ~np.isclose(merged[(table, col)], now[(table, col)], rtol=1e-12, atol=0)
        refitted[table] = refitted.get(table, 0) + int(changed.sum())
        tc = comments.setdefault(table, {})
        if table == "tblZoneFactors":
            for k, c in enumerate(codes):
                if mask[k]:
                    kept.append(f"{table} {col} {c}")
                elif _generated_comment(tc.get((c,))):
                    tc[(c,)] = note
        elif table == "tblYearFactors":
            for t, y in enumerate(years):
                if mask[t]:
                    kept.append(f"{table} {col} {y}")
                elif _generated_comment(tc.get((y,))):
                    tc[(y,)] = note
        else:
            q = report.fit_quality.get(col)
            for k, c in enumerate(codes):
                for s, sex in enumerate(_SEX):
                    if mask[k, s].any():
                        kept.append(f"{table} {col} {c} {sex}")
                        continue
                    if q is not None:
                        at = str(q["at_bounds"][k, s])
                        quality[(col, c, sex)] = RCFitQuality(
                            n_params=11, sse=float(q["sse"][k, s]), converged=bool(q["converged"][k, s]),
                            at_bounds=tuple(x for x in at.split(", ") if x))  # fmt: skip
    out_meta = replace(meta, comments=comments, fit_quality=quality, language=lang,
                       notes=tuple(dict.fromkeys([*meta.notes, *report.warnings]))[:40])  # fmt: skip
    with_record(out_meta, record, lang)

    tell("writing workbook", 0.7)
    wb = build_workbook(out_inputs, language=lang, meta=out_meta)
    save_workbook(wb, output_path)
    if sha is not None and file_sha256(input_path) != sha:  # pragma: no cover - guard
        raise RegbefError(f"the input file {input_path} changed during estimation; please report this")
    tell("done", 1.0)
    return EstimateOutcome(output_path, record, refitted, kept, list(report.warnings), out_inputs,
                           time.perf_counter() - t_start)  # fmt: skip


__all__ = ["EstimateOutcome", "GENERATED_PREFIXES", "estimate_workbook", "flow_split", "history_from_workbook"]
