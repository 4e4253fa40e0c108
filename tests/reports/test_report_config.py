"""ROUND_CONFIG is checked with clear errors naming the file and the key."""
from __future__ import annotations

import pytest
import yaml

from perfkit.report.config import ConfigError, load_config


def _write(city, tmp_path, **changes):
    cfg = yaml.safe_load((city / "report.yaml").read_text(encoding="utf-8"))
    cfg.update({"scheme": str(city / "scheme.yaml"), "data": str(city / "data")})
    for k, v in changes.items():
        if v is None:
            cfg.pop(k, None)
        else:
            cfg[k] = v
    path = tmp_path / "report.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def test_the_example_configs_are_valid():
    from perfkit.report.config import default_notebook_dir

    cfg = load_config(default_notebook_dir() / "configs" / "oecd_bli.yaml")
    assert cfg.round == "2015" and cfg.langs == ("zh", "en") and cfg.scheme_path().is_file()


def test_a_valid_config_resolves_paths_and_rounds(city):
    cfg = load_config(city / "report.yaml")
    assert cfg.rounds == ["2023", "2024", "2025"] and cfg.units == "all"
    assert cfg.data_path("2025").is_dir() and cfg.notebook_path("unit_feedback").is_file()


@pytest.mark.parametrize("changes, match", [
    ({"lang": ["zh"]}, r"report.yaml: lang: unknown key 'lang' \(did you mean 'langs'\?\)"),
    ({"scheme": None}, r"missing 'scheme'"),
    ({"scheme": "nowhere.yaml"}, r"scheme: scheme file not found for round 2023"),
    ({"data": "rounds/{round}"}, r"data: round data not found for round 2023"),
    ({"langs": ["zh", "fr"]}, r"langs.1: Input should be 'zh' or 'en'"),
    ({"langs": []}, r"name at least one language"),
    ({"previous": [2024, 2025]}, r"round 2025 is also listed in 'previous'"),
    ({"units": ["D01", "D01"]}, r"listed twice: D01"),
    ({"units": []}, r"give 'all' or at least one unit id"),
    ({"notebooks": ["unit_feedbak"]}, r"no notebook 'unit_feedbak' \(did you mean 'unit_feedback'\?\)"),
    ({"timeout": 0}, r"timeout: Input should be greater than 0"),
    ({"inputs": {"registry": "nowhere.yaml"}}, r"inputs.registry: input 'registry' not found: .*nowhere.yaml"),
    ({"inputs": {"bad name": "report.yaml"}}, r"input name 'bad name'"),
    ({"params": {"sensitivty": {"n": 10}}}, r"params for notebook\(s\) not in 'notebooks': sensitivty"),
])
def test_config_errors_name_the_key(city, tmp_path, changes, match):
    with pytest.raises(ConfigError, match=match):
        load_config(_write(city, tmp_path, **changes))


def test_inputs_and_params_reach_the_notebooks(city, tmp_path):
    from perfkit.report.batch import plan_jobs

    (tmp_path / "registry.yaml").write_text("a: 1\n")
    cfg = load_config(_write(city, tmp_path, inputs={"registry": "registry.yaml"},
                             notebooks=["round_report", "unit_feedback"], params={"round_report": {"top": 5}}))
    assert cfg.input_path("registry") == (tmp_path / "registry.yaml").resolve()
    jobs = plan_jobs(cfg, tmp_path / "out", None, [], "digest", "code")
    assert jobs and all(j.params["inputs"] == {"registry": str((tmp_path / "registry.yaml").resolve())} for j in jobs)
    assert [j.params.get("top") for j in jobs] == [5] * len(jobs)


def test_unknown_units_fail_before_any_notebook_runs(city, tmp_path):
    from perfkit.report.batch import run_batch

    path = _write(city, tmp_path, units=["D01", "D99"])
    with pytest.raises(ConfigError, match=r"units: unknown unit 'D99' \(did you mean 'D09'|units: unknown unit 'D99'"):
        run_batch(path, tmp_path / "out", progress=False, log=lambda s: None)
    assert not (tmp_path / "out" / "index.html").exists()


def test_a_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("scheme: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
