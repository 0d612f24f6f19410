"""Put known, realistic bugs back into a copy of the code one at a time; each must fail a test.

These are the bugs that once passed every test (a dropped region factor, a changed order of
computation, a swapped column, a reversed separator rule, a broken check formula, a UDF that
read one column for all). For each, the script copies the project to a temporary folder, makes
the one change there (the working tree is never touched), runs the tests that guard it and
reports which failed. Exit status 1 if any bug survives.

Usage::

    python bench/known_bugs.py [--all-tests]

``--all-tests`` runs the whole suite (minus LibreOffice-free-only filtering) per bug instead of
the guarding files: slower, same verdicts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Bug:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


BUGS = (
    Bug("region fertility factor FR dropped from births", "regbef_excel/engine/projection.py",
        "rates_t, inputs.fertility_level_region[t],", "rates_t, 1.0,",
        ("tests/test_reference_differential.py",)),
    Bug("region mortality factor DR dropped from deaths", "regbef_excel/engine/projection.py",
        "np.asarray(inputs.death_prob), inputs.mortality_level_region[t],", "np.asarray(inputs.death_prob), 1.0,",
        ("tests/test_reference_differential.py", "tests/test_demo_levels.py")),
    Bug("out-migration computed before deaths", "regbef_excel/engine/projection.py",
        "euf, iuf, cap = outflows(bef2, rate_euf, rate_iuf)", "euf, iuf, cap = outflows(bef1, rate_euf, rate_iuf)",
        ("tests/test_reference_differential.py", "tests/test_demo_levels.py")),
    Bug("Hadwiger evaluated at age a + 0.5", "regbef_excel/engine/fertility.py",
        "rates[FERTILE_AGES] = hadwiger(ages[FERTILE_AGES], a, b, c)",
        "rates[FERTILE_AGES] = hadwiger(ages[FERTILE_AGES] + 0.5, a, b, c)",
        ("tests/test_engine_core.py", "tests/test_reference_differential.py")),
    Bug("1/√π changed in the per-zone Hadwiger path", "regbef_excel/engine/fertility.py",
        "out[:, FERTILE_AGES] = (a / c) * (b / np.sqrt(np.pi))", "out[:, FERTILE_AGES] = (a / c) * (b / np.pi)",
        ("tests/test_engine_core.py", "tests/test_variants.py")),
    Bug("reader swaps the FR and DR columns of the year factors", "regbef_excel/io/read/projection.py",
        'fertility_level_region=ycol("FR")', 'fertility_level_region=ycol("DR")',
        ("tests/test_workbook_roundtrip.py",)),
    Bug("check C16's Excel formula broken", "regbef_excel/schema/checks.py",
        '''lambda r: f'COUNTIF({r("tblTargets", "year")},"<"&({r.setting("base_year")}+1))',''',
        '''lambda r: f'COUNTIF({r("tblTargets", "year")},">"&({r.setting("base_year")}+1))',''',
        ("tests/test_checks_parity.py",)),
    Bug("decimal/thousands separator rule reversed", "regbef_excel/io/cells.py",
        'if s.rfind(",") > s.rfind("."):', 'if s.rfind(",") < s.rfind("."):',
        ("tests/test_number_parsing.py",)),
    Bug("REGBEF_REGRESS reads the first x column for every x", "regbef_excel/excel/udfs.py",
        'data[name] = [to_float(r[j], "x", i + 1, allow_empty=True)',
        'data[name] = [to_float(r[0], "x", i + 1, allow_empty=True)',
        ("tests/test_udf_regress.py",)),
)  # fmt: skip


def copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".git", ".venv", "mutants", "__pycache__", ".hypothesis", "*.egg-info",
                                    ".pytest_cache", "dist", "build")  # fmt: skip
    shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)


def run_tests(tree: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    res = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    failed = [ln.split(" ")[1] for ln in res.stdout.splitlines() if ln.startswith("FAILED ")]
    return res.returncode, ", ".join(failed) or res.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all-tests", action="store_true", help="run the whole suite for every bug")
    args = ap.parse_args(argv)
    survivors = 0
    with tempfile.TemporaryDirectory(prefix="regbef-bugs-") as tmp:
        tree = Path(tmp) / "regbef"
        copy_project(tree)
        # the clean copy must pass the guarding tests, or a "caught" bug would prove nothing
        all_guards = tuple(sorted({t for b in BUGS for t in b.tests}))
        rc, msg = run_tests(tree, all_guards)
        if rc != 0:
            print(f"the unmodified copy fails its tests ({msg}): fix that first", file=sys.stderr)
            return 1
        for bug in BUGS:
            path = tree / bug.path
            original = path.read_text(encoding="utf-8")
            if original.count(bug.old) != 1:
                print(f"{bug.name}: the line to break was not found once in {bug.path}", file=sys.stderr)
                return 1
            path.write_text(original.replace(bug.old, bug.new), encoding="utf-8")
            t0 = time.perf_counter()
            rc, msg = run_tests(tree, ("tests/",) if args.all_tests else bug.tests)
            path.write_text(original, encoding="utf-8")
            caught = rc != 0
            survivors += not caught
            print(f"{'caught  ' if caught else 'SURVIVED'} {bug.name} ({time.perf_counter() - t0:.0f} s): {msg}")
    print(f"\n{len(BUGS) - survivors} of {len(BUGS)} known bugs caught")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
