"""Uncertain inputs (factors) of a sensitivity or uncertainty analysis.

Every factor is declared explicitly, checked against the scheme when the analysis starts
(a factor naming a node, a method, a parameter or a grade the scheme does not have is an
error with a "did you mean" hint, never a silent no-op), and listed in every result.

Each factor consumes ``dims`` uniform numbers in ``[0, 1)`` per replicate — the form
SALib's samplers produce — and turns them into a concrete change:

=====================  =====  ==========================================================
factor                 dims   what one replicate gets
=====================  =====  ==========================================================
WeightNoise            n      each weight times ``1 + spread * (2u - 1)``
DirichletWeights       n      weights ~ Dirichlet(concentration x nominal shares)
WeightingMethods       1      one of the listed weighting methods (discrete)
Normalisation          1      one of the listed normalisations (discrete)
Aggregation            1      one of the listed aggregations (discrete)
RuleParameter          1      a scoring-rule parameter, uniform in ``[low, high]``
Points                 1      a component's points, uniform in ``[low, high]``; its
                              siblings share the rest in their nominal proportions
Weight                 1      a component's relative weight (composite schemes)
SurveyBootstrap        1      a bootstrap resample of the survey respondents
MeasurementError       1      raw values with random measurement error
LeaveOneOut            1      one indicator left out (or none)
GradeQuota             1      a grade's quota (max_share), uniform in ``[low, high]``
=====================  =====  ==========================================================

A discrete factor maps ``u`` to choice ``floor(u * k)``. A random-realisation factor
(survey bootstrap, measurement error) uses its single ``u`` as the key of a reproducible
realisation, the usual way of putting a "trigger" input into a variance-based analysis
(Saltelli et al. 2008, section 2.4; COINr's ``get_sensitivity`` uses random draws the
same way).

References
----------
Saltelli, A. et al. (2008). *Global Sensitivity Analysis. The Primer.* Wiley.
Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *Journal of the
Royal Statistical Society A*, 168(2), 307-323.
"""
from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from perfkit.errors import PerfkitError, did_you_mean
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.kernels.normalise import NORMALISE, output_range
from perfkit.kernels.rules import RULES
from perfkit.scheme.check import check_params
from perfkit.scheme.models import MethodSpec
from perfkit.sensitivity.params import Choice, Params
from perfkit.stages import default_target_rule, rule_parameters
from perfkit.weighting import check_weights_spec

__all__ = [
    "Factor",
    "FactorError",
    "BoundFactor",
    "WeightNoise",
    "DirichletWeights",
    "WeightingMethods",
    "Normalisation",
    "Aggregation",
    "RuleParameter",
    "Points",
    "Weight",
    "SurveyBootstrap",
    "MeasurementError",
    "LeaveOneOut",
    "GradeQuota",
    "bind_factors",
    "factor_table",
    "factors_from_spec",
    "FACTOR_KINDS",
]


class FactorError(PerfkitError, ValueError):
    """A factor that does not fit the scheme (unknown node, method, parameter, grade ...)."""


@dataclass(frozen=True, eq=False)
class BoundFactor:
    """A factor checked against one compiled scheme.

    Attributes
    ----------
    factor
        The declaration.
    name
        Its name in results (unique within an analysis).
    dims
        Uniform inputs it consumes per replicate.
    description
        What it varies, in words.
    targets
        The nodes, indicators or grades it touches.
    data
        What :meth:`Factor.apply` needs (resolved from the scheme once).
    """

    factor: Factor
    name: str
    dims: int
    description: str
    targets: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    position: int = 0

    def apply(self, u: np.ndarray, params: Params, cs: Any, entropy: int) -> None:
        self.factor.apply(self, u, params, cs, entropy)


def _spec(value: Any, what: str) -> MethodSpec:
    if isinstance(value, MethodSpec):
        return value
    if isinstance(value, str):
        return MethodSpec(method=value)
    if isinstance(value, Mapping) and "method" in value:
        return MethodSpec(**dict(value))
    raise FactorError(f"{what}: a method is a name or a mapping with 'method' (got {value!r})")


def _spec_label(spec: MethodSpec) -> str:
    if not spec.params:
        return spec.method
    return f"{spec.method}(" + ", ".join(f"{k}={v}" for k, v in spec.params.items()) + ")"


def _choice(u: np.ndarray, k: int) -> np.ndarray:
    return np.minimum((np.asarray(u, dtype=float) * k).astype(np.int64), k - 1)


