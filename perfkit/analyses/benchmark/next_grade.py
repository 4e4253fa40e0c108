"""How many points on which indicator would lift a unit to the next grade — from the
scheme's own rules, verified by re-evaluating the round with the change.

:func:`points_to_next_grade` works on the engine's stages: for a candidate value of one
indicator (or functional target) of the unit, the indicator is re-scored by the engine's
own stage functions (:func:`perfkit.stages.score_leaf`, :func:`perfkit.stages.target_shares`),
its parents re-aggregated (:func:`perfkit.stages.aggregate_node`), bonus and penalty (as
capped) added, and the category re-graded by :func:`perfkit.engine.grading.grade_indices`
with its thresholds, quotas, tie rule and vetoes. So relative scoring (a min-max
indicator re-scales every unit), quotas (the unit must overtake the last unit inside the
quota) and discrete rules (grades A-D, bands, cases) are what the scheme makes them. The
search moves the value in the indicator's better direction, on the precision the data are
reported in, up to the indicator's declared ``range`` (or where its score stops rising);
the smallest value that reaches the grade is the answer, and the gain is the points the
unit earns by it.

When no single indicator can do it, the indicators with the most room are raised to their
best in turn, the last one only as far as needed. A veto that caps the grade, a unit
already at the best grade, or a bar no change can reach is said as such.

:func:`verify_next_grade` changes the round's data (the value in the values table, the
special-assessment score, the unit's survey answers shifted evenly, or the functional
target's achieved value) and re-runs :func:`perfkit.evaluate`: the suggested change must
reach the grade and the change one step smaller must not.
"""
from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from perfkit.engine.evaluate import evaluate
from perfkit.engine.evaluation import Evaluation
from perfkit.engine.grading import grade_indices, veto_caps
from perfkit.engine.survey import summarise_survey
from perfkit.errors import DataError, UnknownNameError, did_you_mean
from perfkit.i18n import t
from perfkit.results import Alert, html_head, html_table
from perfkit.scheme.models import MethodSpec
from perfkit.stages import (
    aggregate_node,
    applicable,
    child_weights,
    comparable,
    compile_leaves,
    score_leaf,
    target_rows,
    target_shares,
)

__all__ = ["NextGrade", "NextGrades", "Verification", "points_to_next_grade", "next_grades", "verify_next_grade",
           "STATUSES"]

#: ``top``: already the best grade; ``veto``: a veto caps the grade; ``single``: one
#: indicator can do it; ``combination``: several are needed; ``out_of_reach``: not even
#: every indicator at its best; ``no_grade``: the unit has no score or the scheme no grades.
STATUSES = ("top", "veto", "single", "combination", "out_of_reach", "no_grade")
_EPS = 1e-9
_PROBES = 48


