"""Ingesting returned files: the round trip, every planted mistake at its cell, altered
templates recognised or refused, free-form tables (long, wide, GBK), versioned resubmissions."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import perfkit
from perfkit import audit, datasets
from perfkit.collection import fill_template, ingest, write_templates
from perfkit.collection import layout as L

from .conftest import COLLECTORS, DEADLINES, DEMO, ROOT


def _codes(ing) -> list[tuple[str, str, str]]:
    return [(p.severity, p.code, str(p.cell)) for p in ing.problems]


# ---------------------------------------------------------------------- round trip
def test_round_trip_templates_filled_with_the_round_evaluate_exactly_as_shipped(filled, demo25):
    """Generate the 2025 templates, fill them with the round's values, ingest, evaluate:
    the results (and every stage of points) equal the round as shipped."""
    ing = ingest(demo25.scheme, demo25.data, filled, collectors=COLLECTORS)
    assert ing.ok and not ing.problems, str(ing)
    assert len(ing.values) == len(demo25.data.values) == 929
    shipped = perfkit.evaluate(demo25.scheme, demo25.data)
    returned = perfkit.evaluate(demo25.scheme, ing.round_data(demo25.data))
    pd.testing.assert_frame_equal(returned.results, shipped.results)
    pd.testing.assert_frame_equal(returned.points, shipped.points)
    pd.testing.assert_frame_equal(returned.raw, shipped.raw)
    cells = set(ing.values["_cell"].str.rstrip("0123456789"))
    assert cells == {L.TEMPLATE_LETTERS["value"]}


# ---------------------------------------------------------------------- the planted mistakes
_LETTER = {"value": "E", "unit_id": "B", "indicator_id": "D"}  # columns of the Demo City's returned files
_CODE = {"non_numeric": "not_numeric", "percent_vs_ratio": "out_of_range", "percent_above_100": "out_of_range",
         "duplicate_row": "duplicate", "unknown_unit": "unknown_unit_suggest",
         "unknown_indicator": "unknown_indicator_suggest"}


@pytest.fixture(scope="module")
def returned(demo25):
    return ingest(demo25.scheme, demo25.data, DEMO / "returned" / "2025", collectors=COLLECTORS)


@pytest.mark.parametrize("kind", sorted(_CODE))
def test_each_planted_mistake_is_reported_at_its_cell(returned, kind):
    m = next(x for x in datasets.planted()["findings"]["returned_file_mistakes"] if x["kind"] == kind)
    name = Path(m["file"]).name
    sheet = f" {m['sheet']}!" if m["sheet"] else " "
    where = f"{name}{sheet}{_LETTER[m['column']]}{m['row']}"
    hits = [p for p in returned.errors if str(p.cell) == where]
    assert [p.code for p in hits] == [_CODE[kind]], (where, _codes(returned))
    if kind.startswith("unknown"):
        assert hits[0].params["suggest"] == m["corrected"]
    if kind in ("percent_vs_ratio", "percent_above_100", "non_numeric"):
        assert hits[0].params["found"] == m["submitted"]


def test_returned_files_have_no_error_but_the_planted_ones(returned):
    assert len(returned.errors) == 6
    # the two figures that could not be placed are missing from their collectors' returns
    assert sorted((p.code, p.params["unit"], p.params["indicator"]) for p in returned.warnings) == [
        ("missing_cell", "dist_qingfeng", "income_growth"), ("missing_cell", "dist_scenic", "tourist_growth")]
    assert {f.collector_id for f in returned.files} == set(pd.read_csv(COLLECTORS)["collector_id"])
    assert next(f for f in returned.files if f.file.endswith("gov_stats.csv")).kind == "table"


def test_problem_sentences_in_both_languages(returned):
    p = next(p for p in returned.errors if p.code == "unknown_unit_suggest")
    assert p.text("zh") == "单位代码dist_scenic_area不存在（是否应为dist_scenic？）"
    assert p.text("en") == "unknown unit dist_scenic_area (did you mean dist_scenic?)"
    assert str(p).startswith("error: gov_tourism.xlsx 数据填报!B20: unknown unit")


# ---------------------------------------------------------------------- altered templates
def _ws(path: Path):
    wb = openpyxl.load_workbook(path)
    return wb, wb[L.DATA_SHEET]


def _row_of(ws, unit: str, indicator: str) -> int:
    for n in range(L.FIRST_ROW, ws.max_row + 1):
        if ws[f"B{n}"].value == unit and ws[f"D{n}"].value == indicator:
            return n
    raise AssertionError((unit, indicator))


def _one(demo25, path, **kw):
    return ingest(demo25.scheme, demo25.data, path, collectors=COLLECTORS, **kw)


def test_moved_and_renamed_rows_are_still_recognised(demo25, filled, copy_of):
    path = copy_of(next(filled.glob("gov_office*")))
    wb, ws = _ws(path)
    rows = [[c.value for c in ws[n]] for n in range(L.FIRST_ROW, ws.max_row + 1)]
    rows.reverse()  # the clerk sorted the rows the other way
    for i, values in enumerate(rows):
        for j, v in enumerate(values):
            ws.cell(L.FIRST_ROW + i, j + 1).value = v
    n = _row_of(ws, "gov_land", "openness")
    ws[f"C{n}"] = "自然资源局"  # renamed
    wb.save(path)
    ing = _one(demo25, path)
    assert ing.ok, str(ing)
    assert {p.code for p in ing.warnings} == {"rows_moved", "renamed"}
    renamed = next(p for p in ing.warnings if p.code == "renamed")
    assert str(renamed.cell) == f"{path.name} 数据填报!C{n}" and renamed.params["expected"] == "市自然资源和规划局"
    got = dict(zip(zip(ing.values["unit_id"], ing.values["indicator_id"]), ing.values["value"]))
    shipped = demo25.data.values
    want = shipped[shipped["collector_id"] == "gov_office"]
    assert got == dict(zip(zip(want["unit_id"], want["indicator_id"]), want["value"]))


def test_a_protected_cell_edited_is_an_error_at_that_cell(demo25, filled, copy_of):
    path = copy_of(next(filled.glob("perf_office*")))
    wb, ws = _ws(path)
    n = _row_of(ws, "dist_central", "ft_dist_central_01")
    ws[f"G{n}"] = 80  # the target lowered (95.6 in the round)
    m = _row_of(ws, "dist_east", "ft_dist_east_02")
    ws[f"B{m}"] = "dist_west"
    ws["L7"] = "备注写在这里"  # outside the input cells
    wb.save(path)
    ing = _one(demo25, path)
    got = {(p.code, p.cell.ref) for p in ing.errors}
    assert got == {("locked_changed", f"G{n}"), ("locked_changed", f"B{m}"), ("outside_input", "L7")}
    g = next(p for p in ing.errors if p.cell.ref == f"G{n}")
    assert (g.params["expected"], g.params["found"]) == ("95.6", "80")


def test_rows_added_deleted_or_pasted_from_another_template(demo25, filled, copy_of, templates):
    path = copy_of(next(filled.glob("gov_ecology*")))
    wb, ws = _ws(path)
    last = ws.max_row
    ws.delete_rows(L.FIRST_ROW + 2)  # a row deleted
    ws.cell(last + 2, 2, "dist_new")  # a row added
    ws.cell(last + 2, 9, 91.0)
    other = openpyxl.load_workbook(templates["gov_stats"])[L.DATA_SHEET]  # a row pasted from another template
    for j in range(1, 12):
        ws.cell(last + 3, j, other.cell(L.FIRST_ROW, j).value)
    wb.save(path)
    ing = _one(demo25, path)
    codes = sorted(p.code for p in ing.errors)
    assert codes == ["foreign_row", "row_added", "row_deleted"], _codes(ing)
    deleted = next(p for p in ing.errors if p.code == "row_deleted")
    assert (deleted.params["unit"], deleted.params["indicator"]) == ("dist_west", "air_quality")
    assert next(p for p in ing.errors if p.code == "row_added").cell.ref == f"B{last + 2}"


def test_template_of_another_round_or_collector_is_refused(demo25, tmp_path, filled):
    ds24 = datasets.load("demo_city", round=2024)
    old = write_templates(ds24.scheme, ds24.data, tmp_path / "t24", collectors=COLLECTORS, deadlines=DEADLINES,
                          only=["gov_office"])[0]
    ing = _one(demo25, old)
    assert _codes(ing) == [("error", "wrong_round", old.name)] and len(ing.values) == 0
    assert ing.errors[0].text("en") == "a template of round 2024; this is round 2025"
    office = next(filled.glob("gov_office*"))
    ing = _one(demo25, office, collector="gov_finance")
    assert [p.code for p in ing.errors] == ["wrong_collector"] and len(ing.values) == 0


def test_edited_metadata_and_outdated_templates_are_refused(demo25, filled, copy_of):
    path = copy_of(next(filled.glob("gov_office*")))
    wb = openpyxl.load_workbook(path)
    wb[L.META_SHEET]["B3"] = "2024"  # the round, edited in the hidden sheet
    wb.save(path)
    assert [p.code for p in _one(demo25, path).errors] == ["meta_edited"]
    changed = demo25.data.replace(targets=demo25.data.targets.assign(
        target=lambda d: d["target"].where(d["indicator_id"] != "ft_dist_central_01", "99")))
    ing = ingest(demo25.scheme, changed, next(filled.glob("perf_office*")), collectors=COLLECTORS)
    assert [p.code for p in ing.errors] == ["outdated"]


def test_a_moved_column_is_recognised_by_its_header(demo25, filled, copy_of):
    path = copy_of(next(filled.glob("gov_finance*")))
    wb, ws = _ws(path)
    ws.insert_cols(3)  # a column inserted before the unit names: the value moves from I to J
    wb.save(path)
    ing = _one(demo25, path)
    assert ing.ok and [p.code for p in ing.warnings] == ["columns_moved"], _codes(ing)
    assert set(ing.values["_cell"].str.rstrip("0123456789")) == {"J"}
    assert len(ing.values) == 70


def test_input_errors_in_a_template_are_located(demo25, filled, copy_of):
    path = copy_of(next(filled.glob("gov_approval*")))
    wb, ws = _ws(path)
    n = _row_of(ws, "gov_land", "hotline")
    ws[f"I{n}"] = "95%"  # a percent sign is read as 95 (the indicator is in percent)
    m = _row_of(ws, "gov_water", "hotline")
    ws[f"I{m}"] = 101.5
    k = _row_of(ws, "gov_sci", "hotline_satisfaction")
    ws[f"I{k}"] = None
    wb.save(path)
    ing = _one(demo25, path)
    assert {(p.code, p.cell.ref) for p in ing.problems} == {("out_of_range", f"I{m}"), ("empty", f"I{k}")}
    v = ing.values.set_index(["unit_id", "indicator_id"])["value"]
    assert v[("gov_land", "hotline")] == "95%"
    assert perfkit.validate_round(demo25.scheme, ing.round_data(demo25.data)).to_frame().query(
        "severity == 'error'")["row"].tolist() == [m]


# ---------------------------------------------------------------------- free-form tables
def test_free_form_wide_table_in_gbk_with_chinese_headers(demo25, tmp_path):
    v = demo25.data.values
    part = v[v["collector_id"] == "gov_ecology"].pivot(index="unit_id", columns="indicator_id", values="value")
    table = part.reset_index().rename(columns={"unit_id": "单位代码"})
    table.insert(1, "单位名称", ["某单位"] * len(table))
    path = tmp_path / "gov_ecology.csv"
    table.to_csv(path, index=False, encoding="gbk")
    ing = _one(demo25, path)
    assert ing.ok and not ing.problems, str(ing)
    assert ing.files[0].kind == "wide" and ing.files[0].collector_id == "gov_ecology"
    first = ing.values.iloc[0]
    assert (first["unit_id"], first["_cell"]) == (table["单位代码"].iloc[0], f"C2")
    got = dict(zip(zip(ing.values["unit_id"], ing.values["indicator_id"]), ing.values["value"]))
    want = v[v["collector_id"] == "gov_ecology"]
    assert got == dict(zip(zip(want["unit_id"], want["indicator_id"]), want["value"]))


def test_free_form_rows_of_another_round_and_foreign_indicators(demo25, tmp_path):
    v = demo25.data.values
    part = v[v["collector_id"] == "gov_stats"].drop(columns=["_file", "_sheet", "_row"]).copy()
    part.loc[part.index[:3], "round"] = "2024"
    extra = part.iloc[[5]].assign(indicator_id="hotline", value="97")
    table = pd.concat([part, extra])
    path = tmp_path / "gov_stats.xlsx"
    table.to_excel(path, index=False)
    ing = _one(demo25, path)
    codes = [(p.severity, p.code, p.cell.ref) for p in ing.problems]
    assert ("error", "round_mismatch", "A2") in codes
    assert next(p for p in ing.problems if p.code == "round_mismatch").params["n"] == 3
    assert ("warning", "not_collector_duty", f"C{len(table) + 1}") in codes
    assert sum(c[1] == "missing_cell" for c in codes) == 3


def test_a_file_that_is_neither_template_nor_table(demo25, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("备忘,说明\n电话,张三\n", encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    ing = ingest(demo25.scheme, demo25.data, [path, broken], collectors=COLLECTORS)
    assert [p.code for p in ing.errors] == ["not_a_table", "unreadable"]


# ---------------------------------------------------------------------- resubmissions
def test_resubmissions_are_versioned_in_the_log(demo25, tmp_path):
    first = DEMO / "returned" / "2025" / "gov_office.xlsx"
    second = DEMO / "rounds" / "2025" / "values" / "gov_office.csv"
    with audit.open_log(tmp_path / "office.sqlite", create=True) as log:
        for path, when in ((first, "2026-01-17 15:48"), (first, "2026-01-18 09:00"), (second, "2026-01-20 17:48")):
            ing = ingest(demo25.scheme, demo25.data, path, collectors=COLLECTORS)
            audit.record_submission(log, ing.files[0], who="数据科", submitted_at=when)
        recs = audit.submissions(log, "2025")
        assert log.verify().ok
    assert recs[["collector_id", "version", "errors", "submitted_at"]].values.tolist() == [
        ["gov_office", 1, 1, "2026-01-17 15:48:00"], ["gov_office", 2, 0, "2026-01-20 17:48:00"]]
    stored = [tmp_path / f for f in recs["file"]]
    assert all(p.is_file() for p in stored)
    assert stored[0].read_bytes() == first.read_bytes()


# ---------------------------------------------------------------------- the command line
def _perfkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfkit", *args], capture_output=True, text=True, cwd=cwd or ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)


def test_cli_template_and_ingest(tmp_path):
    scheme, data = str(DEMO / "schemes" / "2025.yaml"), str(DEMO / "rounds" / "2025")
    proc = _perfkit("template", scheme, data, "--round", "2025", "--out", str(tmp_path / "t"), "--collectors",
                    str(COLLECTORS), "--deadlines", str(DEADLINES), "--collector", "gov_stats")
    assert proc.returncode == 0, proc.stderr
    assert "1 template(s)" in proc.stdout
    proc = _perfkit("ingest", scheme, data, "--round", "2025", str(DEMO / "returned" / "2025"), "--collectors",
                    str(COLLECTORS), "--out", str(tmp_path / "v.csv"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "error: gov_office.xlsx 数据填报!E79: 92.5 is outside the allowed range 0–1" in proc.stdout
    assert not (tmp_path / "v.csv").exists(), "nothing is written when there are errors"
    good = tmp_path / "t" / "gov_stats_市统计局.xlsx"
    fill_template(good, datasets.load("demo_city", 2025).data.values)
    proc = _perfkit("ingest", scheme, data, "--round", "2025", str(good), "--collectors", str(COLLECTORS),
                    "--out", str(tmp_path / "v.csv"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(pd.read_csv(tmp_path / "v.csv")) == 20
    proc = _perfkit("template", scheme, data, "--round", "2025", "--out", str(tmp_path / "t2"))
    assert proc.returncode == 2 and proc.stderr.startswith("perfkit: error:") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1

