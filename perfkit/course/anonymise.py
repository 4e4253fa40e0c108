"""Unit names replaced by consistent codes, in data, notebooks and every page of a course.

Each unit of the Demo City gets one code for the whole course: an id (``U07``), a Chinese
name (甲单位, 乙单位, … 癸单位, then 甲2单位 …) and an English name (Unit A, B, … Z, AA …).
Codes are dealt in a fixed pseudo-random order (by a hash of the unit id), not in the order
of the units table, so a code does not give away the category or the file position; the same
unit keeps its code in every module and every rebuild.

:meth:`Anonymiser.text` replaces ids and names in any text (longest first, an id only where
it is not part of a longer word, so ``ft_gov_civil_01`` becomes ``ft_U07_01``);
:func:`anonymise_tree` writes a copy of a data-set folder with every CSV, YAML, Markdown,
JSON and XLSX cell (and every file name) replaced; :meth:`Anonymiser.leaks` finds any real
id or name left in a folder of outputs.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import openpyxl
import pandas as pd

from perfkit.errors import DataError

__all__ = ["Anonymiser", "anonymise_tree", "zh_code", "en_code"]

_STEMS = "甲乙丙丁戊己庚辛壬癸"
_TEXT = {".csv", ".yaml", ".yml", ".md", ".json", ".txt", ".ipynb", ".html", ".tsv"}


def zh_code(k: int) -> str:
    """甲单位, 乙单位, … 癸单位, 甲2单位, … (``k`` from 0).

    >>> [zh_code(k) for k in (0, 1, 9, 10, 25)]
    ['甲单位', '乙单位', '癸单位', '甲2单位', '己3单位']
    """
    lap = k // len(_STEMS)
    return f"{_STEMS[k % len(_STEMS)]}{lap + 1 if lap else ''}单位"


def en_code(k: int) -> str:
    """Unit A, B, … Z, AA, AB, … (``k`` from 0).

    >>> [en_code(k) for k in (0, 25, 26, 27, 51, 52)]
    ['Unit A', 'Unit Z', 'Unit AA', 'Unit AB', 'Unit AZ', 'Unit BA']
    """
    letters = ""
    n = k
    while True:
        letters = chr(ord("A") + n % 26) + letters
        n = n // 26 - 1
        if n < 0:
            break
    return f"Unit {letters}"


def _decode(raw: bytes) -> tuple[str, str]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", raw, 0, 1, "neither UTF-8 nor GB18030")


@dataclass(frozen=True)
class Anonymiser:
    """Replacements ``real -> code`` for unit ids and names (see the module docstring).

    Attributes
    ----------
    units
        ``unit_id, name_zh, name_en, code, code_zh, code_en`` per unit.
    """

    units: pd.DataFrame

    @classmethod
    def from_units(cls, units: pd.DataFrame) -> Anonymiser:
        """Codes for the units of ``units`` (``unit_id, name_zh, name_en``), duplicates dropped."""
        missing = {"unit_id", "name_zh", "name_en"} - set(units.columns)
        if missing:
            raise DataError(f"the units table lacks {', '.join(sorted(missing))}")
        u = units[["unit_id", "name_zh", "name_en"]].astype(str).drop_duplicates("unit_id").copy()
        order = sorted(u["unit_id"], key=lambda i: hashlib.sha256(i.encode()).hexdigest())
        pos = {uid: k for k, uid in enumerate(order)}
        width = max(2, len(str(len(order))))
        u["code"] = [f"U{pos[i] + 1:0{width}d}" for i in u["unit_id"]]
        u["code_zh"] = [zh_code(pos[i]) for i in u["unit_id"]]
        u["code_en"] = [en_code(pos[i]) for i in u["unit_id"]]
        return cls(u.sort_values("code").reset_index(drop=True))

    @classmethod
    def from_folder(cls, folder: str | Path) -> Anonymiser:
        """Codes for every unit of every ``units.csv`` under ``folder`` (a data set)."""
        files = sorted(Path(folder).rglob("units.csv"))
        if not files:
            raise DataError("no units.csv found", where=[str(folder)])
        return cls.from_units(pd.concat([pd.read_csv(f, dtype=str) for f in files], ignore_index=True))

    @cached_property
    def mapping(self) -> dict[str, str]:
        """Every replacement, real -> code."""
        m: dict[str, str] = {}
        for r in self.units.itertuples(index=False):
            m[r.unit_id] = r.code
            m[r.name_zh] = r.code_zh
            m[r.name_en] = r.code_en
        return m

    @cached_property
    def _pattern(self) -> re.Pattern:
        return _pattern(self.mapping, set(self.units["unit_id"]))

    def text(self, s: str) -> str:
        """``s`` with every unit id and name replaced by its code."""
        return self._pattern.sub(lambda m: self.mapping[m.group(0)], s) if s else s

    def name(self, filename: str) -> str:
        return self.text(filename)

    def leaks(self, folder: str | Path, *, names_only: bool = False) -> list[tuple[str, str]]:
        """``(file, real id or name)`` for every file under ``folder`` that still holds one
        (text files, and the cells of XLSX files). Ids count only as whole words."""
        ids = set(self.units["unit_id"])
        pat = _pattern({r: "" for r in self.mapping if not (names_only and r in ids)}, ids)
        found = []
        for p in sorted(Path(folder).rglob("*")):
            if not p.is_file():
                continue
            hit = pat.search(p.name)
            if hit is None:
                hit = pat.search(_readable(p))
            if hit is not None:
                found.append((str(p), hit.group(0)))
        return found


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, branching on characters (Python's
    ``re`` tries the alternatives of a plain ``a|b|c`` one by one at every position)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def walk(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + walk(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return walk(root)


def _pattern(mapping: dict[str, str], ids: set[str]) -> re.Pattern:
    """Ids where no letter or digit continues them (underscores may: ``ft_<id>_01``); names anywhere."""
    id_words = [w for w in mapping if w in ids]
    names = [w for w in mapping if w not in ids]
    parts = []
    if id_words:
        parts.append(rf"(?<![A-Za-z0-9])(?:{_trie(id_words)})(?![A-Za-z0-9])")
    if names:
        parts.append(f"(?:{_trie(names)})")
    return re.compile("|".join(parts) or r"(?!x)x")


def _readable(p: Path) -> str:
    """The text of a file as a reader would see it (XLSX: its XML parts; other binary: nothing)."""
    if p.suffix.lower() in _TEXT:
        try:
            return _decode(p.read_bytes())[0]
        except UnicodeDecodeError:
            return ""
    if p.suffix.lower() == ".xlsx":
        with zipfile.ZipFile(p) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    if p.suffix.lower() in (".js", ".css", ".svg"):
        return p.read_text(encoding="utf-8", errors="replace")
    return ""


def _xlsx(src: Path, dst: Path, a: Anonymiser) -> None:
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        ws.title = a.text(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = a.text(cell.value)
    wb.save(dst)


def anonymise_tree(src: str | Path, dst: str | Path, a: Anonymiser, *,
                   skip: Sequence[str] = (".py", ".pyc")) -> list[Path]:
    """Copy the folder ``src`` to ``dst`` with every id and name replaced (contents and file
    names); text keeps its encoding (a GBK CSV stays GBK). Returns the files written."""
    src, dst = Path(src), Path(dst)
    written = []
    for p in sorted(src.rglob("*")):
        if not p.is_file() or p.suffix.lower() in skip or "__pycache__" in p.parts:
            continue
        rel = Path(*(a.name(part) for part in p.relative_to(src).parts))
        out = dst / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        suffix = p.suffix.lower()
        if suffix in _TEXT:
            raw = p.read_bytes()
            text, enc = _decode(raw)
            if enc != "gb18030":  # UTF-8 stays UTF-8 (with its BOM if it had one)
                enc = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
            out.write_bytes(a.text(text).encode(enc))
        elif suffix == ".xlsx":
            _xlsx(p, out, a)
        else:
            shutil.copy2(p, out)
        written.append(out)
    return written


def copy_tree(src: str | Path, dst: str | Path, *, skip: Iterable[str] = (".py", ".pyc")) -> None:
    """Copy ``src`` to ``dst`` unchanged (the real data sets beside an anonymised one)."""
    skip = tuple(skip)
    shutil.copytree(src, dst, dirs_exist_ok=True,
                    ignore=lambda d, names: [n for n in names if n.endswith(skip) or n == "__pycache__"])
