"""What one recalculation of ``=REGBEF_RUN(...)`` costs on the Telemark county workbook when the
inputs did NOT change (the projection comes from the cache): read + validate + hash of every
input table. This is the price a volatile REGBEF_RUN would pay on every recalculation of
anything in Excel; with the ``Inndata`` argument it is paid only when an input changes.

Measured in-process over an openpyxl workbook in memory (a lower bound: live Excel reads the
same cells through COM). Run: python bench/bench_udf_recalc.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from regbef_excel.app import write_template
from regbef_excel.app.udf_cache import ProjectionCache
from regbef_excel.excel.udfs import regbef_run
from regbef_excel.io.backend import InMemoryBackend


def main(repeat: int = 5) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "telemark.xlsx"
        write_template(path)
        wb = load_workbook(path)
    cells = sum(ws.max_row * ws.max_column for ws in wb.worksheets)
    tables = sum(len(ws.tables) for ws in wb.worksheets)
    cache = ProjectionCache()

    def backend() -> InMemoryBackend:
        return InMemoryBackend(wb, path.name)

    t0 = time.perf_counter()
    regbef_run("total", backend=backend, cache=cache)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        regbef_run("total", backend=backend, cache=cache)
        warm.append(time.perf_counter() - t0)
    print(f"Telemark workbook: {tables} tables, {cells} cells in used ranges")
    print(f"first call (read + validate + project): {cold * 1000:6.0f} ms")
    print(f"unchanged inputs (read + validate, cached projection): median {statistics.median(warm) * 1000:.0f} ms "
          f"(min {min(warm) * 1000:.0f}, max {max(warm) * 1000:.0f}) over {repeat} calls")


if __name__ == "__main__":
    main()
