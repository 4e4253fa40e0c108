"""The sensitivity and comparison charts render offline to SVG and show in notebooks."""
from __future__ import annotations

import pytest

import perfkit.analyses as pa
import perfkit.sensitivity as ps
from perfkit.charts.render import to_svg


@pytest.fixture(scope="module")
def results(tiny):
    f = [ps.Points("satisfaction", 10, 40), ps.SurveyBootstrap(), ps.RuleParameter("targets", "cap", 1.0, 1.2)]
    return {
        "ua": ps.uncertainty(tiny, f, n=256, rng=1),
        "so": ps.sobol(tiny, f, n=32, rng=1, num_resamples=10, outputs="mean_abs_rank_shift"),
        "mg": ps.stability_margin(tiny),
        "cmp": pa.compare({"a": tiny, "b": pa.with_weights(tiny.scheme, {"targets": 50, "satisfaction": 25})},
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
