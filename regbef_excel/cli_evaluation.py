"""Subcommands ``compare``, ``backtest`` and ``ssb-compare`` (issue 3, items 7–9).

Kept apart from :mod:`regbef_excel.cli` (which registers them with
:func:`add_evaluation_commands`) so the command modules of different features do not collide.
Errors follow the CLI's rules: an :class:`~regbef_excel.errors.InputError` becomes one line and
exit code 2; the input workbooks are never written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from regbef_excel import data
from regbef_excel.engine import project
from regbef_excel.errors import InputError, Location
from regbef_excel.evaluation.backtest import MODEL, NAIVE_CONSTANT, NAIVE_TREND, TOTAL, run_backtest
from regbef_excel.evaluation.scenarios import compare_scenarios
from regbef_excel.evaluation.ssb import compare_with_ssb, read_ssb_projection_csv, ssb_summary
from regbef_excel.files import same_file as _same_file
from regbef_excel.io.read.projection import read_workbook
from regbef_excel.io.write.evaluation import write_backtest, write_comparison, write_ssb_comparison

EXIT_OK = 0


def _not_an_input(output: str, *inputs: str) -> None:
    """Refuse to write over an input workbook."""
    for path in inputs:
        if _same_file(path, output):
            raise InputError("the output file must differ from the input files (inputs are never overwritten)",
                             location=Location(cell=str(output)))  # fmt: skip


def _fmt(x: float, spec: str = ",.0f") -> str:
    return "–" if x != x else format(x, spec).replace(",", " ")


def cmd_compare(args) -> int:
    """Run two input workbooks and write one scenario-comparison workbook."""
    _not_an_input(args.output, args.a, args.b)
    labels = tuple(args.labels) if args.labels else (Path(args.a).stem, Path(args.b).stem)
    ia, meta = read_workbook(args.a)
    ib, _ = read_workbook(args.b)
    comp = compare_scenarios(project(ia), project(ib), labels)  # type: ignore[arg-type]
    lang = args.language or getattr(meta, "language", None) or "nb"
    write_comparison(comp, args.output, language=lang)
    a, b = comp.labels
    print(f"{'kode':<6} {'sone':<20}{a[:12]:>13}{b[:12]:>13}{'diff':>10}{'%':>7}   ({comp.horizon})")
    for row in comp.in_year().itertuples(index=False):
        name = "Region" if row.zone_code == "" else str(row.zone_name)
        print(f"{row.zone_code:<6} {name[:20]:<20}{_fmt(row.a):>13}{_fmt(row.b):>13}"
              f"{_fmt(row.difference):>10}{_fmt(row.pct_difference, '.1f'):>7}")  # fmt: skip
    print(f"\nwrote {args.output}")
    return EXIT_OK


def cmd_backtest(args) -> int:
    """Project from an earlier base year with information up to then; compare with observed."""
    result = run_backtest(args.county, args.base_year, horizon_years=args.horizon)
    write_backtest(result, args.output, language=args.language or "nb")
    s = result.summary()
    s = s[(s["group"] == TOTAL) & (s["years_ahead"] > 0)]
    by = {m: s[s["method"] == m].set_index("year") for m in (MODEL, NAIVE_CONSTANT, NAIVE_TREND)}
    print(f"back-test {result.setup.region_name}, base 31 Dec {result.base_year}: "
          f"{len(result.zone_codes)} municipalities, total population")
    print(f"{'year':>6}{'ahead':>6}{'MAPE %':>9}{'bias %':>9}{'naive const':>13}{'naive trend':>13}{'region %':>10}")
    for y, row in by[MODEL].iterrows():
        print(f"{y:>6}{row.years_ahead:>6}{row.mape:>9.2f}{row.mean_pct_error:>9.2f}"
              f"{by[NAIVE_CONSTANT].loc[y, 'mape']:>13.2f}{by[NAIVE_TREND].loc[y, 'mape']:>13.2f}"
              f"{row.region_pct_error:>10.2f}")  # fmt: skip
    for w in result.warnings[:5]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"\nwrote {args.output}")
    return EXIT_OK


def ssb_frame_for(zone_codes, csv_path: str | None, source_name: str):
    """SSB projection frame: the user's CSV, or the shipped Telemark tables for 40xx zones."""
    if csv_path:
        return read_ssb_projection_csv(csv_path)
    if all(len(str(c)) == 4 and str(c).startswith("40") for c in zone_codes):
        return data.ssb_projection_telemark()
    raise InputError(
        "no SSB projection is shipped for these zones (only Telemark, 40xx)",
        location=Location(sheet=source_name), found=", ".join(list(zone_codes)[:4]),
        expected="--ssb FILE.csv: a CSV export of SSB table 14288 or 14746 for your municipalities",
    )  # fmt: skip


