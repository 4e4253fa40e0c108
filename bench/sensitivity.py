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
Targets: (a) 100,000 replicates in under 2 s and at least 200x the naive loop, peak
memory under 2 GB; (b) 10,000 replicates in under 5 s.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import tracemalloc

import numpy as np

import perfkit
import perfkit.sensitivity as ps
from perfkit.sensitivity.batch import build_params, run_design, sample_uniform
from perfkit.sensitivity.compile import compile_scheme
from perfkit.sensitivity.factors import bind_factors
from perfkit.sensitivity.variant import replicate_variant


def _demo_city():
    from perfkit import datasets

    ds = datasets.load("demo_city", round=2025)
    try:
        return perfkit.evaluate(ds.scheme, ds.data), ""
    except ValueError as exc:
        if "negative elements" not in str(exc):
            raise
    # Temporary, benchmark only: perfkit.survey.summarise_survey overflows its int8 cell codes
    # for 60 units x 5 groups (engine request 1). Evaluate with the cast applied.
    import pandas as pd

    import perfkit.engine.survey as sv

    def summarise_survey(survey, units, *, items, scale, groups, min_responses, min_cell):
        units, gnames = list(units), list(groups)
        uc = pd.Categorical(survey["unit_id"], categories=units).codes.astype(np.int64)
        gc = pd.Categorical(survey["respondent_group"], categories=gnames).codes.astype(np.int64)
        keep = (uc >= 0) & (gc >= 0)
        sc = sv.respondent_scores(survey.loc[keep, list(items)].to_numpy(dtype=float), scale=scale)
        wt = survey.loc[keep, "weight"].to_numpy(dtype=float) if "weight" in survey else np.ones(keep.sum())
        mean, n, _ = sv.group_means(sc, wt, uc[keep] * len(gnames) + gc[keep], len(units) * len(gnames))
        shape = (len(units), len(gnames))
        index = sv.survey_index(mean.reshape(shape), n.reshape(shape), np.array([groups[g] for g in gnames]),
                                min_responses=min_responses)
        return pd.Series(index, index=pd.Index(units, name="unit_id")), pd.DataFrame()

    sys.modules["perfkit.evaluate"].summarise_survey = summarise_survey
    return perfkit.evaluate(ds.scheme, ds.data), " [survey int8 workaround applied: engine request 1]"


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


def case(label, ev, factors, n, n_naive, target_s, target_ratio=None):
    print(f"\n== {label}")
    print(f"   units {len(ev.results)}, indicators {len(ev.scheme.leaves)}, factors: "
          + "; ".join(ps.factor_table(bind_factors(compile_scheme(ev), factors))["varies"]))
    ps.uncertainty(ev, factors, n=min(n, 2048), rng=0)  # warm-up (imports, caches)
    rows = {}
    for jobs in (1, 2):
        t_engine = min(_engine(ev, factors, n, 1, jobs) for _ in range(2))
        t0 = time.perf_counter()
        ps.uncertainty(ev, factors, n=n, rng=1, n_jobs=jobs)
        t_all = time.perf_counter() - t0
        rows[jobs] = (t_engine, t_all)
        print(f"   batched, {jobs} thread(s): engine {n:,} replicates in {t_engine:.2f} s = {n / t_engine:,.0f} rep/s;"
              f" uncertainty() end to end {t_all:.2f} s = {n / t_all:,.0f} rep/s")
    naive = _naive(ev, factors, n_naive, 2)
    best = min(r[1] for r in rows.values())
    best_engine = min(r[0] for r in rows.values())
    print(f"   naive loop (evaluate() per replicate, {n_naive} measured): {naive:,.1f} rep/s"
          f" -> {n:,} replicates would take {n / naive:,.0f} s")
    print(f"   ratio batched/naive: engine {n / best_engine / naive:,.0f}x, uncertainty() {n / best / naive:,.0f}x")
    peak, rss = _memory(ev, factors, n)
    print(f"   memory of uncertainty(n={n:,}): tracemalloc peak {peak:,.0f} MB; process peak RSS so far {rss:,.0f} MB")
    ok_t = best <= target_s
    msg = f"   target: {n:,} in < {target_s:g} s: {'met' if ok_t else 'NOT met'} ({best:.2f} s)"
    if target_ratio is not None:
        msg += f"; >= {target_ratio}x naive: {'met' if n / best / naive >= target_ratio else 'NOT met'}"
        msg += f"; < 2 GB: {'met' if max(peak, rss) < 2048 else 'NOT met'}"
    print(msg)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10x fewer replicates")
    args = ap.parse_args(argv)
    k = 10 if args.quick else 1
    print(f"perfkit {perfkit.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}")
    from perfkit.datasets.examples import synthetic_composite

    ev_a = perfkit.evaluate(*synthetic_composite(60, 8, 5, rng=0))
    fa = [ps.WeightNoise(0.25, level=1), ps.WeightNoise(0.25, level=2),
          ps.Normalisation([{"method": "minmax", "lo": 1}, {"method": "zscore", "mean": 100, "sd": 10}, "rank"]),
          ps.Aggregation(["arithmetic", "geometric"])]
    case("(a) composite 60 x 40: weight noise (2 levels) + 3 normalisations + 2 aggregations", ev_a, fa,
         100_000 // k, 200 // k, 2.0, 200)
    ev_b, note = _demo_city()
    fb = [ps.SurveyBootstrap()]
    case(f"(b) demo city 2025, 100-point scheme: survey bootstrap{note}", ev_b, fb, 10_000 // k, 100 // k, 5.0)


if __name__ == "__main__":
    main()
