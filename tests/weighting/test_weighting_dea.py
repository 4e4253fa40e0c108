"""CCR DEA and benefit-of-the-doubt (BoD) weights."""
import numpy as np
import pytest

from perfkit.weighting import WeightingError, WeightingWarning, bod_weights, check_weights_spec, dea_ccr
from tests.handbook import TABLE19_SCORES, TAI, TAI_COUNTRIES, TAI_INDICATORS

# Classic two-input, one-output CCR example (input-oriented, constant returns to scale),
# as given in the issue: A(2,5;1) B(2,4;2) C(6,6;3) D(3,2;1) E(6,2;2)
# -> efficiencies 0.5, 1, 0.8333, 0.7143, 1.
DEA_INPUTS = [[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]]
DEA_OUTPUTS = [[1], [2], [3], [1], [2]]
DEA_EFFICIENCY = [0.5, 1.0, 0.8333, 0.7143, 1.0]


def test_reproduces_the_ccr_input_oriented_reference_efficiencies():
    r = dea_ccr(DEA_INPUTS, DEA_OUTPUTS, units=list("ABCDE"))
    np.testing.assert_allclose(r.efficiency, DEA_EFFICIENCY, atol=5e-5)
    assert r.efficiency[2] == pytest.approx(5 / 6) and r.efficiency[3] == pytest.approx(5 / 7)


def test_ccr_reference_sets_of_inefficient_units():
    r = dea_ccr(DEA_INPUTS, DEA_OUTPUTS, units=list("ABCDE"))
    assert r.peers == (("B",), ("B",), ("B", "E"), ("B", "E"), ("E",))
    # D is projected onto B and E: lambda_B = 3/14, lambda_E = 2/7
    np.testing.assert_allclose(r.lambdas[3], [0, 3 / 14, 0, 0, 2 / 7], atol=1e-9)
    # the multipliers satisfy v.x_c = 1 and u.y_c = efficiency
    x, y = np.array(DEA_INPUTS, float), np.array(DEA_OUTPUTS, float)
    np.testing.assert_allclose((r.input_weights * x).sum(axis=1), 1.0)
    np.testing.assert_allclose((r.output_weights * y).sum(axis=1), r.efficiency)
    assert r.to_frame().loc["C", "peers"] == "B, E"


def test_bod_hand_computed_case_with_peers():
    # c = (0.4, 0.4) is dominated by the segment between a = (1, 0) and b = (0, 1):
    # best weights w = (1, 1) give c a score of 0.8, with a and b both scoring 1.
    r = bod_weights([[1, 0], [0, 1], [0.4, 0.4]], normalise="none", units=["a", "b", "c"])
    np.testing.assert_allclose(r.scores, [1.0, 1.0, 0.8])
    np.testing.assert_allclose(r.unit_weights[2], [1.0, 1.0])
    assert r.peers == (("a",), ("b",), ("a", "b"))
    np.testing.assert_allclose(r.shares[2], [0.5, 0.5])
    # summary = mean share over units: ((1, 0) + (0, 1) + (0.5, 0.5)) / 3
    np.testing.assert_allclose(r.weights, [0.5, 0.5])
    assert r.units_frame().loc["c", "peers"] == "a, b"


def test_bod_equals_ccr_dea_with_a_dummy_unit_input():
    Y = np.random.default_rng(2).uniform(1, 10, size=(9, 3))
    bod = bod_weights(Y, normalise="none")
    dea = dea_ccr(np.ones((9, 1)), Y)
    np.testing.assert_allclose(bod.scores, dea.efficiency, atol=1e-9)


def test_bod_share_bounds_restrict_each_units_shares():
    Y = np.random.default_rng(4).uniform(1, 10, size=(8, 3))
    r = bod_weights(Y, normalise="none", share_lower=0.2, share_upper=0.5)
    ok = ~np.isnan(r.shares).any(axis=1)
    assert (r.shares[ok] >= 0.2 - 1e-9).all() and (r.shares[ok] <= 0.5 + 1e-9).all()
    free = bod_weights(Y, normalise="none")
    assert (r.scores <= free.scores + 1e-9).all()


