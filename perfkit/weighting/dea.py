"""Data envelopment analysis: CCR input-oriented DEA and benefit-of-the-doubt weights.

Both solve one small linear programme per unit with :func:`scipy.optimize.linprog`
(HiGHS). Benefit of the doubt (BoD) is CCR DEA with a single dummy input equal to 1 for
every unit: each unit gets the indicator weights most favourable to itself, subject to no
unit scoring above 1 with those weights.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ._common import (
    WEIGHTS,
    WeightingError,
    as_data,
    as_direction,
    as_names,
    check_choice,
    constant_note,
    label,
    minmax_columns,
    note,
)
from .result import WeightResult

__all__ = ["BOD_RESTRICTIONS", "BoDResult", "DEAResult", "bod_weights", "dea_ccr"]

#: The weight restrictions of :func:`bod_weights`, by the name its result gives them:
#: bounds on the weights themselves, on each indicator's share of the unit's own score
#: (Wong & Beasley 1990), and on each weight's share of the sum of the weights (the
#: OECD/JRC handbook's, endnote 29).
BOD_RESTRICTIONS = ("weight_bounds", "score_shares", "weight_shares")

_BIND = 1e-7  # a constraint binds when its slack is below this (scores are <= 1)


def _units(units: Sequence[Any] | None, n: int) -> tuple[str, ...]:
    out = as_names(units, n, what="unit")
    return out if out is not None else tuple(str(i + 1) for i in range(n))


@dataclass(frozen=True)
class DEAResult:
    """CCR input-oriented DEA efficiencies.

    Attributes
    ----------
    efficiency
        ``theta`` per unit, in (0, 1]; 1 = efficient.
    input_weights, output_weights
        Each unit's optimal multipliers ``v`` (n x p) and ``u`` (n x q), with
        ``v . x_c = 1``. Optimal multipliers need not be unique.
    peers
        Reference set of each unit: for an inefficient unit, the units whose
        constraint ``u . y_k - v . x_k <= 0`` binds at its optimum (they are efficient
        under its weights); an efficient unit is its own reference.
    lambdas
        Intensity weights (n x n) of the envelopment form, from the LP duals.
    units
        Unit labels.
    """

    efficiency: np.ndarray
    input_weights: np.ndarray
    output_weights: np.ndarray
    peers: tuple[tuple[str, ...], ...]
    lambdas: np.ndarray
    units: tuple[str, ...]

    def to_frame(self):
        """One row per unit: efficiency, peers and lambdas of the envelopment form."""

        frame = pd.DataFrame(
            {"efficiency": self.efficiency, "peers": [", ".join(p) for p in self.peers]},
            index=pd.Index(self.units, name="unit"),
        )
        return frame

    def _repr_html_(self) -> str:
        return "<div><p><strong>DEA (CCR, input-oriented)</strong></p>" + self.to_frame().to_html(
            float_format=lambda x: f"{x:.4f}"
        ) + "</div>"


def dea_ccr(inputs: Any, outputs: Any, *, units: Sequence[Any] | None = None) -> DEAResult:
    """CCR (constant returns to scale) input-oriented DEA, multiplier form.

    For each unit ``c``: maximise ``u . y_c`` subject to ``v . x_c = 1`` and
    ``u . y_k - v . x_k <= 0`` for every unit ``k``, ``u, v >= 0``.

    Parameters
    ----------
    inputs
        (n_units, n_inputs), non-negative; every unit needs a positive input.
    outputs
        (n_units, n_outputs), non-negative.
    units
        Unit labels.

    References
    ----------
    .. [1] Charnes, A., Cooper, W. W., Rhodes, E. (1978). Measuring the efficiency of
       decision making units. European Journal of Operational Research 2(6), 429-444.

    Examples
    --------
    Two inputs, one output (the classic textbook example):

    >>> x = [[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]]
    >>> y = [[1], [2], [3], [1], [2]]
    >>> r = dea_ccr(x, y, units=["A", "B", "C", "D", "E"])
    >>> r.efficiency.round(4).tolist()
    [0.5, 1.0, 0.8333, 0.7143, 1.0]
    >>> r.peers[0]
    ('B',)
    """
    Xin = as_data(inputs, min_units=1, method="DEA")
    Y = as_data(outputs, min_units=1, method="DEA")
    n, p = Xin.shape
    q = Y.shape[1]
    if Y.shape[0] != n:
        raise WeightingError(f"DEA: {n} units have inputs but {Y.shape[0]} have outputs")
    if (Xin < 0).any() or (Y < 0).any():
        raise WeightingError("DEA: inputs and outputs must be non-negative")
    no_input = np.flatnonzero(Xin.sum(axis=1) <= 0)
    labels = _units(units, n)
    if no_input.size:
        raise WeightingError(f"DEA: unit {labels[no_input[0]]!r} has no positive input")
    eff = np.zeros(n)
    V = np.zeros((n, p))
    U = np.zeros((n, q))
    lambdas = np.zeros((n, n))
    peers = []
    A_ub = np.hstack([Y, -Xin])
    for c in range(n):
        res = linprog(
            np.r_[-Y[c], np.zeros(p)],
            A_ub=A_ub,
            b_ub=np.zeros(n),
            A_eq=np.r_[np.zeros(q), Xin[c]][None, :],
            b_eq=[1.0],
            bounds=[(0, None)] * (q + p),
            method="highs",
        )
        if res.status != 0:
            raise WeightingError(f"DEA: the linear programme for unit {labels[c]!r} failed: {res.message}")
        eff[c] = -res.fun
        U[c], V[c] = res.x[:q], res.x[q:]
        lambdas[c] = np.clip(-res.ineqlin.marginals, 0.0, None)
        slack = V[c] @ Xin.T - U[c] @ Y.T
        if eff[c] >= 1 - _BIND:
            peers.append((labels[c],))
        else:
            peers.append(tuple(labels[k] for k in range(n) if k != c and slack[k] <= _BIND))
    return DEAResult(np.clip(eff, 0.0, 1.0), V, U, tuple(peers), lambdas, labels)


@dataclass(frozen=True, repr=False)
class BoDResult(WeightResult):
    """Benefit-of-the-doubt weights: one weight vector per unit, and a summary.

    ``weights`` (the summary) is the mean over units with a positive score of each
    indicator's *share* in the unit's own score, ``w_cj y_cj / sum_k w_ck y_ck``. The
    unit-level results are the substance of BoD; the summary is a convenience for
    displays and comparisons.

    Attributes (besides those of :class:`WeightResult`)
    ----------------------------------------------------
    scores
        BoD composite score per unit, in [0, 1].
    unit_weights
        (n_units, n_ind) each unit's most favourable weights (on the data BoD ran on).
    shares
        (n_units, n_ind) each indicator's share in each unit's score (NaN for a zero
        score).
    peers
        For each unit with score < 1, the units scoring exactly 1 under its weights
        (binding constraints); an efficient unit is its own peer.
    units
        Unit labels.
    restrictions
        The weight restrictions that applied, by name (:data:`BOD_RESTRICTIONS`); empty
        when the weights were only non-negative. Also, in words, in
        ``diagnostics["restrictions"]`` (``params`` keep only what replays the method).
    """

    scores: np.ndarray | None = None
    unit_weights: np.ndarray | None = None
    shares: np.ndarray | None = None
    peers: tuple[tuple[str, ...], ...] = ()
    units: tuple[str, ...] = ()
    restrictions: tuple[str, ...] = ()

    @property
    def weight_shares(self) -> np.ndarray:
        """(n_units, n_ind) each unit's weights as shares of their sum (NaN for all-zero)."""
        W = np.asarray(self.unit_weights, dtype=float)
        total = W.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, W / np.where(total > 0, total, 1.0), np.nan)

    def units_frame(self):
        """One row per unit: score, peers and the indicator shares."""

        frame = pd.DataFrame(self.shares, index=pd.Index(self.units, name="unit"),
                             columns=[f"share[{k}]" for k in self.labels])
        frame.insert(0, "peers", [", ".join(p) for p in self.peers])
        frame.insert(0, "score", self.scores)
        return frame


