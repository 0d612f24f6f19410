"""REGBEF reference model: plain, slow, loop-based, written from the documentation only.

Purpose: an independent second implementation of the REGBEF projection (PANDA handbook
"Matematisk beskrivelse av prosjektgenerering og beregninger i befolkningsmodellen REGBEF",
13.01.2005; the project spec ``regbef-model.md``; ``docs/model.md``) to compare the fast numpy
engine with, cell by cell. Nothing here is imported from the engine's computation modules: the
only engine imports are the input dataclasses and constants of
:mod:`regbef_excel.engine.inputs`.

Style, on purpose: scalar Python loops over year, zone, sex and age; nested Python lists as
storage (converted to numpy only for the result); one function per handbook section, named in its
docstring; the handbook's variable names (BEF, BEF1, BEF2, FOD, DOD, EUF, IUF, EIFU, EIFN, IIF,
FR, FK, DR, DK, RINF, NF, ...). Indices: k zone, s sex (0 = male, 1 = female), a age 0..99
(99 = open group 99+), t projection year index 0..T−1 (calendar year base + 1 + t).

Covered: model variant 1 (every switch: fertility from rates or Hadwiger, region reconciliation of
births and deaths, drop_oldest), target steering of variants 2 and 6 (region and zone targets of
all three types), labour supply YRK, housing stock BOLMAS, demolition, housing need BOLBEH with
the base-year level factor and building need BOLBB for variants 1, 2 and 6.
Variants 3–5 (housing and labour markets) are not projected here: the housing market's and the
labour market's reconstructions (§3.14, §3.17–3.21) are not specified precisely enough in the
docs to be re-implemented independently. What the reference can say about them —
natural change, external out-migration, the split of external in-migration, the update of every
cell, the region target, the reported series — is checked year by year from the engine's own
start-of-year population (``natural_change``, ``reported_series``; see
``tests/test_reference_differential.py``). The endogenous Hadwiger option is not covered.

Ambiguities found (the documentation does not settle these; the choice made here is stated)
--------------------------------------------------------------------------------------------
A1. Deaths with region reconciliation (§3.7, formula lost): the regional deaths DOD1 are computed
    with DODRAT·DR_t, the zone deaths DOD2 with DODRAT·DR_t·DK_k; the zone probabilities are
    scaled by DOD1/ΣDOD2 and then capped at 1 ("scale first, then cap"); after a cap the
    reconciled sum is below DOD1. Open point: DODRAT·DR_t itself may exceed 1 (validation only
    bounds DODRAT·max(DR)·DK_k), i.e. more regional deaths than persons in a cell. First written
    with the regional probabilities capped at 1; running both on such an input (DODRAT 0.9, DR 1.2,
    DK 0.8) showed the engine does not cap them, and the reference now follows the engine. Either
    the validation should reject DODRAT·DR_t > 1 when reconciling or the docs should say so.
A2. Reconciliation when the unreconciled zone sum is 0 (all FK_k = 0 or all DK_k = 0 while the
    region total is positive): the formula divides by zero; here the zone values stay 0.
A3. Consistency adjustment (§3.22) when no zone has internal in-migrants of a sex × age while
    some zones have out-migrants: spread in proportion to the zones' total internal
    in-migration (docs/model.md); if every zone's total is 0 as well (every zone short of
    in-migrants), nothing in the docs applies; here they are spread equally over the zones (the
    engine does the same: checked by running both, every RINF_k = −10⁶).
A4. A region target (§3.9) when every zone has its own target: the remainder has nowhere to go;
    here the region target is then ignored (the zone targets win). The engine does the same, with
    a warning (checked by running both). The random tests do not generate this case.
A5. Base-year labour supply (series ``labour_supply`` [0]): YR_t is indexed by projection year,
    the docs do not say which region factor the base year gets. First written with YR = 1; the
    differential test showed the engine uses the first projection year's YR_1 (and YK_k) — a
    sensible choice (no artificial jump in supply in the first year) — so the reference follows
    it. Not yet stated in docs/model.md.
A6. Base-year housing need: BR_t is indexed by projection year; the base year uses BR = 1, and
    the level factor L_k = BOLMAS_0,k / (unscaled need in the base year) (need = stock, coverage
    100 %). A zone without need in the base year gets L_k = 1.
A7. Housing stock formula (§3.16; docs/model.md writes Σ_{y<t} with "this year's building is not
    demolished the same year"): read here as
    BOLMAS_t = BOLMAS_0·(1−AVGE)^t + Σ_{y=1..t} BOLBYG_y·(1−AVGN)^(t−y), i.e. this year's building
    counts in full this year; that is the only reading for which the asserted identity
    stock[t] = stock[t−1] − demolition + building holds with building = BOLBYG_t.
    BOLMAS_0 is the sum of the base-year stock by construction period.
A8. Target steering with drop_oldest: "population after natural change" Σ BEF2 excludes the
    leavers, the start-of-year total Σ BEF[t−1] includes the 99-year-olds who leave.
A9. Variants 3–5: at step 8 only EUF is capped against BEF2 (internal out-migration comes later,
    from the housing market) — the handbook's order as docs/model.md describes it.
A10. Deaths capped at probability 1 (possible only after reconciliation): spec §2 asks for every
    cap to be reported. First found unreported in the engine (fixed there, docs/model.md
    "Mortality"): ``capped`` holds the out-migration cap plus the deaths the cap did not count.
A6–A9 agree with the engine (the differential tests pass with them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from regbef_excel.engine.inputs import (
    FEMALE,
    GROWTH,
    MALE,
    MAX_AGE,
    N_AGES,
    NET_MIGRATION,
    POPULATION,
    RC_KEYS,
    TARGET,
    ProjectionInputs,
)

A1 = N_AGES
SEX = (MALE, FEMALE)
AGES = range(N_AGES)
FERTILE_AGES = range(15, 50)  # §3.6: a = 15..49
#: Lower bounds of the housing-need age groups 16–19, 20–24, …, 75–79, 80+ (§3.16).
HOUSING_GROUP_LOWER = (16, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80)


class ReferenceInputError(Exception):
    """A target that needs negative in-migration (§3.9–3.10: an input error)."""


# ============================================================================ storage helpers
def zeros_ksa(K: int) -> list:
    return [[[0.0] * A1 for _s in SEX] for _k in range(K)]


def zeros_ks(K: int) -> list:
    return [[0.0, 0.0] for _k in range(K)]


def to_lists(arr) -> list:
    return np.asarray(arr, dtype=float).tolist()


def cell_total(x_k) -> float:
    """Σ over sex and age of one zone's [s][a] list."""
    total = 0.0
    for s in SEX:
        for a in AGES:
            total += x_k[s][a]
    return total


