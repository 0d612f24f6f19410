"""Reading the market input tables: targets, labour market, housing, distances, endogenous
Hadwiger (called by :func:`regbef_excel.io.read.projection._assemble`).

Every group is optional: a sheet that is absent or whose tables hold no data rows gives
``None`` for its :class:`~regbef_excel.engine.inputs.ProjectionInputs` field, so workbooks made
before these sheets existed still read. A group with data must be complete; every problem is an
:class:`~regbef_excel.errors.InputError` naming the sheet, table and cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from regbef_excel.engine.housing import (
    HOUSING_AGE_LABELS,
    STOCK_ATOL,
    HadwigerRegression,
    HousingMarketParams,
)
from regbef_excel.engine.inputs import (
    N_AGES,
    SEXES,
    SHARE_TOLERANCE,
    VARIANT_NAMES,
    HousingInputs,
    LabourInputs,
    Targets,
)
from regbef_excel.engine.labour import LabourMarketParams
from regbef_excel.engine.migration import rc_schedule
from regbef_excel.errors import InputError
from regbef_excel.io.cells import CellProblem, convert_cell, is_empty
from regbef_excel.io.read.tables import ParsedTable, TableReader, compress_ranges
from regbef_excel.io.read.targets import targets_from_rows
from regbef_excel.schema import plausibility
from regbef_excel.schema.inputs import TABLES, VARIANT_NAMES_NB, distance_table
from regbef_excel.schema.messages import say

#: Variants that need each group (mirrors regbef_excel.engine.projection).
LABOUR_VARIANTS = (4, 5, 6)
HOUSING_MARKET_VARIANTS = (3, 4, 5)


def _present(pt: ParsedTable | None) -> bool:
    """The table exists and has at least one non-empty data row."""
    return pt is not None and any(pt.records)


def _kv_cell(pt: ParsedTable | None, key: str) -> tuple[str | None, str | None]:
    """(cell, header) of the value of item ``key`` in a key/value table."""
    if pt is None:
        return None, None
    for i, rec in enumerate(pt.records):
        if rec.get("key", "").casefold() == key.casefold():  # type: ignore[union-attr]
            return pt.cell(i, "value"), pt.header_text("value")
    return None, None


def _kv_err(r: TableReader, pt: ParsedTable | None, table: str, exc: InputError) -> None:
    key = str(exc.location.column or "")
    cell, header = _kv_cell(pt, key)
    r.err(exc.message, sheet=pt.block.sheet if pt is not None else r.sheet_label(TABLES[table].sheet),
          table=table, cell=cell, column=header or key, found=exc.found, expected=exc.expected)  # fmt: skip


def _index(r: TableReader, pt: ParsedTable, keys: tuple[str, ...], what: str,
           optional: tuple[str, ...] = ()) -> dict[tuple, int]:
    """Like ``TableReader.unique`` but keys in ``optional`` may be empty (stored as '')."""
    index: dict[tuple, int] = {}
    for i, rec in enumerate(pt.records):
        if not rec or not pt.ok(i, *[k for k in keys if k not in optional]):
            continue
        if any(k in pt.bad.get(i, ()) for k in optional):
            continue
        k = tuple("" if rec.get(c) is None else rec[c] for c in keys)
        if k in index:
            r.err(say("duplicate {what}", r.lang, what=say(what, r.lang)), sheet=pt.block.sheet,
                  table=pt.table.key, cell=pt.cell(i, keys[0]), column=pt.header_text(keys[0]),
                  found=" / ".join(map(str, k)),
                  expected=say("unique (first at {cell})", r.lang, cell=pt.cell(index[k], keys[0])))  # fmt: skip
        else:
            index[k] = i
    return index


def _grid(r: TableReader, pt: ParsedTable, idx: Mapping[tuple, int], years: list[int], zones: list[str],
          key: str, what: str) -> np.ndarray:
    """(len(years), K) from a year × zone table; reports missing combinations."""
    out = np.full((len(years), len(zones)), np.nan)
    ypos = {y: t for t, y in enumerate(years)}
    zpos = {z: k for k, z in enumerate(zones)}
    for (y, z), i in idx.items():
        if y in ypos and z in zpos and pt.ok(i, key):
            out[ypos[y], zpos[z]] = pt.records[i][key]  # type: ignore[index]
    miss = [f"{years[t]}/{zones[k]}" for t, k in zip(*np.nonzero(np.isnan(out)), strict=True)
            if (years[t], zones[k]) not in idx]  # fmt: skip
    r.missing(pt, "year", say("{what} missing for year/zone", r.lang, what=say(what, r.lang)), miss,
              say("one row per year {first}–{last} and zone", r.lang, first=years[0], last=years[-1]))
    return out


# ------------------------------------------------------------------------------------------
def assemble_markets(
    r: TableReader,
    zones: list[str],
    base: int,
    horizon: int,
    settings: Mapping[str, object],
    yf: Mapping[int, Mapping[str, object]],
    rc_rows: Mapping[tuple[str, str, str], list[float]],
) -> dict[str, object]:
    """The market-model fields of :class:`ProjectionInputs` from the parsed tables (errors into ``r``)."""
    years = list(range(base + 1, horizon + 1))
    out: dict[str, object] = {}

    def iif_profile() -> np.ndarray:
        """Fallback age/sex profile: the zones' internal in-migration schedules (IIF), summed."""
        ages = np.arange(N_AGES)
        prof = np.zeros((2, N_AGES))
        for z in zones:
            for s, sex in enumerate(SEXES):
                row = rc_rows.get(("IIF", z, sex))
                if row is not None:
                    sched = rc_schedule(np.asarray(row, dtype=float), ages)
                    prof[s] += sched / max(float(sched.sum()), 1e-12)
        if prof.sum() <= 0:
            prof[:] = 1.0
        return prof / prof.sum()

    out["targets"] = _targets(r, zones, base, horizon)
    labour = _labour(r, zones, base, years, yf, iif_profile)
    housing = _housing(r, zones, years, yf, iif_profile)
    out["labour"], out["housing"] = labour, housing
    out["distances"] = _distances(r, zones, labour, housing)
    _hadwiger(r, zones, years, settings, housing, out)
    _variant_needs(r, settings, out)
    return out


