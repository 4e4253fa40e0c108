"""The tracking results as the office reads them: tables with headers and labels in one
language (the catalogue's ``trk.*`` keys), and the tidy frames the charts in
:mod:`perfkit.charts.tracking` draw. No chart is drawn here."""
from __future__ import annotations

import html

import pandas as pd

from perfkit.analyses.tracking.rectification import Closure
from perfkit.analyses.tracking.results_use import ResultsUse
from perfkit.analyses.tracking.rounds import period
from perfkit.analyses.tracking.track import LIGHTS, TrackingResult, number, percent
from perfkit.analyses.tracking.year_end import YearEndRecord
from perfkit.i18n import has, t

__all__ = ["round_label", "measure", "profile_label", "light_label", "warning_table", "category_table",
           "projection_table", "unit_targets_table", "problems_table", "rectification_table", "closure_items_table", "results_use_table", "commendation_table", "year_end_table", "light_frame",
           "projection_frame", "unit_frame", "overview", "grade_label", "number", "warning_html", "not_returned",
           "years_text", "short_round"]


def round_label(rnd: str, lang: str) -> str:
    """``2025Q2`` as the office writes it: 2025年第二季度 / Q2 2025.

    >>> round_label("2025Q2", "zh"), round_label("2025Q2", "en"), round_label("2025", "zh")
    ('2025年第二季度', 'Q2 2025', '2025')
    """
    try:
        p = period(rnd)
    except ValueError:
        return str(rnd)
    if p.periods == 4:
        return t("trk.period.quarter", lang, year=p.year, n=t(f"trk.quarter.{p.index}", lang))
    return t("trk.period.month", lang, year=p.year, n=f"{p.index:02d}" if lang == "en" else p.index)


def short_round(rnd: str, lang: str) -> str:
    """A round within its year: 二季度 / Q2 (a month: 5月 / 05)."""
    try:
        p = period(rnd)
    except ValueError:
        return str(rnd)
    if p.periods == 4:
        return t("trk.period.quarter_short", lang, n=t(f"trk.quarter.{p.index}", lang))
    return f"{p.index}月" if lang == "zh" else f"{p.index:02d}"


def measure(m: str, lang: str) -> str:
    key = f"trk.measure.{m}"
    return t(key, lang) if has(key) else str(m)


def profile_label(p: str, lang: str) -> str:
    key = f"trk.profile.{p}"
    return t(key, lang) if has(key) else t("trk.profile.curve", lang)


def light_label(x: str, lang: str) -> str:
    return t(f"trk.light.{x}", lang)


def grade_label(g, lang: str) -> str:
    if g is None or g != g:
        return "—"
    return t(f"grade.{g}", lang) if has(f"grade.{g}") else str(g)


def _h(code: str, lang: str) -> str:
    return t(f"trk.col.{code}", lang)


def _name(r, lang: str) -> str:
    return str(r.name_zh if lang == "zh" else r.name_en)


def _label(r, lang: str) -> str:
    return str(r.label_zh if lang == "zh" else r.label_en)


def _with_measure(v, m: str, lang: str) -> str:
    unit = measure(m, lang)
    if v != v:
        return "—"
    return f"{number(v)}{unit}" if lang == "zh" or unit in ("%", "‰", "") else f"{number(v)} {unit}"


def _interval(r) -> str:
    return "—" if r.low != r.low else f"{number(r.low)}–{number(r.high)}"


def overview(tr: TrackingResult) -> dict:
    """The counts the notice's opening paragraph says."""
    lights = tr.rows["light"].value_counts()
    warned = tr.warnings[tr.warnings["level"] != "info"]
    return {"units": len(tr.units), "targets": len(tr.rows), **{k: int(lights.get(k, 0)) for k in LIGHTS},
            "warned": len(warned), "warned_units": warned["unit_id"].nunique()}


def _codes_text(codes, lang: str) -> str:
    words = [t(f"trk.code.{c}", lang) for c in codes]
    if lang == "zh":
        return "、".join(words)
    return ", ".join([words[0], *(w[:1].lower() + w[1:] for w in words[1:])]) if words else ""