def _bound_vector(value: Any, m: int, name: str, default: float) -> np.ndarray:
    if value is None:
        return np.full(m, default)
    v = np.array(value, dtype=float)
    if v.ndim == 0:
        v = np.full(m, float(v))
    if v.shape != (m,):
        raise WeightingError(f"BoD: {name} must be a number or one number per indicator ({m}); got shape {v.shape}")
    if np.isnan(v).any():
        raise WeightingError(f"BoD: {name} contains NaN")
    return v


@WEIGHTS.register("bod", kind="objective", needs_data=True)
def bod_weights(
    X: Any,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    normalise: str = "minmax",
    lower: Any = None,
    upper: Any = None,
    share_lower: Any = None,
    share_upper: Any = None,
    weight_share_lower: Any = None,
    weight_share_upper: Any = None,
    units: Sequence[Any] | None = None,
) -> BoDResult:
    """Benefit-of-the-doubt (BoD) weights: DEA with a dummy unit input.

    For each unit ``c``: maximise ``sum_j w_j y_cj`` subject to ``sum_j w_j y_kj <= 1``
    for every unit ``k`` and ``w >= 0``, plus optional restrictions:

    * ``lower``/``upper``: bounds on the weights ``w_j`` themselves (numbers or one per
      indicator; on the scale of the data BoD runs on);
    * ``share_lower``/``share_upper``: bounds on the share of indicator ``j`` in the
      unit's own score, ``w_j y_cj / sum_k w_k y_ck`` (proportional virtual weights,
      Wong & Beasley 1990; the "pie shares" of Cherchye et al. 2008), in [0, 1];
    * ``weight_share_lower``/``weight_share_upper``: bounds on each weight as a share of
      the sum of the weights, ``w_j / sum_k w_k``, in [0, 1] — the handbook's restriction
      (OECD/JRC 2008, endnote 29: "each individual indicator should take at least 10 %
      and no more than 15 % of the total weight", i.e. ``0.10`` and ``0.15``). Unlike
      bounds on the weights themselves it does not depend on the indicators' scale,
      and unlike score shares it is the same for every unit.

    The restrictions can be combined; those used are named in the result
    (:attr:`BoDResult.restrictions`, ``diagnostics["restrictions"]``). Infeasible restrictions
    raise a :class:`WeightingError` that says which.

    Parameters
    ----------
    normalise
        ``"minmax"`` (default): direction-aware min-max to [0, 1] first, so cost
        indicators are reversed; ``"none"``: the raw data, which must be non-negative
        and all benefit-type (BoD scores are then invariant to each indicator's unit).
    units
        Unit labels for the peers and :meth:`BoDResult.units_frame`.

    References
    ----------
    .. [1] Cherchye, L., Moesen, W., Rogge, N., Van Puyenbroeck, T. (2007). An
       introduction to "benefit of the doubt" composite indicators. Social Indicators
       Research 82, 111-145.
    .. [2] OECD/JRC (2008). Handbook on Constructing Composite Indicators, section 6.4.
    .. [3] Wong, Y.-H. B., Beasley, J. E. (1990). Restricting weight flexibility in data
       envelopment analysis. Journal of the Operational Research Society 41(9), 829-835.
    .. [4] Cherchye, L., Moesen, W., Rogge, N., Van Puyenbroeck, T., Saisana, M., Saltelli,
       A., Liska, R., Tarantola, S. (2008). Creating composite indicators with DEA and
       robustness analysis: the case of the Technology Achievement Index. Journal of the
       Operational Research Society 59(2), 239-251.

    Examples
    --------
    >>> Y = [[1, 0], [0, 1], [0.4, 0.4]]
    >>> r = bod_weights(Y, normalise="none", units=["a", "b", "c"])
    >>> r.scores.round(4).tolist(), r.peers[2]
    ([1.0, 1.0, 0.8], ('a', 'b'))

    The handbook's restriction, each weight 25-75 % of their sum:

    >>> Y = [[1, 0.5], [0.5, 1], [0.9, 0.9]]
    >>> r = bod_weights(Y, normalise="none", weight_share_lower=0.25, weight_share_upper=0.75)
    >>> r.scores.round(4).tolist(), r.restrictions
    ([0.9722, 0.9722, 1.0], ('weight_shares',))
    """
    X = as_data(X, min_units=2, method="BoD weights")
    n, m = X.shape
    d_ = as_direction(direction, m)
    names = as_names(names, m)
    labels = _units(units, n)
    check_choice("normalise", normalise, ("minmax", "none"))
    messages: list[str] = []
    if normalise == "minmax":
        Y, constant = minmax_columns(X, d_)
        if constant.any():
            note(messages, constant_note(constant, names, "BoD weights"))
    else:
        if (d_ < 0).any():
            raise WeightingError(
                "BoD with normalise='none' cannot reverse cost indicators",
                hint="use normalise='minmax' (direction-aware), or transform cost indicators first",
            )
        if (X < 0).any():
            raise WeightingError("BoD with normalise='none' needs non-negative data", hint="use normalise='minmax'")
        Y = X
    lo = _bound_vector(lower, m, "lower", 0.0)
    hi = _bound_vector(upper, m, "upper", np.inf)
    slo = _bound_vector(share_lower, m, "share_lower", 0.0)
    shi = _bound_vector(share_upper, m, "share_upper", 1.0)
    if (lo < 0).any():
        raise WeightingError("BoD: lower bounds on weights must be non-negative")
    if (lo > hi).any():
        j = int(np.flatnonzero(lo > hi)[0])
        raise WeightingError(f"BoD bounds are infeasible: lower > upper for indicator {label(j, names)}")
    if (slo < 0).any() or (shi > 1).any() or (slo > shi).any():
        raise WeightingError("BoD: share bounds must satisfy 0 <= share_lower <= share_upper <= 1")
    wlo = _bound_vector(weight_share_lower, m, "weight_share_lower", 0.0)
    whi = _bound_vector(weight_share_upper, m, "weight_share_upper", 1.0)
    if (wlo < 0).any() or (whi > 1).any() or (wlo > whi).any():
        raise WeightingError("BoD: weight share bounds must satisfy 0 <= weight_share_lower <= "
                             "weight_share_upper <= 1")
    if wlo.sum() > 1 + 1e-12 or whi.sum() < 1 - 1e-12:
        raise WeightingError(
            f"BoD bounds are infeasible: the weight share bounds sum to {wlo.sum():g} (lower) and "
            f"{whi.sum():g} (upper), but the shares of the weights sum to 1",
            hint="lower weight shares must sum to at most 1 and upper ones to at least 1",
        )
    if slo.sum() > 1 + 1e-12:
        raise WeightingError(
            f"BoD bounds are infeasible: the lower share bounds sum to {slo.sum():g} > 1",
            hint="lower share bounds must leave room for each other (sum at most 1)",
        )
    if shi.sum() < 1 - 1e-12:
        raise WeightingError(
            f"BoD bounds are infeasible: the upper share bounds sum to {shi.sum():g} < 1",
            hint="upper share bounds must allow the shares to add up to 1",
        )
    floor = Y @ lo
    if (floor > 1 + 1e-12).any():
        k = int(np.argmax(floor))
        raise WeightingError(
            f"BoD bounds are infeasible: with the lower weight bounds unit {labels[k]!r} already "
            f"scores {floor[k]:.4g} > 1",
            hint="lower the 'lower' bounds (they apply to the data BoD runs on: "
                 "min-max normalised unless normalise='none')",
        )

    bounds = list(zip(lo, [None if np.isinf(h) else h for h in hi]))
    share_rows = []  # weight shares: wlo_j sum(w) - w_j <= 0 and w_j - whi_j sum(w) <= 0
    for j in np.flatnonzero(wlo > 0):
        r = np.full(m, wlo[j])
        r[j] -= 1.0
        share_rows.append(r)
    for j in np.flatnonzero(whi < 1):
        r = np.full(m, -whi[j])
        r[j] += 1.0
        share_rows.append(r)
    scores = np.zeros(n)
    W = np.zeros((n, m))
    S = np.full((n, m), np.nan)
    peers = []
    for c in range(n):
        rows = [Y, *(r[None, :] for r in share_rows)]
        y = Y[c]
        for j in np.flatnonzero(slo > 0):
            r = slo[j] * y.copy()
            r[j] -= y[j]
            rows.append(r[None, :])
        for j in np.flatnonzero(shi < 1):
            r = -shi[j] * y.copy()
            r[j] += y[j]
            rows.append(r[None, :])
        A_ub = np.vstack(rows)
        b_ub = np.r_[np.ones(n), np.zeros(A_ub.shape[0] - n)]
        res = linprog(-y, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
        if res.status == 2:
            raise WeightingError(
                f"BoD bounds are infeasible for unit {labels[c]!r}: no weights satisfy "
                f"the weight and share restrictions together with 'no unit scores above 1'",
                hint="loosen lower/upper, share_lower/share_upper or weight_share_lower/weight_share_upper",
            )
        if res.status != 0:
            raise WeightingError(f"BoD: the linear programme for unit {labels[c]!r} failed: {res.message}")
        w = res.x
        scores[c] = min(1.0, max(0.0, -res.fun))
        W[c] = w
        if scores[c] > 1e-12:
            S[c] = w * y / (w @ y)
        if scores[c] >= 1 - _BIND:
            peers.append((labels[c],))
        else:
            peers.append(tuple(labels[k] for k in range(n) if k != c and Y[k] @ w >= 1 - _BIND))
        if (slo > 0).any() and ((y == 0) & (slo > 0)).any() and scores[c] <= 1e-12:
            note(messages, f"BoD: unit {labels[c]!r} has a zero value on an indicator with a lower "
                           f"share bound, which forces its score to 0 (min-max gives 0 to the worst "
                           f"unit of every indicator; consider normalise='none' on positive data)")
    positive = scores > 1e-12
    if not positive.any():
        raise WeightingError("BoD: every unit scores 0; no summary weights can be formed")
    summary = S[positive].mean(axis=0)
    summary = summary / summary.sum()
    params = {
        "normalise": normalise,
        "lower": None if lower is None else lo.tolist(),
        "upper": None if upper is None else hi.tolist(),
        "share_lower": None if share_lower is None else slo.tolist(),
        "share_upper": None if share_upper is None else shi.tolist(),
        "weight_share_lower": None if weight_share_lower is None else wlo.tolist(),
        "weight_share_upper": None if weight_share_upper is None else whi.tolist(),
    }
    used = {"weight_bounds": lower is not None or upper is not None,
            "score_shares": share_lower is not None or share_upper is not None,
            "weight_shares": weight_share_lower is not None or weight_share_upper is not None}
    restrictions = tuple(name for name in BOD_RESTRICTIONS if used[name])
    Sp = S[positive]
    diagnostics = {
        "summary": "mean share of each indicator in the units' own scores",
        "restrictions": ", ".join(restrictions) or "none (non-negative weights only)",
        "n_efficient": int((scores >= 1 - _BIND).sum()),
        "mean_score": float(scores.mean()),
        "min_share": Sp.min(axis=0),
        "max_share": Sp.max(axis=0),
        "units_ignoring": (Sp <= 1e-9).sum(axis=0),
    }
    return BoDResult(
        weights=summary, method="bod", params=params, names=names, diagnostics=diagnostics,
        warnings=tuple(messages), per_indicator=("min_share", "max_share", "units_ignoring"),
        scores=scores, unit_weights=W, shares=S, peers=tuple(peers), units=labels, restrictions=restrictions,
    )
