"""Endogenous Hadwiger fertility (handbook §2.2.1, §3.4; docs/model.md "Endogenous Hadwiger").

HDWA = a_const + a_dwz·DWZ + a_newh·NEWH + a_inc·INC (per 1000 women),
HDWB = b_const + b_inc·INC + b_dwz·DWZ + b_ma·MA,
HDWC = c_const + c_inc·INC + c_dwz·DWZ + c_ma·MA + c_newh·NEWH,
with DWZ the mean rooms per dwelling of the stock by type (4.5 rooms per type when no rooms are
given), NEWH = 100 · stock_t / stock_{t−3} (base-year stock for the first three years), INC the
income input and MA the median age of women 15–44 (30 where a zone has no such women). Each zone's
fertility schedule is then Hadwiger(HDWA/1000, HDWB, HDWC) at exact ages 15–49.

Expected values are typed here from these formulas (with a median computed by a plain loop)
and the reference model's scalar Hadwiger function.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference import model as ref
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine.housing import HadwigerRegression
from regbef_excel.engine.inputs import FEMALE, N_AGES
from regbef_excel.engine.projection import _EndogenousHadwiger, project

#: Coefficients different from the defaults in every term used below.
COEF = HadwigerRegression(
    a_const=10.0, a_dwz=250.0, a_newh=5.5, a_inc=-4.0,
    b_const=0.9, b_inc=0.05, b_dwz=0.35, b_ma=-0.02,
    c_const=33.0, c_inc=0.12, c_dwz=-0.4, c_ma=-0.035, c_newh=-0.02,
)  # fmt: skip
ROOMS = np.array([5.5, 3.5, 2.5])


def _coefficients(dwz, newh, inc, ma, c=COEF):
    a = c.a_const + c.a_dwz * dwz + c.a_newh * newh + c.a_inc * inc
    b = c.b_const + c.b_inc * inc + c.b_dwz * dwz + c.b_ma * ma
    cc = c.c_const + c.c_inc * inc + c.c_dwz * dwz + c.c_ma * ma + c.c_newh * newh
    return a, b, cc


def _median_age(women) -> float:
    """Median age of women 15–44, each single age spread evenly over [a, a + 1)."""
    ages = range(15, 45)
    half = sum(women[a] for a in ages) / 2.0
    if half <= 0:
        return math.nan
    cum = 0.0
    for a in ages:
        if women[a] > 0 and cum + women[a] >= half:
            return a + (half - cum) / women[a]
        cum += women[a]
    raise AssertionError("unreachable")


def _schedule(a, b, c) -> np.ndarray:
    out = np.zeros(N_AGES)
    for x in range(15, 50):
        out[x] = ref.hadwiger(a / 1000.0, b, c, float(x))
    return out


def _inputs(K: int = 3, T: int = 5, seed: int = 2, rooms=ROOMS, coef=COEF):
    inp = add_labour_housing(synthetic_inputs(K, T, seed=seed), seed=seed)
    inp.income = np.linspace(1.5, 2.5, T * K).reshape(T, K)
    inp.housing.rooms_by_type = rooms
    inp.hadwiger_regression = coef
    inp.endogenous_hadwiger = True
    return inp


class _Stock:
    def __init__(self, by_type):
        self.by_type = np.asarray(by_type, float)


class _Housing:
    def __init__(self, by_type):
        self.stock = _Stock(by_type)


def _women_bef1(K: int = 3) -> np.ndarray:
    bef1 = np.zeros((K, 2, N_AGES))
    bef1[:, 0, 20:60] = 80.0  # men do not matter
    bef1[0, FEMALE, 20:30] = 200.0
    bef1[0, FEMALE, 30:40] = 100.0
    bef1[1, FEMALE, 22:36] = 50.0
    bef1[2, FEMALE, 50:70] = 120.0  # no woman aged 15–44: MA is taken as 30
    return bef1


def test_coefficients_and_rates_for_small_zones_and_missing_women():
    inp = _inputs()
    endo = _EndogenousHadwiger(inp)
    # zone 1 has half a dwelling in all (DWZ and NEWH must not be distorted by a floor at 1)
    by_type = np.array([[300.0, 200.0, 100.0], [0.3, 0.1, 0.1], [50.0, 0.0, 150.0]])
    stock = np.array(
        [
            [600.0, 0.5, 190.0],
            [610.0, 0.5, 195.0],
            [620.0, 0.5, 198.0],
            [640.0, 0.5, 200.0],
            [650.0, 0.5, 201.0],
        ]
    )
    t = 3
    bef1 = _women_bef1()
    rates = endo.rates(t, bef1, _Housing(by_type), {"housing_stock": stock})

    dwz = np.array(
        [sum(by_type[k, h] * ROOMS[h] for h in range(3)) / by_type[k].sum() for k in range(3)]
    )
    assert dwz[1] == pytest.approx((0.3 * 5.5 + 0.1 * 3.5 + 0.1 * 2.5) / 0.5)
    newh = 100.0 * stock[t] / stock[0]
    ma = np.array([_median_age(bef1[k, FEMALE]) for k in range(3)])
    assert ma[0] == pytest.approx(27.5) and ma[1] == pytest.approx(29.0) and math.isnan(ma[2])
    ma[2] = 30.0
    a, b, c = _coefficients(dwz, newh, inp.income[t], ma)
    got = endo.coefficients[-1]
    np.testing.assert_allclose(got[0], a, rtol=1e-12)
    np.testing.assert_allclose(got[1], b, rtol=1e-12)
    np.testing.assert_allclose(got[2], c, rtol=1e-12)
    expected = np.array([_schedule(a[k], b[k], c[k]) for k in range(3)])
    np.testing.assert_allclose(rates, expected, rtol=1e-12, atol=0)


def test_stock_three_years_back_is_the_base_for_newh():
    inp = _inputs()
    endo = _EndogenousHadwiger(inp)
    by_type = np.array([[300.0, 200.0, 100.0], [30.0, 10.0, 10.0], [50.0, 0.0, 150.0]])
    # t = 4: zone 1 had 0.8 dwellings three years earlier (t = 1) and has 1.0 now (NEWH 125)
    stock = np.array(
        [
            [600.0, 0.8, 190.0],
            [610.0, 0.8, 195.0],
            [620.0, 0.85, 198.0],
            [640.0, 0.9, 200.0],
            [650.0, 1.0, 201.0],
        ]
    )
    endo.rates(4, _women_bef1(), _Housing(by_type), {"housing_stock": stock})
    a = endo.coefficients[-1][0]
    dwz1 = (30 * 5.5 + 10 * 3.5 + 10 * 2.5) / 50.0
    newh1 = 125.0
    assert a[1] == pytest.approx(
        COEF.a_const + COEF.a_dwz * dwz1 + COEF.a_newh * newh1 + COEF.a_inc * inp.income[4, 1]
    )


def test_default_rooms_per_type_and_default_regression():
    # Without rooms by type every type counts 4.5 rooms (DWZ = 4.5); without a regression the
    # handbook's coefficients (HadwigerRegression()) are used.
    inp = _inputs(rooms=None, coef=None)
    endo = _EndogenousHadwiger(inp)
    by_type = np.array([[300.0, 200.0, 100.0], [30.0, 10.0, 10.0], [50.0, 0.0, 150.0]])
    stock = np.full((5, 3), 500.0)
    bef1 = _women_bef1()
    endo.rates(0, bef1, _Housing(by_type), {"housing_stock": stock})
    ma = np.array([27.5, 29.0, 30.0])
    expected = _coefficients(
        np.full(3, 4.5), np.full(3, 100.0), inp.income[0], ma, HadwigerRegression()
    )
    for got, exp in zip(endo.coefficients[-1], expected, strict=True):
        np.testing.assert_allclose(got, exp, rtol=1e-12)


def test_first_year_births_follow_the_endogenous_schedule():
    # Variant 1 with the option on: year 1 uses the base-year stock by type (DWZ), NEWH = 100,
    # INC of year 1 and MA of the women after ageing (BEF1); births = Σ_a women·f_k(a)·FR·FK.
    inp = _inputs(K=3, T=2, seed=4)
    proj = project(inp)
    pop0 = np.asarray(inp.population, float)
    by_type = np.asarray(inp.housing.stock_by_type, float)
    dwz = (by_type @ ROOMS) / by_type.sum(axis=1)
    bef1_women = np.zeros((3, N_AGES))
    bef1_women[:, 1:] = pop0[:, FEMALE, :-1]
    bef1_women[:, -1] += pop0[:, FEMALE, -1]
    ma = np.array([_median_age(bef1_women[k]) for k in range(3)])
    a, b, c = _coefficients(dwz, np.full(3, 100.0), inp.income[0], ma)
    np.testing.assert_allclose(proj.series["hadwiger_a"][0], a, rtol=1e-12)
    np.testing.assert_allclose(proj.series["hadwiger_b"][0], b, rtol=1e-12)
    np.testing.assert_allclose(proj.series["hadwiger_c"][0], c, rtol=1e-12)
    fr = float(inp.fertility_level_region[0])
    fk = np.asarray(inp.fertility_level_zone, float)
    births = np.array(
        [
            sum(bef1_women[k, x] * _schedule(a[k], b[k], c[k])[x] for x in range(15, 50))
            * fr
            * fk[k]
            for k in range(3)
        ]
    )
    np.testing.assert_allclose(proj.flows["births"][0].sum(axis=1), births, rtol=1e-10)
