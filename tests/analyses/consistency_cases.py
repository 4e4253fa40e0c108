"""Small hand-checkable cases for the consistency tests: a points scheme (and a composite
one) with special assessments folded in, their round data and a registry."""
from __future__ import annotations

import copy
from typing import Any

import pandas as pd

import perfkit
from perfkit.io.round import RoundData


def label(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


UNITS = pd.DataFrame({"unit_id": ["u1", "u2", "u3", "u4", "p1"],
                      "name_zh": ["甲局", "乙局", "丙局", "丁局", "戊部"],
                      "name_en": ["Bureau A", "Bureau B", "Bureau C", "Bureau D", "Dept E"],
                      "category": ["gov", "gov", "gov", "gov", "party"]})


def points_scheme(*, special_under_root: bool = False, sp_x: float = 6.0, sp_y: float = 4.0) -> dict[str, Any]:
    """Root 100 = work 88 (``acc`` 2 points, deduction; ``task`` 86) + special 12 (or, with
    ``special_under_root``, ``sp_x`` directly under the root and no ``sp_y``).

    ``acc`` applies to the ``gov`` category only.
    """
    task = {"id": "task", "label": label("任务完成率", "Task completion"), "points": 86, "unit": "%",
            "rule": {"method": "linear", "floor": 0, "target": 100}}
    acc = {"id": "acc", "label": label("生产安全事故起数", "Accidents"), "points": 2, "direction": "lower",
           "categories": ["gov"], "rule": {"method": "deduction", "per": 0.5, "floor": 0.0}}
    work = {"id": "work", "label": label("职能工作", "Work"), "points": 88, "children": [acc, task]}
    if special_under_root:
        work["points"] = 100 - sp_x
        task["points"] = 100 - sp_x - 2
        children = [work, {"id": "sp_x", "label": label("甲专项", "Special X"), "points": sp_x,
                           "source": "special", "assessment": "sp_x"}]
        special = [{"id": "sp_x", "label": label("甲专项", "Special X"), "owner": "u1"}]
    else:
        children = [work, {"id": "special", "label": label("专项考核", "Specials"), "points": 12, "children": [
            {"id": "sp_x", "label": label("甲专项", "Special X"), "points": sp_x, "source": "special",
             "assessment": "sp_x"},
            {"id": "sp_y", "label": label("乙专项", "Special Y"), "points": sp_y, "source": "special",
             "assessment": "sp_y"},
            {"id": "sp_z", "label": label("丙专项", "Special Z"), "points": 12 - sp_x - sp_y, "source": "special",
             "assessment": "sp_z"}]}]
        special = [{"id": s, "label": label(f"{s}专项", s), "owner": "u1"} for s in ("sp_x", "sp_y", "sp_z")]
    return {"id": "tiny_special", "label": label("小方案", "Tiny"), "paradigm": "points", "total_points": 100,
            "categories": [{"id": "gov", "label": label("政府部门", "Government")},
                           {"id": "party", "label": label("党群部门", "Party")}],
            "structure": {"id": "root", "label": label("总分", "Total"), "points": 100, "children": children},
            "special": special,
            "grading": {"default": [{"id": "excellent", "min_score": 90, "max_share": 0.5},
                                    {"id": "good", "min_score": 80}, {"id": "pass", "min_score": 60},
                                    {"id": "fail"}]}}


def composite_scheme(aggregate: str = "arithmetic") -> dict[str, Any]:
    """A composite scheme: ``task`` (goalposts 0-100, weight 3) and ``sp_x`` (weight 1)."""
    return {"id": "c", "label": label("综合", "Composite"), "paradigm": "composite",
            "categories": [{"id": "gov", "label": label("政府", "Gov")}, {"id": "party", "label": label("党群", "Party")}],
            "special": [{"id": "sp_x", "label": label("甲", "X"), "owner": "u1"}],
            "structure": {"id": "root", "label": label("总", "All"), "aggregate": aggregate, "children": [
                {"id": "task", "label": label("任务", "Task"), "weight": 3,
                 "normalise": {"method": "goalposts", "low": 0, "high": 100}},
                {"id": "sp_x", "label": label("甲", "X"), "weight": 1, "source": "special", "assessment": "sp_x"}]}}


def round_data(task: dict[str, float], specials: dict[str, dict[str, float]], acc: dict[str, float] | None = None,
               grades: dict[str, dict[str, str]] | None = None) -> RoundData:
    values = [{"unit_id": u, "indicator_id": "task", "value": v} for u, v in task.items()]
    values += [{"unit_id": u, "indicator_id": "acc", "value": v} for u, v in (acc or {}).items()]
    rows = []
    for a, scores in specials.items():
        for u, s in scores.items():
            rows.append({"assessment_id": a, "unit_id": u, "score": s,
                         "grade": (grades or {}).get(a, {}).get(u, "A" if s >= 90 else "B" if s >= 80 else "C")})
    return RoundData.from_frames(units=UNITS.copy(), values=pd.DataFrame(values),
                                 special_results=pd.DataFrame(rows), round="2025")


def evaluate(scheme: dict[str, Any], data: RoundData):
    return perfkit.evaluate(perfkit.load_scheme(copy.deepcopy(scheme)), data)


def registry(**changes: Any) -> dict[str, Any]:
    """sp_x measures ``acc`` (30 of its 100 points), sp_y measures ``acc`` (20), sp_z
    something else; all cover every unit."""
    reg = {"plan": {"cap": 3}, "assessments": [
        {"id": "sp_x", "label": label("甲专项", "Special X"), "owner": "u1", "approval": "approved", "approved": 2020,
         "since": 2020, "frequency": "quarterly",
         "inspections": [{"kind": "year_end", "window": ["11-01", "12-20"]}],
         "indicators": [{"id": "acc", "label": label("生产安全事故起数", "Accidents"), "direction": "lower",
                         "target": 0, "points": 30},
                        {"id": "x_other", "label": label("安全隐患排查", "Hazard checks"), "direction": "higher",
                         "target": 10, "points": 70}]},
        {"id": "sp_y", "label": label("乙专项", "Special Y"), "owner": "u2", "approval": "approved", "approved": 2020,
         "since": 2020, "frequency": "monthly",
         "indicators": [{"id": "acc", "direction": "lower", "target": 0, "points": 20},
                        {"id": "y_other", "label": label("社会治安巡逻", "Patrols"), "direction": "higher",
                         "target": 5, "points": 80}]},
        {"id": "sp_z", "label": label("丙专项", "Special Z"), "owner": "u3", "approval": "approved", "approved": 2020,
         "since": 2020,
         "indicators": [{"id": "z_work", "label": label("文明志愿服务", "Volunteering"), "direction": "higher",
                         "target": 1, "points": 100}]},
    ]}
    for k, v in changes.items():
        reg[k] = v
    return reg