def _targets(r: TableReader, zones: list[str], base: int, horizon: int) -> Targets | None:
    pt = r.parsed.get("tblTargets")
    if not _present(pt):
        return None
    assert pt is not None
    r.known_zones(pt, set(zones))  # these two name the cell; the rows they flag are left out
    idx = _index(r, pt, ("year", "zone_code"), "year and zone", optional=("zone_code",))
    r.years_in_period(pt, idx, base + 1, horizon, "target")
    zset = set(zones)
    rows = [
        (i, pt.records[i]) for (y, z), i in idx.items()
        if base < y <= horizon and (not z or z in zset) and pt.ok(i, "steering")  # type: ignore[operator]
        and not {"target_type", "value"} & pt.bad.get(i, set())
    ]  # fmt: skip
    tg, problems = targets_from_rows(rows, zones, base, horizon)
    for p in problems:
        r.err(p.message, sheet=pt.block.sheet, table=pt.table.key, cell=pt.cell(p.row, p.column),
              column=pt.header_text(p.column), found=p.found, expected=p.expected)  # fmt: skip
    return tg


def _labour(r: TableReader, zones: list[str], base: int, years: list[int],
            yf: Mapping[int, Mapping[str, object]], fallback: Callable[[], np.ndarray]) -> LabourInputs | None:
    P = r.parsed
    pp, zt, jt = P.get("tblParticipation"), P.get("tblLabourZones"), P.get("tblJobs")
    kv = P.get("tblLabourParams")
    if not any(_present(x) for x in (pp, zt, jt)):
        return None
    sheet = r.sheet_label("labour")
    K, T = len(zones), len(years)
    ok = True
    # participation
    part = np.zeros((2, 0))
    lower: tuple[int, ...] = ()
    if not _present(pp):
        r.err("participation rates missing", sheet=sheet, table="tblParticipation",
              expected="one row per labour age group (from age, males, females)")  # fmt: skip
        ok = False
    else:
        assert pp is not None
        idx = r.unique(pp, ("age_lower",), "age group")
        rows = sorted((a, i) for (a,), i in idx.items())
        lower = tuple(int(a) for a, _ in rows)  # type: ignore[call-overload]
        part = np.array([[pp.records[i].get(c) if pp.ok(i, c) else np.nan for _, i in rows]
                         for c in ("males", "females")], dtype=float)  # fmt: skip
        ok &= bool(rows) and not np.isnan(part).any()
    # parameters
    vals = r.values("tblLabourParams")
    defaults = LabourMarketParams()
    kw: dict[str, object] = {}
    for f in ("tov", "kalmin", "afalfa", "afbeta", "afdelta", "arbfam", "utfam", "innfam",
              "distance_function", "beta"):
        v = vals.get(f.upper())
        kw[f] = getattr(defaults, f) if v is None else v
    ext_scalar = vals.get("EXTERNAL_DISTANCE")
    kw["external_distance"] = defaults.external_distance if ext_scalar is None else float(ext_scalar)  # type: ignore[arg-type]
    # zone factors
    yk, kup, kip = np.ones(K), np.zeros(K), np.zeros(K)
    ext_zone = np.full(K, np.nan)
    if not _present(zt):
        r.err("zone factors of the labour market missing", sheet=sheet, table="tblLabourZones",
              expected="one row per zone (YK, KUP, KIP)")  # fmt: skip
        ok = False
    else:
        assert zt is not None
        r.known_zones(zt, set(zones))
        idx = r.unique(zt, ("zone_code",), "zone code")
        r.missing(zt, "zone_code", "labour-market zone factors missing for zones",
                  [z for z in zones if (z,) not in idx], "one row per zone")  # fmt: skip
        for k, z in enumerate(zones):
            i = idx.get((z,))
            if i is None:
                ok = False
                continue
            rec = zt.records[i]
            if not zt.ok(i, "YK", "KUP", "KIP"):
                ok = False
                continue
            yk[k], kup[k], kip[k] = rec["YK"], rec["KUP"], rec["KIP"]  # type: ignore[assignment]
            if rec.get("external_distance") is not None:
                ext_zone[k] = rec["external_distance"]  # type: ignore[assignment]
        if np.all(np.isfinite(ext_zone)):
            kw["external_distance"] = tuple(float(x) for x in ext_zone)
    try:
        params = LabourMarketParams(**kw).validate(K)  # type: ignore[arg-type]
    except InputError as exc:
        _kv_err(r, kv, "tblLabourParams", exc)
        params, ok = defaults, False
    # jobs, base year first
    jobs = np.full((T + 1, K), np.nan)
    if not _present(jt):
        r.err("jobs per zone and year missing", sheet=sheet, table="tblJobs",
              expected=say("one row per year {first}–{last} and zone", r.lang, first=base, last=years[-1]))  # fmt: skip
        ok = False
    else:
        assert jt is not None
        r.known_zones(jt, set(zones))
        idx = r.unique(jt, ("year", "zone_code"), "year and zone")
        r.years_in_period(jt, idx, base, years[-1], "jobs")
        jobs = _grid(r, jt, idx, [base, *years], zones, "jobs", "jobs")
        ok &= not np.isnan(jobs).any()
    # profile (optional)
    prof_t = P.get("tblLabourProfile")
    if _present(prof_t):
        assert prof_t is not None
        profile = _age_profile(r, prof_t)
        ok &= profile is not None
    else:
        profile = fallback()
    yr = np.array([_factor(yf.get(y, {}).get("YR")) for y in years])
    if not ok or profile is None:
        return None
    return LabourInputs(participation=part, age_lower=lower, level_region=yr, level_zone=yk,
                        jobs=jobs, params=params, kup=kup, kip=kip, profile=profile)  # fmt: skip


