"""Ready-to-fill REGBEF workbooks for Norwegian municipalities and counties.

``regbef-excel templates --county 40 --out DIR`` writes one macro-free ``.xlsx`` per
municipality (or, with ``per="region"``, one per county with its municipalities as zones), each
with

* the real SSB base population on 31 Dec of the base year (SSB 07459, 1 January base + 1);
* default rates: national HMD/HFD schedules (:func:`regbef_excel.data.inputs.national_rates`) with
  level factors and Rogers–Castro schedules estimated from the history of the municipality's
  **county**, generated as one region (Telemark with the default years: exactly the ``demo``;
  other counties from SSB stocks by the residual method,
  :func:`regbef_excel.evaluation.backtest.history_from_stocks`), over the last
  ``estimation_years`` flow years up to the base year (default 10: 2016–2025);
* the **county context**: flows with the other municipalities of the county as the county
  projection gives them year by year, in EUF and EIFN (:mod:`regbef_excel.app.county_context`),
  said on the cover; the template run unchanged reproduces the municipality in the county
  projection (within 0.2 % every year for Telemark and Agder);
* the municipality's own history on the Historikk sheet and the record of what the parameters
  were estimated from (``regbef-excel estimate`` re-fits them, ``run`` refuses a stale record);
* the municipality's code and name on the cover (``region_name``, e.g. ``"4001 Porsgrunn"``),
  in the document title/subject and in custom document properties (``REGBEF_region_codes`` …);
* the empty target table (``tblTargets``), present with its data validation; for Telemark
  with the default years (the demo's generation) the demo's dwellings (SSB), building programme,
  labour supply and distances of the municipality, for other counties every market-model table
  empty;
* the checks sheet and master check, a ``regbef.conf`` sheet for the REGBEF add-in, and
  instructions on the cover, including the command-line path for municipalities whose IT blocks
  macros (``regbef-excel run FILE.xlsx -o RESULT.xlsx``).

Decisions
---------
* **Cut from the county.** Generating a municipality alone treats its moves to and from the
  rest of the county as external, with its own level factors: its template contradicted the
  county projection (Notodden 2050 +7.4 %). Each county of the selection is generated and
  projected once (~2 s) and every municipality's template is cut from it.
* **Per region** (``per="region"``) generates each county as its own region (internal
  migration between its municipalities, default flow split of
  :func:`regbef_excel.evaluation.backtest.history_from_arrays`).
* **Nothing half-written.** Every code is checked before any work; the workbooks are written
  into a hidden staging folder beside/inside ``out_dir`` and moved into place only when all
  succeeded; on any failure the staging folder is removed.
* **Speed.** Each workbook is planned (table rows, ~5 ms) and written with XlsxWriter
  (~0.1 s on a quiet machine: cells, data validation, 43 tables, XML and zip), by a pool of
  ``jobs`` processes (default: up to 2 when there are 8 or more workbooks). No openpyxl
  internals and no reuse of one file's XML in another: every workbook is written whole.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import re
import shutil
import tempfile
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from regbef_excel import data
from regbef_excel.app.county_context import CONTEXT_PARAMS, county_run, municipal_inputs
from regbef_excel.app.estimation_record import EstimationRecord, history_fingerprint, with_record
from regbef_excel.app.projection import meta_from_generation
from regbef_excel.data import DEFAULT_BASE_YEAR, DEFAULT_ESTIMATION_YEARS, DEFAULT_HORIZON
from regbef_excel.data.inputs import national_rates
from regbef_excel.engine.generation import generate
from regbef_excel.errors import InputError, Location
from regbef_excel.evaluation.backtest import (
    FIRST_STOCK_YEAR,
    LAST_STOCK_YEAR,
    history_from_stocks,
)
from regbef_excel.io.write.template import build_workbook
from regbef_excel.schema.base import check_language
from regbef_excel.schema.cover import COVER_TEXT, templates_dir
from regbef_excel.schema.meta import RCFitQuality

MIN_ESTIMATION_YEARS = 3
MAX_HORIZON = 2100
PER_CHOICES = ("municipality", "region")
#: Below this many workbooks a process pool costs more than it saves.
POOL_THRESHOLD = 8

Progress = Callable[[str, float], None]

_TRANSLIT = str.maketrans({
    "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A", "ŋ": "n", "Ŋ": "N",
    "đ": "d", "Đ": "D", "ŧ": "t", "Ŧ": "T", "ß": "ss",
})  # fmt: skip


# ----------------------------------------------------------------------------------------------
# selection and names
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateSpec:
    """One workbook to write.

    Attributes
    ----------
    codes
        Municipality codes (zones), 4 digits.
    region_name
        Shown on the cover and in the document properties, e.g. ``"4001 Porsgrunn"``.
    file_name
        File name inside the output folder, e.g. ``"4001-Porsgrunn.xlsx"``.
    kind
        ``"municipality"`` or ``"region"``.
    county_code, county_name
        The county the zones belong to.
    """

    codes: tuple[str, ...]
    region_name: str
    file_name: str
    kind: str
    county_code: str
    county_name: str


@dataclass
class TemplatesResult:
    """What :func:`write_templates` wrote and how long it took.

    ``seconds``: ``generate`` (history + generation + metadata), ``build`` and ``save`` (summed
    over the workbooks, i.e. CPU time in the workers), ``write`` (wall time of build + save with
    the pool), ``total`` (wall time).
    """

    out_dir: Path
    paths: list[Path]
    specs: list[TemplateSpec]
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    jobs: int = 1


def safe_file_stem(text: str) -> str:
    """An ASCII file-name stem: ``"Herøy (Nordland)"`` → ``"Heroy-Nordland"``.

    Norwegian and Sámi letters are transliterated (æ → ae, ø → o, å → a, ŋ → n, …), other
    accents dropped, every run of other characters becomes one ``-``.
    """
    s = unicodedata.normalize("NFKD", str(text).translate(_TRANSLIT))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[^A-Za-z0-9]+", "-", s.encode("ascii", "ignore").decode("ascii"))
    return s.strip("-") or "region"


def _split_arg(values: str | int | Iterable[str | int] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, (str, int, np.integer)):
        values = [values]
    out: list[str] = []
    for v in values:
        out += [p.strip() for p in str(v).replace(";", ",").split(",") if p.strip()]
    return out


def resolve_codes(
    *,
    county: str | int | Iterable[str | int] | None = None,
    codes: str | int | Iterable[str | int] | None = None,
    all_municipalities: bool = False,
) -> list[str]:
    """Municipality codes selected by county code(s), municipality codes or all of Norway.

    Exactly one selection must be given. Codes may be comma-separated; leading zeros may be
    left out (``301`` = ``0301``). The result keeps the given order, without duplicates
    (counties: sorted by code).

    Raises
    ------
    InputError
        No or several selections, or an unknown county or municipality code (named).
    """
    counties, munis = _split_arg(county), _split_arg(codes)
    given = sum((bool(counties), bool(munis), bool(all_municipalities)))
    if given != 1:
        raise InputError("choose exactly one of --county, --codes and --all")
    if all_municipalities:
        return data.municipality_codes()
    known_counties = data.county_codes()
    if counties:
        out: list[str] = []
        for c in counties:
            cc = c.zfill(2) if c.isdigit() else c
            if cc not in known_counties:
                raise InputError(
                    "--county: unknown county code",
                    found=c,
                    expected="a county code on 2024 borders: " + ", ".join(known_counties),
                )
            out += data.municipality_codes(cc)
        return list(dict.fromkeys(out))
    known = set(data.municipality_codes())
    out = []
    for c in munis:
        mc = c.zfill(4) if c.isdigit() else c
        if mc not in known:
            raise InputError(
                "--codes: unknown municipality code",
                found=c,
                expected="4-digit municipality codes on 2024 borders, e.g. 4001 (Porsgrunn) or "
                "0301 (Oslo)",
            )
        out.append(mc)
    return list(dict.fromkeys(out))


def plan_templates(codes: Sequence[str], per: str = "municipality") -> list[TemplateSpec]:
    """The workbooks to write for ``codes``: one per municipality, or one per county.

    With ``per="region"`` the selected municipalities of each county form one workbook
    (``"40-Telemark.xlsx"``); a county only partly selected is named ``"… (utvalg)"``.
    """
    if per not in PER_CHOICES:
        raise InputError("unknown --per value", location=Location(column="--per"), found=per,
                         expected=" or ".join(PER_CHOICES))  # fmt: skip
    m = data.municipalities().set_index("municip_code")
    if per == "municipality":
        return [
            TemplateSpec(
                codes=(c,),
                region_name=f"{c} {m.loc[c, 'name']}",
                file_name=f"{c}-{safe_file_stem(m.loc[c, 'name'])}.xlsx",
                kind="municipality",
                county_code=str(m.loc[c, "county_code"]),
                county_name=str(m.loc[c, "county_name"]),
            )
            for c in codes
        ]
    specs = []
    by_county: dict[str, list[str]] = {}
    for c in codes:
        by_county.setdefault(str(m.loc[c, "county_code"]), []).append(c)
    for cc in sorted(by_county):
        members = tuple(by_county[cc])
        cname = str(m.loc[members[0], "county_name"])
        complete = set(members) == set(data.municipality_codes(cc))
        name = f"{cc} {cname}" + ("" if complete else " (utvalg)")
        stem = f"{cc}-{safe_file_stem(cname)}" + ("" if complete else "-utvalg")
        specs.append(TemplateSpec(members, name, f"{stem}.xlsx", "region", cc, cname))
    return specs


def _check_years(base_year: int, horizon: int, estimation_years: int) -> None:
    if not MIN_ESTIMATION_YEARS <= estimation_years <= LAST_STOCK_YEAR - FIRST_STOCK_YEAR:
        raise InputError(
            "estimation period out of range", location=Location(column="--estimation-years"),
            found=estimation_years,
            expected=f"{MIN_ESTIMATION_YEARS}–{LAST_STOCK_YEAR - FIRST_STOCK_YEAR} years",
        )  # fmt: skip
    lo = FIRST_STOCK_YEAR + estimation_years
    if not lo <= base_year <= LAST_STOCK_YEAR:
        raise InputError(
            "base year out of range", location=Location(column="--base-year"), found=base_year,
            expected=f"{lo}–{LAST_STOCK_YEAR} (the shipped SSB stocks are 31 Dec "
            f"{FIRST_STOCK_YEAR}–{LAST_STOCK_YEAR}; {estimation_years} estimation years)",
        )  # fmt: skip
    if not base_year < horizon <= MAX_HORIZON:
        raise InputError("horizon out of range", location=Location(column="--horizon"),
                         found=horizon, expected=f"{base_year + 1}–{MAX_HORIZON}")  # fmt: skip


# ----------------------------------------------------------------------------------------------
# generation
# ----------------------------------------------------------------------------------------------
def _zone_warnings(report, code: str) -> list[str]:  # noqa: ANN001 - GenerationReport
    """The generation warnings that name zone ``code``."""
    tag = f"zone {code} "
    return [w for w in report.warnings if tag in w]


CONTEXT_NOTE = {
    "nb": "fylkessammenheng: EUF inkluderer utflytting til de andre kommunene i {county}, EIFN "
    "innflytting fra dem slik fylkesframskrivingen gir den år for år",
    "en": "county context: EUF includes out-migration to the other municipalities of {county}, "
    "EIFN in-migration from them as the county projection gives it year by year",
}


def generate_municipalities(
    specs: Sequence[TemplateSpec],
    national,  # noqa: ANN001 - NationalRates
    *,
    base_year: int = DEFAULT_BASE_YEAR,
    horizon: int = DEFAULT_HORIZON,
    estimation_years: int = DEFAULT_ESTIMATION_YEARS,
    language: str = "nb",
) -> list[tuple]:
    """``(inputs, meta)`` of one-municipality templates cut from their county's generation.

    Each county of the selection is generated and projected once
    (:func:`regbef_excel.app.county_context.county_run`); a municipality's template keeps the
    county's parameters and carries the county context (flows with the other municipalities as
    the county run projects them), so the template run unchanged reproduces the municipality in
    the county projection (:mod:`regbef_excel.app.county_context`). The template holds the
    municipality's own history (Historikk sheet) and the record of its estimation.

    Returns
    -------
    list of (ProjectionInputs, WorkbookMeta)
        In the order of ``specs``.
    """
    out = []
    metas: dict[str, object] = {}
    for spec in specs:
        code = spec.codes[0]
        run = county_run(spec.county_code, base_year=base_year, horizon=horizon,
                         estimation_years=estimation_years)  # fmt: skip
        if spec.county_code not in metas:
            metas[spec.county_code] = meta_from_generation(
                run.inputs, run.report, run.history, national, language=language, include_history=True
            )
        meta_all = metas[spec.county_code]
        inputs = municipal_inputs(run, code)
        note = CONTEXT_NOTE[language].format(county=f"{run.county_code} {run.county_name}")
        comments = {key: dict(v) for key, v in meta_all.comments.items()}
        est = meta_all.comments.get("tblZoneFactors", {}).get((code,), "")
        comments["tblZoneFactors"] = {(code,): f"{est}; {note}" if est else note}
        comments["tblYearFactors"] = {key: f"{v}; EIFN_R: {note}" for key, v in comments.get("tblYearFactors", {}).items()}
        quality = {key: q for key, q in meta_all.fit_quality.items() if key[1] == code}
        if code in run.in_profiles:
            sse = run.in_profiles[code][1]
            for s, sex in enumerate(("M", "F")):
                quality[("EIFN", code, sex)] = RCFitQuality(n_params=CONTEXT_PARAMS, sse=float(sse[s]),
                                                            converged=True)  # fmt: skip
        history = {key: (df[df["zone_code"] == code].reset_index(drop=True) if df is not None else None)
                   for key, df in meta_all.history.items()}  # fmt: skip
        meta = replace(
            meta_all,
            region_name=spec.region_name,
            notes=(*_zone_warnings(run.report, code), note),
            comments=comments,
            fit_quality=quality,
            history=history,
        )
        record = EstimationRecord(int(meta.estimation_start), int(meta.estimation_end), history_fingerprint(history))
        out.append((inputs, with_record(meta, record, language)))
    return out


def generate_region(
    spec: TemplateSpec,
    national,  # noqa: ANN001 - NationalRates
    *,
    base_year: int = DEFAULT_BASE_YEAR,
    horizon: int = DEFAULT_HORIZON,
    estimation_years: int = DEFAULT_ESTIMATION_YEARS,
    language: str = "nb",
) -> tuple:
    """``(inputs, meta)`` of a region template: the spec's municipalities as zones."""
    first = base_year - estimation_years + 1
    history = history_from_stocks(list(spec.codes), first, base_year, national)
    history = replace(history, region_name=spec.region_name)
    inputs, report = generate(history, national, base_year=base_year, horizon=horizon)
    return inputs, meta_from_generation(inputs, report, history, national, language=language)


