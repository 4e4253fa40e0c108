"""``perfkit course build``: the whole course for one round and one language, offline.

Steps:

1. start the report batch's executor (:mod:`perfkit.report.executors`: warm kernels in a
   process pool or on Dask) so the kernels warm up while the data are prepared;
2. with ``anonymise``, write an anonymised copy of the Demo City (every unit id and name
   replaced by its code, :mod:`perfkit.course.anonymise`) beside the real data sets, and
   pass the same replacement over every notebook, quiz and note of the course;
3. run every lesson notebook and every solution notebook (the latter with ``record=True``,
   so that the exercises' answer keys are recorded for this round and these data) and the
   course-evaluation notebook through papermill on the warm kernels;
4. write the lesson pages and their reveal.js slides, the trainees' exercise notebooks
   (parameters filled in for this round and data, no outputs), quizzes, the facilitator
   notes with solutions and quiz answers, the agenda, the course evaluation, an index page
   and ``manifest.json``;
5. with ``anonymise``, refuse to finish if any real unit id or name is left in any file;
6. swap the finished folder into ``out`` (a failed build leaves ``out`` as it was).

Output::

    index.html  agenda.html  manifest.json
    lessons/<module>.html   slides/<module>.html  slides/reveal/
    exercises/<module>.ipynb  exercises/keys/<m>.json   quizzes/<module>.html
    trainer/index.html  trainer/notes/  trainer/solutions/  trainer/quizzes/
    feedback/index.html  feedback/questionnaire.html  feedback/survey_template.csv
    data/            (with --anonymise: the anonymised data sets the exercises read)
    _run/            executed notebooks (open one to debug a failure)
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import papermill as pm

from perfkit import datasets
from perfkit.course.anonymise import Anonymiser, anonymise_tree, copy_tree
from perfkit.course.check import MIME
from perfkit.course.meta import Course, CourseError, load_course
from perfkit.course.pages import (
    agenda_page,
    index_page,
    lesson_page,
    load_quiz,
    module_title,
    nav,
    notes_page,
    quiz_page,
    write_page,
)
from perfkit.course.slides import write_deck, write_reveal
from perfkit.i18n import t
from perfkit.io.export import write_json
from perfkit.io.manifest import package_versions
from perfkit.report.executors import Job, JobResult, make_executor
from perfkit.report.html import notebook_to_html
from perfkit.scheme import load_scheme

__all__ = ["build_course", "record_keys", "CourseBuild", "NOTEBOOKS", "checks_in"]

#: The notebooks of a module folder.
NOTEBOOKS = ("lesson", "exercise", "solution")
FEEDBACK = "feedback"


@dataclass
class CourseBuild:
    """What a build produced: its folder, every notebook run, the checks the solutions passed."""

    out: Path
    lang: str
    round: str
    anonymised: bool
    results: list[JobResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    checks: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status != "ok"]


def checks_in(nb: Any) -> list[dict]:
    """The checker outcomes shown in an executed notebook (in cell order)."""
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if MIME in data:
                found.append(dict(data[MIME]))
    return found


def _source_nb(path: Path, a: Anonymiser | None):
    nb = nbformat.read(path, as_version=4)
    if a is not None:
        for cell in nb.cells:
            cell.source = a.text(cell.source)
    return nb


def _secs(x: float) -> float:
    return float(f"{x:.2f}")


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CourseError("--out names an existing file, not a folder", where=[str(out)],
                          hint="give a folder for the course (it is created if it does not exist)")


def _run(ex, jobs: list[Job], log: Callable[[str], None]) -> list[JobResult]:
    results = []
    for res in ex.run(jobs):
        results.append(res)
        if res.status != "ok":
            err = res.error or {}
            log(f"FAILED {res.id}: cell {err.get('notebook_cell', '?')}: {err.get('ename')}: "
                f"{str(err.get('evalue', ''))[:300]}")
    return results


def _job(jid: str, kind: str, src: Path, stage: Path, name: str, lang: str, params: dict, timeout: float) -> Job:
    return Job(id=jid, kind=kind, notebook=str(src), params=params,
               html=str(stage / "_run" / "html" / f"{name}.html"), ipynb=str(stage / "_run" / "notebooks" / f"{name}.ipynb"),
               lang=lang, timeout=timeout, meta={"perfkit-course": kind, "perfkit-lang": lang})


def _prepare_data(stage: Path, a: Anonymiser) -> Path:
    root = stage / "data"
    anonymise_tree(datasets.dataset_path("demo_city"), root / "demo_city", a)
    for name in ("oecd_bli", "asem"):
        src = datasets.dataset_path(name)
        copy_tree(src, root / src.relative_to(datasets.root()))
    readme = root / "README.md"
    readme.write_text(t("course.data_readme", "zh") + "\n\n" + t("course.data_readme", "en") + "\n", encoding="utf-8")
    return root


def _replace(stage: Path, out: Path) -> None:
    """Put the finished ``stage`` where ``out`` was (the old folder goes only once the new one is there)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    stage.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_course(*, round: str | int, lang: str, out: str | Path, anonymise: bool = False,  # noqa: A002
                 jobs: int = 2, executor: str = "local", scheduler: str | None = None, timeout: float = 600,
                 course: Course | None = None, log: Callable[[str], None] | None = None) -> CourseBuild:
    """Build the course (see the module docstring). Raises :class:`CourseError` when a
    notebook fails (``out`` is then left as it was; the executed notebooks stay in the
    staging folder named in the error)."""
    if lang not in ("zh", "en"):
        raise CourseError(f"--lang must be zh or en, got {lang!r}")
    log = log or (lambda s: print(s, file=sys.stderr))
    course = course or load_course()
    rnd = str(round)
    datasets.load("demo_city", rnd)  # an unknown round fails here, with the rounds it could be
    out = Path(out)
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.with_name(f".{out.name}.building-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    t0 = time.perf_counter()
    result = CourseBuild(out=out, lang=lang, round=rnd, anonymised=anonymise)
    a = None
    try:
        with make_executor(executor, jobs, scheduler=scheduler) as ex:
            ex.start()  # kernels warm up while the data and the notebooks are prepared
            data_root = None
            if anonymise:
                a = Anonymiser.from_folder(datasets.dataset_path("demo_city") / "rounds")
                data_root = _prepare_data(stage, a)
                log(f"anonymised {len(a.units)} units into {data_root}")
            t_data = time.perf_counter()
            src = stage / "_run" / "src"
            planned = []
            base = {"round": int(rnd) if rnd.isdigit() else rnd, "lang": lang,
                    "datasets": str(data_root) if data_root else None}
            keys = stage / "exercises" / "keys"
            for m in course.modules:
                folder = course.folder(lang, m.id)
                for kind in NOTEBOOKS:
                    p = folder / f"{kind}.ipynb"
                    if not p.is_file():
                        raise CourseError(f"module {m.id} has no {kind} notebook", where=[str(p)])
                    dst = src / m.folder / p.name
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    nbformat.write(_source_nb(p, a), dst)
                planned.append(_job(f"lesson:{m.id}", "lesson", src / m.folder / "lesson.ipynb", stage,
                                    f"lesson-{m.folder}", lang, dict(base), timeout))
                planned.append(_job(f"solution:{m.id}", "solution", src / m.folder / "solution.ipynb", stage,
                                    f"solution-{m.folder}", lang,
                                    {**base, "answers": str(keys), "record": True}, timeout))
            fb = course.root / lang / f"{FEEDBACK}.ipynb"
            (src / FEEDBACK).mkdir(parents=True, exist_ok=True)
            nbformat.write(_source_nb(fb, a), src / FEEDBACK / fb.name)
            planned.append(_job("feedback", "feedback", src / FEEDBACK / fb.name, stage, "feedback", lang,
                                {"lang": lang, "scheme": str(course.root / "feedback" / "scheme.yaml"),
                                 "answers": str(course.root / "feedback" / "sample")}, timeout))
            log(f"course {rnd} ({lang}): {len(planned)} notebooks, executor {executor}, jobs {jobs}")
            result.results = _run(ex, planned, log)
        t_run = time.perf_counter()
        if result.failed:
            raise CourseError(f"{len(result.failed)} notebook(s) failed: {', '.join(r.id for r in result.failed)}",
                              where=[str(stage / '_run' / 'notebooks')],
                              hint="open the executed notebooks there to see the failing cell")
        _write_pages(course, stage, lang, rnd, a, result)
        if a is not None:
            leaks = a.leaks(stage)
            if leaks:
                raise CourseError(f"a real unit name is left in the anonymised course: {leaks[0][1]!r}",
                                  where=[leaks[0][0]], hint="the anonymiser missed it; nothing was written to --out")
        result.timings = {"data": _secs(t_data - t0), "notebooks": _secs(t_run - t_data),
                          "pages": _secs(time.perf_counter() - t_run)}
        result.timings["total"] = _secs(time.perf_counter() - t0)
        _manifest(stage, result, executor, jobs)
        _replace(stage, out)
    except BaseException:
        if not result.failed:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    log(f"course written to {out} in {result.timings['total']:.1f} s "
        f"(notebooks {result.timings['notebooks']:.1f} s); open {out / 'index.html'}")
    return result


def _write_pages(course: Course, stage: Path, lang: str, rnd: str, a: Anonymiser | None, result: CourseBuild) -> None:
    run = stage / "_run" / "notebooks"
    fix = a.text if a is not None else (lambda s: s)
    write_reveal(stage / "slides" / "reveal")
    synthetic = t("course.synthetic", lang)
    for m in course.modules:
        folder = course.folder(lang, m.id)
        lesson = nbformat.read(run / f"lesson-{m.folder}.ipynb", as_version=4)
        title, body = lesson_page(course, m, lesson, lang)
        write_page(stage / "lessons" / f"{m.folder}.html", body, title=title, lang=lang,
                   meta={"perfkit-course": m.id, "perfkit-round": rnd})
        write_deck(lesson, stage / "slides" / f"{m.folder}.html", title=module_title(m, lang), lang=lang,
                   subtitle=f"{course.model.title.get(lang)} · {synthetic}")
        solution = nbformat.read(run / f"solution-{m.folder}.ipynb", as_version=4)
        checks = checks_in(solution)
        result.checks[m.id] = {"recorded": sum(c["outcome"] == "recorded" for c in checks),
                               "exercises": len({c["exercise"] for c in checks})}
        title, body = lesson_page(course, m, solution, lang, kind="trainer/solutions")
        write_page(stage / "trainer" / "solutions" / f"{m.folder}.html", body, title=title, lang=lang)
        # the trainees' exercise: parameters for this round and these data, no outputs
        params = {"round": int(rnd) if rnd.isdigit() else rnd, "lang": lang,
                  "datasets": "../data" if a is not None else None, "answers": "keys", "record": False}
        pm.execute_notebook(str(stage / "_run" / "src" / m.folder / "exercise.ipynb"),
                            str(stage / "exercises" / f"{m.folder}.ipynb"), parameters=params,
                            prepare_only=True, kernel_name="python3", progress_bar=False, log_output=False)
        quiz = load_quiz(folder / "quiz.yaml")
        quiz = [q.model_copy(update={"q": fix(q.q), "options": tuple(fix(o) for o in q.options), "why": fix(q.why)})
                for q in quiz]
        for answers, where in ((False, stage / "quizzes"), (True, stage / "trainer" / "quizzes")):
            title, body = quiz_page(course, m, quiz, lang, answers=answers)
            write_page(where / f"{m.folder}.html", body, title=title, lang=lang)
        title, body = notes_page(course, m, fix((folder / "notes.md").read_text(encoding="utf-8")), lang)
        write_page(stage / "trainer" / "notes" / f"{m.folder}.html", body, title=title, lang=lang)
    title, body = agenda_page(course, lang)
    write_page(stage / "agenda.html", body, title=title, lang=lang)
    for trainer, path in ((False, stage / "index.html"), (True, stage / "trainer" / "index.html")):
        title, body = index_page(course, lang, round=rnd, anonymised=a is not None, synthetic_note=synthetic,
                                 trainer=trainer)
        write_page(path, body, title=title, lang=lang)
    _feedback_pages(course, stage, lang)


def _feedback_pages(course: Course, stage: Path, lang: str) -> None:
    """The course evaluation (executed on the sample answers), the questionnaire and a blank
    answer sheet with the columns the survey summary reads."""
    nb = nbformat.read(stage / "_run" / "notebooks" / "feedback.ipynb", as_version=4)
    top = nav([(t("course.nav.index", lang), "../index.html"),
               (t("course.nav.questionnaire", lang), "questionnaire.html")])
    write_page(stage / "feedback" / "index.html", top + notebook_to_html(nb), title=t("course.feedback.title", lang),
               lang=lang)
    s = load_scheme(course.root / "feedback" / "scheme.yaml")
    items = list(s.model.survey.items)
    groups = s.model.survey.group_labels
    rows = "".join(f"<li><p>{t(f'course.survey.{i}', lang)}</p><p class=\"pk-note\">"
                   f"{t('course.survey.scale', lang)}</p></li>" for i in items)
    who = t("course.list_sep", lang).join(groups[g].get(lang) for g in s.model.survey.groups)
    body = (nav([(t("course.nav.index", lang), "../index.html"), (t("course.nav.feedback", lang), "index.html")])
            + f"<h1>{t('course.survey.title', lang)}</h1><p>{t('course.survey.intro', lang, groups=who)}</p>"
            + f"<ol>{rows}</ol><p class=\"pk-note\">{t('course.survey.how', lang)}</p>")
    write_page(stage / "feedback" / "questionnaire.html", body, title=t("course.survey.title", lang), lang=lang)
    cols = ["round", "respondent_id", "unit_id", "respondent_group", *items]
    pd.DataFrame(columns=cols).to_csv(stage / "feedback" / "survey_template.csv", index=False, encoding="utf-8-sig")


def _manifest(stage: Path, result: CourseBuild, executor: str, jobs: int) -> None:
    write_json(stage / "manifest.json", {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv), "round": result.round, "lang": result.lang, "anonymised": result.anonymised,
        "executor": {"name": executor, "jobs": jobs}, "timings": result.timings,
        "notebooks": [{"id": r.id, "status": r.status, "seconds": _secs(r.seconds), "worker": r.worker}
                      for r in sorted(result.results, key=lambda r: r.id)],
        "answer_keys": result.checks, "versions": package_versions()})


