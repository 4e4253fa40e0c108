"""Survey privacy: a cell below the scheme's ``min_cell`` reaches no figure — not the summary
table, not the unit's satisfaction index, not a bootstrap replicate — even when
``min_responses`` is lower (the effective threshold is ``max(min_responses, min_cell)``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import perfkit
import perfkit.sensitivity as ps
from perfkit.engine import Reason
from perfkit.engine.survey import summarise_survey
from perfkit.sensitivity.batch import build_params, survey_bootstrap
from perfkit.sensitivity.compile import compile_scheme
from perfkit.sensitivity.factors import bind_factors

LAB = {"zh": "测", "en": "t"}
SCHEME = {
    "id": "privacy", "label": LAB, "paradigm": "points", "total_points": 100,
    "categories": [{"id": "dept", "label": LAB}],
    "structure": {"id": "total", "label": LAB, "points": 100, "children": [
        {"id": "hotline", "label": LAB, "points": 80, "range": [0, 100],
         "rule": {"method": "linear", "floor": 0, "target": 100}},
        {"id": "satisfaction", "label": LAB, "points": 20, "source": "survey"}]},
    # min_responses 5 would admit an 8-respondent cell; min_cell 10 suppresses it
    "survey": {"items": ["q1"], "scale": [1, 5], "groups": {"citizen": 0.5, "business": 0.5},
               "min_responses": 5, "min_cell": 10},
}


def _round():
    units = pd.DataFrame({"unit_id": ["A", "B", "C"], "name_zh": ["甲", "乙", "丙"], "name_en": ["A", "B", "C"],
                          "category": "dept"})
    values = pd.DataFrame({"unit_id": ["A", "B", "C"], "indicator_id": "hotline", "value": [50.0, 50.0, 50.0]})
    rows = []
    # A: 8 citizens all answering 5 (100 on 0-100; suppressed), 12 firms answering 2 (25)
    rows += [("A", "citizen", 5)] * 8 + [("A", "business", 2)] * 12
    # B: only a suppressed cell of 8 citizens answering 5
    rows += [("B", "citizen", 5)] * 8
    # C: 10 citizens answering 3 (50) and 10 firms answering 4 (75): both cells published
    rows += [("C", "citizen", 3)] * 10 + [("C", "business", 4)] * 10
    survey = pd.DataFrame(rows, columns=["unit_id", "respondent_group", "q1"])
    return perfkit.RoundData.from_frames(units=units, values=values, survey=survey)


@pytest.fixture(scope="module")
def ev():
    return perfkit.evaluate(perfkit.load_scheme(SCHEME), _round())


def test_a_suppressed_cell_never_enters_the_satisfaction_index(ev):
    # A: only the firms (25) count, not the 8 citizens at 100 (which would give 62.5)
    # B: its one cell is suppressed, so no index at all; C: 0.5 x 50 + 0.5 x 75
    raw = ev.raw["satisfaction"]
    assert raw["A"] == pytest.approx(25.0)
    assert np.isnan(raw["B"])
    assert raw["C"] == pytest.approx(62.5)
    assert ev.points.loc["B", "satisfaction"] == 0.0
    assert ev.reasons.loc["B", "satisfaction"] == Reason.NO_VALUE


def test_suppressed_cells_are_blank_and_unused_in_the_survey_table(ev):
    tab = ev.survey.set_index(["unit_id", "group"])
    for cell in [("A", "citizen"), ("B", "citizen")]:
        row = tab.loc[cell]
        assert row["n"] == 8 and bool(row["suppressed"]) and not bool(row["used"])
        assert np.isnan(row["mean"]) and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    assert bool(tab.loc[("A", "business"), "used"]) and tab.loc[("A", "business"), "mean"] == pytest.approx(25.0)
    step = next(s for s in ev.recipe if s.target == "survey")
    assert step.params["threshold"] == 10


def test_the_explain_line_shows_no_suppressed_mean(ev):
    line = ev.explain("A").lines.set_index("id").loc["satisfaction"]
    assert line["value"] == pytest.approx(25.0)
    assert ev.explain("B").lines.set_index("id").loc["satisfaction", "reason_code"] == "no_value"


def test_summarise_survey_uses_the_same_threshold():
    data = _round()
    index, _ = summarise_survey(data.survey.assign(q1=data.survey["q1"].astype(float)), ["A", "B", "C"],
                                items=["q1"], scale=(1, 5), groups={"citizen": 0.5, "business": 0.5},
                                min_responses=5, min_cell=10)
    assert index["A"] == pytest.approx(25.0) and np.isnan(index["B"]) and index["C"] == pytest.approx(62.5)


def test_bootstrap_replicates_keep_suppressed_cells_out_as_well(ev):
    cs = compile_scheme(ev)
    bound = bind_factors(cs, [ps.SurveyBootstrap()])
    p = build_params(cs, bound, np.random.default_rng(0).random((64, 1)), entropy=7)
    idx = survey_bootstrap(cs, bound[0], p.survey_keys, 7)
    assert np.isnan(idx[:, 1]).all()  # B never gets an index
    # A's firms all answered 2: every resample of them is 25, the citizens' 100 never enters
    np.testing.assert_allclose(idx[:, 0], 25.0)
    res = ps.verify(ev, [ps.SurveyBootstrap()], n=4, rng=0)  # and the single run agrees replicate by replicate
    assert res.max_abs_diff <= 1e-9 and res.ranks_equal
