"""The review's tables as people read them: one language, headers from the catalogue
(``ind.col.*``), indicators by name, shares as percentages, ``—`` where a figure cannot be
computed. Used by ``notebooks/indicator_review.ipynb`` and by anyone exporting them.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from perfkit.analyses.indicators.design import ITEMS
from perfkit.analyses.indicators.rules import ACTIONS, RULES
from perfkit.i18n import t

__all__ = ["alerts", "by_category", "changes", "design", "direction", "discrimination", "distribution", "grades", "pairs",
           "recommendations", "rounds", "rules", "stability", "structure", "warnings", "weights"]

DASH = "—"


def _pct(v) -> str:
    return DASH if v is None or not np.isfinite(v) else f"{v:.0%}"


def _num(v, digits: int = 2) -> str:
    return DASH if v is None or not np.isfinite(v) else f"{v:.{digits}f}"


def _cols(lang: str, *keys: str) -> list[str]:
    return [t(f"ind.col.{k}", lang) for k in keys]


def _node_name(rv, lang: str) -> Callable[[str], str]:
    """Names of indicators and of aggregate nodes (from the design and effective tables)."""
    names = {nid: lab[lang] for nid, lab in rv.node_labels.items()}
    return lambda nid: names.get(nid, str(nid))


def recommendations(rv, lang: str, *, keep: bool = False) -> pd.DataFrame:
    """Indicator, recommendation, reason — strongest action first (``keep`` rows only when asked)."""
    name = _node_name(rv, lang)
    recs = sorted((r for r in rv.recommendations if keep or r.action != "keep"),
                  key=lambda r: (ACTIONS.index(r.action), list(rv.indicators.index).index(r.subject)))
    rows = [[name(r.subject), t("ind.merge_into", lang, other=name(r.other)) if r.action == "merge" and r.other
             else t(f"action.{r.action}", lang), r.reason(lang)] for r in recs]
    return pd.DataFrame(rows, columns=_cols(lang, "indicator", "action", "reason"))


def design(rv, lang: str) -> pd.DataFrame:
    """The design checklist: ✓ declared, ✗ missing, — not applicable; completeness."""
    c = rv.design.checklist
    mark = {True: "✓", False: "✗"}
    rows = [[str(c.loc[i, f"label_{lang}"]), *[mark.get(c.loc[i, k], DASH) if c.loc[i, k] is not None else DASH
                                               for k in ITEMS], _pct(c.loc[i, "share"])] for i in c.index]
    return pd.DataFrame(rows, columns=[t("ind.col.indicator", lang), *[t(f"ind.item.{k}", lang) for k in ITEMS],
                                       t("ind.col.completeness", lang)])


def _latest(df: pd.DataFrame, rv) -> pd.DataFrame:
    return df[df["round"] == rv.rounds[-1]] if len(df) else df


def discrimination(rv, lang: str) -> pd.DataFrame:
    """Latest round: units, mean, CV, Gini, shares at full marks and at zero, distinct values."""
    name = _node_name(rv, lang)
    d = _latest(rv.discrimination, rv)
    d = d[d["category"] == "all"]
    rows = [[name(r.indicator), int(r.n), _num(r.mean, 1), _num(r.cv), _num(r.gini), _pct(r.full), _pct(r.zero),
             int(r.distinct)] for r in d.itertuples(index=False)]
    return pd.DataFrame(rows, columns=_cols(lang, "indicator", "n", "mean", "cv", "gini", "full", "zero", "distinct"))


def by_category(rv, lang: str, *, category_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Latest round, within each category (units are ranked only there): each indicator's
    share of units at full marks, and its coefficient of variation in brackets; empty when
    the round has a single category."""
    name = _node_name(rv, lang)
    d = _latest(rv.discrimination, rv)
    d = d[d["category"] != "all"]
    if d.empty:
        return pd.DataFrame(columns=_cols(lang, "indicator"))
    cats = list(dict.fromkeys(d["category"]))
    cell = {(i, c): f"{_pct(f)}({_num(v)})" for i, c, f, v in zip(d["indicator"], d["category"], d["full"], d["cv"])}
    label = category_labels or {}
    rows = [[name(i), *[cell.get((i, c), DASH) for c in cats]] for i in dict.fromkeys(d["indicator"])]
    return pd.DataFrame(rows, columns=[t("ind.col.indicator", lang), *[label.get(c, c) for c in cats]])


