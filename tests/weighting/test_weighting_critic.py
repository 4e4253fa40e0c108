"""CRITIC weights."""
import math

import numpy as np
import pytest

from perfkit.weighting import WeightingError, WeightingWarning, critic_weights

# Tuş, A., Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS methods for
# the time and attendance software selection problem. OPSEARCH 56, 528-538 (decision
# matrix of five alternatives; all criteria treated as benefit, as stated in the issue).
TUS_ADALI_2019_X = [
    [5000, 3, 3, 4, 3, 2],
    [680, 5, 3, 2, 2, 1],
    [2000, 3, 2, 3, 4, 3],
    [600, 4, 3, 1, 2, 2],
    [800, 2, 4, 3, 3, 4],
]
TUS_ADALI_2019_W = [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]

# Hand-computed case: z1 = (0, 1/2, 1), z2 = (0, 1, 1/2), z3 = (1, 0, 0)
#   s1 = s2 = 1/2, s3 = sqrt(1/3); r12 = 1/2, r13 = r23 = -sqrt(3)/2.
HAND_X = [[0, 0, 1], [1, 2, 0], [2, 1, 0]]
_R = math.sqrt(3) / 2


def test_reproduces_tus_adali_2019_weights():
    r = critic_weights(TUS_ADALI_2019_X)
    np.testing.assert_allclose(r.weights, TUS_ADALI_2019_W, atol=5e-4)


def test_hand_computed_case_signed_conflict():
    c1 = 0.5 * ((1 - 0.5) + (1 + _R))
    c3 = math.sqrt(1 / 3) * (2 * (1 + _R))
    expected = np.array([c1, c1, c3]) / (2 * c1 + c3)
    r = critic_weights(HAND_X)
    np.testing.assert_allclose(r.weights, expected, rtol=1e-12)
    np.testing.assert_allclose(r.diagnostics["std"], [0.5, 0.5, math.sqrt(1 / 3)], rtol=1e-12)
    assert r.diagnostics["conflict_rule"] == "1 - r"


def test_hand_computed_case_absolute_conflict_variant():
    c1 = 0.5 * ((1 - 0.5) + (1 - _R))
    c3 = math.sqrt(1 / 3) * (2 * (1 - _R))
    expected = np.array([c1, c1, c3]) / (2 * c1 + c3)
    r = critic_weights(HAND_X, conflict="absolute")
    np.testing.assert_allclose(r.weights, expected, rtol=1e-12)
    assert r.params == {"conflict": "absolute"}
    assert r.diagnostics["conflict_rule"] == "1 - |r|"


def test_cost_direction_reverses_the_column():
    X = np.array(HAND_X, dtype=float)
    Xc = X.copy()
    Xc[:, 2] = 10 - Xc[:, 2]
    np.testing.assert_allclose(critic_weights(Xc, direction=[1, 1, -1]).weights, critic_weights(X).weights)


def test_constant_column_gets_zero_weight_and_the_rest_is_computed_without_it():
    X = np.c_[np.array(HAND_X, dtype=float), np.full(3, 7.0)]
    with pytest.warns(WeightingWarning, match="get weight 0"):
        r = critic_weights(X, names=["a", "b", "c", "k"])
    assert r.weights[3] == 0.0
    np.testing.assert_allclose(r.weights[:3], critic_weights(HAND_X).weights, rtol=1e-12)


def test_fewer_than_two_varying_columns_or_three_units_is_an_error():
    with pytest.raises(WeightingError, match="at least two indicators that vary"):
        critic_weights([[1, 5], [2, 5], [3, 5]])
    with pytest.raises(WeightingError, match="at least 3 units"):
        critic_weights([[1, 2], [2, 1]])


def test_perfectly_correlated_indicators_are_an_error():
    with pytest.raises(WeightingError, match="perfectly correlated"):
        critic_weights([[1, 2], [2, 4], [3, 6]])
