"""Finding and loading the data sets shipped in the repository's ``datasets/`` folder."""
from __future__ import annotations

import builtins
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

import perfkit
from perfkit.errors import DataError, UnknownNameError, did_you_mean
from perfkit.io.read import TABLE_SUFFIXES, read_table
from perfkit.io.round import RoundData, file_sha256, load_round
from perfkit.scheme import Scheme, load_scheme

__all__ = ["Dataset", "DatasetInfo", "ENV_VAR", "root", "dataset_path", "list", "load", "load_returned", "planted"]

#: Environment variable naming another datasets folder (same layout as the repository's).
ENV_VAR = "PERFKIT_DATASETS"


@dataclass(frozen=True)
class _Entry:
    folder: str
    synthetic: bool
    label: dict[str, str]
    description: dict[str, str]
    default_round: str
    rounds: dict[str, tuple[str, str]]  # round -> (scheme file, round-data folder), relative to folder
    returned: dict[str, str]  # round -> folder of raw returned files


def _demo_rounds() -> dict[str, tuple[str, str]]:
    rounds = {str(y): (f"schemes/{y}.yaml", f"rounds/{y}") for y in range(2022, 2026)}
    rounds.update({f"2025Q{q}": ("schemes/2025_tracking.yaml", f"tracking/2025Q{q}") for q in range(1, 5)})
    return rounds


_CATALOGUE: dict[str, _Entry] = {
    "demo_city": _Entry(
        folder="demo_city", synthetic=True,
        label={"zh": "示例市(虚构示例数据)", "en": "Demo City (synthetic data)"},
        description={
            "zh": "虚构的湖南旅游城市「示例市」: 60个被评估单位分4类, 2022-2025年度评估和2025年季度跟踪, "
                  "满意度调查微观数据、专项考核、数据采集记录和原始报送文件; 埋设了供分析发现的问题(planted.yaml)。",
            "en": "Fictional Hunan tourism city: 60 units in 4 categories, annual rounds 2022-2025 and quarterly "
                  "tracking 2025, survey microdata, special assessments, data-collection records and raw "
                  "returned files; with planted findings (planted.yaml).",
        },
        default_round="2025", rounds=_demo_rounds(), returned={"2025": "returned/2025"}),
    "oecd_bli": _Entry(
        folder="real/oecd_bli", synthetic=False,
        label={"zh": "经合组织美好生活指数 2015", "en": "OECD Better Life Index 2015"},
        description={"zh": "真实数据: 36个国家, 11个主题24项指标(综合指数)。",
                     "en": "Real data: 36 countries, 24 indicators in 11 topics (composite index)."},
        default_round="2015", rounds={"2015": ("scheme.yaml", "round")}, returned={}),
    "asem": _Entry(
        folder="real/asem", synthetic=False,
        label={"zh": "亚欧会议可持续互联互通指数(COINr示例)", "en": "ASEM Sustainable Connectivity (COINr example)"},
        description={"zh": "真实数据(COINr R包): 51个国家, 49项指标, 8个支柱, 2个分指数; 2019-2022年为COINr人工生成的面板。",
                     "en": "Real data from the COINr R package: 51 countries, 49 indicators, 8 pillars, "
                           "2 sub-indices; 2019-2022 are COINr's artificial panel years."},
        default_round="2018", rounds={str(y): ("scheme.yaml", "round") for y in range(2018, 2023)}, returned={}),
}


@dataclass(frozen=True)
class DatasetInfo:
    """What a data set is and which rounds it has (see :func:`list`)."""

    name: str
    label: dict[str, str]
    description: dict[str, str]
    rounds: tuple[str, ...]
    default_round: str
    synthetic: bool
    path: Path
    available: bool


@dataclass(frozen=True, eq=False)
class Dataset:
    """One round of a data set, ready for :func:`perfkit.evaluate`.

    Attributes
    ----------
    name, round
        Data set name (``"demo_city"``, ``"oecd_bli"``, ``"asem"``) and round id.
    scheme
        The round's validated :class:`~perfkit.scheme.Scheme`.
    data
        The round's tables (:class:`~perfkit.io.round.RoundData`).
    synthetic
        True for generated data (the Demo City): every report using it must say so.
    path
        The data set's folder.
    """

    name: str
    round: str
    scheme: Scheme
    data: RoundData
    synthetic: bool
    path: Path

    def __repr__(self) -> str:
        kind = "synthetic" if self.synthetic else "real"
        return (f"Dataset(name={self.name!r}, round={self.round!r}, {kind}, scheme={self.scheme.id!r}, "
                f"units={len(self.data.units)}, path={str(self.path)!r})")


