"""Checking round data against a scheme: every problem with its file, sheet, row and column.

:func:`validate_round` never stops at the first problem: it returns a
:class:`ValidationReport` listing them all (errors and warnings) together with typed,
clean tables for the engine. :func:`perfkit.evaluate` refuses data with errors, and warns
(:class:`~perfkit.errors.DataWarning`) about the warnings that change a unit's score.

Every check works on whole columns at once (ids are checked once per distinct id, numbers
parsed column by column) and builds a message only for the rows that fail, so a round of
a million value rows is checked in well under a second. Whatever :func:`perfkit.evaluate`
would reject on these data (a target a rule cannot take, a value no kernel accepts) is
reported here, at its row.
"""
from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perfkit.engine.columns import (
    MISSING_HINT,
    NA_TOKENS,
    Collector,
    Ids,
    Problem,
    check_known,
    codes_of,
    duplicates,
    id_texts,
    keep_rows,
    member,
    near,
    numeric,
    numeric_cells,
    per_distinct,
    prepare,
    require,
    trial,
    unit_check,
)
from perfkit.errors import DataError, DataWarning, did_you_mean
from perfkit.i18n import has, t
from perfkit.io.round import OPTIONAL, REQUIRED, TABLES, RoundData
from perfkit.kernels.normalise import NORMALISE
from perfkit.kernels.rules import RULES
from perfkit.scheme import Scheme
from perfkit.stages.score import DIRECTION, rule_parameters, scoring_method
from perfkit.stages.targets import default_target_rule, row_rule

__all__ = ["Problem", "ValidationReport", "validate_round", "NA_TOKENS"]

#: an implausible value lies this many interquartile ranges (or mean deviations) from the median
IMPLAUSIBLE_SPREADS = 1000.0


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
    def costs_points(self) -> tuple[Problem, ...]:
        """The warnings that change some unit's score (see :attr:`Problem.costs_points`)."""
        return tuple(p for p in self.problems if p.severity == "warning" and p.costs_points)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, lang: str = "en", *, examples: int = 3) -> list[str]:
        """Lines summarising the warnings that cost points, one per kind with its count and
        the first few places; ``[]`` when there are none.

        >>> ValidationReport((), RoundData(units=pd.DataFrame({"unit_id": ["a"]}))).summary()
        []
        """
        costly = self.costs_points
        if not costly:
            return []
        by_code: dict[str, list[Problem]] = {}
        for p in costly:
            by_code.setdefault(p.code or p.message, []).append(p)
        lines = [t("inputs.costs_points.head", lang, n=len(costly))]
        for code, items in by_code.items():
            label = t(f"inputs.problem.{code}", lang) if _has_label(code) else items[0].message
            where = "; ".join(p.location if p.row is not None or p.column else p.message
                              for p in items[:examples])
            more = t("inputs.costs_points.more", lang, n=len(items) - examples) if len(items) > examples else ""
            lines.append(t("inputs.costs_points.line", lang, label=label, n=len(items), where=where) + more)
        lines.append(t("inputs.costs_points.tail", lang))
        return lines

    def raise_for_errors(self) -> None:
        """Raise :class:`DataError` naming the first error and the count; with no errors,
        issue one :class:`DataWarning` summarising the warnings that cost points."""
        if self.errors:
            first = self.errors[0]
            more = len(self.errors) - 1
            raise DataError(first.message + (f" (and {more} more problem(s); run 'perfkit validate')" if more else ""),
                            where=[first.location], hint=first.hint)
        lines = self.summary()
        if lines:
            warnings.warn("\n".join(lines), DataWarning, stacklevel=3)

    def to_frame(self) -> pd.DataFrame:
        cols = ["severity", "table", "message", "file", "sheet", "row", "column", "hint", "code", "costs_points"]
        return pd.DataFrame([p.__dict__ for p in self.problems], columns=cols)

    def __str__(self) -> str:
        if not self.problems:
            return "no problems found"
        return "\n".join(str(p) for p in self.problems)


def _has_label(code: str) -> bool:
    return has(f"inputs.problem.{code}")


def _in_percent(node: Any) -> bool:
    return (node.unit or "").strip() in ("%", "％")


# ---------------------------------------------------------------------------- the entry point
def validate_round(scheme: Scheme, data: RoundData) -> ValidationReport:
    """Check ``data`` against ``scheme``; return every problem and the typed tables."""
    out = Collector()
    _headers(scheme, data, out)
    _cells(data, out)
    _rounds(data, out)
    units = _validate_units(scheme, data.units, out)
    known_units = list(units.index)
    app = _Applicability(scheme, units)
    targets = _validate_targets(scheme, data.targets, known_units, out)
    values = _validate_values(scheme, data.values, known_units, app, targets, out)
    _check_targets(scheme, targets, values, app, out)
    adjustments = _validate_adjustments(scheme, data.adjustments, known_units, out)
    survey = _validate_survey(scheme, data.survey, known_units, out)
    special = _validate_special(scheme, data.special_results, known_units, out)
    _coverage(scheme, app, survey, special, out)
    clean = data.replace(units=units, values=values, adjustments=adjustments, survey=survey,
                         special_results=special, targets=targets)
    return ValidationReport(tuple(out.items), clean, scheme_hash=scheme.hash, source=data)


