"""Tracking rounds: the units' cumulative progress on their annual targets, quarter by
quarter (or month by month), joined with each target's expected progress profile.

A tracking round is an ordinary round (``units``, ``targets`` = the annual targets,
``values`` = the cumulative value reached by the end of the period), scored by a tracking
scheme whose ``source: targets`` node names the targets; its id says the period:
``2025Q2`` (quarters) or ``2025M05`` (months). The expected-progress table says, per round,
unit and target, the profile's name and the expected cumulative share of the annual target
(``round, unit_id, indicator_id, profile, expected_share``): named profiles (``linear``,
``back_loaded``, ``front_loaded``, ``level``, ``milestone``, ``ceiling``) or any declared
curve — the shares are what count.

:func:`tracking_rounds` reads and checks them all at once and returns one long table
(:class:`TrackingRounds`); every problem it finds is located (file, row, column):

* errors (raised): a round id that names no period, rounds listed out of time order or
  twice, two periodicities in one year, a target without an expected share, an expected
  share outside [0, 1] or falling from one period to the next;
* warnings (kept in ``problems``): a cumulative value that falls, a value already above
  the cap of a target that earns nothing beyond it, a ceiling exceeded before the year
  is out, a percentage outside [0, 100].
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perfkit.engine.validate import validate_round
from perfkit.errors import DataError, did_you_mean
from perfkit.io.read import read_table
from perfkit.io.round import RoundData, load_round
from perfkit.scheme import Scheme, load_scheme
from perfkit.stages.targets import default_target_rule

__all__ = ["Period", "period", "TrackingRounds", "tracking_rounds", "load_tracking", "read_expected",
           "CUMULATIVE_EXCLUDED"]

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-?M?(0[1-9]|1[0-2])$")
#: Profiles whose values are not cumulative (a level reached, done / not done).
CUMULATIVE_EXCLUDED = ("level", "milestone")
_EXPECTED_COLUMNS = ("round", "unit_id", "indicator_id", "profile", "expected_share")


@dataclass(frozen=True, order=True)
class Period:
    """A tracking period: ``year``, ``index`` (1-based) of ``periods`` in the year."""

    year: int
    index: int
    periods: int

    @property
    def last(self) -> bool:
        """The year's last period: its value is the year-end value."""
        return self.index == self.periods


def period(round_id: str) -> Period:
    """The period a round id names: ``2025Q2`` (quarter 2 of 4), ``2025M05`` or ``2025-05``
    (month 5 of 12).

    >>> period("2025Q2"), period("2025M11").index
    (Period(year=2025, index=2, periods=4), 11)
    """
    text = str(round_id).strip()
    m = _QUARTER.match(text)
    if m:
        return Period(int(m.group(1)), int(m.group(2)), 4)
    m = _MONTH.match(text)
    if m and ("M" in text or "-" in text):
        return Period(int(m.group(1)), int(m.group(2)), 12)
    raise DataError(f"round {text!r} names no tracking period", hint="use e.g. 2025Q2 for a quarter or 2025M05 "
                    "for a month")


@dataclass(frozen=True, eq=False)
class TrackingRounds:
    """Tracking rounds read and checked together (:func:`tracking_rounds`).

    Attributes
    ----------
    rows
        One row per round x unit x target: ``round, year, period, periods, unit_id,
        name_zh, name_en, category, indicator_id, label_zh, label_en, measure, target,
        points, rule, cap (the row's own, NaN: none), cap_used (the cap that applies), direction
        (+1/-1), kind, profile, expected_share, value``
        (NaN: not reported) and where the value came from (``value_file``, ``value_row``).
    rounds
        Round ids, oldest first.
    problems
        Warnings found in the data: ``round, unit_id, indicator_id, code, file, row,
        column, message``.
    schemes
        The tracking scheme of each round.
    """

    rows: pd.DataFrame
    rounds: tuple[str, ...]
    problems: pd.DataFrame
    schemes: Mapping[str, Scheme]

    def years(self) -> list[int]:
        return sorted({period(r).year for r in self.rounds})

    def of_round(self, rnd: str) -> pd.DataFrame:
        return self.rows[self.rows["round"] == rnd]

    def __repr__(self) -> str:
        return (f"TrackingRounds(rounds={len(self.rounds)}, years={self.years()}, rows={len(self.rows)}, "
                f"problems={len(self.problems)})")


