"""Runs of `perfkit report` into a folder used before: unit ids that sanitise alike get
their own files, a report that fails loses its old page, a second run into the same
folder is refused, and the code digest sees a change anywhere in the package."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from perfkit.report.batch import code_digest, run_batch

from . import minicity
from .conftest import broken_notebooks

ROOT = Path(__file__).resolve().parents[2]
QUIET = {"progress": False, "log": lambda s: None}


def _rename_units(folder: Path, rename: dict[str, tuple[str, str]]) -> None:
    """Give units of the mini city new ids and Chinese names (in every table)."""
    for name in ("units", "values", "survey", "adjustments"):
        path = folder / "data" / f"{name}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        if name == "units":
            for old, (_, zh) in rename.items():
                df.loc[df["unit_id"] == old, "name_zh"] = zh
        df["unit_id"] = df["unit_id"].replace({old: new for old, (new, _) in rename.items()})
        df.to_csv(path, index=False)


def test_units_whose_ids_sanitise_to_one_name_each_get_their_own_report(tmp_path):
    long_a, long_b = "d" * 299 + "1", "d" * 299 + "2"
    rename = {"D01": ("gov/x", "东城区"), "D02": ("gov_x", "东城区"), "D03": (long_a, "南湖区"),
              "D04": (long_b, "南湖区"), "B01": ("B01", "市财政局"), "B02": ("b01", "市财政局")}
    units = [new for new, _ in rename.values()]
    cfg = minicity.write_config(tmp_path, units=units, langs=["en"], notebooks=["unit_feedback"], previous=[])
    _rename_units(tmp_path, rename)
    result = run_batch(cfg, tmp_path / "out", jobs=2, **QUIET)
    assert result.count("ok") == 6 and not result.failed
    pages = sorted((tmp_path / "out" / "feedback" / "en").glob("*.html"))
    assert len({p.name.casefold() for p in pages}) == 6  # six files, also where case does not count
    shown = {re.search(r'name="perfkit-unit" content="([^"]*)"', p.read_text(encoding="utf-8")).group(1)
             for p in pages}
    assert {html.unescape(u) for u in shown} == set(units)  # each page shows its own unit
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert {r["unit"]: r["html"] for r in manifest["reports"]}["B01"] == next(
        p.relative_to(tmp_path / "out").as_posix() for p in pages if 'content="B01"' in p.read_text(encoding="utf-8"))


def test_a_report_that_fails_in_a_rerun_loses_its_old_page_and_its_link(tmp_path):
    cfg = minicity.write_config(tmp_path, units=["D01", "B02"], langs=["en"], notebooks=["unit_feedback"],
                                previous=[])
    out = tmp_path / "out"
    assert run_batch(cfg, out, **QUIET).ok
    old = out / "feedback" / "en" / "B02_市教育局.html"
    assert old.is_file()
    cfg = minicity.write_config(tmp_path, units=["D01", "B02"], langs=["en"], notebooks=["unit_feedback"],
                                previous=[], notebook_dir=str(broken_notebooks(tmp_path / "nb", "B02")))
    again = run_batch(cfg, out, **QUIET)
    assert [r.id for r in again.failed] == ["unit_feedback:en:B02"]
    assert not old.exists()  # no out-of-date page left to be read as this round's
    assert (out / "feedback" / "en" / "D01_东城区.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="feedback/en/B02_' not in index and 'href="feedback/en/D01_' in index
    assert "none (not produced in this run)" in index


def test_a_second_report_run_into_the_same_folder_is_refused_and_the_first_completes(tmp_path):
    cfg = minicity.write_config(tmp_path, units=["D01"], langs=["en"], notebooks=["unit_feedback"], previous=[])
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "perfkit", "report", str(cfg), "--out", str(out), "--no-progress"]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    owner = tmp_path / ".out.perfkit-staging" / ".owner.json"
    deadline = time.monotonic() + 120
    while not owner.is_file() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert owner.is_file(), first.communicate()
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 2 and "Traceback" not in second.stderr
    lines = second.stderr.splitlines()
    assert len(lines) == 1, second.stderr
    assert lines[0].startswith(f"perfkit: error: {out}: another perfkit run is writing this folder "
                               f"(pid {first.pid}, started ")
    assert f"report {cfg} --out {out}" in lines[0]
    assert lines[0].endswith("— wait until it has finished, or give another --out")
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["executor"]["pid"] == first.pid and manifest["summary"]["ok"] == 1


def test_the_code_digest_changes_with_every_subpackage_and_notebook(tmp_path):
    pkg, nbs = tmp_path / "perfkit", tmp_path / "notebooks"
    shutil.copytree(ROOT / "perfkit", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", nbs)
    base = code_digest(pkg, nbs)
    assert base == code_digest(pkg, nbs)
    (pkg / "__pycache__").mkdir(exist_ok=True)
    (pkg / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert code_digest(pkg, nbs) == base  # compiled files are not code
    subpackages = sorted(p.parent for p in pkg.rglob("__init__.py"))
    assert {p.name for p in subpackages} >= {"perfkit", "stages", "sensitivity", "engine", "report", "kernels"}
    seen = {base}
    for sub in subpackages:
        f = sorted(sub.glob("*.py"))[-1]
        text = f.read_text(encoding="utf-8")
        f.write_text(text + "\n# edited\n", encoding="utf-8")
        d = code_digest(pkg, nbs)
        assert d not in seen, f"editing {f.relative_to(tmp_path)} left the digest unchanged"
        seen.add(d)
        f.write_text(text, encoding="utf-8")
    assert code_digest(pkg, nbs) == base
    for f in [next(pkg.glob("i18n/*.yaml")), *sorted(nbs.glob("*.ipynb"))]:
        data = f.read_bytes()
        f.write_bytes(data + b"\n")
        assert code_digest(pkg, nbs) != base, f"editing {f.name} left the digest unchanged"
        f.write_bytes(data)
