"""Indicator design review: is each indicator well defined, discriminating, independent and
pulling its weight? (量化、可实施、可考核、可追责; quantity, quality, time; task, negative
and positive lists; fewer routine, duplicated and trivial indicators; 相对固化.)

* :func:`review` — over one or more evaluated rounds: discrimination, distribution,
  redundancy, direction, stability and effective weights, the declared rules that fire,
  keep / revise / merge / drop recommendations and the committee's alerts
  (:class:`IndicatorReview`);
* :func:`design_completeness` — from the scheme alone: which design items each indicator
  declares (:class:`DesignCompleteness`);
* :class:`Thresholds` — the rules' declared thresholds
  (:mod:`~perfkit.analyses.indicators.rules`);
* :mod:`~perfkit.analyses.indicators.stats` — the statistics as numpy functions.
"""
from perfkit.analyses.indicators.design import ITEMS, DesignCompleteness, design_completeness
from perfkit.analyses.indicators.review import IndicatorReview, review
from perfkit.analyses.indicators.rules import RULES, Thresholds

__all__ = ["ITEMS", "RULES", "DesignCompleteness", "IndicatorReview", "Thresholds", "design_completeness", "review"]
