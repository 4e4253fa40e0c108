"""Command line: ``perfkit validate``, ``perfkit evaluate`` (and more as they come).

Problems the user can fix print one line each and exit with code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import pandas as pd

from perfkit.audit.cli import add_parser as add_audit_parser
from perfkit.collection.cli import add_parser as add_collection_parser
from perfkit.engine.evaluate import evaluate
from perfkit.engine.validate import validate_round
from perfkit.errors import DataWarning, PerfkitError
from perfkit.io.export import write_evaluation
from perfkit.io.round import load_round
from perfkit.course.cli import add_parser as add_course_parser
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
    if not args.warnings:  # the warnings that cost points are never hidden
        for line in report.summary():
            print(f"warning: {line}" if not line.startswith(" ") else line)
    n_err, n_warn = len(report.errors), len(report.warnings)
    print(f"{scheme.id}: {len(report.data.units)} units, {n_err} error(s), {n_warn} warning(s)"
          + ("" if args.warnings or not n_warn else " (show them with --warnings)"))
    return 2 if n_err else 0


def _evaluate(scheme, data):
    """Evaluate, and print the summary of the warnings that cost points (instead of the
    Python warning the library issues)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        ev = evaluate(scheme, data)
    for line in ev.validation.summary():
        print(f"warning: {line}" if not line.startswith(" ") else line)
    return ev


def _check_out(out: str) -> None:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise PerfkitError("--out names an existing file, not a folder", where=[str(path)],
                           hint="give a folder for the results (it is created if it does not exist)")
    parent = next((p for p in [path, *path.parents] if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise PerfkitError(f"--out lies inside {str(parent)!r}, which is a file, not a folder", where=[str(path)],
                           hint="give a folder for the results")


def cmd_evaluate(args: argparse.Namespace) -> int:
    _check_out(args.out)
    scheme, data = _load(args.scheme, args.data, args.round)
    ev = _evaluate(scheme, data)
    written = write_evaluation(ev, args.out, manifest_extra={"command": " ".join(sys.argv)})
    top = ev.results.sort_values(["category", "rank"])
    print(f"{scheme.id}: evaluated {len(ev.results)} units in {top['category'].nunique()} categories")
    print(f"wrote {len(written)} files to {Path(args.out)} (results.xlsx, parquet/, manifest.json)")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    scheme, data = _load(args.scheme, args.data, args.round)
    ex = _evaluate(scheme, data).explain(args.unit)
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
    add_course_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader went away (``perfkit validate ... | head``): stop quietly
        _drop_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a command cut off by its pipe
    except PerfkitError as exc:
        print(f"perfkit: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = exc.filename or ""
        print(f"perfkit: error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C: one line (what was kept, when known), no traceback
        print(f"perfkit: interrupted{f': {exc}' if str(exc) else ''}", file=sys.stderr)
        return 130


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush does not
    fail again on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (captured)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
