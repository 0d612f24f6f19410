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
}  # fmt: skip


def text(key: str, language: str = "nb", **values: object) -> str:
    """A user message in ``language`` with placeholders filled."""
    nb, en = _TEXT[key]
    return (en if language == "en" else nb).format(**values)
