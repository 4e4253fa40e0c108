"""Bad schemes: each error names the file, the YAML path and what is wrong, with a "did you
mean" hint for misspelt keys, ids and method names. A scheme is data: YAML tags that would
build Python objects are refused, and strings that look like code are never evaluated."""
from __future__ import annotations

import contextlib
import copy

import pytest
import yaml

from perfkit import evaluate, load_round, load_scheme
from perfkit.errors import PerfkitError, SchemeError

GROWTH = "structure.children[0](work).children[0](growth)"
WORK = "structure.children[0](work)"


def _growth(d):
    return d["structure"]["children"][0]["children"][0]


def _error(write_scheme, d) -> tuple[str, str]:
    """Load ``d`` from a file; return (file, message) of the SchemeError."""
    path = write_scheme(d)
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    return str(path), str(info.value)


def test_valid_tiny_scheme_loads(scheme_path):
    scheme = load_scheme(scheme_path)
    assert scheme.id == "tiny_city"
    assert list(scheme.leaves) == ["growth", "hotline", "satisfaction", "safety"]


# ----------------------------------------------------------------- misspelt names
def test_misspelt_node_key_names_path_and_suggests_aggregate(write_scheme, scheme_dict):
    work = scheme_dict["structure"]["children"][0]
    work["agregate"] = work.pop("aggregate")
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {WORK}.agregate: ")
    assert "unknown key 'agregate' (did you mean 'aggregate'?)" in msg


def test_misspelt_top_level_key_suggests_grading(write_scheme, scheme_dict):
    scheme_dict["gradng"] = scheme_dict.pop("grading")
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: gradng: ")
    assert "did you mean 'grading'?" in msg


def test_misspelt_normalise_method_suggests_minmax(write_scheme, scheme_dict):
    leaf = _growth(scheme_dict)
    del leaf["rule"]
    leaf["normalise"] = "minmaxx"
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.normalise")
    assert "unknown normalise method 'minmaxx' (did you mean 'minmax'?)" in msg


def test_misspelt_rule_method_suggests_completion(write_scheme, scheme_dict):
    _growth(scheme_dict)["rule"]["method"] = "completon"
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.rule")
    assert "unknown scoring rule method 'completon' (did you mean 'completion'?)" in msg


def test_misspelt_rule_parameter_suggests_cap(write_scheme, scheme_dict):
    rule = _growth(scheme_dict)["rule"]
    rule["capp"] = rule.pop("cap")
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.rule")
    assert "'completion' has no parameter 'capp' (did you mean 'cap'?)" in msg
    assert "its parameters are: target, cap" in msg


@pytest.mark.parametrize(("edit", "path"), [
    (lambda rule: rule.update(method="completon"), f"{GROWTH}.rule.method"),
    (lambda rule: rule.update(capp=rule.pop("cap")), f"{GROWTH}.rule.capp"),
], ids=["method", "parameter"])
def test_method_errors_name_one_dotted_yaml_path(write_scheme, scheme_dict, edit, path):
    edit(_growth(scheme_dict)["rule"])
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {path}: ")


def test_misspelt_paradigm_value_suggests_points(write_scheme, scheme_dict):
    scheme_dict["paradigm"] = "point"
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: paradigm: ")
    assert "did you mean 'points'?" in msg


def test_unknown_category_in_node_suggests_declared_one(write_scheme, scheme_dict):
    _growth(scheme_dict)["categories"] = ["distrct"]
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.categories: ")
    assert "unknown category 'distrct' (did you mean 'district'?)" in msg


def test_unknown_special_assessment_suggests_declared_one(write_scheme, scheme_dict):
    scheme_dict["structure"]["children"][2]["assessment"] = "safety_chek"
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: structure.children[2](safety).assessment: ")
    assert "did you mean 'safety_check'?" in msg


def test_unknown_grading_category_suggests_declared_one(write_scheme, scheme_dict):
    scheme_dict["grading"]["by_category"] = {"bureaus": [{"id": "ok"}]}
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: grading.by_category.bureaus: ")
    assert "did you mean 'bureau'?" in msg


def test_missing_required_key_names_its_path(write_scheme, scheme_dict):
    del _growth(scheme_dict)["label"]["en"]
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.label.en: required key is missing")


# ----------------------------------------------------------------- numbers
def test_children_points_not_summing_to_parent_names_both_totals(write_scheme, scheme_dict):
    _growth(scheme_dict)["points"] = 35  # 35 + 30 != 70
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {WORK}.points: ")
    assert "children's points add up to 65, but the node has 70" in msg


def test_negative_points_are_refused(write_scheme, scheme_dict):
    _growth(scheme_dict)["points"] = -40
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.points: ")
    assert "must be >= 0 (got -40)" in msg


