"""Bad round data: every problem is reported with its file, (sheet,) row and column and a
hint, never as a traceback; good data in GBK CSV, XLSX and Parquet is read correctly.

Row numbers are those a person sees in Excel: the header is row 1, the first data row is
row 2 (so ``tables["values"][i]`` is row ``i + 1``).
"""
from __future__ import annotations

import pandas as pd
import pytest
from perfkit import DataError, evaluate, load_round, load_scheme, validate_round
from perfkit.io.read import read_table
from perfkit.engine.validate import Problem, ValidationReport


def _report(scheme_path, round_path) -> ValidationReport:
    return validate_round(load_scheme(scheme_path), load_round(round_path))


def _only_error(report: ValidationReport) -> Problem:
    assert len(report.errors) == 1, "\n".join(map(str, report.errors))
    return report.errors[0]


def _frames(tables) -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(rows[1:], columns=rows[0]) for name, rows in tables.items()}


# ----------------------------------------------------------------- good data, any format
def test_valid_round_has_no_problems(scheme_path, round_dir):
    report = _report(scheme_path, round_dir)
    assert report.ok
    assert not report.problems, str(report)


def test_gbk_csv_with_chinese_names_is_read_correctly(write_round, round_tables, scheme_path):
    folder = write_round(round_tables, encoding="gbk")
    data = load_round(folder)
    assert list(data.units["name_zh"]) == ["东城区", "西城区", "市财政局"]
    assert list(data.adjustments["reason"]) == ["获国家级表彰", "审计发现问题", "发生重大安全事故"]
    assert _report(scheme_path, folder).ok


def test_utf8_csv_with_bom_from_excel_keeps_first_header_clean(write_round, round_tables, scheme_path):
    folder = write_round(round_tables, encoding="utf-8-sig")
    data = load_round(folder)
    assert data.units.columns[0] == "unit_id"
    assert _report(scheme_path, folder).ok


def test_csv_neither_utf8_nor_gbk_is_refused_naming_the_file(tmp_path, round_dir):
    bad = round_dir / "values.csv"
    bad.write_bytes(bytes(range(128, 256)) * 3)
    with pytest.raises(DataError) as info:
        load_round(round_dir)
    msg = str(info.value)
    assert str(bad) in msg
    assert "UTF-8" in msg and "GBK" in msg


def test_xlsx_round_workbook_with_units_and_values_sheets_is_read(tmp_path, round_tables, scheme_path):
    book = tmp_path / "round.xlsx"
    frames = _frames(round_tables)
    with pd.ExcelWriter(book) as xw:
        frames["units"].to_excel(xw, sheet_name="units", index=False)
        values = frames["values"].assign(value=pd.to_numeric(frames["values"]["value"]))
        values.to_excel(xw, sheet_name="values", index=False)
    scheme = load_scheme(scheme_path)
    data = load_round(book)
    assert list(data.units["name_zh"]) == ["东城区", "西城区", "市财政局"]
    report = validate_round(scheme, data)
    assert report.ok, str(report)
    got = report.data.values.set_index(["unit_id", "indicator_id"])["value"]
    assert got[("D02", "growth")] == 12.0
    assert list(data.values["_sheet"].unique()) == ["values"]
    assert len(evaluate(scheme, data).results) == 3


def test_xlsx_non_numeric_value_names_the_workbook_row_and_column(tmp_path, round_tables, scheme_path):
    book = tmp_path / "round.xlsx"
    frames = _frames(round_tables)
    frames["values"].loc[1, "value"] = "九十五"  # row 3 of the values sheet
    with pd.ExcelWriter(book) as xw:
        for name, df in frames.items():
            df.to_excel(xw, sheet_name=name, index=False)
    p = _only_error(_report(scheme_path, book))
    assert (p.file, p.sheet, p.row, p.column) == (str(book), "values", 3, "value")
    assert str(book) in str(p) and "row 3" in str(p) and "column value" in str(p)


def test_xlsx_problem_message_names_the_sheet(tmp_path, round_tables, scheme_path):
    book = tmp_path / "round.xlsx"
    frames = _frames(round_tables)
    frames["values"].loc[1, "value"] = "九十五"
    with pd.ExcelWriter(book) as xw:
        for name, df in frames.items():
            df.to_excel(xw, sheet_name=name, index=False)
    p = _only_error(_report(scheme_path, book))
    assert f"{book}: sheet values: row 3: column value" in str(p)


