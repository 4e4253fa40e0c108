"""From the review's tables to what people read: recommendations per indicator, alerts for
the committee, warnings about what could not be computed. Every sentence is a catalogue key
(``rule.ind_<rule>``, ``alert.ind_<code>``, ``alert.ind_w_<code>`` in
``perfkit/i18n/indicators.yaml``); names are passed as ``{"zh": ..., "en": ...}``.
"""
from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np

from perfkit.analyses.indicators.collect import RoundView
from perfkit.analyses.indicators.rules import Thresholds
from perfkit.i18n import t
from perfkit.results import Alert, Recommendation

__all__ = ["recommendations", "alerts", "warnings_from", "threshold_of"]

SOURCE = "indicators"


def threshold_of(rule: str, th: Thresholds) -> float:
    """The declared threshold a rule compares its value with."""
    return {"constant": 1, "ceiling": th.full_share, "floor": th.full_share, "redundant": th.corr,
            "direction": -th.direction, "weight_low": 1.0 / th.weight_factor, "weight_high": th.weight_factor,
            "missing": th.missing, "imputed": th.missing}[rule]


def _names(ids, label) -> dict[str, str]:
    return {lang: t("ind.list_sep", lang).join(label(i, lang) for i in ids) for lang in ("zh", "en")}


def _labeller(ref: RoundView):
    nodes = ref.scheme.nodes

    def label(nid: str, lang: str) -> str:
        return nodes[nid].label.get(lang) if nid in nodes else str(nid)
    return label


def _values_text(values: Mapping[str, float], rule: str) -> dict[str, str]:
    """The value in each round, e.g. ``2024: 95%, 2025: 95%``, in both languages."""
    pct = rule in ("ceiling", "floor", "missing", "imputed")
    return {lang: t("ind.list_sep", lang).join(
        t("ind.round_value", lang, round=r, value=f"{v:.0%}" if pct else f"{v:.2f}") for r, v in values.items())
        for lang in ("zh", "en")}


def recommendations(out: Mapping[str, Any], ref: RoundView) -> tuple[Recommendation, ...]:
    """One recommendation per rule that fired for an indicator of the reference scheme
    (merge partners named in ``other``), and *keep* for every indicator with none."""
    th: Thresholds = out["thresholds"]
    dec = out["decisions"]
    label = _labeller(ref)
    fired = dec[dec["fires"]] if len(dec) else dec
    recs: list[Recommendation] = []
    partners = set(fired.loc[fired["rule"] == "redundant", "other"]) if len(fired) else set()
    eff = out["effective"]
    for nid in ref.ids:
        mine = fired[fired["indicator"] == nid] if len(fired) else fired
        for r in mine.itertuples(index=False):
            ev: dict[str, Any] = {"round": r.round, "fired": int(r.fired), "judged": int(r.judged),
                                  "values": _values_text(r.values, r.rule),
                                  "label": {lang: label(nid, lang) for lang in ("zh", "en")}}
            if r.other:
                ev["other_label"] = {lang: label(r.other, lang) for lang in ("zh", "en")}
            if r.rule in ("weight_low", "weight_high"):
                e = eff[(eff["round"] == r.round) & (eff["indicator"] == nid)].iloc[0]
                ev.update(nominal=float(e["nominal"]), effect=float(e["S_norm"]),
                          optimal=float(e["optimal"]) / float(np.nansum(eff.loc[(eff["round"] == r.round) & (
                              eff["group"] == e["group"]), "optimal"])) if np.isfinite(e["optimal"]) else float("nan"),
                          group={lang: label(e["group"], lang) for lang in ("zh", "en")})
            if r.rule == "direction":
                ev["declared"] = {lang: t(f"ind.direction.{ref.scheme.nodes[nid].direction}", lang)
                                  for lang in ("zh", "en")}
            recs.append(Recommendation(subject=nid, action=r.action, rule=f"ind_{r.rule}",
                                       threshold=threshold_of(r.rule, th), value=float(r.value), other=r.other or "",
                                       evidence=ev))
        if mine.empty and nid not in partners:
            recs.append(Recommendation(subject=nid, action="keep",
                                       evidence={"label": {lang: label(nid, lang) for lang in ("zh", "en")}}))
    return tuple(recs)


