"""The configuration sheet (``regbef.conf``) of REGBEF workbooks and its ONE text source,
``workbook/regbef.conf``.

xlwings' VBA in the REGBEF add-in (``PROJECT_NAME = "regbef"``) reads, first found wins, a
``regbef.conf`` sheet in the active workbook, the add-in's own sheet, a ``regbef.conf`` file beside
the workbook and the user file ``~/.regbef/regbef.conf`` that ``regbef-excel addin install``
writes the interpreter into (:mod:`regbef_excel.io.write.addin`). Templates carry the same sheet
as the add-in, written here with XlsxWriter; the use case that plans the templates is
:mod:`regbef_excel.app.templates`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from regbef_excel.files import shipped_path
from regbef_excel.io.write import styles
from regbef_excel.io.write.styles import Formats

#: The ``PROJECT_NAME`` of the embedded xlwings VBA: names the config sheet and files.
CONF_PROJECT = "regbef"
#: Name of the configuration sheet xlwings' VBA reads (``PROJECT_NAME & ".conf"``).
CONF_SHEET = f"{CONF_PROJECT}.conf"
#: The text source of the configuration sheet, in ``workbook/``.
CONF_SOURCE = "regbef.conf"


def read_conf_text(text: str) -> list[tuple[str, str]]:
    """(key, value) rows of an xlwings config file: one ``"KEY","value"`` line each (the format
    xlwings' VBA reads with ``Input #`` and ``regbef-excel addin install`` writes)."""
    rows = []
    for rec in csv.reader(line for line in text.splitlines() if line.strip()):
        if len(rec) >= 2 and rec[0].strip():
            rows.append((rec[0].strip(), rec[1].strip()))
    return rows


def conf_rows(source_dir: Path | None = None) -> list[tuple[str, str]]:
    """The rows of the configuration sheet: ``workbook/regbef.conf`` (the one source)."""
    path = Path(source_dir or shipped_path("workbook")) / CONF_SOURCE
    return read_conf_text(path.read_text(encoding="utf-8"))


#: Note beside the configuration table (the sheet's language is the workbook's).
CONF_NOTE = {
    "nb": ("REGBEF-innstillinger for xlwings: nøkkel i kolonne A, verdi i kolonne B, ingen tomme "
           "rader. En rad her gjelder foran brukerfila ~/.regbef/regbef.conf som «regbef-excel "
           "addin install» skriver Python-stien (INTERPRETER_WIN/INTERPRETER_MAC) inn i. "
           "Se brukerveiledningen, del 2."),
    "en": ("REGBEF settings for xlwings: key in column A, value in column B, no blank rows. A row "
           "here wins over the user file ~/.regbef/regbef.conf into which “regbef-excel addin "
           "install” writes the Python path (INTERPRETER_WIN/INTERPRETER_MAC). See "
           "docs/excel-setup.md."),
}  # fmt: skip


_CONF_EXAMPLES = (
    ("Interpreter_Win", r"C:\Users\<me>\AppData\Local\Programs\Python\Python312\pythonw.exe"),
    ("Interpreter_Mac", "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3"),
    ("PYTHONPATH", r"C:\regbef\extra-modules"),
    ("Conda Path", r"C:\Users\<me>\miniconda3"),
    ("Conda Env", "regbef"),
)


def write_conf_sheet(book, fmt: Formats, language: str = "nb") -> list[tuple[str, str]]:  # noqa: ANN001
    """Append the ``regbef.conf`` sheet to ``book``: the rows of ``workbook/regbef.conf`` in A/B
    (down to the first empty row, as xlwings reads them), a note and inactive examples from
    column D. Interpreter keys are not written: the user file holds them."""
    ws = book.add_worksheet(CONF_SHEET)
    rows = conf_rows()
    for r, (k, v) in enumerate(rows):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
    grey = fmt(styles.NOTE, font_size=11)
    ws.write_string(0, 3, CONF_NOTE["en" if language == "en" else "nb"], grey)
    r0 = 2
    head = ("Examples (inactive)", "Value") if language == "en" else ("Eksempler (inaktive)", "Verdi")
    ws.write_string(r0, 3, head[0], fmt(styles.HEADER))
    ws.write_string(r0, 4, head[1], fmt(styles.HEADER))
    for i, (k, v) in enumerate(_CONF_EXAMPLES, start=r0 + 1):
        ws.write_string(i, 3, k, grey)
        ws.write_string(i, 4, v, grey)
    for col, width in enumerate((18, 34, 3, 22, 70)):
        ws.set_column(col, col, width)
