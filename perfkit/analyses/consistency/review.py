"""One call for the whole consistency review of a round: :func:`review`."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from perfkit.analyses.consistency import findings
from perfkit.analyses.consistency._evaluation import Without, special_leaves, without
from perfkit.analyses.consistency.agreement import AgreementResult, agreement
from perfkit.analyses.consistency.burden import BurdenResult, burden
from perfkit.analyses.consistency.discrimination import DiscriminationResult, discrimination
from perfkit.analyses.consistency.effect import EffectResult, effect
from perfkit.analyses.consistency.overlap import OverlapResult, overlap
from perfkit.analyses.consistency.registry import (
    Issue,
    Registry,
    RegistryError,
    check_registry,
    issues_frame,
    load_registry,
    raise_for_errors,
    round_year,
)
from perfkit.analyses.consistency.rules import Rules, decide
from perfkit.analyses.consistency.schedule import Schedule, check_schedule, load_schedule
from perfkit.engine.evaluation import Evaluation
from perfkit.errors import PerfkitError, did_you_mean
from perfkit.io.read import read_table
from perfkit.io.round import RoundData
from perfkit.results import (
    Alert,
    Recommendation,
    alerts_frame,
    as_rng,
    html_head,
    html_table,
    recommendations_frame,
    seed_of,
)

__all__ = ["ConsistencyReview", "PlanControl", "review", "check"]


@dataclass(frozen=True, eq=False)
class PlanControl:
    """Plan control (总量控制、准入许可、审核报备) for the round.

    Attributes
    ----------
    table
        One row per registered assessment: labels, owner, approval, year approved, since,
        ``active`` this round, ``new`` this round, ``folded`` into the scheme (its points),
        ``results`` (units with a result this round).
    active, cap
        Assessments running this round, and the plan's cap (``None``: no cap declared).
    not_approved, new, no_results
        Active assessments without approval, new this round, without results this round.
    unregistered
        Assessment ids with results this round (or folded into the scheme) that the
        registry does not list, with their number of result rows.
    """

    table: pd.DataFrame
    active: int
    cap: int | None
    not_approved: tuple[str, ...]
    new: tuple[str, ...]
    no_results: tuple[str, ...]
    unregistered: Mapping[str, int]

    @property
    def over_cap(self) -> bool:
        return self.cap is not None and self.active > self.cap

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _repr_html_(self) -> str:
        return html_head("Plan control", {"active": self.active, "cap": self.cap}) + html_table(self.table)


@dataclass(frozen=True, eq=False)
class ConsistencyReview:
    """The consistency review of one round: every part, the recommendations and the alerts.

    Attributes
    ----------
    round
        The round reviewed.
    registry, schedule
        The registry and the schedule as read.
    plan
        :class:`PlanControl`.
    overlap
        :class:`~perfkit.analyses.consistency.overlap.OverlapResult` (double counting, conflicts).
    burden
        :class:`~perfkit.analyses.consistency.burden.BurdenResult` (``None`` without a schedule
        it is still computed from the registry: assessments, indicators, submissions).
    agreement, discrimination, effect
        Per special assessment (see their classes).
    without
        Per assessment, the evaluation without it (:class:`..._evaluation.Without`).
    recommendations
        Every rule that fired (``keep`` for an assessment none fired for).
    alerts
        The committee-level findings.
    issues
        Warnings found in the registry, the schedule and the results (errors raise).
    rules
        The thresholds used.
    units_table
        The round's units (names, category).
    params
        Provenance: seed, bootstrap size, strata, label threshold ...
    """

    round: str
    registry: Registry
    schedule: Schedule | None
    plan: PlanControl
    overlap: OverlapResult
    burden: BurdenResult
    agreement: AgreementResult
    discrimination: DiscriminationResult
    effect: EffectResult
    without: Mapping[str, Without]
    recommendations: tuple[Recommendation, ...]
    alerts: tuple[Alert, ...]
    issues: tuple[Issue, ...]
    rules: Rules
    units_table: pd.DataFrame
    assessments: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def decisions(self) -> pd.DataFrame:
        """Per assessment: the most serious action and the rules that fired."""
        return decide(self.recommendations)

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """One row per special assessment: decision, agreement, discrimination, effect."""
        d = self.decisions
        a = self.agreement.table[["n", "spearman", "spearman_lo", "spearman_hi", "kendall", "kappa"]]
        q = self.discrimination.table[["mean", "cv", "share_ceiling", "stability"]]
        e = self.effect.table[["mean_abs_rank_shift", "grade_changes"]]
        labels = pd.Series({k: v.label.get(lang) for k, v in self.registry.assessments.items()}, name="label")
        out = d.join(labels).join(a).join(q).join(e)
        out.index.name = "assessment_id"
        return out

    def alerts_frame(self, lang: str = "zh") -> pd.DataFrame:
        return alerts_frame(self.alerts, lang)

    def recommendations_frame(self, lang: str = "zh") -> pd.DataFrame:
        return recommendations_frame(self.recommendations, lang)

    def __repr__(self) -> str:
        acts = self.decisions["action"].value_counts().to_dict()
        return f"ConsistencyReview(round={self.round!r}, assessments={len(self.assessments)}, actions={acts}, " \
               f"alerts={len(self.alerts)})"

    def _repr_html_(self) -> str:
        return html_head(f"Consistency review, round {self.round}", self.params) + \
            html_table(self.to_frame("en")) + html_table(self.alerts_frame("en"), rows=50)


# ----------------------------------------------------------------------------- inputs
def _round_of(ev: Evaluation, rnd: str | int | None) -> str:
    r = rnd if rnd is not None else (ev.data.round or ev.input_data.round)
    if r is None:
        raise PerfkitError("the evaluation does not say which round it is", hint="pass round=..., e.g. round=2025")
    return str(r)


def _results(ev: Evaluation, results: Any, rnd: str) -> pd.DataFrame:
    """The round's special results, typed, with their source columns."""
    if results is None:
        df = ev.data.special_results.copy()
    elif isinstance(results, pd.DataFrame):
        df = results.copy()
    else:
        try:
            df = read_table(results)
        except PerfkitError as exc:
            raise RegistryError(exc.message, where=exc.where, hint=exc.hint) from None
    missing = [c for c in ("assessment_id", "unit_id", "score") if c not in df.columns]
    if missing:
        raise RegistryError(f"special results lack column(s) {', '.join(missing)}",
                            where=[str(df["_file"].iloc[0]) if "_file" in df and len(df) else "<results>"],
                            hint="special results need assessment_id, unit_id, score (and optionally grade, round)")
    for col, val in (("_file", "<memory>"), ("_row", None)):
        if col not in df:
            df[col] = val if col == "_file" else np.arange(len(df)) + 2
    if "round" in df:
        df = df[df["round"].astype(str).str.removesuffix(".0") == rnd]
    df["assessment_id"] = df["assessment_id"].astype(str).str.strip()
    df["unit_id"] = df["unit_id"].astype(str).str.strip()
    df["score_text"] = df["score"].astype(object)
    df["score"] = pd.to_numeric(df["score"], errors="coerce")
    return df.reset_index(drop=True)


