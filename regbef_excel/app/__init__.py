"""Use cases: the only API the front ends (cli, excel/, addin/) call."""

from __future__ import annotations

from regbef_excel.app.projection import (
    RunOutcome,
    demo_inputs,
    meta_from_generation,
    regression_targets,
    run_demo,
    run_log,
    run_workbook,
    targets_frame_to_arrays,
    validate_file,
    write_projection,
    write_template,
)

__all__ = [
    "RunOutcome",
    "demo_inputs",
    "meta_from_generation",
    "regression_targets",
    "run_demo",
    "run_log",
    "run_workbook",
    "targets_frame_to_arrays",
    "validate_file",
    "write_projection",
    "write_template",
]
