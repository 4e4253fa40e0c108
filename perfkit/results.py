"""What every result object shares: seeds, the notebook display, and the alert and
recommendation records the analyses return.

Analyses (:mod:`perfkit.analyses`, :mod:`perfkit.sensitivity`) return frozen result objects
with documented fields, ``to_frame()`` and ``_repr_html_``. Those that find something a
committee must see return :class:`Alert` records; those that recommend (keep, merge,
revise, retire) return :class:`Recommendation` records that name the declared rule that
fired, its threshold and the evidence. Both speak zh and en through the one catalogue
(:mod:`perfkit.i18n`): ``alert.<code>`` and ``rule.<code>`` / ``action.<action>``.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from perfkit.errors import PerfkitError
from perfkit.i18n import has, t

__all__ = ["as_rng", "seed_of", "html_head", "html_table", "Alert", "Recommendation", "alerts_frame",
           "recommendations_frame", "LEVELS"]

#: Alert levels, most serious first.
LEVELS = ("critical", "warning", "info")


def as_rng(rng: None | int | np.random.Generator) -> np.random.Generator:
    """``rng`` as a Generator (``None``: fresh entropy; an int: a seed — 0 included).

    >>> bool(as_rng(0).integers(10) == as_rng(0).integers(10))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng is not None and rng < 0:
            raise PerfkitError(f"rng must be a non-negative int seed, got {rng}", hint="e.g. rng=1")
        return np.random.default_rng(rng)
    raise PerfkitError(f"rng must be None, an int seed or a numpy Generator (got {type(rng).__name__} {rng!r})",
                       hint="e.g. rng=1 for a reproducible run")


def seed_of(rng: Any) -> int | None:
    """The int seed of ``rng`` when it is one (for provenance), else ``None``."""
    return int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None


def html_head(title: str, meta: Mapping[str, Any]) -> str:
    """A result's heading line for ``_repr_html_``: its title and provenance."""
    bits = ", ".join(f"{k}={v}" for k, v in meta.items())
    return f"<p><b>{html.escape(title)}</b> <small>{html.escape(bits)}</small></p>"


def html_table(df: pd.DataFrame, rows: int = 30) -> str:
    """The first ``rows`` rows of ``df`` as an HTML table (3 significant digits)."""
    return df.head(rows).to_html(float_format=lambda v: f"{v:.3g}", na_rep="—")


def _say(prefix: str, code: str, lang: str, params: Mapping[str, Any]) -> str:
    """The sentence ``prefix.code`` in ``lang``; a parameter given as ``{"zh": ..., "en": ...}``
    (a name, a list of names) is filled in in the sentence's language."""
    key = f"{prefix}.{code}"
    params = {k: v[lang] if isinstance(v, Mapping) and set(v) == {"zh", "en"} else v for k, v in params.items()}
    return t(key, lang, **params) if has(key) else code


@dataclass(frozen=True)
class Alert:
    """Something a committee or an office must see, found by an analysis.

    Attributes
    ----------
    source
        The analysis (``"consistency"``, ``"quality"``, ``"indicators"`` ...).
    level
        ``"critical"``, ``"warning"`` or ``"info"``.
    code
        The finding; ``alert.<code>`` in the catalogue says it in zh and en, formatted
        with ``params``.
    subject
        What it is about (an assessment, indicator, unit or cell id).
    params
        The numbers and names the sentence uses (a name as ``{"zh": ..., "en": ...}`` is
        given in the sentence's language).
    evidence
        Further figures behind the finding (kept for tables, not shown in the sentence).
    """

    source: str
    level: str
    code: str
    subject: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"alert level must be one of {LEVELS}, got {self.level!r}")

    def text(self, lang: str = "zh") -> str:
        """The alert as a sentence in ``lang``; a parameter given in both languages
        (``{"zh": ..., "en": ...}``, e.g. a unit's name) is said in ``lang``."""
        return _say("alert", self.code, lang, {"subject": self.subject, **self.params})


@dataclass(frozen=True)
class Recommendation:
    """A recommendation (keep, revise, merge, retire, drop, fix ...) with its reason.

    Attributes
    ----------
    subject
        What it is about (an indicator or a special assessment).
    action
        ``keep``, ``revise``, ``merge``, ``retire``, ``drop``, ``fix`` (``action.<action>``
        in the catalogue).
    rule
        The declared rule that fired (``rule.<rule>`` in the catalogue); ``""`` for *keep*
        when no rule fired.
    threshold
        The rule's declared threshold.
    value
        The evidence measured against it.
    other
        The partner of a *merge* (``""`` otherwise).
    evidence
        Further figures behind the recommendation.
    """

    subject: str
    action: str
    rule: str = ""
    threshold: Any = None
    value: Any = None
    other: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def reason(self, lang: str = "zh") -> str:
        """Why, as a sentence: the rule, its threshold and the value found."""
        if not self.rule:
            return _say("rule", "none", lang, {})
        return _say("rule", self.rule, lang, {"threshold": self.threshold, "value": self.value,
                                              "other": self.other, "subject": self.subject, **self.evidence})


def alerts_frame(alerts: Iterable[Alert], lang: str = "zh") -> pd.DataFrame:
    """Alerts as a table, most serious first, with their sentence in ``lang``."""
    rows = [{"source": a.source, "level": a.level, "code": a.code, "subject": a.subject, "text": a.text(lang)}
            for a in alerts]
    df = pd.DataFrame(rows, columns=["source", "level", "code", "subject", "text"])
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    return df.sort_values("level", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def recommendations_frame(recs: Iterable[Recommendation], lang: str = "zh") -> pd.DataFrame:
    """Recommendations as a table: subject, action (in ``lang``), rule, threshold, value, reason."""
    rows = [{"subject": r.subject, "action": r.action, "action_label": _say("action", r.action, lang, {}),
             "rule": r.rule, "threshold": r.threshold, "value": r.value, "other": r.other,
             "reason": r.reason(lang)} for r in recs]
    return pd.DataFrame(rows, columns=["subject", "action", "action_label", "rule", "threshold", "value", "other",
                                       "reason"])
