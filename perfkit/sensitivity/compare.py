"""Scheme comparison: two or more schemes (or weight sets) on the same data, side by side."""
from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from perfkit.errors import did_you_mean
from perfkit.evaluate import evaluate
from perfkit.evaluation import Evaluation
from perfkit.io.round import RoundData
from perfkit.scheme import Scheme, load_scheme
from perfkit.sensitivity.factors import FactorError
from perfkit.sensitivity.results import ComparisonResult

__all__ = ["compare", "with_weights"]


def with_weights(scheme: Scheme, weights: Mapping[str, float]) -> Scheme:
    """A variant of ``scheme`` with other weights (composite schemes) or points (points
    schemes) for the nodes named, at any level.

    In a points scheme each node named gets the points given and its subtree is rescaled
    in proportion (nodes named deeper down then get theirs); every node's children must
    still add up to its points, and the root's points become its children's total.

    >>> from perfkit.sensitivity.examples import tiny_points
    >>> s, _ = tiny_points()
    >>> v = with_weights(s, {"targets": 50, "satisfaction": 25})
    >>> v.node("satisfaction").points, v.node("hotline").points, v.root.points
    (25.0, 15.0, 100.0)
    """
    raw = scheme.to_dict()
    nodes = {}
    stack = [raw["structure"]]
    while stack:
        cur = stack.pop()
        nodes[cur["id"]] = cur
        stack.extend(cur.get("children") or [])
    root = raw["structure"]["id"]
    for k, v in weights.items():
        if k not in nodes:
            raise FactorError(f"no node {k!r} in scheme {scheme.id!r}{did_you_mean(k, nodes)}")
        if k == root:
            raise FactorError(f"{k!r} is the root; give the weights or points of its children")
        if not (isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(v) and v >= 0):
            raise FactorError(f"weight of {k!r} must be a non-negative number (got {v!r})")
    order = sorted(weights, key=lambda k: len(scheme.paths[k]))
    if scheme.paradigm == "points":
        for k in order:
            _rescale(nodes[k], float(weights[k]))
        for nid, node in nodes.items():
            kids = node.get("children") or []
            if kids and nid != root:
                total = sum(float(c["points"]) for c in kids)
                if abs(total - float(node["points"])) > 1e-9:
                    raise FactorError(f"the children of {nid!r} add up to {total:g} points, not its "
                                      f"{float(node['points']):g}", hint="give consistent points at every level")
        total = sum(float(c["points"]) for c in raw["structure"]["children"])
        raw["structure"]["points"] = total
        if raw.get("total_points") is not None:
            raw["total_points"] = total
    else:
        for k in order:
            nodes[k]["weight"] = float(weights[k])
    return load_scheme(raw)


def _rescale(node: dict, points: float) -> None:
    old = float(node["points"])
    node["points"] = points
    for c in node.get("children") or []:
        _rescale(c, float(c["points"]) * points / old if old > 0 else 0.0)


def compare(schemes: Mapping[str, Scheme | Evaluation], data: RoundData | None = None) -> ComparisonResult:
    """Evaluate two or more schemes on the same data and compare them with the first.

    Parameters
    ----------
    schemes
        ``{name: Scheme or Evaluation}``; the first is the reference. Build weight-set
        variants with :func:`with_weights`.
    data
        The round data (needed for schemes given as :class:`Scheme`).

    Returns
    -------
    ComparisonResult
        Per unit scores, ranks and grades side by side, rank shifts and grade changes
        against the reference, Spearman and Kendall correlations of every pair.
    """
    if not isinstance(schemes, Mapping) or len(schemes) < 2:
        raise ValueError("give at least two schemes as {name: scheme or evaluation}")
    evs: dict[str, Evaluation] = {}
    for name, s in schemes.items():
        if isinstance(s, Evaluation):
            evs[name] = s
        elif isinstance(s, Scheme):
            if data is None:
                raise ValueError(f"scheme {name!r} needs the round data: compare(schemes, data)")
            evs[name] = evaluate(s, data)
        else:
            raise TypeError(f"{name!r}: expected a Scheme or an Evaluation, got {type(s).__name__}")
    names = list(evs)
    ref = evs[names[0]].results
    units = pd.DataFrame({"name_zh": ref["name_zh"], "name_en": ref["name_en"], "category": ref["category"]})
    for nm in names:
        r = evs[nm].results.reindex(ref.index)
        if r["final"].isna().all():
            raise ValueError(f"scheme {nm!r} scores none of the reference's units")
        units[f"final[{nm}]"] = r["final"]
        units[f"rank[{nm}]"] = r["rank"]
        units[f"grade[{nm}]"] = r["grade"]
    for nm in names[1:]:
        units[f"rank_shift[{nm}]"] = units[f"rank[{nm}]"] - units[f"rank[{names[0]}]"]
        units[f"grade_changed[{nm}]"] = (units[f"grade[{nm}]"].astype(object) != units[f"grade[{names[0]}]"].astype(
            object)) & units[f"grade[{names[0]}]"].notna()
    corr_rows = []
    groups = [("all", np.ones(len(units), dtype=bool))] + [
        (c, (units["category"] == c).to_numpy()) for c in pd.unique(units["category"])]
    for a, b in combinations(names, 2):
        for label, sel in groups:
            x = units.loc[sel, f"final[{a}]"].to_numpy(dtype=float)
            y = units.loc[sel, f"final[{b}]"].to_numpy(dtype=float)
            ok = ~(np.isnan(x) | np.isnan(y))
            n = int(ok.sum())
            if n >= 3 and np.ptp(x[ok]) > 0 and np.ptp(y[ok]) > 0:
                rho = stats.spearmanr(x[ok], y[ok]).statistic
                tau = stats.kendalltau(x[ok], y[ok]).statistic
            else:
                rho = tau = np.nan
            corr_rows.append({"a": a, "b": b, "category": label, "spearman": float(rho), "kendall": float(tau),
                              "n": n})
    summary_rows = []
    for nm in names:
        row = {"scheme": nm}
        if nm == names[0]:
            row.update(mean_abs_rank_shift=0.0, max_abs_rank_shift=0.0, grade_changes=0)
        else:
            sh = units[f"rank_shift[{nm}]"].abs()
            row.update(mean_abs_rank_shift=float(sh.mean()), max_abs_rank_shift=float(sh.max()),
                       grade_changes=int(units[f"grade_changed[{nm}]"].sum()))
        summary_rows.append(row)
    return ComparisonResult(units=units, correlations=pd.DataFrame(corr_rows),
                            summary=pd.DataFrame(summary_rows).set_index("scheme"), names=tuple(names))
