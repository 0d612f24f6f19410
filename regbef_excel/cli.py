"""Command line: ``regbef-excel demo | template | run | validate | regress | regress-template |
templates | addin | compare | backtest | calibrate | ssb-compare``. Argument parsing and printing only: every
command calls a use case of :mod:`regbef_excel.app` (``addin`` calls :mod:`regbef_excel.addin`).
Each command imports its use case when it runs (``# heavy: per command``): they load pandas,
statsmodels and openpyxl, and ``--help`` or a mistyped argument should answer at once.

Errors a planner can fix print as one line (``regbef-excel: Befolkning!C14: …``) and exit 2;
unexpected failures print one line and exit 1 (``--debug`` shows the traceback). Every command
that writes a file has its output path checked before any work (:func:`check_output`); a closed
pipe (``regbef-excel compare … | head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

from regbef_excel import __version__
from regbef_excel.data import DEFAULT_BASE_YEAR, DEFAULT_ESTIMATION_YEARS, DEFAULT_HORIZON
from regbef_excel.errors import TEXT_LIMIT, InputError, Location, RegbefError, shorten, words

EPILOG = """examples:
  regbef-excel demo                            Telemark demo -> regbef-demo.xlsx
  regbef-excel demo -o telemark.xlsx --language en
  regbef-excel template min-kommune.xlsx       pre-filled workbook (Telemark defaults)
  regbef-excel template tom.xlsx --empty       empty workbook with all tables
  regbef-excel validate min-kommune.xlsx       list every input problem, exit 2 if any
  regbef-excel run min-kommune.xlsx -o resultat.xlsx
  regbef-excel templates --county 40 --out maler   one ready workbook per municipality
  regbef-excel collect maler/*.xlsx -o fylket.xlsx  county run from the returned templates
  regbef-excel estimate min-kommune.xlsx -o ny.xlsx re-fit parameters from the history
  regbef-excel run min-kommune.xlsx --csv befolkning.csv
  regbef-excel compare trend.xlsx boligprogram.xlsx -o sammenligning.xlsx
  regbef-excel backtest --county 40 --base-year 2015 -o tilbaketest.xlsx [--csv tilbaketest.csv]
  regbef-excel calibrate -o intervaller.csv [--exclude-counties 40] [--base-years 2009-2020]
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

    _check_csv(args, outputs=(args.output,))
    progress = Progress(not args.quiet)
    out = run_demo(args.output, language=args.language, progress=progress)
    progress.close()
    _write_csv(args, out.projection)
    _print_summary(out.projection)
    t = out.seconds
    print(
        f"\nwrote {out.output_path} (generate {t.get('generate', 0):.1f} s, project {t.get('project', 0):.2f} s, "
        f"write {t.get('write', 0):.1f} s)"
    )
    for w in out.warnings[:5]:
        print(f"{words(out.language)['warning']}: {w}", file=sys.stderr)
    return EXIT_OK


def cmd_template(args) -> int:
    from regbef_excel.app.projection import write_template  # heavy: per command

    path = write_template(args.output, empty=args.empty, language=args.language, include_history=args.with_history)
    print(f"wrote {path}")
    return EXIT_OK


def cmd_run(args) -> int:
    from regbef_excel.app.projection import run_workbook  # heavy: per command

    output = args.output or str(Path(args.input).with_name(Path(args.input).stem + "-resultat.xlsx"))
    _check_csv(args, inputs=(args.input,), outputs=(output,))
    progress = Progress(not args.quiet)
    out = run_workbook(args.input, output, language=args.language, progress=progress)
    progress.close()
    _write_csv(args, out.projection, inputs=(args.input,))
    _print_summary(out.projection)
    print(f"\nwrote {out.output_path}")
    said = words(out.language)
    for w in out.warnings[:10]:
        print(f"{said['warning']}: {w}", file=sys.stderr)
    if len(out.warnings) > 10:
        print(f"{said['warning']}: {said['more_warnings'].format(n=len(out.warnings) - 10)}", file=sys.stderr)
    return EXIT_OK


def cmd_validate(args) -> int:
    from regbef_excel.app.projection import validate_report  # heavy: per command

    problems, language = validate_report(args.input)
    if not problems:
        print(f"{args.input}: {words(language)['ok']}")
        return EXIT_OK
    for p in problems:
        print(p.one_line() if isinstance(p, InputError) else str(p))
    print(words(language)["count"].format(n=len(problems)), file=sys.stderr)
    return EXIT_INPUT


def cmd_regress_template(args) -> int:
    from regbef_excel.app.regression import write_regression_template  # heavy: per command

    path = write_regression_template(args.output, panel=args.panel, language=args.language)
    print(f"{'wrote' if args.language == 'en' else 'skrev'} {path}")
    return EXIT_OK


def cmd_regress(args) -> int:
    from regbef_excel.app.regression import regress_file, warning_lines  # heavy: per command

    output = args.output or str(Path(args.input).with_name(Path(args.input).stem + "-resultat.xlsx"))
    out = regress_file(args.input, output, language=args.language)
    run = out.run
    en = out.language == "en"
    for o in run.outcomes:
        r = o.result
        print(f"{o.spec.name:<20} {o.spec.method:<6} N={r.nobs:>6,}  R2={r.rsquared:.3f}")
    print(f"\n{'wrote' if en else 'skrev'} {out.output_path} ({len(run.outcomes)} "
          f"{'models' if en else 'modeller'}, {run.seconds:.2f} s)")
    for line in warning_lines(run, out.language):
        print(line, file=sys.stderr)
    return EXIT_OK


def cmd_regress_targets(args) -> int:
    from regbef_excel.app.regression import regression_targets  # heavy: per command
    from regbef_excel.regression.options import FUTURE_YEAR_EFFECTS  # heavy: the regression package

    var, delta = None, 0.0
    if args.shock:
        if "=" not in args.shock:
            raise InputError("--shock must look like VARIABLE=DELTA", found=args.shock,
                             expected="e.g. arbeidsledighet=+1")  # fmt: skip
        var, _, num = args.shock.partition("=")
        try:
            delta = float(num.replace(",", "."))
        except ValueError:
            raise InputError("--shock needs a number after '='", found=num, expected="e.g. +1 or -0.5") from None
    effect = args.year_effect
    try:
        effect = float(effect.replace(",", "."))
    except ValueError:
        if effect not in FUTURE_YEAR_EFFECTS:
            raise InputError("--year-effect: unknown future year effect", found=effect,
                             expected=", ".join(FUTURE_YEAR_EFFECTS) + " or a number") from None  # fmt: skip
    out = regression_targets(
        args.regression, args.projection, args.output, model=args.model, shock_variable=var,
        shock_size=delta, shock_regions=args.regions.split(",") if args.regions else None,
        shock_from=args.from_year, future_year_effect=effect, centre=args.centre,
    )  # fmt: skip
    by_year = out.targets.groupby("year")["value"].sum()
    sep = "," if out.language == "en" else "\u00a0"
    first, last = (f"{by_year.iloc[i]:,.0f}".replace(",", sep) + f" {'in' if out.language == 'en' else 'i'} "
                   f"{by_year.index[i]}" for i in (0, -1))  # fmt: skip
    if out.language == "en":
        print(f"wrote {args.output}: {len(out.targets)} targets from model '{out.model}' (model variant 2); "
              f"region net migration {first} … {last}")
    else:
        print(f"skrev {args.output}: {len(out.targets)} mål fra modellen '{out.model}' (modellvariant 2); "
              f"netto flytting i regionen {first} … {last}")
    return EXIT_OK


def cmd_addin(args) -> int:
    from regbef_excel.addin import build as addin  # heavy: per command

    if args.addin_command == "build":
        res = addin.build(args.out, language=args.language, source_dir=args.sources, empty=args.empty)
        print(f"wrote {res.addin}\nwrote {res.workbook}\nwrote {res.extension}\nwrote VBA sources to {res.vba_dir}")
        return EXIT_OK
    if args.check:
        check = addin.check_install()
        print(check.report)
        return EXIT_OK if check.ok else EXIT_FAILURE
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
        "tables, checks, a regbef.conf sheet and instructions. Macro-free .xlsx: run them with "
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


# ------------------------------------------------------------ estimate, collect, CSV results
CSV_HELP = ("also write the projected population as CSV: zone_code, zone_name, year, sex, age, "
            "population (sex male/female, last age = open group, year = 31 December)")


def _check_csv(args, inputs=(), outputs=()) -> None:
    if getattr(args, "csv", None):
        from regbef_excel.app.population_csv import check_csv_path  # heavy: per command

        check_csv_path(args.csv, inputs_to_keep=inputs, outputs=outputs)


def _write_csv(args, projection, inputs=()) -> None:
    if getattr(args, "csv", None):
        from regbef_excel.app.population_csv import write_population_csv  # heavy: per command

        print(f"wrote {write_population_csv(projection, args.csv, inputs_to_keep=inputs)}")


def cmd_estimate(args) -> int:
    """Re-fit the generated parameters of a workbook from its history."""
    from regbef_excel.app.estimate import estimate_workbook  # heavy: per command

    progress = Progress(not args.quiet)
    out = estimate_workbook(args.input, args.output, overwrite_edited=args.overwrite_edited,
                            language=args.language, progress=progress)  # fmt: skip
    progress.close()
    r = out.record
    print(f"estimated from history {r.start}–{r.end} (history id {r.fingerprint}): "
          + ", ".join(f"{t} {n} value(s)" for t, n in out.refitted.items()))
    if out.kept:
        print(f"kept {len(out.kept)} hand-typed value(s) (--overwrite-edited re-fits them): "
              + "; ".join(out.kept[:5]) + (" …" if len(out.kept) > 5 else ""))
    for w in out.warnings[:5]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"\nwrote {out.output_path}")
    return EXIT_OK


def cmd_collect(args) -> int:
    """Combine returned municipal workbooks of one county into a county run."""
    from regbef_excel.app.collect import collect_workbooks  # heavy: per command

    _check_csv(args, inputs=tuple(args.inputs), outputs=(args.output,))
    progress = Progress(not args.quiet)
    out = collect_workbooks(args.inputs, args.output, language=args.language, progress=progress)
    progress.close()
    _print_summary(out.projection)
    print(f"\n{len(out.municipalities)} municipal workbook(s) of {out.county_code} {out.county_name}; "
          f"{sum(1 for m in out.municipalities if m.changes)} with changes")
    for m in out.municipalities:
        if m.changes:
            print(f"  {m.code} {m.name}: {len(m.changes)} change(s), population {m.horizon_year} "
                  f"{_fmt(m.baseline)} -> {_fmt(m.collected)}")
    _write_csv(args, out.projection, inputs=tuple(args.inputs))
    print(f"\nwrote {out.output_path}")
    for w in out.warnings[:10]:
        print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK


def add_journey_commands(sub, common) -> None:
    """Register estimate and collect, and --csv on demo and run."""
    for name in ("demo", "run"):
        sub.choices[name].add_argument("--csv", metavar="FILE", help=CSV_HELP)
    p = common(sub.add_parser(
        "estimate", help="re-fit the generated parameters of a workbook from its history",
        description="Re-fit level factors, Rogers–Castro schedules and shares from the Historikk "
        "sheet over the estimation period in Innstillinger and write a NEW workbook; values typed "
        "by hand are kept unless --overwrite-edited. `run` refuses a workbook whose parameters "
        "were estimated from another period or history.",
    ))  # fmt: skip
    p.add_argument("input", help="the planner's workbook (never modified)")
    p.add_argument("-o", "--output", required=True, help="workbook to write (.xlsx)")
    p.add_argument("--overwrite-edited", action="store_true",
                   help="re-fit values typed by hand as well")  # fmt: skip
    p.set_defaults(func=cmd_estimate, language=None)  # default: the workbook's language
    p = common(sub.add_parser(
        "collect", help="combine returned municipal templates of one county into a county run",
        description="Read the municipal workbooks of one county (from `templates --county`), "
        "validate each, re-run the county with each municipality's edited assumptions and write "
        "the county workbook with results and a sheet listing what each municipality changed and "
        "what it did to its population.",
    ))  # fmt: skip
    p.add_argument("inputs", nargs="+", metavar="FILE", help="returned municipal workbooks")
    p.add_argument("-o", "--output", required=True, help="county workbook to write (.xlsx)")
    p.add_argument("--csv", metavar="FILE", help=CSV_HELP)
    p.set_defaults(func=cmd_collect, language=None)  # default: the workbooks' language


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
                             language=args.language, calibration=args.calibration,
                             csv=args.csv, assumptions=_assumptions(args), fan_zone=args.fan_zone)  # fmt: skip
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
    cov = result.interval_coverage
    if cov is not None:
        tot = cov[(cov["kind"] == "municipality") & (cov["measure"] == "total")]
        print("prediction intervals, municipal totals: " + "; ".join(
            f"{r.horizon} yr {r.cover80:.0f} % inside 80 %, {r.cover95:.0f} % inside 95 %"
            for r in tot.itertuples() if r.horizon in (1, 5, 10)))  # fmt: skip
    for w in result.warnings[:5]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"\nwrote {args.output}" + (f"\nwrote {args.csv}" if args.csv else ""))
    return EXIT_OK


def _assumptions(args):  # noqa: ANN001, ANN202 - argparse namespace -> bt.Assumptions
    from regbef_excel.evaluation import backtest as bt  # heavy: per command

    return bt.Assumptions(args.fertility, args.damping, args.elderly_inmigration)


def _add_assumption_options(p) -> None:  # noqa: ANN001 - argparse parser
    p.add_argument("--fertility", default="period_mean",
                   help="fertility assumption: period_mean (default, the handbook's trend variant), "
                   "last_year or damped_trend")  # fmt: skip
    p.add_argument("--damping", type=float, default=0.9, help="damping φ of damped_trend (default 0.9)")
    p.add_argument("--elderly-inmigration", default="counts",
                   help="counts (default: period-mean counts) or rates (of the rest of the country's "
                   "population aged 67–79)")  # fmt: skip


def _base_years(text: str | None) -> list[int] | None:
    if not text:
        return None
    first, sep, last = text.partition("-")
    try:
        a, b = int(first), int(last if sep else first)
    except ValueError:
        raise InputError("--base-years must look like FROM-TO", found=text, expected="e.g. 2009-2020") from None
    return list(range(a, b + 1))


def cmd_calibrate(args) -> int:
    """Back-test every county and base year and fit the prediction-interval model."""
    from regbef_excel.app.evaluation import calibrate_intervals  # heavy: per command

    codes = [c.strip() for c in args.exclude_counties.split(",") if c.strip()] if args.exclude_counties else []
    progress = Progress(not args.quiet)
    rep = calibrate_intervals(args.output, exclude_counties=codes, base_years=_base_years(args.base_years),
                              jobs=args.jobs, progress=progress, assumptions=_assumptions(args))  # fmt: skip
    progress.close()
    c = rep.coverage
    c = c[(c["kind"] == "municipality") & (c["size_class"] == "all")]
    print(f"{'check':<22}{'measure':<8}{'ahead':>6}{'n':>7}{'80 % in':>9}{'95 % in':>9}{'±80 %':>8}{'±95 %':>8}")
    for r in c.itertuples():
        print(f"{r.check:<22}{r.measure:<8}{r.horizon:>6}{r.n:>7}{r.cover80:>9.1f}{r.cover95:>9.1f}"
              f"{r.half80_pct:>8.1f}{r.half95_pct:>8.1f}")  # fmt: skip
    n_tr = int((rep.breaks["kind"] == "boundary transfer").sum() // 2)
    print(f"\n{len(rep.run.counties)} counties × {len(rep.run.base_years)} base years, "
          f"{len(rep.run.errors):,} errors, {n_tr} boundary transfers adjusted ({rep.seconds:.0f} s)")  # fmt: skip
    for path in rep.paths:
        print(f"wrote {path}")
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
    p.add_argument("--calibration", help="interval calibration from 'calibrate' (default: the shipped one)")
    p.add_argument("--csv", help="also write one row per municipality and year with the 80/95 %% intervals")
    p.add_argument("--fan-zone", help="municipality (code or name) of the fan chart (default: the county)")
    _add_assumption_options(p)
    p.set_defaults(func=cmd_backtest)

    p = common(sub.add_parser("calibrate", help="back-test all counties and base years, fit prediction intervals",
                              description="Back-test every county from every base year the data allow "
                              "(information up to the base year only), fit the prediction-interval model "
                              "(log errors by horizon, size class, growth volatility and age group) and "
                              "write it as CSV, with its out-of-sample coverage (FILE-coverage.csv) and the "
                              "detected series breaks (FILE-breaks.csv)."))
    p.add_argument("-o", "--output", required=True, help="calibration file to write (.csv)")
    p.add_argument("--exclude-counties", help="county codes left out, e.g. 40,46 (for out-of-sample checks)")
    p.add_argument("--base-years", help="FROM-TO, e.g. 2009-2020 (default: 2007-2024)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    _add_assumption_options(p)
    p.set_defaults(func=cmd_calibrate)

    p = common(sub.add_parser("ssb-compare", help="run a workbook and compare with SSB's projection",
                              description="Run a workbook and compare the result with Statistics Norway's "
                              "municipal projection (main alternative MMMM) by municipality and age group."))
    p.add_argument("input", help="the planner's workbook (never modified)")
    p.add_argument("--ssb", help="CSV export of SSB table 14288/14746 (default: the shipped Telemark tables)")
    p.add_argument("--alternative", default="MMMM", help="SSB alternative (default MMMM, the main one)")
    p.add_argument("-o", "--output", required=True, help="comparison workbook to write (.xlsx)")
    p.set_defaults(func=cmd_ssb_compare)


class OneLineParser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (``regbef-excel run: error: …``), exit 2, like
    every other input problem; ``--help`` still shows the full usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: error: {shorten(message, TEXT_LIMIT)} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
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
    p.add_argument("--model", help="name of the FE model (default: the last FE model that can give targets: "
                   "none of its regressors collinear with the year dummies, the shocked variable not omitted)")
    p.add_argument("--shock", metavar="VAR=DELTA", help="e.g. arbeidsledighet=+1 (percentage points)")
    p.add_argument("--regions", help="comma-separated regions the shock applies to (default all)")
    p.add_argument("--from-year", type=int, help="first year of the shock")
    p.add_argument("--year-effect", default="last", help="future year effects: last, mean, zero or a number")
    p.add_argument("--centre", action="store_true",
                   help="make persons sum to zero over all regions (for internal net migration models)")
    p.set_defaults(func=cmd_regress_targets)

    add_evaluation_commands(sub, common)

    add_templates_command(sub, common)

    add_journey_commands(sub, common)

    p = sub.add_parser("validate", help="check a workbook and list every problem")
    p.add_argument("input")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("addin", help="build or install the REGBEF Excel add-in",
                       description="Build REGBEF.xlam and a macro-enabled workbook from the text "
                       "sources in workbook/ (reproducibly), or install the add-in into Excel.")
    asub = p.add_subparsers(dest="addin_command", metavar="ACTION", required=True)
    b = asub.add_parser("build", help="build REGBEF.xlam and the .xlsm workbook")
    b.add_argument("--out", default="dist", help="output folder (default dist)")
    b.add_argument("--language", choices=("nb", "en"), default="nb",
                   help="language of the workbook and of the Excel ribbon labels (default nb)")
    b.add_argument("--sources", default=None, help="folder with the VBA/ribbon sources (default: workbook/)")
    b.add_argument("--empty", action="store_true",
                   help="the .xlsm as the empty template (default: the filled Telemark demo)")
    i = asub.add_parser(
        "install", help="install the add-in into Excel (Windows/macOS, via xlwings)",
        description="Copy REGBEF.xlam into Excel's start-up folder (xlwings' installer) and write "
        "the Python of THIS environment into the add-in's user file ~/.regbef/regbef.conf "
        "(INTERPRETER_WIN, CONDA PATH/CONDA ENV or INTERPRETER_MAC) unless you have set one there. "
        "Run it from the environment regbef_excel is installed in.",
    )  # fmt: skip
    i.add_argument("--file", default=None, help="the add-in to install (default dist/REGBEF.xlam)")
    i.add_argument("--check", action="store_true",
                   help="install nothing: print which Python Excel will use and whether "
                   "regbef_excel imports there (exit 1 if not)")  # fmt: skip
    p.set_defaults(func=cmd_addin)
    return parser


#: The file type each command writes with ``-o/--output`` (checked before any work).
OUTPUT_SUFFIXES: dict[str, tuple[str, ...]] = {
    command: (".xlsx",)
    for command in ("demo", "template", "run", "regress-template", "regress", "regress-targets", "compare",
                    "backtest", "ssb-compare")
}  # fmt: skip
#: Arguments that name input files (an output must never be one of them).
INPUT_ARGUMENTS = ("input", "a", "b", "regression", "projection")


def check_output(args) -> None:
    """The output path of any command, checked before it reads or computes anything."""
    output = getattr(args, "output", None)
    if not isinstance(output, str) or not output:
        return
    from regbef_excel.app.projection import check_output_path  # heavy: the use cases' front door

    suffixes = None if getattr(args, "csv", None) else OUTPUT_SUFFIXES.get(args.command)
    inputs = [getattr(args, k, None) for k in INPUT_ARGUMENTS]
    check_output_path(output, *[p for p in inputs if isinstance(p, str)], suffixes=suffixes,
                      language=getattr(args, "language", None) or "nb")  # fmt: skip


def os_error_line(exc: OSError, args) -> str:
    """One line for a file-system failure, naming the output rather than a hidden temporary
    file beside it (writers write ``.name-XXXX.xlsx`` and rename it)."""
    name = exc.filename
    output = getattr(args, "output", None)
    if output and (name is None or Path(str(name)).name.startswith(".")):
        name = output
    return InputError(exc.strerror or type(exc).__name__, location=Location(file=str(name) if name else None)).one_line()


def quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so nothing more is said at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or already gone
        pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        check_output(args)
        return args.func(args)
    except BrokenPipeError:  # the reader of our output went away (``| head``): end quietly
        quiet_stdout()
        return EXIT_FAILURE
    except InputError as exc:
        print(f"regbef-excel: {exc.one_line()}", file=sys.stderr)
        return EXIT_INPUT
    except (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError, FileExistsError) as exc:
        if args.debug:
            raise
        print(f"regbef-excel: {os_error_line(exc, args)}", file=sys.stderr)
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
