"""Rogers–Castro schedules in distribution mode (docs/model.md "Schedules (ROGFUNK, §3.15)"):
negative schedule values are clipped to 0 before a zone's schedule for both sexes is normalised
to sum 1 over sex × age. Expected profiles come from the loop-based reference model.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from reference import model as ref
from support.synthetic import synthetic_inputs

from regbef_excel.engine.flows import schedules
from regbef_excel.engine.inputs import RC_KEYS


@pytest.mark.parametrize("flow", ["EIFU", "EIFN", "IIF"])
def test_negative_schedule_values_are_clipped_before_normalising(flow):
    inp = synthetic_inputs(3, 2, seed=6)
    p = np.array(inp.rc_params[flow], dtype=float)
    p[1, :, RC_KEYS.index("c")] = -0.004  # zone 1: negative at the ages with little migration
    inp.rc_params[flow] = p
    raw = ref.rogers_castro(p[1, 0], 80.0)
    assert raw < 0  # the case is real
    sched = schedules(inp, [])
    expected = np.array([ref.distribution_profile(p[k].tolist()) for k in range(3)])
    np.testing.assert_allclose(sched.dist[flow], expected, rtol=1e-12, atol=1e-15)
    assert sched.dist[flow].min() >= 0.0
    assert sched.dist[flow][1, 0, 80] == 0.0


def test_all_zero_schedule_gets_a_flat_profile_and_a_warning_without_numpy_warnings():
    inp = synthetic_inputs(3, 2, seed=6)
    p = np.array(inp.rc_params["IIF"], dtype=float)
    p[1] = 0.0  # zone 1: every parameter zero, the schedule is 0 at every age
    for key in ("a1", "a2", "c", "a3"):  # zone 2: a tiny schedule (sum over sex × age < 1)
        p[2, :, RC_KEYS.index(key)] *= 1e-3
    inp.rc_params["IIF"] = p
    messages: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero behind the fallback
        sched = schedules(inp, messages)
    dist = sched.dist["IIF"]
    np.testing.assert_array_equal(dist[1], np.full((2, 100), 1.0 / 200))
    expected2 = np.array(ref.distribution_profile(p[2].tolist()))
    assert np.array(ref.rate_schedule(p[2, 0].tolist())).sum() < 1.0
    np.testing.assert_allclose(dist[2], expected2, rtol=1e-12)
    assert len(messages) == 1 and "IIF" in messages[0] and inp.zone_codes[1] in messages[0]
