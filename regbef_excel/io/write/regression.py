"""Writing regression workbooks (openpyxl): the template (panel, variables, models, cover)
and the results workbook (regression tables, descriptives, correlations, diagnostics, marginal
effects, coefficient plot, run log).

Public API::

    build_regression_workbook(panel, models, *, language="nb") -> openpyxl.Workbook
    build_results_workbook(run, *, language=None, run_items=None) -> openpyxl.Workbook
    write_regression_results(run, path, *, language=None) -> Path      # a NEW file

The contract (sheet names, tables, columns, labels) is :mod:`regbef_excel.schema.regression`;
the models and panel come from :mod:`regbef_excel.io.read.regression`, the estimates from
:mod:`regbef_excel.io.regression_run`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import NumDataSource, NumRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.chart.legend import Legend
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from scipy import stats as _st

from regbef_excel import __version__
from regbef_excel.data.panels import PanelData, VariableInfo
from regbef_excel.errors import InputError
from regbef_excel.io.read.regression import ModelSpec, RegressionInput, default_models
from regbef_excel.io.regression_run import ModelOutcome, RegressionRun
from regbef_excel.io.write import styles
from regbef_excel.io.write.template import new_sheet, print_setup, save_workbook, write_table
from regbef_excel.regression import (
    descriptive_table,
)
from regbef_excel.regression.options import INTERACTION_SEPARATOR
from regbef_excel.regression.tables import TEXT as TABLE_TEXT
from regbef_excel.regression.tables import VARIABLE_LABELS, stars, variable_label
from regbef_excel.schema import regression as R
from regbef_excel.schema.base import Column, Table, Text, check_language
from regbef_excel.schema.layout import quote_sheet

_RED = "C00000"
_RULE = Side(style="thin", color="000000")


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


def _write_panel_sheet(wb: Workbook, panel: PanelData, language: str) -> Worksheet:
    ws = new_sheet(wb, R.SHEETS["panel"], language)
    ws["A1"] = panel.title(language)
    marks = [_mark(v, panel.kind, language) for v in panel.variables]
    if any(marks):
        ws["A3"] = (
            "Kolonner merket ESTIMERT/SYNTETISK er ikke observerte tall (se Variabler)."
            if language == "nb"
            else "Columns marked ESTIMATED/SYNTHETIC are not observed figures (see Variables)."
        )
        ws["A3"].font = Font(bold=True, color=_RED)
    table = _panel_table(panel.variables)
    d = panel.data
    keys = [c.key for c in table.columns]
    rows = []
    for rec in d[[k for k in keys]].itertuples(index=False):
        rows.append([None if (isinstance(v, float) and math.isnan(v)) else _py(v) for v in rec])
    lay = write_table(ws, table, rows, language, validate=False)
    n_key = len(R.PANEL.columns)
    for j, (v, mark) in enumerate(zip(panel.variables, marks, strict=True)):
        col = lay.first_col + n_key + j
        if mark:
            c = ws.cell(row=lay.header_row - 1, column=col, value=mark)
            c.font = Font(bold=True, color=_RED, size=9)
            c.alignment = Alignment(horizontal="center")
        note = v.note_nb if language == "nb" else v.note_en
        text = f"{v.label(language)}" + (f" [{v.unit_nb if language == 'nb' else v.unit_en}]"
                                          if v.unit_nb else "") + (f"\n{note}" if note else "")  # fmt: skip
        cm = Comment(text[:900], "regbef_excel")
        cm.width, cm.height = 320, 160
        ws.cell(row=lay.header_row, column=col).comment = cm
    ws.freeze_panes = ws.cell(row=lay.first_row, column=lay.first_col + n_key)
    print_setup(ws, landscape=True, title_row=lay.header_row)
    return ws


def _py(v: object) -> object:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _write_variables_sheet(wb: Workbook, panel: PanelData, language: str) -> Worksheet:
    ws = new_sheet(wb, R.SHEETS["variables"], language)
    rows = []
    for v in panel.variables:
        unit = v.unit_nb if language == "nb" else v.unit_en
        note = v.note_nb if language == "nb" else v.note_en
        flag = R.MARK[language]["yes" if v.estimated else "no"]
        rows.append([v.key, v.label_nb, v.label_en, unit, v.source, flag, note])
    lay = write_table(ws, R.VARIABLES, rows, language, validate=False)
    yn = _list_validation(R.YES_NO, language, lay.span_range("estimated", absolute=False))
    ws.add_data_validation(yn)
    for i, v in enumerate(panel.variables):
        if v.estimated or panel.kind == "synthetic":
            c = ws.cell(row=lay.first_row + i, column=lay.col("estimated"))
            c.font = Font(bold=True, color=_RED)
        ws.cell(row=lay.first_row + i, column=lay.col("note")).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
    r = lay.last_row + 2
    ws.cell(row=r, column=1, value=panel.title(language)).style = styles.SUBTITLE
    for note in panel.notes(language):
        r += 1
        ws.cell(row=r, column=1, value=note).style = styles.NOTE
    ws.freeze_panes = "B6"
    print_setup(ws, landscape=True, title_row=lay.header_row)
    return ws


def _list_range(key: str, language: str) -> str:
    i = list(R.LISTS).index(key)
    col = get_column_letter(1 + 2 * i)
    n = len(R.LISTS[key].choices)
    return f"{quote_sheet(R.SHEETS['lists'].label(language))}!${col}$6:${col}${5 + n}"


def _list_validation(cl, language: str, sqref: str, prompt: str = "") -> DataValidation:
    dv = DataValidation(type="list", formula1=_list_range(cl.key, language), allow_blank=True,
                        showErrorMessage=True, errorTitle=cl.label(language)[:32],
                        error=cl.expected(language), showInputMessage=bool(prompt),
                        prompt=prompt[:255] or None, promptTitle=cl.label(language)[:32])  # fmt: skip
    dv.sqref = sqref  # type: ignore[assignment]
    return dv


def _write_lists(wb: Workbook, language: str) -> None:
    ws = new_sheet(wb, R.SHEETS["lists"], language)
    for i, cl in enumerate(R.LISTS.values()):
        col = 1 + 2 * i
        ws.cell(row=5, column=col, value=cl.label(language)).style = styles.HEADER
        for j, ch in enumerate(cl.choices):
            ws.cell(row=6 + j, column=col, value=ch.label(language)).style = styles.CALC
        letter = get_column_letter(col)
        xt = XlTable(displayName=cl.table, ref=f"{letter}5:{letter}{5 + len(cl.choices)}")
        xt.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=False)
        ws.add_table(xt)
        ws.column_dimensions[letter].width = 20
        ws.column_dimensions[get_column_letter(col + 1)].width = 3


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
    wb: Workbook, panel: PanelData, models: Sequence[ModelSpec], language: str
) -> Worksheet:
    ws = new_sheet(wb, R.SHEETS["models"], language)
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
    lay = write_table(ws, table, rows, language, validate=False)
    first = get_column_letter(lay.first_col + 2)
    last = get_column_letter(lay.first_col + 1 + max(R.MODEL_CAPACITY, len(models)))
    for i, s in enumerate(R.MODEL_SETTINGS):
        r = lay.first_row + i
        if s.validation is not None and s.validation.kind == "list":
            ws.add_data_validation(_list_validation(
                R.LISTS[s.validation.choices or ""], language, f"{first}{r}:{last}{r}", s.prompt(language)
            ))  # fmt: skip
        elif s.prompt(language):
            dv = DataValidation(showInputMessage=True, prompt=s.prompt(language)[:255],
                                promptTitle=s.label(language)[:32])  # fmt: skip
            dv.sqref = f"{first}{r}:{last}{r}"  # type: ignore[assignment]
            ws.add_data_validation(dv)
    r0 = lay.first_row + len(R.MODEL_SETTINGS)
    r1 = lay.last_row
    tick_prompt = ("x = variabelen er med i modellen; tom = ikke med" if language == "nb"
                   else "x = the variable is in the model; blank = not")  # fmt: skip
    dv = DataValidation(showInputMessage=True, prompt=tick_prompt, promptTitle="x")
    dv.sqref = f"{first}{r0}:{last}{r1}"  # type: ignore[assignment]
    ws.add_data_validation(dv)
    center = Alignment(horizontal="center")
    for r in range(lay.first_row, lay.last_row + 1):
        for c in range(lay.first_col + 2, lay.first_col + 2 + len(models)):
            ws.cell(row=r, column=c).alignment = center
    for i, v in enumerate(panel.variables):
        mark = _mark(v, panel.kind, language)
        if mark:
            c = ws.cell(row=r0 + i, column=lay.first_col + 1)
            c.value = f"{c.value} ({mark})"
    ws.freeze_panes = ws.cell(row=lay.first_row, column=lay.first_col + 2)
    ws.row_dimensions[lay.header_row].height = 45
    for c in range(lay.first_col + 2, lay.first_col + 2 + len(models)):
        ws.cell(row=lay.header_row, column=c).alignment = Alignment(
            wrap_text=True, horizontal="center", vertical="center"
        )
    print_setup(ws, landscape=True, title_row=lay.header_row)
    return ws


def _write_cover(ws: Worksheet, panel: PanelData, language: str, sheet_names: list[str],
                 run_lines: Sequence[str] = ()) -> None:  # fmt: skip
    t = R.COVER_TEXT[language]
    ws.title = R.SHEETS["cover"].label(language)
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = 3
    ws.column_dimensions["B"].width = 120
    ws["B1"] = str(t["title"])
    ws["B1"].style = styles.TITLE
    ws["B2"] = str(t["subtitle"])
    ws["B2"].style = styles.NOTE
    r = 4
    if panel.kind == "synthetic":
        c = ws.cell(row=r, column=2, value=(
            "SYNTETISKE DATA – sier ingenting om Norge" if language == "nb"
            else "SYNTHETIC DATA – says nothing about Norway"))  # fmt: skip
        c.font = Font(bold=True, size=14, color=_RED)
        r += 2

    def block(head: str, lines: Sequence[str], bullet: str = "• ", red: bool = False) -> None:
        nonlocal r
        ws.cell(row=r, column=2, value=head).style = styles.SUBTITLE
        r += 1
        for line in lines:
            c = ws.cell(row=r, column=2, value=f"{bullet}{line}")
            c.alignment = Alignment(wrap_text=True, vertical="top")
            if red:
                c.font = Font(color=_RED)
            ws.row_dimensions[r].height = 15 * max(1, math.ceil(len(line) / 125))
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
    ws.cell(row=r, column=2, value=str(t["toc_h"])).style = styles.SUBTITLE
    r += 1
    for name in sheet_names:
        c = ws.cell(row=r, column=2, value=name)
        c.hyperlink = Hyperlink(ref=c.coordinate, location=f"{quote_sheet(name)}!A1", display=name)
        c.style = styles.LINK
        r += 1
    r += 1
    ws.cell(row=r, column=2, value=f"regbef_excel {__version__}").style = styles.NOTE
    print_setup(ws, title_row=None)


def _input_sheets(wb: Workbook, panel: PanelData, models: Sequence[ModelSpec], language: str) -> Worksheet:
    styles.register_styles(wb)
    cover = wb.active
    _write_panel_sheet(wb, panel, language)
    _write_variables_sheet(wb, panel, language)
    _write_models_sheet(wb, panel, models, language)
    _write_lists(wb, language)
    return cover


def build_regression_workbook(
    panel: PanelData, models: Sequence[ModelSpec] | None = None, *, language: str = "nb"
) -> Workbook:
    """A ready-to-run regression workbook pre-filled with ``panel`` and ``models``.

    Parameters
    ----------
    panel
        The panel (e.g. :func:`~regbef_excel.data.panels.real_panel`).
    models
        Model columns; default :func:`default_models`.
    language
        ``"nb"`` (default) or ``"en"`` for sheet names, headers, prompts and lists.
    """
    language = check_language(language)
    models = list(models) if models is not None else default_models(panel)
    wb = Workbook()
    cover = _input_sheets(wb, panel, models, language)
    _write_cover(cover, panel, language, wb.sheetnames[1:])
    _properties(wb, panel, language)
    return wb


def _properties(wb: Workbook, panel: PanelData, language: str) -> None:
    wb.properties.title = str(R.COVER_TEXT[language]["title"])
    wb.properties.creator = f"regbef_excel {__version__}"
    wb.properties.keywords = f"REGBEF; regression; panel {panel.kind}"
    have = {p.name for p in wb.custom_doc_props}
    for name, value in (("REGBEF_regression_panel", panel.kind),
                        ("REGBEF_engine_version", __version__),
                        ("REGBEF_language", language)):  # fmt: skip
        if name not in have:
            wb.custom_doc_props.append(StringProperty(name=name, value=value))




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


def _safe_sheet_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "-", name).strip() or "Tabell"
    base = base[:28]
    cand, i = base, 2
    while cand.casefold() in {t.casefold() for t in taken}:
        cand = f"{base[:26]} {i}"
        i += 1
    taken.add(cand)
    return cand


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


def _write_regression_sheet(ws: Worksheet, name: str, outcomes: Sequence[ModelOutcome],
                            inp: RegressionInput, language: str) -> dict[str, tuple[int, int]]:  # fmt: skip
    """The thesis layout: numbers stay numbers; stars and parentheses come from number formats.

    Returns ``{f"{model}|{term}": (row, col)}`` of every coefficient cell (for tests/readers).
    """
    t = TABLE_TEXT[language]
    labels = _labels(inp, language)
    ws["A1"] = name
    ws["A1"].style = styles.TITLE
    ws["A2"] = (f"Avhengig variabel: {outcomes[0].spec.y}" if language == "nb"
                else f"Dependent variable: {outcomes[0].spec.y}")  # fmt: skip
    ws["A2"].style = styles.NOTE
    k = len(outcomes)
    r0 = 4
    center = Alignment(horizontal="center")
    right = Alignment(horizontal="right")
    top, bottom = Border(top=_RULE), Border(bottom=_RULE)
    ws.column_dimensions["A"].width = 26
    for j in range(k):
        ws.column_dimensions[get_column_letter(2 + j)].width = 13
    for j, o in enumerate(outcomes):
        c = ws.cell(row=r0, column=2 + j, value=f"({j + 1})")
        c.alignment, c.border = center, top
        c = ws.cell(row=r0 + 1, column=2 + j, value=t[o.spec.method])
        c.alignment = center
        c = ws.cell(row=r0 + 2, column=2 + j, value=o.spec.y)
        c.alignment, c.border = center, bottom
        c = ws.cell(row=r0 + 3, column=2 + j, value=o.spec.name)
        c.font = Font(italic=True, size=9, color="595959")
        c.alignment = center
    ws.cell(row=r0, column=1).border = top
    ws.cell(row=r0 + 2, column=1, value=t["variables"]).border = bottom
    ws.cell(row=r0 + 3, column=1, value="Modell" if language == "nb" else "Model").font = Font(
        italic=True, size=9, color="595959"
    )
    terms: list[str] = []
    for o in outcomes:
        for term in o.result.regressors:
            if term not in terms:
                terms.append(term)
    terms.append("const")
    where: dict[str, tuple[int, int]] = {}
    r = r0 + 4
    for term in terms:
        ws.cell(row=r, column=1, value=_term_label(term, language, labels))
        for j, o in enumerate(outcomes):
            res = o.result
            if term not in res.params.index:
                continue
            b, se, p = float(res.params[term]), float(res.bse[term]), float(res.pvalues[term])
            s = stars(p)
            c = ws.cell(row=r, column=2 + j, value=b)
            c.number_format = f'0.0000"{s}"' if s else "0.0000"
            c.alignment = right
            where[f"{o.spec.name}|{term}"] = (r, 2 + j)
            c = ws.cell(row=r + 1, column=2 + j, value=se)
            c.number_format = '"("0.0000")"'
            c.alignment = right
        r += 2
    for col in range(1, k + 2):
        ws.cell(row=r, column=col).border = top
    rows = [
        (t["year_dummies"], [t["yes"] if o.result.has_time_dummies else t["no"] for o in outcomes], None),
        (t["obs"], [o.result.nobs for o in outcomes], "#,##0"),
        (t["r2"], [o.result.rsquared for o in outcomes], "0.000"),
        (t["regions"], [o.result.n_entities for o in outcomes], "0"),
    ]  # fmt: skip
    for label, values, fmt in rows:
        ws.cell(row=r, column=1, value=label)
        for j, v in enumerate(values):
            c = ws.cell(row=r, column=2 + j, value=v)
            c.alignment = right
            if fmt:
                c.number_format = fmt
        r += 1
    for col in range(1, k + 2):
        ws.cell(row=r - 1, column=col).border = bottom
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
    for j, o in enumerate(outcomes):
        for n in o.notes:
            if "single year" in n:
                continue
            notes.append(f"({j + 1}) {o.spec.name}: {n}")
    for n in notes:
        c = ws.cell(row=r, column=1, value=n)
        c.font = Font(italic=True, size=9, color=_RED if ("SYNT" in n or "ESTIM" in n) else "404040")
        r += 1
    ws.freeze_panes = ws.cell(row=r0 + 4, column=2)
    print_setup(ws, landscape=k > 5, title_row=None)
    return where


def _write_descriptives(wb: Workbook, inp: RegressionInput, run: RegressionRun, language: str) -> None:
    ws = new_sheet(wb, R.OUTPUT_SHEETS["descriptives"], language)
    cols = []
    for o in run.outcomes:
        for f in [o.spec.y, *(f for t in o.spec.x for f in t.split(INTERACTION_SEPARATOR))]:
            if f not in cols:
                cols.append(f)
    order = [v.key for v in inp.variables]
    cols.sort(key=lambda c: order.index(c) if c in order else len(order))
    data = inp.data[cols].apply(pd.to_numeric, errors="coerce")
    tab = descriptive_table(data, cols, language=language)
    t = TABLE_TEXT[language]
    head = [t["variable"], t["desc_obs"], t["mean"], t["sd"], "Min", "Max",
            "Merknad" if language == "nb" else "Note"]  # fmt: skip
    marks = {v.key: _mark(v, inp.kind, language) for v in inp.variables}
    r0 = 4
    for j, h in enumerate(head):
        ws.cell(row=r0, column=1 + j, value=h).style = styles.HEADER
    labels = _labels(inp, language)
    for i, c in enumerate(cols):
        row = tab.numeric.loc[c]
        vals = [_term_label(c, language, labels), int(row["obs"]), row["mean"], row["sd"],
                row["min"], row["max"], marks.get(c, "")]  # fmt: skip
        for j, v in enumerate(vals):
            cell = ws.cell(row=r0 + 1 + i, column=1 + j,
                           value=None if isinstance(v, float) and math.isnan(v) else v)  # fmt: skip
            cell.style = styles.OUTPUT
            if j == 1:
                cell.number_format = "#,##0"
            elif 2 <= j <= 5:
                cell.number_format = "0.000"
            elif j == 6 and v:
                cell.font = Font(bold=True, color=_RED)
    r = r0 + len(cols) + 2
    for n in _data_notes(inp, run.outcomes, language):
        ws.cell(row=r, column=1, value=n).font = Font(italic=True, color=_RED)
        r += 1
    for j, w in enumerate((26, 8, 12, 12, 12, 12, 14)):
        ws.column_dimensions[get_column_letter(1 + j)].width = w
    print_setup(ws, title_row=None)


def _write_correlations(wb: Workbook, inp: RegressionInput, run: RegressionRun, language: str) -> None:
    ws = new_sheet(wb, R.OUTPUT_SHEETS["correlations"], language)
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
    ws.cell(row=r0, column=1, value=TABLE_TEXT[language]["variables"].capitalize()
            ).style = styles.HEADER  # fmt: skip
    for j in range(len(cols)):
        c = ws.cell(row=r0, column=2 + j, value=f"({j + 1})")
        c.style = styles.HEADER
        c.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(2 + j)].width = 8
    for i, c in enumerate(cols):
        ws.cell(row=r0 + 1 + i, column=1, value=f"({i + 1}) {_term_label(c, language, labels)}")
        for j in range(i + 1):
            cell = ws.cell(row=r0 + 1 + i, column=2 + j, value=float(corr.iloc[i, j]))
            cell.number_format = "0.000"
    ws.column_dimensions["A"].width = 30
    r = r0 + len(cols) + 2
    ws.cell(row=r, column=1, value=(f"N = {len(frame):,} (rader komplette i alle variablene)"
                                    if language == "nb" else
                                    f"N = {len(frame):,} (rows complete in every variable)"))  # fmt: skip
    for n in _data_notes(inp, run.outcomes, language):
        r += 1
        ws.cell(row=r, column=1, value=n).font = Font(italic=True, color=_RED)
    print_setup(ws, landscape=len(cols) > 9, title_row=None)


def _fmt_list(values: Sequence[object]) -> str:
    return ", ".join(str(v) for v in values)


def _write_diagnostics(wb: Workbook, run: RegressionRun, language: str) -> None:
    ws = new_sheet(wb, R.OUTPUT_SHEETS["diagnostics"], language)
    t = TABLE_TEXT[language]
    rows = []
    for o in run.outcomes:
        res = o.result
        rows.append([
            o.spec.name, o.spec.table, t[o.spec.method], res.nobs, res.n_missing_dropped,
            o.bp.stat, o.bp.pvalue, o.reset.stat, f"{o.reset.df_num}, {o.reset.df_den}",
            o.reset.pvalue,
            o.mundlak.stat if o.mundlak is not None else None,
            o.mundlak.pvalue if o.mundlak is not None else None,
            "; ".join(o.notes) or None,
        ])  # fmt: skip
    lay = write_table(ws, R.DIAGNOSTICS, rows, language, validate=False)
    wrap = Alignment(wrap_text=True, vertical="top")
    for i in range(len(rows)):
        ws.cell(row=lay.first_row + i, column=lay.col("notes")).alignment = wrap
    r = 6 + len(rows)
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
        ws.cell(row=r, column=1, value=line).style = styles.NOTE
        r += 1
    ws.freeze_panes = "B6"
    print_setup(ws, landscape=True, title_row=5)


def _write_marginal(wb: Workbook, run: RegressionRun, language: str) -> None:
    ws = new_sheet(wb, R.OUTPUT_SHEETS["marginal"], language)
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
    lay = write_table(ws, R.MARGINAL, rows, language, validate=False)
    r = lay.last_row + 2
    note = ("Korrekt: effekt = β(variabel) + δ(samspill) × nivå av moderatoren, med SE fra hele "
            "kovariansmatrisen (Stata lincom). For 0/1-moderatorer (by) vises 0 = utenfor by, "
            "1 = by." if language == "nb" else
            "Correct: effect = β(variable) + δ(interaction) × level of the moderator, SE from the "
            "full covariance matrix (Stata lincom). For 0/1 moderators (by): 0 = outside, "
            "1 = city region.")  # fmt: skip
    ws.cell(row=r, column=1, value=note).style = styles.NOTE
    if repro:
        r += 2
        head = ("KUN GJENGIVELSE av masteroppgavens regnestykke (FEIL: koeffisienten til "
                "moderatoren er satt inn i stedet for et nivå av den)" if language == "nb" else
                "REPRODUCTION ONLY of the thesis' arithmetic (WRONG: the moderator's coefficient "
                "is plugged in instead of a level of the moderator)")  # fmt: skip
        c = ws.cell(row=r, column=1, value=head)
        c.font = Font(bold=True, color=_RED)
        r += 1
        hdr = (["Modell", "Variabel", "Moderator", "β(moderator) brukt som nivå",
                "β + δ·β(moderator) (feil)"] if language == "nb" else
               ["Model", "Variable", "Moderator", "β(moderator) used as level",
                "β + δ·β(moderator) (wrong)"])  # fmt: skip
        for j, h in enumerate(hdr):
            ws.cell(row=r, column=1 + j, value=h).style = styles.HEADER
        ws.row_dimensions[r].height = 45
        for row in repro:
            r += 1
            for j, v in enumerate(row):
                c = ws.cell(row=r, column=1 + j, value=v)
                if j >= 3:
                    c.number_format = "0.0000"
                c.font = Font(italic=True, color="7F7F7F")
    ws.freeze_panes = "B6"
    print_setup(ws, landscape=True, title_row=5)


def _write_coefficients(wb: Workbook, run: RegressionRun, language: str) -> None:
    ws = new_sheet(wb, R.OUTPUT_SHEETS["coefficients"], language)
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
    write_table(ws, R.COEFFICIENTS, rows, language, validate=False)
    ws.freeze_panes = "E6"
    print_setup(ws, landscape=True, title_row=5)


def _write_plot(wb: Workbook, run: RegressionRun, inp: RegressionInput, language: str) -> None:
    ws = new_sheet(wb, R.OUTPUT_SHEETS["plot"], language)
    labels = _labels(inp, language)
    r = 4
    blocks = 0
    ws.column_dimensions["A"].width = 24
    for j in range(2, 8):
        ws.column_dimensions[get_column_letter(j)].width = 12
    for table, outcomes in run.by_table().items():
        shown = outcomes if len(outcomes) <= 2 else [outcomes[-1]]
        terms = [tm for tm in shown[-1].result.regressors if INTERACTION_SEPARATOR not in tm]
        for o in shown[:-1]:
            for tm in o.result.regressors:
                if INTERACTION_SEPARATOR not in tm and tm not in terms:
                    terms.append(tm)
        ws.cell(row=r, column=1, value=table).style = styles.SUBTITLE
        hdr = ["Variabel" if language == "nb" else "Variable"]
        for o in shown:
            hdr += [f"{o.spec.name}: {'effekt' if language == 'nb' else 'effect'}",
                    f"{o.spec.name}: ± 95 %"]  # fmt: skip
        for j, h in enumerate(hdr):
            c = ws.cell(row=r + 1, column=1 + j, value=h)
            c.style = styles.HEADER
        ws.row_dimensions[r + 1].height = 30
        for i, term in enumerate(terms):
            ws.cell(row=r + 2 + i, column=1, value=_term_label(term, language, labels))
            for k, o in enumerate(shown):
                res = o.result
                if term not in res.params.index:
                    continue
                x = res.estimation_frame[term].to_numpy(dtype=float)
                sd = float(np.std(x, ddof=1))

                q = float(_st.t.ppf(0.975, res.df_resid))
                c = ws.cell(row=r + 2 + i, column=2 + 2 * k, value=float(res.params[term]) * sd)
                c.number_format = "0.000"
                c = ws.cell(row=r + 2 + i, column=3 + 2 * k, value=q * float(res.bse[term]) * sd)
                c.number_format = "0.000"
        n = len(terms)
        chart = BarChart()
        chart.type = "col"
        chart.title = f"{table}: " + ("effekt av +1 SD" if language == "nb" else "effect of +1 SD")
        chart.y_axis.title = ("per 1000 innbyggere" if language == "nb" else "per 1000 inhabitants")
        chart.y_axis.number_format = "0.0"
        chart.x_axis.tickLblPos = "low"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend = Legend()
        chart.legend.position = "b"
        chart.width, chart.height = 16.0, 8.5
        cats = Reference(ws, min_col=1, min_row=r + 2, max_row=r + 1 + n)
        palette = ("0072B2", "D55E00")
        for k in range(len(shown)):
            vals = Reference(ws, min_col=2 + 2 * k, min_row=r + 1, max_row=r + 1 + n)
            chart.add_data(vals, titles_from_data=True)
            s = chart.series[-1]
            s.graphicalProperties.solidFill = palette[k % 2]
            s.graphicalProperties.line.solidFill = palette[k % 2]
            letter = get_column_letter(3 + 2 * k)
            ref = f"{quote_sheet(ws.title)}!${letter}${r + 2}:${letter}${r + 1 + n}"
            s.errBars = ErrorBars(errBarType="both", errValType="cust", noEndCap=False,
                                  plus=NumDataSource(numRef=NumRef(f=ref)),
                                  minus=NumDataSource(numRef=NumRef(f=ref)))  # fmt: skip
        chart.set_categories(cats)
        ws.add_chart(chart, f"{get_column_letter(3 + 2 * len(shown) + 1)}{r}")
        r += max(n + 4, 19)
        blocks += 1
        if blocks % 2 == 0:
            ws.row_breaks.append(Break(id=r - 1))
    note = ("Søyle = koeffisient × standardavvik (estimeringsutvalget); strek = 95 % "
            "konfidensintervall (t-fordelingen modellen bruker). Samspill og årsdummyer vises ikke."
            if language == "nb" else
            "Bar = coefficient × standard deviation (estimation sample); whisker = 95 % confidence "
            "interval (the model's t distribution). Interactions and year dummies not shown.")  # fmt: skip
    ws.cell(row=3, column=1, value=note).style = styles.NOTE
    print_setup(ws, landscape=True, title_row=None)


def _write_run_log(wb: Workbook, run: RegressionRun, language: str, items: dict[str, object]) -> None:
    ws = new_sheet(wb, R.OUTPUT_SHEETS["run"], language)
    r = 4
    for k, v in items.items():
        ws.cell(row=r, column=1, value=k).font = Font(bold=True)
        ws.cell(row=r, column=2, value=v)
        r += 1
    r += 1
    ws.cell(row=r, column=1, value="Merknader per modell" if language == "nb"
            else "Notes per model").style = styles.SUBTITLE  # fmt: skip
    for w in run.warnings:
        r += 1
        ws.cell(row=r, column=1, value=w)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
    print_setup(ws, title_row=None)


def build_results_workbook(
    run: RegressionRun, *, language: str | None = None, run_items: dict[str, object] | None = None
) -> Workbook:
    """The output workbook: input sheets (re-runnable), then every output sheet."""
    language = check_language(language or run.input.language)
    inp = run.input
    panel = inp.panel()
    wb = Workbook()
    cover = _input_sheets(wb, panel, inp.models, language)
    items = dict(run_items or {})
    items.setdefault("regbef_excel", __version__)
    items.setdefault("Modeller" if language == "nb" else "Models", len(run.outcomes))
    items.setdefault("Sekunder (estimering)" if language == "nb" else "Seconds (estimation)",
                     round(run.seconds, 3))  # fmt: skip
    _write_run_log(wb, run, language, items)
    _write_descriptives(wb, inp, run, language)
    _write_correlations(wb, inp, run, language)
    taken = set(wb.sheetnames) | {s.label(language) for s in R.OUTPUT_SHEETS.values()}
    for table, outcomes in run.by_table().items():
        ws = wb.create_sheet(_safe_sheet_name(table, taken))
        _write_regression_sheet(ws, table, outcomes, inp, language)
    _write_diagnostics(wb, run, language)
    _write_marginal(wb, run, language)
    _write_coefficients(wb, run, language)
    _write_plot(wb, run, inp, language)
    lines = [f"{k}: {v}" for k, v in items.items()]
    _write_cover(cover, panel, language, wb.sheetnames[1:], lines)
    _properties(wb, panel, language)
    return wb


def write_regression_results(
    run: RegressionRun, path: str | Path, *, language: str | None = None,
    run_items: dict[str, object] | None = None,
) -> Path:  # fmt: skip
    """Write the output workbook to a NEW file (atomically)."""
    return save_workbook(build_results_workbook(run, language=language, run_items=run_items), path)




