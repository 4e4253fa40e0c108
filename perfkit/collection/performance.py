"""How well each collector did its collection work (数据采集工作评价), and 反向约束.

:func:`collector_performance` reads the submission records (``records.csv``: ``round,
collector_id, version, file, rows, submitted_at, deadline, note`` and, when known,
``errors`` per submission) against the deadlines and gives, per collector and round: the
deadline, when the first version came, how many days late (a started day counts: 6 hours
late is 1 day), how many versions (resubmissions = versions − 1), the errors found in the
first version and in all versions. :func:`submission_errors` finds those errors by reading
each submitted file again (:func:`perfkit.collection.ingest`).

:func:`collection_penalties` turns that record into penalty points on the collector's own
evaluation when the scheme declares a ``collection:`` rule
(:class:`perfkit.scheme.models.CollectionRule`): the source document asks that a body that
"未严格按照考核工作要求组织数据采集或出现数据采集失误的, 要实行反向约束机制"
(``shared/seed/000_*.txt``, 五、强化监管约束).
"""
from __future__ import annotations

import builtins
import datetime as _dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from perfkit.collection.duty import _registry, read_deadlines
from perfkit.collection.ingest import ingest
from perfkit.errors import DataError
from perfkit.i18n import t
from perfkit.io.read import read_table
from perfkit.io.round import RoundData
from perfkit.results import Alert, html_head, html_table
from perfkit.scheme import Scheme

__all__ = ["read_records", "submission_errors", "collector_performance", "CollectorPerformance",
           "collection_penalties", "PERFORMANCE_COLUMNS"]

PERFORMANCE_COLUMNS = ("round", "collector_id", "deadline", "first_submitted", "last_submitted", "hours_late",
                       "days_late", "on_time", "versions", "resubmissions", "rows", "errors_first", "errors_total",
                       "errors_per_submission")


def _local_times(s: pd.Series) -> pd.Series:
    """Timestamps as the office's local wall-clock time (naive), like the deadlines; times
    with a UTC offset are converted to this machine's local time."""
    try:
        return pd.to_datetime(s, errors="coerce", format="mixed")
    except ValueError:  # a mix of offsets, or offsets and naive times
        parsed = [pd.Timestamp(v) if isinstance(v, str) and v.strip() else pd.NaT for v in s]
        local = _dt.datetime.now().astimezone().tzinfo
        return pd.Series([v.tz_convert(local).tz_localize(None) if v is not pd.NaT and v.tzinfo else v
                          for v in parsed], index=s.index, dtype="datetime64[ns]")


