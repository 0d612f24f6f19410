"""What the ribbon macros say to a planner: message box and status bar texts in Norwegian
bokmål (default) and English, one catalogue (:func:`text`)."""

from __future__ import annotations

#: Title of every message box.
TITLE = "REGBEF"


_TEXT = {
    "reading": ("REGBEF: leser og kontrollerer inndata …", "REGBEF: reading and checking inputs …"),
    "projecting": ("REGBEF: framskriver {year} ({t}/{T}) …", "REGBEF: projecting {year} ({t}/{T}) …"),
    "writing": ("REGBEF: skriver resultatark og diagrammer …", "REGBEF: writing result sheets and charts …"),
    "done": ("REGBEF: ferdig – {n} soner, {y0}–{y1} ({s:.1f} s){w}",
             "REGBEF: done – {n} zones, {y0}–{y1} ({s:.1f} s){w}"),
    "warnings": (", {n} advarsel(er) i Kjørelogg", ", {n} warning(s) in the run log"),
    "input_problems": ("Inndata har {n} problem(er). Rett dem og kjør igjen:",
                       "The inputs have {n} problem(s). Fix them and run again:"),
    "more": ("… og {n} til. Trykk «Valider» for hele listen.", "… and {n} more. Press 'Validate' for the full list."),
    "valid": ("Alle inndata og kontroller er i orden. Klar til å kjøre.", "All inputs and checks pass. Ready to run."),
    "template_written": ("Ny mal lagret:\n{path}", "New template saved:\n{path}"),
    "cancelled": ("REGBEF: avbrutt", "REGBEF: cancelled"),
    "estimate_title": ("Estimer parametre", "Estimate parameters"),
    "estimate_pick": ("Lagre arbeidsboken med nyestimerte parametre som",
                      "Save the workbook with re-estimated parameters as"),
    "estimating_parameters": ("REGBEF: estimerer parametre fra historikken …",
                              "REGBEF: estimating parameters from the history …"),
    "estimate_written": ("{n} verdier estimert på nytt, {kept} egne verdier beholdt. Lagret:\n{path}\n\n"
                         "Åpne den og trykk «Kjør framskriving».",
                         "{n} values re-estimated, {kept} of your own values kept. Saved:\n{path}\n\n"
                         "Open it and press “Run projection”."),
    "collect_pick": ("Velg én av de returnerte kommunearbeidsbøkene (alle i mappen samles inn)",
                     "Pick one of the returned municipal workbooks (all in its folder are collected)"),
    "collect_save": ("Lagre fylkesarbeidsboken som", "Save the county workbook as"),
    "collecting": ("REGBEF: samler inn {n} arbeidsbøker …", "REGBEF: collecting {n} workbooks …"),
    "collect_written": ("{n} kommuner i {county} samlet inn. Lagret:\n{path}\n\nArket «Kommunenes "
                        "endringer» viser hva hver kommune endret og virkningen på folketallet.",
                        "{n} municipalities of {county} collected. Saved:\n{path}\n\nThe sheet "
                        "“Municipal changes” shows what each municipality changed and the effect."),
    "output_would_replace_input": ("resultatarket «{sheet}» har samme navn som et ark med inndatatabeller",
                                   "the result sheet “{sheet}” has the name of a sheet holding input tables"),
    "output_would_replace_input_expected": ("gi inndataarket et annet navn; REGBEF erstatter aldri inndata",
                                            "rename the input sheet; REGBEF never replaces inputs"),
    "compare_pick": ("Velg arbeidsboken med scenariet du vil sammenligne med",
                     "Choose the workbook with the scenario to compare with"),
    "compared": ("REGBEF: scenarier sammenlignet ({a} mot {b})", "REGBEF: scenarios compared ({a} vs {b})"),
    "template_pick": ("Lagre ny REGBEF-mal som", "Save new REGBEF template as"),
    "unexpected": ("Uventet feil: {err}\n\nDetaljer er lagret i:\n{log}\nSend filen til den som "
                   "støtter REGBEF hos dere.",
                   "Unexpected error: {err}\n\nDetails were saved to:\n{log}\nSend the file to "
                   "whoever supports REGBEF for you."),
    "unknown_button": ("Ukjent knapp: {id}", "Unknown button: {id}"),
    "regress_na": (
        "Denne arbeidsboken har ingen regresjonstabeller (tblVariables, tblPanel, tblModels). "
        "Lag en regresjonsarbeidsbok med «regbef-excel regress-template FIL.xlsx», eller bruk "
        "regnearkfunksjonen =REGBEF_REGRESS(y; x; region; år) på dine egne data.",
        "This workbook has no regression tables (tblVariables, tblPanel, tblModels). Make a "
        "regression workbook with 'regbef-excel regress-template FILE.xlsx', or use the worksheet "
        "function =REGBEF_REGRESS(y, x, region, year) on your own data.",
    ),
    "estimating": ("REGBEF: estimerer regresjoner …", "REGBEF: estimating regressions …"),
    "estimated": ("REGBEF: {n} regresjonsmodell(er) estimert", "REGBEF: {n} regression model(s) estimated"),
    # ribbon actions that write new workbooks (new workbook, templates, back-test, targets)
    "new_codes": ("Kommunenummer (f.eks. 4001 eller 4001,4003) eller fylkesnummer (f.eks. 40). "
                  "Arbeidsboken fylles med SSB-tall og estimerte parametre. Skriv «tom» for en tom "
                  "arbeidsbok.",
                  "Municipality codes (e.g. 4001 or 4001,4003) or a county code (e.g. 40). The "
                  "workbook is filled with SSB figures and estimated parameters. Type 'empty' for "
                  "an empty workbook."),
    "generating": ("REGBEF: lager arbeidsbok fra SSB-data og historikk (kan ta et minutt) …",
                   "REGBEF: building the workbook from SSB data and history (may take a minute) …"),
    "new_title": ("Ny REGBEF-arbeidsbok", "New REGBEF workbook"),
    "new_pick": ("Lagre ny REGBEF-arbeidsbok som", "Save the new REGBEF workbook as"),
    "new_written": ("Ny arbeidsbok lagret:\n{paths}\n\nÅpne den, kontroller arket Kontroller og "
                    "trykk «Kjør framskriving».",
                    "New workbook saved:\n{paths}\n\nOpen it, look at the Checks sheet and press "
                    "'Run projection'."),
    "county_code": ("Fylkesnummer (f.eks. 40 for Telemark)", "County code (e.g. 40 for Telemark)"),
    "templates_title": ("Maler for kommunene", "Templates for the municipalities"),
    "templates_pick": ("Velg navnet på mappen malene skal skrives til",
                       "Choose the name of the folder to write the templates to"),
    "templates_written": ("{n} mal(er) skrevet til mappen:\n{folder}",
                          "{n} template(s) written to the folder:\n{folder}"),
    "backtest_title": ("Tilbaketest", "Back-test"),
    "backtest_year": ("Basisår for tilbaketesten: befolkningen 31.12. dette året (f.eks. 2015)",
                      "Base year of the back-test: the population on 31 Dec of that year (e.g. 2015)"),
    "backtest_pick": ("Lagre tilbaketesten som", "Save the back-test as"),
    "written": ("Lagret:\n{path}", "Saved:\n{path}"),
    "ssb_compared": ("REGBEF: sammenlignet med SSBs framskriving (arket {sheet})",
                     "REGBEF: compared with SSB's projection (sheet {sheet})"),
    "targets_pick_regression": ("Velg regresjonsarbeidsboken (laget med regress-template)",
                                "Choose the regression workbook (made with regress-template)"),
    "targets_pick": ("Lagre den nye arbeidsboken med nettoflyttemål som",
                     "Save the new workbook with net-migration targets as"),
    "targets_written": ("Ny arbeidsbok med {n} nettoflyttemål (modellvariant 2) lagret:\n{path}",
                        "New workbook with {n} net-migration targets (model variant 2) saved:\n{path}"),
    "save_first": ("Lagre arbeidsboken først: «{what}» leser den lagrede fila.",
                   "Save the workbook first: '{what}' reads the saved file."),
}  # fmt: skip


