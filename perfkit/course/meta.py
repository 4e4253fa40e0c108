"""The course's description (``course/course.yaml``): modules and the two-day agenda.

Each module names the OECD/JRC Handbook steps and the source document's sections it teaches,
its minutes and its timed episodes (which add up to the module's minutes), and the perfkit
analyses it will use once they exist (``later``). The agenda lists each day's sessions: a
module or a fixed item (opening, break, lunch, discussion, feedback, closing); start times
follow from the day's start and the minutes. Problems are reported with the file and the
YAML path, like a scheme's.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import perfkit
from perfkit.errors import PerfkitError, UnknownNameError, did_you_mean
from perfkit.i18n import t
from perfkit.scheme.models import Label as Text

__all__ = ["CourseError", "Course", "Module", "Session", "course_root", "load_course", "agenda_markdown",
           "LANGS", "ITEMS"]

LANGS = ("zh", "en")
#: Agenda items that are not modules (labels ``course.item.<item>`` in the catalogue).
ITEMS = ("opening", "break", "lunch", "discussion", "feedback", "closing")


class CourseError(PerfkitError, ValueError):
    """An invalid ``course.yaml`` or course tree; ``where`` is (file, YAML path)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Episode(_Frozen):
    minutes: int = Field(gt=0)
    title: Text


class Later(_Frozen):
    """An analysis the module will use when it lands on main."""

    api: str
    zh: str
    en: str


