"""Ready-to-fill REGBEF workbooks for Norwegian municipalities and counties (issue 5, item 4).

``regbef-excel templates --county 40 --out DIR`` writes one macro-free ``.xlsx`` per
municipality (or, with ``per="region"``, one per county with its municipalities as zones), each
with

* the real SSB base population on 31 Dec of the base year (SSB 07459, 1 January base + 1);
* default rates: national HMD/HFD schedules (:func:`regbef_excel.data.inputs.national_rates`) with
  level factors and Rogers–Castro schedules estimated from the municipality's **own** history,
  reconstructed from its stocks by the residual method
  (:func:`regbef_excel.evaluation.backtest.history_from_stocks`), over the last ``estimation_years`` flow
  years up to the base year (default 10: 2016–2025 for base year 2025, as the Telemark demo);
* the municipality's code and name on the cover (``region_name``, e.g. ``"4001 Porsgrunn"``),
  in the document title/subject and in custom document properties (``REGBEF_region_codes`` …);
* the empty target (``tblTargets``) and building-programme (``tblBuilding``) tables, present
  with their data validation, and every other issue-3 table empty;
* the checks sheet and master check, an ``xlwings.conf`` sheet for the REGBEF add-in, and
  instructions on the cover, including the command-line path for municipalities whose IT blocks
  macros (``regbef-excel run FILE.xlsx -o RESULT.xlsx``).

Decisions
---------
* **One batched generation.** A one-municipality region has no internal migration, so
  generating all selected municipalities as one set of zones with the internal shares set to 0
  gives, zone by zone, what generating each alone gives (ROGEST fits every schedule
  independently; fertility, mortality and in-migration estimates are per zone). Only the
  rate-flow level factors are split region × zone by :func:`~regbef_excel.engine.generation.
  generate`; their product is the zone's own factor and is stored as the region factor of the
  one-zone workbook (zone factor 1). A zone whose zone factor was clipped is generated alone
  instead. ``tests/test_templates.py`` checks the equivalence. One municipality alone takes
  ~0.3 s (ROGEST); all 357 batched ~1.5 s. One visible difference: the SSE shown for the
  out-migration fits (EUF/IUF, grey, not read) is on the batch's weight scale (exposures
  divided by the largest in the batch), so it depends on which municipalities were generated
  together; the fitted parameters do not (relative tolerances, ~1e-12).
* **Per region** (``per="region"``) generates each county as its own region (internal
  migration between its municipalities, default flow split of
  :func:`regbef_excel.evaluation.backtest.history_from_arrays`).
* **Nothing half-written.** Every code is checked before any work; the workbooks are written
  into a hidden staging folder beside/inside ``out_dir`` and moved into place only when all
  succeeded; on any failure the staging folder is removed.
* **Speed.** openpyxl's building and saving dominate (~0.19 s per one-zone workbook done
  plainly). Three measures bring that to ~0.11 s: (1) every process builds its first template
  completely and later ones without the municipality-independent sheets
  (:data:`CACHEABLE_SHEETS`: national schedules, empty issue-3 tables, lists, and
  ``xlwings.conf``), which it inserts from the first (style tables merged, style references
  renumbered); (2) :func:`save_fast` writes those sheets' XML once per process and reuses it
  (shared strings and cell styles seeded so every index means the same), keeps sheet XML in
  memory and deflates at level 1; (3) the garbage collector is paused while a workbook is made.
  A pool of ``jobs`` processes (default: up to 2 when there are 8 or more workbooks) builds and
  saves in parallel. Reused and freshly built workbooks are compared cell by cell in
  ``tests/test_templates.py``.
"""

from __future__ import annotations

import copy
import gc
import io
import os
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from regbef_excel.errors import InputError, Location

#: Defaults: population on 31 Dec 2025 (SSB 1 January 2026), projection to 2050.
DEFAULT_BASE_YEAR = 2025
DEFAULT_HORIZON = 2050
#: Flow years of the estimation period (base_year − n + 1 .. base_year).
DEFAULT_ESTIMATION_YEARS = 10
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
    from regbef_excel import data

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
    from regbef_excel import data

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
    from regbef_excel.evaluation.backtest import FIRST_STOCK_YEAR, LAST_STOCK_YEAR

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
def _single_zone_shares() -> dict[str, float]:
    """The flow split of a one-zone region: no internal moves, the default abroad shares."""
    from regbef_excel.evaluation.backtest import telemark_split_shares

    sh = dict(telemark_split_shares())
    sh["internal_out"] = sh["internal_in"] = 0.0
    return sh


