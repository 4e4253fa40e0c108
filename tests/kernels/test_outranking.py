"""Non-compensatory aggregation: outranking matrix, Copeland scores, Kemeny (C-K-Y-L) ranking."""
from __future__ import annotations

import itertools
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from perfkit.kernels.aggregate import AGGREGATE
from perfkit.kernels.outranking import (
    HeuristicRankingWarning,
    copeland,
    kemeny,
    kemeny_ranking,
    outranking_matrix,
)
from tests.handbook import (
    TABLE25,
    TABLE27,
    TABLE28,
    TABLE28_SUPPORT,
    TABLE30,
    TABLE34,
    TABLE35,
    TABLE35_COUNTRIES,
    TABLE36,
    TABLE37_BEST,
    TABLE37_SUPPORT,
    profile_matrix,
)

NAN = np.nan
FAST = settings(max_examples=40, deadline=None)


def support(e, order):
    """Sum of e[a, b] over the pairs ``order`` (unit indices, best first) ranks a above b."""
    return sum(e[order[i], order[j]] for i in range(len(order)) for j in range(i + 1, len(order)))


def brute_force(e):
    """Every ranking scored: (best support, optimal rankings, average positions)."""
    n = e.shape[0]
    scored = [(support(e, p), p) for p in itertools.permutations(range(n))]
    best = max(s for s, _ in scored)
    optimal = [p for s, p in scored if s >= best - 1e-9]
    pos = np.zeros(n)
    for p in optimal:
        pos[list(p)] += np.arange(1, n + 1)
    return best, optimal, pos / len(optimal)


# ------------------------------------------------------------------ the outranking matrix


def test_outranking_matrix_reproduces_handbook_tables_27_and_30():
    # OECD/JRC (2008) Handbook, Table 27 (p. 107): 21 indicators on 4 countries, and
    # Table 30 (p. 108): Condorcet's 60 indicators on 3 countries; both count indicators,
    # so e (a share of the weights) times the number of indicators gives them back.
    x, w = TABLE25
    assert_allclose(outranking_matrix(x, weights=w) * 21, TABLE27)
    x, w = TABLE28
    assert_allclose(outranking_matrix(x, weights=w) * 60, TABLE30)


def test_outranking_matrix_reproduces_handbook_table_36_from_raw_tai_data():
    # Table 36 (p. 114) from the raw values of Table 35 with weights 1/8: ties count half,
    # and no normalisation is needed (handbook endnote 39)
    e = outranking_matrix(TABLE35, weights=np.full(8, 1 / 8))
    assert_allclose(e, TABLE36)
    off = ~np.eye(5, dtype=bool)
    assert_allclose((e + e.T)[off], 1.0)  # the constant-sum property


def test_outranking_matrix_ties_and_missing_values_hand_case():
    x = np.array([[3.0, 1.0, NAN], [3.0, 2.0, 5.0], [NAN, NAN, NAN]])
    e = outranking_matrix(x, weights=[1, 1, 2])
    # units 1 and 2 share children 0 (a tie: half of 1) and 1 (unit 2 better: 1) -> weights 2
    assert_allclose(e[0, 1], 0.5 / 2)
    assert_allclose(e[1, 0], 1.5 / 2)
    assert np.isnan(e[2]).all() and np.isnan(e[:, 2]).all()


def test_units_without_a_common_child_are_indifferent():
    e = outranking_matrix([[1.0, NAN], [NAN, 2.0]], weights=[1, 1])
    assert_allclose(e, [[0, 0.5], [0.5, 0]])


# ------------------------------------------------------------------------------ Copeland


def test_copeland_hand_case_with_weights_and_ties():
    # weights 3, 2, 1 (of 6). Pairwise weighted margins (a's children better minus worse):
    #   A-B: +3 -2, tie on child 2 -> +1, A wins;   A-C: +3 -2 -1 = 0, tie
    #   A-D: +3, tie, +1 -> A wins;                 B-C: +3 +2 -1 -> B wins
    #   B-D: tie, +2 +1 -> B wins;                  C-D: -3 +2 +1 = 0, tie
    # score 100 (wins + ties / 2) / 3: A 2.5, B 2, C 1, D 0.5
    x = [[3, 1, 2], [2, 3, 2], [1, 2, 3], [2, 1, 1]]
    assert_allclose(copeland(x, weights=[3, 2, 1]), [250 / 3, 200 / 3, 100 / 3, 50 / 3])


