"""The engine: scheme + round data -> :class:`~perfkit.engine.evaluation.Evaluation`.

Stages, each kept in the result with a caption:

1. ``raw``        units x indicators as submitted (survey index and special results joined in)
2. ``treated``    after denomination, imputation, screening and outlier treatment
3. ``scores``     per indicator on the internal 0-100 scale (a rule's share x 100, or the
                  normalised value)
4. ``nodes``      every aggregate's score, bottom-up
5. ``points``     earned points per node (points paradigm), against ``max_points``
6. ``results``    base score, bonus, penalty, final score, rank within category, grade

:func:`evaluate` compiles the scheme and the validated round into arrays once
(:func:`perfkit.engine.compiled.compile_round`), then composes the stage functions of
:mod:`perfkit.engine.pipeline` over that form; their arithmetic is in :mod:`perfkit.stages`
(and :func:`perfkit.engine.grading.grade_indices`), the same functions the batched
sensitivity engine calls with a replicate axis. The compiled form is kept in the result
(:attr:`Evaluation.compiled`). Ranks and grades compare final scores rounded to
:data:`~perfkit.stages.results.SCORE_DECIMALS` (9) decimals, so that units whose scores are
equal but for floating-point noise tie; ``final`` itself is not rounded.

The recipe (every step with its method and parameters) is recorded so that a variant can
be re-run with one step changed (:meth:`Evaluation.rerun`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfkit.engine import pipeline
from perfkit.engine.compiled import Compiled, compile_round
from perfkit.engine.evaluation import Evaluation
from perfkit.engine.validate import ValidationReport, validate_round
from perfkit.io.round import RoundData
from perfkit.scheme import Scheme

__all__ = ["evaluate", "run"]


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
        (validation, the values matrices, raw and treated values) are taken from it
        instead of recomputed.
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
    previous = reuse if same_data else None
    same_round = previous is not None and previous.validation is report
    compiled = compile_round(scheme, report.data, reuse=previous.compiled if same_round else None)
    return run(compiled, input_data=data, validation=report, reuse=previous if same_round else None)


def run(c: Compiled, *, input_data: RoundData, validation: ValidationReport,
        reuse: Evaluation | None = None) -> Evaluation:
    """The stages of :mod:`perfkit.engine.pipeline` over the compiled form ``c``; raw and
    treated values (and their recipe steps) come from ``reuse`` (an evaluation of the
    same validated round) when the treatment and what it depends on are unchanged."""
    leaf_ids = list(c.leaf_ids)
    key = pipeline.treatment_key(c)
    if reuse is not None and key == reuse.cache.get("treatment_key"):
        # the survey section is part of the treatment key: the survey summary is reused too
        survey_table = reuse.survey
        raw_df, treated_df, log, kept = reuse.raw, reuse.treated, reuse.treatment, reuse.kept
        text_df, targets_df = reuse.text, reuse.value_targets
        steps = [st for st in reuse.recipe if st.stage in ("raw", "treat")]
        treated = treated_df.to_numpy(dtype=float)
    else:
        survey = pipeline.survey(c)
        survey_table = survey.table
        steps = list(survey.steps)
        collected = pipeline.collect(c, survey.index)
        treatment = pipeline.treat(c, collected.raw)
        steps.extend(collected.steps + treatment.steps)
        treated, log, kept = treatment.treated, treatment.log, treatment.kept
        # the stages' own fresh arrays become the tables without another copy
        raw_df = pd.DataFrame(collected.raw, index=c.index, columns=leaf_ids, copy=False)
        treated_df = pd.DataFrame(treated, index=c.index, columns=leaf_ids, copy=False)
        text_df = pd.DataFrame(c.text, index=c.index, columns=leaf_ids, dtype=object)
        targets_df = pd.DataFrame(c.value_targets, index=c.index, columns=leaf_ids)
    c = c.screened(kept)
    scored = pipeline.score(c, treated)
    tg = pipeline.targets(c)
    columns = {lid: scored.scores[:, j] for j, lid in enumerate(leaf_ids)} | tg.scores
    agg = pipeline.aggregate(c, columns)
    fin = pipeline.finish(c, agg.scores[c.root])
    steps.extend(scored.steps + tg.steps + agg.steps + fin.steps)
    scores = pd.DataFrame(scored.scores, index=c.index, columns=leaf_ids, copy=False)
    if tg.scores:
        scores = pd.concat([scores, pd.DataFrame(tg.scores, index=c.index)], axis=1)
    nodes = pd.DataFrame(np.column_stack(list(agg.scores.values())), index=c.index, columns=list(agg.scores))
    points = eff = None
    if c.paradigm == "points":
        eff = pipeline.max_points(c)
        both = pd.concat([scores, nodes], axis=1)
        points = both.mul(eff[both.columns] / 100.0)
    return Evaluation(
        scheme=c.scheme, input_data=input_data, validation=validation, data=validation.data,
        raw=raw_df, treated=treated_df, treatment=log, scores=scores, nodes=nodes, points=points, max_points=eff,
        results=fin.results, weights=agg.weights,
        reasons=pd.DataFrame(scored.reasons, index=c.index, columns=leaf_ids, dtype=object, copy=False),
        targets_detail=tg.detail, survey=survey_table, recipe=tuple(steps), warnings=scored.warnings,
        kept=np.asarray(kept, dtype=bool), text=text_df, value_targets=targets_df, compiled=c,
        cache={"treatment_key": key}, engine=evaluate)
