"""One message catalogue for every user-facing label, in zh and en.

``messages.yaml`` maps a key to ``{zh: ..., en: ...}``; :func:`t` looks a key up. A test
fails when a key lacks either language.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from perfkit.errors import UnknownNameError, did_you_mean

__all__ = ["t", "has", "catalogue", "LANGS", "column_labels"]

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    text = resources.files("perfkit.i18n").joinpath("messages.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def has(key: str) -> bool:
    """Whether the catalogue has ``key``.

    >>> has("col.final"), has("no.such.key")
    (True, False)
    """
    return key in catalogue()


def t(key: str, lang: str = "zh", **fmt: object) -> str:
    """The label ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``fmt``.

    >>> t("col.final", "en"), t("col.final", "zh")
    ('Final score', '最终得分')
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    cat = catalogue()
    try:
        text = cat[key][lang]
    except KeyError:
        raise UnknownNameError(f"no message {key!r}{did_you_mean(key, cat)}") from None
    return text.format(**fmt) if fmt else text


def column_labels(columns, lang: str | None = None) -> list[str]:
    """Headers for exported tables: ``"最终得分 Final score"`` (both languages) by default,
    or one language; columns without a catalogue entry keep their name."""
    cat = catalogue()
    out = []
    for c in columns:
        entry = cat.get(f"col.{c}")
        if entry is None:
            out.append(str(c))
        elif lang is None:
            out.append(f"{entry['zh']} {entry['en']}")
        else:
            out.append(entry[lang])
    return out
