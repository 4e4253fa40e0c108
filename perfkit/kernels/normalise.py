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
  methods without a fixed finite range (``zscore``, ``rank``, the ratios and differences
  to a reference, ``cyclical``, ``identity``; each docstring states its exact range);
* ``meta["range_params"]``: ``("lo", "hi")`` when the output range follows those
  parameters, ``None`` when the range is fixed;
* ``meta["range_fn"]``: for the few methods whose range follows other parameters (the
  ``scores`` of ``categorical``, the ``scale`` of ``ratio_to_max``), a function of the
  parameters (defaults filled in) returning ``(lo, hi)``;
* ``meta["choices"]``: for text parameters, ``{name: (allowed values, ...)}`` (the
  ``ties`` of ``rank``, the ``definition`` of ``percentile_rank`` ...), so a caller can
  check a choice before running the method.

:func:`output_range` combines them to answer "what range will this method produce
with these parameters?".

The handbook's Table 3 (OECD/JRC 2008, p. 30) is covered as follows: ranking
(:func:`rank`), standardisation (:func:`zscore`), min-max (:func:`minmax`), distance to
a reference (:func:`ratio_to_mean`, :func:`ratio_to_max`, :func:`ratio_to_worst`,
:func:`difference_from_mean`, :func:`difference_from_best`,
:func:`difference_from_worst`; a target is :func:`distance_to_target`), categorical
scales (:func:`categorical`), above or below the mean (:func:`above_below_mean`) and
cyclical indicators (:func:`cyclical`). Its items 8 and 9 (balance of opinions, annual
differences) need several rounds or expert surveys and are not cross-sectional kernels.
"""
from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping

import numpy as np

from perfkit.errors import did_you_mean
from perfkit.kernels.rank import TIES, _rank_along, check_ties
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
    "ratio_to_mean",
    "ratio_to_worst",
    "difference_from_mean",
    "difference_from_best",
    "difference_from_worst",
    "above_below_mean",
    "categorical",
    "cyclical",
    "identity",
    "PERCENTILE_DEFINITIONS",
    "QUANTILE_METHODS",
]

NORMALISE = Registry("normalise")

#: Definitions of :func:`percentile_rank`: ``"(r-1)/(n-1)"`` (the ranks rescaled onto
#: 0-100, COINr ``n_prank()``) and ``"r/n"`` (the handbook's percentile, Table 15).
PERCENTILE_DEFINITIONS = ("(r-1)/(n-1)", "r/n")

#: Percentile definitions :func:`categorical` accepts (numpy's ``quantile`` methods).
QUANTILE_METHODS = (
    "inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
    "hazen", "weibull", "linear", "median_unbiased", "normal_unbiased",
    "lower", "higher", "midpoint", "nearest",
)


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


def _choice(value, options: tuple[str, ...], name: str, who: str) -> str:
    if value not in options:
        raise ValueError(f"{who}: {name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def _require_positive(x: np.ndarray, who: str) -> None:
    nonpos = x <= 0
    if nonpos.any():
        raise ValueError(
            f"{who}: needs strictly positive values; indicator column(s) "
            f"{_flag_columns(nonpos)} contain zeros or negatives "
            "(use minmax or goalposts instead)"
        )


def _scale(scale, x: np.ndarray, who: str) -> np.ndarray:
    s = _param(scale, "scale", x, who)
    if np.any(s <= 0):
        raise ValueError(f"{who}: scale must be positive (got {scale!r})")
    return s


def _reference(x: np.ndarray, d: np.ndarray, kind: str) -> np.ndarray:
    """Column reference values: the mean, or the best or worst unit given the direction."""
    if kind == "mean":
        return _col_mean(x)
    hi = kind == "best"
    return np.where((d > 0) == hi, _col_max(x), _col_min(x))


def _ratio(x, direction, scale, kind: str, who: str) -> np.ndarray:
    """``scale * x / ref`` (higher is better) or ``scale * ref / x`` (lower is better)."""
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    s = _scale(scale, x, who)
    _require_positive(x, who)
    ref = _reference(x, d, kind)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d > 0, s * x / ref, s * ref / x)


def _difference(x, direction, scale, kind: str, who: str) -> np.ndarray:
    """``scale * direction * (x - ref) / |ref|``: the signed relative distance to ``ref``."""
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    s = _scale(scale, x, who)
    ref = _reference(x, d, kind)
    zero = ref == 0
    if zero.any():
        raise ValueError(
            f"{who}: the {kind} value is 0 for indicator column(s) {_flag_columns(zero)}, so the "
            "distance relative to it is undefined; use minmax or goalposts"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        return s * d * (x - ref) / np.abs(ref) + 0.0  # + 0.0: no -0.0 for the reference unit


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


@NORMALISE.register("rank", bounds=None, range_params=None, choices={"ties": TIES})
def rank(x, *, direction=1, ties="average") -> np.ndarray:
    """Rank units within each indicator: 1 for the worst, n for the best.

    Higher output is better. NaN cells stay NaN and ``n`` counts only the non-missing
    units of the column. ``ties`` says how tied units share ranks (:data:`TIES`):

    * ``"average"`` (default): the mean of the ranks the tie occupies, "1 2.5 2.5 4";
    * ``"min"``: the lowest, "1 2 2 4" (the handbook's Table 15 and COINr's ``n_rank()``);
    * ``"max"``: the highest, "1 3 3 4";
    * ``"dense"``: consecutive ranks without gaps, "1 2 2 3".

    The default is ``"average"`` because it is the only choice that neither rewards nor
    penalises a tie: a tied unit gets its expected rank if the tie were broken at random,
    and the column's ranks keep their sum ``n (n + 1) / 2`` whatever the ties, so a tie
    moves no points between units in a weighted sum. ``"min"`` (which gives tied units
    less than their share) reproduces the handbook and COINr.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    ties
        ``"average"``, ``"min"``, ``"max"`` or ``"dense"``.

    Returns
    -------
    ndarray
        Same shape as ``x``; values in ``[1, n]``, so unbounded across data sets.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5
    (ranking) and Table 15. COINr ``n_rank()``, ``R/normalise.R``.

    Examples
    --------
    >>> rank([[10.0], [30.0], [20.0], [30.0]])
    array([[1. ],
           [3.5],
           [2. ],
           [3.5]])
    >>> rank([[10.0], [30.0], [20.0], [30.0]], ties="dense")[:, 0]
    array([1., 3., 2., 3.])
    """
    who = "rank"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    return _rank_along(x * d, -2, check_ties(ties, who))


@NORMALISE.register("percentile_rank", bounds=(0.0, 100.0), range_params=None,
                    choices={"ties": TIES, "definition": PERCENTILE_DEFINITIONS})
def percentile_rank(x, *, direction=1, ties="min", definition="(r-1)/(n-1)") -> np.ndarray:
    """Percentile rank in ``[0, 100]``, by one of two named definitions.

    With ``r`` the rank of the unit in its column (1 = worst, ties as ``ties`` says,
    default ``"min"`` so tied units share the lower percentile) and ``n`` the number of
    non-missing units:

    * ``definition="(r-1)/(n-1)"`` (default): ``y = 100 (r - 1) / (n - 1)``, the ranks
      rescaled onto 0-100 (the worst unit 0, the best 100); COINr's ``n_prank()`` times
      100. A column without spread (including a single non-missing value) gets 50 for
      every unit, with a :class:`ConstantColumnWarning`, consistent with :func:`minmax`;
    * ``definition="r/n"``: ``y = 100 r / n``, the handbook's percentile (Table 15: the
      best unit 100, the worst ``100 / n``), applied as written, also without spread.

    The default keeps the earlier behaviour of this method; name the definition in a
    scheme (``normalise: {method: percentile_rank, definition: r/n}``) to use the
    handbook's. With ``ties="dense"`` the best unit gets less than 100 when a column
    has ties.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    ties
        How tied units share ranks (:data:`perfkit.kernels.rank.TIES`).
    definition
        ``"(r-1)/(n-1)"`` or ``"r/n"`` (:data:`PERCENTILE_DEFINITIONS`).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[0, 100]``.

    References
    ----------
    COINr ``n_prank()``, ``R/normalise.R`` (bluefoxr/COINr). OECD/JRC (2008),
    *Handbook on Constructing Composite Indicators*, Table 15 ("Percentile").

    Examples
    --------
    >>> percentile_rank([[5.0], [1.0], [3.0], [3.0], [9.0]])
    array([[ 75.],
           [  0.],
           [ 25.],
           [ 25.],
           [100.]])
    >>> percentile_rank([[5.0], [1.0], [3.0], [3.0], [9.0]], definition="r/n")[:, 0]
    array([ 80.,  20.,  40.,  40., 100.])
    """
    who = "percentile_rank"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    _choice(definition, PERCENTILE_DEFINITIONS, "definition", who)
    xd = x * d
    r = _rank_along(xd, -2, check_ties(ties, who))
    n = _count(xd)
    if definition == "r/n":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.isnan(x), np.nan, 100.0 * r / n)
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


def _scale_range(params) -> tuple[float, float]:
    return (0.0, float(np.max(params["scale"])))


@NORMALISE.register("ratio_to_max", aliases=("ratio_to_best",), bounds=(0.0, 100.0), range_params=None,
                    range_fn=_scale_range)
def ratio_to_max(x, *, direction=1, scale=100.0) -> np.ndarray:
    """Ratio to the best value: ``scale * x / max`` (or ``scale * min / x`` if lower is better).

    The handbook's distance to a reference with the leader as reference, as a ratio
    ("the leading country receives 1", Table 15 "c = best" with ``scale=1``). Only
    meaningful for ratio-scale indicators with strictly positive values. Also
    registered as ``ratio_to_best``.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)`` of positive values.
    direction
        +1 or -1 per indicator.
    scale
        The value of the best unit (default 100; 1 gives the handbook's ratio).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``(0, scale]``.

    Raises
    ------
    ValueError
        If any non-missing value is zero or negative.

    References
    ----------
    COINr ``n_fracmax()``, ``R/normalise.R`` (bluefoxr/COINr). OECD/JRC (2008),
    *Handbook on Constructing Composite Indicators*, section 5.4 and Table 15.

    Examples
    --------
    >>> ratio_to_max([[2.0, 2.0], [4.0, 8.0]], direction=[1, -1])
    array([[ 50., 100.],
           [100.,  25.]])
    """
    return _ratio(x, direction, scale, "best", "ratio_to_max")


@NORMALISE.register("ratio_to_mean", bounds=None, range_params=None)
def ratio_to_mean(x, *, direction=1, scale=100.0) -> np.ndarray:
    """Ratio to the mean unit: ``scale * x / mean`` (``scale * mean / x`` if lower is better).

    The handbook's distance to a reference with the average country as reference: the
    mean scores ``scale`` ("assigned a value of 1" with ``scale=1``), units above the
    mean more. The mean is taken over the non-missing units of the column. For a
    lower-is-better indicator the ratio is inverted, so that higher stays better and
    the result stays a ratio. Needs strictly positive values.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)`` of positive values.
    direction
        +1 or -1 per indicator.
    scale
        The value of a unit at the mean (default 100; 1 gives the handbook's ratio).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``(0, inf)``; ``scale`` at the mean.

    Raises
    ------
    ValueError
        If any non-missing value is zero or negative.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5.4,
    Table 3 (method 4) and Table 15 ("ratio, c = mean").

    Examples
    --------
    >>> ratio_to_mean([[1.0, 1.0], [3.0, 4.0]], direction=[1, -1])
    array([[ 50. , 250. ],
           [150. ,  62.5]])
    """
    return _ratio(x, direction, scale, "mean", "ratio_to_mean")


@NORMALISE.register("ratio_to_worst", bounds=None, range_params=None)
def ratio_to_worst(x, *, direction=1, scale=100.0) -> np.ndarray:
    """Ratio to the worst unit: ``scale * x / min`` (``scale * max / x`` if lower is better).

    The handbook's distance to a reference with the laggard as reference: the worst
    unit scores ``scale``, the others the multiple of it they reach. Needs strictly
    positive values.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)`` of positive values.
    direction
        +1 or -1 per indicator.
    scale
        The value of the worst unit (default 100; 1 gives the handbook's ratio).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[scale, inf)``.

    Raises
    ------
    ValueError
        If any non-missing value is zero or negative.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5.4 and
    Table 15 ("ratio, c = worst").

    Examples
    --------
    >>> ratio_to_worst([[2.0, 2.0], [5.0, 8.0]], direction=[1, -1])
    array([[100., 400.],
           [250., 100.]])
    """
    return _ratio(x, direction, scale, "worst", "ratio_to_worst")


@NORMALISE.register("difference_from_mean", bounds=None, range_params=None)
def difference_from_mean(x, *, direction=1, scale=100.0) -> np.ndarray:
    """Relative difference from the mean: ``scale * (x - mean) / |mean|``.

    The handbook's distance to a reference "centred on 0" with the average country as
    reference (``scale=1``); the default reads as per cent above (+) or below (-) the
    mean. For a lower-is-better indicator the sign is flipped, so that being below the
    mean counts as being better. Dividing by ``|mean|`` keeps "higher is better" when
    the mean is negative.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    scale
        100 (default, per cent) or 1 (the handbook's fraction).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``(-inf, inf)``; 0 at the mean.

    Raises
    ------
    ValueError
        If the mean of a column is 0.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5.4,
    Table 3 (method 4) and Table 15 ("difference, c = mean").

    Examples
    --------
    >>> difference_from_mean([[1.0, 1.0], [3.0, 3.0]], direction=[1, -1])
    array([[-50.,  50.],
           [ 50., -50.]])
    """
    return _difference(x, direction, scale, "mean", "difference_from_mean")


@NORMALISE.register("difference_from_best", bounds=None, range_params=None)
def difference_from_best(x, *, direction=1, scale=100.0) -> np.ndarray:
    """Relative difference from the best unit: ``scale * (x - best) / |best|``, at most 0.

    ``best`` is the column maximum (``direction=+1``) or minimum (``-1``, and then the
    sign is flipped so that every unit but the best is below 0). The best unit scores
    0; the others the share (per cent with the default) they fall short of it.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    scale
        100 (default, per cent) or 1 (the handbook's fraction).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``(-inf, 0]``.

    Raises
    ------
    ValueError
        If the best value of a column is 0.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5.4
    ("the reference country can be ... the group leader").

    Examples
    --------
    >>> difference_from_best([[2.0, 2.0], [4.0, 8.0]], direction=[1, -1])
    array([[ -50.,    0.],
           [   0., -300.]])
    """
    return _difference(x, direction, scale, "best", "difference_from_best")


@NORMALISE.register("difference_from_worst", bounds=None, range_params=None)
def difference_from_worst(x, *, direction=1, scale=100.0) -> np.ndarray:
    """Relative difference from the worst unit: ``scale * (x - worst) / |worst|``, at least 0.

    ``worst`` is the column minimum (``direction=+1``) or maximum (``-1``, sign flipped).
    The worst unit scores 0; the others how far (per cent with the default) they are
    ahead of it.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    scale
        100 (default, per cent) or 1 (the handbook's fraction).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``[0, inf)``.

    Raises
    ------
    ValueError
        If the worst value of a column is 0.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5.4 and
    Table 15 ("difference, c = worst").

    Examples
    --------
    >>> difference_from_worst([[2.0, 2.0], [5.0, 8.0]], direction=[1, -1])
    array([[  0.,  75.],
           [150.,   0.]])
    """
    return _difference(x, direction, scale, "worst", "difference_from_worst")


@NORMALISE.register("above_below_mean", bounds=(-1.0, 1.0), range_params=None)
def above_below_mean(x, *, direction=1, p=0.2) -> np.ndarray:
    """+1 above the mean by more than ``p``, -1 below it by more than ``p``, 0 around it.

    The handbook's rule with ``w = x / mean``: 1 if ``w > 1 + p``, 0 if
    ``1 - p <= w <= 1 + p``, -1 if ``w < 1 - p`` (the handbook uses ``p = 0.2``, 20 %
    around the mean). It is computed as ``(x - mean) / |mean|`` against ``p``, which is
    the same for a positive mean and keeps "above" meaning "higher" for a negative one;
    values on a threshold up to rounding (1e-12) count as around the mean. For a
    lower-is-better indicator the sign is flipped (well below the mean gives +1).

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    p
        Threshold around the mean, a share (``p >= 0``), scalar or per indicator.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``{-1, 0, 1}``.

    Raises
    ------
    ValueError
        If the mean of a column is 0, or ``p`` is negative.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5.5,
    Table 3 (method 6) and Table 15 (p = 20 %); EC (2001), Summary Innovation Index.

    Examples
    --------
    >>> above_below_mean([[5.0], [9.0], [10.0], [16.0]])[:, 0]  # mean 10
    array([-1.,  0.,  0.,  1.])
    """
    who = "above_below_mean"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    p_a = _param(p, "p", x, who)
    if np.any(p_a < 0):
        raise ValueError(f"{who}: p must not be negative (got {p!r}); it is a share around the mean")
    w = _difference(x, d, 1.0, "mean", who)
    out = np.where(w > p_a + 1e-12, 1.0, np.where(w < -p_a - 1e-12, -1.0, 0.0))
    return np.where(np.isnan(x), np.nan, out)


def _scores_range(params) -> tuple[float, float]:
    s = np.asarray(params["scores"], dtype=float)
    return (float(s.min()), float(s.max()))


@NORMALISE.register("categorical", bounds=(0.0, 100.0), range_params=None, range_fn=_scores_range,
                    choices={"quantile": QUANTILE_METHODS})
def categorical(x, *, direction=1, percentiles=(15, 25, 65, 85, 95), scores=(0, 20, 40, 60, 80, 100),
                quantile="inverted_cdf") -> np.ndarray:
    """Categorical scale: a score per band between percentiles of the indicator.

    With cut-offs ``P_k``, the ``percentiles[k]``-th percentiles of the column (units
    axis, NaN ignored), a unit gets ``scores[b]`` where ``b`` is the number of cut-offs
    at or below its value: with the defaults (the handbook's example, Table 3) 0 below
    ``P15``, 20 from ``P15`` up to ``P25``, 40, 60, 80, and 100 from ``P95`` up (the top
    5 %). For a lower-is-better indicator the percentiles are those of ``-x``, so the
    lowest values get the top score.

    ``quantile`` is numpy's percentile definition. The default ``"inverted_cdf"``
    (Hyndman and Fan's type 1, the percentile of the empirical distribution) makes
    ``x >= P_k`` mean "at least k % of the units are at or below this unit", so a
    unit's band depends only on how many units it equals or beats, not on how far
    apart their values are: the scale stays ordinal, as a categorical scale should, and
    it reproduces the categorical column of the handbook's Table 15. ``"linear"`` is R's
    and numpy's default (type 7), which interpolates between neighbouring values.

    A column without spread puts every unit in the top band, with a
    :class:`ConstantColumnWarning`.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.
    percentiles
        Strictly increasing cut-offs in ``[0, 100]`` (the same for every indicator).
    scores
        One score more than cut-offs, non-decreasing (higher is better).
    quantile
        A method of :func:`numpy.quantile` (:data:`QUANTILE_METHODS`).

    Returns
    -------
    ndarray
        Same shape as ``x``, values among ``scores``, so in ``[min(scores), max(scores)]``
        (``[0, 100]`` with the defaults).

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, Table 3 (method 5)
    and Table 15. Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical
    packages. *The American Statistician* 50(4), 361-365.

    Examples
    --------
    >>> categorical([[1.0], [2.0], [3.0], [4.0]], percentiles=[50], scores=[0, 100])[:, 0]
    array([  0., 100., 100., 100.])
    >>> categorical([[1.0], [2.0], [3.0], [4.0]], percentiles=[50], scores=[0, 100],
    ...             quantile="linear")[:, 0]
    array([  0.,   0., 100., 100.])
    """
    who = "categorical"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    _choice(quantile, QUANTILE_METHODS, "quantile", who)
    try:
        q = np.atleast_1d(np.asarray(percentiles, dtype=float))
        sc = np.atleast_1d(np.asarray(scores, dtype=float))
    except (TypeError, ValueError):
        raise TypeError(f"{who}: percentiles and scores must be lists of numbers") from None
    if q.ndim != 1 or q.size == 0 or not np.all(np.isfinite(q)) or np.any((q < 0) | (q > 100)) \
            or np.any(np.diff(q) <= 0):
        raise ValueError(f"{who}: percentiles must be strictly increasing numbers in [0, 100]; "
                         f"got {np.asarray(percentiles).tolist()}")
    if sc.ndim != 1 or sc.size != q.size + 1 or not np.all(np.isfinite(sc)):
        raise ValueError(f"{who}: give one score more than percentiles ({q.size + 1} scores for "
                         f"{q.size} cut-offs); got {np.asarray(scores).tolist()}")
    if np.any(np.diff(sc) < 0):
        raise ValueError(f"{who}: scores must not decrease (higher bands score higher); got {sc.tolist()}")
    xd = x * d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN cut-offs
        cuts = np.nanquantile(xd, q / 100.0, axis=-2, keepdims=True, method=quantile)
    band = np.sum(xd[None] >= cuts, axis=0)
    out = np.where(np.isnan(x), np.nan, sc[band])
    flat = (_col_max(xd) == _col_min(xd)) & (_count(xd) > 1)
    if flat.any():
        _warn_constant(who, _flag_columns(flat), "every unit falls in the top band")
    return out


@NORMALISE.register("cyclical", bounds=None, range_params=None)
def cyclical(x, *, direction=1, mean=0.0) -> np.ndarray:
    """The handbook's method for cyclical indicators: deviations in mean absolute deviations.

    ``y = mean + (x - E(x)) / E(|x - E(x)|)`` with the expectations taken over the rows
    of ``x`` (axis -2), NaN ignored. In the handbook (OECD composite leading
    indicators) the rows are the time points of one series; applied to a round the
    rows are the units and the method is a standardisation that divides by the mean
    absolute deviation instead of the standard deviation, so outliers weigh less than
    in :func:`zscore`. ``mean=100`` gives the handbook's "index form" (section 5.6).
    ``direction=-1`` flips the sign. A column with no deviation is set to ``mean``
    with a :class:`ConstantColumnWarning`.

    Parameters
    ----------
    x
        Array ``(..., n_rows, n_ind)``.
    direction
        +1 or -1 per indicator.
    mean
        The value at the mean (default 0, the formula of Table 3; 100 the index form).

    Returns
    -------
    ndarray
        Same shape as ``x``, values in ``(-inf, inf)``; the result has mean ``mean`` and
        mean absolute deviation 1 in each column.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 5.6 and
    Table 3 (method 7); Nilsson, R. (2000), OECD composite leading indicators.

    Examples
    --------
    >>> cyclical([[1.0], [2.0], [3.0], [6.0]])[:, 0]  # mean 3, mean |deviation| 1.5
    array([-1.33333333, -0.66666667,  0.        ,  2.        ])
    """
    who = "cyclical"
    x = _as_matrix(x, who)
    d = _direction(direction, x.shape[-1], who)
    mean_a = _param(mean, "mean", x, who)
    xd = x * d
    m = _col_mean(xd)
    mad = _col_mean(np.abs(xd - m))
    flat = ~(mad > 0) & (_count(xd) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(flat, 0.0, (xd - m) / np.where(flat, 1.0, mad))
    out = np.where(np.isnan(x), np.nan, mean_a + y)
    if flat.any():
        _warn_constant(who, _flag_columns(flat), "set to the target mean")
    return out


@NORMALISE.register("identity", aliases=("none",), bounds=None, range_params=None)
def identity(x, *, direction=1) -> np.ndarray:
    """No normalisation: the values as they are, times ``direction``.

    For data already on one scale, or for a geometric mean of raw (positive) values.
    As in COINr's ``Normalise(f_n = "none")``, a lower-is-better indicator is multiplied
    by -1 so that higher stays better; its values are then negative, which a geometric
    or harmonic mean refuses: invert such an indicator upstream or choose a
    normalisation. Also registered as ``none``.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    direction
        +1 or -1 per indicator.

    Returns
    -------
    ndarray
        A copy of ``x`` times ``direction``: unbounded.

    References
    ----------
    COINr ``Normalise.numeric()`` with ``f_n = "none"``, ``R/normalise.R``.

    Examples
    --------
    >>> identity([[1.5, 2.0], [3.0, float("nan")]], direction=[1, -1])
    array([[ 1.5, -2. ],
           [ 3. ,  nan]])
    """
    who = "identity"
    x = _as_matrix(x, who)
    return x * _direction(direction, x.shape[-1], who)


# --------------------------------------------------------------------------- metadata


def _keyword_defaults(func) -> dict:
    return {p.name: p.default for p in inspect.signature(func).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty}


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
    covering all indicators. The range of ``categorical`` follows its ``scores``, that
    of ``ratio_to_max`` its ``scale``.

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
    >>> output_range("categorical", {"scores": [1, 2, 5]})
    (1.0, 5.0)
    >>> output_range("zscore", {"mean": 100, "sd": 10}) is None
    True
    """
    method = NORMALISE.get(name)
    params = dict(params or {})
    _check_params(name, method.func, params)
    if method.bounds is None:
        return None
    range_fn = method.meta.get("range_fn")
    if range_fn is not None:
        return range_fn({**_keyword_defaults(method.func), **params})
    range_params = method.meta.get("range_params")
    if not range_params:
        return (float(method.bounds[0]), float(method.bounds[1]))
    lo_name, hi_name = range_params
    lo = np.asarray(params.get(lo_name, method.bounds[0]), dtype=float)
    hi = np.asarray(params.get(hi_name, method.bounds[1]), dtype=float)
    return (float(np.min(lo)), float(np.max(hi)))
