"""Tests for perfkit.kernels.treat."""
from __future__ import annotations

import dataclasses

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from perfkit.kernels.treat import (
    availability,
    denominate,
    impute,
    screen,
    skew_kurt,
    winsorise,
)

NAN = np.nan
FAST = settings(max_examples=30, deadline=None)


# ----------------------------------------------------------------------- denominate


def test_denominate_hand_case_and_record():
    x = [[10.0, 1.0], [6.0, 2.0], [3.0, NAN]]
    denom = [[2.0], [0.0], [NAN]]  # one denominator per unit
    vals, rec = denominate(x, denom, scale=100)
    # 10/2*100 = 500, 1/2*100 = 50; zero and missing denominators -> NaN
    assert_allclose(vals, [[500, 50], [NAN, NAN], [NAN, NAN]])
    assert rec.zero_denominator.tolist() == [[False, False], [True, True], [False, False]]
    # the missing numerator in row 2 is not blamed on the denominator
    assert rec.missing_denominator.tolist() == [[False, False], [False, False], [True, False]]
    assert rec.n_invalid == 3 and rec.scale == 100.0


def test_denominate_shape_mismatch():
    with pytest.raises(ValueError, match=r"shape \(n_units, 1\)"):
        denominate(np.ones((3, 2)), np.ones(3))


# ----------------------------------------------------------------------- impute


def test_impute_mean_and_median():
    x = [[1.0, 4.0], [NAN, 6.0], [3.0, NAN], [8.0, 20.0]]
    vals, mask = impute(x)
    # col 0 mean (1+3+8)/3 = 4; col 1 mean (4+6+20)/3 = 10
    assert_allclose(vals, [[1, 4], [4, 6], [3, 10], [8, 20]])
    assert mask.tolist() == [[False, False], [True, False], [False, True], [False, False]]
    vals, _ = impute(x, method="median")
    assert_allclose(vals[1, 0], 3.0)  # median of 1, 3, 8
    assert_allclose(vals[2, 1], 6.0)  # median of 4, 6, 20


def test_impute_within_groups_with_fallback_to_overall():
    x = [[1.0, NAN], [NAN, NAN], [10.0, 5.0], [NAN, 7.0]]
    groups = ["a", "a", "b", "b"]
    vals, mask = impute(x, groups=groups)
    # col 0: group a mean 1, group b mean 10
    # col 1: group a has no value -> overall mean (5+7)/2 = 6 (flagged too)
    assert_allclose(vals, [[1, 6], [1, 6], [10, 5], [10, 7]])
    assert mask.tolist() == [[False, True], [True, True], [False, False], [True, False]]


def test_impute_empty_column_warns_and_stays_missing():
    with pytest.warns(UserWarning, match=r"column\(s\) \[1\] have no values"):
        vals, mask = impute([[1.0, NAN], [NAN, NAN]])
    assert np.isnan(vals[:, 1]).all() and not mask[:, 1].any()


def test_impute_bad_input():
    with pytest.raises(ValueError, match="'mean' or 'median'"):
        impute([[1.0]], method="mode")
    with pytest.raises(ValueError, match="one label per unit"):
        impute([[1.0], [2.0]], groups=["a"])
    with pytest.raises(ValueError, match=r"\(n_units, n_ind\)"):
        impute([1.0, 2.0])


# ----------------------------------------------------------------------- screening


def test_availability_and_screen():
    x = [[1.0, 2.0, 3.0, 4.0], [NAN, 2.0, 3.0, 4.0], [NAN, NAN, NAN, 1.0]]
    assert_allclose(availability(x), [1.0, 0.75, 0.25])
    assert screen(x, min_availability=0.75).tolist() == [True, True, False]
    assert availability(np.ones((2, 3, 4))).shape == (2, 3)
    with pytest.raises(ValueError, match="between 0 and 1"):
        screen(x, min_availability=75)


# ----------------------------------------------------------------------- skew / kurt


def test_skew_kurt_hand_case():
    # x = 1, 2, 3, 10: mean 4, d = -3, -2, -1, 6; sum d^2 = 50, sum d^3 = 180, sum d^4 = 1394
    # G1 = sqrt(4) * 180 / 50^1.5 * sqrt(4*3) / 2 = 1.76363
    # G2 = ((5) * (4*1394/2500 - 3) + 6) * 3 / (2 * 1) = 3.228
    s, k = skew_kurt([[1.0], [2.0], [3.0], [10.0]])
    assert_allclose(s, [1.7636326148], rtol=1e-9)
    assert_allclose(k, [3.228], rtol=1e-12)


@FAST
@given(x=hnp.arrays(float, (12, 2), elements=st.floats(-100, 100)))
def test_skew_kurt_match_bias_corrected_estimators(x):
    # COINr's type-2 estimators are scipy's bias-corrected skew and (Fisher) kurtosis
    if np.any(np.ptp(x, axis=0) < 1e-3):
        return
    s, k = skew_kurt(x)
    assert_allclose(s, stats.skew(x, axis=0, bias=False), rtol=1e-7, atol=1e-9)
    assert_allclose(k, stats.kurtosis(x, axis=0, bias=False), rtol=1e-7, atol=1e-9)


