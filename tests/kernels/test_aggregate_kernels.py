"""Tests for perfkit.kernels.aggregate."""
from __future__ import annotations

import tracemalloc
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from perfkit.kernels.aggregate import (
    AGGREGATE,
    arithmetic,
    geometric,
    harmonic,
    mazziotta_pareto,
    topsis,
)

NAN = np.nan
FAST = settings(max_examples=40, deadline=None)


# ----------------------------------------------------------------- hand-computed cases


def test_arithmetic_hand_case():
    # (1*60 + 3*80) / 4 = 75
    assert_allclose(arithmetic([[60.0, 80.0]], weights=[1, 3]), [75.0])


def test_arithmetic_drops_missing_children_and_renormalises():
    x = [[60.0, NAN, 90.0], [NAN, NAN, NAN]]
    # unit 0: (1*60 + 2*90) / (1 + 2) = 80; unit 1: nothing available -> NaN
    assert_allclose(arithmetic(x, weights=[1, 5, 2]), [80.0, NAN])


def test_arithmetic_zero_weight_on_only_available_child_gives_nan():
    assert_allclose(arithmetic([[NAN, 5.0]], weights=[1, 0]), [NAN])


def test_geometric_hand_case():
    # equal weights: sqrt(4 * 16) = 8; weights 1:3: 4^(1/4) * 16^(3/4) = sqrt(2) * 8
    assert_allclose(geometric([[4.0, 16.0]], weights=[1, 1]), [8.0])
    assert_allclose(geometric([[4.0, 16.0]], weights=[1, 3]), [8 * np.sqrt(2)])


def test_geometric_zero_raise_names_the_options():
    with pytest.raises(ValueError, match=r"zeros or negative.*zero='shift'.*zero='floor'"):
        geometric([[0.0, 4.0]], weights=[1, 1])


def test_geometric_shift_and_floor():
    # shift 1: sqrt((0+1) * (8+1)) - 1 = 2
    assert_allclose(geometric([[0.0, 8.0]], weights=[1, 1], zero="shift"), [2.0])
    # shift 2: sqrt(2 * 18) - 2 = 4
    assert_allclose(geometric([[0.0, 16.0]], weights=[1, 1], zero="shift", shift=2), [4.0])
    # floor 1: sqrt(1 * 9) = 3
    assert_allclose(geometric([[0.0, 9.0]], weights=[1, 1], zero="floor", floor=1.0), [3.0])
    # default floor 0.01: sqrt(0.01 * 100) = 1
    assert_allclose(geometric([[0.0, 100.0]], weights=[1, 1], zero="floor"), [1.0])


@pytest.mark.parametrize("kwargs, match", [
    ({"zero": "drop"}, "zero must be one of 'raise', 'shift', 'floor'"),
    ({"shift": 2.0}, "shift only applies with zero='shift'"),
    ({"zero": "shift", "floor": 1.0}, "floor only applies with zero='floor'"),
    ({"zero": "shift", "shift": -1.0}, "shift must be positive"),
    ({"zero": "floor", "floor": 0.0}, "floor must be positive"),
])
def test_zero_handling_options_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        geometric([[1.0, 2.0]], weights=[1, 1], **kwargs)


def test_shift_too_small_for_negative_values_raises():
    with pytest.raises(ValueError, match="stay non-positive"):
        harmonic([[-3.0, 2.0]], weights=[1, 1], zero="shift", shift=1.0)


def test_harmonic_hand_case():
    # 2 / (1/1 + 1/4) = 1.6 ; weights 3:1: 4 / (3/1 + 1/4) = 16/13
    assert_allclose(harmonic([[1.0, 4.0]], weights=[1, 1]), [1.6])
    assert_allclose(harmonic([[1.0, 4.0]], weights=[3, 1]), [16 / 13])
    with pytest.raises(ValueError, match="zeros or negative"):
        harmonic([[0.0, 4.0]], weights=[1, 1])


