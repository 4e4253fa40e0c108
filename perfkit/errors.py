"""Error types that name where the problem is and what to do about it.

Every error raised on bad input carries a *location* (file, YAML path, sheet, row,
column) and a *hint*, so that the CLI can print one clear line and exit with code 2
instead of a traceback.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["PerfkitError", "SchemeError", "DataError", "UnknownNameError", "DataWarning", "did_you_mean"]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    choices = [str(c) for c in choices]
    exact = [c for c in choices if c.lower() == str(name).lower()]
    if exact:
        return f" (did you mean {exact[0]!r}?)"
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


class PerfkitError(Exception):
    """Base class: a problem the user can fix, reported without a traceback.

    Parameters
    ----------
    message
        What is wrong.
    where
        Location parts, joined with ``": "`` in the message (file, path, row ...).
    hint
        What to do about it.
    """

    def __init__(self, message: str, *, where: Iterable[str] = (), hint: str = "") -> None:
        self.message = message
        self.where = tuple(str(w) for w in where if w not in (None, ""))
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        loc = ": ".join(self.where)
        text = f"{loc}: {self.message}" if loc else self.message
        return f"{text} — {self.hint}" if self.hint else text


class SchemeError(PerfkitError, ValueError):
    """An invalid scheme; ``where`` is (file, YAML path)."""


class DataError(PerfkitError, ValueError):
    """Invalid round data; ``where`` is (file, sheet, row, column) as far as known."""


class UnknownNameError(PerfkitError, KeyError):
    """A method, indicator, node or unit name that does not exist."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return PerfkitError.__str__(self)


class DataWarning(UserWarning):
    """Round data that evaluate takes, but that change some unit's score (values counted
    as missing, a value that distorts a normalisation ...): see
    :attr:`perfkit.engine.validate.ValidationReport.costs_points`."""
