"""Registries of methods: one registry per verb, one call signature per registry.

A method is found by name when the scheme is built (never deep inside a run and never by
``getattr`` on user input). Each entry keeps the function and a little metadata (the
output range of a normalisation, for example), so callers can check a choice before using
it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from perfkit.errors import UnknownNameError, did_you_mean

__all__ = ["Method", "Registry"]


@dataclass(frozen=True)
class Method:
    """One registered method.

    Attributes
    ----------
    name
        The name used in schemes.
    func
        The kernel.
    bounds
        ``(lo, hi)`` output range when fixed by the parameters' defaults, or ``None``.
    meta
        Free metadata (for example ``{"bounded_by": ("lo", "hi")}``).
    """

    name: str
    func: Callable[..., Any]
    bounds: tuple[float, float] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0] if self.func.__doc__ else ""


class Registry:
    """A named collection of methods sharing one signature.

    Examples
    --------
    >>> reg = Registry("demo")
    >>> @reg.register("double")
    ... def double(x):
    ...     return 2 * x
    >>> reg.get("double").func(2)
    4
    >>> reg.names()
    ['double']
    """

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self._methods: dict[str, Method] = {}

    def register(self, name: str, *, aliases: tuple[str, ...] = (), bounds=None, **meta):
        """Decorator adding ``func`` under ``name`` (and aliases)."""

        def deco(func):
            method = Method(name=name, func=func, bounds=bounds, meta=dict(meta))
            for key in (name, *aliases):
                if key in self._methods:
                    raise ValueError(f"{self.verb} method {key!r} registered twice")
                self._methods[key] = method
            return func

        return deco

    def get(self, name: str) -> Method:
        """Return the method called ``name``; unknown names raise with a suggestion."""
        try:
            return self._methods[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.verb} method {name!r}{did_you_mean(name, self._methods)}",
                hint=f"choose one of: {', '.join(self.names())}",
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._methods

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def names(self) -> list[str]:
        """Canonical names (aliases excluded), sorted."""
        return sorted({m.name for m in self._methods.values()})