def test_mazziotta_pareto_hand_case():
    # M = 100, S = 10, cv = 0.1: 100 - 10 * 0.1 = 99 (penalty -1), 101 (penalty +1)
    assert_allclose(mazziotta_pareto([[90.0, 110.0]], weights=[1, 1]), [99.0])
    assert_allclose(mazziotta_pareto([[90.0, 110.0]], weights=[1, 1], penalty=1), [101.0])
    # weights 3:1: M = (3*90 + 110)/4 = 95; S^2 = (3*25 + 225)/4 = 75; 95 - 75/95
    assert_allclose(mazziotta_pareto([[90.0, 110.0]], weights=[3, 1]), [95 - 75 / 95])


def test_mazziotta_pareto_penalty_can_go_below_the_minimum():
    # weights 10:0.1 on (0.5, 100): M = (5 + 10) / 10.1, S^2 = sum w (x - M)^2 / 10.1;
    # M - S^2 / M is far below 0.5: the index is not a mean, imbalance is punished hard
    x = np.array([0.5, 100.0])
    w = np.array([10.0, 0.1])
    m = (w * x).sum() / w.sum()
    s2 = (w * (x - m) ** 2).sum() / w.sum()
    out = mazziotta_pareto(x[None, :], weights=w)
    assert_allclose(out, [m - s2 / m])
    assert out[0] < 0.5


def test_mazziotta_pareto_edge_cases():
    assert_allclose(mazziotta_pareto([[0.0, 0.0], [NAN, NAN]], weights=[1, 1]), [0.0, NAN])
    with pytest.raises(ValueError, match="negative values present"):
        mazziotta_pareto([[-1.0, 2.0]], weights=[1, 1])
    with pytest.raises(ValueError, match="penalty must be -1"):
        mazziotta_pareto([[1.0, 2.0]], weights=[1, 1], penalty=0)


def test_topsis_reference_case():
    # Reference: Tzeng, G.-H. and Huang, J.-J. (2011), Multiple Attribute Decision
    # Making: Methods and Applications, CRC Press, TOPSIS numerical example:
    # four alternatives, three benefit attributes, weights (0.3, 0.4, 0.3).
    x = [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]]
    out = topsis(x, weights=[0.3, 0.4, 0.3])
    assert_allclose(out, [0.5037, 0.6581, 0.7482, 0.3340], atol=1e-4)


def _topsis_loop(x, w, d):
    """Straightforward re-implementation, one cell at a time."""
    x = np.asarray(x, float)
    w = np.asarray(w, float) / np.sum(w)
    n, k = x.shape
    v = np.empty_like(x)
    for j in range(k):
        norm = np.sqrt(sum(x[i, j] ** 2 for i in range(n)))
        for i in range(n):
            v[i, j] = w[j] * x[i, j] / norm
    best = [v[:, j].max() if d[j] > 0 else v[:, j].min() for j in range(k)]
    worst = [v[:, j].min() if d[j] > 0 else v[:, j].max() for j in range(k)]
    out = []
    for i in range(n):
        dp = np.sqrt(sum((v[i, j] - best[j]) ** 2 for j in range(k)))
        dm = np.sqrt(sum((v[i, j] - worst[j]) ** 2 for j in range(k)))
        out.append(dm / (dp + dm))
    return np.array(out)


def test_topsis_cost_criterion_matches_loop():
    x = [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]]
    d = [1, -1, 1]
    assert_allclose(topsis(x, weights=[2, 1, 1], direction=d), _topsis_loop(x, [2, 1, 1], d))


def test_topsis_missing_and_degenerate_units():
    out = topsis([[1.0, 2.0], [NAN, NAN], [3.0, 1.0]], weights=[1, 1])
    assert np.isnan(out[1]) and np.all((out[[0, 2]] >= 0) & (out[[0, 2]] <= 1))
    with pytest.warns(RuntimeWarning, match="closeness set to 0.5"):
        out = topsis([[2.0, 3.0], [2.0, 3.0]], weights=[1, 1])
    assert_allclose(out, [0.5, 0.5])


