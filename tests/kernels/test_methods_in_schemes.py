"""Every new normalisation and aggregation works from a scheme, through perfkit.evaluate."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import perfkit
from perfkit.errors import SchemeError
from perfkit.kernels import AGGREGATE, NORMALISE, kemeny_ranking, output_range, rank_desc

LAB = {"zh": "标签", "en": "label"}
# 6 units x 4 indicators, positive (for the ratios), ind 3 lower is better
RAW = np.array([[12.0, 3.0, 40.0, 7.0],
                [9.0, 5.0, 55.0, 4.0],
                [15.0, 4.0, 35.0, 9.0],
                [10.0, 8.0, 60.0, 5.0],
                [11.0, 6.0, 45.0, 3.0],
                [8.0, 2.0, 50.0, 6.0]])
DIRECTION = np.array([1, 1, 1, -1])


def scheme(normalise, aggregate="arithmetic", paradigm="composite"):
    leaves = [{"id": f"i{j}", "label": LAB, "normalise": normalise,
               **({"direction": "lower"} if DIRECTION[j] < 0 else {}),
               **({"points": 25} if paradigm == "points" else {})} for j in range(RAW.shape[1])]
    root = {"id": "total", "label": LAB, "aggregate": aggregate, "children": leaves,
            **({"points": 100} if paradigm == "points" else {})}
    return perfkit.load_scheme({"id": "s", "label": LAB, "paradigm": paradigm,
                                "categories": [{"id": "c", "label": LAB}], "structure": root})


def data():
    n = RAW.shape[0]
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "name_zh": "单位", "name_en": "unit",
                          "category": "c"})
    rows = [(f"u{u}", f"i{j}", RAW[u, j]) for u in range(n) for j in range(RAW.shape[1])]
    return perfkit.RoundData.from_frames(units=units,
                                         values=pd.DataFrame(rows, columns=["unit_id", "indicator_id", "value"]))


def evaluate(s):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return perfkit.evaluate(s, data())


NORMALISATIONS = [
    {"method": "ratio_to_mean"},
    {"method": "ratio_to_worst", "scale": 1},
    {"method": "ratio_to_best"},
    {"method": "difference_from_mean", "scale": 1},
    {"method": "difference_from_best"},
    {"method": "difference_from_worst"},
    {"method": "above_below_mean", "p": 0.2},
    {"method": "categorical", "percentiles": [20, 50, 80], "scores": [0, 40, 70, 100]},
    {"method": "categorical", "quantile": "linear"},
    {"method": "cyclical", "mean": 100},
    {"method": "none"},
    {"method": "identity"},
    {"method": "rank", "ties": "dense"},
    {"method": "percentile_rank", "definition": "r/n", "ties": "max"},
]


@pytest.mark.parametrize("spec", NORMALISATIONS, ids=lambda s: "-".join(map(str, s.values())))
def test_each_new_normalisation_evaluates_from_a_scheme(spec):
    ev = evaluate(scheme(spec))
    params = {k: v for k, v in spec.items() if k != "method"}
    expected = NORMALISE.get(spec["method"]).func(RAW, direction=DIRECTION, **params)
    assert_allclose(ev.scores[[f"i{j}" for j in range(4)]].to_numpy(), expected)
    assert_allclose(ev.nodes["total"].to_numpy(), expected.mean(axis=1))


@pytest.mark.parametrize("spec", [s for s in NORMALISATIONS if output_range(s["method"], {
    k: v for k, v in s.items() if k != "method"}) is not None], ids=lambda s: s["method"])
def test_bounded_new_normalisations_give_points(spec):
    ev = evaluate(scheme(spec, paradigm="points"))
    params = {k: v for k, v in spec.items() if k != "method"}
    lo, hi = output_range(spec["method"], params)
    raw = NORMALISE.get(spec["method"]).func(RAW, direction=DIRECTION, **params)
    assert_allclose(ev.scores[[f"i{j}" for j in range(4)]].to_numpy(), (raw - lo) / (hi - lo) * 100)


@pytest.mark.parametrize("method", ["ratio_to_mean", "cyclical", "none", "difference_from_best"])
def test_unbounded_new_normalisations_are_refused_in_a_points_scheme(method):
    with pytest.raises(SchemeError, match="no fixed range"):
        scheme({"method": method}, paradigm="points")


AGGREGATIONS = [
    {"method": "copeland"},
    {"method": "kemeny"},
    {"method": "kemeny", "exact_max": 3},
    {"method": "topsis", "normalisation": "none"},
    {"method": "topsis", "normalisation": "minmax"},
    {"method": "topsis", "normalisation": "vector"},
]


@pytest.mark.parametrize("spec", AGGREGATIONS, ids=lambda s: "-".join(map(str, s.values())))
def test_each_new_aggregation_evaluates_from_a_scheme(spec):
    ev = evaluate(scheme("minmax", aggregate=spec))
    X = ev.scores[[f"i{j}" for j in range(4)]].to_numpy()
    params = {k: v for k, v in spec.items() if k != "method"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = AGGREGATE.get(spec["method"]).func(X, weights=np.ones(4), **params)
    if spec["method"] == "topsis":
        expected = expected * 100  # the engine puts closeness on 0-100
    assert_allclose(ev.nodes["total"].to_numpy(), expected)
    step = next(st for st in ev.recipe if st.stage == "aggregate")
    assert step.method == spec["method"] and all(step.params[k] == v for k, v in params.items())


def test_kemeny_scores_in_a_scheme_rank_the_units_and_average_50():
    ev = evaluate(scheme("minmax", aggregate="kemeny"))
    scores = ev.nodes["total"].to_numpy()
    X = ev.scores[[f"i{j}" for j in range(4)]].to_numpy()
    r = kemeny_ranking(X, weights=np.ones(4))
    assert r.n_optimal > 1  # this round has tied optimal rankings: positions are averaged
    assert_allclose(scores, r.scores)
    assert_allclose(scores.mean(), 50.0)  # average positions always sum to n (n + 1) / 2
    assert_allclose(ev.results["rank"].to_numpy(), rank_desc(scores))


@pytest.mark.parametrize("spec, match", [
    ({"method": "rank", "tie": "min"}, "no parameter 'tie'.*did you mean 'ties'"),
    ({"method": "categorical", "percentiles": "15, 25"}, "must be a number"),
    ({"method": "percentile_rank", "definition": 1}, "must be text"),
])
def test_misspelt_or_mistyped_parameters_are_scheme_errors(spec, match):
    with pytest.raises(SchemeError, match=match):
        scheme(spec)


def test_misspelt_aggregation_parameter_is_a_scheme_error():
    with pytest.raises(SchemeError, match="no parameter 'normalization'.*did you mean 'normalisation'"):
        scheme("minmax", aggregate={"method": "topsis", "normalization": "none"})
