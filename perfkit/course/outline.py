"""A scheme read as the office writes it: components, points and scoring rules in sentences.

:func:`rule_sentence` says a scoring rule the way a clerk would ("线性计分（起评值85、目标值99）",
"每发生1起扣该项分值25%，扣完为止", "≥90得满分，80–90得85%，…"), never as parameters;
:func:`outline` lists a scheme's nodes down to a depth with their points (or weights) and rules.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from perfkit.i18n import has, t

__all__ = ["rule_sentence", "outline"]


def _num(v: Any) -> str:
    return f"{float(v):g}"


def _pct(v: Any) -> str:
    return f"{float(v) * 100:g}%"


def rule_sentence(spec: Any, lang: str, *, direction: str = "higher") -> str:
    """The rule or normalisation ``spec`` (a scheme's ``MethodSpec``) as a sentence in ``lang``."""
    if spec is None:
        return ""
    method = spec.method
    p = spec.params
    sep = t("course.list_sep", lang)
    if method == "linear" and "floor" in p and "target" in p:
        return t("course.rule.linear", lang, floor=_num(p["floor"]), target=_num(p["target"]))
    if method == "deduction" and "per" in p:
        return t("course.rule.deduction", lang, per=_pct(p["per"]))
    if method == "banded" and p.get("bands"):
        bands = sorted(p["bands"], key=lambda b: -float(b[0]))
        parts = [t("course.rule.band_top", lang, at=_num(bands[0][0]))]
        for (hi, _), (lo, share) in zip(bands, bands[1:]):
            parts.append(t("course.rule.band", lang, lo=_num(lo), hi=_num(hi), share=_pct(share)))
        parts.append(t("course.rule.band_rest", lang, lo=_num(bands[-1][0])))
        return t("course.rule.bands", lang, bands=sep.join(parts))
    if method == "completion":
        return t("course.rule.completion", lang, cap=_num(p.get("cap", 1.0)))
    if method == "binary":
        return t("course.rule.binary", lang)
    if method == "grade_map" and p.get("mapping"):
        grades = sep.join(t("course.rule.grade", lang, grade=g, share=_pct(s)) for g, s in p["mapping"].items())
        return t("course.rule.grade_map", lang, grades=grades)
    if method == "goalposts" and "low" in p and "high" in p:
        key = "course.rule.goalposts_lower" if direction == "lower" else "course.rule.goalposts"
        return t(key, lang, low=_num(p["low"]), high=_num(p["high"]))
    key = f"method.{method}"
    return t(key, lang) if has(key) else method


def outline(scheme, lang: str, *, depth: int = 1) -> pd.DataFrame:
    """The scheme's nodes down to ``depth`` below the root: level, id, label, points or
    weight, kind, scoring rule (a sentence) and collector, in scheme order."""
    rows = []
    for path, node in scheme.root.walk():
        level = len(path) - 1
        if level == 0 or level > depth:
            continue
        spec = node.rule or node.normalise
        kind = t(f"course.kind.{node.source}", lang) if node.source != "values" else \
            t(f"course.kind.{node.kind}", lang)
        rows.append({"level": level, "id": node.id, "label": node.label.get(lang),
                     **({"points": node.points} if scheme.paradigm == "points" else {"weight": node.weight}),
                     "kind": kind, "rule": rule_sentence(spec, lang, direction=node.direction),
                     "collector": node.collector or ""})
    return pd.DataFrame(rows)
