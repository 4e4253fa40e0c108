"""Command line: ``perfkit validate``, ``perfkit evaluate`` (and more as they come).

Problems the user can fix print one line each and exit with code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from perfkit.audit.cli import add_parser as add_audit_parser
from perfkit.collection.cli import add_parser as add_collection_parser
from perfkit.engine.evaluate import evaluate
from perfkit.engine.validate import validate_round
from perfkit.errors import PerfkitError
from perfkit.io.export import write_evaluation
from perfkit.io.round import load_round
from perfkit.report.cli import add_parser as add_report_parser
from perfkit.scheme import load_scheme

__all__ = ["main"]


def _load(scheme_path: str, data_path: str, rnd: str | None):
    scheme = load_scheme(scheme_path)
    data = load_round(data_path, round=rnd)
    return scheme, data


def cmd_validate(args: argparse.Namespace) -> int:
    scheme, data = _load(args.scheme, args.data, args.round)
    report = validate_round(scheme, data)
    shown = report.problems if args.warnings else report.errors
    for p in shown:
        print(p)
    n_err, n_warn = len(report.errors), len(report.warnings)
    print(f"{scheme.id}: {len(report.data.units)} units, {n_err} error(s), {n_warn} warning(s)"
          + ("" if args.warnings or not n_warn else " (show them with --warnings)"))
    return 2 if n_err else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    scheme, data = _load(args.scheme, args.data, args.round)
    ev = evaluate(scheme, data)
    written = write_evaluation(ev, args.out, manifest_extra={"command": " ".join(sys.argv)})
    top = ev.results.sort_values(["category", "rank"])
    print(f"{scheme.id}: evaluated {len(ev.results)} units in {top['category'].nunique()} categories")
    print(f"wrote {len(written)} files to {Path(args.out)} (results.xlsx, parquet/, manifest.json)")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    scheme, data = _load(args.scheme, args.data, args.round)
    ex = evaluate(scheme, data).explain(args.unit)
    lang = args.lang
    cols = ["path", "id", f"label_{lang}", "method", "value", "target"]
    cols += ["max_points", "earned", "lost"] if ex.paradigm == "points" else ["score", "gap"]
    cols.append(f"reason_{lang}")
    print(f"{ex.unit_id} {ex.name} [{ex.category}]  final {ex.final:.2f}  rank {ex.rank:g}  grade {ex.grade}")
    print(f"  {ex.grade_reason_zh if lang == 'zh' else ex.grade_reason}")
    with pd.option_context("display.width", 200, "display.max_rows", None, "display.max_colwidth", 60):
        print(ex.lines[cols].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="perfkit", description="Public-sector performance evaluation toolkit")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a scheme and a round's data; list every problem")
    v.add_argument("scheme")
    v.add_argument("data", help="round folder or .xlsx workbook")
    v.add_argument("--round", default=None)
    v.add_argument("--warnings", action="store_true", help="also list warnings")
    v.set_defaults(func=cmd_validate)
    e = sub.add_parser("evaluate", help="evaluate a round and write results (XLSX, Parquet, manifest)")
    e.add_argument("scheme")
    e.add_argument("data", help="round folder or .xlsx workbook")
    e.add_argument("--round", default=None)
    e.add_argument("--out", required=True, help="output folder")
    e.set_defaults(func=cmd_evaluate)
    x = sub.add_parser("explain", help="every point one unit won or lost")
    x.add_argument("scheme")
    x.add_argument("data", help="round folder or .xlsx workbook")
    x.add_argument("unit", help="unit_id")
    x.add_argument("--round", default=None)
    x.add_argument("--lang", choices=["zh", "en"], default="zh")
    x.set_defaults(func=cmd_explain)

    add_report_parser(sub)
    add_collection_parser(sub)
    add_audit_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PerfkitError as exc:
        print(f"perfkit: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = exc.filename or ""
        print(f"perfkit: error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