def _number_text(x: float, language: str) -> str:
    """``8,088.6`` (English) or ``8 088,6`` (Norwegian)."""
    text = f"{x:,.1f}"
    return text.replace(",", "\u00a0").replace(".", ",") if language == "nb" else text


def _factor(v: object) -> float:
    return 1.0 if v is None else float(v)  # type: ignore[arg-type]


def _age_profile(r: TableReader, pt: ParsedTable, extra_key: str | None = None,
                 keys: list[str] | None = None) -> np.ndarray | None:
    """(2, A1) from an age table, or (len(keys), 2, A1) when ``extra_key`` groups the rows."""
    groups = keys or [""]
    out = np.full((len(groups), 2, N_AGES), np.nan)
    gpos = {g: i for i, g in enumerate(groups)}
    kcols = (extra_key, "age") if extra_key else ("age",)
    idx = r.unique(pt, kcols, "row")  # type: ignore[arg-type]
    for key, i in idx.items():
        g = key[0] if extra_key else ""
        if g not in gpos:
            r.err("unknown house type", sheet=pt.block.sheet, table=pt.table.key,
                  cell=pt.cell(i, extra_key or "age"), column=pt.header_text(extra_key or "age"),
                  found=g, expected="a house type of the House types table")  # fmt: skip
            continue
        rec = pt.records[i]
        if pt.ok(i, "males", "females"):
            out[gpos[g], 0, key[-1]] = rec["males"]  # type: ignore[index]
            out[gpos[g], 1, key[-1]] = rec["females"]  # type: ignore[index]
    for gi, g in enumerate(groups):
        miss = sorted(set(range(N_AGES)) - {k[-1] for k in idx if (k[0] if extra_key else "") == g})
        if miss:
            what = say("profile ages missing for {group}", r.lang, group=g) if g else "profile ages missing"
            r.missing(pt, "age", what, compress_ranges(miss), "one row for each age 0–99")  # type: ignore[arg-type]
        elif np.nansum(out[gi]) <= 0:
            r.missing(pt, "males", "profile is zero at every age", [g or "–"], "some positive shares")
    if np.isnan(out).any():
        return None
    return out if extra_key else out[0]


