"""Peer-model templates: re-expressing a peer's model for the office's scheme, with every
value's origin stated, and re-scoring the round under it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import perfkit
from perfkit import datasets
from perfkit.analyses.benchmark import apply_template, compare_templates, load_practice, load_template, template_paths
from perfkit.errors import SchemeError

ROOT = Path(__file__).resolve().parents[2]
GUILIN = ROOT / "datasets" / "benchmark" / "templates" / "guilin_three_part.yaml"


@pytest.fixture(scope="module")
def demo():
    ds = datasets.load("demo_city", round=2025)
    return ds.scheme, perfkit.evaluate(ds.scheme, ds.data)


@pytest.fixture(scope="module")
def practice():
    return load_practice()


def _raw():
    return yaml.safe_load(GUILIN.read_text(encoding="utf-8"))


def test_shipped_templates_say_where_every_part_and_value_comes_from(practice):
    paths = template_paths()
    assert {p.stem for p in paths} >= {"guilin_three_part", "hangzhou_social"}
    for p in paths:
        t = load_template(p, practice=practice)
        parts = t.to_frame()
        assert set(parts["structure_from"]) <= {"document", "assumption"}
        assert set(parts["points_from"]) <= {"document", "assumption"}
        # the document gives no points for peer models: every point value is an assumption, said in both languages
        assert (parts["points_from"] == "assumption").all()
        assert parts["assumption_zh"].notna().all() and parts["assumption_en"].notna().all()
        assert sum(c.points for c in t.components) == t.total_points


def test_guilin_template_is_the_documents_three_part_model(practice):
    t = load_template(GUILIN, practice=practice)
    assert t.city == "guilin" and t.model.section == "A.1.2"
    assert [c.structure.says for c in t.components] == ["指标评估", "社会满意度调查"]
    assert t.adjustments["part"].says == "加减分与否决项目"


def test_applying_a_template_rescales_the_taken_nodes_and_keeps_their_balance(demo, practice):
    scheme, ev = demo
    v = apply_template(scheme, load_template(GUILIN, practice=practice))
    assert [(c.id, c.points) for c in v.root.children] == [("part_indicators", 70.0), ("part_survey", 30.0)]
    assert v.node("core").points == pytest.approx(55 * 70 / 85)
    assert v.node("common").points == pytest.approx(20 * 70 / 85)
    assert v.node("satisfaction").points == pytest.approx(30.0)
    assert set(v.leaves) == set(scheme.leaves)
    # every indicator's score is the same; its points scale with its component: base = 70/85 x (core + common +
    # special) + 30/15 x satisfaction, unit by unit
    tv = ev.rerun(v)
    p = ev.points
    expected = 70 / 85 * (p["core"] + p["common"] + p["special"]) + 2.0 * p["satisfaction"]
    assert np.allclose(tv.results["base"], expected)


def test_rescoring_under_the_templates_compares_ranks_and_grades(demo):
    _, ev = demo
    tc = compare_templates(ev)
    u = tc.comparison.units
    assert set(tc.evaluations) == {"office", "guilin_three_part", "hangzhou_social"}
    for t in tc.templates:
        changed = u.index[u[f"grade_changed[{t.id}]"]]
        assert set(tc.grade_changes.loc[tc.grade_changes["template"] == t.id, "unit_id"]) == set(changed)
        warn = [a for a in tc.alerts if a.code == "bm_template_grades" and a.subject == t.id]
        assert (len(warn) == 1) == (len(changed) > 0)
    # a larger survey share moves more units than a smaller one
    s = tc.summary()
    assert s.loc["hangzhou_social", "mean_abs_rank_shift"] > s.loc["guilin_three_part", "mean_abs_rank_shift"] > 0


def _load(raw, practice):
    return load_template(raw, practice=practice, file="bad.yaml")


def test_points_that_do_not_add_up_are_a_located_error(practice):
    raw = _raw()
    raw["components"][1]["points"] = 25
    with pytest.raises(SchemeError, match=r"bad.yaml: components: the components' points add up to 95 "
                                          r"\(part_indicators 70 \+ part_survey 25\), not total_points 100"):
        _load(raw, practice)


def test_a_value_without_its_origin_is_refused(practice):
    raw = _raw()
    del raw["components"][0]["points_from"]
    with pytest.raises(SchemeError, match=r"components\[0\]\(part_indicators\)\.points_from: say where the points"):
        _load(raw, practice)
    raw = _raw()
    del raw["components"][0]["assumption"]
    with pytest.raises(SchemeError, match=r"components\[0\]\(part_indicators\)\.assumption: .*zh and en"):
        _load(raw, practice)


def test_a_document_claim_must_be_in_the_document(practice):
    raw = _raw()
    raw["components"][1]["says"] = "满意度调查占30分"
    with pytest.raises(SchemeError, match=r"components\[1\]\(part_survey\)\.says: the phrase .* does not occur"):
        _load(raw, practice)


def test_a_node_taken_twice_or_not_at_all_is_refused(demo, practice):
    scheme, _ = demo
    raw = _raw()
    raw["components"][1]["takes"] = ["satisfaction", "common"]
    with pytest.raises(SchemeError, match="node 'common' is already taken by component 'part_indicators'"):
        _load(raw, practice)
    raw = _raw()
    raw["components"][0]["takes"] = ["core", "common"]
    with pytest.raises(SchemeError, match="no component takes sp_business"):
        apply_template(scheme, _load(raw, practice))
    raw = _raw()
    raw["components"][0]["takes"] = ["core", "comon", "special"]
    with pytest.raises(SchemeError, match="did you mean 'common'"):
        apply_template(scheme, _load(raw, practice))
    raw = _raw()
    raw["components"][0]["takes"] = ["core", "common", "special", "hotline"]
    with pytest.raises(SchemeError, match="indicator 'hotline' is taken twice"):
        apply_template(scheme, _load(raw, practice))


def test_a_template_for_another_total_or_with_a_clashing_id_is_refused(demo, practice):
    scheme, _ = demo
    raw = _raw()
    raw["total_points"] = 120
    raw["components"][0]["points"] = 90
    with pytest.raises(SchemeError, match="total_points: the template is for a 120-point scheme"):
        apply_template(scheme, _load(raw, practice))
    raw = _raw()
    raw["components"][0]["id"] = "core"
    with pytest.raises(SchemeError, match="'core' is already a node"):
        apply_template(scheme, _load(raw, practice))
