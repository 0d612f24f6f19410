"""Choose the projection's fertility and elderly in-migration assumptions by their record.

Not a test. Back-tests every county from every base year 2007–2020 (information up to the base
year only, at most 10 years ahead) under each assumption set, prints the age-group MAPE (0, 1–5,
6–15, 16–19, 20–44, 45–66, 67–79, 80+ and the total) per county at 5 and 10 years for the
handbook's variant and each alternative, and the leave-one-county-out choice: for each county
the assumptions with the lowest mean age-group MAPE on the other 14 counties.

Run::

    python bench/bench_assumptions.py                    # all counties, 2 processes
    python bench/bench_assumptions.py --counties 40,46 --base-years 2010-2014 --jobs 1
    python bench/bench_assumptions.py --errors FILE.csv  # keep the error sums (re-use: --load)
    python bench/bench_assumptions.py --load FILE.csv --markdown --after "damped_trend(0.9), elderly counts"
    python bench/bench_assumptions.py --only-damping 0.85 --errors MORE.csv   # another φ
    python bench/bench_assumptions.py --load FILE.csv MORE.csv   # the tables of both runs
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

# Run from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from regbef_excel.evaluation import assumptions as ea  # noqa: E402
from regbef_excel.evaluation.backtest import Assumptions  # noqa: E402

pd.set_option("display.width", 200)
pd.set_option("display.max_rows", 500)
pd.set_option("display.max_columns", 30)

VARIANTS = (
    Assumptions(),
    Assumptions("last_year"),
    Assumptions("damped_trend", 0.8),
    Assumptions("damped_trend", 0.9),
    Assumptions("damped_trend", 0.95),
    Assumptions(elderly_inmigration="rates", elderly_ages=(67, 99)),
    Assumptions(elderly_inmigration="rates", elderly_ages=(67, 79)),
    Assumptions("damped_trend", 0.8, "rates", (67, 79)),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", default="", help="county codes, e.g. 40,46 (default all)")
    ap.add_argument(
        "--base-years", default="2007-2020", help="FROM-TO (default 2007-2020: 5 years observed)"
    )
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--errors", help="write the error sums to this CSV")
    ap.add_argument(
        "--load",
        nargs="+",
        help="read error sums written by --errors (one or more files) instead of back-testing",
    )
    ap.add_argument(
        "--markdown",
        action="store_true",
        help="print the README tables: MAPE before (handbook) / after (--after) per county",
    )
    ap.add_argument(
        "--after",
        default="damped_trend(0.8), elderly rates 67–79",
        help="assumption set of the 'after' column (a label printed by the run)",
    )
    ap.add_argument(
        "--only-damping", help="back-test only damped trends with these φ, e.g. 0.9,0.95"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.load:
        errors = pd.concat(
            [pd.read_csv(f, dtype={"county": str}) for f in args.load], ignore_index=True
        )
    else:
        years = None
        if args.base_years:
            a, _, b = args.base_years.partition("-")
            years = list(range(int(a), int(b or a) + 1))
        counties = [c for c in args.counties.split(",") if c] or None
        variants = VARIANTS
        if args.only_damping:
            variants = tuple(
                Assumptions("damped_trend", float(x)) for x in args.only_damping.split(",")
            )
        errors = ea.compare_assumptions(variants, counties, years, jobs=args.jobs)
        print(f"{errors['county'].nunique()} counties × {errors['base_year'].nunique()} base years × "
              f"{len(variants)} assumption sets: {time.perf_counter() - t0:.0f} s with {args.jobs} process(es)")  # fmt: skip
        if args.errors:
            errors.to_csv(args.errors, index=False)
    labels = list(dict.fromkeys(errors["assumptions"]))
    if args.markdown:
        markdown(errors, labels[0], args.after)
        return
    base = labels[0]
    t = ea.mape_table(errors)
    groups = list(ea.AGE_GROUPS)
    for h in ea.JUDGED_HORIZONS:
        print(f"\nMAPE (%) of municipalities by age group, {h} years ahead, mean over base years; "
              f"'{base}' → each alternative")  # fmt: skip
        w = t[t["horizon"] == h].pivot_table(
            index=["county", "assumptions"], columns="group", values="mape"
        )
        w = w[groups].reindex(labels, level=1)
        print(w.round(1).to_string())
        print(f"\nBias (mean % error), {h} years ahead, all counties:")
        b = t[(t["horizon"] == h) & (t["county"] == "All")].pivot_table(
            index="assumptions", columns="group", values="bias"
        )
        print(b[groups].reindex(labels).round(1).to_string())
    print("\nScore (mean age-group MAPE at 5 and 10 years), all counties:")
    print(ea.score(errors).round(3).to_string())
    print("\nLeave-one-county-out choice (lowest score on the other counties):")
    print(ea.leave_one_county_out(errors).round(2).to_string(index=False))


def markdown(errors: pd.DataFrame, before: str, after: str) -> None:
    """Per county and age group: MAPE before / after, 5 and 10 years ahead (README tables)."""
    t = ea.mape_table(errors)
    groups = [g for g in ea.AGE_GROUPS if g != "Total"] + ["Total"]
    names = {"All": "all 357"}
    for h in ea.JUDGED_HORIZONS:
        w = t[t["horizon"] == h].set_index(["assumptions", "county", "group"])["mape"]
        print(f"\nMAPE % {h} years ahead, before ({before}) / after ({after}):\n")
        print("| county | " + " | ".join(groups) + " |")
        print("|---|" + "---:|" * len(groups))
        counties = sorted(c for c in t["county"].unique() if c != "All") + ["All"]
        for c in counties:
            cells = [f"{w[(before, c, g)]:.1f} / {w[(after, c, g)]:.1f}" for g in groups]
            print(f"| {names.get(c, c)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
