"""The Telemark demo's levels: what the README prints is what the model computes.

The README's "What the demo prints" block is parsed and every row it shows is compared with the
projection's summary (the same table ``regbef-excel demo`` prints), so the README cannot drift
from the code and a change to any level in the demo (a dropped factor, a changed order of
computation) fails here as well as in the reference-model differential tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from regbef_excel.app.projection import demo_inputs
from regbef_excel.engine import project

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_demo_rows() -> tuple[list[int], dict[str, list[int]]]:
    """(years, {code or 'Region': [population per year]}) from the README's demo block."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## What the demo prints", 1)[1].split("```", 2)[1]
    lines = [ln for ln in block.splitlines() if ln.strip()]
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", lines[0])]
    rows: dict[str, list[int]] = {}
    for ln in lines[2:]:
        if not re.match(r"^(\d{4}  | {6})", ln):
            continue  # not a table row ("…", "wrote …")
        nums = re.findall(r"\d{1,3}(?: \d{3})*(?=\s|$)", ln[27:])
        if len(nums) != len(years):
            continue
        key = ln[:6].strip() or ln[6:27].strip()
        rows[key] = [int(n.replace(" ", "")) for n in nums]
    return years, rows


@pytest.fixture(scope="module")
def demo():
    inputs, _ = demo_inputs("nb")
    return project(inputs)


def test_readme_demo_block_matches_the_projection(demo):
    years, rows = readme_demo_rows()
    assert years == [2025, 2035, 2050]
    assert {"4001", "4003", "4036", "Region"} <= set(rows)
    table = demo.summary()
    by_key = {(str(code).strip() or str(name)): vals for code, name, *vals in table.itertuples(index=False)}
    for key, want in rows.items():
        got = [int(round(v)) for v in by_key[key]]
        assert got == want, f"README demo row {key}: README {want}, model {got}"


def test_demo_region_components_2050(demo):
    """Region totals of the components in 2050 (README "What the demo prints", model docs)."""
    years = list(demo.inputs.years)
    t = years.index(2050)
    total = {name: round(demo.flows[name][t].sum()) for name in ("births", "deaths", "EUF", "EIFU", "EIFN", "IUF")}
    assert round(demo.population[t + 1].sum()) == 180_555
    assert total == {"births": 1_365, "deaths": 2_042, "EUF": 4_854, "EIFU": 1_641, "EIFN": 4_029, "IUF": 3_246}
    # The components close the balancing equation for the region in every year.
    for i in range(len(years)):
        change = demo.population[i + 1].sum() - demo.population[i].sum()
        comp = sum(sign * demo.flows[name][i].sum() for name, sign in
                   {"births": 1, "deaths": -1, "EUF": -1, "EIFU": 1, "EIFN": 1, "IUF": -1, "IIF": 1,
                    "leavers": -1}.items())
        assert change == pytest.approx(comp, abs=1e-6)
