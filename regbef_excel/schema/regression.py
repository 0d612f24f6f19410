"""The regression workbook contract: sheets, tables, columns, lists and labels (nb/en).

Input workbook (``regbef-excel regress-template``)::

    Forside / Cover            purpose, how to run, provenance, SYNTHETIC/ESTIMATED labels
    Paneldata / Panel data     tblPanel (region, region code, year, one column per variable)
    Variabler / Variables      tblVariables (key, labels nb/en, unit, source, estimated, note)
    Modeller / Models          tblModels: EACH COLUMN IS A MODEL (the layout of the output
                               tables); rows = settings, then one tick row per variable
    Lister / Lists             dropdown sources (estimator, covariance, yes/no)

Output workbook (``regbef-excel regress IN -o OUT``): the input sheets again (so the output can
be run again), then the output sheets of :data:`OUTPUT_SHEETS`.

Why models in columns: the output tables print models side by side ((1)…(k)), so the
specification reads like the table it produces, and a nested sequence is a staircase of ticks.
Adding a model is adding a column to the table (Excel extends a table typed next to it).
``tblPanel`` and ``tblModels`` have data-dependent columns: the schema fixes their key
columns/rows; the variables are described by ``tblVariables``.
"""

from __future__ import annotations

from regbef_excel.schema.base import (
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

# ----------------------------------------------------------------------------------------------
# Lists (dropdown sources). Codes are what regbef_excel.regression.fit_panel takes.
# ----------------------------------------------------------------------------------------------
ESTIMATORS = ChoiceList(
    "estimator", "tblEstimators", Text("Estimator", "Estimator"),
    (
        Choice("pooled", Text("POLS", "POLS"), ("pooled", "pooled ols", "ols")),
        Choice("fe", Text("FE", "FE"), ("fixed effects", "within", "faste effekter")),
        Choice("fd", Text("FD", "FD"), ("first differences", "førstedifferanser")),
    ),
)  # fmt: skip
COV_TYPES = ChoiceList(
    "cov", "tblCovariance", Text("Standardfeil", "Standard errors"),
    (
        Choice("robust", Text("robust", "robust"), ("robuste",)),
        Choice("cluster", Text("klynge (region)", "cluster (region)"), ("cluster", "klynge")),
        Choice("classic", Text("klassisk", "classic"), ("klassiske", "conventional")),
    ),
)  # fmt: skip
YES_NO = ChoiceList(
    "yesno", "tblYesNo", Text("Ja/nei", "Yes/no"),
    (
        Choice(True, Text("Ja", "Yes"), ("j", "y", "1", "true", "sann", "x")),
        Choice(False, Text("Nei", "No"), ("n", "0", "false", "usann")),
    ),
)  # fmt: skip
LISTS: dict[str, ChoiceList] = {c.key: c for c in (ESTIMATORS, COV_TYPES, YES_NO)}

#: Cell values that tick a variable into a model (casefolded), and values that leave it out.
TICK_YES = frozenset({"x", "1", "ja", "yes", "j", "y", "true", "sann", "✓", "✔"})
TICK_NO = frozenset({"", "0", "nei", "no", "n", "false", "usann", "-"})

# ----------------------------------------------------------------------------------------------
# Sheets
# ----------------------------------------------------------------------------------------------
SHEETS: dict[str, Sheet] = {
    s.key: s
    for s in (
        Sheet("cover", Text("Forside", "Cover"), 0, "cover"),
        Sheet("panel", Text("Paneldata", "Panel data"), 1, "input",
              Text(
                  "Én rad per region og år. Tomme celler = manglende verdi (raden tas ut av modeller "
                  "som bruker variabelen). Variabeldefinisjonene står på neste ark.",
                  "One row per region and year. Blank cells = missing (the row is dropped from "
                  "models that use the variable). Variable definitions on the next sheet.",
              ),
              ("tblPanel",)),
        Sheet("variables", Text("Variabler", "Variables"), 2, "input",
              Text(
                  "Definisjon, enhet og kilde for hver kolonne i tblPanel. Estimert = Ja: "
                  "variabelen er beregnet, ikke observert.",
                  "Definition, unit and source of every tblPanel column. Estimated = Yes: the "
                  "variable is computed, not observed.",
              ),
              ("tblVariables",)),
        Sheet("models", Text("Modeller", "Models"), 3, "input",
              Text(
                  "Hver KOLONNE er en modell. Kryss av (x) variablene modellen skal ha; modeller med "
                  "samme tabellnavn skrives side om side i én tabell.",
                  "Each COLUMN is a model. Tick (x) the variables a model uses; models with the "
                  "same table name are printed side by side in one table.",
              ),
              ("tblModels",)),
        Sheet("lists", Text("Lister", "Lists"), 9, "lists",
              Text("Kilder for nedtrekkslistene.", "Sources of the dropdown lists.")),
    )
}  # fmt: skip

# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------
REGION_COLUMN = Column(
    "region", Text("Region", "Region"), "str", role="key", width=22, validation=TEXT,
    prompt_text=Text("Regionens navn (samme skrivemåte alle år)", "Region name (same spelling every year)"),
)  # fmt: skip
YEAR_COLUMN = Column(
    "year", Text("År", "Year"), "int", role="key", width=8, validation=YEAR, number_format="0",
)  # fmt: skip
REGION_CODE_COLUMN = Column(
    "region_code", Text("Regionkode", "Region code"), "int", role="key", width=10, required=False,
    number_format="0",
)  # fmt: skip

#: tblPanel: these key columns, then one column per variable (from tblVariables).
PANEL = Table(
    "tblPanel", "panel", (REGION_COLUMN, REGION_CODE_COLUMN, YEAR_COLUMN),
    key_columns=("region", "year"), anchor="A5", capacity=5000,
    title_text=Text("Paneldata", "Panel data"),
)  # fmt: skip

VARIABLES = Table(
    "tblVariables", "variables",
    (
        Column("key", Text("Variabel", "Variable"), "str", role="key", width=18),
        Column("label_nb", Text("Navn (norsk)", "Label (Norwegian)"), "str", role="input", width=34,
               required=False),
        Column("label_en", Text("Navn (engelsk)", "Label (English)"), "str", role="input", width=34,
               required=False),
        Column("unit", Text("Enhet", "Unit"), "str", role="input", width=10, required=False),
        Column("source", Text("Kilde", "Source"), "str", role="comment", width=30, required=False),
        Column("estimated", Text("Estimert", "Estimated"), "bool", role="input", width=10,
               required=False, validation=Validation("list", choices="yesno")),
        Column("note", Text("Definisjon og merknad", "Definition and note"), "str", role="comment",
               width=70, required=False),
    ),
    key_columns=("key",), anchor="A5", capacity=60,
    title_text=Text("Variabeldefinisjoner", "Variable definitions"),
)  # fmt: skip

#: Settings rows of tblModels (the first column holds the key, the second its label); the
#: variable tick rows follow, keyed by the variable names of tblPanel.
MODEL_SETTINGS: tuple[Column, ...] = (
    Column("table", Text("Tabell", "Table"), "str", required=False,
           prompt_text=Text("Modeller med samme tabellnavn skrives side om side i én utdatatabell", "Models with the same table name are printed side by side in one table")),
    Column("dependent", Text("Avhengig variabel", "Dependent variable"), "str",
           prompt_text=Text("Navnet på en kolonne i tblPanel", "A column name of tblPanel")),
    Column("estimator", Text("Estimator", "Estimator"), "str",
           validation=Validation("list", choices="estimator"),
           prompt_text=Text("POLS (pooled OLS), FE (faste effekter, within) eller FD (førstedifferanser)", "POLS (pooled OLS), FE (fixed effects, within) or FD (first differences)")),
    Column("cov", Text("Standardfeil", "Standard errors"), "str",
           validation=Validation("list", choices="cov"),
           prompt_text=Text("robust = som Stata (HC1 etter POLS, klynge per region etter FE)", "robust = as Stata (HC1 after POLS, cluster by region after FE)")),
    Column("time_dummies", Text("Årsdummyer", "Year dummies"), "bool",
           validation=Validation("list", choices="yesno")),
    Column("interactions", Text("Samspill", "Interactions"), "str", required=False,
           prompt_text=Text("F.eks. arbeidsledighet:by (flere skilles med ; eller ,)", "E.g. arbeidsledighet:by (separate several with ; or ,)")),
)  # fmt: skip
MODELS = Table(
    "tblModels", "models",
    (
        Column("setting", Text("Innstilling", "Setting"), "str", role="key", width=18),
        Column("label", Text("Forklaring", "Description"), "str", role="calc", width=34,
               required=False),
    ),
    anchor="A5", capacity=40, title_text=Text("Modellspesifikasjon", "Model specification"),
)  # fmt: skip
#: Columns of tblModels a planner may add models to (validation covers this many columns).
MODEL_CAPACITY = 40
MODEL_COLUMN_WIDTH = 11

TABLES: dict[str, Table] = {t.key: t for t in (PANEL, VARIABLES, MODELS)}

# ----------------------------------------------------------------------------------------------
# Output sheets (keys → labels); sheets for regression tables are named after tblModels' table row
# ----------------------------------------------------------------------------------------------
OUTPUT_SHEETS: dict[str, Sheet] = {
    s.key: s
    for s in (
        Sheet("run", Text("Kjørelogg", "Run log"), 10, "output",
              Text("Hva som ble kjørt, på hvilke data, og hva som ble tatt ut.", "What was run, on which data, and what was dropped.")),
        Sheet("descriptives", Text("Deskriptiv", "Descriptives"), 11, "output",
              Text(
                  "Deskriptiv statistikk (som Stata summarize: Obs, gj.snitt, std.avvik med N−1, "
                  "min, maks) for variablene modellene bruker.",
                  "Descriptive statistics (as Stata summarize: Obs, mean, SD with N−1, min, max) "
                  "of the variables the models use.",
              )),
        Sheet("correlations", Text("Korrelasjoner", "Correlations"), 12, "output",
              Text("Pearson-korrelasjoner (nedre trekant; rader komplette i alle variablene).", "Pearson correlations (lower triangle; rows complete in every variable).")),
        Sheet("diagnostics", Text("Diagnostikk", "Diagnostics"), 30, "output",
              Text(
                  "Breusch–Pagan (estat hettest), RESET (estat ovtest) og Mundlak-test (FE mot RE, "
                  "klyngerobust) per modell.",
                  "Breusch–Pagan (estat hettest), RESET (estat ovtest) and Mundlak test (FE vs RE, "
                  "cluster-robust) per model.",
              )),
        Sheet("marginal", Text("Marginaleffekter", "Marginal effects"), 31, "output",
              Text(
                  "Marginaleffekt av en variabel i et samspill ved nivåer av moderatoren "
                  "(lincom: koeffisient + samspill × nivå, SE fra hele kovariansmatrisen).",
                  "Marginal effect of an interacted variable at levels of the moderator "
                  "(lincom: coefficient + interaction × level, SE from the full covariance).",
              )),
        Sheet("coefficients", Text("Koeffisienter", "Coefficients"), 32, "output",
              Text("Alle koeffisienter med full presisjon (maskinlesbar tabell tblCoefficients).", "Every coefficient at full precision (machine-readable table tblCoefficients).")),
        Sheet("plot", Text("Koeffisientplott", "Coefficient plot"), 33, "output",
              Text(
                  "Effekt av ett standardavviks endring i hver variabel (koeffisient × SD) med 95 % "
                  "konfidensintervall.",
                  "Effect of a one-SD change of each variable (coefficient × SD) with 95 % "
                  "confidence interval.",
              )),
    )
}  # fmt: skip

COEFFICIENTS = Table(
    "tblCoefficients", "coefficients",
    (
        Column("table", Text("Tabell", "Table"), "str", role="calc", width=18),
        Column("model", Text("Modell", "Model"), "str", role="calc", width=17),
        Column("estimator", Text("Estimator", "Estimator"), "str", role="calc", width=10),
        Column("term", Text("Variabel", "Term"), "str", role="calc", width=26),
        Column("coef", Text("Koeffisient", "Coefficient"), role="calc", number_format="0.000000"),
        Column("se", Text("Standardfeil", "Std. error"), role="calc", number_format="0.000000"),
        Column("t", Text("t", "t"), role="calc", number_format="0.000"),
        Column("pvalue", Text("p-verdi", "p-value"), role="calc", number_format="0.0000"),
        Column("ci_lower", Text("KI nedre", "CI lower"), role="calc", number_format="0.000000"),
        Column("ci_upper", Text("KI øvre", "CI upper"), role="calc", number_format="0.000000"),
        Column("df", Text("Frihetsgrader (t)", "d.o.f. (t)"), "int", role="calc", number_format="0"),
    ),
    anchor="A5", capacity=1,
)  # fmt: skip

DIAGNOSTICS = Table(
    "tblDiagnostics", "diagnostics",
    (
        Column("model", Text("Modell", "Model"), "str", role="calc", width=17),
        Column("table", Text("Tabell", "Table"), "str", role="calc", width=18),
        Column("estimator", Text("Estimator", "Estimator"), "str", role="calc", width=10),
        Column("nobs", Text("Observasjoner", "Observations"), "int", role="calc",
               number_format="#,##0"),
        Column("dropped_rows", Text("Rader tatt ut (mangler)", "Rows dropped (missing)"), "int",
               role="calc", number_format="#,##0"),
        Column("bp_chi2", Text("Breusch–Pagan χ²", "Breusch–Pagan χ²"), role="calc",
               number_format="0.000"),
        Column("bp_p", Text("BP p-verdi", "BP p-value"), role="calc", number_format="0.0000"),
        Column("reset_f", Text("RESET F", "RESET F"), role="calc", number_format="0.000"),
        Column("reset_df", Text("RESET fg", "RESET d.o.f."), "str", role="calc"),
        Column("reset_p", Text("RESET p-verdi", "RESET p-value"), role="calc", number_format="0.0000"),
        Column("mundlak_f", Text("Mundlak F", "Mundlak F"), role="calc", number_format="0.000"),
        Column("mundlak_p", Text("Mundlak p-verdi", "Mundlak p-value"), role="calc",
               number_format="0.0000"),
        Column("notes", Text("Merknader", "Notes"), "str", role="calc", width=80),
    ),
    anchor="A5", capacity=1,
)  # fmt: skip

MARGINAL = Table(
    "tblMarginal", "marginal",
    (
        Column("model", Text("Modell", "Model"), "str", role="calc", width=17),
        Column("variable", Text("Variabel", "Variable"), "str", role="calc", width=18),
        Column("moderator", Text("Moderator", "Moderator"), "str", role="calc", width=14),
        Column("at", Text("Ved", "At"), "str", role="calc", width=8),
        Column("level", Text("Nivå", "Level"), role="calc", number_format="0.000"),
        Column("effect", Text("Effekt", "Effect"), role="calc", number_format="0.0000"),
        Column("se", Text("Standardfeil", "Std. error"), role="calc", number_format="0.0000"),
        Column("t", Text("t", "t"), role="calc", number_format="0.00"),
        Column("pvalue", Text("p-verdi", "p-value"), role="calc", number_format="0.0000"),
        Column("ci_lower", Text("KI nedre", "CI lower"), role="calc", number_format="0.0000"),
        Column("ci_upper", Text("KI øvre", "CI upper"), role="calc", number_format="0.0000"),
    ),
    anchor="A5", capacity=1,
)  # fmt: skip

OUTPUT_TABLES: dict[str, Table] = {t.key: t for t in (COEFFICIENTS, DIAGNOSTICS, MARGINAL)}

# ----------------------------------------------------------------------------------------------
# Texts
# ----------------------------------------------------------------------------------------------
COVER_TEXT: dict[str, dict[str, object]] = {
    "nb": {
        "title": "REGBEF – flytteregresjoner",
        "subtitle": "Hva driver nettoinnflyttingen? Paneldata, modeller og tabeller i "
        "masteroppgavens (Stata) format.",
        "purpose_h": "Formål",
        "purpose": [
            "Estimere hvordan arbeidsledighet, alderssammensetning, byregion og andre forhold "
            "påvirker nettoinnflytting per 1000 innbyggere, med Pooled OLS, faste effekter (FE) "
            "og førstedifferanser, med Statas konvensjoner (robuste/klyngerobuste standardfeil, "
            "årsdummyer, R2 = within-R2 for FE).",
            "Resultatene kan brukes som nettoflyttingsmål (MÅLTYP 1) i framskrivingen "
            "(regbef_excel.regression.targets.targets_from_fe).",
        ],
        "run_h": "Slik kjører du",
        "run": [
            "Kommandolinje: regbef-excel regress DENNE-FILEN.xlsx -o RESULTAT.xlsx "
            "[--language en]",
            "Resultatene skrives til en NY fil; denne filen endres aldri.",
            "Knapp i REGBEF-båndet i Excel: kommer senere.",
            "Endre data i Paneldata (tblPanel), kryss av variabler i Modeller (tblModels). "
            "Nye variabler: legg til en kolonne i tblPanel og en rad i tblVariables.",
        ],
        "data_h": "Data",
        "legend_h": "Merking",
        "legend": [
            "ESTIMERT: variabelen er beregnet (ikke observert) – se kolonnen Estimert i "
            "variabeldefinisjonene.",
            "SYNTETISK: tilfeldig trukne data formet som masteroppgaven; sier ingenting om Norge.",
        ],
        "toc_h": "Innhold",
    },
    "en": {
        "title": "REGBEF – migration regressions",
        "subtitle": "What drives net in-migration? Panel data, models and tables in the "
        "thesis' (Stata) layout.",
        "purpose_h": "Purpose",
        "purpose": [
            "Estimate how unemployment, age structure, city regions and other factors move net "
            "in-migration per 1000 inhabitants, by pooled OLS, fixed effects (FE) and first "
            "differences with Stata's conventions (robust/cluster-robust standard errors, year "
            "dummies, R2 = within R2 for FE).",
            "Results can become net-migration targets (MÅLTYP 1) of the projection "
            "(regbef_excel.regression.targets.targets_from_fe).",
        ],
        "run_h": "How to run",
        "run": [
            "Command line: regbef-excel regress THIS-FILE.xlsx -o RESULTS.xlsx [--language en]",
            "Results go to a NEW file; this file is never modified.",
            "Button on the REGBEF ribbon in Excel: later.",
            "Edit data in Panel data (tblPanel), tick variables in Models (tblModels). New "
            "variables: add a column to tblPanel and a row to tblVariables.",
        ],
        "data_h": "Data",
        "legend_h": "Labels",
        "legend": [
            "ESTIMATED: the variable is computed (not observed) – see the Estimated column of "
            "the variable definitions.",
            "SYNTHETIC: random data shaped like the thesis; says nothing about Norway.",
        ],
        "toc_h": "Contents",
    },
}

#: Marks shown beside estimated/synthetic things.
MARK = {
    "nb": {"estimated": "ESTIMERT", "synthetic": "SYNTETISK", "yes": "Ja", "no": "Nei"},
    "en": {"estimated": "ESTIMATED", "synthetic": "SYNTHETIC", "yes": "Yes", "no": "No"},
}


def sheet_label(key: str, language: str) -> str:
    """Visible name of an input or output sheet."""
    sheet = SHEETS.get(key) or OUTPUT_SHEETS[key]
    return sheet.label(language)


__all__ = [
    "COEFFICIENTS", "COV_TYPES", "COVER_TEXT", "DIAGNOSTICS", "ESTIMATORS", "LISTS", "MARGINAL",
    "MARK", "MODELS", "MODEL_CAPACITY", "MODEL_SETTINGS", "OUTPUT_SHEETS", "OUTPUT_TABLES",
    "PANEL", "SHEETS", "TABLES", "TICK_NO", "TICK_YES", "VARIABLES", "YES_NO", "sheet_label",
]  # fmt: skip
