"""Design completeness from the scheme alone: does each indicator declare what the source
document asks for (量化、可实施、可考核、可追责)?

For every indicator (leaf or functional-target node) a checklist of the design items below,
each ``True`` (declared, or implied by the scheme: a survey index is on 0-100 by
construction), ``False`` (missing) or ``None`` (does not apply to this kind of indicator):

==============  ===============================================================================
item            declared when
==============  ===============================================================================
definition      ``definition`` (what is measured and how: 指标解释/口径)
unit            ``unit`` (unit of measure); implied for survey, special-assessment and
                functional-target nodes (a 0-100 score or a completion ratio)
direction       ``direction`` written in the scheme (not the default), or implied by the source
                (survey, special, targets); n/a for qualitative indicators
target          a reference value: ``baseline``, or the rule's or normalisation's ``target``,
                ``floor``, ``low``/``high`` or ``bands``; a rule that takes each unit's target
                from the data, or whose full marks the rule itself defines (deduction,
                done/not done, grade mapping); targets for functional-target nodes
collector       ``collector`` (牵头单位); for a special assessment its owner department
frequency       ``frequency`` (how often the data are collected)
dimensions      ``dimensions`` (quantity / quality / time tags) — quantitative indicators only
lists           ``task_list`` / ``negative_list`` / ``positive_list`` — qualitative only
duty            ``duty`` (legal duty or central task) on the indicator or an ancestor
==============  ===============================================================================
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from perfkit.i18n import t
from perfkit.results import html_head, html_table
from perfkit.scheme import Scheme
from perfkit.stages.score import rule_parameters, scoring_method

__all__ = ["ITEMS", "DesignCompleteness", "design_completeness", "indicator_nodes"]

#: The checklist items, in display order (``ind.item.<item>`` in the catalogue).
ITEMS = ("definition", "unit", "direction", "target", "collector", "frequency", "dimensions", "lists", "duty")

_REFERENCE_PARAMS = ("target", "floor", "low", "high", "bands")
_SELF_DEFINED = ("deduction", "binary", "grade_map")


def indicator_nodes(scheme: Scheme) -> dict[str, Any]:
    """The scheme's indicators: its leaves and its functional-target nodes, in scheme order."""
    return {nid: n for nid, n in scheme.nodes.items() if n.is_leaf or n.source == "targets"}


@dataclass(frozen=True, eq=False)
class DesignCompleteness:
    """What each indicator of a scheme declares.

    Attributes
    ----------
    checklist
        One row per indicator, one column per item of :data:`ITEMS`: ``True`` declared,
        ``False`` missing, ``None`` not applicable; plus ``share`` (declared / applicable).
    share
        The scheme's completeness: declared items over applicable items, all indicators.
    missing_everywhere
        Items that apply to some indicator and that no indicator declares.
    scheme_id
        The scheme reviewed.
    """

    checklist: pd.DataFrame
    share: float
    missing_everywhere: tuple[str, ...]
    scheme_id: str

    def to_frame(self) -> pd.DataFrame:
        return self.checklist.copy()

    def item_shares(self) -> pd.Series:
        """Per item, the share of the indicators it applies to that declare it."""
        c = self.checklist[list(ITEMS)]
        return pd.Series({k: float(c[k].dropna().astype(bool).mean()) if c[k].notna().any() else float("nan")
                          for k in ITEMS})

    def _repr_html_(self) -> str:
        head = html_head("Indicator design completeness", {"scheme": self.scheme_id, "share": f"{self.share:.0%}"})
        return head + html_table(self.checklist, rows=80)

    def __repr__(self) -> str:
        return (f"DesignCompleteness(scheme={self.scheme_id!r}, indicators={len(self.checklist)}, "
                f"share={self.share:.2f}, missing_everywhere={list(self.missing_everywhere)})")


def _raw_nodes(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    stack = [raw.get("structure") or {}]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict) and "id" in cur:
            out[str(cur["id"])] = cur
            stack.extend(cur.get("children") or [])
    return out


def _target_declared(node) -> bool:
    if node.baseline is not None or node.source == "targets":
        return True
    spec, kind = scoring_method(node)
    if any(k in spec.params for k in _REFERENCE_PARAMS):
        return True
    return kind == "rule" and (spec.method in _SELF_DEFINED or "target" in rule_parameters(spec.method))


def design_completeness(scheme: Scheme) -> DesignCompleteness:
    """The design checklist of every indicator of ``scheme`` (see the module docstring).

    >>> from perfkit.datasets.examples import tiny_points
    >>> d = design_completeness(tiny_points()[0])
    >>> d.checklist.loc["hotline", ["target", "collector", "definition"]].tolist()
    [True, False, False]
    """
    raw = _raw_nodes(scheme.raw)
    owners = {sa.id: sa.owner for sa in scheme.model.special}
    rows = []
    for nid, node in indicator_nodes(scheme).items():
        qual = node.kind == "qualitative"
        implied = node.source in ("survey", "special", "targets")
        duty = any(scheme.nodes[a].duty is not None for a in scheme.paths[nid])
        row = {
            "definition": node.definition is not None,
            "unit": node.unit is not None or implied,
            "direction": None if qual else ("direction" in raw.get(nid, {}) or implied),
            "target": _target_declared(node),
            "collector": node.collector is not None or (node.source == "special" and bool(owners.get(node.assessment))),
            "frequency": node.frequency is not None,
            "dimensions": None if qual else bool(node.dimensions),
            "lists": bool(node.task_list or node.negative_list or node.positive_list) if qual else None,
            "duty": duty,
        }
        applicable = [v for v in row.values() if v is not None]
        row["share"] = sum(bool(v) for v in applicable) / len(applicable)
        rows.append({"indicator": nid, "label_zh": node.label.zh, "label_en": node.label.en,
                     "kind": node.kind, **row})
    df = pd.DataFrame(rows).set_index("indicator")
    items = df[list(ITEMS)]
    declared = sum(int(items[k].dropna().astype(bool).sum()) for k in ITEMS)
    applicable_n = int(items.notna().sum().sum())
    missing = tuple(k for k in ITEMS if items[k].notna().any() and not items[k].dropna().astype(bool).any())
    return DesignCompleteness(checklist=df, share=declared / applicable_n if applicable_n else float("nan"),
                              missing_everywhere=missing, scheme_id=scheme.id)


def item_label(item: str, lang: str) -> str:
    """The checklist item's name in ``lang``."""
    return t(f"ind.item.{item}", lang)
