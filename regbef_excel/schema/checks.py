"""The numbered input checks, defined once and evaluated twice: as Excel formulas on the checks
sheet and in Python before every run (:func:`run_checks`), with the same ids and the same counts.

Each check counts problems (0 = OK). The Python functions mirror the formulas cell for cell:
``COUNTIF(range, "<0")`` counts numeric cells below zero (text is ignored, as in Excel),
``COUNTA`` counts non-empty cells, ``COUNT`` numeric cells. Formulas use only COUNTIF, COUNTA,
COUNT, SUM, SUMPRODUCT, INDEX/MATCH, IF, ABS and OR on plain A1 ranges, which Excel and
LibreOffice both evaluate (structured references are avoided for LibreOffice).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from regbef_excel.engine.inputs import SHARE_TOLERANCE
from regbef_excel.schema.base import Table
from regbef_excel.schema.inputs import CHECKS_TABLE, SHEETS, TABLES
from regbef_excel.schema.layout import TableLayout, column_letter, quote_sheet

#: Raw tables: table key → column key → cell values as Excel holds them (numbers, text, None).
RawTables = Mapping[str, Mapping[str, Sequence[object]]]

#: Tolerance of the immigration-share sum (also written into the formula); the engine's own.
SHARE_TOL = SHARE_TOLERANCE


def _isnum(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v


def _counta(vals: Sequence[object]) -> int:
    return sum(1 for v in vals if v is not None and v != "")


def _count(vals: Sequence[object]) -> int:
    return sum(1 for v in vals if _isnum(v))


def _lt(vals: Sequence[object], x: float) -> int:
    return sum(1 for v in vals if _isnum(v) and v < x)


def _gt(vals: Sequence[object], x: float) -> int:
    return sum(1 for v in vals if _isnum(v) and v > x)


def _key(v: object) -> str:
    if _isnum(v) and float(v).is_integer():
        v = int(v)
    return str(v).strip().casefold()


def _duplicates(vals: Sequence[object]) -> int:
    keys = [_key(v) for v in vals if v is not None and v != ""]
    n = Counter(keys)
    return sum(1 for k in keys if n[k] > 1)


def _unknown(vals: Sequence[object], known: Sequence[object]) -> int:
    codes = {_key(v) for v in known if v is not None and v != ""}
    return sum(1 for v in vals if v is not None and v != "" and _key(v) not in codes)


def _setting(t: RawTables, key: str) -> float:
    """Numeric value of a setting as INDEX/MATCH sees it in a comparison (blank → 0)."""
    kv = t.get("tblSettings", {})
    for k, v in zip(kv.get("key", ()), kv.get("value", ()), strict=False):
        if k == key:
            return float(v) if _isnum(v) else (0.0 if v is None or v == "" else float("inf"))
    return 0.0


def _col(t: RawTables, table: str, key: str) -> Sequence[object]:
    return t.get(table, {}).get(key, ())


def _cols(t: RawTables, table: str, keys: Sequence[str]) -> list[object]:
    out: list[object] = []
    for k in keys:
        out.extend(_col(t, table, k))
    return out


class _Refs:
    """Builds absolute, sheet-qualified ranges for formulas from the layout of each table."""

    def __init__(self, language: str, rows: Mapping[str, int]) -> None:
        self.language = language
        self.rows = rows

    def layout(self, table: str) -> TableLayout:
        return TableLayout.of(TABLES[table], self.rows.get(table, 0))

    def __call__(self, table: str, key: str, to_key: str | None = None) -> str:
        sheet = SHEETS[TABLES[table].sheet].label(self.language)
        return f"{quote_sheet(sheet)}!{self.layout(table).span_range(key, to_key)}"

    def matrix(self, table: str) -> str:
        """The data block of a matrix table: one column per written row (square), span rows."""
        lay = self.layout(table)
        n = max(1, self.rows.get(table, 0))
        sheet = SHEETS[TABLES[table].sheet].label(self.language)

        a, b = column_letter(lay.first_col + 1), column_letter(lay.first_col + n)
        return f"{quote_sheet(sheet)}!${a}${lay.first_row}:${b}${lay.last_span_row}"

    def setting(self, key: str) -> str:
        return f'INDEX({self("tblSettings", "value")},MATCH("{key}",{self("tblSettings", "key")},0))'


@dataclass(frozen=True)
class Check:
    """One numbered check: a formula for the checks sheet and the same count in Python."""

    id: str
    description_nb: str
    description_en: str
    formula: Callable[[_Refs], str]
    count: Callable[[RawTables], int]

    def description(self, language: str) -> str:
        return self.description_nb if language == "nb" else self.description_en


_ZF = ("FK", "DK", "EUF_K", "IUF_K", "EIFU_share", "EIFN_total")
_YF = ("FR", "DR", "EUF_R", "IUF_R", "EIFN_R", "EIFU_total")
_ZONE_TABLES = ("tblPopulation", "tblRogersCastro", "tblZoneFactors")
_ZONE_TABLES_3 = (
    "tblTargets", "tblLabourZones", "tblJobs", "tblStockByPeriod", "tblStockByType",
    "tblHousingZones", "tblBuilding", "tblDistances", "tblIncome",
)  # fmt: skip


def _c02(t: RawTables) -> int:
    nz = _counta(_col(t, "tblZones", "zone_code"))
    return 1 if nz == 0 else abs(_counta(_col(t, "tblPopulation", "zone_code")) - 100 * nz)


def _c10(t: RawTables) -> int:
    base, hor = _setting(t, "base_year"), _setting(t, "horizon")
    yr = _col(t, "tblYearFactors", "year")
    if abs(base) == float("inf") or abs(hor) == float("inf"):
        return 1  # a text base year or horizon: Excel shows #VALUE!, i.e. not OK (int(inf) raised)
    return int(
        abs(_counta(yr) - _gt(yr, hor) - (hor - base)) + _lt(yr, base + 1) + _duplicates(yr)
    )


def _c14(t: RawTables) -> int:
    sb = _setting(t, "share_boys")
    return 1 if sb <= 0 or sb >= 1 else 0


def _sumnum(vals: Sequence[object]) -> float:
    return sum(float(v) for v in vals if _isnum(v))


def _matrix_values(t: RawTables, table: str) -> list[object]:
    """Every value of a matrix table except its key column."""
    out: list[object] = []
    for k, vals in t.get(table, {}).items():
        if k != "zone_code":
            out.extend(vals)
    return out


def _c16(t: RawTables) -> int:
    yr = _col(t, "tblTargets", "year")
    return _lt(yr, _setting(t, "base_year") + 1)


def _c21(t: RawTables) -> int:
    a = _sumnum(_col(t, "tblStockByPeriod", "dwellings"))
    b = _sumnum(_col(t, "tblStockByType", "dwellings"))
    tol = 0.5 * max(1, _counta(_col(t, "tblZones", "zone_code")))
    return 1 if abs(a - b) > tol else 0


def _c24(t: RawTables) -> int:
    n = _counta(_col(t, "tblDistances", "zone_code"))
    return 0 if n == 0 else abs(n - _counta(_col(t, "tblZones", "zone_code")))


CHECKS: tuple[Check, ...] = (
    Check(
        "C01", "Negative tall i befolkningen", "Negative numbers in the population",
        lambda r: f'COUNTIF({r("tblPopulation", "males", "females")},"<0")',
        lambda t: _lt(_cols(t, "tblPopulation", ("males", "females")), 0),
    ),
    Check(
        "C02", "Befolkningsrader ≠ 100 × antall soner (eller ingen soner)",
        "Population rows ≠ 100 × number of zones (or no zones)",
        lambda r: f'IF(COUNTA({r("tblZones", "zone_code")})=0,1,'
        f'ABS(COUNTA({r("tblPopulation", "zone_code")})-100*COUNTA({r("tblZones", "zone_code")})))',
        _c02,
    ),
    Check(
        "C03", "Aldre utenfor 0–99 i befolkningen", "Ages outside 0–99 in the population",
        lambda r: f'COUNTIF({r("tblPopulation", "age")},"<0")+COUNTIF({r("tblPopulation", "age")},">99")',
        lambda t: _lt(_col(t, "tblPopulation", "age"), 0) + _gt(_col(t, "tblPopulation", "age"), 99),
    ),
    Check(
        "C04", "Sonekoder som står mer enn én gang i Soner", "Zone codes listed more than once in Zones",
        lambda r: f'SUMPRODUCT(({r("tblZones", "zone_code")}<>"")*'
        f'(COUNTIF({r("tblZones", "zone_code")},{r("tblZones", "zone_code")})>1))',
        lambda t: _duplicates(_col(t, "tblZones", "zone_code")),
    ),
    Check(
        "C05", "Ukjente sonekoder i befolkning, flytteparametre og sonefaktorer",
        "Unknown zone codes in population, migration parameters and zone factors",
        lambda r: "+".join(
            f'SUMPRODUCT(({r(tb, "zone_code")}<>"")*(COUNTIF({r("tblZones", "zone_code")},{r(tb, "zone_code")})=0))'
            for tb in _ZONE_TABLES
        ),
        lambda t: sum(
            _unknown(_col(t, tb, "zone_code"), _col(t, "tblZones", "zone_code")) for tb in _ZONE_TABLES
        ),
    ),
    Check(
        "C06", "Dødssannsynligheter utenfor 0–1", "Death probabilities outside 0–1",
        lambda r: f'COUNTIF({r("tblDeathProb", "male", "female")},"<0")'
        f'+COUNTIF({r("tblDeathProb", "male", "female")},">1")',
        lambda t: _lt(_cols(t, "tblDeathProb", ("male", "female")), 0)
        + _gt(_cols(t, "tblDeathProb", ("male", "female")), 1),
    ),
    Check(
        "C07", "Negative fødselsrater, nivåfaktorer, innvandring eller innflytting",
        "Negative fertility rates, level factors, immigration or in-migration",
        lambda r: f'COUNTIF({r("tblFertilityRates", "rate")},"<0")'
        f'+COUNTIF({r("tblZoneFactors", _ZF[0], _ZF[-1])},"<0")'
        f'+COUNTIF({r("tblYearFactors", _YF[0], _YF[-1])},"<0")',
        lambda t: _lt(_col(t, "tblFertilityRates", "rate"), 0)
        + _lt(_cols(t, "tblZoneFactors", _ZF), 0) + _lt(_cols(t, "tblYearFactors", _YF), 0),
    ),
    Check(
        "C08", "Sonenes andeler av innvandringen summerer ikke til 1",
        "Zone shares of immigration do not sum to 1",
        lambda r: f'IF(ABS(SUM({r("tblZoneFactors", "EIFU_share")})-1)>{SHARE_TOL},1,0)',
        lambda t: 1 if abs(_sumnum(_col(t, "tblZoneFactors", "EIFU_share")) - 1) > SHARE_TOL else 0,
    ),
    Check(
        "C09", "Sluttåret er ikke etter basisåret", "The horizon is not after the base year",
        lambda r: f'IF({r.setting("horizon")}<={r.setting("base_year")},1,0)',
        lambda t: 1 if _setting(t, "horizon") <= _setting(t, "base_year") else 0,
    ),
    Check(
        "C10", "Årsfaktorene dekker ikke årene basisår+1 … sluttår nøyaktig én gang",
        "Year factors do not cover base year+1 … horizon exactly once",
        # Rows after the horizon are allowed (not used; the reader says so): a planner may
        # shorten the horizon without deleting rows.
        lambda r: f'ABS(COUNTA({r("tblYearFactors", "year")})'
        f'-COUNTIF({r("tblYearFactors", "year")},">"&{r.setting("horizon")})'
        f'-({r.setting("horizon")}-{r.setting("base_year")}))'
        f'+COUNTIF({r("tblYearFactors", "year")},"<"&({r.setting("base_year")}+1))'
        f'+SUMPRODUCT(({r("tblYearFactors", "year")}<>"")*'
        f'(COUNTIF({r("tblYearFactors", "year")},{r("tblYearFactors", "year")})>1))',
        _c10,
    ),
    Check(
        "C11", "Negative Rogers–Castro-parametre", "Negative Rogers–Castro parameters",
        lambda r: f'COUNTIF({r("tblRogersCastro", "a1", "lambda4")},"<0")',
        lambda t: _lt(
            _cols(t, "tblRogersCastro", TABLES["tblRogersCastro"].column_keys[3:16]), 0
        ),
    ),
    Check(
        "C12", "Rogers–Castro-rader ≠ 5 strømmer × 2 kjønn × antall soner",
        "Rogers–Castro rows ≠ 5 flows × 2 sexes × number of zones",
        lambda r: f'ABS(COUNTA({r("tblRogersCastro", "flow")})-10*COUNTA({r("tblZones", "zone_code")}))',
        lambda t: abs(_counta(_col(t, "tblRogersCastro", "flow")) - 10 * _counta(_col(t, "tblZones", "zone_code"))),
    ),
    Check(
        "C13", "Rader med sonefaktorer ≠ antall soner", "Zone-factor rows ≠ number of zones",
        lambda r: f'ABS(COUNTA({r("tblZoneFactors", "zone_code")})-COUNTA({r("tblZones", "zone_code")}))',
        lambda t: abs(_counta(_col(t, "tblZoneFactors", "zone_code")) - _counta(_col(t, "tblZones", "zone_code"))),
    ),
    Check(
        "C14", "Andel gutter er ikke mellom 0 og 1", "Share of boys is not between 0 and 1",
        lambda r: f'IF(OR({r.setting("share_boys")}<=0,{r.setting("share_boys")}>=1),1,0)',
        _c14,
    ),
    Check(
        "C15", "Manglende dødssannsynligheter (200 ventet)", "Missing death probabilities (200 expected)",
        lambda r: f'ABS(200-COUNT({r("tblDeathProb", "male", "female")}))',
        lambda t: abs(200 - _count(_cols(t, "tblDeathProb", ("male", "female")))),
    ),
    # --- targets, labour, housing, distances; ids are stable ------------------------
    Check(
        "C16", "Mål for år før basisår+1", "Targets for years before base year+1",
        # Targets after the horizon are allowed (not used; the reader says so).
        lambda r: f'COUNTIF({r("tblTargets", "year")},"<"&({r.setting("base_year")}+1))',
        _c16,
    ),
    Check(
        "C17", "Ukjente sonekoder i mål, arbeidsmarked, boliger og avstander",
        "Unknown zone codes in targets, labour market, housing and distances",
        lambda r: "+".join(
            f'SUMPRODUCT(({r(tb, "zone_code")}<>"")*(COUNTIF({r("tblZones", "zone_code")},{r(tb, "zone_code")})=0))'
            for tb in _ZONE_TABLES_3
        ),
        lambda t: sum(
            _unknown(_col(t, tb, "zone_code"), _col(t, "tblZones", "zone_code")) for tb in _ZONE_TABLES_3
        ),
    ),
    Check(
        "C18", "Yrkesdeltakelse utenfor 0–1", "Participation rates outside 0–1",
        lambda r: f'COUNTIF({r("tblParticipation", "males", "females")},"<0")'
        f'+COUNTIF({r("tblParticipation", "males", "females")},">1")',
        lambda t: _lt(_cols(t, "tblParticipation", ("males", "females")), 0)
        + _gt(_cols(t, "tblParticipation", ("males", "females")), 1),
    ),
    Check(
        "C19", "Negative arbeidsplasser, sonefaktorer eller kjernependling",
        "Negative jobs, zone factors or core commuting",
        lambda r: f'COUNTIF({r("tblJobs", "jobs")},"<0")+COUNTIF({r("tblLabourZones", "YK", "KIP")},"<0")',
        lambda t: _lt(_col(t, "tblJobs", "jobs"), 0) + _lt(_cols(t, "tblLabourZones", ("YK", "KUP", "KIP")), 0),
    ),
    Check(
        "C20", "Negative boligtall eller avgangsandeler utenfor 0–1",
        "Negative dwelling counts or demolition shares outside 0–1",
        lambda r: f'COUNTIF({r("tblStockByPeriod", "dwellings")},"<0")'
        f'+COUNTIF({r("tblStockByType", "dwellings")},"<0")+COUNTIF({r("tblBuilding", "dwellings")},"<0")'
        f'+COUNTIF({r("tblHousingZones", "AVGE", "AVGN")},"<0")'
        f'+COUNTIF({r("tblHousingZones", "AVGE", "AVGN")},">1")',
        lambda t: _lt(_col(t, "tblStockByPeriod", "dwellings"), 0) + _lt(_col(t, "tblStockByType", "dwellings"), 0)
        + _lt(_col(t, "tblBuilding", "dwellings"), 0) + _lt(_cols(t, "tblHousingZones", ("AVGE", "AVGN")), 0)
        + _gt(_cols(t, "tblHousingZones", ("AVGE", "AVGN")), 1),
    ),
    Check(
        "C21", "Boliger etter byggeperiode ≠ boliger etter hustype (regionen, ± 0,5 per sone)",
        "Dwellings by period ≠ dwellings by type (region, ± 0.5 per zone)",
        lambda r: f'IF(ABS(SUM({r("tblStockByPeriod", "dwellings")})-SUM({r("tblStockByType", "dwellings")}))'
        f'>0.5*IF(COUNTA({r("tblZones", "zone_code")})=0,1,COUNTA({r("tblZones", "zone_code")})),1,0)',
        _c21,
    ),
    Check(
        "C22", "Sivilstandsandeler utenfor 0–1 eller negative boligbehovsrater",
        "Civil-status shares outside 0–1 or negative housing-need rates",
        lambda r: f'COUNTIF({r("tblHousingNeed", "SIVRAT")},"<0")+COUNTIF({r("tblHousingNeed", "SIVRAT")},">1")'
        f'+COUNTIF({r("tblHousingNeed", "BOLRAT")},"<0")',
        lambda t: _lt(_col(t, "tblHousingNeed", "SIVRAT"), 0) + _gt(_col(t, "tblHousingNeed", "SIVRAT"), 1)
        + _lt(_col(t, "tblHousingNeed", "BOLRAT"), 0),
    ),
    Check(
        "C23", "Negative avstander", "Negative distances",
        lambda r: f'COUNTIF({r.matrix("tblDistances")},"<0")',
        lambda t: _lt(_matrix_values(t, "tblDistances"), 0),
    ),
    Check(
        "C24", "Avstandsmatrisens rader ≠ antall soner (når den er fylt ut)",
        "Distance-matrix rows ≠ number of zones (when filled in)",
        lambda r: f'IF(COUNTA({r("tblDistances", "zone_code")})=0,0,'
        f'ABS(COUNTA({r("tblDistances", "zone_code")})-COUNTA({r("tblZones", "zone_code")})))',
        _c24,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check: ``count`` problems (0 = OK)."""

    id: str
    description: str
    count: int

    @property
    def ok(self) -> bool:
        return self.count == 0


