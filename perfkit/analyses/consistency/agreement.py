"""Agreement of each special assessment with the comprehensive evaluation, the special's
own contribution left out.

A special assessment folded into the comprehensive score agrees with it partly because it
is part of it. So each special's results are compared with the comprehensive score of the
evaluation *without* that special (:func:`~perfkit.analyses.consistency._evaluation.without`:
the engine re-run with the special's points or weight set to 0 and its siblings' scaled up,
so that every part keeps its share of the 100 points). In a points scheme where the special
is a leaf worth ``N`` of ``P`` points of its parent, a unit's score without it is therefore
``final - N*s/100 + N*m/100``, ``s`` its special score and ``m`` the points-weighted mean
score of the parent's other parts for that unit — its own contribution removed, nothing
else changed.

Measures, per special assessment:

* Spearman and Kendall (tau-b) correlations within the unit categories (the comprehensive
  evaluation ranks within categories), with stratified bootstrap percentile intervals;
* weighted Cohen's kappa of the special's grades and the comprehensive grades without it
  (both read as ordered positions, best first);
* a robust regression (Huber's M-estimator, statsmodels RLM) of the special score on the
  comprehensive score without it (and the category): units with a large standardised
  residual are where the two disagree.

References
----------
Cohen, J. (1968). Weighted kappa. *Psychological Bulletin* 70, 213-220.
Huber, P. J. (1981). *Robust Statistics*. Wiley.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.metrics import cohen_kappa_score

from perfkit.analyses.consistency._evaluation import Without, final_scale, grade_positions, root_shares, special_leaves
from perfkit.analyses.consistency._stats import rank_agreement
from perfkit.engine.evaluation import Evaluation
from perfkit.results import html_head, html_table

__all__ = ["AgreementResult", "agreement", "special_grade_order"]

_COLS = ["n", "spearman", "spearman_lo", "spearman_hi", "kendall", "kendall_lo", "kendall_hi", "kendall_interval",
         "kappa", "kappa_n", "strata", "loo_method", "mean_own_points", "mean_change", "disagreeing_units"]


@dataclass(frozen=True, eq=False)
class AgreementResult:
    """Per special assessment, its agreement with the comprehensive score without it.

    Attributes
    ----------
    table
        One row per assessment: ``n`` units compared, ``spearman`` and ``kendall`` (within
        categories) with ``_lo``/``_hi`` interval bounds, ``kendall_interval`` (bootstrap or
        asymptotic), ``kappa`` (weighted, on grades) and ``kappa_n``, ``strata`` used,
        ``loo_method`` (how the special was left out, see ``Without``), the mean
        ``own_points`` the special carries in the final score and the mean ``change`` of the
        final score when it is left out, and the number of ``disagreeing_units`` (large
        robust-regression residuals).
    units
        Long table, one row per assessment and unit: ``score`` and ``grade`` in the special,
        ``own_points`` (the points of the final score the special gives, from the engine's
        points or weights), ``final`` and ``final_without`` (the comprehensive score without
        the special), ``change`` (= final - final_without), ``grade_without``, the robust
        regression's ``fitted`` value and standardised ``residual``, ``disagrees``.
    params
        n_boot, level, seed, strata, kappa weights, residual threshold.
    """

    table: pd.DataFrame
    units: pd.DataFrame
    params: Mapping = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def disagreeing(self) -> pd.DataFrame:
        """The units where a special and the comprehensive score disagree most."""
        return self.units[self.units["disagrees"]].sort_values("residual", key=abs, ascending=False)

    def __repr__(self) -> str:
        return f"AgreementResult(assessments={list(self.table.index)})"

    def _repr_html_(self) -> str:
        return html_head("Agreement with the comprehensive score (each special left out)", self.params) + \
            html_table(self.table) + html_table(self.disagreeing)


def special_grade_order(declared: list[str] | tuple[str, ...] | None, seen) -> list[str]:
    """The grades of a special's results, best first: as the registry declares them, else
    the grades seen in the results in alphabetical order (A before B ...).

    >>> special_grade_order(None, ["B", "A", "C", "A"])
    ['A', 'B', 'C']
    """
    if declared:
        return list(declared)
    return sorted({str(g) for g in seen if isinstance(g, str) and g})


def agreement(ev: Evaluation, results: pd.DataFrame, variants: Mapping[str, Without], *,
              grades: Mapping[str, list[str]] | None = None, strata: str | None = "category",
              n_boot: int = 2000, level: float = 0.95, rng: np.random.Generator,
              kappa_weights: str = "linear", residual_threshold: float = 2.5,
              seed: int | None = None) -> AgreementResult:
    """Agreement of each special assessment in ``results`` with the comprehensive score of
    ``ev`` without that special (``variants[assessment]``).

    Parameters
    ----------
    ev
        The round's evaluation.
    results
        Special results: ``assessment_id, unit_id, score`` and optionally ``grade``.
    variants
        Per assessment, the evaluation without it (:func:`..._evaluation.without`).
    grades
        Per assessment, its grades best first (see :func:`special_grade_order`).
    strata
        ``"category"`` (compare units within their category, as the comprehensive
        evaluation ranks them) or ``None`` (all units together).
    n_boot, level, rng, seed
        Bootstrap replicates, interval level, random generator, and the seed (provenance).
    kappa_weights
        ``"linear"`` or ``"quadratic"`` disagreement weights of the kappa.
    residual_threshold
        Standardised robust-regression residual from which a unit is named.
    """
    res = ev.results
    rows, unit_frames = [], []
    gpos_full = grade_positions(ev)
    shares = root_shares(ev) * final_scale(ev) / 100.0
    for aid, sub in results.groupby("assessment_id", sort=False):
        sub = sub.drop_duplicates("unit_id").set_index("unit_id")
        sub = sub[sub.index.isin(res.index)]
        v = variants.get(aid)
        if v is not None and v.evaluation is not None:
            wres = v.evaluation.results
            without = wres["final"].reindex(sub.index)
            gpos = grade_positions(v.evaluation).reindex(sub.index)
            gname = wres["grade"].reindex(sub.index)
        elif v is None or v.method == "not_folded":
            without = res["final"].reindex(sub.index)
            gpos = gpos_full.reindex(sub.index)
            gname = res["grade"].reindex(sub.index)
        else:  # impossible: nothing to compare with
            without = pd.Series(np.nan, index=sub.index)
            gpos = pd.Series(np.nan, index=sub.index)
            gname = pd.Series(None, index=sub.index, dtype=object)
        score = pd.to_numeric(sub["score"], errors="coerce")
        ok = score.notna() & without.notna()
        cats = res["category"].reindex(sub.index)
        st = cats if strata == "category" else pd.Series("all", index=sub.index)
        ra = rank_agreement(score[ok].to_numpy(), without[ok].to_numpy(), st[ok].to_numpy(dtype=object),
                            n_boot=n_boot, level=level, rng=rng)
        order = special_grade_order((grades or {}).get(aid), sub["grade"] if "grade" in sub else [])
        sg = sub["grade"].map(lambda g: float(order.index(g)) if g in order else np.nan) if "grade" in sub \
            else pd.Series(np.nan, index=sub.index)
        kappa, kn = _kappa(sg, gpos, kappa_weights)
        fitted, resid = _robust(score, without, st, ok)
        final = res["final"].reindex(sub.index)
        leaves = special_leaves(ev.scheme, aid)
        own = (shares[leaves] * ev.scores[leaves]).sum(axis=1, min_count=1).reindex(sub.index) if leaves else \
            pd.Series(0.0, index=sub.index)
        u = pd.DataFrame({"assessment_id": aid, "unit_id": sub.index, "category": cats.to_numpy(),
                          "score": score.to_numpy(), "grade": sub["grade"].to_numpy() if "grade" in sub else None,
                          "own_points": own.to_numpy(), "final": final.to_numpy(), "final_without": without.to_numpy(),
                          "change": (final - without).to_numpy(), "grade_without": gname.to_numpy(),
                          "fitted": fitted.to_numpy(), "residual": resid.to_numpy()})
        u["disagrees"] = u["residual"].abs() >= residual_threshold
        unit_frames.append(u)
        rows.append({"assessment_id": aid, "n": ra.n, "spearman": ra.spearman, "spearman_lo": ra.spearman_lo,
                     "spearman_hi": ra.spearman_hi, "kendall": ra.kendall, "kendall_lo": ra.kendall_lo,
                     "kendall_hi": ra.kendall_hi, "kendall_interval": ra.kendall_interval, "kappa": kappa,
                     "kappa_n": kn, "strata": ra.strata, "loo_method": v.method if v is not None else "not_folded",
                     "mean_own_points": _mean(u["own_points"]), "mean_change": _mean(u["change"]),
                     "disagreeing_units": int(u["disagrees"].sum())})
    table = pd.DataFrame(rows, columns=["assessment_id", *_COLS]).set_index("assessment_id")
    units = pd.concat(unit_frames, ignore_index=True) if unit_frames else pd.DataFrame(
        columns=["assessment_id", "unit_id", "category", "score", "grade", "own_points", "final", "final_without",
                 "change", "grade_without", "fitted", "residual", "disagrees"])
    params = {"n_boot": n_boot, "level": level, "seed": seed, "strata": strata or "none",
              "kappa_weights": kappa_weights, "residual_threshold": residual_threshold}
    return AgreementResult(table=table, units=units, params=params)


def _mean(s: pd.Series) -> float:
    return float(s.mean()) if s.notna().any() else float("nan")


def _kappa(a: pd.Series, b: pd.Series, weights: str) -> tuple[float, int]:
    ok = a.notna() & b.notna()
    n = int(ok.sum())
    if n < 2:
        return float("nan"), n
    x, y = a[ok].astype(int).to_numpy(), b[ok].astype(int).to_numpy()
    labels = list(range(int(max(x.max(), y.max())) + 1))
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        k = cohen_kappa_score(x, y, labels=labels, weights=weights)
    return float(k), n


def _robust(score: pd.Series, without: pd.Series, strata: pd.Series, ok: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Huber robust regression of the special score on the comprehensive score without it
    (plus category intercepts): fitted values and residuals over the robust scale."""
    fitted = np.full(len(score), np.nan)
    resid = np.full(len(score), np.nan)
    m = ok.to_numpy(dtype=bool)
    y, x = score.to_numpy(dtype=float)[m], without.to_numpy(dtype=float)[m]
    if m.sum() >= 5 and np.ptp(y) > 0 and np.ptp(x) > 0:
        levels, code = np.unique(strata.to_numpy(dtype=str)[m], return_inverse=True)
        dummies = (code[:, None] == np.arange(1, len(levels))[None, :]).astype(float)
        X = np.column_stack([np.ones(len(y)), x, dummies])
        if len(y) >= X.shape[1] + 3:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.RLM(y, X, M=sm.robust.norms.HuberT()).fit()
            scale = float(fit.scale) if np.isfinite(fit.scale) and fit.scale > 0 else float("nan")
            fitted[m] = fit.fittedvalues
            resid[m] = fit.resid / scale
    return pd.Series(fitted, index=score.index), pd.Series(resid, index=score.index)