def test_bod_weight_bounds_are_respected():
    Y = np.random.default_rng(6).uniform(1, 10, size=(6, 2))
    r = bod_weights(Y, normalise="none", lower=0.01, upper=[0.08, 0.2])
    assert (r.unit_weights >= 0.01 - 1e-12).all()
    assert (r.unit_weights[:, 0] <= 0.08 + 1e-12).all()


def test_bod_with_minmax_reverses_cost_indicators():
    X = np.array([[1, 9], [2, 5], [3, 1]], float)
    r = bod_weights(X, direction=[1, -1])
    # after reversal both columns rank unit 3 first: it is efficient
    assert r.scores[2] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"share_lower": [0.7, 0.7]}, "lower share bounds sum to 1.4 > 1"),
        ({"share_upper": [0.3, 0.3]}, "upper share bounds sum to 0.6 < 1"),
        ({"lower": [2, 2]}, "with the lower weight bounds unit '1' already scores 2.002 > 1"),
        ({"lower": [0.5, 0.1], "upper": [0.2, 1]}, "lower > upper for indicator #1"),
        ({"lower": 0.1, "share_upper": 0.5}, "BoD bounds are infeasible for unit '1'"),
    ],
)
def test_infeasible_bod_bounds_are_clear_errors(kwargs, message):
    Y = [[1, 0.001], [0.001, 1]]
    with pytest.raises(WeightingError, match=message):
        bod_weights(Y, normalise="none", **kwargs)


def test_bod_raw_data_must_be_non_negative_benefit():
    with pytest.raises(WeightingError, match="cannot reverse cost indicators"):
        bod_weights([[1, 2], [2, 1]], normalise="none", direction=[1, -1])
    with pytest.raises(WeightingError, match="needs non-negative data"):
        bod_weights([[1, -2], [2, 1]], normalise="none")


def test_zero_value_under_a_lower_share_bound_is_stated():
    with pytest.warns(WeightingWarning, match="forces its score to 0"):
        bod_weights([[1, 0], [0.5, 1], [1, 1]], normalise="none", share_lower=0.1)


def test_dea_input_checks():
    with pytest.raises(WeightingError, match="unit '2' has no positive input"):
        dea_ccr([[1], [0]], [[1], [1]])
    with pytest.raises(WeightingError, match="3 units have inputs but 2 have outputs"):
        dea_ccr([[1], [1], [1]], [[1], [1]])


# ------------------------------------------------------- restrictions, a 3-unit case by hand
# a = (1, 0.5), b = (0.5, 1), c = (0.9, 0.9), raw data; constraints: every unit's score
# w1 y1 + w2 y2 <= 1. Without restrictions all three are efficient (a with w = (1, 0)).
# With any restriction below, c's constraint 0.9 (w1 + w2) <= 1 binds for a, and along it
# a's score w1 + 0.5 w2 falls by 0.5 for every unit of w2, so a takes the least w2 allowed.
HAND3 = [[1, 0.5], [0.5, 1], [0.9, 0.9]]


def test_bod_hand_case_without_restrictions():
    r = bod_weights(HAND3, normalise="none", units=list("abc"))
    np.testing.assert_allclose(r.scores, [1, 1, 1])
    assert r.restrictions == () and r.diagnostics["restrictions"].startswith("none")


def test_bod_hand_case_weight_bounds():
    # w_j <= 0.6: a takes w1 = 0.6, then w2 = 1/0.9 - 0.6 -> score 0.6 + 0.5 (1/0.9 - 0.6) = 77/90
    r = bod_weights(HAND3, normalise="none", upper=0.6, units=list("abc"))
    np.testing.assert_allclose(r.scores, [77 / 90, 77 / 90, 1])
    np.testing.assert_allclose(r.unit_weights[0], [0.6, 1 / 0.9 - 0.6])
    assert r.restrictions == ("weight_bounds",) and r.peers[0] == ("c",)


def test_bod_hand_case_score_shares():
    # each indicator 25-75 % of a's own score: 0.5 w2 / (w1 + 0.5 w2) >= 1/4 <=> w2 >= 2/3 w1;
    # on c's constraint w1 (1 + 2/3) = 1/0.9 -> w1 = 2/3, w2 = 4/9, score 2/3 + 2/9 = 8/9
    r = bod_weights(HAND3, normalise="none", share_lower=0.25, share_upper=0.75, units=list("abc"))
    np.testing.assert_allclose(r.scores, [8 / 9, 8 / 9, 1])
    np.testing.assert_allclose(r.unit_weights[0], [2 / 3, 4 / 9])
    np.testing.assert_allclose(r.shares[0], [0.75, 0.25])
    assert r.restrictions == ("score_shares",)


