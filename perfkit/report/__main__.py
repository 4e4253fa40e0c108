"""``python -m perfkit.report ROUND_CONFIG --out DIR ...``: the same as ``perfkit report``."""
from __future__ import annotations

import argparse
import sys

from perfkit.errors import PerfkitError
from perfkit.report.cli import add_parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perfkit.report")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except PerfkitError as exc:
        print(f"perfkit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C: one line saying what was kept, no traceback
        print(f"perfkit: interrupted{f': {exc}' if str(exc) else ''}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
