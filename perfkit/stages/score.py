"""Scoring one indicator onto the internal 0-100 scale.

An indicator is scored either by a *rule* against a target (the share of its points it
earns, x 100) or by a *normalisation* across the units it applies to. In a points scheme a
normalised value is a share of the indicator's points too: its output range is mapped onto
0-100, and an applicable unit without a value earns 0 (in a weights scheme it stays
missing and the weights renormalise over the indicators it has).
"""
from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from perfkit.errors import DataError
from perfkit.kernels.normalise import NORMALISE, output_range
from perfkit.kernels.rules import RULES
from perfkit.scheme.check import DEFAULT_SOURCE_RULE
from perfkit.scheme.models import MethodSpec, Node

__all__ = ["DIRECTION", "Leaf", "applicable", "compile_leaves", "rule_parameters", "score_leaf", "scoring_method"]

#: A node's ``direction`` as the kernels take it.
DIRECTION = {"higher": 1, "lower": -1}


@dataclass(frozen=True, eq=False)
class Leaf:
    """An indicator: how it is scored and to which units it applies.

    Attributes
    ----------
    id, index
        The indicator and its position among the scheme's leaves (the column of the raw
        and treated tables).
    kind
        ``"normalise"`` (compared across units) or ``"rule"`` (scored against a target).
    spec
        The rule or normalisation and its parameters.
    direction
        +1 (higher is better) or -1.
    source
        ``"values"``, ``"survey"`` or ``"special"``.
    quantitative
        A quantitative value indicator (the only ones treatment changes).
    app
        ``(n_units,)``: the node applies to the unit and the unit passed the screen.
    """

    id: str
    index: int
    kind: str
    spec: MethodSpec
    direction: int
    source: str
    quantitative: bool
    app: np.ndarray


def applicable(scheme, categories: np.ndarray) -> dict[str, np.ndarray]:
    """Per node of ``scheme``, the units it applies to: the node and all its ancestors
    apply to the unit's category (:meth:`perfkit.scheme.Scheme.applies`).

    Parameters
    ----------
    scheme
        The scheme.
    categories
        ``(n_units,)`` category of each unit.
    """
    cats, codes = _codes(categories)
    out = {}
    for nid in scheme.paths:
        allowed = np.array([scheme.applies(nid, c) for c in cats] + [False], dtype=bool)
        out[nid] = allowed[codes]
    return out


