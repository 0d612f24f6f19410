"""Result sheets added to a copy of the planner's workbook, part by part, without re-saving it.

``run`` writes its result sheets into a new workbook with XlsxWriter (fast, and the writer
whose output is tested byte-for-byte against Excel's) and then splices those sheets into a copy
of the input workbook at the level of the package (ECMA-376 Part 1, SpreadsheetML; Part 2, Open
Packaging Conventions). Every part of the input workbook that is not a replaced result sheet is
copied byte for byte: the planner's input sheets, their formatting, comments, pictures, charts
they made themselves and the VBA project of an ``.xlsm`` come back exactly as they were, where a
load and save through openpyxl would drop pictures and charts and rewrite every sheet.

What a splice changes in the copy (and nothing else):

* the sheets named like the new ones are removed, with every part only they used (drawings,
  charts, tables, comments; found by walking the relationships from the package root);
* the new sheets' parts get free part names, relationship ids and table ids; their cell formats
  are appended to ``styles.xml`` (fonts, fills, borders, number formats, cell formats and the
  differential formats of conditional formatting) and their strings to ``sharedStrings.xml``,
  and the sheets' style and string indexes are shifted to point at them (§18.8, §18.4);
* ``workbook.xml``: the new ``<sheet>`` entries (at the place of the first replaced sheet, else
  at the end), sheet-local defined names (print areas, print titles) renumbered, the first new
  sheet active, ``fullCalcOnLoad`` so Excel computes the new formulas on opening; the
  calculation chain (§18.6, a cache Excel rebuilds) is dropped;
* the ``tabSelected`` flag of the input sheets, so that only the active result sheet is selected
  (two selected tabs would group the sheets and let an edit change both).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_SST_TYPE = _R + "/sharedStrings"
_CALC_CHAIN_TYPE = _R + "/calcChain"
_WORKSHEET_TYPE = _R + "/worksheet"
_SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
_M = f"{{{_MAIN}}}"

# cell and row formats (§18.3.1.4 c@s, §18.3.1.73 row@s), column formats (§18.3.1.13 col@style)
_CELL_STYLE = re.compile(rb'(<(?:c|row)\b[^>]*?\ss=")(\d+)(")')
_COL_STYLE = re.compile(rb'(<col\b[^>]*?\sstyle=")(\d+)(")')
_DXF = re.compile(rb'(\b(?:dxfId|headerRowDxfId|dataDxfId|totalsRowDxfId|headerRowBorderDxfId|'
                  rb'tableBorderDxfId|totalsRowBorderDxfId)=")(\d+)(")')  # fmt: skip
# a shared-string cell (§18.3.1.4 c@t="s"): its value is an index into sharedStrings.xml
_SST_CELL = re.compile(rb'(<c\b[^>]*?\st="s"[^>]*><v>)(\d+)(</v>)')
_TAB_SELECTED = re.compile(rb'(<sheetView\b[^>]*?)\stabSelected="(?:1|true)"')
_APP_SHEET_LIST = re.compile(rb"<(HeadingPairs|TitlesOfParts)>.*?</\1>", re.S)
_SI = re.compile(rb"<si>.*?</si>|<si/>", re.S)


class SpliceError(ValueError):
    """The two packages cannot be combined (e.g. a table name used by both)."""


@dataclass
class _Package:
    parts: dict[str, bytes]
    order: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, source: str | Path | bytes) -> _Package:
        handle = io.BytesIO(source) if isinstance(source, bytes) else source
        with zipfile.ZipFile(handle) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
            return cls({n: zf.read(n) for n in names}, names)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.parts[name], _PARSER)

    def put_xml(self, name: str, root: etree._Element) -> None:
        self.parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if name not in self.order:
            self.order.append(name)

    def put(self, name: str, data: bytes) -> None:
        self.parts[name] = data
        if name not in self.order:
            self.order.append(name)

    def drop(self, name: str) -> None:
        self.parts.pop(name, None)
        if name in self.order:
            self.order.remove(name)


def _rels_name(part: str) -> str:
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _relationships(pkg: _Package, part: str) -> list[etree._Element]:
    name = _rels_name(part) if part else "_rels/.rels"
    if name not in pkg.parts:
        return []
    return list(pkg.xml(name).iter(f"{{{_PKG_REL}}}Relationship"))


def _internal_targets(pkg: _Package, part: str) -> list[str]:
    return [_resolve(part, r.get("Target", "")) for r in _relationships(pkg, part)
            if r.get("TargetMode") != "External"]  # fmt: skip


def _reachable(pkg: _Package) -> set[str]:
    """Every part reachable from the package's root relationships."""
    seen: set[str] = set()
    todo = [t for t in _internal_targets(pkg, "") if t in pkg.parts]
    while todo:
        part = todo.pop()
        if part in seen:
            continue
        seen.add(part)
        todo.extend(t for t in _internal_targets(pkg, part) if t in pkg.parts and t not in seen)
    return seen


