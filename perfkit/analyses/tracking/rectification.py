"""Rectification (整改): from each unit's feedback list to a rectification list the unit
fills in and returns, and the next round closing the loop (Hangzhou's 反馈整改闭环).

* :func:`rectification_list` — the items of every unit, by the office's declared rules
  (:class:`~.rules.RectificationRules`): each line of the feedback list losing at least
  ``min_lost`` points, each penalty or veto item (negative inspection findings,
  accountability cases, media exposure ...), and the unit's most frequent public
  complaints in the survey comments (only from respondent groups at or above the scheme's
  minimum cell size). Each item has an id (``<round>-<unit>-<nn>``), an owner (the unit),
  a due date and a status.
* :func:`write_rectification_xlsx` — one workbook per unit (sheet ``整改清单``): the unit
  fills in its measures, status, the person responsible and the completion date, and
  returns it; :func:`read_returned` reads the returned workbooks back, every problem
  located (file, sheet, row, column).
* :func:`close_loop` — per item, whether the indicator improved in the next round (a
  lost-points item: its score rose by at least ``min_gain``; a penalty or veto: not
  incurred again; a complaint: mentioned by a smaller share of respondents), and whether
  it is closed (reported done *and* improved), with the closure rate per unit and for
  the office.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from perfkit.analyses.tracking.rules import RectificationRules
from perfkit.errors import DataError, did_you_mean
from perfkit.i18n import t
from perfkit.io.export import atomic_path, neutralise_formulas, safe_filename
from perfkit.io.read import read_table
from perfkit.results import html_head, html_table

__all__ = ["RectificationList", "Closure", "rectification_list", "write_rectification_xlsx", "read_returned",
           "read_items", "close_loop", "SHEET", "STATUSES", "COLUMNS"]

#: The sheet a unit fills in.
SHEET = "整改清单"
#: Statuses a unit reports, in order (``not_returned`` is the office's, for a missing reply).
STATUSES = ("not_started", "in_progress", "done")
#: Columns of the workbook: (code, filled in by the unit).
COLUMNS = (("id", False), ("unit_id", False), ("unit", False), ("source", False), ("problem", False),
           ("due", False), ("status", True), ("measures", True), ("responsible", True), ("completed_on", True),
           ("note", True))
_ITEM_COLUMNS = ["id", "round", "unit_id", "name_zh", "name_en", "category", "source", "subject", "label_zh",
                 "label_en", "problem_zh", "problem_en", "lost", "score", "count", "rate", "issued", "due", "status"]


def _header(code: str) -> str:
    return f"{t(f'rect.col.{code}', 'zh')} {t(f'rect.col.{code}', 'en')}"


@dataclass(frozen=True, eq=False)
class RectificationList:
    """The rectification items of one round's feedback.

    Attributes
    ----------
    round
        The round whose feedback the items come from.
    items
        One row per item: ``id, round, unit_id, name_zh, name_en, category, source
        (lost_points / penalty / veto / complaint), subject (indicator, adjustment item or
        comment), label_zh, label_en, problem_zh, problem_en, lost (points), score
        (0-100, lost-points items), count and rate (complaints), issued, due, status``.
    rules
        The declared rules used.
    """

    round: str
    items: pd.DataFrame
    rules: RectificationRules

    def to_frame(self) -> pd.DataFrame:
        return self.items.copy()

    def unit(self, unit: str) -> pd.DataFrame:
        return self.items[self.items["unit_id"] == unit]

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(self.items["unit_id"]))

    def __repr__(self) -> str:
        return f"RectificationList(round={self.round!r}, items={len(self.items)}, units={len(self.units)})"

    def _repr_html_(self) -> str:
        counts = self.items.groupby("source").size().rename("items").to_frame()
        return html_head("Rectification list", {"round": self.round, "items": len(self.items)}) + \
            html_table(counts) + html_table(self.items[["id", "unit_id", "source", "subject", "lost", "due"]])


def _date(d) -> dt.date:
    return d if isinstance(d, dt.date) else pd.Timestamp(d).date()


def rectification_list(ev, rules: RectificationRules | None = None, *, issued=None) -> RectificationList:
    """The rectification items of every unit of evaluation ``ev`` (see the module docstring).

    Parameters
    ----------
    ev
        The round's :class:`~perfkit.engine.Evaluation` (its feedback lists).
    rules
        The office's declared rules (default: :class:`~.rules.RectificationRules`).
    issued
        Date of issue (default: ``rules.issued``, else 1 March of the year after an annual
        round).
    """
    rules = rules or RectificationRules()
    rnd = str(ev.input_data.round or "")
    issued = issued or rules.issued
    if issued is None:
        if not rnd.isdigit():
            raise DataError(f"no issue date for the rectification list of round {rnd!r}",
                            hint="declare rectification.issued in the office's rules, or pass issued=")
        issued = dt.date(int(rnd) + 1, 3, 1)
    issued_on = _date(issued)
    due = rules.due_date(issued_on)
    res = ev.results
    lines = ev.explanations
    rows: list[dict[str, Any]] = []
    lost = lines[~lines["path"].isin(["bonus", "penalty", "veto"]) & (lines["lost"] >= rules.min_lost - 1e-12)]
    for r in lost.itertuples(index=False):
        rows.append({"unit_id": r.unit_id, "source": "lost_points", "subject": r.id, "label_zh": r.label_zh,
                     "label_en": r.label_en, "lost": float(r.lost), "score": float(r.score),
                     "_zh": {"reason": r.reason_zh}, "_en": {"reason": r.reason_en}})
    adj = ev.data.adjustments
    m = ev.scheme.model.adjustments
    if len(adj):
        for r in adj[adj["kind"].isin(rules.adjustments)].itertuples(index=False):
            lab = m.veto[r.item].label if r.kind == "veto" and r.item in m.veto else \
                m.penalty.items.get(r.item) if r.kind == "penalty" else None
            zh_reason = str(getattr(r, "reason", "") or "")
            en_reason = str(getattr(r, "reason_en", "") or zh_reason)
            rows.append({"unit_id": r.unit_id, "source": r.kind, "subject": r.item,
                         "label_zh": lab.zh if lab else r.item, "label_en": lab.en if lab else r.item,
                         "lost": float(r.points) if r.kind == "penalty" else np.nan,
                         "_zh": {"reason": zh_reason}, "_en": {"reason": en_reason}})
    if rules.complaints and rules.top_complaints > 0:
        rates = complaint_rates(ev, rules.complaints)
        for u, sub in rates.groupby("unit_id", sort=False):
            top = sub[sub["count"] >= rules.min_mentions].sort_values(["count", "comment"], ascending=[False, True])
            for r in top.head(rules.top_complaints).itertuples(index=False):
                rows.append({"unit_id": u, "source": "complaint", "subject": r.comment,
                             "label_zh": t("rect.complaint", "zh"), "label_en": t("rect.complaint", "en"),
                             "count": int(r.count), "rate": float(r.rate), "_zh": {}, "_en": {}})
    order = {"lost_points": 0, "penalty": 1, "veto": 2, "complaint": 3}
    units = list(res.index)
    pos = {u: i for i, u in enumerate(units)}
    rows.sort(key=lambda x: (pos.get(x["unit_id"], len(pos)), order[x["source"]], -(x.get("lost") or 0)
                             if x["source"] == "lost_points" else 0, x["subject"]))
    out, k = [], {}
    for x in rows:
        u = x["unit_id"]
        k[u] = k.get(u, 0) + 1
        item = {"id": f"{rnd}-{u}-{k[u]:02d}", "round": rnd, "unit_id": u, "name_zh": res.loc[u, "name_zh"],
                "name_en": res.loc[u, "name_en"], "category": res.loc[u, "category"], "source": x["source"],
                "subject": x["subject"], "label_zh": x["label_zh"], "label_en": x["label_en"],
                "lost": x.get("lost", np.nan), "score": x.get("score", np.nan), "count": x.get("count", np.nan),
                "rate": x.get("rate", np.nan), "issued": issued_on, "due": due, "status": "not_started"}
        for lang in ("zh", "en"):
            item[f"problem_{lang}"] = _problem(item, lang, **x[f"_{lang}"])
        out.append(item)
    return RectificationList(round=rnd, items=pd.DataFrame(out, columns=_ITEM_COLUMNS), rules=rules)


def _problem(item: dict[str, Any], lang: str, reason: str = "") -> str:
    label = item[f"label_{lang}"]
    if item["source"] == "lost_points":
        return t("rect.problem.lost_points", lang, label=label, lost=item["lost"], reason=reason)
    plain = "_plain" if not reason.strip() or reason.strip() == str(label).strip() else ""
    if item["source"] == "penalty":
        return t(f"rect.problem.penalty{plain}", lang, label=label, lost=item["lost"],
                 **({} if plain else {"reason": reason}))
    if item["source"] == "veto":
        return t(f"rect.problem.veto{plain}", lang, label=label, **({} if plain else {"reason": reason}))
    return t("rect.problem.complaint", lang, comment=item["subject"], count=item["count"], rate=item["rate"])


def complaint_rates(ev, comments: Iterable[str]) -> pd.DataFrame:
    """Per unit and declared complaint: mentions and the share of the unit's respondents
    who made it, counting only respondent groups at or above the scheme's minimum cell
    size (``unit_id, comment, count, respondents, rate``)."""
    cols = ["unit_id", "comment", "count", "respondents", "rate"]
    raw = ev.data.survey
    if ev.survey is None or raw is None or not len(raw) or "comment" not in raw.columns:
        return pd.DataFrame(columns=cols)
    cells = ev.survey[~ev.survey["suppressed"].astype(bool)]
    respondents = cells.groupby("unit_id")["n"].sum()
    open_cells = set(zip(cells["unit_id"], cells["group"]))
    keep = [(u, g) in open_cells for u, g in zip(raw["unit_id"], raw["respondent_group"])]
    text = raw.loc[keep, ["unit_id", "comment"]].copy()
    text["comment"] = text["comment"].astype("string").str.strip()
    text = text[text["comment"].isin(list(comments))]
    counts = text.groupby(["unit_id", "comment"]).size().rename("count").reset_index()
    counts["respondents"] = respondents.reindex(counts["unit_id"]).to_numpy()
    counts["rate"] = counts["count"] / counts["respondents"]
    return counts[cols]


# ------------------------------------------------------------------------ the workbook
def write_rectification_xlsx(items: RectificationList, folder: str | Path, *, units: Sequence[str] | None = None,
                             ) -> dict[str, Path]:
    """One workbook per unit in ``folder`` (``<unit>_<name>.xlsx``), sheet ``整改清单``:
    the office's columns locked, the unit's columns (status, measures, person responsible,
    completion date, note) open, the status chosen from a list; a second sheet explains.

    Returns ``{unit_id: path}``. Every file is written atomically; text that a
    spreadsheet would run as a formula is neutralised.
    """
    folder = Path(folder)
    out = {}
    for u in units or items.units:
        sub = items.unit(u)
        if not len(sub):
            continue
        name = str(sub["name_zh"].iloc[0])
        path = folder / f"{safe_filename(f'{u}_{name}')}.xlsx"
        _write_one(sub, path, items.round)
        out[u] = path
    return out


def _status_label(code: str) -> str:
    return f"{t(f'rect.status.{code}', 'zh')} {t(f'rect.status.{code}', 'en')}"


def _write_one(sub: pd.DataFrame, path: Path, rnd: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([_header(c) for c, _ in COLUMNS])
    for r in sub.itertuples(index=False):
        values = {"id": r.id, "unit_id": r.unit_id, "unit": r.name_zh,
                  "source": f"{t(f'rect.source.{r.source}', 'zh')} {t(f'rect.source.{r.source}', 'en')}",
                  "problem": f"{r.problem_zh}\n{r.problem_en}", "due": r.due.isoformat(),
                  "status": _status_label(r.status), "measures": "", "responsible": "", "completed_on": "",
                  "note": ""}
        ws.append([neutralise_formulas(values[c]) for c, _ in COLUMNS])
    widths = {"id": 24, "unit_id": 16, "unit": 18, "source": 16, "problem": 60, "due": 12, "status": 18,
              "measures": 40, "responsible": 14, "completed_on": 14, "note": 20}
    fill = PatternFill("solid", fgColor="FFF7D6")
    for j, (code, open_) in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        ws.column_dimensions[letter].width = widths[code]
        ws.cell(row=1, column=j).font = Font(bold=True)
        for i in range(2, len(sub) + 2):
            cell = ws.cell(row=i, column=j)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if open_:
                cell.protection = Protection(locked=False)
                cell.fill = fill
    dv = DataValidation(type="list", formula1='"' + ",".join(_status_label(s) for s in STATUSES) + '"',
                        allow_blank=False, showErrorMessage=True, error=t("rect.status_error", "zh"))
    status_col = ws.cell(row=1, column=[c for c, _ in COLUMNS].index("status") + 1).column_letter
    dv.add(f"{status_col}2:{status_col}{len(sub) + 1}")
    ws.add_data_validation(dv)
    ws.freeze_panes = "B2"
    ws.protection.sheet = True  # no password: it only guards the office's columns against slips
    info = wb.create_sheet("填表说明 Instructions")
    for lang in ("zh", "en"):
        info.append([t("rect.instructions", lang, round=rnd, due=sub["due"].iloc[0].isoformat())])
    info.column_dimensions["A"].width = 120
    with atomic_path(path) as tmp:
        wb.save(tmp)


# ------------------------------------------------------------------------ reading back
def _column_map(columns: Iterable[str]) -> dict[str, str]:
    """Returned headers -> column codes (the bilingual header, either language, or the code)."""
    names = {}
    for code, _ in COLUMNS:
        for text in (_header(code), t(f"rect.col.{code}", "zh"), t(f"rect.col.{code}", "en"), code):
            names[text.strip().lower()] = code
    return {c: names[str(c).strip().lower()] for c in columns if str(c).strip().lower() in names}


def _status_code(text: Any) -> str | None:
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return None
    s = str(text).strip().lower()
    for code in STATUSES:
        if s in {code, _status_label(code).lower(), t(f"rect.status.{code}", "zh").lower(),
                 t(f"rect.status.{code}", "en").lower()}:
            return code
    return ""


def read_returned(paths: Iterable[str | Path], items: RectificationList, *,
                  units: Iterable[str] | None = None) -> pd.DataFrame:
    """The statuses the units reported, from their returned workbooks (or CSV files with
    the same columns).

    Parameters
    ----------
    paths
        Returned files (sheet ``整改清单`` for a workbook).
    items
        The list that was issued (ids and owners are checked against it).
    units
        Known unit ids (default: the units of ``items``), for the unknown-unit check.

    Returns
    -------
    DataFrame
        ``id, unit_id, status, measures, responsible, completed_on, note, _file, _row``.

    Raises
    ------
    DataError
        Located (file, sheet, row, column): a missing column, an unknown item id, an unknown
        unit, an item returned by a unit that does not own it, a status that is not one
        of the list, an item returned twice.
    """
    known_units = list(units) if units is not None else items.units
    owner = dict(zip(items.items["id"], items.items["unit_id"]))
    frames = []
    seen: dict[str, tuple[str, int]] = {}
    for path in paths:
        path = Path(path)
        df = read_table(path, sheet=SHEET if path.suffix.lower() == ".xlsx" else None)
        sheet = SHEET if path.suffix.lower() == ".xlsx" else ""
        cmap = _column_map(df.columns)
        header = {code: col for col, code in cmap.items()}
        for need in ("id", "unit_id", "status"):
            if need not in header:
                raise DataError(f"missing column {_header(need)!r}", where=[str(path), sheet],
                                hint="return the workbook as it was sent, with its header row")
        for r in df.to_dict("records"):
            row = int(r["_row"])

            def fail(col: str, msg: str, hint: str = "") -> None:
                raise DataError(msg, where=[str(path), sheet, f"row {row}", _header(col)], hint=hint)

            iid = str(r[header["id"]] or "").strip()
            unit = str(r[header["unit_id"]] or "").strip()
            if not iid and not unit:
                continue
            if unit not in known_units:
                fail("unit_id", f"unknown unit {unit!r}{did_you_mean(unit, known_units)}",
                     "use the unit id the list was sent with")
            if iid not in owner:
                fail("id", f"unknown item {iid!r}{did_you_mean(iid, owner)}",
                     "keep the ids of the list the office issued; add new problems in the note column")
            if owner[iid] != unit:
                fail("unit_id", f"item {iid} belongs to {owner[iid]}, not {unit}", "return only your own items")
            status = _status_code(r[header["status"]])
            if status == "":
                fail("status", f"status {r[header['status']]!r} is not one of the list",
                     "choose " + ", ".join(_status_label(s) for s in STATUSES))
            if iid in seen:
                fail("id", f"item {iid} is returned twice (also {seen[iid][0]} row {seen[iid][1]})",
                     "return each item once")
            seen[iid] = (str(path), row)
            frames.append({"id": iid, "unit_id": unit, "status": status or "not_started",
                           **{c: (None if header.get(c) is None or r[header[c]] != r[header[c]] else r[header[c]])
                              for c in ("measures", "responsible", "completed_on", "note")},
                           "_file": str(path), "_row": row})
    return pd.DataFrame(frames, columns=["id", "unit_id", "status", "measures", "responsible", "completed_on",
                                         "note", "_file", "_row"])


def read_items(path: str | Path, units, *, rules: RectificationRules | None = None) -> RectificationList:
    """An office-kept rectification list (CSV/XLSX with the columns of
    :attr:`RectificationList.items`), checked: every unit known, ids unique.

    ``units`` are the known unit ids, or a table indexed by unit id with ``name_zh``,
    ``name_en`` and ``category``, which fill in those columns when the list lacks them."""
    df = read_table(path)
    table = units if isinstance(units, pd.DataFrame) else None
    known = list(table.index) if table is not None else list(units)
    for need in ("id", "round", "unit_id", "source", "subject", "due"):
        if need not in df.columns:
            raise DataError(f"missing column {need!r}", where=[str(path)],
                            hint=f"columns: {', '.join(_ITEM_COLUMNS)}")
    for r in df.to_dict("records"):
        if r["unit_id"] not in known:
            raise DataError(f"item {r['id']} is for an unknown unit {r['unit_id']!r}{did_you_mean(r['unit_id'], known)}",
                            where=[str(path), str(r.get("_sheet") or ""), f"row {r['_row']}", "unit_id"],
                            hint="use the unit ids of the round's units table")
        if r["source"] not in ("lost_points", "penalty", "veto", "complaint"):
            raise DataError(f"unknown source {r['source']!r}", where=[str(path), f"row {r['_row']}", "source"],
                            hint="lost_points, penalty, veto or complaint")
    dup = df["id"].duplicated()
    if dup.any():
        r = df[dup].iloc[0]
        raise DataError(f"item id {r['id']} appears twice", where=[str(path), f"row {r['_row']}", "id"])
    out = df.drop(columns=[c for c in ("_file", "_sheet", "_row") if c in df.columns])
    for c in ("lost", "score", "count", "rate"):
        out[c] = pd.to_numeric(out[c], errors="coerce") if c in out else np.nan
    for c in ("issued", "due"):
        if c in out:
            out[c] = [_date(v) if v == v and v else None for v in out[c]]
    out = out.reindex(columns=_ITEM_COLUMNS)
    if table is not None:
        for c in ("name_zh", "name_en", "category"):
            if c in table:
                out[c] = out[c].fillna(out["unit_id"].map(table[c]))
    out["status"] = out["status"].fillna("not_started")
    return RectificationList(round=str(out["round"].iloc[0]) if len(out) else "", items=out,
                             rules=rules or RectificationRules())


# ------------------------------------------------------------------------ closing the loop
@dataclass(frozen=True, eq=False)
class Closure:
    """Where the rectification items stand (:func:`close_loop`).

    Attributes
    ----------
    items
        One row per item: the issued columns, the reported ``status`` (``not_returned``
        when the unit sent nothing), ``overdue`` (past due and not done on ``as_of``) and,
        with a next round, ``before``, ``after`` (score, points or rate), ``improved``
        (True / False / None: not comparable), ``closed`` (done and improved) and
        ``outcome`` (``closed``, ``done_not_improved``, ``improved_not_done``, ``open``).
    units
        Per unit: ``items, done, overdue`` and, with a next round, ``improved, closed,
        closure_rate``.
    office
        The office's totals (same keys) and ``closure_rate``.
    next_round
        The round whose data closed the loop (``None``: progress only).
    as_of
        The date overdue items are counted at.
    """

    items: pd.DataFrame
    units: pd.DataFrame
    office: dict[str, Any]
    next_round: str | None
    as_of: dt.date | None

    def to_frame(self) -> pd.DataFrame:
        return self.items.copy()

    def __repr__(self) -> str:
        rate = self.office.get("closure_rate")
        return (f"Closure(items={self.office['items']}, done={self.office['done']}, next_round={self.next_round!r}"
                + (f", closure_rate={rate:.1%})" if rate is not None else ")"))

    def _repr_html_(self) -> str:
        return html_head("Rectification closure", {"next round": self.next_round, **{
            k: (f"{v:.1%}" if k == "closure_rate" and v is not None else v) for k, v in self.office.items()}}) + \
            html_table(self.units, rows=60)


def close_loop(items: RectificationList, returned: pd.DataFrame | None = None, next_ev=None, *,
               as_of=None) -> Closure:
    """Per item: the reported status and, given the next round's evaluation, whether the
    indicator improved and whether the item is closed (see the module docstring).

    Parameters
    ----------
    items
        The issued list.
    returned
        What the units reported (:func:`read_returned`); ``None``: nothing returned yet.
    next_ev
        The next round's :class:`~perfkit.engine.Evaluation`; ``None``: progress only.
    as_of
        Date overdue items are counted at (default: today).
    """
    df = items.items.copy()
    rep = returned if returned is not None else pd.DataFrame(columns=["id", "status"])
    status = dict(zip(rep["id"], rep["status"]))
    df["status"] = [status.get(i, "not_returned") for i in df["id"]]
    for c in ("measures", "responsible", "completed_on"):
        df[c] = df["id"].map(dict(zip(rep["id"], rep[c]))) if c in rep else None
    as_of = _date(as_of) if as_of is not None else dt.date.today()
    df["overdue"] = [(d is not None and d < as_of and s != "done") for d, s in zip(df["due"], df["status"])]
    units = df.groupby("unit_id", sort=False).agg(items=("id", "size"),
                                                  done=("status", lambda s: int((s == "done").sum())),
                                                  overdue=("overdue", "sum"))
    units["overdue"] = units["overdue"].astype(int)
    office: dict[str, Any] = {"items": int(len(df)), "done": int((df["status"] == "done").sum()),
                              "overdue": int(df["overdue"].sum())}
    nxt = None
    if next_ev is not None:
        nxt = str(next_ev.input_data.round or "")
        before, after, improved = _improvement(df, next_ev, items.rules)
        df["before"], df["after"] = before, after
        df["improved"] = pd.Series(improved, index=df.index, dtype=object)  # True / False / None, never numpy bools
        df["closed"] = [(s == "done") and (i is True) for s, i in zip(df["status"], df["improved"])]
        df["outcome"] = ["closed" if c else "done_not_improved" if s == "done" else
                         "improved_not_done" if i is True else "open"
                         for c, s, i in zip(df["closed"], df["status"], df["improved"])]
        g = df.groupby("unit_id", sort=False)
        units["improved"] = g["improved"].agg(lambda s: int(sum(v is True for v in s)))
        units["closed"] = g["closed"].sum().astype(int)
        units["closure_rate"] = units["closed"] / units["items"]
        office.update(improved=int(sum(v is True for v in df["improved"])), closed=int(df["closed"].sum()))
        office["closure_rate"] = office["closed"] / office["items"] if office["items"] else None
    return Closure(items=df, units=units, office=office, next_round=nxt, as_of=as_of)


def _improvement(df: pd.DataFrame, ev, rules: RectificationRules) -> tuple[list, list, list]:
    lines = ev.explanations.set_index(["unit_id", "id"])
    adj = ev.data.adjustments
    incurred = set(zip(adj["unit_id"], adj["kind"], adj["item"])) if len(adj) else set()
    complaints = sorted(set(df.loc[df["source"] == "complaint", "subject"]))
    rates = complaint_rates(ev, complaints).set_index(["unit_id", "comment"])["rate"] if complaints else pd.Series()
    before, after, improved = [], [], []
    for r in df.itertuples(index=False):
        if r.source == "lost_points":
            key = (r.unit_id, r.subject)
            now = float(lines.loc[key, "score"]) if key in lines.index else np.nan
            before.append(r.score)
            after.append(now)
            improved.append(None if now != now else bool(now - r.score >= rules.min_gain - 1e-12))
        elif r.source in ("penalty", "veto"):
            again = (r.unit_id, r.source, r.subject) in incurred
            before.append(1.0)
            after.append(1.0 if again else 0.0)
            improved.append(not again)
        else:
            now = float(rates.get((r.unit_id, r.subject), 0.0)) if r.unit_id in set(ev.results.index) else np.nan
            before.append(r.rate)
            after.append(now)
            improved.append(None if now != now else bool(now < r.rate - 1e-12))
    return before, after, improved