def read_expected(*paths: str | Path) -> pd.DataFrame:
    """The expected-progress table(s), concatenated, with ``_file`` and ``_row`` kept."""
    frames = []
    for p in paths:
        df = read_table(p)
        missing = [c for c in _EXPECTED_COLUMNS if c not in df.columns]
        if missing:
            raise DataError(f"missing column {missing[0]!r}", where=[str(p)],
                            hint=f"the expected-progress table needs {', '.join(_EXPECTED_COLUMNS)}")
        frames.append(df)
    if not frames:
        raise DataError("no expected-progress table given", hint="pass the expected_progress.csv file(s)")
    out = pd.concat(frames, ignore_index=True)
    for c in ("round", "unit_id", "indicator_id", "profile"):
        out[c] = out[c].astype(str).str.strip()
    share = pd.to_numeric(out["expected_share"], errors="coerce")
    bad = share.isna() | (share < 0) | (share > 1)
    if bad.any():
        r = out[bad].iloc[0]
        raise DataError(f"expected share {r['expected_share']!r} is not a number between 0 and 1",
                        where=[r["_file"], f"row {r['_row']}", "expected_share"],
                        hint="the expected cumulative share of the annual target, e.g. 0.5 at mid-year")
    out["expected_share"] = share
    return out


def _ordered(rounds: list[str]) -> list[Period]:
    periods = [period(r) for r in rounds]
    seen: dict[Period, str] = {}
    for r, p in zip(rounds, periods):
        if p in seen:
            raise DataError(f"round {r} is listed twice (as {seen[p]!r} and {r!r})", hint="list each round once")
        seen[p] = r
    for (r0, p0), (r1, p1) in zip(zip(rounds, periods), zip(rounds[1:], periods[1:])):
        if (p1.year, p1.index / p1.periods) < (p0.year, p0.index / p0.periods):
            raise DataError(f"round {r1} is listed after {r0}: the rounds are out of time order",
                            hint="list the rounds oldest first (e.g. 2025Q1, 2025Q2, 2025Q3)")
    by_year: dict[int, set[int]] = {}
    for p in periods:
        by_year.setdefault(p.year, set()).add(p.periods)
    for y, n in by_year.items():
        if len(n) > 1:
            raise DataError(f"year {y} mixes quarterly and monthly rounds", hint="track a year in one periodicity")
    return periods


def _round_rows(rnd: str, p: Period, scheme: Scheme, data: RoundData) -> pd.DataFrame:
    report = validate_round(scheme, data)
    report.raise_for_errors()
    clean = report.data
    nodes = list(scheme.target_nodes)
    if not nodes:
        raise DataError(f"the scheme of round {rnd} has no functional-target node (source: targets)",
                        where=[str(scheme.file or scheme.id)], hint="track with a scheme that scores targets")
    tg = clean.targets[clean.targets["node"].isin(nodes)].copy()
    vals = clean.values[["unit_id", "indicator_id", "value", "_file", "_row"]].rename(
        columns={"_file": "value_file", "_row": "value_row"})
    df = tg.drop(columns=["_file", "_sheet", "_row", "round"], errors="ignore").merge(
        vals, on=["unit_id", "indicator_id"], how="left")
    units = clean.units if clean.units.index.name == "unit_id" else clean.units.set_index("unit_id")
    df["name_zh"] = units["name_zh"].reindex(df["unit_id"]).to_numpy()
    df["name_en"] = units["name_en"].reindex(df["unit_id"]).to_numpy()
    df["category"] = units["category"].reindex(df["unit_id"]).to_numpy()
    default = {n: default_target_rule(scheme.nodes[n]) for n in nodes}
    df["rule"] = [r if isinstance(r, str) and r else default[n].method for r, n in zip(df["rule"], df["node"])]
    df["cap_used"] = [c if c == c else float(default[n].params.get("cap", 1.0)) if r == default[n].method
                      else np.nan for c, n, r in zip(df["cap"], df["node"], df["rule"])]
    df["direction"] = np.where(df["direction"].astype(str).str.strip() == "lower", -1, 1)
    df.insert(0, "round", rnd)
    df.insert(1, "year", p.year)
    df.insert(2, "period", p.index)
    df.insert(3, "periods", p.periods)
    return df


