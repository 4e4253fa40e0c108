"""Fixtures for the engine's bad-input tests: a tiny, valid points scheme and round folder,
written to ``tmp_path`` so that each test can break exactly one thing.

The scheme (100 points) has two categories (district, bureau), two indicators scored by
rules and carrying a declared ``range``, a satisfaction survey, a special assessment, a
bonus / penalty / veto section and a grading table. The round has three units, every value
the scheme asks for, a survey with both respondent groups, a special result and one
adjustment of each kind. ``perfkit validate`` finds no errors in it.

Tables are lists of rows, header first, so ``tables["values"][i]`` is row ``i + 1`` of
``values.csv`` as a person sees it in Excel (header = row 1, first data row = row 2).
"""
from __future__ import annotations

import copy
import csv
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

TINY_SCHEME: dict[str, Any] = {
    "id": "tiny_city",
    "label": {"zh": "小城绩效考核", "en": "Tiny city performance"},
    "paradigm": "points",
    "total_points": 100,
    "categories": [
        {"id": "district", "label": {"zh": "区县", "en": "Districts"}},
        {"id": "bureau", "label": {"zh": "市直部门", "en": "Bureaus"}},
    ],
    "structure": {
        "id": "total",
        "label": {"zh": "总分", "en": "Total"},
        "points": 100,
        "aggregate": "arithmetic",
        "children": [
            {
                "id": "work",
                "label": {"zh": "重点工作", "en": "Key work"},
                "points": 70,
                "aggregate": "arithmetic",
                "children": [
                    {"id": "growth", "label": {"zh": "增长率", "en": "Growth"}, "points": 40,
                     "unit": "%", "range": [0, 100],
                     "rule": {"method": "completion", "target": 10, "cap": 1.0}},
                    {"id": "hotline", "label": {"zh": "热线办结率", "en": "Hotline closure"}, "points": 30,
                     "unit": "%", "range": [0, 100],
                     "rule": {"method": "linear", "floor": 50, "target": 100}},
                ],
            },
            {"id": "satisfaction", "label": {"zh": "满意度", "en": "Satisfaction"}, "points": 20,
             "source": "survey"},
            {"id": "safety", "label": {"zh": "安全生产", "en": "Work safety"}, "points": 10,
             "source": "special", "assessment": "safety_check"},
        ],
    },
    "survey": {
        "items": ["q1", "q2"],
        "scale": [1, 5],
        "groups": {"residents": 0.7, "firms": 0.3},
        "min_responses": 1,
        "min_cell": 1,
    },
    "special": [
        {"id": "safety_check", "label": {"zh": "安全生产专项考核", "en": "Work safety check"},
         "owner": "应急管理局"},
    ],
    "adjustments": {
        "bonus": {"cap": 3, "items": {"award": {"zh": "国家级表彰", "en": "National award"}}},
        "penalty": {"cap": 5, "items": {"audit": {"zh": "审计问题", "en": "Audit finding"}}},
        "veto": {"accident": {"label": {"zh": "重大安全事故", "en": "Major accident"}, "effect": "fail"}},
    },
    "grading": {
        "default": [
            {"id": "excellent", "min_score": 90, "max_share": 0.5},
            {"id": "good", "min_score": 75},
            {"id": "pass", "min_score": 60},
            {"id": "fail"},
        ],
    },
}

TINY_ROUND: dict[str, list[list[Any]]] = {
    "units": [
        ["unit_id", "name_zh", "name_en", "category"],
        ["D01", "东城区", "Dongcheng", "district"],
        ["D02", "西城区", "Xicheng", "district"],
        ["B01", "市财政局", "Finance Bureau", "bureau"],
    ],
    "values": [
        ["unit_id", "indicator_id", "value"],
        ["D01", "growth", "8.5"],
        ["D01", "hotline", "95"],
        ["D02", "growth", "12"],
        ["D02", "hotline", "80"],
        ["B01", "growth", "6"],
        ["B01", "hotline", "99"],
    ],
    "survey": [
        ["unit_id", "respondent_group", "q1", "q2"],
        ["D01", "residents", "4", "5"],
        ["D01", "firms", "3", "4"],
        ["D02", "residents", "5", "5"],
        ["D02", "firms", "4", "4"],
        ["B01", "residents", "3", "3"],
        ["B01", "firms", "4", "5"],
    ],
    "special_results": [
        ["assessment_id", "unit_id", "score"],
        ["safety_check", "D01", "90"],
        ["safety_check", "D02", "85"],
        ["safety_check", "B01", "100"],
    ],
    "adjustments": [
        ["unit_id", "kind", "item", "points", "reason"],
        ["D01", "bonus", "award", "2", "获国家级表彰"],
        ["D02", "penalty", "audit", "1", "审计发现问题"],
        ["B01", "veto", "accident", "", "发生重大安全事故"],
    ],
}


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8") -> Path:
    """Write ``rows`` (header first) as CSV; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def scheme_dict() -> dict[str, Any]:
    """A fresh, mutable copy of the tiny valid points scheme."""
    return copy.deepcopy(TINY_SCHEME)


@pytest.fixture
def round_tables() -> dict[str, list[list[Any]]]:
    """A fresh, mutable copy of the tiny round's tables (header row first)."""
    return copy.deepcopy(TINY_ROUND)


@pytest.fixture
def write_scheme(tmp_path: Path) -> Callable[..., Path]:
    """``write_scheme(d)`` writes the mapping ``d`` to ``tmp_path/scheme.yaml``;
    ``write_scheme(text=...)`` writes raw YAML text."""

    def _write(d: dict[str, Any] | None = None, *, text: str | None = None, name: str = "scheme.yaml") -> Path:
        path = tmp_path / name
        if text is None:
            text = yaml.safe_dump(d, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def write_round(tmp_path: Path) -> Callable[..., Path]:
    """``write_round(tables)`` writes each table as ``tmp_path/round/<name>.csv`` (a name
    like ``"values/a"`` makes a sub-folder) in ``encoding``; returns the folder."""

    def _write(tables: dict[str, list[list[Any]]], *, folder: str = "round", encoding: str = "utf-8") -> Path:
        root = tmp_path / folder
        root.mkdir(parents=True, exist_ok=True)
        for name, rows in tables.items():
            write_csv(root / f"{name}.csv", rows, encoding=encoding)
        return root

    return _write


@pytest.fixture
def scheme_path(write_scheme, scheme_dict) -> Path:
    """The tiny valid scheme, written to disk."""
    return write_scheme(scheme_dict)


@pytest.fixture
def round_dir(write_round, round_tables) -> Path:
    """The tiny valid round folder, written to disk."""
    return write_round(round_tables)


@dataclass(frozen=True)
class CliResult:
    """Exit code and captured output of one ``perfkit`` command."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys) -> Callable[..., CliResult]:
    """Run ``perfkit.cli.main`` in-process. An exception escaping ``main`` is turned into
    what the console script would show: a traceback on stderr and exit code 1."""
    from perfkit.cli import main

    def _run(*args: Any) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:  # noqa: BLE001 - this is what the tests look for
            traceback.print_exc()
            code = 1
        out, err = capsys.readouterr()
        return CliResult(int(code or 0), out, err)

    return _run