class _Applicability:
    """Which nodes apply to which units: decided once per (node, category)."""

    def __init__(self, scheme: Scheme, units: pd.DataFrame) -> None:
        self.scheme = scheme
        self.ids = np.asarray(units.index, dtype=object)
        cats = units["category"].to_numpy(dtype=object) if "category" in units else np.full(len(units), None)
        self.cat_codes, self.cats = codes_of(cats)
        self._cache: dict[str, np.ndarray] = {}

    def points(self, node_id: str) -> np.ndarray:
        """``(n_units,)`` the points ``node_id`` is worth to each unit (points scheme): a
        parent's points shared among the children that apply to the unit, in proportion
        to their points, as the engine shares them."""
        if not hasattr(self, "_points"):
            root = self.scheme.root
            eff = {root.id: np.full(len(self.ids), float(root.points or 100.0))}
            for _, node in root.walk():
                if not node.children:
                    continue
                w = np.array([c.points or 0.0 for c in node.children], dtype=float)
                applies = np.column_stack([self(c.id) for c in node.children]).astype(float)
                denom = applies @ w
                for j, c in enumerate(node.children):
                    with np.errstate(invalid="ignore", divide="ignore"):
                        eff[c.id] = np.where(denom > 0, eff[node.id] * w[j] * applies[:, j] / denom, 0.0)
            self._points = eff
        return self._points[node_id]

    def __call__(self, node_id: str) -> np.ndarray:
        """``(n_units,)`` whether ``node_id`` applies to each unit."""
        if node_id not in self._cache:
            per = np.array([self.scheme.applies(node_id, c) for c in self.cats] + [False], dtype=bool)
            self._cache[node_id] = per[self.cat_codes]
        return self._cache[node_id]


# ---------------------------------------------------------------------------- files, headers, rounds
def _known_columns(scheme: Scheme, table: str) -> list[str]:
    cols = [*REQUIRED[table], *OPTIONAL[table]]
    if table == "survey" and scheme.model.survey is not None:
        cols += list(scheme.model.survey.items)
    if table == "units":
        cols += list(scheme.model.denominators)
        if scheme.model.treatment.impute is not None and scheme.model.treatment.impute.params.get("by"):
            cols.append(str(scheme.model.treatment.impute.params["by"]))
    return cols


def _headers(scheme: Scheme, data: RoundData, out: Collector) -> None:
    """A header that is not a column of its table but close to one the file lacks (``valeu``
    for ``value``) is an error: the column's cells would silently be empty."""
    for table, file, sheet, header in data.header_list():
        known = _known_columns(scheme, table)
        present = set(header)
        absent = [c for c in known if c not in present]
        whole = data.table(table)
        for col in header:
            if col.startswith("_") or col in known or not col:
                continue
            target = near(col, absent)
            if target is None:
                continue
            guess = f" (did you mean {target!r}?)"
            needed = (*REQUIRED[table], *(scheme.model.survey.items if table == "survey" and scheme.model.survey
                                          else ()))
            if target in needed and target not in whole.columns:
                continue  # the table lacks it altogether: reported once as a missing column
            out.items.append(Problem(
                "error", table, f"column {col!r} is not a column of the {table} table{guess}", file, sheet, 1, col,
                f"rename the header; without it this file's rows have no {target!r}", code="misspelt_header"))


def _cells(data: RoundData, out: Collector) -> None:
    """Cells the reader could not take at face value (an XLSX formula without a result)."""
    for note in data.cell_notes:
        out.items.append(Problem("error", note.table, note.message, note.file, note.sheet, note.row, note.column,
                                 note.hint, code=note.code))


def _rounds(data: RoundData, out: Collector) -> None:
    """Rows whose ``round`` column disagrees with the round being checked (the one asked
    for, else the folder's name when it is a round, else the round most rows give)."""
    frames = [(name, data.table(name)) for name in TABLES if "round" in data.table(name).columns]
    frames = [(name, df) for name, df in frames if len(df)]
    if not frames:
        return
    texts = {name: id_texts(df["round"]) for name, df in frames}
    counts = Counter(r for arr in texts.values() for r in arr if r is not None)
    if not counts:
        return
    expected, why = None, ""
    if data.round is not None:
        expected, why = str(data.round), "the round asked for"
    else:
        stem = Path(data.source).stem if data.source and data.source != "<memory>" else ""
        if stem.isdigit() and len(counts) >= 1 and (stem in counts or len(stem) == 4):
            expected, why = stem, f"the round of the folder {Path(data.source).name!r}"
        else:
            expected, why = counts.most_common(1)[0][0], "the round of most rows"
    for name, df in frames:
        arr = texts[name]
        bad = np.array([r is not None and r != expected for r in arr], dtype=bool)
        out.rows("error", name, df, bad, [f"this row belongs to round {r}, but the data are round {expected} ({why})"
                                      for r in arr[bad]], "round",
                 "move the row to its own round's data or delete it; to take one round from a file of several, "
                 "give --round", code="other_round")


