"""Gross migration flows for one projection year (handbook §3.11, §3.15, §3.22).

The Rogers–Castro schedules (ROGFUNK) are evaluated once per run; the functions here turn them
into flows for one year, vectorised over zone × sex × age.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regbef_excel.engine.inputs import N_AGES, ProjectionInputs
from regbef_excel.engine.migration import rc_schedule


@dataclass(frozen=True)
class Schedules:
    """ROGFUNK evaluated for every zone × sex × age, per flow (handbook §3.15).

    ``rate[flow]`` (K, 2, A1) for rate-mode flows (EUF, IUF): smoothed probabilities.
    ``dist[flow]`` (K, 2, A1) for distribution-mode flows (EIFU, EIFN, IIF): each zone's
    schedule normalised to sum 1 over sex × age (a zone with an all-zero schedule gets a flat
    distribution and a warning from :func:`schedules`).
    """

    rate: dict[str, np.ndarray]
    dist: dict[str, np.ndarray]


def normalise(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalise (K, 2, A1) profiles to sum 1 per zone; returns (dist, zero_zone_mask)."""
    tot = profile.sum(axis=(1, 2))
    zero = ~(tot > 0)
    safe = np.where(zero, 1.0, tot)
    dist = profile / safe[:, None, None]
    if zero.any():
        dist[zero] = 1.0 / (2 * N_AGES)
    return dist, zero


def schedules(inputs: ProjectionInputs, warnings: list[str]) -> Schedules:
    ages = np.arange(N_AGES, dtype=float)
    rate = {}
    for flow in ("EUF", "IUF"):
        r = rc_schedule(np.asarray(inputs.rc_params[flow], dtype=float), ages)
        rate[flow] = np.clip(r, 0.0, None)
    dist = {}
    for flow in ("EIFU", "EIFN", "IIF"):
        d, zero = normalise(np.clip(rc_schedule(np.asarray(inputs.rc_params[flow], dtype=float), ages), 0, None))
        for k in np.flatnonzero(zero):
            warnings.append(
                f"{flow}: the Rogers–Castro schedule of zone {inputs.zone_codes[k]} is zero at every age; "
                "a flat age distribution is used"
            )
        dist[flow] = d
    return Schedules(rate=rate, dist=dist)


def outflows(
    pop: np.ndarray, rate_euf: np.ndarray, rate_iuf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """External and internal out-migration in rate mode (handbook §3.15.1.1.1, §3.15.1.1.3).

    EUF = BEF2 · ROGFUNK(EUFPAR) · levels and IUF likewise, both from the population after
    deaths. Where the two together would exceed the population of a cell they are scaled down
    proportionally; the persons removed are returned as ``capped`` (reported, never silent).
    """
    euf = pop * rate_euf
    iuf = pop * rate_iuf
    out = euf + iuf
    over = out > pop
    capped = np.zeros_like(pop)
    if over.any():
        scale = np.where(over, pop / np.where(out > 0, out, 1.0), 1.0)
        capped = np.where(over, out - pop, 0.0)
        euf = euf * scale
        iuf = iuf * scale
    return euf, iuf, capped


def internal_inflow(
    iuf: np.ndarray, net_trend: np.ndarray, dist_iif: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Internal in-migration with the consistency adjustment (handbook §3.11, §3.22).

    Uncorrected: ``IIF'[j, s, a] = (IUF_j + INF_j) · EBRATIN[j, s, a]`` with INF_j the trend
    net internal migration (variants 1, 2, 6) and EBRATIN the in-migration age/sex profile.
    A zone total below zero is set to zero and reported by the caller.

    Consistency: ``IKORR[s, a] = Σ_j IUF[j, s, a] / Σ_j IIF'[j, s, a]``; ``IIF = IIF' · IKORR``,
    so internal in = internal out for every sex × age. Where no zone has in-migrants of a sex ×
    age the out-movers of that cell are spread over zones in proportion to their total
    in-migration (reconstruction: the handbook's ratio is undefined there).

    Returns
    -------
    iif : (K, 2, A1)
    shortfall : (K,) persons by which a negative zone total was raised to zero
    """
    total = iuf.sum(axis=(1, 2)) + net_trend
    shortfall = np.where(total < 0, -total, 0.0)
    total = np.maximum(total, 0.0)
    return consistency_adjust(iuf, total[:, None, None] * dist_iif), shortfall


def consistency_adjust(iuf: np.ndarray, raw_iif: np.ndarray) -> np.ndarray:
    """The consistency adjustment of handbook §3.22, per sex × age.

    ``IKORR[s, a] = Σ_j IUF[j, s, a] / Σ_j IIF'[j, s, a]``; ``IIF = IIF'·IKORR``. Where no zone
    has in-migrants of a sex × age but some have out-migrants, those are spread over zones in
    proportion to their total uncorrected in-migration (reconstruction: the handbook's ratio is
    undefined there).
    """
    col_out = iuf.sum(axis=0)
    col_in = raw_iif.sum(axis=0)
    has_in = col_in > 0
    ikorr = np.where(has_in, col_out / np.where(has_in, col_in, 1.0), 0.0)
    iif = raw_iif * ikorr[None, :, :]
    missing = (~has_in) & (col_out > 0)
    if missing.any():
        zone = raw_iif.sum(axis=(1, 2))
        tot = zone.sum()
        share = zone / tot if tot > 0 else np.full(zone.shape, 1.0 / zone.size)
        iif = iif + share[:, None, None] * np.where(missing, col_out, 0.0)[None, :, :]
    return iif
