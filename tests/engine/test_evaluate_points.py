"""A 100-point scheme small enough to compute by hand (every number below is worked out
in the comments), run through the whole engine."""
import numpy as np
import pandas as pd
import pytest

import perfkit

SCHEME = {
    "id": "hand", "label": {"zh": "手算", "en": "hand"}, "paradigm": "points", "total_points": 100,
    "categories": [{"id": "dept", "label": {"zh": "部门", "en": "Departments"}},
                   {"id": "district", "label": {"zh": "区县", "en": "Districts"}}],
    "structure": {
        "id": "total", "label": {"zh": "总分", "en": "Total"}, "points": 100,
        "children": [
            {"id": "functional", "label": {"zh": "职能目标", "en": "Functional targets"}, "points": 50,
             "source": "targets", "rule": {"method": "completion", "cap": 1.2}},
            {"id": "common", "label": {"zh": "共性指标", "en": "Common indicators"}, "points": 30, "children": [
                {"id": "hotline", "label": {"zh": "12345办结率", "en": "Hotline resolution"}, "points": 10,
                 "range": [0, 100], "rule": {"method": "linear", "floor": 60, "target": 95}},
                {"id": "openness", "label": {"zh": "政务公开", "en": "Openness"}, "points": 10,
                 "kind": "qualitative", "rule": {"method": "grade_map", "mapping": {"A": 1, "B": 0.8, "C": 0.6, "D": 0}}},
                {"id": "incidents", "label": {"zh": "安全事件", "en": "Safety incidents"}, "points": 10,
                 "categories": ["dept"], "direction": "lower", "rule": {"method": "deduction", "per": 0.25}},
            ]},
            {"id": "satisfaction", "label": {"zh": "社会评价", "en": "Satisfaction"}, "points": 20, "source": "survey"},
        ]},
    "survey": {"items": ["q1", "q2"], "scale": [1, 5], "groups": {"citizen": 0.6, "business": 0.4},
               "min_responses": 2, "min_cell": 1},
    "adjustments": {"bonus": {"cap": 3}, "penalty": {"cap": 5},
                    "veto": {"accident": {"label": {"zh": "重大事故", "en": "Major accident"}, "effect": "fail"},
                             "discipline": {"label": {"zh": "违纪", "en": "Discipline"}, "effect": "cap",
                                            "grade": "good"}}},
    "grading": {"default": [{"id": "excellent", "min_score": 90, "max_share": 0.4},
                            {"id": "good", "min_score": 80}, {"id": "pass", "min_score": 60}, {"id": "fail"}]},
}


def _data():
    units = pd.DataFrame({"unit_id": ["D1", "D2", "D3", "X1", "X2"],
                          "name_zh": ["甲局", "乙局", "丙局", "东区", "西区"],
                          "name_en": ["Bureau A", "Bureau B", "Bureau C", "East", "West"],
                          "category": ["dept", "dept", "dept", "district", "district"]})
    targets = pd.DataFrame([
        ("D1", "t1", 100, 30), ("D1", "t2", 10, 20), ("D2", "t3", 50, 25), ("D2", "t4", 4, 25),
        ("D3", "t5", 200, 40), ("X1", "t6", 10, 50), ("X2", "t7", 10, 50)],
        columns=["unit_id", "indicator_id", "target", "points"])
    targets["label_zh"] = targets["indicator_id"]
    targets["label_en"] = targets["indicator_id"]
    values = pd.DataFrame([
        ("D1", "t1", "120"), ("D1", "t2", "5"), ("D2", "t3", "50"), ("D2", "t4", "4"), ("D3", "t5", "150"),
        ("X1", "t6", "10"), ("X2", "t7", "8"),
        ("D1", "hotline", "95"), ("D2", "hotline", "81"), ("D3", "hotline", "50"), ("X1", "hotline", "88"),
        ("X2", "hotline", "60"),
        ("D1", "openness", "A"), ("D2", "openness", "B"), ("D3", "openness", "C"), ("X1", "openness", "B"),
        ("X2", "openness", "D"),
        ("D1", "incidents", "0"), ("D2", "incidents", "2"), ("D3", "incidents", "5")],
        columns=["unit_id", "indicator_id", "value"])
    survey = pd.DataFrame([
        ("D1", "citizen", 5, 5), ("D1", "citizen", 4, 4), ("D1", "business", 5, 5), ("D1", "business", 5, 5),
        ("D2", "citizen", 3, 3), ("D2", "citizen", 3, 3), ("D2", "business", 5, 5),
        ("D3", "citizen", 1, 1), ("D3", "citizen", 1, 3), ("D3", "business", 3, 3), ("D3", "business", 3, 5),
        ("X1", "citizen", 5, 5), ("X1", "citizen", 5, 5), ("X1", "business", 4, 4), ("X1", "business", 4, 4)],
        columns=["unit_id", "respondent_group", "q1", "q2"])
    adjustments = pd.DataFrame([
        ("D1", "bonus", "award_national", 2, "national award"), ("D1", "bonus", "innovation", 2, "innovation"),
        ("D2", "penalty", "inspection", 1, "inspection finding"), ("D3", "bonus", "award_provincial", 1, "award"),
        ("X1", "veto", "discipline", 0, "discipline case"), ("X2", "penalty", "accountability", 6, "cases")],
        columns=["unit_id", "kind", "item", "points", "reason"])
    return perfkit.RoundData.from_frames(units=units, values=values, targets=targets, survey=survey,
                                         adjustments=adjustments)


@pytest.fixture(scope="module")
def ev():
    return perfkit.evaluate(perfkit.load_scheme(SCHEME), _data())