def _zone_history(history, k: int, region_name: str):  # noqa: ANN001, ANN202 - History
    """The one-zone :class:`History` of zone ``k``."""
    s = slice(k, k + 1)
    return replace(
        history,
        zone_codes=history.zone_codes[s],
        zone_names=history.zone_names[s],
        population={y: a[s] for y, a in history.population.items()},
        out_by_age=history.out_by_age[:, s],
        in_by_age=history.in_by_age[:, s],
        internal_out_share=history.internal_out_share[s],
        internal_in_share=history.internal_in_share[s],
        abroad_out_share=history.abroad_out_share[s],
        abroad_in_share=history.abroad_in_share[s],
        region_name=region_name,
    )


def _zone_report(report, k: int, code: str):  # noqa: ANN001, ANN202 - GenerationReport
    """The :class:`GenerationReport` of zone ``k``: its arrays and the warnings naming it.

    "No expected events" for internal out-migration (IUF) is dropped: a one-zone region has no
    internal migration by definition.
    """
    s = slice(k, k + 1)
    tag = f"zone {code} "
    warnings = [
        w for w in report.warnings
        if tag in w and not (w.startswith("IUF") and "no expected events" in w)
    ]  # fmt: skip
    return replace(
        report,
        fit_quality={f: {key: v[s] for key, v in q.items()} for f, q in report.fit_quality.items()},
        estimated_births=report.estimated_births[:, s],
        expected_births=report.expected_births[:, s],
        estimated_deaths=report.estimated_deaths[:, s],
        expected_deaths=report.expected_deaths[:, s],
        observed_rates={f: v[s] for f, v in report.observed_rates.items()},
        warnings=warnings,
    )


def _zone_inputs(inputs, k: int):  # noqa: ANN001, ANN202 - ProjectionInputs
    """The one-zone :class:`ProjectionInputs` of zone ``k`` of a batched generation.

    Rate-flow level factors: region × zone → the zone's own factor as region factor, zone
    factor 1. Immigration: the zone's share of the total as its total, share 1. Internal net
    migration 0 (generation with internal shares 0 gives 0 already).
    """
    s = slice(k, k + 1)
    T = inputs.n_years
    region = dict(inputs.migration_level_region)
    zone = {}
    for flow, lz in inputs.migration_level_zone.items():
        region[flow] = np.asarray(region.get(flow, np.ones(T)), float) * float(lz[k])
        zone[flow] = np.ones(1)
    return inputs.replace(
        zone_codes=inputs.zone_codes[s],
        zone_names=inputs.zone_names[s],
        population=inputs.population[s].copy(),
        fertility_level_zone=inputs.fertility_level_zone[s].copy(),
        mortality_level_zone=inputs.mortality_level_zone[s].copy(),
        rc_params={f: p[s].copy() for f, p in inputs.rc_params.items()},
        migration_level_region=region,
        migration_level_zone=zone,
        immigration_total=np.asarray(inputs.immigration_total, float)
        * float(inputs.immigration_share[k]),
        immigration_share=np.ones(1),
        domestic_inmigration=inputs.domestic_inmigration[s].copy(),
        internal_net_trend=np.zeros(1),
    ).validate()


def _clipped_zones(report, codes: Sequence[str]) -> set[str]:  # noqa: ANN001
    """Zones whose rate-flow zone level factor was clipped (their product is not their own)."""
    out = set()
    for w in report.warnings:
        if "zone level factor" in w and "clipped" in w:
            m = re.search(r"zone (\S+) estimate", w)
            if m and m.group(1) in codes:
                out.add(m.group(1))
    return out


