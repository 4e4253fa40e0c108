"""Standard-deviation (标准差法) and coefficient-of-variation (变异系数法) weights."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._common import (
    WEIGHTS,
    WeightingError,
    as_data,
    as_direction,
    as_names,
    constant_note,
    label,
    minmax_columns,
    normalise_vector,
    note,
)
from .result import WeightResult, make_result

__all__ = ["std_weights", "cv_weights"]


def _check_ddof(ddof: Any, n: int) -> int:
    if ddof not in (0, 1):
        raise WeightingError(f"ddof must be 0 or 1; got {ddof!r}")
    if n - ddof < 1:
        raise WeightingError(f"need more than {ddof} unit(s) for ddof={ddof}")
    return int(ddof)


@WEIGHTS.register("std", kind="objective", needs_data=True)
def std_weights(
    X: Any, *, direction: Any = None, names: Sequence[str] | None = None, ddof: int = 1
) -> WeightResult:
    """Standard-deviation weights: ``w_j ∝ s_j`` of the min-max normalised data.

    The data are first min-max normalised to [0, 1] (direction-aware; the standard
    deviation of raw data would depend on each indicator's unit). A constant indicator
    gets weight 0 and this is stated in ``warnings``.

    Examples
    --------
    >>> std_weights([[0, 0], [1, 1], [2, 0]]).weights.round(4).tolist()
    [0.4641, 0.5359]
    """
    X = as_data(X, min_units=2, method="standard-deviation weights")
    n, m = X.shape
    d_ = as_direction(direction, m)
    names = as_names(names, m)
    ddof = _check_ddof(ddof, n)
    Z, constant = minmax_columns(X, d_)
    messages: list[str] = []
    if constant.all():
        raise WeightingError("standard-deviation weights: no indicator varies across units")
    if constant.any():
        note(messages, constant_note(constant, names, "standard-deviation weights"))
    s = Z.std(axis=0, ddof=ddof)
    w = normalise_vector(s, method="standard-deviation weights")
    return make_result(w, "std", {"ddof": ddof}, names, {"std": s, "constant": constant}, messages, ("std",))


@WEIGHTS.register("cv", kind="objective", needs_data=True)
def cv_weights(
    X: Any, *, direction: Any = None, names: Sequence[str] | None = None, ddof: int = 1
) -> WeightResult:
    """Coefficient-of-variation weights: ``w_j ∝ s_j / mean_j`` of the raw data.

    The coefficient of variation is only meaningful on a ratio scale, so every value
    must be non-negative and every indicator's mean positive; otherwise a
    :class:`WeightingError` is raised (use :func:`std_weights` instead). ``direction``
    is accepted for the common signature but not used: the CV describes the spread of
    the raw values and is the same for a benefit or a cost reading. A constant indicator
    gets weight 0 (stated in ``warnings``).

    Examples
    --------
    >>> cv_weights([[1, 10], [2, 10], [3, 13]]).weights.round(4).tolist()
    [0.7605, 0.2395]
    """
    X = as_data(X, min_units=2, method="coefficient-of-variation weights")
    n, m = X.shape
    as_direction(direction, m)
    names = as_names(names, m)
    ddof = _check_ddof(ddof, n)
    mean = X.mean(axis=0)
    bad = (X < 0).any(axis=0) | (mean <= 0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise WeightingError(
            f"coefficient-of-variation weights need non-negative data with a positive mean; "
            f"indicator {label(j, names)} does not qualify",
            hint="use std weights (min-max normalised) for interval-scale data",
        )
    s = X.std(axis=0, ddof=ddof)
    constant = s <= 1e-12 * np.maximum(1.0, np.abs(mean))
    messages: list[str] = []
    if constant.all():
        raise WeightingError("coefficient-of-variation weights: no indicator varies across units")
    if constant.any():
        note(messages, constant_note(constant, names, "coefficient-of-variation weights"))
    cv = np.where(constant, 0.0, s / mean)
    w = normalise_vector(cv, method="coefficient-of-variation weights")
    diagnostics = {"mean": mean, "std": s, "cv": cv, "constant": constant}
    return make_result(w, "cv", {"ddof": ddof}, names, diagnostics, messages, ("mean", "std", "cv"))
