"""The course tree: zh and en notebooks with identical code, exercises cut from their
solutions and holding no answer, quizzes that agree, every exercise declared and keyed."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from perfkit.course.authoring import BEGIN, END, PLACEHOLDER, exercise_from_solution
from perfkit.course.check import load_specs
from perfkit.course.meta import agenda_markdown, load_course
from perfkit.course.pages import load_quiz

COURSE = load_course()
ROOT = COURSE.root
KINDS = ("lesson", "exercise", "solution")
MODULES = [m.id for m in COURSE.modules]


def _nb(lang, mid, kind):
    return nbformat.read(COURSE.folder(lang, mid) / f"{kind}.ipynb", as_version=4)


def _code(nb):
    return [(c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells if c.cell_type == "code"]


def test_the_course_has_at_least_nine_modules_each_with_its_five_files():
    assert len(COURSE.modules) >= 9
    for lang in ("zh", "en"):
        for m in COURSE.modules:
            folder = COURSE.folder(lang, m.id)
            for name in ("lesson.ipynb", "exercise.ipynb", "solution.ipynb", "notes.md", "quiz.yaml"):
                assert (folder / name).is_file(), folder / name


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mid", MODULES)
def test_zh_and_en_notebooks_have_identical_code_cells(mid, kind):
    zh, en = _nb("zh", mid, kind), _nb("en", mid, kind)
    assert _code(zh) == _code(en)
    # and the same cell structure: markdown where the other has markdown
    assert [c.cell_type for c in zh.cells] == [c.cell_type for c in en.cells]


def test_the_course_evaluation_notebooks_have_identical_code_cells():
    zh = nbformat.read(ROOT / "zh" / "feedback.ipynb", as_version=4)
    en = nbformat.read(ROOT / "en" / "feedback.ipynb", as_version=4)
    assert _code(zh) == _code(en)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("mid", MODULES)
def test_each_exercise_is_its_solution_with_the_answers_cut_out(mid, lang):
    sol, ex = _nb(lang, mid, "solution"), _nb(lang, mid, "exercise")
    assert nbformat.writes(exercise_from_solution(sol)) == nbformat.writes(ex), "run `perfkit course sync`"
    text = nbformat.writes(ex)
    assert BEGIN not in text and END not in text and "ck.mistake" not in text
    assert text.count(PLACEHOLDER) == len(load_specs(mid)) == sum(
        c.source.count(BEGIN) for c in sol.cells if c.cell_type == "code")
    assert all(not c.get("outputs") for c in ex.cells if c.cell_type == "code")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("mid", MODULES)
def test_prose_lives_in_markdown_and_code_comments_are_short(mid, lang):
    for kind in KINDS:
        nb = _nb(lang, mid, kind)
        md = [c for c in nb.cells if c.cell_type == "markdown"]
        assert md and md[0].source.startswith("# "), "a notebook opens with its title"
        for c in nb.cells:
            if c.cell_type == "code":
                # Chinese belongs in the markdown cells (the code is shared by both trees)
                assert not re.search(r"[\u4e00-\u9fff]", c.source), c.source[:80]


@pytest.mark.parametrize("mid", MODULES)
def test_each_lesson_opens_with_objectives_and_the_module_map_of_its_own_module(mid):
    for lang, word in (("zh", "学习目标"), ("en", "Objectives")):
        nb = _nb(lang, mid, "lesson")
        assert word in nb.cells[0].source
        setup = next(c.source for c in nb.cells if c.cell_type == "code" and "pc.Lesson(" in c.source)
        assert f'pc.Lesson("{mid}"' in setup and "c.header()" in setup
        assert any(c.cell_type == "code" and "parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_every_module_maps_to_handbook_steps_and_source_sections_that_exist():
    for m in COURSE.modules:
        assert m.handbook and all(1 <= s <= 10 for s in m.handbook)
        for s in m.sections:
            assert s in COURSE.model.sections
            assert COURSE.section(s, "zh") and COURSE.section(s, "en")
    # together the modules cover all ten steps of the handbook
    assert set().union(*(m.handbook for m in COURSE.modules)) == set(range(1, 11))


def test_peer_city_practice_is_cited_from_the_source_document():
    # the source document sits in shared/ beside the repository (or beside the worktrees)
    seeds = [p for base in ROOT.parents[:3] for p in (base / "shared" / "seed").glob("000_*.txt")]
    seed = seeds[0] if seeds else None
    lesson = "\n".join(c.source for c in _nb("zh", "m01", "lesson").cells if c.cell_type == "markdown")
    for city in ("杭州", "长沙", "西安", "桂林", "成都"):
        assert city in lesson
    for fact in ("《杭州市绩效管理条例》", "三个办法三个实施细则", "三位一体", "2006年"):
        assert fact in lesson
        if seed is not None:
            assert fact.strip("《》") in seed.read_text(encoding="utf-8"), f"{fact} is not in the source document"


@pytest.mark.parametrize("mid", MODULES)
def test_zh_and_en_quizzes_ask_as_many_questions_with_the_same_answers(mid):
    zh = load_quiz(COURSE.folder("zh", mid) / "quiz.yaml")
    en = load_quiz(COURSE.folder("en", mid) / "quiz.yaml")
    assert len(zh) == len(en) >= 3
    assert [q.answer for q in zh] == [q.answer for q in en]
    assert [len(q.options) for q in zh] == [len(q.options) for q in en]


@pytest.mark.parametrize("mid", MODULES)
def test_facilitator_notes_give_timing_common_mistakes_and_discussion_questions(mid):
    for lang, words in (("zh", ("时间", "常见错误", "讨论题")), ("en", ("Time", "Common mistakes", "Discussion questions"))):
        notes = (COURSE.folder(lang, mid) / "notes.md").read_text(encoding="utf-8")
        for w in words:
            assert w in notes, (lang, w)
        assert f"{COURSE.module(mid).minutes}" in notes


@pytest.mark.parametrize("mid", MODULES)
def test_every_exercise_is_declared_checked_in_the_solution_and_keyed_for_every_round(mid):
    specs = load_specs(mid)
    sol = "\n".join(c.source for c in _nb("en", mid, "solution").cells if c.cell_type == "code")
    checked = set(re.findall(r'ck\.check\("([a-z_0-9]+)"', sol))
    mistakes = set(re.findall(r'ck\.mistake\("([a-z_0-9]+)",.*"([a-z_0-9]+)"\)', sol))
    assert checked == set(specs)
    assert {(e, m) for e, s in specs.items() for m in s.mistakes} == mistakes, "each declared mistake is computed"
    assert all(s.mistakes for s in specs.values()), "every exercise has a typical mistake with its hint"
    keys = json.loads((ROOT / "checks" / "keys" / f"{mid}.json").read_text(encoding="utf-8"))
    for rnd in ("2022", "2023", "2024", "2025"):
        assert set(keys[rnd]) == set(specs), rnd
        for e, s in specs.items():
            assert keys[rnd][e]["answer"] is not None
            assert set(keys[rnd][e]["mistakes"]) == set(s.mistakes)


def test_the_agenda_pages_are_written_from_course_yaml():
    for lang in ("zh", "en"):
        assert (ROOT / lang / "agenda.md").read_text(encoding="utf-8") == agenda_markdown(COURSE, lang), \
            "run `perfkit course sync`"


def test_the_agenda_fits_two_days_and_its_sessions_follow_each_other():
    sessions = COURSE.sessions()
    assert {s.day for s in sessions} == {1, 2}
    for day in (1, 2):
        ss = [s for s in sessions if s.day == day]
        assert ss[0].start == "08:30" and ss[-1].end <= "17:30"
        assert all(a.end == b.start for a, b in zip(ss, ss[1:]))
        lunch = [s for s in ss if s.item == "lunch"]
        assert lunch and lunch[0].start == "12:00" and lunch[0].end == "14:30"
    # hand-checked: module 4 runs 14:30-16:00 on day 1
    m4 = next(s for s in sessions if s.module and s.module.id == "m04")
    assert (m4.day, m4.start, m4.end) == (1, "14:30", "16:00")


def test_bilingual_catalogue_words_follow_the_glossary():
    cat = yaml.safe_load((ROOT.parent / "perfkit" / "i18n" / "course.yaml").read_text(encoding="utf-8"))
    zh = " ".join(v["zh"] for v in cat.values())
    for wrong in ("最终得分", "应得分", "类内排名", "上期得分", "基础得分"):
        assert wrong not in zh
    # full-width punctuation in Chinese text (ASCII commas and semicolons are not used)
    assert not re.search(r"[\u4e00-\u9fff][,;][\u4e00-\u9fff]", zh)
