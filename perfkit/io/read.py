"""Reading tables from CSV (UTF-8 or GBK/GB18030, detected), XLSX and Parquet.

Every row read keeps where it came from in three columns, ``_file``, ``_sheet`` and
``_row`` (the row number a person sees in Excel or a text editor: the header is row 1), so
a validation message can point at the cell to fix.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from perfkit.errors import DataError

__all__ = ["read_table", "detect_encoding", "SOURCE_COLUMNS", "TABLE_SUFFIXES"]

SOURCE_COLUMNS = ("_file", "_sheet", "_row")
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet", ".txt")
_ENCODINGS = ("utf-8-sig", "gb18030")


def detect_encoding(path: Path) -> str:
    """Return ``"utf-8-sig"`` if the file decodes as UTF-8, else ``"gb18030"`` (a superset
    of GBK and GB2312), else raise :class:`DataError`."""
    data = Path(path).read_bytes()
    for enc in _ENCODINGS:
        try:
            data.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise DataError("the file is neither UTF-8 nor GBK/GB18030 text", where=[str(path)],
                    hint="save it as CSV UTF-8 (Excel: 'CSV UTF-8 (逗号分隔)')")


def read_table(path: str | Path, *, sheet: str | int | None = None, dtype=str) -> pd.DataFrame:
    """Read one table, all cells as text by default (conversion and its errors come later,
    with row numbers). Empty files raise :class:`DataError`."""
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", where=[str(path)])
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            enc = detect_encoding(path)
            if not path.read_bytes().strip():
                raise DataError("the file is empty", where=[str(path)],
                                hint="export the table again with its header row")
            df = pd.read_csv(path, dtype=dtype, encoding=enc, keep_default_na=False,
                             na_values=["", "NA", "N/A", "NaN", "#N/A", "null"], skipinitialspace=True)
            df.attrs["encoding"] = "utf-8" if enc == "utf-8-sig" else enc
            sheet_name = ""
        elif suffix == ".xlsx":
            sheet_name = 0 if sheet is None else sheet
            df = pd.read_excel(path, sheet_name=sheet_name, dtype=dtype, engine="openpyxl")
            if isinstance(sheet_name, int):

                wb = openpyxl.load_workbook(path, read_only=True)
                sheet_name = wb.sheetnames[sheet_name]
                wb.close()
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
            if dtype is str:
                df = df.astype({c: "object" for c in df.columns})
                df = df.map(lambda v: v if v is None or (isinstance(v, float) and v != v) else str(v))
            sheet_name = ""
        else:
            raise DataError(f"unsupported file type {suffix!r}", where=[str(path)],
                            hint="use .csv, .xlsx or .parquet")
    except DataError:
        raise
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", where=[str(path)],
                        hint="export the table again with its header row") from None
    except ValueError as exc:
        if "Worksheet" in str(exc) or "sheet" in str(exc).lower():
            raise DataError(f"no sheet {sheet!r}", where=[str(path)], hint=str(exc)) from None
        raise DataError(f"cannot read: {exc}", where=[str(path)]) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes a located error
        raise DataError(f"cannot read: {type(exc).__name__}: {exc}", where=[str(path)]) from None
    df.columns = [str(c).strip() for c in df.columns]
    df = df.reset_index(drop=True)
    df.attrs["file"] = str(path)
    df["_file"] = str(path)
    df["_sheet"] = str(sheet_name)
    df["_row"] = df.index + 2
    return df