# ---------------------------------------------------------------------- the round as a function
class _Round:
    """The round's stages for re-scoring one unit's indicators."""

    def __init__(self, ev: Evaluation):
        s = ev.scheme
        self.ev, self.s = ev, s
        self.units = list(ev.results.index)
        self.n = len(self.units)
        self.cats = ev.results["category"].to_numpy(dtype=object)
        self.kept = ev.kept if ev.kept is not None else np.ones(self.n, dtype=bool)
        self.app = applicable(s, self.cats)
        self.leaves = {lf.id: lf for lf in compile_leaves(s, self.app, self.kept)}
        self.base = {c: ev.scores[c].to_numpy(dtype=float) for c in ev.scores.columns}
        self.base.update({c: ev.nodes[c].to_numpy(dtype=float) for c in ev.nodes.columns})
        r = ev.results
        self.adj = (r["bonus"].to_numpy(dtype=float) - r["penalty"].to_numpy(dtype=float))
        self.scale = (s.root.points or 100.0) / 100.0 if s.paradigm == "points" else 1.0
        self.final = r["final"].to_numpy(dtype=float)
        g = s.model.grading
        self.grading = g

        self.bottom_up = [n for _, n in reversed(list(s.root.walk())) if n.children]
        self.precision: dict[str, float] = {}
        self._rows: dict[str, Any] = {}
        self._cats: dict[str, Any] = {}
        self.treated = {c: ev.treated[c].to_numpy(dtype=float) for c in ev.treated.columns}
        self.text = {c: ev.text[c].to_numpy(dtype=object) for c in ev.text.columns} if ev.text is not None else {}
        self.targets = {c: ev.value_targets[c].to_numpy(dtype=float) for c in ev.value_targets.columns} \
            if ev.value_targets is not None else {}
        self.points = ev.points.to_numpy(dtype=float) if ev.points is not None else None
        self.max_points = ev.max_points.to_numpy(dtype=float) if ev.max_points is not None else None
        self.pcol = {c: j for j, c in enumerate(ev.points.columns)} if ev.points is not None else {}
        self.mcol = {c: j for j, c in enumerate(ev.max_points.columns)} if ev.max_points is not None else {}
        # every aggregation arithmetic with declared weights: a point gained on an
        # indicator is a point of the final score, so a line with less room cannot do it
        self.linear = all((n.aggregate is None or n.aggregate.method == "arithmetic") and n.weights is None
                          for n in s.nodes.values() if n.children)

    def target_rows(self, nid: str):
        if nid not in self._rows:
            node = self.s.nodes[nid]
            self._rows[nid] = target_rows(node, self.ev.data.targets, self.ev.data.values, self.units,
                                          self.app[nid] & self.kept)
        return self._rows[nid]

    def pos(self, unit: str) -> int:
        return self.units.index(unit)

    def finals(self, changes: dict[str, np.ndarray]) -> np.ndarray:
        """Final scores ``(k, n)`` with the score columns in ``changes`` replaced (``(k, n)``
        each), every parent re-aggregated as the engine does."""
        k = next(iter(changes.values())).shape[0]
        cur = dict(changes)
        touched = set(changes)
        for node in self.bottom_up:
            if not any(c.id in touched for c in node.children):
                continue
            X = np.stack([np.broadcast_to(cur.get(c.id, self.base[c.id]), (k, self.n)) for c in node.children],
                         axis=-1)
            w = self.ev.weights.get(node.id)
            w = np.asarray(w.weights, dtype=float) if node.weights is not None else child_weights(self.s, node)
            cur[node.id] = aggregate_node(node.aggregate or MethodSpec(method="arithmetic"), X, w,
                                          self.app[node.id] & self.kept)
            touched.add(node.id)
        root = cur.get(self.s.root.id, np.broadcast_to(self.base[self.s.root.id], (k, self.n)))
        return np.where(self.kept, root * self.scale + self.adj, np.nan)

    def _category(self, cat: str):
        if cat not in self._cats:
            sel = np.flatnonzero(self.cats == cat)
            rules = self.grading.for_category(cat)
            allowed = veto_caps(list(self.ev.results["vetoes"].iloc[sel]), [g.id for g in rules],
                                self.s.model.adjustments.veto)
            self._cats[cat] = (sel, rules, allowed)
        return self._cats[cat]

    def grade_index(self, finals: np.ndarray, unit: int) -> np.ndarray:
        """The unit's grade index (0 = best) for each row of ``finals`` ``(k, n)``."""
        sel, rules, allowed = self._category(self.cats[unit])
        out = grade_indices(comparable(finals[:, sel]), min_scores=[g.min_score for g in rules],
                            max_shares=[g.max_share for g in rules], best_allowed=allowed,
                            rounding=self.grading.quota_rounding, ties=self.grading.ties)
        return out[:, int(np.flatnonzero(sel == unit)[0])]


@dataclass
class _Line:
    """One indicator or functional target of the unit: how a value becomes scores."""

    id: str
    column: str
    kind: str  # "indicator" | "target"
    zh: str
    en: str
    source: str  # "values" | "survey" | "special" | "targets"
    direction: int
    value: Any
    discrete: tuple[Any, ...] = ()  # grade_map: the grades, worst to best
    precision: float = 0.01
    bound: float | None = None
    earned: float = 0.0
    max_points: float = 0.0
    relative: bool = False
    scorer: Any = None  # values (k,) -> column scores (k, n)
    base_score: float = 0.0  # the unit's score now in the column the line changes
    col_points: float = 0.0  # points that column is worth to the unit

    def points(self, col_u: np.ndarray) -> np.ndarray:
        """The line's points for the unit's scores ``col_u`` in the column it changes."""
        return self.earned + (np.asarray(col_u, dtype=float) - self.base_score) / 100.0 * self.col_points


class _Record(dict):
    """A table row with attribute access."""

    __getattr__ = dict.__getitem__


def _decimals(values: Sequence[float]) -> float:
    """The precision the values are reported in (1 for whole numbers, down to 0.0001)."""
    best = 1.0
    for v in values:
        if v is None or not np.isfinite(v):
            continue
        for d in range(5):
            if abs(round(v, d) - v) < 1e-9:
                best = min(best, 10.0 ** -d)
                break
        else:
            best = min(best, 1e-4)
    return best


