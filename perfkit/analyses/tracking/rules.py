"""The office's declared rules for tracking, rectification and results use: one small YAML
file, validated once, with every problem located by its YAML path.

The file has up to three sections; a missing section means "use the defaults" for
``tracking`` and ``rectification`` and "not declared" for ``results_use`` — perfkit states
the office's results-use rules, it never invents them::

    tracking:
      level: 0.8                   # nominal coverage of the projection intervals
      lights: {green: 0.9, yellow: 0.75}          # progress / expected progress
      ceiling_lights: {green: 1.0, yellow: 1.1}   # share of a ceiling used / expected share
      warn_below: 0.9              # completion still below this at the interval's good end
      min_history: 30              # past ratios needed for a profile's own interval
      small_target: 20             # whole-number targets below this: their own size class
    rectification:
      min_lost: 1.0                # lost points that make an item
      adjustments: [penalty, veto] # adjustment kinds that make an item
      complaints: [办事效率有待提高, 窗口等候时间较长]   # comment codes the office counts as complaints
      top_complaints: 2
      min_mentions: 5
      issued: 2025-03-01
      due: 2025-06-30
      min_gain: 1.0                # score gain (0-100 scale) that counts as improved
    results_use:
      excellent_share: {excellent: 0.20, good: 0.15, pass: 0.12, fail: 0.0}
      rounding: floor
      bonus_coefficient: {excellent: 1.2, good: 1.0, pass: 0.8, fail: 0.0}
      bonus_basis: staff           # per staff member, or: unit
      commendation: [excellent]
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from perfkit.errors import SchemeError, did_you_mean
from perfkit.scheme.load import read_yaml, yaml_path

__all__ = ["RulesError", "Lights", "TrackingRules", "RectificationRules", "ResultsUseRules", "OfficeRules",
           "load_rules", "rules_from_dict"]


class RulesError(SchemeError):
    """Invalid office rules; ``where`` is (file, YAML path)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lights(_Model):
    """Traffic-light thresholds: ``green`` and ``yellow`` bounds of a ratio."""

    green: float = Field(gt=0)
    yellow: float = Field(gt=0)