def test_topsis_bad_direction():
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        topsis([[1.0, 2.0]], weights=[1, 1], direction=[1, 2])


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize("weights, match", [
    ([1, -1], "must not be negative"),
    ([1, 2, 3], "one value per child"),
    ([0, 0], "sum to zero"),
    ([1, NAN], "finite"),
    (None, "weights are required"),
])
@pytest.mark.parametrize("name", ["arithmetic", "geometric", "harmonic", "mazziotta_pareto", "topsis"])
def test_bad_weights_raise(name, weights, match):
    with pytest.raises(ValueError, match=match):
        AGGREGATE.get(name).func([[1.0, 2.0], [3.0, 4.0]], weights=weights)


def test_bad_x_raises():
    with pytest.raises(ValueError, match=r"\(\.\.\., n_units, n_children\)"):
        arithmetic([1.0, 2.0], weights=[1, 1])
    with pytest.raises(TypeError, match="numeric"):
        arithmetic([["a", "b"]], weights=[1, 1])
    with pytest.raises(ValueError, match="infinite"):
        arithmetic([[np.inf, 1.0]], weights=[1, 1])


def test_mismatched_batch_axes_raise():
    with pytest.raises(ValueError, match="batch axes"):
        arithmetic(np.ones((2, 3, 2)), weights=np.ones((4, 2)))


def test_batch_of_weight_vectors_on_one_matrix():
    x = np.array([[60.0, 80.0], [90.0, 70.0], [50.0, NAN]])
    w = np.array([[1.0, 1.0], [1.0, 3.0]])
    out = arithmetic(x, weights=w)
    assert out.shape == (2, 3)
    assert_allclose(out[1], arithmetic(x, weights=w[1]))


def test_registered_names():
    assert AGGREGATE.names() == sorted(
        ["arithmetic", "geometric", "harmonic", "mazziotta_pareto", "topsis", "copeland", "kemeny"])
    assert AGGREGATE.get("mean").func is arithmetic
    assert AGGREGATE.get("mpi").func is mazziotta_pareto


# ----------------------------------------------------------------------- properties

MEANS = ["arithmetic", "geometric", "harmonic", "mazziotta_pareto"]
ALL = MEANS + ["topsis"]


@st.composite
def _case(draw, batch=False):
    n_units = draw(st.integers(2, 6))
    k = draw(st.integers(1, 4))
    shape = ((draw(st.integers(1, 3)),) if batch else ()) + (n_units, k)
    x = draw(hnp.arrays(float, shape, elements=st.floats(0.5, 100.0)))
    holes = draw(hnp.arrays(bool, shape, elements=st.booleans()))
    if draw(st.booleans()):
        x[holes] = np.nan
    w = draw(hnp.arrays(float, (k,), elements=st.floats(0.1, 10.0)))
    return x, w


