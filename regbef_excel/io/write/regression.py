"""Writing regression workbooks with XlsxWriter: the template (panel, variables, models, cover)
and the results workbook (the same input sheets, re-runnable, then regression tables,
descriptives, correlations, diagnostics, marginal effects, coefficient plot, run log). Both are
NEW files, written atomically through the sheet toolkit (:mod:`regbef_excel.io.write.sheets`);
region, model, variable and table names are written as text, and a sheet named after a
regression table gets a safe, unique name.

Public API::

    write_regression_workbook(panel, path, models=None, *, language="nb") -> Path
    write_regression_results(run, path, *, language=None, run_items=None) -> Path
    results_sheet_names(run, language) -> list[str]     # the sheets the results add

The contract (sheet names, tables, columns, labels) is :mod:`regbef_excel.schema.regression`;
the models and panel come from :mod:`regbef_excel.io.read.regression`, the estimates from
:mod:`regbef_excel.io.regression_run`.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as _st

from regbef_excel import __version__
from regbef_excel.data.panels import REGION, PanelData, VariableInfo
from regbef_excel.errors import InputError
from regbef_excel.io.read.regression import ModelSpec, RegressionInput, default_models
from regbef_excel.io.regression_run import ModelOutcome, RegressionRun
from regbef_excel.io.write import charts
from regbef_excel.io.write.sheets import (
    CALC_CELL,
    LINK,
    NOTE,
    OUTPUT_CELL,
    PLAIN,
    SHEET_SUBTITLE,
    SHEET_TITLE,
    TABLE_HEADER,
    CellStyle,
    XlsxBook,
    XlsxSheet,
    fit_widths,
    role_style,
    safe_sheet_name,
    schema_sheet,
    wrapped_lines,
    write_table,
)
from regbef_excel.regression import (
    descriptive_table,
)
from regbef_excel.regression.options import INTERACTION_SEPARATOR
from regbef_excel.regression.tables import TEXT as TABLE_TEXT
from regbef_excel.regression.tables import VARIABLE_LABELS, stars, variable_label
from regbef_excel.schema import regression as R
from regbef_excel.schema.base import Column, Table, Text, check_language
from regbef_excel.schema.layout import column_letter, quote_sheet

_RED = "C00000"
_RULE = "000000"
RED_BOLD = CellStyle(bold=True, colour=_RED)
RED_NOTE = CellStyle(italic=True, colour=_RED)
CENTER = CellStyle(horizontal="center")
RIGHT = CellStyle(horizontal="right")
SMALL_GREY = CellStyle(italic=True, size=9, colour="595959")


# ----------------------------------------------------------------------------------------------
# Template builder
# ----------------------------------------------------------------------------------------------
def _panel_table(variables: Sequence[VariableInfo]) -> Table:
    """tblPanel with one column per variable; headers are the variable keys (formula names)."""
    cols = [*R.PANEL.columns]
    for v in variables:
        if v.unit_nb in ("personer", "persons"):
            fmt = "#,##0"
        elif v.unit_nb == "0/1":
            fmt = "0"
        else:
            fmt = "0.000"
        cols.append(Column(v.key, Text(v.key, v.key), "float", role="input", required=False,
                           width=max(11, len(v.key) + 3), number_format=fmt))  # fmt: skip
    return replace(R.PANEL, columns=tuple(cols))


def _mark(v: VariableInfo, kind: str, language: str) -> str:
    if kind == "synthetic":
        return R.MARK[language]["synthetic"]
    return R.MARK[language]["estimated"] if v.estimated else ""


def _write_panel_sheet(book: XlsxBook, panel: PanelData, language: str) -> XlsxSheet:
    ws = schema_sheet(book, R.SHEETS["panel"], language)
    ws.put(1, 1, panel.title(language), SHEET_TITLE)
    marks = [_mark(v, panel.kind, language) for v in panel.variables]
    if any(marks):
        ws.put(3, 1, "Kolonner merket ESTIMERT/SYNTETISK er ikke observerte tall (se Variabler)."
               if language == "nb" else
               "Columns marked ESTIMATED/SYNTHETIC are not observed figures (see Variables).", RED_BOLD)  # fmt: skip
    table = _panel_table(panel.variables)
    d = panel.data
    keys = [c.key for c in table.columns]
    rows = []
    for rec in d[[k for k in keys]].itertuples(index=False):
        rows.append([None if (isinstance(v, float) and math.isnan(v)) else _py(v) for v in rec])
    lay = write_table(ws, table, rows, language)
    n_key = len(R.PANEL.columns)
    for j, (v, mark) in enumerate(zip(panel.variables, marks, strict=True)):
        col = lay.first_col + n_key + j
        if mark:
            ws.put(lay.header_row - 1, col, mark, RED_BOLD.but(size=9, horizontal="center"))
        note = v.note_nb if language == "nb" else v.note_en
        text = f"{v.label(language)}" + (f" [{v.unit_nb if language == 'nb' else v.unit_en}]"
                                          if v.unit_nb else "") + (f"\n{note}" if note else "")  # fmt: skip
        ws.comment(lay.header_row, col, text[:900])
    ws.freeze(lay.first_row, lay.first_col + n_key)
    ws.print_setup(landscape=True, title_row=lay.header_row, footer=False)
    return ws


def _py(v: object) -> object:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _write_variables_sheet(book: XlsxBook, panel: PanelData, language: str) -> XlsxSheet:
    ws = schema_sheet(book, R.SHEETS["variables"], language)
    rows = []
    for v in panel.variables:
        unit = v.unit_nb if language == "nb" else v.unit_en
        note = v.note_nb if language == "nb" else v.note_en
        flag = R.MARK[language]["yes" if v.estimated else "no"]
        rows.append([v.key, v.label_nb, v.label_en, unit, v.source, flag, note])
    lay = write_table(ws, R.VARIABLES, rows, language)
    est = lay.col("estimated")
    _list_validation(ws, R.YES_NO, language, (lay.first_row, est, lay.last_span_row, est))
    note_col = R.VARIABLES.column_index("note")
    note_style = _table_cell_style(R.VARIABLES, "note").but(wrap=True, vertical="top")
    est_style = _table_cell_style(R.VARIABLES, "estimated").but(bold=True, colour=_RED)
    for i, (v, row) in enumerate(zip(panel.variables, rows, strict=True)):
        if v.estimated or panel.kind == "synthetic":
            ws.put(lay.first_row + i, est, row[R.VARIABLES.column_index("estimated")], est_style)
        ws.put(lay.first_row + i, lay.col("note"), row[note_col], note_style)
    r = lay.last_row + 2
    ws.put(r, 1, panel.title(language), SHEET_SUBTITLE)
    for note in panel.notes(language):
        r += 1
        ws.put(r, 1, note, NOTE)
    ws.freeze(6, 2)
    ws.print_setup(landscape=True, title_row=lay.header_row, footer=False)
    return ws


def _table_cell_style(table: Table, key: str) -> CellStyle:
    col = table.columns[table.column_index(key)]
    return role_style(col.role).but(number_format=col.number_format)


def _list_range(key: str, language: str) -> str:
    i = list(R.LISTS).index(key)
    col = column_letter(1 + 2 * i)
    n = len(R.LISTS[key].choices)
    return f"{quote_sheet(R.SHEETS['lists'].label(language))}!${col}$6:${col}${5 + n}"


def _list_validation(ws: XlsxSheet, cl, language: str, block: tuple[int, int, int, int], prompt: str = "") -> None:
    ws.validation(*block, source=_list_range(cl.key, language), title=cl.label(language), prompt=prompt,
                  error=cl.expected(language))  # fmt: skip


def _write_lists(book: XlsxBook, language: str) -> None:
    ws = schema_sheet(book, R.SHEETS["lists"], language)
    for i, cl in enumerate(R.LISTS.values()):
        col = 1 + 2 * i
        for j, ch in enumerate(cl.choices):
            ws.put(6 + j, col, ch.label(language), CALC_CELL)
        ws.table(cl.table, 5, col, 5 + len(cl.choices), col, [cl.label(language)], header_style=TABLE_HEADER)
        ws.width(col, 20)
        ws.width(col + 1, 3)


def _setting_value(setting: str, m: ModelSpec, language: str) -> object:
    if setting == "table":
        return m.table
    if setting == "dependent":
        return m.y
    if setting == "estimator":
        return _choice_label(R.ESTIMATORS, m.method, language)
    if setting == "cov":
        return _choice_label(R.COV_TYPES, m.cov, language)
    if setting == "time_dummies":
        return _choice_label(R.YES_NO, bool(m.time_dummies), language)
    if setting == "interactions":
        return "; ".join(m.interactions) or None
    raise KeyError(setting)


def _choice_label(cl, code: object, language: str) -> str:
    for ch in cl.choices:
        if ch.code == code:
            return ch.label(language)
    raise KeyError(code)


def _write_models_sheet(
    book: XlsxBook, panel: PanelData, models: Sequence[ModelSpec], language: str
) -> XlsxSheet:
    ws = schema_sheet(book, R.SHEETS["models"], language)
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise InputError("model names must be unique", found=names)
    cols = [*R.MODELS.columns] + [
        Column(f"m{i}", Text(m.name, m.name), "str", role="input", width=R.MODEL_COLUMN_WIDTH,
               required=False)
        for i, m in enumerate(models)
    ]  # fmt: skip
    table = replace(R.MODELS, columns=tuple(cols))
    rows: list[list[object]] = []
    for s in R.MODEL_SETTINGS:
        rows.append([s.key, s.label(language), *[_setting_value(s.key, m, language) for m in models]])
    for v in panel.variables:
        rows.append([v.key, v.label(language),
                     *["x" if v.key in m.main_terms else None for m in models]])  # fmt: skip
    for i, v in enumerate(panel.variables):
        mark = _mark(v, panel.kind, language)
        if mark:
            rows[len(R.MODEL_SETTINGS) + i][1] = f"{rows[len(R.MODEL_SETTINGS) + i][1]} ({mark})"
    lay = write_table(ws, table, rows, language)
    r0 = lay.first_row + len(R.MODEL_SETTINGS)
    centred = [_table_cell_style(table, c.key).but(horizontal="center") for c in cols]
    for i, row in enumerate(rows):
        for j in range(2, 2 + len(models)):
            ws.put(lay.first_row + i, lay.first_col + j, row[j], centred[j])
    first = lay.first_col + 2
    last = lay.first_col + 1 + max(R.MODEL_CAPACITY, len(models))
    for i, s in enumerate(R.MODEL_SETTINGS):
        r = lay.first_row + i
        if s.validation is not None and s.validation.kind == "list":
            _list_validation(ws, R.LISTS[s.validation.choices or ""], language, (r, first, r, last),
                             s.prompt(language))  # fmt: skip
        elif s.prompt(language):
            ws.validation(r, first, r, last, title=s.label(language), prompt=s.prompt(language))
    tick_prompt = ("x = variabelen er med i modellen; tom = ikke med" if language == "nb"
                   else "x = the variable is in the model; blank = not")  # fmt: skip
    ws.validation(r0, first, lay.last_row, last, title="x", prompt=tick_prompt)
    ws.freeze(lay.first_row, lay.first_col + 2)
    ws.height(lay.header_row, 45)
    ws.print_setup(landscape=True, title_row=lay.header_row, footer=False)
    return ws


def _write_cover(ws: XlsxSheet, panel: PanelData, language: str, sheet_names: list[str],
                 run_lines: Sequence[str] = ()) -> None:  # fmt: skip
    t = R.COVER_TEXT[language]
    ws.hide_gridlines()
    ws.width(1, 3)
    ws.width(2, 120)
    ws.put(1, 2, str(t["title"]), SHEET_TITLE)
    ws.put(2, 2, str(t["subtitle"]), NOTE)
    r = 4
    if panel.kind == "synthetic":
        ws.put(r, 2, "SYNTETISKE DATA – sier ingenting om Norge" if language == "nb"
               else "SYNTHETIC DATA – says nothing about Norway", RED_BOLD.but(size=14))  # fmt: skip
        r += 2

    def block(head: str, lines: Sequence[str], bullet: str = "• ", red: bool = False) -> None:
        nonlocal r
        ws.put(r, 2, head, SHEET_SUBTITLE)
        r += 1
        style = CellStyle(wrap=True, vertical="top", colour=_RED if red else None)
        for line in lines:
            ws.put(r, 2, f"{bullet}{line}", style)
            ws.height(r, 15 * max(1, math.ceil(len(line) / 125)))
            r += 1
        r += 1

    if run_lines:
        block("Kjøring" if language == "nb" else "Run", run_lines)
    block(str(t["purpose_h"]), t["purpose"], "")  # type: ignore[arg-type]
    block(str(t["run_h"]), t["run"])  # type: ignore[arg-type]
    block(str(t["data_h"]), [panel.title(language), *panel.notes(language)])
    est = [v.key for v in panel.variables if v.estimated]
    legend = list(t["legend"])  # type: ignore[arg-type]
    if est:
        legend.append(("Estimerte variabler i dette panelet: " if language == "nb"
                       else "Estimated variables in this panel: ") + ", ".join(est))  # fmt: skip
    block(str(t["legend_h"]), legend, red=True)
    ws.put(r, 2, str(t["toc_h"]), SHEET_SUBTITLE)
    r += 1
    for name in sheet_names:
        ws.link(r, 2, name, name, LINK)
        r += 1
    r += 1
    ws.put(r, 2, f"regbef_excel {__version__}", NOTE)
    ws.print_setup(landscape=False, title_row=None, footer=False)


def _input_sheets(book: XlsxBook, panel: PanelData, models: Sequence[ModelSpec], language: str) -> XlsxSheet:
    cover = book.sheet(R.SHEETS["cover"].label(language))
    _write_panel_sheet(book, panel, language)
    _write_variables_sheet(book, panel, language)
    _write_models_sheet(book, panel, models, language)
    _write_lists(book, language)
    return cover


def write_regression_workbook(
    panel: PanelData, path: str | Path, models: Sequence[ModelSpec] | None = None, *, language: str = "nb"
) -> Path:
    """Write a ready-to-run regression workbook pre-filled with ``panel`` and ``models`` (a NEW
    file, atomically).

    Parameters
    ----------
    panel
        The panel (e.g. :func:`~regbef_excel.data.panels.real_panel`).
    path
        The ``.xlsx`` file to write.
    models
        Model columns; default :func:`default_models`.
    language
        ``"nb"`` (default) or ``"en"`` for sheet names, headers, prompts and lists.
    """
    language = check_language(language)
    models = list(models) if models is not None else default_models(panel)
    with XlsxBook(path) as book:
        cover = _input_sheets(book, panel, models, language)
        _write_cover(cover, panel, language, book.sheetnames[1:])
        _properties(book, panel, language)
    return Path(path)


def _properties(book: XlsxBook, panel: PanelData, language: str) -> None:
    book.properties(
        title=str(R.COVER_TEXT[language]["title"]), author=f"regbef_excel {__version__}",
        keywords=f"REGBEF; regression; panel {panel.kind}",
        custom=(("REGBEF_regression_panel", panel.kind), ("REGBEF_engine_version", __version__),
                ("REGBEF_language", language)),
    )  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Output writer
# ----------------------------------------------------------------------------------------------
def _labels(inp: RegressionInput, language: str) -> dict[str, str]:
    """Row labels of the tables: the variable names in Norwegian (as the thesis prints them),
    the English labels of tblVariables in English."""
    if language == "nb":
        return {}
    out = {k: v for k, v in VARIABLE_LABELS["en"].items()}
    for v in inp.variables:
        if v.label_en and v.label_en != v.key:
            out[v.key] = v.label_en
    return out


def _term_label(term: str, language: str, labels: dict[str, str]) -> str:
    return variable_label(term, language, labels)


def _estimated_used(inp: RegressionInput, outcomes: Sequence[ModelOutcome]) -> list[str]:
    used: set[str] = set()
    for o in outcomes:
        used.add(o.spec.y)
        used.update(f for t in o.spec.x for f in t.split(INTERACTION_SEPARATOR))
    return [v.key for v in inp.variables if v.estimated and v.key in used]


def _data_notes(inp: RegressionInput, outcomes: Sequence[ModelOutcome], language: str) -> list[str]:
    notes = []
    if inp.kind == "synthetic":
        notes.append("SYNTETISKE DATA formet som masteroppgaven – sier ingenting om Norge"
                     if language == "nb" else
                     "SYNTHETIC DATA shaped like the thesis – says nothing about Norway")  # fmt: skip
    est = _estimated_used(inp, outcomes)
    if est:
        notes.append(("ESTIMERTE variabler: " if language == "nb" else "ESTIMATED variables: ")
                     + ", ".join(est))  # fmt: skip
    return notes


def _write_regression_sheet(ws: XlsxSheet, name: str, outcomes: Sequence[ModelOutcome],
                            inp: RegressionInput, language: str) -> dict[str, tuple[int, int]]:  # fmt: skip
    """The thesis layout: numbers stay numbers; stars and parentheses come from number formats.

    Returns ``{f"{model}|{term}": (row, col)}`` of every coefficient cell (for tests/readers).
    """
    t = TABLE_TEXT[language]
    labels = _labels(inp, language)
    ws.put(1, 1, name, SHEET_TITLE)
    ws.put(2, 1, f"Avhengig variabel: {outcomes[0].spec.y}" if language == "nb"
           else f"Dependent variable: {outcomes[0].spec.y}", NOTE)  # fmt: skip
    k = len(outcomes)
    r0 = 4
    top, bottom = CellStyle(border_top=_RULE), CellStyle(border_bottom=_RULE)
    ws.width(1, 26)
    for j in range(k):
        ws.width(2 + j, 13)
    for j, o in enumerate(outcomes):
        ws.put(r0, 2 + j, f"({j + 1})", top.but(horizontal="center"))
        ws.put(r0 + 1, 2 + j, t[o.spec.method], CENTER)
        ws.put(r0 + 2, 2 + j, o.spec.y, bottom.but(horizontal="center"))
        ws.put(r0 + 3, 2 + j, o.spec.name, SMALL_GREY.but(horizontal="center"))
    ws.put(r0, 1, None, top)
    ws.put(r0 + 2, 1, t["variables"], bottom)
    ws.put(r0 + 3, 1, "Modell" if language == "nb" else "Model", SMALL_GREY)
    terms: list[str] = []
    for o in outcomes:
        for term in o.result.regressors:
            if term not in terms:
                terms.append(term)
    terms.append("const")
    where: dict[str, tuple[int, int]] = {}
    r = r0 + 4
    for term in terms:
        ws.put(r, 1, _term_label(term, language, labels))
        for j, o in enumerate(outcomes):
            res = o.result
            if term not in res.params.index:
                continue
            b, se, p = float(res.params[term]), float(res.bse[term]), float(res.pvalues[term])
            s = stars(p)
            ws.put(r, 2 + j, b, RIGHT.but(number_format=f'0.0000"{s}"' if s else "0.0000"))
            where[f"{o.spec.name}|{term}"] = (r, 2 + j)
            ws.put(r + 1, 2 + j, se, RIGHT.but(number_format='"("0.0000")"'))
        r += 2
    first_stat_row = r
    rows = [
        (t["year_dummies"], [t["yes"] if o.result.has_time_dummies else t["no"] for o in outcomes], None),
        (t["obs"], [o.result.nobs for o in outcomes], "#,##0"),
        (t["r2"], [o.result.rsquared for o in outcomes], "0.000"),
        (t["regions"], [o.result.n_entities for o in outcomes], "0"),
    ]  # fmt: skip
    last_stat_row = first_stat_row + len(rows) - 1
    for label, values, fmt in rows:
        rule = CellStyle(border_top=_RULE if r == first_stat_row else None,
                         border_bottom=_RULE if r == last_stat_row else None)  # fmt: skip
        ws.put(r, 1, label, rule)
        for j, v in enumerate(values):
            ws.put(r, 2 + j, v, rule.but(horizontal="right", number_format=fmt or "General"))
        r += 1
    kinds = []
    for o in outcomes:
        kind = "robust" if o.result.cov_requested == "robust" else (
            "cluster" if o.result.cov_type == "cluster" else "classic")  # fmt: skip
        if kind not in kinds:
            kinds.append(kind)
    notes = [t[kd] for kd in kinds] + [t["stars"]]
    if any(term not in o.result.params.index for o in outcomes for term in o.result.regressors):
        notes.append(t["omitted"])
    notes += _data_notes(inp, outcomes, language)
    column = {o.spec.name: j + 1 for j, o in enumerate(outcomes)}
    for n, models in grouped_notes(outcomes):
        if "single year" in n:
            continue
        notes.append(", ".join(f"({column[m]})" for m in models) + ": " + note_text(n, language))
    for n in notes:
        ws.put(r, 1, n, CellStyle(italic=True, size=9, colour=_RED if ("SYNT" in n or "ESTIM" in n) else "404040"))
        r += 1
    ws.freeze(r0 + 4, 2)
    ws.print_setup(landscape=k > 5, title_row=None, footer=False)
    return where


def _output_sheet(book: XlsxBook, key: str, language: str) -> XlsxSheet:
    """An output sheet of the regression results with its title (row 1) and intro (row 2)."""
    return schema_sheet(book, R.OUTPUT_SHEETS[key], language)


def _write_descriptives(book: XlsxBook, inp: RegressionInput, run: RegressionRun, language: str) -> None:
    ws = _output_sheet(book, "descriptives", language)
    cols = []
    for o in run.outcomes:
        for f in [o.spec.y, *(f for t in o.spec.x for f in t.split(INTERACTION_SEPARATOR))]:
            if f not in cols:
                cols.append(f)
    order = [v.key for v in inp.variables]
    cols.sort(key=lambda c: order.index(c) if c in order else len(order))
    data = inp.data[cols].apply(pd.to_numeric, errors="coerce")
    t = TABLE_TEXT[language]
    head = [t["variable"], t["desc_obs"], t["mean"], t["sd"], "Min", "Max",
            "Merknad" if language == "nb" else "Note"]  # fmt: skip
    marks = {v.key: _mark(v, inp.kind, language) for v in inp.variables}
    labels = _labels(inp, language)
    sample = data.dropna()  # the rows every variable of the models is observed in
    nb = language == "nb"
    blocks = (
        (sample, (f"Estimeringsutvalget: rader med alle modellenes variabler observert (N = {len(sample):,})"
                  if nb else f"Estimation sample: rows with every model variable observed (N = {len(sample):,})")),
        (data, (f"Alle observasjoner i datasettet (N = {len(data):,}; manglende verdier teller ikke)"
                if nb else f"All observations in the data set (N = {len(data):,}; missing values do not count)")),
    )  # fmt: skip
    r0 = 4
    for frame, caption in blocks:
        tab = descriptive_table(frame, cols, language=language)
        ws.put(r0 - 1, 1, caption, SHEET_SUBTITLE)
        for j, h in enumerate(head):
            ws.put(r0, 1 + j, h, TABLE_HEADER)
        for i, c in enumerate(cols):
            row = tab.numeric.loc[c]
            vals = [_term_label(c, language, labels), int(row["obs"]), row["mean"], row["sd"],
                    row["min"], row["max"], marks.get(c, "")]  # fmt: skip
            for j, v in enumerate(vals):
                style = OUTPUT_CELL
                if j == 1:
                    style = OUTPUT_CELL.but(number_format="#,##0")
                elif 2 <= j <= 5:
                    style = OUTPUT_CELL.but(number_format="0.000")
                elif j == 6 and v:
                    style = OUTPUT_CELL.but(bold=True, colour=_RED)
                ws.put(r0 + 1 + i, 1 + j, v, style)
        r0 += len(cols) + 3
    r0 -= len(cols) + 3
    r = r0 + len(cols) + 2
    for n in _data_notes(inp, run.outcomes, language):
        ws.put(r, 1, n, RED_NOTE)
        r += 1
    fit_widths(ws, last=len(head), minimum=8.0, maximum=40.0)
    ws.print_setup(landscape=False, title_row=None, footer=False)


def _write_correlations(book: XlsxBook, inp: RegressionInput, run: RegressionRun, language: str) -> None:
    ws = _output_sheet(book, "correlations", language)
    cols: list[str] = []
    for o in run.outcomes:
        for f in [o.spec.y, *o.spec.main_terms]:
            if f not in cols:
                cols.append(f)
    order = [v.key for v in inp.variables]
    cols.sort(key=lambda c: order.index(c) if c in order else len(order))
    frame = inp.data[cols].apply(pd.to_numeric, errors="coerce").dropna()
    corr = frame.corr()
    labels = _labels(inp, language)
    r0 = 4
    ws.put(r0, 1, TABLE_TEXT[language]["variables"].capitalize(), TABLE_HEADER)
    for j in range(len(cols)):
        ws.put(r0, 2 + j, f"({j + 1})", TABLE_HEADER.but(horizontal="center"))
        ws.width(2 + j, 8)
    three = CellStyle(number_format="0.000")
    for i, c in enumerate(cols):
        ws.put(r0 + 1 + i, 1, f"({i + 1}) {_term_label(c, language, labels)}")
        for j in range(i + 1):
            ws.put(r0 + 1 + i, 2 + j, float(corr.iloc[i, j]), three)
    ws.width(1, 30)
    r = r0 + len(cols) + 2
    ws.put(r, 1, f"N = {len(frame):,} (rader komplette i alle variablene)" if language == "nb"
           else f"N = {len(frame):,} (rows complete in every variable)")  # fmt: skip
    for n in _data_notes(inp, run.outcomes, language):
        r += 1
        ws.put(r, 1, n, RED_NOTE)
    ws.print_setup(landscape=len(cols) > 9, title_row=None, footer=False)


def _fmt_list(values: Sequence[object]) -> str:
    return ", ".join(str(v) for v in values)


def _write_diagnostics(book: XlsxBook, run: RegressionRun, language: str) -> None:
    ws = _output_sheet(book, "diagnostics", language)
    t = TABLE_TEXT[language]
    grouped = grouped_notes(run.outcomes)
    number = {note: i for i, (note, _models) in enumerate(grouped, start=1)}
    rows = []
    for o in run.outcomes:
        res = o.result
        rows.append([
            o.spec.name, o.spec.table, t[o.spec.method], res.nobs, res.n_missing_dropped,
            o.bp.stat, o.bp.pvalue, o.reset.stat, f"{o.reset.df_num}, {o.reset.df_den}",
            o.reset.pvalue,
            o.mundlak.stat if o.mundlak is not None else None,
            o.mundlak.pvalue if o.mundlak is not None else None,
            ", ".join(f"[{number[n]}]" for n in dict.fromkeys(o.notes)) or None,
        ])  # fmt: skip
    lay = write_table(ws, R.DIAGNOSTICS, rows, language)
    r = lay.first_row + len(rows) + 1
    head = "Merknader (henvist til i kolonnen Merknader)" if language == "nb" else "Notes (referred to in the Notes column)"
    if grouped:
        ws.put(r, 1, head, CellStyle(bold=True))
        r += 1
    for i, (who, note) in enumerate(model_notes(run.outcomes, language), start=1):
        # plain lines that spill over the empty cells to the right, cut to the table's width:
        # nothing wraps into a neighbour and nothing runs off the printed page
        for line in textwrap.wrap(f"[{i}] {who}: {note}", NOTE_LINE_CHARS, subsequent_indent="     "):
            ws.put(r, 1, line, NOTE)
            r += 1
    r += 1
    text = (
        ["Breusch–Pagan: Statas estat hettest (normal-versjon, tilpassede verdier), χ²(1). "
         "Etter FE brukes within-residualene.",
         "RESET: estat ovtest, potenser 2–4 av tilpassede verdier (skalert til [0,1]), F-test.",
         "Mundlak: regionsnitt av tidsvarierende variabler lagt til POLS, klyngerobust Wald-test "
         "(forkastning taler for FE framfor RE)."]
        if language == "nb" else
        ["Breusch–Pagan: Stata's estat hettest (normal version, fitted values), χ²(1). After FE "
         "on the within residuals.",
         "RESET: estat ovtest, powers 2–4 of the fitted values (rescaled to [0,1]), F test.",
         "Mundlak: region means of time-varying regressors added to POLS, cluster-robust Wald "
         "test (rejection favours FE over RE)."]
    )  # fmt: skip
    for line in text:
        ws.put(r, 1, line, NOTE)
        r += 1
    ws.freeze(6, 2)
    ws.print_setup(landscape=True, title_row=5, footer=False)


def _write_marginal(book: XlsxBook, run: RegressionRun, language: str) -> None:
    ws = _output_sheet(book, "marginal", language)
    rows = []
    repro = []
    for o in run.outcomes:
        for me in o.marginal:
            var, mod = me.attrs["variable"], me.attrs["moderator"]
            for at, row in me.iterrows():
                rows.append([o.spec.name, var, mod, str(at), row["level"], row["effect"],
                             row["se"], row["t"], row["pvalue"], row["ci_lower"], row["ci_upper"]])  # fmt: skip
            params = o.result.params
            inter = f"{var}{INTERACTION_SEPARATOR}{mod}"
            if not me.attrs["binary"] and mod in params.index and inter in params.index:
                wrong = float(params[var] + params[inter] * params[mod])
                repro.append([o.spec.name, var, mod, float(params[mod]), wrong])
    lay = write_table(ws, R.MARGINAL, rows, language)
    r = lay.last_row + 2
    note = ("Korrekt: effekt = β(variabel) + δ(samspill) × nivå av moderatoren, med SE fra hele "
            "kovariansmatrisen (Stata lincom). For 0/1-moderatorer (by) vises 0 = utenfor by, "
            "1 = by." if language == "nb" else
            "Correct: effect = β(variable) + δ(interaction) × level of the moderator, SE from the "
            "full covariance matrix (Stata lincom). For 0/1 moderators (by): 0 = outside, "
            "1 = city region.")  # fmt: skip
    ws.put(r, 1, note, NOTE)
    if repro:
        r += 2
        head = ("KUN GJENGIVELSE av masteroppgavens regnestykke (FEIL: koeffisienten til "
                "moderatoren er satt inn i stedet for et nivå av den)" if language == "nb" else
                "REPRODUCTION ONLY of the thesis' arithmetic (WRONG: the moderator's coefficient "
                "is plugged in instead of a level of the moderator)")  # fmt: skip
        ws.put(r, 1, head, RED_BOLD)
        r += 1
        hdr = (["Modell", "Variabel", "Moderator", "β(moderator) brukt som nivå",
                "β + δ·β(moderator) (feil)"] if language == "nb" else
               ["Model", "Variable", "Moderator", "β(moderator) used as level",
                "β + δ·β(moderator) (wrong)"])  # fmt: skip
        for j, h in enumerate(hdr):
            ws.put(r, 1 + j, h, TABLE_HEADER)
        ws.height(r, 45)
        grey = CellStyle(italic=True, colour="7F7F7F")
        for row in repro:
            r += 1
            for j, v in enumerate(row):
                ws.put(r, 1 + j, v, grey.but(number_format="0.0000") if j >= 3 else grey)
    ws.freeze(6, 2)
    ws.print_setup(landscape=True, title_row=5, footer=False)


def _write_coefficients(book: XlsxBook, run: RegressionRun, language: str) -> None:
    ws = _output_sheet(book, "coefficients", language)
    t = TABLE_TEXT[language]
    rows = []
    for o in run.outcomes:
        res = o.result
        ci = res.conf_int()
        for term in res.params.index:
            rows.append([o.spec.table, o.spec.name, t[o.spec.method], term,
                         float(res.params[term]), float(res.bse[term]), float(res.tvalues[term]),
                         float(res.pvalues[term]), float(ci.loc[term, "lower"]),
                         float(ci.loc[term, "upper"]), int(res.df_resid)])  # fmt: skip
    write_table(ws, R.COEFFICIENTS, rows, language)
    ws.freeze(6, 5)
    ws.print_setup(landscape=True, title_row=5, footer=False)


def _write_plot(book: XlsxBook, run: RegressionRun, inp: RegressionInput, language: str) -> None:
    ws = _output_sheet(book, "plot", language)
    labels = _labels(inp, language)
    r = 4
    blocks = 0
    breaks: list[int] = []
    ws.width(1, 24)
    for j in range(2, 8):
        ws.width(j, 12)
    three = CellStyle(number_format="0.000")
    for table, outcomes in run.by_table().items():
        shown = outcomes if len(outcomes) <= 2 else [outcomes[-1]]
        terms = [tm for tm in shown[-1].result.regressors if INTERACTION_SEPARATOR not in tm]
        for o in shown[:-1]:
            for tm in o.result.regressors:
                if INTERACTION_SEPARATOR not in tm and tm not in terms:
                    terms.append(tm)
        ws.put(r, 1, table, SHEET_SUBTITLE)
        hdr = ["Variabel" if language == "nb" else "Variable"]
        for o in shown:
            hdr += [f"{o.spec.name}: {'effekt' if language == 'nb' else 'effect'}",
                    f"{o.spec.name}: ± 95 %"]  # fmt: skip
        for j, h in enumerate(hdr):
            ws.put(r + 1, 1 + j, h, TABLE_HEADER)
        ws.height(r + 1, 30)
        for i, term in enumerate(terms):
            ws.put(r + 2 + i, 1, _term_label(term, language, labels))
            for k, o in enumerate(shown):
                res = o.result
                if term not in res.params.index:
                    continue
                sd = regressor_sd(res, term)
                q = float(_st.t.ppf(0.975, res.df_resid))
                ws.put(r + 2 + i, 2 + 2 * k, float(res.params[term]) * sd, three)
                ws.put(r + 2 + i, 3 + 2 * k, q * float(res.bse[term]) * sd, three)
        n = len(terms)
        chart = charts.coefficient_chart(
            ws.title, header_row=r + 1, first_row=r + 2, last_row=r + 1 + n, category_col=1,
            value_cols=[2 + 2 * k for k in range(len(shown))], error_cols=[3 + 2 * k for k in range(len(shown))],
            title=f"{table}: " + ("effekt av +1 SD" if language == "nb" else "effect of +1 SD"),
            y_title="per 1000 innbyggere" if language == "nb" else "per 1000 inhabitants",
        )  # fmt: skip
        ws.chart(chart, r, 3 + 2 * len(shown) + 1)
        r += max(n + 4, 19)
        blocks += 1
        if blocks % 2 == 0:
            breaks.append(r)
    ws.row_breaks(breaks)
    note = ("Søyle = standardisert koeffisient: koeffisient × standardavvik i modellens eget "
            "estimeringsutvalg (POLS: totalt standardavvik; FE: standardavvik innen region, etter at "
            "regionsnittet er trukket fra); strek = 95 % konfidensintervall (t-fordelingen modellen "
            "bruker). Samspill og årsdummyer vises ikke."
            if language == "nb" else
            "Bar = standardised coefficient: coefficient × standard deviation in the model's own "
            "estimation sample (POLS: overall SD; FE: within-region SD, region means removed); "
            "whisker = 95 % confidence interval (the model's t distribution). Interactions and year "
            "dummies not shown.")  # fmt: skip
    ws.put(3, 1, note, NOTE)
    ws.print_setup(landscape=True, title_row=None, footer=False)


def _write_run_log(book: XlsxBook, run: RegressionRun, language: str, items: dict[str, object]) -> None:
    ws = _output_sheet(book, "run", language)
    r = 4
    bold = CellStyle(bold=True)
    for k, v in items.items():
        ws.put(r, 1, k, bold)
        ws.put(r, 2, v, PLAIN if not isinstance(v, str) else CellStyle(horizontal="left"))
        r += 1
    r += 1
    ws.put(r, 1, "Merknader per modell" if language == "nb" else "Notes per model", SHEET_SUBTITLE)
    widths = {1: 30.0, 2: 90.0}
    for note, models in grouped_notes(run.outcomes):
        r += 1
        many = (f"{len(models)} modeller: " if language == "nb" else f"{len(models)} models: ") if len(models) > 1 else ""
        who, what = many + ", ".join(models), note_text(note, language)
        ws.put(r, 1, who, WRAP_TOP_STYLE)
        ws.put(r, 2, what, WRAP_TOP_STYLE)
        # wrapped cells do not grow by themselves in every client: the row gets the height of
        # its taller cell, measured
        lines = max(wrapped_lines(who, widths[1], WRAP_TOP_STYLE), wrapped_lines(what, widths[2], WRAP_TOP_STYLE))
        ws.height(r, ROW_POINTS * lines + 2)
    for col, w in widths.items():
        ws.width(col, w)
    ws.print_setup(landscape=False, title_row=None, footer=False)


WRAP_TOP_STYLE = CellStyle(wrap=True, vertical="top")
#: Characters of a note line under the diagnostics table (narrower than the table's columns).
NOTE_LINE_CHARS = 140
#: Height in points of one line of 11-point text.
ROW_POINTS = 15.0


#: Model notes of the estimation run in Norwegian (pattern -> replacement); English stays as is.
_NOTES_NB: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(a), b) for a, b in (
    (r"^(\d+) rows with missing values dropped \(listwise; ", r"\1 rader med manglende verdier utelatt (listevis; "),
    (r"^omitted because of collinearity: ", "utelatt på grunn av kollinearitet: "),
    (r"^Mundlak test not computed: ", "Mundlak-testen ble ikke beregnet: "),
    (r"^marginal effect of (\S+) by (\S+) not computed: ", r"marginaleffekten av \1 etter \2 ble ikke beregnet: "),
    (r"region\(s\) with a single year", "region(er) med bare ett år"),
    (r"kept as Stata xtreg does: they count in N and in the number of regions but carry no within variation",
     "beholdt som i Statas xtreg: de teller i N og i antall regioner, men har ingen variasjon innen region"),
    (r"\band (\d+) more\b", r"og \1 til"),
    (r"\browsb?\b", "rader"),
    (r"\brows?\b", "rad"),
))  # fmt: skip


def note_text(note: str, language: str) -> str:
    """A model note in the workbook's language (the estimation code writes English)."""
    if language != "nb":
        return note
    for pattern, repl in _NOTES_NB:
        note = pattern.sub(repl, note)
    return note


