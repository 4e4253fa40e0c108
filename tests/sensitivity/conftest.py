"""Shared evaluations for the sensitivity tests (built once per session)."""
from __future__ import annotations

from pathlib import Path

import pytest

import perfkit
from perfkit.sensitivity.examples import synthetic_composite, tiny_points

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def oecd():
    scheme = perfkit.load_scheme(ROOT / "datasets/real/oecd_bli/scheme.yaml")
    data = perfkit.load_round(ROOT / "datasets/real/oecd_bli/round")
    return perfkit.evaluate(scheme, data)


@pytest.fixture(scope="session")
def composite():
    """The synthetic 60 x 40 composite (graded A/B/C)."""
    return perfkit.evaluate(*synthetic_composite(60, 8, 5, rng=0, grading=True))


@pytest.fixture(scope="session")
def tiny():
    return perfkit.evaluate(*tiny_points())


@pytest.fixture(scope="session")
def demo():
    from perfkit import datasets

    ds = datasets.load("demo_city", round=2025)
    return perfkit.evaluate(ds.scheme, ds.data)