def _keys(u: np.ndarray) -> np.ndarray:
    return np.minimum(np.asarray(u, dtype=float) * 2.0**52, 2.0**52 - 1).astype(np.int64)


def _node(cs, node_id: str, who: str):
    scheme = cs.scheme
    if node_id not in scheme.nodes:
        raise FactorError(f"{who}: no node {node_id!r} in scheme {scheme.id!r}{did_you_mean(node_id, scheme.nodes)}")
    return scheme.nodes[node_id]


def _aggregate_node(cs, node_id: str, who: str):
    node = _node(cs, node_id, who)
    if not node.children:
        aggs = [n.id for n in cs.nodes]
        raise FactorError(f"{who}: {node_id!r} is an indicator, not an aggregate node{did_you_mean(node_id, aggs)}",
                          hint=f"aggregate nodes: {', '.join(aggs)}")
    return cs.node(node_id)


def _range(low: float, high: float, who: str, *, lo: float = -math.inf, hi: float = math.inf) -> None:
    if not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise FactorError(f"{who}: need finite low <= high (got low={low!r}, high={high!r})")
    if low < lo or high > hi:
        raise FactorError(f"{who}: the range must lie within [{lo:g}, {hi:g}] (got [{low:g}, {high:g}])")


def _current_weights(params: Params, node) -> np.ndarray:
    w = params.weights.get(node.id)
    if w is None:
        return np.broadcast_to(node.weights, (params.n, len(node.weights))).copy()
    return w


def _parents(cs, level: int | None, nodes: Sequence[str] | None, who: str) -> list:
    if (level is None) == (nodes is None):
        raise FactorError(f"{who}: give either level= or nodes=")
    if nodes is not None:
        if isinstance(nodes, str):
            nodes = (nodes,)
        out = [_aggregate_node(cs, n, who) for n in nodes]
    else:
        depths = sorted({n.depth + 1 for n in cs.nodes})
        if level not in depths:
            raise FactorError(f"{who}: the scheme has no weights at level {level!r}",
                              hint=f"levels with weights: {', '.join(map(str, depths))} (1 = the root's children)")
        out = [n for n in cs.nodes if n.depth + 1 == level and len(n.children) > 1]
        out.sort(key=lambda n: list(cs.scheme.nodes).index(n.id))
        if not out:
            raise FactorError(f"{who}: every node at level {level} has a single child; no weight can vary")
    for n in out:
        if n.weights_spec is not None:
            raise FactorError(f"{who}: node {n.id!r} derives its weights from data ({n.weights_spec.method}); "
                              "noise applies to declared weights",
                              hint="use WeightingMethods to vary how its weights are derived")
        if len(n.children) < 2:
            raise FactorError(f"{who}: node {n.id!r} has a single child; its weight cannot vary")
    return out


class Factor:
    """Base class of the factor declarations (frozen dataclasses).

    Subclasses implement :meth:`bind` (check against the compiled scheme and resolve
    names) and :meth:`apply` (turn ``u``, shape ``(n, dims)``, into changes in
    :class:`~perfkit.sensitivity.params.Params`).
    """

    name: str | None

    def bind(self, cs) -> BoundFactor:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply(self, bound: BoundFactor, u: np.ndarray, params: Params, cs, entropy: int) -> None:  # pragma: no cover
        raise NotImplementedError

    @property
    def kind(self) -> str:
        return type(self).__name__


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class WeightNoise(Factor):
    """Relative uniform noise on declared weights: ``w * (1 + spread * (2u - 1))``.

    Parameters
    ----------
    spread
        Largest relative change, in ``(0, 1)``: 0.2 means ±20 %.
    level
        Weights of the nodes at this depth (1 = the root's children, 2 = theirs ...).
    nodes
        Or: the aggregate nodes whose children's weights vary.
    """

    spread: float = 0.2
    level: int | None = None
    nodes: tuple[str, ...] | None = None
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = "WeightNoise"
        if not 0 < self.spread < 1:
            raise FactorError(f"{who}: spread must be in (0, 1), e.g. 0.2 for ±20% (got {self.spread!r})")
        parents = _parents(cs, self.level, self.nodes, who)
        dims = sum(len(p.children) for p in parents)
        where = f"level {self.level}" if self.level is not None else ", ".join(repr(p.id) for p in parents)
        return BoundFactor(self, self.name or (f"weights L{self.level}" if self.level is not None else
                                               "weights " + "+".join(p.id for p in parents)),
                           dims, f"each of the {dims} weights of {where} times "
                                 f"U(1 - {self.spread:g}, 1 + {self.spread:g})",
                           tuple(p.id for p in parents), {"parents": parents})

    def apply(self, bound, u, params, cs, entropy):
        j = 0
        for node in bound.data["parents"]:
            c = len(node.children)
            w = _current_weights(params, node)
            params.weights[node.id] = w * (1.0 + self.spread * (2.0 * u[:, j:j + c] - 1.0))
            j += c


