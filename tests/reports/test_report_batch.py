"""The batch runner over a few units: every output exists, each feedback list names its
own unit and no other, a deliberately broken unit fails alone and is reported, a re-run
skips what has not changed, and every run writes a manifest."""
from __future__ import annotations

import json
import re

import openpyxl
from .minicity import BATCH_UNITS, BROKEN_UNIT

from . import minicity

NAMES = {u[0]: (u[1], u[2]) for u in minicity.UNITS}


def test_every_output_exists(batch):
    out = batch["out"]
    for lang in ("zh", "en"):
        assert (out / f"round_report.{lang}.html").is_file()
        for unit in BATCH_UNITS:
            if unit != BROKEN_UNIT:
                assert (out / "feedback" / lang / f"{unit}_{NAMES[unit][0]}.html").is_file()
    for name in ("index.html", "manifest.json", "results/results.xlsx", "results/manifest.json"):
        assert (out / name).is_file(), name


def test_each_feedback_list_names_its_own_unit_and_no_other(batch):
    out = batch["out"]
    for lang, col in (("zh", 0), ("en", 1)):
        for unit in BATCH_UNITS:
            if unit == BROKEN_UNIT:
                continue
            text = (out / "feedback" / lang / f"{unit}_{NAMES[unit][0]}.html").read_text(encoding="utf-8")
            assert NAMES[unit][col] in text and f"({unit})" in text
            assert f'name="perfkit-unit" content="{unit}"' in text
            others = [n[col] for u, n in NAMES.items() if u != unit]
            assert not [o for o in others if o in text], f"{unit} {lang} names another unit"


def test_a_broken_unit_fails_alone_and_is_reported(batch):
    result = batch["result"]
    assert [r.id for r in result.failed] == [f"unit_feedback:{lang}:{BROKEN_UNIT}" for lang in ("en", "zh")] or \
        sorted(r.id for r in result.failed) == sorted(f"unit_feedback:{lang}:{BROKEN_UNIT}" for lang in ("zh", "en"))
    assert result.count("ok") == 2 + 2 * (len(BATCH_UNITS) - 1)
    manifest = json.loads((batch["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["failed"] == 2
    for f in manifest["failures"]:
        assert f["unit"] == BROKEN_UNIT
        assert f["error"]["ename"] == "RuntimeError" and "deliberately broken" in f["error"]["evalue"]
        # cell 3 of the notebook as stored; cell 4 of the executed one (papermill adds the parameters)
        assert f["error"]["notebook_cell"] == 3 and f["error"]["cell_index"] == 4
        assert "if unit ==" in f["error"]["source"]
        assert (batch["out"] / f["notebook_run"]).is_file()
    index = (batch["out"] / "index.html").read_text(encoding="utf-8")
    assert "pk-failures" in index and "deliberately broken" in index


def test_manifest_records_inputs_versions_and_every_report(batch):
    m = json.loads((batch["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert m["round"] == "2025" and m["executor"] == {"name": "local", "jobs": 2, "pid": m["executor"]["pid"]}
    assert {i["path"].rsplit("/", 1)[-1] for i in m["inputs"]} >= {"scheme.yaml", "values.csv", "survey.csv"}
    assert all(len(i["sha256"]) == 64 for i in m["inputs"])
    assert len(m["reports"]) == 2 + 2 * len(BATCH_UNITS)
    assert m["evaluation"]["scheme"]["id"] == "mini_city" and "perfkit" in m["versions"]


def test_round_report_points_to_every_other_report(batch):
    out = batch["out"]
    html = (out / "round_report.zh.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', html))
    expected = {"index.html", "results/results.xlsx", "manifest.json", "round_report.en.html"}
    expected |= {f"feedback/{lang}/{u}_{NAMES[u][0]}.html" for lang in ("zh", "en") for u in BATCH_UNITS}
    assert expected <= links


def test_results_workbook_has_bilingual_headers_and_no_formulas(batch):
    wb = openpyxl.load_workbook(batch["out"] / "results" / "results.xlsx", read_only=True)
    rows = list(wb["results"].iter_rows(values_only=True))
    assert "最终得分 Final score" in rows[2]
    for row in rows:
        for v in row:
            assert not (isinstance(v, str) and v.startswith("=")), v


def test_a_rerun_skips_unchanged_reports_and_retries_failed_ones(batch):
    from perfkit.report.batch import run_batch

    import fcntl

    with open(batch["out"].parent / ".lock", "w") as lock:  # other xdist workers read this folder
        fcntl.flock(lock, fcntl.LOCK_EX)
        again = run_batch(batch["config"], batch["out"], jobs=2, progress=False, log=lambda s: None)
    assert not again.prepared
    assert again.count("skipped") == 2 + 2 * (len(BATCH_UNITS) - 1)
    assert {r.id for r in again.results if r.status != "skipped"} == \
        {f"unit_feedback:{lang}:{BROKEN_UNIT}" for lang in ("zh", "en")}
    assert all(r.status == "failed" for r in again.failed)


def test_file_names_made_from_unit_names_are_sanitised():
    import pandas as pd

    from perfkit.report.batch import _feedback_name

    class Facts:
        results = pd.DataFrame({"name_zh": ["../../etc/市财政局 <x>"]}, index=["U/1"])

    name = _feedback_name(Facts, "U/1")
    assert "/" not in name and "\\" not in name and not name.startswith(".") and name.endswith("市财政局_x")
    assert _feedback_name(Facts, "../missing") == "missing"
