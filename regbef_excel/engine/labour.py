r"""Labour supply and the labour-market model (handbook §1.2.6, §3.8, §3.14, §3.15; spec §8).

Labour supply (handbook §3.8)::

    YRK[k] = Σ_{s,a} BEF[k,s,a] · YRKRAT[s,g(a)] · YR_t · YK_k

Labour market, one projection year (handbook §3.14, variants 4 and 5). Many of the handbook's
formulas were images lost in text extraction; every reconstruction is marked below and in the
docstrings. In short:

1. **Turnover** (§3.14.1.1.1). The handbook checks per municipality
   ``ARB_k < ARB_k^{t−1}(1−TOV) ⇒ TOV = (ARB_k^{t−1} − ARB_k)/ARB_k^{t−1}`` and the same for
   workers YRK (the right-hand side is reconstructed from the garbled text). The zone's
   turnover is therefore *raised* to the rate at which jobs or workers fall when that is faster
   than TOV (spec §8 says "reduced"; the handbook's condition and replacement can only raise it,
   and raising it is what makes the vacancy expression below exactly zero instead of negative).
   One zone turnover ``TOV_k = max(TOV, job fall rate, worker fall rate)`` is used for both sides.
2. **Supply and demand** entering the gravity model (§3.14.1.1.2)::

       TIL_k = max(0, (1−KALMIN)·(YRK_k − (1−TOV_k)·YRK_k^{t−1}) − KUP_k)
       ETT_k = max(0, (1−KALMIN)·(ARB_k − (1−TOV_k)·ARB_k^{t−1}) − KIP_k)

   TIL is printed in the handbook; ETT was lost and is the analogous expression on jobs (spec
   §8), including the factor (1 − KALMIN): applying the core-unemployment share to both sides
   keeps a region whose jobs and workers grow alike in balance (applied to workers only, it would
   create a permanent job surplus that draws in-migration every year).
3. **External zone** K+1 (§3.14.1.1.2, formulas lost): a job deficit ΣTIL > ΣETT becomes demand
   ETT_{K+1} = ΣTIL − ΣETT outside the region; a job surplus becomes supply
   TIL_{K+1} = ΣETT − ΣTIL from outside. Then Σ supply = Σ demand exactly.
4. **Doubly constrained gravity** ``TT_ij = a_i b_j TIL_i ETT_j AF_ij`` over the K+1 zones
   (:func:`regbef_excel.engine.gravity.doubly_constrained`); row i = residence of the worker,
   column j = the workplace. AF from the distance matrix extended with the external zone's
   distance parameter (scalar or one value per zone).
5. **S-curve** (§3.14.1.1.6, printed): moving share AFLAND and commuting share PENAND = 1 − AFLAND
   (see :func:`moving_share`).
6. **Internal adjustment** (§3.14.1.1.6)::

       INTPEND_i = INTPEND_i^{t−1}·(1−TOV) + Σ_{j≤K} TT_ji·PENAND_ji − Σ_{j≤K} TT_ij·PENAND_ij
       IYAFLYT_i = (Σ_{j≤K} TT_ji − Σ_{j≤K} TT_ij) − (INTPEND_i − INTPEND_i^{t−1}·(1−TOV))
                 = Σ_{j≤K} TT_ji·AFLAND_ji − Σ_{j≤K} TT_ij·AFLAND_ij

   The handbook prints ``IYAFLYT_i = (ΣTT_ji − ΣTT_ij) − INTPEND_i``. Read literally (INTPEND the
   accumulated commuting stock) it subtracts a stock from a flow and, in a steady state with
   stock c/TOV, would turn a job surplus into out-migration. We read the subtracted term as this
   year's addition to net commuting, so IYAFLYT is the moving part of this year's net worker flow
   (the purpose of the S-curve) and Σ_i IYAFLYT_i = 0 exactly. INTPEND decays with the regional
   TOV (not the zone-adjusted TOV_k) so that Σ_i INTPEND_i stays 0.
7. **External flows** (§3.14.1.1.3–4, formulas lost): net external in-commuting
   ``NTPEND_k = TT_{K+1,k}·PENAND_{K+1,k} − TT_{k,K+1}·PENAND_{k,K+1}`` and net external labour
   migration ``YNTFL_k = TT_{K+1,k}·AFLAND_{K+1,k} − TT_{k,K+1}·AFLAND_{k,K+1}``; the region's
   YNTFL is their sum.
8. **Persons** (§3.14.1.1.6, §3.15): IAFLYT = IYAFLYT × family size × age/sex profile, built
   from the gross moves so that Σ_k IAFLYT[k,s,a] = 0 for every sex × age
   (:func:`labour_migration_persons`); external in-migration
   ``EIF_k = (YUTFL_k + YNTFL_k)·INNFAM`` with ``YUTFL_k = Σ_{s,a} EUF_k / UTFAM``
   (:func:`external_inmigration`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from regbef_excel.engine.gravity import deterrence, doubly_constrained
from regbef_excel.engine.inputs import N_AGES, SEXES
from regbef_excel.errors import InputError, Location

DistanceFunction = Literal["power", "exponential"]
DISTANCE_FUNCTIONS: tuple[str, ...] = ("power", "exponential")


# ------------------------------------------------------------------------------ age groups
def expand_age_groups(values, lower_bounds, n_ages: int = N_AGES) -> np.ndarray:
    """Expand values by age group to single ages.

    Group g covers ages ``lower_bounds[g] .. lower_bounds[g+1] − 1``; the last group is open
    (up to ``n_ages − 1``). Ages below the first bound get 0 (e.g. no labour supply below 15,
    no housing need below 16).

    Parameters
    ----------
    values : array_like, shape (..., G)
        E.g. participation rates by sex × age group, shape (2, G).
    lower_bounds : sequence of int, length G
        Strictly increasing lowest age of each group, e.g. ``(15, 20, 25, …, 65, 70)``.

    Returns
    -------
    numpy.ndarray, shape (..., n_ages)
    """
    v = np.asarray(values, dtype=float)
    lb = np.asarray(lower_bounds, dtype=int)
    if lb.ndim != 1 or lb.size != v.shape[-1]:
        raise InputError("one lower age bound per age group is needed",
                         location=Location(table="age groups"), found=(lb.size, v.shape[-1]),
                         expected="equal numbers")
    if lb.size and (np.any(np.diff(lb) <= 0) or lb[0] < 0 or lb[-1] >= n_ages):
        raise InputError("age-group lower bounds must increase strictly within 0..A",
                         location=Location(table="age groups"), found=tuple(lb.tolist()))
    ages = np.arange(n_ages)
    g = np.searchsorted(lb, ages, side="right") - 1
    out = np.zeros(v.shape[:-1] + (n_ages,))
    ok = g >= 0
    out[..., ok] = v[..., g[ok]]
    return out


# ------------------------------------------------------------------------------ labour supply
def labour_supply(pop, participation, level_region: float = 1.0, level_zone=None) -> np.ndarray:
    r"""Labour supply YRK per zone (handbook §3.8).

    .. math:: YRK_k = \sum_{s,a} BEF_{k,s,a}\; YRKRAT_{s,a}\; YR_t\; YK_k

    Parameters
    ----------
    pop : array_like, shape (K, 2, A1)
        BEF, persons.
    participation : array_like, shape (2, A1)
        YRKRAT by sex × single age (use :func:`expand_age_groups` for rates by age group).
    level_region : float
        YR_t.
    level_zone : array_like, shape (K,), optional
        YK_k (default 1).

    Returns
    -------
    numpy.ndarray, shape (K,)

    Raises
    ------
    InputError
        Participation rate × level factors outside 0..1 (naming zone, sex and age).
    """
    bef = np.asarray(pop, dtype=float)
    K = bef.shape[0]
    rat = np.asarray(participation, dtype=float)
    if rat.shape != bef.shape[1:]:
        raise InputError("participation rates must be given by sex × single age",
                         location=Location(table="participation"), found=rat.shape,
                         expected=str(bef.shape[1:]))
    yk = np.ones(K) if level_zone is None else np.asarray(level_zone, dtype=float)
    if yk.shape != (K,):
        raise InputError("one zone level factor per zone is needed",
                         location=Location(table="participation"), found=yk.shape, expected=f"({K},)")
    if not np.all(np.isfinite(rat)) or not np.all(np.isfinite(yk)) or not np.isfinite(level_region):
        raise InputError("participation rates or level factors are missing or not numbers",
                         location=Location(table="participation"))
    if np.any(rat < 0) or level_region < 0 or np.any(yk < 0):
        raise InputError("participation rates and level factors must be >= 0",
                         location=Location(table="participation"))
    over = rat.max(axis=None) * level_region * yk > 1 + 1e-12
    if over.any():
        k = int(np.flatnonzero(over)[0])
        s, a = np.unravel_index(int(np.argmax(rat)), rat.shape)
        raise InputError(
            f"participation rate × level factors exceeds 1 in zone {k} ({SEXES[s]}, age {a})",
            location=Location(table="participation", row=k),
            found=round(float(rat[s, a] * level_region * yk[k]), 6), expected="<= 1",
        )
    return np.einsum("ksa,sa->k", bef, rat) * (level_region * yk)


# ------------------------------------------------------------------------------ parameters
@dataclass(frozen=True)
class LabourMarketParams:
    """Parameters of the labour-market model (handbook §1.2.6, §3.14, §3.15).

    The handbook gives no default values; the defaults here are **assumptions** for a first
    run and must be reviewed by the planner (the workbook shows them as editable inputs).
    """

    #: TOV: yearly turnover share of jobs and workers (assumption 0.10).
    tov: float = 0.10
    #: KALMIN: share of core unemployed (never matched), applied to supply and demand.
    kalmin: float = 0.02
    #: AFALFA: S-curve level; the moving share tends to 2·AFALFA at long distance (≤ 1).
    afalfa: float = 0.5
    #: AFBETA: S-curve steepness per distance unit.
    afbeta: float = 0.05
    #: AFDELTA: distance at which moving share = AFALFA (the S-curve's midpoint).
    afdelta: float = 60.0
    #: ARBFAM: persons per internal labour migrant (family size).
    arbfam: float = 1.8
    #: UTFAM: persons per worker among external out-migrants (YUTFL = ΣEUF / UTFAM).
    utfam: float = 1.8
    #: INNFAM: persons per worker among external in-migrants (EIF = YINNFL · INNFAM).
    innfam: float = 1.8
    #: Distance function of AF_ij and its parameter.
    distance_function: DistanceFunction = "exponential"
    beta: float = 0.05
    #: Distance between every zone and the external zone (scalar, or one per zone).
    external_distance: float | tuple[float, ...] = 100.0

    def validate(self, n_zones: int | None = None) -> LabourMarketParams:
        """Raise :class:`InputError` for a value outside its range."""

        def bad(name: str, value, expected: str) -> InputError:
            return InputError(f"labour-market parameter {name.upper()} out of range",
                              location=Location(table="labour market parameters", column=name.upper()),
                              found=value, expected=expected)

        vals = {k: getattr(self, k) for k in ("tov", "kalmin", "afalfa", "afbeta", "afdelta",
                                              "arbfam", "utfam", "innfam", "beta")}
        for k, v in vals.items():
            if not np.isfinite(v):
                raise bad(k, v, "a number")
        if not 0 <= self.tov <= 1:
            raise bad("tov", self.tov, "0 ≤ TOV ≤ 1")
        if not 0 <= self.kalmin < 1:
            raise bad("kalmin", self.kalmin, "0 ≤ KALMIN < 1")
        if not (self.afalfa >= 0 and 2 * self.afalfa <= 1):
            raise bad("afalfa", self.afalfa, "0 ≤ AFALFA and 2·AFALFA ≤ 1")
        if self.afbeta < 0:
            raise bad("afbeta", self.afbeta, ">= 0")
        if self.afdelta < 0:
            raise bad("afdelta", self.afdelta, ">= 0")
        for k in ("arbfam", "utfam", "innfam"):
            if vals[k] <= 0:
                raise bad(k, vals[k], "> 0")
        if self.beta < 0:
            raise bad("beta", self.beta, ">= 0")
        if self.distance_function not in DISTANCE_FUNCTIONS:
            raise bad("distance_function", self.distance_function, "power or exponential")
        ext = np.atleast_1d(np.asarray(self.external_distance, dtype=float))
        if ext.size != 1 and n_zones is not None and ext.size != n_zones:
            raise bad("external_distance", ext.shape, f"one value or {n_zones} values")
        if not np.all(np.isfinite(ext)) or np.any(ext < 0) or (
            self.distance_function == "power" and np.any(ext <= 0)
        ):
            raise bad("external_distance", self.external_distance,
                      "> 0 (power function) or >= 0 (exponential)")
        return self


@dataclass(frozen=True)
class LabourState:
    """What the labour-market model carries from one year to the next: INTPEND (K,)."""

    intpend: np.ndarray

    @classmethod
    def initial(cls, n_zones: int, intpend=None) -> LabourState:
        """Start state; INTPEND defaults to 0 (net commuting before the projection is not
        modelled; a non-zero start should sum to 0 over zones)."""
        v = np.zeros(n_zones) if intpend is None else np.asarray(intpend, dtype=float).copy()
        return cls(intpend=v)


@dataclass(frozen=True)
class LabourMarketResult:
    """One year of the labour-market model (handbook §3.14). Zone K (0-based) is external.

    Flows are in workers (persons in jobs); ``iaflyt_*`` are in persons.
    """

    #: TOV_k after the adjustment of §3.14.1.1.1, shape (K,).
    tov: np.ndarray
    #: Supply TIL and demand ETT incl. the external zone, shape (K+1,) each.
    til: np.ndarray
    ett: np.ndarray
    #: TT_ij workers living in i taking jobs in j, shape (K+1, K+1).
    flows: np.ndarray
    #: AFLAND_ij moving share, shape (K+1, K+1).
    afland: np.ndarray
    #: TT·AFLAND and TT·PENAND off the diagonal (the diagonal is local work), (K+1, K+1).
    moving: np.ndarray
    commuting: np.ndarray
    #: INTPEND_i net internal in-commuting (stock), shape (K,).
    intpend: np.ndarray
    #: IYAFLYT_i internal net labour migration (workers), shape (K,); sums to 0.
    iyaflyt: np.ndarray
    #: NTPEND_k net external in-commuting this year, shape (K,).
    ntpend: np.ndarray
    #: YNTFL_k net external labour migration (workers), shape (K,).
    yntfl: np.ndarray
    #: State for the next year.
    state: LabourState
    #: IAFLYT in persons (K, 2, A1): gross in, gross out, net = in − out (None without profile).
    iaflyt_in: np.ndarray | None = field(default=None)
    iaflyt_out: np.ndarray | None = field(default=None)

    @property
    def iaflyt(self) -> np.ndarray | None:
        """Net internal labour migration in persons IAFLYT (K, 2, A1); Σ_k = 0 per sex × age."""
        if self.iaflyt_in is None or self.iaflyt_out is None:
            return None
        return self.iaflyt_in - self.iaflyt_out

    @property
    def yntfl_region(self) -> float:
        """The region's net external labour migration (workers)."""
        return float(self.yntfl.sum())

    @property
    def external_supply(self) -> float:
        """Workers drawn from outside the region (job surplus), TIL_{K+1}."""
        return float(self.til[-1])

    @property
    def external_demand(self) -> float:
        """Workers placed in jobs outside the region (job deficit), ETT_{K+1}."""
        return float(self.ett[-1])