def cmd_ssb_compare(args) -> int:
    """Run a workbook and compare it with SSB's official municipal projection."""
    _not_an_input(args.output, args.input)
    inputs, meta = read_workbook(args.input)
    frame = ssb_frame_for(inputs.zone_codes, args.ssb, Path(args.input).name)
    comp = compare_with_ssb(project(inputs), frame, args.alternative)
    write_ssb_comparison(comp, args.output, language=args.language or getattr(meta, "language", None) or "nb")
    years = [y for y in (2030, 2040, 2050) if y in set(comp["year"])] or [int(comp["year"].max())]
    summ = ssb_summary(comp, years)
    print(f"REGBEF vs SSB {args.alternative} ({comp.attrs['vintage']}), population 1 Jan")
    print(f"{'kode':<6} {'kommune':<20}{'år':>6}{'REGBEF':>10}{'SSB':>10}{'diff %':>8}")
    for row in summ.itertuples(index=False):
        name = "Region" if row.zone_code == "" else str(row.zone_name)
        print(f"{row.zone_code:<6} {name[:20]:<20}{row.year:>6}{_fmt(row.ours):>10}{_fmt(row.ssb):>10}"
              f"{_fmt(row.pct_difference, '.1f'):>8}")  # fmt: skip
    print(f"\nwrote {args.output}")
    return EXIT_OK


def add_evaluation_commands(sub, common) -> None:
    """Register compare, backtest and ssb-compare on the CLI's subparsers."""
    p = common(sub.add_parser("compare", help="run two workbooks and write a scenario comparison",
                              description="Read and run two input workbooks (e.g. trend and a housing "
                              "programme) and write one workbook comparing them: population by zone, "
                              "age groups, components, differences B − A, with charts."))
    p.add_argument("a", help="scenario A (the reference) input workbook")
    p.add_argument("b", help="scenario B input workbook")
    p.add_argument("-o", "--output", required=True, help="comparison workbook to write (.xlsx)")
    p.add_argument("--labels", nargs=2, metavar=("A", "B"), help="scenario names (default: file names)")
    p.set_defaults(func=cmd_compare)

    p = common(sub.add_parser("backtest", help="project from an earlier year and compare with what happened",
                              description="Back-test REGBEF for a county: inputs from population stocks "
                              "up to the base year only, projection, errors against the observed population "
                              "per municipality and age group, with naive benchmarks."))
    p.add_argument("--county", required=True, help="county code in the shipped SSB data, e.g. 40 (Telemark)")
    p.add_argument("--base-year", type=int, required=True, help="base year (stock on 31 Dec), e.g. 2015")
    p.add_argument("--horizon", type=int, default=10, help="years projected (default 10)")
    p.add_argument("-o", "--output", required=True, help="back-test workbook to write (.xlsx)")
    p.set_defaults(func=cmd_backtest)

    p = common(sub.add_parser("ssb-compare", help="run a workbook and compare with SSB's projection",
                              description="Run a workbook and compare the result with Statistics Norway's "
                              "municipal projection (main alternative MMMM) by municipality and age group."))
    p.add_argument("input", help="the planner's workbook (never modified)")
    p.add_argument("--ssb", help="CSV export of SSB table 14288/14746 (default: the shipped Telemark tables)")
    p.add_argument("--alternative", default="MMMM", help="SSB alternative (default MMMM, the main one)")
    p.add_argument("-o", "--output", required=True, help="comparison workbook to write (.xlsx)")
    p.set_defaults(func=cmd_ssb_compare)


__all__ = ["add_evaluation_commands", "cmd_backtest", "cmd_compare", "cmd_ssb_compare"]
