"""Checking round data against a scheme: every problem with its file, sheet, row and column.

:func:`validate_round` never stops at the first problem: it returns a
:class:`ValidationReport` listing them all (errors and warnings) together with typed,
clean tables for the engine. :func:`perfkit.evaluate` refuses data with errors.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from perfkit.errors import DataError, did_you_mean
from perfkit.io.round import REQUIRED, RoundData
from perfkit.kernels.rules import RULES
from perfkit.scheme import Scheme

__all__ = ["Problem", "ValidationReport", "validate_round"]


@dataclass(frozen=True)
class Problem:
    """One problem found in the data."""

    severity: str  # "error" | "warning"
    table: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    hint: str = ""

    @property
    def location(self) -> str:
        parts = [self.file or self.table]
        if self.sheet and (self.sheet != self.table or self.file.lower().endswith(".xlsx")):
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ": ".join(parts)

    def __str__(self) -> str:
        text = f"{self.severity}: {self.location}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """All problems found, and the typed tables (``data``) for the engine."""

    problems: tuple[Problem, ...]
    data: RoundData
    #: the scheme (its hash) and the round data object that were checked
    scheme_hash: str = ""
    source: RoundData | None = field(default=None, repr=False, compare=False)

    def checked(self, scheme: Scheme, data: RoundData) -> bool:
        """Whether this report is the validation of exactly ``scheme`` and ``data``."""
        return self.source is data and self.scheme_hash == scheme.hash

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = len(self.errors) - 1
            raise DataError(first.message + (f" (and {more} more problem(s); run 'perfkit validate')" if more else ""),
                            where=[first.location], hint=first.hint)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.__dict__ for p in self.problems],
                            columns=["severity", "table", "message", "file", "sheet", "row", "column", "hint"])

    def __str__(self) -> str:
        if not self.problems:
            return "no problems found"
        return "\n".join(str(p) for p in self.problems)


class _Collector:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, severity: str, table: str, message: str, row: Any = None, column: str = "", hint: str = "") -> None:
        file = sheet = ""
        rownum = None
        if row is not None:
            file, sheet, rownum = str(row.get("_file", "")), str(row.get("_sheet", "")), row.get("_row")
            rownum = int(rownum) if rownum is not None and not pd.isna(rownum) else None
        self.items.append(Problem(severity, table, message, file, sheet, rownum, column, hint))

    def table_level(self, severity: str, table: str, df: pd.DataFrame, message: str, hint: str = "") -> None:
        file = str(df["_file"].iloc[0]) if "_file" in df and len(df) else ""
        self.items.append(Problem(severity, table, message, file, "", None, "", hint))


_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?%?$"


def _numeric(df: pd.DataFrame, col: str, table: str, out: _Collector, *, required: bool = True,
             what: str = "a number", percent_points: pd.Series | None = None) -> pd.Series:
    """Convert a text column to float, reporting each cell that is not a number.

    Accepts thousands separators (``1,234.5``) and a trailing ``%`` (``5.2%`` is 0.052,
    or 5.2 where ``percent_points`` marks the row's indicator as measured in percent).
    A decimal comma (``8,5``) is refused rather than read as 85.
    """
    raw = df[col] if col in df else pd.Series([None] * len(df), index=df.index)
    text = raw.astype("string").str.strip()
    has_comma = text.str.contains(",", regex=False, na=False)
    thousands = text.str.match(_THOUSANDS, na=False)
    for idx in df.index[has_comma & ~thousands]:
        out.add("error", table, f"{raw[idx]!r} has a comma that is not a thousands separator (a decimal comma?)",
                df.loc[idx], col, "write decimals with a point, e.g. 8.5")
    text = text.str.replace(",", "", regex=False).where(~has_comma | thousands, None)
    pct = text.str.endswith("%", na=False)
    text = text.where(~pct, text.str.rstrip("%"))
    num = pd.to_numeric(text, errors="coerce")
    scale = pct if percent_points is None else (pct & ~percent_points.reindex(df.index).fillna(False).astype(bool))
    num = num.where(~scale, num / 100.0)
    bad = num.isna() & raw.notna() & (text.fillna("") != "") & ~(has_comma & ~thousands)
    for idx in df.index[bad]:
        out.add("error", table, f"{raw[idx]!r} is not {what}", df.loc[idx], col,
                "write a plain number (no units or text)")
    if required:
        for idx in df.index[raw.isna() | (raw.astype("string").str.strip().fillna("") == "")]:
            out.add("error", table, "empty cell", df.loc[idx], col, f"fill in {what}")
    return num.astype(float)


def _require(df: pd.DataFrame, name: str, out: _Collector) -> bool:
    missing = [c for c in REQUIRED[name] if c not in df.columns]
    if missing:
        have = [c for c in df.columns if not c.startswith("_")]
        hints = "; ".join(f"{m}{did_you_mean(m, have)}" for m in missing)
        out.table_level("error", name, df, f"missing column(s): {hints}",
                        f"the {name} table needs columns {', '.join(REQUIRED[name])}")
        return False
    return True


def _strip(df: pd.DataFrame, cols) -> pd.DataFrame:
    df = df.copy()
    for c in cols:
        if c in df:
            stripped = df[c].astype("string").str.strip()
            df[c] = stripped.astype(object).where(df[c].notna() & (stripped != ""), None)
    return df


def _duplicates(df: pd.DataFrame, keys: list[str], table: str, out: _Collector) -> pd.Series:
    dup = df.duplicated(keys, keep="first")
    firsts = df.drop_duplicates(keys, keep="first").set_index(keys)[["_row", "_file"]]
    for idx in df.index[dup]:
        key = tuple(df.loc[idx, k] for k in keys)
        try:
            first = firsts.loc[key if len(keys) > 1 else key[0]]
            where = f"row {first['_row']}" if first["_file"] == df.loc[idx, "_file"] else \
                f"{first['_file']} row {first['_row']}"
        except KeyError:
            where = "another row"
        out.add("error", table, f"duplicate row for {', '.join(f'{k}={v}' for k, v in zip(keys, key))} "
                f"(first seen at {where})", df.loc[idx], keys[-1], "delete one of the two rows")
    return dup


def validate_round(scheme: Scheme, data: RoundData) -> ValidationReport:
    """Check ``data`` against ``scheme``; return every problem and the typed tables."""
    out = _Collector()
    units = _validate_units(scheme, data.units, out)
    known_units = list(units.index)
    targets = _validate_targets(scheme, data.targets, known_units, out)
    values = _validate_values(scheme, data.values, known_units, units, targets, out)
    adjustments = _validate_adjustments(scheme, data.adjustments, known_units, out)
    survey = _validate_survey(scheme, data.survey, known_units, out)
    special = _validate_special(scheme, data.special_results, known_units, out)
    _coverage(scheme, units, survey, special, out)
    clean = data.replace(units=units, values=values, adjustments=adjustments, survey=survey,
                         special_results=special, targets=targets)
    return ValidationReport(tuple(out.items), clean, scheme_hash=scheme.hash, source=data)


def _coverage(scheme: Scheme, units: pd.DataFrame, survey: pd.DataFrame, special: pd.DataFrame,
              out: _Collector) -> None:
    """Warn about units that a survey or special-assessment leaf covers but that have no
    result (they would silently score nothing)."""
    missing_hint = "it counts as missing (0 points in a points scheme)"
    spec = scheme.model.survey
    for iid, node in scheme.leaves.items():
        if node.source == "special":
            have = set(special.loc[special["assessment_id"] == node.assessment, "unit_id"]) if len(special) else set()
            for uid in units.index:
                if scheme.applies(iid, units.loc[uid, "category"]) and uid not in have:
                    out.items.append(Problem("warning", "special_results",
                                             f"no result of special assessment {node.assessment!r} for unit {uid!r}",
                                             hint=missing_hint))
        elif node.source == "survey" and spec is not None and len(survey):
            counts = survey.groupby(["unit_id", "respondent_group"]).size()
            for uid in units.index:
                if not scheme.applies(iid, units.loc[uid, "category"]):
                    continue
                n = counts.get(uid)
                if n is None or not (n >= spec.min_responses).any():
                    out.items.append(Problem("warning", "survey",
                                             f"unit {uid!r} has no respondent group with at least "
                                             f"{spec.min_responses} responses", hint=missing_hint))


def _unit_check(df: pd.DataFrame, table: str, known: list[str], out: _Collector) -> pd.Series:
    ok = df["unit_id"].isin(known)
    known_set = set(known)
    for idx in df.index[~ok]:
        uid = df.loc[idx, "unit_id"]
        if uid is None or (isinstance(uid, float) and np.isnan(uid)):
            out.add("error", table, "empty unit_id", df.loc[idx], "unit_id", "fill in the unit's id")
        elif uid not in known_set:
            out.add("error", table, f"unknown unit {uid!r}{did_you_mean(uid, known)}", df.loc[idx], "unit_id",
                    "use an id from the units table")
    return ok


def _validate_units(scheme: Scheme, df: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    if not _require(df, "units", out):
        if "unit_id" not in df.columns:
            return pd.DataFrame(columns=["name_zh", "name_en", "category"]).rename_axis("unit_id")
        df = df.copy()
        for col in REQUIRED["units"]:
            if col not in df.columns:
                df[col] = "" if col != "category" else None
        df = _strip(df, ["unit_id", "name_zh", "name_en", "parent"])
        df = df[df["unit_id"].notna()]
        return df[~df["unit_id"].duplicated()].set_index("unit_id")
    df = _strip(df, ["unit_id", "name_zh", "name_en", "category", "parent"])
    for idx in df.index[df["unit_id"].isna()]:
        out.add("error", "units", "empty unit_id", df.loc[idx], "unit_id")
    df = df[df["unit_id"].notna()]
    dup = _duplicates(df, ["unit_id"], "units", out)
    df = df[~dup]
    cats = scheme.category_ids
    for idx in df.index:
        cat = df.loc[idx, "category"]
        if cat is None:
            out.add("error", "units", f"unit {df.loc[idx, 'unit_id']!r} has no category", df.loc[idx], "category",
                    f"give one of: {', '.join(cats)}" if cats else "give the unit's category")
        elif cats and cat not in cats:
            out.add("error", "units", f"unknown category {cat!r}{did_you_mean(cat, cats)}", df.loc[idx],
                    "category", f"categories in the scheme: {', '.join(cats)}")
    for col in scheme.model.denominators:
        if col in df.columns:
            df[col] = _numeric(df, col, "units", out, required=False, what="a number (denominator)")
    return df.set_index("unit_id")


def _leaf_for_values(scheme: Scheme) -> dict[str, Any]:
    return {k: n for k, n in scheme.leaves.items() if n.source == "values"}


def _validate_targets(scheme: Scheme, df: pd.DataFrame, known: list[str], out: _Collector) -> pd.DataFrame:
    cols = ["unit_id", "indicator_id", "label_zh", "label_en", "target", "points", "rule", "cap", "direction", "node"]
    if df.empty:
        if scheme.target_nodes:
            out.items.append(Problem("warning", "targets", "the scheme has functional targets but the round has "
                                     "no targets table; every unit scores zero there"))
        return pd.DataFrame(columns=cols + ["_file", "_sheet", "_row"])
    if not _require(df, "targets", out):
        return pd.DataFrame(columns=cols + ["_file", "_sheet", "_row"])
    df = _strip(df, ["unit_id", "indicator_id", "label_zh", "label_en", "rule", "direction", "node"])
    df = df[_unit_check(df, "targets", known, out)]
    df = df[~_duplicates(df, ["unit_id", "indicator_id"], "targets", out)].copy()
    df["target"] = _numeric(df, "target", "targets", out, required=False)
    df["points"] = _numeric(df, "points", "targets", out)
    for idx in df.index[df["points"] < 0]:
        out.add("error", "targets", "points must not be negative", df.loc[idx], "points")
    df["cap"] = _numeric(df, "cap", "targets", out, required=False)
    for col in ("label_zh", "label_en", "rule", "direction", "node"):
        if col not in df:
            df[col] = None
    tnodes = list(scheme.target_nodes)

    for idx in df.index:
        node = df.loc[idx, "node"]
        if node is None and len(tnodes) == 1:
            df.loc[idx, "node"] = tnodes[0]
        elif node not in tnodes:
            out.add("error", "targets", f"unknown targets node {node!r}{did_you_mean(str(node), tnodes)}",
                    df.loc[idx], "node", f"targets nodes in the scheme: {', '.join(tnodes) or '(none)'}")
        rule = df.loc[idx, "rule"]
        if rule is not None and rule not in RULES:
            out.add("error", "targets", f"unknown scoring rule {rule!r}{did_you_mean(rule, RULES.names())}",
                    df.loc[idx], "rule")
        d = df.loc[idx, "direction"]
        if d is not None and d not in ("higher", "lower"):
            out.add("error", "targets", f"direction must be 'higher' or 'lower', got {d!r}", df.loc[idx], "direction")
    clash = set(df["indicator_id"]) & set(scheme.nodes)
    for iid in sorted(clash):
        idx = df.index[df["indicator_id"] == iid][0]
        out.add("error", "targets", f"target id {iid!r} is also a node of the scheme", df.loc[idx], "indicator_id",
                "give functional targets their own ids")
    return df


def _validate_values(scheme: Scheme, df: pd.DataFrame, known: list[str], units: pd.DataFrame,
                     targets: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    base_cols = ["unit_id", "indicator_id", "value", "text", "target"]
    if df.empty and _leaf_for_values(scheme):
        file = str(df.attrs.get("file", "")) or "values"
        out.items.append(Problem("error", "values", "the values table has no rows, but the scheme has indicators "
                                 "that need values", file, hint="fill in the values table (unit_id, indicator_id, value)"))
    if df.empty:
        return pd.DataFrame(columns=base_cols + ["_file", "_sheet", "_row"])
    if not _require(df, "values", out):
        return pd.DataFrame(columns=base_cols + ["_file", "_sheet", "_row"])
    df = _strip(df, ["unit_id", "indicator_id", "value"])
    leaves = _leaf_for_values(scheme)
    target_ids = set(zip(targets["unit_id"], targets["indicator_id"])) if len(targets) else set()
    target_ind = {i for _, i in target_ids}
    allowed = list(leaves) + sorted(target_ind) + list(scheme.model.denominators)
    allowed_set = set(allowed)
    df = df[_unit_check(df, "values", known, out)]
    ok = df["indicator_id"].isin(allowed_set)
    for idx in df.index[~ok]:
        iid = df.loc[idx, "indicator_id"]
        out.add("error", "values", f"unknown indicator {iid!r}{did_you_mean(str(iid), allowed)}", df.loc[idx],
                "indicator_id", "use an indicator id of the scheme or of the targets table")
    df = df[ok]
    if target_ids:
        is_t = df["indicator_id"].isin(target_ind) & ~df["indicator_id"].isin(leaves)
        pair_ok = [(u, i) in target_ids for u, i in zip(df["unit_id"], df["indicator_id"])]
        for idx in df.index[is_t & ~np.array(pair_ok, dtype=bool)]:
            out.add("error", "values", f"unit {df.loc[idx, 'unit_id']!r} has no functional target "
                    f"{df.loc[idx, 'indicator_id']!r}", df.loc[idx], "indicator_id",
                    "add the target to the targets table or fix the ids")
        df = df[~is_t | np.array(pair_ok, dtype=bool)]
    df = df[~_duplicates(df, ["unit_id", "indicator_id"], "values", out)].copy()
    qual = {k for k, n in leaves.items() if n.kind == "qualitative" and n.rule is not None
            and n.rule.method == "grade_map"}
    is_qual = df["indicator_id"].isin(qual)
    df["text"] = df["value"].where(is_qual, None)
    for idx in df.index[df["value"].isna()]:
        out.add("warning", "values", "empty value", df.loc[idx], "value",
                "fill it in, or delete the row; an empty value counts as missing (0 points in a points scheme)")
    quant = df[~is_qual]
    in_percent = quant["indicator_id"].map(lambda i: (leaves[i].unit or "").strip() == "%" if i in leaves else False)
    num = _numeric(quant, "value", "values", out, required=False, percent_points=in_percent)
    df["value"] = np.nan
    df.loc[quant.index, "value"] = num
    # qualitative grades must be in the mapping
    for idx in df.index[is_qual]:
        iid = df.loc[idx, "indicator_id"]
        mapping = leaves[iid].rule.params.get("mapping", {})
        g = df.loc[idx, "text"]
        if g is not None and str(g) not in mapping:
            out.add("error", "values", f"grade {g!r} is not one of {', '.join(map(str, mapping))}", df.loc[idx], "value")
    # declared ranges
    for iid, node in leaves.items():
        if node.range is None:
            continue
        lo, hi = node.range
        sel = df.index[(df["indicator_id"] == iid) & ((df["value"] < lo) | (df["value"] > hi))]
        for idx in sel:
            out.add("error", "values", f"value {df.loc[idx, 'value']:g} is outside the declared range [{lo:g}, {hi:g}] "
                    f"of {iid!r}", df.loc[idx], "value",
                    "check the unit of measure (percent vs ratio) and the figure itself")
    # units applicable but without a value
    df["target"] = _numeric(df, "target", "values", out, required=False) if "target" in df else np.nan
    have = set(zip(df["unit_id"], df["indicator_id"]))
    for iid, node in leaves.items():
        for uid in units.index:
            if scheme.applies(iid, units.loc[uid, "category"]) and (uid, iid) not in have:
                out.items.append(Problem("warning", "values", f"no value for unit {uid!r}, indicator {iid!r}",
                                         hint="it counts as missing (0 points in a points scheme)"))
    return df


def _validate_adjustments(scheme: Scheme, df: pd.DataFrame, known: list[str], out: _Collector) -> pd.DataFrame:
    cols = ["unit_id", "kind", "item", "points", "reason"]
    if df.empty:
        return pd.DataFrame(columns=cols + ["_file", "_sheet", "_row"])
    if not _require(df, "adjustments", out):
        return pd.DataFrame(columns=cols + ["_file", "_sheet", "_row"])
    df = _strip(df, ["unit_id", "kind", "item", "reason"])
    df = df[_unit_check(df, "adjustments", known, out)].copy()
    kinds = ["bonus", "penalty", "veto"]
    bad = ~df["kind"].isin(kinds)
    for idx in df.index[bad]:
        k = df.loc[idx, "kind"]
        out.add("error", "adjustments", f"kind must be bonus, penalty or veto, got {k!r}{did_you_mean(str(k), kinds)}",
                df.loc[idx], "kind")
    df = df[~bad].copy()
    is_veto = df["kind"] == "veto"
    pts = _numeric(df[~is_veto], "points", "adjustments", out)
    df["points"] = 0.0
    df.loc[pts.index, "points"] = pts
    for idx in df.index[df["points"] < 0]:
        out.add("error", "adjustments", "points must be positive (penalties are subtracted by the engine)",
                df.loc[idx], "points", "write the size of the bonus or penalty, without a minus sign")
    vetoes = list(scheme.model.adjustments.veto)
    for idx in df.index[is_veto & ~df["item"].isin(vetoes)]:
        it = df.loc[idx, "item"]
        out.add("error", "adjustments", f"unknown veto item {it!r}{did_you_mean(str(it), vetoes)}", df.loc[idx], "item",
                f"veto items in the scheme: {', '.join(vetoes) or '(none)'}")
    if "reason" not in df:
        df["reason"] = ""
    return df


def _validate_survey(scheme: Scheme, df: pd.DataFrame, known: list[str], out: _Collector) -> pd.DataFrame:
    spec = scheme.model.survey
    if df.empty or spec is None:
        if spec is not None and any(n.source == "survey" for n in scheme.leaves.values()):
            out.items.append(Problem("warning", "survey", "the scheme has a survey component but the round has no survey"))
        return df
    if not _require(df, "survey", out):
        return df.iloc[0:0]
    df = _strip(df, ["unit_id", "respondent_group"])
    missing = [i for i in spec.items if i not in df.columns]
    if missing:
        have = [c for c in df.columns if not c.startswith("_")]
        out.table_level("error", "survey", df, "missing item column(s): " + "; ".join(
            f"{m}{did_you_mean(m, have)}" for m in missing), "the survey needs one column per item of scheme survey.items")
        return df.iloc[0:0]
    df = df[_unit_check(df, "survey", known, out)].copy()
    groups = list(spec.groups)
    for idx in df.index[~df["respondent_group"].isin(groups)]:
        g = df.loc[idx, "respondent_group"]
        out.add("error", "survey", f"unknown respondent group {g!r}{did_you_mean(str(g), groups)}", df.loc[idx],
                "respondent_group")
    df = df[df["respondent_group"].isin(groups)].copy()
    lo, hi = spec.scale
    for item in spec.items:
        df[item] = _numeric(df, item, "survey", out, required=False, what=f"a score from {lo:g} to {hi:g}")
        for idx in df.index[(df[item] < lo) | (df[item] > hi)]:
            out.add("error", "survey", f"score {df.loc[idx, item]:g} outside the scale [{lo:g}, {hi:g}]",
                    df.loc[idx], item)
    df["weight"] = _numeric(df, "weight", "survey", out, required=False) if "weight" in df else 1.0
    df["weight"] = df["weight"].fillna(1.0)
    for idx in df.index[df["weight"] < 0]:
        out.add("error", "survey", "respondent weight must not be negative", df.loc[idx], "weight")
    return df


def _validate_special(scheme: Scheme, df: pd.DataFrame, known: list[str], out: _Collector) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=["assessment_id", "unit_id", "score", "_file", "_sheet", "_row"])
    if not _require(df, "special_results", out):
        return df.iloc[0:0]
    df = _strip(df, ["assessment_id", "unit_id"])
    df = df[_unit_check(df, "special_results", known, out)].copy()
    ids = [s.id for s in scheme.model.special]
    for idx in df.index[~df["assessment_id"].isin(ids)]:
        a = df.loc[idx, "assessment_id"]
        out.add("error", "special_results", f"unknown special assessment {a!r}{did_you_mean(str(a), ids)}",
                df.loc[idx], "assessment_id")
    df = df[df["assessment_id"].isin(ids)]
    df = df[~_duplicates(df, ["assessment_id", "unit_id"], "special_results", out)].copy()
    df["score"] = _numeric(df, "score", "special_results", out, what="a score from 0 to 100")
    for idx in df.index[(df["score"] < 0) | (df["score"] > 100)]:
        out.add("error", "special_results", f"score {df.loc[idx, 'score']:g} is outside 0-100", df.loc[idx], "score")
    return df
