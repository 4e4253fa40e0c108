"""Reading returned files (perfkit templates and free-form tables), every problem at its cell.

:func:`ingest` reads each file it is given:

* a perfkit template (:mod:`perfkit.collection.template`): recognised by its hidden
  metadata; refused with a clear message when it is of another round, collector or scheme,
  out of date, or its metadata were edited; every row found by its hidden id (rows moved or
  renamed are still recognised, with a warning); a protected cell changed, a row added,
  deleted or pasted from another template, or content outside the input cells is an error
  at that cell;
* a free-form table (CSV in UTF-8 or GBK, XLSX, Parquet): long (``unit_id, indicator_id,
  value``; Chinese headers such as 单位代码/指标代码/填报值 are understood) or wide (``unit_id``
  and one column per indicator id).

Then every value is checked against the scheme and the round — unknown unit or indicator
(with a "did you mean"), an indicator that does not apply to the unit, the same cell twice
(the same figure or two different ones), not a number, a grade not in the list, outside the
allowed range — and whatever else :func:`perfkit.validate_round` refuses is kept too, so
nothing the engine would reject passes. Each problem names its cell:
``gov_office.xlsx 数据填报!E79``.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from perfkit.collection import layout as L
from perfkit.collection.cells import Cell, column_letters
from perfkit.collection.duty import duty_cells
from perfkit.collection.figures import ReturnProblem, check_figures
from perfkit.collection.template import _locked_text, rows_digest, template_rows
from perfkit.errors import DataError, PerfkitError, did_you_mean
from perfkit.io.read import TABLE_SUFFIXES, read_table
from perfkit.io.round import RoundData, file_sha256
from perfkit.results import html_head, html_table
from perfkit.scheme import Scheme

__all__ = ["HEADER_ALIASES", "Ingestion", "ReturnProblem", "ReturnedFile", "ingest", "returned_files"]

#: Headers of free-form tables understood as perfkit's column names.
HEADER_ALIASES = {
    "unit_id": "unit_id", "单位代码": "unit_id", "单位id": "unit_id", "单位编码": "unit_id",
    "indicator_id": "indicator_id", "指标代码": "indicator_id", "指标id": "indicator_id", "指标编码": "indicator_id",
    "value": "value", "填报值": "value", "数值": "value", "值": "value", "实际值": "value", "完成值": "value",
    "note": "note", "备注": "note", "说明": "note",
    "round": "round", "年度": "round", "考评年度": "round",
    "collector_id": "collector_id", "牵头单位代码": "collector_id", "报送单位代码": "collector_id",
    "submitted_at": "submitted_at", "报送时间": "submitted_at",
}
_ROW_ID = re.compile(r"^[^|]+\|[^|]+\|[0-9a-f]{6}$")
_OUT_COLUMNS = ["round", "unit_id", "indicator_id", "value", "collector_id", "submitted_at", "note",
                "_file", "_sheet", "_row", "_cell"]


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class ReturnedFile:
    """One returned file as read: what it is, whose, how many figures, how many problems."""

    file: str
    kind: str  # "template" | "table" | "wide" | "unreadable"
    collector_id: str
    round: str
    rows: int
    errors: int
    warnings: int
    sha256: str
    deadline: str = ""
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Ingestion:
    """What :func:`ingest` read.

    Attributes
    ----------
    round
        The round the files were read for.
    values
        One row per figure read (``round, unit_id, indicator_id, value, collector_id,
        submitted_at, note`` and the source columns ``_file, _sheet, _row, _cell``), in the
        form :func:`perfkit.load_round` gives, so ``round_data`` can be evaluated.
    problems
        Every problem, located (errors first, then warnings, file by file).
    files
        One :class:`ReturnedFile` per file.
    """

    round: str
    values: pd.DataFrame
    problems: tuple[ReturnProblem, ...]
    files: tuple[ReturnedFile, ...]

    @property
    def errors(self) -> tuple[ReturnProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[ReturnProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def round_data(self, data: RoundData) -> RoundData:
        """``data`` with its values replaced by the figures read (ready for :func:`perfkit.evaluate`)."""
        return data.replace(values=self.values.copy(), round=self.round)

    def raise_for_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = len(self.errors) - 1
            raise DataError(first.message + (f" (and {more} more problem(s))" if more else ""),
                            where=[str(first.cell)], hint=first.hint("en"))

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """The problems as a table: severity, code, file, sheet, cell, message, hint."""
        rows = [{"severity": p.severity, "code": p.code, "file": Path(p.cell.file).name, "sheet": p.cell.sheet,
                 "cell": p.cell.ref, "location": str(p.cell), "message": p.text(lang), "hint": p.hint(lang)}
                for p in self.problems]
        return pd.DataFrame(rows, columns=["severity", "code", "file", "sheet", "cell", "location", "message", "hint"])

    def files_frame(self) -> pd.DataFrame:
        return pd.DataFrame([f.__dict__ for f in self.files])

    def __str__(self) -> str:
        head = (f"round {self.round}: {len(self.files)} file(s), {len(self.values)} figure(s), "
                f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join([*(str(p) for p in self.problems), head])

    def _repr_html_(self) -> str:
        return (html_head("Ingestion", {"round": self.round, "files": len(self.files), "figures": len(self.values),
                                        "errors": len(self.errors), "warnings": len(self.warnings)})
                + html_table(self.to_frame()))


# ---------------------------------------------------------------------- helpers
def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def _cell_value(v: Any) -> str | None:
    """A cell's content as the text a CSV would hold (``87``, ``70.7``, ``A``)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    text = str(v).strip()
    return text or None


