"""The batched engine's starting point: the evaluation's compiled form plus its nominal scores.

:func:`perfkit.evaluate` already compiled the scheme and the round into arrays
(:attr:`Evaluation.compiled`, :class:`perfkit.engine.compiled.Compiled`): the indicators,
applicability, the node tree bottom-up with nominal weights and aggregations, the
functional-target rows, the survey respondents sorted by cell, bonus and penalty, veto caps,
the grade tables and the resolved treatment plan. :func:`compile_scheme` adds what the
nominal run computed — raw and treated values, every indicator's and node's score — so that
a replicate only recomputes the stages its factors change (a stage whose inputs did not
change keeps the exact nominal value of :func:`perfkit.evaluate`).

The batched engine reads only this record; :attr:`CompiledScheme.evaluation` is kept for the
slow path (:func:`perfkit.sensitivity.verify` builds scheme and data variants from it).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from perfkit.engine.compiled import AggNode, Compiled, GradeTable
from perfkit.engine.evaluation import Evaluation
from perfkit.engine.survey import SurveyData
from perfkit.stages import Leaf, TargetRows, TreatmentPlan

__all__ = ["CompiledScheme", "Leaf", "AggNode", "TargetRows", "SurveyData", "GradeTable", "compile_scheme"]


@dataclass(frozen=True, eq=False)
class CompiledScheme:
    """An evaluation's compiled form and nominal stage outputs (see the module docstring).

    Attributes
    ----------
    compiled
        :attr:`Evaluation.compiled` (the availability screen applied).
    raw, treated
        ``(n_units, n_leaves)`` nominal values before and after treatment.
    nominal_scores
        Indicator, target-node and aggregate-node id -> ``(n_units,)`` nominal score.
    evaluation
        The nominal evaluation, for the slow path only; ``None`` in a copy sent to
        other processes (:meth:`detached`).
    """

    compiled: Compiled
    raw: np.ndarray
    treated: np.ndarray
    nominal_scores: dict[str, np.ndarray] = field(repr=False)
    evaluation: Evaluation | None = field(default=None, repr=False)

    # the compiled form's arrays, under the names the batched engine uses
    @property
    def scheme(self):
        return self.compiled.scheme

    @property
    def units(self) -> tuple[str, ...]:
        return self.compiled.units

    @property
    def n_units(self) -> int:
        return self.compiled.n_units

    @property
    def categories(self) -> np.ndarray:
        return self.compiled.categories

    @property
    def names_zh(self) -> np.ndarray:
        return self.compiled.names_zh

    @property
    def names_en(self) -> np.ndarray:
        return self.compiled.names_en

    @property
    def paradigm(self) -> str:
        return self.compiled.paradigm

    @property
    def scale(self) -> float:
        return self.compiled.scale

    @property
    def kept(self) -> np.ndarray:
        return self.compiled.kept

    @property
    def leaves(self) -> tuple[Leaf, ...]:
        return self.compiled.leaves

    @property
    def text(self) -> np.ndarray:
        return self.compiled.text

    @property
    def leaf_targets(self) -> np.ndarray:
        return self.compiled.value_targets

    @property
    def targets(self) -> tuple[TargetRows, ...]:
        return self.compiled.targets

    @property
    def nodes(self) -> tuple[AggNode, ...]:
        return self.compiled.nodes

    @property
    def survey(self) -> SurveyData | None:
        return self.compiled.survey

    @property
    def bonus(self) -> np.ndarray:
        return self.compiled.adjustments.bonus

    @property
    def penalty(self) -> np.ndarray:
        return self.compiled.adjustments.penalty

    @property
    def grade_names(self) -> tuple[str, ...]:
        g = self.compiled.grading
        return g.names if g is not None else ()

    @property
    def grade_tables(self) -> tuple[GradeTable, ...]:
        g = self.compiled.grading
        return g.tables if g is not None else ()

    @property
    def rounding(self) -> str:
        g = self.compiled.grading
        return g.rounding if g is not None else "floor"

    @property
    def ties(self) -> str:
        g = self.compiled.grading
        return g.ties if g is not None else "strict"

    @property
    def has_grades(self) -> bool:
        return bool(self.grade_tables)

    @property
    def treatment_plan(self) -> TreatmentPlan:
        """The scheme's treatment resolved against the round (to treat noisy raw values)."""
        return self.compiled.treatment

    @property
    def root(self) -> str:
        return self.compiled.root

    def leaf(self, leaf_id: str) -> Leaf:
        return self.compiled.leaf(leaf_id)

    def node(self, node_id: str) -> AggNode:
        return self.compiled.node(node_id)

    def detached(self) -> CompiledScheme:
        """This record without the evaluation: what a worker process needs."""
        return dataclasses.replace(self, evaluation=None)


def compile_scheme(evaluation: Evaluation) -> CompiledScheme:
    """The compiled form of ``evaluation`` with its nominal scores (cheap: nothing of the
    scheme or the round is read again)."""
    if not isinstance(evaluation, Evaluation):
        raise TypeError(f"expected a perfkit Evaluation (perfkit.evaluate(scheme, data)), "
                        f"got {type(evaluation).__name__}")
    ev = evaluation
    if ev.compiled is None:
        raise TypeError("this Evaluation carries no compiled form; make it with perfkit.evaluate(scheme, data)")
    c = ev.compiled
    ids = list(c.leaf_ids)
    nominal = {col: ev.scores[col].to_numpy(dtype=float) for col in ev.scores.columns}
    nominal.update({col: ev.nodes[col].to_numpy(dtype=float) for col in ev.nodes.columns})
    return CompiledScheme(compiled=c, raw=ev.raw[ids].to_numpy(dtype=float),
                          treated=ev.treated[ids].to_numpy(dtype=float), nominal_scores=nominal, evaluation=ev)
