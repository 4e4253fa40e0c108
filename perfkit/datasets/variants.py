"""Scheme variants with other points (the alternative weights of ``planted.yaml``):
a thin name for :meth:`perfkit.scheme.Scheme.with_points`."""
from __future__ import annotations

from collections.abc import Mapping

from perfkit.scheme import Scheme

__all__ = ["reweight"]


def reweight(scheme: Scheme, points: Mapping[str, float]) -> Scheme:
    """Return a new points scheme with the given nodes' points changed together.

    A changed node none of whose children is given has its whole subtree rescaled in
    proportion; where some children are given, the given ones must add up with the others
    to the parent's new points (the scheme is validated as usual).

    >>> from perfkit.scheme.scheme import load_scheme
    >>> s = load_scheme({"id": "t", "label": {"zh": "例", "en": "t"}, "paradigm": "points",
    ...     "structure": {"id": "root", "label": {"zh": "总", "en": "all"}, "points": 100, "children": [
    ...         {"id": "a", "label": {"zh": "甲", "en": "A"}, "points": 60, "rule": {"method": "binary"}},
    ...         {"id": "b", "label": {"zh": "乙", "en": "B"}, "points": 40, "children": [
    ...             {"id": "b1", "label": {"zh": "乙1", "en": "B1"}, "points": 30, "rule": {"method": "binary"}},
    ...             {"id": "b2", "label": {"zh": "乙2", "en": "B2"}, "points": 10, "rule": {"method": "binary"}}]}]}})
    >>> v = reweight(s, {"a": 80, "b": 20})
    >>> v.node("b1").points, v.node("b2").points
    (15.0, 5.0)
    """
    return scheme.with_points(points)
