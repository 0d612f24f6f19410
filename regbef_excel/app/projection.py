"""Application services: what the CLI, the Excel macros and the UDFs call.

Each function is a complete user action (build the demo, run a workbook, validate, make a
template) on files. They never modify an input file: results go to a new file written
atomically, and the input's SHA-256 is checked before and after.
"""

from __future__ import annotations

import os
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.parsers import expat

import numpy as np
import pandas as pd

from regbef_excel import SCHEMA_VERSION, __version__, data
from regbef_excel.app.estimation_record import (
    EstimationRecord,
    check_estimation_record,
    history_fingerprint,
    with_record,
)
from regbef_excel.app.observed_history import observed_history
from regbef_excel.data.inputs import (
    add_telemark_labour_housing,
    national_rates,
    telemark_history,
    telemark_inputs,
)
from regbef_excel.engine import Projection, ProjectionInputs, project
from regbef_excel.engine.generation import (
    ELDERLY_AGES,
    GenerationReport,
    History,
    NationalRates,
    assumption_settings,
    reference_age_levels,
)
from regbef_excel.errors import InputError, InputErrors, Location, RegbefError
from regbef_excel.evaluation import backtest as bt
from regbef_excel.evaluation.calibrate import intervals_of_projection
from regbef_excel.files import file_sha256
from regbef_excel.files import same_file as _same_file
from regbef_excel.io.read.projection import in_workbook, read_workbook
from regbef_excel.io.write.results import write_results
from regbef_excel.io.write.template import build_workbook, save_workbook
from regbef_excel.schema.meta import RCFitQuality, WorkbookMeta

Progress = Callable[[str, float], None]


