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
3. carries every edit of each municipality into the county inputs, or refuses it
   (:func:`compare`, one line naming the file, sheet!cell, found and expected):

   * the zone's own rows are carried as they are: FK, DK, EUF_K, base population,
     zone name, the EIFU and IIF age profiles, targets year by year (the county then runs model
     variant 2), housing (stock by period and type, demolition, persons per household,
     building programme and type shares, year by year), labour (YK, jobs, KUP, KIP), the
     zone's distance;
   * a year series the county holds once for all municipalities (FR, DR, EUF_R, EIFU_total per
     year) changed by one factor in every year becomes a factor on the zone's level (FK, DK,
     EUF_K + IUF_K, its immigration persons with the others' unchanged); changed differently
     from year to year it becomes the zone's factor per year (``tblZoneYearFactors``); EIFN
     (which in the template holds the flows from the other municipalities too) is carried as
     the change in persons a year on the zone's in-migration from the rest of Norway;
   * fertility rates, death probabilities and EUF amplitudes changed by one factor at every age
     become a factor on FK, DK, EUF_K + IUF_K;
   * a change that differs by age, of a county-wide table (need rates, house types, market,
     labour rates, Hadwiger, settings) or of the county context (IUF, INF_trend, the EIFN
     profile) is refused: the county has no place for it;

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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from regbef_excel import SCHEMA_VERSION
from regbef_excel.app.county_context import AMPLITUDES, county_of, county_run, municipal_inputs
from regbef_excel.app.estimate import history_from_workbook
from regbef_excel.app.estimation_record import check_estimation_record, record_of, settings_cell
from regbef_excel.app.observed_history import observed_history
from regbef_excel.app.projection import run_log
from regbef_excel.engine import Projection, ProjectionInputs, project
from regbef_excel.engine.inputs import (
    FLOWS,
    N_AGES,
    N_RC,
    RC_KEYS,
    ZONE_YEAR_KEYS,
    HousingInputs,
    LabourInputs,
    Targets,
)
from regbef_excel.errors import InputError, Location
from regbef_excel.files import file_sha256, same_file
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.io.write.results import write_results
from regbef_excel.io.write.sheets import (
    data_style,
    fit_header_height,
    freeze_labels,
    replace_sheet,
    set_widths,
    write_headers,
    write_title,
)
from regbef_excel.io.write.template import build_workbook
from regbef_excel.schema import outputs as S
from regbef_excel.schema.inputs import SHEETS, TABLES
from regbef_excel.schema.layout import TableLayout, column_letter
from regbef_excel.schema.meta import WorkbookMeta

Progress = Callable[[str, float], None]
REL_TOL = 1e-6


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
def _file_error(path: Path | str, exc: InputError) -> InputError:
    return InputError(f"{path.name if isinstance(path, Path) else path}: {exc.one_line()}")


def shown_names(files: Sequence[Path]) -> dict[Path, str]:
    """How messages name each input: its file name, or its path when two inputs share a name
    (a returned copy beside the distributed template)."""
    names = [p.name for p in files]
    return {p: p.name if names.count(p.name) == 1 else str(p) for p in files}


def _zone_cell(lang: str) -> Location:
    return Location(sheet=SHEETS["zones"].label(lang), table="tblZones",
                    cell=TableLayout.of(TABLES["tblZones"], 1).cell("zone_code", 0))  # fmt: skip


def read_returned(path: Path, name: str | None = None) -> tuple[ProjectionInputs, WorkbookMeta]:
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
        raise _file_error(name or path, exc) from None
    return inputs, meta


# ---------------------------------------------------------------------------------------------
# comparing a returned workbook with its distributed template
# ---------------------------------------------------------------------------------------------
#: Why an edit cannot be carried into the county (nb, en); one line each with found/expected.
_WHY = {
    "year_shape": ("{what} er endret ulikt fra år til år; fylket har én {what} per år for alle kommunene, "
                   "så bare en fast faktor på alle årene kan overføres (bruk FK/DK/EUF_K eller mål)",
                   "{what} is changed differently from year to year; the county has one {what} per year "
                   "for all its municipalities, so only the same factor in every year can be carried "
                   "(use FK/DK/EUF_K or targets)"),
    "age_shape": ("{what} er endret ulikt etter alder; fylket har én felles aldersprofil, så bare en fast "
                  "faktor på alle aldre kan overføres (bruk FK/DK)",
                  "{what} is changed differently by age; the county has one age schedule for all its "
                  "municipalities, so only the same factor at every age can be carried (use FK/DK)"),
    "shared": ("{what} er felles for hele fylket og kan ikke endres av én kommune",
               "{what} is one for the whole county and cannot be changed by one municipality"),
    "context": ("{what} er fylkessammenhengen i kommunemalen (flyttinger med de andre kommunene) og kan "
                "ikke overføres; endre nivået med EUF_K eller EIFN_total",
                "{what} is the county context of the municipal template (moves with the other "
                "municipalities) and cannot be carried; change the level with EUF_K or EIFN_total"),
    "removed": ("{what} er tømt; fylket trenger tabellene for alle kommunene",
                "{what} is emptied; the county needs the tables for every municipality"),
}


