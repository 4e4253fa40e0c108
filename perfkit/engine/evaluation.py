"""The result of :func:`perfkit.evaluate`: every stage kept, with the recipe that made it."""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from perfkit.errors import UnknownNameError, did_you_mean
from perfkit.i18n import t
from perfkit.io.round import RoundData
from perfkit.stages.score import scoring_method

__all__ = ["Evaluation", "Explanation", "Reason", "REASON_CODES", "Step", "STAGES"]

#: Stage name -> caption key (see perfkit/i18n/messages.yaml)
STAGES = {
    "raw": "stage.raw",
    "treated": "stage.treated",
    "scores": "stage.scores",
    "nodes": "stage.nodes",
    "points": "stage.points",
    "results": "stage.results",
}


class Reason(StrEnum):
    """Why an indicator cell of :attr:`Evaluation.reasons` (and a row of
    :attr:`Evaluation.targets_detail`) has the score it has, as a catalogue code
    (``reason.<code>`` in the message catalogue says it in zh and en).

    ``SCORED`` (the empty code): the method scored a value; ``NOT_APPLICABLE``: the
    indicator does not apply to the unit (its category, or a unit the availability screen
    dropped); ``NO_VALUE``: it applies but there is no value to score (0 points in a
    points scheme).
    """

    SCORED = ""
    NOT_APPLICABLE = "not_applicable"
    NO_VALUE = "no_value"


#: The reason codes as an object array, position = the engine's internal code.
REASON_CODES = np.array([r.value for r in Reason], dtype=object)


