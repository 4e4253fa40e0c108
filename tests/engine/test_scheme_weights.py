"""A scheme can derive a level's weights with any weighting method; evaluate uses them."""
from pathlib import Path

import numpy as np
import pytest
import yaml

import perfkit
from perfkit.errors import SchemeError
from perfkit.weighting import weights_from_spec

ROOT = Path(__file__).resolve().parents[2] / "datasets" / "real" / "oecd_bli"


@pytest.fixture(scope="module")
def data():
    return perfkit.load_round(ROOT / "round")


def _scheme(spec):
    raw = yaml.safe_load((ROOT / "scheme.yaml").read_text(encoding="utf-8"))
    raw["structure"]["weights"] = spec
    return perfkit.load_scheme(raw)


@pytest.mark.parametrize("spec", [{"method": "entropy"}, {"method": "critic"}, {"method": "equal"},
                                  {"method": "ahp", "matrix": [[1 if i == j else (3 if i < j else "1/3")
                                                                for j in range(11)] for i in range(11)],
                                   "scale": "any", "inconsistency": "warning"}])  # CR 0.114: accepted on purpose
def test_top_level_weights_come_from_the_named_method(data, spec):
    ev = perfkit.evaluate(_scheme(spec), data)
    topics = [c.id for c in ev.scheme.root.children]
    expected = weights_from_spec(spec, ev.nodes[topics].to_numpy(), np.ones(len(topics)), topics).weights
    assert np.allclose(ev.weights["bli"].weights, expected)
    manual = (ev.nodes[topics].to_numpy() * expected).sum(axis=1)
    assert np.allclose(ev.results["final"].to_numpy(), manual)


def test_equal_weights_method_reproduces_the_default(data):
    plain = perfkit.evaluate(perfkit.load_scheme(ROOT / "scheme.yaml"), data)
    eq = perfkit.evaluate(_scheme("equal"), data)
    assert np.allclose(plain.results["final"], eq.results["final"])


def test_misspelt_weighting_method_is_caught_when_the_scheme_loads():
    with pytest.raises(SchemeError, match=r"structure.weights.*did you mean 'entropy'"):
        _scheme({"method": "entropi"})
