"""The report charts. Each takes a tidy table with label columns in the report's language."""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from perfkit.charts.render import FONT

__all__ = ["GRADE_COLOURS", "score_bars", "grade_distribution", "diverging_bars", "interval_dots", "trend_lines"]

#: Grade colours, best grade first (excellent, good, pass, fail, ...).
GRADE_COLOURS = ("#2a9d8f", "#457b9d", "#e9c46a", "#e76f51", "#8d99ae", "#6d597a")
_POS, _NEG, _NEUTRAL = "#2a9d8f", "#e76f51", "#457b9d"
_ROW = 18
#: Numbers on quantitative axes: a small Latin font is measured several times faster than CJK.
NUMBER_FONT = "DejaVu Sans, Arial, sans-serif"


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (chart.configure(font=FONT).configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=12, labelLimit=260)
            .configure_axisQuantitative(labelFont=NUMBER_FONT, tickCount=6)
            .configure_title(fontSize=14, anchor="start"))


def _props(chart, title: str | None, **kw):
    """Chart properties; no title when ``title`` is None (a report heading says it already)."""
    return chart.properties(**({"title": title} if title else {}), **kw)


def score_bars(df: pd.DataFrame, *, title: str | None, x_title: str, colour_title: str,
               colour_order: Sequence[str], x: str = "final", y: str = "name", colour: str = "grade_label",
               width: int = 420) -> alt.Chart:
    """Horizontal bars, best first, coloured by grade (``colour_order`` best grade first)."""
    data = df[[x, y, colour]].dropna(subset=[x]).sort_values(x, ascending=False)
    order = list(dict.fromkeys(data[y]))
    enc_colour = alt.Color(f"{colour}:N", title=colour_title,
                           scale=alt.Scale(domain=list(colour_order), range=list(GRADE_COLOURS[:len(colour_order)])))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{x}:Q", title=x_title),
        y=alt.Y(f"{y}:N", sort=order, title=None),
        color=enc_colour,
        tooltip=[y, alt.Tooltip(f"{x}:Q", format=".2f"), colour])
    text = alt.Chart(data).mark_text(align="left", dx=3, fontSize=10).encode(
        x=f"{x}:Q", y=alt.Y(f"{y}:N", sort=order), text=alt.Text(f"{x}:Q", format=".1f"))
    return _config(_props(bars + text, title, width=width, height=max(60, _ROW * len(data))))


def grade_distribution(df: pd.DataFrame, *, title: str, y_title: str, quota_title: str,
                       grade_order: Sequence[str], facet: str = "category_label", grade: str = "grade_label",
                       count: str = "count", quota: str = "quota") -> alt.Chart:
    """Units per grade per category (bars) against each grade's quota (black ticks)."""
    data = df[[facet, grade, count, quota]].copy()
    base = alt.Chart().encode(x=alt.X(f"{grade}:N", sort=list(grade_order), title=None,
                                      axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar().encode(
        y=alt.Y(f"{count}:Q", title=y_title, axis=alt.Axis(tickMinStep=1)),
        color=alt.Color(f"{grade}:N", legend=None, scale=alt.Scale(domain=list(grade_order),
                                                                   range=list(GRADE_COLOURS[:len(grade_order)]))),
        tooltip=[grade, count, quota])
    ticks = base.mark_tick(color="black", thickness=2, size=28).encode(
        y=f"{quota}:Q", tooltip=[alt.Tooltip(f"{quota}:Q", title=quota_title)])
    labels = base.mark_text(dy=-6).encode(y=f"{count}:Q", text=f"{count}:Q")
    chart = alt.layer(bars, ticks, labels, data=data).properties(width=60 * len(grade_order), height=160)
    chart = chart.facet(column=alt.Column(f"{facet}:N", title=None)).properties(title=title)
    return _config(chart)


def diverging_bars(df: pd.DataFrame, *, title: str | None, x_title: str, label: str = "label", value: str = "value",
                   width: int = 380) -> alt.Chart:
    """Bars left (negative, red) and right (positive, green) of zero, largest first."""
    data = df[[label, value]].dropna().sort_values(value, ascending=False)
    order = list(dict.fromkeys(data[label]))
    data["sign"] = data[value].map(lambda v: "+" if v >= 0 else "-")
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=x_title),
        y=alt.Y(f"{label}:N", sort=order, title=None),
        color=alt.Color("sign:N", legend=None, scale=alt.Scale(domain=["+", "-"], range=[_POS, _NEG])),
        tooltip=[label, alt.Tooltip(f"{value}:Q", format="+.2f")])
    rule = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#333").encode(x="zero:Q")
    return _config(_props(bars + rule, title, width=width, height=max(60, _ROW * len(data))))


def interval_dots(df: pd.DataFrame, *, title: str | None, x_title: str, colour_title: str, label: str = "label",
                  group: str = "group_label", mean: str = "mean", lo: str = "ci_low", hi: str = "ci_high",
                  domain: tuple[float, float] = (0, 100), width: int = 380) -> alt.Chart:
    """A dot per row with its 95% confidence interval; rows of one label share a line, told
    apart by colour (no legend when every label has one row)."""
    data = df[[label, group, mean, lo, hi]].dropna(subset=[mean]).copy()
    y = alt.Y(f"{label}:N", title=None, sort=None)
    scale = alt.Scale(domain=list(domain), clamp=True)
    grouped = data[label].duplicated().any()
    extra = {"yOffset": alt.YOffset(f"{group}:N"), "color": alt.Color(f"{group}:N", title=colour_title)} \
        if grouped else {"color": alt.value(_NEUTRAL)}
    ci = alt.Chart(data).mark_rule(strokeWidth=2).encode(
        x=alt.X(f"{lo}:Q", title=x_title, scale=scale), x2=f"{hi}:Q", y=y, **extra)
    dots = alt.Chart(data).mark_point(filled=True, size=50).encode(
        x=alt.X(f"{mean}:Q", scale=scale), y=y, **extra,
        tooltip=[label, group, alt.Tooltip(f"{mean}:Q", format=".1f"), alt.Tooltip(f"{lo}:Q", format=".1f"),
                 alt.Tooltip(f"{hi}:Q", format=".1f")])
    n_rows = data[label].nunique()
    n_groups = max(1, data[group].nunique())
    row = max(_ROW, 9 * n_groups) if grouped else _ROW + 6
    return _config(_props(ci + dots, title, width=width, height=max(60, n_rows * row)))


def trend_lines(df: pd.DataFrame, *, title: str | None, y_title: str, series_title: str, x: str = "round",
                y: str = "value", series: str = "series", width: int = 380) -> alt.Chart:
    """Lines with points over rounds, one per series (e.g. the unit and its category's mean)."""
    data = df[[x, y, series]].dropna(subset=[y]).copy()
    data[x] = data[x].astype(str)
    line = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color(f"{series}:N", title=series_title, scale=alt.Scale(range=[_NEUTRAL, "#999999"])),
        strokeDash=alt.StrokeDash(f"{series}:N", legend=None),
        tooltip=[series, x, alt.Tooltip(f"{y}:Q", format=".2f")])
    return _config(_props(line, title, width=width, height=180))
