"""Equal weights (等权法) and fixed, given weights (给定权重)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._common import WEIGHTS, WeightingError, as_names, n_columns
from .result import WeightResult, make_result

__all__ = ["equal_weights", "fixed_weights"]


@WEIGHTS.register("equal", kind="subjective", needs_data=False)
def equal_weights(X: Any = None, *, direction: Any = None, names: Sequence[str] | None = None) -> WeightResult:
    """Equal weights ``1/m`` for the ``m`` indicators.

    ``X`` is used only for its number of columns (or ``names`` for their number).

    Examples
    --------
    >>> equal_weights(np.zeros((3, 4))).weights.tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> equal_weights(names=["a", "b"]).as_dict()
    {'a': 0.5, 'b': 0.5}
    """
    m = n_columns(X)
    if m is None:
        if names is None:
            raise WeightingError("equal weights need X or names to know the number of indicators")
        m = len(names)
    names = as_names(names, m)
    if m == 0:
        raise WeightingError("equal weights: there are no indicators")
    return make_result(np.full(m, 1.0 / m), "equal", {}, names)


@WEIGHTS.register("fixed", kind="subjective", needs_data=False)
def fixed_weights(
    X: Any = None, *, direction: Any = None, names: Sequence[str] | None = None, values: Sequence[float]
) -> WeightResult:
    """Given weights (for example from a policy document), rescaled to sum to one.

    Examples
    --------
    >>> fixed_weights(values=[30, 30, 40]).weights.tolist()
    [0.3, 0.3, 0.4]
    """
    v = np.array(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise WeightingError("fixed weights: values must be a non-empty list of numbers")
    if not np.isfinite(v).all() or (v < 0).any():
        raise WeightingError(f"fixed weights must be finite and non-negative; got {v.tolist()}")
    if v.sum() <= 0:
        raise WeightingError("fixed weights: the values sum to zero")
    m = n_columns(X)
    if m is not None and m != v.size:
        raise WeightingError(f"fixed weights: {v.size} values for {m} indicators")
    names = as_names(names, v.size)
    return make_result(v / v.sum(), "fixed", {"values": v.tolist()}, names)