def tracking_rounds(rounds: Mapping[str, tuple[Scheme, RoundData]], expected: pd.DataFrame) -> TrackingRounds:
    """Read tracking rounds (oldest first) and their expected progress into one table.

    Parameters
    ----------
    rounds
        Round id -> (tracking scheme, round data), in time order.
    expected
        The expected-progress table (:func:`read_expected`).

    Raises
    ------
    DataError
        For the errors listed in the module docstring, located.
    """
    ids = [str(r) for r in rounds]
    periods = _ordered(ids)
    frames = [_round_rows(r, p, *rounds[r]) for r, p in zip(ids, periods)]
    rows = pd.concat(frames, ignore_index=True)
    exp = expected[expected["round"].isin(ids)]
    dup = exp.duplicated(["round", "unit_id", "indicator_id"], keep="first")
    if dup.any():
        r = exp[dup].iloc[0]
        raise DataError(f"a second expected share for {r['unit_id']} {r['indicator_id']} in round {r['round']}",
                        where=[r["_file"], f"row {r['_row']}"], hint="give one expected share per round and target")
    rows = rows.merge(exp[["round", "unit_id", "indicator_id", "profile", "expected_share"]],
                      on=["round", "unit_id", "indicator_id"], how="left")
    missing = rows["expected_share"].isna()
    if missing.any():
        r = rows[missing].iloc[0]
        files = sorted(set(expected["_file"]))
        raise DataError(f"no expected share for {r['unit_id']} {r['indicator_id']} in round {r['round']}"
                        + (f" (and {int(missing.sum()) - 1} more)" if missing.sum() > 1 else ""),
                        where=[", ".join(files)],
                        hint="every tracked target needs its profile and expected share for every round")
    _check_profiles(expected[expected["round"].isin(ids)])
    known = set(zip(rows["round"], rows["unit_id"], rows["indicator_id"]))
    problems = _problems(rows)
    extra = [r for r in exp.rename(columns={"_file": "file", "_row": "row"}).itertuples(index=False)
             if (r.round, r.unit_id, r.indicator_id) not in known]
    if extra:
        units = set(rows["unit_id"])
        problems += [{"round": r.round, "unit_id": r.unit_id, "indicator_id": r.indicator_id,
                      "code": "unknown_expected", "file": r.file, "row": r.row,
                      "column": "unit_id" if r.unit_id not in units else "indicator_id",
                      "message": f"expected share for {r.unit_id} {r.indicator_id}, which is not a tracked target"
                                 f"{did_you_mean(r.unit_id, units) if r.unit_id not in units else ''}"}
                     for r in extra[:50]]
    cols = ["round", "unit_id", "indicator_id", "code", "file", "row", "column", "message"]
    return TrackingRounds(rows=rows, rounds=tuple(ids), problems=pd.DataFrame(problems, columns=cols),
                          schemes={r: rounds[r][0] for r in ids})


def _check_profiles(exp: pd.DataFrame) -> None:
    """An expected cumulative share never falls within a year (a curve rises or stays)."""
    df = exp.assign(_p=[period(r) for r in exp["round"]])
    df["_year"] = [p.year for p in df["_p"]]
    df["_idx"] = [p.index for p in df["_p"]]
    df = df.sort_values(["unit_id", "indicator_id", "_year", "_idx"])
    prev = df.groupby(["unit_id", "indicator_id", "_year"])["expected_share"].shift()
    bad = df["expected_share"] < prev - 1e-12
    if bad.any():
        r = df[bad].iloc[0]
        raise DataError(f"the expected share of {r['unit_id']} {r['indicator_id']} falls to {r['expected_share']:g} "
                        f"in round {r['round']} (from {prev[bad].iloc[0]:g})",
                        where=[r["_file"], f"row {r['_row']}", "expected_share"],
                        hint="expected progress is cumulative: it rises or stays from one period to the next")