def test_copeland_finds_the_handbook_condorcet_winner_of_table_25():
    # Handbook p. 107: c is the Condorcet winner, final ranking c > b > d > a
    x, w = TABLE25  # units a, b, c, d
    assert_allclose(copeland(x, weights=w), [0, 200 / 3, 100, 100 / 3])


def test_copeland_cannot_break_a_cycle_but_kemeny_can():
    # profiles "abcd" (3), "bcad" (2), "cabd" (2): a beats b 5:2, b beats c 5:2, c beats a
    # 4:3, everyone beats d. Copeland: a, b and c each win twice. Kemeny, by hand: with d
    # last, the rankings of a, b, c have supports (in sevenths) abc 13, bca 11, cab 11,
    # acb 10, bac 10, cba 8, so a > b > c > d is the one optimum, support (13 + 21) / 7.
    x, w = profile_matrix(["abcd", "bcad", "cabd"], [3, 2, 2])
    assert_allclose(copeland(x, weights=w), [200 / 3, 200 / 3, 200 / 3, 0])
    r = kemeny_ranking(x, weights=w, units="abcd")
    assert r.order == ("a", "b", "c", "d") and r.n_optimal == 1 and r.exact
    assert_allclose(r.support, 34 / 7)
    assert_allclose(kemeny(x, weights=w), [100, 200 / 3, 100 / 3, 0])


def test_copeland_single_unit_and_missing_unit():
    assert_allclose(copeland([[1.0, 2.0]], weights=[1, 1]), [50])
    out = copeland([[3.0, 1.0], [NAN, NAN], [1.0, 0.0]], weights=[1, 1])
    assert_allclose(out, [100, NAN, 0])


# ------------------------------------------------------------------------------- Kemeny


def test_kemeny_exact_four_unit_case_worked_by_hand_with_tied_optima():
    # equal weights on "abcd", "bcad", "cabd": the cycle a > b > c > a is 2:1 each way, so
    # abcd, bcad and cabd all have the largest support: two pairs of 2/3 and one of 1/3
    # among a, b, c, plus 3 x 1 for d last -> 14/3 (the other three orders of a, b, c give
    # 4/3 + 3). Average positions: a (1 + 3 + 2) / 3 = 2, b 2, c 2, d 4.
    x, w = profile_matrix(["abcd", "bcad", "cabd"], [1, 1, 1])
    r = kemeny_ranking(x, weights=w, units="abcd")
    assert r.n_optimal == 3
    assert set(r.optimal) == {tuple("abcd"), tuple("bcad"), tuple("cabd")}
    assert r.order == tuple("abcd")  # the first optimal ranking in the units' order
    assert_allclose(r.support, 14 / 3)
    assert_allclose(r.positions, [2, 2, 2, 4])
    assert_allclose(kemeny(x, weights=w), [200 / 3, 200 / 3, 200 / 3, 0])


def test_kemeny_reproduces_handbook_table_25_ranking():
    # Handbook p. 107: c > b > d > a (the Condorcet ranking, unique here)
    x, w = TABLE25
    r = kemeny_ranking(x, weights=w, units="abcd")
    assert r.order == tuple("cbda") and r.n_optimal == 1
    assert_allclose(r.support * 21, 11 + 14 + 13 + 21 + 13 + 13)
    assert_allclose(kemeny(x, weights=w), [0, 200 / 3, 100, 100 / 3])


def test_kemeny_reproduces_handbook_table_28_permutation_supports():
    # Handbook p. 111: the six rankings of Condorcet's example score 100, 104, 86, 94, 80,
    # 76 (in indicators of 60); b > c > a is the final result
    x, w = TABLE28
    e = outranking_matrix(x, weights=w) * 60
    for order, expected in TABLE28_SUPPORT.items():
        assert_allclose(support(e, ["abc".index(u) for u in order]), expected)
    r = kemeny_ranking(x, weights=w, units="abc")
    assert r.order == tuple("bca") and r.n_optimal == 1
    assert_allclose(r.support * 60, 104)


def test_kemeny_leaves_the_handbook_table_34_paradox_unsolved():
    # Handbook p. 112: three rankings have the greatest support; "the cycle remains unsolved"
    x, w = TABLE34
    r = kemeny_ranking(x, weights=w, units="abc")
    assert set(r.optimal) == {tuple("abc"), tuple("bca"), tuple("cab")} and r.n_optimal == 3
    assert_allclose(kemeny(x, weights=w), [50, 50, 50])