@dataclass(frozen=True)
class DirichletWeights(Factor):
    """Weights drawn from a Dirichlet distribution centred on the nominal shares.

    ``w ~ Dirichlet(concentration * w0 / sum(w0))``; larger ``concentration`` means
    weights closer to the nominal ones (the standard deviation of a share ``p`` is
    ``sqrt(p (1 - p) / (concentration + 1))``). Drawn by the inverse gamma CDF of the
    uniform inputs, so Sobol' sampling applies.
    """

    concentration: float = 50.0
    level: int | None = None
    nodes: tuple[str, ...] | None = None
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = "DirichletWeights"
        if not (np.isfinite(self.concentration) and self.concentration > 0):
            raise FactorError(f"{who}: concentration must be positive (got {self.concentration!r})")
        parents = _parents(cs, self.level, self.nodes, who)
        for p in parents:
            if np.any(p.weights <= 0):
                raise FactorError(f"{who}: node {p.id!r} has children with zero weight; a Dirichlet needs positive "
                                  "nominal weights")
        dims = sum(len(p.children) for p in parents)
        where = f"level {self.level}" if self.level is not None else ", ".join(repr(p.id) for p in parents)
        return BoundFactor(self, self.name or (f"dirichlet L{self.level}" if self.level is not None else
                                               "dirichlet " + "+".join(p.id for p in parents)),
                           dims, f"the weights of {where} ~ Dirichlet({self.concentration:g} x nominal shares)",
                           tuple(p.id for p in parents), {"parents": parents})

    def apply(self, bound, u, params, cs, entropy):
        j = 0
        for node in bound.data["parents"]:
            c = len(node.children)
            w0 = node.weights
            alpha = self.concentration * w0 / w0.sum()
            g = gammaincinv(alpha, np.clip(u[:, j:j + c], 1e-12, 1 - 1e-12))
            g = np.maximum(g, 1e-300)
            params.weights[node.id] = g / g.sum(axis=1, keepdims=True) * w0.sum()
            j += c


@dataclass(frozen=True)
class WeightingMethods(Factor):
    """The weighting method of one node's children, chosen among ``methods``.

    ``methods`` are weighting specs (``"entropy"``, ``{"method": "critic"}`` ...,
    see :mod:`perfkit.weighting`); ``include_declared`` adds the scheme's own weights
    as a choice. Data-driven methods are computed on the children's scores of each
    replicate, exactly as :func:`perfkit.evaluate` does.
    """

    node: str = ""
    methods: tuple[Any, ...] = ()
    include_declared: bool = True
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = "WeightingMethods"
        agg = _aggregate_node(cs, self.node, who)
        if not self.methods:
            raise FactorError(f"{who}: list at least one weighting method")
        options: list[Any] = [None] if self.include_declared else []
        for m in self.methods:
            try:
                options.append(check_weights_spec(m, where=(f"{who}({self.node})",)))
            except PerfkitError as exc:
                raise FactorError(exc.message, where=exc.where, hint=exc.hint) from None
        labels = ["declared"] + [o["method"] for o in options[1:]] if self.include_declared else \
            [o["method"] for o in options]
        return BoundFactor(self, self.name or f"weighting {self.node}", 1,
                           f"weights of the children of {self.node!r} by one of: {', '.join(labels)}",
                           (agg.id,), {"options": tuple(options), "labels": tuple(labels)})

    def apply(self, bound, u, params, cs, entropy):
        opts = bound.data["options"]
        params.weight_method[self.node] = Choice(opts, _choice(u[:, 0], len(opts)))


