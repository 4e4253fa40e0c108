"""Benchmarking speed: the demo city's full benchmark, and DEA at scale.

    python bench/benchmark.py            # the demo city, and DEA for 2,000 units x 10 indicators
    python bench/benchmark.py --quick    # DEA for 500 units only

Prints wall-clock and CPU seconds (the machine may be shared: CPU time is what the code
costs), and for DEA the ratio of column generation to the full programme on a smaller
case where both run (their results are checked equal).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import perfkit
import perfkit.analyses.benchmark as bm
from perfkit import datasets


class Timer:
    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        print(f"  {self.label:<52} {self.wall:7.2f} s wall  {self.cpu:7.2f} s cpu")


def demo_city() -> None:
    print("demo city 2025 (60 units, 4 categories), history 2022-2024")
    ds = datasets.load("demo_city", round=2025)
    ev = perfkit.evaluate(ds.scheme, ds.data)
    history = {str(r): perfkit.evaluate(d.scheme, d.data)
               for r in (2022, 2023, 2024) for d in [datasets.load("demo_city", round=r)]}
    bm.load_practice()  # warm the YAML and the source document once, as a report kernel would
    with Timer("full benchmark (all of the below)") as total:
        with Timer("peer practice: load + check, matrix, gaps, radar"):
            pp = bm.load_practice()
            bm.practice_matrix(pp), bm.gap_list(pp), bm.radar_data(pp)
        with Timer("2 peer-model templates: apply, re-score, compare"):
            bm.compare_templates(ev)
        with Timer("unit benchmarking with 4-round robust trends"):
            bm.unit_benchmark(ev, history=history)
        with Timer("DEA frontier per category (VRS)"):
            bm.unit_frontier(ev)
        with Timer("points to the next grade, every unit"):
            ng = bm.next_grades(ev)
        with Timer("index comparison (district block vs second index)"):
            bm.compare_indices(ev.nodes.loc[ev.results["category"] == "district", "development"], bm.read_index())
    with Timer("verify one suggestion by re-evaluating (2 runs)"):
        unit = ng.table.index[ng.table["status"] == "single"][0]
        assert bm.verify_next_grade(ev, ng.results[unit]).ok
    print(f"  -> full benchmark {total.wall:.2f} s wall, {total.cpu:.2f} s cpu (target <= 2 s)")


def _data(n: int, p: int, q: int, rng: np.random.Generator):
    """Inputs, and outputs from a Cobb-Douglas frontier with half-normal inefficiency."""
    X = rng.uniform(10, 100, (n, p))
    A = rng.dirichlet(np.ones(p), q)
    Y = np.exp(np.log(X) @ A.T) * np.exp(-np.abs(rng.normal(0, 0.3, (n, 1)))) * rng.uniform(0.8, 1.2, (n, q))
    return X, Y


def dea_scale(n: int) -> None:
    rng = np.random.default_rng(1)
    print(f"DEA, output-oriented, with slacks: {n} units x 10 indicators (5 inputs, 5 outputs)")
    X, Y = _data(n, 5, 5, rng)
    for rts in ("vrs", "crs"):
        with Timer(f"{rts.upper()}: column generation") as t:
            r = bm.dea(X, Y, rts=rts)
        print(f"     {int(r.efficient.sum())} efficient, {len(r.reference)} peer columns, {r.n_programmes} programmes"
              f" ({t.cpu / r.n_programmes * 1000:.1f} ms cpu each); target <= 20 s")
    from perfkit.analyses.benchmark.dea import _radial, _slacks  # deferred: private stages, timed here only

    k = 20
    with Timer(f"VRS full programme for {k} of the {n} units (to extrapolate)") as f:
        for o in range(k):
            sol = _radial(X[o], Y[o], X, Y, np.arange(n), "output", True)
            if not sol.tight:
                _slacks(X[o], Y[o], X, Y, np.arange(n), sol.value, "output", True)
    print(f"     full programme for all {n} units ~ {f.cpu / k * n:.0f} s cpu (extrapolated)")
    small = 300
    Xs, Ys = X[:small], Y[:small]
    with Timer(f"VRS {small} units: column generation") as a:
        fast = bm.dea(Xs, Ys, rts="vrs")
    with Timer(f"VRS {small} units: full programme (every unit vs all)") as b:
        full = bm.dea(Xs, Ys, rts="vrs", reference="all")
    same = np.allclose(fast.score, full.score, atol=1e-9) and np.allclose(fast.target_outputs, full.target_outputs,
                                                                          atol=1e-6)
    print(f"     results equal: {same}; full / column generation = {b.cpu / a.cpu:.2f} (cpu)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="DEA for 500 units only")
    args = ap.parse_args()
    demo_city()
    dea_scale(500 if args.quick else 2000)


if __name__ == "__main__":
    main()
