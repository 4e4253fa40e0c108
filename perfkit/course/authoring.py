"""Keeping the course tree consistent: exercises cut from their solutions, agendas from course.yaml.

A solution notebook is the source of its exercise. In a solution's code cells, the lines
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` are the answer: the exercise keeps
the cell with those lines replaced by ``answer = ...`` (the checker then says "not answered
yet"). Cells tagged ``solution-only`` (typical mistakes, the trainer's remarks) are left
out of the exercise, and outputs are never kept. :func:`sync` rewrites every exercise and
the two agenda pages; a test checks that the committed files are what it would write.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from perfkit.course.meta import LANGS, Course, agenda_markdown, load_course
from perfkit.io.export import atomic_path

__all__ = ["exercise_from_solution", "sync", "BEGIN", "END", "PLACEHOLDER"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER = "answer = ...  # your answer"
_BLOCK = re.compile(r"^([ \t]*)" + re.escape(BEGIN) + r"[^\n]*\n.*?^[ \t]*" + re.escape(END) + r"[^\n]*$",
                    re.S | re.M)


def _strip(source: str) -> str:
    return _BLOCK.sub(lambda m: m.group(1) + PLACEHOLDER, source)


def exercise_from_solution(nb):
    """The exercise notebook of a solution notebook (a new notebook; ``nb`` is not changed)."""
    ex = copy.deepcopy(nb)
    cells = []
    for cell in ex.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "solution-only" in tags:
            continue
        if cell.cell_type == "code":
            cell.source = _strip(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    ex.cells = cells
    return ex


def _write(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return True


def sync(course: Course | None = None) -> list[Path]:
    """Rewrite every exercise from its solution and the agenda pages; the files changed."""
    course = course or load_course()
    changed = []
    for lang in LANGS:
        for m in course.modules:
            folder = course.folder(lang, m.id)
            sol = nbformat.read(folder / "solution.ipynb", as_version=4)
            text = nbformat.writes(exercise_from_solution(sol)) + "\n"
            if _write(folder / "exercise.ipynb", text):
                changed.append(folder / "exercise.ipynb")
        if _write(course.root / lang / "agenda.md", agenda_markdown(course, lang)):
            changed.append(course.root / lang / "agenda.md")
    return changed