# ============================================================================ schedules
def _exp(z: float) -> float:
    """exp without OverflowError (the Rogers–Castro double exponentials can be huge)."""
    return math.exp(min(z, 700.0))


def rogers_castro(params, x: float) -> float:
    """ROGFUNK (§3.15; spec §5): the 13-parameter Rogers–Castro model schedule at age x.

    m(x) = a1·exp(−α1·x) + a2·exp(−α2(x−μ2) − exp(−λ2(x−μ2)))
         + a3·exp(−α3(x−μ3) − exp(−λ3(x−μ3))) + a4·exp(λ4·x) + c.
    All 13 parameters are always used (unused ones are 0).
    """
    p = {key: float(v) for key, v in zip(RC_KEYS, params, strict=True)}
    m = p["a1"] * _exp(-p["alpha1"] * x)
    m += p["a2"] * _exp(-p["alpha2"] * (x - p["mu2"]) - _exp(-p["lambda2"] * (x - p["mu2"])))
    m += p["a3"] * _exp(-p["alpha3"] * (x - p["mu3"]) - _exp(-p["lambda3"] * (x - p["mu3"])))
    m += p["a4"] * _exp(p["lambda4"] * x)
    m += p["c"]
    return m


def rate_schedule(params) -> list:
    """ROGFUNK in rate mode (§3.15): the schedule at exact ages 0..99, negatives clipped to 0."""
    out = []
    for a in AGES:
        out.append(max(0.0, rogers_castro(params, float(a))))
    return out


def distribution_profile(params_by_sex, warnings: list | None = None, what: str = "") -> list:
    """ROGFUNK in distribution mode (§3.15; docs/model.md decision 8).

    The zone's schedule for both sexes (clipped at 0), normalised to sum 1 over sex × age; an
    all-zero schedule falls back to a flat profile 1/(2·100).
    """
    raw = [rate_schedule(params_by_sex[s]) for s in SEX]
    total = 0.0
    for s in SEX:
        for a in AGES:
            total += raw[s][a]
    if total <= 0.0:
        if warnings is not None:
            warnings.append(f"flat profile for {what}")
        return [[1.0 / (2 * A1)] * A1 for _s in SEX]
    return [[raw[s][a] / total for a in AGES] for s in SEX]


