"""For every exercise of every module: the checker accepts the solution and rejects the
typical wrong answer the solution computes, recognising it by its own hint — on the repo's
answer keys for round 2025."""
from __future__ import annotations

import pytest

from perfkit.course.check import load_specs
from perfkit.course.meta import load_course

from .run_inprocess import run

COURSE = load_course()


@pytest.mark.parametrize("mid", [m.id for m in COURSE.modules])
def test_the_checker_accepts_every_solution_and_rejects_its_typical_mistake(mid):
    seen = run(COURSE.folder("en", mid) / "solution.ipynb", lang="en", round=2025, answers=None, record=False)
    specs = load_specs(mid)
    for exercise, spec in specs.items():
        outcomes = [r for r, _ in seen if r.exercise == exercise]
        assert [r.outcome for r in outcomes if r.mistake is None] == ["correct"], (exercise, outcomes)
        for name in spec.mistakes:
            wrong = [r for r in outcomes if r.mistake == name]
            assert wrong and not wrong[0].ok and wrong[0].hints == (spec.mistakes[name].en,), (exercise, name)


@pytest.mark.parametrize("mid", [m.id for m in COURSE.modules])
def test_the_exercise_notebook_says_unanswered_and_holds_no_answer(mid):
    seen = run(COURSE.folder("zh", mid) / "exercise.ipynb", lang="zh", round=2025, answers=None, record=False)
    assert [r.outcome for r, _ in seen] == ["unanswered"] * len(load_specs(mid))
    answers = run(COURSE.folder("en", mid) / "solution.ipynb", lang="en", round=2025)
    text = (COURSE.folder("zh", mid) / "exercise.ipynb").read_text(encoding="utf-8")
    for res, value in answers:
        if res.mistake is None and res.ok:
            for shown in _forms(value):
                assert shown not in text, (res.exercise, shown)


def _forms(value):
    """How an answer could be written out: long-enough numbers and words."""
    if isinstance(value, str):
        return [value] if len(value) >= 6 else []
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [f"{value:.3f}", f"{value:.4f}"] if abs(value - round(value)) > 1e-9 else []
    if isinstance(value, dict):
        return [f"{v:.3f}" for v in value.values()]
    return []  # lists of ids: the question may name one of them as its subject
