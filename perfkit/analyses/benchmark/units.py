"""Unit benchmarking: each unit against the best of its category, the category's median
and quartiles, its own history (a robust trend), its strengths and weaknesses, and a DEA
frontier with reference peers and improvement targets per component.

Everything is read from the :class:`~perfkit.engine.evaluation.Evaluation`'s own stages:
a component's *rate* is its score on the engine's 0-100 scale (``nodes`` / ``scores``: the
share of its points earned in a points scheme), so units whose points differ because an
indicator does not apply to them still compare; points earned are given beside it.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from perfkit.analyses.benchmark.dea import DEAResult, dea
from perfkit.engine.evaluation import Evaluation
from perfkit.errors import DataError, did_you_mean
from perfkit.results import Alert, html_head, html_table

__all__ = ["UnitBenchmark", "UnitFrontier", "unit_benchmark", "unit_frontier", "robust_trend", "history_table",
           "TRENDS"]

#: Robust trend estimators: Theil-Sen (median of pairwise slopes) and Huber's M-estimator.
TRENDS = ("theil_sen", "rlm")


def _items(ev: Evaluation, items: str | Sequence[str]) -> list[str]:
    s = ev.scheme
    if items == "components":
        return [c.id for c in s.root.children]
    if items == "indicators":
        return [nid for nid, n in s.nodes.items() if n.is_leaf or n.source == "targets"]
    out = list(items)
    for i in out:
        s.node(i)  # unknown ids raise with a suggestion
    return out


def _rates(ev: Evaluation, ids: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Units x items: the rate (0-100 scale), points earned and points available."""
    cols = {}
    for i in ids:
        cols[i] = ev.nodes[i] if i in ev.nodes.columns else ev.scores[i]
    rate = pd.DataFrame(cols)
    if ev.points is None:
        return rate, None, None
    return rate, ev.points[list(ids)], ev.max_points[list(ids)]


