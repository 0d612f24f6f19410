"""Command line: ``regbef-excel demo | template | run | validate | regress | regress-template |
templates | addin | compare | backtest | ssb-compare``. Argument parsing and printing only: every
command calls a use case of :mod:`regbef_excel.app` (``addin`` calls :mod:`regbef_excel.addin`).
Each command imports its use case when it runs (``# heavy: per command``): they load pandas,
statsmodels and openpyxl, and ``--help`` or a mistyped argument should answer at once.

Errors a planner can fix print as one line (``regbef-excel: Befolkning!C14: …``) and exit 2;
unexpected failures print one line and exit 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from regbef_excel import __version__
from regbef_excel.data import DEFAULT_BASE_YEAR, DEFAULT_ESTIMATION_YEARS, DEFAULT_HORIZON
from regbef_excel.errors import InputError, RegbefError

EPILOG = """examples:
  regbef-excel demo                            Telemark demo -> regbef-demo.xlsx
  regbef-excel demo -o telemark.xlsx --language en
  regbef-excel template min-kommune.xlsx       pre-filled workbook (Telemark defaults)
  regbef-excel template tom.xlsx --empty       empty workbook with all tables
  regbef-excel validate min-kommune.xlsx       list every input problem, exit 2 if any
  regbef-excel run min-kommune.xlsx -o resultat.xlsx
  regbef-excel templates --county 40 --out maler   one ready workbook per municipality
  regbef-excel compare trend.xlsx boligprogram.xlsx -o sammenligning.xlsx
  regbef-excel backtest --county 40 --base-year 2015 -o tilbaketest.xlsx
  regbef-excel ssb-compare min-kommune.xlsx -o mot-ssb.xlsx
  regbef-excel regress-template regresjon.xlsx [--panel synthetic]
  regbef-excel regress regresjon.xlsx -o regresjon-resultat.xlsx
"""

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2


class Progress:
    """A one-line progress display on stderr for anything that takes more than a second."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.perf_counter()
        self.shown = False

    def __call__(self, what: str, fraction: float) -> None:
        if not self.enabled:
            return
        if time.perf_counter() - self.start < 1.0 and fraction < 1.0:
            return
        bar = "#" * int(20 * fraction)
        sys.stderr.write(f"\r[{bar:<20}] {what:<50}")
        sys.stderr.flush()
        self.shown = True
        if fraction >= 1.0:
            self.close()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            self.shown = False


def _print_summary(projection, stream=None) -> None:
    stream = stream or sys.stdout
    table = projection.summary()
    years = [c for c in table.columns if isinstance(c, int)]
    head = f"{'kode':<6} {'kommune':<20}" + "".join(f"{y:>10}" for y in years)
    print(head, file=stream)
    print("-" * len(head), file=stream)
    for row in table.itertuples(index=False):
        code, name, *vals = row
        print(f"{code:<6} {str(name)[:20]:<20}" + "".join(f"{v:>10,.0f}".replace(",", " ") for v in vals), file=stream)


def cmd_demo(args) -> int:
    from regbef_excel.app.projection import run_demo  # heavy: per command

    progress = Progress(not args.quiet)
    out = run_demo(args.output, language=args.language, progress=progress)
    progress.close()
    _print_summary(out.projection)
    t = out.seconds
    print(
        f"\nwrote {out.output_path} (generate {t.get('generate', 0):.1f} s, project {t.get('project', 0):.2f} s, "
        f"write {t.get('write', 0):.1f} s)"
    )
    for w in out.warnings[:5]:
        print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK


def cmd_template(args) -> int:
    from regbef_excel.app.projection import write_template  # heavy: per command

    path = write_template(args.output, empty=args.empty, language=args.language, include_history=args.with_history)
    print(f"wrote {path}")
    return EXIT_OK


def cmd_run(args) -> int:
    from regbef_excel.app.projection import run_workbook  # heavy: per command

    output = args.output or str(Path(args.input).with_name(Path(args.input).stem + "-resultat.xlsx"))
    progress = Progress(not args.quiet)
    out = run_workbook(args.input, output, language=args.language, progress=progress)
    progress.close()
    _print_summary(out.projection)
    print(f"\nwrote {out.output_path}")
    for w in out.warnings[:10]:
        print(f"warning: {w}", file=sys.stderr)
    if len(out.warnings) > 10:
        print(f"warning: … and {len(out.warnings) - 10} more (see the run log sheet)", file=sys.stderr)
    return EXIT_OK


def cmd_validate(args) -> int:
    from regbef_excel.app.projection import validate_file  # heavy: per command

    problems = validate_file(args.input)
    if not problems:
        print(f"{args.input}: OK (all checks pass)")
        return EXIT_OK
    for p in problems:
        print(p.one_line() if isinstance(p, InputError) else str(p))
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return EXIT_INPUT


