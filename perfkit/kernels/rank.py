"""Ranking kernels: rank 1 for the best score, NaN-aware, within groups.

Also holds the private ranking helper the normalisation and rule kernels share, so
that every ranking in perfkit breaks ties the same way.
"""
from __future__ import annotations

import numpy as np

__all__ = ["TIES", "check_ties", "rank_desc"]

#: How tied values share ranks, as :func:`scipy.stats.rankdata` names them: ``"average"``
#: (the mean of the ranks the ties occupy, "1 2.5 2.5 4"), ``"min"`` (competition ranking,
#: "1 2 2 4"), ``"max"`` ("1 3 3 4") and ``"dense"`` (no gaps, "1 2 2 3").
TIES = ("average", "min", "max", "dense")


def check_ties(ties, who: str) -> str:
    """Return ``ties`` if it is one of :data:`TIES`, else raise a ``ValueError`` naming them."""
    if ties not in TIES:
        raise ValueError(f"{who}: ties must be one of {', '.join(map(repr, TIES))}; got {ties!r}")
    return ties


def _rank_along(a: np.ndarray, axis: int, method: str) -> np.ndarray:
    """Ascending ranks along ``axis`` (1 = smallest); NaN cells get NaN.

    ``method`` is one of :data:`TIES`: ``"average"`` gives tied values the mean of their
    ranks, ``"min"`` the smallest (competition ranking, "1224"), ``"max"`` the largest
    ("1334") and ``"dense"`` consecutive ranks without gaps ("1223"). NaN values sort
    last, so they never change the ranks of the other values.
    """
    a = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    n = a.shape[-1]
    if n == 0:
        return np.moveaxis(a.copy(), -1, axis)
    order = np.argsort(a, axis=-1, kind="stable")
    sa = np.take_along_axis(a, order, axis=-1)
    pos = np.broadcast_to(np.arange(n), sa.shape)
    # a tie group starts where the sorted value changes (NaN != NaN: one group each)
    starts = np.ones(sa.shape, dtype=bool)
    starts[..., 1:] = sa[..., 1:] != sa[..., :-1]
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
    if method in ("average", "max"):
        ends = np.ones(sa.shape, dtype=bool)
        ends[..., :-1] = starts[..., 1:]
        last = np.minimum.accumulate(np.where(ends, pos, n - 1)[..., ::-1], axis=-1)[..., ::-1]
    if method == "min":
        ranks_sorted = first + 1.0
    elif method == "average":
        ranks_sorted = (first + last) / 2.0 + 1.0
    elif method == "max":
        ranks_sorted = last + 1.0
    elif method == "dense":  # NaN sort last, so their groups never shift a value's rank
        ranks_sorted = np.cumsum(starts, axis=-1).astype(float)
    else:  # pragma: no cover - private helper, callers check with check_ties
        raise ValueError(f"unknown ranking method {method!r}")
    ranks_sorted = np.where(np.isnan(sa), np.nan, ranks_sorted)
    ranks = np.empty_like(ranks_sorted)
    np.put_along_axis(ranks, order, ranks_sorted, axis=-1)
    return np.moveaxis(ranks, -1, axis)


def _check_groups(groups, n_units: int, *, who: str) -> np.ndarray:
    """Return ``groups`` as a 1-D array of length ``n_units`` without missing labels."""
    g = np.asarray(groups)
    if g.ndim != 1 or g.shape[0] != n_units:
        raise ValueError(
            f"{who}: groups must be a 1-D array with one label per unit "
            f"({n_units} units); got shape {g.shape}"
        )
    if g.dtype.kind == "f":
        missing = np.isnan(g)
    elif g.dtype.kind == "O":
        missing = np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in g],
                           dtype=bool)
    else:
        missing = np.zeros(g.shape, dtype=bool)
    if missing.any():
        raise ValueError(
            f"{who}: groups has missing labels at unit position(s) "
            f"{np.flatnonzero(missing).tolist()}; every unit needs a group"
        )
    return g


def rank_desc(scores, *, groups=None) -> np.ndarray:
    """Rank scores so that rank 1 is the highest score.

    Tied scores share the best (smallest) rank ("1224" competition ranking). NaN
    scores get a NaN rank and do not count for anybody else.

    Parameters
    ----------
    scores
        Array of shape ``(..., n_units)``; leading axes are batch axes (for example
        replicates of a sensitivity analysis) and are ranked independently.
    groups
        Optional 1-D array of ``n_units`` group labels (int or str). When given,
        units are ranked within their own group only.

    Returns
    -------
    ndarray
        Float ranks of the same shape as ``scores``.

    Raises
    ------
    TypeError
        If ``scores`` is not numeric.
    ValueError
        If ``scores`` has no unit axis or ``groups`` does not match it.

    Examples
    --------
    >>> rank_desc([90.0, 75.0, 90.0, float("nan"), 60.0])
    array([ 1.,  3.,  1., nan,  4.])
    >>> rank_desc([90.0, 75.0, 80.0, 60.0], groups=["a", "a", "b", "b"])
    array([1., 2., 1., 2.])
    """
    try:
        s = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("rank_desc: scores must be a numeric array") from None
    if s.ndim < 1:
        raise ValueError("rank_desc: scores must have a units axis (shape (..., n_units))")
    if groups is None:
        return _rank_along(-s, -1, "min")
    g = _check_groups(groups, s.shape[-1], who="rank_desc")
    out = np.full(s.shape, np.nan)
    for label in np.unique(g):
        idx = np.flatnonzero(g == label)
        out[..., idx] = _rank_along(-s[..., idx], -1, "min")
    return out
