"""Aggregating a node from its children.

The weighted means (arithmetic, geometric, harmonic, Mazziotta-Pareto) are computed as
matrix products over the children, so that many replicates of weights against one matrix
of children scores cost one product; the arithmetic is the aggregation kernels'
(:mod:`perfkit.kernels.aggregate`), summed in another order. TOPSIS (and any other
method) calls its kernel. Either way a unit's children that do not apply to it are
missing and the weights renormalise over the others.
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

_MEANS = ("arithmetic", "geometric", "harmonic", "mazziotta_pareto")


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
    method = AGGREGATE.get(spec.method).name
    params = dict(spec.params)
    func = AGGREGATE.get(spec.method).func
    all_app = bool(np.all(app))
    Xa = Xb if all_app else np.where(app[:, None], Xb, np.nan)
    if method in _MEANS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            func(np.ones((1, n_children)), weights=Wb, **params)  # the kernel checks parameters and weights
        out = _weighted_mean(method, params, Xa, Wb)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if method == "topsis":
                sub = np.asarray(func(Xa[:, app, :], weights=Wb, **params)) * 100.0
                out = np.full((sub.shape[0], n_units), np.nan)
                out[:, app] = sub
            else:
                out = np.asarray(func(Xa, weights=Wb, **params), dtype=float)
    out = out if all_app else np.where(app, out, np.nan)
    return out.reshape(*lead, n_units)


def _batch(a: np.ndarray, lead: tuple[int, ...], core: tuple[int, ...]) -> np.ndarray:
    """``a`` with its leading axes flattened into one: length 1 when it has none to
    broadcast (shared by every replicate), else ``prod(lead)``."""
    if math.prod(a.shape[:-len(core)]) == 1:
        return a.reshape(1, *core)
    return np.broadcast_to(a, (*lead, *core)).reshape(-1, *core)


def _wsum(A: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``sum_c W[r, c] A[r, u, c]`` with either side possibly shared (leading axis 1)."""
    if A.shape[0] == 1:
        return W @ A[0].T
    if W.shape[0] == 1:
        return A @ W[0]
    return np.einsum("ruc,rc->ru", A, W)


def _weighted_mean(method: str, params: dict, Xa: np.ndarray, W: np.ndarray) -> np.ndarray:
    """The kernels' weighted means of ``Xa`` ``(b, U, C)`` with weights ``W`` ``(bw, C)``
    over each unit's available children: ``(max(b, bw), U)``."""
    mask = ~np.isnan(Xa)
    full = bool(mask.all())
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if full:
            ok = True
            den = W.sum(axis=-1)[:, None]

            def fill(v, f):
                return v
        else:
            den = _wsum(mask.astype(float), W)
            ok = den > 0
            den = np.where(ok, den, 1.0)

            def fill(v, f):
                return np.where(mask, v, f)

        if method == "arithmetic":
            out = _wsum(fill(Xa, 0.0), W) / den
        elif method == "geometric":
            xp, s = _positive(Xa, params, method)
            out = np.exp(_wsum(np.log(fill(xp, 1.0)), W) / den) - s
        elif method == "harmonic":
            xp, s = _positive(Xa, params, method)
            out = 1.0 / (_wsum(fill(1.0 / xp, 0.0), W) / den) - s
        else:
            out = _mazziotta_pareto(Xa, W, den, fill, params.get("penalty", -1))
    return out if full else np.where(ok, out, np.nan)


def _mazziotta_pareto(Xa, W, den, fill, penalty) -> np.ndarray:
    if np.any(Xa < 0):
        raise ValueError("mazziotta_pareto: negative values present; normalise onto a non-negative scale first "
                         "(e.g. zscore with mean=100, sd=10, or minmax)")
    xf = fill(Xa, 0.0)
    m = _wsum(xf, W) / den
    if Xa.shape[0] == 1 and W.shape[0] > 1:  # one matrix, many weights: the variance as E[x^2] - m^2
        s2 = np.maximum(_wsum(xf * xf, W) / den - m * m, 0.0)
    else:
        dev = xf - m[..., None]
        s2 = _wsum(fill(dev * dev, 0.0), W) / den
    return np.where(m > 0, m + penalty * s2 / np.where(m > 0, m, 1.0), m)


def _positive(x: np.ndarray, params: Mapping[str, Any], who: str) -> tuple[np.ndarray, float]:
    """The ``zero`` policy of a geometric or harmonic mean: values made positive, and the
    shift to subtract from the mean again."""
    zero = params.get("zero", "raise")
    if zero == "raise":
        if np.any(x <= 0):
            raise ValueError(
                f"{who}: zeros or negative values reach a {who} mean, which needs positive values; "
                "normalise onto a positive range, or choose zero='shift' (add a constant, then subtract it) "
                "or zero='floor' (raise small values to a floor)")
        return x, 0.0
    if zero == "shift":
        s = 1.0 if params.get("shift") is None else float(params["shift"])
        if np.any(x + s <= 0):
            raise ValueError(f"{who}: values below -shift ({-s}) stay non-positive after shifting")
        return x + s, s
    f = 0.01 if params.get("floor") is None else float(params["floor"])
    return np.where(x < f, f, x), 0.0
