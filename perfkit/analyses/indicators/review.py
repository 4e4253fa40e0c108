"""The indicator review: :func:`review` over one or more evaluated rounds, and its result."""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from perfkit.analyses.indicators import measure, stats
from perfkit.analyses.indicators.collect import RoundView, round_label
from perfkit.analyses.indicators.design import DesignCompleteness, design_completeness
from perfkit.analyses.indicators.findings import alerts, recommendations, warnings_from
from perfkit.analyses.indicators.rules import ACTIONS, Thresholds, as_thresholds, decide, round_checks
from perfkit.engine.evaluation import Evaluation
from perfkit.errors import PerfkitError
from perfkit.results import Alert, Recommendation, alerts_frame, html_head, html_table, recommendations_frame

__all__ = ["IndicatorReview", "review"]



@dataclass(frozen=True, eq=False)
class IndicatorReview:
    """Is each indicator well defined, discriminating, independent and pulling its weight?

    Tables are long (a ``round`` column) unless said otherwise; ``indicator`` ids are those
    of the latest round's scheme (the one under review).

    Attributes
    ----------
    rounds
        The rounds reviewed, oldest first; the last is the reference.
    scheme_id
        The reference round's scheme.
    thresholds
        The declared thresholds of the rules (:class:`~perfkit.analyses.indicators.rules.Thresholds`).
    indicators
        One row per indicator of the reference scheme: labels, parent, kind, source, scoring
        method, points or weight, nominal share of the final score.
    design
        Design completeness from the scheme alone (:class:`DesignCompleteness`).
    discrimination
        Per round, indicator and category (``all`` and each category): n, mean, sd, cv,
        gini, full (share at full marks), zero (share at zero), distinct values — of the
        0-100 scores of the units with a value.
    distribution
        Per round and indicator: missing and imputed shares, skewness and kurtosis (COINr's
        definitions) of the values as submitted, COINr's skew/kurtosis check, robust outliers.
    grades
        Per round, qualitative indicator and grade: units, share, whether in the mapping.
    correlations
        Per round, every pair of indicators: within-category Pearson ``r``, units ``n``,
        whether they share an aggregation group.
    matrix
        The reference round's correlation matrix (indicators x indicators).
    clusters
        The reference round's indicators in dendrogram order with their cluster
        (indicators correlated at ``|r| >= corr`` with every member; complete linkage).
    structure, loadings
        Per round and aggregation group: Cronbach's alpha, KMO, Bartlett's p, PCA factors
        retained and variance explained; each child's factor and loading.
    direction
        Per round and indicator: declared direction, Spearman correlation with the rest of
        its parent and with the rest of the final score (within category), units.
    effective
        Per round, for every child of every aggregation group: nominal (normalised) weight,
        first-order effect ``S`` on the parent (smoother), its share of the group's effects
        ``S_norm``, ``ratio = S_norm / nominal``, the weight that would match the nominal
        intent (``optimal``), the nominal share of the final score and ``S_final``.
    stability
        Per pair of consecutive rounds and indicator: Spearman correlation of the scores,
        units, share of units whose score moved by less than one point.
    changes
        Scheme changes between consecutive rounds: indicators added, removed, given other
        points (``before`` / ``after``: points, or the normalised weight in the group).
    checks
        Every rule in every round: value, judged, fired.
    decisions
        Every rule over the rounds: rounds judged and fired, fires, action, values.
    recommendations
        keep / revise / merge / drop per indicator, with the rule, its threshold and the
        evidence (:class:`~perfkit.results.Recommendation`).
    alerts
        Findings for the committee (:class:`~perfkit.results.Alert`).
    warnings
        What could not be computed and why (bad or degenerate input), as ``Alert`` records.
    node_labels
        ``{node id: {"zh": ..., "en": ...}}`` for every node of every round's scheme.
    provenance
        Rounds, scheme, thresholds, whether statistics are within category.
    """

    rounds: tuple[str, ...]
    scheme_id: str
    thresholds: Thresholds
    indicators: pd.DataFrame
    design: DesignCompleteness
    discrimination: pd.DataFrame
    distribution: pd.DataFrame
    grades: pd.DataFrame
    correlations: pd.DataFrame
    matrix: pd.DataFrame
    clusters: pd.DataFrame
    structure: pd.DataFrame
    loadings: pd.DataFrame
    direction: pd.DataFrame
    effective: pd.DataFrame
    stability: pd.DataFrame
    changes: pd.DataFrame
    checks: pd.DataFrame
    decisions: pd.DataFrame
    recommendations: tuple[Recommendation, ...]
    alerts: tuple[Alert, ...]
    warnings: tuple[Alert, ...] = ()
    node_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def flagged(self) -> dict[str, tuple[str, ...]]:
        """Indicator -> the rules that fired for it (as subject or as the partner of a merge)."""
        out: dict[str, list[str]] = {}
        for r in self.recommendations:
            if r.action == "keep":
                continue
            for who in (r.subject, r.other):
                if who:
                    out.setdefault(who, []).append(r.rule)
        return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}

    def action_counts(self) -> dict[str, int]:
        """Indicators per strongest action (both members of a merged pair count as merge)."""
        counts = self.to_frame()["action"].value_counts()
        return {a: int(counts.get(a, 0)) for a in ACTIONS}

    def recommendations_frame(self, lang: str = "zh") -> pd.DataFrame:
        return recommendations_frame(self.recommendations, lang)

    def alerts_frame(self, lang: str = "zh") -> pd.DataFrame:
        return alerts_frame(self.alerts, lang)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: the strongest action, the rules that fired, and the key
        figures of the latest round."""
        df = self.indicators[["label_zh", "label_en", "parent", "kind"]].copy()
        flagged = self.flagged
        strongest = {}
        for r in self.recommendations:
            for who in (r.subject, r.other):
                if who and (who not in strongest or ACTIONS.index(r.action) < ACTIONS.index(strongest[who])):
                    strongest[who] = r.action
        df["action"] = [strongest.get(i, "keep") for i in df.index]
        df["rules"] = [", ".join(flagged.get(i, ())) for i in df.index]
        last = self.rounds[-1]
        d = self.discrimination[(self.discrimination["round"] == last) & (self.discrimination["category"] == "all")]
        df = df.join(d.set_index("indicator")[["n", "cv", "full", "zero", "distinct"]])
        dr = self.direction[self.direction["round"] == last].set_index("indicator")
        df["rho_final"] = dr["rho_final"]
        e = self.effective[self.effective["round"] == last].set_index("indicator")
        df["weight_ratio"] = e["ratio"].reindex(df.index)
        df["completeness"] = self.design.checklist["share"].reindex(df.index)
        return df

    def __repr__(self) -> str:
        acts = pd.Series([r.action for r in self.recommendations]).value_counts().to_dict()
        return (f"IndicatorReview(scheme={self.scheme_id!r}, rounds={list(self.rounds)}, "
                f"indicators={len(self.indicators)}, actions={acts}, alerts={len(self.alerts)}, "
                f"warnings={len(self.warnings)})")

    def _repr_html_(self) -> str:
        head = html_head("Indicator review", {"scheme": self.scheme_id, "rounds": ", ".join(self.rounds)})
        recs = self.recommendations_frame("en")
        recs = recs[recs["action"] != "keep"]
        warn = "".join(f"<li>{html.escape(w.text('en'))}</li>" for w in self.warnings)
        return (head + html_table(self.alerts_frame("en")[["level", "text"]]) +
                html_table(recs[["subject", "action", "reason"]], rows=60) +
                (f"<ul>{warn}</ul>" if warn else "") + html_table(self.to_frame(), rows=80))


def _views(evaluations) -> list[RoundView]:
    if isinstance(evaluations, Evaluation):
        evaluations = [evaluations]
    if isinstance(evaluations, Mapping):
        items = [(str(k), v) for k, v in evaluations.items()]
    elif isinstance(evaluations, Sequence) and not isinstance(evaluations, (str, bytes)):
        items = [(None, v) for v in evaluations]
    else:
        raise PerfkitError(f"review needs an Evaluation, a list of them or {{round: Evaluation}}, "
                           f"got {type(evaluations).__name__}", hint="ev = perfkit.evaluate(scheme, data)")
    if not items:
        raise PerfkitError("review needs at least one evaluated round", hint="review([ev_2024, ev_2025])")
    views = []
    for i, (name, ev) in enumerate(items):
        if not isinstance(ev, Evaluation):
            raise PerfkitError(f"round {name or i + 1}: expected an Evaluation (perfkit.evaluate), "
                               f"got {type(ev).__name__}")
        views.append(RoundView(name or round_label(ev, i), ev))
    names = [v.round for v in views]
    if len(set(names)) != len(names):
        raise PerfkitError(f"two evaluations have the same round {sorted({n for n in names if names.count(n) > 1})}",
                           hint="pass {round: evaluation} to name them")
    return views


def _indicators(v: RoundView) -> pd.DataFrame:
    rows = []
    for nid in v.ids:
        node = v.scheme.nodes[nid]
        spec = node.rule or node.normalise
        rows.append({"indicator": nid, "label_zh": node.label.zh, "label_en": node.label.en,
                     "parent": v.parent(nid) or "", "kind": node.kind, "source": node.source,
                     "method": spec.method if spec is not None else "", "points": node.points,
                     "weight": float(v.group_weights(v.parent(nid))[v.children(v.parent(nid)).index(nid)])
                     if v.parent(nid) else 1.0,
                     "nominal_share": v.nominal_share(nid), "direction": node.direction})
    return pd.DataFrame(rows).set_index("indicator")


def _declared(v: RoundView, nid: str) -> float:
    """What the scheme declares for ``nid``: its points, or its normalised weight in its group."""
    node = v.scheme.nodes[nid]
    if v.scheme.paradigm == "points" and node.points is not None:
        return float(node.points)
    parent = v.parent(nid)
    return float(v.group_weights(parent)[v.children(parent).index(nid)]) if parent else 1.0


def _changes(views: list[RoundView]) -> pd.DataFrame:
    """Indicators added, removed or given other points (weights) between consecutive rounds."""
    rows = []
    for a, b in pairwise(views):
        for nid in b.ids:
            if nid not in a.ids:
                rows.append({"from": a.round, "to": b.round, "indicator": nid, "change": "added", "before": np.nan,
                             "after": _declared(b, nid)})
            elif abs(_declared(a, nid) - _declared(b, nid)) > 1e-9:
                rows.append({"from": a.round, "to": b.round, "indicator": nid, "change": "reweighted",
                             "before": _declared(a, nid), "after": _declared(b, nid)})
        for nid in a.ids:
            if nid not in b.ids:
                rows.append({"from": a.round, "to": b.round, "indicator": nid, "change": "removed",
                             "before": _declared(a, nid), "after": np.nan})
    return pd.DataFrame(rows, columns=["from", "to", "indicator", "change", "before", "after"])


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f.columns)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def review(evaluations, *, thresholds: Thresholds | Mapping[str, Any] | None = None) -> IndicatorReview:
    """Review the indicators of one or more evaluated rounds.

    Parameters
    ----------
    evaluations
        An :class:`~perfkit.engine.Evaluation`, a list of them (oldest first) or
        ``{round: Evaluation}``. The last round's scheme is the one under review; earlier
        rounds add evidence (a rule fires when it holds in at least ``thresholds.rounds``
        of the rounds where it can be judged) and give the stability across rounds.
    thresholds
        The rules' thresholds: :class:`Thresholds` or a mapping overriding some defaults
        (e.g. ``{"corr": 0.85}``).

    Returns
    -------
    IndicatorReview
        Statistics, rule checks, recommendations (keep / revise / merge / drop), alerts
        for the committee and warnings about what could not be computed.

    References
    ----------
    .. [1] Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo
       or science? Journal of the Royal Statistical Society A 176(3), 609-634.
    .. [2] OECD/JRC (2008). Handbook on Constructing Composite Indicators, section 4
       (multivariate analysis).

    Examples
    --------
    >>> import perfkit
    >>> from perfkit.datasets.examples import synthetic_composite
    >>> ev = perfkit.evaluate(*synthetic_composite(60, 2, 3, rng=1))
    >>> r = review(ev)
    >>> r.recommendations[0].action in ("keep", "revise", "merge", "drop")
    True
    """
    th = as_thresholds(thresholds)
    views = _views(evaluations)
    notes: list[tuple[str, str, dict]] = []
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in (
        "disc", "dist", "grades", "pairs", "structure", "loadings", "direction", "effective", "checks")}
    matrix = pd.DataFrame()
    ref = views[-1]
    for v in views:
        disc = measure.discrimination(v, notes)
        dist = measure.distribution(v, notes, outlier_z=th.outlier_z)
        pairs, mat = measure.redundancy(v, notes)
        st, ld = measure.structure(v, notes)
        dirn = measure.direction(v, notes)
        eff = measure.effective(v, notes)
        _constant_notes(v, disc, notes)
        weights = {i: v.nominal_share(i) for i in v.ids}
        checks = round_checks(v.round, [i for i in v.ids if i in ref.ids], weights, th, disc=disc, dist=dist,
                              pairs=pairs, dirn=dirn, eff=eff)
        for key, df in (("disc", disc), ("dist", dist), ("grades", measure.grades(v, notes)), ("pairs", pairs),
                        ("structure", st), ("loadings", ld), ("direction", dirn), ("effective", eff),
                        ("checks", checks)):
            parts[key].append(df)
        if v is ref:
            matrix = mat
    stab = _concat([measure.stability(a, b) for a, b in pairwise(views)])
    if len(views) < 2:
        notes.append(("one_round", ref.round, {"round": ref.round}))
    checks = _concat(parts["checks"])
    decisions = decide(checks, th)
    labels, order = stats.clusters(matrix.to_numpy(dtype=float), th.corr) if len(matrix) else ([], [])
    clusters = pd.DataFrame({"indicator": [matrix.index[i] for i in order],
                             "cluster": [int(labels[i]) for i in order]}) if len(matrix) else pd.DataFrame(
        columns=["indicator", "cluster"])
    out = dict(
        rounds=tuple(v.round for v in views), scheme_id=ref.scheme.id, thresholds=th, indicators=_indicators(ref),
        design=design_completeness(ref.scheme), discrimination=_concat(parts["disc"]),
        distribution=_concat(parts["dist"]), grades=_concat(parts["grades"]), correlations=_concat(parts["pairs"]),
        matrix=matrix, clusters=clusters, structure=_concat(parts["structure"]), loadings=_concat(parts["loadings"]),
        direction=_concat(parts["direction"]), effective=_concat(parts["effective"]), stability=stab,
        changes=_changes(views), checks=checks, decisions=decisions)
    recs = recommendations(out, ref)
    labels = {nid: {"zh": n.label.zh, "en": n.label.en} for v in views for nid, n in v.scheme.nodes.items()}
    return IndicatorReview(**out, recommendations=recs, alerts=alerts(out, recs, th, ref),
                           warnings=warnings_from(notes, th, out, ref), node_labels=labels,
                           provenance={"rounds": [v.round for v in views], "scheme": ref.scheme.id,
                                       "thresholds": th.__dict__.copy(),
                                       "within_category": ref.groups is not None})


def _constant_notes(v: RoundView, disc: pd.DataFrame, notes) -> None:
    d = disc[(disc["category"] == "all") & (disc["distinct"] == 1) & (disc["n"] >= 2)]
    for r in d.itertuples(index=False):
        notes.append(("constant", r.indicator, {"round": v.round, "value": float(r.mean), "n": int(r.n)}))