@dataclass(frozen=True)
class Points(Factor):
    """The points of one component (points schemes), uniform in ``[low, high]``.

    The parent's points stay fixed; the siblings share the rest in their current
    proportions (so "satisfaction 10-50 of 100" moves the other components' points
    down or up together).
    """

    node: str = ""
    low: float = 0.0
    high: float = 0.0
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = f"Points({self.node!r})"
        if cs.paradigm != "points":
            raise FactorError(f"{who}: the scheme is a composite scheme (relative weights, no points)",
                              hint="use Weight(node, low, high) or WeightNoise")
        node = _node(cs, self.node, who)
        parent_id = cs.scheme.parent[node.id]
        if parent_id is None:
            raise FactorError(f"{who}: the root's points are the total; vary a component instead")
        parent = cs.node(parent_id)
        if parent.weights_spec is not None:
            raise FactorError(f"{who}: the weights of {parent_id!r} are derived from data "
                              f"({parent.weights_spec.method}), so its children's points are not used")
        total = float(cs.scheme.nodes[parent_id].points)
        _range(self.low, self.high, who, lo=0.0, hi=total)
        k = parent.children.index(node.id)
        rest = np.delete(parent.weights, k)
        if len(rest) == 0 or rest.sum() <= 0 and self.high < total:
            raise FactorError(f"{who}: the siblings have no points to rebalance")
        return BoundFactor(self, self.name or f"points {self.node}", 1,
                           f"points of {self.node!r} ~ U({self.low:g}, {self.high:g}) of {total:g}; "
                           f"siblings under {parent_id!r} rescaled to keep {total:g}",
                           (node.id,), {"parent": parent, "k": k, "total": total})

    def apply(self, bound, u, params, cs, entropy):
        parent, k, total = bound.data["parent"], bound.data["k"], bound.data["total"]
        p = self.low + u[:, 0] * (self.high - self.low)
        w = _current_weights(params, parent)
        w = w * (total / w.sum(axis=1, keepdims=True))
        others = total - w[:, k]
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(others > 0, (total - p) / others, 0.0)
        w = w * factor[:, None]
        w[:, k] = p
        params.weights[parent.id] = w


@dataclass(frozen=True)
class Weight(Factor):
    """The relative weight of one component (composite schemes), uniform in ``[low, high]``;
    its siblings keep theirs."""

    node: str = ""
    low: float = 0.0
    high: float = 0.0
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = f"Weight({self.node!r})"
        if cs.paradigm == "points":
            raise FactorError(f"{who}: the scheme gives points, not relative weights",
                              hint="use Points(node, low, high)")
        node = _node(cs, self.node, who)
        parent_id = cs.scheme.parent[node.id]
        if parent_id is None:
            raise FactorError(f"{who}: the root has no weight")
        parent = cs.node(parent_id)
        if parent.weights_spec is not None:
            raise FactorError(f"{who}: the weights of {parent_id!r} are derived from data")
        _range(self.low, self.high, who, lo=0.0)
        k = parent.children.index(node.id)
        return BoundFactor(self, self.name or f"weight {self.node}", 1,
                           f"weight of {self.node!r} ~ U({self.low:g}, {self.high:g}), siblings unchanged",
                           (node.id,), {"parent": parent, "k": k})

    def apply(self, bound, u, params, cs, entropy):
        parent, k = bound.data["parent"], bound.data["k"]
        w = _current_weights(params, parent)
        w[:, k] = self.low + u[:, 0] * (self.high - self.low)
        params.weights[parent.id] = w


# --------------------------------------------------------------------------- methods


@dataclass(frozen=True)
class Normalisation(Factor):
    """The normalisation of the normalised indicators, one of ``methods`` per replicate.

    ``indicators`` limits it to some indicators (default: every indicator the scheme
    normalises). The same choice applies to all of them in a replicate.
    """

    methods: tuple[Any, ...] = ()
    indicators: tuple[str, ...] | None = None
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = "Normalisation"
        if len(self.methods) < 1:
            raise FactorError(f"{who}: list the normalisations to choose from")
        normed = [lf.id for lf in cs.leaves if lf.kind == "normalise"]
        if self.indicators is None:
            if not normed:
                raise FactorError(f"{who}: scheme {cs.scheme.id!r} normalises no indicator (all are scored by rules)",
                                  hint="vary a rule's parameters with RuleParameter instead")
            ids = tuple(normed)
        else:
            ids = (self.indicators,) if isinstance(self.indicators, str) else tuple(self.indicators)
            for i in ids:
                if i not in cs.scheme.leaves:
                    raise FactorError(f"{who}: no indicator {i!r}{did_you_mean(i, cs.scheme.leaves)}")
                if i not in normed:
                    raise FactorError(f"{who}: indicator {i!r} is scored by a rule, not normalised")
        options = []
        for m in self.methods:
            spec = _spec(m, who)
            try:
                check_params("normalise", spec, NORMALISE, [who])
            except PerfkitError as exc:
                raise FactorError(exc.message, where=exc.where, hint=exc.hint) from None
            if cs.paradigm == "points" and output_range(spec.method, spec.params) is None:
                raise FactorError(f"{who}: {spec.method!r} has no fixed range, so it cannot give points")
            _try_normalise(cs, spec, ids, who)
            options.append(spec)
        labels = tuple(_spec_label(o) for o in options)
        return BoundFactor(self, self.name or "normalisation", 1,
                           f"normalisation of {len(ids)} indicator(s), one of: {', '.join(labels)}",
                           ids, {"options": tuple(options), "labels": labels})

    def apply(self, bound, u, params, cs, entropy):
        opts = bound.data["options"]
        params.normalise.append((bound.targets, Choice(opts, _choice(u[:, 0], len(opts)))))


