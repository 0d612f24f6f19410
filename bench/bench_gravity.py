"""Gravity balancing speed at national size: 357 × 357 doubly constrained and hybrid.

Run: python bench/bench_gravity.py
Synthetic zones on a 400 × 400 km square; exponential deterrence exp(−β d) with β = 0.03/km and
power deterrence d^−2; margins uniform 10–1000; hybrid with half the zones constrained taking 60 %
of the total. Reports best and median of repeated runs; then one labour-market step and one housing-market
step (ages 0–99) with the deterrence/S-curve matrices computed per call or once per run.
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np

from regbef_excel.engine.gravity import (
    doubly_constrained,
    exponential_deterrence,
    hybrid,
    power_deterrence,
)


def timed(fn, n: int = 7) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times))


def problem(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 400, (n, 2))
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, 3.0)  # intra-zone distance
    o = rng.uniform(10, 1000, n)
    dest = rng.uniform(10, 1000, n)
    dest *= o.sum() / dest.sum()
    con = rng.random(n) < 0.5
    dh = dest.copy()
    dh[con] *= 0.6 * o.sum() / dest[con].sum()
    w = rng.uniform(1, 10, n)
    return d, o, dest, dh, w, con


def main() -> None:
    for n in (50, 357):
        d, o, dest, dh, w, con = problem(n)
        for name, f in (("exponential β=0.03", exponential_deterrence(d, 0.03)),
                        ("power β=2", power_deterrence(d, 2.0))):
            doubly_constrained(o, dest, f)
            b1, m1 = timed(partial(doubly_constrained, o, dest, f))
            b2, m2 = timed(partial(hybrid, o, dh, w, f, con))
            print(f"{n:>4} zones, {name:<20} doubly constrained: best {1e3 * b1:7.2f} ms "
                  f"(median {1e3 * m1:7.2f});  hybrid ({con.sum()} constrained): best "
                  f"{1e3 * b2:7.2f} ms (median {1e3 * m2:7.2f})")


def market_steps(n: int) -> None:
    """Time one labour-market step and one housing-market step (inputs prepared beforehand)."""
    from regbef_excel.engine.gravity import deterrence
    from regbef_excel.engine.housing import HousingMarketParams, housing_market_step, need_rates
    from regbef_excel.engine.labour import (
        LabourMarketParams,
        LabourState,
        labour_geometry,
        labour_market_step,
    )

    rng = np.random.default_rng(2)
    d, *_ = problem(n)
    A1 = 100
    yrk_prev = rng.uniform(1000, 20000, n)
    yrk = yrk_prev * rng.uniform(0.98, 1.03, n)
    jobs_prev = yrk_prev * rng.uniform(0.8, 1.2, n)
    jobs = jobs_prev * rng.uniform(0.99, 1.05, n)
    prof = rng.uniform(0, 1, (2, A1))
    lp, state = LabourMarketParams(), LabourState.initial(n)
    labour = partial(labour_market_step, yrk_prev, yrk, jobs_prev, jobs, d, lp, state, profile=prof)

    siv = rng.dirichlet(np.ones(4), size=(2, 14)) * 0.95
    bol = np.tile([1.0, 1.0, 0.5, 0.5], (2, 14, 1))
    rate = need_rates(siv, bol)
    pop = rng.uniform(5, 80, (n, 2, A1))
    need = np.einsum("ksa,sa->k", pop, rate)
    housing = partial(
        housing_market_step, bolmas=need * rng.uniform(0.9, 1.1, n), bolbeh=need, riuf=pop * 0.03,
        riif=pop * 0.03, need_rate=rate, building_capacity=rng.uniform(0, 40, (n, 3)), distances=d,
        params=HousingMarketParams(), ebfamin=np.full(n, 2.0), ebratin=prof,
        bffam=np.array([2.5, 2.0, 1.6]), bfrat=rng.uniform(0, 1, (3, 2, A1)),
    )
    af, afland = labour_geometry(d, lp)
    bf = deterrence(d, "power", 2.0)
    for label, lab, hou in (
        ("geometry per call ", labour, housing),
        ("geometry once/run ", partial(labour, af=af, afland=afland), partial(housing, bf=bf)),
    ):
        lab(), hou()
        b1, m1 = timed(lab)
        b2, m2 = timed(hou)
        print(f"{n:>4} zones, {label}: labour_market_step best {1e3 * b1:6.2f} ms "
              f"(median {1e3 * m1:6.2f}); housing_market_step best {1e3 * b2:6.2f} ms "
              f"(median {1e3 * m2:6.2f})")


if __name__ == "__main__":
    main()
    for zones in (50, 357):
        market_steps(zones)
