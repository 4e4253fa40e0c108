"""Grades within categories under score thresholds, quotas and vetoes.

The rule, applied per category with grades listed best first: walking down the units in
score order, a unit gets the best grade whose ``min_score`` it meets, whose quota
(``max_share`` x category size, rounded as the scheme says) still has room and that none of
its vetoes forbids; the last grade is the floor. With ``ties="strict"`` (the default) a
group of tied units that would overflow a quota all miss that grade — nobody is preferred
over an equal; with ``"lenient"`` they all get it.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["GradeOutcome", "assign_grades", "quota_size"]


@dataclass(frozen=True)
class GradeOutcome:
    """Per unit: the grade index (0 = best) and why."""

    index: np.ndarray  # int, -1 for units with no score
    reason: tuple[str, ...]


def quota_size(max_share: float | None, n: int, rounding: str = "floor") -> int:
    """Number of units a quota admits.

    >>> quota_size(0.3, 10), quota_size(0.3, 11), quota_size(0.3, 11, "round"), quota_size(None, 7)
    (3, 3, 3, 7)
    """
    if max_share is None:
        return n
    raw = max_share * n
    raw = round(raw, 9)  # 0.3 * 10 must be 3, not 2.9999999999999996
    return int({"floor": math.floor, "ceil": math.ceil, "round": lambda v: math.floor(v + 0.5)}[rounding](raw))


def assign_grades(
    scores: np.ndarray,
    *,
    min_scores: Sequence[float | None],
    max_shares: Sequence[float | None],
    best_allowed: np.ndarray | None = None,
    rounding: str = "floor",
    ties: str = "strict",
    names: Sequence[str] | None = None,
) -> GradeOutcome:
    """Grade the units of ONE category.

    Parameters
    ----------
    scores
        Final scores, shape (n,); NaN = no score (no grade, index -1).
    min_scores, max_shares
        Per grade, best first; the last grade is the floor (no threshold, no quota).
    best_allowed
        Per unit, the best grade index its vetoes allow (0 = no veto).

    Examples
    --------
    >>> out = assign_grades(np.array([95., 92, 91, 85, 50]), min_scores=[90, 60, None],
    ...                     max_shares=[0.4, None, None])
    >>> out.index.tolist()
    [0, 0, 1, 1, 2]
    """
    scores = np.asarray(scores, dtype=float)
    n_units = len(scores)
    k = len(min_scores)
    if len(max_shares) != k:
        raise ValueError("min_scores and max_shares need one entry per grade")
    names = list(names) if names is not None else [str(i) for i in range(k)]
    allowed = np.zeros(n_units, dtype=int) if best_allowed is None else np.asarray(best_allowed, dtype=int)
    valid = ~np.isnan(scores)
    n = int(valid.sum())
    index = np.full(n_units, -1, dtype=int)
    reason = ["no score"] * n_units
    order = [i for i in np.argsort(-np.where(valid, scores, -np.inf), kind="stable") if valid[i]]
    remaining = list(order)
    missed: dict[int, list[str]] = {i: [] for i in order}
    for g in range(k):
        last = g == k - 1
        quota = n if last else quota_size(max_shares[g], n, rounding)
        thr = min_scores[g]
        eligible = [i for i in remaining if allowed[i] <= g and (thr is None or scores[i] >= thr - 1e-12)]
        taken = eligible if last else eligible[:quota]
        if not last and len(eligible) > quota and quota >= 0 and taken:
            boundary = scores[eligible[quota]]
            if scores[taken[-1]] == boundary:
                if ties == "strict":
                    taken = [i for i in taken if scores[i] != boundary]
                else:
                    taken = [i for i in eligible if scores[i] >= boundary]
        for i in taken:
            index[i] = g
            bits = [f"score {scores[i]:.2f}"]
            if thr is not None:
                bits.append(f">= {thr:g}")
            if max_shares[g] is not None and not last:
                bits.append(f"within quota {quota} of {n}")
            if allowed[i] > 0:
                bits.append(f"veto caps grade at {names[allowed[i]]}")
            reason[i] = f"{names[g]}: " + ", ".join(bits + missed[i])
        taken_set = set(taken)
        for i in eligible:
            if i not in taken_set and not last:
                missed[i].append(f"{names[g]} quota ({quota} of {n}) full")
        for i in remaining:
            if i not in taken_set and allowed[i] > g and not last:
                missed[i].append(f"veto rules out {names[g]}")
        remaining = [i for i in remaining if i not in taken_set]
    return GradeOutcome(index=index, reason=tuple(reason))
