"""`regbef-excel run` of the Telemark template, whole process, against openpyxl load+save.

Builds the Telemark template (``regbef-excel template``), then runs, in the same session and
alternating, ``N`` times each:

* ``regbef-excel run telemark.xlsx -o out.xlsx`` as a new process (imports included);
* ``python -c "load_workbook(telemark.xlsx).save(copy.xlsx)"`` as a new process (imports
  included), the reference the speed target is stated against.

Reports the median CPU seconds (user + system of the child; the machine is shared, so CPU
time is steadier than wall time) and wall seconds of each, and the ratio run / load+save.

    python bench/bench_run_process.py [--repeat 5] [--python PATH] [--root REPO]

``--root`` runs another checkout's code (e.g. ``--root /work/main`` for the figure before a
change); the interpreter is the one running this script unless ``--python`` is given.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOAD_SAVE = "import sys; from openpyxl import load_workbook; load_workbook(sys.argv[1]).save(sys.argv[2])"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=args.root)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "telemark.xlsx"
        subprocess.run([args.python, "-m", "regbef_excel.cli", "template", str(src)], check=True, env=env,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        run = [args.python, "-m", "regbef_excel.cli", "run", str(src), "-o", str(Path(d) / "out.xlsx")]
        ref = [args.python, "-c", LOAD_SAVE, str(src), str(Path(d) / "copy.xlsx")]
        runs, refs = [], []
        for _ in range(args.repeat):
            runs.append(timed(run, env))
            refs.append(timed(ref, env))
    cpu_run, cpu_ref = statistics.median(c for c, _ in runs), statistics.median(c for c, _ in refs)
    wall_run, wall_ref = statistics.median(w for _, w in runs), statistics.median(w for _, w in refs)
    print(f"code: {args.root}")
    print(f"regbef-excel run (whole process)     CPU {cpu_run:5.2f} s   wall {wall_run:5.2f} s")
    print(f"openpyxl load+save (whole process)   CPU {cpu_ref:5.2f} s   wall {wall_ref:5.2f} s")
    print(f"ratio run / load+save                CPU {cpu_run / cpu_ref:5.2f}     wall {wall_run / wall_ref:5.2f}")


if __name__ == "__main__":
    main()
