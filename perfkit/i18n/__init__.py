"""One message catalogue for every user-facing label, in zh and en.

The catalogue is one namespace of keys (``area.name``) read from the YAML files of this
folder: ``messages.yaml`` (the engine, exports, reports, charts) and one file per analysis
(``consistency.yaml``, ...), so that each part keeps its own words beside the others. A key
defined twice — in two files, or twice in one — is an error, never a silent override. Each
key maps to ``{zh: ..., en: ...}``; :func:`t` looks a key up. A test fails when a key lacks
either language.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from perfkit.errors import UnknownNameError, did_you_mean

__all__ = ["t", "has", "catalogue", "LANGS", "column_labels"]

LANGS = ("zh", "en")


class _UniqueKeys(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping."""


def _mapping(loader: _UniqueKeys, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise ValueError(f"catalogue key {key!r} defined twice (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every key of every catalogue file of this folder (``messages.yaml`` first)."""
    folder = resources.files("perfkit.i18n")
    names = sorted((f.name for f in folder.iterdir() if f.name.endswith(".yaml")),
                   key=lambda n: (n != "messages.yaml", n))
    out: dict[str, dict[str, str]] = {}
    for name in names:
        try:
            part = yaml.load(folder.joinpath(name).read_text(encoding="utf-8"), Loader=_UniqueKeys) or {}
        except ValueError as exc:
            raise ValueError(f"perfkit/i18n/{name}: {exc}") from None
        clash = sorted(set(part) & set(out))
        if clash:
            raise ValueError(f"perfkit/i18n/{name}: key(s) {', '.join(clash[:5])} already defined in another "
                             "catalogue file")
        out.update(part)
    return out


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
