"""Shared fixtures for the data-set tests: the Demo City folder, its planted findings and
evaluations cached for the whole session (each annual round is evaluated once)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import perfkit
from perfkit import datasets


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return datasets.dataset_path("demo_city")


@pytest.fixture(scope="session")
def planted() -> dict:
    return datasets.planted("demo_city")


@pytest.fixture(scope="session")
def demo() -> Callable[[str], tuple[datasets.Dataset, perfkit.Evaluation]]:
    """``demo(round) -> (dataset, evaluation)``, cached."""
    cache: dict[str, tuple[datasets.Dataset, perfkit.Evaluation]] = {}

    def get(rnd: str = "2025"):
        if rnd not in cache:
            ds = datasets.load("demo_city", rnd)
            cache[rnd] = (ds, perfkit.evaluate(ds.scheme, ds.data))
        return cache[rnd]

    return get
