"""Rectification: lists from the feedback, the workbook a unit returns, closing the loop."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from perfkit.analyses import tracking as tk
from perfkit.errors import DataError


@pytest.fixture(scope="module")
def items_2024(annual, office_rules):
    return tk.rectification_list(annual("2024"), office_rules.rectification)


@pytest.fixture(scope="module")
def returned(demo_path, items_2024):
    return tk.read_returned(sorted((demo_path / "follow_up" / "rectification_2024_returned").glob("*.xlsx")), items_2024)


@pytest.fixture(scope="module")
def closure(items_2024, returned, annual):
    return tk.close_loop(items_2024, returned, annual("2025"), as_of="2026-02-28")


def test_a_units_items_are_its_lost_points_above_the_threshold_its_penalties_and_its_top_complaints(items_2024, annual):
    it = items_2024.unit("gov_housing")
    assert list(it["id"]) == [f"2024-gov_housing-{k:02d}" for k in range(1, 6)]
    assert list(zip(it["source"], it["subject"])) == [
        ("lost_points", "satisfaction"), ("lost_points", "ft_gov_housing_03"), ("lost_points", "safety_accidents"),
        ("penalty", "media_exposure"), ("complaint", "部分事项仍需多次跑腿")]
    lines = annual("2024").explain("gov_housing").lines.set_index("id")
    big = lines[~lines["path"].isin(["bonus", "penalty", "veto"]) & (lines["lost"] >= 1.0)]
    assert sorted(big.index) == sorted(it.loc[it["source"] == "lost_points", "subject"])  # 4.08, 3.63, 2.00
    assert it["lost"].iloc[0] == pytest.approx(lines.loc["satisfaction", "lost"])
    # the most frequent declared complaint: 6 of the 336 respondents of its open groups
    c = it[it["source"] == "complaint"].iloc[0]
    assert (c["count"], c["rate"]) == (6, pytest.approx(6 / 336))
    assert it["due"].iloc[0] == dt.date(2025, 6, 30) and set(it["status"]) == {"not_started"}
    # the reason in the brackets is the engine's own sentence for the line
    assert it["problem_zh"].iloc[1] == "城市燃气管道更新\uff1a失分 3.63 分\uff08完成值 86,目标值 135:得分率 64%\uff09"


def test_complaints_count_only_respondent_groups_at_or_above_the_minimum_cell(annual, office_rules):
    ev = annual("2024")
    # the demo's cells are all large enough: mark gov_housing's citizens as a small cell
    survey = ev.survey.copy()
    small = (survey["unit_id"] == "gov_housing") & (survey["group"] == "citizens")
    survey.loc[small, "suppressed"] = True
    fake = SimpleNamespace(survey=survey, data=ev.data)
    codes = office_rules.rectification.complaints
    full = tk.complaint_rates(ev, codes).set_index(["unit_id", "comment"])
    cut = tk.complaint_rates(fake, codes).set_index(["unit_id", "comment"])
    raw = ev.data.survey
    mine = raw[(raw["unit_id"] == "gov_housing") & (raw["respondent_group"] != "citizens")]
    want = mine[mine["comment"].isin(codes)].groupby("comment").size()
    got = cut.loc["gov_housing", "count"]
    assert got.to_dict() == want.to_dict()
    assert (cut.loc["gov_housing", "respondents"] == survey.loc[(survey["unit_id"] == "gov_housing") & ~small, "n"]
            .sum()).all()
    assert full.loc[("gov_housing", "部分事项仍需多次跑腿"), "count"] == 6
    others = [k for k in full.index if k[0] != "gov_housing"]
    assert cut.loc[others, "count"].equals(full.loc[others, "count"])


def test_the_demo_issued_list_is_what_perfkit_issues(demo_path, items_2024):
    issued = pd.read_csv(demo_path / "follow_up" / "rectification_2024_issued.csv", dtype=str, keep_default_na=False)
    mine = items_2024.items
    assert list(issued["id"]) == list(mine["id"])
    assert list(issued["subject"]) == list(mine["subject"]) and list(issued["problem_zh"]) == list(mine["problem_zh"])
    np.testing.assert_allclose(pd.to_numeric(issued["score"]).fillna(-1), mine["score"].fillna(-1), atol=1e-4)


def test_2024_items_closed_by_2025_checked_by_hand_for_three_units(closure):
    c = closure.items.set_index("id")

    def row(i):
        r = c.loc[i]
        return r["status"], r["improved"], r["closed"], r["outcome"]

    # gov_housing: satisfaction 72.80 -> 75.30 (+2.5 points of score), done: closed; gas pipes 63.7 -> 85.9
    # but not started; accidents 0 -> 50, done; media exposure not again in 2025, done; the complaint fell
    # from 6 of 336 to 3 of 321 respondents but the unit has not started on it
    assert row("2024-gov_housing-01") == ("done", True, True, "closed")
    assert c.loc["2024-gov_housing-01", "after"] == pytest.approx(75.3036, abs=1e-4)
    assert row("2024-gov_housing-02") == ("not_started", True, False, "improved_not_done")
    assert row("2024-gov_housing-03") == ("done", True, True, "closed")
    assert row("2024-gov_housing-04") == ("done", True, True, "closed")
    assert row("2024-gov_housing-05") == ("not_started", True, False, "improved_not_done")
    assert c.loc["2024-gov_housing-05", "after"] == pytest.approx(3 / 321)
    # dist_south: pm25 0 -> 11.4 and reconsideration 0 -> 6, both done: closed; tourist growth reported done
    # but its score fell 47.4 -> 35.3; air quality unchanged at 34.5 and still in progress
    assert row("2024-dist_south-02") == ("done", True, True, "closed")
    assert row("2024-dist_south-03") == ("in_progress", False, False, "open")
    assert row("2024-dist_south-04") == ("done", False, False, "done_not_improved")
    assert row("2024-dist_south-05") == ("done", True, True, "closed")
    # gov_water returned nothing: nothing is closed, though its veto item did not recur
    assert {row(f"2024-gov_water-0{k}")[0] for k in range(1, 5)} == {"not_returned"}
    assert row("2024-gov_water-03") == ("not_returned", True, False, "improved_not_done")
    assert row("2024-gov_water-04")[1] is False  # 6 of 341 -> 6 of 298: a larger share
    u = closure.units
    assert (u.loc["gov_housing", "closed"], u.loc["gov_housing", "items"]) == (3, 5)
    assert u.loc["gov_housing", "closure_rate"] == pytest.approx(3 / 5)
    assert u.loc["dist_south", "closure_rate"] == pytest.approx(2 / 5)
    assert u.loc["gov_water", "closure_rate"] == 0 and u.loc["gov_water", "overdue"] == 4
    assert closure.office["closure_rate"] == pytest.approx(closure.office["closed"] / 315)
    assert closure.office["closed"] == int(u["closed"].sum())


def test_a_unit_fills_in_its_workbook_and_the_office_reads_it_back(tmp_path, items_2024, annual):
    paths = tk.write_rectification_xlsx(items_2024, tmp_path, units=["gov_housing"])
    path = paths["gov_housing"]
    assert path.name == "gov_housing_市住房和城乡建设局.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb[tk.SHEET]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["编号 ID", "单位代码 Unit ID"] and ws.protection.sheet
    status_col = header.index("整改状态 Status") + 1
    assert ws.cell(row=2, column=status_col).protection.locked is False  # the unit's columns are open
    assert ws.cell(row=2, column=1).protection.locked is True
    for r, status in zip(range(2, 7), ["已完成 Done", "整改中", "Done", "done", "未启动 Not started"]):
        ws.cell(row=r, column=status_col).value = status
    wb.save(path)
    back = tk.read_returned([path], items_2024)
    assert list(back["status"]) == ["done", "in_progress", "done", "done", "not_started"]
    c = tk.close_loop(items_2024, back, annual("2025"), as_of=dt.date(2026, 2, 28))
    # satisfaction, accidents and the penalty improved and are done; the gas pipes improved, in progress
    assert c.units.loc["gov_housing", "closed"] == 3 and c.units.loc["gov_housing", "done"] == 3
    assert c.items.set_index("id").loc["2024-gov_housing-02", "outcome"] == "improved_not_done"
    assert c.units.loc["dist_central", "done"] == 0  # nothing returned from it here


def test_workbook_cells_that_look_like_formulas_are_neutralised(tmp_path, items_2024):
    items = items_2024.items.copy()
    items.loc[items["unit_id"] == "gov_housing", "problem_zh"] = "=cmd|' /c calc'!A0"
    lst = tk.RectificationList(round="2024", items=items, rules=items_2024.rules)
    path = tk.write_rectification_xlsx(lst, tmp_path, units=["gov_housing"])["gov_housing"]
    ws = openpyxl.load_workbook(path)[tk.SHEET]
    assert str(ws.cell(row=2, column=5).value).startswith("'=cmd")


def _returned_file(tmp_path, rows, name="r.csv"):
    cols = ["编号 ID", "单位代码 Unit ID", "整改状态 Status"]
    path = tmp_path / name
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("rows, message, column", [
    ([["2024-gov_housing-01", "gov_housng", "已完成"]], "unknown unit 'gov_housng' (did you mean 'gov_housing'?)",
     "单位代码 Unit ID"),
    ([["2024-gov_housing-99", "gov_housing", "已完成"]], "unknown item '2024-gov_housing-99'", "编号 ID"),
    ([["2024-dist_central-01", "gov_housing", "已完成"]], "belongs to dist_central, not gov_housing", "单位代码 Unit ID"),
    ([["2024-gov_housing-01", "gov_housing", "差不多"]], "status '差不多' is not one of the list", "整改状态 Status"),
    ([["2024-gov_housing-01", "gov_housing", "已完成"], ["2024-gov_housing-01", "gov_housing", "整改中"]],
     "returned twice", "编号 ID"),
])
def test_a_returned_item_that_does_not_fit_is_a_located_error(tmp_path, items_2024, rows, message, column):
    path = _returned_file(tmp_path, rows)
    with pytest.raises(DataError) as e:
        tk.read_returned([path], items_2024)
    assert message in e.value.message
    assert e.value.where[0] == str(path) and e.value.where[-1] == column and e.value.where[-2].startswith("row ")


def test_a_returned_file_without_the_status_column_is_refused(tmp_path, items_2024):
    path = tmp_path / "r.csv"
    pd.DataFrame({"编号 ID": ["2024-gov_housing-01"], "单位代码 Unit ID": ["gov_housing"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="missing column '整改状态 Status'"):
        tk.read_returned([path], items_2024)


def test_an_office_list_with_an_item_for_an_unknown_unit_is_a_located_error(tmp_path, demo_path, annual):
    issued = pd.read_csv(demo_path / "follow_up" / "rectification_2024_issued.csv", dtype=str, keep_default_na=False)
    issued.loc[3, "unit_id"] = "dist_centrall"
    path = tmp_path / "issued.csv"
    issued.to_csv(path, index=False)
    with pytest.raises(DataError, match="unknown unit 'dist_centrall' \\(did you mean 'dist_central'\\?\\)") as e:
        tk.read_items(path, list(annual("2024").results.index))
    assert e.value.where[-2:] == ("row 5", "unit_id")


def test_progress_before_the_next_round_counts_overdue_items_only(items_2024, returned):
    before_due = tk.close_loop(items_2024, returned, as_of="2025-06-30")
    after_due = tk.close_loop(items_2024, returned, as_of="2025-07-01")
    assert before_due.office["overdue"] == 0 and before_due.next_round is None
    assert "closure_rate" not in before_due.office and "improved" not in before_due.items
    assert after_due.office["overdue"] == after_due.office["items"] - after_due.office["done"] == 315 - 225


def test_rectification_rules_are_checked_with_their_path():
    with pytest.raises(tk.RulesError, match="due .* is before issued") as e:
        tk.rules_from_dict({"rectification": {"issued": dt.date(2025, 3, 1), "due": dt.date(2025, 1, 1)}},
                           file="rules.yaml")
    assert e.value.where == ("rules.yaml", "rectification")
    with pytest.raises(tk.RulesError) as e:
        tk.rules_from_dict({"rectification": {"adjustments": ["bonus"]}}, file="rules.yaml")
    assert e.value.where[1].startswith("rectification.adjustments")
