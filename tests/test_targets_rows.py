"""Target rows → Targets: one reading of tblTargets rows for the workbook reader and for the
targets computed from the migration regressions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.synthetic import synthetic_inputs

from regbef_excel.app.regression import targets_frame_to_arrays
from regbef_excel.engine.inputs import GROWTH, NET_MIGRATION, POPULATION, TARGET, TREND
from regbef_excel.errors import InputError
from regbef_excel.io.read.targets import targets_from_rows

ZONES = ("4001", "4003")


def test_rows_become_targets():
    rows = [
        (1, {"year": 2026, "zone_code": None, "steering": TARGET, "target_type": GROWTH, "value": 1.5}),
        (2, {"year": 2027, "zone_code": "4003", "steering": TARGET, "target_type": None, "value": -20}),
        (3, {"year": 2028, "zone_code": "4001", "steering": TREND, "target_type": POPULATION, "value": None}),
        (4, {"year": 2028, "zone_code": float("nan"), "steering": TARGET, "target_type": POPULATION, "value": 900}),
    ]
    tg, problems = targets_from_rows(rows, ZONES, 2025, 2028)
    assert problems == []
    assert tg.region_mode.tolist() == [TARGET, TREND, TARGET]
    assert tg.region_type.tolist() == [GROWTH, NET_MIGRATION, POPULATION]
    assert tg.region_value.tolist() == [1.5, 0.0, 900.0]
    assert tg.zone_mode[1].tolist() == [TREND, TARGET] and tg.zone_value[1, 1] == -20.0
    assert tg.zone_type[1, 1] == NET_MIGRATION  # empty type: net migration
    assert tg.zone_mode[2, 0] == TREND


def test_rows_that_cannot_be_targets():
    rows = [
        (7, {"year": 2025, "zone_code": "4001", "steering": TARGET, "value": 1}),
        (8, {"year": 2026, "zone_code": "9999", "steering": TARGET, "value": 1}),
        (9, {"year": 2026, "zone_code": "4001", "steering": TARGET, "value": None}),
        (10, {"year": 2027, "zone_code": "", "steering": TARGET, "target_type": POPULATION, "value": -1}),
    ]
    tg, problems = targets_from_rows(rows, ZONES, 2025, 2028)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (7, "year", "target year outside the projection"),
        (8, "zone_code", "target for an unknown zone"),
        (9, "value", "a target needs a value"),
        (10, "value", "a population target cannot be negative"),
    ]
    assert not tg.any_target


def test_regression_targets_frame_names_the_row():
    inputs = synthetic_inputs(2, 3, seed=1)
    frame = pd.DataFrame({"year": [inputs.base_year + 1, inputs.base_year + 9], "zone_code": [inputs.zone_codes[0]] * 2,
                          "steering": [TARGET] * 2, "target_type": [NET_MIGRATION] * 2, "value": [5.0, 6.0]})  # fmt: skip
    with pytest.raises(InputError) as exc:
        targets_frame_to_arrays(frame, inputs)
    assert exc.value.location.row == 2 and "outside the projection" in exc.value.message
    tg = targets_frame_to_arrays(frame.iloc[:1], inputs)
    np.testing.assert_array_equal(tg.zone_value[0], [5.0, 0.0])
