"""What a Rogers–Castro fit reports besides its parameters (handbook §2.4, ROGEST;
docs/model.md "Migration profiles").

A noisy 11-parameter schedule fitted with uneven weights: the weighted R² is
1 − SSE / Σ w (r − r̄_w)² with the weighted mean r̄_w (worked out here from the fit's SSE), and
schedules that the batch did not converge are refined by the polish step when asked.
"""

from __future__ import annotations

import numpy as np
from support.synthetic import typical_rc_array

from regbef_excel.engine.inputs import N_AGES
from regbef_excel.engine.migration import fit_rogers_castro_many, rc_schedule

AGES = np.arange(N_AGES, dtype=float)


def _noisy(seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    clean = rc_schedule(typical_rc_array(), AGES)
    return clean * rng.uniform(0.8, 1.2, clean.shape)


def test_r2_uses_the_weighted_mean():
    """R² = 1 − SSE / Σ_x w_x (r_x − r̄_w)², r̄_w = Σ w r / Σ w (weights summing to far more
    than 1, so an unweighted or unnormalised mean would give another value)."""
    y = _noisy()
    w = np.linspace(1.0, 5.0, N_AGES)
    fit = fit_rogers_castro_many(AGES, y[None, :], 11, w[None, :])
    mean = (w * y).sum() / w.sum()
    sst = (w * (y - mean) ** 2).sum()
    sse = (w * (y - fit.fitted[0]) ** 2).sum()
    np.testing.assert_allclose(fit.sse[0], sse, rtol=1e-12)
    np.testing.assert_allclose(fit.r2[0], 1.0 - sse / sst, rtol=1e-12)
    assert 0.5 < fit.r2[0] < 1.0


def test_polish_refines_a_schedule_the_batch_left_unconverged():
    """With polish=True a schedule the batched solver did not converge (one iteration allowed)
    is refined by scipy's TRF with the same weights: flagged as polished, and its weighted SSE
    is below the unpolished one."""
    y = _noisy(11)[None, :]
    w = np.linspace(1.0, 3.0, N_AGES)[None, :]
    raw = fit_rogers_castro_many(AGES, y, 11, w, max_iter=1, race_iter=1)
    assert not raw.converged[0]
    fit = fit_rogers_castro_many(AGES, y, 11, w, max_iter=1, race_iter=1, polish=True)
    assert fit.polished[0]
    assert fit.converged[0]
    assert fit.sse[0] < raw.sse[0]