def _try_normalise(cs, spec: MethodSpec, ids: Sequence[str], who: str) -> None:
    """Run the normalisation once on the nominal data of each indicator, so that a choice
    that cannot work (goalposts without goalposts, a ratio of non-positive values) is
    reported now, naming the indicator, instead of deep inside a run."""

    func = NORMALISE.get(spec.method).func
    for i in ids:
        lf = cs.leaf(i)
        col = np.where(lf.app, cs.treated[:, lf.index], np.nan)[:, None]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                func(col, direction=np.array([lf.direction]), **spec.params)
        except (ValueError, TypeError) as exc:
            raise FactorError(f"{who}: {_spec_label(spec)} cannot normalise indicator {i!r}: {exc}") from None


@dataclass(frozen=True)
class Aggregation(Factor):
    """The aggregation method, one of ``methods`` per replicate, for ``nodes`` (default:
    every aggregate node) or the nodes at ``level`` (0 = the root)."""

    methods: tuple[Any, ...] = ()
    nodes: tuple[str, ...] | None = None
    level: int | None = None
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = "Aggregation"
        if len(self.methods) < 1:
            raise FactorError(f"{who}: list the aggregations to choose from")
        if self.nodes is not None and self.level is not None:
            raise FactorError(f"{who}: give nodes= or level=, not both")
        if self.nodes is not None:
            ids = (self.nodes,) if isinstance(self.nodes, str) else tuple(self.nodes)
            nodes = [_aggregate_node(cs, n, who) for n in ids]
        elif self.level is not None:
            nodes = [n for n in cs.nodes if n.depth == self.level]
            if not nodes:
                raise FactorError(f"{who}: no aggregate nodes at level {self.level!r}",
                                  hint=f"levels: {', '.join(map(str, sorted({n.depth for n in cs.nodes})))}")
        else:
            nodes = list(cs.nodes)
        options = []
        for m in self.methods:
            spec = _spec(m, who)
            try:
                check_params("aggregation", spec, AGGREGATE, [who])
            except PerfkitError as exc:
                raise FactorError(exc.message, where=exc.where, hint=exc.hint) from None
            options.append(spec)
        labels = tuple(_spec_label(o) for o in options)
        return BoundFactor(self, self.name or "aggregation", 1,
                           f"aggregation of {len(nodes)} node(s), one of: {', '.join(labels)}",
                           tuple(n.id for n in nodes), {"options": tuple(options), "labels": labels})

    def apply(self, bound, u, params, cs, entropy):
        opts = bound.data["options"]
        idx = _choice(u[:, 0], len(opts))
        for nid in bound.targets:
            params.aggregate[nid] = Choice(opts, idx)


