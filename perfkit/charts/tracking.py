"""Tracking charts: lights by category, projected year-end completion with intervals, one
unit's progress against its profiles. Each takes a tidy table whose label columns are
already in the report's language."""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from perfkit.charts.round import _config, _props

__all__ = ["LIGHT_COLOURS", "light_bars", "projection_ranges", "progress_bullets"]

#: Light colours in :data:`perfkit.analyses.tracking.LIGHTS` order.
LIGHT_COLOURS = ("#2a9d8f", "#e9c46a", "#e76f51", "#6d597a", "#c9d1d9")
_ROW = 20


def light_bars(df: pd.DataFrame, *, title: str | None, x_title: str, light_order: Sequence[str],
               y: str = "category_label", light: str = "light_label", count: str = "count",
               width: int = 460) -> alt.Chart:
    """Targets per light, one stacked bar per category (``light_order``: best first)."""
    data = df[[y, light, count]].copy()
    data["order"] = data[light].map({v: i for i, v in enumerate(light_order)})
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{count}:Q", title=x_title, stack="zero"),
        y=alt.Y(f"{y}:N", title=None, sort=list(dict.fromkeys(data[y]))),
        color=alt.Color(f"{light}:N", title=None, sort=list(light_order),
                        scale=alt.Scale(domain=list(light_order), range=list(LIGHT_COLOURS[:len(light_order)])),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[y, light, count])
    return _config(_props(bars, title, width=width, height=max(60, 26 * data[y].nunique())))


def projection_ranges(df: pd.DataFrame, *, title: str | None, x_title: str, light_order: Sequence[str],
                      warn_line: float, warn_title: str, label: str = "label", projected: str = "projected_share",
                      low: str = "low_share", high: str = "high_share", light: str = "light_label",
                      width: int = 420) -> alt.Chart:
    """Each target's projected year-end value as a share of its annual target (dot) with its
    interval (line), against 100% (solid) and the warning line (dashed)."""
    data = df[[label, projected, low, high, light]].copy()
    order = list(dict.fromkeys(data[label]))
    colour = alt.Color(f"{light}:N", title=None, sort=list(light_order),
                       scale=alt.Scale(domain=list(light_order), range=list(LIGHT_COLOURS[:len(light_order)])),
                       legend=alt.Legend(orient="bottom"))
    base = alt.Chart(data).encode(y=alt.Y(f"{label}:N", sort=order, title=None))
    rule = base.mark_rule(strokeWidth=2).encode(x=alt.X(f"{low}:Q", title=x_title, axis=alt.Axis(format="%")),
                                                x2=f"{high}:Q", color=colour)
    dots = base.mark_point(filled=True, size=60).encode(
        x=f"{projected}:Q", color=colour,
        tooltip=[label, alt.Tooltip(f"{projected}:Q", format=".0%"), alt.Tooltip(f"{low}:Q", format=".0%"),
                 alt.Tooltip(f"{high}:Q", format=".0%")])
    full = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#1d2733").encode(x="x:Q")
    line = alt.Chart(pd.DataFrame({"x": [warn_line], "t": [warn_title]})).mark_rule(
        color="#e76f51", strokeDash=[4, 3]).encode(x="x:Q", tooltip=["t:N"])
    chart = alt.layer(rule, dots, full, line)
    return _config(_props(chart, title, width=width, height=max(60, _ROW * len(order))))


def progress_bullets(df: pd.DataFrame, *, title: str | None, x_title: str, light_order: Sequence[str],
                     label: str = "label", progress: str = "progress", expected: str = "expected",
                     light: str = "light_label", width: int = 420) -> alt.Chart:
    """One unit's targets: progress so far (bar, coloured by light) against the expected
    progress (black tick), both as shares of the annual target."""
    data = df[[label, progress, expected, light]].copy()
    order = list(dict.fromkeys(data[label]))
    base = alt.Chart(data).encode(y=alt.Y(f"{label}:N", sort=order, title=None))
    bars = base.mark_bar(height=12).encode(
        x=alt.X(f"{progress}:Q", title=x_title, axis=alt.Axis(format="%"), scale=alt.Scale(domainMin=0)),
        color=alt.Color(f"{light}:N", title=None, sort=list(light_order),
                        scale=alt.Scale(domain=list(light_order), range=list(LIGHT_COLOURS[:len(light_order)])),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[label, alt.Tooltip(f"{progress}:Q", format=".0%"), alt.Tooltip(f"{expected}:Q", format=".0%")])
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(x=f"{expected}:Q")
    return _config(_props(alt.layer(bars, ticks), title, width=width, height=max(60, 26 * len(order))))
