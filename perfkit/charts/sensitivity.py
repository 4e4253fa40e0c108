"""Charts of the sensitivity results (Altair), in zh or en, rendered offline.

Each function returns an Altair chart; :func:`perfkit.charts.render.to_svg` turns it into
SVG in-process (vl-convert bundles Vega: no CDN, no network), which is how reports embed
them.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from perfkit.charts.render import FONT
from perfkit.i18n import t

__all__ = ["rank_interval_chart", "grade_probability_chart", "sobol_chart", "margin_chart", "margin_table_chart",
           "comparison_chart"]


def _t(key: str, lang: str, **fmt) -> str:
    return t(f"chart.sens.{key}", lang, **fmt)


def _config(chart):
    f = FONT
    return chart.configure(font=f).configure_axis(labelFont=f, titleFont=f).configure_legend(
        labelFont=f, titleFont=f).configure_title(font=f)


def _name_col(lang: str) -> str:
    return "name_zh" if lang == "zh" else "name_en"


def rank_interval_chart(result, *, lang: str = "en", category: str | None = None):
    """Caterpillar plot of an :class:`UncertaintyResult`: per unit the rank interval (bar),
    the median rank (dot) and the nominal rank (tick), one panel per category."""
    df = result.units.reset_index()
    if category is not None:
        df = df[df["category"] == category]
    df = df.dropna(subset=["nominal_rank"])
    df["label"] = df[_name_col(lang)].astype(str)
    lo, hi = result.quantiles
    panels = []
    for cat, sub in df.groupby("category", sort=False):
        order = sub.sort_values("nominal_rank")["label"].tolist()
        y = alt.Y("label:N", sort=order, title=_t("unit", lang))
        base = alt.Chart(sub).encode(y=y)
        tips = [alt.Tooltip("label:N", title=_t("unit", lang)),
                alt.Tooltip("nominal_rank:Q", title=_t("nominal_rank", lang)),
                alt.Tooltip("median_rank:Q", title=_t("median_rank", lang)),
                alt.Tooltip("rank_lo:Q"), alt.Tooltip("rank_hi:Q")]
        bar = base.mark_rule(strokeWidth=4, opacity=0.5).encode(
            x=alt.X("rank_lo:Q", title=_t("rank", lang), scale=alt.Scale(reverse=False)), x2="rank_hi:Q",
            tooltip=tips)
        med = base.mark_point(filled=True, size=40).encode(x="median_rank:Q", tooltip=tips)
        nom = base.mark_tick(color="black", thickness=2, size=12).encode(x="nominal_rank:Q", tooltip=tips)
        panels.append((bar + med + nom).properties(title=str(cat), width=420, height=max(60, 14 * len(sub))))
    chart = alt.vconcat(*panels).properties(title=_t("rank_title", lang, lo=lo, hi=hi))
    return _config(chart)


def grade_probability_chart(result, *, lang: str = "en", only_uncertain: bool = False):
    """Stacked bars: for each unit the probability of each grade (best grade first)."""
    probs = result.grade_probabilities.copy()
    if probs.empty:
        raise ValueError("the scheme has no grading; there are no grade probabilities")
    units = result.units
    if only_uncertain:
        probs = probs[probs.max(axis=1) < 1.0]
    long = probs.reset_index().melt(id_vars="unit_id", var_name="grade", value_name="p")
    long = long[long["p"] > 0]
    long["label"] = units.loc[long["unit_id"], _name_col(lang)].astype(str).to_numpy()
    long["category"] = units.loc[long["unit_id"], "category"].to_numpy()
    order = units.loc[probs.index].sort_values(["category", "nominal_rank"])[_name_col(lang)].astype(str).tolist()
    grades = list(result.grade_names)
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("label:N", sort=order, title=_t("unit", lang)),
        x=alt.X("p:Q", stack="zero", title=_t("probability", lang), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("grade:N", sort=grades, scale=alt.Scale(domain=grades, scheme="redyellowgreen",
                                                               reverse=True), title=_t("grade", lang)),
        order=alt.Order("grade_order:Q"),
        tooltip=[alt.Tooltip("label:N", title=_t("unit", lang)), alt.Tooltip("grade:N", title=_t("grade", lang)),
                 alt.Tooltip("p:Q", format=".1%", title=_t("probability", lang))],
    ).transform_calculate(grade_order=f"indexof({grades!r}, datum.grade)").properties(
        title=_t("grade_title", lang), width=420, height=max(60, 14 * len(order)))
    return _config(chart)


def sobol_chart(result, *, output: str = "mean_abs_rank_shift", lang: str = "en"):
    """Grouped bars of S1 and ST per factor (group) with their confidence intervals."""
    df = result.for_output(output).reset_index()
    rows = []
    for r in df.itertuples(index=False):
        for k in ("S1", "ST"):
            v, c = getattr(r, k), getattr(r, f"{k}_conf")
            rows.append({"factor": r.factor, "kind": _t(k, lang), "value": v, "lo": v - c, "hi": v + c})
    long = pd.DataFrame(rows)
    order = df.sort_values("ST", ascending=False)["factor"].tolist()
    base = alt.Chart(long).encode(y=alt.Y("factor:N", sort=order, title=_t("factor", lang)),
                                  yOffset="kind:N", color=alt.Color("kind:N", title=_t("kind", lang)))
    bars = base.mark_bar().encode(x=alt.X("value:Q", title=_t("index", lang)),
                                  tooltip=["factor:N", "kind:N", alt.Tooltip("value:Q", format=".3f")])
    err = base.mark_rule(color="black").encode(x="lo:Q", x2="hi:Q")
    name = _t("mars", lang) if output == "mean_abs_rank_shift" else output
    return _config((bars + err).properties(title=_t("sobol_title", lang, output=name), width=420,
                                           height=max(80, 36 * len(order))))


def margin_chart(result, *, lang: str = "en", top: int | None = 30):
    """Horizontal bars of the grade stability margins, smallest first (most fragile)."""
    df = result.units.reset_index()
    df = df[np.isfinite(df["grade_margin"].astype(float))].sort_values("grade_margin")
    if top is not None:
        df = df.head(top)
    df["label"] = df[_name_col(lang)].astype(str)
    chart = alt.Chart(df).mark_bar().encode(
        y=alt.Y("label:N", sort=df["label"].tolist(), title=_t("unit", lang)),
        x=alt.X("grade_margin:Q", title=_t("margin", lang)),
        color=alt.Color("grade:N", title=_t("grade", lang)),
        tooltip=[alt.Tooltip("label:N", title=_t("unit", lang)), alt.Tooltip("grade:N", title=_t("grade", lang)),
                 alt.Tooltip("grade_margin:Q", format=".3f"), alt.Tooltip("grade_event:N", title=_t("event", lang))],
    ).properties(title=_t("margin_title", lang), width=420, height=max(60, 14 * len(df)))
    return _config(chart)


def margin_table_chart(result, *, lang: str = "en", top: int | None = 30):
    """The stability-margin table as a drawn table (unit, grade, margin, event, rank margin)."""
    df = result.units.reset_index()
    df = df.sort_values("grade_margin", na_position="last")
    if top is not None:
        df = df.head(top)
    cols = [(_name_col(lang), _t("unit", lang)), ("grade", _t("grade", lang)),
            ("grade_margin", _t("margin", lang)), ("grade_event", _t("event", lang)),
            ("rank_margin", _t("rank_margin", lang))]
    rows = []
    for i, r in enumerate(df.itertuples(index=False)):
        for j, (c, _) in enumerate(cols):
            v = getattr(r, c)
            text = f"{v:.3f}" if isinstance(v, (float, np.floating)) and np.isfinite(v) else (
                "∞" if isinstance(v, (float, np.floating)) and np.isinf(v) else ("" if v is None else str(v)))
            rows.append({"row": i, "col": j, "text": text})
    data = pd.DataFrame(rows)
    widths = [110, 70, 90, 300, 90]
    x0 = np.concatenate([[0], np.cumsum(widths)[:-1]])
    data["x"] = x0[data["col"]]
    head = pd.DataFrame({"x": x0, "text": [c[1] for c in cols], "row": -1})
    enc = {"x": alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, sum(widths)])),
           "y": alt.Y("row:O", axis=None)}
    body = alt.Chart(data).mark_text(align="left", fontSize=11).encode(text="text:N", **enc)
    header = alt.Chart(head).mark_text(align="left", fontWeight="bold", fontSize=11).encode(text="text:N", **enc)
    return _config((header + body).properties(title=_t("margin_title", lang), width=sum(widths),
                                              height=16 * (len(df) + 1)))


def comparison_chart(result, *, lang: str = "en"):
    """Slope chart: each unit's rank under each scheme (one panel per category)."""
    units = result.units.reset_index()
    rows = []
    for nm in result.names:
        for r in units.to_dict("records"):
            rows.append({"unit": r[_name_col(lang)], "category": r["category"], "scheme": nm,
                         "rank": r[f"rank[{nm}]"]})
    long = pd.DataFrame(rows).dropna(subset=["rank"])
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("scheme:N", sort=list(result.names), title=_t("scheme", lang)),
        y=alt.Y("rank:Q", scale=alt.Scale(reverse=True), title=_t("rank", lang)),
        detail="unit:N", color=alt.Color("category:N", title=_t("category", lang)),
        tooltip=["unit:N", "scheme:N", "rank:Q"],
    ).properties(title=_t("compare_title", lang), width=100 * len(result.names) + 100, height=360)
    return _config(chart)