def record_keys(rounds: Sequence[str | int], *, modules: Sequence[str] | None = None, jobs: int = 2,
                course: Course | None = None, answers: str | Path | None = None,
                log: Callable[[str], None] | None = None) -> list[JobResult]:
    """Run the solution notebooks (English tree) with ``record=True`` for each round, writing
    the answer keys into ``answers`` (default ``course/checks/keys``)."""
    log = log or (lambda s: print(s, file=sys.stderr))
    course = course or load_course()
    keys = Path(answers) if answers is not None else course.root / "checks" / "keys"
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"perfkit-course-keys-{os.getpid()}"
    planned = []
    for r in rounds:
        rnd = str(r)
        datasets.load("demo_city", rnd)
        for m in course.modules:
            if modules and m.id not in modules:
                continue
            nb = course.folder("en", m.id) / "solution.ipynb"
            planned.append(_job(f"keys:{rnd}:{m.id}", "solution", nb, work, f"{rnd}-{m.folder}", "en",
                                {"round": int(rnd) if rnd.isdigit() else rnd, "lang": "en", "datasets": None,
                                 "answers": str(keys), "record": True}, 600))
    # one module's rounds one after another: they rewrite the same key file
    by_module: dict[str, list[Job]] = {}
    for j in planned:
        by_module.setdefault(j.id.split(":")[2], []).append(j)
    results = []
    try:
        with make_executor("local", jobs) as ex:
            width = max(len(v) for v in by_module.values()) if by_module else 0
            for i in range(width):
                wave = [v[i] for v in by_module.values() if i < len(v)]
                results += _run(ex, wave, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"recorded the answer keys of {len(by_module)} module(s) for round(s) {', '.join(map(str, rounds))} "
        f"into {keys}")
    return results
