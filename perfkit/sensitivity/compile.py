"""Compile a scheme and its nominal evaluation into arrays the batched engine can use.

The scheme is compiled once: leaf raw/treated matrices, the applicability mask of every
node, the hierarchy as child lists with nominal weights, the functional-target rows, the
survey microdata sorted by unit x respondent group, the adjustments, and the grade rules
of every category. The nominal evaluation's scores are kept, so that a replicate only
recomputes the stages its factors change (a leaf whose inputs did not change keeps the
exact nominal score of :func:`perfkit.evaluate`).

Indicators (:class:`~perfkit.stages.Leaf`), functional-target rows
(:class:`~perfkit.stages.TargetRows`), applicability, nominal child weights, veto caps and
the treatment plan come from the functions :func:`perfkit.evaluate` uses, read from the
evaluation's documented attributes (``kept``, ``text``, ``value_targets``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from perfkit.engine.evaluation import Evaluation
from perfkit.engine.grading import veto_caps
from perfkit.engine.survey import respondent_scores
from perfkit.scheme.models import MethodSpec
from perfkit.stages import (
    Leaf,
    TargetRows,
    TreatmentPlan,
    applicable,
    child_weights,
    compile_leaves,
    plan_treatment,
    target_rows,
)

__all__ = ["CompiledScheme", "Leaf", "AggNode", "TargetRows", "SurveyData", "GradeTable", "compile_scheme"]


@dataclass(frozen=True, eq=False)
class AggNode:
    """An aggregate node with its children (bottom-up order in :class:`CompiledScheme`)."""

    id: str
    children: tuple[str, ...]
    weights: np.ndarray  # nominal relative weights (points or weight)
    weights_spec: MethodSpec | None
    aggregate: MethodSpec
    app: np.ndarray
    depth: int


@dataclass(frozen=True, eq=False)
class SurveyData:
    """Survey respondents with a score, sorted by cell (unit x respondent group)."""

    score: np.ndarray
    weight: np.ndarray
    cell: np.ndarray
    rows: np.ndarray  # positions in the validated survey table
    starts: np.ndarray  # first respondent of each cell (n_cells,)
    sizes: np.ndarray  # respondents per cell (n_cells,)
    n_units: int
    n_groups: int
    group_weights: np.ndarray
    min_responses: int
    leaves: tuple[str, ...]

    @property
    def counts(self) -> np.ndarray:
        return self.sizes.reshape(self.n_units, self.n_groups).astype(float)


@dataclass(frozen=True, eq=False)
class GradeTable:
    """One grading table (``default`` or a category's own), with the units graded by it."""

    name: str
    ids: tuple[str, ...]
    codes: np.ndarray  # grade index -> position in CompiledScheme.grade_names
    min_scores: tuple[float | None, ...]
    max_shares: tuple[float | None, ...]
    categories: tuple[tuple[str, np.ndarray], ...]  # (category, unit positions)
    best_allowed: np.ndarray  # (n_units,) best grade index the vetoes allow


@dataclass(frozen=True, eq=False)
class CompiledScheme:
    """A scheme and its nominal evaluation as arrays (see the module docstring)."""

    evaluation: Evaluation
    units: tuple[str, ...]
    categories: np.ndarray
    paradigm: str
    scale: float
    kept: np.ndarray
    leaves: tuple[Leaf, ...]
    raw: np.ndarray  # (n_units, n_leaves) before treatment
    treated: np.ndarray  # after treatment
    text: np.ndarray  # object, qualitative grades
    leaf_targets: np.ndarray  # per-unit targets from the values table
    targets: tuple[TargetRows, ...]
    nodes: tuple[AggNode, ...]  # bottom-up
    survey: SurveyData | None
    bonus: np.ndarray
    penalty: np.ndarray
    grade_names: tuple[str, ...]
    grade_tables: tuple[GradeTable, ...]
    rounding: str
    ties: str
    nominal_scores: dict[str, np.ndarray] = field(repr=False)

    @property
    def scheme(self):
        return self.evaluation.scheme

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def root(self) -> str:
        return self.scheme.root.id

    def leaf(self, leaf_id: str) -> Leaf:
        return self._leaf_map[leaf_id]

    def node(self, node_id: str) -> AggNode:
        return self._node_map[node_id]

    @cached_property
    def _leaf_map(self) -> dict[str, Leaf]:
        return {lf.id: lf for lf in self.leaves}

    @cached_property
    def _node_map(self) -> dict[str, AggNode]:
        return {n.id: n for n in self.nodes}

    @property
    def has_grades(self) -> bool:
        return bool(self.grade_tables)

    @cached_property
    def treatment_plan(self) -> TreatmentPlan:
        """The scheme's treatment resolved against the round (to treat noisy raw values)."""
        return plan_treatment(self.scheme, self.evaluation.data.units, self.evaluation.data.values)


def compile_scheme(evaluation: Evaluation) -> CompiledScheme:
    """Compile ``evaluation``'s scheme and data into arrays (done once per analysis)."""
    if not isinstance(evaluation, Evaluation):
        raise TypeError(f"expected a perfkit Evaluation (perfkit.evaluate(scheme, data)), "
                        f"got {type(evaluation).__name__}")
    ev = evaluation
    s = ev.scheme
    units = tuple(ev.results.index)
    categories = ev.results["category"].to_numpy(dtype=object)
    kept = np.asarray(ev.kept, dtype=bool)
    app = applicable(s, categories)
    leaves = compile_leaves(s, app, kept)
    leaf_ids = [lf.id for lf in leaves]
    raw = ev.raw[leaf_ids].to_numpy(dtype=float)
    treated = ev.treated[leaf_ids].to_numpy(dtype=float)
    text = ev.text[leaf_ids].to_numpy(dtype=object)
    leaf_targets = ev.value_targets[leaf_ids].to_numpy(dtype=float)

    nodes = []
    for path, node in reversed(list(s.root.walk())):
        if not node.children:
            continue
        nodes.append(AggNode(id=node.id, children=tuple(c.id for c in node.children),
                             weights=child_weights(s, node), weights_spec=node.weights,
                             aggregate=node.aggregate or MethodSpec(method="arithmetic"),
                             app=app[node.id] & kept, depth=len(path) - 1))

    targets = tuple(target_rows(node, ev.data.targets, ev.data.values, units, app[nid] & kept)
                    for nid, node in s.target_nodes.items())
    survey = _compile_survey(ev, units)
    res = ev.results
    nominal = {c: ev.scores[c].to_numpy(dtype=float) for c in ev.scores.columns}
    nominal.update({c: ev.nodes[c].to_numpy(dtype=float) for c in ev.nodes.columns})
    names, tables, rounding, ties = _compile_grading(s, res, categories)
    return CompiledScheme(
        evaluation=ev, units=units, categories=categories, paradigm=s.paradigm,
        scale=(s.root.points or 100.0) / 100.0 if s.paradigm == "points" else 1.0,
        kept=kept, leaves=leaves, raw=raw, treated=treated, text=text,
        leaf_targets=leaf_targets, targets=targets, nodes=tuple(nodes), survey=survey,
        bonus=res["bonus"].to_numpy(dtype=float), penalty=res["penalty"].to_numpy(dtype=float),
        grade_names=names, grade_tables=tables, rounding=rounding, ties=ties, nominal_scores=nominal,
    )


def _compile_survey(ev: Evaluation, units: tuple[str, ...]) -> SurveyData | None:
    spec = ev.scheme.model.survey
    leaves = tuple(k for k, n in ev.scheme.leaves.items() if n.source == "survey")
    survey = ev.data.survey
    if spec is None or not leaves or survey is None or survey.empty:
        return None
    gnames = list(spec.groups)
    uc = pd.Categorical(survey["unit_id"], categories=list(units)).codes
    gc = pd.Categorical(survey["respondent_group"], categories=gnames).codes
    sc = respondent_scores(survey[list(spec.items)].to_numpy(dtype=float), scale=spec.scale)
    wt = survey["weight"].to_numpy(dtype=float) if "weight" in survey else np.ones(len(survey))
    keep = (uc >= 0) & (gc >= 0) & ~np.isnan(sc)
    pos = np.flatnonzero(keep)
    cell = uc[keep].astype(np.int64) * len(gnames) + gc[keep]
    order = np.argsort(cell, kind="stable")
    n_cells = len(units) * len(gnames)
    sizes = np.bincount(cell, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return SurveyData(score=sc[keep][order], weight=wt[keep][order], cell=cell[order], rows=pos[order],
                      starts=starts, sizes=sizes, n_units=len(units), n_groups=len(gnames),
                      group_weights=np.array([spec.groups[g] for g in gnames], dtype=float),
                      min_responses=spec.min_responses, leaves=leaves)


def _compile_grading(s, res: pd.DataFrame, categories: np.ndarray):
    g = s.model.grading
    if g is None:
        return (), (), "floor", "strict"
    names: list[str] = []
    for rules in (g.default, *g.by_category.values()):
        for r in rules:
            if r.id not in names:
                names.append(r.id)
    veto_cfg = s.model.adjustments.veto
    tables = []
    for name, rules in (("default", g.default), *g.by_category.items()):
        ids = tuple(r.id for r in rules)
        cats = []
        for cat in pd.unique(categories):
            if g.for_category(cat) is rules:
                cats.append((cat, np.flatnonzero(categories == cat)))
        if not cats:
            continue
        allowed = veto_caps(list(res["vetoes"]), ids, veto_cfg)
        tables.append(GradeTable(name=name, ids=ids, codes=np.array([names.index(i) for i in ids], dtype=np.int8),
                                 min_scores=tuple(r.min_score for r in rules),
                                 max_shares=tuple(r.max_share for r in rules),
                                 categories=tuple(cats), best_allowed=allowed))
    return tuple(names), tuple(tables), g.quota_rounding, g.ties
