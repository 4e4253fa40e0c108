"""Tests for perfkit.kernels.normalise."""
from __future__ import annotations

import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from perfkit.errors import UnknownNameError
from perfkit.kernels import normalise as N
from perfkit.kernels.normalise import (
    NORMALISE,
    ConstantColumnWarning,
    TargetReachedWarning,
    above_below_mean,
    categorical,
    cyclical,
    difference_from_best,
    difference_from_mean,
    difference_from_worst,
    distance_to_best,
    distance_to_target,
    goalposts,
    identity,
    minmax,
    output_range,
    percentile_rank,
    rank,
    ratio_to_max,
    ratio_to_mean,
    ratio_to_worst,
    zscore,
)
from tests.handbook import SCHOOLING, TABLE15

NAN = np.nan
FAST = settings(max_examples=40, deadline=None)


# ----------------------------------------------------------------- hand-computed cases


def test_minmax_hand_case_both_directions():
    x = [[2.0, 10.0], [4.0, 30.0], [6.0, 20.0]]
    # col 0: min 2, max 6 -> (x-2)/4*100 = 0, 50, 100
    # col 1, lower better: best 10 -> 100, worst 30 -> 0, 20 -> 50
    assert_allclose(minmax(x, direction=[1, -1]), [[0, 100], [50, 0], [100, 50]])


def test_minmax_per_indicator_range():
    x = [[0.0, 0.0], [1.0, 2.0]]
    out = minmax(x, lo=[1.0, 0.0], hi=[10.0, 1.0])
    assert_allclose(out, [[1.0, 0.0], [10.0, 1.0]])


def test_minmax_ignores_and_keeps_nan():
    x = [[1.0], [NAN], [3.0], [2.0]]
    # min 1, max 3 over the non-missing values
    assert_allclose(minmax(x), [[0.0], [NAN], [100.0], [50.0]])


def test_minmax_constant_column_warns_and_uses_midpoint():
    x = [[5.0, 1.0], [5.0, 2.0], [NAN, 3.0]]
    with pytest.warns(ConstantColumnWarning, match=r"column\(s\) \[0\].*midpoint"):
        out = minmax(x, lo=0, hi=10)
    assert_allclose(out[:, 0], [5.0, 5.0, NAN])
    assert_allclose(out[:, 1], [0.0, 5.0, 10.0])


def test_minmax_all_missing_column_stays_missing_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = minmax([[NAN, 1.0], [NAN, 2.0]])
    assert np.isnan(out[:, 0]).all()


def test_zscore_hand_case():
    # mean 2, sample sd sqrt(((1)^2 + 0 + 1^2) / 2) = 1
    assert_allclose(zscore([[1.0], [2.0], [3.0]], mean=100, sd=10), [[90], [100], [110]])
    assert_allclose(zscore([[1.0], [2.0], [3.0]], direction=-1), [[1], [0], [-1]])


def test_zscore_uses_sample_sd():
    # x = 0, 2: mean 1, sample sd = sqrt(2) (population sd would be 1)
    assert_allclose(zscore([[0.0], [2.0]]), [[-1 / np.sqrt(2)], [1 / np.sqrt(2)]])


def test_zscore_constant_column_warns():
    with pytest.warns(ConstantColumnWarning, match="target mean"):
        out = zscore([[3.0], [3.0]], mean=50)
    assert_allclose(out, [[50], [50]])


def test_rank_ties_average_and_direction():
    x = [[10.0], [30.0], [20.0], [30.0], [NAN]]
    # ascending ranks: 10->1, 20->2, 30,30 -> (3+4)/2 = 3.5
    assert_allclose(rank(x), [[1], [3.5], [2], [3.5], [NAN]])
    # lower better: 10 best -> 4, 20 -> 3, 30s -> (1+2)/2
    assert_allclose(rank(x, direction=-1), [[4], [1.5], [3], [1.5], [NAN]])


def test_percentile_rank_hand_case():
    x = [[5.0], [1.0], [3.0], [3.0], [9.0]]
    # min ranks 4,1,2,2,5 -> 100*(r-1)/(5-1) = 75, 0, 25, 25, 100
    assert_allclose(percentile_rank(x), [[75], [0], [25], [25], [100]])
    # lower better: 1 best; min ranks of -x: 2, 5, 3, 3, 1 -> 25, 100, 50, 50, 0
    assert_allclose(percentile_rank(x, direction=-1), [[25], [100], [50], [50], [0]])


