"""The weight explorer: sliders over a scheme's points or weights, ranks and grades live.

One slider per child of a node (by default the root's components). Moving one slider sets
that component's points (points schemes: the siblings share the rest in their present
proportions, so the total stays 100) or its relative weight (composite schemes: the
siblings keep theirs). Every move re-evaluates the round on the batched engine of
:mod:`perfkit.sensitivity` — the scheme is compiled once, and each setting is one replicate
of :func:`perfkit.sensitivity.run_design` plus a small cloud of ±``spread`` weight noise
around it — so an update takes milliseconds, not a full :func:`perfkit.evaluate`. The units
shown are those whose rank or grade moved from the scheme as it stands, and the *borderline*
units: those that keep the grade of this setting in fewer than ``threshold`` of the cloud's
replicates.

In JupyterLab :meth:`Explorer.show` displays live ipywidgets; where no widget can run (the
course's HTML pages, a notebook viewer) the same output carries a static fallback: the
tables for the scheme as it stands and for a few example settings.

Only the public API of :mod:`perfkit.sensitivity` is used: :func:`compile_scheme`, the
factors :class:`Points`, :class:`Weight` and :class:`WeightNoise` (``bind``) and
:func:`run_design`. A points setting is reached exactly by a sequence of degenerate
``Points`` factors, each of which rescales its siblings in their current proportions
(:func:`points_sequence` computes the sequence).
"""
from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import display

import perfkit.sensitivity as ps
from perfkit.course.lesson import table_html
from perfkit.engine import Evaluation
from perfkit.errors import PerfkitError, UnknownNameError, did_you_mean
from perfkit.i18n import t

__all__ = ["Explorer", "ExplorerState", "points_sequence", "rescale"]


def rescale(values: np.ndarray, k: int, value: float, total: float) -> np.ndarray:
    """Set ``values[k]`` to ``value`` and scale the others so that they add up to ``total``
    in their present proportions (equally when they are all zero).

    >>> rescale(np.array([60., 25., 15.]), 2, 25, 100).round(4).tolist()
    [52.9412, 22.0588, 25.0]
    """
    v = np.asarray(values, dtype=float).copy()
    if not 0 <= value <= total:
        raise ValueError(f"{value} is outside [0, {total}]")
    others = np.delete(np.arange(len(v)), k)
    rest = v[others].sum()
    v[others] = v[others] * ((total - value) / rest) if rest > 0 else (total - value) / max(len(others), 1)
    v[k] = value
    return v


def points_sequence(nominal: np.ndarray, target: np.ndarray, total: float) -> list[tuple[int, float]]:
    """``(child, points)`` steps that take ``nominal`` to ``target`` when each step sets one
    child's points and rescales the others in their current proportions (the semantics of
    :class:`perfkit.sensitivity.Points`).

    After the step for child ``k``, the children set so far and the one left to the end
    (the largest in ``target``) stand in the target's proportions; the last step then makes
    them the target itself.

    >>> steps = points_sequence(np.array([60., 25., 15.]), np.array([50., 20., 30.]), 100)
    >>> v = np.array([60., 25., 15.])
    >>> for k, p in steps:
    ...     v = rescale(v, k, p, 100)
    >>> v.round(9).tolist()
    [50.0, 20.0, 30.0]
    """
    v = np.asarray(nominal, dtype=float) * (total / np.sum(nominal))
    target = np.asarray(target, dtype=float)
    if abs(target.sum() - total) > 1e-6 * max(total, 1):
        raise ValueError(f"the target adds up to {target.sum():g}, not {total:g}")
    last = int(np.argmax(target))
    steps = []
    done = [last]
    for k in range(len(v)):
        if k == last:
            continue
        keep = np.array(done)
        c = target[k] / target[keep].sum()
        rho = v[keep].sum() / (total - v[k]) if total - v[k] > 0 else np.inf
        a = total if not np.isfinite(rho) else c * rho * total / (1 + c * rho)
        a = float(min(max(a, 0.0), total))
        v = rescale(v, k, a, total)
        steps.append((k, a))
        done.append(k)
    if not np.allclose(v, target, atol=1e-7 * max(total, 1)):  # pragma: no cover - guarded by the doctest
        raise PerfkitError("the explorer could not reach the requested points")
    return steps


@dataclass(frozen=True)
class ExplorerState:
    """One setting of the sliders and what it gives.

    Attributes
    ----------
    values
        The children's points (or weights) of this setting.
    units
        Per unit: final score, rank, grade under this setting; the scheme's own rank and
        grade; the rank change; whether the grade changed; the probability of this
        setting's grade under the ±spread cloud; borderline.
    seconds
        How long the evaluation took.
    """

    values: pd.Series
    units: pd.DataFrame
    seconds: float

    @property
    def changed(self) -> pd.DataFrame:
        """Units whose rank or grade differs from the scheme as it stands, or borderline."""
        u = self.units
        return u[(u["rank_change"] != 0) | u["grade_changed"] | u["borderline"]]


