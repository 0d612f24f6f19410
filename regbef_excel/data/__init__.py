"""Real Norwegian data shipped with regbef_excel, and functions that load it.

Every file in this folder is built by ``regbef_excel/data/build.py`` from published statistics
(Statistics Norway, the Human Mortality and Fertility Databases, NAV, TØI); see ``README.md``
here and :func:`provenance`. Nothing is read from outside the package and nothing is downloaded.

All loaders return pandas objects. Files are parsed once (``functools.lru_cache``) and every call
returns a fresh copy, so callers may modify what they get.

Conventions
-----------
* Municipality codes are 4-digit strings on 2024 borders (identical to the 2026 codes), county
  codes 2-digit strings (``"40"`` = Telemark), ``"00"`` = Norway. Loaders that take codes also
  accept integers and zero-pad them (``301`` -> ``"0301"``).
* ``sex`` is ``"M"``/``"F"``; arrays use sex index 0 = male, 1 = female.
* Population is the stock on 1 January of ``year`` (= REGBEF's 31 December of ``year - 1``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources

import numpy as np
import pandas as pd

from regbef_excel.errors import InputError, Location

__all__ = [
    "EARTH_RADIUS_KM",
    "MAX_AGE_SSB",
    "county_codes",
    "county_population",
    "great_circle_km",
    "municipalities",
    "municipality_codes",
    "national_births_by_sex",
    "national_death_rates",
    "national_fertility_rates",
    "national_population",
    "nav_unemployment",
    "population",
    "population_array",
    "provenance",
    "ssb_projection_telemark",
    "telemark_dwellings",
    "telemark_dwellings_by_age",
    "telemark_flows",
    "telemark_migration_by_age",
]

#: Mean Earth radius (IUGG) used by :func:`great_circle_km`.
EARTH_RADIUS_KM = 6371.0088

#: Defaults of the templates built from the shipped data: population on 31 Dec 2025 (SSB
#: 1 January 2026, the last stock shipped), projection to 2050.
DEFAULT_BASE_YEAR = 2025
DEFAULT_HORIZON = 2050
#: Flow years of the estimation period (base_year − n + 1 .. base_year).
DEFAULT_ESTIMATION_YEARS = 10
#: Highest age in SSB table 07459; the age is an open group (105 and older).
MAX_AGE_SSB = 105

_AGE_COLUMNS = [f"age_{a}" for a in range(MAX_AGE_SSB + 1)]
_CODE_DTYPES = {
    "municip_code": str,
    "county_code": str,
    "region_code": str,
    "origin_code": str,
    "dest_code": str,
    "origin_county_code": str,
    "dest_county_code": str,
    "ba_source_code_2020": str,
    "ssb_table": str,
}


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _read(name: str) -> pd.DataFrame:
    """Parse a shipped CSV file once; callers must copy before handing it out."""
    ref = resources.files(__name__).joinpath(name)
    with ref.open("rb") as fh:
        compression = "gzip" if name.endswith(".gz") else None
        return pd.read_csv(fh, compression=compression, dtype=_CODE_DTYPES, encoding="utf-8")


def _normalise_code(code: object, width: int) -> str:
    """``301`` / ``"301"`` / ``" 0301 "`` -> ``"0301"`` (width 4); other values unchanged."""
    if isinstance(code, (int, np.integer)) and not isinstance(code, bool):
        return str(int(code)).zfill(width)
    text = str(code).strip()
    return text.zfill(width) if text.isdigit() and len(text) < width else text


def _as_list(values: object) -> list:
    if isinstance(values, (str, bytes, int, np.integer)):
        return [values]
    return list(values)  # type: ignore[arg-type]


def _check_codes(codes: object, table: str) -> list[str]:
    """Normalise municipality codes and raise :class:`InputError` naming any unknown code."""
    known = set(_read("municipalities.csv").municip_code)
    out = [_normalise_code(c, 4) for c in _as_list(codes)]
    for raw, code in zip(_as_list(codes), out, strict=True):
        if code not in known:
            raise InputError(
                f"unknown municipality code {code!r}",
                location=Location(table=table, column="municip_code"),
                found=raw,
                expected="a 4-digit municipality code on 2024 borders, e.g. '4001' (Porsgrunn)",
            )
    return out


def _check_years(years: object, available: Iterable[int], table: str) -> list[int]:
    avail = sorted(set(int(y) for y in available))
    out = []
    for y in _as_list(years):
        try:
            yi = int(y)
        except (TypeError, ValueError):
            yi = None
        if yi is None or yi not in avail:
            raise InputError(
                "year not available",
                location=Location(table=table, column="year"),
                found=y,
                expected=f"a year from {avail[0]} to {avail[-1]}",
            )
        out.append(yi)
    return out


def _wide_to_tidy(wide: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    tidy = wide.melt(id_vars=keys, value_vars=_AGE_COLUMNS, var_name="age", value_name="population")
    tidy["age"] = tidy["age"].str.slice(4).astype("int64")
    return tidy.sort_values([*keys, "age"], kind="stable").reset_index(drop=True)[
        [*keys, "age", "population"]
    ]


# ---------------------------------------------------------------------------------------------
# municipalities and geography
# ---------------------------------------------------------------------------------------------


def municipalities() -> pd.DataFrame:
    """The 357 municipalities on 2024 borders.

    Returns
    -------
    pandas.DataFrame
        One row per municipality, sorted by code, with columns ``municip_code``, ``name``
        (bokmål; SSB's disambiguation kept, e.g. ``"Herøy (Nordland)"``), ``name_short``
        (without it), ``county_code``, ``county_name``, ``lon``, ``lat`` (mean coordinates,
        degrees), ``ba_region_code`` (int), ``ba_region_name`` (TØI 2019 housing and
        labour-market region), ``ba_travel_time_min``, ``ba_out_commuting_pct``,
        ``ba_in_commuting_pct``, ``ba_inclusion_basis`` (TØI's reason for the assignment) and
        ``ba_source_code_2020`` (the 2020 municipality the BA attributes come from).
    """
    return _read("municipalities.csv").copy()


def county_codes() -> list[str]:
    """The 15 county codes on 2024 borders, sorted (``"03"`` ... ``"56"``).

    Returns
    -------
    list of str
    """
    return sorted(_read("municipalities.csv").county_code.unique().tolist())


def municipality_codes(county: str | int | None = None) -> list[str]:
    """Municipality codes, sorted, optionally within one county.

    Parameters
    ----------
    county : str or int, optional
        County code such as ``"40"`` or ``40`` (Telemark). ``None`` gives all 357 codes.

    Returns
    -------
    list of str

    Raises
    ------
    InputError
        If ``county`` is not a county code on 2024 borders.
    """
    m = _read("municipalities.csv")
    if county is None:
        return sorted(m.municip_code.tolist())
    cc = _normalise_code(county, 2)
    if cc not in set(m.county_code):
        raise InputError(
            "unknown county code",
            location=Location(column="county_code"),
            found=county,
            expected="one of " + ", ".join(county_codes()),
        )
    return sorted(m.loc[m.county_code == cc, "municip_code"].tolist())


def great_circle_km(codes: Iterable[str | int]) -> np.ndarray:
    """Great-circle distances between municipality mean coordinates.

    Uses the haversine formula with ``R = 6371.0088`` km. These are straight-line distances
    between area-mean points, not road distances or travel times.

    Parameters
    ----------
    codes : iterable of str or int
        Municipality codes (2024 borders), in the order wanted for rows and columns.

    Returns
    -------
    numpy.ndarray
        Shape ``(K, K)``, symmetric, in km, with a zero diagonal. For power deterrence
        functions (``d ** -beta``) the caller must set the diagonal (the intra-zone distance,
        e.g. a fraction of the zone's radius) before use.

    Raises
    ------
    InputError
        If a code is unknown (the message names it).
    """
    codes = _check_codes(codes, "distances")
    m = _read("municipalities.csv").set_index("municip_code")
    lat = np.radians(m.loc[codes, "lat"].to_numpy(dtype=float))
    lon = np.radians(m.loc[codes, "lon"].to_numpy(dtype=float))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0.0)
    return d


# ---------------------------------------------------------------------------------------------
# population (SSB 07459)
# ---------------------------------------------------------------------------------------------


def population(
    codes: Iterable[str | int] | str | int | None = None,
    years: Iterable[int] | int | None = None,
) -> pd.DataFrame:
    """Population on 1 January by municipality, sex and single age (SSB table 07459).

    Parameters
    ----------
    codes : str, int or iterable, optional
        Municipality codes (2024 borders). ``None`` = all 357.
    years : int or iterable of int, optional
        Years 2005-2026. ``None`` = all.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``municip_code``, ``year``, ``sex`` (``"M"``/``"F"``), ``age`` (0-105, 105 =
        105 and older), ``population``. Vindafjord (1160) and Aure (1576) have no rows for
        2005 (their 2006 mergers were not back-calculated).

    Raises
    ------
    InputError
        Unknown municipality code or year.
    """
    wide = _read("population_municipality.csv.gz")
    sel = pd.Series(True, index=wide.index)
    if codes is not None:
        sel &= wide.municip_code.isin(_check_codes(codes, "population"))
    if years is not None:
        sel &= wide.year.isin(_check_years(years, wide.year, "population"))
    return _wide_to_tidy(wide[sel], ["municip_code", "year", "sex"])


@functools.lru_cache(maxsize=32)
def _population_by_year(year: int) -> pd.DataFrame:
    """One year of the municipal population, indexed by code and sex (ages as columns)."""
    wide = _read("population_municipality.csv.gz")
    return wide[wide.year == year].set_index(["municip_code", "sex"])[_AGE_COLUMNS]


def population_array(
    codes: Iterable[str | int] | str | int, year: int, max_age: int = 99
) -> np.ndarray:
    """Population on 1 January of ``year`` as an array for the engine.

    Parameters
    ----------
    codes : str, int or iterable
        Municipality codes (2024 borders); the array follows this order.
    year : int
        2005-2026 (1 January).
    max_age : int, default 99
        Last age; it is an open group holding everyone aged ``max_age`` or older.
        At most 105 (SSB's own open group).

    Returns
    -------
    numpy.ndarray
        ``int64``, shape ``(K, 2, max_age + 1)``: municipality, sex (0 = male, 1 = female), age.

    Raises
    ------
    InputError
        Unknown code (named in the message), unavailable year, a municipality without data in
        that year (1160 and 1576 in 2005), or ``max_age`` outside 0..105.
    """
    codes = _check_codes(codes, "population")
    if not isinstance(max_age, (int, np.integer)) or not 0 <= max_age <= MAX_AGE_SSB:
        raise InputError(
            "max_age out of range", found=max_age, expected=f"an integer from 0 to {MAX_AGE_SSB}"
        )
    wide = _read("population_municipality.csv.gz")
    (year,) = _check_years(year, wide.year, "population")
    index = pd.MultiIndex.from_product([codes, ["M", "F"]], names=["municip_code", "sex"])
    values = _population_by_year(year).reindex(index)
    missing = values.index[values.isna().any(axis=1)]
    if len(missing):
        code = missing[0][0]
        raise InputError(
            f"no population for municipality {code!r} in {year}",
            location=Location(table="population", column="municip_code"),
            found=code,
            expected="a municipality and year present in SSB 07459 (2024 borders)",
        )
    full = values.to_numpy(dtype=np.int64).reshape(len(codes), 2, MAX_AGE_SSB + 1)
    out = np.empty((len(codes), 2, max_age + 1), dtype=np.int64)
    out[..., :max_age] = full[..., :max_age]
    out[..., max_age] = full[..., max_age:].sum(axis=-1)
    return out


def county_population(
    counties: Iterable[str | int] | str | int | None = None,
    years: Iterable[int] | int | None = None,
) -> pd.DataFrame:
    """Population on 1 January by county (2024 borders), sex and single age, 2005-2026.

    Parameters
    ----------
    counties : str, int or iterable, optional
        County codes (``"40"``); ``None`` = all 15.
    years : int or iterable of int, optional
        ``None`` = all.

    Returns
    -------
    pandas.DataFrame
        ``county_code``, ``year``, ``sex``, ``age`` (0-105, 105 = 105+), ``population``.
    """
    wide = _read("population_county.csv.gz")
    sel = pd.Series(True, index=wide.index)
    if counties is not None:
        wanted = [_normalise_code(c, 2) for c in _as_list(counties)]
        for raw, c in zip(_as_list(counties), wanted, strict=True):
            if c not in set(wide.county_code):
                raise InputError(
                    "unknown county code",
                    location=Location(table="population", column="county_code"),
                    found=raw,
                    expected="one of " + ", ".join(county_codes()),
                )
        sel &= wide.county_code.isin(wanted)
    if years is not None:
        sel &= wide.year.isin(_check_years(years, wide.year, "population"))
    return _wide_to_tidy(wide[sel], ["county_code", "year", "sex"])


# ---------------------------------------------------------------------------------------------
# national vital rates (HMD, HFD) and national population
# ---------------------------------------------------------------------------------------------


def national_death_rates() -> pd.DataFrame:
    """Norway's central death rates and deaths by sex and single age (HMD), 1967-2023.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``sex`` (``"M"``/``"F"``), ``age`` (0-110, 110 = 110+), ``mx`` (deaths per
        person-year; NaN where HMD has no exposure, i.e. empty top ages), ``deaths``.
    """
    return _read("hmd_mortality.csv.gz").copy()


def national_population(source: str = "hmd") -> pd.DataFrame:
    """Norway's population on 1 January by sex and single age.

    Parameters
    ----------
    source : {"hmd", "ssb"}
        ``"hmd"``: Human Mortality Database, 1967-2024, ages 0-110 (110+).
        ``"ssb"``: SSB table 07459, 1986-2026, ages 0-105 (105+).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``sex``, ``age``, ``population``.
    """
    if source == "hmd":
        return _read("hmd_population.csv.gz").copy()
    if source == "ssb":
        return _wide_to_tidy(_read("population_national.csv.gz"), ["year", "sex"])
    raise InputError("unknown source", found=source, expected="'hmd' or 'ssb'")


def national_births_by_sex() -> pd.DataFrame:
    """Live births in Norway by sex (HMD), 1846-2023.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``male``, ``female``, ``total`` and ``sex_ratio`` (boys per girl,
        ``male / female``; the share of boys is ``male / total``).
    """
    b = _read("hmd_births.csv").copy()
    b["sex_ratio"] = b["male"] / b["female"]
    return b


def national_fertility_rates() -> pd.DataFrame:
    """Norway's period age-specific fertility rates (HFD), single ages, 1967-2022.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``age`` (12-55; 12 holds 12 and younger, 55 holds 55 and older; age in
        completed years), ``asfr`` (births per woman-year). The total fertility rate is the
        sum over ages within a year.
    """
    return _read("hfd_asfr.csv").copy()


# ---------------------------------------------------------------------------------------------
# Telemark
# ---------------------------------------------------------------------------------------------


def telemark_migration_by_age() -> pd.DataFrame:
    """Out- and in-migration by Telemark municipality and single age, 2016-2025.

    Both sexes together. Counts all moves across the municipal border: to and from other
    Telemark municipalities, the rest of Norway and abroad. Ages 0-70 for 2016-2021 (older ages
    not published in the source; not zero) and 0-99 for 2022-2025. See ``README.md``.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``municip_code``, ``age``, ``out``, ``in``, ``net`` (= ``in - out``).
    """
    m = _read("telemark_migration_by_age.csv").copy()
    m["net"] = m["in"] - m["out"]
    return m


def telemark_flows() -> pd.DataFrame:
    """Moves between municipalities from and to Telemark municipalities in 2025 (SSB 13864).

    Domestic moves only (no emigration or immigration); pairs with no moves are absent. The
    block with both ends in county ``"40"`` is a complete within-Telemark OD matrix.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``origin_code``, ``origin_county_code``, ``dest_code``,
        ``dest_county_code``, ``persons``.
    """
    return _read("telemark_flows_2025.csv").copy()


def telemark_dwellings() -> pd.DataFrame:
    """Dwellings by building type, Telemark municipalities, county and Norway, 2013-2026.

    Returns
    -------
    pandas.DataFrame
        ``region_code`` (40xx, ``"40"`` Telemark, ``"00"`` Norway), ``year`` (1 January),
        ``building_type`` (SSB's 6 types, Norwegian labels), ``building_type_order``,
        ``building_type_group`` (4 groups), ``building_type_group_order``, ``dwellings``.
    """
    return _read("telemark_dwellings.csv").copy()


def telemark_dwellings_by_age() -> pd.DataFrame:
    """Residents by building type of their dwelling and age group, 1 January 2024.

    Despite the source's name ("boliger etter type og bosattes alder") the counts are persons,
    not dwellings: the age groups add up to about the population and to about twice the number
    of dwellings in :func:`telemark_dwellings`. Only the six largest Telemark municipalities
    (4001, 4003, 4005, 4012, 4014, 4020). Dividing by the dwelling stock gives persons per
    dwelling by type.

    Returns
    -------
    pandas.DataFrame
        ``municip_code``, ``year``, ``age_group`` (``"0-19 år"``, ``"20-39 år"``,
        ``"40-66 år"``, ``"67-79 år"``, ``"80+"``, ``"Alle aldre"``), ``age_group_order``,
        ``building_type`` (incl. ``"Boliger i alt"`` = all types), ``building_type_order``,
        ``residents``, ``share`` (of the building type's residents; the five age groups add up
        to 1, ``"Alle aldre"`` is 1).
    """
    return _read("telemark_residents_by_dwelling_type_2024.csv").copy()


def ssb_projection_telemark(
    vintage: int | None = None, alternative: str | None = None
) -> pd.DataFrame:
    """SSB's official population projections for Telemark (tables 14288 and 14746).

    Parameters
    ----------
    vintage : {2024, 2026}, optional
        Projection round; ``None`` = both.
    alternative : {"MMMM", "LLML", "HHMH"}, optional
        ``MMMM`` = main alternative; ``None`` = all.

    Returns
    -------
    pandas.DataFrame
        ``vintage``, ``ssb_table``, ``region_code`` (40xx, ``"40"``, ``"00"``),
        ``alternative``, ``year``, ``age_group``, ``age_from``, ``age_to`` (NA for the open
        group 90+), ``population`` (both sexes, 1 January).
    """
    p = _read("ssb_projection_telemark.csv.gz")
    sel = pd.Series(True, index=p.index)
    if vintage is not None:
        if int(vintage) not in set(p.vintage):
            raise InputError("unknown projection vintage", found=vintage, expected="2024 or 2026")
        sel &= p.vintage == int(vintage)
    if alternative is not None:
        if alternative not in set(p.alternative):
            raise InputError(
                "unknown projection alternative", found=alternative, expected="MMMM, LLML or HHMH"
            )
        sel &= p.alternative == alternative
    out = p[sel].reset_index(drop=True).copy()
    out["age_to"] = out["age_to"].astype("Int64")
    return out


def nav_unemployment(annual: bool = False) -> pd.DataFrame:
    """Registered unemployment (NAV), counties, Norway and Telemark municipalities.

    Parameters
    ----------
    annual : bool, default False
        ``False``: monthly rows, 2011-01 to 2026-01. ``True``: calendar-year means of
        ``persons`` and ``share_of_labour_force`` with ``months`` = number of months present.

    Returns
    -------
    pandas.DataFrame
        ``level`` (national/county/municipality), ``region_code``, ``region_name``, ``month``
        (``"YYYY-MM"``) or ``year``, ``status`` (``fully_unemployed``, ``partly_unemployed``,
        ``on_programmes``), ``sex`` (``T``/``M``/``F``), ``persons``,
        ``share_of_labour_force`` (fraction). Small municipal cells are missing in some months.
    """
    n = _read("nav_unemployment.csv.gz").copy()
    if not annual:
        return n
    n["year"] = n["month"].str.slice(0, 4).astype("int64")
    keys = ["level", "region_code", "region_name", "year", "status", "sex"]
    return (
        n.groupby(keys, sort=True)
        .agg(
            persons=("persons", "mean"),
            share_of_labour_force=("share_of_labour_force", "mean"),
            months=("month", "size"),
        )
        .reset_index()
    )


# ---------------------------------------------------------------------------------------------
# provenance
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _provenance_records() -> tuple[dict, ...]:
    text = resources.files(__name__).joinpath("provenance.json").read_text(encoding="utf-8")
    return tuple(json.loads(text))


def provenance() -> pd.DataFrame:
    """Source, publisher and licence of every shipped data file (for the workbook cover sheet).

    Returns
    -------
    pandas.DataFrame
        One row per file: ``file``, ``title``, ``source_table``, ``publisher``, ``licence``,
        ``credit`` (the citation to print, e.g. "Kilde: Statistisk sentralbyrå"), ``url``,
        ``transformed``.
    """
    return pd.DataFrame(list(_provenance_records()))