# ---------------------------------------------------------------------------- units
def _validate_units(scheme: Scheme, df: pd.DataFrame, out: Collector) -> pd.DataFrame:
    cats = scheme.category_ids
    if not require(df, "units", out):
        if "unit_id" not in df.columns:
            return pd.DataFrame(columns=["name_zh", "name_en", "category"]).rename_axis("unit_id")
        df = prepare(df, ["unit_id", "name_zh", "name_en", "parent"])
        for col in REQUIRED["units"]:
            if col not in df.columns:
                df[col] = "" if col != "category" else None
        df = keep_rows(df, df["unit_id"].notna().to_numpy())
        return df[~df["unit_id"].duplicated()].set_index("unit_id")
    df = prepare(df, ["unit_id", "name_zh", "name_en", "category", "parent"])
    uid = df["unit_id"].to_numpy(dtype=object)
    empty = pd.isna(uid).astype(bool)
    out.rows("error", "units", df, empty, "empty unit_id", "unit_id", code="empty_id")
    df = keep_rows(df, ~empty)
    df = keep_rows(df, ~duplicates(df, ["unit_id"], "units", out))
    cat = df["category"].to_numpy(dtype=object)
    none = pd.isna(cat).astype(bool)
    uid = df["unit_id"].to_numpy(dtype=object)
    out.rows("error", "units", df, none, [f"unit {u!r} has no category" for u in uid[none]], "category",
             f"give one of: {', '.join(cats)}" if cats else "give the unit's category", code="no_category")
    if cats:
        unknown = ~none & ~member(cat, cats)
        out.rows("error", "units", df, unknown,
                 per_distinct(cat[unknown], lambda c: f"unknown category {c!r}{did_you_mean(c, cats)}"), "category",
                 f"categories in the scheme: {', '.join(cats)}", code="unknown_category")
    for col in scheme.model.denominators:
        if col in df.columns:
            df[col] = numeric(df, col, "units", out, required=False, what="a number (denominator)")
    return df.set_index("unit_id")


# ---------------------------------------------------------------------------- targets
_TARGET_COLS = ["unit_id", "indicator_id", "label_zh", "label_en", "target", "points", "rule", "cap", "direction",
                "node"]


def _validate_targets(scheme: Scheme, df: pd.DataFrame, known: list[str], out: Collector) -> pd.DataFrame:
    empty_frame = pd.DataFrame(columns=_TARGET_COLS + ["_file", "_sheet", "_row"])
    if df.empty:
        if scheme.target_nodes:
            out.note("warning", "targets", "the scheme has functional targets but the round has no targets table; "
                     "every unit scores zero there" + _rounds_held(df), code="no_targets", costs=True)
        return empty_frame
    if not require(df, "targets", out):
        return empty_frame
    df = prepare(df, ["unit_id", "indicator_id", "label_zh", "label_en", "rule", "direction", "node"])
    df = keep_rows(df, unit_check(df, "targets", known, out))
    df = keep_rows(df, ~duplicates(df, ["unit_id", "indicator_id"], "targets", out))
    df["target"] = numeric(df, "target", "targets", out, required=False)
    df["points"] = numeric(df, "points", "targets", out)
    out.rows("error", "targets", df, (df["points"] < 0).to_numpy(), "points must not be negative", "points",
             code="negative")
    df["cap"] = numeric(df, "cap", "targets", out, required=False)
    for col in ("label_zh", "label_en", "rule", "direction", "node"):
        if col not in df:
            df[col] = None
    tnodes = list(scheme.target_nodes)
    node = df["node"].to_numpy(dtype=object)
    if len(tnodes) == 1:
        node = np.where(pd.isna(node), tnodes[0], node)
        df["node"] = node
    bad = ~member(node, tnodes)
    out.rows("error", "targets", df, bad,
             per_distinct(node[bad], lambda n: f"unknown targets node {n!r}{did_you_mean(str(n), tnodes)}"), "node",
             f"targets nodes in the scheme: {', '.join(tnodes) or '(none)'}", code="unknown_node")
    rule = df["rule"].to_numpy(dtype=object)
    bad = np.array([r is not None for r in rule], dtype=bool) & ~member(rule, RULES.names())
    out.rows("error", "targets", df, bad,
             per_distinct(rule[bad], lambda r: f"unknown scoring rule {r!r}{did_you_mean(r, RULES.names())}"), "rule",
             code="unknown_rule")
    d = df["direction"].to_numpy(dtype=object)
    bad = np.array([x is not None for x in d], dtype=bool) & ~member(d, ("higher", "lower"))
    out.rows("error", "targets", df, bad, [f"direction must be 'higher' or 'lower', got {x!r}" for x in d[bad]],
             "direction", code="bad_direction")
    iid = df["indicator_id"].to_numpy(dtype=object)
    clash = member(iid, scheme.nodes)
    first = clash & ~pd.Series(iid).duplicated().to_numpy()
    out.rows("error", "targets", df, first, [f"target id {i!r} is also a node of the scheme" for i in iid[first]],
             "indicator_id", "give functional targets their own ids", code="target_is_node")
    return df


