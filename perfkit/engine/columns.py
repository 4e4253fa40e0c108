"""Checking whole columns at once, for :mod:`perfkit.engine.validate`.

An id column becomes integer codes into its distinct ids (:class:`Ids`), so that every
check runs once per distinct id; a number column is parsed in one pass, and only the cells
that fail it are looked at as text (:func:`numeric`); a kernel is tried on a whole column,
and only when it fails are its halves tried, down to the rows it rejects (:func:`trial`).
A :class:`Problem` is built only for a row that fails (:meth:`Collector.rows`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from perfkit.errors import did_you_mean
from perfkit.io.round import REQUIRED

__all__ = ["Problem", "Collector", "Ids", "NA_TOKENS", "MISSING_HINT", "codes_of", "id_texts", "member",
           "per_distinct", "cell_text", "numeric", "numeric_cells", "require", "duplicates", "unit_check", "prepare",
           "keep_rows", "check_known", "trial", "near"]

#: Cell texts read as "no value" (with a warning naming what was typed), case-insensitive.
NA_TOKENS = frozenset({"nan", "na", "n/a", "#n/a", "null", "none"})
#: Excel's error values: a formula that failed, never a number.
_EXCEL_ERRORS = frozenset({"#div/0!", "#value!", "#ref!", "#num!", "#name?", "#null!", "#getting_data",
                           "#spill!", "#calc!"})
MISSING_HINT = "it counts as missing (0 points in a points scheme)"
@dataclass(frozen=True)
class Problem:
    """One problem found in the data.

    Attributes
    ----------
    severity
        ``"error"`` (evaluate refuses the data) or ``"warning"``.
    table, file, sheet, row, column
        Where: the table, and as far as known the file, sheet, row (as a person sees it in
        Excel: the header is row 1) and column.
    message, hint
        What is wrong and what to do about it.
    code
        What kind of problem (``"empty_value"``, ``"no_value"``, ``"na_text"`` ...), for
        summaries.
    costs_points
        A warning that changes some unit's score (a value counted as missing, a value that
        distorts a normalisation, points rescaled): :func:`perfkit.evaluate` and
        ``perfkit evaluate`` summarise these.
    """

    severity: str  # "error" | "warning"
    table: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    hint: str = ""
    code: str = ""
    costs_points: bool = False

    @property
    def location(self) -> str:
        parts = [self.file or self.table]
        if self.sheet and (self.sheet != self.table or self.file.lower().endswith(".xlsx")):
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ": ".join(parts)

    def __str__(self) -> str:
        text = f"{self.severity}: {self.location}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


# ---------------------------------------------------------------------------- collecting problems
class Collector:
    """Problems as they are found; ``rows`` builds one per failing row of a table."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, severity: str, table: str, message: str, row: Any = None, column: str = "", hint: str = "",
            *, code: str = "", costs: bool = False) -> None:
        file = sheet = ""
        rownum = None
        if row is not None:
            file, sheet, rownum = str(row.get("_file", "")), str(row.get("_sheet", "")), row.get("_row")
            rownum = int(rownum) if rownum is not None and not pd.isna(rownum) else None
        self.items.append(Problem(severity, table, message, file, sheet, rownum, column, hint, code, costs))

    def note(self, severity: str, table: str, message: str, *, file: str = "", hint: str = "", code: str = "",
             costs: bool = False) -> None:
        """A problem without a row (a whole table, a unit or an indicator)."""
        self.items.append(Problem(severity, table, message, file, "", None, "", hint, code, costs))

    def rows(self, severity: str, table: str, df: pd.DataFrame, mask: np.ndarray, message: str | Iterable[str],
             column: str | Iterable[str], hint: str | Iterable[str] = "", *, code: str = "",
             costs: bool = False) -> None:
        """One problem per row of ``df`` where ``mask`` holds; ``message``, ``column`` and
        ``hint`` are one text for all or one per failing row."""
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(pos):
            return
        files = _col(df, "_file", pos)
        sheets = _col(df, "_sheet", pos)
        nums = pd.to_numeric(pd.Series(_col(df, "_row", pos)), errors="coerce").to_numpy()
        msgs = [message] * len(pos) if isinstance(message, str) else list(message)
        cols = [column] * len(pos) if isinstance(column, str) else list(column)
        hints = [hint] * len(pos) if isinstance(hint, str) else list(hint)
        for f, s, r, m, c, h in zip(files, sheets, nums, msgs, cols, hints):
            self.items.append(Problem(severity, table, m, "" if f is None else str(f), "" if s is None else str(s),
                                      None if np.isnan(r) else int(r), c, h, code, costs))

    def table_level(self, severity: str, table: str, df: pd.DataFrame, message: str, hint: str = "") -> None:
        file = str(df["_file"].iloc[0]) if "_file" in df and len(df) else str(df.attrs.get("file", ""))
        self.items.append(Problem(severity, table, message, file, "", None, "", hint))


