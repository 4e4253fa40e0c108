"""AHP (层次分析法): priorities, consistency, diagnosis, group AHP, hierarchy."""
import numpy as np
import pytest

from perfkit.weighting import (
    RI_TABLES,
    WeightingError,
    WeightingWarning,
    ahp_hierarchy,
    ahp_weights,
    check_pairwise_matrix,
    diagnose_ahp,
    group_ahp,
    random_index,
)

# Wang, Y.-M., Chin, K.-S. (2011). Fuzzy analytic hierarchy process: A logarithmic fuzzy
# preference programming methodology. Int. J. Approximate Reasoning 52(4), 541-553
# (the crisp comparison matrix of their example; eigenvector weights, lambda_max, CR).
WANG_CHIN_2011_A = [
    [1, 4, 3, 1, 3, 4],
    [1 / 4, 1, 7, 3, 1 / 5, 1],
    [1 / 3, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 6],
    [1, 1 / 3, 5, 1, 1, 1 / 3],
    [1 / 3, 5, 5, 1, 1, 3],
    [1 / 4, 1, 6, 3, 1 / 3, 1],
]
WANG_CHIN_2011_W = [0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391]
WANG_CHIN_2011_LAMBDA = 7.42
WANG_CHIN_2011_CR = 0.23


def _ahp_quiet(**kw):
    with pytest.warns(WeightingWarning):
        return ahp_weights(**kw)


def test_reproduces_wang_chin_2011_eigenvector_weights_lambda_and_cr():
    r = _ahp_quiet(matrix=WANG_CHIN_2011_A)
    np.testing.assert_allclose(r.weights, WANG_CHIN_2011_W, atol=5e-5)
    assert r.lambda_max == pytest.approx(WANG_CHIN_2011_LAMBDA, abs=0.005)
    assert r.cr == pytest.approx(WANG_CHIN_2011_CR, abs=0.005)
    assert r.ri == 1.24 and r.ri_table == "saaty1980"


def test_wang_chin_2011_matrix_is_flagged_inconsistent_with_a_diagnosis():
    expected = r"AHP matrix is inconsistent: CR = 0\.229 >= 0\.1 \(RI table 'saaty1980'\)"
    with pytest.warns(WeightingWarning, match=expected):
        r = ahp_weights(matrix=WANG_CHIN_2011_A, names=list("ABCDEF"))
    assert not r.consistent
    assert r.diagnostics["consistent"] is False
    worst = r.diagnosis[0]
    # a_13 = 3 while the priorities imply w_1/w_3 = 9.2: the largest |ln(a_ij w_j / w_i)|
    assert (worst.row_name, worst.col_name, worst.value) == ("A", "C", 3.0)
    assert worst.consistent_value == pytest.approx(0.3208 / 0.0348, rel=2e-3)
    assert worst.suggested == 9.0 and worst.cr_suggested < r.cr
    assert [d.deviation for d in r.diagnosis] == sorted((d.deviation for d in r.diagnosis), reverse=True)
    # no single change reaches CR < 0.1 here; the greedy revision path does
    assert all(d.acceptable is None for d in r.diagnosis)
    assert r.revision[-1].cr_after < 0.1
    assert "see the revision path" in r.warnings[0]
    frame = r.diagnosis_frame()
    assert frame.loc[0, ["row", "column", "value", "suggested"]].tolist() == ["A", "C", "3", "9"]


def test_diagnosis_finds_the_single_judgement_that_breaks_consistency():
    # consistent matrix from w = (4, 2, 1) with a_13 = 4 replaced by 1/4
    A = [[1, 2, 1 / 4], [1 / 2, 1, 2], [4, 1 / 2, 1]]
    with pytest.warns(WeightingWarning, match="inconsistent"):
        r = ahp_weights(matrix=A)
    assert r.cr > 0.1
    best = r.diagnosis[0]
    judgements, _ = diagnose_ahp(A, top=3)
    assert any((d.row, d.col, d.suggested) == (0, 2, 4.0) for d in judgements)
    assert any(d.acceptable is not None and d.cr_acceptable < 0.1 for d in judgements)
    assert best.cr_suggested <= r.cr


