"""Offline rendering of Altair charts: SVG from vl-convert, CJK fonts, no network.

Charts are turned into SVG in the Python process by vl-convert (which bundles Vega and
Vega-Lite), so a report embeds finished drawings and loads no script from anywhere. Text
stays text in the SVG (searchable, copyable); the font stack names Noto Sans CJK first and
the fonts found on Chinese-locale Windows desktops after it.

Font directories: ``vl-convert`` sees the system fonts; more can be added with
:func:`configure_fonts` or the ``PERFKIT_FONT_DIR`` environment variable (directories
separated by ``os.pathsep``), e.g. a folder holding ``NotoSansCJK-Regular.ttc`` on an
offline machine.
"""
from __future__ import annotations

import html
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vl_convert as vlc

__all__ = ["FONT", "FONT_STACK", "Figure", "configure_fonts", "render", "to_svg", "warmup"]

#: The font vl-convert measures and draws text with.
FONT = "Noto Sans CJK SC"
#: CSS font stack for the HTML pages around the charts.
FONT_STACK = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", '
              '"PingFang SC", "SimHei", "WenQuanYi Micro Hei", sans-serif')

_registered: set[str] = set()
_lock = threading.Lock()


def configure_fonts(font_dir: str | Path | None = None) -> list[str]:
    """Register ``font_dir`` (and the directories in ``PERFKIT_FONT_DIR``) with vl-convert.

    Returns the directories registered so far. Missing directories raise ``FileNotFoundError``.
    """
    dirs = [str(font_dir)] if font_dir else []
    dirs += [d for d in os.environ.get("PERFKIT_FONT_DIR", "").split(os.pathsep) if d]
    with _lock:
        for d in dirs:
            if d in _registered:
                continue
            if not Path(d).is_dir():
                raise FileNotFoundError(f"font directory not found: {d} (set by font_dir or PERFKIT_FONT_DIR)")
            vlc.register_font_directory(d)
            _registered.add(d)
        return sorted(_registered)


def to_svg(chart: Any) -> str:
    """The SVG text of an Altair chart (or a Vega-Lite dict), rendered offline."""
    configure_fonts()
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=False)
    return vlc.vegalite_to_svg(spec)


@dataclass(frozen=True)
class Figure:
    """A rendered chart: inline SVG shown the same in JupyterLab and in an exported page."""

    svg: str
    title: str = ""

    def _repr_html_(self) -> str:
        label = f' aria-label="{html.escape(self.title)}"' if self.title else ""
        return f'<figure class="pk-chart"{label}>{self.svg}</figure>'

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path


def render(chart: Any, title: str = "") -> Figure:
    """Render an Altair chart to an inline-SVG :class:`Figure`."""
    return Figure(to_svg(chart), title)


def warmup() -> None:
    """Start vl-convert's JavaScript engine and load fonts (about a second, once per process)."""
    to_svg({"data": {"values": [{"a": "甲", "b": 1}]}, "mark": "bar",
            "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}},
            "config": {"font": FONT}})
