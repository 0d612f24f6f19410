"""Residual net migration from consecutive population stocks (the "residual method").

Where gross migration flows by age are not available (every county except the Telemark demo),
net migration by zone × sex × age is estimated as what the stocks cannot explain by ageing,
births and deaths. This is the forward survival residual method of demographic estimation, set
in REGBEF's own accounting so that the engine, run with the same vital rates, reproduces the
observed stocks exactly (handbook §3.2–§3.7, §3.23; the handbook does not describe this method:
it is a **reconstruction** for back-testing).

Method (one year y, zone k, sex s, age a at the end of the year; BEF is the stock on 31 Dec)
------------------------------------------------------------------------------------------
1. Ageing (§3.2): ``BEF1[k,s,a] = BEF[y−1,k,s,a−1]`` for a ≥ 1, the open group 99+ keeps its
   survivors (``BEF1[99] = BEF[y−1,98] + BEF[y−1,99]``).
2. Expected survivors (§3.7): ``BEF2[k,s,a] = BEF1[k,s,a] · (1 − q[s,a] · DK_k)`` with ``q``
   the national death probabilities of year y by age at the end of the year and ``DK_k`` a zone
   mortality level factor (default 1: national mortality).
3. Residual net migration for a ≥ 1 (§3.23 solved for migration):
   ``NET[k,s,a] = BEF[y,k,s,a] − BEF2[k,s,a]``.
   The engine applies deaths before migration (BEF2, §3.15) and lets no migrant die in the
   year, so with the engine's own ``q·DK`` this residual equals its EIFU + EIFN + IIF − EUF − IUF
   exactly.
4. Age 0 (newborns): births are not observed by zone, so the age-0 residual is confounded with
   births. ``BEF[y,k,s,0] = S[k,s] + NET[k,s,0]`` with ``S = FOD·(1 − q0·DK)`` the surviving
   newborns. Two rules (``infant``):

   * ``"child"`` (default): newborns migrate at the net rate of small children of the same zone
     and year, ``NET0 = φ·r·S`` with ``r = Σ_{a=1..4} NET[a] / Σ_{a=1..4} BEF2[a]`` (both sexes)
     and ``φ = INFANT_CHILD_FACTOR = 1``. Hence ``S = BEF0 / (1 + φ·r)``. Evidence for φ ≈ 1:
     in Telemark 2016–2025 (SSB migration by age, 17 municipalities) the net migration at age 0
     was +402 persons against +358 per single age at ages 1–4, i.e. about the same.
   * ``"zero"``: no net migration of newborns, ``S = BEF0``.

   Births are then ``FOD[k,s] = S[k,s] / (1 − q[s,0]·DK_k)``.

Bias
----
* Deaths are *assumed* (national probabilities × DK, DK = 1 unless given), not observed. With a
  true zone level DK*, the residual is ``NET = NET* − (DK* − DK)·q·BEF1``: excess mortality in a
  zone appears as out-migration, mostly at ages 80+ (with q ≈ 0.15 at 90 and DK* = 1.1 about
  1.5 % of the age group a year is misattributed). Zone mortality cannot be estimated from stocks
  alone; it is confounded with the net migration of the old.
* Errors in the stocks (SSB's back-calculated municipal figures differ from the national series
  by −22 to +53 persons a year in 2006–2023) go into net migration unchanged.
* At age 0 the chosen rule decides the split between births and infant net migration; any error
  there moves into the fertility level factor estimated later, not into the population total.
* The open group 99+ is projected as a whole; its residual is that of the group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from regbef_excel.engine.ageing import age_one_year

InfantRule = Literal["child", "zero"]
INFANT_RULES: tuple[str, ...] = ("child", "zero")
#: φ: net migration rate of newborns relative to that of ages 1–4 (see module docstring).
INFANT_CHILD_FACTOR = 1.0
#: Ages whose net migration rate the "child" rule borrows for newborns.
CHILD_AGES = slice(1, 5)
#: Lower bound of r in the "child" rule (a zone cannot lose all its small children).
MIN_CHILD_RATE = -0.9


@dataclass
class ResidualMigration:
    """Result of :func:`residual_net_migration` for Y years (shapes with K zones, A1 ages).

    Attributes
    ----------
    net : ndarray (Y, K, 2, A1)
        Residual net migration NET (in − out) by age at the end of the year.
    births : ndarray (Y, K, 2)
        Estimated births FOD by sex.
    at_risk : ndarray (Y, K, 2, A1)
        Expected survivors BEF2 (persons at risk of migrating, as in the engine's §3.15).
    deaths : ndarray (Y, K, 2, A1)
        Assumed deaths ``BEF1 · q · DK``.
    """

    net: np.ndarray
    births: np.ndarray
    at_risk: np.ndarray
    deaths: np.ndarray


def residual_net_migration(
    stocks: np.ndarray,
    death_prob: np.ndarray,
    mortality_level_zone: np.ndarray | None = None,
    *,
    infant: InfantRule = "child",
    child_factor: float = INFANT_CHILD_FACTOR,
) -> ResidualMigration:
    """Net migration by zone × sex × age from consecutive stocks (residual method).

    ``NET[y,k,s,a] = BEF[y,k,s,a] − BEF1[y,k,s,a]·(1 − q[y,s,a]·DK_k)`` for a ≥ 1, newborns by
    the ``infant`` rule (see the module docstring for formulas, evidence and bias).
    Reconstruction: handbook §3.2–3.7 and §3.23 solved for migration.

    Parameters
    ----------
    stocks : ndarray (Y+1, K, 2, A1)
        Population on 31 Dec of Y+1 consecutive years (last age an open group).
    death_prob : ndarray (Y, 2, A1) or (2, A1)
        Death probabilities by age at the end of each flow year (national), ``q`` above.
    mortality_level_zone : ndarray (K,), optional
        DK_k; default 1 (national mortality in every zone).
    infant : {"child", "zero"}
        Rule for the net migration of newborns.
    child_factor : float
        φ of the "child" rule.

    Returns
    -------
    ResidualMigration
    """
    stocks = np.asarray(stocks, dtype=float)
    if stocks.ndim != 4 or stocks.shape[0] < 2 or stocks.shape[2] != 2:
        raise ValueError(f"stocks must have shape (Y+1, K, 2, A1) with Y >= 1; got {stocks.shape}")
    if infant not in INFANT_RULES:
        raise ValueError(f"unknown infant rule {infant!r}; use one of {INFANT_RULES}")
    Y = stocks.shape[0] - 1
    _, K, S, A1 = stocks.shape
    q = np.asarray(death_prob, dtype=float)
    if q.shape == (2, A1):
        q = np.broadcast_to(q, (Y, 2, A1))
    if q.shape != (Y, 2, A1):
        raise ValueError(f"death_prob must have shape (2, {A1}) or ({Y}, 2, {A1}); got {q.shape}")
    dk = np.ones(K) if mortality_level_zone is None else np.asarray(mortality_level_zone, float)
    if dk.shape != (K,):
        raise ValueError(f"mortality_level_zone must have shape ({K},); got {dk.shape}")

    net = np.empty((Y, K, S, A1))
    at_risk = np.empty((Y, K, S, A1))
    deaths = np.empty((Y, K, S, A1))
    births = np.empty((Y, K, S))
    for i in range(Y):
        qk = np.minimum(q[i][None] * dk[:, None, None], 1.0)  # (K, 2, A1)
        bef1, _ = age_one_year(stocks[i])
        end = stocks[i + 1]
        bef2 = bef1 * (1 - qk)
        net_i = end - bef2
        # Newborns: surviving births S from the age-0 stock and the infant rule.
        if infant == "child":
            pop_c = bef2[:, :, CHILD_AGES].sum(axis=(1, 2))
            net_c = net_i[:, :, CHILD_AGES].sum(axis=(1, 2))
            r = np.divide(net_c, pop_c, out=np.zeros(K), where=pop_c > 0)
            r = np.maximum(r, MIN_CHILD_RATE)
            surv = end[:, :, 0] / (1 + child_factor * r)[:, None]
        else:
            surv = end[:, :, 0].copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            fod = np.where(qk[:, :, 0] < 1, surv / (1 - qk[:, :, 0]), 0.0)
        bef1[:, :, 0] = fod
        bef2[:, :, 0] = surv
        net_i[:, :, 0] = end[:, :, 0] - surv
        net[i] = net_i
        at_risk[i] = bef2
        deaths[i] = bef1 * qk
        births[i] = fod
    return ResidualMigration(net=net, births=births, at_risk=at_risk, deaths=deaths)


__all__ = ["INFANT_RULES", "ResidualMigration", "residual_net_migration"]
