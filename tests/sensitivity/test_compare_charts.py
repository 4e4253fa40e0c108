"""Scheme comparison and the charts (rendered offline to SVG)."""
from __future__ import annotations

import pytest

import perfkit.sensitivity as ps
from perfkit.charts.render import to_svg
from perfkit.sensitivity.factors import FactorError


def test_comparing_a_scheme_with_itself_changes_nothing(tiny):
    c = ps.compare({"a": tiny, "b": tiny.scheme}, tiny.input_data)
    assert (c.units["rank_shift[b]"] == 0).all() and not c.units["grade_changed[b]"].any()
    overall = c.correlations[c.correlations["category"] == "all"].iloc[0]
    assert overall["spearman"] == pytest.approx(1.0) and overall["kendall"] == pytest.approx(1.0)
    assert c.summary.loc["b", "grade_changes"] == 0


def test_weight_sets_side_by_side(tiny):
    common = ps.with_weights(tiny.scheme, {"targets": 50, "common": 35, "satisfaction": 15})
    c = ps.compare({"nominal": tiny, "common heavy": common}, tiny.input_data)
    assert common.node("hotline").points == pytest.approx(21.0)  # 15 x 35/25: subtree rescaled
    assert c.summary.loc["common heavy", "mean_abs_rank_shift"] == pytest.approx(1 / 3)
    assert c.summary.loc["common heavy", "grade_changes"] == 2
    assert c.units["grade_changed[common heavy]"].sum() == 2
    assert {"final[nominal]", "rank[common heavy]", "rank_shift[common heavy]"} <= set(c.units.columns)
    assert c.names == ("nominal", "common heavy")


def test_demo_city_alternative_weights_flip_the_planted_units(demo):
    from perfkit import datasets

    alt = {a["id"]: a["points"] for a in datasets.planted("demo_city")["alternative_weights"]}
    schemes = {"nominal": demo, **{k: ps.with_weights(demo.scheme, v) for k, v in alt.items()}}
    c = ps.compare(schemes, demo.input_data)
    for item in datasets.planted("demo_city")["findings"]["borderline_units"]["units"]:
        if isinstance(item, dict):
            for variant, grade in item["flips_under"].items():
                assert c.units.loc[item["unit"], f"grade[{variant}]"] == grade


def test_with_weights_errors(tiny, oecd):
    from perfkit.errors import SchemeError, UnknownNameError

    with pytest.raises(UnknownNameError, match="no node or indicator 'satisfactoin' .*did you mean 'satisfaction'"):
        ps.with_weights(tiny.scheme, {"satisfactoin": 20})
    with pytest.raises(SchemeError, match="children's points add up to 30, but the node has 25"):
        ps.with_weights(tiny.scheme, {"hotline": 20})
    with pytest.raises(FactorError, match="must be a non-negative number"):
        ps.with_weights(tiny.scheme, {"hotline": -1})
    with pytest.raises(FactorError, match="'bli' is the root"):
        ps.with_weights(oecd.scheme, {"bli": 2})
    v = ps.with_weights(oecd.scheme, {"health": 2.0})
    assert v.node("health").weight == 2.0
    with pytest.raises(ValueError, match="at least two schemes"):
        ps.compare({"a": tiny})


@pytest.fixture(scope="module")
def results(tiny):
    f = [ps.Points("satisfaction", 10, 40), ps.SurveyBootstrap(), ps.RuleParameter("targets", "cap", 1.0, 1.2)]
    return {
        "ua": ps.uncertainty(tiny, f, n=256, rng=1),
        "so": ps.sobol(tiny, f, n=32, rng=1, num_resamples=10, outputs="mean_abs_rank_shift"),
        "mg": ps.stability_margin(tiny),
        "cmp": ps.compare({"a": tiny, "b": ps.with_weights(tiny.scheme, {"targets": 50, "satisfaction": 25})},
                          tiny.input_data),
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_renders_offline_to_svg(results, lang):
    charts = [results["ua"].rank_chart(lang), results["ua"].grade_chart(lang), results["so"].chart(lang=lang),
              results["mg"].chart(lang), results["mg"].table_chart(lang), results["cmp"].chart(lang)]
    for ch in charts:
        svg = to_svg(ch)
        assert svg.lstrip().startswith("<svg")
        assert "<script" not in svg and "cdn" not in svg.lower()
    if lang == "zh":
        assert "排名" in to_svg(results["ua"].rank_chart("zh"))


def test_results_show_in_notebooks(results):
    for key in ("ua", "so", "mg", "cmp"):
        html = results[key]._repr_html_()
        assert "<table" in html
        assert results[key].to_frame() is not None
    assert "satisfaction" in repr(results["ua"])
