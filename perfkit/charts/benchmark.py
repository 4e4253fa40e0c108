"""Benchmarking charts (Altair, rendered offline to SVG): the maturity radar, the rank
scatter of two indices, and units' efficiency on the DEA frontier.

Each function takes a tidy table whose label columns are already in the report's language
and the titles from the catalogue; nothing here computes a result.
"""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from perfkit.charts.round import GRADE_COLOURS, NUMBER_FONT, _config, _props

__all__ = ["radar_chart", "rank_scatter", "efficiency_bars", "SERIES_COLOURS"]

#: Series colours of the radar: the home city first.
SERIES_COLOURS = ("#e76f51", "#2a9d8f", "#457b9d", "#e9c46a", "#6d597a", "#8d99ae")


def _polar(r: np.ndarray, k: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    angle = 2 * np.pi * np.asarray(k, dtype=float) / n
    return np.asarray(r, dtype=float) * np.sin(angle), np.asarray(r, dtype=float) * np.cos(angle)


def radar_chart(df: pd.DataFrame, *, title: str | None, series_title: str, levels: Sequence[float],
                dimension: str = "dimension_label", series: str = "series_label", score: str = "score",
                order: str = "order", size: int = 380) -> alt.LayerChart:
    """A radar of scores by dimension, one closed polygon per series, on the rubric's
    ``levels`` (drawn as rings); dimensions a series has no score on break its line."""
    dims = df.drop_duplicates(order).sort_values(order)[[order, dimension]]
    n = len(dims)
    top = float(max(levels))
    rings = []
    for lv in levels:
        if lv <= 0:
            continue
        x, y = _polar(np.full(n + 1, lv), np.r_[np.arange(n), 0], n)
        rings.append(pd.DataFrame({"x": x, "y": y, "ring": str(lv), "pt": np.arange(n + 1)}))
    ring_df = pd.concat(rings)
    sx, sy = _polar(np.full(n, top), np.arange(n), n)
    spokes = pd.DataFrame({"x": np.r_[np.zeros(n), sx], "y": np.r_[np.zeros(n), sy],
                           "spoke": np.r_[np.arange(n), np.arange(n)]})
    lx, ly = _polar(np.full(n, top * 1.18), np.arange(n), n)
    lab = pd.DataFrame({"x": lx, "y": ly, "text": dims[dimension].to_numpy(),
                        "align": ["center" if abs(v) < 1e-6 else ("left" if v > 0 else "right") for v in lx]})
    tx, ty = _polar(np.array([lv for lv in levels if lv > 0]), np.zeros(len([lv for lv in levels if lv > 0])), n)
    ticks = pd.DataFrame({"x": tx + top * 0.03, "y": ty, "text": [f"{lv:g}" for lv in levels if lv > 0]})
    rows = []
    for s_name, g in df.groupby(series, sort=False):
        g = g.sort_values(order)
        have = dict(zip(g[order], g[score]))
        ks = list(range(n)) + [0]
        x, y = _polar(np.array([have.get(k, np.nan) for k in ks]), np.array(ks), n)
        for j, (k, xi, yi) in enumerate(zip(ks, x, y)):
            rows.append({"series": s_name, "x": xi, "y": yi, "pt": j,
                         "dimension": dims.set_index(order).loc[k, dimension], "score": have.get(k, np.nan)})
    poly = pd.DataFrame(rows)
    dom = [-top * 1.6, top * 1.6]
    X = alt.X("x:Q", axis=None, scale=alt.Scale(domain=dom))
    Y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-top * 1.3, top * 1.3]))
    names = list(dict.fromkeys(df[series]))
    colour = alt.Color("series:N", title=series_title,
                       scale=alt.Scale(domain=names, range=list(SERIES_COLOURS[:len(names)])),
                       legend=alt.Legend(orient="bottom"))
    grid = alt.Chart(ring_df).mark_line(color="#d0d7de", strokeWidth=1).encode(x=X, y=Y, detail="ring:N",
                                                                                 order="pt:Q")
    spoke = alt.Chart(spokes).mark_line(color="#d0d7de", strokeWidth=1).encode(x=X, y=Y, detail="spoke:N")
    labels = alt.layer(*[alt.Chart(lab[lab["align"] == a]).mark_text(fontSize=12, baseline="middle", align=a)
                         .encode(x=X, y=Y, text="text:N") for a in ("left", "center", "right")
                         if (lab["align"] == a).any()])
    tick = alt.Chart(ticks).mark_text(fontSize=9, color="#8d99ae", align="left", font=NUMBER_FONT).encode(
        x=X, y=Y, text="text:N")
    lines = alt.Chart(poly).mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=36, filled=True)).encode(
        x=X, y=Y, color=colour, order="pt:Q", detail="series:N",
        tooltip=["series:N", "dimension:N", alt.Tooltip("score:Q", format=".0f")])
    chart = alt.layer(grid, spoke, lines, labels, tick).properties(width=size * 1.25, height=size)
    return _config(_props(chart, title))


def rank_scatter(df: pd.DataFrame, *, title: str | None, x_title: str, y_title: str, label: str = "label",
                 x: str = "rank_a", y: str = "rank_b", highlight: str = "highlight", size: int = 320) -> alt.LayerChart:
    """Ranks under two indices (1 = best, top left), the diagonal where they agree, every
    unit labelled; ``highlight`` (bool) marks the biggest disagreements."""
    n = int(max(df[x].max(), df[y].max()))
    data = df[[label, x, y, highlight]].copy()
    data["flag"] = data[highlight].map({True: "1", False: "0"})
    sc = alt.Scale(domain=[n + 0.5, 0.5])
    diag = alt.Chart(pd.DataFrame({"a": [0.5, n + 0.5]})).mark_line(color="#8d99ae", strokeDash=[4, 4]).encode(
        x=alt.X("a:Q", scale=sc), y=alt.Y("a:Q", scale=sc))
    pts = alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=sc, axis=alt.Axis(values=list(range(1, n + 1)))),
        y=alt.Y(f"{y}:Q", title=y_title, scale=sc, axis=alt.Axis(values=list(range(1, n + 1)))),
        color=alt.Color("flag:N", legend=None, scale=alt.Scale(domain=["0", "1"], range=["#457b9d", "#e76f51"])),
        tooltip=[label, f"{x}:Q", f"{y}:Q"])
    text = alt.Chart(data).mark_text(align="left", dx=7, fontSize=11).encode(
        x=alt.X(f"{x}:Q", scale=sc), y=alt.Y(f"{y}:Q", scale=sc), text=f"{label}:N")
    return _config(_props(diag + pts + text, title, width=size, height=size))


def efficiency_bars(df: pd.DataFrame, *, title: str | None, x_title: str, label: str = "label",
                    value: str = "efficiency", group: str = "group_label", width: int = 380) -> alt.Chart:
    """Horizontal bars of DEA efficiency (1 = on the frontier), best first, coloured by
    category."""
    data = df[[label, value, group]].dropna(subset=[value]).sort_values(value, ascending=False)
    order = list(dict.fromkeys(data[label]))
    groups = list(dict.fromkeys(data[group]))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=x_title, scale=alt.Scale(domain=[0, 1])),
        y=alt.Y(f"{label}:N", sort=order, title=None),
        color=alt.Color(f"{group}:N", title=None, scale=alt.Scale(domain=groups,
                                                                  range=list(GRADE_COLOURS[:len(groups)])),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[label, group, alt.Tooltip(f"{value}:Q", format=".3f")])
    return _config(_props(bars, title, width=width, height=max(60, 16 * len(data))))
