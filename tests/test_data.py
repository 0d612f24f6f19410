"""Checks of the real data shipped in ``regbef_excel/data`` against published facts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regbef_excel import data
from regbef_excel.errors import InputError

DATA_DIR = Path(data.__file__).parent
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
TELEMARK = [
    "4001", "4003", "4005", "4010", "4012", "4014", "4016", "4018", "4020",
    "4022", "4024", "4026", "4028", "4030", "4032", "4034", "4036",
]  # fmt: skip


# --- municipalities -------------------------------------------------------------------------


def test_357_municipalities_and_15_counties():
    m = data.municipalities()
    assert len(m) == 357
    assert m.municip_code.is_unique and m.municip_code.str.fullmatch(r"\d{4}").all()
    assert len(data.municipality_codes()) == 357
    assert len(data.county_codes()) == 15
    assert (m.municip_code.str[:2] == m.county_code).all()


def test_telemark_has_17_municipalities_40xx():
    assert data.municipality_codes("40") == TELEMARK
    assert data.municipality_codes(40) == TELEMARK
    with pytest.raises(InputError, match="county"):
        data.municipality_codes("38")  # Vestfold og Telemark no longer exists


def test_names_are_clean_bokmal():
    m = data.municipalities().set_index("municip_code")
    assert m.loc["0301", "name"] == "Oslo"
    assert m.loc["5612", "name"] == "Kautokeino"
    assert m.loc["4014", "name"] == "Kragerø"
    assert m.loc["1818", "name"] == "Herøy (Nordland)"
    assert m.loc["1818", "name_short"] == "Herøy"
    assert m.loc["4621", "name"] == "Voss"
    assert m.name.is_unique
    assert not m.name.str.contains(r" - |\?").any()
    assert m.loc["0301", "county_name"] == "Oslo" and m.loc["1804", "county_name"] == "Nordland"


def test_coordinates_and_ba_regions():
    m = data.municipalities()
    assert m.lat.between(57.9, 71.2).all() and m.lon.between(4.5, 31.5).all()
    assert m.ba_region_code.notna().all() and m.ba_region_code.nunique() == 159
    by_code = m.set_index("municip_code")
    # Skien and Porsgrunn form one BA region; Haram (split from Ålesund 2024) inherits Ålesund's
    assert by_code.loc["4001", "ba_region_code"] == by_code.loc["4003", "ba_region_code"]
    assert by_code.loc["1580", "ba_region_code"] == by_code.loc["1508", "ba_region_code"]


# --- population -----------------------------------------------------------------------------


def test_published_totals():
    oslo = data.population("0301", 2015)
    assert oslo.population.sum() == 647_676
    tot = data.population(years=[2024, 2025]).groupby("year").population.sum()
    assert tot[2024] == 5_550_203
    assert tot[2025] == 5_594_340
    ssb = data.national_population("ssb")
    assert ssb[ssb.year == 2025].population.sum() == 5_594_340


def test_population_tidy_layout():
    p = data.population(["4001", 4003], [2024])
    assert list(p.columns) == ["municip_code", "year", "sex", "age", "population"]
    assert set(p.sex) == {"M", "F"} and p.age.min() == 0 and p.age.max() == 105
    assert len(p) == 2 * 2 * 106 and set(p.municip_code) == {"4001", "4003"}
    c = data.county_population("40", 2024)
    assert (
        c.population.sum()
        == p.population.sum() + data.population(TELEMARK[2:], 2024).population.sum()
    )


def test_population_array_open_group_and_order():
    codes = ["4003", "0301", "4001"]
    raw = data.population(codes, 2024).set_index(["municip_code", "sex", "age"]).population
    for max_age in (99, 90, 105):
        arr = data.population_array(codes, 2024, max_age=max_age)
        assert arr.shape == (3, 2, max_age + 1) and arr.dtype == np.int64
        for k, code in enumerate(codes):
            for s, sex in enumerate("MF"):
                series = raw.loc[(code, sex)]
                assert arr[k, s, max_age] == series.loc[max_age:].sum()
                assert arr[k, s, :max_age].tolist() == series.loc[: max_age - 1].tolist()
                assert arr[k, s].sum() == series.sum()
    total = data.population_array(data.municipality_codes(), 2025).sum()
    assert total == 5_594_340


def test_population_array_bad_input():
    with pytest.raises(InputError, match="9999"):
        data.population_array(["4001", "9999"], 2024)
    with pytest.raises(InputError, match="3806"):  # 2020 code of Porsgrunn
        data.population_array(["3806"], 2019)
    with pytest.raises(InputError, match="year"):
        data.population_array(["4001"], 2030)
    with pytest.raises(InputError, match="1160"):  # Vindafjord: no 2005 row in the source
        data.population_array(["1160"], 2005)
    with pytest.raises(InputError):
        data.population_array(["4001"], 2024, max_age=106)


# --- national vital rates -------------------------------------------------------------------


def test_hmd_hfd():
    mx = data.national_death_rates()
    assert mx.age.min() == 0 and mx.age.max() == 110 and mx.year.max() == 2023
    young = mx[mx.age < 100]
    assert young.mx.notna().all() and young.mx.between(0, 1).all()  # 0 where no deaths
    tfr = data.national_fertility_rates().groupby("year").asfr.sum()
    assert tfr[2022] == pytest.approx(1.41, abs=0.01)  # SSB: 1.41 in 2022
    b = data.national_births_by_sex().set_index("year")
    assert b.loc[2023, "total"] == b.loc[2023, "male"] + b.loc[2023, "female"]
    assert b.loc[1990:2023, "sex_ratio"].between(1.02, 1.09).all()
    hmd = data.national_population("hmd")
    assert hmd.year.max() == 2024 and hmd[hmd.year == 2024].population.sum() > 5_500_000


# --- Telemark -------------------------------------------------------------------------------


def test_migration_by_age():
    m = data.telemark_migration_by_age()
    assert sorted(m.municip_code.unique()) == TELEMARK
    assert (m.net == m["in"] - m["out"]).all()
    assert (m[["in", "out"]] >= 0).all().all()
    top = m.groupby("year").age.max()
    assert (top.loc[2016:2021] == 70).all() and (top.loc[2022:2025] == 99).all()
    assert not m.duplicated(["year", "municip_code", "age"]).any()


@pytest.mark.skipif(not SHARED.exists(), reason="maintainer source data not present")
def test_migration_matches_raw_file_and_raw_net_identity():
    raw = pd.read_csv(
        SHARED / "telemark" / "Flytting_etter_alder_Telemark_Panda.csv",
        sep=";",
        encoding="utf-8-sig",
    )
    raw.columns = ["year", "name", "age", "out", "in", "net"]
    raw = raw.fillna(0)
    assert (raw.net == raw["in"] - raw.out).all()
    m = data.telemark_migration_by_age()
    assert m[["out", "in", "net"]].sum().tolist() == raw[["out", "in", "net"]].sum().tolist()


def test_od_flows():
    f = data.telemark_flows()
    known = set(data.municipality_codes())
    assert set(f.origin_code) <= known and set(f.dest_code) <= known
    assert (f.persons > 0).all() and (f.origin_code != f.dest_code).all()
    assert ((f.origin_county_code == "40") | (f.dest_county_code == "40")).all()
    inner = f[(f.origin_county_code == "40") & (f.dest_county_code == "40")]
    assert set(inner.origin_code) == set(TELEMARK)
    # domestic OD moves are a subset of all moves in the age file (which includes moves abroad)
    m = data.telemark_migration_by_age()
    m25 = m[m.year == 2025].groupby("municip_code")[["out", "in"]].sum()
    assert (m25["out"] >= f.groupby("origin_code").persons.sum().reindex(m25.index)).all()
    assert (m25["in"] >= f.groupby("dest_code").persons.sum().reindex(m25.index)).all()


def test_dwellings_and_projections():
    d = data.telemark_dwellings()
    assert d.year.min() == 2013 and d.year.max() == 2026 and (d.dwellings >= 0).all()
    da = data.telemark_dwellings_by_age()
    assert set(da.municip_code) == {"4001", "4003", "4005", "4012", "4014", "4020"}
    # the counts are residents, not dwellings: close to the population, ~2x the dwellings
    res = da[(da.building_type == "Boliger i alt") & (da.age_group == "Alle aldre")]
    res = res.set_index("municip_code").residents
    pop = data.population(list(res.index), 2024).groupby("municip_code").population.sum()
    assert ((res / pop).between(0.95, 1.04)).all()  # Midt-Telemark: 1.03 (source anomaly)
    stock = d[(d.year == 2024) & d.region_code.isin(res.index)].groupby("region_code").dwellings
    assert ((res / stock.sum()).between(1.7, 2.4)).all()
    shares = da[da.age_group != "Alle aldre"].groupby(["municip_code", "building_type"]).share
    assert np.allclose(shares.sum(), 1.0, atol=1e-5)
    p = data.ssb_projection_telemark(vintage=2026, alternative="MMMM")
    start = (
        p[(p.year == 2026) & p.region_code.isin(TELEMARK)].groupby("region_code").population.sum()
    )
    obs = data.population(TELEMARK, 2026).groupby("municip_code").population.sum()
    assert start.to_dict() == obs.to_dict()  # the 2026 round starts from 1 Jan 2026
    assert set(data.ssb_projection_telemark().alternative) == {"MMMM", "LLML", "HHMH"}


def test_nav_unemployment():
    n = data.nav_unemployment()
    assert set(n.level) == {"national", "county", "municipality"}
    assert n.share_of_labour_force.dropna().between(0, 0.2).all()
    assert set(TELEMARK) <= set(n.region_code)
    a = data.nav_unemployment(annual=True)
    assert (a.months <= 12).all() and "year" in a.columns


# --- distances ------------------------------------------------------------------------------


def test_great_circle_km():
    codes = ["4001", "4003", "0301", "5501"]
    d = data.great_circle_km(codes)
    assert d.shape == (4, 4)
    assert np.allclose(d, d.T) and (np.diag(d) == 0).all() and (d[~np.eye(4, dtype=bool)] > 0).all()
    assert 5 < d[0, 1] < 30  # Skien-Porsgrunn, mean points of the municipal areas
    assert 1000 < d[2, 3] < 1300  # Oslo-Tromsø
    with pytest.raises(InputError, match="1234"):
        data.great_circle_km(["4001", "1234"])


# --- packaging and provenance ---------------------------------------------------------------


def test_provenance_covers_every_file():
    prov = data.provenance()
    files = {p.name for p in DATA_DIR.iterdir() if p.name.endswith((".csv", ".csv.gz"))}
    assert set(prov.file) == files
    assert prov.licence.str.len().gt(0).all() and prov.credit.str.len().gt(0).all()
    assert prov.credit.str.contains("Kilde: Statistisk sentralbyrå").any()
    assert prov.licence.str.contains("NLOD|CC BY 4.0").all()


def test_package_data_small_and_self_contained():
    total = sum(p.stat().st_size for p in DATA_DIR.iterdir() if p.is_file())
    assert total < 6 * 1024 * 1024
    source = (DATA_DIR / "__init__.py").read_text(encoding="utf-8")
    assert not re.search(r"shared|urlopen|requests|http\.client", source)


def test_loaders_return_copies():
    a = data.municipalities()
    a.loc[0, "name"] = "changed"
    assert data.municipalities().loc[0, "name"] == "Oslo"