def test_percentile_rank_constant_column_warns():
    with pytest.warns(ConstantColumnWarning, match="set to 50"):
        out = percentile_rank([[2.0], [2.0], [NAN]])
    assert_allclose(out, [[50], [50], [NAN]])


def test_goalposts_hand_case_and_clipping():
    x = [[-5.0, 30.0], [5.0, 10.0], [15.0, 1.0]]
    # col 0: (x - 0) / 10 -> -0.5 (clip 0), 0.5, 1.5 (clip 1)
    # col 1 lower better, worst 25, best 5: (x - 25) / (5 - 25) -> -0.25 (0), 0.75, 1.2 (1)
    out = goalposts(x, direction=[1, -1], low=[0, 25], high=[10, 5])
    assert_allclose(out, [[0, 0], [50, 75], [100, 100]])


def test_goalposts_contradicting_direction_raises():
    with pytest.raises(ValueError, match=r"contradict direction.*column\(s\) \[1\]"):
        goalposts([[1.0, 1.0]], direction=[1, 1], low=[0, 10], high=[10, 0])


def test_goalposts_equal_goalposts_raise():
    with pytest.raises(ValueError, match="must differ"):
        goalposts([[1.0]], low=3, high=3)


def test_goalposts_missing_goalpost_raises():
    with pytest.raises(ValueError, match="'low' is required"):
        goalposts([[1.0]], high=3)


def test_distance_to_target_matches_coinr_formula():
    # COINr n_dist2targ: 1 - (targ - x) / (targ - min), cap_max = TRUE
    # min 2, target 10: (x - 2) / 8 -> 0, 0.25, 0.5, 1.25 -> capped 1
    out = distance_to_target([[2.0], [4.0], [6.0], [12.0]], target=10.0)
    assert_allclose(out, [[0], [25], [50], [100]])


def test_distance_to_target_lower_is_better():
    # worst = max = 10, target 4: (10 - x) / (10 - 4) -> 0, 1/3, 1, 4/3 -> 1
    out = distance_to_target([[10.0], [8.0], [4.0], [2.0]], direction=-1, target=4.0)
    assert_allclose(out, [[0], [100 / 3], [100], [100]])


def test_distance_to_target_reached_by_all_warns():
    with pytest.warns(TargetReachedWarning, match=r"column\(s\) \[0\]"):
        out = distance_to_target([[5.0], [7.0]], target=3.0)
    assert_allclose(out, [[100], [100]])


def test_distance_to_best_hand_case():
    x = [[50.0, 4.0], [80.0, 2.0], [100.0, 8.0]]
    # col 0 best 100: 100*(1 - |100-x|/100) = 50, 80, 100
    # col 1 best (min) 2: 100*(1 - |2-x|/2) = 0 (clipped from 0), 100, -200 -> 0
    assert_allclose(distance_to_best(x, direction=[1, -1]), [[50, 0], [80, 100], [100, 0]])


def test_distance_to_best_zero_best_raises():
    with pytest.raises(ValueError, match=r"best value is 0.*\[0\]"):
        distance_to_best([[0.0], [-1.0]])


def test_ratio_to_max_hand_case():
    # col 0: 100 * x / 4 ; col 1 lower better: 100 * 2 / x
    assert_allclose(ratio_to_max([[2.0, 2.0], [4.0, 8.0]], direction=[1, -1]),
                    [[50, 100], [100, 25]])


def test_ratio_to_max_rejects_non_positive():
    with pytest.raises(ValueError, match=r"strictly positive.*\[1\]"):
        ratio_to_max([[1.0, 0.0], [2.0, 3.0]])


# -------------------------------------------------------- ties and percentile definitions


def test_rank_ties_options_hand_case():
    x = [[10.0], [30.0], [20.0], [30.0], [40.0], [NAN]]
    # ascending: 10 -> 1, 20 -> 2, the two 30s occupy ranks 3 and 4, 40 -> 5
    assert_allclose(rank(x)[:, 0], [1, 3.5, 2, 3.5, 5, NAN])
    assert_allclose(rank(x, ties="min")[:, 0], [1, 3, 2, 3, 5, NAN])
    assert_allclose(rank(x, ties="max")[:, 0], [1, 4, 2, 4, 5, NAN])
    # dense: no gap after the tie, so 40 is the fourth distinct value
    assert_allclose(rank(x, ties="dense")[:, 0], [1, 3, 2, 3, 4, NAN])


