"""Property tests (hypothesis): invariants every weighting method must keep."""
import warnings

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from perfkit.weighting import (
    WEIGHTS,
    ahp_weights,
    bod_weights,
    critic_weights,
    entropy_weights,
    expert_weights,
    std_weights,
)

SETTINGS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def data(draw, min_units=4, max_units=10, min_ind=2, max_ind=5):
    n = draw(st.integers(min_units, max_units))
    m = draw(st.integers(min_ind, max_ind))
    X = draw(arrays(np.float64, (n, m), elements=st.floats(0.0, 100.0, allow_nan=False, allow_infinity=False)))
    spread = X.max(axis=0) - X.min(axis=0)
    assume((spread > 1e-3 * np.maximum(1.0, np.abs(X).max(axis=0))).all())
    direction = np.array(draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m)))
    return X, direction


def _valid(w):
    return np.all(w >= 0) and np.isclose(w.sum(), 1.0) and w.dtype == float


@SETTINGS
@given(data(), st.sampled_from(["equal", "entropy", "critic", "std", "pca", "bod"]))
def test_objective_weights_are_non_negative_and_sum_to_one(xd, method):
    X, d = xd
    if method == "critic":
        R = np.corrcoef(X, rowvar=False)
        assume(not np.allclose(np.abs(R), 1.0))
    if method == "pca":
        assume(X.shape[0] > X.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = WEIGHTS.get(method).func(X, direction=d)
    assert _valid(r.weights)
    assert r.weights.shape == (X.shape[1],)


@SETTINGS
@given(data(), st.data())
def test_entropy_and_critic_are_invariant_to_positive_rescaling_of_a_column(xd, draw):
    X, d = xd
    j = draw.draw(st.integers(0, X.shape[1] - 1))
    c = draw.draw(st.floats(1e-3, 1e3))
    Y = X.copy()
    Y[:, j] *= c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(entropy_weights(Y, direction=d).weights,
                                   entropy_weights(X, direction=d).weights, atol=1e-9)
        np.testing.assert_allclose(entropy_weights(Y + 0.0, normalise="sum").weights,
                                   entropy_weights(X, normalise="sum").weights, atol=1e-9)
        np.testing.assert_allclose(std_weights(Y, direction=d).weights, std_weights(X, direction=d).weights, atol=1e-9)
        R = np.corrcoef(X, rowvar=False)
        assume(not np.allclose(np.abs(R), 1.0))
        np.testing.assert_allclose(critic_weights(Y, direction=d).weights,
                                   critic_weights(X, direction=d).weights, atol=1e-9)


@SETTINGS
@given(data(max_ind=4))
def test_bod_scores_are_invariant_to_rescaling_of_raw_columns(xd):
    X, _ = xd
    X = X + 1.0
    scale = np.linspace(0.5, 50, X.shape[1])
    np.testing.assert_allclose(bod_weights(X * scale, normalise="none").scores,
                               bod_weights(X, normalise="none").scores, atol=1e-7)


@SETTINGS
@given(st.lists(st.floats(0.01, 100.0), min_size=1, max_size=10), st.sampled_from(
    ["eigenvector", "geometric_mean", "column_mean"]))
def test_ahp_of_a_consistent_matrix_returns_its_generating_weights_with_cr_zero(raw, priority):
    w = np.array(raw) / np.sum(raw)
    A = w[:, None] / w[None, :]
    r = ahp_weights(matrix=A, scale="any", priority=priority)
    np.testing.assert_allclose(r.weights, w, rtol=1e-8, atol=1e-12)
    assert abs(r.cr) < 1e-9 and r.consistent
    assert r.lambda_max == np.float64(r.lambda_max) and abs(r.lambda_max - len(w)) < 1e-8


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 6)), elements=st.floats(0, 100)))
def test_expert_weights_are_non_negative_and_sum_to_one(alloc):
    assume((alloc.sum(axis=1) > 0).all())
    assert _valid(expert_weights(allocations=alloc).weights)
    assume(np.median(alloc / alloc.sum(axis=1, keepdims=True), axis=0).sum() > 0)
    assert _valid(expert_weights(allocations=alloc, aggregate="median").weights)


@SETTINGS
@given(data(), st.permutations(range(5)))
def test_entropy_weights_follow_a_permutation_of_the_units(xd, perm):
    X, d = xd
    p = [i for i in perm if i < X.shape[0]] + list(range(5, X.shape[0]))
    np.testing.assert_allclose(entropy_weights(X[p], direction=d).weights,
                               entropy_weights(X, direction=d).weights, atol=1e-12)
