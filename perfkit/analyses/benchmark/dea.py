"""Data envelopment analysis, envelopment form: efficiency, reference peers, slacks and
projections on the frontier, for constant (CCR) and variable (BCC) returns to scale.

For unit ``o`` with inputs ``x_o`` (p) and outputs ``y_o`` (q), against reference units
``X`` (m x p), ``Y`` (m x q):

* output orientation: maximise ``phi`` subject to ``X'lam <= x_o``, ``Y'lam >= phi y_o``,
  ``lam >= 0`` (and ``sum(lam) = 1`` under VRS); ``phi >= 1`` and the efficiency is
  ``1 / phi``;
* input orientation: minimise ``theta`` subject to ``X'lam <= theta x_o``, ``Y'lam >= y_o``.

A second stage maximises the sum of the slacks with the radial score fixed
(``X'lam + s- = x_o``, ``Y'lam - s+ = phi y_o``), so the projection
``(x_o - s-, phi y_o + s+)`` is a Pareto-efficient point of the frontier, and the units with
``lam > 0`` are the reference peers. Every programme is solved by HiGHS through
:func:`scipy.optimize.linprog`.

Relation to benefit of the doubt: :func:`perfkit.weighting.dea.bod_weights` solves the
*multiplier* form of CCR with one input equal to 1 for every unit. With such a unit input,
input- and output-oriented CRS efficiencies coincide (``theta = 1 / phi``), so its BoD
score is exactly :func:`dea` ``(ones, Y, rts="crs").efficiency`` here, and the lambdas here
are the duals of its constraints (its ``peers``). With a unit input VRS adds nothing in the
output orientation: more of every reference unit only adds output, so the optimum has
``sum(lam) = 1`` anyway.

Scale: solving every unit against all ``n`` units costs ``n`` programmes of ``n`` columns
(``reference="all"``). A unit's optimum only ever uses a few units (its peers), so by
default each unit is solved by column generation: against the units that have been peers
of other units so far (and itself), then the units whose column would improve the optimum
(negative reduced cost, from the programme's duals) are added and the programme is solved
again, until no unit's column would. The result is the full programme's optimum (the
reduced costs of *all* units are checked at the end; the equality is tested), on
programmes of a few hundred columns at most. The slack stage is skipped when every input
and output constraint of the first stage has a non-zero dual: such a constraint binds in
every optimal solution, so no optimum has a slack.

References
----------
.. [1] Charnes, A., Cooper, W. W., Rhodes, E. (1978). Measuring the efficiency of decision
   making units. European Journal of Operational Research 2(6), 429-444.
.. [2] Banker, R. D., Charnes, A., Cooper, W. W. (1984). Some models for estimating
   technical and scale inefficiencies in data envelopment analysis. Management Science
   30(9), 1078-1092.
.. [3] Cooper, W. W., Seiford, L. M., Tone, K. (2007). Data Envelopment Analysis: A
   Comprehensive Text with Models, Applications, References and DEA-Solver Software,
   2nd ed., Springer (ch. 3: the two-phase procedure and the output-oriented model).
.. [4] Ali, A. I. (1993). Streamlined computation for data envelopment analysis. European
   Journal of Operational Research 64(1), 61-67 (solving against a restricted set of
   columns).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from perfkit.errors import DataError
from perfkit.results import html_head, html_table

__all__ = ["DEAResult", "dea", "ORIENTATIONS", "RTS"]

ORIENTATIONS = ("output", "input")
RTS = ("crs", "vrs")
_TOL = 1e-9  # a lambda above this makes a peer
_PRICE = 1e-9  # a reduced cost below -this (relative to the duals) prices a unit in
_ADD = 40  # units added to a programme per round of pricing
_OPTIONS = {"presolve": False}  # small dense programmes: HiGHS's presolve costs more than it saves


@dataclass(frozen=True, eq=False)
class DEAResult:
    """DEA efficiencies, peers, slacks and projections (see the module docstring).

    Attributes
    ----------
    units, inputs, outputs
        Labels of the units and of the input and output columns.
    orientation, rts
        ``"output"`` / ``"input"`` and ``"crs"`` / ``"vrs"``.
    score
        The radial score: ``phi >= 1`` (output orientation) or ``theta <= 1`` (input).
    efficiency
        In (0, 1]: ``1 / phi`` or ``theta``; 1 on the frontier.
    peers, weights
        Per unit, the reference units (``lam > 0`` in the slack stage) and their lambdas,
        largest first; an efficient unit without slack is normally its own peer, a unit on
        the frontier with slack (weakly efficient) is referred to the units dominating it.
    slack_inputs, slack_outputs
        Second-stage slacks, (n, p) and (n, q).
    target_inputs, target_outputs
        The projection on the frontier: ``x - s-`` and ``phi y + s+`` (output orientation)
        or ``theta x - s-`` and ``y + s+`` (input).
    reference
        All units (``reference="all"``), or those that were peers of other units — the
        columns the programmes were built on — and ``n_programmes`` the programmes solved.
    """

    units: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    orientation: str
    rts: str
    score: np.ndarray
    efficiency: np.ndarray
    peers: tuple[tuple[str, ...], ...]
    weights: tuple[tuple[float, ...], ...]
    slack_inputs: np.ndarray
    slack_outputs: np.ndarray
    target_inputs: np.ndarray
    target_outputs: np.ndarray
    reference: tuple[str, ...] = field(repr=False)
    n_programmes: int = 0

    @property
    def efficient(self) -> np.ndarray:
        """Units on the frontier (radial score 1); some may still have slacks."""
        return np.abs(self.score - 1.0) <= 1e-7

    @property
    def lambdas(self) -> np.ndarray:
        """(n, n) intensity weights: row = unit evaluated, column = reference unit."""
        pos = {u: i for i, u in enumerate(self.units)}
        out = np.zeros((len(self.units), len(self.units)))
        for i, (ps, ws) in enumerate(zip(self.peers, self.weights)):
            for p, w in zip(ps, ws):
                out[i, pos[p]] = w
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: score, efficiency, peers with their lambdas, targets, slacks."""
        df = pd.DataFrame({"score": self.score, "efficiency": self.efficiency,
                           "peers": [", ".join(p) for p in self.peers],
                           "lambdas": [", ".join(f"{w:.4g}" for w in ws) for ws in self.weights]},
                          index=pd.Index(self.units, name="unit"))
        for j, name in enumerate(self.outputs):
            df[f"target[{name}]"] = self.target_outputs[:, j]
            df[f"slack[{name}]"] = self.slack_outputs[:, j]
        for j, name in enumerate(self.inputs):
            df[f"target[{name}]"] = self.target_inputs[:, j]
            df[f"slack[{name}]"] = self.slack_inputs[:, j]
        return df

    def __repr__(self) -> str:
        return (f"DEAResult({self.orientation}, {self.rts}, units={len(self.units)}, "
                f"efficient={int(self.efficient.sum())}, programmes={self.n_programmes})")

    def _repr_html_(self) -> str:
        meta = {"orientation": self.orientation, "rts": self.rts, "reference": len(self.reference),
                "programmes": self.n_programmes}
        return html_head("DEA (envelopment form)", meta) + html_table(self.to_frame(), rows=60)


