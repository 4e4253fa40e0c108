"""Charts of the consistency review (Altair), in zh or en, rendered offline to SVG.

Each function takes a part of a :class:`~perfkit.analyses.consistency.ConsistencyReview`
and the language, and returns an Altair chart; labels come from the catalogue
(``chart.cons.*``) and unit and assessment names from the review.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from perfkit.charts.round import NUMBER_FONT
from perfkit.charts.render import FONT
from perfkit.i18n import t

__all__ = ["burden_heatmap", "agreement_intervals", "agreement_scatter", "score_strips"]

_COLOURS = ("#2a9d8f", "#e76f51", "#457b9d", "#e9c46a", "#6d597a", "#8d99ae")


def _t(key: str, lang: str, **fmt) -> str:
    return t(f"chart.cons.{key}", lang, **fmt)


def _config(chart):
    return (chart.configure(font=FONT).configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=12, labelLimit=260)
            .configure_axisQuantitative(labelFont=NUMBER_FONT, tickCount=6)
            .configure_legend(labelFont=FONT, titleFont=FONT)
            .configure_title(fontSize=14, anchor="start"))


def _names(review, lang: str) -> dict[str, str]:
    return {k: a.label.get(lang) for k, a in review.registry.assessments.items()}


def _unit_names(review, lang: str) -> pd.Series:
    return review.units_table["name_zh" if lang == "zh" else "name_en"].astype(str)


def burden_heatmap(review, *, lang: str = "en", proposed: bool = False, only_busy: bool = False):
    """Units x weeks: how many special assessments inspect each unit in each week (as
    scheduled, or in the proposed joint schedule); weeks with ``k`` or more outlined.

    ``only_busy`` keeps the units that have a clash in the schedule as given.
    """
    b = review.burden
    cal = b.joint.calendar if proposed and b.joint is not None else b.calendar
    cal = cal.copy()
    units = review.units_table
    if only_busy:
        cal = cal[cal["unit_id"].isin(set(b.clashes["unit_id"]))]
    if not len(cal):
        cal = pd.DataFrame({"unit_id": [], "iso_week": [], "assessments": [], "which": [], "week": []})
    names = _unit_names(review, lang)
    cal["unit"] = cal["unit_id"].map(names).fillna(cal["unit_id"])
    cats = units["category"]
    order_units = [names.get(u, u) for u in units.sort_values("category", kind="stable").index
                   if u in set(cal["unit_id"])]
    order_weeks = list(dict.fromkeys(cal.sort_values("week")["iso_week"]))
    cal["clash"] = cal["assessments"] >= b.k
    cal["category"] = cal["unit_id"].map(cats)
    base = alt.Chart(cal).encode(
        x=alt.X("iso_week:O", sort=order_weeks, title=_t("week", lang), axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("unit:N", sort=order_units, title=None))
    tips = [alt.Tooltip("unit:N", title=_t("unit", lang)), alt.Tooltip("iso_week:O", title=_t("week", lang)),
            alt.Tooltip("assessments:Q", title=_t("assessments", lang)), alt.Tooltip("which:N", title="")]
    top = int(max(b.k + 1, cal["assessments"].max() if len(cal) else 1))
    cells = base.mark_rect().encode(
        color=alt.Color("assessments:Q", title=_t("assessments", lang),
                        scale=alt.Scale(domain=[1, top], range=["#e8f1f8", "#08306b"]), legend=alt.Legend(
                            tickMinStep=1, format="d")), tooltip=tips)
    ring = base.transform_filter(alt.datum.clash).mark_rect(fill=None, stroke="#e63946", strokeWidth=2)
    text = base.transform_filter(alt.datum.clash).mark_text(color="white", fontSize=10).encode(text="assessments:Q")
    title = _t("heatmap_joint" if proposed else "heatmap", lang, k=b.k)
    height = max(80, 15 * len(order_units))
    return _config((cells + ring + text).properties(title=title, width=max(300, 16 * len(order_weeks)),
                                                   height=height))


def agreement_intervals(review, *, lang: str = "en"):
    """Per special assessment, Spearman and Kendall correlations (within categories) with
    the comprehensive score without it, with their intervals; the disagreement threshold
    as a dashed line."""
    a = review.agreement.table
    names = _names(review, lang)
    rows = []
    for aid, r in a.iterrows():
        for stat in ("spearman", "kendall"):
            rows.append({"assessment": names.get(aid, aid), "stat": _t(stat, lang), "value": r[stat],
                         "lo": r[f"{stat}_lo"], "hi": r[f"{stat}_hi"], "n": r["n"]})
    df = pd.DataFrame(rows).dropna(subset=["value"])
    order = [names.get(x, x) for x in a.sort_values("spearman").index]
    y = alt.Y("assessment:N", sort=order, title=None)
    colour = alt.Color("stat:N", title=None, scale=alt.Scale(range=list(_COLOURS[:2])))
    x = alt.X("lo:Q", title=_t("correlation", lang), scale=alt.Scale(domain=[-1, 1]))
    bar = alt.Chart(df).mark_rule(strokeWidth=2).encode(x=x, x2="hi:Q", y=y, yOffset="stat:N", color=colour)
    dot = alt.Chart(df).mark_point(filled=True, size=50).encode(
        x="value:Q", y=y, yOffset="stat:N", color=colour,
        tooltip=["assessment:N", "stat:N", alt.Tooltip("value:Q", format=".2f"), alt.Tooltip("lo:Q", format=".2f"),
                 alt.Tooltip("hi:Q", format=".2f"), "n:Q"])
    zero = alt.Chart(pd.DataFrame({"x": [review.rules.disagree_below]})).mark_rule(
        strokeDash=[4, 3], color="#555").encode(x="x:Q")
    return _config((bar + dot + zero).properties(title=_t("agreement", lang), width=420,
                                                 height=max(80, 34 * len(order))))


def agreement_scatter(review, *, lang: str = "en", columns: int = 3, category_labels=None):
    """One panel per special assessment: its score against the comprehensive score without
    it, coloured by category, the units where the two disagree (large robust residuals)
    named."""
    u = review.agreement.units.dropna(subset=["score", "final_without"]).copy()
    names = _names(review, lang)
    unit_names = _unit_names(review, lang)
    u["unit"] = u["unit_id"].map(unit_names).fillna(u["unit_id"])
    u["category_label"] = u["category"].map(lambda c: (category_labels or {}).get(c, c))
    panels = []
    for aid in review.agreement.table.index:
        d = u[u["assessment_id"] == aid]
        if not len(d):
            continue
        base = alt.Chart(d).encode(
            x=alt.X("final_without:Q", title=_t("without", lang), scale=alt.Scale(zero=False)),
            y=alt.Y("score:Q", title=_t("score", lang), scale=alt.Scale(zero=False)))
        pts = base.mark_point(filled=True, size=30, opacity=0.8).encode(
            color=alt.Color("category_label:N", title=_t("category", lang),
                            scale=alt.Scale(range=list(_COLOURS))),
            tooltip=["unit:N", alt.Tooltip("score:Q", format=".1f"), alt.Tooltip("final_without:Q", format=".2f"),
                     alt.Tooltip("residual:Q", format=".2f")])
        flagged = d[d["disagrees"]]
        lab = alt.Chart(flagged).mark_text(align="left", dx=5, fontSize=10, color="#e63946").encode(
            x="final_without:Q", y="score:Q", text="unit:N")
        ring = alt.Chart(flagged).mark_point(size=90, color="#e63946").encode(x="final_without:Q", y="score:Q")
        panels.append((pts + ring + lab).properties(title=names.get(aid, aid), width=210, height=170))
    rows = [alt.hconcat(*panels[i:i + columns]) for i in range(0, len(panels), columns)]
    return _config(alt.vconcat(*rows).properties(title=_t("scatter", lang)))


def score_strips(review, results: pd.DataFrame, *, lang: str = "en"):
    """Each special assessment's scores as ticks (one per unit), the ceiling as a line."""
    names = _names(review, lang)
    d = results[["assessment_id", "unit_id", "score"]].dropna().copy()
    d["assessment"] = d["assessment_id"].map(names).fillna(d["assessment_id"])
    d["unit"] = d["unit_id"].map(_unit_names(review, lang)).fillna(d["unit_id"])
    ceiling = review.rules.ceiling_score
    at, below = _t("at_ceiling", lang, ceiling=ceiling), _t("below_ceiling", lang, ceiling=ceiling)
    d["at_ceiling"] = np.where(d["score"] >= ceiling, at, below)
    order = [names.get(a, a) for a in review.discrimination.table.sort_values("share_ceiling").index]
    ticks = alt.Chart(d).mark_tick(thickness=2, size=16, opacity=0.7).encode(
        x=alt.X("score:Q", title=_t("score", lang), scale=alt.Scale(zero=False)),
        y=alt.Y("assessment:N", sort=order, title=None),
        color=alt.Color("at_ceiling:N", title=None, sort=[at, below],
                        scale=alt.Scale(domain=[at, below], range=[_COLOURS[1], _COLOURS[2]])),
        tooltip=["assessment:N", "unit:N", alt.Tooltip("score:Q", format=".1f")])
    line = alt.Chart(pd.DataFrame({"x": [ceiling]})).mark_rule(strokeDash=[4, 3], color="#555").encode(x="x:Q")
    return _config((ticks + line).properties(title=_t("strips", lang, ceiling=ceiling), width=420,
                                             height=max(80, 26 * len(order))))

