"""Equal, fixed, standard-deviation and coefficient-of-variation weights."""
import math

import numpy as np
import pytest

from perfkit.weighting import WeightingError, WeightingWarning, cv_weights, equal_weights, fixed_weights, std_weights


def test_equal_weights_use_the_column_count_only():
    assert equal_weights(np.zeros((5, 4))).weights.tolist() == [0.25] * 4
    assert equal_weights(names=["a", "b", "c"]).as_dict() == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    with pytest.raises(WeightingError, match="need X or names"):
        equal_weights()


def test_fixed_weights_are_rescaled_and_checked():
    assert fixed_weights(values=[20, 30, 50]).weights.tolist() == pytest.approx([0.2, 0.3, 0.5])
    with pytest.raises(WeightingError, match="non-negative"):
        fixed_weights(values=[1, -1])
    with pytest.raises(WeightingError, match="2 values for 3 indicators"):
        fixed_weights(np.zeros((2, 3)), values=[1, 1])


def test_std_weights_hand_computed():
    # min-max: (0, 1/2, 1) has s = 1/2; (0, 1, 0) has s = sqrt(1/3)
    r = std_weights([[0, 0], [1, 1], [2, 0]])
    s = np.array([0.5, math.sqrt(1 / 3)])
    np.testing.assert_allclose(r.weights, s / s.sum(), rtol=1e-12)
    np.testing.assert_allclose(r.diagnostics["std"], s, rtol=1e-12)


def test_std_weights_do_not_depend_on_ddof():
    X = [[1, 5, 2], [3, 2, 2.5], [4, 8, 1], [0, 1, 7]]
    np.testing.assert_allclose(std_weights(X, ddof=0).weights, std_weights(X, ddof=1).weights)


def test_cv_weights_hand_computed():
    # column 1: mean 2, s = 1 -> cv 0.5; column 2: mean 11, s = sqrt(3) -> cv sqrt(3)/11
    r = cv_weights([[1, 10], [2, 10], [3, 13]])
    cv = np.array([0.5, math.sqrt(3) / 11])
    np.testing.assert_allclose(r.weights, cv / cv.sum(), rtol=1e-12)


def test_cv_weights_refuse_negative_or_zero_mean_data():
    with pytest.raises(WeightingError, match="non-negative data with a positive mean; indicator 'b'"):
        cv_weights([[1, -1], [2, 3], [3, 1]], names=["a", "b"])
    with pytest.raises(WeightingError, match="positive mean"):
        cv_weights([[1, 0], [2, 0], [3, 0]])


def test_constant_columns_get_zero_weight_with_a_warning():
    with pytest.warns(WeightingWarning, match="get weight 0"):
        r = std_weights([[1, 4], [2, 4], [3, 4]])
    assert r.weights.tolist() == [1.0, 0.0]
    with pytest.warns(WeightingWarning, match="get weight 0"):
        r = cv_weights([[1, 4], [2, 4], [3, 4]])
    assert r.weights.tolist() == [1.0, 0.0]
    with pytest.raises(WeightingError, match="no indicator varies"):
        std_weights([[1, 4], [1, 4]])
