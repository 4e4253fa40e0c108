"""Benchmark of data collection and data quality at scale.

    python bench/quality.py            # both cases, full size
    python bench/quality.py --quick    # 20 workbooks and 100,000 values (a smoke run)

(a) ingestion: a synthetic round of 60 units and 200 collectors with 30 indicators each;
    the 200 templates (60 units x 30 indicators = 1,800 input cells each, 360,000 in all)
    are written with the figures in their input cells (one is also filled through openpyxl,
    as a clerk's program would, to show that cost) and ingested by ``perfkit.collection.ingest``
    (template recognised, every row found by its hidden id, every locked cell compared, every
    figure checked by the engine's validation). Prints seconds for each step and figures per
    second of the ingestion, and checks that the round trip gives back every value.
(b) quality: a synthetic round of 1,000,000 values (5,000 units in 4 categories x 200
    indicators, 20 collectors' files) and a previous round of the same size, with a few
    mistakes planted (x100 slips, a copied block, a dropped digit); prints the seconds of
    ``perfkit.analyses.quality.check_quality`` (and of its cell checks alone), figures per
    second, and the planted mistakes found.
"""
from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import perfkit
from perfkit.analyses.quality import check_quality
from perfkit.collection import check_figures, duty_cells, fill_template, ingest, write_templates


def _scheme(collectors: int, per: int, *, unit: str = "%"):
    groups = []
    for c in range(collectors):
        leaves = [{"id": f"c{c:03d}_i{i:02d}", "label": {"zh": f"指标{c}-{i}", "en": f"indicator {c}-{i}"},
                   "unit": unit, "range": [0, 100], "collector": f"col{c:03d}",
                   "normalise": {"method": "minmax"}} for i in range(per)]
        groups.append({"id": f"g{c:03d}", "label": {"zh": f"组{c}", "en": f"group {c}"}, "children": leaves})
    return perfkit.load_scheme({
        "id": "bench_quality", "label": {"zh": "基准", "en": "bench"}, "paradigm": "composite",
        "categories": [{"id": f"k{k}", "label": {"zh": f"类{k}", "en": f"cat {k}"}} for k in range(4)],
        "structure": {"id": "index", "label": {"zh": "指数", "en": "index"}, "aggregate": "arithmetic",
                      "children": groups}})


def _units(n: int) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [f"u{i:05d}" for i in range(n)], "name_zh": [f"单位{i}" for i in range(n)],
                         "name_en": [f"Unit {i}" for i in range(n)], "category": [f"k{i % 4}" for i in range(n)]})