def test_skew_kurt_too_few_values_is_nan():
    s, k = skew_kurt([[1.0, 1.0], [2.0, 2.0], [4.0, 3.0], [NAN, 3.0]])
    assert not np.isnan(s[0]) and np.isnan(k[0])  # 3 values: skew only
    assert not np.isnan(k[1])


# ----------------------------------------------------------------------- winsorise

HEAVY = np.array([1.0] * 40 + [10, 20, 40, 80, 160, 320, 640, 1280, 2560])


def test_winsorise_single_outlier():
    col = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 100]
    x = np.column_stack([col, np.arange(16.0)])
    vals, recs = winsorise(x)
    # skew 3.77 >= 2 and kurt 14.7 >= 3.5: fails; 100 -> 15 (next highest) then passes
    assert vals[15, 0] == 15.0 and np.array_equal(vals[:15, 0], x[:15, 0])
    r = recs[0]
    assert (r.n_winsorised, r.positions, r.original_values) == (1, (15,), (100.0,))
    assert r.passed and not r.log_applied and r.treated
    assert r.skew_before > 2 and r.kurt_before > 3.5 and abs(r.skew_after) < 2
    # column 1 is uniform: passes untouched
    assert not recs[1].treated and recs[1].passed and np.array_equal(vals[:, 1], x[:, 1])


def test_winsorise_moves_previous_points_with_the_new_extreme():
    vals, recs = winsorise(HEAVY[:, None])
    # 2560, 1280, 640, 320, 160 successively pulled down to 80 (5 points), then passes
    assert recs[0].positions == (44, 45, 46, 47, 48)
    assert recs[0].original_values == (160.0, 320.0, 640.0, 1280.0, 2560.0)
    assert np.all(vals[44:, 0] == 80.0) and recs[0].passed


def test_winsorise_negative_skew_treats_the_low_end():
    vals, recs = winsorise(-HEAVY[:, None])
    assert recs[0].positions == (44, 45, 46, 47, 48) and np.all(vals[44:, 0] == -80.0)


def test_winsorise_falls_back_to_coinr_log_on_the_original():
    vals, recs = winsorise(HEAVY[:, None], max_points=2)
    r = recs[0]
    assert r.log_applied and r.n_winsorised == 0 and r.positions == ()
    # COINr log_CT_plus, positive skew: log(x - min + a), a = 0.01 * (max - min)
    a = 0.01 * (2560 - 1)
    assert_allclose(vals[:, 0], np.log(HEAVY - 1 + a))


def test_winsorise_log_for_negative_skew_keeps_the_order():
    vals, recs = winsorise(-HEAVY[:, None], max_points=2)
    a = 0.01 * (2560 - 1)
    # negative skew: -log(max + a - x) with max = -1
    assert recs[0].log_applied
    assert_allclose(vals[:, 0], -np.log(-1 + a + HEAVY))
    order = np.argsort(-HEAVY, kind="stable")
    assert np.all(np.diff(vals[order, 0]) >= 0)


def test_winsorise_without_fallback_keeps_winsorised_values():
    vals, recs = winsorise(HEAVY[:, None], max_points=2, fallback=None)
    r = recs[0]
    assert not r.log_applied and r.positions == (47, 48) and r.passed is False
    assert np.all(vals[47:, 0] == 640.0)


def test_winsorise_too_few_values_left_alone():
    x = [[1.0], [2.0], [100.0], [NAN]]
    vals, recs = winsorise(x)
    assert recs[0].passed is None and not recs[0].treated
    assert_allclose(vals, x)


def test_winsorise_keeps_missing_values():
    x = np.append(HEAVY, NAN)[:, None]
    vals, recs = winsorise(x)
    assert np.isnan(vals[-1, 0]) and recs[0].n_winsorised == 5


def test_winsorisation_record_is_frozen():
    _, recs = winsorise(HEAVY[:, None])
    with pytest.raises(dataclasses.FrozenInstanceError):
        recs[0].column = 3


@pytest.mark.parametrize("kwargs, match", [
    ({"fallback": "boxcox"}, "fallback must be 'log' or None"),
    ({"max_points": -1}, "non-negative integer"),
    ({"skew_max": float("nan")}, "finite number"),
])
def test_winsorise_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        winsorise(HEAVY[:, None], **kwargs)


@FAST
@given(x=hnp.arrays(float, (15, 2), elements=st.floats(0, 1e4)), seed=st.integers(0, 2**16))
def test_winsorise_permutation_equivariant(x, seed):
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    vals, recs = winsorise(x)
    pvals, precs = winsorise(x[perm])
    assert_allclose(pvals, vals[perm], rtol=1e-9)
    assert [r.n_winsorised for r in precs] == [r.n_winsorised for r in recs]
