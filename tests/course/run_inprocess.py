"""Run a course notebook's code cells in this process (fast: no kernel) and collect the
checker's outcomes: used by the accept/reject tests, which need the checker's answers, not
the notebook's pictures."""
from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

import nbformat

import perfkit.course.check as check


@contextlib.contextmanager
def _cwd(folder: Path):
    old = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def run(path: Path, **params) -> list:
    """Execute ``path``'s code cells with ``params`` overriding the parameters cell; return
    every :class:`~perfkit.course.check.CheckResult` the checker produced, in order."""
    nb = nbformat.read(path, as_version=4)
    seen = []
    original = check.Checker.verify

    def spy(self, exercise, value):
        res = original(self, exercise, value)
        seen.append((res, value))
        return res

    ns: dict = {}
    check.Checker.verify = spy
    try:
        with _cwd(path.parent), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                exec(compile(cell.source, str(path), "exec"), ns)  # noqa: S102 - the project's own notebooks
                if "parameters" in cell.metadata.get("tags", []):
                    ns.update(params)
    finally:
        check.Checker.verify = original
    return seen