def cmd_regress_template(args) -> int:
    from regbef_excel.app.regression import write_regression_template  # heavy: per command

    path = write_regression_template(args.output, panel=args.panel, language=args.language)
    print(f"wrote {path}")
    return EXIT_OK


def cmd_regress(args) -> int:
    from regbef_excel.app.regression import regress_file  # heavy: per command

    output = args.output or str(Path(args.input).with_name(Path(args.input).stem + "-resultat.xlsx"))
    out = regress_file(args.input, output, language=args.language)
    run = out.run
    for o in run.outcomes:
        r = o.result
        print(f"{o.spec.name:<20} {o.spec.method:<6} N={r.nobs:>6,}  R2={r.rsquared:.3f}")
    print(f"\nwrote {out.output_path} ({len(run.outcomes)} models, {run.seconds:.2f} s)")
    warnings = run.warnings
    for w in warnings[:10]:
        print(f"warning: {w}", file=sys.stderr)
    if len(warnings) > 10:
        print(f"warning: … and {len(warnings) - 10} more (see the run log sheet)", file=sys.stderr)
    return EXIT_OK


def cmd_regress_targets(args) -> int:
    from regbef_excel.app.regression import regression_targets  # heavy: per command

    var, delta = None, 0.0
    if args.shock:
        if "=" not in args.shock:
            raise InputError("--shock must look like VARIABLE=DELTA", found=args.shock, expected="e.g. arbeidsledighet=+1")
        var, _, num = args.shock.partition("=")
        try:
            delta = float(num.replace(",", "."))
        except ValueError:
            raise InputError("--shock needs a number after '='", found=num, expected="e.g. +1 or -0.5") from None
    effect = args.year_effect
    try:
        effect = float(effect)
    except ValueError:
        pass
    targets = regression_targets(
        args.regression, args.projection, args.output, model=args.model, shock_variable=var,
        shock_size=delta, shock_regions=args.regions.split(",") if args.regions else None,
        shock_from=args.from_year, future_year_effect=effect, centre=args.centre,
    )  # fmt: skip
    by_year = targets.groupby("year")["value"].sum()
    print(f"wrote {args.output}: {len(targets)} targets (model variant 2); region net migration "
          f"{by_year.iloc[0]:,.0f} in {by_year.index[0]} … {by_year.iloc[-1]:,.0f} in {by_year.index[-1]}")
    return EXIT_OK


def cmd_addin(args) -> int:
    from regbef_excel.addin import build as addin  # heavy: per command

    if args.addin_command == "build":
        res = addin.build(args.out, language=args.language, source_dir=args.sources)
        print(f"wrote {res.addin}\nwrote {res.workbook}\nwrote VBA sources to {res.vba_dir}")
        return EXIT_OK
    print(addin.install(args.file))
    return EXIT_OK


def cmd_templates(args) -> int:
    from regbef_excel.app.templates import write_published, write_templates  # heavy: per command

    progress = Progress(not args.quiet)
    if args.published:
        results = write_published(args.out, jobs=args.jobs, progress=progress)
        progress.close()
        for res in results:
            print(f"{len(res.paths)} template(s) in {res.out_dir} ({res.seconds['total']:.1f} s)")
        return EXIT_OK
    res = write_templates(
        args.out, county=args.county, codes=args.codes, all_municipalities=args.all, per=args.per,
        language=args.language, base_year=args.base_year, horizon=args.horizon,
        estimation_years=args.estimation_years, jobs=args.jobs, progress=progress,
    )  # fmt: skip
    progress.close()
    for path in res.paths[:5]:
        print(f"wrote {path}")
    if len(res.paths) > 5:
        print(f"… and {len(res.paths) - 5} more in {res.out_dir}")
    t = res.seconds
    print(f"\n{len(res.paths)} template(s) in {res.out_dir} ({t['total']:.1f} s: generate "
          f"{t['generate']:.1f} s, build + save {t['write']:.1f} s with {res.jobs} process(es))")  # fmt: skip
    for w in res.warnings[:5]:
        print(f"warning: {w}", file=sys.stderr)
    if len(res.warnings) > 5:
        print(f"warning: … and {len(res.warnings) - 5} more (see the notes on each cover)", file=sys.stderr)
    return EXIT_OK


