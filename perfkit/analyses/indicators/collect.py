"""One round as the review reads it: arrays taken from an :class:`~perfkit.engine.Evaluation`.

The review never re-scores anything: it reads the evaluation's stages (raw values, scores,
node scores, points, weights, treatment log, qualitative grades) and re-aggregates a node
only to ask "what would the parent be without this child" (with the engine's own
:func:`perfkit.stages.aggregate_node`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import numpy as np
import pandas as pd

from perfkit.analyses.indicators.design import indicator_nodes
from perfkit.engine.evaluation import Evaluation, Reason
from perfkit.scheme.models import MethodSpec
from perfkit.stages import aggregate_node

__all__ = ["RoundView", "round_label"]


def round_label(ev: Evaluation, position: int) -> str:
    """The round's name: the data's ``round``, else the scheme's ``version``, else its position."""
    return str(ev.data.round or ev.scheme.model.version or position + 1)


def _weights(ev: Evaluation, node_id: str, ids: list[str]) -> np.ndarray:
    w = ev.weights.get(node_id)
    w = getattr(w, "weights", w)
    if isinstance(w, pd.Series):
        w = w.reindex(ids).to_numpy(dtype=float)
    w = np.asarray(w, dtype=float)
    return w / w.sum() if w.sum() > 0 else w


@dataclass(frozen=True, eq=False)
class RoundView:
    """One evaluated round, as units x indicators arrays.

    Attributes
    ----------
    round
        The round's name.
    ev
        The evaluation.
    ids
        The indicators (leaves and functional-target nodes), in scheme order.
    """

    round: str
    ev: Evaluation

    @cached_property
    def scheme(self):
        return self.ev.scheme

    @cached_property
    def ids(self) -> list[str]:
        return list(indicator_nodes(self.scheme))

    @cached_property
    def units(self) -> pd.Index:
        return self.ev.results.index

    @cached_property
    def table(self) -> pd.DataFrame:
        """Every node's score (indicators and aggregates), units x nodes."""
        return pd.concat([self.ev.scores, self.ev.nodes], axis=1)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Indicator scores (0-100); NaN where the indicator does not apply or has no value."""
        return self.ev.scores[self.ids].where(self.valued)

    @cached_property
    def reasons(self) -> pd.DataFrame:
        """The engine's reason code per cell (:class:`perfkit.engine.Reason`; ``""`` for the
        functional-target nodes, which have none)."""
        return self.ev.reasons.reindex(columns=self.ids).astype(object).fillna("")

    @cached_property
    def applicable(self) -> pd.DataFrame:
        """Units each indicator applies to (and that passed the screen)."""
        return self.ev.scores[self.ids].notna() | (self.reasons == Reason.NO_VALUE)

    @cached_property
    def valued(self) -> pd.DataFrame:
        """Applicable units with a value (missing values score 0 in a points scheme: they are
        left out of every statistic and counted as missing instead)."""
        return self.ev.scores[self.ids].notna() & (self.reasons != Reason.NO_VALUE)

    @cached_property
    def values(self) -> pd.DataFrame:
        """Values as submitted (raw; an imputed cell stays missing here), and the score for
        functional-target nodes, which have no raw value of their own."""
        out = self.ev.raw.reindex(columns=self.ids)
        own = [c for c in self.ids if c not in self.ev.raw.columns]
        out[own] = self.ev.scores[own]
        return out.where(self.valued)

    @cached_property
    def imputed(self) -> pd.DataFrame:
        imp = self.ev.treatment.get("imputed")
        out = pd.DataFrame(False, index=self.units, columns=self.ids)
        if isinstance(imp, pd.DataFrame):
            cols = [c for c in imp.columns if c in out.columns]
            out[cols] = imp[cols].reindex(self.units).fillna(False).astype(bool)
        return out & self.applicable

    @cached_property
    def groups(self) -> np.ndarray | None:
        """The units' categories when units are ranked within categories (two or more of
        them in the round), else ``None``: relational statistics are then within category."""
        cat = self.ev.results["category"].astype(str).to_numpy(dtype=object)
        return cat if len(set(cat.tolist())) > 1 else None

    @cached_property
    def final(self) -> np.ndarray:
        return self.ev.results["final"].to_numpy(dtype=float)

    def parent(self, nid: str) -> str | None:
        return self.scheme.parent[nid]

    def children(self, pid: str) -> list[str]:
        return [c.id for c in self.scheme.nodes[pid].children]

    @cached_property
    def aggregates(self) -> list[str]:
        """Aggregate nodes (with children), parents before children."""
        return [nid for nid, n in self.scheme.nodes.items() if n.children]

    def group_weights(self, pid: str) -> np.ndarray:
        """The normalised weights ``pid`` aggregated its children with."""
        return _weights(self.ev, pid, self.children(pid))

    def nominal_share(self, nid: str) -> float:
        """The share of the final score ``nid`` is worth: in a points scheme its points
        available over the total, averaged over the units it applies to; otherwise the
        product of the normalised weights on its path (COINr's effective weight)."""
        if self.ev.max_points is not None:
            mp = self.ev.max_points[nid]
            root = float(self.ev.max_points[self.scheme.root.id].max())
            on = mp[mp > 0]
            return float(on.mean() / root) if len(on) and root > 0 else 0.0
        share = 1.0
        path = self.scheme.paths[nid]
        for parent, child in pairwise(path):
            kids = self.children(parent)
            share *= float(self.group_weights(parent)[kids.index(child)])
        return share

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Every column of :attr:`table` as a float array (read many times by the re-aggregation)."""
        return {c: self.table[c].to_numpy(dtype=float) for c in self.table.columns}

    def columns(self, ids: list[str]) -> np.ndarray:
        """``(n_units, len(ids))``: the node scores of ``ids``."""
        return np.column_stack([self.arrays[i] for i in ids])

    def _aggregate(self, pid: str, X: np.ndarray, w: np.ndarray) -> np.ndarray:
        node = self.scheme.nodes[pid]
        spec = node.aggregate or MethodSpec(method="arithmetic")
        app = ~np.isnan(self.arrays[pid])
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return aggregate_node(spec, X, w, app)

    def aggregate(self, pid: str):
        """``(X, w) -> parent scores`` with ``pid``'s own aggregation (for re-weighting)."""
        return lambda X, w: self._aggregate(pid, X, np.asarray(w, dtype=float))

    @cached_property
    def rest(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per indicator and aggregate: ``(parent without it, final score without it)``,
        re-aggregated with the engine's method (NaN where nothing else is left)."""
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        scale = (self.scheme.root.points or 100.0) / 100.0 if self.scheme.paradigm == "points" else 1.0
        root = self.arrays[self.scheme.root.id]
        for pid in self.aggregates:
            kids = self.children(pid)
            X = self.columns(kids)
            w = self.group_weights(pid)
            W = np.tile(w, (len(kids), 1))
            np.fill_diagonal(W, 0.0)
            parents = np.full((len(kids), len(self.units)), np.nan)
            some = W.sum(axis=1) > 0  # an only child leaves nothing behind
            if some.any():
                parents[some] = self._aggregate(pid, X, W[some])
            for j, kid in enumerate(kids):
                new = parents[j]
                up = pid
                while self.parent(up) is not None:  # carry the change up to the root
                    gp = self.parent(up)
                    sib = self.children(gp)
                    Xg = self.columns(sib)
                    Xg[:, sib.index(up)] = new
                    new = self._aggregate(gp, Xg, self.group_weights(gp))
                    up = gp
                out[kid] = (parents[j], self.final + (new - root) * scale)
        return out
