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

import difflib
import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from perfkit.errors import DataError
from perfkit.io.read import TABLE_SUFFIXES, CellNote, read_table, sheet_names

__all__ = ["RoundData", "load_round", "TABLES", "REQUIRED", "OPTIONAL", "CellNote", "file_sha256"]

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
#: Columns a table may have besides the required ones (a header close to one of these, or
#: to a required one, that is neither is reported as misspelt). The units table may also
#: carry denominators and grouping columns named in the scheme.
OPTIONAL = {
    "units": ("parent", "note"),
    "values": ("round", "target", "collector_id", "submitted_at", "note", "unit", "label_zh", "label_en"),
    "adjustments": ("reason", "reason_zh", "reason_en", "round", "evidence", "note", "decided_at"),
    "survey": ("weight", "respondent_id", "round", "submitted_at"),
    "special_results": ("round", "grade", "note"),
    "targets": ("label_zh", "label_en", "rule", "cap", "direction", "round", "node", "note"),
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
    #: (table, file, sheet, columns) of each file as read: the header a person typed
    headers: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    #: cells the reader could not take at face value (an XLSX formula without a result)
    cell_notes: tuple[CellNote, ...] = ()

    def header_list(self) -> list[tuple[str, str, str, tuple[str, ...]]]:
        """The header of every file of every table still in these data: as recorded when
        the files were read, else (tables built in memory or replaced) the table's columns."""
        out = []
        for name in TABLES:
            df = self.table(name)
            if not len(df.columns):
                continue
            files = {str(f) for f in pd.unique(df["_file"])} if "_file" in df and len(df) else set()
            rec = [h for h in self.headers if h[0] == name and (h[1] in files or not len(df))]
            if rec:
                out.extend(rec)
            elif len(df.columns.difference(["_file", "_sheet", "_row"])):
                file = str(df["_file"].iloc[0]) if "_file" in df and len(df) else str(df.attrs.get("file", ""))
                sheet = str(df["_sheet"].iloc[0]) if "_sheet" in df and len(df) else ""
                out.append((name, file, sheet, tuple(c for c in df.columns if not str(c).startswith("_"))))
        return out

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
        """Keep the rows of round ``rnd`` (tables with a ``round`` column). A table left
        with no row remembers which rounds it held (``attrs["rounds_held"]``); when no
        table has a row of ``rnd`` at all, that is an error naming the rounds there are."""
        if rnd is None:
            return self
        rnd = str(rnd).strip()
        changes, held = {}, Counter()
        for name in TABLES:
            df = self.table(name)
            if "round" in df.columns and len(df):
                text = round_text(df["round"])
                held.update(r for r in text if r is not None)
                keep = df[(text == rnd)].reset_index(drop=True)
                keep.attrs = dict(df.attrs)
                if not len(keep):
                    keep.attrs["rounds_held"] = sorted({r for r in text if r is not None})
                changes[name] = keep
        if held and rnd not in held:
            raise DataError(f"no row belongs to round {rnd}; the data hold round(s) {', '.join(sorted(held))}",
                            where=[self.source or "<memory>"],
                            hint="check the round (--round); each table's 'round' column says which round a row is")
        return replace(self, round=rnd, **changes)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(self.table(n))}" for n in TABLES)
        return f"RoundData(round={self.round!r}, {sizes}, source={self.source!r})"


def round_text(col: pd.Series) -> pd.Series:
    """A ``round`` column as text, ``2025`` whether it was written 2025, 2025.0 or " 2025"."""
    def one(v):
        if v is None or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip() or None
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    clean = pd.array([one(u) for u in uniques] + [None], dtype=object)
    return pd.Series(clean[codes], index=col.index, dtype=object)


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
                                and p.is_file() and not p.name.startswith(("~$", "."))))
    return found


_TABLE_NAMES = (*TABLES, *ALIASES)


