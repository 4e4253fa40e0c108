"""The review on the demo city (its planted findings) and on COINr's ASEM index (an
independent computation of the statistics)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import perfkit
from perfkit import datasets
from perfkit.analyses.indicators import review

# Flags beyond the three planted indicator findings, each explained (see also the closing note
# of the review's issue): sp_ecology is the planted special assessment that disagrees with the
# comprehensive ranking (planted.yaml: special_disagrees); sp_civilisation is the planted
# special assessment that gives almost everyone 95+ (special_ceiling), so it explains none of
# the differences in its group; safety_accidents counts accidents whose rate the generator ties to
# a department's risk exposure (housing, transport, water ... 0.5 a year; other departments
# 0.1-0.15), not to its performance, so two points of it hardly move anyone's rank.
EXPLAINED = {"sp_ecology": ("ind_direction",), "sp_civilisation": ("ind_weight_low",),
             "safety_accidents": ("ind_weight_low",)}


@pytest.fixture(scope="module")
def demo():
    evs = {}
    for r in ("2022", "2023", "2024", "2025"):
        ds = datasets.load("demo_city", round=r)
        evs[r] = perfkit.evaluate(ds.scheme, ds.data)
    return review(evs)


@pytest.fixture(scope="module")
def planted():
    return datasets.planted("demo_city")["findings"]


def _rec(rv, subject, rule):
    return next(r for r in rv.recommendations if r.subject == subject and r.rule == rule)


def test_proposals_is_flagged_as_not_discriminating_with_its_evidence(demo, planted):
    rec = _rec(demo, planted["no_discrimination"]["indicator"], "ind_ceiling")
    assert rec.value >= planted["no_discrimination"]["min_full_marks_share"] and rec.threshold == 0.9
    assert rec.action == "drop" and rec.evidence["fired"] == rec.evidence["judged"] == 4
    assert "95%" in rec.reason("zh") and "full marks" in rec.reason("en")


def test_hotline_and_hotline_satisfaction_are_flagged_as_redundant(demo, planted):
    a, b = planted["near_duplicates"]["indicators"]
    rec = _rec(demo, b, "ind_redundant")  # the one with fewer points (1 of 20) goes into the other (3)
    assert rec.other == a and rec.action == "merge"
    assert rec.value >= planted["near_duplicates"]["min_correlation"] and rec.evidence["fired"] == 4
    assert "12345热线按时办结率" in rec.reason("zh")


def test_reconsiderations_direction_is_contradicted_by_the_data(demo, planted):
    p = planted["direction_contradiction"]
    rec = _rec(demo, p["indicator"], "ind_direction")
    assert rec.value <= p["max_correlation_with_final"] and rec.evidence["fired"] == 4
    d = demo.direction[demo.direction["indicator"] == p["indicator"]]
    assert (d["declared"] == p["declared_direction"]).all() and (d["rho_parent"] < 0).all()


def test_no_other_indicator_is_flagged_except_the_explained_ones(demo):
    expected = {"proposals": ("ind_ceiling", "ind_weight_low"), "hotline_satisfaction": ("ind_redundant",),
                "hotline": ("ind_redundant",), "reconsideration": ("ind_direction",), **EXPLAINED}
    assert demo.flagged == expected
    assert set(demo.to_frame().query("action == 'keep'").index) == set(demo.indicators.index) - set(expected)


def test_committee_alerts_name_the_findings(demo):
    codes = {a.code: a for a in demo.alerts}
    assert codes["ind_direction"].level == "critical"
    assert "proposals" in codes["ind_not_discriminating"].evidence["indicators"]
    assert codes["ind_redundant"].evidence["pairs"] == [("hotline_satisfaction", "hotline")]
    assert set(codes["ind_design"].params["items"]["en"].split(", ")) >= {"Definition", "Data frequency"}
    assert codes["ind_barely_moves"].evidence["indicators"] == ["proposals"]
    # within a category (ranked only there): every district gets an A for party building
    assert ("party_building", "district") in codes["ind_category_ceiling"].evidence["pairs"]


def test_the_demo_review_reports_what_it_cannot_judge(demo):
    few = next(w for w in demo.warnings if w.code == "ind_w_few_units_effect")
    assert "gdp_growth" in few.subject and few.params["most"] == 10


# ------------------------------------------------------------------ ASEM (COINr's example index)
@pytest.fixture(scope="module")
def asem():
    ds = datasets.load("asem", round="2018")
    ev = perfkit.evaluate(ds.scheme, ds.data)
    return ev, review(ev)


def test_asem_skewness_and_kurtosis_match_an_independent_computation(asem):
    # COINr's skew()/kurt() are e1071 type 2, i.e. the bias-corrected G1 and G2 that
    # scipy.stats gives with bias=False (Joanes and Gill 1998)
    ev, rv = asem
    dist = rv.distribution.set_index("indicator")
    for col in ev.raw.columns:
        x = ev.raw[col].dropna().to_numpy()
        assert dist.loc[col, "skew"] == pytest.approx(sps.skew(x, bias=False), rel=1e-9, abs=1e-12), col
        assert dist.loc[col, "kurt"] == pytest.approx(sps.kurtosis(x, bias=False), rel=1e-9, abs=1e-12), col
    # a skewed indicator COINr's check flags (|skew| >= 2 and kurtosis >= 3.5) is flagged here
    flagged = dist[dist["skew_kurt_flag"]].index
    assert len(flagged) and all(abs(sps.skew(ev.raw[c].dropna(), bias=False)) >= 2 for c in flagged)


def test_asem_correlations_within_each_aggregation_group_match_pandas(asem):
    # independent path: the treated values (before normalisation), signed by direction,
    # correlated with pandas' pairwise-complete Pearson within each pillar
    ev, rv = asem
    s = ev.scheme
    sign = pd.Series({i: (1 if s.nodes[i].direction == "higher" else -1) for i in s.leaves})
    pairs = rv.correlations[rv.correlations["same_group"]].set_index(["a", "b"])["r"]
    checked = 0
    for pid in ("Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin"):
        kids = [c.id for c in s.nodes[pid].children]
        ref = (ev.treated[kids] * sign[kids]).corr()
        for i, a in enumerate(kids):
            for b in kids[i + 1:]:
                assert pairs[(a, b)] == pytest.approx(ref.loc[a, b], abs=1e-9), (a, b)
                checked += 1
    assert checked == sum(len(s.nodes[p].children) * (len(s.nodes[p].children) - 1) // 2
                          for p in ("Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social",
                                    "SusEcFin"))


def test_asem_review_runs_with_no_category_and_judges_every_indicator(asem):
    _, rv = asem
    assert rv.provenance["within_category"] is False
    assert len(rv.indicators) == 49 and len(rv.recommendations) >= 49
    assert np.isfinite(rv.structure.set_index("group").loc["Physical", "kmo"])
