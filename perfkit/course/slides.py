"""An executed lesson -> a reveal.js slide deck that works with no network.

The deck is cut from the same notebook as the lesson page: every ``#``/``##`` heading of a
Markdown cell starts a slide; bullet lists, numbered lists, tables, quotes and headings stay
on the slide, while plain paragraphs (the narration a reader of the lesson page needs) go to
the speaker notes (press ``s``); each table or chart a code cell shows goes on the current
slide, or on a slide of its own under the same heading when the slide already has one. Cells
tagged ``remove-cell`` (and the parameters) are left out, as on the lesson page.

reveal.js comes from the copy bundled in :mod:`perfkit.course` (``vendor/reveal``), which
:func:`write_reveal` puts next to the decks; nothing is loaded from another host.
"""
from __future__ import annotations

import html
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import mistune

from perfkit.charts import FONT_STACK
from perfkit.io.export import atomic_path
from perfkit.report.html import external_references

__all__ = ["deck_html", "write_deck", "write_reveal", "REVEAL_FILES", "slides_of"]

REVEAL_FILES = ("reveal.js", "reveal.css", "LICENSE", "README.md")
_SKIP = {"remove-cell", "remove_cell", "parameters", "injected-parameters", "remove-slide"}
_ON_SLIDE = re.compile(r"^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|\||>|!\[)")

THEME = """
.reveal { font-family: %(font)s; font-size: 30px; color: #1d2733; }
.reveal .slides { text-align: left; }
.reveal .slides section { height: 100%%; overflow-y: auto; box-sizing: border-box; padding: 8px 16px; }
.reveal h1, .reveal h2, .reveal h3 { font-family: %(font)s; color: #1d2733; line-height: 1.25; margin: 0 0 14px; }
.reveal h1 { font-size: 1.7em; } .reveal h2 { font-size: 1.25em; border-bottom: 3px solid #2a9d8f;
  padding-bottom: 6px; } .reveal h3 { font-size: 1.0em; }
.reveal ul, .reveal ol { margin-left: 1.1em; } .reveal li { margin: 4px 0; line-height: 1.35; }
.reveal .pk-out { max-height: 600px; overflow: auto; margin: 6px 0; }
.reveal table { border-collapse: collapse; font-size: 0.6em; margin: 0; }
.reveal table th, .reveal table td { border: 1px solid #d8dee4; padding: 2px 6px; text-align: left; line-height: 1.3; }
.reveal table th { background: #f1f5f8; }
.reveal svg { max-width: 100%%; height: auto; max-height: 580px; }
.reveal pre { font-size: 0.45em; } .reveal .pk-sub, .reveal .pk-note { color: #5c6b7a; font-size: 0.7em; }
.reveal .pk-check { font-size: 0.6em; } .reveal .pk-title { color: #5c6b7a; font-size: 0.6em; }
.reveal .slide-number { font-size: 14px; }
"""


@dataclass
class Slide:
    heading: str = ""
    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    big: bool = False

    def html(self) -> str:
        notes = f'<aside class="notes">{"".join(self.notes)}</aside>' if self.notes else ""
        return f"<section>{self.heading}{''.join(self.parts)}{notes}</section>"


def _blocks(md: str) -> list[str]:
    """Markdown split into blocks at blank lines (fenced code kept whole)."""
    blocks, cur, fence = [], [], False
    for line in md.splitlines():
        if line.strip().startswith("```"):
            fence = not fence
        if not line.strip() and not fence:
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return blocks