# ----------------------------------------------------------------------------- metadata
def elderly_reference_levels(inputs: ProjectionInputs, report: GenerationReport, history: History,
                             national: NationalRates) -> tuple[float, ...] | None:
    """The EIFN elderly column of a generated workbook: the rest of the country's population aged
    67+ relative to its estimation-period mean, projected from the base year
    (:func:`regbef_excel.engine.generation.reference_age_levels`), so that a planner can switch
    elderly in-migration to rates. None when the zones are not municipalities of the shipped data."""
    codes = [str(c) for c in inputs.zone_codes]
    years = report.estimation_years
    need = range(years[0] - 1, inputs.base_year + 1)
    if not set(codes) <= set(data.municipality_codes()) or not all(y in history.population for y in need):
        return None
    try:
        ref = bt.rest_of_country(codes, need, history.population)
    except InputError:
        return None
    lo, _hi = ELDERLY_AGES
    levels = reference_age_levels(ref, years, inputs.base_year, inputs.horizon, national)[:, lo]
    return tuple(float(x) for x in levels)  # a tuple: WorkbookMeta compares by value


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
    meta = WorkbookMeta(
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
    meta.settings.update(assumption_settings(report))
    meta.settings["elderly_levels"] = elderly_reference_levels(inputs, report, history, national)
    # what the parameters were estimated from: ``run`` refuses when the workbook drifts from it
    return with_record(meta, EstimationRecord(int(y0), int(y1), history_fingerprint(meta.history)), language)


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
    language: str = "nb"  # the workbook's: what the command line says about it is said in it


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
    """A copy of the input workbook + the output sheets, written atomically.

    The results go into a copy of the planner's input workbook (``input_path``), so the results
    file still holds the input sheets and re-validates; without an input file (the demo) into
    the template built from the inputs.
    """
    if input_path is not None and _same_file(input_path, output_path):
        raise InputError(
            "the output file must differ from the input file (the planner's input is never overwritten)",
            location=Location(cell=str(output_path)),
        )
    log = run_log(projection, input_path=input_path, input_sha256=input_sha256, seconds=seconds)
    intervals = intervals_of_projection(projection)  # the uncertainty sheet (shipped calibration)
    history = observed_history(projection, meta)  # the history sheet's, else SSB's by municipality
    if input_path is not None:
        write_results(projection, output_path, language=language, base_workbook=input_path, run_log=log,
                      intervals=intervals, history=history)  # fmt: skip
        return
    with tempfile.TemporaryDirectory(prefix="regbef-") as tmp:
        base = save_workbook(build_workbook(projection.inputs, language=language, meta=meta), Path(tmp) / "inputs.xlsx")
        write_results(projection, output_path, language=language, base_workbook=base, run_log=log,
                      intervals=intervals, history=history)


# ----------------------------------------------------------------------------- the front door
#: Largest uncompressed package the reader accepts (a zip bomb stops here, not in memory).
MAX_PACKAGE_BYTES = 2 << 30
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _say(language: str, nb: str, en: str) -> str:
    return en if language == "en" else nb


def check_output_path(
    output: str | os.PathLike[str],
    *inputs: str | os.PathLike[str] | None,
    suffixes: tuple[str, ...] | None = (".xlsx",),
    language: str = "nb",
) -> Path:
    """Refuse an output path before any work is done: wrong extension, the same file as an
    input, a folder, below a regular file, or in a folder that cannot be written.

    Missing folders are accepted when they can be created (the writers create them). Returns
    the output as a :class:`~pathlib.Path`; raises :class:`InputError` naming the output.
    """
    out = Path(output)
    where = Location(file=str(output))
    if suffixes and out.suffix.lower() not in suffixes:
        raise InputError(
            _say(language, "feil filtype for resultatet", "wrong file type for the output"),
            location=where, found=out.suffix or out.name, expected=" or ".join(suffixes),
        )  # fmt: skip
    for path in inputs:
        if path is not None and _same_file(path, out):
            raise InputError(
                _say(language, "resultatfilen må være en annen enn inndatafilen (inndata overskrives aldri)",
                     "the output file must differ from the input file (inputs are never overwritten)"),
                location=where, expected=_say(language, "et nytt filnavn", "a new file name"),
            )  # fmt: skip
    if out.is_dir():
        raise InputError(_say(language, "er en mappe, ikke en fil", "is a folder, not a file"), location=where,
                         expected=_say(language, "et filnavn i mappen", "a file name inside the folder"))  # fmt: skip
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        if folder.is_symlink():  # a dangling link cannot be created through
            break
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(
            _say(language, "ligger under en fil, ikke en mappe", "lies below a file, not a folder"),
            location=where, found=str(folder), expected=_say(language, "en mappe", "a folder"),
        )  # fmt: skip
    try:  # a real probe: permission bits say nothing for root or read-only file systems
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise InputError(
            _say(language, "mappen kan ikke skrives til", "the folder cannot be written to"),
            location=where, found=f"{folder} ({exc.strerror or type(exc).__name__})",
            expected=_say(language, "en mappe du kan skrive til", "a folder you can write to"),
        ) from None  # fmt: skip
    return out


def _part_problem(path: Path, part: str, nb: str, en: str, language: str, detail: str = "") -> InputError:
    return InputError(
        _say(language, nb, en) + (f" ({detail})" if detail else ""),
        location=Location(file=path.name, part=part),
        expected=_say(language, "en .xlsx-fil lagret av Excel eller LibreOffice",
                      "an .xlsx file saved by Excel or LibreOffice"),
    )  # fmt: skip


class _Doctype(Exception):
    """A document type declaration: never legitimate in an Office Open XML part."""


def _refuse_doctype(*_args: object) -> None:
    raise _Doctype


def _check_xml(stream, path: Path, part: str, language: str) -> None:  # noqa: ANN001
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        for block in iter(lambda: stream.read(1 << 20), b""):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except _Doctype:
        raise _part_problem(path, part, "XML med dokumenttype (DTD) eller entiteter – avvist uten å lese dem",
                            "XML with a document type (DTD) or entities – refused unread", language) from None
    except expat.ExpatError as exc:
        raise _part_problem(path, part, "skadet XML", "damaged XML", language,
                            expat.errors.messages.get(exc.code, str(exc)) + f", line {exc.lineno}") from None


def check_xlsx_package(path: str | os.PathLike[str], *, language: str = "nb") -> None:
    """Read every part of a zip package once: each member must decompress with the right
    checksum and each XML part must be well-formed without a document type declaration
    (external entities and "billion laughs" are refused, never expanded).

    Files that are not readable zip packages are left to the workbook reader, which says what
    they are. Raises :class:`InputError` naming the file and the part.
    """
    path = Path(path)
    try:
        if not path.is_file() or not zipfile.is_zipfile(path):
            return
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return
    with zf:
        infos = zf.infolist()
        if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise _part_problem(path, infos[0].filename if infos else "", "pakken er for stor utpakket",
                                "the package is too large unpacked", language,
                                f"> {MAX_PACKAGE_BYTES >> 30} GiB")  # fmt: skip
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename
            try:
                with zf.open(info) as stream:
                    if name.lower().endswith(_XML_SUFFIXES):
                        _check_xml(stream, path, name, language)
                    else:
                        for _ in iter(lambda s=stream: s.read(1 << 20), b""):
                            pass
            except InputError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                    ValueError) as exc:  # fmt: skip
                raise _part_problem(path, name, "skadet del av pakken", "damaged part of the package", language,
                                    f"{type(exc).__name__}: {exc}") from None  # fmt: skip


