"""Collectors' record (timeliness, errors per submission, resubmissions) and the reverse
constraint (反向约束) turning it into points on the collector's own evaluation."""
from __future__ import annotations

import pandas as pd
import pytest

import perfkit
from perfkit import datasets
from perfkit.collection import collection_penalties, collector_performance, read_records, submission_errors
from perfkit.errors import DataError, SchemeError

from .conftest import COLLECTORS, DEADLINES, DEMO


@pytest.fixture(scope="module")
def performance():
    return collector_performance(DEMO / "collection" / "records.csv", DEADLINES)


def test_late_submissions_are_the_planted_ones_with_their_days(performance):
    late = performance.late()
    got = sorted(zip(late["round"], late["collector_id"], late["days_late"]))
    want = sorted((str(x["round"]), x["collector_id"], x["days_late"])
                  for x in datasets.planted()["findings"]["late_submissions"])
    assert got == want


def test_days_late_count_a_started_day():
    recs = pd.DataFrame({"round": ["r"] * 4, "collector_id": list("abcd"), "version": [1] * 4,
                         "submitted_at": ["2026-01-20 17:30", "2026-01-20 17:31", "2026-01-21 17:30",
                                          "2026-01-21 17:31"]})
    dl = pd.DataFrame({"round": ["r"] * 4, "collector_id": list("abcd"), "deadline": ["2026-01-20 17:30"] * 4})
    tab = collector_performance(recs, dl).table.set_index("collector_id")
    assert tab["days_late"].tolist() == [0, 1, 1, 2]
    assert tab["on_time"].tolist() == [True, False, False, False]
    assert tab.loc["d", "hours_late"] == pytest.approx(24 + 1 / 60)


def test_errors_per_submission_from_reading_every_version_again(demo25, performance):
    recs = read_records(DEMO / "collection" / "records.csv")
    errs = submission_errors(demo25.scheme, demo25.data, recs, base=DEMO, collectors=COLLECTORS)
    assert len(errs) == int((recs["round"] == "2025").sum()) == 18
    first = errs[errs["version"] == 1].set_index("collector_id")["errors"]
    mistaken = {"gov_justice", "gov_office", "gov_finance", "gov_stats", "gov_tourism", "inst_survey"}
    assert set(first[first > 0].index) == mistaken and (first[list(mistaken)] == 1).all()
    assert (errs.loc[errs["version"] == 2, "errors"] == 0).all()
    perf = collector_performance(recs, DEADLINES, errors=errs, rounds=["2025"]).table.set_index("collector_id")
    assert perf.loc["gov_stats", ["days_late", "versions", "resubmissions", "errors_first", "errors_total"]].tolist() \
        == [6, 2, 1, 1.0, 1.0]
    assert perf.loc["gov_stats", "errors_per_submission"] == 0.5
    assert perf.loc["gov_approval", ["days_late", "versions", "errors_first"]].tolist() == [1, 1, 0.0]


def test_records_without_a_version_are_refused_at_their_row(tmp_path):
    path = tmp_path / "records.csv"
    path.write_text("round,collector_id,version,submitted_at\n2025,a,1,2026-01-01 10:00\n2025,b,x,2026-01-01\n")
    with pytest.raises(DataError, match="row 3: column version"):
        read_records(path)


@pytest.fixture(scope="module")
def record_2025(demo25):
    recs = read_records(DEMO / "collection" / "records.csv")
    errs = submission_errors(demo25.scheme, demo25.data, recs, base=DEMO, collectors=COLLECTORS)
    return collector_performance(recs, DEADLINES, errors=errs, rounds=["2025"])


RULE = {"per_day_late": 0.1, "per_error": 0.05, "per_resubmission": 0.05, "cap": 0.5}


def test_reverse_constraint_points_by_hand(demo25, record_2025):
    scheme = demo25.scheme.replace(collection=RULE)
    pen = collection_penalties(scheme, record_2025, round="2025", collectors=COLLECTORS).set_index("unit_id")
    # gov_stats: 6 days late x 0.1 + 1 error x 0.05 + 1 resubmission x 0.05 = 0.7, capped at 0.5
    assert pen.loc["gov_stats", "points"] == pytest.approx(0.5)
    # inst_survey: 3 x 0.1 + 0.05 + 0.05 = 0.4; gov_approval: 1 day late, no error = 0.1
    assert pen.loc["inst_survey", "points"] == pytest.approx(0.4)
    assert pen.loc["gov_approval", "points"] == pytest.approx(0.1)
    assert pen.loc["gov_office", "points"] == pytest.approx(0.1)
    assert "perf_office" not in pen.index  # the office is not an evaluated unit
    assert "party_org" not in pen.index  # on time, no error: nothing
    assert set(pen["item"]) == {"late_data"} and set(pen["kind"]) == {"penalty"}
    assert pen.loc["gov_stats", "reason"] == "数据采集工作反向约束：迟报6天、首次报送错误1处、重报1次，扣0.5分"
    graced = demo25.scheme.replace(collection={**RULE, "grace_days": 1})
    pen = collection_penalties(graced, record_2025, round="2025", collectors=COLLECTORS).set_index("unit_id")
    assert "gov_approval" not in pen.index and pen.loc["inst_survey", "points"] == pytest.approx(0.3)


def test_reverse_constraint_points_reach_the_collectors_own_evaluation(demo25, record_2025):
    scheme = demo25.scheme.replace(collection=RULE)
    pen = collection_penalties(scheme, record_2025, round="2025", collectors=COLLECTORS)
    data = demo25.data.replace(adjustments=pd.concat([demo25.data.adjustments, pen], ignore_index=True))
    before = perfkit.evaluate(demo25.scheme, demo25.data).results
    after = perfkit.evaluate(scheme, data).results
    delta = (before["final"] - after["final"]).round(9)
    assert delta["gov_stats"] == pytest.approx(0.5) and delta["inst_survey"] == pytest.approx(0.4)
    assert (delta.drop(pen["unit_id"]) == 0).all()


def test_no_rule_no_points_and_a_rule_must_name_a_penalty_item(demo25, record_2025):
    assert collection_penalties(demo25.scheme, record_2025, round="2025", collectors=COLLECTORS).empty
    with pytest.raises(SchemeError, match="collection.item 'late_dta' is not a penalty item"):
        demo25.scheme.replace(collection={**RULE, "item": "late_dta"})
    with pytest.raises(SchemeError, match="per_day_late"):
        demo25.scheme.replace(collection={"per_day_late": -1})


def test_alerts_name_late_collectors(performance):
    texts = [a.text("zh") for a in performance.alerts if a.code == "collect_late"]
    assert "gov_stats报送2025年度数据迟于截止时间（2026-02-10 17:30）6天。" in texts
