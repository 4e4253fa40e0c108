"""The review on small hand-made tables: each rule fires where it should and nowhere else,
the statistics are the hand-computed ones, and bad input gives warnings, never a traceback
and never a NaN shown as a finding."""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import perfkit
from perfkit.analyses.indicators import RULES, Thresholds, review
from perfkit.analyses.indicators import tables as tb
from perfkit.errors import PerfkitError
from perfkit.i18n import has
from perfkit.io.round import RoundData

ROOT = Path(__file__).resolve().parents[2]
N = 20
L = np.array([7, 14, 3, 18, 1, 11, 20, 9, 5, 16, 2, 13, 19, 8, 4, 15, 10, 17, 6, 12], dtype=float)
NOISE = np.array([.3, -.2, .1, -.4, .2, 0, -.1, .4, -.3, .1, .2, -.2, .3, -.1, 0, .1, -.3, .2, -.4, .3])


def _label(s):
    return {"zh": s, "en": s}


def small(values: dict[str, np.ndarray], groups: dict[str, list[str]], *, directions=None, n=N,
          categories=None) -> perfkit.engine.Evaluation:
    directions = directions or {}
    units = pd.DataFrame({"unit_id": [f"U{i:02d}" for i in range(n)], "name_zh": [f"单位{i}" for i in range(n)],
                          "name_en": [f"Unit {i}" for i in range(n)],
                          "category": categories if categories is not None else "dept"})
    rows = [{"unit_id": u, "indicator_id": k, "value": float(x)} for k, v in values.items()
            for u, x in zip(units["unit_id"], v) if np.isfinite(x)]
    kids = [{"id": g, "label": _label(g), "aggregate": "arithmetic", "children": [
        {"id": i, "label": _label(i), "normalise": "minmax",
         **({"direction": directions[i]} if i in directions else {})}
        for i in ids]} for g, ids in groups.items()]
    cats = sorted(set(units["category"]))
    s = perfkit.load_scheme({"id": "small", "label": _label("small"), "paradigm": "composite",
                             "categories": [{"id": c, "label": _label(c)} for c in cats],
                             "structure": {"id": "root", "label": _label("root"), "aggregate": "arithmetic",
                                           "children": kids}})
    return perfkit.evaluate(s, RoundData.from_frames(units=units, values=pd.DataFrame(rows)))


@pytest.fixture(scope="module")
def hand():
    """a ~ L; b = a + tiny noise (duplicate); c: 19 of 20 at the top (ceiling); d constant;
    e = -L declared higher (contradicted); f = L + noise; g never reported."""
    vals = {"a": L, "b": L + 0.01 * NOISE, "c": np.r_[np.full(19, 5.0), 1.0], "d": np.full(N, 7.0),
            "e": 21 - L + NOISE, "f": L + 8 * NOISE, "g": np.full(N, np.nan)}
    ev = small(vals, {"g1": ["a", "b", "c"], "g2": ["d", "e", "f", "g"]})
    return ev, review(ev, thresholds={"min_units_effect": 10})


def test_rules_fire_where_the_table_says_and_nowhere_else(hand):
    _, rv = hand
    # c varies in one unit only: it also weighs less than its points; g is never reported
    assert rv.flagged == {"b": ("ind_redundant",), "a": ("ind_redundant",), "c": ("ind_ceiling", "ind_weight_low"),
                          "d": ("ind_constant",), "e": ("ind_direction",), "g": ("ind_missing",)}
    merge = next(r for r in rv.recommendations if r.rule == "ind_redundant")
    assert (merge.subject, merge.other, merge.action) == ("b", "a", "merge")  # equal weights: the later one
    assert next(r for r in rv.recommendations if r.subject == "d").action == "drop"
    assert {r.subject for r in rv.recommendations if r.action == "keep"} == {"f"}


def test_discrimination_and_distribution_are_the_hand_computed_ones(hand):
    ev, rv = hand
    d = rv.discrimination.set_index("indicator")
    # c: min-max scores 100 for 19 units, 0 for one
    assert d.loc["c", "full"] == pytest.approx(0.95) and d.loc["c", "zero"] == pytest.approx(0.05)
    assert d.loc["c", "distinct"] == 2 and d.loc["d", "distinct"] == 1
    s = ev.scores["a"].to_numpy()
    assert d.loc["a", "cv"] == pytest.approx(s.std(ddof=1) / s.mean())
    dist = rv.distribution.set_index("indicator")
    # g has no value at all: missing share 1; the constant has no skewness (no spread)
    assert dist.loc["g", "missing"] == 1.0 and np.isnan(dist.loc["d", "skew"])
    # skewness of e's raw values, COINr type 2 (Excel SKEW), by formula
    x = ev.raw["e"].to_numpy()
    dd = x - x.mean()
    g1 = (dd**3).mean() / (dd**2).mean() ** 1.5 * math.sqrt(N * (N - 1)) / (N - 2)
    assert dist.loc["e", "skew"] == pytest.approx(g1)


