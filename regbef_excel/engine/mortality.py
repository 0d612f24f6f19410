"""Mortality: deaths from probabilities and level factors (handbook §2.3, §3.7)."""

from __future__ import annotations

import numpy as np


def deaths(
    pop: np.ndarray,
    death_prob: np.ndarray,
    level_region: float,
    level_zone: np.ndarray,
    *,
    reconcile: bool = False,
) -> np.ndarray:
    """Deaths DOD[k, s, a] = BEF1[k, s, a] · DODRAT[s, a] · DR_t · DK_k (handbook §3.7).

    With region reconciliation the zone deaths are scaled so that their sum equals the regional
    deaths computed without zone factors (``Σ BEF1 · DODRAT · DR_t``; the handbook's formula is
    lost, reconstruction per spec §4). The probability after all factors is capped at 1; the
    caller (the projection loop) reports any cap.

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
    return pop * np.minimum(q, 1.0)