def alerts(out: Mapping[str, Any], recs: tuple[Recommendation, ...], th: Thresholds,
           ref: RoundView | None = None) -> tuple[Alert, ...]:
    """The committee's findings: design completeness, and per finding type the indicators
    it names; scheme changes across rounds; stability."""
    ref_ids = list(out["indicators"].index)
    lab = out["indicators"]

    def label(nid: str, lang: str) -> str:
        return str(lab.loc[nid, f"label_{lang}"]) if nid in lab.index else str(nid)

    res: list[Alert] = []
    d = out["design"]
    if d.share < 1:
        items = {lang: t("ind.list_sep", lang).join(t(f"ind.item.{k}", lang) for k in d.missing_everywhere)
                 for lang in ("zh", "en")}
        res.append(Alert(SOURCE, "warning" if d.share < 0.6 else "info",
                         "ind_design" if d.missing_everywhere else "ind_design_some", subject=d.scheme_id,
                         params={"share": d.share, "items": items, "n": len(d.checklist)},
                         evidence={k: float(v) for k, v in d.item_shares().items()}))
    groups = {"ind_not_discriminating": ("ind_constant", "ind_ceiling", "ind_floor"),
              "ind_direction": ("ind_direction",), "ind_weights": ("ind_weight_low", "ind_weight_high"),
              "ind_data": ("ind_missing", "ind_imputed")}
    level = {"ind_direction": "critical"}
    for code, rules in groups.items():
        who = list(dict.fromkeys(r.subject for r in recs if r.rule in rules))
        if who:
            res.append(Alert(SOURCE, level.get(code, "warning"), code, subject=", ".join(who),
                             params={"n": len(who), "names": _names(who, label), "factor": th.weight_factor,
                                     "threshold": th.full_share},
                             evidence={"indicators": who}))
    pairs = [(r.subject, r.other) for r in recs if r.rule == "ind_redundant"]
    if pairs:
        text = {lang: t("ind.list_sep", lang).join(
            t("ind.pair", lang, a=label(a, lang), b=label(b, lang)) for a, b in pairs) for lang in ("zh", "en")}
        res.append(Alert(SOURCE, "warning", "ind_redundant", subject=", ".join(f"{a}~{b}" for a, b in pairs),
                         params={"n": len(pairs), "pairs": text, "threshold": th.corr}, evidence={"pairs": pairs}))
    res.extend(_cross_group(out, th, label))
    res.extend(_category_ceiling(out, recs, th, label, ref))
    res.extend(_group_weights(out, th, label))
    res.extend(_stability(out, th, label, ref_ids))
    rounds = list(out["rounds"])
    if len(rounds) > 1:
        ch = out["changes"]
        parts = {lang: [] for lang in ("zh", "en")}
        for a, b in pairwise(rounds):
            c = ch[(ch["from"] == a) & (ch["to"] == b)]["change"].value_counts()
            for lang in parts:
                key = "ind.change_pair" if len(c) else "ind.change_none"
                parts[lang].append(t(key, lang, prev=a, round=b, added=int(c.get("added", 0)),
                                     removed=int(c.get("removed", 0)), reweighted=int(c.get("reweighted", 0))))
        res.append(Alert(SOURCE, "info", "ind_changes", subject=f"{rounds[0]}–{rounds[-1]}",
                         params={"first": rounds[0], "last": rounds[-1], "total": int(len(ch)),
                                 "pairs": {lang: t("ind.clause_sep", lang).join(v) for lang, v in parts.items()}},
                         evidence={"changes": ch.to_dict("records")}))
    if not any(r.action != "keep" for r in recs):
        res.append(Alert(SOURCE, "info", "ind_all_kept", params={"n": len(ref_ids)}))
    return tuple(res)


def _cross_group(out, th: Thresholds, label) -> list[Alert]:
    """Pairs in different aggregation groups whose scores correlate at r >= corr in more than
    ``th.rounds`` of the rounds judged (with ``min_units`` units): the same thing assessed twice."""
    c = out["correlations"]
    if c.empty:
        return []
    c = c[~c["same_group"] & (c["n"] >= th.min_units) & c["r"].notna()]
    ids = set(out["indicators"].index)
    found = []
    for (a, b), g in c.groupby(["a", "b"], sort=False):
        if a in ids and b in ids and (g["r"] >= th.corr).sum() > th.rounds * len(g):
            found.append((a, b, float(g["r"].iloc[-1])))
    if not found:
        return []
    text = {lang: t("ind.list_sep", lang).join(t("ind.pair", lang, a=label(a, lang), b=label(b, lang))
                                              for a, b, _ in found) for lang in ("zh", "en")}
    return [Alert(SOURCE, "info", "ind_cross_group", subject=", ".join(f"{a}~{b}" for a, b, _ in found),
                  params={"n": len(found), "pairs": text, "threshold": th.corr}, evidence={"pairs": found})]