def _check_targets(scheme: Scheme, targets: pd.DataFrame, values: pd.DataFrame, app: _Applicability,
                   out: Collector) -> None:
    """What scoring the functional targets would reject (a target a rule cannot take),
    and units whose targets' points are rescaled to the node's points."""
    if not len(targets):
        return
    vmap = pd.Series(values["value"].to_numpy(dtype=float),
                     index=pd.MultiIndex.from_arrays([values["unit_id"], values["indicator_id"]])) \
        if len(values) else pd.Series(dtype=float)
    for nid, node in scheme.target_nodes.items():
        sel = (targets["node"] == nid).to_numpy()
        rows = keep_rows(targets, sel)
        if not len(rows):
            continue
        default = default_target_rule(node)
        key = pd.MultiIndex.from_arrays([rows["unit_id"], rows["indicator_id"]])
        x = vmap.reindex(key).to_numpy(dtype=float) if len(vmap) else np.full(len(rows), np.nan)
        method = np.array([r if isinstance(r, str) and r in RULES else default.method for r in rows["rule"]],
                          dtype=object)
        direction = np.array([DIRECTION.get(d or "higher", 1) for d in rows["direction"]], dtype=int)
        cap = rows["cap"].to_numpy(dtype=float)
        tgt = rows["target"].to_numpy(dtype=float)
        for (m, dr), idx in pd.Series(np.arange(len(rows))).groupby([method, direction]).groups.items():
            idx = np.asarray(idx)
            kw = dict(default.params) if m == default.method else {}
            names = rule_parameters(m)
            arrays: dict[str, np.ndarray] = {"x": x[idx]}
            own = ~np.isnan(cap[idx])
            if "cap" in names and own.any():
                arrays["cap"] = np.where(own, cap[idx], float(kw.pop("cap", 1.0)))
            if "target" in names and "target" not in kw:
                t_ = tgt[idx]
                missing = np.isnan(t_)
                out.rows("error", "targets", rows, np.isin(np.arange(len(rows)), idx[missing]),
                         f"no target: rule {m!r} scores against one", "target", "fill in the target",
                         code="no_target")
                arrays = {k: v[~missing] for k, v in arrays.items()}
                arrays["target"] = t_[~missing]
                idx = idx[~missing]
            if "direction" in names and "direction" not in kw:
                kw["direction"] = int(dr)
            for pos, msg in trial(row_rule(m, int(dr)), arrays, kw):
                if pos < 0:
                    out.note("error", "targets", f"rule {m!r} of {nid!r} rejects the targets: {msg}",
                             code="rule_rejects")
                    continue
                col = "target" if "target" in msg else ("cap" if "cap" in msg else "value")
                out.rows("error", "targets", rows, np.arange(len(rows)) == idx[pos], msg, col,
                         "fix the figure: evaluate cannot score this target", code="rule_rejects")
        if scheme.paradigm != "points":
            continue
        pts = rows.groupby("unit_id", sort=False)["points"].sum()
        worth = dict(zip(app.ids, app.points(nid)))
        want = np.array([worth.get(u, np.nan) for u in pts.index], dtype=float)
        total = pts.to_numpy(dtype=float)
        match = np.isclose(total, want, rtol=1e-6, atol=1e-9)
        # where no unit's targets add up to what the node is worth to it, the scheme uses
        # the targets' points as relative weights throughout (e.g. a tracking round scoring
        # the annual targets out of 100): the rescaling is the design, not a slip
        usual = {round(w, 6) for w, m in zip(want, match) if m}
        off = ~match & (total > 0) & (want > 0) & np.isin(np.round(want, 6), list(usual))
        firsts = rows.drop_duplicates("unit_id").set_index("unit_id")
        for uid, got, w in zip(pts.index[off], total[off], want[off]):
            out.add("warning", "targets", f"the functional targets of unit {uid!r} in {nid!r} have {got:g} points "
                    f"in all, not the {w:g} the node is worth to it: each target's points are scaled by "
                    f"{w:g}/{got:g}", firsts.loc[uid], "points",
                    f"make the unit's targets add up to {w:g} points, or accept the scaling",
                    code="targets_rescaled", costs=True)


def _rounds_held(df: pd.DataFrame) -> str:
    held = df.attrs.get("rounds_held") if hasattr(df, "attrs") else None
    return f" (its rows are of round(s) {', '.join(held)})" if held else ""


# ---------------------------------------------------------------------------- values
@dataclass(frozen=True, eq=False)
class _Rows:
    """The values table as the checks see it: row positions by indicator (``groups``) and
    each row's unit as a position in the units table (``unit``, -1: none)."""

    df: pd.DataFrame
    iid: Ids
    unit: np.ndarray
    groups: dict[str, np.ndarray]

    @classmethod
    def of(cls, df: pd.DataFrame, uid: Ids, iid: Ids, unit_ids: np.ndarray) -> _Rows:
        pos = {u: i for i, u in enumerate(unit_ids)}
        unit = np.append(np.array([pos.get(u, -1) for u in uid.names], dtype=np.int64), -1)[uid.codes]
        order = np.argsort(iid.codes, kind="stable")
        bounds = np.searchsorted(iid.codes[order], np.arange(len(iid.names) + 1))
        groups = {name: order[bounds[k]:bounds[k + 1]] for k, name in enumerate(iid.names)}
        return cls(df, iid, unit, groups)

    def at(self, name: str) -> np.ndarray:
        return self.groups.get(name, np.zeros(0, dtype=np.int64))

    def mask(self, pos: np.ndarray) -> np.ndarray:
        m = np.zeros(len(self.df), dtype=bool)
        m[pos] = True
        return m


