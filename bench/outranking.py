"""Time the outranking aggregations: exact Kemeny by unit count, the heuristic, Copeland.

    python bench/outranking.py            # 1,000 replicates of 8 children per case
    python bench/outranking.py --reps 200

What is measured (wall clock, one machine, numbers only; tests assert no times):

* ``kemeny`` exact (dynamic programming over the 2^n subsets) for n = 5 ... 12 units, a
  batch of replicates with one weight vector each, per replicate and the ratio to n = 5;
* the brute force it replaces (every one of the n! rankings scored) for n = 5 ... 8, one
  matrix, and the ratio brute / exact;
* the heuristic for 10, 30 and 100 units (per replicate), and ``copeland`` for the same.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfkit.kernels.outranking import copeland, kemeny, kemeny_ranking, outranking_matrix  # noqa: E402


def clock(fn, *args, **kw):
    t0 = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - t0


def brute(e):
    n = e.shape[0]
    return max(sum(e[p[i], p[j]] for i in range(n) for j in range(i + 1, n))
               for p in itertools.permutations(range(n)))


def main(reps: int) -> None:
    rng = np.random.default_rng(0)
    c = 8
    print(f"exact kemeny, {reps} replicates x {c} children (weights vary by replicate)")
    base = None
    for n in range(5, 13):
        x = rng.normal(size=(n, c))
        w = rng.uniform(0.5, 2.0, size=(reps, c))
        t = clock(kemeny, x, weights=w, exact_max=n) / reps
        base = base or t
        print(f"  n={n:2d}: {t * 1e3:8.3f} ms per replicate  ({t / base:6.1f}x n=5)")
    print("brute force (n! rankings) vs exact, one matrix")
    for n in range(5, 9):
        x = rng.normal(size=(n, c))
        e = outranking_matrix(x, weights=np.ones(c))
        tb = clock(brute, e)
        te = clock(kemeny_ranking, x, weights=np.ones(c), exact_max=n)
        print(f"  n={n}: brute {tb * 1e3:8.1f} ms, exact {te * 1e3:6.2f} ms, ratio {tb / te:7.1f}")
    print("heuristic kemeny and copeland, per replicate (20 replicates)")
    for n in (10, 30, 100):
        x = rng.normal(size=(n, c))
        w = rng.uniform(0.5, 2.0, size=(20, c))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            th = clock(kemeny, x, weights=w, exact_max=0) / 20
        tc = clock(copeland, x, weights=w) / 20
        print(f"  n={n:3d}: heuristic {th * 1e3:8.2f} ms, copeland {tc * 1e3:6.3f} ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    main(ap.parse_args().reps)