def hadwiger(A: float, B: float, C: float, x: float) -> float:
    """Hadwiger fertility function (§2.2.2; docs/model.md decision 3), at exact age x.

    f(x) = (A/C)·(B/√π)·(C/x)^{3/2}·exp(−B²·(C/x + x/C − 2)).
    """
    return (A / C) * (B / math.sqrt(math.pi)) * (C / x) ** 1.5 * math.exp(-B * B * (C / x + x / C - 2.0))


def fertility_rates(inputs: ProjectionInputs) -> list:
    """FODRAT[a] (§3.5): given rates or Hadwiger at exact age a; zero outside 15–49."""
    if getattr(inputs, "endogenous_hadwiger", False):
        raise NotImplementedError("the reference does not implement the endogenous Hadwiger option")
    FODRAT = [0.0] * A1
    if inputs.fertility_source == "hadwiger":
        h = inputs.hadwiger
        for a in FERTILE_AGES:
            FODRAT[a] = hadwiger(float(h.a), float(h.b), float(h.c), float(a))
    else:
        given = to_lists(inputs.fertility_rates)
        for a in FERTILE_AGES:
            FODRAT[a] = given[a]
    return FODRAT


# ============================================================================ §3.2 – §3.7
def ageing(BEF: list, drop_oldest: bool):
    """§3.2 ALDRING: BEF1[k,s,a] = BEF[t−1,k,s,a−1].

    Open group 99+: BEF1[99] += BEF[t−1,99]; with ``drop_oldest`` the 99-year-olds leave the
    model instead (handbook) and are returned as ``leavers`` [k][s].
    """
    K = len(BEF)
    BEF1 = zeros_ksa(K)
    leavers = zeros_ks(K)
    for k in range(K):
        for s in SEX:
            for a in range(1, A1):
                BEF1[k][s][a] = BEF[k][s][a - 1]
            if drop_oldest:
                leavers[k][s] = BEF[k][s][MAX_AGE]
            else:
                BEF1[k][s][MAX_AGE] += BEF[k][s][MAX_AGE]
    return BEF1, leavers


def births(BEF1: list, FODRAT: list, FR_t: float, FK: list, share_boys: float, reconcile: bool) -> list:
    """§3.3–3.6 FØDTE: FOD2_k = Σ_a BEF1[k,F,a]·FODRAT[a]·FR_t·FK_k (women after ageing).

    Region reconciliation (§3.6.1.1.2): FOD_k = FOD2_k · FOD1/Σ_k FOD2_k with
    FOD1 = Σ_k Σ_a BEF1[k,F,a]·FODRAT[a]·FR_t (no zone factors).
    Boys = FOD·share_boys, girls = FOD·(1 − share_boys); the newborns are put into BEF1[k,s,0]
    (in place). Returns FOD by [k][s].
    """
    K = len(BEF1)
    FOD2 = []
    for k in range(K):
        f = 0.0
        for a in FERTILE_AGES:
            f += BEF1[k][FEMALE][a] * FODRAT[a] * FR_t * FK[k]
        FOD2.append(f)
    FOD = list(FOD2)
    if reconcile:
        FOD1 = 0.0
        for k in range(K):
            for a in FERTILE_AGES:
                FOD1 += BEF1[k][FEMALE][a] * FODRAT[a] * FR_t
        total = sum(FOD2)
        if total > 0.0:
            FOD = [FOD2[k] * FOD1 / total for k in range(K)]
    out = zeros_ks(K)
    for k in range(K):
        out[k][MALE] = FOD[k] * share_boys
        out[k][FEMALE] = FOD[k] * (1.0 - share_boys)
        for s in SEX:
            BEF1[k][s][0] += out[k][s]
    return out


