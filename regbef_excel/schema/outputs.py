"""The output side of the workbook contract: result sheets, their columns, labels and formats.

Everything the results writer (:mod:`regbef_excel.io.write.results`) and its charts
(:mod:`regbef_excel.io.write.charts`) put into a workbook is named here: sheet keys and names,
titles and units, column keys with Norwegian (bokmål, default) and English labels, number
formats and column widths. Keys are stable across languages; labels are not, so code and tests
look sheets and columns up by key.

Vocabulary follows PANDA/REGBEF (handbook §1.2.4): EUF out of the region, EIFU immigration from
abroad, EIFN in-migration from the rest of Norway, IUF/IIF internal out-/in-migration between
zones of the region.
"""

from __future__ import annotations

from dataclasses import dataclass

from regbef_excel.schema.base import LANGUAGES, Language, Text, check_language

#: Number formats. Persons are shown whole (the engine keeps fractions); rates and indices
#: with one decimal. The pyramid format hides the minus sign of the males' helper values.
FMT_PERSONS = "#,##0"
FMT_SIGNED_PERSONS = "#,##0;-#,##0"
FMT_ONE_DECIMAL = "0.0"
FMT_PERCENT = "0.0 %"
FMT_PYRAMID = "#,##0;#,##0"
FMT_YEAR = "0"
FMT_TEXT = "@"


@dataclass(frozen=True)
class OutputColumn:
    """One column of an output table.

    Attributes
    ----------
    key : str
        Stable identifier (matches the tidy-table column of :class:`Projection` where one exists).
    label : Text
        Header text.
    number_format : str
        Excel number format of the data cells.
    width : float
        Column width in Excel character units.
    """

    key: str
    label: Text
    number_format: str = FMT_PERSONS
    width: float = 11.0


