"""The batched engine starts from the evaluation's compiled form and reads nothing of the
scheme's model again."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from perfkit.sensitivity.compile import compile_scheme

SENS = Path(__file__).resolve().parents[2] / "perfkit" / "sensitivity"


def test_compile_scheme_starts_from_the_evaluations_compiled_form(tiny):
    cs = compile_scheme(tiny)
    assert cs.compiled is tiny.compiled
    assert cs.nodes is tiny.compiled.nodes and cs.survey is tiny.compiled.survey
    np.testing.assert_array_equal(cs.treated, tiny.treated.to_numpy())
    assert set(cs.nominal_scores) == set(tiny.scores.columns) | set(tiny.nodes.columns)
    assert cs.detached().evaluation is None and cs.detached().compiled is cs.compiled


def test_no_sensitivity_module_reads_the_scheme_model():
    hits = []
    for path in SENS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "model":
                hits.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert not hits, "\n".join(hits)
