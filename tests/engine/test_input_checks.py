"""Bad inputs that used to pass validation silently or crash evaluate (issue 10): each is
now an error or a warning naming its file, row and column (or YAML path) with a hint, and
the warnings that change a unit's score are summarised by ``evaluate`` too.

Row numbers are those a person sees in Excel: the header is row 1, so
``tables["values"][i]`` is row ``i + 1``.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from perfkit import DataError, RoundData, evaluate, load_round, load_scheme, validate_round
from perfkit.errors import DataWarning, SchemeError

GROWTH = "structure.children[0](work).children[0](growth)"
HOTLINE = "structure.children[0](work).children[1](hotline)"


def _growth(d):
    return d["structure"]["children"][0]["children"][0]


def _hotline(d):
    return d["structure"]["children"][0]["children"][1]


def _report(scheme, folder):
    return validate_round(load_scheme(scheme), load_round(folder))


def _only(problems, code):
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


def _scheme_error(write_scheme, d) -> tuple[str, str]:
    path = write_scheme(d)
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    return str(path), str(info.value)


# ----------------------------------------------------------------- evaluate would have crashed
@pytest.mark.parametrize("cell", ["inf", "1.2e400", "-inf", "Infinity"])
def test_infinite_value_without_a_range_is_an_error_at_its_cell(write_scheme, scheme_dict, write_round,
                                                                round_tables, cell):
    del _growth(scheme_dict)["range"]
    round_tables["values"][3][2] = cell  # row 4: D02 growth
    folder = write_round(round_tables)
    report = _report(write_scheme(scheme_dict), folder)
    p = _only(report.errors, "not_finite")
    assert (p.file, p.row, p.column) == (str(folder / "values.csv"), 4, "value")
    assert f"{cell!r} is not a finite number" in p.message and "typing or export error" in p.hint
    with pytest.raises(DataError, match="not a finite number"):  # a located DataError, not a kernel ValueError
        evaluate(load_scheme(write_scheme(scheme_dict)), load_round(folder))


def test_infinite_value_in_parquet_is_an_error_at_its_row(round_dir, round_tables, scheme_path):
    (round_dir / "values.csv").unlink()
    values = pd.DataFrame(round_tables["values"][1:], columns=round_tables["values"][0])
    values["value"] = pd.to_numeric(values["value"])
    values.loc[4, "value"] = np.inf  # row 6
    values.to_parquet(round_dir / "values.parquet")
    p = _only(_report(scheme_path, round_dir).errors, "not_finite")
    assert (p.row, p.column) == (6, "value")


def test_zero_target_under_completion_is_an_error_at_the_target_cell(write_scheme, scheme_dict, write_round,
                                                                     round_tables):
    del _growth(scheme_dict)["rule"]["target"]  # completion against the data's targets
    values = round_tables["values"]
    values[0].append("target")
    for row in values[1:]:
        row.append("10")
    values[3][3] = "0"  # row 4: D02 growth
    folder = write_round(round_tables)
    scheme = write_scheme(scheme_dict)
    p = _only(_report(scheme, folder).errors, "rule_rejects")
    assert (p.file, p.row, p.column) == (str(folder / "values.csv"), 4, "target")
    assert "target must be positive" in p.message and "'growth'" in p.message
    with pytest.raises(DataError, match="row 4: column target"):
        evaluate(load_scheme(scheme), load_round(folder))


def test_missing_data_target_is_an_error_at_the_row_and_for_a_unit_without_a_row(write_scheme, scheme_dict,
                                                                                 write_round, round_tables):
    del _growth(scheme_dict)["rule"]["target"]
    values = round_tables["values"]
    values[0].append("target")
    for row in values[1:]:
        row.append("10")
    values[1][3] = ""  # row 2: D01 growth has no target
    del values[5]  # B01 growth: no row at all
    report = _report(write_scheme(scheme_dict), write_round(round_tables))
    got = [(p.row, p.column) if p.row else p.message for p in report.errors if p.code == "no_target"]
    assert (2, "target") in got
    assert any("unit 'B01', indicator 'growth'" in g for g in got if isinstance(g, str))


def test_negative_count_under_deduction_is_an_error_at_its_cell(write_scheme, scheme_dict, write_round,
                                                                round_tables):
    _hotline(scheme_dict).update(rule={"method": "deduction", "per": 0.1}, unit="件", range=None)
    del _hotline(scheme_dict)["range"]
    round_tables["values"][4][2] = "-2"  # row 5: D02 hotline
    p = _only(_report(write_scheme(scheme_dict), write_round(round_tables)).errors, "rule_rejects")
    assert (p.row, p.column) == (5, "value")
    assert "must not be negative" in p.message


def test_functional_target_of_zero_is_an_error_at_its_row(write_scheme, scheme_dict, write_round, round_tables):
    d = _with_targets(scheme_dict, round_tables)
    round_tables["targets"][2][4] = "0"  # row 3: D01's second target
    p = _only(_report(write_scheme(d), write_round(round_tables)).errors, "rule_rejects")
    assert (p.table, p.row, p.column) == ("targets", 3, "target")
    assert "target must be positive" in p.message


def _with_targets(scheme_dict, round_tables) -> dict:
    """The tiny scheme with its 'work' block replaced by a 70-point functional-targets node."""
    d = copy.deepcopy(scheme_dict)
    d["structure"]["children"][0] = {"id": "functional", "label": {"zh": "职能目标", "en": "Targets"},
                                     "points": 70, "source": "targets", "rule": {"method": "completion"}}
    round_tables["values"] = [["unit_id", "indicator_id", "value"]] + [
        [u, f"t_{u}_{k}", "9"] for u in ("D01", "D02", "B01") for k in (1, 2)]
    round_tables["targets"] = [["unit_id", "indicator_id", "label_zh", "label_en", "target", "points"]] + [
        [u, f"t_{u}_{k}", f"目标{k}", f"Target {k}", "10", "35"] for u in ("D01", "D02", "B01") for k in (1, 2)]
    return d


def test_targets_whose_points_do_not_add_up_are_rescaled_with_a_warning(write_scheme, scheme_dict, write_round,
                                                                        round_tables):
    d = _with_targets(scheme_dict, round_tables)
    round_tables["targets"][6][5] = "25"  # row 7: B01's second target, B01's points add up to 60, not 70
    report = _report(write_scheme(d), write_round(round_tables))
    p = _only(report.warnings, "targets_rescaled")
    assert (p.table, p.row, p.column) == ("targets", 6, "points")  # B01's first target row
    assert "unit 'B01'" in p.message and "60 points" in p.message and "70" in p.message
    assert p.costs_points and p in report.costs_points


# ----------------------------------------------------------------- the scheme
def test_linear_rule_with_floor_above_target_is_refused(write_scheme, scheme_dict):
    _hotline(scheme_dict)["rule"] = {"method": "linear", "floor": 99, "target": 85}
    file, msg = _scheme_error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {HOTLINE}.rule.floor: ")
    assert "floor 99 is above target 85" in msg and "direction: lower" in msg


def test_linear_rule_with_floor_above_target_is_fine_for_a_lower_is_better_indicator(write_scheme, scheme_dict):
    _hotline(scheme_dict).update(rule={"method": "linear", "floor": 99, "target": 85}, direction="lower")
    assert load_scheme(write_scheme(scheme_dict)).node("hotline").direction == "lower"


def test_completion_rule_for_a_lower_is_better_indicator_is_refused(write_scheme, scheme_dict):
    _growth(scheme_dict)["direction"] = "lower"
    file, msg = _scheme_error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.rule.method: ")
    assert "completion_lower" in msg


def test_rule_parameter_the_kernel_refuses_is_refused_when_the_scheme_loads(write_scheme, scheme_dict):
    _growth(scheme_dict)["rule"]["cap"] = 0.5
    file, msg = _scheme_error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.rule: ")
    assert "cap must be at least 1" in msg


def test_derived_weights_in_a_points_scheme_are_refused(write_scheme, scheme_dict):
    scheme_dict["structure"]["children"][0]["weights"] = {"method": "entropy"}
    file, msg = _scheme_error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: structure.children[0](work).weights: ")
    assert "points scheme cannot derive weights" in msg and "sum of its children's points" in msg


def test_two_grades_with_the_same_min_score_are_refused(write_scheme, scheme_dict):
    scheme_dict["grading"]["default"][1]["min_score"] = 90
    file, msg = _scheme_error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: grading.default[1](good).min_score: ")
    assert "same min_score 90 as 'excellent'" in msg


def test_grade_threshold_above_the_highest_possible_score_is_refused(write_scheme, scheme_dict):
    scheme_dict["grading"]["default"][0]["min_score"] = 190
    file, msg = _scheme_error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: grading.default[0](excellent).min_score: ")
    assert "190 can never be reached" in msg and "103 (100 points and a bonus of at most 3)" in msg


def test_grade_threshold_reachable_only_with_the_bonus_is_accepted(write_scheme, scheme_dict):
    scheme_dict["grading"]["default"][0]["min_score"] = 102
    assert load_scheme(write_scheme(scheme_dict)).model.grading.default[0].min_score == 102


@pytest.mark.parametrize(("where", "key", "path"), [
    ("top", "id", "id"),
    ("leaf", "points", f"{GROWTH}.points"),
    ("rule", "cap", f"{GROWTH}.rule.cap"),
])
def test_duplicate_yaml_key_names_its_path_and_both_lines(write_scheme, scheme_dict, where, key, path):
    text = yaml.safe_dump(scheme_dict, allow_unicode=True, sort_keys=False, default_flow_style=False)
    lines = text.splitlines()
    if where == "top":
        i = lines.index("id: tiny_city")
    elif where == "leaf":
        i = next(n for n, line in enumerate(lines) if line.strip() == "points: 40")
    else:
        i = next(n for n, line in enumerate(lines) if line.strip() == "cap: 1.0")
    lines.insert(i + 1, lines[i].replace(lines[i].strip(), f"{key}: 7" if key != "id" else "id: other"))
    path_file = write_scheme(text="\n".join(lines) + "\n")
    with pytest.raises(SchemeError) as info:
        load_scheme(path_file)
    msg = str(info.value)
    assert msg.startswith(f"{path_file}: {path}: ")
    assert f"key {key!r} is given twice" in msg and f"lines {i + 1} and {i + 2}" in msg


def _composite_with_ahp(matrix, **extra) -> dict:
    kids = [{"id": k, "label": {"zh": k, "en": k}, "normalise": "minmax"} for k in ("a", "b", "c")]
    return {"id": "c", "label": {"zh": "指数", "en": "Index"}, "paradigm": "composite",
            "structure": {"id": "index", "label": {"zh": "指数", "en": "Index"}, "aggregate": "arithmetic",
                          "weights": {"method": "ahp", "matrix": matrix, **extra}, "children": kids}}


def test_non_reciprocal_ahp_matrix_is_refused_at_load_with_its_yaml_path(write_scheme):
    d = _composite_with_ahp([[1, 3, 5], [3, 1, 3], [0.2, 1 / 3, 1]])  # a_ba should be 1/3
    file, msg = _scheme_error(write_scheme, d)
    assert msg.startswith(f"{file}: structure.weights.matrix: ")
    assert "not reciprocal" in msg and "row 'a', column 'b' is 3" in msg


def test_ahp_matrix_of_the_wrong_order_is_refused_at_load(write_scheme):
    file, msg = _scheme_error(write_scheme, _composite_with_ahp([[1, 3], ["1/3", 1]]))
    assert msg.startswith(f"{file}: structure.weights")
    assert "order 2" in msg or "2 names" in msg or "3 indicators" in msg


# cyclic judgements a > b > c > a: Saaty's CR well above 0.1
CYCLIC = [[1, 3, "1/3"], ["1/3", 1, 3], [3, "1/3", 1]]


def test_inconsistent_ahp_matrix_is_an_error_by_default(write_scheme):
    file, msg = _scheme_error(write_scheme, _composite_with_ahp(CYCLIC))
    assert msg.startswith(f"{file}: structure.weights: AHP matrix is inconsistent: CR = ")
    assert "inconsistency: warning" in msg


def test_inconsistent_ahp_matrix_declared_a_warning_loads_and_warns_at_evaluate(write_scheme):
    scheme = load_scheme(write_scheme(_composite_with_ahp(CYCLIC, inconsistency="warning")))
    units = pd.DataFrame({"unit_id": list("pqrs"), "name_zh": list("pqrs"), "name_en": list("pqrs"),
                          "category": [None] * 4})
    values = pd.DataFrame([(u, k, float(v)) for u, base in zip("pqrs", (1, 2, 3, 4)) for k, v in
                           zip("abc", (base, 5 - base, base * 2))], columns=["unit_id", "indicator_id", "value"])
    data = RoundData.from_frames(units=units.assign(category="x"), values=values)
    scheme = load_scheme({**scheme.to_dict(), "categories": [{"id": "x", "label": {"zh": "类", "en": "x"}}]})
    with pytest.warns(UserWarning, match="inconsistent"):
        ev = evaluate(scheme, data)
    assert np.isclose(ev.weights["index"].weights.sum(), 1.0)


def test_inconsistency_policy_must_be_error_or_warning(write_scheme):
    file, msg = _scheme_error(write_scheme, _composite_with_ahp(CYCLIC, inconsistency="warn"))
    assert msg.startswith(f"{file}: structure.weights: inconsistency: ")
    assert "did you mean 'warning'?" in msg


# ----------------------------------------------------------------- data accepted without a word
def _composite_round(values: dict[str, list[float]]):
    """A one-indicator composite (min-max) over units u0, u1, ...; ``values[id]``."""
    n = len(next(iter(values.values())))
    scheme = load_scheme({
        "id": "c", "label": {"zh": "指数", "en": "Index"}, "paradigm": "composite",
        "categories": [{"id": "x", "label": {"zh": "类", "en": "x"}}],
        "structure": {"id": "index", "label": {"zh": "指数", "en": "Index"}, "aggregate": "arithmetic",
                      "children": [{"id": k, "label": {"zh": k, "en": k}, "normalise": "minmax",
                                    **({"unit": "%"} if k.startswith("pct") else {})} for k in values]}})
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "name_zh": "单位", "name_en": "unit",
                          "category": "x"})
    rows = [(f"u{i}", k, v) for k, col in values.items() for i, v in enumerate(col)]
    return scheme, RoundData.from_frames(units=units, values=pd.DataFrame(rows, columns=["unit_id", "indicator_id",
                                                                                           "value"]))


def test_implausible_value_is_flagged_before_it_distorts_a_min_max():
    gdp = [410.0, 380.5, 512.0, 455.2, 1e300, 398.0, 470.3, 430.9]
    scheme, data = _composite_round({"gdp": gdp})
    report = validate_round(scheme, data)
    p = _only(report.warnings, "implausible")
    assert (p.row, p.column) == (6, "value")  # the fifth value row
    assert "value 1e+300 of 'gdp' is implausible" in p.message and "median" in p.message
    assert p.costs_points
    with pytest.warns(DataWarning, match="implausible"):
        evaluate(scheme, data)


def test_skewed_but_plausible_values_are_not_flagged():
    rng = np.random.default_rng(3)
    scheme, data = _composite_round({"gdp": list(np.round(rng.lognormal(5, 1.2, size=300), 2))})
    assert not [p for p in validate_round(scheme, data).problems if p.code == "implausible"]


def test_percentages_sent_as_ratios_are_an_error_when_the_rule_counts_in_percent(write_scheme, scheme_dict,
                                                                                  write_round, round_tables):
    del _hotline(scheme_dict)["range"]  # no declared range to catch it
    for row, v in zip(round_tables["values"][2::2], ("0.9374", "0.8012", "0.9911")):
        row[2] = v  # D01, D02, B01 hotline (rows 3, 5, 7)
    p = _only(_report(write_scheme(scheme_dict), write_round(round_tables)).errors, "ratio_for_percent")
    assert (p.row, p.column) == (3, "value")
    assert "every value of 'hotline' (unit %) lies between 0 and 1" in p.message and "ratios" in p.message
    assert "93.74" in p.hint


def test_percentages_sent_as_ratios_are_caught_even_within_a_declared_0_100_range(scheme_path, write_round,
                                                                                 round_tables):
    for row, v in zip(round_tables["values"][2::2], ("0.9374", "0.8012", "0.9911")):
        row[2] = v
    assert _only(_report(scheme_path, write_round(round_tables)).errors, "ratio_for_percent").row == 3


def test_one_unit_sending_a_ratio_among_percentages_is_flagged_at_its_row():
    scheme, data = _composite_round({"pct_hotline": [93.2, 95.1, 0.9374, 91.0, 97.5, 89.9]})
    p = _only(validate_round(scheme, data).warnings, "ratio_for_percent")
    assert p.row == 4 and "0.9374" in p.message and "93.74" in p.message and p.costs_points


def test_misspelt_bonus_item_is_an_error_when_the_scheme_declares_its_items(scheme_path, write_round,
                                                                          round_tables):
    round_tables["adjustments"][1][2] = "awrd"  # row 2
    p = _only(_report(scheme_path, write_round(round_tables)).errors, "unknown_bonus_item")
    assert (p.table, p.row, p.column) == ("adjustments", 2, "item")
    assert "unknown bonus item 'awrd' (did you mean 'award'?)" in p.message and "award" in p.hint


def test_any_bonus_item_is_accepted_when_the_scheme_declares_none(write_scheme, scheme_dict, write_round,
                                                                 round_tables):
    scheme_dict["adjustments"]["bonus"]["items"] = {}
    round_tables["adjustments"][1][2] = "provincial_innovation"
    assert _report(write_scheme(scheme_dict), write_round(round_tables)).ok


def test_row_of_another_round_is_an_error_at_its_row(scheme_path, write_round, round_tables):
    values = round_tables["values"]
    values[0].append("round")
    for row in values[1:]:
        row.append("2025")
    values[4][3] = "2024"  # row 5
    folder = write_round(round_tables, folder="2025")
    p = _only(_report(scheme_path, folder).errors, "other_round")
    assert (p.file, p.row, p.column) == (str(folder / "values.csv"), 5, "round")
    assert "belongs to round 2024, but the data are round 2025" in p.message and "--round" in p.hint


def test_every_row_of_another_round_than_the_folder_is_an_error(scheme_path, write_round, round_tables):
    values = round_tables["values"]
    values[0].append("round")
    for row in values[1:]:
        row.append("2024")
    report = _report(scheme_path, write_round(round_tables, folder="2025"))
    assert len([p for p in report.errors if p.code == "other_round"]) == 6
    assert "folder '2025'" in report.errors[0].message


def test_all_survey_weights_of_a_unit_at_zero_are_an_error(scheme_path, write_round, round_tables):
    survey = round_tables["survey"]
    survey[0].append("weight")
    for row in survey[1:]:
        row.append("1")
    survey[1][-1] = "0"  # row 2: D01 residents, the only respondent of the group
    p = _only(_report(scheme_path, write_round(round_tables)).errors, "zero_weights")
    assert (p.table, p.row, p.column) == ("survey", 2, "weight")
    assert "unit 'D01', group 'residents' has weight 0" in p.message


def test_infinite_survey_weight_is_an_error(scheme_path, write_round, round_tables):
    survey = round_tables["survey"]
    survey[0].append("weight")
    for row in survey[1:]:
        row.append("1")
    survey[4][-1] = "inf"  # row 5
    p = _only(_report(scheme_path, write_round(round_tables)).errors, "not_finite")
    assert (p.table, p.row, p.column) == ("survey", 5, "weight")


def test_duplicate_column_is_refused_naming_it(round_dir):
    (round_dir / "values.csv").write_text("unit_id,indicator_id,value,value\nD01,growth,8.5,9\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_round(round_dir)
    msg = str(info.value)
    assert str(round_dir / "values.csv") in msg and "column 'value' appears 2 times" in msg


def test_duplicate_column_in_a_workbook_names_the_sheet_and_letters(tmp_path, round_tables):
    book = tmp_path / "round.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "units"
    for row in round_tables["units"]:
        ws.append(row)
    ws2 = wb.create_sheet("values")
    ws2.append(["unit_id", "value", "indicator_id", "value"])
    ws2.append(["D01", 8.5, "growth", 9])
    wb.save(book)
    with pytest.raises(DataError, match=r"sheet values: column 'value' appears 2 times .*columns B, D"):
        load_round(book)


@pytest.mark.parametrize("typed", ["NaN", "NA", "n/a", "null", "#N/A"])
def test_nan_typed_in_a_cell_is_a_warning_that_costs_points(scheme_path, write_round, round_tables, typed):
    round_tables["values"][2][2] = typed  # row 3
    report = _report(scheme_path, write_round(round_tables))
    p = _only(report.warnings, "na_text")
    assert (p.row, p.column) == (3, "value") and f"{typed!r} typed in the cell is read as no value" in p.message
    assert report.costs_points == (p,)


def test_misspelt_value_header_in_one_file_is_one_error_not_a_warning_per_row(scheme_path, write_round,
                                                                             round_tables):
    values = round_tables.pop("values")
    round_tables["values/a"] = values[:4]
    round_tables["values/b"] = [["unit_id", "indicator_id", "valeu"], *values[4:]]
    folder = write_round(round_tables)
    report = _report(scheme_path, folder)
    p = _only(report.errors, "misspelt_header")
    assert (p.file, p.row, p.column) == (str(folder / "values" / "b.csv"), 1, "valeu")
    assert "did you mean 'value'?" in p.message
    assert not [w for w in report.warnings if w.code == "empty_value"]


def test_xlsx_formula_without_a_calculated_result_is_an_error_at_its_cell(tmp_path, round_tables, scheme_path):
    book = tmp_path / "round.xlsx"
    wb = openpyxl.Workbook()  # openpyxl stores formulas without their results, as some exporters do
    ws = wb.active
    ws.title = "units"
    for row in round_tables["units"]:
        ws.append(row)
    ws2 = wb.create_sheet("values")
    for i, row in enumerate(round_tables["values"]):
        ws2.append([row[0], row[1], float(row[2]) if i else row[2]])
    ws2["C4"] = "=B2*2"  # row 4: D02 growth
    wb.save(book)
    p = _only(_report(scheme_path, book).errors, "formula_no_result")
    assert (p.file, p.sheet, p.row, p.column) == (str(book), "values", 4, "value")
    assert "C4 holds a formula (=B2*2) with no calculated result" in p.message and "save it again" in p.hint


def test_indicator_with_no_data_at_all_is_one_warning(scheme_path, write_round, round_tables):
    round_tables["values"] = [r for r in round_tables["values"] if r[1] != "hotline"]
    report = _report(scheme_path, write_round(round_tables))
    p = _only(report.warnings, "no_data")
    assert "indicator 'hotline' has no data at all" in p.message and "3 units" in p.message
    assert not [w for w in report.warnings if w.code == "no_value"]


def test_evaluate_warns_with_a_summary_of_the_warnings_that_cost_points(scheme_path, write_round, round_tables):
    round_tables["values"][2][2] = ""  # row 3: empty
    round_tables["values"][4][2] = "NaN"  # row 5: typed
    folder = write_round(round_tables)
    with pytest.warns(DataWarning) as record:
        ev = evaluate(load_scheme(scheme_path), load_round(folder))
    text = str(record[0].message)
    assert "2 warning(s) change a unit's score" in text
    assert f"{folder / 'values.csv'}: row 3: column value" in text and "row 5" in text
    assert len(ev.validation.costs_points) == 2


def test_no_data_warning_when_nothing_costs_points(scheme_path, round_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        evaluate(load_scheme(scheme_path), load_round(round_dir))


# ----------------------------------------------------------------- reading the round
def test_round_no_row_belongs_to_says_which_rounds_the_data_hold(write_round, round_tables):
    values = round_tables["values"]
    values[0].append("round")
    for i, row in enumerate(values[1:]):
        row.append("2024" if i < 2 else "2025")
    folder = write_round(round_tables)
    with pytest.raises(DataError) as info:
        load_round(folder, round=2052)
    msg = str(info.value)
    assert "no row belongs to round 2052; the data hold round(s) 2024, 2025" in msg and str(folder) in msg


def test_round_written_as_a_number_in_parquet_matches_the_round_asked_for(round_dir, round_tables):
    (round_dir / "values.csv").unlink()
    values = pd.DataFrame(round_tables["values"][1:], columns=round_tables["values"][0])
    values["value"] = pd.to_numeric(values["value"])
    values["round"] = 2025.0
    values.to_parquet(round_dir / "values.parquet")
    assert len(load_round(round_dir, round="2025").values) == 6


def test_sheet_named_in_capitals_says_what_was_found(tmp_path, round_tables):
    book = tmp_path / "round.xlsx"
    with pd.ExcelWriter(book) as xw:
        for name, rows in round_tables.items():
            pd.DataFrame(rows[1:], columns=rows[0]).to_excel(xw, sheet_name=name.capitalize() if name == "units"
                                                             else name, index=False)
    with pytest.raises(DataError) as info:
        load_round(book)
    msg = str(info.value)
    assert "found 'Units', which is not read: table names are lower case" in msg and "'units'" in msg


def test_units_csv_that_is_a_folder_says_so(round_dir):
    (round_dir / "units.csv").unlink()
    (round_dir / "units.csv").mkdir()
    with pytest.raises(DataError, match="'units.csv' is a folder, not a table file"):
        load_round(round_dir)


def test_misspelt_table_file_is_named_with_a_suggestion(round_dir):
    (round_dir / "special_results.csv").rename(round_dir / "special_result.csv")
    with pytest.raises(DataError, match=r"found 'special_result.csv', which is not read \(did you mean "
                                        r"'special_results'\?\)"):
        load_round(round_dir)


def test_missing_units_table_lists_what_the_folder_holds(round_dir):
    (round_dir / "units.csv").rename(round_dir / "units_2025.txt.bak")
    with pytest.raises(DataError, match=r"no units table: the folder holds .*'values.csv'"):
        load_round(round_dir)
