"""Fertility: the Hadwiger schedule and births (handbook §2.1–2.2, §3.3–3.6)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from regbef_excel.engine.inputs import FEMALE, MALE, N_AGES, ProjectionInputs

#: Ages at which fertility rates may be non-zero (handbook §3.6: women 15–49).
FERTILE_AGES = slice(15, 50)


def hadwiger(ages, a: float, b: float, c: float) -> np.ndarray:
    r"""Hadwiger fertility schedule in PANDA's form (handbook §2.2.2), with the :math:`1/\sqrt\pi`.

    .. math::

        f(x) = \frac{a}{c}\,\frac{b}{\sqrt\pi}\,\Big(\frac{c}{x}\Big)^{3/2}
               \exp\!\Big(-b^2\Big(\frac{c}{x} + \frac{x}{c} - 2\Big)\Big)

    This is ``a`` times an inverse-Gaussian density with mean ``c`` and shape ``2 b² c``: the
    schedule integrates to ``a`` (the TFR when ``a`` is per woman; PANDA's HDWA is per 1000),
    its mean age is exactly ``c`` (the handbook calls c the modal/median age; it is the mean) and
    its standard deviation is ``c / (b √2)``.

    Parameters
    ----------
    ages : array_like
        Exact ages at which to evaluate (> 0). For rates by age in completed years evaluate at
        ``age + 0.5``; for REGBEF's rates by age at the end of the year evaluate at ``age``.
    a, b, c : float
        Level (TFR), spread and mean age. ``b`` and ``c`` must be positive.

    Returns
    -------
    numpy.ndarray
        Rates per woman (per 1000 women if ``a`` is per 1000) at ``ages``; zero where age <= 0.
    """
    x = np.asarray(ages, dtype=float)
    if not (b > 0 and c > 0):
        raise ValueError(f"Hadwiger b and c must be positive (found b={b!r}, c={c!r})")
    out = np.zeros_like(x)
    pos = x > 0
    xp = x[pos]
    out[pos] = (a / c) * (b / np.sqrt(np.pi)) * (c / xp) ** 1.5 * np.exp(-(b**2) * (c / xp + xp / c - 2.0))
    return out


def hadwiger_rates(a: float, b: float, c: float) -> np.ndarray:
    """REGBEF fertility rates FODRAT[a] by age at end of year (0..MAX_AGE) from Hadwiger.

    Evaluated at the exact age ``a``, the midpoint of the ages at birth of women who are aged
    ``a`` at the end of the year (a Lexis parallelogram), and zero outside 15–49 (handbook §3.6).
    """
    rates = np.zeros(N_AGES)
    ages = np.arange(N_AGES, dtype=float)
    rates[FERTILE_AGES] = hadwiger(ages[FERTILE_AGES], a, b, c)
    return rates


def hadwiger_rates_by_zone(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """FODRAT (K, A1) from per-zone Hadwiger parameters (a = TFR per woman), as
    :func:`hadwiger_rates` for each zone (used by the endogenous Hadwiger option, §3.4)."""
    a, b, c = (np.asarray(x, dtype=float)[:, None] for x in (a, b, c))
    x = np.arange(N_AGES, dtype=float)[FERTILE_AGES][None, :]
    out = np.zeros((a.shape[0], N_AGES))
    out[:, FERTILE_AGES] = (a / c) * (b / np.sqrt(np.pi)) * (c / x) ** 1.5 * np.exp(-(b**2) * (c / x + x / c - 2.0))
    return out


def fertility_rates(inputs: ProjectionInputs) -> np.ndarray:
    """The FODRAT schedule in use: given rates or the Hadwiger function (per woman)."""
    if inputs.fertility_source == "hadwiger":
        h = inputs.hadwiger
        return hadwiger_rates(h.a, h.b, h.c)
    rates = np.zeros(N_AGES)
    rates[FERTILE_AGES] = np.asarray(inputs.fertility_rates, dtype=float)[FERTILE_AGES]
    return rates


def births(
    women: np.ndarray,
    rates: np.ndarray,
    level_region: float,
    level_zone: np.ndarray,
    *,
    reconcile: bool = False,
) -> np.ndarray:
    """Births per zone FOD[k] (handbook §3.6).

    ``FOD2[k] = Σ_a BEF1[k, F, a] · FODRAT[a] · FR_t · FK_k``. With region reconciliation the
    zone births are scaled so that they sum to the regional births computed without zone
    factors, ``FOD1 = Σ_k Σ_a BEF1[k, F, a] · FODRAT[a] · FR_t`` (the handbook's formula for
    FOD1 is lost; this is the reconstruction stated in spec §3).

    Parameters
    ----------
    women : (K, A1) women by age at end of year after ageing (BEF1[:, F, :]).
    rates : (A1,) FODRAT per woman, or (K, A1) per zone (endogenous Hadwiger).
    level_region : FR_t.
    level_zone : (K,) FK_k.
    """
    base = (np.einsum("ka,ka->k", women, rates) if rates.ndim == 2 else women @ rates) * level_region
    fod = base * level_zone
    if reconcile:
        total = fod.sum()
        if total > 0:
            fod = fod * (base.sum() / total)
    return fod


def split_births(fod: np.ndarray, share_boys: float) -> np.ndarray:
    """Newborns by sex, shape (K, 2): boys = FOD · share of boys (handbook §3.6)."""
    out = np.empty((fod.shape[0], 2))
    out[:, MALE] = fod * share_boys
    out[:, FEMALE] = fod * (1.0 - share_boys)
    return out


#: Fertility assumptions for the projection period (project generation, back-test, workbook):
#: ``period_mean`` the zone levels of the estimation period on the latest national schedule
#: (the handbook's trend variant); ``last_year`` the region's level of the last estimation year;
#: ``damped_trend`` the region's recent TFR trend, damped; ``tfr_path`` a TFR path per year typed
#: by the planner (e.g. SSB's national assumption).
FertilityAssumption = Literal["period_mean", "last_year", "damped_trend", "tfr_path"]
FERTILITY_ASSUMPTIONS: tuple[str, ...] = ("period_mean", "last_year", "damped_trend", "tfr_path")
#: Damping factor φ of the damped trend (Gardner & McKenzie 1985: φ usually between 0.8 and
#: 0.98). 0.9: of 0.8, 0.9 and 0.95 the leave-one-county-out back-test of all counties chose it
#: for every county (docs/model.md); at most φ/(1−φ) = 9 years of the recent slope are added.
DEFAULT_DAMPING = 0.9


def damped_trend(level: float, slope: float, damping: float, horizons: np.ndarray) -> np.ndarray:
    """Damped-trend path ``level + slope · Σ_{i=1..h} φ^i`` for horizons h >= 1.

    Gardner & McKenzie (1985), "Forecasting trends in time series", Management Science 31(10),
    1237–1246: the trend's contribution shrinks by φ each year, so the path levels off at
    ``level + slope · φ/(1−φ)``. ``damping`` = 1 is the linear trend, 0 the level alone.

    .. math:: \\hat y_{B+h} = L + b \\sum_{i=1}^{h} \\phi^i
    """
    h = np.asarray(horizons, dtype=float)
    phi = float(damping)
    if phi == 1.0:
        return level + slope * h
    return level + slope * phi * (1 - phi**h) / (1 - phi)


def fertility_level_path(
    assumption: str,
    n_years: int,
    *,
    last_year_level: float = 1.0,
    trend_start: float = 1.0,
    trend_slope: float = 0.0,
    damping: float = DEFAULT_DAMPING,
    tfr_path: np.ndarray | None = None,
    schedule_tfr: float | None = None,
    floor: float = 0.2,
) -> np.ndarray:
    """Region fertility level FR_t (T,) of a fertility assumption, relative to the schedule
    with the estimation-period zone levels (the handbook's trend variant, FR = 1).

    Parameters
    ----------
    assumption : one of :data:`FERTILITY_ASSUMPTIONS`
        ``period_mean``: FR_t = 1. ``last_year``: FR_t = ``last_year_level`` (the region's level
        in the last estimation year relative to the period mean). ``damped_trend``:
        FR_t = max(floor, :func:`damped_trend` (``trend_start``, ``trend_slope``, ``damping``,
        t)) with start and slope relative to the period-mean level (the trend line's value at
        the base year and its yearly change). ``tfr_path``: FR_t = TFR_t / ``schedule_tfr``
        (a planner's TFR per year over the TFR of the schedule in use; zone levels FK stay).
    n_years : T
    floor : lowest FR of the damped trend (a steep short trend cannot drive births to zero).
    """
    T = int(n_years)
    if assumption == "period_mean":
        return np.ones(T)
    if assumption == "last_year":
        return np.full(T, float(last_year_level))
    if assumption == "damped_trend":
        path = damped_trend(trend_start, trend_slope, damping, np.arange(1, T + 1))
        return np.maximum(path, floor)
    if assumption == "tfr_path":
        if tfr_path is None or schedule_tfr is None or not schedule_tfr > 0:
            raise ValueError("a TFR path needs the path and the TFR of the schedule in use")
        path = np.asarray(tfr_path, dtype=float)
        if path.shape != (T,):
            raise ValueError(f"TFR path has {path.shape[0] if path.ndim else 0} years, expected {T}")
        return path / float(schedule_tfr)
    raise ValueError(f"unknown fertility assumption {assumption!r}; expected one of {FERTILITY_ASSUMPTIONS}")