def test_evidence_is_the_declared_threshold_and_the_measured_value(hand):
    ev, rv = hand
    rec = {r.rule: r for r in rv.recommendations if r.rule}
    assert rec["ind_ceiling"].threshold == 0.9 and rec["ind_ceiling"].value == pytest.approx(0.95)
    assert rec["ind_redundant"].value == pytest.approx(np.corrcoef(ev.scores["a"], ev.scores["b"])[0, 1])
    # direction: Spearman of e with the final score without e (re-aggregated from the others)
    d = rv.direction.set_index("indicator").loc["e"]
    assert d["rho_final"] < -0.9 and d["rho_parent"] < 0 and rec["ind_direction"].threshold == -0.3
    for r in rv.recommendations:
        if r.rule:
            assert np.isfinite(r.value) and "nan" not in r.reason("zh").lower() and "nan" not in r.reason("en")


def test_rest_of_the_final_score_is_the_score_without_the_indicator(hand):
    ev, _ = hand
    from perfkit.analyses.indicators.collect import RoundView  # the view is private to the review
    v = RoundView("1", ev)
    parent, final = v.rest["e"]
    # g2 without e: mean of d and f (g is missing everywhere), then root = mean(g1, g2')
    d, f = ev.scores["d"].to_numpy(), ev.scores["f"].to_numpy()
    g2 = np.nanmean(np.c_[d, f], axis=1)
    assert parent == pytest.approx(g2)
    assert final == pytest.approx((ev.nodes["g1"].to_numpy() + g2) / 2)


def test_degenerate_input_gives_warnings_not_findings(hand):
    _, rv = hand
    codes = {(w.code, w.subject) for w in rv.warnings}
    assert ("ind_w_constant", "d") in codes and ("ind_w_no_values", "g") in codes
    assert ("ind_w_one_round", "1") in codes or any(w.code == "ind_w_one_round" for w in rv.warnings)
    for w in rv.warnings:
        assert "nan" not in w.text("en").lower() and w.text("zh")


def test_fewer_units_than_indicators_in_a_group():
    rng = np.random.default_rng(0)
    vals = {f"x{i}": rng.normal(size=4) + 10 for i in range(5)}
    ev = small(vals, {"g": list(vals)}, n=4)
    rv = review(ev)
    assert any(w.code == "ind_w_too_few_units" and w.subject == "g" for w in rv.warnings)
    assert rv.structure.set_index("group").loc["g", "n"] == 4
    assert all(r.action == "keep" or np.isfinite(r.value) for r in rv.recommendations)
    assert any(w.code == "ind_w_few_units" for w in rv.warnings)  # 4 units: no correlation is judged


def test_two_units_and_a_single_category_of_one_unit_do_not_break_the_review():
    ev = small({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 1.0])}, {"g": ["a", "b"]}, n=2)
    rv = review(ev)
    assert len(rv.recommendations) == 2 and rv.to_frame().shape[0] == 2
    ev = small({"a": L, "b": L[::-1]}, {"g": ["a", "b"]}, categories=["solo"] + ["dept"] * (N - 1))
    assert review(ev).provenance["within_category"] is True


def test_grades_outside_the_mapping_are_warned_about_and_counted():
    s, data = perfkit.datasets.examples.tiny_points()
    raw = s.to_dict()
    common = raw["structure"]["children"][1]["children"]
    common.append({"id": "party", "label": _label("党建"), "points": 0, "kind": "qualitative",
                   "rule": {"method": "grade_map", "mapping": {"A": 1.0, "B": 0.8}}})
    common[0]["points"] = 15
    party = pd.DataFrame({"unit_id": data.units["unit_id"], "indicator_id": "party",
                          "value": ["A", "B", "A", "A", "B", "A"], "_file": "<memory>", "_sheet": "values"})
    values = pd.concat([data.values, party], ignore_index=True)
    values["_row"] = values.index + 2
    ev = perfkit.evaluate(perfkit.load_scheme(raw), data.replace(values=values))
    # a grade the mapping does not know reaches the review (e.g. a later mapping, or an edited table)
    text = ev.text.copy()
    text.loc["U6", "party"] = "E"
    rv = review(dataclasses.replace(ev, text=text))
    w = next(w for w in rv.warnings if w.code == "ind_w_grade_outside")
    assert w.subject == "party" and w.params["grades"] == "E" and w.params["n"] == 1
    assert "E" in w.text("zh") and "mapping" in w.text("en")
    g = rv.grades.set_index("grade")
    assert g.loc["E", "count"] == 1 and not g.loc["E", "in_mapping"] and g.loc["A", "count"] == 3


