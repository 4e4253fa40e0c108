"""Everything a tracking report shows, prepared in one call (:func:`prepare`).

A report notebook passes the paths of its inputs; this reads them, evaluates the baseline
and annual rounds, tracks the round (and, at the year end, the year's earlier rounds) and
closes the rectification loop. Each section is there only when its inputs are: no
baseline, no projected grade; no rectification list, no rectification section; no
results-use table, no results use. What was prepared is kept per process, keyed by the
inputs and their files' sizes and times, so the per-unit notices of a batch (run on warm
kernels) prepare the round once per worker.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import perfkit
from perfkit.analyses.tracking.projection import backtest
from perfkit.analyses.tracking.rectification import Closure, close_loop, read_items, read_returned
from perfkit.analyses.tracking.results_use import ResultsUse, results_use
from perfkit.analyses.tracking.rounds import TrackingRounds, load_tracking, period
from perfkit.analyses.tracking.rules import OfficeRules, load_rules
from perfkit.analyses.tracking.track import TrackingResult, track
from perfkit.analyses.tracking.year_end import YearEndRecord, year_end_record
from perfkit.errors import DataError

__all__ = ["TrackingContext", "prepare", "round_end"]


@dataclass(frozen=True, eq=False)
class TrackingContext:
    """The prepared sections of a tracking report.

    Attributes
    ----------
    round
        The tracking round.
    rules
        The office's declared rules.
    rounds
        The tracking rounds read (up to the round).
    tracking
        The round read against the profiles.
    closure
        Last year's rectification items: reported status and — with an annual round —
        whether they were closed (``None``: no list given).
    year_end
        The year's tracking rounds against the annual result (``None``: no annual round).
    results_use
        The declared results-use table applied to the annual round (``None``: no table or
        no annual round).
    coverage
        The backtest of the projection on the past years: ``level``, ``coverage``, ``n``
        (``None`` when there are fewer than two past years).
    names
        Unit id -> ``{"zh": ..., "en": ...}`` names.
    """

    round: str
    rules: OfficeRules
    rounds: TrackingRounds
    tracking: TrackingResult
    closure: Closure | None
    year_end: YearEndRecord | None
    results_use: ResultsUse | None
    coverage: dict[str, Any] | None
    names: dict[str, dict[str, str]]

    def name(self, unit: str, lang: str) -> str:
        return self.names.get(unit, {}).get(lang, unit)


def round_end(rnd: str):
    """The last day of a tracking round's period (overdue items are counted at it).

    >>> round_end("2025Q2"), round_end("2025M02")
    (datetime.date(2025, 6, 30), datetime.date(2025, 2, 28))
    """
    p = period(rnd)
    months = 12 // p.periods * p.index
    return (pd.Timestamp(year=p.year, month=months, day=1) + pd.offsets.MonthEnd(0)).date()


_CACHE: dict[tuple, TrackingContext] = {}


def _stamp(paths) -> tuple:
    out = []
    for p in paths:
        if p is None:
            continue
        p = Path(p)
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else []
        out.extend((str(q), q.stat().st_size, q.stat().st_mtime_ns) for q in files)
    return tuple(out)


def _evaluate(scheme, data, rnd):
    if scheme is None or data is None:
        return None
    return perfkit.evaluate(perfkit.load_scheme(scheme), perfkit.load_round(data, round=rnd))


def prepare(round: str, *, scheme: str | Path, folder: str | Path, rules: str | Path | None = None,  # noqa: A002
            baseline: tuple[Any, Any] | None = None, issued: str | Path | None = None,
            returned: str | Path | None = None, annual: tuple[Any, Any] | None = None,
            staff: str | Path | None = None) -> TrackingContext:
    """Prepare the sections of a tracking report (see the module docstring).

    Parameters
    ----------
    round
        The tracking round, e.g. ``"2025Q2"``.
    scheme
        The tracking scheme (``{year}`` in the path is filled in per year).
    folder
        The tracking folder: the round, the year's earlier rounds and past years' rounds,
        with their expected-progress tables.
    rules
        The office's rules YAML (default: perfkit's defaults, no results use).
    baseline
        ``(scheme, data)`` of last year's annual round: the projected grade and, with
        ``issued``, the units of the rectification list.
    issued, returned
        Last year's issued rectification list (CSV/XLSX) and the folder of the units'
        returned workbooks.
    annual
        ``(scheme, data)`` of this year's annual round (at the year end): the in-year record
        against the result, the closure of the rectification loop and the results use.
    staff
        The staff table (``unit_id, staff``) for the results use.
    """
    rnd = str(round)
    key = (rnd, str(scheme), str(folder), str(rules), str(baseline), str(issued), str(returned), str(annual),
           str(staff), _stamp([folder, rules, issued, returned, staff, *(baseline or ()), *(annual or ())]))
    if key in _CACHE:
        return _CACHE[key]
    office = load_rules(rules)
    p = period(rnd)
    rounds = load_tracking(folder, scheme, until=rnd)
    base_ev = _evaluate(*(baseline or (None, None)), str(p.year - 1))
    annual_ev = _evaluate(*(annual or (None, None)), str(p.year))
    tr = track(rounds, rnd, rules=office.tracking, baseline=base_ev)
    names = {u: {"zh": r["name_zh"], "en": r["name_en"]} for u, r in tr.units.iterrows()}
    closure = None
    if issued is not None:
        items = read_items(issued, tr.units[["name_zh", "name_en", "category"]], rules=office.rectification)
        files = sorted(q for q in Path(returned).iterdir() if q.suffix.lower() in (".xlsx", ".csv")
                       and not q.name.startswith(("~$", "."))) if returned else []
        back = read_returned(files, items, units=list(tr.units.index))
        closure = close_loop(items, back, annual_ev, as_of=round_end(rnd))
    year_end = ru = None
    if annual_ev is not None:
        earlier = [r for r in rounds.rounds if period(r).year == p.year and period(r) < p]
        tracked = [track(rounds, r, rules=office.tracking, baseline=base_ev) for r in earlier]
        year_end = year_end_record(tracked, annual_ev) if tracked else None
        if office.results_use is not None:
            if staff is None:
                raise DataError("a results-use table is declared but no staff table is given",
                                hint="pass the staff table (unit_id, staff) as the 'staff' input")
            ru = results_use(annual_ev, office, staff)
    coverage = None
    past = [y for y in rounds.years() if y < p.year]
    if len(past) >= 2:
        bt = backtest(rounds, years=past[1:], periods=(p.index,) if not p.last else None, level=office.tracking.level,
                      min_history=office.tracking.min_history, small_target=office.tracking.small_target)
        if len(bt):
            coverage = {"level": office.tracking.level, "coverage": float(bt["inside"].mean()), "n": int(len(bt)),
                        "years": sorted(set(bt["year"]))}
    ctx = TrackingContext(round=rnd, rules=office, rounds=rounds, tracking=tr, closure=closure, year_end=year_end,
                          results_use=ru, coverage=coverage, names=names)
    _CACHE.clear()
    _CACHE[key] = ctx
    return ctx