@dataclass(frozen=True)
class RuleParameter(Factor):
    """A scoring-rule parameter of one indicator or functional-target node, uniform in
    ``[low, high]`` (e.g. the completion cap from 1.0 to 1.2).

    On a functional-target node the parameter applies to the targets scored with the
    node's default rule; targets with their own rule, or their own cap in the targets
    table, keep theirs (as :func:`perfkit.evaluate` does).
    """

    node: str = ""
    param: str = ""
    low: float = 0.0
    high: float = 0.0
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = f"RuleParameter({self.node!r}, {self.param!r})"
        node = _node(cs, self.node, who)
        if node.source == "targets":
            spec = default_target_rule(node)
            kind = "targets"
        else:
            if not node.is_leaf:
                raise FactorError(f"{who}: {self.node!r} is an aggregate node; rules belong to indicators")
            lf = cs.leaf(node.id)
            if lf.kind != "rule":
                raise FactorError(f"{who}: indicator {self.node!r} is normalised ({lf.spec.method}), "
                                  "not scored by a rule",
                                  hint="vary normalisations with Normalisation")
            spec, kind = lf.spec, "leaf"
        if spec.method in ("grade_map",):
            raise FactorError(f"{who}: rule {spec.method!r} has no numeric parameter to vary")
        func = RULES.get(spec.method).func
        names = rule_parameters(spec.method)
        accepted = sorted(names - {"x", "groups", "direction", "target"} | ({"target"} if "target" in
                                                                             spec.params else set()))
        if self.param not in accepted:
            raise FactorError(f"{who}: rule {spec.method!r} has no parameter {self.param!r}"
                              f"{did_you_mean(self.param, accepted)}",
                              hint=f"its parameters: {', '.join(accepted) or '(none)'}")
        _range(self.low, self.high, who)
        # let the kernel check the values (e.g. a cap below 1)
        for v in (self.low, self.high):
            params = {k: val for k, val in spec.params.items()}
            params[self.param] = v
            if "target" in names and "target" not in params:
                params["target"] = 1.0
            try:
                func(np.array([1.0]), **params)
            except (ValueError, TypeError) as exc:
                raise FactorError(f"{who}: {self.param}={v:g} is not valid for rule {spec.method!r}: {exc}") from None
        nominal = spec.params.get(self.param)
        return BoundFactor(self, self.name or f"{self.node}.{self.param}", 1,
                           f"{spec.method} {self.param} of {self.node!r} ~ U({self.low:g}, {self.high:g})"
                           + (f" (nominal {nominal})" if nominal is not None else ""),
                           (node.id,), {"kind": kind, "spec": spec})

    def apply(self, bound, u, params, cs, entropy):
        params.rule_param[(self.node, self.param)] = self.low + u[:, 0] * (self.high - self.low)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class SurveyBootstrap(Factor):
    """Sampling error of the satisfaction survey: respondents resampled with replacement
    within each unit x respondent group cell (cell sizes kept, so the groups used for each
    unit are those of the nominal evaluation)."""

    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        if cs.survey is None or not cs.survey.leaves or not len(cs.survey.score):
            why = ("the scheme has no survey component" if not any(
                lf.source == "survey" for lf in cs.leaves) else "the round has no survey microdata")
            raise FactorError(f"SurveyBootstrap: {why}")
        n = len(cs.survey.score)
        return BoundFactor(self, self.name or "survey sampling", 1,
                           f"bootstrap of the {n} survey respondents within unit x group cells",
                           cs.survey.leaves, {})

    def apply(self, bound, u, params, cs, entropy):
        params.survey_keys = _keys(u[:, 0])
        params.survey_factor = bound


@dataclass(frozen=True)
class MeasurementError(Factor):
    """Random error on raw values: ``x (1 + relative z)`` or ``x + sd * sd_j * z`` with
    ``z`` standard normal and ``sd_j`` the indicator's standard deviation across units.
    Values are clipped to the indicator's declared ``range``, and indicators without a
    range whose values are all non-negative stay non-negative. The treatment steps of the
    scheme are re-applied to the noisy values."""

    relative: float | None = None
    sd: float | None = None
    indicators: tuple[str, ...] | None = None
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = "MeasurementError"
        if (self.relative is None) == (self.sd is None):
            raise FactorError(f"{who}: give either relative= (e.g. 0.05) or sd= (share of each indicator's sd)")
        size = self.relative if self.relative is not None else self.sd
        if not (np.isfinite(size) and size > 0):
            raise FactorError(f"{who}: the error size must be positive (got {size!r})")
        quant = [lf.id for lf in cs.leaves if lf.quantitative]
        if self.indicators is None:
            ids = tuple(quant)
            if not ids:
                raise FactorError(f"{who}: the scheme has no quantitative indicators with raw values")
        else:
            ids = (self.indicators,) if isinstance(self.indicators, str) else tuple(self.indicators)
            for i in ids:
                if i not in cs.scheme.leaves:
                    raise FactorError(f"{who}: no indicator {i!r}{did_you_mean(i, cs.scheme.leaves)}")
                if i not in quant:
                    raise FactorError(f"{who}: indicator {i!r} has no quantitative raw values "
                                      f"(source {cs.scheme.leaves[i].source!r}, {cs.scheme.leaves[i].kind})")
        cols = np.array([cs.leaf(i).index for i in ids])
        raw = cs.raw[:, cols]
        with np.errstate(invalid="ignore"):
            sds = np.nanstd(raw, axis=0, ddof=1) if raw.shape[0] > 1 else np.zeros(len(ids))
        ranges = []
        for j, i in enumerate(ids):
            r = cs.scheme.leaves[i].range
            nonneg = bool(np.all(raw[:, j][~np.isnan(raw[:, j])] >= 0))
            if r is None and nonneg:
                r = (0.0, np.inf)  # a count or an amount stays non-negative
            ranges.append(r)
        what = f"x(1 + {self.relative:g} z)" if self.relative is not None else f"x + {self.sd:g} sd z"
        return BoundFactor(self, self.name or "measurement error", 1,
                           f"raw values of {len(ids)} indicator(s): {what}, z ~ N(0, 1)", ids,
                           {"cols": cols, "sds": np.nan_to_num(sds), "ranges": ranges})

    def apply(self, bound, u, params, cs, entropy):
        params.noise = (bound, _keys(u[:, 0]))

    def realise(self, bound: BoundFactor, cs, key: int, entropy: int) -> np.ndarray:
        """Noisy raw values ``(n_units, n_selected)`` of replicate ``key``."""
        g = np.random.default_rng([entropy, bound.position, int(key)])
        cols = bound.data["cols"]
        x = cs.raw[:, cols]
        z = g.standard_normal(x.shape)
        out = x * (1.0 + self.relative * z) if self.relative is not None else x + self.sd * bound.data["sds"] * z
        for j, rng_ in enumerate(bound.data["ranges"]):
            if rng_ is not None:
                out[:, j] = np.clip(out[:, j], rng_[0], rng_[1])
        return out