def _not_carried(why: str, what: str, lang: str, location: Location, found: object = None,
                 expected: object = None) -> InputError:
    text = _WHY[why][1 if lang == "en" else 0].format(what=what)
    return InputError(text, location=location, found=found, expected=expected)


def _at(table: str, column: str, row: int, n_rows: int, lang: str) -> Location:
    """sheet!cell of data row ``row`` of ``table`` as the template writes it."""
    t = TABLES[table]
    return Location(sheet=SHEETS[t.sheet].label(lang), table=table,
                    cell=TableLayout.of(t, n_rows).cell(column, row))  # fmt: skip


def _kv_at(table: str, key: str, lang: str) -> Location:
    t = TABLES[table]
    keys = [c.key for c in t.items]
    return _at(table, "value", keys.index(key), len(keys), lang)


def _table_at(table: str, lang: str) -> Location:
    return Location(sheet=SHEETS[TABLES[table].sheet].label(lang), table=table)


def _differs(a, b) -> bool:  # noqa: ANN001
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape != b.shape or not np.allclose(a, b, rtol=REL_TOL, atol=1e-9)


def _num(x) -> float:  # noqa: ANN001
    return round(float(x), 6)


def common_factor(dist, ret, where: Callable[[int], Location], why: str, what: str, lang: str) -> float:  # noqa: ANN001
    """The factor c with ``ret == c × dist`` in every element (every year, age, sex), 1 when equal.

    Raises :class:`InputError` at the first element that breaks the common factor: the county
    has one such series for all its municipalities, so a municipality's edit can only enter as a
    factor on its zone level.
    """
    d, r = np.asarray(dist, float).ravel(), np.asarray(ret, float).ravel()
    if not _differs(d, r):
        return 1.0
    changed = ~np.isclose(r, d, rtol=REL_TOL, atol=1e-12)
    i = int(np.flatnonzero(changed)[0])  # the first cell the planner changed
    c = float(r[i] / d[i]) if abs(d[i]) > 1e-12 else float("inf")
    if not np.isfinite(c) or not np.allclose(r, c * d, rtol=REL_TOL, atol=1e-12):
        every = "year" if why == "year_shape" else "age and sex"
        raise _not_carried(why, what, lang, where(i), found=_num(r[i]),
                           expected=f"{_num(d[i])} as distributed, or the same factor in every {every}")  # fmt: skip
    return c


def year_factors(dist, ret, where: Callable[[int], Location], what: str, lang: str) -> tuple[float, np.ndarray | None]:  # noqa: ANN001
    """``(c, None)`` when ``ret`` is ``dist`` × one factor c in every year (1 when equal), else
    ``(1, ratio per year)``: the municipality's own factor per year, carried as a zone-by-year
    factor. A year the county holds at zero and the municipality does not cannot be a factor."""
    d, r = np.asarray(dist, float), np.asarray(ret, float)
    try:
        return common_factor(d, r, where, "year_shape", what, lang), None
    except InputError:
        pass
    zero = np.flatnonzero((np.abs(d) <= 1e-12) & (np.abs(r) > 1e-12))
    if zero.size:
        t = int(zero[0])
        raise _not_carried("year_shape", what, lang, where(t), found=_num(r[t]), expected="0 as distributed")
    return 1.0, np.where(np.abs(d) > 1e-12, r / np.where(np.abs(d) > 1e-12, d, 1.0), 1.0)


def _per_year(what: str, ratio: np.ndarray) -> Change:
    """A year factor changed year by year: carried as the zone's factor per year (its range)."""
    return Change("tblZoneYearFactors", f"{what}: factor per year", 1.0, f"{ratio.min():.4g}–{ratio.max():.4g}")