def _validate_values(scheme: Scheme, df: pd.DataFrame, known: list[str], app: _Applicability,
                     targets: pd.DataFrame, out: Collector) -> pd.DataFrame:
    base_cols = ["unit_id", "indicator_id", "value", "text", "target"]
    leaves = {k: n for k, n in scheme.leaves.items() if n.source == "values"}
    if df.empty and leaves:
        file = str(df.attrs.get("file", "")) or "values"
        held = _rounds_held(df)
        out.note("error", "values", "the values table has no rows" + (held or ", but the scheme has indicators "
                 "that need values"), file=file,
                 hint="check --round" if held else "fill in the values table (unit_id, indicator_id, value)",
                 code="no_rows")
    if df.empty:
        return pd.DataFrame(columns=base_cols + ["_file", "_sheet", "_row"])
    if not require(df, "values", out):
        return pd.DataFrame(columns=base_cols + ["_file", "_sheet", "_row"])
    df = df.reset_index(drop=True)
    uid, iid = Ids(df["unit_id"]), Ids(df["indicator_id"])
    target_pairs = set(zip(targets["unit_id"], targets["indicator_id"])) if len(targets) else set()
    target_ind = {i for _, i in target_pairs}
    allowed = list(leaves) + sorted(target_ind) + list(scheme.model.denominators)
    keep = unit_check(df, "values", known, out, uid)
    ok = iid.member(allowed)
    bad = keep & ~ok
    out.rows("error", "values", df, bad,
             per_distinct(iid.at(bad), lambda i: f"unknown indicator {i!r}{did_you_mean(str(i), allowed)}"),
             "indicator_id", "use an indicator id of the scheme or of the targets table", code="unknown_indicator")
    keep &= ok
    if target_pairs:
        is_t = keep & iid.member(target_ind) & ~iid.member(leaves)
        pair = np.array([(u, i) in target_pairs for u, i in zip(uid.at(is_t), iid.at(is_t))], dtype=bool)
        orphan = np.zeros(len(df), dtype=bool)
        orphan[np.flatnonzero(is_t)[~pair]] = True
        out.rows("error", "values", df, orphan, [f"unit {u!r} has no functional target {i!r}" for u, i in
                                                 zip(uid.at(orphan), iid.at(orphan))],
                 "indicator_id", "add the target to the targets table or fix the ids", code="no_such_target")
        keep &= ~orphan
    if not keep.all():
        df, uid, iid = keep_rows(df, keep), uid.keep(keep), iid.keep(keep)
    dup = duplicates(df, ["unit_id", "indicator_id"], "values", out, {"unit_id": uid, "indicator_id": iid})
    if dup.any():
        df, uid, iid = keep_rows(df, ~dup), uid.keep(~dup), iid.keep(~dup)
    if uid.changed or iid.changed:
        df = df.assign(unit_id=uid.values(), indicator_id=iid.values())
    node_of = [leaves.get(i) for i in iid.names]

    def per_row(values: list, fill: Any = None) -> np.ndarray:
        return np.array([*values, fill], dtype=object)[iid.codes]

    qual_ids = {k for k, n in leaves.items() if n.kind == "qualitative" and n.rule is not None
                and n.rule.method == "grade_map"}
    is_qual = per_row([i in qual_ids for i in iid.names], False).astype(bool)
    misspelt = _misspelt_rows(df, out, "value")
    in_percent = per_row([n is not None and _in_percent(n) for n in node_of], False).astype(bool)
    num, blank = numeric_cells(df, "value", "values", out, required=False, percent_points=in_percent,
                                costs=True, skip=is_qual | misspelt)
    text = np.where(is_qual, id_texts(df["value"]), None) if is_qual.any() else np.full(len(df), None, dtype=object)
    out.rows("warning", "values", df, blank & ~misspelt, "empty value", "value",
             "fill it in, or delete the row; an empty value counts as missing (0 points in a points scheme)",
             code="empty_value", costs=True)
    value = np.where(is_qual, np.nan, num.to_numpy(dtype=float))
    target = numeric(df, "target", "values", out, required=False).to_numpy(dtype=float) if "target" in df \
        else np.full(len(df), np.nan)
    df = df.assign(value=value, text=text, target=target)
    rows = _Rows.of(df, uid, iid, app.ids)
    # qualitative grades must be in the mapping
    for i in qual_ids:
        mapping = leaves[i].rule.params.get("mapping", {})
        pos = rows.at(i)
        bad = np.array([g is not None and str(g) not in mapping for g in text[pos]], dtype=bool)
        out.rows("error", "values", df, rows.mask(pos[bad]),
                 [f"grade {g!r} is not one of {', '.join(map(str, mapping))}" for g in text[pos[bad]]], "value",
                 code="unknown_grade")
    # declared ranges
    for name, node in leaves.items():
        if node.range is None:
            continue
        lo, hi = node.range
        pos = rows.at(name)
        with np.errstate(invalid="ignore"):
            outside = pos[(value[pos] < lo) | (value[pos] > hi)]
        out.rows("error", "values", df, rows.mask(outside),
                 [f"value {v:g} is outside the declared range [{lo:g}, {hi:g}] of {name!r}" for v in value[outside]],
                 "value", "check the unit of measure (percent vs ratio) and the figure itself", code="out_of_range")
    _plausible(rows, leaves, out)
    _rule_trials(rows, leaves, app, out)
    _missing_values(scheme, rows, leaves, app, out)
    return df


def _misspelt_rows(df: pd.DataFrame, out: Collector, column: str) -> np.ndarray:
    """Rows of files whose header misspelt ``column`` (already an error; no per-row noise)."""
    files = {p.file for p in out.items if p.code == "misspelt_header" and f"{column!r}?" in p.message}
    if not files or "_file" not in df:
        return np.zeros(len(df), dtype=bool)
    return Ids(df["_file"]).member(files)