class TrackingRules(_Model):
    """How a tracking round is read: lights, warnings and the projection's interval.

    Attributes
    ----------
    level
        Nominal coverage of the projection intervals (0.8: 80%).
    lights
        For targets where more is better: progress against the profile (cumulative
        completion / expected completion) at or above ``green`` is green, at or above
        ``yellow`` is yellow, below is red. ``green >= yellow``.
    ceiling_lights
        For ceilings (less is better): the share of the ceiling used against the expected
        share, at or below ``green`` is green, at or below ``yellow`` yellow, above red.
        ``green <= yellow``.
    warn_below
        A target is likely to miss when even the good end of its projected interval earns
        less than this share of its points.
    min_history
        Past quarter-to-year ratios a (profile, period, size class) needs for an interval
        of its own; with fewer, the ratios of every profile at that period are pooled.
    small_target
        Targets set as a whole number below this (e.g. "5 items") form their own size
        class: their values move in whole steps.
    """

    level: float = Field(default=0.8, gt=0, lt=1)
    lights: Lights = Lights(green=0.9, yellow=0.75)
    ceiling_lights: Lights = Lights(green=1.0, yellow=1.1)
    warn_below: float = Field(default=0.9, gt=0, le=1)
    min_history: int = Field(default=30, ge=2)
    small_target: float = Field(default=20.0, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> TrackingRules:
        if self.lights.green < self.lights.yellow:
            raise ValueError("lights: green must be at least yellow (green is the better light)")
        if self.ceiling_lights.green > self.ceiling_lights.yellow:
            raise ValueError("ceiling_lights: green must be at most yellow (a ceiling: less is better)")
        return self


class RectificationRules(_Model):
    """What goes on a unit's rectification list (整改清单) and when an item is closed.

    Attributes
    ----------
    min_lost
        Lines of the feedback list losing at least this many points become items.
    adjustments
        Adjustment kinds (``penalty``, ``veto``) whose items become rectification items
        (negative inspection findings, accountability cases, media exposure ...).
    complaints
        The survey comment codes the office counts as complaints; none declared: no
        complaint items.
    top_complaints, min_mentions
        The unit's most frequent complaints (at most ``top_complaints``), each mentioned
        at least ``min_mentions`` times, only from respondent groups at or above the
        scheme's minimum cell size.
    issued, due
        Date the list is issued and the due date of its items (``due_days`` after
        ``issued`` when ``due`` is not given).
    min_gain
        A lost-points item counts as improved when the indicator's score (0-100 scale)
        rose by at least this much in the next round.
    """

    min_lost: float = Field(default=1.0, gt=0)
    adjustments: tuple[Literal["penalty", "veto"], ...] = ("penalty", "veto")
    complaints: tuple[str, ...] = ()
    top_complaints: int = Field(default=2, ge=0)
    min_mentions: int = Field(default=5, ge=1)
    issued: dt.date | None = None
    due: dt.date | None = None
    due_days: int = Field(default=120, ge=1)
    min_gain: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _dates(self) -> RectificationRules:
        if self.issued is not None and self.due is not None and self.due < self.issued:
            raise ValueError(f"due ({self.due}) is before issued ({self.issued})")
        return self

    def due_date(self, issued: dt.date) -> dt.date:
        """The due date of items issued on ``issued``."""
        return self.due or (issued + dt.timedelta(days=self.due_days))


class ResultsUseRules(_Model):
    """The office's results-use rule table (结果运用).

    Attributes
    ----------
    excellent_share
        Per grade, the share of a unit's staff who may be rated excellent in their annual
        appraisal (公务员年度考核优秀等次比例).
    rounding
        How a unit's number of excellent places rounds: ``floor``, ``ceil`` or ``round``
        (half up).
    bonus_coefficient
        Per grade, the performance-bonus coefficient (绩效奖励系数).
    bonus_basis
        ``staff``: a unit's part of the pool is coefficient x staff; ``unit``: coefficient.
    commendation
        Grades whose units are on the commendation list (通报表彰).
    pool
        The bonus pool (optional; can also be given when computing).
    label
        How the office names the rule table in reports (optional).
    """

    excellent_share: dict[str, float]
    rounding: Literal["floor", "ceil", "round"] = "floor"
    bonus_coefficient: dict[str, float]
    bonus_basis: Literal["staff", "unit"] = "staff"
    commendation: tuple[str, ...] = ()
    pool: float | None = Field(default=None, ge=0)
    label: dict[Literal["zh", "en"], str] | None = None

    @field_validator("excellent_share")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("give a share for every grade")
        for g, s in v.items():
            if not 0 <= s <= 1:
                raise ValueError(f"the share of grade {g!r} must be between 0 and 1 (e.g. 0.2 for 20%); got {s}")
        return v

    @field_validator("bonus_coefficient")
    @classmethod
    def _coefficients(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("give a coefficient for every grade")
        for g, c in v.items():
            if c < 0:
                raise ValueError(f"the coefficient of grade {g!r} must not be negative; got {c}")
        return v

    @model_validator(mode="after")
    def _same_grades(self) -> ResultsUseRules:
        a, b = set(self.excellent_share), set(self.bonus_coefficient)
        if a != b:
            odd = sorted(a ^ b)[0]
            where = "bonus_coefficient" if odd in a else "excellent_share"
            raise ValueError(f"grade {odd!r} has no entry in {where}: both tables need every grade")
        for g in self.commendation:
            if g not in a:
                raise ValueError(f"commendation names grade {g!r}, which has no share{did_you_mean(g, a)}")
        return self


class OfficeRules(_Model):
    """The declared rules of the three sections (``results_use`` None: not declared)."""

    tracking: TrackingRules = TrackingRules()
    rectification: RectificationRules = RectificationRules()
    results_use: ResultsUseRules | None = None
    file: str | None = None


def rules_from_dict(raw: dict[str, Any] | None, *, file: str | None = None) -> OfficeRules:
    """Validate ``raw`` (the YAML mapping) into :class:`OfficeRules`, or raise one
    :class:`RulesError` naming the file and the YAML path of the first problem."""
    raw = dict(raw or {})
    try:
        return OfficeRules.model_validate({**raw, "file": file})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if not (isinstance(p, str) and (p[:1].isupper() or p.startswith("function-")))]
        msg = err["msg"].removeprefix("Value error, ")
        hint = ""
        if err["type"] == "extra_forbidden":
            allowed = _fields(loc[:-1])
            msg = f"unknown key {loc[-1]!r}{did_you_mean(str(loc[-1]), allowed)}"
            hint = f"allowed keys here: {', '.join(allowed)}"
        elif err["type"] == "missing":
            msg = "required key is missing"
        raise RulesError(msg, where=[file or "<rules>", yaml_path(raw, loc) or "(top level)"], hint=hint) from None


def _fields(loc: Iterable[Any]) -> list[str]:
    model: Any = OfficeRules
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        model = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)),
                     None)
        if model is None:
            return []
    return [k for k in model.model_fields if k != "file"]


def load_rules(path: str | Path | None) -> OfficeRules:
    """Read the office's rules from a YAML file (``None``: the defaults, no results use).

    Raises
    ------
    RulesError
        Naming the file and the YAML path (e.g. ``results_use.excellent_share.good``).
    """
    if path is None:
        return OfficeRules()
    try:
        raw = read_yaml(path)
    except SchemeError as exc:
        raise RulesError(exc.message, where=exc.where, hint="give the path of the office's rules YAML") from None
    return rules_from_dict(raw, file=str(path))
