"""Overlap, double counting and conflicts: hand-computed points, matching by id, by the
registry's word and by label similarity."""
from __future__ import annotations

import copy

import pytest

from perfkit.analyses import consistency as pc
from tests.analyses import consistency_cases as cc

TASK = {"u1": 80, "u2": 90, "u3": 70, "u4": 60, "p1": 85}
SP = {"sp_x": {"u1": 90, "u2": 60, "u3": 80, "u4": 70, "p1": 95},
      "sp_y": {"u1": 70, "u2": 80, "u3": 90, "u4": 60, "p1": 75},
      "sp_z": {u: 50 for u in TASK}}


@pytest.fixture(scope="module")
def ev():
    # sp_x worth 2 points, sp_y 1, sp_z 9 (of the 12 of the special node); acc 2 of the 88 of work
    return cc.evaluate(cc.points_scheme(sp_x=2, sp_y=1), cc.round_data(TASK, SP, {"u1": 0, "u2": 1, "u3": 0, "u4": 2}))


def _overlap(ev, reg, **kw):
    return pc.overlap(ev, pc.load_registry(reg), ev.results[["category"]], **kw)


def test_double_counting_adds_the_points_of_every_channel_and_keeps_the_largest(ev):
    ov = _overlap(ev, cc.registry())
    d = ov.double.set_index(["group", "unit_id"])
    # u1: the scheme's own acc is worth 2 points; sp_x (2 points) puts 30 of its 100 on acc (0.6),
    # sp_y (1 point) 20 of 100 (0.2): 2.8 points rest on acc, 0.8 of them counted twice
    row = d.loc[("acc", "u1")]
    assert row["total"] == pytest.approx(2.8) and row["largest"] == pytest.approx(2.0)
    assert row["duplicated"] == pytest.approx(0.8) and row["channels"] == 3
    # p1 (party): the scheme's acc does not apply; the two specials still both count it
    assert d.loc[("acc", "p1"), "duplicated"] == pytest.approx(0.2) and d.loc[("acc", "p1"), "channels"] == 2
    g = ov.groups.set_index("group").loc["acc"]
    assert g["kind"] == "id" and g["channels"] == 3 and g["units"] == 5
    assert g["max_duplicated"] == pytest.approx(0.8) and g["label_zh"] == "生产安全事故起数"
    assert ov.per_unit()["u1"] == pytest.approx(0.8)


def test_shared_points_between_two_specials(ev):
    ov = _overlap(ev, cc.registry())
    s = ov.shared.set_index(["assessment_id", "other"])["share"]
    assert s[("sp_x", "sp_y")] == pytest.approx(0.3) and s[("sp_y", "sp_x")] == pytest.approx(0.2)


def test_opposite_directions_with_targets_no_value_meets_are_incompatible(ev):
    reg = cc.registry()
    reg["assessments"][1]["indicators"][0] = {"id": "acc", "direction": "higher", "target": 3, "points": 20}
    ov = _overlap(ev, reg)
    c = ov.conflicts.set_index(["a_channel", "b_channel"])
    # sp_x wants at most 0 accidents, sp_y at least 3: no value satisfies both
    pair = c.loc[("sp_x", "sp_y")] if ("sp_x", "sp_y") in c.index else c.loc[("sp_y", "sp_x")]
    assert pair["conflict"] == "incompatible" and pair["units_both"] == 5
    # against the scheme's own acc (lower, no target) only the directions are opposite
    comp = ov.conflicts[(ov.conflicts["a_channel"] == "comprehensive") & (ov.conflicts["b_channel"] == "sp_y")]
    assert list(comp["conflict"]) == ["direction"] and list(comp["units_both"]) == [4]
    # a conflicting indicator is reported as a conflict, not as double counting
    assert bool(ov.groups.set_index("group").loc["acc", "conflict"])
    assert "u1" not in ov.per_unit().index


def test_the_same_direction_with_another_target_is_a_target_conflict(ev):
    reg = cc.registry()
    reg["assessments"][1]["indicators"][0] = {"id": "acc", "direction": "lower", "target": 2, "points": 20}
    c = _overlap(ev, reg).conflicts
    assert list(c["conflict"]) == ["target"]
    reg["assessments"][1]["indicators"][0]["target"] = 0
    assert _overlap(ev, reg).conflicts.empty


def test_a_similar_label_is_a_candidate_until_the_registry_confirms_or_dismisses_it(ev):
    reg = cc.registry()
    reg["assessments"][2]["indicators"] = [{"id": "z_task", "label": cc.label("任务完成率", "Tasks done"),
                                            "direction": "higher", "target": 100, "points": 100}]
    ov = _overlap(ev, reg)
    m = ov.matches[ov.matches["kind"] == "label"]
    assert list(zip(m["a_indicator"], m["b_indicator"])) == [("z_task", "task")]  # the special first
    assert m["score"].iloc[0] == pytest.approx(1.0) and m["units_both"].iloc[0] == 5
    assert ov.per_unit().get("u1") == pytest.approx(0.8)  # candidates do not count as confirmed
    confirmed = copy.deepcopy(reg)
    confirmed["assessments"][2]["indicators"][0]["same_as"] = ["task"]
    g = _overlap(ev, confirmed).groups.set_index("group")
    assert g.loc["task ~ z_task", "kind"] == "declared"
    # u1: the scheme's task is worth 86 points; sp_z (9 points) puts all its points on it
    d = _overlap(ev, confirmed).double.set_index(["group", "unit_id"])
    assert d.loc[("task ~ z_task", "u1"), "duplicated"] == pytest.approx(9.0)
    dismissed = copy.deepcopy(reg)
    dismissed["assessments"][2]["indicators"][0]["distinct_from"] = ["task"]
    assert (_overlap(ev, dismissed).matches["kind"] != "label").all()


def test_a_higher_threshold_drops_weaker_candidates(ev):
    reg = cc.registry()
    reg["assessments"][2]["indicators"] = [{"id": "z_task", "label": cc.label("重点任务按时完成率", "Tasks"),
                                            "direction": "higher", "points": 100}]
    low = _overlap(ev, reg, threshold=0.3).matches
    high = _overlap(ev, reg, threshold=0.95).matches
    score = low.loc[low["a_indicator"] == "z_task", "score"].iloc[0]
    assert 0.3 <= score < 0.95
    assert "z_task" not in set(high["b_indicator"]) | set(high["a_indicator"])