def deaths(BEF1: list, DODRAT: list, DR_t: float, DK: list, reconcile: bool):
    """§3.7 DØDE: DOD[k,s,a] = BEF1·min(1, DODRAT[s,a]·DR_t·DK_k); BEF2 = BEF1 − DOD.

    Region reconciliation (§3.7.1.1.2): probabilities scaled by DOD1/ΣDOD2 (DOD1 without the
    zone factors), then capped at 1 (ambiguity A1). Returns DOD, BEF2 and the deaths the cap
    did not count (CAP, reported with the out-migration cap).
    """
    K = len(BEF1)
    prob = [[[DODRAT[s][a] * DR_t * DK[k] for a in AGES] for s in SEX] for k in range(K)]
    if reconcile:
        DOD1 = 0.0
        DOD2 = 0.0
        for k in range(K):
            for s in SEX:
                for a in AGES:
                    DOD1 += BEF1[k][s][a] * DODRAT[s][a] * DR_t
                    DOD2 += BEF1[k][s][a] * prob[k][s][a]
        if DOD2 > 0.0:
            factor = DOD1 / DOD2
            for k in range(K):
                for s in SEX:
                    for a in AGES:
                        prob[k][s][a] = prob[k][s][a] * factor
    DOD = zeros_ksa(K)
    BEF2 = zeros_ksa(K)
    CAP = zeros_ksa(K)
    for k in range(K):
        for s in SEX:
            for a in AGES:
                DOD[k][s][a] = BEF1[k][s][a] * min(1.0, prob[k][s][a])
                BEF2[k][s][a] = BEF1[k][s][a] - DOD[k][s][a]
                if prob[k][s][a] > 1.0:  # spec §2: every cap is reported (A10)
                    CAP[k][s][a] = BEF1[k][s][a] * (prob[k][s][a] - 1.0)
    return DOD, BEF2, CAP


# ============================================================================ §3.8 labour supply
def labour_participation_by_age(participation, age_lower) -> list:
    """YRKRAT[s][a] from the rates by labour age group (lower bounds, last group open)."""
    part = to_lists(participation)
    out = [[0.0] * A1 for _s in SEX]
    for s in SEX:
        for a in AGES:
            g = -1
            for i, lo in enumerate(age_lower):
                if a >= lo:
                    g = i
            if g >= 0:
                out[s][a] = part[s][g]
    return out


def labour_supply(BEF: list, YRKRAT: list, YR: float, YK: list) -> list:
    """§3.8 TILBUD ARBEIDSKRAFT: YRK_k = Σ_{s,a} BEF[k,s,a]·YRKRAT[s,g(a)]·YR_t·YK_k."""
    out = []
    for k in range(len(BEF)):
        y = 0.0
        for s in SEX:
            for a in AGES:
                y += BEF[k][s][a] * YRKRAT[s][a] * YR * YK[k]
        out.append(y)
    return out


# ============================================================================ §3.9–3.10 targets
def _requirement(kind: int, value: float, start: float, after_natural: float) -> float:
    """One target → net-migration requirement NF (docs/model.md "Target steering")."""
    if kind == NET_MIGRATION:
        return value
    if kind == POPULATION:
        return value - after_natural
    if kind == GROWTH:
        return start * (1.0 + value / 100.0) - after_natural
    raise ValueError(f"unknown target type {kind}")


def target_requirements(targets, t: int, BEF_start: list, BEF2: list) -> list:
    """§3.9 MÅLSTYRING REGION and §3.10 MÅLSTYRING KOMMUNE: NF_k per zone (None = trend).

    Zone targets (MK = 1) give NF_k directly. A region target (MR = 1) gives NF_R on region
    totals; NF_R − Σ_{zones with own target} NF_k is spread over every zone without its own
    target in proportion to its start-of-year population (RIM). Start-of-year totals include 99+;
    "after natural change" is Σ BEF2.
    """
    K = len(BEF2)
    start = [cell_total(BEF_start[k]) for k in range(K)]
    natural = [cell_total(BEF2[k]) for k in range(K)]
    NF = [None] * K
    for k in range(K):
        if int(targets.zone_mode[t, k]) == TARGET:
            NF[k] = _requirement(int(targets.zone_type[t, k]), float(targets.zone_value[t, k]), start[k], natural[k])
    if int(targets.region_mode[t]) == TARGET:
        free = [k for k in range(K) if NF[k] is None]
        if free:  # ambiguity A4
            NF_R = _requirement(int(targets.region_type[t]), float(targets.region_value[t]), sum(start), sum(natural))
            SUMMK = sum(NF[k] for k in range(K) if NF[k] is not None)
            rest = NF_R - SUMMK
            weight = sum(start[k] for k in free)
            for k in free:
                NF[k] = rest * start[k] / weight
    return NF