# ------------------------------------------------------------------------------ pieces
def adjusted_turnover(tov: float, jobs_prev, jobs, yrk_prev, yrk) -> np.ndarray:
    r"""Zone turnover after the check of handbook §3.14.1.1.1 (reconstructed right-hand side).

    .. math::

        TOV_k = \max\Big(TOV,\; \frac{ARB_k^{t-1} - ARB_k}{ARB_k^{t-1}},\;
                         \frac{YRK_k^{t-1} - YRK_k}{YRK_k^{t-1}}\Big)

    i.e. where jobs or workers fall faster than TOV the turnover becomes that fall rate (spec §8
    words this as "reduced"; the handbook's condition ``ARB_k < ARB_k^{t−1}(1−TOV)`` makes the
    replacement larger than TOV). A zone with no jobs (workers) last year has fall rate 0.
    """

    def fall(prev, now):
        prev = np.asarray(prev, dtype=float)
        now = np.asarray(now, dtype=float)
        return np.where(prev > 0, (prev - now) / np.where(prev > 0, prev, 1.0), 0.0)

    return np.maximum(np.maximum(float(tov), fall(jobs_prev, jobs)), fall(yrk_prev, yrk))


def moving_share(d, afalfa: float, afbeta: float, afdelta: float) -> np.ndarray:
    r"""S-curve moving share AFLAND (handbook §3.14.1.1.6, spec §8 — printed formula).

    .. math::

        AFLAND_{ij} = \begin{cases}
            AFALFA\; e^{-AFBETA\,(AFDELTA - d_{ij})} & d_{ij} \le AFDELTA \\
            AFALFA\,\big(2 - e^{-AFBETA\,(d_{ij} - AFDELTA)}\big) & d_{ij} > AFDELTA
        \end{cases}

    The commuting share is PENAND = 1 − AFLAND. The curve is continuous with a continuous slope
    (AFALFA·AFBETA) at AFDELTA, rises from AFALFA·e^{−AFBETA·AFDELTA} at d = 0 towards
    2·AFALFA at long distance, hence the requirement 2·AFALFA ≤ 1.
    """
    if not (afalfa >= 0 and 2 * afalfa <= 1):
        raise InputError("S-curve level AFALFA must satisfy 0 ≤ AFALFA and 2·AFALFA ≤ 1",
                         location=Location(table="labour market parameters", column="AFALFA"),
                         found=afalfa, expected="0 ≤ AFALFA ≤ 0.5")
    x = np.asarray(d, dtype=float) - afdelta
    e = np.exp(-afbeta * np.abs(x))  # one exponential serves both branches
    return afalfa * np.where(x <= 0, e, 2.0 - e)


