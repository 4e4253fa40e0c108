"""Collection templates (数据填报表): one workbook per collector listing exactly its cells.

Each workbook (see :mod:`perfkit.collection.layout`) has a bilingual instructions sheet, a
protected data-entry sheet with one row per unit x indicator cell (functional targets
included, with their target), the unit of measure and the allowed values per row, Excel
data validation on the input cells (numbers within the allowed range, a list for
qualitative grades, 0/1 for done-or-not targets), the deadline, and hidden row ids and
metadata so that :func:`perfkit.collection.ingest` recognises a returned file, its round and
its collector, and every row even after it was moved or renamed.

>>> import tempfile, perfkit
>>> from perfkit.datasets.examples import tiny_points
>>> scheme, data = tiny_points()
>>> out = tempfile.mkdtemp()
>>> paths = write_templates(scheme, data, out, round="2025", deadline="2026-01-20 17:30",
...                         default_collector="office")
>>> [p.name for p in paths]
['office.xlsx']
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from perfkit.collection import layout as L
from perfkit.collection.duty import collector_names, deadline_of, duty_cells, read_deadlines
from perfkit.errors import DataError, UnknownNameError, did_you_mean
from perfkit.i18n import t
from perfkit.io.export import atomic_path, neutralise_formulas, safe_filename
from perfkit.io.round import RoundData
from perfkit.scheme import Scheme

__all__ = ["allowed_text", "fill_template", "rows_digest", "template_name", "template_rows", "write_templates"]

_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_THIN = Side(style="thin", color="B7C3CF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_NUMBER_LIMIT = "1E+15"


def _num(v: float) -> str:
    return f"{v:g}" if not math.isnan(v) else ""


def allowed_text(row: Mapping[str, Any]) -> str:
    """What a row accepts, in both languages (``0–100``, ``A、B、C、D``, ``1=完成 0=未完成`` ...).

    >>> allowed_text({"kind": "number", "lo": 0.0, "hi": 100.0, "grades": ()})
    '0–100'
    >>> allowed_text({"kind": "grade", "lo": float("nan"), "hi": float("nan"), "grades": ("A", "B")})
    'A、B'
    """
    kind, lo, hi = row["kind"], float(row["lo"]), float(row["hi"])
    if kind == "grade":
        return "、".join(row["grades"])
    if kind == "binary":
        return t("collect.allowed_binary", "zh") + " " + t("collect.allowed_binary", "en")
    if not math.isnan(lo) and not math.isnan(hi):
        return f"{_num(lo)}–{_num(hi)}"
    if not math.isnan(lo):
        return f"≥ {_num(lo)}"
    if not math.isnan(hi):
        return f"≤ {_num(hi)}"
    return t("collect.allowed_number", "zh") + " " + t("collect.allowed_number", "en")


def template_rows(duty: pd.DataFrame, collector: str, round_id: str) -> pd.DataFrame:
    """The rows of one collector's template, in order, with their hidden ids and the text
    of every locked cell (what :func:`perfkit.collection.ingest` compares a returned file with)."""
    rows = duty[duty["collector_id"] == collector].reset_index(drop=True).copy()
    rows["row_id"] = [L.row_id(round_id, collector, u, i) for u, i in zip(rows["unit_id"], rows["indicator_id"])]
    kinds = rows[["kind", "lo", "hi", "grades"]].astype({"grades": object})
    text: dict[tuple, str] = {}
    allowed = []
    for kind, lo, hi, grades in kinds.itertuples(index=False):
        key = (kind, lo, hi, grades)
        if key not in text:
            text[key] = allowed_text({"kind": kind, "lo": lo, "hi": hi, "grades": grades})
        allowed.append(text[key])
    rows["allowed"] = allowed
    return rows


def _locked_text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e15 else repr(v)
    return str(v).strip()


#: The locked columns whose content is part of a template's identity (names are not: a
#: renamed row is recognised and reported as a warning).
IDENTITY = ("unit_id", "indicator_id", "measure", "target", "allowed")


def rows_digest(rows: pd.DataFrame) -> str:
    """SHA-256 of the rows' ids and identity cells (a template is current when its stored
    digest equals the digest of the rows regenerated from the scheme and the round)."""
    h = hashlib.sha256()
    for r in rows.itertuples(index=False):
        h.update("\x1f".join([r.row_id, *(_locked_text(getattr(r, c)) for c in IDENTITY)]).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


def template_name(collector: str, name_zh: str) -> str:
    """The file name of a collector's template: ``gov_office_市政府办公室.xlsx``."""
    return safe_filename(f"{collector}_{name_zh}" if name_zh and name_zh != collector else collector) + ".xlsx"


