"""Guards and reports around the formulas: the ROGEST polish step for schedules the batch
did not converge, gravity and regression errors that carry what was found, and the wide
population table's row index.

Each test pins something a plausible slip would change silently (the polished parameters
dropped, a field missing from an error, a duplicated row label).
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from regbef_excel.engine import migration
from regbef_excel.engine.gravity import doubly_constrained, hybrid
from regbef_excel.engine.inputs import N_AGES
from regbef_excel.engine.labour import external_inmigration
from regbef_excel.engine.migration import fit_rogers_castro, fit_rogers_castro_many, rogers_castro
from regbef_excel.errors import ConvergenceError, InputError
from regbef_excel.regression import fit_panel

AGES = np.arange(N_AGES, dtype=float)
PLAUSIBLE_11 = dict(a1=0.02, alpha1=0.12, a2=0.05, alpha2=0.11, mu2=22.0, lambda2=0.35,
                    a3=0.002, alpha3=0.8, mu3=65.0, lambda3=0.5, c=0.004)  # fmt: skip


def test_polish_refines_schedules_the_batch_left_unconverged():
    # Two iterations are far too few for the batched Levenberg–Marquardt: with polish=True
    # every unconverged row is refined by scipy's TRF from where the batch stopped: clearly better
    # than the rough result, close to a full multi-start fit (a local optimum, not always it).
    rng = np.random.default_rng(11)
    truth = rogers_castro(AGES, PLAUSIBLE_11)
    rates = truth[None, :] * rng.uniform(0.97, 1.03, size=(3, N_AGES))
    rough = fit_rogers_castro_many(AGES, rates, 11, max_iter=2, race_iter=1)
    assert not rough.converged.all()
    polished = fit_rogers_castro_many(AGES, rates, 11, max_iter=2, race_iter=1, polish=True)
    assert np.array_equal(polished.polished, ~rough.converged)
    for i in np.flatnonzero(~rough.converged):
        single = fit_rogers_castro(AGES, rates[i], 11)
        assert polished.sse[i] < rough.sse[i] and polished.converged[i]
        assert polished.sse[i] <= 1.5 * single.sse


def test_gravity_non_convergence_reports_the_relative_error():
    rng = np.random.default_rng(5)
    f = rng.uniform(0.01, 1.0, size=(6, 6))
    o = rng.uniform(10, 100, size=6)
    d = rng.uniform(10, 100, size=6)
    d *= o.sum() / d.sum()
    with pytest.raises(ConvergenceError) as e:
        doubly_constrained(o, d, f, tol=1e-14, max_iter=1)
    m = re.search(r"largest row-sum error ([0-9.e+-]+), ([0-9.e+-]+) of the total", str(e.value))
    assert m, str(e.value)
    resid, share = float(m.group(1)), float(m.group(2))
    assert share == pytest.approx(resid / o.sum(), rel=1e-2)  # both printed to 3 significant digits


def test_gravity_input_errors_carry_what_was_found():
    with pytest.raises(InputError) as e:
        doubly_constrained(np.ones((2, 2)), np.ones(2), np.ones((2, 2)))
    assert e.value.found == (2, 2)


def test_regression_with_more_regressors_than_observations_says_so():
    df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "a": [1.0, 0.0, 2.0], "b": [3.0, 1.0, 1.0],
                       "c": [0.5, 2.0, 1.5], "id": [1, 2, 3], "t": [1, 1, 1]})  # fmt: skip
    with pytest.raises(InputError) as e:
        fit_panel(df, "y", ["a", "b", "c"], None, None, method="pooled", cov="classic", time_dummies=False)
    assert e.value.found == "N = 3, K = 4"


def test_an_unconverged_fit_says_so_in_its_repr():
    fit = fit_rogers_castro(AGES, rogers_castro(AGES, PLAUSIBLE_11), 11)
    assert "NOT converged" not in repr(fit) and "converged" in repr(fit)
    stalled = dataclasses.replace(fit, converged=False)
    assert "NOT converged" in repr(stalled)


def test_a_singular_step_is_solved_by_least_squares():
    # Batched LM falls back to one system per schedule when a normal matrix is singular; the
    # fallback returns the minimum-norm least-squares step, not an error.
    h = np.array([[1.0, 1.0], [1.0, 1.0]])
    b = np.array([2.0, 2.0])
    np.testing.assert_allclose(migration._solve_one(h, b), [1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(migration._solve_one(np.diag([2.0, 4.0]), b), [1.0, 0.5], rtol=1e-12)


def test_a_schedule_fitted_to_fewer_ages_than_parameters_says_it_is_not_identified():
    w = np.zeros(N_AGES)
    w[[20, 30, 40, 50, 60]] = 1.0  # five ages for eleven parameters
    fit = fit_rogers_castro(AGES, rogers_castro(AGES, PLAUSIBLE_11), 11, weights=w)
    assert fit.message.startswith("only 5 usable ages for 11 parameters: not identified; ")


def test_production_constrained_hybrid_leaves_unattractive_zones_empty():
    # No constrained destination: T_ij = O_i W_j f_ij / Σ_j W_j f_ij (handbook §3.12), and a
    # zone with zero attractiveness receives nothing.
    rng = np.random.default_rng(8)
    f = rng.uniform(0.1, 1.0, size=(4, 4))
    o = np.array([10.0, 0.0, 30.0, 5.0])
    w = np.array([1.0, 2.0, 0.0, 0.5])
    t = hybrid(o, np.zeros(4), w, f, np.zeros(4, dtype=bool))
    g = f * w[None, :]
    want = g * (o / g.sum(axis=1))[:, None]
    np.testing.assert_allclose(t, want, rtol=1e-13, atol=0)
    assert not t[:, 2].any()


def test_hybrid_names_a_constrained_zone_no_origin_reaches():
    f = np.ones((3, 3))
    f[:, 1] = 0.0  # nobody reaches zone 1, which demands 5
    with pytest.raises(InputError) as e:
        hybrid([10.0, 10.0, 10.0], [0.0, 5.0, 0.0], [1.0, 1.0, 1.0], f, [False, True, False])
    assert e.value.location.table == "gravity model: deterrence"
    assert e.value.location.row == 1


def test_labour_external_inmigration_sums_out_migration_by_sex_and_age():
    rng = np.random.default_rng(4)
    euf = rng.uniform(0, 3, size=(3, 2, N_AGES))
    yntfl = np.array([5.0, -400.0, 0.0])
    eif, short = external_inmigration(euf, yntfl, utfam=0.6, innfam=1.5)
    want = (euf.sum(axis=(1, 2)) / 0.6 + yntfl) * 1.5
    np.testing.assert_allclose(eif, np.maximum(want, 0), rtol=1e-13)
    np.testing.assert_allclose(short, np.where(want < 0, -want, 0), rtol=1e-13)
    same, _ = external_inmigration(euf.sum(axis=(1, 2)), yntfl, utfam=0.6, innfam=1.5)
    np.testing.assert_allclose(same, eif, rtol=1e-13)
