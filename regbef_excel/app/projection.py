"""Application services: what the CLI, the Excel macros and the UDFs call.

Each function is a complete user action (build the demo, run a workbook, validate, make a
template) on files. They never modify an input file: results go to a new file written
atomically, and the input's SHA-256 is checked before and after.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from regbef_excel import SCHEMA_VERSION, __version__, data
from regbef_excel.data.inputs import (
    add_telemark_labour_housing,
    national_rates,
    telemark_history,
    telemark_inputs,
)
from regbef_excel.engine import Projection, ProjectionInputs, project
from regbef_excel.engine.generation import GenerationReport, History, NationalRates
from regbef_excel.errors import InputError, Location, RegbefError
from regbef_excel.files import file_sha256
from regbef_excel.files import same_file as _same_file
from regbef_excel.io.read.projection import read_workbook, validate_workbook
from regbef_excel.io.write.results import write_results
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema.meta import RCFitQuality, WorkbookMeta

Progress = Callable[[str, float], None]


# ----------------------------------------------------------------------------- metadata
def meta_from_generation(
    inputs: ProjectionInputs,
    report: GenerationReport,
    history: History,
    national: NationalRates,
    *,
    language: str = "nb",
    include_history: bool = False,
):
    """WorkbookMeta for generated inputs: provenance, fit quality, comments, history tables.

    History tables (tens of thousands of rows for a county) are optional: off by default so the
    planner's workbook stays light and prints in a few pages; project generation reads the
    embedded data directly.
    """
    y0, y1 = report.estimation_years[0], report.estimation_years[-1]
    prov = data.provenance().drop_duplicates(["credit", "licence"])
    lines = [f"{r.credit} — {r.licence}" for r in prov.itertuples()]
    quality = {}
    for flow, q in report.fit_quality.items():
        for k, code in enumerate(inputs.zone_codes):
            for s, sex in enumerate(("M", "F")):
                at = str(q["at_bounds"][k, s])
                quality[(flow, code, sex)] = RCFitQuality(
                    n_params=11,
                    sse=float(q["sse"][k, s]),
                    converged=bool(q["converged"][k, s]),
                    at_bounds=tuple(x for x in at.split(", ") if x),
                )
    est = f"estimert fra historikk {y0}–{y1}" if language == "nb" else f"estimated from history {y0}–{y1}"
    comments = {
        "tblZoneFactors": {(code,): est for code in inputs.zone_codes},
        "tblYearFactors": {
            (int(y),): (
                "EUF_R/IUF_R estimert; DR: dødelighetsforbedring; EIFU_total: snitt av estimeringsperioden"
                if language == "nb"
                else "EUF_R/IUF_R estimated; DR: mortality improvement; EIFU_total: estimation-period mean"
            )
            for y in inputs.years
        },
    }
    hist_pop = []
    for y, arr in sorted(history.population.items() if include_history else []):
        if y < y0 - 1:
            continue
        K = arr.shape[0]
        hist_pop.append(
            pd.DataFrame(
                {
                    "year": y,
                    "zone_code": np.repeat(history.zone_codes, arr.shape[2]),
                    "age": np.tile(np.arange(arr.shape[2]), K),
                    "males": arr[:, 0, :].reshape(-1),
                    "females": arr[:, 1, :].reshape(-1),
                }
            )
        )
    hist_mig = []
    for i, y in enumerate(history.flow_years if include_history else []):
        out, inn = history.out_by_age[i], history.in_by_age[i]
        K, A1 = out.shape
        df = pd.DataFrame(
            {
                "year": int(y),
                "zone_code": np.repeat(history.zone_codes, A1),
                "age": np.tile(np.arange(A1), K),
                "out": out.reshape(-1),
                "in": inn.reshape(-1),
            }
        )
        hist_mig.append(df.dropna())
    return WorkbookMeta(
        region_name=history.region_name,
        language=language,
        estimation_start=int(y0),
        estimation_end=int(y1),
        provenance=tuple([*history.sources, *national.sources, *lines]),
        notes=tuple(report.warnings),
        comments=comments,
        fit_quality=quality,
        history={
            "tblHistPopulation": pd.concat(hist_pop, ignore_index=True) if hist_pop else None,
            "tblHistMigration": pd.concat(hist_mig, ignore_index=True) if hist_mig else None,
        },
    )


def demo_inputs(language: str = "nb", *, include_history: bool = False):
    """The embedded Telemark demo: (inputs, meta)."""
    inputs, report = telemark_inputs()
    add_telemark_labour_housing(inputs)
    meta = meta_from_generation(
        inputs, report, telemark_history(), national_rates(), language=language, include_history=include_history
    )
    return inputs, meta


# ----------------------------------------------------------------------------- actions
@dataclass
class RunOutcome:
    projection: Projection
    output_path: Path
    input_sha256: str | None
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def run_log(projection: Projection, *, input_path=None, input_sha256=None, seconds=None) -> dict:
    return {
        "input_path": str(input_path) if input_path else "",
        "input_file_sha256": input_sha256 or None,
        "engine_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "time_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "variant": projection.inputs.variant,
        "base_year": projection.inputs.base_year,
        "horizon": projection.inputs.horizon,
        "warnings": list(projection.warnings),
        "capped_persons": float(projection.capped.sum()),
        "seconds": "; ".join(f"{k} {v:.2f} s" for k, v in (seconds or {}).items()),
    }


def write_projection(
    projection: Projection,
    meta,
    output_path: str | os.PathLike,
    *,
    language: str = "nb",
    input_path=None,
    input_sha256: str | None = None,
    seconds: dict | None = None,
) -> None:
    """Input sheets (regenerated from the validated inputs) + output sheets, written atomically."""
    if input_path is not None and _same_file(input_path, output_path):
        raise InputError(
            "the output file must differ from the input file (the planner's input is never overwritten)",
            location=Location(cell=str(output_path)),
        )
    # the output sheets are still added to an openpyxl workbook: load the written input sheets
    wb = build_workbook(projection.inputs, language=language, meta=meta).to_openpyxl()
    log = run_log(projection, input_path=input_path, input_sha256=input_sha256, seconds=seconds)
    write_results(projection, output_path, language=language, base_workbook=wb, run_log=log)


def run_workbook(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    language: str | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Read a planner's workbook, project, and write a NEW workbook with inputs and results."""
    input_path = Path(input_path)
    output_path = Path(output_path)
    if _same_file(input_path, output_path):
        raise InputError(
            "the output file must differ from the input file (the planner's input is never overwritten)",
            location=Location(cell=str(output_path)),
        )
    seconds: dict[str, float] = {}
    sha_before = file_sha256(input_path) if input_path.exists() else None
    t0 = time.perf_counter()
    _tell(progress, "reading workbook", 0.0)
    inputs, meta = read_workbook(input_path)
    seconds["read"] = time.perf_counter() - t0
    lang = language or getattr(meta, "language", None) or "nb"
    t0 = time.perf_counter()
    projection = project(
        inputs, progress=(lambda t, T: _tell(progress, f"projecting {inputs.base_year + t}", 0.1 + 0.5 * t / T))
    )
    projection.warnings[:0] = meta.read_notes  # what the reader accepted but did not use
    seconds["project"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _tell(progress, "writing results", 0.65)
    write_projection(
        projection, meta, output_path, language=lang, input_path=input_path, input_sha256=sha_before, seconds=seconds
    )
    seconds["write"] = time.perf_counter() - t0
    if sha_before is not None and file_sha256(input_path) != sha_before:  # pragma: no cover - guard
        raise RegbefError(f"the input file {input_path} changed during the run; please report this")
    _tell(progress, "done", 1.0)
    return RunOutcome(projection, output_path, sha_before, seconds, list(projection.warnings))


def run_demo(output_path: str | os.PathLike = "regbef-demo.xlsx", *, language: str = "nb", progress: Progress | None = None) -> RunOutcome:
    """Build the Telemark demo from the embedded data, project it and write the workbook."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    _tell(progress, "generating Telemark inputs from history (ROGEST)", 0.0)
    inputs, meta = demo_inputs(language)
    seconds["generate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    projection = project(
        inputs, progress=(lambda t, T: _tell(progress, f"projecting {inputs.base_year + t}", 0.3 + 0.3 * t / T))
    )
    seconds["project"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _tell(progress, "writing workbook", 0.65)
    write_projection(projection, meta, output_path, language=language, seconds=seconds)
    seconds["write"] = time.perf_counter() - t0
    _tell(progress, "done", 1.0)
    return RunOutcome(projection, Path(output_path), None, seconds, list(projection.warnings))


def write_template(
    output_path: str | os.PathLike, *, empty: bool = False, language: str = "nb", include_history: bool = False
) -> Path:
    """A ready-to-fill workbook: pre-filled with the Telemark demo inputs, or empty."""
    if empty:
        wb = build_workbook(None, language=language, meta=WorkbookMeta(language=language))
    else:
        inputs, meta = demo_inputs(language, include_history=include_history)
        wb = build_workbook(inputs, language=language, meta=meta)
    save_workbook(wb, output_path)
    return Path(output_path)


def validate_file(input_path: str | os.PathLike) -> list[InputError]:
    return validate_workbook(input_path)


def _tell(progress: Progress | None, what: str, fraction: float) -> None:
    if progress is not None:
        progress(what, fraction)


# ----------------------------------------------------------------------------- regression → targets