def _codes(categories: np.ndarray) -> tuple[list, np.ndarray]:
    """The distinct categories and each unit's position among them (-1: missing)."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(categories, dtype=object)), use_na_sentinel=True)
    return list(uniques), np.asarray(codes, dtype=np.int64)


def scoring_method(node: Node) -> tuple[MethodSpec, str]:
    """How an indicator is scored: its spec and kind (``"rule"`` or ``"normalise"``).

    A declared rule wins, then a declared normalisation; survey and special-assessment
    results (already on 0-100) are scored by :data:`~perfkit.scheme.check.DEFAULT_SOURCE_RULE`,
    other indicators are min-max normalised.
    """
    if node.rule is not None:
        return node.rule, "rule"
    if node.normalise is not None:
        return node.normalise, "normalise"
    if node.source in ("survey", "special"):
        return DEFAULT_SOURCE_RULE, "rule"
    return MethodSpec(method="minmax"), "normalise"


def compile_leaves(scheme, applies: Mapping[str, np.ndarray], kept: np.ndarray) -> tuple[Leaf, ...]:
    """Every indicator of ``scheme`` as a :class:`Leaf`, in the scheme's order.

    Parameters
    ----------
    applies
        Per node, the units it applies to (:func:`applicable`).
    kept
        ``(n_units,)`` units that passed the screen.
    """
    out = []
    for j, (nid, node) in enumerate(scheme.leaves.items()):
        spec, kind = scoring_method(node)
        out.append(Leaf(id=nid, index=j, kind=kind, spec=spec, direction=DIRECTION[node.direction],
                        source=node.source, quantitative=node.source == "values" and node.kind == "quantitative",
                        app=applies[nid] & kept))
    return tuple(out)


@lru_cache(maxsize=None)
def rule_parameters(method: str) -> frozenset[str]:
    """The parameters scoring rule ``method`` takes by keyword (``x`` included).

    The engine passes the data's ``target`` to a rule that takes one and has none in the
    scheme, and the indicator's ``direction`` to a rule that takes one.

    >>> sorted(rule_parameters("completion"))
    ['cap', 'target', 'x']
    """
    sig = inspect.signature(RULES.get(method).func)
    return frozenset(n for n, p in sig.parameters.items() if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))


def score_leaf(
    leaf: Leaf,
    x: np.ndarray,
    *,
    paradigm: str,
    text: np.ndarray | None = None,
    targets: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    params: Mapping[str, Any] | None = None,
    units: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of one indicator on the internal 0-100 scale.

    Parameters
    ----------
    leaf
        The indicator (:func:`compile_leaves`).
    x
        Treated values ``(..., n_units)``; leading axes are replicates.
    paradigm
        The scheme's paradigm; ``"points"`` rescales normalised values by the method's
        output range onto 0-100 and gives applicable units without a score 0.
    text
        ``(n_units,)`` qualitative grades (rule ``grade_map``).
    targets
        ``(n_units,)`` targets from the values table (NaN: none), for rules that take a
        target the scheme does not give.
    groups
        ``(n_units,)`` categories (rule ``rank_within``).
    params
        Rule parameters replacing the scheme's, numbers or arrays broadcasting against
        ``x`` (e.g. ``(n_rep, 1)``: one value per replicate).
    units
        Unit ids, to name units in messages (default: positions).

    Returns
    -------
    scores : ndarray
        ``(..., n_units)``; NaN where the indicator does not apply.
    missing : ndarray of bool
        Same shape: applicable units the method gave no score (no value); 0 in ``scores``
        in a points scheme.

    Raises
    ------
    DataError
        A rule needs the data's targets and an applicable unit has none.
    """
    x = np.asarray(x, dtype=float)
    app = leaf.app
    if leaf.kind == "normalise":
        col = np.where(app, x, np.nan)
        out = np.asarray(NORMALISE.get(leaf.spec.method).func(
            col[..., None], direction=np.array([leaf.direction]), **leaf.spec.params))[..., 0]
        if paradigm == "points":  # a share of the indicator's points: the output range onto 0-100
            lo, hi = output_range(leaf.spec.method, leaf.spec.params)
            out = (out - lo) / (hi - lo) * 100.0
    else:
        out = np.asarray(_rule_share(leaf, x, text, targets, groups, params or {}, units), dtype=float) * 100.0
    out = np.broadcast_to(out, np.broadcast_shapes(out.shape, x.shape))
    missing = app & np.isnan(out)
    if paradigm == "points":
        out = np.where(missing, 0.0, out)
    return np.where(app, out, np.nan), missing


def _rule_share(leaf: Leaf, x: np.ndarray, text, targets, groups, params: Mapping[str, Any], units) -> np.ndarray:
    """The rule's share, with the data's targets, the direction and the groups it takes."""
    spec = leaf.spec
    func = RULES.get(spec.method).func
    kw = dict(spec.params)
    if spec.method == "grade_map":
        return func(np.where(leaf.app, text, None), **{**kw, **params})
    if spec.method == "rank_within":
        return func(np.where(leaf.app, x, np.nan), groups=groups, direction=leaf.direction, **{**kw, **params})
    names = rule_parameters(spec.method)
    if "target" in names and "target" not in kw and "target" not in params:
        _check_targets(leaf, targets, units)
        kw["target"] = targets
    if "direction" in names and "direction" not in kw:
        kw["direction"] = leaf.direction
    return func(x, **{**kw, **params})


def _check_targets(leaf: Leaf, targets, units) -> None:
    t = np.full(len(leaf.app), np.nan) if targets is None else np.asarray(targets, dtype=float)
    bad = np.flatnonzero(leaf.app & np.isnan(t))
    if len(bad):
        names = [units[i] for i in bad[:5]] if units is not None else bad[:5].tolist()
        raise DataError(f"indicator {leaf.id!r} is scored against a target, but units {names} have none",
                        where=["values", "target"],
                        hint=f"add a 'target' column to values or 'target:' to {leaf.id}.rule")
