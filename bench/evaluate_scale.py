"""Scale of evaluate(): a composite of 20 pillars x 10 indicators (min-max, arithmetic).

    python bench/evaluate_scale.py             # 5,000 units (1,000,000 value rows), then 50,000
    python bench/evaluate_scale.py --units 5000 --units 500

Validation is excluded (run once, its report passed to ``evaluate(validation=...)``);
``bench/scale.py`` measures validate + evaluate end to end. For each size it prints the
value rows per second of ``evaluate()`` (best of ``--repeat`` runs), the time of each stage
(the compile step and the stage functions of ``perfkit.engine.pipeline``; "tables" is the
rest: building the Evaluation's DataFrames), the tracemalloc peak of one evaluate() and
the process peak RSS, and the ratios: time against the 1 s target (5,000 units), time per
row against the smallest size (linear scaling = 1.0).
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import platform
import resource
import time
import tracemalloc
from collections import defaultdict

import numpy as np

import perfkit
from perfkit.datasets.examples import synthetic_composite
from perfkit.engine import pipeline
from perfkit.engine.validate import validate_round

# the module (perfkit.engine.evaluate is also the name of the function)
evaluate_module = importlib.import_module("perfkit.engine.evaluate")

STAGES = ("compile_round", "survey", "collect", "treat", "score", "targets", "aggregate", "max_points", "finish")


@contextlib.contextmanager
def _stage_timer(times: dict[str, float]):
    """Time the compile step and every pipeline stage inside evaluate() (bench only: the
    module attributes evaluate() calls through are wrapped for the duration)."""
    saved = {}

    def timed(name, func):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                times[name] += time.perf_counter() - t0
        return wrapper

    for name in STAGES:
        owner = evaluate_module if name == "compile_round" else pipeline
        saved[(owner, name)] = getattr(owner, name)
        setattr(owner, name, timed(name, saved[(owner, name)]))
    try:
        yield
    finally:
        for (owner, name), func in saved.items():
            setattr(owner, name, func)


def measure(n_units: int, repeat: int) -> dict:
    t0 = time.perf_counter()
    scheme, data = synthetic_composite(n_units, 20, 10, rng=0)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = validate_round(scheme, data)
    t_val = time.perf_counter() - t0
    rows = len(data.values)
    perfkit.evaluate(scheme, data, validation=report)  # warm-up
    best, best_stages = np.inf, {}
    for _ in range(repeat):
        times: dict[str, float] = defaultdict(float)
        with _stage_timer(times):
            t0 = time.perf_counter()
            ev = perfkit.evaluate(scheme, data, validation=report)
            total = time.perf_counter() - t0
        if total < best:
            best, best_stages = total, dict(times)
    tracemalloc.start()
    perfkit.evaluate(scheme, data, validation=report)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert len(ev.results) == n_units and np.isfinite(ev.results["final"]).all()
    return {"units": n_units, "rows": rows, "generate": t_gen, "validate": t_val, "evaluate": best,
            "stages": best_stages, "peak": peak, "rss": rss}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, action="append", help="units (repeatable; default 5000 and 50000)")
    ap.add_argument("--repeat", type=int, default=5, help="evaluate() runs per size (best is reported)")
    args = ap.parse_args(argv)
    sizes = args.units or [5000, 50000]
    print(f"perfkit {perfkit.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}, load {os.getloadavg()[0]:.1f}")
    out = []
    for n in sizes:
        r = measure(n, args.repeat if n <= 10_000 else max(1, args.repeat // 3))
        out.append(r)
        st = r["stages"]
        tables = r["evaluate"] - sum(st.values())
        print(f"\n== {n:,} units x 200 indicators = {r['rows']:,} value rows "
              f"(generated in {r['generate']:.1f} s, validated in {r['validate']:.1f} s, not counted)")
        print(f"   evaluate(): {r['evaluate']:.3f} s = {r['rows'] / r['evaluate']:,.0f} rows/s "
              f"(best of {args.repeat if n <= 10_000 else max(1, args.repeat // 3)})")
        print("   stages: " + ", ".join(f"{k.replace('_round', '')} {st.get(k, 0.0) * 1000:.0f} ms" for k in STAGES)
              + f", tables {tables * 1000:.0f} ms")
        print(f"   memory: tracemalloc peak {r['peak']:,.0f} MB of one evaluate(); process peak RSS {r['rss']:,.0f} MB")
        if n == 5000:
            print(f"   target: 5,000 units in well under 1 s: {r['evaluate']:.3f} s = {r['evaluate'] / 1.0:.2f}x "
                  f"the target ({'met' if r['evaluate'] < 1.0 else 'NOT met'})")
    if len(out) > 1:
        base = out[0]
        for r in out[1:]:
            ratio = (r["evaluate"] / r["rows"]) / (base["evaluate"] / base["rows"])
            print(f"\n   scaling {base['units']:,} -> {r['units']:,} units: time x{r['evaluate'] / base['evaluate']:.1f} "
                  f"for rows x{r['rows'] / base['rows']:.0f}; time per row x{ratio:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()
