"""The stages of :func:`perfkit.evaluate` as pure functions over the compiled form.

Each function takes the :class:`~perfkit.engine.compiled.Compiled` form (and the outputs of
the stages before it) and returns a small frozen record of its outputs, the recipe steps
it adds and the warnings it raised; nothing is kept between calls. :func:`perfkit.evaluate`
composes them:

====================  ===============================================================
:func:`survey`        the survey index per unit and the unit x group summary
:func:`collect`       ``raw``: the values matrix, the survey index, NaN where not applicable
:func:`treat`         ``treated``: denominate, screen, impute, winsorise (and ``kept``)
:func:`score`         ``scores`` of the indicators and their reason codes
:func:`targets`       functional-target nodes' scores and the per-target detail
:func:`aggregate`     ``nodes``: every aggregate bottom-up, with the weights used
:func:`max_points`    points each node is worth for each unit (points schemes)
:func:`finish`        ``results``: base, bonus, penalty, final, rank, grade and why
====================  ===============================================================

The arithmetic of each stage is in :mod:`perfkit.stages` (shared with the batched
sensitivity engine); this module adds the tables, the recipe and the messages.
"""
from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from perfkit.engine.compiled import Compiled
from perfkit.engine.evaluation import REASON_CODES, Reason, Step
from perfkit.engine.grading import assign_grades
from perfkit.engine.survey import summarise
from perfkit.stages import (
    aggregate_node,
    comparable,
    derive_weights,
    final_scores,
    rank_in_categories,
    score_leaf,
    score_targets,
    target_shares,
)
from perfkit.stages import treat as treat_values

__all__ = ["SurveyOut", "Collected", "Treatment", "Scored", "TargetsOut", "Aggregated", "Finished",
           "survey", "collect", "treat", "score", "targets", "aggregate", "max_points", "finish",
           "treatment_key"]


@dataclass(frozen=True, eq=False)
class SurveyOut:
    """``index`` ``(n_units,)`` (``None`` without a survey section) and the summary ``table``."""

    index: np.ndarray | None
    table: pd.DataFrame | None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, eq=False)
class Collected:
    """``raw`` ``(n_units, n_leaves)``."""

    raw: np.ndarray
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, eq=False)
class Treatment:
    """``treated`` ``(n_units, n_leaves)``, what each step did (``log``) and ``kept``."""

    treated: np.ndarray
    log: dict[str, Any]
    kept: np.ndarray
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, eq=False)
class Scored:
    """``scores`` ``(n_units, n_leaves)`` on 0-100 and each cell's ``reasons`` (a
    :class:`~perfkit.engine.evaluation.Reason` value)."""

    scores: np.ndarray
    reasons: np.ndarray
    steps: tuple[Step, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class TargetsOut:
    """Per functional-target node its ``scores`` ``(n_units,)``, and the ``detail`` table."""

    scores: dict[str, np.ndarray]
    detail: pd.DataFrame
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, eq=False)
class Aggregated:
    """Per aggregate node (root first) its ``scores`` ``(n_units,)`` and the ``weights`` used."""

    scores: dict[str, np.ndarray]
    weights: dict[str, Any]
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, eq=False)
class Finished:
    """The ``results`` table."""

    results: pd.DataFrame
    steps: tuple[Step, ...] = ()


# --------------------------------------------------------------------------- raw


def survey(c: Compiled) -> SurveyOut:
    """The survey index (groups with at least ``max(min_responses, min_cell)``
    respondents) and the summary table (suppressed cells blanked)."""
    sv = c.survey
    if sv is None:
        return SurveyOut(None, None)
    index, table = summarise(sv)
    return SurveyOut(index, table, (Step("raw", "survey", "group-weighted mean", {
        "groups": dict(zip(sv.groups, sv.group_weights.tolist())), "min_responses": sv.min_responses,
        "min_cell": sv.min_cell, "threshold": sv.threshold, "scale": list(sv.scale)}),))


def collect(c: Compiled, survey_index: np.ndarray | None) -> Collected:
    """Raw values: the round's values (special results included), the survey index in the
    survey indicators, NaN wherever an indicator does not apply."""
    raw = np.where(c.applies_matrix, c.values, np.nan)
    if survey_index is not None:
        for lf in c.leaves:
            if lf.source == "survey":
                raw[:, lf.index] = np.where(c.applicable[lf.id], survey_index, np.nan)
    return Collected(raw, (Step("raw", "collect", "pivot", {"indicators": len(c.leaves), "units": c.n_units}),))


def treatment_key(c: Compiled) -> str:
    """What the raw and treated values depend on besides the round: a variant with the
    same key may take them from an evaluation of the same round."""
    s = c.scheme
    leaves = sorted((k, n.denominator, n.denominator_scale, n.source, n.assessment) for k, n in s.leaves.items())
    apply = hashlib.sha256(np.packbits(c.applies_matrix).tobytes()).hexdigest()
    return s.section_hash("treatment", "denominators", "survey") + repr(leaves) + apply


