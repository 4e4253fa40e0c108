"""environment.yml (conda) must list the same dependencies as pyproject.toml (pip)."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# pip name -> conda-forge name where they differ
CONDA_NAME = {"salib": "salib", "dask[distributed]": None}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;]", req.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in py["dependencies"]}
    for extra in py["optional-dependencies"].values():
        pip_names |= {_name(r) for r in extra}
    expected = set()
    for n in pip_names:
        if n == "dask[distributed]":
            expected |= {"dask", "distributed"}
        else:
            expected.add(CONDA_NAME.get(n, n))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == expected, f"only in environment.yml: {conda - expected}; only in pyproject: {expected - conda}"


def test_environment_yml_versions_match_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(py["dependencies"]) + [r for e in py["optional-dependencies"].values() for r in e]
    pins = {_name(r): r[len(_name(r)):].strip() for r in reqs if not r.startswith("dask")}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    for d in env["dependencies"]:
        if isinstance(d, str) and _name(d) in pins:
            assert d[len(_name(d)):].strip() == pins[_name(d)], d