def test_negative_weight_is_refused(write_scheme, scheme_dict):
    _growth(scheme_dict)["weight"] = -1
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.weight: ")
    assert "must be >= 0 (got -1)" in msg


def test_negative_survey_group_weight_is_refused(write_scheme, scheme_dict):
    scheme_dict["survey"]["groups"]["firms"] = -0.3
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: survey.groups: ")
    assert "'firms': -0.3" in msg


def test_negative_penalty_cap_is_refused(write_scheme, scheme_dict):
    scheme_dict["adjustments"]["penalty"]["cap"] = -5
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: adjustments.penalty.cap: ")
    assert "greater than or equal to 0" in msg


def test_text_where_points_belong_is_refused(write_scheme, scheme_dict):
    _growth(scheme_dict)["points"] = "forty"
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.points: ")
    assert "valid number" in msg


def test_declared_range_upside_down_is_refused(write_scheme, scheme_dict):
    _growth(scheme_dict)["range"] = [100, 0]
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.range: ")


# ----------------------------------------------------------------- the file itself
def test_invalid_yaml_syntax_names_the_line(write_scheme):
    text = "id: tiny\nparadigm: points\nlabel: {zh: 小, en: tiny\nstructure: {}\n"
    path = write_scheme(text=text)
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: line 4, column 10: not valid YAML")


def test_scheme_that_is_not_a_mapping_is_refused(write_scheme):
    path = write_scheme(text="- id: a\n- id: b\n")
    with pytest.raises(SchemeError, match="must be a YAML mapping") as info:
        load_scheme(path)
    assert str(path) in str(info.value)


def test_missing_scheme_file_is_named(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(SchemeError, match="file not found") as info:
        load_scheme(path)
    assert str(path) in str(info.value)


# ----------------------------------------------------------------- data, never code
PYTHON_TAGS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:subprocess.check_call [["touch", "{marker}"]]',
    '!!python/object/new:os.system ["touch {marker}"]',
    "!!python/name:os.system",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS, ids=["apply-os.system", "apply-subprocess", "new", "name"])
def test_python_yaml_tags_are_refused_and_never_run(write_scheme, scheme_dict, tmp_path, tag):
    marker = tmp_path / "hacked"
    text = yaml.safe_dump(scheme_dict, allow_unicode=True, sort_keys=False)
    text = text.replace("id: tiny_city", "id: " + tag.format(marker=marker), 1)
    path = write_scheme(text=text)
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    assert str(path) in str(info.value)
    assert "line 1" in str(info.value)
    assert "python/" in str(info.value)
    assert not marker.exists()


def test_python_yaml_tag_message_says_tags_are_not_allowed(write_scheme, tmp_path):
    path = write_scheme(text=f'id: !!python/object/apply:os.system ["touch {tmp_path / "x"}"]\n')
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    msg = str(info.value)
    assert "syntax" not in msg
    assert "not allowed" in msg


CODE = "__import__('os').system('touch {marker}')"


def test_code_in_a_label_is_kept_as_plain_text(write_scheme, scheme_dict, tmp_path):
    marker = tmp_path / "hacked"
    _growth(scheme_dict)["label"]["en"] = CODE.format(marker=marker)
    scheme = load_scheme(write_scheme(scheme_dict))
    assert scheme.label("growth", "en") == CODE.format(marker=marker)
    assert not marker.exists()


@pytest.mark.parametrize("param", ["cap", "target"])
def test_code_as_a_rule_parameter_is_never_evaluated(write_scheme, scheme_dict, round_dir, tmp_path, param):
    marker = tmp_path / "hacked"
    _growth(scheme_dict)["rule"][param] = CODE.format(marker=marker)
    with contextlib.suppress(Exception):
        evaluate(load_scheme(write_scheme(scheme_dict)), load_round(round_dir))
    assert not marker.exists()


@pytest.mark.parametrize("param", ["cap", "target"])
def test_code_as_a_rule_parameter_is_refused_when_the_scheme_is_loaded(write_scheme, scheme_dict, tmp_path,
                                                                      param):
    _growth(scheme_dict)["rule"][param] = CODE.format(marker=tmp_path / "hacked")
    file, msg = _error(write_scheme, scheme_dict)
    assert msg.startswith(f"{file}: {GROWTH}.rule.{param}: ")


def test_scheme_set_refuses_addresses_that_are_not_in_the_scheme(scheme_path):
    scheme = load_scheme(scheme_path)
    before = copy.deepcopy(scheme.to_dict())
    for address in ("__class__", "nodes.__class__.__init__", "structure.__dict__"):
        with pytest.raises(PerfkitError):
            scheme.set(address, "__import__('os')")
    assert scheme.to_dict() == before