def _plausible(rows: _Rows, leaves: Mapping[str, Any], out: Collector) -> None:
    """Values far outside the rest of their indicator (``1e300``), and percentages sent as
    ratios (``0.9374`` for 93.74 %), flagged before they distort a score."""
    df = rows.df
    value = df["value"].to_numpy(dtype=float)
    for name, node in leaves.items():
        if node.kind != "quantitative":
            continue
        pos = rows.at(name)
        pos = pos[np.isfinite(value[pos])]
        v = value[pos]
        if len(v) < 2:
            continue
        if _in_percent(node) and not (node.range is not None and node.range[1] <= 1):
            _ratio_slip(node, name, rows, pos, v, out)
        if node.range is None and len(v) >= 4:
            q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
            spread = q3 - q1
            if not spread > 0:
                dev = np.abs(v - med)
                spread = dev[dev > 0].mean() if (dev > 0).any() else 0.0
            spread = max(spread, abs(med) * 1e-9, 1e-300)
            with np.errstate(over="ignore", invalid="ignore"):
                far = np.abs(v - med) > IMPLAUSIBLE_SPREADS * spread
            if far.any() and far.sum() <= len(v) // 4 + 1:
                out.rows("warning", "values", df, rows.mask(pos[far]),
                         [f"value {x:g} of {name!r} is implausible: the middle half of the values lies between "
                          f"{q1:g} and {q3:g} (median {med:g})" for x in v[far]], "value",
                         "check the figure and its unit; one extreme value squeezes every other unit's normalised "
                         "score (declare a 'range' to check it exactly)", code="implausible", costs=True)


def _rule_scale(node: Any, target: np.ndarray) -> float:
    """The largest threshold a rule scores against (floor, target, bands; or the data's
    targets), NaN when it has none."""
    spec = node.rule
    if spec is None:
        return np.nan
    nums = [float(v) for k, v in spec.params.items() if k in ("floor", "target") and isinstance(v, (int, float))]
    nums += [float(b[0]) for b in spec.params.get("bands", []) or []]
    if "target" not in spec.params and np.isfinite(target).any():
        nums.append(float(np.nanmedian(target)))
    return max(nums) if nums else np.nan


