"""Final scores, ties and ranks within category.

Final scores are compared — ranked and graded — after rounding to
:data:`SCORE_DECIMALS` decimals. Two units whose true scores are equal (both at full
marks, identical profiles) can otherwise differ by one unit in the last place depending
on the order of a summation, and would get different ranks, or different grades at a
quota boundary. The single run and the batched sensitivity engine sum in different orders;
with the rounding they agree on ranks and grades. The final scores themselves are kept
unrounded.
"""
from __future__ import annotations

import numpy as np

from perfkit.kernels.rank import rank_desc

__all__ = ["SCORE_DECIMALS", "comparable", "final_scores", "rank_in_categories"]

#: Final scores are rounded to this many decimals before ranking and grading.
SCORE_DECIMALS = 9


def final_scores(root, *, scale: float, bonus, penalty, kept: np.ndarray) -> np.ndarray:
    """Final scores: the root's score on the scheme's scale, plus bonus, minus penalty.

    Parameters
    ----------
    root
        Root node scores ``(..., n_units)`` on the internal 0-100 scale.
    scale
        Root points / 100 in a points scheme, 1 otherwise.
    bonus, penalty
        ``(n_units,)`` adjustments, already capped.
    kept
        ``(n_units,)`` units that passed the screen; the others get NaN.

    Examples
    --------
    >>> final_scores(np.array([80.0, 50.0]), scale=1.0, bonus=np.array([2.0, 0.0]),
    ...              penalty=np.array([0.0, 1.0]), kept=np.array([True, False]))
    array([82., nan])
    """
    return np.where(kept, root * scale + bonus - penalty, np.nan)


def comparable(final) -> np.ndarray:
    """Final scores as ranking and grading compare them: rounded to :data:`SCORE_DECIMALS`.

    >>> comparable(np.array([0.1 + 0.2, 0.3])).tolist()
    [0.3, 0.3]
    """
    return np.round(np.asarray(final, dtype=float), SCORE_DECIMALS)


def rank_in_categories(final, categories: np.ndarray) -> np.ndarray:
    """Ranks within category (1 = best, ties share the best rank, NaN for no score) of
    final scores ``(..., n_units)``, compared as :func:`comparable` makes them.

    >>> rank_in_categories(np.array([0.1 + 0.2, 0.3, 0.1]), np.array(["a", "a", "a"]))
    array([1., 1., 3.])
    """
    return rank_desc(comparable(final), groups=categories)
