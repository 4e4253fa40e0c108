"""Round data: the tables of one evaluation round, read from a folder or a workbook.

A round folder holds (any of .csv / .xlsx / .parquet, or a sub-folder of several files of
one table, e.g. one values file per collector)::

    units.*            unit_id, name_zh, name_en, category, [parent, group/denominator columns]
    values.*           unit_id, indicator_id, value, [round, target, collector_id, submitted_at, note]
    adjustments.*      unit_id, kind (bonus|penalty|veto), item, points, reason, [round]
    survey.*           unit_id, respondent_group, <item columns>, [weight, respondent_id, round]
    special_results.*  assessment_id, unit_id, score, [round, grade]
    targets.*          unit_id, indicator_id, label_zh, label_en, target, points, [rule, cap, direction, round]

A workbook (.xlsx) holds the same tables as sheets of those names.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl
import pandas as pd

from perfkit.errors import DataError
from perfkit.io.read import TABLE_SUFFIXES, read_table

__all__ = ["RoundData", "load_round", "TABLES", "REQUIRED", "file_sha256"]

TABLES = ("units", "values", "adjustments", "survey", "special_results", "targets")
ALIASES = {"special": "special_results"}
REQUIRED = {
    "units": ("unit_id", "name_zh", "name_en", "category"),
    "values": ("unit_id", "indicator_id", "value"),
    "adjustments": ("unit_id", "kind", "item", "points"),
    "survey": ("unit_id", "respondent_group"),
    "special_results": ("assessment_id", "unit_id", "score"),
    "targets": ("unit_id", "indicator_id", "target", "points"),
}


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=[*REQUIRED[name], "_file", "_sheet", "_row"])


@dataclass(frozen=True, eq=False)
class RoundData:
    """The tables of one round, as read (text cells, with source columns).

    Use :func:`perfkit.engine.validate.validate_round` to check them against a scheme and get
    typed, clean tables; :func:`perfkit.evaluate` does that for you.
    """

    units: pd.DataFrame
    values: pd.DataFrame = field(default_factory=lambda: _empty("values"))
    adjustments: pd.DataFrame = field(default_factory=lambda: _empty("adjustments"))
    survey: pd.DataFrame = field(default_factory=lambda: _empty("survey"))
    special_results: pd.DataFrame = field(default_factory=lambda: _empty("special_results"))
    targets: pd.DataFrame = field(default_factory=lambda: _empty("targets"))
    round: str | None = None
    source: str | None = None
    files: tuple[tuple[str, str], ...] = ()  # (path, sha256)

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, ALIASES.get(name, name))

    def replace(self, **changes) -> RoundData:
        return replace(self, **changes)

    @classmethod
    def from_frames(cls, *, units: pd.DataFrame, round: str | None = None, **tables: pd.DataFrame) -> RoundData:
        """Build round data from in-memory frames (any dtypes; source columns are added)."""
        frames = {"units": units, **{ALIASES.get(k, k): v for k, v in tables.items()}}
        out = {}
        for name, df in frames.items():
            if name not in TABLES:
                raise DataError(f"unknown table {name!r}", hint=f"tables: {', '.join(TABLES)}")
            df = df.reset_index(drop=True).copy()
            for col, val in (("_file", "<memory>"), ("_sheet", name)):
                if col not in df:
                    df[col] = val
            if "_row" not in df:
                df["_row"] = df.index + 2
            out[name] = df
        data = cls(round=round, source="<memory>", **out)
        return data._for_round(round) if round is not None else data

    def _for_round(self, rnd: str | None) -> RoundData:
        if rnd is None:
            return self
        changes = {}
        for name in TABLES:
            df = self.table(name)
            if "round" in df.columns:
                changes[name] = df[df["round"].astype(str) == str(rnd)].reset_index(drop=True)
        return replace(self, round=str(rnd), **changes)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(self.table(n))}" for n in TABLES)
        return f"RoundData(round={self.round!r}, {sizes}, source={self.source!r})"


def _find(folder: Path, name: str) -> list[Path]:
    names = [name] + [a for a, t in ALIASES.items() if t == name]
    found: list[Path] = []
    for n in names:
        for suffix in TABLE_SUFFIXES:
            p = folder / f"{n}{suffix}"
            if p.is_file():
                found.append(p)
        sub = folder / n
        if sub.is_dir():
            found.extend(sorted(p for p in sub.iterdir() if p.suffix.lower() in TABLE_SUFFIXES
                                and not p.name.startswith(("~$", "."))))
    return found


def load_round(path: str | Path, *, round: str | int | None = None) -> RoundData:
    """Read a round from a folder (one file or sub-folder per table) or a workbook.

    Only ``units`` is required; every other table is optional. With ``round`` given, rows
    of other rounds (a ``round`` column) are dropped.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("round data not found", where=[str(path)],
                        hint="give a folder with units.csv, values.csv, ... or an .xlsx workbook")
    tables: dict[str, pd.DataFrame] = {}
    files: list[tuple[str, str]] = []
    if path.is_dir():
        for name in TABLES:
            parts = [read_table(p) for p in _find(path, name)]
            files.extend((str(p), file_sha256(p)) for p in _find(path, name))
            if parts:
                tables[name] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    elif path.suffix.lower() == ".xlsx":

        try:
            wb = openpyxl.load_workbook(path, read_only=True)
            sheets = list(wb.sheetnames)
            wb.close()
        except Exception as exc:  # noqa: BLE001 - a damaged workbook becomes a located error
            raise DataError(f"cannot open the workbook: {type(exc).__name__}: {exc}", where=[str(path)],
                            hint="open it in Excel and save it again as .xlsx") from None
        files.append((str(path), file_sha256(path)))
        for sheet in sheets:
            name = ALIASES.get(sheet, sheet)
            if name in TABLES:
                tables[name] = read_table(path, sheet=sheet)
    else:
        raise DataError("round data must be a folder or an .xlsx workbook", where=[str(path)])
    if "units" in tables and tables["units"].empty:
        raise DataError("the units table has no rows", where=[str(tables["units"].attrs.get("file", path))],
                        hint="list every evaluated unit: unit_id, name_zh, name_en, category")
    if "units" not in tables:
        raise DataError("no units table", where=[str(path)],
                        hint="add units.csv (unit_id, name_zh, name_en, category)")
    data = RoundData(source=str(path), files=tuple(files), **tables)
    return data._for_round(None if round is None else str(round))
