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
