"""Shared validation and small numeric helpers of the weighting methods (private).

Everything here works on plain numpy arrays. Each public method calls these helpers once,
at its top, and then runs its algorithm on clean values (STYLE.md, point 9).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from perfkit.errors import PerfkitError
from perfkit.kernels.registry import Registry

__all__ = ["WEIGHTS", "WeightingError", "WeightingWarning"]

#: The weighting registry: one signature, ``method(X, *, direction=None, names=None, **params)``.
WEIGHTS = Registry("weighting")


class WeightingError(PerfkitError, ValueError):
    """Bad input to a weighting method (bad matrix, unusable data, infeasible bounds)."""


class WeightingWarning(UserWarning):
    """A weighting method did something the user should know about (and says what)."""


def note(messages: list[str], message: str, *, stacklevel: int = 3) -> None:
    """Record ``message`` for the result's ``warnings`` and emit it as a WeightingWarning."""
    messages.append(message)
    warnings.warn(message, WeightingWarning, stacklevel=stacklevel)


def label(j: int, names: Sequence[str] | None) -> str:
    """Human label of indicator ``j``: its name, or its 1-based position."""
    return repr(names[j]) if names is not None else f"#{j + 1}"


def as_names(names: Sequence[Any] | None, m: int | None, *, what: str = "indicator") -> tuple[str, ...] | None:
    """Names as a tuple of str, checked against the number of columns ``m``."""
    if names is None:
        return None
    if isinstance(names, str):
        raise WeightingError(f"{what} names must be a sequence of names, not the string {names!r}")
    out = tuple(str(n) for n in names)
    if m is not None and len(out) != m:
        raise WeightingError(f"got {len(out)} {what} names for {m} {what}s")
    if len(set(out)) != len(out):
        dup = sorted({n for n in out if out.count(n) > 1})
        raise WeightingError(f"duplicate {what} names: {', '.join(dup)}")
    return out


def as_data(X: Any, *, min_units: int = 2, method: str = "") -> np.ndarray:
    """``X`` as a finite float (n_units, n_ind) array with at least ``min_units`` rows."""
    if X is None:
        raise WeightingError(f"{method or 'this method'} needs the data matrix X (units x indicators)")
    try:
        arr = np.array(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise WeightingError(f"X must be a numeric matrix: {exc}") from None
    if arr.ndim != 2:
        raise WeightingError(f"X must be 2-D (units x indicators); got {arr.ndim}-D")
    if arr.shape[1] == 0:
        raise WeightingError("X has no indicator columns")
    if not np.isfinite(arr).all():
        i, j = np.argwhere(~np.isfinite(arr))[0]
        raise WeightingError(
            f"X has a missing or non-finite value (row {i + 1}, column {j + 1})",
            hint="impute or remove missing values before weighting",
        )
    if arr.shape[0] < min_units:
        raise WeightingError(
            f"{method or 'this method'} needs at least {min_units} units; got {arr.shape[0]}"
        )
    return arr


def n_columns(X: Any) -> int | None:
    """Number of columns of ``X`` (subjective methods use X only for this), or None."""
    if X is None:
        return None
    shape = np.shape(X)
    if len(shape) != 2:
        raise WeightingError(f"X must be 2-D (units x indicators); got shape {shape}")
    return int(shape[1])


def as_direction(direction: Any, m: int) -> np.ndarray:
    """Direction as an int array of +1 (benefit, higher is better) / -1 (cost)."""
    if direction is None:
        return np.ones(m, dtype=int)
    d = np.asarray(direction)
    if d.ndim == 0:
        d = np.full(m, d.item())
    if d.shape != (m,):
        raise WeightingError(f"direction must have one entry per indicator ({m}); got shape {d.shape}")
    try:
        d = d.astype(float)
    except (TypeError, ValueError):
        raise WeightingError("direction must contain +1 (benefit) or -1 (cost)") from None
    if not np.isin(d, (1.0, -1.0)).all():
        bad = d[~np.isin(d, (1.0, -1.0))][0]
        raise WeightingError(f"direction must contain +1 (benefit) or -1 (cost); got {bad:g}")
    return d.astype(int)


def minmax_columns(X: np.ndarray, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direction-aware min-max to [0, 1]: ``(Z, constant)``; constant columns become 0.

    A local helper on purpose (the shared normalisation kernels live elsewhere); the
    caller decides what a constant column means for its method and says so.
    """
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = hi - lo
    constant = span <= 1e-12 * np.maximum(1.0, np.abs(hi))
    safe = np.where(constant, 1.0, span)
    Z = np.where(direction > 0, (X - lo) / safe, (hi - X) / safe)
    Z[:, constant] = 0.0
    return Z, constant


def normalise_vector(d: np.ndarray, *, method: str) -> np.ndarray:
    """``d / d.sum()``, refusing an all-zero vector."""
    total = float(d.sum())
    if not np.isfinite(total) or total <= 0:
        raise WeightingError(f"{method}: every indicator got weight zero; no weights can be formed")
    return d / total


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        raise WeightingError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def constant_note(constant: np.ndarray, names: Sequence[str] | None, method: str) -> str:
    idx = np.flatnonzero(constant)
    which = ", ".join(label(j, names) for j in idx)
    return (
        f"{method}: indicator(s) {which} do not vary across units; "
        f"they cannot discriminate and get weight 0"
    )
