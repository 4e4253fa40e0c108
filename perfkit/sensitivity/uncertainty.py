"""Uncertainty analysis: would a unit's rank or grade change under other reasonable
methodological choices?

References
----------
Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *JRSS A*, 168(2).
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 7.
COINr ``get_sensitivity()`` (``R/sensitivity.R``): the same questions, answered with a
serial loop of full rebuilds and rank statistics only.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from perfkit.engine.evaluation import Evaluation
from perfkit.results import as_rng, seed_of
from perfkit.sensitivity.batch import check_executor, evaluate_params, run_design, sample_uniform
from perfkit.sensitivity.compile import CompiledScheme, compile_scheme
from perfkit.sensitivity.factors import Factor, bind_factors, factor_table
from perfkit.sensitivity.params import Params
from perfkit.sensitivity.results import UncertaintyResult

__all__ = ["uncertainty", "nominal_output", "rank_shift"]


def _uncertainty_iv(n, threshold, quantiles, sampling, n_jobs, executor, scheduler):
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2 (got {n!r})")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1] (got {threshold!r})")
    lo, hi = quantiles
    if not 0 <= lo < hi <= 1:
        raise ValueError(f"quantiles must be (low, high) with 0 <= low < high <= 1 (got {quantiles!r})")
    if sampling not in ("sobol", "random"):
        raise ValueError(f"sampling must be 'sobol' or 'random' (got {sampling!r})")
    check_executor(executor, scheduler, n_jobs)


def nominal_output(cs: CompiledScheme):
    """The nominal evaluation through the batched engine (ranks with its tie rule)."""
    return evaluate_params(cs, Params(n=1))


def rank_shift(rank: np.ndarray, nominal_rank: np.ndarray) -> np.ndarray:
    """Per replicate, the mean over units (with a rank) of ``|rank - nominal rank|``."""
    d = np.abs(rank - nominal_rank[None, :].astype(rank.dtype))
    ok = ~np.isnan(d)
    cnt = ok.sum(axis=1)
    tot = np.where(ok, d, 0).sum(axis=1, dtype=np.float64)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)


def rank_quantiles(rank: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """``np.nanquantile(rank, qs, axis=0, method="inverted_cdf")`` for integer ranks,
    by counting (ranks are small integers), shape ``(len(qs), n_units)``."""
    n_units = rank.shape[1]
    top = int(np.nanmax(rank)) + 1 if np.isfinite(rank).any() else 1
    counts = np.zeros((top, n_units), dtype=np.int64)
    for j in range(n_units):
        col = rank[:, j]
        col = col[~np.isnan(col)].astype(np.int64)
        counts[:, j] = np.bincount(col, minlength=top)[:top]
    cum = np.cumsum(counts, axis=0)
    n = cum[-1]
    out = np.full((len(qs), n_units), np.nan)
    for i, q in enumerate(qs):
        need = np.maximum(1, np.ceil(n * float(q)))
        k = np.argmax(cum >= need[None, :], axis=0)
        out[i] = np.where(n > 0, k, np.nan)
    return out


def uncertainty(evaluation: Evaluation, factors: Sequence[Factor], *, n: int = 10_000,
                rng: None | int | np.random.Generator = None, sampling: str = "sobol",
                threshold: float = 0.9, quantiles: tuple[float, float] = (0.05, 0.95),
                chunk_size: int | None = None, n_jobs: int = 1, executor: str = "local",
                scheduler=None) -> UncertaintyResult:
    """Run ``n`` replicates with the declared factors and summarise ranks and grades.

    Parameters
    ----------
    evaluation
        The nominal evaluation (:func:`perfkit.evaluate`): its scheme and data.
    factors
        The uncertain inputs (:mod:`perfkit.sensitivity.factors`).
    n
        Replicates.
    rng
        Seed or Generator; the same seed gives the same result.
    sampling
        ``"sobol"`` (scrambled Sobol' points, the default: lower error than plain random
        numbers for the same ``n``) or ``"random"``.
    threshold
        A unit is *borderline* when the probability of its nominal grade is below this.
    quantiles
        The rank interval reported (default 5-95 %).
    chunk_size, n_jobs
        Replicates per chunk (memory bound; default from a 192 MB budget) and threads
        (with ``executor="dask"`` and no scheduler: the local cluster's worker processes).
    executor, scheduler
        ``"local"`` (default) or ``"dask"``: the chunks run as tasks on a Dask cluster —
        ``scheduler`` a scheduler address (``"tcp://host:8786"``), a
        ``distributed.Client``, or ``None`` for a local cluster started for the call
        (the optional ``[dask]`` extra). The result is identical to the local run's for
        the same seed.

    Examples
    --------
    >>> import perfkit, perfkit.sensitivity as ps
    >>> ev = perfkit.evaluate(perfkit.load_scheme("datasets/real/oecd_bli/scheme.yaml"),
    ...                       perfkit.load_round("datasets/real/oecd_bli/round"))
    >>> ua = ps.uncertainty(ev, [ps.WeightNoise(0.25, level=1)], n=256, rng=1)
    >>> row = ua.units.loc["NOR"]
    >>> int(row.nominal_rank), int(row.rank_lo) <= int(row.median_rank) <= int(row.rank_hi)
    (3, True)
    """
    _uncertainty_iv(n, threshold, quantiles, sampling, n_jobs, executor, scheduler)
    seed = seed_of(rng)
    gen = as_rng(rng)
    t0 = time.perf_counter()
    cs = compile_scheme(evaluation)
    bound = bind_factors(cs, factors)
    entropy = int(gen.integers(2**62))
    u = sample_uniform(n, sum(b.dims for b in bound), gen, sampling)
    out = run_design(cs, bound, u, entropy=entropy, chunk_size=chunk_size, n_jobs=n_jobs, executor=executor,
                     scheduler=scheduler)
    nom = nominal_output(cs)
    summary = _summarise(cs, out, nom, threshold, quantiles)
    units, probs, borderline, shifts = summary
    return UncertaintyResult(
        units=units, grade_probabilities=probs, borderline=borderline, threshold=threshold,
        quantiles=tuple(quantiles), mean_abs_rank_shift=float(np.mean(shifts)), rank_shift=shifts,
        final=out.final, rank=out.rank, grade=out.grade, grade_names=cs.grade_names, factors=factor_table(bound),
        n=int(n), seed=seed, entropy=entropy, sampling=sampling, seconds=time.perf_counter() - t0)


def _summarise(cs: CompiledScheme, out, nom, threshold, quantiles):
    nrank = nom.rank[0].astype(float)
    q = rank_quantiles(out.rank, [quantiles[0], 0.5, quantiles[1]])
    fin = np.ascontiguousarray(out.final.T)  # our own copy: the quantiles may partition it in place
    if np.isnan(fin).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sq = np.nanquantile(fin, [quantiles[0], 0.5, quantiles[1]], axis=1, overwrite_input=True)
    else:
        sq = np.quantile(fin, [quantiles[0], 0.5, quantiles[1]], axis=1, overwrite_input=True)
    d = np.abs(out.rank - nom.rank[0][None, :])
    ok = ~np.isnan(d)
    d0 = np.where(ok, d, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shift_unit = d0.sum(axis=0, dtype=np.float64) / ok.sum(axis=0)
        cnt = ok.sum(axis=1)
        shifts = np.where(cnt > 0, d0.sum(axis=1, dtype=np.float64) / np.maximum(cnt, 1), 0.0)
    units = pd.DataFrame({
        "name_zh": cs.names_zh, "name_en": cs.names_en,
        "category": cs.categories, "nominal_score": nom.final[0], "nominal_rank": nrank,
        "median_rank": q[1], "rank_lo": q[0], "rank_hi": q[2],
        "score_lo": sq[0], "median_score": sq[1], "score_hi": sq[2], "mean_abs_rank_shift": shift_unit,
    }, index=pd.Index(cs.units, name="unit_id"))
    names = list(cs.grade_names)
    probs = pd.DataFrame({g: (out.grade == k).mean(axis=0) for k, g in enumerate(names)},
                         index=pd.Index(cs.units, name="unit_id"))
    borderline: tuple[str, ...] = ()
    if names:
        ng = nom.grade[0]
        units["nominal_grade"] = [names[g] if g >= 0 else None for g in ng]
        p_nom = np.array([probs.iloc[i, g] if g >= 0 else np.nan for i, g in enumerate(ng)])
        units["p_nominal_grade"] = p_nom
        units["borderline"] = p_nom < threshold
        order = np.lexsort((p_nom,))
        borderline = tuple(cs.units[i] for i in order if p_nom[i] < threshold)
    return units, probs, borderline, shifts