def test_rank_default_average_keeps_the_rank_sum():
    # the reason for the default: ties move no rank points between units
    x = np.array([[3.0], [1.0], [3.0], [3.0], [2.0]])
    assert rank(x).sum() == 1 + 2 + 3 + 4 + 5
    assert rank(x, ties="min").sum() < 15 < rank(x, ties="max").sum()


def test_percentile_rank_definitions_and_ties_hand_case():
    x = [[5.0], [1.0], [3.0], [3.0], [9.0]]
    # min ranks 4, 1, 2, 2, 5 (n = 5)
    assert_allclose(percentile_rank(x, definition="r/n")[:, 0], [80, 20, 40, 40, 100])
    assert_allclose(percentile_rank(x, definition="(r-1)/(n-1)")[:, 0], [75, 0, 25, 25, 100])
    # max ranks 4, 1, 3, 3, 5; average ranks 4, 1, 2.5, 2.5, 5
    assert_allclose(percentile_rank(x, ties="max")[:, 0], [75, 0, 50, 50, 100])
    assert_allclose(percentile_rank(x, ties="max", definition="r/n")[:, 0], [80, 20, 60, 60, 100])
    assert_allclose(percentile_rank(x, ties="average", definition="r/n")[:, 0], [80, 20, 50, 50, 100])


def test_percentile_rank_r_over_n_applies_the_formula_to_a_flat_column():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is substituted, so nothing to warn about
        out = percentile_rank([[2.0], [2.0], [2.0], [NAN]], definition="r/n")
    assert_allclose(out[:, 0], [100 / 3, 100 / 3, 100 / 3, NAN])


@pytest.mark.parametrize("kwargs, match", [
    ({"ties": "first"}, r"ties must be one of 'average', 'min', 'max', 'dense'; got 'first'"),
    ({"definition": "r/(n+1)"}, r"definition must be one of '\(r-1\)/\(n-1\)', 'r/n'"),
])
def test_percentile_rank_bad_choices(kwargs, match):
    with pytest.raises(ValueError, match=match):
        percentile_rank([[1.0], [2.0]], **kwargs)


def test_rank_bad_ties():
    with pytest.raises(ValueError, match="ties must be one of"):
        rank([[1.0], [2.0]], ties="random")


# ------------------------------------------------------ distance to a reference (hand cases)


def test_ratio_to_mean_hand_case():
    x = [[2.0, 1.0], [4.0, 2.0], [6.0, 5.0]]
    # col 0: mean 4 -> 100 * x / 4; col 1 lower better: mean 8/3 -> 100 * (8/3) / x
    out = ratio_to_mean(x, direction=[1, -1])
    assert_allclose(out, [[50, 800 / 3], [100, 400 / 3], [150, 160 / 3]])
    assert_allclose(ratio_to_mean([[2.0], [NAN], [6.0]], scale=1)[:, 0], [0.5, NAN, 1.5])


def test_ratio_to_worst_hand_case():
    x = [[2.0, 2.0], [4.0, 4.0], [8.0, 8.0]]
    # col 0: worst = min 2 -> x / 2; col 1 lower better: worst = max 8 -> 8 / x
    assert_allclose(ratio_to_worst(x, direction=[1, -1], scale=1), [[1, 4], [2, 2], [4, 1]])


def test_ratio_to_best_is_ratio_to_max_with_a_scale():
    assert_allclose(ratio_to_max([[2.0], [8.0]], scale=1)[:, 0], [0.25, 1.0])