def _col(df: pd.DataFrame, name: str, pos: np.ndarray) -> np.ndarray:
    if name not in df:
        return np.full(len(pos), None, dtype=object)
    return df[name].iloc[pos].to_numpy(dtype=object)


# ---------------------------------------------------------------------------- column helpers
class Ids:
    """An id column as integer codes into its distinct ids (stripped; code -1: empty), so
    that each check runs once per distinct id, not once per row."""

    def __init__(self, series: pd.Series) -> None:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        names: list[str] = []
        index: dict[str, int] = {}
        remap = np.full(len(uniques) + 1, -1, dtype=np.int64)
        changed = False
        for k, u in enumerate(uniques):
            c = _strip_one(u)
            changed = changed or c != u
            if c is not None:
                remap[k] = index.setdefault(c, len(index))
                if remap[k] == len(names):
                    names.append(c)
        self.codes = remap[codes]
        self.names = np.array(names, dtype=object)
        self.changed = changed

    def values(self) -> np.ndarray:
        """The ids row by row (object array, ``None`` for empty)."""
        return np.append(self.names, None)[self.codes] if len(self.codes) else np.zeros(0, dtype=object)

    def member(self, allowed: Iterable[Any]) -> np.ndarray:
        allowed = set(allowed)
        return np.append(np.array([n in allowed for n in self.names], dtype=bool), False)[self.codes]

    def empty(self) -> np.ndarray:
        return self.codes < 0

    def keep(self, mask: np.ndarray) -> Ids:
        new = object.__new__(Ids)
        new.codes, new.names, new.changed = self.codes[np.asarray(mask, dtype=bool)], self.names, self.changed
        return new

    def at(self, mask: np.ndarray) -> np.ndarray:
        """The ids of the rows where ``mask`` holds."""
        return np.append(self.names, None)[self.codes[np.asarray(mask, dtype=bool)]]


def id_texts(series: pd.Series) -> np.ndarray:
    """Ids as stripped text (object array), ``None`` for empty cells; each distinct id is
    handled once."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    clean = np.array([_strip_one(u) for u in uniques] + [None], dtype=object)
    return clean[codes]  # code -1 takes the trailing None


def _strip_one(v: Any) -> str | None:
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # an id column read as numbers (Parquet, Excel) keeps its written form
    s = str(v).strip()
    return s or None


def codes_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct values (``None`` gets code -1)."""
    return pd.factorize(values, use_na_sentinel=True)


def member(values: np.ndarray, allowed: Iterable[Any]) -> np.ndarray:
    """``values[i] in allowed``, decided once per distinct value."""
    allowed = set(allowed)
    codes, uniques = codes_of(values)
    ok = np.array([u in allowed for u in uniques] + [False], dtype=bool)
    return ok[codes]


def per_distinct(values: np.ndarray, make: Callable[[Any], str]) -> list[str]:
    """``make(v)`` for each value, computed once per distinct value."""
    cache: dict[Any, str] = {}
    return [cache[v] if v in cache else cache.setdefault(v, make(v)) for v in values]