def root() -> Path:
    """The datasets folder: ``$PERFKIT_DATASETS`` if set, else ``<repository>/datasets``."""
    env = os.environ.get(ENV_VAR)
    path = Path(env) if env else Path(perfkit.__file__).resolve().parents[1] / "datasets"
    if not path.is_dir():
        raise DataError("datasets folder not found", where=[str(path)],
                        hint=f"set {ENV_VAR} to the folder that holds demo_city/ and real/")
    return path


def _entry(name: str) -> _Entry:
    try:
        return _CATALOGUE[name]
    except KeyError:
        raise UnknownNameError(f"no data set {name!r}{did_you_mean(name, _CATALOGUE)}",
                               hint=f"data sets: {', '.join(_CATALOGUE)}") from None


def dataset_path(name: str) -> Path:
    """The folder of data set ``name``."""
    return root() / _entry(name).folder


def list() -> builtins.list[DatasetInfo]:  # noqa: A001 - the public name asked for
    """Every data set perfkit knows: name, labels, description, rounds, synthetic or real."""
    try:
        base = root()
    except DataError:
        base = None
    out = []
    for name, e in _CATALOGUE.items():
        path = (base / e.folder) if base is not None else Path(e.folder)
        out.append(DatasetInfo(name=name, label=dict(e.label), description=dict(e.description),
                               rounds=tuple(e.rounds), default_round=e.default_round, synthetic=e.synthetic,
                               path=path, available=base is not None and path.is_dir()))
    return out


def _round_id(e: _Entry, name: str, rnd: str | int | None) -> str:
    r = e.default_round if rnd is None else str(rnd)
    if r not in e.rounds:
        raise UnknownNameError(f"data set {name!r} has no round {r!r}{did_you_mean(r, e.rounds)}",
                               hint=f"rounds: {', '.join(e.rounds)}")
    return r


def load(name: str, round: str | int | None = None) -> Dataset:  # noqa: A002 - perfkit's word for it
    """Load one round of a data set.

    Parameters
    ----------
    name
        ``"demo_city"``, ``"oecd_bli"`` or ``"asem"`` (see :func:`list`).
    round
        A round id such as ``"2025"`` or ``"2025Q2"``; the data set's latest round by default.

    Returns
    -------
    Dataset
        ``scheme`` and ``data`` for :func:`perfkit.evaluate`.
    """
    e = _entry(name)
    r = _round_id(e, name, round)
    folder = dataset_path(name)
    scheme_file, data_folder = e.rounds[r]
    scheme = load_scheme(folder / scheme_file)
    data = load_round(folder / data_folder, round=r)
    return Dataset(name=name, round=r, scheme=scheme, data=data, synthetic=e.synthetic, path=folder)


def load_returned(name: str = "demo_city", round: str | int = "2025") -> Dataset:  # noqa: A002
    """A round whose ``values`` are the raw files the collectors returned (one file per
    collector, XLSX or CSV, mistakes included) instead of the checked ones.

    Every other table comes from the clean round. Run :func:`perfkit.validate_round` on the
    result to see the mistakes located by file, sheet, row and column.
    """
    e = _entry(name)
    r = str(round)
    if r not in e.returned:
        raise UnknownNameError(f"data set {name!r} has no returned files for round {r!r}",
                               hint=f"returned rounds: {', '.join(e.returned) or '(none)'}")
    ds = load(name, r)
    folder = ds.path / e.returned[r]
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in TABLE_SUFFIXES and not p.name.startswith(("~$", ".")))
    if not files:
        raise DataError("no returned files", where=[str(folder)])
    values = pd.concat([read_table(p) for p in files], ignore_index=True)
    if "round" in values.columns:
        values = values[values["round"].astype(str) == r].reset_index(drop=True)
    kept = tuple(f for f in ds.data.files if "/values/" not in f[0].replace(os.sep, "/"))
    data = ds.data.replace(values=values, source=str(folder),
                           files=kept + tuple((str(p), file_sha256(p)) for p in files))
    return Dataset(name=name, round=r, scheme=ds.scheme, data=data, synthetic=e.synthetic, path=ds.path)


def planted(name: str = "demo_city") -> dict[str, Any]:
    """The machine-readable list of findings planted in a synthetic data set (``planted.yaml``)."""
    e = _entry(name)
    path = dataset_path(name) / "planted.yaml"
    if not e.synthetic or not path.is_file():
        raise UnknownNameError(f"data set {name!r} has no planted findings",
                               hint="only synthetic data sets (demo_city) have planted.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))
