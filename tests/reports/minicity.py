"""A hand-made points scheme and three rounds of data for the report tests ("mini city").

Eight units in two categories (4 districts, 4 bureaus), rounds 2023-2025, two rule-scored
indicators, a deduction-based common indicator, a satisfaction survey with comments (one
unit's ``firms`` cell is below ``min_cell`` on purpose), bonus / penalty / veto items and
grades with a quota. Small enough that every number can be checked by hand.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SCHEME = {
    "id": "mini_city",
    "label": {"zh": "迷你市绩效考核", "en": "Mini city performance evaluation"},
    "paradigm": "points",
    "total_points": 100,
    "categories": [
        {"id": "district", "label": {"zh": "区县", "en": "Districts"}},
        {"id": "bureau", "label": {"zh": "市直部门", "en": "City bureaus"}},
    ],
    "structure": {
        "id": "total", "label": {"zh": "总分", "en": "Total"}, "points": 100, "aggregate": "arithmetic",
        "children": [
            {"id": "work", "label": {"zh": "职能目标", "en": "Functional targets"}, "points": 60,
             "aggregate": "arithmetic", "children": [
                 {"id": "projects", "label": {"zh": "重点项目完成率", "en": "Key projects completed"}, "points": 35,
                  "unit": "%", "rule": {"method": "completion", "target": 100, "cap": 1.0}},
                 {"id": "hotline", "label": {"zh": "12345热线办结率", "en": "12345 hotline closure"}, "points": 25,
                  "unit": "%", "rule": {"method": "linear", "floor": 60, "target": 100}},
             ]},
            {"id": "common", "label": {"zh": "共性指标", "en": "Common indicators"}, "points": 20,
             "aggregate": "arithmetic", "children": [
                 {"id": "integrity", "label": {"zh": "党风廉政问题", "en": "Integrity cases"}, "points": 20,
                  "direction": "lower", "rule": {"method": "deduction", "per": 0.25}},
             ]},
            {"id": "satisfaction", "label": {"zh": "社会评价", "en": "Social evaluation"}, "points": 20,
             "source": "survey"},
        ],
    },
    "survey": {
        "items": ["q1", "q2", "q3"], "scale": [1, 5],
        "groups": {"residents": 0.6, "firms": 0.4},
        "min_responses": 5, "min_cell": 8,
        "group_labels": {"residents": {"zh": "市民", "en": "Residents"},
                         "firms": {"zh": "企业", "en": "Businesses"}},
    },
    "adjustments": {
        "bonus": {"cap": 3, "items": {"award": {"zh": "国家级表彰", "en": "National award"}}},
        "penalty": {"cap": 5, "items": {"audit": {"zh": "审计问题", "en": "Audit finding"}}},
        "veto": {"accident": {"label": {"zh": "重大安全事故", "en": "Major safety accident"}, "effect": "fail"}},
    },
    "grading": {"default": [
        {"id": "excellent", "label": {"zh": "优秀", "en": "Excellent"}, "min_score": 85, "max_share": 0.25},
        {"id": "good", "label": {"zh": "良好", "en": "Good"}, "min_score": 75},
        {"id": "pass", "label": {"zh": "合格", "en": "Pass"}, "min_score": 60},
        {"id": "fail", "label": {"zh": "不合格", "en": "Fail"}},
    ]},
}

UNITS = [
    ("D01", "东城区", "Dongcheng District", "district"),
    ("D02", "西城区", "Xicheng District", "district"),
    ("D03", "南湖区", "Nanhu District", "district"),
    ("D04", "北山县", "Beishan County", "district"),
    ("B01", "市财政局", "Finance Bureau", "bureau"),
    ("B02", "市教育局", "Education Bureau", "bureau"),
    ("B03", "市交通运输局", "Transport Bureau", "bureau"),
    ("B04", "市生态环境局", "Ecology Bureau", "bureau"),
]
ROUNDS = (2023, 2024, 2025)
COMMENTS = ["办事效率高", "窗口服务态度好", "审批时间仍然偏长", "信息公开不够及时", "热线回复及时"]


def tables(seed: int = 7) -> dict[str, pd.DataFrame]:
    """The round tables (all rounds in one table each, with a ``round`` column)."""
    rng = np.random.default_rng(seed)
    units = pd.DataFrame(UNITS, columns=["unit_id", "name_zh", "name_en", "category"])
    values, survey, adj = [], [], []
    for r in ROUNDS:
        for i, (u, *_rest) in enumerate(UNITS):
            skill = 0.75 + 0.03 * ((i * 5) % 8) + 0.02 * (r - 2023)
            values.append((r, u, "projects", round(min(100, 100 * skill + rng.normal(0, 4)), 1)))
            values.append((r, u, "hotline", round(min(100, 60 + 40 * skill + rng.normal(0, 3)), 1)))
            values.append((r, u, "integrity", int(rng.integers(0, 3))))
            for g, n in (("residents", 12), ("firms", 3 if u == "B02" else 10)):
                for k in range(n):
                    s = np.clip(np.round(rng.normal(2.5 + 2.2 * skill, 0.7, size=3)), 1, 5)
                    survey.append((r, u, g, *s, COMMENTS[(i + k) % len(COMMENTS)] if k % 2 == 0 else ""))
        adj += [(r, "D02", "bonus", "award", 2.0, "获国家级表彰"),
                (r, "B03", "penalty", "audit", 1.5, "审计发现问题")]
    adj.append((2025, "D04", "veto", "accident", 0.0, "发生重大安全事故"))
    return {
        "units": units,
        "values": pd.DataFrame(values, columns=["round", "unit_id", "indicator_id", "value"]),
        "survey": pd.DataFrame(survey, columns=["round", "unit_id", "respondent_group", "q1", "q2", "q3", "comment"]),
        "adjustments": pd.DataFrame(adj, columns=["round", "unit_id", "kind", "item", "points", "reason"]),
    }


def write(folder: str | Path) -> tuple[Path, Path]:
    """Write ``scheme.yaml`` and the ``data/`` round folder under ``folder``."""
    folder = Path(folder)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    scheme = folder / "scheme.yaml"
    scheme.write_text(yaml.safe_dump(SCHEME, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for name, df in tables().items():
        df.to_csv(folder / "data" / f"{name}.csv", index=False)
    return scheme, folder / "data"


def write_config(folder: str | Path, *, units="all", langs=("zh", "en"), **extra) -> Path:
    """Write a ROUND_CONFIG for the mini city next to its data."""
    folder = Path(folder)
    write(folder)
    cfg = {"scheme": "scheme.yaml", "data": "data", "round": 2025, "previous": [2023, 2024],
           "langs": list(langs), "units": units, **extra}
    path = folder / "report.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path

#: units of the batch tests, and the one whose notebook is deliberately broken
BATCH_UNITS = ["D01", "D04", "B02", "B03"]
BROKEN_UNIT = "B03"