def generate_municipalities(
    specs: Sequence[TemplateSpec],
    national,  # noqa: ANN001 - NationalRates
    *,
    base_year: int = DEFAULT_BASE_YEAR,
    horizon: int = DEFAULT_HORIZON,
    estimation_years: int = DEFAULT_ESTIMATION_YEARS,
    language: str = "nb",
) -> list[tuple]:
    """``(inputs, meta)`` of one-municipality templates, generated in one batch.

    Parameters
    ----------
    specs
        One-municipality specs (``kind == "municipality"``).
    national
        :class:`~regbef_excel.engine.generation.NationalRates`.
    base_year, horizon, estimation_years
        See :func:`write_templates`.
    language
        Language of the comments in the metadata.

    Returns
    -------
    list of (ProjectionInputs, WorkbookMeta)
        In the order of ``specs``.
    """
    from regbef_excel.app.projection import meta_from_generation
    from regbef_excel.engine.generation import generate
    from regbef_excel.evaluation.backtest import history_from_stocks

    codes = [s.codes[0] for s in specs]
    first = base_year - estimation_years + 1
    shares = _single_zone_shares()
    history = history_from_stocks(codes, first, base_year, national, shares=shares)
    inputs, report = generate(history, national, base_year=base_year, horizon=horizon)
    alone = _clipped_zones(report, codes)
    # one metadata object for the batch, split by zone (the sources are the same for all)
    meta_all = meta_from_generation(inputs, report, history, national, language=language)
    quality: dict[str, dict] = {}
    for key, q in meta_all.fit_quality.items():
        quality.setdefault(key[1], {})[key] = q
    zone_comments = meta_all.comments.get("tblZoneFactors", {})
    out = []
    for k, spec in enumerate(specs):
        code = codes[k]
        if code in alone:  # rare: regenerate as its own region (exact single-zone factors)
            h = history_from_stocks([code], first, base_year, national, shares=shares)
            h = replace(h, region_name=spec.region_name)
            inp, rep = generate(h, national, base_year=base_year, horizon=horizon)
            rep = _zone_report(rep, 0, code)
            out.append((inp, meta_from_generation(inp, rep, h, national, language=language)))
            continue
        comments = dict(meta_all.comments)
        comments["tblZoneFactors"] = {kk: v for kk, v in zone_comments.items() if kk == (code,)}
        meta = replace(
            meta_all,
            region_name=spec.region_name,
            notes=tuple(_zone_report(report, k, code).warnings),
            comments=comments,
            fit_quality=quality.get(code, {}),
        )
        out.append((_zone_inputs(inputs, k), meta))
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
    from regbef_excel.app.projection import meta_from_generation
    from regbef_excel.engine.generation import generate
    from regbef_excel.evaluation.backtest import history_from_stocks

    first = base_year - estimation_years + 1
    history = history_from_stocks(list(spec.codes), first, base_year, national)
    history = replace(history, region_name=spec.region_name)
    inputs, report = generate(history, national, base_year=base_year, horizon=horizon)
    return inputs, meta_from_generation(inputs, report, history, national, language=language)


# ----------------------------------------------------------------------------------------------
# the workbook
# ----------------------------------------------------------------------------------------------
def conf_rows() -> tuple[tuple[str, str], ...]:
    """``xlwings.conf`` rows of a template: the add-in's settings plus ``UDF Modules``.

    Interpreter keys are NOT written: an empty value would override the user's
    ``~/.xlwings/xlwings.conf``; they are shown as inactive examples beside the table.
    """
    from regbef_excel.addin.build import CONF_ROWS, UDF_MODULE

    rows = dict(CONF_ROWS)
    rows.setdefault("UDF Modules", UDF_MODULE)
    return tuple(rows.items())


_CONF_NOTES = {
    "nb": (
        "xlwings-innstillinger for REGBEF-tillegget: nøkkel i kolonne A, verdi i kolonne B, "
        "ingen tomme rader (xlwings leser til første tomme celle i kolonne A).",
        "Excel finner som regel Python selv. Hvis ikke: legg til en rad under tabellen til "
        "venstre med en av nøklene nedenfor og din egen sti. Ikke la en nøkkel stå med tom verdi.",
        "Finn stien med «where pythonw» (Windows) eller «which python3» (macOS). "
        "Se docs/brukerveiledning.md del 2.",
    ),
    "en": (
        "xlwings settings for the REGBEF add-in: key in column A, value in column B, no blank "
        "rows (xlwings reads down to the first empty cell of column A).",
        "Excel usually finds Python by itself. If not: add a row below the table on the left "
        "with one of the keys below and your own path. Never leave a key with an empty value.",
        "Find the path with “where pythonw” (Windows) or “which python3” (macOS). "
        "See docs/excel-setup.md.",
    ),
}
_CONF_EXAMPLES = (
    ("Interpreter_Win", r"C:\Users\<me>\AppData\Local\Programs\Python\Python312\pythonw.exe"),
    ("Interpreter_Mac", "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3"),
    ("PYTHONPATH", r"C:\regbef\extra-modules"),
    ("Conda Path", r"C:\Users\<me>\miniconda3"),
    ("Conda Env", "regbef"),
)


