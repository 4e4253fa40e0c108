"""Bad registries, schedules and special results: each a located error or warning."""
from __future__ import annotations

import copy

import openpyxl
import pandas as pd
import pytest

import perfkit

from perfkit.analyses import consistency as pc
from perfkit.errors import PerfkitError
from tests.analyses import consistency_cases as cc

TASK = {"u1": 80, "u2": 90, "u3": 70, "u4": 60, "p1": 85}
SP = {"sp_x": {"u1": 90, "u2": 60, "u3": 80, "u4": 70, "p1": 95},
      "sp_y": {"u1": 70, "u2": 80, "u3": 90, "u4": 60, "p1": 75},
      "sp_z": {"u1": 50, "u2": 55, "u3": 60, "u4": 65, "p1": 70}}


@pytest.fixture(scope="module")
def ev():
    return cc.evaluate(cc.points_scheme(), cc.round_data(TASK, SP, {"u1": 0, "u2": 1, "u3": 0, "u4": 2}))


def _review(ev, reg=None, schedule=None, **kw):
    return pc.review(ev, reg if reg is not None else cc.registry(), schedule, n_boot=0, optimise=False, **kw)


def _schedule(change=None) -> pd.DataFrame:
    rows = [{"round": "2025", "assessment_id": "sp_x", "unit_id": u, "kind": "year_end", "start": "2025-11-10",
             "end": "2025-11-11"} for u in TASK]
    df = pd.DataFrame(rows)
    for (row, col), v in (change or {}).items():
        df.loc[row, col] = v
    return df


@pytest.mark.parametrize("edit, where, message", [
    (lambda r: r["assessments"][1].update(owner="u9"), "assessments[1](sp_y).owner", "unknown owner 'u9'"),
    (lambda r: r["assessments"][0].update(covered_units=["u1", "u7"]), "assessments[0](sp_x).covered_units[1]",
     "unknown unit 'u7'"),
    (lambda r: r["assessments"][0].update(covers=["gov", "pary"]), "assessments[0](sp_x).covers[1]",
     "unknown category 'pary' (did you mean 'party'?)"),
    (lambda r: r["assessments"][2]["indicators"].append("no_such"), "assessments[2](sp_z).indicators[1]",
     "unknown indicator 'no_such'"),
    (lambda r: r["assessments"][2]["indicators"][0].update(same_as=["tsak"]), "assessments[2](sp_z).indicators[0]",
     "unknown indicator 'tsak' (did you mean 'task'?)"),
])
def test_registry_errors_that_need_the_round_are_located(ev, edit, where, message):
    reg = cc.registry()
    edit(reg)
    with pytest.raises(pc.RegistryError) as e:
        _review(ev, reg)
    assert where in str(e.value) and message in str(e.value)
    assert any(i.severity == "error" and where in i.where for i in pc.check(ev, reg))


@pytest.mark.parametrize("edit, message", [
    (lambda r: r["assessments"][0].update(frequncy="monthly"), "assessments[0](sp_x).frequncy: unknown key "
                                                               "'frequncy' (did you mean 'frequency'?)"),
    (lambda r: r["assessments"][0].update(approval="yes"), "assessments[0](sp_x).approval"),
    (lambda r: r["assessments"][0]["inspections"][0].update(window=["12-20", "11-01"]),
     "assessments[0](sp_x).inspections[0].window: the window ends (11-01) before it starts (12-20)"),
    (lambda r: r["assessments"][0]["inspections"][0].update(window=["11-31", "12-20"]), "'11-31' is not a month and day"),
    (lambda r: r["assessments"].append(copy.deepcopy(r["assessments"][0])), "assessment 'sp_x' is listed twice"),
    (lambda r: r["assessments"][0].update(weight=-1), "weights (points in the comprehensive score) cannot be negative"),
])
def test_structural_registry_errors_name_the_yaml_path(edit, message):
    reg = cc.registry()
    edit(reg)
    with pytest.raises(pc.RegistryError, match=None) as e:
        pc.load_registry(reg)
    assert message in str(e.value)


