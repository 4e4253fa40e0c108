"""Every produced page works with no network: no external reference in the file, and in
headless Chromium with the network blocked no request leaves the page, every chart is an
SVG with marks, and the Chinese labels are there."""
from __future__ import annotations

import re

import pytest
from .cdp import CHROMIUM, Browser

from perfkit.report.html import external_references

CJK = re.compile(r"[\u4e00-\u9fff]")


def _pages(out):
    return sorted(out.rglob("*.html"))


def test_pages_reference_nothing_online_and_carry_no_script(batch):
    pages = _pages(batch["out"])
    assert len(pages) >= 9
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert external_references(text) == [], p
        assert "<script" not in text.lower(), p
        assert "require.js" not in text and "mathjax" not in text.lower()


def test_the_offline_check_catches_a_cdn_script():
    assert external_references('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>')
    assert external_references("<style>@import url(//fonts.googleapis.com/css)</style>")
    assert not external_references('<svg xmlns="http://www.w3.org/2000/svg"></svg>')


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_pages_render_offline_in_chromium(batch, tmp_path):
    probe_page = tmp_path / "probe.html"
    probe_page.write_text('<html><body><img src="http://example.com/x.png"></body></html>')
    with Browser() as b:
        # the detector itself: a page that does try to go online is caught
        assert b.inspect(probe_page)["external"] == ["http://example.com/x.png"]
        for page in _pages(batch["out"]):
            r = b.inspect(page)
            assert r["external"] == [], (page, r["external"])
            assert r["scripts"] == 0
            if page.name == "index.html" or page.name.endswith(".zh.html") or page.parent.name == "zh":
                assert CJK.search(r["title"]) and CJK.search(r["text"]), f"no Chinese labels in {page}"
            if page.name != "index.html":
                assert r["charts"], f"no chart in {page}"
            for c in r["charts"]:
                assert c["svg"] and c["marks"] > 0 and c["width"] > 0, (page, c)
        zh = b.inspect(batch["out"] / "round_report.zh.html")
        assert "分类评估结果" in zh["text"] and "等次分布与比例控制" in zh["text"]
        assert zh["cjk_font"], "the CJK font (Noto Sans CJK SC) is not available to the browser"


def test_data_in_tables_is_escaped():
    import pandas as pd

    from perfkit.report.show import Block, table_html

    html = table_html(pd.DataFrame({"单位": ['<script>alert("x")</script>'], "链接": [Block('<a href="a.html">a</a>')]}))
    assert "<script>" not in html and "&lt;script&gt;" in html and '<a href="a.html">' in html