def test_bod_hand_case_weight_shares_the_handbook_restriction():
    # each weight 25-75 % of the sum of the weights: w2 >= w1 / 3; on c's constraint
    # w1 (1 + 1/3) = 1/0.9 -> w1 = 5/6, w2 = 5/18, score 5/6 + 5/36 = 35/36
    r = bod_weights(HAND3, normalise="none", weight_share_lower=0.25, weight_share_upper=0.75,
                    units=list("abc"))
    np.testing.assert_allclose(r.scores, [35 / 36, 35 / 36, 1])
    np.testing.assert_allclose(r.unit_weights[0], [5 / 6, 5 / 18])
    np.testing.assert_allclose(r.weight_shares[0], [0.75, 0.25])
    assert r.restrictions == ("weight_shares",) and r.diagnostics["restrictions"] == "weight_shares"
    assert r.params["weight_share_lower"] == [0.25, 0.25]


def test_bod_restrictions_combine_and_are_all_named():
    r = bod_weights(HAND3, normalise="none", upper=0.9, share_upper=0.9, weight_share_lower=0.2)
    assert r.restrictions == ("weight_bounds", "score_shares", "weight_shares")
    ws = r.weight_shares
    assert (ws >= 0.2 - 1e-9).all() and (r.unit_weights <= 0.9 + 1e-9).all()


def test_reproduces_handbook_table_19_bod_scores_of_the_tai():
    # OECD/JRC (2008) Handbook, Table 19 (p. 94): benefit of the doubt on the min-max
    # normalised TAI (23 countries), each weight 10-15 % of the total weight (endnote 29,
    # p. 157). The raw data of Table A.2 print the logged telephones and electricity with
    # two decimals, which moves four of the 23 printed scores by one in the second decimal.
    r = bod_weights(TAI, names=TAI_INDICATORS, units=TAI_COUNTRIES,
                    weight_share_lower=0.10, weight_share_upper=0.15)
    np.testing.assert_allclose(r.scores, TABLE19_SCORES, atol=0.0101)
    assert np.sum(np.abs(r.scores - TABLE19_SCORES) > 0.005) <= 4
    assert r.diagnostics["n_efficient"] == 3  # Finland, United States, Sweden score 1
    np.testing.assert_allclose(r.scores[:3], 1.0)
    ok = ~np.isnan(r.weight_shares).any(axis=1)
    assert (r.weight_shares[ok] >= 0.10 - 1e-9).all() and (r.weight_shares[ok] <= 0.15 + 1e-9).all()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weight_share_lower": [0.6, 0.6]}, r"weight share bounds sum to 1.2 \(lower\)"),
    ({"weight_share_upper": [0.3, 0.3]}, r"and 0.6 \(upper\)"),
    ({"weight_share_lower": 0.5, "weight_share_upper": 0.4}, "weight_share_lower <= weight_share_upper"),
    ({"weight_share_upper": 1.5}, "<= 1"),
])
def test_infeasible_weight_share_bounds_are_clear_errors(kwargs, message):
    with pytest.raises(WeightingError, match=message):
        bod_weights(HAND3, normalise="none", **kwargs)


def test_weight_shares_are_respected_for_every_unit_on_random_data():
    Y = np.random.default_rng(11).uniform(0, 10, size=(12, 4))
    r = bod_weights(Y, weight_share_lower=0.15, weight_share_upper=0.4)
    ok = ~np.isnan(r.weight_shares).any(axis=1)
    assert ok.all()
    assert (r.weight_shares >= 0.15 - 1e-9).all() and (r.weight_shares <= 0.4 + 1e-9).all()
    free = bod_weights(Y)
    assert (r.scores <= free.scores + 1e-9).all()  # a restriction never raises a score


def test_weights_spec_accepts_the_handbook_restriction():
    spec = check_weights_spec({"method": "bod", "weight_share_lower": 0.1, "weight_share_upper": 0.15})
    assert spec["weight_share_upper"] == 0.15
