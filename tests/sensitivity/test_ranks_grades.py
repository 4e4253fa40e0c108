"""Batched ranks and grades against the engine's own rank_desc and assign_grades."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.engine.grading import assign_grades
from perfkit.kernels.rank import rank_desc
from perfkit.sensitivity.batch import grade_batch, rank_within
from perfkit.sensitivity.compile import GradeTable

_values = st.sampled_from([np.nan, 50.0, 60.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0])


def scores_st(n):
    return st.lists(_values, min_size=n, max_size=n)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(scores_st(8), min_size=1, max_size=5),
       groups=st.lists(st.sampled_from(["a", "b", "c"]), min_size=8, max_size=8))
def test_rank_within_equals_rank_desc_with_ties_nan_and_groups(rows, groups):
    s = np.array(rows, dtype=float)
    g = np.array(groups, dtype=object)
    expected = rank_desc(s, groups=g)
    np.testing.assert_array_equal(rank_within(s, g), expected)


def _cs(tables, names, rounding, ties):
    return SimpleNamespace(grade_tables=tables, grade_names=names, rounding=rounding, ties=ties, has_grades=True)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(scores_st(10), min_size=1, max_size=4),
       share=st.sampled_from([None, 0.1, 0.2, 0.3, 0.35, 0.5]),
       share2=st.sampled_from([None, 0.4, 0.6]),
       thr=st.sampled_from([None, 80.0, 90.0]),
       vetoes=st.lists(st.sampled_from([0, 0, 0, 1, 2, 3]), min_size=10, max_size=10),
       rounding=st.sampled_from(["floor", "ceil", "round"]), ties=st.sampled_from(["strict", "lenient"]))
def test_grade_batch_equals_assign_grades(rows, share, share2, thr, vetoes, rounding, ties):
    s = np.array(rows, dtype=float)
    mins = [thr, 70.0, 60.0, None]
    shares = [share, share2, None, None]
    allowed = np.array(vetoes)
    table = GradeTable(name="default", ids=("A", "B", "C", "D"), codes=np.arange(4, dtype=np.int8),
                       min_scores=tuple(mins), max_shares=tuple(shares),
                       categories=(("x", np.arange(10)),), best_allowed=allowed)
    got = grade_batch(_cs((table,), ("A", "B", "C", "D"), rounding, ties), s)
    for r in range(s.shape[0]):
        out = assign_grades(s[r], min_scores=mins, max_shares=shares, best_allowed=allowed, rounding=rounding,
                            ties=ties)
        np.testing.assert_array_equal(got[r], out.index)


def test_grade_batch_quota_override_per_replicate():
    s = np.array([[95.0, 94, 93, 92, 50], [95.0, 94, 93, 92, 50]])
    table = GradeTable(name="default", ids=("A", "B"), codes=np.arange(2, dtype=np.int8), min_scores=(90.0, None),
                       max_shares=(0.2, None), categories=(("x", np.arange(5)),), best_allowed=np.zeros(5, int))
    got = grade_batch(_cs((table,), ("A", "B"), "floor", "strict"), s, {("default", 0): np.array([0.2, 0.6])})
    # quota 1 of 5 in the first replicate, 3 of 5 in the second
    np.testing.assert_array_equal(got, [[0, 1, 1, 1, 1], [0, 0, 0, 1, 1]])
