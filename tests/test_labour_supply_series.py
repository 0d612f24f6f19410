"""Labour supply reported beside the projection (handbook §3.8; docs/model.md "Labour market"):
YRK_k[t] = Σ_{s,a} BEF[t, k, s, a] · YRKRAT[s, g(a)] · YR_t · YK_k, the base year with the first
projection year's YR_1 and YK_k. Expected values come from the loop-based reference model.
"""

from __future__ import annotations

import numpy as np
import pytest
from reference import model as ref
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine.projection import project


@pytest.mark.parametrize("variant", [1, 4])
def test_labour_supply_uses_region_and_zone_factors_every_year(variant):
    K, T = 3, 3
    inp = add_labour_housing(synthetic_inputs(K, T, seed=17), seed=17)
    inp.variant = variant
    lab = inp.labour
    lab.level_region = np.array([1.02, 0.97, 1.04])
    lab.level_zone = np.array([0.9, 1.05, 0.95])
    proj = project(inp)
    yrkrat = ref.labour_participation_by_age(lab.participation, lab.age_lower)
    yk = lab.level_zone.tolist()
    for t in range(T + 1):
        yr = float(lab.level_region[max(t - 1, 0)])
        expected = ref.labour_supply(ref.to_lists(proj.population[t]), yrkrat, yr, yk)
        np.testing.assert_allclose(proj.series["labour_supply"][t], expected, rtol=1e-12)


def test_a_shorter_region_factor_series_continues_with_its_last_value():
    # The engine accepts YR with fewer values than projection years: the last one continues.
    K, T = 3, 3
    inp = add_labour_housing(synthetic_inputs(K, T, seed=17), seed=17)
    lab = inp.labour
    lab.level_region = np.array([1.03])
    proj = project(inp)
    yrkrat = ref.labour_participation_by_age(lab.participation, lab.age_lower)
    for t in range(T + 1):
        expected = ref.labour_supply(ref.to_lists(proj.population[t]), yrkrat, 1.03, [1.0] * K)
        np.testing.assert_allclose(proj.series["labour_supply"][t], expected, rtol=1e-12)