def returned_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Files to read: the files given, and the table files of the folders given (sorted;
    Excel lock files ``~$...`` and hidden files skipped)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in TABLE_SUFFIXES
                              and not q.name.startswith(("~$", "."))))
        elif p.exists():
            out.append(p)
        else:
            raise DataError("file not found", where=[str(p)], hint="give returned files or a folder of them")
    return out


class _Sink:
    """Collects the problems of one ingestion."""

    def __init__(self) -> None:
        self.items: list[ReturnProblem] = []

    def add(self, severity: str, code: str, cell: Cell, **params: Any) -> None:
        self.items.append(ReturnProblem(severity, code, cell, params))


def _sheet_header(rows: list[tuple], wanted: Mapping[str, tuple[str, str]]) -> tuple[int, dict[str, int]] | None:
    """Find the template's header row among the first rows: (row number, key -> 0-based column)."""
    for n, row in enumerate(rows[:12], start=1):
        found: dict[str, int] = {}
        for j, v in enumerate(row):
            text = _text(v)
            if not text:
                continue
            for key, (zh, en) in wanted.items():
                if key not in found and (text.split("\n")[0].strip() == zh or text.endswith(en)):
                    found[key] = j
                    break
        if "value" in found and ("row_id" in found or "unit_id" in found):
            return n, found
    return None


# ---------------------------------------------------------------------- templates
class _Book:
    """A workbook's sheets as rows of cell values (calamine: fast, reads the values Excel
    saved; empty cells are ``None``), read once each."""

    def __init__(self, path: Path) -> None:
        self._wb = CalamineWorkbook.from_path(str(path))
        self.sheetnames = list(self._wb.sheet_names)
        self._rows: dict[str, list[tuple]] = {}

    def rows(self, name: str) -> list[tuple]:
        if name not in self._rows:
            raw = self._wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            self._rows[name] = [tuple(None if v == "" else v for v in r) for r in raw]
        return self._rows[name]


def _read_meta(wb: _Book) -> dict[str, str]:
    return {_text(r[0]): _text(r[1]) if len(r) > 1 else "" for r in wb.rows(L.META_SHEET) if r and r[0]}