def _ratio_slip(node: Any, name: str, rows: _Rows, pos: np.ndarray, v: np.ndarray, out: Collector) -> None:
    df = rows.df
    ratio_like = (v >= 0) & (v <= 1)
    fractional = ratio_like & (v != np.round(v))
    if ratio_like.all() and fractional.any():
        scale = _rule_scale(node, df["target"].to_numpy(dtype=float)[pos])
        first = rows.mask(pos[:1])
        if scale >= 10:
            out.rows("error", "values", df, first,
                     f"every value of {name!r} (unit %) lies between 0 and 1 (e.g. {v[fractional][0]:g}), but its "
                     f"rule counts in percent (up to {scale:g}): were the rates sent as ratios?", "value",
                     "send percentages (93.74, or 93.74%), not ratios (0.9374)", code="ratio_for_percent")
        else:
            out.rows("warning", "values", df, first,
                     f"every value of {name!r} (unit %) lies between 0 and 1 (e.g. {v[fractional][0]:g}): were the "
                     "rates sent as ratios?", "value",
                     "send percentages (93.74, or 93.74%), not ratios (0.9374), or declare the unit as a ratio",
                     code="ratio_for_percent", costs=node.rule is not None)
        return
    big = v[v > 1]
    if fractional.any() and len(big) >= max(2, len(v) // 2) and np.median(big) >= 10:
        as_pct = v * 100
        suspect = fractional & (as_pct >= big.min()) & (as_pct <= big.max())
        if suspect.any():
            med = float(np.median(big))
            out.rows("warning", "values", df, rows.mask(pos[suspect]),
                     [f"value {x:g} of {name!r} (unit %) looks like a ratio: the other units' values are percentages "
                      f"(median {med:g}); as a percentage it would be {x * 100:g}" for x in v[suspect]], "value",
                     "send percentages (93.74, or 93.74%), not ratios (0.9374)", code="ratio_for_percent", costs=True)


def _rule_trials(rows: _Rows, leaves: Mapping[str, Any], app: _Applicability, out: Collector) -> None:
    """Run each indicator's rule (or normalisation) on its values as evaluate will, and
    report, at its row, every value or target it rejects; a rule that scores against the
    data's targets needs one for every unit it applies to."""
    df = rows.df
    value = df["value"].to_numpy(dtype=float)
    target = df["target"].to_numpy(dtype=float)
    for name, node in leaves.items():
        if node.kind != "quantitative":
            continue
        spec, kind = scoring_method(node)
        pos = rows.at(name)
        if kind == "normalise":
            col = value[pos]
            col = col[np.isfinite(col)]
            if not len(col):
                continue
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    NORMALISE.get(spec.method).func(col[:, None], direction=np.array([DIRECTION[node.direction]]),
                                                    **spec.params)
            except (ValueError, TypeError) as exc:
                out.note("error", "values", f"indicator {name!r} cannot be normalised with {spec.method!r}: {exc}",
                         hint="check the indicator's values", code="normalise_rejects")
            continue
        if spec.method in ("grade_map", "rank_within"):
            continue
        names = rule_parameters(spec.method)
        kw = dict(spec.params)
        arrays = {"x": value[pos]}
        if "direction" in names and "direction" not in kw:
            kw["direction"] = DIRECTION[node.direction]
        if "target" in names and "target" not in kw:
            t_ = target[pos]
            applies = app(name)
            unit = rows.unit[pos]
            row_app = np.where(unit >= 0, applies[np.maximum(unit, 0)], False)
            missing = np.isnan(t_) & row_app
            out.rows("error", "values", df, rows.mask(pos[missing]), f"no target for {name!r}: its rule "
                     f"{spec.method!r} scores against the data's target", "target",
                     f"fill in the target, or give 'target:' to {name}.rule", code="no_target")
            have = np.zeros(len(app.ids), dtype=bool)
            have[unit[unit >= 0]] = True
            lacking = app.ids[applies & ~have]
            for u in lacking[:20]:
                out.note("error", "values", f"no row (and so no target) for unit {u!r}, indicator {name!r}: its rule "
                         f"{spec.method!r} scores against the data's target",
                         hint="add the row with its value and target", code="no_target")
            if len(lacking) > 20:
                out.note("error", "values", f"... and {len(lacking) - 20} more units without a target for {name!r}",
                         code="no_target")
            pos = pos[~np.isnan(t_)]
            arrays = {"x": value[pos], "target": target[pos]}
        if not len(pos):
            continue
        for p, msg in trial(RULES.get(spec.method).func, arrays, kw):
            if p < 0:
                out.note("error", "values", f"rule {spec.method!r} of {name!r} rejects the values: {msg}",
                         code="rule_rejects")
                continue
            col = "target" if "target" in arrays and "target" in msg else "value"
            out.rows("error", "values", df, rows.mask(pos[p:p + 1]),
                     f"rule {spec.method!r} of {name!r} rejects this row: {msg}", col,
                     "fix the figure: evaluate cannot score it", code="rule_rejects")
        if spec.method == "linear" and "target" in arrays and "floor" in kw:
            t_ = arrays["target"]
            want = DIRECTION[node.direction]
            wrong = np.sign(t_ - float(kw["floor"])) == -want
            out.rows("error", "values", df, rows.mask(pos[wrong]),
                     [f"target {x:g} is {'below' if want > 0 else 'above'} the rule's floor {float(kw['floor']):g}, "
                      f"which would score {name!r} (direction {node.direction}) the wrong way round" for x in t_[wrong]],
                     "target", "check the target, or the indicator's direction", code="target_inverts")


def _missing_values(scheme: Scheme, rows: _Rows, leaves: Mapping[str, Any], app: _Applicability,
                    out: Collector) -> None:
    """Units an indicator applies to that have no row for it; an indicator with no value
    at all is one warning, not one per unit."""
    n_units = len(app.ids)
    if not n_units:
        return
    # a missing value costs points, unless the scheme imputes missing values by design
    costs = scheme.paradigm == "points" or scheme.model.treatment.impute is None
    value = rows.df["value"].to_numpy(dtype=float)
    text = rows.df["text"].to_numpy(dtype=object)
    for name, node in leaves.items():
        applies = app(name)
        if not applies.any():
            continue
        pos = rows.at(name)
        unit = rows.unit[pos]
        got = np.zeros(n_units, dtype=bool)
        got[unit[unit >= 0]] = True
        filled = ~np.isnan(value[pos]) | ~pd.isna(text[pos])
        with_value = np.zeros(n_units, dtype=bool)
        with_value[unit[(unit >= 0) & filled]] = True
        if not (with_value & applies).any():
            out.note("warning", "values", f"indicator {name!r} has no data at all: none of the {int(applies.sum())} "
                     "units it applies to has a value", hint=MISSING_HINT + "; send the indicator's values",
                     code="no_data", costs=costs)
            if not got.any():
                continue
        for u in app.ids[applies & ~got]:
            out.note("warning", "values", f"no value for unit {u!r}, indicator {name!r}", hint=MISSING_HINT,
                     code="no_value", costs=costs)


# ---------------------------------------------------------------------------- adjustments
def _validate_adjustments(scheme: Scheme, df: pd.DataFrame, known: list[str], out: Collector) -> pd.DataFrame:
    cols = ["unit_id", "kind", "item", "points", "reason"]
    if df.empty:
        return pd.DataFrame(columns=cols + ["_file", "_sheet", "_row"])
    if not require(df, "adjustments", out):
        return pd.DataFrame(columns=cols + ["_file", "_sheet", "_row"])
    df = prepare(df, ["unit_id", "kind", "item", "reason", "reason_en"])
    df = keep_rows(df, unit_check(df, "adjustments", known, out))
    kinds = ["bonus", "penalty", "veto"]
    kind = df["kind"].to_numpy(dtype=object)
    bad = ~member(kind, kinds)
    out.rows("error", "adjustments", df, bad,
             per_distinct(kind[bad], lambda k: f"kind must be bonus, penalty or veto, got {k!r}"
                           f"{did_you_mean(str(k), kinds)}"), "kind", code="unknown_kind")
    df = keep_rows(df, ~bad)
    kind = df["kind"].to_numpy(dtype=object)
    is_veto = kind == "veto"
    pts = numeric(df, "points", "adjustments", out, skip=is_veto).to_numpy(dtype=float)
    df["points"] = np.where(is_veto, 0.0, pts)
    out.rows("error", "adjustments", df, df["points"].to_numpy() < 0,
             "points must be positive (penalties are subtracted by the engine)", "points",
             "write the size of the bonus or penalty, without a minus sign", code="negative")
    item = df["item"].to_numpy(dtype=object)
    adj = scheme.model.adjustments
    declared = {"veto": list(adj.veto), "bonus": list(adj.bonus.items), "penalty": list(adj.penalty.items)}
    for k, names in declared.items():
        if k != "veto" and not names:
            continue  # the scheme lists no items of this kind: any item is accepted
        bad = (kind == k) & ~member(item, names)
        out.rows("error", "adjustments", df, bad,
                 per_distinct(item[bad], lambda i, k=k, names=names: f"unknown {k} item {i!r}"
                               f"{did_you_mean(str(i), names)}"), "item",
                 f"{k} items in the scheme: {', '.join(names) or '(none)'}", code=f"unknown_{k}_item")
    if "reason" not in df:
        df["reason"] = ""
    return df


# ---------------------------------------------------------------------------- survey
def _validate_survey(scheme: Scheme, df: pd.DataFrame, known: list[str], out: Collector) -> pd.DataFrame:
    spec = scheme.model.survey
    if df.empty or spec is None:
        if spec is not None and any(n.source == "survey" for n in scheme.leaves.values()):
            out.note("warning", "survey", "the scheme has a survey component but the round has no survey"
                     + _rounds_held(df), code="no_survey", costs=True)
        return df
    if not require(df, "survey", out):
        return df.iloc[0:0]
    df = prepare(df, ["unit_id", "respondent_group"])
    missing = [i for i in spec.items if i not in df.columns]
    if missing:
        have = [c for c in df.columns if not c.startswith("_")]
        out.table_level("error", "survey", df, "missing item column(s): " + "; ".join(
            f"{m}{did_you_mean(m, have)}" for m in missing), "the survey needs one column per item of scheme survey.items")
        return df.iloc[0:0]
    df = keep_rows(df, unit_check(df, "survey", known, out))
    df = keep_rows(df, check_known(out, "survey", df, "respondent_group", spec.groups, "respondent group",
                             code="unknown_group"))
    lo, hi = spec.scale
    for item in spec.items:
        df[item] = numeric(df, item, "survey", out, required=False, what=f"a score from {lo:g} to {hi:g}")
        v = df[item].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            outside = (v < lo) | (v > hi)
        out.rows("error", "survey", df, outside, [f"score {x:g} outside the scale [{lo:g}, {hi:g}]" for x in v[outside]],
                 item, code="out_of_scale")
    weighted = "weight" in df
    if weighted:
        w = numeric(df, "weight", "survey", out, required=False).to_numpy(dtype=float)
        w = np.where(np.isnan(w), 1.0, w)
    else:
        w = np.ones(len(df))
    df["weight"] = w
    out.rows("error", "survey", df, w < 0, "respondent weight must not be negative", "weight", code="negative")
    if weighted and len(df):
        cell = df.groupby(["unit_id", "respondent_group"], sort=False)["weight"]
        total, count = cell.transform("sum").to_numpy(), cell.transform("size").to_numpy()
        first = ~df.duplicated(["unit_id", "respondent_group"]).to_numpy()
        zero = first & (total == 0)
        out.rows("error", "survey", df, zero,
                 [f"every one of the {n} respondents of unit {u!r}, group {gr!r} has weight 0: the group would "
                  "count for nothing" for n, u, gr in zip(count[zero], df["unit_id"].to_numpy()[zero],
                                                           df["respondent_group"].to_numpy()[zero])],
                 "weight", "give the respondents their weights (1 for an unweighted survey)", code="zero_weights")
    return df


# ---------------------------------------------------------------------------- special results
def _validate_special(scheme: Scheme, df: pd.DataFrame, known: list[str], out: Collector) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=["assessment_id", "unit_id", "score", "_file", "_sheet", "_row"])
    if not require(df, "special_results", out):
        return df.iloc[0:0]
    df = prepare(df, ["assessment_id", "unit_id"])
    df = keep_rows(df, unit_check(df, "special_results", known, out))
    df = keep_rows(df, check_known(out, "special_results", df, "assessment_id", [s.id for s in scheme.model.special],
                             "special assessment", code="unknown_assessment"))
    df = keep_rows(df, ~duplicates(df, ["assessment_id", "unit_id"], "special_results", out))
    df["score"] = numeric(df, "score", "special_results", out, what="a score from 0 to 100")
    s = df["score"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        outside = (s < 0) | (s > 100)
    out.rows("error", "special_results", df, outside, [f"score {x:g} is outside 0-100" for x in s[outside]], "score",
             code="out_of_range")
    return df


# ---------------------------------------------------------------------------- coverage
def _coverage(scheme: Scheme, app: _Applicability, survey: pd.DataFrame, special: pd.DataFrame,
              out: Collector) -> None:
    """Warn about units that a survey or special-assessment leaf covers but that have no
    result (they would silently score nothing)."""
    spec = scheme.model.survey
    for iid, node in scheme.leaves.items():
        applies = app(iid)
        if node.source == "special":
            have = set(special.loc[special["assessment_id"] == node.assessment, "unit_id"]) if len(special) else set()
            for uid in app.ids[applies]:
                if uid not in have:
                    out.note("warning", "special_results",
                             f"no result of special assessment {node.assessment!r} for unit {uid!r}",
                             hint=MISSING_HINT, code="no_special", costs=True)
        elif node.source == "survey" and spec is not None and len(survey):
            counts = survey.groupby(["unit_id", "respondent_group"]).size()
            enough = set(counts[counts >= spec.min_responses].index.get_level_values(0))
            for uid in app.ids[applies]:
                if uid not in enough:
                    out.note("warning", "survey", f"unit {uid!r} has no respondent group with at least "
                             f"{spec.min_responses} responses", hint=MISSING_HINT, code="few_responses", costs=True)
