"""OECD Better Life Index 2015 through the engine, checked against an independent pandas
computation written here from the README's description (equal topic weights, equal
indicator weights within topics, direction-aware min-max, arithmetic means)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import perfkit

ROOT = Path(__file__).resolve().parents[2] / "datasets" / "real" / "oecd_bli"

TOPICS = {
    "Housing": ["HO_BASE", "HO_HISH", "HO_NUMR"], "Income": ["IW_HADI", "IW_HNFW"],
    "Jobs": ["JE_EMPL", "JE_JT", "JE_LTUR", "JE_PEARN"], "Community": ["SC_SNTWS"],
    "Education": ["ES_EDUA", "ES_EDUEX", "ES_STCS"], "Environment": ["EQ_AIRP", "EQ_WATER"],
    "Civic": ["CG_TRASG", "CG_VOTO"], "Health": ["HS_LEB", "HS_SFRH"], "Life": ["SW_LIFS"],
    "Safety": ["PS_REPH", "PS_SFRV"], "WorkLife": ["WL_EWLH", "WL_TNOW"],
}
LOWER = {"HO_BASE", "HO_HISH", "JE_JT", "JE_LTUR", "EQ_AIRP", "PS_REPH", "PS_SFRV", "WL_EWLH"}


@pytest.fixture(scope="module")
def ev():
    return perfkit.evaluate(perfkit.load_scheme(ROOT / "scheme.yaml"), perfkit.load_round(ROOT / "round"))


def independent_index() -> pd.Series:
    raw = pd.read_csv(ROOT / "oecd_bli_2015.csv", thousands=",", encoding="utf-8-sig")
    tot = raw[(raw["INEQUALITY"] == "TOT") & (raw["LOCATION"] != "OECD")]
    m = tot.pivot(index="LOCATION", columns="INDICATOR", values="Value").astype(float)
    norm = (m - m.min()) / (m.max() - m.min())
    for c in LOWER:
        norm[c] = 1 - norm[c]
    topics = pd.DataFrame({t: norm[cols].mean(axis=1) for t, cols in TOPICS.items()})
    return topics.mean(axis=1) * 100


def test_oecd_bli_has_36_countries_and_24_indicators(ev):
    assert ev.raw.shape == (36, 24)
    assert not ev.raw.isna().any().any()


def test_oecd_bli_scores_match_independent_computation(ev):
    expected = independent_index()
    got = ev.results["final"]
    assert np.allclose(got.sort_index().to_numpy(), expected.sort_index().to_numpy(), atol=1e-9)


def test_oecd_bli_ranking_matches_independent_ranking(ev):
    expected = independent_index().rank(ascending=False, method="min")
    assert (ev.results["rank"].sort_index().to_numpy() == expected.sort_index().to_numpy()).all()
    # with equal topic weights Australia came top in the 2015 edition
    assert ev.results["rank"].idxmin() == "AUS"


def test_oecd_bli_topic_weights_sum_to_one(ev):
    for node, w in ev.weights.items():
        assert w.sum() == pytest.approx(1.0), node