def treat(c: Compiled, raw: np.ndarray) -> Treatment:
    """Apply the scheme's treatment steps in ``treatment.order`` to the quantitative
    value indicators; every step is recorded in the log and the recipe."""
    plan = c.treatment
    done = treat_values(plan, raw)
    quant = [plan.columns[j] for j in plan.quant]
    log: dict[str, Any] = {"order": list(plan.order), "denominated": [], "imputed": None,
                           "screened_out": [], "winsorised": []}
    steps = []
    for step in plan.order:
        if step == "denominate" and plan.denominators is not None:
            log["denominated"] = [{"indicator": d.indicator, "by": d.by, "scale": rec.scale,
                                   "zero_denominator": int(np.sum(rec.zero_denominator)),
                                   "missing_denominator": int(np.sum(rec.missing_denominator))}
                                  for d, rec in done.denominated]
            steps.append(Step("treat", "denominate", "divide",
                              {"indicators": [d["indicator"] for d in log["denominated"]]}))
        elif step == "screen" and plan.min_availability is not None:
            log["screened_out"] = [{"unit_id": u, "availability": float(a)}
                                   for u, a, k in zip(c.units, done.availability, done.kept) if not k]
            steps.append(Step("treat", "screen", "availability", {
                "min_availability": plan.min_availability, "dropped": [d["unit_id"] for d in log["screened_out"]]}))
        elif step == "impute" and plan.impute is not None:
            log["imputed"] = pd.DataFrame(done.imputed, index=c.index, columns=quant)
            steps.append(Step("treat", "impute", plan.impute.method,
                              {"by": plan.impute.params.get("by"), "cells": int(done.imputed.sum())}))
        elif step == "winsorise" and plan.winsorise is not None:
            kept_units = [u for u, k in zip(c.units, done.kept) if k]
            log["winsorised"] = [{"indicator": quant[r.column], "n_winsorised": r.n_winsorised,
                                  "log_applied": r.log_applied, "skew_before": r.skew_before,
                                  "kurt_before": r.kurt_before, "skew_after": r.skew_after,
                                  "kurt_after": r.kurt_after, "units": [str(kept_units[p]) for p in r.positions],
                                  "original_values": list(r.original_values)}
                                 for r in done.winsorised[0] if r.n_winsorised or r.log_applied]
            steps.append(Step("treat", "winsorise", plan.winsorise.method, dict(plan.winsorise.params)))
    return Treatment(done.values, log, done.kept, tuple(steps))


# --------------------------------------------------------------------------- scores


def score(c: Compiled, treated: np.ndarray) -> Scored:
    """Every indicator on the internal 0-100 scale (``c`` screened), with a reason code
    per cell: :attr:`Reason.NOT_APPLICABLE`, :attr:`Reason.NO_VALUE` or scored."""
    s = c.scheme
    out = np.full(treated.shape, np.nan)
    codes = np.zeros(treated.shape, dtype=np.int8)
    steps, said = [], []
    for leaf in c.leaves:
        j = leaf.index
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            col, missing = score_leaf(leaf, treated[:, j], paradigm=c.paradigm, text=c.text[:, j],
                                      targets=c.value_targets[:, j], groups=c.categories, units=c.units)
        said.extend(f"{leaf.id}: {w.message}" for w in caught)
        out[:, j] = col
        codes[~leaf.app, j] = _CODE[Reason.NOT_APPLICABLE]
        codes[missing, j] = _CODE[Reason.NO_VALUE]
        steps.append(Step("score", leaf.id, leaf.spec.method, {
            "kind": leaf.kind, "direction": s.leaves[leaf.id].direction, **leaf.spec.params}))
    return Scored(out, REASON_CODES[codes], tuple(steps), tuple(said))


_CODE = {r: i for i, r in enumerate(REASON_CODES)}

_DETAIL = ["node", "unit_id", "indicator_id", "label_zh", "label_en", "rule", "value", "target", "points", "share",
           "earned_raw", "reason", "max_points", "earned", "lost"]


def targets(c: Compiled) -> TargetsOut:
    """Functional targets: per unit, Σ points x share over the unit's own targets,
    rescaled to the node's points; one detail row per (unit, target)."""
    s = c.scheme
    scores, frames, steps = {}, [], []
    for rows in c.targets:
        shares = target_shares(rows)
        scores[rows.node] = score_targets(rows, shares)
        none = np.isnan(shares)
        share = np.where(none, 0.0, shares)
        pts = rows.points
        per_unit = np.bincount(rows.unit, weights=pts, minlength=c.n_units)[rows.unit] if len(pts) else pts
        with np.errstate(invalid="ignore", divide="ignore"):
            mx = pts / per_unit * float(s.nodes[rows.node].points or 100.0)
        frames.append(pd.DataFrame({
            "node": rows.node, "unit_id": list(rows.unit_id), "indicator_id": list(rows.indicator),
            "label_zh": list(rows.label_zh), "label_en": list(rows.label_en), "rule": list(rows.method),
            "value": rows.value, "target": rows.target, "points": pts, "share": share, "earned_raw": share * pts,
            "reason": np.where(none, Reason.NO_VALUE.value, Reason.SCORED.value).astype(object),
            "max_points": mx, "earned": share * mx, "lost": mx - share * mx}, columns=_DETAIL))
        steps.append(Step("score", rows.node, rows.default.method, {"kind": "targets", **rows.default.params}))
    frames = [f for f in frames if len(f)]
    detail = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_DETAIL[:12])
    return TargetsOut(scores, detail, tuple(steps))


