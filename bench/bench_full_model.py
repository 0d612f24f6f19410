"""Full model speed: variant 5 (targets + labour market + housing market).

Run: python bench/bench_full_model.py    targets: national size (357 zones × 30 years) ≤ 1 s,
county size (≤ 50 zones) ≤ 0.1 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from regbef_excel.engine import project
from regbef_excel.engine.inputs import GROWTH, TARGET, Targets

# The synthetic inputs are test data (tests/support); run from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.synthetic import add_labour_housing, synthetic_inputs  # noqa: E402


def make(zones: int, years: int, variant: int):
    inp = add_labour_housing(synthetic_inputs(zones, years, seed=1), seed=1)
    inp.variant = variant
    tg = Targets.trend(years, zones)
    tg.region_mode[:] = TARGET
    tg.region_type[:], tg.region_value[:] = GROWTH, 0.5
    inp.targets = tg
    return inp


def main() -> None:
    for zones, years in ((17, 25), (50, 30), (357, 30)):
        for variant in (1, 5):
            inp = make(zones, years, variant)
            project(inp)
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                project(inp)
                times.append(time.perf_counter() - t0)
            print(f"{zones:>4} zones × {years} years, variant {variant}: best {min(times):.3f} s, "
                  f"median {float(np.median(times)):.3f} s")


if __name__ == "__main__":
    main()