def grades(rv, lang: str) -> pd.DataFrame:
    """Latest round: per qualitative indicator the units given each grade (and grades
    outside the mapping, marked)."""
    name = _node_name(rv, lang)
    g = _latest(rv.grades, rv)
    if g.empty:
        return pd.DataFrame(columns=_cols(lang, "indicator", "grades"))
    rows = []
    for ind, sub in g.groupby("indicator", sort=False):
        parts = [f"{r.grade}{'' if r.in_mapping else t('ind.outside', lang)} {r.count}({_pct(r.share)})"
                 for r in sub.itertuples(index=False)]
        rows.append([name(ind), t("ind.list_sep", lang).join(parts)])
    return pd.DataFrame(rows, columns=_cols(lang, "indicator", "grades"))


def distribution(rv, lang: str) -> pd.DataFrame:
    """Latest round: missing and imputed shares, skewness, kurtosis, robust outliers."""
    name = _node_name(rv, lang)
    d = _latest(rv.distribution, rv)
    rows = [[name(r.indicator), _pct(r.missing), _pct(r.imputed), _num(r.skew), _num(r.kurt),
             t("text.yes", lang) if r.skew_kurt_flag else "", int(r.outliers)] for r in d.itertuples(index=False)]
    return pd.DataFrame(rows, columns=_cols(lang, "indicator", "missing", "imputed", "skew", "kurt", "skew_flag",
                                            "outliers"))


def pairs(rv, lang: str) -> pd.DataFrame:
    """Pairs correlated at the redundancy threshold in at least one round (with at least
    ``min_units`` units): same group or not, r in the latest round, rounds at the threshold."""
    name = _node_name(rv, lang)
    c = rv.correlations
    if c.empty:
        return pd.DataFrame(columns=_cols(lang, "a", "b", "same_group", "r", "n", "rounds_at"))
    th = rv.thresholds
    judged = c[c["n"] >= th.min_units]
    hits = judged[judged["r"] >= th.corr].groupby(["a", "b"]).size()
    last = judged[judged["round"] == rv.rounds[-1]].set_index(["a", "b"])
    rows = []
    for (a, b), at in hits.items():
        hist = judged[(judged["a"] == a) & (judged["b"] == b)]
        r = last.loc[(a, b)] if (a, b) in last.index else hist.iloc[-1]
        rows.append((r["r"], [name(a), name(b), t("text.yes", lang) if r["same_group"] else t("text.no", lang),
                                   _num(r["r"]), int(r["n"]), f"{int(at)}/{len(hist)}"]))
    rows = [row for _, row in sorted(rows, key=lambda x: -x[0])]
    return pd.DataFrame(rows, columns=_cols(lang, "a", "b", "same_group", "r", "n", "rounds_at"))


def structure(rv, lang: str) -> pd.DataFrame:
    """Latest round, per aggregation group: children, units, alpha, KMO, Bartlett's p,
    factors retained, variance explained."""
    name = _node_name(rv, lang)
    s = _latest(rv.structure, rv)
    rows = [[name(r.group), int(r.children), int(r.n), _num(r.alpha), _num(r.kmo), _num(r.bartlett_p, 3),
             DASH if not np.isfinite(r.factors) else int(r.factors), _pct(r.explained)]
            for r in s.itertuples(index=False)]
    return pd.DataFrame(rows, columns=_cols(lang, "group", "children", "n", "alpha", "kmo", "bartlett_p", "factors",
                                            "explained"))


def direction(rv, lang: str) -> pd.DataFrame:
    """Per indicator: declared direction, correlation with the rest of the parent and of the
    final score in the latest round, and the latter in every round."""
    name = _node_name(rv, lang)
    d = rv.direction
    last = _latest(d, rv)
    rows = []
    for r in last.itertuples(index=False):
        hist = d[d["indicator"] == r.indicator]
        rows.append([name(r.indicator), t(f"ind.direction.{r.declared}", lang), _num(r.rho_parent), _num(r.rho_final),
                     int(r.n_final), t("ind.list_sep", lang).join(
                         t("ind.round_value", lang, round=x.round, value=_num(x.rho_final))
                         for x in hist.itertuples())])
    return pd.DataFrame(rows, columns=_cols(lang, "indicator", "declared", "rho_parent", "rho_final", "n", "by_round"))


