"""Input workbook at national size: build + save, read (validated), vs openpyxl.

357 zones × 2 sexes × ages 0–99 (35 700 population rows, 3 570 Rogers–Castro rows, distances
357 × 357 with the market-model sheets) and 25 projection years. Compares our reader (openpyxl
read-only + cell validation into ProjectionInputs) with a plain openpyxl load + save of the same
file. Run: python bench/bench_input_workbook.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from regbef_excel.io.read.projection import read_workbook
from regbef_excel.io.write.template import build_workbook, save_workbook

# The synthetic inputs are test data (tests/support); run from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.synthetic import add_labour_housing, synthetic_inputs  # noqa: E402


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    for zones, extras in ((17, True), (357, False), (357, True)):
        inp = synthetic_inputs(zones, 25, seed=1)
        if extras:
            add_labour_housing(inp, seed=1)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "in.xlsx"
            wb, t_build = timed(lambda inp=inp: build_workbook(inp))
            _, t_save = timed(lambda wb=wb, path=path: save_workbook(wb, path))
            _, t_read = timed(lambda path=path: read_workbook(path))
            wb2, t_load = timed(lambda path=path: openpyxl.load_workbook(path))
            _, t_save2 = timed(lambda wb2=wb2, path=path: wb2.save(Path(d) / "copy.xlsx"))
            size = path.stat().st_size / 1e6
        label = f"{zones} zones" + (" + labour/housing/distances" if extras else "")
        print(f"{label:<40} build {t_build:5.2f} s  save {t_save:5.2f} s  read+validate {t_read:5.2f} s"
              f"  | openpyxl load {t_load:5.2f} s + save {t_save2:5.2f} s  ({size:.1f} MB)")


if __name__ == "__main__":
    main()
