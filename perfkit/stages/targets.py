"""Functional targets: each unit scored against its own list of targets.

A ``source: targets`` node has, per unit, rows in the round's targets table (indicator,
target, points, optionally its own rule, cap and direction). A row earns ``share x points``
with the share from the row's rule (the node's default rule unless the row names another;
``completion`` of a lower-is-better row is ``completion_lower``); a row without a value
earns 0. The node's score is ``sum(points x share) / sum(points) x 100``; an applicable
unit without targets gets 0.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from perfkit.kernels.rules import RULES
from perfkit.scheme.models import MethodSpec, Node
from perfkit.stages.score import DIRECTION, rule_parameters

__all__ = ["TargetRows", "default_target_rule", "row_rule", "score_targets", "target_rows", "target_shares"]


def default_target_rule(node: Node) -> MethodSpec:
    """The rule of a functional-target node's rows that name none: the node's ``rule``,
    else ``completion`` with cap 1."""
    return node.rule or MethodSpec(method="completion", cap=1.0)


def row_rule(method: str, direction: int):
    """The rule function scoring a row: ``completion`` of a lower-is-better row is
    ``completion_lower``."""
    if method == "completion" and direction == -1:
        return RULES.get("completion_lower").func
    return RULES.get(method).func


@dataclass(frozen=True, eq=False)
class TargetRows:
    """The functional targets of one ``source: targets`` node: one row per (unit, target)
    for the units the node applies to.

    Attributes
    ----------
    node, default
        The node and its default rule (:func:`default_target_rule`).
    unit, unit_id
        Position and id of the row's unit.
    indicator, label_zh, label_en
        The target's indicator and labels.
    value, target, points
        Achieved value (NaN: none), target and points of the row.
    method, direction
        The row's rule and direction (+1 / -1).
    cap
        The row's own cap from the targets table, NaN for none.
    app
        ``(n_units,)``: the node applies to the unit and the unit passed the screen.
    """

    node: str
    default: MethodSpec
    unit: np.ndarray
    unit_id: tuple[str, ...]
    indicator: tuple[str, ...]
    label_zh: tuple[Any, ...]
    label_en: tuple[Any, ...]
    value: np.ndarray
    target: np.ndarray
    points: np.ndarray
    method: tuple[str, ...]
    direction: np.ndarray
    cap: np.ndarray
    app: np.ndarray

    @property
    def uses_default(self) -> np.ndarray:
        """Rows scored with the node's default rule (its parameters come from the scheme)."""
        return np.array([m == self.default.method for m in self.method], dtype=bool)

    @property
    def own_cap(self) -> np.ndarray:
        """Rows with their own cap in the targets table."""
        return ~np.isnan(self.cap)

    @cached_property
    def _groups(self) -> tuple[tuple[str, int, float | None, np.ndarray], ...]:
        """Rows scored by one call: same rule, direction and own cap."""
        keys: dict[tuple[str, int, float | None], list[int]] = {}
        for i, (m, d, c) in enumerate(zip(self.method, self.direction, self.cap)):
            keys.setdefault((m, int(d), None if np.isnan(c) else float(c)), []).append(i)
        return tuple((m, d, c, np.array(rows)) for (m, d, c), rows in keys.items())

    @cached_property
    def _points_matrix(self) -> np.ndarray:
        """``(n_rows, n_units)``: the row's points in its unit's column."""
        pmat = np.zeros((len(self.unit), len(self.app)))
        pmat[np.arange(len(self.unit)), self.unit] = self.points
        return pmat


