"""The engine: validate a round against a scheme, evaluate it, keep every stage.

* :mod:`~perfkit.engine.validate` — every data problem with file, sheet, row and column;
* :mod:`~perfkit.engine.compiled` — scheme + validated round as arrays, compiled once;
* :mod:`~perfkit.engine.evaluate` — scheme + round -> :class:`Evaluation`, composing the
  stage functions of :mod:`~perfkit.engine.pipeline` (arithmetic in :mod:`perfkit.stages`);
* :mod:`~perfkit.engine.evaluation` — the result, with ``explain`` for every point;
* :mod:`~perfkit.engine.grading` — grades under thresholds, quotas and vetoes;
* :mod:`~perfkit.engine.survey` — the satisfaction survey index from microdata.
"""
from perfkit.engine.compiled import Compiled, compile_round
from perfkit.engine.evaluate import evaluate
from perfkit.engine.evaluation import Evaluation, Explanation, Reason, Step
from perfkit.engine.validate import Problem, ValidationReport, validate_round

__all__ = ["evaluate", "Evaluation", "Explanation", "Reason", "Step", "Compiled", "compile_round", "Problem",
           "ValidationReport", "validate_round"]
