"""Engine inputs ↔ table rows: the stored (language-independent) rows the template builder
writes for a :class:`~regbef_excel.engine.inputs.ProjectionInputs`, and the arrays the reader
rebuilds from rows (:func:`rc_array`). No files and no spreadsheet library here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from regbef_excel.engine.housing import HOUSING_AGE_LABELS, HadwigerRegression
from regbef_excel.engine.inputs import (
    FLOWS,
    N_AGES,
    RC_KEYS,
    SEXES,
    TARGET,
    TREND,
    ZONE_YEAR_KEYS,
    ProjectionInputs,
)
from regbef_excel.schema.base import Table
from regbef_excel.schema.inputs import (
    ASSUMPTION,
    HANDBOOK,
    HANDBOOK_HOUSING_PARAMS,
    HOUSING_PARAM_ITEMS,
    LABOUR_PARAM_ITEMS,
    RECONSTRUCTED,
    RECONSTRUCTED_VALUE,
    TABLES,
    distance_table,
)
from regbef_excel.schema.meta import RCFitQuality, WorkbookMeta


# ----------------------------------------------------------------------------------------------
# ProjectionInputs → rows of stored values
# ----------------------------------------------------------------------------------------------
@dataclass
class TableRows:
    """Rows of one table in stored (language-independent) form, columns in schema order."""

    key: str
    rows: list[list[object]]


def _f(x: object) -> object:
    return float(x) if isinstance(x, np.floating | float) else x


def settings_values(inputs: ProjectionInputs | None, meta: WorkbookMeta, language: str) -> dict[str, object]:
    """The value of every setting, from inputs (or the schema defaults for an empty template)."""
    table = TABLES["tblSettings"]
    vals = {c.key: c.default for c in table.items}
    if inputs is not None:
        vals.update(
            base_year=int(inputs.base_year), horizon=int(inputs.horizon), variant=int(inputs.variant),
            fertility_source=inputs.fertility_source, share_boys=float(inputs.share_boys),
            drop_oldest=bool(inputs.drop_oldest), reconcile_births=bool(inputs.reconcile_births),
            reconcile_deaths=bool(inputs.reconcile_deaths),
            endogenous_hadwiger=bool(inputs.endogenous_hadwiger),
        )  # fmt: skip
    vals.update(
        estimation_start=meta.estimation_start, estimation_end=meta.estimation_end,
        language=language, region_name=meta.region_name or "",
    )  # fmt: skip
    vals.update({k: v for k, v in meta.settings.items() if k in vals})
    return vals


def elderly_levels(inputs: ProjectionInputs, meta: WorkbookMeta) -> np.ndarray | None:
    """The EIFN elderly column (T,): the in-migration multiplier at the first elderly age, from
    the inputs or ``meta.settings['elderly_levels']`` (generated for a later switch to rates)."""
    if inputs.inmigration_age_level is not None:
        age = int(meta.settings.get("elderly_from_age", 67))
        return np.asarray(inputs.inmigration_age_level, dtype=float)[:, age]
    lv = meta.settings.get("elderly_levels")
    return None if lv is None else np.asarray(lv, dtype=float)


def inputs_to_rows(
    inputs: ProjectionInputs | None, meta: WorkbookMeta | None = None, language: str = "nb"
) -> dict[str, list[list[object]]]:
    """Rows (stored values, schema column order, comment column filled from ``meta``) of every
    input table. An empty template (``inputs=None``) gets settings defaults, the age and year
    key columns and Hadwiger defaults, and no zone rows."""
    meta = meta or WorkbookMeta()
    out: dict[str, list[list[object]]] = {}

    def com(table: str, *key: object) -> object:
        return meta.comment(table, tuple(key))

    sv = settings_values(inputs, meta, language)
    out["tblSettings"] = [
        [c.key, c.label(language), sv[c.key], c.unit(language), com("tblSettings", c.key)]
        for c in TABLES["tblSettings"].items
    ]
    had = (
        {"HDWA": inputs.hadwiger.a, "HDWB": inputs.hadwiger.b, "HDWC": inputs.hadwiger.c}
        if inputs is not None
        else {c.key: c.default for c in TABLES["tblHadwiger"].items}
    )
    out["tblHadwiger"] = [
        [c.key, c.label(language), _f(had[c.key]), c.unit(language), com("tblHadwiger", c.key)]
        for c in TABLES["tblHadwiger"].items
    ]
    out["tblProvenance"] = [["provenance", t] for t in meta.provenance] + [
        ["note", t] for t in meta.notes
    ]
    fert = np.asarray(inputs.fertility_rates) if inputs is not None else None
    out["tblFertilityRates"] = [
        [a, None if fert is None else float(fert[a]), com("tblFertilityRates", a)] for a in range(15, 50)
    ]
    dp = np.asarray(inputs.death_prob) if inputs is not None else None
    out["tblDeathProb"] = [
        [a, *((None, None) if dp is None else (float(dp[0, a]), float(dp[1, a]))), com("tblDeathProb", a)]
        for a in range(N_AGES)
    ]
    if inputs is None:
        base = int(sv["base_year"])  # type: ignore[arg-type]
        years = range(base + 1, int(sv["horizon"]) + 1)  # type: ignore[arg-type]
        out["tblYearFactors"] = [
            [y, 1.0, 1.0, 1.0, 1.0, 1.0, None, None, None, None, None, com("tblYearFactors", y)] for y in years
        ]
        for key in ("tblZones", "tblPopulation", "tblRogersCastro", "tblZoneFactors", "tblZoneYearFactors"):
            out[key] = []
    else:
        codes = [str(c) for c in inputs.zone_codes]
        out["tblZones"] = [
            [c, str(n), com("tblZones", c)] for c, n in zip(codes, inputs.zone_names, strict=True)
        ]
        pop = np.asarray(inputs.population, dtype=float)
        ages = np.arange(N_AGES)
        rows: list[list[object]] = []
        males, females = pop[:, 0, :].tolist(), pop[:, 1, :].tolist()
        pc = meta.comments.get("tblPopulation", {})
        for k, c in enumerate(codes):
            m, f = males[k], females[k]
            rows.extend([c, a, m[a], f[a], pc.get((c, a))] for a in ages.tolist())
        out["tblPopulation"] = rows
        rc_rows: list[list[object]] = []
        for flow in FLOWS:
            arr = np.asarray(inputs.rc_params[flow], dtype=float).tolist()
            for k, c in enumerate(codes):
                for s, sex in enumerate(SEXES):
                    q = meta.fit_quality.get((flow, c, sex), RCFitQuality())
                    rc_rows.append(
                        [flow, c, sex, *arr[k][s], q.n_params, q.sse, q.converged,
                         ", ".join(q.at_bounds) or None, com("tblRogersCastro", flow, c, sex)]
                    )  # fmt: skip
        out["tblRogersCastro"] = rc_rows
        mz, mr = inputs.migration_level_zone, inputs.migration_level_region
        zf = np.column_stack([
            inputs.fertility_level_zone, inputs.mortality_level_zone, mz["EUF"], mz["IUF"],
            inputs.immigration_share, inputs.domestic_inmigration, inputs.internal_net_trend,
        ]).astype(float).tolist()  # fmt: skip
        out["tblZoneFactors"] = [[c, *zf[k], com("tblZoneFactors", c)] for k, c in enumerate(codes)]
        yf = np.column_stack([
            inputs.fertility_level_region, inputs.mortality_level_region, mr["EUF"], mr["IUF"],
            mr["EIFN"], inputs.immigration_total,
        ]).astype(float).tolist()  # fmt: skip
        yr = None if inputs.labour is None else np.asarray(inputs.labour.level_region, dtype=float).tolist()
        br = None if inputs.housing is None else np.asarray(inputs.housing.level_region, dtype=float).tolist()
        tfr = meta.settings.get("tfr_path")
        eld = elderly_levels(inputs, meta)
        out["tblYearFactors"] = [
            [int(y), *yf[t], None if yr is None else yr[t], None if br is None else br[t],
             None if tfr is None else float(tfr[t]), None if eld is None else float(eld[t]),
             com("tblYearFactors", int(y))]
            for t, y in enumerate(inputs.years)
        ]
        zy = {key: inputs.zone_year(key) for key in ZONE_YEAR_KEYS}
        varies = [k for k in range(len(codes)) if any(np.any(zy[key][:, k] != 1.0) for key in ZONE_YEAR_KEYS)]
        out["tblZoneYearFactors"] = [
            [int(y), codes[k], *(float(zy[key][t, k]) for key in ZONE_YEAR_KEYS),
             com("tblZoneYearFactors", int(y), codes[k])]
            for k in varies for t, y in enumerate(inputs.years)
        ]  # fmt: skip
    out.update(market_rows(inputs, meta, language))
    for key in ("tblHistPopulation", "tblHistMigration"):
        df = meta.history.get(key)
        if df is None or len(df) == 0:
            out[key] = []
        else:
            cols = TABLES[key].column_keys
            d = df.reindex(columns=list(cols)).astype(object)
            out[key] = d.where(d.notna(), None).values.tolist()
    return out


def inputs_to_raw_tables(
    inputs: ProjectionInputs, meta: WorkbookMeta | None = None
) -> dict[str, dict[str, list[object]]]:
    """Column-wise tables of stored values (the form :func:`run_checks` reads)."""
    rows = inputs_to_rows(inputs, meta, "en")
    out: dict[str, dict[str, list[object]]] = {}
    for key, rs in rows.items():
        cols = table_for_rows(key, inputs).column_keys
        out[key] = {c: [r[i] for r in rs] for i, c in enumerate(cols)}
    return out


def rc_array(rows: Mapping[tuple[str, str, str], list[float]], codes: list[str]) -> dict[str, np.ndarray]:
    """Rogers–Castro parameters keyed ``(flow, zone, sex)`` → ``{flow: (K, 2, N_RC)}``."""
    out = {}
    for flow in FLOWS:
        arr = np.zeros((len(codes), 2, len(RC_KEYS)))
        for k, c in enumerate(codes):
            for s, sex in enumerate(SEXES):
                arr[k, s] = rows[(flow, c, sex)]
        out[flow] = arr
    return out


# ----------------------------------------------------------------------------------------------
# Targets, labour market, housing, distances, endogenous Hadwiger
# ----------------------------------------------------------------------------------------------
def table_for_rows(key: str, inputs: ProjectionInputs | None) -> Table:
    """The schema table rows of ``key`` are written with (the distance matrix gets one column
    per zone of ``inputs``)."""
    if key == "tblDistances":
        return distance_table(tuple(inputs.zone_codes) if inputs is not None else ())
    return TABLES[key]


def _kv_rows(table: str, values: Mapping[str, object], language: str, meta: WorkbookMeta,
             flags: Mapping[str, tuple[str, str]] | None = None) -> list[list[object]]:
    """Rows of a key/value table; the comment defaults to the item's flag (assumption, …)."""
    lang = 0 if language == "nb" else 1
    rows = []
    for c in TABLES[table].items:
        comment = meta.comment(table, (c.key,))
        if comment is None and flags and c.key in flags:
            comment = flags[c.key][lang]
        rows.append([c.key, c.label(language), _f(values.get(c.key, c.default)), c.unit(language), comment])
    return rows


