"""Side-by-side comparison of weighting methods on one data set."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._common import WeightingError, as_data, as_direction, as_names, minmax_columns
from .result import WeightResult
from .spec import weights_from_spec

__all__ = ["ComparisonResult", "compare_weightings"]


@dataclass(frozen=True)
class ComparisonResult:
    """Weights, scores and ranks under several weighting methods.

    Attributes
    ----------
    results
        ``{label: WeightResult}`` in the order given.
    weights
        Indicators x methods.
    scores
        Units x methods: ``100 * sum_j w_j z_j`` with ``z`` the direction-aware min-max
        normalised data (a constant indicator contributes 0 to every unit).
    ranks
        Units x methods, 1 = best; ties share the best rank (1, 2, 2, 4).
    spearman, kendall
        Methods x methods rank correlations of the scores (Kendall's tau-b).
    """

    results: Mapping[str, WeightResult]
    weights: Any
    scores: Any
    ranks: Any
    spearman: Any
    kendall: Any

    def to_frame(self):
        """The weights table (indicators x methods)."""
        return self.weights

    def _repr_html_(self) -> str:
        fmt = lambda x: f"{x:.4f}"  # noqa: E731
        parts = [
            "<div><p><strong>赋权方法比较 · Comparison of weighting methods</strong></p>",
            "<p>weights</p>", self.weights.to_html(float_format=fmt),
            "<p>ranks (1 = best)</p>", self.ranks.to_html(),
            "<p>Spearman rank correlation</p>", self.spearman.to_html(float_format=fmt),
            "</div>",
        ]
        return "".join(parts)


def compare_weightings(
    X: Any,
    direction: Any,
    methods: Mapping[str, Any],
    names: Sequence[str] | None = None,
    *,
    units: Sequence[str] | None = None,
) -> ComparisonResult:
    """Run several weighting methods on one data set and compare the resulting rankings.

    Parameters
    ----------
    X
        (n_units, n_ind) data.
    direction
        +1/-1 per indicator, or ``None`` (all benefit).
    methods
        ``{label: spec}`` where a spec is what :func:`weights_from_spec` accepts
        (``{"method": "entropy"}``, ``"critic"``, ``{"method": "ahp", "matrix": ...}``)
        or an existing :class:`WeightResult`.
    names, units
        Indicator and unit labels.

    Examples
    --------
    >>> X = [[1, 10, 3], [2, 30, 1], [3, 20, 2], [4, 25, 5]]
    >>> c = compare_weightings(X, None, {"equal": "equal", "entropy": {"method": "entropy"}},
    ...                        names=["a", "b", "c"])
    >>> c.ranks.columns.tolist(), c.spearman.shape
    (['equal', 'entropy'], (2, 2))
    """

    if not isinstance(methods, Mapping) or not methods:
        raise WeightingError("compare_weightings needs a non-empty mapping {label: weights spec}")
    X = as_data(X, min_units=2, method="compare_weightings")
    n, m = X.shape
    d_ = as_direction(direction, m)
    names = as_names(names, m) or tuple(str(j + 1) for j in range(m))
    units = as_names(units, n, what="unit") or tuple(str(i + 1) for i in range(n))
    results: dict[str, WeightResult] = {}
    for lab, spec in methods.items():
        if isinstance(spec, WeightResult):
            if spec.weights.size != m:
                raise WeightingError(f"method {lab!r}: {spec.weights.size} weights for {m} indicators")
            results[str(lab)] = spec
        else:
            results[str(lab)] = weights_from_spec(spec, X, d_, names, where=("compare", str(lab)))
    Z, _ = minmax_columns(X, d_)
    W = np.column_stack([r.weights for r in results.values()])
    cols = pd.Index(list(results), name="method")
    weights = pd.DataFrame(W, index=pd.Index(names, name="indicator"), columns=cols)
    scores = pd.DataFrame(100.0 * Z @ W, index=pd.Index(units, name="unit"), columns=cols)
    ranks = scores.rank(ascending=False, method="min").astype(int)
    spearman = scores.corr(method="spearman")
    kendall = scores.corr(method="kendall")
    return ComparisonResult(results, weights, scores, ranks, spearman, kendall)
