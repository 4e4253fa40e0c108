"""Expert points allocation, Kendall's W and Delphi rounds."""
import numpy as np
import pytest

from perfkit.weighting import WeightingError, WeightingWarning, delphi, delphi_weights, expert_weights, kendall_w


def test_kendall_w_hand_computed_without_ties():
    # rank sums (4, 6, 8, 12), mean 7.5, S = 35; W = 12 S / (m^2 (n^3 - n)) = 420 / 540
    kw = kendall_w([[1, 2, 3, 4], [2, 1, 3, 4], [1, 3, 2, 4]])
    assert kw.w == pytest.approx(420 / 540)
    assert kw.chi2 == pytest.approx(3 * 3 * 420 / 540)
    assert kw.df == 3


def test_kendall_w_applies_the_tie_correction():
    # rater 1 ties the first two items: ranks (1.5, 1.5, 3, 4), T = 2^3 - 2 = 6
    # rank sums (4.5, 4.5, 9, 12): S = 40.5; W = 12 * 40.5 / (9 * 60 - 3 * 6) = 486 / 522
    kw = kendall_w([[10, 10, 20, 30], [1, 2, 3, 4], [2, 1, 3, 4]])
    assert kw.w == pytest.approx(486 / 522)


def test_kendall_w_is_one_for_identical_and_zero_for_opposite_rankings():
    assert kendall_w([[3, 1, 2]] * 4).w == pytest.approx(1.0)
    assert kendall_w([[1, 2, 3], [3, 2, 1]]).w == pytest.approx(0.0)


def test_expert_weights_mean_of_shares_with_dispersion():
    alloc = [[50, 30, 20], [40, 40, 20], [60, 20, 20]]
    r = expert_weights(allocations=alloc, budget=100, names=["a", "b", "c"])
    assert r.weights.tolist() == pytest.approx([0.5, 0.3, 0.2])
    np.testing.assert_allclose(r.diagnostics["std"], [0.1, 0.1, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.diagnostics["cv"], [0.2, 1 / 3, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.diagnostics["iqr"], [0.1, 0.1, 0.0], atol=1e-12)
    assert r.to_frame().columns.tolist() == ["weight", "mean", "median", "std", "iqr", "cv"]


def test_expert_weights_median_is_rescaled_to_sum_to_one():
    alloc = [[60, 30, 10], [20, 40, 40], [50, 20, 30]]
    r = expert_weights(allocations=alloc, aggregate="median")
    # medians of the shares: (0.5, 0.3, 0.3) -> / 1.1
    assert r.weights.tolist() == pytest.approx([0.5 / 1.1, 0.3 / 1.1, 0.3 / 1.1])


def test_points_are_rescaled_per_expert_without_a_budget():
    r = expert_weights(allocations=[[2, 2], [30, 10]])
    assert r.weights.tolist() == pytest.approx([0.625, 0.375])


def test_budget_violation_names_the_expert():
    with pytest.raises(WeightingError, match="expert 2 allocated 95 points; the budget is 100"):
        expert_weights(allocations=[[50, 50], [45, 50]], budget=100)
    with pytest.raises(WeightingError, match="finite, non-negative points"):
        expert_weights(allocations=[[50, -5], [45, 50]])


def test_delphi_convergence_report_per_round():
    r1 = [[50, 30, 20], [20, 40, 40], [60, 20, 20]]
    r2 = [[45, 35, 20], [40, 35, 25], [50, 30, 20]]
    r3 = [[45, 35, 20], [44, 34, 22], [46, 34, 20]]
    d = delphi([r1, r2, r3], budget=100, max_change=0.02, names=["a", "b", "c"])
    rep = d.to_frame()
    assert rep.index.tolist() == [1, 2, 3]
    assert rep.columns.tolist() == [
        "n_experts", "kendall_w", "kendall_p", "mean_cv", "max_iqr", "max_change", "converged"
    ]
    assert np.isnan(rep.loc[1, "max_change"])
    assert rep.loc[2, "max_change"] == pytest.approx(0.05)
    assert rep["converged"].tolist() == [False, False, True]
    assert rep.loc[3, "mean_cv"] < rep.loc[1, "mean_cv"]
    assert d.converged
    long = d.indicator_frame()
    assert long.loc[(2, "c"), "change"] == pytest.approx(-0.05)


def test_delphi_weights_warns_when_the_last_round_has_not_converged():
    rounds = [[[60, 40], [40, 60]], [[80, 20], [70, 30]]]
    with pytest.warns(WeightingWarning, match="has not converged"):
        r = delphi_weights(rounds=rounds)
    assert r.method == "delphi"
    assert r.weights.tolist() == pytest.approx([0.75, 0.25])
    assert r.diagnostics["n_rounds"] == 2 and r.diagnostics["converged"] is False


def test_delphi_rounds_must_have_the_same_indicators():
    with pytest.raises(WeightingError, match="Delphi round 2 has 3 indicators; round 1 has 2"):
        delphi([[[1, 1]], [[1, 1, 1]]])
    with pytest.raises(WeightingError, match="Delphi round 1: expert 1 allocated 3 points"):
        delphi([[[1, 2]]], budget=100)
