"""The shared pipeline stages (perfkit.stages): one replicate axis or none gives the same
numbers, and the engine's tie rule (scores compared to 9 decimals)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import perfkit
from perfkit import stages
from perfkit.io.round import RoundData
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.scheme.models import MethodSpec
from perfkit.datasets.examples import tiny_points
from perfkit.stages import Leaf

NAN = np.nan


def _leaf(kind, method, app, **params):
    return Leaf(id="x", index=0, kind=kind, spec=MethodSpec(method=method, **params), direction=1,
                source="values", quantitative=True, app=np.asarray(app, dtype=bool))


# ----------------------------------------------------------------------- scoring


def test_score_leaf_rule_parameter_per_replicate_equals_one_call_each():
    leaf = _leaf("rule", "completion", [True, True, True, False], cap=1.0)
    x = np.array([40.0, 90.0, NAN, 10.0])
    targets = np.array([80.0, 80.0, 80.0, NAN])
    caps = np.array([1.0, 1.1, 1.25])
    batch, missing = stages.score_leaf(leaf, x, paradigm="points", targets=targets, params={"cap": caps[:, None]})
    assert batch.shape == (3, 4)
    for r, cap in enumerate(caps):
        one, _ = stages.score_leaf(dataclasses.replace(leaf, spec=MethodSpec(method="completion", cap=cap)), x,
                            paradigm="points", targets=targets)
        assert_array_equal(batch[r], one)
    # points scheme: an applicable unit without a value earns 0; not applicable is NaN
    assert_array_equal(batch[0], [50.0, 100.0, 0.0, NAN])
    assert_array_equal(missing[0], [False, False, True, False])


def test_score_leaf_normalised_rescales_output_range_in_points_schemes_only():
    leaf = _leaf("normalise", "minmax", [True, True, True], lo=1.0, hi=11.0)
    x = np.array([0.0, 5.0, 10.0])
    pts, _ = stages.score_leaf(leaf, x, paradigm="points")
    comp, _ = stages.score_leaf(leaf, x, paradigm="composite")
    assert_allclose(comp, [1.0, 6.0, 11.0])
    assert_allclose(pts, [0.0, 50.0, 100.0])


def test_score_leaf_replicates_of_values_equal_single_runs():
    leaf = _leaf("normalise", "zscore", [True, True, False, True], mean=100.0, sd=10.0)
    x = np.random.default_rng(0).normal(50, 10, size=(5, 4))
    batch, _ = stages.score_leaf(leaf, x, paradigm="composite")
    for r in range(5):
        assert_array_equal(batch[r], stages.score_leaf(leaf, x[r], paradigm="composite")[0])


def test_score_leaf_names_units_without_a_needed_target():
    leaf = _leaf("rule", "completion", [True, True])
    with pytest.raises(perfkit.errors.DataError, match=r"units \['U2'\] have none"):
        stages.score_leaf(leaf, np.array([1.0, 2.0]), paradigm="points", targets=np.array([1.0, NAN]), units=["U1", "U2"])


def test_target_shares_default_rule_parameter_per_replicate_and_own_cap_wins():
    ev = perfkit.evaluate(*tiny_points())
    node = ev.scheme.nodes["targets"]
    rows = stages.target_rows(node, ev.data.targets, ev.data.values, ev.units, np.ones(len(ev.units), dtype=bool))
    caps = np.array([1.0, 1.1, 1.2])
    shares = stages.target_shares(rows, {"cap": caps[:, None]})
    assert shares.shape == (3, len(rows.unit))
    for r, cap in enumerate(caps):
        variant = dataclasses.replace(rows, default=MethodSpec(method=rows.default.method,
                                                               **{**rows.default.params, "cap": cap}))
        assert_array_equal(shares[r], stages.target_shares(variant))
    own = rows.own_cap & rows.uses_default
    assert_array_equal(shares[0, own], shares[2, own])  # a row's own cap is not varied
    assert_allclose(stages.score_targets(rows, stages.target_shares(rows)), ev.scores["targets"].to_numpy(), atol=1e-12)


# ----------------------------------------------------------------------- aggregation

_cells = st.one_of(st.just(NAN), st.floats(0.5, 100.0))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(_cells, min_size=3, max_size=3), min_size=2, max_size=6),
       w=st.lists(st.lists(st.floats(0.1, 5.0), min_size=3, max_size=3), min_size=1, max_size=4),
       method=st.sampled_from(["arithmetic", "geometric", "harmonic", "mazziotta_pareto"]),
       app_seed=st.integers(0, 2**16))
def test_aggregate_node_equals_the_kernel_for_each_weight_vector(rows, w, method, app_seed):
    X = np.array(rows)
    W = np.array(w)
    app = np.random.default_rng(app_seed).random(len(X)) < 0.8
    got = stages.aggregate_node(MethodSpec(method=method), X, W, app)
    assert got.shape == (len(W), len(X))
    kernel = AGGREGATE.get(method).func
    for r in range(len(W)):
        want = np.where(app, kernel(np.where(app[:, None], X, NAN), weights=W[r]), NAN)
        assert_allclose(got[r], want, rtol=1e-12, atol=1e-12)
        assert_allclose(stages.aggregate_node(MethodSpec(method=method), X, W[r], app), got[r], rtol=1e-12, atol=1e-12)


def test_aggregate_node_topsis_compares_applicable_units_on_0_100():
    X = np.array([[5.0, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6], [1, 1, 1]])
    app = np.array([True, True, True, True, False])
    got = stages.aggregate_node(MethodSpec(method="topsis"), X, np.array([0.3, 0.4, 0.3]), app)
    assert_allclose(got[:4], [50.37, 65.81, 74.82, 33.40], atol=0.01)
    assert np.isnan(got[4])


@pytest.mark.parametrize("spec, X, match", [
    (MethodSpec(method="geometric"), [[0.0, 1.0]], "zeros or negative values reach a geometric mean"),
    (MethodSpec(method="harmonic", zero="shift", shift=1.0), [[-2.0, 1.0]], r"values below -shift \(-1.0\)"),
    (MethodSpec(method="mpi"), [[-1.0, 1.0]], "negative values present"),
    (MethodSpec(method="geometric", zero="sometimes"), [[1.0, 1.0]], "zero must be one of"),
])
def test_aggregate_node_bad_values_and_parameters_raise(spec, X, match):
    with pytest.raises(ValueError, match=match):
        stages.aggregate_node(spec, np.array(X), np.array([1.0, 1.0]), np.array([True]))


def test_aggregate_node_bad_weights_give_the_kernel_message():
    with pytest.raises(ValueError, match="weights must not be negative"):
        stages.aggregate_node(MethodSpec(method="arithmetic"), np.ones((2, 2)), np.array([[1.0, 1.0], [1.0, -1.0]]),
                       np.array([True, True]))


# ----------------------------------------------------------------------- treatment


def test_treat_replicates_equal_single_runs_through_every_step():
    from perfkit import datasets

    ds = datasets.load("asem")  # denominate, impute by group, screen, winsorise
    ev = perfkit.evaluate(ds.scheme, ds.data)
    plan = stages.plan_treatment(ev.scheme, ev.data.units, ev.data.values)
    one = stages.treat(plan, ev.raw.to_numpy(dtype=float))
    assert_array_equal(one.values, ev.treated.to_numpy(dtype=float))
    assert_array_equal(one.kept, ev.kept)
    noise = 1.0 + 0.05 * np.random.default_rng(1).standard_normal((3, *ev.raw.shape))
    raw = ev.raw.to_numpy(dtype=float) * noise
    with np.errstate(all="ignore"):
        batch = stages.treat(plan, raw)
    assert batch.values.shape == raw.shape and len(batch.winsorised) == 3
    for r in range(3):
        single = stages.treat(plan, raw[r])
        assert_array_equal(batch.values[r], single.values)
        assert_array_equal(batch.imputed[r], single.imputed)


# ----------------------------------------------------------------------- ties


def test_scores_equal_up_to_float_noise_tie():
    # engine request 1: 0.1 + 0.2 and 0.3 are the same score
    assert_array_equal(stages.rank_in_categories(np.array([0.1 + 0.2, 0.3]), np.array(["a", "a"])), [1.0, 1.0])
    assert stages.comparable(np.array([0.1 + 0.2]))[0] == 0.3


def _ties_round():
    lab = {"zh": "t", "en": "t"}
    ks = ["a", "b", "c", "d", "e"]
    scheme = perfkit.load_scheme({
        "id": "ties", "label": lab, "paradigm": "composite", "categories": [{"id": "d", "label": lab}],
        "structure": {"id": "index", "label": lab, "aggregate": "arithmetic", "children": [
            {"id": k, "label": lab, "rule": {"method": "linear", "floor": 0, "target": 1}} for k in ks]},
        "grading": {"default": [{"id": "A", "max_share": 0.25}, {"id": "B"}]}})
    # U1's values come out of an upstream sum: 0.1 + 0.2 is 0.30000000000000004, not 0.3
    vals = {"U1": [0.1 + 0.2] * 5, "U2": [0.3] * 5, "U3": [0.1] * 5, "U4": [0.05] * 5}
    units = pd.DataFrame({"unit_id": list(vals), "name_zh": list(vals), "name_en": list(vals), "category": "d"})
    values = pd.DataFrame([{"unit_id": u, "indicator_id": k, "value": v} for u, t in vals.items()
                           for k, v in zip(ks, t)])
    return scheme, RoundData.from_frames(units=units, values=values)


def test_units_whose_scores_differ_by_float_noise_share_rank_and_grade():
    res = perfkit.evaluate(*_ties_round()).results
    assert 0 < res.loc["U1", "final"] - res.loc["U2", "final"] < 1e-12  # kept unrounded
    assert res.loc["U1", "rank"] == res.loc["U2", "rank"] == 1
    # a quota of 1 would split them: with ties="strict" neither gets A
    assert res.loc["U1", "grade"] == res.loc["U2", "grade"] == "B"
