"""``perfkit template``, ``perfkit ingest``, ``perfkit collectors`` and ``perfkit quality``.

Wire them into the main parser with ``perfkit.collection.cli.add_parser(subparsers)``.
Problems in the input raise :class:`~perfkit.errors.PerfkitError` (one line, exit 2 in
``perfkit.cli.main``); problems found in returned files are listed one per line, and
``ingest`` exits 2 when any is an error (nothing is written then).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from perfkit.analyses.quality import Thresholds, check_quality
from perfkit.audit import open_log, record_submission, submissions
from perfkit.collection.ingest import ingest
from perfkit.collection.performance import collector_performance
from perfkit.collection.template import write_templates
from perfkit.errors import DataError
from perfkit.io.export import atomic_path, neutralise_formulas, write_xlsx
from perfkit.io.round import load_round
from perfkit.scheme import load_scheme

__all__ = ["add_parser"]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("scheme", help="scheme YAML")
    p.add_argument("data", metavar="ROUND", help="the round's data folder or workbook (units, targets)")
    p.add_argument("--round", default=None, help="round id (default: the data's round column)")
    p.add_argument("--collectors", default=None, help="collectors registry CSV (collector_id, name_zh, name_en, "
                                                      "unit_id, indicators)")
    p.add_argument("--default-collector", default=None, help="collector of indicators that name none")


def _round_of(args: argparse.Namespace) -> tuple:
    scheme = load_scheme(args.scheme)
    data = load_round(args.data, round=args.round)
    rnd = args.round
    if rnd is None:
        rounds = sorted({str(r) for r in data.units.get("round", pd.Series(dtype=str)).dropna()})
        if len(rounds) != 1:
            raise DataError("which round?" + (f" the data hold rounds {', '.join(rounds)}" if rounds else ""),
                            where=[args.data], hint="pass --round")
        rnd = rounds[0]
        data = data._for_round(rnd)
    return scheme, data, str(rnd)


def cmd_template(args: argparse.Namespace) -> int:
    scheme, data, rnd = _round_of(args)
    paths = write_templates(scheme, data, args.out, round=rnd, collectors=args.collectors, deadlines=args.deadlines,
                            deadline=args.deadline, only=args.collector or None,
                            default_collector=args.default_collector, password=args.password)
    for p in paths:
        print(f"wrote {p}")
    print(f"{scheme.id} round {rnd}: {len(paths)} template(s) in {Path(args.out)}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    scheme, data, rnd = _round_of(args)
    if args.log and not args.by:
        raise DataError("who received the files?", hint="give --by NAME with --log")
    ing = ingest(scheme, data, args.files, round=rnd, collector=args.collector, collectors=args.collectors,
                 default_collector=args.default_collector, submitted_at=args.submitted_at)
    for p in (ing.problems if args.warnings else ing.errors):
        print(p)
    if args.log:
        with open_log(args.log, create=True) as log:
            for f in ing.files:
                if f.kind == "unreadable" or not f.collector_id:
                    continue
                e = record_submission(log, f, who=args.by, submitted_at=args.submitted_at)
                print(f"recorded {Path(f.file).name}: " + (f"{f.collector_id} version {e.payload['version']} "
                                                          f"(entry {e.seq})" if e else "identical to the latest "
                                                                                      "version, not recorded again"))
    n_warn = len(ing.warnings)
    print(f"round {rnd}: {len(ing.files)} file(s), {len(ing.values)} figure(s), {len(ing.errors)} error(s), "
          f"{n_warn} warning(s)" + ("" if args.warnings or not n_warn else " (show them with --warnings)"))
    if ing.errors:
        return 2
    if args.out:
        out = Path(args.out)
        table = ing.values.drop(columns=[c for c in ing.values.columns if c.startswith("_")])
        with atomic_path(out) as tmp:
            table.map(neutralise_formulas).to_csv(tmp, index=False, encoding="utf-8-sig")
        print(f"wrote {out}")
    return 0


def cmd_collectors(args: argparse.Namespace) -> int:
    if args.log:
        with open_log(args.log) as log:
            records = submissions(log)
        if records.empty:
            raise DataError("the log has no submissions", where=[args.log], hint="record them with perfkit ingest --log")
    elif args.records:
        records = args.records
    else:
        raise DataError("give the submission records (--records FILE) or the office's log (--log FILE)")
    perf = collector_performance(records, args.deadlines, rounds=args.round or None)
    tab = perf.table
    cols = ["round", "collector_id", "deadline", "first_submitted", "days_late", "versions", "errors_first"]
    with pd.option_context("display.width", 200, "display.max_rows", None):
        print(tab[cols].to_string(index=False))
    late = perf.late()
    print(f"{len(tab)} collector round(s), {len(late)} late")
    return 0


def cmd_quality(args: argparse.Namespace) -> int:
    scheme, data, rnd = _round_of(args)
    if args.returned:
        ing = ingest(scheme, data, args.returned, round=rnd, collectors=args.collectors,
                     default_collector=args.default_collector if args.default_collector is not None else "")
        data = ing.round_data(data)
    previous = {}
    for p in args.previous or ():
        d = load_round(p)
        rounds = sorted({str(r) for r in d.units.get("round", pd.Series(dtype=str)).dropna()})
        previous[rounds[0] if len(rounds) == 1 else Path(p).name] = d
    th = Thresholds(outlier_z=args.outlier_z) if args.outlier_z else Thresholds()
    report = check_quality(scheme, data, previous=previous, thresholds=th, collectors=args.collectors)
    df = report.to_frame(args.lang)
    for r in df.itertuples(index=False):
        print(f"{r.level}: {r.text}")
    print(f"round {rnd}: {report.checked} figure(s) checked, {len(report.flags)} flag(s)")
    if args.out:
        write_xlsx(args.out, {"flags": df.drop(columns=["file"])}, lang=args.lang)
        print(f"wrote {args.out}")
    return 0


def add_parser(subparsers) -> None:
    """Register ``template``, ``ingest``, ``collectors`` and ``quality`` on ``subparsers``."""
    t = subparsers.add_parser("template", help="write one data-return template (XLSX) per collector",
                              description="One protected XLSX per collector listing exactly its unit x indicator "
                                          "cells, with units of measure, allowed values, data validation, the "
                                          "deadline and bilingual instructions.")
    _common(t)
    t.add_argument("--out", required=True, help="output folder")
    t.add_argument("--collector", action="append", help="only this collector (repeatable)")
    t.add_argument("--deadlines", default=None, help="deadlines CSV (round, collector_id, deadline)")
    t.add_argument("--deadline", default=None, help="one deadline for every collector, e.g. '2026-01-20 17:30'")
    t.add_argument("--password", default=None, help="sheet-protection password (optional)")
    t.set_defaults(func=cmd_template)

    i = subparsers.add_parser("ingest", help="read returned templates or tables; list every problem at its cell")
    _common(i)
    i.add_argument("files", nargs="+", help="returned files or folders")
    i.add_argument("--collector", default=None, help="the collector every file belongs to")
    i.add_argument("--out", default=None, help="write the figures read to this CSV (only when there is no error)")
    i.add_argument("--log", default=None, help="record each file as a versioned submission in this audit log")
    i.add_argument("--by", default=None, help="who received the files (with --log)")
    i.add_argument("--submitted-at", default=None, help="when the files were submitted (default: now)")
    i.add_argument("--warnings", action="store_true", help="also list warnings")
    i.set_defaults(func=cmd_ingest)

    c = subparsers.add_parser("collectors", help="collectors' timeliness, resubmissions and errors per round")
    c.add_argument("--records", default=None, help="submission records CSV (round, collector_id, version, "
                                                    "submitted_at, ...)")
    c.add_argument("--log", default=None, help="or the office's audit log with recorded submissions")
    c.add_argument("--deadlines", default=None, help="deadlines CSV (round, collector_id, deadline)")
    c.add_argument("--round", action="append", help="only this round (repeatable)")
    c.set_defaults(func=cmd_collectors)

    q = subparsers.add_parser("quality", help="data-quality flags of a round, each at its cell")
    _common(q)
    q.add_argument("--returned", default=None, help="check these returned files instead of the round's values")
    q.add_argument("--previous", action="append", help="an earlier round's data folder, for jumps (repeatable)")
    q.add_argument("--outlier-z", type=float, default=None, help="robust z beyond which a figure is an outlier")
    q.add_argument("--lang", choices=["zh", "en"], default="zh")
    q.add_argument("--out", default=None, help="write the flags to this XLSX")
    q.set_defaults(func=cmd_quality)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run it as: perfkit template|ingest|collectors|quality ...")
