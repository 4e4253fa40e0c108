"""Factor declarations: checked against the scheme, with clear messages."""
from __future__ import annotations

import numpy as np
import pytest

import perfkit.sensitivity as ps
from perfkit.sensitivity.compile import compile_scheme
from perfkit.sensitivity.factors import FactorError, bind_factors


def _bind(ev, *factors):
    return bind_factors(compile_scheme(ev), list(factors))


@pytest.mark.parametrize("factor, message", [
    (ps.WeightNoise(0.2, nodes=("helth",)), "no node 'helth' in scheme 'oecd_bli_2015' (did you mean 'health'?)"),
    (ps.WeightNoise(0.2, level=5), "the scheme has no weights at level 5"),
    (ps.WeightNoise(1.5, level=1), "spread must be in (0, 1)"),
    (ps.WeightNoise(0.2), "give either level= or nodes="),
    (ps.WeightNoise(0.2, nodes=("community",)), "node 'community' has a single child"),
    (ps.WeightNoise(0.2, nodes=("HS_LEB",)), "'HS_LEB' is an indicator, not an aggregate node"),
    (ps.Normalisation(["minmaxx"]), "unknown normalise method 'minmaxx' (did you mean 'minmax'?)"),
    (ps.Normalisation([{"method": "minmax", "hgh": 1}]), "has no parameter 'hgh' — its parameters are: lo, hi"),
    (ps.Normalisation(["minmax"], indicators=("HS_LEBB",)), "no indicator 'HS_LEBB' (did you mean 'HS_LEB'?)"),
    (ps.Normalisation(["goalposts"]), "normalise method 'goalposts' needs parameter 'low'"),
    (ps.Normalisation(["minmax", "ratio_to_max"]),
     "ratio_to_max cannot normalise indicator 'HO_BASE': ratio_to_max: needs strictly positive values"),
    (ps.Aggregation(["geometrc"]), "unknown aggregation method 'geometrc' (did you mean 'geometric'?)"),
    (ps.Aggregation(["arithmetic"], level=7), "no aggregate nodes at level 7"),
    (ps.WeightingMethods("bli", ["entropi"]), "unknown weighting method 'entropi' (did you mean 'entropy'?)"),
    (ps.WeightingMethods("blii", ["entropy"]), "no node 'blii'"),
    (ps.Points("health", 1, 2), "the scheme is a composite scheme"),
    (ps.SurveyBootstrap(), "SurveyBootstrap: the scheme has no survey component"),
    (ps.GradeQuota("excellent", 0.1, 0.3), "the scheme has no grading"),
    (ps.LeaveOneOut(indicators=("SC_SNTWS",)), "'SC_SNTWS' is the only weighted child of 'community'"),
    (ps.MeasurementError(relative=0.1, sd=0.1), "give either relative="),
    (ps.MeasurementError(relative=-0.1), "the error size must be positive"),
    (ps.RuleParameter("HS_LEB", "cap", 1, 2), "indicator 'HS_LEB' is normalised (minmax), not scored by a rule"),
    (ps.Weight("health", 3, 1), "need finite low <= high"),
])
def test_bad_factor_on_composite_scheme_names_the_problem(oecd, factor, message):
    with pytest.raises(FactorError) as info:
        _bind(oecd, factor)
    assert message in str(info.value)


