"""Satisfaction survey: from respondents' item scores to a 0-100 index per unit.

Each respondent's score is the mean of their answered items, rescaled from the survey scale
(e.g. 1-5) to 0-100. Per unit and respondent group the weighted mean is taken; groups with
fewer than ``min_responses`` respondents are left out and the remaining groups' weights are
renormalised. Confidence intervals use the normal approximation with the Kish effective
sample size. Only aggregates leave this module; cells with fewer than ``min_cell``
respondents are marked ``suppressed`` and reports must not show their means.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["respondent_scores", "group_means", "survey_index", "summarise_survey"]

Z95 = 1.959963984540054


def respondent_scores(items: np.ndarray, *, scale: tuple[float, float] = (1.0, 5.0)) -> np.ndarray:
    """Mean of each respondent's answered items on 0-100.

    >>> respondent_scores(np.array([[5, 5], [1, 3], [np.nan, 4]]))
    array([100.,  25.,  75.])
    """
    lo, hi = scale
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.asarray(items, dtype=float), axis=-1) if np.size(items) else np.array([])
    return (mean - lo) / (hi - lo) * 100.0


def group_means(score: np.ndarray, weight: np.ndarray, cell: np.ndarray, n_cells: int) -> tuple[np.ndarray, ...]:
    """Weighted mean, count, and standard error per cell (cell = integer code).

    ``score`` may carry leading batch axes (bootstrap replicates); ``cell`` is over the
    last axis. Returns ``(mean, n, se)`` with shape ``(..., n_cells)`` (``n`` is (n_cells,)).
    """
    score = np.asarray(score, dtype=float)
    ok = ~np.isnan(score)
    w = np.where(ok, weight, 0.0)
    s = np.where(ok, score, 0.0)
    shape = score.shape[:-1] + (n_cells,)
    flat_w = w.reshape(-1, score.shape[-1])
    flat_s = s.reshape(-1, score.shape[-1])
    sw = np.zeros((flat_w.shape[0], n_cells))
    sws = np.zeros_like(sw)
    sws2 = np.zeros_like(sw)
    sw2 = np.zeros_like(sw)
    for r in range(flat_w.shape[0]):
        sw[r] = np.bincount(cell, weights=flat_w[r], minlength=n_cells)
        sws[r] = np.bincount(cell, weights=flat_w[r] * flat_s[r], minlength=n_cells)
        sws2[r] = np.bincount(cell, weights=flat_w[r] * flat_s[r] ** 2, minlength=n_cells)
        sw2[r] = np.bincount(cell, weights=flat_w[r] ** 2, minlength=n_cells)
    n = np.bincount(cell, weights=ok.reshape(-1, score.shape[-1])[0].astype(float), minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sws / sw
        var = sws2 / sw - mean**2
        n_eff = sw**2 / sw2
        se = np.sqrt(np.maximum(var, 0) / np.maximum(n_eff - 1, 1))
    return mean.reshape(shape), n, se.reshape(shape)


def survey_index(means: np.ndarray, counts: np.ndarray, group_weights: np.ndarray,
                 *, min_responses: int) -> np.ndarray:
    """Unit index from group means ``(..., n_units, n_groups)``; groups below
    ``min_responses`` dropped and weights renormalised; NaN when no group qualifies.

    >>> survey_index(np.array([[80., 60.]]), np.array([[40, 5]]), np.array([0.5, 0.5]), min_responses=30)
    array([80.])
    """
    use = (counts >= min_responses) & ~np.isnan(means)
    w = np.where(use, group_weights, 0.0)
    tot = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, (np.where(use, means, 0.0) * w).sum(axis=-1) / tot, np.nan)


def summarise_survey(survey: pd.DataFrame, units: Sequence[str], *, items: Sequence[str],
                     scale: tuple[float, float], groups: Mapping[str, float], min_responses: int,
                     min_cell: int) -> tuple[pd.Series, pd.DataFrame]:
    """The index per unit and the per unit x group summary table (typed survey input)."""
    units = list(units)
    gnames = list(groups)
    gw = np.array([groups[g] for g in gnames], dtype=float)
    if survey is None or survey.empty:
        idx = pd.Series(np.nan, index=pd.Index(units, name="unit_id"), name="satisfaction")
        return idx, pd.DataFrame(columns=["unit_id", "group", "n", "mean", "ci_low", "ci_high", "used", "suppressed"])
    # categorical codes are int8 for few categories: widen before multiplying into cell codes
    uc = pd.Categorical(survey["unit_id"], categories=units).codes.astype(np.int64)
    gc = pd.Categorical(survey["respondent_group"], categories=gnames).codes.astype(np.int64)
    keep = (uc >= 0) & (gc >= 0)
    sc = respondent_scores(survey.loc[keep, list(items)].to_numpy(dtype=float), scale=scale)
    wt = survey.loc[keep, "weight"].to_numpy(dtype=float) if "weight" in survey else np.ones(keep.sum())
    cell = uc[keep] * len(gnames) + gc[keep]
    mean, n, se = group_means(sc, wt, cell, len(units) * len(gnames))
    mean = mean.reshape(len(units), len(gnames))
    n = n.reshape(len(units), len(gnames))
    se = se.reshape(len(units), len(gnames))
    index = survey_index(mean, n, gw, min_responses=min_responses)
    rows = []
    for ui, u in enumerate(units):
        for gi, g in enumerate(gnames):
            rows.append({"unit_id": u, "group": g, "n": int(n[ui, gi]), "mean": mean[ui, gi],
                         "ci_low": mean[ui, gi] - Z95 * se[ui, gi], "ci_high": mean[ui, gi] + Z95 * se[ui, gi],
                         "used": bool(n[ui, gi] >= min_responses), "suppressed": bool(n[ui, gi] < min_cell)})
    table = pd.DataFrame(rows)
    return pd.Series(index, index=pd.Index(units, name="unit_id"), name="satisfaction"), table
