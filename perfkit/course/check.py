"""The exercise checker: hints on wrong answers, and no answer in sight.

Each module's exercises are declared in ``course/checks/<module>.yaml``: the kind of answer,
its tolerance, a hint for a wrong answer and the hints for typical mistakes, in zh and en.
The answers themselves are kept only as salted SHA-256 digests, per data round, in
``course/checks/keys/<module>.json``; they are recorded by running the module's solution
notebook with ``record=True`` (``perfkit course keys``, and every ``perfkit course build``
records them for the round it builds). So the exercise notebook, the checker and the key
files never hold an answer a trainee could read.

Kinds and what a digest keeps:

``number``
    ``round(x / tolerance)``; an answer is accepted when its own quantum is within one of
    the key's (always within twice the tolerance). A wrong number is also tried x100 and
    /100 and with its sign flipped, for the hints "percent or share?" and "sign?".
``integer``, ``text``
    The value (text trimmed and case-folded).
``set``
    Each element separately, and the count: "3 of the 4 are right, 1 is not in the answer".
``sequence``
    Each element at its position, and the elements as a set: "right units, wrong order".
``mapping``
    Each key with its value quantised by the tolerance: "the value of X is off".

A typical mistake (a wrong answer the solution notebook computes on purpose with
``Checker.mistake``) is kept as its digest too, with its own hint; the checker recognises it
and says what went wrong.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from IPython.display import display
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from perfkit.course.meta import CourseError, course_root
from perfkit.errors import UnknownNameError, did_you_mean
from perfkit.i18n import t
from perfkit.io.export import atomic_path

__all__ = ["Checker", "CheckResult", "checker", "ExerciseSpec", "load_specs", "MIME", "KINDS"]

KINDS = ("number", "integer", "text", "set", "sequence", "mapping")
#: The mime type of a check's outcome in a notebook's outputs (read by the tests and the build).
MIME = "application/vnd.perfkit.check+json"


class _Hint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ExerciseSpec(BaseModel):
    """One exercise of ``course/checks/<module>.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal[KINDS]  # type: ignore[valid-type]
    tolerance: float | None = Field(default=None, gt=0)
    hint: _Hint
    mistakes: dict[str, _Hint] = Field(default_factory=dict)


def checks_dir() -> Path:
    return course_root() / "checks"


@lru_cache(maxsize=32)
def _specs(path: str) -> dict[str, ExerciseSpec]:
    p = Path(path)
    if not p.is_file():
        raise CourseError("no exercise declarations", where=[str(p)],
                          hint="declare the module's exercises in course/checks/<module>.yaml")
    raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    out = {}
    for name, spec in raw.items():
        try:
            s = ExerciseSpec.model_validate(spec)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise CourseError(err["msg"], where=[str(p), ".".join([name, *map(str, err["loc"])])]) from None
        if s.kind in ("number", "mapping") and s.tolerance is None:
            raise CourseError(f"a {s.kind} answer needs a tolerance", where=[str(p), name, "tolerance"])
        out[str(name)] = s
    return out


def load_specs(module: str, folder: str | Path | None = None) -> dict[str, ExerciseSpec]:
    """The exercises declared for ``module`` (``m04``) in ``folder`` (default course/checks)."""
    return _specs(str(Path(folder or checks_dir()) / f"{module}.yaml"))


# ----------------------------------------------------------------------------- digests
def _h(salt: str, payload: str) -> str:
    return hashlib.sha256(f"perfkit-course|{salt}|{payload}".encode()).hexdigest()[:24]


def _quantum(x: float, tol: float) -> int:
    return int(math.floor(x / tol + 0.5))


def _is_missing(v: Any) -> bool:
    return v is None or v is Ellipsis or (isinstance(v, float) and math.isnan(v))


