"""DEA in envelopment form: published reference cases, a hand-computed case, the
column-generation shortcut equal to the full programme, the link to benefit of the
doubt, and bad input."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.analyses.benchmark import dea
from perfkit.errors import DataError
from perfkit.weighting.dea import bod_weights

# --- Coelli, T. (1996). A Guide to DEAP Version 2.1: A Data Envelopment Analysis (Computer)
# Program. CEPA Working Paper 96/08, University of New England, example EG1 (5 firms, 1 output,
# 2 inputs, input-oriented CRS, slacks by the multi-stage method). The printed results:
EG1_X = [[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]]
EG1_Y = [[1], [2], [3], [1], [2]]
EG1_TE = [0.500, 1.000, 0.833, 0.714, 1.000]
EG1_PEERS = {"1": {"2": 0.500}, "2": {"2": 1.000}, "3": {"5": 0.500, "2": 1.000},
             "4": {"5": 0.286, "2": 0.214}, "5": {"5": 1.000}}
EG1_INPUT_TARGETS = [[1.000, 2.000], [2.000, 4.000], [5.000, 5.000], [2.143, 1.429], [6.000, 2.000]]
EG1_INPUT_SLACKS = [[0.0, 0.5], [0, 0], [0, 0], [0, 0], [0, 0]]

# --- The 11-unit, 2-input, 1-output data set ("FLS book data") of DataEnvelopmentAnalysis.jl
# (J. Barbero and J. L. Zofio), test/dea.jl, whose efficiencies, lambdas and slacks are checked
# there against the R package Benchmarking (Bogetoft and Otto).
FLS_X = np.array([[5, 13], [16, 12], [16, 26], [17, 15], [18, 14], [23, 6], [25, 10], [27, 22], [37, 14], [42, 25],
                  [5, 17]], dtype=float)
FLS_Y = np.array([12, 14, 25, 26, 8, 9, 27, 30, 31, 26, 12], dtype=float)
FLS = {
    ("output", "crs"): dict(
        score=[1.0, 1.606968641, 1.219726027, 1.0, 3.221951220, 1.8, 1.0, 1.319837398, 1.219354839, 2.038461538, 1.0],
        lam={1: {3: 0.6829268293, 6: 0.1756097561}, 2: {0: 1.383561644, 3: 0.5342465753},
             4: {3: 0.8292682927, 6: 0.1560975610}, 5: {6: 0.6}, 7: {3: 1.3658536585, 6: 0.1512195122},
             8: {6: 1.4}, 9: {3: 1.0, 6: 1.0}, 10: {0: 1.0}},
        slack_x={5: [8, 0], 8: [2, 0], 10: [0, 4]}, slack_y={}),
    ("output", "vrs"): dict(
        score=[1.0, 1.507518797, 1.0, 1.0, 3.203947368, 1.0, 1.0, 1.0, 1.0, 1.192307692, 1.0],
        lam={1: {0: 0.38157894737, 3: 0.1710526316, 6: 0.4473684211},
             4: {0: 0.03947368421, 3: 0.7763157895, 6: 0.1842105263}, 9: {8: 1.0}, 10: {0: 1.0}},
        slack_x={9: [5, 11], 10: [0, 4]}, slack_y={}),
    ("input", "crs"): dict(
        score=[1.0, 0.6222896791, 0.8198562444, 1.0, 0.3103709311, 0.5555555556, 1.0, 0.7576690896, 0.8201058201,
               0.4905660377, 1.0],
        lam={1: {3: 0.4249783174, 6: 0.10928013877}, 2: {0: 1.134321653, 3: 0.4380053908},
             4: {3: 0.2573807721, 6: 0.04844814534}, 5: {6: 0.33333333333}, 7: {3: 1.0348650979, 6: 0.11457435013},
             8: {6: 1.14814814815}, 9: {3: 0.4905660377, 6: 0.49056603774}, 10: {0: 1.0}},
        slack_x={5: [4.444444444, 0], 8: [1.640211640, 0], 10: [0, 4]}, slack_y={}),
    ("input", "vrs"): dict(
        score=[1.0, 0.8699861687, 1.0, 1.0, 0.7116402116, 1.0, 1.0, 1.0, 1.0, 0.4931209269, 1.0],
        lam={1: {0: 0.52558782849, 5: 0.2842323651, 6: 0.1901798064}, 4: {0: 0.56613756614, 5: 0.4338624339},
             9: {0: 0.03711078928, 3: 0.4433381608, 6: 0.5195510500}, 10: {0: 1.0}},
        slack_x={10: [0, 4]}, slack_y={4: 2.698412698}),
}


def test_deap_eg1_input_oriented_crs_as_printed():
    r = dea(EG1_X, EG1_Y, rts="crs", orientation="input", units=list("12345"))
    assert np.round(r.efficiency, 3).tolist() == EG1_TE
    for unit, peers, weights in zip(r.units, r.peers, r.weights):
        assert dict(zip(peers, np.round(weights, 3))) == pytest.approx(EG1_PEERS[unit], abs=1e-3)
    assert np.round(r.target_inputs, 3).tolist() == EG1_INPUT_TARGETS
    assert np.allclose(r.slack_inputs, EG1_INPUT_SLACKS, atol=1e-9)
    assert np.allclose(r.target_outputs[:, 0], [1, 2, 3, 1, 2])


def test_deap_eg1_output_oriented_crs_follows_the_ccr_relation():
    # Cooper, Seiford & Tone (2007), ch. 3 (the output-oriented CCR model): its optimum is the input-oriented one
    # divided by theta: phi = 1 / theta, lambda_out = lambda_in / theta, slacks / theta.
    r = dea(EG1_X, EG1_Y, rts="crs", orientation="output", units=list("12345"))
    assert r.score.tolist() == pytest.approx([2.0, 1.0, 1.2, 1.4, 1.0])
    lam = r.lambdas
    assert lam[0, 1] == pytest.approx(1.0)                         # firm 1: 0.5 / 0.5 on firm 2
    assert lam[2, [4, 1]] == pytest.approx([0.6, 1.2])             # firm 3: (0.5, 1.0) / 0.833
    assert lam[3, [4, 1]] == pytest.approx([0.4, 0.3])             # firm 4: (0.286, 0.214) / 0.714
    assert r.slack_inputs[0].tolist() == pytest.approx([0.0, 1.0])  # 0.5 / 0.5
    assert r.target_outputs[:, 0].tolist() == pytest.approx([2.0, 2.0, 3.6, 1.4, 2.0])
    assert r.target_inputs[0].tolist() == pytest.approx([2.0, 4.0])


@pytest.mark.parametrize("orientation,rts", list(FLS))
def test_fls_reference_efficiencies_peers_slacks_and_projections(orientation, rts):
    ref = FLS[(orientation, rts)]
    r = dea(FLS_X, FLS_Y, rts=rts, orientation=orientation)
    assert r.score == pytest.approx(ref["score"], abs=1e-8)
    lam = r.lambdas
    for o in range(11):
        expected = ref["lam"].get(o, {o: 1.0})
        got = {k: lam[o, k] for k in np.flatnonzero(lam[o] > 1e-9)}
        assert got == pytest.approx(expected, abs=1e-8), o
    sx = np.zeros((11, 2))
    sy = np.zeros(11)
    for o, v in ref["slack_x"].items():
        sx[o] = v
    for o, v in ref["slack_y"].items():
        sy[o] = v
    assert np.allclose(r.slack_inputs, sx, atol=1e-7) and np.allclose(r.slack_outputs[:, 0], sy, atol=1e-7)
    # the projection is the lambda-combination of the peers
    assert np.allclose(r.target_inputs, lam @ FLS_X, atol=1e-7)
    assert np.allclose(r.target_outputs[:, 0], lam @ FLS_Y, atol=1e-7)
    if orientation == "output":
        assert np.allclose(r.target_outputs[:, 0], r.score * FLS_Y + sy) and np.allclose(r.target_inputs, FLS_X - sx)
    else:
        assert np.allclose(r.target_inputs, r.score[:, None] * FLS_X - sx)


def test_three_units_by_hand():
    # A uses 2 to make 1, B 2 to make 2, C 4 to make 3. Productivities 0.5, 1, 0.75: under CRS only B is
    # efficient; A could make 2 (phi 2, B x 1), C could make 4 (phi 4/3, B x 2). Under VRS the frontier is
    # B-C: A is still referred to B (phi 2), C is efficient.
    x, y = [[2], [2], [4]], [[1], [2], [3]]
    crs = dea(x, y, rts="crs", units=["A", "B", "C"])
    assert crs.score.tolist() == pytest.approx([2.0, 1.0, 4 / 3])
    assert crs.peers == (("B",), ("B",), ("B",)) and crs.weights[2] == pytest.approx((2.0,))
    assert crs.target_outputs[:, 0].tolist() == pytest.approx([2.0, 2.0, 4.0])
    vrs = dea(x, y, rts="vrs", units=["A", "B", "C"])
    assert vrs.score.tolist() == pytest.approx([2.0, 1.0, 1.0])
    assert vrs.peers == (("B",), ("B",), ("C",))
    assert vrs.target_outputs[:, 0].tolist() == pytest.approx([2.0, 2.0, 3.0])
    # input orientation, VRS: A cannot use less than 2 and still make 1 on the B-C frontier (theta 1), but B
    # makes one more with the same input: an output slack of 1 (A is only weakly efficient)
    vi = dea(x, y, rts="vrs", orientation="input", units=["A", "B", "C"])
    assert vi.score.tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert vi.slack_outputs[:, 0].tolist() == pytest.approx([1.0, 0.0, 0.0]) and vi.peers[0] == ("B",)
    ci = dea(x, y, rts="crs", orientation="input", units=["A", "B", "C"])
    assert ci.efficiency.tolist() == pytest.approx([0.5, 1.0, 0.75])


def _data(n, p, q, rng):
    X = rng.uniform(10, 100, (n, p))
    A = rng.dirichlet(np.ones(p), q)
    Y = np.exp(np.log(X) @ A.T) * np.exp(-np.abs(rng.normal(0, 0.3, (n, 1)))) * rng.uniform(0.8, 1.2, (n, q))
    X[5] = X[4]  # a duplicate unit, and a unit dominated only through a slack
    Y[5] = Y[4]
    X[7] = X[6] + np.r_[0.0, 5.0, np.zeros(p - 2)]
    Y[7] = Y[6]
    return X, Y


@pytest.mark.parametrize("orientation", ["output", "input"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_column_generation_equals_the_full_programme(orientation, rts):
    X, Y = _data(120, 3, 3, np.random.default_rng(5))
    fast = dea(X, Y, rts=rts, orientation=orientation)
    full = dea(X, Y, rts=rts, orientation=orientation, reference="all")
    assert np.allclose(fast.score, full.score, atol=1e-9)
    assert np.allclose(fast.target_outputs, full.target_outputs, atol=1e-6)
    assert np.allclose(fast.target_inputs, full.target_inputs, atol=1e-6)
    total = lambda r: r.slack_inputs.sum(axis=1) + r.slack_outputs.sum(axis=1)  # noqa: E731
    assert np.allclose(total(fast), total(full), atol=1e-6)
    assert len(fast.reference) < len(full.reference)


def test_unit_input_crs_is_benefit_of_the_doubt():
    Y = np.random.default_rng(3).uniform(0, 10, (15, 4))
    r = dea(np.ones(15), Y, rts="crs")
    assert np.allclose(r.efficiency, bod_weights(Y, normalise="none").scores, atol=1e-9)
    # with a unit input, VRS adds nothing in the output orientation
    assert np.allclose(dea(np.ones(15), Y, rts="vrs").efficiency, r.efficiency, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(4, 12), st.integers(0, 10_000))
def test_efficiencies_are_in_range_vrs_dominates_crs_and_the_frontier_is_reached(n, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.uniform(1, 10, (n, 2)), rng.uniform(0.5, 10, (n, 2))
    crs, vrs = dea(X, Y, rts="crs"), dea(X, Y, rts="vrs")
    for r in (crs, vrs):
        assert ((r.efficiency > 0) & (r.efficiency <= 1 + 1e-12)).all() and r.efficient.any()
        assert (r.target_outputs >= Y - 1e-9).all() and (r.target_inputs <= X + 1e-9).all()
    assert (vrs.efficiency >= crs.efficiency - 1e-9).all()
    # a projected point is itself on the frontier
    proj = dea(np.vstack([X, vrs.target_inputs[:1]]), np.vstack([Y, vrs.target_outputs[:1]]), rts="vrs")
    assert proj.score[-1] == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize("x,y,message", [
    ([[1.0], [0.0], [2.0]], [[1.0], [2.0], [3.0]], r"input 'input1' of unit '2' is 0; inputs must be positive"),
    ([[1.0], [-2.0], [2.0]], [[1.0], [2.0], [3.0]], r"input 'input1' of unit '2' is -2"),
    ([[1.0], [1.0], [2.0]], [[1.0], [-2.0], [3.0]], r"output 'output1' of unit '2' is -2"),
    ([[1.0], [np.nan], [2.0]], [[1.0], [2.0], [3.0]], r"input 'input1' of unit '2' is missing"),
    ([[1.0], [1.0], [2.0]], [[1.0], [0.0], [3.0]], r"unit '2' has no positive output"),
    ([[1.0], [1.0]], [[1.0], [2.0], [3.0]], r"2 units have inputs but 3 have outputs"),
])
def test_bad_input_is_refused_naming_the_unit(x, y, message):
    with pytest.raises(DataError, match=message):
        dea(x, y)


def test_unknown_options_are_refused():
    with pytest.raises(DataError, match="rts must be one of"):
        dea([[1]], [[1]], rts="drs")
    with pytest.raises(DataError, match="orientation must be one of"):
        dea([[1]], [[1]], orientation="both")
