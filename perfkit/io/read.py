"""Reading tables from CSV (UTF-8 or GBK/GB18030, detected), XLSX and Parquet.

Every row read keeps where it came from in three columns, ``_file``, ``_sheet`` and
``_row`` (the row number a person sees in Excel or a text editor: the header is row 1), so
a validation message can point at the cell to fix.

CSV and XLSX cells are read as text (conversion and its errors come later, with row
numbers); Parquet columns keep the types the file stores (a number column stays numbers).
Nothing is turned into "no value" on the way: ``NaN``, ``NA`` or ``#N/A`` typed in a cell
stay text, so that validation can say what was typed. Reading is column-wise throughout
(XLSX with calamine), so a million-row table reads in seconds.

Three things about a file's layout are kept for validation: its header as typed
(``df.attrs["header"]``), and the cells of an XLSX sheet holding a formula without a
calculated result (``df.attrs["cell_notes"]``); a header naming a column twice is an
error here.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import pandas as pd
import python_calamine

from perfkit.errors import DataError

__all__ = ["read_table", "detect_encoding", "sheet_names", "CellNote", "SOURCE_COLUMNS", "TABLE_SUFFIXES"]

SOURCE_COLUMNS = ("_file", "_sheet", "_row")
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet", ".txt")
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class CellNote:
    """A cell the reader could not take at face value, for validation to report."""

    table: str
    file: str
    sheet: str
    row: int
    column: str
    message: str
    hint: str
    code: str


def detect_encoding(path: Path) -> str:
    """Return ``"utf-8-sig"`` if the file decodes as UTF-8, else ``"gb18030"`` (a superset
    of GBK and GB2312), else raise :class:`DataError`."""
    return _decode(Path(path).read_bytes(), path)[1]


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    for enc in _ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError("the file is neither UTF-8 nor GBK/GB18030 text", where=[str(path)],
                    hint="save it as CSV UTF-8 (Excel: 'CSV UTF-8 (逗号分隔)')")


def sheet_names(path: str | Path) -> list[str]:
    """The sheet names of a workbook, in order; a damaged file is a located error."""
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
        wb.close()
        return names
    except Exception as exc:  # noqa: BLE001 - a damaged workbook becomes a located error
        raise DataError(f"cannot open the workbook: {type(exc).__name__}: {exc}", where=[str(path)],
                        hint="open it in Excel and save it again as .xlsx") from None


def read_table(path: str | Path, *, sheet: str | int | None = None, dtype=str) -> pd.DataFrame:
    """Read one table, all CSV and XLSX cells as text by default (``dtype=str``); Parquet
    columns keep their stored types. Empty files raise :class:`DataError`, and so does a
    header that names a column twice."""
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", where=[str(path)])
    if not path.is_file():
        raise DataError("this is a folder, not a table file", where=[str(path)],
                        hint="a table is one .csv, .xlsx or .parquet file")
    suffix = path.suffix.lower()
    notes: list[tuple] = []
    try:
        if suffix in (".csv", ".txt"):
            df, header, encoding = _read_csv(path, dtype)
            df.attrs["encoding"] = encoding
            sheet_name = ""
        elif suffix == ".xlsx":
            df, header, sheet_name = _read_xlsx(path, sheet, dtype)
            notes = _formula_cells(path, sheet_name, header)
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
            header = [str(c) for c in df.columns]
            sheet_name = ""
        else:
            raise DataError(f"unsupported file type {suffix!r}", where=[str(path)],
                            hint="use .csv, .xlsx or .parquet")
    except DataError:
        raise
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", where=[str(path)],
                        hint="export the table again with its header row") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes a located error
        raise DataError(f"cannot read: {type(exc).__name__}: {exc}", where=[str(path)]) from None
    header = [str(c).strip() for c in header]
    _no_duplicate_columns(header, path, suffix, sheet_name)
    df.columns = header
    df = df.reset_index(drop=True)
    df.attrs.update(file=str(path), sheet=str(sheet_name), header=tuple(header),
                    cell_notes=tuple(("", str(path), str(sheet_name), *n) for n in notes))
    df["_file"] = str(path)
    df["_sheet"] = str(sheet_name)
    df["_row"] = df.index + 2
    return df


def _read_csv(path: Path, dtype) -> tuple[pd.DataFrame, list[str], str]:
    data = path.read_bytes()
    text, enc = _decode(data, path)
    if not text.strip():
        raise DataError("the file is empty", where=[str(path)], hint="export the table again with its header row")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = next(csv.reader([first]), [])
    df = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=dtype, keep_default_na=False, na_values=[""],
                     skipinitialspace=True)
    if len(header) != len(df.columns):
        header = [str(c) for c in df.columns]
    return df, header, "utf-8" if enc == "utf-8-sig" else enc


def _read_xlsx(path: Path, sheet: str | int | None, dtype) -> tuple[pd.DataFrame, list[str], str]:
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - a damaged workbook becomes a located error
        raise DataError(f"cannot open the workbook: {type(exc).__name__}: {exc}", where=[str(path)],
                        hint="open it in Excel and save it again as .xlsx") from None
    try:
        names = list(wb.sheet_names)
        if sheet is None or isinstance(sheet, int):
            idx = sheet or 0
            if idx >= len(names):
                raise DataError(f"no sheet number {idx + 1}", where=[str(path)],
                                hint=f"sheets: {', '.join(names)}")
            name = names[idx]
        elif sheet in names:
            name = sheet
        else:
            raise DataError(f"no sheet {sheet!r}", where=[str(path)], hint=f"sheets: {', '.join(names)}")
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    finally:
        wb.close()
    while rows and all(c in ("", None) for c in rows[-1]):
        rows.pop()
    if not rows:  # an empty sheet: a table with nothing in it this round
        return pd.DataFrame(), [], name
    header = [_header_cell(c) for c in rows[0]]
    while header and header[-1] == "" and all(len(r) < len(header) or r[len(header) - 1] in ("", None)
                                              for r in rows[1:]):
        header.pop()
    width = len(header)
    body = [r[:width] + [""] * (width - len(r)) if len(r) != width else r for r in rows[1:]]
    df = pd.DataFrame(body, columns=range(width), dtype=object)
    if dtype is str:
        df = pd.DataFrame({c: _as_text(df[c]) for c in df.columns})
    return df, header, name


def _header_cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def _as_text(col: pd.Series) -> pd.Series:
    """A sheet column as text as a person reads it: ``95`` not ``95.0``, empty -> <NA>."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    shown = [_cell_text(u) for u in uniques] + [None]
    out = pd.Series(pd.array(shown, dtype="string").take(codes, allow_fill=False) if len(shown) else [],
                    dtype="string")
    return out.where(out != "", pd.NA)


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def _no_duplicate_columns(header: list[str], path: Path, suffix: str, sheet: str) -> None:
    counts = Counter(h for h in header if h)
    dup = [h for h, n in counts.items() if n > 1]
    if not dup:
        return
    h = dup[0]
    at = [i for i, c in enumerate(header) if c == h]
    cols = ", ".join(_letters(i) for i in at) if suffix == ".xlsx" else ", ".join(str(i + 1) for i in at)
    raise DataError(f"column {h!r} appears {len(at)} times in the header "
                    f"({'columns' if suffix == '.xlsx' else 'positions'} {cols})",
                    where=[str(path)] + ([f"sheet {sheet}"] if sheet else []),
                    hint="delete or rename the extra column: only one of them could be read")


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_CELL = re.compile(r"([A-Z]+)(\d+)")
#: how a formula element can start in a sheet's XML (with or without a namespace prefix)
_FORMULA_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")


