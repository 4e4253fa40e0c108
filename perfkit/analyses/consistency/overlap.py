"""Overlap (多头考核、重复考核), double counting and conflicting indicators (指标打架).

Every indicator is seen through its *channels*: each special assessment that measures it,
and the comprehensive scheme (an indicator of the scheme, or a unit's functional target).
Two channels measure the same indicator when

* they use the same indicator id (``kind="id"``), or
* the registry says so (``same_as``, ``kind="declared"``);

and *may* measure the same indicator when their Chinese labels are similar (character
n-gram TF-IDF, cosine similarity at least ``threshold``, ``kind="label"``): such a
candidate is listed with its score for the office to confirm (``same_as``) or dismiss
(``distinct_from``) in the registry; candidates do not count as confirmed overlap.

Double counting: for each unit, the points of its final score that rest on one indicator
through every channel that covers the unit (a special's indicator carries the special's
points in the scheme times the indicator's share of the special's 100 points; a scheme
indicator its effective points), and how many of them are *duplicated* — all but the
largest channel's.

Conflicts: two channels of one indicator with opposite directions (``direction``; with
``incompatible`` targets when no value can meet both), or the same direction but
different targets (``target``; compared only when both give the same unit of measure, or
neither gives one).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from perfkit.analyses.consistency._evaluation import final_scale, root_shares, special_leaves
from perfkit.analyses.consistency.registry import Registry, covered_units, resolved_indicators
from perfkit.engine.evaluation import Evaluation
from perfkit.results import html_head, html_table

__all__ = ["OverlapResult", "overlap", "label_similarity", "COMPREHENSIVE"]

#: The channel name of the comprehensive scheme.
COMPREHENSIVE = "comprehensive"


@dataclass(frozen=True, eq=False)
class OverlapResult:
    """Indicators measured through several channels, double counting and conflicts.

    Attributes
    ----------
    items
        Every indicator of every channel: ``channel`` (an assessment id or
        ``"comprehensive"``), ``indicator_id``, labels, ``direction``, ``target``, ``unit``,
        ``points`` (within the channel), ``source`` (``special``, ``leaf`` or ``target``),
        ``unit_id`` (functional targets only).
    matches
        Pairs of items of different channels that measure (or may measure) the same
        indicator (a special assessment's first): channels, ids and labels of both,
        ``b_unit`` (the unit of a functional target), ``kind`` (``id``, ``declared``,
        ``label``), ``score`` (label similarity), ``units_both`` (units covered by both).
    groups
        One row per indicator measured through several channels: ``group`` (its id), its
        labels, ``kind``, ``score``, ``members`` (``channel:indicator``), ``channels``,
        ``units`` (units covered by at least two of them), ``max_duplicated`` and
        ``mean_duplicated`` points, ``conflict`` (its channels pull apart).
    double
        Per group and unit covered by two or more channels: ``stakes``
        (``channel=points``), ``total``, ``largest``, ``duplicated`` (= total - largest).
    conflicts
        Pairs of channels of one indicator that pull apart: ``conflict`` (``direction``,
        ``incompatible``, ``target``), both directions and targets, ``kind`` of match.
    shared
        Per ordered pair of special assessments: the share of the first one's indicator
        points on indicators it shares (confirmed) with the second.
    threshold
        The label-similarity threshold used.
    """

    items: pd.DataFrame
    matches: pd.DataFrame
    groups: pd.DataFrame
    double: pd.DataFrame
    conflicts: pd.DataFrame
    shared: pd.DataFrame
    threshold: float
    params: Mapping = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.groups.copy()

    def per_unit(self, confirmed: bool = True) -> pd.Series:
        """Per unit, the duplicated points of its final score (confirmed overlap only by
        default; an indicator whose channels conflict is a conflict, not double counting)."""
        clean = set(self.groups.loc[~self.groups["conflict"].astype(bool), "group"])
        d = self.double[self.double["group"].isin(clean)]
        d = d[d["kind"] != "label"] if confirmed else d
        return d.groupby("unit_id")["duplicated"].sum().sort_values(ascending=False)

    def __repr__(self) -> str:
        return (f"OverlapResult(groups={len(self.groups)}, conflicts={len(self.conflicts)}, "
                f"threshold={self.threshold:g})")

    def _repr_html_(self) -> str:
        return html_head("Overlap, double counting and conflicts", self.params) + html_table(self.groups) + \
            html_table(self.conflicts)


def label_similarity(a: list[str], b: list[str], *, ngram_range: tuple[int, int] = (1, 2),
                     corpus: list[str] | None = None) -> np.ndarray:
    """Cosine similarity of character n-gram TF-IDF vectors of labels ``a`` x ``b``
    (scikit-learn; the IDF from ``corpus``, default ``a + b``).

    >>> s = label_similarity(["生产安全事故起数"], ["安全生产事故发生起数", "企业满意度"])
    >>> bool(s[0, 0] > 0.6), float(s[0, 1])
    (True, 0.0)
    """
    corpus = list(dict.fromkeys((corpus or []) + a + b))
    vec = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True, lowercase=True)
    vec.fit(corpus)
    return (vec.transform(a) @ vec.transform(b).T).toarray()


def _items(ev: Evaluation, registry: Registry, include_targets: bool) -> pd.DataFrame:
    s = ev.scheme
    rows = []
    for nid, n in s.leaves.items():
        if n.source == "special":
            continue
        target = n.rule.params.get("target") if n.rule is not None else None
        rows.append({"channel": COMPREHENSIVE, "indicator_id": nid, "label_zh": n.label.zh, "label_en": n.label.en,
                     "direction": n.direction, "target": target, "unit": n.unit, "points": n.points,
                     "source": "leaf", "node": nid, "unit_id": None, "same_as": (), "distinct_from": ()})
    if include_targets and len(ev.data.targets):
        for r in ev.data.targets.itertuples(index=False):
            rows.append({"channel": COMPREHENSIVE, "indicator_id": r.indicator_id, "label_zh": r.label_zh,
                         "label_en": r.label_en, "direction": getattr(r, "direction", "higher") or "higher",
                         "target": r.target, "unit": getattr(r, "measure", None), "points": r.points,
                         "source": "target", "node": r.node, "unit_id": r.unit_id, "same_as": (),
                         "distinct_from": ()})
    ind = resolved_indicators(registry, s)
    for r in ind.itertuples(index=False):
        rows.append({"channel": r.assessment_id, "indicator_id": r.indicator_id, "label_zh": r.label_zh,
                     "label_en": r.label_en, "direction": r.direction, "target": r.target, "unit": r.unit,
                     "points": r.points, "source": "special", "node": None, "unit_id": None,
                     "same_as": r.same_as, "distinct_from": r.distinct_from})
    return pd.DataFrame(rows)


def _stakes(ev: Evaluation, registry: Registry, items: pd.DataFrame,
            units: pd.DataFrame) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per item, the covered units and the points of their final score resting on it."""
    shares = root_shares(ev)
    scale = final_scale(ev)
    uid = shares.index.to_numpy(dtype=object)
    upos = {u: i for i, u in enumerate(uid)}
    col = {c: j for j, c in enumerate(shares.columns)}
    S = shares.to_numpy(dtype=float) * scale
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    src = items["source"].to_numpy()
    for k in np.flatnonzero(src == "leaf"):
        v = S[:, col[items.at[k, "node"]]]
        nz = v > 0
        out[int(k)] = (uid[nz], v[nz])
    t = items[src == "target"]
    if len(t):
        tot = t.groupby(["node", "unit_id"])["points"].transform("sum").to_numpy(dtype=float)
        rows = np.array([upos.get(u, -1) for u in t["unit_id"]])
        cols = np.array([col[n] for n in t["node"]])
        ok = rows >= 0
        val = np.where(ok, S[np.where(ok, rows, 0), cols], 0.0) * t["points"].to_numpy(dtype=float) / \
            np.where(tot > 0, tot, 1.0)
        for k, u, v, good in zip(t.index, t["unit_id"], val, ok):
            if good:
                out[int(k)] = (np.array([u], dtype=object), np.array([v]))
    special = items[src == "special"]
    regs = registry.assessments
    for channel, sub in special.groupby("channel", sort=False):
        a = regs[channel]
        cov = np.array([upos[u] for u in covered_units(a, units) if u in upos], dtype=int)
        leaves = special_leaves(ev.scheme, a.id)
        base = S[:, [col[x] for x in leaves]].sum(axis=1) if leaves else np.zeros(len(uid))
        pts = sub["points"].astype(float).fillna(0.0)
        total = float(pts.sum()) or 1.0
        for k, p in pts.items():
            out[int(k)] = (uid[cov], base[cov] * p / total)
    return out


class _Union:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, i: int) -> int:
        while self.p[i] != i:
            self.p[i] = self.p[self.p[i]]
            i = self.p[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.p[self.find(i)] = self.find(j)


def overlap(ev: Evaluation, registry: Registry, units: pd.DataFrame, *, threshold: float = 0.6,
            include_targets: bool = True, ngram_range: tuple[int, int] = (1, 2),
            target_tolerance: float = 0.0) -> OverlapResult:
    """Find indicators measured through several channels, their double counting and conflicts.

    Parameters
    ----------
    ev
        The round's evaluation (its scheme's indicators and functional targets are the
        comprehensive channel; its points/weights give what each channel is worth).
    registry
        The special-assessment registry.
    units
        The round's units (index ``unit_id``, column ``category``).
    threshold
        Label similarity (0-1) from which two indicators with different ids are a
        candidate match.
    include_targets
        Also match the special assessments' indicators against the units' functional
        targets.
    ngram_range
        Character n-gram lengths of the TF-IDF.
    target_tolerance
        Relative difference of two targets (same direction, same unit) tolerated.
    """
    items = _items(ev, registry, include_targets)
    stakes = _stakes(ev, registry, items, units)
    covered = {k: set(v[0]) for k, v in stakes.items()}
    sp = np.flatnonzero((items["source"] == "special").to_numpy())
    labels = [z or e for z, e in zip(items["label_zh"].fillna(""), items["label_en"].fillna(""))]
    uniq = list(dict.fromkeys(labels))
    pos = {lab: i for i, lab in enumerate(uniq)}
    sim_u = label_similarity([uniq[pos[labels[k]]] for k in sp], uniq, ngram_range=ngram_range) if len(sp) else \
        np.zeros((0, len(uniq)))
    sim = {k: sim_u[a] for a, k in enumerate(sp)}
    ch = items["channel"].to_numpy()
    ids = items["indicator_id"].to_numpy()
    pair_rows, edges = [], []
    seen: set[tuple[int, int]] = set()

    def add(i: int, j: int, kind: str) -> None:
        key = (min(i, j), max(i, j))
        if key in seen or ch[i] == ch[j]:
            return
        seen.add(key)
        score = float(sim[i][pos[labels[j]]]) if i in sim else float(sim[j][pos[labels[i]]])
        pair_rows.append({"a": key[0], "b": key[1], "kind": kind, "score": score,
                          "units_both": len(covered.get(key[0], set()) & covered.get(key[1], set()))})
        if kind != "label":
            edges.append(key)

    by_id: dict[str, list[int]] = {}
    for k, i in enumerate(ids):
        by_id.setdefault(str(i), []).append(k)
    for i in sp:  # same id; declared equivalences
        for j in by_id.get(str(ids[i]), []):
            if j != i:
                add(i, j, "id")
        for other in items.at[i, "same_as"]:
            for j in by_id.get(str(other), []):
                add(i, j, "declared")
    lab_idx = np.array([pos[lab] for lab in labels], dtype=int)
    for i in sp:  # similar labels
        dismissed = set(items.at[i, "distinct_from"])
        cand = np.flatnonzero(sim[i][lab_idx] >= threshold)
        for j in cand:
            if ids[j] != ids[i] and str(ids[j]) not in dismissed and str(ids[i]) not in set(items.at[j, "distinct_from"]):
                add(int(i), int(j), "label")
    matches = _matches_frame(items, pair_rows)
    uf = _Union(len(items))
    for i, j in edges:
        uf.join(i, j)
    groups: dict[int, list[int]] = {}
    for i, j in edges:
        for k in (i, j):
            groups.setdefault(uf.find(k), [])
            if k not in groups[uf.find(k)]:
                groups[uf.find(k)].append(k)
    by_pair = {(r["a"], r["b"]): r for r in pair_rows}
    sets: list[tuple[str, list[int], list[dict]]] = []
    for m in groups.values():
        mem = sorted(m)
        inside = set(mem)
        sets.append(("confirmed", mem, [r for (x, y), r in by_pair.items() if x in inside and y in inside]))
    # candidates: one group per special-assessment indicator and label it resembles (a label
    # repeated over many units' functional targets is one finding, with all its units)
    cand: dict[tuple[int, str, str], list[dict]] = {}
    for r in pair_rows:
        if r["kind"] != "label":
            continue
        a, b = (r["a"], r["b"]) if items.at[r["a"], "source"] == "special" else (r["b"], r["a"])
        cand.setdefault((a, str(ch[b]), labels[b]), []).append({**r, "special": a, "other": b})
    for (a, _, _), rs in cand.items():
        sets.append(("label", [a, *(r["other"] for r in rs)], rs))
    group_rows, double_rows, conflict_rows = [], [], []
    for kind0, members, rs in sets:
        kinds = {r["kind"] for r in rs}
        kind = "label" if kind0 == "label" else ("id" if kinds <= {"id"} else "declared")
        gid = _group_id(items, members) if kind0 != "label" else _label_group_id(items, members)
        dup = _double(items, members, stakes, gid, kind)
        double_rows.extend(dup)
        conflict_rows.extend(_conflicts(items, members, gid, kind, target_tolerance, covered))
        score = max((r["score"] for r in rs), default=np.nan)
        dups = [d["duplicated"] for d in dup]
        lab = _group_label(items, members)
        group_rows.append({"group": gid, "label_zh": lab[0], "label_en": lab[1], "kind": kind, "score": score,
                           "members": "; ".join(f"{ch[k]}:{ids[k]}" for k in members),
                           "channels": len({ch[k] for k in members}), "units": len(dup),
                           "max_duplicated": max(dups, default=0.0),
                           "mean_duplicated": float(np.mean(dups)) if dups else 0.0})
    gcols = ["group", "label_zh", "label_en", "kind", "score", "members", "channels", "units", "max_duplicated",
             "mean_duplicated", "conflict"]
    dcols = ["group", "kind", "unit_id", "stakes", "channels", "total", "largest", "duplicated"]
    ccols = ["group", "kind", "conflict", "a_channel", "a_indicator", "a_direction", "a_target", "b_channel",
             "b_indicator", "b_direction", "b_target", "units_both"]
    conflicts = pd.DataFrame(conflict_rows, columns=ccols)
    in_conflict = set(conflicts["group"])
    for g in group_rows:
        g["conflict"] = g["group"] in in_conflict
    return OverlapResult(items=items.drop(columns=["same_as", "distinct_from"]), matches=matches,
                         groups=pd.DataFrame(group_rows, columns=gcols), double=pd.DataFrame(double_rows, columns=dcols),
                         conflicts=conflicts, shared=_shared(items, edges, uf),
                         threshold=float(threshold),
                         params={"threshold": threshold, "ngram_range": list(ngram_range),
                                 "include_targets": include_targets})


def _group_label(items: pd.DataFrame, members: list[int]) -> tuple[str, str]:
    """The labels of a group's first special-assessment member (else its first member)."""
    special = [k for k in members if items.at[k, "source"] == "special"]
    k = (special or members)[0]
    return str(items.at[k, "label_zh"]), str(items.at[k, "label_en"])


def _label_group_id(items: pd.DataFrame, members: list[int]) -> str:
    """``indicator ~ other`` for a candidate: the other's id, or its label when it repeats
    over several units' functional targets."""
    a, others = members[0], members[1:]
    other = str(items.at[others[0], "indicator_id"]) if len(others) == 1 else str(items.at[others[0], "label_zh"])
    return f"{items.at[a, 'indicator_id']} ~ {other}"


def _group_id(items: pd.DataFrame, members: list[int]) -> str:
    ids = [str(items.at[k, "indicator_id"]) for k in members]
    special = [i for k, i in zip(members, ids) if items.at[k, "source"] == "special"]
    return (special or ids)[0] if len(set(ids)) == 1 else " ~ ".join(dict.fromkeys(ids))


def _matches_frame(items: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    out = []
    for r in rows:
        a, b = items.loc[r["a"]], items.loc[r["b"]]
        if a["channel"] == COMPREHENSIVE:  # the special assessment's side first
            a, b = b, a
        out.append({"a_channel": a["channel"], "a_indicator": a["indicator_id"], "a_label_zh": a["label_zh"],
                    "a_label_en": a["label_en"], "b_channel": b["channel"], "b_indicator": b["indicator_id"],
                    "b_label_zh": b["label_zh"], "b_label_en": b["label_en"], "b_unit": b["unit_id"],
                    "kind": r["kind"], "score": r["score"], "units_both": r["units_both"]})
    cols = ["a_channel", "a_indicator", "a_label_zh", "a_label_en", "b_channel", "b_indicator", "b_label_zh",
            "b_label_en", "b_unit", "kind", "score", "units_both"]
    return pd.DataFrame(out, columns=cols).sort_values(["kind", "score"], ascending=[True, False],
                                                       ignore_index=True)


def _double(items: pd.DataFrame, members: list[int], stakes: dict[int, tuple[np.ndarray, np.ndarray]], gid: str,
            kind: str) -> list[dict]:
    per: dict[str, dict[str, float]] = {}
    for k in members:
        st = stakes.get(k)
        if st is None:
            continue
        c = str(items.at[k, "channel"])
        for u, v in zip(*st):
            per.setdefault(u, {}).setdefault(c, 0.0)
            per[u][c] += float(v)
    rows = []
    for u, chans in per.items():
        if len(chans) < 2:
            continue
        total, largest = sum(chans.values()), max(chans.values())
        rows.append({"group": gid, "kind": kind, "unit_id": u,
                     "stakes": "; ".join(f"{c}={v:.3g}" for c, v in chans.items()), "channels": len(chans),
                     "total": total, "largest": largest, "duplicated": total - largest})
    return rows


def _unit_key(u) -> str:
    return str(u or "").split()[0].strip().lower() if u and str(u).strip() else ""


def _conflicts(items: pd.DataFrame, members: list[int], gid: str, kind: str, tol: float,
               covered: Mapping[int, set]) -> list[dict]:
    rows = []
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            a, b = items.loc[members[x]], items.loc[members[y]]
            if a["channel"] == b["channel"]:
                continue
            ta, tb = a["target"], b["target"]
            has_t = ta is not None and tb is not None and not pd.isna(ta) and not pd.isna(tb)
            conflict = ""
            if a["direction"] != b["direction"]:
                conflict = "direction"
                if has_t:
                    hi, lo = (ta, tb) if a["direction"] == "higher" else (tb, ta)
                    if float(hi) > float(lo):
                        conflict = "incompatible"
            elif has_t and _unit_key(a["unit"]) == _unit_key(b["unit"]):
                scale = max(abs(float(ta)), abs(float(tb)), 1e-12)
                if abs(float(ta) - float(tb)) / scale > tol:
                    conflict = "target"
            if conflict:
                rows.append({"group": gid, "kind": kind, "conflict": conflict, "a_channel": a["channel"],
                             "a_indicator": a["indicator_id"], "a_direction": a["direction"], "a_target": ta,
                             "b_channel": b["channel"], "b_indicator": b["indicator_id"],
                             "b_direction": b["direction"], "b_target": tb,
                             "units_both": len(covered.get(members[x], set()) & covered.get(members[y], set()))})
    return rows


def _shared(items: pd.DataFrame, edges: list[tuple[int, int]], uf: _Union) -> pd.DataFrame:
    """Per ordered pair of special assessments (A, B): the share of A's indicator points
    on indicators confirmed to be measured by B too."""
    sp = items[items["source"] == "special"]
    root_channels: dict[int, set[str]] = {}
    for i, j in edges:
        for k in (i, j):
            root_channels.setdefault(uf.find(k), set()).add(str(items.at[k, "channel"]))
    rows = []
    for a, sub in sp.groupby("channel", sort=False):
        pts = sub["points"].fillna(0.0).astype(float)
        total = float(pts.sum())
        shared: dict[str, float] = {}
        for k, p in pts.items():
            for b in root_channels.get(uf.find(k), set()) if k in {x for e in edges for x in e} else set():
                if b != a and b != COMPREHENSIVE:
                    shared[b] = shared.get(b, 0.0) + p
        for b, p in shared.items():
            rows.append({"assessment_id": a, "other": b, "shared_points": p, "share": p / total if total else np.nan})
    return pd.DataFrame(rows, columns=["assessment_id", "other", "shared_points", "share"])
