"""Tests for perfkit.kernels.rank."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.stats import rankdata

from perfkit.kernels.rank import TIES, _rank_along, check_ties, rank_desc

NAN = np.nan
FAST = settings(max_examples=40, deadline=None)


def test_rank_desc_ties_share_the_best_rank():
    # 90, 90 share rank 1; 75 is third ("1224" ranking); NaN gets NaN
    assert_allclose(rank_desc([90.0, 75.0, 90.0, NAN, 60.0]), [1, 3, 1, NAN, 4])


def test_rank_desc_within_groups():
    scores = [70.0, 90.0, 80.0, 60.0, 95.0]
    groups = [1, 1, 2, 2, 1]
    # group 1: 95 -> 1, 90 -> 2, 70 -> 3 ; group 2: 80 -> 1, 60 -> 2
    assert_allclose(rank_desc(scores, groups=groups), [3, 2, 1, 2, 1])


def test_rank_desc_batch_axis():
    s = np.array([[1.0, 3.0, 2.0], [3.0, NAN, 3.0]])
    assert_allclose(rank_desc(s), [[3, 1, 2], [1, NAN, 1]])
    assert_allclose(rank_desc(s, groups=["a", "b", "a"]), [[2, 1, 1], [1, NAN, 1]])


def test_ties_hand_case_all_four_options():
    a = np.array([20.0, 10.0, 20.0, NAN, 30.0])
    # ascending: 10 -> 1, the two 20s occupy ranks 2 and 3, 30 -> 4
    assert_allclose(_rank_along(a, -1, "average"), [2.5, 1, 2.5, NAN, 4])
    assert_allclose(_rank_along(a, -1, "min"), [2, 1, 2, NAN, 4])
    assert_allclose(_rank_along(a, -1, "max"), [3, 1, 3, NAN, 4])
    assert_allclose(_rank_along(a, -1, "dense"), [2, 1, 2, NAN, 3])


def test_ties_along_a_batch_axis():
    a = np.array([[1.0, 1.0, 2.0], [3.0, 2.0, 2.0]])
    assert_allclose(_rank_along(a, -1, "dense"), [[1, 1, 2], [2, 1, 1]])
    assert_allclose(_rank_along(a.T, 0, "max"), [[2, 3], [2, 2], [3, 2]])  # per column of a.T


def test_check_ties_names_the_options():
    assert check_ties("dense", "who") == "dense"
    with pytest.raises(ValueError, match="who: ties must be one of 'average', 'min', 'max', 'dense'"):
        check_ties("first", "who")


def test_rank_desc_bad_input():
    with pytest.raises(ValueError, match="one label per unit"):
        rank_desc([1.0, 2.0], groups=["a"])
    with pytest.raises(ValueError, match=r"missing labels at unit position\(s\) \[1\]"):
        rank_desc([1.0, 2.0], groups=np.array(["a", None], dtype=object))
    with pytest.raises(ValueError, match="units axis"):
        rank_desc(3.0)
    with pytest.raises(TypeError, match="numeric"):
        rank_desc(["x"])


vectors = hnp.arrays(
    float, st.integers(1, 15),
    elements=st.one_of(st.sampled_from([0.0, 1.0, 2.0, NAN]), st.floats(-10, 10)),
)


@FAST
@given(a=vectors, method=st.sampled_from(TIES))
def test_private_ranker_matches_scipy(a, method):
    expected = rankdata(a, method=method, nan_policy="omit") if a.size else a
    assert_allclose(_rank_along(a, -1, method), expected)


@FAST
@given(a=vectors, seed=st.integers(0, 2**16))
def test_rank_desc_permutation_equivariant(a, seed):
    groups = np.arange(a.size) % 2
    perm = np.random.default_rng(seed).permutation(a.size)
    assert_allclose(rank_desc(a[perm], groups=groups[perm]), rank_desc(a, groups=groups)[perm])
