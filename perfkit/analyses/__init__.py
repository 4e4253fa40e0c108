"""Analyses of evaluations: each takes an :class:`~perfkit.engine.Evaluation` (and the
round's registries) and returns a frozen result with ``to_frame()`` and ``_repr_html_``.

* :mod:`~perfkit.analyses.compare` — two or more schemes or weight sets on the same data.
* :mod:`~perfkit.analyses.consistency` — the special assessments against the comprehensive
  evaluation (``from perfkit.analyses import consistency``; ``consistency.review(...)``).
"""
from perfkit.analyses.compare import ComparisonResult, compare, with_weights

__all__ = ["ComparisonResult", "compare", "with_weights"]