def test_kemeny_reproduces_handbook_tables_35_to_37_tai_five_countries():
    # Handbook p. 114: with equal weights the three rankings USA-Sweden-Finland-Japan-Korea,
    # Sweden-Finland-USA-..., Sweden-USA-Finland-... share the highest support, 6.375
    r = kemeny_ranking(TABLE35, weights=np.ones(8), units=TABLE35_COUNTRIES)
    assert set(r.optimal) == set(TABLE37_BEST) and r.n_optimal == 3
    assert_allclose(r.support, TABLE37_SUPPORT)
    # the next three rankings of Table 37 score 6.125
    e = r.outranking
    idx = {c: i for i, c in enumerate(TABLE35_COUNTRIES)}
    for order in (("Finland", "USA", "Sweden"), ("Finland", "Sweden", "USA"), ("USA", "Finland", "Sweden")):
        assert_allclose(support(e, [idx[c] for c in (*order, "Japan", "Korea")]), 6.125)
    # average positions: Sweden (2 + 1 + 1) / 3, USA (1 + 3 + 2) / 3, Finland (3 + 2 + 3) / 3
    assert_allclose(r.positions, [8 / 3, 2, 4 / 3, 4, 5])
    assert_allclose(kemeny(TABLE35, weights=np.ones(8)), 100 * (5 - r.positions) / 4)
    assert r.to_frame().index[0] == "Sweden"


def test_kemeny_is_exact_against_scoring_every_ranking():
    rng = np.random.default_rng(7)
    for _ in range(60):
        n, c = rng.integers(2, 7), rng.integers(1, 5)
        x = rng.integers(0, 3, size=(n, c)).astype(float)
        w = rng.integers(1, 4, size=c)
        e = outranking_matrix(x, weights=w)
        best, optimal, pos = brute_force(e)
        r = kemeny_ranking(x, weights=w)
        assert_allclose(r.support, best)
        assert r.n_optimal == len(optimal) and len(r.optimal) == len(optimal)
        assert_allclose(r.positions, pos)
        assert_allclose(kemeny(x, weights=w), 100 * (n - pos) / (n - 1))


def test_beyond_exact_max_the_heuristic_is_flagged():
    x, w = TABLE25
    with pytest.warns(HeuristicRankingWarning, match=r"4 units exceed exact_max=3.*not necessarily"):
        r = kemeny_ranking(x, weights=w, units="abcd", exact_max=3)
    assert not r.exact and r.n_optimal is None and "heuristic" in r.method
    assert r.order == tuple("cbda")  # the heuristic finds the optimum here
    with pytest.warns(HeuristicRankingWarning):
        assert_allclose(kemeny(x, weights=w, exact_max=3), [0, 200 / 3, 100, 100 / 3])


def test_heuristic_is_near_optimal_on_random_nine_unit_cases():
    # measured, seeded: the documented quality of the heuristic (module docstring)
    rng = np.random.default_rng(1)
    missed, worst = 0, 0.0
    for _ in range(200):
        x, w = rng.normal(size=(9, 5)), rng.uniform(1, 2, 5)
        exact = kemeny_ranking(x, weights=w)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HeuristicRankingWarning)
            found = kemeny_ranking(x, weights=w, exact_max=0)
        assert found.support <= exact.support + 1e-9
        missed += found.support < exact.support - 1e-9
        worst = max(worst, (exact.support - found.support) / exact.support)
    assert missed <= 10 and worst < 0.01


def test_heuristic_handles_more_units_than_the_exact_limit():
    x = np.random.default_rng(3).normal(size=(25, 4))
    with pytest.warns(HeuristicRankingWarning):
        out = kemeny(x, weights=[1, 2, 3, 4])
    assert_allclose(np.sort(out), np.linspace(0, 100, 25))  # one ranking: equal steps


def test_a_dominating_unit_is_first_and_a_dominated_one_last():
    x = np.array([[5.0, 5.0, 5.0], [1.0, 4.0, 2.0], [3.0, 1.0, 4.0], [0.0, 0.0, 0.0]])
    for method in (kemeny, copeland):
        out = method(x, weights=[1, 1, 1])
        assert out[0] == 100 and out[3] == 0


# ------------------------------------------------------------- missing values, batches


