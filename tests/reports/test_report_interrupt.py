"""Fault injection: `perfkit report` stopped at random points of a re-run with changed data
— killed (SIGKILL), or Ctrl-C to its process group as a terminal sends it — leaves the
output folder either exactly as the previous complete run left it, or marked incomplete
(the commit journal beside it), or complete with the new data; never a mix. The next run
recovers a complete folder, and a Ctrl-C says so in one line."""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from perfkit.report.batch import run_batch

from . import minicity
from .test_output_folders import snapshot

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (1, 2, 3, 4)  # odd: SIGKILL to the runner; even: Ctrl-C to its process group


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _set_value(data: Path, unit: str, indicator: str, value: float) -> None:
    path = data / "values.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[(df["round"] == "2025") & (df["unit_id"] == unit) & (df["indicator_id"] == indicator), "value"] = str(value)
    df.to_csv(path, index=False)


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc; empty elsewhere)."""
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += kids - found
            found |= kids
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def assert_complete(out: Path, data: Path) -> None:
    """``out`` is one run's complete output, made from the data as they are now."""
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["inputs_digest"] == (out / "_run" / "facts" / "inputs.sha256").read_text().strip()
    values = str(data / "values.csv")
    assert {i["path"]: i["sha256"] for i in m["inputs"]}[values] == _sha(data / "values.csv")
    ev = json.loads((out / "results" / "manifest.json").read_text(encoding="utf-8"))
    assert {i["path"]: i["sha256"] for i in ev["inputs"]}[values] == _sha(data / "values.csv")
    assert m["inputs_digest"] in (out / "index.html").read_text(encoding="utf-8")
    finals = pd.read_parquet(out / "_run" / "facts" / "results.parquet").set_index("unit_id")["final"]
    expected = {"index.html", "manifest.json", "_run/stamps.json", "_run/facts/inputs.sha256",
                "_run/facts/meta.json", "_run/facts/reports.json"}
    expected |= {f"results/{v}" for v in ev["outputs"].values()}
    expected |= {p.relative_to(out).as_posix() for p in (out / "_run" / "facts").glob("*.parquet")}
    for r in m["reports"]:
        assert r["status"] in ("ok", "skipped"), r
        text = (out / r["html"]).read_text(encoding="utf-8")
        if r["unit"]:
            assert re.search(rf">\s*{finals[r['unit']]:.2f}\s*<", text), r["html"]  # its final score
        else:
            assert all(re.search(rf">\s*{v:.2f}\s*<", text) for v in finals), r["html"]
        expected |= {r["html"], r["notebook_run"]}
    assert set(snapshot(out)) == expected  # nothing stray, nothing missing
    assert not (out.parent / f".{out.name}.perfkit-staging").exists()


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX signals")
def test_a_rerun_killed_at_random_points_leaves_the_previous_state_or_a_marked_one_and_recovers(tmp_path):
    cfg = minicity.write_config(tmp_path, units=["D01", "B02"], langs=["en"], notebooks=["unit_feedback"],
                                previous=[], timeout=120)
    data, out = tmp_path / "data", tmp_path / "out"
    staging = tmp_path / ".out.perfkit-staging"
    cmd = [sys.executable, "-m", "perfkit", "report", str(cfg), "--out", str(out), "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.monotonic()
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    duration = time.monotonic() - t0
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr and "without encryption" not in first.stderr
    assert_complete(out, data)
    seen = set()
    for seed in SEEDS:
        rng = random.Random(seed)
        _set_value(data, "D01", "projects", 60 + 7 * seed)  # D01's final score changes every time
        before = snapshot(out)
        runner = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                  start_new_session=True)
        ctrl_c = seed % 2 == 0
        if ctrl_c:  # once the run holds the folder (Python's own start-up is not perfkit's to tidy)
            while not (staging / ".owner.json").is_file() and runner.poll() is None:
                time.sleep(0.02)
        time.sleep(rng.uniform(0, duration))
        below = _descendants(runner.pid)  # workers and their kernels
        if runner.poll() is None:
            if ctrl_c:
                os.killpg(runner.pid, signal.SIGINT)
            else:
                runner.kill()
        _, err = runner.communicate(timeout=120)
        deadline = time.monotonic() + 20
        while {p for p in below if _alive(p)} and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not {p for p in below if _alive(p)}, f"seed {seed}: workers or kernels outlived the runner"

        if (staging / ".commit.json").is_file():
            state = "marked incomplete"
        elif snapshot(out) == before:
            state = "previous"
        else:
            assert_complete(out, data)  # changed: then only as the complete run of the new data
            state = "new"
        seen.add(state)
        if ctrl_c:
            assert "Traceback" not in err and not staging.exists(), err
            if state == "previous":
                assert runner.returncode == 130 and err.splitlines()[-1] == \
                    f"perfkit: interrupted: {out} is as the previous complete run left it", err
        # the next run recovers a complete folder of the new data
        again = run_batch(cfg, out, progress=False, log=lambda s: None)
        assert again.ok
        assert_complete(out, data)
    assert seen - {"new"}, "every run finished before it was stopped: nothing was tested"
