"""Report tables: round facts -> display tables with labels and headers in one language.

Every function returns a DataFrame whose column names are already the ``lang`` headers, so
a notebook only displays it. Suppressed survey cells show as "fewer than N responses",
never as numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfkit.i18n import has, t
from perfkit.report.facts import RoundFacts, UnitFacts

__all__ = ["headers", "method_label", "reason_text", "results_table", "grade_table", "adjustment_table",
           "movers_table", "survey_table", "comments_table", "lost_table", "profile_table", "unit_header",
           "fmt_points", "fmt_rank"]


def headers(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rename columns ``c`` to their ``col.c`` label in ``lang`` (columns without one keep their name)."""
    return df.rename(columns={c: t(f"col.{c}", lang) for c in df.columns if has(f"col.{c}")})


def fmt_points(v, digits: int = 2, sign: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    return f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"


def fmt_rank(rank, size) -> str:
    if rank is None or (isinstance(rank, float) and np.isnan(rank)):
        return "—"
    return f"{rank:g} / {size:g}"


def method_label(method: str, lang: str) -> str:
    key = f"method.{method}"
    return t(key, lang) if has(key) else str(method)


def reason_text(line: pd.Series, lang: str) -> str:
    """The reason for a line in ``lang`` (the engine says it in both languages)."""
    text = line.get(f"reason_{lang}")
    return str(text if isinstance(text, str) else line.get("reason") or "")


def _name(f: RoundFacts, lang: str) -> str:
    return "name_zh" if lang == "zh" else "name_en"


def _grade(f: RoundFacts, g, lang: str) -> str:
    return f.label("grade", g, lang) if g is not None and g == g else "—"


def _items(f: RoundFacts, items: str, lang: str) -> str:
    return "、".join(f.label("item", i.strip(), lang) for i in str(items).split(",") if i.strip()) \
        if lang == "zh" else ", ".join(f.label("item", i.strip(), lang) for i in str(items).split(",") if i.strip())


def results_table(f: RoundFacts, lang: str, category: str | None = None) -> pd.DataFrame:
    """Rank, unit, base, bonus, penalty, final score, grade and vetoes, best first."""
    r = f.results if category is None else f.results[f.results["category"] == category]
    r = r.sort_values(["category", "rank"])
    out = pd.DataFrame({
        "rank": [fmt_rank(a, b) for a, b in zip(r["rank"], r["category_size"])],
        "unit": r[_name(f, lang)],
        "base": r["base"].map(fmt_points), "bonus": r["bonus"].map(fmt_points),
        "penalty": r["penalty"].map(fmt_points), "final": r["final"].map(fmt_points),
        "grade": [_grade(f, g, lang) for g in r["grade"]],
        "vetoes": [_items(f, v, lang) for v in r["vetoes"]],
    })
    if category is None:
        out.insert(1, "category", [f.label("category", c, lang) for c in r["category"]])
    if f.meta.get("paradigm") != "points" or not f.meta.get("grades"):
        out = out.drop(columns=[c for c in ("bonus", "penalty", "grade", "vetoes")
                                if c in out and (out[c].isin(["—", "0.00", ""])).all()])
    return headers(out, lang)


def grade_table(f: RoundFacts, lang: str) -> pd.DataFrame:
    """Units per grade and category against the grade's threshold and quota."""
    q = f.quotas
    out = pd.DataFrame({
        "category": [f.label("category", c, lang) for c in q["category"]],
        "grade": [_grade(f, g, lang) for g in q["grade"]],
        "count": q["count"].astype(int),
        "min_score": q["min_score"].map(lambda v: "—" if pd.isna(v) else f"≥ {v:g}"),
        "quota": [("—" if pd.isna(m) else f"{qq:g} ({m:.0%})") for qq, m in zip(q["quota"], q["max_share"])],
    })
    return headers(out, lang)


def adjustment_table(f: RoundFacts, lang: str, kinds=("veto", "penalty", "bonus"),
                     unit: str | None = None) -> pd.DataFrame:
    """Bonus, penalty and veto items (of one unit or of all), with points and reasons."""
    a = f.adjustments[f.adjustments["kind"].isin(kinds)]
    if unit is not None:
        a = a[a["unit_id"] == unit]
    a = a.assign(_k=a["kind"].map({k: i for i, k in enumerate(kinds)})).sort_values(["_k", "unit_id"])
    out = pd.DataFrame({
        "unit": [f.unit_name(u, lang) for u in a["unit_id"]],
        "kind": [t(f"kind.{k}", lang) for k in a["kind"]],
        "item": [f.label("item", i, lang) for i in a["item"]],
        "points": [("—" if k == "veto" else fmt_points(p, 1)) for k, p in zip(a["kind"], a["points"])],
        "reason": a["reason"].fillna("").astype(str),
    })
    if unit is not None:
        out = out.drop(columns=["unit"])
    return headers(out, lang)


def movers_table(f: RoundFacts, lang: str, n: int = 10) -> pd.DataFrame:
    """The biggest changes of final score since the previous round."""
    m = f.movers(n)
    out = pd.DataFrame({
        "unit": m[_name(f, lang)],
        "category": [f.label("category", c, lang) for c in m["category"]],
        "prev_final": m["prev_final"].map(fmt_points), "final": m["final"].map(fmt_points),
        "delta_final": m["delta_final"].map(lambda v: fmt_points(v, sign=True)),
        "delta_rank": m["delta_rank"].map(lambda v: "—" if pd.isna(v) else f"{v:+g}"),
    })
    return headers(out, lang)


def _cell(f: RoundFacts, lang: str, row: pd.Series, col: str, digits: int = 1) -> str:
    if bool(row["suppressed"]):
        return t("text.suppressed_cell", lang, n=f.meta.get("min_cell"))
    return fmt_points(row[col], digits) if col != "n" else f"{row['n']:.0f}"


def survey_table(f: RoundFacts, lang: str, *, unit: str | None = None, category: str | None = None) -> pd.DataFrame:
    """Satisfaction per unit and respondent group: responses, mean and 95% interval
    (of one unit, of one category's units, or of all)."""
    s = f.survey
    if unit is not None:
        s = s[s["unit_id"] == unit]
    if category is not None:
        s = s[s["unit_id"].map(f.results["category"]) == category]
    rows = []
    for _, r in s.iterrows():
        ci = t("text.suppressed_cell", lang, n=f.meta.get("min_cell")) if r["suppressed"] else \
            f"{r['ci_low']:.1f} – {r['ci_high']:.1f}"
        rows.append({"unit": f.unit_name(r["unit_id"], lang), "group": f.label("group", r["group"], lang),
                     "n": "—" if r["suppressed"] else f"{r['n']:.0f}", "mean": _cell(f, lang, r, "mean"),
                     "ci": ci, "used": t("text.yes" if r["used"] else "text.no", lang)})
    out = pd.DataFrame(rows, columns=["unit", "group", "n", "mean", "ci", "used"])
    if unit is not None:
        out = out.drop(columns=["unit"])
    return headers(out, lang)


def comments_table(uf: UnitFacts, f: RoundFacts, lang: str) -> pd.DataFrame:
    """The most frequent comments per respondent group (cells at or above min_cell only)."""
    c = uf.comments
    out = pd.DataFrame({"group": [f.label("group", g, lang) for g in c["group"]],
                        "comment": c["comment"].astype(str), "mentions": c["count"].astype(int),
                        "n_comments": c["n_comments"].astype(int)})
    return headers(out, lang)


def lost_table(uf: UnitFacts, lang: str) -> pd.DataFrame:
    """Every point lost: indicator, rule, value, target, points lost (or gap) and reason."""
    lines = uf.lost
    pts = "lost" in lines
    out = pd.DataFrame({
        "indicator": lines["label_zh"] if lang == "zh" else lines["label_en"],
        "rule": [method_label(m, lang) + (f" ({p})" if isinstance(p, str) and p else "")
                 for m, p in zip(lines["method"], lines["params"])],
        "value": lines["value"].map(lambda v: fmt_points(v, 2)),
        "target": lines["target"].map(lambda v: fmt_points(v, 2)) if "target" in lines else "—",
        **({"max_points": lines["max_points"].map(fmt_points)} if pts else {}),
        ("lost" if pts else "gap"): lines["lost" if pts else "gap"].map(fmt_points),
        "reason": [reason_text(r, lang) for _, r in lines.iterrows()],
    })
    return headers(out, lang)


def profile_table(df: pd.DataFrame, f: RoundFacts, lang: str) -> pd.DataFrame:
    """Indicator, the unit's score, its category's mean and the difference (0-100 scale)."""
    out = pd.DataFrame({"indicator": [f.label("node", i, lang) for i in df["id"]],
                        "score": df["score"].map(lambda v: fmt_points(v, 1)),
                        "category_mean": df["category_mean"].map(lambda v: fmt_points(v, 1)),
                        "diff": df["diff"].map(lambda v: fmt_points(v, 1, sign=True))})
    return headers(out, lang)


def unit_header(uf: UnitFacts, f: RoundFacts, lang: str) -> pd.DataFrame:
    """Score, rank in category and grade of one unit, as a two-column table."""
    r = uf.row
    rows = [("unit", f"{f.unit_name(uf.unit_id, lang)} ({uf.unit_id})"),
            ("category", f.label("category", r["category"], lang)),
            ("final", fmt_points(r["final"])),
            ("rank", fmt_rank(r["rank"], r["category_size"]))]
    if f.meta.get("paradigm") == "points":
        rows[3:3] = [("base", fmt_points(r["base"])), ("bonus", fmt_points(r["bonus"])),
                     ("penalty", fmt_points(r["penalty"]))]
    if f.meta.get("grades"):
        rows.append(("grade", _grade(f, r["grade"], lang)))
        reason = r.get("grade_reason_zh" if lang == "zh" else "grade_reason")
        if isinstance(reason, str) and reason:
            rows.append(("grade_reason", reason))
    if str(r.get("vetoes") or ""):
        rows.append(("vetoes", _items(f, r["vetoes"], lang)))
    if not pd.isna(r.get("prev_final")):
        rows.append(("prev_final", fmt_points(r["prev_final"])))
    return pd.DataFrame({t("col.item", lang): [t(f"col.{k}", lang) for k, _ in rows],
                         t("col.value_shown", lang): [v for _, v in rows]})
