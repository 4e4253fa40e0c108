"""Non-compensatory aggregation by outranking: Copeland scores and the Kemeny ranking.

Where the weighted means let a surplus on one child make up for a deficit on another,
these methods use only the *order* of the units on each child: units are compared pair by
pair, and the weight of the children on which unit ``a`` does better than unit ``b`` is
the support for ranking ``a`` above ``b`` (the handbook's outranking matrix, eq. 32). The
weights are then importance coefficients, not trade-offs (OECD/JRC 2008, section 6.13).

* :func:`outranking_matrix`: ``e[a, b] = sum of the weights of the children where a beats b
  + half the weights of those where they tie``, divided by the weights of the children
  both units have, so ``e[a, b] + e[b, a] = 1``.
* :func:`copeland`: each unit's pairwise wins (``e[a, b] > 1/2``) and ties against every
  other unit, as a score on 0-100: ``100 (wins + ties / 2) / (n - 1)``. A Condorcet winner
  (beating every other unit) scores 100, a Condorcet loser 0.
* :func:`kemeny`: the Condorcet-Kemeny-Young-Levenglick (C-K-Y-L) ranking, the handbook's
  non-compensatory multi-criteria ranking: the ranking of the units with the largest sum
  of ``e[a, b]`` over all pairs it puts ``a`` above ``b`` (eq. 33).

A score per unit from a ranking
-------------------------------
Aggregation kernels return one score per unit, so :func:`kemeny` turns the ranking into
``100 (n - position) / (n - 1)``: the first unit 100, the last 0, equal steps between.
Several rankings can share the largest support (a Condorcet cycle); the position used
is then the *average* position of the unit over all of them, so that no unit gains from
the order the units happen to be listed in (in the handbook's three-country paradox,
Table 34, every country scores 50). Only the ranking is meaningful: the score's gaps are
positions, not distances in performance (handbook endnote 41: the MCA produces ranks).
:func:`kemeny_ranking` returns the rankings themselves, their support and the positions.

Exact and heuristic
-------------------
Up to ``exact_max`` units (default 9, at most 16) the Kemeny ranking is found exactly, by
dynamic programming over the ``2^n`` subsets of units (the best ranking of a set is the
best ranking of a smaller set followed by one unit) instead of scoring all ``n!``
rankings; it also counts all optimal rankings and the average positions. Beyond that a
heuristic is used and flagged (:class:`HeuristicRankingWarning`, and ``exact=False`` in
:class:`KemenyRanking`): start from the units ordered by their total support
``sum_b e[a, b]`` (a weighted Borda count); repeatedly move the one unit to the one new
position that raises the support most, until no single move raises it (every adjacent
swap is such a move); then re-order every window of 6 consecutive units exactly; repeat
both until neither raises the support. The result is a local optimum: usually the
Kemeny ranking, but not guaranteed to be (on 500 random 9-unit cases it missed the
optimum in about 2 % of them, by less than 1 % of the support; the tests check this).

Kernels follow the aggregation signature ``f(x, *, weights, **params)`` with batch axes
and NaN: a unit with all children missing is left out of the comparisons and gets NaN; a
missing child is left out of that pair's comparison (the pair's weights renormalise over
the children both units have; with none in common, ``e = 1/2``). Two values equal up to
rounding (relative 1e-12) are a tie.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*, sections 6.12-6.13 (pp. 104-115). Munda, G. and Nardo, M. (2009).
Noncompensatory/nonlinear composite indicators for ranking countries: a defensible
setting. *Applied Economics* 41(12), 1513-1523. Kemeny, J. G. (1959). Mathematics without
numbers. *Daedalus* 88, 577-591. Young, H. P. and Levenglick, A. (1978). A consistent
extension of Condorcet's election principle. *SIAM Journal on Applied Mathematics* 35(2),
285-300. Copeland, A. H. (1951). A "reasonable" social welfare function. Seminar on
Mathematics in Social Sciences, University of Michigan.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from perfkit.kernels.aggregate import AGGREGATE, _prep
from perfkit.results import html_head, html_table

__all__ = [
    "EXACT_MAX",
    "HeuristicRankingWarning",
    "KemenyRanking",
    "copeland",
    "kemeny",
    "kemeny_ranking",
    "outranking_matrix",
]

#: Default largest number of units ranked exactly by :func:`kemeny`.
EXACT_MAX = 9
_EXACT_LIMIT = 16  # 2^16 subsets: beyond this the exact search needs too much memory
_TIE = 1e-12  # relative: values equal up to rounding are a tie
_CELLS = 2_000_000  # elements per chunk of replicates


class HeuristicRankingWarning(UserWarning):
    """More units than ``exact_max``: the ranking is a heuristic's, possibly not optimal."""