def _extended_distances(distances: np.ndarray, external) -> np.ndarray:
    K = distances.shape[0]
    ext = np.broadcast_to(np.asarray(external, dtype=float).reshape(-1), (K,)) if np.size(
        external) in (1, K) else None
    if ext is None:
        raise InputError("external distance must be one value or one per zone",
                         location=Location(table="labour market parameters", column="EXTERNAL_DISTANCE"),
                         found=np.shape(external), expected=f"1 or {K} values")
    out = np.empty((K + 1, K + 1))
    out[:K, :K] = distances
    out[:K, K] = ext
    out[K, :K] = ext
    out[K, K] = float(ext.mean())  # never used: the external zone has supply or demand, not both
    return out


def labour_geometry(distances, params: LabourMarketParams) -> tuple[np.ndarray, np.ndarray]:
    """Deterrence AF and moving shares AFLAND over the K zones and the external zone K+1.

    Both depend only on the distances and the parameters, so a projection computes them once
    and passes them to :func:`labour_market_step` every year.

    Returns
    -------
    af, afland : numpy.ndarray, shape (K+1, K+1)
    """
    D = np.asarray(distances, dtype=float)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise InputError("distance matrix must be square (one row and one column per zone)",
                         location=Location(table="distances"), found=D.shape, expected="(K, K)")
    params.validate(D.shape[0])
    dist_x = _extended_distances(D, params.external_distance)
    af = deterrence(dist_x, params.distance_function, params.beta)
    return af, moving_share(dist_x, params.afalfa, params.afbeta, params.afdelta)


