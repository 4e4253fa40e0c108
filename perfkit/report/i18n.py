"""Labels of the reports come from perfkit's one message catalogue (:mod:`perfkit.i18n`,
``perfkit/i18n/messages.yaml``); this module only re-exports it for the report code."""
from perfkit.i18n import LANGS, catalogue, has, t

__all__ = ["t", "catalogue", "has", "LANGS"]
