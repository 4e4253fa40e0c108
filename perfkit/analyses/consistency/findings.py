"""From the parts of a review to what the committee reads: the recommendations per special
assessment (by the declared :class:`~perfkit.analyses.consistency.rules.Rules`) and the
alerts (plan control, overlap, conflicts, burden, and every rule that fired)."""
from __future__ import annotations

import math
from typing import Any

from perfkit.analyses.consistency._words import Bilingual, join
from perfkit.analyses.consistency.overlap import COMPREHENSIVE
from perfkit.analyses.consistency.rules import RULE_ACTION, Rules
from perfkit.i18n import t
from perfkit.results import Alert, Recommendation

__all__ = ["recommendations", "alerts"]

SOURCE = "consistency"


def _name(review, aid: str) -> Bilingual:
    a = review.registry.assessments.get(aid)
    return Bilingual(a.label.zh, a.label.en) if a is not None else Bilingual(aid)


def _channel(review, channel: str) -> Bilingual:
    if channel == COMPREHENSIVE:
        return Bilingual(t("cons.channel.comprehensive", "zh"), t("cons.channel.comprehensive", "en"))
    return _name(review, channel)


def _group_label(review, group: str) -> Bilingual:
    """The label of an indicator group (see ``OverlapResult.groups``)."""
    g = review.overlap.groups
    row = g[g["group"] == group]
    if not len(row):
        return Bilingual(group)
    return Bilingual(str(row["label_zh"].iloc[0]), str(row["label_en"].iloc[0]))


def _channels(members: str) -> list[str]:
    return list(dict.fromkeys(m.split(":", 1)[0] for m in members.split("; ")))


