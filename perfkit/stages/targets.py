"""Functional targets: each unit scored against its own list of targets.

A ``source: targets`` node has, per unit, rows in the round's targets table (indicator,
target, points, optionally its own rule, cap and direction). A row earns ``share x points``
with the share from the row's rule (the node's default rule unless the row names another;
``completion`` of a lower-is-better row is ``completion_lower``); a row without a value
earns 0. The node's score is ``sum(points x share) / sum(points) x 100``; an applicable
unit without targets gets 0.
"""
from __future__ import annotations

import dataclasses
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

    def restrict(self, app: np.ndarray) -> TargetRows:
        """The rows of the units in ``app`` (``(n_units,)``, e.g. applicable and kept),
        with ``app`` as the units the node applies to."""
        app = np.asarray(app, dtype=bool)
        keep = app[self.unit]
        if keep.all():
            return dataclasses.replace(self, app=app)
        sel = np.flatnonzero(keep)

        def pick(values: tuple) -> tuple:
            return tuple(values[i] for i in sel)

        return dataclasses.replace(
            self, unit=self.unit[sel], unit_id=pick(self.unit_id), indicator=pick(self.indicator),
            label_zh=pick(self.label_zh), label_en=pick(self.label_en), value=self.value[sel],
            target=self.target[sel], points=self.points[sel], method=pick(self.method),
            direction=self.direction[sel], cap=self.cap[sel], app=app)

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
    default = default_target_rule(node)
    rows = targets[targets["node"] == node.id] if len(targets) else targets.iloc[0:0]
    pos = pd.Index(list(units)).get_indexer(rows["unit_id"]) if len(rows) else np.zeros(0, dtype=np.int64)
    ok = pos >= 0
    ok[ok] = np.asarray(app, dtype=bool)[pos[ok]]
    rows, pos = rows[ok], pos[ok]
    n = len(rows)
    value = np.full(n, np.nan)
    if n and len(values):
        v = values[values["indicator_id"].isin(pd.unique(rows["indicator_id"]))]
        v = v.drop_duplicates(["unit_id", "indicator_id"], keep="last")
        where = pd.MultiIndex.from_arrays([v["unit_id"], v["indicator_id"]]).get_indexer(
            pd.MultiIndex.from_arrays([rows["unit_id"], rows["indicator_id"]]))
        value = np.where(where >= 0, v["value"].to_numpy(dtype=float)[np.maximum(where, 0)] if len(v) else np.nan,
                         np.nan)
    cap = pd.to_numeric(rows["cap"], errors="coerce").to_numpy(dtype=float) if "cap" in rows else np.full(n, np.nan)
    rule = rows["rule"].to_numpy(dtype=object) if "rule" in rows else np.full(n, None, dtype=object)
    direction = rows["direction"].to_numpy(dtype=object) if "direction" in rows else np.full(n, None, dtype=object)
    return TargetRows(
        node=node.id, default=default, unit=pos.astype(int), unit_id=tuple(rows["unit_id"]),
        indicator=tuple(rows["indicator_id"]), label_zh=tuple(rows["label_zh"]) if "label_zh" in rows else (None,) * n,
        label_en=tuple(rows["label_en"]) if "label_en" in rows else (None,) * n,
        value=value, target=rows["target"].to_numpy(dtype=float), points=rows["points"].to_numpy(dtype=float),
        method=tuple(r if isinstance(r, str) and r else default.method for r in rule),
        direction=np.array([DIRECTION.get(d, 1) if isinstance(d, str) else 1 for d in direction], dtype=int),
        cap=cap, app=np.asarray(app, dtype=bool))


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
