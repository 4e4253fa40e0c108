"""Grades within categories under score thresholds, quotas and vetoes.

The rule, applied per category with grades listed best first: walking down the units in
score order, a unit gets the best grade whose ``min_score`` it meets, whose quota
(``max_share`` x category size, rounded as the scheme says) still has room and that none of
its vetoes forbids; the last grade is the floor. With ``ties="strict"`` (the default) a
group of tied units that would overflow a quota all miss that grade — nobody is preferred
over an equal; with ``"lenient"`` they all get it.

:func:`grade_indices` applies the rule — to one set of scores or to many replicates at
once — and is the only place that decides who gets which grade; :func:`assign_grades`
grades one set of scores and says why. Scores are compared exactly: callers that want
scores equal up to floating-point noise to tie round them first (the engine rounds final
scores to :data:`perfkit.stages.results.SCORE_DECIMALS` decimals).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from perfkit.i18n import t

__all__ = ["GradeOutcome", "assign_grades", "grade_indices", "quota_size", "quota_sizes", "veto_caps"]

_ROUNDING = ("floor", "ceil", "round")


@dataclass(frozen=True)
class GradeOutcome:
    """Per unit: the grade index (0 = best) and why, in English (``reason``) and Chinese
    (``reason_zh``)."""

    index: np.ndarray  # int, -1 for units with no score
    reason: tuple[str, ...]
    reason_zh: tuple[str, ...] = ()


def quota_sizes(max_share, n, rounding: str = "floor") -> np.ndarray:
    """Number of units a quota admits, elementwise.

    Parameters
    ----------
    max_share
        Share of the category (``None``: no quota, all ``n`` units), a number or an array
        broadcasting against ``n`` (one quota per replicate).
    n
        Category size(s): units with a score.
    rounding
        ``"floor"``, ``"ceil"`` or ``"round"`` (half up).

    Returns
    -------
    ndarray of int64
        ``max_share * n`` rounded, after rounding the product to 9 decimals so that
        ``0.3 * 10`` is 3, not 2.9999999999999996.

    Examples
    --------
    >>> quota_sizes(0.3, np.array([10, 11])).tolist(), quota_sizes(np.array([0.25, 0.5]), 6, "round").tolist()
    ([3, 3], [2, 3])
    """
    if rounding not in _ROUNDING:
        raise ValueError(f"quota rounding must be one of {', '.join(map(repr, _ROUNDING))}; got {rounding!r}")
    n = np.asarray(n)
    if max_share is None:
        return n.astype(np.int64)
    raw = np.round(np.asarray(max_share, dtype=float) * n, 9)
    if rounding == "floor":
        q = np.floor(raw)
    elif rounding == "ceil":
        q = np.ceil(raw)
    else:
        q = np.floor(raw + 0.5)
    return q.astype(np.int64)


def quota_size(max_share: float | None, n: int, rounding: str = "floor") -> int:
    """Number of units a quota admits (:func:`quota_sizes` for one quota).

    >>> quota_size(0.3, 10), quota_size(0.3, 11), quota_size(0.3, 11, "round"), quota_size(None, 7)
    (3, 3, 3, 7)
    """
    return int(quota_sizes(max_share, n, rounding))


def veto_caps(vetoes: Sequence[Iterable[str]], grades: Sequence[str], rules: Mapping[str, Any]) -> np.ndarray:
    """Per unit, the best grade index its vetoes allow (0: no veto).

    Parameters
    ----------
    vetoes
        Per unit, the veto items it incurred.
    grades
        Grade ids of the unit's category, best first.
    rules
        Veto item -> its rule (``effect`` ``"fail"``: the last grade only; ``"cap"``: at
        best ``grade``), the scheme's ``adjustments.veto``.
    """
    grades = list(grades)
    allowed = np.zeros(len(vetoes), dtype=int)
    for j, items in enumerate(vetoes):
        for item in items:
            rule = rules[item]
            best = len(grades) - 1 if rule.effect == "fail" else grades.index(rule.grade)
            allowed[j] = max(allowed[j], best)
    return allowed


def grade_indices(
    scores: np.ndarray,
    *,
    min_scores: Sequence[float | None],
    max_shares: Sequence[Any],
    best_allowed: np.ndarray | None = None,
    rounding: str = "floor",
    ties: str = "strict",
) -> np.ndarray:
    """Grade the units of ONE category, for one or many sets of scores.

    Parameters
    ----------
    scores
        Final scores ``(..., n_units)``; leading axes are replicates, graded
        independently. NaN = no score (no grade, index -1).
    min_scores
        Per grade, best first, the lowest score admitted (``None``: no threshold).
    max_shares
        Per grade, the quota as a share of the units with a score (``None``: no quota),
        a number or an array of the leading shape of ``scores`` (one quota per
        replicate). The last grade is the floor: its quota is ignored.
    best_allowed
        ``(n_units,)``: the best grade index each unit's vetoes allow (0 = no veto).
    rounding
        How a quota rounds (:func:`quota_sizes`).
    ties
        ``"strict"``: tied units that would overflow a quota all miss the grade;
        ``"lenient"``: they all get it.

    Returns
    -------
    ndarray of int64
        Grade index per unit, shape of ``scores``; -1 for no grade.

    Examples
    --------
    >>> grade_indices(np.array([[95., 92, 91, 85, 50], [95., 91, 91, 85, 50]]),
    ...               min_scores=[90, 60, None], max_shares=[0.4, None, None]).tolist()
    [[0, 0, 1, 1, 2], [0, 1, 1, 1, 2]]
    """
    s = np.asarray(scores, dtype=float)
    k = len(min_scores)
    if len(max_shares) != k:
        raise ValueError("min_scores and max_shares need one entry per grade")
    if ties not in ("strict", "lenient"):
        raise ValueError(f"ties must be 'strict' or 'lenient'; got {ties!r}")
    lead, n_units = s.shape[:-1], s.shape[-1]
    s = s.reshape(-1, n_units)
    allowed = np.zeros(n_units, dtype=int) if best_allowed is None else np.asarray(best_allowed, dtype=int)
    valid = ~np.isnan(s)
    n_valid = valid.sum(axis=1)
    order = np.argsort(-np.where(valid, s, -np.inf), axis=1, kind="stable")
    ss = np.take_along_axis(s, order, axis=1)  # best first, NaN last
    al = allowed[order]
    remaining = np.take_along_axis(valid, order, axis=1)
    idx = np.full(ss.shape, -1, dtype=np.int64)
    for g in range(k):
        eligible = remaining & (al <= g)
        if min_scores[g] is not None:
            eligible &= ss >= min_scores[g] - 1e-12
        if g == k - 1:
            taken = eligible
        else:
            share = max_shares[g]
            q = quota_sizes(None if share is None else np.broadcast_to(share, lead).reshape(-1), n_valid, rounding)
            taken = _within_quota(ss, eligible, q, ties)
        idx[taken] = g
        remaining &= ~taken
    out = np.empty(idx.shape, dtype=np.int64)
    np.put_along_axis(out, order, idx, axis=1)
    return out.reshape(*lead, n_units)


def _within_quota(ss: np.ndarray, eligible: np.ndarray, q: np.ndarray, ties: str) -> np.ndarray:
    """The first ``q`` eligible units of each row of ``ss`` (sorted best first), with the
    tie rule applied where the quota would split a group of equal scores."""
    cum = np.cumsum(eligible, axis=1)
    taken = eligible & (cum <= q[:, None])
    over = (cum[:, -1] > q) & (q >= 0) & taken.any(axis=1)
    boundary = np.where(eligible & (cum == q[:, None] + 1), ss, 0.0).sum(axis=1)  # the first one left out
    last = np.where(eligible & (cum == q[:, None]), ss, 0.0).sum(axis=1)  # the last one taken
    tie = over & (last == boundary)
    if tie.any():
        if ties == "strict":
            taken &= ~(tie[:, None] & (ss == boundary[:, None]))
        else:
            taken |= tie[:, None] & eligible & (ss >= boundary[:, None])
    return taken


def assign_grades(
    scores: np.ndarray,
    *,
    min_scores: Sequence[float | None],
    max_shares: Sequence[float | None],
    best_allowed: np.ndarray | None = None,
    rounding: str = "floor",
    ties: str = "strict",
    names: Sequence[str] | None = None,
    labels_zh: Sequence[str] | None = None,
) -> GradeOutcome:
    """Grade the units of ONE category and say why (:func:`grade_indices` decides).

    The reasons are said in English with the grade ``names`` and in Chinese with
    ``labels_zh`` (default: the names), from the ``grade_reason.*`` messages.

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
    >>> out.reason[2]
    '1: score 91.00, >= 60, 0 quota (2 of 5) full'
    >>> out.reason_zh[2]
    '1:得分 91.00,≥ 60,0名额(2/5)已满'
    """
    scores = np.asarray(scores, dtype=float)
    index = grade_indices(scores, min_scores=min_scores, max_shares=max_shares, best_allowed=best_allowed,
                          rounding=rounding, ties=ties)
    k = len(min_scores)
    names = list(names) if names is not None else [str(i) for i in range(k)]
    allowed = np.zeros(len(scores), dtype=int) if best_allowed is None else np.asarray(best_allowed, dtype=int)
    n = int((~np.isnan(scores)).sum())
    quotas = [n if g == k - 1 else quota_size(max_shares[g], n, rounding) for g in range(k)]
    zh = list(labels_zh) if labels_zh is not None else names
    said: dict[str, list[str]] = {"en": [], "zh": []}
    for i, g in enumerate(index):
        bits: list[tuple[str, dict]] = []
        if g >= 0:
            bits.append(("score", {"score": scores[i]}))
            if min_scores[g] is not None:
                bits.append(("min", {"min": min_scores[g]}))
            if max_shares[g] is not None and g < k - 1:
                bits.append(("quota", {"q": quotas[g], "n": n}))
            if allowed[i] > 0:
                bits.append(("veto_cap", {"grade": allowed[i]}))
            for better in range(g):  # why not a better grade
                thr = min_scores[better]
                if allowed[i] <= better and (thr is None or scores[i] >= thr - 1e-12):
                    bits.append(("quota_full", {"grade": better, "q": quotas[better], "n": n}))
                elif allowed[i] > better:
                    bits.append(("veto_rules_out", {"grade": better}))
        for lang, grade_names in (("en", names), ("zh", zh)):
            if g < 0:
                said[lang].append(t("grade_reason.no_score", lang))
                continue
            parts = [t(f"grade_reason.{key}", lang, **{k: (grade_names[v] if k == "grade" else v)
                                                        for k, v in params.items()}) for key, params in bits]
            said[lang].append(t("grade_reason.grade", lang, grade=grade_names[g],
                                reasons=t("grade_reason.sep", lang).join(parts)))
    return GradeOutcome(index=index.astype(int), reason=tuple(said["en"]), reason_zh=tuple(said["zh"]))