def _problems(rows: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(hits: pd.DataFrame, code: str, message) -> None:
        for r in hits.itertuples(index=False):
            out.append({"round": r.round, "unit_id": r.unit_id, "indicator_id": r.indicator_id, "code": code,
                        "file": r.value_file, "row": r.value_row, "column": "value", "message": message(r)})

    cumulative = ~rows["profile"].isin(CUMULATIVE_EXCLUDED) & (rows["rule"] != "binary")
    df = rows.sort_values(["unit_id", "indicator_id", "year", "period"])
    g = df.groupby(["unit_id", "indicator_id", "year"])
    hits = df.assign(prev=g["value"].shift(), prev_round=g["round"].shift())
    hits = hits[cumulative.reindex(df.index) & (hits["value"] < hits["prev"] - 1e-12)]
    add(hits, "falling_value", lambda r: f"cumulative value falls from {r.prev:g} ({r.prev_round}) to {r.value:g}: "
        "a cumulative figure cannot fall — correct the report, or declare the target a level target")
    has = rows["value"].notna()
    before_end = rows["period"] < rows["periods"]
    flow = ~rows["profile"].isin(CUMULATIVE_EXCLUDED)
    ceiling = has & before_end & flow & (rows["direction"] < 0) & (rows["value"] > rows["target"])
    add(rows[ceiling], "ceiling_exceeded", lambda r: f"{r.value:g} is already above the ceiling of {r.target:g} "
        "before the year is out: the target is missed whatever happens next")
    above = (has & before_end & flow & (rows["direction"] > 0) & (rows["rule"] == "completion") & (rows["target"] > 0)
             & rows["cap_used"].notna() & (rows["value"] > rows["cap_used"] * rows["target"]))
    add(rows[above], "above_cap", lambda r: f"{r.value:g} is already {r.value / r.target:.0%} of the target "
        f"({r.target:g}), above its cap of {r.cap_used:.0%}: check the value's unit, or whether the target was set "
        "too low")
    pct = has & (rows["measure"] == "%") & ((rows["value"] < 0) | (rows["value"] > 100))
    add(rows[pct], "percent_range", lambda r: f"{r.value:g}% is outside 0-100%: check the value's unit")
    return out


def load_tracking(folder: str | Path, scheme: str | Path, *, rounds: list[str] | None = None,
                  until: str | None = None, expected: list[str | Path] | None = None) -> TrackingRounds:
    """Read the tracking rounds of a folder: every ``<round>/`` sub-folder whose name is a
    period (``2025Q2``), oldest first, with the ``expected_progress*.csv`` files found there.

    Parameters
    ----------
    folder
        The tracking folder (e.g. ``datasets/demo_city/tracking``).
    scheme
        The tracking scheme; ``{year}`` in the path is filled in per round's year.
    rounds
        Only these rounds (in time order); default: every period folder.
    until
        Only rounds up to and including this one (a report of 2025Q2 does not see 2025Q3).
    expected
        Expected-progress files; default: ``expected_progress*.csv`` in ``folder``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError("tracking folder not found", where=[str(folder)])
    if rounds is None:
        found = []
        for p in folder.iterdir():
            if p.is_dir():
                try:
                    found.append((period(p.name), p.name))
                except DataError:
                    continue
        rounds = [name for _, name in sorted(found)]
    if until is not None:
        end = period(until)
        rounds = [r for r in rounds if period(r) <= end]
    if not rounds:
        raise DataError("no tracking rounds found (sub-folders named like 2025Q2)", where=[str(folder)])
    files = expected or sorted(folder.glob("expected_progress*.csv"))
    schemes: dict[int, Scheme] = {}
    data = {}
    for r in rounds:
        y = period(r).year
        if y not in schemes:
            schemes[y] = load_scheme(str(scheme).format(year=y) if "{year}" in str(scheme) else scheme)
        if not (folder / r).is_dir():
            raise DataError(f"no folder for round {r}", where=[str(folder)],
                            hint=f"rounds here: {', '.join(sorted(p.name for p in folder.iterdir() if p.is_dir()))}")
        data[r] = (schemes[y], load_round(folder / r, round=r))
    return tracking_rounds(data, read_expected(*files))