def warning_table(tr: TrackingResult, lang: str, *, watch: bool = False) -> pd.DataFrame:
    """The early-warning list (critical and warning; ``watch=True``: the watch list), most
    points at risk first, each with its evidence as a sentence."""
    w = tr.warnings
    w = w[w["level"] == "info"] if watch else w[w["level"] != "info"]
    alerts = {(a.subject, a.evidence["indicator_id"]): a for a in tr.alerts}
    rows = []
    for r in w.itertuples(index=False):
        rows.append({_h("unit", lang): _name(r, lang), _h("target", lang): _label(r, lang),
                     _h("profile", lang): profile_label(r.profile, lang), _h("light", lang): light_label(r.light, lang),
                     _h("warning", lang): _codes_text(r.codes, lang),
                     _h("at_risk", lang): f"{r.at_risk:.2f}",
                     _h("reason", lang): alerts[(r.unit_id, r.indicator_id)].text(lang)})
    return pd.DataFrame(rows)


def category_table(tr: TrackingResult, lang: str, labels: dict | None = None) -> pd.DataFrame:
    """Per category: units, targets, lights, warnings (``labels``: category id -> label)."""
    rows = []
    for cat, sub in tr.rows.groupby("category", sort=False):
        lights = sub["light"].value_counts()
        warned = sub[sub["level"].isin(["critical", "warning"])]
        rows.append({_h("category", lang): (labels or {}).get(cat, cat), _h("units", lang): sub["unit_id"].nunique(),
                     _h("targets", lang): len(sub), **{_h(k, lang): int(lights.get(k, 0)) for k in LIGHTS},
                     _h("warnings", lang): len(warned)})
    return pd.DataFrame(rows)


def projection_table(tr: TrackingResult, lang: str, *, category: str | None = None) -> pd.DataFrame:
    """Per unit: points, projected points and their range, points at risk, warnings and —
    with a baseline — the projected grade; most points at risk first."""
    u = tr.units if category is None else tr.units[tr.units["category"] == category]
    u = u.sort_values(["at_risk"], ascending=False)
    rows = []
    for uid, r in u.iterrows():
        row = {_h("unit", lang): str(r["name_zh"] if lang == "zh" else r["name_en"]),
               _h("points", lang): number(r["points"]), _h("projected_points", lang): f"{r['projected_points']:.2f}",
               _h("range", lang): f"{r['points_low']:.2f}–{r['points_high']:.2f}",
               _h("at_risk", lang): f"{r['at_risk']:.2f}", _h("red", lang): int(r["red"]),
               _h("warnings", lang): int(r["warnings"])}
        if "projected_grade" in u:
            row[_h("projected_grade", lang)] = grade_label(r["projected_grade"], lang)
            row[_h("baseline_grade", lang)] = grade_label(r["baseline_grade"], lang)
        rows.append(row)
    return pd.DataFrame(rows)


def unit_targets_table(tr: TrackingResult, unit: str, lang: str) -> pd.DataFrame:
    """One unit's targets: profile, so far, annual target, progress, expected, light,
    projection with interval, points, points at risk."""
    rows = []
    for r in tr.unit(unit).itertuples(index=False):
        rows.append({_h("target", lang): _label(r, lang), _h("profile", lang): profile_label(r.profile, lang),
                     _h("value", lang): _with_measure(r.value, r.measure, lang),
                     _h("annual", lang): _with_measure(r.target, r.measure, lang),
                     _h("progress", lang): percent(r.progress), _h("expected", lang): percent(r.expected_share),
                     _h("light", lang): light_label(r.light, lang),
                     _h("projected", lang): number(r.projected) if r.rule != "binary" else
                     t("trk.milestone_done", lang) if r.value == r.value and r.value != 0 else
                     t("trk.milestone_chance", lang, p=percent(r.projected)) if r.projected == r.projected else "—",
                     _h("interval", lang): _interval(r) if r.rule != "binary" else "—",
                     _h("points", lang): number(r.points), _h("at_risk", lang): f"{r.at_risk:.2f}"})
    return pd.DataFrame(rows)


def problems_table(tr: TrackingResult, lang: str, names: dict | None = None) -> pd.DataFrame:
    """The data problems found (file, row, what), with the unit's name."""
    rows = []
    for r in tr.problems.itertuples(index=False):
        rows.append({_h("period", lang): round_label(r.round, lang), _h("unit", lang): (names or {}).get(r.unit_id,
                                                                                                         r.unit_id),
                     _h("target", lang): r.indicator_id, _h("file", lang): r.file, _h("row", lang): r.row,
                     _h("message", lang): r.message})
    return pd.DataFrame(rows)


