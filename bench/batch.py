"""Time the demo city's full report batch: ``--jobs 1``, ``--jobs 2``, marginal cost per unit
report, and the plain-papermill baseline (a fresh kernel per report).

    python bench/batch.py                       # demo city 2025, all units, zh + en
    python bench/batch.py --config notebooks/configs/oecd_bli.yaml
    python bench/batch.py --baseline-sample 0   # run the whole baseline (about 10 minutes)

What is measured (wall clock, one machine):

* the whole batch (evaluation, workbook, every report's HTML, index page) with
  ``--jobs 1`` and ``--jobs 2``, each from an empty output folder, and their ratio;
* the ``--jobs 1`` batch run again into its own folder with nothing changed (every report
  skipped): what a run costs that only checks, stages and commits;
* the marginal time per unit report: the ``--jobs 1`` batch again with a tenth of the
  units, and (time difference) / (difference in reports);
* the baseline: the same reports run the plain way, one ``papermill.execute_notebook``
  per report with a fresh kernel each (and the same HTML export), sequentially. By default
  a sample of reports is run and the time per report is multiplied out to the full batch
  (said so in the output); ``--baseline-sample 0`` runs them all.

Targets (from the issue): marginal cost per unit report < 1 s, the whole demo batch < 90 s,
``--jobs 2`` at least 1.7x faster than ``--jobs 1``. Tests do not assert times.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def batch(config, out: Path, jobs: int, *, fresh: bool = True, **kw):
    from perfkit.report.batch import run_batch

    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    res = run_batch(config, out, jobs=jobs, progress=False, log=lambda s: None, **kw)
    wall = time.perf_counter() - t
    if res.failed:
        print(f"  warning: {len(res.failed)} report(s) failed, e.g. {res.failed[0].id}: {res.failed[0].error}")
    return wall, res


def baseline(jobs, out: Path, sample: int):
    """Plain papermill: a fresh kernel per report, sequential; HTML exported the same way."""
    import papermill as pm

    from perfkit.report.html import write_html

    chosen = jobs
    if sample and sample < len(jobs):
        step = len(jobs) / sample
        chosen = [jobs[int(i * step)] for i in range(sample)]
    times = []
    (out / "plain").mkdir(parents=True, exist_ok=True)
    for j in chosen:
        t = time.perf_counter()
        nb = pm.execute_notebook(j.notebook, out / "plain" / Path(j.ipynb).name, parameters=j.params,
                                 kernel_name="python3", progress_bar=False, cwd=os.path.dirname(j.notebook))
        write_html(nb, out / "plain" / Path(j.html).name, lang=j.lang)
        times.append(time.perf_counter() - t)
    return times, len(chosen) < len(jobs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=str(ROOT / "notebooks" / "configs" / "demo_city_2025.yaml"))
    ap.add_argument("--baseline-sample", type=int, default=12,
                    help="reports run the plain way (0 = all of them)")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args(argv)

    from perfkit.report.config import load_config

    cfg = load_config(args.config)
    tmp = Path(tempfile.mkdtemp(prefix="perfkit-bench-"))
    try:
        print(f"config: {args.config}  (cpus: {os.cpu_count()}, load average before: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
        t1, r1 = batch(cfg, tmp / "j1", 1)
        n_reports = len(r1.jobs)
        n_units = sum(1 for j in r1.jobs if j.unit is not None)
        per = [r.seconds for r in r1.results if r.status == "ok"]
        print(f"--jobs 1: {t1:6.1f} s for {n_reports} reports ({n_units} unit reports); "
              f"evaluation {r1.timings['prepare']:.1f} s; median report {statistics.median(per):.2f} s")
        tr, rr = batch(cfg, tmp / "j1", 1, fresh=False)
        print(f"--jobs 1 again, nothing changed: {tr:6.1f} s ({rr.count('skipped')} skipped, "
              f"{rr.count('ok')} produced)")
        t2, r2 = batch(cfg, tmp / "j2", 2)
        print(f"--jobs 2: {t2:6.1f} s   ratio jobs1/jobs2 = {t1 / t2:.2f}x")

        units = list(r1.jobs[0].params and [j.unit for j in r1.jobs if j.unit])
        units = list(dict.fromkeys(units))
        few = units[:max(1, len(units) // 10)]
        ts, rs = batch(cfg.model_copy(update={"units": tuple(few)}), tmp / "small", 1)
        d_reports = n_reports - len(rs.jobs)
        marginal = (t1 - ts) / d_reports if d_reports else float("nan")
        print(f"marginal per unit report: {marginal:.2f} s  (jobs 1: {len(few)} units {ts:.1f} s vs "
              f"{len(units)} units {t1:.1f} s)")
        if not args.skip_baseline:
            times, sampled = baseline(r1.jobs, tmp, args.baseline_sample)
            mean = statistics.mean(times)
            total = mean * n_reports
            note = f"extrapolated from {len(times)} sampled reports" if sampled else "measured"
            print(f"baseline (plain papermill, fresh kernel per report): {mean:.2f} s per report; "
                  f"{total:.0f} s for the batch ({note}); warm batch --jobs 1 is {total / t1:.1f}x faster")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