class Explorer:
    """Sliders over the points (or weights) of ``node``'s children (see the module docstring).

    Parameters
    ----------
    evaluation
        The round, evaluated (:func:`perfkit.evaluate`).
    node
        The aggregate node whose children get sliders (default: the root).
    lang
        ``zh`` or ``en`` (labels and unit names).
    spread, n, threshold
        The cloud around each setting: weights times U(1 - spread, 1 + spread), ``n``
        replicates; borderline below ``threshold``.
    rng
        Seed of the cloud (the same seed gives the same borderline units).
    """

    def __init__(self, evaluation: Evaluation, *, node: str | None = None, lang: str = "zh",
                 spread: float = 0.2, n: int = 128, threshold: float = 0.9, rng: int = 1):
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
        scheme = evaluation.scheme
        self.ev = evaluation
        self.lang = lang
        self.node = node or scheme.root.id
        nodes = scheme.nodes
        if self.node not in nodes:
            raise UnknownNameError(f"no node {self.node!r}{did_you_mean(self.node, nodes)}")
        children = nodes[self.node].children
        if len(children) < 2:
            raise PerfkitError(f"node {self.node!r} has fewer than two children: nothing to weigh")
        self.children = tuple(ch.id for ch in children)
        self.paradigm = scheme.paradigm
        if self.paradigm == "points":
            self.total = float(nodes[self.node].points)
            self.nominal = np.array([float(ch.points or 0) for ch in children])
        else:
            self.total = None
            self.nominal = np.array([float(ch.weight if ch.weight is not None else 1.0) for ch in children])
        self.labels = {ch.id: ch.label.get(lang) for ch in children}
        self.spread, self.n, self.threshold = float(spread), int(n), float(threshold)
        self.cs = ps.compile_scheme(evaluation)
        self._noise = ps.WeightNoise(self.spread, nodes=(self.node,)).bind(self.cs)
        u = np.random.default_rng(rng).random((self.n, self._noise.dims))
        u[0] = 0.5  # the first replicate is the setting itself (noise factor 1)
        self._u_noise = u
        r = evaluation.results
        self._name = r["name_zh" if lang == "zh" else "name_en"].astype(str)
        self._category = r["category"]
        self._rank0 = r["rank"].to_numpy(dtype=float)
        self._grade0 = r["grade"].to_numpy(dtype=object) if "grade" in r else np.full(len(r), None, dtype=object)
        self.values = self.nominal.copy()
        self.state = self.evaluate(self.values)

    # ------------------------------------------------------------------ the engine
    def _factors(self, values: np.ndarray) -> list:
        if self.paradigm == "points":
            steps = points_sequence(self.nominal, values, self.total)
            return [ps.Points(self.children[k], p, p).bind(self.cs) for k, p in steps]
        return [ps.Weight(cid, float(w), float(w)).bind(self.cs) for cid, w in zip(self.children, values)]

    def evaluate(self, values: Sequence[float] | Mapping[str, float]) -> ExplorerState:
        """Ranks and grades under ``values`` (all children, in order, or a mapping)."""
        t0 = time.perf_counter()
        if isinstance(values, Mapping):
            unknown = [k for k in values if k not in self.children]
            if unknown:
                raise UnknownNameError(f"{unknown[0]!r} is not a child of {self.node!r}"
                                       f"{did_you_mean(unknown[0], self.children)}")
            v = self.values.copy()
            for k, val in values.items():
                v = self._set(v, self.children.index(k), float(val))
        else:
            v = np.asarray(values, dtype=float)
        bound = tuple(self._factors(v)) + (self._noise,)
        fixed = np.zeros((self.n, sum(b.dims for b in bound) - self._noise.dims))
        out = ps.run_design(self.cs, bound, np.hstack([fixed, self._u_noise]), entropy=0)
        names = self.cs.grade_names
        codes = out.grade
        grade = np.array([names[g] if g >= 0 else None for g in codes[0]], dtype=object)
        same = (codes == codes[0]).mean(axis=0)
        has_grades = bool(names)
        units = pd.DataFrame({
            "name": self._name.to_numpy(), "category": self._category.to_numpy(),
            "final": out.final[0], "rank": out.rank[0].astype(float), "grade": grade,
            "nominal_rank": self._rank0, "nominal_grade": self._grade0,
            "rank_change": out.rank[0].astype(float) - self._rank0,
            "grade_changed": (grade != self._grade0) if has_grades else np.zeros(len(grade), bool),
            "p_grade": same, "borderline": (same < self.threshold) if has_grades else np.zeros(len(grade), bool),
        }, index=self.ev.results.index)
        return ExplorerState(pd.Series(v, index=list(self.children)), units, time.perf_counter() - t0)

    def _set(self, v: np.ndarray, k: int, value: float) -> np.ndarray:
        if self.paradigm == "points":
            return rescale(v, k, value, self.total)
        v = v.copy()
        v[k] = value
        return v

    def set(self, child: str, value: float) -> ExplorerState:
        """Move one slider: ``child`` to ``value`` (siblings rescaled in a points scheme)."""
        if child not in self.children:
            raise UnknownNameError(f"{child!r} is not a child of {self.node!r}{did_you_mean(child, self.children)}")
        self.values = self._set(self.values, self.children.index(child), float(value))
        self.state = self.evaluate(self.values)
        return self.state

    # ------------------------------------------------------------------ showing
    def _t(self, key: str, **fmt) -> str:
        return t(f"course.explorer.{key}", self.lang, **fmt)

    def table_html(self, state: ExplorerState | None = None, *, rows: int = 20) -> str:
        """The setting's points and the units that moved (rank, grade) or are borderline."""
        s = state or self.state
        unit = "points" if self.paradigm == "points" else "weight"
        setting = ", ".join(f"{self.labels[c]} {v:.1f}" if unit == "points" else f"{self.labels[c]} {v:.2f}"
                            for c, v in s.values.items())
        ch = s.changed.sort_values(["category", "rank"])
        grade = (lambda g: t(f"grade.{g}", self.lang) if isinstance(g, str) else "—")
        cats = {c.id: c.label.get(self.lang) for c in self.ev.scheme.model.categories}
        df = pd.DataFrame({
            self._t("unit"): ch["name"], self._t("category"): [cats.get(c, c) for c in ch["category"]],
            self._t("final"): ch["final"].round(2),
            self._t("rank"): [f"{a:.0f} ({b:+.0f})" if b else f"{a:.0f}" for a, b in zip(ch["rank"], ch["rank_change"])],
            self._t("grade"): [grade(g) + (f" ← {grade(g0)}" if c else "")
                               for g, g0, c in zip(ch["grade"], ch["nominal_grade"], ch["grade_changed"])],
            self._t("p_grade"): [f"{p:.0%}" for p in ch["p_grade"]],
            self._t("borderline"): [self._t("yes") if b else "" for b in ch["borderline"]],
        })
        summary = self._t("summary", moved=int((s.units["rank_change"] != 0).sum()),
                          graded=int(s.units["grade_changed"].sum()), borderline=int(s.units["borderline"].sum()),
                          ms=f"{s.seconds * 1000:.0f}")
        body = table_html(df, rows=rows) if len(df) else f'<p class="pk-note">{html.escape(self._t("none"))}</p>'
        return (f"<p><b>{html.escape(self._t('setting'))}</b> {html.escape(setting)}</p>"
                f'<p class="pk-note">{html.escape(summary)}</p>{body}')

    def static_html(self, examples: Sequence[Mapping[str, float]] = ()) -> str:
        """The fallback where widgets cannot run: the scheme as it stands, then each example."""
        parts = [f"<h4>{html.escape(self._t('nominal'))}</h4>", self.table_html(self.evaluate(self.nominal))]
        for ex in examples:
            saved = self.values
            self.values = self.nominal.copy()
            try:
                st = self.evaluate(ex)
            finally:
                self.values = saved
            what = ", ".join(f"{self.labels[k]} → {v:g}" for k, v in ex.items())
            parts += [f"<h4>{html.escape(self._t('example', what=what))}</h4>", self.table_html(st)]
        note = f'<p class="pk-note">{html.escape(self._t("static_note", spread=f"{self.spread:.0%}"))}</p>'
        return f'<div class="pk-explorer">{note}{"".join(parts)}</div>'

    def widget(self) -> widgets.Widget:
        """The live explorer: one slider per child, the table updating as a slider moves."""
        step = 0.5 if self.paradigm == "points" else 0.05
        top = self.total if self.paradigm == "points" else float(max(self.nominal) * 3)
        sliders = {c: widgets.FloatSlider(value=float(v), min=0.0, max=top, step=step, description=self.labels[c],
                                          continuous_update=True, readout_format=".1f",
                                          style={"description_width": "10em"}, layout={"width": "36em"})
                   for c, v in zip(self.children, self.values)}
        out = widgets.HTML(self.table_html())
        reset = widgets.Button(description=self._t("reset"))
        busy = {"on": False}

        def moved(change, child):
            if busy["on"]:
                return
            busy["on"] = True
            try:
                st = self.set(child, change["new"])
                for c, s in sliders.items():
                    s.value = float(st.values[c])
                out.value = self.table_html(st)
            finally:
                busy["on"] = False

        for c, s in sliders.items():
            s.observe(lambda ch, c=c: moved(ch, c), names="value")

        def do_reset(_):
            busy["on"] = True
            try:
                self.values = self.nominal.copy()
                self.state = self.evaluate(self.values)
                for c, s in sliders.items():
                    s.value = float(self.state.values[c])
                out.value = self.table_html()
            finally:
                busy["on"] = False

        reset.on_click(do_reset)
        self._sliders, self._out = sliders, out  # for tests and for scripting the explorer
        return widgets.VBox([*sliders.values(), reset, out])

    def show(self, examples: Sequence[Mapping[str, float]] = ()) -> None:
        """Display the live widget, with the static fallback in the same output."""
        bundle = self.widget()._repr_mimebundle_()
        bundle = dict(bundle or {})
        bundle["text/html"] = self.static_html(examples)
        display(bundle, raw=True)
