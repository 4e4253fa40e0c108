"""ROUND_CONFIG: what ``perfkit report`` produces for one round.

A small YAML file; paths in it are relative to the file itself::

    scheme: ../../datasets/demo_city/schemes/{round}.yaml   # one scheme, or one per round
    data: ../../datasets/demo_city/rounds/{round}   # or one folder/workbook with a round column
    round: 2025
    previous: [2022, 2023, 2024]    # for trends and movers (oldest first)
    langs: [zh, en]
    units: all                      # or a list of unit ids
    notebooks: [round_report, unit_feedback]
    timeout: 600                    # seconds per notebook
    font_dir: null                  # extra fonts for the charts (e.g. a folder with Noto Sans CJK)
    notebook_dir: null              # default: the project's notebooks/ folder
    inputs:                         # further input files the notebooks read, by name
      special_registry: ../../datasets/demo_city/special/registry.yaml
    params:                         # parameters of one notebook, by notebook
      sensitivity: {n: 2000}

``inputs`` are paths (relative to the file, ``{round}`` filled in with the round); each must
exist, is hashed into the run's inputs (a change re-runs the reports) and reaches every
notebook as the ``inputs`` parameter (a dict of absolute paths). ``params`` are passed to
the named notebook as parameters of its own.

Every problem is reported with the file, the key and what to do, and unknown keys are
errors (with a "did you mean" for misspellings).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from perfkit.errors import PerfkitError, did_you_mean

__all__ = ["RoundConfig", "ConfigError", "load_config", "UNIT_NOTEBOOKS", "default_notebook_dir"]

#: Notebooks run once per unit (every other notebook runs once per language for the round).
UNIT_NOTEBOOKS = ("unit_feedback", "tracking_notice")


class ConfigError(PerfkitError, ValueError):
    """An invalid ROUND_CONFIG; ``where`` is (file, key)."""


def default_notebook_dir() -> Path:
    """The project's ``notebooks/`` folder (next to the ``perfkit`` package)."""
    return Path(__file__).resolve().parents[2] / "notebooks"


