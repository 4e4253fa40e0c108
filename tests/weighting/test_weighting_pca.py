"""PCA / factor-analysis weights (OECD/JRC Handbook 2008), KMO, Bartlett, varimax."""
import numpy as np
import pytest
from sklearn.decomposition import PCA
from statsmodels.multivariate.factor_rotation import rotate_factors

from perfkit.weighting import WeightingError, WeightingWarning, factor_loading_weights, kmo, pca_weights, varimax


def _two_factor_data(n=60, seed=1, noise=0.3):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    return np.c_[f[:, 0], f[:, 0], f[:, 1], f[:, 1], f[:, 0] + f[:, 1]] + noise * rng.normal(size=(n, 5))


def test_weights_from_loadings_follow_the_handbook_steps_by_hand():
    # OECD/JRC Handbook (2008) pp. 89-91: squared loadings scaled to unity sum per factor,
    # indicator assigned to its largest scaled squared loading, factors weighted by their
    # share of explained variance.
    L = [[0.9, 0.1], [0.8, 0.2], [0.1, 0.7], [0.2, 0.9]]
    # explained: factor 1 = 0.81 + 0.64 + 0.01 + 0.04 = 1.50, factor 2 = 0.01 + 0.04 + 0.49 + 0.81 = 1.35
    fw = np.array([1.5, 1.35]) / 2.85
    raw = np.array([fw[0] * 0.81 / 1.5, fw[0] * 0.64 / 1.5, fw[1] * 0.49 / 1.35, fw[1] * 0.81 / 1.35])
    w, det = factor_loading_weights(L)
    np.testing.assert_allclose(w, raw / raw.sum(), rtol=1e-12)
    assert det["factor"].tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(det["factor_weights"], fw)


def test_eigenvalues_match_scikit_learn_pca_on_standardised_data():
    X = _two_factor_data()
    r = pca_weights(X)
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    np.testing.assert_allclose(r.diagnostics["eigenvalues"], PCA().fit(Z).explained_variance_, rtol=1e-10)
    assert r.diagnostics["explained_variance_ratio"].sum() == pytest.approx(1.0)


def test_handbook_rule_retains_factors_over_ten_percent_up_to_sixty_percent():
    X = _two_factor_data()
    r = pca_weights(X)
    share = r.diagnostics["explained_variance_ratio"]
    k = r.diagnostics["n_factors"]
    assert k == 2 and (share[:k] > 0.10).all() and share[k] <= 0.10
    assert r.diagnostics["explained"] >= 0.60
    assert r.to_frame()["factor"].tolist()[:4] == [1, 1, 2, 2]
    assert r.diagnostics["loadings"].shape == (5, 2)


def test_kaiser_rule_and_fixed_number_of_factors():
    X = _two_factor_data()
    r = pca_weights(X, factors="kaiser")
    assert r.diagnostics["n_factors"] == int((r.diagnostics["eigenvalues"] > 1).sum())
    r1 = pca_weights(X, factors=1)
    assert r1.diagnostics["n_factors"] == 1 and r1.diagnostics["retention"] == "fixed (1)"
    with pytest.raises(WeightingError, match="factors must be between 1 and 5; got 6"):
        pca_weights(X, factors=6)


def test_varimax_agrees_with_statsmodels_without_kaiser_normalisation():
    rng = np.random.default_rng(3)
    L0 = rng.normal(size=(7, 3))
    ours = varimax(L0, normalize=False)[0]
    theirs = rotate_factors(L0, "varimax")[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-3)
    rotated, T = varimax(L0)
    np.testing.assert_allclose(T @ T.T, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(rotated @ T.T, L0, atol=1e-10)


def test_kmo_hand_computed_for_two_indicators():
    # with two indicators the partial correlation equals r, so KMO = r^2 / (2 r^2) = 0.5
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    overall, per = kmo(np.c_[x, x + rng.normal(size=50)])
    assert overall == pytest.approx(0.5)
    np.testing.assert_allclose(per, [0.5, 0.5])


def test_no_more_units_than_indicators_is_an_error():
    with pytest.raises(WeightingError, match="need more units than indicators; got 4 units for 4 indicators"):
        pca_weights(np.random.default_rng(0).normal(size=(4, 4)))


def test_few_units_and_low_kmo_are_stated_warnings():
    X = np.random.default_rng(5).normal(size=(8, 4))  # independent columns, 2 units per indicator
    with pytest.warns(WeightingWarning) as record:
        r = pca_weights(X)
    messages = " | ".join(str(w.message) for w in record)
    assert "only 8 units for 4 indicators" in messages
    assert r.diagnostics["kmo"] < 0.5 and "KMO" in messages and "unsuitable" in messages
    assert len(r.warnings) == len(record)


def test_constant_indicator_gets_zero_weight():
    X = np.c_[_two_factor_data(), np.ones(60)]
    with pytest.warns(WeightingWarning, match="get weight 0"):
        r = pca_weights(X)
    assert r.weights[-1] == 0.0 and r.to_frame()["factor"].iloc[-1] == 0


def test_direction_does_not_change_pca_weights():
    X = _two_factor_data()
    np.testing.assert_allclose(pca_weights(X, direction=[1, -1, 1, 1, -1]).weights, pca_weights(X).weights, atol=1e-8)
