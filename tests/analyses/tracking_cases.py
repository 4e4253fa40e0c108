"""Tiny tracking rounds, small enough to check by hand, for the tracking tests."""
from __future__ import annotations

import pandas as pd

from perfkit.analyses import tracking as tk
from perfkit.io.round import RoundData
from perfkit.scheme import load_scheme

SCHEME = {
    "id": "tiny_tracking", "label": {"zh": "跟踪", "en": "Tracking"}, "paradigm": "points", "total_points": 100,
    "categories": [{"id": "dept", "label": {"zh": "部门", "en": "Departments"}}],
    "structure": {"id": "total", "label": {"zh": "进度", "en": "Progress"}, "points": 100, "children": [
        {"id": "functional", "label": {"zh": "职能目标", "en": "Targets"}, "points": 100, "source": "targets",
         "rule": {"method": "completion", "cap": 1.0}}]},
}


def scheme():
    return load_scheme(SCHEME)


def units(ids=("H1", "H2", "H3", "H4", "A")) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": list(ids), "name_zh": [f"单位{u}" for u in ids],
                         "name_en": [f"Unit {u}" for u in ids], "category": "dept"})


def target(unit, tid, target, points, *, direction="higher", rule="completion", measure="个", kind="flow"):
    return {"unit_id": unit, "indicator_id": tid, "node": "functional", "label_zh": f"目标{tid}",
            "label_en": f"Target {tid}", "measure": measure, "target": target, "points": points, "rule": rule,
            "cap": "", "direction": direction, "kind": kind}


def round_data(rnd, targets, values, unit_ids=("H1", "H2", "H3", "H4", "A")) -> RoundData:
    vals = pd.DataFrame([{"unit_id": u, "indicator_id": i, "value": v} for (u, i), v in values.items()])
    return RoundData.from_frames(units=units(unit_ids), targets=pd.DataFrame(targets), values=vals, round=rnd)


def two_target_case():
    """2024: four history targets of 100 (linear), at Q2 40, 50, 45, 55 and 100 each at Q4,
    so the Q2 residuals are log 0.8, log 1.0, log 0.9, log 1.1. 2025 Q2: unit A has target X
    (200, linear, 10 points) at 90 and ceiling Y (at most 10, 5 points) at 6."""
    hist = [target(f"H{k}", f"T{k}", 100.0, 5.0) for k in range(1, 5)]
    q2 = {("H1", "T1"): 40, ("H2", "T2"): 50, ("H3", "T3"): 45, ("H4", "T4"): 55}
    q4 = {k: 100 for k in q2}
    now = [target("A", "X", 200.0, 10.0), target("A", "Y", 10.0, 5.0, direction="lower", measure="起")]
    rounds = {"2024Q2": (scheme(), round_data("2024Q2", hist, q2)), "2024Q4": (scheme(), round_data("2024Q4", hist, q4)),
              "2025Q2": (scheme(), round_data("2025Q2", now, {("A", "X"): 90, ("A", "Y"): 6}))}
    exp = [{"round": r, "unit_id": f"H{k}", "indicator_id": f"T{k}", "profile": "linear",
            "expected_share": {"2024Q2": 0.5, "2024Q4": 1.0}[r]} for r in ("2024Q2", "2024Q4") for k in range(1, 5)]
    exp += [{"round": "2025Q2", "unit_id": "A", "indicator_id": "X", "profile": "linear", "expected_share": 0.5},
            {"round": "2025Q2", "unit_id": "A", "indicator_id": "Y", "profile": "ceiling", "expected_share": 0.5}]
    expected = pd.DataFrame(exp).assign(_file="expected.csv", _row=lambda d: d.index + 2)
    return rounds, expected


def tracking(rounds, expected) -> tk.TrackingRounds:
    return tk.tracking_rounds(rounds, expected)
