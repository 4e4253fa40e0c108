"""Benchmark of the indicator design review (perfkit.analyses.indicators.review).

    python bench/indicators.py              # demo round, four rounds, and 100x the demo city
    python bench/indicators.py --scale 10   # another scale
    python bench/indicators.py --quick      # demo round only

(a) the review of the demo city's 2025 round (60 units, 27 indicators): target <= 2 s;
(b) the review of its four rounds 2022-2025 (what the report notebook runs);
(c) the demo city at ``--scale`` times its units (default 100: 6,000 units): every unit copied
    with jittered values (and a fifth of its survey respondents), evaluated once, then reviewed.

Times are the median of ``--repeat`` runs (wall clock, this process); the evaluations are not
timed. For (c) the time of each part of the review is printed too.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

import numpy as np
import pandas as pd

import perfkit
from perfkit import datasets
from perfkit.analyses.indicators import measure, review
from perfkit.analyses.indicators.collect import RoundView

BUDGET = 2.0  # seconds, (a)


def _time(f, repeat: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``repeat`` calls, and the last result."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = f()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), out


def _scaled(scale: int, seed: int = 0):
    """The demo city's 2025 round with every unit copied ``scale`` times (values jittered by
    about 1% of each indicator's spread, counts by +-1 now and then)."""
    ds = datasets.load("demo_city", round="2025")
    d = ds.data
    rng = np.random.default_rng(seed)
    units = d.units.drop(columns=[c for c in d.units.columns if c.startswith("_")])
    copies = {u: [f"{u}__{k}" for k in range(scale)] for u in units["unit_id"]}

    def spread(df: pd.DataFrame, col: str = "unit_id") -> pd.DataFrame:
        df = df.drop(columns=[c for c in df.columns if c.startswith("_")])
        out = df.loc[df.index.repeat(scale)].copy()
        out[col] = [c for u in df[col] for c in copies[u]]
        return out.reset_index(drop=True)

    values = spread(d.values)
    num = pd.to_numeric(values["value"], errors="coerce")
    by = num.groupby(values["indicator_id"])
    sd, lo, hi = by.transform("std").fillna(0.0), by.transform("min"), by.transform("max")
    counts = by.transform(lambda v: bool((v.dropna() == v.dropna().round()).all())).astype(bool)
    jitter = rng.normal(0.0, 0.01, len(values)) * sd
    jitter[counts.to_numpy()] = rng.choice([-1, 0, 0, 0, 1], int(counts.sum()))
    new = (num + jitter).clip(lo, hi)  # within what was reported, so within the declared range
    values.loc[num.notna(), "value"] = new[num.notna()].round(4).astype(str)
    survey = d.survey.drop(columns=[c for c in d.survey.columns if c.startswith("_")])
    parts = []
    for k in range(scale):
        s = survey.sample(frac=0.2, random_state=int(rng.integers(2**31)))
        s = s.assign(unit_id=s["unit_id"] + f"__{k}")
        if "respondent_id" in s:
            s["respondent_id"] = s["respondent_id"].astype(str) + f"_{k}"
        parts.append(s)
    data = perfkit.io.round.RoundData.from_frames(
        units=spread(units), values=values, targets=spread(d.targets), survey=pd.concat(parts, ignore_index=True),
        special_results=spread(d.special_results),
        adjustments=spread(d.adjustments) if len(d.adjustments) else d.adjustments, round="2025")
    targets = data.targets
    targets["indicator_id"] = targets["indicator_id"] + "__" + targets["unit_id"].str.split("__").str[-1]
    ft = values["indicator_id"].str.startswith("ft_")
    values.loc[ft, "indicator_id"] = values.loc[ft, "indicator_id"] + "__" + values.loc[ft, "unit_id"].str.split(
        "__").str[-1]
    data = data.replace(targets=targets, values=perfkit.io.round.RoundData.from_frames(
        units=spread(units), values=values).values)
    return ds.scheme, data


def _parts(ev) -> dict[str, float]:
    v = RoundView("2025", ev)
    notes: list = []
    out = {}
    for name, f in (("setup (rest of parent/final)", lambda: v.rest),
                    ("discrimination", lambda: measure.discrimination(v, notes)),
                    ("distribution", lambda: measure.distribution(v, notes, outlier_z=3.5)),
                    ("redundancy", lambda: measure.redundancy(v, notes)),
                    ("structure (alpha, KMO, PCA)", lambda: measure.structure(v, notes)),
                    ("direction", lambda: measure.direction(v, notes)),
                    ("effective weights", lambda: measure.effective(v, notes))):
        t0 = time.perf_counter()
        f()
        out[name] = time.perf_counter() - t0
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    evs = {}
    for r in ("2022", "2023", "2024", "2025"):
        ds = datasets.load("demo_city", round=r)
        evs[r] = perfkit.evaluate(ds.scheme, ds.data)
    review(evs["2025"])  # warm caches (imports, catalogue)
    t1, c1, rv = _time(lambda: review(evs["2025"]), a.repeat)
    print(f"(a) demo city 2025 ({len(evs['2025'].results)} units, {len(rv.indicators)} indicators): "
          f"{t1:.2f} s wall, {c1:.2f} s CPU  [budget {BUDGET:.1f} s: {t1 / BUDGET:.0%} of it]")
    if a.quick:
        return 0
    t4, c4, _ = _time(lambda: review(evs), a.repeat)
    print(f"(b) demo city 2022-2025 (4 rounds): {t4:.2f} s wall, {c4:.2f} s CPU  ({c4 / c1:.1f}x one round)")
    t0 = time.perf_counter()
    scheme, data = _scaled(a.scale)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    big = perfkit.evaluate(scheme, data)
    t_eval = time.perf_counter() - t0
    tb, cb, rvb = _time(lambda: review(big), max(1, a.repeat - 2))
    print(f"(c) demo city x{a.scale} ({len(big.results)} units; built in {t_build:.1f} s, evaluated in "
          f"{t_eval:.1f} s): review {tb:.2f} s wall, {cb:.2f} s CPU  ({cb / c1:.1f}x the demo round's CPU "
          f"for {a.scale}x the units)")
    for name, sec in _parts(big).items():
        print(f"      {name:<30} {sec:6.2f} s")
    print(f"    ({len(rvb.recommendations)} recommendations; the copies repeat 60 profiles: flags at scale mean "
          f"nothing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