def text(key: str, language: str = "nb", **values: object) -> str:
    """A user message in ``language`` with placeholders filled."""
    nb, en = _TEXT[key]
    return (en if language == "en" else nb).format(**values)


# ----------------------------------------------------------------------------------------------
# What a planner is told about the workbook: the reader, the cell conversion, the checks and the
# engine's input rules. The English text (with ``{placeholders}``) is the key and the fallback
# (gettext's msgid convention); the value is the Norwegian bokmål text. :func:`say` picks the
# workbook's language and then fills the placeholders.
# ----------------------------------------------------------------------------------------------
WORKBOOK_NB: dict[str, str] = {
    # one cell
    "not a value from the list": "ikke en verdi fra listen",
    "not a finite number": "ikke et endelig tall",
    "not a whole number": "ikke et heltall",
    "out of range": "utenfor gyldig område",
    "Excel error value {value}": "Excel-feilverdi {value}",
    "a date or time, not a value of this column": "en dato eller et klokkeslett, ikke en verdi for denne kolonnen",
    "TRUE/FALSE is not a number": "SANN/USANN er ikke et tall",
    "text is not a number": "teksten er ikke et tall",
    "text longer than {n} characters": "teksten er lengre enn {n} tegn",
    "empty cell": "tom celle",
    "empty cells": "tomme celler",
    "a whole number": "et heltall",
    "a number": "et tall",
    "text": "tekst",
    "a value": "en verdi",
    # sheets, tables, headers, settings
    "sheet missing": "arket mangler",
    "a sheet named '{sheet}' (or '{other}')": "et ark med navnet «{sheet}» (eller «{other}»)",
    "Excel table {table} not found": "fant ikke Excel-tabellen {table}",
    "an Excel table named {table} with headers {headers}, …": "en Excel-tabell med navnet {table} og overskriftene {headers}, …",
    "column header not recognised (renamed?)": "kolonneoverskriften gjenkjennes ikke (omdøpt?)",
    "column '{column}' missing": "kolonnen «{column}» mangler",
    "'{header}' (or '{other}' or key '{key}')": "«{header}» (eller «{other}» eller nøkkelen «{key}»)",
    "setting listed twice": "innstillingen står to ganger",
    "one row (first at {cell})": "én rad (første i {cell})",
    "setting '{key}' missing": "innstillingen «{key}» mangler",
    "a row with key '{key}' ({label})": "en rad med nøkkelen «{key}» ({label})",
    "duplicate {what}": "{what} står to ganger",
    "unique (first at {cell})": "unik (første i {cell})",
    "unknown zone code": "ukjent sonekode",
    "a zone code listed on the sheet '{sheet}'": "en sonekode fra arket «{sheet}»",
    "{what} year before the projection period": "{what}: år før framskrivingsperioden",
    "{sheet}, table {table}: {what} rows for {years} are after the horizon {last} and not used":
        "{sheet}, tabell {table}: {what}-rader for {years} ligger etter sluttåret {last} og brukes ikke",
    # what a key names (in "duplicate …")
    "zone code": "sonekode", "zone and age": "sone og alder", "age": "alder", "year": "år",
    "flow, zone and sex": "strøm, sone og kjønn", "year/zone/age": "år/sone/alder",
    "age group": "aldersgruppe", "year and zone": "år og sone", "row": "rad",
    "house type": "hustype", "zone and period": "sone og periode", "zone and house type": "sone og hustype",
    "sex, age group and civil status": "kjønn, aldersgruppe og sivilstand",
    "year-factor": "årsfaktor", "target": "mål", "jobs": "arbeidsplasser", "building": "byggeprogram", "income": "inntekt",
    # the projection workbook
    "workbook made for another schema version": "arbeidsboken er laget for en annen skjemaversjon",
    "schema {version}: build a new template and copy the inputs": "skjema {version}: lag en ny mal og kopier inndataene",
    "the horizon must be after the base year": "sluttåret må være etter basisåret",
    "a year after {base}": "et år etter {base}",
    "no zones": "ingen soner",
    "at least one zone row": "minst én sonerad",
    "no population rows for zone {zone}": "ingen befolkningsrader for sone {zone}",
    "100 rows, ages 0–99": "100 rader, alder 0–99",
    "zone {zone}: ages missing": "sone {zone}: aldre mangler",
    "one row for each age 0–99": "én rad for hver alder 0–99",
    "fertility rates missing for ages": "fødselsrater mangler for aldre",
    "one row for each age 15–49": "én rad for hver alder 15–49",
    "death probabilities missing for ages": "dødssannsynligheter mangler for aldre",
    "Rogers–Castro parameters missing for {flow}, zone {zone}": "Rogers–Castro-parametre mangler for {flow}, sone {zone}",
    "one row per flow, zone and sex": "én rad per strøm, sone og kjønn",
    "level factors missing for zones": "nivåfaktorer mangler for soner",
    "one row per zone": "én rad per sone",
    "immigration shares do not sum to 1": "innvandringsandelene summerer ikke til 1",
    "shares summing to 1": "andeler som summerer til 1",
    "year factors missing for years": "årsfaktorer mangler for år",
    "one row for each year {first}–{last}": "én rad for hvert år {first}–{last}",
    "check {id} failed: {description}": "kontroll {id} feilet: {description}",
    "0 problems": "0 problemer",
    # targets
    "target year outside the projection": "målåret er utenfor framskrivingen",
    "target for an unknown zone": "mål for en ukjent sone",
    "a zone of the projection": "en sone i framskrivingen",
    "a target needs a value": "et mål trenger en verdi",
    "persons (types 1, 2) or per cent (type 3)": "personer (type 1, 2) eller prosent (type 3)",
    "a population target cannot be negative": "et mål for folketallet kan ikke være negativt",
    ">= 0 persons": ">= 0 personer",
    # labour and housing markets, distances
    "{what} missing for year/zone": "{what} mangler for år/sone",
    "one row per year {first}–{last} and zone": "én rad per år {first}–{last} og sone",
    "participation rates missing": "yrkesdeltakelse mangler",
    "one row per labour age group (from age, males, females)": "én rad per aldersgruppe (fra alder, menn, kvinner)",
    "zone factors of the labour market missing": "sonefaktorene for arbeidsmarkedet mangler",
    "one row per zone (YK, KUP, KIP)": "én rad per sone (YK, KUP, KIP)",
    "labour-market zone factors missing for zones": "sonefaktorer for arbeidsmarkedet mangler for soner",
    "jobs per zone and year missing": "arbeidsplasser per sone og år mangler",
    "unknown house type": "ukjent hustype",
    "a house type of the House types table": "en hustype fra tabellen Boligtyper",
    "a house type listed in the House types table": "en hustype fra tabellen Boligtyper",
    "profile ages missing": "profilen mangler aldre",
    "profile ages missing for {group}": "profilen mangler aldre for {group}",
    "profile is zero at every age": "profilen er null for alle aldre",
    "some positive shares": "noen positive andeler",
    "{what} missing": "{what} mangler",
    "house types": "boligtyper",
    "housing stock by construction period": "boligmasse etter byggeperiode",
    "housing stock by house type": "boligmasse etter hustype",
    "demolition and household sizes per zone": "avgang og husholdningsstørrelse per sone",
    "building programme": "byggeprogram",
    "civil-status shares and housing-need rates": "sivilstandsandeler og boligbehovsrater",
    "dwellings by period missing for zone/period": "boliger etter periode mangler for sone/periode",
    "one row per zone and construction period (the same periods for every zone)":
        "én rad per sone og byggeperiode (de samme periodene for alle soner)",
    "dwellings by house type missing for zone/type": "boliger etter hustype mangler for sone/hustype",
    "one row per zone and house type": "én rad per sone og hustype",
    "zone {zone}: dwellings by period do not sum to the total by house type":
        "sone {zone}: boliger etter periode summerer ikke til totalen etter hustype",
    "{a} by period vs {b} by type": "{a} etter periode mot {b} etter hustype",
    "equal totals (± {tol})": "like totaler (± {tol})",
    "zone {zone}: shares of new building do not sum to 1": "sone {zone}: andelene av nybygging summerer ikke til 1",
    "shares summing to 1 over the house types": "andeler som summerer til 1 over hustypene",
    "demolition shares missing for zones": "avgangsandeler mangler for soner",
    "need rates missing for sex/age group/civil status": "behovsrater mangler for kjønn/aldersgruppe/sivilstand",
    "one row per sex, age group (16-19 … 80+) and civil status 1–4":
        "én rad per kjønn, aldersgruppe (16-19 … 80+) og sivilstand 1–4",
    "zone listed twice in the column headers": "sonen står to ganger i kolonneoverskriftene",
    "each zone once (first at {cell})": "hver sone én gang (første i {cell})",
    "unknown zone code in the column headers": "ukjent sonekode i kolonneoverskriftene",
    "distance matrix not square": "avstandsmatrisen er ikke kvadratisk",
    "{rows} rows × {cols} columns": "{rows} rader × {cols} kolonner",
    "as many zone columns as zone rows, one of each per zone": "like mange sonekolonner som sonerader, én av hver per sone",
    "zones missing from the distance matrix (rows)": "soner mangler i avstandsmatrisen (rader)",
    "zones missing from the distance matrix (columns)": "soner mangler i avstandsmatrisen (kolonner)",
    "one column per zone (header = zone code)": "én kolonne per sone (overskrift = sonekode)",
    "negative distance": "negativ avstand",
    "a distance in km": "en avstand i km",
    "zero distance with the power distance function": "null avstand med potensfunksjonen",
    "> 0 km (or choose the exponential function)": "> 0 km (eller velg eksponentialfunksjonen)",
    "endogenous Hadwiger needs the income indicator per zone and year":
        "endogen Hadwiger trenger inntektsindikatoren per sone og år",
    "a filled income table on the sheet '{sheet}' or NEI/NO": "en utfylt inntektstabell på arket «{sheet}» eller NEI",
    "endogenous Hadwiger needs the housing inputs": "endogen Hadwiger trenger boligdataene",
    "a filled sheet '{sheet}' or NEI/NO": "et utfylt ark «{sheet}» eller NEI",
    "model variant {v} ({name}) needs the {what}": "modellvariant {v} ({name}) trenger {what}",
    "labour-market inputs": "arbeidsmarkedsdata", "housing inputs": "boligdata", "distances": "avstander",
    "a filled sheet '{sheet}' or another model variant": "et utfylt ark «{sheet}» eller en annen modellvariant",
    # the regression workbook
    "a regression workbook (regbef-excel regress-template) with table {table}":
        "en regresjonsarbeidsbok (regbef-excel regress-template) med tabellen {table}",
    "not yes/no": "ikke ja/nei",
    "key column '{column}' missing": "nøkkelkolonnen «{column}» mangler",
    "a column headed '{nb}' or '{en}'": "en kolonne med overskriften «{nb}» eller «{en}»",
    "duplicate column header": "kolonneoverskriften står to ganger",
    "the panel table is empty": "paneltabellen er tom",
    "one row per region and year": "én rad per region og år",
    "region is empty": "regionen er tom",
    "the region's name": "regionens navn",
    "year is not a whole number": "året er ikke et heltall",
    "a year such as 2015": "et år, f.eks. 2015",
    "duplicate region–year rows: {rows}": "region og år står to ganger: {rows}",
    "region with a single year (a misspelt name?): {rows}": "region med bare ett år (feilstavet navn?): {rows}",
    "every region in at least two years, spelt the same way each year":
        "hver region i minst to år, stavet likt hvert år",
    "unknown variable '{name}' (not a column of tblPanel)": "ukjent variabel «{name}» (ikke en kolonne i tblPanel)",
    "a setting or a column name of tblPanel: {names}": "en innstilling eller et kolonnenavn i tblPanel: {names}",
    "setting row '{label}' missing": "innstillingsraden «{label}» mangler",
    "estimator is empty": "estimatoren er tom",
    "unknown {what}": "ukjent {what}",
    "dependent variable is empty": "den avhengige variabelen er tom",
    "a column name of tblPanel": "et kolonnenavn i tblPanel",
    "the dependent variable is also ticked as a regressor": "den avhengige variabelen er også krysset av som forklaringsvariabel",
    "not a tick": "ikke et kryss",
    "x (in the model) or an empty cell": "x (i modellen) eller en tom celle",
    "malformed interaction": "feil i samspillsleddet",
    "'a:b' (product of columns a and b)": "'a:b' (produktet av kolonnene a og b)",
    "unknown variable '{name}' in interaction '{term}'": "ukjent variabel «{name}» i samspillsleddet «{term}»",
    "column names of tblPanel": "kolonnenavn i tblPanel",
    "no regressor ticked": "ingen forklaringsvariabel er krysset av",
    "at least one x in the model's column": "minst én x i modellens kolonne",
    "no model columns": "ingen modellkolonner",
    "at least one model column in tblModels": "minst én modellkolonne i tblModels",
}  # fmt: skip


def say(english: str, language: str | None = "en", /, **values: object) -> str:
    """``english`` (a key of :data:`WORKBOOK_NB`) in ``language``, placeholders filled.

    Norwegian falls back to the English text for a message not (yet) in the catalogue.
    """
    template = WORKBOOK_NB.get(english, english) if language == "nb" else english
    return template.format(**values) if values else template


def translated(text: str | None, language: str | None) -> str | None:
    """A message already filled in (no placeholders) in ``language`` when the catalogue has it."""
    if text is None or language != "nb":
        return text
    return WORKBOOK_NB.get(text, text)
