"""The worksheet-function contract: every REGBEF UDF's name, help text and arguments (the
registry :data:`UDFS`), the error texts a UDF returns, and where the add-in finds the
functions. The xlwings wrappers, the add-in's VBA declarations and the function wizard help are
generated from :data:`UDFS`; the functions themselves are in :mod:`regbef_excel.excel.udfs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from regbef_excel.schema.layout import quote_sheet

Matrix = list[list[object]]


#: Error values as the Windows COM interface delivers them (CVErr codes, as signed 32-bit ints).
COM_ERROR_CODES: dict[int, str] = {
    -2146826288: "#NULL!",
    -2146826281: "#DIV/0!",
    -2146826273: "#VALUE!",
    -2146826265: "#REF!",
    -2146826259: "#NAME?",
    -2146826252: "#NUM!",
    -2146826246: "#N/A",
    -2146826245: "#GETTING_DATA",
}


#: Prefix of every error text a UDF returns.
ERROR_PREFIX = "#REGBEF: "


@dataclass(frozen=True)
class UdfArg:
    """One argument of a worksheet function as the function wizard shows it."""

    name: str
    doc: str
    optional: bool = False


@dataclass(frozen=True)
class UdfSpec:
    """A worksheet function: its Excel name, one-line description and arguments."""

    name: str
    doc: str
    args: tuple[UdfArg, ...]
    volatile: bool = False
    uses_caller: bool = False


UDFS: dict[str, UdfSpec] = {
    s.name: s
    for s in (
        UdfSpec(
            "REGBEF_RUN",
            "Kjører REGBEF-framskrivingen på arbeidsbokens inndatatabeller og returnerer en "
            "tabell (søl). Runs the REGBEF projection on the workbook's input tables.",
            (
                UdfArg("inputs", "Inndata (navnet Inndata, engelsk Inputs): da regnes cellen om "
                       "når en inndatatabell endres. Tom = denne arbeidsboken uten automatisk "
                       "omregning; tekst = full sti til en annen REGBEF-arbeidsbok (.xlsx).", True),
                UdfArg("result", "Hva som vises: \"total\" (folkemengde per sone og år, standard), "
                       "\"agegroups\", \"components\" eller \"pyramid\".", True),
                UdfArg("zone", "Sonenummer eller -navn for agegroups/components/pyramid; tom = "
                       "hele regionen.", True),
                UdfArg("year", "År for pyramid (standard: sluttåret).", True),
            ),
            uses_caller=True,
        ),
        UdfSpec(
            "REGBEF_ROGERS_CASTRO",
            "Rogers–Castro-flyttekurve m(x) for gitte aldre og parametre (ROGFUNK).",
            (
                UdfArg("ages", "Aldre: én rad eller én kolonne med tall."),
                UdfArg("params", "Parametre: to kolonner (navn, verdi), to rader (navn over "
                       "verdi) eller 7/9/11/13 tall i rekkefølgen a1, alpha1, a2, alpha2, mu2, "
                       "lambda2, c[, a3, alpha3, mu3, lambda3][, a4, lambda4]."),
            ),
        ),
        UdfSpec(
            "REGBEF_ROGEST",
            "Estimerer Rogers–Castro-parametre fra observerte rater (ROGEST); returnerer en "
            "tabell parameter/verdi med SSE, R² og konvergens.",
            (
                UdfArg("ages", "Aldre: én rad eller én kolonne med tall."),
                UdfArg("rates", "Observerte rater, én per alder (tom celle = mangler)."),
                UdfArg("n_params", "Antall parametre: 7, 9, 11 (standard, som PANDA) eller 13.",
                       True),
                UdfArg("weights", "Vekter per alder (f.eks. befolkning i risiko); tom = like "
                       "vekter.", True),
            ),
        ),
        UdfSpec(
            "REGBEF_HADWIGER",
            "Hadwiger-fruktbarhetskurve (PANDAs form) for gitte aldre.",
            (
                UdfArg("ages", "Aldre: én rad eller én kolonne med tall (> 0)."),
                UdfArg("a", "Nivå (samlet fruktbarhet, SFT)."),
                UdfArg("b", "Spredning (> 0)."),
                UdfArg("c", "Gjennomsnittsalder (> 0)."),
            ),
        ),
        UdfSpec(
            "REGBEF_REGRESS",
            "Paneldata-regresjon (Stata-konvensjoner); returnerer koeffisienttabell med "
            "overskriftsrad.",
            (
                UdfArg("y", "Avhengig variabel: én kolonne, gjerne med overskrift."),
                UdfArg("x", "Forklaringsvariabler: én eller flere kolonner med overskrifter."),
                UdfArg("entity", "Region/enhet per rad (tom = tverrsnitt uten paneldimensjon).",
                       True),
                UdfArg("time", "År per rad (tom = uten tidsdimensjon).", True),
                UdfArg("method", "\"fe\" (faste effekter, standard), \"pooled\" eller \"fd\".",
                       True),
                UdfArg("cov", "\"robust\" (standard), \"cluster\" eller \"classic\".", True),
                UdfArg("time_dummies", "SANN (standard) legger til årsdummyer.", True),
            ),
        ),
        UdfSpec(
            "REGBEF_AGEGROUPS",
            "Summerer befolkning per alder til planleggingsaldersgrupper (barnehage, skole, "
            "eldreomsorg).",
            (
                UdfArg("ages", "Aldre: én rad eller én kolonne med hele tall."),
                UdfArg("population", "Befolkning per alder, samme form som ages."),
            ),
        ),
        UdfSpec(
            "REGBEF_INTERVAL",
            "Nedre eller øvre grense for 80 %- eller 95 %-prediksjonsintervallet til en sones "
            "(eller regionens) folkemengde et år, fra modellens egne tilbaketestingsfeil. One "
            "bound of the 80 % or 95 % prediction interval.",
            (
                UdfArg("inputs", "Inndata (navnet Inndata, engelsk Inputs): regnes om når inndata "
                       "endres. Tom = denne arbeidsboken; tekst = full sti til en arbeidsbok.", True),
                UdfArg("zone", "Sonenummer eller -navn; tom = hele regionen."),
                UdfArg("year", "År i framskrivingen."),
                UdfArg("level", "80 eller 95 (prosent)."),
                UdfArg("bound", "\"nedre\" eller \"øvre\" (engelsk \"lower\"/\"upper\")."),
                UdfArg("measure", "\"total\" (standard), \"1-5\", \"6-15\", \"67+\" eller \"80+\".",
                       True),
            ),
            uses_caller=True,
        ),
        UdfSpec(
            "REGBEF_CHECK",
            "Kontrollerer arbeidsbokens inndata som før en kjøring; \"OK\" eller én linje per "
            "problem.",
            (UdfArg("inputs", "Inndata (navnet Inndata, engelsk Inputs): regnes om når inndata "
                    "endres. Tom = denne arbeidsboken; tekst = full sti til en arbeidsbok.", True),),
            uses_caller=True,
        ),
        UdfSpec(
            "REGBEF_VERSION",
            "Versjoner: regbef_excel, skjema, xlwings og Python.",
            (),
        ),
    )
}


#: Workbook-level name whose formula references every input table, by workbook language. Passed
#: as the first argument (``=REGBEF_RUN(Inndata)``), it gives the cell a real dependency on the
#: inputs: Excel marks the cell for recalculation whenever any input cell changes, and only
#: then. (The functions read the tables through the workbook, not through their arguments; a
#: volatile function would re-read ~46 000 cells on EVERY recalculation of anything.)
INPUTS_NAME = {"nb": "Inndata", "en": "Inputs"}


def inputs_name_formula(sheets: Iterable[str]) -> str:
    """The formula of :data:`INPUTS_NAME`: ``COUNTA`` over every row of every input sheet, so
    rows added below a table are covered too. Its value means nothing; its references are the
    point. Whole-row references, not structured ones (``tblX[#All]``): LibreOffice evaluates
    these and not those, like the check formulas."""
    return "COUNTA(" + ",".join(f"{quote_sheet(s)}!$1:$1048576" for s in sheets) + ")"


#: Python module the generated VBA UDF declarations call.
UDF_MODULE = "regbef_excel.excel.xlwings_udfs"


