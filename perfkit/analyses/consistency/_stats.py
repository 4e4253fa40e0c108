"""Rank agreement within strata, with vectorised bootstrap intervals (pure numpy kernels).

The comprehensive evaluation ranks units within their category, so agreement is measured
within categories: pairs of units are compared only inside one stratum.

* Spearman: the within-stratum Spearman correlations averaged with weights ``n_c`` (the
  Pearson correlation of within-stratum standardised ranks).
* Kendall: tau-b over all within-stratum pairs (concordant minus discordant pairs over
  the tie-corrected number of pairs, summed over strata).

A bootstrap replicate resamples units with replacement within each stratum. It is
represented by the counts ``m`` of each unit in the resample, so that the ranks of every
replicate are weighted midranks (one cumulative sum over the sorted values) and Kendall's
pair counts are quadratic forms ``m' S m`` — all replicates at once.

References
----------
Efron, B. and Tibshirani, R. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
(stratified bootstrap, percentile intervals).
Hoeffding, W. (1948). A class of statistics with asymptotically normal distribution.
*Annals of Mathematical Statistics* 19, 293-325 (the U-statistic variance used for large
strata).
Kendall, M. G. (1945). The treatment of ties in ranking problems. *Biometrika* 33, 239-251.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["RankAgreement", "rank_agreement", "weighted_midranks"]


def weighted_midranks(v: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Midranks of ``v`` ``(n,)`` in each resample given by counts ``m`` ``(B, n)``:
    unit ``i`` stands for ``m[b, i]`` tied copies, so its rank is the number of copies of
    smaller values plus the mean position of the copies of its own value.

    >>> weighted_midranks(np.array([3.0, 1.0, 3.0]), np.ones((1, 3))).tolist()
    [[2.5, 1.0, 2.5]]
    >>> weighted_midranks(np.array([3.0, 1.0, 2.0]), np.array([[1.0, 2.0, 0.0]])).tolist()
    [[3.0, 1.5, 2.5]]
    """
    order = np.argsort(v, kind="stable")
    sv = v[order]
    starts = np.flatnonzero(np.r_[True, sv[1:] != sv[:-1]])
    group = np.empty(len(v), dtype=int)
    group[order] = np.cumsum(np.r_[True, sv[1:] != sv[:-1]]) - 1
    mg = np.add.reduceat(m[:, order], starts, axis=1)
    rg = np.cumsum(mg, axis=1) - mg + (mg + 1.0) / 2.0
    return rg[:, group]