# ============================================================================ §3.15 migration
def gross_outmigration(BEF2: list, rateEUF: list, rateIUF: list, EUF_R: float, EUF_K: list,
                       IUF_R: float, IUF_K: list):
    """§3.15.1.1.1 / §3.15.1.1.3: EUF = BEF2·ROGFUNK(EUFPAR)·EUF_R·EUF_K, IUF likewise.

    From the population after deaths (docs/model.md decision 5). Where EUF + IUF > BEF2 both are
    scaled down proportionally; the removed persons are returned as ``capped``.
    """
    K = len(BEF2)
    EUF, IUF, capped = zeros_ksa(K), zeros_ksa(K), zeros_ksa(K)
    for k in range(K):
        for s in SEX:
            for a in AGES:
                e = BEF2[k][s][a] * rateEUF[k][s][a] * EUF_R * EUF_K[k]
                i = BEF2[k][s][a] * rateIUF[k][s][a] * IUF_R * IUF_K[k]
                out = e + i
                if out > BEF2[k][s][a]:
                    factor = BEF2[k][s][a] / out
                    capped[k][s][a] = out - BEF2[k][s][a]
                    e, i = e * factor, i * factor
                EUF[k][s][a] = e
                IUF[k][s][a] = i
    return EUF, IUF, capped


def immigration_abroad_totals(EIFU_t: float, EIFUAND: list) -> list:
    """§3.15.1.1.2: EIFU_k = EIFU_t·EIFUAND_k, with the shares rescaled to sum exactly 1."""
    total_share = sum(EIFUAND)
    return [EIFU_t * EIFUAND[k] / total_share for k in range(len(EIFUAND))]


def distribute(total_k: float, profile_k: list) -> list:
    """§3.15 distribution on sex and age: X[s,a] = X_k·ROGFUNK(XPAR_k) (normalised profile)."""
    return [[total_k * profile_k[s][a] for a in AGES] for s in SEX]


def immigration_abroad(EIFU_k: list, profileEIFU: list) -> list:
    """§3.15.1.1.2 EIFU[k,s,a] = EIFU_k·ROGFUNK(EIFUPAR_k) (distribution mode)."""
    return [distribute(EIFU_k[k], profileEIFU[k]) for k in range(len(EIFU_k))]


def inmigration_rest_of_norway(EIFN_k: list, EIFN_R: float, profileEIFN: list) -> list:
    """§3.15.1.1.2 EIFN[k,s,a] = EIFN_k·EIFN_R_t·ROGFUNK(EIFNPAR_k) (variant 1: trend totals)."""
    return [distribute(EIFN_k[k] * EIFN_R, profileEIFN[k]) for k in range(len(EIFN_k))]


def internal_inmigration(IUF: list, RINF: list, profileIIF: list, warnings: list, year: int):
    """§3.11 (Mod.variant 2,6): uncorrected internal in-migration IIF'[j,s,a] = (IUF_j + INF_j)·EBRATIN.

    INF_j = RINF_j (trend); IUF_j is the zone's total after the cap. A zone whose total would be
    negative gets 0 (shortfall warning). Returns IIF' and the zone totals.
    """
    K = len(IUF)
    totals = []
    IIFp = []
    for k in range(K):
        total = cell_total(IUF[k]) + RINF[k]
        if total < 0.0:
            warnings.append(f"{year}: zone {k} internal in-migration shortfall {total}")
            total = 0.0
        totals.append(total)
        IIFp.append(distribute(total, profileIIF[k]))
    return IIFp, totals


def consistency_adjustment(IUF: list, IIFp: list, totals: list) -> list:
    """§3.22 KONSISTENSJUSTERING: IKORR[s,a] = Σ_j IUF[j,s,a] / Σ_j IIF'[j,s,a]; IIF = IIF'·IKORR.

    Per sex and age (the text of §3.22). Where Σ_j IIF' = 0 but Σ_j IUF > 0 the out-migrants are
    spread in proportion to the zones' total internal in-migration (ambiguity A3).
    """
    K = len(IUF)
    IIF = zeros_ksa(K)
    for s in SEX:
        for a in AGES:
            out_sum = 0.0
            in_sum = 0.0
            for j in range(K):
                out_sum += IUF[j][s][a]
                in_sum += IIFp[j][s][a]
            if in_sum > 0.0:
                IKORR = out_sum / in_sum
                for j in range(K):
                    IIF[j][s][a] = IIFp[j][s][a] * IKORR
            elif out_sum > 0.0:
                weight = sum(totals)
                for j in range(K):
                    share = totals[j] / weight if weight > 0.0 else 1.0 / K
                    IIF[j][s][a] = out_sum * share
    return IIF


