"""Aggregation kernels: combine the children of a node into one score per unit.

Every kernel has the signature ``f(x, *, weights, **params) -> ndarray``:

* ``x`` has shape ``(..., n_units, n_children)`` and the result ``(..., n_units)``.
* ``weights`` has shape ``(n_children,)`` or ``(..., n_children)``: leading axes are
  batch axes that line up with the batch axes of ``x`` (not with units), so a
  ``(n_rep, n_children)`` array of weight vectors applied to an ``(n_units,
  n_children)`` matrix gives ``(n_rep, n_units)``. Weights must be finite and
  non-negative and need not sum to 1; they are relative.
* NaN children are dropped unit by unit and the weights renormalised over the
  children available; a unit whose available children all have zero weight, or
  with all children missing, gets NaN.

The means are computed as matrix products over the children: ``(bw, n_children)``
weights against one ``(n_units, n_children)`` matrix (the sensitivity engine's replicates
of weights) is one product ``(bw, n_units)``, never a ``(bw, n_units, n_children)`` array.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from perfkit.kernels.registry import Registry

__all__ = [
    "AGGREGATE",
    "arithmetic",
    "geometric",
    "harmonic",
    "mazziotta_pareto",
    "topsis",
]

AGGREGATE = Registry("aggregation")

_ZERO_OPTIONS = ("raise", "shift", "floor")


# --------------------------------------------------------------------------- helpers


def _check(x, weights, who: str) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Validate; return ``x`` ``(..., U, C)``, weights ``(..., C)`` (not broadcast) and
    the broadcast batch shape."""
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: x must be a numeric array (NaN for missing values)") from None
    if x.ndim < 2:
        raise ValueError(
            f"{who}: x must have shape (..., n_units, n_children); got {x.ndim}-D input"
        )
    if np.isinf(x).any():
        raise ValueError(f"{who}: x contains infinite values; use NaN for missing values")
    if weights is None:
        raise ValueError(f"{who}: weights are required (one per child)")
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: weights must be numeric") from None
    if w.ndim < 1 or w.shape[-1] != x.shape[-1]:
        raise ValueError(
            f"{who}: weights must have one value per child ({x.shape[-1]} children, "
            f"shape (n_children,) or (..., n_children)); got shape {w.shape}"
        )
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{who}: weights must be finite (no NaN)")
    if np.any(w < 0):
        raise ValueError(f"{who}: weights must not be negative; got {w.tolist()}")
    if np.any(w.sum(axis=-1) == 0):
        raise ValueError(f"{who}: weights sum to zero")
    try:
        lead = np.broadcast_shapes(w.shape[:-1], x.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{who}: the batch axes of weights {w.shape[:-1]} do not match those of x "
            f"{x.shape[:-2]}"
        ) from None
    return x, w, lead


