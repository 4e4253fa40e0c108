"""The scheme: one declarative, validated, immutable description of an evaluation.

A scheme is data, never code. It is read from YAML (see :mod:`perfkit.scheme.load`),
checked once by these pydantic models (unknown keys are errors, so a misspelt key is
caught), cross-checked against the method registries and frozen.

Two paradigms share one model:

* ``paradigm: composite`` (OECD/JRC style): leaves carry a ``normalise`` spec and a
  relative ``weight``; nodes aggregate their children's scores.
* ``paradigm: points`` (Chinese 100-point practice): every node and leaf carries
  ``points``; leaves carry a scoring ``rule`` giving a share of their points. Internally a
  leaf's score is ``share * 100`` and a node's score is the aggregation of its children's
  scores weighted by their points, so earned points are ``score / 100 * points`` and, with
  arithmetic aggregation, a node's earned points are exactly the sum of its children's.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Label",
    "MethodSpec",
    "Node",
    "Treatment",
    "SurveySpec",
    "SpecialAssessment",
    "VetoItem",
    "Adjustments",
    "GradeRule",
    "Grading",
    "Category",
    "CollectionRule",
    "SchemeModel",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Frozen):
    """A user-facing label in both languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class MethodSpec(BaseModel):
    """``{method: NAME, param: value, ...}``; a bare string means ``{method: NAME}``.

    Parameter names are checked against the method's signature when the scheme is built
    (:func:`perfkit.scheme.check.check_scheme`), so a typo is an error, not a no-op.
    """

    model_config = ConfigDict(extra="allow", frozen=True)
    method: str

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, v: Any) -> Any:
        return {"method": v} if isinstance(v, str) else v

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


Direction = Literal["higher", "lower"]
#: How often an indicator's data are collected (数据采集频次).
Frequency = Literal["monthly", "quarterly", "half-yearly", "yearly", "once"]
#: The indicator design fields an aggregate node may not carry.
_INDICATOR_DESIGN = ("definition", "frequency", "baseline", "task_list", "negative_list", "positive_list")


