"""The compiled form: a scheme and one validated round as arrays, built once.

:func:`compile_round` resolves everything the stages need that does not depend on a
computed score: the units and their categories, which node applies to which unit, the
indicators and how each is scored, the round's values as a units x indicators matrix, the
hierarchy bottom-up with its nominal weights and aggregations, the functional-target rows,
the survey respondents sorted by cell, the bonus / penalty sums and their caps, the veto
caps and the grade tables, and the scheme's treatment resolved against the round.

:func:`perfkit.evaluate` compiles once, runs its stages (:mod:`perfkit.engine.pipeline`) on
the result and keeps it as :attr:`Evaluation.compiled`; the batched sensitivity engine and
the analyses start from the same form instead of reading the scheme and the round again.

The form is frozen. The availability screen (a treatment step) drops units after
compilation: :meth:`Compiled.screened` returns the form with the screen applied to the
indicators, the nodes and the target rows (``app`` = applies to the unit and kept).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from perfkit.engine.grading import veto_caps
from perfkit.engine.survey import SurveyData, survey_data
from perfkit.i18n import has, t
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

__all__ = ["AggNode", "Adjustments", "Compiled", "GradeTable", "Grading", "SurveyData", "compile_round"]


@dataclass(frozen=True, eq=False)
class AggNode:
    """An aggregate node with its children (bottom-up order in :attr:`Compiled.nodes`).

    Attributes
    ----------
    id, children
        The node and its children's ids.
    weights
        Nominal relative weights of the children: their points in a points scheme, else
        their ``weight`` (1 when not given) (:func:`perfkit.stages.child_weights`).
    weights_spec
        The node's data-driven weighting (``weights:``), ``None`` for declared weights.
    aggregate
        The aggregation and its parameters (arithmetic when the scheme names none).
    app
        ``(n_units,)``: the node applies to the unit (and the unit passed the screen).
    depth
        0 for the root, 1 for its children ...
    """

    id: str
    children: tuple[str, ...]
    weights: np.ndarray
    weights_spec: MethodSpec | None
    aggregate: MethodSpec
    app: np.ndarray
    depth: int


@dataclass(frozen=True, eq=False)
class Adjustments:
    """Bonus and penalty points per unit, before and after their caps, and veto items.

    ``bonus_raw`` / ``penalty_raw`` are the sums of the unit's items, ``bonus`` /
    ``penalty`` the same capped at ``bonus_cap`` / ``penalty_cap`` (``None``: no cap);
    ``vetoes`` per unit the sorted veto items it incurred.
    """

    bonus_raw: np.ndarray
    penalty_raw: np.ndarray
    bonus: np.ndarray
    penalty: np.ndarray
    bonus_cap: float | None
    penalty_cap: float | None
    vetoes: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, eq=False)
class GradeTable:
    """One grading table (``default`` or a category's own) and the units graded by it.

    Attributes
    ----------
    name, ids
        The table and its grades, best first.
    codes
        Grade index -> position in :attr:`Grading.names`.
    min_scores, max_shares
        Per grade, the threshold and the quota (``None``: none).
    categories
        ``(category, unit positions)`` of the categories graded by this table.
    best_allowed
        ``(n_units,)``: the best grade index the unit's vetoes allow (0: no veto; 0 for
        units of other tables).
    labels_zh
        The grades' Chinese labels (the ids when not given).
    """

    name: str
    ids: tuple[str, ...]
    codes: np.ndarray
    min_scores: tuple[float | None, ...]
    max_shares: tuple[float | None, ...]
    categories: tuple[tuple[str, np.ndarray], ...]
    best_allowed: np.ndarray
    labels_zh: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Grading:
    """The grade tables in use, every grade id once (``names``), quota rounding and tie rule."""

    names: tuple[str, ...]
    tables: tuple[GradeTable, ...]
    rounding: str
    ties: str


@dataclass(frozen=True, eq=False)
class Compiled:
    """A scheme and one validated round as arrays (see the module docstring).

    Attributes
    ----------
    scheme
        The scheme compiled (for names, paths and labels).
    units, names_zh, names_en, categories
        ``(n_units,)``: unit ids in the order of every table, names, categories.
    paradigm, scale
        ``"points"`` or ``"composite"``; root points / 100 in a points scheme, else 1.
    applicable
        Node id -> ``(n_units,)``: the node and its ancestors apply to the unit.
    kept
        ``(n_units,)``: units that passed the availability screen (all before it).
    leaves
        The indicators in scheme order (:class:`perfkit.stages.Leaf`; ``app`` =
        applicable and kept).
    values, text, value_targets
        ``(n_units, n_leaves)``: the values table's numbers (special-assessment results in
        their indicators' columns), its qualitative grades and its per-unit targets; NaN
        (None for text) where the round gives none. Applicability is not applied here.
    targets
        Per functional-target node, its rows (:class:`perfkit.stages.TargetRows`).
    nodes
        The aggregate nodes bottom-up (:class:`AggNode`).
    survey
        The survey respondents (:class:`perfkit.engine.survey.SurveyData`); ``None``
        without a survey section.
    adjustments
        Bonus, penalty and vetoes (:class:`Adjustments`).
    grading
        The grade tables (:class:`Grading`); ``None`` without grading.
    treatment
        The scheme's treatment resolved against the round (:class:`perfkit.stages.TreatmentPlan`).
    """

    scheme: object
    units: tuple[str, ...]
    names_zh: np.ndarray
    names_en: np.ndarray
    categories: np.ndarray
    paradigm: str
    scale: float
    applicable: Mapping[str, np.ndarray]
    kept: np.ndarray
    leaves: tuple[Leaf, ...]
    values: np.ndarray
    text: np.ndarray
    value_targets: np.ndarray
    targets: tuple[TargetRows, ...]
    nodes: tuple[AggNode, ...]
    survey: SurveyData | None
    adjustments: Adjustments
    grading: Grading | None
    treatment: TreatmentPlan

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def root(self) -> str:
        return self.nodes[-1].id

    @cached_property
    def index(self) -> pd.Index:
        """The units as the index of every table (``unit_id``)."""
        return pd.Index(self.units, name="unit_id")

    @cached_property
    def leaf_ids(self) -> tuple[str, ...]:
        return tuple(lf.id for lf in self.leaves)

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

    @cached_property
    def applies_matrix(self) -> np.ndarray:
        """``(n_units, n_leaves)``: the indicator applies to the unit (before the screen)."""
        if not self.leaves:
            return np.zeros((self.n_units, 0), dtype=bool)
        return np.column_stack([self.applicable[lf.id] for lf in self.leaves])

    def screened(self, kept: np.ndarray) -> Compiled:
        """The form with the availability screen's result ``kept`` applied to the
        indicators, the aggregate nodes and the functional-target rows."""
        kept = np.asarray(kept, dtype=bool)
        if np.array_equal(kept, self.kept):
            return self
        return dataclasses.replace(
            self, kept=kept,
            leaves=tuple(dataclasses.replace(lf, app=self.applicable[lf.id] & kept) for lf in self.leaves),
            nodes=tuple(dataclasses.replace(n, app=self.applicable[n.id] & kept) for n in self.nodes),
            targets=tuple(tr.restrict(self.applicable[tr.node] & kept) for tr in self.targets))

    def __repr__(self) -> str:
        return (f"Compiled(scheme={getattr(self.scheme, 'id', '?')!r}, units={self.n_units}, "
                f"indicators={len(self.leaves)}, nodes={len(self.nodes)})")


# --------------------------------------------------------------------------- compile


def compile_round(scheme, data, *, reuse: Compiled | None = None) -> Compiled:
    """Compile ``scheme`` and a validated round ``data`` (``ValidationReport.data``).

    Parameters
    ----------
    scheme
        The :class:`~perfkit.scheme.Scheme`.
    data
        The validated round (typed tables, as :func:`perfkit.validate_round` returns them).
    reuse
        The compiled form of another scheme on the *same* round: its values matrices are
        taken over when the indicators are the same.

    Raises
    ------
    DataError, SchemeError
        A denominator or an imputation group the round does not have.
    """
    units_df = data.units
    units = tuple(units_df.index)
    idx = pd.Index(units, name="unit_id")
    categories = units_df["category"].to_numpy(dtype=object)
    app = applicable(scheme, categories)
    kept = np.ones(len(units), dtype=bool)
    leaves = compile_leaves(scheme, app, kept)
    values, text, vtargets = _values(scheme, data, idx, leaves, reuse)
    nodes = []
    for path, node in reversed(list(scheme.root.walk())):
        if node.children:
            nodes.append(AggNode(id=node.id, children=tuple(c.id for c in node.children),
                                 weights=child_weights(scheme, node), weights_spec=node.weights,
                                 aggregate=node.aggregate or MethodSpec(method="arithmetic"),
                                 app=app[node.id], depth=len(path) - 1))
    targets = tuple(target_rows(node, data.targets, data.values, units, app[nid])
                    for nid, node in scheme.target_nodes.items())
    adjustments = _adjustments(scheme, data.adjustments, idx)
    return Compiled(
        scheme=scheme, units=units, names_zh=units_df["name_zh"].to_numpy(dtype=object),
        names_en=units_df["name_en"].to_numpy(dtype=object), categories=categories, paradigm=scheme.paradigm,
        scale=(scheme.root.points or 100.0) / 100.0 if scheme.paradigm == "points" else 1.0,
        applicable=app, kept=kept, leaves=leaves, values=values, text=text, value_targets=vtargets,
        targets=targets, nodes=tuple(nodes), survey=_survey(scheme, data.survey, idx, leaves),
        adjustments=adjustments, grading=_grading(scheme, categories, adjustments.vetoes),
        treatment=plan_treatment(scheme, units_df, data.values))


def _values(scheme, data, idx: pd.Index, leaves: tuple[Leaf, ...], reuse: Compiled | None):
    """The values table as ``(n_units, n_leaves)`` numbers, texts and targets, with the
    special-assessment results in their indicators' columns."""
    ids = [lf.id for lf in leaves]
    specials = tuple((lf.id, scheme.leaves[lf.id].assessment) for lf in leaves if lf.source == "special")
    if reuse is not None and list(reuse.leaf_ids) == ids and reuse.units == tuple(idx) and \
            _specials(reuse) == specials:
        return reuse.values, reuse.text, reuse.value_targets
    shape = (len(idx), len(ids))
    values = np.full(shape, np.nan)
    text = np.full(shape, None, dtype=object)
    vtargets = np.full(shape, np.nan)
    v = data.values
    if len(v) and ids:
        ui = positions(v["unit_id"], idx)
        li = positions(v["indicator_id"], pd.Index(ids))
        ok = (ui >= 0) & (li >= 0)
        ui, li = ui[ok], li[ok]
        values[ui, li] = v["value"].to_numpy(dtype=float)[ok]
        if "text" in v:
            tx = v["text"].to_numpy(dtype=object)[ok]
            has = ~pd.isna(tx)
            text[ui[has], li[has]] = tx[has]
        if "target" in v:
            vtargets[ui, li] = pd.to_numeric(v["target"], errors="coerce").to_numpy(dtype=float)[ok]
    sp = data.special_results
    col = {lid: j for j, lid in enumerate(ids)}
    for lid, assessment in specials:
        values[:, col[lid]] = np.nan
        if len(sp):
            rows = sp[sp["assessment_id"] == assessment]
            pos = idx.get_indexer(rows["unit_id"])
            ok = pos >= 0
            values[pos[ok], col[lid]] = rows["score"].to_numpy(dtype=float)[ok]
    return values, text, vtargets


