"""Checking every returned figure against the scheme and the round, at its cell.

:func:`check_figures` is shared by the ingestion of returned files
(:func:`perfkit.collection.ingest`) and the data-quality analysis
(:func:`perfkit.analyses.quality.check_quality`). It is vectorised (a million figures take
seconds) and reads numbers exactly as the engine does: the cells are handed to
:func:`perfkit.validate_round`, whose typed values are used, and whatever else the engine
refuses in them is kept as an ``invalid`` problem, so nothing the engine would reject passes.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from perfkit.collection.cells import Cell, column_letters
from perfkit.engine.validate import validate_round
from perfkit.errors import did_you_mean
from perfkit.i18n import has, t
from perfkit.io.round import RoundData
from perfkit.scheme import Scheme

__all__ = ["Figures", "ReturnProblem", "check_figures", "clean_text"]


@dataclass(frozen=True)
class ReturnProblem:
    """One problem in a returned file.

    Attributes
    ----------
    severity
        ``"error"`` (the figure cannot be used as it is) or ``"warning"``.
    code
        What is wrong: ``collect.problem.<code>`` in the catalogue says it in zh and en.
    cell
        Where: file, sheet, row and column (:class:`~perfkit.collection.cells.Cell`).
    params
        The names and figures the sentence uses.
    """

    severity: str
    code: str
    cell: Cell
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return t(f"collect.problem.{self.code}", lang, **self.params)

    def hint(self, lang: str = "en") -> str:
        key = f"collect.hint.{self.code}"
        return t(key, lang, **self.params) if has(key) else ""

    @property
    def message(self) -> str:
        return self.text("en")

    def __str__(self) -> str:
        hint = self.hint("en")
        return f"{self.severity}: {self.cell}: {self.message}" + (f" — {hint}" if hint else "")


@dataclass(frozen=True, eq=False)
class Figures:
    """The figures checked.

    Attributes
    ----------
    problems
        One :class:`ReturnProblem` per problem found.
    table
        One row per figure: the input columns, ``x`` (the number as the engine reads it,
        NaN for grades and unreadable cells), ``text``, the cell's duty (``kind, lo, hi,
        grades, measure, target, source, category, duty_collector``) and ``status``:
        ``ok``, ``out_of_range`` (a number outside the allowed range), ``empty`` or
        ``error`` (unknown ids, not applicable, a repeated cell, not a number, a grade not
        in the list).
    """

    problems: tuple[ReturnProblem, ...]
    table: pd.DataFrame


_PLAIN = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def clean_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text, ``""`` for empty ones."""
    text = s.astype("string").str.strip().fillna("")
    return text.astype(object)


def _cell(r: Mapping[str, Any], column: str) -> Cell:
    file, sheet = str(r.get("_file") or ""), str(r.get("_sheet") or "")
    row = r.get("_row")
    row = None if row is None or pd.isna(row) else int(row)
    ref = str(r.get("_cell") or "") if column == "value" else ""
    if ref and ref != "nan":
        letter = ref.rstrip("0123456789")
        return Cell(file, sheet, int(ref[len(letter):]), column, letter)
    letter = column_letters(file, sheet).get(column, "") if file and not file.startswith("<") else ""
    return Cell(file, sheet, row, column, letter)


