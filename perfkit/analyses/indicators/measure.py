"""The review's tables for one round (:class:`~perfkit.analyses.indicators.collect.RoundView`):
discrimination, distribution, grades, redundancy, group structure, direction and
effective weights; and stability between two rounds.

Each function returns a long table (one row per indicator, pair or group, with ``round``),
and appends what it could not compute to ``notes`` as ``(code, subject, params)``.
"""
from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd

from perfkit.analyses.indicators import stats
from perfkit.analyses.indicators.collect import RoundView
from perfkit.kernels.treat import skew_kurt
from perfkit.weighting import WeightingError
from perfkit.weighting.pca import KMO_MIN, bartlett_sphericity, kmo, pca_weights

__all__ = ["discrimination", "distribution", "grades", "redundancy", "structure", "direction", "effective",
           "stability"]

Notes = list[tuple[str, str, dict]]


def _cats(v: RoundView) -> list[tuple[str, np.ndarray]]:
    """``("all", everyone)`` and, when units are ranked within categories, each category."""
    out = [("all", np.ones(len(v.units), dtype=bool))]
    if v.groups is not None:
        out += [(str(c), v.groups == c) for c in pd.unique(v.groups)]
    return out


def discrimination(v: RoundView, notes: Notes) -> pd.DataFrame:
    """Per indicator (and category): units, mean, sd, CV, Gini, shares at full marks and
    at zero, distinct values — of the scores (0-100) of the units with a value."""
    rows = []
    for nid in v.ids:
        s = v.scores[nid].to_numpy(dtype=float)
        if not v.valued[nid].any():
            notes.append(("no_values", nid, {"round": v.round}))
        for cat, sel in _cats(v):
            x = s[sel & ~np.isnan(s)]
            if cat != "all" and not x.size:
                continue
            rows.append({"round": v.round, "indicator": nid, "category": cat, "n": int(x.size),
                         "mean": float(x.mean()) if x.size else np.nan,
                         "sd": float(x.std(ddof=1)) if x.size > 1 else np.nan,
                         "cv": stats.cv(x), "gini": stats.gini(x),
                         "full": stats.share_at(x, 100.0), "zero": stats.share_at(x, 0.0),
                         "distinct": stats.n_distinct(x)})
    return pd.DataFrame(rows)


def distribution(v: RoundView, notes: Notes, *, outlier_z: float) -> pd.DataFrame:
    """Per indicator: missing and imputed shares among the units it applies to, skewness
    and kurtosis as COINr defines them (:func:`perfkit.kernels.treat.skew_kurt`) of the
    values as submitted, COINr's check (``|skew| >= 2`` and ``kurtosis >= 3.5``), and the
    robust outliers (``|modified z| > outlier_z``)."""
    vals = v.values.to_numpy(dtype=float)
    skew, kurt = skew_kurt(vals) if vals.size else (np.array([]), np.array([]))
    rows = []
    for j, nid in enumerate(v.ids):
        app = v.applicable[nid].to_numpy()
        n_app = int(app.sum())
        missing = float((app & ~v.valued[nid].to_numpy()).sum() / n_app) if n_app else np.nan
        imputed = float(v.imputed[nid].sum() / n_app) if n_app else np.nan
        z = stats.robust_z(vals[:, j])
        out = np.flatnonzero(np.abs(np.nan_to_num(z)) > outlier_z)
        qual = v.scheme.nodes[nid].kind == "qualitative"
        rows.append({"round": v.round, "indicator": nid, "n": n_app, "missing": missing, "imputed": imputed,
                     "skew": np.nan if qual else float(skew[j]), "kurt": np.nan if qual else float(kurt[j]),
                     "skew_kurt_flag": bool(not qual and abs(skew[j]) >= 2.0 and kurt[j] >= 3.5),
                     "outliers": int(out.size), "outlier_units": tuple(str(v.units[i]) for i in out)})
    return pd.DataFrame(rows)


