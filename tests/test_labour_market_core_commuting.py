"""Core commuting KUP/KIP in the labour-market model (handbook §3.14.1.1.2): core out-commuters
KUP_k are taken off zone k's new labour supply and core in-commuters KIP_k off its new job
demand before the gravity model, TIL_k = max(kept supply change − KUP_k, 0) and
ETT_k = max(kept job change − KIP_k, 0).

When the core commuting exceeds every zone's new supply (demand), no zone of the region offers
(takes) a worker in the gravity model: the whole market runs through the external zone and the
commuting matrix's region rows (columns) are zero. Expected values are these hand-derived zeros.
"""

from __future__ import annotations

import numpy as np
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine.projection import project

K = 4


def _inputs(variant: int = 6):
    inp = add_labour_housing(synthetic_inputs(K, 2, seed=8), seed=8)
    inp.variant = variant
    return inp


def test_without_core_commuting_zones_commute_to_each_other():
    proj = project(_inputs())
    c = proj.matrices["commuting"][0]
    assert c[:K, :K].sum() > 1.0


def test_core_out_commuting_above_new_supply_leaves_no_supply_in_the_region():
    inp = _inputs()
    inp.labour.kup = np.full(K, 1e7)
    proj = project(inp)
    c = proj.matrices["commuting"][0]
    np.testing.assert_array_equal(c[:K, :], 0.0)  # no zone of the region supplies a worker
    assert c[K, :K].sum() > 0.0  # the jobs are filled from outside
    np.testing.assert_array_equal(proj.series["net_commuting"][0], 0.0)  # within the region


def test_core_in_commuting_above_new_jobs_leaves_no_demand_in_the_region():
    inp = _inputs()
    inp.labour.kip = np.full(K, 1e7)
    proj = project(inp)
    c = proj.matrices["commuting"][0]
    np.testing.assert_array_equal(c[:, :K], 0.0)  # no zone of the region takes a worker
    assert c[:K, K].sum() > 0.0  # the new workers commute out of the region