@pytest.mark.parametrize("method", [copeland, kemeny])
def test_a_unit_without_values_is_left_out(method):
    x, w = TABLE25
    with_gap = np.insert(x, 1, NAN, axis=0)
    out = method(with_gap, weights=w)
    assert np.isnan(out[1])
    assert_allclose(np.delete(out, 1), method(x, weights=w))


@pytest.mark.parametrize("method", [copeland, kemeny])
def test_batches_of_weights_and_of_matrices_match_a_loop(method):
    x, _ = TABLE25
    w = np.array([[3.0, 5, 7, 6], [1, 1, 1, 1], [0, 0, 1, 0]])
    batch = method(x, weights=w)
    assert batch.shape == (3, 4)
    for r in range(3):
        assert_allclose(batch[r], method(x, weights=w[r]))
    xb = np.stack([x, x[::-1], x])
    xb[2, 0] = NAN  # a different set of units in the last replicate
    looped = np.stack([method(xi, weights=[3, 5, 7, 6]) for xi in xb])
    assert_allclose(method(xb, weights=[3, 5, 7, 6]), looped)


@st.composite
def _profiles(draw):
    n = draw(st.integers(2, 6))
    c = draw(st.integers(1, 4))
    x = draw(hnp.arrays(float, (n, c), elements=st.sampled_from([0.0, 1.0, 2.0, 3.0, NAN])))
    w = draw(hnp.arrays(float, (c,), elements=st.floats(0.1, 5.0)))
    return x, w


@FAST
@given(case=_profiles(), seed=st.integers(0, 2**16), method=st.sampled_from([copeland, kemeny]))
def test_permuting_units_permutes_scores(case, seed, method):
    # averaging over tied optimal rankings makes the score independent of the units' order
    x, w = case
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    assert_allclose(method(x[perm], weights=w), method(x, weights=w)[perm], atol=1e-9)


@FAST
@given(case=_profiles(), method=st.sampled_from([copeland, kemeny]))
def test_scores_depend_only_on_the_order_within_each_child(case, method):
    # non-compensatory: any increasing transformation of a child changes nothing
    x, w = case
    assert_allclose(method(np.exp(x) * 3 - 1, weights=w), method(x, weights=w), atol=1e-9)
    out = method(x, weights=w)
    ok = ~np.isnan(out)
    assert np.all((out[ok] >= 0) & (out[ok] <= 100))


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [-1, 17, 2.5, True, "9"])
def test_exact_max_must_be_a_whole_number_up_to_16(bad):
    with pytest.raises(ValueError, match="exact_max must be a whole number from 0 to 16"):
        kemeny([[1.0], [2.0]], weights=[1], exact_max=bad)


def test_bad_direction_and_weights():
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        copeland([[1.0, 2.0]], weights=[1, 1], direction=[1, 0])
    with pytest.raises(ValueError, match="must not be negative"):
        kemeny([[1.0, 2.0]], weights=[1, -1])
    with pytest.raises(ValueError, match="one value per child"):
        kemeny([[1.0, 2.0]], weights=[1, 1, 1])


def test_direction_reverses_a_child():
    x = np.array([[1.0], [2.0], [3.0]])
    assert_allclose(kemeny(x, weights=[1], direction=-1), [100, 50, 0])
    assert_allclose(copeland(x, weights=[1], direction=[-1]), [100, 50, 0])


def test_kemeny_ranking_input_checks():
    with pytest.raises(ValueError, match="one \\(n_units, n_children\\) matrix"):
        kemeny_ranking(np.ones((2, 3, 2)), weights=[1, 1])
    with pytest.raises(ValueError, match="3 unit labels for 2 units"):
        kemeny_ranking([[1.0], [2.0]], weights=[1], units="abc")
    with pytest.raises(ValueError, match=r"unit\(s\) \['b'\] have no value"):
        kemeny_ranking([[1.0], [NAN]], weights=[1], units="ab")


def test_registered_in_the_aggregation_registry_with_their_range():
    assert AGGREGATE.get("copeland").func is copeland and AGGREGATE.get("kemeny").func is kemeny
    assert AGGREGATE.get("kemeny").bounds == (0.0, 100.0)


def test_result_displays():
    r = kemeny_ranking(TABLE25[0], weights=TABLE25[1], units="abcd")
    assert "c > b > d > a" in repr(r)
    assert "Kemeny ranking (exact" in r._repr_html_()
    assert r.outranking_frame().loc["b", "d"] == 1.0
