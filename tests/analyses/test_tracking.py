"""In-year tracking: lights, projections, the early-warning list and bad tracking data."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.analyses import tracking as tk
from perfkit.errors import DataError

from . import tracking_cases as tc


@pytest.fixture(scope="module")
def q2(demo_rounds, annual):
    return tk.track(demo_rounds, "2025Q2", baseline=annual("2024"))


# ------------------------------------------------------------------------ the demo city
def test_gov_housing_is_on_the_2025Q2_warning_list_with_its_evidence(q2, annual):
    # planted.yaml: tracking_behind, 2025Q2, gov_housing, max_progress_ratio 0.5
    w = q2.warnings[(q2.warnings["unit_id"] == "gov_housing") & (q2.warnings["level"] == "warning")]
    assert sorted(w["indicator_id"]) == ["ft_gov_housing_01", "ft_gov_housing_02", "ft_gov_housing_03"]
    assert (w["light"] == "red").all() and all("behind" in c for c in w["codes"])
    assert (w["pace"] < 0.5).all()  # well under half of the expected progress
    r = w.set_index("indicator_id")
    # 501 of 3338 at mid-year against an even profile (50% expected): 15%, pace 0.30
    assert r.loc["ft_gov_housing_01", "value"] == 501 and r.loc["ft_gov_housing_01", "expected_share"] == 0.5
    assert r.loc["ft_gov_housing_01", "pace"] == pytest.approx(501 / 3338 / 0.5)
    # projected: 501 / (0.5 x exp(median residual of even Q2 targets)); the median is 0 here
    assert r.loc["ft_gov_housing_01", "projected"] == pytest.approx(1002.0)
    assert r.loc["ft_gov_housing_01", "at_risk"] == pytest.approx(5.0 * (1 - 1002 / 3338))
    text = next(a for a in q2.alerts if a.evidence["indicator_id"] == "ft_gov_housing_01").text("zh")
    assert "累计完成501" in text and "15%" in text and "按进度应达50%" in text
    unit = q2.units.loc["gov_housing"]
    assert unit["red"] == 3 and unit["at_risk"] == pytest.approx(w["at_risk"].sum() + q2.unit("gov_housing").loc[
        lambda d: d["code"] == "", "at_risk"].sum())
    # with last year's other components, its projected grade drops from good to pass
    assert (unit["baseline_grade"], unit["projected_grade"]) == ("good", "pass")
    # the projected base is last year's base with the functional-target points replaced
    earned_2024 = annual("2024").points.loc["gov_housing", "functional"]  # 50.59 of 55
    assert unit["projected_base"] == pytest.approx(unit["baseline_base"] - earned_2024 + unit["projected_points"])


def test_every_2025Q2_warning_is_a_red_light_and_the_list_is_ranked_by_points_at_risk(q2):
    w = q2.warnings
    warned = w[w["level"] != "info"]
    assert (warned["light"] == "red").all()
    assert list(w["at_risk"]) == sorted(w["at_risk"], reverse=True)
    watch = w[w["level"] == "info"]
    assert all(c == ("likely_miss",) for c in watch["codes"])
    assert (watch["share_high"] < 0.9).all()  # even the best case earns under the warning line


def test_at_the_year_end_the_projection_is_the_engines_own_score(demo_rounds, annual):
    tr = tk.track(demo_rounds, "2025Q4")
    det = annual("2025").targets_detail.set_index(["unit_id", "indicator_id"])
    rows = tr.rows.set_index(["unit_id", "indicator_id"])
    assert (rows["projected"] == rows["value"]).all()
    np.testing.assert_allclose(rows["projected_points"], det["earned_raw"].reindex(rows.index), atol=1e-12)


def test_a_report_of_2025Q2_does_not_see_later_rounds(demo_path):
    r = tk.load_tracking(demo_path / "tracking", str(demo_path / "schemes" / "2025_tracking.yaml"), until="2025Q2")
    assert r.rounds[-1] == "2025Q2" and "2025Q3" not in r.rounds and "2024Q4" in r.rounds


def test_backtest_coverage_of_the_80_percent_intervals_is_near_nominal(demo_rounds):
    bt = tk.backtest(demo_rounds, periods=(2, 3), level=0.8)
    assert set(bt["year"]) == {2023, 2024, 2025}
    assert 0.72 <= bt["inside"].mean() <= 0.88, bt.groupby(["year", "period"])["inside"].mean()


def test_year_end_record_confirms_the_warnings_on_gov_housing(demo_rounds, annual):
    tracked = [tk.track(demo_rounds, r, baseline=annual("2024")) for r in ("2025Q1", "2025Q2", "2025Q3")]
    rec = tk.year_end_record(tracked, annual("2025"))
    u = rec.units.loc["gov_housing"]
    assert u["warned_in"] == "2025Q1, 2025Q2, 2025Q3"
    assert u["confirmed"] == 3 and u["false_alarms"] == 0  # it ended at 86% of its three targets
    t = rec.targets.set_index(["unit_id", "indicator_id"]).loc["gov_housing"]
    assert t.loc["ft_gov_housing_01", "share"] == pytest.approx(2871 / 3338)


# ------------------------------------------------------------------------ by hand
def test_two_target_projection_checked_by_hand():
    rounds, exp = tc.two_target_case()
    tr = tk.track(tc.tracking(rounds, exp), "2025Q2", rules=tk.TrackingRules(level=0.5, min_history=2))
    x = tr.unit("A").set_index("indicator_id")
    # residuals log 0.8, 0.9, 1.0, 1.1 (n = 4); level 0.5: the 1st and 4th smallest, median log sqrt(0.9)
    mid = math.sqrt(0.9)
    assert x.loc["X", "projected"] == pytest.approx(90 / (0.5 * mid))      # 189.74
    assert x.loc["X", "low"] == pytest.approx(90 / (0.5 * 1.1))           # 163.64
    assert x.loc["X", "high"] == pytest.approx(90 / (0.5 * 0.8))          # 225
    assert x.loc["X", "share"] == pytest.approx(mid)                      # 189.74 / 200, below the cap of 1
    assert x.loc["X", "projected_points"] == pytest.approx(10 * mid)      # 9.49 of 10
    assert x.loc["X", "light"] == "green"                                 # pace (90/200)/0.5 = 0.9
    assert x.loc["X", "code"] == ""
    # the ceiling (at most 10, a small whole number: no small-class history, so the period's pool)
    assert x.loc["Y", "pool"] == "period"
    assert x.loc["Y", "projected"] == pytest.approx(6 / (0.5 * mid))      # 12.65
    assert x.loc["Y", "share"] == pytest.approx(10 / (6 / (0.5 * mid)))   # completion_lower: 10 / 12.65
    assert x.loc["Y", "share_high"] == pytest.approx(10 / (6 / 0.55))     # best case 10.91 -> 0.917
    assert x.loc["Y", "at_risk"] == pytest.approx(5 * (1 - 10 / (6 / (0.5 * mid))))
    assert x.loc["Y", "light"] == "red" and x.loc["Y", "codes"] == ("behind",)  # 60% used, 50% expected: 1.2
    assert tr.units.loc["A", "projected_points"] == pytest.approx(10 * mid + 5 * 10 / (6 / (0.5 * mid)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=200), st.floats(0.05, 0.95))
def test_conformal_bounds_bracket_the_median_and_widen_with_the_level(res, level):
    lo, med, hi = tk.conformal_bounds(np.array(res), level)
    assert lo <= med <= hi
    lo2, _, hi2 = tk.conformal_bounds(np.array(res), min(0.99, level + 0.04))
    assert lo2 <= lo and hi2 >= hi


# ------------------------------------------------------------------------ bad input
def _case(**changes):
    rounds, exp = tc.two_target_case()
    for rnd, (targets, values) in changes.items():
        rounds[rnd] = (tc.scheme(), tc.round_data(rnd, targets, values))
    return rounds, exp


def test_a_falling_cumulative_value_is_a_located_warning():
    rounds, exp = tc.two_target_case()
    hist = [tc.target(f"H{k}", f"T{k}", 100.0, 5.0) for k in range(1, 5)]
    q3 = {("H1", "T1"): 35, ("H2", "T2"): 70, ("H3", "T3"): 70, ("H4", "T4"): 80}  # H1 falls from 40 to 35
    rounds = {"2024Q2": rounds["2024Q2"], "2024Q3": (tc.scheme(), tc.round_data("2024Q3", hist, q3)),
              "2024Q4": rounds["2024Q4"], "2025Q2": rounds["2025Q2"]}
    exp = pd.concat([exp, pd.DataFrame([{"round": "2024Q3", "unit_id": f"H{k}", "indicator_id": f"T{k}",
                                         "profile": "linear", "expected_share": 0.75, "_file": "expected.csv",
                                         "_row": 20 + k} for k in range(1, 5)])], ignore_index=True)
    p = tc.tracking(rounds, exp).problems
    hit = p[p["code"] == "falling_value"]
    assert list(zip(hit["round"], hit["unit_id"])) == [("2024Q3", "H1")]
    assert hit["file"].iloc[0] == "<memory>" and hit["row"].iloc[0] == 2 and hit["column"].iloc[0] == "value"
    assert "falls from 40 (2024Q2) to 35" in hit["message"].iloc[0]


def test_rounds_out_of_time_order_are_refused():
    rounds, exp = tc.two_target_case()
    shuffled = {k: rounds[k] for k in ("2024Q4", "2024Q2", "2025Q2")}
    with pytest.raises(DataError, match="round 2024Q2 is listed after 2024Q4: the rounds are out of time order"):
        tc.tracking(shuffled, exp)


def test_a_round_listed_twice_or_naming_no_period_is_refused():
    rounds, exp = tc.two_target_case()
    with pytest.raises(DataError, match="names no tracking period"):
        tk.period("2025Q5")
    with pytest.raises(DataError, match="listed twice"):
        tc.tracking({"2024Q2": rounds["2024Q2"], "2024Q2 ": rounds["2024Q2"]}, exp)


def test_monthly_and_quarterly_rounds_in_one_year_are_refused():
    rounds, exp = tc.two_target_case()
    with pytest.raises(DataError, match="mixes quarterly and monthly"):
        tc.tracking({"2024M03": rounds["2024Q2"], "2024Q2": rounds["2024Q2"]}, exp)


def test_progress_above_a_ceiling_before_the_year_end_is_critical():
    rounds, exp = _case(**{"2025Q2": ([tc.target("A", "X", 200.0, 10.0),
                                       tc.target("A", "Y", 10.0, 5.0, direction="lower", measure="起")],
                                      {("A", "X"): 90, ("A", "Y"): 12})})
    tr = tk.track(tc.tracking(rounds, exp), "2025Q2", rules=tk.TrackingRules(level=0.5, min_history=2))
    y = tr.unit("A").set_index("indicator_id").loc["Y"]
    assert y["code"] == "ceiling_exceeded" and y["level"] == "critical" and y["light"] == "red"
    assert y["low"] >= 12  # a cumulative figure cannot fall back under the ceiling
    assert tr.alerts[0].level == "critical" and tr.alerts[0].code == "track_ceiling_exceeded"
    assert "已超过全年控制上限10" in tr.alerts[0].text("zh")
    prob = tr.problems[tr.problems["code"] == "ceiling_exceeded"]
    assert list(prob["indicator_id"]) == ["Y"] and prob["row"].iloc[0] == 3


def test_progress_above_the_cap_of_a_capped_target_and_a_percentage_above_100_are_warnings():
    rounds, exp = _case(**{"2025Q2": ([tc.target("A", "X", 200.0, 10.0),
                                       tc.target("A", "Y", 90.0, 5.0, measure="%")],
                                      {("A", "X"): 230, ("A", "Y"): 104})})
    p = tc.tracking(rounds, exp).problems
    x = p[p["indicator_id"] == "X"]
    assert list(x["code"]) == ["above_cap"] and "115% of the target (200), above its cap of 100%" in x["message"].iloc[0]
    assert set(p.loc[p["indicator_id"] == "Y", "code"]) == {"above_cap", "percent_range"}  # 104% of a rate


def test_a_target_without_an_expected_share_is_a_located_error():
    rounds, exp = tc.two_target_case()
    with pytest.raises(DataError, match="no expected share for A Y in round 2025Q2") as e:
        tc.tracking(rounds, exp[exp["indicator_id"] != "Y"])
    assert "expected.csv" in str(e.value)


def test_an_expected_share_that_falls_or_leaves_0_1_is_a_located_error(tmp_path):
    rounds, exp = tc.two_target_case()
    bad = exp.copy()
    bad.loc[bad["round"] == "2024Q4", "expected_share"] = 0.4  # falls from 0.5 at Q2
    with pytest.raises(DataError, match="falls to 0.4 in round 2024Q4") as e:
        tc.tracking(rounds, bad)
    assert "row" in str(e.value)
    path = tmp_path / "expected.csv"
    exp.drop(columns=["_file", "_row"]).assign(expected_share=lambda d: d["expected_share"].where(d.index != 3, 1.5)) \
        .to_csv(path, index=False)
    with pytest.raises(DataError, match="not a number between 0 and 1") as e:
        tk.read_expected(path)
    assert "row 5" in str(e.value) and "expected_share" in str(e.value)


def test_an_expected_share_for_an_unknown_unit_is_reported_with_a_suggestion():
    rounds, exp = tc.two_target_case()
    extra = pd.DataFrame([{"round": "2025Q2", "unit_id": "AA", "indicator_id": "X", "profile": "linear",
                           "expected_share": 0.5, "_file": "expected.csv", "_row": 99}])
    p = tc.tracking(rounds, pd.concat([exp, extra], ignore_index=True)).problems
    hit = p[p["code"] == "unknown_expected"]
    assert hit["row"].iloc[0] == 99 and "did you mean 'A'" in hit["message"].iloc[0]


def test_tracking_rules_report_their_yaml_path():
    with pytest.raises(tk.RulesError, match="unknown key 'lihgts' \\(did you mean 'lights'\\?\\)") as e:
        tk.rules_from_dict({"tracking": {"lihgts": {"green": 0.9, "yellow": 0.7}}}, file="rules.yaml")
    assert e.value.where == ("rules.yaml", "tracking.lihgts")
    with pytest.raises(tk.RulesError, match="green must be at least yellow") as e:
        tk.rules_from_dict({"tracking": {"lights": {"green": 0.7, "yellow": 0.9}}}, file="rules.yaml")
    assert e.value.where[1] == "tracking"
    with pytest.raises(tk.RulesError) as e:
        tk.rules_from_dict({"tracking": {"level": 1.5}}, file="rules.yaml")
    assert e.value.where[1] == "tracking.level"
