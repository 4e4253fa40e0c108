"""Design completeness from the scheme alone, and the scheme's indicator design fields."""
from __future__ import annotations

import pytest

import perfkit
from perfkit.analyses.indicators import ITEMS, design_completeness
from perfkit.errors import SchemeError


def _label(zh, en):
    return {"zh": zh, "en": en}


def scheme(**extra_on_hotline):
    """Two groups, four indicators: one declares everything, one qualitative with lists, one
    declares almost nothing, one survey (implied unit and direction)."""
    hotline = {"id": "hotline", "label": _label("热线办结率", "Hotline"), "points": 10, "unit": "%",
               "direction": "higher", "collector": "hotline_centre", "frequency": "monthly", "baseline": 92.0,
               "dimensions": ["quantity", "time"],
               "definition": _label("按时办结件数/受理件数", "On time / received"),
               "rule": {"method": "linear", "floor": 80, "target": 98}, **extra_on_hotline}
    party = {"id": "party", "label": _label("党建工作", "Party building"), "points": 10, "kind": "qualitative",
             "collector": "party_org", "negative_list": [_label("未按期换届", "Late election")],
             "rule": {"method": "grade_map", "mapping": {"A": 1.0, "B": 0.8}}}
    bare = {"id": "bare", "label": _label("其他", "Other"), "points": 10, "normalise": "minmax"}
    return perfkit.load_scheme({
        "id": "d", "label": _label("方案", "Scheme"), "paradigm": "points",
        "structure": {"id": "total", "label": _label("总分", "Total"), "points": 100, "children": [
            {"id": "common", "label": _label("共性", "Common"), "points": 30,
             "duty": _label("依法行政", "Rule of law (statute)"), "children": [hotline, party, bare]},
            {"id": "sat", "label": _label("满意度", "Satisfaction"), "points": 70, "source": "survey"}]},
        "survey": {"items": ["q1"], "groups": {"citizen": 1.0}}})


def test_checklist_by_hand():
    d = design_completeness(scheme())
    c = d.checklist
    assert list(c.index) == ["hotline", "party", "bare", "sat"]
    # hotline declares all 8 items that apply to a quantitative indicator (lists do not apply)
    assert c.loc["hotline", list(ITEMS)].tolist() == [True] * 7 + [None, True] and c.loc["hotline", "share"] == 1.0
    # party: qualitative, so no direction or dimensions; it has a collector, a target (the grade
    # mapping), a negative list, the duty of its parent; no definition, unit, frequency: 4 of 7
    assert c.loc["party", "direction"] is None and c.loc["party", "dimensions"] is None
    assert c.loc["party", ["target", "collector", "lists", "duty"]].tolist() == [True] * 4
    assert c.loc["party", "share"] == pytest.approx(4 / 7)
    # bare: min-max (no target), only the inherited duty: 1 of 8
    assert not c.loc["bare", "target"] and c.loc["bare", "share"] == pytest.approx(1 / 8)
    # survey: unit and direction implied; target set by the default 0-100 rule; nothing else: 3 of 8
    assert c.loc["sat", ["unit", "direction", "target"]].tolist() == [True] * 3
    assert c.loc["sat", "share"] == pytest.approx(3 / 8)
    # scheme: (8 + 4 + 1 + 3) declared of (8 + 7 + 8 + 8) applicable
    assert d.share == pytest.approx(16 / 31)
    assert d.missing_everywhere == ()
    assert d.item_shares()["definition"] == pytest.approx(1 / 4)


def test_the_demo_city_scheme_lacks_definitions_frequencies_tags_lists_and_duties():
    ds = perfkit.datasets.load("demo_city", round="2025")
    d = design_completeness(ds.scheme)
    assert set(d.missing_everywhere) == {"definition", "frequency", "dimensions", "lists", "duty"}
    assert 0.3 < d.share < 0.5
    assert "demo_city_2025" in repr(d) and "<table" in d._repr_html_()


@pytest.mark.parametrize("field, value, message", [
    ("frequency", "weekly", "'weekly' is not allowed"),
    ("baseline", float("inf"), "baseline must be a finite number"),
    ("task_list", [{"zh": "只有中文"}], "task_list[0].en: required key is missing"),
    ("duty", "依法行政", "duty"),
])
def test_bad_design_fields_are_located(field, value, message):
    with pytest.raises(SchemeError, match="children\\[0\\]\\(common\\).children\\[0\\]\\(hotline\\)") as err:
        scheme(**{field: value})
    assert message in str(err.value)


def test_indicator_design_fields_on_an_aggregate_are_refused():
    raw = scheme().to_dict()
    raw["structure"]["children"][0]["frequency"] = "yearly"
    with pytest.raises(SchemeError, match="frequency: only an indicator"):
        perfkit.load_scheme(raw)
