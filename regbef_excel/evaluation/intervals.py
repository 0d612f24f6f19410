"""Empirical prediction intervals from the model's own track record.

The interval method of Rayer, Smith & Tayman (2009) and of Keilman's ex-post error analysis:
past projections made with the same method are compared with what happened, and the
distribution of their errors, by how far ahead and by what predicts them, is the interval of
the next projection. Here:

* an **error** is the log ratio ``e = ln(observed / projected)`` of a measure (total population,
  ages 1–5, 6–15, 67+, 80+) of a municipality or a region, ``h`` years after the base year,
  from the back-tests of :mod:`regbef_excel.evaluation.calibrate`;
* a **stratum** is (kind, measure, size class, volatility class): kind is ``municipality`` or
  ``region`` (a county's total); the size class is the municipality's total population at the
  base year (:data:`SIZE_BREAKS`); the volatility class splits at the calibration's median the
  standard deviation of the municipality's yearly growth rates over the five years to the base
  year (``all`` = both classes pooled, used when the history is unknown);
* for each stratum and horizon with at least :data:`MIN_ERRORS` errors from at least
  :data:`MIN_BASE_YEARS` base years, the empirical quantiles ``Q_p(h)`` of the errors for p in
  :data:`PROBABILITIES` and the median; the spreads ``|Q_p(h) − Q_50(h)|`` are made
  non-decreasing in h by weighted isotonic regression (weights: number of errors);
* beyond the longest such horizon h_max the median stays at its h_max value (a bias measured
  over h_max years is not extrapolated further) and each spread grows as ``(h/h_max)^c``, c the
  mean slope of log-spread on log-h over the observed horizons, kept in [0.3, 1] (at most
  linear growth: Keilman found ex-post errors growing roughly linearly with the horizon).

The interval of a projected value P is ``[P·exp(Q_lo(h)), P·exp(Q_hi(h))]``: not symmetric
around P when the record shows a bias (ages 1–5, for instance, have been over-projected).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from regbef_excel.errors import InputError, Location

#: The measures that get intervals: name -> (first age, last age), both sexes.
MEASURES: dict[str, tuple[int, int]] = {
    "total": (0, 99),
    "1-5": (1, 5),
    "6-15": (6, 15),
    "67+": (67, 99),
    "80+": (80, 99),
}
MUNICIPALITY, REGION = "municipality", "region"
#: Upper bounds of the size classes (total population at the base year).
SIZE_BREAKS = (2_000, 5_000, 20_000)
SIZE_CLASSES = ("<2000", "2000-4999", "5000-19999", "20000+")
VOLATILITY_CLASSES = ("low", "high", "all")
#: Quantiles of the log errors: the 95 % and 80 % central intervals.
PROBABILITIES = (0.025, 0.10, 0.90, 0.975)
LEVELS = {80: (0.10, 0.90), 95: (0.025, 0.975)}
#: Fewest errors, and fewest base years they come from, at a horizon for its empirical
#: quantiles to enter the calibration.
MIN_ERRORS = 20
MIN_BASE_YEARS = 3
POWER_BOUNDS = (0.3, 1.0)
#: Columns of a calibration table (one row per stratum and horizon).
QUANTILE_COLUMNS = {0.025: "q025", 0.10: "q10", 0.90: "q90", 0.975: "q975"}
CALIBRATION_COLUMNS = (
    "kind", "measure", "size_class", "volatility_class", "horizon", "n_errors", "q025", "q10",
    "q50", "q90", "q975", "power", "volatility_threshold",
)  # fmt: skip


def size_class(total: np.ndarray | float) -> np.ndarray:
    """Size class label of a total population (:data:`SIZE_CLASSES`)."""
    idx = np.searchsorted(np.asarray(SIZE_BREAKS, dtype=float), np.asarray(total, float), "right")
    return np.asarray(SIZE_CLASSES, dtype=object)[idx]


def measure_sums(pop: np.ndarray) -> np.ndarray:
    """(..., 2, A1) stocks -> (..., M) sums of :data:`MEASURES` over sexes and ages."""
    by_age = pop.sum(axis=-2)
    A1 = by_age.shape[-1]
    return np.stack(
        [by_age[..., lo : min(hi, A1 - 1) + 1].sum(axis=-1) for lo, hi in MEASURES.values()],
        axis=-1,
    )


def isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for v, wt in zip(np.asarray(y, float), np.asarray(w, float), strict=True):
        blocks.append([v, wt, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return np.concatenate([np.full(int(c), m) for m, _, c in blocks])


def _stratum_table(g: pd.DataFrame, min_errors: int) -> pd.DataFrame | None:
    """Quantiles by horizon of one stratum's errors, spreads made non-decreasing in h."""
    by_h = g.groupby("horizon")["log_error"]
    n = by_h.size()
    keep = n >= min_errors
    if "base_year" in g.columns:  # one base year is one period's shock, not a distribution
        keep &= g.groupby("horizon")["base_year"].nunique() >= MIN_BASE_YEARS
    n = n[keep]
    if n.empty:
        return None
    h = n.index.to_numpy(dtype=int)
    w = n.to_numpy(dtype=float)
    med = by_h.median().loc[n.index].to_numpy()
    out = {"horizon": h, "n_errors": n.to_numpy(dtype=int), "q50": med}
    powers = []
    for p in PROBABILITIES:
        spread = np.abs(by_h.quantile(p).loc[n.index].to_numpy() - med)
        spread = isotonic(np.maximum(spread, 1e-6), w)
        out[QUANTILE_COLUMNS[p]] = med + np.sign(p - 0.5) * spread
        if len(h) >= 2:
            slope = np.polyfit(np.log(h), np.log(spread), 1, w=np.sqrt(w))[0]
            powers.append(float(np.clip(slope, *POWER_BOUNDS)))
    table = pd.DataFrame(out)
    table["power"] = float(np.mean(powers)) if powers else 1.0
    return table


