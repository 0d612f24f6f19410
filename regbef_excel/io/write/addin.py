"""The workbook parts of the REGBEF add-in (.xlam) and macro workbook (.xlsm): the sheets and
properties openpyxl writes before :mod:`regbef_excel.addin.build` adds the VBA project and the
ribbon to the package; the ONE text source of their configuration sheet
(``workbook/regbef.conf``) and where the shipped text files are (:func:`shipped_path`).

Configuration (decision): the VBA xlwings module in both built files is xlwings' own, with
``PROJECT_NAME = "regbef"``. xlwings' VBA then reads settings, first found wins, from a
``regbef.conf`` sheet in the active workbook, the add-in's own ``regbef.conf`` sheet (the rows
of ``workbook/regbef.conf``), a ``regbef.conf`` file beside the active workbook, and the user
file ``%USERPROFILE%\\.regbef\\regbef.conf`` (macOS:
``~/Library/Containers/com.microsoft.Excel/Data/regbef.conf``) that ``regbef-excel addin
install`` writes the interpreter into. ``~/.xlwings/xlwings.conf`` and ``xlwings.conf`` sheets,
which other xlwings tools use, are not read by REGBEF.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from regbef_excel.io.write.template import build_workbook
from regbef_excel.schema.meta import WorkbookMeta

#: The ``PROJECT_NAME`` of the embedded xlwings VBA: names the config sheet and files.
CONF_PROJECT = "regbef"
#: Name of the configuration sheet xlwings' VBA reads (``PROJECT_NAME & ".conf"``).
CONF_SHEET = f"{CONF_PROJECT}.conf"
#: The text source of the configuration sheet, in ``workbook/``.
CONF_SOURCE = "regbef.conf"


def shipped_path(*parts: str) -> Path:
    """A file or folder shipped with regbef_excel outside the Python package (``workbook/``,
    ``docs/``): the checkout's copy (editable install, tests), else the copy pip installed
    from the wheel's data files under ``<prefix>/share/regbef_excel/`` (setup.cfg
    ``[options.data_files]``). Returns the checkout path when neither exists."""
    checkout = Path(__file__).resolve().parents[3].joinpath(*parts)
    if checkout.exists():
        return checkout
    for prefix in (sys.prefix, sys.base_prefix):
        installed = Path(prefix, "share", "regbef_excel", *parts)
        if installed.exists():
            return installed
    return checkout


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
_CONF_NOTE = {
    "nb": ("REGBEF-innstillinger for xlwings: nøkkel i kolonne A, verdi i kolonne B, ingen tomme "
           "rader. En rad her gjelder foran brukerfila ~/.regbef/regbef.conf som «regbef-excel "
           "addin install» skriver Python-stien (INTERPRETER_WIN/INTERPRETER_MAC) inn i. "
           "Se brukerveiledningen, del 2."),
    "en": ("REGBEF settings for xlwings: key in column A, value in column B, no blank rows. A row "
           "here wins over the user file ~/.regbef/regbef.conf into which “regbef-excel addin "
           "install” writes the Python path (INTERPRETER_WIN/INTERPRETER_MAC). See "
           "docs/excel-setup.md."),
}  # fmt: skip


def add_conf_sheet(wb, language: str = "nb", source_dir: Path | None = None) -> None:  # noqa: ANN001 - openpyxl Workbook
    """Append the ``regbef.conf`` sheet: the rows of ``workbook/regbef.conf`` and a note."""
    ws = wb.create_sheet(CONF_SHEET)
    for r, (k, v) in enumerate(conf_rows(source_dir), start=1):
        ws.cell(row=r, column=1, value=k)
        ws.cell(row=r, column=2, value=v)
    note = ws.cell(row=1, column=4, value=_CONF_NOTE["en" if language == "en" else "nb"])
    note.font = Font(italic=True, color="595959")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    ws.sheet_state = "visible"


def set_code_names(wb) -> list[str]:  # noqa: ANN001
    wb.code_name = "ThisWorkbook"
    names = []
    for i, ws in enumerate(wb.worksheets, start=1):
        ws.sheet_properties.codeName = f"Sheet{i}"
        names.append(f"Sheet{i}")
    return names


def _save(wb) -> bytes:  # noqa: ANN001 - openpyxl Workbook
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def addin_xlsx(when: datetime, *, title: str, creator: str, description: str,
               source_dir: Path | None = None) -> tuple[bytes, list[str]]:  # fmt: skip
    """The add-in's workbook (one ``regbef.conf`` sheet) as .xlsx bytes, and its sheets' code names."""
    wb = Workbook()
    wb.remove(wb.active)
    add_conf_sheet(wb, source_dir=source_dir)
    wb.properties.title = title
    wb.properties.creator = creator
    wb.properties.description = description
    wb.properties.created = wb.properties.modified = when
    names = set_code_names(wb)
    return _save(wb), names


def macro_workbook_xlsx(when: datetime, language: str = "nb", inputs=None, meta=None,  # noqa: ANN001
                        source_dir: Path | None = None) -> tuple[bytes, list[str]]:  # fmt: skip
    """The REGBEF workbook (the empty template unless ``inputs``) with a ``regbef.conf`` sheet,
    stamped with the build time ``when``, as .xlsx bytes, and its sheets' code names."""
    wb = build_workbook(inputs, language=language, meta=meta or WorkbookMeta(language=language)).to_openpyxl()
    # the template stamps the current time; a reproducible build uses the build time
    created = next((str(p.value) for p in wb.custom_doc_props if p.name == "REGBEF_created"), None)
    fixed = when.isoformat(sep=" ")
    if created:
        for p in wb.custom_doc_props:
            if p.name == "REGBEF_created":
                p.value = fixed
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.value == created:
                        c.value = fixed
    add_conf_sheet(wb, language, source_dir)
    wb.properties.created = wb.properties.modified = when
    names = set_code_names(wb)
    return _save(wb), names