def _lines(R: _Round, u: int) -> list[_Line]:
    ev, s = R.ev, R.s
    unit = R.units[u]
    out: list[_Line] = []
    pts = ev.points
    for nid, leaf in R.leaves.items():
        if not leaf.app[u]:
            continue
        node = s.nodes[nid]
        mx = float(R.max_points[u, R.mcol[nid]]) if pts is not None else 100.0
        if mx <= 0:
            continue
        col = R.treated[nid]
        text = R.text.get(nid)
        tgt = R.targets.get(nid)
        earned = float(R.points[u, R.pcol[nid]]) if pts is not None else float(R.base[nid][u])
        line = _Line(id=nid, column=nid, kind="indicator", zh=node.label.zh, en=node.label.en, source=node.source,
                     direction=leaf.direction, value=col[u], earned=earned, max_points=mx,
                     relative=leaf.kind == "normalise" or leaf.spec.method == "rank_within",
                     base_score=float(R.base[nid][u]), col_points=mx)

        def scorer(vals, leaf=leaf, col=col, text=text, tgt=tgt):
            vals = np.asarray(vals)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if leaf.spec.method == "grade_map":
                    rows = []
                    for v in vals:
                        tx = text.copy()
                        tx[u] = v
                        rows.append(score_leaf(leaf, col, paradigm=s.paradigm, text=tx, targets=tgt,
                                               groups=R.cats, units=R.units)[0])
                    return np.array(rows)
                X = np.broadcast_to(col, (len(vals), R.n)).copy()
                X[:, u] = vals
                return score_leaf(leaf, X, paradigm=s.paradigm, text=text, targets=tgt, groups=R.cats,
                                  units=R.units)[0]
        line.scorer = scorer
        if leaf.spec.method == "grade_map":
            mapping = leaf.spec.params.get("mapping") or {}
            line.discrete = tuple(sorted(mapping, key=lambda g: mapping[g]))
            line.value = text[u] if text is not None else None
        else:
            if node.source == "survey":
                line.precision = 0.01
            else:
                if nid not in R.precision:
                    R.precision[nid] = _decimals(col[leaf.app].tolist())
                line.precision = min(R.precision[nid], _decimals([col[u]]))
            if node.range is not None:
                line.bound = float(node.range[1] if leaf.direction > 0 else node.range[0])
            elif node.source in ("survey", "special"):  # a 0-100 index or assessment score
                line.bound = 100.0 if leaf.direction > 0 else 0.0
        out.append(line)
    det = ev.targets_detail
    for nid, node in s.target_nodes.items():
        if not R.app[nid][u] or not len(det):
            continue
        mine = det[(det["node"] == nid) & (det["unit_id"] == unit)]
        if not len(mine):
            continue
        rows = R.target_rows(nid)
        total = float(mine["points"].sum())
        eff = float(ev.max_points.loc[unit, nid]) / float(node.points or 100.0) if pts is not None else 1.0
        for r in mine.to_dict("records"):
            r = _Record(r)
            j = next(i for i, (uu, ind) in enumerate(zip(rows.unit_id, rows.indicator))
                     if uu == unit and ind == r.indicator_id)
            others = float((mine["share"] * mine["points"]).sum() - r.share * r.points)

            def scorer(vals, rows=rows, j=j, others=others, total=total, nid=nid):
                vals = np.asarray(vals, dtype=float)
                k = len(vals)
                pseudo = dataclasses.replace(  # k copies of the target with the candidate values
                    rows, unit=np.zeros(k, dtype=int), unit_id=(rows.unit_id[j],) * k,
                    indicator=(rows.indicator[j],) * k, label_zh=(rows.label_zh[j],) * k,
                    label_en=(rows.label_en[j],) * k, value=vals, target=np.full(k, rows.target[j]),
                    points=np.full(k, rows.points[j]), method=(rows.method[j],) * k,
                    direction=np.full(k, rows.direction[j]), cap=np.full(k, rows.cap[j]))
                share = np.nan_to_num(target_shares(pseudo), nan=0.0)
                col = (others + rows.points[j] * share) / total * 100.0  # score_targets' sum(points x share) / sum(points)
                out = np.broadcast_to(R.base[nid], (k, R.n)).copy()
                out[:, u] = col
                return out
            mx = float(r.max_points) * eff
            out.append(_Line(id=r.indicator_id, column=nid, kind="target", zh=str(r.label_zh), en=str(r.label_en),
                             source="targets", direction=int(rows.direction[j]), value=float(r.value),
                             precision=_decimals([r.value, r.target]), earned=float(r.earned) * eff, max_points=mx,
                             scorer=scorer, base_score=float(R.base[nid][u]),
                             col_points=float(ev.max_points.loc[unit, nid]) if pts is not None else 100.0))
    return out