def input_sha256(path: str | os.PathLike) -> str | None:
    """SHA-256 of an input file, or ``None`` when it is not a readable file (the reader then
    says what it is: missing, a folder, unreadable)."""
    try:
        return file_sha256(path) if Path(path).is_file() else None
    except OSError:
        return None


def unreadable(path: str | os.PathLike, exc: BaseException) -> InputError:
    """An InputError naming the file for a failure the reader did not classify."""
    return InputError("cannot be read as a workbook", location=Location(file=Path(path).name),
                      found=f"{type(exc).__name__}: {exc}",
                      expected="an .xlsx file saved by Excel or LibreOffice")  # fmt: skip


def read_input(path: str | os.PathLike, *, name_file: bool = False) -> tuple[ProjectionInputs, WorkbookMeta]:
    """The one front door of every command that reads a projection workbook (``run``,
    ``compare``, ``ssb-compare``, ``regress-targets``; ``validate`` asks the same questions):
    the package's parts (:func:`~regbef_excel.files.check_xlsx_package`), then the reader with
    the schema's rules and plausibility bounds. Every failure is an :class:`InputError`
    (``InputErrors``) naming the file, sheet and cell; ``name_file`` prefixes every message
    with the file's name (for commands that read several workbooks).
    """
    try:
        check_xlsx_package(path)
        try:
            return read_workbook(path)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged file the reader did not classify
            raise unreadable(path, exc) from None
    except InputError as exc:
        errs = exc if isinstance(exc, InputErrors) else InputErrors([exc])
        raise (errs.in_file(Path(path).name) if name_file else errs) from None