def read_records(path: str | Path | pd.DataFrame) -> pd.DataFrame:
    """The submission records, typed: ``version`` int, ``submitted_at``/``deadline`` timestamps."""
    df = path.copy() if isinstance(path, pd.DataFrame) else read_table(path)
    need = ("round", "collector_id", "version", "submitted_at")
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", where=[str(df.attrs.get("file", path))],
                        hint="records need round, collector_id, version, submitted_at (file, rows, deadline, errors)")
    df["round"] = df["round"].astype(str).str.strip()
    df["collector_id"] = df["collector_id"].astype(str).str.strip()
    df["version"] = pd.to_numeric(df["version"], errors="coerce")
    df["submitted_at"] = _local_times(df["submitted_at"])
    for col, what in (("version", "a version number"), ("submitted_at", "a date and time")):
        bad = df[df[col].isna()]
        if len(bad):
            r = bad.iloc[0]
            raise DataError(f"{col} is not {what}", where=[str(r.get("_file", "")), f"row {r.get('_row', '?')}",
                                                          f"column {col}"],
                            hint="e.g. version 1, submitted_at 2026-01-18 16:52")
    df["version"] = df["version"].astype(int)
    if "deadline" in df.columns:
        df["deadline"] = _local_times(df["deadline"])
    for col in ("errors", "rows"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def submission_errors(scheme: Scheme, data: RoundData, records: pd.DataFrame, *, base: str | Path,
                      round: str | None = None,  # noqa: A002
                      collectors: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read every submitted file of the round again and count its problems.

    ``records`` as :func:`read_records` gives; ``file`` paths are relative to ``base``.
    Returns ``round, collector_id, version, errors, warnings`` (a file that is gone counts
    as NaN errors).
    """
    rnd = str(round or data.round)
    recs = records[records["round"] == rnd]
    rows = []
    for r in recs.itertuples(index=False):
        path = Path(base) / str(r.file)
        if not path.is_file():
            rows.append((rnd, r.collector_id, r.version, np.nan, np.nan))
            continue
        ing = ingest(scheme, data, path, round=rnd, collector=r.collector_id, collectors=collectors)
        rows.append((rnd, r.collector_id, r.version, len(ing.errors), len(ing.warnings)))
    return pd.DataFrame(rows, columns=["round", "collector_id", "version", "errors", "warnings"])


@dataclass(frozen=True, eq=False)
class CollectorPerformance:
    """Each collector's record per round.

    Attributes
    ----------
    table
        One row per round and collector (:data:`PERFORMANCE_COLUMNS`).
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def late(self) -> pd.DataFrame:
        """The late first submissions, latest first."""
        return self.table[~self.table["on_time"]].sort_values("hours_late", ascending=False)

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """One alert per late collector and per first submission with errors."""
        out = []
        for r in self.table.itertuples(index=False):
            if not r.on_time:
                out.append(Alert("collection", "warning", "collect_late", r.collector_id,
                                 {"round": r.round, "days": int(r.days_late),
                                  "deadline": r.deadline.strftime("%Y-%m-%d %H:%M")},
                                 {"hours_late": float(r.hours_late)}))
            if r.errors_first and not math.isnan(r.errors_first) and r.errors_first > 0:
                out.append(Alert("collection", "info", "collect_errors", r.collector_id,
                                 {"round": r.round, "errors": int(r.errors_first), "versions": int(r.versions)}))
        return tuple(out)

    def _repr_html_(self) -> str:
        return html_head("CollectorPerformance", {"rows": len(self.table), "late": int((~self.table["on_time"]).sum())}) \
            + html_table(self.table)


def collector_performance(records: str | Path | pd.DataFrame, deadlines: str | Path | pd.DataFrame | None = None, *,
                          errors: pd.DataFrame | None = None, rounds: list[str] | None = None) -> CollectorPerformance:
    """Timeliness, resubmissions and errors per collector and round.

    Parameters
    ----------
    records
        Submission records (a path or :func:`read_records`' table).
    deadlines
        ``round, collector_id, deadline``; without it the records' ``deadline`` column.
    errors
        Problems per submission (:func:`submission_errors`); without it the records'
        ``errors`` column, if any.
    rounds
        Keep only these rounds.

    Examples
    --------
    >>> recs = pd.DataFrame({"round": ["2025"] * 3, "collector_id": ["a", "a", "b"], "version": [1, 2, 1],
    ...                      "submitted_at": ["2026-01-21 09:00", "2026-01-22 10:00", "2026-01-19 10:00"]})
    >>> dl = pd.DataFrame({"round": ["2025", "2025"], "collector_id": ["a", "b"],
    ...                    "deadline": ["2026-01-20 17:30", "2026-01-20 17:30"]})
    >>> collector_performance(recs, dl).table[["collector_id", "days_late", "on_time", "resubmissions"]]
      collector_id  days_late  on_time  resubmissions
    0            a          1    False              1
    1            b          0     True              0
    """
    rec = read_records(records)
    if rounds is not None:
        rec = rec[rec["round"].isin([str(r) for r in rounds])]
    if deadlines is not None:
        dl = read_deadlines(deadlines)[["round", "collector_id", "deadline"]]
        rec = rec.drop(columns=[c for c in ("deadline",) if c in rec.columns]).merge(
            dl, on=["round", "collector_id"], how="left")
    elif "deadline" not in rec.columns:
        rec["deadline"] = pd.NaT
    if errors is not None:
        e = errors[["round", "collector_id", "version", "errors"]].copy()
        e["version"] = e["version"].astype(int)
        rec = rec.drop(columns=[c for c in ("errors",) if c in rec.columns]).merge(
            e, on=["round", "collector_id", "version"], how="left")
    elif "errors" not in rec.columns:
        rec["errors"] = np.nan
    if "rows" not in rec.columns:
        rec["rows"] = np.nan
    out = []
    for (rnd, cid), g in rec.sort_values(["round", "collector_id", "version"]).groupby(["round", "collector_id"],
                                                                                      sort=False):
        first, last = g.iloc[0], g.iloc[-1]
        deadline = first["deadline"]
        hours = (first["submitted_at"] - deadline).total_seconds() / 3600 if pd.notna(deadline) else np.nan
        late = 0 if (np.isnan(hours) or hours <= 0) else math.ceil(hours / 24)
        errs = g["errors"].astype(float)
        out.append({"round": rnd, "collector_id": cid, "deadline": deadline, "first_submitted": first["submitted_at"],
                    "last_submitted": last["submitted_at"], "hours_late": max(0.0, hours) if not np.isnan(hours)
                    else np.nan, "days_late": late, "on_time": late == 0, "versions": len(g),
                    "resubmissions": len(g) - 1, "rows": first["rows"], "errors_first": float(errs.iloc[0]),
                    "errors_total": float(errs.sum(min_count=1)),
                    "errors_per_submission": float(errs.mean()) if errs.notna().any() else np.nan})
    table = pd.DataFrame(out, columns=list(PERFORMANCE_COLUMNS))
    table["on_time"] = table["on_time"].astype(bool)
    table["days_late"] = table["days_late"].astype(int)
    return CollectorPerformance(table.reset_index(drop=True))


def _reason(lang: str, days: int, errors: int, resub: int, points: float) -> str:
    parts = []
    if days:
        parts.append(t("collect.penalty_late", lang, days=days))
    if errors:
        parts.append(t("collect.penalty_errors", lang, errors=errors))
    if resub:
        parts.append(t("collect.penalty_resubmitted", lang, n=resub))
    sep = "、" if lang == "zh" else ", "
    return t("collect.penalty_reason", lang, what=sep.join(parts), points=f"{points:g}")


def collection_penalties(scheme: Scheme, performance: CollectorPerformance, *, round: str,  # noqa: A002
                         collectors: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Adjustments rows (``round, unit_id, kind, item, points, reason, reason_en``) that book
    each collector's record as a penalty on its own evaluation, by the scheme's
    ``collection:`` rule (none when the scheme declares no rule).

    Points: ``per_day_late`` x days late beyond ``grace_days`` + ``per_error`` x errors in
    the first version + ``per_resubmission`` x resubmissions, at most ``cap``. Collectors
    that are not evaluated units (no ``unit_id`` in the registry) get no points.
    """
    rule = scheme.model.collection
    cols = ["round", "unit_id", "kind", "item", "points", "reason", "reason_en"]
    if rule is None:
        return pd.DataFrame(columns=cols)
    reg = _registry(collectors)
    unit_of = {r["collector_id"]: str(r.get("unit_id") or "").strip() for _, r in reg.iterrows()
               if str(r.get("unit_id") or "").strip() not in ("", "nan")}
    rows = []
    tab = performance.table[performance.table["round"] == str(round)]
    for r in tab.itertuples(index=False):
        unit = unit_of.get(r.collector_id)
        if not unit:
            continue
        days = max(0, int(r.days_late) - rule.grace_days)
        errors = 0 if math.isnan(r.errors_first) else int(r.errors_first)
        resub = int(r.resubmissions)
        points = rule.per_day_late * days + rule.per_error * errors + rule.per_resubmission * resub
        if rule.cap is not None:
            points = min(points, rule.cap)
        points = builtins.round(points, 6)
        if points <= 0:
            continue
        counted = (days if rule.per_day_late else 0, errors if rule.per_error else 0,
                   resub if rule.per_resubmission else 0)
        rows.append((str(round), unit, "penalty", rule.item, points, _reason("zh", *counted, points),
                     _reason("en", *counted, points)))
    return pd.DataFrame(rows, columns=cols)
