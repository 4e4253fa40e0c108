"""Uncertainty analysis: hand-computed cases, summaries, reproducibility."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import perfkit
import perfkit.sensitivity as ps


def _two_units():
    """Two units, two indicators: X is best on A, Y on B; A weighs 1.5, B 1; grade G for
    the best unit (quota 1 of 2)."""
    raw = {
        "id": "two", "label": {"zh": "二", "en": "two"}, "paradigm": "composite",
        "categories": [{"id": "c", "label": {"zh": "类", "en": "c"}}],
        "structure": {"id": "idx", "label": {"zh": "指数", "en": "index"}, "aggregate": "arithmetic", "children": [
            {"id": "A", "label": {"zh": "甲", "en": "A"}, "normalise": "minmax", "weight": 1.5},
            {"id": "B", "label": {"zh": "乙", "en": "B"}, "normalise": "minmax", "weight": 1.0}]},
        "grading": {"default": [{"id": "G", "min_score": 0, "max_share": 0.5}, {"id": "H"}]},
    }
    units = pd.DataFrame({"unit_id": ["X", "Y"], "name_zh": ["X", "Y"], "name_en": ["X", "Y"], "category": "c"})
    values = pd.DataFrame({"unit_id": ["X", "X", "Y", "Y"], "indicator_id": ["A", "B", "A", "B"],
                           "value": [10.0, 0.0, 0.0, 10.0]})
    return perfkit.evaluate(perfkit.load_scheme(raw), perfkit.RoundData.from_frames(units=units, values=values))


def test_hand_computed_probabilities_of_a_weight_range():
    # X = 100 wA / (wA + 1), Y = 100 / (wA + 1): X ranks first iff wA > 1.
    # wA ~ U(0.5, 2.5): P(wA > 1) = 0.75; scrambled Sobol' points with n = 2^k split
    # [0, 1) into equal parts exactly, so the share is exactly 0.75.
    ev = _two_units()
    ua = ps.uncertainty(ev, [ps.Weight("A", 0.5, 2.5)], n=1024, rng=0)
    assert ua.units.loc["X", "nominal_rank"] == 1 and ua.units.loc["X", "nominal_grade"] == "G"
    assert ua.grade_probabilities.loc["X", "G"] == pytest.approx(0.75, abs=1e-12)
    assert ua.grade_probabilities.loc["Y", "G"] == pytest.approx(0.25, abs=1e-12)
    # mean |rank shift| = each unit moves by one place in a quarter of the replicates
    assert ua.mean_abs_rank_shift == pytest.approx(0.25, abs=1e-12)
    # both keep their nominal grade with probability 0.75: borderline, least stable first, ties in unit order
    assert ua.borderline == ("X", "Y")
    assert ua.units.loc["X", "rank_lo"] == 1 and ua.units.loc["X", "rank_hi"] == 2
    # score interval: X's score at wA = 0.5 + 0.05 * 2 = 0.6 and 2.4 (5 % and 95 %)
    assert ua.units.loc["X", "score_lo"] == pytest.approx(100 * 0.6 / 1.6, abs=0.2)


def test_summary_tables_are_consistent(tiny):
    f = [ps.Points("satisfaction", 10, 40), ps.SurveyBootstrap(), ps.RuleParameter("targets", "cap", 1.0, 1.2)]
    ua = ps.uncertainty(tiny, f, n=512, rng=1, threshold=0.95)
    u = ua.units
    assert ((u["rank_lo"] <= u["median_rank"]) & (u["median_rank"] <= u["rank_hi"])).all()
    np.testing.assert_allclose(ua.grade_probabilities.sum(axis=1), 1.0)
    assert set(ua.borderline) == set(u.index[u["p_nominal_grade"] < 0.95])
    assert list(ua.factors["factor"]) == ["points satisfaction", "survey sampling", "targets.cap"]
    assert ua.n == 512 and ua.seed == 1 and ua.final.shape == (512, 6)
    np.testing.assert_allclose(ua.rank_shift.mean(), ua.mean_abs_rank_shift)
    assert "Uncertainty analysis" in ua._repr_html_() and "survey sampling" in ua._repr_html_()
    assert ua.to_frame().equals(u)


def test_same_seed_same_result_other_seed_other_result(tiny):
    f = [ps.SurveyBootstrap(), ps.WeightNoise(0.3, level=1)]
    a = ps.uncertainty(tiny, f, n=256, rng=7)
    b = ps.uncertainty(tiny, f, n=256, rng=7)
    c = ps.uncertainty(tiny, f, n=256, rng=8)
    np.testing.assert_array_equal(a.final, b.final)
    assert a.entropy == b.entropy
    assert not np.array_equal(a.final, c.final)
    g = ps.uncertainty(tiny, f, n=256, rng=np.random.default_rng(7))
    assert g.seed is None  # a Generator is used as given, its seed unknown


def test_seed_zero_is_a_seed(tiny):
    f = [ps.SurveyBootstrap()]
    a = ps.uncertainty(tiny, f, n=64, rng=0, sampling="random")
    b = ps.uncertainty(tiny, f, n=64, rng=0, sampling="random")
    np.testing.assert_array_equal(a.final, b.final)


@pytest.mark.parametrize("kw, message", [
    ({"n": 1}, "n must be an integer >= 2"),
    ({"threshold": 0}, "threshold must be in (0, 1]"),
    ({"quantiles": (0.9, 0.1)}, "quantiles must be (low, high)"),
    ({"sampling": "lhs"}, "sampling must be 'sobol' or 'random'"),
])
def test_bad_arguments(tiny, kw, message):
    with pytest.raises(ValueError) as info:
        ps.uncertainty(tiny, [ps.SurveyBootstrap()], **{"n": 8, **kw})
    assert message in str(info.value)


def test_uncertainty_needs_an_evaluation(tiny):
    with pytest.raises(TypeError, match="expected a perfkit Evaluation"):
        ps.uncertainty(tiny.scheme, [ps.SurveyBootstrap()], n=8)


def test_planted_borderline_and_robust_units_of_the_demo_city(demo):
    from perfkit import datasets

    planted = datasets.planted("demo_city")["findings"]
    f = [ps.SurveyBootstrap(), ps.Points("satisfaction", 10, 25), ps.WeightNoise(0.2, level=1)]
    ua = ps.uncertainty(demo, f, n=2048, rng=2025)
    p = ua.units["p_nominal_grade"]
    for item in planted["borderline_units"]["units"]:
        unit = item["unit"] if isinstance(item, dict) else item
        assert p[unit] < 0.9, (unit, p[unit])
        assert unit in ua.borderline
    robust = planted["robust_unit"]["unit"]
    assert p[robust] == 1.0
    assert ua.units.loc[robust, "rank_lo"] == ua.units.loc[robust, "rank_hi"] == 1
