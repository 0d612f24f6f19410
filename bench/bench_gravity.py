"""Gravity balancing speed at national size: 357 × 357 doubly constrained and hybrid (issue 3).

Run: python bench/bench_gravity.py
Synthetic zones on a 400 × 400 km square; exponential deterrence exp(−β d) with β = 0.03/km and
power deterrence d^−2; margins uniform 10–1000; hybrid with half the zones constrained taking 60 %
of the total. Reports best and median of repeated runs and the number of balancing iterations.
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


if __name__ == "__main__":
    main()
