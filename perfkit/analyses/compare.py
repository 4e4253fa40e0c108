"""Scheme comparison: two or more schemes (or weight sets) on the same data, side by side."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from perfkit.engine.evaluate import evaluate
from perfkit.engine.evaluation import Evaluation
from perfkit.errors import SchemeError
from perfkit.io.round import RoundData
from perfkit.results import html_head, html_table
from perfkit.scheme import Scheme

__all__ = ["ComparisonResult", "compare", "with_weights"]


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """Two or more schemes (or weight sets) on the same data, side by side.

    Attributes
    ----------
    units
        One row per unit: score, rank and grade under each scheme, rank shift and grade
        change against the reference (the first).
    correlations
        Pairwise Spearman and Kendall correlations of the final scores (long table:
        ``a``, ``b``, ``spearman``, ``kendall``, ``n``), overall and within each category.
    summary
        Per scheme: mean absolute rank shift against the reference, units changing grade,
        largest rank shift.
    """

    units: pd.DataFrame
    correlations: pd.DataFrame
    summary: pd.DataFrame
    names: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def chart(self, lang: str = "en"):
        from perfkit.charts.sensitivity import comparison_chart  # deferred: Altair loads only for a chart

        return comparison_chart(self, lang=lang)

    def __repr__(self) -> str:
        return f"ComparisonResult(schemes={list(self.names)}, units={len(self.units)})"

    def _repr_html_(self) -> str:
        return html_head("Scheme comparison", {"schemes": ", ".join(self.names)}) + html_table(self.summary) + \
            html_table(self.correlations) + html_table(self.units, rows=60)


def with_weights(scheme: Scheme, weights: Mapping[str, float]) -> Scheme:
    """A variant of ``scheme`` with other weights (composite schemes) or points (points
    schemes) for the nodes named, at any level — a weight set to compare.

    Points schemes go through :meth:`Scheme.with_points` (a node whose children are not
    given keeps its inner balance; the points must still add up at every level),
    composite schemes through ``scheme.update({"nodes.<id>.weight": w})``.

    >>> from perfkit.datasets.examples import tiny_points
    >>> s, _ = tiny_points()
    >>> v = with_weights(s, {"targets": 50, "common": 35})
    >>> v.node("hotline").points, v.node("satisfaction").points
    (21.0, 15.0)
    """
    root = scheme.root.id
    for k, v in weights.items():
        scheme.node(k)  # unknown ids raise with a suggestion
        if k == root:
            raise SchemeError(f"{k!r} is the root; give the weights or points of its children")
        if isinstance(v, bool) or not (isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(v)
                                       and v >= 0):
            raise SchemeError(f"weight of {k!r} must be a non-negative number (got {v!r})")
    if scheme.paradigm == "points":
        return scheme.with_points({k: float(v) for k, v in weights.items()})
    return scheme.update({f"nodes.{k}.weight": float(v) for k, v in weights.items()})


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
