"""The REGBEF projection loop (handbook §3, order of computation in spec §2).

One year t, vectorised over zone × sex × age:

1. ageing (§3.2)                        BEF1 = BEF[t−1] shifted one age
2. births (§3.3–3.6)                    newborns enter BEF1[:, :, 0]
3. deaths (§3.7)                        BEF2 = BEF1 − DOD
8. gross migration (§3.15)              EUF, IUF from BEF2 (rate mode); EIFU, EIFN (totals × profiles)
11. consistency (§3.22)                 IIF scaled so Σ_k IIF = Σ_k IUF per sex × age
12. update (§3.23)                      BEF[t] = BEF2 − EUF − IUF + EIFU + EIFN + IIF

Steps 4–7, 9–10 (labour supply, target steering, housing, housing market) belong to the other
model variants.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InvariantError
from .ageing import age_one_year
from .fertility import births, fertility_rates, split_births
from .flows import internal_inflow, outflows, schedules
from .inputs import FEMALE, ProjectionInputs
from .mortality import deaths
from .results import COMPONENTS, Projection

#: Tolerance of the balancing equation, in persons (spec §2).
BALANCE_TOL = 1e-6


def project(
    inputs: ProjectionInputs,
    *,
    validate: bool = True,
    check_invariants: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Projection:
    """Project population year by year with REGBEF (model variant 1, trend).

    Parameters
    ----------
    inputs : ProjectionInputs
        Validated inputs (the workbook readers validate cell by cell first).
    validate : bool
        Run :meth:`ProjectionInputs.validate` first.
    check_invariants : bool
        Assert the balancing equation, internal in = out and non-negativity every year (spec §2).
        On by default; switch off only in benchmarks that measure the loop alone.
    progress : callable(t, T), optional
        Called after each projection year.

    Returns
    -------
    Projection
    """
    if validate:
        inputs.validate()
    if inputs.variant != 1:
        raise NotImplementedError(
            f"model variant {inputs.variant} is not available in this version; use variant 1 (trend)"
        )
    K, T = inputs.n_zones, inputs.n_years
    A1 = inputs.population.shape[2]
    warnings: list[str] = []
    sched = schedules(inputs, warnings)
    fod_rates = fertility_rates(inputs)

    lvl = {f: np.asarray(v, dtype=float) for f, v in inputs.migration_level_region.items()}
    lvk = {f: np.asarray(v, dtype=float) for f, v in inputs.migration_level_zone.items()}
    share = np.asarray(inputs.immigration_share, dtype=float)
    share = share / share.sum() if share.sum() > 0 else share  # accepted within SHARE_TOLERANCE
    imm_dist = sched.dist["EIFU"] * share[:, None, None]
    dom_dist = sched.dist["EIFN"] * np.asarray(inputs.domestic_inmigration)[:, None, None]

    population = np.empty((T + 1, K, 2, A1))
    population[0] = inputs.population
    flows = {name: np.empty((T, K, 2, A1)) for name in ("deaths", "EUF", "EIFU", "EIFN", "IUF", "IIF")}
    flows["births"] = np.zeros((T, K, 2))
    flows["leavers"] = np.zeros((T, K, 2))
    capped = np.zeros((T, K, 2, A1))

    pop = np.asarray(inputs.population, dtype=float).copy()
    for t in range(T):
        # 1. ageing
        bef1, leavers = age_one_year(pop, drop_oldest=inputs.drop_oldest)
        # 2. births to women of BEF1 (ages at end of year)
        fod = births(
            bef1[:, FEMALE, :],
            fod_rates,
            inputs.fertility_level_region[t],
            np.asarray(inputs.fertility_level_zone),
            reconcile=inputs.reconcile_births,
        )
        newborn = split_births(fod, inputs.share_boys)
        bef1[:, :, 0] = newborn
        # 3. deaths
        dod = deaths(
            bef1,
            np.asarray(inputs.death_prob),
            inputs.mortality_level_region[t],
            np.asarray(inputs.mortality_level_zone),
            reconcile=inputs.reconcile_deaths,
        )
        bef2 = bef1 - dod
        # 8. gross migration: rate flows from BEF2, capped jointly so no cell goes negative
        rate_euf = sched.rate["EUF"] * (lvl["EUF"][t] * lvk["EUF"])[:, None, None]
        rate_iuf = sched.rate["IUF"] * (lvl["IUF"][t] * lvk["IUF"])[:, None, None]
        euf, iuf, cap = outflows(bef2, rate_euf, rate_iuf)
        eifu = inputs.immigration_total[t] * imm_dist
        eifn = dom_dist * lvl["EIFN"][t]
        # 11. internal in-migration and consistency adjustment
        iif, shortfall = internal_inflow(iuf, np.asarray(inputs.internal_net_trend, dtype=float), sched.dist["IIF"])
        if shortfall.any():
            for k in np.flatnonzero(shortfall):
                warnings.append(
                    f"{inputs.years[t]}: zone {inputs.zone_codes[k]}: trend net internal migration "
                    f"would need negative in-migration; {shortfall[k]:.1f} persons set to zero"
                )
        # 12. update (in place: at national size the loop is memory-bound)
        new = population[t + 1]
        np.subtract(bef2, euf, out=new)
        new -= iuf
        new += eifu
        new += eifn
        new += iif
        if check_invariants:
            _check_year(t, pop, new, fod, dod, euf, iuf, eifu, eifn, iif, leavers, inputs)
        np.maximum(new, 0.0, out=new)  # only round-off below zero survives the check
        flows["births"][t] = newborn
        flows["deaths"][t] = dod
        flows["EUF"][t] = euf
        flows["IUF"][t] = iuf
        flows["EIFU"][t] = eifu
        flows["EIFN"][t] = eifn
        flows["IIF"][t] = iif
        flows["leavers"][t] = leavers
        capped[t] = cap
        pop = new
        if progress is not None:
            progress(t + 1, T)

    total_capped = capped.sum()
    if total_capped > 0:
        warnings.append(
            f"out-migration was capped in {int((capped > 0).sum())} cells ({total_capped:.1f} persons in all) "
            "so that no population cell became negative"
        )
    return Projection(inputs=inputs, population=population, flows=flows, capped=capped, warnings=warnings)


def _check_year(t, old, new, fod, dod, euf, iuf, eifu, eifn, iif, leavers, inputs) -> None:
    """Assert the invariants of spec §2 for one projection year."""
    year = inputs.base_year + t + 1
    change = new.sum(axis=(1, 2)) - old.sum(axis=(1, 2))
    comp = (
        fod
        - dod.sum(axis=(1, 2))
        - euf.sum(axis=(1, 2))
        + eifu.sum(axis=(1, 2))
        + eifn.sum(axis=(1, 2))
        - iuf.sum(axis=(1, 2))
        + iif.sum(axis=(1, 2))
        - leavers.sum(axis=1)
    )
    gap = np.abs(change - comp)
    scale = np.maximum(1.0, np.abs(old.sum(axis=(1, 2))) * 1e-12)
    if np.any(gap > BALANCE_TOL * scale):
        k = int(np.argmax(gap))
        raise InvariantError(f"{year}: balancing equation fails for zone {inputs.zone_codes[k]} by {gap[k]:.3g} persons")
    d = np.abs(iif.sum(axis=0) - iuf.sum(axis=0))
    if np.any(d > BALANCE_TOL * np.maximum(1.0, iuf.sum(axis=0))):
        raise InvariantError(f"{year}: internal in-migration differs from internal out-migration by {d.max():.3g}")
    if new.min() < -BALANCE_TOL:
        k, s, a = np.unravel_index(int(np.argmin(new)), new.shape)
        raise InvariantError(f"{year}: negative population {new.min():.3g} in zone {inputs.zone_codes[k]}, sex {s}, age {a}")


__all__ = ["project", "COMPONENTS", "BALANCE_TOL"]