def add_xlwings_conf(wb, language: str = "nb") -> None:  # noqa: ANN001 - openpyxl Workbook
    """Append the ``xlwings.conf`` sheet: active keys in A/B, notes and examples from D."""
    from openpyxl.styles import Font

    from regbef_excel.io.write import styles
    ws = wb.create_sheet("xlwings.conf")
    for r, (k, v) in enumerate(conf_rows(), start=1):
        ws.cell(row=r, column=1, value=k)
        ws.cell(row=r, column=2, value=v)
    grey = Font(italic=True, color="595959")
    notes = _CONF_NOTES["en" if language == "en" else "nb"]
    for i, text in enumerate(notes, start=1):
        ws.cell(row=i, column=4, value=text).font = grey
    r0 = len(notes) + 2
    en = language == "en"
    head = ("Examples (inactive)", "Value") if en else ("Eksempler (inaktive)", "Verdi")
    ws.cell(row=r0, column=4, value=head[0]).style = styles.HEADER
    ws.cell(row=r0, column=5, value=head[1]).style = styles.HEADER
    for i, (k, v) in enumerate(_CONF_EXAMPLES, start=r0 + 1):
        ws.cell(row=i, column=4, value=k).font = grey
        ws.cell(row=i, column=5, value=v).font = grey
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 3
    ws.column_dimensions["D"].width = 22
    ws.column_dimensions["E"].width = 70


def cover_sections(spec: TemplateSpec, meta, language: str, base_year: int) -> list:  # noqa: ANN001
    """The template's instructions for the cover: ``[(heading, lines)]``."""
    y0, y1 = meta.estimation_start, meta.estimation_end
    f = spec.file_name
    res = Path(f).stem + ("-resultat.xlsx" if language != "en" else "-result.xlsx")
    what = spec.region_name
    if language == "en":
        head = f"This template: {what}"
        items = [
            f"Made for {what}: SSB population on 31 Dec {base_year} (1 Jan {base_year + 1}); "
            "national HMD/HFD schedules with level factors and migration schedules estimated "
            f"from the {'municipality' if spec.kind == 'municipality' else 'region'}'s own "
            f"history {y0}–{y1} (residual method). Review them before use.",
            "Optional: enter targets on the Targets sheet (and set the model variant to 2 in "
            "Settings) and a building programme on the Housing sheet. Empty tables = trend.",
            "With the REGBEF add-in (Windows/macOS): install it once (regbef-excel addin "
            "install), open this file, REGBEF tab → “Run projection”. This file has no macros; "
            "the xlwings.conf sheet tells Excel which Python to use.",
            "Macros blocked by your IT? Use the command line instead (no Excel needed): "
            f"regbef-excel run {f} -o {res}  (results go to a new file; this one is never "
            "changed).",
            f"Check first: Checks sheet (master check = 0) or regbef-excel validate {f}.",
            "Downloaded file? Right-click → Properties → Unblock (Mark of the Web), or keep it "
            "in a Trusted Location.",
        ]
    else:
        head = f"Denne malen: {what}"
        hvem = "kommunens" if spec.kind == "municipality" else "regionens"
        items = [
            f"Laget for {what}: SSB-befolkningen 31.12.{base_year} (1.1.{base_year + 1}); "
            "nasjonale HMD/HFD-rater med nivåfaktorer og flyttekurver estimert fra "
            f"{hvem} egen historikk {y0}–{y1} (residualmetoden). Vurder dem før bruk.",
            "Valgfritt: legg inn mål på arket Mål (og sett modellvariant til 2 i Innstillinger) "
            "og et byggeprogram på arket Boliger. Tomme tabeller = trend.",
            "Med REGBEF-tillegget (Windows/macOS): installer det én gang (regbef-excel addin "
            "install), åpne denne fila, fanen REGBEF → «Kjør framskriving». Fila har ingen "
            "makroer; arket xlwings.conf sier hvilken Python Excel skal bruke.",
            "Blokkerer IT-avdelingen makroer? Bruk kommandolinja i stedet (uten Excel): "
            f"regbef-excel run {f} -o {res}  (resultatene skrives til en ny fil; denne endres "
            "aldri).",
            "Kontroller først: arket Kontroller (hovedkontroll = 0) eller "
            f"regbef-excel validate {f}.",
            "Lastet ned fila? Høyreklikk → Egenskaper → Fjern blokkering (Mark of the Web), eller "
            "legg den i en klarert plassering.",
        ]
    return [(head, items)]


