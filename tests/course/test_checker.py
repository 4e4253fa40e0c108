"""The checker: accepts within the tolerance, rejects beyond it, says why, never stores the answer."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from perfkit.course.check import MIME, Checker, digest, load_specs
from perfkit.course.meta import CourseError

SPECS = {
    "num": {"kind": "number", "tolerance": 0.01, "hint": {"zh": "提示", "en": "hint"},
            "mistakes": {"final": {"zh": "用了综合得分", "en": "used the final score"}}},
    "int": {"kind": "integer", "hint": {"zh": "提示", "en": "hint"}},
    "txt": {"kind": "text", "hint": {"zh": "提示", "en": "hint"}},
    "set": {"kind": "set", "hint": {"zh": "提示", "en": "hint"}},
    "seq": {"kind": "sequence", "hint": {"zh": "提示", "en": "hint"}},
    "map": {"kind": "mapping", "tolerance": 0.001, "hint": {"zh": "提示", "en": "hint"}},
}
ANSWERS = {"num": 84.5698, "int": 6, "txt": "proposals", "set": ["gov_civil", "gov_commerce", "inst_post"],
           "seq": ["a", "b", "c"], "map": {"x": 0.25, "y": 0.75}}


@pytest.fixture()
def keyed(tmp_path):
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "mx.yaml").write_text(yaml.safe_dump(SPECS, allow_unicode=True), encoding="utf-8")
    rec = Checker("mx", round=2025, lang="en", answers=tmp_path / "keys", record=True, checks=tmp_path / "checks")
    for k, v in ANSWERS.items():
        assert rec.verify(k, v).outcome == "recorded"
    rec.mistake("num", 86.07, "final")
    return lambda lang="en": Checker("mx", round=2025, lang=lang, answers=tmp_path / "keys", checks=tmp_path / "checks")


def test_recorded_answers_are_accepted(keyed):
    ck = keyed()
    for k, v in ANSWERS.items():
        assert ck.verify(k, v).outcome == "correct", k


def test_a_number_is_accepted_within_its_tolerance_and_rejected_beyond_twice_it(keyed):
    ck = keyed()
    assert ck.verify("num", 84.5698 + 0.009).ok
    assert ck.verify("num", np.float64(84.57)).ok
    assert ck.verify("num", pd.Series([84.5698])).ok
    assert not ck.verify("num", 84.5698 + 0.021).ok
    assert not ck.verify("num", 84.5698 - 0.021).ok


def test_a_typical_mistake_is_recognised_with_its_own_hint(keyed):
    r = keyed().verify("num", 86.07)
    assert (r.outcome, r.mistake, r.ok) == ("mistake", "final", False)
    assert r.hints == ("used the final score",)
    assert keyed("zh").verify("num", 86.07).hints == ("用了综合得分",)


def test_wrong_answers_get_the_generic_hint_and_a_reason_when_one_is_seen(keyed):
    ck = keyed()
    r = ck.verify("num", 8456.98)  # a percentage for a share, or the reverse
    assert r.outcome == "wrong" and "factor of 100" in r.hints[0] and r.hints[-1] == "hint"
    assert "sign" in ck.verify("num", -84.5698).hints[0]
    r = ck.verify("set", ["gov_civil", "gov_police"])
    assert r.outcome == "wrong" and "3 items: 1 of yours are right, 1 are not" in r.hints[0]
    assert "wrong order" in ck.verify("seq", ["c", "b", "a"]).hints[0]
    assert "x" in ck.verify("map", {"x": 0.3, "y": 0.75}).hints[0]
    assert "the answer has 2" in ck.verify("map", {"x": 0.25}).hints[0]
    assert not ck.verify("int", 7).ok and not ck.verify("txt", "hotline").ok


def test_sets_ignore_order_and_text_ignores_case_and_spaces(keyed):
    ck = keyed()
    assert ck.verify("set", ("inst_post", "gov_commerce", "gov_civil")).ok
    assert ck.verify("set", pd.Index(["inst_post", "gov_commerce", "gov_civil"])).ok
    assert ck.verify("txt", "  Proposals ").ok
    assert ck.verify("map", pd.Series({"y": 0.7502, "x": 0.2499})).ok


def test_unanswered_and_wrongly_typed_answers_say_so(keyed):
    ck = keyed()
    assert ck.verify("num", ...).outcome == "unanswered"
    assert ck.verify("num", None).outcome == "unanswered"
    assert ck.verify("num", "84.57").outcome == "wrong_kind"
    assert ck.verify("set", "gov_civil").outcome == "wrong_kind"
    assert ck.verify("int", 6.5).outcome == "wrong_kind"


def test_a_round_without_a_key_says_how_to_record_one(keyed, tmp_path):
    ck = Checker("mx", round=2024, lang="en", answers=tmp_path / "keys", checks=tmp_path / "checks")
    r = ck.verify("num", 84.57)
    assert r.outcome == "no_key" and "perfkit course keys --round 2024" in r.message


def test_the_key_file_holds_no_answer(keyed, tmp_path):
    text = (tmp_path / "keys" / "mx.json").read_text(encoding="utf-8")
    for needle in ("84.5", "8457", "proposals", "gov_civil", "0.25", "0.75", '"6"'):
        assert needle not in text
    assert json.loads(text)["2025"]["num"]["mistakes"]["final"]


def test_a_digest_depends_on_the_exercise_so_equal_answers_do_not_look_alike():
    spec = load_specs("m01")["satisfaction_points"]
    assert digest(spec, "m01.a", 15) != digest(spec, "m01.b", 15)


def test_the_outcome_travels_with_the_notebook_output(keyed):
    bundle = keyed().verify("num", 84.57)._repr_mimebundle_()
    assert bundle[MIME]["outcome"] == "correct" and "text/html" in bundle


def test_a_mistake_the_checker_would_accept_fails_the_solution(keyed):
    with pytest.raises(AssertionError, match="not recognised"):
        keyed().mistake("num", 84.5698, "final")


def test_bad_declarations_are_refused_with_the_file_and_the_exercise(tmp_path):
    (tmp_path / "mbad.yaml").write_text("e1: {kind: number, hint: {zh: a, en: b}}\n", encoding="utf-8")
    with pytest.raises(CourseError, match=r"mbad.yaml: e1: tolerance: a number answer needs a tolerance"):
        load_specs("mbad", tmp_path)
    (tmp_path / "mbad2.yaml").write_text("e1: {kind: nmber, hint: {zh: a, en: b}}\n", encoding="utf-8")
    with pytest.raises(CourseError, match=r"mbad2.yaml: e1.kind"):
        load_specs("mbad2", tmp_path)
