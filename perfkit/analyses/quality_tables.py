"""The data-quality report's tables, with headers and labels in one language.

Thin presentation over the results of :mod:`perfkit.collection` (collectors' record),
:mod:`perfkit.analyses.quality` (flags) and :mod:`perfkit.audit` (appeals and what they
changed); ``notebooks/data_quality.ipynb`` shows them.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from perfkit.analyses.quality import QualityReport
from perfkit.audit.lifecycle import RoundReview
from perfkit.collection.duty import Collector
from perfkit.collection.performance import CollectorPerformance
from perfkit.i18n import t
from perfkit.scheme import Scheme

__all__ = ["timeliness_table", "timeliness_chart_data", "flags_table", "flag_summary", "appeals_table",
           "changes_table", "changes_chart_data", "penalties_table"]


def _c(key: str, lang: str) -> str:
    return t(f"dq.col.{key}", lang)


def _when(v) -> str:
    return "" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")


def _name(names: Mapping[str, Collector], cid: str, lang: str) -> str:
    c = names.get(cid)
    return c.name(lang) if c is not None else cid


def timeliness_table(perf: CollectorPerformance, names: Mapping[str, Collector], lang: str,
                     round: str) -> pd.DataFrame:  # noqa: A002
    """One row per collector of ``round``: deadline, first return, lateness, versions, errors."""
    tab = perf.table[perf.table["round"] == str(round)].sort_values(["hours_late", "collector_id"],
                                                                      ascending=[False, True])
    rows = []
    for r in tab.itertuples(index=False):
        late = t("dq.on_time", lang) if r.on_time else t("dq.days_late", lang, days=int(r.days_late))
        errs = "—" if np.isnan(r.errors_first) else f"{int(r.errors_first)}"
        rows.append({_c("collector", lang): _name(names, r.collector_id, lang), _c("deadline", lang): _when(r.deadline),
                     _c("first_submitted", lang): _when(r.first_submitted), _c("timeliness", lang): late,
                     _c("errors_first", lang): errs, _c("versions", lang): int(r.versions),
                     _c("last_submitted", lang): _when(r.last_submitted)})
    return pd.DataFrame(rows)


def timeliness_chart_data(perf: CollectorPerformance, names: Mapping[str, Collector], lang: str,
                          round: str) -> pd.DataFrame:  # noqa: A002
    """``label, days``: days from the deadline to the first return (negative: early)."""
    tab = perf.table[perf.table["round"] == str(round)]
    days = (tab["first_submitted"] - tab["deadline"]).dt.total_seconds() / 86400
    return pd.DataFrame({"label": [_name(names, c, lang) for c in tab["collector_id"]], "days": days.to_numpy()})


def flags_table(report: QualityReport, lang: str) -> pd.DataFrame:
    """Every flag: level, kind, cell, unit, indicator, figure, finding."""
    df = report.to_frame(lang)
    if df.empty:
        return pd.DataFrame()
    kind = [t("dq.flag_level", lang, flag=fl, level=t(f"dq.level.{lv}", lang)) for fl, lv in zip(df["flag"],
                                                                                                   df["level"])]
    return pd.DataFrame({_c("cell", lang): df["cell"], _c("flag", lang): kind,
                         _c("unit", lang): df["unit"].replace("-", "—"),
                         _c("indicator", lang): df["indicator"], _c("value", lang): df["value"],
                         _c("finding", lang): df["text"]})


def flag_summary(report: QualityReport, lang: str) -> pd.DataFrame:
    """``flag, level_label, count`` per kind of flag (for the chart)."""
    s = report.summary(lang)
    if s.empty:
        return pd.DataFrame(columns=["flag", "level_label", "count"])
    return pd.DataFrame({"flag": s["flag"], "level_label": [t(f"dq.level.{v}", lang) for v in s["level"]],
                         "count": s["count"]})


def _indicator_label(scheme: Scheme, review: RoundReview, iid: str, lang: str) -> str:
    if iid in scheme.nodes:
        return scheme.label(iid, lang)
    tg = review.published.targets_detail
    if len(tg) and "indicator_id" in tg.columns:
        hit = tg[tg["indicator_id"] == iid]
        col = "label_zh" if lang == "zh" else "label_en"
        if len(hit) and col in hit.columns and pd.notna(hit[col].iloc[0]):
            return str(hit[col].iloc[0])
    return iid


def _unit_name(review: RoundReview, uid: str, lang: str) -> str:
    r = review.published.results
    col = "name_zh" if lang == "zh" else "name_en"
    return str(r.loc[uid, col]) if uid in r.index else uid


def appeals_table(review: RoundReview, lang: str) -> pd.DataFrame:
    """Every appeal: number, filed, by, unit, indicator, published, asked for, decision, decided, why."""
    scheme = review.published.scheme
    rows = []
    for a in review.appeals.itertuples(index=False):
        rows.append({_c("appeal", lang): int(a.appeal), _c("filed_at", lang): str(a.filed_at)[:16].replace("T", " "),
                     _c("filed_by", lang): a.filed_by, _c("unit", lang): _unit_name(review, a.unit_id, lang),
                     _c("indicator", lang): _indicator_label(scheme, review, a.indicator_id, lang),
                     _c("published", lang): a.published, _c("requested", lang): a.requested,
                     _c("reason", lang): a.reason, _c("decision", lang): t(f"dq.decision.{a.status}", lang),
                     _c("decided", lang): a.decided if a.decided is not None and not pd.isna(a.decided) else "—",
                     _c("decided_by", lang): a.decided_by or "—",
                     _c("decision_reason", lang): a.decision_reason or "—"})
    return pd.DataFrame(rows)


def _grade(scheme: Scheme, grade, category: str, lang: str) -> str:
    if grade is None or (isinstance(grade, float) and np.isnan(grade)):
        return "—"
    g = scheme.model.grading
    if g is not None:
        for rule in g.for_category(category):
            if rule.id == grade and rule.label is not None:
                return rule.label.get(lang)
    return str(grade)


def changes_table(review: RoundReview, lang: str) -> pd.DataFrame:
    """Every unit whose score, rank or grade changed: published → final and the appeals that
    changed it."""
    scheme = review.published.scheme
    cats = {c.id: c.label.get(lang) for c in scheme.model.categories}
    steps = review.steps.set_index("appeal") if len(review.steps) else pd.DataFrame()
    rows = []
    for r in review.diff.itertuples(index=False):
        traced = []
        for a in r.appeals:
            s = steps.loc[a]
            traced.append(t("dq.traced", lang, appeal=a, unit=_unit_name(review, s["unit_id"], lang),
                            indicator=_indicator_label(scheme, review, s["indicator_id"], lang)))
        sep = "；" if lang == "zh" else "; "
        rows.append({_c("unit", lang): r.name_zh if lang == "zh" else r.name_en,
                     _c("category", lang): cats.get(r.category, r.category),
                     _c("final_published", lang): f"{r.final_published:.2f}", _c("final", lang): f"{r.final:.2f}",
                     _c("change", lang): f"{r.change:+.2f}",
                     _c("rank", lang): f"{r.rank_published:g} → {r.rank:g}",
                     _c("grade", lang): f"{_grade(scheme, r.grade_published, r.category, lang)} → "
                                        f"{_grade(scheme, r.grade, r.category, lang)}",
                     _c("traced", lang): sep.join(traced)})
    return pd.DataFrame(rows)


def changes_chart_data(review: RoundReview, lang: str) -> pd.DataFrame:
    """``label, value``: each changed unit's change of final score."""
    d = review.diff
    return pd.DataFrame({"label": d["name_zh"] if lang == "zh" else d["name_en"], "value": d["change"]})


def penalties_table(penalties: pd.DataFrame, review_names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """The reverse-constraint penalties: unit, points deducted, reason (in ``lang``)."""
    rows = [{_c("unit", lang): review_names.get(r["unit_id"], r["unit_id"]), _c("points", lang): f"{r['points']:g}",
             _c("finding", lang): r["reason"] if lang == "zh" else r["reason_en"]}
            for r in penalties.to_dict("records")]
    return pd.DataFrame(rows)
