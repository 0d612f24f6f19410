"""Series breaks in the municipal population: boundary transfers and merges or splits.

SSB publishes table 07459 on today's (2024) borders: whole-municipality merges are added up
backwards, but a **boundary transfer** (part of one municipality moved to a neighbour, e.g. the
Stad/Kinn adjustment of 2020) is not: the donor's stock drops and the receiver's jumps in the
same year. A back-test reads that as migration in the estimation period and as a projection
error after the base year. This module finds such breaks from the stocks alone and puts a
history on the borders of one year.

Detection, per year t (change from 31 Dec t−1 to 31 Dec t), using only stocks up to t:

* the **abnormal change** of zone k is ``d[k,t] = Δ[k,t] − median(Δ[k,t−3..t−1])`` (the change
  beyond the zone's recent pace);
* a **boundary transfer** is a pair (i, j) of zones at most :data:`MAX_DISTANCE_KM` apart whose
  abnormal changes have opposite signs, each at least :data:`MIN_TRANSFER` persons and
  :data:`MIN_SHARE` of the zone's own population (so the ordinary year-to-year noise of a city
  is not read as a transfer), and cancel to within :data:`MATCH_TOLERANCE` of the larger:
  ``|d_i + d_j| <= 0.35·max(|d_i|, |d_j|)``. The transferred number is
  ``(|d_i| + |d_j|) / 2``;
* a **merge or split** is a one-year change of a zone's total above :data:`JUMP_THRESHOLD`
  with no partner (an artefact of back-calculation, e.g. the Ålesund/Haram history before it was
  re-split), or a series that starts after the first year (Vindafjord 1160 and Aure 1576 have no
  stock for 31 Dec 2004: their 2006 mergers were not back-calculated).

Adjustment (:func:`on_borders_of`): the transferred persons are given the age–sex structure of
the zone holding them in each year (the moved area is assumed to look like the municipality it
belongs to) and moved across the border in every year on the other side of the transfer, so that the whole
series is on the borders of one chosen year. A back-test puts the estimation stocks and the
observed stocks on the borders of its base year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.data import inputs as shipped_inputs

#: Largest centroid distance of two municipalities that exchange territory (km).
MAX_DISTANCE_KM = 50.0
#: Smallest abnormal change (persons) and share of the smaller zone taken as a transfer.
MIN_TRANSFER = 100.0
MIN_SHARE = 0.02
#: How closely the two abnormal changes must cancel (share of the larger one).
MATCH_TOLERANCE = 0.35
#: Years of change before t whose median is a zone's recent pace.
PACE_YEARS = 3
#: One-year relative change of a zone's total taken as a merge or split when no partner matches.
JUMP_THRESHOLD = 0.40

TRANSFER = "boundary transfer"
MERGE = "merge or split"
LATE_START = "series starts late"


@dataclass(frozen=True)
class Transfer:
    """Persons moved from ``donor`` to ``receiver`` between 31 Dec ``year − 1`` and 31 Dec ``year``."""

    year: int
    donor: str
    receiver: str
    persons: float


@lru_cache(maxsize=1)
def _totals() -> pd.DataFrame:
    """Total population on 31 Dec (rows: municipality code, columns: year = SSB year − 1)."""
    pop = data.population()
    t = pop.groupby(["municip_code", "year"])["population"].sum().unstack("year")
    t.columns = [int(c) - 1 for c in t.columns]
    return t.astype(float)


@lru_cache(maxsize=32)
def _detect(last_year: int) -> tuple[tuple[Transfer, ...], tuple[tuple[str, str, int, float], ...]]:
    tot = _totals()
    tot = tot[[c for c in tot.columns if c <= last_year]]
    codes = list(tot.index)
    years = list(tot.columns)
    arr = tot.to_numpy()
    dist = data.great_circle_km(codes)
    change = np.diff(arr, axis=1)  # (K, Y−1): change into years[1:]
    transfers: list[Transfer] = []
    other: list[tuple[str, str, int, float]] = []
    for k, c in enumerate(codes):
        first = np.flatnonzero(np.isfinite(arr[k]))
        if len(first) and first[0] > 0:
            other.append((LATE_START, c, int(years[first[0]]), np.nan))
    for t in range(PACE_YEARS, change.shape[1]):
        year = int(years[t + 1])
        pace = np.nanmedian(change[:, t - PACE_YEARS : t], axis=1)
        d = change[:, t] - pace
        size = arr[:, t]
        big = np.isfinite(d) & (np.abs(d) >= np.maximum(MIN_TRANSFER, MIN_SHARE * size))
        cand = np.flatnonzero(big)
        used: set[int] = set()
        order = cand[np.argsort(-np.abs(d[cand]))]
        for i in order:
            if i in used:
                continue
            best, best_gap = None, np.inf
            for j in order:
                if (
                    j == i
                    or j in used
                    or np.sign(d[j]) == np.sign(d[i])
                    or dist[i, j] > MAX_DISTANCE_KM
                ):
                    continue
                gap = abs(d[i] + d[j])
                if gap <= MATCH_TOLERANCE * max(abs(d[i]), abs(d[j])) and gap < best_gap:
                    best, best_gap = j, gap
            if best is None:
                continue
            used.update((int(i), int(best)))
            donor, receiver = (i, best) if d[i] < 0 else (best, i)
            transfers.append(
                Transfer(year, codes[donor], codes[receiver], float((abs(d[i]) + abs(d[best])) / 2))
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            jump = np.abs(change[:, t] / arr[:, t])
        for k in np.flatnonzero(jump > JUMP_THRESHOLD):
            if k not in used:
                other.append((MERGE, codes[k], year, float(change[:, t][k])))
    # the first PACE_YEARS changes have no pace: only the jump rule applies there
    for t in range(min(PACE_YEARS, change.shape[1])):
        with np.errstate(divide="ignore", invalid="ignore"):
            jump = np.abs(change[:, t] / arr[:, t])
        for k in np.flatnonzero(jump > JUMP_THRESHOLD):
            other.append((MERGE, codes[k], int(years[t + 1]), float(change[k, t])))
    return tuple(transfers), tuple(other)


def transfers(last_year: int | None = None) -> list[Transfer]:
    """Boundary transfers detected in the stocks up to 31 Dec ``last_year`` (default: all)."""
    last = int(max(_totals().columns)) if last_year is None else int(last_year)
    return list(_detect(last)[0])


def detect_breaks(last_year: int | None = None) -> pd.DataFrame:
    """Every detected series break: kind, year, zone_code, zone_name, partner_code, partner_name,
    persons (transferred, or the unexplained change of a merge or split).

    One row per zone and break (a transfer gives a row for the donor and one for the receiver,
    with persons negative for the donor). Uses stocks up to 31 Dec ``last_year`` only.
    """
    last = int(max(_totals().columns)) if last_year is None else int(last_year)
    tr, other = _detect(last)
    rows = []
    for x in tr:
        rows.append((TRANSFER, x.year, x.donor, x.receiver, -x.persons))
        rows.append((TRANSFER, x.year, x.receiver, x.donor, x.persons))
    rows += [(kind, year, code, "", persons) for kind, code, year, persons in other]
    df = pd.DataFrame(rows, columns=["kind", "year", "zone_code", "partner_code", "persons"])
    names = data.municipalities().set_index("municip_code")["name"]
    df.insert(3, "zone_name", df["zone_code"].map(names).fillna(""))
    df["partner_name"] = df["partner_code"].map(names).fillna("")
    return df.sort_values(["year", "kind", "zone_code"]).reset_index(drop=True)


def breaks_between(
    codes: Sequence[str], first: int, last: int, known_by: int | None = None
) -> pd.DataFrame:
    """The breaks of ``codes`` with year in ``first..last`` (detected with stocks to ``known_by``)."""
    b = detect_breaks(known_by)
    return b[b["zone_code"].isin(list(codes)) & b["year"].between(first, last)].reset_index(
        drop=True
    )


def on_borders_of(
    stocks: dict[int, np.ndarray], codes: Sequence[str], border_year: int, found: Sequence[Transfer]
) -> dict[int, np.ndarray]:
    """Put stocks (year -> (K, 2, A1)) on the borders of 31 Dec ``border_year``.

    For a transfer in year t <= border_year the years before t are moved to the new borders;
    for t > border_year the years from t on are moved back to the old ones. The persons moved
    in year y have the age–sex structure of the zone that holds them in y (the donor before the
    transfer, the receiver after it; read from the shipped stocks when that zone is not among
    ``codes``), so no cell turns negative and every zone's total changes by exactly the
    transferred number. Years and zones without a transfer are returned unchanged.
    """
    codes = list(codes)
    out = dict(stocks)
    for x in found:
        ks = [codes.index(c) if c in codes else None for c in (x.donor, x.receiver)]
        if ks == [None, None]:
            continue
        to_new = x.year <= border_year
        years = [y for y in out if (y < x.year if to_new else y >= x.year)]
        # Persons leave the zone that holds them in that year: the donor before the transfer,
        # the receiver after it; they take that zone's age–sex structure.
        src, dst = (ks[0], ks[1]) if to_new else (ks[1], ks[0])
        src_code = x.donor if to_new else x.receiver
        for y in years:
            arr = np.array(out[y], dtype=float)
            holder = arr[src] if src is not None else shipped_inputs.stocks([src_code], y, y)[y][0]
            moved = x.persons * holder / max(float(holder.sum()), x.persons, 1.0)
            if src is not None:
                arr[src] = holder - moved
            if dst is not None:
                arr[dst] = arr[dst] + moved
            out[y] = arr
    return out


__all__ = [
    "LATE_START",
    "MERGE",
    "TRANSFER",
    "Transfer",
    "breaks_between",
    "detect_breaks",
    "on_borders_of",
    "transfers",
]