def _check_results(df: pd.DataFrame, registry: Registry, units: pd.Index, scheme: Any) -> tuple[pd.DataFrame,
                                                                                             list[Issue], dict]:
    issues: list[Issue] = []
    reg = set(registry.ids)
    aid = df["assessment_id"].to_numpy(dtype=object)
    uid = df["unit_id"].to_numpy(dtype=object)
    score = df["score"].to_numpy(dtype=float)
    rows, files = df["_row"].to_numpy(dtype=object), df["_file"].astype(str).to_numpy(dtype=object)
    unknown_a = ~np.isin(aid, list(reg))
    unknown_u = ~unknown_a & ~np.isin(uid, list(units))
    bad = ~unknown_a & ~unknown_u & ~((score >= 0) & (score <= 100))
    unregistered: dict[str, int] = {}
    for k in np.flatnonzero(unknown_a):
        unregistered[aid[k]] = unregistered.get(aid[k], 0) + 1
        if unregistered[aid[k]] == 1:
            issues.append(Issue("warning", f"results for special assessment {aid[k]!r}, which is not in the "
                                f"registry{did_you_mean(aid[k], reg)}: left out", files[k],
                                f"row {rows[k]}: column assessment_id",
                                "register the assessment (approval, owner, indicators) or correct the id"))
    for k in np.flatnonzero(unknown_u):
        issues.append(Issue("warning", f"result for unknown unit {uid[k]!r}{did_you_mean(uid[k], units)}: left out",
                            files[k], f"row {rows[k]}: column unit_id"))
    for k in np.flatnonzero(bad):
        issues.append(Issue("error", f"score {df['score_text'].iloc[k]!r} is not a number from 0 to 100", files[k],
                            f"row {rows[k]}: column score", "write the 100-point score as a plain number"))
    keep = ~(unknown_a | unknown_u | bad)
    dup = df[keep].duplicated(["assessment_id", "unit_id"], keep="first")
    for k in dup[dup].index:
        issues.append(Issue("error", f"a second result of {df.at[k, 'assessment_id']!r} for unit "
                            f"{df.at[k, 'unit_id']!r}", str(df.at[k, "_file"]), f"row {df.at[k, '_row']}"))
    if scheme is not None:
        for sa in scheme.model.special:
            if sa.id not in reg and special_leaves(scheme, sa.id):
                unregistered.setdefault(sa.id, 0)
    return df[keep].reset_index(drop=True), issues, unregistered


