"""Input and output sheet names are disjoint in both languages, so a results workbook (or the
macro that copies result sheets into the planner's workbook) never replaces an input sheet."""

from __future__ import annotations

import pytest

from regbef_excel.schema import regression as reg
from regbef_excel.schema.inputs import INPUT_SHEETS
from regbef_excel.schema.outputs import all_output_sheets, output_sheet_names


@pytest.mark.parametrize("language", ["nb", "en"])
def test_projection_input_and_output_sheet_names_are_disjoint(language: str) -> None:
    inputs = {s.label(language) for s in INPUT_SHEETS}
    outputs = [s.name.get(language) for s in all_output_sheets()]
    assert len(outputs) == len(set(outputs)), "two output sheets share a name"
    assert not inputs & set(outputs), f"output sheets named like input sheets: {inputs & set(outputs)}"
    # the names the run writes are among them
    assert set(output_sheet_names(language).values()) <= set(outputs)
    # case-insensitive too: Excel treats sheet names without regard to case
    assert not {n.casefold() for n in inputs} & {n.casefold() for n in outputs}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_regression_input_and_output_sheet_names_are_disjoint(language: str) -> None:
    inputs = {s.label(language) for s in reg.SHEETS.values()}
    outputs = {s.label(language) for s in reg.OUTPUT_SHEETS.values()}
    assert not {n.casefold() for n in inputs} & {n.casefold() for n in outputs}
