"""Cross-checks that a single pydantic model cannot express: unique ids, references between
sections, method names and their parameters, points that add up."""
from __future__ import annotations

import inspect
import math
import warnings
from typing import Any

import numpy as np

from perfkit.errors import PerfkitError, SchemeError, UnknownNameError, did_you_mean
from perfkit.kernels import treat
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.kernels.normalise import NORMALISE, output_range
from perfkit.kernels.rules import RULES
from perfkit.scheme.models import MethodSpec, Node, SchemeModel
from perfkit.weighting import WEIGHTS, check_weights_spec, weights_from_spec
from perfkit.weighting.spec import INCONSISTENCY

__all__ = ["check_scheme", "check_params", "DEFAULT_SOURCE_RULE"]

#: Rule used for survey and special-assessment leaves when none is given: their values
#: are already on a 0-100 scale.
DEFAULT_SOURCE_RULE = MethodSpec(method="linear", floor=0.0, target=100.0)

# parameters the engine supplies itself; a scheme may set ``target`` for rules
_ENGINE_PARAMS = {"x", "direction", "groups", "weights"}
# kernels mark a required parameter with a ``None`` default; these few are truly optional
# (``target`` of a rule may come from the data's target column)
_OPTIONAL_NONE = {"target", "shift", "floor_value"}


def check_params(kind: str, spec: MethodSpec, registry: Any, where: list[str],
                 *, engine_params: set[str] = _ENGINE_PARAMS) -> None:
    """Check that ``spec.method`` exists in ``registry`` and that every parameter is one the
    method accepts and every required parameter is given (``target`` may come from data)."""
    file, path = where[0], where[1] if len(where) > 1 else ""

    def at(key: str) -> list[str]:
        return [file, f"{path}.{key}" if path else key]

    try:
        method = registry.get(spec.method)
    except UnknownNameError as exc:
        raise SchemeError(exc.message, where=at("method"), hint=exc.hint) from None
    sig = inspect.signature(method.func)
    accepted = [n for n, p in sig.parameters.items()
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and n not in engine_params]
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    for name in spec.params:
        if name not in accepted and not has_var_kw:
            raise SchemeError(
                f"{kind} method {spec.method!r} has no parameter {name!r}{did_you_mean(name, accepted)}",
                where=at(name),
                hint=f"its parameters are: {', '.join(accepted) or '(none)'}",
            )
        _check_param_type(kind, spec, name, spec.params[name], sig.parameters.get(name), at(name))
    optional_none = _OPTIONAL_NONE | ({"floor"} if kind == "aggregation" else set())
    for name, p in sig.parameters.items():
        required = p.default is p.empty or (p.default is None and name not in optional_none)
        if (p.kind is p.KEYWORD_ONLY and required and name not in engine_params
                and name not in spec.params):
            raise SchemeError(f"{kind} method {spec.method!r} needs parameter {name!r}",
                              where=[file, path], hint=f"add '{name}: ...' to the {kind} spec")


_STRUCTURED = {"mapping": dict, "bands": list}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_param_type(kind: str, spec: MethodSpec, name: str, value: Any, param: Any, where: list[str]) -> None:
    """Parameters are numbers (or lists of numbers, one per indicator), except a few named
    structured ones and those whose default is text (a choice such as ``zero: shift``)."""
    default = getattr(param, "default", None)
    if name in _STRUCTURED:
        if not isinstance(value, _STRUCTURED[name]):
            raise SchemeError(f"parameter {name!r} of {kind} method {spec.method!r} must be a "
                              f"{'mapping' if _STRUCTURED[name] is dict else 'list'}", where=where)
        if name == "mapping" and not all(_is_number(v) for v in value.values()):
            raise SchemeError("every grade in 'mapping' needs a number (a share of the points)", where=where)
        if name == "bands" and not all(isinstance(b, (list, tuple)) and len(b) == 2 and all(map(_is_number, b))
                                       for b in value):
            raise SchemeError("'bands' must be a list of [threshold, share] pairs of numbers", where=where)
        return
    if isinstance(default, str):
        if not isinstance(value, str):
            raise SchemeError(f"parameter {name!r} of {kind} method {spec.method!r} must be text, e.g. {default!r}",
                              where=where)
        return
    ok = _is_number(value) or (isinstance(value, list) and value and all(_is_number(v) for v in value)) \
        or (isinstance(default, bool) and isinstance(value, bool))
    if not ok:
        raise SchemeError(f"parameter {name!r} of {kind} method {spec.method!r} must be a number, got {value!r}",
                          where=where, hint="write a plain number (lists allowed: one number per indicator)")


def _node_paths(node: Node, path: str) -> list[tuple[str, Node]]:
    out = [(path, node)]
    for i, child in enumerate(node.children):
        out.extend(_node_paths(child, f"{path}.children[{i}]({child.id})"))
    return out


