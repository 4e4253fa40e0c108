"""Combined weights (组合赋权)."""
import numpy as np
import pytest

from perfkit.weighting import (
    WeightingError,
    ahp_weights,
    combine_weights,
    entropy_weights,
    game_theory_coefficients,
)


def test_linear_combination_uses_the_chosen_alpha():
    r = combine_weights([0.6, 0.4], [0.2, 0.8], alpha=0.25)
    assert r.weights.tolist() == pytest.approx([0.25 * 0.6 + 0.75 * 0.2, 0.25 * 0.4 + 0.75 * 0.8])
    assert r.params["alpha"] == 0.25 and r.params["how"] == "linear"


def test_linear_combination_requires_alpha_in_zero_one():
    with pytest.raises(WeightingError, match="linear combination needs alpha"):
        combine_weights([0.6, 0.4], [0.2, 0.8])
    with pytest.raises(WeightingError, match="alpha must be between 0 and 1; got 1.5"):
        combine_weights([0.6, 0.4], [0.2, 0.8], alpha=1.5)
    with pytest.raises(WeightingError, match="alpha applies to the linear combination only"):
        combine_weights([0.6, 0.4], [0.2, 0.8], how="multiplicative", alpha=0.5)


def test_multiplicative_combination_hand_computed():
    # (0.6 * 0.2, 0.4 * 0.8) = (0.12, 0.32) -> / 0.44
    r = combine_weights([0.6, 0.4], [0.2, 0.8], how="multiplicative")
    assert r.weights.tolist() == pytest.approx([0.12 / 0.44, 0.32 / 0.44])
    with pytest.raises(WeightingError, match="no indicator has weight in both"):
        combine_weights([1, 0], [0, 1], how="multiplicative")


def test_game_theory_coefficients_solve_the_normal_equations():
    w1, w2 = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    a, raw = game_theory_coefficients(w1, w2)
    G = np.array([[w1 @ w1, w1 @ w2], [w2 @ w1, w2 @ w2]])
    np.testing.assert_allclose(G @ raw, [w1 @ w1, w2 @ w2])
    np.testing.assert_allclose(a, np.abs(raw) / np.abs(raw).sum())
    r = combine_weights(w1, w2, how="game_theory")
    np.testing.assert_allclose(r.weights, a[0] * w1 + a[1] * w2)
    np.testing.assert_allclose(r.diagnostics["coefficients"], a)


def test_results_can_be_combined_and_keep_their_names_and_methods():
    X = [[30, 30, 38], [19, 54, 86], [19, 15, 85], [68, 70, 60]]
    s = ahp_weights(matrix=[[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]], names=["a", "b", "c"])
    o = entropy_weights(X, names=["a", "b", "c"])
    r = combine_weights(s, o, alpha=0.5)
    assert r.names == ("a", "b", "c")
    assert r.params["subjective"] == "ahp" and r.params["objective"] == "entropy"
    assert r.to_frame().columns.tolist() == ["weight", "subjective", "objective"]
    with pytest.raises(WeightingError, match="cannot combine 3 subjective with 2 objective weights"):
        combine_weights(s, [0.5, 0.5], alpha=0.5)