def labour_migration_persons(moving, arbfam: float, profile) -> tuple[np.ndarray, np.ndarray]:
    r"""Internal labour migrants in persons, IAFLYT (handbook §3.14.1.1.6, reconstruction).

    The handbook prints ``IAFLYT_{k,s,a} = IYAFLYT_k · EBFAMIN_k · EBRATIN_{k,s,a}`` (net times
    family size times the zone's in-migration profile). Applied to a net figure with
    zone-specific profiles that would not sum to zero over zones for each sex × age. We apply the
    same idea to the gross moves: workers moving from i to j bring ARBFAM persons distributed by
    the destination's profile ``p_j[s,a]`` (normalised to 1 over sex × age)::

        IN_j[s,a]  = ARBFAM · Σ_{i≠j} M_ij · p_j[s,a]
        OUT_i[s,a] = ARBFAM · Σ_{j≠i} M_ij · p_j[s,a]

    so that Σ_{s,a}(IN_k − OUT_k) = ARBFAM · IYAFLYT_k and Σ_k IN = Σ_k OUT for every sex × age.

    Parameters
    ----------
    moving : array_like, shape (K, K) (or (K+1, K+1); the external row/column is ignored)
        Internal moves M_ij in workers.
    arbfam : float
        ARBFAM, persons per migrating worker.
    profile : array_like, shape (2, A1) or (K, 2, A1)
        Age/sex profile (e.g. ARBRAT or EBRATIN), normalised here per zone.

    Returns
    -------
    in_persons, out_persons : numpy.ndarray, shape (K, 2, A1)
    """
    M = np.asarray(moving, dtype=float)
    p = np.asarray(profile, dtype=float)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise InputError("moves must be a square zone × zone matrix",
                         location=Location(table="labour migration"), found=M.shape)
    if p.ndim == 3 and M.shape[0] == p.shape[0] + 1:  # drop the external zone
        M = M[:-1, :-1]
    M = M.copy()
    np.fill_diagonal(M, 0.0)
    if p.ndim == 2:
        p = np.broadcast_to(p, (M.shape[0],) + p.shape)
    if p.shape[0] != M.shape[0] or np.any(p < 0) or not np.all(np.isfinite(p)):
        raise InputError("labour migration profile must be >= 0, by sex × age (and zone)",
                         location=Location(table="labour migration profile"), found=p.shape)
    tot = p.sum(axis=(1, 2))
    zero = ~(tot > 0)
    if zero.any():
        k = int(np.flatnonzero(zero)[0])
        raise InputError(f"labour migration profile of zone {k} is zero at every age",
                         location=Location(table="labour migration profile", row=k))
    pn = p / tot[:, None, None]
    inflow = M.sum(axis=0)  # into j
    in_p = arbfam * inflow[:, None, None] * pn
    out_p = arbfam * np.tensordot(M, pn, axes=(1, 0))
    return in_p, out_p