def fit_intervals(errors: pd.DataFrame, *, min_errors: int = MIN_ERRORS) -> pd.DataFrame:
    """Fit the interval model to back-test errors.

    Parameters
    ----------
    errors : DataFrame
        One row per error with columns kind, measure, size_class, volatility, horizon,
        log_error (as made by :func:`regbef_excel.evaluation.calibrate.errors_of`).

    Returns
    -------
    DataFrame with :data:`CALIBRATION_COLUMNS`: per stratum (kind, measure, size class,
    volatility class ``low``/``high``/``all``) and horizon with at least ``min_errors`` errors
    the quantiles of the log errors (spreads around the median made non-decreasing in the
    horizon), the number of errors, the power of the spread's growth used beyond the longest
    horizon and the volatility threshold. Region strata have size and volatility class ``all``.
    """
    e = errors[np.isfinite(errors["log_error"]) & (errors["horizon"] > 0)].copy()
    muni = e["kind"] == MUNICIPALITY
    threshold = float(e.loc[muni, "volatility"].median()) if muni.any() else np.nan
    e["volatility_class"] = np.where(e["volatility"] > threshold, "high", "low")
    e.loc[~muni, ["size_class", "volatility_class"]] = "all"
    frames = [e, e[muni].assign(volatility_class="all")]
    frames.append(e[muni].assign(size_class="all", volatility_class="all"))
    pooled = pd.concat(frames, ignore_index=True)
    keys = ["kind", "measure", "size_class", "volatility_class"]
    tables = []
    for key, g in pooled.groupby(keys, sort=True):
        t = _stratum_table(g, min_errors)
        if t is not None:
            tables.append(t.assign(**dict(zip(keys, key, strict=True))))
    if not tables:
        return pd.DataFrame(columns=list(CALIBRATION_COLUMNS))
    out = pd.concat(tables, ignore_index=True)
    out["volatility_threshold"] = threshold
    return out[list(CALIBRATION_COLUMNS)]


