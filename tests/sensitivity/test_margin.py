"""Stability margins: LP against hand computation, greedy bound and random search."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfkit
import perfkit.sensitivity as ps
from perfkit.sensitivity.batch import grade_batch
from perfkit.sensitivity.compile import compile_scheme
from perfkit.sensitivity.factors import FactorError
from perfkit.sensitivity.margin import _lp, greedy_l1


def _three_units():
    """Three units, two components A and B (weights 0.5/0.5); grade G for a score >= 60."""
    gp = {"method": "goalposts", "low": 0, "high": 100}
    raw = {
        "id": "three", "label": {"zh": "三", "en": "three"}, "paradigm": "composite",
        "categories": [{"id": "c", "label": {"zh": "类", "en": "c"}}],
        "structure": {"id": "idx", "label": {"zh": "指数", "en": "index"}, "aggregate": "arithmetic", "children": [
            {"id": "A", "label": {"zh": "甲", "en": "A"}, "normalise": gp},
            {"id": "B", "label": {"zh": "乙", "en": "B"}, "normalise": gp}]},
        "grading": {"default": [{"id": "G", "min_score": 60}, {"id": "H"}]},
    }
    units = pd.DataFrame({"unit_id": ["X", "Y", "Z"], "name_zh": list("XYZ"), "name_en": list("XYZ"), "category": "c"})
    vals = {"X": (80.0, 50.0), "Y": (40.0, 70.0), "Z": (20.0, 30.0)}
    values = pd.DataFrame([{"unit_id": u, "indicator_id": k, "value": v[i]} for u, v in vals.items()
                           for i, k in enumerate("AB")])
    return perfkit.evaluate(perfkit.load_scheme(raw), perfkit.RoundData.from_frames(units=units, values=values))


def test_hand_computed_margins():
    # X = 80 a + 50 (1 - a) = 65 at a = 0.5 (G); it falls below 60 when a < 1/3, i.e. moving
    # 1/6 of the weight from A to B: L1 change 2/6. Y = 40 a + 70 (1 - a) = 55 (H) reaches 60
    # at a = 1/3: the same change. X and Y swap where 80a + 50(1-a) = 40a + 70(1-a), a = 1/3.
    ev = _three_units()
    m = ps.stability_margin(ev, relative=0.9)
    u = m.units
    assert u.loc["X", "grade_margin"] == pytest.approx(1 / 3, abs=1e-5)
    assert u.loc["X", "new_grade"] == "H" and "falls below G threshold 60" in u.loc["X", "grade_event"]
    assert u.loc["Y", "grade_margin"] == pytest.approx(1 / 3, abs=1e-5)
    assert u.loc["Y", "new_grade"] == "G"
    assert u.loc["X", "rank_margin"] == pytest.approx(1 / 3, abs=1e-5) and u.loc["X", "swap_with"] == "Y"
    # Z = 20 a + 30 (1 - a) <= 30 < 60: no weights change its grade
    assert u.loc["Z", "grade_margin"] == np.inf
    w = m.solutions[("X", "grade")]
    assert w["A"] == pytest.approx(0.5 - 1 / 6, abs=1e-5)
    assert u.loc["X", "grade_margin_share"] == pytest.approx(1 / 3, abs=1e-5)


def test_ranges_limit_the_margin():
    ev = _three_units()
    m = ps.stability_margin(ev, bounds={"A": (0.4, 0.6), "B": (0.4, 0.6)})
    assert m.units.loc["X", "grade_margin"] == np.inf
    assert list(m.weights.index) == ["A", "B"]


@settings(max_examples=100, deadline=None)
@given(a=st.lists(st.floats(-50, 50), min_size=2, max_size=6), seed=st.integers(0, 1000))
def test_greedy_bound_equals_the_single_constraint_lp(a, seed):
    a = np.array(a)
    k = len(a)
    rng = np.random.default_rng(seed)
    w0 = rng.dirichlet(np.ones(k)) * 10
    lo, hi = w0 * rng.uniform(0, 1, k), w0 * rng.uniform(1, 2, k)
    g = greedy_l1(a, w0, lo, hi)
    sol = _lp([a], w0, lo, hi, float(w0.sum()))
    if sol is None:
        assert g == np.inf or g > 0
    else:
        assert g == pytest.approx(sol[0], abs=1e-6)


def test_no_random_weights_change_a_grade_more_cheaply(tiny):
    m = ps.stability_margin(tiny)
    cs = compile_scheme(tiny)
    root = cs.node(cs.root)
    w0, lo, hi = (m.weights[c].to_numpy() for c in ("nominal", "low", "high"))
    S = np.column_stack([cs.nominal_scores[c] for c in root.children])
    g0 = grade_batch(cs, np.round(tiny.results["final"].to_numpy(), 9)[None, :])[0]
    rng = np.random.default_rng(0)
    d = rng.normal(size=(40000, len(w0)))
    d -= d.mean(axis=1, keepdims=True)
    d /= np.abs(d).sum(axis=1, keepdims=True)
    w = w0 + d * rng.uniform(0, 60, size=(40000, 1))
    w = w[((w >= lo) & (w <= hi)).all(axis=1)]
    f = (S @ w.T).T / w.sum(axis=1, keepdims=True) * cs.scale + cs.bonus - cs.penalty
    changed = grade_batch(cs, np.round(f, 9)) != g0
    l1 = np.abs(w - w0).sum(axis=1)
    sampled = np.where(changed, l1[:, None], np.inf).min(axis=0)
    assert (sampled >= m.units["grade_margin"].to_numpy() - 1e-6).all()
    # every reported margin is reached by its weights
    for (uid, kind), wk in m.solutions.items():
        if kind == "grade":
            i = cs.units.index(uid)
            fw = (S @ wk.to_numpy()) / wk.sum() * cs.scale + cs.bonus - cs.penalty
            assert grade_batch(cs, np.round(fw, 9)[None, :])[0][i] != g0[i]
            assert np.abs(wk.to_numpy() - w0).sum() == pytest.approx(m.units.loc[uid, "grade_margin"], abs=1e-6)


def test_margin_errors(oecd, tiny):
    with pytest.raises(FactorError, match="'satisfactoin' is not a child of 'total' .*did you mean 'satisfaction'"):
        ps.stability_margin(tiny, bounds={"satisfactoin": (10, 20)})
    with pytest.raises(FactorError, match="must contain the nominal weights"):
        ps.stability_margin(tiny, bounds={"satisfaction": (20, 30)})
    geo = tiny.scheme.set("nodes.total.aggregate", {"method": "geometric", "zero": "shift"})
    with pytest.raises(FactorError, match="need arithmetic aggregation at the root"):
        ps.stability_margin(perfkit.evaluate(geo, tiny.input_data))


def test_margin_on_a_composite_without_grades_gives_rank_margins(oecd):
    m = ps.stability_margin(oecd, relative=0.5)
    assert m.units["grade_margin"].isna().all()
    assert (m.units["rank_margin"] >= 0).all()
    assert m.total == 1.0 and m.weights["nominal"].sum() == pytest.approx(1.0)
