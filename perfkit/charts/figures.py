"""The round and feedback reports' charts: round facts -> Altair charts, every label in
one language from the catalogue."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from perfkit.charts import round as charts
from perfkit.i18n import t

if TYPE_CHECKING:  # the facts are the report layer's; charts only read their tables
    from perfkit.report.facts import RoundFacts, UnitFacts

__all__ = ["score_chart", "grade_chart", "movers_chart", "survey_chart", "trend_chart", "profile_chart"]


def _grade_order(f: RoundFacts, lang: str, category: str | None = None) -> list[str]:
    grades = f.meta.get("grades") or {}
    ids: list[str] = []
    for c, rules in grades.items():
        if category is None or c == category:
            ids += [g["id"] for g in rules if g["id"] not in ids]
    return [f.label("grade", g, lang) for g in ids]


def score_chart(f: RoundFacts, lang: str, category: str):
    """Final scores of one category's units, coloured by grade."""
    r = f.results[f.results["category"] == category]
    df = pd.DataFrame({"final": r["final"], "name": r["name_zh" if lang == "zh" else "name_en"],
                       "grade_label": [f.label("grade", g, lang) if g is not None else "—" for g in r["grade"]]})
    order = _grade_order(f, lang, category) or ["—"]
    return charts.score_bars(df, title=t("chart.scores", lang, category=f.label("category", category, lang)),
                             x_title=t("col.final", lang), colour_title=t("col.grade", lang), colour_order=order)


def grade_chart(f: RoundFacts, lang: str):
    """Units per grade in each category against the quota."""
    q = f.quotas
    df = pd.DataFrame({"category_label": [f.label("category", c, lang) for c in q["category"]],
                       "grade_label": [f.label("grade", g, lang) for g in q["grade"]],
                       "count": q["count"], "quota": q["quota"]})
    return charts.grade_distribution(df, title=t("chart.grades", lang), y_title=t("col.count", lang),
                                     quota_title=t("col.quota", lang), grade_order=_grade_order(f, lang))


def movers_chart(f: RoundFacts, lang: str, n: int = 10):
    m = f.movers(n)
    df = pd.DataFrame({"label": m["name_zh" if lang == "zh" else "name_en"], "value": m["delta_final"]})
    return charts.diverging_bars(df, title=t("chart.movers", lang, prev=(f.meta["previous"] or ["—"])[-1]),
                                 x_title=t("col.delta_final", lang))


def survey_chart(f: RoundFacts, lang: str, *, category: str | None = None, unit: str | None = None):
    """Satisfaction means with 95% intervals by respondent group (suppressed cells left out)."""
    s = f.survey[~f.survey["suppressed"].astype(bool)]
    if unit is not None:
        s = s[s["unit_id"] == unit]
        labels = [f.label("group", g, lang) for g in s["group"]]
    else:
        s = s[s["unit_id"].map(f.results["category"]) == category]
        labels = [f.unit_name(u, lang) for u in s["unit_id"]]
    df = pd.DataFrame({"label": labels, "group_label": [f.label("group", g, lang) for g in s["group"]],
                       "mean": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"]})
    # a unit's chart sits right under its section heading: no title of its own
    title = None if unit is not None else t("chart.survey", lang, category=f.label("category", category, lang))
    return charts.interval_dots(df, title=title, x_title=t("col.mean", lang), colour_title=t("col.group", lang))


def trend_chart(uf: UnitFacts, f: RoundFacts, lang: str):
    """The unit's final score over rounds against its category's mean."""
    h = uf.history
    me = f.unit_name(uf.unit_id, lang)
    avg = t("text.category_mean", lang)
    df = pd.concat([pd.DataFrame({"round": h["round"], "value": h["final"], "series": me}),
                    pd.DataFrame({"round": h["round"], "value": h["category_mean"], "series": avg})])
    return charts.trend_lines(df, title=None, y_title=t("col.final", lang),
                              series_title=t("col.series", lang))


def profile_chart(uf: UnitFacts, f: RoundFacts, lang: str, n: int = 6):
    """The ``n`` indicators most above and the ``n`` most below the category mean."""
    p = f.profile[(f.profile["unit_id"] == uf.unit_id)].dropna(subset=["diff"])
    p = pd.concat([p[p["diff"] > 0].nlargest(n, "diff"), p[p["diff"] < 0].nsmallest(n, "diff")])
    df = pd.DataFrame({"label": [f.label("node", i, lang) for i in p["id"]], "value": p["diff"]})
    return charts.diverging_bars(df, title=t("chart.profile", lang, n=n), x_title=t("col.diff", lang))
