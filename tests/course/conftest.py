"""Fixtures for the course tests: the two course builds (zh anonymised, en plain) of round
2025, built once per test session and shared between pytest-xdist workers (the first worker
builds while holding a file lock; the others wait and reuse the folders)."""
from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _shared(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / "course-builds"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _build(folder: Path, name: str, **kw) -> dict:
    from perfkit.course.build import build_course  # deferred: only the tests that need a build pay for it

    with open(folder / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        out = folder / name
        done = folder / f"{name}.json"
        if not done.is_file():
            res = build_course(out=out, log=lambda s: None, **kw)
            done.write_text(json.dumps({"failed": [r.id for r in res.failed], "checks": res.checks,
                                        "timings": res.timings}))
        return {"out": out, **json.loads(done.read_text())}


@pytest.fixture(scope="session")
def zh_anonymised(tmp_path_factory) -> dict:
    """``perfkit course build --round 2025 --lang zh --anonymise``."""
    return _build(_shared(tmp_path_factory), "zh-anon", round=2025, lang="zh", anonymise=True, jobs=2)


@pytest.fixture(scope="session")
def en_plain(tmp_path_factory) -> dict:
    """``perfkit course build --round 2025 --lang en``."""
    return _build(_shared(tmp_path_factory), "en", round=2025, lang="en", anonymise=False, jobs=2)
