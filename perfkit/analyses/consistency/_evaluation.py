"""What the consistency analysis reads from an :class:`~perfkit.engine.Evaluation`: how much
of the final score each node carries for each unit, where each special assessment is
folded in, the evaluation without one special, and the order of the grades.

Nothing here re-implements the engine: shares are read from the engine's effective points
(points schemes) or from the weights it used (composite schemes), and "without a special"
is the engine re-run on a scheme variant (:meth:`Evaluation.rerun`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfkit.engine.evaluation import Evaluation
from perfkit.errors import PerfkitError
from perfkit.scheme import Scheme
from perfkit.stages import applicable, child_weights

__all__ = ["special_leaves", "root_shares", "final_scale", "Without", "without", "grade_positions"]


def special_leaves(scheme: Scheme, assessment: str) -> list[str]:
    """The leaves through which ``assessment``'s results are folded into the scheme."""
    return [nid for nid, n in scheme.leaves.items() if n.source == "special" and n.assessment == assessment]


def final_scale(ev: Evaluation) -> float:
    """Points of the final score that a share of 1 stands for (the root's points, or 100)."""
    s = ev.scheme
    return float(s.root.points or 100.0) if s.paradigm == "points" else 100.0


def root_shares(ev: Evaluation) -> pd.DataFrame:
    """Units x nodes: the share of the final score each node carries for each unit, from
    the engine's own points and weights (a node's weight shared among the children that
    apply to the unit, in proportion).

    In a points scheme this is the engine's effective points over the root's points; in a
    composite scheme the product of the weights used along the path, renormalised over
    the children that apply to the unit. With arithmetic aggregation it is exactly the
    weight of the node in the final score.
    """
    s = ev.scheme
    if s.paradigm == "points" and ev.max_points is not None:
        return ev.max_points / final_scale(ev)
    cats = ev.results["category"].to_numpy(dtype=object)
    app = applicable(s, cats)
    shares = {s.root.id: np.ones(len(cats))}
    for _, node in s.root.walk():
        if not node.children:
            continue
        used = ev.weights.get(node.id)
        if used is None:
            w = child_weights(s, node)
        else:
            w = np.asarray(getattr(used, "weights", used), dtype=float)
        a = np.column_stack([app[c.id] for c in node.children]).astype(float)
        den = (a * w).sum(axis=1)
        for j, c in enumerate(node.children):
            with np.errstate(invalid="ignore", divide="ignore"):
                shares[c.id] = np.where(den > 0, shares[node.id] * w[j] * a[:, j] / den, 0.0)
    return pd.DataFrame(shares, index=ev.results.index)


@dataclass(frozen=True, eq=False)
class Without:
    """The evaluation without one special assessment folded in.

    ``method`` says how it was made: ``"reweighted"`` (the special's points or weight set
    to 0 and its siblings' scaled up, so that the parent keeps its points), ``"removed"``
    (the special's leaves taken out of the scheme, when its parent derives its weights
    from the data or the re-weighted variant cannot be evaluated), ``"not_folded"`` (the
    scheme does not fold it in: nothing to take out) or ``"impossible"`` (it is all the
    scheme has).
    """

    assessment: str
    evaluation: Evaluation | None
    method: str
    scheme: Scheme | None = None
    note: str = ""


def _zero_set(scheme: Scheme, leaves: list[str], weight) -> set[str]:
    zero = set(leaves)
    for _, node in reversed(list(scheme.root.walk())):
        if node.children and all(c.id in zero or weight(c) == 0 for c in node.children):
            zero.add(node.id)
    return zero


def _variant(scheme: Scheme, leaves: list[str]) -> tuple[Scheme | None, str]:
    """A variant of ``scheme`` in which ``leaves`` carry nothing: their points (or
    weights) are 0 and their siblings' are scaled so that every parent keeps its points."""
    pts = scheme.paradigm == "points"

    def weight(n) -> float:
        return float(n.points or 0.0) if pts else float(1.0 if n.weight is None else n.weight)

    zero = _zero_set(scheme, leaves, weight)
    if scheme.root.id in zero:
        return None, "impossible"
    derived = any(scheme.nodes[scheme.parent[z]].weights is not None for z in zero if scheme.parent[z] is not None)
    if derived:
        return _removed(scheme, zero), "removed"
    if not pts:
        top = [z for z in zero if scheme.parent[z] not in zero]
        return scheme.update({f"nodes.{z}.weight": 0.0 for z in top}), "reweighted"
    changes: dict[str, float] = {}
    for _, node in scheme.root.walk():
        if node.id in zero or not node.children or not any(c.id in zero for c in node.children):
            continue
        rest = sum(weight(c) for c in node.children if c.id not in zero)
        for c in node.children:
            changes[c.id] = 0.0 if c.id in zero else weight(c) * float(node.points) / rest
    return scheme.with_points(changes), "reweighted"


def _removed(scheme: Scheme, zero: set[str]) -> Scheme:
    """``scheme`` with the nodes in ``zero`` taken out (points of their siblings scaled)."""
    raw = scheme.to_dict()
    pts = scheme.paradigm == "points"

    def prune(node: dict) -> None:
        kids = node.get("children") or []
        if not kids:
            return
        keep = [c for c in kids if c.get("id") not in zero]
        if pts and len(keep) < len(kids):
            rest = sum(float(c.get("points") or 0.0) for c in keep)
            for c in keep:
                _scale(c, float(node["points"]) / rest)
        node["children"] = keep
        for c in keep:
            prune(c)

    prune(raw["structure"])
    return Scheme.from_dict(raw, file=scheme.file)


def _scale(node: dict, factor: float) -> None:
    node["points"] = float(node.get("points") or 0.0) * factor
    for c in node.get("children") or ():
        _scale(c, factor)


def without(ev: Evaluation, assessment: str) -> Without:
    """The engine's evaluation of the same round without ``assessment`` folded in (see
    :class:`Without` for how)."""
    leaves = special_leaves(ev.scheme, assessment)
    if not leaves:
        return Without(assessment, None, "not_folded")
    variant, method = _variant(ev.scheme, leaves)
    if variant is None:
        return Without(assessment, None, method, note="the special assessment is all the scheme scores")
    try:
        return Without(assessment, ev.rerun(variant), method, variant)
    except (PerfkitError, ValueError, ZeroDivisionError) as exc:
        if method == "removed":
            return Without(assessment, None, "impossible", note=str(exc))
        pts = ev.scheme.paradigm == "points"
        zero = _zero_set(ev.scheme, leaves, lambda n: float(n.points or 0.0) if pts else
                         float(1.0 if n.weight is None else n.weight))
        try:
            variant = _removed(ev.scheme, zero)
            return Without(assessment, ev.rerun(variant), "removed", variant, note=str(exc))
        except (PerfkitError, ValueError, ZeroDivisionError) as exc2:
            return Without(assessment, None, "impossible", note=str(exc2))


def grade_positions(ev: Evaluation) -> pd.Series:
    """Each unit's grade as its position in its category's grade list (0 = best), NaN
    where it has none."""
    g = ev.scheme.model.grading
    if g is None:
        return pd.Series(np.nan, index=ev.results.index)
    out = []
    for cat, grade in zip(ev.results["category"], ev.results["grade"]):
        names = [r.id for r in g.for_category(cat)]
        out.append(float(names.index(grade)) if isinstance(grade, str) and grade in names else np.nan)
    return pd.Series(out, index=ev.results.index)