def _ranges(rows: list[int], letter: str) -> str:
    """``I4:I9 I12`` for rows 4..9 and 12."""
    out, start, prev = [], None, None
    for r in sorted(rows):
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            out.append(f"{letter}{start}" + (f":{letter}{prev}" if prev != start else ""))
            start = prev = r
    if start is not None:
        out.append(f"{letter}{start}" + (f":{letter}{prev}" if prev != start else ""))
    return " ".join(out)


def _validations(rows: pd.DataFrame) -> list[DataValidation]:
    letter = L.TEMPLATE_LETTERS["value"]
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(rows.itertuples(index=False)):
        key = (r.kind, _num(r.lo), _num(r.hi), tuple(r.grades))
        groups.setdefault(key, []).append(L.FIRST_ROW + i)
    out = []
    for (kind, lo, hi, grades), excel_rows in groups.items():
        title = t("collect.dv_title", "zh")[:32]
        if kind == "grade":
            dv = DataValidation(type="list", formula1='"' + ",".join(grades) + '"', allow_blank=True)
            msg = t("collect.dv_grade", "zh", grades="、".join(grades)) + " " + t("collect.dv_grade", "en",
                                                                                 grades=", ".join(grades))
        elif kind == "binary":
            dv = DataValidation(type="whole", operator="between", formula1="0", formula2="1", allow_blank=True)
            msg = t("collect.dv_binary", "zh") + " " + t("collect.dv_binary", "en")
        else:
            dv = DataValidation(type="decimal", operator="between", formula1=lo or f"-{_NUMBER_LIMIT}",
                                formula2=hi or _NUMBER_LIMIT, allow_blank=True)
            rng = f"{lo or '−∞'}–{hi or '∞'}"
            msg = (t("collect.dv_number", "zh", range=rng) + " " + t("collect.dv_number", "en", range=rng)) \
                if (lo or hi) else (t("collect.dv_any", "zh") + " " + t("collect.dv_any", "en"))
        dv.error, dv.errorTitle, dv.errorStyle = msg[:255], title, "stop"
        dv.prompt, dv.promptTitle = msg[:255], title
        dv.showErrorMessage = dv.showInputMessage = True
        dv.sqref = _ranges(excel_rows, letter)
        out.append(dv)
    return out


