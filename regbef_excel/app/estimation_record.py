"""What a workbook's generated parameters were estimated from, and the guard ``run`` applies.

Project generation (``templates``, ``demo``, ``estimate``) records the estimation period and a
fingerprint of the history it used in the Source/comment cell of the setting
"Estimeringsperiode, siste år" (``estimation_end``), e.g.::

    estimert fra historikk 2016–2025; historikk-id 3f9a0c1d22b7e4a1

Decision: ``run`` refuses (exit 2, naming the settings cell) when the period in the settings or
the history on the Historikk sheet no longer matches that record, and tells the planner to run
``regbef-excel estimate``; it never re-estimates behind the planner's back (estimation rewrites
many input cells the planner should see first). A workbook without a record (made by hand or by
an older version) runs with a warning in the run log.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from regbef_excel.errors import InputError, Location
from regbef_excel.schema.inputs import SHEETS, TABLES
from regbef_excel.schema.layout import TableLayout

HISTORY_TABLES = ("tblHistPopulation", "tblHistMigration")
RECORD_KEY = ("estimation_end",)
_RECORD_TEXT = {
    "nb": "estimert fra historikk {y0}–{y1}; historikk-id {fp}",
    "en": "estimated from history {y0}–{y1}; history id {fp}",
}
_RECORD_RE = re.compile(r"(\d{4})\s*[–-]\s*(\d{4}).*?\b([0-9a-f]{16})\b")


@dataclass(frozen=True)
class EstimationRecord:
    """Estimation period (flow years) and history fingerprint of a workbook's parameters."""

    start: int
    end: int
    fingerprint: str

    def text(self, language: str) -> str:
        lang = "en" if language == "en" else "nb"
        return _RECORD_TEXT[lang].format(y0=self.start, y1=self.end, fp=self.fingerprint)


def history_fingerprint(history: dict) -> str:
    """16 hex digits of SHA-256 over the history tables in canonical form (rows sorted by year,
    zone and age, values rounded to 1e-6), so the order of rows and cell formats do not count."""
    h = hashlib.sha256()
    for key in HISTORY_TABLES:
        df = history.get(key) if history else None
        h.update(key.encode())
        if df is None or len(df) == 0:
            h.update(b"-")
            continue
        cols = list(TABLES[key].column_keys)
        d = df[cols].copy()
        d["zone_code"] = d["zone_code"].astype(str)
        d = d.sort_values(["year", "zone_code", "age"], kind="mergesort")
        for c in cols:
            if c in ("year", "age"):
                h.update(np.asarray(d[c], dtype=np.int64).tobytes())
            elif c == "zone_code":
                h.update("\x1f".join(d[c]).encode())
            else:
                vals = np.round(np.asarray(d[c], dtype=float), 6)
                h.update(np.nan_to_num(vals, nan=-1.0).tobytes())
    return h.hexdigest()[:16]


def parse_record(text: object) -> EstimationRecord | None:
    """The record in a comment cell's text, or ``None``."""
    if not isinstance(text, str):
        return None
    m = _RECORD_RE.search(text)
    if not m:
        return None
    return EstimationRecord(int(m.group(1)), int(m.group(2)), m.group(3))


def record_of(meta) -> EstimationRecord | None:  # noqa: ANN001 - WorkbookMeta
    """The estimation record a workbook carries."""
    return parse_record(meta.comment("tblSettings", RECORD_KEY))


def with_record(meta, record: EstimationRecord, language: str):  # noqa: ANN001, ANN201 - WorkbookMeta
    """``meta`` with the record written into the comment of the estimation-end setting (in place)."""
    settings = dict(meta.comments.get("tblSettings", {}))
    settings[RECORD_KEY] = record.text(language)
    meta.comments["tblSettings"] = settings
    meta.estimation_start, meta.estimation_end = record.start, record.end
    return meta


def settings_cell(key: str, language: str) -> Location:
    """``Innstillinger!C8``-style location of a setting's value cell."""
    table = TABLES["tblSettings"]
    index = [c.key for c in table.items].index(key)
    return Location(sheet=SHEETS["settings"].label(language), table="tblSettings",
                    cell=TableLayout.of(table, len(table.items)).cell("value", index))  # fmt: skip


def check_estimation_record(meta, language: str | None = None) -> list[str]:  # noqa: ANN001
    """Refuse a run whose parameters were estimated from another period or history.

    Returns warnings (no record at all); raises :class:`InputError` naming the settings cell when
    the period or the history differs from the record.
    """
    lang = language or getattr(meta, "language", "nb") or "nb"
    start, end = meta.estimation_start, meta.estimation_end
    record = record_of(meta)
    if record is None:
        if start is None and end is None:
            return []
        return [
            "the estimation period in the settings has no record of what the parameters were "
            "estimated from; run `regbef-excel estimate` to re-fit them from the Historikk sheet"
        ]
    if (start, end) != (record.start, record.end):
        which = "estimation_start" if start != record.start else "estimation_end"
        raise InputError(
            f"the estimation period is {start}–{end}, but the parameters were estimated from "
            f"{record.start}–{record.end}; run `regbef-excel estimate FILE -o NEW` to re-fit them "
            "(or set the period back)",
            location=settings_cell(which, lang), found=f"{start}–{end}",
            expected=f"{record.start}–{record.end} or re-estimated parameters",
        )  # fmt: skip
    fp = history_fingerprint(meta.history)
    if fp != record.fingerprint:
        raise InputError(
            "the history on the Historikk sheet differs from the one the parameters were "
            "estimated from; run `regbef-excel estimate FILE -o NEW` to re-fit them",
            location=settings_cell("estimation_end", lang), found=f"history id {fp}",
            expected=f"history id {record.fingerprint}",
        )  # fmt: skip
    return []