@dataclass(frozen=True)
class LeaveOneOut(Factor):
    """One indicator left out per replicate (its parent renormalises over the others),
    or none when ``include_none``. ``indicators`` lists the candidates (default: every
    indicator that has a sibling)."""

    indicators: tuple[str, ...] | None = None
    include_none: bool = True
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = "LeaveOneOut"
        s = cs.scheme
        ok = []
        for lf in cs.leaves:
            parent = cs.node(s.parent[lf.id])
            k = parent.children.index(lf.id)
            others = np.delete(parent.weights, k).sum()
            if len(parent.children) >= 2 and (parent.weights_spec is not None or others > 0):
                ok.append(lf.id)
        if self.indicators is None:
            ids = tuple(ok)
        else:
            ids = (self.indicators,) if isinstance(self.indicators, str) else tuple(self.indicators)
            for i in ids:
                if i not in s.leaves:
                    raise FactorError(f"{who}: no indicator {i!r}{did_you_mean(i, s.leaves)}")
                if i not in ok:
                    raise FactorError(f"{who}: {i!r} is the only weighted child of {s.parent[i]!r}; "
                                      "leaving it out would leave that node empty")
        if not ids:
            raise FactorError(f"{who}: no indicator can be left out")
        options = ((None,) if self.include_none else ()) + ids
        return BoundFactor(self, self.name or "leave one out", 1,
                           f"one of {len(ids)} indicators left out" + (" (or none)" if self.include_none else ""),
                           ids, {"options": options, "positions": np.array(
                               [-1 if o is None else cs.leaf(o).index for o in options])})

    def apply(self, bound, u, params, cs, entropy):
        params.dropped = bound.data["positions"][_choice(u[:, 0], len(bound.data["options"]))]


@dataclass(frozen=True)
class GradeQuota(Factor):
    """The quota (``max_share``) of one grade, uniform in ``[low, high]``, in every grading
    table that has the grade."""

    grade: str = ""
    low: float = 0.0
    high: float = 0.0
    name: str | None = None

    def bind(self, cs) -> BoundFactor:
        who = f"GradeQuota({self.grade!r})"
        if not cs.has_grades:
            raise FactorError(f"{who}: the scheme has no grading")
        tables = []
        for t in cs.grade_tables:
            if self.grade in t.ids:
                g = t.ids.index(self.grade)
                if g == len(t.ids) - 1:
                    raise FactorError(f"{who}: {self.grade!r} is the floor grade of table {t.name!r}; it has no quota")
                tables.append((t.name, g))
        if not tables:
            raise FactorError(f"{who}: no grade {self.grade!r}{did_you_mean(self.grade, cs.grade_names)}",
                              hint=f"grades: {', '.join(cs.grade_names)}")
        _range(self.low, self.high, who, lo=0.0, hi=1.0)
        if self.low <= 0:
            raise FactorError(f"{who}: a quota must be above 0")
        return BoundFactor(self, self.name or f"quota {self.grade}", 1,
                           f"quota of grade {self.grade!r} ~ U({self.low:g}, {self.high:g}) of each category",
                           (self.grade,), {"tables": tables})

    def apply(self, bound, u, params, cs, entropy):
        v = self.low + u[:, 0] * (self.high - self.low)
        for key in bound.data["tables"]:
            params.quota[key] = v