@dataclass
class Carry:
    """How one municipality's edits enter the county run (filled by :func:`compare`).

    Factors multiply the zone's level in the county; ``eifn`` is persons a year added to its
    in-migration from the rest of Norway; the zone's own tables (population, profiles, housing,
    labour, distance) replace the county's rows of that zone."""

    fk: float = 1.0
    dk: float = 1.0
    out: float = 1.0
    eifu: float = 1.0
    #: persons a year added to in-migration from the rest of Norway, shape (T,)
    eifn: np.ndarray | None = None
    #: zone-by-year factors of this municipality, key -> (T,)
    zone_year: dict[str, np.ndarray] = field(default_factory=dict)
    population: np.ndarray | None = None
    name: str | None = None
    rc: dict[str, np.ndarray] = field(default_factory=dict)
    targets: Targets | None = None
    housing: HousingInputs | None = None
    labour: LabourInputs | None = None
    distance: float | None = None


#: the zone's own housing and labour inputs -> (table, handbook name) on the change sheet
_ZONE_HOUSING = {
    "stock_by_period": ("tblStockByPeriod", "BOLMAS by period"), "stock_by_type": ("tblStockByType", "BOLMAS by type"),
    "demolition_old": ("tblHousingZones", "AVGE"), "demolition_new": ("tblHousingZones", "AVGN"),
    "building": ("tblBuilding", "BOLBYG"), "building_type_shares": ("tblStockByType", "BOLTYP"),
    "family_existing": ("tblHousingZones", "EBFAMIN"),
}
_SHARED_HOUSING = {  # field -> (table, what)
    "sivrat": ("tblHousingNeed", "SIVRAT"), "bolrat": ("tblHousingNeed", "BOLRAT"),
    "level_region": ("tblYearFactors", "BR"), "family_new": ("tblHouseTypes", "BFFAM"),
    "profile_new": ("tblNewDwellingProfile", "BFRAT"), "rooms_by_type": ("tblHouseTypes", "rooms"),
}
_ZONE_LABOUR = {"level_zone": ("tblLabourZones", "YK"), "jobs": ("tblJobs", "ARBPL"),
                "kup": ("tblLabourZones", "KUP"), "kip": ("tblLabourZones", "KIP")}
_SHARED_LABOUR = {"participation": ("tblParticipation", "YRKRAT"), "level_region": ("tblYearFactors", "YR"),
                  "profile": ("tblLabourProfile", "profile")}  # fmt: skip


def _same(a, b) -> bool:  # noqa: ANN001
    if a is None or b is None:
        return a is b
    if isinstance(a, np.ndarray | list | tuple) and not isinstance(a, tuple | str) or isinstance(b, np.ndarray):
        return not _differs(a, b)
    return repr(a) == repr(b)


def check_shared(county_part, ret_part, lang: str) -> None:  # noqa: ANN001
    """Refuse a municipality's change of housing or labour inputs that are one for the county."""
    if isinstance(ret_part, HousingInputs):
        if tuple(ret_part.type_labels) != tuple(county_part.type_labels):
            raise _not_carried("shared", "hustypene" if lang != "en" else "the house types", lang,
                               _table_at("tblHouseTypes", lang), found=", ".join(ret_part.type_labels),
                               expected=", ".join(county_part.type_labels))  # fmt: skip
        if tuple(ret_part.period_labels) != tuple(county_part.period_labels):
            raise _not_carried("shared", "byggeperiodene" if lang != "en" else "the construction periods", lang,
                               _table_at("tblStockByPeriod", lang), found=", ".join(ret_part.period_labels),
                               expected=", ".join(county_part.period_labels))  # fmt: skip
        shared, market = _SHARED_HOUSING, ("market", "tblHousingMarket")
    else:
        shared, market = _SHARED_LABOUR, ("params", "tblLabourParams")
    for name, (table, what) in shared.items():
        a, b = getattr(county_part, name), getattr(ret_part, name)
        if a is None and b is None:
            continue
        if (a is None) != (b is None) or _differs(a, b):
            raise _not_carried("shared", what, lang, _table_at(table, lang))
    if repr(getattr(county_part, market[0])) != repr(getattr(ret_part, market[0])):
        raise _not_carried("shared", market[1], lang, _table_at(market[1], lang),
                           found=str(getattr(ret_part, market[0])), expected=str(getattr(county_part, market[0])))  # fmt: skip


def _zone_part_changes(dist_part, ret_part, fields_: dict[str, tuple[str, str]]) -> list[Change]:  # noqa: ANN001
    out = []
    for name, (table, what) in fields_.items():
        a = None if dist_part is None else np.asarray(getattr(dist_part, name), float)
        b = np.asarray(getattr(ret_part, name), float)
        if a is None or _differs(a, b):
            out.append(Change(table, f"{what} (sum)", "" if a is None else _num(a.sum()), _num(b.sum())))
    return out


