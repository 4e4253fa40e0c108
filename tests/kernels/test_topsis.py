"""TOPSIS and its internal normalisation (vector, min-max, none)."""
from __future__ import annotations

import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from perfkit.kernels.aggregate import AGGREGATE, topsis

NAN = np.nan
FAST = settings(max_examples=40, deadline=None)

# Hwang, C.-L. and Yoon, K. (1981), Multiple Attribute Decision Making: Methods and
# Applications, Springer: the fighter-aircraft example of the TOPSIS chapter. Four
# aircraft; maximum speed (Mach), ferry range (NM), maximum payload (lb), purchasing cost
# ($ million, a cost), reliability and manoeuvrability (interval scale 1-9);
# weights (0.2, 0.1, 0.1, 0.1, 0.2, 0.3).
AIRCRAFT = [[2.0, 1500, 20000, 5.5, 5, 9],
            [2.5, 2700, 18000, 6.5, 3, 5],
            [1.8, 2000, 21000, 4.5, 7, 7],
            [2.2, 1800, 20000, 5.0, 5, 5]]
AIRCRAFT_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
AIRCRAFT_DIRECTION = [1, 1, 1, -1, 1, 1]


def test_reproduces_hwang_and_yoon_1981_fighter_aircraft_example():
    # published relative closeness C* = 0.643, 0.268, 0.613, 0.312 (A1 > A3 > A4 > A2); the
    # book rounds its intermediate tables to four decimals (and its cost column's
    # normalised values are slightly off), so the printed third decimal can differ by 1.
    out = topsis(AIRCRAFT, weights=AIRCRAFT_WEIGHTS, direction=AIRCRAFT_DIRECTION)
    assert_allclose(out, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert np.argsort(-out).tolist() == [0, 2, 3, 1]


# A hand case where the three normalisations disagree: A = (2, 7), B = (3, 4), C = (6, 4),
# equal weights (0.5 each), both children benefits.
HAND = [[2.0, 7.0], [3.0, 4.0], [6.0, 4.0]]


def test_vector_normalisation_hand_case():
    # norms 7 and 9: v = 0.5 x / norm -> A (2/14, 7/18), B (3/14, 4/18), C (6/14, 4/18);
    # ideal (6/14, 7/18), anti-ideal (2/14, 4/18)
    # A: d+ = 4/14, d- = 3/18 -> 7/19 ; C: d+ = 3/18, d- = 4/14 -> 12/19
    # B: d+ = sqrt((3/14)^2 + (3/18)^2), d- = 1/14
    dp_b = np.hypot(3 / 14, 3 / 18)
    expected = [7 / 19, (1 / 14) / (1 / 14 + dp_b), 12 / 19]
    assert_allclose(topsis(HAND, weights=[1, 1]), expected)
    assert_allclose(topsis(HAND, weights=[1, 1], normalisation="vector"), expected)


def test_minmax_normalisation_hand_case():
    # r = (0, 1), (0.25, 0), (1, 0); v = r / 2; ideal (0.5, 0.5), anti-ideal (0, 0)
    # A: d+ = d- = 0.5 -> 1/2 ; B: d+ = sqrt(0.375^2 + 0.5^2) = 0.625, d- = 0.125 -> 1/6 ; C -> 1/2
    assert_allclose(topsis(HAND, weights=[1, 1], normalisation="minmax"), [0.5, 1 / 6, 0.5])


def test_no_normalisation_hand_case():
    # v = x / 2 -> A (1, 3.5), B (1.5, 2), C (3, 2); ideal (3, 3.5), anti-ideal (1, 2)
    # A: d+ = 2, d- = 1.5 -> 3/7 ; B: d+ = 1.5 sqrt 2, d- = 0.5 ; C: d+ = 1.5, d- = 2 -> 4/7
    b = 0.5 / (0.5 + 1.5 * np.sqrt(2))
    assert_allclose(topsis(HAND, weights=[1, 1], normalisation="none"), [3 / 7, b, 4 / 7])


def test_vector_step_on_min_max_scores_reweights_the_children():
    # Two children already min-max normalised to 0-100 with equal weights. Child 0 has
    # most units near the top (large norm), child 1 near the bottom (small norm): the
    # vector step scales child 1 up, so units good on child 1 gain. "none" keeps the
    # declared weights and equals "minmax" (min-max of 0-100 min-max scores only rescales).
    x = np.array([[100.0, 0.0], [90.0, 10.0], [80.0, 20.0], [0.0, 100.0]])
    keep = topsis(x, weights=[1, 1], normalisation="none")
    assert_allclose(topsis(x, weights=[1, 1], normalisation="minmax"), keep)
    vec = topsis(x, weights=[1, 1])
    assert vec[3] > keep[3] and vec[0] < keep[0]
    # the vector result is the "none" result with child j's weight divided by its norm
    norms = np.sqrt((x**2).sum(axis=0))
    assert_allclose(vec, topsis(x, weights=1 / norms, normalisation="none"))


def test_cost_child_with_each_normalisation_matches_the_reversed_benefit_child():
    # min-max and none are affine in x, so a cost child equals the benefit child -x (none)
    # or the reversed min-max (minmax); the ideal moves to the child's minimum
    x = np.array([[2.0, 7.0], [3.0, 4.0], [6.0, 4.0]])
    flipped = x * [1, -1] + [0, 10]  # child 1 as a benefit: 10 - x
    for how in ("minmax", "none"):
        assert_allclose(topsis(x, weights=[2, 1], direction=[1, -1], normalisation=how),
                        topsis(flipped, weights=[2, 1], normalisation=how))


def test_minmax_child_without_spread_contributes_nothing():
    x = np.array([[2.0, 7.0, 5.0], [3.0, 4.0, 5.0], [6.0, 4.0, 5.0]])
    assert_allclose(topsis(x, weights=[1, 1, 1], normalisation="minmax"),
                    topsis(x[:, :2], weights=[1, 1], normalisation="minmax"))


@pytest.mark.parametrize("how", ["vector", "minmax", "none"])
def test_missing_cells_and_batches_with_each_normalisation(how):
    x = np.array([[2.0, 7.0], [3.0, NAN], [6.0, 4.0], [NAN, NAN]])
    out = topsis(x, weights=[1, 1], normalisation=how)
    assert np.isnan(out[3]) and np.all((out[:3] >= 0) & (out[:3] <= 1))
    w = np.array([[1.0, 1.0], [3.0, 1.0]])
    batch = topsis(x, weights=w, normalisation=how)
    assert batch.shape == (2, 4)
    assert_allclose(batch[1], topsis(x, weights=w[1], normalisation=how))
    xb = np.stack([x, x[::-1]])
    assert_allclose(topsis(xb, weights=[1, 1], normalisation=how)[1], out[::-1])


def test_unknown_normalisation_is_a_clear_error():
    with pytest.raises(ValueError, match="normalisation must be one of 'vector', 'minmax', 'none'; got 'l1'"):
        topsis(HAND, weights=[1, 1], normalisation="l1")


def test_registry_declares_the_choice_and_the_default_stays_vector():
    method = AGGREGATE.get("topsis")
    assert method.meta["choices"] == {"normalisation": ("vector", "minmax", "none")}
    assert_allclose(topsis(AIRCRAFT, weights=AIRCRAFT_WEIGHTS, direction=AIRCRAFT_DIRECTION),
                    topsis(AIRCRAFT, weights=AIRCRAFT_WEIGHTS, direction=AIRCRAFT_DIRECTION,
                           normalisation="vector"))


@FAST
@given(x=hnp.arrays(float, st.tuples(st.integers(2, 6), st.integers(1, 4)), elements=st.floats(0.5, 100)),
       how=st.sampled_from(["vector", "minmax", "none"]), scale=st.floats(0.1, 10.0))
def test_closeness_is_in_the_unit_interval_and_ignores_a_common_scale(x, how, scale):
    w = np.linspace(1.0, 2.0, x.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no spread at all: 0.5 with a warning
        out = topsis(x, weights=w, normalisation=how)
        scaled = topsis(x * scale, weights=w, normalisation=how)
    assert np.all((out >= -1e-12) & (out <= 1 + 1e-12))
    assert_allclose(scaled, out, atol=1e-9)
