"""Executed notebook -> one self-contained HTML page that works with no network.

The page is built here rather than from nbconvert's templates, which link require.js and
MathJax from a CDN: code cells are hidden, cells tagged ``remove-cell`` are dropped,
outputs are taken richest first (HTML, SVG, PNG, Markdown, plain text), Markdown cells are
rendered with mistune, and the CSS is inline with a CJK font stack. Nothing in the page
refers to another host; :func:`external_references` checks that.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mistune

from perfkit.charts import FONT_STACK
from perfkit.io.export import atomic_path

__all__ = ["notebook_to_html", "write_html", "page", "external_references", "CSS"]

CSS = """
:root { color-scheme: light; }
body { font-family: %(font)s; margin: 0 auto; max-width: 1100px; padding: 24px 32px 48px; color: #1d2733;
       line-height: 1.6; font-size: 15px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid #2a9d8f;
padding-bottom: 4px; } h3 { font-size: 16px; margin: 20px 0 6px; }
.pk-sub, .pk-note, .pk-footer { color: #5c6b7a; } .pk-footer { margin-top: 40px; font-size: 12px;
border-top: 1px solid #ddd; padding-top: 8px; }
table.pk-table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
table.pk-table th, table.pk-table td { border: 1px solid #d8dee4; padding: 4px 8px; text-align: left;
  vertical-align: top; }
table.pk-table th { background: #f1f5f8; } table.pk-table tr:nth-child(even) td { background: #fafbfc; }
figure.pk-chart { margin: 8px 0 20px; } figure.pk-chart svg { max-width: 100%%; height: auto; }
pre.pk-text { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; }
.pk-error { border-left: 4px solid #e76f51; background: #fff4f1; padding: 8px; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
"""

_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?\s*(?:https?:)?//""",
                       re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def external_references(text: str) -> list[str]:
    """Every place in ``text`` that would make a browser fetch from another host."""
    return [text[max(0, m.start() - 40):m.end() + 60] for m in _EXTERNAL.finditer(text)]


def _markdown(text: str) -> str:
    return mistune.html(text)


def _output_html(out: Mapping[str, Any]) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        if out.get("name") == "stderr":
            return ""  # warnings and logs are not part of a report
        return f'<pre class="pk-text">{html.escape(out.get("text", ""))}</pre>'
    if kind == "error":
        tb = _ANSI.sub("", "\n".join(out.get("traceback", [])))
        return f'<pre class="pk-text pk-error">{html.escape(tb)}</pre>'
    data = out.get("data", {})
    if "text/html" in data:
        v = data["text/html"]
        return "".join(v) if isinstance(v, list) else v
    if "image/svg+xml" in data:
        v = data["image/svg+xml"]
        return '<figure class="pk-chart">' + ("".join(v) if isinstance(v, list) else v) + "</figure>"
    if "image/png" in data:
        return f'<figure class="pk-chart"><img alt="" src="data:image/png;base64,{data["image/png"]}"></figure>'
    if "text/markdown" in data:
        return _markdown(data["text/markdown"])
    if "text/plain" in data:
        return f'<pre class="pk-text">{html.escape(data["text/plain"])}</pre>'
    return ""


def notebook_to_html(nb: Mapping[str, Any]) -> str:
    """The body of the page: every kept cell's rendered output, no code."""
    parts = []
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "remove_cell", "parameters", "injected-parameters"}:
            continue
        if cell["cell_type"] == "markdown":
            parts.append(_markdown(cell["source"]))
        elif cell["cell_type"] == "code" and "remove-output" not in tags:
            parts.extend(_output_html(o) for o in cell.get("outputs", []))
    return "\n".join(p for p in parts if p)


def page(body: str, *, title: str, lang: str = "zh", meta: Mapping[str, str] | None = None) -> str:
    """Wrap ``body`` in a complete page with inline CSS and a CJK font stack."""
    metas = "".join(f'<meta name="{html.escape(k, quote=True)}" content="{html.escape(str(v), quote=True)}">'
                    for k, v in (meta or {}).items())
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{metas}'
            f"<title>{html.escape(title)}</title><style>{CSS % {'font': FONT_STACK}}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


def _title(nb: Mapping[str, Any]) -> str:
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            h = out.get("data", {}).get("text/html", "")
            h = "".join(h) if isinstance(h, list) else h
            m = re.search(r"<h1>(.*?)</h1>", h, re.S)
            if m:
                return html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))
    return "report"


def write_html(nb: Mapping[str, Any], path: str | Path, *, lang: str = "zh",
               meta: Mapping[str, str] | None = None) -> Path:
    """Export an executed notebook to ``path`` (atomically); refuses a page that would go online."""
    text = page(notebook_to_html(nb), title=_title(nb), lang=lang, meta=meta)
    bad = external_references(text)
    if bad:
        raise ValueError(f"the page would load from the network: {bad[0]!r}")
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)
