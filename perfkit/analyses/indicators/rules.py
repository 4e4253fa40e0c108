"""The declared rules of the indicator review and their thresholds.

Each rule is checked in every round where it can be judged (enough units, a defined
statistic) and *fires* when it holds in more than ``Thresholds.rounds`` of those rounds (by
default a majority; a review of one round judges that round). A
fired rule becomes a :class:`~perfkit.results.Recommendation` naming the rule, its
threshold, the value in the latest round judged and the value in every round:

==============  ======  ===========================================================================
rule            action  holds when
==============  ======  ===========================================================================
constant        drop    one value for every unit with a value
ceiling         revise  at least ``full_share`` of the units get full marks (``drop`` when it holds in
                        every round of a review of two or more rounds)
floor           revise  at least ``full_share`` of the units get zero
redundant       merge   r >= ``corr`` with an indicator of the same aggregation group (COINr's
                        ``get_corr_flags`` default 0.9; scores, so directions are accounted for), from
                        at least ``min_units`` units; the one with fewer points is merged into the other
direction       revise  the Spearman correlation with the rest of the final score is <= -``direction``
                        (one-sided significant at ``alpha``) and the one with the rest of its parent is
                        negative, from at least ``min_units`` units
weight_low      revise  its share of the group's first-order effects is below its nominal share of the
                        group's weight divided by ``weight_factor`` (from ``min_units_effect`` units;
                        not checked where the direction rule holds: its influence then works against it)
weight_high     revise  the same share above the nominal share times ``weight_factor``
missing         revise  at least ``missing`` of the units it applies to have no value
imputed         revise  at least ``missing`` of them have an imputed value
==============  ======  ===========================================================================

Correlations, directions and effects are within category when units are ranked within
categories (see :mod:`perfkit.analyses.indicators.stats`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from perfkit.errors import PerfkitError, did_you_mean

__all__ = ["Thresholds", "ACTIONS", "RULES", "as_thresholds", "round_checks", "decide"]

#: Rule -> action (``ceiling`` becomes ``drop`` when it holds in every round, see above).
RULES = {"constant": "drop", "ceiling": "revise", "floor": "revise", "redundant": "merge", "direction": "revise",
         "weight_low": "revise", "weight_high": "revise", "missing": "revise", "imputed": "revise"}
#: Actions, strongest first.
ACTIONS = ("drop", "merge", "revise", "keep")


@dataclass(frozen=True)
class Thresholds:
    """The declared thresholds of the review's rules (see the module docstring).

    Attributes
    ----------
    full_share
        Ceiling / floor: share of units at full marks (or at zero). Default 0.9.
    corr
        Redundancy: correlation of the scores within an aggregation group. Default 0.9
        (COINr's ``get_corr_flags``).
    direction, alpha
        Direction: correlation with the rest of the final score at most ``-direction``,
        one-sided significant at ``alpha``. Defaults 0.3 and 0.05.
    weight_factor
        Effective against nominal weight: outside ``[1/f, f]``. Default 2.
    min_units
        Fewest units for a correlation or direction to be judged. Default 10.
    min_units_effect
        Fewest units for a first-order effect to be judged. Default 30.
    missing
        Missing (or imputed) share. Default 0.2.
    outlier_z
        Robust outliers: ``|modified z| >`` this (Iglewicz and Hoaglin). Default 3.5.
    unchanged
        Barely moves: share of units whose score changes by less than one point of 100
        between consecutive rounds. Default 0.9.
    rounds
        A rule fires when it holds in more than this share of the rounds it is judged in.
        Default 0.5 (a majority).
    """

    full_share: float = 0.9
    corr: float = 0.9
    direction: float = 0.3
    alpha: float = 0.05
    weight_factor: float = 2.0
    min_units: int = 10
    min_units_effect: int = 30
    missing: float = 0.2
    outlier_z: float = 3.5
    unchanged: float = 0.9
    rounds: float = 0.5

    def __post_init__(self) -> None:
        if not (isinstance(self.rounds, (int, float)) and not isinstance(self.rounds, bool)
                and 0 <= self.rounds < 1):
            raise PerfkitError(f"threshold rounds must be a share in [0, 1), got {self.rounds!r}",
                               hint="0.5: a rule fires when it holds in a majority of the rounds")
        shares = ("full_share", "corr", "direction", "alpha", "missing", "unchanged")
        for name in shares:
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1):
                raise PerfkitError(f"threshold {name} must be a number in (0, 1], got {v!r}")
        for name in ("weight_factor", "outlier_z"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > (1 if name == "weight_factor"
                                                                                      else 0)):
                raise PerfkitError(f"threshold {name} must be a number above {1 if name == 'weight_factor' else 0}, "
                                   f"got {v!r}")
        for name in ("min_units", "min_units_effect"):
            v = getattr(self, name)
            if not (isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 4):
                raise PerfkitError(f"threshold {name} must be a whole number of units >= 4, got {v!r}")


def as_thresholds(value: Thresholds | Mapping[str, Any] | None) -> Thresholds:
    """``value`` as :class:`Thresholds` (a mapping overrides the defaults it names).

    >>> as_thresholds({"corr": 0.8}).corr
    0.8
    >>> as_thresholds({"cor": 0.8})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: unknown threshold 'cor' (did you mean 'corr'?) — thresholds: full_share, ...
    """
    if value is None:
        return Thresholds()
    if isinstance(value, Thresholds):
        return value
    if not isinstance(value, Mapping):
        raise PerfkitError(f"thresholds must be a Thresholds or a mapping, got {type(value).__name__}")
    names = [f.name for f in fields(Thresholds)]
    for k in value:
        if k not in names:
            raise PerfkitError(f"unknown threshold {k!r}{did_you_mean(str(k), names)}",
                               hint=f"thresholds: {', '.join(names)}")
    return Thresholds(**dict(value))


def _row(rnd, ind, rule, value, judged, fired, other="", **extra) -> dict[str, Any]:
    ok = judged and value is not None and np.isfinite(value)
    return {"round": rnd, "indicator": ind, "rule": rule, "other": other, "value": float(value) if ok else np.nan,
            "judged": bool(ok), "fired": bool(ok and fired), **extra}


def round_checks(rnd: str, ids: list[str], weights: Mapping[str, float], th: Thresholds, *, disc: pd.DataFrame,
                 dist: pd.DataFrame, pairs: pd.DataFrame, dirn: pd.DataFrame, eff: pd.DataFrame) -> pd.DataFrame:
    """Every rule checked for every indicator of one round: one row per (indicator, rule,
    partner) with the value, whether it could be judged and whether it holds."""
    rows = []
    d = disc[disc["category"] == "all"].set_index("indicator")
    contradicted = set()
    for r in dirn.itertuples(index=False):
        n = min(r.n_final, r.n_parent)
        judged = n >= th.min_units and np.isfinite(r.rho_final) and np.isfinite(r.rho_parent)
        p = _one_sided_p(r.rho_final, r.n_final) if judged else np.nan
        fired = judged and r.rho_final <= -th.direction and p < th.alpha and r.rho_parent < 0
        if fired:
            contradicted.add(r.indicator)
        rows.append(_row(rnd, r.indicator, "direction", r.rho_final, judged, fired, rho_parent=r.rho_parent,
                         p=p, n=n, declared=r.declared))
    for ind in ids:
        if ind not in d.index:
            continue
        s = d.loc[ind]
        enough = s["n"] >= 2
        rows.append(_row(rnd, ind, "constant", s["distinct"], enough, s["distinct"] == 1, n=s["n"]))
        varies = enough and s["distinct"] > 1
        rows.append(_row(rnd, ind, "ceiling", s["full"], varies, s["full"] >= th.full_share, n=s["n"]))
        rows.append(_row(rnd, ind, "floor", s["zero"], varies, s["zero"] >= th.full_share, n=s["n"]))
    for r in dist.itertuples(index=False):
        if r.indicator in ids:
            rows.append(_row(rnd, r.indicator, "missing", r.missing, r.n > 0, r.missing >= th.missing, n=r.n))
            rows.append(_row(rnd, r.indicator, "imputed", r.imputed, r.n > 0, r.imputed >= th.missing, n=r.n))
    for r in pairs[pairs["same_group"]].itertuples(index=False):
        if r.a not in ids or r.b not in ids:
            continue
        # the indicator with fewer points (later in the scheme on a tie) is merged into the other
        a, b = (r.a, r.b) if weights.get(r.a, 0) < weights.get(r.b, 0) or (
            weights.get(r.a, 0) == weights.get(r.b, 0) and ids.index(r.a) > ids.index(r.b)) else (r.b, r.a)
        rows.append(_row(rnd, a, "redundant", r.r, r.n >= th.min_units, r.r >= th.corr, other=b, n=r.n,
                         group=r.group))
    for r in eff[eff["indicator"].isin(ids)].itertuples(index=False):
        judged = r.n >= th.min_units_effect and np.isfinite(r.ratio) and r.indicator not in contradicted
        extra = {"n": r.n, "S_norm": r.S_norm, "nominal": r.nominal, "optimal": r.optimal, "group": r.group}
        rows.append(_row(rnd, r.indicator, "weight_low", r.ratio, judged, r.ratio < 1.0 / th.weight_factor, **extra))
        rows.append(_row(rnd, r.indicator, "weight_high", r.ratio, judged, r.ratio > th.weight_factor, **extra))
    return pd.DataFrame(rows)


def _one_sided_p(rho: float, n: int) -> float:
    """P(correlation <= rho) under independence, Student's t approximation on n - 2 df."""
    if n <= 3 or not np.isfinite(rho):
        return float("nan")
    if rho <= -1.0:
        return 0.0
    t = rho * np.sqrt((n - 2) / max(1e-12, 1.0 - rho * rho))
    return float(sps.t.cdf(t, n - 2))


def decide(checks: pd.DataFrame, th: Thresholds) -> pd.DataFrame:
    """Per (indicator, rule, partner) over the rounds: rounds judged and fired, whether the
    rule fires (in more than ``th.rounds`` of the rounds judged), the action, the latest
    value and the value in each round."""
    rows = []
    if checks.empty:
        return pd.DataFrame(columns=["indicator", "rule", "other", "judged", "fired", "fires", "action", "value",
                                     "round", "values"])
    rounds = list(dict.fromkeys(checks["round"]))
    groups: dict[tuple, list[dict]] = {}
    for rec in checks[["indicator", "rule", "other", "round", "value", "judged", "fired"]].to_dict("records"):
        groups.setdefault((rec["indicator"], rec["rule"], rec["other"]), []).append(rec)
    for (ind, rule, other), recs in groups.items():
        j = [r for r in recs if r["judged"]]
        f = [r for r in j if r["fired"]]
        fires = len(f) > th.rounds * len(j)
        action = RULES[rule]
        if rule == "ceiling" and fires and len(f) == len(j) >= 2:
            action = "drop"
        latest = (f or j)[-1] if j else None
        rows.append({"indicator": ind, "rule": rule, "other": other, "judged": len(j), "fired": len(f),
                     "fires": bool(fires), "action": action,
                     "value": latest["value"] if latest is not None else np.nan,
                     "round": latest["round"] if latest is not None else "",
                     "values": {r["round"]: float(r["value"]) for r in j}, "rounds_total": len(rounds)})
    return pd.DataFrame(rows)
