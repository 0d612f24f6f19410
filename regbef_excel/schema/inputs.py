"""The input side of the workbook contract: sheets, Excel tables, columns and dropdown lists.

Decisions recorded here (and on the cover sheet):

* Sex is stored as ``'M'``/``'F'`` (the engine's codes). The Norwegian workbook shows
  ``M``/``K`` (mann/kvinne), the English one ``M``/``F``; the reader accepts either, plus
  Mann/Kvinne/Male/Female.
* Yes/no settings show ``JA``/``NEI`` (``YES``/``NO`` in English); the reader also accepts
  TRUE/FALSE, SANN/USANN, 1/0 and Excel's own booleans.
* Zone codes are text (municipality numbers keep their leading zero, e.g. ``0301``).
* Ages are ages at the end of the year; age 99 is the open group 99+.
"""

from __future__ import annotations

from dataclasses import replace

from regbef_excel.engine.housing import HOUSING_AGE_LABELS
from regbef_excel.engine.inputs import FERTILITY_SOURCES, FLOWS, RC_KEYS, VARIANT_NAMES, VARIANTS
from regbef_excel.schema.base import (
    AGE,
    ANY_NUMBER,
    NONNEG,
    PROBABILITY,
    TEXT,
    YEAR,
    Choice,
    ChoiceList,
    Column,
    Sheet,
    Table,
    Text,
    Validation,
)

# --------------------------------------------------------------------------------------------
# Dropdown lists (sheet "Lister"/"Lists")
# --------------------------------------------------------------------------------------------
#: EUF is one flow: moves to the rest of Norway and emigration together (the model has no
#: separate emigration schedule), so its label names both.
_FLOW_LABELS = {
    "EUF": ("EUF – utflytting til resten av landet og utlandet",
            "EUF – out-migration to the rest of Norway and abroad",
            "EUF – utflytting ut av regionen", "EUF – out-migration from the region"),
    "IUF": ("IUF – intern utflytting", "IUF – internal out-migration"),
    "EIFU": ("EIFU – innvandring fra utlandet", "EIFU – immigration from abroad"),
    "EIFN": ("EIFN – innflytting fra resten av Norge", "EIFN – in-migration from rest of Norway"),
    "IIF": ("IIF – intern innflytting", "IIF – internal in-migration"),
}

#: Norwegian names of the model variants (engine.inputs.VARIANT_NAMES has the English ones).
VARIANT_NAMES_NB = {
    1: "Trend",
    2: "Mål: region + kommuner",
    3: "Mål for regionen + boligmarked",
    4: "Arbeidsmarked + boligmarked",
    5: "Mål for regionen + arbeidsmarked + boligmarked",
    6: "Mål + arbeidsmarked på regionnivå",
}
#: Civil-status groups 1–4 (SSB family definition, handbook §3.16; cohabitants count as single), nb/en.
CIVIL_STATUS_LABELS = (
    ("enslig", "single"),
    ("enslig med barn under 20", "single with children under 20"),
    ("gift", "married"),
    ("gift med barn under 20", "married with children under 20"),
)

LISTS: dict[str, ChoiceList] = {
    cl.key: cl
    for cl in (
        ChoiceList(
            "variant", "lstVariant", Text("Modellvariant", "Model variant"),
            tuple(
                Choice(v, Text(f"{v} – {VARIANT_NAMES_NB[v]}", f"{v} – {VARIANT_NAMES[v]}"),
                       aliases=(VARIANT_NAMES_NB[v], VARIANT_NAMES[v], f"{v} - {VARIANT_NAMES[v]}",
                                f"{v} - {VARIANT_NAMES_NB[v]}"))
                for v in VARIANTS
            ),
        ),
        ChoiceList(
            "flow", "lstFlow", Text("Flyttestrøm", "Migration flow"),
            tuple(Choice(f, Text(f, f), aliases=_FLOW_LABELS[f]) for f in FLOWS),
        ),
        ChoiceList(
            "sex", "lstSex", Text("Kjønn", "Sex"),
            (
                Choice("M", Text("M", "M"), aliases=("mann", "menn", "male", "males", "gutt")),
                Choice("F", Text("K", "F"), aliases=("kvinne", "kvinner", "female", "females", "jente")),
            ),
        ),
        ChoiceList(
            "yesno", "lstYesNo", Text("Ja/nei", "Yes/no"),
            (
                Choice(True, Text("JA", "YES"), aliases=("true", "sann", "1", "j", "y")),
                Choice(False, Text("NEI", "NO"), aliases=("false", "usann", "0", "n")),
            ),
        ),
        ChoiceList(
            "fertility_source", "lstFertilitySource", Text("Fruktbarhetskilde", "Fertility source"),
            tuple(
                Choice(s, Text({"rates": "rater", "hadwiger": "hadwiger"}[s], s), aliases=("rate",) if s == "rates" else ())
                for s in FERTILITY_SOURCES
            ),
        ),
        ChoiceList(
            "note_kind", "lstNoteKind", Text("Type merknad", "Note kind"),
            (
                Choice("provenance", Text("kilde", "source"), aliases=("provenance", "kilde/lisens")),
                Choice("note", Text("merknad", "note"), aliases=("notat",)),
            ),
        ),
        ChoiceList(
            "language", "lstLanguage", Text("Språk", "Language"),
            (
                Choice("nb", Text("nb", "nb"), aliases=("norsk", "bokmål", "norwegian", "no")),
                Choice("en", Text("en", "en"), aliases=("engelsk", "english")),
            ),
        ),
        # --- targets, labour, housing (added at the end: list positions are stable)
        ChoiceList(
            "steering", "lstSteering", Text("Styring", "Steering"),
            (
                Choice(1, Text("1", "1"), aliases=("mål", "målstyring", "target")),
                Choice(2, Text("2", "2"), aliases=("trend",)),
            ),
        ),
        ChoiceList(
            "target_type", "lstTargetType", Text("Måltype", "Target type"),
            (
                Choice(1, Text("1", "1"), aliases=("netto flytting", "nettoflytting", "net migration")),
                Choice(2, Text("2", "2"), aliases=("folkemengde", "befolkning", "population")),
                Choice(3, Text("3", "3"), aliases=("vekst", "vekst %", "growth", "growth %")),
            ),
        ),
        ChoiceList(
            "civil_status", "lstCivilStatus", Text("Sivilstand", "Civil status"),
            tuple(
                Choice(i + 1, Text(str(i + 1), str(i + 1)), aliases=(nb, en))
                for i, (nb, en) in enumerate(CIVIL_STATUS_LABELS)
            ),
        ),
        ChoiceList(
            "housing_age_group", "lstHousingAgeGroup", Text("Aldersgruppe (bolig)", "Age group (housing)"),
            tuple(Choice(g, Text(g, g), aliases=(g.replace("-", "–"),)) for g in HOUSING_AGE_LABELS),
        ),
        ChoiceList(
            "distance_function", "lstDistanceFunction", Text("Avstandsfunksjon", "Distance function"),
            (
                Choice("power", Text("potens", "power"), aliases=("potensfunksjon", "d^-beta")),
                Choice("exponential", Text("eksponentiell", "exponential"), aliases=("exp", "eksponential")),
            ),
        ),
        ChoiceList(
            "housing_mode", "lstHousingMode", Text("Bruk av boligmarkedet", "Housing-market use"),
            (
                Choice("simple", Text("enkel", "simple"), aliases=("forenklet", "enkel og sikrere")),
                Choice("advanced", Text("avansert", "advanced"), aliases=("fordeling",)),
            ),
        ),
        # --- projection assumptions (added at the end: list positions are stable)
        ChoiceList(
            "fertility_assumption", "lstFertilityAssumption", Text("Fruktbarhetsforutsetning", "Fertility assumption"),
            (
                Choice("period_mean", Text("periodesnitt", "period mean"), aliases=("period_mean", "estimeringsperioden")),
                Choice("last_year", Text("siste år", "last year"), aliases=("last_year", "siste observerte år")),
                Choice("damped_trend", Text("dempet trend", "damped trend"), aliases=("damped_trend", "trend")),
                Choice("tfr_path", Text("SFT-bane", "TFR path"), aliases=("tfr_path", "sft", "tfr")),
            ),
        ),
        ChoiceList(
            "elderly_inmigration", "lstElderlyInmigration", Text("Innflytting av eldre", "Elderly in-migration"),
            (
                Choice("counts", Text("antall", "counts"), aliases=("faste antall", "fixed counts")),
                Choice("rates", Text("rater", "rates"), aliases=("rate", "rater av referansebefolkningen")),
            ),
        ),
    )
}  # fmt: skip


def _list(key: str) -> Validation:
    return Validation("list", choices=key)