def test_random_index_tables_are_selectable_and_named_in_the_result():
    assert RI_TABLES["saaty1980"][:5] == (0.0, 0.0, 0.58, 0.90, 1.12)
    assert RI_TABLES["cn_textbook"][-1] == 1.59
    r = _ahp_quiet(matrix=WANG_CHIN_2011_A, ri_table="cn_textbook")
    assert r.ri == 1.26
    assert r.diagnostics["ri_table"] == "cn_textbook"
    assert r.params["ri_table"] == "cn_textbook"
    assert r.cr == pytest.approx((r.lambda_max - 6) / 5 / 1.26)
    assert "cn_textbook" in repr(r)


def test_random_index_table_too_short_or_unknown_is_an_error():
    with pytest.raises(WeightingError, match="covers matrices of order 1 to 11; got 12"):
        random_index(12, "saaty1980")
    assert random_index(12, "cn_textbook") == 1.54
    with pytest.raises(WeightingError, match="unknown random index table 'saaty'"):
        ahp_weights(matrix=[[1, 2], [0.5, 1]], ri_table="saaty")


def test_priority_methods_row_geometric_mean_and_column_mean():
    A = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    g = np.array([15 ** (1 / 3), 1.0, (1 / 15) ** (1 / 3)])
    r = ahp_weights(matrix=A, priority="geometric_mean")
    np.testing.assert_allclose(r.weights, g / g.sum(), rtol=1e-12)
    An = np.array(A) / np.array(A).sum(axis=0)
    r2 = ahp_weights(matrix=A, priority="column_mean")
    np.testing.assert_allclose(r2.weights, An.mean(axis=1), rtol=1e-12)
    lam = np.mean(np.array(A) @ r2.weights / r2.weights)
    assert r2.lambda_max == pytest.approx(lam)


def test_two_by_two_and_one_by_one_matrices_are_consistent():
    r = ahp_weights(matrix=[[1, 3], [1 / 3, 1]])
    assert r.weights.tolist() == pytest.approx([0.75, 0.25])
    assert r.cr == 0.0 and r.consistent
    assert ahp_weights(matrix=[[1]]).weights.tolist() == [1.0]


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 3], [3, 1]],
         r"not reciprocal: row 1, column 2 is 3 but row 2, column 1 is 3 \(should be 1/3"),
        ([[1, 0], [0, 1]], "entries must be positive numbers; row 1, column 2 is 0"),
        ([[2, 3], [1 / 3, 1]], "diagonal must be 1; row 1, column 1 is 2"),
        ([[1, 10], [0.1, 1]], "is not on Saaty's scale"),
        ([[1, 2.5], [0.4, 1]], "is not on Saaty's scale"),
        ([[1, 2, 3], [0.5, 1, 2]], r"must be square; got shape \(2, 3\)"),
        ([[1, "x"], [1, 1]], "must contain numbers"),
    ],
)
def test_invalid_matrices_raise_clear_errors(matrix, message):
    with pytest.raises(WeightingError, match=message):
        ahp_weights(matrix=matrix)


def test_error_messages_use_indicator_names():
    expected = "row 'safety', column 'economy' is 3 but row 'economy', column 'safety' is 2"
    with pytest.raises(WeightingError, match=expected):
        ahp_weights(matrix=[[1, 3], [2, 1]], names=["safety", "economy"])


def test_typed_fractions_pass_and_are_made_exactly_reciprocal():
    A = check_pairwise_matrix([[1, 3, 0.2], [0.33, 1, 0.5], [5, 2, 1]])
    assert A[1, 0] == 1 / 3 and A[0, 2] == 1 / 5 and A[1, 2] == 0.5
    assert ahp_weights(matrix=[[1, 2.5], [0.4, 1]], scale="any").weights.tolist() == pytest.approx([2.5 / 3.5, 1 / 3.5])


def test_matrix_order_must_match_the_number_of_indicators():
    with pytest.raises(WeightingError, match="AHP matrix has order 2 but there are 3 indicators"):
        ahp_weights(np.zeros((4, 3)), matrix=[[1, 2], [0.5, 1]])


def test_group_ahp_aggregates_judgements_by_geometric_mean():
    r = group_ahp(matrices=[[[1, 2], [1 / 2, 1]], [[1, 8], [1 / 8, 1]]])
    assert r.matrix[0, 1] == pytest.approx(4.0)  # sqrt(2 * 8)
    assert r.weights.tolist() == pytest.approx([0.8, 0.2])
    # weighted: 2^0.75 * 8^0.25 = 2^1.5
    r2 = group_ahp(matrices=[[[1, 2], [1 / 2, 1]], [[1, 8], [1 / 8, 1]]], expert_weights=[3, 1])
    assert r2.matrix[0, 1] == pytest.approx(2**1.5)
    assert r2.params["expert_weights"] == [0.75, 0.25]
    assert r2.method == "group_ahp" and r2.diagnostics["n_experts"] == 2


