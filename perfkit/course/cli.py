"""``perfkit course build|keys|sync``: the training course.

* ``perfkit course build --round R --lang zh|en [--anonymise] --out DIR [--jobs N]`` — run
  the lessons and solutions on round R and write the offline course (see
  :mod:`perfkit.course.build`);
* ``perfkit course keys [--round R ...]`` — record the exercises' answer keys for the
  rounds (``course/checks/keys``) by running the solutions;
* ``perfkit course sync`` — rewrite the exercises from their solutions and the agenda
  pages from ``course/course.yaml``.

Wire it into the main parser with ``perfkit.course.cli.add_parser(subparsers)``.
"""
from __future__ import annotations

import argparse

from perfkit.course.authoring import sync
from perfkit.course.build import build_course, record_keys
from perfkit.report.cli import _positive  # the same --jobs check as perfkit report

__all__ = ["add_parser"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``course`` sub-command on ``subparsers`` (from ``add_subparsers``)."""
    p = subparsers.add_parser("course", help="the training course: build it, record its answer keys, sync it",
                              description="The two-day course on performance-evaluation methodology (course/).")
    sub = p.add_subparsers(dest="course_command", required=True)
    b = sub.add_parser("build", help="run the lessons on a round and write the offline course (HTML, slides, exercises)")
    b.add_argument("--round", required=True, help="the Demo City round the course runs on (e.g. 2025)")
    b.add_argument("--lang", required=True, choices=("zh", "en"))
    b.add_argument("--anonymise", action="store_true",
                   help="replace unit names by codes (甲单位… / Unit A…) in every module and output")
    b.add_argument("--out", required=True, help="output folder")
    b.add_argument("--jobs", type=_positive, default=2, help="notebooks run at once (default 2)")
    b.add_argument("--executor", choices=("local", "dask"), default="local")
    b.add_argument("--scheduler", default=None, help="Dask scheduler address (with --executor dask)")
    b.set_defaults(func=_build)
    k = sub.add_parser("keys", help="record the exercises' answer keys by running the solutions")
    k.add_argument("--round", action="append", dest="rounds", help="a round (repeat for several; default 2025)")
    k.add_argument("--module", action="append", dest="modules", help="only these modules (m01 ...)")
    k.add_argument("--jobs", type=_positive, default=2)
    k.set_defaults(func=_keys)
    s = sub.add_parser("sync", help="rewrite the exercises from their solutions and the agenda pages")
    s.set_defaults(func=_sync)
    return p


def _build(args: argparse.Namespace) -> int:
    res = build_course(round=args.round, lang=args.lang, out=args.out, anonymise=args.anonymise, jobs=args.jobs,
                       executor=args.executor, scheduler=args.scheduler)
    return 1 if res.failed else 0


def _keys(args: argparse.Namespace) -> int:
    results = record_keys(args.rounds or ["2025"], modules=args.modules, jobs=args.jobs)
    return 1 if any(r.status != "ok" for r in results) else 0


def _sync(args: argparse.Namespace) -> int:
    for p in sync():
        print(f"wrote {p}")
    return 0
