"""Each finding planted in the Demo City (``planted.yaml``) is really in the data."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import spearmanr

import perfkit
from perfkit import datasets

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _f(planted, key):
    return planted["findings"][key]


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- indicators
def test_no_discrimination_nearly_everyone_full_marks(planted, demo):
    spec = _f(planted, "no_discrimination")
    for rnd in spec["rounds"]:
        _, ev = demo(rnd)
        score = ev.scores[spec["indicator"]].dropna()
        assert len(score) == 60
        assert (score >= 100 - 1e-9).mean() >= spec["min_full_marks_share"]
    # and it is the only common indicator like that
    _, ev = demo("2025")
    others = [c.id for c in ev.scheme.node("common").children if c.id != spec["indicator"]]
    shares = (ev.scores[others] >= 100 - 1e-9).sum() / ev.scores[others].notna().sum()
    assert shares.max() < spec["min_full_marks_share"], shares.sort_values().tail(3)


def test_near_duplicate_indicators(planted, demo):
    spec = _f(planted, "near_duplicates")
    a, b = spec["indicators"]
    for rnd in spec["rounds"]:
        raw = demo(rnd)[1].raw[[a, b]].dropna()
        assert len(raw) >= 40
        assert raw[a].corr(raw[b]) > spec["min_correlation"]


def test_declared_direction_contradicts_the_data(planted, demo):
    spec = _f(planted, "direction_contradiction")
    iid = spec["indicator"]
    for rnd in spec["rounds"]:
        ds, ev = demo(rnd)
        assert ds.scheme.node(iid).direction == spec["declared_direction"]
        ok = ev.raw[iid].notna()
        rho = spearmanr(ev.raw.loc[ok, iid], ev.results.loc[ok, "final"])[0]
        assert rho < spec["max_correlation_with_final"]


# --------------------------------------------------------------------------- special assessments
def test_special_assessment_ranking_disagrees(planted, demo):
    spec = _f(planted, "special_disagrees")
    _, ev = demo(spec["round"])
    sa = ev.raw[spec["assessment"]]
    ok = sa.notna()
    assert ok.sum() >= 30
    rho = spearmanr(sa[ok], ev.results.loc[ok, "final"])[0]
    assert rho < spec["max_rank_correlation"]
    # the other assessments agree with the comprehensive ranking
    others = [c.id for c in ev.scheme.node("special").children
              if c.id not in (spec["assessment"], _f(planted, "special_ceiling")["assessment"])]
    for sid in others:
        m = ev.raw[sid].notna()
        assert spearmanr(ev.raw.loc[m, sid], ev.results.loc[m, "final"])[0] > 0.2, sid


def test_special_assessment_gives_almost_everyone_95(planted, demo):
    spec = _f(planted, "special_ceiling")
    _, ev = demo(spec["round"])
    sa = ev.raw[spec["assessment"]].dropna()
    assert len(sa) == 60
    assert (sa >= spec["threshold"]).mean() >= spec["min_share"]


def test_double_counting(planted, demo_dir):
    spec = _f(planted, "double_counting")
    scheme = datasets.load("demo_city", "2025").scheme
    by_id = {s.id: s for s in scheme.model.special}
    for sa in spec["assessments"]:
        assert spec["indicator"] in by_id[sa].indicators
    assert spec["comprehensive_node"] in scheme.leaves
    reg = yaml.safe_load((demo_dir / "special" / "registry.yaml").read_text(encoding="utf-8"))
    holders = [a["id"] for a in reg["assessments"] if spec["indicator"] in {i["id"] for i in a["indicators"]}]
    assert sorted(holders) == sorted(spec["assessments"])


def test_conflicting_targets(planted, demo_dir):
    spec = _f(planted, "conflicting_targets")
    reg = yaml.safe_load((demo_dir / "special" / "registry.yaml").read_text(encoding="utf-8"))
    found = {a["id"]: i for a in reg["assessments"] for i in a["indicators"] if i["id"] == spec["indicator"]}
    assert found.keys() == spec["assessments"].keys()
    for sa, want in spec["assessments"].items():
        assert found[sa]["direction"] == want["direction"] and found[sa]["target"] == want["target"]
    dirs = {v["direction"] for v in found.values()}
    assert dirs == {"higher", "lower"}
    hi = next(v for v in found.values() if v["direction"] == "higher")
    lo = next(v for v in found.values() if v["direction"] == "lower")
    assert hi["target"] > lo["target"]  # no value can satisfy both


def _assessments_per_week(demo_dir) -> pd.Series:
    sched = _read(demo_dir / "special" / "schedule.csv")
    rows = []
    for r in sched.itertuples(index=False):
        d0, d1 = dt.date.fromisoformat(r.start), dt.date.fromisoformat(r.end)
        for k in range((d1 - d0).days + 1):
            y, w, _ = (d0 + dt.timedelta(days=k)).isocalendar()
            rows.append((r.round, r.unit_id, f"{y}-W{w:02d}", r.assessment_id))
    df = pd.DataFrame(rows, columns=["round", "unit_id", "week", "assessment_id"]).drop_duplicates()
    return df.groupby(["round", "unit_id", "week"])["assessment_id"].nunique()


def test_inspection_pileups(planted, demo_dir):
    spec = _f(planted, "inspection_pileups")
    per_week = _assessments_per_week(demo_dir)
    piled = per_week[per_week >= spec["min_assessments_same_week"]]
    expected = {(p["round"], p["unit_id"], p["iso_week"]) for p in spec["units"]}
    assert set(piled.index) == expected
    for p in spec["units"]:
        assert per_week[(p["round"], p["unit_id"], p["iso_week"])] >= len(p["assessments"])


# --------------------------------------------------------------------------- data collection
def test_late_submissions(planted, demo_dir):
    rec = _read(demo_dir / "collection" / "records.csv")
    dl = _read(demo_dir / "collection" / "deadlines.csv")
    first = rec[rec["version"] == "1"].merge(dl, on=["round", "collector_id"], suffixes=("", "_set"))
    assert (first["deadline"] == first["deadline_set"]).all()
    sub = pd.to_datetime(first["submitted_at"])
    due = pd.to_datetime(first["deadline_set"])
    late = first[sub > due].assign(days=((sub - due)[sub > due].dt.total_seconds() / 86400).map(math.ceil))
    found = {(r.round, r.collector_id): r.days for r in late.itertuples()}
    want = {(x["round"], x["collector_id"]): x["days_late"] for x in _f(planted, "late_submissions")}
    assert found == want


def test_copy_pasted_identical_values(planted, demo_dir):
    spec = _f(planted, "identical_values")
    clean = _read(demo_dir / "rounds" / spec["round"] / "values" / "gov_office.csv")
    returned = pd.read_excel(demo_dir / spec["file"], dtype=str)
    for df in (clean, returned):
        col = df[df["indicator_id"] == spec["indicator"]].reset_index(drop=True)
        pos = [int(col.index[col["unit_id"] == u][0]) for u in spec["units"]]
        assert pos == list(range(pos[0], pos[0] + len(pos))), "the units are consecutive rows"
        assert {float(v) for v in col.loc[pos, "value"]} == {spec["value"]}
        assert len(pos) >= 5
    # it passes validation: a data-QA finding, not an error
    ds = datasets.load("demo_city", spec["round"])
    assert not perfkit.validate_round(ds.scheme, ds.data).problems


# --------------------------------------------------------------------------- sensitivity
def _variants(planted, scheme):
    return {v["id"]: scheme.with_points(v["points"]) for v in planted["alternative_weights"]}


def test_alternative_weights_are_valid_schemes(planted, demo):
    ds, _ = demo("2025")
    for vid, s in _variants(planted, ds.scheme).items():
        assert s.root.points == 100
        assert s.node("core").points == sum(c.points for c in s.node("core").children)


def test_borderline_units_flip_grade(planted, demo):
    spec = _f(planted, "borderline_units")
    ds, ev = demo(spec["round"])
    variants = _variants(planted, ds.scheme)
    results = {vid: ev.rerun(s).results for vid, s in variants.items()}
    assert len(spec["units"]) >= 2
    for u in spec["units"]:
        unit = u["unit"]
        assert ev.results.loc[unit, "category"] == spec["category"]
        assert ev.results.loc[unit, "grade"] == u["baseline"]
        assert u["flips_under"], "a borderline unit flips under at least one variant"
        for vid, res in results.items():
            want = u["flips_under"].get(vid, u["baseline"])
            assert res.loc[unit, "grade"] == want, (unit, vid)


def test_robust_unit_keeps_its_rank(planted, demo):
    spec = _f(planted, "robust_unit")
    ds, ev = demo(spec["round"])
    unit, rank = spec["unit"], spec["rank"]
    assert ev.results.loc[unit, "category"] == spec["category"]
    assert ev.results.loc[unit, "rank"] == rank
    top = ["core", "common", "satisfaction", "special"]
    base = np.array([ds.scheme.node(n).points for n in top], dtype=float)
    schemes = list(_variants(planted, ds.scheme).values())
    schemes.append(ds.scheme.with_points(dict.fromkeys(top, 25.0)))
    rng = np.random.default_rng(7)
    for _ in range(12):
        p = base * rng.uniform(0.5, 1.5, len(top))
        p = np.round(p / p.sum() * 100, 6)
        p[0] += 100 - p.sum()
        schemes.append(ds.scheme.with_points(dict(zip(top, map(float, p)))))
    for s in schemes:
        assert ev.rerun(s).results.loc[unit, "rank"] == rank
    no_adjustments = ds.data.replace(adjustments=ds.data.adjustments.iloc[0:0])
    assert perfkit.evaluate(ds.scheme, no_adjustments).results.loc[unit, "rank"] == rank
    for year in ("2022", "2023", "2024"):
        assert demo(year)[1].results.loc[unit, "rank"] == rank


# --------------------------------------------------------------------------- tracking
def test_tracking_far_behind_expected_profile(planted, demo_dir):
    spec = _f(planted, "tracking_behind")
    rnd = spec["round"]
    values = _read(demo_dir / "tracking" / rnd / "values.csv")
    targets = _read(demo_dir / "tracking" / rnd / "targets.csv")
    expected = _read(demo_dir / "tracking" / "expected_progress.csv")
    m = (values.merge(targets[["unit_id", "indicator_id", "target", "direction"]])
         .merge(expected[expected["round"] == rnd], on=["round", "unit_id", "indicator_id"]))
    m = m[m["profile"].isin(["linear", "back_loaded", "front_loaded"])].copy()
    m["ratio"] = m["value"].astype(float) / m["target"].astype(float) / m["expected_share"].astype(float)
    per_unit = m.groupby("unit_id")["ratio"].mean()
    assert per_unit[spec["unit"]] < spec["max_progress_ratio"]
    assert (per_unit.drop(spec["unit"]) >= spec["max_progress_ratio"]).all()
    assert per_unit.median() > 0.85
