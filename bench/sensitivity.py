"""Benchmark of the batched sensitivity engine against the naive loop.

    python bench/sensitivity.py            # both cases
    python bench/sensitivity.py --quick    # fewer replicates (a smoke run)

(a) a synthetic 60-unit x 40-indicator composite (8 pillars of 5) with weight noise at
    both levels, 3 normalisations and 2 aggregations: 100,000 replicates;
(b) the demo city's 100-point scheme (2025) with the survey bootstrap: 10,000 replicates.

For each case it prints the replicates per second of the batched engine (alone, and the
whole ``uncertainty()`` call with sampling and summaries, on 1 and 2 threads), of the naive
loop (one full ``perfkit.evaluate()`` of the scheme/data variant per replicate, measured
on a few hundred replicates and extrapolated), their ratio, and the peak memory of the
batched run (tracemalloc peak of the run's own allocations; process peak RSS).
It also times, in the same run, the bare floor of that work: one matrix product of the
replicates' weights with the indicator scores and a ranking of the result (plain argsort,
and perfkit's tie-aware ranking within categories), and prints our times as multiples of it.
Targets: (a) 100,000 replicates in under 1 s end to end, at most 2x the floor, at least
200x the naive loop, peak memory under 2 GB; (b) 10,000 replicates in under 5 s. The
machine may be shared: the load average is printed with the timings.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import time
import tracemalloc

import numpy as np

import perfkit
import perfkit.sensitivity as ps
from perfkit import datasets
from perfkit.datasets.examples import synthetic_composite
from perfkit.kernels.rank import rank_desc
from perfkit.sensitivity.batch import build_params, run_design, sample_uniform
from perfkit.sensitivity.compile import compile_scheme
from perfkit.sensitivity.factors import bind_factors
from perfkit.sensitivity.variant import replicate_variant


def _demo_city():
    ds = datasets.load("demo_city", round=2025)
    return perfkit.evaluate(ds.scheme, ds.data)


def _floor(ev, n: int) -> tuple[float, float, float]:
    """The bare floor of n replicates of a linear index: one ``(n, L) @ (L, U)`` product
    of weights and indicator scores and a ranking of the ``(n, U)`` result — timed with a
    plain ``argsort`` per row (no ties handled) and with perfkit's tie-aware ``rank_desc``
    within categories (what every replicate's ranks need). Best of 3, wall seconds."""
    gen = np.random.default_rng(0)
    S = ev.scores.to_numpy(dtype=float)
    S = np.where(np.isnan(S), 0.0, S)
    W = gen.random((n, S.shape[1]))
    cats = ev.results["category"].to_numpy(dtype=object)

    def best(f):
        out = []
        for _ in range(3):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
        return min(out)

    product = best(lambda: W @ S.T)
    bare = best(lambda: np.argsort(-(W @ S.T), axis=1))
    tied = best(lambda: rank_desc(W @ S.T, groups=cats))
    return product, bare, tied


def _naive(ev, factors, n, rng):
    """One full evaluate() per replicate (the scheme/data variant rebuilt each time)."""
    cs = compile_scheme(ev)
    bound = bind_factors(cs, factors)
    gen = np.random.default_rng(rng)
    entropy = int(gen.integers(2**62))
    u = sample_uniform(n, sum(b.dims for b in bound), gen, "random")
    p = build_params(cs, bound, u, entropy)
    t0 = time.perf_counter()
    for r in range(n):
        scheme, data = replicate_variant(cs, p, r, entropy=entropy)
        perfkit.evaluate(scheme, data)
    return n / (time.perf_counter() - t0)


def _engine(ev, factors, n, rng, n_jobs):
    cs = compile_scheme(ev)
    bound = bind_factors(cs, factors)
    gen = np.random.default_rng(rng)
    entropy = int(gen.integers(2**62))
    u = sample_uniform(n, sum(b.dims for b in bound), gen, "sobol")
    t0 = time.perf_counter()
    run_design(cs, bound, u, entropy=entropy, n_jobs=n_jobs)
    return time.perf_counter() - t0


def _memory(ev, factors, n):
    tracemalloc.start()
    tracemalloc.reset_peak()
    ps.uncertainty(ev, factors, n=n, rng=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _uncertainty(ev, factors, n, jobs) -> float:
    t0 = time.perf_counter()
    ps.uncertainty(ev, factors, n=n, rng=1, n_jobs=jobs)
    return time.perf_counter() - t0


def case(label, ev, factors, n, n_naive, target_s, target_ratio=None):
    print(f"\n== {label}")
    print(f"   units {len(ev.results)}, indicators {len(ev.scheme.leaves)}, factors: "
          + "; ".join(ps.factor_table(bind_factors(compile_scheme(ev), factors))["varies"]))
    ps.uncertainty(ev, factors, n=min(n, 2048), rng=0)  # warm-up (imports, caches)
    engine, whole = {}, {}
    for jobs in (1, 2):
        engine[jobs] = min(_engine(ev, factors, n, 1, jobs) for _ in range(2))
        whole[jobs] = min(_uncertainty(ev, factors, n, jobs) for _ in range(2))
        print(f"   batched, {jobs} thread(s): engine {n:,} replicates in {engine[jobs]:.2f} s = "
              f"{n / engine[jobs]:,.0f} rep/s; uncertainty() end to end {whole[jobs]:.2f} s = "
              f"{n / whole[jobs]:,.0f} rep/s (load {os.getloadavg()[0]:.1f})")
    best_engine, best = min(engine.values()), min(whole.values())
    product, bare, tied = _floor(ev, n)
    L, U = len(ev.scheme.leaves), len(ev.results)
    print(f"   floor: ({n:,} x {L}) @ ({L} x {U}) product {product:.3f} s; with a ranking of the result "
          f"{product + bare:.3f} s (argsort per row), {tied:.3f} s (rank_desc: ties, within categories)")
    print(f"   our time as a multiple of the floor (argsort / rank_desc): engine {best_engine / (product + bare):.1f}x"
          f" / {best_engine / tied:.1f}x; uncertainty() {best / (product + bare):.1f}x / {best / tied:.1f}x")
    naive = _naive(ev, factors, n_naive, 2)
    print(f"   naive loop (evaluate() per replicate, {n_naive} measured): {naive:,.1f} rep/s"
          f" -> {n:,} replicates would take {n / naive:,.0f} s")
    print(f"   ratio batched/naive: engine {n / best_engine / naive:,.0f}x, uncertainty() {n / best / naive:,.0f}x")
    peak, rss = _memory(ev, factors, n)
    print(f"   memory of uncertainty(n={n:,}): tracemalloc peak {peak:,.0f} MB; process peak RSS so far {rss:,.0f} MB")
    msg = f"   target: {n:,} in <= {target_s:g} s: {'met' if best <= target_s else 'NOT met'} ({best:.2f} s)"
    if target_ratio is not None:
        msg += f"; <= 2x the floor: {'met' if best <= 2 * tied else 'NOT met'} ({best / tied:.1f}x rank_desc floor)"
        msg += f"; >= {target_ratio}x naive: {'met' if n / best / naive >= target_ratio else 'NOT met'}"
        msg += f"; < 2 GB: {'met' if max(peak, rss) < 2048 else 'NOT met'}"
    print(msg)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10x fewer replicates")
    args = ap.parse_args(argv)
    k = 10 if args.quick else 1
    print(f"perfkit {perfkit.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}, load average {os.getloadavg()[0]:.1f}")
    ev_a = perfkit.evaluate(*synthetic_composite(60, 8, 5, rng=0))
    fa = [ps.WeightNoise(0.25, level=1), ps.WeightNoise(0.25, level=2),
          ps.Normalisation([{"method": "minmax", "lo": 1}, {"method": "zscore", "mean": 100, "sd": 10}, "rank"]),
          ps.Aggregation(["arithmetic", "geometric"])]
    case("(a) composite 60 x 40: weight noise (2 levels) + 3 normalisations + 2 aggregations", ev_a, fa,
         100_000 // k, 200 // k, 1.0, 200)
    ev_b = _demo_city()
    fb = [ps.SurveyBootstrap()]
    case("(b) demo city 2025, 100-point scheme: survey bootstrap", ev_b, fb, 10_000 // k, 100 // k, 5.0)


if __name__ == "__main__":
    main()
