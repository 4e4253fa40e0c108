"""Data-quality flags: the Demo City's planted mistakes and copy-paste block found at their
cells, nothing else on its clean rounds, and each detector on hand-made cases."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfkit
from perfkit import datasets
from perfkit.analyses.quality import Thresholds, check_quality
from perfkit.collection import ingest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo_city"


@pytest.fixture(scope="module")
def earlier():
    return {r: datasets.load("demo_city", r).data for r in ("2022", "2023", "2024")}


@pytest.fixture(scope="module")
def returned_report(earlier):
    ds = datasets.load_returned("demo_city", "2025")
    return check_quality(ds.scheme, ds.data, previous=earlier)


# the Demo City's returned files: columns A round, B unit_id, C name_zh, D indicator_id, E value
_FLAG = {"non_numeric": ("not_numeric", "E"), "percent_vs_ratio": ("scale_slip", "E"),
         "percent_above_100": ("above_100", "E"), "duplicate_row": ("duplicate", "D"),
         "unknown_unit": ("unknown_unit", "B"), "unknown_indicator": ("unknown_indicator", "D")}


@pytest.mark.parametrize("kind", sorted(_FLAG))
def test_each_planted_mistake_is_flagged_at_its_cell(returned_report, kind):
    m = next(x for x in datasets.planted()["findings"]["returned_file_mistakes"] if x["kind"] == kind)
    code, letter = _FLAG[kind]
    name = Path(m["file"]).name
    cell = f"{name} {m['sheet']}!{letter}{m['row']}" if m["sheet"] else f"{name} {letter}{m['row']}"
    hits = [f for f in returned_report.flags if str(f.cell) == cell]
    assert [f.code for f in hits] == [code], [(f.code, str(f.cell)) for f in returned_report.flags]
    assert hits[0].level == "critical"
    if kind == "percent_vs_ratio":
        assert hits[0].params["corrected"] == "0.925" == m["corrected"]
        assert "also" in hits[0].evidence and "out_of_range" in hits[0].evidence["also"]
    if kind == "percent_above_100":
        assert hits[0].value == "103.6" and hits[0].params["cap"] == "100%"


def test_the_copy_paste_block_is_found_with_its_cells(returned_report):
    planted = datasets.planted()["findings"]["identical_values"]
    blocks = returned_report.by_code("copied_block")
    assert len(blocks) == 1
    b = blocks[0]
    assert b.evidence["units"] == planted["units"] and b.evidence["value"] == planted["value"]
    assert b.indicator_id == planted["indicator"] and Path(b.cell.file).name == Path(planted["file"]).name
    assert b.params["span"] == "E40:E45" and len(b.evidence["cells"]) == 6
    assert b.evidence["expected_runs"] < 1e-4


def test_returned_files_have_exactly_the_planted_flags(returned_report):
    assert sorted(f.code for f in returned_report.flags) == sorted(
        [*(c for c, _ in _FLAG.values()), "copied_block"])


@pytest.mark.parametrize("rnd", ["2022", "2023", "2024", "2025"])
def test_no_flag_on_the_clean_rounds_but_the_planted_block(rnd, earlier):
    """At the default thresholds the clean rounds carry no flag, except 2025's copy-paste
    block, which the generator planted in the clean round too ("undetected")."""
    ds = datasets.load("demo_city", rnd)
    prev = {r: d for r, d in earlier.items() if r < rnd}
    report = check_quality(ds.scheme, ds.data, previous=prev)
    assert [f.code for f in report.flags] == (["copied_block"] if rnd == "2025" else [])


def test_ingested_templates_give_the_same_flags_at_template_cells(tmp_path, earlier):
    ds = datasets.load("demo_city", 2025)
    ing = ingest(ds.scheme, ds.data, DEMO / "returned" / "2025", collectors=DEMO / "collection" / "collectors.csv")
    report = check_quality(ds.scheme, ing.round_data(ds.data), previous=earlier)
    assert sorted(f.code for f in report.flags) == sorted([*(c for c, _ in _FLAG.values()), "copied_block"])


def test_flags_speak_both_languages_and_become_alerts(returned_report):
    slip = returned_report.by_code("scale_slip")[0]
    assert slip.text("zh").startswith("gov_office.xlsx 数据填报!E79：市司法局的人大代表建议和政协提案按时办结率填报为92.5")
    assert "it should probably be 0.925" in slip.text("en")
    alerts = returned_report.alerts
    assert len(alerts) == len(returned_report.flags)
    assert alerts[0].level == "critical" and alerts[0].source == "quality"
    assert alerts[0].subject == str(returned_report.flags[0].cell)
    assert alerts[0].text("zh").startswith(alerts[0].subject)
    frame = returned_report.to_frame("en")
    assert list(frame["level"]).index("warning") > list(frame["level"]).index("critical")
    assert returned_report.summary("zh")["count"].sum() == len(returned_report.flags)


# ---------------------------------------------------------------------- hand-made cases
def _scheme(extra_children=()):
    leaf = {"rule": {"method": "linear", "floor": 0, "target": 100}}
    return perfkit.load_scheme({
        "id": "qa_case", "label": {"zh": "核查", "en": "qa"}, "paradigm": "points", "total_points": 100,
        "categories": [{"id": "c", "label": {"zh": "类", "en": "c"}}],
        "structure": {"id": "root", "label": {"zh": "总", "en": "all"}, "points": 100, "children": [
            {"id": "rate", "label": {"zh": "办结率", "en": "rate"}, "points": 40, "unit": "%", "range": [0, 100],
             "collector": "x", **leaf},
            {"id": "ratio", "label": {"zh": "按时率", "en": "ratio"}, "points": 30, "unit": "比率 ratio",
             "range": [0, 1], "collector": "x", "rule": {"method": "linear", "floor": 0, "target": 1}},
            {"id": "score", "label": {"zh": "测评得分", "en": "score"}, "points": 30, "unit": "分", "collector": "x",
             **leaf}, *extra_children]}})


def _data(values: dict[str, list], n: int, rnd: str = "2025") -> perfkit.RoundData:
    units = pd.DataFrame({"unit_id": [f"u{i:02d}" for i in range(n)], "name_zh": [f"单位{i}" for i in range(n)],
                          "name_en": [f"Unit {i}" for i in range(n)], "category": ["c"] * n})
    rows = [{"unit_id": f"u{i:02d}", "indicator_id": k, "value": str(v[i])} for k, v in values.items()
            for i in range(n) if v[i] is not None]
    df = pd.DataFrame(rows)
    df["_file"] = "x.csv"
    df["_sheet"] = ""
    df["_row"] = np.arange(len(df)) + 2
    return perfkit.RoundData.from_frames(units=units, values=df, round=rnd)


def _base(n=20, seed=0):
    g = np.random.default_rng(seed)
    return {"rate": list(np.round(g.normal(92, 2, n), 1)), "ratio": list(np.round(g.uniform(0.9, 1.0, n), 3)),
            "score": list(np.round(g.normal(85, 3, n), 1))}


def test_a_ratio_typed_as_percent_and_a_percent_typed_as_ratio():
    v = _base()
    v["ratio"][3] = 95.1  # a percent where a ratio belongs
    v["rate"][7] = 0.93  # a ratio where a percent belongs
    rep = check_quality(_scheme(), _data(v, 20))
    slips = {f.unit_id: f for f in rep.by_code("scale_slip")}
    assert set(slips) == {"u03", "u07"}
    assert slips["u03"].params["corrected"] == "0.951" and slips["u03"].level == "critical"
    assert slips["u07"].params["corrected"] == "93" and slips["u07"].level == "warning"  # 0.93 is in range
    assert [f.code for f in rep.flags if f.unit_id in ("u03", "u07")] == ["scale_slip", "scale_slip"]


def test_a_rate_above_100_percent_but_not_a_score_above_100():
    v = _base()
    v["rate"][2] = 101.2
    rep = check_quality(_scheme(), _data(v, 20))
    assert [(f.code, f.unit_id, f.level) for f in rep.flags] == [("above_100", "u02", "critical")]
    v = _base()
    v["score"][2] = 101.2  # a score without a declared range may pass 100
    assert check_quality(_scheme(), _data(v, 20)).flags == ()


def test_robust_outlier_by_hand():
    # 12 scores: median 85, MAD 1 (so the robust sd is 1 / 0.6745 = 1.4826); 76 has z = -6.07
    score = [83, 84, 85, 86, 87, 84, 85, 86, 85, 85, 84, 76]
    v = {**_base(12), "score": score}
    rep = check_quality(_scheme(), _data(v, 12))
    out = rep.by_code("outlier")
    assert [f.unit_id for f in out] == ["u11"]
    med = np.median(score)
    mad = np.median(np.abs(np.array(score) - med))
    assert out[0].evidence["median"] == med == 85
    assert out[0].evidence["z"] == pytest.approx(0.6745 * (76 - med) / mad)
    score[11] = 78  # z = -4.7: under the default threshold of 6, over 3.5
    v["score"] = score
    assert not check_quality(_scheme(), _data(v, 12)).by_code("outlier")
    assert check_quality(_scheme(), _data(v, 12), thresholds=Thresholds(outlier_z=3.5)).by_code("outlier")


def test_a_jump_against_the_units_own_previous_rounds():
    prev = {"2023": _data(_base(20, 1), 20, "2023"), "2024": _data(_base(20, 2), 20, "2024")}
    v = _base(20, 3)
    v["score"][5] = round(v["score"][5] / 10, 1)  # a digit dropped: 8.x instead of 8x
    rep = check_quality(_scheme(), _data(v, 20), previous=prev)
    jumps = rep.by_code("jump")
    assert [f.unit_id for f in rep.flags] == ["u05"] and rep.flags[0].code in ("outlier", "jump")
    assert not jumps or jumps[0].params["rounds"] == 2
    rep = check_quality(_scheme(), _data(v, 20), previous=prev, thresholds=Thresholds(outlier_z=1e9))
    assert [(f.code, f.unit_id) for f in rep.flags] == [("jump", "u05")]
    assert rep.flags[0].params["rounds"] == 2


def test_heaping_on_round_numbers():
    g = np.random.default_rng(5)
    n = 40
    heaped = [float(x) for x in g.choice([80, 85, 90, 95, 100], n)]
    heaped[:10] = list(np.round(g.uniform(80, 100, 10), 1))
    v = {**_base(n), "score": heaped}
    rep = check_quality(_scheme(), _data(v, n))
    h = rep.by_code("heaping")
    assert len(h) == 1 and h[0].indicator_id == "score" and h[0].level == "info"
    assert h[0].evidence["round_share"] >= 0.75
    assert not check_quality(_scheme(), _data(_base(n), n)).by_code("heaping")


def test_identical_units_are_twins():
    n = 20
    extra = [{"id": f"s{k}", "label": {"zh": f"指标{k}", "en": f"s{k}"}, "points": 0, "collector": "x",
              "rule": {"method": "linear", "floor": 0, "target": 100}} for k in range(4)]
    g = np.random.default_rng(9)
    v = _base(n)
    for k in range(4):
        v[f"s{k}"] = list(np.round(g.uniform(50, 100, n), 2))
    for key in ("rate", "score", "s0", "s1", "s2", "s3"):
        v[key][9] = v[key][2]  # unit 9 copied unit 2
    rep = check_quality(_scheme(extra), _data(v, n))
    twins = rep.by_code("twin_units")
    assert len(twins) == 1 and set(twins[0].evidence["units"]) == {"u02", "u09"}


def test_thresholds_are_checked():
    with pytest.raises(ValueError, match="alpha"):
        Thresholds(alpha=0)


@settings(max_examples=25)
@given(shift=st.floats(-50, 50), scale=st.floats(0.2, 5), seed=st.integers(0, 1000))
def test_outliers_do_not_depend_on_the_origin_or_the_unit_of_a_score(shift, scale, seed):
    g = np.random.default_rng(seed)
    score = np.round(g.normal(0, 1, 15), 2)
    score[4] = 40.0  # far beyond 6 robust deviations for any draw of 15 standard normals
    v0 = {**_base(15), "score": list(score)}
    v1 = {**_base(15), "score": list(np.round(score * scale + shift, 6))}
    a = {f.unit_id for f in check_quality(_scheme(), _data(v0, 15)).by_code("outlier")}
    b = {f.unit_id for f in check_quality(_scheme(), _data(v1, 15)).by_code("outlier")}
    assert a == b and "u04" in a