def build_template(
    inputs,  # noqa: ANN001 - ProjectionInputs
    meta,  # noqa: ANN001 - WorkbookMeta
    spec: TemplateSpec,
    *,
    language: str = "nb",
    base_year: int = DEFAULT_BASE_YEAR,
    skip_sheets: Sequence[str] = (),
):  # noqa: ANN201 - openpyxl Workbook
    """The template workbook of ``spec`` (not saved): the REGBEF workbook of ``inputs`` with the
    template's cover instructions, document properties and ``xlwings.conf`` sheet.

    ``skip_sheets``: sheet keys (see :func:`regbef_excel.io.write.template.build_workbook`, plus
    ``'xlwings.conf'``) left out for the caller to insert.
    """
    from openpyxl.packaging.custom import StringProperty

    from regbef_excel.io.write.template import build_workbook

    wb = build_workbook(inputs, language=language, meta=meta, skip_sheets=skip_sheets,
                        cover_sections=cover_sections(spec, meta, language, base_year))  # fmt: skip
    if "xlwings.conf" not in skip_sheets:
        add_xlwings_conf(wb, language)
    props = wb.properties
    props.category = "REGBEF-mal" if language != "en" else "REGBEF template"
    props.keywords = f"{props.keywords}; {spec.region_name}; " + ", ".join(spec.codes)
    for name, value in (
        ("REGBEF_region_name", spec.region_name),
        ("REGBEF_region_codes", ",".join(spec.codes)),
        ("REGBEF_template_kind", spec.kind),
        ("REGBEF_county", f"{spec.county_code} {spec.county_name}"),
        ("REGBEF_base_year", str(base_year)),
        ("REGBEF_estimation_period", f"{meta.estimation_start}-{meta.estimation_end}"),
    ):
        wb.custom_doc_props.append(StringProperty(name=name, value=value))
    return wb


# ----------------------------------------------------------------------------------------------
# saving: reuse the XML of sheets that are the same in every template of a run
# ----------------------------------------------------------------------------------------------
#: Sheets whose content does not depend on the municipality in one-zone templates (national
#: schedules, empty issue-3 tables, lists). Not "distances": its columns are the zone codes.
#: ``tests/test_templates.py`` compares reused and freshly built workbooks cell by cell.
CACHEABLE_SHEETS = (
    "fertility", "mortality", "targets", "labour", "housing", "housing_market", "history", "lists",
)  # fmt: skip


@dataclass
class _CachedSheet:
    worksheet: object
    signature: tuple
    xml: bytes
    tables: list[tuple[int, bytes]]
    rels: bytes | None


@dataclass
class _SaveCache:
    """Per process and language: the first template's cacheable sheets as written XML, and the
    shared-string and cell-style tables every later template is seeded with (so that the
    indices inside that XML mean the same in every file)."""

    titles: frozenset[str]
    strings: list[str] | None = None
    cell_styles: list | None = None
    style_parts: tuple | None = None
    sheets: dict[str, _CachedSheet] = field(default_factory=dict)
    hits: int = 0


_SAVE_CACHES: dict[str, _SaveCache] = {}


def _cacheable_titles(language: str) -> frozenset[str]:
    from regbef_excel.schema.inputs import SHEETS

    return frozenset([*(SHEETS[k].label(language) for k in CACHEABLE_SHEETS), "xlwings.conf"])


def _sheet_signature(ws) -> tuple:  # noqa: ANN001 - openpyxl Worksheet
    """Everything of a sheet that reaches its XML and may differ between templates."""
    cells = tuple(
        (k, c._value, c.data_type, tuple(c._style or ()), c.hyperlink is not None)
        for k, c in sorted(ws._cells.items())
    )
    dvs = tuple(
        (str(d.sqref), d.type, d.operator, d.formula1, d.formula2, d.prompt, d.error)
        for d in ws.data_validations.dataValidation
    )
    return (
        ws.title, cells, dvs, tuple(str(r) for r in ws.merged_cells.ranges),
        tuple((t.displayName, t.ref) for t in ws._tables.values()), ws.freeze_panes,
        ws.print_title_rows,
        tuple((k, d.width) for k, d in ws.column_dimensions.items()),
        tuple((k, d.height) for k, d in ws.row_dimensions.items()),
        len(ws.conditional_formatting), ws.page_setup.orientation,
    )  # fmt: skip


