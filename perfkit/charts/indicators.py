"""Charts of the indicator review (Altair, rendered offline to SVG): a correlation heatmap
ordered by clusters, nominal against effective weights, and a discrimination dot plot.

The drawing functions take tidy tables whose label columns are already in the report's
language; :func:`correlation_chart`, :func:`weight_chart` and :func:`discrimination_chart`
build those tables from an :class:`~perfkit.analyses.indicators.IndicatorReview` with the
catalogue's words (``chart.ind.*``).
"""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from perfkit.charts.round import NUMBER_FONT, _config
from perfkit.i18n import t

__all__ = ["heatmap", "paired_bars", "share_dots", "correlation_chart", "weight_chart", "discrimination_chart"]

_FLAG, _OK, _NOMINAL, _EFFECT = "#e76f51", "#457b9d", "#8d99ae", "#2a9d8f"
_CELL = 22


def heatmap(df: pd.DataFrame, *, order: Sequence[str], title: str | None, colour_title: str, threshold: float,
            a: str = "a", b: str = "b", r: str = "r") -> alt.Chart:
    """Correlations as a square heatmap in ``order`` (red positive, blue negative); cells at
    ``r >= threshold`` off the diagonal are outlined and carry their value."""
    data = df[[a, b, r]].copy()
    data["strong"] = (data[r] >= threshold) & (data[a] != data[b])
    data["text"] = [f"{v:.2f}" if s else "" for v, s in zip(data[r], data["strong"])]
    order = list(order)
    x = alt.X(f"{b}:N", sort=order, title=None, axis=alt.Axis(labelAngle=-60, labelLimit=180))
    y = alt.Y(f"{a}:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    cells = alt.Chart(data).mark_rect().encode(
        x=x, y=y, color=alt.Color(f"{r}:Q", title=colour_title,
                                  scale=alt.Scale(domain=[-1, 1], scheme="redblue", reverse=True)),
        tooltip=[a, b, alt.Tooltip(f"{r}:Q", format=".2f")])
    outline = alt.Chart(data[data["strong"]]).mark_rect(fill=None, stroke="black", strokeWidth=1.5).encode(x=x, y=y)
    text = alt.Chart(data[data["strong"]]).mark_text(fontSize=8, font=NUMBER_FONT).encode(x=x, y=y, text="text:N")
    size = max(120, _CELL * len(order))
    chart = (cells + outline + text).properties(width=size, height=size, **({"title": title} if title else {}))
    return _config(chart)


def paired_bars(df: pd.DataFrame, *, title: str | None, x_title: str, kind_title: str, kinds: Sequence[str],
                label: str = "label", kind: str = "kind", value: str = "value", panel: str = "panel") -> alt.Chart:
    """Per label two bars (``kinds``: e.g. nominal and effective share), one panel per
    ``panel`` value, labels in their table order."""
    panels = []
    for name, sub in df.groupby(panel, sort=False):
        order = list(dict.fromkeys(sub[label]))
        chart = alt.Chart(sub).mark_bar().encode(
            y=alt.Y(f"{label}:N", sort=order, title=None), yOffset=alt.YOffset(f"{kind}:N", sort=list(kinds)),
            x=alt.X(f"{value}:Q", title=x_title, axis=alt.Axis(format="%")),
            color=alt.Color(f"{kind}:N", title=kind_title, sort=list(kinds),
                            scale=alt.Scale(domain=list(kinds), range=[_NOMINAL, _EFFECT, _FLAG][:len(kinds)])),
            tooltip=[label, kind, alt.Tooltip(f"{value}:Q", format=".1%")])
        panels.append(chart.properties(title=str(name), width=360, height=max(60, 30 * len(order))))
    out = alt.vconcat(*panels).resolve_scale(x="independent")
    return _config(out.properties(title=title) if title else out)