# --------------------------------------------------------------------------------------------
# Sheets in functional order: cover → settings → inputs → (outputs) → checks → lists
# --------------------------------------------------------------------------------------------
COVER = Sheet(
    "cover", Text("Forside", "Cover"), 0, kind="cover",
    intro_text=Text("REGBEF – regional befolkningsframskriving", "REGBEF – regional population projection"),
    tables=("tblProvenance",),
)  # fmt: skip
SETTINGS = Sheet(
    "settings", Text("Innstillinger", "Settings"), 10,
    intro_text=Text("Kjøreinnstillinger: basisår, sluttår, modellvariant og valg. Gule celler fylles ut.", "Run settings: base year, horizon, model variant and options. Fill in the yellow cells."),
    tables=("tblSettings",),
)
ZONES = Sheet(
    "zones", Text("Soner", "Zones"), 20,
    intro_text=Text("Sonene (kommuner eller bydeler) i regionen. Sonekoden er tekst og må være unik.", "The zones (municipalities or districts) of the region. Zone codes are text and unique."),
    tables=("tblZones",),
)
POPULATION = Sheet(
    "population", Text("Befolkning", "Population"), 30,
    intro_text=Text(
        "Befolkning 31.12. i basisåret etter sone, alder (99 = 99 år og eldre) og kjønn. "
        "Én rad per sone og alder (100 rader per sone).",
        "Population on 31 Dec of the base year by zone, age (99 = 99 and older) and sex. "
        "One row per zone and age (100 rows per zone).",
    ),
    tables=("tblPopulation",),
)
FERTILITY = Sheet(
    "fertility", Text("Fruktbarhet", "Fertility"), 40,
    intro_text=Text(
        "Fødselsrater per kvinne etter alder ved utgangen av året (15–49), eller Hadwiger-"
        "parametre (velg kilde i Innstillinger). Nivåfaktorer ligger på arket Nivåfaktorer. Til høyre: "
        "endogene Hadwiger-koeffisienter (REKONSTRUERT, av som standard) og inntektsindikator.",
        "Births per woman by age at the end of the year (15–49), or Hadwiger parameters "
        "(choose the source in Settings). Level factors are on the Level factors sheet. On the right: "
        "endogenous Hadwiger coefficients (RECONSTRUCTED, off by default) and the income indicator.",
    ),
    tables=("tblFertilityRates", "tblHadwiger", "tblHadwigerRegression", "tblIncome"),
)
MORTALITY = Sheet(
    "mortality", Text("Dødelighet", "Mortality"), 50,
    intro_text=Text("Sannsynlighet for å dø i løpet av året etter kjønn og alder ved utgangen av året.", "Probability of dying during the year by sex and age at the end of the year."),
    tables=("tblDeathProb",),
)
MIGRATION = Sheet(
    "migration", Text("Flytting", "Migration"), 60,
    intro_text=Text(
        "Rogers–Castro-parametre per flyttestrøm, sone og kjønn (ROGFUNK). Ubrukte ledd = 0. "
        "Grå kolonner viser tilpasningen fra estimeringen og leses ikke inn.",
        "Rogers–Castro parameters per flow, zone and sex (ROGFUNK). Unused terms = 0. "
        "Grey columns show the fit from estimation and are not read.",
    ),
    tables=("tblRogersCastro",),
)
LEVEL_FACTORS = Sheet(
    "level_factors", Text("Nivåfaktorer", "Level factors"), 70,
    intro_text=Text(
        "Nivåfaktorer per sone (venstre), per år for regionen (midten) og valgfritt per sone og år "
        "(høyre), innvandring og innflytting fra resten av Norge. Faktorene multipliseres.",
        "Level factors per zone (left), per year for the region (middle) and optionally per zone "
        "and year (right), immigration and in-migration from the rest of Norway. The factors multiply.",
    ),
    tables=("tblZoneFactors", "tblYearFactors", "tblZoneYearFactors"),
)
HISTORY = Sheet(
    "history", Text("Historikk", "History"), 80,
    intro_text=Text("Valgfritt: historiske data for prosjektgenerering (estimeringsperioden). Kan stå tom.", "Optional: historical data for project generation (the estimation period). May be empty."),
    tables=("tblHistPopulation", "tblHistMigration"),
)
CHECKS = Sheet(
    "checks", Text("Kontroller", "Checks"), 900, kind="checks",
    intro_text=Text("Hver kontroll teller problemer (0 = OK). De samme kontrollene kjøres i Python før hver kjøring.", "Each check counts problems (0 = OK). The same checks run in Python before every run."),
    tables=("tblChecks",),
)  # fmt: skip
LISTS_SHEET = Sheet(
    "lists", Text("Lister", "Lists"), 990, kind="lists",
    intro_text=Text("Kilder for nedtrekkslister. Ikke endre.", "Sources of the dropdown lists. Do not edit."),
    tables=tuple(cl.table for cl in LISTS.values()),
)  # fmt: skip

# --- steering, labour market, housing, distances --------------------------------
TARGETS = Sheet(
    "targets", Text("Mål", "Targets"), 72,
    intro_text=Text(
        "Målstyring per år: én rad per år og sone (tom sonekode = hele regionen). Styring 1 = mål, "
        "2 = trend. Måltype 1 = netto flytting (personer), 2 = folkemengde 31.12. (personer), 3 = vekst "
        "(% fra året før). År/soner uten rad følger trenden. Brukes i modellvariant 2, 3, 5 og 6.",
        "Target steering per year: one row per year and zone (blank zone code = the whole region). "
        "Steering 1 = target, 2 = trend. Target type 1 = net migration (persons), 2 = population on 31 Dec "
        "(persons), 3 = growth (% from the year before). Years/zones without a row follow the trend. "
        "Used by model variants 2, 3, 5 and 6.",
    ),
    tables=("tblTargets",),
)  # fmt: skip
LABOUR = Sheet(
    "labour", Text("Arbeidsmarked", "Labour market"), 74,
    intro_text=Text(
        "Yrkesdeltakelse etter kjønn og aldersgruppe, arbeidsmarkedsparametre (ANTAKELSE = ingen "
        "verdi i håndboka, vurder dem), sonefaktorer, arbeidsplasser per sone og år (basisåret først) og "
        "valgfri alders-/kjønnsprofil for arbeidsinnflyttere. Tomt ark = ingen arbeidsmarkedsmodell.",
        "Labour-force participation by sex and age group, labour-market parameters (ASSUMPTION = "
        "no value in the handbook, review them), zone factors, jobs per zone and year (base year first) "
        "and an optional age/sex profile of labour migrants. Empty sheet = no labour-market model.",
    ),
    tables=("tblParticipation", "tblLabourParams", "tblLabourZones", "tblJobs", "tblLabourProfile"),
)  # fmt: skip
HOUSING = Sheet(
    "housing", Text("Boliger", "Housing"), 76,
    intro_text=Text(
        "Boligtyper, boligmassen ved utgangen av basisåret etter byggeperiode og hustype (summene "
        "per sone må være like), avgang (AVGE/AVGN), familiestørrelse og byggeprogram per sone og år. "
        "Tomt ark = ingen boligberegning.",
        "House types, the housing stock at the end of the base year by construction period and "
        "by house type (the zone totals must agree), demolition (AVGE/AVGN), household sizes and the "
        "building programme per zone and year. Empty sheet = no housing calculation.",
    ),
    tables=("tblHouseTypes", "tblStockByPeriod", "tblStockByType", "tblHousingZones", "tblBuilding"),
)  # fmt: skip
HOUSING_MARKET = Sheet(
    "housing_market", Text("Boligbehov", "Housing need"), 77,
    intro_text=Text(
        "Sivilstandsandeler (SIVRAT) og boligbehovsrater (BOLRAT) etter kjønn, aldersgruppe og "
        "sivilstand, boligmarkedsparametre (A1–A3 fra håndboka, resten ANTAKELSE) og valgfri profil for "
        "innflyttere i nye boliger (BFRAT). Nivåfaktoren BR per år står på arket Nivåfaktorer.",
        "Civil-status shares (SIVRAT) and housing-need rates (BOLRAT) by sex, age group and civil "
        "status, housing-market parameters (A1–A3 from the handbook, the others ASSUMPTIONS) and an "
        "optional profile of movers into new dwellings (BFRAT). The level factor BR per year is on the "
        "Level factors sheet.",
    ),
    tables=("tblHousingNeed", "tblHousingMarket", "tblNewDwellingProfile"),
)  # fmt: skip
DISTANCES = Sheet(
    "distances", Text("Avstander", "Distances"), 78,
    intro_text=Text(
        "Avstander mellom sonene i km: rad = fra, kolonne = til (kolonneoverskrift = sonekode). "
        "Diagonalen er avstanden internt i sonen og må være > 0 med potensfunksjonen.",
        "Distances between the zones in km: row = from, column = to (column header = zone code). "
        "The diagonal is the distance within the zone and must be > 0 with the power function.",
    ),
    tables=("tblDistances",),
)  # fmt: skip

