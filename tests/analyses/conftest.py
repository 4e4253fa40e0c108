"""Fixtures of the tracking tests: the Demo City's tracking rounds and annual evaluations,
read once per session."""
from __future__ import annotations

import pytest

import perfkit
from perfkit import datasets
from perfkit.analyses import tracking as tk


@pytest.fixture(scope="session")
def demo_path():
    return datasets.dataset_path("demo_city")


@pytest.fixture(scope="session")
def demo_rounds(demo_path):
    return tk.load_tracking(demo_path / "tracking", str(demo_path / "schemes" / "{year}_tracking.yaml"))


@pytest.fixture(scope="session")
def annual():
    """``annual(year) -> Evaluation`` of the Demo City, cached."""
    cache = {}

    def get(year: str):
        if year not in cache:
            ds = datasets.load("demo_city", year)
            cache[year] = perfkit.evaluate(ds.scheme, ds.data)
        return cache[year]

    return get


@pytest.fixture(scope="session")
def office_rules(demo_path):
    return tk.load_rules(demo_path.parents[1] / "notebooks" / "configs" / "demo_city_rules.yaml")
