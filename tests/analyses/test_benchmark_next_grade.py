"""Points to the next grade: computed from the scheme's own rules (thresholds, quotas,
ties, vetoes, discrete rules), and verified by evaluating the round again with the change:
it reaches the grade, and the change one step smaller does not."""
from __future__ import annotations

import numpy as np
import pytest

import perfkit
from perfkit import datasets
from perfkit.analyses.benchmark import next_grades, points_to_next_grade, verify_next_grade
from perfkit.analyses.benchmark.next_grade import _Round
from perfkit.datasets.examples import tiny_points
from perfkit.errors import UnknownNameError


@pytest.fixture(scope="module")
def tiny():
    s, d = tiny_points()
    return perfkit.evaluate(s, d)


@pytest.fixture(scope="module")
def demo():
    ds = datasets.load("demo_city", round=2025)
    return perfkit.evaluate(ds.scheme, ds.data)


def test_the_replay_of_the_round_gives_the_engines_final_scores(demo, tiny):
    for ev in (demo, tiny):
        R = _Round(ev)
        leaf = next(iter(R.leaves))
        f = R.finals({leaf: ev.scores[leaf].to_numpy()[None, :]})[0]
        assert np.allclose(f, ev.results["final"], equal_nan=True)


def test_threshold_case_by_hand(tiny):
    # U4: 69.309375 (pass), good needs 70 -> 0.690625 points. Hotline is linear 60-100 % for 15 points and
    # reported in whole percent: 75 % earns 5.625; 76 % earns 6.0 (69.684 < 70); 77 % earns 6.375 (70.059).
    ng = points_to_next_grade(tiny, "U4")
    assert (ng.status, ng.grade, ng.target, ng.bar) == ("single", "pass", "good", "threshold")
    assert ng.gap == pytest.approx(70 - 69.309375)
    hot = ng.options.set_index("line").loc["hotline"]
    assert hot["value_needed"] == 77 and hot["gain"] == pytest.approx(0.75) and hot["room"] == pytest.approx(9.375)
    assert ng.moves["line"].tolist() == ["hotline"]  # the line with the most room that can do it
    v = verify_next_grade(tiny, ng)
    assert v.ok and v.grade_after == "good" and v.grade_smaller == "pass"
    assert v.final_after == pytest.approx(70.059375) and v.final_smaller == pytest.approx(69.684375)


def test_quota_case_by_hand(tiny):
    # excellent admits floor(6/3) = 2: U1 (93.975) and U2 (89.984375) hold it. U3 (89.69375, with a 2-point
    # bonus) must score strictly more than U2 (strict ties): task 1 (36 of the 60 target points, 80 of 100
    # done) at 81 earns 0.36 more -> 90.05375; at 80 it stays 89.69375.
    ng = points_to_next_grade(tiny, "U3")
    assert (ng.status, ng.target, ng.bar, ng.bar_unit) == ("single", "excellent", "quota", "U2")
    assert ng.needed_final == pytest.approx(89.984375, abs=1e-6)
    t1 = ng.options.set_index("line").loc["U3_T1"]
    assert t1["value_needed"] == 81 and t1["gain"] == pytest.approx(0.36)
    v = verify_next_grade(tiny, ng)
    assert v.ok and v.final_after == pytest.approx(90.05375)
    # every single option found is right, not only the suggested one
    for _, row in ng.options.dropna(subset=["value_needed"]).iterrows():
        assert verify_next_grade(tiny, ng, moves=ng.options.loc[[_]]).ok, row["line"]


def test_a_veto_cannot_be_bought_off(tiny):
    ng = points_to_next_grade(tiny, "U5")
    assert ng.status == "veto" and ng.best_allowed == "good" and ng.target == "excellent"
    assert "重大安全事故" in ng.text("zh") and "no points on any indicator" in ng.text("en")


def test_top_grade_and_unknown_names(tiny):
    assert points_to_next_grade(tiny, "U1").status == "top"
    with pytest.raises(UnknownNameError, match="did you mean 'U1'"):
        points_to_next_grade(tiny, "u1")
    with pytest.raises(UnknownNameError, match="no grade 'excelent'"):
        points_to_next_grade(tiny, "U4", grade="excelent")


def test_no_single_indicator_can_do_it_so_it_says_so_and_combines(tiny):
    # U4 to excellent: it must pass U2's 89.984375, 20.68 points; the most any one line has left is 9.375
    ng = points_to_next_grade(tiny, "U4", grade="excellent")
    assert ng.status == "combination" and ng.options["value_needed"].isna().all()
    assert ng.moves["gain"].sum() >= ng.gap - 1e-9 and len(ng.moves) >= 3
    assert "单靠任何一项指标都不够" in ng.text("zh")
    v = verify_next_grade(tiny, ng)
    assert v.ok


def test_out_of_reach_when_even_every_indicator_at_its_best_is_not_enough(tiny):
    s = tiny.scheme.update({"grading.default.0.min_score": 99.5})
    ev = perfkit.evaluate(s, tiny.input_data)
    ng = points_to_next_grade(ev, "U4", grade="excellent")
    assert ng.status == "out_of_reach" and "cannot reach" in ng.text("en")


def test_discrete_rules_move_in_their_own_steps(demo):
    ng = points_to_next_grade(demo, "gov_dev")
    opts = ng.options.set_index("line")
    # openness is banded (>= 90 full marks): the value needed is the band's edge, and the gain its step
    assert opts.loc["openness", "value_needed"] == 90.0
    assert opts.loc["openness", "gain"] == pytest.approx(2.0 - 1.7)


@pytest.mark.parametrize("unit,bar", [("gov_dev", "quota"), ("gov_police", "threshold"),
                                      ("dist_central", "threshold"), ("inst_weather", "quota")])
def test_demo_city_suggestions_are_verified_by_re_evaluation(demo, unit, bar):
    ng = points_to_next_grade(demo, unit)
    assert ng.status == "single" and ng.bar == bar
    v = verify_next_grade(demo, ng)
    assert v.reached and not v.smaller_reached, (ng.moves, v)


def test_demo_city_veto_and_table_for_every_unit(demo):
    nx = next_grades(demo)
    t = nx.table
    assert len(t) == len(demo.results)
    assert t.loc["dist_south", "status"] == "veto"  # the 2025 major accident caps it at good
    assert (t.loc[demo.results["grade"] == "excellent", "status"] == "top").all()
    single = t[t["status"] == "single"]
    assert (single["gain"] >= single["gap"] - 1e-9).all()
    near = [a for a in nx.alerts if a.code == "bm_near_next_grade"]
    assert near and set(near[0].evidence["units"]) == set(single.index[single["gap"] <= 2.0])
    # the table's suggestion is the single-unit function's
    assert points_to_next_grade(demo, "gov_dev").moves["line"].tolist() == [t.loc["gov_dev", "line"]]
