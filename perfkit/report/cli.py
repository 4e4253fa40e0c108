"""``perfkit report ROUND_CONFIG --out DIR --jobs N [--executor local|dask] [--scheduler ADDR]``.

Wire it into the main parser with ``perfkit.report.cli.add_parser(subparsers)``; the
command's function is set as ``func`` and returns the exit code: 0 when every report was
produced or skipped, 1 when any failed (they are listed in the manifest and on the index
page). Config and data problems raise :class:`~perfkit.errors.PerfkitError` (exit 2 in
``perfkit.cli.main``).
"""
from __future__ import annotations

import argparse

from perfkit.report.batch import run_batch

__all__ = ["add_parser", "cmd_report"]


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``report`` sub-command on ``subparsers`` (from ``add_subparsers``)."""
    p = subparsers.add_parser(
        "report", help="produce every report of a round (round report, unit feedback lists, index page)",
        description="Evaluate a round once and run its report notebooks (zh and en) in parallel, "
                    "writing offline HTML, the results workbook, index.html and manifest.json.")
    p.add_argument("config", metavar="ROUND_CONFIG", help="round config YAML (see notebooks/configs/)")
    p.add_argument("--out", required=True, help="output folder for the round")
    p.add_argument("--jobs", type=_positive, default=1, help="notebooks run at once (default 1)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local process pool (default) or Dask distributed")
    p.add_argument("--scheduler", default=None,
                   help="Dask scheduler address (tcp://host:8786); without it a local Dask cluster is started")
    p.add_argument("--force", action="store_true", help="re-run every report even if its inputs are unchanged")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_report)
    return p


def cmd_report(args: argparse.Namespace) -> int:
    if args.scheduler and args.executor != "dask":
        raise SystemExit("perfkit report: --scheduler needs --executor dask")
    result = run_batch(args.config, args.out, jobs=args.jobs, executor=args.executor, scheduler=args.scheduler,
                       force=args.force, progress=not args.no_progress)
    for r in result.failed:
        err = r.error or {}
        print(f"failed: {r.id}: cell {err.get('notebook_cell', '?')}: {err.get('ename')}: {err.get('evalue')}")
    return 1 if result.failed else 0
