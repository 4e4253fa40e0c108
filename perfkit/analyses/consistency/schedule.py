"""The inspection schedule of the special assessments (检查日程): reading, checking, weeks.

A schedule is a table (CSV in UTF-8 or GBK, XLSX, Parquet, or a DataFrame) with one row per
inspection: ``round, assessment_id, unit_id, kind, start, end`` (ISO dates; ``end`` may be
left empty for a one-day inspection) and optionally ``window_start, window_end`` (the dates
between which this inspection may be held, overriding the registry's window for its kind).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from perfkit.analyses.consistency.registry import Issue, Registry, RegistryError, round_year
from perfkit.errors import PerfkitError, did_you_mean
from perfkit.io.read import read_table
from perfkit.results import html_head, html_table

__all__ = ["Schedule", "load_schedule", "check_schedule", "week_of", "week_label", "inspection_weeks"]

REQUIRED = ("round", "assessment_id", "unit_id", "kind", "start")
_DATES = ("start", "end", "window_start", "window_end")


@dataclass(frozen=True, eq=False)
class Schedule:
    """A checked inspection schedule.

    Attributes
    ----------
    table
        One row per inspection: ``round`` (text), ``assessment_id``, ``unit_id``, ``kind``,
        ``start``, ``end``, ``window_start``, ``window_end`` (``datetime64``; the windows NaT
        where the table gives none), ``days`` and the source columns ``_file``, ``_row``.
        Rows with an error are left out (they are in ``issues``).
    issues
        Every problem found while reading, each with its file, row and column.
    file
        Where it was read from.
    """

    table: pd.DataFrame
    issues: tuple[Issue, ...] = ()
    file: str = ""
    meta: dict = field(default_factory=dict, repr=False)

    def for_round(self, rnd: str) -> pd.DataFrame:
        return self.table[self.table["round"] == str(rnd)]

    def to_frame(self) -> pd.DataFrame:
        return self.table.drop(columns=["_file", "_sheet", "_row"], errors="ignore").copy()

    def __repr__(self) -> str:
        return f"Schedule(inspections={len(self.table)}, issues={len(self.issues)}, file={self.file!r})"

    def _repr_html_(self) -> str:
        return html_head("Inspection schedule", {"file": self.file, "inspections": len(self.table)}) + \
            html_table(self.to_frame())


def load_schedule(source: str | Path | pd.DataFrame | Schedule) -> Schedule:
    """Read a schedule and check each row: required columns, dates, end not before start.

    Problems are returned in :attr:`Schedule.issues` (the rows in error are left out);
    :func:`check_schedule` adds the checks against a registry and a round.

    Raises
    ------
    RegistryError
        The file cannot be read or lacks a required column.
    """
    if isinstance(source, Schedule):
        return source
    if isinstance(source, pd.DataFrame):
        df = source.reset_index(drop=True).astype(object).copy()
        for col, val in (("_file", "<memory>"), ("_sheet", "")):
            if col not in df:
                df[col] = val
        if "_row" not in df:
            df["_row"] = df.index + 2
        file = "<memory>"
    else:
        try:
            df = read_table(source)
        except PerfkitError as exc:
            raise RegistryError(exc.message, where=exc.where, hint=exc.hint) from None
        file = str(source)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise RegistryError(f"missing column(s) {', '.join(missing)}", where=[file],
                            hint=f"a schedule needs the columns {', '.join(REQUIRED)}, end "
                                 "(and optionally window_start, window_end)")
    issues: list[Issue] = []
    bad = np.zeros(len(df), dtype=bool)
    for col in ("assessment_id", "unit_id", "kind", "round"):
        txt = df[col].astype("string").str.strip()
        empty = txt.isna() | (txt == "")
        for k in np.flatnonzero(empty.to_numpy()):
            issues.append(Issue("error", f"empty {col}", file, f"row {df['_row'].iloc[k]}: column {col}"))
        bad |= empty.to_numpy()
        df[col] = txt.fillna("")
    if "end" not in df:
        df["end"] = None
    for col in _DATES:
        if col not in df:
            df[col] = pd.NaT
            continue
        raw = df[col]
        parsed = pd.to_datetime(raw.astype("string").str.strip(), format="%Y-%m-%d", errors="coerce")
        given = raw.notna() & (raw.astype("string").str.strip() != "")
        for k in np.flatnonzero((given & parsed.isna()).to_numpy()):
            issues.append(Issue("error", f"{raw.iloc[k]!r} is not a date", file,
                                f"row {df['_row'].iloc[k]}: column {col}", "write dates as YYYY-MM-DD"))
            bad[k] = True
        if col == "start":
            for k in np.flatnonzero((~given).to_numpy()):
                issues.append(Issue("error", "empty start date", file, f"row {df['_row'].iloc[k]}: column start"))
                bad[k] = True
        df[col] = parsed
    df["end"] = df["end"].fillna(df["start"])
    back = (df["end"] < df["start"]).to_numpy()
    for k in np.flatnonzero(back):
        issues.append(Issue("error", f"the inspection ends ({df['end'].iloc[k]:%Y-%m-%d}) before it starts "
                            f"({df['start'].iloc[k]:%Y-%m-%d})", file, f"row {df['_row'].iloc[k]}: column end",
                            "swap the dates or correct the end date"))
    wback = (df["window_end"] < df["window_start"]).to_numpy()
    for k in np.flatnonzero(wback):
        issues.append(Issue("error", "the window ends before it starts", file,
                            f"row {df['_row'].iloc[k]}: column window_end"))
    bad |= back | wback
    df["round"] = df["round"].map(lambda v: str(v).strip().removesuffix(".0"))
    df = df[~bad].copy()
    df["days"] = (df["end"] - df["start"]).dt.days + 1
    keep = ["round", "assessment_id", "unit_id", "kind", "start", "end", "window_start", "window_end", "days",
            "_file", "_sheet", "_row"]
    return Schedule(table=df[keep].reset_index(drop=True), issues=tuple(issues), file=file)


def check_schedule(schedule: Schedule, registry: Registry, units: Iterable[str], rnd: str) -> list[Issue]:
    """Check the round's rows of ``schedule`` against the registry and the round's units:
    unknown assessments and units are errors; an inspection of a unit the assessment does
    not cover, a kind the registry gives no window for, or a date outside its window are
    warnings."""
    out: list[Issue] = []
    known = set(units)
    regs = registry.assessments
    rows = schedule.for_round(rnd).rename(columns={"_row": "row_", "_file": "file_"})
    for r in rows.itertuples(index=False):
        where = f"row {r.row_}"
        file = r.file_
        a = regs.get(r.assessment_id)
        if a is None:
            out.append(Issue("error", f"unknown special assessment {r.assessment_id!r}"
                             f"{did_you_mean(r.assessment_id, regs)}", file, f"{where}: column assessment_id",
                             "every inspection must belong to an assessment of the registry"))
            continue
        if r.unit_id not in known:
            out.append(Issue("error", f"unknown unit {r.unit_id!r}{did_you_mean(r.unit_id, known)}", file,
                             f"{where}: column unit_id", "use the unit ids of the round's units table"))
            continue
        win = window_dates(a.window(r.kind), rnd) if pd.isna(r.window_start) else (r.window_start, r.window_end)
        if win is None:
            out.append(Issue("warning", f"the registry gives {r.assessment_id!r} no window for inspections of kind "
                             f"{r.kind!r}: the joint schedule keeps it where it is", file, f"{where}: column kind"))
        elif r.start < win[0] or r.end > win[1]:
            out.append(Issue("warning", f"the inspection ({r.start:%Y-%m-%d} to {r.end:%Y-%m-%d}) lies outside "
                             f"its window ({win[0]:%Y-%m-%d} to {win[1]:%Y-%m-%d})", file, f"{where}: column start"))
        if r.start.year != round_year(rnd) and round_year(rnd) is not None:
            out.append(Issue("warning", f"an inspection of round {rnd} dated {r.start:%Y-%m-%d}", file,
                             f"{where}: column start"))
    return out


@lru_cache(maxsize=4096)
def window_dates(window: tuple[str, str] | None, rnd: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """A registry window (MM-DD, MM-DD) as dates in the round's year."""
    y = round_year(rnd)
    if window is None or y is None:
        return None
    try:
        return pd.Timestamp(f"{y}-{window[0]}"), pd.Timestamp(f"{y}-{window[1]}")
    except ValueError:  # 02-29 in a year that has none
        return pd.Timestamp(f"{y}-{window[0]}".replace("02-29", "02-28")), \
            pd.Timestamp(f"{y}-{window[1]}".replace("02-29", "02-28"))


