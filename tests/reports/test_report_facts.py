"""Round facts: computed once, saved and re-read unchanged; survey cells below min_cell
never reach a report (neither as numbers nor as comments)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from . import minicity
from perfkit.report import open_facts, prepare_facts
from perfkit.report import tables as tb


@pytest.fixture(scope="module")
def facts(city, tmp_path_factory):
    f = prepare_facts(city / "scheme.yaml", city / "data", round=2025, previous=[2023, 2024])
    return open_facts(f.save(tmp_path_factory.mktemp("facts")))


def _raw_cell_mean(unit, group):
    """The cell's mean computed straight from the microdata (what must never be shown)."""
    sv = minicity.tables()["survey"]
    sv = sv[(sv["round"] == 2025) & (sv["unit_id"] == unit) & (sv["respondent_group"] == group)]
    return float(((sv[["q1", "q2", "q3"]].mean(axis=1) - 1) / 4 * 100).mean()), len(sv)


def test_cells_below_min_cell_are_blanked_in_the_facts(facts):
    assert facts.meta["min_cell"] == 8
    cell = facts.survey[(facts.survey["unit_id"] == "B02") & (facts.survey["group"] == "firms")].iloc[0]
    assert bool(cell["suppressed"]) and all(np.isnan(cell[c]) for c in ("n", "mean", "ci_low", "ci_high"))
    open_cell = facts.survey[(facts.survey["unit_id"] == "B02") & (facts.survey["group"] == "residents")].iloc[0]
    assert open_cell["n"] == 12 and open_cell["mean"] == pytest.approx(_raw_cell_mean("B02", "residents")[0])
    comments = facts.comments
    assert not ((comments["unit_id"] == "B02") & (comments["group"] == "firms")).any()
    assert ((comments["unit_id"] == "B02") & (comments["group"] == "residents")).any()


def test_suppressed_cells_show_as_too_few_responses_in_tables(facts):
    for lang in ("zh", "en"):
        table = tb.survey_table(facts, lang, unit="B02")
        text = table.to_string()
        mean, n = _raw_cell_mean("B02", "firms")
        assert n < 8 and f"{mean:.1f}" not in text and f" {n} " not in text
        assert tb.t("text.suppressed_cell", lang, n=8) in text


def test_suppressed_cells_never_reach_the_html(batch):
    assert "B02" in minicity.BATCH_UNITS

    mean, n = _raw_cell_mean("B02", "firms")
    for lang, name in (("zh", "B02_市教育局"), ("en", "B02_市教育局")):
        html = (batch["out"] / "feedback" / lang / f"{name}.html").read_text(encoding="utf-8")
        assert tb.t("text.suppressed_cell", lang, n=8) in html
        assert f"{mean:.1f}" not in html and f"{mean:.2f}" not in html
    round_html = (batch["out"] / "round_report.zh.html").read_text(encoding="utf-8")
    assert f"{mean:.1f}" not in round_html


def test_facts_survive_the_round_trip_through_files(city, tmp_path):
    f = prepare_facts(city / "scheme.yaml", city / "data", round=2025, previous=[2023, 2024])
    g = open_facts(f.save(tmp_path))
    pd.testing.assert_frame_equal(f.results, g.results, check_dtype=False, check_index_type=False)
    assert f.meta["labels"] == g.meta["labels"] and g.round == "2025"


def test_every_point_lost_is_listed_with_rule_target_and_reason(facts):
    u = facts.unit("D01")
    lines = facts.lines[facts.lines["unit_id"] == "D01"]
    lost = lines[(lines["lost"] > 1e-9) & ~lines["path"].isin(["bonus", "penalty", "veto"])]
    assert set(u.lost["id"]) == set(lost["id"])
    assert u.lost["lost"].sum() == pytest.approx(100 - facts.results.loc["D01", "base"])
    table = tb.lost_table(u, "zh")
    assert list(table.columns) == ["指标", "计分方法", "原始值", "目标值", "应得分", "失分", "原因"]
    projects = table[table["指标"] == "重点项目完成率"].iloc[0]
    assert projects["目标值"] == "100.00" and projects["计分方法"].startswith("完成率计分")
    assert "得分率" in projects["原因"]


def test_strengths_and_weaknesses_are_against_the_category_mean(facts):
    u = facts.unit("D02")
    assert (u.strengths["diff"] > 0).all() and (u.weaknesses["diff"] < 0).all()
    prof = facts.profile[(facts.profile["category"] == "district") & (facts.profile["id"] == "projects")]
    assert prof["diff"].sum() == pytest.approx(0, abs=1e-9)


def test_grades_against_quotas_and_movers(facts):
    q = facts.quotas.set_index(["category", "grade"])
    assert q.loc[("district", "excellent"), "quota"] == 1  # floor(0.25 * 4)
    assert (q.groupby(level=0)["count"].sum() == 4).all()
    assert facts.results.loc["D04", "grade"] == "fail" and "accident" in facts.results.loc["D04", "vetoes"]
    m = facts.movers(3)
    assert m["delta_final"].abs().is_monotonic_decreasing
    r = facts.results.loc["D01"]
    assert r["delta_final"] == pytest.approx(r["final"] - r["prev_final"])


def test_an_unknown_unit_suggests_the_closest(facts):
    with pytest.raises(KeyError, match="did you mean 'D01'"):
        facts.unit("D1")


def test_facts_read_twice_are_independent_copies(tmp_path, facts):
    folder = facts.save(tmp_path / "f")
    a = open_facts(folder)
    a.results.loc["D01", "final"] = -1.0
    a.meta["round"] = "changed"
    b = open_facts(folder)
    assert b.results.loc["D01", "final"] == facts.results.loc["D01", "final"] and b.meta["round"] == "2025"