@pytest.mark.parametrize("factor, message", [
    (ps.RuleParameter("targets", "capp", 1.0, 1.2), "rule 'completion' has no parameter 'capp' (did you mean 'cap'?)"),
    (ps.RuleParameter("targets", "cap", 0.8, 1.2), "cap=0.8 is not valid for rule 'completion'"),
    (ps.RuleParameter("hotlin", "floor", 1, 2), "no node 'hotlin' in scheme 'tiny_points' (did you mean 'hotline'?)"),
    (ps.RuleParameter("common", "floor", 1, 2), "'common' is an aggregate node"),
    (ps.Points("satisfactoin", 10, 50),
     "no node 'satisfactoin' in scheme 'tiny_points' (did you mean 'satisfaction'?)"),
    (ps.Points("satisfaction", 10, 150), "the range must lie within [0, 100]"),
    (ps.Points("total", 10, 50), "the root's points are the total"),
    (ps.Weight("satisfaction", 1, 2), "the scheme gives points, not relative weights"),
    (ps.GradeQuota("excelent", 0.2, 0.3), "no grade 'excelent' (did you mean 'excellent'?)"),
    (ps.GradeQuota("fail", 0.2, 0.3), "'fail' is the floor grade"),
    (ps.GradeQuota("excellent", 0.0, 0.3), "a quota must be above 0"),
    (ps.Normalisation(["minmax"]), "normalises no indicator (all are scored by rules)"),
    (ps.Normalisation(["minmax"], indicators=("hotline",)), "indicator 'hotline' is scored by a rule"),
    (ps.MeasurementError(relative=0.1, indicators=("satisfaction",)), "has no quantitative raw values"),
])
def test_bad_factor_on_points_scheme_names_the_problem(tiny, factor, message):
    with pytest.raises(FactorError) as info:
        _bind(tiny, factor)
    assert message in str(info.value)


def test_factor_list_problems(oecd):
    with pytest.raises(FactorError, match="factor names repeat: normalisation"):
        _bind(oecd, ps.Normalisation(["minmax"]), ps.Normalisation(["rank"]))
    with pytest.raises(FactorError, match="declare LeaveOneOut at most once"):
        _bind(oecd, ps.LeaveOneOut(), ps.LeaveOneOut(name="again"))
    with pytest.raises(FactorError, match="declare at least one factor"):
        _bind(oecd)
    with pytest.raises(TypeError, match="not a perfkit.sensitivity Factor"):
        _bind(oecd, "weights")


def test_bound_factors_say_what_they_vary(oecd):
    b = _bind(oecd, ps.WeightNoise(0.2, level=1), ps.Normalisation(["minmax", "rank"]))
    assert [x.dims for x in b] == [11, 1]
    table = ps.factor_table(b)
    assert list(table["factor"]) == ["weights L1", "normalisation"]
    assert "U(1 - 0.2, 1 + 0.2)" in table.loc[0, "varies"]
    assert "one of: minmax, rank" in table.loc[1, "varies"]


def test_discrete_factors_map_the_unit_interval_to_choices(oecd):
    from perfkit.sensitivity.params import Params

    cs = compile_scheme(oecd)
    (b,) = bind_factors(cs, [ps.Normalisation(["minmax", "rank", "zscore"])])
    p = Params(n=5)
    b.apply(np.array([[0.0], [0.33], [0.34], [0.99], [1.0]]), p, cs, 0)
    assert p.normalise[0][1].index.tolist() == [0, 0, 1, 2, 2]


def test_factors_from_a_declarative_spec(tiny):
    spec = [{"kind": "points", "node": "satisfaction", "low": 10, "high": 50},
            {"kind": "rule_parameter", "node": "targets", "param": "cap", "low": 1.0, "high": 1.2},
            {"kind": "survey_bootstrap"},
            {"kind": "aggregation", "methods": ["arithmetic", "geometric"], "nodes": ["common"]}]
    fs = ps.factors_from_spec(spec)
    b = _bind(tiny, *fs)
    assert [x.name for x in b] == ["points satisfaction", "targets.cap", "survey sampling", "aggregation"]


@pytest.mark.parametrize("spec, message", [
    ([{"kind": "points", "nod": "x"}], "factors[0] (points): unknown field 'nod' (did you mean 'node'?)"),
    ([{"node": "x"}], "factors[0]: each factor is a mapping with a 'kind'"),
    ({"kind": "points"}, "factors must be a list of mappings"),
    ([{"kind": "grade_qouta"}], "unknown factor kind 'grade_qouta' (did you mean 'grade_quota'?)"),
])
def test_bad_factor_specs(spec, message):
    with pytest.raises(FactorError) as info:
        ps.factors_from_spec(spec)
    assert message in str(info.value)