def week_of(dates) -> np.ndarray:
    """Week number (Monday-based, counted from 0001-01-01) of each date: equal numbers are
    the same ISO week.

    >>> int(week_of([pd.Timestamp("2025-12-01")])[0]) == int(week_of([pd.Timestamp("2025-12-07")])[0])
    True
    """
    values = dates.to_numpy() if isinstance(dates, pd.Series) else np.asarray(list(dates))
    days = np.asarray(values, dtype="datetime64[D]").astype(np.int64)
    ordinal = days + 719163  # days since 1970-01-01 -> date.toordinal()
    return (ordinal - 1) // 7


def week_label(week: int) -> str:
    """The ISO week (``2025-W49``) of a week number from :func:`week_of`.

    >>> week_label(int(week_of([pd.Timestamp("2025-12-03")])[0]))
    '2025-W49'
    """
    monday = pd.Timestamp.fromordinal(int(week) * 7 + 1)
    y, w, _ = monday.isocalendar()
    return f"{y}-W{w:02d}"


def inspection_weeks(rows: pd.DataFrame, shift_weeks: np.ndarray | None = None) -> pd.DataFrame:
    """Long table of the weeks each inspection touches: ``i`` (row position), ``unit_id``,
    ``assessment_id``, ``week`` (optionally each inspection moved by ``shift_weeks``)."""
    if not len(rows):
        return pd.DataFrame(columns=["i", "unit_id", "assessment_id", "week"])
    w0 = week_of(rows["start"])
    w1 = week_of(rows["end"])
    if shift_weeks is not None:
        w0, w1 = w0 + shift_weeks, w1 + shift_weeks
    span = (w1 - w0 + 1).astype(int)
    i = np.repeat(np.arange(len(rows)), span)
    offs = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    return pd.DataFrame({"i": i, "unit_id": rows["unit_id"].to_numpy()[i],
                         "assessment_id": rows["assessment_id"].to_numpy()[i], "week": w0[i] + offs})
