"""Side-by-side comparison of weighting methods, and the result object."""
import numpy as np
import pytest

from perfkit.weighting import WeightResult, compare_weightings, entropy_weights, equal_weights

X = np.array([[1, 10, 3], [2, 30, 1], [3, 20, 2], [4, 25, 5]], dtype=float)
NAMES = ["a", "b", "c"]
UNITS = ["u1", "u2", "u3", "u4"]


def test_comparison_tables_hand_computed_for_fixed_weights():
    methods = {"only_a": {"method": "fixed", "values": [1, 0, 0]}, "only_c": {"method": "fixed", "values": [0, 0, 1]}}
    c = compare_weightings(X, None, methods, NAMES, units=UNITS)
    # min-max of a: (0, 1/3, 2/3, 1); of c: (1/2, 0, 1/4, 1)
    np.testing.assert_allclose(c.scores["only_a"], [0, 100 / 3, 200 / 3, 100])
    np.testing.assert_allclose(c.scores["only_c"], [50, 0, 25, 100])
    assert c.ranks["only_a"].tolist() == [4, 3, 2, 1]
    assert c.ranks["only_c"].tolist() == [2, 4, 3, 1]
    # rank differences d = (2, 1, 1, 0): rho = 1 - 6 * 6 / (4 * 15) = 0.4
    assert c.spearman.loc["only_a", "only_c"] == pytest.approx(0.4)
    # concordant 4, discordant 2 pairs: tau = 2 / 6
    assert c.kendall.loc["only_a", "only_c"] == pytest.approx(1 / 3)
    assert c.weights.shape == (3, 2) and c.weights.index.tolist() == NAMES


def test_comparison_accepts_specs_strings_and_results_and_respects_direction():
    methods = {"equal": "equal", "entropy": {"method": "entropy"}, "mine": equal_weights(X)}
    c = compare_weightings(X, [1, 1, -1], methods, NAMES)
    assert c.weights.columns.tolist() == ["equal", "entropy", "mine"]
    np.testing.assert_allclose(c.weights["entropy"], entropy_weights(X, direction=[1, 1, -1]).weights)
    assert (c.ranks["equal"] == c.ranks["mine"]).all()
    assert c.to_frame() is c.weights
    assert "Spearman" in c._repr_html_()


def test_comparison_ties_share_the_best_rank():
    c = compare_weightings([[1, 0], [0, 1], [0, 0]], None, {"eq": "equal"})
    assert c.ranks["eq"].tolist() == [1, 1, 3]


def test_weight_result_is_frozen_read_only_and_checked():
    r = WeightResult(np.array([0.25, 0.75]), "fixed", names=("a", "b"))
    with pytest.raises(AttributeError):
        r.method = "x"
    with pytest.raises(ValueError):
        r.weights[0] = 1.0
    with pytest.raises(ValueError, match="sum to one"):
        WeightResult(np.array([0.5, 0.6]), "fixed")
    with pytest.raises(ValueError, match="non-negative"):
        WeightResult(np.array([1.5, -0.5]), "fixed")
    with pytest.raises(ValueError, match="one value per indicator"):
        WeightResult(np.array([0.5, 0.5]), "fixed", diagnostics={"x": [1]}, per_indicator=("x",))


def test_weight_result_repr_and_html_are_readable():
    r = entropy_weights(X, names=NAMES)
    assert repr(r).startswith("WeightResult(method='entropy', weights={a: ")
    html = r._repr_html_()
    assert "熵权法" in html and "Entropy weights" in html and "normalise=minmax" in html
    assert "<table" in html
