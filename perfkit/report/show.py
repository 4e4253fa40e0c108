"""Display helpers for the report notebooks: headings, prose, tables and charts in one language.

A :class:`Page` is bound to a round's facts and a language; each method displays one block
(in JupyterLab and in the exported HTML alike). Text comes from the report catalogue; data
cells are HTML-escaped.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from IPython.display import display

from perfkit.charts import render
from perfkit.i18n import t
from perfkit.report.facts import RoundFacts

__all__ = ["Block", "Page"]


@dataclass(frozen=True)
class Block:
    """A piece of HTML that displays as itself."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _display(obj) -> None:
    display(obj)


def table_html(df: pd.DataFrame, *, cls: str = "pk-table") -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, Block):
                cells.append(f"<td>{v.html}</td>")
            else:
                cells.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


class Page:
    """Displays the blocks of one report in ``lang``."""

    def __init__(self, facts: RoundFacts, lang: str):
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
        self.facts = facts
        self.lang = lang

    def t(self, key: str, **fmt) -> str:
        return t(key, self.lang, **fmt)

    def show(self, block_html: str) -> None:
        """Display ``block_html`` (methods return nothing, so a cell shows each block once)."""
        _display(Block(block_html))

    def title(self, key: str, **fmt) -> None:
        f = self.facts
        scheme = f.meta["scheme_label"][self.lang]
        sub = self.t("report.subtitle", scheme=scheme, round=f.round, units=len(f.results))
        self.show(f'<header class="pk-header"><h1>{html.escape(self.t(key, **fmt))}</h1>'
                         f'<p class="pk-sub">{html.escape(sub)}</p></header>')

    def h2(self, key: str, **fmt) -> None:
        self.show(f"<h2>{html.escape(self.t(key, **fmt))}</h2>")

    def h3(self, text: str) -> None:
        self.show(f"<h3>{html.escape(text)}</h3>")

    def p(self, key: str, **fmt) -> None:
        self.show(f"<p>{html.escape(self.t(key, **fmt))}</p>")

    def note(self, key: str, **fmt) -> None:
        self.show(f'<p class="pk-note">{html.escape(self.t(key, **fmt))}</p>')

    def table(self, df: pd.DataFrame, *, empty: str = "text.none") -> None:
        if df is None or not len(df):
            self.note(empty)
            return
        self.show(table_html(df))

    def chart(self, chart, *, when: bool = True) -> None:
        """Render ``chart`` to inline SVG and display it (nothing when ``when`` is false)."""
        if not when:
            return

        self.show(render(chart)._repr_html_())

    def links(self, reports: Iterable[dict]) -> None:
        """A table of the round's reports (path relative to the round folder)."""
        rows = []
        for r in reports:
            name = self.t(f"index.kind.{r['kind']}")
            if r.get("unit"):
                name = f"{name}: {self.facts.unit_name(r['unit'], self.lang)} ({r['unit']})" \
                    if r["unit"] in self.facts.results.index else f"{name}: {r['unit']}"
            href = html.escape(r["path"], quote=True)
            rows.append({self.t("col.report"): name, self.t("col.lang"): self.t(f"lang.{r['lang']}") if r.get("lang") else "",
                         self.t("col.file"): Block(f'<a href="{href}">{html.escape(r["path"])}</a>')})
        self.table(pd.DataFrame(rows), empty="text.no_reports")

    def footer(self) -> None:
        m = self.facts.meta
        text = self.t("report.footer", scheme=m["scheme_id"], sha=str(m.get("scheme_sha256", ""))[:12],
                      version=m.get("perfkit", ""), round=self.facts.round)
        self.show(f'<footer class="pk-footer">{html.escape(text)}</footer>')
