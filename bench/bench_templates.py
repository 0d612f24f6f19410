"""Bench: templates for all 357 municipalities (`regbef-excel templates --all`; target <= 15 s).

Usage::

    python bench/bench_templates.py [--county 40] [--jobs N] [--per region] [--keep DIR]
                                    [--reference N]

Prints the total wall time, the time per workbook, and the split: generation (history by the
residual method + one batched ROGEST + metadata), planning (table rows) and writing (XlsxWriter:
cells, XML and zip), the last two summed over the worker processes, plus the wall time of
plan + write. Then, as a reference measured in the same run on the same machine load, openpyxl
loading and saving ``--reference`` of the written files (default 20) in this process: the ratio
of our writing time per workbook to openpyxl's load + save of the same workbook.
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
    p.add_argument("--reference", type=int, default=20,
                   help="files loaded and saved with openpyxl as the same-run reference (0: none)")
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
        print(f"total          {wall:7.2f} s   (target <= 15 s for 357)  "
              f"[+ import {t_import:.2f} s]")
        print(f"per workbook   {wall / n:7.3f} s   wall")
        print(f"generate       {s['generate']:7.2f} s   (history + batched ROGEST + metadata)")
        print(f"plan           {s['build']:7.2f} s   CPU, {s['build'] / n:.3f} s per workbook")
        print(f"write          {s['save']:7.2f} s   CPU, {s['save'] / n:.3f} s per workbook")
        print(f"plan + write   {s['write']:7.2f} s   wall with the pool")
        print(f"size           {size / 1e6:7.1f} MB  ({size / n / 1e3:.0f} kB per workbook)")
        if args.reference:
            ref = openpyxl_load_save(res.paths[: args.reference])
            ours = (s["build"] + s["save"]) / n
            print(f"reference      {ref:7.3f} s   openpyxl load + save per workbook "
                  f"({min(n, args.reference)} files); ours/reference = {ours / ref:.2f}")
        print("OK" if (n < 357 or wall <= 15) else "TARGET MISSED (15 s)")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def openpyxl_load_save(paths: list[Path]) -> float:
    """Seconds per workbook to load and save ``paths`` with openpyxl (serially, in memory)."""
    import io

    import openpyxl

    t0 = time.perf_counter()
    for p in paths:
        openpyxl.load_workbook(p).save(io.BytesIO())
    return (time.perf_counter() - t0) / len(paths)


if __name__ == "__main__":
    sys.exit(main())