def test_corrupt_xlsx_workbook_raises_data_error_naming_it(tmp_path):
    book = tmp_path / "round.xlsx"
    book.write_bytes(b"this is not a workbook")
    with pytest.raises(DataError) as info:
        load_round(book)
    assert str(book) in str(info.value)


def test_parquet_values_are_read_as_numbers(round_dir, round_tables, scheme_path):
    (round_dir / "values.csv").unlink()
    values = _frames(round_tables)["values"]
    values["value"] = pd.to_numeric(values["value"])
    values.to_parquet(round_dir / "values.parquet")
    report = _report(scheme_path, round_dir)
    assert report.ok, str(report)
    got = report.data.values.set_index(["unit_id", "indicator_id"])["value"]
    assert got[("D01", "growth")] == 8.5
    assert got[("B01", "hotline")] == 99.0


def test_parquet_value_out_of_range_names_file_and_row(round_dir, round_tables, scheme_path):
    (round_dir / "values.csv").unlink()
    values = _frames(round_tables)["values"]
    values["value"] = pd.to_numeric(values["value"])
    values.loc[2, "value"] = 950.0  # row 4: D02 growth
    values.to_parquet(round_dir / "values.parquet")
    p = _only_error(_report(scheme_path, round_dir))
    assert (p.file, p.row, p.column) == (str(round_dir / "values.parquet"), 4, "value")
    assert "950" in p.message and "[0, 100]" in p.message


# ----------------------------------------------------------------- empty files
@pytest.mark.parametrize("content", ["", "\n\n", "   \r\n"], ids=["zero-bytes", "blank-lines", "spaces"])
def test_empty_file_is_refused_naming_the_file(round_dir, content):
    path = round_dir / "values.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_round(round_dir)
    msg = str(info.value)
    assert str(path) in msg
    assert "empty" in msg


def test_header_only_units_table_is_refused_naming_the_file(round_dir):
    path = round_dir / "units.csv"
    path.write_text("unit_id,name_zh,name_en,category\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_round(round_dir)
    msg = str(info.value)
    assert str(path) in msg
    assert "no rows" in msg


def test_header_only_optional_table_means_nothing_this_round(round_dir):
    # an office exports the adjustments sheet even in a year without bonus or penalty
    path = round_dir / "adjustments.csv"
    path.write_text("unit_id,kind,item,points,reason\n", encoding="utf-8")
    assert read_table(path).empty
    assert load_round(round_dir).adjustments.empty


# ----------------------------------------------------------------- one problem each
def test_missing_column_suggests_the_misspelt_header(write_round, round_tables, scheme_path):
    round_tables["values"][0] = ["unitid", "indicator_id", "value"]
    folder = write_round(round_tables)
    p = _only_error(_report(scheme_path, folder))
    assert p.file == str(folder / "values.csv")
    assert "missing column(s): unit_id" in p.message
    assert "did you mean 'unitid'?" in p.message
    assert "unit_id, indicator_id, value" in p.hint


def test_unknown_unit_names_row_and_suggests_the_id(write_round, round_tables, scheme_path):
    round_tables["values"][2][0] = "D0l"  # row 3, letter l for digit 1
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.table, p.row, p.column) == ("values", 3, "unit_id")
    assert "unknown unit 'D0l'" in p.message
    assert "did you mean 'D0" in p.message


def test_unknown_unit_in_lower_case_suggests_the_upper_case_id(write_round, round_tables, scheme_path):
    round_tables["special_results"][3][1] = "b01"  # row 4
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.table, p.row, p.column) == ("special_results", 4, "unit_id")
    assert "did you mean 'B01'?" in p.message


def test_unknown_indicator_names_row_and_suggests_the_id(write_round, round_tables, scheme_path):
    round_tables["values"][3][1] = "grwoth"  # row 4
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (4, "indicator_id")
    assert "unknown indicator 'grwoth'" in p.message
    assert "did you mean 'growth'?" in p.message