def steered_external_inmigration(NF_k: float, EUF_k: list, IUF_k: list, IIF_k: list, EIFU_trend: float,
                                 warnings: list, year: int, zone: str):
    """§3.15.1.1.2 (Modellvariant 2 og 3, målstyring): EIF_k = EUF_k + NF_k − INF_k.

    INF_k is the zone's actual net internal migration (IIF − IUF after the cap and the
    consistency adjustment). EIFU keeps its trend total unless EIF_k < EIFU_k (then cut to EIF_k,
    warning); EIFN_k = EIF_k − EIFU_k. EIF_k < 0 is an input error. Returns (EIFU_k, EIFN_k).
    """
    INF = cell_total(IIF_k) - cell_total(IUF_k)
    EIF = cell_total(EUF_k) + NF_k - INF
    if EIF < 0.0:
        raise ReferenceInputError(f"{year}: the target for zone {zone} needs negative in-migration ({EIF})")
    if EIF < EIFU_trend:
        warnings.append(f"{year}: immigration from abroad cut in zone {zone}")
        return EIF, 0.0
    return EIFU_trend, EIF - EIFU_trend


# ============================================================================ §3.23 update
def update_population(BEF2, EUF, IUF, EIFU, EIFN, IIF) -> list:
    """§3.23 OPPDATERING: BEF[t] = BEF2 − EUF − IUF + EIFU + EIFN + IIF (round-off negatives → 0)."""
    K = len(BEF2)
    BEF = zeros_ksa(K)
    for k in range(K):
        for s in SEX:
            for a in AGES:
                v = BEF2[k][s][a] - EUF[k][s][a] - IUF[k][s][a] + EIFU[k][s][a] + EIFN[k][s][a] + IIF[k][s][a]
                BEF[k][s][a] = v if v > 0.0 else 0.0
    return BEF


# ============================================================================ §3.16 housing
def housing_stock(BOLMAS0: list, AVGE: list, AVGN: list, BOLBYG: list, T: int) -> list:
    """§3.16.1.1.1 BOLMAS[t,k] = BOLMAS[0,k]·(1−AVGE)^t + Σ_{y=1..t} BOLBYG[y,k]·(1−AVGN)^(t−y).

    (Ambiguity A7.) Returns [t][k] for t = 0..T.
    """
    K = len(BOLMAS0)
    out = []
    for t in range(T + 1):
        row = []
        for k in range(K):
            stock = BOLMAS0[k] * (1.0 - AVGE[k]) ** t
            for y in range(1, t + 1):
                stock += BOLBYG[y - 1][k] * (1.0 - AVGN[k]) ** (t - y)
            row.append(stock)
        out.append(row)
    return out


def housing_need_unscaled(BEF: list, SIVRAT, BOLRAT, BR: float) -> list:
    """§3.16.1.1.3 Boligbehov: Σ_{s,g,c} BEF[k,s,g]·SIVRAT[s,g,c]·BOLRAT[s,g,c]·BR_t (per zone)."""
    K = len(BEF)
    G = len(HOUSING_GROUP_LOWER)
    out = []
    for k in range(K):
        need = 0.0
        for s in SEX:
            for g in range(G):
                lo = HOUSING_GROUP_LOWER[g]
                hi = HOUSING_GROUP_LOWER[g + 1] if g + 1 < G else A1
                persons = 0.0
                for a in range(lo, hi):
                    persons += BEF[k][s][a]
                for c in range(4):
                    need += persons * SIVRAT[s][g][c] * BOLRAT[s][g][c] * BR
        out.append(need)
    return out


# ============================================================================ the projection
@dataclass
class ReferenceProjection:
    """Same arrays as the engine's Projection: population (T+1, K, 2, A1), flows, series."""

    population: np.ndarray  # (T+1, K, 2, A1)
    flows: dict  # name -> (T, K, 2, A1); births, leavers (T, K, 2)
    capped: np.ndarray
    series: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