def grades(v: RoundView, notes: Notes) -> pd.DataFrame:
    """Per qualitative indicator scored by a grade mapping: units per grade given, whether
    the grade is in the mapping (a grade outside it earns nothing and is warned about)."""
    rows = []
    text = v.ev.text
    for nid in v.ids:
        node = v.scheme.nodes[nid]
        if node.kind != "qualitative" or node.rule is None or text is None or nid not in text:
            continue
        mapping = node.rule.params.get("mapping") or {}
        given = text[nid][v.applicable[nid]].dropna().astype(str)
        counts = given.value_counts()
        for g in [*map(str, mapping), *sorted(set(counts.index) - set(map(str, mapping)))]:
            n = int(counts.get(g, 0))
            rows.append({"round": v.round, "indicator": nid, "grade": g, "count": n,
                         "share": n / len(given) if len(given) else np.nan, "in_mapping": g in map(str, mapping)})
        outside = sorted(set(counts.index) - set(map(str, mapping)))
        if outside:
            notes.append(("grade_outside", nid, {"round": v.round, "grades": "、".join(outside),
                                                 "n": int(counts[outside].sum()),
                                                 "mapping": "、".join(map(str, mapping))}))
    return pd.DataFrame(rows, columns=["round", "indicator", "grade", "count", "share", "in_mapping"])


def _matrix(v: RoundView, ids: list[str], *, centred: bool = True) -> np.ndarray:
    """Node scores of ``ids`` where they have a value, within category when units are ranked
    within categories (``centred``)."""
    X = v.columns(ids)
    X = np.where(v.valued.reindex(columns=ids, fill_value=True).to_numpy(), X, np.nan)
    return stats.centre(X, v.groups) if centred else X


