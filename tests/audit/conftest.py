"""A published Demo City 2025 round in an audit log, built once per session and copied per test.

The log refers to the published files by paths relative to itself; copies are made into
folders at the same depth (pytest's temporary folders), so the paths still resolve.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfkit import audit

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo_city"
SCHEME = DEMO / "schemes" / "2025.yaml"
DATA = DEMO / "rounds" / "2025"


def fixed_clock(start: int = 0):
    n = iter(range(start, 10_000))
    return lambda: f"2026-03-01T09:{next(n) // 60 % 60:02d}:{next(n) % 60:02d}+08:00"


@pytest.fixture(scope="session")
def published_log(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("published")
    path = folder / "office.sqlite"
    with audit.open_log(path, create=True, office="测试绩效办") as log:
        log.clock = fixed_clock()
        audit.publish(log, SCHEME, DATA, round="2025", who="考评科")
    return path


@pytest.fixture
def log_path(published_log, tmp_path) -> Path:
    """A fresh copy of the published log for one test."""
    dst = tmp_path / "office.sqlite"
    shutil.copy(published_log, dst)
    return dst


@pytest.fixture
def log(log_path):
    with audit.open_log(log_path) as lg:
        lg.clock = fixed_clock(100)
        yield lg
