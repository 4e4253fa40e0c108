"""The declared rules: when to keep, merge, fix or retire a special assessment, and what the
committee is told.

Every threshold is a field of :class:`Rules` (defaults below), which a registry may set in
its ``rules:`` section and a caller may override. Each rule that fires gives one
:class:`~perfkit.results.Recommendation` naming the rule (``rule.<code>`` in the catalogue
says it as a sentence), its threshold and the value found; an assessment no rule fires
for is kept. The most serious action decides (retire, then merge, then fix).

=========================  ========  ===============================================================
rule                       action    fires when
=========================  ========  ===============================================================
special_not_approved       fix       the registry gives no approval (准入许可) and ``require_approval``
special_ceiling            fix       at least ``ceiling_share`` of the units score ``ceiling_score`` or more
special_flat               fix       the coefficient of variation of the scores is below ``min_cv``
special_disagrees          fix       the upper bound of the Spearman interval (special vs the
                                     comprehensive score without it) is below ``disagree_below``
special_no_link            retire    ``|Spearman| < weak_link`` and folding it in changes at most
                                     ``no_effect_grade_changes`` grades and a mean absolute rank shift
                                     of at most ``no_effect_rank_shift`` (与中心工作关联度不大且没有实质作用)
special_unstable           fix       the mean Spearman correlation with earlier rounds is below
                                     ``unstable_below``
special_overlap            merge     at least ``merge_share`` of its indicator points are on
                                     indicators another special assessment measures too
special_double_counting    fix       one of its indicators is also counted through another channel
                                     (confirmed match) and more than ``double_counting_points`` points
                                     of some unit's score are duplicated
special_conflict           fix       one of its indicators has the opposite direction or a different
                                     target in another channel (confirmed match)
=========================  ========  ===============================================================
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from perfkit.analyses.consistency.registry import RegistryError
from perfkit.errors import did_you_mean
from perfkit.results import Recommendation

__all__ = ["Rules", "ACTIONS", "RULE_ACTION", "decide"]

#: Actions, most serious first.
ACTIONS = ("retire", "merge", "fix", "keep")
RULE_ACTION = {
    "special_not_approved": "fix", "special_ceiling": "fix", "special_flat": "fix", "special_disagrees": "fix",
    "special_no_link": "retire", "special_unstable": "fix", "special_overlap": "merge",
    "special_double_counting": "fix", "special_conflict": "fix",
}


@dataclass(frozen=True)
class Rules:
    """Thresholds of the consistency rules (see the module docstring for each rule).

    Attributes
    ----------
    ceiling_score, ceiling_share
        A score at or above ``ceiling_score`` is at the ceiling; ``special_ceiling`` fires
        when at least ``ceiling_share`` of the units are.
    min_cv
        ``special_flat``: coefficient of variation below which scores do not discriminate.
    disagree_below
        ``special_disagrees``: upper bound of the Spearman interval below this.
    weak_link, no_effect_grade_changes, no_effect_rank_shift
        ``special_no_link``: |Spearman| below ``weak_link`` and an effect no larger than these.
    unstable_below
        ``special_unstable``: mean year-on-year Spearman below this.
    merge_share
        ``special_overlap``: share of indicator points shared with another assessment.
    double_counting_points
        ``special_double_counting``: duplicated points above this.
    require_approval
        ``special_not_approved`` applies.
    clash_k
        At least this many assessments inspecting a unit in one week is a clash.
    label_threshold
        Label similarity from which two indicators are a candidate match.
    residual
        Standardised robust-regression residual from which a unit is named as disagreeing.
    """

    ceiling_score: float = 95.0
    ceiling_share: float = 0.5
    min_cv: float = 0.02
    disagree_below: float = 0.0
    weak_link: float = 0.2
    no_effect_grade_changes: int = 0
    no_effect_rank_shift: float = 0.5
    unstable_below: float = 0.3
    merge_share: float = 0.5
    double_counting_points: float = 0.0
    require_approval: bool = True
    clash_k: int = 3
    label_threshold: float = 0.6
    residual: float = 2.5

    def __post_init__(self) -> None:
        _check(self, "")

    @classmethod
    def of(cls, *sources: Rules | Mapping[str, Any] | None, where: str = "") -> Rules:
        """Defaults, overridden by each source in turn (a mapping of field names, or Rules)."""
        values: dict[str, Any] = {}
        names = [f.name for f in dataclasses.fields(cls)]
        for src in sources:
            if src is None:
                continue
            if isinstance(src, Rules):
                values.update(dataclasses.asdict(src))
                continue
            for k, v in src.items():
                if k not in names:
                    raise RegistryError(f"unknown rule threshold {k!r}{did_you_mean(str(k), names)}",
                                        where=[where, f"rules.{k}"] if where else [f"rules.{k}"],
                                        hint=f"thresholds: {', '.join(names)}")
                values[k] = v
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise RegistryError(str(exc), where=[where, "rules"] if where else ["rules"]) from None


_RANGES = {"ceiling_score": (0, 100), "ceiling_share": (0, 1), "min_cv": (0, math.inf),
           "disagree_below": (-1, 1), "weak_link": (0, 1), "no_effect_grade_changes": (0, math.inf),
           "no_effect_rank_shift": (0, math.inf), "unstable_below": (-1, 1), "merge_share": (0, 1),
           "double_counting_points": (0, math.inf), "clash_k": (2, math.inf), "label_threshold": (0, 1),
           "residual": (0, math.inf)}


def _check(r: Rules, where: str) -> None:
    for name, (lo, hi) in _RANGES.items():
        v = getattr(r, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (lo <= v <= hi):
            raise ValueError(f"rule threshold {name} must be a number from {lo:g} to {hi:g}, got {v!r}")
    for name in ("clash_k", "no_effect_grade_changes"):
        if int(getattr(r, name)) != getattr(r, name):
            raise ValueError(f"rule threshold {name} must be a whole number, got {getattr(r, name)!r}")
    if not isinstance(r.require_approval, bool):
        raise ValueError(f"require_approval must be true or false, got {r.require_approval!r}")


def decide(recommendations: tuple[Recommendation, ...] | list[Recommendation]) -> pd.DataFrame:
    """One row per subject: the most serious action and the rules that fired."""
    rows: dict[str, dict[str, Any]] = {}
    for r in recommendations:
        row = rows.setdefault(r.subject, {"subject": r.subject, "action": "keep", "rules": [], "other": ""})
        if ACTIONS.index(r.action) < ACTIONS.index(row["action"]):
            row["action"] = r.action
        if r.rule:
            row["rules"].append(r.rule)
        if r.action == "merge" and r.other:
            row["other"] = r.other
    out = pd.DataFrame(list(rows.values()), columns=["subject", "action", "rules", "other"])
    out["rules"] = out["rules"].map(lambda v: ";".join(v))
    return out.set_index("subject")