def _workbook_part(pkg: _Package) -> str:
    for r in _relationships(pkg, ""):
        if r.get("Type", "").endswith("/officeDocument"):
            return _resolve("", r.get("Target", ""))
    raise SpliceError("the package has no workbook part")


class _ContentTypes:
    def __init__(self, pkg: _Package) -> None:
        self.pkg = pkg
        self.root = pkg.xml("[Content_Types].xml")

    def of(self, part: str) -> str | None:
        for o in self.root.iter(f"{{{_CT}}}Override"):
            if o.get("PartName", "").lstrip("/") == part:
                return o.get("ContentType")
        ext = part.rsplit(".", 1)[-1].lower()
        for d in self.root.iter(f"{{{_CT}}}Default"):
            if d.get("Extension", "").lower() == ext:
                return d.get("ContentType")
        return None

    def default(self, ext: str) -> str | None:
        for d in self.root.iter(f"{{{_CT}}}Default"):
            if d.get("Extension", "").lower() == ext.lower():
                return d.get("ContentType")
        return None

    def add(self, part: str, content_type: str) -> None:
        ext = part.rsplit(".", 1)[-1]
        if self.default(ext) == content_type:
            return
        if self.default(ext) is None and ext.lower() in ("vml", "png", "jpeg", "bin", "emf"):
            etree.SubElement(self.root, f"{{{_CT}}}Default", Extension=ext, ContentType=content_type)
            self.root.insert(0, self.root[-1])  # Defaults first, as writers do
            return
        etree.SubElement(self.root, f"{{{_CT}}}Override", PartName="/" + part, ContentType=content_type)

    def remove(self, parts: Iterable[str]) -> None:
        gone = {"/" + p for p in parts}
        for o in list(self.root.iter(f"{{{_CT}}}Override")):
            if o.get("PartName") in gone:
                self.root.remove(o)

    def save(self) -> None:
        self.pkg.put_xml("[Content_Types].xml", self.root)


# --------------------------------------------------------------------------- styles (§18.8)
_STYLE_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst"]  # fmt: skip


def _child(root: etree._Element, tag: str) -> etree._Element:
    """The styleSheet child ``tag``, created at its schema position if missing."""
    found = root.find(_M + tag)
    if found is not None:
        return found
    el = etree.Element(_M + tag)
    later = _STYLE_ORDER[_STYLE_ORDER.index(tag) + 1:]
    for i, existing in enumerate(root):
        if etree.QName(existing).localname in later:
            root.insert(i, el)
            return el
    root.append(el)
    return el


def _recount(el: etree._Element) -> None:
    el.set("count", str(len(el)))


def _append_children(base: etree._Element, add: etree._Element, tag: str) -> int:
    """Move the children of ``add``'s ``tag`` to the end of ``base``'s; return how many
    ``base`` had (the index offset of the moved ones)."""
    target = _child(base, tag)
    offset = len(target)
    source = add.find(_M + tag)
    for el in list(source) if source is not None else []:
        target.append(el)
    _recount(target)
    return offset


