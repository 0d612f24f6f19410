"""Thesis-size panel (85 regions × 24 years): a full table of 9 nested models, POLS and FE.

Run: ``python bench/bench_thesis_tables.py``. Uses the SYNTHETIC thesis-shaped panel. Times

* the 9 nested POLS and 9 nested FE fits (thesis tables 2–3) and their tables;
* the largest model: 12 regressors (the 9 base regressors, nledighet, by and
  arbeidsledighet × nledighet) + 23 year dummies, POLS and FE, with Breusch–Pagan, RESET and
  the Mundlak test;
* the workbook pipeline: template → read → 26 models → results workbook.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from regbef_excel.data.panels import synthetic_panel
from regbef_excel.io.read.regression import read_regression_workbook
from regbef_excel.io.regression_run import run_regressions
from regbef_excel.io.write.regression import write_regression_results, write_regression_workbook
from regbef_excel.regression import (
    breusch_pagan,
    fit_panel,
    mundlak_test,
    nested_table,
    regression_table,
    reset,
)

BASE = ["arbeidsledighet", "vakanser", "alder1", "kriminalitet", "utdanning", "innvandrere",
        "gifte", "kino", "nedbørS"]  # fmt: skip
BIG = [*BASE, "nledighet", "by", "arbeidsledighet:nledighet"]


def best(fn, repeat: int = 5) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    data = synthetic_panel().data
    print(f"SYNTHETIC thesis-shaped panel: {data['region'].nunique()} regions × "
          f"{data['year'].nunique()} years = {len(data):,} rows")  # fmt: skip

    def nine(method: str):
        return nested_table(data, "nettoinnflytting", BASE, "region", "year", method=method)

    for method in ("pooled", "fe"):
        b, m = best(lambda method=method: nine(method))
        print(f"  9 nested {method:<6} models + table: best {b * 1000:7.1f} ms, median {m * 1000:7.1f} ms")

    def big():
        out = []
        for method in ("pooled", "fe"):
            r = fit_panel(data, "nettoinnflytting", BIG, "region", "year", method=method)
            breusch_pagan(r)
            reset(r)
            if method == "fe":
                # The core's Mundlak test adds mean(nledighet), constant in a balanced panel,
                # and refuses it (reported to the lead); time the test on the base model.
                mundlak_test(fit_panel(data, "nettoinnflytting", BASE, "region", "year"))
            out.append(r)
        return regression_table(out)

    b, m = best(big)
    r = fit_panel(data, "nettoinnflytting", BIG, "region", "year", method="fe")
    print(f"  12 regressors + {len(r.time_dummy_names)} year dummies (kept; omitted: "
          f"{', '.join(r.dropped)}), POLS|FE + BP + RESET + Mundlak: best {b * 1000:7.1f} ms, "
          f"median {m * 1000:7.1f} ms")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.xlsx", Path(tmp) / "out.xlsx"
        t0 = time.perf_counter()
        write_regression_workbook(synthetic_panel(), src)
        t1 = time.perf_counter()
        inp = read_regression_workbook(src)
        t2 = time.perf_counter()
        run = run_regressions(inp)
        t3 = time.perf_counter()
        write_regression_results(run, out)
        t4 = time.perf_counter()
    print(f"  workbook: template {t1 - t0:.2f} s, read {t2 - t1:.2f} s, "
          f"{len(run.outcomes)} models with diagnostics {t3 - t2:.2f} s, write {t4 - t3:.2f} s")


if __name__ == "__main__":
    main()
