"""The compiled form evaluate() runs its stages on, the reason codes, and rerun's reuse."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import perfkit
from perfkit.engine import Compiled, Reason, compile_round
from perfkit.datasets.examples import synthetic_composite
from perfkit.engine import pipeline
from perfkit.engine.compiled import positions

from .test_evaluate_points import SCHEME, _data


@pytest.fixture(scope="module")
def ev():
    return perfkit.evaluate(perfkit.load_scheme(SCHEME), _data())


def test_the_evaluation_keeps_the_compiled_form_its_stages_ran_on(ev):
    c = ev.compiled
    assert isinstance(c, Compiled)
    assert c.units == tuple(ev.units) and list(c.leaf_ids) == list(ev.scheme.leaves)
    assert [n.id for n in c.nodes] == ["common", "total"]  # bottom-up, root last
    assert c.root == "total"
    np.testing.assert_array_equal(c.node("total").weights, [50, 30, 20])
    # the values matrix is the round's values; applicability is applied by the raw stage
    j = c.leaf("incidents").index
    assert c.values[:3, j].tolist() == [0.0, 2.0, 5.0] and not c.applicable["incidents"][3:].any()
    np.testing.assert_array_equal(c.adjustments.bonus, ev.results["bonus"])
    np.testing.assert_array_equal(c.adjustments.penalty_raw, ev.results["penalty_raw"])
    assert c.adjustments.vetoes[3] == ("discipline",)
    table = c.grading.tables[0]
    assert table.ids == ("excellent", "good", "pass", "fail") and table.best_allowed.tolist() == [0, 0, 0, 1, 0]
    assert c.survey.threshold == 2 and c.survey.counts[1].tolist() == [2.0, 1.0]
    assert [r.node for r in c.targets] == ["functional"] and len(c.targets[0].unit) == 7


def test_stages_rerun_on_the_compiled_form_give_the_evaluation(ev):
    c = ev.compiled
    sv = pipeline.survey(c)
    raw = pipeline.collect(c, sv.index).raw
    np.testing.assert_array_equal(raw, ev.raw.to_numpy())
    tr = pipeline.treat(c, raw)
    sc = pipeline.score(c, tr.treated)
    np.testing.assert_array_equal(sc.scores, ev.scores[list(c.leaf_ids)].to_numpy())
    assert [s.target for s in sc.steps] == list(c.leaf_ids)


def test_reasons_are_codes_not_english_sentences(ev):
    assert set(np.unique(ev.reasons.to_numpy())) <= {r.value for r in Reason}
    assert ev.reasons.loc["X1", "incidents"] == Reason.NOT_APPLICABLE == "not_applicable"
    assert ev.reasons.loc["X2", "satisfaction"] == Reason.NO_VALUE  # X2 has no survey
    assert ev.reasons.loc["D1", "hotline"] == Reason.SCORED == ""
    assert "incidents" not in set(ev.explain("X1").lines["id"])  # not applicable: no line
    line = ev.explain("X2").lines.set_index("id").loc["satisfaction"]
    assert line["reason_code"] == "no_value" and line["lost"] == pytest.approx(20.0)
    assert set(ev.targets_detail["reason"]) <= {"", "no_value"}


def test_the_screen_is_applied_to_the_compiled_form():
    scheme, data = synthetic_composite(6, 2, 2)
    scheme = scheme.replace(treatment={"screen": 0.75})
    values = data.values[~((data.values["unit_id"] == "D002") & (data.values["indicator_id"] != "P1_I1"))]
    ev = perfkit.evaluate(scheme, data.replace(values=values))
    assert ev.kept.tolist() == [True, True, False, True, True, True]
    c = ev.compiled
    np.testing.assert_array_equal(c.kept, ev.kept)
    assert all(not lf.app[2] for lf in c.leaves) and all(not n.app[2] for n in c.nodes)
    assert ev.reasons.loc["D002"].eq(Reason.NOT_APPLICABLE).all() and np.isnan(ev.results.loc["D002", "final"])
    fresh = compile_round(ev.scheme, ev.data)
    assert fresh.kept.all() and fresh.leaves[0].app.all()
    assert fresh.screened(ev.kept).leaves[0].app.tolist() == ev.kept.tolist()


def test_rerun_recollects_raw_values_when_applicability_changes(ev):
    variant = ev.scheme.update({"nodes.hotline.categories": ["dept"]})
    ev2 = ev.rerun(variant)
    assert np.isnan(ev2.raw.loc["X1", "hotline"]) and ev.raw.loc["X1", "hotline"] == 88.0
    assert ev2.reasons.loc["X1", "hotline"] == Reason.NOT_APPLICABLE
    # same indicators, same round: the values matrices are shared, not rebuilt
    assert ev2.compiled.values is ev.compiled.values
    same = ev.rerun(ev.scheme.update({"nodes.functional.points": 40, "nodes.satisfaction.points": 30}))
    assert same.treated is ev.treated
    assert [s.target for s in same.recipe].count("survey") == 1


@pytest.mark.parametrize("make", [lambda v: pd.Series(v, dtype=object), lambda v: pd.Series(v, dtype="category"),
                                  lambda v: pd.Series(v, dtype="str")])
def test_positions_of_labels_in_any_column_dtype(make):
    index = pd.Index(["a", "b", "c"])
    got = positions(make(["c", "a", None, "x", "c", "b"]), index)
    assert got.tolist() == [2, 0, -1, -1, 2, 1]
    assert positions(make([None, None]), index).tolist() == [-1, -1]