def test_duplicate_values_row_names_both_rows(write_round, round_tables, scheme_path):
    round_tables["values"].append(["D01", "growth", "9"])  # row 8 repeats row 2
    folder = write_round(round_tables)
    p = _only_error(_report(scheme_path, folder))
    assert (p.file, p.row) == (str(folder / "values.csv"), 8)
    assert "duplicate row for unit_id=D01, indicator_id=growth" in p.message
    assert "row 2" in p.message


def test_duplicate_unit_names_both_rows(write_round, round_tables, scheme_path):
    round_tables["units"].append(["D01", "东城区", "Dongcheng", "district"])  # row 5 repeats row 2
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.table, p.row, p.column) == ("units", 5, "unit_id")
    assert "duplicate row for unit_id=D01" in p.message and "row 2" in p.message


def test_duplicate_across_two_files_of_one_table_names_both_files(write_round, round_tables, scheme_path):
    values = round_tables.pop("values")
    round_tables["values/a"] = values[:4]  # D02 growth is row 4 of a.csv ...
    round_tables["values/b"] = [values[0], *values[3:]]  # ... and row 2 of b.csv
    folder = write_round(round_tables)
    p = _only_error(_report(scheme_path, folder))
    assert p.file == str(folder / "values" / "b.csv") and p.row == 2
    assert str(folder / "values" / "a.csv") in p.message and "row 4" in p.message


def test_non_numeric_value_names_row_and_column(write_round, round_tables, scheme_path):
    round_tables["values"][2][2] = "九十五"  # row 3
    folder = write_round(round_tables)
    p = _only_error(_report(scheme_path, folder))
    assert (p.file, p.row, p.column) == (str(folder / "values.csv"), 3, "value")
    assert "'九十五' is not a number" in p.message
    assert str(p).startswith(f"error: {folder / 'values.csv'}: row 3: column value: ")


def test_empty_value_cell_is_reported_with_row_and_column(write_round, round_tables, scheme_path):
    round_tables["values"][2][2] = ""  # row 3: D01 hotline
    report = _report(scheme_path, write_round(round_tables))
    assert [(p.row, p.column) for p in report.problems] == [(3, "value")]


def test_value_outside_declared_range_names_row_and_range(write_round, round_tables, scheme_path):
    round_tables["values"][5][2] = "-3"  # row 6: B01 growth, range [0, 100]
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (6, "value")
    assert "value -3 is outside the declared range [0, 100] of 'growth'" in p.message


def test_unit_with_no_category_names_row(write_round, round_tables, scheme_path):
    round_tables["units"][2][3] = ""  # row 3: D02
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.table, p.row, p.column) == ("units", 3, "category")
    assert "unit 'D02' has no category" in p.message
    assert "district, bureau" in p.hint


def test_unit_with_blank_category_cell_in_xlsx_has_no_category(tmp_path, round_tables, scheme_path):
    book = tmp_path / "round.xlsx"
    frames = _frames(round_tables)
    frames["units"].loc[1, "category"] = "  "  # row 3: D02
    with pd.ExcelWriter(book) as xw:
        for name, df in frames.items():
            df.to_excel(xw, sheet_name=name, index=False)
    p = _only_error(_report(scheme_path, book))
    assert (p.row, p.column) == (3, "category")
    assert "unit 'D02' has no category" in p.message


def test_unknown_category_suggests_the_declared_one(write_round, round_tables, scheme_path):
    round_tables["units"][3][3] = "bureaux"  # row 4: B01
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (4, "category")
    assert "unknown category 'bureaux'" in p.message and "did you mean 'bureau'?" in p.message


def test_missing_units_column_is_one_problem_not_one_per_value_row(write_round, round_tables, scheme_path):
    round_tables["units"] = [row[:3] for row in round_tables["units"]]
    report = _report(scheme_path, write_round(round_tables))
    assert [p.message for p in report.errors] == ["missing column(s): category"]


def test_negative_penalty_points_are_refused(write_round, round_tables, scheme_path):
    round_tables["adjustments"][2][3] = "-1"  # row 3: D02 penalty
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.table, p.row, p.column) == ("adjustments", 3, "points")
    assert "points must be positive" in p.message
    assert "without a minus sign" in p.hint


def test_unknown_veto_item_suggests_the_declared_one(write_round, round_tables, scheme_path):
    round_tables["adjustments"][3][2] = "acident"  # row 4
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (4, "item")
    assert "unknown veto item 'acident'" in p.message and "did you mean 'accident'?" in p.message


