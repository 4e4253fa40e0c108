"""The round's lifecycle: published → appeals → reviewed → final, every bad request refused
with a located error and nothing written, the final round traced to its appeals."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

import perfkit
from perfkit import audit, datasets

from .conftest import DATA, ROOT, SCHEME


def _unchanged(log, before):
    assert log.head() == before and log.verify().ok


def test_publication_records_files_values_and_results(log):
    pub = log.entries(kind="publish")[0]
    p = pub.payload
    assert p["scheme"]["path"].endswith("datasets/demo_city/schemes/2025.yaml")
    assert not p["scheme"]["path"].startswith("/")  # relative to the log
    assert len(p["cells"]) == 929 and len(p["units"]) == 60
    ev = perfkit.evaluate(perfkit.load_scheme(SCHEME), perfkit.load_round(DATA, round="2025"))
    assert p["results"]["gov_tourism"] == [round(float(ev.results.loc["gov_tourism", "final"]), 6), 1.0, "excellent"]
    cells = {(u, i): v for u, i, v in p["cells"]}
    assert cells[("gov_justice", "proposals")] == "0.925" and cells[("dist_central", "ft_dist_central_01")] == "87"
    assert audit.round_status(log, "2025") == "published"


def test_appeal_decide_review_final(log):
    a = audit.file_appeal(log, round="2025", unit_id="gov_justice", indicator_id="proposals", value="1",
                          reason="统计遗漏", who="市司法局")
    assert (a.old_value, a.new_value, a.who) == ("0.925", "1", "市司法局")
    assert audit.round_status(log, "2025") == "appeals"
    d = audit.decide(log, a.seq, decision="accepted", decided_by="复核组", reason="属实")
    assert (d.ref, d.decision, d.new_value, d.decided_by) == (a.seq, "accepted", "1", "复核组")
    assert audit.round_status(log, "2025") == "reviewed"
    rv = audit.review(log, "2025")
    # proposals: 2 points x completion; 0.925 -> 1.0 adds 2 x 0.075 = 0.15 (no other unit moves)
    assert rv.diff["unit_id"].tolist() == ["gov_justice"]
    row = rv.diff.iloc[0]
    assert row["change"] == pytest.approx(0.15) and row["appeals"] == (a.seq,) and row["own"]
    rv2, final = audit.finalise(log, "2025", who="考评科")
    assert audit.round_status(log, "2025") == "final"
    assert final.payload["accepted"] == [a.seq] and final.payload["diff"][0]["unit_id"] == "gov_justice"
    assert final.payload["results"]["gov_justice"][0] == pytest.approx(row["final"], abs=1e-6)
    assert log.verify().ok


def test_a_partly_accepted_appeal_moves_other_districts_and_is_traced(log):
    a = audit.file_appeal(log, round="2025", unit_id="dist_central", indicator_id="fiscal_revenue_growth",
                          value="3.6", reason="退库因素", who="中心区")
    audit.decide(log, a.seq, decision="accepted", decided_by="复核组", reason="部分采纳", value="3.0")
    rv = audit.review(log, "2025")
    assert rv.steps["decided"].tolist() == ["3.0"]
    moved = set(rv.diff["unit_id"])
    # min-max normalisation: the lowest district stays lowest (0 points) and the top one keeps full points
    assert "dist_central" not in moved and "dist_south" not in moved and len(moved) == 8
    assert all(t == (a.seq,) for t in rv.diff["appeals"]) and not rv.diff["own"].any()
    assert (rv.diff["change"] < 0).all()


def test_a_rejected_appeal_changes_nothing(log):
    a = audit.file_appeal(log, round="2025", unit_id="dist_devzone", indicator_id="budget", value="98.1",
                          reason="追加预算", who="经开区")
    audit.decide(log, a.seq, decision="rejected", decided_by="复核组", reason="口径不符")
    rv = audit.review(log, "2025")
    assert rv.diff.empty and rv.steps.empty
    assert rv.appeals["status"].tolist() == ["rejected"]


@pytest.mark.parametrize("kw, message", [
    ({"unit_id": "gov_jstice"}, "unit 'gov_jstice' was not evaluated in round 2025 (did you mean 'gov_justice'?)"),
    ({"indicator_id": "proposal"}, "no indicator 'proposal' for unit gov_justice (did you mean 'proposals'?)"),
    ({"unit_id": "party_org", "indicator_id": "reconsideration"}, "does not apply to unit party_org"),
    ({"value": "92.5"}, "92.5 is outside the allowed range 0–1 of proposals"),
    ({"value": "很高"}, "'很高' is not a number"),
    ({"value": "0.925"}, "is the published value"),
    ({"reason": " "}, "an appeal needs a reason"),
    ({"round": "2024"}, "round 2024 is not published"),
    ({"indicator_id": "party_building", "value": "E"}, "grade 'E' is not one of A, B, C, D"),
])
def test_bad_appeals_are_refused_and_nothing_is_written(log, kw, message):
    before = log.head()
    args = {"round": "2025", "unit_id": "gov_justice", "indicator_id": "proposals", "value": "1", "reason": "r",
            "who": "w", **kw}
    with pytest.raises(audit.AuditError) as err:
        audit.file_appeal(log, **args)
    assert message in str(err.value) and str(log.path) in str(err.value)
    _unchanged(log, before)


def test_an_appeal_is_decided_once_and_only_appeals_are_decided(log):
    a = audit.file_appeal(log, round="2025", unit_id="gov_justice", indicator_id="proposals", value="1",
                          reason="r", who="w")
    with pytest.raises(audit.AuditError, match="undecided appeal"):
        audit.file_appeal(log, round="2025", unit_id="gov_justice", indicator_id="proposals", value="0.95",
                          reason="again", who="w")
    d = audit.decide(log, a.seq, decision="accepted", decided_by="复核组", reason="属实")
    before = log.head()
    with pytest.raises(audit.AuditError, match=f"appeal {a.seq} was already decided \\(accepted by 复核组, entry "
                                               f"{d.seq}\\)"):
        audit.decide(log, a.seq, decision="rejected", decided_by="另一人", reason="改判")
    with pytest.raises(audit.AuditError, match="entry 1 is a publish entry, not an appeal"):
        audit.decide(log, 1, decision="accepted", decided_by="x", reason="y")
    with pytest.raises(audit.AuditError, match="say accepted or rejected"):
        audit.decide(log, a.seq, decision="accept", decided_by="x", reason="y")
    with pytest.raises(audit.AuditError, match="no entry 99"):
        audit.decide(log, 99, decision="accepted", decided_by="x", reason="y")
    _unchanged(log, before)


def test_the_lifecycle_order_is_enforced(log):
    a = audit.file_appeal(log, round="2025", unit_id="gov_office", indicator_id="openness", value="95",
                          reason="r", who="w")
    with pytest.raises(audit.AuditError, match="1 appeal\\(s\\) of round 2025 are not decided"):
        audit.finalise(log, "2025", who="x")
    with pytest.raises(audit.AuditError, match="already published"):
        audit.publish(log, SCHEME, DATA, round="2025", who="x")
    audit.decide(log, a.seq, decision="rejected", decided_by="复核组", reason="r")
    audit.finalise(log, "2025", who="x")
    before = log.head()
    with pytest.raises(audit.AuditError, match="round 2025 is final"):
        audit.file_appeal(log, round="2025", unit_id="gov_justice", indicator_id="proposals", value="1",
                          reason="late", who="w")
    with pytest.raises(audit.AuditError, match="already final"):
        audit.finalise(log, "2025", who="x")
    _unchanged(log, before)


def test_published_files_changed_after_publication_are_refused(tmp_path):
    data = tmp_path / "round"
    shutil.copytree(DATA, data)
    with audit.open_log(tmp_path / "office.sqlite", create=True) as log:
        audit.publish(log, SCHEME, data, round="2025", who="x")
        (data / "adjustments.csv").write_text((data / "adjustments.csv").read_text() + "2025,gov_land,bonus,"
                                              "innovation,1,,\n", encoding="utf-8")
        with pytest.raises(audit.AuditError, match="a published file was changed after publication: "
                                                   "round/adjustments.csv"):
            audit.review(log, "2025")


def test_published_data_with_errors_cannot_be_published(tmp_path):
    ds = datasets.load_returned("demo_city", "2025")
    bad = tmp_path / "round"
    shutil.copytree(DATA, bad)
    ds.data.values.drop(columns=["_file", "_sheet", "_row"]).to_csv(bad / "values" / "gov_office.csv", index=False)
    with audit.open_log(tmp_path / "office.sqlite", create=True) as log:
        with pytest.raises(perfkit.DataError):
            audit.publish(log, SCHEME, bad, round="2025", who="x")
        assert log.head()[0] == 0


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "perfkit", *args], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)


def test_cli_appeals_bad_input_exit_2_one_line(log_path):
    p = str(log_path)
    ok = _cli("appeal", "file", p, "--round", "2025", "--unit", "gov_justice", "--indicator", "proposals",
              "--value", "1", "--reason", "统计遗漏", "--by", "市司法局")
    assert ok.returncode == 0 and ok.stdout.startswith("appeal 2 filed: gov_justice proposals 0.925 -> 1")
    for args, text in (
            (("appeal", "file", p, "--round", "2025", "--unit", "nobody", "--indicator", "proposals", "--value", "1",
              "--reason", "x", "--by", "y"), "unit 'nobody' was not evaluated"),
            (("appeal", "file", p, "--round", "2025", "--unit", "gov_land", "--indicator", "nothing", "--value", "1",
              "--reason", "x", "--by", "y"), "no indicator 'nothing' for unit gov_land"),
            (("appeal", "decide", p, "1", "--accept", "--reason", "x", "--by", "y"), "not an appeal")):
        proc = _cli(*args)
        assert proc.returncode == 2 and text in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert _cli("appeal", "decide", p, "2", "--accept", "--reason", "属实", "--by", "复核组").returncode == 0
    again = _cli("appeal", "decide", p, "2", "--reject", "--reason", "改判", "--by", "复核组")
    assert again.returncode == 2 and "already decided" in again.stderr
    listed = _cli("appeal", "list", p, "--round", "2025")
    assert listed.returncode == 0 and "accepted" in listed.stdout
    with audit.open_log(log_path) as lg:
        assert [e.kind for e in lg.entries()] == ["publish", "appeal", "decision"] and lg.verify().ok
    frame = pd.read_json(pd.io.common.StringIO(audit.appeals(audit.open_log(log_path)).to_json()))
    assert frame["status"].tolist() == ["accepted"]
