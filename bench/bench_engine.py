"""Engine speed at national size: 357 zones × 2 sexes × ages 0–99 × 30 years, variant 1.

Run: python bench/bench_engine.py   (target ≤ 0.3 s per projection, invariant checks on)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from regbef_excel.engine import project

# The synthetic inputs are test data (tests/support); run from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.synthetic import synthetic_inputs  # noqa: E402


def best_of(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times))


def main() -> None:
    for zones, years in ((17, 25), (50, 30), (357, 30)):
        inp = synthetic_inputs(zones, years, seed=1)
        project(inp)  # warm-up
        b, m = best_of(lambda inp=inp: project(inp))
        b2, m2 = best_of(lambda inp=inp: project(inp, validate=False, check_invariants=False))
        print(f"{zones:>4} zones × {years} years: best {b:.3f} s, median {m:.3f} s "
              f"(without validation/invariant checks: best {b2:.3f} s)")


if __name__ == "__main__":
    main()