def _merge_styles(base: etree._Element, add: etree._Element) -> tuple[int, int]:
    """Append ``add``'s formats to ``base``; return the offsets of cell formats and dxfs."""
    base_fmts = _child(base, "numFmts")
    used = {int(n.get("numFmtId", "0")) for n in base_fmts}
    by_code = {n.get("formatCode"): int(n.get("numFmtId", "0")) for n in base_fmts}
    fmt_map: dict[int, int] = {}
    add_fmts = add.find(_M + "numFmts")
    for n in add_fmts if add_fmts is not None else []:
        old, code = int(n.get("numFmtId", "0")), n.get("formatCode")
        if code in by_code:
            fmt_map[old] = by_code[code]
            continue
        new = max(used | {163}) + 1  # ids below 164 are the built-in formats (§18.8.30)
        used.add(new)
        fmt_map[old] = by_code[code] = new
        etree.SubElement(base_fmts, _M + "numFmt", numFmtId=str(new), formatCode=code)
    if len(base_fmts):
        _recount(base_fmts)
    else:
        base.remove(base_fmts)

    offsets = {tag: _append_children(base, add, tag) for tag in ("fonts", "fills", "borders")}
    xf_offset = _append_children(base, add, "cellXfs")
    for xf in list(_child(base, "cellXfs"))[xf_offset:]:
        for attr, tag in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            xf.set(attr, str(int(xf.get(attr, "0")) + offsets[tag]))
        nid = int(xf.get("numFmtId", "0"))
        xf.set("numFmtId", str(fmt_map.get(nid, nid)))
        xf.set("xfId", "0")  # the base's Normal cell style
    dxf_offset = _append_children(base, add, "dxfs")
    for dxf in list(_child(base, "dxfs"))[dxf_offset:]:
        for nf in dxf.iter(_M + "numFmt"):
            nid = int(nf.get("numFmtId", "0"))
            nf.set("numFmtId", str(fmt_map.get(nid, nid)))
    return xf_offset, dxf_offset


def _shift(pattern: re.Pattern[bytes], data: bytes, offset: int) -> bytes:
    """``data`` with the number in group 2 of every match of ``pattern`` raised by ``offset``."""
    if not offset:
        return data
    parts = pattern.split(data)  # text, then groups 1, 2, 3 of each match, then text, …
    numbers = parts[2::4]
    shifted = {n: str(int(n) + offset).encode() for n in set(numbers)}
    parts[2::4] = [shifted[n] for n in numbers]
    return b"".join(parts)


# --------------------------------------------------------------------------- the splice
def _free_name(part: str, taken: set[str]) -> str:
    d, f = posixpath.split(part)
    stem, dot, ext = f.rpartition(".")
    stem = stem.rstrip("0123456789")
    k = 1
    while (name := posixpath.join(d, f"{stem}{k}{dot}{ext}")) in taken:
        k += 1
    return name


def _sheets(pkg: _Package, wb_part: str) -> tuple[etree._Element, etree._Element, dict[str, str]]:
    """workbook.xml root, its rels root, and rId → part."""
    root = pkg.xml(wb_part)
    rels_root = pkg.xml(_rels_name(wb_part))
    rid_part = {r.get("Id"): _resolve(wb_part, r.get("Target", "")) for r in rels_root
                if r.get("TargetMode") != "External"}  # fmt: skip
    return root, rels_root, rid_part


