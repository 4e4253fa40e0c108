"""Benchmark of the consistency review (perfkit.analyses.consistency.review).

    python bench/consistency.py            # the demo city, then 100x units and 100 assessments
    python bench/consistency.py --quick    # the demo city only

(a) the demo city's 2025 round (60 units, 7 special assessments, 2,000 bootstrap replicates,
    the joint schedule): the whole review, best of 5, and each part. Target: <= 2 s.
(b) 100x the units: the round copied 100 times (6,000 units; the survey thinned to a tenth
    per copy so the engine's evaluation stays small), registry coverage and schedule too.
(c) 100 special assessments: the 7 copied to 100 (scores perturbed, inspections spread over
    the windows), folded into the scheme's 10 special points.

The evaluation itself (perfkit.evaluate) is timed separately: it is the engine's, not the
review's. BLAS runs single-threaded inside the review (the matrices are small).
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import time

import numpy as np
import pandas as pd
import yaml
from threadpoolctl import threadpool_limits

import perfkit
from perfkit import datasets
from perfkit.analyses import consistency as pc
from perfkit.io.round import RoundData
from perfkit.scheme import Scheme

SRC = ("_file", "_sheet", "_row")


def _best(f, n):
    out, best = None, float("inf")
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return out, best


def _demo():
    folder = datasets.dataset_path("demo_city")
    ds = datasets.load("demo_city", round=2025)
    reg = yaml.safe_load((folder / "special" / "registry.yaml").read_text(encoding="utf-8"))
    sched = pd.read_csv(folder / "special" / "schedule.csv", dtype=str)
    prev = {r: perfkit.load_round(folder / "rounds" / r, round=r).special_results for r in ("2022", "2023", "2024")}
    return ds, reg, sched, prev


def _parts(ev, reg, sched, prev):
    """Time each part as review() runs it."""
    t = {}
    with threadpool_limits(1, "blas"):
        r0 = time.perf_counter()
        registry = pc.load_registry(reg)
        schedule = pc.load_schedule(sched)
        t["read registry and schedule"] = time.perf_counter() - r0
        res = ev.data.special_results
        r0 = time.perf_counter()
        variants = {a: pc.without(ev, a) for a in registry.ids}
        t["evaluations without each special (engine reruns)"] = time.perf_counter() - r0
        units = ev.results[["category"]]
        r0 = time.perf_counter()
        pc.overlap(ev, registry, units)
        t["overlap, double counting, conflicts"] = time.perf_counter() - r0
        r0 = time.perf_counter()
        b = pc.burden(registry, units, "2025", schedule.for_round("2025"))
        t["burden and joint schedule (HiGHS)"] = time.perf_counter() - r0
        r0 = time.perf_counter()
        pc.agreement(ev, res, variants, rng=np.random.default_rng(1), n_boot=2000)
        t["agreement (2,000 bootstrap replicates)"] = time.perf_counter() - r0
        r0 = time.perf_counter()
        pc.discrimination(res, prev)
        t["discrimination and stability"] = time.perf_counter() - r0
        r0 = time.perf_counter()
        pc.effect(ev, variants)
        t["effect (scheme comparison)"] = time.perf_counter() - r0
    return t, b


def case_demo():
    ds, reg, sched, prev = _demo()
    ev, t_eval = _best(lambda: perfkit.evaluate(ds.scheme, ds.data), 3)
    r, t = _best(lambda: pc.review(ev, reg, sched, previous=prev, rng=1), 5)
    parts, b = _parts(ev, reg, sched, prev)
    print(f"(a) demo city 2025: {len(ev.results)} units, {len(r.assessments)} special assessments, "
          f"{len(sched[sched['round'] == '2025'])} inspections")
    print(f"    evaluate (engine, not part of the review): {t_eval:.2f} s")
    print(f"    review, whole (best of 5): {t:.2f} s   target <= 2 s: {'OK' if t <= 2 else 'MISSED'}; "
          f"{t / t_eval:.1f}x one evaluate() of the round (a ratio that does not depend on the machine's load)")
    for k, v in parts.items():
        print(f"      {k:<52s} {v:6.3f} s")
    print(f"    joint schedule: {b.joint.params['variables']} variables, clashes {b.joint.clashes_before} -> "
          f"{b.joint.clashes_after}, optimal={b.joint.optimal}")
    return ev, t


def _scaled_units(ds, reg, sched, prev, copies: int, thin: float = 0.1, seed: int = 0):
    d = ds.data

    def rep(df, cols=("unit_id",), extra=None):
        df = df.drop(columns=[c for c in SRC if c in df.columns])
        frames = []
        for k in range(copies):
            f = df.copy()
            for c in cols:
                f[c] = f[c].astype(str) + (f"__{k}" if k else "")
            if extra is not None:
                f = extra(f, k)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    survey = d.survey.drop(columns=[c for c in SRC if c in d.survey.columns])
    survey = survey.sample(frac=thin, random_state=seed) if thin < 1 else survey
    data = RoundData.from_frames(
        units=rep(d.units), values=rep(d.values, extra=lambda f, k: f.assign(
            indicator_id=[i if not i.startswith("ft_") else f"{i}__{k}" if k else i for i in f["indicator_id"]])),
        targets=rep(d.targets, ("unit_id", "indicator_id")), adjustments=rep(d.adjustments),
        survey=rep(survey, ("unit_id", "respondent_id")), special_results=rep(d.special_results), round="2025")
    reg = copy.deepcopy(reg)
    for a in reg["assessments"]:
        a["covered_units"] = [f"{u}__{k}" if k else u for k in range(copies) for u in a["covered_units"]]
    sc = pd.concat([sched.assign(unit_id=sched["unit_id"] + (f"__{k}" if k else "")) for k in range(copies)],
                   ignore_index=True)
    pv = {r: pd.concat([p.drop(columns=[c for c in SRC if c in p.columns]).assign(
        unit_id=p["unit_id"].astype(str) + (f"__{k}" if k else "")) for k in range(copies)], ignore_index=True)
        for r, p in prev.items()}
    return data, reg, sc, pv


def case_units(copies: int = 100):
    ds, reg, sched, prev = _demo()
    data, reg, sc, pv = _scaled_units(ds, reg, sched, prev, copies)
    t0 = time.perf_counter()
    ev = perfkit.evaluate(ds.scheme, data)
    t_eval = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = pc.review(ev, reg, sc, previous=pv, rng=1)
    t = time.perf_counter() - t0
    j = r.burden.joint
    print(f"(b) {copies}x the units: {len(ev.results)} units, {len(r.assessments)} special assessments, "
          f"{len(sc[sc['round'] == '2025'])} inspections")
    print(f"    evaluate (engine): {t_eval:.1f} s; review: {t:.1f} s; joint schedule {j.params['variables']} "
          f"variables, clashes {j.clashes_before} -> {j.clashes_after}, optimal={j.optimal}")
    print(f"    Kendall intervals: {sorted(set(r.agreement.table['kendall_interval']))}")
    parts, _ = _parts(ev, reg, sc, pv)
    for k, v in parts.items():
        print(f"      {k:<52s} {v:6.2f} s")
    return t


def case_assessments(n: int = 100, seed: int = 0):
    ds, reg, sched, prev = _demo()
    rng = np.random.default_rng(seed)
    base = list(reg["assessments"])
    raw = ds.scheme.to_dict()
    node = next(c for c in raw["structure"]["children"] if c["id"] == "special")
    specials, children, regs, res, rows, pv = [], [], [], [], [], {r: [] for r in prev}
    sr = ds.data.special_results.drop(columns=list(SRC))
    s25 = sched[sched["round"] == "2025"]
    for k in range(n):
        b = base[k % len(base)]
        aid = b["id"] if k < len(base) else f"{b['id']}__{k}"
        specials.append({"id": aid, "label": {"zh": f"{b['label']['zh']}{k}", "en": f"{b['label']['en']} {k}"},
                         "owner": b["owner"], **({"covers": b["covers"]} if len(b["covers"]) < 4 else {})})
        children.append({"id": aid, "label": specials[-1]["label"], "points": 10.0 / n, "source": "special",
                         "assessment": aid})
        regs.append({**copy.deepcopy(b), "id": aid, "label": specials[-1]["label"], "weight": 10.0 / n})
        s = sr[sr["assessment_id"] == b["id"]].copy()
        s["assessment_id"] = aid
        s["score"] = np.clip(s["score"].astype(float) + rng.normal(0, 1.5, len(s)), 0, 100).round(1)
        res.append(s)
        for r, p in prev.items():
            q = p[p["assessment_id"] == b["id"]].drop(columns=list(SRC)).assign(assessment_id=aid)
            pv[r].append(q)
        shift = pd.Timedelta(days=7 * int(rng.integers(-3, 3)))
        x = s25[s25["assessment_id"] == b["id"]].copy()
        x["assessment_id"] = aid
        x["start"] = (pd.to_datetime(x["start"]) + shift).dt.strftime("%Y-%m-%d")
        x["end"] = (pd.to_datetime(x["end"]) + shift).dt.strftime("%Y-%m-%d")
        rows.append(x)
    node["children"] = children
    raw["special"] = specials
    scheme = Scheme.from_dict(raw)
    sres = pd.concat(res, ignore_index=True)
    data = ds.data.replace(special_results=sres.assign(_file="<bench>", _sheet="", _row=np.arange(len(sres)) + 2))
    ev = perfkit.evaluate(scheme, data)
    reg2 = {**reg, "plan": {"cap": n}, "assessments": regs}
    sc = pd.concat(rows, ignore_index=True)
    t0 = time.perf_counter()
    r = pc.review(ev, reg2, sc, previous={k: pd.concat(v) for k, v in pv.items()}, rng=1, time_limit=30)
    t = time.perf_counter() - t0
    j = r.burden.joint
    print(f"(c) {n} special assessments: {len(ev.results)} units, {len(sc)} inspections")
    print(f"    review: {t:.1f} s; joint schedule {j.params['variables']} variables, clashes {j.clashes_before} -> "
          f"{j.clashes_after}, optimal={j.optimal} ({j.status})")
    return t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the demo city only")
    p.add_argument("--case", choices=["demo", "units", "assessments"], help="one case only")
    args = p.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    if args.case == "units":
        case_units()
        return
    if args.case == "assessments":
        case_assessments()
        return
    _, t_demo = case_demo()
    if not args.quick and args.case is None:
        t_units = case_units()
        t_sa = case_assessments()
        print(f"ratios to the demo city: 100x units {t_units / t_demo:.0f}x, 100 assessments {t_sa / t_demo:.0f}x")


if __name__ == "__main__":
    main()