def check_formula(check: Check, language: str, rows: Mapping[str, int]) -> str:
    """The Excel formula (with leading ``=``) of ``check`` for a workbook whose tables hold
    ``rows[table]`` data rows (tables not listed hold their minimum)."""
    return "=" + check.formula(_Refs(language, rows))


def checks_layout(n_checks: int | None = None) -> TableLayout:
    """Layout of the checks table (value column address of each check)."""
    return TableLayout.of(CHECKS_TABLE, len(CHECKS) if n_checks is None else n_checks)


def run_checks(data: RawTables, *, language: str = "en") -> list[CheckResult]:
    """Run every check in Python.

    Parameters
    ----------
    data
        Raw tables (table key → column key → cell values, as the reader extracts them; for a
        :class:`~regbef_excel.engine.inputs.ProjectionInputs` the tables the template builder
        would write: :func:`regbef_excel.io.rows.inputs_to_raw_tables`).
    language
        Language of the descriptions.

    Returns
    -------
    list of CheckResult
        One per check, in id order; ``count == 0`` means OK.
    """
    return [CheckResult(c.id, c.description(language), int(c.count(data))) for c in CHECKS]


def table_of(key: str) -> Table:
    """The schema table for an Excel table name (``KeyError`` if unknown)."""
    return TABLES[key]
