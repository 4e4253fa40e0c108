"""The course's HTML pages: lessons, quizzes, facilitator notes, the agenda and the index.

Pages use the report's page frame (:func:`perfkit.report.html.page`: inline CSS, a CJK font
stack, no script, nothing from another host) with a small navigation bar on top. Quizzes
are ``quiz.yaml`` per module and language: questions with lettered options, the answer's
letter and why; the trainee's page shows the questions, the trainer's page the answers.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mistune
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from perfkit.course.meta import Course, CourseError, Module, agenda_markdown
from perfkit.i18n import t
from perfkit.io.export import atomic_path
from perfkit.report.html import external_references, notebook_to_html, page

__all__ = ["Question", "load_quiz", "write_page", "lesson_page", "quiz_page", "notes_page", "agenda_page",
           "index_page", "NAV_CSS"]

NAV_CSS = """<style>
nav.pk-nav { font-size: 13px; margin: 0 0 18px; padding: 6px 0; border-bottom: 1px solid #d8dee4; }
nav.pk-nav a { margin-right: 14px; color: #1d6f65; text-decoration: none; }
.pk-quiz ol.pk-options { list-style: upper-alpha; } .pk-quiz li.pk-q { margin: 0 0 14px; }
.pk-answer { color: #1d6f65; } table.pk-map th { width: 9em; white-space: nowrap; }
</style>"""


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    q: str = Field(min_length=1)
    options: tuple[str, ...] = Field(min_length=2, max_length=6)
    answer: str = Field(pattern=r"^[A-F]$")
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> Question:
        if ord(self.answer) - ord("A") >= len(self.options):
            raise ValueError(f"answer {self.answer} but only {len(self.options)} options")
        return self


def load_quiz(path: str | Path) -> list[Question]:
    """The questions of a ``quiz.yaml`` (errors name the file and the question)."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise CourseError(f"cannot read the quiz: {exc}", where=[str(p)]) from None
    if not isinstance(raw, list) or not raw:
        raise CourseError("a quiz is a list of questions", where=[str(p)])
    out = []
    for i, q in enumerate(raw):
        try:
            out.append(Question.model_validate(q))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise CourseError(err["msg"], where=[str(p), f"[{i}]." + ".".join(map(str, err["loc"]))]) from None
    return out


def write_page(path: str | Path, body: str, *, title: str, lang: str, meta: Mapping[str, str] | None = None) -> Path:
    """A complete offline page at ``path`` (atomically); refuses a page that would go online."""
    text = page(NAV_CSS + body, title=title, lang=lang, meta=meta)
    bad = external_references(text)
    if bad:
        raise ValueError(f"the page would load from the network: {bad[0]!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return path


def nav(links: Sequence[tuple[str, str]]) -> str:
    return '<nav class="pk-nav">' + "".join(
        f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>' for label, href in links if href) + "</nav>"


def module_title(m: Module, lang: str) -> str:
    return t("course.module_name", lang, n=int(m.id[1:]), title=m.title.get(lang))


def _module_nav(course: Course, m: Module, lang: str, here: str) -> str:
    mods = list(course.modules)
    i = mods.index(m)
    prev = f"../{here}/{mods[i - 1].folder}.html" if i > 0 else ""
    nxt = f"../{here}/{mods[i + 1].folder}.html" if i + 1 < len(mods) else ""
    return nav([(t("course.nav.index", lang), "../index.html"), (t("course.nav.agenda", lang), "../agenda.html"),
                (t("course.nav.lesson", lang), f"../lessons/{m.folder}.html"),
                (t("course.nav.slides", lang), f"../slides/{m.folder}.html"),
                (t("course.nav.quiz", lang), f"../quizzes/{m.folder}.html"),
                (t("course.nav.prev", lang), prev), (t("course.nav.next", lang), nxt)])


def lesson_page(course: Course, m: Module, nb: Mapping[str, Any], lang: str, *, kind: str = "lessons") -> tuple[str, str]:
    """(title, body) of a lesson page (or, with ``kind="trainer/solutions"``, a solution page)."""
    title = module_title(m, lang)
    top = _module_nav(course, m, lang, "lessons") if kind == "lessons" else nav(
        [(t("course.nav.index", lang), "../../index.html"), (t("course.nav.trainer", lang), "../index.html")])
    return title, top + notebook_to_html(nb)


def quiz_page(course: Course, m: Module, questions: Sequence[Question], lang: str, *, answers: bool) -> tuple[str, str]:
    title = t("course.quiz.title", lang, module=module_title(m, lang))
    items = []
    for i, q in enumerate(questions, 1):
        opts = "".join(f"<li>{html.escape(o)}</li>" for o in q.options)
        ans = (f'<p class="pk-answer"><b>{html.escape(t("course.quiz.answer", lang, letter=q.answer))}</b> '
               f"{html.escape(q.why)}</p>") if answers else ""
        items.append(f'<li class="pk-q"><p>{html.escape(q.q)}</p><ol class="pk-options">{opts}</ol>{ans}</li>')
    top = _module_nav(course, m, lang, "quizzes") if not answers else nav(
        [(t("course.nav.index", lang), "../../index.html"), (t("course.nav.trainer", lang), "../index.html")])
    intro = t("course.quiz.intro_trainer" if answers else "course.quiz.intro", lang, n=len(questions))
    return title, (f"{top}<h1>{html.escape(title)}</h1><p class=\"pk-sub\">{html.escape(intro)}</p>"
                   f'<ol class="pk-quiz">{"".join(items)}</ol>')


def notes_page(course: Course, m: Module, notes_md: str, lang: str) -> tuple[str, str]:
    title = t("course.notes.title", lang, module=module_title(m, lang))
    top = nav([(t("course.nav.index", lang), "../../index.html"), (t("course.nav.trainer", lang), "../index.html"),
               (t("course.nav.lesson", lang), f"../../lessons/{m.folder}.html")])
    return title, top + mistune.html(notes_md)


def agenda_page(course: Course, lang: str) -> tuple[str, str]:
    md = agenda_markdown(course, lang)
    return course.model.title.get(lang), nav([(t("course.nav.index", lang), "index.html")]) + mistune.html(md)


def index_page(course: Course, lang: str, *, round: str, anonymised: bool, synthetic_note: str,  # noqa: A002
               trainer: bool = False) -> tuple[str, str]:
    """The course's front page (``trainer``: the trainer's page with solutions, notes, answers)."""
    title = course.model.title.get(lang)
    sub = t("course.index.sub", lang, round=round) + (t("course.index.anonymised", lang) if anonymised else "")
    head = (f"<h1>{html.escape(title)}</h1><p class=\"pk-sub\">{html.escape(sub)}</p>"
            f"<p class=\"pk-note\">{html.escape(synthetic_note)}</p>")
    rows = []
    pre = "../" if trainer else ""
    for m in course.modules:
        if trainer:
            links = [(t("course.nav.notes", lang), f"notes/{m.folder}.html"),
                     (t("course.nav.solution", lang), f"solutions/{m.folder}.html"),
                     (t("course.nav.answers", lang), f"quizzes/{m.folder}.html"),
                     (t("course.nav.lesson", lang), f"../lessons/{m.folder}.html")]
        else:
            links = [(t("course.nav.lesson", lang), f"lessons/{m.folder}.html"),
                     (t("course.nav.slides", lang), f"slides/{m.folder}.html"),
                     (t("course.nav.exercise", lang), f"exercises/{m.folder}.ipynb"),
                     (t("course.nav.quiz", lang), f"quizzes/{m.folder}.html")]
        cells = " · ".join(f'<a href="{html.escape(h, quote=True)}">{html.escape(label)}</a>' for label, h in links)
        steps = t("course.list_sep", lang).join(str(n) for n in m.handbook)
        rows.append(f"<tr><td>{html.escape(module_title(m, lang))}</td><td>{m.minutes}</td>"
                    f"<td>{html.escape(steps)}</td><td>{cells}</td></tr>")
    table = (f'<table class="pk-table"><thead><tr><th>{html.escape(t("course.col.module", lang))}</th>'
             f'<th>{html.escape(t("course.col.minutes", lang))}</th><th>{html.escape(t("course.col.handbook", lang))}</th>'
             f'<th>{html.escape(t("course.col.materials", lang))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    if trainer:
        extra = nav([(t("course.nav.index", lang), "../index.html")])
        more = ""
    else:
        extra = nav([(t("course.nav.agenda", lang), "agenda.html"), (t("course.nav.feedback", lang), "feedback/index.html"),
                     (t("course.nav.trainer", lang), "trainer/index.html")])
        more = f"<h2>{html.escape(t('course.index.exercises', lang))}</h2><p>{html.escape(t('course.index.exercises_how', lang))}</p>"
    del pre
    return title, extra + head + table + more
