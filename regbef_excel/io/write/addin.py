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

import io
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from regbef_excel.io.write.template import build_workbook
from regbef_excel.io.write.templates import CONF_NOTE, CONF_SHEET, conf_rows
from regbef_excel.schema.meta import WorkbookMeta


def add_conf_sheet(wb, language: str = "nb", source_dir: Path | None = None) -> None:  # noqa: ANN001 - openpyxl Workbook
    """Append the ``regbef.conf`` sheet: the rows of ``workbook/regbef.conf`` and a note."""
    ws = wb.create_sheet(CONF_SHEET)
    for r, (k, v) in enumerate(conf_rows(source_dir), start=1):
        ws.cell(row=r, column=1, value=k)
        ws.cell(row=r, column=2, value=v)
    note = ws.cell(row=1, column=4, value=CONF_NOTE["en" if language == "en" else "nb"])
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
