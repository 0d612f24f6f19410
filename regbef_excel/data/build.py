"""Build the compact real data shipped inside ``regbef_excel/data/`` (maintainer script).

Reads the collected source files under ``--shared`` (default ``../shared/data`` relative to the
repository root) and writes tidy, compact, deterministic CSV files plus ``provenance.json`` into
``regbef_excel/data/``. Nothing is downloaded. Running the script twice gives byte-identical files
(gzip streams are written with ``mtime=0`` and no file name).

Usage::

    python -m regbef_excel.data.build [--shared PATH] [--out PATH]

The script checks the published facts it relies on (national totals, Oslo 2015, identities in
the migration file) and stops with an ``AssertionError`` when a source file changed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
DEFAULT_OUT = Path(__file__).resolve().parent

MAX_AGE_SSB = 105  # SSB 07459: 105 = 105 years and older
HMD_YEAR_MIN = 1967  # first HFD year; HMD rates kept from here to the last year (2023)

# Bokmål (Norwegian) form of every municipality whose SSB Klass name lists several official
# language forms separated by " - " (Sámi, Kven). Checked against the Klass name at build time.
BOKMAL_NAMES = {
    "0301": "Oslo",
    "1826": "Hattfjelldal",
    "1833": "Rana",
    "1841": "Fauske",
    "1845": "Sørfold",
    "1853": "Evenes",
    "1870": "Sortland",
    "1875": "Hamarøy",
    "5001": "Trondheim",
    "5006": "Steinkjer",
    "5007": "Namsos",
    "5025": "Røros",
    "5037": "Levanger",
    "5041": "Snåsa",
    "5043": "Røyrvik",
    "5503": "Harstad",
    "5512": "Tjeldsund",
    "5516": "Gratangen",
    "5518": "Lavangen",
    "5536": "Lyngen",
    "5538": "Storfjord",
    "5540": "Kåfjord",
    "5544": "Nordreisa",
    "5603": "Hammerfest",
    "5610": "Karasjok",
    "5612": "Kautokeino",
    "5622": "Porsanger",
    "5628": "Tana",
    "5636": "Nesseby",
}

# BA-region file rows whose "2020" code was not valid in 2020: bad code -> (2020 code, name).
BA_CODE_FIXES = {
    "1567": ("5061", "Rindal"),  # pre-2019 Møre og Romsdal code; Rindal moved to Trøndelag 2019
    "3444": ("3053", "Jevnaker"),  # 3444 never existed; Jevnaker was 3053 (Viken) in 2020
    "3445": ("3054", "Lunner"),  # 3445 never existed; Lunner was 3054 (Viken) in 2020
}

# Spellings in the Telemark files that are not the official name.
NAME_ALIASES = {"Kragerå": "Kragerø"}

SSB_LICENCE = "NLOD 2.0 / CC BY 4.0"
SSB_CREDIT = "Kilde: Statistisk sentralbyrå"


# --------------------------------------------------------------------------------------------
# writing helpers
# --------------------------------------------------------------------------------------------


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line ends; gzip (mtime 0) if the name ends .gz."""
    text = df.to_csv(index=False, lineterminator="\n")
    data = text.encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(data)
    print(f"  wrote {path.name:45s} {len(df):8d} rows {len(data) / 1024:9.1f} KiB")


