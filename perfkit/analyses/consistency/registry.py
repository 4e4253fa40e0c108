"""The special-assessment registry (专项考核目录): a validated file, and its checks
against a round.

A registry is a YAML file (or a workbook, see :func:`load_registry`)::

    plan: {cap: 6}                      # 总量控制: at most this many active assessments a year
    owners: {city_office: {zh: 市委办公室, en: General Office}}   # owners that are not evaluated units
    rules: {ceiling_share: 0.5}         # thresholds of the recommendation rules (see Rules)
    assessments:
    - id: sp_work_safety
      label: {zh: 安全生产考核, en: Work safety}
      owner: gov_emergency              # a unit id of the round, or a key of `owners`
      basis: {zh: 《安全生产法》, en: Work Safety Law}     # legal basis or approving document
      approval: approved                # approved | filed | pending | none (准入许可、审核报备)
      approved: 2022                    # year approved
      since: 2022                       # first round it runs (optional `until`: last round)
      covers: [district, government]    # unit categories; or covered_units: [unit ids]
      weight: {'2025': 2}               # points in the comprehensive score (or one number)
      frequency: quarterly              # data submissions a year: annual, semiannual, quarterly, monthly or a number
      inspections:                      # inspection windows (MM-DD) the joint schedule may move within
      - {kind: mid_year, window: ['06-01', '08-15']}
      indicators:
      - {id: safety_accidents, label: {zh: 生产安全事故起数, en: Accidents}, direction: lower, target: 0,
         points: 30, same_as: [accidents_total]}   # same_as / distinct_from: confirmed or dismissed matches
      - hazard_rectification            # a bare id: an indicator defined elsewhere (registry or scheme)
      grades: [A, B, C, D]              # grades of its results, best first

Structural problems raise :class:`RegistryError` listing every problem with its YAML path
(or sheet, row and column of a workbook). Problems that need the round (an unknown owner,
unit or indicator; points that do not add up; weights that differ from the scheme) are
found by :func:`check_registry`, which returns them as :class:`Issue` records.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from perfkit.errors import PerfkitError, did_you_mean
from perfkit.io.read import read_table
from perfkit.results import html_head, html_table
from perfkit.scheme.load import yaml_path
from perfkit.scheme.models import Label

__all__ = ["Registry", "RegistryError", "Issue", "Assessment", "Indicator", "Inspection", "Plan",
           "load_registry", "check_registry", "round_year", "FREQUENCIES", "APPROVED"]

#: Data submissions a year for each named frequency.
FREQUENCIES = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12}
#: Approval statuses that count as approved (准入许可).
APPROVED = ("approved",)
_ID = r"^[A-Za-z0-9_.\-]+$"
_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RegistryError(PerfkitError, ValueError):
    """An invalid registry or schedule; ``where`` is (file, YAML path or row and column)."""


@dataclass(frozen=True)
class Issue:
    """One problem found in the registry, the schedule or the special results."""

    severity: str  # "error" | "warning"
    message: str
    file: str = ""
    where: str = ""  # YAML path, or "row N" / "row N: column C"
    hint: str = ""

    @property
    def location(self) -> str:
        return ": ".join(p for p in (self.file, self.where) if p)

    def __str__(self) -> str:
        text = f"{self.severity}: {self.location}: {self.message}" if self.location else \
            f"{self.severity}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


def raise_for_errors(issues: Iterable[Issue]) -> None:
    """Raise one :class:`RegistryError` naming the first error and how many more there are."""
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        first, more = errors[0], len(errors) - 1
        raise RegistryError(first.message + (f" (and {more} more problem(s))" if more else ""),
                            where=[first.file, first.where], hint=first.hint)


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    return pd.DataFrame([i.__dict__ for i in issues], columns=["severity", "message", "file", "where", "hint"])


# ----------------------------------------------------------------------------- models
class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _month_day(v: str) -> str:
    try:
        dt.date.fromisoformat(f"2024-{v}")  # a leap year, so that 02-29 is allowed
    except (TypeError, ValueError):
        raise ValueError(f"{v!r} is not a month and day written MM-DD (e.g. '06-01')") from None
    return v


class Indicator(_Frozen):
    """An indicator of a special assessment. Given by its id alone, it refers to an
    indicator defined elsewhere (another assessment of the registry or the scheme)."""

    id: str = Field(pattern=_ID)
    label: Label | None = None
    unit: str | None = None
    direction: Literal["higher", "lower"] | None = None
    target: float | None = None
    points: float | None = Field(default=None, ge=0)
    same_as: tuple[str, ...] = ()
    distinct_from: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, v: Any) -> Any:
        return {"id": v} if isinstance(v, str) else v


class Inspection(_Frozen):
    """A kind of inspection and the window (MM-DD to MM-DD, within one year) it may be held in."""

    kind: str = Field(min_length=1)
    window: tuple[str, str]

    @field_validator("window")
    @classmethod
    def _window(cls, v: tuple[str, str]) -> tuple[str, str]:
        a, b = (_month_day(x) for x in v)
        if a > b:
            raise ValueError(f"the window ends ({b}) before it starts ({a}); give two MM-DD dates in one year")
        return a, b


class Plan(_Frozen):
    """The annual plan (总量控制): the most assessments that may run in a round."""

    cap: int | dict[str, int] | None = None
    note: Label | None = None

    def cap_for(self, rnd: str | None) -> int | None:
        if isinstance(self.cap, dict):
            return self.cap.get(str(rnd)) if rnd is not None else None
        return self.cap


class Assessment(_Frozen):
    """One special assessment (专项考核) of the registry (fields: see the module docstring)."""

    id: str = Field(pattern=_ID)
    label: Label
    owner: str = Field(min_length=1)
    owner_label: Label | None = None
    basis: Label | None = None
    approval: Literal["approved", "filed", "pending", "none"] | None = None
    approved: int | None = None
    since: int | None = None
    until: int | None = None
    covers: tuple[str, ...] | None = None
    covered_units: tuple[str, ...] | None = None
    weight: float | dict[str, float] | None = None
    frequency: Literal["annual", "semiannual", "quarterly", "monthly"] | int | None = None
    inspections: tuple[Inspection, ...] = ()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    grades: tuple[str, ...] | None = None
    schedule: str | None = None
    results: str | None = None

    @field_validator("weight")
    @classmethod
    def _weight(cls, v: Any) -> Any:
        values = v.values() if isinstance(v, dict) else [] if v is None else [v]
        if any(w < 0 for w in values):
            raise ValueError("weights (points in the comprehensive score) cannot be negative")
        return v

    @model_validator(mode="after")
    def _check(self) -> Assessment:
        ids = [i.id for i in self.indicators]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"indicator {dup[0]!r} is listed twice")
        kinds = [i.kind for i in self.inspections]
        dupk = sorted({k for k in kinds if kinds.count(k) > 1})
        if dupk:
            raise ValueError(f"inspection kind {dupk[0]!r} is listed twice")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError(f"'until' ({self.until}) is before 'since' ({self.since})")
        if isinstance(self.frequency, int) and self.frequency < 0:
            raise ValueError("frequency (data submissions a year) cannot be negative")
        return self

    def active(self, year: int | None) -> bool:
        """Whether the assessment runs in ``year`` (``since`` <= year <= ``until``)."""
        if year is None:
            return True
        return (self.since is None or self.since <= year) and (self.until is None or year <= self.until)

    def weight_for(self, rnd: str | None) -> float | None:
        if isinstance(self.weight, dict):
            return self.weight.get(str(rnd)) if rnd is not None else None
        return self.weight

    @property
    def submissions(self) -> int | None:
        """Data submissions a year (from ``frequency``)."""
        if self.frequency is None:
            return None
        return FREQUENCIES[self.frequency] if isinstance(self.frequency, str) else int(self.frequency)

    @property
    def is_approved(self) -> bool:
        return self.approval in APPROVED

    def window(self, kind: str) -> tuple[str, str] | None:
        return next((i.window for i in self.inspections if i.kind == kind), None)


class RegistryModel(_Frozen):
    synthetic: bool = False
    city: Label | None = None
    plan: Plan = Plan()
    owners: dict[str, Label] = Field(default_factory=dict)
    rules: dict[str, float | int] = Field(default_factory=dict)
    assessments: tuple[Assessment, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RegistryModel:
        ids = [a.id for a in self.assessments]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"assessment {dup[0]!r} is listed twice")
        return self


# ----------------------------------------------------------------------------- the registry
@dataclass(frozen=True, eq=False)
class Registry:
    """A validated special-assessment registry.

    Attributes
    ----------
    model
        The validated contents (:class:`RegistryModel`).
    file
        Where it was read from.
    locations
        For a workbook: YAML-style path -> "sheet S: row R" (so that checks can point at cells).
    """

    model: RegistryModel
    file: str = ""
    locations: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def assessments(self) -> dict[str, Assessment]:
        return {a.id: a for a in self.model.assessments}

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.model.assessments]

    def path(self, i: int, *more: str | int) -> str:
        """The location of assessment ``i`` (and a key inside it), as the file names it."""
        a = self.model.assessments[i]
        p = f"assessments[{i}]({a.id})"
        for m in more:
            p += f"[{m}]" if isinstance(m, int) else f".{m}"
        key = p.split(".", 1)[0] if "." in p else p
        return self.locations.get(p) or self.locations.get(key) or p

    def active(self, rnd: str | None) -> list[Assessment]:
        """The assessments that run in round ``rnd``."""
        y = round_year(rnd)
        return [a for a in self.model.assessments if a.active(y)]

    def to_frame(self, rnd: str | None = None) -> pd.DataFrame:
        """One row per assessment: labels, owner, approval, years, coverage, weight, burden fields."""
        y = round_year(rnd)
        rows = []
        for a in self.model.assessments:
            rows.append({"assessment_id": a.id, "label_zh": a.label.zh, "label_en": a.label.en, "owner": a.owner,
                         "approval": a.approval or "", "approved": a.approved, "since": a.since, "until": a.until,
                         "active": a.active(y), "new": y is not None and a.since == y,
                         "basis_zh": a.basis.zh if a.basis else "", "basis_en": a.basis.en if a.basis else "",
                         "covers": ";".join(a.covers or ()), "covered_units": len(a.covered_units or ()),
                         "weight": a.weight_for(rnd), "indicators": len(a.indicators), "submissions": a.submissions,
                         "inspections": ";".join(i.kind for i in a.inspections)})
        return pd.DataFrame(rows).set_index("assessment_id")

    def __repr__(self) -> str:
        return f"Registry(assessments={self.ids}, file={self.file!r})"

    def _repr_html_(self) -> str:
        return html_head("Special-assessment registry", {"file": self.file, "assessments": len(self.ids)}) + \
            html_table(self.to_frame())


def round_year(rnd: str | int | None) -> int | None:
    """The year of a round id (``"2025"``, ``"2025Q2"`` -> 2025), or ``None``.

    >>> round_year("2025Q2"), round_year(2024), round_year(None)
    (2025, 2024, None)
    """
    if rnd is None:
        return None
    s = str(rnd)
    return int(s[:4]) if s[:4].isdigit() else None


# ----------------------------------------------------------------------------- loading
def load_registry(source: str | Path | Mapping[str, Any] | Registry) -> Registry:
    """Read and validate a registry from YAML, a workbook (.xlsx) or a mapping.

    A workbook has a sheet ``assessments`` (one row per assessment: ``id, label_zh,
    label_en, owner, basis_zh, basis_en, approval, approved, since, until, covers,
    covered_units, weight, frequency, grades``; lists separated by ``;``), a sheet
    ``indicators`` (``assessment_id, id, label_zh, label_en, unit, direction, target,
    points, same_as, distinct_from``), optionally ``inspections`` (``assessment_id, kind,
    window_start, window_end``) and ``plan`` (``key, value``: ``cap``).

    Raises
    ------
    RegistryError
        Every structural problem, each with its YAML path (or sheet and row).
    """
    if isinstance(source, Registry):
        return source
    if isinstance(source, Mapping):
        return _validate(dict(source), "<registry>", {})
    path = Path(source)
    if not path.exists():
        raise RegistryError("registry file not found", where=[str(path)],
                            hint="give the special-assessment registry (registry.yaml or .xlsx)")
    if path.suffix.lower() == ".xlsx":
        raw, locations = _from_workbook(path)
        return _validate(raw, str(path), locations)
    return _validate(_read_yaml(path), str(path), {})


def _read_yaml(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    try:
        raw = yaml.load(text, Loader=_SAFE)  # noqa: S506 - a safe loader (C if available): no tags, no code
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = [str(path)] + ([f"line {mark.line + 1}, column {mark.column + 1}"] if mark else [])
        raise RegistryError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", where=where,
                            hint="fix the YAML syntax (indentation, colons, quotes); tags such as !!python are "
                                 "not allowed") from None
    if not isinstance(raw, dict):
        raise RegistryError("the registry must be a YAML mapping with an 'assessments' list", where=[str(path)])
    return raw


def _validate(raw: dict[str, Any], file: str, locations: Mapping[str, str]) -> Registry:
    try:
        model = RegistryModel.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p[:1].isupper()
                                                                         or p in ("int", "str", "float", "dict")))]
            path = yaml_path(raw, loc)
            where = _locate(path, locations)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                allowed = _allowed_keys(loc[:-1])
                msg = f"unknown key {loc[-1]!r}{did_you_mean(str(loc[-1]), allowed)}"
            elif err["type"] == "missing":
                msg = "required key is missing"
            problems.append((where, msg))
        first = problems[0]
        more = "".join(f"\n  {w}: {m}" for w, m in problems[1:])
        raise RegistryError(first[1] + more, where=[file, first[0]],
                            hint="see the registry format in perfkit.analyses.consistency.registry") from None
    return Registry(model=model, file=file, locations=dict(locations))


def _locate(path: str, locations: Mapping[str, str]) -> str:
    """A YAML path, or the sheet and row it came from (workbooks)."""
    probe = path
    while probe:
        if probe in locations:
            return f"{locations[probe]} ({path})"
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return path


def _allowed_keys(loc: list[Any]) -> list[str]:
    model: Any = RegistryModel
    for part in loc:
        if isinstance(part, int):
            continue
        f = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if f is None:
            return []
        model = {"plan": Plan, "assessments": Assessment, "indicators": Indicator,
                 "inspections": Inspection}.get(part)
        if model is None:
            return []
    return list(model.model_fields)


def _split(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "":
        return []
    text = str(v).replace("\uff1b", ";").replace("\uff0c", ";").replace(",", ";")  # full-width ; and , too
    return [p.strip() for p in text.split(";") if p.strip()]


def _num(v: Any) -> Any:
    if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "":
        return None
    try:
        f = float(v)
    except ValueError:
        return v  # validation reports it
    return int(f) if f.is_integer() else f


def _from_workbook(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The registry's workbook as the YAML mapping, with where each entry came from."""
    def sheet(name: str, required: bool) -> pd.DataFrame | None:
        try:
            return read_table(path, sheet=name)
        except PerfkitError:
            if required:
                raise RegistryError(f"no sheet {name!r}", where=[str(path)],
                                    hint="a registry workbook needs the sheets 'assessments' and 'indicators'") from None
            return None

    def records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
        if df is None:
            return []
        return [{k: (None if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "" else v)
                 for k, v in r.items()} for r in df.to_dict("records")]

    a_df, i_df = sheet("assessments", True), sheet("indicators", True)
    w_df, p_df = sheet("inspections", False), sheet("plan", False)
    locations: dict[str, str] = {}
    assessments: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for r in records(a_df):
        k = len(assessments)
        aid = str(r.get("id") or "").strip()
        locations[f"assessments[{k}]({aid})"] = f"sheet assessments: row {r['_row']}"
        entry: dict[str, Any] = {"id": aid, "label": {"zh": r.get("label_zh"), "en": r.get("label_en")},
                                 "owner": r.get("owner"), "indicators": []}
        if r.get("basis_zh") or r.get("basis_en"):
            entry["basis"] = {"zh": r.get("basis_zh"), "en": r.get("basis_en")}
        for key in ("approval", "frequency"):
            if r.get(key):
                entry[key] = _num(r[key]) if key == "frequency" else str(r[key]).strip()
        for key in ("approved", "since", "until", "weight"):
            if _num(r.get(key)) is not None:
                entry[key] = _num(r[key])
        for key in ("covers", "covered_units", "grades"):
            if _split(r.get(key)):
                entry[key] = _split(r[key])
        index[aid] = k
        assessments.append(entry)
    for r in records(i_df):
        aid = str(r.get("assessment_id") or "").strip()
        if aid not in index:
            raise RegistryError(f"indicator row for unknown assessment {aid!r}{did_you_mean(aid, index)}",
                                where=[str(path), f"sheet indicators: row {r['_row']}: column assessment_id"],
                                hint="list the assessment on the sheet 'assessments' first")
        a = assessments[index[aid]]
        j = len(a["indicators"])
        ind: dict[str, Any] = {"id": str(r.get("id") or "").strip()}
        locations[f"assessments[{index[aid]}]({aid}).indicators[{j}]({ind['id']})"] = \
            f"sheet indicators: row {r['_row']}"
        if r.get("label_zh") or r.get("label_en"):
            ind["label"] = {"zh": r.get("label_zh"), "en": r.get("label_en")}
        for key in ("unit", "direction"):
            if r.get(key):
                ind[key] = str(r[key]).strip()
        for key in ("target", "points"):
            if _num(r.get(key)) is not None:
                ind[key] = _num(r[key])
        for key in ("same_as", "distinct_from"):
            if _split(r.get(key)):
                ind[key] = _split(r[key])
        a["indicators"].append(ind)
    for r in records(w_df):
        aid = str(r.get("assessment_id") or "").strip()
        if aid not in index:
            raise RegistryError(f"inspection row for unknown assessment {aid!r}{did_you_mean(aid, index)}",
                                where=[str(path), f"sheet inspections: row {r['_row']}: column assessment_id"])
        a = assessments[index[aid]]
        insp = a.setdefault("inspections", [])
        locations[f"assessments[{index[aid]}]({aid}).inspections[{len(insp)}]"] = f"sheet inspections: row {r['_row']}"
        insp.append({"kind": r.get("kind"), "window": [r.get("window_start"), r.get("window_end")]})
    raw: dict[str, Any] = {"assessments": assessments}
    if p_df is not None:
        plan = {str(r.get("key")).strip(): _num(r.get("value")) for r in records(p_df) if r.get("key")}
        raw["plan"] = plan
    return raw, locations


