"""The :class:`Scheme` users hold: a validated, frozen model plus lookups and safe edits."""
from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from perfkit.errors import SchemeError, UnknownNameError, did_you_mean
from perfkit.scheme.check import check_scheme
from perfkit.scheme.load import model_from_dict, read_yaml
from perfkit.scheme.models import Node, SchemeModel

__all__ = ["Scheme", "load_scheme"]


def load_scheme(source: str | Path | Mapping[str, Any]) -> Scheme:
    """Read and validate a scheme from a YAML file or a mapping.

    Errors name the file, the YAML path and what to fix::

        scheme.yaml: structure.children[1](common).children[0](hotline).rule.cap: ...
    """
    if isinstance(source, Mapping):
        return Scheme.from_dict(dict(source))
    path = Path(source)
    return Scheme.from_dict(read_yaml(path), file=str(path))


@dataclass(frozen=True, eq=False)
class Scheme:
    """A validated scheme. Immutable: edits return a new scheme (:meth:`set`)."""

    model: SchemeModel
    file: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, file: str | None = None) -> Scheme:
        model = model_from_dict(raw, file=file)
        check_scheme(model, file=file)
        return cls(model=model, file=file, raw=copy.deepcopy(raw))

    # ----------------------------------------------------------------- lookups
    @property
    def id(self) -> str:
        return self.model.id

    @property
    def paradigm(self) -> str:
        return self.model.paradigm

    @property
    def root(self) -> Node:
        return self.model.structure

    @cached_property
    def nodes(self) -> dict[str, Node]:
        """Every node by id, parents before children."""
        return {node.id: node for _, node in self.root.walk()}

    @cached_property
    def paths(self) -> dict[str, tuple[str, ...]]:
        """Ids from the root down to each node (inclusive)."""
        return {node.id: path for path, node in self.root.walk()}

    @cached_property
    def parent(self) -> dict[str, str | None]:
        return {nid: (p[-2] if len(p) > 1 else None) for nid, p in self.paths.items()}

    @cached_property
    def leaves(self) -> dict[str, Node]:
        """Indicators (leaves), in scheme order."""
        return {nid: n for nid, n in self.nodes.items() if n.is_leaf}

    @cached_property
    def target_nodes(self) -> dict[str, Node]:
        """Nodes whose children are the unit-specific functional targets."""
        return {nid: n for nid, n in self.nodes.items() if n.source == "targets"}

    @cached_property
    def category_ids(self) -> list[str]:
        return [c.id for c in self.model.categories]

    def applies(self, node_id: str, category: str) -> bool:
        """Whether a node applies to units of ``category``: the node and all its ancestors
        allow the category (``categories``), and a special assessment covers it."""
        for nid in self.paths[node_id]:
            node = self.nodes[nid]
            if node.categories is not None and category not in node.categories:
                return False
            if node.source == "special":
                sa = next(s for s in self.model.special if s.id == node.assessment)
                if sa.covers is not None and category not in sa.covers:
                    return False
        return True

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise UnknownNameError(f"no node or indicator {node_id!r} in scheme {self.id!r}"
                                   f"{did_you_mean(node_id, self.nodes)}") from None

    def label(self, node_id: str, lang: str = "zh") -> str:
        return self.node(node_id).label.get(lang)

    def max_points(self, node_id: str) -> float:
        """Points a node is worth (points paradigm) — its ``points``."""
        pts = self.node(node_id).points
        if pts is None:
            raise SchemeError(f"node {node_id!r} has no points", where=[self.file or "<scheme>"])
        return float(pts)

    # ----------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.raw, allow_unicode=True, sort_keys=False)

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON form: equal schemes hash equal."""
        canon = json.dumps(self.model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()

    def section_hash(self, *keys: str) -> str:
        dump = self.model.model_dump(mode="json")
        part = {k: dump.get(k) for k in keys}
        return hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest()

    # ----------------------------------------------------------------- edits
    def set(self, address: str, value: Any) -> Scheme:
        """Return a new scheme with one value changed.

        ``address`` is a dotted path checked against the scheme, never evaluated:
        ``nodes.<id>.<key>[.<key>...]`` addresses a node by id (e.g.
        ``nodes.satisfaction.points`` or ``nodes.hotline.rule.cap``); any other address
        starts at the top level (``grading.default.0.max_share``). Every step must
        already exist, except the last key inside a method spec (a new parameter, which
        validation then checks against the method's signature).

        >>> s = load_scheme(_tiny())
        >>> s.set("nodes.b.weight", 3.0).node("b").weight
        3.0
        >>> s.set("nodes.zz.weight", 1)
        Traceback (most recent call last):
        ...
        perfkit.errors.UnknownNameError: no node or indicator 'zz' in scheme 'tiny'
        """
        return self.update({address: value})

    def update(self, changes: Mapping[str, Any]) -> Scheme:
        """Return a new scheme with several values changed at once (addresses as in
        :meth:`set`); the result is validated once, after all changes, so points that must
        add up can be moved between siblings.

        >>> s = load_scheme(_tiny())
        >>> s.update({"nodes.a.weight": 2, "nodes.b.weight": 0.5}).node("a").weight
        2.0
        """
        raw = self.to_dict()
        for address, value in changes.items():
            self._apply(raw, address, value)
        return Scheme.from_dict(raw, file=self.file)

    def _apply(self, raw: dict[str, Any], address: str, value: Any) -> None:
        parts = address.split(".")
        if not parts or not all(parts):
            raise SchemeError(f"bad address {address!r}", where=[self.file or "<scheme>"])
        if parts[0] == "nodes":
            if len(parts) < 3:
                raise SchemeError(f"address {address!r} needs nodes.<id>.<key>")
            container = self._raw_node(raw, parts[1])
            keys = parts[2:]
        else:
            container, keys = raw, parts
        for i, key in enumerate(keys[:-1]):
            container = _step(container, key, address)
        last = keys[-1]
        in_method = len(keys) >= 2 and keys[-2] in ("rule", "normalise", "aggregate", "weights")
        if isinstance(container, list):
            _step(container, last, address)
            container[int(last)] = value
        elif isinstance(container, dict):
            if last not in container and not in_method and not _is_model_field(keys, parts[0] == "nodes"):
                raise SchemeError(f"address {address!r}: no key {last!r} here"
                                  f"{did_you_mean(last, container)}", where=[self.file or "<scheme>"])
            container[last] = value
        else:
            raise SchemeError(f"address {address!r} does not lead to a mapping or list")

    def with_points(self, points: Mapping[str, float]) -> Scheme:
        """Return a points scheme with several nodes' points changed together.

        A changed node none of whose children is given has its whole subtree rescaled in
        proportion (so "satisfaction 15 -> 25" keeps its inner balance); where some
        children are given, they must add up with the others to the parent's new points.

        >>> s = load_scheme(_tiny_points())
        >>> v = s.with_points({"a": 80, "b": 20})
        >>> v.node("b1").points, v.node("b2").points
        (15.0, 5.0)
        """
        if self.paradigm != "points":
            raise SchemeError("with_points changes points: it needs a points scheme",
                              hint="for a composite scheme use scheme.update({'nodes.<id>.weight': w})")
        for nid in points:
            self.node(nid)  # unknown ids raise with a suggestion
        raw = self.to_dict()
        _repoint(raw["structure"], points)
        return Scheme.from_dict(raw, file=self.file)

    def replace(self, **sections: Any) -> Scheme:
        """Return a new scheme with whole top-level sections replaced."""
        raw = self.to_dict()
        for key, value in sections.items():
            if key not in SchemeModel.model_fields:
                raise SchemeError(f"no section {key!r}{did_you_mean(key, SchemeModel.model_fields)}")
            raw[key] = value
        return Scheme.from_dict(raw, file=self.file)

    def _raw_node(self, raw: dict[str, Any], node_id: str) -> dict[str, Any]:
        self.node(node_id)  # raises with a suggestion when unknown
        stack = [raw["structure"]]
        while stack:
            cur = stack.pop()
            if cur.get("id") == node_id:
                return cur
            stack.extend(cur.get("children") or [])
        raise UnknownNameError(f"node {node_id!r} not found")  # pragma: no cover

    def __repr__(self) -> str:
        return (f"Scheme(id={self.id!r}, paradigm={self.paradigm!r}, nodes={len(self.nodes)}, "
                f"indicators={len(self.leaves)}, file={self.file!r})")


def _rescale(node: dict[str, Any], factor: float) -> None:
    node["points"] = round(float(node["points"]) * factor, 9)
    for child in node.get("children") or ():
        _rescale(child, factor)


def _repoint(node: dict[str, Any], points: Mapping[str, float]) -> None:
    old = node.get("points")
    if node.get("id") in points:
        node["points"] = float(points[node["id"]])
    children = node.get("children") or []
    if not children:
        return
    if not any(c.get("id") in points for c in children) and old and float(old) != float(node["points"]):
        for child in children:
            _rescale(child, float(node["points"]) / float(old))
    for child in children:
        _repoint(child, points)


def _step(container: Any, key: str, address: str) -> Any:
    if isinstance(container, list):
        try:
            return container[int(key)]
        except (ValueError, IndexError):
            raise SchemeError(f"address {address!r}: {key!r} is not an index of a list of "
                              f"{len(container)}") from None
    if isinstance(container, dict):
        if key not in container:
            raise SchemeError(f"address {address!r}: no key {key!r}{did_you_mean(key, container)}")
        return container[key]
    raise SchemeError(f"address {address!r}: cannot go into {type(container).__name__}")


def _is_model_field(keys: list[str], on_node: bool) -> bool:
    if on_node and len(keys) == 1:
        return keys[0] in Node.model_fields
    if not on_node and len(keys) == 1:
        return keys[0] in SchemeModel.model_fields
    return False


def _tiny_points() -> dict[str, Any]:
    """A small points scheme used in doctests."""
    leaf = {"rule": {"method": "binary"}}
    return {"id": "tp", "label": {"zh": "例", "en": "t"}, "paradigm": "points",
            "structure": {"id": "root", "label": {"zh": "总", "en": "all"}, "points": 100, "children": [
                {"id": "a", "label": {"zh": "甲", "en": "A"}, "points": 60, **leaf},
                {"id": "b", "label": {"zh": "乙", "en": "B"}, "points": 40, "children": [
                    {"id": "b1", "label": {"zh": "乙1", "en": "B1"}, "points": 30, **leaf},
                    {"id": "b2", "label": {"zh": "乙2", "en": "B2"}, "points": 10, **leaf}]}]}}


def _tiny() -> dict[str, Any]:
    """A two-indicator composite scheme used in doctests."""
    return {
        "id": "tiny", "label": {"zh": "小", "en": "tiny"}, "paradigm": "composite",
        "structure": {"id": "index", "label": {"zh": "指数", "en": "index"},
                      "aggregate": "arithmetic",
                      "children": [
                          {"id": "a", "label": {"zh": "甲", "en": "A"}, "normalise": "minmax"},
                          {"id": "b", "label": {"zh": "乙", "en": "B"}, "normalise": "minmax",
                           "direction": "lower"}]},
    }