def _number(v: Any) -> float:
    if isinstance(v, pd.Series | pd.DataFrame | np.ndarray) and np.size(v) == 1:
        v = np.asarray(v).ravel()[0]
    if isinstance(v, bool) or not isinstance(v, numbers.Number | np.number):
        raise TypeError("number")
    x = float(v)
    if not math.isfinite(x):
        raise TypeError("number")
    return x


def _text(v: Any) -> str:
    if isinstance(v, pd.Series | np.ndarray) and np.size(v) == 1:
        v = np.asarray(v).ravel()[0]
    if not isinstance(v, str | numbers.Number | np.generic) or isinstance(v, bool):
        raise TypeError("text")
    return " ".join(str(v).split()).casefold()


def _elements(v: Any) -> list[str]:
    if isinstance(v, str) or not isinstance(v, Iterable | pd.Series | pd.Index):
        raise TypeError("collection")
    if isinstance(v, pd.Series):
        v = v.tolist()
    return [_text(x) for x in v]


def _mapping(v: Any) -> dict[str, float]:
    if isinstance(v, pd.Series):
        v = v.to_dict()
    if not isinstance(v, Mapping):
        raise TypeError("mapping")
    return {_text(k): _number(x) for k, x in v.items()}


def digest(spec: ExerciseSpec, salt: str, value: Any) -> dict[str, Any]:
    """The digest of ``value`` as the key stores it (raises ``TypeError`` for a wrong kind)."""
    k = spec.kind
    if k == "number":
        return {"q": _h(salt, str(_quantum(_number(value), spec.tolerance)))}
    if k == "integer":
        x = _number(value)
        if x != int(x):
            raise TypeError("integer")
        return {"v": _h(salt, str(int(x)))}
    if k == "text":
        return {"v": _h(salt, _text(value))}
    if k == "set":
        el = sorted(set(_elements(value)))
        return {"n": len(el), "e": sorted(_h(salt, e) for e in el)}
    if k == "sequence":
        el = _elements(value)
        return {"n": len(el), "p": [_h(salt, f"{i}:{e}") for i, e in enumerate(el)],
                "e": sorted(_h(salt, e) for e in set(el))}
    m = _mapping(value)
    return {"n": len(m), "k": sorted(_h(salt, key) for key in m),
            "kv": sorted(_h(salt, f"{key}={_quantum(x, spec.tolerance)}") for key, x in m.items())}


# ----------------------------------------------------------------------------- comparing
def _number_matches(spec: ExerciseSpec, salt: str, x: float, key: dict) -> bool:
    q = _quantum(x, spec.tolerance)
    return any(_h(salt, str(q + d)) == key["q"] for d in (-1, 0, 1))


