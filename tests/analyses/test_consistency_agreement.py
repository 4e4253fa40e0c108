"""Agreement of a special assessment with the comprehensive score *without its own points*:
hand-computed leave-one-out scores, the stratified rank correlations and their bootstrap."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import perfkit
from perfkit.analyses import consistency as pc
from perfkit.analyses.consistency._stats import rank_agreement, weighted_midranks
from tests.analyses import consistency_cases as cc

TASK = {"u1": 80, "u2": 90, "u3": 70, "u4": 60, "p1": 85}
ACC = {"u1": 0, "u2": 1, "u3": 0, "u4": 2}
SP = {"sp_x": {"u1": 90, "u2": 60, "u3": 80, "u4": 70, "p1": 95},
      "sp_y": {"u1": 70, "u2": 80, "u3": 90, "u4": 60, "p1": 75},
      "sp_z": {u: 50 for u in TASK}}


@pytest.fixture(scope="module")
def nested():
    return cc.evaluate(cc.points_scheme(), cc.round_data(TASK, SP, ACC))


def test_leaving_out_a_special_inside_its_node_shares_its_points_among_the_siblings(nested):
    # u1: work = acc 2 x 1 + task 86 x 0.80 = 70.8; specials = 6 x .9 + 4 x .7 + 2 x .5 = 9.2 -> 80.0
    # without sp_x its 6 points go to sp_y and sp_z in proportion (4:2): 8 x .7 + 4 x .5 = 7.6 -> 78.4
    # p1 (party, acc does not apply): 88 x .85 + (6 x .95 + 4 x .75 + 2 x .5) = 84.5; without: 74.8 + 8 = 82.8
    assert nested.results.loc["u1", "final"] == pytest.approx(80.0)
    w = pc.without(nested, "sp_x")
    assert w.method == "reweighted"
    assert w.evaluation.results.loc["u1", "final"] == pytest.approx(78.4)
    assert w.evaluation.results.loc["p1", "final"] == pytest.approx(82.8)
    # the engine's own points of the leaf are what is taken out
    assert w.scheme.node("sp_x").points == 0 and w.scheme.node("sp_y").points == pytest.approx(8.0)


def test_a_special_worth_n_points_under_the_root_is_replaced_by_the_rest_in_proportion():
    ev = cc.evaluate(cc.points_scheme(special_under_root=True, sp_x=10), cc.round_data(TASK, {"sp_x": SP["sp_x"]},
                                                                                        ACC))
    # u1: work 90 = acc 2 + task 88 x .8 = 72.4; sp_x 10 x .9 = 9 -> 81.4; without: (81.4 - 9) x 100/90
    assert ev.results.loc["u1", "final"] == pytest.approx(81.4)
    w = pc.without(ev, "sp_x").evaluation
    assert w.results.loc["u1", "final"] == pytest.approx((81.4 - 9.0) * 100 / 90)


def test_composite_scheme_leaves_the_special_out_by_its_weight():
    scheme = cc.composite_scheme("arithmetic")
    ev = perfkit.evaluate(perfkit.load_scheme(scheme), cc.round_data(TASK, {"sp_x": SP["sp_x"]}))
    assert ev.results.loc["u1", "final"] == pytest.approx((3 * 80 + 90) / 4)
    w = pc.without(ev, "sp_x")
    assert w.method == "reweighted"
    assert w.evaluation.results["final"].to_dict() == pytest.approx({u: float(v) for u, v in TASK.items()})
    shares = pc.root_shares(ev)
    assert shares.loc["u1", "sp_x"] == pytest.approx(0.25)


def test_a_special_not_folded_in_is_compared_with_the_final_score_as_it_is(nested):
    ag = pc.agreement(nested, pd.DataFrame({"assessment_id": "sp_w", "unit_id": list(TASK),
                                            "score": [1, 2, 3, 4, 5]}),
                      {"sp_w": pc.without(nested, "sp_w")}, n_boot=0, rng=np.random.default_rng(0))
    u = ag.units.set_index("unit_id")
    assert (u["final_without"] == nested.results["final"].reindex(u.index)).all()
    assert (u["change"] == 0).all() and (u["own_points"] == 0).all()
    assert ag.table.loc["sp_w", "loo_method"] == "not_folded"


def test_agreement_uses_the_score_without_the_special_and_compares_within_categories(nested):
    variants = {a: pc.without(nested, a) for a in SP}
    res = nested.data.special_results
    ag = pc.agreement(nested, res, variants, n_boot=0, rng=np.random.default_rng(0))
    u = ag.units[ag.units["assessment_id"] == "sp_x"].set_index("unit_id")
    assert u.loc["u1", "own_points"] == pytest.approx(5.4) and u.loc["p1", "own_points"] == pytest.approx(5.7)
    assert u.loc["u1", "final_without"] == pytest.approx(78.4)
    gov = [x for x in TASK if x != "p1"]
    rho = stats.spearmanr(u.loc[gov, "score"], u.loc[gov, "final_without"]).statistic
    tau = stats.kendalltau(u.loc[gov, "score"], u.loc[gov, "final_without"]).statistic
    # the party category has one unit: too few to rank, so only the 4 government units count
    assert ag.table.loc["sp_x", "n"] == 4
    assert ag.table.loc["sp_x", "spearman"] == pytest.approx(rho)
    assert ag.table.loc["sp_x", "kendall"] == pytest.approx(tau)
    # sp_z gives everyone 50: no ranking, no correlation
    assert np.isnan(ag.table.loc["sp_z", "spearman"])


def test_leaving_the_special_out_removes_the_inflated_agreement():
    # a special worth 60 points that ranks units against the rest: with its own points in the final
    # score the two seem to agree (finals 81.8, 70.6, 86.4, 72.2: Spearman 0.6); without them the
    # final score is the task score's (60, 70, 80, 90), against which the special ranks 4, 2, 3, 1: -0.8
    task = {"u1": 60, "u2": 70, "u3": 80, "u4": 90, "p1": 50}
    sp = {"sp_x": {"u1": 95, "u2": 70, "u3": 90, "u4": 60, "p1": 80}}
    ev = cc.evaluate(cc.points_scheme(special_under_root=True, sp_x=60), cc.round_data(task, sp))
    gov = ["u1", "u2", "u3", "u4"]
    raw = stats.spearmanr([sp["sp_x"][u] for u in gov], ev.results.loc[gov, "final"]).statistic
    ag = pc.agreement(ev, ev.data.special_results, {"sp_x": pc.without(ev, "sp_x")}, n_boot=0,
                      rng=np.random.default_rng(0))
    loo = stats.spearmanr([sp["sp_x"][u] for u in gov], [task[u] for u in gov]).statistic
    assert raw == pytest.approx(0.6)
    assert ag.table.loc["sp_x", "spearman"] == pytest.approx(loo) == pytest.approx(-0.8)


def test_weighted_kappa_is_one_when_the_grades_agree_by_position():
    task = {"u1": 95, "u2": 85, "u3": 70, "u4": 50, "p1": 85}
    sp = {"sp_x": {"u1": 95, "u2": 85, "u3": 75, "u4": 50, "p1": 85}}
    grades = {"sp_x": {"u1": "A", "u2": "B", "u3": "C", "u4": "D", "p1": "B"}}
    ev = cc.evaluate(cc.points_scheme(special_under_root=True, sp_x=1), cc.round_data(task, sp, grades=grades))
    ag = pc.agreement(ev, ev.data.special_results, {"sp_x": pc.without(ev, "sp_x")}, n_boot=0,
                      rng=np.random.default_rng(0), grades={"sp_x": ["A", "B", "C", "D"]})
    # comprehensive grades without sp_x: u1 excellent, u2 good, u3 pass, u4 fail, p1 good
    assert list(ag.units.set_index("unit_id")["grade_without"]) == ["excellent", "good", "pass", "fail", "good"]
    assert ag.table.loc["sp_x", "kappa"] == pytest.approx(1.0)
    assert ag.table.loc["sp_x", "kappa_n"] == 5


# --------------------------------------------------------------------------- the kernels
def test_stratified_spearman_is_the_size_weighted_mean_of_the_category_correlations():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=30), rng.normal(size=30)
    s = np.array(["a"] * 10 + ["b"] * 20)
    r = rank_agreement(x, y, s, n_boot=0, rng=rng)
    ra = stats.spearmanr(x[:10], y[:10]).statistic
    rb = stats.spearmanr(x[10:], y[10:]).statistic
    assert r.spearman == pytest.approx((10 * ra + 20 * rb) / 30)
    # Kendall: concordant minus discordant pairs within each category over all within-category pairs
    ka, kb = stats.kendalltau(x[:10], y[:10]).statistic, stats.kendalltau(x[10:], y[10:]).statistic
    assert r.kendall == pytest.approx((45 * ka + 190 * kb) / (45 + 190))
    assert r.n == 30 and r.strata == 2


def test_bootstrap_intervals_hold_the_estimate_and_are_reproducible():
    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    y = 0.6 * x + rng.normal(size=40)
    a = rank_agreement(x, y, ["g"] * 40, n_boot=500, rng=np.random.default_rng(1))
    b = rank_agreement(x, y, ["g"] * 40, n_boot=500, rng=np.random.default_rng(1))
    assert a == b
    assert -1 <= a.spearman_lo < a.spearman < a.spearman_hi <= 1
    assert a.kendall_lo < a.kendall < a.kendall_hi and a.kendall_interval == "bootstrap"


def test_large_strata_get_the_asymptotic_kendall_interval():
    rng = np.random.default_rng(7)
    x = rng.normal(size=700)
    y = 0.5 * x + rng.normal(size=700)
    r = rank_agreement(x, y, ["g"] * 700, n_boot=200, rng=rng)
    assert r.kendall_interval == "asymptotic"
    # Kendall's large-sample standard error under independence is sqrt(2(2n+5)/(9n(n-1)));
    # with dependence it is of the same order
    width = r.kendall_hi - r.kendall_lo
    assert 0.5 * 2 * 1.96 * np.sqrt(2 * (2 * 700 + 5) / (9 * 700 * 699)) < width < 0.2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=12),
       st.lists(st.integers(0, 4), min_size=12, max_size=12))
def test_weighted_midranks_are_the_ranks_of_the_resample(values, counts):
    v = np.array(values, dtype=float)
    m = np.array(counts[:len(v)], dtype=float)[None, :]
    if m.sum() == 0:
        return
    expanded = np.repeat(v, m[0].astype(int))
    ranks = stats.rankdata(expanded)
    got = weighted_midranks(v, m)[0]
    for i in np.flatnonzero(m[0]):
        assert got[i] == pytest.approx(ranks[np.flatnonzero(expanded == v[i])[0]])


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 25), st.integers(0, 10_000))
def test_rank_agreement_is_invariant_to_the_order_of_units_and_bounded(n, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, 5, n).astype(float), rng.normal(size=n)
    s = rng.choice(["a", "b"], n)
    p = rng.permutation(n)
    r1 = rank_agreement(x, y, s, n_boot=0, rng=rng)
    r2 = rank_agreement(x[p], y[p], s[p], n_boot=0, rng=rng)
    if np.isnan(r1.spearman):
        assert np.isnan(r2.spearman)
        return
    assert r1.spearman == pytest.approx(r2.spearman) and r1.kendall == pytest.approx(r2.kendall)
    assert -1 - 1e-12 <= r1.spearman <= 1 + 1e-12 and -1 - 1e-12 <= r1.kendall <= 1 + 1e-12