def _num(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def recommendations(review, rules: Rules) -> tuple[Recommendation, ...]:
    """Every rule that fires for every special assessment of the round (``keep`` when none)."""
    out: list[Recommendation] = []
    disc = review.discrimination.table
    agr = review.agreement.table
    eff = review.effect.table
    ov = review.overlap
    conflicted = set(ov.conflicts.loc[ov.conflicts["kind"] != "label", "group"])
    confirmed = [(g, _channels(g.members)) for g in ov.groups.itertuples(index=False) if g.kind != "label"]
    conflicts = ov.conflicts[ov.conflicts["kind"] != "label"]
    for aid in review.assessments:
        a = review.registry.assessments.get(aid)
        name = _name(review, aid)
        fired: list[Recommendation] = []

        def add(rule: str, threshold: Any, value: Any, other: str = "", **evidence: Any) -> None:
            fired.append(Recommendation(subject=aid, action=RULE_ACTION[rule], rule=rule, threshold=threshold,
                                        value=value, other=other, evidence={"name": name, **evidence}))

        if a is not None and rules.require_approval and not a.is_approved:
            add("special_not_approved", "approved", a.approval or "none",
                status=Bilingual(t(f"cons.approval.{a.approval or 'none'}", "zh"),
                                 t(f"cons.approval.{a.approval or 'none'}", "en")))
        if aid in disc.index:
            d = disc.loc[aid]
            if _num(d["share_ceiling"]) and d["share_ceiling"] >= rules.ceiling_share:
                add("special_ceiling", rules.ceiling_share, float(d["share_ceiling"]), ceiling=rules.ceiling_score)
            if _num(d["cv"]) and d["cv"] < rules.min_cv:
                add("special_flat", rules.min_cv, float(d["cv"]))
            if _num(d["stability"]) and d["stability"] < rules.unstable_below:
                add("special_unstable", rules.unstable_below, float(d["stability"]), rounds=int(d["rounds"]))
        if aid in agr.index:
            g = agr.loc[aid]
            hi = g["spearman_hi"] if _num(g["spearman_hi"]) else g["spearman"]
            if _num(hi) and hi < rules.disagree_below:
                add("special_disagrees", rules.disagree_below, float(g["spearman"]), lo=float(g["spearman_lo"]),
                    hi=float(g["spearman_hi"]), n=int(g["n"]))
            e = eff.loc[aid] if aid in eff.index else None
            if _num(g["spearman"]) and abs(g["spearman"]) < rules.weak_link and e is not None and \
                    _num(e["grade_changes"]) and e["grade_changes"] <= rules.no_effect_grade_changes and \
                    _num(e["mean_abs_rank_shift"]) and e["mean_abs_rank_shift"] <= rules.no_effect_rank_shift:
                add("special_no_link", rules.weak_link, float(g["spearman"]), grade_changes=int(e["grade_changes"]),
                    shift=float(e["mean_abs_rank_shift"]), max_shift=rules.no_effect_rank_shift)
        shared = ov.shared[ov.shared["assessment_id"] == aid].sort_values("share", ascending=False)
        if len(shared) and shared["share"].iloc[0] >= rules.merge_share:
            other = str(shared["other"].iloc[0])
            add("special_overlap", rules.merge_share, float(shared["share"].iloc[0]), other=other,
                other_name=_name(review, other))
        for g, chans in confirmed:
            if aid not in chans or g.group in conflicted or g.max_duplicated <= rules.double_counting_points:
                continue
            add("special_double_counting", rules.double_counting_points, float(g.max_duplicated),
                indicator=Bilingual(g.label_zh, g.label_en), channels=join(_channel(review, c) for c in chans),
                units=int(g.units))
        for r in conflicts.itertuples(index=False):
            if aid not in (r.a_channel, r.b_channel):
                continue
            mine_a = r.a_channel == aid
            other = r.b_channel if mine_a else r.a_channel
            add("special_conflict", "", r.conflict, other=other if other != COMPREHENSIVE else "",
                other_name=_channel(review, other), indicator=_group_label(review, r.group),
                detail=_conflict_words(r, mine_a))
        out.extend(fired or [Recommendation(subject=aid, action="keep", evidence={"name": name})])
    return tuple(out)


def _conflict_words(r, mine_a: bool) -> Bilingual:
    d1, t1, d2, t2 = (r.a_direction, r.a_target, r.b_direction, r.b_target) if mine_a else \
        (r.b_direction, r.b_target, r.a_direction, r.a_target)

    def side(d, tv, lang):
        word = t(f"cons.direction.{d}", lang)
        return t("cons.direction_target", lang, direction=word, target=_fmt(tv)) if _num(tv) else word
    zh = t(f"cons.conflict.{r.conflict}", "zh", mine=side(d1, t1, "zh"), other=side(d2, t2, "zh"))
    en = t(f"cons.conflict.{r.conflict}", "en", mine=side(d1, t1, "en"), other=side(d2, t2, "en"))
    return Bilingual(zh, en)


def _fmt(v: Any) -> str:
    return f"{float(v):g}" if _num(v) else "—"


def alerts(review, rules: Rules) -> tuple[Alert, ...]:
    """What the committee must see, most serious first within each kind."""
    out: list[Alert] = []
    p = review.plan
    rnd = review.round
    if p.cap is not None and p.active > p.cap:
        out.append(Alert(SOURCE, "warning", "plan_over_cap", "registry",
                         {"n": p.active, "cap": p.cap, "round": rnd}))
    for aid in p.not_approved:
        a = review.registry.assessments[aid]
        st = a.approval or "none"
        out.append(Alert(SOURCE, "warning", "not_approved", aid, {
            "name": _name(review, aid),
            "status": Bilingual(t(f"cons.approval.{st}", "zh"), t(f"cons.approval.{st}", "en"))}))
    for aid in p.new:
        out.append(Alert(SOURCE, "info", "new_assessment", aid, {"name": _name(review, aid), "round": rnd}))
    for aid, n in p.unregistered.items():
        out.append(Alert(SOURCE, "warning", "unregistered", aid, {"assessment": aid, "rows": n}))
    for aid in p.no_results:
        out.append(Alert(SOURCE, "warning", "no_results", aid, {"name": _name(review, aid), "round": rnd}))
    ov = review.overlap
    conflicted = set(ov.conflicts.loc[ov.conflicts["kind"] != "label", "group"])
    for g in ov.groups.itertuples(index=False):
        chans = _channels(g.members)
        if g.kind != "label" and g.group not in conflicted and g.units > 0:
            out.append(Alert(SOURCE, "warning", "double_counting", g.group, {
                "indicator": Bilingual(g.label_zh, g.label_en), "channels": join(_channel(review, c) for c in chans),
                "units": int(g.units), "points": f"{g.max_duplicated:.2f}"},
                evidence={"mean_duplicated": float(g.mean_duplicated), "members": g.members}))
        elif g.kind == "label" and g.units > 0:
            a, *others = g.members.split("; ")
            out.append(Alert(SOURCE, "info", "label_match", g.group, {
                "a": _label_of(review, a), "a_channel": _channel(review, a.split(":", 1)[0]),
                "b": _label_of(review, others[0], len(others)), "b_channel": _channel(review, others[0].split(":", 1)[0]),
                "score": f"{g.score:.2f}", "units": int(g.units)}))
    for r in ov.conflicts[ov.conflicts["kind"] != "label"].itertuples(index=False):
        out.append(Alert(SOURCE, "critical" if r.conflict == "incompatible" else "warning", "conflict", r.group, {
            "indicator": _group_label(review, r.group),
            "a": _channel(review, r.a_channel), "b": _channel(review, r.b_channel),
            "detail": _conflict_words(r, True), "units": int(r.units_both)}))
    b = review.burden
    if b is not None and len(b.clashes):
        units = review.units_table
        for week, sub in b.clashes.groupby("iso_week", sort=True):
            names = [Bilingual(str(units.at[u, "name_zh"]), str(units.at[u, "name_en"])) if u in units.index
                     else Bilingual(u) for u in sub["unit_id"]]
            out.append(Alert(SOURCE, "warning", "pileup", week, {
                "week": week, "n": len(sub), "units": join(names), "max": int(sub["assessments"].max()),
                "k": b.k}, evidence={"units": list(sub["unit_id"])}))
        j = b.joint
        if j is not None:
            out.append(Alert(SOURCE, "info", "joint_schedule", "schedule", {
                "moves": len(j.moves), "before": j.clashes_before, "after": j.clashes_after, "k": b.k}))
    for r in review.recommendations:
        if r.rule in ("special_disagrees", "special_ceiling", "special_no_link", "special_unstable",
                      "special_flat"):
            out.append(Alert(SOURCE, "warning", r.rule, r.subject, {**r.evidence, "value": r.value,
                                                                   "threshold": r.threshold}))
    return tuple(out)


def _label_of(review, member: str, n_units: int = 1) -> Bilingual:
    """The label of ``channel:indicator``; a functional target says whose (or how many units')."""
    ch, iid = member.split(":", 1)
    items = review.overlap.items
    row = items[(items["channel"] == ch) & (items["indicator_id"] == iid)]
    if not len(row):
        return Bilingual(iid)
    r = row.iloc[0]
    b = Bilingual(str(r["label_zh"]), str(r["label_en"]))
    u = r.get("unit_id")
    if n_units > 1:
        return Bilingual(t("cons.targets_of_n", "zh", label=b.zh, n=n_units),
                         t("cons.targets_of_n", "en", label=b.en, n=n_units))
    if isinstance(u, str) and u and u in review.units_table.index:
        un = review.units_table.loc[u]
        return Bilingual(t("cons.target_of", "zh", label=b.zh, unit=un["name_zh"]),
                         t("cons.target_of", "en", label=b.en, unit=un["name_en"]))
    return b