def _find_data_sheet(wb: _Book, path: Path, out: _Sink) -> tuple[str, list[tuple]] | None:
    if L.DATA_SHEET in wb.sheetnames:
        return L.DATA_SHEET, wb.rows(L.DATA_SHEET)
    for name in wb.sheetnames:
        if name in (L.HELP_SHEET, L.META_SHEET):
            continue
        rows = wb.rows(name)
        if any(_ROW_ID.match(_text(v)) for r in rows[:50] for v in r):
            out.add("warning", "sheet_renamed", Cell(str(path), name), found=name, expected=L.DATA_SHEET)
            return name, rows
    out.add("error", "no_data_sheet", Cell(str(path)), expected=L.DATA_SHEET)
    return None


def _read_template(path: Path, wb, scheme: Scheme, duty: pd.DataFrame, rnd: str, expect_collector: str | None,
                   out: _Sink) -> tuple[pd.DataFrame, ReturnedFile]:
    file = str(path)
    meta = _read_meta(wb)
    collector = meta.get("collector_id", "")
    info = dict(file=file, kind="template", collector_id=collector, round=meta.get("round", ""), rows=0,
                errors=0, warnings=0, sha256="", deadline=meta.get("deadline", ""))
    empty = pd.DataFrame(columns=_OUT_COLUMNS)
    here = Cell(file)
    if meta.get("format") != L.FORMAT or meta.get("version") != L.VERSION:
        out.add("error", "wrong_format", here, found=f"{meta.get('format', '?')} {meta.get('version', '?')}",
                expected=f"{L.FORMAT} {L.VERSION}")
        return empty, ReturnedFile(**info)
    if meta.get("seal") != L.seal(meta):
        out.add("error", "meta_edited", Cell(file, L.META_SHEET))
        return empty, ReturnedFile(**info)
    if meta.get("round") != rnd:
        out.add("error", "wrong_round", here, found=meta.get("round", "?"), expected=rnd)
        return empty, ReturnedFile(**info)
    known = list(dict.fromkeys(duty["collector_id"]))
    if expect_collector and collector != expect_collector:
        out.add("error", "wrong_collector", here, found=collector, expected=expect_collector)
        return empty, ReturnedFile(**info)
    if collector not in known:
        out.add("error", "unknown_collector", here, found=collector, round=rnd,
                suggest=did_you_mean(collector, known).strip(" ()"))
        return empty, ReturnedFile(**info)
    if meta.get("scheme_id") != scheme.id:
        out.add("error", "wrong_scheme", here, found=meta.get("scheme_id", "?"), expected=scheme.id)
        return empty, ReturnedFile(**info)
    rows = template_rows(duty, collector, rnd)
    if meta.get("rows_digest") != rows_digest(rows):
        out.add("error", "outdated", here, round=rnd, collector=collector)
        return empty, ReturnedFile(**info)
    if meta.get("scheme_hash") != scheme.hash:
        out.add("warning", "scheme_changed", here, scheme=scheme.id)
    found = _find_data_sheet(wb, path, out)
    if found is None:
        return empty, ReturnedFile(**info)
    sheet, cells = found
    wanted = {key: (zh, en) for key, _, zh, en, _ in L.COLUMNS}
    header = _sheet_header(cells, wanted)
    if header is None or "row_id" not in header[1]:
        out.add("error", "header_missing", Cell(file, sheet))
        return empty, ReturnedFile(**info)
    head_row, col = header
    letter = {k: get_column_letter(j + 1) for k, j in col.items()}
    moved = [f"{wanted[k][0]} {L.TEMPLATE_LETTERS[k]}→{letter[k]}" for k in col if letter[k] != L.TEMPLATE_LETTERS[k]]
    if moved or head_row != L.HEADER_ROW:
        out.add("warning", "columns_moved", Cell(file, sheet, head_row), what=", ".join(moved) or f"row {head_row}")
    for key, (zh, en) in wanted.items():
        if key not in col and key != "no":
            out.add("error", "column_missing", Cell(file, sheet, head_row), column=f"{zh} {en}",
                    letter=L.TEMPLATE_LETTERS[key])
    last = max(col.values())
    expected = {r.row_id: (i, r) for i, r in enumerate(rows.itertuples(index=False))}
    seen: dict[str, int] = {}
    got = []
    moved_rows = 0
    for n, row in enumerate(cells[head_row:], start=head_row + 1):
        row = tuple(row) + (None,) * max(0, last + 1 - len(row))
        rid = _text(row[col["row_id"]])
        beyond = [(j, v) for j, v in enumerate(row) if j > last and _text(v)]
        for j, v in beyond:
            out.add("error", "outside_input", Cell(file, sheet, n, "", get_column_letter(j + 1)), found=_text(v))
        if not rid:
            filled = [(j, v) for j, v in enumerate(row[:last + 1]) if _text(v)]
            if filled:
                j = filled[0][0]
                out.add("error", "row_added", Cell(file, sheet, n, "", get_column_letter(j + 1)), row=n)
            continue
        if rid not in expected:
            out.add("error", "foreign_row", Cell(file, sheet, n, "row_id", letter["row_id"]), found=rid)
            continue
        i, want = expected[rid]
        if rid in seen:
            out.add("error", "row_twice", Cell(file, sheet, n, "row_id", letter["row_id"]), unit=want.unit_id,
                    indicator=want.indicator_id, first=seen[rid])
            continue
        seen[rid] = n
        if n != L.FIRST_ROW + i + (head_row - L.HEADER_ROW):
            moved_rows += 1
        for key in ("unit_id", "indicator_id", "measure", "target", "allowed"):
            if key in col:
                have, should = _locked_text(row[col[key]]), _locked_text(getattr(want, key))
                if have != should:
                    out.add("error", "locked_changed", Cell(file, sheet, n, key, letter[key]),
                            expected=should or "—", found=have or "—")
        for key, attr in (("unit_name", "unit_name"), ("indicator_name", "indicator_name")):
            if key in col:
                have, should = _text(row[col[key]]), _text(getattr(want, attr))
                if have != should:
                    out.add("warning", "renamed", Cell(file, sheet, n, key, letter[key]), expected=should,
                            found=have or "—")
        value = _cell_value(row[col["value"]])
        note = _cell_value(row[col["note"]]) if "note" in col else None
        got.append((rnd, want.unit_id, want.indicator_id, value, collector, None, note, file, sheet, n,
                    f"{letter['value']}{n}"))
    for rid, (i, want) in expected.items():
        if rid not in seen:
            out.add("error", "row_deleted", Cell(file, sheet), unit=want.unit_id, indicator=want.indicator_id)
    if moved_rows:
        out.add("warning", "rows_moved", Cell(file, sheet), n=moved_rows)
    values = pd.DataFrame(got, columns=_OUT_COLUMNS)
    info.update(rows=len(values), indicators=tuple(dict.fromkeys(rows["indicator_id"])))
    return values, ReturnedFile(**info)


