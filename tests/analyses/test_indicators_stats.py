"""The indicator review's statistics, each against a value computed by hand (or known
analytically), plus properties that must hold for any data."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from perfkit.analyses.indicators import stats
from perfkit.kernels.treat import skew_kurt


def test_cv_is_sd_over_mean():
    # sd([2, 4, 6]) = 2, mean 4
    assert stats.cv([2.0, 4.0, 6.0]) == pytest.approx(0.5)
    assert np.isnan(stats.cv([0.0, 0.0])) and np.isnan(stats.cv([3.0]))


def test_gini_by_hand():
    # sum_ij |x_i - x_j| over ordered pairs of (1, 2, 3, 4) = 2 * (1+2+3+1+2+1) = 20; 20 / (2 * 16 * 2.5)
    assert stats.gini([1.0, 2.0, 3.0, 4.0]) == pytest.approx(0.25)
    assert stats.gini([5.0, 5.0]) == 0.0
    assert np.isnan(stats.gini([-1.0, 2.0]))


def test_shares_at_full_marks_and_zero_ignore_missing():
    x = [100.0, 100.0, 90.0, 0.0, np.nan]
    assert stats.share_at(x, 100.0) == pytest.approx(0.5)
    assert stats.share_at(x, 0.0) == pytest.approx(0.25)
    assert stats.n_distinct(x) == 3


def test_robust_z_uses_the_mad_and_falls_back_to_the_mean_absolute_deviation():
    # median 3, MAD 1: z = 0.6745 * (x - 3)
    assert stats.robust_z([1.0, 2.0, 3.0, 4.0, 100.0]) == pytest.approx(0.6745 * np.array([-2, -1, 0, 1, 97]))
    # MAD 0 (four equal values): MeanAD = 4 / 5, z = 4 / (1.253314 * 0.8) = 3.98942
    z = stats.robust_z([5.0, 5.0, 5.0, 5.0, 9.0, np.nan])
    assert z[4] == pytest.approx(3.98942, abs=1e-5) and z[0] == 0.0 and np.isnan(z[5])
    assert (stats.robust_z([2.0, 2.0]) == 0).all()


def test_cronbach_alpha_by_hand():
    # item variances 5/3 and 5/3; totals (3, 5, 8, 8) variance 6: alpha = 2 * (1 - (10/3) / 6) = 8/9
    alpha, n = stats.cronbach_alpha([[1, 2], [2, 3], [3, 5], [4, 4], [np.nan, 1]])
    assert alpha == pytest.approx(8 / 9) and n == 4


def test_centre_and_group_ranks_work_within_groups():
    g = ["a", "a", "b", "b", "b"]
    assert stats.centre([1.0, 3.0, 10.0, 20.0, 30.0], g).tolist() == [-1.0, 1.0, -10.0, 0.0, 10.0]
    r = stats.group_ranks([[3.0], [1.0], [7.0], [5.0], [np.nan]], g).ravel()
    # group a: ranks (2, 1) of 2 -> (0.25, -0.25); group b: (2, 1) of 2 -> same; NaN kept
    assert r[:4].tolist() == [0.25, -0.25, 0.25, -0.25] and np.isnan(r[4])


def test_pearson_correlation_by_hand_and_pairwise_complete():
    # x = 1..4, y = (2, 4, 5, 4): sum dxdy = 3.5, sum dx^2 = 5, sum dy^2 = 4.75 -> r = 3.5 / sqrt(23.75)
    X = np.array([[1, 2, 9], [2, 4, np.nan], [3, 5, 9], [4, 4, 9]], dtype=float)
    r, n = stats.correlations(X, min_n=3)
    assert r[0, 1] == pytest.approx(3.5 / np.sqrt(23.75))
    assert n[0, 2] == 3 and np.isnan(r[0, 2])  # no spread in the third column


def test_complete_linkage_clusters_need_every_pair_above_the_threshold():
    r = np.array([[1, .95, .92, .1], [.95, 1, .85, .1], [.92, .85, 1, .1], [.1, .1, .1, 1]])
    labels, order = stats.clusters(r, 0.9)
    # 0-1 and 0-2 are above 0.9 but 1-2 is not: complete linkage keeps 2 out of {0, 1}
    assert labels[0] == labels[1] and labels[2] != labels[0] and labels[3] not in (labels[0], labels[2])
    assert sorted(order.tolist()) == [0, 1, 2, 3]


def test_first_order_effect_of_a_discrete_indicator_is_the_correlation_ratio():
    # y at x = 0, 1, 2: (1, 3), (4, 6), (8, 10), ten times over: group means 2, 5, 9
    x = np.tile([0, 0, 1, 1, 2, 2], 10).astype(float)
    y = np.tile([1, 3, 4, 6, 8, 10], 10).astype(float)
    fo = stats.first_order(x, y)
    # between SS / total SS = 49.333 / 55.333 per block; adjusted: 1 - (1 - raw) * 59 / 57
    raw = (2 * ((2 - 16 / 3) ** 2 + (5 - 16 / 3) ** 2 + (9 - 16 / 3) ** 2)) / 55.3333333
    assert fo.smoother == "levels" and fo.df == 2
    assert fo.raw == pytest.approx(raw, rel=1e-6)
    assert fo.S == pytest.approx(1 - (1 - raw) * 59 / 57, rel=1e-6)


def test_first_order_effect_within_groups_removes_group_offsets():
    rng = np.random.default_rng(3)
    x = rng.normal(size=300)
    g = np.repeat(["a", "b", "c"], 100)
    y = x + np.select([g == "a", g == "b"], [50.0, -50.0], 0.0)  # y = x + group offset, exactly
    assert stats.first_order(x, y, g).S == pytest.approx(1.0, abs=1e-6)
    assert stats.first_order(x, y).S < 0.01  # pooled, the offsets swamp x


def test_first_order_effects_of_a_linear_model_with_independent_inputs_are_analytic():
    # y = sum w_i x_i, x_i independent: S_i = w_i^2 s_i^2 / sum_j w_j^2 s_j^2 = (1, 4, 1) / 6.
    # With n = 20 000 the sampling error of each S is below 2 sqrt(S)(1 - S)/sqrt(n) ~ 0.005;
    # tolerance 0.02 (absolute).
    rng = np.random.default_rng(11)
    sd, w = np.array([1.0, 2.0, 0.5]), np.array([1.0, 1.0, 2.0])
    X = rng.normal(size=(20_000, 3)) * sd
    y = X @ w
    expected = w**2 * sd**2 / np.sum(w**2 * sd**2)
    smooth = [stats.first_order(X[:, j], y).S for j in range(3)]
    assert smooth == pytest.approx(expected, abs=0.02)
    assert stats.linear_first_order(X, y) == pytest.approx(expected, abs=0.02)


def test_the_smoother_finds_a_nonlinear_effect_a_correlation_misses():
    # y = x^2 + e, x ~ U(-1, 1): Var(x^2) = 1/5 - 1/9 = 4/45, Var(e) = 4/45 -> S = 0.5, r = 0.
    # n = 5000: tolerance 0.03.
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, 5000)
    y = x**2 + rng.normal(0, np.sqrt(4 / 45), 5000)
    assert stats.first_order(x, y).S == pytest.approx(0.5, abs=0.03)
    assert stats.linear_first_order(x[:, None], y)[0] < 0.01


def test_first_order_effect_of_an_unrelated_indicator_is_near_zero_and_small_samples_fit_a_line():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(2, 200))
    assert stats.first_order(x, y).S < 0.03
    small = stats.first_order(np.arange(10.0), rng.normal(size=10))
    assert small.df == pytest.approx(1.0, abs=0.05)  # 10 units: at most a straight line


def test_first_order_effect_is_undefined_without_spread():
    assert np.isnan(stats.first_order([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]).S)
    assert np.isnan(stats.first_order([1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0]).S)


def test_optimal_weights_equalise_influence_analytically():
    # x1 ~ N(0, 1), x2 ~ N(0, 9) independent, y = v1 x1 + v2 x2: equal S needs v1 = 3 v2,
    # i.e. weights (1.5, 0.5) for a total of 2. Tolerance 0.05 (n = 4000).
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4000, 2)) * [1.0, 3.0]
    v, s, ok = stats.optimal_weights(X, np.array([1.0, 1.0]), lambda X, W: W @ X.T)
    assert ok and v == pytest.approx([1.5, 0.5], abs=0.05) and s == pytest.approx([0.5, 0.5], abs=0.01)


def test_skewness_and_kurtosis_are_coinrs_type_2_definitions_by_hand():
    # x = (1, 2, 3, 10): d = (-3, -2, -1, 6), sum d^2 = 50, sum d^3 = 180, sum d^4 = 1394, n = 4.
    # G1 = (180/4) / (50/4)^1.5 * sqrt(12) / 2 = 1.76363; r = 4 * 1394 / 2500 = 2.2304,
    # G2 = ((5)(r - 3) + 6) * 3 / (2 * 1) = 3.2280
    s, k = skew_kurt(np.array([[1.0], [2.0], [3.0], [10.0]]))
    assert s[0] == pytest.approx(45 / 12.5**1.5 * np.sqrt(12) / 2) and k[0] == pytest.approx(3.228)


# ------------------------------------------------------------------ properties
finite = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.floats(min_value=0.01, max_value=100))
def test_gini_and_cv_do_not_depend_on_the_unit_of_measure(xs, c):
    x = np.array(xs)
    g = stats.gini(x)
    if np.isfinite(g):
        assert 0.0 <= g < 1.0
        assert stats.gini(c * x) == pytest.approx(g, abs=1e-9)
    v = stats.cv(x)
    if np.isfinite(v) and x.mean() > 1e-6:
        assert stats.cv(c * x) == pytest.approx(v, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=12, max_value=80))
def test_correlations_are_symmetric_bounded_and_match_scipy(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[rng.random(size=X.shape) < 0.1] = np.nan
    r, _ = stats.correlations(X)
    assert np.allclose(r, r.T, equal_nan=True) and np.nanmax(np.abs(r)) <= 1.0
    ok = ~np.isnan(X[:, 0]) & ~np.isnan(X[:, 1])
    assert r[0, 1] == pytest.approx(sps.pearsonr(X[ok, 0], X[ok, 1]).statistic)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_first_order_effect_is_a_share_and_ignores_the_order_of_units(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=50)
    y = np.sin(2 * x) + rng.normal(size=50)
    fo = stats.first_order(x, y)
    assert 0.0 <= fo.S <= 1.0 and 0.0 <= fo.raw <= 1.0
    p = rng.permutation(50)
    assert stats.first_order(x[p], y[p]).S == pytest.approx(fo.S, abs=1e-8)
