"""Adjustments' reasons in each language: ``reason_en`` in English, ``reason`` (or
``reason_zh``) in Chinese, an untranslated original marked as such."""
from __future__ import annotations

import pandas as pd
import pytest

import perfkit
from perfkit import datasets
from perfkit.engine.evaluation import adjustment_reason
from perfkit.i18n import t

LAB = {"zh": "测", "en": "t"}
SCHEME = {
    "id": "adj", "label": LAB, "paradigm": "points", "total_points": 100,
    "categories": [{"id": "dept", "label": LAB}],
    "structure": {"id": "total", "label": LAB, "points": 100, "children": [
        {"id": "hotline", "label": LAB, "points": 100, "range": [0, 100],
         "rule": {"method": "linear", "floor": 0, "target": 100}}]},
    "adjustments": {"bonus": {"cap": 3}, "penalty": {"cap": 5}},
}


def _explained(adjustments: pd.DataFrame):
    units = pd.DataFrame({"unit_id": ["A"], "name_zh": ["甲"], "name_en": ["A"], "category": "dept"})
    values = pd.DataFrame({"unit_id": ["A"], "indicator_id": ["hotline"], "value": [90.0]})
    ev = perfkit.evaluate(perfkit.load_scheme(SCHEME),
                          perfkit.RoundData.from_frames(units=units, values=values, adjustments=adjustments))
    return ev.explain("A").lines.set_index("id")


def test_english_explain_shows_reason_en_and_chinese_the_original():
    lines = _explained(pd.DataFrame([("A", "bonus", "award", 1.0, "获省级表彰", "Provincial award")],
                                    columns=["unit_id", "kind", "item", "points", "reason", "reason_en"]))
    assert lines.loc["award", "reason_en"] == "Provincial award"
    assert lines.loc["award", "reason"] == "Provincial award"
    assert lines.loc["award", "reason_zh"] == "获省级表彰"


def test_a_chinese_reason_without_translation_is_marked_in_english():
    lines = _explained(pd.DataFrame([("A", "penalty", "audit", 1.0, "审计发现问题")],
                                    columns=["unit_id", "kind", "item", "points", "reason"]))
    assert lines.loc["audit", "reason_zh"] == "审计发现问题"
    assert lines.loc["audit", "reason_en"] == t("reason.untranslated", "en", text="审计发现问题")
    assert "not translated" in lines.loc["audit", "reason_en"]


@pytest.mark.parametrize("row, zh, en", [
    ({"reason": "获奖", "reason_zh": "获国家级奖", "reason_en": "National award"}, "获国家级奖", "National award"),
    ({"reason": "national award"}, t("reason.untranslated", "zh", text="national award"), "national award"),
    ({"reason_en": "Award"}, t("reason.untranslated", "zh", text="Award"), "Award"),
    ({"reason": float("nan"), "reason_en": None}, "", ""),
])
def test_adjustment_reason_picks_each_language_and_marks_the_rest(row, zh, en):
    assert adjustment_reason(row) == {"zh": zh, "en": en}


def test_demo_city_english_feedback_reads_the_english_reasons():
    ds = datasets.load("demo_city", round=2025)
    ev = perfkit.evaluate(ds.scheme, ds.data)
    adj = ev.data.adjustments.iloc[0]
    line = ev.explain(adj["unit_id"]).lines.set_index("id").loc[adj["item"]]
    line = line.iloc[0] if isinstance(line, pd.DataFrame) else line
    assert line["reason_en"] == adj["reason_en"] and line["reason_zh"] == adj["reason"]
