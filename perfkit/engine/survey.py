"""Satisfaction survey: from respondents' item scores to a 0-100 index per unit.

Each respondent's score is the mean of their answered items, rescaled from the survey scale
(e.g. 1-5) to 0-100. Per unit and respondent group (a *cell*) the weighted mean is taken;
the unit's index is the mean of its groups' means with the scheme's group weights,
renormalised over the groups that qualify. Confidence intervals use the normal
approximation with the Kish effective sample size.

Privacy: a cell with fewer than ``min_cell`` respondents is *suppressed*: its mean and
interval are blanked in the summary table, and it never enters an index. A group
therefore counts in a unit's index only with at least ``max(min_responses, min_cell)``
respondents (:attr:`SurveyData.threshold`), in a single evaluation and in every
bootstrap replicate of the sensitivity engine alike; a unit without such a group has no
index (no value). Only aggregates leave this module.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SurveyData", "respondent_scores", "group_means", "survey_index", "survey_data", "summarise",
           "summarise_survey", "SURVEY_COLUMNS"]

Z95 = 1.959963984540054

#: Columns of the per unit x group summary table.
SURVEY_COLUMNS = ["unit_id", "group", "n", "mean", "ci_low", "ci_high", "used", "suppressed"]


@dataclass(frozen=True, eq=False)
class SurveyData:
    """Survey respondents with a score, sorted by cell (cell = unit x respondent group).

    Attributes
    ----------
    score, weight
        Per respondent: the mean of the answered items on 0-100, and the weight.
    cell
        Per respondent: ``unit position x n_groups + group position``.
    rows
        Per respondent: the position in the validated survey table.
    starts, sizes
        Per cell ``(n_units * n_groups,)``: the first respondent and the number of them.
    units, groups, group_weights
        The units (in the order of the results), the respondent groups and their weights.
    items, scale
        The item columns and the answer scale.
    min_responses, min_cell
        The scheme's thresholds (see the module docstring and :attr:`threshold`).
    leaves
        The scheme's survey indicators.
    """

    score: np.ndarray
    weight: np.ndarray
    cell: np.ndarray
    rows: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    units: tuple[str, ...]
    groups: tuple[str, ...]
    group_weights: np.ndarray
    items: tuple[str, ...]
    scale: tuple[float, float]
    min_responses: int
    min_cell: int
    leaves: tuple[str, ...] = ()

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    @property
    def threshold(self) -> int:
        """Respondents a group needs to count in a unit's index: ``max(min_responses,
        min_cell)``, so that no suppressed cell reaches any figure."""
        return max(int(self.min_responses), int(self.min_cell))

    @property
    def counts(self) -> np.ndarray:
        """``(n_units, n_groups)`` respondents per cell."""
        return self.sizes.reshape(self.n_units, self.n_groups).astype(float)


def respondent_scores(items: np.ndarray, *, scale: tuple[float, float] = (1.0, 5.0)) -> np.ndarray:
    """Mean of each respondent's answered items on 0-100.

    >>> respondent_scores(np.array([[5, 5], [1, 3], [np.nan, 4]]))
    array([100.,  25.,  75.])
    """
    lo, hi = scale
    items = np.asarray(items, dtype=float)
    if not items.size:
        return np.zeros(items.shape[:-1]) if items.ndim > 1 else np.array([])
    answered = ~np.isnan(items)
    count = answered.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answered, items, 0.0).sum(axis=-1) / count
    mean = np.where(count > 0, mean, np.nan)
    return (mean - lo) / (hi - lo) * 100.0


def survey_data(survey: pd.DataFrame | None, units: Sequence[str], *, items: Sequence[str],
                scale: tuple[float, float], groups: Mapping[str, float], min_responses: int, min_cell: int,
                leaves: Sequence[str] = ()) -> SurveyData:
    """The respondents of a validated survey table, scored and sorted by cell.

    Respondents of other units or groups, and those who answered no item, are left out.
    Cell codes are int64 (no overflow however many units and groups).
    """
    units = tuple(units)
    gnames = tuple(groups)
    n_units, n_groups = len(units), len(gnames)
    if survey is None or survey.empty:
        sc = wt = np.zeros(0)
        cell = pos = np.zeros(0, dtype=np.int64)
    else:
        uc = pd.Index(units).get_indexer(survey["unit_id"]).astype(np.int64)
        gc = pd.Index(gnames).get_indexer(survey["respondent_group"]).astype(np.int64)
        sc = respondent_scores(survey[list(items)].to_numpy(dtype=float), scale=scale)
        wt = survey["weight"].to_numpy(dtype=float) if "weight" in survey else np.ones(len(survey))
        keep = (uc >= 0) & (gc >= 0) & ~np.isnan(sc)
        pos = np.flatnonzero(keep)
        cell = uc[keep] * n_groups + gc[keep]
        order = np.argsort(cell, kind="stable")
        sc, wt, cell, pos = sc[keep][order], wt[keep][order], cell[order], pos[order]
    sizes = np.bincount(cell, minlength=n_units * n_groups)
    starts = (np.cumsum(sizes) - sizes).astype(np.int64)
    return SurveyData(score=sc, weight=wt, cell=cell, rows=pos, starts=starts, sizes=sizes, units=units,
                      groups=gnames, group_weights=np.array([groups[g] for g in gnames], dtype=float),
                      items=tuple(items), scale=(float(scale[0]), float(scale[1])),
                      min_responses=int(min_responses), min_cell=int(min_cell), leaves=tuple(leaves))


def group_means(score: np.ndarray, weight: np.ndarray, cell: np.ndarray, n_cells: int) -> tuple[np.ndarray, ...]:
    """Weighted mean, count, and standard error per cell (cell = integer code).

    ``score`` may carry leading batch axes (bootstrap replicates); ``cell`` is over the
    last axis. Returns ``(mean, n, se)`` with shape ``(..., n_cells)`` (``n`` is (n_cells,)).

    >>> mean, n, se = group_means(np.array([50.0, 100.0, 20.0]), np.ones(3), np.array([0, 0, 1]), 2)
    >>> mean.tolist(), n.tolist()
    ([75.0, 20.0], [2.0, 1.0])
    """
    score = np.asarray(score, dtype=float)
    cell = np.asarray(cell, dtype=np.int64)
    ok = ~np.isnan(score)
    w = np.where(ok, weight, 0.0)
    s = np.where(ok, score, 0.0)
    shape = score.shape[:-1] + (n_cells,)
    m = score.shape[-1]
    flat_w = w.reshape(-1, m)
    flat_s = s.reshape(-1, m)
    b = flat_w.shape[0]
    code = (np.arange(b, dtype=np.int64)[:, None] * n_cells + cell[None, :]).ravel()

    def sums(v: np.ndarray) -> np.ndarray:
        return np.bincount(code, weights=v.ravel(), minlength=b * n_cells).reshape(b, n_cells)

    sw = sums(flat_w)
    sws = sums(flat_w * flat_s)
    sws2 = sums(flat_w * flat_s ** 2)
    sw2 = sums(flat_w ** 2)
    n = np.bincount(cell, weights=ok.reshape(-1, m)[0].astype(float), minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sws / sw
        var = sws2 / sw - mean**2
        n_eff = sw**2 / sw2
        se = np.sqrt(np.maximum(var, 0) / np.maximum(n_eff - 1, 1))
    return mean.reshape(shape), n, se.reshape(shape)


def survey_index(means: np.ndarray, counts: np.ndarray, group_weights: np.ndarray,
                 *, min_responses: int) -> np.ndarray:
    """Unit index from group means ``(..., n_units, n_groups)``; groups below
    ``min_responses`` respondents dropped and weights renormalised; NaN when no group
    qualifies. Pass :attr:`SurveyData.threshold` as ``min_responses`` so that suppressed
    cells stay out.

    >>> survey_index(np.array([[80., 60.]]), np.array([[40, 5]]), np.array([0.5, 0.5]), min_responses=30)
    array([80.])
    """
    use = (counts >= min_responses) & ~np.isnan(means)
    w = np.where(use, group_weights, 0.0)
    tot = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, (np.where(use, means, 0.0) * w).sum(axis=-1) / tot, np.nan)


def summarise(sv: SurveyData) -> tuple[np.ndarray, pd.DataFrame]:
    """The index per unit ``(n_units,)`` and the per unit x group summary table
    (:data:`SURVEY_COLUMNS`; suppressed cells' mean and interval blanked)."""
    n_units, n_groups = sv.n_units, sv.n_groups
    if not len(sv.score):
        return np.full(n_units, np.nan), pd.DataFrame(columns=SURVEY_COLUMNS)
    mean, n, se = group_means(sv.score, sv.weight, sv.cell, n_units * n_groups)
    shape = (n_units, n_groups)
    mean, n, se = mean.reshape(shape), n.reshape(shape), se.reshape(shape)
    index = survey_index(mean, n, sv.group_weights, min_responses=sv.threshold)
    suppressed = (n < sv.min_cell).ravel()
    m = np.where(suppressed, np.nan, mean.ravel())
    half = Z95 * se.ravel()
    table = pd.DataFrame({
        "unit_id": np.repeat(np.array(sv.units, dtype=object), n_groups),
        "group": np.tile(np.array(sv.groups, dtype=object), n_units),
        "n": n.ravel().astype(int), "mean": m, "ci_low": m - half, "ci_high": m + half,
        "used": (n >= sv.threshold).ravel() & ~np.isnan(mean.ravel()), "suppressed": suppressed,
    }, columns=SURVEY_COLUMNS)
    return index, table


def summarise_survey(survey: pd.DataFrame, units: Sequence[str], *, items: Sequence[str],
                     scale: tuple[float, float], groups: Mapping[str, float], min_responses: int,
                     min_cell: int) -> tuple[pd.Series, pd.DataFrame]:
    """The index per unit (a Series) and the per unit x group summary table of a
    validated survey table (:func:`survey_data`, then :func:`summarise`)."""
    sv = survey_data(survey, units, items=items, scale=scale, groups=groups, min_responses=min_responses,
                     min_cell=min_cell)
    index, table = summarise(sv)
    return pd.Series(index, index=pd.Index(list(units), name="unit_id"), name="satisfaction"), table
