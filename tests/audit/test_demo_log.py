"""The Demo City's example audit log (datasets/demo_city_appeals): intact, and its appeals
change what its README says they change."""
from __future__ import annotations

import subprocess
import sys

import pytest

from perfkit import audit

from .conftest import ROOT

LOG = ROOT / "datasets" / "demo_city_appeals" / "office.sqlite"


@pytest.fixture(scope="module")
def review():
    with audit.open_log(LOG) as log:
        assert log.verify().ok
        assert audit.round_status(log, "2025") == "final"
        return audit.review(log, "2025"), [e.kind for e in log.entries()]


def test_the_demo_log_holds_publication_five_appeals_their_decisions_and_the_final_round(review):
    rv, kinds = review
    assert kinds == ["publish", *["appeal"] * 5, *["decision"] * 5, "final"]
    assert rv.appeals["status"].tolist() == ["accepted", "accepted", "rejected", "accepted", "rejected"]
    assert rv.steps["appeal"].tolist() == [2, 3, 5]


def test_an_accepted_appeal_pushes_another_unit_out_of_the_excellent_quota(review):
    rv, _ = review
    d = rv.diff.set_index("unit_id")
    assert (d.loc["gov_dev", "grade_published"], d.loc["gov_dev", "grade"]) == ("good", "excellent")
    assert (d.loc["gov_commerce", "grade_published"], d.loc["gov_commerce", "grade"]) == ("excellent", "good")
    assert d.loc["gov_commerce", "change"] == 0 and d.loc["gov_commerce", "appeals"] == (3,)
    assert not d.loc["gov_commerce", "own"] and d.loc["gov_dev", "own"]


def test_a_normalisation_change_moves_other_districts(review):
    rv, _ = review
    districts = rv.diff[rv.diff["category"] == "district"]
    assert len(districts) == 8 and "dist_central" not in set(districts["unit_id"])
    assert set(districts["appeals"]) == {(5,)}


def test_the_build_script_reproduces_the_log(tmp_path):
    out = tmp_path / "office.sqlite"
    proc = subprocess.run([sys.executable, str(ROOT / "datasets" / "demo_city_appeals" / "build.py"), "--out",
                           str(out)], capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    keys = ("ts", "kind", "who", "unit_id", "indicator_id", "old_value", "new_value", "reason", "decision",
            "decided_by", "ref")
    with audit.open_log(LOG) as a, audit.open_log(out) as b:
        ea, eb = a.entries(), b.entries()
        assert [[getattr(e, k) for k in keys] for e in ea] == [[getattr(e, k) for k in keys] for e in eb]
        assert ea[0].payload["results"] == eb[0].payload["results"]
        assert ea[-1].payload["results"] == eb[-1].payload["results"]
        assert b.verify().ok