def _output(out: Mapping[str, Any]) -> tuple[str, bool]:
    """(HTML, is it a table or a chart) of one code-cell output."""
    kind = out.get("output_type")
    if kind == "stream":
        return ("" if out.get("name") == "stderr" else f'<pre>{html.escape(out.get("text", ""))}</pre>'), False
    if kind == "error":
        return "", False
    data = out.get("data", {})
    for mime in ("text/html", "image/svg+xml"):
        if mime in data:
            v = data[mime]
            v = "".join(v) if isinstance(v, list) else v
            big = mime == "image/svg+xml" or "<svg" in v or "<table" in v
            return (f'<div class="pk-out">{v}</div>' if big else v), big
    if "image/png" in data:
        return f'<div class="pk-out"><img alt="" src="data:image/png;base64,{data["image/png"]}"></div>', True
    if "text/markdown" in data:
        return mistune.html(data["text/markdown"]), False
    if "text/plain" in data:
        return f'<pre>{html.escape(data["text/plain"])}</pre>', False
    return "", False


def slides_of(nb: Mapping[str, Any]) -> list[Slide]:
    """The slides of an executed notebook (see the module docstring)."""
    slides: list[Slide] = [Slide()]
    for cell in nb["cells"]:
        meta = cell.get("metadata", {})
        tags = set(meta.get("tags", []))
        if tags & _SKIP:
            continue
        notes_only = "notes" in tags or meta.get("slideshow", {}).get("slide_type") == "notes"
        if cell["cell_type"] == "markdown":
            for block in _blocks(cell["source"]):
                rendered = mistune.html(block)
                if notes_only:
                    slides[-1].notes.append(rendered)
                elif re.match(r"^#{1,2}\s", block):
                    head, _, rest = block.partition("\n")
                    slides.append(Slide(heading=mistune.html(head)))
                    if rest.strip():
                        slides[-1].parts.append(mistune.html(rest))
                elif _ON_SLIDE.match(block):
                    slides[-1].parts.append(rendered)
                else:
                    slides[-1].notes.append(rendered)
        elif cell["cell_type"] == "code":
            for out in cell.get("outputs", []):
                text, big = _output(out)
                if not text:
                    continue
                if notes_only:
                    slides[-1].notes.append(text)
                    continue
                if big and slides[-1].big:
                    slides.append(Slide(heading=slides[-1].heading))
                slides[-1].parts.append(text)
                slides[-1].big = slides[-1].big or big
    return [s for s in slides if s.parts or s.heading]


def deck_html(nb: Mapping[str, Any], *, title: str, lang: str, reveal: str = "reveal",
              subtitle: str = "") -> str:
    """The deck as one page; ``reveal`` is the folder (relative to the page) holding reveal.js."""
    slides = slides_of(nb)
    first = (f'<section><h1>{html.escape(title)}</h1><p class="pk-title">{html.escape(subtitle)}</p></section>')
    body = first + "".join(s.html() for s in slides)
    r = html.escape(reveal, quote=True)
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title>"
            f'<link rel="stylesheet" href="{r}/reveal.css"><style>{THEME % {"font": FONT_STACK}}</style></head>'
            f'<body><div class="reveal"><div class="slides">{body}</div></div>'
            f'<script src="{r}/reveal.js"></script>'
            "<script>Reveal.initialize({hash: true, slideNumber: 'c/t', width: 1280, height: 800, margin: 0.04,"
            " transition: 'none', controls: true, progress: true});</script></body></html>\n")


def write_deck(nb: Mapping[str, Any], path: str | Path, *, title: str, lang: str, reveal: str = "reveal",
               subtitle: str = "") -> Path:
    """Write the deck of ``nb`` to ``path`` (atomically); refuses a deck that would go online."""
    text = deck_html(nb, title=title, lang=lang, reveal=reveal, subtitle=subtitle)
    bad = external_references(text)
    if bad:
        raise ValueError(f"the slides would load from the network: {bad[0]!r}")
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


def write_reveal(folder: str | Path) -> Path:
    """Copy the bundled reveal.js (script, stylesheet, licence) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    src = resources.files("perfkit.course").joinpath("vendor", "reveal")
    for name in REVEAL_FILES:
        with resources.as_file(src.joinpath(name)) as p:
            shutil.copyfile(p, folder / name)
    return folder
