"""The indicator review's statistics as pure functions on numpy arrays.

Vectors are ``(n_units,)`` and matrices ``(n_units, n_ind)`` with NaN for a missing or not
applicable cell; ``groups`` (optional) are the units' categories. With ``groups`` the
relational statistics (correlations, first-order effects) are *within-group*: each group's
mean is taken out first, so that differences between categories — which are never ranked
against each other — do not pass for association between indicators.

Nothing here knows a scheme or an evaluation (see :mod:`perfkit.analyses.indicators.review`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from scipy.cluster import hierarchy
from scipy.interpolate import BSpline
from scipy.spatial.distance import squareform

__all__ = ["cv", "gini", "share_at", "n_distinct", "robust_z", "cronbach_alpha", "centre", "group_ranks",
           "correlations", "clusters", "FirstOrder", "first_order", "linear_first_order", "optimal_weights"]

#: Values closer than this count as equal (scores are on 0-100).
TOL = 1e-9
#: Below this many distinct values E[y | x] is estimated by the mean at each value.
MAX_LEVELS = 8
#: A smoother may spend one degree of freedom per this many units (at least a straight line).
UNITS_PER_DF = 10


def _clean(x) -> np.ndarray:
    a = np.asarray(x, dtype=float).ravel()
    return a[~np.isnan(a)]


def cv(x) -> float:
    """Coefficient of variation ``sd / mean`` (sd with ``ddof=1``) of the non-missing values;
    NaN with fewer than 2 values or a zero mean.

    >>> round(cv([2.0, 4.0, 6.0]), 4)
    0.5
    """
    a = _clean(x)
    if a.size < 2 or abs(a.mean()) <= TOL:
        return float("nan")
    return float(a.std(ddof=1) / a.mean())


def gini(x) -> float:
    """Gini coefficient ``sum_ij |x_i - x_j| / (2 n^2 mean)`` of non-negative values (0: all
    equal; NaN when empty, all zero or any value negative).

    >>> gini([1.0, 1.0, 1.0]), round(gini([0.0, 0.0, 0.0, 4.0]), 4)
    (0.0, 0.75)
    """
    a = np.sort(_clean(x))
    if a.size == 0 or (a < 0).any() or a.sum() <= TOL:
        return float("nan")
    n = a.size
    # sum_ij |x_i - x_j| = 2 sum_i (2i - n - 1) x_(i) for sorted x, i = 1..n
    return float(2.0 * np.sum((2.0 * np.arange(1, n + 1) - n - 1) * a) / (2.0 * n * n * a.mean()))


def share_at(x, value: float, *, tol: float = 1e-6) -> float:
    """Share of the non-missing values within ``tol`` of ``value`` (NaN when empty).

    >>> share_at([100.0, 100.0, 90.0, float("nan")], 100.0)
    0.6666666666666666
    """
    a = _clean(x)
    return float(np.mean(np.abs(a - value) <= tol)) if a.size else float("nan")


def n_distinct(x, *, decimals: int = 6) -> int:
    """Number of distinct non-missing values (rounded to ``decimals``).

    >>> n_distinct([1.0, 1.0000000001, 2.0, float("nan")])
    2
    """
    return int(np.unique(np.round(_clean(x), decimals)).size)


def robust_z(x) -> np.ndarray:
    """Modified z-scores ``0.6745 (x - median) / MAD`` (Iglewicz and Hoaglin); where the MAD
    is 0 (more than half the values equal) the mean absolute deviation from the median,
    ``(x - median) / (1.253314 MeanAD)``, is used instead; all zero when both are 0. NaN
    stays NaN. ``|z| > 3.5`` is their outlier rule.

    References
    ----------
    .. [1] Iglewicz, B. and Hoaglin, D. C. (1993). How to Detect and Handle Outliers. ASQC
       Quality Press, p. 11-13.

    >>> robust_z([1.0, 2.0, 3.0, 4.0, 100.0]).round(3).tolist()
    [-1.349, -0.674, 0.0, 0.674, 65.427]
    """
    a = np.asarray(x, dtype=float)
    ok = ~np.isnan(a)
    out = np.full(a.shape, np.nan)
    if not ok.any():
        return out
    med = np.median(a[ok])
    dev = a[ok] - med
    mad = np.median(np.abs(dev))
    if mad > TOL:
        out[ok] = 0.6745 * dev / mad
    else:
        mean_ad = np.mean(np.abs(dev))
        out[ok] = dev / (1.253314 * mean_ad) if mean_ad > TOL else 0.0
    return out


def cronbach_alpha(X) -> tuple[float, int]:
    """Cronbach's alpha ``k/(k-1) (1 - sum var_i / var(sum_i x_i))`` over the complete rows
    of ``X``; returns ``(alpha, rows used)`` (NaN with fewer than 2 columns or 3 rows, or
    no variance in the total).

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
       Psychometrika 16(3), 297-334.

    >>> round(cronbach_alpha([[1, 2], [2, 3], [3, 5], [4, 4]])[0], 4)
    0.8889
    """
    A = np.asarray(X, dtype=float)
    A = A[~np.isnan(A).any(axis=1)]
    n, k = A.shape
    if k < 2 or n < 3:
        return float("nan"), int(n)
    total = A.sum(axis=1).var(ddof=1)
    if total <= TOL:
        return float("nan"), int(n)
    return float(k / (k - 1) * (1.0 - A.var(axis=0, ddof=1).sum() / total)), int(n)


def centre(X, groups=None) -> np.ndarray:
    """``X`` minus its mean (within each group when ``groups`` is given), NaN ignored.

    >>> centre([[1.0], [3.0], [10.0], [20.0]], groups=["a", "a", "b", "b"]).ravel().tolist()
    [-1.0, 1.0, -5.0, 5.0]
    """
    A = np.array(X, dtype=float)
    one = A.ndim == 1
    A = A[:, None] if one else A
    g = _codes(groups, A.shape[0])
    ok = ~np.isnan(A)
    k = int(g.max()) + 1 if g.size else 0
    cnt = np.zeros((k, A.shape[1]))
    tot = np.zeros((k, A.shape[1]))
    np.add.at(cnt, g, ok)
    np.add.at(tot, g, np.where(ok, A, 0.0))
    mean = np.divide(tot, cnt, out=np.zeros_like(tot), where=cnt > 0)
    A = A - mean[g]
    return A[:, 0] if one else A


def _codes(groups, n: int) -> np.ndarray:
    """Group labels as codes 0..k-1 (all 0 without groups)."""
    if groups is None:
        return np.zeros(n, dtype=int)
    return np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)[1].ravel()


def group_ranks(X, groups=None) -> np.ndarray:
    """Mid-ranks of each column within each group, scaled to ``(rank - (m + 1)/2) / m``
    (``m`` values in the group), NaN kept: Pearson correlations of these are pooled
    within-group Spearman correlations.

    >>> group_ranks([[3.0], [1.0], [2.0], [5.0], [9.0]], ["a", "a", "a", "b", "b"]).ravel().round(3).tolist()
    [0.333, -0.333, 0.0, -0.25, 0.25]
    """
    A = np.array(X, dtype=float)
    one = A.ndim == 1
    A = A[:, None] if one else A
    g = _codes(groups, A.shape[0])
    out = np.full(A.shape, np.nan)
    for k in np.unique(g):
        rows = np.flatnonzero(g == k)
        for j in range(A.shape[1]):
            v = A[rows, j]
            ok = ~np.isnan(v)
            m = int(ok.sum())
            if m:
                out[rows[ok], j] = (stats.rankdata(v[ok]) - (m + 1) / 2.0) / m
    return out[:, 0] if one else out


def correlations(X, *, min_n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete Pearson correlations of the columns of ``X``: ``(r, n)``. ``r`` is
    NaN where fewer than ``min_n`` rows are complete or a column has no spread there; the
    diagonal is 1 for columns with spread.

    >>> r, n = correlations([[1, 2, 1], [2, 4, 0], [3, 6, 1], [4, 8, 0]])
    >>> r.round(3).tolist()[0], n[0].tolist()
    ([1.0, 1.0, -0.447], [4, 4, 4])
    """
    A = np.asarray(X, dtype=float)
    m = A.shape[1]
    ok = ~np.isnan(A)
    r = np.full((m, m), np.nan)
    n = (ok.T.astype(int) @ ok.astype(int))
    for i in range(m):
        for j in range(i, m):
            rows = ok[:, i] & ok[:, j]
            if rows.sum() < min_n:
                continue
            a, b = A[rows, i] - A[rows, i].mean(), A[rows, j] - A[rows, j].mean()
            den = np.sqrt((a * a).sum() * (b * b).sum())
            if den > TOL * max(1.0, rows.sum()):
                r[i, j] = r[j, i] = float(np.clip((a * b).sum() / den, -1.0, 1.0))
    return r, n