def test_unknown_adjustment_kind_suggests_the_right_one(write_round, round_tables, scheme_path):
    round_tables["adjustments"][1][1] = "bonis"  # row 2
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (2, "kind")
    assert "did you mean 'bonus'?" in p.message


def test_survey_score_outside_scale_names_the_item_column(write_round, round_tables, scheme_path):
    round_tables["survey"][3][3] = "7"  # row 4, column q2, scale 1-5
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.table, p.row, p.column) == ("survey", 4, "q2")
    assert "score 7 outside the scale [1, 5]" in p.message


def test_unknown_respondent_group_suggests_the_declared_one(write_round, round_tables, scheme_path):
    round_tables["survey"][5][1] = "resident"  # row 6
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (6, "respondent_group")
    assert "unknown respondent group 'resident'" in p.message and "did you mean 'residents'?" in p.message


def test_missing_survey_item_column_suggests_the_header(write_round, round_tables, scheme_path):
    round_tables["survey"][0] = ["unit_id", "respondent_group", "q1", "q_2"]
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert "missing item column(s): q2" in p.message and "did you mean 'q_2'?" in p.message


def test_negative_respondent_weight_is_refused(write_round, round_tables, scheme_path):
    survey = round_tables["survey"]
    survey[0].append("weight")
    for row in survey[1:]:
        row.append("1")
    survey[2][-1] = "-0.5"  # row 3
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (3, "weight")
    assert "must not be negative" in p.message


def test_special_result_above_100_is_refused(write_round, round_tables, scheme_path):
    round_tables["special_results"][2][2] = "105"  # row 3
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.table, p.row, p.column) == ("special_results", 3, "score")
    assert "score 105 is outside 0-100" in p.message


def test_unknown_special_assessment_suggests_the_declared_one(write_round, round_tables, scheme_path):
    round_tables["special_results"][1][0] = "safety_chek"  # row 2
    p = _only_error(_report(scheme_path, write_round(round_tables)))
    assert (p.row, p.column) == (2, "assessment_id")
    assert "did you mean 'safety_check'?" in p.message


# ----------------------------------------------------------------- all problems, and evaluate
def test_validate_lists_every_problem_of_a_file_not_just_the_first(write_round, round_tables, scheme_path):
    values = round_tables["values"]
    values[1][2] = "abc"  # row 2: not a number
    values[3][2] = "150"  # row 4: out of range
    values[5][0] = "X99"  # row 6: unknown unit
    report = _report(scheme_path, write_round(round_tables))
    assert sorted((p.row, p.column) for p in report.errors) == [(2, "value"), (4, "value"), (6, "unit_id")]


def test_evaluate_raises_data_error_naming_the_first_problem_and_the_count(write_round, round_tables,
                                                                           scheme_path):
    round_tables["values"][1][2] = "abc"  # row 2
    round_tables["values"][3][2] = "150"  # row 4
    folder = write_round(round_tables)
    with pytest.raises(DataError) as info:
        evaluate(load_scheme(scheme_path), load_round(folder))
    msg = str(info.value)
    assert f"{folder / 'values.csv'}: row 2: column value: 'abc' is not a number" in msg
    assert "1 more problem" in msg and "perfkit validate" in msg


# ----------------------------------------------------------------- number formats
def _values_with(write_round, round_tables, scheme_path, cell):
    from perfkit import load_scheme, validate_round

    header = round_tables["values"][0]
    round_tables["values"][1][header.index("value")] = cell  # first data row = row 2
    folder = write_round(round_tables)
    return validate_round(load_scheme(scheme_path), load_round(folder))


def test_decimal_comma_is_refused_not_read_as_a_larger_number(write_round, round_tables, scheme_path):
    report = _values_with(write_round, round_tables, scheme_path, "8,5")
    assert any("decimal comma" in p.message and p.row == 2 and p.column == "value" for p in report.errors)


def test_thousands_separator_is_accepted(write_round, round_tables, scheme_path):
    report = _values_with(write_round, round_tables, scheme_path, "1,234.5")
    # read as 1234.5 (then, here, outside the indicator's declared range)
    assert 1234.5 in set(report.data.values["value"])
    assert not [p for p in report.errors if "comma" in p.message or "not a number" in p.message]
