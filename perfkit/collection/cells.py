"""Where a value came from: the workbook, sheet and cell a clerk can open (``交通局.xlsx 数据!D17``).

Rows read by :func:`perfkit.io.read.read_table` keep ``_file``, ``_sheet`` and ``_row``;
rows ingested from returned files (:mod:`perfkit.collection.ingest`) also keep ``_cell``, the
A1 reference of the value cell. :func:`cell_ref` turns either into a :class:`Cell` for any
column, looking the column's letter up in the file's header row when it has to.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from perfkit.collection.layout import META_SHEET, TEMPLATE_LETTERS

__all__ = ["Cell", "cell_ref", "column_letters"]


@dataclass(frozen=True)
class Cell:
    """One cell of a returned file.

    Attributes
    ----------
    file
        The file's path (shown by its name).
    sheet
        Sheet name (``""`` for CSV and Parquet).
    row
        The row number a person sees (the header is row 1 in a free-form table).
    column
        The column's name in the table (``value``, ``unit_id`` ...).
    letter
        The column's letter (``E``), when known.
    """

    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    letter: str = ""

    @property
    def ref(self) -> str:
        """``E79`` (``row 79, column value`` when the letter is unknown; ``E:E`` for a whole column)."""
        if self.row is None:
            return f"{self.letter}:{self.letter}" if self.letter else ""
        if self.letter:
            return f"{self.letter}{self.row}"
        return f"row {self.row}" + (f", column {self.column}" if self.column else "")

    def __str__(self) -> str:
        name = Path(self.file).name if self.file else ""
        ref = self.ref
        if not ref:
            return name
        if self.sheet and self.letter:
            return f"{name} {self.sheet}!{ref}".strip()
        if self.sheet:
            return f"{name} {self.sheet}: {ref}".strip()
        return f"{name} {ref}".strip()


@lru_cache(maxsize=512)
def _letters(file: str, sheet: str, mtime: float) -> dict[str, str]:
    path = Path(file)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            if META_SHEET in wb.sheetnames:
                return dict(TEMPLATE_LETTERS)
            ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
            header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        finally:
            wb.close()
    elif suffix in (".csv", ".txt"):
        header = pd.read_csv(path, nrows=0, dtype=str, encoding=_encoding(path)).columns
    elif suffix == ".parquet":
        return {}  # a Parquet file has no cell letters
    else:
        return {}
    return {str(h).strip(): get_column_letter(i + 1) for i, h in enumerate(header) if h is not None}


def _encoding(path: Path) -> str:
    head = path.read_bytes()[:65536]
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        return "utf-8-sig" if exc.start > len(head) - 4 else "gb18030"


def column_letters(file: str | Path, sheet: str = "") -> dict[str, str]:
    """Column name -> letter for the table in ``file`` (its header row; a perfkit template's
    fixed layout). Unknown or unreadable files give ``{}``."""
    path = Path(file)
    try:
        return _letters(str(path), str(sheet or ""), path.stat().st_mtime)
    except (OSError, ValueError, KeyError, StopIteration, UnicodeDecodeError):
        return {}
    except Exception:  # noqa: BLE001 - a damaged file only costs the letter, never the report
        return {}


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def cell_ref(row: Any, column: str = "value") -> Cell:
    """The :class:`Cell` of ``column`` in one table row (a mapping or a pandas row with
    ``_file``, ``_sheet``, ``_row`` and, for ingested rows, ``_cell``)."""
    file, sheet = _text(row.get("_file")), _text(row.get("_sheet"))
    r = row.get("_row")
    rownum = None if r is None or pd.isna(r) else int(r)
    if column == "value" and _text(row.get("_cell")):
        ref = _text(row.get("_cell"))
        letter = ref.rstrip("0123456789")
        return Cell(file, sheet, int(ref[len(letter):]), column, letter)
    letter = column_letters(file, sheet).get(column, "") if file and not file.startswith("<") else ""
    return Cell(file, sheet, rownum, column, letter)
