"""The batched engine against the slow path: a full perfkit.evaluate() per replicate."""
from __future__ import annotations

import numpy as np
import pytest

import perfkit
import perfkit.sensitivity as ps
from perfkit.sensitivity.batch import evaluate_params
from perfkit.sensitivity.compile import compile_scheme
from perfkit.sensitivity.params import Params

TOL = 1e-9


@pytest.mark.parametrize("name", ["oecd", "composite", "tiny"])
def test_nominal_replicate_reproduces_evaluate_exactly(name, request):
    ev = request.getfixturevalue(name)
    cs = compile_scheme(ev)
    out = evaluate_params(cs, Params(n=1))
    np.testing.assert_array_equal(out.final[0], ev.results["final"].to_numpy(dtype=float))
    np.testing.assert_array_equal(out.rank[0], ev.results["rank"].to_numpy(dtype=float))
    if cs.has_grades:
        assert [cs.grade_names[g] for g in out.grade[0]] == list(ev.results["grade"])


def _check(ev, factors, n=6, rng=0):
    res = ps.verify(ev, factors, n=n, rng=rng)
    assert res.max_abs_diff <= TOL, res.table
    assert res.ranks_equal and res.grades_equal, res.table
    assert list(res.factors["factor"]) == [f.bind(compile_scheme(ev)).name for f in factors]
    return res


def test_composite_weights_normalisation_aggregation_match_evaluate(oecd):
    _check(oecd, [ps.WeightNoise(0.25, level=1), ps.WeightNoise(0.25, level=2),
                  ps.Normalisation(["minmax", {"method": "zscore", "mean": 100, "sd": 10}, "percentile_rank"]),
                  ps.Aggregation(["arithmetic", {"method": "geometric", "zero": "shift"}])], n=8)


def test_bench_case_a_factors_match_evaluate(composite):
    _check(composite, [ps.WeightNoise(0.25, level=1), ps.WeightNoise(0.25, level=2),
                       ps.Normalisation([{"method": "minmax", "lo": 1}, {"method": "zscore", "mean": 100, "sd": 10},
                                         "rank"]),
                       ps.Aggregation(["arithmetic", "geometric"])], n=6)


def test_weighting_methods_dirichlet_leave_one_out_noise_match_evaluate(oecd):
    _check(oecd, [ps.WeightingMethods("bli", ["entropy", "critic"]), ps.DirichletWeights(30, level=2),
                  ps.LeaveOneOut(), ps.MeasurementError(relative=0.05)], n=6)


def test_topsis_and_harmonic_match_evaluate(oecd):
    _check(oecd, [ps.Aggregation(["topsis", {"method": "harmonic", "zero": "shift"}], level=0),
                  ps.WeightNoise(0.3, level=1)], n=4)


def test_points_scheme_every_factor_kind_matches_evaluate(tiny):
    _check(tiny, [ps.Points("satisfaction", 10, 50), ps.RuleParameter("targets", "cap", 1.0, 1.2),
                  ps.RuleParameter("hotline", "floor", 40, 70), ps.RuleParameter("openness", "per", 0.1, 0.3),
                  ps.SurveyBootstrap(), ps.LeaveOneOut(), ps.GradeQuota("excellent", 0.2, 0.5),
                  ps.WeightNoise(0.2, level=2), ps.MeasurementError(sd=0.3)], n=10)


def test_points_scheme_aggregation_and_dirichlet_match_evaluate(tiny):
    _check(tiny, [ps.Aggregation(["arithmetic", "geometric", "harmonic", "mpi"], nodes=("common",)),
                  ps.DirichletWeights(20, level=1)], n=6)


def test_demo_city_survey_points_cap_match_evaluate(demo):
    _check(demo, [ps.SurveyBootstrap(), ps.Points("satisfaction", 10, 25),
                  ps.RuleParameter("functional", "cap", 1.0, 1.2), ps.WeightNoise(0.2, level=2),
                  ps.GradeQuota("excellent", 0.2, 0.3), ps.Normalisation(["minmax", "percentile_rank"])], n=4)


def test_chunking_and_threads_do_not_change_results(composite):
    f = [ps.WeightNoise(0.2, level=1), ps.Normalisation(["minmax", "percentile_rank"])]
    a = ps.uncertainty(composite, f, n=600, rng=3, chunk_size=600)
    b = ps.uncertainty(composite, f, n=600, rng=3, chunk_size=97, n_jobs=2)
    np.testing.assert_array_equal(a.final, b.final)
    np.testing.assert_array_equal(a.rank, b.rank)


def test_mazziotta_pareto_matches_evaluate(oecd):
    _check(oecd, [ps.Normalisation([{"method": "zscore", "mean": 100, "sd": 10}]),
                  ps.Aggregation(["arithmetic", "mpi"], level=1), ps.WeightNoise(0.3, level=2)], n=4)


def test_invalid_combination_raises_like_the_engine(oecd):
    # geometric means need positive values; min-max gives zeros
    from perfkit.sensitivity.factors import FactorError

    with pytest.raises(FactorError, match="zeros or negative values reach a geometric mean"):
        ps.uncertainty(oecd, [ps.Aggregation(["geometric"])], n=4)


def test_measurement_error_through_the_full_treatment_matches_evaluate():
    # ASEM: denominate, impute by group, screen, winsorise (COINr's example index)
    from perfkit import datasets

    ds = datasets.load("asem")
    ev = perfkit.evaluate(ds.scheme, ds.data)
    _check(ev, [ps.MeasurementError(relative=0.05), ps.WeightNoise(0.2, level=1)], n=3)


def test_harmonic_mean_over_children_that_do_not_apply_matches_evaluate(demo):
    # 'openness' does not apply to every category: its parent's harmonic mean renormalises
    # over the other children (the batched harmonic mean once counted a missing child as 1)
    parent = demo.scheme.parent["openness"]
    res = _check(demo, [ps.Aggregation([{"method": "harmonic", "zero": "shift"}], nodes=(parent,))], n=3)
    assert res.max_abs_diff == 0.0  # one implementation: not even rounding differences


def test_rule_parameter_of_any_rule_is_batched_and_matches_evaluate(demo):
    # banded's default share varies per replicate through the kernel's array parameters
    _check(demo, [ps.RuleParameter("openness", "default", 0.0, 0.4), ps.WeightNoise(0.2, level=2)], n=4)


def test_nested_means_collapse_exactly_and_missing_children_still_renormalise():
    # nested arithmetic and geometric means over complete inputs are computed as one product
    # of effective weights; a unit missing an indicator must renormalise over the others,
    # which the product cannot do: both must match evaluate()
    from perfkit.datasets.examples import synthetic_composite

    scheme, data = synthetic_composite(12, 3, 3, rng=4)
    values = data.values[~((data.values["unit_id"] == "D003") & (data.values["indicator_id"] == "P2_I1"))]
    for d in (data, data.replace(values=values)):
        ev = perfkit.evaluate(scheme, d)
        _check(ev, [ps.WeightNoise(0.3, level=1), ps.DirichletWeights(20, level=2),
                    ps.Normalisation([{"method": "minmax", "lo": 1}, {"method": "zscore", "mean": 100, "sd": 10}]),
                    ps.Aggregation(["arithmetic", "geometric", {"method": "geometric", "zero": "shift"}])], n=8)
