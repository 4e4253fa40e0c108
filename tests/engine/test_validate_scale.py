"""Validation at scale: errors planted in a 1,000,000-row round (5,000 units x 200
indicators, Parquet) are each found at their row and column, and nothing else is reported.
(Speed is measured in ``bench/scale.py``, never asserted here.)"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfkit import load_round, load_scheme, validate_round

N_UNITS, PILLARS, PER = 5000, 20, 10


@pytest.fixture(scope="module")
def scheme():
    pillars = [{"id": f"p{p}", "label": {"zh": f"支柱{p}", "en": f"P{p}"}, "aggregate": "arithmetic",
                "children": [{"id": f"i{p}_{k}", "label": {"zh": f"指标{p}{k}", "en": f"I{p}{k}"},
                              "normalise": "minmax", **({"range": [0, 1000]} if k == 0 else {})}
                             for k in range(PER)]} for p in range(PILLARS)]
    return load_scheme({"id": "s", "label": {"zh": "规模", "en": "Scale"}, "paradigm": "composite",
                        "categories": [{"id": "c", "label": {"zh": "类", "en": "c"}}],
                        "structure": {"id": "root", "label": {"zh": "指数", "en": "Index"}, "aggregate": "arithmetic",
                                      "children": pillars}})


# (row as Excel shows it, column, what is written there, error code, message fragment)
PLANTED = [
    (1_234, "unit_id", "U9999999", "unknown_unit", "unknown unit 'U9999999'"),
    (250_001, "indicator_id", "i3_11", "unknown_indicator", "unknown indicator 'i3_11'"),
    (500_002, "value", "九十五", "not_number", "'九十五' is not a number"),
    (640_000, "value", "8,5", "decimal_comma", "decimal comma"),
    (777_777, "value", "1.2e400", "not_finite", "'1.2e400' is not a finite number"),
    (900_000, "value", "", None, None),  # an empty value: a warning only
    (999_990, "unit_id", "", "empty_id", "empty unit_id"),
]


@pytest.fixture(scope="module")
def planted_round(tmp_path_factory, scheme):
    folder = tmp_path_factory.mktemp("big")
    ids = list(scheme.leaves)
    units = [f"U{u:05d}" for u in range(N_UNITS)]
    pd.DataFrame({"unit_id": units, "name_zh": "单位", "name_en": "unit", "category": "c"}).to_parquet(
        folder / "units.parquet")
    rng = np.random.default_rng(7)
    values = pd.DataFrame({"unit_id": np.repeat(units, len(ids)), "indicator_id": np.tile(ids, N_UNITS),
                           "value": np.round(rng.uniform(10, 90, N_UNITS * len(ids)), 2).astype(str)})
    for row, col, text, _, _ in PLANTED:
        values.loc[row - 2, col] = text
    # a value outside the declared range [0, 1000] of i<p>_0, and a duplicate of an earlier row
    out_of_range = int(np.flatnonzero(values["indicator_id"].to_numpy() == "i7_0")[4321]) + 2
    values.loc[out_of_range - 2, "value"] = "1500"
    dup_of = 300_000
    dup_at = 300_010
    values.loc[dup_at - 2, ["unit_id", "indicator_id"]] = values.loc[dup_of - 2, ["unit_id", "indicator_id"]].values
    values.to_parquet(folder / "values.parquet")
    return folder, out_of_range, dup_of, dup_at


def test_each_error_planted_in_a_million_rows_is_found_at_its_row(scheme, planted_round):
    folder, out_of_range, dup_of, dup_at = planted_round
    data = load_round(folder)
    assert len(data.values) == N_UNITS * PILLARS * PER
    report = validate_round(scheme, data)
    file = str(folder / "values.parquet")
    got = {(p.row, p.column): p for p in report.errors}
    for row, col, _, code, fragment in PLANTED:
        if code is None:
            continue
        p = got.pop((row, col if code != "empty_id" else "unit_id"))
        assert p.file == file and p.code == code and fragment in p.message, str(p)
    p = got.pop((out_of_range, "value"))
    assert "value 1500 is outside the declared range [0, 1000] of 'i7_0'" in p.message
    p = got.pop((dup_at, "indicator_id"))
    assert "duplicate row" in p.message and f"first seen at row {dup_of}" in p.message
    assert not got, "\n".join(map(str, got.values()))
    empty = [p for p in report.warnings if p.code == "empty_value"]
    assert [(p.row, p.column) for p in empty] == [(900_000, "value")]