def clusters(r, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Hierarchical clusters of indicators whose correlations are all at least ``threshold``
    in absolute value: complete linkage on the distance ``1 - |r|`` (a missing correlation is
    distance 1) cut at ``1 - threshold``. Returns ``(labels, order)``: a cluster label per
    indicator (1-based; singletons have their own) and the dendrogram's leaf order.

    >>> r = np.array([[1, .95, .1], [.95, 1, .2], [.1, .2, 1]])
    >>> labels, order = clusters(r, 0.9)
    >>> bool(labels[0] == labels[1] != labels[2])
    True
    """
    R = np.asarray(r, dtype=float)
    m = R.shape[0]
    if m < 2:
        return np.ones(m, dtype=int), np.arange(m)
    D = 1.0 - np.abs(np.nan_to_num(R, nan=0.0))
    np.fill_diagonal(D, 0.0)
    D = np.clip((D + D.T) / 2.0, 0.0, 1.0)
    Z = hierarchy.linkage(squareform(D, checks=False), method="complete")
    labels = hierarchy.fcluster(Z, t=1.0 - threshold + 1e-12, criterion="distance")
    return labels.astype(int), hierarchy.leaves_list(Z)


# ------------------------------------------------------------------ first-order effects


@dataclass(frozen=True)
class FirstOrder:
    """A first-order effect ``S = Var(E[y | x]) / Var(y)`` estimated by a smoother.

    Attributes
    ----------
    S
        The bias-corrected estimate (as adjusted R² corrects R²), clipped to [0, 1].
    raw
        The uncorrected ratio of explained to total sum of squares.
    df
        Effective degrees of freedom of the smoother (trace of its hat matrix).
    n
        Units used (both values present).
    smoother
        ``"levels"`` (the mean of y at each value of x) or ``"p-spline"``.
    """

    S: float
    raw: float
    df: float
    n: int
    smoother: str


_NONE = FirstOrder(float("nan"), float("nan"), float("nan"), 0, "")


def _spline_basis(x: np.ndarray, segments: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = float(x.min()), float(x.max())
    inner = np.linspace(lo, hi, segments + 1)
    h = inner[1] - inner[0]
    t = np.r_[lo - 3 * h, lo - 2 * h, lo - h, inner, hi + h, hi + 2 * h, hi + 3 * h]
    B = BSpline.design_matrix(x, t, 3).toarray()
    B = B[:, B.sum(axis=0) > 0]
    D = np.diff(np.eye(B.shape[1]), 2, axis=0)
    return B, D.T @ D


def first_order(x, y, groups=None, *, segments: int = 10) -> FirstOrder:
    """First-order effect (correlation ratio) of ``x`` on ``y``: the share of the variance
    of ``y`` explained by a smooth function of ``x`` alone.

    With ``groups``, the effect is within-group: ``y`` is modelled as ``f(x) + a_group``
    and ``S`` is the share of the within-group variance of ``y`` that ``f(x)`` explains.
    ``f`` is the mean of ``y`` at each value of ``x`` when ``x`` takes at most
    :data:`MAX_LEVELS` values, otherwise a cubic P-spline (``segments`` equal segments,
    second-order difference penalty, smoothing chosen by generalised cross-validation; a
    straight line is never penalised); either may use at most one degree of freedom per
    :data:`UNITS_PER_DF` units (with fewer, a straight line). ``S`` is corrected for the smoother's degrees of
    freedom like adjusted R² (``1 - (1 - raw)(n - g)/(n - g - df)``, ``g`` groups), so an
    unrelated ``x`` gives ``S`` near 0 rather than ``df/n``.

    For a linear ``y = sum w_j x_j`` of independent inputs, ``S_i = w_i² var_i / var(y)``.

    References
    ----------
    .. [1] Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or
       science? Journal of the Royal Statistical Society A 176(3), 609-634.
    .. [2] Eilers, P. H. C. and Marx, B. D. (1996). Flexible smoothing with B-splines and
       penalties. Statistical Science 11(2), 89-121.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 4000))
    >>> round(first_order(a, 2 * a + b).S, 2)   # 4 / (4 + 1)
    0.8
    """
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = ~(np.isnan(xa) | np.isnan(ya))
    xa, ya = xa[ok], ya[ok]
    g = None if groups is None else np.asarray(groups, dtype=object)[ok]
    n = xa.size
    n_groups = 1 if g is None else len(set(g.tolist()))
    levels = np.unique(xa)
    max_df = max(1.0, n / UNITS_PER_DF)
    if n - n_groups < 3 or levels.size < 2:
        return FirstOrder(float("nan"), float("nan"), float("nan"), int(n), "")
    yc = centre(ya, g)
    sst = float(yc @ yc)
    if sst <= TOL * max(1.0, float(np.abs(ya).max()) ** 2):
        return FirstOrder(float("nan"), float("nan"), float("nan"), int(n), "")
    if levels.size <= MAX_LEVELS and levels.size - 1 <= max_df:
        B = (xa[:, None] == levels[None, 1:]).astype(float)
        Bc = centre(B, g)
        beta, *_ = np.linalg.lstsq(Bc, yc, rcond=None)
        fit = Bc @ beta
        df = float(np.linalg.matrix_rank(Bc)) if Bc.size else 0.0
        kind = "levels"
    else:
        B, P = _spline_basis(xa, min(segments, max(3, levels.size - 3)))
        Bc = centre(B, g)
        BtB, Bty = Bc.T @ Bc, Bc.T @ yc
        scale = np.trace(BtB) / max(np.trace(P), TOL)
        ridge = 1e-9 * np.trace(BtB) / BtB.shape[0] * np.eye(BtB.shape[0])
        best = None
        for lam in 10.0 ** np.linspace(-4, 6, 21):
            A = BtB + lam * scale * P + ridge
            beta = np.linalg.solve(A, Bty)
            fit_l = Bc @ beta
            df_l = float(np.trace(np.linalg.solve(A, BtB)))
            rss = float(np.sum((yc - fit_l) ** 2))
            resid_df = n - n_groups - df_l
            if resid_df <= 1 or (df_l > max_df + 1e-6 and lam < 1e6):  # the stiffest fit is always allowed
                continue
            gcv = n * rss / resid_df ** 2
            if best is None or gcv < best[0]:
                best = (gcv, fit_l, df_l)
        if best is None:
            return FirstOrder(float("nan"), float("nan"), float("nan"), int(n), "")
        _, fit, df = best
        kind = "p-spline"
    raw = float(np.clip(1.0 - np.sum((yc - fit) ** 2) / sst, 0.0, 1.0))
    resid_df = n - n_groups - df
    adj = 1.0 - (1.0 - raw) * (n - n_groups) / resid_df if resid_df > 0 else float("nan")
    return FirstOrder(float(np.clip(adj, 0.0, 1.0)), raw, float(df), int(n), kind)


def _r_with(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Pairwise-complete Pearson correlation of each column of ``X`` (n, m) with each row of
    ``Y`` (k, n): ``(k, m)``, NaN without spread."""
    ok = ~np.isnan(X)[None, :, :] & ~np.isnan(Y)[:, :, None]
    Xb = np.where(ok, X[None, :, :], 0.0)
    Yb = np.where(ok, Y[:, :, None], 0.0)
    cnt = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = Xb.sum(axis=1) / cnt, Yb.sum(axis=1) / cnt
        sxy = (Xb * Yb).sum(axis=1) - cnt * mx * my
        sxx = (Xb * Xb).sum(axis=1) - cnt * mx * mx
        syy = (Yb * Yb).sum(axis=1) - cnt * my * my
        r = sxy / np.sqrt(sxx * syy)
    bad = (cnt < 3) | (sxx <= TOL) | (syy <= TOL)
    return np.where(bad, np.nan, np.clip(r, -1.0, 1.0))