def _grid(line: _Line, R: _Round, u: int) -> np.ndarray:
    """Candidate values in the better direction, on the data's precision, up to the bound
    (the declared range, else where the unit's score stops rising)."""
    v0 = line.value
    if v0 is None or not np.isfinite(v0):
        v0 = line.bound if line.bound is not None else 0.0
        v0 = 0.0 if line.direction > 0 else v0
    d, p = line.direction, line.precision
    if line.bound is not None:
        end = line.bound
    else:  # probe outward, doubling, until the unit's score stops rising
        steps = p * 2.0 ** np.arange(0, 40)
        probes = v0 + d * steps
        if d < 0 and v0 >= 0:
            probes = np.maximum(probes, 0.0)
        sc = line.scorer(probes)[:, u]
        top = np.nanmax(sc)
        end = float(probes[int(np.argmax(sc >= top - 1e-9))])
    m = int(np.floor(round((end - v0) * d / p, 6)))
    if m <= 0:
        return np.array([])
    if m <= 20000:
        steps = np.arange(1, m + 1)
    else:
        steps = np.unique(np.r_[np.geomspace(1, m, 20000).astype(int), m])
    grid = np.round(v0 + d * p * steps, 10)
    if abs(grid[-1] - end) > 1e-9 and (end - grid[-1]) * d > 0:
        grid = np.r_[grid, end]
    sc = line.scorer(grid)[:, u]  # stop where the unit's score stops rising
    top = np.nanmax(sc)
    if not np.isfinite(top) or top <= line.base_score + 1e-12:
        return np.array([])
    return grid[:int(np.argmax(sc >= top - 1e-9)) + 1]


def _first_reaching(R: _Round, line: _Line, u: int, target: int, values: Sequence[Any],
                    fixed: dict[str, np.ndarray] | None = None) -> int | None:
    """Index of the first value (in order) with which the unit reaches grade ``target``;
    the grade is taken as monotone in the value: a coarse pass, then the bracket in full."""
    values = list(values)
    if not values:
        return None

    def reached(idx: np.ndarray) -> np.ndarray:
        cols = line.scorer(np.asarray([values[i] for i in idx], dtype=object if line.discrete else float))
        ch = {line.column: cols}
        if fixed:
            for c, v in fixed.items():
                if c != line.column:
                    ch[c] = np.broadcast_to(v, cols.shape)
        return R.grade_index(R.finals(ch), u) <= target

    lo, hi = 0, len(values) - 1
    if not reached(np.array([hi]))[0]:
        return None
    while hi - lo + 1 > _PROBES:
        idx = np.unique(np.linspace(lo, hi, _PROBES).astype(int))
        ok = reached(idx)
        first = int(np.argmax(ok))
        hi = int(idx[first])
        lo = int(idx[first - 1]) + 1 if first > 0 else lo
    idx = np.arange(lo, hi + 1)
    return int(idx[int(np.argmax(reached(idx)))])


# ---------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class NextGrade:
    """What would lift one unit to the next grade.

    Attributes
    ----------
    unit_id, name_zh, name_en, category
        The unit.
    final, grade, target
        Its final score and grade now, and the grade asked about (the next better one).
    status
        One of :data:`STATUSES`.
    needed_final
        The lowest final score that reaches ``target`` with the other units as they are
        (NaN when no change can).
    gap
        ``needed_final - final``: the points the unit must gain.
    bar, bar_unit
        ``"threshold"`` (the grade's minimum score) or ``"quota"`` (the grade's quota is
        full: the unit must overtake ``bar_unit``, the last unit inside it).
    vetoes, best_allowed
        The unit's veto items and the best grade they allow.
    options
        One row per indicator or functional target, most room first: its value now, the
        value that reaches the grade on its own (NaN: it cannot), the points now and
        then, the gain, the room left (points still available), and whether its scoring
        is relative (other units' scores move with it).
    moves
        The suggested change: the line with the most room that can do it alone
        (``single``), or several lines raised in turn (``combination``), each with the
        value to reach.
    """

    unit_id: str
    name_zh: str
    name_en: str
    category: str
    final: float
    grade: str | None
    target: str | None
    status: str
    needed_final: float
    gap: float
    bar: str
    bar_unit: str | None
    vetoes: tuple[str, ...]
    best_allowed: str | None
    options: pd.DataFrame
    moves: pd.DataFrame
    labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.options.copy()

    def text(self, lang: str = "zh", *, max_moves: int | None = None) -> str:
        """The finding as a sentence (catalogue ``bm.next.<status>``); with ``max_moves``
        only the first moves are said, and how many more there are."""
        g = self.labels.get("grades", {})
        grade = lambda x: (g.get(x, {}).get(lang, x) if x else "—")  # noqa: E731
        params = {"unit": self.name_zh if lang == "zh" else self.name_en, "grade": grade(self.grade),
                  "target": grade(self.target), "final": self.final, "gap": self.gap,
                  "needed": self.needed_final, "best": grade(self.best_allowed),
                  "vetoes": ("、" if lang == "zh" else ", ").join(
                      self.labels.get("vetoes", {}).get(v, {}).get(lang, v) for v in self.vetoes)}
        if self.status in ("single", "combination") and len(self.moves):
            parts = []
            shown = self.moves if max_moves is None else self.moves.head(max_moves)
            for m in shown.itertuples(index=False):
                label = m.label_zh if lang == "zh" else m.label_en
                parts.append(t("bm.next.move", lang, label=label, value=_shown(m.value), to=_shown(m.value_needed),
                               gain=m.gain))
            params["moves"] = ("；" if lang == "zh" else "; ").join(parts)
            if len(shown) < len(self.moves):
                params["moves"] += t("bm.next.more", lang, n=len(self.moves) - len(shown))
        else:
            params["moves"] = ""
        key = f"bm.next.{self.status}" + ("_quota" if self.status in ("single", "combination") and
                                          self.bar == "quota" else "")
        return t(key, lang, **params)

    def __repr__(self) -> str:
        return (f"NextGrade({self.unit_id!r}, {self.grade!r} -> {self.target!r}, status={self.status!r}, "
                f"gap={self.gap:.2f})")

    def _repr_html_(self) -> str:
        return html_head(f"Next grade: {self.unit_id}", {"status": self.status, "gap": round(self.gap, 2)}) + \
            f"<p>{self.text('zh')}</p>" + html_table(self.moves) + html_table(self.options, 40)


