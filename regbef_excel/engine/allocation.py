"""Internal migration between zone pairs, for reporting (variants without a housing market).

The projection itself needs only each zone's internal out- and in-migrants; the from → to
matrix the output sheets show is allocated afterwards by a doubly constrained gravity model.
"""

from __future__ import annotations

import numpy as np

from regbef_excel.engine.gravity import deterrence, doubly_constrained
from regbef_excel.engine.inputs import ProjectionInputs
from regbef_excel.errors import ConvergenceError, InputError


def allocation_deterrence(inputs: ProjectionInputs) -> np.ndarray:
    """exp(−0.05·d) between zones (ones without distances), zero on the diagonal."""
    K = inputs.n_zones
    f = deterrence(inputs.distances, "exponential", 0.05) if inputs.distances is not None else np.ones((K, K))
    f = np.array(f, dtype=float)
    np.fill_diagonal(f, 0.0)
    return f


def allocate_zone_pairs(out_tot: np.ndarray, in_tot: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Zone-pair matrix of internal migration for reporting (variants without a housing market).

    A doubly constrained allocation of each zone's internal out- and in-migrants by distance
    (exp(−0.05·d), no moves within a zone); where the margins cannot be met without the diagonal
    (e.g. one zone holds almost all movers) a proportional allocation is used instead.
    """
    K = out_tot.size
    if K < 2 or out_tot.sum() <= 0:
        return np.zeros((K, K))
    try:
        return doubly_constrained(out_tot, in_tot, f, tol=1e-8, max_iter=2000)
    except (InputError, ConvergenceError):
        m = np.outer(out_tot, in_tot) / in_tot.sum()
        return m


def allocate_internal_migration(
    inputs: ProjectionInputs, iuf: np.ndarray, iif: np.ndarray
) -> np.ndarray:
    """(T, K, K) internal migration from → to for variants without a housing market.

    Computed on demand (it is reporting, not part of the projection): each year's internal
    out-migrants ``iuf`` and in-migrants ``iif`` (T, K, 2, A1) per zone allocated by :func:`allocate_zone_pairs`.
    """
    f = allocation_deterrence(inputs)
    out = iuf.sum(axis=(2, 3))
    inn = iif.sum(axis=(2, 3))
    return np.stack([allocate_zone_pairs(out[t], inn[t], f) for t in range(out.shape[0])])


__all__ = ["allocate_internal_migration", "allocate_zone_pairs", "allocation_deterrence"]
