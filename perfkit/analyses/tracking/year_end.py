"""The in-year record against the year-end result: what the tracking rounds said about a
unit's functional targets, and what the year brought (把日常跟踪情况作为年终评估的重要依据).

:func:`year_end_record` takes the year's tracking results (:func:`~.track.track` for each
round before the year end) and the annual evaluation, and returns per unit: the rounds in
which it was warned, the points at risk and the projected points of each round, its
functional-target points at the year end (in the annual scheme's points), its final
score, rank and grade, and per target whether a warning was confirmed (the target ended
below the warning line) or a false alarm, and targets that ended below the line unwarned.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfkit.analyses.tracking.track import TrackingResult
from perfkit.errors import DataError
from perfkit.results import html_head, html_table

__all__ = ["YearEndRecord", "year_end_record"]


@dataclass(frozen=True, eq=False)
class YearEndRecord:
    """The in-year record against the year-end result (see the module docstring).

    Attributes
    ----------
    rounds
        The tracking rounds compared, oldest first.
    units
        One row per unit: ``name_zh, name_en, category, warned_in`` (rounds), for each
        round ``at_risk_<round>`` and ``projected_<round>`` (points), ``points`` (the
        targets' points), ``earned`` and ``lost`` at the year end (the targets' points),
        ``final, rank, grade``, ``warned`` (targets warned in any round), ``confirmed``,
        ``false_alarms``, ``unwarned_misses``.
    targets
        One row per unit x target: ``warned_in``, ``share`` at the year end (the engine's
        share), ``missed`` (below the warning line), ``outcome`` (``confirmed``,
        ``false_alarm``, ``unwarned_miss``, ``""``).
    warn_below
        The warning line used (a share of the target's points).
    """

    rounds: tuple[str, ...]
    units: pd.DataFrame
    targets: pd.DataFrame
    warn_below: float

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def __repr__(self) -> str:
        t = self.targets
        return (f"YearEndRecord(rounds={list(self.rounds)}, units={len(self.units)}, "
                f"confirmed={int((t['outcome'] == 'confirmed').sum())}, "
                f"false_alarms={int((t['outcome'] == 'false_alarm').sum())})")

    def _repr_html_(self) -> str:
        return html_head("In-year record against the year-end result", {"rounds": ", ".join(self.rounds)}) + \
            html_table(self.units, rows=60)


def year_end_record(tracked: Sequence[TrackingResult], annual) -> YearEndRecord:
    """Compare the year's tracking results with the annual evaluation ``annual``.

    Parameters
    ----------
    tracked
        :class:`~.track.TrackingResult` of the year's rounds (oldest first).
    annual
        The year's annual :class:`~perfkit.engine.Evaluation`.
    """
    if not tracked:
        raise DataError("no tracking rounds to compare", hint="pass the TrackingResults of the year's rounds")
    rounds = tuple(t.round for t in tracked)
    warn_below = tracked[-1].rules.warn_below
    det = annual.targets_detail
    if not len(det):
        raise DataError("the annual evaluation has no functional targets", hint="use the year's annual round")
    det = det.set_index(["unit_id", "indicator_id"])
    lines = annual.explanations
    tl = lines[lines["id"].isin(det.index.get_level_values(1))].set_index(["unit_id", "id"])
    rows = tracked[-1].rows[["unit_id", "indicator_id", "name_zh", "name_en", "category", "label_zh", "label_en",
                             "points"]].copy()
    warned = {}
    for t in tracked:
        for u, i in zip(t.warnings.loc[t.warnings["level"] != "info", "unit_id"],
                        t.warnings.loc[t.warnings["level"] != "info", "indicator_id"]):
            warned.setdefault((u, i), []).append(t.round)
    key = pd.MultiIndex.from_frame(rows[["unit_id", "indicator_id"]])
    rows["warned_in"] = [", ".join(warned.get(k, [])) for k in key]
    rows["share"] = det["share"].reindex(key).to_numpy()
    rows["earned"] = tl["earned"].reindex(key).to_numpy()
    rows["lost"] = tl["lost"].reindex(key).to_numpy()
    rows["missed"] = rows["share"] < warn_below - 1e-12
    rows["outcome"] = np.select([(rows["warned_in"] != "") & rows["missed"], (rows["warned_in"] != "") & ~rows["missed"],
                                 (rows["warned_in"] == "") & rows["missed"]],
                                ["confirmed", "false_alarm", "unwarned_miss"], "")
    g = rows.groupby("unit_id", sort=False)
    units = g.agg(name_zh=("name_zh", "first"), name_en=("name_en", "first"), category=("category", "first"),
                  points=("points", "sum"), earned=("earned", "sum"), lost=("lost", "sum"))
    units["warned_in"] = [", ".join(r for r in rounds if any(r in w.split(", ") for w in sub["warned_in"]))
                          for _, sub in g]
    for t in tracked:
        units[f"at_risk_{t.round}"] = t.units["at_risk"].reindex(units.index)
        units[f"projected_{t.round}"] = t.units["projected_points"].reindex(units.index)
        if "projected_grade" in t.units:
            units[f"projected_grade_{t.round}"] = t.units["projected_grade"].reindex(units.index)
    res = annual.results.reindex(units.index)
    units["final"], units["rank"], units["grade"] = res["final"], res["rank"], res["grade"]
    for name, code in (("confirmed", "confirmed"), ("false_alarms", "false_alarm"),
                       ("unwarned_misses", "unwarned_miss")):
        units[name] = g["outcome"].agg(lambda s, c=code: int((s == c).sum()))
    units["warned"] = g["warned_in"].agg(lambda s: int((s != "").sum()))
    units.index.name = "unit_id"
    return YearEndRecord(rounds=rounds, units=units, targets=rows.reset_index(drop=True), warn_below=warn_below)