def _odd_entries(entries: list[tuple[str, str, str]], present: set[str], where: str) -> None:
    """Refuse what looks like a table but would not be read, saying what was found:
    ``Units.csv`` or a sheet ``Units`` (names are lower case), a ``units.csv`` that is a
    folder, ``vaules.csv`` for a missing ``values`` table. ``entries`` are (name, stem,
    kind) of a folder's entries or a workbook's sheets, kind ``"table"`` (a table file or
    sheet), ``"folder"`` or ``"folder-file"`` (a folder whose name ends like a table file)."""
    missing = [t for t in TABLES if t not in present]
    for name, stem, kind in entries:
        key = stem.strip().lower()
        if stem in _TABLE_NAMES:
            if kind == "folder-file":
                raise DataError(f"{name!r} is a folder, not a table file", where=[where],
                                hint=f"a table is one file ({stem}.csv, .xlsx or .parquet) or a folder named "
                                     f"{stem}/ holding such files")
            continue
        if key in _TABLE_NAMES:
            raise DataError(f"found {name!r}, which is not read: table names are lower case", where=[where],
                            hint=f"rename it to {name.replace(stem, key)!r}")
        close = difflib.get_close_matches(key, missing, n=1, cutoff=0.8)
        if close and kind == "table":
            raise DataError(f"found {name!r}, which is not read (did you mean {close[0]!r}?)", where=[where],
                            hint=f"rename it to {name.replace(stem, close[0])!r}")


def _folder_entries(folder: Path) -> list[tuple[str, str, str]]:
    out = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith(("~$", ".")):
            continue
        if p.is_dir():
            file_like = p.suffix.lower() in TABLE_SUFFIXES
            out.append((p.name, p.stem if file_like else p.name, "folder-file" if file_like else "folder"))
        elif p.suffix.lower() in TABLE_SUFFIXES:
            out.append((p.name, p.stem, "table"))
    return out


def load_round(path: str | Path, *, round: str | int | None = None) -> RoundData:
    """Read a round from a folder (one file or sub-folder per table) or a workbook.

    Only ``units`` is required; every other table is optional. With ``round`` given, rows
    of other rounds (a ``round`` column) are dropped; a round no row belongs to is an
    error naming the rounds the data hold. Entries that look like a table but would not
    be read (``Units.csv``, a sheet ``Values``, a folder ``units.csv``, ``vaules.csv``)
    are errors saying what was found.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("round data not found", where=[str(path)],
                        hint="give a folder with units.csv, values.csv, ... or an .xlsx workbook")
    tables: dict[str, pd.DataFrame] = {}
    files: list[tuple[str, str]] = []
    headers: list[tuple[str, str, str, tuple[str, ...]]] = []
    notes: list[CellNote] = []

    def took(name: str, df: pd.DataFrame) -> pd.DataFrame:
        headers.append((name, str(df.attrs.get("file", "")), str(df["_sheet"].iloc[0]) if len(df) else
                        str(df.attrs.get("sheet", "")), tuple(df.attrs.get("header", ()))))
        notes.extend(CellNote(name, *n[1:]) for n in df.attrs.get("cell_notes", ()))
        return df

    if path.is_dir():
        for name in TABLES:
            found = _find(path, name)
            parts = [took(name, read_table(p)) for p in found]
            files.extend((str(p), file_sha256(p)) for p in found)
            if parts:
                tables[name] = _concat(parts)
        _odd_entries(_folder_entries(path), set(tables), str(path))
    elif path.suffix.lower() == ".xlsx":
        sheets = sheet_names(path)
        files.append((str(path), file_sha256(path)))
        for sheet in sheets:
            name = ALIASES.get(sheet, sheet)
            if name in TABLES:
                tables[name] = took(name, read_table(path, sheet=sheet))
        _odd_entries([(s_, s_, "table") for s_ in sheets], set(tables), str(path))
    else:
        raise DataError("round data must be a folder or an .xlsx workbook", where=[str(path)])
    if "units" in tables and tables["units"].empty:
        raise DataError("the units table has no rows", where=[str(tables["units"].attrs.get("file", path))],
                        hint="list every evaluated unit: unit_id, name_zh, name_en, category")
    if "units" not in tables:
        what = (f"the workbook has sheets {', '.join(map(repr, sheet_names(path)))}" if path.is_file() else
                "the folder holds " + (", ".join(repr(p.name) for p in sorted(path.iterdir())[:12]) or "nothing"))
        raise DataError(f"no units table: {what}", where=[str(path)],
                        hint="add units.csv (unit_id, name_zh, name_en, category)" if path.is_dir() else
                        "add a sheet named 'units' (unit_id, name_zh, name_en, category)")
    data = RoundData(source=str(path), files=tuple(files), headers=tuple(headers), cell_notes=tuple(notes), **tables)
    return data._for_round(None if round is None else str(round))


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if len(parts) == 1:
        return parts[0]
    df = pd.concat(parts, ignore_index=True)
    df.attrs = {"file": parts[0].attrs.get("file", "")}
    return df