def _ranks(v: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Weighted midranks; for small samples one matrix product (``m @ (L + E/2)' + 1/2``
    with ``L[i, j] = v_j < v_i``, ``E[i, j] = v_j == v_i``), else :func:`weighted_midranks`."""
    if len(v) > 300:
        return weighted_midranks(v, m)
    c = (v[None, :] < v[:, None]) + 0.5 * (v[None, :] == v[:, None])
    return m @ c.T + 0.5


def _spearman(x: np.ndarray, y: np.ndarray, m: np.ndarray) -> np.ndarray:
    rx, ry = _ranks(x, m), _ranks(y, m)
    w = m.sum(axis=1, keepdims=True)
    dx = rx - (m * rx).sum(axis=1, keepdims=True) / w
    dy = ry - (m * ry).sum(axis=1, keepdims=True) / w
    mdx, mdy = m * dx, m * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        return (mdx * dy).sum(axis=1) / np.sqrt((mdx * dx).sum(axis=1) * (mdy * dy).sum(axis=1))


def _quad(m: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``m[b] @ a @ m[b]`` for every replicate ``b``."""
    return np.einsum("bi,bi->b", m @ a, m)


def _kendall_parts(x: np.ndarray, y: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per replicate: concordant minus discordant pairs, pairs untied in x, untied in y
    (a unit drawn twice is tied with itself, so its copies make no pair)."""
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    if len(x) > 300:  # float32 products halve the time; counts stay exact far beyond these sizes
        m32 = m.astype(np.float32)
        k = 0.5 * np.einsum("bi,bi->b", (m32 @ (dx * dy).astype(np.float32)).astype(float), m)
    else:
        k = 0.5 * _quad(m, dx * dy)
    tot = m.sum(axis=1) ** 2
    sq = np.einsum("bi,bi->b", m, m)
    nx = 0.5 * (tot - (sq if len(np.unique(x)) == len(x) else _quad(m, (dx == 0).astype(float))))
    ny = 0.5 * (tot - (sq if len(np.unique(y)) == len(y) else _quad(m, (dy == 0).astype(float))))
    return k, nx, ny


def _kendall_asymptotic(x: np.ndarray, y: np.ndarray, chunk: int = 512) -> tuple[float, float, float, float]:
    """Concordant minus discordant pairs ``K``, untied pairs in x and y, and the large-sample
    variance of ``K`` (Hoeffding: ``Var K ~ C(n,2)^2 * 4/n * Var(c_i/(n-1))`` with ``c_i``
    unit i's concordance with the others)."""
    n = len(x)
    c = np.empty(n)
    tx = ty = 0.0
    for a in range(0, n, chunk):
        dx = np.sign(x[a:a + chunk, None] - x[None, :])
        dy = np.sign(y[a:a + chunk, None] - y[None, :])
        c[a:a + chunk] = (dx * dy).sum(axis=1)
        tx += float((dx == 0).sum())
        ty += float((dy == 0).sum())
    k = c.sum() / 2.0
    pairs = n * (n - 1) / 2.0
    var_k = pairs ** 2 * 4.0 / n * np.var(c / max(n - 1, 1), ddof=1)
    return k, 0.5 * (n * n - tx), 0.5 * (n * n - ty), float(var_k)


def _resample_counts(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_boot, n)`` counts of each unit in ``n_boot`` resamples of ``n`` units with
    replacement (one draw of ``n_boot * n`` indices, counted by ``bincount``)."""
    idx = rng.integers(0, n, size=(n_boot, n)) + (np.arange(n_boot) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


@dataclass(frozen=True)
class RankAgreement:
    """Stratified Spearman and Kendall correlations with their intervals."""

    n: int
    spearman: float
    spearman_lo: float
    spearman_hi: float
    kendall: float
    kendall_lo: float
    kendall_hi: float
    kendall_interval: str  # "bootstrap" | "asymptotic" | ""
    strata: int


def rank_agreement(x, y, strata, *, n_boot: int = 2000, level: float = 0.95,
                   rng: np.random.Generator, min_stratum: int = 3,
                   kendall_boot_max: int = 300) -> RankAgreement:
    """Stratified Spearman and Kendall tau-b of ``x`` and ``y`` with bootstrap percentile
    intervals (resampling units within each stratum).

    Parameters
    ----------
    x, y
        ``(n,)`` paired values (no NaN).
    strata
        ``(n,)`` stratum of each unit (pairs are compared within a stratum only). Strata
        with fewer than ``min_stratum`` units, or with a constant variable, are left out.
    n_boot, level, rng
        Bootstrap replicates (0: no intervals), interval level, random generator.
    kendall_boot_max
        Strata larger than this get Kendall's large-sample (U-statistic) interval instead
        of the bootstrap, whose cost grows with ``n_boot * n**2``.

    Examples
    --------
    >>> r = rank_agreement([1, 2, 3, 4, 5, 6], [1, 3, 2, 4, 6, 5], ["a"] * 6, n_boot=0,
    ...                    rng=np.random.default_rng(0))
    >>> round(r.spearman, 4), round(r.kendall, 4)
    (0.8857, 0.7333)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    strata = np.asarray(strata, dtype=object)
    groups = []
    for s in dict.fromkeys(strata.tolist()):
        idx = np.flatnonzero(strata == s)
        if len(idx) >= min_stratum and np.ptp(x[idx]) > 0 and np.ptp(y[idx]) > 0:
            groups.append(idx)
    n = int(sum(len(g) for g in groups))
    if not groups:
        nan = float("nan")
        return RankAgreement(0, nan, nan, nan, nan, nan, nan, "", 0)
    ones = [np.ones((1, len(g))) for g in groups]
    rho = np.array([_spearman(x[g], y[g], o)[0] for g, o in zip(groups, ones)])
    sizes = np.array([len(g) for g in groups], dtype=float)
    spear = float(np.sum(sizes * rho) / sizes.sum())
    parts = [_kendall_parts(x[g], y[g], o) for g, o in zip(groups, ones)]
    k, nx, ny = (np.array([p[i][0] for p in parts]) for i in range(3))
    kend = float(k.sum() / np.sqrt(nx.sum() * ny.sum()))
    nan = float("nan")
    if n_boot <= 0:
        return RankAgreement(n, spear, nan, nan, kend, nan, nan, "", len(groups))
    alpha = (1.0 - level) / 2.0
    num_s = np.zeros(n_boot)
    den_s = np.zeros(n_boot)
    kb, nxb, nyb = np.zeros(n_boot), np.zeros(n_boot), np.zeros(n_boot)
    big = [len(g) > kendall_boot_max for g in groups]
    var_k = 0.0
    for g, is_big in zip(groups, big):
        m = _resample_counts(len(g), n_boot, rng)
        r = _spearman(x[g], y[g], m)
        ok = ~np.isnan(r)
        num_s += np.where(ok, len(g) * r, 0.0)
        den_s += np.where(ok, len(g), 0.0)
        if is_big:
            _, _, _, v = _kendall_asymptotic(x[g], y[g])
            var_k += v
        else:
            kk, xx, yy = _kendall_parts(x[g], y[g], m)
            kb += kk
            nxb += xx
            nyb += yy
    with np.errstate(invalid="ignore", divide="ignore"):
        sb = num_s / den_s
    s_lo, s_hi = np.nanquantile(sb, [alpha, 1 - alpha]) if np.isfinite(sb).any() else (nan, nan)
    if any(big):
        se = np.sqrt(var_k + (np.var(kb, ddof=1) if not all(big) else 0.0)) / np.sqrt(nx.sum() * ny.sum())
        z = stats.norm.ppf(1 - alpha)
        k_lo, k_hi, how = max(-1.0, kend - z * se), min(1.0, kend + z * se), "asymptotic"
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            tb = kb / np.sqrt(nxb * nyb)
        k_lo, k_hi = np.nanquantile(tb, [alpha, 1 - alpha]) if np.isfinite(tb).any() else (nan, nan)
        how = "bootstrap"
    return RankAgreement(n, spear, float(s_lo), float(s_hi), kend, float(k_lo), float(k_hi), how, len(groups))
