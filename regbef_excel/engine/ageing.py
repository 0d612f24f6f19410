"""Ageing one year (handbook §3.2)."""

from __future__ import annotations

import numpy as np


def age_one_year(pop: np.ndarray, *, drop_oldest: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """BEF1[k, s, a] = BEF[t−1, k, s, a−1]; age 0 is left empty for the newborns.

    By default the last age is an open group (A+): people aged A stay in A (spec §1 decision).
    With ``drop_oldest`` the handbook's rule applies: "De over 99 år forsvinner ut av modellen"
    and the leavers are returned so that they are reported as a component of change.

    Returns
    -------
    aged : (K, 2, A1)
    leavers : (K, 2) persons leaving the model above the oldest age (zero unless drop_oldest)
    """
    aged = np.zeros_like(pop)
    aged[..., 1:] = pop[..., :-1]
    oldest = pop[..., -1].copy()
    if drop_oldest:
        return aged, oldest
    aged[..., -1] += oldest
    return aged, np.zeros_like(oldest)
