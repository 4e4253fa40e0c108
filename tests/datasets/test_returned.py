"""The raw returned files of the Demo City's 2025 round: each planted mistake is reported by
``perfkit.validate_round`` at the right file, sheet, row and column, and nothing else is."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import perfkit
from perfkit import datasets
from perfkit.io.read import detect_encoding


@pytest.fixture(scope="module")
def report():
    ds = datasets.load_returned("demo_city", "2025")
    return perfkit.validate_round(ds.scheme, ds.data)


@pytest.fixture(scope="module")
def mistakes(planted):
    return planted["findings"]["returned_file_mistakes"]


def _key(file: str, sheet: str, row, column: str) -> tuple:
    return Path(file).name, sheet or "", int(row), column


def test_returned_round_is_built_from_the_raw_files(demo_dir):
    ds = datasets.load_returned("demo_city", "2025")
    files = {Path(f).name for f in ds.data.values["_file"]}
    assert files == {p.name for p in (demo_dir / "returned" / "2025").iterdir() if p.suffix in (".xlsx", ".csv")}
    assert len(files) == 12 and ds.synthetic
    assert sum(name.endswith(".csv") for name in files) == 1


def test_one_csv_is_saved_in_gbk(demo_dir):
    path = demo_dir / "returned" / "2025" / "gov_stats.csv"
    assert detect_encoding(path) == "gb18030"
    text = path.read_bytes().decode("gbk")
    assert "西区" in text


@pytest.mark.parametrize("kind", ["percent_vs_ratio", "percent_above_100", "duplicate_row", "non_numeric",
                                  "unknown_unit", "unknown_indicator"])
def test_each_planted_mistake_is_located(report, mistakes, kind):
    m = next(x for x in mistakes if x["kind"] == kind)
    located = {_key(p.file, p.sheet, p.row, p.column): p for p in report.errors}
    key = _key(m["file"], m["sheet"], m["row"], m["column"])
    assert key in located, f"{kind} not reported at {key}; errors: {list(located)}"
    msg = located[key].message
    if kind in ("percent_vs_ratio", "percent_above_100"):
        assert "outside the declared range" in msg and m["submitted"] in msg
    elif kind == "duplicate_row":
        assert "duplicate row" in msg
    elif kind == "non_numeric":
        assert "is not a number" in msg
    else:
        assert f"did you mean '{m['corrected']}'" in msg


def test_no_error_other_than_the_planted_ones(report, mistakes):
    planted_keys = {_key(m["file"], m["sheet"], m["row"], m["column"]) for m in mistakes}
    reported = {_key(p.file, p.sheet, p.row, p.column) for p in report.errors}
    assert reported == planted_keys
    assert all(p.severity == "warning" and "no value" in p.message for p in report.warnings)


def test_planted_cells_hold_the_submitted_values(demo_dir, mistakes):
    for m in mistakes:
        path = demo_dir / m["file"]
        df = (pd.read_csv(path, dtype=str, encoding="gbk") if path.suffix == ".csv"
              else pd.read_excel(path, sheet_name=m["sheet"], dtype=str))
        row = df.iloc[m["row"] - 2]
        if m["kind"] == "duplicate_row":
            prev = df.iloc[m["row"] - 3]
            assert (row == prev).all()
        else:
            assert str(row[m["column"]]) == m["submitted"]


def test_clean_round_holds_the_corrected_values(demo_dir, mistakes):
    files = sorted((demo_dir / "rounds" / "2025" / "values").glob("*.csv"))
    values = pd.concat([pd.read_csv(p, dtype=str) for p in files])
    for m in mistakes:
        if m["kind"] in ("percent_vs_ratio", "percent_above_100", "non_numeric"):
            cell = values[(values["unit_id"] == m["unit_id"]) & (values["indicator_id"] == m["indicator_id"])]
            assert cell["value"].tolist() == [m["corrected"]]
    assert not values.duplicated(["unit_id", "indicator_id"]).any()


def test_collection_records_list_both_versions(demo_dir, mistakes):
    rec = pd.read_csv(demo_dir / "collection" / "records.csv", dtype=str)
    r25 = rec[rec["round"] == "2025"]
    for m in mistakes:
        collector = Path(m["file"]).stem
        versions = r25.loc[r25["collector_id"] == collector, "version"].tolist()
        assert versions == ["1", "2"], collector
