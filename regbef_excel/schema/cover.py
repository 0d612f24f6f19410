"""Texts of the cover sheet (Forside/Cover) in both languages."""

from __future__ import annotations

COVER_TEXT: dict[str, dict[str, object]] = {
    "nb": {
        "title": "REGBEF – regional befolkningsframskriving",
        "subtitle": "Åpen etterfølger av befolkningsmodellen REGBEF i PANDA",
        "purpose_h": "Formål",
        "purpose": [
            "Framskriver befolkningen etter sone (kommune/bydel), kjønn og ettårig alder år for år: "
            "aldring, fødte, døde, inn- og utflytting (REGBEF, PANDA-håndboka kap. 3).",
            "Fyll ut de gule cellene på arkene for innstillinger og inndata. Alle inndata står i "
            "Excel-tabeller; kolonneoverskriftene viser enhetene.",
        ],
        "run_h": "Slik kjører du modellen",
        "run": [
            "Excel med REGBEF-tillegget: fanen REGBEF i båndet → «Kjør framskriving».",
            "Makro: kjør makroen RegbefRun (Utvikler → Makroer).",
            "Formel: skriv =REGBEF_RUN() i en celle på et tomt ark (gir en resultattabell).",
            "Kommandolinje: regbef-excel run INN.xlsx -o UT.xlsx  (innfila endres aldri).",
            "Kontroller først: regbef-excel validate INN.xlsx, eller se arket Kontroller.",
        ],
        "assumptions_h": "Forutsetninger og kjente svakheter",
        "assumptions": [
            "Befolkningen gjelder 31.12.; aldre er alder ved utgangen av året; 99 = 99 år og eldre.",
            "Modellvariant 1 (trend): flytting fra Rogers–Castro-kurver og nivåfaktorer; "
            "bolig- og arbeidsmarkedsmodellene (variant 2–6) kommer senere.",
            "Rogers–Castro-parametre for små soner er svakt identifisert: vurder kurven og "
            "totalene, ikke enkeltparametrene.",
            "Hadwiger-koeffisientene i håndboka er delvis rekonstruert (se dokumentasjonen).",
            "Framskrivinger er betingede beregninger, ikke prognoser: usikkerheten øker med "
            "tidshorisonten og er størst for små soner.",
        ],
        "toc_h": "Innhold",
        "legend_h": "Stilforklaring",
        "legend": [
            ("input", "Inndata: fylles ut eller endres av deg (ulåst)."),
            ("key", "Nøkkelkolonne: identifiserer raden (sone, alder, år, …)."),
            ("calc", "Beregnet eller fast tekst: ikke endre."),
            ("output", "Resultat skrevet av modellen."),
        ],
        "names_h": "Navn i arbeidsboka",
        "names": [
            "Alle inndata ligger i Excel-tabeller (tbl…); tabell- og kolonnenøkler er de samme på "
            "norsk og engelsk. Arbeidsboka har i tillegg disse navnene:",
            "REGBEF_MASTER_CHECK – summen av alle kontroller (0 = OK).",
            "REGBEF_SCHEMA_VERSION – versjonen av arbeidsbokas oppsett.",
        ],
        "version_h": "Versjon",
        "template_version": "Malversjon",
        "engine_version": "Modellversjon (regbef_excel)",
        "schema_version": "Skjemaversjon",
        "created": "Laget",
        "region": "Region",
        "master": "Hovedkontroll (antall problemer, 0 = OK)",
        "master_short": "Hovedkontroll",
        "ok": "OK",
        "not_ok": "SE KONTROLLER",
        "sources_h": "Kilder, lisenser og merknader",
    },
    "en": {
        "title": "REGBEF – regional population projection",
        "subtitle": "Open successor of PANDA's REGBEF population model",
        "purpose_h": "Purpose",
        "purpose": [
            "Projects the population by zone (municipality/district), sex and single year of age, "
            "year by year: ageing, births, deaths, in- and out-migration (REGBEF, PANDA handbook ch. 3).",
            "Fill in the yellow cells on the settings and input sheets. Every input is an Excel "
            "table; the column headers show the units.",
        ],
        "run_h": "How to run",
        "run": [
            "Excel with the REGBEF add-in: REGBEF tab on the ribbon → “Run projection”.",
            "Macro: run the macro RegbefRun (Developer → Macros).",
            "Formula: type =REGBEF_RUN() in a cell of an empty sheet (returns a results table).",
            "Command line: regbef-excel run IN.xlsx -o OUT.xlsx  (the input file is never changed).",
            "Check first: regbef-excel validate IN.xlsx, or see the Checks sheet.",
        ],
        "assumptions_h": "Assumptions and known weaknesses",
        "assumptions": [
            "Population is on 31 Dec; ages are ages at the end of the year; 99 = 99 and older.",
            "Model variant 1 (trend): migration from Rogers–Castro schedules and level factors; "
            "the housing and labour-market models (variants 2–6) come later.",
            "Rogers–Castro parameters of small zones are weakly identified: judge the curve and "
            "the totals, not single parameters.",
            "The handbook's Hadwiger coefficients are partly reconstructed (see the documentation).",
            "Projections are conditional calculations, not forecasts: uncertainty grows with the "
            "horizon and is largest for small zones.",
        ],
        "toc_h": "Contents",
        "legend_h": "Style legend",
        "legend": [
            ("input", "Input: filled in or changed by you (unlocked)."),
            ("key", "Key column: identifies the row (zone, age, year, …)."),
            ("calc", "Calculated or fixed text: do not edit."),
            ("output", "Result written by the model."),
        ],
        "names_h": "Names in the workbook",
        "names": [
            "Every input is an Excel table (tbl…); table and column keys are the same in Norwegian "
            "and English. The workbook also has these names:",
            "REGBEF_MASTER_CHECK – sum of all checks (0 = OK).",
            "REGBEF_SCHEMA_VERSION – version of the workbook layout.",
        ],
        "version_h": "Version",
        "template_version": "Template version",
        "engine_version": "Engine version (regbef_excel)",
        "schema_version": "Schema version",
        "created": "Created",
        "region": "Region",
        "master": "Master check (number of problems, 0 = OK)",
        "master_short": "Master check",
        "ok": "OK",
        "not_ok": "SEE CHECKS",
        "sources_h": "Sources, licences and notes",
    },
}