def check_scheme(model: SchemeModel, *, file: str | None = None) -> None:
    """Raise :class:`SchemeError` on the first cross-reference problem."""
    f = file or "<scheme>"
    nodes = _node_paths(model.structure, "structure")
    seen: dict[str, str] = {}
    cats = [c.id for c in model.categories]
    special_ids = [s.id for s in model.special]
    points = model.paradigm == "points"

    for path, node in nodes:
        if node.id in seen:
            raise SchemeError(f"id {node.id!r} is used twice (also at {seen[node.id]})",
                              where=[f, path + ".id"], hint="every node and indicator needs its own id")
        seen[node.id] = path
        if node.categories is not None:
            for c in node.categories:
                if c not in cats:
                    raise SchemeError(f"unknown category {c!r}{did_you_mean(c, cats)}",
                                      where=[f, path + ".categories"],
                                      hint=f"declared categories: {', '.join(cats) or '(none)'}")
        if node.aggregate is not None:
            check_params("aggregation", node.aggregate, AGGREGATE, [f, path + ".aggregate"])
        if node.weights is not None:
            if points:
                raise SchemeError("a points scheme cannot derive weights: a node's points must be the sum of its "
                                  f"children's points, and weights {{method: {node.weights.method}}} would change "
                                  "them", where=[f, path + ".weights"],
                                  hint="remove 'weights:' and give the children the points you want (or use a "
                                       "composite scheme)")
            _check_weights_spec(node.weights, [f, path + ".weights"], [c.id for c in node.children])
        if points and node.points is None:
            raise SchemeError("every node needs 'points' in a points scheme", where=[f, path],
                              hint="give the points this part is worth, e.g. 'points: 5'")
        if node.children and node.source not in ("values",):
            raise SchemeError(f"a node with children cannot have source {node.source!r}",
                              where=[f, path + ".source"])
        if node.source == "special":
            if not node.assessment:
                raise SchemeError("source 'special' needs 'assessment: ID'", where=[f, path])
            if node.assessment not in special_ids:
                raise SchemeError(f"unknown special assessment {node.assessment!r}"
                                  f"{did_you_mean(node.assessment, special_ids)}",
                                  where=[f, path + ".assessment"],
                                  hint="declare it under 'special:'")
        if node.source == "survey" and model.survey is None:
            raise SchemeError("source 'survey' needs a 'survey:' section", where=[f, path])
        if node.denominator is not None and node.denominator not in model.denominators:
            raise SchemeError(f"unknown denominator {node.denominator!r}"
                              f"{did_you_mean(node.denominator, model.denominators)}",
                              where=[f, path + ".denominator"], hint="list it under 'denominators:'")
        if node.range is not None and node.range[0] > node.range[1]:
            raise SchemeError("range must be [low, high] with low <= high", where=[f, path + ".range"])
        if node.is_leaf or node.source == "targets":
            _check_leaf(model, node, path, f, NORMALISE, RULES)
        if points and node.children:
            total = sum(c.points or 0.0 for c in node.children)
            if not math.isclose(total, node.points or 0.0, rel_tol=1e-9, abs_tol=1e-9):
                raise SchemeError(
                    f"children's points add up to {total:g}, but the node has {node.points:g}",
                    where=[f, path + ".points"],
                    hint="make the children's points sum to the parent's points")
    if points:
        root_pts = model.structure.points
        if model.total_points is not None and not math.isclose(root_pts or 0.0, model.total_points):
            raise SchemeError(f"structure has {root_pts:g} points but total_points is {model.total_points:g}",
                              where=[f, "structure.points"])
    _check_treatment(model, f)
    if model.grading is not None:
        _check_grading(model, f, cats)
    for sa_i, sa in enumerate(model.special):
        for c in sa.covers or ():
            if c not in cats:
                raise SchemeError(f"unknown category {c!r}{did_you_mean(c, cats)}",
                                  where=[f, f"special[{sa_i}]({sa.id}).covers"])