# ---------------------------------------------------------------------- free-form tables
def _canonical(header: str) -> str:
    h = str(header).strip()
    first = re.split(r"[\s\n(（/]+", h, maxsplit=1)[0].lower() if h else ""
    return HEADER_ALIASES.get(h.lower(), HEADER_ALIASES.get(first, h))


def _collector_of(path: Path, df: pd.DataFrame, known: list[str], explicit: str | None) -> str:
    if explicit:
        return explicit
    if "collector_id" in df.columns:
        ids = [c for c in dict.fromkeys(df["collector_id"].map(_text)) if c]
        if len(ids) == 1:
            return ids[0]
    stem = path.stem
    if stem in known:
        return stem
    return next((c for c in sorted(known, key=len, reverse=True) if stem.startswith(c + "_")), "")


def _read_table(path: Path, scheme: Scheme, duty: pd.DataFrame, rnd: str, explicit: str | None,
                out: _Sink) -> tuple[pd.DataFrame, ReturnedFile]:
    file = str(path)
    sheet_arg = None
    if path.suffix.lower() == ".xlsx":
        sheet_arg = L.DATA_SHEET if L.DATA_SHEET in CalamineWorkbook.from_path(str(path)).sheet_names else None
    raw = read_table(path, sheet=sheet_arg)
    sheet = str(raw["_sheet"].iloc[0]) if len(raw) else (sheet_arg or "")
    data_cols = [c for c in raw.columns if c not in ("_file", "_sheet", "_row")]
    letters = {c: get_column_letter(i + 1) for i, c in enumerate(data_cols)}
    renamed = {}
    for c in data_cols:
        canon = _canonical(c)
        if canon != c and canon not in raw.columns and canon not in renamed.values():
            renamed[c] = canon
    df = raw.rename(columns=renamed)
    letters = {renamed.get(c, c): v for c, v in letters.items()}
    known = list(dict.fromkeys(duty["collector_id"]))
    collector = _collector_of(path, df, known, explicit)
    kind = "table"
    if {"unit_id", "indicator_id", "value"} <= set(df.columns):
        long = df.copy()
        long["_cell"] = [f"{letters['value']}{r}" for r in long["_row"]]
    else:
        indicator_ids = set(scheme.leaves) | set(duty["indicator_id"])
        wide_cols = [c for c in df.columns if c in indicator_ids]
        if "unit_id" not in df.columns or not wide_cols:
            out.add("error", "not_a_table", Cell(file, sheet), columns=", ".join(map(str, data_cols[:8])))
            return pd.DataFrame(columns=_OUT_COLUMNS), ReturnedFile(file, "unreadable", collector, rnd, 0, 0, 0, "")
        kind = "wide"
        keep = [c for c in ("unit_id", "round", "collector_id", "submitted_at", "note") if c in df.columns]
        long = df.melt(id_vars=keep + ["_file", "_sheet", "_row"], value_vars=wide_cols, var_name="indicator_id",
                       value_name="value")
        long["_cell"] = [f"{letters[i]}{r}" for i, r in zip(long["indicator_id"], long["_row"])]
        long = long.sort_values(["_row", "indicator_id"], kind="stable").reset_index(drop=True)
    for c in ("round", "collector_id", "submitted_at", "note"):
        if c not in long.columns:
            long[c] = None
    long["round"] = long["round"].map(_text)
    wrong = long[(long["round"] != "") & (long["round"].str.replace(r"\.0$", "", regex=True) != rnd)]
    for found, part in wrong.groupby("round", sort=False):
        first = part.iloc[0]
        out.add("error", "round_mismatch", Cell(file, sheet, int(first["_row"]), "round", letters.get("round", "")),
                found=found, expected=rnd, n=len(part))
    long = long.drop(index=wrong.index)
    if collector:
        other = long[(long["collector_id"].map(_text) != "") & (long["collector_id"].map(_text) != collector)]
        for found, part in other.groupby("collector_id", sort=False):
            first = part.iloc[0]
            out.add("warning", "collector_mismatch", Cell(file, sheet, int(first["_row"]), "collector_id",
                                                          letters.get("collector_id", "")),
                    found=found, expected=collector, n=len(part))
    long["round"] = rnd
    long["collector_id"] = collector or None
    long["value"] = long["value"].map(_cell_value)
    long = long[_OUT_COLUMNS].reset_index(drop=True)
    indicators = tuple(dict.fromkeys(duty.loc[duty["collector_id"] == collector, "indicator_id"])) if collector else ()
    return long, ReturnedFile(file, kind, collector, rnd, len(long), 0, 0, "", indicators=indicators)


