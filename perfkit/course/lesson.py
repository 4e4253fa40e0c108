"""What a course notebook holds on to: its module, language, round and data sets.

A lesson, exercise or solution notebook starts with::

    import perfkit.course as pc
    c = pc.Lesson("m04", lang=lang, round=round, datasets=datasets)
    c.header()                      # the module's map: Handbook steps, source sections, episodes
    ev = c.evaluate()               # the Demo City's round, evaluated once
    c.table(ev.results[["name_zh", "final", "grade"]])

Every computation is a perfkit call; this object only knows which data to use (the bundled
data sets, or another folder with the same layout, e.g. the anonymised copy the course
build writes), which language to speak, and how to show a table or a chart in it.
"""
from __future__ import annotations

import contextlib
import html
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import display

import perfkit
from perfkit import datasets as _datasets
from perfkit.charts import render
from perfkit.course.check import Checker
from perfkit.course.meta import Course, load_course
from perfkit.datasets.load import ENV_VAR
from perfkit.i18n import has, t
from perfkit.report.facts import RoundFacts, build_facts
from perfkit.report.show import Block

__all__ = ["Lesson", "resolve_lang", "table_html"]


def resolve_lang(lang: str | None, cwd: str | Path | None = None) -> str:
    """``lang``, or the language of the course tree the notebook runs in (``course/zh/...``
    or ``course/en/...``), or ``zh``."""
    if lang is not None:
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
        return lang
    for part in reversed(Path(cwd or os.getcwd()).resolve().parts):
        if part in ("zh", "en"):
            return part
    return "zh"


def _cell(v: Any, digits: int) -> str:
    if isinstance(v, Block):
        return v.html
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    if isinstance(v, float | np.floating):
        return f"{v:.{digits}f}"
    if isinstance(v, tuple | list):
        return html.escape("、".join(map(str, v)) if v else "—")
    return html.escape(str(v))


def table_html(df: pd.DataFrame, *, digits: int = 2, index: bool = False, rows: int | None = None) -> str:
    """``df`` as the report's table (floats to ``digits`` decimals, text escaped)."""
    if index:
        df = df.reset_index()
    if rows is not None:
        df = df.head(rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v, digits)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f'<table class="pk-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


@contextlib.contextmanager
def _datasets_root(folder: str | Path | None) -> Iterator[None]:
    """Read the data sets from ``folder`` (same layout as the repository's ``datasets/``)."""
    if folder is None:
        yield
        return
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(Path(folder).resolve())
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = old