# ----------------------------------------------------------------------------------------------
# the workbook
# ----------------------------------------------------------------------------------------------






def cover_sections(spec: TemplateSpec, meta, language: str, base_year: int) -> list:  # noqa: ANN001
    """The template's instructions for the cover: ``[(heading, lines)]``, from the text
    sources in ``templates/cover.<language>.toml`` (section ``municipality``); a municipal
    template cut from its county says so (``county_context``)."""
    t = COVER_TEXT[language]["municipality"]
    fill = {
        "what": spec.region_name, "base_year": base_year, "next_year": base_year + 1,
        "first_year": meta.estimation_start, "last_year": meta.estimation_end,
        "file": spec.file_name, "result": Path(spec.file_name).stem + t["result_suffix"],
        "whose": t["whose_municipality"] if spec.kind == "municipality" else t["whose_region"],
        "county": f"{spec.county_code} {spec.county_name}",
    }  # fmt: skip
    lines = [line.format(**fill) for line in t["lines"]]
    if spec.kind == "municipality":
        lines.insert(1, t["county_context"].format(**fill))
    return [(t["heading"].format(**fill), lines)]


def build_template(
    inputs,  # noqa: ANN001 - ProjectionInputs
    meta,  # noqa: ANN001 - WorkbookMeta
    spec: TemplateSpec,
    *,
    language: str = "nb",
    base_year: int = DEFAULT_BASE_YEAR,
):  # noqa: ANN201 - InputWorkbook
    """The template workbook of ``spec`` (not yet written): the REGBEF workbook of ``inputs``
    with the template's cover instructions, document properties and ``regbef.conf`` sheet."""
    wb = build_workbook(inputs, language=language, meta=meta,
                        cover_sections=cover_sections(spec, meta, language, base_year))  # fmt: skip
    wb.add_conf_sheet()
    wb.add_properties(
        category="REGBEF-mal" if language != "en" else "REGBEF template",
        keywords=f"{spec.region_name}; " + ", ".join(spec.codes),
        custom=(
            ("REGBEF_region_name", spec.region_name),
            ("REGBEF_region_codes", ",".join(spec.codes)),
            ("REGBEF_template_kind", spec.kind),
            ("REGBEF_county", f"{spec.county_code} {spec.county_name}"),
            ("REGBEF_base_year", str(base_year)),
            ("REGBEF_estimation_period", f"{meta.estimation_start}-{meta.estimation_end}"),
        ),
    )
    return wb