def _agg(name, x, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # topsis ties (no spread)
        return AGGREGATE.get(name).func(x, weights=w)


@FAST
@given(value=st.floats(0.5, 100.0), n_units=st.integers(1, 5), k=st.integers(1, 5),
       w=hnp.arrays(float, 5, elements=st.floats(0.1, 10.0)), name=st.sampled_from(MEANS))
def test_equal_children_aggregate_to_their_value(value, n_units, k, w, name):
    x = np.full((n_units, k), value)
    assert_allclose(AGGREGATE.get(name).func(x, weights=w[:k]), value, rtol=1e-12)


@FAST
@given(case=_case(), scale=st.floats(0.01, 100.0), name=st.sampled_from(ALL))
def test_weight_scale_invariance(case, scale, name):
    x, w = case
    assert_allclose(_agg(name, x, w * scale), _agg(name, x, w), rtol=1e-9, atol=1e-12)


@FAST
@given(case=_case(), name=st.sampled_from(ALL), seed=st.integers(0, 2**16))
def test_permuting_units_permutes_output(case, name, seed):
    x, w = case
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    assert_allclose(_agg(name, x[perm], w), _agg(name, x, w)[perm], rtol=1e-9, atol=1e-12)


@FAST
@given(case=_case(), name=st.sampled_from(ALL), seed=st.integers(0, 2**16))
def test_permuting_children_with_their_weights_changes_nothing(case, name, seed):
    x, w = case
    perm = np.random.default_rng(seed).permutation(x.shape[1])
    assert_allclose(_agg(name, x[:, perm], w[perm]), _agg(name, x, w), rtol=1e-9, atol=1e-12)


@FAST
@given(case=_case(batch=True), name=st.sampled_from(ALL))
def test_batch_axis_matches_loop(case, name):
    x, w = case
    wb = np.stack([w * (i + 1) ** 0.5 for i in range(x.shape[0])])  # one weight vector per replicate
    looped = np.stack([_agg(name, xi, wi) for xi, wi in zip(x, wb)])
    assert_allclose(_agg(name, x, wb), looped, rtol=1e-12, atol=1e-12)


@FAST
@given(case=_case(), name=st.sampled_from(["arithmetic", "geometric", "harmonic"]))
def test_power_means_lie_between_min_and_max_child(case, name):
    # (not the Mazziotta-Pareto index: its penalty can take it below the minimum)
    x, w = case
    out = _agg(name, x, w)
    ok = ~np.isnan(out)
    with np.errstate(all="ignore"):
        lo = np.fmin.reduce(x, axis=-1)
        hi = np.fmax.reduce(x, axis=-1)
    assert np.all(out[ok] >= lo[ok] - 1e-9) and np.all(out[ok] <= hi[ok] + 1e-9)


@FAST
@given(case=_case())
def test_topsis_in_unit_interval(case):
    out = _agg("topsis", *case)
    ok = ~np.isnan(out)
    assert np.all((out[ok] >= 0) & (out[ok] <= 1))


# ----------------------------------------------------------------------- batched weights


@FAST
@given(case=_case(), seed=st.integers(0, 2**16), name=st.sampled_from(MEANS), bw=st.integers(1, 5))
def test_many_weight_vectors_on_one_matrix_equal_one_call_each(case, seed, name, bw):
    x, w = case
    wb = w * np.random.default_rng(seed).uniform(0.5, 1.5, size=(bw, len(w)))
    got = _agg(name, x, wb)
    assert got.shape == (bw, x.shape[0])
    for r in range(bw):
        assert_allclose(got[r], _agg(name, x, wb[r]), rtol=1e-10, atol=1e-10)
    # a shared matrix with a leading axis of 1 is the same
    assert_allclose(_agg(name, x[None], wb), got, rtol=1e-12, atol=1e-12)


@FAST
@given(case=_case(batch=True), name=st.sampled_from(MEANS))
def test_many_matrices_against_one_weight_vector_equal_one_call_each(case, name):
    x, w = case
    got = _agg(name, x, w[None, :])
    for r in range(x.shape[0]):
        assert_allclose(got[r], _agg(name, x[r], w), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", MEANS)
def test_batch_axes_of_x_and_weights_broadcast(name):
    x = np.random.default_rng(0).uniform(1, 100, size=(2, 1, 4, 3))
    w = np.random.default_rng(1).uniform(0.1, 2, size=(5, 3))
    got = _agg(name, x, w)
    assert got.shape == (2, 5, 4)
    for i in range(2):
        for r in range(5):
            assert_allclose(got[i, r], _agg(name, x[i, 0], w[r]), rtol=1e-10)


@pytest.mark.parametrize("name", MEANS)
def test_weight_replicates_never_build_a_units_by_children_array_per_replicate(name):
    gen = np.random.default_rng(0)
    x = gen.uniform(1, 100, size=(100, 40))
    x[gen.random(x.shape) < 0.1] = np.nan
    w = gen.uniform(0.5, 1.5, size=(5000, 40))
    tracemalloc.start()
    out = _agg(name, x, w)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # broadcasting weights against x would take 5000 x 100 x 40 x 8 bytes = 160 MB; the
    # matrix products need a few (5000, 100) results (4 MB each)
    assert out.shape == (5000, 100) and peak < 40 * 2**20