def wide_by_age(df: pd.DataFrame, keys: list[str], max_age: int) -> pd.DataFrame:
    """Pivot a tidy (keys, age, population) frame to one row per key with columns age_0..."""
    wide = df.pivot(index=keys, columns="age", values="population")
    assert list(wide.columns) == list(range(max_age + 1)), "ages are not 0..max_age"
    assert not wide.isna().any().any(), "missing cells in age pivot"
    wide = wide.astype("int64")
    wide.columns = [f"age_{a}" for a in wide.columns]
    return wide.reset_index().sort_values(keys, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# municipalities
# --------------------------------------------------------------------------------------------


def build_municipalities(shared: Path) -> pd.DataFrame:
    """Municipality list on 2024 borders with names, county, coordinates and BA region."""
    loc = shared / "locations"
    klass = pd.read_csv(
        loc / "ssb_klass_kommuneinndeling_2026.csv", sep=";", encoding="latin-1", dtype=str
    )
    klass = klass.loc[klass.code != "9999", ["code", "name"]]  # 9999 = unknown municipality
    hier = pd.read_csv(loc / "nor_locations_hierarchy_b2024.csv", dtype=str)
    hier = hier[hier.municip_code.notna() & hier.municip_code.str.startswith("municip_nor")]
    hier = hier.drop_duplicates("municip_code")
    hier = hier.assign(
        municip_code=hier.municip_code.str[-4:],
        county_code=hier.county_code.str[-2:],
        # hierarchy county names are "Norwegian-Sámi" (e.g. "Nordland-Nordlándda"): first part
        county_name=hier.county_name.str.split("-").str[0],
    )
    hier = hier[hier.municip_code != "9999"][["municip_code", "county_code", "county_name"]]
    assert len(hier) == 357, len(hier)

    # names: SSB Klass 2026 (codes identical to 2024: checked below), bokmål form
    multi = klass[klass.name.str.contains(" - ")]
    assert set(multi.code) == set(BOKMAL_NAMES), set(multi.code) ^ set(BOKMAL_NAMES)
    for code, nb in BOKMAL_NAMES.items():
        parts = klass.loc[klass.code == code, "name"].iloc[0].split(" - ")
        assert nb in parts, (code, nb, parts)
    klass = klass.assign(name=klass.code.map(BOKMAL_NAMES).fillna(klass.name))
    klass = klass.assign(name_short=klass.name.str.replace(r" \(.*\)$", "", regex=True))
    assert set(klass.code) == set(hier.municip_code), "Klass 2026 codes differ from 2024 codes"

    coords = pd.read_csv(
        loc / "koordinater_gjennomsnitt_kommuner_2026.csv", dtype={"kommunenummer": str}
    )
    coords = coords.rename(columns={"kommunenummer": "code", "MEAN_X": "lon", "MEAN_Y": "lat"})
    assert set(coords.code) == set(hier.municip_code), "coordinate codes differ from 2024 codes"
    coords = coords.assign(lon=coords.lon.round(6), lat=coords.lat.round(6))

    ba = build_ba_regions(shared)

    m = (
        hier.rename(columns={"municip_code": "code"})
        .merge(klass, on="code", how="left", validate="1:1")
        .merge(coords, on="code", how="left", validate="1:1")
        .merge(ba, on="code", how="left", validate="1:1")
    )
    m = m.rename(columns={"code": "municip_code"})
    cols = [
        "municip_code", "name", "name_short", "county_code", "county_name", "lon", "lat",
        "ba_region_code", "ba_region_name", "ba_travel_time_min", "ba_out_commuting_pct",
        "ba_in_commuting_pct", "ba_inclusion_basis", "ba_source_code_2020",
    ]  # fmt: skip
    m = m[cols].sort_values("municip_code").reset_index(drop=True)
    assert m.name.is_unique, m.name[m.name.duplicated()].tolist()
    assert m.municip_code.str[:2].eq(m.county_code).all()
    assert not m[["name", "lon", "lat"]].isna().any().any()
    return m


def build_ba_regions(shared: Path) -> pd.DataFrame:
    """TØI BA regions (2020 municipality codes) mapped to 2024 codes."""
    loc = shared / "locations"
    ba = pd.read_csv(loc / "baregioner_2020_etter_kommune.csv", dtype=str)
    ba = ba.assign(
        code_2020=ba.kommune_2020.str[:4],
        name_2020=ba.kommune_2020.str[5:],
        # the file writes region 5 both as "05 Oslo/Bærum" and "5 Oslo/Bærum": use integers
        ba_region_code=ba.ba_region.str.extract(r"^(\d+) ")[0].astype(int),
        ba_region_name=ba.ba_region.str.replace(r"^\d+ ", "", regex=True),
    )
    # three rows carry codes that were not valid in 2020: fix them (names checked)
    for bad, (good, name) in BA_CODE_FIXES.items():
        row = ba.code_2020 == bad
        assert row.sum() == 1 and ba.loc[row, "name_2020"].item() == name, (bad, name)
        ba.loc[row, "code_2020"] = good
    names = ba.groupby("ba_region_code").ba_region_name.nunique()
    assert (names == 1).all(), names[names > 1]
    red = pd.read_csv(loc / "nor_locations_redistricting_b2024.csv.gz", dtype=str)
    red = red[(red.granularity_geo == "municip") & (red.calyear == "2020.0")]
    red = pd.DataFrame(
        {
            "code": red.location_code_current.str[-4:],
            "code_2020": red.location_code_original.str[-4:],
        }
    )
    out = red.merge(ba, on="code_2020", how="left")
    # every 2024 municipality has exactly one 2020 ancestor (Haram 1580 and Ålesund 1508 both
    # come from 2020 Ålesund 1507 and inherit its region)
    assert out.code.is_unique and out.ba_region_code.notna().all()
    out = out.rename(
        columns={
            "reisetid_min": "ba_travel_time_min",
            "utpendling_pct": "ba_out_commuting_pct",
            "innpendling_pct": "ba_in_commuting_pct",
            "inkluderingsgrunnlag": "ba_inclusion_basis",
            "code_2020": "ba_source_code_2020",
        }
    )
    for c in ["ba_travel_time_min", "ba_out_commuting_pct", "ba_in_commuting_pct"]:
        out[c] = out[c].astype(float)
    return out[
        [
            "code", "ba_region_code", "ba_region_name", "ba_travel_time_min",
            "ba_out_commuting_pct", "ba_in_commuting_pct", "ba_inclusion_basis",
            "ba_source_code_2020",
        ]
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------
# population (SSB 07459)
# --------------------------------------------------------------------------------------------


def _tidy_07459(df: pd.DataFrame, code_col: str | None) -> pd.DataFrame:
    df = df.rename(columns={"calyear": "year", "pop_jan1_n": "population"})
    df = df.assign(sex=df.sex.map({"male": "M", "female": "F"}))
    assert df.sex.notna().all()
    assert df.population.ge(0).all()
    return df


#: Municipalities split in 2024 whose back-calculated series before 2024 are identical halves of
#: the merged municipality in the source (csdata): (code, code, first year of real data).
SPLIT_PAIRS = (("1508", "1580", 2024),)  # Ålesund and Haram


def split_merged_pairs(mun: pd.DataFrame) -> pd.DataFrame:
    """Re-split municipalities whose pre-split history is two identical halves.

    For 2005–2023 the source gives Ålesund (1508) and Haram (1580) the same series, each half
    of the merged Ålesund of 2020–2023 (and of old Ålesund + Haram before 2020). We keep the
    merged total per sex × age and split it by each municipality's share of that sex × age on
    1 January of the first split year (2024). An approximation (the old 1534 Haram series is
    not in the shipped data), documented in data/README.md; the sum is unchanged.
    """
    mun = mun.copy()
    for a, b, first in SPLIT_PAIRS:
        key = ["sex", "age"]
        ref = mun[(mun.year == first) & mun.municip_code.isin([a, b])]
        share = ref.pivot_table(index=key, columns="municip_code", values="population")
        share = share[a] / (share[a] + share[b])
        early = mun.year < first
        pa = mun[early & (mun.municip_code == a)].set_index(["year", *key]).population
        pb = mun[early & (mun.municip_code == b)].set_index(["year", *key]).population
        assert pa.equals(pb), "the pair is no longer identical in the source: remove the fix"
        total = pa + pb
        sh = share.reindex(total.index.droplevel("year")).fillna(0.5).to_numpy()
        new_a = (total * sh).round().astype(int)
        new_b = total - new_a
        for code, vals in ((a, new_a), (b, new_b)):
            rows = early & (mun.municip_code == code)
            idx = mun.loc[rows].set_index(["year", *key]).index
            mun.loc[rows, "population"] = vals.reindex(idx).to_numpy()
    return mun


def build_population(shared: Path, out: Path, municipalities: pd.DataFrame) -> None:
    """Write municipal, county and national population by sex and single age (wide)."""
    src = shared / "ssb07459"
    mun = pd.read_csv(
        src / "ssb07459_municip_sex_age_2005_2026_b2024.csv.gz", dtype={"municip_code": str}
    )
    mun = split_merged_pairs(_tidy_07459(mun, "municip_code"))
    assert set(mun.municip_code) == set(municipalities.municip_code)
    totals = mun.groupby("year").population.sum()
    assert totals[2024] == 5_550_203 and totals[2025] == 5_594_340, totals
    oslo = mun[(mun.municip_code == "0301") & (mun.year == 2015)].population.sum()
    assert oslo == 647_676, oslo
    write_csv(
        wide_by_age(mun, ["municip_code", "year", "sex"], MAX_AGE_SSB),
        out / "population_municipality.csv.gz",
    )

    cty = pd.read_csv(
        src / "ssb07459_county_sex_age_2005_2026_b2024.csv", dtype={"county_code": str}
    )
    cty = _tidy_07459(cty, "county_code")
    agg = (
        mun.assign(county_code=mun.municip_code.str[:2])
        .groupby(["county_code", "year", "sex", "age"])
        .population.sum()
    )
    chk = cty.set_index(["county_code", "year", "sex", "age"]).population
    assert agg.reindex(chk.index).eq(chk).all(), "county file != sum of municipalities"
    write_csv(
        wide_by_age(cty, ["county_code", "year", "sex"], MAX_AGE_SSB),
        out / "population_county.csv.gz",
    )

    nat = _tidy_07459(pd.read_csv(src / "ssb07459_national_sex_age_1986_2026.csv"), None)
    nat_tot = nat.groupby("year").population.sum()
    assert nat_tot[2024] == 5_550_203 and nat_tot[2025] == 5_594_340
    write_csv(wide_by_age(nat, ["year", "sex"], MAX_AGE_SSB), out / "population_national.csv.gz")


# --------------------------------------------------------------------------------------------
# HMD / HFD
# --------------------------------------------------------------------------------------------


def _read_hmd_1x1(path: Path, value: str) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=r"\s+", skiprows=2, dtype=str)
    raw = raw[raw.Year.str.fullmatch(r"\d{4}")]  # HMD marks territorial changes with +/-
    raw = raw.assign(Year=raw.Year.astype(int), Age=raw.Age.str.rstrip("+").astype(int))
    long = raw.melt(
        id_vars=["Year", "Age"], value_vars=["Male", "Female"], var_name="sex", value_name=value
    )
    long = long.assign(
        sex=long.sex.map({"Male": "M", "Female": "F"}),
        **{value: pd.to_numeric(long[value].replace(".", np.nan))},
    )
    return long.rename(columns={"Year": "year", "Age": "age"})


def build_hmd_hfd(shared: Path, out: Path) -> None:
    """Write HMD death rates/deaths, HMD population, HMD births and HFD ASFR (tidy)."""
    src = shared / "hmd_hfd_norway"
    mx = _read_hmd_1x1(src / "Mx_1x1.txt", "mx")
    dx = _read_hmd_1x1(src / "Deaths_1x1.txt", "deaths")
    keys = ["year", "sex", "age"]
    md = mx.merge(dx, on=keys, how="outer", validate="1:1")
    md = md[md.year >= HMD_YEAR_MIN].sort_values(keys).reset_index(drop=True)
    assert md.age.max() == 110 and md.deaths.notna().all()
    md = md.assign(deaths=md.deaths.round(2))
    write_csv(md[keys + ["mx", "deaths"]], out / "hmd_mortality.csv.gz")

    pop = _read_hmd_1x1(src / "Population.txt", "population")
    pop = pop[pop.year >= HMD_YEAR_MIN].sort_values(keys).reset_index(drop=True)
    assert (pop.population % 1 == 0).all()
    pop = pop.assign(population=pop.population.astype("int64"))
    write_csv(pop[keys + ["population"]], out / "hmd_population.csv.gz")

    births = pd.read_csv(src / "Births.txt", sep=r"\s+", skiprows=2)
    births = births.rename(
        columns={"Year": "year", "Male": "male", "Female": "female", "Total": "total"}
    )[["year", "male", "female", "total"]]
    assert (births.male + births.female == births.total).all()
    write_csv(births.sort_values("year"), out / "hmd_births.csv")

    asfr = pd.read_csv(src / "NORasfrRR.txt", sep=r"\s+", skiprows=2, dtype=str)
    asfr = pd.DataFrame(
        {
            "year": asfr.Year.astype(int),
            "age": asfr.Age.str.rstrip("+-").astype(int),
            "asfr": asfr.ASFR.astype(float),
        }
    ).sort_values(["year", "age"])
    assert asfr.age.min() == 12 and asfr.age.max() == 55
    write_csv(asfr, out / "hfd_asfr.csv")


# --------------------------------------------------------------------------------------------
# Telemark
# --------------------------------------------------------------------------------------------


def _name_to_code(municipalities: pd.DataFrame, county_code: str | None = None) -> dict:
    m = municipalities
    if county_code is not None:
        m = m[m.county_code == county_code]
    mapping = dict(zip(m.name, m.municip_code, strict=True))
    short = m.groupby("name_short").municip_code.agg(list)
    mapping.update({n: c[0] for n, c in short.items() if len(c) == 1})
    for alias, name in NAME_ALIASES.items():
        if name in mapping:
            mapping[alias] = mapping[name]
    return mapping


def build_telemark(shared: Path, out: Path, municipalities: pd.DataFrame) -> None:
    """Write the Telemark files: migration by age, OD flows, dwellings, projections."""
    src = shared / "telemark"
    tm = _name_to_code(municipalities, "40")
    assert len(municipalities[municipalities.county_code == "40"]) == 17

    # -- migration by single age (both sexes, includes moves abroad and within Telemark) -----
    mig = pd.read_csv(src / "Flytting_etter_alder_Telemark_Panda.csv", sep=";",
                      encoding="utf-8-sig")  # fmt: skip
    mig.columns = ["year", "name", "age", "out", "in", "net"]
    assert mig.age.str.fullmatch(r"\d+ år").all()
    mig = mig.assign(municip_code=mig.name.map(tm), age=mig.age.str.replace(" år", "").astype(int))
    assert mig.municip_code.notna().all(), mig.name[mig.municip_code.isna()].unique()
    assert not mig.duplicated(["year", "municip_code", "age"]).any()
    # blank cells are zeros (SSB leaves zero cells empty): the identity holds only this way
    mig[["out", "in", "net"]] = mig[["out", "in", "net"]].fillna(0).astype("int64")
    assert (mig.net == mig["in"] - mig.out).all()
    cover = mig.groupby("year").age.agg(["min", "max", "count"])
    assert (cover.loc[2016:2021, "max"] == 70).all() and (cover.loc[2022:2025, "max"] == 99).all()
    assert (cover["count"] == 17 * (cover["max"] + 1)).all()
    mig = mig.sort_values(["year", "municip_code", "age"])
    write_csv(mig[["year", "municip_code", "age", "out", "in"]],
              out / "telemark_migration_by_age.csv")  # fmt: skip

    # -- origin-destination flows 2025 (domestic moves between municipalities) -----------------
    counties = municipalities.drop_duplicates("county_code").set_index("county_name").county_code
    frames = []
    for fname in ["fraflytting_fra_telemarkskommuner.csv", "tilflytting_til_telemarkskommuner.csv"]:
        f = pd.read_csv(src / fname)
        f = pd.DataFrame(
            {
                "year": f["År"],
                "origin_name": f["Fra kommune"],
                "origin_county_code": f["Fra fylke"].map(counties),
                "dest_name": f["Til kommune"],
                "dest_county_code": f["Til fylke"].map(counties),
                "persons": f["Antall"].astype("int64"),
            }
        )
        assert f.origin_county_code.notna().all() and f.dest_county_code.notna().all()
        for side in ["origin", "dest"]:
            codes = []
            for name, cc in zip(f[f"{side}_name"], f[f"{side}_county_code"], strict=True):
                codes.append(_name_to_code(municipalities, cc).get(name))
            f[f"{side}_code"] = codes
            assert f[f"{side}_code"].notna().all(), f.loc[f[f"{side}_code"].isna(), f"{side}_name"]
        frames.append(f)
    fra, til = frames
    key = ["year", "origin_code", "dest_code"]
    inner_fra = fra[fra.dest_county_code == "40"].set_index(key).persons.sort_index()
    inner_til = til[til.origin_county_code == "40"].set_index(key).persons.sort_index()
    assert inner_fra.index.equals(inner_til.index) and inner_fra.eq(inner_til).all(), (
        "within-Telemark flows differ between the two files"
    )
    od = pd.concat([fra, til[til.origin_county_code != "40"]], ignore_index=True)
    assert not od.duplicated(key).any() and (od.persons > 0).all()
    assert (od.origin_code != od.dest_code).all()
    od = od.sort_values(key)[
        ["year", "origin_code", "origin_county_code", "dest_code", "dest_county_code", "persons"]
    ]
    write_csv(od, out / "telemark_flows_2025.csv")

    # -- dwellings by building type 2013-2026 (SSB 06265) --------------------------------------
    dw = pd.read_csv(src / "ssb06265_boliger_etter_boligtype_telemark.csv",
                     dtype={"Kommunenummer": str})  # fmt: skip
    dw = pd.DataFrame(
        {
            "region_code": dw.Kommunenummer,
            "year": dw["År"].str[-4:].astype(int),
            "building_type": dw.Bygningstype,
            "building_type_order": dw.Sort_Bygningstype,
            "building_type_group": dw.Bygningstype_4_gr,
            "building_type_group_order": dw.Sort_Bygningstype_4_gr,
            "dwellings": dw.Antall.astype("int64"),
        }
    )
    assert dw["year"].between(2013, 2026).all()
    assert not dw.duplicated(["region_code", "year", "building_type"]).any()
    assert set(dw.region_code) == set(tm.values()) | {"40", "00"}
    tele = dw[dw.region_code.str.len() == 4].groupby(["year", "building_type"]).dwellings.sum()
    county = dw[dw.region_code == "40"].set_index(["year", "building_type"]).dwellings
    assert tele.reindex(county.index).eq(county).all(), "county dwellings != sum of municipalities"
    write_csv(dw.sort_values(["region_code", "year", "building_type_order"]),
              out / "telemark_dwellings.csv")  # fmt: skip

    # -- residents by dwelling type x age group, 1 Jan 2024 -------------------------------------
    # The source is named "boliger etter type og bosattes alder" but its counts are PERSONS (they
    # add up to the population by age, about twice the number of dwellings in SSB 06265).
    da = pd.read_csv(
        src / "boliger_etter_type_og_bosattes_alder_telemark_2024.csv",
        dtype={"Kommunenummer": str},
    )
    da = pd.DataFrame(
        {
            "municip_code": da.Kommunenummer,
            "year": da["År"].str[-4:].astype(int),
            "age_group": da.Alder,
            "age_group_order": da.SortAlder,
            "building_type": da.Bygningstype,
            "building_type_order": da.SortBygningstype,
            "residents": da.Antall.round().astype("int64"),
        }
    )
    assert set(da.municip_code) <= set(tm.values())
    key = ["municip_code", "building_type"]
    total = da[da.age_group == "Alle aldre"].set_index(key).residents
    groups = da[da.age_group != "Alle aldre"].groupby(key).residents
    assert groups.sum().reindex(total.index).eq(total).all()
    # the published "Andel" divides by twice the total (the "Alle aldre" row was included in the
    # denominator): recompute the age group's share of the building type's residents
    denom = da.set_index(key).index.map(total)
    da = da.assign(share=(da.residents / np.asarray(denom, dtype=float)).round(6))
    write_csv(
        da.sort_values(["municip_code", "building_type_order", "age_group_order"]),
        out / "telemark_residents_by_dwelling_type_2024.csv",
    )

    # -- SSB official projections (14288: 2024 vintage, 14746: 2026 vintage) -------------------
    proj = []
    for fname in ["Framskrevet_folkemengde_2024-2050.csv", "Framskrevet_folkemengde_2026-2050.csv"]:
        p = pd.read_csv(src / fname)
        proj.append(p)
    p = pd.concat(proj, ignore_index=True)
    region = {**tm, "Telemark": "40", "Hele landet": "00"}
    ages = p.alder.str.extract(r"^(\d+)(?:-(\d+))? år( eller eldre)?$")
    assert ages[0].notna().all(), p.alder[ages[0].isna()].unique()
    age_from = ages[0].astype(int)
    age_to = ages[1].fillna(ages[0]).astype(float)
    age_to[ages[2].notna()] = np.nan  # open group "90 år eller eldre"
    p = pd.DataFrame(
        {
            "vintage": p.Framskriving.astype(int),
            "ssb_table": p.Tabell.astype(str),
            "region_code": p.region.map(region),
            "alternative": p.statistikkvariabel.str.extract(r"\((\w{4})\)")[0],
            "year": p["år"].astype(int),
            "age_group": p.alder,
            "age_from": age_from,
            "age_to": age_to.astype("Int64"),
            "population": p.value.astype("int64"),
        }
    )
    assert p.region_code.notna().all() and p.alternative.notna().all()
    assert not p.duplicated(["vintage", "region_code", "alternative", "year", "age_group"]).any()
    p = p.sort_values(["vintage", "alternative", "region_code", "year", "age_from"])
    write_csv(p, out / "ssb_projection_telemark.csv.gz")


# --------------------------------------------------------------------------------------------
# NAV
# --------------------------------------------------------------------------------------------

NAV_STATUS = {
    "Helt ledige": "fully_unemployed",
    "Delvis ledige": "partly_unemployed",
    "Arbeidssøkere på tiltak": "on_programmes",
}
NAV_SEX = {"Begge kjønn": "T", "Menn": "M", "Kvinner": "F"}
NAV_LEVEL = {"Landet": "national", "Fylker": "county", "Telemark kommuner": "municipality"}


def build_nav(shared: Path, out: Path, municipalities: pd.DataFrame) -> None:
    """Write NAV registered unemployment by month (counties, Telemark municipalities)."""
    n = pd.read_csv(
        shared / "telemark" / "nav_arbeidsledighet_fylke_telemarkkommuner_2011_2026.csv.gz"
    )
    n["Geografisk enhet"] = n["Geografisk enhet"].str.strip()  # "Troms " (2011-2024) = "Troms"
    counties = dict(zip(municipalities.county_name, municipalities.county_code, strict=False))
    codes = {
        **counties,
        **_name_to_code(municipalities, "40"),
        "Landet": "00",
        "Svalbard og øvrige områder": "21",
        "Ukjent": "99",
    }
    n = pd.DataFrame(
        {
            "level": n["Nivå"].map(NAV_LEVEL),
            "region_code": n["Geografisk enhet"].map(codes),
            "region_name": n["Geografisk enhet"],
            "month": n.Dato.str[:7],
            "status": n.Arbeidsmarkedsstatus.map(NAV_STATUS),
            "sex": n["Kjønn"].map(NAV_SEX),
            "persons": n["Antall personer"].astype("int64"),
            "share_of_labour_force": n["Andel av arbeidsstyrken"],
        }
    )
    assert not n[["level", "region_code", "status", "sex"]].isna().any().any()
    assert not n.duplicated(["region_code", "month", "status", "sex"]).any()
    n = n.sort_values(["level", "region_code", "status", "sex", "month"])
    write_csv(n, out / "nav_unemployment.csv.gz")


# --------------------------------------------------------------------------------------------
# provenance
# --------------------------------------------------------------------------------------------


def ssb(table: str, title: str, url: str, transformed: str, file: str) -> dict:
    """A provenance record for an SSB table."""
    return {
        "file": file,
        "title": title,
        "source_table": table,
        "publisher": "Statistisk sentralbyrå (Statistics Norway, SSB)",
        "licence": SSB_LICENCE,
        "credit": SSB_CREDIT,
        "url": url,
        "transformed": transformed,
    }


def provenance_records() -> list[dict]:
    """One record per shipped file (the order is the order on the workbook cover sheet)."""
    hmd = {
        "publisher": "Human Mortality Database (University of California, Berkeley, and "
        "Max Planck Institute for Demographic Research), from SSB data",
        "licence": "CC BY 4.0",
        "credit": "Human Mortality Database, www.mortality.org",
        "url": "https://www.mortality.org",
    }
    return [
        {
            "file": "municipalities.csv",
            "title": "Municipalities (2024 borders = 2026 codes): names, county, mean "
            "coordinates, housing and labour-market (BA) region",
            "source_table": "SSB Klass 131 (kommuneinndeling 2026); mean coordinates of "
            "municipalities 2026 (as collected, publisher not stated); TØI 2019 BA regions "
            "(2020 codes)",
            "publisher": "Statistisk sentralbyrå (SSB); Transportøkonomisk institutt (TØI)",
            "licence": f"SSB: {SSB_LICENCE}; BA regions: TØI 2019 (public report for KMD)",
            "credit": f"{SSB_CREDIT}; TØI (2019, for KMD): Bo- og arbeidsmarkedsregioner",
            "url": "https://www.ssb.no/klass/klassifikasjoner/131",
            "transformed": "bokmål short names; county from the csdata hierarchy; BA region "
            "mapped from 2020 to 2024 codes (Haram 1580 inherits Ålesund 1507)",
        },
        ssb(
            "07459",
            "Population 1 January by municipality, sex and single age (0-105+), "
            "2005-2026, 2024 borders",
            "https://www.ssb.no/statbank/table/07459",
            "wide by age (age_0..age_105, 105 = 105+); sex M/F; back-calculated to 2024 "
            "borders (csdata, FHI)",
            "population_municipality.csv.gz",
        ),
        ssb(
            "07459",
            "Population 1 January by county, sex and single age, 2005-2026",
            "https://www.ssb.no/statbank/table/07459",
            "wide by age",
            "population_county.csv.gz",
        ),
        ssb(
            "07459",
            "Population 1 January, Norway, by sex and single age, 1986-2026",
            "https://www.ssb.no/statbank/table/07459",
            "wide by age",
            "population_national.csv.gz",
        ),
        {
            "file": "hmd_mortality.csv.gz",
            "title": "Norway: central death rates and deaths by sex and single age (0-110+), "
            f"{HMD_YEAR_MIN}-2023",
            "source_table": "HMD Mx_1x1, Deaths_1x1 (version of 1 Aug 2024)",
            **hmd,
            "transformed": "tidy; Male/Female only; '.' (no exposure) -> empty",
        },
        {
            "file": "hmd_population.csv.gz",
            "title": f"Norway: population 1 January by sex and single age, {HMD_YEAR_MIN}-2024",
            "source_table": "HMD Population (version of 1 Aug 2024)",
            **hmd,
            "transformed": "tidy; Male/Female only",
        },
        {
            "file": "hmd_births.csv",
            "title": "Norway: live births by sex, 1846-2023",
            "source_table": "HMD Births (version of 1 Aug 2024)",
            **hmd,
            "transformed": "column names only",
        },
        {
            "file": "hfd_asfr.csv",
            "title": "Norway: period age-specific fertility rates, ages 12-55 (12 = 12 and "
            "younger, 55 = 55+), 1967-2022",
            "source_table": "HFD NORasfrRR (version of 19 Apr 2023)",
            "publisher": "Human Fertility Database (Max Planck Institute for Demographic "
            "Research and Vienna Institute of Demography), from SSB data",
            "licence": "CC BY 4.0",
            "credit": "Human Fertility Database, www.humanfertility.org",
            "url": "https://www.humanfertility.org",
            "transformed": "tidy; open-age markers removed",
        },
        ssb(
            "SSB migration statistics (flytting) by single age; PANDA input extract published "
            "by Telemark fylkeskommune, table number not stated",
            "Telemark: out- and in-migration by municipality and single age, both sexes, "
            "2016-2025 (ages 0-70 in 2016-2021, 0-99 in 2022-2025)",
            "https://www.ssb.no/befolkning/flytting",
            "names -> 2024 codes ('Kragerå' = Kragerø); blank cells = 0; net dropped (= in - out)",
            "telemark_migration_by_age.csv",
        ),
        ssb(
            "13864",
            "Moves between municipalities from and to Telemark municipalities, 2025",
            "https://www.ssb.no/statbank/table/13864",
            "names -> 2024 codes; the two files merged (within-Telemark flows are identical "
            "in both)",
            "telemark_flows_2025.csv",
        ),
        ssb(
            "06265",
            "Telemark: dwellings by building type, 1 January 2013-2026",
            "https://www.ssb.no/statbank/table/06265",
            "column names; year from date",
            "telemark_dwellings.csv",
        ),
        ssb(
            "SSB dwelling and household statistics; extract published by Telemark "
            "fylkeskommune, table number not stated",
            "Telemark (6 largest municipalities): residents (persons living in dwellings) by "
            "building type of the dwelling and age group, 1 January 2024",
            "https://www.ssb.no/bygg-bolig-og-eiendom/bolig-og-boforhold/statistikk/boliger",
            "column names; counts are persons (source file name says dwellings); share "
            "recomputed (the published share divided by twice the total)",
            "telemark_residents_by_dwelling_type_2024.csv",
        ),
        ssb(
            "14288, 14746",
            "SSB population projections for Telemark municipalities, "
            "vintages 2024 and 2026, alternatives MMMM/LLML/HHMH, grouped ages",
            "https://www.ssb.no/statbank/table/14746",
            "names -> codes (Telemark = 40, Hele landet = 00); age groups parsed",
            "ssb_projection_telemark.csv.gz",
        ),
        {
            "file": "nav_unemployment.csv.gz",
            "title": "Registered unemployment by month, counties (2024 borders), Norway and "
            "Telemark municipalities, 2011-01 to 2026-01",
            "source_table": "NAV Hovedtall om arbeidsmarkedet (helt ledige, delvis ledige, "
            "arbeidssøkere på tiltak)",
            "publisher": "Arbeids- og velferdsetaten (NAV)",
            "licence": "NLOD 2.0",
            "credit": "Kilde: NAV",
            "url": "https://www.nav.no/no/nav-og-samfunn/statistikk/arbeidssokere-og-stillinger-statistikk",
            "transformed": "English codes for status/sex; names -> region codes "
            "(Svalbard og øvrige områder = 21, Ukjent = 99)",
        },
        # Not built here: written by `regbef-excel calibrate` (bench/bench_calibrate.py -o ...).
        {
            "file": "interval_calibration.csv",
            "title": "Prediction-interval calibration: quantiles of REGBEF back-test errors by "
            "horizon, municipality size, growth volatility and age group (derived, not published "
            "statistics)",
            "source_table": "derived from 07459 (population_municipality.csv.gz) by 'regbef-excel "
            "calibrate': back-tests of all counties, base years 2007-2024",
            "publisher": "regbef_excel, from Statistisk sentralbyrå (SSB) data",
            "licence": "NLOD 2.0 / CC BY 4.0 (derived from SSB data)",
            "credit": "Kilde: Statistisk sentralbyrå (befolkning); beregnet med regbef_excel",
            "url": "https://www.ssb.no/statbank/table/07459",
            "transformed": "empirical quantiles of ln(observed / projected), spreads made "
            "non-decreasing in the horizon; see docs/model.md",
        },
    ]


def main(argv: list[str] | None = None) -> None:
    """Build every package data file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="source data folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = ap.parse_args(argv)
    shared, out = args.shared.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    print(f"reading {shared}\nwriting {out}")

    municipalities = build_municipalities(shared)
    write_csv(municipalities, out / "municipalities.csv")
    build_population(shared, out, municipalities)
    build_hmd_hfd(shared, out)
    build_telemark(shared, out, municipalities)
    build_nav(shared, out, municipalities)

    records = provenance_records()
    written = {p.name for p in out.iterdir() if p.suffix in {".csv", ".gz"}}
    assert written == {r["file"] for r in records}, written ^ {r["file"] for r in records}
    buf = io.StringIO()
    json.dump(records, buf, ensure_ascii=False, indent=1)
    (out / "provenance.json").write_text(buf.getvalue() + "\n", encoding="utf-8")
    print("  wrote provenance.json")
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"total size of {out.name}/: {total / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