def _check_leaf(model: SchemeModel, node: Node, path: str, f: str, NORMALISE, RULES) -> None:
    if node.normalise is not None and node.rule is not None:
        raise SchemeError("give either 'normalise' or 'rule', not both", where=[f, path],
                          hint="normalise compares units with each other; a rule scores a value against a target")
    if node.normalise is not None:
        check_params("normalise", node.normalise, NORMALISE, [f, path + ".normalise"])
        if model.paradigm == "points":

            if output_range(node.normalise.method, node.normalise.params) is None:
                raise SchemeError(
                    f"normalisation {node.normalise.method!r} has no fixed range, so it cannot give points",
                    where=[f, path + ".normalise.method"],
                    hint="use a bounded method (minmax, goalposts, distance_to_target, percentile_rank) in a points scheme")
    if node.rule is not None:
        check_params("scoring rule", node.rule, RULES, [f, path + ".rule"])
        if node.source != "targets":
            _check_rule_values(node, path, f)
    if node.normalise is not None:
        _check_normalise_values(node, path, f)
    if node.rule is None and node.normalise is None:
        if node.source in ("survey", "special"):
            return
        if model.paradigm == "points" or node.source == "targets":
            raise SchemeError("an indicator needs a scoring 'rule' in a points scheme", where=[f, path],
                              hint="e.g. 'rule: {method: completion, cap: 1.0}'")
    if node.kind == "qualitative" and node.rule is not None and node.rule.method not in ("grade_map", "binary"):
        raise SchemeError(f"qualitative indicator scored with {node.rule.method!r}",
                          where=[f, path + ".rule.method"], hint="use grade_map or binary for qualitative indicators")


_DIRECTION_OF_RULE = {"completion": "higher", "completion_lower": "lower"}


def _check_rule_values(node: Node, path: str, f: str) -> None:
    """What the rule's kernel would refuse at evaluate time, refused now with the YAML
    path: parameter values (a cap below 1, a floor equal to the target ...) and a rule that
    scores the indicator the wrong way round (``linear`` with its floor above its target
    for a higher-is-better indicator, ``completion`` for a lower-is-better one)."""
    spec = node.rule
    where = [f, path + ".rule"]
    p = spec.params
    want = node.direction
    inherent = _DIRECTION_OF_RULE.get(spec.method)
    if inherent is not None and inherent != want:
        other = "completion_lower" if spec.method == "completion" else "completion"
        raise SchemeError(f"rule {spec.method!r} scores {'higher' if inherent == 'higher' else 'lower'} values "
                          f"higher, but the indicator's direction is {want!r}", where=[f, path + ".rule.method"],
                          hint=f"use {other!r}, or set the direction the indicator really has")
    if spec.method == "linear" and _is_number(p.get("floor")) and _is_number(p.get("target")):
        floor, target = float(p["floor"]), float(p["target"])
        if (want == "higher" and floor > target) or (want == "lower" and floor < target):
            raise SchemeError(f"floor {floor:g} is {'above' if floor > target else 'below'} target {target:g}: the "
                              f"rule would score this {want}-is-better indicator the wrong way round",
                              where=[f, path + ".rule.floor"],
                              hint="swap floor and target" + ("" if want == "lower" else
                                                             ", or set 'direction: lower' if lower is better"))
    if spec.method in ("grade_map", "rank_within"):
        return
    func = RULES.get(spec.method).func
    names = set(inspect.signature(func).parameters)
    kw = dict(p)
    if "target" in names and "target" not in kw:
        base = float(kw["floor"]) if _is_number(kw.get("floor")) else 0.0
        kw["target"] = base + (1.0 if want == "higher" else -1.0) if "floor" in kw else 1.0
    if "direction" in names:
        kw["direction"] = 1 if want == "higher" else -1
    try:
        with np.errstate(all="ignore"):
            func(np.array([0.0, 1.0]), **kw)
    except (ValueError, TypeError) as exc:
        raise SchemeError(f"rule {spec.method!r}: {exc}", where=where,
                          hint="fix the parameter; evaluate would refuse it") from None


def _check_normalise_values(node: Node, path: str, f: str) -> None:
    """Parameter values the normalisation kernel would refuse, refused now."""
    spec = node.normalise
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            NORMALISE.get(spec.method).func(np.array([[1.0], [2.0], [3.0], [4.0]]),
                                            direction=np.array([1 if node.direction == "higher" else -1]),
                                            **spec.params)
    except (ValueError, TypeError) as exc:
        raise SchemeError(f"normalisation {spec.method!r}: {exc}", where=[f, path + ".normalise"],
                          hint="fix the parameter; evaluate would refuse it") from None


def _check_weights_spec(spec: MethodSpec, where: list[str], names: list[str]) -> None:
    """Method name, parameter names and values of a ``weights:`` spec, checked now so that
    a typo is caught when the scheme is built, not when the node is aggregated. A method
    that needs no data (AHP, expert points, Delphi ...) is run on the node's children now,
    so that a bad matrix (not reciprocal, the wrong size) is refused with its YAML path;
    an AHP matrix with CR >= its threshold is an error unless the spec says
    ``inconsistency: warning``."""
    clean = check_weights_spec(spec.model_dump(), where=where)
    method = WEIGHTS.get(clean["method"])
    if method.meta.get("needs_data") or not names:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = weights_from_spec(clean, None, None, names, where=where)
    except PerfkitError as exc:
        at = ": ".join(exc.where[1:]) or where[1]
        if "matrix" in clean and exc.message.startswith("AHP matrix") and at == where[1]:
            at += ".matrix"
        raise SchemeError(exc.message, where=[where[0], at], hint=exc.hint) from None
    if not result.diagnostics.get("consistent", True) and clean.get(INCONSISTENCY, "error") == "error":
        text = next((w for w in result.warnings if "inconsistent" in w), "the judgements are inconsistent")
        raise SchemeError(text, where=where,
                          hint="revise the judgements, or accept them with 'inconsistency: warning' in this "
                               "weights spec")