def splice_sheets(base: str | Path | bytes, addition: bytes, out: str | Path, *, macros: bool = False,
                  finish: Callable[[str, bytes], bytes] | None = None) -> list[str]:  # fmt: skip
    """Write to ``out`` the workbook ``base`` with the sheets of ``addition`` added.

    Sheets of ``base`` named like a sheet of ``addition`` (case-insensitively, as Excel compares
    names) are replaced, at the place of the first of them; the others are added at the end.
    ``base`` is only read. Without ``macros`` (an ``.xlsx`` result) the VBA project and the
    ribbon of a macro workbook are left out and the workbook part gets the ``.xlsx`` content type
    (Excel refuses an ``.xlsx`` that holds macros). ``finish(sheet_name, xml)``, if given, gets
    each added sheet's XML with its indexes already shifted and returns the XML to write (the
    results writer streams its long tables in there, so they are never re-parsed). Returns the
    sheet names of the result in order.
    """
    pkg = _Package.read(base)
    add = _Package.read(addition)
    wb_part, add_wb_part = _workbook_part(pkg), _workbook_part(add)
    if not macros:
        _drop_macros(pkg, wb_part)
    wb, wb_rels, rid_part = _sheets(pkg, wb_part)
    add_wb, _, add_rid_part = _sheets(add, add_wb_part)
    sheets_el = wb.find(_M + "sheets")
    old_sheets = list(sheets_el)
    add_sheets = list(add_wb.find(_M + "sheets"))
    new_names = [s.get("name", "") for s in add_sheets]
    replaced = {n.casefold() for n in new_names}

    # 1. remove the replaced sheets and every part only they used
    position = None
    removed_index: set[int] = set()
    for i, sh in enumerate(old_sheets):
        if sh.get("name", "").casefold() in replaced:
            position = len([j for j in range(i) if j not in removed_index]) if position is None else position
            removed_index.add(i)
            rid = sh.get(f"{{{_R}}}id")
            sheets_el.remove(sh)
            for rel in list(wb_rels):
                if rel.get("Id") == rid:
                    wb_rels.remove(rel)
    for rel in list(wb_rels):
        if rel.get("Type") == _CALC_CHAIN_TYPE:  # a cache of formula order; Excel rebuilds it
            wb_rels.remove(rel)
    pkg.put_xml(_rels_name(wb_part), wb_rels)
    kept_old = [i for i in range(len(old_sheets)) if i not in removed_index]
    old_to_kept = {old: new for new, old in enumerate(kept_old)}
    ct = _ContentTypes(pkg)
    alive = _reachable(pkg) | {"[Content_Types].xml"}
    dead = [p for p in pkg.parts if not p.endswith(".rels") and p not in alive]
    for p in dead:
        pkg.drop(p)
        pkg.drop(_rels_name(p))
    ct.remove(dead)

    # 2. styles and shared strings of the addition appended to the base's
    styles_part = _target_of_type(pkg, wb_part, "/styles")
    add_styles = add.xml(_target_of_type(add, add_wb_part, "/styles"))
    base_styles = pkg.xml(styles_part)
    xf_offset, dxf_offset = _merge_styles(base_styles, add_styles)
    pkg.put_xml(styles_part, base_styles)
    sst_offset = _merge_strings(pkg, wb_part, wb_rels, ct, add, add_wb_part)

    # 3. the addition's sheet parts (and what they use) under free names
    taken = set(pkg.parts) | {_rels_name(p) for p in pkg.parts}
    rename: dict[str, str] = {}
    todo = [add_rid_part[s.get(f"{{{_R}}}id")] for s in add_sheets]
    closure: list[str] = []
    while todo:
        part = todo.pop(0)
        if part in rename:
            continue
        rename[part] = new = _free_name(part, taken)
        taken.add(new)
        closure.append(part)
        todo.extend(t for t in _internal_targets(add, part) if t in add.parts)
    add_ct = _ContentTypes(add)
    title_of = {add_rid_part[s.get(f"{{{_R}}}id")]: s.get("name", "") for s in add_sheets}
    table_ids = _table_ids(pkg)
    table_names = _table_names(pkg)
    for part in closure:
        data = add.parts[part]
        kind = add_ct.of(part) or ""
        if kind.endswith("worksheet+xml"):
            data = _shift(_CELL_STYLE, data, xf_offset)
            data = _shift(_COL_STYLE, data, xf_offset)
            data = _shift(_DXF, data, dxf_offset)
            data = _shift(_SST_CELL, data, sst_offset)
            if finish is not None and part in title_of:
                data = finish(title_of[part], data)
        elif kind.endswith("table+xml"):
            data = _renumber_table(data, table_ids, table_names)
            data = _shift(_DXF, data, dxf_offset)
        pkg.put(rename[part], data)
        rels = _relationships(add, part)
        if rels:
            rels_root = add.xml(_rels_name(part))
            for r in rels_root:
                if r.get("TargetMode") == "External":
                    continue
                target = rename[_resolve(part, r.get("Target", ""))]
                r.set("Target", posixpath.relpath(target, posixpath.dirname(rename[part])))
            pkg.put_xml(_rels_name(rename[part]), rels_root)
        ct.add(rename[part], kind)

    # 4. workbook.xml: the new sheets, their names, the active sheet
    ids = [int(r.get("Id", "rId0")[3:]) for r in wb_rels if r.get("Id", "").startswith("rId")
           and r.get("Id")[3:].isdigit()]  # fmt: skip
    next_rid = max(ids, default=0) + 1
    next_sheet_id = max((int(s.get("sheetId", "0")) for s in old_sheets), default=0) + 1
    position = len(kept_old) if position is None else position
    for k, sh in enumerate(add_sheets):
        part = rename[add_rid_part[sh.get(f"{{{_R}}}id")]]
        rid = f"rId{next_rid + k}"
        etree.SubElement(wb_rels, f"{{{_PKG_REL}}}Relationship", Id=rid, Type=_WORKSHEET_TYPE,
                         Target=posixpath.relpath(part, posixpath.dirname(wb_part)))  # fmt: skip
        el = etree.Element(_M + "sheet", name=sh.get("name", ""), sheetId=str(next_sheet_id + k))
        el.set(f"{{{_R}}}id", rid)
        if sh.get("state"):
            el.set("state", sh.get("state"))
        sheets_el.insert(position + k, el)
    pkg.put_xml(_rels_name(wb_part), wb_rels)
    final_index = {}
    for old, kept in old_to_kept.items():
        final_index[("base", old)] = kept if kept < position else kept + len(add_sheets)
    for k in range(len(add_sheets)):
        final_index[("add", k)] = position + k
    _merge_defined_names(wb, add_wb, old_sheets, final_index)
    _set_views(wb, position)
    calc = wb.find(_M + "calcPr")
    if calc is None:
        calc = etree.Element(_M + "calcPr")
        anchor = wb.find(_M + "definedNames")
        anchor = anchor if anchor is not None else sheets_el
        anchor.addnext(calc)
    calc.set("fullCalcOnLoad", "1")
    pkg.put_xml(wb_part, wb)
    for p in [p for p in pkg.parts if p.endswith(".xml") and p not in set(rename.values())]:
        if (ct.of(p) or "").endswith("worksheet+xml") and b"tabSelected" in pkg.parts[p][:4000]:
            pkg.parts[p] = _TAB_SELECTED.sub(rb"\1", pkg.parts[p], count=1)
    if "docProps/app.xml" in pkg.parts:  # a cached list of sheet names; Excel rewrites it on saving
        pkg.parts["docProps/app.xml"] = _APP_SHEET_LIST.sub(b"", pkg.parts["docProps/app.xml"])
    ct.save()
    _write(pkg, Path(out))
    return [s.get("name", "") for s in sheets_el]