def labour_market_step(yrk_prev, yrk, jobs_prev, jobs, distances, params: LabourMarketParams,
                       state: LabourState, *, kup=None, kip=None, profile=None, af=None,
                       afland=None, tol: float = 1e-10,
                       max_iter: int = 10_000) -> LabourMarketResult:
    """One year of the labour-market model (handbook §3.14; reconstruction in the module notes).

    Parameters
    ----------
    yrk_prev, yrk : array_like, shape (K,)
        Labour supply YRK last year and this year (:func:`labour_supply`).
    jobs_prev, jobs : array_like, shape (K,)
        Jobs ARBPL last year and this year (input).
    distances : array_like, shape (K, K)
        Distances between zones (the same matrix as the housing market's), diagonal = intra-zone
        distance (> 0 with the power function).
    params : LabourMarketParams
    state : LabourState
        INTPEND from last year (:meth:`LabourState.initial` in the first year).
    kup, kip : array_like, shape (K,), optional
        Core out- and in-commuting KUP_k, KIP_k (workers per year taken off supply and demand
        before the gravity model, handbook §3.14.1.1.2); default 0.
    profile : array_like, shape (2, A1) or (K, 2, A1), optional
        Age/sex profile of internal labour migrants; when given the result carries IAFLYT.
    af, afland : array_like, shape (K+1, K+1), optional
        Deterrence AF and moving shares AFLAND over the zones and the external zone, computed
        once per run with :func:`labour_geometry` (distances and parameters do not change
        between years); computed here when None.
    tol, max_iter :
        Passed to :func:`regbef_excel.engine.gravity.doubly_constrained`.

    Returns
    -------
    LabourMarketResult
    """
    D = np.asarray(distances, dtype=float)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise InputError("distance matrix must be square (one row and one column per zone)",
                         location=Location(table="distances"), found=D.shape, expected="(K, K)")
    K = D.shape[0]
    params.validate(K)
    vecs = {}
    for name, v in (("yrk_prev", yrk_prev), ("yrk", yrk), ("jobs_prev", jobs_prev), ("jobs", jobs),
                    ("kup", np.zeros(K) if kup is None else kup),
                    ("kip", np.zeros(K) if kip is None else kip)):
        a = np.asarray(v, dtype=float)
        if a.shape != (K,) or not np.all(np.isfinite(a)) or np.any(a < 0):
            raise InputError(f"{name} must have one value >= 0 per zone",
                             location=Location(table="labour market", column=name), found=a.shape,
                             expected=f"({K},), >= 0")
        vecs[name] = a
    tov = adjusted_turnover(params.tov, vecs["jobs_prev"], vecs["jobs"], vecs["yrk_prev"], vecs["yrk"])
    keep = 1.0 - params.kalmin
    til = np.maximum(keep * (vecs["yrk"] - (1.0 - tov) * vecs["yrk_prev"]) - vecs["kup"], 0.0)
    ett = np.maximum(keep * (vecs["jobs"] - (1.0 - tov) * vecs["jobs_prev"]) - vecs["kip"], 0.0)
    gap = ett.sum() - til.sum()
    til_x = np.append(til, max(gap, 0.0))   # job surplus: supply from outside
    ett_x = np.append(ett, max(-gap, 0.0))  # job deficit: demand outside
    if af is None or afland is None:
        af_new, afland_new = labour_geometry(D, params)
        af = af_new if af is None else af
        afland = afland_new if afland is None else afland
    for name, m in (("AF", af), ("AFLAND", afland)):
        if np.shape(m) != (K + 1, K + 1):
            raise InputError(f"{name} must cover the zones and the external zone",
                             location=Location(table="labour market"), found=np.shape(m),
                             expected=f"({K + 1}, {K + 1})")
    tt = doubly_constrained(til_x, ett_x, af, tol=tol, max_iter=max_iter)

    moving = tt * afland
    np.fill_diagonal(moving, 0.0)  # the diagonal is local work: neither moving nor commuting
    commuting = tt - moving
    np.fill_diagonal(commuting, 0.0)

    ci = commuting[:K, :K]
    intpend_prev = np.asarray(state.intpend, dtype=float)
    if intpend_prev.shape != (K,):
        raise InputError("INTPEND state has the wrong number of zones",
                         location=Location(table="labour market"), found=intpend_prev.shape)
    commute_net = ci.sum(axis=0) - ci.sum(axis=1)
    intpend = intpend_prev * (1.0 - params.tov) + commute_net
    mi = moving[:K, :K]
    iyaflyt = mi.sum(axis=0) - mi.sum(axis=1)
    ntpend = commuting[K, :K] - commuting[:K, K]
    yntfl = moving[K, :K] - moving[:K, K]
    in_p = out_p = None
    if profile is not None:
        in_p, out_p = labour_migration_persons(mi, params.arbfam, profile)
    return LabourMarketResult(
        tov=tov, til=til_x, ett=ett_x, flows=tt, afland=afland, moving=moving, commuting=commuting,
        intpend=intpend, iyaflyt=iyaflyt, ntpend=ntpend, yntfl=yntfl,
        state=LabourState(intpend=intpend), iaflyt_in=in_p, iaflyt_out=out_p,
    )


