"""Analyses of evaluations: each takes an :class:`~perfkit.engine.Evaluation` (and the
round's registries) and returns a frozen result with ``to_frame()`` and ``_repr_html_``.

* :mod:`~perfkit.analyses.compare` — two or more schemes or weight sets on the same data;
* :mod:`~perfkit.analyses.indicators` — the indicator design review (``review(evaluations)``):
  is each indicator well defined, discriminating, independent and pulling its weight.
* :mod:`~perfkit.analyses.benchmark` — benchmarking (对标): peer-city practice from the
  benchmarking study, peer-model templates, unit benchmarking with DEA, points to the next
  grade, index comparison (``import perfkit.analyses.benchmark as bm``).
* :mod:`~perfkit.analyses.consistency` — the special assessments against the comprehensive
  evaluation (``from perfkit.analyses import consistency``; ``consistency.review(...)``).
"""
from perfkit.analyses.compare import ComparisonResult, compare, with_weights

__all__ = ["ComparisonResult", "compare", "with_weights"]
