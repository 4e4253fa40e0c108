"""The engine: scheme + round data -> :class:`~perfkit.evaluation.Evaluation`.

Stages, each kept in the result with a caption:

1. ``raw``        units x indicators as submitted (survey index and special results joined in)
2. ``treated``    after denomination, imputation, screening and outlier treatment
3. ``scores``     per indicator on the internal 0-100 scale (a rule's share x 100, or the
                  normalised value)
4. ``nodes``      every aggregate's score, bottom-up
5. ``points``     earned points per node (points paradigm), against ``max_points``
6. ``results``    base score, bonus, penalty, final score, rank within category, grade

The recipe (every step with its method and parameters) is recorded so that a variant can
be re-run with one step changed (:meth:`Evaluation.rerun`).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from perfkit.errors import DataError, SchemeError
from perfkit.evaluation import Evaluation, Step
from perfkit.grading import assign_grades
from perfkit.io.round import RoundData
from perfkit.kernels import treat as treat_k
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.kernels.normalise import NORMALISE, output_range
from perfkit.kernels.rank import rank_desc
from perfkit.kernels.rules import RULES
from perfkit.scheme import Scheme
from perfkit.scheme.check import DEFAULT_SOURCE_RULE
from perfkit.scheme.models import MethodSpec, Node
from perfkit.survey import summarise_survey
from perfkit.validate import ValidationReport, validate_round

__all__ = ["evaluate"]

_DIR = {"higher": 1, "lower": -1}


def evaluate(scheme: Scheme, data: RoundData, *, reuse: Evaluation | None = None) -> Evaluation:
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
    if same_data and reuse.scheme.section_hash("categories", "survey", "special", "adjustments") == \
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

    # ------------------------------------------------------------------ helpers
    def _applicable(self, node_id: str) -> np.ndarray:
        """Units to which the node (and all its ancestors) apply."""
        by_cat = {c: self.scheme.applies(node_id, c) for c in pd.unique(self.categories)}
        return np.array([by_cat[c] for c in self.categories], dtype=bool)

    # ------------------------------------------------------------------ stages
    def run(self) -> Evaluation:
        s = self.scheme
        leaves = s.leaves
        self.applicable = {nid: self._applicable(nid) for nid in s.paths}
        survey_index, survey_table = self._survey()
        if self.reuse is not None and self._treatment_key() == self.reuse.cache.get("treatment_key"):
            raw, text, targets = self.reuse.raw, self.reuse.text, self.reuse.value_targets
            treated, tlog, kept = self.reuse.treated, self.reuse.treatment, self.reuse.kept
            self.steps.extend(st for st in self.reuse.recipe if st.stage in ("raw", "treat"))
        else:
            raw, text, targets = self._raw(survey_index)
            treated, tlog, kept = self._treat(raw)
        scores, reasons = self._score_leaves(treated, text, targets, kept)
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
        t = self.scheme.model.treatment
        leaves = self.scheme.leaves
        self._tlog: dict[str, Any] = {"order": list(t.order), "denominated": [], "imputed": None,
                                      "screened_out": [], "winsorised": []}
        x = raw.copy()
        quant = [k for k, n in leaves.items() if n.source == "values" and n.kind == "quantitative"]
        kept = np.ones(len(x), dtype=bool)
        for step in t.order:
            if step == "denominate" and t.denominate:
                self._denominate(x, quant)
            elif step == "screen" and t.screen is not None:
                kept = self._screen(x, quant, t.screen)
            elif step == "impute" and t.impute is not None:
                self._impute(x, quant, kept, t.impute)
            elif step == "winsorise" and t.winsorise is not None:
                self._winsorise(x, quant, kept, t.winsorise)
        return x, self._tlog, kept

    def _denominate(self, x: pd.DataFrame, quant: list[str]) -> None:
        leaves = self.scheme.leaves
        for nid in quant:
            d = leaves[nid].denominator
            if d is None:
                continue
            values, rec = treat_k.denominate(x[nid].to_numpy(dtype=float), self._denominator(d),
                                             scale=leaves[nid].denominator_scale)
            x[nid] = values
            self._tlog["denominated"].append({"indicator": nid, "by": d, "scale": rec.scale,
                                              "zero_denominator": int(np.sum(rec.zero_denominator)),
                                              "missing_denominator": int(np.sum(rec.missing_denominator))})
        self.steps.append(Step("treat", "denominate", "divide",
                               {"indicators": [d["indicator"] for d in self._tlog["denominated"]]}))

    def _screen(self, x: pd.DataFrame, quant: list[str], threshold: float) -> np.ndarray:
        arr = x[quant].to_numpy(dtype=float)
        avail = treat_k.availability(arr)
        kept = treat_k.screen(arr, min_availability=threshold)
        self._tlog["screened_out"] = [{"unit_id": u, "availability": float(a)}
                                      for u, a, k in zip(x.index, avail, kept) if not k]
        self.steps.append(Step("treat", "screen", "availability", {
            "min_availability": threshold, "dropped": [d["unit_id"] for d in self._tlog["screened_out"]]}))
        return kept

    def _impute(self, x: pd.DataFrame, quant: list[str], kept: np.ndarray, spec: MethodSpec) -> None:
        by = spec.params.get("by")
        groups = None
        if by is not None:
            if by not in self.units.columns:
                cols = ", ".join(c for c in self.units.columns if not c.startswith("_"))
                raise SchemeError(f"impute by {by!r}: the units table has no such column",
                                  where=[self.scheme.file or "<scheme>", "treatment.impute.by"],
                                  hint=f"units columns: {cols}")
            groups = self.units[by].to_numpy(dtype=object)[kept]
        new, mask = treat_k.impute(x.loc[kept, quant].to_numpy(dtype=float), method=spec.method, groups=groups)
        x.loc[kept, quant] = new
        flags = pd.DataFrame(False, index=x.index, columns=quant)
        flags.loc[kept, quant] = mask
        self._tlog["imputed"] = flags
        self.steps.append(Step("treat", "impute", spec.method, {"by": by, "cells": int(mask.sum())}))

    def _winsorise(self, x: pd.DataFrame, quant: list[str], kept: np.ndarray, spec: MethodSpec) -> None:
        params = dict(spec.params)
        new, records = treat_k.winsorise(x.loc[kept, quant].to_numpy(dtype=float), **params)
        x.loc[kept, quant] = new
        self._tlog["winsorised"] = [{"indicator": quant[r.column], "n_winsorised": r.n_winsorised,
                                     "log_applied": r.log_applied, "skew_before": r.skew_before,
                                     "kurt_before": r.kurt_before, "skew_after": r.skew_after,
                                     "kurt_after": r.kurt_after,
                                     "units": [str(x.index[kept][p]) for p in r.positions],
                                     "original_values": list(r.original_values)}
                                    for r in records if r.n_winsorised or r.log_applied]
        self.steps.append(Step("treat", "winsorise", spec.method, params))

    def _denominator(self, name: str) -> np.ndarray:
        if name in self.units.columns:
            return pd.to_numeric(self.units[name], errors="coerce").to_numpy(dtype=float)
        vals = self.data.values
        d = vals[vals["indicator_id"] == name].set_index("unit_id")["value"]
        if d.empty:
            raise DataError(f"denominator {name!r} not found", where=["units", name],
                            hint="give it as a units column or as values rows")
        return d.reindex(self.unit_ids).to_numpy(dtype=float)

    def _score_leaves(self, treated: pd.DataFrame, text: pd.DataFrame, targets: pd.DataFrame, kept: np.ndarray):
        s = self.scheme
        points = s.paradigm == "points"
        scores = pd.DataFrame(np.nan, index=treated.index, columns=list(s.leaves), dtype=float)
        reasons = pd.DataFrame("", index=treated.index, columns=list(s.leaves), dtype=object)
        groups = self.categories
        for nid, node in s.leaves.items():
            app = self.applicable[nid] & kept
            direction = _DIR[node.direction]
            spec = node.rule or node.normalise or (DEFAULT_SOURCE_RULE if node.source in ("survey", "special") else None)
            if spec is None:
                spec = MethodSpec(method="minmax")
            x = treated[nid].to_numpy(dtype=float)
            if node.rule is not None or spec is DEFAULT_SOURCE_RULE:
                out = self._apply_rule(node, spec, x, text[nid].to_numpy(dtype=object), targets[nid].to_numpy(), app, groups)
                kind = "rule"
            else:
                out = np.full(len(x), np.nan)
                col = np.where(app, x, np.nan)
                params = dict(spec.params)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    res = NORMALISE.get(spec.method).func(col[:, None], direction=np.array([direction]), **params)
                self.warnings.extend(f"{nid}: {w.message}" for w in caught)
                out[app] = np.asarray(res)[:, 0][app]
                kind = "normalise"
                if points:  # a share of the indicator's points: rescale the output range to 0-100
                    lo, hi = output_range(spec.method, params)
                    out = (out - lo) / (hi - lo) * 100.0
            missing = app & np.isnan(out)
            if points:
                out = np.where(missing, 0.0, out)
            scores[nid] = np.where(app, out, np.nan)
            reasons.loc[~app, nid] = "not applicable"
            reasons.loc[missing, nid] = "no value"
            self.steps.append(Step("score", nid, spec.method, {"kind": kind, "direction": node.direction, **spec.params}))
        return scores, reasons

    def _apply_rule(self, node: Node, spec: MethodSpec, x: np.ndarray, text: np.ndarray, target: np.ndarray,
                    app: np.ndarray, groups: np.ndarray) -> np.ndarray:
        params = dict(spec.params)
        func = RULES.get(spec.method).func
        if spec.method == "grade_map":
            share = func(np.where(app, text, None), **params)
        elif spec.method == "rank_within":
            share = func(np.where(app, x, np.nan), groups=groups, direction=_DIR[node.direction], **params)
        else:
            if "target" not in params and _needs_target(func):
                if np.isnan(target[app]).any():
                    bad = [u for u, a, t in zip(self.unit_ids, app, target) if a and np.isnan(t)]
                    raise DataError(f"indicator {node.id!r} is scored against a target, but units {bad[:5]} have "
                                    f"none", where=["values", "target"],
                                    hint=f"add a 'target' column to values or 'target:' to {node.id}.rule")
                params["target"] = target
            if "direction" in _kwonly(func) and "direction" not in params:
                params["direction"] = _DIR[node.direction]
            share = func(x, **params)
        return np.asarray(share, dtype=float) * 100.0

    def _targets(self, kept: np.ndarray):
        """Functional targets: per unit, Σ points x share over the unit's own targets,
        rescaled to the node's points."""
        s = self.scheme
        tdf = self.data.targets
        detail_rows = []
        out: dict[str, np.ndarray] = {}
        vals = self.data.values
        for nid, node in s.target_nodes.items():
            app = self.applicable[nid] & kept
            earned = np.zeros(len(self.unit_ids))
            total = np.zeros(len(self.unit_ids))
            rows = tdf[tdf["node"] == nid] if len(tdf) else tdf
            default = node.rule or MethodSpec(method="completion", cap=1.0)
            pos = {u: i for i, u in enumerate(self.unit_ids)}
            vmap = {(u, i): v for u, i, v in zip(vals["unit_id"], vals["indicator_id"], vals["value"])} if len(vals) else {}
            for r in rows.itertuples(index=False):
                i = pos.get(r.unit_id)
                if i is None or not app[i]:
                    continue
                method = r.rule if isinstance(r.rule, str) and r.rule else default.method
                params = dict(default.params) if method == default.method else {}
                if isinstance(r.cap, float) and not np.isnan(r.cap):
                    params["cap"] = r.cap
                func = RULES.get(method).func
                value = vmap.get((r.unit_id, r.indicator_id), np.nan)
                direction = _DIR.get(r.direction or "higher", 1)
                if _needs_target(func) and "target" not in params:
                    params["target"] = r.target
                if "direction" in _kwonly(func) and "direction" not in params:
                    params["direction"] = direction
                if method == "completion" and direction == -1:
                    func = RULES.get("completion_lower").func
                share = float(np.asarray(func(np.array([value], dtype=float), **params))[0])
                reason = ""
                if np.isnan(share):
                    share, reason = 0.0, "no value"
                earned[i] += share * r.points
                total[i] += r.points
                detail_rows.append({"node": nid, "unit_id": r.unit_id, "indicator_id": r.indicator_id,
                                    "label_zh": r.label_zh, "label_en": r.label_en, "rule": method,
                                    "value": value, "target": r.target, "points": r.points,
                                    "share": share, "earned_raw": share * r.points, "reason": reason})
            with np.errstate(invalid="ignore", divide="ignore"):
                score = np.where(total > 0, earned / total * 100.0, np.nan)
            score = np.where(app & (total == 0), 0.0, score)
            out[nid] = np.where(app, score, np.nan)
            self.steps.append(Step("score", nid, default.method, {"kind": "targets", **default.params}))
        detail = pd.DataFrame(detail_rows, columns=["node", "unit_id", "indicator_id", "label_zh", "label_en", "rule",
                                                    "value", "target", "points", "share", "earned_raw", "reason"])
        if len(detail):
            scale = detail.groupby(["node", "unit_id"])["points"].transform("sum")
            node_pts = detail["node"].map(lambda n: s.nodes[n].points or 100.0)
            detail["max_points"] = detail["points"] / scale * node_pts
            detail["earned"] = detail["share"] * detail["max_points"]
            detail["lost"] = detail["max_points"] - detail["earned"]
        return detail, out

    def _child_weights(self, node: Node) -> np.ndarray:
        if self.scheme.paradigm == "points":
            return np.array([c.points for c in node.children], dtype=float)
        return np.array([1.0 if c.weight is None else c.weight for c in node.children], dtype=float)

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
            w = self._child_weights(node)
            if node.weights is not None:
                from perfkit.weighting import weights_from_spec

                rows = app & ~np.isnan(X).any(axis=1)
                if rows.sum() < 2:
                    raise SchemeError(f"node {node.id!r}: too few complete units ({int(rows.sum())}) to derive weights",
                                      where=[s.file or "<scheme>", f"nodes.{node.id}.weights"])
                res = weights_from_spec(node.weights.model_dump(), X[rows], np.ones(len(ids)), ids)
                weights[node.id] = res
                w = np.asarray(res.weights, dtype=float)
            else:
                weights[node.id] = pd.Series(w / w.sum() if w.sum() > 0 else w, index=ids, name=node.id)
            spec = node.aggregate or MethodSpec(method="arithmetic")
            func = AGGREGATE.get(spec.method).func
            Xa = np.where(app[:, None], X, np.nan)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                if spec.method == "topsis":
                    out = np.full(len(app), np.nan)
                    sub = func(Xa[app], weights=w, **spec.params)
                    out[app] = np.asarray(sub) * 100.0
                else:
                    out = np.asarray(func(Xa, weights=w, **spec.params), dtype=float)
            out = np.where(app, out, np.nan)
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
            w = self._child_weights(node)
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
        res["final"] = res["base"] + res["bonus"] - res["penalty"]
        res.loc[~kept, ["base", "final"]] = np.nan
        vetoes = adj[adj["kind"] == "veto"] if len(adj) else adj
        veto_items = vetoes.groupby("unit_id")["item"].apply(lambda v: tuple(sorted(set(v)))) if len(vetoes) else pd.Series(dtype=object)
        res["vetoes"] = [veto_items.get(u, ()) for u in res.index]
        res["rank"] = rank_desc(res["final"].to_numpy(dtype=float), groups=self.categories)
        res["category_size"] = res.groupby("category")["final"].transform("count")
        res["grade"] = None
        res["grade_reason"] = ""
        if s.model.grading is not None:
            g = s.model.grading
            for cat in pd.unique(self.categories):
                sel = (self.categories == cat)
                rules = g.for_category(cat)
                names = [r.id for r in rules]
                allowed = np.zeros(sel.sum(), dtype=int)
                for j, items in enumerate(res.loc[sel, "vetoes"]):
                    for it in items:
                        v = cfg.veto[it]
                        allowed[j] = max(allowed[j], len(names) - 1 if v.effect == "fail" else names.index(v.grade))
                out = assign_grades(res.loc[sel, "final"].to_numpy(dtype=float),
                                    min_scores=[r.min_score for r in rules], max_shares=[r.max_share for r in rules],
                                    best_allowed=allowed, rounding=g.quota_rounding, ties=g.ties, names=names)
                res.loc[sel, "grade"] = [names[i] if i >= 0 else None for i in out.index]
                res.loc[sel, "grade_reason"] = list(out.reason)
            self.steps.append(Step("grade", "grading", "thresholds+quotas+veto",
                                   {"rounding": g.quota_rounding, "ties": g.ties}))
        self.steps.append(Step("rank", "rank", "within category, ties share the best rank", {}))
        return res


def _kwonly(func) -> set[str]:
    import inspect

    return {n for n, p in inspect.signature(func).parameters.items()
            if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def _needs_target(func) -> bool:
    import inspect

    return "target" in inspect.signature(func).parameters