def test_functional_targets_score_completion_with_cap_and_rescale_to_node_points(ev):
    # D1: 30 x min(120/100, 1.2) + 20 x 5/10 = 36 + 10 = 46 of 50
    # D2: 25 x 1 + 25 x 1 = 50; D3: one 40-point target at 150/200 -> 0.75 x 50 = 37.5
    # X1: 50; X2: 0.8 x 50 = 40
    assert ev.points["functional"].round(9).tolist() == [46.0, 50.0, 37.5, 50.0, 40.0]


def test_common_indicators_redistribute_points_of_inapplicable_ones(ev):
    # hotline linear 60 -> 95: D1 1.0, D2 21/35 = 0.6, D3 0, X1 28/35 = 0.8, X2 0
    # openness A/B/C/B/D -> 1, .8, .6, .8, 0 ; incidents (depts only) 1 - .25 n: 1, .5, 0 (floor)
    # departments: 10 points each; districts: 30 points over two indicators -> 15 each
    assert np.allclose(ev.points["hotline"], [10, 6, 0, 12, 0])
    assert np.allclose(ev.points["openness"], [10, 8, 6, 12, 0])
    assert np.allclose(ev.points["incidents"].iloc[:3], [10, 5, 0])
    assert ev.points["incidents"].iloc[3:].isna().all()
    assert np.allclose(ev.points["common"], [30, 19, 6, 24, 0])
    assert np.allclose(ev.max_points["hotline"], [10, 10, 10, 15, 15])


def test_survey_index_weights_groups_and_drops_small_groups(ev):
    # D1 citizens (100 + 75)/2 = 87.5, business 100 -> .6 x 87.5 + .4 x 100 = 92.5 -> 18.5 points
    # D2 business has one respondent (< 2): citizens only, 50 -> 10 points
    # D3 .6 x 12.5 + .4 x 62.5 = 32.5 -> 6.5 ; X1 .6 x 100 + .4 x 75 = 90 -> 18 ; X2 no survey -> 0
    assert np.allclose(ev.raw["satisfaction"].iloc[:4], [92.5, 50, 32.5, 90])
    assert np.allclose(ev.points["satisfaction"], [18.5, 10, 6.5, 18, 0])


def test_final_scores_apply_capped_bonus_and_penalty(ev):
    r = ev.results
    assert np.allclose(r["base"], [94.5, 79, 50, 92, 40])
    assert r["bonus"].tolist() == [3.0, 0.0, 1.0, 0.0, 0.0]       # D1's 4 capped at 3
    assert r["penalty"].tolist() == [0.0, 1.0, 0.0, 0.0, 5.0]     # X2's 6 capped at 5
    assert np.allclose(r["final"], [97.5, 78, 51, 92, 35])


def test_ranks_within_category_and_grades_with_quota_and_veto(ev):
    r = ev.results
    assert r["rank"].tolist() == [1, 2, 3, 1, 2]
    # depts: quota floor(.4 x 3) = 1 -> D1 excellent; D2 78 pass; D3 51 fail
    # districts: quota floor(.4 x 2) = 0 and X1 is capped at good by its veto -> good
    assert r["grade"].tolist() == ["excellent", "pass", "fail", "good", "fail"]
    assert "veto" in r.loc["X1", "grade_reason"]


def test_explain_accounts_for_every_point(ev):
    for unit in ev.units:
        ex = ev.explain(unit)
        lines = ex.lines
        earned = lines["earned"].sum()
        assert earned == pytest.approx(ev.results.loc[unit, "final"], abs=1e-9), unit
    d1 = ev.explain("D1").lines.set_index("id")
    assert d1.loc["t1", "earned"] == pytest.approx(36.0)
    assert d1.loc["t2", "lost"] == pytest.approx(10.0)
    assert d1.loc["bonus_cap", "earned"] == pytest.approx(-1.0)


def test_rerun_with_changed_points_reuses_treated_stage(ev):
    variant = ev.scheme.update({"nodes.functional.points": 40, "nodes.satisfaction.points": 30})
    ev2 = ev.rerun(variant)
    assert ev2.treated is ev.treated
    # D1: 46/50 x 40 + 30 + 18.5/20 x 30 = 36.8 + 30 + 27.75 = 94.55 (+3 bonus)
    assert ev2.results.loc["D1", "final"] == pytest.approx(97.55)


def test_evaluation_exposes_screen_text_and_value_targets(ev):
    assert ev.kept.dtype == bool and ev.kept.all() and ev.kept.shape == (len(ev.units),)
    assert list(ev.text.columns) == list(ev.scheme.leaves) == list(ev.value_targets.columns)
    assert ev.text.loc["D2", "openness"] == "B" and pd.isna(ev.text.loc["D2", "hotline"])
    assert ev.value_targets.isna().all().all()  # this round gives no targets in the values table


def test_a_validation_report_of_this_scheme_and_data_is_reused_and_any_other_ignored():
    scheme, data = perfkit.load_scheme(SCHEME), _data()
    report = perfkit.validate_round(scheme, data)
    assert perfkit.evaluate(scheme, data, validation=report).validation is report
    other = perfkit.validate_round(scheme.update({"nodes.functional.points": 40,
                                                  "nodes.satisfaction.points": 30}), data)
    assert perfkit.evaluate(scheme, data, validation=other).validation is not other


def test_explanations_table_holds_every_units_lines(ev):
    table = ev.explanations
    assert list(table["unit_id"].unique()) == ev.units
    d1 = table[table["unit_id"] == "D1"].drop(columns="unit_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(d1, ev.explain("D1").lines)
