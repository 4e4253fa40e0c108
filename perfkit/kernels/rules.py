"""Scoring rules for 100-point target-based assessment (百分制考核).

A rule turns an indicator's raw values into the *share* of the indicator's points a
unit earns: 0 = no points, 1 = full points, above 1 (up to ``cap``) for rewarded
over-fulfilment. The engine multiplies the share by the indicator's points.

Rules are elementwise, ``f(x, *, **params) -> ndarray`` of floats with the shape of
``x`` (any shape), except :func:`rank_within` which needs the units on the last axis.
NaN (missing) stays NaN.

Every numeric parameter (``target``, ``cap``, ``floor``, ``per``, ``done_share``,
``default``, ``top``, ``bottom``) may be a scalar or an array broadcasting against ``x``,
as for the normalisation kernels: unit-specific targets of shape ``(n_units,)``, or one
value per replicate of shape ``(n_rep, 1)`` (the result then has shape
``(n_rep, n_units)``). A NaN target gives NaN; the other parameters must be finite.

Registry metadata
-----------------
Each rule is registered in :data:`RULES` with

* ``meta["max_share"]``: a callable taking the rule's parameters (defaults filled in)
  and returning the largest share the rule can award; use :func:`max_share`;
* ``meta["uses_target"]``: whether the rule takes a ``target``.
"""
from __future__ import annotations

import inspect
from collections.abc import Mapping

import numpy as np

from perfkit.errors import did_you_mean
from perfkit.kernels.rank import _check_groups, rank_desc
from perfkit.kernels.registry import Registry

__all__ = [
    "RULES",
    "max_share",
    "completion",
    "completion_lower",
    "linear",
    "banded",
    "deduction",
    "grade_map",
    "binary",
    "rank_within",
]

RULES = Registry("scoring rule")


# --------------------------------------------------------------------------- helpers


def _values(x, who: str) -> np.ndarray:
    try:
        return np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: x must be numeric (NaN for missing values)") from None


def _number(value, name: str, who: str) -> np.ndarray:
    if value is None:
        raise ValueError(f"{who}: parameter {name!r} is required")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {name} must be numeric") from None


def _shown(value) -> str:
    """A parameter value for a message: its repr, or the range of an array."""
    if np.ndim(value) == 0:
        return repr(value)
    v = np.asarray(value, dtype=float)
    return f"an array from {np.nanmin(v):g} to {np.nanmax(v):g}"


def _broadcasting(v: np.ndarray, x: np.ndarray, name: str, who: str) -> np.ndarray:
    try:
        np.broadcast_shapes(v.shape, x.shape)
    except ValueError:
        raise ValueError(
            f"{who}: {name} of shape {v.shape} does not broadcast against x of shape {x.shape}"
        ) from None
    return v


def _param(value, name: str, who: str, x: np.ndarray) -> np.ndarray:
    """A finite numeric parameter: a number, or an array broadcasting against ``x``."""
    v = _number(value, name, who)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{who}: {name} must be finite; got {_shown(value)}")
    return _broadcasting(v, x, name, who)


def _target(target, x: np.ndarray, who: str) -> np.ndarray:
    t = _broadcasting(_number(target, "target", who), x, "target", who)
    if np.isinf(t).any():
        raise ValueError(f"{who}: target must be finite (NaN for a missing target)")
    return t


def _cap(cap, x: np.ndarray, who: str) -> np.ndarray:
    c = _param(cap, "cap", who, x)
    if np.any(c < 1):
        raise ValueError(f"{who}: cap must be at least 1 (the share for meeting the target); got {_shown(cap)}")
    return c


def _direction(direction, who: str) -> int:
    if direction not in (1, -1):
        raise ValueError(f"{who}: direction must be +1 or -1; got {direction!r}")
    return int(direction)


# --------------------------------------------------------------------------- rules


@RULES.register("completion", max_share=lambda p: float(p["cap"]), uses_target=True)
def completion(x, *, target=None, cap=1.0) -> np.ndarray:
    """Completion ratio (完成率): ``clip(x / target, 0, cap)``.

    Parameters
    ----------
    x
        Achieved values, any shape.
    target
        Target (> 0), scalar or broadcasting against ``x``; NaN target gives NaN.
    cap
        Largest share, ``>= 1``; ``cap > 1`` rewards over-fulfilment. Scalar or
        broadcasting against ``x``.

    Returns
    -------
    ndarray
        Shares in ``[0, cap]``.

    Examples
    --------
    >>> completion([0.0, 45.0, 90.0, 120.0], target=90.0, cap=1.2)
    array([0. , 0.5, 1. , 1.2])
    """
    who = "completion"
    x = _values(x, who)
    t = _target(target, x, who)
    if np.any(t <= 0):
        raise ValueError(f"{who}: target must be positive (use 'linear' for other targets)")
    c = _cap(cap, x, who)
    return np.clip(x / t, 0.0, c)


