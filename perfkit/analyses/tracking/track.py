"""One tracking round read against the profiles: lights, projections, points at risk and
the early-warning list (日常跟踪、通报、预警).

Per unit x target (:func:`track`):

* progress: cumulative value / annual target, and against the profile (``pace`` =
  progress / expected share);
* a light from the office's declared thresholds (:class:`~.rules.TrackingRules`): green,
  yellow, red; ``not_due`` for a milestone or curve not expected yet; ``missing`` when no
  value was reported;
* the projected year-end value with its interval (:mod:`.projection`), the share of the
  target's points it would earn by the engine's own scoring rule (the row's rule, cap and
  direction, :func:`perfkit.stages.targets.target_shares`), the projected points and the
  points at risk (``points x (1 - share)``, never negative);
* warning codes: ``ceiling_exceeded`` (critical: a ceiling passed before the year is out),
  ``missing``, ``overdue`` (a milestone due and not done), ``behind`` (red light),
  ``missed`` (red light at the year's last period: the year-end value misses the target),
  ``likely_miss`` (watch: even the good end of the interval earns less than ``warn_below``).

The early-warning list holds every target with a code, ranked by points at risk. Per
unit: points, projected points and their range, points at risk and — given the previous
year's annual evaluation (``baseline``) — a projected grade: the baseline's base score
with its functional-target points replaced by the projected ones (the other components
held at last year's points, no adjustments), graded by the engine's grading rule
(:func:`perfkit.engine.grading.grade_indices`) within each category.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from perfkit.analyses.tracking.projection import Calibration, calibrate, project_values
from perfkit.analyses.tracking.rounds import CUMULATIVE_EXCLUDED, TrackingRounds, period
from perfkit.analyses.tracking.rules import TrackingRules
from perfkit.engine.grading import grade_indices
from perfkit.errors import DataError, UnknownNameError, did_you_mean
from perfkit.results import Alert, alerts_frame, html_head, html_table
from perfkit.stages.results import comparable
from perfkit.stages.targets import TargetRows, default_target_rule, target_shares

__all__ = ["TrackingResult", "track", "WARNING_CODES", "LIGHTS", "number", "percent"]

#: Warning codes, most serious first, with their alert level.
WARNING_CODES = {"ceiling_exceeded": "critical", "missing": "warning", "overdue": "warning", "missed": "warning",
                 "behind": "warning", "likely_miss": "info"}
#: Lights, best first.
LIGHTS = ("green", "yellow", "red", "missing", "not_due")


@dataclass(frozen=True, eq=False)
class TrackingResult:
    """One tracking round against the profiles (see the module docstring).

    Attributes
    ----------
    round
        The round id (e.g. ``2025Q2``).
    rows
        One row per unit x target: ``unit_id, name_zh, name_en, category, indicator_id,
        label_zh, label_en, measure, profile, rule, direction, value, target, points,
        expected_share, progress, pace, light, projected, low, high, pool, n_history,
        share, share_low, share_high, projected_points, points_low, points_high,
        at_risk, codes, level, code`` (``code``: the most serious of ``codes``).
    units
        One row per unit: ``name_zh, name_en, category, targets, green, yellow, red,
        missing, not_due, warnings, points, projected_points, points_low, points_high,
        at_risk`` and, with a baseline, ``baseline_base, baseline_grade`` (the grade of the
        baseline's base score), ``projected_base, projected_base_low, projected_base_high``
        (every target at the low / high end of its interval) and ``projected_grade``.
    warnings
        The early-warning list: the rows with a code, most points at risk first.
    alerts
        One :class:`~perfkit.results.Alert` per warned target (``alert.track_<code>``),
        subject = the unit, in the order of ``warnings``.
    problems
        Data problems of this year's rounds up to this one (:attr:`TrackingRounds.problems`).
    calibration
        What the projection learnt from past years.
    rules
        The declared thresholds used.
    baseline
        The round id of the baseline evaluation (``None``: no projected grade).
    """

    round: str
    rows: pd.DataFrame
    units: pd.DataFrame
    warnings: pd.DataFrame
    alerts: tuple[Alert, ...]
    problems: pd.DataFrame
    calibration: Calibration
    rules: TrackingRules
    baseline: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.rows.copy()

    def unit(self, unit: str) -> pd.DataFrame:
        """The rows of one unit."""
        if unit not in self.units.index:
            raise UnknownNameError(f"no unit {unit!r} in round {self.round}{did_you_mean(unit, self.units.index)}")
        return self.rows[self.rows["unit_id"] == unit]

    def alerts_frame(self, lang: str = "zh") -> pd.DataFrame:
        return alerts_frame(self.alerts, lang)

    def __repr__(self) -> str:
        return (f"TrackingResult(round={self.round!r}, units={len(self.units)}, targets={len(self.rows)}, "
                f"warnings={len(self.warnings)}, level={self.rules.level})")

    def _repr_html_(self) -> str:
        cols = ["unit_id", "indicator_id", "light", "value", "target", "expected_share", "projected", "low", "high",
                "points", "at_risk", "code"]
        return (html_head("Tracking round", {"round": self.round, "level": self.rules.level,
                                             "history": ", ".join(map(str, self.calibration.years)),
                                             "baseline": self.baseline})
                + html_table(self.warnings[cols]) + html_table(self.units, rows=60))


def _target_rows(rows: pd.DataFrame, node, units: list[str]) -> TargetRows:
    pos = {u: i for i, u in enumerate(units)}
    return TargetRows(
        node=node.id, default=default_target_rule(node), unit=np.array([pos[u] for u in rows["unit_id"]], dtype=int),
        unit_id=tuple(rows["unit_id"]), indicator=tuple(rows["indicator_id"]), label_zh=tuple(rows["label_zh"]),
        label_en=tuple(rows["label_en"]), value=rows["value"].to_numpy(dtype=float),
        target=rows["target"].to_numpy(dtype=float), points=rows["points"].to_numpy(dtype=float),
        method=tuple(rows["rule"]), direction=rows["direction"].to_numpy(dtype=int),
        cap=rows["cap"].to_numpy(dtype=float), app=np.ones(len(units), dtype=bool))


def _shares(rows: pd.DataFrame, proj: pd.DataFrame, scheme) -> pd.DataFrame:
    """Shares of the projected value and of the interval's ends, by the engine's rules."""
    units = sorted(set(rows["unit_id"]))
    out = pd.DataFrame(index=rows.index, columns=["share", "share_a", "share_b"], dtype=float)
    for nid, sub in rows.groupby("node", sort=False):
        tr = _target_rows(sub, scheme.nodes[nid], units)
        p = proj.loc[sub.index]
        binary = (sub["rule"] == "binary").to_numpy()
        at = {k: target_shares(replace(tr, value=np.nan_to_num(p[k].to_numpy(dtype=float), posinf=1e300)))
              for k in ("projected", "low", "high")}
        done = target_shares(replace(tr, value=np.ones(len(sub))))
        undone = target_shares(replace(tr, value=np.zeros(len(sub))))
        pd_ = p["p_done"].to_numpy(dtype=float)
        expected_binary = pd_ * done + (1 - pd_) * undone
        out.loc[sub.index, "share"] = np.where(binary, expected_binary, at["projected"])
        out.loc[sub.index, "share_a"] = np.where(binary, np.where(pd_ >= 1, done, undone), at["low"])
        out.loc[sub.index, "share_b"] = np.where(binary, done, at["high"])
    missing = proj["projected"].isna().to_numpy()
    out.loc[missing, ["share", "share_a", "share_b"]] = np.nan
    return out


def _lights(df: pd.DataFrame, rules: TrackingRules) -> np.ndarray:
    g, y = rules.lights.green, rules.lights.yellow
    cg, cy = rules.ceiling_lights.green, rules.ceiling_lights.yellow
    light = np.full(len(df), "", dtype=object)
    for i, r in enumerate(df.itertuples(index=False)):
        if r.value != r.value:
            light[i] = "missing"
        elif r.rule == "binary":
            light[i] = "green" if r.value != 0 else ("red" if r.expected_share > 0 else "not_due")
        elif not r.expected_share > 0:
            light[i] = "green" if (r.value > 0 and r.direction > 0) else "not_due"
        elif r.direction < 0:
            exceeded = r.value > r.target and r.profile not in CUMULATIVE_EXCLUDED and r.period < r.periods
            light[i] = "red" if exceeded else ("green" if r.pace <= cg else "yellow" if r.pace <= cy else "red")
        else:
            light[i] = "green" if r.pace >= g else "yellow" if r.pace >= y else "red"
    return light


def _codes(df: pd.DataFrame, rules: TrackingRules) -> list[tuple[str, ...]]:
    out = []
    for r in df.itertuples(index=False):
        c = []
        if (r.direction < 0 and r.value == r.value and r.value > r.target and r.profile not in CUMULATIVE_EXCLUDED
                and r.period < r.periods):
            c.append("ceiling_exceeded")
        if r.light == "missing":
            c.append("missing")
        if r.light == "red" and r.period == r.periods:
            c.append("missed")
        elif r.rule == "binary" and r.light == "red":
            c.append("overdue")
        elif r.light == "red" and "ceiling_exceeded" not in c:
            c.append("behind")
        good_end = max(r.share_a, r.share_b) if r.share_a == r.share_a else np.nan
        if r.rule != "binary" and good_end == good_end and good_end < rules.warn_below and r.period < r.periods:
            c.append("likely_miss")
        out.append(tuple(c))
    return out


def track(rounds: TrackingRounds, round: str, *, calibration: Calibration | None = None,  # noqa: A002
          rules: TrackingRules | None = None, baseline: Any = None) -> TrackingResult:
    """Read one tracking round against the profiles (see the module docstring).

    Parameters
    ----------
    rounds
        Tracking rounds holding ``round`` (and, without ``calibration``, the past years).
    round
        The round to read, e.g. ``"2025Q2"``.
    calibration
        What past years say (:func:`~.projection.calibrate`); default: learnt from every
        complete year of ``rounds`` before the round's year.
    rules
        The office's declared thresholds (default: :class:`~.rules.TrackingRules`).
    baseline
        The previous year's annual :class:`~perfkit.engine.Evaluation`, for the projected
        grade; ``None``: no grade.

    Examples
    --------
    >>> from perfkit import datasets
    >>> from perfkit.analyses import tracking as tk
    >>> demo = datasets.dataset_path("demo_city")
    >>> rounds = tk.load_tracking(demo / "tracking", str(demo / "schemes" / "{year}_tracking.yaml"), until="2025Q2")
    >>> tr = tk.track(rounds, "2025Q2")
    >>> tr.warnings.loc[tr.warnings["unit_id"] == "gov_housing", "light"].tolist()
    ['red', 'red', 'red']
    """
    rules = rules or TrackingRules()
    rnd = str(round)
    if rnd not in rounds.rounds:
        raise UnknownNameError(f"no round {rnd!r} in the tracking rounds{did_you_mean(rnd, rounds.rounds)}",
                               hint=f"rounds: {', '.join(rounds.rounds)}")
    p = period(rnd)
    if calibration is None:
        past = [y for y in rounds.years() if y < p.year]
        if not past:
            raise DataError(f"no year before {p.year} to learn the projection from",
                            hint="pass past years' tracking rounds, or a calibration")
        calibration = calibrate(rounds, past, min_history=rules.min_history, small_target=rules.small_target)
    df = rounds.of_round(rnd).reset_index(drop=True)
    df["progress"] = df["value"] / df["target"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["pace"] = np.where(df["expected_share"] > 0, df["progress"] / df["expected_share"], np.nan)
    proj = project_values(df, calibration, rules.level)
    df = pd.concat([df, proj], axis=1)
    sh = _shares(df, proj, rounds.schemes[rnd])
    lo_share = np.fmin(sh["share_a"], sh["share_b"])
    hi_share = np.fmax(sh["share_a"], sh["share_b"])
    df["share"], df["share_low"], df["share_high"] = sh["share"], lo_share, hi_share
    df["share_a"], df["share_b"] = sh["share_a"], sh["share_b"]
    df["projected_points"] = df["share"].fillna(0.0) * df["points"]
    df["points_low"] = df["share_low"].fillna(0.0) * df["points"]
    df["points_high"] = df["share_high"].fillna(0.0) * df["points"]
    df["at_risk"] = (df["points"] * (1.0 - df["share"].fillna(0.0))).clip(lower=0.0)
    df["light"] = _lights(df, rules)
    df["codes"] = _codes(df, rules)
    df["code"] = [next((c for c in WARNING_CODES if c in cs), "") for cs in df["codes"]]
    df["level"] = [WARNING_CODES.get(c, "") for c in df["code"]]
    df = df.drop(columns=["share_a", "share_b"])
    warned = df[df["code"] != ""].sort_values(["at_risk", "unit_id", "indicator_id"], ascending=[False, True, True])
    alerts = tuple(Alert(source="tracking", level=r.level, code=f"track_{r.code}", subject=r.unit_id,
                         params=_alert_params(r), evidence={"indicator_id": r.indicator_id, "codes": r.codes,
                                                            "round": rnd})
                   for r in warned.itertuples(index=False))
    units = _units(df)
    if baseline is not None:
        units = units.join(_projected_grades(df, units, baseline))
    year = rounds.problems
    problems = year[[period(r).year == p.year and period(r) <= p for r in year["round"]]].reset_index(drop=True)
    return TrackingResult(round=rnd, rows=df, units=units, warnings=warned.reset_index(drop=True), alerts=alerts,
                          problems=problems, calibration=calibration, rules=rules,
                          baseline=None if baseline is None else str(getattr(baseline.input_data, "round", "") or ""))


def number(v: Any) -> str:
    """A value as a report shows it: whole from 100 up, one decimal from 10, else two
    (trailing zeros dropped); ``—`` for none, ``∞`` for an open end.

    >>> number(1002.4), number(60.447), number(0.9), number(float("nan")), number(float("inf"))
    ('1002', '60.4', '0.9', '—', '∞')
    """
    if v is None or v != v:
        return "—"
    if np.isinf(v):
        return "∞" if v > 0 else "-∞"
    a = abs(float(v))
    text = f"{v:.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(v: Any) -> str:
    """A share as a whole percentage (``—`` for none)."""
    return "—" if v is None or v != v else f"{v:.0%}"


def _alert_params(r) -> dict[str, Any]:
    """The sentence's figures, formatted once (the same in both languages)."""
    return {"value": number(r.value), "target": number(r.target), "progress": percent(r.progress),
            "expected": percent(r.expected_share), "projected": number(r.projected),
            "interval": number(r.low) if number(r.low) == number(r.high) else f"{number(r.low)}–{number(r.high)}",
            "at_risk": f"{r.at_risk:.2f}", "points": number(r.points)}


def _units(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby("unit_id", sort=False)
    out = g.agg(name_zh=("name_zh", "first"), name_en=("name_en", "first"), category=("category", "first"),
                targets=("indicator_id", "size"), points=("points", "sum"),
                projected_points=("projected_points", "sum"), points_low=("points_low", "sum"),
                points_high=("points_high", "sum"), at_risk=("at_risk", "sum"))
    lights = pd.crosstab(df["unit_id"], df["light"]).reindex(columns=list(LIGHTS), fill_value=0)
    out = out.join(lights).fillna({c: 0 for c in LIGHTS})
    out["warnings"] = (df["code"] != "").groupby(df["unit_id"], sort=False).sum().reindex(out.index).astype(int)
    out[list(LIGHTS)] = out[list(LIGHTS)].astype(int)
    cols = ["name_zh", "name_en", "category", "targets", *LIGHTS, "warnings", "points", "projected_points",
            "points_low", "points_high", "at_risk"]
    out = out[cols]
    out.index.name = "unit_id"
    return out


def _projected_grades(df: pd.DataFrame, units: pd.DataFrame, baseline) -> pd.DataFrame:
    """The baseline's base score with the tracked nodes' points replaced by the projected
    ones, graded by the engine within each category (see the module docstring)."""
    s = baseline.scheme
    res = baseline.results
    base = res["base"].astype(float).copy()
    proj = {k: base.copy() for k in ("mid", "low", "high")}
    for nid, sub in df.groupby("node"):
        if nid not in s.target_nodes:
            raise DataError(f"the baseline scheme {s.id!r} has no functional-target node {nid!r}",
                            hint=f"its target nodes: {', '.join(s.target_nodes) or '(none)'}")
        g = sub.groupby("unit_id")
        total = g["points"].sum()
        u = [x for x in total.index if x in base.index]
        scale = baseline.max_points.loc[u, nid].astype(float) / total.loc[u]
        earned = baseline.points.loc[u, nid].astype(float).fillna(0.0)
        for k, col in (("mid", "projected_points"), ("low", "points_low"), ("high", "points_high")):
            proj[k].loc[u] = proj[k].loc[u] - earned + g[col].sum().loc[u] * scale
    grading = s.model.grading
    out = pd.DataFrame(index=units.index)
    out["baseline_base"] = base.reindex(units.index)
    grades = {}
    if grading is not None:
        for key, scores in (("baseline_grade", base), ("projected_grade", proj["mid"])):
            col = pd.Series(index=res.index, dtype=object)
            for cat, idx in res.groupby("category").groups.items():
                rules = grading.for_category(cat)
                gi = grade_indices(comparable(scores.loc[idx].to_numpy(dtype=float)),
                                   min_scores=[g.min_score for g in rules], max_shares=[g.max_share for g in rules],
                                   rounding=grading.quota_rounding, ties=grading.ties)
                col.loc[idx] = [rules[i].id if i >= 0 else None for i in gi]
            grades[key] = col.reindex(units.index)
    out["projected_base"] = proj["mid"].reindex(units.index)
    out["projected_base_low"] = proj["low"].reindex(units.index)
    out["projected_base_high"] = proj["high"].reindex(units.index)
    for key, col in grades.items():
        out[key] = col
    return out