def share_dots(df: pd.DataFrame, *, title: str | None, x_title: str, kind_title: str, threshold: float,
               threshold_title: str, label: str = "label", kind: str = "kind", value: str = "value",
               flagged: str = "flagged") -> alt.Chart:
    """Dots of shares in [0, 1] per label (e.g. at full marks, at zero), a dashed line at
    ``threshold``; labels whose rule fired in bold red, in table order."""
    order = list(dict.fromkeys(df[label]))
    bad = sorted(set(df.loc[df[flagged], label]))
    y = alt.Y(f"{label}:N", sort=order, title=None,
              axis=alt.Axis(labelColor=alt.condition(alt.FieldOneOfPredicate(field="value", oneOf=bad),
                                                     alt.value(_FLAG), alt.value("#333")) if bad else "#333"))
    dots = alt.Chart(df).mark_point(filled=True, size=60).encode(
        x=alt.X(f"{value}:Q", title=x_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y=y, color=alt.Color(f"{kind}:N", title=kind_title, scale=alt.Scale(range=[_OK, _FLAG, _NOMINAL])),
        shape=alt.Shape(f"{kind}:N", title=kind_title),
        tooltip=[label, kind, alt.Tooltip(f"{value}:Q", format=".1%")])
    line = alt.Chart(pd.DataFrame({"x": [threshold], "what": [threshold_title]})).mark_rule(
        strokeDash=[4, 3], color="#333").encode(x="x:Q", tooltip=["what:N"])
    chart = (dots + line).properties(width=380, height=max(60, 18 * len(order)), **({"title": title} if title else {}))
    return _config(chart)


# ------------------------------------------------------------------ from a review


def _label(review, lang: str):
    names = {nid: lab[lang] for nid, lab in review.node_labels.items()}
    return lambda nid: names.get(nid, str(nid))


def correlation_chart(review, *, lang: str = "en", indicators: Sequence[str] | None = None):
    """Heatmap of the latest round's within-category correlations, indicators in cluster
    (dendrogram) order, pairs at the redundancy threshold outlined."""
    label = _label(review, lang)
    m = review.matrix
    ids = [i for i in review.clusters["indicator"] if indicators is None or i in indicators]
    rows = [{"a": label(i), "b": label(j), "r": m.loc[i, j]} for i in ids for j in ids if np.isfinite(m.loc[i, j])]
    return heatmap(pd.DataFrame(rows, columns=["a", "b", "r"]), order=[label(i) for i in ids],
                   title=t("chart.ind.corr_title", lang, round=review.rounds[-1]),
                   colour_title=t("chart.ind.r", lang), threshold=review.thresholds.corr)


def weight_chart(review, *, lang: str = "en", groups: Sequence[str] | None = None):
    """Per aggregation group of the latest round: each child's nominal share of the group's
    weight against its share of the group's first-order effects (and the weight that would
    match them); groups whose effects are not judged (too few units) are left out."""
    label = _label(review, lang)
    e = review.effective[review.effective["round"] == review.rounds[-1]].copy()
    # shares of the whole group, then only the children whose effect is judged are drawn
    e["optimal"] = e["optimal"] / e.groupby("group")["optimal"].transform("sum")
    e = e[e["n"] >= review.thresholds.min_units_effect]
    if groups is not None:
        e = e[e["group"].isin(groups)]
    names = [t("chart.ind.nominal", lang), t("chart.ind.effect", lang), t("chart.ind.optimal", lang)]
    rows = []
    for g, sub in e.groupby("group", sort=False):
        for r, o in zip(sub.itertuples(index=False), sub["optimal"]):
            for name, v in zip(names, (r.nominal, r.S_norm, o)):
                if np.isfinite(v):
                    rows.append({"panel": t("chart.ind.group", lang, group=label(g)), "label": label(r.indicator),
                                 "kind": name, "value": float(v)})
    return paired_bars(pd.DataFrame(rows, columns=["panel", "label", "kind", "value"]),
                       title=t("chart.ind.weight_title", lang, round=review.rounds[-1]),
                       x_title=t("chart.ind.share", lang), kind_title=t("chart.ind.kind", lang), kinds=names)


def discrimination_chart(review, *, lang: str = "en"):
    """Share of the units at full marks and at zero per indicator (latest round), sorted by
    the larger; indicators the discrimination rules flag in red."""
    label = _label(review, lang)
    d = review.discrimination
    d = d[(d["round"] == review.rounds[-1]) & (d["category"] == "all") & (d["n"] > 0)].copy()
    d["top"] = d[["full", "zero"]].max(axis=1)
    d = d.sort_values("top", ascending=False)
    flagged = {i for i, rules in review.flagged.items() if {"ind_ceiling", "ind_floor", "ind_constant"} & set(rules)}
    rows = []
    for r in d.itertuples(index=False):
        for key in ("full", "zero"):
            rows.append({"label": label(r.indicator), "kind": t(f"chart.ind.{key}", lang),
                         "value": float(getattr(r, key)), "flagged": r.indicator in flagged})
    return share_dots(pd.DataFrame(rows, columns=["label", "kind", "value", "flagged"]),
                      title=t("chart.ind.disc_title", lang, round=review.rounds[-1]),
                      x_title=t("chart.ind.share_units", lang), kind_title=t("chart.ind.kind", lang),
                      threshold=review.thresholds.full_share, threshold_title=t("chart.ind.threshold", lang))
