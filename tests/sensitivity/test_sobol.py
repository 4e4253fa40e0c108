"""Sobol' and Morris through the SALib wrapper: analytic checks and engine runs."""
from __future__ import annotations

import numpy as np
import pytest

import perfkit.sensitivity as ps
from perfkit.sensitivity.factors import FactorError


def test_linear_model_first_order_indices_are_squared_weight_shares():
    # Y = sum w_i X_i, X_i ~ U(0, 1) independent (equal variance): S1_i = ST_i = w_i^2 / sum w^2
    w = np.array([1.0, 2.0, 3.0, 0.5])
    out = ps.sobol_function(lambda X: X @ w, [(0.0, 1.0)] * 4, n=4096, rng=2)
    expected = w**2 / (w**2).sum()
    np.testing.assert_allclose(out["S1"], expected, atol=0.01)
    np.testing.assert_allclose(out["ST"], expected, atol=0.01)
    assert (np.abs(out["S1"] - expected) <= out["S1_conf"] + 0.005).all()


def test_ishigami_indices_within_salib_tolerance():
    # Ishigami (a = 7, b = 0.1) on [-pi, pi]^3; analytic values from Saltelli et al. (2008),
    # "Global Sensitivity Analysis. The Primer", section 4.7 (also SALib's test suite).
    def ishigami(X, a=7.0, b=0.1):
        return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])

    out = ps.sobol_function(ishigami, [(-np.pi, np.pi)] * 3, n=4096, rng=1)
    np.testing.assert_allclose(out["S1"], [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(out["ST"], [0.5576, 0.4424, 0.2437], atol=0.03)


def test_grouped_inputs_give_one_index_per_group():
    w = np.array([1.0, 1.0, 2.0])
    out = ps.sobol_function(lambda X: X @ w, [(0.0, 1.0)] * 3, groups=["g1", "g1", "g2"], n=2048, rng=3)
    assert list(out.index) == ["g1", "g2"]
    np.testing.assert_allclose(out["S1"], [2 / 6, 4 / 6], atol=0.02)


def test_sobol_on_the_engine_finds_the_factor_that_matters(composite):
    # grade quotas cannot change ranks: their indices for the rank outputs are ~0
    f = [ps.WeightNoise(0.4, level=1), ps.GradeQuota("A", 0.1, 0.3)]
    res = ps.sobol(composite, f, n=256, rng=5, num_resamples=50, outputs=["mean_abs_rank_shift", "D000"])
    mars = res.for_output("mean_abs_rank_shift")
    assert list(mars.index) == ["weights L1", "quota A"]
    assert mars.loc["weights L1", "ST"] > 0.9
    assert abs(mars.loc["quota A", "ST"]) < 0.02 and abs(mars.loc["quota A", "S1"]) < 0.05
    assert res.n_evaluations == 256 * (2 + 2)
    assert set(res.indices["output"]) == {"mean_abs_rank_shift", "D000"}
    assert list(res.factors["factor"]) == ["weights L1", "quota A"]


def test_sobol_outputs_every_unit_by_default(tiny):
    res = ps.sobol(tiny, [ps.Points("satisfaction", 5, 45)], n=32, rng=1, num_resamples=10)
    assert set(res.indices["output"]) == {"mean_abs_rank_shift", "U1", "U2", "U3", "U4", "U5", "U6"}


def test_sobol_groups_of_factors_and_constant_outputs(tiny):
    f = [ps.WeightNoise(0.3, level=1), ps.WeightNoise(0.3, level=2), ps.SurveyBootstrap()]
    res = ps.sobol(tiny, f, n=64, rng=1, num_resamples=20, groups={"weights": ["weights L1", "weights L2"]})
    assert res.groups == {"weights": ("weights L1", "weights L2"), "survey sampling": ("survey sampling",)}
    assert set(res.indices["factor"]) == {"weights", "survey sampling"}
    # U6 is last whatever happens: its rank never varies, so it has no indices
    u6 = res.for_output("U6")
    assert u6["S1"].isna().all() and (u6["variance"] == 0).all()


def test_sobol_and_morris_are_reproducible(tiny):
    f = [ps.Points("satisfaction", 5, 45), ps.SurveyBootstrap()]
    a = ps.sobol(tiny, f, n=64, rng=9, num_resamples=20, outputs="mean_abs_rank_shift")
    b = ps.sobol(tiny, f, n=64, rng=9, num_resamples=20, outputs="mean_abs_rank_shift")
    assert a.indices.equals(b.indices)
    m1 = ps.morris(tiny, f, trajectories=10, rng=4)
    m2 = ps.morris(tiny, f, trajectories=10, rng=4)
    assert m1.indices.equals(m2.indices)
    assert m1.n_evaluations == 10 * 3
    assert {"mu_star", "sigma", "mu_star_conf"} <= set(m1.indices.columns)


def test_morris_screens_out_an_inert_factor(tiny):
    f = [ps.RuleParameter("targets", "cap", 1.0, 1.2), ps.GradeQuota("excellent", 0.2, 0.5)]
    m = ps.morris(tiny, f, trajectories=20, rng=2).for_output("mean_abs_rank_shift")
    assert m.loc["targets.cap", "mu_star"] > 0
    assert m.loc["quota excellent", "mu_star"] == 0


def test_sobol_bad_arguments(tiny):
    f = [ps.SurveyBootstrap()]
    with pytest.raises(ValueError, match="must be a power of 2"):
        ps.sobol(tiny, f, n=100)
    with pytest.raises(FactorError, match="group 'g': no factor 'survey' — factors: survey sampling"):
        ps.sobol(tiny, f, n=16, groups={"g": ["survey"]})
    with pytest.raises(FactorError, match="unknown output 'U7'"):
        ps.sobol(tiny, f, n=16, outputs="U7")


def test_sobol_of_a_single_group_of_inputs_is_refused_with_a_reason(oecd):
    # SALib would sample 8 inputs ungrouped and analyse them as one group (a size mismatch)
    with pytest.raises(FactorError, match="at least two factors"):
        ps.sobol(oecd, [ps.WeightNoise(0.25, level=1)], n=64, rng=2)