def _display_width(text: str) -> int:
    """Width in Latin characters (a CJK character counts two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _both(key: str, **fmt: Any) -> tuple[str, str]:
    return t(key, "zh", **fmt), t(key, "en", **fmt)


def _help_sheet(wb: openpyxl.Workbook, scheme: Scheme, meta: Mapping[str, str], rows: pd.DataFrame) -> None:
    ws = wb.create_sheet(L.HELP_SHEET, 0)
    ws.sheet_properties.tabColor = "2A9D8F"
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 70
    ws["A1"] = neutralise_formulas(f"{scheme.model.label.zh} — {t('collect.template_title', 'zh')}")
    ws["A2"] = neutralise_formulas(f"{scheme.model.label.en} — {t('collect.template_title', 'en')}")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(bold=True, size=12, color="5C6B7A")
    ws.merge_cells("A1:C1")
    ws.merge_cells("A2:C2")
    facts = [
        ("collect.help_collector", f"{meta['collector_name_zh']}\uff08{meta['collector_id']}\uff09",
         f"{meta['collector_name_en']} ({meta['collector_id']})"),
        ("collect.help_round", meta["round"], meta["round"]),
        ("collect.help_deadline", meta["deadline"], meta["deadline"]),
        ("collect.help_cells", t("collect.help_cells_n", "zh", n=len(rows), units=rows["unit_id"].nunique(),
                                 indicators=rows["indicator_id"].nunique()),
         t("collect.help_cells_n", "en", n=len(rows), units=rows["unit_id"].nunique(),
           indicators=rows["indicator_id"].nunique())),
    ]
    r = 4
    for key, zh, en in facts:
        ws.cell(r, 1, " / ".join(_both(key))).font = Font(bold=True)
        ws.cell(r, 2, neutralise_formulas(zh))
        ws.cell(r, 3, neutralise_formulas(en))
        r += 1
    r += 1
    ws.cell(r, 1, " / ".join(_both("collect.help_how"))).font = Font(bold=True, size=12)
    r += 1
    for i in range(1, 8):
        zh, en = _both(f"collect.help_step{i}", value=L.TEMPLATE_LETTERS["value"], note=L.TEMPLATE_LETTERS["note"],
                       sheet=L.DATA_SHEET)
        ws.cell(r, 1, f"{i}.").alignment = Alignment(vertical="top")
        ws.cell(r, 2, zh).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(r, 3, en).alignment = Alignment(wrap_text=True, vertical="top")
        lines = max(math.ceil(_display_width(zh) / 66), math.ceil(len(en) / 72), 1)
        ws.row_dimensions[r].height = 16 * lines + 2
        r += 1
    r += 1
    ws.cell(r, 1, " / ".join(_both("collect.help_indicators"))).font = Font(bold=True, size=12)
    r += 1
    heads = [("collect.col_indicator_id", "A"), ("collect.col_indicator_name", "B"), ("collect.col_allowed", "C")]
    for key, col in heads:
        c = ws[f"{col}{r}"]
        c.value = " ".join(_both(key))
        c.font, c.fill = Font(bold=True), _HEAD_FILL
    r += 1
    for x in rows[rows["source"] == "leaf"].drop_duplicates("indicator_id").itertuples(index=False):
        n = int((rows["indicator_id"] == x.indicator_id).sum())
        ws.cell(r, 1, x.indicator_id)
        ws.cell(r, 2, neutralise_formulas(f"{x.indicator_name} {x.indicator_name_en}"
                                          + (f"({x.measure})" if x.measure else "")))
        ws.cell(r, 3, neutralise_formulas(f"{x.allowed} · " + t("collect.help_units_n", "zh", n=n)
                                          + " " + t("collect.help_units_n", "en", n=n)))
        r += 1
    n_targets = int((rows["source"] == "target").sum())
    if n_targets:
        ws.cell(r, 1, "—")
        ws.cell(r, 2, " ".join(_both("collect.help_targets", n=n_targets)))
        ws.cell(r, 3, " ".join(_both("collect.help_targets_rule")))
    ws.protection.sheet = True


def _data_sheet(wb: openpyxl.Workbook, scheme: Scheme, meta: Mapping[str, str], rows: pd.DataFrame,
                prefill: Mapping[tuple[str, str], Any] | None = None) -> None:
    ws = wb.create_sheet(L.DATA_SHEET, 1)
    ws.sheet_properties.tabColor = "E9C46A"
    title = t("collect.sheet_title", "zh", collector=meta["collector_name_zh"], round=meta["round"],
              deadline=meta["deadline"])
    ws["A1"] = neutralise_formulas(title + " " + t("collect.sheet_title", "en", collector=meta["collector_name_en"],
                                                   round=meta["round"], deadline=meta["deadline"]))
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = " ".join(_both("collect.sheet_hint", value=L.TEMPLATE_LETTERS["value"], note=L.TEMPLATE_LETTERS["note"]))
    ws["A2"].font = Font(color="5C6B7A")
    last_visible = L.TEMPLATE_LETTERS["note"]
    ws.merge_cells(f"A1:{last_visible}1")
    ws.merge_cells(f"A2:{last_visible}2")
    for key, letter, zh, en, width in L.COLUMNS:
        c = ws[f"{letter}{L.HEADER_ROW}"]
        c.value = f"{zh}\n{en}"
        c.font, c.fill, c.border = Font(bold=True), _HEAD_FILL, _BORDER
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[L.HEADER_ROW].height = 32
    letters = L.TEMPLATE_LETTERS
    if "pk_input" not in wb.named_styles:
        wb.add_named_style(NamedStyle("pk_input", fill=_INPUT_FILL, border=_BORDER, protection=Protection(locked=False)))
    order = [key for key, *_ in L.COLUMNS]  # the layout's columns are A, B, C ... in this order
    given = prefill or {}
    for i, r in enumerate(rows.itertuples(index=False)):
        cells = {"no": i + 1, "unit_id": r.unit_id, "unit_name": r.unit_name, "indicator_id": r.indicator_id,
                 "indicator_name": r.indicator_name, "measure": r.measure,
                 "target": None if math.isnan(r.target) else r.target, "allowed": r.allowed, "row_id": r.row_id,
                 "value": _typed(given.get((r.unit_id, r.indicator_id)))}
        ws.append([neutralise_formulas(cells.get(key)) for key in order])
        n = L.FIRST_ROW + i
        for key in L.INPUT_COLUMNS:
            ws[f"{letters[key]}{n}"].style = "pk_input"
    for dv in _validations(rows):
        ws.add_data_validation(dv)
    ws.column_dimensions[letters["row_id"]].hidden = True
    ws.freeze_panes = f"C{L.FIRST_ROW}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column is harmless
    ws.protection.autoFilter = False


def _meta_sheet(wb: openpyxl.Workbook, meta: Mapping[str, str]) -> None:
    ws = wb.create_sheet(L.META_SHEET)
    items = dict(meta)
    items["seal"] = L.seal(items)
    for i, (k, v) in enumerate(items.items(), start=1):
        ws.cell(i, 1, k)
        ws.cell(i, 2, neutralise_formulas(str(v)))
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _write_one(path: Path, scheme: Scheme, rows: pd.DataFrame, meta: Mapping[str, str],
               password: str | None, prefill: Mapping[tuple[str, str], Any] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _help_sheet(wb, scheme, meta, rows)
    _data_sheet(wb, scheme, meta, rows, prefill)
    _meta_sheet(wb, meta)
    wb.active = 1
    if password:
        for ws in wb.worksheets:
            ws.protection.password = password
    wb.security = WorkbookProtection(lockStructure=True)
    created = _dt.datetime.fromisoformat(meta["generated"]).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = created
    wb.properties.title = f"{meta['round']} {meta['collector_id']}"
    wb.properties.creator = "perfkit"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def write_templates(scheme: Scheme, data: RoundData, out: str | Path, *, round: str | int | None = None,
                    collectors: str | Path | pd.DataFrame | None = None,
                    deadlines: str | Path | pd.DataFrame | None = None, deadline: str | None = None,
                    only: Iterable[str] | None = None, default_collector: str | None = None,
                    password: str | None = None, generated: str | None = None,
                    values: pd.DataFrame | None = None) -> list[Path]:
    """Write one template per collector into ``out``; return their paths.

    Parameters
    ----------
    scheme, data
        The round's scheme and its data (units and functional targets are read from it).
    round
        The round id (default: ``data.round``).
    collectors
        The collectors registry (names, and indicators for targets nodes); see
        :mod:`perfkit.collection.duty`.
    deadlines, deadline
        The deadlines table (``round, collector_id, deadline``) or one deadline for all.
    only
        Collector ids to write (default: every collector of the round).
    default_collector
        The collector of indicators that name none.
    password
        An optional sheet-protection password (protection works without one).
    generated
        The generation time written into the template (ISO; default: now).
    values
        Figures to pre-fill the input cells with (``unit_id, indicator_id, value``), e.g.
        figures the office already holds, for the collector to confirm or correct.
    """
    round_id = str(round if round is not None else (data.round or ""))
    if not round_id:
        raise DataError("which round? the data have no round id", hint="pass --round (e.g. --round 2025)")
    duty = duty_cells(scheme, data, collectors=collectors, default=default_collector)
    ids = list(dict.fromkeys(duty["collector_id"]))
    if only is not None:
        only = list(only)
        for c in only:
            if c not in ids:
                raise UnknownNameError(f"no collector {c!r} in round {round_id}{did_you_mean(c, ids)}",
                                       hint=f"collectors: {', '.join(ids)}")
        ids = only
    dl = read_deadlines(deadlines)
    names = collector_names(collectors, data, ids)
    stamp = generated or _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    plans = []
    for cid in ids:
        when = deadline_of(dl, round_id, cid)
        when_text = when.strftime("%Y-%m-%d %H:%M") if when is not None else (deadline or "")
        if not when_text:
            raise DataError(f"no deadline for collector {cid!r} in round {round_id}",
                            hint="give a deadlines table (round, collector_id, deadline) or one --deadline")
        if when is None:
            parsed = pd.to_datetime(when_text, errors="coerce")
            if pd.isna(parsed):
                raise DataError(f"deadline {when_text!r} is not a date and time", hint="e.g. 2026-01-20 17:30")
            when_text = parsed.strftime("%Y-%m-%d %H:%M")
        rows = template_rows(duty, cid, round_id)
        c = names[cid]
        meta = {"format": L.FORMAT, "version": L.VERSION, "round": round_id, "scheme_id": scheme.id,
                "scheme_hash": scheme.hash, "collector_id": cid, "collector_name_zh": c.name_zh,
                "collector_name_en": c.name_en, "deadline": when_text, "generated": stamp, "rows": str(len(rows)),
                "rows_digest": rows_digest(rows)}
        plans.append((Path(out) / template_name(cid, c.name_zh), rows, meta))
    prefill = None if values is None else {(str(u), str(i)): v for u, i, v in
                                           zip(values["unit_id"], values["indicator_id"], values["value"])}
    return [_write_one(path, scheme, rows, meta, password, prefill) for path, rows, meta in plans]


def fill_template(path: str | Path, values: pd.DataFrame | Mapping[tuple[str, str], Any], *,
                  out: str | Path | None = None, notes: Mapping[tuple[str, str], str] | None = None) -> Path:
    """Type values into a template's input cells (as a clerk would), found by hidden row id.

    ``values`` maps ``(unit_id, indicator_id)`` to a value, or is a table with those columns
    and ``value``. Numbers that look like numbers are written as numbers. Returns the path
    written (``out``, default: the template itself).
    """
    if isinstance(values, pd.DataFrame):
        values = {(str(u), str(i)): v for u, i, v in zip(values["unit_id"], values["indicator_id"], values["value"])}
    wb = openpyxl.load_workbook(path)
    ws = wb[L.DATA_SHEET]
    letters = L.TEMPLATE_LETTERS
    for n in range(L.FIRST_ROW, ws.max_row + 1):
        rid = ws[f"{letters['row_id']}{n}"].value
        if not rid:
            continue
        unit, ind = str(rid).split("|")[:2]
        if (unit, ind) in values:
            ws[f"{letters['value']}{n}"].value = _typed(values[(unit, ind)])
        if notes and (unit, ind) in notes:
            ws[f"{letters['note']}{n}"].value = notes[(unit, ind)]
    target = Path(out) if out is not None else Path(path)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _typed(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (int, float)):
        return v
    text = str(v).strip()
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() and "." not in text and "e" not in text.lower() else f
