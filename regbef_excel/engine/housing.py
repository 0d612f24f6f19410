r"""Housing: stock, need, the housing market and endogenous Hadwiger coefficients.

Implements handbook §2.5 (base-year stock), §3.4 (endogenous Hadwiger), §3.16 (stock, demolition,
need, building need), §3.17–3.21 (housing market, realised supply, internal migration) and spec
§3, §9–10. Many formulas of the handbook were images lost in text extraction; reconstructions are
marked *reconstruction* where they occur. Units: dwellings (= households) for stock, need, supply
and demand; persons for migration.

Order inside one projection year (spec §2, steps 9–10)::

    stock.demolish()                      BOLMAS_t (stock after this year's demolition)
    housing_need(BEF3, …)                 BOLBEH_t
    housing_market_step(…)                T, EBR, LBR, BOLBYGG, IIF1–3, IUF1–3
    stock.build(result.bolbygg)           stock at the end of year t

Stock accounting (handbook §3.16.1.1.1–2; the sum's upper limit t−1 is legible in the
handbook, the exponent is reconstructed as t−y)::

    BOLMAS_t = BOLMAS_0·(1−AVGE)^t + Σ_{y=1}^{t−1} BOLBYG_y·(1−AVGN)^(t−y)
    AVGANG_t = demolition during year t;  stock_end[t] = stock_end[t−1] − AVGANG_t + BOLBYG_t

i.e. this year's building is not demolished in the year it is built. Demolition shares may vary
by zone (ZONAVG, handbook §2.5.1.1) and by year (passed at each step).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np

from regbef_excel.engine.gravity import deterrence, doubly_constrained, hybrid
from regbef_excel.engine.inputs import N_AGES
from regbef_excel.engine.labour import DistanceFunction, expand_age_groups
from regbef_excel.errors import InputError, Location

#: Lowest ages of the housing age groups 16-19, 20-24, …, 75-79, 80+ (handbook §3.16.1.1.3).
HOUSING_AGE_LOWER: tuple[int, ...] = (16,) + tuple(range(20, 81, 5))
HOUSING_AGE_LABELS: tuple[str, ...] = tuple(
    f"{lo}-{hi - 1}" for lo, hi in zip(HOUSING_AGE_LOWER[:-1], HOUSING_AGE_LOWER[1:], strict=True)
) + ("80+",)
#: Civil-status groups (SSB family definition, handbook §3.16.1.1.3).
CIVIL_STATUS: tuple[str, ...] = (
    "single", "single with children under 20", "married", "married with children under 20",
)
#: Tolerance (dwellings) when stock tables by period / type / rooms must add up: rounding of
#: published counts.
STOCK_ATOL = 0.5

HousingMode = Literal["simple", "advanced"]
HOUSING_MODES: tuple[str, ...] = ("simple", "advanced")


def _err(message: str, table: str, row: int | None = None, column: str | None = None, found=None,
         expected=None) -> InputError:
    return InputError(message, location=Location(table=table, row=row, column=column), found=found,
                      expected=expected)


def _nonneg(x, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if shape is not None and a.shape != shape:
        raise _err(f"{name} has the wrong shape", name, found=a.shape, expected=str(shape))
    if a.size and 0.0 <= a.min() and a.max() < np.inf:  # fast path (NaN fails both tests)
        return a
    if not np.all(np.isfinite(a)):
        raise _err(f"{name} has missing or non-numeric values", name)
    if np.any(a < 0):
        idx = tuple(int(i) for i in np.argwhere(a < 0)[0])
        raise _err(f"{name} has a negative value at {idx}", name, row=idx[0] if idx else None,
                   found=float(a[idx]), expected=">= 0")
    return a


def _check_sum(parts: np.ndarray, total: np.ndarray, what: str, table: str) -> None:
    diff = np.abs(parts.sum(axis=1) - total)
    bad = diff > STOCK_ATOL + 1e-9 * np.abs(total)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise _err(f"dwellings by {what} do not sum to the total in zone {k}", table, row=k,
                   found=round(float(parts[k].sum()), 3), expected=f"{float(total[k]):g}")


# ================================================================================ stock
def base_stock_by_period(stock_1990, building_since_1990, demolition_by_period, base_year: int):
    r"""Base-year stock by construction period (handbook §2.5.1, partly reconstructed).

    .. math::

        BOLMAS_{k,p,0} = \begin{cases}
            XBOLMAS_{k,p,1990}\,(1 - XAVGANG_p)^{BAAR-1990} & p = 1..4 \\
            \sum_{y=1991}^{BAAR} XBOLBYG_{k,y}\,(1 - XAVGANG_5)^{BAAR-y} & p = 5
        \end{cases}

    The exponent of the last line is printed as BAAR−1990 in the extracted text; a dwelling
    built in year y has been exposed to demolition for BAAR − y years, which we use
    (reconstruction).

    Parameters
    ----------
    stock_1990 : array_like, shape (K, P−1)
        Stock in 1990 by the construction periods up to 1990 (four in the handbook).
    building_since_1990 : array_like, shape (K, BAAR−1990)
        Dwellings completed in each year 1991..BAAR.
    demolition_by_period : array_like, shape (P,)
        Yearly demolition share XAVGANG_p of each period, the last for dwellings built since 1990.
    base_year : int
        BAAR.

    Returns
    -------
    numpy.ndarray, shape (K, P)
    """
    s90 = _nonneg(stock_1990, "stock_1990")
    if s90.ndim != 2:
        raise _err("stock_1990 must be zones × periods", "stock_1990", found=s90.shape)
    K, P1 = s90.shape
    n_years = base_year - 1990
    bld = _nonneg(building_since_1990, "building_since_1990", (K, n_years))
    avg = _nonneg(demolition_by_period, "demolition_by_period", (P1 + 1,))
    if np.any(avg >= 1):
        raise _err("demolition shares must be below 1", "demolition_by_period")
    out = np.empty((K, P1 + 1))
    out[:, :P1] = s90 * (1.0 - avg[:P1]) ** n_years
    years = np.arange(1991, base_year + 1)
    out[:, P1] = bld @ (1.0 - avg[P1]) ** (base_year - years)
    return out


def zone_demolition_share(stock_by_period, demolition_by_period) -> np.ndarray:
    r"""Zone demolition share ZONAVG_k in the base year (handbook §2.5.1.1, reconstruction).

    The stock-weighted mean of the period shares:
    :math:`ZONAVG_k = \sum_p BOLMAS_{k,p,0}\,XAVGANG_p / \sum_p BOLMAS_{k,p,0}` (the handbook's
    formula is lost; this gives the same demolition in the base year as the period shares). A
    zone without stock gets the unweighted mean.
    """
    s = _nonneg(stock_by_period, "stock_by_period")
    avg = _nonneg(demolition_by_period, "demolition_by_period", (s.shape[1],))
    tot = s.sum(axis=1)
    return np.where(tot > 0, (s @ avg) / np.where(tot > 0, tot, 1.0), avg.mean())


@dataclass(frozen=True)
class StockYear:
    """Stock accounting of one year, shape (K,) each: ``stock = previous − demolition + building``.

    ``available`` is BOLMAS_t of handbook §3.16.1.1.1: the stock after this year's demolition,
    before this year's building (what the housing market compares with the need).
    """

    previous: np.ndarray
    demolition: np.ndarray
    available: np.ndarray
    building: np.ndarray
    stock: np.ndarray


class HousingStock:
    """Housing stock per zone by construction period, house type and rooms (handbook §2.5, §3.16).

    Holds the stock built before the projection by construction period (K, P) and the stock
    built during the projection (K,); optionally the same split by house type (K, H) and by
    number of rooms (K, R), each kept separately for old and new dwellings so that demolition
    with AVGE and AVGN changes the mix correctly (within old or new stock, demolition is
    proportional across types and rooms). The object is updated in place by :meth:`demolish` and
    :meth:`build` (or :meth:`step`, which does both); :meth:`copy` for scenarios.

    Parameters
    ----------
    by_period : array_like, shape (K, P)
        Base-year stock by construction period (e.g. :func:`base_stock_by_period`).
    total : array_like, shape (K,), optional
        Base-year total per zone; when given, ``by_period`` must sum to it (±STOCK_ATOL).
    by_type, by_rooms : array_like, shape (K, H) / (K, R), optional
        Base-year stock by house type / number of rooms (BOLMH, BOLMR); must sum to the total.
    rooms_per_class : array_like, shape (R,), optional
        Rooms represented by each rooms class (default 1, 2, …, R; give e.g. 6.5 for "6+").
    avge : float or array_like (K,) or (K, P)
        Default yearly demolition share of dwellings built before the projection (AVGE / ZONAVG).
    avgn : float or array_like (K,)
        Default yearly demolition share of dwellings built in the projection (AVGN).
    """

    def __init__(self, by_period, *, total=None, by_type=None, by_rooms=None,
                 rooms_per_class=None, avge=0.0, avgn=0.0) -> None:
        old = _nonneg(by_period, "dwellings by construction period")
        if old.ndim != 2:
            raise _err("dwellings by construction period must be zones × periods",
                       "dwellings by construction period", found=old.shape)
        K = old.shape[0]
        tot = old.sum(axis=1)
        if total is not None:
            t = _nonneg(total, "dwellings total", (K,))
            _check_sum(old, t, "construction period", "dwellings by construction period")
        self.old = old.copy()
        self.new = np.zeros(K)
        self.old_type = self.new_type = self.old_rooms = self.new_rooms = None
        self.base_type_share = self.base_room_share = None
        if by_type is not None:
            bt = _nonneg(by_type, "dwellings by house type")
            if bt.ndim != 2 or bt.shape[0] != K:
                raise _err("dwellings by house type must be zones × types", "dwellings by house type",
                           found=bt.shape)
            _check_sum(bt, tot, "house type", "dwellings by house type")
            self.old_type = bt * _ratio(tot, bt.sum(axis=1))[:, None]
            self.new_type = np.zeros_like(bt)
            self.base_type_share = _shares(bt)
        if by_rooms is not None:
            br = _nonneg(by_rooms, "dwellings by rooms")
            if br.ndim != 2 or br.shape[0] != K:
                raise _err("dwellings by rooms must be zones × room classes", "dwellings by rooms",
                           found=br.shape)
            _check_sum(br, tot, "number of rooms", "dwellings by rooms")
            self.old_rooms = br * _ratio(tot, br.sum(axis=1))[:, None]
            self.new_rooms = np.zeros_like(br)
            self.base_room_share = _shares(br)
            R = br.shape[1]
            rp = np.arange(1, R + 1, dtype=float) if rooms_per_class is None else _nonneg(
                rooms_per_class, "rooms per class", (R,))
            self.rooms_per_class = rp
        self.avge = self._rate(avge, "AVGE", allow_period=True)
        self.avgn = self._rate(avgn, "AVGN", allow_period=False)

    # ---------------------------------------------------------------- helpers
    @property
    def n_zones(self) -> int:
        return self.old.shape[0]

    def _rate(self, r, name: str, allow_period: bool) -> np.ndarray:
        a = _nonneg(r, f"demolition share {name}")
        K, P = self.old.shape
        ok = a.shape in ((), (K,)) or (allow_period and a.shape == (K, P))
        if not ok:
            raise _err(f"demolition share {name} must be one value, one per zone"
                       + (" or zones × periods" if allow_period else ""), f"demolition {name}",
                       found=a.shape)
        if np.any(a >= 1):
            raise _err(f"demolition share {name} must be below 1", f"demolition {name}",
                       found=float(a.max()), expected="< 1")
        return a

    @property
    def total(self) -> np.ndarray:
        """Stock per zone (K,)."""
        return self.old.sum(axis=1) + self.new

    @property
    def by_type(self) -> np.ndarray | None:
        """Stock by house type (K, H), or None if types are not tracked."""
        return None if self.old_type is None else self.old_type + self.new_type

    @property
    def by_rooms(self) -> np.ndarray | None:
        """Stock by number of rooms (K, R), or None if rooms are not tracked."""
        return None if self.old_rooms is None else self.old_rooms + self.new_rooms

    def mean_rooms(self) -> np.ndarray:
        """DWZ: mean number of rooms per dwelling (K,) (handbook §2.2.1, §3.4)."""
        r = self.by_rooms
        if r is None:
            raise _err("mean rooms (DWZ) needs the stock by number of rooms", "dwellings by rooms")
        return (r @ self.rooms_per_class) / _nz(r.sum(axis=1))

    def copy(self) -> HousingStock:
        out = object.__new__(HousingStock)
        for k, v in self.__dict__.items():
            out.__dict__[k] = v.copy() if isinstance(v, np.ndarray) else v
        return out

    # ---------------------------------------------------------------- accounting
    def demolish(self, avge=None, avgn=None) -> tuple[np.ndarray, np.ndarray]:
        """Apply one year's demolition in place (handbook §3.16.1.1.1–2).

        ``old ← old·(1−AVGE)``, ``new ← new·(1−AVGN)``; mixes by type and rooms follow
        proportionally within old and within new stock.

        Returns
        -------
        available : (K,) stock after demolition (BOLMAS_t)
        demolition : (K,) AVGANG_t
        """
        ae = self.avge if avge is None else self._rate(avge, "AVGE", allow_period=True)
        an = self.avgn if avgn is None else self._rate(avgn, "AVGN", allow_period=False)
        K, P = self.old.shape
        ae2 = np.broadcast_to(ae if ae.ndim == 2 else np.reshape(ae, (-1, 1)), (K, P))
        an1 = np.broadcast_to(an, (K,))
        before_old = self.old.sum(axis=1)
        before_new = self.new.copy()
        self.old = self.old * (1.0 - ae2)
        self.new = self.new * (1.0 - an1)
        f_old = _ratio(self.old.sum(axis=1), before_old)
        f_new = 1.0 - an1
        if self.old_type is not None:
            self.old_type = self.old_type * f_old[:, None]
            self.new_type = self.new_type * f_new[:, None]
        if self.old_rooms is not None:
            self.old_rooms = self.old_rooms * f_old[:, None]
            self.new_rooms = self.new_rooms * f_new[:, None]
        demolition = (before_old - self.old.sum(axis=1)) + (before_new - self.new)
        return self.total, demolition

    def build(self, building, type_shares=None, room_shares=None) -> np.ndarray:
        """Add this year's (realised) building in place; returns the new total stock (K,).

        ``type_shares`` (K, H) or (H,) split the building by house type (BANDEL / BOLTYP);
        ``room_shares`` (K, R) or (R,) by rooms. Default: each zone's base-year mix.
        """
        K = self.n_zones
        b = _nonneg(building, "building", (K,))
        self.new = self.new + b
        if self.new_type is not None:
            sh = self.base_type_share if type_shares is None else _shares_input(
                type_shares, (K, self.new_type.shape[1]), "building by house type (shares)")
            self.new_type = self.new_type + b[:, None] * sh
        if self.new_rooms is not None:
            sh = self.base_room_share if room_shares is None else _shares_input(
                room_shares, (K, self.new_rooms.shape[1]), "building by rooms (shares)")
            self.new_rooms = self.new_rooms + b[:, None] * sh
        return self.total

    def step(self, building, *, avge=None, avgn=None, type_shares=None, room_shares=None) -> StockYear:
        """One year: demolition, then building. ``stock = previous − demolition + building``."""
        prev = self.total
        available, demolition = self.demolish(avge, avgn)
        b = _nonneg(building, "building", (self.n_zones,))
        stock = self.build(b, type_shares, room_shares)
        return StockYear(previous=prev, demolition=demolition, available=available, building=b,
                         stock=stock)


def _nz(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, 1.0)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.where(den > 0, num / _nz(den), 0.0)


def _shares(x: np.ndarray) -> np.ndarray:
    """Row shares; a zero row gets equal shares."""
    tot = x.sum(axis=1, keepdims=True)
    return np.where(tot > 0, x / np.where(tot > 0, tot, 1.0), 1.0 / x.shape[1])


def _shares_input(x, shape: tuple[int, int], name: str) -> np.ndarray:
    a = _nonneg(x, name)
    a = np.broadcast_to(a, shape) if a.ndim == 1 and a.shape == shape[1:] else a
    if a.shape != shape:
        raise _err(f"{name} has the wrong shape", name, found=a.shape, expected=str(shape))
    return _shares(np.asarray(a))


# ================================================================================ need
def need_rates(sivrat, bolrat, age_lower=HOUSING_AGE_LOWER, n_ages: int = N_AGES) -> np.ndarray:
    r"""Housing need per person by sex × single age (handbook §3.16.1.1.3).

    .. math:: r_{s,a} = \sum_c SIVRAT_{s,g(a),c}\; BOLRAT_{s,g(a),c}

    zero below the first housing age group (16).

    Parameters
    ----------
    sivrat : array_like, shape (2, G, C)
        Civil-status shares by sex × age group (16-19, …, 75-79, 80+) × status (4 groups); the
        shares of an age group may sum to less than 1 (16–19-year-olds living with their parents
        are children, not in a group) but not to more than 1.
    bolrat : array_like, shape (2, G, C)
        Dwellings needed per person of the group (need rates).
    """
    siv = _nonneg(sivrat, "civil-status shares (SIVRAT)")
    bol = _nonneg(bolrat, "housing need rates (BOLRAT)")
    G = len(age_lower)
    if siv.ndim != 3 or siv.shape[:2] != (2, G):
        raise _err("civil-status shares must be sex × age group × civil status",
                   "civil-status shares (SIVRAT)", found=siv.shape, expected=f"(2, {G}, C)")
    if bol.shape != siv.shape:
        raise _err("housing need rates must have the shape of the civil-status shares",
                   "housing need rates (BOLRAT)", found=bol.shape, expected=str(siv.shape))
    over = siv.sum(axis=2) > 1 + 1e-6
    if over.any():
        s, g = (int(i) for i in np.argwhere(over)[0])
        raise _err(f"civil-status shares of sex {s}, age group {g} sum to more than 1",
                   "civil-status shares (SIVRAT)", row=g, found=round(float(siv[s, g].sum()), 6),
                   expected="<= 1")
    return expand_age_groups((siv * bol).sum(axis=2), age_lower, n_ages)


def housing_need(pop, sivrat, bolrat, br=1.0, *, age_lower=HOUSING_AGE_LOWER) -> np.ndarray:
    r"""Housing need BOLBEH per zone (handbook §3.16.1.1.3; formula lost, spec §9 form).

    .. math:: BOLBEH_k = \sum_{s,g,c} BEF_{k,s,g}\; SIVRAT_{s,g,c}\; BOLRAT_{s,g,c}\; BR

    Parameters
    ----------
    pop : array_like, shape (K, 2, A1)
    sivrat, bolrat : array_like, shape (2, G, C)
        See :func:`need_rates`.
    br : float or array_like (K,)
        Level factor: BR_t (region, by year) times the base-year calibration from
        :func:`housing_need_level`.

    Returns
    -------
    numpy.ndarray, shape (K,) dwellings
    """
    bef = np.asarray(pop, dtype=float)
    rate = need_rates(sivrat, bolrat, age_lower, bef.shape[-1])
    return np.einsum("ksa,sa->k", bef, rate) * np.asarray(br, dtype=float)


def housing_need_level(pop, sivrat, bolrat, stock, *, per_zone: bool = True,
                       age_lower=HOUSING_AGE_LOWER):
    """Base-year level factor that makes need = stock (coverage 100 %, handbook §3.17).

    The handbook: "Ved prosjektgenerering er boligmarkedet i basisåret brakt i balanse
    (boligdekning=100%) for alle kommunene ved at det blir beregnet (endogent) en nivåfaktor som
    opp- eller nedjusterer hele frekvenssettet for boligbehov." Balance in *every* municipality
    needs one factor per zone (``per_zone=True``, default): ``BR_k = BOLMAS_k,0 / BOLBEH_k,0``.
    ``per_zone=False`` gives one regional factor (coverage 100 % for the region only).

    Raises
    ------
    InputError
        A zone with stock but no computed need (no population aged 16+), so no factor exists.
    """
    need = housing_need(pop, sivrat, bolrat, 1.0, age_lower=age_lower)
    st = _nonneg(stock, "dwellings total", need.shape)
    if not per_zone:
        if need.sum() <= 0:
            raise _err("housing need is zero in the base year; no level factor can be computed",
                       "housing need rates (BOLRAT)")
        return float(st.sum() / need.sum())
    bad = (need <= 0) & (st > 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise _err(f"zone {k} has dwellings but zero housing need in the base year; no level "
                   "factor can bring coverage to 100 %", "housing need rates (BOLRAT)", row=k)
    return np.where(need > 0, st / _nz(need), 1.0)


def building_need(bolbeh, bolmas) -> np.ndarray:
    """Building need BOLBB = max(BOLBEH − BOLMAS, 0) (handbook §3.16.1.1.4, variants 1 and 2)."""
    return np.maximum(np.asarray(bolbeh, dtype=float) - np.asarray(bolmas, dtype=float), 0.0)


# ================================================================================ market
@dataclass(frozen=True)
class HousingMarketParams:
    """Parameters of the housing-market model (handbook §3.17).

    A1–A3 defaults are the handbook's. BOLEKS, BOLLED and the distance parameter have no
    published default: the values here are **assumptions** to review.
    """

    #: BOLEKS: share of the need of internal movers that enters supply and demand (assumption 1.0).
    boleks: float = 1.0
    #: BOLLED: share of vacant dwellings (surplus over need) offered in the market (assumption 0.5).
    bolled: float = 0.5
    #: Attractiveness weights on supply, demand and job growth (handbook defaults).
    a1: float = 1.00
    a2: float = 0.05
    a3: float = 0.00
    distance_function: DistanceFunction = "power"
    #: Distance parameter (assumption 2.0 for power, the classical gravity exponent).
    beta: float = 2.0
    #: "simple" (default, handbook "forenklet og sikrere bruk") or "advanced" (allocation).
    mode: HousingMode = "simple"

    def validate(self) -> HousingMarketParams:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, float | int) and not (np.isfinite(v) and v >= 0):
                raise _err(f"housing-market parameter {f.name.upper()} must be a number >= 0",
                           "housing market parameters", column=f.name.upper(), found=v,
                           expected=">= 0")
        for name in ("boleks", "bolled"):
            if getattr(self, name) > 1:
                raise _err(f"housing-market parameter {name.upper()} is a share", "housing market "
                           "parameters", column=name.upper(), found=getattr(self, name),
                           expected="0..1")
        if self.mode not in HOUSING_MODES:
            raise _err("unknown housing-market mode", "housing market parameters", column="MODE",
                       found=self.mode, expected="simple or advanced")
        if self.distance_function not in ("power", "exponential"):
            raise _err("unknown distance function", "housing market parameters",
                       column="DISTANCE_FUNCTION", found=self.distance_function,
                       expected="power or exponential")
        return self


@dataclass(frozen=True)
class HousingMarketResult:
    """One year of the housing market (handbook §3.17–3.21).

    Zone vectors have shape (K,) (dwellings), migration arrays (K, 2, A1) (persons). ``moves``
    is T[i, j]: households from residence (demand) zone i to supply zone j, including the
    diagonal (moves within a zone). ``migration`` is the internal migration matrix in persons
    from → to with a zero diagonal.
    """

    bolut: np.ndarray
    bolin: np.ndarray
    bolkap: np.ndarray
    bolover: np.ndarray
    bolunder: np.ndarray
    til: np.ndarray
    ett: np.ndarray
    att: np.ndarray
    constrained: np.ndarray
    moves: np.ndarray
    ebr: np.ndarray
    lbr: np.ndarray
    bolbygg: np.ndarray
    iif1: np.ndarray
    iif2: np.ndarray
    iif3: np.ndarray
    iuf1: np.ndarray
    iuf2: np.ndarray
    iuf3: np.ndarray
    migration: np.ndarray
    warnings: tuple[str, ...] = field(default=())

    @property
    def iif(self) -> np.ndarray:
        """IIF = IIF1 + IIF2 + IIF3 (K, 2, A1)."""
        return self.iif1 + self.iif2 + self.iif3

    @property
    def iuf(self) -> np.ndarray:
        """IUF = IUF1 + IUF2 + IUF3 (K, 2, A1)."""
        return self.iuf1 + self.iuf2 + self.iuf3

    @property
    def inf(self) -> np.ndarray:
        """Net internal migration INF = IIF − IUF (K, 2, A1) (handbook §3.21)."""
        return self.iif - self.iuf


def _profile(x, K: int, name: str) -> np.ndarray:
    """(2, A1) or (K, 2, A1) profile normalised to 1 over sex × age per zone."""
    p = _nonneg(x, name)
    if p.ndim == 2:
        p = np.broadcast_to(p, (K,) + p.shape)
    if p.ndim != 3 or p.shape[0] != K:
        raise _err(f"{name} must be by sex × age (or zone × sex × age)", name, found=p.shape)
    tot = p.sum(axis=(1, 2))
    if np.any(tot <= 0):
        k = int(np.flatnonzero(tot <= 0)[0])
        raise _err(f"{name} is zero at every age in zone {k}", name, row=k)
    return p / tot[:, None, None]


def housing_market_step(*, bolmas, bolbeh, riuf, riif, need_rate, building_capacity, distances,
                        params: HousingMarketParams, ebfamin, ebratin, bffam, bfrat, br=1.0,
                        jobs_prev=None, jobs=None, bf=None, tol: float = 1e-10,
                        max_iter: int = 10_000) -> HousingMarketResult:
    r"""One year of the housing-market model (handbook §3.17–3.21; spec §10).

    **Inputs to the gravity model** (§3.17.1.1.1–4, printed)::

        BOLUT_k   = Σ_{s,a} RIUF·SIVRAT·BOLRAT·BR        need of internal out-movers
        BOLIN_k   = Σ_{s,a} RIIF·SIVRAT·BOLRAT·BR        need of internal in-movers
        BOLKAP_k  = Σ_b BOLBR[k,b]                       building capacity / programme
        BOLOVER_k = max(0, BOLMAS − BOLBEH),  BOLUNDER_k = max(0, BOLBEH − BOLMAS)
        TIL_k     = BOLOVER·BOLLED + BOLIN·BOLEKS + BOLKAP           supply
        ETT_k     = BOLUNDER + BOLUT·BOLEKS                          demand
        ATT_k     = A1·TIL + A2·ETT + A3·max(ARBPL_t − ARBPL_{t−1}, 0)  attractiveness

    (The extracted BOLOVER/BOLUNDER compare BOLMAS with "BOLBH"; the prose and spec §10 say the
    need BOLBEH, which we use. ATT follows the formula, not the prose — spec §10. A zone with no
    supply gets ATT = 0: nothing can move into it.)

    **Orientation** (decision). The text says the module "allocates housing demand from
    residence municipalities to supply municipalities", and §3.18–3.20 sum T over i for the
    supply zone j and attribute out-movers to origins i in proportion to T_ij. So T[i, j] is
    households from residence zone i (origins, totals ETT_i) to supply zone j (destinations,
    totals TIL_j, attractiveness ATT_j). The printed model ``a_i b_j TIL_i ETT_j BF_ij`` is read
    with its labels transposed (subscripts were garbled in extraction).

    **Simple and safer use** (``mode="simple"``, default; handbook "forenklet og sikrere bruk"):
    total demand ≥ total supply, the building programme is realised. Every supply zone is
    constrained to its supply TIL_j and each residence zone's demand is rationed in proportion,
    ``O_i = ETT_i · ΣTIL/ΣETT``; the model is then doubly constrained. With all distances 1 it is
    the handbook's "pure share model": ``T_ij = TIL_j · ETT_i / ΣETT``. If ΣETT < ΣTIL the
    assumption fails: supply is scaled down to demand in every zone (``D_j = TIL_j·ΣETT/ΣTIL``)
    and a warning says how much of the programme is realised.

    **Advanced use** (``mode="advanced"``, handbook "avansert bruk", reconstruction): supply ≥
    demand; all demand is met (rows = ETT) and attractiveness decides where. Starting with every
    supply zone unconstrained (singly constrained model on ATT), any zone allocated more than its
    supply is made constrained at its supply, and the hybrid model is solved again until no
    unconstrained zone is over-allocated (at most K rounds). If ΣTIL < ΣETT the simple rule is
    used with a warning.

    **Realised supply** (§3.18)::

        EBR_j = min(BOLIN_j·BOLEKS, Σ_i T_ij)
        LBR_j = min(BOLOVER_j·BOLLED, Σ_i T_ij − EBR_j)
        BOLBYGG_j = Σ_i T_ij − EBR_j − LBR_j

    (the handbook has EBR_j = BOLIN_j·BOLEKS; the min only matters in advanced mode or when the
    programme is scaled down, where a zone may be allocated less than its freed dwellings.)

    **Internal migration** (§3.19–3.20)::

        IIF1_j = EBR_j·EBFAMIN_j·EBRATIN_j[s,a]                 into dwellings freed by out-movers
        IIF2_j = LBR_j·EBFAMIN_j·EBRATIN_j[s,a]                 into dwellings freed by demography
        IIF3_j = Σ_b BOLBYGG_j·BANDEL_j,b·BFFAM_b·BFRAT_b[s,a]   into new dwellings
        IUFx_i = Σ_j (T_ij / Σ_i' T_i'j) · IIFx_j

    The profiles are normalised to 1 over sex × age. Moves within a zone (the diagonal of T)
    change dwelling but not zone; they are removed from both IIF and IUF (which are migration
    between zones, handbook §1.2.4), so IIF_j = (1 − T_jj/Σ_i T_ij)·IIF_j^gross. By construction
    Σ_k IIF = Σ_k IUF for every sex × age, before the consistency adjustment of §3.22 (whose
    factor is then 1).

    Parameters
    ----------
    bolmas : (K,)
        Stock after this year's demolition (:meth:`HousingStock.demolish`).
    bolbeh : (K,)
        Housing need (:func:`housing_need`) of the population after external migration.
    riuf, riif : (K, 2, A1)
        Internal out- and in-migrants by the trend rates (RIUF, RIIF), persons.
    need_rate : (2, A1)
        Need per person SIVRAT·BOLRAT by sex × age (:func:`need_rates`).
    building_capacity : (K, B)
        BOLBR: new dwellings offered by type b (the building programme); BANDEL_j,b is its mix.
    distances : (K, K)
        Distances incl. intra-zone distances on the diagonal (> 0 with the power function).
    params : HousingMarketParams
    ebfamin : (K,)
        Persons per household moving into existing dwellings (EBFAMIN).
    ebratin : (2, A1) or (K, 2, A1)
        Age/sex profile of movers into existing dwellings (EBRATIN).
    bffam : (B,)
        Persons per household moving into a new dwelling of type b (BFFAM).
    bfrat : (B, 2, A1)
        Age/sex profile of movers into new dwellings of type b (BFRAT).
    br : float or (K,)
        Need level factor (as in :func:`housing_need`).
    jobs_prev, jobs : (K,), optional
        ARBPL last year and this year for A3 (ignored when A3 = 0).
    bf : (K, K), optional
        The deterrence matrix BF computed once per run with
        :func:`regbef_excel.engine.gravity.deterrence` from ``distances`` and the parameters'
        distance function (distances do not change between years); computed when None.
    tol, max_iter :
        Passed to the gravity model.

    Returns
    -------
    HousingMarketResult
    """
    params.validate()
    Dm = np.asarray(distances, dtype=float)
    if Dm.ndim != 2 or Dm.shape[0] != Dm.shape[1]:
        raise _err("distance matrix must be square (one row and one column per zone)", "distances",
                   found=Dm.shape, expected="(K, K)")
    K = Dm.shape[0]
    bolmas = _nonneg(bolmas, "dwellings (BOLMAS)", (K,))
    bolbeh = _nonneg(bolbeh, "housing need (BOLBEH)", (K,))
    riuf = _nonneg(riuf, "internal out-migration (RIUF)")
    riif = _nonneg(riif, "internal in-migration (RIIF)", riuf.shape)
    if riuf.ndim != 3 or riuf.shape[0] != K:
        raise _err("internal migration must be zone × sex × age", "internal out-migration (RIUF)",
                   found=riuf.shape)
    rate = _nonneg(need_rate, "housing need per person", riuf.shape[1:])
    cap = _nonneg(building_capacity, "building capacity (BOLBR)")
    if cap.ndim == 1:
        cap = cap[:, None]
    if cap.ndim != 2 or cap.shape[0] != K:
        raise _err("building capacity must be zones × house types", "building capacity (BOLBR)",
                   found=cap.shape)
    B = cap.shape[1]
    famin = _nonneg(ebfamin, "family size EBFAMIN", (K,))
    bffam_v = _nonneg(bffam, "family size BFFAM", (B,))
    bfr = _nonneg(bfrat, "new-dwelling profiles (BFRAT)", (B,) + riuf.shape[1:])
    pin = _profile(ebratin, K, "in-migration profile (EBRATIN)")
    pnew = _profile(bfr, B, "new-dwelling profiles (BFRAT)")
    brv = np.broadcast_to(np.asarray(br, dtype=float), (K,))
    warnings: list[str] = []

    # inputs to the gravity model (§3.17.1.1.1–4)
    bolut = np.einsum("ksa,sa->k", riuf, rate) * brv
    bolin = np.einsum("ksa,sa->k", riif, rate) * brv
    bolkap = cap.sum(axis=1)
    bolover = np.maximum(bolmas - bolbeh, 0.0)
    bolunder = np.maximum(bolbeh - bolmas, 0.0)
    til = bolover * params.bolled + bolin * params.boleks + bolkap
    ett = bolunder + bolut * params.boleks
    growth = np.zeros(K)
    if params.a3 > 0:
        if jobs_prev is None or jobs is None:
            raise _err("attractiveness weight A3 > 0 needs jobs (ARBPL) for this and last year",
                       "housing market parameters", column="A3")
        growth = np.maximum(_nonneg(jobs, "jobs (ARBPL)", (K,)) - _nonneg(jobs_prev, "jobs (ARBPL)",
                                                                            (K,)), 0.0)
    att = np.where(til > 0, params.a1 * til + params.a2 * ett + params.a3 * growth, 0.0)
    if bf is None:
        bf = deterrence(Dm, params.distance_function, params.beta)
    elif np.shape(bf) != (K, K):
        raise _err("deterrence matrix BF must be zones × zones", "distances", found=np.shape(bf),
                   expected=f"({K}, {K})")

    # gravity (§3.17.1.1.6)
    s_til, s_ett = til.sum(), ett.sum()
    moves = np.zeros((K, K))
    constrained = til > 0
    if s_til > 0 and s_ett > 0:
        mode = params.mode
        if mode == "advanced" and s_til < s_ett:
            warnings.append(f"advanced housing market: demand {s_ett:.1f} exceeds supply "
                            f"{s_til:.1f}; the simple rule (programme realised) is used")
            mode = "simple"
        if mode == "simple":
            if s_ett >= s_til:
                moves = doubly_constrained(ett * (s_til / s_ett), til, bf, tol=tol, max_iter=max_iter)
            else:
                share = s_ett / s_til
                warnings.append(f"housing demand {s_ett:.1f} is below supply {s_til:.1f}: the "
                                f"simple use assumes demand ≥ supply; {100 * share:.1f} % of the "
                                "supply (and of the building programme) is realised in every zone")
                moves = doubly_constrained(ett, til * share, bf, tol=tol, max_iter=max_iter)
        else:
            constrained = np.zeros(K, dtype=bool)
            for _ in range(K + 1):
                moves = hybrid(ett, til, att, bf, constrained, tol=tol, max_iter=max_iter)
                over = ~constrained & (moves.sum(axis=0) > til * (1 + 1e-9) + 1e-12)
                if not over.any():
                    break
                constrained = constrained | over
    else:
        constrained = np.zeros(K, dtype=bool)
        if s_til > 0 or s_ett > 0:
            warnings.append("housing market: no supply or no demand this year; no housing moves")

    # realised supply (§3.18)
    col = moves.sum(axis=0)
    ebr = np.minimum(bolin * params.boleks, col)
    lbr = np.maximum(np.minimum(bolover * params.bolled, col - ebr), 0.0)
    bolbygg = np.maximum(col - ebr - lbr, 0.0)

    # internal migration (§3.19–3.20)
    bandel = _shares(cap)
    shape3 = riuf.shape[1:]
    share_off = moves / _nz(col)[None, :]
    keep = (1.0 - np.diag(share_off))[:, None, None]  # share of in-movers from other zones
    np.fill_diagonal(share_off, 0.0)
    w1, w2 = ebr * famin, lbr * famin
    if np.ndim(ebratin) == 2:  # one profile for every zone: out-movers are rank one
        p0 = pin[0]
        g1, g2 = w1[:, None, None] * p0, w2[:, None, None] * p0
        iuf1 = (share_off @ w1)[:, None, None] * p0
        iuf2 = (share_off @ w2)[:, None, None] * p0
    else:
        g1, g2 = w1[:, None, None] * pin, w2[:, None, None] * pin
        both = share_off @ np.concatenate([g1.reshape(K, -1), g2.reshape(K, -1)], axis=1)
        iuf1 = both[:, : both.shape[1] // 2].reshape((K,) + shape3)
        iuf2 = both[:, both.shape[1] // 2:].reshape((K,) + shape3)
    coef3 = bolbygg[:, None] * bandel * bffam_v[None, :]  # persons into new dwellings by type
    pflat = pnew.reshape(B, -1)
    g3 = (coef3 @ pflat).reshape((K,) + shape3)
    iuf3 = ((share_off @ coef3) @ pflat).reshape((K,) + shape3)
    persons_in = famin * (ebr + lbr) + coef3.sum(axis=1)
    migration = share_off * persons_in[None, :]
    return HousingMarketResult(
        bolut=bolut, bolin=bolin, bolkap=bolkap, bolover=bolover, bolunder=bolunder, til=til,
        ett=ett, att=att, constrained=constrained, moves=moves, ebr=ebr, lbr=lbr, bolbygg=bolbygg,
        iif1=g1 * keep, iif2=g2 * keep, iif3=g3 * keep, iuf1=iuf1, iuf2=iuf2, iuf3=iuf3,
        migration=migration,
        warnings=tuple(warnings),
    )


# ================================================================================ Hadwiger
@dataclass(frozen=True)
class HadwigerRegression:
    """Coefficients of the endogenous Hadwiger regressions (handbook §2.2.1, §3.4; spec §3).

    ::

        HDWA = a_const + a_dwz·DWZ + a_newh·NEWH + a_inc·INC           (per 1000 women)
        HDWB = b_const + b_inc·INC + b_dwz·DWZ + b_ma·MA
        HDWC = c_const + c_inc·INC + c_dwz·DWZ + c_ma·MA + c_newh·NEWH

    **Reconstructed**: the operators in front of the coefficients listed in :attr:`RECONSTRUCTED`
    were lost in extraction ("?"); we take them as minus (the only reading that gives plausible
    values: with "+" the mean age HDWC would exceed 33 for any positive INC). The defaults are
    editable inputs and the endogenous mode is off by default.
    """

    a_const: float = 44.4
    a_dwz: float = 297.9
    a_newh: float = 4.95
    a_inc: float = -3.34
    b_const: float = 1.05
    b_inc: float = 0.0392
    b_dwz: float = 0.395
    b_ma: float = -0.031
    c_const: float = 25.75
    c_inc: float = 0.095
    c_dwz: float = -0.465
    c_ma: float = -0.0293
    c_newh: float = -0.0154

    RECONSTRUCTED = ("a_inc", "b_ma", "c_dwz", "c_ma", "c_newh")


def hadwiger_coefficients(dwz, newh, inc, ma, coef: HadwigerRegression | None = None):
    """Endogenous Hadwiger coefficients (handbook §3.4; reconstructed signs, see
    :class:`HadwigerRegression`).

    Parameters
    ----------
    dwz : array_like
        Mean rooms per dwelling (:meth:`HousingStock.mean_rooms`).
    newh : array_like
        Index of stock change, 100 = stock three years earlier (:func:`housing_change_index`).
    inc : array_like
        Income indicator (exogenous input).
    ma : array_like
        Median age of women 15–44 (:func:`median_age`).

    Returns
    -------
    hdwa, hdwb, hdwc : numpy.ndarray
        HDWA per 1000 women (divide by 1000 for the TFR per woman used by
        :func:`regbef_excel.engine.fertility.hadwiger`), HDWB, HDWC.

    Raises
    ------
    InputError
        Non-finite inputs, or coefficients giving HDWA < 0, HDWB ≤ 0 or HDWC ≤ 0.
    """
    c = coef or HadwigerRegression()
    dwz, newh, inc, ma = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (dwz, newh, inc,
                                                                                       ma)))
    if not all(np.all(np.isfinite(x)) for x in (dwz, newh, inc, ma)):
        raise _err("DWZ, NEWH, INC and MA must be numbers", "endogenous Hadwiger")
    a = c.a_const + c.a_dwz * dwz + c.a_newh * newh + c.a_inc * inc
    b = c.b_const + c.b_inc * inc + c.b_dwz * dwz + c.b_ma * ma
    cc = c.c_const + c.c_inc * inc + c.c_dwz * dwz + c.c_ma * ma + c.c_newh * newh
    for name, v, ok in (("HDWA", a, a >= 0), ("HDWB", b, b > 0), ("HDWC", cc, cc > 0)):
        if not np.all(ok):
            idx = tuple(int(i) for i in np.argwhere(~ok)[0]) if np.ndim(ok) else ()
            raise _err(f"endogenous Hadwiger gives an impossible {name} at {idx}",
                       "endogenous Hadwiger", found=float(v[idx]), expected="> 0")
    return a, b, cc


def median_age(female_pop, lo: int = 15, hi: int = 44) -> np.ndarray:
    """Median age MA of women aged lo..hi (handbook §3.4: "Medianalder kvinner 15-44 år").

    Each single-year age a is spread evenly over [a, a+1) and the median is interpolated, i.e.
    the age m with half of the women in lo..hi younger than m (the handbook's defining condition
    was lost; this is the standard grouped-data median). NaN for a zone without such women.

    Parameters
    ----------
    female_pop : array_like, shape (A1,) or (K, A1)
    """
    p = np.asarray(female_pop, dtype=float)
    one = p.ndim == 1
    p = np.atleast_2d(p)[:, lo:hi + 1]
    cum = np.cumsum(p, axis=1)
    half = cum[:, -1] / 2.0
    idx = np.argmax(cum >= half[:, None], axis=1)
    below = np.where(idx > 0, np.take_along_axis(cum, np.maximum(idx - 1, 0)[:, None], 1)[:, 0], 0.0)
    here = np.take_along_axis(p, idx[:, None], 1)[:, 0]
    m = lo + idx + (half - below) / np.where(here > 0, here, 1.0)
    m = np.where(cum[:, -1] > 0, m, np.nan)
    return m[0] if one else m


def housing_change_index(stock_now, stock_three_years_before) -> np.ndarray:
    """NEWH = 100 · stock_t / stock_{t−3} (handbook §2.2.1, §3.4: "100 = Boligmassen 3 år
    tidligere")."""
    now = np.asarray(stock_now, dtype=float)
    before = np.asarray(stock_three_years_before, dtype=float)
    if np.any(before <= 0):
        raise _err("housing change index needs a positive stock three years earlier",
                   "endogenous Hadwiger")
    return 100.0 * now / before