def _matrix(a: Any, name: str, n: int | None) -> np.ndarray:
    arr = np.asarray(a.to_numpy() if isinstance(a, (pd.DataFrame, pd.Series)) else a, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise DataError(f"DEA: {name} must be a table units x columns (got shape {arr.shape})")
    if n is not None and arr.shape[0] != n:
        raise DataError(f"DEA: {n} units have inputs but {arr.shape[0]} have outputs")
    return arr


def _names(given: Sequence[Any] | None, frame: Any, n: int, prefix: str) -> tuple[str, ...]:
    if given is not None:
        out = tuple(str(g) for g in given)
    elif isinstance(frame, pd.DataFrame):
        out = tuple(str(c) for c in frame.columns) if prefix != "unit" else tuple(str(i) for i in frame.index)
    else:
        out = tuple(f"{prefix}{i + 1}" for i in range(n))
    if len(out) != n:
        raise DataError(f"DEA: {len(out)} {prefix} labels for {n} {prefix}s")
    return out


def _check(X: np.ndarray, Y: np.ndarray, units, ins, outs, orientation: str) -> None:
    for arr, names, what in ((X, ins, "input"), (Y, outs, "output")):
        bad = np.argwhere(~np.isfinite(arr))
        if len(bad):
            i, j = bad[0]
            raise DataError(f"DEA: {what} {names[j]!r} of unit {units[i]!r} is missing or not finite",
                            hint="every unit needs every input and output")
    bad = np.argwhere(X <= 0)
    if len(bad):
        i, j = bad[0]
        raise DataError(f"DEA: input {ins[j]!r} of unit {units[i]!r} is {X[i, j]:g}; inputs must be positive",
                        hint="a zero or negative input has no meaning as a resource; drop the unit or the input "
                             "(with no real input, use a unit input: every unit 1)")
    bad = np.argwhere(Y < 0)
    if len(bad):
        i, j = bad[0]
        raise DataError(f"DEA: output {outs[j]!r} of unit {units[i]!r} is {Y[i, j]:g}; outputs must not be "
                        "negative", hint="shift the output or score it on a non-negative scale first")
    zero = np.flatnonzero(Y.sum(axis=1) <= 0)
    if len(zero) and orientation == "output":
        raise DataError(f"DEA: unit {units[zero[0]]!r} has no positive output: its output-oriented efficiency "
                        "is undefined", hint="leave the unit out, or use the input orientation")


class _Solution:
    """One unit's optimum against a set of reference columns, with its duals."""

    def __init__(self, value: float, lam: np.ndarray, cols: np.ndarray, duals: np.ndarray, dual_eq: float,
                 tight: bool, s_in: np.ndarray | None = None, s_out: np.ndarray | None = None):
        self.value, self.lam, self.cols, self.duals, self.dual_eq, self.tight = value, lam, cols, duals, dual_eq, tight
        self.s_in, self.s_out = s_in, s_out


def _radial(xo, yo, X, Y, cols: np.ndarray, orientation: str, vrs: bool) -> _Solution:
    """Phase 1 for one unit against the reference columns ``cols``: the radial score, the
    lambdas, the duals, and whether every optimum is free of slacks."""
    Xr, Yr = X[cols], Y[cols]
    m, p = Xr.shape
    q = Yr.shape[1]
    c = np.zeros(m + 1)
    if orientation == "output":  # variables [phi, lam]; max phi
        c[0] = -1.0
        A = np.vstack([np.hstack([np.zeros((p, 1)), Xr.T]), np.hstack([yo[:, None], -Yr.T])])
        b = np.r_[xo, np.zeros(q)]
    else:  # variables [theta, lam]; min theta
        c[0] = 1.0
        A = np.vstack([np.hstack([-xo[:, None], Xr.T]), np.hstack([np.zeros((q, 1)), -Yr.T])])
        b = np.r_[np.zeros(p), -yo]
    A_eq = np.r_[0.0, np.ones(m)][None, :] if vrs else None
    res = linprog(c, A_ub=A, b_ub=b, A_eq=A_eq, b_eq=[1.0] if vrs else None, bounds=(0, None),
                  method="highs", options=_OPTIONS)
    if res.status != 0:
        raise DataError(f"DEA: the linear programme failed: {res.message}")
    duals = res.ineqlin.marginals
    # every input and output constraint has a non-zero dual: it binds in every optimal
    # solution (complementary slackness), so no optimum has a slack
    tight = bool(np.all(np.abs(duals) > _TOL))
    return _Solution(float(res.x[0]), res.x[1:], cols, duals, float(res.eqlin.marginals[0]) if vrs else 0.0, tight)


def _slacks(xo, yo, X, Y, cols: np.ndarray, score: float, orientation: str, vrs: bool) -> _Solution:
    """Phase 2 against the reference columns ``cols``: maximise the slacks with the radial
    score fixed."""
    Xr, Yr = X[cols], Y[cols]
    m, p = Xr.shape
    q = Yr.shape[1]
    c = np.r_[np.zeros(m), -np.ones(p + q)]  # variables [lam (m), s- (p), s+ (q)]
    x_rhs = xo if orientation == "output" else score * xo
    y_rhs = score * yo if orientation == "output" else yo
    A_eq = np.vstack([np.hstack([Xr.T, np.eye(p), np.zeros((p, q))]),
                      np.hstack([Yr.T, np.zeros((q, p)), -np.eye(q)])])
    b_eq = np.r_[x_rhs, y_rhs]
    if vrs:
        A_eq = np.vstack([A_eq, np.r_[np.ones(m), np.zeros(p + q)]])
        b_eq = np.r_[b_eq, 1.0]
    res = linprog(c, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs", options=_OPTIONS)
    if res.status != 0:  # the fixed score is a hair too tight: relax it by the solver's tolerance
        relax = 1e-9 * max(1.0, abs(score))
        if orientation == "output":
            b_eq[p:p + q] = (score - relax) * yo
        else:
            b_eq[:p] = (score + relax) * xo
        res = linprog(c, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if res.status != 0:
            raise DataError(f"DEA: the slack programme failed: {res.message}")
    duals = res.eqlin.marginals
    return _Solution(-float(res.fun), res.x[:m], cols, duals[:p + q], float(duals[p + q]) if vrs else 0.0, True,
                     res.x[m:m + p], res.x[m + p:])


def _priced_out(sol: _Solution, X: np.ndarray, Y: np.ndarray, stage: str) -> np.ndarray:
    """Units whose column would improve ``sol`` (negative reduced cost), most negative
    first: none means ``sol`` is optimal against all units, not only its columns."""
    p = X.shape[1]
    px, py = sol.duals[:p], sol.duals[p:]
    # reduced cost of lam_j: -(a_j . duals); a_j = [x_j, -y_j] in phase 1, [x_j, y_j] in phase 2
    d = -(X @ px + (Y @ py if stage == "slack" else -(Y @ py)) + sol.dual_eq)
    scale = 1.0 + np.abs(sol.duals).max()
    bad = np.flatnonzero(d < -_PRICE * scale)
    return bad[np.argsort(d[bad], kind="stable")]


def _solve(o: int, X, Y, pool: list[int], orientation: str, vrs: bool, stage: str,
           score: float | None = None, start: np.ndarray | None = None) -> tuple[_Solution, int]:
    """Solve unit ``o`` by column generation: against the pool of known peers (and ``o``),
    adding the units that price out until none does. Exact: at the end no unit's column
    could improve the optimum."""
    cols = np.unique(np.r_[o, np.asarray(pool, dtype=int), [] if start is None else start]).astype(int)
    lps = 0
    while True:
        if stage == "radial":
            sol = _radial(X[o], Y[o], X, Y, cols, orientation, vrs)
        else:
            sol = _slacks(X[o], Y[o], X, Y, cols, score, orientation, vrs)
        lps += 1
        add = np.setdiff1d(_priced_out(sol, X, Y, stage)[:_ADD * 2], cols, assume_unique=False)[:_ADD]
        if not len(add):
            return sol, lps
        cols = np.r_[cols, add]


def dea(inputs: Any, outputs: Any, *, rts: str = "crs", orientation: str = "output",
        units: Sequence[Any] | None = None, input_names: Sequence[Any] | None = None,
        output_names: Sequence[Any] | None = None, slacks: bool = True, reference: str = "auto") -> DEAResult:
    """DEA in envelopment form: efficiency, peers, slacks and projections per unit.

    Parameters
    ----------
    inputs, outputs
        (n, p) positive inputs and (n, q) non-negative outputs (arrays or DataFrames; a
        DataFrame's index names the units and its columns the variables). For
        performance scores with no real input, pass a unit input (``np.ones(n)``).
    rts
        ``"crs"`` (CCR) or ``"vrs"`` (BCC).
    orientation
        ``"output"`` (expand outputs; the default) or ``"input"`` (contract inputs).
    units, input_names, output_names
        Labels (default: from the DataFrames, else numbered).
    slacks
        Run the second stage (max slacks). Without it the slacks are those of the first
        stage's solution and the projection is radial only.
    reference
        ``"auto"`` (default): column generation on the units that are peers (same results
        as the full programme, far smaller programmes); ``"all"``: every unit against all
        units in one programme.

    Raises
    ------
    DataError
        A zero, negative or missing input, a negative or missing output, a unit with no
        positive output (output orientation), mismatched shapes.

    Examples
    --------
    Three units, one input, one output; B and C use 2 to make 2 and 4 to make 3:

    >>> r = dea([[2], [2], [4]], [[1], [2], [3]], rts="vrs", units=["A", "B", "C"])
    >>> r.score.round(4).tolist(), r.peers[0], r.target_outputs[:, 0].round(4).tolist()
    ([2.0, 1.0, 1.0], ('B',), [2.0, 2.0, 3.0])
    """
    if rts not in RTS:
        raise DataError(f"DEA: rts must be one of {RTS}, got {rts!r}")
    if orientation not in ORIENTATIONS:
        raise DataError(f"DEA: orientation must be one of {ORIENTATIONS}, got {orientation!r}")
    if reference not in ("auto", "all"):
        raise DataError(f"DEA: reference must be 'auto' or 'all', got {reference!r}")
    X = _matrix(inputs, "inputs", None)
    n = X.shape[0]
    Y = _matrix(outputs, "outputs", n)
    if n < 1:
        raise DataError("DEA: no units")
    labels = _names(units, inputs if isinstance(inputs, pd.DataFrame) else outputs, n, "unit") \
        if units is not None or isinstance(inputs, pd.DataFrame) or isinstance(outputs, pd.DataFrame) \
        else tuple(str(i + 1) for i in range(n))
    ins = _names(input_names, inputs, X.shape[1], "input")
    outs = _names(output_names, outputs, Y.shape[1], "output")
    _check(X, Y, labels, ins, outs, orientation)
    vrs = rts == "vrs"
    p, q = X.shape[1], Y.shape[1]
    full = reference == "all"
    everyone = np.arange(n)
    pool: list[int] = []  # units that have been peers of others so far
    in_pool = np.zeros(n, dtype=bool)
    score = np.empty(n)
    lam = np.zeros((n, n))
    s_in, s_out = np.zeros((n, p)), np.zeros((n, q))
    lps = 0
    for o in range(n):
        if full:
            sol = _radial(X[o], Y[o], X, Y, everyone, orientation, vrs)
            lps += 1
        else:
            sol, k = _solve(o, X, Y, pool, orientation, vrs, "radial")
            lps += k
        score[o] = sol.value
        if slacks and not sol.tight:
            if full:
                sol = _slacks(X[o], Y[o], X, Y, everyone, score[o], orientation, vrs)
                lps += 1
            else:
                sol, k = _solve(o, X, Y, [], orientation, vrs, "slack", score=score[o], start=sol.cols)
                lps += k
            s_in[o], s_out[o] = sol.s_in, sol.s_out
        lam[o, sol.cols] = sol.lam
        if not (slacks and not sol.tight and sol.s_in is not None):
            if orientation == "output":
                s_in[o] = X[o] - lam[o] @ X
                s_out[o] = lam[o] @ Y - score[o] * Y[o]
            else:
                s_in[o] = score[o] * X[o] - lam[o] @ X
                s_out[o] = lam[o] @ Y - Y[o]
        for k in sol.cols[sol.lam > _TOL]:  # peers of others (a unit is always its own column)
            if k != o and not in_pool[k]:
                in_pool[k] = True
                pool.append(int(k))
    s_in, s_out = np.clip(s_in, 0.0, None), np.clip(s_out, 0.0, None)
    if orientation == "output":
        score = np.maximum(score, 1.0)
        eff = 1.0 / score
        t_in, t_out = X - s_in, score[:, None] * Y + s_out
    else:
        score = np.minimum(score, 1.0)
        eff = score
        t_in, t_out = score[:, None] * X - s_in, Y + s_out
    peers, weights = [], []
    for o in range(n):
        nz = np.flatnonzero(lam[o] > _TOL)
        order = nz[np.argsort(-lam[o][nz], kind="stable")]
        peers.append(tuple(labels[k] for k in order))
        weights.append(tuple(float(lam[o][k]) for k in order))
    return DEAResult(units=labels, inputs=ins, outputs=outs, orientation=orientation, rts=rts, score=score,
                     efficiency=eff, peers=tuple(peers), weights=tuple(weights), slack_inputs=s_in,
                     slack_outputs=s_out, target_inputs=t_in, target_outputs=t_out,
                     reference=tuple(labels[k] for k in (everyone if full else sorted(pool))), n_programmes=lps)
