"""Property tests of the engine (hypothesis): bounds, monotonicity, permutation invariance,
weights summing to one."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfkit

RULES = [
    {"method": "completion", "cap": 1.2, "target": 80},
    {"method": "completion_lower", "cap": 1.0, "target": 20},
    {"method": "linear", "floor": 10, "target": 90},
    {"method": "banded", "bands": [[90, 1.0], [70, 0.8], [50, 0.5]]},
    {"method": "deduction", "per": 0.1},
]
MAX_SHARE = [1.2, 1.0, 1.0, 1.0, 1.0]


def scheme(paradigm="points", weights=(1, 1, 1, 1, 1)):
    children = []
    for i, rule in enumerate(RULES):
        node = {"id": f"i{i}", "label": {"zh": f"指标{i}", "en": f"ind {i}"}}
        if paradigm == "points":
            node.update(points=20, rule=rule, direction="lower" if rule["method"] in ("completion_lower", "deduction") else "higher")
        else:
            node.update(weight=weights[i], normalise="minmax")
        children.append(node)
    root = {"id": "total", "label": {"zh": "总", "en": "total"}, "children": children}
    if paradigm == "points":
        root["points"] = 100
    return perfkit.load_scheme({"id": "p", "label": {"zh": "性质", "en": "props"}, "paradigm": paradigm,
                                "categories": [{"id": "c", "label": {"zh": "类", "en": "cat"}}],
                                "structure": root})


def data(matrix):
    n = matrix.shape[0]
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "name_zh": "单位", "name_en": "unit",
                          "category": "c"})
    rows = [(f"u{u}", f"i{j}", float(matrix[u, j])) for u in range(n) for j in range(matrix.shape[1])]
    return perfkit.RoundData.from_frames(units=units, values=pd.DataFrame(rows, columns=["unit_id", "indicator_id", "value"]))


matrices = st.integers(3, 8).flatmap(lambda n: st.lists(
    st.lists(st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 3)), min_size=5, max_size=5),
    min_size=n, max_size=n)).map(np.array)

POINTS = scheme()
COMPOSITE = scheme("composite", weights=(1, 2, 3, 0.5, 1))


@settings(max_examples=40, deadline=None)
@given(matrices)
def test_points_stay_within_zero_and_points_times_cap(m):
    ev = perfkit.evaluate(POINTS, data(m))
    for j in range(5):
        col = ev.points[f"i{j}"]
        assert (col >= -1e-12).all() and (col <= 20 * MAX_SHARE[j] + 1e-9).all()
    assert ((ev.results["final"] >= 0) & (ev.results["final"] <= 100 * 1.2 + 1e-9)).all()


@settings(max_examples=40, deadline=None)
@given(matrices, st.integers(0, 4), st.floats(0.1, 30))
def test_improving_a_value_in_its_good_direction_never_lowers_the_score(m, j, step):
    before = perfkit.evaluate(POINTS, data(m)).results["final"]
    better = m.astype(float).copy()
    lower = RULES[j]["method"] in ("completion_lower", "deduction")
    better[0, j] = max(0.0, better[0, j] - step) if lower else better[0, j] + step
    after = perfkit.evaluate(POINTS, data(better)).results["final"]
    assert after.iloc[0] >= before.iloc[0] - 1e-9
    cb = perfkit.evaluate(COMPOSITE, data(m)).results["final"]
    ca = perfkit.evaluate(COMPOSITE, data(better.clip(0, None))).results["final"]
    if not lower:
        # min-max: unit 0's own score cannot fall when its value rises
        assert ca.iloc[0] >= cb.iloc[0] - 1e-9


@settings(max_examples=30, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_reordering_units_changes_nothing(m, rnd):
    ev = perfkit.evaluate(COMPOSITE, data(m))
    perm = list(range(len(m)))
    rnd.shuffle(perm)
    d = data(m)
    shuffled = d.replace(units=d.units.iloc[perm].reset_index(drop=True),
                         values=d.values.sample(frac=1, random_state=1).reset_index(drop=True))
    ev2 = perfkit.evaluate(COMPOSITE, shuffled)
    pd.testing.assert_series_equal(ev.results["final"].sort_index(), ev2.results["final"].sort_index())
    pd.testing.assert_series_equal(ev.results["rank"].sort_index(), ev2.results["rank"].sort_index())


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(0.01, 100), min_size=5, max_size=5))
def test_weights_at_every_level_sum_to_one_after_normalisation(ws):
    s = scheme("composite", weights=tuple(ws))
    ev = perfkit.evaluate(s, data(np.arange(25, dtype=float).reshape(5, 5) ** 1.5))
    for node, w in ev.weights.items():
        assert float(np.sum(w)) == pytest.approx(1.0)
