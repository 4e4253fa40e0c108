"""Results use (结果运用): the office's declared rule table applied to a round's grades.

Per unit (:func:`results_use`):

* the number of its staff who may be rated excellent in their annual appraisal
  (公务员年度考核优秀名额): ``excellent_share[grade] x staff``, rounded as declared
  (``floor``, ``ceil`` or ``round`` half up, after rounding the product to 9 decimals, so
  that 0.15 x 20 is 3 and not 2.9999999999999996 — the engine's quota rounding,
  :func:`perfkit.engine.grading.quota_sizes`);
* its share of the performance-bonus pool: ``coefficient[grade] x staff`` (or the
  coefficient alone, ``bonus_basis: unit``) over the sum of all units'; with a pool, the
  amount in yuan to the fen (0.01), rounded by the largest-remainder method so that the
  amounts add up to the pool exactly (ties go to the unit listed first);
* the commendation list: the units whose grade is declared commended.

perfkit states the office's rules, it never invents them: with no rule table there is
nothing to compute (:func:`results_use` refuses), and the reports leave the section out.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perfkit.analyses.tracking.rules import OfficeRules, ResultsUseRules, RulesError
from perfkit.engine.grading import quota_sizes
from perfkit.errors import DataError, PerfkitError, did_you_mean
from perfkit.io.export import write_xlsx
from perfkit.io.read import read_table
from perfkit.results import html_head, html_table

__all__ = ["ResultsUse", "results_use", "read_staff", "write_results_use_xlsx", "largest_remainder"]


@dataclass(frozen=True, eq=False)
class ResultsUse:
    """The results-use table of one round.

    Attributes
    ----------
    round
        The annual round.
    units
        One row per unit: ``name_zh, name_en, category, rank, grade, staff,
        excellent_share, excellent_places, coefficient, bonus_weight, bonus_share`` and,
        with a pool, ``bonus_amount`` (yuan).
    commendation
        The units on the commendation list (category, rank, grade), best first per category.
    rules
        The declared rule table.
    pool
        The bonus pool (``None``: shares only).
    """

    round: str
    units: pd.DataFrame
    commendation: pd.DataFrame
    rules: ResultsUseRules
    pool: float | None

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def totals(self) -> dict[str, Any]:
        u = self.units
        out = {"units": len(u), "staff": int(u["staff"].sum()), "excellent_places": int(u["excellent_places"].sum()),
               "commended": len(self.commendation)}
        if self.pool is not None:
            out["bonus_amount"] = round(float(u["bonus_amount"].sum()), 2)
        return out

    def __repr__(self) -> str:
        return f"ResultsUse(round={self.round!r}, units={len(self.units)}, pool={self.pool})"

    def _repr_html_(self) -> str:
        return html_head("Results use", {"round": self.round, **self.totals()}) + html_table(self.units, rows=60)


def largest_remainder(weights: np.ndarray, total: float, *, decimals: int = 2) -> np.ndarray:
    """``total`` split in proportion to ``weights``, in steps of ``10**-decimals``, adding
    up to ``total`` exactly (Hamilton's largest-remainder method; ties to the first).

    >>> largest_remainder(np.array([1.0, 1.0, 1.0]), 100.0).tolist()
    [33.34, 33.33, 33.33]
    """
    w = np.asarray(weights, dtype=float)
    step = 10 ** decimals
    units = int(round(total * step))
    if w.sum() <= 0:
        return np.zeros_like(w)
    exact = w / w.sum() * units
    base = np.floor(np.round(exact, 6))
    left = int(units - base.sum())
    frac = exact - base
    order = np.argsort(-np.round(frac, 12), kind="stable")
    base[order[:left]] += 1
    return np.round(base / step, decimals)


def read_staff(path: str | Path, units: Iterable[str]) -> pd.Series:
    """A unit's staff numbers (``unit_id, staff``), checked: every unit known, whole
    non-negative numbers, none missing."""
    df = read_table(path)
    known = list(units)
    for c in ("unit_id", "staff"):
        if c not in df.columns:
            raise DataError(f"missing column {c!r}", where=[str(path)], hint="the staff table: unit_id, staff")
    out = {}
    for r in df.to_dict("records"):
        where = [str(path), str(r.get("_sheet") or ""), f"row {r['_row']}"]
        u = str(r["unit_id"]).strip()
        if u not in known:
            raise DataError(f"unknown unit {u!r}{did_you_mean(u, known)}", where=[*where, "unit_id"],
                            hint="use the unit ids of the round's units table")
        try:
            n = float(r["staff"])
        except (TypeError, ValueError):
            n = np.nan
        if not (n >= 0 and float(n).is_integer()):
            raise DataError(f"staff {r['staff']!r} is not a whole number", where=[*where, "staff"],
                            hint="the number of staff (civil servants) of the unit, e.g. 42")
        out[u] = int(n)
    missing = [u for u in known if u not in out]
    if missing:
        raise DataError(f"no staff number for unit {missing[0]!r}" + (f" (and {len(missing) - 1} more)"
                                                                       if len(missing) > 1 else ""),
                        where=[str(path)], hint="give every evaluated unit its staff number")
    return pd.Series(out, name="staff").reindex(known)


def _check_grades(rules: ResultsUseRules, ev, file: str | None) -> None:
    g = ev.scheme.model.grading
    if g is None:
        raise PerfkitError("the scheme declares no grades, so there is nothing to apply a results-use table to",
                           where=[file or "<rules>", "results_use"])
    grades: list[str] = []
    for c in sorted(set(ev.results["category"])):
        grades += [x.id for x in g.for_category(c) if x.id not in grades]
    for table in ("excellent_share", "bonus_coefficient"):
        have = getattr(rules, table)
        missing = [x for x in grades if x not in have]
        if missing:
            raise RulesError(f"no entry for grade {missing[0]!r}: the table must cover every grade of the scheme "
                             f"({', '.join(grades)})", where=[file or "<rules>", f"results_use.{table}"],
                             hint=f"add {missing[0]}: <value>")
        odd = [x for x in have if x not in grades]
        if odd:
            raise RulesError(f"grade {odd[0]!r} is not a grade of the scheme{did_you_mean(odd[0], grades)}",
                             where=[file or "<rules>", f"results_use.{table}.{odd[0]}"],
                             hint=f"the scheme's grades: {', '.join(grades)}")


def results_use(ev, rules: OfficeRules | ResultsUseRules | None, staff: pd.Series | str | Path, *,
                pool: float | None = None) -> ResultsUse:
    """Apply the office's results-use table to ``ev``'s grades (see the module docstring).

    Parameters
    ----------
    ev
        The annual :class:`~perfkit.engine.Evaluation` (graded).
    rules
        The office's rules (or their ``results_use`` table); no table: an error, since
        perfkit never invents one.
    staff
        Staff per unit: a Series indexed by unit id, or the path of a ``unit_id, staff``
        table (:func:`read_staff`).
    pool
        The bonus pool in yuan (default: the table's ``pool``; none: shares only).

    Raises
    ------
    PerfkitError
        No rule table declared.
    RulesError
        The table misses a grade of the scheme, or names one it does not have (located
        in the rules file).
    """
    file = rules.file if isinstance(rules, OfficeRules) else None
    table = rules.results_use if isinstance(rules, OfficeRules) else rules
    if table is None:
        raise PerfkitError("no results-use rule table is declared: perfkit applies the office's rules and does not "
                           "invent them", where=[file or "<rules>", "results_use"],
                           hint="declare results_use (excellent_share, bonus_coefficient, ...) in the rules YAML")
    _check_grades(table, ev, file)
    res = ev.results
    if not isinstance(staff, pd.Series):
        staff = read_staff(staff, res.index)
    missing = [u for u in res.index if u not in staff.index or staff.get(u) != staff.get(u)]
    if missing:
        raise DataError(f"no staff number for unit {missing[0]!r}", hint="give every evaluated unit its staff number")
    pool = table.pool if pool is None else pool
    df = res[["name_zh", "name_en", "category", "rank", "grade"]].copy()
    df["staff"] = staff.reindex(res.index).astype(int)
    graded = df["grade"].notna()
    df["excellent_share"] = [table.excellent_share.get(g, 0.0) if ok else 0.0 for g, ok in zip(df["grade"], graded)]
    df["excellent_places"] = quota_sizes(df["excellent_share"].to_numpy(), df["staff"].to_numpy(),
                                         table.rounding).astype(int)
    df["coefficient"] = [table.bonus_coefficient.get(g, 0.0) if ok else 0.0 for g, ok in zip(df["grade"], graded)]
    df["bonus_weight"] = df["coefficient"] * (df["staff"] if table.bonus_basis == "staff" else 1)
    total = df["bonus_weight"].sum()
    df["bonus_share"] = df["bonus_weight"] / total if total > 0 else 0.0
    if pool is not None:
        df["bonus_amount"] = largest_remainder(df["bonus_weight"].to_numpy(), pool)
    comm = df[df["grade"].isin(table.commendation)].sort_values(["category", "rank"])
    comm = comm[["name_zh", "name_en", "category", "rank", "grade"]]
    df.index.name = comm.index.name = "unit_id"
    return ResultsUse(round=str(ev.input_data.round or ""), units=df, commendation=comm, rules=table,
                      pool=None if pool is None else float(pool))


def write_results_use_xlsx(ru: ResultsUse, path: str | Path) -> Path:
    """The results-use table and the commendation list as one workbook (bilingual
    headers, written atomically)."""
    return write_xlsx(path, {"结果运用 Results use": ru.units, "表彰名单 Commendation": ru.commendation})
