"""The Dask executor on a local cluster, through the command line."""
from __future__ import annotations

import argparse
import json

import pytest

from . import minicity

pytest.importorskip("distributed")


def test_report_command_on_a_local_dask_cluster(tmp_path):
    from perfkit.report.cli import add_parser

    cfg = minicity.write_config(tmp_path, units=["D02", "B01"], langs=["en"])
    parser = argparse.ArgumentParser(prog="perfkit")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", str(cfg), "--out", str(tmp_path / "out"), "--jobs", "2",
                              "--executor", "dask", "--no-progress"])
    assert args.func(args) == 0
    m = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert m["executor"]["name"] == "dask" and m["summary"] == {
        "reports": 3, "ok": 3, "skipped": 0, "failed": 0, "evaluated": True}
    assert len({r["worker"] for r in m["reports"]}) >= 1
    assert (tmp_path / "out" / "feedback" / "en" / "D02_西城区.html").is_file()


def test_scheduler_needs_the_dask_executor(tmp_path):
    from perfkit.report.cli import add_parser

    parser = argparse.ArgumentParser(prog="perfkit")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", "x.yaml", "--out", str(tmp_path), "--scheduler", "tcp://h:8786"])
    with pytest.raises(SystemExit, match="needs --executor dask"):
        args.func(args)
