"""Migration regressions with Stata's conventions (spec: migration-regression.md).

Public API (DESIGN.md): :func:`fit_panel`, :func:`breusch_pagan`, :func:`reset`; and
post-estimation (:func:`lincom`, :func:`marginal_effects`, :func:`predict_fe`,
:func:`mundlak_test`) and thesis-layout tables (:func:`descriptive_table`,
:func:`correlation_table`, :func:`regression_table`, :func:`nested_table`).
"""

from __future__ import annotations

from regbef_excel.regression.diagnostics import breusch_pagan, mundlak_test, reset
from regbef_excel.regression.model import fit_panel
from regbef_excel.regression.options import COV_TYPES, METHODS
from regbef_excel.regression.postestimation import lincom, marginal_effects, predict_fe
from regbef_excel.regression.results import (
    HettestResult,
    LincomResult,
    MundlakResult,
    PanelResult,
    ResetResult,
)
from regbef_excel.regression.tables import (
    Table,
    correlation_table,
    descriptive_table,
    nested_table,
    regression_table,
    variable_label,
)

__all__ = [
    "COV_TYPES",
    "METHODS",
    "HettestResult",
    "LincomResult",
    "MundlakResult",
    "PanelResult",
    "ResetResult",
    "Table",
    "breusch_pagan",
    "correlation_table",
    "descriptive_table",
    "fit_panel",
    "lincom",
    "marginal_effects",
    "mundlak_test",
    "nested_table",
    "predict_fe",
    "regression_table",
    "reset",
    "variable_label",
]
