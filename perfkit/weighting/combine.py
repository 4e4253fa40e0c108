"""Combined (subjective + objective) weights (组合赋权)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._common import WEIGHTS, WeightingError, as_names, check_choice
from .result import WeightResult, make_result
from .spec import weights_from_spec

__all__ = ["combine_weights", "combined_weights", "game_theory_coefficients"]


def _vector(w: Any, what: str) -> tuple[np.ndarray, str, tuple[str, ...] | None]:
    if isinstance(w, WeightResult):
        return np.asarray(w.weights, dtype=float), w.method, w.names
    v = np.array(w, dtype=float)
    if v.ndim != 1 or v.size == 0 or not np.isfinite(v).all() or (v < 0).any() or v.sum() <= 0:
        raise WeightingError(f"{what} weights must be a non-empty list of non-negative numbers, not all zero")
    return v / v.sum(), "given", None


def game_theory_coefficients(*vectors: Any) -> tuple[np.ndarray, np.ndarray]:
    """Game-theory combination coefficients ``(normalised, raw)`` of weight vectors.

    The raw coefficients ``a`` solve ``min_a || sum_k a_k w_k - w_l ||`` for every ``l``
    at once, i.e. the linear system ``sum_k a_k (w_l . w_k) = w_l . w_l``; the
    normalised ones are ``|a| / sum |a|`` (博弈论组合赋权 as commonly practised).

    Examples
    --------
    >>> a, raw = game_theory_coefficients([0.5, 0.3, 0.2], [0.5, 0.3, 0.2])
    >>> a.round(4).tolist()
    [0.5, 0.5]
    """
    W = np.array([_vector(v, "combined")[0] for v in vectors])
    G = W @ W.T
    raw = np.linalg.lstsq(G, np.diag(G), rcond=None)[0]
    a = np.abs(raw)
    if a.sum() <= 0:
        raise WeightingError("game-theory combination: all coefficients are zero")
    return a / a.sum(), raw


def combine_weights(
    subjective: Any,
    objective: Any,
    *,
    how: str = "linear",
    alpha: float | None = None,
    names: Sequence[str] | None = None,
) -> WeightResult:
    """Combine a subjective and an objective weight vector.

    * ``how="linear"``: ``alpha * w_s + (1 - alpha) * w_o``; ``alpha`` in [0, 1] is the
      share of the subjective weights and must be given (it is a judgement).
    * ``how="multiplicative"``: ``w_s * w_o / sum(w_s * w_o)``.
    * ``how="game_theory"``: ``a_s w_s + a_o w_o`` with the coefficients of
      :func:`game_theory_coefficients`.

    ``subjective`` and ``objective`` are :class:`WeightResult` objects or vectors.

    References
    ----------
    .. [1] Ma, J., Fan, Z.-P., Huang, L.-H. (1999). A subjective and objective integrated
       approach to determine attribute weights. European Journal of Operational
       Research 112(2), 397-404.

    Examples
    --------
    >>> combine_weights([0.6, 0.4], [0.2, 0.8], alpha=0.5).weights.round(4).tolist()
    [0.4, 0.6]
    >>> combine_weights([0.6, 0.4], [0.2, 0.8], how="multiplicative").weights.round(4).tolist()
    [0.2727, 0.7273]
    """
    check_choice("how", how, ("linear", "multiplicative", "game_theory"))
    ws, ms, ns = _vector(subjective, "subjective")
    wo, mo, no = _vector(objective, "objective")
    if ws.size != wo.size:
        raise WeightingError(f"cannot combine {ws.size} subjective with {wo.size} objective weights")
    if ns is not None and no is not None and ns != no:
        raise WeightingError("the subjective and objective weights are for different indicators")
    names = as_names(names if names is not None else (ns or no), ws.size)
    diagnostics: dict[str, Any] = {"subjective": ws, "objective": wo,
                                   "subjective_method": ms, "objective_method": mo}
    if how == "linear":
        if alpha is None:
            raise WeightingError("linear combination needs alpha (the share of the subjective weights)",
                                 hint="for example alpha: 0.5")
        alpha = float(alpha)
        if not 0 <= alpha <= 1:
            raise WeightingError(f"alpha must be between 0 and 1; got {alpha:g}")
        w = alpha * ws + (1 - alpha) * wo
    else:
        if alpha is not None:
            raise WeightingError(f"alpha applies to the linear combination only, not how={how!r}")
        if how == "multiplicative":
            prod = ws * wo
            if prod.sum() <= 0:
                raise WeightingError("multiplicative combination: no indicator has weight in both vectors")
            w = prod / prod.sum()
        else:
            a, raw = game_theory_coefficients(ws, wo)
            diagnostics.update({"coefficients": a, "raw_coefficients": raw})
            w = a[0] * ws + a[1] * wo
    params = {"how": how, "alpha": alpha, "subjective": ms, "objective": mo}
    return make_result(w / w.sum(), "combined", params, names, diagnostics, (), ("subjective", "objective"))


@WEIGHTS.register("combined", kind="combined", needs_data=False)
def combined_weights(
    X: Any = None,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    subjective: Mapping[str, Any] | str | WeightResult | Sequence[float],
    objective: Mapping[str, Any] | str | WeightResult | Sequence[float],
    how: str = "linear",
    alpha: float | None = None,
) -> WeightResult:
    """Registry form of :func:`combine_weights`: the two parts may be weight specs.

    Each part is a spec such as ``{"method": "ahp", "matrix": ...}`` or ``"entropy"`` (resolved with
    :func:`perfkit.weighting.weights_from_spec` on the same data), a
    :class:`WeightResult`, or a vector. The warnings of both parts are kept.

    Examples
    --------
    >>> X = [[1, 10], [2, 30], [3, 20]]
    >>> r = combined_weights(X, subjective={"method": "fixed", "values": [1, 1]},
    ...                      objective={"method": "equal"}, alpha=0.3)
    >>> r.weights.tolist(), r.params["subjective"]
    ([0.5, 0.5], {'method': 'fixed', 'values': [1.0, 1.0]})
    """

    parts = []
    for what, part in (("subjective", subjective), ("objective", objective)):
        if isinstance(part, (Mapping, str)):
            Xd = None if X is None else np.asarray(X, dtype=float)
            if Xd is not None and Xd.ndim == 2 and Xd.shape[0] == 0:
                Xd = None  # only the column count was known
            part = weights_from_spec(part, Xd, direction, names, where=(what,))
        parts.append(part)
    res = combine_weights(parts[0], parts[1], how=how, alpha=alpha, names=names)
    inherited = tuple(w for p in parts if isinstance(p, WeightResult) for w in p.warnings)
    params = dict(res.params)
    for key, part in zip(("subjective", "objective"), parts):
        # the full recipe of each part, so the result can be replayed
        params[key] = {"method": part.method, **part.params} if isinstance(part, WeightResult) else list(part)
    return make_result(res.weights, res.method, params, res.names, res.diagnostics,
                       inherited + res.warnings, res.per_indicator)