@dataclass
class Schedules:
    """Everything constant over the projection, as plain lists (rates, profiles, factors)."""

    FODRAT: list
    DODRAT: list
    FR: list
    FK: list
    DR: list
    DK: list
    rateEUF: list
    rateIUF: list
    profile: dict  # "EIFU", "EIFN", "IIF" -> [k][s][a], each zone summing to 1
    EUF_R: list
    IUF_R: list
    EIFN_R: list
    EUF_K: list
    IUF_K: list
    EIFU_total: list
    EIFUAND: list
    EIFN_k: list
    RINF: list


def schedules(inputs: ProjectionInputs, warnings: list | None = None) -> Schedules:
    """Evaluate the constant schedules once: FODRAT (§3.5), DODRAT, ROGFUNK rates and profiles."""
    K = inputs.n_zones
    rc = {f: to_lists(inputs.rc_params[f]) for f in ("EUF", "IUF", "EIFU", "EIFN", "IIF")}
    return Schedules(
        FODRAT=fertility_rates(inputs),
        DODRAT=to_lists(inputs.death_prob),
        FR=to_lists(inputs.fertility_level_region),
        FK=to_lists(inputs.fertility_level_zone),
        DR=to_lists(inputs.mortality_level_region),
        DK=to_lists(inputs.mortality_level_zone),
        rateEUF=[[rate_schedule(rc["EUF"][k][s]) for s in SEX] for k in range(K)],
        rateIUF=[[rate_schedule(rc["IUF"][k][s]) for s in SEX] for k in range(K)],
        profile={
            f: [distribution_profile(rc[f][k], warnings, f"{f} zone {k}") for k in range(K)]
            for f in ("EIFU", "EIFN", "IIF")
        },
        EUF_R=to_lists(inputs.migration_level_region["EUF"]),
        IUF_R=to_lists(inputs.migration_level_region["IUF"]),
        EIFN_R=to_lists(inputs.migration_level_region["EIFN"]),
        EUF_K=to_lists(inputs.migration_level_zone["EUF"]),
        IUF_K=to_lists(inputs.migration_level_zone["IUF"]),
        EIFU_total=to_lists(inputs.immigration_total),
        EIFUAND=to_lists(inputs.immigration_share),
        EIFN_k=to_lists(inputs.domestic_inmigration),
        RINF=to_lists(inputs.internal_net_trend),
    )


def natural_change(inputs: ProjectionInputs, S: Schedules, BEF: list, t: int):
    """Steps 1–3 of a year (§3.2 ageing, §3.3–3.6 births, §3.7 deaths) from BEF[t−1].

    Returns BEF1 (with the newborns), FOD [k][s], leavers [k][s], DOD, BEF2 and the death cap.
    """
    BEF1, leavers = ageing(BEF, inputs.drop_oldest)
    FOD = births(BEF1, S.FODRAT, S.FR[t], S.FK, float(inputs.share_boys), inputs.reconcile_births)
    DOD, BEF2, CAP = deaths(BEF1, S.DODRAT, S.DR[t], S.DK, inputs.reconcile_deaths)
    return BEF1, FOD, leavers, DOD, BEF2, CAP