def compare(dist: ProjectionInputs, ret: ProjectionInputs, language: str = "nb") -> tuple[list[Change], Carry]:
    """The changes of ``ret`` against its distributed template ``dist`` and how they enter the county.

    Every difference is either carried (listed as a :class:`Change`) or refused with an
    :class:`InputError` naming sheet!cell, found and expected: nothing is ignored.
    """
    lang = "en" if language == "en" else "nb"
    ch: list[Change] = []
    cy = Carry()
    T = dist.n_years

    def year_cell(col: str) -> Callable[[int], Location]:
        return lambda i: _at("tblYearFactors", col, i, T, lang)

    # settings that are one for the county (variant 2 comes with targets)
    for key in ("fertility_source", "share_boys", "drop_oldest", "reconcile_births", "reconcile_deaths",
                "endogenous_hadwiger"):  # fmt: skip
        if getattr(dist, key) != getattr(ret, key):
            raise _not_carried("shared", key, lang, settings_cell(key, lang), found=getattr(ret, key),
                               expected=getattr(dist, key))  # fmt: skip
    if ret.variant != dist.variant and ret.variant != 2:
        raise _not_carried("shared", "variant", lang, settings_cell("variant", lang), found=ret.variant,
                           expected=f"{dist.variant} (or 2 with targets)")  # fmt: skip
    # the zone itself: name and base population are the municipality's own rows
    if ret.zone_names[0] != dist.zone_names[0]:
        ch.append(Change("tblZones", "zone_name", dist.zone_names[0], ret.zone_names[0]))
        cy.name = ret.zone_names[0]
    if _differs(dist.population, ret.population):
        ch.append(Change("tblPopulation", "BEF (sum)", _num(dist.population.sum()), _num(ret.population.sum())))
        cy.population = np.asarray(ret.population, float)[0].copy()

    # fertility: FK × a common factor on FR (every year) × a common factor on the rates
    fk = float(ret.fertility_level_zone[0]) / float(dist.fertility_level_zone[0]) if dist.fertility_level_zone[0] else 1.0
    if _differs(dist.fertility_level_zone, ret.fertility_level_zone):
        ch.append(Change("tblZoneFactors", "FK", _num(dist.fertility_level_zone[0]), _num(ret.fertility_level_zone[0])))
    fr, fr_t = year_factors(dist.fertility_level_region, ret.fertility_level_region, year_cell("FR"), "FR", lang)
    if fr_t is not None:
        ch.append(_per_year("FR", fr_t))
        cy.zone_year["FR"] = fr_t
    if fr != 1.0:
        ch.append(Change("tblYearFactors", "FR (× every year)", 1.0, _num(fr)))
    fo = 1.0
    if dist.fertility_source == "rates":
        fo = common_factor(dist.fertility_rates[15:50], ret.fertility_rates[15:50],
                           lambda i: _at("tblFertilityRates", "rate", i, 35, lang), "age_shape", "FODRAT", lang)  # fmt: skip
        if fo != 1.0:
            ch.append(Change("tblFertilityRates", "FODRAT (× every age)", 1.0, _num(fo)))
    for key, attr in (("HDWB", "b"), ("HDWC", "c")) + ((("HDWA", "a"),) if dist.fertility_source == "rates" else ()):
        if not np.isclose(getattr(dist.hadwiger, attr), getattr(ret.hadwiger, attr), rtol=REL_TOL):
            raise _not_carried("shared", key, lang, _kv_at("tblHadwiger", key, lang),
                               found=getattr(ret.hadwiger, attr), expected=getattr(dist.hadwiger, attr))  # fmt: skip
    if dist.fertility_source == "hadwiger" and not np.isclose(dist.hadwiger.a, ret.hadwiger.a, rtol=REL_TOL):
        fo = ret.hadwiger.a / dist.hadwiger.a
        ch.append(Change("tblHadwiger", "HDWA", _num(dist.hadwiger.a), _num(ret.hadwiger.a)))
    cy.fk = fk * fr * fo

    # mortality: DK × a common factor on DR × a common factor on the death probabilities
    dk = float(ret.mortality_level_zone[0]) / float(dist.mortality_level_zone[0]) if dist.mortality_level_zone[0] else 1.0
    if _differs(dist.mortality_level_zone, ret.mortality_level_zone):
        ch.append(Change("tblZoneFactors", "DK", _num(dist.mortality_level_zone[0]), _num(ret.mortality_level_zone[0])))
    dr, dr_t = year_factors(dist.mortality_level_region, ret.mortality_level_region, year_cell("DR"), "DR", lang)
    if dr_t is not None:
        ch.append(_per_year("DR", dr_t))
        cy.zone_year["DR"] = dr_t
    if dr != 1.0:
        ch.append(Change("tblYearFactors", "DR (× every year)", 1.0, _num(dr)))
    dp = common_factor(dist.death_prob, ret.death_prob,
                       lambda i: _at("tblDeathProb", ("male", "female")[i // N_AGES], i % N_AGES, N_AGES, lang),
                       "age_shape", "DODRAT", lang)  # fmt: skip
    if dp != 1.0:
        ch.append(Change("tblDeathProb", "DODRAT (× every age)", 1.0, _num(dp)))
    cy.dk = dk * dr * dp

    # out-migration: EUF_K × a common factor on EUF_R × a common factor on the schedule's amplitudes
    rc_rows = len(FLOWS) * 2

    def rc_cell(flow: str) -> Callable[[int], Location]:
        def where(i: int) -> Location:
            s, j = divmod(i, N_RC)
            return _at("tblRogersCastro", RC_KEYS[j], FLOWS.index(flow) * 2 + s, rc_rows, lang)
        return where

    ek = float(ret.migration_level_zone["EUF"][0]) / float(dist.migration_level_zone["EUF"][0]) \
        if dist.migration_level_zone["EUF"][0] else 1.0  # fmt: skip
    if _differs(dist.migration_level_zone["EUF"], ret.migration_level_zone["EUF"]):
        ch.append(Change("tblZoneFactors", "EUF_K", _num(dist.migration_level_zone["EUF"][0]),
                         _num(ret.migration_level_zone["EUF"][0])))  # fmt: skip
    er, er_t = year_factors(dist.migration_level_region["EUF"], ret.migration_level_region["EUF"],
                            year_cell("EUF_R"), "EUF_R", lang)  # fmt: skip
    if er_t is not None:  # the template's EUF is the county's EUF + IUF: both move
        ch.append(_per_year("EUF_R", er_t))
        cy.zone_year["EUF"] = cy.zone_year["IUF"] = er_t
    if er != 1.0:
        ch.append(Change("tblYearFactors", "EUF_R (× every year)", 1.0, _num(er)))
    pd_, pr = np.asarray(dist.rc_params["EUF"], float)[0], np.asarray(ret.rc_params["EUF"], float)[0]
    shape_d, shape_r = pd_.copy(), pr.copy()
    shape_d[:, AMPLITUDES], shape_r[:, AMPLITUDES] = 0, 0
    if _differs(shape_d, shape_r):
        i = int(np.flatnonzero(~np.isclose(shape_d, shape_r, rtol=REL_TOL, atol=1e-9).ravel())[0])
        raise _not_carried("age_shape", "EUF (Rogers–Castro)", lang, rc_cell("EUF")(i),
                           found=_num(shape_r.ravel()[i]), expected=_num(shape_d.ravel()[i]))  # fmt: skip
    amp = np.zeros_like(pd_)
    amp[:, AMPLITUDES] = 1
    ea = common_factor(np.where(amp > 0, pd_, 0), np.where(amp > 0, pr, 0), rc_cell("EUF"), "age_shape",
                       "EUF (Rogers–Castro)", lang)  # fmt: skip
    if ea != 1.0:
        ch.append(Change("tblRogersCastro", "EUF amplitudes (× every age)", 1.0, _num(ea)))
    cy.out = ek * er * ea
    # internal out-migration is part of EUF in a municipal template (county context)
    if _differs(dist.migration_level_zone["IUF"], ret.migration_level_zone["IUF"]):
        raise _not_carried("context", "IUF_K", lang, _at("tblZoneFactors", "IUF_K", 0, 1, lang),
                           found=_num(ret.migration_level_zone["IUF"][0]), expected=_num(dist.migration_level_zone["IUF"][0]))  # fmt: skip
    iuf_r_d, iuf_r_r = (np.asarray(x.migration_level_region["IUF"], float) for x in (dist, ret))
    if _differs(iuf_r_d, iuf_r_r):
        t = int(np.flatnonzero(~np.isclose(iuf_r_d, iuf_r_r, rtol=REL_TOL))[0])
        raise _not_carried("context", "IUF_R", lang, year_cell("IUF_R")(t), found=_num(iuf_r_r[t]),
                           expected=_num(iuf_r_d[t]))  # fmt: skip
    if _differs(dist.rc_params["IUF"], ret.rc_params["IUF"]):
        raise _not_carried("context", "IUF (Rogers–Castro)", lang, rc_cell("IUF")(0))
    if _differs(dist.internal_net_trend, ret.internal_net_trend):
        raise _not_carried("context", "INF_trend", lang, _at("tblZoneFactors", "INF_trend", 0, 1, lang),
                           found=_num(ret.internal_net_trend[0]), expected=_num(dist.internal_net_trend[0]))  # fmt: skip

    # immigration: a common factor on the municipality's persons in every year; its own age profile
    cy.eifu, eifu_t = year_factors(dist.immigration_total, ret.immigration_total, year_cell("EIFU_total"),
                                   "EIFU_total", lang)  # fmt: skip
    if eifu_t is not None:
        ch.append(_per_year("EIFU_total", eifu_t))
        cy.zone_year["EIFU"] = eifu_t
    if cy.eifu != 1.0:
        ch.append(Change("tblYearFactors", "EIFU_total (× every year)", 1.0, _num(cy.eifu)))
    for flow in ("EIFU", "IIF"):
        if _differs(dist.rc_params[flow], ret.rc_params[flow]):
            ch.append(Change("tblRogersCastro", f"{flow} age profile", "", "changed"))
            cy.rc[flow] = np.asarray(ret.rc_params[flow], float)[0].copy()
    # in-migration from the rest of Norway and the other municipalities (county context)
    # (persons a year: the template's EIFN holds the flows from the other municipalities too, so
    # the change in persons is added to the county's in-migration from the rest of Norway)
    n_d = float(dist.domestic_inmigration[0]) * np.asarray(dist.migration_level_region["EIFN"], float)
    n_r = float(ret.domestic_inmigration[0]) * np.asarray(ret.migration_level_region["EIFN"], float)
    if _differs(n_d, n_r):
        ch.append(Change("tblZoneFactors", "EIFN_total × EIFN_R (persons a year, mean)", _num(n_d.mean()),
                         _num(n_r.mean())))  # fmt: skip
        cy.eifn = n_r - n_d
    if _differs(dist.rc_params["EIFN"], ret.rc_params["EIFN"]):
        raise _not_carried("context", "EIFN (Rogers–Castro)", lang, rc_cell("EIFN")(0))

    # targets: year by year, the municipality's own
    if ret.targets is not None and ret.targets.any_target:
        n = int((ret.targets.zone_mode == 1).sum() + (ret.targets.region_mode == 1).sum())
        ch.append(Change("tblTargets", "target years", 0, n))
        cy.targets = ret.targets

    # housing and labour: the zone's own rows replace the county's; county-wide parts must agree
    if dist.housing is not None and ret.housing is None:
        raise _not_carried("removed", "Boliger" if lang != "en" else "Housing", lang, _table_at("tblBuilding", lang))
    if ret.housing is not None:
        if dist.housing is not None:
            check_shared(dist.housing, ret.housing, lang)
        part = _zone_part_changes(dist.housing, ret.housing, _ZONE_HOUSING)
        if part:
            ch.extend(part)
            cy.housing = ret.housing
    if dist.labour is not None and ret.labour is None:
        raise _not_carried("removed", "Arbeidsmarked" if lang != "en" else "Labour", lang, _table_at("tblJobs", lang))
    if ret.labour is not None:
        if dist.labour is not None:
            check_shared(dist.labour, ret.labour, lang)
        part = _zone_part_changes(dist.labour, ret.labour, _ZONE_LABOUR)
        if part:
            ch.extend(part)
            cy.labour = ret.labour
    if ret.distances is not None and (dist.distances is None or _differs(dist.distances, ret.distances)):
        ch.append(Change("tblDistances", "distance within the zone",
                         "" if dist.distances is None else _num(dist.distances[0, 0]), _num(ret.distances[0, 0])))  # fmt: skip
        cy.distance = float(ret.distances[0, 0])
    # income and the Hadwiger regression are read only with the endogenous option, which cannot
    # differ from the county's (settings above); with it off they are unused in both runs
    for name, table in (("income", "tblIncome"), ("hadwiger_regression", "tblHadwigerRegression")):
        if ret.endogenous_hadwiger and not _same(getattr(dist, name), getattr(ret, name)):
            raise _not_carried("shared", table, lang, _table_at(table, lang))
    return ch, cy


def _with_zone_part(county_part, k: int, ret_part, fields_: dict, lang: str, template):  # noqa: ANN001, ANN202
    """The county's housing or labour inputs with zone k's rows from ``ret_part``; a county
    without them gets zeros for the other municipalities (their rows empty)."""
    if county_part is None:
        county_part = template(ret_part)
    check_shared(county_part, ret_part, lang)
    changes = {}
    for name in fields_:
        arr = np.array(getattr(county_part, name), float, copy=True)
        new = np.asarray(getattr(ret_part, name), float)
        if arr.ndim == 2 and name in ("building", "jobs"):
            arr[:, k] = new[:, 0]
        else:
            arr[k] = new[0]
        changes[name] = arr
    return replace(county_part, **changes)


def _empty_like(n_zones: int) -> Callable:
    """A county-wide part (housing or labour) from one municipality's: zero rows elsewhere."""
    def make(part):  # noqa: ANN001, ANN202
        fields_ = _ZONE_HOUSING if isinstance(part, HousingInputs) else _ZONE_LABOUR
        changes = {}
        for name in fields_:
            a = np.asarray(getattr(part, name), float)
            if name in ("building", "jobs"):
                changes[name] = np.zeros((a.shape[0], n_zones))
            elif name in ("building_type_shares", "level_zone", "family_existing"):
                changes[name] = np.repeat(a[:1], n_zones, axis=0)  # neutral values, no dwellings
            else:
                changes[name] = np.zeros((n_zones, *a.shape[1:]))
        return replace(part, **changes)
    return make


def _apply(county: ProjectionInputs, k: int, cy: Carry, lang: str) -> ProjectionInputs:
    """County inputs with one municipality's carried edits (see :func:`compare`)."""
    fk = np.asarray(county.fertility_level_zone, float).copy()
    dk = np.asarray(county.mortality_level_zone, float).copy()
    fk[k] *= cy.fk
    dk[k] *= cy.dk
    lz = {key: np.asarray(v, float).copy() for key, v in county.migration_level_zone.items()}
    lz["EUF"][k] *= cy.out
    lz["IUF"][k] *= cy.out
    # immigration: zone k's persons × c in every year, the other zones' persons unchanged
    share = np.asarray(county.immigration_share, float)
    share = share / share.sum()
    grow = 1.0 + share[k] * (cy.eifu - 1.0)
    new_share = share / grow
    new_share[k] = share[k] * cy.eifu / grow
    total = np.asarray(county.immigration_total, float) * grow
    dom = np.asarray(county.domestic_inmigration, float)
    zone_year = {key: county.zone_year(key).copy() for key in ZONE_YEAR_KEYS}
    for key, ratio in cy.zone_year.items():
        zone_year[key][:, k] *= ratio
    if cy.eifn is not None:  # persons a year on top of the county's EIFN of the zone
        base = dom[k] * np.asarray(county.migration_level_region["EIFN"], float) * zone_year["EIFN"][:, k]
        if np.any((base <= 0) & (np.abs(cy.eifn) > 1e-9)):
            raise _not_carried("shared", "EIFN_total", lang, _at("tblZoneFactors", "EIFN_total", 0, 1, lang),
                               found="a change", expected="in-migration from the rest of Norway > 0 in the county")  # fmt: skip
        zone_year["EIFN"][:, k] *= np.where(base > 0, np.maximum(base + cy.eifn, 0.0) / np.where(base > 0, base, 1.0), 1.0)
    zone_year = {key: f for key, f in zone_year.items() if np.any(f != 1.0)}
    pop = np.asarray(county.population, float).copy()
    if cy.population is not None:
        pop[k] = cy.population
    names = list(county.zone_names)
    if cy.name is not None:
        names[k] = cy.name
    rc = {f: np.asarray(p, float).copy() for f, p in county.rc_params.items()}
    for flow, params in cy.rc.items():
        rc[flow][k] = params
    targets = county.targets
    if cy.targets is not None:
        T, K = county.n_years, county.n_zones
        targets = copy.deepcopy(targets) if targets is not None else Targets.trend(T, K)
        zt = cy.targets
        use_zone = zt.zone_mode[:, 0] == 1
        use = np.where(use_zone, True, zt.region_mode == 1)
        targets.zone_mode[:, k] = np.where(use, 1, targets.zone_mode[:, k])
        targets.zone_type[:, k] = np.where(use_zone, zt.zone_type[:, 0], np.where(use, zt.region_type, targets.zone_type[:, k]))
        targets.zone_value[:, k] = np.where(use_zone, zt.zone_value[:, 0], np.where(use, zt.region_value, targets.zone_value[:, k]))
    housing, labour, distances = county.housing, county.labour, county.distances
    if cy.housing is not None:
        housing = _with_zone_part(housing, k, cy.housing, _ZONE_HOUSING, lang, _empty_like(county.n_zones))
    if cy.labour is not None:
        labour = _with_zone_part(labour, k, cy.labour, _ZONE_LABOUR, lang, _empty_like(county.n_zones))
    if cy.distance is not None:
        if distances is None:
            raise _not_carried("shared", "tblDistances", lang, _table_at("tblDistances", lang))
        distances = np.asarray(distances, float).copy()
        distances[k, k] = cy.distance
    return county.replace(
        zone_names=tuple(names), population=pop,
        fertility_level_zone=fk, mortality_level_zone=dk, migration_level_zone=lz, rc_params=rc,
        immigration_total=total, immigration_share=new_share, domestic_inmigration=dom, targets=targets,
        zone_year_factors=zone_year,
        housing=housing, labour=labour, distances=distances,
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
    widths = [c.width for c in sheet.columns]
    set_widths(st, widths)
    fit_header_height(st, S.HEADER_ROW, dict(enumerate(sheet.headers(language), start=1)),
                      dict(enumerate(widths, start=1)))  # fmt: skip
    styles = [data_style(c.number_format) for c in sheet.columns]
    row = S.FIRST_DATA_ROW
    for m in munis:
        items = m.changes or [Change("", S.COLLECT_NO_CHANGES.get(language), "", "")]
        for c in items:
            vals = [m.code, m.name, m.path.name, table_label(c.table, language), c.what, c.distributed,
                    c.returned, m.baseline, m.collected, round(m.collected - m.baseline) + 0.0]  # fmt: skip
            for j, v in enumerate(vals):
                st.put(row, j + 1, v, styles[j])  # text from a file or a planner stays text
            row += 1
    freeze_labels(st, 2)
    st.print_setup(area=f"A1:{column_letter(len(sheet.columns))}{max(row - 1, S.FIRST_DATA_ROW)}")


def table_label(table: str, language: str) -> str:
    """``Nivåfaktorer (tblZoneFactors)``: where a planner finds the changed table."""
    if table not in TABLES:
        return table
    return f"{SHEETS[TABLES[table].sheet].label(language)} ({table})"


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
    shown = shown_names(files)
    returned: list[tuple[Path, ProjectionInputs, WorkbookMeta]] = []
    seen: dict[str, Path] = {}
    county = None
    for i, p in enumerate(files):
        tell(f"reading {p.name}", 0.5 * i / len(files))
        inp, meta = read_returned(p, shown[p])
        code = inp.zone_codes[0]
        lang = meta.language or "nb"
        try:
            cc, _ = county_of(code)
        except KeyError:
            raise _file_error(shown[p], InputError("not a municipality on 2024 borders", location=_zone_cell(lang),
                              found=code, expected="a 4-digit municipality code")) from None  # fmt: skip
        key = (cc, inp.base_year, inp.horizon, meta.estimation_start, meta.estimation_end)
        if county is None:
            county = (key, p)
        elif key[0] != county[0][0]:
            raise _file_error(shown[p], InputError("a workbook from another county", location=_zone_cell(lang),
                              found=f"{code} (county {cc})", expected=f"a municipality of county {county[0][0]} "
                              f"like {shown[county[1]]}"))  # fmt: skip
        elif key != county[0]:
            raise _file_error(shown[p], InputError(
                f"base year, horizon or estimation period differ from {shown[county[1]]}",
                location=Location(sheet=SHEETS["settings"].label(lang), table="tblSettings"),
                found=f"{key[1]}–{key[2]}, estimation {key[3]}–{key[4]}",
                expected=f"{county[0][1]}–{county[0][2]}, estimation {county[0][3]}–{county[0][4]}"))  # fmt: skip
        if code in seen:
            raise _file_error(shown[p], InputError(f"municipality {code} twice (also in {shown[seen[code]]})",
                              location=_zone_cell(lang), found=code, expected="each municipality once"))  # fmt: skip
        seen[code] = p
        returned.append((p, inp, meta))
    assert county is not None
    cc, base_year, horizon, y0, y1 = county[0]
    tell("projecting the county", 0.5)
    run = county_run(cc, base_year=base_year, horizon=horizon, estimation_years=int(y1) - int(y0) + 1)
    collected = run.inputs.copy()
    munis: list[MunicipalChanges] = []
    for p, inp, meta_p in returned:
        code = inp.zone_codes[0]
        k = run.index(code)
        lang_p = meta_p.language or "nb"
        try:
            changes, carry = compare(municipal_inputs(run, code), inp, lang_p)
            if changes:
                collected = _apply(collected, k, carry, lang_p)
        except InputError as exc:
            raise _file_error(shown[p], exc) from None
        munis.append(MunicipalChanges(p, code, inp.zone_names[0], changes))
    munis.sort(key=lambda m: run.index(m.code))  # county order on the change sheet
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