# ----------------------------------------------------------------------------- checks against a round
def resolved_indicators(registry: Registry, scheme: Any = None) -> pd.DataFrame:
    """Every (assessment, indicator) with its label, direction, target and points, an
    indicator given by id alone filled in from its definition elsewhere in the registry or
    in the scheme (``defined`` False when it is defined nowhere)."""
    defs: dict[str, Indicator] = {}
    for a in registry.model.assessments:
        for ind in a.indicators:
            if ind.label is not None and ind.id not in defs:
                defs[ind.id] = ind
    leaves = dict(scheme.leaves) if scheme is not None else {}
    rows = []
    for i, a in enumerate(registry.model.assessments):
        for j, ind in enumerate(a.indicators):
            base = defs.get(ind.id)
            leaf = leaves.get(ind.id)
            label = ind.label or (base.label if base else None) or (leaf.label if leaf else None)
            direction = ind.direction or (base.direction if base else None) or (leaf.direction if leaf else None)
            target = ind.target if ind.target is not None else (base.target if base else None)
            if target is None and leaf is not None and leaf.rule is not None:
                target = leaf.rule.params.get("target")
            rows.append({"assessment_id": a.id, "indicator_id": ind.id, "position": j,
                         "label_zh": label.zh if label else "", "label_en": label.en if label else "",
                         "unit": ind.unit or (base.unit if base else None) or (leaf.unit if leaf else None),
                         "direction": direction or "higher", "target": target,
                         "points": ind.points if ind.points is not None else (base.points if base else None),
                         "same_as": tuple(ind.same_as), "distinct_from": tuple(ind.distinct_from),
                         "defined": label is not None, "where": registry.path(i, "indicators", j)})
    cols = ["assessment_id", "indicator_id", "position", "label_zh", "label_en", "unit", "direction", "target",
            "points", "same_as", "distinct_from", "defined", "where"]
    return pd.DataFrame(rows, columns=cols)


