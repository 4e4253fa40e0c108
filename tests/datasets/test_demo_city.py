"""The Demo City has the shape the issue asks for: units, categories, schemes per year,
functional targets, common indicators, survey microdata, special assessments, clean rounds."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

import perfkit
from perfkit import datasets

YEARS = ["2022", "2023", "2024", "2025"]
CATEGORIES = {"district", "party", "government", "institution"}


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_sixty_units_in_four_categories_with_bilingual_names(demo_dir):
    units = _read(demo_dir / "units.csv")
    assert 55 <= len(units) <= 65 and units["unit_id"].is_unique
    assert set(units["category"]) == CATEGORIES
    assert units.groupby("category").size().min() >= 10
    assert (units["name_zh"] != "").all() and (units["name_en"] != "").all()


@pytest.mark.parametrize("year", YEARS)
def test_annual_round_validates_clean(year):
    ds = datasets.load("demo_city", year)
    report = perfkit.validate_round(ds.scheme, ds.data)
    assert not report.problems, str(report)


@pytest.mark.parametrize("rnd", ["2025Q1", "2025Q2", "2025Q3", "2025Q4"])
def test_tracking_round_validates_clean(rnd):
    ds = datasets.load("demo_city", rnd)
    assert not perfkit.validate_round(ds.scheme, ds.data).problems


@pytest.mark.parametrize("year", YEARS)
def test_scheme_components(year):
    s = perfkit.load_scheme(datasets.dataset_path("demo_city") / "schemes" / f"{year}.yaml")
    assert s.paradigm == "points" and s.root.points == 100
    assert [c.id for c in s.root.children] == ["core", "common", "satisfaction", "special"]
    assert [c.points for c in s.root.children] == [55, 20, 15, 10]
    assert s.node("functional").source == "targets"
    assert s.node("development").categories == ("district",)
    assert all(n.normalise is not None for n in s.node("development").children)
    assert s.node("satisfaction").source == "survey"
    common = {c.id for c in s.node("common").children}
    assert {"hotline", "proposals", "integrity", "budget", "rule_of_law", "openness"} <= common
    assert len(s.model.special) == (6 if year == "2022" else 7)
    adj = s.model.adjustments
    assert adj.bonus.cap == 3 and adj.penalty.cap == 5 and len(adj.veto) == 3
    assert s.model.grading.default[0].max_share == 0.3
    assert set(s.model.survey.groups) == {"citizens", "businesses", "service_users", "deputies", "cppcc"}


@pytest.mark.parametrize("year", YEARS)
def test_functional_targets_three_to_eight_per_unit(year, demo_dir):
    t = _read(demo_dir / "rounds" / year / "targets.csv")
    per_unit = t.groupby("unit_id").size()
    assert len(per_unit) == 60 and per_unit.between(3, 8).all()
    assert (t["label_zh"] != "").all() and (t["label_en"] != "").all()
    assert set(t["rule"]) == {"completion", "binary"}


def test_survey_microdata_size_and_scale(demo_dir):
    for year in YEARS:
        s = _read(demo_dir / "rounds" / year / "survey.csv")
        assert 15_000 <= len(s) <= 25_000
        assert set(s["respondent_group"]) == {"citizens", "businesses", "service_users", "deputies", "cppcc"}
        items = [c for c in s.columns if c.startswith("q")]
        vals = set(pd.unique(s[items].to_numpy().ravel()))
        assert vals <= {"1", "2", "3", "4", "5", ""}


def test_special_assessments_registry(demo_dir):
    reg = yaml.safe_load((demo_dir / "special" / "registry.yaml").read_text(encoding="utf-8"))
    assert reg["synthetic"] is True
    sas = reg["assessments"]
    assert 6 <= len(sas) <= 8
    units = set(_read(demo_dir / "units.csv")["unit_id"])
    sched = _read(demo_dir / "special" / "schedule.csv")
    for sa in sas:
        assert sa["owner"] in units and sa["label"]["zh"] and sa["label"]["en"]
        assert sa["indicators"] and all(i["label"]["zh"] and i["direction"] in ("higher", "lower")
                                        for i in sa["indicators"])
        assert set(sa["covered_units"]) <= units and sa["weight"]
        assert set(sched.loc[sched["assessment_id"] == sa["id"], "unit_id"]) == set(sa["covered_units"])
    res = _read(demo_dir / "rounds" / "2025" / "special_results.csv")
    scores = res["score"].astype(float)
    assert scores.between(0, 100).all()


def test_results_are_plausible_not_uniform(demo):
    """Scores correlate across years (latent performance), within a sensible range."""
    finals = {y: demo(y)[1].results["final"] for y in YEARS}
    df = pd.DataFrame(finals)
    assert df.min().min() > 50 and df.max().max() <= 103
    corr = df.corr(method="spearman")
    assert corr.loc["2024", "2025"] > 0.5 and corr.loc["2022", "2025"] > 0.3
    raw = demo("2025")[1].raw
    assert raw["hotline"].corr(raw["budget"]) > 0.2  # indicators share the latent performance


def test_collection_records_cover_every_round_and_collector(demo_dir):
    rec = _read(demo_dir / "collection" / "records.csv")
    dl = _read(demo_dir / "collection" / "deadlines.csv")
    cols = _read(demo_dir / "collection" / "collectors.csv")
    assert set(rec["round"]) == set(dl["round"]) == {*YEARS, "2025Q1", "2025Q2", "2025Q3", "2025Q4"}
    annual = rec[rec["round"].isin(YEARS)]
    assert set(annual["collector_id"]) == set(cols["collector_id"])
    assert set(zip(rec["round"], rec["collector_id"])) == set(zip(dl["round"], dl["collector_id"]))


def test_demo_city_stays_under_20_mb(demo_dir):
    size = sum(p.stat().st_size for p in demo_dir.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024
