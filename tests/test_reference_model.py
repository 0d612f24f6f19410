"""Small hand-computed tests of the reference model itself (tests/reference/model.py).

The differential tests trust the reference; these pin each of its handbook sections on numbers
that can be checked with pencil and paper.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference.model import (
    ReferenceInputError,
    ageing,
    births,
    consistency_adjustment,
    deaths,
    distribution_profile,
    gross_outmigration,
    hadwiger,
    housing_need_unscaled,
    housing_stock,
    immigration_abroad_totals,
    internal_inmigration,
    labour_participation_by_age,
    project_reference,
    rate_schedule,
    rogers_castro,
    steered_external_inmigration,
    target_requirements,
    zeros_ksa,
)

from regbef_excel.engine.inputs import (
    GROWTH,
    N_AGES,
    N_RC,
    NET_MIGRATION,
    POPULATION,
    RC_KEYS,
    TARGET,
    Hadwiger,
    ProjectionInputs,
    Targets,
)

I = {key: i for i, key in enumerate(RC_KEYS)}  # noqa: E741


def rc(**kw) -> list:
    p = [0.0] * N_RC
    for key, v in kw.items():
        p[I[key]] = v
    return p


# ------------------------------------------------------------------ schedules
def test_rogers_castro_terms():
    assert rogers_castro(rc(c=0.003), 40.0) == 0.003
    assert rogers_castro(rc(a1=0.02, alpha1=0.1), 10.0) == pytest.approx(0.02 * math.exp(-1.0))
    # labour-force peak at x = μ2: a2·exp(0 − exp(0)) = a2/e
    assert rogers_castro(rc(a2=0.06, alpha2=0.1, mu2=21.0, lambda2=0.4), 21.0) == pytest.approx(0.06 / math.e)
    # retirement term uses (x − μ3)
    assert rogers_castro(rc(a3=0.001, alpha3=0.6, mu3=67.0, lambda3=0.3), 67.0) == pytest.approx(0.001 / math.e)
    # 13th/12th parameters (a4, λ4): the post-retirement upslope
    assert rogers_castro(rc(a4=1e-5, lambda4=0.1), 50.0) == pytest.approx(1e-5 * math.exp(5.0))
    # no overflow far from the peaks
    assert rogers_castro(rc(a3=0.001, alpha3=0.6, mu3=95.0, lambda3=5.0), 0.0) == 0.0


def test_schedules_clip_and_normalise():
    assert rate_schedule(rc(c=0.01)) == [0.01] * N_AGES
    flat = distribution_profile([rc(c=0.01), rc(c=0.03)])
    assert flat[0][0] == pytest.approx(0.01 / (0.04 * N_AGES))
    assert flat[1][99] == pytest.approx(0.03 / (0.04 * N_AGES))
    assert sum(map(sum, flat)) == pytest.approx(1.0)
    warnings = []
    empty = distribution_profile([rc(), rc()], warnings, "EIFU zone 0")
    assert empty[0][0] == empty[1][50] == 1 / 200 and warnings


def test_hadwiger_level_mean_and_peak():
    A, B, C = 1.6, 3.5, 30.0
    ages = range(1, 200)
    f = [hadwiger(A, B, C, float(x)) for x in ages]
    assert sum(f) == pytest.approx(A, rel=1e-6)  # an inverse-Gaussian density × A
    assert sum(x * v for x, v in zip(ages, f, strict=True)) / sum(f) == pytest.approx(C, rel=1e-6)
    assert sum(f[14:49]) == pytest.approx(A, rel=1e-2)  # ages 15–49 hold nearly all of it
    assert hadwiger(A, B, C, C) == pytest.approx(A / C * B / math.sqrt(math.pi))


# ------------------------------------------------------------------ §3.2 – §3.7
def test_ageing_open_group_and_drop_oldest():
    BEF = zeros_ksa(1)
    BEF[0][1][0], BEF[0][1][98], BEF[0][1][99] = 5.0, 7.0, 3.0
    BEF1, leavers = ageing(BEF, drop_oldest=False)
    assert BEF1[0][1][1] == 5.0 and BEF1[0][1][99] == 10.0 and BEF1[0][1][0] == 0.0 and leavers[0] == [0, 0]
    BEF1, leavers = ageing(BEF, drop_oldest=True)
    assert BEF1[0][1][99] == 7.0 and leavers[0][1] == 3.0


def test_births_with_level_factors_and_reconciliation():
    BEF1 = zeros_ksa(2)
    BEF1[0][1][30] = BEF1[1][1][30] = 100.0
    FODRAT = [0.0] * N_AGES
    FODRAT[30] = 0.1
    FOD = births(BEF1, FODRAT, 1.2, [0.5, 1.5], 0.5, reconcile=False)
    assert FOD[0] == pytest.approx([3.0, 3.0]) and FOD[1] == pytest.approx([9.0, 9.0])
    assert BEF1[1][0][0] == pytest.approx(9.0)  # newborns enter age 0
    BEF1 = zeros_ksa(2)
    BEF1[0][1][30], BEF1[1][1][30] = 100.0, 300.0
    FOD = births(BEF1, FODRAT, 1.0, [0.5, 1.5], 0.514, reconcile=True)
    # region: 400·0.1 = 40; zones unreconciled 5 and 45 (sum 50) → × 0.8: 4 and 36
    assert sum(FOD[0]) == pytest.approx(4.0) and sum(FOD[1]) == pytest.approx(36.0)
    assert FOD[1][0] == pytest.approx(36.0 * 0.514)


def test_deaths_levels_cap_and_reconciliation():
    BEF1 = zeros_ksa(2)
    BEF1[0][0][80] = BEF1[1][0][80] = 1000.0
    DODRAT = [[0.0] * N_AGES, [0.0] * N_AGES]
    DODRAT[0][80] = 0.05
    DOD, BEF2, _ = deaths(BEF1, DODRAT, 1.2, [0.5, 1.5], reconcile=False)
    assert DOD[0][0][80] == pytest.approx(30.0) and DOD[1][0][80] == pytest.approx(90.0)
    assert BEF2[1][0][80] == pytest.approx(910.0)
    DOD, _, _ = deaths(BEF1, DODRAT, 1.2, [0.5, 1.5], reconcile=True)  # region 120: unchanged here
    assert DOD[0][0][80] + DOD[1][0][80] == pytest.approx(120.0)
    BEF1[0][0][80] = 9000.0  # region 600; zones 270 + 90 = 360 → × 5/3; zone 1: 0.09·5/3 = 0.15
    DOD, _, _ = deaths(BEF1, DODRAT, 1.2, [0.5, 1.5], reconcile=True)
    assert DOD[1][0][80] == pytest.approx(150.0) and DOD[0][0][80] == pytest.approx(450.0)
    DODRAT[0][80] = 0.9  # 0.9·1.2·1.5 > 1: everyone dies, no more
    DOD, BEF2, _ = deaths(BEF1, DODRAT, 1.2, [0.5, 1.5], reconcile=False)
    assert DOD[1][0][80] == 1000.0 and BEF2[1][0][80] == 0.0


# ------------------------------------------------------------------ §3.15, §3.11, §3.22
def test_outmigration_cap_is_proportional():
    BEF2 = zeros_ksa(1)
    BEF2[0][0][20] = 10.0
    rates = [[[0.4] * N_AGES, [0.4] * N_AGES]]
    EUF, IUF, capped = gross_outmigration(BEF2, rates, rates, 2.0, [1.0], 1.0, [1.0])  # 8 + 4 > 10
    assert EUF[0][0][20] == pytest.approx(10 * 8 / 12) and IUF[0][0][20] == pytest.approx(10 * 4 / 12)
    assert capped[0][0][20] == pytest.approx(2.0)


def test_immigration_shares_rescaled():
    assert immigration_abroad_totals(1000.0, [0.3, 0.7005]) == pytest.approx([1000 * 0.3 / 1.0005, 1000 * 0.7005 / 1.0005])


def test_internal_inmigration_shortfall_and_consistency():
    IUF = zeros_ksa(2)
    IUF[0][0][25], IUF[1][0][25] = 30.0, 10.0
    flat = [[1 / 200] * N_AGES, [1 / 200] * N_AGES]
    warnings = []
    IIFp, totals = internal_inmigration(IUF, [-50.0, 5.0], [flat, flat], warnings, 2026)
    assert totals == [0.0, 15.0] and warnings  # zone 0: 30 − 50 < 0 → 0
    IIF = consistency_adjustment(IUF, IIFp, totals)
    assert IIF[0][0][25] == 0.0 and IIF[1][0][25] == pytest.approx(40.0)  # all out-migrants of (M, 25)
    assert IIF[1][1][60] == 0.0  # no out-migrants of (F, 60): none in
    # no in-migration profile at (M, 25) anywhere: spread by the zones' totals
    hole = [[1 / 198] * N_AGES, [1 / 198] * N_AGES]
    hole[0][25] = 0.0
    IIFp, totals = internal_inmigration(IUF, [10.0, 20.0], [hole, hole], [], 2026)
    IIF = consistency_adjustment(IUF, IIFp, totals)
    assert IIF[0][0][25] == pytest.approx(40 * 40 / 70) and IIF[1][0][25] == pytest.approx(40 * 30 / 70)


# ------------------------------------------------------------------ §3.9 – §3.10 targets
def test_target_requirements_every_type_and_region_remainder():
    def pop(total):
        BEF = zeros_ksa(1)[0]
        BEF[0][30] = total
        return BEF

    start = [pop(1000.0), pop(2000.0), pop(3000.0), pop(4000.0)]
    after = [pop(990.0), pop(1990.0), pop(2990.0), pop(3990.0)]
    tg = Targets.trend(1, 4)
    tg.zone_mode[0, :3] = TARGET
    tg.zone_type[0, :3] = [NET_MIGRATION, POPULATION, GROWTH]
    tg.zone_value[0, :3] = [25.0, 2100.0, 1.0]
    NF = target_requirements(tg, 0, start, after)
    assert NF[:3] == pytest.approx([25.0, 110.0, 40.0]) and NF[3] is None
    tg.region_mode[0], tg.region_type[0], tg.region_value[0] = TARGET, GROWTH, 0.5  # 10 050 − 9 960 = 90
    tg.zone_mode[0, 1] = 2  # back to trend: its type and value are ignored
    NF = target_requirements(tg, 0, start, after)
    # remainder 90 − 25 − 40 = 25 spread over zones 1 and 3 by start population 2000 : 4000
    assert NF == pytest.approx([25.0, 25 / 3, 40.0, 50 / 3])


def test_steered_external_inmigration():
    EUF, IUF, IIF = zeros_ksa(1)[0], zeros_ksa(1)[0], zeros_ksa(1)[0]
    EUF[0][20], IUF[0][20], IIF[1][20] = 50.0, 30.0, 40.0  # INF = +10
    assert steered_external_inmigration(100.0, EUF, IUF, IIF, 60.0, [], 2026, "Z1") == pytest.approx((60.0, 80.0))
    warnings = []
    assert steered_external_inmigration(0.0, EUF, IUF, IIF, 60.0, warnings, 2026, "Z1") == pytest.approx((40.0, 0.0))
    assert warnings
    with pytest.raises(ReferenceInputError, match="2026: the target for zone Z1"):
        steered_external_inmigration(-50.0, EUF, IUF, IIF, 60.0, [], 2026, "Z1")


# ------------------------------------------------------------------ §3.8, §3.16
def test_labour_groups_and_housing_formulas():
    YRKRAT = labour_participation_by_age([[0.5, 0.9, 0.1], [0.4, 0.8, 0.0]], (15, 20, 67))
    assert YRKRAT[0][14] == 0.0 and YRKRAT[0][15] == 0.5 and YRKRAT[1][66] == 0.8 and YRKRAT[0][99] == 0.1
    stock = housing_stock([1000.0], [0.01], [0.02], [[10.0], [20.0]], 2)
    assert stock[1][0] == pytest.approx(990.0 + 10.0)
    assert stock[2][0] == pytest.approx(1000 * 0.99**2 + 10 * 0.98 + 20)
    BEF = zeros_ksa(1)
    BEF[0][0][15], BEF[0][0][16], BEF[0][1][85] = 100.0, 10.0, 5.0
    siv = [[[0.5, 0.1, 0.3, 0.1]] * 14 for _s in range(2)]
    bol = [[[1.0, 1.0, 0.5, 0.5]] * 14 for _s in range(2)]
    # ages 16 (group 16–19) and 85 (80+): 15 persons × (0.5 + 0.1 + 0.15 + 0.05) × BR 1.1
    assert housing_need_unscaled(BEF, siv, bol, 1.1) == pytest.approx([15 * 0.8 * 1.1])


# ------------------------------------------------------------------ one whole year by hand
def tiny_inputs(**changes) -> ProjectionInputs:
    """One zone, 1000 women aged 29 and 500 men aged 50; constant schedules (RC: c only)."""
    pop = np.zeros((1, 2, N_AGES))
    pop[0, 1, 29], pop[0, 0, 50] = 1000.0, 500.0
    fert = np.zeros(N_AGES)
    fert[30] = 0.05
    params = {f: np.array([[rc(c=c), rc(c=c)]]) for f, c in
              (("EUF", 0.02), ("IUF", 0.01), ("EIFU", 1.0), ("EIFN", 1.0), ("IIF", 1.0))}
    inp = ProjectionInputs(
        zone_codes=("Z1",), zone_names=("Z1",), base_year=2025, horizon=2026, population=pop,
        fertility_source="rates", fertility_rates=fert, hadwiger=Hadwiger(1.5, 3.5, 30.0),
        fertility_level_region=np.array([1.2]), fertility_level_zone=np.array([1.0]), share_boys=0.5,
        death_prob=np.full((2, N_AGES), 0.01), mortality_level_region=np.array([1.1]),
        mortality_level_zone=np.array([1.0]), rc_params=params,
        migration_level_region={"EUF": np.array([1.5]), "IUF": np.array([1.0]), "EIFN": np.array([2.0])},
        migration_level_zone={"EUF": np.array([1.0]), "IUF": np.array([1.0])},
        immigration_total=np.array([100.0]), immigration_share=np.array([1.0]),
        domestic_inmigration=np.array([50.0]), internal_net_trend=np.array([0.0]),
    )  # fmt: skip
    return inp.replace(**changes)


def test_one_year_by_hand():
    r = project_reference(tiny_inputs())
    # births 1000·0.05·1.2 = 60, 30 boys; deaths q = 0.011; EUF rate 0.03 of BEF2; IUF = IIF (one zone)
    assert r.flows["births"][0, 0].tolist() == pytest.approx([30.0, 30.0])
    assert r.flows["deaths"][0, 0, 1, 30] == pytest.approx(11.0)
    assert r.flows["EUF"][0, 0, 1, 30] == pytest.approx(989 * 0.03)
    assert r.flows["IIF"][0, 0, 1, 30] == pytest.approx(r.flows["IUF"][0, 0, 1, 30]) == pytest.approx(9.89)
    inflow = 100 / 200 + 50 * 2.0 / 200  # EIFU and EIFN, flat profiles
    assert r.population[1, 0, 1, 30] == pytest.approx(989 - 29.67 + inflow)
    assert r.population[1, 0, 0, 0] == pytest.approx(30 * 0.989 * 0.97 + inflow)
    assert r.population[1, 0, 0, 51] == pytest.approx(500 * 0.989 * 0.97 + inflow)
    assert r.population[1, 0, 0, 52] == pytest.approx(inflow)


def test_one_year_population_target_by_hand():
    tg = Targets.trend(1, 1)
    tg.zone_mode[0, 0], tg.zone_type[0, 0], tg.zone_value[0, 0] = TARGET, POPULATION, 1700.0
    r = project_reference(tiny_inputs(variant=2, targets=tg))
    after_natural = 1000 * 0.989 + 500 * 0.989 + 60 * 0.989
    assert r.series["target_net_migration"][0, 0] == pytest.approx(1700 - after_natural)
    assert r.population[1].sum() == pytest.approx(1700.0)
    # EIF = EUF + NF (INF = 0 with one zone); immigration keeps its trend 100
    assert r.flows["EIFU"][0].sum() == pytest.approx(100.0)
    assert r.flows["EIFN"][0].sum() == pytest.approx(r.flows["EUF"][0].sum() + 1700 - after_natural - 100)