def labour_param_values(params: object | None) -> dict[str, object]:
    """Key/value table values of a :class:`~regbef_excel.engine.labour.LabourMarketParams`."""
    if params is None:
        return {}
    ext = np.atleast_1d(np.asarray(params.external_distance, dtype=float))  # type: ignore[attr-defined]
    out = {k.upper(): getattr(params, k) for k in (
        "tov", "kalmin", "afalfa", "afbeta", "afdelta", "arbfam", "utfam", "innfam",
        "distance_function", "beta")}  # fmt: skip
    out["EXTERNAL_DISTANCE"] = float(ext[0]) if ext.size == 1 else float(ext.mean())
    return out


def housing_param_values(params: object | None) -> dict[str, object]:
    """Key/value table values of a :class:`~regbef_excel.engine.housing.HousingMarketParams`."""
    if params is None:
        return {}
    return {k.upper(): getattr(params, k) for k in (
        "boleks", "bolled", "a1", "a2", "a3", "distance_function", "beta", "mode")}  # fmt: skip


def market_rows(inputs: ProjectionInputs | None, meta: WorkbookMeta, language: str) -> dict[str, list[list[object]]]:
    """Rows of the market-model tables (targets, labour, housing, distances, endogenous Hadwiger).

    Tables of an absent input group are empty; their key/value parameter tables hold the
    defaults so a planner sees (and can review) them.
    """
    def com(table: str, *key: object) -> object:
        return meta.comment(table, tuple(key))

    out: dict[str, list[list[object]]] = {k: [] for k in (
        "tblTargets", "tblParticipation", "tblLabourZones", "tblJobs", "tblLabourProfile",
        "tblHouseTypes", "tblStockByPeriod", "tblStockByType", "tblHousingZones", "tblBuilding",
        "tblHousingNeed", "tblNewDwellingProfile", "tblDistances", "tblIncome")}  # fmt: skip
    lab = inputs.labour if inputs is not None else None
    hou = inputs.housing if inputs is not None else None
    out["tblLabourParams"] = _kv_rows(
        "tblLabourParams", labour_param_values(lab.params if lab is not None else None), language, meta,
        {c.key: ASSUMPTION for c in LABOUR_PARAM_ITEMS},
    )
    out["tblHousingMarket"] = _kv_rows(
        "tblHousingMarket", housing_param_values(hou.market if hou is not None else None), language, meta,
        {c.key: HANDBOOK if c.key in HANDBOOK_HOUSING_PARAMS else ASSUMPTION for c in HOUSING_PARAM_ITEMS},
    )
    reg = (inputs.hadwiger_regression if inputs is not None else None) or HadwigerRegression()
    out["tblHadwigerRegression"] = _kv_rows(
        "tblHadwigerRegression", {c.key: getattr(reg, c.key) for c in TABLES["tblHadwigerRegression"].items},
        language, meta,
        {c.key: RECONSTRUCTED if c.key in HadwigerRegression.RECONSTRUCTED else RECONSTRUCTED_VALUE
         for c in TABLES["tblHadwigerRegression"].items},
    )  # fmt: skip
    if inputs is None:
        return out
    codes = [str(c) for c in inputs.zone_codes]
    years = [int(y) for y in inputs.years]

    # targets: every row that is not the default trend (mode 2, type 1, value 0)
    tg = inputs.targets
    if tg is not None:
        rows: list[list[object]] = []
        for t, y in enumerate(years):
            cells = [("", int(tg.region_mode[t]), int(tg.region_type[t]), float(tg.region_value[t]))]
            cells += [(c, int(tg.zone_mode[t, k]), int(tg.zone_type[t, k]), float(tg.zone_value[t, k]))
                      for k, c in enumerate(codes)]  # fmt: skip
            for z, mode, typ, val in cells:
                if mode == TREND and typ == 1 and val == 0:
                    continue
                rows.append([y, z or None, mode, typ, val if (mode == TARGET or val) else None,
                             com("tblTargets", y, z or None)])  # fmt: skip
        out["tblTargets"] = rows

    if lab is not None:
        part = np.asarray(lab.participation, dtype=float)
        out["tblParticipation"] = [
            [int(a), float(part[0, g]), float(part[1, g]), com("tblParticipation", int(a))]
            for g, a in enumerate(lab.age_lower)
        ]
        ext = np.atleast_1d(np.asarray(lab.params.external_distance, dtype=float))  # type: ignore[attr-defined]
        per_zone = ext.size == len(codes) and ext.size > 1
        out["tblLabourZones"] = [
            [c, float(lab.level_zone[k]), float(lab.kup[k]), float(lab.kip[k]),
             float(ext[k]) if per_zone else None, com("tblLabourZones", c)]
            for k, c in enumerate(codes)
        ]  # fmt: skip
        jobs = np.asarray(lab.jobs, dtype=float)
        out["tblJobs"] = [
            [y, c, float(jobs[t, k]), com("tblJobs", y, c)]
            for t, y in enumerate([inputs.base_year, *years]) for k, c in enumerate(codes)
        ]
        prof = np.asarray(lab.profile, dtype=float)
        out["tblLabourProfile"] = [
            [a, float(prof[0, a]), float(prof[1, a]), com("tblLabourProfile", a)] for a in range(N_AGES)
        ]

    if hou is not None:
        types, periods = [str(x) for x in hou.type_labels], [str(x) for x in hou.period_labels]
        out["tblHouseTypes"] = [
            [b, float(hou.family_new[i]), com("tblHouseTypes", b)] for i, b in enumerate(types)
        ]
        sp, st, bs = (np.asarray(x, dtype=float) for x in (hou.stock_by_period, hou.stock_by_type,
                                                            hou.building_type_shares))  # fmt: skip
        out["tblStockByPeriod"] = [
            [c, per, float(sp[k, i]), com("tblStockByPeriod", c, per)]
            for k, c in enumerate(codes) for i, per in enumerate(periods)
        ]
        out["tblStockByType"] = [
            [c, b, float(st[k, i]), float(bs[k, i]), com("tblStockByType", c, b)]
            for k, c in enumerate(codes) for i, b in enumerate(types)
        ]
        out["tblHousingZones"] = [
            [c, float(hou.demolition_old[k]), float(hou.demolition_new[k]),
             float(hou.family_existing[k]), com("tblHousingZones", c)]
            for k, c in enumerate(codes)
        ]  # fmt: skip
        bb = np.asarray(hou.building, dtype=float)
        out["tblBuilding"] = [
            [y, c, float(bb[t, k]), com("tblBuilding", y, c)]
            for t, y in enumerate(years) for k, c in enumerate(codes)
        ]
        siv, bol = np.asarray(hou.sivrat, dtype=float), np.asarray(hou.bolrat, dtype=float)
        out["tblHousingNeed"] = [
            [sex, g, cs + 1, float(siv[s, gi, cs]), float(bol[s, gi, cs]),
             com("tblHousingNeed", sex, g, cs + 1)]
            for s, sex in enumerate(SEXES) for gi, g in enumerate(HOUSING_AGE_LABELS) for cs in range(4)
        ]  # fmt: skip
        pn = np.asarray(hou.profile_new, dtype=float)
        out["tblNewDwellingProfile"] = [
            [b, a, float(pn[i, 0, a]), float(pn[i, 1, a]), com("tblNewDwellingProfile", b, a)]
            for i, b in enumerate(types) for a in range(N_AGES)
        ]

    if inputs.distances is not None:
        d = np.asarray(inputs.distances, dtype=float).tolist()
        out["tblDistances"] = [[c, *d[k]] for k, c in enumerate(codes)]

    if inputs.income is not None:
        inc = np.asarray(inputs.income, dtype=float)
        out["tblIncome"] = [
            [y, c, float(inc[t, k]), com("tblIncome", y, c)]
            for t, y in enumerate(years) for k, c in enumerate(codes)
        ]
    return out
