"""The tracking reports: round configs, the prepared sections, the labelled tables."""
from __future__ import annotations

import pytest

from perfkit.analyses import tracking as tk
from perfkit.analyses.tracking import show
from perfkit.errors import DataError
from perfkit.report.config import UNIT_NOTEBOOKS, default_notebook_dir, load_config


def test_the_tracking_round_configs_are_valid_and_the_notice_runs_per_unit():
    for name in ("demo_city_2025Q2", "demo_city_2025Q4"):
        cfg = load_config(default_notebook_dir() / "configs" / f"{name}.yaml")
        assert cfg.notebooks == ("tracking", "tracking_notice")
        assert cfg.per_unit("tracking_notice") and not cfg.per_unit("tracking")
        assert {"tracking", "rules", "baseline_data", "issued", "returned"} <= set(cfg.inputs)
    assert "tracking_notice" in UNIT_NOTEBOOKS


@pytest.fixture(scope="module")
def inputs(demo_path):
    d = demo_path
    return {"scheme": str(d / "schemes" / "2025_tracking.yaml"), "folder": d / "tracking",
            "rules": default_notebook_dir() / "configs" / "demo_city_rules.yaml",
            "baseline": (d / "schemes" / "2024.yaml", d / "rounds" / "2024"),
            "issued": d / "follow_up" / "rectification_2024_issued.csv",
            "returned": d / "follow_up" / "rectification_2024_returned",
            "annual": (d / "schemes" / "2025.yaml", d / "rounds" / "2025"), "staff": d / "follow_up" / "staff.csv"}


def test_each_section_is_there_only_with_its_inputs(inputs):
    bare = tk.prepare("2025Q2", scheme=inputs["scheme"], folder=inputs["folder"])
    assert bare.closure is None and bare.year_end is None and bare.results_use is None
    assert "projected_grade" not in bare.tracking.units and bare.coverage["n"] > 500
    q2 = tk.prepare("2025Q2", **{k: v for k, v in inputs.items() if k not in ("annual", "staff")})
    assert q2.closure.next_round is None and q2.closure.as_of.isoformat() == "2025-06-30"
    assert q2.results_use is None  # no annual round yet: nothing to apply the table to
    q4 = tk.prepare("2025Q4", **inputs)
    assert q4.closure.next_round == "2025" and q4.year_end.rounds == ("2025Q1", "2025Q2", "2025Q3")
    assert q4.results_use is not None and q4.results_use.pool == 30_000_000
    no_table = tk.prepare("2025Q4", **{**inputs, "rules": None})
    assert no_table.results_use is None  # perfkit states the office's table, never a default one
    with pytest.raises(DataError, match="no staff table"):
        tk.prepare("2025Q4", **{**inputs, "staff": None})


def test_tables_speak_the_offices_words(inputs):
    ctx = tk.prepare("2025Q2", **{k: v for k, v in inputs.items() if k not in ("annual", "staff")})
    zh = show.warning_table(ctx.tracking, "zh")
    assert list(zh.columns) == ["单位", "目标任务", "进度曲线", "亮灯", "预警类型", "可能失分", "情况说明"]
    assert zh.iloc[0]["亮灯"] == "红灯"
    en = show.unit_targets_table(ctx.tracking, "gov_housing", "en")
    assert en.iloc[0]["So far"] == "501 sets" and en.iloc[0]["Light"] == "Red"
    assert show.round_label("2025Q2", "zh") == "2025年第二季度" and show.short_round("2025Q3", "en") == "Q3"
    assert all("," not in s and ";" not in s for s in zh["情况说明"])  # full-width punctuation in Chinese
