"""The landing page of a round: every report linked, failures listed, the manifest shown.

One page in both languages (Chinese first), offline like the reports.
"""
from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit.i18n import catalogue, t
from perfkit.io.export import atomic_path
from perfkit.report.html import external_references, page
from perfkit.report.show import Block, table_html

__all__ = ["write_index", "index_html"]


def _both(key: str, **fmt) -> str:
    return f"{t(key, 'zh', **fmt)} / {t(key, 'en', **fmt)}"


def _link(path: str, text: str | None = None) -> Block:
    return Block(f'<a href="{html.escape(path, quote=True)}">{html.escape(text or path)}</a>')


def index_html(facts, manifest: Mapping[str, Any]) -> str:
    m = facts.meta
    scheme = m["scheme_label"]
    s = manifest["summary"]
    body = [f'<header class="pk-header"><h1>{html.escape(t("index.title", "zh", scheme=scheme["zh"], round=facts.round))}'
            f'</h1><p class="pk-sub">{html.escape(t("index.title", "en", scheme=scheme["en"], round=facts.round))}</p>'
            "</header>",
            f"<p>{html.escape(t('index.intro', 'zh'))}<br>{html.escape(t('index.intro', 'en'))}</p>",
            f"<p><b>{html.escape(t('index.summary', 'zh', total=s['reports'], ok=s['ok'], skipped=s['skipped'], failed=s['failed']))}"
            f"</b><br>{html.escape(t('index.summary', 'en', total=s['reports'], ok=s['ok'], skipped=s['skipped'], failed=s['failed']))}</p>"]
    if manifest["failures"]:
        body.append(f"<h2>{html.escape(_both('index.failed'))}</h2>")
        rows = [{_both("col.report"): f["id"], _both("col.cell"): "" if f["error"] is None else
                 f"{f['error'].get('notebook_cell', '')}", _both("col.error"):
                 "" if f["error"] is None else f"{f['error'].get('ename')}: {f['error'].get('evalue')}"}
                for f in manifest["failures"]]
        body.append(table_html(pd.DataFrame(rows), cls="pk-table pk-failures"))
    body.append(f"<h2>{html.escape(_both('index.files'))}</h2>")
    files = [{_both("col.report"): _both("index.kind.xlsx"), _both("col.file"): _link("results/results.xlsx")},
             {_both("col.report"): _both("index.kind.manifest"), _both("col.file"): _link("manifest.json")}]
    body.append(table_html(pd.DataFrame(files)))
    body.append(f"<h2>{html.escape(_both('index.reports'))}</h2>")
    rows = []
    for r in manifest["reports"]:
        name = _both(f"index.kind.{r['notebook']}") if f"index.kind.{r['notebook']}" in _kinds() else r["notebook"]
        unit = r.get("unit")
        if unit:
            if unit in facts.results.index:
                name += f" — {facts.unit_name(unit, 'zh')} {facts.unit_name(unit, 'en')} ({unit})"
            else:
                name += f" — {unit}"
        # a failed report's file only says that it failed: no link, the failures table says why
        link = _link(r["html"]) if r["status"] != "failed" else _both("batch.no_file")
        rows.append({_both("col.report"): name, _both("col.lang"): _both(f"lang.{r['lang']}"),
                     _both("col.status"): _both(f"index.status.{r['status']}"),
                     _both("col.seconds"): f"{r['seconds']:.2f}", _both("col.file"): link})
    body.append(table_html(pd.DataFrame(rows)))
    body.append(f"<h2>{html.escape(_both('index.manifest'))}</h2>")
    summary = {"round": manifest["round"], "scheme": m["scheme_id"], "scheme sha256": m.get("scheme_sha256"),
               "inputs digest": manifest["inputs_digest"], "created": manifest["created"],
               "executor": f"{manifest['executor']['name']} x {manifest['executor']['jobs']}",
               "perfkit": manifest["versions"].get("perfkit"), "python": manifest["versions"].get("python")}
    body.append(table_html(pd.DataFrame({"key": list(summary), "value": [str(v) for v in summary.values()]})))
    body.append(table_html(pd.DataFrame(manifest["inputs"])))
    shown = {k: v for k, v in manifest.items() if k != "reports"}
    body.append("<details><summary>manifest.json</summary><pre class=\"pk-text\">"
                + html.escape(json.dumps(shown, ensure_ascii=False, indent=2, default=str)) + "</pre></details>")
    return page("\n".join(body), title=t("index.title", "zh", scheme=scheme["zh"], round=facts.round), lang="zh",
                meta={"perfkit-report": "index", "perfkit-round": facts.round})


def _kinds() -> set[str]:
    return {k for k in catalogue() if k.startswith("index.kind.")}


def write_index(out: str | Path, facts, manifest: Mapping[str, Any]) -> Path:
    text = index_html(facts, manifest)
    bad = external_references(text)
    if bad:
        raise ValueError(f"the index page would load from the network: {bad[0]!r}")
    path = Path(out) / "index.html"
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return path
