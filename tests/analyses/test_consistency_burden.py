"""Burden, clashes and the joint inspection schedule (integer programme, HiGHS)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.analyses import consistency as pc
from perfkit.analyses.consistency.schedule import week_of
from tests.analyses import consistency_cases as cc

MONDAY = pd.Timestamp("2025-11-03")  # ISO week 2025-W45


def _rows(plan: dict[tuple[str, str], int], *, weeks: int = 3, days: int = 1) -> pd.DataFrame:
    """One inspection per (assessment, unit) starting on the Monday of week ``plan[...]``
    (0 = W45), each allowed anywhere in the ``weeks`` weeks from W45."""
    rows = []
    for (a, u), w in plan.items():
        start = MONDAY + pd.Timedelta(days=7 * w)
        rows.append({"round": "2025", "assessment_id": a, "unit_id": u, "kind": "year_end", "start": start,
                     "end": start + pd.Timedelta(days=days - 1), "window_start": MONDAY,
                     "window_end": MONDAY + pd.Timedelta(days=7 * weeks - 3)})
    return pc.load_schedule(pd.DataFrame(rows).astype(str)).table


THREE = {(a, u): 0 for a in ("A", "B", "C") for u in ("u1", "u2", "u3")}


def test_three_units_three_assessments_one_week_each_is_the_known_optimum():
    # every unit gets all three assessments in W45: three clashes (k = 2). With three weeks and
    # each team seeing one unit a week, the optimum is a Latin square: no clash, and since each
    # team's three units must be in weeks 0, 1 and 2, the weeks moved add up to 3 x (0+1+2) = 9
    rows = _rows(THREE)
    assert len(pc.clashes(rows, 2)) == 3
    j = pc.joint_schedule(rows, None, "2025", k=2, capacity=1)
    assert j.optimal and j.clashes_before == 3 and j.clashes_after == 0
    assert j.weeks_moved == 9 and len(j.moves) == 6
    p = j.proposed
    weeks = p.assign(w=week_of(p["new_start"]) - week_of([MONDAY])[0])
    assert (weeks.groupby("unit_id")["w"].nunique() == 3).all()  # one assessment a week per unit
    assert (weeks.groupby("assessment_id")["w"].nunique() == 3).all()  # one unit a week per team


def test_when_the_windows_are_too_short_every_unit_keeps_one_clash_and_moves_are_minimal():
    # two weeks for three inspections per unit: with k = 2 one week must hold two whatever is done,
    # so nothing is moved; with k = 3 moving one inspection per unit by one week ends every clash
    j = pc.joint_schedule(_rows(THREE, weeks=2), None, "2025", k=2, capacity=None)
    assert j.optimal and j.clashes_before == 3 and j.clashes_after == 3
    assert j.weeks_moved == 0  # nothing gained by moving: the programme leaves the schedule alone
    j3 = pc.joint_schedule(_rows(THREE, weeks=2), None, "2025", k=3, capacity=None)
    assert j3.clashes_before == 3 and j3.clashes_after == 0 and j3.weeks_moved == 3


def test_capacity_as_scheduled_keeps_each_teams_busiest_week():
    # A inspects u1, u2 in W45 and u3 in W46; B inspects all three in W45. k = 2: u1, u2 clash.
    plan = {("A", "u1"): 0, ("A", "u2"): 0, ("A", "u3"): 1, ("B", "u1"): 0, ("B", "u2"): 0, ("B", "u3"): 0}
    j = pc.joint_schedule(_rows(plan), None, "2025", k=2, capacity="as_scheduled")
    assert j.clashes_before == 2 and j.clashes_after == 0
    new = j.proposed.assign(w=week_of(j.proposed["new_start"]) - week_of([MONDAY])[0])
    per_team_week = new.groupby(["assessment_id", "w"]).size()
    assert per_team_week.loc["A"].max() <= 2 and per_team_week.loc["B"].max() <= 3


def test_registry_windows_bound_the_moves():
    reg = pc.load_registry(cc.registry())  # sp_x: year_end inspections from 11-01 to 12-20
    start = pd.Timestamp("2025-11-05")  # a Wednesday
    rows = pc.load_schedule(pd.DataFrame([
        {"round": "2025", "assessment_id": a, "unit_id": "u1", "kind": "year_end", "start": str(start.date()),
         "end": str(start.date())} for a in ("sp_x", "sp_x2", "sp_x3")]).astype(str)).table
    reg2 = pc.load_registry(cc.registry(assessments=[
        {**cc.registry()["assessments"][0], "id": i} for i in ("sp_x", "sp_x2", "sp_x3")]))
    j = pc.joint_schedule(rows, reg2, "2025", k=2, capacity=None)
    assert j.clashes_after == 0
    assert (j.proposed["new_start"] >= pd.Timestamp("2025-11-01")).all()
    assert (j.proposed["new_end"] <= pd.Timestamp("2025-12-20")).all()
    assert (j.proposed["new_start"].dt.day_of_week == 2).all()  # whole weeks: still Wednesdays
    assert reg.assessments["sp_x"].window("year_end") == ("11-01", "12-20")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=6, max_size=6), st.integers(2, 3))
def test_the_joint_schedule_never_makes_clashes_worse_and_stays_in_the_windows(weeks, k):
    plan = {(a, u): w for (a, u), w in zip([(a, u) for a in ("A", "B", "C") for u in ("u1", "u2")], weeks)}
    rows = _rows(plan, weeks=4)
    j = pc.joint_schedule(rows, None, "2025", k=k, capacity=None, move="all")
    assert j.clashes_after <= j.clashes_before
    assert (j.proposed["new_start"] >= MONDAY).all()
    assert (j.proposed["new_end"] <= MONDAY + pd.Timedelta(days=25)).all()
    assert j.weeks_moved == int(np.abs(j.proposed["moved_weeks"]).sum())


def test_burden_counts_assessments_indicators_submissions_and_inspection_days():
    reg = pc.load_registry(cc.registry())
    units = cc.UNITS.set_index("unit_id")[["category"]]
    rows = pc.load_schedule(pd.DataFrame([
        {"round": "2025", "assessment_id": "sp_x", "unit_id": "u1", "kind": "year_end", "start": "2025-11-03",
         "end": "2025-11-04"},
        {"round": "2025", "assessment_id": "sp_y", "unit_id": "u1", "kind": "year_end", "start": "2025-11-05",
         "end": ""},
        {"round": "2025", "assessment_id": "sp_z", "unit_id": "u1", "kind": "year_end", "start": "2025-11-06",
         "end": "2025-11-06"}])).for_round("2025")
    b = pc.burden(reg, units, "2025", rows, k=3)
    u1 = b.units.loc["u1"]
    # three assessments, 2 + 2 + 1 indicators, 4 + 12 + 0 submissions a year, 2 + 1 + 1 days
    assert (u1["assessments"], u1["indicators"], u1["submissions"]) == (3, 5, 16)
    assert (u1["inspections"], u1["inspection_days"], u1["max_week"], u1["clash_weeks"]) == (3, 4, 3, 1)
    assert list(b.clashes["iso_week"]) == ["2025-W45"]
    assert b.units.loc["u2", "inspections"] == 0 and b.units.loc["u2", "assessments"] == 3
    # only sp_x has a window for year_end inspections (sp_y and sp_z stay put): moving it ends the clash
    assert b.joint is not None and b.joint.clashes_after == 0
    assert list(b.joint.moves["assessment_id"]) == ["sp_x"] and b.joint.weeks_moved == 1
    with pytest.raises(ValueError, match="k must be at least 2"):
        pc.burden(reg, units, "2025", rows, k=1)