def project_reference(inputs: ProjectionInputs) -> ReferenceProjection:
    """Run the REGBEF projection year by year in the handbook's order (docs/model.md).

    Variants 1, 2 and 6 (6 = 2 for population). Raises :class:`ReferenceInputError` for a target
    needing negative in-migration and NotImplementedError for variants 3–5.
    """
    if inputs.variant not in (1, 2, 6):
        raise NotImplementedError(f"variant {inputs.variant} is not in the reference")
    K, T = inputs.n_zones, inputs.n_years
    warnings: list = []
    S = schedules(inputs, warnings)
    targets = inputs.targets if inputs.variant in (2, 6) else None
    steering = targets is not None and targets.any_target

    # --- the year loop ----------------------------------------------------------------------
    BEF = to_lists(inputs.population)
    population = [BEF]
    names = ("deaths", "EUF", "EIFU", "EIFN", "IUF", "IIF")
    flows = {n: [] for n in names}
    flows["births"], flows["leavers"] = [], []
    capped_all = []
    NF_series = []
    for t in range(T):
        year = inputs.base_year + 1 + t
        _BEF1, FOD, leavers, DOD, BEF2, CAP = natural_change(inputs, S, BEF, t)
        EUF, IUF, capped = gross_outmigration(BEF2, S.rateEUF, S.rateIUF, S.EUF_R[t], S.EUF_K, S.IUF_R[t], S.IUF_K)
        capped = [[[capped[k][s][a] + CAP[k][s][a] for a in AGES] for s in SEX] for k in range(K)]
        EIFU_k = immigration_abroad_totals(S.EIFU_total[t], S.EIFUAND)
        EIFN_tot = [S.EIFN_k[k] * S.EIFN_R[t] for k in range(K)]
        IIFp, totals = internal_inmigration(IUF, S.RINF, S.profile["IIF"], warnings, year)
        IIF = consistency_adjustment(IUF, IIFp, totals)
        NF = [None] * K
        if steering:
            NF = target_requirements(targets, t, BEF, BEF2)
            for k in range(K):
                if NF[k] is not None:
                    EIFU_k[k], EIFN_tot[k] = steered_external_inmigration(
                        NF[k], EUF[k], IUF[k], IIF[k], EIFU_k[k], warnings, year, inputs.zone_codes[k]
                    )
        EIFU = immigration_abroad(EIFU_k, S.profile["EIFU"])
        EIFN = inmigration_rest_of_norway(EIFN_tot, 1.0, S.profile["EIFN"])
        BEF = update_population(BEF2, EUF, IUF, EIFU, EIFN, IIF)

        population.append(BEF)
        for n, v in zip(names, (DOD, EUF, EIFU, EIFN, IUF, IIF), strict=True):
            flows[n].append(v)
        flows["births"].append(FOD)
        flows["leavers"].append(leavers)
        capped_all.append(capped)
        NF_series.append([math.nan if v is None else v for v in NF])

    out = ReferenceProjection(
        population=np.array(population),
        flows={n: np.array(v, dtype=float) for n, v in flows.items()},
        capped=np.array(capped_all),
        warnings=warnings,
    )
    if steering:
        out.series["target_net_migration"] = np.array(NF_series, dtype=float).reshape(T, K)

    out.series.update(reported_series(inputs, out.population))
    return out


def reported_series(inputs: ProjectionInputs, population: np.ndarray, building=None) -> dict:
    """Series reported per zone and year: §3.8 labour supply, §3.16 housing stock, need, building need.

    ``population`` (T+1, K, 2, A1); ``building`` (T, K) the dwellings built each year — the
    building programme BOLBYG in variants 1, 2, 6 (default), the realised building BOLBYGG of the
    housing market in variants 3–5.
    """
    K, T = inputs.n_zones, inputs.n_years
    pops = [population[t].tolist() for t in range(T + 1)]
    series = {}
    if inputs.labour is not None:
        lab = inputs.labour
        YRKRAT = labour_participation_by_age(lab.participation, lab.age_lower)
        YR = to_lists(lab.level_region)
        YR = [YR[0]] + YR  # ambiguity A5: the base year gets YR_1
        YK = to_lists(lab.level_zone)
        series["labour_supply"] = np.array([labour_supply(pops[t], YRKRAT, YR[t], YK) for t in range(T + 1)])
    if inputs.housing is not None:
        h = inputs.housing
        BOLMAS0 = [sum(row) for row in to_lists(h.stock_by_period)]
        BOLBYG = to_lists(h.building if building is None else building)
        BOLMAS = housing_stock(BOLMAS0, to_lists(h.demolition_old), to_lists(h.demolition_new), BOLBYG, T)
        SIVRAT, BOLRAT = to_lists(h.sivrat), to_lists(h.bolrat)
        BR = [1.0] + to_lists(h.level_region)  # ambiguity A6
        need0 = housing_need_unscaled(pops[0], SIVRAT, BOLRAT, 1.0)
        level = [BOLMAS0[k] / need0[k] if need0[k] > 0.0 else 1.0 for k in range(K)]
        BOLBEH = []
        for t in range(T + 1):
            raw = housing_need_unscaled(pops[t], SIVRAT, BOLRAT, BR[t])
            BOLBEH.append([raw[k] * level[k] for k in range(K)])
        series["housing_stock"] = np.array(BOLMAS)
        series["housing_need"] = np.array(BOLBEH)
        series["building_need"] = np.array(
            [[max(BOLBEH[t][k] - BOLMAS[t][k], 0.0) for k in range(K)] for t in range(1, T + 1)]
        )
        series["demolition"] = np.array(
            [[BOLMAS[t - 1][k] + BOLBYG[t - 1][k] - BOLMAS[t][k] for k in range(K)] for t in range(1, T + 1)]
        )
        series["building_programme"] = np.array(to_lists(h.building), dtype=float).reshape(T, K)
    return series
