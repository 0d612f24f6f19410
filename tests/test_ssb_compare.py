"""Import of SSB's municipal projection and comparison with ours."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regbef_excel import data
from regbef_excel.data import inputs as shipped_inputs
from regbef_excel.engine import project
from regbef_excel.errors import InputError
from regbef_excel.evaluation import ssb as sc

RAW = (
    Path(__file__).resolve().parents[2]
    / "shared/data/telemark/Framskrevet_folkemengde_2026-2050.csv"
)

HEADER = "region,statistikkvariabel,år,alder,value,Framskriving,Tabell\n"
AGES = ["0 år", "1-5 år", "6-19 år", "20-66 år", "67-89 år", "90 år eller eldre"]


@pytest.fixture(scope="module")
def demo():
    inputs, _ = shipped_inputs.telemark_inputs(2025, 2035)
    return project(inputs)


def _write(tmp_path, lines, name="ssb.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(HEADER + "".join(lines), encoding=encoding)
    return p


def test_parse_age_group():
    assert sc.parse_age_group("0 år") == (0, 0)
    assert sc.parse_age_group("1-5 år") == (1, 5)
    assert sc.parse_age_group("90 år eller eldre") == (90, None)
    assert sc.parse_age_group("90+") == (90, None)
    with pytest.raises(ValueError):
        sc.parse_age_group("voksne")


def test_shipped_data_comparison_sums_to_our_totals(demo):
    c = sc.compare_with_ssb(demo, data.ssb_projection_telemark())
    assert c.attrs["vintage"] == 2026 and c.attrs["missing_zones"] == []
    # Our base stock (31 Dec 2025) is SSB's launch population (1 Jan 2026): no difference.
    assert (c.loc[c["year"] == 2026, "difference"].abs() < 1e-6).all()
    # Aggregation of our single-year ages: the groups add up to our zone totals every year.
    tot = demo.population.sum(axis=(2, 3))  # (T+1, K)
    allages = c[(c["age_group"] == sc.ALL_AGES) & (c["zone_code"] != "")]
    for row in allages.itertuples():
        k = demo.zone_codes.index(row.zone_code)
        assert row.ours == pytest.approx(tot[row.stock_date - 2025, k])
    groups = c[c["age_group"] != sc.ALL_AGES].groupby(["zone_code", "year"])[["ours", "ssb"]].sum()
    both = allages.set_index(["zone_code", "year"])[["ours", "ssb"]]
    pd.testing.assert_frame_equal(groups.loc[both.index], both, check_exact=False)
    # The region row is the sum of the zones on both sides.
    reg = c[c["zone_code"] == ""].set_index(["age_group", "year"])[["ours", "ssb"]]
    zsum = c[c["zone_code"] != ""].groupby(["age_group", "year"])[["ours", "ssb"]].sum()
    pd.testing.assert_frame_equal(zsum.loc[reg.index], reg, check_exact=False)
    # SSB's own groups, read from the data (16-19, 20-44, 45-66 are not our service groups).
    assert {"16-19 år", "20-44 år", "90 år eller eldre"} <= set(c["age_group"])
    s = sc.ssb_summary(c, years=(2030, 2036))
    assert set(s["year"]) == {2030, 2036} and len(s) == 2 * 18
    # The summary against the shipped file read here with pandas (SSB 14746, 2026 round, main
    # alternative, 1 January): SSB's municipal totals, SSB's own county row (40) for the region,
    # ours from the projection (31 Dec of the year before), the % differences and the age group
    # with the largest absolute % difference worked out by hand.
    path = resources.files("regbef_excel") / "data" / "ssb_projection_telemark.csv.gz"
    with resources.as_file(path) as f:
        raw = pd.read_csv(f, dtype={"region_code": str})
    raw = raw[(raw["vintage"] == 2026) & (raw["alternative"] == "MMMM")]
    ssb_tot = raw.groupby(["region_code", "year"])["population"].sum()
    assert ssb_tot[("40", 2030)] == 178_745  # Telemark, 1 January 2030
    by_age = demo.population.sum(axis=2)  # (T+1, K, A1)
    for row in s.itertuples():
        t = row.year - 1 - 2025
        ours = (
            by_age[t].sum(axis=0)
            if row.zone_code == ""
            else by_age[t, demo.zone_codes.index(row.zone_code)]
        )
        code = row.zone_code or "40"
        assert row.ssb == ssb_tot[(code, row.year)]
        assert row.ours == pytest.approx(ours.sum(), rel=1e-12)
        assert row.pct_difference == pytest.approx(100 * (ours.sum() - row.ssb) / row.ssb, rel=1e-9)
        grp = raw[(raw["region_code"] == code) & (raw["year"] == row.year)]
        pct = {
            g.age_group: 100 * (ours[int(g.age_from) : None if np.isnan(g.age_to) else int(g.age_to) + 1].sum()
                                - g.population) / g.population
            for g in grp.itertuples()
        }  # fmt: skip
        largest = max(pct, key=lambda k: abs(pct[k]))
        assert (row.largest_group, row.largest_group_pct) == (
            largest,
            pytest.approx(pct[largest], rel=1e-9),
        )


def test_read_raw_csv_maps_names_and_groups(tmp_path, demo):
    lines = []
    for region in ("Porsgrunn", "Skien", "Telemark", "Hele landet"):
        for y in (2026, 2030):
            for i, a in enumerate(AGES):
                lines.append(f"{region},Hovedalternativet (MMMM),{y},{a},{100 + i},2026,14746\n")
    lines.append("Skien,Hovedalternativet (MMMM),2030,Alle aldre,999,2026,14746\n")
    f = sc.read_ssb_projection_csv(_write(tmp_path, lines))
    assert list(f.columns) == list(sc.SSB_COLUMNS)
    assert set(f["region_code"]) == {"4001", "4003", "40", "00"}
    assert set(f["alternative"]) == {"MMMM"} and set(f["vintage"]) == {2026}
    assert len(f) == 4 * 2 * len(AGES)  # the total row is dropped
    open_rows = f[f["age_group"] == "90 år eller eldre"]
    assert open_rows["age_to"].isna().all() and (open_rows["age_from"] == 90).all()
    # Comparison with groups that differ from the shipped ones: aggregation follows the file.
    c = sc.compare_with_ssb(demo, f)
    assert set(c["zone_code"]) == {"4001", "4003", ""}
    assert len(c.attrs["missing_zones"]) == 15
    k = demo.zone_codes.index("4003")
    by_age = demo.population.sum(axis=2)[2030 - 1 - 2025, k]
    row = c[(c["zone_code"] == "4003") & (c["year"] == 2030) & (c["age_group"] == "6-19 år")]
    assert row["ours"].iloc[0] == pytest.approx(by_age[6:20].sum())
    assert row["ssb"].iloc[0] == 102


def test_read_semicolon_latin1(tmp_path):
    p = tmp_path / "ssb_latin1.csv"
    text = (HEADER + "Kragerø,Lav nasjonal vekst (LLML),2027,0 år,50,2026,14746\n").replace(
        ",", ";"
    )
    p.write_bytes(text.encode("latin-1"))
    f = sc.read_ssb_projection_csv(p)
    assert f.iloc[0]["region_code"] == "4014" and f.iloc[0]["alternative"] == "LLML"


def test_unknown_region_names_the_row(tmp_path):
    lines = [
        "Porsgrunn,Hovedalternativet (MMMM),2026,0 år,1,2026,14746\n",
        "Atlantis,Hovedalternativet (MMMM),2026,0 år,1,2026,14746\n",
    ]
    with pytest.raises(InputError, match=r"row 3.*unknown region.*Atlantis"):
        sc.read_ssb_projection_csv(_write(tmp_path, lines))


def test_unknown_age_group_names_the_row(tmp_path):
    lines = ["Porsgrunn,Hovedalternativet (MMMM),2026,småbarn,1,2026,14746\n"]
    with pytest.raises(InputError, match=r"row 2.*unknown age group.*småbarn"):
        sc.read_ssb_projection_csv(_write(tmp_path, lines))


def test_missing_column_and_alternative(tmp_path, demo):
    p = tmp_path / "bad.csv"
    p.write_text("region,år,value\nPorsgrunn,2026,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="statistikkvariabel"):
        sc.read_ssb_projection_csv(p)
    with pytest.raises(InputError, match="alternative"):
        sc.compare_with_ssb(demo, data.ssb_projection_telemark(), alternative="XXXX")


@pytest.mark.skipif(not RAW.exists(), reason="shared SSB export not available")
def test_raw_export_equals_shipped_data():
    f = sc.read_ssb_projection_csv(RAW)
    shipped = data.ssb_projection_telemark(2026)
    key = ["vintage", "ssb_table", "region_code", "alternative", "year", "age_group"]
    m = f.merge(shipped, on=key, how="outer", indicator=True, suffixes=("", "_shipped"))
    assert (m["_merge"] == "both").all()
    np.testing.assert_array_equal(m["population"], m["population_shipped"])
