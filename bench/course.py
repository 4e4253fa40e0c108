"""Build time of the whole course for one language (``perfkit course build``).

Prints the wall time of a plain and an anonymised build of round 2025 in one language with
two warm kernels (the report batch's executor), split into data preparation, notebooks
(9 lessons + 9 solutions + the course evaluation) and pages, and the ratio to the 2-minute
aim. Numbers, not assertions.

    python bench/course.py [--lang zh|en] [--jobs 2]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from perfkit.course.build import build_course


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="zh", choices=("zh", "en"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        for anonymise in (False, True):
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            res = build_course(round=2025, lang=args.lang, out=Path(tmp) / f"course-{anonymise}", anonymise=anonymise,
                               jobs=args.jobs, log=lambda s: None)
            wall = time.perf_counter() - t0
            tm = res.timings
            print(f"{'anonymised' if anonymise else 'plain     '} {args.lang}: {wall:6.1f} s wall "
                  f"(data {tm['data']:.1f} s, notebooks {tm['notebooks']:.1f} s, pages {tm['pages']:.1f} s; "
                  f"{len(res.results)} notebooks, main-process CPU {time.process_time() - cpu0:.1f} s) "
                  f"= {wall / 120:.2f} x the 2-minute aim")


if __name__ == "__main__":
    main()
