"""On the Demo City every planted consistency finding is found, and nothing else is flagged
but what is explained here."""
from __future__ import annotations

import dataclasses

import pytest

import perfkit
from perfkit import datasets
from perfkit.analyses import consistency as pc

ROUND = "2025"


@pytest.fixture(scope="module")
def planted():
    return datasets.planted("demo_city")["findings"]


@pytest.fixture(scope="module")
def review(demo):
    folder = datasets.dataset_path("demo_city")
    earlier = {r: perfkit.load_round(folder / "rounds" / r, round=r).special_results for r in ("2022", "2023", "2024")}
    return pc.review(demo, folder / "special" / "registry.yaml", folder / "special" / "schedule.csv",
                     previous=earlier, rng=1)


def _fired(review):
    return {a: set(r for r in rules.split(";") if r) for a, rules in review.decisions["rules"].items()}


def test_double_counting_of_the_planted_indicator_is_found(review, planted):
    spec = planted["double_counting"]
    g = review.overlap.groups.set_index("group").loc[spec["indicator"]]
    members = {m.split(":", 1)[0] for m in g["members"].split("; ")}
    assert members == {*spec["assessments"], "comprehensive"} and g["kind"] == "id"
    assert g["units"] > 0 and g["max_duplicated"] > 0 and not g["conflict"]
    assert any(a.code == "double_counting" and a.subject == spec["indicator"] for a in review.alerts)
    for sa in spec["assessments"]:
        assert "special_double_counting" in _fired(review)[sa]


def test_the_planted_conflict_is_found_as_incompatible_targets(review, planted):
    spec = planted["conflicting_targets"]
    c = review.overlap.conflicts
    c = c[c["group"] == spec["indicator"]]
    assert len(c) == 1 and c["conflict"].iloc[0] == "incompatible"
    r = c.iloc[0]
    got = {r["a_channel"]: (r["a_direction"], r["a_target"]), r["b_channel"]: (r["b_direction"], r["b_target"])}
    assert got == {k: (v["direction"], v["target"]) for k, v in spec["assessments"].items()}
    assert any(a.code == "conflict" and a.level == "critical" and a.subject == spec["indicator"]
               for a in review.alerts)
    for sa in spec["assessments"]:
        assert "special_conflict" in _fired(review)[sa]


def test_the_planted_pileups_are_the_clashes_and_the_joint_schedule_removes_them(review, planted):
    spec = planted["inspection_pileups"]
    assert review.rules.clash_k == spec["min_assessments_same_week"]
    clashes = review.burden.clashes
    assert {(ROUND, u, w) for u, w in zip(clashes["unit_id"], clashes["iso_week"])} == \
        {(p["round"], p["unit_id"], p["iso_week"]) for p in spec["units"]}
    for p in spec["units"]:
        row = clashes[(clashes["unit_id"] == p["unit_id"]) & (clashes["iso_week"] == p["iso_week"])].iloc[0]
        assert set(p["assessments"]) <= set(row["which"].split(";"))
    j = review.burden.joint
    assert j.optimal and j.clashes_before == len(spec["units"]) and j.clashes_after == 0
    assert set(j.moves["unit_id"]) <= {p["unit_id"] for p in spec["units"]}


def test_the_disagreeing_special_is_found_with_the_comprehensive_score_without_it(review, planted):
    spec = planted["special_disagrees"]
    a = review.agreement.table.loc[spec["assessment"]]
    assert a["spearman"] < spec["max_rank_correlation"] and a["spearman_hi"] < spec["max_rank_correlation"]
    assert a["loo_method"] == "reweighted"
    assert _fired(review)[spec["assessment"]] == {"special_disagrees"}
    assert review.decisions.loc[spec["assessment"], "action"] == "fix"


def test_the_ceiling_special_is_found_and_retired(review, planted):
    spec = planted["special_ceiling"]
    d = review.discrimination.table.loc[spec["assessment"]]
    assert d["share_ceiling"] >= spec["min_share"] and review.rules.ceiling_score == spec["threshold"]
    fired = _fired(review)[spec["assessment"]]
    assert "special_ceiling" in fired
    # everyone gets about the same 95+ every year in a different order: also flat, unstable, and
    # unrelated to the comprehensive ranking while changing no grade - so the exit rule retires it
    assert fired == {"special_ceiling", "special_flat", "special_unstable", "special_no_link"}
    assert review.decisions.loc[spec["assessment"], "action"] == "retire"


def test_plan_control_finds_the_cap_exceeded_and_the_unapproved_special(review, planted):
    spec = planted["plan_control"]
    assert review.plan.active == spec["active"] and review.plan.cap == spec["cap"] and review.plan.over_cap
    assert list(review.plan.not_approved) == spec["not_approved"]
    assert any(a.code == "plan_over_cap" for a in review.alerts)
    for sa in spec["not_approved"]:
        assert _fired(review)[sa] == {"special_not_approved"}


def test_no_other_assessment_is_flagged(review, planted):
    explained = {planted["special_disagrees"]["assessment"], planted["special_ceiling"]["assessment"],
                 *planted["double_counting"]["assessments"], *planted["conflicting_targets"]["assessments"],
                 *planted["plan_control"]["not_approved"]}
    fired = _fired(review)
    for sa, rules in fired.items():
        if sa not in explained:
            assert not rules, (sa, rules)
            assert review.decisions.loc[sa, "action"] == "keep"
    assert set(fired) - explained  # at least one assessment is simply kept
    # the label-similarity candidates are notes for the office to check, never findings
    assert {a.level for a in review.alerts if a.code == "label_match"} <= {"info"}
    assert not [i for i in review.issues if i.severity == "error"]


def test_sentences_exist_in_both_languages_with_full_width_punctuation(review):
    for a in review.alerts:
        zh, en = a.text("zh"), a.text("en")
        assert zh != a.code and en != a.code and "{" not in zh + en
        assert not any(ch in zh for ch in ",;:()"), zh
    for r in review.recommendations:
        assert not any(ch in r.reason("zh") for ch in ",;:()"), r.reason("zh")
        assert r.reason("en") != r.rule


def test_results_are_frozen_tables(review):
    for part in (review, review.plan, review.overlap, review.burden, review.agreement, review.discrimination,
                 review.effect, review.burden.joint):
        assert dataclasses.is_dataclass(part) and part.__dataclass_params__.frozen
        assert len(part.to_frame()) and "<" in part._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        review.round = "2024"


def test_the_evaluation_without_a_special_reuses_the_survey_and_records_it_once(demo):
    w = pc.without(demo, "sp_ecology").evaluation
    assert [(s.stage, s.target) for s in w.recipe].count(("raw", "survey")) == 1
    assert w.survey is demo.survey
