"""The .xlsx package around the cells: is the file a workbook at all, its Excel tables and its
custom document properties — read from the zip's small XML parts, whatever reads the cells.

Both file back-ends (:mod:`regbef_excel.io.fast_files`, :mod:`regbef_excel.io.openpyxl_files`)
open the package here, so they accept and refuse the same files with the same messages and
find the same tables.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from lxml import etree
from openpyxl.utils.cell import range_boundaries

from regbef_excel.errors import InputError, Location
from regbef_excel.io.backend import TableRef

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_TABLE_REL = _NS_REL + "/table"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def file_error(path: Path, message: str, expected: str | None = None) -> InputError:
    """A problem with the workbook file as a whole (the location names the file)."""
    return InputError(message, location=Location(sheet=path.name), expected=expected)


def open_package(path: Path) -> zipfile.ZipFile:
    """The workbook's zip package, or an :class:`InputError` saying why the file is not one.

    The caller closes the returned zip file.
    """
    if not path.exists():
        raise file_error(path, "file not found", "an existing .xlsx workbook")
    if path.is_dir():
        raise file_error(path, "is a folder, not a workbook", "an .xlsx file")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise file_error(path, f"cannot be opened ({exc.strerror or exc})",
                         "a readable .xlsx file (close it in other programs?)") from None  # fmt: skip
    if head == _OLE2_MAGIC:
        raise file_error(
            path, "is password-protected (encrypted) or an old-format .xls workbook",
            "an .xlsx workbook without a password (File → Save As → Excel Workbook)",
        )  # fmt: skip
    if not zipfile.is_zipfile(path):
        raise file_error(path, "is not an Excel workbook (not an .xlsx package)",
                         "an .xlsx file saved by Excel or LibreOffice (not CSV or text)")  # fmt: skip
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # a corrupt zip directory
        raise file_error(path, f"cannot be read as a workbook ({type(exc).__name__}: {exc})",
                         "an .xlsx file saved by Excel or LibreOffice") from None  # fmt: skip
    names = set(zf.namelist())
    if "xl/workbook.bin" in names:
        zf.close()
        raise file_error(path, "is a binary .xlsb workbook", "an .xlsx or .xlsm workbook")
    if "xl/workbook.xml" not in names:
        zf.close()
        raise file_error(path, "is a zip file but not an Excel workbook",
                         "an .xlsx file saved by Excel or LibreOffice")  # fmt: skip
    return zf


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    d, f = posixpath.split(part)
    name = posixpath.join(d, "_rels", f + ".rels")
    if name not in zf.namelist():
        return {}
    root = etree.fromstring(zf.read(name), _PARSER)
    return {
        r.get("Id"): (r.get("Type", ""), _resolve(d, r.get("Target", "")))
        for r in root.iter(f"{{{_NS_PKG}}}Relationship")
        if r.get("TargetMode") != "External"
    }


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name → its XML part in the package (e.g. ``'xl/worksheets/sheet3.xml'``)."""
    wb_part = "xl/workbook.xml"
    root = etree.fromstring(zf.read(wb_part), _PARSER)
    rels = _rels(zf, wb_part)
    return {
        sh.get("name", ""): rels[rid][1]
        for sh in root.iter(f"{{{_NS_MAIN}}}sheet")
        if (rid := sh.get(f"{{{_NS_REL}}}id")) in rels
    }


def scan_tables(zf: zipfile.ZipFile) -> dict[str, TableRef]:
    """Every Excel table in an xlsx package by name (openpyxl's read-only mode lists none)."""
    names = set(zf.namelist())
    out: dict[str, TableRef] = {}
    for sheet, part in sheet_parts(zf).items():
        for typ, target in _rels(zf, part).values():
            if typ != _TABLE_REL or target not in names:
                continue
            t = etree.fromstring(zf.read(target), _PARSER)
            name = t.get("displayName") or t.get("name") or ""
            try:
                c0, r0, c1, r1 = range_boundaries(t.get("ref", ""))
            except (TypeError, ValueError):
                continue
            out[name] = TableRef(name, sheet, r0, c0, r1, c1)
    return out


def custom_properties(zf: zipfile.ZipFile) -> dict[str, str]:
    """Custom document properties (the template's version stamps) by name."""
    if "docProps/custom.xml" not in zf.namelist():
        return {}
    root = etree.fromstring(zf.read("docProps/custom.xml"), _PARSER)
    out = {}
    for p in root.iter(f"{{{_NS_CUSTOM}}}property"):
        texts = [c.text for c in p if c.text is not None]
        if p.get("name") and texts:
            out[p.get("name")] = texts[0]
    return out