def _style_parts(wb) -> tuple:  # noqa: ANN001
    """The style tables a cell style array indexes into (must match to reuse XML)."""
    return (
        repr(list(wb._fonts)), repr(list(wb._fills)), repr(list(wb._borders)),
        tuple(wb._number_formats), repr(list(wb._alignments)), repr(list(wb._protections)),
        tuple(s.name for s in wb._named_styles),
    )  # fmt: skip


def _has_extras(wb) -> bool:  # noqa: ANN001
    return any(
        ws._charts or ws._images or ws._comments or ws._pivots or ws.legacy_drawing
        for ws in wb.worksheets
    )


def _make_writer(cache: _SaveCache | None, record: bool):  # noqa: ANN202
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter
    from openpyxl.xml.functions import tostring

    class TemplateWriter(ExcelWriter):
        """openpyxl's writer for sheets without drawings: sheet XML in memory (no temporary
        files), and the XML of unchanged cacheable sheets reused."""

        def _write_worksheets(self) -> None:
            for idx, ws in enumerate(self.workbook.worksheets, 1):
                ws._id = idx
                cacheable = cache is not None and ws.title in cache.titles
                hit = cache.sheets.get(ws.title) if cacheable else None
                sig = None
                if cacheable and (hit is None or hit.worksheet is not ws):
                    sig = _sheet_signature(ws)  # the same object needs no comparison
                tables = list(ws._tables.values())
                first_id = len(self._tables) + 1
                ids = list(range(first_id, first_id + len(tables)))
                if (hit is not None and (hit.worksheet is ws or hit.signature == sig)
                        and [i for i, _ in hit.tables] == ids):  # fmt: skip
                    self._archive.writestr(ws.path[1:], hit.xml)
                    self.manifest.append(ws)
                    for t, (_, txml) in zip(tables, hit.tables, strict=True):
                        self._tables.append(t)
                        t.id = len(self._tables)
                        self._archive.writestr(t.path[1:], txml)
                        self.manifest.append(t)
                    if hit.rels is not None:
                        self._archive.writestr(get_rels_path(ws.path)[1:], hit.rels)
                    cache.hits += 1
                    continue
                buf = io.BytesIO()
                writer = WorksheetWriter(ws, out=buf)
                writer.write()
                ws._rels = writer._rels
                xml = buf.getvalue()
                self._archive.writestr(ws.path[1:], xml)
                self.manifest.append(ws)
                recorded = []
                for t in tables:
                    self._tables.append(t)
                    t.id = len(self._tables)
                    txml = tostring(t.to_tree())
                    self._archive.writestr(t.path[1:], txml)
                    self.manifest.append(t)
                    ws._rels.get(t._rel_id).Target = t.path
                    recorded.append((t.id, txml))
                rels = tostring(ws._rels.to_tree()) if ws._rels else None
                if rels is not None:
                    self._archive.writestr(get_rels_path(ws.path)[1:], rels)
                if record and cacheable and not ws.conditional_formatting:
                    cache.sheets[ws.title] = _CachedSheet(ws, sig, xml, recorded, rels)

    return TemplateWriter