def _housing(r: TableReader, zones: list[str], years: list[int], yf: Mapping[int, Mapping[str, object]],
             fallback: Callable[[], np.ndarray]) -> HousingInputs | None:
    P = r.parsed
    keys = ("tblHouseTypes", "tblStockByPeriod", "tblStockByType", "tblHousingZones", "tblBuilding",
            "tblHousingNeed")
    if not any(_present(P.get(k)) for k in keys):
        return None
    K, T = len(zones), len(years)
    zset = set(zones)
    ok = True

    def need(key: str, what: str) -> ParsedTable | None:
        nonlocal ok
        pt = P.get(key)
        if not _present(pt):
            r.err(say("{what} missing", r.lang, what=say(what, r.lang)), sheet=r.sheet_label(TABLES[key].sheet),
                  table=key, expected=TABLES[key].title(r.lang))  # fmt: skip
            ok = False
            return None
        return pt

    # house types
    types: list[str] = []
    fam_new: list[float] = []
    ht = need("tblHouseTypes", "house types")
    if ht is not None:
        for (b,), i in r.unique(ht, ("house_type",), "house type").items():
            types.append(str(b))
            fam_new.append(float(ht.records[i]["family_new"]) if ht.ok(i, "family_new") else np.nan)  # type: ignore[arg-type]
    tpos = {b: i for i, b in enumerate(types)}
    H = len(types)
    # stock by period
    periods: list[str] = []
    sp = np.zeros((K, 0))
    first_row: dict[str, int] = {}
    pt = need("tblStockByPeriod", "housing stock by construction period")
    if pt is not None:
        r.known_zones(pt, zset)
        idx = r.unique(pt, ("zone_code", "period"), "zone and period")
        for (z, per), i in idx.items():
            if per not in periods:
                periods.append(str(per))
            first_row.setdefault(str(z), i)
        sp = np.full((K, len(periods)), np.nan)
        zpos = {z: k for k, z in enumerate(zones)}
        for (z, per), i in idx.items():
            if z in zpos and pt.ok(i, "dwellings"):
                sp[zpos[z], periods.index(str(per))] = pt.records[i]["dwellings"]  # type: ignore[index]
        miss = [f"{zones[k]}/{periods[j]}" for k, j in zip(*np.nonzero(np.isnan(sp)), strict=True)
                if (zones[k], periods[j]) not in idx]  # fmt: skip
        r.missing(pt, "zone_code", "dwellings by period missing for zone/period", miss,
                  "one row per zone and construction period (the same periods for every zone)")
        ok &= not np.isnan(sp).any()
    # stock by type and building shares
    st, bs = np.full((K, H), np.nan), np.full((K, H), np.nan)
    tt = need("tblStockByType", "housing stock by house type")
    type_first: dict[str, int] = {}
    if tt is not None:
        r.known_zones(tt, zset)
        idx = r.unique(tt, ("zone_code", "house_type"), "zone and house type")
        zpos = {z: k for k, z in enumerate(zones)}
        for (z, b), i in idx.items():
            if b not in tpos:
                r.err("unknown house type", sheet=tt.block.sheet, table=tt.table.key,
                      cell=tt.cell(i, "house_type"), column=tt.header_text("house_type"), found=b,
                      expected="a house type listed in the House types table")  # fmt: skip
                ok = False
                continue
            type_first.setdefault(str(z), i)
            if z in zpos and tt.ok(i, "dwellings", "building_share"):
                st[zpos[z], tpos[b]] = tt.records[i]["dwellings"]  # type: ignore[index]
                bs[zpos[z], tpos[b]] = tt.records[i]["building_share"]  # type: ignore[index]
        miss = [f"{zones[k]}/{types[j]}" for k, j in zip(*np.nonzero(np.isnan(st)), strict=True)
                if (zones[k], types[j]) not in idx]  # fmt: skip
        r.missing(tt, "zone_code", "dwellings by house type missing for zone/type", miss,
                  "one row per zone and house type")
        ok &= not (np.isnan(st).any() or np.isnan(bs).any())
        # the two stock tables must agree per zone; building shares sum to 1
        for k, z in enumerate(zones):
            if pt is not None and not np.isnan(sp[k]).any() and not np.isnan(st[k]).any():
                a, b = float(sp[k].sum()), float(st[k].sum())
                if abs(a - b) > STOCK_ATOL:
                    i = first_row.get(z, 0)
                    r.err(say("zone {zone}: dwellings by period do not sum to the total by house type", r.lang,
                              zone=z),
                          sheet=pt.block.sheet, table=pt.table.key, cell=pt.cell(i, "dwellings"),
                          column=pt.header_text("dwellings"),
                          found=say("{a} by period vs {b} by type", r.lang, a=_number_text(a, r.lang),
                                    b=_number_text(b, r.lang)),
                          expected=say("equal totals (± {tol})", r.lang, tol=STOCK_ATOL))  # fmt: skip
                    ok = False
            if not np.isnan(bs[k]).any() and abs(bs[k].sum() - 1) > SHARE_TOLERANCE and z in type_first:
                i = type_first[z]
                r.err(say("zone {zone}: shares of new building do not sum to 1", r.lang, zone=z), sheet=tt.block.sheet,
                      table=tt.table.key, cell=tt.cell(i, "building_share"),
                      column=tt.header_text("building_share"), found=round(float(bs[k].sum()), 6),
                      expected="shares summing to 1 over the house types")  # fmt: skip
                ok = False
    # zone parameters
    avge, avgn, fam = np.full(K, np.nan), np.full(K, np.nan), np.full(K, np.nan)
    hz = need("tblHousingZones", "demolition and household sizes per zone")
    if hz is not None:
        r.known_zones(hz, zset)
        idx = r.unique(hz, ("zone_code",), "zone code")
        r.missing(hz, "zone_code", "demolition shares missing for zones",
                  [z for z in zones if (z,) not in idx], "one row per zone")  # fmt: skip
        for k, z in enumerate(zones):
            i = idx.get((z,))
            if i is not None and hz.ok(i, "AVGE", "AVGN", "family_existing"):
                rec = hz.records[i]
                avge[k], avgn[k], fam[k] = rec["AVGE"], rec["AVGN"], rec["family_existing"]  # type: ignore[assignment]
        ok &= not np.isnan(avge + avgn + fam).any()
    # building programme
    building = np.full((T, K), np.nan)
    bt = need("tblBuilding", "building programme")
    if bt is not None:
        r.known_zones(bt, zset)
        idx = r.unique(bt, ("year", "zone_code"), "year and zone")
        r.years_in_period(bt, idx, years[0], years[-1], "building")
        building = _grid(r, bt, idx, years, zones, "dwellings", "building programme")
        ok &= not np.isnan(building).any()
    # civil status and need rates
    G = len(HOUSING_AGE_LABELS)
    siv, bol = np.full((2, G, 4), np.nan), np.full((2, G, 4), np.nan)
    nt = need("tblHousingNeed", "civil-status shares and housing-need rates")
    if nt is not None:
        idx = r.unique(nt, ("sex", "age_group", "civil_status"), "sex, age group and civil status")
        for (sex, g, c), i in idx.items():
            if nt.ok(i, "SIVRAT", "BOLRAT"):
                s, gi = SEXES.index(sex), HOUSING_AGE_LABELS.index(g)  # type: ignore[arg-type]
                siv[s, gi, c - 1] = nt.records[i]["SIVRAT"]  # type: ignore[operator]
                bol[s, gi, c - 1] = nt.records[i]["BOLRAT"]  # type: ignore[operator]
        miss = [f"{SEXES[s]}/{HOUSING_AGE_LABELS[g]}/{c + 1}"
                for s, g, c in zip(*np.nonzero(np.isnan(siv)), strict=True)]  # fmt: skip
        r.missing(nt, "sex", "need rates missing for sex/age group/civil status", miss,
                  "one row per sex, age group (16-19 … 80+) and civil status 1–4")
        ok &= not (np.isnan(siv).any() or np.isnan(bol).any())
    # market parameters
    vals = r.values("tblHousingMarket")
    d = HousingMarketParams()
    kw = {f: (getattr(d, f) if vals.get(f.upper()) is None else vals[f.upper()])
          for f in ("boleks", "bolled", "a1", "a2", "a3", "distance_function", "beta", "mode")}  # fmt: skip
    try:
        market = HousingMarketParams(**kw).validate()  # type: ignore[arg-type]
    except InputError as exc:
        _kv_err(r, r.parsed.get("tblHousingMarket"), "tblHousingMarket", exc)
        market, ok = d, False
    # profile of movers into new dwellings (optional)
    pn = r.parsed.get("tblNewDwellingProfile")
    if _present(pn) and types:
        assert pn is not None
        profile_new = _age_profile(r, pn, "house_type", types)
        ok &= profile_new is not None
    else:
        profile_new = np.broadcast_to(fallback(), (H, 2, N_AGES)).copy()
    br = np.array([_factor(yf.get(y, {}).get("BR")) for y in years])
    if not ok or not types or not periods or profile_new is None or np.isnan(fam_new).any():
        return None
    return HousingInputs(
        stock_by_period=sp, period_labels=tuple(periods), stock_by_type=st, type_labels=tuple(types),
        demolition_old=avge, demolition_new=avgn, building=building, building_type_shares=bs,
        sivrat=siv, bolrat=bol, level_region=br, market=market, family_existing=fam,
        family_new=np.array(fam_new), profile_new=profile_new,
    )  # fmt: skip


