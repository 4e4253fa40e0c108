"""Shared fixtures: the Demo City's 2025 round and its templates, written once per session."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from perfkit import datasets
from perfkit.collection import fill_template, write_templates

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo_city"
COLLECTORS = DEMO / "collection" / "collectors.csv"
DEADLINES = DEMO / "collection" / "deadlines.csv"


def meta_of(path: Path) -> dict[str, str]:
    """The hidden metadata of a template."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {r[0]: r[1] for r in wb["_perfkit"].iter_rows(values_only=True)}
    finally:
        wb.close()


@pytest.fixture(scope="session")
def demo25():
    return datasets.load("demo_city", round=2025)


@pytest.fixture(scope="session")
def templates(tmp_path_factory, demo25) -> dict[str, Path]:
    """Blank templates of every collector, by collector id (do not modify: copy first)."""
    out = tmp_path_factory.mktemp("templates")
    paths = write_templates(demo25.scheme, demo25.data, out, collectors=COLLECTORS, deadlines=DEADLINES,
                            generated="2026-01-05T09:00:00+08:00")
    return {meta_of(p)["collector_id"]: p for p in paths}


@pytest.fixture(scope="session")
def filled(tmp_path_factory, templates, demo25) -> Path:
    """Every template filled with the round's values (a folder; do not modify)."""
    out = tmp_path_factory.mktemp("filled")
    for p in set(templates.values()):
        fill_template(p, demo25.data.values, out=out / p.name)
    return out


@pytest.fixture
def copy_of(tmp_path):
    def make(path: Path, name: str | None = None) -> Path:
        dst = tmp_path / (name or path.name)
        shutil.copy(path, dst)
        return dst
    return make
