"""Weights from a scheme's declarative spec, e.g. ``weights: {method: entropy}``."""
from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from perfkit.errors import PerfkitError, SchemeError, did_you_mean

from ._common import WEIGHTS
from .result import WeightResult

__all__ = ["check_weights_spec", "parse_number", "weights_from_spec"]

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_FRACTION = re.compile(rf"\s*({_NUM})\s*/\s*({_NUM})\s*")
_NUMBER = re.compile(rf"\s*({_NUM})\s*")
_RESERVED = ("direction", "names")
#: a scheme-level key of consistency-checked methods (AHP): whether a matrix with
#: CR >= threshold is an ``error`` when the scheme loads (the default) or a ``warning``
INCONSISTENCY = "inconsistency"
_POLICIES = ("error", "warning")


def parse_number(value: Any) -> float:
    """A number, or a string ``"a/b"`` or ``"2.5"``, as float — parsed, never ``eval``-ed.

    >>> parse_number("1/3") == 1 / 3, parse_number(" 5 "), parse_number(2)
    (True, 5.0, 2.0)
    >>> parse_number("1/0")
    Traceback (most recent call last):
    ...
    ValueError: division by zero in '1/0'
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        m = _FRACTION.fullmatch(value)
        if m:
            den = float(m[2])
            if den == 0:
                raise ValueError(f"division by zero in {value!r}")
            return float(m[1]) / den
        m = _NUMBER.fullmatch(value)
        if m:
            return float(m[1])
    raise ValueError(f"{value!r} is not a number or a fraction a/b")


def _numeric_leaf(x: Any) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (int, float, np.integer, np.floating)):
        return True
    return isinstance(x, str) and bool(_FRACTION.fullmatch(x) or _NUMBER.fullmatch(x))


def _all_numeric(x: Any) -> bool:
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(_all_numeric(v) for v in x)
    return _numeric_leaf(x)


def _coerce(value: Any, where: tuple[str, ...]) -> Any:
    """Turn numeric lists (matrices, allocations, bounds) and ``"a/b"`` strings into floats."""
    try:
        if isinstance(value, Mapping):
            return {k: _coerce(v, (*where, str(k))) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            if _all_numeric(value):
                return _floats(value)
            return [_coerce(v, (*where, str(i))) for i, v in enumerate(value)]
        if isinstance(value, str) and _FRACTION.fullmatch(value):
            return parse_number(value)
    except SchemeError:
        raise
    except ValueError as exc:
        raise SchemeError(str(exc), where=where) from None
    return value


def _floats(x: Any) -> Any:
    return [_floats(v) for v in x] if isinstance(x, (list, tuple)) else parse_number(x)


def _spec_params(func: Any) -> tuple[list[str], list[str]]:
    sig = inspect.signature(func)
    allowed, required = [], []
    for p in sig.parameters.values():
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in _RESERVED:
            allowed.append(p.name)
            if p.default is inspect.Parameter.empty:
                required.append(p.name)
    return allowed, required


def check_weights_spec(spec: Any, *, where: Sequence[str] = ()) -> dict[str, Any]:
    """Validate a weights spec without data and return it normalised.

    Checks the method name (with a "did you mean" hint), the parameter names against
    the method's signature and the required parameters, and parses numbers and
    fractions. A bare string is shorthand for ``{"method": <string>}``. Call this when
    the scheme is built; :func:`weights_from_spec` calls it again.

    Examples
    --------
    >>> check_weights_spec({"method": "ahp", "matrix": [[1, 3], ["1/3", 1]]})["matrix"][1][0] == 1 / 3
    True
    >>> check_weights_spec({"method": "entropy", "normalize": "sum"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.errors.SchemeError: weights: unknown parameter 'normalize' ... (did you mean 'normalise'?) ...
    """
    where = tuple(where) or ("weights",)
    if isinstance(spec, str):
        spec = {"method": spec}
    if isinstance(spec, WeightResult) or not isinstance(spec, Mapping):
        raise SchemeError(
            f"a weights spec must be a mapping with a 'method' key; got {type(spec).__name__}",
            where=where, hint=f"for example {{method: entropy}}; methods: {', '.join(WEIGHTS.names())}",
        )
    if "method" not in spec:
        raise SchemeError("the weights spec has no 'method'", where=where,
                          hint=f"choose one of: {', '.join(WEIGHTS.names())}")
    name = spec["method"]
    if not isinstance(name, str) or name not in WEIGHTS:
        raise SchemeError(
            f"unknown weighting method {name!r}{did_you_mean(str(name), WEIGHTS.names())}",
            where=where, hint=f"choose one of: {', '.join(WEIGHTS.names())}",
        )
    func = WEIGHTS.get(name).func
    allowed, required = _spec_params(func)
    params = {k: v for k, v in spec.items() if k not in ("method", INCONSISTENCY)}
    policy = spec.get(INCONSISTENCY)
    if policy is not None:
        if "threshold" not in allowed:
            raise SchemeError(f"'{INCONSISTENCY}' applies to methods with a consistency check (AHP); "
                              f"{name!r} has none", where=(*where, INCONSISTENCY))
        if policy not in _POLICIES:
            raise SchemeError(f"'{INCONSISTENCY}' must be 'error' or 'warning', got {policy!r}"
                              f"{did_you_mean(str(policy), _POLICIES)}", where=(*where, INCONSISTENCY),
                              hint="'error' (the default) refuses a matrix with CR >= threshold when the scheme "
                                   "loads; 'warning' accepts it with a warning")
    for key in params:
        if key in _RESERVED:
            raise SchemeError(f"'{key}' cannot be set in a weights spec; it comes from the scheme",
                              where=(*where, key))
        if key not in allowed:
            raise SchemeError(
                f"unknown parameter {key!r} for weighting method {name!r}{did_you_mean(key, allowed)}",
                where=where, hint=f"valid parameters: {', '.join(allowed) or 'none'}",
            )
    missing = [k for k in required if k not in params]
    if missing:
        raise SchemeError(f"weighting method {name!r} needs parameter(s) {', '.join(missing)}", where=where,
                          hint=f"valid parameters: {', '.join(allowed)}")
    out = {"method": name}
    out.update(_coerce(params, where))
    if policy is not None:
        out[INCONSISTENCY] = policy
    for key in ("subjective", "objective"):
        if name == "combined" and isinstance(out.get(key), (Mapping, str)):
            out[key] = check_weights_spec(out[key], where=(*where, key))
    return out


def weights_from_spec(
    spec: Any,
    X: np.ndarray | None,
    direction: Any,
    names: Sequence[str] | None,
    *,
    where: Sequence[str] = (),
) -> WeightResult:
    """Run the weighting method a scheme node asks for.

    Parameters
    ----------
    spec
        ``{"method": <registry name>, <param>: <value>, ...}`` (or just the name).
        Numbers may be written as fractions ``"1/3"`` (YAML gives them as strings).
    X
        (n_units, n_ind) data of the node's indicators, or ``None`` for subjective
        methods (then ``names`` gives the number of indicators).
    direction
        +1/-1 per indicator, or ``None``.
    names
        The indicators' names (the node's children), in the column order of ``X``.
    where
        Location for error messages (file, YAML path).

    Raises
    ------
    SchemeError
        Bad spec (unknown method or parameter, missing parameter, bad number).
    WeightingError
        The method could not run on these judgements or data (message says why).

    Examples
    --------
    >>> r = weights_from_spec({"method": "ahp", "matrix": [[1, 3], ["1/3", 1]]}, None, None, ["a", "b"])
    >>> r.as_dict(), r.diagnostics["ri_table"]
    ({'a': 0.75, 'b': 0.25}, 'saaty1980')
    >>> weights_from_spec({"method": "entropy"}, None, None, ["a", "b"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.errors.SchemeError: weights: weighting method 'entropy' needs the indicator data ...
    """
    where = tuple(where) or ("weights",)
    clean = check_weights_spec(spec, where=where)
    method = WEIGHTS.get(clean["method"])
    params = {k: v for k, v in clean.items() if k not in ("method", INCONSISTENCY)}
    if X is None:
        if method.meta.get("needs_data"):
            raise SchemeError(
                f"weighting method {method.name!r} needs the indicator data — it is an objective "
                f"(data-driven) method", where=where,
            )
        if names is not None:
            X = np.empty((0, len(names)))
    else:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise SchemeError(f"the data for weighting must be 2-D; got shape {X.shape}", where=where)
        if names is not None and X.shape[1] != len(names):
            raise SchemeError(f"{X.shape[1]} data columns for {len(names)} indicator names", where=where)
    try:
        result = method.func(X, direction=direction, names=names, **params)
    except PerfkitError as exc:
        raise type(exc)(exc.message, where=(*where, *exc.where), hint=exc.hint) from None
    if names is not None and result.weights.size != len(names):
        raise SchemeError(
            f"weighting method {method.name!r} gave {result.weights.size} weights for {len(names)} indicators",
            where=where,
        )
    return result