def cell_text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text (pandas string dtype), ``<NA>`` for empty cells."""
    if raw.dtype == object:
        raw = raw.map(lambda v: v if isinstance(v, str) else _num_text(v), na_action="ignore")
    text = raw.astype("string").str.strip()
    return text.where(text != "", pd.NA)


def _num_text(v: Any) -> str:
    return repr(float(v)) if isinstance(v, float) else str(v)


_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?%?$"
_FINITE_HINT = "write the actual figure (an infinite or overflowing number is a typing or export error)"


def numeric(df: pd.DataFrame, col: str, table: str, out: Collector, *, required: bool = True,
             what: str = "a number", percent_points: np.ndarray | None = None, costs: bool = False,
             skip: np.ndarray | None = None) -> pd.Series:
    """Convert a column to float, reporting each cell that is not a finite number.

    Accepts thousands separators (``1,234.5``) and a trailing ``%`` (``5.2%`` is 0.052,
    or 5.2 where ``percent_points`` marks the row's indicator as measured in percent).
    A decimal comma (``8,5``) is refused rather than read as 85; ``inf`` and numbers too
    large for a float (``1.2e400``) are refused; ``NaN``, ``NA``, ``null`` ... typed in a
    cell are read as no value, with a warning (``costs``: it costs the unit points).
    Rows where ``skip`` holds are converted but not reported.

    The column is parsed as numbers in one pass; only the cells that fail it are looked
    at as text.
    """
    return numeric_cells(df, col, table, out, required=required, what=what, percent_points=percent_points,
                          costs=costs, skip=skip)[0]


def numeric_cells(df: pd.DataFrame, col: str, table: str, out: Collector, *, required: bool = True,
                   what: str = "a number", percent_points: np.ndarray | None = None, costs: bool = False,
                   skip: np.ndarray | None = None) -> tuple[pd.Series, np.ndarray]:
    """:func:`_numeric`, and which cells were empty."""
    n = len(df)
    if col not in df:
        return pd.Series(np.full(n, np.nan), index=df.index), np.ones(n, dtype=bool)
    raw = df[col]
    quiet = np.zeros(n, dtype=bool) if skip is None else np.asarray(skip, dtype=bool)
    if pd.api.types.is_bool_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
        num = np.array(raw.astype(float).to_numpy(dtype=float, na_value=np.nan))
        empty = np.isnan(num)
        rest = np.zeros(n, dtype=bool)
    else:
        num = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)
        present = raw.notna().to_numpy(dtype=bool)
        rest = np.isnan(num) & present
        empty = ~present
    raw_obj = None
    if rest.any():
        pos = np.flatnonzero(rest)
        sub = raw.iloc[pos]
        raw_obj = sub.to_numpy(dtype=object)
        text = cell_text(sub)
        blank = text.isna().to_numpy(dtype=bool)
        has_comma = text.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
        thousands = text.str.match(_THOUSANDS).fillna(False).to_numpy(dtype=bool) & has_comma
        decimal_comma = has_comma & ~thousands
        clean = text.str.replace(",", "", regex=False)
        pct = clean.str.endswith("%").fillna(False).to_numpy(dtype=bool)
        clean = clean.where(~pct, clean.str.slice(0, -1))
        sub_num = np.asarray(pd.to_numeric(clean.astype(object).where(~decimal_comma, None), errors="coerce"),
                             dtype=float)
        if pct.any():
            in_pct = np.zeros(len(pos), dtype=bool) if percent_points is None else \
                np.asarray(percent_points, dtype=bool)[pos]
            sub_num = np.where(pct & ~in_pct, sub_num / 100.0, sub_num)
        num[pos] = sub_num
        empty[pos] = blank
        bad = np.isnan(sub_num) & ~blank & ~decimal_comma
        lowered = np.array([str(v).strip().lower() if b else "" for v, b in zip(raw_obj, bad)], dtype=object)
        na_typed = bad & np.isin(lowered, list(NA_TOKENS))
        excel_err = bad & np.isin(lowered, list(_EXCEL_ERRORS))
        not_number = bad & ~na_typed & ~excel_err
        q = quiet[pos]

        def at(mask: np.ndarray) -> np.ndarray:
            full = np.zeros(n, dtype=bool)
            full[pos[mask & ~q]] = True
            return full

        out.rows("error", table, df, at(decimal_comma),
                 [f"{v!r} has a comma that is not a thousands separator (a decimal comma?)"
                  for v in raw_obj[decimal_comma & ~q]], col, "write decimals with a point, e.g. 8.5",
                 code="decimal_comma")
        out.rows("error", table, df, at(not_number), [f"{v!r} is not {what}" for v in raw_obj[not_number & ~q]],
                 col, "write a plain number (no units or text)", code="not_number")
        out.rows("error", table, df, at(excel_err),
                 [f"the cell holds Excel's error value {v!r} (a formula that failed), not {what}"
                  for v in raw_obj[excel_err & ~q]], col, "fix the formula in the workbook, or type the value",
                 code="excel_error")
        if required:
            out.rows("error", table, df, at(na_typed), [f"{v!r} typed in the cell is not {what}"
                                                    for v in raw_obj[na_typed & ~q]], col, f"fill in {what}",
                     code="empty_cell")
        else:
            out.rows("warning", table, df, at(na_typed),
                     [f"{v!r} typed in the cell is read as no value" for v in raw_obj[na_typed & ~q]], col,
                     "leave the cell empty for no value, or fill in the figure"
                     + ("; " + MISSING_HINT if costs else ""), code="na_text", costs=costs)
    inf = np.isinf(num)
    if inf.any():
        shown = raw.to_numpy(dtype=object)[inf & ~quiet]
        out.rows("error", table, df, inf & ~quiet, [f"{v!r} is not a finite number" for v in shown], col, _FINITE_HINT,
                 code="not_finite")
        num = np.where(inf, np.nan, num)
    if required:
        out.rows("error", table, df, empty & ~quiet, "empty cell", col, f"fill in {what}", code="empty_cell")
    return pd.Series(num, index=df.index), empty


def require(df: pd.DataFrame, name: str, out: Collector) -> bool:
    missing = [c for c in REQUIRED[name] if c not in df.columns]
    if missing:
        have = [c for c in df.columns if not c.startswith("_")]
        hints = "; ".join(f"{m}{did_you_mean(m, have)}" for m in missing)
        out.table_level("error", name, df, f"missing column(s): {hints}",
                        f"the {name} table needs columns {', '.join(REQUIRED[name])}")
        return False
    return True


def duplicates(df: pd.DataFrame, keys: list[str], table: str, out: Collector,
                codes: Mapping[str, Ids] | None = None) -> np.ndarray:
    """Rows repeating the keys of an earlier row (each reported with where that row is)."""
    n = len(df)
    if not n:
        return np.zeros(0, dtype=bool)
    key = np.zeros(n, dtype=np.int64)
    for k in keys:
        ids = codes[k] if codes and k in codes else Ids(df[k])
        key = key * (len(ids.names) + 1) + (ids.codes + 1)
    dup = pd.Index(key).duplicated(keep="first")
    if dup.any():
        pos = np.flatnonzero(dup)
        firsts = pd.Series(np.arange(n)).groupby(key).transform("first").to_numpy()
        files = df["_file"].to_numpy(dtype=object) if "_file" in df else np.full(n, "", dtype=object)
        rows = df["_row"].to_numpy(dtype=object) if "_row" in df else np.arange(n) + 2
        vals = {k: df[k].to_numpy(dtype=object) for k in keys}
        msgs = []
        for i in pos:
            j = firsts[i]
            where = f"row {rows[j]}" if files[j] == files[i] else f"{files[j]} row {rows[j]}"
            msgs.append(f"duplicate row for {', '.join(f'{k}={vals[k][i]}' for k in keys)} (first seen at {where})")
        out.rows("error", table, df, dup, msgs, keys[-1], "delete one of the two rows", code="duplicate")
    return dup


def unit_check(df: pd.DataFrame, table: str, known: list[str], out: Collector,
                ids: Ids | None = None) -> np.ndarray:
    ids = ids or Ids(df["unit_id"])
    ok = ids.member(known)
    empty = ids.empty()
    out.rows("error", table, df, empty, "empty unit_id", "unit_id", "fill in the unit's id", code="empty_id")
    unknown = ~ok & ~empty
    out.rows("error", table, df, unknown,
             per_distinct(ids.at(unknown), lambda u: f"unknown unit {u!r}{did_you_mean(u, known)}"), "unit_id",
             "use an id from the units table", code="unknown_unit")
    return ok


def prepare(df: pd.DataFrame, id_cols: Iterable[str]) -> pd.DataFrame:
    """A positional copy of a table with its id columns as stripped text (a column whose
    ids need no stripping is kept as it is)."""
    df = df.reset_index(drop=True)
    cols = {}
    for c in id_cols:
        if c in df:
            ids = Ids(df[c])
            if ids.changed or df[c].isna().any():
                cols[c] = ids.values()
    return df.assign(**cols) if cols else df.copy()


def keep_rows(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    return df.loc[np.asarray(mask, dtype=bool)].reset_index(drop=True)


def near(name: str, choices: Iterable[str]) -> str | None:
    """The choice ``name`` is one slip away from (a letter wrong, missing, extra or two
    swapped; two slips in a long name), case aside; ``None`` if there is none.

    >>> near("valeu", ["value", "target"]), near("GDP_group", ["group"])
    ('value', None)
    """
    a = name.lower()
    best, best_d = None, None
    for c in choices:
        b = str(c).lower()
        limit = 1 if max(len(a), len(b)) <= 7 else 2
        if abs(len(a) - len(b)) > limit:
            continue
        d = _osa(a, b)
        if d <= limit and (best_d is None or d < best_d):
            best, best_d = str(c), d
    return best


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent transpositions)."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def trial(func: Callable, arrays: Mapping[str, np.ndarray], kw: Mapping[str, Any]) -> list[tuple[int, str]]:
    """Positions (and the kernel's message) of the rows ``func`` rejects: the whole column
    is tried once; only when it fails are its halves tried, down to the failing rows."""
    n = len(next(iter(arrays.values()))) if arrays else 0
    if not n:
        return []

    def fails(lo: int, hi: int) -> str | None:
        try:
            with np.errstate(all="ignore"):
                func(**{k: v[lo:hi] for k, v in arrays.items()}, **kw)
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            return str(exc)
        return None

    whole = fails(0, n)
    if whole is None:
        return []
    found: list[tuple[int, str]] = []
    stack = [(0, n // 2), (n // 2, n)] if n > 1 else []
    if n == 1:
        return [(0, whole)]
    while stack:
        lo, hi = stack.pop()
        msg = fails(lo, hi)
        if msg is None:
            continue
        if hi - lo == 1:
            found.append((lo, msg))
            continue
        mid = (lo + hi) // 2
        stack.extend([(mid, hi), (lo, mid)])
    if not found:  # the column as a whole fails, but no row alone does
        found.append((-1, whole))
    return sorted(found)




def check_known(out: Collector, table: str, df: pd.DataFrame, column: str, allowed: Iterable[str], what: str, *,
          hint: str = "", code: str = "") -> np.ndarray:
    """Rows whose ``column`` is one of ``allowed``; every other row is reported as
    ``unknown <what> 'x' (did you mean 'y'?)`` (one suggestion per distinct value)."""
    allowed = list(allowed)
    values = df[column].to_numpy(dtype=object)
    ok = member(values, allowed)
    out.rows("error", table, df, ~ok,
             per_distinct(values[~ok], lambda x: f"unknown {what} {x!r}{did_you_mean(str(x), allowed)}"), column,
             hint, code=code)
    return ok
