"""Tests for perfkit.kernels.rules (100-point scoring rules)."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from perfkit.errors import UnknownNameError
from perfkit.kernels.rules import (
    RULES,
    banded,
    binary,
    completion,
    completion_lower,
    deduction,
    grade_map,
    linear,
    max_share,
    rank_within,
)

NAN = np.nan
FAST = settings(max_examples=40, deadline=None)


# ----------------------------------------------------------------- hand-computed cases


def test_completion_hand_case():
    # x / 80: -0.125 -> 0, 0.5, 1, 1.25 -> capped at 1.2
    assert_allclose(completion([-10.0, 40.0, 80.0, 100.0], target=80.0, cap=1.2),
                    [0.0, 0.5, 1.0, 1.2])


def test_completion_default_cap_and_nan():
    assert_allclose(completion([100.0, NAN], target=80.0), [1.0, NAN])


def test_completion_unit_specific_targets_broadcast():
    # unit targets 50 and 200: 50/50 = 1, 100/200 = 0.5; a NaN target gives NaN
    assert_allclose(completion([50.0, 100.0, 10.0], target=[50.0, 200.0, NAN]), [1.0, 0.5, NAN])


def test_completion_lower_hand_case():
    # target / x with target 10: x=0 -> cap, 5 -> 2 -> capped 1.5, 10 -> 1, 40 -> 0.25
    assert_allclose(completion_lower([0.0, 5.0, 10.0, 40.0, NAN], target=10.0, cap=1.5),
                    [1.5, 1.5, 1.0, 0.25, NAN])


def test_linear_hand_case_both_directions():
    # (x - 60) / (100 - 60): 50 -> -0.25 -> 0, 70 -> 0.25, 120 -> 1.5 -> 1
    assert_allclose(linear([50.0, 70.0, 120.0], floor=60.0, target=100.0), [0.0, 0.25, 1.0])
    # lower better, floor 20 days, target 5 days: (x - 20) / (5 - 20); 8 -> 0.8
    assert_allclose(linear([25.0, 8.0, 3.0, NAN], floor=20.0, target=5.0), [0.0, 0.8, 1.0, NAN])


def test_banded_hand_case():
    bands = [(60, 0.6), (90, 1.0), (75, 0.8)]  # any order
    # 95 -> band 90; 75 exactly -> band 75; 74.9 -> band 60; 10 -> default 0.2
    assert_allclose(banded([95.0, 75.0, 74.9, 10.0, NAN], bands=bands, default=0.2),
                    [1.0, 0.8, 0.6, 0.2, NAN])


def test_banded_lower_is_better():
    # met means x <= threshold; the lowest met threshold counts
    out = banded([1.0, 2.0, 3.0, 9.0], bands=[(2, 1.0), (5, 0.5)], direction=-1)
    assert_allclose(out, [1.0, 1.0, 0.5, 0.0])


def test_deduction_hand_case():
    # 1 - 0.15 * x, floor 0.5: 0 -> 1, 2 -> 0.7, 4 -> 0.4 -> 0.5
    assert_allclose(deduction([0, 2, 4, NAN], per=0.15, floor=0.5), [1.0, 0.7, 0.5, NAN])


def test_grade_map_hand_case():
    out = grade_map(np.array([["A", "B"], [None, "C"]], dtype=object),
                    mapping={"A": 1.0, "B": 0.8, "C": 0.6})
    assert_allclose(out, [[1.0, 0.8], [NAN, 0.6]])
    assert_allclose(grade_map(["A", NAN], mapping={"A": 1}), [1.0, NAN])


def test_grade_map_unknown_grade_names_it_and_the_allowed_ones():
    with pytest.raises(ValueError, match=r"unknown grade 'D'.*allowed grades: 'A', 'B'"):
        grade_map(["A", "D"], mapping={"A": 1.0, "B": 0.5})


def test_grade_map_suggests_close_grade():
    with pytest.raises(ValueError, match="did you mean '优秀'"):
        grade_map(["优"], mapping={"优秀": 1.0, "合格": 0.6})


def test_binary_hand_case():
    assert_allclose(binary([1, 0, NAN, 3], done_share=0.8), [0.8, 0.0, NAN, 0.8])
    assert_allclose(binary(np.array([True, None, False], dtype=object)), [1.0, NAN, 0.0])


def test_rank_within_hand_case():
    x = [90.0, 80.0, 70.0, 60.0, 50.0, 99.0]
    groups = ["a", "a", "a", "a", "a", "b"]
    # group a, m = 5: share = 1 - (rank - 1) / 4 * 0.4 -> 1, 0.9, 0.8, 0.7, 0.6; b alone -> top
    assert_allclose(rank_within(x, groups=groups), [1.0, 0.9, 0.8, 0.7, 0.6, 1.0])


def test_rank_within_ties_share_the_better_rank_and_nan_ignored():
    x = [10.0, 10.0, 5.0, NAN]
    # ranks 1, 1, 3 among m = 3: shares 1, 1, 0.6; the NaN unit does not count
    assert_allclose(rank_within(x, top=1.0, bottom=0.6), [1.0, 1.0, 0.6, NAN])


def test_rank_within_lower_is_better_and_batch():
    x = np.array([[3.0, 1.0, 2.0], [1.0, 2.0, 3.0]])
    # lower better: best gets 1, worst 0.5, middle 0.75
    out = rank_within(x, direction=-1, top=1.0, bottom=0.5)
    assert_allclose(out, [[0.5, 1.0, 0.75], [1.0, 0.75, 0.5]])


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, match", [
    (lambda: completion([1.0]), "'target' is required"),
    (lambda: completion([1.0], target=0), "target must be positive"),
    (lambda: completion([1.0], target=1, cap=0.9), "cap must be at least 1"),
    (lambda: completion([1.0, 2.0], target=[1, 2, 3]), "does not broadcast"),
    (lambda: completion_lower([1.0], target=-1), "target must be positive"),
    (lambda: linear([1.0], floor=5, target=5), "floor and target must differ"),
    (lambda: linear([1.0], target=5), "'floor' is required"),
    (lambda: banded([1.0], bands=[]), "must not be empty"),
    (lambda: banded([1.0], bands=[(1, 0.5), (1, 1.0)]), "distinct"),
    (lambda: banded([1.0], bands=[(1, 0.5)], direction=0), r"\+1 or -1"),
    (lambda: deduction([-1.0], per=0.1), "must not be negative"),
    (lambda: deduction([1.0], per=0), "per must be positive"),
    (lambda: deduction([1.0], per=0.1, floor=2), "floor must be between 0 and 1"),
    (lambda: grade_map(["A"], mapping={}), "non-empty mapping"),
    (lambda: binary([1.0], done_share=-1), "must not be negative"),
    (lambda: rank_within([1.0, 2.0], groups=["a"]), "one label per unit"),
    (lambda: rank_within([1.0, 2.0], groups=["a", None]), "missing labels"),
    (lambda: rank_within([1.0], top=0.5, bottom=0.6), "top must be at least bottom"),
])
def test_bad_parameters_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_values_raise_type_error():
    with pytest.raises(TypeError, match="numeric"):
        completion(["a"], target=1)
    with pytest.raises(TypeError, match=r"\(threshold, share\) pairs"):
        banded([1.0], bands=[1, 2])


# ----------------------------------------------------------------------- metadata


def test_all_rules_registered():
    assert RULES.names() == sorted([
        "completion", "completion_lower", "linear", "banded", "deduction",
        "grade_map", "binary", "rank_within",
    ])


def test_max_share():
    assert max_share("completion", {"target": 1}) == 1.0
    assert max_share("completion", {"target": 1, "cap": 1.2}) == 1.2
    assert max_share("completion_lower", {"cap": 1.5}) == 1.5
    assert max_share("linear", {"floor": 0, "target": 1}) == 1.0
    assert max_share("banded", {"bands": [(1, 0.4), (2, 0.9)]}) == 0.9
    assert max_share("deduction", {"per": 0.1}) == 1.0
    assert max_share("grade_map", {"mapping": {"A": 1.1, "B": 0.5}}) == 1.1
    assert max_share("binary", {"done_share": 0.5}) == 0.5
    assert max_share("rank_within", {"top": 0.9, "bottom": 0.2}) == 0.9


def test_max_share_misspelt_parameter_and_unknown_rule():
    with pytest.raises(TypeError, match="no parameter 'capp'.*did you mean 'cap'"):
        max_share("completion", {"capp": 1.2})
    with pytest.raises(UnknownNameError, match="did you mean 'linear'"):
        max_share("linaer")


def test_uses_target_metadata():
    uses = {name for name in RULES.names() if RULES.get(name).meta["uses_target"]}
    assert uses == {"completion", "completion_lower", "linear"}


# ----------------------------------------------------------------------- properties

values = hnp.arrays(float, st.integers(1, 12), elements=st.floats(-1e3, 1e3, allow_nan=False))


@FAST
@given(x=values, target=st.floats(1.0, 500.0), cap=st.floats(1.0, 2.0))
def test_completion_monotone_and_bounded(x, target, cap):
    xs = np.sort(x)
    share = completion(xs, target=target, cap=cap)
    assert np.all(np.diff(share) >= 0)
    assert np.all((share >= 0) & (share <= max_share("completion", {"cap": cap})))


@FAST
@given(x=values, floor=st.floats(-500, 500), gap=st.floats(1.0, 500.0), down=st.booleans())
def test_linear_monotone_in_the_good_direction_and_bounded(x, floor, gap, down):
    target = floor - gap if down else floor + gap
    xs = np.sort(x)
    share = linear(xs, floor=floor, target=target)
    steps = np.diff(share)
    assert np.all(steps <= 0) if down else np.all(steps >= 0)
    assert np.all((share >= 0) & (share <= 1))


@FAST
@given(x=values, top=st.floats(0.5, 1.0), bottom=st.floats(0.0, 0.5), seed=st.integers(0, 2**16))
def test_rank_within_bounded_and_permutation_equivariant(x, top, bottom, seed):
    groups = np.arange(x.size) % 3
    share = rank_within(x, groups=groups, top=top, bottom=bottom)
    assert np.all((share >= bottom - 1e-12) & (share <= top + 1e-12))
    perm = np.random.default_rng(seed).permutation(x.size)
    assert_allclose(rank_within(x[perm], groups=groups[perm], top=top, bottom=bottom), share[perm])


# ------------------------------------------------------------ array-valued parameters

_PER_REPLICATE = [
    ("completion", {"target": 80.0}, "cap", [1.0, 1.1, 1.25]),
    ("completion_lower", {"target": 10.0}, "cap", [1.0, 1.2, 1.5]),
    ("linear", {"target": 100.0}, "floor", [0.0, 40.0, 60.0]),
    ("linear", {"floor": 0.0}, "target", [50.0, 90.0, 120.0]),
    ("deduction", {"floor": 0.1}, "per", [0.05, 0.2, 0.3]),
    ("deduction", {"per": 0.2}, "floor", [0.0, 0.3, 0.5]),
    ("binary", {}, "done_share", [0.5, 0.8, 1.0]),
    ("banded", {"bands": [(60, 0.6), (90, 1.0)]}, "default", [0.0, 0.2, 0.4]),
    ("rank_within", {"bottom": 0.2}, "top", [0.5, 0.8, 1.0]),
    ("rank_within", {"top": 1.0}, "bottom", [0.0, 0.4, 0.6]),
]


@pytest.mark.parametrize("name, fixed, param, values", _PER_REPLICATE)
def test_one_parameter_value_per_replicate_equals_scalar_calls(name, fixed, param, values):
    # a (n_rep, 1) parameter against (n_units,) values gives (n_rep, n_units): row r is
    # the rule called with the scalar values[r]
    func = RULES.get(name).func
    x = np.array([0.0, 3.0, 45.0, 70.0, 95.0, 120.0, NAN])
    got = func(x, **fixed, **{param: np.array(values)[:, None]})
    assert got.shape == (len(values), x.size)
    for r, v in enumerate(values):
        assert_allclose(got[r], func(x, **fixed, **{param: v}))


def test_array_parameters_broadcast_with_unit_specific_targets():
    # per-unit targets (n_units,) and per-replicate caps (n_rep, 1)
    got = completion([40.0, 150.0], target=[80.0, 100.0], cap=np.array([[1.0], [1.2]]))
    assert_allclose(got, [[0.5, 1.0], [0.5, 1.2]])


@pytest.mark.parametrize("call, match", [
    (lambda: completion([1.0], target=1, cap=np.array([[1.1], [0.9]])), "cap must be at least 1 .*; got an array from 0.9 to 1.1"),
    (lambda: completion([1.0, 2.0], target=1, cap=[1.0, 1.1, 1.2]), "cap of shape .3,. does not broadcast"),
    (lambda: completion([1.0], target=1, cap=[1.0, np.inf]), "cap must be finite"),
    (lambda: deduction([1.0], per=[0.1, -0.1]), "per must be positive"),
    (lambda: deduction([1.0], per=0.1, floor=[0.5, 1.5]), "floor must be between 0 and 1"),
    (lambda: binary([1.0], done_share=[[0.5], [-1.0]]), "must not be negative"),
    (lambda: rank_within([1.0, 2.0], top=[[1.0], [0.5]], bottom=0.6), "top must be at least bottom"),
    (lambda: banded([1.0, 2.0], bands=[(1, 0.5)], default=[0.0, 0.1, 0.2]), "default of shape .3,. does not broadcast"),
])
def test_bad_array_parameters_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