def _build_and_save(task: tuple) -> tuple[str, float, float]:
    """Worker: plan one template and write it (XlsxWriter) into the staging folder."""
    inputs, meta, spec, language, base_year, folder = task
    path = Path(folder) / spec.file_name
    t0 = time.perf_counter()
    wb = build_template(inputs, meta, spec, language=language, base_year=base_year)
    t1 = time.perf_counter()
    wb.save(path)
    t2 = time.perf_counter()
    return str(path), t1 - t0, t2 - t1


def _worker_init() -> None:
    """Pool worker: move the inherited objects out of the collector's way."""
    gc.freeze()


def _pool_context():  # noqa: ANN202

    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()


# ----------------------------------------------------------------------------------------------
# the action
# ----------------------------------------------------------------------------------------------
def write_templates(
    out_dir: str | os.PathLike[str],
    *,
    county: str | int | Iterable[str | int] | None = None,
    codes: str | int | Iterable[str | int] | None = None,
    all_municipalities: bool = False,
    per: str = "municipality",
    language: str = "nb",
    base_year: int = DEFAULT_BASE_YEAR,
    horizon: int = DEFAULT_HORIZON,
    estimation_years: int = DEFAULT_ESTIMATION_YEARS,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> TemplatesResult:
    """Write ready-to-fill templates for municipalities or counties into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing). Existing files of the same names are
        replaced; other files are left alone.
    county, codes, all_municipalities
        The selection (exactly one): county code(s), municipality code(s) (comma-separated
        strings or lists), or all 357 municipalities.
    per
        ``"municipality"`` (one workbook per municipality, default) or ``"region"`` (one per
        county, its selected municipalities as zones).
    language
        ``"nb"`` or ``"en"``.
    base_year
        Year of the base population (31 Dec; SSB 1 January of the next year). Default 2025.
    horizon
        Last projection year. Default 2050.
    estimation_years
        Flow years of the estimation period, ending with the base year. Default 10.
    jobs
        Worker processes for building and saving; default 2 (or the CPU count if lower) when
        there are at least 8 workbooks, else 1.
    progress
        ``progress(what, fraction)`` callback.

    Returns
    -------
    TemplatesResult

    Raises
    ------
    InputError
        Unknown county/municipality code, bad years or ``per``; raised before anything is
        written.
    """
    t_start = time.perf_counter()
    language = check_language(language)
    selected = resolve_codes(county=county, codes=codes, all_municipalities=all_municipalities)
    _check_years(int(base_year), int(horizon), int(estimation_years))
    specs = plan_templates(selected, per)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("the output path exists and is not a folder",
                         location=Location(cell=str(out)))  # fmt: skip
    tell = progress or (lambda what, fraction: None)

    # --- generation (one batch for municipalities; one per county for regions) --------------
    tell("generating inputs from history", 0.0)
    t0 = time.perf_counter()
    national = national_rates()
    kw = dict(base_year=base_year, horizon=horizon, estimation_years=estimation_years,
              language=language)  # fmt: skip
    if per == "municipality":
        pieces = generate_municipalities(specs, national, **kw)
    else:
        pieces = [generate_region(s, national, **kw) for s in specs]
    t_gen = time.perf_counter() - t0
    context = CONTEXT_NOTE[language].split(":", 1)[0] + ":"  # on every cover: a note, not a warning
    warnings = [f"{s.region_name}: {n}"
                for s, (_, m) in zip(specs, pieces, strict=True) for n in m.notes if not n.startswith(context)]  # fmt: skip

    # --- build and save into a staging folder, then move into place -------------------------
    created_out = not out.exists()
    parent = out.parent if created_out else out
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=parent))
    n = len(specs)
    if jobs is None:
        jobs = min(2, os.cpu_count() or 1) if n >= POOL_THRESHOLD else 1
    jobs = max(1, min(int(jobs), n))
    tasks = [(inp, meta, s, language, base_year, str(stage))
             for s, (inp, meta) in zip(specs, pieces, strict=True)]  # fmt: skip
    t_build = t_save = 0.0
    t1 = time.perf_counter()
    try:
        if jobs == 1:
            results = []
            for i, task in enumerate(tasks):
                results.append(_build_and_save(task))
                tell(f"writing {specs[i].file_name}", 0.1 + 0.85 * (i + 1) / n)
        else:
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=_pool_context(), initializer=_worker_init
            ) as pool:
                results = []
                chunk = max(1, min(16, n // (4 * jobs)))
                for i, res in enumerate(pool.map(_build_and_save, tasks, chunksize=chunk)):
                    results.append(res)
                    tell(f"writing {specs[i].file_name}", 0.1 + 0.85 * (i + 1) / n)
        for _, b, s in results:
            t_build += b
            t_save += s
        t_write = time.perf_counter() - t1
        if created_out:
            os.replace(stage, out)
        else:
            for s in specs:
                os.replace(stage / s.file_name, out / s.file_name)
            stage.rmdir()
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if created_out:
        _fix_permissions(out)
    tell("done", 1.0)
    seconds = {"generate": t_gen, "build": t_build, "save": t_save, "write": t_write,
               "total": time.perf_counter() - t_start}  # fmt: skip
    paths = [out / s.file_name for s in specs]
    return TemplatesResult(out, paths, list(specs), seconds, warnings, jobs)


@dataclass(frozen=True)
class PublishedSet:
    """One set of templates published for distribution (``templates/published.toml``)."""

    folder: str
    select: str
    per: str
    language: str


def published_sets(manifest: str | os.PathLike[str] | None = None) -> list[PublishedSet]:
    """The sets listed in ``templates/published.toml`` (or ``manifest``)."""
    path = Path(manifest) if manifest is not None else templates_dir() / "published.toml"
    with open(path, "rb") as f:
        sets = tomllib.load(f).get("set", [])
    out = []
    for i, entry in enumerate(sets, start=1):
        try:
            item = PublishedSet(**{k: str(entry[k]) for k in ("folder", "select", "per", "language")})
        except KeyError as exc:
            raise InputError("a published template set lacks a key", location=Location(cell=f"{path} set {i}"),
                             found=sorted(entry), expected="folder, select, per, language") from exc  # fmt: skip
        out.append(item)
    return out


def write_published(
    out_dir: str | os.PathLike[str],
    *,
    manifest: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> list[TemplatesResult]:
    """Write every published template set (:func:`published_sets`) into ``out_dir/<folder>``."""
    results = []
    for item in published_sets(manifest):
        every = item.select == "all"
        results.append(write_templates(
            Path(out_dir) / item.folder, all_municipalities=every,
            county=None if every else item.select, per=item.per, language=item.language,
            jobs=jobs, progress=progress,
        ))  # fmt: skip
    return results


def _fix_permissions(out: Path) -> None:
    """mkdtemp makes a 0700 folder: give the folder we created the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(out, 0o777 & ~umask)
    except OSError:  # pragma: no cover - permissions are best effort
        pass


__all__ = [
    "DEFAULT_BASE_YEAR", "DEFAULT_ESTIMATION_YEARS", "DEFAULT_HORIZON", "TemplateSpec",
    "PublishedSet", "TemplatesResult", "build_template", "cover_sections", "published_sets",
    "write_published",
    "generate_municipalities", "generate_region", "plan_templates", "resolve_codes",
    "safe_file_stem", "write_templates",
]  # fmt: skip