def _code(h: object) -> str:
    if isinstance(h, float) and h.is_integer():
        h = int(h)
    return str(h).strip()


def _distances(r: TableReader, zones: list[str], labour: LabourInputs | None,
               housing: HousingInputs | None) -> np.ndarray | None:
    pt = r.parsed.get("tblDistances")
    if not _present(pt):
        return None
    assert pt is not None
    block = pt.block
    zoff = pt.offsets["zone_code"]
    n_err = len(r.errors)
    cols: dict[str, int] = {}
    for j, h in enumerate(block.header):
        if j == zoff or is_empty(h):
            continue
        code = _code(h)
        if code in cols:
            r.err("zone listed twice in the column headers", sheet=block.sheet, table=pt.table.key,
                  cell=block.header_address(j), found=code,
                  expected=say("each zone once (first at {cell})", r.lang, cell=block.header_address(cols[code])))  # fmt: skip
        elif code not in zones:
            r.err("unknown zone code in the column headers", sheet=block.sheet, table=pt.table.key,
                  cell=block.header_address(j), found=code,
                  expected=say("a zone code listed on the sheet '{sheet}'", r.lang, sheet=r.sheet_label("zones")))  # fmt: skip
        else:
            cols[code] = j
    r.known_zones(pt, set(zones))
    rows = {z: i for (z,), i in r.unique(pt, ("zone_code",), "zone code").items()}
    n_rows = sum(1 for rec in pt.records if rec)
    n_cols = sum(1 for j, h in enumerate(block.header) if j != zoff and not is_empty(h))
    if n_rows != n_cols:
        r.err("distance matrix not square", sheet=block.sheet, table=pt.table.key,
              cell=block.header_address(zoff), found=say("{rows} rows × {cols} columns", r.lang, rows=n_rows, cols=n_cols),
              expected="as many zone columns as zone rows, one of each per zone")  # fmt: skip
    miss_r = [z for z in zones if z not in rows]
    miss_c = [z for z in zones if z not in cols]
    r.missing(pt, "zone_code", "zones missing from the distance matrix (rows)", miss_r, "one row per zone")
    if miss_c:
        r.err("zones missing from the distance matrix (columns)", sheet=block.sheet, table=pt.table.key,
              cell=block.header_address(max(cols.values(), default=zoff)),
              found=", ".join(miss_c[:12]), expected="one column per zone (header = zone code)")  # fmt: skip
    power = (labour is not None and getattr(labour.params, "distance_function", "") == "power") or (
        housing is not None and getattr(housing.market, "distance_function", "") == "power"
    )
    spec = distance_table(["x"]).columns[1]
    K = len(zones)
    d = np.full((K, K), np.nan)
    raw: dict[str, list[object]] = {c: [] for c in cols}
    for a, za in enumerate(zones):
        i = rows.get(za)
        if i is None:
            continue
        row = block.rows[i]
        for b, zb in enumerate(zones):
            j = cols.get(zb)
            if j is None:
                continue
            value = row[j] if j < len(row) else None
            raw[zb].append(value)
            cell = block.address(i, j)
            try:
                x = convert_cell(value, spec, r.lang)
            except CellProblem as p:
                r.err("negative distance" if p.message == say("out of range", r.lang) else p.message,
                      sheet=block.sheet, table=pt.table.key, cell=cell, column=zb, found=value,
                      expected=p.expected)  # fmt: skip
                continue
            if x is None:
                r.err("empty cell", sheet=block.sheet, table=pt.table.key, cell=cell, column=zb,
                      expected="a distance in km")  # fmt: skip
                continue
            implausible = plausibility.problem(pt.table.key, "*", x, r.lang)
            if implausible is not None:
                r.err(implausible[0], sheet=block.sheet, table=pt.table.key, cell=cell, column=zb,
                      found=value, expected=implausible[1])  # fmt: skip
                continue
            if power and x <= 0:  # type: ignore[operator]
                r.err("zero distance with the power distance function", sheet=block.sheet,
                      table=pt.table.key, cell=cell, column=zb, found=value,
                      expected="> 0 km (or choose the exponential function)")  # fmt: skip
                continue
            d[a, b] = x
    pt.raw.update(raw)
    if len(r.errors) > n_err or np.isnan(d).any():
        return None
    return d