def _previous(previous: Any, rnd: str) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    if previous is None:
        return out
    items = previous.items() if isinstance(previous, Mapping) else enumerate(previous)
    for key, v in items:
        if isinstance(v, Evaluation):
            key, df = (v.data.round or key), v.data.special_results
        elif isinstance(v, RoundData):
            key, df = (v.round or key), v.special_results
        elif isinstance(v, pd.DataFrame):
            df = v
        else:
            df = read_table(v)
        if "round" in df and str(key) not in ("", "None"):
            sel = df[df["round"].astype(str).str.removesuffix(".0") == str(key)]
            df = sel if len(sel) else df
        if str(key) != rnd:
            out[str(key)] = df.assign(assessment_id=df["assessment_id"].astype(str), unit_id=df["unit_id"].astype(str))
    return out


def _plan(registry: Registry, rnd: str, scheme: Any, results: pd.DataFrame, unregistered: dict) -> PlanControl:
    table = registry.to_frame(rnd)
    counts = results.groupby("assessment_id")["unit_id"].nunique()
    table["folded"] = [sum(float(scheme.nodes[x].points if scheme.paradigm == "points" else
                                 (scheme.nodes[x].weight or 1.0)) for x in special_leaves(scheme, a))
                       for a in table.index]
    table["results"] = counts.reindex(table.index).fillna(0).astype(int)
    active = table[table["active"]]
    return PlanControl(table=table, active=int(len(active)), cap=registry.model.plan.cap_for(rnd),
                       not_approved=tuple(a for a, r in active.iterrows() if r["approval"] != "approved"),
                       new=tuple(active.index[active["new"]]),
                       no_results=tuple(active.index[active["results"] == 0]), unregistered=dict(unregistered))


def check(ev: Evaluation, registry: Any, schedule: Any = None, *, results: Any = None,
          round: str | int | None = None) -> list[Issue]:  # noqa: A002 - perfkit's word for it
    """Every problem of the registry, the schedule and the special results of the round,
    errors and warnings, without raising (for listing them all)."""
    rnd = _round_of(ev, round)
    reg = load_registry(registry)
    units = ev.results.index
    out = check_registry(reg, ev.results[["category"]], ev.scheme, rnd)
    if schedule is not None:
        sc = load_schedule(schedule)
        out += list(sc.issues) + check_schedule(sc, reg, units, rnd)
    df = _results(ev, results, rnd)
    _, more, _ = _check_results(df, reg, units, ev.scheme)
    out += more
    return out


# ----------------------------------------------------------------------------- the review
def review(ev: Evaluation, registry: str | Path | Mapping | Registry, schedule: Any = None, *,
           results: Any = None, previous: Any = None, rules: Rules | Mapping[str, Any] | None = None,
           round: str | int | None = None, n_boot: int = 2000, level: float = 0.95,  # noqa: A002
           rng: None | int | np.random.Generator = None, strata: str | None = "category",
           include_targets: bool = True, optimise: bool = True, capacity: int | str | None = "as_scheduled",
           move: str = "clashing", time_limit: float = 20.0, kappa_weights: str = "linear") -> ConsistencyReview:
    """Review the special assessments of a round against its comprehensive evaluation.

    Parameters
    ----------
    ev
        The round's :class:`~perfkit.engine.Evaluation`.
    registry
        The special-assessment registry (YAML/XLSX path, mapping or :class:`Registry`).
    schedule
        The inspection schedule (path, DataFrame or :class:`Schedule`), or ``None``.
    results
        The round's special results (path or DataFrame); default: the evaluation's own.
    previous
        Earlier rounds' special results (``{round: DataFrame | RoundData | Evaluation | path}``),
        for stability.
    rules
        Thresholds (:class:`Rules` or a mapping of its fields), over the registry's ``rules:``.
    round
        The round, when the evaluation does not say.
    n_boot, level, rng
        Bootstrap replicates and interval level of the agreement; random generator or seed.
    strata
        ``"category"`` (agreement within unit categories) or ``None``.
    include_targets
        Match the special assessments' indicators against the functional targets too.
    optimise, capacity, move, time_limit
        The joint schedule (:func:`~perfkit.analyses.consistency.burden.joint_schedule`).
    kappa_weights
        ``"linear"`` or ``"quadratic"``.

    Raises
    ------
    RegistryError
        An error in the registry, the schedule or the results (unknown owner, unit,
        category or indicator; an inspection ending before it starts; a bad score), each
        with its file and location. Warnings are kept in ``issues``.
    """
    with threadpool_limits(limits=1, user_api="blas"):  # every matrix here is small: threads only cost
        return _review(ev, registry, schedule, results=results, previous=previous, rules=rules, round=round,
                       n_boot=n_boot, level=level, rng=rng, strata=strata, include_targets=include_targets,
                       optimise=optimise, capacity=capacity, move=move, time_limit=time_limit,
                       kappa_weights=kappa_weights)