@dataclass(frozen=True)
class Step:
    """One recorded step of the recipe: stage, target (node or step name), method, parameters."""

    stage: str
    target: str
    method: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Explanation:
    """Where every point of one unit was won or lost.

    ``lines`` has one row per indicator or functional target (and per bonus, penalty and
    veto item): path, id, label, method, value, target, max_points, earned, lost, and the
    reason as ``reason_code`` plus ``reason_zh`` / ``reason_en`` (``reason`` = English).
    """

    unit_id: str
    name: str
    category: str
    final: float
    rank: float
    grade: str | None
    grade_reason: str
    lines: pd.DataFrame
    paradigm: str
    grade_reason_zh: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.lines.copy()

    def lost(self) -> pd.DataFrame:
        """Lines where points were lost, biggest loss first."""
        col = "lost" if self.paradigm == "points" else "gap"
        return self.lines[self.lines[col] > 1e-9].sort_values(col, ascending=False)

    def __str__(self) -> str:
        head = (f"{self.unit_id} {self.name} [{self.category}]: final {self.final:.2f}, rank {self.rank:g}, "
                f"grade {self.grade} ({self.grade_reason})")
        return head + "\n" + self.lines.to_string(index=False)

    def _repr_html_(self) -> str:
        head = html.escape(f"{self.unit_id} {self.name} — {self.final:.2f} — rank {self.rank:g} — {self.grade}")
        return f"<h4>{head}</h4>" + self.lines.to_html(index=False, float_format=lambda v: f"{v:.2f}")


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Every stage of one evaluation.

    Attributes
    ----------
    raw, treated
        Units x indicators before and after treatment.
    scores
        Units x indicators on the internal 0-100 scale (rule share x 100, or the
        normalised value); functional-target nodes appear as columns too.
    nodes
        Units x aggregate nodes (0-100 scale in points schemes).
    points, max_points
        Earned and available points per unit and node (points paradigm only).
    results
        base, bonus, penalty, final, rank (within category), grade and its reason.
    weights
        Per aggregate node, the weights used (a Series, or a weighting result).
    reasons
        Units x indicators: each cell's :class:`Reason` code (``""`` scored,
        ``"not_applicable"``, ``"no_value"``).
    targets_detail
        One row per (unit, functional target): value, target, rule, share, points
        earned and lost, and the row's :class:`Reason` code (``reason``).
    survey
        Per unit x respondent group: respondents, mean and 95 % interval, whether the
        group counts in the unit's index (``used``: at least ``max(min_responses,
        min_cell)`` respondents) and whether the cell is ``suppressed`` (below
        ``min_cell``; its mean and interval are blank). ``None`` without a survey.
    recipe
        The steps that produced this evaluation.
    warnings
        What the engine warned about (e.g. a constant indicator), with the indicator.
    kept
        ``(n_units,)`` bool: units that passed the availability screen (all True without
        a screen); the others have no scores and no final score.
    text
        Units x indicators: the qualitative grades as submitted (missing elsewhere), which
        ``grade_map`` rules score.
    value_targets
        Units x indicators: the per-unit targets given in the values table (NaN where
        none), used by rules that take a target the scheme does not set.
    compiled
        The scheme and round as arrays (:class:`perfkit.engine.compiled.Compiled`), the
        form every stage ran on (with the availability screen applied); the sensitivity
        engine and the analyses start from it.
    cache
        Private: what :meth:`rerun` needs to decide which stages it may reuse.
    engine
        The function that made this evaluation (:func:`perfkit.evaluate`), which
        :meth:`rerun` calls again: the result knows its engine without importing it.
    """

    scheme: Any
    input_data: RoundData
    validation: Any
    data: RoundData
    raw: pd.DataFrame
    treated: pd.DataFrame
    treatment: dict[str, Any]
    scores: pd.DataFrame
    nodes: pd.DataFrame
    points: pd.DataFrame | None
    max_points: pd.DataFrame | None
    results: pd.DataFrame
    weights: dict[str, Any]
    reasons: pd.DataFrame
    targets_detail: pd.DataFrame
    survey: pd.DataFrame | None
    recipe: tuple[Step, ...]
    warnings: tuple[str, ...] = ()
    kept: np.ndarray | None = field(default=None, repr=False)
    text: pd.DataFrame | None = field(default=None, repr=False)
    value_targets: pd.DataFrame | None = field(default=None, repr=False)
    compiled: Any = field(default=None, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    engine: Callable[..., Evaluation] | None = field(default=None, repr=False)

    # ----------------------------------------------------------------- access
    def to_frame(self) -> pd.DataFrame:
        """The results table (one row per unit)."""
        return self.results.copy()

    def stage(self, name: str) -> pd.DataFrame:
        if name not in STAGES:
            raise UnknownNameError(f"no stage {name!r}{did_you_mean(name, STAGES)}",
                                   hint=f"stages: {', '.join(STAGES)}")
        value = getattr(self, name)
        if value is None:
            raise UnknownNameError(f"stage {name!r} is not kept for a {self.scheme.paradigm} scheme")
        return value

    def caption(self, name: str, lang: str = "en") -> str:
        return t(STAGES[name], lang)

    def rerun(self, scheme) -> Evaluation:
        """Evaluate ``scheme`` (a variant of this one) on the same data, reusing every
        stage whose inputs did not change (with the engine that made this evaluation)."""
        if self.engine is None:
            raise TypeError("this Evaluation was not made by perfkit.evaluate; call perfkit.evaluate(scheme, data)")
        return self.engine(scheme, self.input_data, reuse=self)

    @property
    def units(self) -> list[str]:
        return list(self.results.index)

    # ----------------------------------------------------------------- explain
    @cached_property
    def explanations(self) -> pd.DataFrame:
        """The :meth:`explain` lines of every unit in one table (``unit_id`` first),
        computed once and shared by the exports and the reports."""
        frames = []
        for u in self.units:
            df = self.explain(u).lines.copy()
            df.insert(0, "unit_id", u)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["unit_id"])

    def explain(self, unit: str) -> Explanation:
        """Every point of ``unit`` earned or lost, by indicator, rule and reason."""
        if unit not in self.results.index:
            raise UnknownNameError(f"no unit {unit!r}{did_you_mean(unit, self.results.index)}")
        s = self.scheme
        res = self.results.loc[unit]
        pts = self.scheme.paradigm == "points"
        rows = []
        for nid, node in s.leaves.items():
            path = "/".join(s.paths[nid][1:-1])
            reason = self.reasons.loc[unit, nid]
            if reason == Reason.NOT_APPLICABLE:
                continue
            spec = node.rule or node.normalise
            method = scoring_method(node)[0].method
            score = self.scores.loc[unit, nid]
            target = (spec.params.get("target") if spec is not None else None)
            if target is None and self.value_targets is not None:
                target = self.value_targets[nid].get(unit, np.nan)
            if target is None:
                target = np.nan
            text = self.text[nid].get(unit) if self.text is not None else None
            row = {"path": path, "id": nid, "label_zh": node.label.zh, "label_en": node.label.en, "method": method,
                   "params": _params_text(spec),
                   "value": text if node.kind == "qualitative" and text is not None else self.raw.loc[unit, nid],
                   "treated": self.treated.loc[unit, nid], "target": target, "score": score}
            if pts:
                mx = float(self.max_points.loc[unit, nid])
                earned = float(self.points.loc[unit, nid]) if not np.isnan(self.points.loc[unit, nid]) else 0.0
                row.update(max_points=mx, earned=earned, lost=mx - earned)
            else:
                row.update(gap=(100.0 - score) if not np.isnan(score) else np.nan)
            imputed = self.treatment.get("imputed")
            was_imputed = imputed is not None and nid in imputed.columns and bool(imputed.loc[unit, nid])
            code, params = (Reason.NO_VALUE.value, {}) if reason == Reason.NO_VALUE else _reason(method, row)
            rows.append(_say(row, code, params, imputed=was_imputed))
        det = self.targets_detail
        if len(det):
            for r in det[det["unit_id"] == unit].itertuples(index=False):
                row = {"path": "/".join(s.paths[r.node][1:]), "id": r.indicator_id, "label_zh": r.label_zh,
                       "label_en": r.label_en, "method": r.rule, "params": "",
                       "value": r.value, "treated": r.value, "target": r.target, "score": r.share * 100}
                if pts:
                    eff = float(self.max_points.loc[unit, r.node]) / float(s.nodes[r.node].points or 100.0)
                    row.update(max_points=r.max_points * eff, earned=r.earned * eff, lost=r.lost * eff)
                else:
                    row.update(gap=100 - r.share * 100)
                code, params = (Reason.NO_VALUE.value, {}) if r.reason == Reason.NO_VALUE else _reason(r.rule, row)
                rows.append(_say(row, code, params))
        adj = self.data.adjustments
        if len(adj):
            for r in adj[adj["unit_id"] == unit].itertuples(index=False):
                sign = {"bonus": 1, "penalty": -1, "veto": 0}[r.kind]
                row = {"path": r.kind, "id": r.item, "label_zh": t(f"kind.{r.kind}", "zh"),
                       "label_en": t(f"kind.{r.kind}", "en"), "method": r.kind, "params": "",
                       "value": r.points, "treated": r.points, "target": np.nan, "score": np.nan,
                       **({"max_points": 0.0, "earned": sign * r.points, "lost": -sign * r.points if sign < 0 else 0.0}
                          if pts else {"gap": np.nan})}
                # the reason an office wrote for an adjustment, in each language as written
                rows.append(_say(row, "text", {"text": adjustment_reason(r._asdict())}))
            for kind in ("bonus", "penalty"):
                if res[f"{kind}_raw"] > res[kind] + 1e-12:
                    capped = res[f"{kind}_raw"] - res[kind]
                    row = {"path": kind, "id": f"{kind}_cap", "label_zh": t(f"kind.{kind}_cap", "zh"),
                           "label_en": t(f"kind.{kind}_cap", "en"), "method": "cap", "params": "",
                           "value": capped, "treated": capped, "target": np.nan, "score": np.nan,
                           **({"max_points": 0.0, "earned": -capped if kind == "bonus" else capped,
                               "lost": 0.0 if kind == "bonus" else -capped} if pts else {"gap": np.nan})}
                    rows.append(_say(row, f"{kind}_capped", {"cap": getattr(s.model.adjustments, kind).cap}))
        lines = pd.DataFrame(rows)
        return Explanation(unit_id=unit, name=str(res["name_zh"]), category=str(res["category"]),
                           final=float(res["final"]), rank=float(res["rank"]), grade=res["grade"],
                           grade_reason=str(res["grade_reason"]), lines=lines, paradigm=s.paradigm,
                           grade_reason_zh=str(res.get("grade_reason_zh", "")))

    # ----------------------------------------------------------------- display
    def summary(self) -> pd.DataFrame:
        """Per category: units, mean/min/max final score, units per grade."""
        r = self.results
        out = r.groupby("category").agg(units=("final", "size"), mean=("final", "mean"),
                                         min=("final", "min"), max=("final", "max"))
        if r["grade"].notna().any():
            out = out.join(pd.crosstab(r["category"], r["grade"]))
        return out

    def __repr__(self) -> str:
        return (f"Evaluation(scheme={self.scheme.id!r}, units={len(self.results)}, "
                f"indicators={self.scores.shape[1]}, steps={len(self.recipe)})")

    def _repr_html_(self) -> str:
        head = html.escape(repr(self))
        cols = [c for c in ("name_zh", "category", "final", "rank", "grade") if c in self.results]
        table = self.results[cols].sort_values(["category", "rank"]).head(20).to_html(
            float_format=lambda v: f"{v:.2f}")
        return f"<p><b>{head}</b></p>{table}"


def _params_text(spec) -> str:
    if spec is None:
        return ""
    return ", ".join(f"{k}={v}" for k, v in spec.params.items() if k != "mapping")


def _reason(method: str, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Why a line scored what it did, as a catalogue code and its parameters
    (``reason.<code>`` in perfkit/i18n/messages.yaml says it in zh and en)."""
    score, value, target = row.get("score"), row.get("value"), row.get("target")
    if score is None or (isinstance(score, float) and np.isnan(score)):
        return "no_score", {}
    lost = row.get("lost", row.get("gap", 0.0))
    full = lost is not None and lost <= 1e-9
    num = isinstance(value, (int, float, np.floating)) and not np.isnan(value)
    has_t = isinstance(target, (int, float, np.floating)) and not np.isnan(target)
    pct = float(score)
    if method in ("completion", "completion_lower") and num and has_t:
        return "completion", {"value": value, "target": target, "pct": pct}
    if method == "linear" and num:
        return ("linear_target", {"value": value, "target": target, "pct": pct}) if has_t else \
            ("value_share", {"value": value, "pct": pct})
    if method == "deduction" and num:
        return "deduction", {"value": value, "pct": pct}
    if method == "grade_map":
        return "grade_map", {"grade": value, "pct": pct}
    if method == "binary":
        return ("done" if full else "not_done"), {}
    if full:
        return ("full" if "lost" in row else "top"), {}
    if "gap" in row:
        return "relative", {"method": method, "score": pct}
    return "share", {"method": method, "pct": pct}