def _coverage(duty: pd.DataFrame, values: pd.DataFrame, files: list[ReturnedFile], out: _Sink) -> None:
    """Cells a collector owes but did not return (free-form files), and figures of another's duty."""
    owner = dict(zip(zip(duty["unit_id"], duty["indicator_id"]), duty["collector_id"]))
    for f in files:
        if f.kind not in ("table", "wide") or not f.collector_id:
            continue
        part = values[values["_file"] == f.file]
        have = set(zip(part["unit_id"].map(_text), part["indicator_id"].map(_text)))
        for (u, i), c in owner.items():
            if c == f.collector_id and (u, i) not in have:
                out.add("warning", "missing_cell", Cell(f.file), unit=u, indicator=i)
        for r in part.to_dict("records"):
            k = (_text(r["unit_id"]), _text(r["indicator_id"]))
            if k in owner and owner[k] != f.collector_id:
                out.add("warning", "not_collector_duty", Cell(r["_file"], r["_sheet"], int(r["_row"]), "indicator_id",
                                                             column_letters(r["_file"], r["_sheet"])
                                                             .get("indicator_id", "")),
                        indicator=k[1], owner=owner[k], collector=f.collector_id)


# ---------------------------------------------------------------------- entry point
def ingest(scheme: Scheme, data: RoundData, files: str | Path | Iterable[str | Path], *,
           round: str | int | None = None, collector: str | None = None,
           collectors: str | Path | pd.DataFrame | None = None, default_collector: str | None = None,
           submitted_at: str | None = None) -> Ingestion:
    """Read returned files for a round and check every figure.

    Parameters
    ----------
    scheme, data
        The round's scheme and data (units and functional targets; the values are ignored).
    files
        Returned files, or folders of them.
    round
        The round (default: ``data.round``).
    collector
        The collector every file must belong to (default: as each file says: a template's
        metadata, a table's ``collector_id`` column or its file name).
    collectors, default_collector
        As for :func:`perfkit.collection.duty.duty_cells`.
    submitted_at
        The time the files were received (written into ``submitted_at``).

    Returns
    -------
    Ingestion
        The figures read and every problem, located. Nothing is raised for problems in
        the files (see :meth:`Ingestion.raise_for_errors`); a missing file raises
        :class:`~perfkit.errors.DataError`.
    """
    rnd = str(round if round is not None else (data.round or ""))
    if not rnd:
        raise DataError("which round? the data have no round id", hint="pass the round (e.g. --round 2025)")
    duty = duty_cells(scheme, data, collectors=collectors, default=default_collector)
    out = _Sink()
    parts, infos = [], []
    for path in returned_files(files):
        try:
            if path.suffix.lower() == ".xlsx":
                wb = _Book(path)
                if L.META_SHEET in wb.sheetnames:
                    values, info = _read_template(path, wb, scheme, duty, rnd, collector, out)
                else:
                    values, info = _read_table(path, scheme, duty, rnd, collector, out)
            else:
                values, info = _read_table(path, scheme, duty, rnd, collector, out)
        except PerfkitError as exc:
            out.add("error", "unreadable", Cell(str(path)), reason=exc.message)
            values, info = pd.DataFrame(columns=_OUT_COLUMNS), ReturnedFile(str(path), "unreadable", "", rnd, 0, 0, 0,
                                                                           "")
        except Exception as exc:  # noqa: BLE001 - a damaged workbook is a located problem, never a traceback
            out.add("error", "unreadable", Cell(str(path)), reason=f"{type(exc).__name__}: {exc}")
            values, info = pd.DataFrame(columns=_OUT_COLUMNS), ReturnedFile(str(path), "unreadable", "", rnd, 0, 0, 0,
                                                                           "")
        parts.append(values)
        infos.append(info)
    values = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=_OUT_COLUMNS)
    if submitted_at is not None:
        values["submitted_at"] = submitted_at
    out.items.extend(check_figures(scheme, data, values, duty).problems)
    _coverage(duty, values, infos, out)
    by_file: dict[str, list[int]] = {}
    for p in out.items:
        c = by_file.setdefault(p.cell.file, [0, 0])
        c[0 if p.severity == "error" else 1] += 1
    files_out = tuple(ReturnedFile(**{**i.__dict__, "errors": by_file.get(i.file, [0, 0])[0],
                                      "warnings": by_file.get(i.file, [0, 0])[1],
                                      "sha256": file_sha256(i.file) if Path(i.file).is_file() else ""})
                      for i in infos)
    order = {f.file: n for n, f in enumerate(files_out)}
    problems = sorted(out.items, key=lambda p: (order.get(p.cell.file, len(order)), p.severity != "error",
                                                p.cell.row or 0))
    return Ingestion(rnd, values.reset_index(drop=True), tuple(problems), files_out)
