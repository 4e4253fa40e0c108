"""Charts (Altair) for reports and notebooks, rendered offline to SVG.

Every chart function takes plain tables whose label columns are already in the report's
language and returns an ``altair`` chart; :func:`render` turns it into an inline SVG
:class:`Figure` (no CDN, no JavaScript).
"""
from perfkit.charts.render import FONT, FONT_STACK, Figure, configure_fonts, render, to_svg, warmup
from perfkit.charts.round import (
    GRADE_COLOURS,
    diverging_bars,
    grade_distribution,
    interval_dots,
    score_bars,
    trend_lines,
)

__all__ = ["FONT", "FONT_STACK", "Figure", "configure_fonts", "render", "to_svg", "warmup", "GRADE_COLOURS",
           "score_bars", "grade_distribution", "diverging_bars", "interval_dots", "trend_lines"]