def grouped_notes(outcomes: Sequence[ModelOutcome]) -> list[tuple[str, list[str]]]:
    """Each distinct model note once, with the models it concerns (first-seen order)."""
    seen: dict[str, list[str]] = {}
    for o in outcomes:
        for n in o.notes:
            names = seen.setdefault(n, [])
            if o.spec.name not in names:
                names.append(o.spec.name)
    return list(seen.items())


def models_text(models: Sequence[str], total: int, language: str) -> str:
    """Which models a note concerns, short: one name, "alle 12 modeller", up to three names,
    or "10 modeller (POLS (1) … By FE)"."""
    n = len(models)
    if n == 1:
        return models[0]
    if n == total:
        return f"alle {n} modeller" if language == "nb" else f"all {n} models"
    if n <= 3:
        return ", ".join(models)
    return f"{n} {'modeller' if language == 'nb' else 'models'} ({models[0]} … {models[-1]})"


def model_notes(outcomes: Sequence[ModelOutcome], language: str) -> list[tuple[str, str]]:
    """Each distinct model note once, in ``language``: ``(which models, note)`` pairs."""
    return [(models_text(models, len(outcomes), language), note_text(note, language))
            for note, models in grouped_notes(outcomes)]  # fmt: skip


def regressor_sd(result, term: str, entity: str = REGION) -> float:  # noqa: ANN001 - PanelResult
    """Standard deviation of regressor ``term`` in the model's estimation sample: the overall SD
    after pooled OLS, the within SD (entity means removed, the variation FE uses) after FE."""
    frame = result.estimation_frame
    x = frame[term].to_numpy(dtype=float)
    if result.method == "fe" and entity in frame.columns:
        x = x - frame.groupby(entity)[term].transform("mean").to_numpy(dtype=float)
    return float(np.std(x, ddof=1))