def _prep(x, weights, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate; return ``x`` and weights with a units axis, broadcast together."""
    x, w, _ = _check(x, weights, who)
    w = w[..., None, :]  # units axis
    shape = np.broadcast_shapes(w.shape, x.shape)
    return np.broadcast_to(x, shape), np.broadcast_to(w, shape)


def _wsum(a: np.ndarray, w: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    """``sum_c w[..., c] a[..., u, c]`` with the batch axes of ``a`` ``(..., U, C)`` and
    ``w`` ``(..., C)`` broadcast to ``lead``, as matrix products: one shared matrix
    against many weight vectors, or many matrices against one weight vector, is one
    product; only when both carry a batch do they pair up replicate by replicate."""
    n_units, n_children = a.shape[-2:]
    if math.prod(a.shape[:-2]) == 1:
        out = w.reshape(-1, n_children) @ a.reshape(n_units, n_children).T
        out = out.reshape(*w.shape[:-1], n_units)
    elif math.prod(w.shape[:-1]) == 1:
        out = a @ w.reshape(n_children)
    else:
        ab = np.broadcast_to(a, (*lead, n_units, n_children)).reshape(-1, n_units, n_children)
        wb = np.broadcast_to(w, (*lead, n_children)).reshape(-1, n_children, 1)
        out = (ab @ wb).reshape(*lead, n_units)
    return out if out.shape == (*lead, n_units) else np.broadcast_to(out, (*lead, n_units)).copy()


class _Masked:
    """Weighted sums over each unit's available children (NaN children carry no weight)."""

    def __init__(self, x: np.ndarray, w: np.ndarray, lead: tuple[int, ...]):
        self.w, self.lead = w, lead
        self.miss = np.isnan(x)
        self.full = not self.miss.any()
        if self.full:  # every child of every unit: the weights' sums
            self.den = np.broadcast_to(w.sum(axis=-1)[..., None], (*lead, x.shape[-2]))
        else:
            self.den = _wsum((~self.miss).astype(float), w, lead)

    def fill(self, v: np.ndarray, value: float) -> np.ndarray:
        return v if self.full else np.where(self.miss, value, v)

    def mean(self, v: np.ndarray, value: float = 0.0) -> np.ndarray:
        """Weighted mean of ``v`` (missing cells filled with ``value``, weight 0); NaN
        for a unit whose available children have no weight."""
        num = _wsum(self.fill(v, value), self.w, self.lead)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.full:
                return num / self.den
            ok = self.den > 0
            return np.where(ok, num / np.where(ok, self.den, 1.0), np.nan)


def _zero_policy(x, zero, shift, floor, who):
    """Make values positive for geometric/harmonic means; return (values, shift used)."""
    if zero not in _ZERO_OPTIONS:
        raise ValueError(f"{who}: zero must be one of {', '.join(map(repr, _ZERO_OPTIONS))}; got {zero!r}")
    if shift is not None and zero != "shift":
        raise ValueError(f"{who}: shift only applies with zero='shift'")
    if floor is not None and zero != "floor":
        raise ValueError(f"{who}: floor only applies with zero='floor'")
    if zero == "raise":
        if np.any(x <= 0):
            raise ValueError(
                f"{who}: zeros or negative values reach a {who} mean, which needs positive "
                "values; normalise onto a positive range, or choose zero='shift' (add a "
                "constant, then subtract it) or zero='floor' (raise small values to a floor)"
            )
        return x, 0.0
    if zero == "shift":
        s = 1.0 if shift is None else float(shift)
        if not np.isfinite(s) or s <= 0:
            raise ValueError(f"{who}: shift must be positive; got {shift!r}")
        if np.any(x + s <= 0):
            raise ValueError(f"{who}: values below -shift ({-s}) stay non-positive after shifting")
        return x + s, s
    f = 0.01 if floor is None else float(floor)
    if not np.isfinite(f) or f <= 0:
        raise ValueError(f"{who}: floor must be positive; got {floor!r}")
    return np.where(x < f, f, x), 0.0  # NaN < f is False: NaN stays NaN


# --------------------------------------------------------------------------- kernels

@AGGREGATE.register("arithmetic", aliases=("mean",))
def arithmetic(x, *, weights) -> np.ndarray:
    """Weighted arithmetic mean of the available children.

    ``y = sum(w * x) / sum(w)`` over the non-missing children of each unit. Fully
    compensatory: a deficit in one child is offset by a surplus in another.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)``.
    weights
        ``(n_children,)`` or ``(..., n_children)``, non-negative, relative.

    Returns
    -------
    ndarray
        ``(..., n_units)``.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6
    (linear aggregation). COINr ``a_amean()``, ``R/aggregate.R``.

    Examples
    --------
    >>> arithmetic([[60.0, 80.0], [90.0, float("nan")]], weights=[1, 3])
    array([75., 90.])
    """
    x, w, lead = _check(x, weights, "arithmetic")
    return _Masked(x, w, lead).mean(x)


@AGGREGATE.register("geometric")
def geometric(x, *, weights, zero="raise", shift=None, floor=None) -> np.ndarray:
    """Weighted geometric mean: ``exp(sum(w * log x) / sum(w))``.

    Partially compensatory; needs positive values. What to do with zeros or
    negatives is an explicit choice (``zero``):

    * ``"raise"`` (default): raise ``ValueError`` (as COINr ``a_gmean()`` does);
    * ``"shift"``: add ``shift`` (default 1.0) to every value, take the mean, subtract
      ``shift`` again. Applied to all units, not only those with zeros, so that the
      result is one well-defined function of the data (and equal children still
      aggregate to their value);
    * ``"floor"``: replace values below ``floor`` (default 0.01) with ``floor``.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)``.
    weights
        ``(n_children,)`` or ``(..., n_children)``.
    zero
        ``"raise"``, ``"shift"`` or ``"floor"``.
    shift, floor
        Only with the matching ``zero`` option; positive.

    Returns
    -------
    ndarray
        ``(..., n_units)``.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6
    (geometric aggregation). COINr ``a_gmean()``, ``R/aggregate.R``.

    Examples
    --------
    >>> geometric([[1.0, 100.0], [0.0, 8.0]], weights=[1, 1], zero="shift")
    array([13.2126704,  2.       ])
    """
    x, w, lead = _check(x, weights, "geometric")
    xp, s = _zero_policy(x, zero, shift, floor, "geometric")
    m = _Masked(x, w, lead)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.exp(m.mean(np.log(m.fill(xp, 1.0)))) - s


@AGGREGATE.register("harmonic")
def harmonic(x, *, weights, zero="raise", shift=None, floor=None) -> np.ndarray:
    """Weighted harmonic mean: ``sum(w) / sum(w / x)``.

    The least compensatory of the three power means. Zeros and negatives are handled
    as in :func:`geometric` (``zero="raise" | "shift" | "floor"``).

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)``.
    weights
        ``(n_children,)`` or ``(..., n_children)``.
    zero
        ``"raise"``, ``"shift"`` or ``"floor"``.
    shift, floor
        Only with the matching ``zero`` option; positive.

    Returns
    -------
    ndarray
        ``(..., n_units)``.

    References
    ----------
    COINr ``a_hmean()``, ``R/aggregate.R`` (bluefoxr/COINr).

    Examples
    --------
    >>> harmonic([[1.0, 4.0]], weights=[1, 1])
    array([1.6])
    """
    x, w, lead = _check(x, weights, "harmonic")
    xp, s = _zero_policy(x, zero, shift, floor, "harmonic")
    m = _Masked(x, w, lead)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 / m.mean(1.0 / m.fill(xp, 1.0)) - s


@AGGREGATE.register("mazziotta_pareto", aliases=("mpi",))
def mazziotta_pareto(x, *, weights, penalty=-1) -> np.ndarray:
    """Mazziotta-Pareto Index: mean penalised by the unit's imbalance.

    ``y = M + penalty * S * cv`` with ``M`` the weighted mean and ``S`` the weighted
    population standard deviation (``sqrt(sum(w (x - M)^2) / sum(w))``) of the unit's
    available children, and ``cv = S / M``. Use ``penalty=-1`` when higher is better
    (unbalanced profiles are penalised), ``penalty=+1`` for "negative" composites
    such as poverty indices.

    ``x`` is assumed already normalised onto a non-negative scale (the original MPI
    standardises to mean 100 and sd 10; min-max 0-100 also works). Negative values
    raise, because ``cv`` is meaningless for them. A unit with ``M = 0`` (all children
    0) gets 0. The index is not a mean: for very unbalanced units (with penalty -1)
    it can fall below the smallest child, even below 0.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)`` of non-negative values.
    weights
        ``(n_children,)`` or ``(..., n_children)``.
    penalty
        -1 or +1.

    Returns
    -------
    ndarray
        ``(..., n_units)``.

    References
    ----------
    Mazziotta, M. and Pareto, A. (2016). On a generalized non-compensatory composite
    index for measuring socio-economic phenomena. *Social Indicators Research*,
    126(3), 983-1003. De Muro, P., Mazziotta, M. and Pareto, A. (2011), *Social
    Indicators Research* 104(1), 1-18.

    Examples
    --------
    >>> mazziotta_pareto([[100.0, 100.0], [90.0, 110.0]], weights=[1, 1])
    array([100.,  99.])
    """
    who = "mazziotta_pareto"
    if penalty not in (1, -1):
        raise ValueError(f"{who}: penalty must be -1 (higher is better) or +1; got {penalty!r}")
    x, w, lead = _check(x, weights, who)
    if np.any(x < 0):
        raise ValueError(
            f"{who}: negative values present; normalise onto a non-negative scale first "
            "(e.g. zscore with mean=100, sd=10, or minmax)"
        )
    mk = _Masked(x, w, lead)
    xf = mk.fill(x, 0.0)
    m = mk.mean(xf)
    if math.prod(x.shape[:-2]) == 1 and math.prod(w.shape[:-1]) > 1:
        # one matrix, many weight vectors: the variance as E[x^2] - M^2 (two products)
        s2 = np.maximum(mk.mean(xf * xf) - m * m, 0.0)
    else:
        s2 = mk.mean(mk.fill((xf - m[..., None]) ** 2, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m > 0, m + penalty * s2 / np.where(m > 0, m, 1.0), m)


_TOPSIS_NORMALISATIONS = ("vector", "minmax", "none")


@AGGREGATE.register("topsis", choices={"normalisation": _TOPSIS_NORMALISATIONS})
def topsis(x, *, weights, direction=1, normalisation="vector") -> np.ndarray:
    """TOPSIS closeness coefficient in ``[0, 1]``, computed across units.

    1. normalisation per child, over the units (``normalisation``):

       * ``"vector"`` (default, Hwang and Yoon's): ``r = x / sqrt(sum of x^2)``;
       * ``"minmax"``: ``r = (x - min) / (max - min)`` (a child without spread gives 0);
       * ``"none"``: ``r = x``, for children already on one scale;

    2. weighting: ``v = w * r`` with ``w`` normalised to sum to 1;
    3. ideal ``v+`` and anti-ideal ``v-`` per child: the best and worst unit's ``v``
       (max/min for ``direction=+1``, min/max for ``-1``);
    4. Euclidean distances ``d+``, ``d-`` of each unit to them;
    5. closeness ``C = d- / (d+ + d-)``.

    Choose the internal normalisation knowingly: in a scheme the children are already
    normalised (min-max 0-100, say), and the vector step on top of that divides each
    child by its own norm, which re-weights the children by the inverse of their
    norms. ``"none"`` (or ``"minmax"``, the same thing for 0-100 min-max children, as
    closeness ignores a common scale) keeps the declared weights. The choice is a
    parameter of the scheme's step, so the recipe records it; ``"vector"`` stays the
    default for backward compatibility and for raw data.

    Unlike the means, the result of a unit depends on the other units (axis -2).
    Missing cells are left out of the column norms, ranges, ideals and the unit's
    distances. A child whose values are all zero (vector) or all equal (min-max)
    contributes nothing. A unit with ``d+ = d- = 0`` (it equals both ideals, i.e. no
    unit differs on any child) gets 0.5 with a ``RuntimeWarning``; a unit with all
    children missing gets NaN.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)``.
    weights
        ``(n_children,)`` or ``(..., n_children)``.
    direction
        +1 (benefit) or -1 (cost) per child.
    normalisation
        ``"vector"``, ``"minmax"`` or ``"none"``.

    Returns
    -------
    ndarray
        ``(..., n_units)`` in ``[0, 1]``.

    References
    ----------
    Hwang, C.-L. and Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
    Applications*. Springer. Tzeng, G.-H. and Huang, J.-J. (2011). *Multiple Attribute
    Decision Making: Methods and Applications*. CRC Press, chapter 5 (TOPSIS).

    Examples
    --------
    >>> x = [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]]
    >>> topsis(x, weights=[0.3, 0.4, 0.3]).round(4)
    array([0.5037, 0.6581, 0.7482, 0.334 ])
    >>> topsis(x, weights=[0.3, 0.4, 0.3], normalisation="minmax").round(4)
    array([0.4853, 0.6484, 0.7768, 0.363 ])
    """
    who = "topsis"
    if normalisation not in _TOPSIS_NORMALISATIONS:
        raise ValueError(f"{who}: normalisation must be one of "
                         f"{', '.join(map(repr, _TOPSIS_NORMALISATIONS))}; got {normalisation!r}")
    x, w = _prep(x, weights, who)
    d = np.asarray(direction, dtype=float)
    if d.ndim > 1 or (d.ndim == 1 and d.shape[0] != x.shape[-1]):
        raise ValueError(
            f"{who}: direction must be a scalar or one value per child; got shape {d.shape}"
        )
    if not np.all((d == 1) | (d == -1)):
        raise ValueError(f"{who}: direction values must be +1 or -1")
    miss = np.isnan(x)
    xf = np.where(miss, 0.0, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalisation == "vector":
            norm = np.sqrt((xf**2).sum(axis=-2, keepdims=True))
            r = np.where(norm > 0, xf / np.where(norm > 0, norm, 1.0), 0.0)
        elif normalisation == "minmax":
            lo = np.fmin.reduce(x, axis=-2, keepdims=True)
            span = np.fmax.reduce(x, axis=-2, keepdims=True) - lo
            r = np.where(span > 0, (xf - lo) / np.where(span > 0, span, 1.0), 0.0)
        else:
            r = xf
    wn = w / w.sum(axis=-1, keepdims=True)
    v = np.where(miss, np.nan, wn * r)
    vmax = np.fmax.reduce(v, axis=-2, keepdims=True)
    vmin = np.fmin.reduce(v, axis=-2, keepdims=True)
    ideal = np.where(d > 0, vmax, vmin)
    anti = np.where(d > 0, vmin, vmax)
    d_plus = np.sqrt(np.where(miss, 0.0, (v - ideal) ** 2).sum(axis=-1))
    d_minus = np.sqrt(np.where(miss, 0.0, (v - anti) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    none = miss.all(axis=-1)
    tie = (total == 0) & ~none
    if tie.any():
        warnings.warn(
            f"{who}: {int(tie.sum())} unit(s) are at equal distance 0 from the ideal and "
            "the anti-ideal (no spread between units); closeness set to 0.5",
            RuntimeWarning,
            stacklevel=2,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(tie, 0.5, d_minus / np.where(total > 0, total, 1.0))
    return np.where(none, np.nan, c)