def external_inmigration(euf, yntfl, utfam: float, innfam: float) -> tuple[np.ndarray, np.ndarray]:
    r"""External in-migration in labour-market variants (handbook §3.15.1.1.2, variant 4).

    .. math::

        YUTFL_k = \frac{\sum_{s,a} EUF_{k,s,a}}{UTFAM},\quad YINNFL_k = YUTFL_k + YNTFL_k,\quad
        EIF_k = YINNFL_k \cdot INNFAM

    (The sum in YUTFL is reconstructed: the handbook's line shows EUF over UTFAM.) A negative
    EIF (net external labour out-migration larger than the out-migrants' workers) would need
    negative in-migration; it is set to 0 and the shortfall (persons) returned for the caller
    to report.

    Parameters
    ----------
    euf : array_like, shape (K,) or (K, 2, A1)
        External out-migration EUF (persons).
    yntfl : array_like, shape (K,)
        Net external labour migration (workers), :attr:`LabourMarketResult.yntfl`.

    Returns
    -------
    eif : numpy.ndarray, shape (K,)
    shortfall : numpy.ndarray, shape (K,)
    """
    e = np.asarray(euf, dtype=float)
    if e.ndim == 3:
        e = e.sum(axis=(1, 2))
    eif = (e / utfam + np.asarray(yntfl, dtype=float)) * innfam
    shortfall = np.where(eif < 0, -eif, 0.0)
    return np.maximum(eif, 0.0), shortfall
