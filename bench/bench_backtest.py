"""Back-test REGBEF (variant 1) on counties and print the errors, whatever they are.

Not a test. For each county: project from 31 Dec ``--base`` (SSB 1 January base+1) with only
the information of that date (stocks, national rates as of the base year; residual net
migration from stocks; see regbef_excel/evaluation/backtest.py for the two Telemark constants of the
method), ``--horizon`` years ahead, and compare with the observed SSB stocks. Prints per county
the municipal-total errors at the horizon (MAPE unweighted and population-weighted, mean
algebraic % error = bias, the county's own % error, the worst municipality), the same for the
two naive benchmarks, and the MAPE by service age group; then a line per county and a pooled
summary over all municipalities. Optionally the sensitivity to the level of the standard gross
out-migration schedule (``--sensitivity``).

Run::

    /work/venv/bin/python bench/bench_backtest.py                 # all 15 counties, 2015 -> 2025
    /work/venv/bin/python bench/bench_backtest.py --counties 40 15 --base 2015 --horizon 10
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

# Run from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from regbef_excel import data  # noqa: E402
from regbef_excel.evaluation import backtest as bt  # noqa: E402

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)


def _county_name(cc: str) -> str:
    m = data.municipalities()
    return str(m.loc[m["county_code"] == cc, "county_name"].iloc[0])


def _fmt(x: float) -> str:
    return f"{x:6.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", nargs="*", default=None, help="county codes (default: all 15)")
    ap.add_argument("--base", type=int, default=2015)
    ap.add_argument("--horizon", type=int, default=10)
    ap.add_argument("--estimation", type=int, default=5)
    ap.add_argument("--sensitivity", action="store_true",
                    help="also run Telemark with the standard out-migration schedule × 0.7 / 1.3")  # fmt: skip
    ap.add_argument("--quiet", action="store_true", help="only the one-line-per-county table")
    args = ap.parse_args()
    counties = args.counties or data.county_codes()
    year = args.base + args.horizon

    rows, pooled = [], []
    t_all = time.perf_counter()
    for cc in counties:
        t0 = time.perf_counter()
        r = bt.run_backtest(cc, args.base, args.horizon, args.estimation)
        dt = time.perf_counter() - t0
        last = min(year, int(r.observed_years[-1]))
        s_all = r.summary()
        s_all = s_all[(s_all["year"] == last) & (s_all["group"] == bt.TOTAL)].set_index("method")
        s = r.summary(exclude=r.suspect_zones)
        s = s[s["year"] == last]
        tot = s[s["group"] == bt.TOTAL].set_index("method")
        e = r.errors_by_municipality()
        pooled.append(e[e["year"] == last].assign(suspect=e["zone_code"].isin(r.suspect_zones)))
        rows.append(
            {
                "county": f"{cc} {_county_name(cc)}",
                "K": len(r.zone_codes),
                "sec": round(dt, 2),
                "excluded": " ".join(r.suspect_zones),
                "REGBEF_mape_all": s_all.loc[bt.MODEL, "mape"],
                **{f"{m}_mape": tot.loc[m, "mape"] for m in bt.METHODS},
                "REGBEF_mape_w": tot.loc[bt.MODEL, "mape_weighted"],
                "REGBEF_bias": tot.loc[bt.MODEL, "mean_pct_error"],
                "REGBEF_county": tot.loc[bt.MODEL, "region_pct_error"],
                "worst": f"{tot.loc[bt.MODEL, 'worst_zone']} ({tot.loc[bt.MODEL, 'max_ape']:.1f} %)",
            }
        )
        if args.quiet:
            continue
        print(f"\n=== {cc} {_county_name(cc)}: {len(r.zone_codes)} municipalities, base 31 Dec "
              f"{args.base}, estimation {r.setup.estimation[0]}–{r.setup.estimation[1]}, "
              f"errors at 31 Dec {last} ({dt:.2f} s) ===")  # fmt: skip
        for w in r.warnings:
            print("  warning:", w)
        if r.suspect_zones:
            print("  statistics below exclude", ", ".join(r.suspect_zones), "(series break)")
        cols = ["mape", "mape_weighted", "mean_pct_error", "median_ape", "max_ape",
                "region_pct_error", "worst_zone"]  # fmt: skip
        print("Municipal totals (%):")
        print(tot[cols].round(2).to_string())
        by_group = s[s["group"] != bt.TOTAL].pivot(index="group", columns="method", values="mape")
        bias = s[s["group"] != bt.TOTAL].pivot(index="group", columns="method",
                                                values="mean_pct_error")  # fmt: skip
        order = [g for g in bt.GROUPS if g != bt.TOTAL]
        table = pd.concat({"MAPE": by_group[list(bt.METHODS)], "bias": bias[list(bt.METHODS)]},
                          axis=1).loc[order]  # fmt: skip
        print("Age groups, MAPE and mean algebraic % error over municipalities:")
        print(table.round(1).to_string())
    total_time = time.perf_counter() - t_all

    print(f"\n=== Summary: base 31 Dec {args.base}, errors at 31 Dec {year} "
          f"(municipal totals, %) ===")  # fmt: skip
    df = pd.DataFrame(rows)
    print(df.round(2).to_string(index=False))
    allm_all = pd.concat(pooled, ignore_index=True)
    n_susp = allm_all.loc[allm_all["suspect"], "zone_code"].nunique()
    print(
        f"\nPooled, all {allm_all['zone_code'].nunique()} municipalities: REGBEF MAPE "
        f"{allm_all.loc[allm_all['method'] == bt.MODEL, 'abs_pct_error'].mean():.2f}"
    )
    allm = allm_all[~allm_all["suspect"]]
    print(
        f"Pooled over {allm['zone_code'].nunique()} municipalities ({n_susp} with a series "
        "break excluded):"
    )
    for m in bt.METHODS:
        g = allm[allm["method"] == m]
        mape = g["abs_pct_error"].mean()
        mape_w = 100 * g["error"].abs().sum() / g["observed"].sum()
        bias = g["pct_error"].mean()
        share = ""
        if m == bt.MODEL:
            naive = allm[allm["method"] == bt.NAIVE_CONSTANT].set_index("zone_code")
            trend = allm[allm["method"] == bt.NAIVE_TREND].set_index("zone_code")
            ape = g.set_index("zone_code")["abs_pct_error"]
            share = (f"; beats constant in {(ape < naive['abs_pct_error']).mean():.0%} and "
                     f"trend in {(ape < trend['abs_pct_error']).mean():.0%} of municipalities")  # fmt: skip
        print(f"  {m:15s} MAPE {_fmt(mape)}  weighted {_fmt(mape_w)}  bias {_fmt(bias)}{share}")
    print(f"\nTotal time {total_time:.1f} s for {len(counties)} counties")

    if args.sensitivity:
        print("\nSensitivity (Telemark): level of the standard gross out-migration schedule")
        std = bt.standard_out_rates()
        for scale in (0.7, 1.0, 1.3):
            r = bt.run_backtest("40", args.base, args.horizon, args.estimation,
                                standard_out=std * scale)  # fmt: skip
            s = r.summary()
            t = s[(s["method"] == bt.MODEL) & (s["group"] == bt.TOTAL)].iloc[-1]
            print(f"  × {scale:.1f}: MAPE {_fmt(t['mape'])}  weighted {_fmt(t['mape_weighted'])}"
                  f"  bias {_fmt(t['mean_pct_error'])}  county {_fmt(t['region_pct_error'])}")  # fmt: skip
        print(f"  ({np.round(std[[0, 20, 25, 40, 70]], 4)} at ages 0, 20, 25, 40, 70)")


if __name__ == "__main__":
    main()