def quantiles_at(rows: pd.DataFrame, horizon: np.ndarray) -> np.ndarray:
    """Log-error quantiles (4 probabilities, H horizons) of one stratum's rows.

    Horizons with a row take its quantiles; a horizon between rows takes the next row; longer
    horizons continue the last row (h_max): the median (the record's bias) stays at its h_max
    value and the spreads around it grow ``× (h/h_max)^power``.
    """
    r = rows.sort_values("horizon")
    hs = r["horizon"].to_numpy(dtype=int)
    h = np.asarray(horizon, dtype=float)
    idx = np.clip(np.searchsorted(hs, h, "left"), 0, len(hs) - 1)
    out = np.empty((len(PROBABILITIES), len(h)))
    med = r["q50"].to_numpy()[idx]
    ratio = np.where(h > hs[-1], h / hs[-1], 1.0)
    power = float(r["power"].iloc[-1])
    for i, p in enumerate(PROBABILITIES):
        q = r[QUANTILE_COLUMNS[p]].to_numpy()[idx]
        out[i] = med + (q - med) * ratio**power
    return out


@dataclass(frozen=True)
class Stratum:
    kind: str
    measure: str
    size_class: str = "all"
    volatility_class: str = "all"


def stratum_rows(calibration: pd.DataFrame, s: Stratum) -> pd.DataFrame:
    """The rows (one per horizon) of a stratum, falling back to coarser strata when it is
    missing: (size, volatility) -> (size, all) -> (all, all); a region without region rows
    takes the largest municipalities' rows."""
    c = calibration
    tries = [(s.kind, s.size_class, s.volatility_class), (s.kind, s.size_class, "all"),
             (s.kind, "all", "all")]  # fmt: skip
    if s.kind == REGION:  # too few regions in the calibration: the largest municipalities
        tries += [(MUNICIPALITY, SIZE_CLASSES[-1], "all"), (MUNICIPALITY, "all", "all")]
    for kind, size, vol in tries:
        sel = c[(c["kind"] == kind) & (c["measure"] == s.measure) & (c["size_class"] == size)
                & (c["volatility_class"] == vol)]  # fmt: skip
        if len(sel):
            return sel.sort_values("horizon")
    raise KeyError(f"the calibration has no rows for {s}")


def volatility_class(calibration: pd.DataFrame, volatility: float | None) -> str:
    """``low``/``high`` by the calibration's threshold; ``all`` when unknown."""
    if volatility is None or not np.isfinite(volatility):
        return "all"
    thr = calibration["volatility_threshold"].dropna()
    if thr.empty:
        return "all"
    return "high" if volatility > float(thr.iloc[0]) else "low"


def interval_factors(
    calibration: pd.DataFrame, stratum: Stratum, horizons: Sequence[int] | np.ndarray
) -> pd.DataFrame:
    """Multiplicative bounds exp(Q_p(h)) per horizon: columns horizon, lower95, lower80,
    upper80, upper95 (horizon 0 gives 1: the base year is observed)."""
    rows = stratum_rows(calibration, stratum)
    h = np.asarray(horizons, dtype=float)
    q = np.exp(quantiles_at(rows, np.maximum(h, 1)))
    q[:, h <= 0] = 1.0
    return pd.DataFrame(
        {
            "horizon": h.astype(int),
            "lower95": q[0],
            "lower80": q[1],
            "upper80": q[2],
            "upper95": q[3],
        }
    )


def apply_intervals(
    calibration: pd.DataFrame, frame: pd.DataFrame, *, value: str = "projected"
) -> pd.DataFrame:
    """Add lower80, upper80, lower95, upper95 to a frame with columns kind, measure,
    size_class, volatility_class, horizon and ``value`` (one interval per row; NaN where the
    calibration has no rows for the stratum or a coarser one)."""
    out = frame.copy()
    for col in ("lower80", "upper80", "lower95", "upper95"):
        out[col] = np.nan
    keys = ["kind", "measure", "size_class", "volatility_class"]
    for key, g in out.groupby(keys, sort=False):
        try:
            f = interval_factors(calibration, Stratum(*key), g["horizon"].to_numpy())
        except KeyError:  # no rows for this stratum or a coarser one: no interval
            continue
        v = g[value].to_numpy(dtype=float)
        for col in ("lower80", "upper80", "lower95", "upper95"):
            out.loc[g.index, col] = v * f[col].to_numpy()
    return out


