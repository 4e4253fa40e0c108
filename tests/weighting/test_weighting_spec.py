"""Weights from a scheme spec (``weights: {method: ...}``) and the registry."""
import inspect

import numpy as np
import pytest
import yaml

from perfkit.errors import SchemeError
from perfkit.weighting import WEIGHTS, WeightingError, WeightingWarning, check_weights_spec, weights_from_spec

X = np.array([[30, 30, 38], [19, 54, 86], [19, 15, 85], [68, 70, 60]], dtype=float)
NAMES = ["a", "b", "c"]


def test_registry_holds_every_method_under_its_scheme_name():
    expected = {"equal", "entropy", "critic", "std", "cv", "pca", "bod", "ahp", "group_ahp", "ahp_hierarchy",
                "expert", "delphi", "fixed", "combined"}
    assert set(WEIGHTS.names()) == expected


def test_every_registered_method_has_the_shared_signature():
    for name in WEIGHTS.names():
        params = inspect.signature(WEIGHTS.get(name).func).parameters
        first = next(iter(params.values()))
        assert first.name == "X" and first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert params["direction"].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["names"].kind is inspect.Parameter.KEYWORD_ONLY
        assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()), name


def test_engine_style_call_through_the_registry():
    r = WEIGHTS.get("entropy").func(X, direction=np.array([1, 1, -1]), normalise="minmax")
    assert r.method == "entropy" and r.weights.sum() == pytest.approx(1.0)


def test_yaml_spec_with_fraction_strings_for_ahp():
    spec = yaml.safe_load("""
    method: ahp
    matrix:
      - [1, 3, 5]
      - [1/3, 1, 3]
      - [1/5, 1/3, 1]
    ri_table: cn_textbook
    """)
    assert spec["matrix"][1][0] == "1/3"  # YAML gives fractions as strings
    r = weights_from_spec(spec, X, None, NAMES)
    assert r.method == "ahp" and r.names == tuple(NAMES)
    assert r.diagnostics["ri_table"] == "cn_textbook"
    assert r.matrix[1, 0] == pytest.approx(1 / 3)


def test_subjective_methods_run_without_data():
    r = weights_from_spec({"method": "equal"}, None, None, NAMES)
    assert r.as_dict() == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    r = weights_from_spec({"method": "expert", "allocations": [[50, 30, 20], [40, 40, 20]], "budget": 100},
                          None, None, NAMES)
    assert r.weights.tolist() == pytest.approx([0.45, 0.35, 0.2])
    assert weights_from_spec("equal", None, None, ["x", "y"]).weights.tolist() == [0.5, 0.5]


def test_objective_method_without_data_is_a_scheme_error():
    with pytest.raises(SchemeError, match="'entropy' needs the indicator data"):
        weights_from_spec({"method": "entropy"}, None, None, NAMES)


def test_unknown_parameter_names_the_method_and_the_valid_parameters():
    with pytest.raises(SchemeError) as info:
        weights_from_spec({"method": "critic", "conflit": "absolute"}, X, None, NAMES)
    msg = str(info.value)
    assert "unknown parameter 'conflit' for weighting method 'critic' (did you mean 'conflict'?)" in msg
    assert "valid parameters: conflict" in msg


def test_unknown_method_suggests_the_closest_name():
    with pytest.raises(SchemeError, match=r"unknown weighting method 'entropie' \(did you mean 'entropy'\?\)"):
        weights_from_spec({"method": "entropie"}, X, None, NAMES)
    with pytest.raises(SchemeError, match="has no 'method'"):
        weights_from_spec({"matrix": [[1]]}, X, None, NAMES)


def test_missing_required_parameter_and_reserved_names_are_errors():
    with pytest.raises(SchemeError, match="weighting method 'ahp' needs parameter\\(s\\) matrix"):
        weights_from_spec({"method": "ahp"}, X, None, NAMES)
    with pytest.raises(SchemeError, match="'names' cannot be set in a weights spec"):
        weights_from_spec({"method": "equal", "names": ["q"]}, X, None, NAMES)


def test_bad_fraction_is_a_scheme_error_with_its_location():
    with pytest.raises(SchemeError, match=r"^scheme.yaml: nodes.econ.weights: matrix: division by zero in '1/0'$"):
        weights_from_spec({"method": "ahp", "matrix": [["1/0", 1], [1, 1]]}, X[:, :2], None, ["a", "b"],
                          where=("scheme.yaml", "nodes.econ.weights"))


