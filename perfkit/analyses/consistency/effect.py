"""What folding each special assessment into the comprehensive score changes: ranks and
grades with and without it, by the scheme comparison (:func:`perfkit.analyses.compare`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfkit.analyses.compare import ComparisonResult, compare
from perfkit.analyses.consistency._evaluation import Without
from perfkit.engine.evaluation import Evaluation
from perfkit.results import html_head, html_table

__all__ = ["EffectResult", "effect"]


@dataclass(frozen=True, eq=False)
class EffectResult:
    """Per special assessment, the ranks and grades with and without it.

    Attributes
    ----------
    table
        One row per assessment: ``method`` (how it was left out), ``mean_abs_rank_shift``,
        ``max_abs_rank_shift``, ``grade_changes`` (units whose grade differs without it),
        ``units_changed`` (their ids, ``;``-separated).
    comparisons
        Per assessment, the full :class:`~perfkit.analyses.compare.ComparisonResult`
        (``"with"`` = the round as evaluated, ``"without"``).
    """

    table: pd.DataFrame
    comparisons: Mapping[str, ComparisonResult] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return f"EffectResult(assessments={list(self.table.index)})"

    def _repr_html_(self) -> str:
        return html_head("Ranks and grades with and without each special assessment", {}) + html_table(self.table)


def effect(ev: Evaluation, variants: Mapping[str, Without]) -> EffectResult:
    """Compare the round as evaluated with the round without each special assessment."""
    rows, comps = [], {}
    for aid, v in variants.items():
        row = {"assessment_id": aid, "method": v.method, "mean_abs_rank_shift": np.nan, "max_abs_rank_shift": np.nan,
               "grade_changes": 0 if v.method == "not_folded" else np.nan, "units_changed": ""}
        if v.evaluation is not None:
            c = compare({"with": ev, "without": v.evaluation})
            comps[aid] = c
            s = c.summary.loc["without"]
            changed = c.units.index[c.units["grade_changed[without]"].astype(bool)]
            row.update(mean_abs_rank_shift=float(s["mean_abs_rank_shift"]), max_abs_rank_shift=float(
                s["max_abs_rank_shift"]), grade_changes=int(s["grade_changes"]), units_changed=";".join(changed))
        elif v.method == "not_folded":
            row.update(mean_abs_rank_shift=0.0, max_abs_rank_shift=0.0)
        rows.append(row)
    table = pd.DataFrame(rows, columns=["assessment_id", "method", "mean_abs_rank_shift", "max_abs_rank_shift",
                                        "grade_changes", "units_changed"]).set_index("assessment_id")
    return EffectResult(table=table, comparisons=comps)
