"""The weight explorer: each setting equals a full evaluation of the same scheme variant."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfkit
from perfkit import datasets
from perfkit.course.explorer import Explorer, points_sequence, rescale


@pytest.fixture(scope="module")
def demo_explorer(demo):
    return Explorer(demo, lang="en")


@settings(max_examples=60)
@given(st.lists(st.floats(0.5, 60), min_size=2, max_size=6), st.lists(st.floats(0.5, 60), min_size=2, max_size=6))
def test_the_points_steps_reach_any_target_keeping_the_total(nominal, target):
    n = min(len(nominal), len(target))
    nom, tgt = np.array(nominal[:n]), np.array(target[:n])
    tgt = tgt * (100 / tgt.sum())
    v = nom * (100 / nom.sum())
    for k, p in points_sequence(nom, tgt, 100):
        v = rescale(v, k, p, 100)
        assert v.sum() == pytest.approx(100)
    assert np.allclose(v, tgt, atol=1e-6)


def test_a_slider_move_rescales_the_siblings_and_matches_a_full_evaluation(demo, demo_explorer):
    ex = demo_explorer
    state = ex.evaluate({"satisfaction": 25})
    assert state.values.sum() == pytest.approx(100) and state.values["satisfaction"] == pytest.approx(25)
    variant = demo.scheme.with_points({k: float(v) for k, v in state.values.items()})
    full = perfkit.evaluate(variant, demo.input_data).results
    assert np.allclose(state.units["final"], full["final"], atol=1e-6)
    assert (state.units["rank"].to_numpy() == full["rank"].to_numpy()).all()
    assert list(state.units["grade"]) == list(full["grade"])


def test_at_the_nominal_setting_nothing_moves(demo, demo_explorer):
    s = demo_explorer.evaluate(demo_explorer.nominal)
    assert (s.units["rank_change"] == 0).all() and not s.units["grade_changed"].any()
    assert np.allclose(s.units["final"], demo.results["final"], atol=1e-9)


def test_more_weight_on_satisfaction_hurts_the_unit_strong_on_targets(demo_explorer):
    # planted.yaml: gov_civil (strong targets, weak satisfaction) and gov_commerce (the opposite)
    up = demo_explorer.evaluate({"satisfaction": 30}).units
    now = demo_explorer.state.units
    assert up.loc["gov_civil", "final"] < now.loc["gov_civil", "final"]
    gap = lambda u: u.loc["gov_commerce", "final"] - u.loc["gov_civil", "final"]  # noqa: E731
    assert gap(up) > gap(now)


def test_borderline_units_are_those_the_cloud_moves(demo_explorer):
    u = demo_explorer.state.units
    assert ((u["p_grade"] < 0.9) == u["borderline"]).all() and u["borderline"].any()


def test_composite_weights_move_with_the_siblings_unchanged():
    ds = datasets.load("oecd_bli")
    ev = perfkit.evaluate(ds.scheme, ds.data)
    ex = Explorer(ev, lang="zh")
    s = ex.evaluate({"health": 3.0})
    full = perfkit.evaluate(ds.scheme.update({"nodes.health.weight": 3.0}), ds.data).results
    assert np.allclose(s.units["final"], full["final"], atol=1e-6)
    assert s.values.drop("health").eq(1.0).all()


def test_the_widget_updates_siblings_and_table_as_a_slider_moves(demo):
    ex = Explorer(demo, lang="zh")
    box = ex.widget()
    before = ex._out.value
    ex._sliders["satisfaction"].value = 30.0
    assert sum(s.value for s in ex._sliders.values()) == pytest.approx(100)
    assert ex._sliders["satisfaction"].value == 30.0 and ex._out.value != before
    assert "等次变化的单位" in ex._out.value and len(box.children) == len(ex.children) + 2


def test_the_static_fallback_shows_the_scheme_and_each_example(demo_explorer):
    html = demo_explorer.static_html([{"satisfaction": 25}, {"core": 65}])
    assert html.count("<h4>") == 3 and "Example setting" in html and "<table" in html


def test_unknown_components_are_refused_with_a_suggestion(demo_explorer):
    with pytest.raises(KeyError, match="did you mean 'satisfaction'"):
        demo_explorer.evaluate({"satisfation": 20})
