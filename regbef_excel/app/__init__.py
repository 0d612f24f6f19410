"""Use cases: the only API the front ends (cli, excel/, addin/) call.

projection (demo, run, validate, template, run log), regression (estimate a regression
workbook, its template, targets from the regressions), evaluation (scenario comparison,
back-test, SSB comparison), templates (distributable templates per municipality or county) and
the UDFs' projection cache (:mod:`regbef_excel.app.udf_cache`).
"""

from __future__ import annotations

from regbef_excel.app.evaluation import (
    backtest_county,
    compare_workbooks,
    refuse_input_as_output,
    ssb_compare_workbook,
    ssb_frame_for,
)
from regbef_excel.app.projection import (
    RunOutcome,
    demo_inputs,
    meta_from_generation,
    run_demo,
    run_log,
    run_workbook,
    validate_file,
    write_projection,
    write_template,
)
from regbef_excel.app.regression import (
    RegressionOutcome,
    regress_file,
    regression_targets,
    targets_frame_to_arrays,
    write_regression_template,
)
from regbef_excel.app.templates import write_templates

__all__ = [
    "RegressionOutcome",
    "RunOutcome",
    "backtest_county",
    "compare_workbooks",
    "demo_inputs",
    "meta_from_generation",
    "refuse_input_as_output",
    "regress_file",
    "regression_targets",
    "run_demo",
    "run_log",
    "run_workbook",
    "ssb_compare_workbook",
    "ssb_frame_for",
    "targets_frame_to_arrays",
    "validate_file",
    "write_projection",
    "write_regression_template",
    "write_template",
    "write_templates",
]
