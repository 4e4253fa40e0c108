"""Benchmark of reading, validating and evaluating a round at scale.

    python bench/scale.py                 # 5,000 units (1 + 10 rounds) and 50,000 units
    python bench/scale.py --quick         # 500 units, 3 rounds (a smoke run)
    python bench/scale.py --formats parquet,csv,xlsx   # also time reading CSV and XLSX

The case is the one of issue 9: a composite scheme of 20 pillars x 10 indicators (min-max
normalisation, arithmetic means), 200 indicators, round data as Parquet, so 5,000 units
make 1,000,000 value rows. Every number goes through the public API a user calls
(``perfkit.load_round``, ``perfkit.validate_round``, ``perfkit.evaluate``), so whatever makes
any of them faster shows here.

For each size it prints the time of each stage (read, validate, evaluate), value rows per
second of validate + evaluate, the CPU time of validate and evaluate (a busy machine
stretches wall time, much less CPU time; the load average is printed too), and the peak memory (peak RSS of a fresh process that runs
only that case), each with its ratio to the target (a ratio <= 1 meets it):

* 5,000 units x 200 indicators: validate + evaluate <= 1 s a round, 10 rounds <= 10 s,
  peak <= 2 GB;
* 50,000 units x 200 indicators (10,000,000 value rows): runs; aim <= 20 s.

The round files are generated once (seeded) into a cache folder (``--cache``, default a
folder under the system's temporary directory) and reused by later runs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import perfkit

PILLARS, PER_PILLAR = 20, 10
TARGETS = {"round_s": 1.0, "rounds10_s": 10.0, "peak_gb": 2.0, "big_s": 20.0}


def scheme_dict() -> dict:
    """The composite scheme: 20 pillars x 10 min-max indicators, arithmetic means."""
    pillars = []
    for p in range(PILLARS):
        kids = [{"id": f"i{p:02d}_{k}", "label": {"zh": f"指标{p}-{k}", "en": f"Indicator {p}-{k}"},
                 "normalise": "minmax", **({"direction": "lower"} if k % 4 == 3 else {})}
                for k in range(PER_PILLAR)]
        pillars.append({"id": f"p{p:02d}", "label": {"zh": f"支柱{p}", "en": f"Pillar {p}"},
                        "aggregate": "arithmetic", "children": kids})
    return {"id": "scale", "label": {"zh": "规模测试", "en": "Scale test"}, "paradigm": "composite",
            "categories": [{"id": "county", "label": {"zh": "县", "en": "Counties"}},
                           {"id": "district", "label": {"zh": "区", "en": "Districts"}}],
            "structure": {"id": "index", "label": {"zh": "指数", "en": "Index"}, "aggregate": "arithmetic",
                          "children": pillars}}


def indicator_ids() -> list[str]:
    return [f"i{p:02d}_{k}" for p in range(PILLARS) for k in range(PER_PILLAR)]


def write_round(folder: Path, n_units: int, seed: int, formats: tuple[str, ...]) -> None:
    """Units and values tables of one round, in each of ``formats`` (sub-folders)."""
    rng = np.random.default_rng(seed)
    ids = indicator_ids()
    units = pd.DataFrame({"unit_id": [f"U{u:06d}" for u in range(n_units)],
                          "name_zh": [f"单位{u}" for u in range(n_units)],
                          "name_en": [f"Unit {u}" for u in range(n_units)],
                          "category": np.where(np.arange(n_units) % 5 == 0, "district", "county")})
    level = rng.normal(50, 15, size=(n_units, 1))
    vals = np.round(level + rng.normal(0, 10, size=(n_units, len(ids))), 3)
    values = pd.DataFrame({"unit_id": np.repeat(units["unit_id"].to_numpy(), len(ids)),
                           "indicator_id": np.tile(np.array(ids, dtype=object), n_units),
                           "value": vals.ravel()})
    for fmt in formats:
        sub = folder / fmt
        sub.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            units.to_parquet(sub / "units.parquet", index=False)
            values.to_parquet(sub / "values.parquet", index=False)
        elif fmt == "csv":
            units.to_csv(sub / "units.csv", index=False)
            values.to_csv(sub / "values.csv", index=False)
        elif fmt == "xlsx":
            with pd.ExcelWriter(sub / "round.xlsx", engine="openpyxl") as xw:
                units.to_excel(xw, sheet_name="units", index=False)
                values.to_excel(xw, sheet_name="values", index=False)


def _round_path(folder: Path, fmt: str) -> Path:
    return folder / fmt / "round.xlsx" if fmt == "xlsx" else folder / fmt


def ensure_rounds(cache: Path, n_units: int, n_rounds: int, formats: tuple[str, ...]) -> list[Path]:
    out = []
    for r in range(n_rounds):
        folder = cache / f"u{n_units}" / f"r{r}"
        need = tuple(f for f in (formats if r == 0 else ("parquet",))
                     if not _round_path(folder, f).exists())
        if need:
            t0 = time.perf_counter()
            write_round(folder, n_units, seed=1000 + r, formats=need)
            print(f"  (generated {n_units:,} units round {r} as {', '.join(need)} in "
                  f"{time.perf_counter() - t0:.1f} s)", flush=True)
        out.append(folder)
    return out


def _peak_gb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024**2 if platform.system() != "Darwin" else kb / 1024**3


def run_case(folders: list[str], fmt: str, scheme_file: str) -> dict:
    """Run in a fresh process: read, validate, evaluate each round; return the timings."""
    scheme = perfkit.load_scheme(scheme_file)
    rounds = []
    for folder in folders:
        t0, c0 = time.perf_counter(), time.process_time()
        data = perfkit.load_round(_round_path(Path(folder), fmt))
        t1, c1 = time.perf_counter(), time.process_time()
        report = perfkit.validate_round(scheme, data)
        t2, c2 = time.perf_counter(), time.process_time()
        ev = perfkit.evaluate(scheme, data, validation=report)
        t3, c3 = time.perf_counter(), time.process_time()
        assert report.ok and len(ev.results) == len(data.units), str(report)[:500]
        rounds.append({"rows": len(data.values), "read": t1 - t0, "validate": t2 - t1, "evaluate": t3 - t2,
                       "cpu_validate": c2 - c1, "cpu_evaluate": c3 - c2, "problems": len(report.problems)})
        del data, report, ev
    return {"rounds": rounds, "peak_gb": _peak_gb()}


def _spawn(folders: list[Path], fmt: str, scheme_file: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", json.dumps([str(f) for f in folders]), "--format", fmt,
           "--scheme", str(scheme_file)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"case failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ratio(value: float, target: float) -> str:
    return f"{value / target:5.2f}x target ({'meets' if value <= target else 'MISSES'})"


def report(name: str, res: dict, *, target_s: float | None, big: bool = False) -> None:
    rs = res["rounds"]
    print(f"\n{name}")
    print(f"  {'round':>5} {'rows':>11} {'read s':>8} {'validate s':>10} {'evaluate s':>10} "
          f"{'val+eval s':>10} {'rows/s':>12}   CPU s: validate, evaluate")
    for i, r in enumerate(rs):
        ve = r["validate"] + r["evaluate"]
        print(f"  {i:>5} {r['rows']:>11,} {r['read']:>8.2f} {r['validate']:>10.2f} {r['evaluate']:>10.2f} "
              f"{ve:>10.2f} {r['rows'] / ve:>12,.0f}   {r['cpu_validate']:.2f}, {r['cpu_evaluate']:.2f}")
    ve = [r["validate"] + r["evaluate"] for r in rs]
    cpu = [r["cpu_validate"] + r["cpu_evaluate"] for r in rs]
    print(f"  CPU time of validate + evaluate (less sensitive to a busy machine): median {np.median(cpu):.2f} s a "
          f"round, {sum(cpu):.2f} s in all")
    if target_s is not None:
        print(f"  validate + evaluate, a round (median): {np.median(ve):.2f} s  {_ratio(float(np.median(ve)), target_s)}")
    if len(rs) >= 10:
        print(f"  validate + evaluate, {len(rs)} rounds: {sum(ve):.2f} s  {_ratio(sum(ve), TARGETS['rounds10_s'])}")
    if big:
        print(f"  validate + evaluate: {ve[0]:.2f} s  (aim) {_ratio(ve[0], TARGETS['big_s'])}")
    print(f"  peak memory (process RSS): {res['peak_gb']:.2f} GB  {_ratio(res['peak_gb'], TARGETS['peak_gb'])}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="500 units, 3 rounds")
    ap.add_argument("--formats", default="parquet", help="comma list of parquet, csv, xlsx (read timings)")
    ap.add_argument("--no-big", action="store_true", help="skip the 50,000-unit case")
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "perfkit-bench-scale"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--format", default="parquet", help=argparse.SUPPRESS)
    ap.add_argument("--scheme", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_case(json.loads(args.child), args.format, args.scheme)))
        return
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    scheme_file = cache / "scheme.json"
    scheme_file.write_text(json.dumps(scheme_dict(), ensure_ascii=False), encoding="utf-8")
    yaml_file = cache / "scheme.yaml"
    yaml_file.write_text(scheme_file.read_text(encoding="utf-8"), encoding="utf-8")  # JSON is YAML
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    print(f"perfkit {perfkit.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"scheme: composite, {PILLARS} pillars x {PER_PILLAR} indicators (minmax, arithmetic)")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs (times grow with it)")
    n, n_rounds = (500, 3) if args.quick else (5000, 10)
    folders = ensure_rounds(cache, n, n_rounds, formats)
    report(f"{n:,} units x {PILLARS * PER_PILLAR} indicators, Parquet, 1 round (fresh process)",
           _spawn(folders[:1], "parquet", yaml_file), target_s=TARGETS["round_s"])
    report(f"{n:,} units x {PILLARS * PER_PILLAR} indicators, Parquet, {n_rounds} rounds (one process)",
           _spawn(folders, "parquet", yaml_file), target_s=TARGETS["round_s"])
    for fmt in formats:
        if fmt != "parquet":
            report(f"{n:,} units x {PILLARS * PER_PILLAR} indicators, read from {fmt.upper()}",
                   _spawn(folders[:1], fmt, yaml_file), target_s=None)
    if not args.quick and not args.no_big:
        big = ensure_rounds(cache, 50_000, 1, ("parquet",))
        report(f"50,000 units x {PILLARS * PER_PILLAR} indicators, Parquet, 1 round",
               _spawn(big, "parquet", yaml_file), target_s=None, big=True)
    print("\nload average at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
