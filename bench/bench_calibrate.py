"""Time the prediction-interval calibration and print its out-of-sample coverage.

Not a test. Runs what ``regbef-excel calibrate`` runs — back-tests of every county from every
base year 2007–2024 (information up to the base year only, boundary transfers adjusted),
the interval model, leave-one-county-out and later-base-year coverage — and prints the wall
time, the coverage table (municipal totals and age groups, pooled and by size class, at 5 and
10 years) and the detected series breaks.

Run::

    python bench/bench_calibrate.py                          # all counties, 2 processes
    python bench/bench_calibrate.py --exclude 03,46 --base-years 2012-2016 --jobs 1
    python bench/bench_calibrate.py -o regbef_excel/data/interval_calibration.csv   # ship it
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

# Run from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from regbef_excel.app.evaluation import calibrate_intervals  # noqa: E402

pd.set_option("display.width", 160)
pd.set_option("display.max_rows", 400)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", help="calibration CSV (default: a temporary file)")
    ap.add_argument("--exclude", default="", help="county codes left out, e.g. 03,46")
    ap.add_argument("--base-years", default=None, help="FROM-TO (default 2007-2024)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    years = None
    if args.base_years:
        a, _, b = args.base_years.partition("-")
        years = list(range(int(a), int(b or a) + 1))
    exclude = [c for c in args.exclude.split(",") if c]
    with tempfile.TemporaryDirectory() as tmp:
        out = args.output or os.path.join(tmp, "calibration.csv")
        rep = calibrate_intervals(out, exclude_counties=exclude, base_years=years, jobs=args.jobs)
        print(f"calibration: {len(rep.run.counties)} counties × {len(rep.run.base_years)} base years "
              f"({rep.run.base_years[0]}–{rep.run.base_years[-1]}), {len(rep.run.errors):,} errors, "
              f"{rep.seconds:.1f} s with {args.jobs} process(es)")  # fmt: skip
        c = rep.coverage
        print("\nOut-of-sample coverage (%, share of observed inside) and median half-width (% of "
              "the projection):")  # fmt: skip
        print(c.round(1).to_string(index=False))
        print("\nSeries breaks:")
        print(rep.breaks.to_string(index=False))
        if args.output:
            for p in rep.paths:
                print(f"wrote {p}")


if __name__ == "__main__":
    main()
