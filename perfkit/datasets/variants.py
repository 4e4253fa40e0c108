"""Scheme variants with other points (the alternative weights of ``planted.yaml``).

:meth:`perfkit.scheme.Scheme.set` validates after every single change, so two sibling
nodes cannot be moved together (the children's points would not add up in between).
:func:`reweight` changes several nodes at once and rescales untouched subtrees.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from perfkit.errors import SchemeError
from perfkit.scheme import Scheme

__all__ = ["reweight"]


def _scale(node: dict[str, Any], factor: float) -> None:
    node["points"] = round(float(node["points"]) * factor, 9)
    for child in node.get("children") or ():
        _scale(child, factor)


def _apply(node: dict[str, Any], points: Mapping[str, float], seen: set[str]) -> None:
    old = node.get("points")
    if node.get("id") in points:
        node["points"] = float(points[node["id"]])
        seen.add(node["id"])
    children = node.get("children") or []
    if not children:
        return
    given = [c.get("id") in points for c in children]
    if not any(given) and old and float(old) != float(node["points"]):
        for child in children:
            _scale(child, float(node["points"]) / float(old))
    for child in children:
        _apply(child, points, seen)


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
    if scheme.paradigm != "points":
        raise SchemeError("reweight changes points: it needs a points scheme",
                          hint="for a composite scheme use scheme.set('nodes.<id>.weight', w)")
    for nid in points:
        scheme.node(nid)  # unknown ids raise with a suggestion
    raw = scheme.to_dict()
    seen: set[str] = set()
    _apply(raw["structure"], points, seen)
    return Scheme.from_dict(raw, file=scheme.file)