def _say(row: dict[str, Any], code: str, params: dict[str, Any], *, imputed: bool = False) -> dict[str, Any]:
    """Fill ``reason_code``, ``reason_zh``, ``reason_en`` and ``reason`` (= English)."""
    row["reason_code"] = code
    for lang in ("zh", "en"):
        text = params["text"][lang] if code == "text" else t(f"reason.{code}", lang, **params)
        row[f"reason_{lang}"] = text + (t("reason.imputed", lang) if imputed else "")
    row["reason"] = row["reason_en"]
    return row


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def adjustment_reason(row: dict[str, Any]) -> dict[str, str]:
    """The reason of one adjustments row in zh and en, as the office wrote it.

    Chinese: ``reason_zh``, else ``reason`` (else ``reason_en``); English: ``reason_en``,
    else ``reason`` (else ``reason_zh``). A text shown in a language it was not written in
    — Chinese characters in the English line, a Latin-only text in the Chinese line — is
    marked as the untranslated original (``reason.untranslated``).

    >>> adjustment_reason({"reason": "获省级表彰", "reason_en": "Provincial award"})
    {'zh': '获省级表彰', 'en': 'Provincial award'}
    >>> adjustment_reason({"reason": "获省级表彰"})["en"]
    '获省级表彰 (original, not translated)'
    """
    own_zh, own_en, original = _text(row.get("reason_zh")), _text(row.get("reason_en")), _text(row.get("reason"))
    zh = own_zh or original or own_en
    if zh and not own_zh and not _CJK.search(zh) and _LATIN.search(zh):
        zh = t("reason.untranslated", "zh", text=zh)
    en = own_en or original or own_zh
    if en and not own_en and _CJK.search(en):
        en = t("reason.untranslated", "en", text=en)
    return {"zh": zh, "en": en}