class Module(_Frozen):
    id: str = Field(pattern=r"^m\d\d$")
    folder: str = Field(pattern=r"^\d\d_[a-z_]+$")
    title: Text
    minutes: int = Field(gt=0)
    handbook: tuple[int, ...] = Field(min_length=1)
    sections: tuple[str, ...] = Field(min_length=1)
    episodes: tuple[Episode, ...] = Field(min_length=1)
    later: tuple[Later, ...] = ()

    @field_validator("handbook")
    @classmethod
    def _steps(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        bad = [s for s in v if not 1 <= s <= 10]
        if bad:
            raise ValueError(f"the Handbook has steps 1 to 10, got {bad}")
        return v

    @model_validator(mode="after")
    def _episodes_fill_the_module(self) -> Module:
        total = sum(e.minutes for e in self.episodes)
        if total != self.minutes:
            raise ValueError(f"the episodes add up to {total} minutes, but the module has {self.minutes}")
        return self


class SessionSpec(_Frozen):
    module: str | None = None
    item: Literal[ITEMS] | None = None  # type: ignore[valid-type]
    minutes: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_kind(self) -> SessionSpec:
        if (self.module is None) == (self.item is None):
            raise ValueError("a session is either a module (module: m01) or an item (item: break)")
        if self.item is not None and self.minutes is None:
            raise ValueError(f"item {self.item!r} needs its minutes")
        return self


class Day(_Frozen):
    day: Text
    start: str = Field(pattern=r"^\d\d:\d\d$")
    sessions: tuple[SessionSpec, ...] = Field(min_length=1)


class CourseModel(_Frozen):
    title: Text
    source: str
    handbook: dict[int, Text]
    sources: dict[str, Text]
    sections: dict[str, Text]
    modules: tuple[Module, ...] = Field(min_length=1)
    agenda: tuple[Day, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Session:
    """One agenda session with its clock times."""

    day: int
    start: str
    end: str
    minutes: int
    module: Module | None
    item: str | None

    def label(self, lang: str) -> str:
        return self.module.title.get(lang) if self.module else t(f"course.item.{self.item}", lang)


@dataclass(frozen=True)
class Course:
    """The validated course: modules by id, the agenda with times, the citation tables."""

    model: CourseModel
    root: Path

    @property
    def modules(self) -> tuple[Module, ...]:
        return self.model.modules

    def module(self, module_id: str) -> Module:
        for m in self.model.modules:
            if m.id == module_id:
                return m
        raise UnknownNameError(f"no course module {module_id!r}{did_you_mean(module_id, [m.id for m in self.modules])}",
                               hint="module ids are listed in course/course.yaml")

    def folder(self, lang: str, module_id: str) -> Path:
        return self.root / lang / self.module(module_id).folder

    def sessions(self) -> list[Session]:
        out = []
        for d, day in enumerate(self.model.agenda, start=1):
            clock = _dt.datetime.strptime(day.start, "%H:%M")
            for s in day.sessions:
                m = self.module(s.module) if s.module else None
                minutes = s.minutes or m.minutes
                end = clock + _dt.timedelta(minutes=minutes)
                out.append(Session(d, clock.strftime("%H:%M"), end.strftime("%H:%M"), minutes, m, s.item))
                clock = end
        return out

    def section(self, sid: str, lang: str) -> str:
        """A citation of the source document: file, paper and section."""
        paper = self.model.sources[sid[0]].get(lang)
        return f"{paper} {self.model.sections[sid].get(lang)}"

    def step(self, n: int, lang: str) -> str:
        return t("course.step", lang, n=n, name=self.model.handbook[n].get(lang))


def course_root() -> Path:
    """The repository's ``course/`` folder."""
    return Path(perfkit.__file__).resolve().parents[1] / "course"


def _check(model: CourseModel, file: str) -> None:
    ids = [m.id for m in model.modules]
    for i, m in enumerate(model.modules):
        where = [file, f"modules[{i}]"]
        if ids.count(m.id) > 1:
            raise CourseError(f"module {m.id!r} is listed twice", where=where)
        unknown = [s for s in m.sections if s not in model.sections]
        if unknown:
            raise CourseError(f"unknown source section {unknown[0]!r}{did_you_mean(unknown[0], model.sections)}",
                              where=[*where, "sections"], hint="sections are listed under 'sections:'")
        missing = [s for s in m.handbook if s not in model.handbook]
        if missing:
            raise CourseError(f"handbook step {missing[0]} has no label", where=[*where, "handbook"])
    for s in model.sections:
        if s[0] not in model.sources:
            raise CourseError(f"section {s!r} names no paper (its first letter must be one of "
                              f"{', '.join(model.sources)})", where=[file, "sections", s])
    seen = []
    for d, day in enumerate(model.agenda):
        for j, s in enumerate(day.sessions):
            if s.module is not None:
                if s.module not in ids:
                    raise CourseError(f"unknown module {s.module!r}{did_you_mean(s.module, ids)}",
                                      where=[file, f"agenda[{d}].sessions[{j}]"])
                seen.append(s.module)
    if sorted(seen) != sorted(ids):
        twice = sorted({m for m in seen if seen.count(m) > 1})
        never = sorted(set(ids) - set(seen))
        raise CourseError("every module must be in the agenda exactly once"
                          + (f"; twice: {', '.join(twice)}" if twice else "")
                          + (f"; missing: {', '.join(never)}" if never else ""), where=[file, "agenda"])


def load_course(root: str | Path | None = None) -> Course:
    """Read and check ``course.yaml`` in ``root`` (default: the repository's ``course/``)."""
    root = Path(root) if root is not None else course_root()
    return _load(str(root.resolve()))


@lru_cache(maxsize=4)
def _load(root: str) -> Course:
    path = Path(root) / "course.yaml"
    if not path.is_file():
        raise CourseError("course.yaml not found", where=[str(path)], hint="give the course/ folder of the repository")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        model = CourseModel.model_validate(raw)
    except yaml.YAMLError as exc:
        raise CourseError(f"not valid YAML: {exc}", where=[str(path)]) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise CourseError(err["msg"], where=[str(path), loc]) from None
    _check(model, str(path))
    return Course(model=model, root=Path(root))


def agenda_markdown(course: Course, lang: str) -> str:
    """The two-day agenda as a Markdown page: sessions with times, modules with their episodes."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    title = course.model.title.get(lang)
    lines = [f"# {title}", "", t("course.agenda.intro", lang), ""]
    day = 0
    for s in course.sessions():
        if s.day != day:
            day = s.day
            lines += ["", f"## {course.model.agenda[day - 1].day.get(lang)}", "",
                      f"| {t('course.col.time', lang)} | {t('course.col.session', lang)} | "
                      f"{t('course.col.minutes', lang)} | {t('course.col.handbook', lang)} |", "|---|---|---|---|"]
        if s.module:
            m = s.module
            steps = t("course.list_sep", lang).join(str(n) for n in m.handbook)
            eps = "<br>".join(f"{i}. {e.title.get(lang)}（{e.minutes}）" if lang == "zh"
                              else f"{i}. {e.title.get(lang)} ({e.minutes})" for i, e in enumerate(m.episodes, 1))
            name = t("course.module_name", lang, n=int(m.id[1:]), title=m.title.get(lang))
            lines.append(f"| {s.start}–{s.end} | **{name}**<br>{eps} | {s.minutes} | {steps} |")
        else:
            lines.append(f"| {s.start}–{s.end} | {s.label(lang)} | {s.minutes} | |")
    lines += ["", t("course.agenda.steps", lang), ""]
    lines += [f"- {course.step(n, lang)}" for n in sorted(course.model.handbook)]
    return "\n".join(lines) + "\n"
