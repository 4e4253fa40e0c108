"""``perfkit audit publish|verify|head|log|review|final`` and ``perfkit appeal file|decide|list``.

Wire them into the main parser with ``perfkit.audit.cli.add_parser(subparsers)``. Bad input
(an unknown unit or indicator, an appeal decided twice, a file that is not a perfkit log
...) raises :class:`~perfkit.audit.AuditError` — one line, exit 2 — and writes nothing; a
broken chain makes ``verify`` list every broken entry and exit 2.
"""
from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import pandas as pd

from perfkit.audit import lifecycle as ap
from perfkit.audit.log import AuditError, open_log
from perfkit.io.export import write_evaluation, write_xlsx

__all__ = ["add_parser"]


def _sqlite_errors(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    @wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except sqlite3.Error as exc:
            raise AuditError(f"the log cannot be used: {exc}", where=[str(getattr(args, "log", ""))],
                             hint="check that it is the office's audit log and that its folder is writable") from None
    return run


def _print_frame(df: pd.DataFrame) -> None:
    with pd.option_context("display.width", 220, "display.max_rows", None, "display.max_colwidth", 40):
        print(df.to_string(index=False) if len(df) else "(none)")


@_sqlite_errors
def cmd_publish(args: argparse.Namespace) -> int:
    with open_log(args.log, create=True, office=args.office or "") as log:
        e = ap.publish(log, args.scheme, args.data, round=args.round, who=args.by, note=args.note or "")
        print(f"round {e.round} published (entry {e.seq}): {len(e.payload['units'])} units, "
              f"{len(e.payload['cells'])} figures open to appeal")
        print(f"receipt {e.seq}:{e.hash}")
    return 0


@_sqlite_errors
def cmd_verify(args: argparse.Namespace) -> int:
    with open_log(args.log) as log:
        v = log.verify(args.receipt)
    print(v)
    return 0 if v.ok else 2


@_sqlite_errors
def cmd_head(args: argparse.Namespace) -> int:
    with open_log(args.log) as log:
        seq, h = log.head()
    print(f"{seq}:{h}")
    return 0


@_sqlite_errors
def cmd_log(args: argparse.Namespace) -> int:
    with open_log(args.log) as log:
        df = log.to_frame(args.round)
    _print_frame(df.drop(columns=["prev_hash"]).assign(hash=df["hash"].str[:12]) if len(df) else df)
    return 0


def _show_review(rv: ap.RoundReview) -> None:
    print(f"round {rv.round}: {len(rv.appeals)} appeal(s), {len(rv.steps)} accepted, "
          f"{len(rv.diff)} unit(s) changed")
    if len(rv.diff):
        d = rv.diff.assign(appeals=rv.diff["appeals"].map(lambda a: ",".join(map(str, a))))
        _print_frame(d[["unit_id", "category", "final_published", "final", "change", "rank_published", "rank",
                        "grade_published", "grade", "appeals"]].round(4))


@_sqlite_errors
def cmd_review(args: argparse.Namespace) -> int:
    with open_log(args.log) as log:
        _show_review(ap.review(log, args.round))
    return 0


@_sqlite_errors
def cmd_final(args: argparse.Namespace) -> int:
    with open_log(args.log) as log:
        rv, e = ap.finalise(log, args.round, who=args.by)
    _show_review(rv)
    print(f"round {rv.round} is final (entry {e.seq}); receipt {e.seq}:{e.hash}")
    if args.out:
        out = Path(args.out)
        write_evaluation(rv.final, out, manifest_extra={"audit_log": str(args.log), "final_entry": e.seq})
        diff = rv.diff.assign(appeals=rv.diff["appeals"].map(lambda a: ", ".join(map(str, a))))
        write_xlsx(out / "appeals.xlsx", {"diff": diff, "appeals": rv.appeals, "steps": rv.steps})
        print(f"wrote the final results to {out}")
    return 0


@_sqlite_errors
def cmd_appeal_file(args: argparse.Namespace) -> int:
    with open_log(args.log) as log:
        e = ap.file_appeal(log, round=args.round, unit_id=args.unit, indicator_id=args.indicator, value=args.value,
                           reason=args.reason, who=args.by)
    print(f"appeal {e.seq} filed: {e.unit_id} {e.indicator_id} {e.old_value} -> {e.new_value}")
    return 0


@_sqlite_errors
def cmd_appeal_decide(args: argparse.Namespace) -> int:
    decision = "accepted" if args.accept else "rejected"
    with open_log(args.log) as log:
        e = ap.decide(log, args.appeal, decision=decision, decided_by=args.by, reason=args.reason, value=args.value)
    print(f"appeal {e.ref} {e.decision} (entry {e.seq})" + (f": {e.unit_id} {e.indicator_id} = {e.new_value}"
                                                            if e.new_value is not None else ""))
    return 0


@_sqlite_errors
def cmd_appeal_list(args: argparse.Namespace) -> int:
    with open_log(args.log) as log:
        df = ap.appeals(log, args.round)
    _print_frame(df[["appeal", "round", "unit_id", "indicator_id", "published", "requested", "status", "decided",
                     "decided_by", "filed_by"]])
    return 0


def add_parser(subparsers) -> None:
    """Register ``audit`` and ``appeal`` on ``subparsers``."""
    a = subparsers.add_parser("audit", help="publish a round, verify the audit log, make a round final")
    asub = a.add_subparsers(dest="audit_command", required=True)
    p = asub.add_parser("publish", help="record a round as published (公示)")
    p.add_argument("log", help="the office's audit log (.sqlite; created if missing)")
    p.add_argument("scheme")
    p.add_argument("data", help="the round's data folder or workbook, as published")
    p.add_argument("--round", required=True)
    p.add_argument("--by", required=True, help="who publishes")
    p.add_argument("--office", default=None, help="the office's name (a new log)")
    p.add_argument("--note", default=None)
    p.set_defaults(func=cmd_publish)
    v = asub.add_parser("verify", help="check the hash chain; name every entry edited, deleted, reordered, cut off")
    v.add_argument("log")
    v.add_argument("--receipt", default=None, help="a receipt SEQ:HASH printed earlier (catches a rewritten log)")
    v.set_defaults(func=cmd_verify)
    h = asub.add_parser("head", help="print the receipt of the last entry (SEQ:HASH), to keep elsewhere")
    h.add_argument("log")
    h.set_defaults(func=cmd_head)
    g = asub.add_parser("log", help="list the entries")
    g.add_argument("log")
    g.add_argument("--round", default=None)
    g.set_defaults(func=cmd_log)
    r = asub.add_parser("review", help="the final round as it stands and what the appeals changed (writes nothing)")
    r.add_argument("log")
    r.add_argument("--round", required=True)
    r.set_defaults(func=cmd_review)
    f = asub.add_parser("final", help="make the round final: published + accepted appeals, re-evaluated")
    f.add_argument("log")
    f.add_argument("--round", required=True)
    f.add_argument("--by", required=True)
    f.add_argument("--out", default=None, help="write the final results and the diff to this folder")
    f.set_defaults(func=cmd_final)

    b = subparsers.add_parser("appeal", help="file, decide and list appeals (申诉、复核)")
    bsub = b.add_subparsers(dest="appeal_command", required=True)
    fi = bsub.add_parser("file", help="file an appeal against one published value")
    fi.add_argument("log")
    fi.add_argument("--round", required=True)
    fi.add_argument("--unit", required=True)
    fi.add_argument("--indicator", required=True)
    fi.add_argument("--value", required=True, help="the value the unit asks for")
    fi.add_argument("--reason", required=True)
    fi.add_argument("--by", required=True, help="who files it")
    fi.set_defaults(func=cmd_appeal_file)
    d = bsub.add_parser("decide", help="accept or reject an appeal (once)")
    d.add_argument("log")
    d.add_argument("appeal", type=int, help="the appeal's entry number")
    which = d.add_mutually_exclusive_group(required=True)
    which.add_argument("--accept", action="store_true")
    which.add_argument("--reject", action="store_true")
    d.add_argument("--value", default=None, help="the value found on review (default: the one asked for)")
    d.add_argument("--reason", required=True)
    d.add_argument("--by", required=True, help="who decided")
    d.set_defaults(func=cmd_appeal_decide)
    li = bsub.add_parser("list", help="every appeal and its decision")
    li.add_argument("log")
    li.add_argument("--round", default=None)
    li.set_defaults(func=cmd_appeal_list)