def _hadwiger(r: TableReader, zones: list[str], years: list[int], settings: Mapping[str, object],
              housing: HousingInputs | None, out: dict[str, object]) -> None:
    on = bool(settings.get("endogenous_hadwiger") or False)
    out["endogenous_hadwiger"] = on
    reg_t = r.parsed.get("tblHadwigerRegression")
    if reg_t is not None:
        vals = r.values("tblHadwigerRegression")
        d = HadwigerRegression()
        out["hadwiger_regression"] = HadwigerRegression(**{
            c.key: float(vals[c.key]) if vals.get(c.key) is not None else getattr(d, c.key)  # type: ignore[arg-type]
            for c in TABLES["tblHadwigerRegression"].items
        })  # fmt: skip
    it = r.parsed.get("tblIncome")
    income = None
    if _present(it):
        assert it is not None
        r.known_zones(it, set(zones))
        idx = r.unique(it, ("year", "zone_code"), "year and zone")
        r.years_in_period(it, idx, years[0], years[-1], "income")
        income = _grid(r, it, idx, years, zones, "income", "income")
        if np.isnan(income).any():
            income = None
    out["income"] = income
    if on:
        st = r.parsed.get("tblSettings")
        cell, header = _kv_cell(st, "endogenous_hadwiger")
        sheet = st.block.sheet if st is not None else r.sheet_label("settings")
        if income is None and not _present(it):
            r.err("endogenous Hadwiger needs the income indicator per zone and year", sheet=sheet,
                  table="tblSettings", cell=cell, column=header, found="JA/YES",
                  expected=say("a filled income table on the sheet '{sheet}' or NEI/NO", r.lang,
                               sheet=r.sheet_label("fertility")))  # fmt: skip
        if housing is None:
            r.err("endogenous Hadwiger needs the housing inputs", sheet=sheet, table="tblSettings",
                  cell=cell, column=header, found="JA/YES",
                  expected=say("a filled sheet '{sheet}' or NEI/NO", r.lang, sheet=r.sheet_label("housing")))  # fmt: skip


