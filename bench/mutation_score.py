"""Mutation score of the tests over the engine, the regression core and the workbook reader.

Runs mutmut (configured in ``setup.cfg``, section ``[mutmut]``) and summarises its verdicts per
module: killed, survived, no tests (no selected test executes the mutated function), timeout.

By default every module in scope is SAMPLED: every mutant whose number ends in 7 (a
systematic one-in-ten sample over every function; Wong & Mathur 1995 show that such samples
estimate the full score closely), reported with a 95 % Wilson interval. ``--full`` runs every
mutant (many hours on two cores).

Survivors are listed in ``mutants/survivors.txt`` for review; survivors judged equivalent (the
mutant computes the same thing, e.g. ``dtype=float`` removed where the input is already float)
are listed with a reason in ``bench/mutation_equivalent.txt`` and counted apart.

Usage::

    pip install -e ".[test,mutation]"
    python bench/mutation_score.py [--jobs 2] [--full] [--summary-only]

Not part of CI: the sampled run takes about an hour on two cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "bench" / "mutation_equivalent.txt"
SAMPLE_DIGIT = "7"

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          -11: "crashed", -9: "crashed", None: "not checked"}  # fmt: skip


def module_of(mutant: str) -> str:
    """'regbef_excel.engine.flows.x_outflows__mutmut_3' -> 'engine/flows.py'."""
    parts = mutant.split(".")
    return "/".join(parts[1:-1]) + ".py"


def counted(mutant: str, full: bool) -> bool:
    """Is this mutant in the run (every mutant of a full module, the sample elsewhere)?"""
    return full or mutant.endswith(SAMPLE_DIGIT)


def load_verdicts(mutants_dir: Path, full: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in sorted(mutants_dir.rglob("*.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for key, code in data.get("exit_code_by_key", {}).items():
            if counted(key, full):
                out[key] = STATUS.get(code, "suspicious")
    return out


def run_patterns(full: bool, modules: tuple[str, ...] = ()) -> list[str]:
    """mutmut name patterns: the chosen modules (default: all in scope), every mutant or the sample."""
    if full and not modules:
        return []
    tail = "*" if full else f"*{SAMPLE_DIGIT}"
    return [f"regbef_excel.{m}.{tail}" for m in (modules or SAMPLED_MODULES)]


#: The scope of setup.cfg's [mutmut] section, as module paths.
SAMPLED_MODULES = ("engine.ageing", "engine.fertility", "engine.mortality", "engine.flows", "engine.steering",
                   "engine.projection", "engine.allocation", "engine.generation", "engine.gravity",
                   "engine.housing", "engine.inputs", "engine.labour", "engine.migration", "engine.residual",
                   "engine.results", "regression.model", "regression.covariance", "io.cells", "io.rows",
                   "io.read.tables", "io.read.projection")  # fmt: skip


def load_equivalent() -> dict[str, str]:
    if not EQUIVALENT.exists():
        return {}
    out = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            out[name] = reason.strip()
    return out


def summarise(verdicts: dict[str, str], equivalent: dict[str, str], full_run: bool = False) -> str:
    by_module: dict[str, Counter] = defaultdict(Counter)
    for key, status in verdicts.items():
        if status == "survived" and key in equivalent:
            status = "equivalent"
        by_module[module_of(key)][status] += 1
    cols = ("killed", "survived", "equivalent", "no tests", "timeout")
    lines = ["| module | mutants run | " + " | ".join(cols) + " | killed / non-equivalent (95 % interval) |",
             "|---|---:|" + "---:|" * len(cols) + "---|"]
    for mod in sorted(by_module):
        lines.append(_row(mod, by_module[mod], cols, full_run))
    return "\n".join(lines)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
    return centre - half, centre + half


def _row(name: str, c: Counter, cols: tuple[str, ...], full_run: bool) -> str:
    n = sum(c.values())
    # Timeouts count as killed (the mutant hangs the model: a test notices); "no tests" count as
    # not killed: nothing would notice that mutant. Not-checked mutants (run interrupted) are left out.
    killed = c["killed"] + c["timeout"]
    relevant = n - c["equivalent"] - c["skipped"] - c["not checked"]
    score = f"{100 * killed / relevant:.1f} %" if relevant else "–"
    if relevant and not full_run:
        lo, hi = wilson(killed, relevant)
        score += f" ({100 * lo:.0f}–{100 * hi:.0f})"
    return f"| {name} | {n - c['not checked']} | " + " | ".join(str(c[k]) for k in cols) + f" | {score} |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2, help="parallel mutant runs (default 2)")
    ap.add_argument("--modules", nargs="+", default=(), metavar="MODULE",
                    help="only these modules, dotted below regbef_excel (e.g. engine.housing)")
    ap.add_argument("--summary-only", action="store_true", help="summarise the last run, do not run")
    ap.add_argument("--full", action="store_true", help="every mutant of every module (hours)")
    args = ap.parse_args(argv)
    mutmut = Path(sys.executable).with_name("mutmut")
    if not args.summary_only:
        t0 = time.perf_counter()
        res = subprocess.run([str(mutmut), "run", "--max-children", str(args.jobs), *run_patterns(args.full, tuple(args.modules))], cwd=ROOT,
                             capture_output=True, text=True, check=False)  # fmt: skip
        if res.returncode != 0 or "failed to collect stats" in res.stdout:
            print(res.stdout[-3000:], res.stderr[-3000:], sep="\n", file=sys.stderr)
            return 1
        print(f"mutmut run: {time.perf_counter() - t0:.0f} s with {args.jobs} jobs")
    verdicts = load_verdicts(ROOT / "mutants", args.full)
    if not verdicts:
        print("no mutmut results under mutants/ (run without --summary-only first)", file=sys.stderr)
        return 1
    equivalent = load_equivalent()
    survivors = sorted(k for k, s in verdicts.items() if s == "survived" and k not in equivalent)
    (ROOT / "mutants" / "survivors.txt").write_text("\n".join(survivors) + "\n", encoding="utf-8")
    print(summarise(verdicts, equivalent, args.full))
    print(f"\n{len(survivors)} non-equivalent survivors listed in mutants/survivors.txt "
          f"(show one: mutmut show NAME)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