def add_templates_command(sub, common) -> None:
    """``regbef-excel templates``: ready workbooks for municipalities."""
    p = common(sub.add_parser(
        "templates", help="write ready templates for municipalities (by county, codes or all)",
        description="Write one ready-to-fill workbook per municipality (or per county with "
        "--per region): SSB base population, default rates with level factors estimated from "
        "each municipality's own history (residual method), empty target and building-programme "
        "tables, checks, an xlwings.conf sheet and instructions. Macro-free .xlsx: run them with "
        "the REGBEF add-in or `regbef-excel run FILE.xlsx -o RESULT.xlsx`.",
    ))  # fmt: skip
    sel = p.add_mutually_exclusive_group(required=True)
    sel.add_argument("--county", help="county code(s), e.g. 40 or 40,42")
    sel.add_argument("--codes", help="municipality codes, e.g. 4001,4003")
    sel.add_argument("--all", action="store_true", help="all 357 municipalities of Norway")
    sel.add_argument("--published", action="store_true",
                     help="every set listed in templates/published.toml, each into its folder "
                     "under --out")  # fmt: skip
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--per", choices=("municipality", "region"), default="municipality",
                   help="one workbook per municipality (default) or per county with its "
                   "municipalities as zones")  # fmt: skip
    p.add_argument("--base-year", type=int, default=DEFAULT_BASE_YEAR,
                   help=f"base year, population on 31 Dec (default {DEFAULT_BASE_YEAR}: 1 Jan "
                   f"{DEFAULT_BASE_YEAR + 1})")  # fmt: skip
    p.add_argument("--horizon", type=int, default=DEFAULT_HORIZON,
                   help=f"last projection year (default {DEFAULT_HORIZON})")  # fmt: skip
    p.add_argument("--estimation-years", type=int, default=DEFAULT_ESTIMATION_YEARS,
                   help=f"years of history ending with the base year used to estimate the level "
                   f"factors (default {DEFAULT_ESTIMATION_YEARS})")  # fmt: skip
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: 2 for 8+ workbooks, else 1)")  # fmt: skip
    p.set_defaults(func=cmd_templates)


# ---------------------------------------------------------------------------------- evaluation
def _fmt(x: float, spec: str = ",.0f") -> str:
    return "–" if x != x else format(x, spec).replace(",", " ")


def cmd_compare(args) -> int:
    """Run two input workbooks and write one scenario-comparison workbook."""
    from regbef_excel.app.evaluation import compare_workbooks  # heavy: per command

    comp = compare_workbooks(args.a, args.b, args.output, labels=args.labels, language=args.language)
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
    from regbef_excel.app.evaluation import backtest_county  # heavy: per command
    from regbef_excel.evaluation import backtest as bt  # heavy: per command

    result = backtest_county(args.county, args.base_year, args.output, horizon_years=args.horizon,
                             language=args.language)  # fmt: skip
    s = result.summary()
    s = s[(s["group"] == bt.TOTAL) & (s["years_ahead"] > 0)]
    by = {m: s[s["method"] == m].set_index("year") for m in (bt.MODEL, bt.NAIVE_CONSTANT, bt.NAIVE_TREND)}
    print(f"back-test {result.setup.region_name}, base 31 Dec {result.base_year}: "
          f"{len(result.zone_codes)} municipalities, total population")
    print(f"{'year':>6}{'ahead':>6}{'MAPE %':>9}{'bias %':>9}{'naive const':>13}{'naive trend':>13}{'region %':>10}")
    for y, row in by[bt.MODEL].iterrows():
        print(f"{y:>6}{row.years_ahead:>6}{row.mape:>9.2f}{row.mean_pct_error:>9.2f}"
              f"{by[bt.NAIVE_CONSTANT].loc[y, 'mape']:>13.2f}{by[bt.NAIVE_TREND].loc[y, 'mape']:>13.2f}"
              f"{row.region_pct_error:>10.2f}")  # fmt: skip
    for w in result.warnings[:5]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"\nwrote {args.output}")
    return EXIT_OK


