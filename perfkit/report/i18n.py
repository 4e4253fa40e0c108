"""Labels of the reports: ``messages.yaml`` beside this file, zh and en for every key.

:func:`t` looks a key up in this catalogue first and then in perfkit's main catalogue
(:mod:`perfkit.i18n`, e.g. ``col.final``), so a report never hard-codes a label.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from perfkit.errors import UnknownNameError, did_you_mean

__all__ = ["t", "catalogue", "has", "LANGS"]

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """The report catalogue (``key -> {zh, en}``)."""
    text = resources.files("perfkit.report").joinpath("messages.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def has(key: str) -> bool:
    from perfkit.i18n import catalogue as main

    return key in catalogue() or key in main()


def t(key: str, lang: str = "zh", **fmt: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``fmt``.

    >>> t("report.round_title", "en", scheme="X", round="2025")
    'X — round 2025: report to the evaluation committee'
    >>> t("col.final", "zh")
    '最终得分'
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    from perfkit.i18n import catalogue as main

    for cat in (catalogue(), main()):
        if key in cat:
            text = cat[key][lang]
            return text.format(**fmt) if fmt else text
    raise UnknownNameError(f"no message {key!r}{did_you_mean(key, [*catalogue(), *main()])}",
                           hint="add it to perfkit/report/messages.yaml with zh and en")
