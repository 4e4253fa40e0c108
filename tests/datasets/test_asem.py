"""The ASEM data (COINr example): files, round folder and a scheme that rebuilds COINr's
example framework from its metadata."""
from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
import yaml

import perfkit
from perfkit import datasets


@pytest.fixture(scope="module")
def asem_dir():
    return datasets.dataset_path("asem")


@pytest.fixture(scope="module")
def meta(asem_dir):
    return pd.read_csv(asem_dir / "asem_meta.csv")


@pytest.fixture(scope="module")
def scheme():
    return datasets.load("asem", "2018").scheme


def test_framework_matches_coinr_metadata(scheme, meta):
    ind = meta[meta["Type"] == "Indicator"]
    agg = meta[meta["Type"] == "Aggregate"]
    assert list(scheme.leaves) == ind["iCode"].tolist()  # 49 indicators, in COINr's order
    assert scheme.root.id == "Index"
    assert [c.id for c in scheme.root.children] == ["Conn", "Sust"]
    pillars = agg.loc[agg["Level"] == 2, "iCode"].tolist()
    assert [c.id for n in scheme.root.children for c in n.children] == pillars
    for r in meta[meta["Type"].isin(["Indicator", "Aggregate"])].itertuples():
        node = scheme.node(r.iCode)
        if isinstance(r.Parent, str):
            assert scheme.parent[r.iCode] == r.Parent
            assert node.weight == r.Weight
        if r.Type == "Indicator":
            assert node.direction == ("lower" if r.Direction < 0 else "higher")
            assert node.denominator == (r.Denominator if isinstance(r.Denominator, str) else None)
            assert node.normalise.method == "minmax"
            assert node.label.en == r.iName and node.label.zh
        else:
            assert node.aggregate.method == "arithmetic"
    assert sum(n.direction == "lower" for n in scheme.leaves.values()) == 14
    assert sum(n.denominator is not None for n in scheme.leaves.values()) == 17


def test_treatment_is_coinr_example(scheme):
    t = scheme.model.treatment
    assert scheme.paradigm == "composite"
    assert t.denominate and t.screen == 0.9
    assert t.impute.method == "mean" and t.impute.params == {"by": "EurAsia_group"}
    assert t.winsorise.params == {"skew_max": 2.0, "kurt_max": 3.5, "max_points": 5}
    assert scheme.model.denominators == ("Area", "Energy", "GDP", "Population")


def test_scheme_is_what_prepare_builds(asem_dir, meta):
    spec = importlib.util.spec_from_file_location("asem_prepare", asem_dir / "prepare.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    committed = yaml.safe_load((asem_dir / "scheme.yaml").read_text(encoding="utf-8"))
    assert mod.build_scheme(meta) == committed


def test_units_have_group_and_denominator_columns(asem_dir):
    units = pd.read_csv(asem_dir / "round" / "units.csv")
    assert len(units) == 51 and units["unit_id"].is_unique
    for col in ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group", "Area", "Energy", "GDP", "Population"]:
        assert col in units.columns
    assert units["EurAsia_group"].value_counts().to_dict() == {"Europe": 30, "Asia": 21}
    assert units["name_zh"].notna().all()


def test_values_are_the_panel_and_2018_is_the_data_set(asem_dir, meta):
    data = pd.read_csv(asem_dir / "asem_data.csv")
    panel = pd.read_csv(asem_dir / "asem_panel.csv")
    values = pd.read_csv(asem_dir / "round" / "values.csv")
    inds = meta.loc[meta["Type"] == "Indicator", "iCode"].tolist()
    assert len(values) == panel[inds].notna().sum().sum()
    v18 = values[values["round"] == 2018].pivot(index="unit_id", columns="indicator_id", values="value")
    d = data.set_index("uCode")[inds]
    assert np.allclose(v18.reindex(index=d.index, columns=inds).to_numpy(), d.to_numpy(), equal_nan=True, rtol=0,
                       atol=0)
    assert int(d.isna().sum().sum()) == 63  # + 1 missing Energy denominator = the 64 NAs of the file


def test_low_availability_units_are_those_coinr_names(asem_dir, meta):
    """After denomination (a missing denominator makes the cell missing), five countries have
    less than 90% of the 49 indicators; perfkit may screen them out (COINr screens later)."""
    data = pd.read_csv(asem_dir / "asem_data.csv").set_index("uCode")
    ind = meta[meta["Type"] == "Indicator"]
    present = pd.DataFrame({r.iCode: data[r.iCode].notna() & (data[r.Denominator].notna()
                                                                if isinstance(r.Denominator, str) else True)
                            for r in ind.itertuples()})
    low = set(present.index[present.mean(axis=1) < 0.9])
    assert low == {"BGD", "BRN", "KHM", "LAO", "MMR"}
    ds = datasets.load("asem", "2018")
    res = perfkit.evaluate(ds.scheme, ds.data).results
    assert set(res.index[res["final"].isna()]) <= low
    assert res["final"].dropna().between(0, 100).all()


@pytest.mark.parametrize("rnd", ["2018", "2022"])
def test_every_round_has_all_countries(rnd):
    ds = datasets.load("asem", rnd)
    assert ds.data.values["unit_id"].nunique() == 51
    assert set(ds.data.values["round"].astype(str)) == {rnd}