def test_a_registry_file_that_is_not_yaml_or_missing(tmp_path):
    bad = tmp_path / "registry.yaml"
    bad.write_text("assessments: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(pc.RegistryError, match=r"registry.yaml: line 2, column 3: not valid YAML"):
        pc.load_registry(bad)
    tag = tmp_path / "tag.yaml"
    tag.write_text("assessments: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(pc.RegistryError, match="not valid YAML"):
        pc.load_registry(tag)
    with pytest.raises(pc.RegistryError, match="registry file not found"):
        pc.load_registry(tmp_path / "nope.yaml")


def test_a_registry_workbook_reads_and_its_errors_name_sheet_and_row(tmp_path, ev):
    path = tmp_path / "registry.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "assessments"
    ws.append(["id", "label_zh", "label_en", "owner", "approval", "approved", "since", "covers", "frequency"])
    ws.append(["sp_x", "甲专项", "Special X", "u1", "approved", 2020, 2020, "gov；party", "quarterly"])
    ws.append(["sp_y", "乙专项", "Special Y", "u2", "none", None, 2024, "", 12])
    ind = wb.create_sheet("indicators")
    ind.append(["assessment_id", "id", "label_zh", "label_en", "direction", "target", "points"])
    ind.append(["sp_x", "acc", "生产安全事故起数", "Accidents", "lower", 0, 30])
    ind.append(["sp_x", "x_other", "安全隐患排查", "Hazard checks", "higher", 10, 70])
    ind.append(["sp_y", "acc", None, None, None, None, 100])
    insp = wb.create_sheet("inspections")
    insp.append(["assessment_id", "kind", "window_start", "window_end"])
    insp.append(["sp_x", "year_end", "11-01", "12-20"])
    plan = wb.create_sheet("plan")
    plan.append(["key", "value"])
    plan.append(["cap", 1])
    wb.save(path)
    reg = pc.load_registry(path)
    assert reg.assessments["sp_x"].covers == ("gov", "party")
    assert reg.assessments["sp_y"].submissions == 12 and reg.model.plan.cap == 1
    assert reg.assessments["sp_x"].window("year_end") == ("11-01", "12-20")
    r = _review(ev, path)
    assert r.plan.over_cap and r.plan.not_approved == ("sp_y",)
    ind.cell(row=3, column=7, value=-5)
    wb.save(path)
    with pytest.raises(pc.RegistryError, match=r"sheet indicators: row 3"):
        pc.load_registry(path)
    ws.cell(row=2, column=4, value="u99")
    ind.cell(row=3, column=7, value=70)
    wb.save(path)
    with pytest.raises(pc.RegistryError, match=r"sheet assessments: row 2.*unknown owner 'u99'"):
        _review(ev, path)


def test_a_schedule_end_before_start_is_an_error_with_its_row(ev):
    with pytest.raises(pc.RegistryError, match=r"<memory>: row 4: column end: the inspection ends \(2025-11-01\) "
                                                r"before it starts \(2025-11-10\)"):
        _review(ev, schedule=_schedule({(2, "end"): "2025-11-01"}))


@pytest.mark.parametrize("change, message", [
    ({(0, "start"): "2025-11-31"}, r"row 2: column start: '2025-11-31' is not a date"),
    ({(1, "assessment_id"): "sp_q"}, r"row 3: column assessment_id: unknown special assessment 'sp_q'"),
    ({(1, "unit_id"): "u8"}, r"row 3: column unit_id: unknown unit 'u8'"),
])
def test_schedule_rows_with_errors_are_located(ev, change, message):
    with pytest.raises(pc.RegistryError, match=message):
        _review(ev, schedule=_schedule(change))


def test_a_schedule_without_its_columns_or_outside_its_window(ev, tmp_path):
    with pytest.raises(pc.RegistryError, match="missing column"):
        pc.load_schedule(pd.DataFrame({"round": ["2025"], "unit_id": ["u1"]}))
    late = _schedule({(0, "start"): "2025-12-22", (0, "end"): "2025-12-23"})
    r = _review(ev, schedule=late)
    assert any("outside its window" in i.message and i.where == "row 2: column start" for i in r.issues)
    gbk = tmp_path / "schedule.csv"
    _schedule().to_csv(gbk, index=False, encoding="gbk")
    assert len(pc.load_schedule(gbk).table) == 5


def test_results_for_an_assessment_not_in_the_registry_are_a_warning_and_an_alert(ev):
    res = ev.data.special_results.copy()
    extra = res.iloc[:2].assign(assessment_id="sp_rogue", _row=[99, 100])
    r = _review(ev, results=pd.concat([res, extra], ignore_index=True))
    w = [i for i in r.issues if "sp_rogue" in i.message]
    assert len(w) == 1 and w[0].severity == "warning" and w[0].where == "row 99: column assessment_id"
    assert r.plan.unregistered == {"sp_rogue": 2}
    assert any(a.code == "unregistered" and a.subject == "sp_rogue" for a in r.alerts)
    assert "sp_rogue" not in r.agreement.table.index


def test_a_special_with_no_results_this_round_is_left_out_with_a_warning(ev):
    res = ev.data.special_results
    r = _review(ev, results=res[res["assessment_id"] != "sp_y"])
    assert r.plan.no_results == ("sp_y",)
    assert any("'sp_y' has no results in round 2025" in i.message for i in r.issues)
    assert any(a.code == "no_results" and a.subject == "sp_y" for a in r.alerts)
    assert "sp_y" not in r.agreement.table.index and "sp_y" not in r.discrimination.table.index


def test_bad_scores_and_duplicate_results_are_errors(ev):
    res = ev.data.special_results.copy()
    res["score"] = res["score"].astype(object)
    res.loc[0, "score"] = "九十"
    with pytest.raises(pc.RegistryError, match=r"row 2: column score: score '九十' is not a number from 0 to 100"):
        _review(ev, results=res)
    dup = pd.concat([ev.data.special_results, ev.data.special_results.iloc[:1]], ignore_index=True)
    with pytest.raises(pc.RegistryError, match="a second result of 'sp_x' for unit 'u1'"):
        _review(ev, results=dup)


def test_declared_rules_are_checked_and_override_in_order(ev):
    reg = cc.registry(rules={"ceiling_share": 0.3})
    assert _review(ev, reg).rules.ceiling_share == 0.3
    assert _review(ev, reg, rules={"ceiling_share": 0.4}).rules.ceiling_share == 0.4
    with pytest.raises(pc.RegistryError, match=r"rules.ceiling_shar: unknown rule threshold 'ceiling_shar' "
                                                r"\(did you mean 'ceiling_share'\?\)"):
        _review(ev, cc.registry(rules={"ceiling_shar": 0.3}))
    with pytest.raises(pc.RegistryError, match="ceiling_share must be a number from 0 to 1"):
        _review(ev, rules={"ceiling_share": 2})
    with pytest.raises(ValueError, match="strata must be"):
        _review(ev, strata="unit")


def test_every_error_is_a_perfkit_error_the_cli_prints_in_one_line(ev):
    reg = cc.registry()
    reg["assessments"][1]["owner"] = "u9"
    with pytest.raises(PerfkitError) as e:
        _review(ev, reg)
    assert "\n" not in str(e.value)


def test_a_review_without_schedule_previous_rounds_or_grades_still_gives_every_part():
    scheme = cc.composite_scheme("geometric")
    ev = perfkit.evaluate(perfkit.load_scheme(scheme), cc.round_data(TASK, {"sp_x": SP["sp_x"]}))
    # sp_y and sp_z are registered and have results, but the scheme does not fold them in
    r = pc.review(ev, cc.registry(), results=cc.round_data(TASK, SP).special_results, n_boot=200, rng=0)
    assert r.burden.joint is None and r.schedule is None
    assert r.agreement.table.loc["sp_x", "loo_method"] == "reweighted"
    assert r.agreement.table.loc["sp_y", "loo_method"] == "not_folded"
    assert r.discrimination.table["stability"].isna().all()
    assert set(r.decisions.index) == {"sp_x", "sp_y", "sp_z"}
    # geometric aggregation: leaving sp_x out is the engine's own weighted geometric mean of the rest
    assert r.without["sp_x"].evaluation.results.loc["u1", "final"] == pytest.approx(80.0)
