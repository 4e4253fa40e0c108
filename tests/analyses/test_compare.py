"""Scheme comparison: schemes and weight sets side by side."""
from __future__ import annotations

import pytest

import perfkit.analyses as pa
from perfkit.errors import SchemeError, UnknownNameError


def test_comparing_a_scheme_with_itself_changes_nothing(tiny):
    c = pa.compare({"a": tiny, "b": tiny.scheme}, tiny.input_data)
    assert (c.units["rank_shift[b]"] == 0).all() and not c.units["grade_changed[b]"].any()
    overall = c.correlations[c.correlations["category"] == "all"].iloc[0]
    assert overall["spearman"] == pytest.approx(1.0) and overall["kendall"] == pytest.approx(1.0)
    assert c.summary.loc["b", "grade_changes"] == 0


def test_weight_sets_side_by_side(tiny):
    common = pa.with_weights(tiny.scheme, {"targets": 50, "common": 35, "satisfaction": 15})
    c = pa.compare({"nominal": tiny, "common heavy": common}, tiny.input_data)
    assert common.node("hotline").points == pytest.approx(21.0)  # 15 x 35/25: subtree rescaled
    assert c.summary.loc["common heavy", "mean_abs_rank_shift"] == pytest.approx(1 / 3)
    assert c.summary.loc["common heavy", "grade_changes"] == 2
    assert c.units["grade_changed[common heavy]"].sum() == 2
    assert {"final[nominal]", "rank[common heavy]", "rank_shift[common heavy]"} <= set(c.units.columns)
    assert c.names == ("nominal", "common heavy")


def test_demo_city_alternative_weights_flip_the_planted_units(demo):
    from perfkit import datasets

    alt = {a["id"]: a["points"] for a in datasets.planted("demo_city")["alternative_weights"]}
    schemes = {"nominal": demo, **{k: pa.with_weights(demo.scheme, v) for k, v in alt.items()}}
    c = pa.compare(schemes, demo.input_data)
    for item in datasets.planted("demo_city")["findings"]["borderline_units"]["units"]:
        if isinstance(item, dict):
            for variant, grade in item["flips_under"].items():
                assert c.units.loc[item["unit"], f"grade[{variant}]"] == grade


def test_with_weights_errors(tiny, oecd):
    with pytest.raises(UnknownNameError, match="no node or indicator 'satisfactoin' .*did you mean 'satisfaction'"):
        pa.with_weights(tiny.scheme, {"satisfactoin": 20})
    with pytest.raises(SchemeError, match="children's points add up to 30, but the node has 25"):
        pa.with_weights(tiny.scheme, {"hotline": 20})
    with pytest.raises(SchemeError, match="must be a non-negative number"):
        pa.with_weights(tiny.scheme, {"hotline": -1})
    with pytest.raises(SchemeError, match="'bli' is the root"):
        pa.with_weights(oecd.scheme, {"bli": 2})
    v = pa.with_weights(oecd.scheme, {"health": 2.0})
    assert v.node("health").weight == 2.0
    with pytest.raises(ValueError, match="at least two schemes"):
        pa.compare({"a": tiny})
