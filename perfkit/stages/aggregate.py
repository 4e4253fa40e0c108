"""Aggregating a node from its children.

:func:`aggregate_node` calls the aggregation kernel (:mod:`perfkit.kernels.aggregate`)
with the replicates' weights batched: many weight vectors against one matrix of children
scores is one matrix product inside the kernel. A unit's children that do not apply to it
are missing and the weights renormalise over the others; TOPSIS, which compares units,
compares the applicable ones only.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from perfkit.errors import SchemeError
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.scheme.models import MethodSpec, Node
from perfkit.weighting import weights_from_spec

__all__ = ["aggregate_node", "child_weights", "derive_weights"]

def child_weights(scheme, node: Node) -> np.ndarray:
    """Relative weights of ``node``'s children as declared: their points in a points
    scheme, else their ``weight`` (1 when not given)."""
    if scheme.paradigm == "points":
        return np.array([c.points for c in node.children], dtype=float)
    return np.array([1.0 if c.weight is None else c.weight for c in node.children], dtype=float)


def derive_weights(spec: Mapping[str, Any], X: np.ndarray, app: np.ndarray, ids: Sequence[str], *,
                   node_id: str, where: Sequence[str] = ()):
    """Data-driven weights of a node's children (``weights:`` in the scheme), derived from
    the applicable units with every child scored.

    Parameters
    ----------
    spec
        The weighting spec (:func:`perfkit.weighting.weights_from_spec`).
    X
        ``(n_units, n_children)`` children scores.
    app
        ``(n_units,)`` units the node applies to.
    ids
        The children's ids.
    node_id, where
        The node and the location of its spec, for messages.

    Returns
    -------
    The weighting result (its ``weights`` are the children's weights).

    Raises
    ------
    SchemeError
        Fewer than two complete units.
    """

    rows = app & ~np.isnan(X).any(axis=1)
    if rows.sum() < 2:
        raise SchemeError(f"node {node_id!r}: too few complete units ({int(rows.sum())}) to derive weights",
                          where=list(where))
    return weights_from_spec(dict(spec), X[rows], np.ones(len(ids)), list(ids))


def aggregate_node(spec: MethodSpec, X: np.ndarray, weights: np.ndarray, app: np.ndarray) -> np.ndarray:
    """A node's scores from its children's, over the units it applies to.

    Parameters
    ----------
    spec
        The aggregation method and its parameters.
    X
        Children scores ``(..., n_units, n_children)``, NaN for a child that does not
        apply to the unit (the weights renormalise over the others).
    weights
        Relative weights ``(n_children,)`` or ``(..., n_children)``; leading axes line up
        with those of ``X`` (one weight vector per replicate against one shared ``X``
        is one matrix product).
    app
        ``(n_units,)`` units the node applies to; the others get NaN. TOPSIS compares
        applicable units only, and its closeness in [0, 1] is scaled to 0-100.

    Returns
    -------
    ndarray
        ``(..., n_units)``, the leading axes of ``X`` and ``weights`` broadcast.

    Raises
    ------
    ValueError
        Invalid parameters or weights (the kernel's message), or values a mean cannot
        take (zeros or negatives in a geometric or harmonic mean with ``zero='raise'``,
        negatives in a Mazziotta-Pareto index).

    Examples
    --------
    >>> X = np.array([[60.0, 80.0], [90.0, np.nan], [50.0, 50.0]])
    >>> aggregate_node(MethodSpec(method="arithmetic"), X, np.array([[1.0, 3.0], [1.0, 1.0]]),
    ...                np.array([True, True, False]))
    array([[75., 90., nan],
           [70., 90., nan]])
    """
    X = np.asarray(X, dtype=float)
    W = np.asarray(weights, dtype=float)
    n_units, n_children = X.shape[-2:]
    lead = np.broadcast_shapes(X.shape[:-2], W.shape[:-1])
    Xb = _batch(X, lead, (n_units, n_children))
    Wb = _batch(W, lead, (n_children,))
    method = AGGREGATE.get(spec.method)
    params = dict(spec.params)
    all_app = bool(np.all(app))
    Xa = Xb if all_app else np.where(app[:, None], Xb, np.nan)
    if method.name == "topsis":  # compares units: the applicable ones only, closeness on 0-100
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sub = np.asarray(method.func(Xa[:, app, :], weights=Wb, **params)) * 100.0
        out = np.full((sub.shape[0], n_units), np.nan)
        out[:, app] = sub
    else:
        out = np.asarray(method.func(Xa, weights=Wb, **params), dtype=float)
    out = out if all_app else np.where(app, out, np.nan)
    return out.reshape(*lead, n_units)


def _batch(a: np.ndarray, lead: tuple[int, ...], core: tuple[int, ...]) -> np.ndarray:
    """``a`` with its leading axes flattened into one: length 1 when it has none to
    broadcast (shared by every replicate), else ``prod(lead)``."""
    if math.prod(a.shape[:-len(core)]) == 1:
        return a.reshape(1, *core)
    return np.broadcast_to(a, (*lead, *core)).reshape(-1, *core)