# --------------------------------------------------------------------------- helpers


def _setup(x, weights, direction, who: str):
    """Validated ``(B, U, C)`` values (times the direction), ``(B, C)`` weights, lead shape."""
    xb, wb = _prep(x, weights, who)
    d = np.asarray(direction, dtype=float)
    if d.ndim > 1 or (d.ndim == 1 and d.shape[0] != xb.shape[-1]):
        raise ValueError(f"{who}: direction must be a scalar or one value per child; got shape {d.shape}")
    if not np.all((d == 1) | (d == -1)):
        raise ValueError(f"{who}: direction values must be +1 or -1")
    lead = xb.shape[:-2]
    n_units, n_children = xb.shape[-2:]
    xf = (xb * d).reshape(-1, n_units, n_children)
    wf = wb.reshape(-1, n_units, n_children)[:, 0, :]
    return xf, wf, lead


def _support(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Outranking matrices ``(B, U, U)`` of ``x`` ``(B, U, C)`` with weights ``(B, C)``."""
    b_all, n, c = x.shape
    out = np.empty((b_all, n, n))
    step = max(1, _CELLS // max(1, n * n * c))
    for lo in range(0, b_all, step):
        xs, ws = x[lo:lo + step], w[lo:lo + step]
        a, b = xs[:, :, None, :], xs[:, None, :, :]
        both = ~(np.isnan(a) | np.isnan(b))
        with np.errstate(invalid="ignore"):
            diff = a - b
            tol = _TIE * (np.abs(a) + np.abs(b))
            win = both & (diff > tol)
            tie = both & (np.abs(diff) <= tol)
        wk = ws[:, None, None, :]
        common = (wk * both).sum(axis=-1)
        score = (wk * win).sum(axis=-1) + 0.5 * (wk * tie).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            e = np.where(common > 0, score / np.where(common > 0, common, 1.0), 0.5)
        out[lo:lo + step] = e
    idx = np.arange(n)
    out[:, idx, idx] = 0.0
    absent = np.isnan(x).all(axis=-1)
    out = np.where(absent[:, :, None] | absent[:, None, :], np.nan, out)
    return out


def _groups(present: np.ndarray):
    """Yield ``(mask of units, replicate indices)`` per distinct set of present units."""
    masks, inverse = np.unique(present, axis=0, return_inverse=True)
    for g, mask in enumerate(masks):
        yield mask, np.flatnonzero(inverse.ravel() == g)


def _check_exact_max(exact_max, who: str) -> int:
    if isinstance(exact_max, bool) or not isinstance(exact_max, (int, np.integer)) \
            or not 0 <= exact_max <= _EXACT_LIMIT:
        raise ValueError(f"{who}: exact_max must be a whole number from 0 to {_EXACT_LIMIT} "
                         f"(the exact search covers 2^n subsets); got {exact_max!r}")
    return int(exact_max)


# --------------------------------------------------------------------------- exact Kemeny


@lru_cache(maxsize=None)
def _levels(n: int):
    """Subsets of ``n`` units by size: states, members and non-members, and the bit table."""
    bits = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)
    levels = []
    for k in range(n + 1):
        rows = list(combinations(range(n), k))
        mem = np.array(rows, dtype=np.int64).reshape(len(rows), k)
        non = np.array([[j for j in range(n) if j not in row] for row in mem.tolist()],
                       dtype=np.int64).reshape(len(mem), n - k)
        states = np.left_shift(1, mem).sum(axis=1) if k else np.zeros(1, dtype=np.int64)
        levels.append((states, mem, non))
    return bits, levels


def _dp(P: np.ndarray):
    """Forward and backward dynamic programmes over subsets for outranking matrices ``P``.

    ``f[S]``: the largest support of a ranking of the units in ``S`` among themselves
    (``cf``: how many rankings reach it); ``g[S]``: the same for the units outside ``S``;
    ``cross[S]``: the support of ranking all of ``S`` above all the others.
    """
    B, n, _ = P.shape
    bits, levels = _levels(n)
    full = (1 << n) - 1
    tol = 1e-9 * max(1, n * n)
    inP = np.einsum("sj,bji->bsi", bits, P)  # sum over j in S of P[j, i]
    outS = np.einsum("sj,bij->bsi", bits, P)  # sum over j in S of P[i, j]
    rows = P.sum(axis=-1)
    cross = bits @ rows.T
    cross = cross.T - (bits[None] * inP).sum(axis=-1)
    f = np.full((B, 1 << n), -np.inf)
    cf = np.zeros((B, 1 << n))
    f[:, 0], cf[:, 0] = 0.0, 1.0
    for k in range(1, n + 1):
        states, mem, _ = levels[k]
        pred = states[:, None] - np.left_shift(1, mem)
        vals = f[:, pred] + inP[:, pred, mem]
        best = vals.max(axis=-1)
        f[:, states] = best
        cf[:, states] = (cf[:, pred] * (vals >= best[..., None] - tol)).sum(axis=-1)
    g = np.full((B, 1 << n), -np.inf)
    cg = np.zeros((B, 1 << n))
    g[:, full], cg[:, full] = 0.0, 1.0
    for k in range(n - 1, -1, -1):
        states, _, non = levels[k]
        succ = states[:, None] + np.left_shift(1, non)
        vals = rows[:, non] - outS[:, states[:, None], non] + g[:, succ]
        best = vals.max(axis=-1)
        g[:, states] = best
        cg[:, states] = (cg[:, succ] * (vals >= best[..., None] - tol)).sum(axis=-1)
    return f, cf, g, cg, inP, cross, tol


def _exact(P: np.ndarray):
    """Average positions ``(B, n)`` over all optimal rankings, their count and the support."""
    B, n, _ = P.shape
    f, cf, g, cg, inP, cross, tol = _dp(P)
    _, levels = _levels(n)
    F = f[:, -1]
    pos_sum = np.zeros((B, n))
    for k in range(1, n + 1):
        states, mem, _ = levels[k]
        pred = states[:, None] - np.left_shift(1, mem)
        val = f[:, pred] + inP[:, pred, mem] + (g[:, states] + cross[:, states])[..., None]
        cnt = cf[:, pred] * cg[:, states][..., None] * (val >= F[:, None, None] - tol)
        onehot = (mem[..., None] == np.arange(n)).astype(float)
        pos_sum += k * np.einsum("bck,ckn->bn", cnt, onehot)
    count = cf[:, -1]
    return pos_sum / count[:, None], count, F


def _optimal_orders(P: np.ndarray, limit: int):
    """Up to ``limit`` optimal rankings (best first) of one matrix, in lexicographic order."""
    n = P.shape[0]
    f, _, g, _, inP, cross, tol = _dp(P[None])
    F = f[0, -1]
    found: list[tuple[int, ...]] = []

    def walk(state: int, prefix: tuple[int, ...]) -> None:
        if len(found) >= limit:
            return
        if len(prefix) == n:
            found.append(prefix)
            return
        for i in range(n):
            if state >> i & 1:
                continue
            t = state | 1 << i
            if f[0, state] + inP[0, state, i] + g[0, t] + cross[0, t] >= F - tol:
                walk(t, (*prefix, i))

    walk(0, ())
    return found, float(F)


# --------------------------------------------------------------------------- heuristic


_WINDOW = 6  # units re-ordered exactly at a time by the heuristic


def _support_of(P: np.ndarray, order: np.ndarray) -> float:
    Po = P[np.ix_(order, order)]
    return float(np.triu(Po, 1).sum())


def _insertion_moves(P: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Best-improvement single-unit moves until no move raises the support."""
    n = P.shape[0]
    M = P - P.T  # M[a, b]: what ranking a above b gains over b above a
    p, q = np.arange(n)[:, None], np.arange(n)[None, :]
    rows = np.arange(n)
    for _ in range(n * n * n):  # the support rises every round; this bound is never reached
        Mo = M[np.ix_(order, order)]
        C = np.zeros((n, n + 1))
        C[:, 1:] = np.cumsum(Mo, axis=1)
        down = -(C[rows[:, None], q + 1] - C[rows, rows + 1][:, None])  # unit at p passes p+1..q
        up = C[rows, rows][:, None] - C[rows[:, None], q]  # unit at p passes q..p-1
        delta = np.where(q > p, down, np.where(q < p, up, 0.0))
        a, b = np.unravel_index(np.argmax(delta), delta.shape)
        if delta[a, b] <= 1e-12:
            break
        order = np.insert(np.delete(order, a), b, order[a])
    return order


def _local_search(P: np.ndarray) -> np.ndarray:
    """A ranking (unit indices, best first) by the heuristic of the module docstring.

    Weighted Borda start; best-improvement single-unit moves; then every window of
    ``_WINDOW`` consecutive units is re-ordered exactly; repeated until neither helps.
    """
    n = P.shape[0]
    k = min(_WINDOW, n)
    order = np.argsort(-P.sum(axis=1), kind="stable")
    for _ in range(n * n * n):  # each round raises the support; this bound is never reached
        order = _insertion_moves(P, order)
        improved = False
        for start in range(n - k + 1):
            idx = order[start:start + k]
            sub = P[np.ix_(idx, idx)]
            best, support = _optimal_orders(sub, 1)
            if support > _support_of(sub, np.arange(k)) + 1e-12:
                order = order.copy()
                order[start:start + k] = idx[list(best[0])]
                improved = True
        if not improved:
            break
    return order


def _heuristic_positions(P: np.ndarray) -> np.ndarray:
    out = np.empty(P.shape[:2])
    for r in range(P.shape[0]):
        order = _local_search(P[r])
        out[r, order] = np.arange(1, P.shape[1] + 1)
    return out


def _warn_heuristic(who: str, n: int, exact_max: int) -> None:
    warnings.warn(
        f"{who}: {n} units exceed exact_max={exact_max}, so the ranking is a heuristic's "
        "(weighted Borda start, then single-unit moves and exact re-ordering of windows of "
        f"{_WINDOW} units while the pairwise support rises): a "
        "local optimum, not necessarily the Kemeny ranking; raise exact_max (at most "
        f"{_EXACT_LIMIT}) for an exact one",
        HeuristicRankingWarning,
        stacklevel=3,
    )


# --------------------------------------------------------------------------- kernels


def outranking_matrix(x, *, weights, direction=1) -> np.ndarray:
    """The outranking matrix of the units: ``e[a, b]``, the weighted support for ``a`` above ``b``.

    ``e[a, b] = (sum of w over children with x_a > x_b + half the sum over ties) / (sum of w
    over the children both have)``, 0 on the diagonal; ``e[a, b] + e[b, a] = 1``. Rows and
    columns of units with every child missing are NaN.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)``.
    weights
        ``(n_children,)`` or ``(..., n_children)``, non-negative, relative.
    direction
        +1 (higher is better) or -1 per child.

    Returns
    -------
    ndarray
        ``(..., n_units, n_units)``.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, eq. 32 (p. 113).

    Examples
    --------
    >>> outranking_matrix([[3, 1], [2, 2], [1, 2]], weights=[2, 1])
    array([[0.        , 0.66666667, 0.66666667],
           [0.33333333, 0.        , 0.83333333],
           [0.33333333, 0.16666667, 0.        ]])
    """
    xf, wf, lead = _setup(x, weights, direction, "outranking_matrix")
    n = xf.shape[1]
    return _support(xf, wf).reshape(*lead, n, n)


@AGGREGATE.register("copeland", bounds=(0.0, 100.0))
def copeland(x, *, weights, direction=1) -> np.ndarray:
    """Copeland scores on 0-100 from the weighted pairwise comparison of the units.

    Unit ``a`` beats ``b`` when the children on which it does better weigh more than
    those on which ``b`` does better (``e[a, b] > e[b, a]``, up to 1e-9 of the weights).
    ``y = 100 (wins + ties / 2) / (n - 1)`` over the ``n`` units with a value: 100 for a
    Condorcet winner (it beats every other unit), 0 for a Condorcet loser; equivalently
    ``50 + 50 (wins - losses) / (n - 1)``, the Copeland count rescaled. A single unit gets
    50 (no comparison), as TOPSIS gives 0.5 without spread.

    Non-compensatory: only which unit is better on each child counts, not by how much,
    so the children need no common scale. Unlike the means, a unit's score depends on
    the other units.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)``.
    weights
        ``(n_children,)`` or ``(..., n_children)``, non-negative, relative.
    direction
        +1 (higher is better) or -1 per child.

    Returns
    -------
    ndarray
        ``(..., n_units)`` in ``[0, 100]``; NaN for units with every child missing.

    References
    ----------
    Copeland, A. H. (1951), see the module references. OECD/JRC (2008), *Handbook on
    Constructing Composite Indicators*, section 6.12 (the Condorcet rule, Table 27).

    Examples
    --------
    >>> copeland([[3, 1], [2, 2], [1, 2]], weights=[2, 1])
    array([100.,  50.,   0.])
    """
    who = "copeland"
    xf, wf, lead = _setup(x, weights, direction, who)
    e = _support(xf, wf)
    margin = e - np.swapaxes(e, -1, -2)
    win = (margin > 1e-9).sum(axis=-1)
    tie = (np.abs(margin) <= 1e-9).sum(axis=-1) - 1  # less the unit itself
    n = (~np.isnan(xf).all(axis=-1)).sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(n > 1, 100.0 * (win + 0.5 * tie) / np.where(n > 1, n - 1, 1), 50.0)
    score = np.where(np.isnan(xf).all(axis=-1), np.nan, score)
    return score.reshape(*lead, xf.shape[1])


@AGGREGATE.register("kemeny", bounds=(0.0, 100.0))
def kemeny(x, *, weights, direction=1, exact_max=EXACT_MAX) -> np.ndarray:
    """The handbook's non-compensatory ranking (C-K-Y-L / Kemeny), as a score on 0-100.

    The ranking of the units that maximises the sum of the outranking matrix over the
    pairs it orders (``e[a, b]`` for each ``a`` ranked above ``b``); each unit's score is
    ``100 (n - position) / (n - 1)``, with the position averaged over all rankings of
    maximal support when there are several (see the module docstring). Exact up to
    ``exact_max`` units; beyond, a heuristic ranking with a
    :class:`HeuristicRankingWarning`. A single unit gets 50.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_children)``.
    weights
        ``(n_children,)`` or ``(..., n_children)``, non-negative, relative. The handbook
        advises that no child weighs more than half (it would dictate the ranking).
    direction
        +1 (higher is better) or -1 per child.
    exact_max
        Largest number of units ranked exactly (0 to 16, default 9; the work grows as
        ``n^2 2^n``).

    Returns
    -------
    ndarray
        ``(..., n_units)`` in ``[0, 100]``; NaN for units with every child missing.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, sections 6.12-6.13,
    eq. 33 (p. 114); Kemeny (1959); Young and Levenglick (1978).

    Examples
    --------
    The handbook's Table 28 (Condorcet's 60 voters, a cycle): b > c > a has support 104.

    >>> x = [[3, 1, 2, 2, 1], [2, 3, 3, 1, 2], [1, 2, 1, 3, 3]]  # a, b, c; 5 profiles
    >>> kemeny(x, weights=[23, 17, 2, 10, 8])
    array([  0., 100.,  50.])
    """
    who = "kemeny"
    exact_max = _check_exact_max(exact_max, who)
    xf, wf, lead = _setup(x, weights, direction, who)
    e = _support(xf, wf)
    B, U = xf.shape[:2]
    out = np.full((B, U), np.nan)
    for mask, reps in _groups(~np.isnan(xf).all(axis=-1)):
        units = np.flatnonzero(mask)
        n = units.size
        if n == 0:
            continue
        if n == 1:
            out[np.ix_(reps, units)] = 50.0
            continue
        P = e[np.ix_(reps, units, units)]
        if n <= exact_max:
            step = max(1, _CELLS // ((1 << n) * n))
            pos = np.concatenate([_exact(P[i:i + step])[0] for i in range(0, len(reps), step)])
        else:
            _warn_heuristic(who, n, exact_max)
            pos = _heuristic_positions(P)
        out[np.ix_(reps, units)] = 100.0 * (n - pos) / (n - 1)
    return out.reshape(*lead, U)


# --------------------------------------------------------------------------- the ranking itself


@dataclass(frozen=True, repr=False)
class KemenyRanking:
    """The Kemeny (C-K-Y-L) ranking of one set of units, with how it was found.

    Attributes
    ----------
    units
        Unit labels, in the order of the input rows.
    outranking
        ``(n, n)`` outranking matrix ``e`` (weights renormalised per pair to sum to 1).
    order
        One ranking of maximal support (heuristic: the ranking found), best first, as
        unit labels; among several optimal rankings the first in the units' order.
    optimal
        All rankings of maximal support (at most ``max_listed``; exact search only).
    n_optimal
        How many rankings reach the maximal support (``None`` for the heuristic).
    support
        The support of ``order``: the sum of ``e[a, b]`` over the pairs it ranks ``a``
        above ``b``.
    positions
        Each unit's position (1 = first), averaged over all optimal rankings.
    scores
        ``100 (n - position) / (n - 1)``, the score :func:`kemeny` gives.
    exact
        ``True`` when found by the exact search, ``False`` for the heuristic.
    method
        In words, how the ranking was found.
    """

    units: tuple[str, ...]
    outranking: np.ndarray
    order: tuple[str, ...]
    optimal: tuple[tuple[str, ...], ...]
    n_optimal: int | None
    support: float
    positions: np.ndarray
    scores: np.ndarray
    exact: bool
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: average position, score, and its place in :attr:`order`."""
        place = {u: i + 1 for i, u in enumerate(self.order)}
        return pd.DataFrame(
            {"position": self.positions, "score": self.scores, "place": [place[u] for u in self.units]},
            index=pd.Index(self.units, name="unit"),
        ).sort_values(["position", "place"])

    def outranking_frame(self) -> pd.DataFrame:
        """The outranking matrix with unit labels (row unit above column unit)."""
        return pd.DataFrame(self.outranking, index=pd.Index(self.units, name="unit"), columns=list(self.units))

    def _repr_html_(self) -> str:
        meta = {"exact": self.exact, "support": round(self.support, 6),
                "optimal rankings": self.n_optimal if self.n_optimal is not None else "?"}
        return html_head(f"Kemeny ranking ({self.method})", meta) + html_table(self.to_frame())

    def __repr__(self) -> str:
        return (f"KemenyRanking(order={' > '.join(self.order)}, support={self.support:.6g}, "
                f"n_optimal={self.n_optimal}, exact={self.exact})")


def kemeny_ranking(x: Any, *, weights: Any, direction: Any = 1, exact_max: int = EXACT_MAX,
                   units: Sequence[Any] | None = None, max_listed: int = 100) -> KemenyRanking:
    """The Kemeny ranking of the rows of one ``(n_units, n_children)`` matrix, in full.

    The same search as :func:`kemeny`, returning the rankings instead of scores.

    Parameters
    ----------
    x
        ``(n_units, n_children)``; every unit needs at least one value.
    weights, direction, exact_max
        As in :func:`kemeny`.
    units
        Unit labels (default ``"1"``, ``"2"``, ...).
    max_listed
        At most this many optimal rankings are listed in :attr:`KemenyRanking.optimal`.

    Returns
    -------
    KemenyRanking

    Examples
    --------
    The handbook's Table 34, the Condorcet paradox: three rankings tie.

    >>> r = kemeny_ranking([[3, 1, 2], [2, 3, 1], [1, 2, 3]], weights=[1, 1, 1], units="abc")
    >>> r.n_optimal, r.order, r.scores.tolist()
    (3, ('a', 'b', 'c'), [50.0, 50.0, 50.0])
    """
    who = "kemeny_ranking"
    exact_max = _check_exact_max(exact_max, who)
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"{who}: x must be one (n_units, n_children) matrix; got {arr.ndim}-D input")
    xf, wf, _ = _setup(arr, weights, direction, who)
    n = xf.shape[1]
    labels = tuple(str(u) for u in units) if units is not None else tuple(str(i + 1) for i in range(n))
    if len(labels) != n:
        raise ValueError(f"{who}: {len(labels)} unit labels for {n} units")
    empty = np.isnan(xf[0]).all(axis=-1)
    if empty.any():
        raise ValueError(f"{who}: unit(s) {[labels[i] for i in np.flatnonzero(empty)]} have no value "
                         "on any child; leave them out")
    e = _support(xf, wf)
    if n <= exact_max:
        pos, count, F = _exact(e)
        orders, support = _optimal_orders(e[0], max_listed)
        optimal = tuple(tuple(labels[i] for i in o) for o in orders)
        order, n_optimal, exact = optimal[0], int(round(count[0])), True
        method = "exact: dynamic programming over all subsets of units"
        positions = pos[0]
    else:
        _warn_heuristic(who, n, exact_max)
        idx = _local_search(e[0])
        order = tuple(labels[i] for i in idx)
        optimal, n_optimal, exact = (), None, False
        method = ("heuristic: weighted Borda start, best single-unit moves and exact windows of "
                  f"{_WINDOW} units (a local optimum)")
        positions = np.empty(n)
        positions[idx] = np.arange(1, n + 1)
        support = _support_of(e[0], idx)
    scores = 100.0 * (n - positions) / (n - 1) if n > 1 else np.array([50.0])
    return KemenyRanking(units=labels, outranking=e[0], order=order, optimal=optimal, n_optimal=n_optimal,
                         support=float(support), positions=positions, scores=scores, exact=exact,
                         method=method)
