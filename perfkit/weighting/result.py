"""The result object every weighting method returns."""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from perfkit.i18n import has, t

__all__ = ["WeightResult"]


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value)


@dataclass(frozen=True, repr=False)
class WeightResult:
    """Weights of a set of indicators, with how they were obtained.

    Attributes
    ----------
    weights
        Non-negative, summing to one; read-only.
    method
        Registry name of the method (``"entropy"``, ``"ahp"`` ...).
    params
        The parameters the method ran with, defaults included (the recipe).
    names
        Indicator names, or ``None``.
    diagnostics
        Method-specific diagnostics (entropy ``e`` and ``d``, AHP ``CR`` ...).
    warnings
        Everything the method warned about, in words.
    per_indicator
        Keys of ``diagnostics`` holding one value per indicator; these become columns of
        :meth:`to_frame`.

    Examples
    --------
    >>> r = WeightResult(np.array([1.0, 3.0]) / 4, "fixed", names=("a", "b"))
    >>> r.as_dict()
    {'a': 0.25, 'b': 0.75}
    >>> r.to_frame()  # doctest: +NORMALIZE_WHITESPACE
               weight
    indicator
    a            0.25
    b            0.75
    """

    weights: np.ndarray
    method: str
    params: dict = field(default_factory=dict)
    names: tuple[str, ...] | None = None
    diagnostics: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    per_indicator: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        w = np.array(self.weights, dtype=float)
        if w.ndim != 1 or w.size == 0:
            raise ValueError(f"weights must be a non-empty 1-D array; got shape {w.shape}")
        if not np.isfinite(w).all() or (w < -1e-9).any():
            raise ValueError(f"weights must be finite and non-negative; got {w}")
        w = np.clip(w, 0.0, None)
        if abs(w.sum() - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to one; they sum to {w.sum():.6g}")
        w = w / w.sum()
        w.setflags(write=False)
        object.__setattr__(self, "weights", w)
        if self.names is not None:
            names = tuple(str(n) for n in self.names)
            if len(names) != w.size:
                raise ValueError(f"{len(names)} names for {w.size} weights")
            object.__setattr__(self, "names", names)
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "per_indicator", tuple(self.per_indicator))
        for key in self.per_indicator:
            if key not in self.diagnostics or np.shape(self.diagnostics[key]) != (w.size,):
                raise ValueError(f"diagnostic {key!r} must hold one value per indicator")

    # ------------------------------------------------------------------ views
    @property
    def labels(self) -> tuple[str, ...]:
        """Indicator names, or ``"1"``, ``"2"``, ... when unnamed."""
        return self.names if self.names is not None else tuple(str(i + 1) for i in range(self.weights.size))

    @property
    def label(self) -> Mapping[str, str]:
        """Bilingual method label ``{"en": ..., "zh": ...}``."""
        key = f"weighting.{self.method}"
        return {lang: t(key, lang) if has(key) else self.method for lang in ("en", "zh")}

    def as_dict(self) -> dict[str, float]:
        """``{indicator: weight}``."""
        return {k: float(v) for k, v in zip(self.labels, self.weights)}

    def to_frame(self):
        """One row per indicator: ``weight`` and the per-indicator diagnostics."""

        data = {"weight": self.weights}
        for key in self.per_indicator:
            data[key] = np.asarray(self.diagnostics[key])
        frame = pd.DataFrame(data, index=pd.Index(self.labels, name="indicator"))
        return frame

    def key_diagnostics(self) -> dict[str, Any]:
        """The scalar diagnostics (numbers, strings, flags), for display."""
        out = {}
        for k, v in self.diagnostics.items():
            if isinstance(v, (str, bool, int, float, np.integer, np.floating, np.bool_)):
                out[k] = v
        return out

    def __repr__(self) -> str:
        pairs = ", ".join(f"{k}: {v:.4f}" for k, v in self.as_dict().items())
        extra = f", warnings={len(self.warnings)}" if self.warnings else ""
        return f"{type(self).__name__}(method={self.method!r}, weights={{{pairs}}}{extra})"

    def _repr_html_(self) -> str:
        lab = self.label
        head = (
            f"<p><strong>{html.escape(lab['zh'])} · {html.escape(lab['en'])}</strong> "
            f"<code>{html.escape(self.method)}</code></p>"
        )
        params = ", ".join(
            f"{html.escape(str(k))}={html.escape(_fmt(v))}"
            for k, v in self.params.items()
            if not isinstance(v, (list, tuple, np.ndarray, Mapping))
        )
        parts = [head]
        if params:
            parts.append(f"<p>parameters: {params}</p>")
        parts.append(self.to_frame().to_html(float_format=lambda x: f"{x:.4f}"))
        diag = self.key_diagnostics()
        if diag:
            items = "".join(f"<li>{html.escape(str(k))}: {html.escape(_fmt(v))}</li>" for k, v in diag.items())
            parts.append(f"<ul>{items}</ul>")
        if self.warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
            parts.append(f"<p>warnings:</p><ul>{items}</ul>")
        return "<div>" + "".join(parts) + "</div>"


def make_result(
    weights: np.ndarray,
    method: str,
    params: Mapping[str, Any],
    names: Sequence[str] | None,
    diagnostics: Mapping[str, Any] | None = None,
    warnings: Sequence[str] = (),
    per_indicator: Sequence[str] = (),
) -> WeightResult:
    """Shorthand used by the methods."""
    return WeightResult(
        weights=weights,
        method=method,
        params=dict(params),
        names=None if names is None else tuple(names),
        diagnostics=dict(diagnostics or {}),
        warnings=tuple(warnings),
        per_indicator=tuple(per_indicator),
    )