def _check_treatment(model: SchemeModel, f: str) -> None:
    t = model.treatment
    if t.impute is not None:
        if t.impute.method not in ("mean", "median"):
            raise SchemeError(f"unknown imputation method {t.impute.method!r}"
                              f"{did_you_mean(t.impute.method, ['mean', 'median'])}",
                              where=[f, "treatment.impute.method"], hint="use mean or median")
        extra = [k for k in t.impute.params if k != "by"]
        if extra:
            raise SchemeError(f"imputation has no parameter {extra[0]!r}{did_you_mean(extra[0], ['by'])}",
                              where=[f, f"treatment.impute.{extra[0]}"], hint="its only parameter is 'by' (a units column)")
    if t.winsorise is not None:
        if t.winsorise.method != "coinr":
            raise SchemeError(f"unknown outlier treatment {t.winsorise.method!r}",
                              where=[f, "treatment.winsorise.method"],
                              hint="use 'coinr' (skewness/kurtosis-driven winsorisation, log fallback)")
        allowed = [n for n in inspect.signature(treat.winsorise).parameters if n != "x"]
        for k, v in t.winsorise.params.items():
            if k not in allowed:
                raise SchemeError(f"winsorisation has no parameter {k!r}{did_you_mean(k, allowed)}",
                                  where=[f, f"treatment.winsorise.{k}"], hint=f"its parameters: {', '.join(allowed)}")


def _highest_score(model: SchemeModel) -> tuple[float, str] | None:
    """The highest final score a unit can reach and why, where the scheme bounds it: the
    points scheme's total plus the bonus cap (a composite index is scored 0-100 only when
    every normalisation is bounded, so it is not checked)."""
    if model.paradigm != "points":
        return None
    total = float(model.structure.points or model.total_points or 100.0)
    cap = model.adjustments.bonus.cap
    if cap:
        return total + float(cap), f"{total:g} points and a bonus of at most {float(cap):g}"
    return total, f"{total:g} points" + (", no bonus cap declared" if cap is None else "")


def _check_grading(model: SchemeModel, f: str, cats: list[str]) -> None:
    g = model.grading
    assert g is not None
    for key in g.by_category:
        if key not in cats:
            raise SchemeError(f"unknown category {key!r}{did_you_mean(key, cats)}",
                              where=[f, f"grading.by_category.{key}"])
    tables = {"default": g.default, **{f"by_category.{k}": v for k, v in g.by_category.items()}}
    for name, rules in tables.items():
        ids = [r.id for r in rules]
        if len(set(ids)) != len(ids):
            raise SchemeError("grade ids repeat", where=[f, f"grading.{name}"])
        last_min, last_id = math.inf, ""
        top = _highest_score(model)
        for i, r in enumerate(rules):
            if r.min_score is not None:
                at = [f, f"grading.{name}[{i}]({r.id}).min_score"]
                if r.min_score > last_min:
                    raise SchemeError("grades must be listed best first with falling min_score", where=at)
                if r.min_score == last_min:
                    raise SchemeError(f"grade {r.id!r} has the same min_score {r.min_score:g} as {last_id!r} above "
                                      f"it", where=at, hint="give each grade its own, lower min_score (units above "
                                      "a full quota already fall to the next grade)")
                if top is not None and r.min_score > top[0]:
                    raise SchemeError(f"min_score {r.min_score:g} can never be reached: the highest possible score "
                                      f"is {top[0]:g} ({top[1]})", where=at, hint="check the threshold")
                last_min, last_id = r.min_score, r.id
        if rules[-1].min_score is not None or rules[-1].max_share is not None:
            raise SchemeError("the last grade is the floor: give it no min_score and no max_share",
                              where=[f, f"grading.{name}[{len(rules) - 1}]({rules[-1].id})"])
        for vid, veto in model.adjustments.veto.items():
            if veto.effect == "cap" and veto.grade not in ids:
                raise SchemeError(f"veto grade {veto.grade!r} is not a grade of grading.{name}"
                                  f"{did_you_mean(veto.grade or '', ids)}",
                                  where=[f, f"adjustments.veto.{vid}.grade"])