def rectification_table(c: Closure, lang: str, names: dict | None = None, *, by: str = "unit",
                        labels: dict | None = None) -> pd.DataFrame:
    """Per unit (``by="unit"``) or per category (``by="category"``): items, reported done,
    in progress, not started, not returned, overdue and — after the next round —
    improved, closed and the closure rate."""
    df = c.items
    key = "unit_id" if by == "unit" else "category"
    rows = []
    for k, sub in df.groupby(key, sort=False):
        st = sub["status"].value_counts()
        label = (names or {}).get(k, k) if by == "unit" else (labels or {}).get(k, k)
        row = {_h("unit" if by == "unit" else "category", lang): label}
        if by != "unit":
            row[_h("units", lang)] = sub["unit_id"].nunique()
        row.update({_h("items", lang): len(sub), _h("done", lang): int(st.get("done", 0)),
                    _h("in_progress", lang): int(st.get("in_progress", 0)),
                    _h("not_started", lang): int(st.get("not_started", 0)),
                    _h("not_returned", lang): int(st.get("not_returned", 0)),
                    _h("overdue", lang): int(sub["overdue"].sum())})
        if "closed" in df:
            closed = int(sub["closed"].sum())
            row.update({_h("improved", lang): int(sum(v is True for v in sub["improved"])),
                        _h("closed", lang): closed, _h("closure_rate", lang): percent(closed / len(sub))})
        rows.append(row)
    return pd.DataFrame(rows)


def not_returned(c: Closure, names: dict | None, lang: str) -> str:
    """The units that returned nothing, as a list in ``lang`` ("" for none)."""
    units = [(names or {}).get(u, u) for u in c.units.index
             if (c.items.loc[c.items["unit_id"] == u, "status"] == "not_returned").all()]
    return ("、" if lang == "zh" else ", ").join(units)


def closure_items_table(c: Closure, lang: str, *, unit: str | None = None) -> pd.DataFrame:
    """The items (of one unit), with their status and — after the next round — before,
    after and the outcome."""
    df = c.items if unit is None else c.items[c.items["unit_id"] == unit]
    rows = []
    for r in df.itertuples(index=False):
        row = {_h("id", lang): r.id, _h("source", lang): t(f"rect.source.{r.source}", lang),
               _h("problem", lang): r.problem_zh if lang == "zh" else r.problem_en,
               _h("due", lang): r.due.isoformat() if r.due is not None else "—",
               _h("status", lang): t(f"rect.status.{r.status}", lang),
               _h("overdue", lang): t("trk.yes", lang) if r.overdue else ""}
        if "outcome" in df:
            fmt = (lambda v: "—" if v != v else f"{v:.1%}") if r.source == "complaint" else \
                (lambda v: "—" if v != v else (t("trk.yes", lang) if v else t("trk.no", lang))) \
                if r.source in ("penalty", "veto") else (lambda v: "—" if v != v else f"{v:.1f}")
            row.update({_h("before", lang): fmt(r.before), _h("after", lang): fmt(r.after),
                        _h("outcome", lang): t(f"trk.outcome.{r.outcome}", lang)})
        rows.append(row)
    return pd.DataFrame(rows)


def results_use_table(ru: ResultsUse, lang: str, labels: dict | None = None) -> pd.DataFrame:
    """Per unit: category, grade, staff, the excellent share and places, the coefficient,
    the share of the pool and, with a pool, the amount."""
    rows = []
    for uid, r in ru.units.iterrows():
        row = {_h("unit", lang): str(r["name_zh"] if lang == "zh" else r["name_en"]),
               _h("category", lang): (labels or {}).get(r["category"], r["category"]),
               _h("grade", lang): grade_label(r["grade"], lang), _h("staff", lang): int(r["staff"]),
               _h("excellent_share", lang): percent(r["excellent_share"]),
               _h("excellent_places", lang): int(r["excellent_places"]),
               _h("coefficient", lang): f"{r['coefficient']:g}", _h("bonus_share", lang): f"{r['bonus_share']:.2%}"}
        if "bonus_amount" in ru.units:
            row[_h("bonus_amount", lang)] = f"{r['bonus_amount']:,.2f}"
        rows.append(row)
    return pd.DataFrame(rows)


