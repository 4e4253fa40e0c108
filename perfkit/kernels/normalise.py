"""Normalisation kernels: bring indicators onto a common, higher-is-better scale.

Every kernel has the signature ``f(x, *, direction=1, **params) -> ndarray``:

* ``x`` has shape ``(..., n_units, n_ind)``; leading axes are batch axes (replicates)
  and each ``(n_units, n_ind)`` slice is normalised on its own. Column statistics
  (min, max, mean, ranks) are taken along axis -2, the units axis.
* NaN means missing: statistics ignore NaN cells and NaN cells stay NaN.
* ``direction`` is +1 (higher is better) or -1 (lower is better), one value per
  indicator or a scalar. Outputs are always higher-is-better.
* Per-indicator parameters (``lo``, ``hi``, ``low``, ``high``, ``target``) are scalars
  or arrays that broadcast against ``x`` along the last axis (shape ``(n_ind,)``
  typically).

Registry metadata
-----------------
Each method is registered in :data:`NORMALISE` with

* ``bounds``: the output range ``(lo, hi)`` under default parameters, or ``None`` for
  unbounded methods (``zscore``, ``rank``);
* ``meta["range_params"]``: ``("lo", "hi")`` when the output range follows those
  parameters, ``None`` when the range is fixed.

:func:`output_range` combines both to answer "what range will this method produce
with these parameters?".
"""
from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping

import numpy as np

from perfkit.errors import did_you_mean
from perfkit.kernels.rank import _rank_along
from perfkit.kernels.registry import Registry

__all__ = [
    "NORMALISE",
    "ConstantColumnWarning",
    "TargetReachedWarning",
    "output_range",
    "minmax",
    "zscore",
    "rank",
    "percentile_rank",
    "goalposts",
    "distance_to_target",
    "distance_to_best",
    "ratio_to_max",
]

NORMALISE = Registry("normalise")


class ConstantColumnWarning(UserWarning):
    """An indicator has no spread (all non-missing values equal) in some slice."""


class TargetReachedWarning(UserWarning):
    """Every unit already meets the target, so all get the top of the range."""


# --------------------------------------------------------------------------- helpers


def _as_matrix(x, who: str) -> np.ndarray:
    try:
        arr = np.array(x, dtype=float)  # a copy: kernels never modify the input
    except (TypeError, ValueError):
        raise TypeError(f"{who}: x must be a numeric array (NaN for missing values)") from None
    if arr.ndim < 2:
        raise ValueError(
            f"{who}: x must have shape (..., n_units, n_ind); got {arr.ndim}-D input "
            "(for a single indicator use x[:, None])"
        )
    if np.isinf(arr).any():
        raise ValueError(f"{who}: x contains infinite values; use NaN for missing values")
    return arr


def _direction(direction, n_ind: int, who: str) -> np.ndarray:
    d = np.asarray(direction, dtype=float)
    if d.ndim > 1 or (d.ndim == 1 and d.shape[0] != n_ind):
        raise ValueError(
            f"{who}: direction must be a scalar or one value per indicator "
            f"(shape ({n_ind},)); got shape {d.shape}"
        )
    if not np.all((d == 1) | (d == -1)):
        raise ValueError(f"{who}: direction values must be +1 or -1; got {np.unique(d).tolist()}")
    return np.broadcast_to(d, (n_ind,))


