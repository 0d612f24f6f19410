"""Parsing one workbook's tables into converted records that remember their cells.

:class:`TableReader` reads every schema table from any back-end, converts each cell and collects
the problems with their cell addresses; the projection reader (:mod:`regbef_excel.io.read.projection`)
and the market reader (:mod:`regbef_excel.io.read.markets`) assemble inputs from its tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from regbef_excel.errors import InputError, Location
from regbef_excel.io.backend import (
    TableBlock,
    WorkbookBackend,
    read_table_block,
)
from regbef_excel.io.cells import CellProblem, convert_cell, expected_text, is_empty
from regbef_excel.schema import plausibility
from regbef_excel.schema.base import LANGUAGES, Column, Table, normalise_header
from regbef_excel.schema.inputs import SHEETS
from regbef_excel.schema.messages import say, translated

#: Tables the engine cannot run without (the others may be absent).
REQUIRED_TABLES = (
    "tblSettings", "tblZones", "tblPopulation", "tblFertilityRates", "tblHadwiger",
    "tblDeathProb", "tblRogersCastro", "tblZoneFactors", "tblYearFactors",
)  # fmt: skip


@dataclass
class ParsedTable:
    """Converted records of one table plus what is needed to point at their cells."""

    table: Table
    block: TableBlock
    #: column key → offset in the block (only columns found)
    offsets: dict[str, int]
    #: one dict per data row: column key → converted value (``None`` if empty or invalid)
    records: list[dict[str, object]]
    #: column key → values as the checks see them (converted, or raw when invalid)
    raw: dict[str, list[object]]
    #: record index → column keys whose cell was invalid
    bad: dict[int, set[str]] = field(default_factory=dict)

    def cell(self, i: int, key: str) -> str:
        return self.block.address(i, self.offsets.get(key, 0))

    def header_text(self, key: str) -> str:
        off = self.offsets.get(key)
        if off is not None and off < len(self.block.header) and self.block.header[off] is not None:
            return str(self.block.header[off])
        return key

    def ok(self, i: int, *keys: str) -> bool:
        """Row ``i`` has valid, non-empty values in all ``keys``."""
        rec = self.records[i]
        return all(rec.get(k) is not None and k not in self.bad.get(i, ()) for k in keys)


class TableReader:
    def __init__(self, backend: WorkbookBackend) -> None:
        self.be = backend
        self.errors: list[InputError] = []
        self.sheets = backend.sheet_names()
        self.tables = {k.casefold(): v for k, v in backend.tables().items()}
        nb = sum(s.label("nb") in self.sheets for s in SHEETS.values())
        en = sum(s.label("en") in self.sheets for s in SHEETS.values())
        self.lang = "en" if en > nb else "nb"
        self.parsed: dict[str, ParsedTable] = {}
        self.empty: dict[tuple[str, str], list[int]] = {}
        #: What was accepted but is not used (e.g. rows after the horizon), said in the run log.
        self.notes: list[str] = []

    # -- helpers ---------------------------------------------------------------------------
    def years_in_period(self, pt: ParsedTable, idx: Mapping[tuple, int], first: int, last: int,
                        what: str) -> None:
        """Years (first key of ``idx``) before ``first`` are an error naming the cell; rows after
        ``last`` (the horizon) are accepted and not used — a planner may shorten the horizon
        without deleting rows — and the run says so (:attr:`notes`)."""
        after = []
        for key, i in idx.items():
            y = key[0]
            if y > last:  # type: ignore[operator]
                after.append(y)
            elif y < first:  # type: ignore[operator]
                self.err(say("{what} year before the projection period", self.lang, what=say(what, self.lang)),
                         sheet=pt.block.sheet, table=pt.table.key,
                         cell=pt.cell(i, "year"), column=pt.header_text("year"), found=y,
                         expected=f"{first}–{last}")  # fmt: skip
        if after:
            self.notes.append(say("{sheet}, table {table}: {what} rows for {years} are after the horizon {last} "
                                  "and not used", self.lang, sheet=pt.block.sheet, table=pt.table.key,
                                  what=say(what, self.lang), last=last,
                                  years=", ".join(compress_ranges(sorted(set(after))))))  # fmt: skip

    def err(self, msg: str, *, sheet: str | None = None, table: str | None = None,
            cell: str | None = None, column: str | None = None, row: int | None = None,
            found: object = None, expected: str | None = None) -> None:  # fmt: skip
        lang = self.lang  # a message the catalogue knows is said in the workbook's language
        self.errors.append(InputError(translated(msg, lang) or msg, location=Location(sheet, table, cell, row, column),
                                      found=found, expected=translated(expected, lang), language=lang))  # fmt: skip

    def sheet_label(self, sheet_key: str) -> str:
        """The visible name of a schema sheet in this workbook (either language)."""
        s = SHEETS[sheet_key]
        for lang in (self.lang, *LANGUAGES):
            if s.label(lang) in self.sheets:
                return s.label(lang)
        return s.label(self.lang)

    def sheet_exists(self, sheet_key: str) -> bool:
        s = SHEETS[sheet_key]
        return any(s.label(lang) in self.sheets for lang in LANGUAGES)

    # -- one table -------------------------------------------------------------------------
    def parse(self, table: Table) -> ParsedTable | None:
        ref = self.tables.get(table.key.casefold())
        sheet = self.sheet_label(table.sheet)
        if ref is None:
            if table.optional or table.key not in REQUIRED_TABLES:
                return None
            if not self.sheet_exists(table.sheet):
                if not any(e.message == say("sheet missing", self.lang) and e.location.sheet == sheet
                           for e in self.errors):  # fmt: skip
                    self.err("sheet missing", sheet=sheet, expected=say(
                        "a sheet named '{sheet}' (or '{other}')", self.lang, sheet=sheet,
                        other=SHEETS[table.sheet].label("en" if self.lang == "nb" else "nb")))  # fmt: skip
            else:
                self.err(say("Excel table {table} not found", self.lang, table=table.key), sheet=sheet,
                         table=table.key, expected=say(
                             "an Excel table named {table} with headers {headers}, …", self.lang, table=table.key,
                             headers=", ".join(f"'{c.header(self.lang)}'" for c in table.columns[:4])))  # fmt: skip
            return None
        block = read_table_block(self.be, ref)
        offsets = self._match_headers(table, block)
        if offsets is None:
            return None
        pt = ParsedTable(table, block, offsets, [], {k: [] for k in offsets})
        if table.kind == "keyvalue":
            self._convert_keyvalue(pt)
        else:
            self._convert_long(pt)
        self.flush_empty(pt)
        self.parsed[table.key] = pt
        return pt

    def _match_headers(self, table: Table, block: TableBlock) -> dict[str, int] | None:
        header_norm = [normalise_header(h) for h in block.header]
        offsets: dict[str, int] = {}
        for col in table.columns:
            aliases = col.header_aliases()
            for j, h in enumerate(header_norm):
                if h in aliases and j not in offsets.values():
                    offsets[col.key] = j
                    break
        known = set(offsets.values())
        unknown = [j for j, h in enumerate(header_norm) if j not in known and h]
        missing = False
        for idx, col in enumerate(table.columns):
            if col.key in offsets or col.role in ("calc", "comment") or not col.required:
                continue  # optional columns (added in later schema versions) may be absent
            if table.kind == "keyvalue" and col.key not in ("key", "value"):
                continue
            missing = True
            # a header in the place where this column belongs was probably renamed
            guess = idx if idx in unknown else (unknown[0] if unknown else None)
            expected = say("'{header}' (or '{other}' or key '{key}')", self.lang, header=col.header(self.lang),
                           other=col.header("en" if self.lang == "nb" else "nb"), key=col.key)
            if guess is not None:
                self.err("column header not recognised (renamed?)", sheet=block.sheet, table=table.key,
                         cell=block.header_address(guess), column=str(block.header[guess]),
                         found=block.header[guess], expected=expected)  # fmt: skip
                unknown.remove(guess)
            else:
                self.err(say("column '{column}' missing", self.lang, column=col.header(self.lang)),
                         sheet=block.sheet, table=table.key,
                         cell=block.header_address(min(idx, max(len(block.header) - 1, 0))),
                         column=col.header(self.lang), expected=expected)  # fmt: skip
        return None if missing else offsets

    def _convert(self, pt: ParsedTable, i: int, col: Column, value: object, key: str) -> object:
        block = pt.block
        try:
            out = convert_cell(value, col, self.lang)
        except CellProblem as p:
            self.err(p.message, sheet=block.sheet, table=pt.table.key, cell=pt.cell(i, key),
                     column=pt.header_text(key), found=value, expected=p.expected)  # fmt: skip
            pt.bad.setdefault(i, set()).add(key)
            return None
        implausible = plausibility.problem(pt.table.key, col.key, out, self.lang)
        if implausible is not None:
            self.err(implausible[0], sheet=block.sheet, table=pt.table.key, cell=pt.cell(i, key),
                     column=pt.header_text(key), found=value, expected=implausible[1])  # fmt: skip
            pt.bad.setdefault(i, set()).add(key)
            return None
        if out is None and col.required:
            if pt.table.kind == "keyvalue":
                self.err("empty cell", sheet=block.sheet, table=pt.table.key, cell=pt.cell(i, key),
                         column=pt.header_text(key), expected=expected_text(col, self.lang))  # fmt: skip
            else:
                self.empty.setdefault((pt.table.key, key), []).append(i)
            pt.bad.setdefault(i, set()).add(key)
        return out

    def flush_empty(self, pt: ParsedTable) -> None:
        """One error per run of adjacent empty cells in a column (not one per cell)."""
        for (tkey, key), idx in list(self.empty.items()):
            if tkey != pt.table.key:
                continue
            col = pt.table.column(key)
            start = prev = idx[0]
            for i in [*idx[1:], None]:
                if i is not None and pt.block.row_numbers[i] == pt.block.row_numbers[prev] + 1:
                    prev = i
                    continue
                cell = pt.cell(start, key) + (f":{pt.cell(prev, key)}" if prev != start else "")
                self.err("empty cell" if prev == start else "empty cells", sheet=pt.block.sheet,
                         table=pt.table.key, cell=cell, column=pt.header_text(key),
                         expected=expected_text(col, self.lang))  # fmt: skip
                if i is not None:
                    start = prev = i
            del self.empty[(tkey, key)]

    def _convert_long(self, pt: ParsedTable) -> None:
        # Every cell of the workbook passes here: a valid value takes the short way (one
        # convert_cell call); problems and required empty cells go through _convert.
        # each column's plausibility bound once: a number outside it takes the long way too
        cols = [(c, pt.offsets[c.key], pt.raw[c.key], c.required, plausibility.bound(pt.table.key, c.key))
                for c in pt.table.columns if c.key in pt.offsets]  # fmt: skip
        lang = self.lang
        for i, row in enumerate(pt.block.rows):
            n = len(row)
            if all(is_empty(row[off]) for _, off, _, _, _ in cols if off < n):
                pt.records.append({})
                continue
            rec: dict[str, object] = {}
            for col, off, raw, required, b in cols:
                value = row[off] if off < n else None
                try:
                    out = convert_cell(value, col, lang)
                except CellProblem:
                    out = None
                if out is None and (required or value is not None):
                    out = self._convert(pt, i, col, value, col.key)
                elif (type(out) is float or type(out) is int) and not b.minimum <= out <= b.maximum:
                    out = self._convert(pt, i, col, value, col.key)
                rec[col.key] = out
                raw.append(value if out is None or i in pt.bad and col.key in pt.bad[i] else out)
            pt.records.append(rec)

    def _convert_keyvalue(self, pt: ParsedTable) -> None:
        items = {c.key.casefold(): c for c in pt.table.items}
        koff, voff = pt.offsets["key"], pt.offsets["value"]
        coff = pt.offsets.get("comment")
        seen: dict[str, int] = {}
        for i, row in enumerate(pt.block.rows):
            key = row[koff]
            rec: dict[str, object] = {}
            item = items.get(str(key).strip().casefold()) if key is not None else None
            if item is not None:
                if item.key in seen:
                    self.err("setting listed twice", sheet=pt.block.sheet, table=pt.table.key,
                             cell=pt.cell(i, "key"), column=pt.header_text("key"), found=item.key,
                             expected=say("one row (first at {cell})", self.lang,
                                          cell=pt.cell(seen[item.key], "key")))  # fmt: skip
                seen[item.key] = i
                rec = {"key": item.key}
                value = rec["value"] = self._convert(pt, i, item, row[voff], "value")
                pt.raw["key"].append(item.key)
                pt.raw["value"].append(value if value is not None else row[voff])
            if coff is not None and not is_empty(row[coff]):
                rec["comment"] = str(row[coff]).strip()
            pt.records.append(rec)
        for item in pt.table.items:
            if item.key not in seen and item.required:
                self.err(say("setting '{key}' missing", self.lang, key=item.key), sheet=pt.block.sheet,
                         table=pt.table.key, column=pt.header_text("key"),
                         expected=say("a row with key '{key}' ({label})", self.lang, key=item.key,
                                      label=item.label(self.lang)))  # fmt: skip

    def values(self, table: str) -> dict[str, object]:
        pt = self.parsed.get(table)
        if pt is None:
            return {}
        return {r["key"]: r.get("value") for r in pt.records if "key" in r}

    # -- cross-table checks -------------------------------------------------------------------
    def unique(self, pt: ParsedTable, keys: tuple[str, ...], what: str) -> dict[tuple, int]:
        """Index rows by ``keys``; report duplicates (at the later cell)."""
        index: dict[tuple, int] = {}
        for i, rec in enumerate(pt.records):
            if not pt.ok(i, *keys):
                continue
            k = tuple(rec[c] for c in keys)
            if k in index:
                self.err(say("duplicate {what}", self.lang, what=say(what, self.lang)), sheet=pt.block.sheet,
                         table=pt.table.key, cell=pt.cell(i, keys[0]), column=pt.header_text(keys[0]),
                         found=" / ".join(map(str, k)),
                         expected=say("unique (first at {cell})", self.lang, cell=pt.cell(index[k], keys[0])))  # fmt: skip
            else:
                index[k] = i
        return index

    def known_zones(self, pt: ParsedTable, zones: set[str]) -> None:
        for i, rec in enumerate(pt.records):
            z = rec.get("zone_code")
            if z is not None and z not in zones and pt.ok(i, "zone_code"):
                self.err("unknown zone code", sheet=pt.block.sheet, table=pt.table.key,
                         cell=pt.cell(i, "zone_code"), column=pt.header_text("zone_code"), found=z,
                         expected=say("a zone code listed on the sheet '{sheet}'", self.lang,
                                      sheet=self.sheet_label("zones")))  # fmt: skip

    def missing(self, pt: ParsedTable, column: str, msg: str, missing: list, expected: str) -> None:
        if missing:
            shown = ", ".join(map(str, missing[:12])) + (" …" if len(missing) > 12 else "")
            self.err(msg, sheet=pt.block.sheet, table=pt.table.key,
                     cell=pt.block.header_address(pt.offsets.get(column, 0)),
                     column=pt.header_text(column), found=shown, expected=expected)  # fmt: skip


def compress_ranges(values: list[int]) -> list[str]:
    """Compress sorted ints into 'a–b' ranges for messages."""
    out: list[str] = []
    for v in values:
        if out and isinstance(out[-1], str) and out[-1].split("–")[-1] == str(v - 1):
            out[-1] = out[-1].split("–")[0] + f"–{v}"
        else:
            out.append(str(v))
    return out
