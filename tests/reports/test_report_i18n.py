"""Every report label exists in zh and en; every key the code and notebooks use exists."""
from __future__ import annotations

import re
import string
from pathlib import Path

from perfkit.i18n import LANGS, catalogue, has, t

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"""["']((?:report|sec|text|reason|method|col|chart|lang|index|kind|grade)\.[a-z_.]+)["']""")


def test_every_report_message_has_zh_and_en():
    missing = [(k, lang) for k, v in catalogue().items() for lang in LANGS if not (v or {}).get(lang)]
    assert not missing


def test_zh_and_en_use_the_same_placeholders():
    fields = lambda s: sorted({f for _, f, _, _ in string.Formatter().parse(s) if f})  # noqa: E731
    bad = [k for k, v in catalogue().items() if fields(v["zh"]) != fields(v["en"])]
    assert not bad


def test_every_key_used_by_the_reports_exists():
    sources = list((ROOT / "perfkit").rglob("*.py")) + list((ROOT / "notebooks").glob("*.ipynb"))
    used = {k for p in sources for k in KEY.findall(p.read_text(encoding="utf-8"))}
    used = {k for k in used if not k.endswith((".", ".html", ".json", ".xlsx", ".yaml", ".ipynb"))}
    assert len(used) > 30  # the scanner finds the keys at all
    missing = sorted(k for k in used if not has(k))
    assert not missing, missing


def test_lookup_formats_report_and_engine_labels_from_one_catalogue():
    assert t("text.suppressed_cell", "zh", n=10) == "样本不足(少于10份),不予公开"
    assert t("col.final", "en") == "Final score"