@pytest.mark.parametrize("func", [ratio_to_mean, ratio_to_worst, ratio_to_max])
def test_ratios_need_positive_values(func):
    with pytest.raises(ValueError, match=r"strictly positive.*\[1\]"):
        func([[1.0, 0.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match="scale must be positive"):
        func([[1.0], [2.0]], scale=0)


def test_difference_from_mean_hand_case():
    x = [[2.0, 2.0], [4.0, 4.0], [6.0, 6.0]]
    # mean 4: 100 * (x - 4) / 4; lower better: the sign flips
    assert_allclose(difference_from_mean(x, direction=[1, -1]), [[-50, 50], [0, 0], [50, -50]])
    # a negative mean: divided by |mean| = 4, so the highest value is still the best
    assert_allclose(difference_from_mean([[-6.0], [-4.0], [-2.0]])[:, 0], [-50, 0, 50])


def test_difference_from_best_and_worst_hand_case():
    x = [[2.0, 2.0], [4.0, 4.0], [8.0, 8.0]]
    # best: col 0 max 8 -> 100 (x - 8) / 8; col 1 lower better: best = min 2 -> -100 (x - 2) / 2
    assert_allclose(difference_from_best(x, direction=[1, -1]), [[-75, 0], [-50, -100], [0, -300]])
    # worst: col 0 min 2 -> 100 (x - 2) / 2; col 1 worst = max 8 -> -100 (x - 8) / 8
    assert_allclose(difference_from_worst(x, direction=[1, -1]), [[0, 75], [100, 50], [300, 0]])


@pytest.mark.parametrize("func, what", [(difference_from_mean, "mean"), (difference_from_best, "best"),
                                        (difference_from_worst, "worst")])
def test_difference_from_a_zero_reference_raises(func, what):
    x = {"mean": [[-1.0], [1.0]], "best": [[0.0], [-1.0]], "worst": [[0.0], [1.0]]}[what]
    with pytest.raises(ValueError, match=rf"the {what} value is 0 for indicator column\(s\) \[0\]"):
        func(x)


def test_above_below_mean_hand_case_with_the_thresholds_neutral():
    x = [[7.9], [8.0], [10.0], [12.0], [12.1]]  # mean 10: w = x / 10 = 0.79, 0.8, 1, 1.2, 1.21
    # p = 20 %: 1 if w > 1.2, -1 if w < 0.8, 0 in between (both thresholds included)
    assert_allclose(above_below_mean(x)[:, 0], [-1, 0, 0, 0, 1])
    assert_allclose(above_below_mean(x, direction=-1)[:, 0], [1, 0, 0, 0, -1])
    assert_allclose(above_below_mean(x, p=0)[:, 0], [-1, -1, 0, 1, 1])
    assert_allclose(above_below_mean([[1.0], [NAN], [3.0]])[:, 0], [-1, NAN, 1])
    with pytest.raises(ValueError, match="p must not be negative"):
        above_below_mean(x, p=-0.1)


def test_categorical_hand_case_handbook_bands():
    x = np.arange(1.0, 11.0)[:, None]  # F(x) = x / 10 (share of units at or below)
    # inverted-CDF cut-offs P15 = 2, P25 = 3, P65 = 7, P85 = 9, P95 = 10
    assert_allclose(categorical(x)[:, 0], [0, 20, 40, 40, 40, 40, 60, 60, 80, 100])
    # lower is better: the share of units at or above, (11 - x) / 10
    assert_allclose(categorical(x, direction=-1)[:, 0], [100, 80, 60, 60, 40, 40, 40, 40, 20, 0])
    # R type 7 interpolates: P15 = 2.35, P25 = 3.25, P65 = 6.85, P85 = 8.65, P95 = 9.55
    assert_allclose(categorical(x, quantile="linear")[:, 0], [0, 0, 20, 40, 40, 40, 60, 60, 80, 100])


def test_categorical_ignores_and_keeps_missing_values():
    x = np.array([[1.0], [NAN], [2.0], [3.0], [4.0]])
    # median of 1..4 (inverted CDF) is 2: bands 0 below it, 100 from it
    assert_allclose(categorical(x, percentiles=[50], scores=[0, 100])[:, 0], [0, NAN, 100, 100, 100])


@pytest.mark.parametrize("kwargs, match", [
    ({"percentiles": [50, 40]}, "strictly increasing"),
    ({"percentiles": [50, 120], "scores": [0, 1, 2]}, r"in \[0, 100\]"),
    ({"percentiles": [50], "scores": [0, 1, 2]}, "one score more than percentiles"),
    ({"percentiles": [50], "scores": [1, 0]}, "must not decrease"),
    ({"quantile": "type7"}, "quantile must be one of"),
])
def test_categorical_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        categorical([[1.0], [2.0]], **kwargs)


def test_categorical_flat_column_warns():
    with pytest.warns(ConstantColumnWarning, match="top band"):
        out = categorical([[3.0], [3.0], [3.0]])
    assert_allclose(out[:, 0], [100, 100, 100])


def test_cyclical_hand_case():
    x = [[1.0], [2.0], [NAN], [3.0], [6.0]]
    # mean 3, |deviations| 2, 1, 0, 3 -> mean absolute deviation 1.5
    assert_allclose(cyclical(x)[:, 0], [-4 / 3, -2 / 3, NAN, 0, 2])
    assert_allclose(cyclical(x, direction=-1, mean=100)[:, 0], [100 + 4 / 3, 100 + 2 / 3, NAN, 100, 98])
    with pytest.warns(ConstantColumnWarning, match="target mean"):
        assert_allclose(cyclical([[5.0], [5.0]], mean=100)[:, 0], [100, 100])


def test_identity_keeps_values_and_applies_the_direction():
    x = np.array([[1.5, 2.0], [3.0, NAN]])
    out = identity(x, direction=[1, -1])
    assert_allclose(out, [[1.5, -2.0], [3.0, NAN]])
    assert out is not x


# ------------------------------------------------------------- published: handbook Table 15


def test_reproduces_handbook_table_15_normalisations_of_schooling():
    # OECD/JRC (2008), Handbook on Constructing Composite Indicators, Table 15 (p. 87):
    # "mean years of school" of the 23 TAI countries, each method printed to two decimals
    # (the percentile to one); ratios and differences are the handbook's, so scale=1.
    x = SCHOOLING[:, None]
    close = {"atol": 0.0051, "rtol": 0}
    assert_allclose(rank(x, ties="min")[:, 0], TABLE15["rank"])  # tied 9.4s all rank 9
    assert_allclose(zscore(x)[:, 0], TABLE15["zscore"], **close)
    assert_allclose(minmax(x, hi=1)[:, 0], TABLE15["minmax"], **close)
    assert_allclose(ratio_to_mean(x, scale=1)[:, 0], TABLE15["ratio_mean"], **close)
    assert_allclose(ratio_to_max(x, scale=1)[:, 0], TABLE15["ratio_best"], **close)
    assert_allclose(ratio_to_worst(x, scale=1)[:, 0], TABLE15["ratio_worst"], **close)
    assert_allclose(difference_from_mean(x, scale=1)[:, 0], TABLE15["difference_mean"], **close)
    assert_allclose(difference_from_worst(x, scale=1)[:, 0], TABLE15["difference_worst"], **close)
    assert_allclose(above_below_mean(x, p=0.2)[:, 0], TABLE15["above_below"])
    assert_allclose(percentile_rank(x, definition="r/n")[:, 0], TABLE15["percentile"], atol=0.051)


def test_reproduces_the_categorical_column_of_handbook_table_15():
    # Table 15 prints the categories but not their bands; with the inverted-CDF
    # percentiles, the bands 10/15/35/65/85/95 -> 0/20/40/50/60/80/100 give every one of
    # the 23 printed scores (each band edge sits between two observed shares), while
    # interpolated (R type 7) percentiles move Finland, Spain and Italy down a band.
    x = SCHOOLING[:, None]
    bands = {"percentiles": [10, 15, 35, 65, 85, 95], "scores": [0, 20, 40, 50, 60, 80, 100]}
    assert_allclose(categorical(x, **bands)[:, 0], TABLE15["categorical"])
    moved = categorical(x, quantile="linear", **bands)[:, 0] != np.array(TABLE15["categorical"])
    assert np.flatnonzero(moved).tolist() == [0, 18, 19]  # Finland, Spain, Italy


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", NORMALISE.names())
def test_one_dimensional_input_is_rejected(name):
    with pytest.raises(ValueError, match=r"x\[:, None\]"):
        NORMALISE.get(name).func(np.array([1.0, 2.0]), **_params(name, 1))


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="numeric"):
        minmax([["a", "b"]])


def test_infinite_input_raises():
    with pytest.raises(ValueError, match="infinite"):
        minmax([[1.0], [np.inf]])


@pytest.mark.parametrize("direction, match", [(0, r"\+1 or -1"), ([1, 1, 1], "one value per indicator")])
def test_bad_direction_raises(direction, match):
    with pytest.raises(ValueError, match=match):
        minmax([[1.0, 2.0], [3.0, 4.0]], direction=direction)


def test_lo_not_below_hi_raises():
    with pytest.raises(ValueError, match="lo must be less than hi"):
        minmax([[1.0], [2.0]], lo=5, hi=5)


def test_parameter_of_wrong_shape_raises():
    with pytest.raises(ValueError, match=r"one value per indicator \(shape \(2,\)\)"):
        distance_to_target([[1.0, 2.0], [3.0, 4.0]], target=[1.0, 2.0, 3.0])


def test_zscore_non_positive_sd_raises():
    with pytest.raises(ValueError, match="sd must be positive"):
        zscore([[1.0], [2.0]], sd=0)


# ----------------------------------------------------------------------- metadata


def test_all_methods_registered():
    assert NORMALISE.names() == sorted([
        "minmax", "zscore", "rank", "percentile_rank", "goalposts",
        "distance_to_target", "distance_to_best", "ratio_to_max", "ratio_to_mean",
        "ratio_to_worst", "difference_from_mean", "difference_from_best", "difference_from_worst",
        "above_below_mean", "categorical", "cyclical", "identity",
    ])
    assert NORMALISE.get("none").func is identity
    assert NORMALISE.get("ratio_to_best").func is ratio_to_max


def test_text_choices_are_declared_in_the_registry():
    assert NORMALISE.get("rank").meta["choices"] == {"ties": ("average", "min", "max", "dense")}
    assert NORMALISE.get("percentile_rank").meta["choices"]["definition"] == ("(r-1)/(n-1)", "r/n")
    assert "inverted_cdf" in NORMALISE.get("categorical").meta["choices"]["quantile"]


def test_output_range():
    assert output_range("minmax") == (0.0, 100.0)
    assert output_range("minmax", {"lo": 1, "hi": 10, "direction": -1}) == (1.0, 10.0)
    assert output_range("goalposts", {"low": 0, "high": 1, "lo": [0, 20], "hi": [50, 100]}) == (0.0, 100.0)
    assert output_range("distance_to_target", {"target": 5, "hi": 1}) == (0.0, 1.0)
    assert output_range("percentile_rank") == (0.0, 100.0)
    assert output_range("distance_to_best") == (0.0, 100.0)
    assert output_range("ratio_to_max") == (0.0, 100.0)
    assert output_range("zscore", {"mean": 100, "sd": 10}) is None
    assert output_range("rank") is None
    assert output_range("above_below_mean", {"p": 0.1}) == (-1.0, 1.0)
    assert output_range("categorical") == (0.0, 100.0)
    assert output_range("categorical", {"percentiles": [50], "scores": [2, 7]}) == (2.0, 7.0)
    assert output_range("ratio_to_max", {"scale": 1}) == (0.0, 1.0)
    assert output_range("percentile_rank", {"definition": "r/n"}) == (0.0, 100.0)
    for unbounded in ("ratio_to_mean", "ratio_to_worst", "difference_from_mean", "difference_from_best",
                      "difference_from_worst", "cyclical", "identity", "none"):
        assert output_range(unbounded) is None


def test_output_range_misspelt_parameter():
    with pytest.raises(TypeError, match="no parameter 'hgih'.*did you mean 'hi'"):
        output_range("minmax", {"hgih": 10})


def test_output_range_unknown_method():
    with pytest.raises(UnknownNameError, match="did you mean 'minmax'"):
        output_range("minmx")


# ----------------------------------------------------------------------- properties


def _params(name: str, n_ind: int, direction=1.0) -> dict:
    """Parameters making every method valid on data drawn from ``_matrices``."""
    d = np.broadcast_to(np.asarray(direction, dtype=float), (n_ind,))
    if name == "goalposts":
        return {"low": -50.0 * d, "high": 50.0 * d}  # worst, best goalposts
    if name == "distance_to_target":
        return {"target": 500.0 * d}
    return {}


@st.composite
def _matrices(draw, positive=False, batch=False):
    n_units = draw(st.integers(2, 7))
    n_ind = draw(st.integers(1, 3))
    shape = ((draw(st.integers(1, 3)),) if batch else ()) + (n_units, n_ind)
    lo = 1.0 if positive else -1e3
    vals = draw(hnp.arrays(float, shape, elements=st.floats(lo, 1e3, allow_nan=False)))
    holes = draw(hnp.arrays(bool, shape, elements=st.booleans()))
    vals[holes & (draw(st.integers(0, 3)) == 0)] = np.nan
    direction = draw(hnp.arrays(float, (n_ind,), elements=st.sampled_from([1.0, -1.0])))
    return vals, direction


def _call(name, x, direction):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantColumnWarning)
        warnings.simplefilter("ignore", TargetReachedWarning)
        return NORMALISE.get(name).func(
            x, direction=direction, **_params(name, x.shape[-1], direction))