def covered_units(a: Assessment, units: pd.DataFrame) -> list[str]:
    """The round's units an assessment covers: its ``covered_units``, else the units of its
    ``covers`` categories, else every unit (``units``: index unit_id, column category)."""
    if a.covered_units is not None:
        return [u for u in a.covered_units if u in units.index]
    if a.covers is not None:
        return list(units.index[units["category"].isin(a.covers)])
    return list(units.index)


def check_registry(registry: Registry, units: pd.DataFrame, scheme: Any = None,
                   rnd: str | None = None) -> list[Issue]:
    """Check a registry against a round: owners, covered units and categories, indicators
    defined somewhere, points adding up to 100, weights against the scheme.

    Parameters
    ----------
    registry
        The registry.
    units
        The round's units (index ``unit_id``, column ``category``).
    scheme
        The round's scheme (its leaves define indicators a registry entry may refer to; its
        special-assessment leaves carry the points the registry's ``weight`` should match).
    rnd
        The round (for the weight of the year and the assessments active in it).

    Returns
    -------
    list of Issue
        Errors (an unknown owner, unit, category or indicator) and warnings.
    """
    f = registry.file
    out: list[Issue] = []
    known_units = list(units.index)
    cats = sorted(set(units["category"]))
    if scheme is not None and scheme.category_ids:
        cats = sorted(set(cats) | set(scheme.category_ids))
    owners = set(known_units) | set(registry.model.owners)
    year = round_year(rnd)
    ind = resolved_indicators(registry, scheme)
    all_ids = set(ind["indicator_id"]) | (set(scheme.leaves) if scheme is not None else set())
    for i, a in enumerate(registry.model.assessments):
        if a.owner not in owners:
            out.append(Issue("error", f"unknown owner {a.owner!r}{did_you_mean(a.owner, owners)}", f,
                             registry.path(i, "owner"),
                             "the owner must be a unit id of the round or a key of 'owners:' in the registry"))
        for j, u in enumerate(a.covered_units or ()):
            if u not in units.index:
                out.append(Issue("error", f"unknown unit {u!r}{did_you_mean(u, known_units)}", f,
                                 registry.path(i, "covered_units", j), "use the unit ids of the round's units table"))
        for j, c in enumerate(a.covers or ()):
            if c not in cats:
                out.append(Issue("error", f"unknown category {c!r}{did_you_mean(c, cats)}", f,
                                 registry.path(i, "covers", j), f"categories: {', '.join(cats)}"))
        mine = ind[ind["assessment_id"] == a.id]
        for r in mine.itertuples(index=False):
            if not r.defined:
                out.append(Issue("error", f"unknown indicator {r.indicator_id!r}"
                                 f"{did_you_mean(r.indicator_id, all_ids - {r.indicator_id})}", f, r.where,
                                 "define it here (id, label, direction, target, points) or refer to an indicator "
                                 "defined in another assessment or in the scheme"))
            for other in (*r.same_as, *r.distinct_from):
                if other not in all_ids and not str(other).startswith("ft_"):
                    out.append(Issue("error", f"same_as/distinct_from names unknown indicator {other!r}"
                                     f"{did_you_mean(other, all_ids)}", f, r.where))
        pts = mine["points"].dropna()
        if len(pts) == len(mine) and len(mine) and abs(float(pts.sum()) - 100.0) > 1e-6:
            out.append(Issue("warning", f"indicator points add up to {float(pts.sum()):g}, not 100 (百分制)", f,
                             registry.path(i, "indicators")))
        if a.approval in APPROVED and a.approved is None:
            out.append(Issue("warning", "approved, but the year approved is missing", f, registry.path(i, "approved")))
        if a.approved is not None and a.since is not None and a.since < a.approved:
            out.append(Issue("warning", f"runs since {a.since} but was approved in {a.approved}", f,
                             registry.path(i, "since")))
        if scheme is not None and a.active(year):
            folded = sum(float(n.points if scheme.paradigm == "points" else (n.weight or 1.0))
                         for n in scheme.leaves.values() if n.source == "special" and n.assessment == a.id)
            w = a.weight_for(rnd)
            if w is not None and scheme.paradigm == "points" and abs(folded - float(w)) > 1e-9:
                out.append(Issue("warning", f"weight {w:g} differs from the {folded:g} points the scheme gives it "
                                 "(the scheme's points are used)", f, registry.path(i, "weight")))
    if scheme is not None:
        reg = set(registry.ids)
        for k, sa in enumerate(scheme.model.special):
            folded = any(n.source == "special" and n.assessment == sa.id for n in scheme.leaves.values())
            if folded and sa.id not in reg:
                out.append(Issue("warning", f"the scheme folds in special assessment {sa.id!r}, which is not in the "
                                 "registry (未备案)", scheme.file or "<scheme>", f"special[{k}]({sa.id})",
                                 "register it (approval, owner, indicators) or take it out of the scheme"))
    return out
