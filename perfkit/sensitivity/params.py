"""Replicate parameters: what each replicate of a batch changes, as arrays.

A :class:`Params` holds, for ``n`` replicates, every change the factors made to the
nominal evaluation. The batched evaluator (:mod:`perfkit.sensitivity.batch`) reads it;
:func:`perfkit.sensitivity.variant.replicate_variant` turns one row of it into the
equivalent scheme and round data for a full :func:`perfkit.evaluate`. Both read the same
record, which is what makes the slow-path check meaningful.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfkit.scheme.models import MethodSpec

__all__ = ["Choice", "Params"]


@dataclass(frozen=True, eq=False)
class Choice:
    """A discrete choice per replicate: ``options[index[r]]`` for replicate ``r``."""

    options: tuple[Any, ...]
    index: np.ndarray

    def take(self, rows: np.ndarray) -> Choice:
        return Choice(self.options, self.index[rows])


@dataclass(eq=False)
class Params:
    """Per-replicate changes to the nominal evaluation (``n`` replicates).

    Attributes
    ----------
    normalise
        ``[(leaf ids, Choice of MethodSpec)]``: the normalisation used for those leaves.
    aggregate
        Node id -> Choice of MethodSpec.
    weights
        Node id -> ``(n, n_children)`` relative weights of its children.
    weight_method
        Node id -> Choice of weighting spec dicts (``None`` = the declared weights).
    rule_param
        ``(node id, parameter) -> (n,)`` values of a scoring-rule parameter.
    dropped
        ``(n,)`` position of the left-out indicator in the compiled leaves, -1 for none.
    survey_keys
        ``(n,)`` keys of the survey bootstrap realisations (see :class:`SurveyBootstrap`).
    noise
        ``(factor, (n,) keys)`` for measurement error.
    quota
        ``(grading table, grade index) -> (n,)`` grade quotas (max_share).
    """

    n: int
    normalise: list[tuple[tuple[str, ...], Choice]] = field(default_factory=list)
    aggregate: dict[str, Choice] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    weight_method: dict[str, Choice] = field(default_factory=dict)
    rule_param: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    dropped: np.ndarray | None = None
    survey_keys: np.ndarray | None = None
    survey_factor: Any = None
    noise: tuple[Any, np.ndarray] | None = None
    quota: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)

    def take(self, rows: np.ndarray) -> Params:
        """The replicates at positions ``rows``."""
        rows = np.asarray(rows)
        return Params(
            n=len(rows),
            normalise=[(ids, c.take(rows)) for ids, c in self.normalise],
            aggregate={k: c.take(rows) for k, c in self.aggregate.items()},
            weights={k: w[rows] for k, w in self.weights.items()},
            weight_method={k: c.take(rows) for k, c in self.weight_method.items()},
            rule_param={k: v[rows] for k, v in self.rule_param.items()},
            dropped=None if self.dropped is None else self.dropped[rows],
            survey_keys=None if self.survey_keys is None else self.survey_keys[rows],
            survey_factor=self.survey_factor,
            noise=None if self.noise is None else (self.noise[0], self.noise[1][rows]),
            quota={k: v[rows] for k, v in self.quota.items()},
        )

    def config_key(self) -> np.ndarray:
        """``(n, k)`` integer key of the choices that change leaf scores or the hierarchy
        (normalisation, left-out indicator): replicates with equal keys share leaf scores."""
        cols = [c.index for _, c in self.normalise]
        if self.dropped is not None:
            cols.append(self.dropped)
        if not cols:
            return np.zeros((self.n, 0), dtype=np.int64)
        return np.column_stack(cols).astype(np.int64)

    def normalise_spec(self, leaf_id: str, row: int = 0) -> MethodSpec | None:
        """The normalisation of ``leaf_id`` in replicate ``row`` (``None``: nominal)."""
        spec = None
        for ids, c in self.normalise:
            if leaf_id in ids:
                spec = c.options[int(c.index[row])]
        return spec