def positions(labels: pd.Series, index: pd.Index) -> np.ndarray:
    """Position in ``index`` of each label of a long round-table column (-1: not there):
    the column's distinct labels are looked up once (through its categories when it is
    categorical), not every row."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        codes, uniques = labels.cat.codes.to_numpy(), labels.cat.categories
    else:
        codes, uniques = pd.factorize(labels.to_numpy(dtype=object))
    where = index.get_indexer(uniques)
    return np.where(codes >= 0, where[np.maximum(codes, 0)], -1) if len(where) else np.full(len(codes), -1)


def _specials(c: Compiled) -> tuple[tuple[str, str], ...]:
    return tuple((lf.id, c.scheme.leaves[lf.id].assessment) for lf in c.leaves if lf.source == "special")


def _survey(scheme, survey: pd.DataFrame | None, idx: pd.Index, leaves: tuple[Leaf, ...]) -> SurveyData | None:
    spec = scheme.model.survey
    if spec is None:
        return None
    return survey_data(survey, tuple(idx), items=spec.items, scale=spec.scale, groups=spec.groups,
                       min_responses=spec.min_responses, min_cell=spec.min_cell,
                       leaves=[lf.id for lf in leaves if lf.source == "survey"])


def _adjustments(scheme, adj: pd.DataFrame, idx: pd.Index) -> Adjustments:
    cfg = scheme.model.adjustments
    n = len(idx)
    sums = {}
    vetoes: list[set[str]] = [set() for _ in range(n)]
    if len(adj):
        pos = idx.get_indexer(adj["unit_id"])
        kind = adj["kind"].to_numpy(dtype=object)
        pts = np.nan_to_num(pd.to_numeric(adj["points"], errors="coerce").to_numpy(dtype=float))
        for k in ("bonus", "penalty"):
            sel = (kind == k) & (pos >= 0)
            sums[k] = np.bincount(pos[sel], weights=pts[sel], minlength=n).astype(float)
        is_veto = (kind == "veto") & (pos >= 0)
        for p, item in zip(pos[is_veto], adj["item"].to_numpy(dtype=object)[is_veto]):
            vetoes[p].add(item)
    raw = {k: sums.get(k, np.zeros(n)) for k in ("bonus", "penalty")}
    caps = {k: getattr(cfg, k).cap for k in ("bonus", "penalty")}
    capped = {k: np.minimum(raw[k], caps[k]) if caps[k] is not None else raw[k] for k in raw}
    return Adjustments(bonus_raw=raw["bonus"], penalty_raw=raw["penalty"], bonus=capped["bonus"],
                       penalty=capped["penalty"], bonus_cap=caps["bonus"], penalty_cap=caps["penalty"],
                       vetoes=tuple(tuple(sorted(v)) for v in vetoes))


def _grading(scheme, categories: np.ndarray, vetoes: tuple[tuple[str, ...], ...]) -> Grading | None:
    g = scheme.model.grading
    if g is None:
        return None
    names: list[str] = []
    for rules in (g.default, *g.by_category.values()):
        for r in rules:
            if r.id not in names:
                names.append(r.id)
    veto_cfg = scheme.model.adjustments.veto
    tables = []
    cats = pd.unique(categories)
    for name, rules in (("default", g.default), *g.by_category.items()):
        mine = [(cat, np.flatnonzero(categories == cat)) for cat in cats if g.for_category(cat) is rules]
        if not mine:
            continue
        ids = tuple(r.id for r in rules)
        allowed = np.zeros(len(categories), dtype=int)
        for _, pos in mine:
            allowed[pos] = veto_caps([vetoes[i] for i in pos], ids, veto_cfg)
        labels_zh = tuple(r.label.zh if r.label is not None else t(f"grade.{r.id}", "zh") if has(f"grade.{r.id}")
                          else r.id for r in rules)
        tables.append(GradeTable(name=name, ids=ids, labels_zh=labels_zh,
                                 codes=np.array([names.index(i) for i in ids], dtype=np.int8),
                                 min_scores=tuple(r.min_score for r in rules),
                                 max_shares=tuple(r.max_share for r in rules),
                                 categories=tuple(mine), best_allowed=allowed))
    return Grading(names=tuple(names), tables=tuple(tables), rounding=g.quota_rounding, ties=g.ties)