_VBA_TYPE = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_RIBBON_TYPES = ("http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
                 "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility")  # fmt: skip
_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _drop_macros(pkg: _Package, wb_part: str) -> None:
    """Unlink the VBA project and the ribbon (the parts go with the unreachable ones)."""
    for part, types in ((wb_part, (_VBA_TYPE,)), ("", _RIBBON_TYPES)):
        name = _rels_name(part) if part else "_rels/.rels"
        if name not in pkg.parts:
            continue
        root = pkg.xml(name)
        gone = [r for r in root if r.get("Type") in types]
        for r in gone:
            root.remove(r)
        if gone:
            pkg.put_xml(name, root)
    ct = pkg.parts["[Content_Types].xml"]
    if _MACRO_MAIN.encode() in ct:
        pkg.parts["[Content_Types].xml"] = ct.replace(_MACRO_MAIN.encode(), _XLSX_MAIN.encode())


def _target_of_type(pkg: _Package, wb_part: str, suffix: str) -> str:
    for r in _relationships(pkg, wb_part):
        if r.get("Type", "").endswith(suffix):
            return _resolve(wb_part, r.get("Target", ""))
    raise SpliceError(f"the workbook has no {suffix.strip('/')} part")


def _merge_strings(pkg: _Package, wb_part: str, wb_rels: etree._Element, ct: _ContentTypes, add: _Package,
                   add_wb_part: str) -> int:  # fmt: skip
    """Append the addition's shared strings to the base's; return the index offset."""
    try:
        add_part = _target_of_type(add, add_wb_part, "/sharedStrings")
    except SpliceError:
        return 0
    items = _SI.findall(add.parts[add_part])
    if not items:
        return 0
    try:
        part = _target_of_type(pkg, wb_part, "/sharedStrings")
        data = pkg.parts[part]
    except (SpliceError, KeyError):
        part = posixpath.join(posixpath.dirname(wb_part), "sharedStrings.xml")
        data = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<sst xmlns="' + _MAIN.encode() + b'" count="0" uniqueCount="0"></sst>')  # fmt: skip
        ids = [int(r.get("Id", "rId0")[3:]) for r in wb_rels if r.get("Id", "")[3:].isdigit()]
        etree.SubElement(wb_rels, f"{{{_PKG_REL}}}Relationship", Id=f"rId{max(ids, default=0) + 1}",
                         Type=_SST_TYPE, Target=posixpath.relpath(part, posixpath.dirname(wb_part)))  # fmt: skip
        ct.add(part, _SST_CONTENT)
    root = etree.fromstring(data, _PARSER)
    offset = len(root.findall(_M + "si"))
    for raw in items:
        root.append(etree.fromstring(raw.replace(b"<si", b'<si xmlns="' + _MAIN.encode() + b'"', 1), _PARSER))
    n = len(root.findall(_M + "si"))
    root.set("uniqueCount", str(n))
    root.set("count", str(max(int(root.get("count", "0")), offset) + len(items)))
    pkg.put_xml(part, root)
    return offset


