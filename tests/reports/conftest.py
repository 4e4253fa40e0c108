"""Fixtures for the report tests: the mini city (tests/reports/minicity.py) and one batch
run over a few of its units, shared by the tests that inspect its outputs."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from . import minicity
from .minicity import BATCH_UNITS, BROKEN_UNIT

ROOT = Path(__file__).resolve().parents[2]


def broken_notebooks(folder: Path, unit: str) -> Path:
    """Copies of the project's notebooks where the feedback list of ``unit`` fails in a cell."""
    folder.mkdir(parents=True, exist_ok=True)
    for src in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(src, folder / src.name)
    nb = nbformat.read(folder / "unit_feedback.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        f'if unit == "{unit}":\n    raise RuntimeError("deliberately broken for the test")'))
    nbformat.write(nb, folder / "unit_feedback.ipynb")
    return folder


@pytest.fixture(scope="session")
def city(tmp_path_factory) -> Path:
    """A folder with the mini city's scheme, data and a report config for all its units."""
    folder = tmp_path_factory.mktemp("minicity")
    minicity.write_config(folder)
    return folder


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """One batch run (jobs=2) over four units in zh and en, with B03 deliberately broken.

    Under pytest-xdist the run is shared: the first worker runs it (holding a file lock),
    the others wait and read its manifest."""
    import fcntl
    import json

    from perfkit.report.batch import BatchResult, run_batch
    from perfkit.report.executors import JobResult

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    folder = shared / "report-batch"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cfg = folder / "report.yaml"
        if not (folder / "out" / "manifest.json").is_file():
            nbdir = broken_notebooks(folder / "notebooks", BROKEN_UNIT)
            cfg = minicity.write_config(folder, units=BATCH_UNITS, notebook_dir=str(nbdir), timeout=120)
            result = run_batch(cfg, folder / "out", jobs=2, progress=False, log=lambda s: None)
            (folder / "first-run.json").write_text(json.dumps(
                {"prepared": result.prepared, "results": [r.to_dict() for r in result.results]}))
        first = json.loads((folder / "first-run.json").read_text())
        result = BatchResult(out=folder / "out", results=[JobResult(**r) for r in first["results"]],
                             prepared=first["prepared"])
    return {"config": cfg, "out": folder / "out", "result": result}
