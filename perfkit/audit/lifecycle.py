"""A round's lifecycle: published (公示) → appeals filed (申诉) → reviewed (复核) → final.

Every step is an entry of the office's :class:`~perfkit.audit.log.AuditLog`:

* :func:`publish` — the round as published: the scheme and data files (paths relative to
  the log, SHA-256 of each), every cell that may be appealed with its published value, and
  every unit's published final score, rank and grade;
* :func:`file_appeal` — a unit challenges one published value (unit, indicator, published
  value, the value it asks for, why, who filed); refused when the round is not published
  or already final, the unit or indicator does not exist or does not apply, the value is not
  allowed, or the same cell has an undecided appeal;
* :func:`decide` — accepted (with the value asked for or another one the review found) or
  rejected, why and by whom; an appeal is decided once;
* :func:`finalise` — when every appeal is decided: the final round is the published round
  with the accepted values, re-evaluated; :func:`review` gives the same without writing.

The diff of the published and the final round lists every unit whose score, rank or grade
changed and the appeals that changed it: the accepted appeals are applied one at a time in
the order they were decided, and each unit's change is traced to the appeals at whose step
it moved (a unit with no appeal of its own can move because another unit's figure changed
a relative normalisation, a rank or a grade quota).
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import perfkit
from perfkit.audit.log import AuditError, AuditLog, Entry
from perfkit.collection.duty import duty_cells
from perfkit.engine.evaluate import evaluate
from perfkit.engine.evaluation import Evaluation
from perfkit.engine.validate import validate_round
from perfkit.errors import PerfkitError, did_you_mean
from perfkit.io.round import RoundData, file_sha256, load_round
from perfkit.results import html_head, html_table
from perfkit.scheme import Scheme, load_scheme

__all__ = ["publish", "file_appeal", "decide", "appeals", "review", "finalise", "round_status", "RoundReview",
           "DECISIONS"]

DECISIONS = ("accepted", "rejected")
_TOL = 1e-6


# ---------------------------------------------------------------------- helpers
def _rel(path: Path, log: AuditLog) -> str:
    try:
        return os.path.relpath(Path(path).resolve(), log.path.resolve().parent).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return str(Path(path).resolve())


def _abs(rel: str, log: AuditLog) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else (log.path.resolve().parent / p).resolve()


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def _num(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _where(log: AuditLog, seq: int | None = None) -> list[str]:
    return [str(log.path)] + ([f"entry {seq}"] if seq is not None else [])


def _published(log: AuditLog, rnd: str) -> Entry:
    pubs = log.entries(rnd, "publish")
    if not pubs:
        have = sorted({e.round for e in log.entries(kind="publish")})
        raise AuditError(f"round {rnd} is not published{did_you_mean(rnd, have)}", where=_where(log),
                         hint=f"published rounds: {', '.join(have) or '(none)'}; publish it first "
                              "(perfkit audit publish)")
    return pubs[0]


def _final(log: AuditLog, rnd: str) -> Entry | None:
    finals = log.entries(rnd, "final")
    return finals[0] if finals else None


def _decision_of(log: AuditLog, appeal_seq: int) -> Entry | None:
    return next((e for e in log.entries(kind="decision") if e.ref == appeal_seq), None)


def round_status(log: AuditLog, round: str) -> str:  # noqa: A002
    """``unpublished``, ``published`` (no appeal yet), ``appeals`` (some undecided),
    ``reviewed`` (every appeal decided) or ``final``."""
    rnd = str(round)
    if not log.entries(rnd, "publish"):
        return "unpublished"
    if _final(log, rnd) is not None:
        return "final"
    filed = log.entries(rnd, "appeal")
    if not filed:
        return "published"
    decided = {e.ref for e in log.entries(rnd, "decision")}
    return "reviewed" if all(a.seq in decided for a in filed) else "appeals"


# ---------------------------------------------------------------------- publish
def publish(log: AuditLog, scheme: str | Path, data: str | Path, *, round: str | int, who: str,  # noqa: A002
            note: str = "") -> Entry:
    """Record the round as published (公示). The data must pass validation."""
    rnd = str(round)
    scheme_path, data_path = Path(scheme), Path(data)
    sch = load_scheme(scheme_path)
    rd = load_round(data_path, round=rnd)
    report = validate_round(sch, rd)
    report.raise_for_errors()
    ev = evaluate(sch, rd, validation=report)
    duty = duty_cells(sch, rd, default="")
    values = rd.values
    published = {(_text(u), _text(i)): _text(v) for u, i, v in zip(values["unit_id"], values["indicator_id"],
                                                                    values["value"])} if len(values) else {}
    indicators: dict[str, dict[str, Any]] = {}
    cells = []
    for r in duty.itertuples(index=False):
        indicators.setdefault(r.indicator_id, {"kind": r.kind, "lo": _num(r.lo), "hi": _num(r.hi),
                                               "grades": list(r.grades), "label_zh": r.indicator_name,
                                               "label_en": r.indicator_name_en, "measure": r.measure})
        cells.append([r.unit_id, r.indicator_id, published.get((r.unit_id, r.indicator_id))])
    res = ev.results
    payload = {
        "perfkit": perfkit.__version__,
        "note": note,
        "scheme": {"path": _rel(scheme_path, log), "sha256": file_sha256(scheme_path), "id": sch.id,
                   "hash": sch.hash},
        "data": {"path": _rel(data_path, log), "files": [[_rel(Path(p), log), h] for p, h in rd.files]},
        "units": {u: [res.loc[u, "name_zh"], res.loc[u, "name_en"], res.loc[u, "category"]] for u in res.index},
        "indicators": indicators,
        "cells": cells,
        "results": _snapshot(ev),
    }

    def check(lg: AuditLog) -> None:
        pubs = lg.entries(rnd, "publish")
        if pubs:
            raise AuditError(f"round {rnd} is already published (entry {pubs[0].seq})", where=_where(lg, pubs[0].seq),
                             hint="a published figure is changed only through an appeal (perfkit appeal file)")

    return log.append("publish", round=rnd, who=who, reason=note or None, payload=payload, check=check)


def _snapshot(ev: Evaluation) -> dict[str, list]:
    r = ev.results
    return {u: [round(float(r.loc[u, "final"]), 6), float(r.loc[u, "rank"]), str(r.loc[u, "grade"])
                if "grade" in r.columns and pd.notna(r.loc[u, "grade"]) else None] for u in r.index}


# ---------------------------------------------------------------------- appeals
def _check_value(info: Mapping[str, Any], value: Any, log: AuditLog, unit: str, indicator: str) -> str:
    text = _text(value)
    if text is None:
        raise AuditError(f"no value given for {unit} {indicator}", where=_where(log), hint="give the value (--value)")
    kind = info["kind"]
    if kind == "grade":
        if text not in info["grades"]:
            raise AuditError(f"grade {text!r} is not one of {', '.join(info['grades'])}", where=_where(log),
                             hint=f"indicator {indicator} takes a grade")
        return text
    try:
        x = float(text)
    except ValueError:
        raise AuditError(f"{text!r} is not a number", where=_where(log),
                         hint=f"indicator {indicator} takes a number" + (f" ({info['measure']})" if info.get("measure")
                                                                         else "")) from None
    lo, hi = info.get("lo"), info.get("hi")
    if (lo is not None and x < lo) or (hi is not None and x > hi) or not math.isfinite(x):
        rng = f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"
        raise AuditError(f"{text} is outside the allowed range {rng} of {indicator}", where=_where(log),
                         hint="check the unit of measure (percent or ratio)")
    if kind == "binary" and x not in (0.0, 1.0):
        raise AuditError(f"{text}: a done-or-not target takes 1 (done) or 0 (not done)", where=_where(log))
    return text


def file_appeal(log: AuditLog, *, round: str | int, unit_id: str, indicator_id: str, value: Any,  # noqa: A002
                reason: str, who: str) -> Entry:
    """File an appeal (申诉) against one published value; returns the appeal entry."""
    rnd = str(round)
    pub = _published(log, rnd)
    units = pub.payload["units"]
    if unit_id not in units:
        raise AuditError(f"unit {unit_id!r} was not evaluated in round {rnd}{did_you_mean(unit_id, list(units))}",
                         where=_where(log, pub.seq), hint="use a unit id of the published round")
    cells = {(u, i): v for u, i, v in pub.payload["cells"]}
    info = pub.payload["indicators"].get(indicator_id)
    if info is None:
        mine = [i for (u, i) in cells if u == unit_id]
        raise AuditError(f"no indicator {indicator_id!r} for unit {unit_id}{did_you_mean(indicator_id, mine)}",
                         where=_where(log, pub.seq), hint=f"indicators of {unit_id}: {', '.join(mine[:12])}"
                                                          + (" …" if len(mine) > 12 else ""))
    if (unit_id, indicator_id) not in cells:
        raise AuditError(f"indicator {indicator_id!r} does not apply to unit {unit_id} "
                         f"({units[unit_id][2]})", where=_where(log, pub.seq),
                         hint="an appeal is about a figure the unit was evaluated on")
    if not str(reason or "").strip():
        raise AuditError("an appeal needs a reason", where=_where(log), hint="say why the figure is wrong (--reason)")
    new = _check_value(info, value, log, unit_id, indicator_id)
    old = cells[(unit_id, indicator_id)]
    if old is not None and _same(old, new):
        raise AuditError(f"{new} is the published value of {unit_id} {indicator_id}", where=_where(log, pub.seq),
                         hint="an appeal asks for a different value")

    def check(lg: AuditLog) -> None:
        fin = _final(lg, rnd)
        if fin is not None:
            raise AuditError(f"round {rnd} is final (entry {fin.seq}): no more appeals", where=_where(lg, fin.seq))
        decided = {e.ref for e in lg.entries(rnd, "decision")}
        for a in lg.entries(rnd, "appeal"):
            if a.unit_id == unit_id and a.indicator_id == indicator_id and a.seq not in decided:
                raise AuditError(f"{unit_id} {indicator_id} already has an undecided appeal (entry {a.seq})",
                                 where=_where(lg, a.seq), hint="decide it first (perfkit appeal decide)")

    return log.append("appeal", round=rnd, who=who, unit_id=unit_id, indicator_id=indicator_id, old_value=old,
                      new_value=new, reason=str(reason).strip(), check=check)


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def decide(log: AuditLog, appeal: int, *, decision: str, decided_by: str, reason: str,
           value: Any = None) -> Entry:
    """Decide an appeal (复核): ``accepted`` (the value asked for, or ``value``) or ``rejected``."""
    if decision not in DECISIONS:
        raise AuditError(f"decision {decision!r}: say accepted or rejected{did_you_mean(decision, DECISIONS)}",
                         where=_where(log))
    try:
        seq = int(appeal)
    except (TypeError, ValueError):
        raise AuditError(f"{appeal!r} is not an entry number", where=_where(log)) from None
    a = log.entry(seq)
    if a.kind != "appeal":
        raise AuditError(f"entry {a.seq} is a {a.kind} entry, not an appeal", where=_where(log, a.seq),
                         hint="list the appeals with perfkit appeal list")
    if not str(reason or "").strip():
        raise AuditError("a decision needs a reason", where=_where(log, a.seq), hint="say why (--reason)")
    if not str(decided_by or "").strip():
        raise AuditError("who decided?", where=_where(log, a.seq), hint="give the name (--by NAME)")
    pub = _published(log, a.round)
    if decision == "accepted":
        new = _check_value(pub.payload["indicators"][a.indicator_id], a.new_value if value is None else value, log,
                           a.unit_id, a.indicator_id)
    else:
        if value is not None:
            raise AuditError("a rejected appeal keeps the published value: give no --value", where=_where(log, a.seq))
        new = None

    def check(lg: AuditLog) -> None:
        d = _decision_of(lg, a.seq)
        if d is not None:
            raise AuditError(f"appeal {a.seq} was already decided ({d.decision} by {d.decided_by}, entry {d.seq})",
                             where=_where(lg, d.seq), hint="an appeal is decided once")
        fin = _final(lg, a.round)
        if fin is not None:
            raise AuditError(f"round {a.round} is final (entry {fin.seq})", where=_where(lg, fin.seq))

    return log.append("decision", round=a.round, who=decided_by, unit_id=a.unit_id, indicator_id=a.indicator_id,
                      old_value=a.old_value, new_value=new, reason=str(reason).strip(), decision=decision,
                      decided_by=decided_by, ref=a.seq, check=check)


def appeals(log: AuditLog, round: str | int | None = None) -> pd.DataFrame:  # noqa: A002
    """Every appeal with its decision: ``appeal, round, filed_at, filed_by, unit_id,
    indicator_id, published, requested, reason, status, decided, decided_by, decided_at,
    decision_reason, decision_entry``."""
    rnd = None if round is None else str(round)
    dec = {e.ref: e for e in log.entries(rnd, "decision")}
    rows = []
    for a in log.entries(rnd, "appeal"):
        d = dec.get(a.seq)
        rows.append({"appeal": a.seq, "round": a.round, "filed_at": a.ts, "filed_by": a.who, "unit_id": a.unit_id,
                     "indicator_id": a.indicator_id, "published": a.old_value, "requested": a.new_value,
                     "reason": a.reason, "status": d.decision if d else "open",
                     "decided": d.new_value if d else None, "decided_by": d.decided_by if d else None,
                     "decided_at": d.ts if d else None, "decision_reason": d.reason if d else None,
                     "decision_entry": d.seq if d else None})
    return pd.DataFrame(rows, columns=["appeal", "round", "filed_at", "filed_by", "unit_id", "indicator_id",
                                       "published", "requested", "reason", "status", "decided", "decided_by",
                                       "decided_at", "decision_reason", "decision_entry"])


# ---------------------------------------------------------------------- review and final
@dataclass(frozen=True, eq=False)
class RoundReview:
    """The published and the final round and what the appeals changed.

    Attributes
    ----------
    round
        The round.
    published, final
        The re-evaluated published round and the final round (published + accepted appeals).
    diff
        One row per unit whose final score, rank or grade changed: ``unit_id, name_zh,
        name_en, category, final_published, final, change, rank_published, rank,
        grade_published, grade, appeals`` (the appeals it is traced to) and ``own`` (the
        unit's own figure was changed).
    steps
        One row per accepted appeal, in the order applied: ``appeal, decision_entry,
        unit_id, indicator_id, published, decided, units_changed``.
    appeals
        Every appeal of the round with its decision (:func:`appeals`).
    """

    round: str
    published: Evaluation
    final: Evaluation
    diff: pd.DataFrame
    steps: pd.DataFrame
    appeals: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        return self.diff.copy()

    def _repr_html_(self) -> str:
        return html_head("RoundReview", {"round": self.round, "appeals": len(self.appeals),
                                         "accepted": len(self.steps), "units changed": len(self.diff)}) \
            + html_table(self.diff)


def _load_published(log: AuditLog, pub: Entry) -> tuple[Scheme, RoundData]:
    p = pub.payload
    sch_path = _abs(p["scheme"]["path"], log)
    for rel, want in [[p["scheme"]["path"], p["scheme"]["sha256"]], *p["data"]["files"]]:
        f = _abs(rel, log)
        if not f.is_file():
            raise AuditError(f"a published file is gone: {rel}", where=_where(log, pub.seq),
                             hint="restore the round's files as they were published")
        if file_sha256(f) != want:
            raise AuditError(f"a published file was changed after publication: {rel}", where=_where(log, pub.seq),
                             hint="restore the file as published; changes go through appeals")
    sch = load_scheme(sch_path)
    data = load_round(_abs(p["data"]["path"], log), round=pub.round)
    have = {str(_abs(rel, log)) for rel, _ in p["data"]["files"]}
    now = {str(Path(f).resolve()) for f, _ in data.files}
    if now - have:
        raise AuditError(f"files were added to the round after publication: {', '.join(sorted(now - have))[:200]}",
                         where=_where(log, pub.seq), hint="remove them; changes go through appeals")
    return sch, data


def _apply(data: RoundData, changes: list[tuple[int, str, str, str]]) -> RoundData:
    """``data`` with the decided values (appeal, unit, indicator, value) in place."""
    v = data.values.copy()
    key = list(zip(v["unit_id"].map(_text), v["indicator_id"].map(_text)))
    pos = {k: i for i, k in enumerate(key)}
    add = []
    for seq, u, i, value in changes:
        src = {"_file": f"appeal {seq}", "_sheet": "", "_row": seq}
        if (u, i) in pos:
            idx = v.index[pos[(u, i)]]
            v.loc[idx, "value"] = value
            for c, x in src.items():
                v.loc[idx, c] = x
        else:
            add.append({"round": data.round, "unit_id": u, "indicator_id": i, "value": value, **src})
    if add:
        v = pd.concat([v, pd.DataFrame(add)], ignore_index=True)
    return data.replace(values=v)


def _moved(a: pd.DataFrame, b: pd.DataFrame) -> pd.Index:
    fa, fb = a["final"].round(9), b["final"].round(9)
    changed = (fa - fb).abs() > 1e-9
    changed |= a["rank"] != b["rank"]
    if "grade" in a.columns:
        changed |= a["grade"].astype(str) != b["grade"].astype(str)
    return a.index[changed]


def review(log: AuditLog, round: str | int) -> RoundReview:  # noqa: A002
    """The final round as it stands (published + accepted appeals so far), re-evaluated, and
    the diff against the published round, every difference traced to its appeals."""
    rnd = str(round)
    pub = _published(log, rnd)
    sch, data = _load_published(log, pub)
    published = evaluate(sch, data)
    snap = pub.payload["results"]
    for u, (final, rank, grade) in snap.items():
        if u not in published.results.index:
            raise AuditError(f"unit {u} of the published results is not in the round any more",
                             where=_where(log, pub.seq))
        r = published.results.loc[u]
        now_grade = str(r["grade"]) if "grade" in r.index and pd.notna(r["grade"]) else None
        if abs(float(r["final"]) - final) > _TOL or float(r["rank"]) != rank or now_grade != grade:
            raise AuditError(f"re-evaluating the published round does not give the published results (unit {u}: "
                             f"{final:.6f}, rank {rank:g}, {grade} published; {float(r['final']):.6f}, rank "
                             f"{float(r['rank']):g}, {now_grade} now)", where=_where(log, pub.seq),
                             hint="the scheme or the engine changed since publication; review the round with the "
                                  f"perfkit that published it ({pub.payload.get('perfkit')})")
    decisions = sorted((e for e in log.entries(rnd, "decision") if e.decision == "accepted"), key=lambda e: e.seq)
    traces: dict[str, list[int]] = {}
    steps = []
    current, applied = published, []
    for d in decisions:
        applied.append((d.ref, d.unit_id, d.indicator_id, d.new_value))
        nxt_data = _apply(data, applied)
        try:
            nxt = evaluate(sch, nxt_data)
        except PerfkitError as exc:
            raise AuditError(f"the round with appeal {d.ref} accepted cannot be evaluated: {exc}",
                             where=_where(log, d.seq)) from None
        moved = _moved(current.results, nxt.results)
        for u in moved:
            traces.setdefault(u, []).append(int(d.ref))
        steps.append({"appeal": int(d.ref), "decision_entry": d.seq, "unit_id": d.unit_id,
                      "indicator_id": d.indicator_id, "published": d.old_value, "decided": d.new_value,
                      "units_changed": len(moved)})
        current = nxt
    final = current
    a, b = published.results, final.results
    changed = _moved(a, b)
    own = {d.unit_id for d in decisions}
    rows = []
    for u in changed:
        rows.append({"unit_id": u, "name_zh": a.loc[u, "name_zh"], "name_en": a.loc[u, "name_en"],
                     "category": a.loc[u, "category"], "final_published": float(a.loc[u, "final"]),
                     "final": float(b.loc[u, "final"]), "change": float(b.loc[u, "final"] - a.loc[u, "final"]),
                     "rank_published": float(a.loc[u, "rank"]), "rank": float(b.loc[u, "rank"]),
                     "grade_published": a.loc[u, "grade"] if "grade" in a.columns else None,
                     "grade": b.loc[u, "grade"] if "grade" in b.columns else None,
                     "appeals": tuple(dict.fromkeys(traces.get(u, ()))), "own": u in own})
    diff = pd.DataFrame(rows, columns=["unit_id", "name_zh", "name_en", "category", "final_published", "final",
                                       "change", "rank_published", "rank", "grade_published", "grade", "appeals",
                                       "own"])
    untraced = diff[diff["appeals"].map(len) == 0]
    if len(untraced):  # cannot happen: a unit that differs at the end differs at some step
        raise AuditError(f"changes not traced to an appeal: {', '.join(untraced['unit_id'])}", where=_where(log))
    steps_df = pd.DataFrame(steps, columns=["appeal", "decision_entry", "unit_id", "indicator_id", "published",
                                            "decided", "units_changed"])
    return RoundReview(rnd, published, final, diff.sort_values(["category", "rank"]).reset_index(drop=True),
                       steps_df, appeals(log, rnd))


def finalise(log: AuditLog, round: str | int, *, who: str) -> tuple[RoundReview, Entry]:  # noqa: A002
    """Make the round final: every appeal must be decided. Returns the review and the entry."""
    rnd = str(round)
    _published(log, rnd)
    fin = _final(log, rnd)
    if fin is not None:
        raise AuditError(f"round {rnd} is already final (entry {fin.seq})", where=_where(log, fin.seq))
    open_ = appeals(log, rnd)
    open_ = open_[open_["status"] == "open"]
    if len(open_):
        raise AuditError(f"{len(open_)} appeal(s) of round {rnd} are not decided: entries "
                         f"{', '.join(map(str, open_['appeal'][:10]))}", where=_where(log),
                         hint="decide them first (perfkit appeal decide)")
    rv = review(log, rnd)
    seen = log.head()[0]

    def check(lg: AuditLog) -> None:
        later = [e for e in lg.entries(rnd) if e.seq > seen and e.kind in ("appeal", "decision", "final")]
        if later:
            raise AuditError(f"the log changed while the round was being finalised (entry {later[0].seq})",
                             where=_where(lg, later[0].seq), hint="run it again")

    diff = [{**{k: (list(v) if isinstance(v, tuple) else (None if isinstance(v, float) and np.isnan(v) else v))
                for k, v in r.items()}} for r in rv.diff.to_dict("records")]
    payload = {"perfkit": perfkit.__version__, "results": _snapshot(rv.final), "diff": diff,
               "accepted": rv.steps["appeal"].tolist(),
               "appeals": int(len(rv.appeals)), "rejected": int((rv.appeals["status"] == "rejected").sum())}
    entry = log.append("final", round=rnd, who=who, reason=f"{len(rv.steps)} accepted appeal(s)", payload=payload,
                       check=check)
    return rv, entry