def project_checked(inputs: ProjectionInputs, **kwargs) -> Projection:
    """:func:`~regbef_excel.engine.project` with floating-point warnings silenced and the
    result refused when any number is not finite (:func:`first_non_finite`): an overflow
    caused by the inputs is an input problem, never a workbook full of ``nan``."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        projection = project(inputs, **kwargs)
    where = first_non_finite(projection)
    if where is not None:
        year, zone, component = where
        raise InputError(
            f"the projection reaches a number that is not finite (overflow) in {year}, zone {zone}, "
            f"component {component}: the inputs of this zone make it grow without bound",
            found=f"{year} / {zone} / {component}",
            expected="inputs that keep the population finite: check the level factors, totals and "
            "rates of this zone and the years before",
        )  # fmt: skip
    return projection


#: Series that are NaN by design (no target in a trend year).
NAN_BY_DESIGN = frozenset({"target_net_migration"})


def first_non_finite(projection: Projection) -> tuple[int, str, str] | None:
    """(year, zone code, component) of the first non-finite number of a projection, earliest
    year first and, within a year, the flows before the stocks they produce; ``None`` if all
    are finite."""
    base = projection.inputs.base_year
    T = projection.inputs.n_years
    arrays: list[tuple[str, np.ndarray, bool]] = [(k, v, True) for k, v in projection.flows.items()]
    arrays += [(k, v, k not in NAN_BY_DESIGN) for k, v in projection.series.items()]
    arrays += [(k, v, True) for k, v in projection.matrices.items()]
    arrays += [("capped", projection.capped, True), ("population", projection.population, True)]
    best: tuple[int, int, str, str] | None = None
    for order, (name, arr, nan_is_bad) in enumerate(arrays):
        arr = np.asarray(arr, dtype=float)
        if arr.ndim < 2:
            continue
        bad = ~np.isfinite(arr) if nan_is_bad else np.isinf(arr)
        if not bad.any():
            continue
        t, k = (int(i) for i in np.argwhere(bad)[0][:2])
        year = base + t + (1 if arr.shape[0] == T else 0)  # flows (T) end in year t+1; stocks start at base
        k = min(k, len(projection.zone_codes) - 1)
        if best is None or (year, order) < best[:2]:
            best = (year, order, name, projection.zone_codes[k])
    return None if best is None else (best[0], best[3], best[2])


def run_workbook(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    language: str | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Read a planner's workbook, project, and write a NEW workbook with inputs and results.

    The output path is checked before any work (:func:`~regbef_excel.files.check_output_path`),
    the input goes through :func:`read_input`, and nothing is written unless every number of
    the projection is finite.
    """
    input_path = Path(input_path)
    output_path = check_output_path(output_path, input_path, language=language or "nb")
    seconds: dict[str, float] = {}
    sha_before = input_sha256(input_path)
    t0 = time.perf_counter()
    _tell(progress, "reading workbook", 0.0)
    inputs, meta = read_input(input_path)
    seconds["read"] = time.perf_counter() - t0
    lang = language or getattr(meta, "language", None) or "nb"
    record_warnings = check_estimation_record(meta, meta.language)  # refuses a stale estimate
    t0 = time.perf_counter()
    try:
        projection = project_checked(
            inputs, progress=(lambda t, T: _tell(progress, f"projecting {inputs.base_year + t}", 0.1 + 0.5 * t / T))
        )
    except InputError as exc:  # the engine names input fields; say where they are in this workbook
        raise in_workbook(exc, meta) from None
    projection.warnings[:0] = [*meta.read_notes, *record_warnings]  # accepted but not used
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
    return RunOutcome(projection, output_path, sha_before, seconds, list(projection.warnings), lang)


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
    return RunOutcome(projection, Path(output_path), None, seconds, list(projection.warnings), language)


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
    """Every problem :func:`read_input` would refuse the workbook for (same checks, same
    messages), and parameters estimated from another period or history than the workbook holds
    (what ``run`` refuses too); an empty list when it is ready to run."""
    return validate_report(input_path)[0]


def validate_report(input_path: str | os.PathLike) -> tuple[list[InputError], str]:
    """:func:`validate_file`'s problems and the workbook's language (``'nb'`` when unknown)."""
    try:
        check_xlsx_package(input_path)
        _inputs, meta = read_workbook(input_path)
        check_estimation_record(meta, meta.language)  # parameters from another period: refused
        return [], meta.language
    except InputError as exc:
        problems = list(exc.errors) if isinstance(exc, InputErrors) else [exc]
        return problems, getattr(problems[0], "language", None) or "nb"
    except Exception as exc:  # noqa: BLE001 - a damaged file the reader did not classify
        return [unreadable(input_path, exc)], "nb"


def _tell(progress: Progress | None, what: str, fraction: float) -> None:
    if progress is not None:
        progress(what, fraction)


# ----------------------------------------------------------------------------- regression → targets


