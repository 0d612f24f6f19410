"""Benchmark ROGEST: batched fit_rogers_castro_many against a per-schedule scipy loop.

Not a test. Generates 357 zones × 2 sexes × 5 flows = 3570 realistic noisy migration schedules
(Poisson counts drawn from Rogers–Castro rates times a synthetic population at risk, fixed
seed), fits them with :func:`regbef_excel.engine.migration.fit_rogers_castro_many` and with a
plain loop of ``scipy.optimize.least_squares`` (same model, bounds, analytic Jacobian and the
first heuristic start, one start per schedule), and prints timings and fit quality.

Run::

    /work/venv/bin/python bench/bench_rogest.py [--loop-sample 600] [--n-params 11]

If ``--loop-sample`` is smaller than the number of schedules, the loop is timed on a random
subset and its total time extrapolated (printed as such).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

# Run from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from regbef_excel.engine.inputs import N_AGES, N_RC  # noqa: E402
from regbef_excel.engine.migration import (  # noqa: E402
    _FREE_INDEX,
    _data_scale,
    _model,
    _model_jac,
    _prepare,
    _starts,
    fit_rogers_castro_many,
    rc_bounds,
    rc_schedule,
)

N_ZONES, N_SEXES, N_FLOWS = 357, 2, 5


def realistic_schedules(seed: int = 20240601, n_zones: int = N_ZONES):
    """Noisy observed rates and populations at risk, shape (n_zones*2*5, 100).

    Zone populations are log-normal (median ~5 000, a few large towns, some zones of a few
    hundred people); the age structure is a smooth Norwegian-like profile. True schedules are
    11-parameter Rogers–Castro curves with parameters drawn around Rogers & Castro's (1981)
    typical values, scaled per flow to total rates of 0.5–4 % a year; observed counts are
    Poisson, observed rates = counts / population (unsmoothed, as ROGEST receives them).
    """
    rng = np.random.default_rng(seed)
    ages = np.arange(N_AGES, dtype=float)
    zone_pop = np.exp(rng.normal(np.log(5000.0), 1.1, n_zones)).clip(150, 700_000)
    shape = np.exp(-0.5 * ((ages - 40.0) / 28.0) ** 2) * (ages < 95) + 0.01 * (ages >= 95)
    shape /= shape.sum()
    n = n_zones * N_SEXES * N_FLOWS
    pop = np.repeat(zone_pop, N_SEXES * N_FLOWS)[:, None] * 0.5 * shape[None, :]
    pop = np.maximum(np.round(pop * rng.uniform(0.8, 1.2, pop.shape)), 1.0)
    p = np.zeros((n, N_RC))
    p[:, 0] = rng.uniform(0.01, 0.04, n)  # a1
    p[:, 1] = rng.uniform(0.07, 0.15, n)  # alpha1
    p[:, 2] = rng.uniform(0.04, 0.12, n)  # a2
    p[:, 3] = rng.uniform(0.08, 0.16, n)  # alpha2
    p[:, 4] = rng.uniform(17.0, 24.0, n)  # mu2
    p[:, 5] = rng.uniform(0.25, 0.6, n)  # lambda2
    p[:, 6] = rng.uniform(0.001, 0.004, n)  # c
    p[:, 7] = rng.uniform(0.0, 0.004, n) * (rng.random(n) < 0.7)  # a3 (often no peak)
    p[:, 8] = rng.uniform(0.3, 1.0, n)  # alpha3
    p[:, 9] = rng.uniform(60.0, 70.0, n)  # mu3
    p[:, 10] = rng.uniform(0.2, 0.8, n)  # lambda3
    level = np.tile(np.array([1.0, 0.6, 0.4, 0.8, 0.6]), n_zones * N_SEXES)
    truth = rc_schedule(p, ages) * level[:, None]
    counts = rng.poisson(truth * pop)
    return ages, counts / pop, pop, truth


def scipy_loop(ages, rates, weights, n_params, rows):
    """Per-schedule least_squares from the first heuristic start: sse and converged per row."""
    x, y, w = _prepare(ages, rates[rows], weights[rows], batch=True)
    free = _FREE_INDEX[n_params]
    scale = _data_scale(y, w)
    lo, hi = rc_bounds(scale)
    starts = _starts(x, y, w, scale, n_params)[:, 0]
    sse = np.empty(len(rows))
    conv = np.empty(len(rows), dtype=bool)
    for i in range(len(rows)):
        sw = np.sqrt(w[i])
        base = starts[i].copy()

        def res(theta, sw=sw, base=base, yi=y[i]):
            base[free] = theta
            return sw * (_model(base[None, :], x)[0] - yi)

        def jac(theta, sw=sw, base=base):
            base[free] = theta
            return sw[:, None] * _model_jac(base[None, :], x, free)[1][0].T

        r = least_squares(
            res, starts[i, free], jac=jac, bounds=(lo[i, free], hi[i, free]), method="trf",
            x_scale="jac",
        )  # fmt: skip
        sse[i] = 2.0 * r.cost
        conv[i] = r.status > 0
    return sse, conv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loop-sample", type=int, default=0, help="0 = loop over all schedules")
    ap.add_argument("--n-params", type=int, default=11)
    ap.add_argument("--weights", choices=("none", "population"), default="none")
    args = ap.parse_args()

    ages, rates, pop, truth = realistic_schedules()
    n = rates.shape[0]
    weights = pop if args.weights == "population" else np.ones_like(rates)
    print(f"{n} schedules x {rates.shape[1]} ages, n_params={args.n_params}, weights={args.weights}")

    fit_rogers_castro_many(ages, rates[:50], args.n_params, weights[:50])  # warm-up
    t0 = time.perf_counter()
    batch = fit_rogers_castro_many(ages, rates, args.n_params, weights)
    t_batch = time.perf_counter() - t0

    rng = np.random.default_rng(1)
    m = n if args.loop_sample <= 0 else min(args.loop_sample, n)
    rows = np.sort(rng.choice(n, m, replace=False)) if m < n else np.arange(n)
    t0 = time.perf_counter()
    sse_loop, conv_loop = scipy_loop(ages, rates, weights, args.n_params, rows)
    t_loop_part = time.perf_counter() - t0
    t_loop = t_loop_part * n / m

    ratio = batch.sse[rows] / np.where(sse_loop > 0, sse_loop, np.nan)
    print(f"time batch           : {t_batch:8.2f} s")
    extra = f" (timed on {m} schedules: {t_loop_part:.2f} s, extrapolated)" if m < n else ""
    print(f"time loop            : {t_loop:8.2f} s{extra}")
    print(f"speed ratio loop/batch: {t_loop / t_batch:7.1f}x")
    print(f"SSE ratio batch/loop : median {np.nanmedian(ratio):.4f}, mean {np.nanmean(ratio):.4f}, "
          f"p95 {np.nanpercentile(ratio, 95):.4f}, max {np.nanmax(ratio):.4f}, "
          f"share batch worse >1%: {np.mean(ratio > 1.01):.3f}, "
          f"share batch better >1%: {np.mean(ratio < 0.99):.3f}")
    print(f"converged            : batch {batch.converged.mean():.3f}, loop {conv_loop.mean():.3f}")
    print(f"polished by scipy    : {batch.polished.mean():.3f}")
    print(f"any param at bounds  : {batch.at_bounds.any(axis=1).mean():.3f}  "
          f"(a3 = 0: {batch.at_bounds[:, 7].mean():.3f}; excluding a3: "
          f"{np.delete(batch.at_bounds, 7, axis=1).any(axis=1).mean():.3f})")
    rmse_true = np.sqrt(np.mean((batch.fitted - truth) ** 2, axis=1))
    print(f"RMSE fitted vs true  : median {np.median(rmse_true):.2e}")


if __name__ == "__main__":
    main()