def aggregate(c: Compiled, columns: dict[str, np.ndarray]) -> Aggregated:
    """Every aggregate node from its children, bottom-up (``columns``: the indicators'
    and target nodes' scores by id)."""
    s = c.scheme
    have = dict(columns)
    scores: dict[str, np.ndarray] = {}
    weights: dict[str, Any] = {}
    steps = []
    for node in c.nodes:
        ids = list(node.children)
        X = np.column_stack([have[i] for i in ids])
        w = node.weights
        if node.weights_spec is not None:
            res = derive_weights(node.weights_spec.model_dump(), X, node.app, ids, node_id=node.id,
                                 where=[s.file or "<scheme>", f"nodes.{node.id}.weights"])
            weights[node.id] = res
            w = np.asarray(res.weights, dtype=float)
        else:
            weights[node.id] = pd.Series(w / w.sum() if w.sum() > 0 else w, index=ids, name=node.id)
        have[node.id] = scores[node.id] = aggregate_node(node.aggregate, X, w, node.app)
        steps.append(Step("aggregate", node.id, node.aggregate.method,
                          {**node.aggregate.params, "weights": [float(v) for v in w]}))
    order = [n.id for n in reversed(c.nodes)]
    return Aggregated({k: scores[k] for k in order}, weights, tuple(steps))


def max_points(c: Compiled) -> pd.DataFrame:
    """Points each node is worth for each unit: a parent's points shared among the
    children that apply to the unit, in proportion to their points."""
    root = c.scheme.root
    eff = {root.id: np.full(c.n_units, float(root.points or 100.0))}
    for node in reversed(c.nodes):  # parents before children
        app = np.column_stack([c.applicable[k] for k in node.children]).astype(float)
        denom = (app * node.weights).sum(axis=1)
        for j, k in enumerate(node.children):
            with np.errstate(invalid="ignore", divide="ignore"):
                eff[k] = np.where(denom > 0, eff[node.id] * node.weights[j] * app[:, j] / denom, 0.0)
    order = [root.id] + [k for node in reversed(c.nodes) for k in node.children]
    return pd.DataFrame({k: eff[k] for k in order}, index=c.index)


# --------------------------------------------------------------------------- results


def finish(c: Compiled, root: np.ndarray) -> Finished:
    """Base, bonus and penalty (capped), final score, rank within category and grade with
    its reason, per unit."""
    adj = c.adjustments
    kept = c.kept
    final = final_scores(root, scale=c.scale, bonus=adj.bonus, penalty=adj.penalty, kept=kept)
    rank = rank_in_categories(final, c.categories)
    valid = ~np.isnan(final)
    _, cat_codes = np.unique(c.categories.astype(str), return_inverse=True)
    size = np.bincount(cat_codes, weights=valid.astype(float))[cat_codes]
    grade = np.full(c.n_units, None, dtype=object)
    reason_en = np.full(c.n_units, "", dtype=object)
    reason_zh = np.full(c.n_units, "", dtype=object)
    steps = []
    if c.grading is not None:
        g = c.grading
        compared = comparable(final)  # as ranks compare them
        for table in g.tables:
            for _, pos in table.categories:
                out = assign_grades(compared[pos], min_scores=table.min_scores, max_shares=table.max_shares,
                                    best_allowed=table.best_allowed[pos], rounding=g.rounding, ties=g.ties,
                                    names=table.ids, labels_zh=table.labels_zh or None)
                ids = np.array(list(table.ids) + [None], dtype=object)
                grade[pos] = ids[out.index]
                reason_en[pos] = out.reason
                reason_zh[pos] = out.reason_zh
        steps.append(Step("grade", "grading", "thresholds+quotas+veto", {"rounding": g.rounding, "ties": g.ties}))
    steps.append(Step("rank", "rank", "within category, ties share the best rank", {}))
    vetoes = np.empty(c.n_units, dtype=object)
    for i, v in enumerate(adj.vetoes):  # tuples as cells, whatever their lengths
        vetoes[i] = v
    res = pd.DataFrame({
        "name_zh": c.names_zh, "name_en": c.names_en, "category": c.categories,
        "base": np.where(kept, root * c.scale, np.nan),
        "bonus_raw": adj.bonus_raw, "bonus": adj.bonus, "penalty_raw": adj.penalty_raw, "penalty": adj.penalty,
        "final": final, "vetoes": vetoes, "rank": rank, "category_size": size.astype(np.int64),
        "grade": grade, "grade_reason": reason_en, "grade_reason_zh": reason_zh,
    }, index=c.index)
    return Finished(res, tuple(steps))