def _variant_needs(r: TableReader, settings: Mapping[str, object], out: Mapping[str, object]) -> None:
    v = settings.get("variant")
    if not isinstance(v, int):
        return
    need = []
    if v in LABOUR_VARIANTS:
        need += [("labour", "labour-market inputs", "labour"), ("distances", "distances", "distances")]
    if v in HOUSING_MARKET_VARIANTS:
        need += [("housing", "housing inputs", "housing"), ("distances", "distances", "distances")]
    st = r.parsed.get("tblSettings")
    cell, header = _kv_cell(st, "variant")
    failed = {e.location.table for e in r.errors}
    for field_, what, sheet_key in dict.fromkeys(need):
        if out.get(field_) is None and not (failed & set(TABLES_OF[field_])):
            r.err(say("model variant {v} ({name}) needs the {what}", r.lang, v=v,
                      name=(VARIANT_NAMES_NB if r.lang == "nb" else VARIANT_NAMES)[v], what=say(what, r.lang)),
                  sheet=st.block.sheet if st is not None else r.sheet_label("settings"),
                  table="tblSettings", cell=cell, column=header, found=v,
                  expected=say("a filled sheet '{sheet}' or another model variant", r.lang,
                               sheet=r.sheet_label(sheet_key)))  # fmt: skip


#: Tables of each group (a group whose tables already have errors gets no second message).
TABLES_OF = {
    "labour": ("tblParticipation", "tblLabourParams", "tblLabourZones", "tblJobs", "tblLabourProfile"),
    "housing": ("tblHouseTypes", "tblStockByPeriod", "tblStockByType", "tblHousingZones",
                "tblBuilding", "tblHousingNeed", "tblHousingMarket", "tblNewDwellingProfile"),
    "distances": ("tblDistances",),
}

