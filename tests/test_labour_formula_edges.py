"""Edges of the labour-market formulas (handbook §3.14; docs/model.md "Labour market").

Hand-set three-zone inputs, values worked out in the test: the turnover adjustment of
§3.14.1.1.1 (the larger of TOV and the fall rate of jobs or workers, 0 for an empty zone, no
numpy warning), the split of the matched flows into moving and commuting off the diagonal
(§3.14.1.1.6), and the moving shares AFLAND the year's result reports.
"""

from __future__ import annotations

import warnings

import numpy as np

from regbef_excel.engine.labour import (
    LabourMarketParams,
    LabourState,
    adjusted_turnover,
    labour_geometry,
    labour_market_step,
)

K = 3
D = np.array([[5.0, 40.0, 90.0], [40.0, 5.0, 60.0], [90.0, 60.0, 5.0]])


def _step(yrk_prev, yrk, jobs_prev, jobs, params=None):
    params = params or LabourMarketParams(tov=0.10, kalmin=0.0)
    return labour_market_step(np.asarray(yrk_prev, dtype=float), np.asarray(yrk, dtype=float),
                              np.asarray(jobs_prev, dtype=float), np.asarray(jobs, dtype=float),
                              D, params, LabourState.initial(K))


def test_turnover_follows_falling_workers():
    """§3.14.1.1.1: where workers YRK fall faster than TOV the zone's turnover is the workers'
    fall rate (YRK^{t−1} − YRK)/YRK^{t−1}; jobs unchanged."""
    res = _step([1000.0, 800.0, 500.0], [700.0, 800.0, 500.0],
                [900.0, 700.0, 600.0], [900.0, 700.0, 600.0])
    np.testing.assert_allclose(res.tov, [0.30, 0.10, 0.10], rtol=0, atol=1e-15)


def test_turnover_follows_falling_jobs():
    """§3.14.1.1.1: the same with jobs ARBPL falling (25 %) and workers unchanged."""
    res = _step([1000.0, 800.0, 500.0], [1000.0, 800.0, 500.0],
                [900.0, 800.0, 600.0], [900.0, 600.0, 600.0])
    np.testing.assert_allclose(res.tov, [0.10, 0.25, 0.10], rtol=0, atol=1e-15)


def test_zone_without_jobs_last_year_has_fall_rate_zero_and_no_warning():
    """A zone with no jobs (workers) last year has fall rate 0: its turnover is TOV, computed
    without dividing by zero (no numpy warning reaches the planner's log)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tov = adjusted_turnover(0.1, [0.0, 0.0, 100.0], [50.0, 0.0, 100.0],
                                [0.0, 10.0, 100.0], [20.0, 10.0, 100.0])
    np.testing.assert_array_equal(tov, [0.1, 0.1, 0.1])


def test_local_work_is_neither_moving_nor_commuting():
    """§3.14.1.1.6: the matched flows TT_ii on the diagonal are local work; both the moving
    flows TT·AFLAND and the commuting flows TT·(1 − AFLAND) are zero there, and off the
    diagonal they add up to TT."""
    res = _step([1000.0, 800.0, 500.0], [1100.0, 850.0, 520.0],
                [900.0, 700.0, 600.0], [980.0, 760.0, 640.0])
    assert res.flows.shape == (K + 1, K + 1)
    assert np.trace(res.flows) > 0
    np.testing.assert_array_equal(np.diag(res.moving), 0.0)
    np.testing.assert_array_equal(np.diag(res.commuting), 0.0)
    off = ~np.eye(K + 1, dtype=bool)
    np.testing.assert_allclose((res.moving + res.commuting)[off], res.flows[off], rtol=1e-12)


def test_result_reports_the_moving_shares_used():
    """The year's result carries AFLAND over the zones and the external zone, the S-curve of
    the distances (:func:`labour_geometry`), and the moving flows are TT·AFLAND."""
    params = LabourMarketParams(tov=0.10, kalmin=0.0)
    res = _step([1000.0, 800.0, 500.0], [1100.0, 850.0, 520.0],
                [900.0, 700.0, 600.0], [980.0, 760.0, 640.0], params)
    _, afland = labour_geometry(D, params)
    assert res.afland is not None
    np.testing.assert_array_equal(res.afland, afland)
    off = ~np.eye(K + 1, dtype=bool)
    np.testing.assert_allclose(res.moving[off], (res.flows * afland)[off], rtol=1e-12)