def _run_items(run: RegressionRun, language: str, run_items: dict[str, object] | None) -> dict[str, object]:
    items = dict(run_items or {})
    items.setdefault("regbef_excel", __version__)
    items.setdefault("Modeller" if language == "nb" else "Models", len(run.outcomes))
    items.setdefault("Sekunder (estimering)" if language == "nb" else "Seconds (estimation)",
                     round(run.seconds, 3))  # fmt: skip
    return items


def results_sheet_names(run: RegressionRun, language: str) -> list[str]:
    """The sheets :func:`write_regression_results` writes after the input sheets, in order."""
    inputs = {R.SHEETS[k].label(language) for k in ("cover", "panel", "variables", "models", "lists")}
    taken = set(inputs) | {s.label(language) for s in R.OUTPUT_SHEETS.values()}
    tables = [safe_sheet_name(table, taken, fallback="Tabell") for table in run.by_table()]
    label = {k: R.OUTPUT_SHEETS[k].label(language) for k in R.OUTPUT_SHEETS}
    return [label["run"], label["descriptives"], label["correlations"], *tables, label["diagnostics"],
            label["marginal"], label["coefficients"], label["plot"]]  # fmt: skip


def write_regression_results(
    run: RegressionRun, path: str | Path, *, language: str | None = None,
    run_items: dict[str, object] | None = None,
) -> Path:  # fmt: skip
    """Write the output workbook to a NEW file (atomically): the input sheets (re-runnable),
    then every output sheet (:func:`results_sheet_names`)."""
    language = check_language(language or run.input.language)
    inp = run.input
    panel = inp.panel()
    items = _run_items(run, language, run_items)
    names = results_sheet_names(run, language)
    with XlsxBook(path) as book:
        cover = _input_sheets(book, panel, inp.models, language)
        _write_run_log(book, run, language, items)
        _write_descriptives(book, inp, run, language)
        _write_correlations(book, inp, run, language)
        for (table, outcomes), name in zip(run.by_table().items(), names[3:], strict=False):
            _write_regression_sheet(book.sheet(name), table, outcomes, inp, language)
        _write_diagnostics(book, run, language)
        _write_marginal(book, run, language)
        _write_coefficients(book, run, language)
        _write_plot(book, run, inp, language)
        if book.sheetnames[5:] != names:  # pragma: no cover - guard of the one naming rule
            raise RuntimeError(f"sheet names {book.sheetnames[5:]} differ from {names}")
        _write_cover(cover, panel, language, book.sheetnames[1:], [f"{k}: {v}" for k, v in items.items()])
        _properties(book, panel, language)
    return Path(path)