def redundancy(v: RoundView, notes: Notes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (within-category) Pearson correlation of every pair of indicators, whether they
    share an aggregation group, and the pair's units; and the correlation matrix."""
    X = _matrix(v, v.ids)
    r, n = stats.correlations(X, min_n=3)
    rows = []
    for i, j in combinations(range(len(v.ids)), 2):
        a, b = v.ids[i], v.ids[j]
        if n[i, j] < 3:
            continue
        rows.append({"round": v.round, "a": a, "b": b, "r": r[i, j], "n": int(n[i, j]),
                     "same_group": v.parent(a) == v.parent(b), "group": v.parent(a) if v.parent(a) == v.parent(b)
                     else ""})
    return (pd.DataFrame(rows, columns=["round", "a", "b", "r", "n", "same_group", "group"]),
            pd.DataFrame(r, index=v.ids, columns=v.ids))


def structure(v: RoundView, notes: Notes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per aggregation group (its children, within category, units with every child
    scored): Cronbach's alpha, KMO, Bartlett's test, whether factor analysis suits the group
    (KMO >= 0.5 and Bartlett significant at 5 %) and the PCA structure (retained factors,
    variance explained, each child's factor and loading), with
    :func:`perfkit.weighting.pca.pca_weights`."""
    rows, loads = [], []
    for pid in v.aggregates:
        kids = v.children(pid)
        if len(kids) < 2:
            continue
        X = _matrix(v, kids)
        X = X[~np.isnan(X).any(axis=1)]
        alpha, n = stats.cronbach_alpha(X)
        row = {"round": v.round, "group": pid, "children": len(kids), "n": n, "alpha": alpha, "kmo": np.nan,
               "bartlett_p": np.nan, "factors": np.nan, "explained": np.nan, "first_share": np.nan}
        spread = X.std(axis=0) > stats.TOL if n else np.zeros(len(kids), dtype=bool)
        if n <= int(spread.sum()) or spread.sum() < 2:
            notes.append(("too_few_units", pid, {"round": v.round, "n": n, "m": len(kids)}))
        else:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    Xs = X[:, spread]
                    row["kmo"] = kmo(Xs)[0]
                    row["bartlett_p"] = bartlett_sphericity(Xs)[2]
                    res = pca_weights(X, names=kids)
            except (WeightingError, np.linalg.LinAlgError) as exc:
                notes.append(("pca_failed", pid, {"round": v.round, "error": str(exc)}))
            else:
                d = res.diagnostics
                row.update(factors=int(d["n_factors"]), explained=float(d["explained"]),
                           first_share=float(d["explained_variance_ratio"][0]))
                for k, f, ld in zip(kids, d["factor"], d["loading"]):
                    loads.append({"round": v.round, "group": pid, "indicator": k, "factor": int(f),
                                  "loading": float(ld)})
        row["suitable"] = bool(row["kmo"] >= KMO_MIN and row["bartlett_p"] < 0.05)
        rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(loads, columns=["round", "group", "indicator", "factor", "loading"])


def direction(v: RoundView, notes: Notes) -> pd.DataFrame:
    """Per indicator: the (within-category) Spearman correlation of its score with the rest
    of its parent and with the rest of the final score (both without the indicator, so that
    a part does not correlate with itself), against its declared direction."""
    rows = []
    for nid in v.ids:
        par, fin = v.rest[nid]
        x = v.scores[nid].to_numpy(dtype=float)
        out = {"round": v.round, "indicator": nid, "declared": v.scheme.nodes[nid].direction}
        for key, y in (("parent", par), ("final", fin)):
            ok = ~(np.isnan(x) | np.isnan(y))
            R = stats.group_ranks(np.column_stack([x[ok], y[ok]]), None if v.groups is None else v.groups[ok])
            r, n = stats.correlations(R, min_n=3)
            out[f"rho_{key}"] = r[0, 1]
            out[f"n_{key}"] = int(n[0, 1])
        rows.append(out)
    return pd.DataFrame(rows)


def effective(v: RoundView, notes: Notes) -> pd.DataFrame:
    """Nominal weight against first-order effect, per indicator and aggregate node: within
    its group (the child's share of the group's effects against its normalised weight
    there; children with no effect to measure — no spread, no data — are left out of both
    shares) and on the final score (against its share of the final score), and the weights
    that would make the children's effects match their nominal weights
    (:func:`~perfkit.analyses.indicators.stats.optimal_weights`)."""
    rows = []
    for pid in v.aggregates:
        kids = v.children(pid)
        y = v.arrays[pid]
        X = _matrix(v, kids, centred=False)
        w = v.group_weights(pid)
        fo = [stats.first_order(X[:, j], y, v.groups) for j in range(len(kids))]
        S = np.array([f.S for f in fo])
        Sn = S / np.nansum(S) if np.nansum(S) > 0 else np.full(len(kids), np.nan)
        # children without an effect (no spread, no data) are left out of both shares
        w_on = np.where(np.isfinite(S), w, 0.0)
        w_on = w_on / w_on.sum() if w_on.sum() > 0 else w_on
        if len(kids) > 1 and np.isfinite(X).sum(axis=0).min() > len(kids):
            opt, opt_s, ok = stats.optimal_weights(np.nan_to_num(X, nan=np.nan), w, v.aggregate(pid), v.groups)
        else:
            opt, opt_s, ok = np.full(len(kids), np.nan), np.full(len(kids), np.nan), False
        for j, k in enumerate(kids):
            f_fin = stats.first_order(X[:, j], v.final, v.groups)
            rows.append({"round": v.round, "indicator": k, "group": pid, "n": fo[j].n, "nominal": float(w[j]),
                         "S": fo[j].S, "S_raw": fo[j].raw, "df": fo[j].df, "smoother": fo[j].smoother,
                         "S_norm": Sn[j], "ratio": Sn[j] / w_on[j] if w_on[j] > 0 else np.nan,
                         "optimal": float(opt[j]) if ok else np.nan,
                         "optimal_S_norm": float(opt_s[j]) if ok else np.nan,
                         "nominal_final": v.nominal_share(k), "S_final": f_fin.S})
    return pd.DataFrame(rows)


def stability(a: RoundView, b: RoundView) -> pd.DataFrame:
    """Per indicator in both rounds: the (within-category) Spearman correlation of its
    scores in round ``a`` and round ``b`` over the units with a value in both, and the
    share of those units whose score moved by less than one point of 100."""
    rows = []
    common = a.units.intersection(b.units)
    groups = None if b.groups is None else b.ev.results.loc[common, "category"].astype(str).to_numpy(dtype=object)
    for nid in [i for i in b.ids if i in a.ids]:
        x = a.scores.loc[common, nid].to_numpy(dtype=float)
        y = b.scores.loc[common, nid].to_numpy(dtype=float)
        ok = ~(np.isnan(x) | np.isnan(y))
        R = stats.group_ranks(np.column_stack([x[ok], y[ok]]), None if groups is None else groups[ok])
        r, _ = stats.correlations(R, min_n=3)
        rows.append({"from": a.round, "to": b.round, "indicator": nid, "rho": r[0, 1], "n": int(ok.sum()),
                     "unchanged": float(np.mean(np.abs(x[ok] - y[ok]) < 1.0)) if ok.any() else np.nan})
    return pd.DataFrame(rows, columns=["from", "to", "indicator", "rho", "n", "unchanged"])
