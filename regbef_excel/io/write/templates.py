"""The ``xlwings.conf`` sheet of distributable templates (XlsxWriter).

The use case that plans and writes the templates is :mod:`regbef_excel.app.templates`; the
workbook itself is :class:`regbef_excel.io.write.template.InputWorkbook`.
"""

from __future__ import annotations

from regbef_excel.io.write import styles
from regbef_excel.io.write.styles import Formats
from regbef_excel.schema.udfs import UDF_MODULE, XLWINGS_CONF_ROWS


def conf_rows() -> tuple[tuple[str, str], ...]:
    """``xlwings.conf`` rows of a template: the add-in's settings plus ``UDF Modules``.

    Interpreter keys are NOT written: an empty value would override the user's
    ``~/.xlwings/xlwings.conf``; they are shown as inactive examples beside the table.
    """
    rows = dict(XLWINGS_CONF_ROWS)
    rows.setdefault("UDF Modules", UDF_MODULE)
    return tuple(rows.items())


_CONF_NOTES = {
    "nb": (
        "xlwings-innstillinger for REGBEF-tillegget: nøkkel i kolonne A, verdi i kolonne B, "
        "ingen tomme rader (xlwings leser til første tomme celle i kolonne A).",
        "Excel finner som regel Python selv. Hvis ikke: legg til en rad under tabellen til "
        "venstre med en av nøklene nedenfor og din egen sti. Ikke la en nøkkel stå med tom verdi.",
        "Finn stien med «where pythonw» (Windows) eller «which python3» (macOS). "
        "Se docs/brukerveiledning.md del 2.",
    ),
    "en": (
        "xlwings settings for the REGBEF add-in: key in column A, value in column B, no blank "
        "rows (xlwings reads down to the first empty cell of column A).",
        "Excel usually finds Python by itself. If not: add a row below the table on the left "
        "with one of the keys below and your own path. Never leave a key with an empty value.",
        "Find the path with “where pythonw” (Windows) or “which python3” (macOS). "
        "See docs/excel-setup.md.",
    ),
}


_CONF_EXAMPLES = (
    ("Interpreter_Win", r"C:\Users\<me>\AppData\Local\Programs\Python\Python312\pythonw.exe"),
    ("Interpreter_Mac", "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3"),
    ("PYTHONPATH", r"C:\regbef\extra-modules"),
    ("Conda Path", r"C:\Users\<me>\miniconda3"),
    ("Conda Env", "regbef"),
)


def write_xlwings_conf(book, fmt: Formats, language: str = "nb") -> None:  # noqa: ANN001
    """Append the ``xlwings.conf`` sheet to ``book``: active keys in A/B (down to the first
    empty row, as xlwings reads them), notes and inactive examples from column D."""
    ws = book.add_worksheet("xlwings.conf")
    for r, (k, v) in enumerate(conf_rows()):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
    grey = fmt(styles.NOTE, font_size=11)
    notes = _CONF_NOTES["en" if language == "en" else "nb"]
    for i, text in enumerate(notes):
        ws.write_string(i, 3, text, grey)
    r0 = len(notes) + 1
    head = ("Examples (inactive)", "Value") if language == "en" else ("Eksempler (inaktive)", "Verdi")
    ws.write_string(r0, 3, head[0], fmt(styles.HEADER))
    ws.write_string(r0, 4, head[1], fmt(styles.HEADER))
    for i, (k, v) in enumerate(_CONF_EXAMPLES, start=r0 + 1):
        ws.write_string(i, 3, k, grey)
        ws.write_string(i, 4, v, grey)
    for col, width in enumerate((18, 34, 3, 22, 70)):
        ws.set_column(col, col, width)
