"""Test-wide settings.

Hypothesis: no per-example deadline (the machines are shared and noisy; speed is measured
in bench/, never asserted). Under CI (``CI`` set) examples are derandomised, so a landing
never depends on a lucky draw; locally every run explores new examples.
"""
import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
