"""Mortality: deaths from probabilities and level factors (handbook §2.3, §3.7)."""

from __future__ import annotations

import numpy as np


def death_probabilities(
    pop: np.ndarray,
    death_prob: np.ndarray,
    level_region: float,
    level_zone: np.ndarray,
    *,
    reconcile: bool = False,
) -> np.ndarray:
    """Probabilities of dying q[k, s, a] = DODRAT[s, a] · DR_t · DK_k (handbook §3.7), NOT capped.

    With region reconciliation q is scaled so that Σ BEF1 · q equals the regional deaths computed
    without zone factors, ``Σ BEF1 · DODRAT · DR_t`` (the handbook's formula is lost;
    reconstruction per spec §4). Scaling comes first, the cap at 1 afterwards (:func:`deaths`).

    Parameters
    ----------
    pop : (K, 2, A1) population after ageing and births (BEF1).
    death_prob : (2, A1) DODRAT.
    level_region : DR_t.
    level_zone : (K,) DK_k.
    """
    q = death_prob[None, :, :] * level_region * level_zone[:, None, None]
    if reconcile:
        region = (pop * death_prob[None, :, :]).sum() * level_region
        zoned = (pop * q).sum()
        if zoned > 0:
            q = q * (region / zoned)
    return q


def deaths(
    pop: np.ndarray,
    death_prob: np.ndarray,
    level_region: float,
    level_zone: np.ndarray,
    *,
    reconcile: bool = False,
) -> np.ndarray:
    """Deaths DOD[k, s, a] = BEF1[k, s, a] · min(1, q[k, s, a]) (handbook §3.7).

    ``q`` from :func:`death_probabilities`. The inputs are validated so that DODRAT · DR_t · DK_k
    ≤ 1; the cap at probability 1 can then only bind after reconciliation, and the projection
    loop reports the persons it keeps alive.
    """
    q = death_probabilities(pop, death_prob, level_region, level_zone, reconcile=reconcile)
    return pop * np.minimum(q, 1.0)
