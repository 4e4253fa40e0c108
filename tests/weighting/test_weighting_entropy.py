"""Entropy weights (熵权法)."""
import math

import numpy as np
import pytest

from perfkit.weighting import WeightingError, WeightingWarning, entropy_weights

# Xu, X. (2004). A note on the subjective and objective integrated approach to determine
# attribute weights. EJOR 156(2), 530-532: raw data, sum-normalised (no min-max step).
XU_2004_X = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
XU_2004_W = [0.4630, 0.3992, 0.1378, 0.0000]


def test_reproduces_xu_2004_sum_normalised_weights():
    r = entropy_weights(XU_2004_X, normalise="sum")
    np.testing.assert_allclose(r.weights, XU_2004_W, atol=5e-5)
    assert r.params["normalise"] == "sum"
    assert r.params["zero"] == "zero_log"


def test_minmax_hand_computed_case_with_zero_log():
    # column 1: z = (0, 1/2, 1) -> p = (0, 1/3, 2/3) -> e = 1 - (2/3) ln 2 / ln 3
    # column 2: z = (1, 0, 0)   -> p = (1, 0, 0)     -> e = 0 (0 ln 0 = 0)
    X = [[1, 3], [2, 1], [3, 1]]
    d1 = (2 / 3) * math.log(2) / math.log(3)
    expected = np.array([d1, 1.0]) / (d1 + 1.0)
    r = entropy_weights(X)
    np.testing.assert_allclose(r.weights, expected, rtol=1e-12)
    np.testing.assert_allclose(r.diagnostics["e"], [1 - d1, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.diagnostics["d"], [d1, 1.0], atol=1e-12)


def test_cost_direction_is_reversed_before_the_entropy():
    benefit = entropy_weights([[1, 3], [2, 1], [3, 1]])
    cost = entropy_weights([[1, 1], [2, 3], [3, 3]], direction=[1, -1])
    np.testing.assert_allclose(benefit.weights, cost.weights, rtol=1e-12)


def test_shift_adds_the_stated_constant_before_p():
    X = np.array([[1, 3], [2, 1], [3, 1]], dtype=float)
    r = entropy_weights(X, zero="shift", shift=0.01)
    Z = np.array([[0, 1], [0.5, 0], [1, 0]]) + 0.01
    P = Z / Z.sum(axis=0)
    e = -(P * np.log(P)).sum(axis=0) / np.log(3)
    np.testing.assert_allclose(r.weights, (1 - e) / (1 - e).sum(), rtol=1e-12)
    assert r.params == {"normalise": "minmax", "zero": "shift", "shift": 0.01}
    assert r.diagnostics["zero"] == "shift"


def test_constant_column_gets_zero_weight_with_a_stated_warning():
    X = [[1, 5, 2], [2, 5, 9], [3, 5, 4]]
    with pytest.warns(WeightingWarning, match="do not vary across units; they cannot discriminate and get weight 0"):
        r = entropy_weights(X, names=["a", "b", "c"])
    assert r.weights[1] == 0.0
    assert "'b'" in r.warnings[0]
    assert r.diagnostics["constant"].tolist() == [False, True, False]


def test_all_columns_constant_is_an_error():
    with pytest.raises(WeightingError, match="no indicator varies across units"):
        entropy_weights([[1, 2], [1, 2], [1, 2]])


def test_sum_normalisation_refuses_cost_indicators_and_negative_values():
    with pytest.raises(WeightingError, match="cannot reverse cost indicators"):
        entropy_weights(XU_2004_X, normalise="sum", direction=[1, 1, 1, -1])
    with pytest.raises(WeightingError, match="need non-negative values"):
        entropy_weights([[-1, 2], [3, 4]], normalise="sum")


def test_bad_options_and_missing_values_are_errors():
    with pytest.raises(WeightingError, match="zero must be one of 'zero_log', 'shift'"):
        entropy_weights(XU_2004_X, zero="log0")
    with pytest.raises(WeightingError, match="shift must be positive"):
        entropy_weights(XU_2004_X, zero="shift", shift=0)
    with pytest.raises(WeightingError, match="shift is used only with zero='shift'"):
        entropy_weights(XU_2004_X, shift=0.01)
    with pytest.raises(WeightingError, match="missing or non-finite value \\(row 2, column 1\\)"):
        entropy_weights([[1, 2], [np.nan, 3], [2, 2]])
    with pytest.raises(WeightingError, match="at least 2 units"):
        entropy_weights([[1, 2]])
    with pytest.raises(WeightingError, match="direction must contain \\+1 \\(benefit\\) or -1 \\(cost\\)"):
        entropy_weights(XU_2004_X, direction=[1, 0, 1, 1])


def test_to_frame_has_weight_e_and_d_per_indicator():
    f = entropy_weights(XU_2004_X, normalise="sum", names=list("abcd")).to_frame()
    assert f.columns.tolist() == ["weight", "e", "d"]
    assert f.index.tolist() == ["a", "b", "c", "d"]