def save_fast(wb, path: str | os.PathLike[str], language: str | None = None) -> None:  # noqa: ANN001
    """Save a template: ``wb.save(path)`` with zlib level 1, sheet XML written in memory and,
    with ``language``, the XML of cacheable sheets reused from the first template saved by this
    process when the sheet is unchanged (:data:`CACHEABLE_SHEETS`).

    Reuse is exact: the shared strings and cell styles are seeded with the first template's
    tables, so the indices in the reused XML mean the same; a sheet is reused only if its cells,
    styles, validations, tables and dimensions equal the first template's, and only if the
    style tables themselves are equal. ``tests/test_templates.py`` compares the parts with a
    plain save. Not atomic: used inside the staging folder.
    """
    from openpyxl.utils.indexed_list import IndexedList

    cache = None
    record = False
    if language is not None and not _has_extras(wb):
        cache = _SAVE_CACHES.setdefault(language, _SaveCache(_cacheable_titles(language)))
        parts = _style_parts(wb)
        if cache.strings is None:  # the first template of this process: record
            strings = [
                c._value for ws in wb.worksheets if ws.title in cache.titles
                for _, c in sorted(ws._cells.items()) if c.data_type == "s"
            ]  # fmt: skip
            cache.strings = list(dict.fromkeys(strings))
            cache.style_parts = parts
            record = True
            if len(wb.shared_strings) == 0:
                wb.shared_strings = IndexedList(cache.strings)
        elif (parts == cache.style_parts and len(wb.shared_strings) == 0
              and list(wb._cell_styles) == cache.cell_styles[: len(wb._cell_styles)]):  # fmt: skip
            wb.shared_strings = IndexedList(cache.strings)
            wb._cell_styles = IndexedList(cache.cell_styles)
        else:
            cache = None  # style tables differ: write every sheet
    writer_cls = _make_writer(cache, record)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as zf:
        writer_cls(wb, zf).save()
    if record and cache is not None:
        cache.cell_styles = list(wb._cell_styles)


#: Sheets a process builds once (for its first template) and inserts into every later one.
REUSED_SHEETS = (*CACHEABLE_SHEETS, "xlwings.conf")

_STYLE_TABLES = ("_fonts", "_fills", "_borders", "_protections", "_alignments")


@dataclass
class _Prototype:
    """The first template a process built: its reusable sheets and its style tables."""

    titles: list[str]
    sheets: dict[str, object]
    keys: tuple[str, ...]
    tables: dict[str, list]
    number_formats: list[str]
    named_styles: list[str]
    cell_styles: list

    @classmethod
    def of(cls, wb, language: str, spec: TemplateSpec) -> _Prototype:  # noqa: ANN001
        keep = _cacheable_titles(language)
        own = {*spec.codes, spec.region_name, *spec.region_name.split(" ", 1)[1:]}

        def zone_free(ws) -> bool:  # noqa: ANN001 - a guard: no zone code or name anywhere
            cols = {c.name for t in ws._tables.values() for c in t.tableColumns}
            return not (own & cols) and not any(
                isinstance(c._value, str) and c._value in own for c in ws._cells.values()
            )

        from regbef_excel.schema.inputs import SHEETS

        sheets = {ws.title: ws for ws in wb.worksheets if ws.title in keep and zone_free(ws)}
        label = {k: SHEETS[k].label(language) if k in SHEETS else k for k in REUSED_SHEETS}
        return cls(
            titles=[ws.title for ws in wb.worksheets],
            sheets=sheets,
            keys=tuple(k for k in REUSED_SHEETS if label[k] in sheets),
            tables={name: list(getattr(wb, name)) for name in _STYLE_TABLES},
            number_formats=list(wb._number_formats),
            named_styles=[st.name for st in wb._named_styles],
            cell_styles=list(wb._cell_styles),
        )

    def adopt(self, wb) -> bool:  # noqa: ANN001
        """Complete ``wb`` (built without the reusable sheets) with the prototype's sheets.

        The style tables of ``wb`` become the prototype's (extended by anything new), and the
        style arrays of ``wb``'s own cells are renumbered accordingly, so the reused sheets'
        style references stay valid. Returns False (``wb`` unchanged) if the named styles
        differ or the sheets do not line up.
        """
        from openpyxl.styles.cell_style import StyleArray
        from openpyxl.utils.indexed_list import IndexedList

        own = {ws.title: ws for ws in wb.worksheets}
        if [st.name for st in wb._named_styles] != self.named_styles:
            return False
        if set(own) | set(self.sheets) != set(self.titles) or set(own) & set(self.sheets):
            return False
        new_tables = {}
        maps = []
        for name in _STYLE_TABLES:
            table = IndexedList(self.tables[name])
            maps.append([table.add(item) for item in getattr(wb, name)])
            new_tables[name] = table
        fmts = IndexedList(self.number_formats)
        fmt_map = {164 + i: 164 + fmts.add(f) for i, f in enumerate(wb._number_formats)}
        font, fill, border, prot, align = maps
        memo: dict[tuple, StyleArray] = {}

        def remap(arr: StyleArray) -> StyleArray:
            key = tuple(arr)
            got = memo.get(key)
            if got is None:
                f, fi, b, n, p, a, pb, qp, xf = key
                got = memo[key] = StyleArray(
                    [font[f], fill[fi], border[b], fmt_map.get(n, n), prot[p], align[a], pb, qp, xf]
                )
            return got

        for ws in own.values():
            for c in ws._cells.values():
                if getattr(c, "_style", None) is not None:
                    c._style = copy.copy(remap(c._style))
            for dims in (ws.column_dimensions, ws.row_dimensions):
                for d in dims.values():
                    if getattr(d, "_style", None) is not None:
                        d._style = copy.copy(remap(d._style))
        for name, table in new_tables.items():
            setattr(wb, name, table)
        wb._number_formats = fmts
        wb._cell_styles = IndexedList(self.cell_styles)
        sheets = []
        for title in self.titles:
            ws = own.get(title) or self.sheets[title]
            ws._parent = wb
            sheets.append(ws)
        wb._sheets = sheets
        return True


