"""Charts of the data-quality report: collection timeliness, flags, score changes from appeals.

Each takes a tidy table whose label columns are already in the report's language.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from perfkit.charts.round import _ROW, _config, _props

__all__ = ["timeliness_bars", "flag_counts"]

_EARLY, _LATE = "#2a9d8f", "#e76f51"


def timeliness_bars(df: pd.DataFrame, *, title: str | None, x_title: str, late_title: str, on_time_title: str,
                    label: str = "label", days: str = "days", width: int = 420) -> alt.Chart:
    """Days between the deadline and the first submission, one bar per collector: left of
    zero (green) early, right of zero (red) late; latest first."""
    data = df[[label, days]].dropna().sort_values(days, ascending=False).copy()
    order = list(dict.fromkeys(data[label]))
    data["state"] = [late_title if d > 0 else on_time_title for d in data[days]]
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{days}:Q", title=x_title),
        y=alt.Y(f"{label}:N", sort=order, title=None),
        color=alt.Color("state:N", title=None, scale=alt.Scale(domain=[on_time_title, late_title],
                                                                range=[_EARLY, _LATE])),
        tooltip=[label, alt.Tooltip(f"{days}:Q", format="+.1f")])
    rule = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#333").encode(x="zero:Q")
    return _config(_props(bars + rule, title, width=width, height=max(60, _ROW * len(data))))


def flag_counts(df: pd.DataFrame, *, title: str | None, x_title: str, label: str = "flag", count: str = "count",
                level: str = "level_label", level_order: list[str] | None = None, width: int = 360) -> alt.Chart:
    """Flags per kind, coloured by level (most serious first in ``level_order``)."""
    data = df[[label, count, level]].copy()
    order = list(dict.fromkeys(data.sort_values(count, ascending=False)[label]))
    levels = level_order or list(dict.fromkeys(data[level]))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{count}:Q", title=x_title, axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{label}:N", sort=order, title=None),
        color=alt.Color(f"{level}:N", title=None, scale=alt.Scale(domain=levels,
                                                                   range=["#e76f51", "#e9c46a", "#8d99ae"][:len(levels)])),
        tooltip=[label, count, level])
    text = alt.Chart(data).mark_text(align="left", dx=3, fontSize=10).encode(
        x=f"{count}:Q", y=alt.Y(f"{label}:N", sort=order), text=f"{count}:Q")
    return _config(_props(bars + text, title, width=width, height=max(60, _ROW * len(data))))
