"""Entropy weights (熵权法) as practised in China."""
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
    check_choice,
    constant_note,
    minmax_columns,
    normalise_vector,
    note,
)
from .result import WeightResult, make_result

__all__ = ["entropy_weights"]


@WEIGHTS.register("entropy", kind="objective", needs_data=True)
def entropy_weights(
    X: Any,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    normalise: str = "minmax",
    zero: str = "zero_log",
    shift: float | None = None,
) -> WeightResult:
    r"""Entropy weights: indicators that spread the units more get more weight.

    Steps (the usual Chinese textbook procedure):

    1. ``normalise="minmax"`` (default): direction-aware min-max to [0, 1]
       (benefit: ``(x - min)/(max - min)``, cost: ``(max - x)/(max - min)``);
       ``normalise="sum"``: use the raw values (they must be non-negative, and all
       indicators benefit-type), as in Xu (2004).
    2. ``p_ij = z_ij / sum_i z_ij``.
    3. ``e_j = -(1/ln n) sum_i p_ij ln p_ij``, ``d_j = 1 - e_j``, ``w_j = d_j / sum d``.

    Zeros: ``zero="zero_log"`` takes ``0 ln 0 = 0`` (the limit); ``zero="shift"`` adds
    ``shift`` (default 1e-4, the "平移" used in many Chinese papers) to every normalised
    value before step 2, so no ``p`` is zero. Both choices are recorded in ``params``
    (``shift`` is recorded as ``None`` when ``zero="zero_log"``).

    An indicator that does not vary across units (including one that is all zero) has
    ``e = 1`` and gets weight 0; this is stated in ``warnings`` (and warned). If no
    indicator varies, a :class:`WeightingError` is raised.

    Parameters
    ----------
    X
        (n_units, n_ind) data, no missing values, at least 2 units.
    direction
        +1 (benefit) / -1 (cost) per indicator; ``None`` means all benefit.
    names
        Indicator names.
    normalise
        ``"minmax"`` or ``"sum"``.
    zero
        ``"zero_log"`` or ``"shift"``.
    shift
        Added when ``zero="shift"``; must be positive; ``None`` means 1e-4. Giving it
        with ``zero="zero_log"`` is an error (it would have no effect).

    Returns
    -------
    WeightResult
        ``diagnostics``: ``e`` (entropy), ``d`` (divergence ``1 - e``), ``constant``
        (flags), ``n_units``.

    References
    ----------
    .. [1] Xu, X. (2004). A note on the subjective and objective integrated approach to
       determine attribute weights. European Journal of Operational Research 156(2),
       530-532.
    .. [2] Zeleny, M. (1982). Multiple Criteria Decision Making. McGraw-Hill.

    Examples
    --------
    Xu (2004), raw data sum-normalised:

    >>> X = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
    >>> entropy_weights(X, normalise="sum").weights.round(4).tolist()
    [0.463, 0.3992, 0.1378, 0.0]
    """
    X = as_data(X, min_units=2, method="entropy weights")
    n, m = X.shape
    d_ = as_direction(direction, m)
    names = as_names(names, m)
    check_choice("normalise", normalise, ("minmax", "sum"))
    check_choice("zero", zero, ("zero_log", "shift"))
    if zero == "zero_log" and shift is not None:
        raise WeightingError("entropy weights: shift is used only with zero='shift'")
    shift = 1e-4 if shift is None else float(shift)
    if zero == "shift" and not (np.isfinite(shift) and shift > 0):
        raise WeightingError(f"entropy weights: shift must be positive; got {shift:g}")

    if normalise == "minmax":
        Z, constant = minmax_columns(X, d_)
    else:
        if (d_ < 0).any():
            raise WeightingError(
                "entropy weights with normalise='sum' use the raw values and cannot reverse "
                "cost indicators",
                hint="use normalise='minmax' (direction-aware), or transform cost indicators first",
            )
        if (X < 0).any():
            j = int(np.flatnonzero((X < 0).any(axis=0))[0])
            raise WeightingError(
                f"entropy weights with normalise='sum' need non-negative values; "
                f"indicator {names[j] if names else j + 1} has negative values",
                hint="use normalise='minmax'",
            )
        Z = X.copy()
        span = X.max(axis=0) - X.min(axis=0)
        constant = span <= 1e-12 * np.maximum(1.0, np.abs(X).max(axis=0))

    messages: list[str] = []
    if constant.all():
        raise WeightingError("entropy weights: no indicator varies across units; entropy weights are undefined")
    if constant.any():
        note(messages, constant_note(constant, names, "entropy weights"))

    if zero == "shift":
        Z = Z + shift
    col = Z.sum(axis=0)
    safe = np.where(col > 0, col, 1.0)
    P = Z / safe
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    e = np.where(constant, 1.0, np.clip(e, 0.0, 1.0))
    div = 1.0 - e
    w = normalise_vector(div, method="entropy weights")
    params = {"normalise": normalise, "zero": zero, "shift": shift if zero == "shift" else None}
    diagnostics = {
        "e": e,
        "d": div,
        "constant": constant,
        "n_units": n,
        "normalise": normalise,
        "zero": zero,
    }
    return make_result(w, "entropy", params, names, diagnostics, messages, ("e", "d"))