@dataclass(frozen=True)
class OutputSheet:
    """One output sheet: its name, the title row and the unit line, its fixed columns.

    Year columns (one per calendar year, left to right) follow ``columns`` where a sheet has them.
    """

    key: str
    name: Text
    title: Text
    unit: Text
    columns: tuple[OutputColumn, ...] = ()
    year_width: float = 9.0

    def column(self, key: str) -> OutputColumn:
        """The column with ``key``."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"sheet {self.key!r} has no column {key!r}")

    def headers(self, language: str) -> list[str]:
        """Header labels of the fixed columns."""
        return [c.label.get(language) for c in self.columns]


# --------------------------------------------------------------------------- shared labels
#: Layout shared by every output sheet: title in row 1, unit line in row 2, header row 4.
TITLE_ROW = 1
UNIT_ROW = 2
HEADER_ROW = 4
FIRST_DATA_ROW = HEADER_ROW + 1

REGION = Text("Hele regionen", "Whole region")
SEX_LABELS: dict[int, Text] = {0: Text("Menn", "Males"), 1: Text("Kvinner", "Females")}

ZONE_CODE = OutputColumn("zone_code", Text("Sonenr.", "Zone code"), FMT_TEXT, 10.0)
ZONE_NAME = OutputColumn("zone_name", Text("Sone", "Zone"), FMT_TEXT, 22.0)
YEAR = OutputColumn("year", Text("År", "Year"), FMT_YEAR, 7.0)

#: Components of change, in the order of the balancing equation (handbook §3.16).
COMPONENT_COLUMNS: tuple[OutputColumn, ...] = (
    OutputColumn("start", Text("Folkemengde 1.1.", "Population 1 Jan"), width=13.0),
    OutputColumn("births", Text("Fødte", "Births")),
    OutputColumn("deaths", Text("Døde", "Deaths")),
    OutputColumn("EUF", Text("Utflytting til resten av landet og utlandet",
                             "Out-migration to the rest of Norway and abroad"), width=15.0),  # one flow (EUF)
    OutputColumn("EIFU", Text("Innvandring", "Immigration from abroad"), width=12.0),
    OutputColumn(
        "EIFN", Text("Innflytting fra resten av Norge", "In-migration from rest of Norway"), width=14.0
    ),
    OutputColumn("IUF", Text("Intern utflytting", "Internal out-migration")),
    OutputColumn("IIF", Text("Intern innflytting", "Internal in-migration")),
    OutputColumn("leavers", Text("Ut over høyeste alder", "Left above oldest age"), width=12.0),
    OutputColumn("end", Text("Folkemengde 31.12.", "Population 31 Dec"), width=13.0),
    OutputColumn(
        "net_external", Text("Netto flytting over regiongrensen", "Net external migration"),
        FMT_SIGNED_PERSONS, 15.0,
    ),
    OutputColumn(
        "net_internal", Text("Netto intern flytting", "Net internal migration"), FMT_SIGNED_PERSONS
    ),
    OutputColumn("growth", Text("Folkevekst", "Population growth"), FMT_SIGNED_PERSONS),
)
#: Sign of each component in the balancing equation end = start + Σ sign × component.
COMPONENT_SIGNS: dict[str, int] = {
    "births": +1, "deaths": -1, "EUF": -1, "EIFU": +1, "EIFN": +1, "IUF": -1, "IIF": +1,
    "leavers": -1,
}  # fmt: skip
#: Formula column on the components sheet: end − (start + Σ sign × component); 0 = balanced.
BALANCE_CHECK = OutputColumn(
    "check", Text("Kontroll (0 = OK)", "Check (0 = OK)"), "0.000;-0.000;0", 11.0
)

# --------------------------------------------------------------------------- the sheets
POPULATION_SUMMARY = OutputSheet(
    key="population_summary",
    name=Text("Folkemengde", "Population totals"),
    title=Text("Folkemengde etter sone og år", "Population by zone and year"),
    unit=Text(
        "Personer per 31.12. (basisåret først). Diagrammer under tabellen.",
        "Persons on 31 Dec (base year first). Charts below the table.",
    ),
    columns=(
        ZONE_CODE,
        ZONE_NAME,
    ),
)
#: Columns after the year columns of the summary sheet.
SUMMARY_CHANGE = OutputColumn(
    "change", Text("Endring {first}–{last}", "Change {first}–{last}"), FMT_SIGNED_PERSONS, 12.0
)
SUMMARY_CHANGE_PCT = OutputColumn("change_pct", Text("Endring %", "Change %"), FMT_PERCENT, 10.0)

POPULATION_DETAIL = OutputSheet(
    key="population_detail",
    name=Text("Befolkning detaljert", "Population detail"),
    title=Text(
        "Folkemengde etter sone, kjønn, alder og år", "Population by zone, sex, age and year"
    ),
    unit=Text(
        "Personer per 31.12. Høyeste alder er en åpen gruppe (den alderen og eldre).",
        "Persons on 31 Dec. The oldest age is an open group (that age and older).",
    ),
    columns=(
        ZONE_CODE,
        ZONE_NAME,
        OutputColumn("sex", Text("Kjønn", "Sex"), FMT_TEXT, 9.0),
        OutputColumn("age", Text("Alder", "Age"), "0", 7.0),
    ),
)

COMPONENTS = OutputSheet(
    key="components",
    name=Text("Komponenter", "Components"),
    title=Text(
        "Befolkningsregnskap: komponenter i befolkningsendringen etter sone og år",
        "Components of population change by zone and year",
    ),
    unit=Text(
        "Personer per år. Folkemengde 31.12. = 1.1. + fødte − døde − utflytting + innvandring "
        "+ innflytting − intern utflytting + intern innflytting − ut over høyeste alder.",
        "Persons per year. Population 31 Dec = 1 Jan + births − deaths − out-migration "
        "+ immigration + in-migration − internal out + internal in − left above oldest age.",
    ),
    columns=(ZONE_CODE, ZONE_NAME, YEAR, *COMPONENT_COLUMNS, BALANCE_CHECK),
)

AGE_GROUPS = OutputSheet(
    key="age_groups",
    name=Text("Aldersgrupper", "Age groups"),
    title=Text(
        "Folkemengde i aldersgrupper for tjenesteplanlegging",
        "Population in age groups for service planning",
    ),
    unit=Text(
        "Personer per 31.12. i SSBs standard aldersgrupper, summer for tjenesteplanlegging og "
        "forsørgerbrøker. Hele regionen øverst med diagrammer, deretter hver sone.",
        "Persons on 31 Dec in SSB's standard age groups, sums for service planning and dependency "
        "ratios. The whole region first with charts, then every zone.",
    ),
    columns=(ZONE_CODE, ZONE_NAME, OutputColumn("group", Text("Aldersgruppe", "Age group"), FMT_TEXT, 24.0)),
)

PYRAMID = OutputSheet(
    key="pyramid",
    name=Text("Befolkningspyramide", "Population pyramid"),
    title=Text(
        "Befolkningspyramide og aldersgrupper for valgt sone: basisår, sluttår og valgt år",
        "Population pyramid and age groups of a chosen zone: base year, final year and a chosen year",
    ),
    unit=Text(
        "Personer per 31.12. etter alder. Menn er lagret som negative tall for diagrammet.",
        "Persons on 31 Dec by age. Males are stored as negative numbers for the chart.",
    ),
    columns=(OutputColumn("age", Text("Alder", "Age"), "0", 7.0),),
)
#: Pyramid helper columns: one per sex and year ({year} is filled in).
PYRAMID_SERIES = Text("{sex} {year}", "{sex} {year}")

RUN_LOG = OutputSheet(
    key="run_log",
    name=Text("Kjørelogg", "Run log"),
    title=Text("Kjørelogg", "Run log"),
    unit=Text(
        "Hva som ble kjørt, når, med hvilke inndata og hvilken versjon.",
        "What was run, when, with which inputs and which version.",
    ),
    columns=(
        OutputColumn("item", Text("Punkt", "Item"), FMT_TEXT, 38.0),
        OutputColumn("value", Text("Verdi", "Value"), FMT_TEXT, 90.0),
    ),
)

#: Run log items in display order (key -> label).
RUN_LOG_ITEMS: dict[str, Text] = {
    "time_utc": Text("Tidspunkt (UTC)", "Time (UTC)"),
    "engine_version": Text("Modellversjon (regbef_excel)", "Engine version (regbef_excel)"),
    "schema_version": Text("Skjemaversjon", "Schema version"),
    "input_path": Text("Inndatafil", "Input file"),
    "input_file_sha256": Text("SHA-256 av inndatafilen", "SHA-256 of the input file"),
    "inputs_sha256": Text("SHA-256 av modellinndata", "SHA-256 of the model inputs"),
    "variant": Text("Modellvariant", "Model variant"),
    "base_year": Text("Basisår", "Base year"),
    "horizon": Text("Sluttår", "Final year"),
    "n_zones": Text("Antall soner", "Number of zones"),
    "population_base": Text("Folkemengde basisår", "Population, base year"),
    "population_final": Text("Folkemengde sluttår", "Population, final year"),
    "capped": Text("Avkortet utflytting (personer, celler)", "Capped out-migration (persons, cells)"),
    "checks": Text("Kontroller", "Checks"),
    "n_warnings": Text("Antall advarsler", "Number of warnings"),
}
RUN_LOG_WARNINGS = Text("Advarsler", "Warnings")
RUN_LOG_NO_WARNINGS = Text("Ingen advarsler", "No warnings")
RUN_LOG_NOT_GIVEN = Text("(ikke oppgitt)", "(not given)")

#: Output sheets in workbook order (after the input sheets, before checks and lists).
OUTPUT_SHEETS: tuple[OutputSheet, ...] = (
    POPULATION_SUMMARY,
    POPULATION_DETAIL,
    COMPONENTS,
    AGE_GROUPS,
    PYRAMID,
    RUN_LOG,
)
OUTPUT_SHEETS_BY_KEY: dict[str, OutputSheet] = {s.key: s for s in OUTPUT_SHEETS}


def output_sheet_names(language: str = "nb") -> dict[str, str]:
    """Sheet key -> sheet name in ``language``."""
    return {s.key: s.name.get(language) for s in OUTPUT_SHEETS}


# --------------------------------------------------------------------------- chart texts
CHART_TEXTS: dict[str, Text] = {
    "region_total": Text("Folkemengde i hele regionen", "Population of the whole region"),
    "zones_all": Text("Folkemengde etter sone", "Population by zone"),
    "zones_largest": Text(
        "Folkemengde i de {n} største sonene (av {k})", "Population of the {n} largest zones (of {k})"
    ),
    "persons": Text("Personer", "Persons"),
    "year": Text("År", "Year"),
    "components": Text(
        "Hele regionen: befolkningsendringen",
        "Whole region: components of change",
    ),
    "components_data": Text(
        "Diagramdata: hele regionen, utstrømmer negative (interne flyttinger går i null)",
        "Chart data: whole region, outflows negative (internal moves cancel out)",
    ),
    "age_index": Text(
        "Hele regionen: aldersgrupper, indeks (basisår = 100)",
        "Whole region: age groups, index (base year = 100)",
    ),
    "age_index_data": Text(
        "Diagramdata: hele regionen, indeks (basisår = 100)",
        "Chart data: whole region, index (base year = 100)",
    ),
    "index": Text("Indeks", "Index"),
    "pyramid": Text("Befolkningspyramide {year}", "Population pyramid {year}"),
    "age": Text("Alder", "Age"),
}

# --------------------------------------------------------------------------- market-model sheets
# Written only when the projection has the data (series / matrices), after the sheets above and
# before the run log. Layout as above: title row 1, unit row 2, header row 4, data from row 5.
MEASURE = OutputColumn("measure", Text("Størrelse", "Measure"), FMT_TEXT, 34.0)

HOUSING_RESULTS = OutputSheet(
    key="housing_results",
    name=Text("Boliger resultat", "Housing results"),
    title=Text("Boliger: beholdning, avgang, bygging og behov etter sone og år",
               "Housing: stock, demolition, building and need by zone and year"),
    unit=Text(
        "Boliger. Beholdning og behov per 31.12. (basisåret først); avgang og bygging i løpet av "
        "året. Byggebehov = max(behov − beholdning, 0). Diagram under regionens rader.",
        "Dwellings. Stock and need on 31 Dec (base year first); demolition and building during the "
        "year. Building need = max(need − stock, 0). Chart under the region's rows.",
    ),
    columns=(ZONE_CODE, ZONE_NAME, MEASURE),
)
#: Series shown on the housing sheet (Projection.series keys), in display order.
HOUSING_MEASURES: dict[str, Text] = {
    "housing_stock": Text("Boligmasse (BOLMAS)", "Housing stock (BOLMAS)"),
    "demolition": Text("Avgang (AVGANG)", "Demolition"),
    "building": Text("Realisert bygging (BOLBYGG)", "Realised building"),
    "building_programme": Text("Byggeprogram (BOLBYG)", "Building programme"),
    "housing_need": Text("Boligbehov (BOLBEH)", "Housing need (BOLBEH)"),
    "building_need": Text("Byggebehov (BOLBB)", "Building need (BOLBB)"),
}
LABOUR_RESULTS = OutputSheet(
    key="labour_results",
    name=Text("Arbeidskraft", "Labour"),
    title=Text("Arbeidskraft, arbeidsplasser, pendling og arbeidsflytting etter sone og år",
               "Labour supply, jobs, commuting and labour migration by zone and year"),
    unit=Text(
        "Personer. Arbeidskraft og arbeidsplasser per år (basisåret først); netto innpendling og "
        "arbeidsflytting (personer inkl. familie) i løpet av året. Diagram under regionens rader.",
        "Persons. Labour supply and jobs per year (base year first); net in-commuting and labour "
        "migration (persons incl. family) during the year. Chart under the region's rows.",
    ),
    columns=(ZONE_CODE, ZONE_NAME, MEASURE),
)
LABOUR_MEASURES: dict[str, Text] = {
    "labour_supply": Text("Arbeidskraft (YRK)", "Labour supply (YRK)"),
    "jobs": Text("Arbeidsplasser (ARBPL)", "Jobs (ARBPL)"),
    "net_commuting": Text("Netto innpendling (INTPEND)", "Net in-commuting (INTPEND)"),
    "labour_migration": Text("Netto arbeidsflytting", "Net labour migration"),
    "target_net_migration": Text("Netto flytting fra mål (NF)", "Net migration from targets (NF)"),
}
MIGRATION_MATRIX = OutputSheet(
    key="migration_matrix",
    name=Text("Flyttematrise", "Migration matrix"),
    title=Text("Intern flytting mellom sonene: fra (rad) → til (kolonne)",
               "Internal migration between the zones: from (row) → to (column)"),
    unit=Text(
        "Personer. Øverst summen over framskrivingsperioden {first}–{last}, under det første året "
        "{first}. Fargeskala: mørkere = flere flyttere.",
        "Persons. Top: the sum over the projection period {first}–{last}; below: the first year "
        "{first}. Colour scale: darker = more movers.",
    ),
    columns=(ZONE_CODE, ZONE_NAME),
)
COMMUTING = OutputSheet(
    key="commuting",
    name=Text("Pendling", "Commuting"),
    title=Text("Pendling: bosted (rad) → arbeidssted (kolonne)",
               "Commuting: residence (row) → workplace (column)"),
    unit=Text(
        "Yrkesaktive. Første år {first} øverst, siste år {last} under. «Utenfor regionen» er "
        "eksternsonen som tar opp regionens ubalanse.",
        "Workers. First year {first} at the top, last year {last} below. 'Outside the region' is "
        "the external zone that absorbs the region's imbalance.",
    ),
    columns=(ZONE_CODE, ZONE_NAME),
)
MARKET_OUTPUT_SHEETS: tuple[OutputSheet, ...] = (
    HOUSING_RESULTS, LABOUR_RESULTS, MIGRATION_MATRIX, COMMUTING,
)
OUTPUT_SHEETS_BY_KEY.update({s.key: s for s in MARKET_OUTPUT_SHEETS})
MATRIX_TEXTS: dict[str, Text] = {
    "total": Text("I alt", "Total"),
    "period": Text("Sum {first}–{last}", "Sum {first}–{last}"),
    "year": Text("År {year}", "Year {year}"),
    "outside": Text("Utenfor regionen", "Outside the region"),
    "from_to": Text("Fra \\ til", "From \\ to"),
}
MARKET_CHART_TEXTS: dict[str, Text] = {
    "housing": Text("Hele regionen: boligbehov og boligmasse", "Whole region: housing need and stock"),
    "housing_data": Text("Diagramdata: hele regionen", "Chart data: whole region"),
    "labour": Text("Hele regionen: arbeidskraft og arbeidsplasser",
                   "Whole region: labour supply and jobs"),
    "dwellings": Text("Boliger", "Dwellings"),
}

# --------------------------------------------------------------------------- comparison sheets
SCENARIO_COMPARISON = OutputSheet(
    key="scenario_comparison",
    name=Text("Scenariosammenligning", "Scenario comparison"),
    title=Text("Scenariosammenligning: {a} og {b}", "Scenario comparison: {a} and {b}"),
    unit=Text(
        "Personer per 31.12. Differanse = {b} − {a}; % = differansen i prosent av {a}. "
        "Diagrammer til høyre.",
        "Persons on 31 Dec. Difference = {b} − {a}; % = the difference in per cent of {a}. "
        "Charts on the right.",
    ),
    columns=(ZONE_CODE, ZONE_NAME),
)
SCENARIO_TEXTS: dict[str, Text] = {
    "population": Text("Folkemengde etter sone", "Population by zone"),
    "age_groups": Text("Aldersgrupper, hele regionen", "Age groups, whole region"),
    "components": Text("Komponenter, hele regionen, sum {first}–{last}",
                       "Components, whole region, sum {first}–{last}"),
    "difference": Text("Differanse {b} − {a}", "Difference {b} − {a}"),
    "pct": Text("Differanse %", "Difference %"),
    "component": Text("Komponent", "Component"),
    "chart_region": Text("Hele regionen: {a} og {b}", "Whole region: {a} and {b}"),
    "chart_zones": Text("Differanse {b} − {a} i {year} etter sone",
                        "Difference {b} − {a} in {year} by zone"),
    "chart_data": Text("Diagramdata", "Chart data"),
}
BACKTEST = OutputSheet(
    key="backtest",
    name=Text("Tilbaketesting", "Back-test"),
    title=Text("Tilbaketesting: framskriving fra {base} mot observert folkemengde ({region})",
               "Back-test: projection from {base} against the observed population ({region})"),
    unit=Text(
        "Feil = framskrevet − observert (personer); % av observert. MAPE = gjennomsnittlig absolutt "
        "prosentfeil over kommunene; algebraisk = gjennomsnittlig prosentfeil med fortegn (skjevhet). "
        "Naive metoder: konstant (ingen endring) og lineær trend fra de siste årene før {base}.",
        "Error = projected − observed (persons); % of observed. MAPE = mean absolute percentage "
        "error over the municipalities; algebraic = mean signed percentage error (bias). Naive "
        "methods: constant (no change) and linear trend of the last years before {base}.",
    ),
    columns=(ZONE_CODE, ZONE_NAME),
)
BACKTEST_TEXTS: dict[str, Text] = {
    "summary": Text("Feilmål etter år fram (alle kommuner, hele befolkningen)",
                    "Error statistics by years ahead (all municipalities, total population)"),
    "by_zone": Text("Feil per kommune i {year} ({h} år fram)", "Errors per municipality in {year} ({h} years ahead)"),
    "by_group": Text("Feil etter aldersgruppe i {year}: MAPE over kommunene og regionens feil",
                     "Errors by age group in {year}: MAPE over municipalities and the region's error"),
    "chart": Text("Framskrevet og observert folkemengde {year}", "Projected and observed population {year}"),
    "chart_mape": Text("MAPE etter år fram", "MAPE by years ahead"),
    "observed": Text("Observert", "Observed"),
    "projected": Text("REGBEF", "REGBEF"),
    "naive_constant": Text("Naiv: konstant", "Naive: constant"),
    "naive_trend": Text("Naiv: trend", "Naive: trend"),
    "error": Text("Feil", "Error"),
    "pct_error": Text("Feil %", "Error %"),
    "year": Text("År", "Year"),
    "years_ahead": Text("År fram", "Years ahead"),
    "mape": Text("MAPE %", "MAPE %"),
    "mape_weighted": Text("Vektet MAPE %", "Weighted MAPE %"),
    "mean_pct_error": Text("Algebraisk feil %", "Mean algebraic error %"),
    "region_pct_error": Text("Regionens feil %", "Region error %"),
    "worst_zone": Text("Største feil", "Largest error"),
    "group": Text("Aldersgruppe", "Age group"),
    "suspect": Text("Merk: kommuner med grenseendring eller databrudd (feilene sier ikke noe om modellen): {zones}",
                    "Note: municipalities with a boundary change or data break (their errors say nothing about the model): {zones}"),
    "coverage": Text("Prediksjonsintervallene: andel observerte innenfor og median halvbredde, kommunenes folkemengde i alt",
                     "Prediction intervals: share of observed inside and median half-width, municipal total population"),
    "size_class": Text("Kommunestørrelse (basisåret)", "Municipality size (base year)"),
    "all_sizes": Text("alle", "all"),
    "n": Text("Antall", "Count"),
    "inside80": Text("Innenfor 80 % (%)", "Inside 80 % (%)"),
    "inside95": Text("Innenfor 95 % (%)", "Inside 95 % (%)"),
    "half80": Text("Median halvbredde 80 % (% av framskrevet)", "Median half-width 80 % (% of projected)"),
    "half95": Text("Median halvbredde 95 % (% av framskrevet)", "Median half-width 95 % (% of projected)"),
    "coverage_note": Text(
        "Mål: 75–85 % innenfor 80 %-intervallet og 90–98 % innenfor 95 %-intervallet. Kalibrering: {calibration}.",
        "Target: 75–85 % inside the 80 % interval and 90–98 % inside the 95 % interval. Calibration: {calibration}.",
    ),
    "calibration_shipped": Text("den som følger med (tilpasset alle fylker, dette også: ikke utenfor utvalget)",
                                "the shipped one (fitted on all counties, this one included: not out of sample)"),
    "fan_data": Text("Diagramdata: {zone}, folkemengde i alt med intervaller og observert",
                     "Chart data: {zone}, total population with intervals and observed"),
    "chart_fan": Text("Viftediagram: {zone}, framskrevet fra {base} med observert",
                      "Fan chart: {zone}, projected from {base} with observed"),
}
SSB_COMPARISON = OutputSheet(
    key="ssb_comparison",
    name=Text("SSB-sammenligning", "Comparison with SSB"),
    title=Text("REGBEF sammenlignet med SSBs framskriving ({alt}, {vintage})",
               "REGBEF compared with SSB's projection ({alt}, {vintage})"),
    unit=Text(
        "Personer. SSBs år Y (1.1.) sammenlignes med vår folkemengde 31.12. år Y − 1. "
        "Differanse = REGBEF − SSB; % av SSB.",
        "Persons. SSB's year Y (1 Jan) is compared with our population on 31 Dec of Y − 1. "
        "Difference = REGBEF − SSB; % of SSB.",
    ),
    columns=(ZONE_CODE, ZONE_NAME),
)
SSB_TEXTS: dict[str, Text] = {
    "totals": Text("Folkemengde etter kommune (alle aldre)", "Population by municipality (all ages)"),
    "groups": Text("Aldersgrupper, hele regionen", "Age groups, whole region"),
    "ours": Text("REGBEF", "REGBEF"),
    "ssb": Text("SSB", "SSB"),
    "difference": Text("Differanse", "Difference"),
    "pct": Text("Differanse %", "Difference %"),
    "chart": Text("REGBEF og SSB {year} etter kommune", "REGBEF and SSB {year} by municipality"),
    "chart_region": Text("Hele regionen: REGBEF og SSB", "Whole region: REGBEF and SSB"),
    "missing": Text("Soner uten SSB-tall: {zones}", "Zones without SSB figures: {zones}"),
    "group": Text("Aldersgruppe", "Age group"),
    "largest": Text("Gruppe med størst avvik", "Group with the largest difference"),
}


__all__ = [
    "AGE_GROUPS",
    "BALANCE_CHECK",
    "CHART_TEXTS",
    "COMPONENTS",
    "COMPONENT_COLUMNS",
    "COMPONENT_SIGNS",
    "FIRST_DATA_ROW",
    "HEADER_ROW",
    "LANGUAGES",
    "Language",
    "OUTPUT_SHEETS",
    "OUTPUT_SHEETS_BY_KEY",
    "OutputColumn",
    "OutputSheet",
    "POPULATION_DETAIL",
    "POPULATION_SUMMARY",
    "PYRAMID",
    "PYRAMID_SERIES",
    "REGION",
    "RUN_LOG",
    "RUN_LOG_ITEMS",
    "SEX_LABELS",
    "Text",
    "all_output_sheets",
    "check_language",
    "output_sheet_names",
]


# --------------------------------------------------------------------------- key figures, readable results
#: Year headers of stock tables: the value stays the year (charts and formulas use it), the cell
#: shows the reference date.
FMT_YEAR_END = '"31.12."0'
FMT_TWO_DECIMALS = "0.00"

KEY_FIGURES = OutputSheet(
    key="key_figures",
    name=Text("Nøkkeltall", "Key figures"),
    title=Text("Nøkkeltall: hva framskrivingen gir og hva den forutsetter",
               "Key figures: what the projection gives and what it assumes"),
    unit=Text(
        "Folkemengde per 31.12.; fødte, døde og flytting i løpet av året. SFT = summen av de "
        "aldersspesifikke fruktbarhetsratene framskrivingen brukte det året; forventet levealder ved "
        "fødsel fra dødssannsynlighetene den brukte (periodedødelighetstabell).",
        "Population on 31 Dec; births, deaths and migration during the year. TFR = the sum of the "
        "age-specific fertility rates the projection used that year; life expectancy at birth from "
        "the death probabilities it used (period life table).",
    ),
    columns=(
        ZONE_CODE,
        ZONE_NAME,
        YEAR,
        OutputColumn("population", Text("Folkemengde 31.12.", "Population 31 Dec"), width=12.0),
        OutputColumn("growth", Text("Folkevekst", "Population growth"), FMT_SIGNED_PERSONS, 10.0),
        OutputColumn("births", Text("Fødte", "Births"), width=8.0),
        OutputColumn("deaths", Text("Døde", "Deaths"), width=8.0),
        OutputColumn("net_internal", Text("Netto flytting innen regionen", "Net migration within the region"),
                     FMT_SIGNED_PERSONS, 12.0),
        OutputColumn("EIFN", Text("Innflytting fra resten av Norge", "In-migration from the rest of Norway"),
                     width=12.0),
        OutputColumn("EIFU", Text("Innvandring fra utlandet", "Immigration from abroad"), width=11.0),
        OutputColumn("EUF", Text("Utflytting ut av regionen (innenlands og utvandring)",
                                 "Out-migration from the region (domestic and emigration)"), width=14.0),
        OutputColumn("net_external", Text("Netto flytting over regiongrensen", "Net migration across the "
                                          "region's border"), FMT_SIGNED_PERSONS, 12.0),
        OutputColumn("tfr", Text("Samlet fruktbarhet (SFT)", "Total fertility rate (TFR)"),
                     FMT_TWO_DECIMALS, 11.0),
        OutputColumn("e0_male", Text("Forventet levealder menn", "Life expectancy men"), FMT_ONE_DECIMAL, 10.0),
        OutputColumn("e0_female", Text("Forventet levealder kvinner", "Life expectancy women"),
                     FMT_ONE_DECIMAL, 10.0),
    ),
)  # fmt: skip
OUTPUT_SHEETS = (KEY_FIGURES, *OUTPUT_SHEETS)
OUTPUT_SHEETS_BY_KEY[KEY_FIGURES.key] = KEY_FIGURES

#: Texts of the readable results (captions, notes, chart titles).
READABLE_TEXTS: dict[str, Text] = {
    "by_zone": Text("Etter sone", "By zone"),
    "base_year_blank": Text("Basisåret har ingen strømmer (tomme celler).",
                            "The base year has no flows (empty cells)."),
    "children_chart": Text("Hele regionen: barn og unge", "Whole region: children and young people"),
    "elderly_chart": Text("Hele regionen: eldre", "Whole region: the elderly"),
    "pyramid_overlay": Text("Befolkningspyramide {last} (fylte søyler) og {first} (omriss)",
                            "Population pyramid {last} (filled bars) and {first} (outline)"),
    "sum_prefix": Text("Sum", "Sum"),
    "ratio_prefix": Text("Forsørgerbrøk", "Dependency ratio"),
    "one_flow": Text(
        "Modellen skiller ikke utvandring fra innenlands utflytting ut av regionen: de er én strøm "
        "(EUF) og står derfor i én kolonne.",
        "The model does not separate emigration from domestic out-migration from the region: they "
        "are one flow (EUF) and so share one column.",
    ),
    "assumption_note": Text(
        "Merk: tallene bygger på parametere merket ANTAKELSE eller REKONSTRUERT i inndataarkene "
        "({sheets}); les dem som et regneeksempel til de er erstattet med lokale tall.",
        "Note: these figures rest on parameters marked ASSUMPTION or RECONSTRUCTED in the input "
        "sheets ({sheets}); read them as a worked example until they are replaced by local figures.",
    ),
    "checks_summary": Text("{n} kontroller, {bad} ikke OK", "{n} checks, {bad} not OK"),
}
#: Run-log items the front ends add (key -> label); step names of the timing line.
RUN_LOG_EXTRA_ITEMS: dict[str, Text] = {
    "capped_persons": Text("Avkortet utflytting i alt (personer)", "Capped out-migration in total (persons)"),
    "seconds": Text("Tidsbruk", "Time used"),
    "warnings": Text("Advarsler", "Warnings"),
}
RUN_LOG_STEPS: dict[str, Text] = {
    "read": Text("lesing", "read"),
    "validate": Text("kontroll", "validate"),
    "generate": Text("generering", "generate"),
    "project": Text("framskriving", "project"),
    "write": Text("skriving", "write"),
    "total": Text("i alt", "total"),
}


#: Sheet written by ``collect``: what each municipality changed against its distributed template.
COLLECT_CHANGES = OutputSheet(
    key="collect_changes",
    name=Text("Kommunenes endringer", "Municipal changes"),
    title=Text(
        "Innsamlede kommunemaler: endringer mot utsendt mal og virkning på folketallet",
        "Collected municipal templates: changes against the distributed template and their effect",
    ),
    unit=Text(
        "Én rad per endret inndata; folketall 31.12. i sluttåret, fylkesframskrivingen uten og med "
        "kommunens endringer.",
        "One row per changed input; population on 31 Dec of the last year, the county projection "
        "without and with the municipality's changes.",
    ),
    columns=(
        ZONE_CODE,
        ZONE_NAME,
        OutputColumn("file", Text("Fil", "File"), FMT_TEXT, 28.0),
        OutputColumn("table", Text("Tabell", "Table"), FMT_TEXT, 30.0),
        OutputColumn("what", Text("Endring", "Change"), FMT_TEXT, 40.0),
        OutputColumn("distributed", Text("Utsendt", "Distributed"), "General", 14.0),
        OutputColumn("returned", Text("Returnert", "Returned"), "General", 14.0),
        OutputColumn("baseline", Text("Folketall uten endringer", "Population without changes"), width=14.0),
        OutputColumn("collected", Text("Folketall med endringer", "Population with changes"), width=14.0),
        OutputColumn("effect", Text("Virkning", "Effect"), FMT_SIGNED_PERSONS, 11.0),
    ),
)
COLLECT_NO_CHANGES = Text("ingen endringer", "no changes")


def all_output_sheets() -> tuple[OutputSheet, ...]:
    """Every sheet a results, comparison, back-test, SSB-comparison or collect workbook adds.

    Their names are disjoint from the input sheets' names in both languages (a schema test), so
    writing results into a workbook never replaces a sheet that holds an input table.
    """
    return (*OUTPUT_SHEETS, *MARKET_OUTPUT_SHEETS, SCENARIO_COMPARISON, BACKTEST, SSB_COMPARISON,
            COLLECT_CHANGES)  # fmt: skip


# --------------------------------------------------------------------------- uncertainty (prediction intervals)
#: Measures with prediction intervals (keys of ``evaluation.intervals.MEASURES``) -> labels.
INTERVAL_MEASURES: dict[str, Text] = {
    "total": Text("Folkemengde i alt", "Total population"),
    "1-5": Text("1–5 år", "Ages 1–5"),
    "6-15": Text("6–15 år", "Ages 6–15"),
    "67+": Text("67 år og eldre", "Ages 67 and over"),
    "80+": Text("80 år og eldre", "Ages 80 and over"),
}
UNCERTAINTY = OutputSheet(
    key="uncertainty",
    name=Text("Usikkerhet", "Uncertainty"),
    title=Text("Usikkerhet: framskrivingen med 80 % og 95 % prediksjonsintervall",
               "Uncertainty: the projection with 80 % and 95 % prediction intervals"),
    unit=Text(
        "Personer per 31.12. Velg sone og størrelse i de gule cellene til høyre for tabellen; "
        "viftediagrammet følger valget. Hele regionen har sitt eget diagram under.",
        "Persons on 31 Dec. Choose a zone and a measure in the yellow cells right of the table; "
        "the fan chart follows the choice. The whole region has its own chart below it.",
    ),
    columns=(
        ZONE_CODE,
        ZONE_NAME,
        OutputColumn("measure", Text("Størrelse", "Measure"), FMT_TEXT, 18.0),
        YEAR,
        OutputColumn("horizon", Text("År fram", "Years ahead"), "0", 7.0),
        OutputColumn("projected", Text("Framskrevet", "Projected"), width=11.0),
        OutputColumn("lower95", Text("Nedre 95 %", "Lower 95 %"), width=10.0),
        OutputColumn("lower80", Text("Nedre 80 %", "Lower 80 %"), width=10.0),
        OutputColumn("upper80", Text("Øvre 80 %", "Upper 80 %"), width=10.0),
        OutputColumn("upper95", Text("Øvre 95 %", "Upper 95 %"), width=10.0),
    ),
)  # fmt: skip
#: Texts of the uncertainty sheet: the note on what the intervals mean, selector and chart texts.
UNCERTAINTY_TEXTS: dict[str, Text] = {
    "note": Text(
        "Slik leses intervallene: de er empiriske, laget av modellens egne feil. REGBEF ble "
        "tilbaketestet for alle kommuner i alle fylker fra hvert basisår 2007–2024 fram til 2025, "
        "bare med opplysninger som fantes i basisåret, og fordelingen av feilene etter år fram, "
        "kommunestørrelse, svingninger i veksten de siste fem årene og aldersgruppe er intervallet. "
        "Testet på fylker modellen ikke var tilpasset, lå 78–80 % av de observerte tallene innenfor "
        "80 %-intervallet og 93–95 % innenfor 95 %-intervallet, 5 og 10 år fram. Modellen tilpasset "
        "bare feil kjent i 2015 traff dårligere i senere år (55–63 % og 81–84 %): store "
        "nasjonale sjokk som flyktningankomstene 2022–2023 treffer alle kommuner samtidig, og "
        "intervallet rommer dem bare så langt historikken har sett dem. Utover 16 år fram finnes "
        "ingen observerte feil: der er intervallene forlenget (bredden vokser høyst lineært med "
        "årene), ikke målt. Intervallet for 1–5 år ligger mest under framskrivingen fordi modellen "
        "tidligere har overvurdert de yngste.",
        "How to read the intervals: they are empirical, made from the model's own errors. REGBEF was "
        "back-tested for every municipality of every county from each base year 2007–2024 to 2025, "
        "using only what was known at the base year, and the distribution of its errors by years "
        "ahead, municipality size, recent growth volatility (five years) and age group is the "
        "interval. Tested on counties the model was not fitted to, 78–80 % of the observed numbers "
        "lay inside the 80 % interval and 93–95 % inside the 95 % interval, 5 and 10 years ahead. "
        "The model fitted only on errors known by 2015 did worse in later years (55–63 % and "
        "81–84 %): large national shocks such as the refugee arrivals of 2022–2023 hit all "
        "municipalities at once, and the interval holds them only as far as the record has seen "
        "them. Beyond 16 years ahead there are no observed errors: there the intervals are "
        "extrapolated (the width grows at most linearly with the years), not measured. The interval "
        "for ages 1–5 lies mostly below the projection because the model has over-projected the "
        "youngest before.",
    ),
    "choose_zone": Text("Velg sone", "Choose zone"),
    "choose_measure": Text("Velg størrelse", "Choose measure"),
    "chart_data": Text("Diagramdata: valgt sone og størrelse, endring fra basisåret (formler fra tabellen)",
                       "Chart data: chosen zone and measure, change from the base year (formulas from the table)"),
    "change_axis": Text("Endring fra {base}, personer", "Change from {base}, persons"),
    "region_data": Text("Diagramdata: hele regionen, folkemengde i alt", "Chart data: whole region, total population"),
    "chart": Text("Viftediagram: {zone}, {measure}", "Fan chart: {zone}, {measure}"),
    "chart_selected": Text("Valgt sone og størrelse: endring fra basisåret med 80 % og 95 % intervall",
                           "Chosen zone and measure: change from the base year with 80 % and 95 % intervals"),
    "base": Text("(usynlig grunnlag)", "(invisible base)"),
    "band95": Text("95 %-intervall", "95 % interval"),
    "band80": Text("80 %-intervall", "80 % interval"),
    "band95_upper": Text("95 %-intervall, øvre del", "95 % interval, upper part"),
    "projected": Text("Framskrevet", "Projected"),
    "no_intervals": Text("Ingen intervaller: kalibreringen mangler rader for disse sonene.",
                         "No intervals: the calibration has no rows for these zones."),
}
#: After the pyramid, before the run log (the order the results writer adds them in).
OUTPUT_SHEETS = (*OUTPUT_SHEETS[: OUTPUT_SHEETS.index(RUN_LOG)], UNCERTAINTY, RUN_LOG)
OUTPUT_SHEETS_BY_KEY[UNCERTAINTY.key] = UNCERTAINTY


# --------------------------------------------------------------------------- observed history, zone selector
#: How many observed years the population and age-group sheets show before the base year.
HISTORY_YEARS = 10
#: Texts of the observed history beside the projection (population and age-group sheets).
HISTORY_TEXTS: dict[str, Text] = {
    "observed_band": Text("Observert 31.12. ({source})", "Observed 31 Dec ({source})"),
    "projected_band": Text("Basisår og framskriving 31.12.", "Base year and projection, 31 Dec"),
    "source_ssb": Text("SSB tabell 07459", "SSB table 07459"),
    "source_workbook": Text("arket Historikk", "the History sheet"),
    "observed": Text("observert", "observed"),
    "projected": Text("framskrevet", "projected"),
    "x_axis": Text("Stiplet linje: observert, hel linje: framskrevet",
                   "Dashed line: observed, solid line: projected"),
    "chart_data": Text("Diagramdata: observert og framskrevet (kopi av tabellen)",
                       "Chart data: observed and projected (copy of the table)"),
    "why_ssb": Text("de er ikke kommuner med 2024-grenser i SSBs befolkningstall, og arket Historikk har "
                    "ingen befolkning", "they are not municipalities on 2024 borders in SSB's population "
                    "figures, and the History sheet holds no population"),
    "why_workbook": Text("arket Historikk har ingen befolkning for dem", "the History sheet holds no population "
                         "for them"),
    "some_zones": Text("Ingen observert historikk for {zones}: {why}.", "No observed history for {zones}: {why}."),
    "none_zones": Text("Ingen observert historikk for sonene ({zones}): {why}.",
                       "No observed history for the zones ({zones}): {why}."),
    "none_years": Text("Ingen observert historikk: ingen observerte år før basisåret {base} ({why}).",
                       "No observed history: no observed years before the base year {base} ({why})."),
}  # fmt: skip
#: Texts of the pyramid sheet's zone and year selector.
SELECTOR_TEXTS: dict[str, Text] = {
    "choose_zone": Text("Velg sone", "Choose zone"),
    "choose_year": Text("Velg år", "Choose year"),
    "how": Text("Velg sone og år i de gule cellene (nedtrekkslister): pyramiden og aldersgruppene følger valget.",
                "Choose a zone and a year in the yellow cells (drop-down lists): the pyramid and the age "
                "groups follow the choice."),
    "chosen": Text("Valgt år", "Chosen year"),
    "pyramid": Text("Valgt sone: {last} (fylt), {first} (mørkt omriss), valgt år (oransje)",
                    "Chosen zone: {last} (filled), {first} (dark outline), chosen year (orange)"),
    "age_chart": Text("Valgt sone: aldersgrupper {first}, valgt år og {last}",
                      "Chosen zone: age groups {first}, the chosen year and {last}"),
    "pyramid_data": Text("Diagramdata: pyramiden for valget (formler fra tabellen under)",
                         "Chart data: the pyramid of the choice (formulas from the table below)"),
    "table": Text("Folkemengde 31.12. etter sone, kjønn og alder (grunnlaget for valget)",
                  "Population on 31 Dec by zone, sex and age (what the choice looks up)"),
    "lists": Text("Nedtrekkslister", "Drop-down lists"),
}  # fmt: skip