def coverage(frame: pd.DataFrame, by: Sequence[str] = ("horizon",)) -> pd.DataFrame:
    """Coverage and width of intervals against observed values.

    ``frame`` needs observed, projected, lower80, upper80, lower95, upper95. Returns per group:
    n, cover80 and cover95 (share of observed inside, %), median half-widths of the 80 % and
    95 % intervals in % of the projection (half80_pct, half95_pct). Rows without an interval
    are left out.
    """
    frame = frame[frame["lower80"].notna()]
    f = frame.assign(
        in80=(frame["observed"] >= frame["lower80"]) & (frame["observed"] <= frame["upper80"]),
        in95=(frame["observed"] >= frame["lower95"]) & (frame["observed"] <= frame["upper95"]),
        half80=50 * (frame["upper80"] - frame["lower80"]) / frame["projected"],
        half95=50 * (frame["upper95"] - frame["lower95"]) / frame["projected"],
    )
    g = f.groupby(list(by), sort=True)
    return pd.DataFrame(
        {
            "n": g.size(),
            "cover80": 100 * g["in80"].mean(),
            "cover95": 100 * g["in95"].mean(),
            "half80_pct": g["half80"].median(),
            "half95_pct": g["half95"].median(),
        }
    ).reset_index()


#: The calibration shipped in the package (``regbef-excel calibrate``, all counties).
SHIPPED_CALIBRATION = "interval_calibration.csv"


def shipped_calibration() -> pd.DataFrame:
    """The calibration shipped with the package (see regbef_excel/data/README.md)."""
    with resources.as_file(resources.files("regbef_excel") / "data" / SHIPPED_CALIBRATION) as f:
        return read_calibration(f)


def read_calibration(path) -> pd.DataFrame:  # noqa: ANN001 - str, Path or resource path
    """A calibration table written by ``regbef-excel calibrate`` (or the shipped one).

    Raises
    ------
    InputError
        The file cannot be read as CSV or lacks a calibration column (named).
    """
    where = Location(sheet=Path(str(path)).name)
    try:
        df = pd.read_csv(path, dtype={"kind": str, "measure": str, "size_class": str,
                                      "volatility_class": str})  # fmt: skip
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError("cannot read the calibration file", location=where,
                         found=type(exc).__name__, expected="a CSV written by 'regbef-excel calibrate'") from None  # fmt: skip
    missing = [c for c in CALIBRATION_COLUMNS if c not in df.columns]
    if missing:
        raise InputError("not a calibration file: columns missing", location=where,
                         found=", ".join(missing), expected=", ".join(CALIBRATION_COLUMNS))  # fmt: skip
    numeric = [
        c
        for c in CALIBRATION_COLUMNS
        if c not in ("kind", "measure", "size_class", "volatility_class")
    ]
    bad = df[numeric].apply(pd.to_numeric, errors="coerce").isna() & df[numeric].notna()
    if bad.any().any():
        col = bad.any().idxmax()
        raise InputError("calibration value is not a number", location=Location(
            sheet=where.sheet, column=col, row=int(bad[col].idxmax()) + 2), expected="a number")  # fmt: skip
    return df[list(CALIBRATION_COLUMNS)]


def calibration_csv(calibration: pd.DataFrame) -> str:
    """The calibration as CSV text (rounded to 6 significant digits, stable order)."""
    c = calibration.sort_values(["kind", "measure", "size_class", "volatility_class", "horizon"])
    return c.to_csv(index=False, float_format="%.6g", lineterminator="\n")


__all__ = [
    "CALIBRATION_COLUMNS",
    "LEVELS",
    "MEASURES",
    "MUNICIPALITY",
    "PROBABILITIES",
    "REGION",
    "SIZE_CLASSES",
    "Stratum",
    "apply_intervals",
    "calibration_csv",
    "coverage",
    "fit_intervals",
    "interval_factors",
    "measure_sums",
    "isotonic",
    "quantiles_at",
    "read_calibration",
    "shipped_calibration",
    "size_class",
    "stratum_rows",
    "volatility_class",
]
