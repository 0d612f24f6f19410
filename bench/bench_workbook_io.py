"""Benchmark: writing the results workbook vs a plain openpyxl load + save of the same file.

Sizes: national (357 zones × 2 sexes × ages 0–99 × 30 years: 71 400 detail rows × 31 years) and
county (17 zones, Telemark-sized). For each: seconds for ``write_results`` (XlsxWriter, long
tables streamed), seconds for ``openpyxl.load_workbook`` + ``save`` of the file it wrote (the
same-run reference), file size.

Run::

    python bench/bench_workbook_io.py            # county + national
    python bench/bench_workbook_io.py --county   # county only (seconds)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from regbef_excel.engine import project
from regbef_excel.io.write.results import write_results

# The synthetic inputs are test data (tests/support); run from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.synthetic import synthetic_inputs  # noqa: E402


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench(n_zones: int, n_years: int, *, tmp: Path) -> None:
    p = project(synthetic_inputs(n_zones, n_years, seed=1))
    out = tmp / f"results-{n_zones}.xlsx"
    t_write = _timed(lambda: write_results(p, out))
    size = out.stat().st_size / 1e6
    n_cells = p.population[0].size * (n_years + 1 + 4)
    print(f"{n_zones} zones × {n_years} years ({p.population[0].size:,} detail rows, "
          f"~{n_cells / 1e6:.1f} M detail cells)")
    print(f"  write_results (streamed)          {t_write:7.2f} s   {size:6.1f} MB")
    loaded = {}
    t_load = _timed(lambda: loaded.setdefault("wb", load_workbook(out)))
    copy = tmp / f"copy-{n_zones}.xlsx"
    t_save = _timed(lambda: loaded["wb"].save(copy))
    print(f"  openpyxl load_workbook            {t_load:7.2f} s")
    print(f"  openpyxl save (of the loaded wb)  {t_save:7.2f} s   {copy.stat().st_size / 1e6:6.1f} MB")
    print(f"  load + save                       {t_load + t_save:7.2f} s   "
          f"(write_results is {(t_load + t_save) / t_write:.1f}× faster)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--county", action="store_true", help="county size only")
    ap.add_argument("--years", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench(17, 25, tmp=tmp)
        if not args.county:
            bench(357, args.years, tmp=tmp)


if __name__ == "__main__":
    main()