def test_group_ahp_names_the_expert_with_a_bad_matrix_and_the_inconsistent_ones():
    with pytest.raises(WeightingError, match="expert 2: AHP matrix is not reciprocal"):
        group_ahp(matrices=[[[1, 2], [0.5, 1]], [[1, 2], [2, 1]]])
    good = [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]
    bad = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    with pytest.warns(WeightingWarning) as record:
        r = group_ahp(matrices=[good, bad, good])
    assert any("the matrices of expert(s) 2 are inconsistent" in str(w.message) for w in record)
    assert r.diagnostics["individual_CR"][0] == pytest.approx(0.0, abs=1e-9)
    assert r.diagnostics["individual_CR"][1] > 0.1


def test_hierarchy_multiplies_local_weights_along_the_path():
    tree = {
        "name": "goal",
        "matrix": [[1, 3], [1 / 3, 1]],
        "children": [
            {"name": "econ", "matrix": [[1, 1, 2], [1, 1, 2], [1 / 2, 1 / 2, 1]], "children": ["gdp", "jobs", "tax"]},
            {"name": "env", "matrix": [[1, 4], [1 / 4, 1]], "children": ["air", "water"]},
        ],
    }
    r = ahp_hierarchy(tree=tree)
    expected = {"gdp": 0.75 * 0.4, "jobs": 0.75 * 0.4, "tax": 0.75 * 0.2, "air": 0.25 * 0.8, "water": 0.25 * 0.2}
    assert r.as_dict() == pytest.approx(expected)
    assert set(r.nodes) == {"goal", "goal/econ", "goal/env"}
    assert r.global_node_weights["goal/econ"] == pytest.approx(0.75)
    assert r.level_cr == pytest.approx((0.0, 0.0), abs=1e-9) and r.consistent
    # names reorder the leaves to the caller's column order
    r2 = ahp_hierarchy(tree=tree, names=["air", "water", "gdp", "jobs", "tax"])
    assert r2.weights.tolist() == pytest.approx([0.2, 0.05, 0.3, 0.3, 0.15])


def test_hierarchy_level_cr_weights_child_ci_by_parent_global_weight():
    inconsistent = [[1, 2, 1 / 2], [1 / 2, 1, 2], [2, 1 / 2, 1]]  # cyclic judgements
    tree = {"matrix": [[1, 1], [1, 1]], "children": [
        {"name": "a", "matrix": inconsistent, "children": ["a1", "a2", "a3"]},
        {"name": "b", "matrix": [[1, 1, 1], [1, 1, 1], [1, 1, 1]], "children": ["b1", "b2", "b3"]},
    ]}
    with pytest.warns(WeightingWarning):
        r = ahp_hierarchy(tree=tree)
    ci_a = r.nodes["goal/a"].ci
    # CR_level = (0.5 CI_a + 0.5 * 0) / (0.5 * 0.58 + 0.5 * 0.58)
    assert r.level_cr[1] == pytest.approx(0.5 * ci_a / 0.58)
    assert not r.consistent


def test_hierarchy_errors_name_the_node():
    child = {"name": "y", "matrix": [[1, 2], [2, 1]], "children": ["p", "q"]}
    tree = {"matrix": [[1, 2], [0.5, 1]], "children": ["x", child]}
    with pytest.raises(WeightingError, match="AHP hierarchy node 'goal/y': AHP matrix is not reciprocal"):
        ahp_hierarchy(tree=tree)
    with pytest.raises(WeightingError, match="leaves do not match the indicators"):
        ahp_hierarchy(tree={"matrix": [[1]], "children": ["x"]}, names=["z"])


def test_ahp_result_frame_and_html_show_the_consistency():
    r = ahp_weights(matrix=[[1, 3], [1 / 3, 1]], names=["a", "b"])
    assert r.to_frame()["weight"].tolist() == pytest.approx([0.75, 0.25])
    html = r._repr_html_()
    assert "层次分析法" in html and "CR" in html and "saaty1980" in html
