"""Labels of the reports come from perfkit's one message catalogue (:mod:`perfkit.i18n`,
``perfkit/i18n/messages.yaml``); this module only re-exports it for the report code."""
from __future__ import annotations

from perfkit.i18n import LANGS, catalogue, t

__all__ = ["t", "catalogue", "has", "LANGS"]


def has(key: str) -> bool:
    """Whether the catalogue has ``key``.

    >>> has("col.final"), has("no.such.key")
    (True, False)
    """
    return key in catalogue()