def target_rows(node: Node, targets: pd.DataFrame, values: pd.DataFrame, units, app: np.ndarray) -> TargetRows:
    """The rows of ``node`` in the round's targets table, for the units it applies to.

    Parameters
    ----------
    node
        A ``source: targets`` node.
    targets, values
        The round's validated targets and values tables (values give the achieved value
        of each target's indicator).
    units
        Unit ids, in the order of the results.
    app
        ``(n_units,)`` units the node applies to (and that passed the screen).
    """
    rows = targets[targets["node"] == node.id] if len(targets) else targets
    default = default_target_rule(node)
    vmap = {(u, i): v for u, i, v in zip(values["unit_id"], values["indicator_id"], values["value"])} \
        if len(values) else {}
    pos = {u: i for i, u in enumerate(units)}
    cols: dict[str, list] = {k: [] for k in ("unit", "unit_id", "indicator", "label_zh", "label_en", "value",
                                             "target", "points", "method", "direction", "cap")}
    for r in rows.itertuples(index=False):
        i = pos.get(r.unit_id)
        if i is None or not app[i]:
            continue
        own_cap = isinstance(r.cap, float) and not np.isnan(r.cap)
        cols["unit"].append(i)
        cols["unit_id"].append(r.unit_id)
        cols["indicator"].append(r.indicator_id)
        cols["label_zh"].append(r.label_zh)
        cols["label_en"].append(r.label_en)
        cols["value"].append(vmap.get((r.unit_id, r.indicator_id), np.nan))
        cols["target"].append(r.target)
        cols["points"].append(r.points)
        cols["method"].append(r.rule if isinstance(r.rule, str) and r.rule else default.method)
        cols["direction"].append(DIRECTION.get(r.direction or "higher", 1))
        cols["cap"].append(r.cap if own_cap else np.nan)
    return TargetRows(
        node=node.id, default=default, unit=np.array(cols["unit"], dtype=int), unit_id=tuple(cols["unit_id"]),
        indicator=tuple(cols["indicator"]), label_zh=tuple(cols["label_zh"]), label_en=tuple(cols["label_en"]),
        value=np.array(cols["value"], dtype=float), target=np.array(cols["target"], dtype=float),
        points=np.array(cols["points"], dtype=float), method=tuple(cols["method"]),
        direction=np.array(cols["direction"], dtype=int), cap=np.array(cols["cap"], dtype=float), app=app)


def target_shares(rows: TargetRows, params: Mapping[str, Any] | None = None) -> np.ndarray:
    """The share each row earns, NaN for a row without a value.

    Parameters
    ----------
    rows
        The node's rows (:func:`target_rows`).
    params
        Parameters of the node's default rule replacing the scheme's, numbers or arrays
        broadcasting against the rows (e.g. ``(n_rep, 1)``: one value per replicate).
        They apply to the rows scored with the default rule; a row's own cap still wins.

    Returns
    -------
    ndarray
        ``(..., n_rows)``.
    """
    params = dict(params or {})
    pieces = []
    for method, direction, cap, idx in rows._groups:
        kw = {**rows.default.params, **params} if method == rows.default.method else {}
        if cap is not None:
            kw["cap"] = cap
        names = rule_parameters(method)
        if "target" in names and "target" not in kw:
            kw["target"] = rows.target[idx]
        if "direction" in names and "direction" not in kw:
            kw["direction"] = direction
        pieces.append((idx, np.asarray(row_rule(method, direction)(rows.value[idx], **kw), dtype=float)))
    lead = np.broadcast_shapes(*(p.shape[:-1] for _, p in pieces)) if pieces else ()
    out = np.empty((*lead, len(rows.unit)))
    for idx, p in pieces:
        out[..., idx] = p
    return out


def score_targets(rows: TargetRows, shares: np.ndarray) -> np.ndarray:
    """The node's scores ``(..., n_units)`` from the rows' shares ``(..., n_rows)``:
    ``sum(points x share) / sum(points) x 100`` per unit, a row without a value earning 0;
    0 for an applicable unit without targets, NaN where the node does not apply."""
    pmat = rows._points_matrix
    earned = np.where(np.isnan(shares), 0.0, shares) @ pmat
    total = pmat.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, earned / total * 100.0, np.nan)
    score = np.where(rows.app & (total == 0), 0.0, score)
    return np.where(rows.app, score, np.nan)
