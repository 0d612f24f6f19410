"""Rogers–Castro model migration schedules: evaluation (ROGFUNK) and estimation (ROGEST).

PANDA's REGBEF smooths every observed (unsmoothed) migration schedule by a Rogers–Castro model
schedule (handbook §2.4: ``EUFPAR = ROGEST(EUFSAN)`` and the same for the other flows) and
evaluates the fitted schedule by single-year age during the projection (handbook §3.15:
``EUF = BEF · ROGFUNK(EUFPAR)``). The model is that of Rogers & Castro (1981), *Model Migration
Schedules*, IIASA RR-81-30:

.. math::

    m(x) = a_1 e^{-\\alpha_1 x}
         + a_2 \\exp\\!\\left(-\\alpha_2 (x-\\mu_2) - e^{-\\lambda_2 (x-\\mu_2)}\\right)
         + a_3 \\exp\\!\\left(-\\alpha_3 (x-\\mu_3) - e^{-\\lambda_3 (x-\\mu_3)}\\right)
         + a_4 e^{\\lambda_4 x} + c

with 7 (pre-labour, labour, constant), 9 (+ post-retirement), 11 (+ retirement; PANDA's ROGEST)
or 13 parameters (all components).

Parameter arrays use the storage order :data:`regbef_excel.engine.inputs.RC_KEYS`; a component
that a form does not have is encoded by zeros (``a3 = alpha3 = mu3 = lambda3 = 0`` for the 7- and
9-parameter forms, ``a4 = lambda4 = 0`` for the 7- and 11-parameter forms).

Public functions
----------------
:func:`rogers_castro`
    ROGFUNK for one parameter mapping (the stable API of DESIGN.md).
:func:`rc_schedule`
    ROGFUNK vectorised over any number of parameter sets in RC_KEYS order.
:func:`fit_rogers_castro`
    ROGEST for one schedule: multi-start bounded least squares (scipy ``least_squares``, TRF).
:func:`fit_rogers_castro_many`
    ROGEST for many schedules at once: a batched projected Levenberg–Marquardt in numpy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from regbef_excel.engine.inputs import N_RC, RC_KEYS
from regbef_excel.errors import InputError

__all__ = [
    "RC_FORMS",
    "RogersCastroBatch",
    "RogersCastroFit",
    "array_to_params",
    "fit_rogers_castro",
    "fit_rogers_castro_many",
    "params_to_array",
    "rc_bounds",
    "rc_schedule",
    "rogers_castro",
]

_CORE = ("a1", "alpha1", "a2", "alpha2", "mu2", "lambda2", "c")
_RETIREMENT = ("a3", "alpha3", "mu3", "lambda3")
_ELDERLY = ("a4", "lambda4")


def _in_storage_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k for k in RC_KEYS if k in keys)


#: The four Rogers–Castro forms: number of parameters -> parameter names (in RC_KEYS order).
RC_FORMS: dict[int, tuple[str, ...]] = {
    7: _in_storage_order(_CORE),
    9: _in_storage_order(_CORE + _ELDERLY),
    11: _in_storage_order(_CORE + _RETIREMENT),
    13: tuple(RC_KEYS),
}
_FREE_INDEX = {n: np.array([RC_KEYS.index(k) for k in keys]) for n, keys in RC_FORMS.items()}
_IDX = {k: i for i, k in enumerate(RC_KEYS)}
_AMPLITUDES = ("a1", "a2", "c", "a3", "a4")

# Exponents are clipped here so that no exp() overflows (exp(700) ~ 1e304 is still finite).
_EXP_MAX = 700.0


def _exp(z: np.ndarray) -> np.ndarray:
    return np.exp(np.minimum(z, _EXP_MAX))


# --------------------------------------------------------------------------------------------
# evaluation (ROGFUNK)
# --------------------------------------------------------------------------------------------


def _check_n_params(n_params: int) -> int:
    if isinstance(n_params, bool) or n_params not in RC_FORMS:
        raise InputError(
            "unsupported number of Rogers–Castro parameters", found=n_params, expected="7, 9, 11 or 13"
        )
    return int(n_params)


def _form_of(params: Mapping[str, float]) -> int:
    """The number of parameters of a mapping, after checking its keys."""
    if not isinstance(params, Mapping):
        raise InputError(
            "Rogers–Castro parameters must be a mapping of name to value",
            found=type(params).__name__,
            expected="dict with keys " + ", ".join(RC_FORMS[11]),
        )
    keys = set(params)
    unknown = sorted(str(k) for k in keys - set(RC_KEYS))
    if unknown:
        raise InputError(
            "unknown Rogers–Castro parameter(s): " + ", ".join(unknown),
            expected="names from " + ", ".join(RC_KEYS),
        )
    for n, names in RC_FORMS.items():
        if keys == set(names):
            return n
    # No form matches: name the smallest form containing the keys and what it lacks.
    for n in (7, 9, 11, 13):
        if keys <= set(RC_FORMS[n]):
            missing = [k for k in RC_FORMS[n] if k not in keys]
            raise InputError(
                f"incomplete Rogers–Castro parameters ({len(keys)} given): missing "
                + ", ".join(missing),
                expected=f"the {n}-parameter form " + ", ".join(RC_FORMS[n]),
            )
    raise AssertionError("unreachable: every key set is a subset of the 13-parameter form")


def params_to_array(params: Mapping[str, float]) -> np.ndarray:
    """Convert a parameter mapping (7, 9, 11 or 13 keys) to an array in RC_KEYS order.

    Parameters
    ----------
    params : Mapping[str, float]
        Keys of one of the forms in :data:`RC_FORMS`.

    Returns
    -------
    numpy.ndarray
        Shape ``(13,)``; components the form lacks are zeros.

    Raises
    ------
    InputError
        Unknown or missing keys, a wrong count, or a non-finite value.
    """
    _form_of(params)
    out = np.zeros(N_RC)
    for key, value in params.items():
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InputError(
                f"Rogers–Castro parameter {key} is not a number", found=value, expected="a number"
            ) from None
        if not np.isfinite(v):
            raise InputError(
                f"Rogers–Castro parameter {key} is not finite", found=v, expected="a finite number"
            )
        out[_IDX[key]] = v
    return out


def array_to_params(arr: np.ndarray, n_params: int = 11) -> dict[str, float]:
    """Convert a ``(13,)`` array in RC_KEYS order to the mapping of the ``n_params`` form.

    Parameters
    ----------
    arr : array_like
        Shape ``(13,)``, RC_KEYS order.
    n_params : {7, 9, 11, 13}
        Form of the returned mapping.

    Returns
    -------
    dict[str, float]
        Keys :data:`RC_FORMS` ``[n_params]``.

    Raises
    ------
    InputError
        Wrong shape, or a component the form lacks has a non-zero amplitude (``a3`` or ``a4``),
        since dropping it would silently change the schedule.
    """
    n = _check_n_params(n_params)
    a = np.asarray(arr, dtype=float)
    if a.shape != (N_RC,):
        raise InputError(
            "Rogers–Castro parameter array has the wrong shape", found=a.shape, expected=f"({N_RC},)"
        )
    keep = set(RC_FORMS[n])
    for amp in ("a3", "a4"):
        if amp not in keep and a[_IDX[amp]] != 0.0:
            raise InputError(
                f"cannot express the schedule in the {n}-parameter form: {amp} is not zero",
                found=float(a[_IDX[amp]]),
                expected="0",
            )
    return {k: float(a[_IDX[k]]) for k in RC_FORMS[n]}


def rc_schedule(params_array: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Evaluate Rogers–Castro schedules for many parameter sets at once (ROGFUNK, vectorised).

    Handbook §3.15 (ROGFUNK); Rogers & Castro (1981).

    .. math::

        m(x) = a_1 e^{-\\alpha_1 x}
             + a_2 \\exp\\!\\left(-\\alpha_2 (x-\\mu_2) - e^{-\\lambda_2 (x-\\mu_2)}\\right)
             + a_3 \\exp\\!\\left(-\\alpha_3 (x-\\mu_3) - e^{-\\lambda_3 (x-\\mu_3)}\\right)
             + a_4 e^{\\lambda_4 x} + c

    Parameters
    ----------
    params_array : array_like
        Shape ``(..., 13)`` in :data:`~regbef_excel.engine.inputs.RC_KEYS` order; absent
        components are zeros.
    ages : array_like
        1-D ages ``x``.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., len(ages))``.

    Notes
    -----
    Exponents are clipped at 700 so that extreme shape parameters (a large
    :math:`\\lambda\\,x`) give large finite values or zeros, never overflow warnings.
    """
    p = np.asarray(params_array, dtype=float)
    x = np.asarray(ages, dtype=float)
    if p.ndim == 0 or p.shape[-1] != N_RC:
        raise InputError(
            "Rogers–Castro parameter array has the wrong last dimension",
            found=p.shape,
            expected=f"(..., {N_RC}) in the order " + ", ".join(RC_KEYS),
        )
    if x.ndim != 1:
        raise InputError("ages must be one-dimensional", found=x.shape, expected="(n_ages,)")
    return _model(p.reshape(-1, N_RC), x).reshape(p.shape[:-1] + x.shape)