class Node(_Frozen):
    """A node of the hierarchy. A node with ``children`` is an aggregate; a node without
    children is an indicator (leaf), unless its ``source`` is ``targets`` (its children are
    the unit-specific functional targets of the round's targets table).

    Indicator design fields (optional, all read by the indicator design review and by no
    stage of the engine): ``definition`` (what is measured and how, 指标解释/口径),
    ``frequency`` (how often the data are collected: monthly, quarterly, half-yearly,
    yearly, once), ``baseline`` (the base-period value the target is set against),
    ``task_list`` / ``negative_list`` / ``positive_list`` (任务清单 / 负面清单 / 正面清单:
    what a qualitative indicator checks, what loses and what earns points; each item a
    zh/en label) and ``duty`` (the legal duty or central task the indicator serves,
    法定职责或中心工作依据). Besides them: ``unit``, ``direction``, ``collector`` and
    ``dimensions`` (the quantity / quality / time tags). Only ``duty`` may also be given on
    an aggregate node.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    label: Label
    # hierarchy
    children: tuple[Node, ...] = ()
    aggregate: MethodSpec | None = None
    weights: MethodSpec | None = None
    # weight within the parent
    weight: float | None = Field(default=None, ge=0)
    points: float | None = Field(default=None, ge=0)
    # where values come from
    source: Literal["values", "survey", "special", "targets"] = "values"
    assessment: str | None = None
    # indicator metadata
    unit: str | None = None
    direction: Direction = "higher"
    kind: Literal["quantitative", "qualitative"] = "quantitative"
    collector: str | None = None
    dimensions: tuple[Literal["quantity", "quality", "time"], ...] = ()
    categories: tuple[str, ...] | None = None
    range: tuple[float, float] | None = None
    denominator: str | None = None
    denominator_scale: float = 1.0
    normalise: MethodSpec | None = None
    rule: MethodSpec | None = None
    note: Label | None = None
    # indicator design (optional; read by the indicator design review, never by the engine)
    definition: Label | None = None
    frequency: Frequency | None = None
    baseline: float | None = None
    task_list: tuple[Label, ...] = ()
    negative_list: tuple[Label, ...] = ()
    positive_list: tuple[Label, ...] = ()
    duty: Label | None = None

    @field_validator("weight", "points", mode="before")
    @classmethod
    def _no_negative(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and v < 0:
            raise ValueError(f"must be >= 0 (got {v}); weights and points cannot be negative")
        return v

    @field_validator("baseline")
    @classmethod
    def _finite_baseline(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError(f"baseline must be a finite number (got {v})")
        return v

    @model_validator(mode="after")
    def _design_fields_on_indicators(self) -> Node:
        given = [k for k in _INDICATOR_DESIGN if getattr(self, k) not in (None, ())]
        if self.children and given:
            raise ValueError(f"{', '.join(given)}: only an indicator (a node without children) takes "
                             f"{'these keys' if len(given) > 1 else 'this key'}; move it to the indicators")
        return self

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.source != "targets"

    def walk(self, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Node]]:
        """Yield ``(path_of_ids, node)`` depth first, parents before children."""
        here = (*path, self.id)
        yield here, self
        for child in self.children:
            yield from child.walk(here)


TreatStep = Literal["denominate", "impute", "screen", "winsorise"]


class Treatment(_Frozen):
    """Data treatment before scoring, applied to quantitative value indicators in
    ``order`` (default: denominate, impute, screen, winsorise — the order of COINr's
    example build). Each step is optional and recorded.

    Screening measures data availability on the data as they stand at that step: put
    ``screen`` before ``impute`` in ``order`` to screen on the submitted data.
    """

    denominate: bool = False
    impute: MethodSpec | None = None  # {method: mean|median, by: group column}
    screen: float | None = Field(default=None, gt=0, le=1)  # min data availability
    winsorise: MethodSpec | None = None  # {method: coinr, skew_max, kurt_max, ...}
    order: tuple[TreatStep, ...] = ("denominate", "impute", "screen", "winsorise")

    @field_validator("order")
    @classmethod
    def _order_once(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("each treatment step may appear once in 'order'")
        return v


class SurveySpec(_Frozen):
    """Satisfaction survey: items averaged per respondent, group means weighted."""

    items: tuple[str, ...] = Field(min_length=1)
    scale: tuple[float, float] = (1.0, 5.0)
    groups: dict[str, float]
    min_responses: int = Field(default=30, ge=1)
    min_cell: int = Field(default=10, ge=1)
    group_labels: dict[str, Label] = Field(default_factory=dict)

    @field_validator("groups")
    @classmethod
    def _groups(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("name at least one respondent group with its weight")
        bad = {k: w for k, w in v.items() if w < 0}
        if bad:
            raise ValueError(f"group weights must be >= 0, got {bad}")
        if sum(v.values()) <= 0:
            raise ValueError("group weights must not all be zero")
        return v


class SpecialAssessment(_Frozen):
    """A special (100-point) assessment run by a line department."""

    id: str
    label: Label
    owner: str
    indicators: tuple[str, ...] = ()
    covers: tuple[str, ...] | None = None  # unit categories covered; None = all


class VetoItem(_Frozen):
    label: Label
    effect: Literal["fail", "cap"]
    grade: str | None = None  # the best grade allowed when effect is cap

    @model_validator(mode="after")
    def _cap_needs_grade(self) -> VetoItem:
        if self.effect == "cap" and not self.grade:
            raise ValueError("effect 'cap' needs 'grade': the best grade a vetoed unit may get")
        return self


class Cap(_Frozen):
    cap: float | None = Field(default=None, ge=0)
    items: dict[str, Label] = Field(default_factory=dict)


class Adjustments(_Frozen):
    bonus: Cap = Cap()
    penalty: Cap = Cap()
    veto: dict[str, VetoItem] = Field(default_factory=dict)


class GradeRule(_Frozen):
    id: str
    label: Label | None = None
    min_score: float | None = None
    max_share: float | None = Field(default=None, gt=0, le=1)


class Grading(_Frozen):
    """Grades per category, best first. A unit gets the best grade whose ``min_score`` it
    meets, whose quota (``max_share`` of the category, rounded by ``quota_rounding``) is
    not yet full, and that its vetoes allow. The last grade is the floor."""

    quota_rounding: Literal["floor", "round", "ceil"] = "floor"
    ties: Literal["strict", "lenient"] = "strict"
    default: tuple[GradeRule, ...] = Field(min_length=1)
    by_category: dict[str, tuple[GradeRule, ...]] = Field(default_factory=dict)

    def for_category(self, category: str) -> tuple[GradeRule, ...]:
        return self.by_category.get(category, self.default)


class Category(_Frozen):
    id: str
    label: Label


class CollectionRule(_Frozen):
    """反向约束 (reverse constraint): a data collector that is itself an evaluated unit loses
    points on its own evaluation for its collection record in the round — each day its first
    submission came after the deadline (beyond ``grace_days``), each error found in that
    submission, each resubmission. The points are booked as the penalty ``item`` (so the
    scheme's penalty cap applies), by :func:`perfkit.collection.collection_penalties`.

    Source: ``shared/seed/000_*.txt``, 五、强化监管约束 (对出现数据采集失误的, 要实行反向约束机制).
    """

    item: str = "late_data"
    per_day_late: float = Field(default=0.0, ge=0)
    per_error: float = Field(default=0.0, ge=0)
    per_resubmission: float = Field(default=0.0, ge=0)
    grace_days: int = Field(default=0, ge=0)
    cap: float | None = Field(default=None, ge=0)


class SchemeModel(_Frozen):
    """The whole scheme (see the module docstring)."""

    id: str
    label: Label
    paradigm: Literal["composite", "points"]
    version: str | None = None
    total_points: float | None = Field(default=None, gt=0)
    categories: tuple[Category, ...] = ()
    denominators: tuple[str, ...] = ()
    treatment: Treatment = Treatment()
    structure: Node
    survey: SurveySpec | None = None
    special: tuple[SpecialAssessment, ...] = ()
    adjustments: Adjustments = Adjustments()
    grading: Grading | None = None
    collection: CollectionRule | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _collection_item(self) -> SchemeModel:
        items = self.adjustments.penalty.items
        if self.collection is not None and items and self.collection.item not in items:
            raise ValueError(f"collection.item {self.collection.item!r} is not a penalty item of "
                             f"adjustments.penalty.items ({', '.join(items)})")
        return self