def _param(value, name: str, x: np.ndarray, who: str) -> np.ndarray:
    """A per-indicator parameter: finite, broadcasting against ``x`` without growing it."""
    if value is None:
        raise ValueError(f"{who}: parameter {name!r} is required")
    try:
        p = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {name} must be numeric") from None
    try:
        shape = np.broadcast_shapes(p.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(
            f"{who}: {name} must be a scalar or one value per indicator "
            f"(shape ({x.shape[-1]},)); got shape {p.shape}"
        )
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{who}: {name} must be finite")
    return p


def _lo_hi(lo, hi, x, who):
    lo_a = _param(lo, "lo", x, who)
    hi_a = _param(hi, "hi", x, who)
    if np.any(lo_a >= hi_a):
        raise ValueError(f"{who}: lo must be less than hi (got lo={lo!r}, hi={hi!r})")
    return lo_a, hi_a


def _count(x: np.ndarray) -> np.ndarray:
    return np.sum(~np.isnan(x), axis=-2, keepdims=True)


def _col_min(x: np.ndarray) -> np.ndarray:
    return np.fmin.reduce(x, axis=-2, keepdims=True)  # ignores NaN, no all-NaN warning


def _col_max(x: np.ndarray) -> np.ndarray:
    return np.fmax.reduce(x, axis=-2, keepdims=True)


def _col_mean(x: np.ndarray) -> np.ndarray:
    n = _count(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isnan(x), 0.0, x).sum(axis=-2, keepdims=True) / n


def _col_sd(x: np.ndarray, ddof: int) -> np.ndarray:
    n = _count(x)
    m = _col_mean(x)
    sq = np.where(np.isnan(x), 0.0, (x - m) ** 2).sum(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.where(n > ddof, sq / (n - ddof), np.nan))


def _flag_columns(mask: np.ndarray) -> list[int]:
    """Indicator (last-axis) indices where ``mask`` is true in any batch slice."""
    cols = np.any(mask.reshape(-1, mask.shape[-1]), axis=0)
    return np.flatnonzero(cols).tolist()


def _warn_constant(who: str, cols: list[int], what: str) -> None:
    warnings.warn(
        f"{who}: indicator column(s) {cols} have no spread (all non-missing values "
        f"equal, or a single value); {what}",
        ConstantColumnWarning,
        stacklevel=3,
    )


# --------------------------------------------------------------------------- kernels


@NORMALISE.register("minmax", bounds=(0.0, 100.0), range_params=("lo", "hi"))
def minmax(x, *, direction=1, lo=0.0, hi=100.0) -> np.ndarray:
    """Min-max scaling of each indicator onto ``[lo, hi]``.

    ``y = lo + (hi - lo) * (x - min) / (max - min)`` with min and max taken over the
    units (axis -2), ignoring NaN. For ``direction=-1`` the scale is flipped, so the
    smallest raw value gets ``hi``.

    A column without spread (all non-missing values equal) cannot be scaled: its
    values are set to the midpoint ``(lo + hi) / 2`` and a
    :class:`ConstantColumnWarning` names the column. It is never silently turned into
    ``lo`` or ``hi``.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator (scalar broadcasts).
    lo, hi
        Output range, scalars or one value per indicator; ``lo < hi``.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[lo, hi]``.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and
    User Guide*, section 5 (min-max normalisation). COINr ``n_minmax()``,
    ``R/normalise.R`` (bluefoxr/COINr).

    Examples
    --------
    >>> minmax([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0]], direction=[1, -1])
    array([[  0., 100.],
           [ 50.,   0.],
           [100.,  50.]])
    """
    who = "minmax"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    lo_a, hi_a = _lo_hi(lo, hi, x, who)
    xd = x * d
    mn, mx = _col_min(xd), _col_max(xd)
    rng = mx - mn
    flat = (rng == 0) & (_count(xd) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(flat, 0.5, (xd - mn) / np.where(flat, 1.0, rng))
    out = lo_a + (hi_a - lo_a) * unit
    out = np.where(np.isnan(x), np.nan, out)
    if flat.any():
        _warn_constant(who, _flag_columns(flat), "set to the midpoint (lo + hi) / 2")
    return out


@NORMALISE.register("zscore", bounds=None, range_params=None)
def zscore(x, *, direction=1, mean=0.0, sd=1.0) -> np.ndarray:
    """Standardise each indicator to mean ``mean`` and standard deviation ``sd``.

    ``y = mean + sd * (x - m) / s`` where ``m`` and ``s`` are the column mean and the
    *sample* standard deviation (``ddof=1``, as R's ``sd()`` used by COINr
    ``n_zscore()``), ignoring NaN. ``direction=-1`` flips the sign.

    A column whose standard deviation is zero or undefined (fewer than two values) is
    set to ``mean`` with a :class:`ConstantColumnWarning`.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    mean, sd
        Target mean and standard deviation (``sd > 0``), scalars or per indicator.

    Returns
    -------
    ndarray
        Same shape as ``x``; unbounded.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5
    (standardisation). COINr ``n_zscore()``, ``R/normalise.R``.

    Examples
    --------
    >>> zscore([[1.0], [2.0], [3.0]])
    array([[-1.],
           [ 0.],
           [ 1.]])
    """
    who = "zscore"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    mean_a = _param(mean, "mean", x, who)
    sd_a = _param(sd, "sd", x, who)
    if np.any(sd_a <= 0):
        raise ValueError(f"{who}: sd must be positive (got {sd!r})")
    xd = x * d
    m = _col_mean(xd)
    s = _col_sd(xd, ddof=1)
    flat = ~(s > 0) & (_count(xd) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(flat, 0.0, (xd - m) / np.where(flat, 1.0, s))
    out = mean_a + sd_a * z
    out = np.where(np.isnan(x), np.nan, out)
    if flat.any():
        _warn_constant(who, _flag_columns(flat), "set to the target mean")
    return out


@NORMALISE.register("rank", bounds=None, range_params=None)
def rank(x, *, direction=1) -> np.ndarray:
    """Rank units within each indicator: 1 for the worst, n for the best.

    Higher output is better. Ties get the average of their ranks; NaN cells stay NaN
    and ``n`` counts only the non-missing units of the column.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.

    Returns
    -------
    ndarray
        Same shape as ``x``; values in ``[1, n]``, so unbounded across data sets.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5
    (ranking).

    Examples
    --------
    >>> rank([[10.0], [30.0], [20.0], [30.0]])
    array([[1. ],
           [3.5],
           [2. ],
           [3.5]])
    """
    who = "rank"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    return _rank_along(x * d, -2, "average")


@NORMALISE.register("percentile_rank", bounds=(0.0, 100.0), range_params=None)
def percentile_rank(x, *, direction=1) -> np.ndarray:
    """Percentile rank in ``[0, 100]``: the share of other units strictly beaten.

    ``y = 100 * (r - 1) / (n - 1)`` where ``r`` is the rank with ties given the
    smallest rank (so tied units share the lower percentile) and ``n`` is the number
    of non-missing units; this is COINr's ``n_prank()`` scaled to 0-100. The best unit
    gets 100, the worst 0.

    A column without spread (including a single non-missing value) gets 50 for every
    unit, with a :class:`ConstantColumnWarning`, consistent with :func:`minmax`.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[0, 100]``.

    References
    ----------
    COINr ``n_prank()``, ``R/normalise.R`` (bluefoxr/COINr).

    Examples
    --------
    >>> percentile_rank([[5.0], [1.0], [3.0], [3.0], [9.0]])
    array([[ 75.],
           [  0.],
           [ 25.],
           [ 25.],
           [100.]])
    """
    who = "percentile_rank"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    xd = x * d
    r = _rank_along(xd, -2, "min")
    n = _count(xd)
    flat = (_col_max(xd) == _col_min(xd)) & (n > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(flat, 50.0, 100.0 * (r - 1.0) / (n - 1.0))
    out = np.where(np.isnan(x), np.nan, out)
    if flat.any():
        _warn_constant(who, _flag_columns(flat), "set to 50")
    return out


@NORMALISE.register("goalposts", bounds=(0.0, 100.0), range_params=("lo", "hi"))
def goalposts(x, *, direction=1, low=None, high=None, lo=0.0, hi=100.0) -> np.ndarray:
    """Goalpost normalisation: distance from the worst to the best goalpost.

    ``low`` is the *worst* goalpost and ``high`` the *best* one, whatever the
    indicator's direction: ``y = (x - low) / (high - low)``, clipped to ``[0, 1]`` and
    mapped onto ``[lo, hi]``. For a lower-is-better indicator give ``low > high``
    (e.g. unemployment: ``low=25``, ``high=2``). The goalposts therefore imply the
    direction, and ``direction`` must agree with them (``sign(high - low)``); a
    mismatch raises, because it almost always means swapped goalposts.

    Goalposts are fixed in advance, so the scores of one round do not depend on the
    other units and are comparable across rounds.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator, checked against the goalposts.
    low, high
        Worst and best goalposts, scalars or per indicator; ``low != high``.
    lo, hi
        Output range; ``lo < hi``.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[lo, hi]``.

    References
    ----------
    UNDP (2010), *Human Development Report 2010*, Technical notes (goalposts).
    COINr ``n_goalposts()``, ``R/normalise.R``.

    Examples
    --------
    >>> goalposts([[0.0, 30.0], [5.0, 10.0], [12.0, 1.0]], direction=[1, -1],
    ...           low=[0.0, 25.0], high=[10.0, 5.0])
    array([[  0.,   0.],
           [ 50.,  75.],
           [100., 100.]])
    """
    who = "goalposts"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    low_a = _param(low, "low", x, who)
    high_a = _param(high, "high", x, who)
    lo_a, hi_a = _lo_hi(lo, hi, x, who)
    span = high_a - low_a
    if np.any(span == 0):
        raise ValueError(f"{who}: low (worst) and high (best) goalposts must differ")
    implied = np.sign(span)
    bad = np.broadcast_to(implied != d, np.broadcast_shapes(implied.shape, d.shape))
    if np.any(bad):
        raise ValueError(
            f"{who}: goalposts contradict direction for indicator column(s) "
            f"{_flag_columns(bad)}: "
            "low is the worst goalpost and high the best, so low < high means "
            "direction +1 and low > high means direction -1"
        )
    y = np.clip((x - low_a) / span, 0.0, 1.0)
    return lo_a + (hi_a - lo_a) * y


@NORMALISE.register("distance_to_target", bounds=(0.0, 100.0), range_params=("lo", "hi"))
def distance_to_target(x, *, direction=1, target=None, lo=0.0, hi=100.0) -> np.ndarray:
    """Progress from the worst observed value to a target, capped at the target.

    For ``direction=+1``: ``y = (x - min) / (target - min)``; for ``direction=-1``:
    ``y = (max - x) / (max - target)``; ``y`` is capped at 1 (units at or beyond the
    target get ``hi``) and mapped onto ``[lo, hi]``. This is COINr's ``n_dist2targ()``
    (``1 - (targ - x) / (targ - min)``) with ``cap_max = TRUE`` and with the direction
    handled here instead of by negating the data beforehand.

    If the target is not better than the worst observed value, every unit already
    meets it: all non-missing values get ``hi`` and a :class:`TargetReachedWarning` is
    issued (COINr instead warns that scores would be negative).

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    target
        Target value, scalar or per indicator (required).
    lo, hi
        Output range; ``lo < hi``.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[lo, hi]``.

    References
    ----------
    COINr ``n_dist2targ()``, ``R/normalise.R`` (bluefoxr/COINr).

    Examples
    --------
    >>> distance_to_target([[2.0], [4.0], [6.0], [12.0]], target=10.0)
    array([[  0.],
           [ 25.],
           [ 50.],
           [100.]])
    """
    who = "distance_to_target"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    t = _param(target, "target", x, who)
    lo_a, hi_a = _lo_hi(lo, hi, x, who)
    xd, td = x * d, t * d
    worst = _col_min(xd)
    span = td - worst
    reached = ~(span > 0) & (_count(xd) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(reached, 1.0, (xd - worst) / np.where(reached, 1.0, span))
    y = np.clip(y, 0.0, 1.0)
    out = np.where(np.isnan(x), np.nan, lo_a + (hi_a - lo_a) * y)
    if reached.any():
        warnings.warn(
            f"{who}: every unit meets the target for indicator column(s) "
            f"{_flag_columns(reached)} (target not better than the worst value); "
            "all set to hi",
            TargetReachedWarning,
            stacklevel=2,
        )
    return out


@NORMALISE.register("distance_to_best", bounds=(0.0, 100.0), range_params=None)
def distance_to_best(x, *, direction=1) -> np.ndarray:
    """Relative distance to the best performer: ``100 * (1 - |best - x| / |best|)``.

    ``best`` is the column maximum (``direction=+1``) or minimum (``direction=-1``).
    Units further than ``|best|`` from the best score 0 (clipped). The best unit
    scores 100.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[0, 100]``.

    Raises
    ------
    ValueError
        If the best value of a column is 0 (the relative distance is undefined).

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5
    (distance to a reference: the leader).

    Examples
    --------
    >>> distance_to_best([[50.0, 4.0], [80.0, 2.0], [100.0, 8.0]], direction=[1, -1])
    array([[ 50.,   0.],
           [ 80., 100.],
           [100.,   0.]])
    """
    who = "distance_to_best"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    best = np.where(d > 0, _col_max(x), _col_min(x))
    zero = best == 0
    if zero.any():
        raise ValueError(
            f"{who}: the best value is 0 for indicator column(s) {_flag_columns(zero)}, "
            "so the distance relative to it is undefined; use minmax or goalposts"
        )
    with np.errstate(invalid="ignore"):
        return np.clip(100.0 * (1.0 - np.abs(best - x) / np.abs(best)), 0.0, None)


@NORMALISE.register("ratio_to_max", bounds=(0.0, 100.0), range_params=None)
def ratio_to_max(x, *, direction=1) -> np.ndarray:
    """Ratio to the best value: ``100 * x / max`` (or ``100 * min / x`` if lower is better).

    Only meaningful for ratio-scale indicators with strictly positive values.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)`` of positive values.
    direction
        +1 or -1 per indicator.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``(0, 100]``.

    Raises
    ------
    ValueError
        If any non-missing value is zero or negative.

    References
    ----------
    COINr ``n_fracmax()``, ``R/normalise.R`` (bluefoxr/COINr).

    Examples
    --------
    >>> ratio_to_max([[2.0, 2.0], [4.0, 8.0]], direction=[1, -1])
    array([[ 50., 100.],
           [100.,  25.]])
    """
    who = "ratio_to_max"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    nonpos = x <= 0
    if nonpos.any():
        raise ValueError(
            f"{who}: needs strictly positive values; indicator column(s) "
            f"{_flag_columns(nonpos)} contain zeros or negatives "
            "(use minmax or goalposts instead)"
        )
    return np.where(d > 0, 100.0 * x / _col_max(x), 100.0 * _col_min(x) / x)


# --------------------------------------------------------------------------- metadata


def _check_params(name: str, func, params: Mapping) -> None:
    accepted = [
        p.name for p in inspect.signature(func).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    for key in params:
        if key not in accepted:
            raise TypeError(
                f"normalise method {name!r} has no parameter {key!r}"
                f"{did_you_mean(key, accepted)}; accepted: {', '.join(accepted)}"
            )


def output_range(name: str, params: Mapping | None = None) -> tuple[float, float] | None:
    """Output range of normalisation ``name`` with ``params``, or ``None`` if unbounded.

    For methods whose range follows ``lo``/``hi`` (``minmax``, ``goalposts``,
    ``distance_to_target``) the given values are used (defaults otherwise); when they
    are per-indicator arrays the returned range is ``(min(lo), max(hi))``, the range
    covering all indicators.

    Parameters
    ----------
    name
        A method registered in :data:`NORMALISE`.
    params
        The parameters the method will be called with (``direction`` and ``x``
        excluded or included, both fine).

    Raises
    ------
    perfkit.errors.UnknownNameError
        Unknown method name.
    TypeError
        A parameter the method does not accept (with a "did you mean" hint).

    Examples
    --------
    >>> output_range("minmax", {"lo": 1, "hi": 10})
    (1.0, 10.0)
    >>> output_range("percentile_rank")
    (0.0, 100.0)
    >>> output_range("zscore", {"mean": 100, "sd": 10}) is None
    True
    """
    method = NORMALISE.get(name)
    params = dict(params or {})
    _check_params(name, method.func, params)
    if method.bounds is None:
        return None
    range_params = method.meta.get("range_params")
    if not range_params:
        return (float(method.bounds[0]), float(method.bounds[1]))
    lo_name, hi_name = range_params
    lo = np.asarray(params.get(lo_name, method.bounds[0]), dtype=float)
    hi = np.asarray(params.get(hi_name, method.bounds[1]), dtype=float)
    return (float(np.min(lo)), float(np.max(hi)))