BOUNDED = ["minmax", "goalposts", "distance_to_target", "percentile_rank",
           "distance_to_best", "ratio_to_max", "above_below_mean", "categorical"]


@FAST
@given(data=_matrices(positive=True), name=st.sampled_from(BOUNDED))
def test_bounded_outputs_stay_in_declared_range(data, name):
    x, direction = data
    out = _call(name, x, direction)
    lo, hi = output_range(name, _params(name, x.shape[-1], direction))
    finite = out[~np.isnan(out)]
    assert np.all(finite >= lo - 1e-9) and np.all(finite <= hi + 1e-9)
    assert np.array_equal(np.isnan(out), np.isnan(x))


@FAST
@given(data=_matrices(), name=st.sampled_from(["minmax", "goalposts", "distance_to_target"]))
def test_monotone_in_the_good_direction(data, name):
    x, direction = data
    out = _call(name, x, direction)
    for j in range(x.shape[1]):
        ok = ~np.isnan(x[:, j])
        xs, ys = x[ok, j] * direction[j], out[ok, j]
        order = np.argsort(xs, kind="stable")
        assert np.all(np.diff(ys[order]) >= -1e-9)


@FAST
@given(data=_matrices(positive=True), name=st.sampled_from(NORMALISE.names()),
       seed=st.integers(0, 2**16))
