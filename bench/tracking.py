"""Backtest of the tracking projections on the demo city, and the analysis at 100x scale.

    python bench/tracking.py            # backtest + 1x and 100x timings
    python bench/tracking.py --quick    # backtest + 1x and 10x

Backtest: each year 2023-2025 is projected from the earlier years only (2023 from 2022,
2024 from 2022-2023, 2025 from 2022-2024), at the end of Q2 and Q3, and the stated
intervals are checked against the year-end values (Q4). It prints the share of targets
whose year-end value fell inside the 80% and the 90% intervals, per year and period and
pooled, with and without the planted outlier (gov_housing 2025, far behind its profile in
Q2 and catching up to 86% by the year end), and the median relative error of the point
projection. Milestones (done / not done) and targets with nothing reported yet (open
intervals) are not counted.

Scale: the demo city's 16 tracking rounds (2022Q1-2025Q4) with every unit copied k times
(k = 100: 6,000 units, about 32,000 targets a round, half a million rows; values jittered by
a seeded 3% noise, cumulative order kept). It times reading and checking the rounds
(``tracking_rounds``: the engine's validation of every round, the profile checks), learning
from three past years (``calibrate``), reading one round (``track``: projections, the
engine's rules, lights, warnings), and the per-unit tables, and prints the ratio to 1x.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfkit.analyses import tracking as tk  # noqa: E402
from perfkit.analyses.tracking import show  # noqa: E402
from perfkit.engine.validate import validate_round  # noqa: E402
from perfkit.io.round import RoundData  # noqa: E402
from perfkit.scheme import load_scheme  # noqa: E402


def backtest(rounds: tk.TrackingRounds) -> None:
    print("Backtest: each year projected from the earlier years only; year-end value inside the interval")
    print(f"{'year':>6} {'period':>6} {'targets':>8} {'80%':>7} {'90%':>7} {'80% w/o gov_housing':>20} "
          f"{'median |error|':>15}")
    res = {lvl: tk.backtest(rounds, periods=(2, 3), level=lvl) for lvl in (0.8, 0.9)}
    for (y, p), sub in res[0.8].groupby(["year", "period"]):
        sub9 = res[0.9][(res[0.9]["year"] == y) & (res[0.9]["period"] == p)]
        clean = sub[sub["unit_id"] != "gov_housing"]
        err = np.median(np.abs(sub["projected"] / sub["year_end"] - 1))
        print(f"{y:>6} {'Q' + str(p):>6} {len(sub):>8} {sub['inside'].mean():>7.1%} {sub9['inside'].mean():>7.1%} "
              f"{clean['inside'].mean():>20.1%} {err:>15.1%}")
    for p in (2, 3):
        a, b = res[0.8][res[0.8]["period"] == p], res[0.9][res[0.9]["period"] == p]
        print(f"{'pooled':>6} {'Q' + str(p):>6} {len(a):>8} {a['inside'].mean():>7.1%} {b['inside'].mean():>7.1%} "
              f"{a.loc[a['unit_id'] != 'gov_housing', 'inside'].mean():>20.1%}")
    a, b = res[0.8], res[0.9]
    print(f"{'pooled':>6} {'Q2+Q3':>6} {len(a):>8} {a['inside'].mean():>7.1%} {b['inside'].mean():>7.1%} "
          f"{a.loc[a['unit_id'] != 'gov_housing', 'inside'].mean():>20.1%}")
    print("(nominal: 80% and 90%; the split-conformal guarantee is marginal, over targets and years)\n")


def _scaled(folder: Path, k: int, rng: np.random.Generator):
    """The demo's tracking rounds with every unit copied ``k`` times; copy ``c > 0`` of a
    unit has its values multiplied by one factor (mean 1, sd 3%) in every round, so the
    cumulative order of its values is kept."""
    scheme = load_scheme(ROOT / "datasets/demo_city/schemes/2025_tracking.yaml")
    exp = tk.read_expected(*sorted(folder.glob("expected_progress*.csv")))
    names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    first = pd.read_csv(folder / names[0] / "units.csv", dtype=str)["unit_id"]
    factor = {(c, u): float(rng.normal(1.0, 0.03)) for c in range(1, k) for u in first}
    out, exps = {}, []
    for rnd in names:
        units = pd.read_csv(folder / rnd / "units.csv", dtype=str)
        targets = pd.read_csv(folder / rnd / "targets.csv", dtype=str, keep_default_na=False)
        values = pd.read_csv(folder / rnd / "values.csv", dtype=str)
        us, ts, vs = [], [], []
        for c in range(k):
            sfx = f"_{c:03d}"
            us.append(units.assign(unit_id=units["unit_id"] + sfx))
            ts.append(targets.assign(unit_id=targets["unit_id"] + sfx, indicator_id=targets["indicator_id"] + sfx))
            v = values.assign(unit_id=values["unit_id"] + sfx, indicator_id=values["indicator_id"] + sfx)
            if c:
                f = values["unit_id"].map(lambda u, c=c: factor[(c, u)]).to_numpy()
                v["value"] = np.round(pd.to_numeric(values["value"]).to_numpy() * f, 4).astype(str)
            vs.append(v)
        out[rnd] = (scheme, RoundData.from_frames(units=pd.concat(us), targets=pd.concat(ts), values=pd.concat(vs),
                                                  round=rnd))
        e = exp[exp["round"] == rnd]
        exps.append(pd.concat([e.assign(unit_id=e["unit_id"] + f"_{c:03d}", indicator_id=e["indicator_id"] + f"_{c:03d}")
                               for c in range(k)], ignore_index=True))
    return out, pd.concat(exps, ignore_index=True)


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def scale(ks: list[int]) -> None:
    folder = ROOT / "datasets/demo_city/tracking"
    print("Time of the analysis (16 rounds; calibrate on 2022-2024; read 2025Q2)")
    print(f"{'scale':>6} {'units':>7} {'rows':>9} {'read+check':>11} {'(engine)':>9} {'calibrate':>10} "
          f"{'track Q2':>9} {'tables':>7} {'total':>7} {'x 1x':>6}")
    base = None
    for k in ks:
        data, exp = _scaled(folder, k, np.random.default_rng(k))
        rounds, t_read = timed(tk.tracking_rounds, data, exp)
        cal, t_cal = timed(tk.calibrate, rounds, [2022, 2023, 2024])
        tr, t_track = timed(tk.track, rounds, "2025Q2", calibration=cal)
        _, t_tab = timed(lambda: (tr.units, show.warning_table(tr, "zh"), show.category_table(tr, "zh")))
        total = t_read + t_cal + t_track + t_tab
        base = base or total
        _, t_val = timed(validate_round, *data["2025Q2"])  # the engine's validation of one round
        print(f"{k:>5}x {len(tr.units):>7} {len(rounds.rows):>9} {t_read:>10.2f}s {16 * t_val:>8.1f}s "
              f"{t_cal:>9.2f}s {t_track:>8.2f}s {t_tab:>6.2f}s {total:>6.2f}s {total / base:>6.1f}")
    print("(engine): perfkit.validate_round of one round x 16, the part of read+check spent in the engine's "
          "validation\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10x instead of 100x")
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}\n")
    rounds = tk.load_tracking(ROOT / "datasets/demo_city/tracking", str(ROOT / "datasets/demo_city/schemes/"
                                                                          "{year}_tracking.yaml"))
    backtest(rounds)
    scale([1, 10] if args.quick else [1, 100])
    return 0


if __name__ == "__main__":
    sys.exit(main())
