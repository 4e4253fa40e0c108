"""Unit benchmarking: category statistics, strengths and weaknesses, robust trends over the
unit's own history, the DEA frontier on the evaluation's points."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import perfkit
from perfkit import datasets
from perfkit.analyses.benchmark import robust_trend, unit_benchmark, unit_frontier
from perfkit.errors import DataError
from perfkit.weighting.dea import bod_weights


@pytest.fixture(scope="module")
def rounds():
    out = {}
    for r in (2022, 2023, 2024, 2025):
        ds = datasets.load("demo_city", round=r)
        out[str(r)] = perfkit.evaluate(ds.scheme, ds.data)
    return out


def test_theil_sen_is_the_median_pairwise_slope():
    # pairwise slopes of (0,1) (1,3) (2,2) (3,10): 2, 0.5, 3, -1, 3.5, 8 -> median (2 + 3) / 2 = 2.5
    slope, icpt = robust_trend([0, 1, 2, 3], [1, 3, 2, 10])
    assert slope == pytest.approx(2.5)
    assert icpt == pytest.approx(np.median([1, 3 - 2.5, 2 - 5, 10 - 7.5]))


def test_rlm_recovers_an_exact_line_and_resists_an_outlier():
    assert robust_trend([2022, 2023, 2024, 2025], [80, 82, 84, 86], "rlm") == pytest.approx((2.0, 80 - 2 * 2022))
    x = np.arange(2015, 2026)
    y = 70 + 1.5 * (x - 2015)
    y[-1] -= 30  # one bad last round
    ols = np.polyfit(x, y, 1)[0]
    rlm = robust_trend(x, y, "rlm")[0]
    assert abs(rlm - 1.5) < 0.2 < abs(ols - 1.5)


def test_a_trend_needs_two_different_rounds():
    with pytest.raises(DataError, match="at least two different rounds"):
        robust_trend([2025, 2025], [1, 2])
    with pytest.raises(DataError, match="trend method"):
        robust_trend([1, 2], [1, 2], "ols")


def test_category_statistics_are_those_of_the_evaluations_stages(rounds):
    ev = rounds["2025"]
    ub = unit_benchmark(ev)
    gov = ev.results.index[ev.results["category"] == "government"]
    common = ev.nodes.loc[gov, "common"]
    row = ub.categories.set_index(["category", "item"]).loc[("government", "common")]
    assert row["best"] == pytest.approx(common.max()) and row["median"] == pytest.approx(common.median())
    assert row["q1"] == pytest.approx(np.percentile(common, 25)) and row["n"] == len(gov)
    assert common.idxmax() in row["best_units"]
    t = ub.table
    mine = t[(t["unit_id"] == gov[0]) & (t["item"] == "common")].iloc[0]
    assert mine["rate"] == pytest.approx(common.iloc[0])
    assert mine["points"] == pytest.approx(ev.points.loc[gov[0], "common"])
    assert mine["gap_to_best"] == pytest.approx(common.max() - common.iloc[0])


def test_strengths_and_weaknesses_follow_the_declared_quartile_rule(rounds):
    ub = unit_benchmark(rounds["2025"])
    t = ub.table
    s, w = t[t["position"] == "strength"], t[t["position"] == "weakness"]
    assert len(s) and len(w)
    assert ((s["rate"] >= s["q3"] - 1e-9) & (s["rate"] > s["median"])).all()
    assert ((w["rate"] <= w["q1"] + 1e-9) & (w["rate"] < w["median"])).all()
    for u, r in ub.units.iterrows():
        assert set(r["strengths"]) <= set(s.loc[s["unit_id"] == u, "item"])
        assert not set(r["strengths"]) & set(r["weaknesses"])


def test_trends_use_the_units_history_and_warn_of_a_decline(rounds):
    ev = rounds["2025"]
    ub = unit_benchmark(ev, history={k: v for k, v in rounds.items() if k != "2025"})
    u = ub.units.loc["dist_central"]
    finals = [rounds[r].results.loc["dist_central", "final"] for r in sorted(rounds)]
    assert u["trend_rounds"] == 4
    assert u["trend_slope"] == pytest.approx(robust_trend([2022, 2023, 2024, 2025], finals)[0])
    declining = {a.subject for a in ub.alerts if a.code == "bm_declining"}
    assert declining == set(ub.units.index[ub.units["trend_slope"] < -1.0])


def test_units_without_enough_history_get_no_trend_and_a_warning(rounds):
    ev = rounds["2025"]
    hist = pd.concat([pd.DataFrame({"round": r, "unit_id": e.results.index, "final": e.results["final"]})
                      for r, e in rounds.items() if r != "2025"], ignore_index=True)
    hist = hist[~((hist["unit_id"] == "gov_dev") & (hist["round"] != "2024"))]  # a unit new in 2024
    ub = unit_benchmark(ev, history=hist)
    assert np.isnan(ub.units.loc["gov_dev", "trend_slope"]) and ub.units.loc["gov_dev", "trend_rounds"] == 2
    short = [a for a in ub.alerts if a.code == "bm_short_history"]
    assert len(short) == 1 and short[0].evidence["units"] == ("gov_dev",) and short[0].level == "warning"
    with pytest.raises(DataError, match="missing final"):
        unit_benchmark(ev, history=hist.drop(columns="final"))


def test_frontier_with_a_unit_input_is_benefit_of_the_doubt_per_category(rounds):
    ev = rounds["2025"]
    fr = unit_frontier(ev)
    items = [c.id for c in ev.scheme.root.children]
    for cat in ("government", "party"):
        members = ev.results.index[ev.results["category"] == cat]
        Y = ev.points.loc[members, items].to_numpy()
        bod = bod_weights(Y, normalise="none").scores
        assert np.allclose(fr.units.loc[members, "efficiency"], bod, atol=1e-9)
    u = fr.units
    for c in items:
        assert (u[f"target[{c}]"] >= u[f"now[{c}]"] - 1e-9).all()
    # a unit below the frontier is referred to units of its own category
    below = u[u["efficiency"] < 1 - 1e-9]
    assert all(set(p) <= set(u.index[u["category"] == c]) for p, c in zip(below["peers"], below["category"]))


def test_frontier_inputs_must_cover_every_unit_and_be_positive(rounds):
    ev = rounds["2025"]
    staff = pd.DataFrame({"staff": 20.0}, index=ev.results.index)
    fr = unit_frontier(ev, inputs=staff, rts="crs")
    assert fr.params["inputs"] == ["staff"]
    with pytest.raises(DataError, match="inputs: no row for unit"):
        unit_frontier(ev, inputs=staff.drop(index="gov_dev"))
    staff.loc["gov_dev", "staff"] = 0.0
    with pytest.raises(DataError, match="input 'staff' of unit 'gov_dev' is 0"):
        unit_frontier(ev, inputs=staff)
