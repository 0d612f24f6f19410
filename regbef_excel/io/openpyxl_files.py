"""The file back-end: reading .xlsx/.xlsm files with openpyxl (``read_only=True, data_only=True``)
and finding their Excel tables in the package XML (openpyxl's read-only mode does not list them).
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

import openpyxl
from lxml import etree
from openpyxl.utils.cell import range_boundaries

from regbef_excel.errors import InputError, Location
from regbef_excel.io.backend import TableRef, WorkbookBackend

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


_NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"


_TABLE_REL = _NS_REL + "/table"


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _file_error(path: Path, message: str, expected: str | None = None) -> InputError:
    return InputError(message, location=Location(sheet=path.name), expected=expected)


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


def scan_tables(zf: zipfile.ZipFile) -> dict[str, TableRef]:
    """Find every Excel table in an xlsx package (openpyxl's read-only mode does not list them)."""
    wb_part = "xl/workbook.xml"
    root = etree.fromstring(zf.read(wb_part), _PARSER)
    rels = _rels(zf, wb_part)
    names = set(zf.namelist())
    out: dict[str, TableRef] = {}
    for sh in root.iter(f"{{{_NS_MAIN}}}sheet"):
        rid = sh.get(f"{{{_NS_REL}}}id")
        if rid not in rels:
            continue
        part = rels[rid][1]
        for typ, target in _rels(zf, part).values():
            if typ != _TABLE_REL or target not in names:
                continue
            t = etree.fromstring(zf.read(target), _PARSER)
            name = t.get("displayName") or t.get("name") or ""
            try:
                c0, r0, c1, r1 = range_boundaries(t.get("ref", ""))
            except (TypeError, ValueError):
                continue
            out[name] = TableRef(name, sh.get("name", ""), r0, c0, r1, c1)
    return out


def _custom_props(zf: zipfile.ZipFile) -> dict[str, str]:
    if "docProps/custom.xml" not in zf.namelist():
        return {}
    root = etree.fromstring(zf.read("docProps/custom.xml"), _PARSER)
    out = {}
    for p in root.iter(f"{{{_NS_CUSTOM}}}property"):
        texts = [c.text for c in p if c.text is not None]
        if p.get("name") and texts:
            out[p.get("name")] = texts[0]
    return out


class OpenpyxlBackend(WorkbookBackend):
    """Read an .xlsx/.xlsm file with openpyxl (``read_only=True, data_only=True``).

    The file is only read, never written. Every way of not being a readable workbook becomes
    an :class:`~regbef_excel.errors.InputError` naming the file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path = Path(path)
        self.label = path.name
        if not path.exists():
            raise _file_error(path, "file not found", "an existing .xlsx workbook")
        if path.is_dir():
            raise _file_error(path, "is a folder, not a workbook", "an .xlsx file")
        try:
            with path.open("rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise _file_error(path, f"cannot be opened ({exc.strerror or exc})",
                              "a readable .xlsx file (close it in other programs?)") from None  # fmt: skip
        if head == _OLE2_MAGIC:
            raise _file_error(
                path, "is password-protected (encrypted) or an old-format .xls workbook",
                "an .xlsx workbook without a password (File → Save As → Excel Workbook)",
            )  # fmt: skip
        if not zipfile.is_zipfile(path):
            raise _file_error(path, "is not an Excel workbook (not an .xlsx package)",
                              "an .xlsx file saved by Excel or LibreOffice (not CSV or text)")  # fmt: skip
        try:
            self._zip = zipfile.ZipFile(path)
            names = set(self._zip.namelist())
            if "xl/workbook.bin" in names:
                raise _file_error(path, "is a binary .xlsb workbook", "an .xlsx or .xlsm workbook")
            if "xl/workbook.xml" not in names:
                raise _file_error(path, "is a zip file but not an Excel workbook",
                                  "an .xlsx file saved by Excel or LibreOffice")  # fmt: skip
            self._tables = scan_tables(self._zip)
            self._props = _custom_props(self._zip)
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except InputError:
            self._close_zip()
            raise
        except Exception as exc:  # corrupt package: openpyxl/zipfile/lxml raise many kinds
            self._close_zip()
            raise _file_error(path, f"cannot be read as a workbook ({type(exc).__name__}: {exc})",
                              "an .xlsx file saved by Excel or LibreOffice") from None  # fmt: skip

    def _close_zip(self) -> None:
        z = getattr(self, "_zip", None)
        if z is not None:
            z.close()

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def tables(self) -> dict[str, TableRef]:
        return dict(self._tables)

    def read_values(
        self, sheet: str, min_row: int, min_col: int, max_col: int, max_row: int | None = None
    ) -> list[list[object]]:
        ws = self._wb[sheet]
        return [
            list(r)
            for r in ws.iter_rows(
                min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
            )
        ]

    def custom_properties(self) -> dict[str, str]:
        return dict(self._props)

    def close(self) -> None:
        wb = getattr(self, "_wb", None)
        if wb is not None:
            wb.close()
        self._close_zip()