def _values(scheme, units: pd.DataFrame, rng: np.random.Generator, files: int) -> pd.DataFrame:
    leaves = list(scheme.leaves)
    u = np.repeat(units["unit_id"].to_numpy(), len(leaves))
    ind = np.tile(np.array(leaves), len(units))
    level = rng.uniform(70, 95, len(leaves))
    x = np.round(np.clip(np.tile(level, len(units)) + rng.normal(0, 3, len(u)), 0, 100), 1)
    per_file = max(1, len(leaves) // files)
    file_of = {iid: f"collector_{k // per_file:02d}.csv" for k, iid in enumerate(leaves)}
    df = pd.DataFrame({"round": "2025", "unit_id": u, "indicator_id": ind, "value": x})
    df["_file"] = df["indicator_id"].map(file_of)
    df = df.sort_values(["_file", "indicator_id", "unit_id"], kind="stable").reset_index(drop=True)
    df["_sheet"] = ""
    df["_row"] = df.groupby("_file").cumcount() + 2
    return df


def bench_ingestion(n_workbooks: int, units: int = 60, per: int = 30) -> None:
    print(f"(a) ingestion: {n_workbooks} workbooks of {units} units x {per} indicators "
          f"({n_workbooks * units * per:,} cells)")
    scheme = _scheme(n_workbooks, per)
    rng = np.random.default_rng(1)
    u = _units(units)
    data = perfkit.RoundData.from_frames(units=u, round="2025")
    values = _values(scheme, u, rng, n_workbooks)
    values["value"] = values["value"].map(lambda v: f"{v:g}")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = write_templates(scheme, data, Path(tmp) / "templates", round="2025", deadline="2026-01-20 17:30",
                                values=values)  # written with the figures in their input cells, as returned
        t1 = time.perf_counter()
        fill_template(paths[0], values)  # one filled as a clerk would, for the time it takes
        t2 = time.perf_counter()
        ing = ingest(scheme, data, Path(tmp) / "templates", round="2025")
        t3 = time.perf_counter()
    got = dict(zip(zip(ing.values["unit_id"], ing.values["indicator_id"]), ing.values["value"]))
    want = dict(zip(zip(values["unit_id"], values["indicator_id"]), values["value"]))
    print(f"    write {len(paths)} filled templates {t1 - t0:8.2f} s   {(t1 - t0) / len(paths) * 1000:.0f} ms each")
    print(f"    fill one (openpyxl)     {t2 - t1:8.2f} s")
    print(f"    ingest them             {t3 - t2:8.2f} s   {len(ing.values) / (t3 - t2):,.0f} figures/s, "
          f"{(t3 - t2) / len(paths) * 1000:.0f} ms per workbook")
    print(f"    round trip: {len(ing.values):,} figures read, {len(ing.problems)} problem(s), "
          f"all values back: {got == want}")


def bench_quality(n_units: int, n_ind: int = 200) -> None:
    print(f"(b) quality: {n_units:,} units x {n_ind} indicators = {n_units * n_ind:,} values "
          f"(and a previous round of the same size)")
    scheme = _scheme(20, n_ind // 20)
    u = _units(n_units)
    rng = np.random.default_rng(2)
    prev_values = _values(scheme, u, rng, 20)
    cur = prev_values.copy()
    cur["value"] = np.round(np.clip(cur["value"] + rng.normal(0, 1.5, len(cur)), 0, 100), 1)
    iid = list(scheme.leaves)
    planted = {}
    slip = cur.index[(cur["unit_id"] == "u00123") & (cur["indicator_id"] == iid[7])][0]
    cur.loc[slip, "value"] = round(cur.loc[slip, "value"] / 100, 3)
    planted["scale_slip"] = ("u00123", iid[7])
    dropped = cur.index[(cur["unit_id"] == "u00456") & (cur["indicator_id"] == iid[42])][0]
    cur.loc[dropped, "value"] = round(cur.loc[dropped, "value"] / 10, 1)
    planted["jump|outlier"] = ("u00456", iid[42])  # a dropped digit: 8.9 for 89.x
    block = cur.index[(cur["indicator_id"] == iid[99]) & cur["unit_id"].isin([f"u{i:05d}" for i in range(300, 306)])]
    cur.loc[block, "value"] = 77.77
    planted["copied_block"] = ("-", iid[99])
    for df in (cur, prev_values):
        df["value"] = df["value"].map(lambda v: f"{v:g}")
    prev_values["round"] = "2024"
    data = perfkit.RoundData.from_frames(units=u, values=cur, round="2025")
    previous = {"2024": perfkit.RoundData.from_frames(units=u, values=prev_values, round="2024")}
    t0 = time.perf_counter()
    duty = duty_cells(scheme, data, default="")
    figs = check_figures(scheme, data, data.values, duty)
    t1 = time.perf_counter()
    report = check_quality(scheme, data, previous=previous)
    t2 = time.perf_counter()
    found = {}
    for f in report.flags:
        for code in planted:
            if f.code in code.split("|"):
                found.setdefault(code, set()).add((f.unit_id, f.indicator_id))
    print(f"    cell checks alone       {t1 - t0:8.2f} s   {len(figs.table) / (t1 - t0):,.0f} figures/s")
    print(f"    check_quality (all)     {t2 - t1:8.2f} s   {report.checked / (t2 - t1):,.0f} figures/s")
    kinds = ", ".join(f"{c} {n}" for c, n in report.summary("en")[["code", "count"]].itertuples(index=False))
    print(f"    flags: {len(report.flags)} ({kinds}); planted found: "
          + ", ".join(f"{k} {'yes' if v in found.get(k, ()) else 'NO'}" for k, v in planted.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    print(f"perfkit {perfkit.__version__}, Python {platform.python_version()}, {platform.machine()}")
    bench_ingestion(20 if a.quick else 200)
    bench_quality(500 if a.quick else 5000)


if __name__ == "__main__":
    main()
