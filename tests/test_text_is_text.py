"""Text is text: formula-like labels from a planner or a file never become formulas.

Every output kind (projection results, regression template and results, scenario comparison,
back-test, SSB comparison) is fed labels that start with ``=``, ``+``, ``-``, ``@``, tab or
CR, a DDE payload and a HYPERLINK formula; the saved sheet XML must hold each label verbatim as
a string and no ``<f>`` element may carry any of it.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from regbef_excel.app.regression import regress_file
from regbef_excel.data.panels import PanelData, VariableInfo
from regbef_excel.engine import project
from regbef_excel.evaluation.scenarios import compare_scenarios
from regbef_excel.io.read.regression import ModelSpec
from regbef_excel.io.write import sheets
from regbef_excel.io.write.evaluation import write_backtest, write_comparison, write_ssb_comparison
from regbef_excel.io.write.regression import write_regression_workbook
from regbef_excel.io.write.results import write_results
from tests.support.synthetic import synthetic_inputs

HOSTILE = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x","y")',
]
#: What would betray user text inside a formula.
MARKERS = ("1+1", "SUM(A1)", "cmd|", "HYPERLINK")

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def strings_and_formulas(path: Path) -> tuple[set[str], list[str]]:
    """Every string cell text (shared and inline) and every formula of every sheet, from the XML."""
    texts: set[str] = set()
    formulas: list[str] = []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = [_unescape("".join(t.text or "" for t in si.iter(f"{NS}t"))) for si in root.iter(f"{NS}si")]
        for name in names:
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            root = ET.fromstring(z.read(name))
            for c in root.iter(f"{NS}c"):
                f = c.find(f"{NS}f")
                if f is not None:
                    formulas.append(f.text or "")
                kind = c.get("t")
                if kind == "s":
                    texts.add(shared[int(c.find(f"{NS}v").text)])
                elif kind == "inlineStr":
                    texts.add(_unescape("".join(t.text or "" for t in c.iter(f"{NS}t"))))
                elif kind == "str":  # a formula's cached string result: never user text here
                    pass
    return texts, formulas


def assert_text_only(path: Path, labels=HOSTILE) -> None:
    texts, formulas = strings_and_formulas(path)
    for label in labels:
        assert any(label in t for t in texts), f"{label!r} not stored as text in {path.name}"
    bad = [f for f in formulas if any(m in f for m in MARKERS)]
    assert not bad, f"user text in formulas of {path.name}: {bad[:3]}"


def hostile_inputs(n_zones: int = len(HOSTILE), seed: int = 0):
    inp = synthetic_inputs(n_zones, 4, seed=seed)
    return replace(inp, zone_names=tuple(HOSTILE[:n_zones]))


# ----------------------------------------------------------------------------- results
@pytest.mark.parametrize("stream_rows", [10_000, 100])  # cells only / the long detail table streamed
def test_projection_results(tmp_path, monkeypatch, stream_rows):
    from regbef_excel.io.write import streamed_rows

    monkeypatch.setattr(streamed_rows, "STREAM_THRESHOLD_ROWS", stream_rows)
    p = project(hostile_inputs())
    out = write_results(p, tmp_path / "r.xlsx", run_log={"input_path": HOSTILE[6], "variant": HOSTILE[7],
                                                          "warnings": list(HOSTILE)})  # fmt: skip
    assert_text_only(out)
    _, formulas = strings_and_formulas(out)
    assert any(f.startswith("ROUND(") for f in formulas)  # the program's own formulas stay


# ----------------------------------------------------------------------------- regression
def hostile_panel() -> PanelData:
    rng = np.random.default_rng(2)
    regions, years = [f"{h} {i}" for i, h in enumerate(HOSTILE)], list(range(2010, 2015))  # unique when stripped
    d = pd.DataFrame([(r, i + 1, y) for i, r in enumerate(regions) for y in years],
                     columns=["region", "region_code", "year"])  # fmt: skip
    for k in ("y", "a", "b"):
        d[k] = rng.normal(size=len(d))
    variables = tuple(VariableInfo(k, HOSTILE[i], HOSTILE[i + 1], note_nb=HOSTILE[7], source=HOSTILE[6])
                      for i, k in enumerate(("y", "a", "b")))  # fmt: skip
    return PanelData(d, variables, "real", HOSTILE[0], HOSTILE[1])


def test_regression_template_and_results(tmp_path):
    models = [ModelSpec(HOSTILE[6], HOSTILE[7], "y", ("a", "b"), "pooled"),
              ModelSpec(HOSTILE[0], HOSTILE[6], "y", ("a",), "fe")]  # fmt: skip
    src = write_regression_workbook(hostile_panel(), tmp_path / "reg.xlsx", models)
    assert_text_only(src)
    out = tmp_path / "reg-out.xlsx"
    regress_file(src, out)
    assert_text_only(out, [h for h in HOSTILE if h == h.strip()])  # the reader strips labels
    with zipfile.ZipFile(out) as z:
        chart_xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/"))
    assert "cmd|" not in "".join(re.findall(r"<c:f>(.*?)</c:f>", chart_xml))  # chart titles are text
    with zipfile.ZipFile(out) as z:
        wb = z.read("xl/workbook.xml").decode()
    names = [html.unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', wb)]
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert "=cmd|' /C calc'!A0" not in names and "=cmd|' -C calc'!A0" in names


# ----------------------------------------------------------------------------- evaluation
def test_scenario_comparison(tmp_path):
    pa, pb = project(hostile_inputs()), project(hostile_inputs(seed=1))
    comp = compare_scenarios(pa, pb, (HOSTILE[6], HOSTILE[7]))
    out = write_comparison(comp, tmp_path / "cmp.xlsx")
    assert_text_only(out, HOSTILE[1:])  # zone 1 is the region row's name slot


class _HostileBacktest:
    """A back-test result whose names come from a hostile file."""

    def __init__(self, result) -> None:
        self._r = result
        self.base_year, self.observed_years = result.base_year, result.observed_years
        self.setup = replace(result.setup, region_name=HOSTILE[6]) if hasattr(result.setup, "region_name") else result.setup
        self.suspect_zones = [HOSTILE[7]]

    def summary(self):
        s = self._r.summary().copy()
        s["worst_zone"] = HOSTILE[5]
        return s

    def errors_by_municipality(self):
        e = self._r.errors_by_municipality().copy()
        names = {c: HOSTILE[i % len(HOSTILE)] for i, c in enumerate(sorted(e["zone_code"].unique()))}
        e["zone_name"] = e["zone_code"].map(names)
        return e


@pytest.fixture(scope="module")
def small_backtest():
    from regbef_excel.evaluation import backtest as bt

    return bt.run_backtest(["4001", "4003", "4005"], 2015, horizon_years=3, estimation_years=5)


def test_backtest(tmp_path, small_backtest):
    out = write_backtest(_HostileBacktest(small_backtest), tmp_path / "bt.xlsx")
    assert_text_only(out, [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[5], HOSTILE[6]])


def test_ssb_comparison(tmp_path):
    rows = []
    for i, name in enumerate(HOSTILE):
        for year in (2030, 2040):
            for group in ("0-5", "6-15"):
                rows.append((f"40{i:02d}", name, group, year, 100.0 + i, 90.0 + i))
    for year in (2030, 2040):
        for group in ("0-5", "6-15"):
            rows.append(("", "Hele regionen", group, year, 900.0, 800.0))
    frame = pd.DataFrame(rows, columns=["zone_code", "zone_name", "age_group", "year", "ours", "ssb"])
    frame["difference"] = frame["ours"] - frame["ssb"]
    frame["pct_difference"] = 100 * frame["difference"] / frame["ssb"]
    frame.attrs.update(alternative=HOSTILE[6], vintage=HOSTILE[7], missing_zones=[HOSTILE[0]])
    out = write_ssb_comparison(frame, tmp_path / "ssb.xlsx")
    assert_text_only(out)


# ----------------------------------------------------------------------------- the one place
def test_sheet_names_are_sanitised():
    taken: set[str] = set()
    assert sheets.safe_sheet_name("=cmd|' /C calc'!A0", taken) == "=cmd|' -C calc'!A0"
    assert sheets.safe_sheet_name("a[b]:c*d?e/f\\g", taken) == "a-b--c-d-e-f-g"
    long = "x" * 40
    assert sheets.safe_sheet_name(long, taken) == "x" * 31
    assert sheets.safe_sheet_name(long.upper(), taken) == "X" * 29 + " 2"
    assert sheets.safe_sheet_name("'", taken, fallback="Tabell") == "Tabell"
