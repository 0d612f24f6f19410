"""Bench: templates for all 357 municipalities (target <= 60 s).

Usage::

    python bench/bench_templates.py [--county 40] [--jobs N] [--per region] [--keep DIR]

Prints the total wall time, the time per workbook, and the split: generation (history by the
residual method + one batched ROGEST + metadata), building (openpyxl objects) and saving (XML
and zip), the last two summed over the worker processes, plus the wall time of build + save.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--county", default=None, help="one county instead of all of Norway")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: automatic)")
    p.add_argument("--per", choices=("municipality", "region"), default="municipality")
    p.add_argument("--language", choices=("nb", "en"), default="nb")
    p.add_argument("--keep", default=None, help="write into this folder and keep the files")
    args = p.parse_args(argv)

    t_import = time.perf_counter()
    from regbef_excel.app.templates import write_templates

    t_import = time.perf_counter() - t_import
    tmp = None if args.keep else Path(tempfile.mkdtemp(prefix="bench-templates-"))
    out = Path(args.keep) if args.keep else tmp / "out"
    try:
        t0 = time.perf_counter()
        res = write_templates(
            out,
            county=args.county,
            all_municipalities=args.county is None,
            per=args.per,
            language=args.language,
            jobs=args.jobs,
        )
        wall = time.perf_counter() - t0
        n = len(res.paths)
        size = sum(p.stat().st_size for p in res.paths)
        s = res.seconds
        print(f"templates: {n} workbooks ({args.per}), {os.cpu_count()} CPUs, "
              f"{res.jobs} worker process(es)")
        print(f"total          {wall:7.2f} s   (target <= 60 s for 357)  "
              f"[+ import {t_import:.2f} s]")
        print(f"per workbook   {wall / n:7.3f} s   wall")
        print(f"generate       {s['generate']:7.2f} s   (history + batched ROGEST + metadata)")
        print(f"build          {s['build']:7.2f} s   CPU, {s['build'] / n:.3f} s per workbook")
        print(f"save           {s['save']:7.2f} s   CPU, {s['save'] / n:.3f} s per workbook")
        print(f"build + save   {s['write']:7.2f} s   wall with the pool")
        print(f"size           {size / 1e6:7.1f} MB  ({size / n / 1e3:.0f} kB per workbook)")
        print("OK" if (n < 357 or wall <= 60) else "TARGET MISSED")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