class RoundConfig(BaseModel):
    """A validated ROUND_CONFIG (paths resolved against the config file's folder)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: str
    data: str
    round: str
    previous: tuple[str, ...] = ()
    langs: tuple[Literal["zh", "en"], ...] = ("zh", "en")
    units: Literal["all"] | tuple[str, ...] = "all"
    notebooks: tuple[str, ...] = ("round_report", "unit_feedback")
    timeout: float = Field(default=600, gt=0)
    font_dir: Path | None = None
    notebook_dir: Path | None = None
    inputs: dict[str, str] = Field(default_factory=dict)
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    file: str | None = None

    @field_validator("round", mode="before")
    @classmethod
    def _round_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v

    @field_validator("previous", mode="before")
    @classmethod
    def _previous_text(cls, v: Any) -> Any:
        if v is None:
            return ()
        if isinstance(v, (str, int)):
            v = [v]
        return tuple(str(x) for x in v)

    @field_validator("langs")
    @classmethod
    def _langs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("name at least one language (zh, en)")
        if len(set(v)) != len(v):
            raise ValueError("a language is listed twice")
        return v

    @field_validator("units", mode="before")
    @classmethod
    def _units(cls, v: Any) -> Any:
        if isinstance(v, str) and v != "all":
            return (v,)
        if isinstance(v, (list, tuple)):
            if not v:
                raise ValueError("give 'all' or at least one unit id")
            v = tuple(str(x) for x in v)
            dup = sorted({x for x in v if v.count(x) > 1})
            if dup:
                raise ValueError(f"unit(s) listed twice: {', '.join(dup)}")
        return v

    @field_validator("notebooks")
    @classmethod
    def _notebooks(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("name at least one notebook")
        for n in v:
            if not n.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"notebook {n!r}: use the notebook's file name without .ipynb")
        return v

    @field_validator("inputs")
    @classmethod
    def _inputs(cls, v: dict[str, str]) -> dict[str, str]:
        for k in v:
            if not k.isidentifier():
                raise ValueError(f"input name {k!r}: use letters, digits and _ (it becomes a notebook key)")
        return v

    @model_validator(mode="after")
    def _rounds(self) -> RoundConfig:
        if self.round in self.previous:
            raise ValueError(f"round {self.round} is also listed in 'previous'")
        unknown = sorted(set(self.params) - set(self.notebooks))
        if unknown:
            raise ValueError(f"params for notebook(s) not in 'notebooks': {', '.join(unknown)}")
        return self

    # ------------------------------------------------------------------ derived
    @property
    def rounds(self) -> list[str]:
        """Previous rounds, then the round (oldest first)."""
        return [*self.previous, self.round]

    def scheme_path(self, rnd: str | None = None) -> Path:
        """The scheme of round ``rnd`` (``{round}`` in the path is filled in; default: the round)."""
        rnd = self.round if rnd is None else rnd
        return Path(self.scheme.format(round=rnd)) if "{round}" in self.scheme else Path(self.scheme)

    def data_path(self, rnd: str) -> Path:
        return Path(self.data.format(round=rnd)) if "{round}" in self.data else Path(self.data)

    def input_path(self, name: str, rnd: str | None = None) -> Path:
        """The input file ``name`` (``{round}`` filled in; default: the round)."""
        rnd = self.round if rnd is None else rnd
        return Path(self.inputs[name].format(round=rnd))

    def notebook_path(self, name: str) -> Path:
        return (self.notebook_dir or default_notebook_dir()) / f"{name}.ipynb"

    def per_unit(self, name: str) -> bool:
        return name in UNIT_NOTEBOOKS


def load_config(path: str | Path) -> RoundConfig:
    """Read and check a ROUND_CONFIG file; raise :class:`ConfigError` naming the key at fault."""
    path = Path(path)
    f = str(path)
    if not path.is_file():
        raise ConfigError("file not found", where=[f], hint="give the path of a round config YAML "
                          "(examples: notebooks/configs/*.yaml)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                          where=[f] + ([f"line {mark.line + 1}"] if mark else [])) from None
    if not isinstance(raw, dict):
        raise ConfigError("the config must be a YAML mapping (key: value)", where=[f])
    return config_from_dict(raw, base=path.parent, file=f)


def config_from_dict(raw: dict[str, Any], *, base: str | Path = ".", file: str = "<config>") -> RoundConfig:
    base = Path(base)
    fields = [k for k in RoundConfig.model_fields if k != "file"]
    for key in raw:
        if key not in fields:
            raise ConfigError(f"unknown key {key!r}{did_you_mean(key, fields)}", where=[file, str(key)],
                              hint=f"keys: {', '.join(fields)}")
    for key in ("scheme", "data", "round"):
        if raw.get(key) in (None, ""):
            raise ConfigError(f"missing {key!r}", where=[file, key],
                              hint={"scheme": "the scheme YAML, e.g. scheme: ../scheme.yaml",
                                    "data": "the round data folder or workbook; {round} is filled in",
                                    "round": "the round to report on, e.g. round: 2025"}[key])
    try:
        cfg = RoundConfig(**raw, file=file)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(msg, where=[file, loc]) from None
    resolve = (lambda p: p if p is None or Path(p).is_absolute() else (base / p).resolve())
    text = (lambda p: p if Path(p).is_absolute() else str((base / p).resolve()))
    cfg = cfg.model_copy(update={"scheme": text(cfg.scheme), "data": text(cfg.data), "font_dir": resolve(cfg.font_dir),
                                 "notebook_dir": resolve(cfg.notebook_dir),
                                 "inputs": {k: text(v) for k, v in cfg.inputs.items()}})
    _check_paths(cfg, file)
    return cfg


def _check_paths(cfg: RoundConfig, file: str) -> None:
    for r in cfg.rounds:
        if not cfg.scheme_path(r).is_file():
            raise ConfigError(f"scheme file not found for round {r}: {cfg.scheme_path(r)}", where=[file, "scheme"],
                              hint="paths are relative to the config file; use {round} for one scheme per round")
        p = cfg.data_path(r)
        if not p.exists():
            raise ConfigError(f"round data not found for round {r}: {p}", where=[file, "data"],
                              hint="a folder or .xlsx workbook; use {round} in the path for one folder per round")
    for name in cfg.inputs:
        if not cfg.input_path(name).exists():
            raise ConfigError(f"input {name!r} not found: {cfg.input_path(name)}", where=[file, f"inputs.{name}"],
                              hint="paths are relative to the config file")
    if cfg.font_dir is not None and not cfg.font_dir.is_dir():
        raise ConfigError(f"font directory not found: {cfg.font_dir}", where=[file, "font_dir"])
    for n in cfg.notebooks:
        if not cfg.notebook_path(n).is_file():
            have = sorted(p.stem for p in cfg.notebook_path(n).parent.glob("*.ipynb"))
            raise ConfigError(f"no notebook {n!r}{did_you_mean(n, have)} in {cfg.notebook_path(n).parent}",
                              where=[file, "notebooks"], hint=f"notebooks: {', '.join(have) or '(none)'}")
