"""The workbook parts of the REGBEF add-in (.xlam) and macro workbook (.xlsm): the sheets and
properties openpyxl writes before :mod:`regbef_excel.addin.build` adds the VBA project and the
ribbon to the package.
"""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from regbef_excel.io.write.template import build_workbook
from regbef_excel.schema.meta import WorkbookMeta
from regbef_excel.schema.udfs import XLWINGS_CONF_ROWS


def add_conf_sheet(wb) -> None:  # noqa: ANN001 - openpyxl Workbook

    ws = wb.create_sheet("xlwings.conf")
    for r, (k, v) in enumerate(XLWINGS_CONF_ROWS, start=1):
        ws.cell(row=r, column=1, value=k)
        ws.cell(row=r, column=2, value=v)
    note = ws.cell(row=1, column=4, value=(
        "xlwings-innstillinger (kolonne A/B, uten tomme rader). Legg til Interpreter_Win / "
        "Interpreter_Mac / PYTHONPATH her bare hvis denne arbeidsboken trenger andre verdier "
        "enn ~/.xlwings/xlwings.conf. Se docs/brukerveiledning.md."
    ))  # fmt: skip
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


def addin_xlsx(when: datetime, *, title: str, creator: str, description: str) -> tuple[bytes, list[str]]:
    """The add-in's workbook (one ``xlwings.conf`` sheet) as .xlsx bytes, and its sheets' code names."""
    wb = Workbook()
    wb.remove(wb.active)
    add_conf_sheet(wb)
    wb.properties.title = title
    wb.properties.creator = creator
    wb.properties.description = description
    wb.properties.created = wb.properties.modified = when
    names = set_code_names(wb)
    return _save(wb), names


def macro_workbook_xlsx(when: datetime, language: str = "nb", inputs=None, meta=None) -> tuple[bytes, list[str]]:  # noqa: ANN001
    """The REGBEF workbook (the empty template unless ``inputs``) with an ``xlwings.conf`` sheet,
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
    add_conf_sheet(wb)
    wb.properties.created = wb.properties.modified = when
    names = set_code_names(wb)
    return _save(wb), names