def stability(rv, lang: str) -> pd.DataFrame:
    """Per indicator and pair of consecutive rounds: rank correlation (share unchanged)."""
    name = _node_name(rv, lang)
    s = rv.stability
    if s.empty:
        return pd.DataFrame(columns=_cols(lang, "indicator"))
    s = s[s["indicator"].isin(rv.indicators.index)]
    pairs_ = list(dict.fromkeys(zip(s["from"], s["to"])))
    cell = {(i, a, b): f"{_num(rho)}({_pct(u)})"
            for i, a, b, rho, u in zip(s["indicator"], s["from"], s["to"], s["rho"], s["unchanged"])}
    rows = [[name(i), *[cell.get((i, a, b), DASH) for a, b in pairs_]] for i in dict.fromkeys(s["indicator"])]
    return pd.DataFrame(rows, columns=[t("ind.col.indicator", lang), *[f"{a}→{b}" for a, b in pairs_]])


def weights(rv, lang: str) -> pd.DataFrame:
    """Latest round, per aggregation group and child: nominal share, share of the group's
    first-order effects, their ratio, the weight that would match; effect on the final score."""
    name = _node_name(rv, lang)
    e = _latest(rv.effective, rv)
    rows = []
    for g, sub in e.groupby("group", sort=False):
        tot = sub["optimal"].sum()
        for r in sub.itertuples(index=False):
            judged = r.n >= rv.thresholds.min_units_effect
            rows.append([name(g), name(r.indicator), int(r.n), _pct(r.nominal), _pct(r.S_norm),
                         _num(r.ratio) + ("" if judged else t("ind.not_judged", lang)),
                         _pct(r.optimal / tot) if np.isfinite(r.optimal) and tot > 0 else DASH, _pct(r.S_final)])
    return pd.DataFrame(rows, columns=_cols(lang, "group", "indicator", "n", "nominal", "effect", "ratio", "optimal",
                                            "s_final"))


def changes(rv, lang: str) -> pd.DataFrame:
    """Scheme changes between consecutive rounds (相对固化): indicator, change, points (or
    weight in its group) before and after."""
    name = _node_name(rv, lang)
    c = rv.changes
    rows = [[f"{a}→{b}", name(i), t(f"ind.change.{ch}", lang), _num(x, 3).rstrip("0").rstrip("."),
             _num(y, 3).rstrip("0").rstrip(".")]
            for a, b, i, ch, x, y in zip(c["from"], c["to"], c["indicator"], c["change"], c["before"], c["after"])]
    return pd.DataFrame(rows, columns=_cols(lang, "rounds", "indicator", "change", "before", "after"))


def rounds(rv, lang: str) -> str:
    """The rounds reviewed, as a list in ``lang``."""
    return t("ind.list_sep", lang).join(rv.rounds)


def alerts(rv, lang: str) -> pd.DataFrame:
    """The committee's findings, most serious first, each sentence led by its level."""
    order = {"critical": 0, "warning": 1, "info": 2}
    rows = [[t("ind.leveled", lang, level=t(f"ind.level.{a.level}", lang), text=a.text(lang))]
            for a in sorted(rv.alerts, key=lambda a: order[a.level])]
    return pd.DataFrame(rows, columns=_cols(lang, "finding"))


def rules(rv, lang: str) -> pd.DataFrame:
    """Every rule of the review as a sentence with its declared threshold, and its action."""
    th = rv.thresholds
    params = {"full": th.full_share, "corr": th.corr, "direction": th.direction, "alpha": th.alpha,
              "factor": th.weight_factor, "min": th.min_units, "min_effect": th.min_units_effect,
              "missing": th.missing, "rounds": th.rounds}
    rows = [[t(f"ind.rule.{rule}", lang), t(f"ind.rule_text.{rule}", lang, **params), t(f"action.{action}", lang)]
            for rule, action in RULES.items()]
    return pd.DataFrame(rows, columns=_cols(lang, "rule", "standard", "action"))


def warnings(rv, lang: str) -> pd.DataFrame:
    """What could not be computed and why."""
    return pd.DataFrame([[w.text(lang)] for w in rv.warnings], columns=_cols(lang, "note"))