def test_fractions_are_parsed_without_eval():
    # anything but a number or a/b stays a string and is rejected by the method
    with pytest.raises(WeightingError, match="must contain numbers"):
        weights_from_spec({"method": "ahp", "matrix": [[1, "__import__('os')"], [1, 1]]}, X[:, :2], None, ["a", "b"])
    clean = check_weights_spec({"method": "combined", "alpha": "1/4", "how": "linear",
                                "subjective": {"method": "fixed", "values": ["1/2", "1/2", 1]},
                                "objective": "entropy"})
    assert clean["alpha"] == 0.25
    assert clean["subjective"]["values"] == [0.5, 0.5, 1.0]


def test_method_errors_carry_the_scheme_location():
    with pytest.raises(WeightingError, match=r"^scheme.yaml: nodes.econ.weights: AHP matrix is not reciprocal"):
        weights_from_spec({"method": "ahp", "matrix": [[1, 3], [3, 1]]}, X[:, :2], None, ["a", "b"],
                          where=("scheme.yaml", "nodes.econ.weights"))


def test_matrix_of_the_wrong_order_for_the_node_is_an_error():
    with pytest.raises(WeightingError, match="AHP matrix has order 2 but 3 names were given"):
        weights_from_spec({"method": "ahp", "matrix": [[1, 2], [0.5, 1]]}, X, None, NAMES)


def test_combined_spec_resolves_both_parts_on_the_same_data():
    spec = yaml.safe_load("""
    method: combined
    subjective: {method: ahp, matrix: [[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]]}
    objective: {method: entropy}
    alpha: 0.5
    """)
    r = weights_from_spec(spec, X, [1, 1, 1], NAMES)
    ahp = np.array([4, 2, 1]) / 7
    ent = weights_from_spec({"method": "entropy"}, X, [1, 1, 1], NAMES).weights
    np.testing.assert_allclose(r.weights, 0.5 * ahp + 0.5 * ent)
    assert r.params["subjective"]["method"] == "ahp" and r.params["objective"]["method"] == "entropy"
    assert r.diagnostics["subjective_method"] == "ahp"


def test_combined_spec_checks_nested_specs_with_their_path():
    expected = r"weights: objective: unknown parameter 'zeros' for weighting method 'entropy'"
    with pytest.raises(SchemeError, match=expected):
        check_weights_spec({"method": "combined", "subjective": "equal",
                            "objective": {"method": "entropy", "zeros": "shift"}, "alpha": 0.5})


def test_combined_spec_keeps_the_warnings_of_its_parts():
    Xc = np.c_[X, np.full(4, 3.0)]
    with pytest.warns(WeightingWarning, match="get weight 0"):
        r = weights_from_spec({"method": "combined", "subjective": "equal", "objective": "entropy", "alpha": 0.5},
                              Xc, None, [*NAMES, "k"])
    assert any("get weight 0" in w for w in r.warnings)


REPLAY_SPECS = [
    {"method": "equal"},
    {"method": "fixed", "values": [1, 2, 3]},
    {"method": "expert", "allocations": [[50, 30, 20], [40, 40, 20]], "aggregate": "median"},
    {"method": "delphi", "rounds": [[[50, 30, 20], [40, 40, 20]], [[45, 35, 20], [45, 35, 20]]]},
    {"method": "ahp", "matrix": [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]], "priority": "geometric_mean"},
    {"method": "group_ahp", "matrices": [[[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]], [[1, 3, 3], [1 / 3, 1, 1], [1 / 3, 1, 1]]]},
    {"method": "ahp_hierarchy", "tree": {"matrix": [[1, 2], [0.5, 1]], "children": ["a", {"name": "B", "matrix": [[1, 3], [1 / 3, 1]], "children": ["b", "c"]}]}},
    {"method": "entropy", "zero": "shift", "shift": 0.001},
    {"method": "critic", "conflict": "absolute"},
    {"method": "std"},
    {"method": "cv", "ddof": 0},
    {"method": "bod", "normalise": "none", "share_lower": 0.1},
    {"method": "combined", "subjective": "equal", "objective": {"method": "critic"}, "how": "game_theory"},
]


@pytest.mark.parametrize("spec", REPLAY_SPECS, ids=[s["method"] for s in REPLAY_SPECS])
def test_a_result_replays_from_its_method_and_params(spec):
    r = weights_from_spec(spec, X, None, NAMES)
    again = weights_from_spec({"method": r.method, **r.params}, X, None, NAMES)
    np.testing.assert_allclose(again.weights, r.weights, rtol=1e-12)
