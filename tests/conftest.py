"""Test-wide settings.

Shared evaluations (built once per session): ``oecd``, ``composite``, ``tiny``, ``demo``.

Hypothesis: no per-example deadline (the machines are shared and noisy; speed is measured
in bench/, never asserted). Under CI (``CI`` set) examples are derandomised, so a landing
never depends on a lucky draw; locally every run explores new examples.
"""
import os
from pathlib import Path

import pytest
from hypothesis import settings

import perfkit
from perfkit import datasets
from perfkit.datasets.examples import synthetic_composite, tiny_points

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]


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
    ds = datasets.load("demo_city", round=2025)
    return perfkit.evaluate(ds.scheme, ds.data)

