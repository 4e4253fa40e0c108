"""Projecting a target's year-end value from its cumulative value at the end of a period.

The method (profile-scaled projection with a conformal interval)
----------------------------------------------------------------
A unit that reports ``v`` at period ``p`` of a target whose profile expects the share
``e`` of the year by then would, if it kept to its profile, end the year at ``v / e``.
Units do not keep to their profiles exactly; how far they stray is learnt from the past
years' tracking rounds of the same office: for every past target with a cumulative value
``v_p`` at period ``p`` and a year-end value ``Y`` (the value at the year's last period),
the *residual* ``r = log(v_p / Y) - log(e_p)`` says by how much the period's value
over- (``r > 0``) or under-stated the year. Residuals are pooled by profile, period and
size class: targets set as a small whole number (below ``small_target``, e.g. "5 items")
move in whole steps, so their residuals are coarser than those of large or continuous
targets and form their own class (a Mondrian, i.e. class-conditional, conformal
predictor: Vovk et al. 2005, ch. 4.5). A (profile, period, class) with fewer than
``min_history`` residuals borrows those of every profile at that period and class, then
of the whole period.

The projection is ``Y_hat = v / (e * exp(median r))`` and its interval at level ``1 - a``
is ``[v / (e * exp(r_hi)), v / (e * exp(r_lo))]``, with ``r_lo`` and ``r_hi`` the
``floor((n + 1) a / 2)``-th and ``ceil((n + 1)(1 - a / 2))``-th smallest of the ``n``
residuals: the split-conformal prediction interval (Vovk et al. 2005; Lei et al. 2018),
which covers a new year-end value with probability at least ``1 - a`` whenever the new
target's residual is exchangeable with the past ones. An end beyond the residuals'
range is open (0 or infinity).

Assumptions, stated: (1) the coming year strays from its profiles as past years did
(same reporting practice, no change in how targets are set); (2) a target's residual
does not depend on the unit (the residuals of one unit-year are correlated through the
unit's pace, so the coverage holds on average over targets, not for each unit);
(3) a cumulative value never falls, so the interval starts at ``v`` at the lowest.
Done / not-done milestones are projected as the past years' share of milestones not yet
done at that period that were done by the year's end. At the year's last period the
value is the year-end value. A target with nothing reported yet (``v = 0``) projects to 0
with an open upper end.

References
----------
Vovk, V., Gammerman, A. and Shafer, G. (2005). *Algorithmic Learning in a Random World*.
Springer. Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J. and Wasserman, L. (2018).
Distribution-free predictive inference for regression. *Journal of the American
Statistical Association* 113(523), 1094-1111.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from perfkit.analyses.tracking.rounds import CUMULATIVE_EXCLUDED, TrackingRounds
from perfkit.errors import DataError
from perfkit.results import html_head, html_table

__all__ = ["Calibration", "calibrate", "conformal_bounds", "project_values", "backtest"]


def conformal_bounds(residuals: np.ndarray, level: float) -> tuple[float, float, float]:
    """``(low, median, high)`` of sorted-or-not ``residuals`` for a split-conformal
    interval of coverage ``level``: the ``floor((n+1)a/2)``-th and ``ceil((n+1)(1-a/2))``-th
    order statistics (``-inf`` / ``inf`` beyond the sample).

    >>> conformal_bounds(np.arange(1.0, 20.0), 0.8)   # n = 19: the 2nd and 18th smallest
    (2.0, 10.0, 18.0)
    >>> conformal_bounds(np.array([1.0, 2.0]), 0.9)
    (-inf, 1.5, inf)
    """
    r = np.sort(np.asarray(residuals, dtype=float))
    n = r.size
    if n == 0:
        return (np.nan, np.nan, np.nan)
    a = 1.0 - level
    k_lo = int(np.floor(np.round((n + 1) * a / 2, 9)))
    k_hi = int(np.ceil(np.round((n + 1) * (1 - a / 2), 9)))
    lo = r[k_lo - 1] if k_lo >= 1 else -np.inf
    hi = r[k_hi - 1] if k_hi <= n else np.inf
    return (float(lo), float(np.median(r)), float(hi))


@dataclass(frozen=True, eq=False)
class Calibration:
    """What past years say about how far a period's value strays from the year.

    Attributes
    ----------
    residuals
        One row per past target and period: ``year, unit_id, indicator_id, profile,
        period, periods, small, residual`` (``log(v_p / Y) - log(e_p)``).
    milestones
        Per period: milestones not done at that period (``n``), of which done by the
        year's end (``done``), and the share (``p_done``).
    years
        The past years used.
    min_history
        Residuals a (profile, period, class) needs for its own interval.
    small_target
        Whole-number targets below this are the class of small targets.
    """

    residuals: pd.DataFrame
    milestones: pd.DataFrame
    years: tuple[int, ...]
    min_history: int
    small_target: float

    def group(self, profile: str, period: int, periods: int, small: bool) -> tuple[np.ndarray, str]:
        """The residuals a target of ``profile`` at ``period`` in its size class is
        projected with, and their pool (``"profile"``, ``"class"`` or ``"period"``)."""
        r = self.residuals
        at = r[(r["period"] == period) & (r["periods"] == periods)]
        same = at[at["small"] == small]
        own = same.loc[same["profile"] == profile, "residual"].to_numpy()
        if own.size >= self.min_history:
            return own, "profile"
        if len(same) >= self.min_history:
            return same["residual"].to_numpy(), "class"
        return at["residual"].to_numpy(), "period"

    def is_small(self, target) -> np.ndarray:
        """Targets of the small class: whole numbers below ``small_target``."""
        t = np.asarray(target, dtype=float)
        return (t < self.small_target) & (np.abs(t - np.round(t)) < 1e-9)

    def bounds(self, level: float) -> pd.DataFrame:
        """Per (profile, period, class): n, pool, low, median and high residual at ``level``."""
        rows = []
        for (prof, per, pers, small), _ in self.residuals.groupby(["profile", "period", "periods", "small"]):
            res, pool = self.group(prof, per, pers, bool(small))
            lo, med, hi = conformal_bounds(res, level)
            rows.append({"profile": prof, "period": per, "periods": pers, "small": bool(small), "n": res.size,
                         "pool": pool, "low": lo, "median": med, "high": hi})
        return pd.DataFrame(rows, columns=["profile", "period", "periods", "small", "n", "pool", "low", "median",
                                           "high"])

    def p_done(self, period: int, periods: int) -> float:
        m = self.milestones
        hit = m[(m["period"] == period) & (m["periods"] == periods)]
        return float(hit["p_done"].iloc[0]) if len(hit) and hit["n"].iloc[0] > 0 else np.nan

    def to_frame(self) -> pd.DataFrame:
        return self.bounds(0.8)

    def __repr__(self) -> str:
        return f"Calibration(years={list(self.years)}, residuals={len(self.residuals)})"

    def _repr_html_(self) -> str:
        return html_head("Tracking calibration (past quarter-to-year ratios)",
                         {"years": ", ".join(map(str, self.years)), "residuals": len(self.residuals)}) + \
            html_table(self.bounds(0.8))


def calibrate(rounds: TrackingRounds, years: list[int] | None = None, *, min_history: int = 30,
              small_target: float = 20.0) -> Calibration:
    """Learn the residuals of the past years' tracking rounds (see the module docstring).

    Parameters
    ----------
    rounds
        Tracking rounds holding the past years, each with its last period (the year end).
    years
        The years to learn from (default: every complete year in ``rounds``).
    min_history
        Residuals a (profile, period, class) needs for its own interval.
    small_target
        Whole-number targets below this form the class of small targets.

    Raises
    ------
    DataError
        No complete past year (a year needs its last period's round).
    """
    rows = rounds.rows
    if years is not None:
        rows = rows[rows["year"].isin(years)]
    last = rows[rows["period"] == rows["periods"]]
    complete = sorted(set(last["year"]))
    if not complete:
        raise DataError("no complete past year to learn from (a year needs the round of its last period)",
                        hint="pass past years' tracking rounds, each with its Q4 (or M12) round")
    rows = rows[rows["year"].isin(complete)]
    year_end = last.set_index(["year", "unit_id", "indicator_id"])["value"]
    early = rows[rows["period"] < rows["periods"]].copy()
    early["year_end"] = year_end.reindex(pd.MultiIndex.from_frame(early[["year", "unit_id", "indicator_id"]])).to_numpy()
    binary = early["rule"] == "binary"
    ok = (~binary & (early["expected_share"] > 0) & (early["value"] > 0) & (early["year_end"] > 0))
    res = early[ok].copy()
    res["residual"] = np.log(res["value"] / res["year_end"]) - np.log(res["expected_share"])
    t = res["target"].to_numpy(dtype=float)
    res["small"] = (t < small_target) & (np.abs(t - np.round(t)) < 1e-9)
    res = res[["year", "unit_id", "indicator_id", "profile", "period", "periods", "small", "residual"]]
    res = res.reset_index(drop=True)
    ms = early[binary & (early["value"] == 0) & early["year_end"].notna()]
    mile = (ms.assign(done=(ms["year_end"] != 0).astype(int)).groupby(["period", "periods"])
            .agg(n=("done", "size"), done=("done", "sum")).reset_index())
    mile["p_done"] = mile["done"] / mile["n"].where(mile["n"] > 0)
    return Calibration(residuals=res, milestones=mile, years=tuple(complete), min_history=int(min_history),
                       small_target=float(small_target))


def project_values(rows: pd.DataFrame, cal: Calibration, level: float) -> pd.DataFrame:
    """Projected year-end value and interval of each row of one round (see the module
    docstring): ``projected, low, high, p_done`` (milestones), ``pool`` and ``n_history``.

    ``rows`` are :attr:`TrackingRounds.rows` of one round.
    """
    n = len(rows)
    out: dict[str, Any] = {k: np.full(n, np.nan) for k in ("projected", "low", "high", "p_done")}
    out["pool"] = np.full(n, "", dtype=object)
    out["n_history"] = np.zeros(n, dtype=int)
    cache: dict[tuple, tuple] = {}
    done_share: dict[tuple, float] = {}
    cumulative = (~rows["profile"].isin(CUMULATIVE_EXCLUDED) & (rows["rule"] != "binary")).to_numpy()
    small = cal.is_small(rows["target"])
    for i, r in enumerate(rows.itertuples(index=False)):
        v, e = r.value, r.expected_share
        if v != v:
            out["pool"][i] = "missing"
            continue
        if r.period == r.periods:
            out["projected"][i] = out["low"][i] = out["high"][i] = v
            if r.rule == "binary":
                out["p_done"][i] = 1.0 if v != 0 else 0.0
            out["pool"][i] = "year_end"
            continue
        if r.rule == "binary":
            if v == 0 and (r.period, r.periods) not in done_share:
                done_share[(r.period, r.periods)] = cal.p_done(r.period, r.periods)
            p = 1.0 if v != 0 else done_share[(r.period, r.periods)]
            out["p_done"][i] = p
            out["projected"][i] = p
            out["low"][i], out["high"][i] = (1.0, 1.0) if v != 0 else (0.0, 1.0)
            out["pool"][i] = "milestone"
            continue
        if not e > 0:
            out["pool"][i] = "not_due"
            continue
        key = (r.profile, r.period, r.periods, bool(small[i]))
        if key not in cache:
            res, pool = cal.group(*key)
            cache[key] = (*conformal_bounds(res, level), pool, res.size)
        lo, med, hi, pool, size = cache[key]
        out["pool"][i], out["n_history"][i] = pool, size
        if size == 0:
            continue
        if v <= 0:
            out["projected"][i], out["low"][i], out["high"][i] = 0.0, 0.0, np.inf
            out["pool"][i] = "no_progress"
            continue
        proj, low, high = v / (e * np.exp(med)), v / (e * np.exp(hi)), v / (e * np.exp(lo))
        if cumulative[i]:
            proj, low, high = max(proj, v), max(low, v), max(high, v)
        if r.measure == "%" and r.target <= 100:
            proj, low, high = min(proj, 100.0), min(low, 100.0), min(high, 100.0)
        out["projected"][i], out["low"][i], out["high"][i] = proj, low, high
    return pd.DataFrame(out, index=rows.index)


def backtest(rounds: TrackingRounds, *, years: list[int] | None = None, periods: tuple[int, ...] | None = None,
             level: float = 0.8, min_history: int = 30, small_target: float = 20.0) -> pd.DataFrame:
    """Project each year's periods from the earlier years only and check the intervals
    against the year-end values: one row per target and period with ``year, period,
    unit_id, indicator_id, profile, value, projected, low, high, year_end, inside``.

    Parameters
    ----------
    rounds
        Tracking rounds of several complete years.
    years
        The years to project (default: every complete year after the first).
    periods
        The periods to project (default: every period before the year end).
    level
        Nominal coverage of the intervals.

    Only targets with an interval are counted (not milestones, not targets with nothing
    reported yet: their intervals are open).
    """
    rows = rounds.rows
    last = rows[rows["period"] == rows["periods"]]
    complete = sorted(set(last["year"]))
    years = [y for y in (years or complete[1:]) if y in complete]
    year_end = last.set_index(["year", "unit_id", "indicator_id"])["value"]
    out = []
    for y in years:
        past = [p for p in complete if p < y]
        if not past:
            continue
        cal = calibrate(rounds, past, min_history=min_history, small_target=small_target)
        sub = rows[(rows["year"] == y) & (rows["period"] < rows["periods"])]
        if periods is not None:
            sub = sub[sub["period"].isin(periods)]
        pr = project_values(sub, cal, level)
        df = pd.concat([sub[["year", "period", "unit_id", "indicator_id", "profile", "value"]], pr], axis=1)
        df["year_end"] = year_end.reindex(pd.MultiIndex.from_frame(sub[["year", "unit_id", "indicator_id"]])).to_numpy()
        ok = (sub["rule"] != "binary") & df["low"].notna() & np.isfinite(df["high"]) & df["year_end"].notna()
        df = df[ok]
        df["inside"] = (df["year_end"] >= df["low"] - 1e-9) & (df["year_end"] <= df["high"] + 1e-9)
        out.append(df)
    cols = ["year", "period", "unit_id", "indicator_id", "profile", "value", "projected", "low", "high", "year_end",
            "inside"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)
