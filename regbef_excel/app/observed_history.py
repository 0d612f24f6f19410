"""Observed population before the base year, for the results' population and age-group sheets.

Where it comes from (the first that has any):

1. the input workbook's history sheet (``tblHistPopulation``: year, zone code, age, males,
   females on 31 December), for the zones it holds;
2. otherwise the SSB population the package ships (table 07459, 1 January, 2024 borders), for
   zones whose code is a municipality code: 31 December of year *y* is 1 January of *y* + 1.

Sub-municipal zones, zones with other codes, and years the source does not hold get no history;
the sheets say so in one note. The last :data:`regbef_excel.schema.outputs.HISTORY_YEARS` years
before the base year are shown (the base year itself is the projection's first column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regbef_excel import data
from regbef_excel.engine import Projection
from regbef_excel.errors import InputError
from regbef_excel.io.write.results import ObservedHistory
from regbef_excel.schema.meta import WorkbookMeta
from regbef_excel.schema.outputs import HISTORY_YEARS


def _from_table(table: pd.DataFrame, codes: list[str], wanted: list[int], A1: int) -> ObservedHistory:
    """Population (years, K, 2, A1) from the history sheet's rows; ages above the projection's
    oldest age are added to its open group."""
    df = table.dropna(subset=["year", "zone_code", "age"])
    df = df[df["year"].astype(int).isin(wanted)]
    years = sorted(int(y) for y in df["year"].unique())
    pop = np.full((len(years), len(codes), 2, A1), np.nan)
    if not years:
        return ObservedHistory((), pop, "workbook")
    yi = pd.Index(years).get_indexer(df["year"].astype(int))
    ki = pd.Index(codes).get_indexer(df["zone_code"].astype(str))
    ai = np.minimum(df["age"].to_numpy(dtype=int), A1 - 1)
    ok = (ki >= 0) & (ai >= 0)
    present = np.zeros(len(codes), dtype=bool)
    present[np.unique(ki[ok])] = True
    pop[:, present] = 0.0
    for s, column in enumerate(("males", "females")):
        values = pd.to_numeric(df[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        np.add.at(pop, (yi[ok], ki[ok], s, ai[ok]), values[ok])
    return ObservedHistory(tuple(years), pop, "workbook")


def _from_ssb(codes: list[str], wanted: list[int], A1: int) -> ObservedHistory:
    known = set(data.municipality_codes())
    have = [k for k, c in enumerate(codes) if c in known]
    if not have:  # no zone is a municipality: the note names the zones
        return ObservedHistory(tuple(wanted), np.full((len(wanted), len(codes), 2, A1), np.nan), "ssb")
    blocks, years = [], []
    if A1 - 1 <= data.MAX_AGE_SSB:
        for y in wanted:
            try:  # SSB 1 January of y + 1 = 31 December of y
                blocks.append(data.population_array([codes[k] for k in have], y + 1, max_age=A1 - 1))
            except InputError:  # a year outside the shipped table
                continue
            years.append(y)
    pop = np.full((len(years), len(codes), 2, A1), np.nan)
    for i, block in enumerate(blocks):
        pop[i, have] = block
    return ObservedHistory(tuple(years), pop, "ssb")


def observed_history(projection: Projection, meta: WorkbookMeta | None = None, *,
                     n_years: int = HISTORY_YEARS) -> ObservedHistory:  # fmt: skip
    """The observed population of the ``n_years`` years before the projection's base year.

    Parameters
    ----------
    projection : Projection
        Its zone codes, base year and ages decide what is looked up.
    meta : WorkbookMeta, optional
        The input workbook's metadata; its ``history['tblHistPopulation']`` is used when it has
        rows for those years.
    n_years : int
        How many years before the base year.

    Returns
    -------
    ObservedHistory
        ``source`` 'workbook' or 'ssb'; zones without history are NaN, and ``years`` may be
        empty (nothing observed): the writer then shows only a note saying why.
    """
    codes = [str(c) for c in projection.zone_codes]
    base = int(projection.years[0])
    wanted = list(range(base - n_years, base))
    A1 = projection.population.shape[3]
    table = (meta.history or {}).get("tblHistPopulation") if meta is not None else None
    if isinstance(table, pd.DataFrame) and len(table):
        found = _from_table(table, codes, wanted, A1)
        if found.shown():
            return found
    return _from_ssb(codes, wanted, A1)


__all__ = ["observed_history"]
