"""Small frameworks small enough to check by hand (used by the tests, doctests and benchmarks).

* :func:`synthetic_composite` — a seeded composite indicator: ``n_units`` districts,
  ``n_pillars`` pillars of ``per_pillar`` indicators each, correlated log-normal data;
* :func:`tiny_points` — a hand-made 100-point scheme with functional targets, common
  indicators, a satisfaction survey, bonus/penalty, a veto and grade quotas, small
  enough to check by hand.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from perfkit.io.round import RoundData
from perfkit.scheme import Scheme, load_scheme

__all__ = ["synthetic_composite", "tiny_points"]


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def synthetic_composite(n_units: int = 60, n_pillars: int = 8, per_pillar: int = 5, *,
                        rng: None | int | np.random.Generator = 0,
                        grading: bool = False) -> tuple[Scheme, RoundData]:
    """A seeded composite scheme and its round data (``n_units x n_pillars*per_pillar``).

    Indicators are min-max normalised and aggregated arithmetically with equal weights at
    both levels; every fifth indicator is lower-is-better. With ``grading`` units are
    graded A (top 20 %, score >= 50), B (score >= 30), C.

    >>> scheme, data = synthetic_composite(6, 2, 2)
    >>> len(scheme.leaves), len(data.units)
    (4, 6)
    """
    gen = np.random.default_rng(rng)
    pillars = []
    rows = []
    latent = gen.normal(size=n_units)
    units = pd.DataFrame({"unit_id": [f"D{i:03d}" for i in range(n_units)],
                          "name_zh": [f"区{i}" for i in range(n_units)],
                          "name_en": [f"District {i}" for i in range(n_units)],
                          "category": "district"})
    for p in range(n_pillars):
        kids = []
        own = gen.normal(size=n_units)
        for k in range(per_pillar):
            iid = f"P{p + 1}_I{k + 1}"
            lower = (p * per_pillar + k) % 5 == 4
            kids.append({"id": iid, "label": _label(f"指标{p + 1}.{k + 1}", f"Indicator {p + 1}.{k + 1}"),
                         "normalise": "minmax", **({"direction": "lower"} if lower else {})})
            z = 0.5 * latent + 0.4 * own + 0.6 * gen.normal(size=n_units)
            v = np.exp(3.0 + 0.4 * (-z if lower else z))
            rows.extend({"unit_id": u, "indicator_id": iid, "value": float(x)} for u, x in zip(units["unit_id"], v))
        pillars.append({"id": f"P{p + 1}", "label": _label(f"支柱{p + 1}", f"Pillar {p + 1}"),
                        "aggregate": "arithmetic", "children": kids})
    raw: dict[str, Any] = {
        "id": "synthetic", "label": _label("合成综合指数", "Synthetic composite"), "paradigm": "composite",
        "categories": [{"id": "district", "label": _label("区县", "Districts")}],
        "structure": {"id": "index", "label": _label("指数", "Index"), "aggregate": "arithmetic",
                      "children": pillars},
    }
    if grading:
        raw["grading"] = {"default": [{"id": "A", "min_score": 50, "max_share": 0.2},
                                      {"id": "B", "min_score": 30}, {"id": "C"}]}
    return load_scheme(raw), RoundData.from_frames(units=units, values=pd.DataFrame(rows))


def tiny_points() -> tuple[Scheme, RoundData]:
    """A 100-point scheme for 6 departments in one category, small enough to follow by hand.

    * functional targets, 60 points (two targets per unit, completion capped at 1.0);
    * common indicators, 25 points: hotline resolution (linear 60-100 %, 15 points) and
      openness (deduction, 0.2 per incident, 10 points);
    * satisfaction, 15 points (survey of citizens and businesses, weights 0.6/0.4);
    * bonus capped at 3, penalty capped at 5, veto "safety" caps the grade at good;
    * grades: excellent (>= 85, at most 1/3 of the category), good (>= 70), pass (>= 60), fail.
    """
    units = pd.DataFrame({"unit_id": ["U1", "U2", "U3", "U4", "U5", "U6"],
                          "name_zh": ["一局", "二局", "三局", "四局", "五局", "六局"],
                          "name_en": ["Bureau 1", "Bureau 2", "Bureau 3", "Bureau 4", "Bureau 5", "Bureau 6"],
                          "category": "dept"})
    targets = []
    values = []
    done = {"U1": (1.10, 0.95), "U2": (1.0, 1.0), "U3": (0.8, 1.05), "U4": (0.9, 0.7), "U5": (1.2, 0.6),
            "U6": (0.5, 0.9)}
    for u, (a, b) in done.items():
        for k, (ratio, pts) in enumerate(((a, 6.0), (b, 4.0))):
            tid = f"{u}_T{k + 1}"
            targets.append({"unit_id": u, "indicator_id": tid, "label_zh": f"任务{k + 1}", "label_en": f"Task {k + 1}",
                            "target": 100.0, "points": pts})
            values.append({"unit_id": u, "indicator_id": tid, "value": 100.0 * ratio})
    hot = {"U1": 96, "U2": 88, "U3": 99, "U4": 75, "U5": 92, "U6": 64}
    opn = {"U1": 0, "U2": 1, "U3": 0, "U4": 2, "U5": 1, "U6": 3}
    for u in units["unit_id"]:
        values.append({"unit_id": u, "indicator_id": "hotline", "value": hot[u]})
        values.append({"unit_id": u, "indicator_id": "openness", "value": opn[u]})
    gen = np.random.default_rng(7)
    level = {"U1": 4.3, "U2": 4.2, "U3": 3.7, "U4": 3.9, "U5": 4.1, "U6": 3.2}
    survey = []
    for u in units["unit_id"]:
        for grp, n in (("citizen", 40), ("business", 30)):
            for _ in range(n):
                q = np.clip(np.round(level[u] + gen.normal(0, 0.8, size=2)), 1, 5)
                survey.append({"unit_id": u, "respondent_group": grp, "q1": q[0], "q2": q[1]})
    adjustments = pd.DataFrame([
        {"unit_id": "U3", "kind": "bonus", "item": "award", "points": 2.0, "reason": "provincial award"},
        {"unit_id": "U4", "kind": "penalty", "item": "inspection", "points": 1.5, "reason": "inspection finding"},
        {"unit_id": "U5", "kind": "veto", "item": "safety", "points": 0.0, "reason": "safety accident"},
    ])
    raw = {
        "id": "tiny_points", "label": _label("小型百分制方案", "Tiny 100-point scheme"), "paradigm": "points",
        "total_points": 100,
        "categories": [{"id": "dept", "label": _label("部门", "Departments")}],
        "structure": {"id": "total", "label": _label("总分", "Total"), "points": 100, "children": [
            {"id": "targets", "label": _label("职能目标", "Functional targets"), "points": 60, "source": "targets",
             "rule": {"method": "completion", "cap": 1.0}},
            {"id": "common", "label": _label("共性指标", "Common indicators"), "points": 25, "children": [
                {"id": "hotline", "label": _label("12345热线办结率", "Hotline resolution"), "points": 15,
                 "rule": {"method": "linear", "floor": 60, "target": 100}},
                {"id": "openness", "label": _label("政务公开", "Openness"), "points": 10,
                 "rule": {"method": "deduction", "per": 0.2}}]},
            {"id": "satisfaction", "label": _label("社会评价", "Satisfaction"), "points": 15, "source": "survey"}]},
        "survey": {"items": ["q1", "q2"], "scale": [1, 5], "groups": {"citizen": 0.6, "business": 0.4},
                   "min_responses": 20, "min_cell": 10},
        "adjustments": {"bonus": {"cap": 3}, "penalty": {"cap": 5},
                        "veto": {"safety": {"label": _label("重大安全事故", "Major safety accident"),
                                            "effect": "cap", "grade": "good"}}},
        "grading": {"default": [{"id": "excellent", "min_score": 85, "max_share": 1 / 3},
                                {"id": "good", "min_score": 70}, {"id": "pass", "min_score": 60}, {"id": "fail"}]},
    }
    data = RoundData.from_frames(units=units, values=pd.DataFrame(values), targets=pd.DataFrame(targets),
                                 survey=pd.DataFrame(survey), adjustments=adjustments)
    return load_scheme(raw), data
