"""Index comparison on common units, and reading an index file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from perfkit.analyses.benchmark import compare_indices, published_index_path, read_index
from perfkit.errors import DataError

ROOT = Path(__file__).resolve().parents[2]


def test_rank_correlations_and_disagreements_by_hand():
    a = pd.Series({"A": 90, "B": 80, "C": 70, "D": 60, "E": 50}, name="office")
    b = pd.Series({"A": 88, "B": 60, "C": 75, "D": 70, "E": 40, "F": 99}, name="published")
    ic = compare_indices(a, b)
    # ranks a: A1 B2 C3 D4 E5; b (common units): A1 C2 D3 B4 E5 -> d = 0, 2, -1, -1, 0; rho = 1 - 6*6/(5*24) = 0.7
    assert ic.correlations["spearman"] == pytest.approx(0.7)
    assert ic.correlations["kendall"] == pytest.approx(stats.kendalltau([90, 80, 70, 60, 50], [88, 60, 75, 70, 40])[0])
    assert ic.units.loc["B", "rank_diff"] == 2 and ic.disagreements.index[0] == "B"
    assert ic.only.to_dict("records") == [{"unit_id": "F", "index": "published"}]
    assert {a.code for a in ic.alerts} == {"bm_index_disagree", "bm_index_only_one"}


def test_a_lower_is_better_index_is_ranked_the_other_way():
    a = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0})
    rank = pd.Series({"A": 1, "B": 2, "C": 4, "D": 3})  # a published ranking: 1 = best
    ic = compare_indices(a, rank, names=("score", "rank"), higher_is_better=(False, False))
    assert ic.correlations["spearman"] == pytest.approx(0.8)
    assert ic.units.loc["C", "rank_b"] == 4


def test_too_few_common_units_or_no_spread_is_refused():
    with pytest.raises(DataError, match="2 units in common; at least 3"):
        compare_indices(pd.Series({"A": 1, "B": 2}), pd.Series({"A": 1, "B": 2, "C": 3}))
    with pytest.raises(DataError, match="gives every common unit the same value"):
        compare_indices(pd.Series({"A": 1, "B": 1, "C": 1}), pd.Series({"A": 1, "B": 2, "C": 3}))


def test_a_low_correlation_is_a_warning():
    a = pd.Series({k: v for k, v in zip("ABCDEF", [1, 2, 3, 4, 5, 6])})
    b = pd.Series({k: v for k, v in zip("ABCDEF", [6, 5, 4, 3, 2, 1])})
    ic = compare_indices(a, b)
    assert ic.correlations["spearman"] == pytest.approx(-1.0)
    assert next(x for x in ic.alerts if x.code == "bm_index_low_correlation").level == "warning"


def test_read_index_locates_bad_cells(tmp_path):
    p = tmp_path / "idx.csv"
    p.write_text("unit_id,index\nA,1.5\nB,n/a\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"idx.csv: row 3: index: value 'n/a' is not a number"):
        read_index(p)
    p.write_text("unit_id,index\nA,1.5\nA,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 3: unit_id: unit 'A' is given twice"):
        read_index(p)
    p.write_text("unit,index\nA,1.5\n", encoding="utf-8")
    with pytest.raises(DataError, match="no column 'unit_id'"):
        read_index(p)


def test_the_published_index_is_synthetic_and_regenerates_byte_for_byte(tmp_path):
    shipped = published_index_path()
    df = pd.read_csv(shipped)
    assert df["source"].str.startswith("SYNTHETIC").all() and len(df) == 10
    subprocess.run([sys.executable, str(ROOT / "datasets" / "benchmark" / "published_index" / "generate.py"),
                    str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / shipped.name).read_bytes() == shipped.read_bytes()
    assert read_index().index.tolist() == df["unit_id"].tolist()
