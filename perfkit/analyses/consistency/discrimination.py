"""Does a special assessment tell units apart, and does it tell them apart the same way
every year? Share of units at or above a ceiling score, spread, and the rank correlation
of each unit's results with the previous rounds'."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from perfkit.results import html_head, html_table

__all__ = ["DiscriminationResult", "discrimination"]


@dataclass(frozen=True, eq=False)
class DiscriminationResult:
    """Per special assessment: how well its results discriminate and how stable they are.

    Attributes
    ----------
    table
        One row per assessment: ``n``, ``mean``, ``sd``, ``min``, ``max``, ``cv``
        (coefficient of variation, sd/mean), ``share_ceiling`` (share of units at or above
        ``ceiling``), ``stability`` (mean Spearman correlation with the previous rounds,
        over units in both), ``rounds`` (previous rounds compared).
    stability
        Long table: ``assessment_id``, ``round`` (a previous round), ``n`` units in both,
        ``spearman``.
    ceiling
        The score counted as the ceiling (e.g. 95).
    """

    table: pd.DataFrame
    stability: pd.DataFrame
    ceiling: float
    params: Mapping = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return f"DiscriminationResult(assessments={list(self.table.index)}, ceiling={self.ceiling:g})"

    def _repr_html_(self) -> str:
        return html_head("Discrimination and stability of the special assessments", {"ceiling": self.ceiling}) + \
            html_table(self.table) + html_table(self.stability)


def discrimination(results: pd.DataFrame, previous: Mapping[str, pd.DataFrame] | None = None, *,
                   ceiling: float = 95.0, min_units: int = 3) -> DiscriminationResult:
    """Discrimination (share at the ceiling, coefficient of variation) of each assessment's
    results this round, and stability (Spearman correlation with each previous round over
    the units in both).

    Parameters
    ----------
    results
        This round's special results (``assessment_id, unit_id, score``).
    previous
        ``{round: special results}`` of earlier rounds.
    ceiling
        Scores at or above it count as the ceiling.
    min_units
        Fewest units in common for a year-on-year correlation.

    Examples
    --------
    >>> r = pd.DataFrame({"assessment_id": ["a"] * 4, "unit_id": list("wxyz"), "score": [96, 97, 90, 99]})
    >>> float(discrimination(r).table.loc["a", "share_ceiling"])
    0.75
    """
    rows, stab = [], []
    earlier = {rnd: _by_assessment(prev) for rnd, prev in (previous or {}).items()}
    for aid, s in _by_assessment(results).items():
        mean = float(s.mean()) if len(s) else np.nan
        sd = float(s.std(ddof=1)) if len(s) > 1 else np.nan
        corr = []
        for rnd, prev in earlier.items():
            p = prev.get(aid)
            if p is None:
                continue
            both = s.index.intersection(p.index)
            a, b = s[both].to_numpy(), p[both].to_numpy()
            if len(both) >= min_units and np.ptp(a) > 0 and np.ptp(b) > 0:
                rho = float(stats.spearmanr(a, b).statistic)
                corr.append(rho)
                stab.append({"assessment_id": aid, "round": str(rnd), "n": len(both), "spearman": rho})
        rows.append({"assessment_id": aid, "n": len(s), "mean": mean, "sd": sd,
                     "min": float(s.min()) if len(s) else np.nan, "max": float(s.max()) if len(s) else np.nan,
                     "cv": sd / mean if len(s) > 1 and mean else np.nan,
                     "share_ceiling": float((s >= ceiling).mean()) if len(s) else np.nan,
                     "stability": float(np.mean(corr)) if corr else np.nan, "rounds": len(corr)})
    table = pd.DataFrame(rows, columns=["assessment_id", "n", "mean", "sd", "min", "max", "cv", "share_ceiling",
                                        "stability", "rounds"]).set_index("assessment_id")
    return DiscriminationResult(table=table, stability=pd.DataFrame(stab, columns=["assessment_id", "round", "n",
                                                                                   "spearman"]),
                                ceiling=float(ceiling), params={"ceiling": ceiling, "min_units": min_units})


def _by_assessment(results: pd.DataFrame) -> dict[str, pd.Series]:
    """Per assessment, its scores by unit (numbers; the first result of a unit)."""
    aid = results["assessment_id"].astype(str).to_numpy(dtype=object)
    uid = results["unit_id"].astype(str).to_numpy(dtype=object)
    score = pd.to_numeric(results["score"], errors="coerce").to_numpy(dtype=float)
    out: dict[str, pd.Series] = {}
    for a in dict.fromkeys(aid):
        m = (aid == a) & ~np.isnan(score)
        s = pd.Series(score[m], index=uid[m])
        out[str(a)] = s[~s.index.duplicated(keep="first")]
    return out