def test_thresholds_are_checked_and_named():
    with pytest.raises(PerfkitError, match="did you mean 'corr'"):
        review(small({"a": L}, {"g": ["a"]}), thresholds={"cor": 0.8})
    with pytest.raises(PerfkitError, match="full_share"):
        Thresholds(full_share=1.5)
    with pytest.raises(PerfkitError, match="rounds"):
        Thresholds(rounds=1.0)
    with pytest.raises(PerfkitError, match="at least one"):
        review([])
    with pytest.raises(PerfkitError, match="expected an Evaluation"):
        review(["not an evaluation"])


def test_a_rule_fires_only_in_a_majority_of_the_rounds_judged():
    base = {"a": L, "b": L + 0.01 * NOISE, "c": 21 - L + NOISE}
    other = {"a": L, "b": NOISE * 10 + 10, "c": 21 - L + NOISE}  # b no longer duplicates a
    evs = {str(y): small(v, {"g": ["a", "b", "c"]}) for y, v in ((2023, base), (2024, other), (2025, base))}
    rv = review(evs)
    assert "ind_redundant" in rv.flagged.get("b", ())  # 2 of 3 rounds
    rv2 = review({"2023": evs["2023"], "2024": evs["2024"]})
    assert "ind_redundant" not in rv2.flagged.get("b", ())  # 1 of 2 is not a majority
    dec = rv.decisions.set_index(["indicator", "rule"]).loc[("b", "redundant")]
    assert dec["fired"] == 2 and dec["judged"] == 3 and set(dec["values"]) == {"2023", "2024", "2025"}


def test_result_is_frozen_and_shows_itself(hand):
    _, rv = hand
    with pytest.raises(dataclasses.FrozenInstanceError):
        rv.rounds = ()
    df = rv.to_frame()
    assert df.loc["d", "action"] == "drop" and df.loc["a", "action"] == "merge" and df.loc["f", "action"] == "keep"
    html = rv._repr_html_()
    assert "<table" in html and "Indicator review" in html and "IndicatorReview(" in repr(rv)


def test_people_tables_are_in_one_language_with_no_codes_or_nan(hand):
    _, rv = hand
    for name in ("alerts", "recommendations", "design", "discrimination", "grades", "distribution", "pairs",
                 "structure", "direction", "stability", "weights", "changes", "rules", "warnings"):
        for lang in ("zh", "en"):
            df = getattr(tb, name)(rv, lang)
            text = df.to_string()
            assert "nan" not in text.lower().replace("nanjing", ""), (name, lang)


def test_every_catalogue_key_the_review_uses_exists():
    key = re.compile(r"""["']((?:ind|rule|alert|action|chart\.ind)\.[a-z_.]+)["']""")
    files = [*(ROOT / "perfkit" / "analyses" / "indicators").glob("*.py"),
             ROOT / "perfkit" / "charts" / "indicators.py", ROOT / "notebooks" / "indicator_review.ipynb"]
    used = {k for p in files for k in key.findall(p.read_text(encoding="utf-8")) if not k.endswith(".")}
    assert len(used) > 15
    assert not sorted(k for k in used if not has(k))
    for rule in RULES:
        assert has(f"rule.ind_{rule}") and has(f"ind.rule.{rule}") and has(f"ind.rule_text.{rule}")


def test_charts_render_offline_in_both_languages(hand):
    from perfkit.charts import to_svg  # deferred: Altair/vl-convert only for this test
    from perfkit.charts.indicators import correlation_chart, discrimination_chart, weight_chart
    _, rv = hand
    for lang in ("zh", "en"):
        for chart in (correlation_chart(rv, lang=lang), discrimination_chart(rv, lang=lang),
                      weight_chart(rv, lang=lang)):
            svg = to_svg(chart)
            assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org", "")
