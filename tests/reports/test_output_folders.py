"""Output folders are replaced whole and one run at a time (perfkit.io.export): file names
that cannot clash, the commit of a staged folder interrupted at every step, an evaluation
written over an earlier one, and a folder another process holds."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfkit.io.export as export
from perfkit.cli import main
from perfkit.io.export import (OutputError, StagedOutput, locked_output, recover_output, safe_filename,
                               unique_filenames, write_evaluation)

from . import minicity

ROOT = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------- file names
def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def test_ids_that_sanitise_alike_get_distinct_names_and_unique_ones_keep_theirs():
    long_a, long_b = "x" * 299 + "a", "x" * 299 + "b"
    wanted = {"gov/x": "gov/x_市财政局", "gov_x": "gov_x_市财政局", long_a: long_a, long_b: long_b,
              "B01": "B01_市教育局", "b01": "b01_市教育局", "D01": "D01_东城区"}
    names = unique_filenames(wanted)
    assert len({_fold(n) for n in names.values()}) == len(wanted)
    assert names["D01"] == "D01_东城区"  # nothing to clash with: the readable name as before
    h = (lambda k: hashlib.sha256(k.encode()).hexdigest()[:8])
    assert names["gov/x"] == f"gov_x_市财政局~{h('gov/x')}" and names["gov_x"] == f"gov_x_市财政局~{h('gov_x')}"
    assert names["B01"] == f"B01_市教育局~{h('B01')}" and names["b01"] == f"b01_市教育局~{h('b01')}"
    assert names[long_a] == "x" * 71 + f"~{h(long_a)}" and len(names[long_b]) == 80


_key = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=90)


@given(st.dictionaries(_key, _key, min_size=1, max_size=12))
def test_unique_filenames_are_distinct_safe_and_stable(wanted):
    names = unique_filenames(wanted)
    assert set(names) == set(wanted)
    assert len({_fold(n) for n in names.values()}) == len(names)
    for k, n in names.items():
        assert 0 < len(n) <= 80 and not n.startswith(".") and "/" not in n and "\\" not in n
        assert n.split("~")[0] == safe_filename(wanted[k])[:len(n.split("~")[0])]
    assert unique_filenames(dict(reversed(list(wanted.items())))) == names  # independent of order


def test_device_names_windows_reserves_are_not_used():
    assert safe_filename("CON") == "_CON" and safe_filename("com1.x") == "_com1.x"
    assert safe_filename("CONTROL") == "CONTROL"


# ---------------------------------------------------------------------- the commit
def _old_and_new(tmp_path: Path) -> tuple[Path, StagedOutput, dict[str, str], list[str]]:
    out = tmp_path / "out"
    (out / "parquet").mkdir(parents=True)
    for name, text in {"index.html": "old index", "a.html": "old a", "gone.html": "old gone",
                       "parquet/x.parquet": "old x", "mine.txt": "not perfkit's"}.items():
        (out / name).write_text(text)
    staged = StagedOutput(out)
    for name, text in {"index.html": "new index", "a.html": "new a", "b/b.html": "new b",
                       "parquet/x.parquet": "new x"}.items():
        (staged.root / name).parent.mkdir(parents=True, exist_ok=True)
        (staged.root / name).write_text(text)
    return out, staged, snapshot(out), ["gone.html"]


def test_a_commit_moves_the_staged_files_removes_the_listed_ones_and_leaves_nothing_behind(tmp_path):
    out, staged, _, remove = _old_and_new(tmp_path)
    moved = staged.commit(remove=remove, last=["index.html"])
    assert moved[-1] == "index.html"
    assert {k: (out / k).read_text() for k in snapshot(out)} == {
        "index.html": "new index", "a.html": "new a", "b/b.html": "new b", "parquet/x.parquet": "new x",
        "mine.txt": "not perfkit's"}
    assert not staged.root.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("crash_at", range(8))
def test_a_commit_killed_at_any_step_leaves_the_old_state_or_a_journal_that_recovery_finishes(
        tmp_path, monkeypatch, crash_at):
    """Each os.replace of the commit (the journal's own rename first) and each removal is a
    step; the process "dies" (an exception nothing catches) before step ``crash_at``."""
    out, staged, before, remove = _old_and_new(tmp_path)
    steps = []

    def step(real):
        def wrapped(*a, **k):
            if len(steps) == crash_at:
                raise SystemExit("killed")
            steps.append(a)
            return real(*a, **k)
        return wrapped

    monkeypatch.setattr(export.os, "replace", step(os.replace))
    monkeypatch.setattr(Path, "unlink", step(Path.unlink))
    try:
        staged.commit(remove=remove, last=["index.html"])
        finished = True
    except SystemExit:
        finished = False
    monkeypatch.undo()
    journal = staged.root / ".commit.json"
    if not finished and not journal.is_file():
        assert snapshot(out) == before  # died before the commit point: nothing changed
        assert recover_output(out) == "discarded" and snapshot(out) == before
    else:
        assert finished or recover_output(out) == "completed"
        assert {k: (out / k).read_text() for k in snapshot(out)} == {
            "index.html": "new index", "a.html": "new a", "b/b.html": "new b", "parquet/x.parquet": "new x",
            "mine.txt": "not perfkit's"}
    assert not staged.root.exists()
    assert recover_output(out) is None


def test_a_new_staging_never_throws_away_a_commit_under_way(tmp_path, monkeypatch):
    out, staged, _, remove = _old_and_new(tmp_path)
    monkeypatch.setattr(export, "_apply_journal", lambda *a: (_ for _ in ()).throw(SystemExit("killed")))
    with pytest.raises(SystemExit):
        staged.commit(remove=remove)
    monkeypatch.undo()
    StagedOutput(out).discard()  # the next run: finishes the commit before it stages anything
    assert (out / "a.html").read_text() == "new a" and not (out / "gone.html").exists()


# ---------------------------------------------------------------------- evaluate --out
def test_an_evaluation_written_over_another_replaces_its_files_and_keeps_the_users(tiny, oecd, tmp_path):
    out = tmp_path / "out"
    write_evaluation(tiny, out)
    assert (out / "parquet" / "points.parquet").is_file() and (out / "parquet" / "survey.parquet").is_file()
    (out / "notes.txt").write_text("the office's own notes")
    (out / "parquet" / "mine.parquet").write_bytes(b"not perfkit's")
    write_evaluation(oecd, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = set(manifest["outputs"].values())
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == \
        listed | {"notes.txt", "parquet/mine.parquet"}
    assert "parquet/points.parquet" not in listed and "parquet/results.parquet" in listed
    assert manifest["scheme"]["id"] == oecd.scheme.id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left beside it


def test_an_interrupted_evaluation_leaves_the_previous_one(tiny, oecd, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_evaluation(tiny, out)
    before = snapshot(out)
    real, calls = export.write_parquet, []

    def ctrl_c_at_the_third_table(*a, **k):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(export, "write_parquet", ctrl_c_at_the_third_table)
    with pytest.raises(KeyboardInterrupt):
        write_evaluation(oecd, out)
    assert len(calls) == 3
    assert snapshot(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# ---------------------------------------------------------------------- one run at a time
_HOLD = """
import sys, time
from perfkit.io.export import StagedOutput, locked_output
with locked_output(sys.argv[1]):
    StagedOutput(sys.argv[1])
    print("holding", flush=True)
    time.sleep(60)
"""


@pytest.fixture()
def held(tmp_path):
    """A folder that another process holds (as a running `perfkit report` would)."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout.readline().strip() == "holding"
        yield out, proc.pid
    finally:
        proc.kill()
        proc.wait()


def test_a_folder_held_by_another_process_is_refused_with_its_holder_named(held):
    out, pid = held
    with pytest.raises(OutputError, match=rf"another perfkit run is writing this folder \(pid {pid}, started "):
        with locked_output(out):
            pass


def test_evaluate_into_a_folder_another_run_holds_exits_2_in_one_line(held, tmp_path, capsys):
    out, pid = held
    scheme, data = minicity.write(tmp_path / "city")
    code = main(["evaluate", str(scheme), str(data), "--round", "2025", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"perfkit: error: {out}: another perfkit run is writing this folder (pid {pid}")
    assert err.rstrip().endswith("wait until it has finished, or give another --out")
    assert not (out / "manifest.json").exists()


def test_the_lock_goes_with_the_process_that_held_it(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "holding"
    proc.kill()
    proc.wait()
    with locked_output(out):  # a killed run does not keep the folder
        assert recover_output(out) == "discarded"


def test_a_ctrl_c_during_the_commit_waits_until_the_commit_is_done(tmp_path, monkeypatch):
    out, staged, _, remove = _old_and_new(tmp_path)
    real = export._apply_journal

    def ctrl_c_half_way(*a):
        os.kill(os.getpid(), signal.SIGINT)  # arrives while the renames run
        time.sleep(0.05)
        real(*a)

    monkeypatch.setattr(export, "_apply_journal", ctrl_c_half_way)
    with pytest.raises(KeyboardInterrupt):
        staged.commit(remove=remove)
    assert staged.committed and (out / "b" / "b.html").read_text() == "new b" and not staged.root.exists()