def _suggestion(name: str, choices: list[str]) -> str:
    s = did_you_mean(name, choices)
    return s[len(" (did you mean '"):-len("'?)")] if s else ""


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def check_figures(scheme: Scheme, data: RoundData, values: pd.DataFrame, duty: pd.DataFrame) -> Figures:
    """Check ``values`` (``unit_id, indicator_id, value`` and source columns) against the
    cells of ``duty`` (:func:`perfkit.collection.duty.duty_cells`)."""
    problems: list[ReturnProblem] = []
    add = (lambda sev, code, r, column, **p: problems.append(ReturnProblem(sev, code, _cell(r, column), p)))
    v = values.reset_index(drop=True).copy()
    for col in ("_file", "_sheet", "_row", "_cell", "round"):
        if col not in v.columns:
            v[col] = None
    v["_idx"] = np.arange(len(v))
    v["unit_id"] = clean_text(v["unit_id"]) if len(v) else v["unit_id"]
    v["indicator_id"] = clean_text(v["indicator_id"]) if len(v) else v["indicator_id"]
    v["text"] = clean_text(v["value"]) if len(v) else v["value"]
    units = clean_text(data.units["unit_id"]) if len(data.units) else pd.Series(dtype=object)
    known_units = list(dict.fromkeys(u for u in units if u))
    known_ind = list(dict.fromkeys([*(k for k, n in scheme.leaves.items() if n.source == "values"),
                                    *duty.loc[duty["source"] == "target", "indicator_id"],
                                    *scheme.model.denominators]))
    spec = duty[["unit_id", "indicator_id", "kind", "lo", "hi", "grades", "measure", "target", "source",
                 "category", "collector_id"]].rename(columns={"collector_id": "duty_collector"})
    v = v.merge(spec, on=["unit_id", "indicator_id"], how="left", validate="many_to_one", sort=False)
    unit_bad = ~v["unit_id"].isin(set(known_units))
    ind_bad = ~v["indicator_id"].isin(set(known_ind))
    not_app = ~unit_bad & ~ind_bad & v["kind"].isna() & ~v["indicator_id"].isin(scheme.model.denominators)
    for r in v[unit_bad].to_dict("records"):
        sug = _suggestion(r["unit_id"], known_units)
        add("error", "unknown_unit_suggest" if sug else "unknown_unit", r, "unit_id", found=r["unit_id"] or "—",
            suggest=sug)
    for r in v[ind_bad].to_dict("records"):
        sug = _suggestion(r["indicator_id"], known_ind)
        add("error", "unknown_indicator_suggest" if sug else "unknown_indicator", r, "indicator_id",
            found=r["indicator_id"] or "—", suggest=sug)
    for r in v[not_app].to_dict("records"):
        cat = dict(zip(units, clean_text(data.units["category"]))).get(r["unit_id"], "")
        add("error", "not_applicable", r, "indicator_id", unit=r["unit_id"], indicator=r["indicator_id"], category=cat)
    ok = ~(unit_bad | ind_bad | not_app)
    keys = ["unit_id", "indicator_id"]
    dup = ok & v[ok].duplicated(keys, keep="first").reindex(v.index, fill_value=False)
    if dup.any():
        first_idx = v[ok].groupby(keys, sort=False)["_idx"].transform("first").reindex(v.index)
        for r in v[dup].to_dict("records"):
            f = v.loc[int(first_idx[r["_idx"]])].to_dict()
            same = r["text"] == f["text"] or (not math.isnan(_number(r["text"])) and
                                              _number(r["text"]) == _number(f["text"]))
            column = "indicator_id" if same else "value"
            add("error", "duplicate" if same else "conflict", r, column, unit=r["unit_id"],
                indicator=r["indicator_id"], found=r["text"] or "—", other=f["text"] or "—",
                first=str(_cell(f, column)))
    checked = ok & ~dup
    v["x"] = np.nan
    v["status"] = np.where(checked, "ok", "error")
    v["text"] = v["text"].astype(object)
    # Plain numbers (digits, a point, an exponent) are read as the engine reads them, by
    # pandas.to_numeric; every other cell (thousands separators, a percent sign, text ...) is
    # handed to the engine's own validation, whose reading and refusals are kept.
    plain = checked & v["text"].str.fullmatch(_PLAIN, na=False) & (v["kind"] != "grade")
    v.loc[plain, "x"] = pd.to_numeric(v.loc[plain, "text"], errors="coerce")
    sub = v[checked & ~plain & (v["text"] != "") & (v["kind"] != "grade")]
    report = None
    if len(sub):
        rnd = str(sub["round"].dropna().iloc[0]) if sub["round"].notna().any() else data.round
        frame = sub.drop(columns=["text", "kind", "lo", "hi", "grades", "measure", "target", "source", "category",
                                  "duty_collector", "x", "status"])
        report = validate_round(scheme, RoundData(units=data.units, targets=data.targets, values=frame, round=rnd))
        typed = report.data.values
        if "_idx" in typed.columns and len(typed):
            v.loc[typed["_idx"].to_numpy(dtype=int), "x"] = pd.to_numeric(typed["value"], errors="coerce").to_numpy()
    empty = checked & (v["text"] == "")
    v.loc[empty, "status"] = "empty"
    for r in v[empty].to_dict("records"):
        add("warning", "empty", r, "value", unit=r["unit_id"], indicator=r["indicator_id"])
    grade = checked & ~empty & (v["kind"] == "grade")
    bad_grade = grade & ~pd.Series([isinstance(g, tuple) and tx in g for tx, g in zip(v["text"], v["grades"])] if len(v) else [],
                                   index=v.index, dtype=bool)
    v.loc[bad_grade, "status"] = "error"
    for r in v[bad_grade].to_dict("records"):
        add("error", "bad_grade", r, "value", found=r["text"], grades="、".join(r["grades"]))
    number = checked & ~empty & ~grade
    not_num = number & v["x"].isna()
    v.loc[not_num, "status"] = "error"
    for r in v[not_num].to_dict("records"):
        add("error", "not_numeric", r, "value", found=r["text"])
    num_ok = number & ~not_num
    lo, hi = v["lo"].astype(float), v["hi"].astype(float)
    binary = num_ok & (v["kind"] == "binary")
    for r in v[binary & ~v["x"].isin([0.0, 1.0])].to_dict("records"):
        add("warning", "not_binary", r, "value", found=r["text"])
    outside = num_ok & ~binary & ((lo.notna() & (v["x"] < lo)) | (hi.notna() & (v["x"] > hi)))
    v.loc[outside, "status"] = "out_of_range"
    for r in v[outside].to_dict("records"):
        a, b = float(r["lo"]), float(r["hi"])
        rng = f"{a:g}–{b:g}" if not (math.isnan(a) or math.isnan(b)) else (f"≥ {a:g}" if math.isnan(b) else f"≤ {b:g}")
        add("error", "out_of_range", r, "value", found=r["text"], range=rng, measure=r["measure"] or "—")
    if report is not None:
        located = {(p.cell.file, p.cell.row) for p in problems}
        by_place = {(str(f), int(r)) for f, r in zip(sub["_file"], sub["_row"]) if r is not None and not pd.isna(r)}
        for p in report.errors:
            if p.table == "values" and p.row is not None and (p.file, p.row) not in located \
                    and (p.file, p.row) in by_place:
                problems.append(ReturnProblem("error", "invalid", Cell(p.file, p.sheet, p.row, p.column, column_letters(
                    p.file, p.sheet).get(p.column, "") if p.file and not p.file.startswith("<") else ""),
                    {"message": p.message}))
    return Figures(tuple(problems), v)
