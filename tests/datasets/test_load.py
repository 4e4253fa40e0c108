"""perfkit.datasets: what exists, loading every round, evaluating it, errors for bad names."""
from __future__ import annotations

from pathlib import Path

import pytest

import perfkit
from perfkit import datasets
from perfkit.errors import DataError, SchemeError, UnknownNameError

ALL_ROUNDS = [(info.name, r) for info in datasets.list() for r in info.rounds]


def test_list_names_every_data_set_with_its_rounds():
    infos = {i.name: i for i in datasets.list()}
    assert list(infos) == ["demo_city", "oecd_bli", "asem"]
    assert infos["demo_city"].rounds == ("2022", "2023", "2024", "2025", "2025Q1", "2025Q2", "2025Q3", "2025Q4")
    assert infos["oecd_bli"].rounds == ("2015",)
    assert infos["asem"].rounds == ("2018", "2019", "2020", "2021", "2022")
    assert [i.synthetic for i in infos.values()] == [True, False, False]
    for info in infos.values():
        assert info.available and info.path.is_dir()
        assert info.label["zh"] and info.label["en"] and info.description["zh"] and info.description["en"]
        assert info.default_round in info.rounds


@pytest.mark.parametrize(("name", "rnd"), ALL_ROUNDS)
def test_every_round_loads_validates_and_evaluates(demo, name, rnd):
    if name == "demo_city":
        ds, ev = demo(rnd)  # cached, shared with the planted-findings tests
    else:
        ds = datasets.load(name, rnd)
        ev = perfkit.evaluate(ds.scheme, ds.data)
    assert ds.name == name and ds.round == rnd
    assert isinstance(ds.scheme, perfkit.Scheme) and isinstance(ds.data, perfkit.RoundData)
    assert ds.data.round == rnd
    assert len(ev.results) == len(ds.data.units)
    assert ev.results["final"].notna().sum() > 0.8 * len(ev.results)
    assert not perfkit.validate_round(ds.scheme, ds.data).errors


def test_default_round_is_the_latest():
    ds = datasets.load("asem")
    assert ds.round == "2018" and not ds.synthetic
    assert datasets.load("oecd_bli").round == "2015"


def test_demo_city_is_marked_synthetic_everywhere(demo_dir):
    ds = datasets.load("demo_city", "2025")
    assert ds.synthetic and "synthetic" in repr(ds)
    for f in sorted((demo_dir / "schemes").glob("*.yaml")):
        s = perfkit.load_scheme(f)
        assert "虚构" in s.model.label.zh and "synthetic" in s.model.label.en
        assert "SYNTHETIC" in (s.model.source or "")
    readmes = [demo_dir / "README.md", *sorted(demo_dir.glob("*/README.md"))]
    assert len(readmes) == 8  # demo_city + collection, follow_up, returned, rounds, schemes, special, tracking
    for readme in readmes:
        text = readme.read_text(encoding="utf-8")
        assert "SYNTHETIC DATA" in text and "虚构示例数据" in text
    assert datasets.planted("demo_city")["synthetic"] is True


def test_unknown_names_and_rounds_get_a_suggestion():
    with pytest.raises(UnknownNameError, match="did you mean 'demo_city'"):
        datasets.load("demo_cty")
    with pytest.raises(UnknownNameError, match="no round '2026'.*") as exc:
        datasets.load("demo_city", 2026)
    assert "2025Q4" in exc.value.hint
    with pytest.raises(UnknownNameError, match="no returned files"):
        datasets.load_returned("demo_city", "2024")
    with pytest.raises(UnknownNameError, match="no planted findings"):
        datasets.planted("asem")


def test_round_may_be_given_as_an_int():
    assert datasets.load("demo_city", 2024).round == "2024"


def test_env_var_overrides_the_datasets_folder(monkeypatch, tmp_path):
    real = datasets.root()
    monkeypatch.setenv("PERFKIT_DATASETS", str(real))
    assert datasets.root() == real
    monkeypatch.setenv("PERFKIT_DATASETS", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="datasets folder not found") as exc:
        datasets.load("asem")
    assert "PERFKIT_DATASETS" in exc.value.hint
    assert not any(i.available for i in datasets.list())


def test_default_root_is_the_repository_datasets_folder(monkeypatch):
    monkeypatch.delenv("PERFKIT_DATASETS", raising=False)
    assert datasets.root() == Path(perfkit.__file__).resolve().parents[1] / "datasets"


def test_with_points_moves_siblings_together_and_rescales_subtrees():
    s = datasets.load("demo_city", "2025").scheme
    v = s.with_points({"satisfaction": 25, "special": 0.0, "core": 55, "common": 20})
    assert v.node("satisfaction").points == 25 and v.node("special").points == 0
    assert all(c.points == 0 for c in v.node("special").children)
    v2 = s.with_points({"common": 30, "satisfaction": 5})
    assert sum(c.points for c in v2.node("common").children) == pytest.approx(30)
    assert v2.node("integrity").points == pytest.approx(4.5)
    assert s.node("common").points == 20  # the original is unchanged


def test_with_points_rejects_bad_input():
    s = datasets.load("demo_city", "2025").scheme
    with pytest.raises(UnknownNameError, match="did you mean 'satisfaction'"):
        s.with_points({"satisfation": 20})
    with pytest.raises(SchemeError, match="add up"):
        s.with_points({"satisfaction": 30})
    with pytest.raises(SchemeError, match="points scheme"):
        datasets.load("asem").scheme.with_points({"Conn": 2})
