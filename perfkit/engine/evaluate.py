"""The engine: scheme + round data -> :class:`~perfkit.engine.evaluation.Evaluation`.

Stages, each kept in the result with a caption:

1. ``raw``        units x indicators as submitted (survey index and special results joined in)
2. ``treated``    after denomination, imputation, screening and outlier treatment
3. ``scores``     per indicator on the internal 0-100 scale (a rule's share x 100, or the
                  normalised value)
4. ``nodes``      every aggregate's score, bottom-up
5. ``points``     earned points per node (points paradigm), against ``max_points``
6. ``results``    base score, bonus, penalty, final score, rank within category, grade

Each stage is computed by the functions of :mod:`perfkit.stages` (and
:func:`perfkit.engine.grading.grade_indices`), the same ones the batched sensitivity engine calls
with a replicate axis. Ranks and grades compare final scores rounded to
:data:`~perfkit.stages.results.SCORE_DECIMALS` (9) decimals, so that units whose scores are
equal but for floating-point noise tie; ``final`` itself is not rounded.

The recipe (every step with its method and parameters) is recorded so that a variant can
be re-run with one step changed (:meth:`Evaluation.rerun`).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from perfkit.engine.evaluation import Evaluation, Step
from perfkit.engine.grading import assign_grades, veto_caps
from perfkit.engine.survey import summarise_survey
from perfkit.engine.validate import ValidationReport, validate_round
from perfkit.i18n import has, t
from perfkit.io.round import RoundData
from perfkit.scheme import Scheme
from perfkit.scheme.models import MethodSpec
from perfkit.stages import (
    Leaf,
    aggregate_node,
    applicable,
    child_weights,
    comparable,
    compile_leaves,
    derive_weights,
    final_scores,
    plan_treatment,
    rank_in_categories,
    score_leaf,
    score_targets,
    target_rows,
    target_shares,
    treat,
)

__all__ = ["evaluate"]


def evaluate(scheme: Scheme, data: RoundData, *, reuse: Evaluation | None = None,
             validation: ValidationReport | None = None) -> Evaluation:
    """Evaluate one round.

    Parameters
    ----------
    scheme
        A validated :class:`~perfkit.scheme.Scheme`.
    data
        The round's tables (:func:`perfkit.io.load_round` or :meth:`RoundData.from_frames`).
    reuse
        A previous evaluation of the same data: stages whose inputs did not change
        (validation, raw and treated values) are taken from it instead of recomputed.
    validation
        The :func:`perfkit.validate_round` report of this very scheme and data, when the
        caller already has it (it is not computed again); any other report is ignored.

    Raises
    ------
    DataError
        When the data have errors (run :func:`perfkit.validate_round` to see them all).
    """
    if not isinstance(scheme, Scheme):
        raise TypeError(f"scheme must be a perfkit Scheme (use perfkit.load_scheme), got {type(scheme).__name__}")
    if not isinstance(data, RoundData):
        raise TypeError(f"data must be RoundData (use perfkit.load_round), got {type(data).__name__}")
    same_data = reuse is not None and reuse.input_data is data
    if validation is not None and validation.checked(scheme, data):
        report = validation
    elif same_data and reuse.scheme.section_hash("categories", "survey", "special", "adjustments") == \
            scheme.section_hash("categories", "survey", "special", "adjustments") and \
            set(reuse.scheme.leaves) == set(scheme.leaves):
        report = reuse.validation
    else:
        report = validate_round(scheme, data)
    report.raise_for_errors()
    return _Engine(scheme, data, report, reuse if same_data else None).run()


class _Engine:
    def __init__(self, scheme: Scheme, data: RoundData, report: ValidationReport, reuse: Evaluation | None):
        self.scheme = scheme
        self.input = data
        self.report = report
        self.data = report.data
        self.reuse = reuse
        self.units = self.data.units
        self.unit_ids = list(self.units.index)
        self.categories = self.units["category"].to_numpy(dtype=object)
        self.steps: list[Step] = []
        self.warnings: list[str] = []

    # ------------------------------------------------------------------ stages
    def run(self) -> Evaluation:
        s = self.scheme
        self.applicable = applicable(s, self.categories)
        if self.reuse is not None and self._treatment_key() == self.reuse.cache.get("treatment_key"):
            survey_table = self.reuse.survey  # the survey section is part of the treatment key
            raw, text, targets = self.reuse.raw, self.reuse.text, self.reuse.value_targets
            treated, tlog, kept = self.reuse.treated, self.reuse.treatment, self.reuse.kept
            self.steps.extend(st for st in self.reuse.recipe if st.stage in ("raw", "treat"))
        else:
            survey_index, survey_table = self._survey()
            raw, text, targets = self._raw(survey_index)
            treated, tlog, kept = self._treat(raw)
        scores, reasons = self._score_leaves(compile_leaves(s, self.applicable, kept), treated, text, targets)
        tdetail, tscores = self._targets(kept)
        for nid, col in tscores.items():
            scores[nid] = col
        node_scores, weights = self._aggregate(scores, kept)
        eff = self._effective_points(kept)
        results = self._finish(node_scores, kept)
        points = None
        if s.paradigm == "points":
            all_scores = pd.concat([scores, node_scores], axis=1)
            points = all_scores.mul(eff[all_scores.columns] / 100.0)
        return Evaluation(
            scheme=s, input_data=self.input, validation=self.report, data=self.data,
            raw=raw, treated=treated, treatment=tlog, scores=scores, nodes=node_scores,
            points=points, max_points=eff if s.paradigm == "points" else None,
            results=results, weights=weights, reasons=reasons, targets_detail=tdetail,
            survey=survey_table, recipe=tuple(self.steps), warnings=tuple(self.warnings),
            kept=kept, text=text, value_targets=targets, cache={"treatment_key": self._treatment_key()},
            engine=evaluate,
        )

    def _treatment_key(self) -> str:
        leaves = sorted((k, n.denominator, n.denominator_scale, n.source) for k, n in self.scheme.leaves.items())
        return self.scheme.section_hash("treatment", "denominators", "survey") + repr(leaves)

    def _survey(self) -> tuple[pd.Series | None, pd.DataFrame | None]:
        spec = self.scheme.model.survey
        if spec is None:
            return None, None
        index, table = summarise_survey(self.data.survey, self.unit_ids, items=spec.items, scale=spec.scale,
                                        groups=spec.groups, min_responses=spec.min_responses,
                                        min_cell=spec.min_cell)
        self.steps.append(Step("raw", "survey", "group-weighted mean", {
            "groups": dict(spec.groups), "min_responses": spec.min_responses, "scale": list(spec.scale)}))
        return index, table

    def _raw(self, survey_index: pd.Series | None):
        s = self.scheme
        leaves = s.leaves
        vals = self.data.values
        idx = pd.Index(self.unit_ids, name="unit_id")
        raw = pd.DataFrame(np.nan, index=idx, columns=list(leaves), dtype=float)
        text = pd.DataFrame(None, index=idx, columns=list(leaves), dtype=object)
        targets = pd.DataFrame(np.nan, index=idx, columns=list(leaves), dtype=float)
        if len(vals):
            v = vals[vals["indicator_id"].isin(leaves)]
            if len(v):
                raw.update(v.pivot(index="unit_id", columns="indicator_id", values="value"))
                t = v.pivot(index="unit_id", columns="indicator_id", values="text")
                for c in t.columns:
                    text.loc[t.index, c] = t[c].to_numpy(dtype=object)
                if "target" in v:
                    targets.update(v.pivot(index="unit_id", columns="indicator_id", values="target"))
        special = self.data.special_results
        for nid, node in leaves.items():
            if node.source == "survey" and survey_index is not None:
                raw[nid] = survey_index.reindex(idx).to_numpy()
            elif node.source == "special" and len(special):
                sp = special[special["assessment_id"] == node.assessment].set_index("unit_id")["score"]
                raw[nid] = sp.reindex(idx).to_numpy(dtype=float)
        # not applicable cells are NaN whatever was submitted
        for nid in leaves:
            raw.loc[~self.applicable[nid], nid] = np.nan
        self.steps.append(Step("raw", "collect", "pivot", {"indicators": len(leaves), "units": len(idx)}))
        return raw, text, targets

    def _treat(self, raw: pd.DataFrame):
        """Apply the scheme's treatment steps in ``treatment.order`` to the quantitative
        value indicators; every step is recorded in the log and the recipe."""
        plan = plan_treatment(self.scheme, self.units, self.data.values)
        done = treat(plan, raw.to_numpy(dtype=float))
        treated = pd.DataFrame(done.values, index=raw.index, columns=raw.columns)
        quant = [plan.columns[j] for j in plan.quant]
        log: dict[str, Any] = {"order": list(plan.order), "denominated": [], "imputed": None,
                               "screened_out": [], "winsorised": []}
        for step in plan.order:
            if step == "denominate" and plan.denominators is not None:
                log["denominated"] = [{"indicator": d.indicator, "by": d.by, "scale": rec.scale,
                                       "zero_denominator": int(np.sum(rec.zero_denominator)),
                                       "missing_denominator": int(np.sum(rec.missing_denominator))}
                                      for d, rec in done.denominated]
                self.steps.append(Step("treat", "denominate", "divide",
                                       {"indicators": [d["indicator"] for d in log["denominated"]]}))
            elif step == "screen" and plan.min_availability is not None:
                log["screened_out"] = [{"unit_id": u, "availability": float(a)}
                                       for u, a, k in zip(raw.index, done.availability, done.kept) if not k]
                self.steps.append(Step("treat", "screen", "availability", {
                    "min_availability": plan.min_availability,
                    "dropped": [d["unit_id"] for d in log["screened_out"]]}))
            elif step == "impute" and plan.impute is not None:
                log["imputed"] = pd.DataFrame(done.imputed, index=raw.index, columns=quant)
                self.steps.append(Step("treat", "impute", plan.impute.method,
                                       {"by": plan.impute.params.get("by"), "cells": int(done.imputed.sum())}))
            elif step == "winsorise" and plan.winsorise is not None:
                kept_units = raw.index[done.kept]
                log["winsorised"] = [{"indicator": quant[r.column], "n_winsorised": r.n_winsorised,
                                      "log_applied": r.log_applied, "skew_before": r.skew_before,
                                      "kurt_before": r.kurt_before, "skew_after": r.skew_after,
                                      "kurt_after": r.kurt_after,
                                      "units": [str(kept_units[p]) for p in r.positions],
                                      "original_values": list(r.original_values)}
                                     for r in done.winsorised[0] if r.n_winsorised or r.log_applied]
                self.steps.append(Step("treat", "winsorise", plan.winsorise.method, dict(plan.winsorise.params)))
        return treated, log, done.kept

    def _score_leaves(self, leaves: tuple[Leaf, ...], treated: pd.DataFrame, text: pd.DataFrame,
                      targets: pd.DataFrame):
        s = self.scheme
        scores = pd.DataFrame(np.nan, index=treated.index, columns=list(s.leaves), dtype=float)
        reasons = pd.DataFrame("", index=treated.index, columns=list(s.leaves), dtype=object)
        for leaf in leaves:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out, missing = score_leaf(leaf, treated[leaf.id].to_numpy(dtype=float), paradigm=s.paradigm,
                                          text=text[leaf.id].to_numpy(dtype=object),
                                          targets=targets[leaf.id].to_numpy(dtype=float), groups=self.categories,
                                          units=self.unit_ids)
            self.warnings.extend(f"{leaf.id}: {w.message}" for w in caught)
            scores[leaf.id] = out
            reasons.loc[~leaf.app, leaf.id] = "not applicable"
            reasons.loc[missing, leaf.id] = "no value"
            self.steps.append(Step("score", leaf.id, leaf.spec.method, {
                "kind": leaf.kind, "direction": s.leaves[leaf.id].direction, **leaf.spec.params}))
        return scores, reasons

    def _targets(self, kept: np.ndarray):
        """Functional targets: per unit, Σ points x share over the unit's own targets,
        rescaled to the node's points."""
        s = self.scheme
        detail_rows = []
        out: dict[str, np.ndarray] = {}
        for nid, node in s.target_nodes.items():
            rows = target_rows(node, self.data.targets, self.data.values, self.unit_ids, self.applicable[nid] & kept)
            shares = target_shares(rows)
            out[nid] = score_targets(rows, shares)
            for j, share in enumerate(shares):
                reason = ""
                if np.isnan(share):
                    share, reason = 0.0, "no value"
                detail_rows.append({"node": nid, "unit_id": rows.unit_id[j], "indicator_id": rows.indicator[j],
                                    "label_zh": rows.label_zh[j], "label_en": rows.label_en[j],
                                    "rule": rows.method[j], "value": rows.value[j], "target": rows.target[j],
                                    "points": rows.points[j], "share": float(share),
                                    "earned_raw": float(share) * rows.points[j], "reason": reason})
            self.steps.append(Step("score", nid, rows.default.method, {"kind": "targets", **rows.default.params}))
        detail = pd.DataFrame(detail_rows, columns=["node", "unit_id", "indicator_id", "label_zh", "label_en", "rule",
                                                    "value", "target", "points", "share", "earned_raw", "reason"])
        if len(detail):
            scale = detail.groupby(["node", "unit_id"])["points"].transform("sum")
            node_pts = detail["node"].map(lambda n: s.nodes[n].points or 100.0)
            detail["max_points"] = detail["points"] / scale * node_pts
            detail["earned"] = detail["share"] * detail["max_points"]
            detail["lost"] = detail["max_points"] - detail["earned"]
        return detail, out

    def _aggregate(self, scores: pd.DataFrame, kept: np.ndarray):
        s = self.scheme
        node_scores: dict[str, np.ndarray] = {}
        weights: dict[str, Any] = {}
        all_scores = {c: scores[c].to_numpy() for c in scores.columns}
        for path, node in reversed(list(s.root.walk())):
            if not node.children:
                continue
            ids = [c.id for c in node.children]
            X = np.column_stack([all_scores[i] for i in ids])
            app = self.applicable[node.id] & kept
            w = child_weights(s, node)
            if node.weights is not None:
                res = derive_weights(node.weights.model_dump(), X, app, ids, node_id=node.id,
                                     where=[s.file or "<scheme>", f"nodes.{node.id}.weights"])
                weights[node.id] = res
                w = np.asarray(res.weights, dtype=float)
            else:
                weights[node.id] = pd.Series(w / w.sum() if w.sum() > 0 else w, index=ids, name=node.id)
            spec = node.aggregate or MethodSpec(method="arithmetic")
            out = aggregate_node(spec, X, w, app)
            node_scores[node.id] = out
            all_scores[node.id] = out
            self.steps.append(Step("aggregate", node.id, spec.method, {**spec.params, "weights": [float(v) for v in w]}))
        order = [n.id for _, n in s.root.walk() if n.children]
        df = pd.DataFrame({k: node_scores[k] for k in order}, index=scores.index)
        return df, weights

    def _effective_points(self, kept: np.ndarray) -> pd.DataFrame:
        """Points each node is worth for each unit: a parent's points shared among the
        children that apply to the unit, in proportion to their points."""
        s = self.scheme
        idx = pd.Index(self.unit_ids, name="unit_id")
        eff = {s.root.id: np.full(len(idx), float(s.root.points or 100.0))}
        for _, node in s.root.walk():
            if not node.children:
                continue
            w = child_weights(s, node)
            app = np.column_stack([self.applicable[c.id] for c in node.children]).astype(float)
            denom = (app * w).sum(axis=1)
            for j, c in enumerate(node.children):
                with np.errstate(invalid="ignore", divide="ignore"):
                    eff[c.id] = np.where(denom > 0, eff[node.id] * w[j] * app[:, j] / denom, 0.0)
        return pd.DataFrame(eff, index=idx)

    def _finish(self, node_scores: pd.DataFrame, kept: np.ndarray) -> pd.DataFrame:
        s = self.scheme
        root = node_scores[s.root.id].to_numpy()
        scale = (s.root.points or 100.0) / 100.0 if s.paradigm == "points" else 1.0
        base = root * scale
        adj = self.data.adjustments
        cfg = s.model.adjustments
        res = pd.DataFrame(index=pd.Index(self.unit_ids, name="unit_id"))
        res["name_zh"] = self.units["name_zh"]
        res["name_en"] = self.units["name_en"]
        res["category"] = self.units["category"]
        res["base"] = base
        for kind in ("bonus", "penalty"):
            raw = adj[adj["kind"] == kind].groupby("unit_id")["points"].sum() if len(adj) else pd.Series(dtype=float)
            raw = raw.reindex(res.index).fillna(0.0).to_numpy(dtype=float)
            cap = getattr(cfg, kind).cap
            res[f"{kind}_raw"] = raw
            res[kind] = np.minimum(raw, cap) if cap is not None else raw
        res["final"] = final_scores(root, scale=scale, bonus=res["bonus"].to_numpy(), penalty=res["penalty"].to_numpy(),
                                    kept=kept)
        res.loc[~kept, "base"] = np.nan
        vetoes = adj[adj["kind"] == "veto"] if len(adj) else adj
        veto_items = vetoes.groupby("unit_id")["item"].apply(lambda v: tuple(sorted(set(v)))) if len(vetoes) else pd.Series(dtype=object)
        res["vetoes"] = [veto_items.get(u, ()) for u in res.index]
        res["rank"] = rank_in_categories(res["final"].to_numpy(dtype=float), self.categories)
        res["category_size"] = res.groupby("category")["final"].transform("count")
        res["grade"] = None
        res["grade_reason"] = ""
        res["grade_reason_zh"] = ""
        if s.model.grading is not None:
            g = s.model.grading
            compared = comparable(res["final"].to_numpy(dtype=float))  # as ranks compare them
            for cat in pd.unique(self.categories):
                sel = (self.categories == cat)
                rules = g.for_category(cat)
                names = [r.id for r in rules]
                labels_zh = [r.label.zh if r.label is not None else t(f"grade.{r.id}", "zh") if has(f"grade.{r.id}")
                             else r.id for r in rules]
                allowed = veto_caps(list(res.loc[sel, "vetoes"]), names, cfg.veto)
                out = assign_grades(compared[sel],
                                    min_scores=[r.min_score for r in rules], max_shares=[r.max_share for r in rules],
                                    best_allowed=allowed, rounding=g.quota_rounding, ties=g.ties, names=names,
                                    labels_zh=labels_zh)
                res.loc[sel, "grade"] = [names[i] if i >= 0 else None for i in out.index]
                res.loc[sel, "grade_reason"] = list(out.reason)
                res.loc[sel, "grade_reason_zh"] = list(out.reason_zh)
            self.steps.append(Step("grade", "grading", "thresholds+quotas+veto",
                                   {"rounding": g.quota_rounding, "ties": g.ties}))
        self.steps.append(Step("rank", "rank", "within category, ties share the best rank", {}))
        return res