def linear_first_order(X, y, groups=None) -> np.ndarray:
    """Squared (within-group) Pearson correlation of each column of ``X`` with ``y``: the
    first-order effect when ``E[y | x_i]`` is linear (pairwise complete; NaN without
    spread). ``y`` may be ``(k, n)``: one row per candidate aggregate, giving ``(k, m)``.

    >>> linear_first_order([[1.0, 0.0], [2.0, 1.0], [3.0, 0.0]], [1.0, 2.0, 3.0]).round(3).tolist()
    [1.0, 0.0]
    """
    Xc = centre(np.asarray(X, dtype=float), groups)
    Y = np.asarray(y, dtype=float)
    one = Y.ndim == 1
    Yc = centre(np.atleast_2d(Y).T, groups).T
    s = _r_with(Xc, Yc) ** 2
    return s[0] if one else s


def optimal_weights(X, w, aggregate: Callable[[np.ndarray, np.ndarray], np.ndarray], groups=None,
                    *, target=None) -> tuple[np.ndarray, np.ndarray, bool]:
    """Weights whose first-order effects match a target importance (by default the
    nominal weights ``w`` themselves), as in Becker et al. (2017).

    Minimises ``sum_i (S_i(v) / sum_j S_j(v) - t_i)²`` over positive weights ``v``
    (``t`` = normalised target) where ``S_i(v)`` is the squared within-group correlation of
    indicator ``i`` with ``aggregate(X, v)`` (:func:`linear_first_order`; ``aggregate``
    takes ``(n_units, m)`` scores and ``(k, m)`` weight sets and returns ``(k, n_units)``);
    the result is scaled to the sum of ``w``. Returns ``(weights, normalised effects at
    them, converged)``.

    References
    ----------
    .. [1] Becker, W., Saisana, M., Paruolo, P. and Vandecasteele, I. (2017). Weights and
       importance in composite indicators: closing the gap. Ecological Indicators 80, 12-22.

    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(500, 2)) * [1.0, 3.0]
    >>> v, s, ok = optimal_weights(X, np.array([1.0, 1.0]), lambda X, W: W @ X.T)
    >>> ok, v.round(1).tolist()   # the noisier indicator needs a third of the weight
    (True, [1.5, 0.5])
    """
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    total = float(w.sum())
    t = np.asarray(w if target is None else target, dtype=float)
    t = t / t.sum()
    Xc = centre(X, groups)
    m = w.size

    def effects(V: np.ndarray) -> np.ndarray:
        Y = np.atleast_2d(aggregate(X, V))
        s = np.nan_to_num(_r_with(Xc, centre(Y.T, groups).T) ** 2, nan=0.0)
        tot = s.sum(axis=1, keepdims=True)
        return np.divide(s, tot, out=np.zeros_like(s), where=tot > TOL)

    def loss_and_grad(v: np.ndarray) -> tuple[float, np.ndarray]:
        h = 1e-6
        V = np.vstack([v, v + h * np.eye(m)])
        losses = ((effects(V) - t) ** 2).sum(axis=1)
        return float(losses[0]), (losses[1:] - losses[0]) / h

    res = optimize.minimize(loss_and_grad, w / total, jac=True, method="SLSQP", bounds=[(1e-4, 1.0)] * m,
                            options={"maxiter": 300, "ftol": 1e-10})
    v = res.x / res.x.sum() * total
    return v, effects(v[None, :])[0], bool(res.success)