def _review(ev, registry, schedule, *, results, previous, rules, round, n_boot, level, rng,  # noqa: A002
            strata, include_targets, optimise, capacity, move, time_limit, kappa_weights) -> ConsistencyReview:
    if strata not in ("category", None):
        raise ValueError(f"strata must be 'category' or None, got {strata!r}")
    if kappa_weights not in ("linear", "quadratic"):
        raise ValueError(f"kappa_weights must be 'linear' or 'quadratic', got {kappa_weights!r}")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be a whole number >= 0, got {n_boot!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    rnd = _round_of(ev, round)
    seed = seed_of(rng)
    gen = as_rng(rng)
    reg = load_registry(registry)
    sched = load_schedule(schedule) if schedule is not None else None
    units = ev.results[["name_zh", "name_en", "category"]]
    issues = check_registry(reg, units, ev.scheme, rnd)
    if sched is not None:
        issues += list(sched.issues) + check_schedule(sched, reg, units.index, rnd)
    res, more, unregistered = _check_results(_results(ev, results, rnd), reg, units.index, ev.scheme)
    issues += more
    raise_for_errors(issues)
    th = Rules.of(reg.model.rules, rules, where=reg.file)
    plan = _plan(reg, rnd, ev.scheme, res, unregistered)
    for aid in plan.no_results:
        issues.append(Issue("warning", f"special assessment {aid!r} has no results in round {rnd}: left out of the "
                            "agreement, discrimination and effect", reg.file,
                            reg.path(reg.ids.index(aid))))
    year = round_year(rnd)
    inactive = sorted({a for a in res["assessment_id"] if not reg.assessments[a].active(year)})
    for aid in inactive:
        issues.append(Issue("warning", f"results of {aid!r}, which does not run in round {rnd} (since/until)",
                            reg.file, reg.path(reg.ids.index(aid))))
    assessed = tuple(dict.fromkeys([a.id for a in reg.active(rnd)] + list(res["assessment_id"])))
    variants = {a: without(ev, a) for a in assessed if a in set(res["assessment_id"])}
    for aid, v in variants.items():
        if v.method == "impossible":
            issues.append(Issue("warning", f"the comprehensive score without {aid!r} cannot be computed: {v.note}",
                                reg.file, reg.path(reg.ids.index(aid))))
    grades = {a.id: list(a.grades) if a.grades else None for a in reg.model.assessments}
    ov = overlap(ev, reg, units, threshold=th.label_threshold, include_targets=include_targets)
    bu = burden(reg, units, rnd, sched.for_round(rnd) if sched is not None else None, k=int(th.clash_k),
                optimise=optimise, capacity=capacity, move=move, time_limit=time_limit)
    ag = agreement(ev, res, variants, grades=grades, strata=strata, n_boot=int(n_boot), level=level, rng=gen,
                   kappa_weights=kappa_weights, residual_threshold=th.residual, seed=seed)
    prev = _previous(previous, rnd)
    di = discrimination(res, prev, ceiling=th.ceiling_score)
    ef = effect(ev, variants)
    params = {"round": rnd, "seed": seed, "n_boot": int(n_boot), "level": level, "strata": strata or "none",
              "label_threshold": th.label_threshold, "clash_k": int(th.clash_k),
              "previous": sorted(prev), "include_targets": include_targets}
    partial = ConsistencyReview(round=rnd, registry=reg, schedule=sched, plan=plan, overlap=ov, burden=bu,
                                agreement=ag, discrimination=di, effect=ef, without=variants, recommendations=(),
                                alerts=(), issues=tuple(issues), rules=th, units_table=units, assessments=assessed,
                                params=params)
    recs = findings.recommendations(partial, th)
    partial = dataclasses.replace(partial, recommendations=recs)
    return dataclasses.replace(partial, alerts=findings.alerts(partial, th))


def issues_table(r: ConsistencyReview) -> pd.DataFrame:
    """The review's warnings as a table."""
    return issues_frame(r.issues)
