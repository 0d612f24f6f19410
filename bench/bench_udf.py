"""REGBEF_RUN's underlying call on the Telemark demo, cold and cached.

The UDF reads and validates the calling workbook on every call (that is how it notices changed
inputs) and projects only when the inputs' hash is new. Here the "calling workbook" is the
demo template file read through the openpyxl back-end (in Excel the xlwings back-end reads
the live book). Run: python bench/bench_udf.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from regbef_excel.app.projection import write_template
from regbef_excel.app.udf_cache import ProjectionCache
from regbef_excel.excel.udfs import regbef_run


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "telemark.xlsx"
        write_template(path)
        cache = ProjectionCache()
        for label in ("cold (read + validate + project)", "cached (read + validate, no projection)",
                      "cached, age groups", "cached, components"):
            kind = {"cached, age groups": "agegroups", "cached, components": "components"}.get(label, "total")
            t0 = time.perf_counter()
            out = regbef_run(kind, None, None, str(path), cache=cache)
            dt = time.perf_counter() - t0
            print(f"{label:<45} {dt * 1000:8.0f} ms  -> {len(out)} rows × {len(out[0])} columns")
        assert not str(out[0][0]).startswith("#REGBEF"), out[0][0]


if __name__ == "__main__":
    main()
