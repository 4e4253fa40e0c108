"""The burden the special assessments put on each unit (基层迎检负担), clashes of
inspections, and a joint schedule (统一组织检查) that removes clashes.

Burden, per unit: assessments covering it, their indicators, data submissions a year
(``frequency``), inspections and inspection days. A *clash* is a week in which at least
``k`` different assessments inspect one unit.

The joint schedule moves inspections by whole weeks (keeping their weekdays and length)
within their windows (the schedule's ``window_start``/``window_end``, else the registry's
window for the inspection's kind; an inspection without a window stays where it is). It
is an integer programme solved with HiGHS (:func:`scipy.optimize.milp`):

* ``x[i, d] = 1`` when inspection ``i`` is moved by ``d`` weeks (one ``d`` per inspection);
* for each unit and week, the inspections there, less ``k - 1``, are at most
  ``M * z[u, w]`` (``z = 1``: a clash);
* optionally each assessment's team inspects at most as many units a week as its own
  schedule already has it do in its busiest week (``capacity="as_scheduled"``), or a
  number given, or without limit (``None``);
* minimise the clashes first, then the weeks moved in total.

Only the inspections of units that have a clash are moved (the others are fixed and count
towards the teams' capacity), which keeps the programme small; ``move="all"`` frees every
inspection. The programme counts inspections, so two visits of one assessment to a unit
in the same week count twice there (the reported clashes count assessments).

References
----------
Huangfu, Q. and Hall, J. A. J. (2018). Parallelizing the dual revised simplex method.
*Mathematical Programming Computation* 10, 119-142 (HiGHS).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from perfkit.analyses.consistency.registry import Registry, covered_units
from perfkit.analyses.consistency.schedule import inspection_weeks, week_label, week_of, window_dates
from perfkit.results import html_head, html_table

__all__ = ["BurdenResult", "JointSchedule", "burden", "clashes", "joint_schedule"]


@dataclass(frozen=True, eq=False)
class JointSchedule:
    """A proposed joint inspection schedule.

    Attributes
    ----------
    proposed
        The round's inspections with ``new_start``, ``new_end`` and ``moved_weeks``.
    calendar
        Per unit and week, the assessments inspecting it in the proposed schedule.
    moves
        The inspections that move.
    clashes_before, clashes_after
        Clashes (unit-weeks with ``k`` or more assessments) in the schedule as given and as
        proposed.
    status
        HiGHS's message; ``optimal`` is False when it stopped early (time limit) with the
        best schedule found so far.
    """

    proposed: pd.DataFrame
    calendar: pd.DataFrame
    moves: pd.DataFrame
    clashes_before: int
    clashes_after: int
    weeks_moved: int
    optimal: bool
    status: str
    params: Mapping = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.moves.copy()

    def __repr__(self) -> str:
        return (f"JointSchedule(clashes {self.clashes_before} -> {self.clashes_after}, moves={len(self.moves)}, "
                f"optimal={self.optimal})")

    def _repr_html_(self) -> str:
        return html_head("Joint inspection schedule", {"clashes": f"{self.clashes_before} -> {self.clashes_after}",
                                                      **self.params}) + html_table(self.moves)


@dataclass(frozen=True, eq=False)
class BurdenResult:
    """Burden per unit, the weekly inspection calendar, clashes and the joint schedule.

    Attributes
    ----------
    units
        One row per unit: ``assessments``, ``indicators``, ``submissions`` (a year),
        ``inspections``, ``inspection_days``, ``max_week`` (most assessments in one week),
        ``clash_weeks``.
    calendar
        Long table: ``unit_id``, ``week`` (number), ``iso_week``, ``monday``,
        ``assessments`` (number) and ``which`` (ids), as scheduled.
    clashes
        The rows of ``calendar`` with at least ``k`` assessments.
    joint
        The proposed joint schedule (``None`` when not asked for or no schedule).
    k
        Assessments in one week that make a clash.
    """

    units: pd.DataFrame
    calendar: pd.DataFrame
    clashes: pd.DataFrame
    joint: JointSchedule | None
    k: int
    params: Mapping = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def __repr__(self) -> str:
        return f"BurdenResult(units={len(self.units)}, clashes={len(self.clashes)}, k={self.k})"

    def _repr_html_(self) -> str:
        return html_head("Burden of the special assessments on the units", {"k": self.k}) + \
            html_table(self.units.sort_values("inspections", ascending=False)) + html_table(self.clashes)


def _calendar(rows: pd.DataFrame, shift: np.ndarray | None = None, *, k: int = 0) -> pd.DataFrame:
    """Per unit and week, how many assessments inspect the unit and which (only weeks with
    at least ``k``)."""
    cols = ["unit_id", "week", "iso_week", "monday", "assessments", "which"]
    w = inspection_weeks(rows, shift)
    if not len(w):
        return pd.DataFrame(columns=cols)
    w = w.drop_duplicates(["unit_id", "week", "assessment_id"]).sort_values(["unit_id", "week", "assessment_id"])
    u, wk, a = (w[c].to_numpy() for c in ("unit_id", "week", "assessment_id"))
    new = np.r_[True, (u[1:] != u[:-1]) | (wk[1:] != wk[:-1])]
    start = np.flatnonzero(new)
    count = np.diff(np.r_[start, len(u)])
    keep = count >= k
    names = [";".join(a[s0:s0 + c]) for s0, c in zip(start[keep], count[keep])]
    weeks = wk[start[keep]]
    cal = pd.DataFrame({"unit_id": u[start[keep]], "week": weeks,
                        "iso_week": [week_label(x) for x in weeks],
                        "monday": [pd.Timestamp.fromordinal(int(x) * 7 + 1) for x in weeks],
                        "assessments": count[keep], "which": names})
    return cal[cols]


def clashes(rows: pd.DataFrame, k: int, shift: np.ndarray | None = None) -> pd.DataFrame:
    """Unit-weeks in which at least ``k`` different assessments inspect the unit."""
    return _calendar(rows, shift, k=k)


def burden(registry: Registry, units: pd.DataFrame, rnd: str, schedule_rows: pd.DataFrame | None = None, *,
           k: int = 3, optimise: bool = True, capacity: int | str | None = "as_scheduled", move: str = "clashing",
           time_limit: float = 20.0) -> BurdenResult:
    """Burden per unit, the calendar and clashes (``k`` or more assessments in a week), and
    a joint schedule without clashes where the windows allow (see the module docstring).

    Parameters
    ----------
    registry
        The registry (coverage, indicators, frequency, inspection windows).
    units
        The round's units (index ``unit_id``, column ``category``).
    rnd
        The round.
    schedule_rows
        The round's inspections (:meth:`Schedule.for_round`), or ``None``.
    k
        Assessments in one week that make a clash (at least 2).
    optimise
        Propose a joint schedule.
    capacity, move, time_limit
        Of the joint schedule (:func:`joint_schedule`).
    """
    if k < 2:
        raise ValueError(f"k must be at least 2 (assessments in one week that make a clash), got {k}")
    active = registry.active(rnd)
    rows = []
    cover = {a.id: set(covered_units(a, units)) for a in active}
    for u in units.index:
        mine = [a for a in active if u in cover[a.id]]
        rows.append({"unit_id": u, "category": units.at[u, "category"], "assessments": len(mine),
                     "indicators": sum(len(a.indicators) for a in mine),
                     "submissions": sum(a.submissions or 0 for a in mine)})
    table = pd.DataFrame(rows).set_index("unit_id")
    sched = schedule_rows if schedule_rows is not None else pd.DataFrame(
        columns=["assessment_id", "unit_id", "kind", "start", "end", "days"])
    sched = sched[sched["unit_id"].isin(units.index)].reset_index(drop=True)
    cal = _calendar(sched)
    clash = cal[cal["assessments"] >= k].reset_index(drop=True)
    table["inspections"] = sched.groupby("unit_id").size().reindex(table.index).fillna(0).astype(int)
    table["inspection_days"] = sched.groupby("unit_id")["days"].sum().reindex(table.index).fillna(0).astype(int)
    table["max_week"] = cal.groupby("unit_id")["assessments"].max().reindex(table.index).fillna(0).astype(int)
    table["clash_weeks"] = clash.groupby("unit_id").size().reindex(table.index).fillna(0).astype(int)
    joint = None
    if optimise and len(sched):
        joint = joint_schedule(sched, registry, rnd, k=k, capacity=capacity, move=move, time_limit=time_limit)
    return BurdenResult(units=table, calendar=cal, clashes=clash, joint=joint, k=k,
                        params={"k": k, "capacity": capacity, "move": move})


def _options(rows: pd.DataFrame, registry: Registry | None, rnd: str) -> list[np.ndarray]:
    """Per inspection, the shifts (weeks) that keep it inside its window; 0 (staying put)
    is always one of them."""
    regs = registry.assessments if registry is not None else {}
    out = []
    for r in rows.itertuples(index=False):
        win = None
        if "window_start" in rows and not pd.isna(r.window_start):
            win = (r.window_start, r.window_end)
        elif r.assessment_id in regs:
            win = window_dates(regs[r.assessment_id].window(r.kind), rnd)
        opts = {0}
        if win is not None:
            first = int(np.ceil((win[0] - r.start).days / 7))
            last = int(np.floor((win[1] - r.end).days / 7))
            opts.update(range(first, last + 1))
        out.append(np.array(sorted(opts), dtype=int))
    return out


def joint_schedule(rows: pd.DataFrame, registry: Registry | None, rnd: str, *, k: int = 3,
                   capacity: int | str | None = "as_scheduled", move: str = "clashing",
                   time_limit: float = 20.0) -> JointSchedule:
    """Move inspections within their windows to minimise clashes (then the weeks moved).

    Parameters
    ----------
    rows
        The round's inspections: ``assessment_id, unit_id, kind, start, end`` and
        optionally ``window_start, window_end``.
    registry
        For the windows of each kind of inspection (may be ``None`` when the rows carry
        their windows).
    rnd
        The round (the year of the registry's MM-DD windows).
    k
        Assessments in one week that make a clash.
    capacity
        Most units an assessment inspects in one week: ``"as_scheduled"`` (its busiest
        week as given), a number, or ``None`` (no limit).
    move
        ``"clashing"`` (move only the inspections of units with a clash) or ``"all"``.
    time_limit
        Seconds HiGHS may take; the best schedule found by then is returned.
    """
    rows = rows.reset_index(drop=True)
    n = len(rows)
    before = clashes(rows, k)
    if move not in ("clashing", "all"):
        raise ValueError(f"move must be 'clashing' or 'all', got {move!r}")
    free = rows["unit_id"].isin(set(before["unit_id"])).to_numpy() if move == "clashing" else np.ones(n, bool)
    options = [o if f else np.zeros(1, dtype=int) for o, f in zip(_options(rows, registry, rnd), free)]
    w0, w1 = week_of(rows["start"]), week_of(rows["end"])
    # variables: one per (inspection, shift) option, then one z per (unit, week)
    opt_i = np.repeat(np.arange(n), [len(o) for o in options])
    opt_d = np.concatenate(options) if n else np.zeros(0, dtype=int)
    span = (w1 - w0 + 1)[opt_i]
    cell_o = np.repeat(np.arange(len(opt_i)), span)
    cell_w = (w0[opt_i] + opt_d)[cell_o] + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    unit_codes, unit_of = np.unique(rows["unit_id"].to_numpy(dtype=str), return_inverse=True)
    a_codes, a_of = np.unique(rows["assessment_id"].to_numpy(dtype=str), return_inverse=True)
    cell_u = unit_of[opt_i][cell_o]
    uw = pd.DataFrame({"o": cell_o, "i": opt_i[cell_o], "u": cell_u, "w": cell_w})
    possible = uw.drop_duplicates(["u", "w", "i"]).groupby(["u", "w"]).size()
    risky = possible[possible >= k]
    nx, nz = len(opt_i), len(risky)
    A_rows, A_cols, A_val, ub = [], [], [], []
    A_rows += opt_i.tolist()  # one option per inspection
    A_cols += list(range(len(opt_i)))
    A_val += [1.0] * len(opt_i)
    ub += [1.0] * n
    r = eq_rows = n
    if nz:  # sum of options in (u, w) - M z <= k - 1
        key = pd.MultiIndex.from_frame(uw[["u", "w"]])
        j = risky.index.get_indexer(key)
        sub = uw[j >= 0]
        row = r + j[j >= 0]
        zrow = r + np.arange(nz)
        A_rows += row.tolist() + zrow.tolist()
        A_cols += sub["o"].tolist() + (nx + np.arange(nz)).tolist()
        A_val += [1.0] * len(sub) + (-(risky.to_numpy(dtype=float) - (k - 1))).tolist()
        ub += [float(k - 1)] * nz
        r += nz
    if capacity is not None:  # each team's units a week
        aw = pd.DataFrame({"o": cell_o, "i": opt_i[cell_o], "a": a_of[opt_i][cell_o], "w": cell_w})
        if capacity == "as_scheduled":
            base = inspection_weeks(rows).assign(a=lambda d: a_of[d["i"].to_numpy(dtype=int)])
            cap = base.drop_duplicates(["a", "week", "i"]).groupby(["a", "week"]).size().groupby(level=0).max()
        elif isinstance(capacity, (int, np.integer)) and not isinstance(capacity, bool) and capacity >= 1:
            cap = pd.Series(int(capacity), index=range(len(a_codes)))
        else:
            raise ValueError(f"capacity must be 'as_scheduled', a whole number >= 1 or None, got {capacity!r}")
        n_aw = aw.drop_duplicates(["a", "w", "i"]).groupby(["a", "w"]).size()
        tight = n_aw[n_aw.to_numpy() > cap.reindex(n_aw.index.get_level_values(0)).fillna(0).to_numpy()]
        if len(tight):
            j = tight.index.get_indexer(pd.MultiIndex.from_frame(aw[["a", "w"]]))
            sub = aw[j >= 0]
            A_rows += (r + j[j >= 0]).tolist()
            A_cols += sub["o"].tolist()
            A_val += [1.0] * len(sub)
            ub += cap.reindex(tight.index.get_level_values(0)).fillna(0).astype(float).tolist()
            r += len(tight)
    A = sparse.csr_array((A_val, (A_rows, A_cols)), shape=(r, nx + nz))
    lb = np.r_[np.ones(eq_rows), np.full(r - eq_rows, -np.inf)]
    weight = float(np.abs(opt_d).sum() + 1)
    c = np.r_[np.abs(opt_d).astype(float), np.full(nz, weight)]
    res = milp(c, constraints=LinearConstraint(A, lb, np.asarray(ub)), integrality=np.ones(nx + nz),
               bounds=Bounds(0, 1), options={"time_limit": float(time_limit), "disp": False})
    if res.x is None:
        shift = np.zeros(n, dtype=int)
        optimal, status = False, str(res.message)
    else:
        chosen = np.flatnonzero(res.x[:nx] > 0.5)
        shift = np.zeros(n, dtype=int)
        shift[opt_i[chosen]] = opt_d[chosen]
        optimal, status = bool(res.status == 0), str(res.message)
    cal_after = _calendar(rows, shift)
    after = cal_after[cal_after["assessments"] >= k]
    prop = rows[["assessment_id", "unit_id", "kind", "start", "end"]].copy()
    prop["new_start"] = prop["start"] + pd.to_timedelta(7 * shift, unit="D")
    prop["new_end"] = prop["end"] + pd.to_timedelta(7 * shift, unit="D")
    prop["moved_weeks"] = shift
    prop["from_week"] = [week_label(x) for x in w0]
    prop["to_week"] = [week_label(x) for x in w0 + shift]
    moves = prop[prop["moved_weeks"] != 0].reset_index(drop=True)
    return JointSchedule(proposed=prop, calendar=cal_after, moves=moves, clashes_before=len(before), clashes_after=len(after),
                         weeks_moved=int(np.abs(shift).sum()), optimal=optimal, status=status,
                         params={"k": k, "capacity": capacity, "move": move, "variables": int(nx + nz)})
