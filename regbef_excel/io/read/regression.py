"""Reading a regression workbook: the models it asks for (:class:`ModelSpec`, a thesis-like
default set) and its checked panel (:class:`RegressionInput`), from any back-end.

The contract (sheet names, tables, columns, labels) is :mod:`regbef_excel.schema.regression`.
Every problem a planner can fix is one :class:`~regbef_excel.errors.InputError` naming the
sheet, the Excel table, the cell or column and the rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils.cell import get_column_letter

from regbef_excel.data.panels import REGION, YEAR, PanelData, VariableInfo
from regbef_excel.errors import InputError, Location
from regbef_excel.io.backend import TableBlock, WorkbookBackend, read_table_block
from regbef_excel.io.fast_files import open_file
from regbef_excel.regression.data import MAX_ROWS_IN_MESSAGE, rows_text
from regbef_excel.regression.options import INTERACTION_SEPARATOR
from regbef_excel.schema import regression as R
from regbef_excel.schema.base import Column, normalise_header
from regbef_excel.schema.messages import say, translated


@dataclass(frozen=True)
class ModelSpec:
    """One column of tblModels.

    Attributes
    ----------
    name
        The column header (unique model id), e.g. ``"POLS (1)"``.
    table
        Output table the model is printed in (models of one table sit side by side).
    y, x
        Dependent variable and regressors (ticked variables in row order, then interactions).
    method, cov, time_dummies
        As :func:`~regbef_excel.regression.fit_panel` takes them.
    column
        Sheet column letter of the model in tblModels (for messages); ``""`` if built in code.
    """

    name: str
    table: str
    y: str
    x: tuple[str, ...]
    method: str = "fe"
    cov: str = "robust"
    time_dummies: bool = True
    column: str = ""

    @property
    def interactions(self) -> tuple[str, ...]:
        return tuple(t for t in self.x if INTERACTION_SEPARATOR in t)

    @property
    def main_terms(self) -> tuple[str, ...]:
        return tuple(t for t in self.x if INTERACTION_SEPARATOR not in t)


def _nested(prefix: str, method: str, table: str, y: str, xs: Sequence[str]) -> list[ModelSpec]:
    return [
        ModelSpec(f"{prefix} ({j + 1})", table, y, tuple(xs[: j + 1]), method)
        for j in range(len(xs))
    ]


def _pair(name: str, y: str, xs: Sequence[str]) -> list[ModelSpec]:
    return [
        ModelSpec(f"{name} POLS", name, y, tuple(xs), "pooled"),
        ModelSpec(f"{name} FE", name, y, tuple(xs), "fe"),
    ]


def default_models(panel: PanelData) -> list[ModelSpec]:
    """A thesis-like set of models for a demo panel.

    Nested POLS and FE tables adding one regressor at a time (thesis tables 2–3), then POLS |
    FE pairs with the city-region interaction (tables 4–5), the business-cycle interaction
    with national unemployment (table 6) and, for the synthetic panel, crime × city (tables
    7–8).
    """
    y = "nettoinnflytting"
    if panel.kind == "synthetic":
        base = ["arbeidsledighet", "vakanser", "alder1", "kriminalitet", "utdanning",
                "innvandrere", "gifte", "kino", "nedbørS"]  # fmt: skip
        controls = base[1:]
        models = _nested("POLS", "pooled", "POLS", y, base) + _nested("FE", "fe", "FE", y, base)
        models += _pair("By", y, ["arbeidsledighet", "by", "arbeidsledighet:by", *controls])
        models += _pair("By100", y, ["arbeidsledighet", "by100", "arbeidsledighet:by100",
                                     *controls])  # fmt: skip
        models += _pair("Konjunktur", y, ["arbeidsledighet", "nledighet",
                                          "arbeidsledighet:nledighet", *controls])  # fmt: skip
        models += _pair("Krim by", y, ["arbeidsledighet", "by", "kriminalitet:by", *controls])
        return models
    base = ["arbeidsledighet", "alder1", "alder67", "ln_befolkning"]
    controls = base[1:]
    models = _nested("POLS", "pooled", "POLS", y, base) + _nested("FE", "fe", "FE", y, base)
    models += _pair("By", y, ["arbeidsledighet", "by", "arbeidsledighet:by", *controls])
    models += _pair("Konjunktur", y, ["arbeidsledighet", "nledighet",
                                      "arbeidsledighet:nledighet", *controls])  # fmt: skip
    return models


@dataclass
class RegressionInput:
    """A read and checked regression workbook.

    ``data`` is indexed by sheet row numbers of the panel sheet, so every message from the
    regression core names sheet rows.
    """

    data: pd.DataFrame
    variables: list[VariableInfo]
    models: list[ModelSpec]
    language: str = "nb"
    kind: str = "real"
    title: str = ""
    notes: list[str] = field(default_factory=list)
    source: str = ""
    #: sheet column letter of every tblPanel column
    panel_columns: dict[str, str] = field(default_factory=dict)

    def panel(self) -> PanelData:
        """The panel as :class:`PanelData` (to write it into a new workbook)."""
        frame = self.data.reset_index(drop=True)
        for v in self.variables:
            frame[v.key] = pd.to_numeric(frame[v.key], errors="coerce")
        nb = self.title if self.language == "nb" else ""
        en = self.title if self.language == "en" else ""
        return PanelData(frame, tuple(self.variables), self.kind,  # type: ignore[arg-type]
                         nb or en, en or nb, list(self.notes), list(self.notes))  # fmt: skip


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _find_table(backend: WorkbookBackend, name: str, sheet_key: str, language: str = "nb") -> TableBlock:
    tables = {k.casefold(): v for k, v in backend.tables().items()}
    ref = tables.get(name.casefold())
    if ref is None:
        raise InputError(
            say("Excel table {table} not found", language, table=name),
            location=Location(sheet=R.SHEETS[sheet_key].label(language), table=name),
            expected=say("a regression workbook (regbef-excel regress-template) with table {table}", language,
                         table=name),
        )  # fmt: skip
    return read_table_block(backend, ref)


def _detect_language(sheets: Sequence[str]) -> str:
    nb = sum(s.label("nb") in sheets for s in R.SHEETS.values())
    en = sum(s.label("en") in sheets for s in R.SHEETS.values())
    return "en" if en > nb else "nb"


def _header_index(block: TableBlock, column: Column) -> int | None:
    aliases = column.header_aliases()
    for j, h in enumerate(block.header):
        if normalise_header(h) in aliases:
            return j
    return None


def _read_variables(backend: WorkbookBackend, language: str) -> list[VariableInfo]:
    block = _find_table(backend, "tblVariables", "variables", language)
    idx = {c.key: _header_index(block, c) for c in R.VARIABLES.columns}
    if idx["key"] is None:
        raise InputError(say("column '{column}' missing", language, column="Variabel"), location=Location(
            sheet=block.sheet, table=block.name, column="key"))  # fmt: skip
    yes = R.YES_NO.lookup()
    out: list[VariableInfo] = []
    for i, row in enumerate(block.rows):
        def get(key: str, row: list[object] = row) -> object:
            j = idx.get(key)
            return row[j] if j is not None and j < len(row) else None

        key = get("key")
        if _blank(key):
            continue
        est_raw = get("estimated")
        est = False
        if not _blank(est_raw):
            est_code = yes.get(str(est_raw).strip().casefold())
            if est_code is None:
                raise InputError(
                    "not yes/no", location=Location(sheet=block.sheet, table=block.name,
                                                    cell=block.address(i, idx["estimated"] or 0),
                                                    column="estimated"),
                    found=est_raw, expected=R.YES_NO.expected(language),
                )  # fmt: skip
            est = bool(est_code)
        note = str(get("note") or "")
        unit = str(get("unit") or "")
        out.append(VariableInfo(
            str(key).strip(), str(get("label_nb") or key), str(get("label_en") or key), unit, unit,
            str(get("source") or ""), est, note, note))  # fmt: skip
    return out


def _read_panel(
    backend: WorkbookBackend, variables: list[VariableInfo], language: str = "nb"
) -> tuple[pd.DataFrame, dict[str, str], str]:
    block = _find_table(backend, "tblPanel", "panel", language)
    loc = {"sheet": block.sheet, "table": block.name}
    key_idx = {c.key: _header_index(block, c) for c in R.PANEL.columns}
    for k in ("region", "year"):
        if key_idx[k] is None:
            raise InputError(
                say("key column '{column}' missing", language, column=k), location=Location(**loc, column=k),
                expected=say("a column headed '{nb}' or '{en}'", language, nb=R.PANEL.column(k).label("nb"),
                             en=R.PANEL.column(k).label("en")),
            )  # fmt: skip
    used = {j for j in key_idx.values() if j is not None}
    columns: dict[str, int] = {}
    for j, h in enumerate(block.header):
        if j in used or _blank(h):
            continue
        name = str(h).strip()
        if name in columns:
            raise InputError("duplicate column header", location=Location(
                **loc, cell=block.header_address(j), column=name), found=name)  # fmt: skip
        columns[name] = j
    letters = {name: get_column_letter(block.first_col + j) for name, j in columns.items()}
    for k, j in key_idx.items():
        if j is not None:
            letters[k] = get_column_letter(block.first_col + j)
    if not block.rows:
        raise InputError("the panel table is empty", location=Location(**loc),
                         expected="one row per region and year")  # fmt: skip
    known = {v.key for v in variables}
    for name in columns:
        if name not in known:
            variables.append(VariableInfo(name, name, name))
    records: dict[str, list[object]] = {REGION: [], "region_code": [], YEAR: []}
    records.update({name: [] for name in columns})
    for i, row in enumerate(block.rows):
        region = row[key_idx["region"]]
        if _blank(region):
            raise InputError("region is empty", location=Location(
                **loc, cell=block.address(i, key_idx["region"]), column="region"),
                expected="the region's name")  # fmt: skip
        year = row[key_idx["year"]]
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year.strip())
        if not isinstance(year, int) or isinstance(year, bool):
            raise InputError("year is not a whole number", location=Location(
                **loc, cell=block.address(i, key_idx["year"]), column="year"),
                found=year, expected="a year such as 2015")  # fmt: skip
        records[REGION].append(str(region).strip())
        j = key_idx["region_code"]
        records["region_code"].append(row[j] if j is not None else None)
        records[YEAR].append(year)
        for name, j in columns.items():
            v = row[j] if j < len(row) else None
            records[name].append(None if _blank(v) else v)
    frame = pd.DataFrame(records, index=pd.Index(block.row_numbers, name="row"))
    for name in columns:
        col = frame[name]
        if all(isinstance(v, (int, float)) or v is None for v in col):
            frame[name] = pd.to_numeric(col).astype(float)
    # Whole-panel key checks (before any model runs): duplicates and one-row regions.
    dup = frame.duplicated([REGION, YEAR], keep=False)
    if dup.any():
        rows = list(frame.index[dup.to_numpy()])
        first = frame.loc[rows[0]]
        raise InputError(
            say("duplicate region–year rows: {rows}", language, rows=sheet_rows_text(rows, language)),
            location=Location(**loc, column=YEAR, cell=f"{letters[YEAR]}{rows[0]}"),
            found=f"{first[REGION]} {first[YEAR]}", expected="one row per region and year",
        )  # fmt: skip
    counts = frame[REGION].value_counts()
    single = counts.index[counts == 1]
    if len(single):
        rows = list(frame.index[frame[REGION].isin(single).to_numpy()])
        raise InputError(
            say("region with a single year (a misspelt name?): {rows}", language, rows=sheet_rows_text(rows, language)),
            location=Location(**loc, column=REGION, cell=f"{letters[REGION]}{rows[0]}"),
            found=str(frame.loc[rows[0], REGION]),
            expected="every region in at least two years, spelt the same way each year",
        )  # fmt: skip
    return frame, letters, block.sheet


def sheet_rows_text(rows: Sequence[object], language: str = "en") -> str:
    """``"rows 3, 7"`` (English) or ``"rader 3, 7"`` (Norwegian): sheet rows in a message."""
    if language != "nb":
        return rows_text(list(rows))
    rows = list(rows)
    shown = ", ".join(str(v) for v in rows[:MAX_ROWS_IN_MESSAGE])
    more = len(rows) - MAX_ROWS_IN_MESSAGE
    return f"{'rad' if len(rows) == 1 else 'rader'} {shown}" + (f" og {more} til" if more > 0 else "")


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,\n]", text) if p.strip()]


def _read_models(backend: WorkbookBackend, columns: set[str], variable_order: list[str],
                 language: str) -> list[ModelSpec]:  # fmt: skip
    block = _find_table(backend, "tblModels", "models", language)
    loc = {"sheet": block.sheet, "table": block.name}
    settings = {s.key: s for s in R.MODEL_SETTINGS}
    row_of: dict[str, int] = {}
    tick_rows: list[tuple[str, int]] = []
    setting_aliases = {a: s.key for s in R.MODEL_SETTINGS for a in s.header_aliases()}
    for i, row in enumerate(block.rows):
        key = row[0]
        if _blank(key):
            continue
        text = str(key).strip()
        skey = setting_aliases.get(normalise_header(text))
        if skey is not None and skey not in row_of:
            row_of[skey] = i
        elif text in columns:
            tick_rows.append((text, i))
        else:
            raise InputError(
                say("unknown variable '{name}' (not a column of tblPanel)", language, name=text),
                location=Location(**loc, cell=block.address(i, 0), column=text),
                found=text,
                expected=say("a setting or a column name of tblPanel: {names}", language,
                             names=", ".join(sorted(columns - {REGION, YEAR, "region_code"}))[:300]),
            )  # fmt: skip
    for key in ("dependent", "estimator"):
        if key not in row_of:
            raise InputError(say("setting row '{label}' missing", language, label=settings[key].label(language)),
                             location=Location(**loc, column="setting"))  # fmt: skip
    lookups = {"estimator": R.ESTIMATORS.lookup(), "cov": R.COV_TYPES.lookup(),
               "time_dummies": R.YES_NO.lookup()}  # fmt: skip
    models: list[ModelSpec] = []
    for j in range(2, len(block.header)):
        name = block.header[j]
        cells = [row[j] if j < len(row) else None for row in block.rows]
        if all(_blank(v) for v in cells):
            continue
        name = str(name).strip() if not _blank(name) else f"({j - 1})"
        letter = get_column_letter(block.first_col + j)

        def cell(key: str, cells: list[object] = cells) -> object:
            i = row_of.get(key)
            return cells[i] if i is not None else None

        def where(key: str, letter: str = letter, name: str = name) -> Location:
            i = row_of.get(key)
            return Location(**loc, cell=f"{letter}{block.row_numbers[i]}" if i is not None else None,
                            column=name)  # fmt: skip

        opts: dict[str, object] = {}
        for key, default in (("estimator", None), ("cov", "robust"), ("time_dummies", True)):
            raw = cell(key)
            if _blank(raw):
                if default is None:
                    raise InputError("estimator is empty", location=where(key),
                                     expected=R.ESTIMATORS.expected(language))  # fmt: skip
                opts[key] = default
                continue
            code = lookups[key].get(str(raw).strip().casefold())
            if code is None:
                cl = {"estimator": R.ESTIMATORS, "cov": R.COV_TYPES, "time_dummies": R.YES_NO}[key]
                raise InputError(say("unknown {what}", language, what=settings[key].label(language).lower()),
                                 location=where(key),
                                 found=raw, expected=cl.expected(language))  # fmt: skip
            opts[key] = code
        y = cell("dependent")
        if _blank(y):
            raise InputError("dependent variable is empty", location=where("dependent"),
                             expected="a column name of tblPanel")  # fmt: skip
        y = str(y).strip()
        if y not in columns or y in (REGION, YEAR):
            raise InputError(say("unknown variable '{name}' (not a column of tblPanel)", language, name=y),
                             location=where("dependent"), found=y,
                             expected="a column name of tblPanel")  # fmt: skip
        x: list[str] = []
        for var, i in tick_rows:
            v = cells[i]
            text = "" if v is None else str(v).strip().casefold()
            if isinstance(v, bool):
                text = "true" if v else "false"
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                text = "1" if v == 1 else "0" if v == 0 else str(v)
            if text in R.TICK_YES:
                if var == y:
                    raise InputError("the dependent variable is also ticked as a regressor",
                                     location=Location(**loc, cell=f"{letter}{block.row_numbers[i]}",
                                                       column=name), found=var)  # fmt: skip
                x.append(var)
            elif text not in R.TICK_NO:
                raise InputError("not a tick", location=Location(
                    **loc, cell=f"{letter}{block.row_numbers[i]}", column=name), found=v,
                    expected="x (in the model) or an empty cell")  # fmt: skip
        inter = cell("interactions")
        for term in _split_list(str(inter)) if not _blank(inter) else []:
            factors = [f.strip() for f in term.split(INTERACTION_SEPARATOR)]
            if len(factors) < 2 or any(not f for f in factors):
                raise InputError("malformed interaction", location=where("interactions"),
                                 found=term, expected="'a:b' (product of columns a and b)")  # fmt: skip
            for f in factors:
                if f not in columns or f in (REGION, YEAR):
                    raise InputError(say("unknown variable '{name}' in interaction '{term}'", language, name=f,
                                         term=term),
                                     location=where("interactions"), found=f,
                                     expected="column names of tblPanel")  # fmt: skip
            x.append(INTERACTION_SEPARATOR.join(factors))
        if not x:
            raise InputError("no regressor ticked", location=Location(**loc, column=name,
                             cell=f"{letter}{block.header_row}"),
                             expected="at least one x in the model's column")  # fmt: skip
        table = cell("table")
        models.append(ModelSpec(
            name=name, table=str(table).strip() if not _blank(table) else name, y=y, x=tuple(x),
            method=str(opts["estimator"]), cov=str(opts["cov"]),
            time_dummies=bool(opts["time_dummies"]), column=letter))  # fmt: skip
    if not models:
        raise InputError("no model columns", location=Location(**loc),
                         expected="at least one model column in tblModels")  # fmt: skip
    return models


def read_regression_workbook(source: str | Path | WorkbookBackend) -> RegressionInput:
    """Read and check a regression workbook (file path or back-end). The file is only read."""
    backend = source if isinstance(source, WorkbookBackend) else open_file(source)
    try:
        language = _detect_language(backend.sheet_names())
        try:
            variables = _read_variables(backend, language)
            data, letters, _ = _read_panel(backend, variables, language)
            order = [v.key for v in variables]
            models = _read_models(backend, set(data.columns), order, language)
        except InputError as exc:  # every message in the workbook's language
            raise InputError(translated(exc.message, language) or exc.message, location=exc.location,
                             found=exc.found, expected=translated(exc.expected, language),
                             language=language) from None
        props = backend.custom_properties()
        title, notes = _read_panel_notes(backend)
    finally:
        if not isinstance(source, WorkbookBackend):
            backend.close()
    kind = props.get("REGBEF_regression_panel", "real")
    if any("SYNTET" in v.note_nb.upper() or "SYNTHETIC" in v.note_en.upper() for v in variables):
        kind = "synthetic"
    present = [v for v in variables if v.key in data.columns]
    return RegressionInput(
        data=data, variables=present, models=models, language=language, kind=kind,
        source=str(getattr(backend, "label", "")), panel_columns=letters, notes=notes,
        title=title or (("SYNTETISKE paneldata" if kind == "synthetic" else "Paneldata")
                        if language == "nb" else
                        ("SYNTHETIC panel data" if kind == "synthetic" else "Panel data")),
    )  # fmt: skip


def _read_panel_notes(backend: WorkbookBackend) -> tuple[str, list[str]]:
    """Panel title and provenance notes written below tblVariables (empty if absent)."""
    ref = {k.casefold(): v for k, v in backend.tables().items()}.get("tblvariables")
    if ref is None:
        return "", []
    values = backend.read_values(ref.sheet, ref.max_row + 1, 1, 1, ref.max_row + 30)
    lines = [str(r[0]).strip() for r in values if r and not _blank(r[0])]
    return (lines[0], lines[1:]) if lines else ("", [])
