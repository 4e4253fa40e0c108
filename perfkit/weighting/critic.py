"""CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995)."""
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
    note,
)
from .result import WeightResult, make_result

__all__ = ["critic_weights"]


@WEIGHTS.register("critic", kind="objective", needs_data=True)
def critic_weights(
    X: Any,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    conflict: str = "signed",
) -> WeightResult:
    r"""CRITIC weights: contrast (standard deviation) times conflict with the others.

    The data are min-max normalised, direction-aware, to [0, 1]; then
    ``C_j = s_j * sum_k (1 - r_jk)`` with ``s_j`` the (sample) standard deviation of
    column ``j`` and ``r`` the Pearson correlation matrix, and ``w = C / sum C``.
    ``conflict="signed"`` is Diakoulaki's ``1 - r``; ``conflict="absolute"`` uses
    ``1 - |r|`` (a common variant that treats strong negative correlation as redundancy).
    The weights do not depend on whether the standard deviation uses ``n`` or ``n - 1``.

    An indicator that does not vary across units has no contrast and an undefined
    correlation: it gets weight 0, the others are computed without it, and this is
    stated in ``warnings``. At least two varying indicators and three units are needed.

    Returns
    -------
    WeightResult
        ``diagnostics``: ``std`` (contrast), ``conflict`` (the sums), ``information``
        (``C``), ``correlation`` (matrix), ``constant`` (flags).

    References
    ----------
    .. [1] Diakoulaki, D., Mavrotas, G., Papayannakis, L. (1995). Determining objective
       weights in multiple criteria problems: the CRITIC method. Computers & Operations
       Research 22(7), 763-770.
    .. [2] Tuş, A., Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS
       methods for the time and attendance software selection problem. OPSEARCH 56,
       528-538.

    Examples
    --------
    >>> X = [[1, 4, 2], [2, 3, 2.5], [3, 1, 4], [4, 2, 3]]
    >>> critic_weights(X).weights.round(3).tolist()
    [0.259, 0.462, 0.279]
    """
    X = as_data(X, min_units=3, method="CRITIC weights")
    n, m = X.shape
    d_ = as_direction(direction, m)
    names = as_names(names, m)
    check_choice("conflict", conflict, ("signed", "absolute"))

    Z, constant = minmax_columns(X, d_)
    messages: list[str] = []
    keep = ~constant
    if keep.sum() < 2:
        raise WeightingError(
            f"CRITIC weights need at least two indicators that vary across units; got {int(keep.sum())}"
        )
    if constant.any():
        note(messages, constant_note(constant, names, "CRITIC weights"))

    Zk = Z[:, keep]
    std = np.zeros(m)
    std[keep] = Zk.std(axis=0, ddof=1)
    r_k = np.corrcoef(Zk, rowvar=False)
    R = np.full((m, m), np.nan)
    R[np.ix_(keep, keep)] = r_k
    terms = 1.0 - (r_k if conflict == "signed" else np.abs(r_k))
    conf = np.zeros(m)
    conf[keep] = terms.sum(axis=0)
    info = std * conf
    if info.sum() <= 1e-12:
        raise WeightingError(
            "CRITIC weights are undefined: the varying indicators are perfectly correlated "
            "(no conflict between them)"
        )
    w = info / info.sum()
    params = {"conflict": conflict}
    diagnostics = {
        "std": std,
        "conflict": conf,
        "information": info,
        "correlation": R,
        "constant": constant,
        "conflict_rule": "1 - r" if conflict == "signed" else "1 - |r|",
    }
    return make_result(w, "critic", params, names, diagnostics, messages, ("std", "conflict", "information"))
