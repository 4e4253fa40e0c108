"""The stages of an evaluation, shared by :func:`perfkit.evaluate` and the batched
sensitivity engine (:mod:`perfkit.sensitivity.batch`).

Each stage is a function on arrays whose leading axes, if any, are replicates:
``(..., n_units)`` for scores, ``(..., n_units, n_columns)`` for tables. A single run calls
it without leading axes; the sensitivity engine calls it with thousands of replicates at
once. There is one implementation of each stage, so the two cannot drift apart.

* :mod:`~perfkit.stages.treat` — denominate, screen, impute, winsorise, in the scheme's
  ``treatment.order`` (:func:`plan_treatment`, :func:`treat`);
* :mod:`~perfkit.stages.score` — an indicator onto the 0-100 scale, by a rule against
  its target or by a normalisation (:func:`score_leaf`);
* :mod:`~perfkit.stages.targets` — functional targets, each unit against its own
  (:func:`target_rows`, :func:`target_shares`, :func:`score_targets`);
* :mod:`~perfkit.stages.aggregate` — a node from its children (:func:`aggregate_node`);
* :mod:`~perfkit.stages.results` — final scores, ties, ranks within category.

Grading is :func:`perfkit.engine.grading.grade_indices`.
"""
from perfkit.stages.aggregate import aggregate_node, child_weights, derive_weights
from perfkit.stages.results import SCORE_DECIMALS, comparable, final_scores, rank_in_categories
from perfkit.stages.score import Leaf, applicable, compile_leaves, rule_parameters, score_leaf, scoring_method
from perfkit.stages.targets import TargetRows, default_target_rule, score_targets, target_rows, target_shares
from perfkit.stages.treat import Denominator, Treated, TreatmentPlan, plan_treatment, treat

__all__ = [
    "Denominator", "Leaf", "SCORE_DECIMALS", "TargetRows", "Treated", "TreatmentPlan",
    "aggregate_node", "applicable", "child_weights", "comparable", "compile_leaves", "default_target_rule",
    "derive_weights", "final_scores", "plan_treatment", "rank_in_categories", "rule_parameters",
    "score_leaf", "score_targets", "scoring_method", "target_rows", "target_shares", "treat",
]
