"""`perfkit course build`: the whole course for round 2025, zh anonymised and en plain,
built once per session (conftest.py): every notebook runs, every page is there and works
offline in Chromium with the network blocked, and the anonymised build holds no real unit name."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from perfkit import datasets
from perfkit.course.anonymise import Anonymiser
from perfkit.course.check import load_specs
from perfkit.course.meta import load_course
from perfkit.report.html import external_references
from tests.reports.cdp import CHROMIUM, Browser

from .run_inprocess import run

COURSE = load_course()
CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[2]


def _real_names() -> pd.DataFrame:
    units = pd.concat([pd.read_csv(p, dtype=str) for p in (datasets.dataset_path("demo_city") / "rounds").rglob("units.csv")])
    return units.drop_duplicates("unit_id")


@pytest.mark.parametrize("which", ["zh_anonymised", "en_plain"])
def test_every_lesson_and_solution_notebook_runs(which, request):
    b = request.getfixturevalue(which)
    assert b["failed"] == []
    manifest = json.loads((b["out"] / "manifest.json").read_text(encoding="utf-8"))
    ids = {n["id"] for n in manifest["notebooks"] if n["status"] == "ok"}
    for m in COURSE.modules:
        assert {f"lesson:{m.id}", f"solution:{m.id}"} <= ids
        # the solutions recorded a key for every exercise of the module
        assert manifest["answer_keys"][m.id]["exercises"] == len(load_specs(m.id))
    assert "feedback" in ids


@pytest.mark.parametrize("which", ["zh_anonymised", "en_plain"])
def test_the_course_has_every_page(which, request):
    out = request.getfixturevalue(which)["out"]
    for m in COURSE.modules:
        for rel in (f"lessons/{m.folder}.html", f"slides/{m.folder}.html", f"quizzes/{m.folder}.html",
                    f"exercises/{m.folder}.ipynb", f"exercises/keys/{m.id}.json", f"trainer/notes/{m.folder}.html",
                    f"trainer/solutions/{m.folder}.html", f"trainer/quizzes/{m.folder}.html"):
            assert (out / rel).is_file(), rel
    for rel in ("index.html", "agenda.html", "trainer/index.html", "feedback/index.html", "feedback/questionnaire.html",
                "feedback/survey_template.csv", "slides/reveal/reveal.js", "slides/reveal/LICENSE"):
        assert (out / rel).is_file(), rel
    assert not list(out.parent.glob(f".{out.name}.building-*")), "no staging folder is left behind"


def test_no_real_unit_name_or_id_in_any_output_of_the_anonymised_build(zh_anonymised):
    out = zh_anonymised["out"]
    a = Anonymiser.from_units(_real_names())
    assert a.leaks(out) == []
    # and the codes are there instead, the same in lessons, exercises, data and keys
    text = (out / "lessons" / "04_scoring.html").read_text(encoding="utf-8")
    code = a.mapping["gov_civil"]
    assert f"{code}" in text and a.mapping["市民政局"] in text
    assert code in (out / "data" / "demo_city" / "units.csv").read_text(encoding="utf-8")
    assert code in (out / "exercises" / "07_sensitivity.ipynb").read_text(encoding="utf-8")


def test_the_anonymised_exercises_run_on_the_anonymised_data_and_keys(zh_anonymised):
    out = zh_anonymised["out"]
    for folder in ("01_why_evaluate", "04_scoring"):
        nb = out / "exercises" / f"{folder}.ipynb"
        params = nbformat.read(nb, as_version=4)
        injected = next(c.source for c in params.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert 'datasets = "../data"' in injected and 'answers = "keys"' in injected
        seen = run(nb)  # as a trainee runs it in JupyterLab, from its own folder
        assert seen and {r.outcome for r, _ in seen} == {"unanswered"}


def test_every_page_is_offline(zh_anonymised, en_plain):
    for b in (zh_anonymised, en_plain):
        for p in b["out"].rglob("*.html"):
            if "_run" in p.parts:
                continue
            assert external_references(p.read_text(encoding="utf-8")) == [], p


def _probe(browser: Browser, path: Path, expression: str, settle: float = 0.8) -> dict:
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    sid = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    browser.send("Network.enable", session=sid)
    browser.send("Page.enable", session=sid)
    browser.events.clear()
    browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session=sid)
    browser.wait_event("Page.loadEventFired", sid)
    time.sleep(settle)
    res = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=sid)
    out = json.loads(res["result"]["value"])
    out["external"] = [e["params"]["request"]["url"] for e in browser.events
                       if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == sid
                       and not e["params"]["request"]["url"].startswith(("file:", "data:", "about:"))]
    browser.send("Target.closeTarget", {"targetId": target})
    return out


SLIDES = """JSON.stringify({ready: typeof Reveal !== 'undefined' && Reveal.isReady(),
  slides: typeof Reveal !== 'undefined' ? Reveal.getTotalSlides() : 0,
  text: document.body.innerText, svg: document.querySelectorAll('.reveal svg').length})"""
PAGE = """JSON.stringify({text: document.body.innerText, svg: document.querySelectorAll('svg').length,
  tables: document.querySelectorAll('table').length})"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_slides_and_lessons_render_offline_in_chromium(zh_anonymised, en_plain):
    with Browser() as b:
        for build, lang in ((zh_anonymised, "zh"), (en_plain, "en")):
            out = build["out"]
            for m in COURSE.modules:
                s = _probe(b, out / "slides" / f"{m.folder}.html", SLIDES)
                assert s["external"] == [] and s["ready"] and s["slides"] >= 4, (m.id, s.get("slides"))
                lesson = _probe(b, out / "lessons" / f"{m.folder}.html", PAGE, settle=0.2)
                assert lesson["external"] == [] and lesson["tables"] >= 1
                if lang == "zh":
                    assert CJK.search(s["text"]) and CJK.search(lesson["text"])
            # the weight explorer's static fallback is in the built lesson
            w = _probe(b, out / "lessons" / "06_weighting.html", PAGE, settle=0.2)
            assert ("JupyterLab" in w["text"]) and w["tables"] >= 5
            idx = _probe(b, out / "index.html", PAGE, settle=0.2)
            assert idx["external"] == [] and idx["tables"] == 1


def test_charts_are_in_the_lessons_and_on_the_slides(en_plain):
    out = en_plain["out"]
    for folder in ("04_scoring", "05_composite", "07_sensitivity", "09_results_use"):
        assert "<svg" in (out / "lessons" / f"{folder}.html").read_text(encoding="utf-8")
        assert "<svg" in (out / "slides" / f"{folder}.html").read_text(encoding="utf-8")


def test_the_course_evaluation_reads_the_sample_answers(en_plain):
    text = (en_plain["out"] / "feedback" / "index.html").read_text(encoding="utf-8")
    assert "Module 4" in text and "<svg" in text
    template = pd.read_csv(en_plain["out"] / "feedback" / "survey_template.csv")
    assert list(template.columns) == ["round", "respondent_id", "unit_id", "respondent_group", "q1_clarity",
                                      "q2_relevance", "q3_pace", "q4_exercises", "q5_overall"]


def test_a_bad_round_or_out_is_one_line_and_exit_2(tmp_path):
    env_cmd = [sys.executable, "-m", "perfkit.cli", "course", "build", "--lang", "zh"]
    r = subprocess.run(env_cmd + ["--round", "2031", "--out", str(tmp_path / "o")], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "no round '2031'" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "file").write_text("x")
    r = subprocess.run(env_cmd + ["--round", "2025", "--out", str(tmp_path / "file")], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "--out names an existing file" in r.stderr