# --------------------------------------------------------------------------- binding


_SINGLE = (SurveyBootstrap, MeasurementError, LeaveOneOut)


def bind_factors(cs, factors: Sequence[Factor]) -> tuple[BoundFactor, ...]:
    """Check every factor against the compiled scheme; return them bound, in order."""
    if isinstance(factors, Factor):
        factors = [factors]
    factors = list(factors)
    if not factors:
        raise FactorError("declare at least one factor (see perfkit.sensitivity.factors)")
    bound = []
    for i, f in enumerate(factors):
        if not isinstance(f, Factor):
            raise TypeError(f"factor {i} is a {type(f).__name__}, not a perfkit.sensitivity Factor")
        b = f.bind(cs)
        bound.append(BoundFactor(b.factor, b.name, b.dims, b.description, b.targets, b.data, position=i))
    names = [b.name for b in bound]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise FactorError(f"factor names repeat: {', '.join(dup)}", hint="give each factor its own name=")
    for kind in _SINGLE:
        if sum(isinstance(f, kind) for f in factors) > 1:
            raise FactorError(f"declare {kind.__name__} at most once")
    return tuple(bound)


def factor_table(bound: Sequence[BoundFactor]):
    """The factors as a table: name, kind, inputs, what is varied."""
    return pd.DataFrame([{"factor": b.name, "kind": b.factor.kind, "inputs": b.dims, "varies": b.description,
                          "targets": ", ".join(b.targets)} for b in bound])


# --------------------------------------------------------------------------- declarative form

#: Factor kinds by the name used in declarative specs (YAML, notebook parameters).
FACTOR_KINDS: dict[str, type[Factor]] = {
    "weight_noise": WeightNoise,
    "dirichlet_weights": DirichletWeights,
    "weighting_methods": WeightingMethods,
    "normalisation": Normalisation,
    "aggregation": Aggregation,
    "rule_parameter": RuleParameter,
    "points": Points,
    "weight": Weight,
    "survey_bootstrap": SurveyBootstrap,
    "measurement_error": MeasurementError,
    "leave_one_out": LeaveOneOut,
    "grade_quota": GradeQuota,
}


def factors_from_spec(spec: Sequence[Mapping[str, Any]]) -> list[Factor]:
    """Factors from plain data, e.g. the ``factors:`` list of a YAML file or notebook
    parameters. Each item names its ``kind`` and the factor's fields; nothing is evaluated.

    >>> fs = factors_from_spec([{"kind": "weight_noise", "level": 1, "spread": 0.2},
    ...                         {"kind": "normalisation", "methods": ["minmax", "percentile_rank"]},
    ...                         {"kind": "points", "node": "satisfaction", "low": 10, "high": 50}])
    >>> [type(f).__name__ for f in fs]
    ['WeightNoise', 'Normalisation', 'Points']
    >>> factors_from_spec([{"kind": "weight_nosie"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.sensitivity.factors.FactorError: factors[0]: unknown factor kind 'weight_nosie' (did you mean ...
    """

    if isinstance(spec, Mapping) or isinstance(spec, (str, bytes)):
        raise FactorError("factors must be a list of mappings, each with a 'kind'")
    out = []
    for i, item in enumerate(spec):
        where = f"factors[{i}]"
        if not isinstance(item, Mapping) or "kind" not in item:
            raise FactorError(f"{where}: each factor is a mapping with a 'kind'",
                              hint=f"kinds: {', '.join(FACTOR_KINDS)}")
        kind = item["kind"]
        if kind not in FACTOR_KINDS:
            raise FactorError(f"{where}: unknown factor kind {kind!r}{did_you_mean(str(kind), FACTOR_KINDS)}",
                              hint=f"kinds: {', '.join(FACTOR_KINDS)}")
        cls = FACTOR_KINDS[kind]
        fields = [f.name for f in dataclasses.fields(cls)]
        kwargs = {}
        for key, value in item.items():
            if key == "kind":
                continue
            if key not in fields:
                raise FactorError(f"{where} ({kind}): unknown field {key!r}{did_you_mean(key, fields)}",
                                  hint=f"fields: {', '.join(fields)}")
            kwargs[key] = tuple(value) if isinstance(value, list) else value
        out.append(cls(**kwargs))
    return out