def commendation_table(ru: ResultsUse, lang: str, labels: dict | None = None) -> pd.DataFrame:
    rows = [{_h("unit", lang): str(r["name_zh"] if lang == "zh" else r["name_en"]),
             _h("category", lang): (labels or {}).get(r["category"], r["category"]),
             _h("rank", lang): int(r["rank"]), _h("grade", lang): grade_label(r["grade"], lang)}
            for _, r in ru.commendation.iterrows()]
    return pd.DataFrame(rows)


def year_end_table(rec: YearEndRecord, lang: str, *, category: str | None = None) -> pd.DataFrame:
    """Per unit: the rounds it was warned in, points at risk per round, the targets' points
    earned at the year end, final score, rank, grade and the warnings confirmed, lifted
    and missed."""
    u = rec.units if category is None else rec.units[rec.units["category"] == category]
    rows = []
    for uid, r in u.iterrows():
        row = {_h("unit", lang): str(r["name_zh"] if lang == "zh" else r["name_en"]),
               _h("warned_in", lang): ("、" if lang == "zh" else ", ").join(
                   short_round(x, lang) for x in r["warned_in"].split(", ") if x)}
        for rnd in rec.rounds:
            row[f"{_h('at_risk', lang)} {short_round(rnd, lang)}"] = f"{r[f'at_risk_{rnd}']:.2f}"
        row.update({_h("earned", lang): f"{r['earned']:.2f}/{number(r['points'])}",
                    _h("final", lang): f"{r['final']:.2f}",
                    _h("rank", lang): "—" if r["rank"] != r["rank"] else int(r["rank"]),
                    _h("grade", lang): grade_label(r["grade"], lang), _h("confirmed", lang): int(r["confirmed"]),
                    _h("false_alarms", lang): int(r["false_alarms"]),
                    _h("unwarned_misses", lang): int(r["unwarned_misses"])})
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ chart frames
def light_frame(tr: TrackingResult, lang: str, labels: dict | None = None) -> pd.DataFrame:
    """Targets per category and light (``category_label, light_label, count``)."""
    df = tr.rows.groupby(["category", "light"], sort=False).size().rename("count").reset_index()
    df["category_label"] = [(labels or {}).get(c, c) for c in df["category"]]
    df["light_label"] = [light_label(x, lang) for x in df["light"]]
    return df


def projection_frame(tr: TrackingResult, lang: str, *, watch: bool = False) -> pd.DataFrame:
    """The listed targets' projected year-end value and interval as shares of the target
    (``label`` = unit: target)."""
    w = tr.warnings
    w = w[(w["level"] == "info") if watch else (w["level"] != "info")]
    w = w[w["rule"] != "binary"]
    sep = ":" if lang == "zh" else ": "
    df = pd.DataFrame({
        "label": [f"{_name(r, lang)}{sep}{_label(r, lang)}" for r in w.itertuples(index=False)],
        "projected_share": (w["projected"] / w["target"]).to_numpy(),
        "low_share": (w["low"] / w["target"]).to_numpy(),
        "high_share": (w["high"] / w["target"]).clip(upper=2.0).to_numpy(),
        "light_label": [light_label(x, lang) for x in w["light"]]})
    return df.dropna(subset=["projected_share"])


def unit_frame(tr: TrackingResult, unit: str, lang: str) -> pd.DataFrame:
    """One unit's targets: progress and expected progress (shares), light."""
    d = tr.unit(unit)
    return pd.DataFrame({"label": [_label(r, lang) for r in d.itertuples(index=False)],
                         "progress": d["progress"].clip(upper=1.5).to_numpy(),
                         "expected": d["expected_share"].to_numpy(),
                         "light_label": [light_label(x, lang) for x in d["light"]]})


def warning_html(tr: TrackingResult, unit: str, lang: str) -> str:
    """One unit's warnings as an HTML list: the target, its level, the evidence sentence."""
    rows = tr.unit(unit).set_index("indicator_id")
    items = []
    for a in (a for a in tr.alerts if a.subject == unit):
        r = rows.loc[a.evidence["indicator_id"]]
        level = t(f"trk.level.{r['level']}", lang)
        head = f"{r['label_zh']}\uff08{level}\uff09" if lang == "zh" else f"{r['label_en']} ({level})"
        items.append(f"<li><b>{html.escape(head)}</b>{'' if lang == 'zh' else ': '}{html.escape(a.text(lang))}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def years_text(years, lang: str) -> str:
    """Years as a list in ``lang``: 2022、2023、2024 / 2022, 2023, 2024."""
    return ("、" if lang == "zh" else ", ").join(map(str, years))
