"""The Demo City generator reproduces the committed files.

Comparison: **bytes** for every CSV, YAML and Markdown file; **cell values** (sheet names and
every cell, as openpyxl reads them) for XLSX files, whose bytes also depend on the openpyxl and
zlib versions. The XLSX files are nevertheless written deterministically (fixed document
timestamps, fixed zip entry dates), which is checked separately.

How long the generator takes is measured by ``bench/generation.py``, not asserted here.
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

#: files in datasets/demo_city that are written by hand, not by generate.py
HAND_WRITTEN = {"README.md", "generate.py", "definitions.py"}


def _committed(demo_dir: Path) -> set[str]:
    out = set()
    for p in demo_dir.rglob("*"):
        if p.is_file() and "__pycache__" not in p.parts:
            rel = p.relative_to(demo_dir).as_posix()
            if rel not in HAND_WRITTEN:
                out.add(rel)
    return out


def _cells(path: Path) -> list[tuple[str, list[tuple]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    finally:
        wb.close()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory, demo_dir) -> Path:
    out = tmp_path_factory.mktemp("demo_city")
    proc = subprocess.run([sys.executable, str(demo_dir / "generate.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def test_generator_writes_exactly_the_committed_files(regenerated, demo_dir):
    out = regenerated
    generated = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert generated == _committed(demo_dir)


def test_generator_reproduces_every_file(regenerated, demo_dir):
    out = regenerated
    different = []
    for rel in sorted(_committed(demo_dir)):
        a, b = demo_dir / rel, out / rel
        if rel.endswith(".xlsx"):
            same = _cells(a) == _cells(b)
        else:
            same = a.read_bytes() == b.read_bytes()
        if not same:
            different.append(rel)
    assert not different, f"regenerated files differ from the committed ones: {different[:10]}"


def test_xlsx_files_have_fixed_timestamps(demo_dir):
    for path in sorted((demo_dir / "returned").rglob("*.xlsx")):
        with zipfile.ZipFile(path) as z:
            assert {i.date_time for i in z.infolist()} == {(2026, 2, 1, 9, 0, 0)}
            core = z.read("docProps/core.xml").decode("utf-8")
        assert "2026-02-01T09:00:00Z</dcterms:modified>" in core
        assert "2026-02-01T09:00:00Z</dcterms:created>" in core