def _shown(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return "—" if not np.isfinite(v) else f"{v:.4g}"
    return str(v)


_OPTION_COLUMNS = ["line", "kind", "label_zh", "label_en", "source", "value", "value_needed", "points",
                   "points_after", "gain", "room", "relative"]


def _options(R: _Round, u: int, lines: list[_Line], target: int, gap: float, *, lazy: bool = False) -> pd.DataFrame:
    """Per line: the room left and, searched in order of room (largest first), the value
    that reaches the grade on the line alone; ``lazy`` stops at the first line that can."""
    prepared = []
    for ln in lines:
        if ln.discrete:
            values = list(ln.discrete[ln.discrete.index(ln.value) + 1:]) if ln.value in ln.discrete \
                else list(ln.discrete)
        else:
            values = _grid(ln, R, u).tolist()
        kind = object if ln.discrete else float
        best_pts = float(ln.points(ln.scorer(np.asarray(values[-1:], dtype=kind))[0, u])) if values else ln.earned
        prepared.append((ln, values, kind, max(0.0, best_pts - ln.earned)))
    rows = []
    found = False
    for ln, values, kind, room in sorted(prepared, key=lambda x: -x[3]):
        i = None
        if values and not (lazy and found) and not (R.linear and not ln.relative and room < gap - 1e-9):
            i = _first_reaching(R, ln, u, target, values)
            found = found or i is not None
        need = values[i] if i is not None else np.nan
        after = float(ln.points(ln.scorer(np.asarray([need], dtype=kind))[0, u])) if i is not None else np.nan
        rows.append({"line": ln.id, "kind": ln.kind, "label_zh": ln.zh, "label_en": ln.en, "source": ln.source,
                     "value": ln.value, "value_needed": need, "points": ln.earned, "points_after": after,
                     "gain": after - ln.earned if i is not None else np.nan, "room": room,
                     "relative": ln.relative, "_values": values, "_i": i, "_line": ln})
    return pd.DataFrame(rows, columns=[*_OPTION_COLUMNS, "_values", "_i", "_line"])


def _needed_final(R: _Round, u: int, target: int) -> tuple[float, str, str | None]:
    """The lowest final score reaching ``target`` with the other units as they are."""
    cat = R.cats[u]
    sel = np.flatnonzero((R.cats == cat) & np.isfinite(R.final))
    rule = R.grading.for_category(cat)[target]
    others = [i for i in sel if i != u]
    cands = sorted({*(R.final[i] for i in others), *(R.final[i] + 1e-7 for i in others),
                    *([rule.min_score] if rule.min_score is not None else [])})
    cands = [c for c in cands if c >= R.final[u] - 1e-12]
    if not cands:
        return np.nan, "", None
    F = np.broadcast_to(R.final, (len(cands), R.n)).copy()
    F[:, u] = cands
    ok = R.grade_index(F, u) <= target
    if not ok.any():
        return np.nan, "", None
    c = cands[int(np.argmax(ok))]
    if rule.min_score is not None and abs(c - rule.min_score) < 1e-12:
        return c, "threshold", None
    holder = min(others, key=lambda i: abs(R.final[i] + 1e-7 - c) if R.final[i] < c else abs(R.final[i] - c))
    return c, "quota", R.units[holder]


def points_to_next_grade(ev: Evaluation, unit: str, *, grade: str | None = None,
                         _round: _Round | None = None, _all_options: bool = True) -> NextGrade:
    """How many points on which indicator would lift ``unit`` to the next grade.

    Parameters
    ----------
    ev
        The round's evaluation (a points or composite scheme with grading).
    unit
        The unit.
    grade
        The grade asked about (default: the next better grade than the unit's).

    Returns
    -------
    NextGrade
        The bar (threshold or quota), the gap, per indicator the value that reaches the
        grade on its own, and the suggested move(s); see the module docstring.

    Raises
    ------
    UnknownNameError
        An unknown unit or grade.
    """
    res = ev.results
    if unit not in res.index:
        raise UnknownNameError(f"no unit {unit!r}{did_you_mean(unit, res.index)}")
    R = _round if _round is not None and _round.ev is ev else _Round(ev)
    u = R.pos(unit)
    r = res.loc[unit]
    labels = {"grades": {}, "vetoes": {k: {"zh": v.label.zh, "en": v.label.en}
                                        for k, v in ev.scheme.model.adjustments.veto.items()}}
    empty = pd.DataFrame(columns=_OPTION_COLUMNS)
    base = dict(unit_id=unit, name_zh=str(r["name_zh"]), name_en=str(r["name_en"]), category=str(r["category"]),
                final=float(r["final"]), grade=r["grade"], vetoes=tuple(r["vetoes"]), labels=labels)
    if R.grading is None or not np.isfinite(R.final[u]) or r["grade"] is None:
        return NextGrade(**base, target=None, status="no_grade", needed_final=np.nan, gap=np.nan, bar="",
                         bar_unit=None, best_allowed=None, options=empty, moves=empty)
    rules = R.grading.for_category(r["category"])
    names = [g.id for g in rules]
    for g in rules:
        labels["grades"][g.id] = {"zh": g.label.zh if g.label else (t(f"grade.{g.id}", "zh") if g.id in
                                  ("excellent", "good", "pass", "fail") else g.id),
                                  "en": g.label.en if g.label else g.id}
    now = names.index(r["grade"])
    if grade is None:
        if now == 0:
            return NextGrade(**base, target=None, status="top", needed_final=np.nan, gap=0.0, bar="", bar_unit=None,
                             best_allowed=names[0], options=empty, moves=empty)
        target = now - 1
    else:
        if grade not in names:
            raise UnknownNameError(f"no grade {grade!r}{did_you_mean(grade, names)} for category {r['category']!r}")
        target = names.index(grade)
        if target >= now:
            return NextGrade(**base, target=grade, status="top", needed_final=np.nan, gap=0.0, bar="", bar_unit=None,
                             best_allowed=None, options=empty, moves=empty)
    allowed = int(veto_caps([tuple(r["vetoes"])], names, ev.scheme.model.adjustments.veto)[0])
    base.update(target=names[target], best_allowed=names[allowed])
    if allowed > target:
        return NextGrade(**base, status="veto", needed_final=np.nan, gap=np.nan, bar="", bar_unit=None,
                         options=empty, moves=empty)
    needed, bar, holder = _needed_final(R, u, target)
    gap = needed - R.final[u] if np.isfinite(needed) else np.nan
    lines = _lines(R, u)
    opts = _options(R, u, lines, target, gap if np.isfinite(gap) else np.inf, lazy=not _all_options)
    feasible = opts[opts["_i"].notna()]
    if len(feasible):
        # the line with the most room left that can do it alone (options are in room order)
        best = feasible.iloc[[0]]
        return NextGrade(**base, status="single", needed_final=needed, gap=gap, bar=bar, bar_unit=holder,
                         options=opts[_OPTION_COLUMNS], moves=best[_OPTION_COLUMNS].reset_index(drop=True))
    moves = _combination(R, u, opts, target)
    status = "combination" if moves is not None else "out_of_reach"
    return NextGrade(**base, status=status, needed_final=needed, gap=gap, bar=bar, bar_unit=holder,
                     options=opts[_OPTION_COLUMNS], moves=moves if moves is not None else empty)


def _combination(R: _Round, u: int, opts: pd.DataFrame, target: int) -> pd.DataFrame | None:
    """Raise the lines with the most room to their best, the last only as far as needed."""
    order = opts[opts["room"] > 1e-9].sort_values("room", ascending=False).index
    fixed: dict[str, np.ndarray] = {}
    chosen = []
    for k in order:
        row = opts.loc[k]
        ln = row["_line"]
        values = row["_values"]
        if not values:
            continue
        i = _first_reaching(R, ln, u, target, values, fixed=fixed)
        if i is not None:
            chosen.append((k, values[i]))
            break
        best = values[-1]
        col = ln.scorer(np.asarray([best], dtype=object if ln.discrete else float))
        fixed[ln.column] = col if ln.column not in fixed else _merge(fixed[ln.column], col, u)
        chosen.append((k, best))
    else:
        return None
    rows = []
    for k, v in chosen:
        ln = opts.loc[k, "_line"]
        after = float(ln.points(ln.scorer(np.asarray([v], dtype=object if ln.discrete else float))[0, u]))
        rows.append({"line": ln.id, "kind": ln.kind, "label_zh": ln.zh, "label_en": ln.en, "source": ln.source,
                     "value": ln.value, "value_needed": v, "points": ln.earned, "points_after": after,
                     "gain": after - ln.earned, "room": opts.loc[k, "room"], "relative": ln.relative})
    return pd.DataFrame(rows, columns=_OPTION_COLUMNS)


def _merge(a: np.ndarray, b: np.ndarray, u: int) -> np.ndarray:
    out = a.copy()
    out[:, u] = b[:, u]
    return out


# ---------------------------------------------------------------------- all units
@dataclass(frozen=True, eq=False)
class NextGrades:
    """:func:`points_to_next_grade` for many units: one row per unit (status, target
    grade, gap, bar, the suggested move) and the full results.

    ``alerts``: an info naming the units within ``near`` points of the next grade that a
    single indicator can lift."""

    table: pd.DataFrame
    results: dict[str, NextGrade] = field(repr=False)
    alerts: tuple[Alert, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _repr_html_(self) -> str:
        return html_head("Points to the next grade", {"units": len(self.table)}) + html_table(self.table, 60)


def next_grades(ev: Evaluation, units: Sequence[str] | None = None, *, near: float = 2.0) -> NextGrades:
    """:func:`points_to_next_grade` for ``units`` (default: every graded unit)."""
    ids = list(units) if units is not None else [u for u in ev.results.index if ev.results.loc[u, "grade"] is not None]
    R = _Round(ev)
    results = {u: points_to_next_grade(ev, u, _round=R, _all_options=False) for u in ids}
    rows = []
    for u, ng in results.items():
        m = ng.moves.iloc[0] if len(ng.moves) else None
        rows.append({"unit_id": u, "name_zh": ng.name_zh, "name_en": ng.name_en, "category": ng.category,
                     "final": ng.final, "grade": ng.grade, "target": ng.target, "status": ng.status,
                     "gap": ng.gap, "bar": ng.bar, "bar_unit": ng.bar_unit, "moves": len(ng.moves),
                     "line": m["line"] if m is not None else None,
                     "label_zh": m["label_zh"] if m is not None else None,
                     "label_en": m["label_en"] if m is not None else None,
                     "value": m["value"] if m is not None else None,
                     "value_needed": m["value_needed"] if m is not None else None,
                     "gain": m["gain"] if m is not None else np.nan})
    table = pd.DataFrame(rows)
    close = table[(table["status"] == "single") & (table["gap"] <= near)] if len(table) else table
    alerts = ()
    if len(close):
        alerts = (Alert(source="benchmark", level="info", code="bm_near_next_grade",
                        subject=", ".join(close["unit_id"]),
                        params={"n": len(close), "near": near,
                                "units": {"zh": "、".join(close["name_zh"]), "en": ", ".join(close["name_en"])}},
                        evidence={"units": tuple(close["unit_id"])}),)
    return NextGrades(table=table.set_index("unit_id") if len(table) else table, results=results, alerts=alerts)


# ---------------------------------------------------------------------- verification
@dataclass(frozen=True)
class Verification:
    """The suggested change applied to the round's data and the round evaluated again.

    ``reached``: the unit gets the target grade (or better) with the change;
    ``smaller_reached``: it does with the last move one step smaller (must be False);
    the grades and final scores of both runs, and the data cells changed."""

    unit_id: str
    target: str
    reached: bool
    smaller_reached: bool
    grade_after: str | None
    grade_smaller: str | None
    final_after: float
    final_smaller: float
    changes: tuple[tuple[str, str, Any], ...]

    @property
    def ok(self) -> bool:
        return self.reached and not self.smaller_reached


def _set_value(df: pd.DataFrame, unit: str, indicator: str, value: Any, rnd) -> pd.DataFrame:
    df = df.copy()
    hit = (df["unit_id"].astype(str) == unit) & (df["indicator_id"].astype(str) == indicator)
    if "value" in df:
        df["value"] = df["value"].astype(object)
    if hit.any():
        df.loc[hit, "value"] = value
        return df
    row = {"unit_id": unit, "indicator_id": indicator, "value": value}
    if "round" in df:
        row["round"] = rnd
    return pd.concat([df, pd.DataFrame([row])], ignore_index=True)


def _shift_survey(ev: Evaluation, unit: str, index_needed: float) -> pd.DataFrame:
    """The round's survey with ``unit``'s answers shifted evenly (within the scale) so
    that its index reaches ``index_needed``."""
    spec = ev.scheme.model.survey
    raw = ev.input_data.survey.copy()
    mine = raw["unit_id"].astype(str) == unit
    lo, hi = spec.scale
    items = list(spec.items)
    base = raw.loc[mine, items].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    typed = raw.loc[mine, ["unit_id", "respondent_group"]].copy()
    typed["weight"] = pd.to_numeric(raw.loc[mine, "weight"], errors="coerce") if "weight" in raw else 1.0

    def index(delta: float) -> float:
        tmp = typed.copy()
        tmp[items] = np.clip(base + delta, lo, hi)
        idx, _ = summarise_survey(tmp, [unit], items=items, scale=spec.scale, groups=spec.groups,
                                  min_responses=spec.min_responses, min_cell=spec.min_cell)
        return float(idx.iloc[0])

    a, b = 0.0, float(hi - lo)
    if index(b) < index_needed - 1e-9:
        raise DataError(f"the survey index of {unit!r} cannot reach {index_needed:.2f}")
    for _ in range(60):
        mid = (a + b) / 2
        a, b = (mid, b) if index(mid) < index_needed else (a, mid)
    for k, item in enumerate(items):
        raw[item] = raw[item].astype(object)
        raw.loc[mine, item] = np.clip(base[:, k] + b, lo, hi)
    return raw


def _apply(ev: Evaluation, unit: str, moves: pd.DataFrame):
    data = ev.input_data
    changes = []
    values, special, survey = data.values, data.special_results, data.survey
    for m in moves.itertuples(index=False):
        v = m.value_needed
        if m.source == "survey":
            data = data.replace(survey=survey)
            survey = _shift_survey(dataclasses.replace(ev, input_data=data), unit, float(v))
        elif m.source == "special":
            node = ev.scheme.nodes[m.line]
            special = special.copy()
            hit = (special["unit_id"].astype(str) == unit) & (special["assessment_id"].astype(str) == node.assessment)
            special["score"] = special["score"].astype(object)
            special.loc[hit, "score"] = v
        else:
            node = ev.scheme.nodes.get(m.line)
            if node is not None and node.denominator:  # the data hold the numerator
                raw, treated = ev.raw.loc[unit, m.line], ev.treated.loc[unit, m.line]
                if not treated:
                    raise DataError(f"cannot invert the denominator of {m.line!r} for {unit!r}")
                v = float(v) * float(raw) / float(treated)
            values = _set_value(values, unit, m.line, v, data.round)
        changes.append((m.source, m.line, v))
    return data.replace(values=values, special_results=special, survey=survey), tuple(changes)


def _smaller(moves: pd.DataFrame, ng: NextGrade, ev: Evaluation) -> pd.DataFrame:
    """The moves with the last one a step smaller (the previous value tried)."""
    last = moves.iloc[-1]
    R = _Round(ev)
    u = R.pos(ng.unit_id)
    line = next(ln for ln in _lines(R, u) if ln.id == last["line"])
    if line.discrete:
        values = list(line.discrete)
        i = values.index(last["value_needed"])
        prev = values[i - 1] if i > 0 else line.value
    else:
        prev = float(last["value_needed"]) - line.direction * line.precision
    out = moves.copy()
    out.loc[out.index[-1], "value_needed"] = prev
    return out


def verify_next_grade(ev: Evaluation, ng: NextGrade, *, moves: pd.DataFrame | None = None) -> Verification:
    """Apply the suggested change to the round's data and evaluate the round again.

    Parameters
    ----------
    ev
        The evaluation ``ng`` was computed on.
    ng
        From :func:`points_to_next_grade` (status ``single`` or ``combination``).
    moves
        Other moves to check (rows of ``ng.options`` or ``ng.moves``; default ``ng.moves``).
    """
    if ng.status not in ("single", "combination"):
        raise DataError(f"nothing to verify: status {ng.status!r}")
    moves = ng.moves if moves is None else moves
    names = [g.id for g in ev.scheme.model.grading.for_category(ng.category)]
    target = names.index(ng.target)

    def run(mv):
        data, changes = _apply(ev, ng.unit_id, mv)
        out = evaluate(ev.scheme, data)
        r = out.results.loc[ng.unit_id]
        return r["grade"], float(r["final"]), changes

    g1, f1, changes = run(moves)
    g0, f0, _ = run(_smaller(moves, ng, ev))
    idx = lambda g: names.index(g) if g in names else len(names)  # noqa: E731
    return Verification(unit_id=ng.unit_id, target=ng.target, reached=idx(g1) <= target,
                        smaller_reached=idx(g0) <= target, grade_after=g1, grade_smaller=g0, final_after=f1,
                        final_smaller=f0, changes=changes)
