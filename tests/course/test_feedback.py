"""The course evaluates itself: a small scheme read by perfkit's own survey summary."""
from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import perfkit
from perfkit.course.meta import load_course

COURSE = load_course()
FB = COURSE.root / "feedback"


def test_the_sample_answers_are_what_the_seeded_script_writes(tmp_path):
    subprocess.run([sys.executable, str(FB / "make_sample.py"), str(tmp_path)], check=True, timeout=120)
    for rel in ("units.csv", "survey.csv", "values/trainer.csv"):
        assert filecmp.cmp(tmp_path / rel, FB / "sample" / rel, shallow=False), rel


def test_the_course_is_evaluated_like_a_round_one_module_per_unit():
    scheme = perfkit.load_scheme(FB / "scheme.yaml")
    data = perfkit.load_round(FB / "sample")
    report = perfkit.validate_round(scheme, data)
    assert report.errors == ()
    ev = perfkit.evaluate(scheme, data, validation=report)
    assert list(ev.results.index) == [m.id for m in COURSE.modules]
    assert set(ev.results["category"]) == {"day1", "day2"}
    # hand check of one module's survey index: mean answer of its respondents, on 0-100, by group weights
    sv = data.survey[data.survey["unit_id"] == "m04"]
    items = list(scheme.model.survey.items)
    per = sv[items].astype(float).mean(axis=1).sub(1).div(4).mul(100)
    groups = scheme.model.survey.groups
    idx = sum(per[sv["respondent_group"] == g].mean() * w for g, w in groups.items()) / sum(groups.values())
    assert abs(ev.scores.loc["m04", "satisfaction"] - idx) < 1e-9