class Lesson:
    """The context of one course notebook.

    Parameters
    ----------
    module
        The module id in ``course/course.yaml`` (``"m04"``).
    lang
        ``zh``, ``en`` or ``None`` (the language of the course tree the notebook is in).
    round
        The Demo City round the notebook works on (``2025``).
    datasets
        A folder of data sets with the repository's layout (``None``: the bundled ones).
    course
        The course description (default: the repository's ``course/course.yaml``).
    """

    def __init__(self, module: str, *, lang: str | None = None, round: str | int = 2025,  # noqa: A002
                 datasets: str | Path | None = None, course: Course | None = None):
        self.course = course or load_course()
        self.module = self.course.module(module)
        self.lang = resolve_lang(lang)
        self.round = str(round)
        self.datasets = Path(datasets).resolve() if datasets is not None else None
        if self.datasets is not None and not self.datasets.is_dir():
            raise perfkit.DataError("the data-set folder does not exist", where=[str(self.datasets)],
                                    hint="give the folder that holds demo_city/ and real/, or None")
        self._cache: dict[tuple, Any] = {}

    def __repr__(self) -> str:
        return f"Lesson({self.module.id!r}, lang={self.lang!r}, round={self.round!r})"

    # ------------------------------------------------------------------ words
    def t(self, key: str, **fmt) -> str:
        """The catalogue label ``key`` in this notebook's language."""
        return t(key, self.lang, **fmt)

    def label(self, text: Any) -> str:
        """A bilingual label (a scheme's ``Label``, a ``{zh, en}`` dict) in this language."""
        if isinstance(text, dict):
            return str(text.get(self.lang) or text.get("en") or "")
        get = getattr(text, "get", None)
        return str(get(self.lang)) if callable(get) else str(text)

    @property
    def name_col(self) -> str:
        """The unit-name column of results tables in this language."""
        return "name_zh" if self.lang == "zh" else "name_en"

    # ------------------------------------------------------------------ data
    def load(self, name: str = "demo_city", round: str | int | None = None) -> _datasets.Dataset:  # noqa: A002
        """One round of a data set (``round`` defaults to this notebook's round for the Demo City,
        the data set's latest round otherwise)."""
        rnd = str(round) if round is not None else (self.round if name == "demo_city" else None)
        key = ("load", name, rnd)
        if key not in self._cache:
            with _datasets_root(self.datasets):
                self._cache[key] = _datasets.load(name, round=rnd)
        return self._cache[key]

    def evaluate(self, name: str = "demo_city", round: str | int | None = None) -> perfkit.Evaluation:  # noqa: A002
        """:func:`perfkit.evaluate` of :meth:`load` (evaluated once per notebook)."""
        ds = self.load(name, round)
        key = ("evaluate", name, ds.round)
        if key not in self._cache:
            self._cache[key] = perfkit.evaluate(ds.scheme, ds.data)
        return self._cache[key]

    def returned(self, round: str | int | None = None) -> _datasets.Dataset:  # noqa: A002
        """The Demo City round whose values are the collectors' raw returned files."""
        with _datasets_root(self.datasets):
            return _datasets.load_returned("demo_city", str(round or self.round))

    def planted(self) -> dict:
        """The findings planted in the synthetic Demo City (``planted.yaml``)."""
        with _datasets_root(self.datasets):
            return _datasets.planted("demo_city")

    def dataset_path(self, name: str = "demo_city") -> Path:
        with _datasets_root(self.datasets):
            return _datasets.dataset_path(name)

    def facts(self, ev: perfkit.Evaluation | None = None) -> RoundFacts:
        """The report's facts of an evaluation (labels, results, every point lost), built once."""
        ev = ev if ev is not None else self.evaluate()
        key = ("facts", id(ev))
        if key not in self._cache:
            self._cache[key] = (ev, build_facts({str(ev.input_data.round or self.round): ev},
                                                round=str(ev.input_data.round or self.round)))
        return self._cache[key][1]

    def checker(self, *, answers: str | Path | None = None, record: bool = False) -> Checker:
        """The checker of this module's exercises on this round, in this language."""
        return Checker(self.module.id, round=self.round, lang=self.lang, answers=answers, record=record)

    # ------------------------------------------------------------------ showing
    def show(self, html_text: str) -> None:
        display(Block(html_text))

    def table(self, df: pd.DataFrame | pd.Series, *, digits: int = 2, index: bool = False,
              rows: int | None = None) -> None:
        """Display ``df`` with its ``col.*`` / ``course.col.*`` headers in this language."""
        if isinstance(df, pd.Series):
            df = df.to_frame()
            index = True
        df = self._pretty(df)
        df = df.rename(columns={c: self._header(c) for c in df.columns})
        if index and df.index.name:
            df.index = df.index.rename(self._header(df.index.name))
        self.show(table_html(df, digits=digits, index=index, rows=rows))

    _GRADES = ("grade", "nominal_grade", "new_grade")
    _RANKS = ("rank", "nominal_rank", "rank_lo", "rank_hi", "median_rank", "category_size")

    def _labels(self) -> tuple[dict[str, str], dict[str, str]]:
        """Category and veto-item labels of the schemes loaded so far, in this language."""
        cats, vetoes = {}, {}
        for key, obj in self._cache.items():
            if key[0] == "load":
                cats.update({c.id: c.label.get(self.lang) for c in obj.scheme.model.categories})
                vetoes.update({k: v.label.get(self.lang) for k, v in obj.scheme.model.adjustments.veto.items()})
        return cats, vetoes

    def _pretty(self, df: pd.DataFrame) -> pd.DataFrame:
        """Grades, categories and veto items as labels; ranks as whole numbers."""
        cats, vetoes = self._labels()
        out = df.copy()
        for col in out.columns:
            if col in self._GRADES:
                out[col] = [t(f"grade.{g}", self.lang) if isinstance(g, str) and has(f"grade.{g}") else g
                            for g in out[col]]
            elif col in self._RANKS:
                out[col] = [v if not isinstance(v, float | np.floating) or np.isnan(v) else f"{v:.0f}"
                            for v in out[col]]
            elif col == "category":
                out[col] = [cats.get(v, v) for v in out[col]]
            elif col == "vetoes":
                out[col] = [tuple(vetoes.get(x, x) for x in v) if isinstance(v, tuple) else v for v in out[col]]
        return out

    def _header(self, col: Any) -> str:
        for key in (f"course.col.{col}", f"col.{col}"):
            if has(key):
                return self.t(key)
        return str(col)

    def problems(self, report, *, warnings: bool = False) -> None:
        """The problems of a :class:`~perfkit.ValidationReport`: file, sheet, row, column, what
        and how to fix it (errors; with ``warnings`` the warnings too)."""
        rows = report.problems if warnings else report.errors
        self.table(pd.DataFrame({
            "severity": [p.severity for p in rows], "file": [Path(p.file).name if p.file else "" for p in rows],
            "sheet": [p.sheet or "" for p in rows], "row": [p.row if p.row is not None else "" for p in rows],
            "column": [p.column or "" for p in rows], "message": [p.message for p in rows],
            "hint": [p.hint or "" for p in rows]}))

    def chart(self, chart) -> None:
        """Render an Altair chart to inline SVG (offline) and display it."""
        display(Block(render(chart)._repr_html_()))

    def header(self) -> None:
        """The module's map: Handbook steps, the source document's sections, the timed
        episodes and the analyses the module will use when they land."""
        m, lang, c = self.module, self.lang, self.course
        sep = self.t("course.list_sep")
        rows = [(self.t("course.head.handbook"), html.escape(sep.join(c.step(n, lang) for n in m.handbook))),
                (self.t("course.head.source"), "<br>".join(
                    html.escape(self.t("course.cite", file=c.model.source, section=c.section(s, lang)))
                    for s in m.sections)),
                (self.t("course.head.episodes"), "<br>".join(
                    html.escape(self.t("course.episode", n=i, title=e.title.get(lang), minutes=e.minutes))
                    for i, e in enumerate(m.episodes, 1))),
                (self.t("course.head.data"), html.escape(self.t("course.data_note", round=self.round)))]
        if m.later:
            rows.append((self.t("course.head.later"), "<br>".join(
                html.escape(self.t("course.later_item", api=x.api, what=getattr(x, lang))) for x in m.later)))
        body = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
        title = self.t("course.module_name", n=int(m.id[1:]), title=m.title.get(lang))
        self.show(f'<div class="pk-module-head"><p class="pk-sub">{html.escape(title)} · '
                  f'{html.escape(self.t("course.minutes", minutes=m.minutes))}</p>'
                  f'<table class="pk-table pk-map">{body}</table></div>')