_PROTOTYPES: dict[str, _Prototype] = {}


def _build_and_save(task: tuple) -> tuple[str, float, float]:
    """Worker: build one template and save it into the staging folder.

    The first template of a process is built completely and kept as the prototype; later ones
    are built without :data:`REUSED_SHEETS` and completed with the prototype's sheets (the
    national schedules, the empty issue-3 tables and the lists are the same in every one-zone
    template), whose XML :func:`save_fast` then writes from its cache. The cyclic garbage
    collector is paused while openpyxl creates its many small objects and run once afterwards
    on the young generation.
    """
    inputs, meta, spec, language, base_year, folder, reuse = task
    path = Path(folder) / spec.file_name
    gc.disable()
    try:
        t0 = time.perf_counter()
        proto = _PROTOTYPES.get(language) if reuse else None
        wb = None
        if proto is not None:
            wb = build_template(inputs, meta, spec, language=language, base_year=base_year,
                                skip_sheets=proto.keys)  # fmt: skip
            if not proto.adopt(wb):
                wb = None
        if wb is None:
            wb = build_template(inputs, meta, spec, language=language, base_year=base_year)
        t1 = time.perf_counter()
        save_fast(wb, path, language if reuse else None)
        t2 = time.perf_counter()
        if reuse and proto is None:
            _PROTOTYPES[language] = _Prototype.of(wb, language, spec)
    finally:
        gc.enable()
    del wb
    gc.collect(0)  # the workbook is all young objects: a young-generation pass frees it
    return str(path), t1 - t0, t2 - t1


def _worker_init() -> None:
    """Pool worker: move the inherited objects out of the collector's way."""
    gc.freeze()


def _pool_context():  # noqa: ANN202
    import multiprocessing as mp

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
    from regbef_excel.data.inputs import national_rates
    from regbef_excel.schema.base import check_language

    t_start = time.perf_counter()
    _SAVE_CACHES.clear()  # forked workers start from empty caches
    _PROTOTYPES.clear()
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
    warnings = [f"{s.region_name}: {n}"
                for s, (_, m) in zip(specs, pieces, strict=True) for n in m.notes]  # fmt: skip

    # --- build and save into a staging folder, then move into place -------------------------
    created_out = not out.exists()
    parent = out.parent if created_out else out
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=parent))
    n = len(specs)
    if jobs is None:
        jobs = min(2, os.cpu_count() or 1) if n >= POOL_THRESHOLD else 1
    jobs = max(1, min(int(jobs), n))
    reuse = per == "municipality"  # one-zone templates share their national/empty sheets
    tasks = [(inp, meta, s, language, base_year, str(stage), reuse)
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
    finally:
        _SAVE_CACHES.clear()  # serial runs keep them in this process: free the prototype
        _PROTOTYPES.clear()
    if created_out:
        _fix_permissions(out)
    tell("done", 1.0)
    seconds = {"generate": t_gen, "build": t_build, "save": t_save, "write": t_write,
               "total": time.perf_counter() - t_start}  # fmt: skip
    paths = [out / s.file_name for s in specs]
    return TemplatesResult(out, paths, list(specs), seconds, warnings, jobs)


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
    "TemplatesResult", "add_xlwings_conf", "build_template", "conf_rows", "cover_sections",
    "generate_municipalities", "generate_region", "plan_templates", "resolve_codes",
    "safe_file_stem", "write_templates",
]  # fmt: skip