def _table_ids(pkg: _Package) -> list[int]:
    ids = []
    for name, data in pkg.parts.items():
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            m = re.search(rb'<table\b[^>]*?\sid="(\d+)"', data)
            if m:
                ids.append(int(m.group(1)))
    return ids


def _table_names(pkg: _Package) -> set[str]:
    names = set()
    for name, data in pkg.parts.items():
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            m = re.search(rb'<table\b[^>]*?\sdisplayName="([^"]+)"', data)
            if m:
                names.add(m.group(1).decode().casefold())
    return names


def _renumber_table(data: bytes, ids: list[int], names: set[str]) -> bytes:
    m = re.search(rb'<table\b[^>]*?\sdisplayName="([^"]+)"', data)
    if m and m.group(1).decode().casefold() in names:
        raise SpliceError(f"the workbook already has a table named {m.group(1).decode()!r}")
    new = max(ids, default=0) + 1
    ids.append(new)
    return re.sub(rb'(<table\b[^>]*?\sid=")(\d+)(")', lambda mm: mm.group(1) + str(new).encode() + mm.group(3),
                  data, count=1)  # fmt: skip


def _merge_defined_names(wb: etree._Element, add_wb: etree._Element, old_sheets: list[etree._Element],
                         final_index: dict[tuple[str, int], int]) -> None:  # fmt: skip
    names = wb.find(_M + "definedNames")
    if names is None:  # after sheets, functionGroups, externalReferences (§18.2.27 order)
        names = etree.Element(_M + "definedNames")
        [*_, anchor] = [el for el in wb if etree.QName(el).localname in
                        ("sheets", "functionGroups", "externalReferences")]  # fmt: skip
        anchor.addnext(names)
    for dn in list(names):
        local = dn.get("localSheetId")
        if local is None:
            continue
        new = final_index.get(("base", int(local)))
        if new is None:
            names.remove(dn)  # belonged to a replaced sheet
        else:
            dn.set("localSheetId", str(new))
    globals_ = {dn.get("name", "").casefold(): dn for dn in names if dn.get("localSheetId") is None}
    add_names = add_wb.find(_M + "definedNames")
    for dn in add_names if add_names is not None else []:
        local = dn.get("localSheetId")
        if local is not None:
            dn.set("localSheetId", str(final_index[("add", int(local))]))
        elif dn.get("name", "").casefold() in globals_:
            names.remove(globals_[dn.get("name", "").casefold()])
        names.append(dn)
    if not len(names):
        wb.remove(names)
    else:  # Excel expects them sorted by name, then sheet (as its own files have them)
        ordered = sorted(names, key=lambda d: (d.get("name", "").casefold(), int(d.get("localSheetId", "-1"))))
        for dn in ordered:
            names.append(dn)


def _set_views(wb: etree._Element, active: int) -> None:
    views = wb.find(_M + "bookViews")
    if views is None:
        views = etree.Element(_M + "bookViews")
        wb.find(_M + "sheets").addprevious(views)
    view = views.find(_M + "workbookView")
    if view is None:
        view = etree.SubElement(views, _M + "workbookView")
    view.set("activeTab", str(active))
    if int(view.get("firstSheet", "0")) > active:
        view.set("firstSheet", str(active))


def _write(pkg: _Package, out: Path) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        first = ["[Content_Types].xml"]
        for name in first + [n for n in pkg.order if n not in first]:
            if name in pkg.parts:
                zf.writestr(name, pkg.parts[name])


__all__ = ["SpliceError", "splice_sheets"]
