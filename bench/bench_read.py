"""Reading input workbooks: the fast reader (calamine) against openpyxl read-only, same run.

Two figures per workbook, each the median of ``--repeat`` runs, fast and openpyxl taking turns:
the cell values alone (every sheet, every cell, as the reader returns them) and read + validate
(``validate_workbook``: every table converted and checked, the checks sheet's counts). Workbooks:
the Telemark template (17 municipalities), the Telemark demo (inputs and results) and a national
synthetic workbook (357 zones), with and without the labour, housing and distance sheets.

Run: python bench/bench_read.py [--repeat 3] [--no-full]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from regbef_excel.app.projection import run_demo, write_template
from regbef_excel.io.fast_files import FastFileBackend
from regbef_excel.io.openpyxl_files import OpenpyxlBackend
from regbef_excel.io.read.projection import validate_workbook
from regbef_excel.io.write.template import build_workbook, save_workbook

# The synthetic inputs are test data (tests/support); run from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.synthetic import add_labour_housing, synthetic_inputs  # noqa: E402


def all_cells(backend_type: type) -> Callable[[Path], int]:
    """Read every cell of every sheet with one back-end; returns the number of cells."""

    def read(path: Path) -> int:
        with backend_type(path) as be:
            n = 0
            for sheet in be.sheet_names():
                rows = be.read_values(sheet, 1, 1, 400)
                n += sum(len(r) for r in rows)
            return n

    return read


def seconds(fn: Callable[[Path], object], path: Path) -> float:
    t0 = time.perf_counter()
    fn(path)
    return time.perf_counter() - t0


def compare(label: str, path: Path, repeat: int) -> None:
    for what, fast, slow in (
        ("cell values", all_cells(FastFileBackend), all_cells(OpenpyxlBackend)),
        ("read + validate", lambda p: validate_workbook(p, reader="fast"),
         lambda p: validate_workbook(p, reader="openpyxl")),
    ):  # fmt: skip
        warm = fast(path)  # warm-up (imports, caches); a workbook with problems would time errors
        assert not (what == "read + validate" and warm), f"{label}: not a valid workbook"
        tf, ts = [], []
        for _ in range(repeat):  # taking turns, so a load change hits both
            tf.append(seconds(fast, path))
            ts.append(seconds(slow, path))
        f, s = statistics.median(tf), statistics.median(ts)
        print(f"{label:<42} {what:<16} fast {f:6.2f} s   openpyxl {s:6.2f} s   ratio {f / s:5.2f}"
              f"   ({path.stat().st_size / 1e6:.1f} MB)", flush=True)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-full", action="store_true", help="skip the national workbook with all sheets")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        compare("Telemark template (17 zones)", write_template(tmp / "telemark.xlsx"), args.repeat)
        run_demo(tmp / "demo.xlsx")
        compare("Telemark demo (inputs + results)", tmp / "demo.xlsx", args.repeat)
        inp = synthetic_inputs(357, 25, seed=1)
        compare("national, 357 zones", save_workbook(build_workbook(inp), tmp / "national.xlsx"), args.repeat)
        if not args.no_full:
            add_labour_housing(inp, seed=1)
            compare("national, 357 zones + labour/housing/distances",
                    save_workbook(build_workbook(inp), tmp / "national_full.xlsx"), args.repeat)  # fmt: skip


if __name__ == "__main__":
    main()
