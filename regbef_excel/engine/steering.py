"""Target steering — målstyring (handbook §1.2.5, §3.9–3.13; spec §6–7).

Every target type is turned into a net-migration requirement for one year:

* MÅLTYP 1 (net migration): ``NF = MNFL``;
* MÅLTYP 2 (total population on 31 Dec): ``NF = MBEF − P``;
* MÅLTYP 3 (growth in % from the previous year): ``NF = BEF[t−1]·(1 + MVEK/100) − P``;

where ``P`` is the population after natural change (and, in variants 3 and 5, before any
migration: internal migration nets to zero over the region). Municipality targets (MK = 1) are
met exactly; the regional target (MR = 1) minus the sum of the steered municipalities (SUMMK) is
spread over the non-steered municipalities in proportion to their population at the start of
the year (RIM). The handbook's formulas for §3.9–3.10 are lost; this is the reconstruction of
spec §6.
"""

from __future__ import annotations

import numpy as np

from regbef_excel.engine.inputs import NET_MIGRATION, POPULATION, TARGET, Targets
from regbef_excel.errors import InputError, Location


def requirement(kind: np.ndarray, value: np.ndarray, start: np.ndarray, after_natural: np.ndarray) -> np.ndarray:
    """Net migration needed to meet targets of type ``kind`` (vectorised over zones)."""
    kind = np.asarray(kind)
    return np.where(
        kind == NET_MIGRATION,
        value,
        np.where(kind == POPULATION, value - after_natural, start * (1 + value / 100.0) - after_natural),
    )


def net_migration_targets(
    targets: Targets,
    t: int,
    start: np.ndarray,
    after_natural: np.ndarray,
    trend_net: np.ndarray,
    *,
    use_zone_targets: bool = True,
    year: int | None = None,
    warnings: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Net migration NF_k for year index ``t`` and the mask of zones whose NF is steered.

    Parameters
    ----------
    targets : Targets
    t : int
        Projection year index (0 = first projection year).
    start : (K,) population on 31 Dec of the previous year (BEF[t−1]).
    after_natural : (K,) population after births and deaths (BEF2 summed).
    trend_net : (K,) net migration the zone gets without steering this year.
    use_zone_targets : bool
        False in variants where only the region is steered (3, 5): zone targets are ignored.

    Returns
    -------
    nf : (K,) net migration per zone (trend value where not steered)
    steered : (K,) bool, True where NF comes from a target (zone or regional remainder)
    """
    K = start.shape[0]
    zone_on = (targets.zone_mode[t] == TARGET) if use_zone_targets else np.zeros(K, dtype=bool)
    nf = np.asarray(trend_net, dtype=float).copy()
    if zone_on.any():
        req = requirement(targets.zone_type[t], targets.zone_value[t], start, after_natural)
        nf[zone_on] = req[zone_on]
    steered = zone_on.copy()
    if targets.region_mode[t] == TARGET:
        kind = int(targets.region_type[t])
        value = float(targets.region_value[t])
        nf_region = float(requirement(np.array([kind]), np.array([value]), np.array([start.sum()]),
                                      np.array([after_natural.sum()]))[0])
        free = ~zone_on
        remainder = nf_region - nf[zone_on].sum()
        if free.any():
            rim = start[free]
            share = rim / rim.sum() if rim.sum() > 0 else np.full(free.sum(), 1.0 / free.sum())
            nf[free] = remainder * share
            steered[:] = True
        elif abs(remainder) > 0.5 and warnings is not None:
            warnings.append(
                f"{year}: every municipality is steered; the regional target differs from their sum "
                f"by {remainder:.0f} persons and is not met"
            )
    return nf, steered


def external_inflow_for(
    net_external: np.ndarray, euf: np.ndarray, immigration: np.ndarray, *, year: int, zone_codes, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Split the external in-migration EIF = EUF + ENF into EIFU and EIFN totals per zone.

    Handbook §3.15: EIF_k = EUF_k + NFK_k; immigration from abroad keeps its trend total
    (EIFU_t · EIFUAND_k) and EIFN = EIF − EIFU. Where EIF < EIFU the immigration is reduced to
    EIF (and EIFN = 0) with a warning. A target that needs negative in-migration is an input
    error (spec §6), reported with the year and the zone.

    Returns (eifu_total (K,), eifn_total (K,)).
    """
    eif = euf + net_external
    bad = eif < -1e-9
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{year}: the target for zone {zone_codes[k]} needs negative in-migration "
            f"({eif[k]:.0f} persons: out-migration {euf[k]:.0f}, required net {net_external[k]:.0f})",
            # the input field: the target of this zone (column) in this year (row)
            location=Location(table="targets", row=year, column=str(zone_codes[k])),
            expected="a target that in-migration can reach (net migration > −out-migration)",
        )
    eif = np.maximum(eif, 0.0)
    eifu = np.minimum(immigration, eif)
    short = immigration - eifu
    for k in np.flatnonzero(short > 0.5):
        warnings.append(
            f"{year}: zone {zone_codes[k]}: the target leaves room for only {eif[k]:.0f} in-migrants; "
            f"immigration from abroad reduced by {short[k]:.0f}"
        )
    return eifu, eif - eifu