def _sheet_member(zf: zipfile.ZipFile, sheet: str) -> str | None:
    wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(f"{{{_NS['r']}}}id") for s in wb.iterfind("m:sheets/m:sheet", _NS) if s.get("name") == sheet),
               None)
    if rid is None:
        return None
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iterfind("rel:Relationship", _NS) if r.get("Id") == rid), None)
    if target is None:
        return None
    target = target.lstrip("/")
    return target if target.startswith("xl/") else str(PurePosixPath("xl") / target)


def _formula_cells(path: Path, sheet: str, header: list[str]) -> list[tuple]:
    """Cells of ``sheet`` holding a formula with no calculated result (a workbook written
    by a program that does not calculate): ``(row, column, message, hint, code)``.
    A sheet without formulas is passed over after one scan of its bytes."""
    try:
        with zipfile.ZipFile(path) as zf:
            member = _sheet_member(zf, sheet)
            if member is None or member not in zf.namelist():
                return []
            with zf.open(member) as fh:
                tail, seen = b"", False
                for chunk in iter(lambda: fh.read(1 << 22), b""):
                    buf = tail + chunk
                    if any(tag in buf for tag in _FORMULA_TAGS):
                        seen = True
                        break
                    tail = chunk[-16:]
            if not seen:
                return []
            out = []
            with zf.open(member) as fh:
                for _, el in ElementTree.iterparse(fh):
                    if el.tag != f"{{{_NS['m']}}}c":
                        continue
                    f = el.find("m:f", _NS)
                    if f is not None:
                        v = el.find("m:v", _NS)
                        if v is None or not (v.text or "").strip():
                            m = _CELL.fullmatch(el.get("r", ""))
                            if m:
                                col = _column_index(m[1])
                                name = header[col] if col < len(header) else m[1]
                                formula = (f.text or "").strip()
                                shown = f" (={formula})" if formula else ""
                                out.append((int(m[2]), name,
                                            f"the cell {m[1]}{m[2]} holds a formula{shown} with no calculated result "
                                            "(the workbook was saved by a program that does not calculate formulas)",
                                            "open the workbook in Excel or WPS and save it again, or type the value",
                                            "formula_no_result"))
                    el.clear()
            return out
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return []


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