def robust_trend(x: Sequence[float], y: Sequence[float], method: str = "theil_sen") -> tuple[float, float]:
    """A robust straight line through ``(x, y)``: ``(slope, intercept)``.

    ``"theil_sen"``: the median of the pairwise slopes (Sen 1968), intercept the median of
    ``y - slope x``; ``"rlm"``: Huber's M-estimator (statsmodels ``RLM``, ``HuberT``, MAD
    scale), which falls back to least squares when the residuals have no spread.

    References
    ----------
    .. [1] Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's
       tau. Journal of the American Statistical Association 63(324), 1379-1389.
    .. [2] Huber, P. J. (1973). Robust regression: asymptotics, conjectures and Monte
       Carlo. The Annals of Statistics 1(5), 799-821.

    Examples
    --------
    One outlying round does not tilt the line:

    >>> slope, _ = robust_trend([2022, 2023, 2024, 2025], [80.0, 81.0, 60.0, 83.0])
    >>> round(slope, 2)
    1.0
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if method not in TRENDS:
        raise DataError(f"trend method must be one of {TRENDS}, got {method!r}")
    if len(x) < 2 or np.ptp(x) == 0:
        raise DataError("a trend needs at least two different rounds")
    if method == "theil_sen":
        res = stats.theilslopes(y, x)
        return float(res.slope), float(np.median(y - res.slope * x))
    X = sm.add_constant(x - x.mean())
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    resid = y - X @ ols
    if np.median(np.abs(resid - np.median(resid))) <= 1e-12:
        slope, icpt = float(ols[1]), float(ols[0])
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.RLM(y, X, M=sm.robust.norms.HuberT()).fit()
        slope, icpt = float(fit.params[1]), float(fit.params[0])
    return slope, icpt - slope * float(x.mean())


def history_table(history: pd.DataFrame | Mapping[str, Evaluation] | None, ev: Evaluation) -> pd.DataFrame:
    """``round, unit_id, final`` for every round of ``history`` and ``ev``'s own round.

    ``history`` is a table with those columns (e.g. the round facts' ``history``) or
    ``{round: Evaluation}``.
    """
    frames = []
    if isinstance(history, Mapping):
        for rnd, e in history.items():
            frames.append(pd.DataFrame({"round": str(rnd), "unit_id": e.results.index,
                                        "final": e.results["final"].to_numpy(dtype=float)}))
    elif history is not None:
        missing = [c for c in ("round", "unit_id", "final") if c not in history.columns]
        if missing:
            raise DataError(f"history needs the columns round, unit_id, final (missing {', '.join(missing)})")
        frames.append(history[["round", "unit_id", "final"]].assign(round=lambda d: d["round"].astype(str)))
    own = str(ev.data.round) if ev.data.round is not None else "current"
    if not any((f["round"] == own).any() for f in frames):
        frames.append(pd.DataFrame({"round": own, "unit_id": ev.results.index,
                                    "final": ev.results["final"].to_numpy(dtype=float)}))
    out = pd.concat(frames, ignore_index=True)
    return out.dropna(subset=["final"]).drop_duplicates(["round", "unit_id"], keep="last")


def _round_positions(rounds: Sequence[str]) -> dict[str, float]:
    """Rounds as numbers: the years themselves when every round is a number, else their
    order (sorted)."""
    uniq = sorted(set(rounds))
    try:
        return {r: float(r) for r in uniq}
    except ValueError:
        return {r: float(i) for i, r in enumerate(uniq)}


@dataclass(frozen=True, eq=False)
class UnitBenchmark:
    """Every unit against its category and its own history.

    Attributes
    ----------
    table
        One row per (unit, item): rate (0-100 scale), points and points available, the
        category's best (and who), quartiles and median, the gaps to the best and to the
        median, the unit's percentile in its category, and ``position`` (``strength`` at
        or above the upper quartile and above the median, ``weakness`` at or below the
        lower quartile and below the median).
    units
        One row per unit: final score, rank, the category's best final score (and who),
        median and quartiles, the trend (slope per round, rounds used), and its strengths
        and weaknesses (item ids, most marked first).
    categories
        One row per (category, item): units, best and who, quartiles, median, mean.
    history
        ``round, unit_id, final`` used for the trends.
    params
        The rules' thresholds and the trend method.
    alerts
        A warning per unit whose trend falls by more than ``decline`` points a round; a
        warning naming the units with fewer than ``min_rounds`` rounds (no trend).
    """

    table: pd.DataFrame
    units: pd.DataFrame
    categories: pd.DataFrame
    history: pd.DataFrame
    params: Mapping[str, Any]
    alerts: tuple[Alert, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def unit(self, unit_id: str) -> pd.DataFrame:
        """The rows of one unit."""
        if unit_id not in self.units.index:
            raise DataError(f"no unit {unit_id!r}{did_you_mean(unit_id, self.units.index)}")
        return self.table[self.table["unit_id"] == unit_id]

    def __repr__(self) -> str:
        return f"UnitBenchmark(units={len(self.units)}, items={self.table['item'].nunique()}, alerts={len(self.alerts)})"

    def _repr_html_(self) -> str:
        return html_head("Unit benchmarking", dict(self.params)) + html_table(self.units, 60)


def _category_stats(values: pd.Series) -> dict[str, Any]:
    v = values.dropna()
    if not len(v):
        return {"n": 0, "best": np.nan, "best_units": (), "q1": np.nan, "median": np.nan, "q3": np.nan,
                "mean": np.nan}
    best = float(v.max())
    return {"n": int(len(v)), "best": best, "best_units": tuple(v.index[np.isclose(v.to_numpy(), best, atol=1e-9)]),
            "q1": float(np.percentile(v, 25)), "median": float(np.median(v)), "q3": float(np.percentile(v, 75)),
            "mean": float(v.mean())}


def unit_benchmark(ev: Evaluation, *, history: pd.DataFrame | Mapping[str, Evaluation] | None = None,
                   items: str | Sequence[str] = "components", trend: str = "theil_sen", min_rounds: int = 3,
                   decline: float = 1.0, top: int = 3) -> UnitBenchmark:
    """Benchmark every unit of ``ev`` within its category and against its own history.

    Parameters
    ----------
    ev
        The round's evaluation.
    history
        Earlier rounds: a table ``round, unit_id, final`` or ``{round: Evaluation}``; the
        round of ``ev`` is added when missing.
    items
        ``"components"`` (the root's children), ``"indicators"`` (every indicator and
        functional-target node) or a list of node ids.
    trend
        ``"theil_sen"`` or ``"rlm"`` (:func:`robust_trend`).
    min_rounds
        Rounds a unit needs for a trend.
    decline
        A trend falling by more than this many points a round is a warning.
    top
        Strengths and weaknesses listed per unit.
    """
    if trend not in TRENDS:
        raise DataError(f"trend method must be one of {TRENDS}, got {trend!r}")
    if min_rounds < 2:
        raise DataError(f"min_rounds must be at least 2 (got {min_rounds})")
    ids = _items(ev, items)
    rate, pts, mx = _rates(ev, ids)
    res = ev.results
    cats = res["category"]
    rows, cat_rows = [], []
    for cat in pd.unique(cats):
        members = res.index[cats == cat]
        for i in ids:
            col = rate.loc[members, i]
            st = _category_stats(col)
            cat_rows.append({"category": cat, "item": i, **st})
            pct = col.rank(pct=True, method="average")
            for u in members:
                v = col.get(u, np.nan)
                if np.isnan(v):
                    continue
                pos = ""
                if st["n"] >= 4 and v >= st["q3"] - 1e-9 and v > st["median"] + 1e-9:
                    pos = "strength"
                elif st["n"] >= 4 and v <= st["q1"] + 1e-9 and v < st["median"] - 1e-9:
                    pos = "weakness"
                rows.append({"unit_id": u, "category": cat, "item": i, "rate": float(v),
                             "points": float(pts.loc[u, i]) if pts is not None else np.nan,
                             "max_points": float(mx.loc[u, i]) if mx is not None else np.nan,
                             "best": st["best"], "best_units": st["best_units"], "q1": st["q1"],
                             "median": st["median"], "q3": st["q3"], "gap_to_best": st["best"] - float(v),
                             "gap_to_median": st["median"] - float(v), "percentile": float(pct[u]), "position": pos})
    table = pd.DataFrame(rows)
    hist = history_table(history, ev)
    xpos = _round_positions(hist["round"].tolist())
    alerts: list[Alert] = []
    short: list[str] = []
    unit_rows = []
    for u, r in res.iterrows():
        members = res.index[cats == r["category"]]
        st = _category_stats(res.loc[members, "final"])
        h = hist[hist["unit_id"] == u]
        slope = icpt = np.nan
        if len(h) >= min_rounds:
            slope, icpt = robust_trend([xpos[x] for x in h["round"]], h["final"].to_numpy(dtype=float), trend)
            if slope < -decline:
                alerts.append(Alert(source="benchmark", level="warning", code="bm_declining", subject=u,
                                    params={"name": {"zh": r["name_zh"], "en": r["name_en"]},
                                            "slope": round(slope, 2), "rounds": len(h), "decline": decline},
                                    evidence={"rounds": tuple(h["round"]), "final": tuple(h["final"])}))
        else:
            short.append(u)
        mine = table[table["unit_id"] == u]
        s = mine[mine["position"] == "strength"].sort_values("percentile", ascending=False)["item"].head(top)
        w = mine[mine["position"] == "weakness"].sort_values("percentile")["item"].head(top)
        unit_rows.append({"unit_id": u, "name_zh": r["name_zh"], "name_en": r["name_en"], "category": r["category"],
                          "final": r["final"], "rank": r["rank"], "category_size": r["category_size"],
                          "grade": r["grade"], "best_final": st["best"], "best_units": st["best_units"],
                          "q1": st["q1"], "median": st["median"], "q3": st["q3"],
                          "gap_to_best": st["best"] - r["final"], "trend_slope": slope, "trend_intercept": icpt,
                          "trend_rounds": int(len(h)), "strengths": tuple(s), "weaknesses": tuple(w)})
    if short:
        alerts.append(Alert(source="benchmark", level="warning", code="bm_short_history", subject=", ".join(short),
                            params={"n": len(short), "min_rounds": min_rounds,
                                    "units": {"zh": "、".join(str(res.loc[u, "name_zh"]) for u in short),
                                              "en": ", ".join(str(res.loc[u, "name_en"]) for u in short)}},
                            evidence={"units": tuple(short)}))
    units = pd.DataFrame(unit_rows).set_index("unit_id")
    params = {"items": items if isinstance(items, str) else list(items), "trend": trend, "min_rounds": min_rounds,
              "decline": decline, "strength": "rate >= category upper quartile and > median",
              "weakness": "rate <= category lower quartile and < median", "rounds": sorted(xpos)}
    return UnitBenchmark(table=table, units=units, categories=pd.DataFrame(cat_rows), history=hist, params=params,
                         alerts=tuple(alerts))


@dataclass(frozen=True, eq=False)
class UnitFrontier:
    """A DEA frontier per category: efficiency, reference peers and improvement targets.

    Attributes
    ----------
    units
        One row per unit: category, efficiency (1 = on the frontier), ``score`` (the
        output expansion factor), peers and their lambdas; per item the points now
        (``now[<item>]``), on the frontier (``target[<item>]``) and the difference
        (``improve[<item>]``).
    results
        The :class:`~perfkit.analyses.benchmark.dea.DEAResult` of each category.
    params
        Outputs, inputs, returns to scale, orientation.
    alerts
        Units left out (no positive output) or items dropped in a category (not
        applicable to every unit of it).
    """

    units: pd.DataFrame
    results: Mapping[str, DEAResult] = field(repr=False)
    params: Mapping[str, Any] = field(default_factory=dict)
    alerts: tuple[Alert, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def __repr__(self) -> str:
        eff = int((self.units["efficiency"] >= 1 - 1e-7).sum()) if len(self.units) else 0
        return f"UnitFrontier(units={len(self.units)}, on_frontier={eff}, rts={self.params.get('rts')!r})"

    def _repr_html_(self) -> str:
        return html_head("DEA frontier", dict(self.params)) + html_table(self.units, 60)


def unit_frontier(ev: Evaluation, *, items: str | Sequence[str] = "components", inputs: pd.DataFrame | None = None,
                  rts: str = "vrs", by_category: bool = True) -> UnitFrontier:
    """DEA (output-oriented) of the units' points per item, within each category.

    Parameters
    ----------
    ev
        The round's evaluation.
    items
        The outputs: ``"components"``, ``"indicators"`` or node ids; points earned in a
        points scheme, scores otherwise. An item that does not apply to every unit of a
        category is left out there (said in ``alerts``).
    inputs
        Resources per unit (index ``unit_id``, one numeric column per input, positive),
        e.g. staff or budget. ``None``: every unit has one unit of input — the frontier is
        then the benefit-of-the-doubt one, and CRS and VRS coincide.
    rts
        ``"vrs"`` (default) or ``"crs"``.
    by_category
        One frontier per category (units are compared within their category only).

    Raises
    ------
    DataError
        An input table without a unit, or with a zero, negative or missing input.
    """
    ids = _items(ev, items)
    _, pts, _ = _rates(ev, ids)
    out_tab = pts if pts is not None else _rates(ev, ids)[0]
    res = ev.results
    if inputs is not None:
        if not isinstance(inputs, pd.DataFrame) or inputs.empty:
            raise DataError("inputs must be a table: index unit_id, one numeric column per input")
        missing = [u for u in res.index[res["final"].notna()] if u not in inputs.index]
        if missing:
            raise DataError(f"inputs: no row for unit(s) {', '.join(missing[:5])}"
                            + (f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""),
                            hint="give every evaluated unit its inputs (index unit_id)")
    groups = [(c, res.index[res["category"] == c]) for c in pd.unique(res["category"])] if by_category \
        else [("all", res.index)]
    rows, alerts, results = [], [], {}
    labels = {c.id: c.label for c in ev.scheme.model.categories}
    for cat, members in groups:
        lab = {"category": {"zh": labels[cat].zh, "en": labels[cat].en} if cat in labels else str(cat)}
        members = [u for u in members if not np.isnan(res.loc[u, "final"])]
        Yc = out_tab.loc[members]
        keep_cols = [c for c in ids if Yc[c].notna().all()]
        dropped = [c for c in ids if c not in keep_cols]
        if dropped:
            alerts.append(Alert(source="benchmark", level="info", code="bm_frontier_dropped", subject=str(cat),
                                params={**lab, "items": ", ".join(dropped)}))
        Yc = Yc[keep_cols].clip(lower=0.0)
        nothing = Yc.index[Yc.sum(axis=1) <= 0].tolist()
        if nothing:
            alerts.append(Alert(source="benchmark", level="warning", code="bm_frontier_left_out",
                                subject=", ".join(nothing),
                                params={**lab, "n": len(nothing), "units": {"zh": "、".join(res.loc[nothing, "name_zh"]),
                                                                             "en": ", ".join(res.loc[nothing, "name_en"])}}))
            Yc = Yc.drop(index=nothing)
        if len(Yc) < 2 or not keep_cols:
            continue
        Xc = inputs.loc[Yc.index] if inputs is not None else pd.DataFrame({"unit_input": 1.0}, index=Yc.index)
        r = dea(Xc, Yc, rts=rts, orientation="output", units=list(Yc.index))
        results[str(cat)] = r
        for k, u in enumerate(r.units):
            row = {"unit_id": u, "name_zh": res.loc[u, "name_zh"], "name_en": res.loc[u, "name_en"],
                   "category": res.loc[u, "category"], "efficiency": float(r.efficiency[k]),
                   "score": float(r.score[k]), "peers": r.peers[k], "lambdas": r.weights[k]}
            for j, c in enumerate(keep_cols):
                row[f"now[{c}]"] = float(Yc.loc[u, c])
                row[f"target[{c}]"] = float(r.target_outputs[k, j])
                row[f"improve[{c}]"] = float(r.target_outputs[k, j] - Yc.loc[u, c])
            rows.append(row)
    units = pd.DataFrame(rows).set_index("unit_id") if rows else pd.DataFrame()
    params = {"items": items if isinstance(items, str) else list(items), "rts": rts, "orientation": "output",
              "inputs": list(inputs.columns) if inputs is not None else "unit input (benefit of the doubt)",
              "by_category": by_category}
    return UnitFrontier(units=units, results=results, params=params, alerts=tuple(alerts))