def rogers_castro(ages: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    """Evaluate a Rogers–Castro model migration schedule (PANDA's ROGFUNK, handbook §3.15).

    Rogers & Castro (1981), *Model Migration Schedules*, IIASA RR-81-30:

    .. math::

        m(x) = a_1 e^{-\\alpha_1 x}
             + a_2 \\exp\\!\\left(-\\alpha_2 (x-\\mu_2) - e^{-\\lambda_2 (x-\\mu_2)}\\right)
             + a_3 \\exp\\!\\left(-\\alpha_3 (x-\\mu_3) - e^{-\\lambda_3 (x-\\mu_3)}\\right)
             + a_4 e^{\\lambda_4 x} + c

    Parameters
    ----------
    ages : array_like
        Ages ``x`` (any shape; single-year ages 0..99 in REGBEF).
    params : Mapping[str, float]
        One of the forms in :data:`RC_FORMS`: 7 keys ``a1, alpha1, a2, alpha2, mu2, lambda2, c``;
        9 keys: + ``a4, lambda4``; 11 keys (PANDA's ROGEST): + ``a3, alpha3, mu3, lambda3``;
        13 keys: all.

    Returns
    -------
    numpy.ndarray
        :math:`m(x)`, same shape as ``ages``.

    Raises
    ------
    InputError
        Unknown or missing keys, a wrong number of keys, non-finite values or ages.
    """
    p = params_to_array(params)
    x = np.asarray(ages, dtype=float)
    if not np.all(np.isfinite(x)):
        raise InputError("ages must be finite numbers", found="NaN or infinity")
    return _model(p[None, :], x.reshape(-1))[0].reshape(x.shape)


def _model(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """m(x) for p of shape (M, 13) and x of shape (A,): (M, A)."""
    a1, al1, a2, al2, mu2, la2, c, a3, al3, mu3, la3, a4, la4 = (p[:, k, None] for k in range(N_RC))
    out = a1 * _exp(-al1 * x) + c
    z2 = x - mu2
    out += a2 * _exp(-al2 * z2 - _exp(-la2 * z2))
    if np.any(a3):
        z3 = x - mu3
        out += a3 * _exp(-al3 * z3 - _exp(-la3 * z3))
    if np.any(a4):
        out += a4 * _exp(la4 * x)
    return out


def _model_jac(p: np.ndarray, x: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """m(x) and its Jacobian with respect to the parameters ``free`` (indices into RC_KEYS).

    Returns f of shape (M, A) and the transposed Jacobian Jt of shape (M, len(free), A)
    (parameter-major, the layout the normal equations want). Each Jacobian row is written in
    place (``out=``) and rows of parameters that are not free are never computed.
    """
    a1, al1, a2, al2, mu2, la2, c, a3, al3, mu3, la3, a4, la4 = (p[:, k, None] for k in range(N_RC))
    M, A = p.shape[0], x.shape[0]
    pos = {int(k): j for j, k in enumerate(free)}
    jt = np.empty((M, len(free), A))
    row = {k: jt[:, j, :] for k, j in pos.items()}  # views

    e1 = _exp(-al1 * x)
    z2 = x - mu2
    big2 = _exp(-la2 * z2)
    g2 = _exp(-al2 * z2 - big2)
    a2g2 = a2 * g2
    f = a1 * e1
    f += a2g2
    f += c
    if 0 in row:
        row[0][...] = e1
    if 1 in row:
        np.multiply(e1, -a1 * x, out=row[1])
    if 2 in row:
        row[2][...] = g2
    if 3 in row:
        np.multiply(a2g2, z2, out=row[3])
        np.negative(row[3], out=row[3])
    if 4 in row:
        np.multiply(big2, -la2, out=row[4])
        row[4] += al2
        row[4] *= a2g2
    if 5 in row:
        np.multiply(a2g2, z2, out=row[5])
        row[5] *= big2
    if 6 in row:
        row[6][...] = 1.0
    if pos.keys() & {7, 8, 9, 10} or np.any(a3):
        z3 = x - mu3
        big3 = _exp(-la3 * z3)
        g3 = _exp(-al3 * z3 - big3)
        a3g3 = a3 * g3
        f += a3g3
        if 7 in row:
            row[7][...] = g3
        if 8 in row:
            np.multiply(a3g3, z3, out=row[8])
            np.negative(row[8], out=row[8])
        if 9 in row:
            np.multiply(big3, -la3, out=row[9])
            row[9] += al3
            row[9] *= a3g3
        if 10 in row:
            np.multiply(a3g3, z3, out=row[10])
            row[10] *= big3
    if pos.keys() & {11, 12} or np.any(a4):
        e4 = _exp(la4 * x)
        f += a4 * e4
        if 11 in row:
            row[11][...] = e4
        if 12 in row:
            np.multiply(e4, a4 * x, out=row[12])
    assert f.shape == (M, A)
    return f, jt


# --------------------------------------------------------------------------------------------
# estimation (ROGEST): shared pieces
# --------------------------------------------------------------------------------------------

# (lower, upper) bounds. Amplitudes are multiples of the data scale s (largest observed rate):
# ("s", k) means k·s. Shape bounds are fixed and wide around the values Rogers & Castro (1981)
# report for observed schedules (alpha1, alpha2 ~ 0.1, lambda2 ~ 0.4, mu2 ~ 20, mu3 ~ 65).
_BOUND_SPEC: dict[str, tuple[float, tuple[str, float] | float]] = {
    "a1": (0.0, ("s", 5.0)),
    "alpha1": (0.005, 1.5),
    "a2": (0.0, ("s", 50.0)),
    "alpha2": (0.01, 1.0),
    "mu2": (8.0, 45.0),
    "lambda2": (0.05, 2.0),
    "c": (0.0, ("s", 2.0)),
    "a3": (0.0, ("s", 50.0)),
    "alpha3": (0.01, 2.0),
    "mu3": (50.0, 90.0),
    "lambda3": (0.05, 2.0),
    "a4": (0.0, ("s", 5.0)),
    "lambda4": (0.001, 0.25),
}


def rc_bounds(scale: float | np.ndarray = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Box constraints used by ROGEST, in RC_KEYS order.

    Parameters
    ----------
    scale : float or array_like
        Data scale ``s`` (the largest observed rate); shape ``(N,)`` for N schedules.

    Returns
    -------
    lower, upper : numpy.ndarray
        Shape ``(13,)`` (scalar scale) or ``(N, 13)``.

    Notes
    -----
    Amplitudes are bounded below by 0 and above by a multiple of ``s`` (``a1``, ``a4``: 5s;
    ``c``: 2s; ``a2``, ``a3``: 50s — the peak of a labour or retirement component is
    :math:`a\\,e^{-\\alpha z^* - \\alpha/\\lambda}` with :math:`z^*=\\ln(\\lambda/\\alpha)/\\lambda`,
    which can be well below ``a``). Shapes: ``alpha1`` [0.005, 1.5], ``alpha2`` [0.01, 1],
    ``mu2`` [8, 45], ``lambda2`` [0.05, 2], ``alpha3`` [0.01, 2], ``mu3`` [50, 90],
    ``lambda3`` [0.05, 2], ``lambda4`` [0.001, 0.25]. The ratio alpha/lambda is at most 40, which
    keeps :math:`a\\,g(x)` finite and moderate at every age. The amplitude bounds assume ages start
    near 0, as REGBEF's 0..99 do.
    """
    s = np.asarray(scale, dtype=float)
    lo = np.empty(s.shape + (N_RC,))
    hi = np.empty(s.shape + (N_RC,))
    for k, (low, high) in _BOUND_SPEC.items():
        i = _IDX[k]
        lo[..., i] = low
        hi[..., i] = high[1] * s if isinstance(high, tuple) else high
    return lo, hi


def _gamma_peak(alpha: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offset z* of the peak of exp(-alpha z - exp(-lambda z)) and the peak value."""
    z = np.log(lam / alpha) / lam
    return z, np.exp(-alpha * z - alpha / lam)


#: Shape values of the starts: (alpha2, lambda2, alpha3, lambda3). The first is the typical
#: schedule of Rogers & Castro (1981) (alpha2 ~ 0.1, lambda2 ~ 0.4); the others are flatter,
#: steeper and skewed variants, because ROGEST is known to be sensitive to starting values.
_START_SHAPES = np.array(
    [
        [0.10, 0.40, 0.50, 0.50],
        [0.06, 0.25, 0.30, 0.30],
        [0.20, 0.80, 1.00, 0.60],
        [0.15, 0.30, 0.30, 0.80],
    ]
)
_ALPHA1_START = 0.1
_LAMBDA4_START = 0.05


def _smooth(x_rates: np.ndarray, w: np.ndarray, half: int = 2) -> np.ndarray:
    """Weighted moving average over ±half neighbouring ages; NaN where no data."""
    n = x_rates.shape[-1]
    pad = [(0, 0)] * (x_rates.ndim - 1) + [(half, half)]
    num = np.pad(w * x_rates, pad)
    den = np.pad(w, pad)
    cn = np.cumsum(num, axis=-1)
    cd = np.cumsum(den, axis=-1)
    zero = np.zeros(x_rates.shape[:-1] + (1,))
    cn = np.concatenate([zero, cn], axis=-1)
    cd = np.concatenate([zero, cd], axis=-1)
    width = 2 * half + 1
    s_num = cn[..., width : width + n] - cn[..., :n]
    s_den = cd[..., width : width + n] - cd[..., :n]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s_den > 0, s_num / np.where(s_den > 0, s_den, 1.0), np.nan)


def _window_peak(x: np.ndarray, sm: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Age and height of the largest smoothed rate with lo <= age <= hi (per row)."""
    inside = (x >= lo) & (x <= hi)
    if not inside.any():
        inside = np.ones_like(x, dtype=bool)
    vals = np.where(inside & np.isfinite(sm), sm, -np.inf)
    j = np.argmax(vals, axis=-1)
    h = np.take_along_axis(vals, j[:, None], axis=-1)[:, 0]
    return x[j], np.where(np.isfinite(h), h, 0.0)


def _starts(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, scale: np.ndarray, n_params: int
) -> np.ndarray:
    """Heuristic starting values (spec §5), shape (N, S, 13) in RC_KEYS order.

    c ≈ the smallest (smoothed) rate; a1 ≈ rate at the youngest age − c; a2, mu2 from the
    maximum on ages 15–50; a3, mu3 from the maximum on 55–75; a4 from the excess at the oldest
    age; alpha/lambda from :data:`_START_SHAPES`. Amplitudes are kept strictly positive so that
    the shape parameters of a component start with a non-zero gradient.
    """
    N = y.shape[0]
    S = len(_START_SHAPES)
    sm = _smooth(y, w)
    has = np.isfinite(sm)
    sm_min = np.where(has, sm, np.inf).min(axis=-1)
    c0 = np.clip(np.where(np.isfinite(sm_min), sm_min, 0.0), 0.0, None)
    first = np.argmax(has, axis=-1)
    y0 = np.take_along_axis(np.where(has, sm, 0.0), first[:, None], axis=-1)[:, 0]
    floor = scale
    a1 = np.maximum(y0 - c0, 0.05 * floor)
    al1 = _ALPHA1_START
    x2, h2 = _window_peak(x, sm, 15.0, 50.0)
    x3, h3 = _window_peak(x, sm, 55.0, 75.0)
    last = x.shape[0] - 1 - np.argmax(has[:, ::-1], axis=-1)
    y_last = np.take_along_axis(np.where(has, sm, 0.0), last[:, None], axis=-1)[:, 0]
    x_last = x[last]

    lo, hi = rc_bounds(scale)
    out = np.zeros((N, S, N_RC))
    for s, (al2, la2, al3, la3) in enumerate(_START_SHAPES):
        z2, g2 = _gamma_peak(al2, la2)
        z3, g3 = _gamma_peak(al3, la3)
        mu2 = x2 - z2
        a2 = np.maximum(h2 - c0 - a1 * np.exp(-al1 * x2), 0.1 * floor) / g2
        p = out[:, s]
        p[:, 0], p[:, 1], p[:, 2], p[:, 3], p[:, 4], p[:, 5], p[:, 6] = (
            a1, al1, a2, al2, mu2, la2, c0
        )  # fmt: skip
        if n_params in (11, 13):
            mu3 = x3 - z3
            base3 = c0 + a1 * np.exp(-al1 * x3) + a2 * np.exp(
                -al2 * (x3 - mu2) - np.exp(-la2 * (x3 - mu2))
            )
            a3 = np.maximum(h3 - base3, 0.02 * floor) / g3
            p[:, 7], p[:, 8], p[:, 9], p[:, 10] = a3, al3, mu3, la3
        if n_params in (9, 13):
            base4 = c0 + a2 * np.exp(-al2 * (x_last - mu2) - np.exp(-la2 * (x_last - mu2)))
            a4 = np.maximum(y_last - base4, 0.01 * floor) * np.exp(-_LAMBDA4_START * x_last)
            p[:, 11], p[:, 12] = a4, _LAMBDA4_START
    # Strictly inside the box (the TRF method and the active-set logic both want that).
    margin = 1e-6 * (hi - lo)
    inner = np.clip(out, (lo + margin)[:, None, :], (hi - margin)[:, None, :])
    absent = np.ones(N_RC, dtype=bool)
    absent[_FREE_INDEX[n_params]] = False
    inner[..., absent] = 0.0
    return inner


def _prepare(
    ages: np.ndarray, rates: np.ndarray, weights: np.ndarray | None, batch: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate; return ages x (A,), rates y (N, A) with NaN -> 0, weights w (N, A), 0 = ignore."""
    x = np.asarray(ages, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise InputError("ages must be a non-empty one-dimensional array", found=x.shape)
    if not np.all(np.isfinite(x)):
        raise InputError("ages must be finite numbers", found="NaN or infinity")
    y = np.asarray(rates, dtype=float)
    want = "(N, len(ages))" if batch else "(len(ages),)"
    if batch:
        if y.ndim != 2 or y.shape[1] != x.size:
            raise InputError("rates have the wrong shape", found=y.shape, expected=want)
    else:
        if y.shape != x.shape:
            raise InputError("rates must have one value per age", found=y.shape, expected=want)
        y = y[None, :]
    if np.any(np.isinf(y)):
        raise InputError("rates contain infinity", expected="finite rates or NaN for missing")
    if weights is None:
        w = np.ones_like(y)
    else:
        w = np.asarray(weights, dtype=float)
        try:
            w = np.broadcast_to(w, y.shape).astype(float)
        except ValueError:
            raise InputError("weights have the wrong shape", found=w.shape, expected=want) from None
        if np.any(np.isinf(w)) or np.any(w < 0):
            raise InputError("weights must be finite and non-negative", expected="w >= 0")
        w = np.where(np.isnan(w), 0.0, w)
    valid = np.isfinite(y) & (w > 0)
    return x, np.where(valid, y, 0.0), np.where(valid, w, 0.0)


def _data_scale(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    s = np.where(w > 0, np.abs(y), 0.0).max(axis=-1)
    return np.where(s > 0, s, 1.0)


#: Shape parameters of each component, by its amplitude.
_COMPONENT_SHAPES = {
    "a1": ("alpha1",),
    "a2": ("alpha2", "mu2", "lambda2"),
    "a3": ("alpha3", "mu3", "lambda3"),
    "a4": ("lambda4",),
}


def _at_bounds(p: np.ndarray, lo: np.ndarray, hi: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Boolean (…, 13): free parameter within 1e-6 of the box width of a bound.

    An amplitude at 0 (component absent) is flagged; the shape parameters of an absent
    component are not, since they do not change the schedule (their values are arbitrary).
    """
    tol = 1e-6 * (hi - lo)
    hit = (p <= lo + tol) | (p >= hi - tol)
    mask = np.zeros(N_RC, dtype=bool)
    mask[free] = True
    hit &= mask
    for amp, shapes in _COMPONENT_SHAPES.items():
        absent = p[..., _IDX[amp]] <= 0.0
        for k in shapes:
            hit[..., _IDX[k]] &= ~absent
    return hit


def _weighted_r2(y: np.ndarray, w: np.ndarray, sse: np.ndarray) -> np.ndarray:
    sw = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(sw > 0, (w * y).sum(axis=-1) / np.where(sw > 0, sw, 1.0), 0.0)
        sst = (w * (y - mean[:, None]) ** 2).sum(axis=-1)
        return np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.nan)


@dataclass(frozen=True, eq=False)
class RogersCastroFit:
    """Result of ROGEST for one schedule (handbook §2.4).

    Attributes
    ----------
    params : dict[str, float]
        Estimated parameters, keys of the ``n_params`` form (:data:`RC_FORMS`).
    fitted : numpy.ndarray
        :math:`m(x)` at every age given, including ages whose rate was missing.
    sse : float
        The minimised objective :math:`\\sum_x w_x (r_x - m(x))^2` over ages with a finite rate
        and a positive weight (weights default to 1, so this is the plain SSE).
    converged : bool
        The optimiser stopped on a tolerance (not on the iteration limit).
    at_bounds : list[str]
        Parameters within 1e-6 of the box width of a bound (:func:`rc_bounds`). ``a3`` at 0
        means no retirement peak was found; the shape parameters of a component whose amplitude
        is 0 are meaningless and are not listed.
    n_params : int
        7, 9, 11 or 13.
    r2 : float
        Weighted :math:`R^2 = 1 - SSE/SST` (NaN when the rates are constant).
    n_obs : int
        Ages used (finite rate, positive weight).
    n_starts : int
        Starting points tried; the best is kept.
    message : str
        What happened, in one line.
    """

    params: dict[str, float]
    fitted: np.ndarray
    sse: float
    converged: bool
    at_bounds: list[str]
    n_params: int = 11
    r2: float = float("nan")
    n_obs: int = 0
    n_starts: int = 0
    message: str = ""
    params_array: np.ndarray = field(default_factory=lambda: np.zeros(N_RC), repr=False)

    def __repr__(self) -> str:
        flag = "converged" if self.converged else "NOT converged"
        return (
            f"RogersCastroFit(n_params={self.n_params}, sse={self.sse:.4g}, r2={self.r2:.4f}, "
            f"{flag}, at_bounds={self.at_bounds})"
        )


# --------------------------------------------------------------------------------------------
# ROGEST for one schedule: multi-start scipy least_squares (TRF)
# --------------------------------------------------------------------------------------------


def fit_rogers_castro(
    ages: np.ndarray,
    rates: np.ndarray,
    n_params: int = 11,
    weights: np.ndarray | None = None,
    *,
    max_nfev: int = 1000,
) -> RogersCastroFit:
    """Estimate Rogers–Castro parameters from observed rates (PANDA's ROGEST, handbook §2.4).

    Bounded (weighted) least squares on the observed, unsmoothed rates, as in handbook §2.4
    ("minimising the squared deviation between observed values and the function values"):

    .. math::

        \\hat\\theta = \\arg\\min_{l \\le \\theta \\le u} \\sum_x w_x \\left(r_x - m_\\theta(x)\\right)^2

    with :math:`m_\\theta` the Rogers & Castro (1981) schedule (see :func:`rogers_castro`) and
    the box of :func:`rc_bounds`. Each of several heuristic starts (spec §5: c ≈ min rate,
    a1 ≈ rate at 0 − c, a2/mu2 from the peak on 15–50, a3/mu3 from the peak on 55–75, typical
    alpha/lambda) is refined by ``scipy.optimize.least_squares`` (trust-region reflective,
    analytic Jacobian); the start with the lowest objective wins.

    Parameters
    ----------
    ages : array_like
        1-D ages (0..99 in REGBEF).
    rates : array_like
        Observed rates, one per age; NaN marks a missing value (ignored).
    n_params : {7, 9, 11, 13}
        Form to estimate; 11 is PANDA's ROGEST.
    weights : array_like, optional
        Non-negative weights per age (e.g. the population at risk). Zero or NaN ignores an age.
    max_nfev : int
        Function evaluations per start.

    Returns
    -------
    RogersCastroFit

    Notes
    -----
    For small zones the parameters are weakly identified: judge a fit by its curve and flow
    total, not by parameter values (spec §5). All-zero rates give all amplitudes 0 (an exact
    fit); fewer usable ages than parameters still give a (non-unique) least-squares fit, which
    the message reports.
    """
    n = _check_n_params(n_params)
    x, y, w = _prepare(ages, rates, weights, batch=False)
    free = _FREE_INDEX[n]
    scale = _data_scale(y, w)
    lo, hi = rc_bounds(scale[0])
    starts = _starts(x, y, w, scale, n)[0]
    valid = w[0] > 0
    n_obs = int(valid.sum())

    special = _special_case(y[0], w[0], starts[0], n)
    if special is not None:
        p, msg = special
        return _make_fit(p, x, y[0], w[0], lo, hi, n, True, n_obs, 0, msg)

    xv, yv, swv = x[valid], y[0, valid], np.sqrt(w[0, valid])

    def residual(theta: np.ndarray) -> np.ndarray:
        p = np.zeros(N_RC)
        p[free] = theta
        return swv * (_model(p[None, :], xv)[0] - yv)

    def jacobian(theta: np.ndarray) -> np.ndarray:
        p = np.zeros(N_RC)
        p[free] = theta
        return swv[:, None] * _model_jac(p[None, :], xv, free)[1][0].T

    best = None
    for start in starts:
        res = least_squares(
            residual,
            start[free],
            jac=jacobian,
            bounds=(lo[free], hi[free]),
            method="trf",
            x_scale="jac",
            ftol=1e-11,
            xtol=1e-11,
            gtol=1e-11,
            max_nfev=max_nfev,
        )
        if best is None or res.cost < best.cost:
            best = res
    assert best is not None
    p = np.zeros(N_RC)
    p[free] = best.x
    msg = best.message
    if n_obs < n:
        msg = f"only {n_obs} usable ages for {n} parameters: not identified; " + msg
    return _make_fit(
        p, x, y[0], w[0], lo, hi, n, bool(best.status > 0), n_obs, len(starts), msg
    )


def _special_case(
    y: np.ndarray, w: np.ndarray, start: np.ndarray, n: int
) -> tuple[np.ndarray, str] | None:
    """Schedules that need no optimiser: no usable data, or all usable rates zero."""
    valid = w > 0
    if not valid.any() or np.all(y[valid] == 0.0):
        p = start.copy()
        for k in _AMPLITUDES:
            p[_IDX[k]] = 0.0
        p[~np.isin(np.arange(N_RC), _FREE_INDEX[n])] = 0.0
        why = "no usable rates" if not valid.any() else "all rates are zero"
        return p, f"{why}: amplitudes set to 0, shape parameters at their starting values"
    return None


def _make_fit(
    p: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    n: int,
    converged: bool,
    n_obs: int,
    n_starts: int,
    message: str,
) -> RogersCastroFit:
    fitted = _model(p[None, :], x)[0]
    sse = float(np.sum(w * (y - fitted) ** 2))
    r2 = float(_weighted_r2(y[None, :], w[None, :], np.array([sse]))[0])
    hit = _at_bounds(p, lo, hi, _FREE_INDEX[n])
    return RogersCastroFit(
        params=array_to_params(p, n),
        fitted=fitted,
        sse=sse,
        converged=converged,
        at_bounds=[k for k, h in zip(RC_KEYS, hit, strict=True) if h],
        n_params=n,
        r2=r2,
        n_obs=n_obs,
        n_starts=n_starts,
        message=str(message),
        params_array=p,
    )


# --------------------------------------------------------------------------------------------
# ROGEST for many schedules: batched projected Levenberg–Marquardt
# --------------------------------------------------------------------------------------------


#: Rows per block in :func:`_evaluate`: the (rows, 100) temporaries of a block stay in the CPU
#: cache, which makes the model, Jacobian and normal equations about twice as fast as on the
#: whole batch at once. Rows are independent, so results do not depend on it.
_BLOCK = 128


def _evaluate(
    p: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray,
    free: np.ndarray,
    c_old: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cost, acceptance, J'WJ and J'W(m - y) of the rows of p (M, 13), in blocks of rows.

    Returns cost Σ w (y − m)² (M,), ok (M,) = cost finite and below ``c_old`` (all True when
    ``c_old`` is None), and J'WJ (M, k, k), J'W(m − y) (M, k), filled for the ok rows only
    (the model and its Jacobian share their exponentials, so a trial step that is accepted
    needs no second evaluation).
    """
    M, k = p.shape[0], free.size
    cost = np.empty(M)
    ok = np.ones(M, dtype=bool)
    A = np.zeros((M, k, k))
    g = np.zeros((M, k))
    for b0 in range(0, M, _BLOCK):
        b = slice(b0, min(M, b0 + _BLOCK))
        f, jt = _model_jac(p[b], x, free)
        r = sw[b] * (f - y[b])
        cost[b] = np.einsum("ma,ma->m", r, r)
        if c_old is not None:
            ok[b] = (cost[b] < c_old[b]) & np.isfinite(cost[b])
            if not ok[b].all():
                keep = ok[b]
                jt, r = jt[keep], r[keep]
                jw = jt * sw[b][keep][:, None, :]
                A[b][keep] = jw @ np.swapaxes(jw, 1, 2)
                g[b][keep] = (jw @ r[..., None])[..., 0]
                continue
        jw = jt * sw[b][:, None, :]
        A[b] = jw @ np.swapaxes(jw, 1, 2)
        g[b] = (jw @ r[..., None])[..., 0]
    return cost, ok, A, g


def _solve_one(h: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(h, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(h, b, rcond=None)[0]


def _lm_batch(
    x: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray,
    p: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    free: np.ndarray,
    max_iter: int,
    ftol: float = 1e-10,
    xtol: float = 1e-10,
    gtol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Projected Levenberg–Marquardt on all rows at once.

    Each row has its own damping (Nielsen's update), Marquardt scaling by the running maximum
    of diag(J'J) (as MINPACK), and an active set: a parameter on a bound whose gradient points
    out of the box is held for the step; the step is then projected onto the box. Rows leave
    the loop as soon as they meet a tolerance.

    Returns parameters (M, 13), cost Σ w (r − m)² (M,), converged (M,), iterations (M,).
    """
    M = p.shape[0]
    p = p.copy()
    nf = free.size
    lof, hif = lo[:, free], hi[:, free]
    cost, _, A, g = _evaluate(p, x, y, sw, free)
    dmax = np.diagonal(A, axis1=1, axis2=2).copy()
    lam = np.full(M, 1e-3)
    nu = np.full(M, 2.0)
    converged = cost <= 0.0
    n_iter = np.zeros(M, dtype=int)
    act = np.flatnonzero(~converged)
    eye = np.eye(nf, dtype=bool)
    for _ in range(max_iter):
        if act.size == 0:
            break
        pa = p[act][:, free]
        ga, Aa = g[act], A[act]
        la, ha = lof[act], hif[act]
        btol = 1e-12 * (ha - la)
        hold = ((pa <= la + btol) & (ga > 0)) | ((pa >= ha - btol) & (ga < 0))
        d = np.maximum(np.diagonal(Aa, axis1=1, axis2=2), dmax[act])
        hold |= d <= 0
        keep = ~hold
        H = Aa * (keep[:, :, None] & keep[:, None, :])
        H[:, eye] += np.where(hold, 1.0, lam[act, None] * d)
        rhs = -np.where(hold, 0.0, ga)
        try:
            step = np.linalg.solve(H, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError:
            # per row, so that a singular row does not change how the others are solved
            step = np.stack([_solve_one(h, b) for h, b in zip(H, rhs, strict=True)])
        pn = np.clip(pa + step, la, ha)
        dp = pn - pa
        trial = p[act].copy()
        trial[:, free] = pn
        c0 = cost[act]
        cn, ok, A2, g2 = _evaluate(trial, x, y[act], sw[act], free, c0)
        # predicted decrease of the quadratic model for the projected step
        pred = -(2.0 * np.einsum("mk,mk->m", dp, ga) + np.einsum("mk,mkl,ml->m", dp, Aa, dp))
        actual = c0 - cn
        with np.errstate(over="ignore", invalid="ignore"):  # tiny pred: rho is clipped anyway
            rho = np.where(pred > 0, actual / np.where(pred > 0, pred, 1.0), 0.0)
        rho = np.clip(np.nan_to_num(rho, nan=0.0), 0.0, 2.0)  # no inf/NaN into the cube below
        lam_a = lam[act]
        nu_a = nu[act]
        lam_a = np.where(ok, lam_a * np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), lam_a * nu_a)
        nu_a = np.where(ok, 2.0, nu_a * 2.0)
        lam[act] = np.clip(lam_a, 1e-12, 1e16)
        nu[act] = np.minimum(nu_a, 1e6)
        n_iter[act] += 1
        small_step = np.all(np.abs(dp) <= xtol * (np.abs(pa) + xtol), axis=1)
        small_change = ok & (actual <= ftol * c0)
        # MINPACK's gtol: the largest cosine between the residual and a free Jacobian column
        cosine = np.abs(ga) / np.sqrt(d * c0[:, None] + 1e-300)
        small_grad = np.all(hold | (cosine <= gtol), axis=1)
        done = small_step | small_change | small_grad | (ok & (cn <= 0.0))
        # update accepted rows
        acc = act[ok]
        if acc.size:
            p[acc] = trial[ok]
            cost[acc] = cn[ok]
            A[acc], g[acc] = A2[ok], g2[ok]
            dmax[acc] = np.maximum(dmax[acc], np.diagonal(A2[ok], axis1=1, axis2=2))
        converged[act[done]] = True
        stalled = lam[act] > 1e14
        act = act[~(done | stalled)]
    return p, cost, converged, n_iter


@dataclass(frozen=True, eq=False)
class RogersCastroBatch:
    """Result of :func:`fit_rogers_castro_many`: one row per schedule.

    Attributes
    ----------
    params : numpy.ndarray
        (N, 13) in RC_KEYS order; components the form lacks are 0.
    fitted : numpy.ndarray
        (N, n_ages) fitted schedules.
    sse : numpy.ndarray
        (N,) weighted SSE, as :attr:`RogersCastroFit.sse`.
    converged : numpy.ndarray
        (N,) bool.
    at_bounds : numpy.ndarray
        (N, 13) bool, free parameters on a bound (shape parameters of a component whose
        amplitude is 0 excluded, as in :attr:`RogersCastroFit.at_bounds`).
    r2 : numpy.ndarray
        (N,) weighted R².
    n_obs : numpy.ndarray
        (N,) usable ages.
    n_iter : numpy.ndarray
        (N,) Levenberg–Marquardt iterations of the kept start (0 for special cases).
    polished : numpy.ndarray
        (N,) bool, refined by scipy after the batch iterations.
    n_params : int
    ages : numpy.ndarray
    n_starts : int
    """

    params: np.ndarray
    fitted: np.ndarray
    sse: np.ndarray
    converged: np.ndarray
    at_bounds: np.ndarray
    r2: np.ndarray
    n_obs: np.ndarray
    n_iter: np.ndarray
    polished: np.ndarray
    n_params: int
    ages: np.ndarray
    n_starts: int

    def __len__(self) -> int:
        return self.params.shape[0]

    def params_dict(self, i: int) -> dict[str, float]:
        """Parameters of schedule ``i`` as a mapping of the ``n_params`` form."""
        return array_to_params(self.params[i], self.n_params)

    def fit(self, i: int) -> RogersCastroFit:
        """Schedule ``i`` as a :class:`RogersCastroFit`."""
        flag = "converged" if self.converged[i] else "iteration limit reached"
        how = "batched Levenberg–Marquardt" + (" + scipy polish" if self.polished[i] else "")
        return RogersCastroFit(
            params=self.params_dict(i),
            fitted=self.fitted[i].copy(),
            sse=float(self.sse[i]),
            converged=bool(self.converged[i]),
            at_bounds=[k for k, h in zip(RC_KEYS, self.at_bounds[i], strict=True) if h],
            n_params=self.n_params,
            r2=float(self.r2[i]),
            n_obs=int(self.n_obs[i]),
            n_starts=self.n_starts,
            message=f"{how}: {flag}",
            params_array=self.params[i].copy(),
        )


def fit_rogers_castro_many(
    ages: np.ndarray,
    rates: np.ndarray,
    n_params: int = 11,
    weights: np.ndarray | None = None,
    *,
    max_iter: int = 300,
    race_iter: int = 12,
    tol: float = 1e-8,
    polish: bool = False,
    workers: int | None = None,
) -> RogersCastroBatch:
    """ROGEST for many schedules at once (handbook §2.4; Rogers & Castro 1981).

    Minimises, independently for every row ``i``,

    .. math::

        \\sum_x w_{ix} \\left(r_{ix} - m_{\\theta_i}(x)\\right)^2,
        \\qquad l_i \\le \\theta_i \\le u_i,

    the same objective, bounds and starts as :func:`fit_rogers_castro`, with a batched
    projected Levenberg–Marquardt written in numpy: all schedules iterate together, each with
    its own damping, and the 11×11 (or 7/9/13) normal equations are solved in one batched call.

    Parameters
    ----------
    ages : array_like
        1-D ages, length A.
    rates : array_like
        (N, A) observed rates; NaN = missing.
    n_params : {7, 9, 11, 13}
    weights : array_like, optional
        (N, A) or (A,) non-negative weights.
    max_iter : int
        Iteration limit of the main phase.
    race_iter : int
        Iterations every start gets before only the best start per schedule continues.
    tol : float
        Stop a schedule when the relative decrease of the objective, the relative step or the
        largest cosine between residual and a Jacobian column falls below ``tol``
        (MINPACK's ftol, xtol, gtol).
    polish : bool
        Refine rows that did not converge with ``scipy.optimize.least_squares`` (TRF); slow
        (about 0.1 s per schedule), hence off by default.
    workers : int, optional
        Threads (row chunks) to use. Default: up to 4 threads (numpy releases the GIL in the
        array work) when there are at least 512 schedules, else 1. Results do not depend on it.

    Returns
    -------
    RogersCastroBatch
    """
    n = _check_n_params(n_params)
    x, y, w = _prepare(ages, rates, weights, batch=True)
    N = y.shape[0]
    if workers is None:
        workers = min(4, os.cpu_count() or 1) if N >= 512 else 1
    workers = max(1, int(workers))
    free = _FREE_INDEX[n]
    scale = _data_scale(y, w)
    lo, hi = rc_bounds(scale)
    starts = _starts(x, y, w, scale, n)  # (N, S, 13)
    S = starts.shape[1]
    sw = np.sqrt(w)
    n_obs = (w > 0).sum(axis=1)

    params = starts[:, 0].copy()
    converged = np.zeros(N, dtype=bool)
    n_iter = np.zeros(N, dtype=int)
    special = np.zeros(N, dtype=bool)
    for i in np.flatnonzero((n_obs == 0) | np.all(np.where(w > 0, y, 0.0) == 0.0, axis=1)):
        out = _special_case(y[i], w[i], starts[i, 0], n)
        assert out is not None
        params[i] = out[0]
        converged[i] = True
        special[i] = True

    rows = np.flatnonzero(~special)
    if rows.size:
        chunks = [c for c in np.array_split(rows, max(1, min(workers, rows.size // 64))) if c.size]

        def run(chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            # race: every start gets a few iterations, then the best start per schedule goes on
            rep = np.repeat(chunk, S)
            p1, c1, conv1, it1 = _lm_batch(
                x, y[rep], sw[rep], starts[chunk].reshape(-1, N_RC), lo[rep], hi[rep], free,
                race_iter, tol, tol, tol,
            )  # fmt: skip
            best = np.argmin(c1.reshape(-1, S), axis=1)
            pick = np.arange(chunk.size) * S + best
            p2, _, conv2, it2 = _lm_batch(
                x, y[chunk], sw[chunk], p1[pick], lo[chunk], hi[chunk], free, max_iter, tol, tol, tol
            )
            return p2, conv2 | (conv1[pick] & (it2 <= 1)), it1[pick] + it2

        if len(chunks) == 1:
            results = [run(chunks[0])]
        else:
            # numpy releases the GIL inside its kernels, so threads use both cores
            with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
                results = list(pool.map(run, chunks))
        for chunk, (p2, conv, its) in zip(chunks, results, strict=True):
            params[chunk], converged[chunk], n_iter[chunk] = p2, conv, its

    polished = np.zeros(N, dtype=bool)
    if polish:
        for i in np.flatnonzero(~converged):
            params[i], converged[i] = _polish(x, y[i], w[i], params[i], lo[i], hi[i], free)
            polished[i] = True

    fitted = _model(params, x)
    sse = np.sum(w * (y - fitted) ** 2, axis=1)
    return RogersCastroBatch(
        params=params,
        fitted=fitted,
        sse=sse,
        converged=converged,
        at_bounds=_at_bounds(params, lo, hi, free),
        r2=_weighted_r2(y, w, sse),
        n_obs=n_obs,
        n_iter=n_iter,
        polished=polished,
        n_params=n,
        ages=x,
        n_starts=S,
    )


def _polish(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    p0: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    free: np.ndarray,
) -> tuple[np.ndarray, bool]:
    """Refine one schedule with scipy's TRF from the batch result; keep it if not worse."""
    valid = w > 0
    xv, yv, swv = x[valid], y[valid], np.sqrt(w[valid])
    base = p0.copy()

    def residual(theta: np.ndarray) -> np.ndarray:
        base[free] = theta
        return swv * (_model(base[None, :], xv)[0] - yv)

    def jacobian(theta: np.ndarray) -> np.ndarray:
        base[free] = theta
        return swv[:, None] * _model_jac(base[None, :], xv, free)[1][0].T

    margin = 1e-10 * (hi - lo)
    theta0 = np.clip(p0[free], (lo + margin)[free], (hi - margin)[free])
    res = least_squares(
        residual, theta0, jac=jacobian, bounds=(lo[free], hi[free]), method="trf",
        x_scale="jac", ftol=1e-12, xtol=1e-12, gtol=1e-12, max_nfev=500,
    )  # fmt: skip
    old = float(np.sum(w * (y - _model(p0[None, :], x)[0]) ** 2))
    p = p0.copy()
    p[free] = res.x
    if 2.0 * res.cost <= old:
        return p, bool(res.status > 0)
    return p0, False