@RULES.register("completion_lower", max_share=lambda p: float(p["cap"]), uses_target=True)
def completion_lower(x, *, target=None, cap=1.0) -> np.ndarray:
    """Completion ratio for lower-is-better indicators: ``clip(target / x, 0, cap)``.

    Values ``x <= 0`` (nothing of a bad thing, e.g. zero complaints) get ``cap``.

    Parameters
    ----------
    x
        Achieved values, any shape.
    target
        Target ceiling (> 0), scalar or broadcasting against ``x``.
    cap
        Largest share, ``>= 1``, scalar or broadcasting against ``x``.

    Returns
    -------
    ndarray
        Shares in ``[0, cap]``.

    Examples
    --------
    >>> completion_lower([0.0, 5.0, 10.0, 20.0], target=10.0, cap=1.5)
    array([1.5, 1.5, 1. , 0.5])
    """
    who = "completion_lower"
    x = _values(x, who)
    t = _target(target, x, who)
    if np.any(t <= 0):
        raise ValueError(f"{who}: target must be positive")
    c = _cap(cap, x, who)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.clip(t / x, 0.0, c)
    return np.where(x <= 0, c, ratio)


@RULES.register("linear", max_share=lambda p: 1.0, uses_target=True)
def linear(x, *, floor=None, target=None) -> np.ndarray:
    """Linear interpolation: share 0 at ``floor``, 1 at ``target``, clipped to ``[0, 1]``.

    Works in both directions: ``floor > target`` describes a lower-is-better
    indicator (e.g. ``floor=20`` days, ``target=5`` days).

    Parameters
    ----------
    x
        Achieved values, any shape.
    floor
        Value earning no points, scalar or broadcasting against ``x``.
    target
        Value earning full points, scalar or broadcasting against ``x``; must differ
        from ``floor``.

    Returns
    -------
    ndarray
        Shares in ``[0, 1]``.

    Examples
    --------
    >>> linear([50.0, 60.0, 80.0, 100.0, 110.0], floor=60.0, target=100.0)
    array([0. , 0. , 0.5, 1. , 1. ])
    >>> linear([20.0, 12.5, 5.0], floor=20.0, target=5.0)
    array([0. , 0.5, 1. ])
    """
    who = "linear"
    x = _values(x, who)
    t = _target(target, x, who)
    f = _broadcasting(_number(floor, "floor", who), x, "floor", who)
    if np.isinf(f).any():
        raise ValueError(f"{who}: floor must be finite")
    if np.any(t == f):
        raise ValueError(f"{who}: floor and target must differ")
    return np.clip((x - f) / (t - f), 0.0, 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0


def _bands_max(p) -> float:
    bands = p.get("bands")
    if bands is None:
        raise ValueError("banded: parameter 'bands' is required")
    return float(max([float(s) for _, s in bands] + [float(p["default"])]))


@RULES.register("banded", max_share=_bands_max, uses_target=False)
def banded(x, *, bands=None, direction=1, default=0.0) -> np.ndarray:
    """Step scoring by bands (分档计分): the share of the most demanding band reached.

    ``bands`` is a sequence of ``(threshold, share)`` pairs. For ``direction=+1`` a
    band is reached when ``x >= threshold`` and the band with the highest reached
    threshold counts; for ``direction=-1`` a band is reached when ``x <= threshold``
    and the lowest reached threshold counts. Values reaching no band get ``default``.

    Parameters
    ----------
    x
        Achieved values, any shape.
    bands
        Non-empty sequence of ``(threshold, share)`` with distinct finite thresholds,
        in any order.
    direction
        +1 (higher is better) or -1.
    default
        Share when no band is reached, scalar or broadcasting against ``x``.

    Returns
    -------
    ndarray
        Shares taken from ``bands`` or ``default``.

    Examples
    --------
    >>> bands = [(90, 1.0), (75, 0.8), (60, 0.6)]
    >>> banded([95.0, 90.0, 80.0, 59.0], bands=bands)
    array([1. , 1. , 0.8, 0. ])
    >>> banded([1.0, 3.0, 9.0], bands=[(2, 1.0), (5, 0.5)], direction=-1)
    array([1. , 0.5, 0. ])
    """
    who = "banded"
    x = _values(x, who)
    d = _direction(direction, who)
    dflt = _param(default, "default", who, x)
    if bands is None:
        raise ValueError(f"{who}: parameter 'bands' is required")
    try:
        pairs = [(float(t), float(s)) for t, s in bands]
    except (TypeError, ValueError):
        raise TypeError(f"{who}: bands must be a sequence of (threshold, share) pairs") from None
    if not pairs:
        raise ValueError(f"{who}: bands must not be empty")
    thr = np.array([t for t, _ in pairs])
    shares = np.array([s for _, s in pairs])
    if not (np.all(np.isfinite(thr)) and np.all(np.isfinite(shares))):
        raise ValueError(f"{who}: band thresholds and shares must be finite")
    if np.unique(thr).size != thr.size:
        raise ValueError(f"{who}: band thresholds must be distinct; got {thr.tolist()}")
    order = np.argsort(thr)
    thr, shares = thr[order], shares[order]
    if d > 0:
        idx = np.searchsorted(thr, x, side="right") - 1  # highest threshold <= x
        idx = np.where(idx < 0, thr.size, idx)
    else:
        idx = np.searchsorted(thr, x, side="left")  # lowest threshold >= x
    out = np.where(idx < thr.size, shares[np.minimum(idx, thr.size - 1)], dflt)  # thr.size: no band
    return np.where(np.isnan(x), np.nan, out)


@RULES.register("deduction", max_share=lambda p: 1.0, uses_target=False)
def deduction(x, *, per=None, floor=0.0) -> np.ndarray:
    """Deduction per incident (扣分制): ``max(1 - per * x, floor)``.

    ``x`` counts incidents (complaints, violations); ``per`` and ``floor`` are in share
    units, i.e. fractions of the indicator's points (for a 10-point indicator with 2
    points off per incident, ``per=0.2``).

    Parameters
    ----------
    x
        Non-negative incident counts, any shape.
    per
        Share deducted per incident, ``> 0``; scalar or broadcasting against ``x``.
    floor
        Smallest share, in ``[0, 1]``; scalar or broadcasting against ``x``.

    Returns
    -------
    ndarray
        Shares in ``[floor, 1]``.

    Examples
    --------
    >>> deduction([0, 1, 3, 10], per=0.2, floor=0.1)
    array([1. , 0.8, 0.4, 0.1])
    """
    who = "deduction"
    x = _values(x, who)
    p = _param(per, "per", who, x)
    f = _param(floor, "floor", who, x)
    if np.any(p <= 0):
        raise ValueError(f"{who}: per must be positive; got {_shown(per)}")
    if np.any((f < 0) | (f > 1)):
        raise ValueError(f"{who}: floor must be between 0 and 1; got {_shown(floor)}")
    if np.any(x < 0):
        raise ValueError(f"{who}: incident counts must not be negative")
    return np.where(np.isnan(x), np.nan, np.maximum(1.0 - p * x, f))


def _is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(np.isnan(v))
    except (TypeError, ValueError):
        return False


def _mapping_max(p) -> float:
    mapping = p.get("mapping")
    if not mapping:
        raise ValueError("grade_map: parameter 'mapping' is required")
    return float(max(float(v) for v in mapping.values()))


@RULES.register("grade_map", max_share=_mapping_max, uses_target=False)
def grade_map(x, *, mapping=None) -> np.ndarray:
    """Qualitative grades to shares (等级评定), e.g. ``{'A': 1.0, 'B': 0.8}``.

    Grades must match a key of ``mapping`` exactly; ``None`` and NaN stay NaN.

    Parameters
    ----------
    x
        Array (object or str) of grades, any shape.
    mapping
        Grade -> share.

    Returns
    -------
    ndarray
        Float shares.

    Raises
    ------
    ValueError
        For a grade not in ``mapping``, naming it and the allowed grades.

    Examples
    --------
    >>> grade_map(["A", "C", None, "B"], mapping={"A": 1.0, "B": 0.8, "C": 0.6})
    array([1. , 0.6, nan, 0.8])
    """
    who = "grade_map"
    if not isinstance(mapping, Mapping) or not mapping:
        raise ValueError(f"{who}: mapping must be a non-empty mapping of grade -> share")
    try:
        table = {k: float(v) for k, v in mapping.items()}
    except (TypeError, ValueError):
        raise TypeError(f"{who}: mapping shares must be numeric") from None
    arr = np.asarray(x, dtype=object)
    out = np.empty(arr.shape, dtype=float)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, grade in enumerate(flat_in):
        if _is_missing(grade):
            flat_out[i] = np.nan
            continue
        try:
            flat_out[i] = table[grade]
        except (KeyError, TypeError):
            raise ValueError(
                f"{who}: unknown grade {grade!r}{did_you_mean(str(grade), map(str, table))}; "
                f"allowed grades: {', '.join(map(repr, table))}"
            ) from None
    return out


@RULES.register("binary", max_share=lambda p: float(p["done_share"]), uses_target=False)
def binary(x, *, done_share=1.0) -> np.ndarray:
    """Done / not done (是否完成): non-zero -> ``done_share``, 0 -> 0, missing -> NaN.

    Parameters
    ----------
    x
        Numeric or boolean flags, any shape (``None`` counts as missing).
    done_share
        Share for a completed item, ``>= 0``; scalar or broadcasting against ``x``.

    Returns
    -------
    ndarray
        Shares ``0`` or ``done_share``.

    Examples
    --------
    >>> binary([1, 0, float("nan"), 2], done_share=0.5)
    array([0.5, 0. , nan, 0.5])
    """
    who = "binary"
    arr = np.asarray(x)
    if arr.dtype == object:
        arr = np.array([np.nan if v is None else v for v in arr.reshape(-1)],
                       dtype=object).reshape(arr.shape)
    v = _values(arr, who)
    s = _param(done_share, "done_share", who, v)
    if np.any(s < 0):
        raise ValueError(f"{who}: done_share must not be negative")
    return np.where(np.isnan(v), np.nan, np.where(v != 0, s, 0.0))


@RULES.register("rank_within", max_share=lambda p: float(max(p["top"], p["bottom"])),
                uses_target=False)
def rank_within(x, *, groups=None, direction=1, top=1.0, bottom=0.6) -> np.ndarray:
    """Share by rank within a peer group (排名计分).

    Units are ranked inside their group (1 = best; ties share the better rank); the
    best gets ``top``, the worst ``bottom``, linearly in rank between:
    ``share = top - (rank - 1) / (m - 1) * (top - bottom)`` with ``m`` the number of
    non-missing units in the group. A group with a single unit gets ``top``.

    Unlike the other rules this one is not elementwise: ``x`` has shape
    ``(..., n_units)`` with the units on the **last** axis (leading axes are batch
    axes, ranked independently).

    Parameters
    ----------
    x
        Values ``(..., n_units)``.
    groups
        1-D array of ``n_units`` group labels; ``None`` ranks all units together.
    direction
        +1 (higher is better) or -1.
    top, bottom
        Shares of the best and the worst unit, ``top >= bottom``; scalars or arrays
        broadcasting against ``x`` (e.g. ``(n_rep, 1)``).

    Returns
    -------
    ndarray
        Shares, same shape as ``x``.

    Examples
    --------
    >>> rank_within([90.0, 80.0, 70.0, 50.0], groups=["a", "a", "a", "b"])
    array([1. , 0.8, 0.6, 1. ])
    """
    who = "rank_within"
    x = _values(x, who)
    if x.ndim < 1:
        raise ValueError(f"{who}: x must have a units axis (shape (..., n_units))")
    d = _direction(direction, who)
    t = _param(top, "top", who, x)
    b = _param(bottom, "bottom", who, x)
    if np.any(t < b):
        raise ValueError(f"{who}: top must be at least bottom (got top={_shown(top)}, bottom={_shown(bottom)})")
    if groups is None:
        g = np.zeros(x.shape[-1], dtype=int)
    else:
        g = _check_groups(groups, x.shape[-1], who=who)
    r = rank_desc(d * x, groups=g)
    m = np.empty_like(r)
    for label in np.unique(g):
        idx = np.flatnonzero(g == label)
        m[..., idx] = np.sum(~np.isnan(x[..., idx]), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(m > 1, (r - 1.0) / (m - 1.0), 0.0)
    return np.where(np.isnan(x), np.nan, t - frac * (t - b))


# --------------------------------------------------------------------------- metadata


def max_share(name: str, params: Mapping | None = None) -> float:
    """Largest share rule ``name`` can award with ``params`` (e.g. ``cap``).

    Parameters
    ----------
    name
        A rule registered in :data:`RULES`.
    params
        The rule's parameters; defaults fill in the missing ones.

    Raises
    ------
    perfkit.errors.UnknownNameError
        Unknown rule.
    TypeError
        A parameter the rule does not accept (with a "did you mean" hint).

    Examples
    --------
    >>> max_share("completion", {"target": 100, "cap": 1.2})
    1.2
    >>> max_share("banded", {"bands": [(90, 1.0), (60, 0.6)]})
    1.0
    """
    method = RULES.get(name)
    sig = inspect.signature(method.func)
    accepted = {
        p.name: p.default for p in sig.parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    params = dict(params or {})
    for key in params:
        if key not in accepted:
            raise TypeError(
                f"scoring rule {name!r} has no parameter {key!r}"
                f"{did_you_mean(key, accepted)}; accepted: {', '.join(accepted)}"
            )
    full = {**accepted, **params}
    return float(method.meta["max_share"](full))
