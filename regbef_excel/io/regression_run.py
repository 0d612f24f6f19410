"""Estimating every model of a read regression workbook: fits, diagnostics and marginal
effects (:func:`run_regressions`); an error of the regression core is re-located on the
workbook's sheets. Nothing is written here (see :mod:`regbef_excel.io.write.regression`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regbef_excel.data.panels import REGION, YEAR
from regbef_excel.errors import InputError, Location
from regbef_excel.io.read.regression import ModelSpec, RegressionInput, sheet_rows_text
from regbef_excel.regression import (
    breusch_pagan,
    fit_panel,
    marginal_effects,
    mundlak_test,
    reset,
)
from regbef_excel.regression.options import INTERACTION_SEPARATOR
from regbef_excel.regression.results import PanelResult
from regbef_excel.schema import regression as R


@dataclass
class ModelOutcome:
    spec: ModelSpec
    result: PanelResult
    bp: object = None
    reset: object = None
    mundlak: object = None
    marginal: list[pd.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_rows: list[object] = field(default_factory=list)


@dataclass
class RegressionRun:
    """Everything estimated from one workbook, ready to write."""

    input: RegressionInput
    outcomes: list[ModelOutcome]
    seconds: float = 0.0

    def by_table(self) -> dict[str, list[ModelOutcome]]:
        out: dict[str, list[ModelOutcome]] = {}
        for o in self.outcomes:
            out.setdefault(o.spec.table, []).append(o)
        return out

    @property
    def warnings(self) -> list[str]:
        return [f"{o.spec.name}: {n}" for o in self.outcomes for n in o.notes]


def _wrap(exc: InputError, spec: ModelSpec, inp: RegressionInput) -> InputError:
    """Re-locate an error of the regression core on the workbook's sheets."""
    loc = exc.location
    lang = inp.language
    col = loc.column
    if col in inp.panel_columns or (col and INTERACTION_SEPARATOR in col):
        letter = inp.panel_columns.get(col or "")
        cell = f"{letter}{loc.row}" if letter and loc.row is not None else None
        new = Location(sheet=R.SHEETS["panel"].label(lang), table="tblPanel", cell=cell,
                       column=col, row=loc.row)  # fmt: skip
    else:
        new = Location(sheet=R.SHEETS["models"].label(lang), table="tblModels",
                       column=spec.name)  # fmt: skip
    return InputError(f"model '{spec.name}': {exc.message}", location=new, found=exc.found,
                      expected=exc.expected)  # fmt: skip


def _is_binary(values: np.ndarray) -> bool:
    u = np.unique(values[np.isfinite(values)])
    return u.size <= 2 and set(u.tolist()) <= {0.0, 1.0}


def run_regressions(inp: RegressionInput) -> RegressionRun:
    """Fit every model of ``inp`` with diagnostics and marginal effects (nothing is written)."""
    t0 = time.perf_counter()
    outcomes: list[ModelOutcome] = []
    for spec in inp.models:
        try:
            res = fit_panel(inp.data, spec.y, list(spec.x), REGION, YEAR, method=spec.method,
                            cov=spec.cov, time_dummies=spec.time_dummies)  # fmt: skip
        except InputError as exc:
            raise _wrap(exc, spec, inp) from None
        o = ModelOutcome(spec, res)
        if res.n_missing_dropped:
            used = [spec.y, *dict.fromkeys(f for t in spec.x for f in t.split(INTERACTION_SEPARATOR))]
            miss = inp.data[used].isna().any(axis=1)
            o.missing_rows = list(inp.data.index[miss.to_numpy()])
            detail = ", ".join(f"{k} {v}" for k, v in res.missing_by_column.items())
            o.notes.append(
                f"{res.n_missing_dropped} rows with missing values dropped (listwise; {detail}; "
                f"{sheet_rows_text(o.missing_rows)})"
            )
        if res.dropped:
            o.notes.append("omitted because of collinearity: " + ", ".join(res.dropped))
        o.notes.extend(res.warnings)
        o.bp = breusch_pagan(res)
        o.reset = reset(res)
        if res.method == "fe":
            try:
                o.mundlak = mundlak_test(res)
            except (InputError, np.linalg.LinAlgError) as exc:
                o.notes.append(f"Mundlak test not computed: {getattr(exc, 'message', exc)}")
        for term in spec.interactions:
            var, moderator = term.split(INTERACTION_SEPARATOR)[:2]
            frame = res.estimation_frame
            levels = frame[moderator].to_numpy(dtype=float)
            at = {"0": 0.0, "1": 1.0} if _is_binary(levels) else None
            try:
                me = marginal_effects(res, var, moderator, at=at)
            except InputError as exc:
                o.notes.append(f"marginal effect of {var} by {moderator} not computed: {exc.message}")
                continue
            me.attrs.update(variable=var, moderator=moderator, binary=at is not None)
            o.marginal.append(me)
        outcomes.append(o)
    return RegressionRun(inp, outcomes, time.perf_counter() - t0)
