"""Comparison with Statistics Norway's official municipal projection.

SSB publishes its municipal population projections in tables 14288 (2024 round) and 14746
(2026 round): population on **1 January** by region, grouped ages and alternative (MMMM = main,
LLML, HHMH, …), both sexes. REGBEF's stock is on 31 December, so SSB's year Y is our year
Y − 1 (the shipped data confirm it: SSB's launch year equals the observed 07459 population of
1 January, e.g. Porsgrunn aged 0 on 1 January 2026 = 320 in both).

Two sources give the same tidy frame (columns of :func:`regbef_excel.data.ssb_projection_telemark`:
``vintage, ssb_table, region_code, alternative, year, age_group, age_from, age_to,
population``):

* the shipped Telemark extract, :func:`regbef_excel.data.ssb_projection_telemark`;
* a user's CSV export of the same tables, :func:`read_ssb_projection_csv` (SSB's "region,
  statistikkvariabel, år, alder, value, Framskriving, Tabell" layout with names, not codes).

:func:`compare_with_ssb` aggregates our single-year ages to SSB's age groups (read from the
data) and returns ours, SSB's, the difference and the % difference by municipality × age group
× year; :func:`ssb_summary` condenses it per municipality for selected years.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.engine.results import Projection
from regbef_excel.errors import InputError, Location

#: Column order of the tidy SSB frame (as shipped).
SSB_COLUMNS = (
    "vintage", "ssb_table", "region_code", "alternative", "year",
    "age_group", "age_from", "age_to", "population",
)  # fmt: skip
#: Label used for the whole region (sum of the compared zones), as in Projection.total_by_zone.
REGION_NAME = "Region"
#: Label of the all-ages rows added when SSB's groups cover every age.
ALL_AGES = "Alle aldre"
#: Region names that mean Norway in SSB exports.
NORWAY_NAMES = ("hele landet", "norge", "landet")
#: Age labels that are totals (dropped on import; we add our own all-ages rows).
TOTAL_AGE_LABELS = ("alle aldre", "i alt", "totalt", "total")

_RE_RANGE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)\s*(år)?$")
_RE_SINGLE = re.compile(r"^(\d+)\s*(år)?$")
_RE_OPEN = re.compile(r"^(\d+)\s*(\+|år\s+(eller|og)\s+(eldre|over)|år\+|\+\s*år)$")
_RE_ALT = re.compile(r"\(([A-Z]{4})\)")
_RE_CODE = re.compile(r"^(?:K-)?(\d{4}|\d{2})\b\s*(.*)$")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).strip().lower().split())


def parse_age_group(label: str) -> tuple[int, int | None]:
    """SSB age label -> (first age, last age or None for an open group).

    ``"0 år"`` -> (0, 0); ``"1-5 år"`` -> (1, 5); ``"90 år eller eldre"`` / ``"90+"`` ->
    (90, None). Raises ``ValueError`` for anything else.
    """
    t = _norm(label)
    for rx, kind in ((_RE_RANGE, "range"), (_RE_OPEN, "open"), (_RE_SINGLE, "single")):
        m = rx.match(t)
        if m:
            lo = int(m.group(1))
            if kind == "range":
                hi = int(m.group(2))
                if hi < lo:
                    break
                return lo, hi
            return (lo, None) if kind == "open" else (lo, lo)
    raise ValueError(f"not an age group: {label!r}")


def _region_lookup() -> dict[str, str]:
    """Normalised name -> region code: municipalities (full and short names), counties, Norway.

    Short names shared by several municipalities (Herøy, Våler, Nes, …) are left out: SSB
    writes those with the county in brackets, which is the full name.
    """
    m = data.municipalities()
    out: dict[str, str] = {}
    short_counts = m["name_short"].map(_norm).value_counts()
    for row in m.itertuples(index=False):
        out[_norm(row.name)] = row.municip_code
        if short_counts[_norm(row.name_short)] == 1:
            out.setdefault(_norm(row.name_short), row.municip_code)
    for cc, name in m.groupby("county_code")["county_name"].first().items():
        out.setdefault(_norm(name), str(cc))
    for n in NORWAY_NAMES:
        out[n] = "00"
    return out


def _region_code(label: str, lookup: dict[str, str], known: set[str]) -> str | None:
    t = _norm(label)
    if t in lookup:
        return lookup[t]
    m = _RE_CODE.match(str(label).strip())
    if m and m.group(1) in known:
        return m.group(1)
    return None


def read_ssb_projection_csv(source: str | os.PathLike | io.IOBase) -> pd.DataFrame:
    """Read a CSV export of SSB table 14288/14746 into the tidy SSB frame.

    Expected columns (SSB's download with labels): ``region`` (name, e.g. ``Porsgrunn``,
    ``Telemark``, ``Hele landet``; ``"4001 Porsgrunn"`` and plain codes are accepted too),
    ``statistikkvariabel`` (``"Hovedalternativet (MMMM)"``: the alternative is the code in
    brackets), ``år``, ``alder`` (``"0 år"``, ``"1-5 år"``, …, ``"90 år eller eldre"``),
    ``value``, and optionally ``Framskriving`` (projection round) and ``Tabell``. Separator
    ``,`` or ``;``; UTF-8 (with or without BOM) or Latin-1. Rows whose age is a total
    (``"Alle aldre"``) are dropped. Names are mapped to codes with
    :func:`regbef_excel.data.municipalities` (2024 borders).

    Returns
    -------
    pandas.DataFrame
        Columns ``SSB_COLUMNS``; ``year`` is SSB's 1 January.

    Raises
    ------
    InputError
        Missing column, unknown region or age group, non-numeric value or year; the message
        names the line of the file (header = line 1).
    """
    name = str(source) if isinstance(source, (str, os.PathLike)) else "SSB projection"
    if isinstance(source, (str, os.PathLike)):
        raw = Path(source).read_bytes()
    else:
        raw = source.read()
        raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    first = text.splitlines()[0] if text else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    df.columns = [_norm(c).strip('"') for c in df.columns]
    table = Path(name).name
    need = {"region": "region", "statistikkvariabel": "statistikkvariabel", "år": "år",
            "alder": "alder", "value": "value"}  # fmt: skip
    for col in need:
        if col not in df.columns:
            raise InputError(
                f"column '{col}' missing",
                location=Location(table=table),
                found=", ".join(df.columns),
                expected="region, statistikkvariabel, år, alder, value[, Framskriving, Tabell]",
            )
    lookup = _region_lookup()
    known = set(data.municipality_codes()) | set(data.county_codes()) | {"00"}
    rows = []
    for i, r in enumerate(df.itertuples(index=False)):
        line = i + 2
        rec = dict(zip(df.columns, r, strict=True))

        def bad(
            msg: str, column: str, found: object, expected: str, line: int = line
        ) -> InputError:
            return InputError(
                msg,
                location=Location(table=table, row=line, column=column),
                found=found,
                expected=expected,
            )

        age_label = rec["alder"]
        if _norm(age_label) in TOTAL_AGE_LABELS:
            continue
        code = _region_code(rec["region"], lookup, known)
        if code is None:
            raise bad(
                "unknown region",
                "region",
                rec["region"],
                "a municipality (2024 borders), county or 'Hele landet'",
            )
        try:
            lo, hi = parse_age_group(age_label)
        except ValueError:
            raise bad(
                "unknown age group", "alder", age_label, "'N år', 'N-M år' or 'N år eller eldre'"
            ) from None
        m = _RE_ALT.search(rec["statistikkvariabel"])
        alt = m.group(1) if m else rec["statistikkvariabel"].strip()
        if not re.fullmatch(r"[A-Z]{4}", alt):
            raise bad(
                "unknown projection alternative",
                "statistikkvariabel",
                rec["statistikkvariabel"],
                "a label ending in a code such as '(MMMM)'",
            )
        try:
            year = int(str(rec["år"]).strip())
        except ValueError:
            raise bad("year is not a whole number", "år", rec["år"], "e.g. 2030") from None
        try:
            value = float(str(rec["value"]).strip().replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            raise bad("population is not a number", "value", rec["value"], "a count") from None
        vintage = rec.get("framskriving", "")
        rows.append(
            {
                "vintage": int(vintage) if str(vintage).strip().isdigit() else None,
                "ssb_table": str(rec.get("tabell", "")).strip(),
                "region_code": code,
                "alternative": alt,
                "year": year,
                "age_group": str(age_label).strip(),
                "age_from": lo,
                "age_to": hi,
                "population": value,
            }
        )
    if not rows:
        raise InputError("no data rows", location=Location(table=table))
    out = pd.DataFrame(rows)
    if out["vintage"].isna().any():  # no 'Framskriving' column: the launch (first) year
        out["vintage"] = out["vintage"].fillna(out["year"].min())
    out["vintage"] = out["vintage"].astype("int64")
    out["age_to"] = out["age_to"].astype("Int64")
    return out[list(SSB_COLUMNS)]


def _age_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The distinct age groups of an SSB frame, sorted, checked to be disjoint."""
    g = (
        frame[["age_group", "age_from", "age_to"]]
        .drop_duplicates()
        .sort_values("age_from", kind="stable")
        .reset_index(drop=True)
    )
    if g["age_group"].duplicated().any() or g["age_from"].duplicated().any():
        raise InputError(
            "age groups defined twice in the SSB projection",
            location=Location(column="alder"),
            found=", ".join(g["age_group"]),
            expected="disjoint age groups",
        )
    hi = g["age_to"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    lo = g["age_from"].to_numpy(dtype=float)
    if np.any(lo[1:] <= hi[:-1]):
        raise InputError(
            "overlapping age groups in the SSB projection",
            location=Location(column="alder"),
            found=", ".join(g["age_group"]),
            expected="disjoint age groups",
        )
    return g


def _choose_vintage(frame: pd.DataFrame, base_year: int) -> int:
    """Latest round launched no later than our base stock (1 January base_year + 1)."""
    vint = sorted(int(v) for v in frame["vintage"].unique())
    ok = [v for v in vint if v <= base_year + 1]
    return ok[-1] if ok else vint[0]


def compare_with_ssb(
    projection: Projection,
    ssb_frame: pd.DataFrame,
    alternative: str = "MMMM",
    *,
    vintage: int | None = None,
) -> pd.DataFrame:
    """Ours vs SSB by municipality × SSB age group × year.

    Our population on 31 Dec of year y is compared with SSB's 1 January y+1; our single-year
    ages are summed into SSB's groups ``[age_from, age_to]`` (the open group to our open 99+).
    Zones are matched on code; zones not in the SSB frame are left out (listed in
    ``result.attrs["missing_zones"]``). A ``Region`` row per group and year sums the compared
    zones on both sides (not SSB's county figure, which may cover other municipalities); an
    ``Alle aldre`` group is added when SSB's groups cover every age.

    Parameters
    ----------
    projection : Projection
    ssb_frame : DataFrame
        Tidy SSB frame (:func:`read_ssb_projection_csv` or ``data.ssb_projection_telemark()``).
    alternative : str
        SSB alternative, default ``"MMMM"`` (main).
    vintage : int, optional
        Projection round; default the latest launched no later than our base stock.

    Returns
    -------
    pandas.DataFrame
        ``zone_code, zone_name, age_group, age_from, age_to, year`` (SSB's 1 January),
        ``stock_date`` (our 31 Dec), ``ours, ssb, difference`` (ours − SSB),
        ``pct_difference`` (100·difference/SSB; NaN where SSB is 0). Attribute ``vintage``.
    """
    f = ssb_frame
    if "alternative" not in f.columns or alternative not in set(f["alternative"]):
        raise InputError(
            "alternative not in the SSB projection",
            found=alternative,
            expected=", ".join(sorted(set(f.get("alternative", [])))),
        )
    f = f[f["alternative"] == alternative]
    base = int(projection.years[0])
    v = _choose_vintage(f, base) if vintage is None else int(vintage)
    if v not in set(f["vintage"].astype(int)):
        raise InputError(
            "projection round not in the SSB frame",
            found=vintage,
            expected=", ".join(str(x) for x in sorted(set(f["vintage"]))),
        )
    f = f[f["vintage"].astype(int) == v]
    codes = list(projection.zone_codes)
    present = set(f["region_code"])
    zones = [c for c in codes if c in present]
    missing = [c for c in codes if c not in present]
    if not zones:
        raise InputError(
            "no zone of the projection is in the SSB projection",
            found=", ".join(codes[:5]),
            expected="municipality codes in the SSB data",
        )
    groups = _age_groups(f)
    A1 = projection.population.shape[-1]
    max_age = A1 - 1
    bounds = []
    for g in groups.itertuples(index=False):
        lo = int(g.age_from)
        hi = max_age if pd.isna(g.age_to) else int(g.age_to)
        if lo > max_age or hi > max_age:
            raise InputError(
                "SSB age group beyond our oldest age (open group 99+)",
                found=g.age_group,
                expected=f"groups within 0..{max_age}+",
            )
        bounds.append((g.age_group, lo, hi, g.age_to))
    covers = (
        bounds[0][1] == 0
        and all(b[1] == a[2] + 1 for a, b in zip(bounds, bounds[1:], strict=False))
        and pd.isna(bounds[-1][3])
    )
    years_ssb = sorted(
        int(y) for y in f["year"].unique() if base + 1 <= y <= projection.years[-1] + 1
    )
    if not years_ssb:
        raise InputError(
            "no common year with the SSB projection",
            found=f"{projection.years[0]}–{projection.years[-1]} (31 Dec)",
            expected=f"SSB years {int(f['year'].min())}–{int(f['year'].max())}",
        )
    idx = [codes.index(c) for c in zones]
    names = dict(zip(codes, projection.zone_names, strict=True))
    by_age = projection.population.sum(axis=2)  # (T+1, K, A1)
    t_idx = [int(y - 1 - base) for y in years_ssb]
    ours = np.stack(
        [by_age[t_idx][:, idx, lo : hi + 1].sum(axis=2) for _, lo, hi, _ in bounds], axis=2
    )  # (Y, Z, G)
    ssb_tab = f.pivot_table(
        index=["year", "region_code"], columns="age_group", values="population", aggfunc="sum"
    )
    labels = [b[0] for b in bounds]
    full = pd.MultiIndex.from_product([years_ssb, zones])
    ssb = ssb_tab.reindex(index=full, columns=labels).to_numpy(dtype=float).reshape(ours.shape)
    rows = []
    zone_codes = [*zones, ""]
    zone_names = [names[c] for c in zones] + [REGION_NAME]
    ours_r = np.concatenate([ours, ours.sum(axis=1, keepdims=True)], axis=1)
    ssb_r = np.concatenate([ssb, ssb.sum(axis=1, keepdims=True)], axis=1)
    glabels = labels
    gfrom = [b[1] for b in bounds]
    gto = [b[3] for b in bounds]
    if covers:
        ours_r = np.concatenate([ours_r, ours_r.sum(axis=2, keepdims=True)], axis=2)
        ssb_r = np.concatenate([ssb_r, ssb_r.sum(axis=2, keepdims=True)], axis=2)
        glabels = [*labels, ALL_AGES]
        gfrom = [*gfrom, 0]
        gto = [*gto, pd.NA]
    Y, Z, G = ours_r.shape
    for yi, y in enumerate(years_ssb):
        for zi in range(Z):
            for gi in range(G):
                o, s = ours_r[yi, zi, gi], ssb_r[yi, zi, gi]
                rows.append(
                    (
                        zone_codes[zi],
                        zone_names[zi],
                        glabels[gi],
                        gfrom[gi],
                        gto[gi],
                        y,
                        y - 1,
                        o,
                        s,
                    )
                )
    out = pd.DataFrame(
        rows,
        columns=[
            "zone_code",
            "zone_name",
            "age_group",
            "age_from",
            "age_to",
            "year",
            "stock_date",
            "ours",
            "ssb",
        ],
    )
    out["age_to"] = out["age_to"].astype("Int64")
    out["difference"] = out["ours"] - out["ssb"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_difference"] = np.where(
            out["ssb"] > 0, 100 * out["difference"] / out["ssb"], np.nan
        )
    out.attrs["vintage"] = v
    out.attrs["alternative"] = alternative
    out.attrs["missing_zones"] = missing
    return out


def ssb_summary(
    comparison: pd.DataFrame, years: Iterable[int] = (2030, 2040, 2050)
) -> pd.DataFrame:
    """Per municipality (and the region) for selected SSB years: total population ours vs SSB
    and the age group with the largest absolute % difference.

    Uses the ``Alle aldre`` rows when present, otherwise the sum over the groups compared.

    Returns
    -------
    pandas.DataFrame
        ``zone_code, zone_name, year, ours, ssb, difference, pct_difference,
        largest_group, largest_group_pct`` (years missing from the comparison are skipped).
    """
    c = comparison[comparison["year"].isin(list(years))]
    groups = c[c["age_group"] != ALL_AGES]
    if (c["age_group"] == ALL_AGES).any():
        tot = c[c["age_group"] == ALL_AGES][["zone_code", "zone_name", "year", "ours", "ssb"]]
    else:
        tot = groups.groupby(["zone_code", "zone_name", "year"], as_index=False, sort=False)[
            ["ours", "ssb"]
        ].sum()
    tot = tot.copy()
    tot["difference"] = tot["ours"] - tot["ssb"]
    tot["pct_difference"] = 100 * tot["difference"] / tot["ssb"].where(tot["ssb"] > 0)
    g = groups.assign(_abs=groups["pct_difference"].abs())
    g = g[g["_abs"].notna()]
    worst = g.loc[
        g.groupby(["zone_code", "year"], sort=False)["_abs"].idxmax(),
        ["zone_code", "year", "age_group", "pct_difference"],
    ]
    worst = worst.rename(
        columns={"age_group": "largest_group", "pct_difference": "largest_group_pct"}
    )
    return tot.merge(worst, on=["zone_code", "year"], how="left").reset_index(drop=True)


__all__ = ["compare_with_ssb", "parse_age_group", "read_ssb_projection_csv", "ssb_summary"]