INPUT_SHEETS: tuple[Sheet, ...] = (
    COVER, SETTINGS, ZONES, POPULATION, FERTILITY, MORTALITY, MIGRATION, LEVEL_FACTORS, TARGETS,
    LABOUR, HOUSING, HOUSING_MARKET, DISTANCES, HISTORY, CHECKS, LISTS_SHEET,
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Reusable columns
# --------------------------------------------------------------------------------------------
FMT_PERSONS = "#,##0"
FMT_FACTOR = "0.000"
FMT_RATE = "0.00000"
FMT_PROB = "0.000000"


def comment_column(width: float = 30) -> Column:
    return Column(
        "comment", Text("Kilde/kommentar", "Source/comment"), dtype="str", required=False,
        role="comment", validation=TEXT, width=width,
        prompt_text=Text("Kilde eller kommentar (fritekst).", "Source or comment (free text)."),
    )  # fmt: skip


def zone_column(role: str = "key") -> Column:
    return Column(
        "zone_code", Text("Sonekode", "Zone code"), dtype="str", role=role, validation=TEXT, width=11,
        number_format="@",
        prompt_text=Text("Sonekode som i arket Soner (tekst, f.eks. 0301).", "Zone code as on the Zones sheet (text, e.g. 0301)."),
    )  # fmt: skip


def age_column(validation: Validation = AGE, width: float = 7) -> Column:
    return Column(
        "age", Text("Alder", "Age"), dtype="int", unit_text=Text("år", "years"), role="key",
        validation=validation, width=width,
        prompt_text=Text("Alder ved utgangen av året; 99 = 99 år og eldre.", "Age at the end of the year; 99 = 99 and older."),
    )  # fmt: skip


def year_column() -> Column:
    return Column(
        "year", Text("År", "Year"), dtype="int", role="key", validation=YEAR, width=8,
        prompt_text=Text("Kalenderår.", "Calendar year."),
    )  # fmt: skip


def persons_column(key: str, nb: str, en: str, width: float = 12) -> Column:
    return Column(
        key, Text(nb, en), dtype="float", unit_text=Text("personer", "persons"), validation=NONNEG,
        width=width, number_format=FMT_PERSONS,
        prompt_text=Text("Antall personer (≥ 0, normalt heltall).", "Number of persons (≥ 0, normally a whole number)."),
    )  # fmt: skip


def factor_column(key: str, nb: str, en: str, prompt_nb: str, prompt_en: str) -> Column:
    return Column(
        key, Text(nb, en), dtype="float", unit_text=Text("faktor", "factor"), validation=NONNEG,
        width=11, number_format=FMT_FACTOR, prompt_text=Text(prompt_nb, prompt_en),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Key/value tables
# --------------------------------------------------------------------------------------------
KEYVALUE_COLUMNS: tuple[Column, ...] = (
    Column("key", Text("Nøkkel", "Key"), dtype="str", role="key", width=18),
    Column("label", Text("Innstilling", "Setting"), dtype="str", role="calc", required=False, width=44),
    Column("value", Text("Verdi", "Value"), dtype="str", role="input", width=14),
    Column("unit", Text("Enhet", "Unit"), dtype="str", role="calc", required=False, width=12),
    comment_column(40),
)

YESNO = _list("yesno")

SETTINGS_ITEMS: tuple[Column, ...] = (
    Column("base_year", Text("Basisår (siste år med kjent befolkning 31.12.)", "Base year (last year with known population on 31 Dec)"), dtype="int",
           unit_text=Text("år", "year"), validation=YEAR, default=2025,
           prompt_text=Text("Befolkningen i arket Befolkning gjelder 31.12. dette året.", "The population on the Population sheet is on 31 Dec of this year.")),
    Column("horizon", Text("Sluttår for framskrivingen", "Last projection year (horizon)"), dtype="int",
           unit_text=Text("år", "year"), validation=YEAR, default=2050,
           prompt_text=Text("Siste framskrivingsår; må være etter basisåret.", "Last projection year; must be after the base year.")),
    Column("variant", Text("Modellvariant (1 = trend)", "Model variant (1 = trend)"), dtype="int",
           validation=_list("variant"), default=1,
           prompt_text=Text(
               "1 trend; 2 mål region + kommuner; 3 mål region + boligmarked; 4 arbeids- + "
               "boligmarked; 5 mål region + arbeids- + boligmarked; 6 mål + arbeidsmarked regionalt.",
               "1 trend; 2 target region + municipalities; 3 target region + housing market; "
               "4 labour + housing market; 5 target region + labour + housing market; 6 target + labour "
               "market at region level.",
           )),
    Column("estimation_start", Text("Estimeringsperiode, første år", "Estimation period, first year"),
           dtype="int", unit_text=Text("år", "year"), validation=YEAR, required=False,
           prompt_text=Text("Første år i estimeringsperioden (valgfritt).", "First year of the estimation period (optional).")),
    Column("estimation_end", Text("Estimeringsperiode, siste år", "Estimation period, last year"),
           dtype="int", unit_text=Text("år", "year"), validation=YEAR, required=False,
           prompt_text=Text("Siste år i estimeringsperioden (valgfritt).", "Last year of the estimation period (optional).")),
    Column("fertility_source", Text("Kilde for fruktbarhet", "Fertility source"), dtype="str",
           validation=_list("fertility_source"), default="rates",
           prompt_text=Text("rater = tabellen Fødselsrater; hadwiger = Hadwiger-funksjonen.", "rates = the fertility-rate table; hadwiger = the Hadwiger function.")),
    Column("share_boys", Text("Andel gutter blant fødte", "Share of boys among births"), dtype="float",
           unit_text=Text("andel", "share"), validation=Validation("decimal", 0, 1),
           default=0.514, number_format="0.000",
           prompt_text=Text("Mellom 0 og 1; SSBs langtidssnitt er 0,514.", "Between 0 and 1; the SSB long-run average is 0.514.")),
    Column("drop_oldest", Text("Fjern personer over 99 år (som PANDA)", "Drop people older than 99 (as PANDA)"), dtype="bool", validation=YESNO, default=False,
           prompt_text=Text("NEI = åpen aldersgruppe 99+ (anbefalt); JA = som PANDA.", "NO = open age group 99+ (recommended); YES = as PANDA.")),
    Column("reconcile_births", Text("Avstem fødte mot regionen", "Reconcile births with the region"),
           dtype="bool", validation=YESNO, default=False,
           prompt_text=Text("JA = sonenes fødte skaleres til regionens sum.", "YES = zone births are scaled to the regional total.")),
    Column("reconcile_deaths", Text("Avstem døde mot regionen", "Reconcile deaths with the region"),
           dtype="bool", validation=YESNO, default=False,
           prompt_text=Text("JA = sonenes døde skaleres til regionens sum.", "YES = zone deaths are scaled to the regional total.")),
    Column("endogenous_hadwiger", Text("Endogene Hadwiger-koeffisienter (REKONSTRUERT)", "Endogenous Hadwiger coefficients (RECONSTRUCTED)"), dtype="bool", validation=YESNO,
           default=False, required=False,
           prompt_text=Text(
               "JA = HDWA/HDWB/HDWC beregnes hvert år fra boliger, inntekt og medianalder "
               "(koeffisientene på arket Fruktbarhet; fortegn rekonstruert). Standard NEI.",
               "YES = HDWA/HDWB/HDWC are computed every year from housing, income and median "
               "age (coefficients on the Fertility sheet; signs reconstructed). Default NO.",
           )),
    Column("language", Text("Språk i arbeidsboka (nb/en)", "Workbook language (nb/en)"), dtype="str",
           validation=_list("language"), default="nb",
           prompt_text=Text("nb = norsk bokmål, en = engelsk (gjelder nye arbeidsbøker og resultater).", "nb = Norwegian bokmål, en = English (for new workbooks and results).")),
    Column("region_name", Text("Regionens navn", "Region name"), dtype="str", validation=TEXT,
           required=False, default="",
           prompt_text=Text("Navn som vises på forsiden og i resultatene.", "Name shown on the cover and in the results.")),
    # --- projection assumptions (fertility path and elderly in-migration; docs/model.md)
    Column("fertility_assumption", Text("Fruktbarhetsforutsetning", "Fertility assumption"), dtype="str",
           validation=_list("fertility_assumption"), default="period_mean", required=False,
           prompt_text=Text(
               "periodesnitt = sonenes nivå i estimeringsperioden (håndboka); siste år = regionens nivå siste "
               "observerte år; dempet trend = regionens trend, dempet; SFT-bane = kolonnen SFT på Nivåfaktorer.",
               "period mean = the zones' level of the estimation period (handbook); last year = the region's "
               "level in the last observed year; damped trend = the region's trend, damped; TFR path = the TFR "
               "column on Level factors.")),
    Column("fertility_last_year", Text("Fruktbarhet siste år (relativt)", "Fertility, last year (relative)"),
           dtype="float", unit_text=Text("faktor", "factor"), validation=Validation("decimal", 0, 5), default=1.0,
           required=False, number_format="0.0###",
           prompt_text=Text("Regionens nivå siste observerte år relativt til periodesnittet; brukes av «siste år».", "The region's level in the last observed year relative to the period mean; used by 'last year'.")),
    Column("fertility_start", Text("Fruktbarhetstrend: nivå i basisåret", "Fertility trend: level at base year"),
           dtype="float", unit_text=Text("faktor", "factor"), validation=Validation("decimal", 0, 5), default=1.0,
           required=False, number_format="0.0###",
           prompt_text=Text("Trendlinjens verdi i basisåret; brukes av «dempet trend».", "The trend line's value at the base year; used by 'damped trend'.")),
    Column("fertility_slope", Text("Fruktbarhetstrend: endring per år", "Fertility trend: change per year"),
           dtype="float", unit_text=Text("per år", "per year"), validation=Validation("decimal", -1, 1), default=0.0,
           required=False, number_format="0.0###",
           prompt_text=Text("Trendlinjens stigning; brukes av «dempet trend».", "The trend line's slope; used by 'damped trend'.")),
    Column("fertility_damping", Text("Demping φ av fruktbarhetstrenden", "Damping φ of the fertility trend"),
           dtype="float", validation=Validation("decimal", 0, 1), default=0.9, required=False, number_format="0.0#",
           prompt_text=Text("0–1; 0,9 = trendens bidrag krymper 10 % per år (Gardner & McKenzie 1985).",
                            "0–1; 0.9 = the trend's contribution shrinks 10 % a year (Gardner & McKenzie 1985).")),
    Column("elderly_inmigration", Text("Innflytting av eldre", "Elderly in-migration"),
           dtype="str", validation=_list("elderly_inmigration"), default="counts", required=False,
           prompt_text=Text("antall = periodens snitt (håndboka); rater = følger kolonnen EIFN eldre på Nivåfaktorer.",
                            "counts = the period mean (handbook); rates = follows the EIFN elderly column on Level factors.")),
    Column("elderly_from_age", Text("Eldre: fra alder", "Elderly: from age"), dtype="int", validation=Validation("whole", 0, 99),
           default=67, required=False, unit_text=Text("år", "years"),
           prompt_text=Text("Første alder der innflyttingen er en rate (0–99).", "First age at which in-migration is a rate (0–99).")),
    Column("elderly_to_age", Text("Eldre: til og med alder", "Elderly: to age"), dtype="int", validation=Validation("whole", 0, 99),
           default=79, required=False, unit_text=Text("år", "years"),
           prompt_text=Text("Siste alder (99 = 99 år og eldre). Endres alderne, må kolonnen EIFN eldre gjelde de nye alderne.",
                            "Last age (99 = 99 and older). If the ages change, the EIFN elderly column must be for the new ages.")),
)  # fmt: skip

HADWIGER_ITEMS: tuple[Column, ...] = (
    Column("HDWA", Text("HDWA – samlet fruktbarhet (SFT)", "HDWA – total fertility rate (TFR)"),
           unit_text=Text("per kvinne", "per woman"), validation=Validation("decimal", 0, 10),
           default=1.5, number_format="0.000",
           prompt_text=Text("Samlet fruktbarhet per kvinne (f.eks. 1,5).", "Total fertility per woman (e.g. 1.5).")),
    Column("HDWB", Text("HDWB – formparameter", "HDWB – shape parameter"),
           validation=Validation("decimal", 0, 100), default=3.5, number_format="0.000",
           prompt_text=Text("Større verdi = smalere kurve.", "Larger = narrower schedule.")),
    Column("HDWC", Text("HDWC – gjennomsnittlig fødealder", "HDWC – mean age at childbirth"),
           unit_text=Text("år", "years"), validation=Validation("decimal", 15, 49), default=31.0,
           number_format="0.00",
           prompt_text=Text("Gjennomsnittlig alder ved fødsel (15–49).", "Mean age at childbirth (15–49).")),
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
ZONE_CAPACITY = 500
POP_CAPACITY = ZONE_CAPACITY * 100
RC_CAPACITY = ZONE_CAPACITY * 10
YEAR_CAPACITY = 120

_SEX = Column(
    "sex", Text("Kjønn", "Sex"), dtype="str", role="key", validation=_list("sex"), width=7,
    prompt_text=Text("M = menn, K = kvinner.", "M = males, F = females."),
)  # fmt: skip

_RC_LABELS = {
    "a1": ("nivå barn", "level, children"), "alpha1": ("fall barn", "slope, children"),
    "a2": ("nivå arbeid", "level, labour force"), "alpha2": ("fall etter topp", "descent"),
    "mu2": ("toppalder", "peak age"), "lambda2": ("stigning før topp", "ascent"),
    "c": ("konstant", "constant"), "a3": ("nivå pensjon", "level, retirement"),
    "alpha3": ("fall pensjon", "descent, retirement"), "mu3": ("pensjonsalder", "retirement age"),
    "lambda3": ("stigning pensjon", "ascent, retirement"), "a4": ("nivå eldre", "level, elderly"),
    "lambda4": ("stigning eldre", "ascent, elderly"),
}  # fmt: skip


def _rc_column(key: str) -> Column:
    nb, en = _RC_LABELS[key]
    age_unit = key in ("mu2", "mu3")
    return Column(
        key, Text(key, key), dtype="float", unit_text=Text("år" if age_unit else "", "years" if age_unit else ""),
        validation=NONNEG, width=10 if age_unit else 9, number_format="0.00" if age_unit else "0.0000",
        prompt_text=Text(f"Rogers–Castro {key}: {nb} (≥ 0; 0 = ledd ikke brukt).", f"Rogers–Castro {key}: {en} (≥ 0; 0 = term not used)."),
    )  # fmt: skip


TABLES: dict[str, Table] = {
    t.key: t
    for t in (
        Table(
            "tblSettings", "settings", KEYVALUE_COLUMNS, kind="keyvalue", key_columns=("key",),
            items=SETTINGS_ITEMS, capacity=len(SETTINGS_ITEMS),
            title_text=Text("Innstillinger", "Settings"),
        ),
        Table(
            "tblZones", "zones",
            (
                zone_column(),
                Column("zone_name", Text("Sonenavn", "Zone name"), dtype="str", validation=TEXT, width=26,
                       prompt_text=Text("Navn på sonen.", "Name of the zone.")),
                comment_column(40),
            ),
            key_columns=("zone_code",), capacity=ZONE_CAPACITY,
            title_text=Text("Soner", "Zones"),
        ),
        Table(
            "tblPopulation", "population",
            (
                zone_column(), age_column(),
                persons_column("males", "Menn", "Males"),
                persons_column("females", "Kvinner", "Females"),
                comment_column(),
            ),
            key_columns=("zone_code", "age"), capacity=POP_CAPACITY,
            title_text=Text("Befolkning 31.12. i basisåret", "Population on 31 Dec of the base year"),
        ),
        Table(
            "tblFertilityRates", "fertility",
            (
                age_column(Validation("whole", 15, 49)),
                Column("rate", Text("Fødselsrate", "Fertility rate"), unit_text=Text("per kvinne", "per woman"), validation=Validation("decimal", 0, 1), width=14,
                       number_format=FMT_RATE,
                       prompt_text=Text("Levendefødte per kvinne i alderen i løpet av året (0–1).", "Live births per woman of this age during the year (0–1).")),
                comment_column(24),
            ),
            key_columns=("age",), capacity=35,
            title_text=Text("Fødselsrater (15–49 år)", "Fertility rates (ages 15–49)"),
        ),
        Table(
            "tblHadwiger", "fertility", KEYVALUE_COLUMNS, kind="keyvalue", key_columns=("key",),
            items=HADWIGER_ITEMS, anchor="F4", capacity=len(HADWIGER_ITEMS),
            title_text=Text("Hadwiger-funksjonen", "The Hadwiger function"),
        ),
        Table(
            "tblDeathProb", "mortality",
            (
                age_column(),
                Column("male", Text("Menn", "Males"), unit_text=Text("sannsynlighet", "probability"),
                       validation=PROBABILITY, width=16, number_format=FMT_PROB,
                       prompt_text=Text("Sannsynlighet for å dø i løpet av året (0–1).", "Probability of dying during the year (0–1).")),
                Column("female", Text("Kvinner", "Females"), unit_text=Text("sannsynlighet", "probability"),
                       validation=PROBABILITY, width=16, number_format=FMT_PROB,
                       prompt_text=Text("Sannsynlighet for å dø i løpet av året (0–1).", "Probability of dying during the year (0–1).")),
                comment_column(),
            ),
            key_columns=("age",), capacity=100,
            title_text=Text("Dødssannsynligheter", "Death probabilities"),
        ),
        Table(
            "tblRogersCastro", "migration",
            (
                Column("flow", Text("Strøm", "Flow"), dtype="str", role="key", validation=_list("flow"),
                       width=8, prompt_text=Text("EUF, IUF, EIFU, EIFN eller IIF.", "EUF, IUF, EIFU, EIFN or IIF.")),
                zone_column(), _SEX,
                *(_rc_column(k) for k in RC_KEYS),
                Column("n_params", Text("Antall parametre", "Parameters"), dtype="int", role="calc",
                       required=False, width=11),
                Column("sse", Text("SSE", "SSE"), dtype="float", role="calc", required=False, width=10,
                       number_format="0.00E+00"),
                Column("converged", Text("Konvergert", "Converged"), dtype="bool", role="calc",
                       required=False, width=11),
                Column("at_bounds", Text("På grense", "At bounds"), dtype="str", role="calc",
                       required=False, width=12),
                comment_column(24),
            ),
            key_columns=("flow", "zone_code", "sex"), capacity=RC_CAPACITY,
            title_text=Text("Rogers–Castro-parametre (ROGFUNK)", "Rogers–Castro parameters (ROGFUNK)"),
        ),
        Table(
            "tblZoneFactors", "level_factors",
            (
                zone_column(),
                factor_column("FK", "FK fruktbarhet", "FK fertility",
                              "Nivåfaktor for fruktbarhet i sonen (1 = regionens nivå).",
                              "Fertility level factor of the zone (1 = region level)."),
                factor_column("DK", "DK dødelighet", "DK mortality",
                              "Nivåfaktor for dødelighet i sonen.", "Mortality level factor of the zone."),
                factor_column("EUF_K", "EUF utflytting", "EUF out-migration",
                              "Nivåfaktor for utflytting ut av regionen (til resten av landet og utlandet).",
                              "Level factor of out-migration from the region (to the rest of Norway and abroad)."),
                factor_column("IUF_K", "IUF intern utflytting", "IUF internal out",
                              "Nivåfaktor for intern utflytting.", "Level factor of internal out-migration."),
                Column("EIFU_share", Text("Andel av innvandringen", "Share of immigration"),
                       unit_text=Text("andel", "share"), validation=PROBABILITY, width=13,
                       number_format="0.0000",
                       prompt_text=Text("Sonens andel av innvandringen fra utlandet; summen må være 1.", "The zone's share of immigration from abroad; must sum to 1.")),
                Column("EIFN_total", Text("Innflytting fra resten av Norge", "In-migration from rest of Norway"), unit_text=Text("personer/år", "persons/year"), validation=NONNEG, width=16, number_format="#,##0.0",
                       prompt_text=Text("Innflyttere fra resten av Norge per år (før årsfaktor).", "In-migrants from the rest of Norway per year (before year factor).")),
                Column("INF_trend", Text("Trend netto intern flytting", "Trend net internal migration"),
                       unit_text=Text("personer/år", "persons/year"), validation=ANY_NUMBER,
                       width=15, number_format="#,##0.0",
                       prompt_text=Text("Trendnivå for netto intern innflytting (kan være negativ).", "Trend net internal in-migration (may be negative).")),
                comment_column(24),
            ),
            key_columns=("zone_code",), capacity=ZONE_CAPACITY,
            title_text=Text("Nivåfaktorer per sone", "Level factors per zone"),
        ),
        Table(
            "tblYearFactors", "level_factors",
            (
                year_column(),
                factor_column("FR", "FR fruktbarhet", "FR fertility",
                              "Regional nivåfaktor for fruktbarhet dette året.",
                              "Regional fertility level factor this year."),
                factor_column("DR", "DR dødelighet", "DR mortality",
                              "Regional nivåfaktor for dødelighet.", "Regional mortality level factor."),
                factor_column("EUF_R", "EUF utflytting", "EUF out-migration",
                              "Regional nivåfaktor for utflytting.", "Regional out-migration factor."),
                factor_column("IUF_R", "IUF intern utflytting", "IUF internal out",
                              "Regional nivåfaktor for intern utflytting.",
                              "Regional internal out-migration factor."),
                factor_column("EIFN_R", "EIFN innflytting Norge", "EIFN in from Norway",
                              "Faktor på innflytting fra resten av Norge.",
                              "Factor on in-migration from the rest of Norway."),
                Column("EIFU_total", Text("Innvandring til regionen", "Immigration to the region"),
                       unit_text=Text("personer", "persons"), validation=NONNEG, width=14,
                       number_format="#,##0",
                       prompt_text=Text("Innvandring fra utlandet til hele regionen dette året.", "Immigration from abroad to the whole region this year.")),
                Column("YR", Text("YR yrkesdeltakelse", "YR participation"), unit_text=Text("faktor", "factor"), validation=NONNEG, width=11, number_format=FMT_FACTOR,
                       required=False,
                       prompt_text=Text("Regional nivåfaktor for yrkesdeltakelse (tom = 1).", "Regional level factor of participation (blank = 1).")),
                Column("BR", Text("BR boligbehov", "BR housing need"), unit_text=Text("faktor", "factor"), validation=NONNEG, width=11, number_format=FMT_FACTOR,
                       required=False,
                       prompt_text=Text("Regional nivåfaktor for boligbehovet (tom = 1).", "Regional level factor of housing need (blank = 1).")),
                Column("TFR", Text("SFT samlet fruktbarhet", "TFR total fertility"), unit_text=Text("per kvinne", "per woman"),
                       validation=Validation("decimal", 0, 10), width=11, number_format="0.000", required=False,
                       prompt_text=Text("Brukes når fruktbarhetsforutsetningen er SFT-bane, f.eks. SSBs nasjonale forutsetning.",
                                        "Used when the fertility assumption is TFR path, e.g. SSB's national assumption.")),
                Column("EIFN_elderly", Text("EIFN eldre: referansebefolkning", "EIFN elderly: reference population"),
                       unit_text=Text("faktor", "factor"), validation=NONNEG, width=12, number_format=FMT_FACTOR, required=False,
                       prompt_text=Text("Referansebefolkningen (resten av landet) i eldrealdrene relativt til periodesnittet; brukes når innflytting av eldre = rater.",
                                        "The reference population (rest of the country) at the elderly ages relative to the period mean; used when elderly in-migration = rates.")),
                comment_column(24),
            ),
            key_columns=("year",), anchor="L4", capacity=YEAR_CAPACITY,
            title_text=Text("Nivåfaktorer per år (regionen)", "Level factors per year (region)"),
        ),
        Table(
            "tblZoneYearFactors", "level_factors",
            (
                year_column(), zone_column(),
                *(factor_column(key, nb, en, f"Faktor for sonen dette året på {what_nb} (tom rad = 1).",
                                f"Factor of the zone this year on {what_en} (no row = 1).")
                  for key, nb, en, what_nb, what_en in (
                      ("FR", "FR fruktbarhet", "FR fertility", "FK · FR", "FK · FR"),
                      ("DR", "DR dødelighet", "DR mortality", "DK · DR", "DK · DR"),
                      ("EUF", "EUF utflytting", "EUF out-migration", "utflyttingsraten", "the out-migration rate"),
                      ("IUF", "IUF intern utflytting", "IUF internal out", "den interne utflyttingsraten",
                       "the internal out-migration rate"),
                      ("EIFU", "EIFU innvandring", "EIFU immigration", "sonens innvandring", "the zone's immigration"),
                      ("EIFN", "EIFN innflytting Norge", "EIFN in from Norway", "innflytting fra resten av Norge",
                       "in-migration from the rest of Norway"),
                  )),
                comment_column(24),
            ),
            key_columns=("year", "zone_code"), anchor="Y4", optional=True, capacity=ZONE_CAPACITY * 40,
            title_text=Text("Nivåfaktorer per sone og år (valgfritt)", "Level factors per zone and year (optional)"),
        ),
        Table(
            "tblHistPopulation", "history",
            (
                year_column(), zone_column(), age_column(),
                persons_column("males", "Menn", "Males"),
                persons_column("females", "Kvinner", "Females"),
            ),
            key_columns=("year", "zone_code", "age"), optional=True, capacity=POP_CAPACITY,
            title_text=Text("Historisk befolkning 31.12.", "Historical population on 31 Dec"),
        ),
        Table(
            "tblHistMigration", "history",
            (
                year_column(), zone_column(), age_column(),
                persons_column("out", "Utflyttere", "Out-migrants"),
                persons_column("in", "Innflyttere", "In-migrants"),
            ),
            key_columns=("year", "zone_code", "age"), anchor="H4", optional=True,
            capacity=POP_CAPACITY,
            title_text=Text("Historisk flytting (begge kjønn)", "Historical migration (both sexes)"),
        ),
    )
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Targets, labour market, housing, distances, endogenous Hadwiger
# --------------------------------------------------------------------------------------------
#: Comment written next to parameters without a handbook value (the planner must review them).
ASSUMPTION = ("ANTAKELSE – ingen verdi i håndboka, vurder", "ASSUMPTION – no handbook value, review")
HANDBOOK = ("håndbokas standardverdi", "handbook default")
RECONSTRUCTED = ("REKONSTRUERT fortegn (tapt i håndboka)", "RECONSTRUCTED sign (lost in the handbook)")
RECONSTRUCTED_VALUE = ("REKONSTRUERT (håndboka §3.4)", "RECONSTRUCTED (handbook §3.4)")
#: Comments the builder writes by itself (not kept as the planner's comments when read back).
DEFAULT_COMMENTS = frozenset((*ASSUMPTION, *HANDBOOK, *RECONSTRUCTED, *RECONSTRUCTED_VALUE))

SHARE = Validation("decimal", 0, 1)
DISTANCE_FUNCTION = _list("distance_function")


def _param(key: str, nb: str, en: str, default: object, *, unit: tuple[str, str] = ("", ""),
           validation: Validation = NONNEG, dtype: str = "float", fmt: str = "0.000",
           prompt: tuple[str, str] = ("", "")) -> Column:
    return Column(
        key, Text(nb, en), dtype=dtype, unit_text=Text(unit[0], unit[1]), validation=validation,  # type: ignore[arg-type]
        default=default, number_format=fmt, prompt_text=Text(prompt[0] or nb, prompt[1] or en),
    )  # fmt: skip


#: Labour-market parameters (engine.labour.LabourMarketParams; keys = field names upper case).
LABOUR_PARAM_ITEMS: tuple[Column, ...] = (
    _param("TOV", "TOV – årlig turnover (andel)", "TOV – yearly turnover (share)", 0.10,
           unit=("andel", "share"), validation=SHARE),
    _param("KALMIN", "KALMIN – andel kjerneledige", "KALMIN – share of core unemployed", 0.02,
           unit=("andel", "share"), validation=Validation("decimal", 0, 0.99)),
    _param("AFALFA", "AFALFA – S-kurvens nivå (2·AFALFA ≤ 1)", "AFALFA – S-curve level (2·AFALFA ≤ 1)",
           0.5, validation=Validation("decimal", 0, 0.5)),
    _param("AFBETA", "AFBETA – S-kurvens bratthet", "AFBETA – S-curve steepness", 0.05,
           unit=("per km", "per km")),
    _param("AFDELTA", "AFDELTA – S-kurvens midtpunkt", "AFDELTA – S-curve midpoint", 60.0,
           unit=("km", "km"), fmt="0.0"),
    _param("ARBFAM", "ARBFAM – personer per intern arbeidsflytter",
           "ARBFAM – persons per internal labour migrant", 1.8, unit=("personer", "persons"),
           validation=Validation("decimal", 0.01, 10), fmt="0.00"),
    _param("UTFAM", "UTFAM – personer per yrkesaktiv utflytter",
           "UTFAM – persons per worker among out-migrants", 1.8, unit=("personer", "persons"),
           validation=Validation("decimal", 0.01, 10), fmt="0.00"),
    _param("INNFAM", "INNFAM – personer per yrkesaktiv innflytter",
           "INNFAM – persons per worker among in-migrants", 1.8, unit=("personer", "persons"),
           validation=Validation("decimal", 0.01, 10), fmt="0.00"),
    _param("DISTANCE_FUNCTION", "Avstandsfunksjon (potens/eksponentiell)",
           "Distance function (power/exponential)", "exponential", dtype="str",
           validation=DISTANCE_FUNCTION, fmt="General"),
    _param("BETA", "Avstandsparameter β", "Distance parameter β", 0.05),
    _param("EXTERNAL_DISTANCE", "Avstand til eksternsonen (alle soner)",
           "Distance to the external zone (all zones)", 100.0, unit=("km", "km"), fmt="0.0",
           prompt=("Avstand fra hver sone til området utenfor regionen; kan overstyres per sone.",
                   "Distance from every zone to outside the region; may be set per zone.")),
)  # fmt: skip

#: Housing-market parameters (engine.housing.HousingMarketParams).
HOUSING_PARAM_ITEMS: tuple[Column, ...] = (
    _param("BOLEKS", "BOLEKS – andel av flytternes behov i markedet",
           "BOLEKS – share of movers' need in the market", 1.0, unit=("andel", "share"),
           validation=SHARE),
    _param("BOLLED", "BOLLED – andel ledige boliger som tilbys", "BOLLED – share of vacancies offered",
           0.5, unit=("andel", "share"), validation=SHARE),
    _param("A1", "A1 – attraktivitet: tilbud", "A1 – attractiveness: supply", 1.0),
    _param("A2", "A2 – attraktivitet: etterspørsel", "A2 – attractiveness: demand", 0.05),
    _param("A3", "A3 – attraktivitet: arbeidsplassvekst", "A3 – attractiveness: job growth", 0.0),
    _param("DISTANCE_FUNCTION", "Avstandsfunksjon (potens/eksponentiell)",
           "Distance function (power/exponential)", "power", dtype="str",
           validation=DISTANCE_FUNCTION, fmt="General"),
    _param("BETA", "Avstandsparameter β", "Distance parameter β", 2.0),
    _param("MODE", "Bruk (enkel = håndbokas «forenklet og sikrere»)",
           "Use (simple = the handbook's 'simple and safer')", "simple", dtype="str",
           validation=_list("housing_mode"), fmt="General"),
)  # fmt: skip
HANDBOOK_HOUSING_PARAMS = ("A1", "A2", "A3", "MODE")

#: Endogenous Hadwiger coefficients (engine.housing.HadwigerRegression; keys = field names).
_HDW_TERMS = {
    "const": ("konstant", "constant"), "dwz": ("DWZ rom per bolig", "DWZ rooms per dwelling"),
    "newh": ("NEWH boligindeks", "NEWH housing index"), "inc": ("INC inntekt", "INC income"),
    "ma": ("MA medianalder kvinner 15–44", "MA median age women 15–44"),
}  # fmt: skip
HADWIGER_REGRESSION_ITEMS: tuple[Column, ...] = tuple(
    _param(f"{p}_{term}", f"{p.upper()}: {_HDW_TERMS[term][0]}", f"{p.upper()}: {_HDW_TERMS[term][1]}",
           default, validation=ANY_NUMBER, fmt="0.0000")
    for p, term, default in (
        ("a", "const", 44.4), ("a", "dwz", 297.9), ("a", "newh", 4.95), ("a", "inc", -3.34),
        ("b", "const", 1.05), ("b", "inc", 0.0392), ("b", "dwz", 0.395), ("b", "ma", -0.031),
        ("c", "const", 25.75), ("c", "inc", 0.095), ("c", "dwz", -0.465), ("c", "ma", -0.0293),
        ("c", "newh", -0.0154),
    )
)  # fmt: skip


def _num(key: str, nb: str, en: str, unit: tuple[str, str], validation: Validation, fmt: str,
         prompt: tuple[str, str], width: float = 12, required: bool = True) -> Column:
    return Column(
        key, Text(nb, en), dtype="float", unit_text=Text(unit[0], unit[1]), validation=validation,
        width=width, number_format=fmt, prompt_text=Text(prompt[0], prompt[1]), required=required,
    )  # fmt: skip


def _text_key(key: str, nb: str, en: str, prompt: tuple[str, str], width: float = 14) -> Column:
    return Column(key, Text(nb, en), dtype="str", role="key", validation=TEXT, width=width,
                  prompt_text=Text(prompt[0], prompt[1]))  # fmt: skip


_HOUSE_TYPE = _text_key("house_type", "Hustype", "House type",
                        ("Hustype som i tabellen Hustyper (f.eks. enebolig).",
                         "House type as in the House types table (e.g. detached)."))
_DWELLINGS = ("boliger", "dwellings")
_PROFILE_PROMPT = ("Relativ andel (≥ 0); profilen normaliseres til sum 1 over kjønn og alder.",
                   "Relative share (≥ 0); the profile is normalised to sum 1 over sex and age.")
_AGE_GROUP = Column(
    "age_lower", Text("Fra alder", "From age"), dtype="int", unit_text=Text("år", "years"), role="key",
    validation=AGE, width=9,
    prompt_text=Text("Laveste alder i gruppen; gruppen går til neste rads alder − 1, siste gruppe er åpen.", "Lowest age of the group; it ends at the next row's age − 1, the last group is open."),
)  # fmt: skip

MARKET_TABLES: tuple[Table, ...] = (
    Table(
        "tblTargets", "targets",
        (
            year_column(),
            Column("zone_code", Text("Sonekode (tom = regionen)", "Zone code (blank = region)"),
                   dtype="str", role="key", validation=TEXT, width=14, number_format="@",
                   required=False,
                   prompt_text=Text("Sonekode som i arket Soner, eller tom for hele regionen.", "Zone code as on the Zones sheet, or blank for the whole region.")),
            Column("steering", Text("Styring (1 = mål, 2 = trend)", "Steering (1 = target, 2 = trend)"),
                   dtype="int", validation=_list("steering"), width=14,
                   prompt_text=Text("1 = målstyring dette året, 2 = trend.", "1 = target steering this year, 2 = trend.")),
            Column("target_type", Text("Måltype (1 netto flytting, 2 folkemengde, 3 vekst %)", "Target type (1 net migration, 2 population, 3 growth %)"), dtype="int",
                   validation=_list("target_type"), width=20,
                   prompt_text=Text(
                       "1 = netto flytting (personer), 2 = folkemengde 31.12. (personer), "
                       "3 = vekst i % fra året før.",
                       "1 = net migration (persons), 2 = population on 31 Dec (persons), "
                       "3 = growth in % from the year before.",
                   )),
            Column("value", Text("Målverdi", "Target value"), dtype="float",
                   unit_text=Text("personer eller %", "persons or %"), validation=ANY_NUMBER,
                   width=14, number_format="#,##0.0", required=False,
                   prompt_text=Text("Personer (type 1 og 2) eller prosent (type 3). Kan være negativ for type 1 og 3.", "Persons (types 1 and 2) or per cent (type 3). May be negative for types 1 and 3.")),
            comment_column(36),
        ),
        key_columns=("year", "zone_code"), optional=True, capacity=YEAR_CAPACITY * 20,
        title_text=Text("Mål per år (målstyring)", "Targets per year (target steering)"),
    ),
    Table(
        "tblParticipation", "labour",
        (
            _AGE_GROUP,
            _num("males", "Menn", "Males", ("andel", "share"), PROBABILITY, "0.000",
                 ("Andel yrkesaktive menn i aldersgruppen (0–1).",
                  "Share of men in the age group in the labour force (0–1)."), width=10),
            _num("females", "Kvinner", "Females", ("andel", "share"), PROBABILITY, "0.000",
                 ("Andel yrkesaktive kvinner i aldersgruppen (0–1).",
                  "Share of women in the age group in the labour force (0–1)."), width=10),
            comment_column(22),
        ),
        key_columns=("age_lower",), optional=True, capacity=40,
        title_text=Text("Yrkesdeltakelse (YRKRAT)", "Labour-force participation (YRKRAT)"),
    ),
    Table(
        "tblLabourParams", "labour", KEYVALUE_COLUMNS, kind="keyvalue", key_columns=("key",),
        items=LABOUR_PARAM_ITEMS, anchor="G4", optional=True, capacity=len(LABOUR_PARAM_ITEMS),
        title_text=Text("Arbeidsmarkedsparametre", "Labour-market parameters"),
    ),
    Table(
        "tblLabourZones", "labour",
        (
            zone_column(),
            factor_column("YK", "YK yrkesdeltakelse", "YK participation",
                          "Nivåfaktor for yrkesdeltakelsen i sonen (1 = regionens nivå).",
                          "Participation level factor of the zone (1 = region level)."),
            _num("KUP", "KUP kjerneutpendling", "KUP core out-commuting", ("personer", "persons"),
                 NONNEG, "#,##0", ("Utpendlere som ikke deltar i markedet (≥ 0).",
                                   "Out-commuters outside the market (≥ 0)."), width=12),
            _num("KIP", "KIP kjerneinnpendling", "KIP core in-commuting", ("personer", "persons"),
                 NONNEG, "#,##0", ("Innpendlere som ikke deltar i markedet (≥ 0).",
                                   "In-commuters outside the market (≥ 0)."), width=12),
            _num("external_distance", "Avstand til eksternsonen", "Distance to the external zone",
                 ("km", "km"), NONNEG, "0.0",
                 ("Valgfritt: overstyrer parameteren EXTERNAL_DISTANCE for sonen (fyll alle eller ingen).",
                  "Optional: overrides EXTERNAL_DISTANCE for the zone (fill all or none)."),
                 width=12, required=False),
            comment_column(22),
        ),
        key_columns=("zone_code",), anchor="M4", optional=True, capacity=ZONE_CAPACITY,
        title_text=Text("Sonefaktorer (arbeidsmarked)", "Zone factors (labour market)"),
    ),
    Table(
        "tblJobs", "labour",
        (
            year_column(), zone_column(),
            _num("jobs", "Arbeidsplasser", "Jobs", ("antall", "number"), NONNEG, "#,##0",
                 ("Arbeidsplasser i sonen (ARBPL) i året; basisåret og hvert framskrivingsår.",
                  "Jobs in the zone (ARBPL) in the year; the base year and every projection year."),
                 width=13),
            comment_column(22),
        ),
        key_columns=("year", "zone_code"), anchor="T4", optional=True,
        capacity=ZONE_CAPACITY * 40, title_text=Text("Arbeidsplasser per sone og år", "Jobs per zone and year"),
    ),
    Table(
        "tblLabourProfile", "labour",
        (
            age_column(),
            _num("males", "Menn", "Males", ("andel", "share"), NONNEG, "0.00000", _PROFILE_PROMPT, width=10),
            _num("females", "Kvinner", "Females", ("andel", "share"), NONNEG, "0.00000", _PROFILE_PROMPT,
                 width=10),
            comment_column(18),
        ),
        key_columns=("age",), anchor="Y4", optional=True, capacity=100,
        title_text=Text("Profil for arbeidsflyttere (valgfri)", "Profile of labour migrants (optional)"),
    ),
    # ---- housing stock and building ---------------------------------------------------------
    Table(
        "tblHouseTypes", "housing",
        (
            _HOUSE_TYPE,
            _num("family_new", "Personer per husholdning i nye boliger (BFFAM)",
                 "Persons per household in new dwellings (BFFAM)", ("personer", "persons"),
                 Validation("decimal", 0, 10), "0.00",
                 ("Gjennomsnittlig husholdningsstørrelse for innflyttere i nye boliger av typen.",
                  "Mean household size of movers into new dwellings of this type."), width=16),
            comment_column(18),
        ),
        key_columns=("house_type",), optional=True, capacity=20,
        title_text=Text("Hustyper", "House types"),
    ),
    Table(
        "tblStockByPeriod", "housing",
        (
            zone_column(),
            _text_key("period", "Byggeperiode", "Construction period",
                      ("Byggeperiode (tekst, samme perioder for alle soner, f.eks. «før 1946»).",
                       "Construction period (text, the same periods for every zone).")),
            _num("dwellings", "Boliger", "Dwellings", _DWELLINGS, NONNEG, "#,##0",
                 ("Boliger 31.12. i basisåret bygd i perioden.",
                  "Dwellings on 31 Dec of the base year built in the period."), width=11),
            comment_column(18),
        ),
        key_columns=("zone_code", "period"), anchor="E4", optional=True,
        capacity=ZONE_CAPACITY * 10,
        title_text=Text("Boligmasse etter byggeperiode (BOLMAS)", "Housing stock by construction period"),
    ),
    Table(
        "tblStockByType", "housing",
        (
            zone_column(), _HOUSE_TYPE,
            _num("dwellings", "Boliger", "Dwellings", _DWELLINGS, NONNEG, "#,##0",
                 ("Boliger 31.12. i basisåret av hustypen; summen per sone = summen etter byggeperiode.",
                  "Dwellings on 31 Dec of the base year of the type; the zone sum must equal the sum by period."),
                 width=11),
            _num("building_share", "Andel av nybyggingen (BOLTYP)", "Share of new building (BOLTYP)",
                 ("andel", "share"), SHARE, "0.000",
                 ("Hustypens andel av nye boliger i sonen; summen per sone = 1.",
                  "The type's share of new dwellings in the zone; sums to 1 per zone."), width=13),
            comment_column(18),
        ),
        key_columns=("zone_code", "house_type"), anchor="J4", optional=True,
        capacity=ZONE_CAPACITY * 10,
        title_text=Text("Boligmasse etter hustype", "Housing stock by house type"),
    ),
    Table(
        "tblHousingZones", "housing",
        (
            zone_column(),
            _num("AVGE", "AVGE avgang eldre boliger", "AVGE demolition, old", ("andel/år", "share/year"),
                 SHARE, "0.0000", ("Årlig avgangsandel for boliger bygd før framskrivingen.",
                                   "Yearly demolition share of dwellings built before the projection."),
                 width=12),
            _num("AVGN", "AVGN avgang nye boliger", "AVGN demolition, new", ("andel/år", "share/year"),
                 SHARE, "0.0000", ("Årlig avgangsandel for boliger bygd i framskrivingen.",
                                   "Yearly demolition share of dwellings built in the projection."),
                 width=12),
            _num("family_existing", "Personer per husholdning (EBFAMIN)",
                 "Persons per household (EBFAMIN)", ("personer", "persons"),
                 Validation("decimal", 0, 10), "0.00",
                 ("Husholdningsstørrelse for innflyttere i eksisterende boliger.",
                  "Household size of movers into existing dwellings."), width=14),
            comment_column(18),
        ),
        key_columns=("zone_code",), anchor="P4", optional=True, capacity=ZONE_CAPACITY,
        title_text=Text("Avgang og husholdninger per sone", "Demolition and households per zone"),
    ),
    Table(
        "tblBuilding", "housing",
        (
            year_column(), zone_column(),
            _num("dwellings", "Nye boliger (BOLBYG)", "New dwellings (BOLBYG)", _DWELLINGS, NONNEG,
                 "#,##0", ("Byggeprogram: boliger ferdigstilt i sonen i året.",
                           "Building programme: dwellings completed in the zone in the year."),
                 width=13),
            comment_column(22),
        ),
        key_columns=("year", "zone_code"), anchor="V4", optional=True,
        capacity=ZONE_CAPACITY * 40, title_text=Text("Byggeprogram per sone og år", "Building programme per zone and year"),
    ),
    # ---- housing need and market ------------------------------------------------------------
    Table(
        "tblHousingNeed", "housing_market",
        (
            _SEX,
            Column("age_group", Text("Aldersgruppe", "Age group"), dtype="str", role="key",
                   validation=_list("housing_age_group"), width=10,
                   prompt_text=Text("16-19, 20-24, …, 75-79, 80+.", "16-19, 20-24, …, 75-79, 80+.")),
            Column("civil_status", Text("Sivilstand (1–4)", "Civil status (1–4)"), dtype="int", role="key",
                   validation=_list("civil_status"), width=10,
                   prompt_text=Text(
                       "1 enslig, 2 enslig med barn < 20, 3 gift, 4 gift med barn < 20 "
                       "(samboere i 1/2).",
                       "1 single, 2 single with children < 20, 3 married, 4 married with "
                       "children < 20 (cohabitants in 1/2).",
                   )),
            _num("SIVRAT", "Andel i sivilstanden (SIVRAT)", "Share in the civil status (SIVRAT)",
                 ("andel", "share"), SHARE, "0.000",
                 ("Andel av kjønn og aldersgruppe i sivilstanden; summen over 1–4 = 1.",
                  "Share of the sex and age group in the civil status; sums to 1 over 1–4."),
                 width=13),
            _num("BOLRAT", "Boligbehov per person (BOLRAT)", "Dwellings per person (BOLRAT)",
                 ("boliger/person", "dwellings/person"), Validation("decimal", 0, 2), "0.000",
                 ("Boliger per person i gruppen (en husholdning = én bolig).",
                  "Dwellings per person in the group (one household = one dwelling)."), width=13),
            comment_column(20),
        ),
        key_columns=("sex", "age_group", "civil_status"), optional=True, capacity=2 * 14 * 4,
        title_text=Text("Sivilstand og boligbehov", "Civil status and housing need"),
    ),
    Table(
        "tblHousingMarket", "housing_market", KEYVALUE_COLUMNS, kind="keyvalue", key_columns=("key",),
        items=HOUSING_PARAM_ITEMS, anchor="I4", optional=True, capacity=len(HOUSING_PARAM_ITEMS),
        title_text=Text("Boligmarkedsparametre", "Housing-market parameters"),
    ),
    Table(
        "tblNewDwellingProfile", "housing_market",
        (
            _HOUSE_TYPE, age_column(),
            _num("males", "Menn", "Males", ("andel", "share"), NONNEG, "0.00000", _PROFILE_PROMPT, width=10),
            _num("females", "Kvinner", "Females", ("andel", "share"), NONNEG, "0.00000", _PROFILE_PROMPT,
                 width=10),
            comment_column(18),
        ),
        key_columns=("house_type", "age"), anchor="O4", optional=True, capacity=20 * 100,
        title_text=Text("Profil for innflyttere i nye boliger (BFRAT, valgfri)", "Profile of movers into new dwellings (BFRAT, optional)"),
    ),
    # ---- distances ----------------------------------------------------------------------------
    Table(
        "tblDistances", "distances", (zone_column(),), kind="matrix", key_columns=("zone_code",),
        optional=True, capacity=ZONE_CAPACITY,
        title_text=Text("Avstander (km), fra rad til kolonne", "Distances (km), from row to column"),
    ),
    # ---- endogenous Hadwiger (fertility sheet) -----------------------------------------------
    Table(
        "tblHadwigerRegression", "fertility", KEYVALUE_COLUMNS, kind="keyvalue", key_columns=("key",),
        items=HADWIGER_REGRESSION_ITEMS, anchor="L4", optional=True,
        capacity=len(HADWIGER_REGRESSION_ITEMS),
        title_text=Text("Endogene Hadwiger-koeffisienter (REKONSTRUERT)", "Endogenous Hadwiger coefficients (RECONSTRUCTED)"),
    ),
    Table(
        "tblIncome", "fertility",
        (
            year_column(), zone_column(),
            _num("income", "Inntektsindikator (INC)", "Income indicator (INC)", ("indeks", "index"),
                 ANY_NUMBER, "0.00", ("Inntektsindikatoren INC i sonen og året (eksogen).",
                                      "The income indicator INC of the zone and year (exogenous)."),
                 width=13),
            comment_column(18),
        ),
        key_columns=("year", "zone_code"), anchor="R4", optional=True, capacity=ZONE_CAPACITY * 40,
        title_text=Text("Inntekt per sone og år (endogen Hadwiger)", "Income per zone and year (endogenous Hadwiger)"),
    ),
)  # fmt: skip
for _t in MARKET_TABLES:
    TABLES[_t.key] = _t


def distance_table(zone_codes: tuple[str, ...] | list[str]) -> Table:
    """The distance matrix as written for ``zone_codes``: the zone column, then one km column per
    zone (header = the zone code)."""
    cols = tuple(
        Column(str(c), Text(str(c), str(c)), dtype="float", validation=NONNEG, width=9,
               number_format="#,##0.0", prompt_text=Text("Avstand i km (≥ 0; > 0 med potensfunksjonen).", "Distance in km (≥ 0; > 0 with the power function)."))
        for c in zone_codes
    )  # fmt: skip
    base = TABLES["tblDistances"]
    return replace(base, columns=(*base.columns, *cols))


#: Sources, licences and notes shown on the cover (placed below the cover text by the builder).
PROVENANCE_TABLE = Table(
    "tblProvenance", "cover",
    (
        Column("kind", Text("Type", "Kind"), dtype="str", role="key", width=28,
               validation=Validation("list", choices="note_kind"),
               prompt_text=Text("kilde = datakilde eller lisens; merknad = fritt notat.", "source = data source or licence; note = free note.")),
        Column("text", Text("Tekst", "Text"), dtype="str", role="input", width=100, validation=TEXT),
    ),
    anchor="B40", optional=True, capacity=20,
    title_text=Text("Kilder, lisenser og merknader", "Sources, licences and notes"),
)
TABLES[PROVENANCE_TABLE.key] = PROVENANCE_TABLE

#: Columns of the checks table (written by the builder; read only for display).
CHECK_COLUMNS: tuple[Column, ...] = (
    Column("id", Text("Nr.", "Id"), dtype="str", role="key", width=7),
    Column("description", Text("Kontroll", "Check"), dtype="str", role="calc", width=70),
    Column("value", Text("Antall problemer", "Problems"), dtype="int", role="calc", width=12),
    Column("status", Text("Status", "Status"), dtype="str", role="calc", width=10),
)
CHECKS_TABLE = Table(
    "tblChecks", "checks", CHECK_COLUMNS, key_columns=("id",), capacity=50,
    title_text=Text("Kontroller", "Checks"),
)

SHEETS: dict[str, Sheet] = {s.key: s for s in INPUT_SHEETS}