def _compare(spec: ExerciseSpec, salt: str, value: Any, key: dict) -> tuple[bool, str | None, dict]:
    """(accepted, reason code for the generic hint, its parameters)."""
    k = spec.kind
    if k == "number":
        x = _number(value)
        if _number_matches(spec, salt, x, key):
            return True, None, {}
        for code, y in (("percent", x / 100), ("percent", x * 100), ("sign", -x)):
            if _number_matches(spec, salt, y, key):
                return False, code, {}
        return False, None, {}
    if k in ("integer", "text"):
        return digest(spec, salt, value) == key, None, {}
    if k == "set":
        d = digest(spec, salt, value)
        right = len(set(d["e"]) & set(key["e"]))
        if right == key["n"] == d["n"]:
            return True, None, {}
        return False, "set", {"right": right, "n": key["n"], "extra": d["n"] - right}
    if k == "sequence":
        d = digest(spec, salt, value)
        if d["p"] == key["p"]:
            return True, None, {}
        if d["e"] == key["e"] and d["n"] == key["n"]:
            return False, "order", {}
        right = len(set(d["e"]) & set(key["e"]))
        return False, "set", {"right": right, "n": len(key["e"]), "extra": len(set(d["e"])) - right}
    m = _mapping(value)
    d = digest(spec, salt, value)
    if set(d["k"]) != set(key["k"]):
        return False, "keys", {"n": key["n"]}
    q = {kk: _quantum(x, spec.tolerance) for kk, x in m.items()}
    off = [kk for kk, qq in q.items()
           if not any(_h(salt, f"{kk}={qq + dd}") in key["kv"] for dd in (-1, 0, 1))]
    if not off:
        return True, None, {}
    return False, "values", {"off": ", ".join(sorted(off))}


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes
    ----------
    module, exercise
        Which exercise.
    outcome
        ``correct``, ``wrong``, ``mistake`` (a typical mistake, recognised), ``unanswered``,
        ``wrong_kind``, ``no_key`` (no answer key for this round) or ``recorded``.
    ok
        True when the answer is accepted (or recorded).
    message
        What the trainee reads, in ``lang``.
    mistake
        The typical mistake recognised (its code), if any.
    """

    module: str
    exercise: str
    outcome: str
    ok: bool
    message: str
    lang: str = "zh"
    mistake: str | None = None
    hints: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"module": self.module, "exercise": self.exercise, "outcome": self.outcome, "ok": self.ok,
                "mistake": self.mistake}

    def _repr_html_(self) -> str:
        colour = {"correct": "#2a9d8f", "recorded": "#5c6b7a", "mistake": "#e9c46a"}.get(self.outcome, "#e76f51")
        hints = "".join(f"<li>{html.escape(h)}</li>" for h in self.hints)
        return (f'<div class="pk-check pk-check-{self.outcome}" style="border-left:4px solid {colour};'
                f'padding:6px 10px;margin:6px 0;background:#fafbfc"><b>{html.escape(self.exercise)}</b>: '
                f"{html.escape(self.message)}" + (f"<ul>{hints}</ul>" if hints else "") + "</div>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._repr_html_(), "text/plain": f"{self.exercise}: {self.message}",
                MIME: self.to_dict()}

    def __str__(self) -> str:
        return f"{self.exercise}: {self.message}" + "".join(f"\n  - {h}" for h in self.hints)


class Checker:
    """Checks one module's exercises on one round's data.

    Parameters
    ----------
    module
        ``"m04"``: the declarations in ``course/checks/m04.yaml``.
    round
        The data round the exercise runs on (answers differ between rounds).
    lang
        ``zh`` or ``en``: the language of the messages.
    answers
        Folder of the answer keys (default ``course/checks/keys``).
    record
        True: record the answers given as the key for this round (the solution notebook,
        run by ``perfkit course keys`` or ``perfkit course build``); nothing is checked.
    checks
        Folder of the declarations (default ``course/checks``).
    """

    def __init__(self, module: str, *, round: str | int, lang: str = "zh",  # noqa: A002 - perfkit's word
                 answers: str | Path | None = None, record: bool = False, checks: str | Path | None = None):
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
        self.module = module
        self.round = str(round)
        self.lang = lang
        self.record = bool(record)
        self.specs = load_specs(module, checks)
        self.keys_dir = Path(answers) if answers is not None else checks_dir() / "keys"
        self._file = self.keys_dir / f"{module}.json"
        self._recorded: dict[str, dict] = {}
        self._keys = self._read_keys().get(self.round, {})

    # ------------------------------------------------------------------ keys
    def _read_keys(self) -> dict:
        if not self._file.is_file():
            return {}
        try:
            return json.loads(self._file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CourseError(f"the answer key is not valid JSON ({exc.msg})", where=[str(self._file)],
                              hint="record it again with `perfkit course keys`") from None

    def _write(self) -> None:
        allkeys = self._read_keys()
        allkeys[self.round] = dict(sorted(self._recorded.items()))
        self._file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(self._file) as tmp:
            Path(tmp).write_text(json.dumps(dict(sorted(allkeys.items())), indent=1, ensure_ascii=False) + "\n",
                                 encoding="utf-8")

    def _spec(self, exercise: str) -> ExerciseSpec:
        try:
            return self.specs[exercise]
        except KeyError:
            raise UnknownNameError(f"module {self.module} has no exercise {exercise!r}"
                                   f"{did_you_mean(exercise, self.specs)}") from None

    def _salt(self, exercise: str) -> str:
        return f"{self.module}.{exercise}"

    def _say(self, key: str, **fmt) -> str:
        return t(f"course.check.{key}", self.lang, **fmt)

    def _result(self, exercise: str, outcome: str, ok: bool, message: str, *, mistake=None, hints=()) -> CheckResult:
        return CheckResult(self.module, exercise, outcome, ok, message, self.lang, mistake, tuple(hints))

    # ------------------------------------------------------------------ checking
    def verify(self, exercise: str, value: Any) -> CheckResult:
        """Check ``value`` against the key (or record it): the outcome, without displaying it."""
        spec = self._spec(exercise)
        salt = self._salt(exercise)
        if _is_missing(value):
            return self._result(exercise, "unanswered", False, self._say("unanswered"))
        try:
            d = digest(spec, salt, value)
        except TypeError:
            return self._result(exercise, "wrong_kind", False, self._say(f"kind_{spec.kind}"),
                                hints=[getattr(spec.hint, self.lang)])
        if self.record:
            self._recorded.setdefault(exercise, {"answer": None, "mistakes": {}})["answer"] = d
            self._write()
            return self._result(exercise, "recorded", True, self._say("recorded", round=self.round))
        key = self._keys.get(exercise)
        if key is None or key.get("answer") is None:
            return self._result(exercise, "no_key", False, self._say("no_key", round=self.round))
        try:
            ok, code, params = _compare(spec, salt, value, key["answer"])
        except TypeError:
            ok, code, params = False, None, {}
        if ok:
            return self._result(exercise, "correct", True, self._say("correct"))
        for name, mkey in key.get("mistakes", {}).items():
            if name in spec.mistakes and mkey == d:
                return self._result(exercise, "mistake", False, self._say("mistake"), mistake=name,
                                    hints=[getattr(spec.mistakes[name], self.lang)])
        hints = [self._say(f"why_{code}", **params)] if code else []
        hints.append(getattr(spec.hint, self.lang))
        return self._result(exercise, "wrong", False, self._say("wrong"), hints=hints)

    def check(self, exercise: str, value: Any) -> None:
        """Check ``value`` and display the outcome (with hints when it is not right yet)."""
        display(self.verify(exercise, value))

    def mistake(self, exercise: str, value: Any, name: str) -> None:
        """In a solution notebook: ``value`` is the typical mistake ``name``.

        When recording, its digest is kept with the key; otherwise the checker must reject it
        and recognise it, or this raises (so a solution run shows that the checker tells
        this mistake apart)."""
        spec = self._spec(exercise)
        if name not in spec.mistakes:
            raise UnknownNameError(f"exercise {self.module}.{exercise} declares no mistake {name!r}"
                                   f"{did_you_mean(name, spec.mistakes)}")
        if self.record:
            entry = self._recorded.setdefault(exercise, {"answer": None, "mistakes": {}})
            entry["mistakes"][name] = digest(spec, self._salt(exercise), value)
            self._write()
            display(self._result(exercise, "recorded", True, self._say("recorded", round=self.round), mistake=name))
            return
        res = self.verify(exercise, value)
        if res.ok or res.mistake != name:
            raise AssertionError(f"{self.module}.{exercise}: the typical mistake {name!r} was not recognised "
                                 f"(outcome {res.outcome}); record the keys again with `perfkit course keys`")
        display(res)


def checker(module: str, *, round: str | int, lang: str = "zh",  # noqa: A002
            answers: str | Path | None = None, record: bool = False) -> Checker:
    """The checker of ``module``'s exercises (see :class:`Checker`)."""
    return Checker(module, round=round, lang=lang, answers=answers, record=record)