def cmd_ssb_compare(args) -> int:
    """Run a workbook and compare it with SSB's official municipal projection."""
    from regbef_excel.app.evaluation import ssb_compare_workbook  # heavy: per command
    from regbef_excel.evaluation.ssb import ssb_summary  # heavy: per command

    comp = ssb_compare_workbook(args.input, args.output, ssb=args.ssb, alternative=args.alternative,
                                language=args.language)  # fmt: skip
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regbef-excel",
        description="REGBEF population, migration and housing projections for Norwegian planners.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"regbef-excel {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p):
        p.add_argument("--language", choices=("nb", "en"), default=None if p.prog.endswith("run") else "nb",
                       help="labels in Norwegian bokmål (nb, default) or English (en)")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
        return p

    p = common(sub.add_parser("demo", help="build, run and write the Telemark demo workbook",
                              description="Generate the Telemark demo from the embedded SSB/HMD/HFD data, "
                              "project 2026–2050 and write a workbook with inputs, results and charts."))
    p.add_argument("-o", "--output", default="regbef-demo.xlsx", help="output workbook (default regbef-demo.xlsx)")
    p.set_defaults(func=cmd_demo)

    p = common(sub.add_parser("template", help="write a ready-to-fill workbook"))
    p.add_argument("output", help="workbook to write (.xlsx)")
    p.add_argument("--empty", action="store_true", help="empty tables instead of the Telemark defaults")
    p.add_argument("--with-history", action="store_true",
                   help="include the 2015–2025 history tables (population, migration by age) used for generation")
    p.set_defaults(func=cmd_template)

    p = common(sub.add_parser("run", help="project a filled workbook and write results to a new workbook"))
    p.add_argument("input", help="the planner's workbook (never modified)")
    p.add_argument("-o", "--output", help="results workbook (default: INPUT-resultat.xlsx)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("regress-template", help="write a migration-regression workbook (demo panel + models)")
    p.add_argument("output", help="workbook to write (.xlsx)")
    p.add_argument("--panel", choices=("real", "synthetic"), default="real",
                   help="real: 159 BA regions 2006–2025 from the shipped data (some variables "
                   "ESTIMATED); synthetic: SYNTHETIC panel shaped like the thesis")
    p.add_argument("--language", choices=("nb", "en"), default="nb")
    p.set_defaults(func=cmd_regress_template)

    p = sub.add_parser("regress", help="estimate the models of a regression workbook, write tables to a new workbook")
    p.add_argument("input", help="the regression workbook (never modified)")
    p.add_argument("-o", "--output", help="results workbook (default: INPUT-resultat.xlsx)")
    p.add_argument("--language", choices=("nb", "en"), default=None,
                   help="labels of the output (default: the input workbook's language)")
    p.set_defaults(func=cmd_regress)

    p = sub.add_parser(
        "regress-targets",
        help="turn an FE migration model + a scenario into net-migration targets in a projection workbook",
        description="Estimate a fixed-effects model of a regression workbook, predict net migration "
        "per 1000 for the projection years (regressors at each region's last values, optionally "
        "shocked), convert to persons, distribute to the projection's municipalities and write a NEW "
        "projection workbook with these targets (MÅLTYP 1) and model variant 2.",
    )
    p.add_argument("regression", help="regression workbook (regress-template --panel real)")
    p.add_argument("projection", help="projection workbook whose zones are municipalities")
    p.add_argument("-o", "--output", required=True, help="new projection workbook with targets")
    p.add_argument("--model", help="name of the FE model (default: the last FE model)")
    p.add_argument("--shock", metavar="VAR=DELTA", help="e.g. arbeidsledighet=+1 (percentage points)")
    p.add_argument("--regions", help="comma-separated regions the shock applies to (default all)")
    p.add_argument("--from-year", type=int, help="first year of the shock")
    p.add_argument("--year-effect", default="last", help="future year effects: last, mean, zero or a number")
    p.add_argument("--centre", action="store_true",
                   help="make persons sum to zero over all regions (for internal net migration models)")
    p.set_defaults(func=cmd_regress_targets)

    add_evaluation_commands(sub, common)

    add_templates_command(sub, common)

    p = sub.add_parser("validate", help="check a workbook and list every problem")
    p.add_argument("input")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("addin", help="build or install the REGBEF Excel add-in",
                       description="Build REGBEF.xlam and a macro-enabled workbook from the text "
                       "sources in workbook/ (reproducibly), or install the add-in into Excel.")
    asub = p.add_subparsers(dest="addin_command", metavar="ACTION", required=True)
    b = asub.add_parser("build", help="build REGBEF.xlam and the .xlsm workbook")
    b.add_argument("--out", default="dist", help="output folder (default dist)")
    b.add_argument("--language", choices=("nb", "en"), default="nb", help="workbook language")
    b.add_argument("--sources", default=None, help="folder with the VBA/ribbon sources (default: workbook/)")
    i = asub.add_parser("install", help="install the add-in into Excel (Windows/macOS, via xlwings)")
    i.add_argument("--file", default=None, help="the add-in to install (default dist/REGBEF.xlam)")
    p.set_defaults(func=cmd_addin)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        return args.func(args)
    except InputError as exc:
        print(f"regbef-excel: {exc.one_line()}", file=sys.stderr)
        return EXIT_INPUT
    except RegbefError as exc:
        print(f"regbef-excel: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("regbef-excel: interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - a planner never sees a traceback
        if args.debug:
            raise
        print(f"regbef-excel: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