def _category_ceiling(out, recs, th: Thresholds, label, ref: RoundView | None) -> list[Alert]:
    """Indicators that discriminate overall but give ``full_share`` or more of the units of
    some category full marks (or zero) in more than ``th.rounds`` of the rounds: units are
    ranked within their category, so there the indicator does nothing."""
    d = out["discrimination"]
    if d.empty or ref is None or ref.groups is None:
        return []
    done = {r.subject for r in recs if r.rule in ("ind_constant", "ind_ceiling", "ind_floor")}
    d = d[(d["category"] != "all") & (d["n"] >= 2) & ~d["indicator"].isin(done)
          & d["indicator"].isin(out["indicators"].index)]
    cats = {c.id: {"zh": c.label.zh, "en": c.label.en} for c in ref.scheme.model.categories}
    found = []
    for (ind, cat), g in d.groupby(["indicator", "category"], sort=False):
        hits = ((g["full"] >= th.full_share) | (g["zero"] >= th.full_share)).sum()
        if hits > th.rounds * len(g):
            found.append((ind, cat))
    if not found:
        return []
    text = {lang: t("ind.list_sep", lang).join(
        t("ind.in_category", lang, indicator=label(i, lang), category=cats.get(c, {}).get(lang, c))
        for i, c in found) for lang in ("zh", "en")}
    return [Alert(SOURCE, "info", "ind_category_ceiling", subject=", ".join(f"{i}@{c}" for i, c in found),
                  params={"n": len(found), "pairs": text, "threshold": th.full_share},
                  evidence={"pairs": found})]


def _group_weights(out, th: Thresholds, label) -> list[Alert]:
    """Aggregate nodes whose share of their group's effects is outside ``[1/f, f]`` times
    their nominal share, in more than ``th.rounds`` of the rounds judged."""
    e = out["effective"]
    if e.empty:
        return []
    ids = set(out["indicators"].index)
    e = e[~e["indicator"].isin(ids) & (e["n"] >= th.min_units_effect) & e["ratio"].notna()]
    found = []
    for nid, g in e.groupby("indicator", sort=False):
        off = (g["ratio"] > th.weight_factor) | (g["ratio"] < 1 / th.weight_factor)
        if off.sum() > th.rounds * len(g):
            found.append(nid)
    if not found:
        return []
    return [Alert(SOURCE, "info", "ind_group_weights", subject=", ".join(found),
                  params={"n": len(found), "names": _names(found, label), "factor": th.weight_factor},
                  evidence={"nodes": found})]


def _stability(out, th: Thresholds, label, ids) -> list[Alert]:
    s = out["stability"]
    if s.empty:
        return []
    s = s[s["indicator"].isin(ids) & s["unchanged"].notna()]
    still = [i for i, g in s.groupby("indicator", sort=False)
             if (g["unchanged"] >= th.unchanged).sum() > th.rounds * len(g)]
    if not still:
        return []
    return [Alert(SOURCE, "info", "ind_barely_moves", subject=", ".join(still),
                  params={"n": len(still), "names": _names(still, label), "threshold": th.unchanged},
                  evidence={"indicators": still})]


def warnings_from(notes: list[tuple[str, str, dict]], th: Thresholds, out: Mapping[str, Any] | None = None,
                  ref: RoundView | None = None) -> tuple[Alert, ...]:
    """The notes collected while measuring, as ``alert.ind_w_<code>`` records (one per
    distinct note), plus rules that could not be judged for lack of units."""
    seen = set()
    res = []
    label_of = (lambda nid: {lang: ref.scheme.nodes[nid].label.get(lang) if nid in ref.scheme.nodes else nid
                             for lang in ("zh", "en")}) if ref is not None else (lambda nid: {"zh": nid, "en": nid})
    for code, subject, params in notes:
        key = (code, subject, tuple(sorted((k, str(v)) for k, v in params.items())))
        if key in seen:
            continue
        seen.add(key)
        level = "warning" if code in ("no_values", "constant", "grade_outside", "pca_failed") else "info"
        res.append(Alert(SOURCE, level, f"ind_w_{code}", subject=subject,
                         params={**params, "label": label_of(subject)}))
    if out is not None and ref is not None:
        res.extend(_unjudged(out, th, label_of))
    return tuple(res)


def _unjudged(out, th: Thresholds, label_of) -> list[Alert]:
    """Indicators whose direction (fewer than ``min_units`` units) or first-order effect
    (fewer than ``min_units_effect``) is never judged in any round."""
    ch = out["checks"]
    if ch.empty:
        return []
    res = []
    for rule, least, code in (("direction", th.min_units, "ind_w_few_units"),
                              ("weight_low", th.min_units_effect, "ind_w_few_units_effect")):
        rel = ch[ch["rule"] == rule]
        never = [i for i, g in rel.groupby("indicator", sort=False) if (g["n"] < least).all()]
        if never:
            names = {lang: t("ind.list_sep", lang).join(label_of(i)[lang] for i in never) for lang in ("zh", "en")}
            most = int(rel[rel["indicator"].isin(never)]["n"].max())
            res.append(Alert(SOURCE, "info", code, subject=", ".join(never),
                             params={"n": len(never), "names": names, "min": least, "most": most},
                             evidence={"indicators": never}))
    return res