def test_permuting_units_permutes_output(data, name, seed):
    x, direction = data
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    assert_allclose(_call(name, x[perm], direction), _call(name, x, direction)[perm],
                    rtol=1e-9, atol=1e-9)


@FAST
@given(data=_matrices(positive=True, batch=True), name=st.sampled_from(NORMALISE.names()))
def test_batch_axis_matches_loop(data, name):
    x, direction = data
    looped = np.stack([_call(name, xi, direction) for xi in x])
    assert_allclose(_call(name, x, direction), looped, rtol=1e-12, atol=1e-12)


def test_module_exports_are_registered_functions():
    for name in NORMALISE.names():
        assert getattr(N, name) is NORMALISE.get(name).func


@FAST
@given(data=_matrices(positive=True), name=st.sampled_from(NORMALISE.names()))
def test_every_method_is_monotone_in_the_good_direction(data, name):
    x, direction = data
    out = _call(name, x, direction)
    for j in range(x.shape[1]):
        ok = ~np.isnan(x[:, j])
        order = np.argsort(x[ok, j] * direction[j], kind="stable")
        assert np.all(np.diff(out[ok, j][order]) >= -1e-9)


@FAST
@given(data=_matrices(positive=True), scale=st.floats(0.5, 200.0))
def test_reference_methods_put_the_reference_where_declared(data, scale):
    x, direction = data
    col = ~np.isnan(x).all(axis=0)
    if not col.any():
        return
    good = (x * direction)[:, col]
    tol = 1e-9 * scale
    worst = ratio_to_worst(x, direction=direction, scale=scale)[:, col]
    assert np.nanmin(worst) >= scale - tol  # [scale, inf), the worst unit scores scale
    assert_allclose(worst[np.nanargmin(good, axis=0), np.arange(good.shape[1])], scale)
    best = difference_from_best(x, direction=direction, scale=scale)[:, col]
    assert np.nanmax(best) <= tol and np.allclose(np.nanmax(best, axis=0), 0.0, atol=tol)
    behind = difference_from_worst(x, direction=direction, scale=scale)[:, col]
    assert np.nanmin(behind) >= -tol and np.allclose(np.nanmin(behind, axis=0), 0.0, atol=tol)
    assert np.nanmin(ratio_to_mean(x, direction=direction, scale=scale)) > 0
    # a unit added at the column mean leaves the mean alone: it scores scale and 0
    xc = x[:, col]
    with_mean = np.vstack([xc, np.nanmean(xc, axis=0)])
    d = direction[col]
    assert_allclose(ratio_to_mean(with_mean, direction=d, scale=scale)[-1], scale)
    assert_allclose(difference_from_mean(with_mean, direction=d, scale=scale)[-1], 0.0, atol=tol * 10)
