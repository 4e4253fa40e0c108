"""PCA / factor-analysis weights as in the OECD/JRC Handbook (2008), with KMO and Bartlett."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from ._common import (
    WEIGHTS,
    WeightingError,
    as_data,
    as_direction,
    as_names,
    check_choice,
    constant_note,
    note,
)
from .result import WeightResult, make_result

__all__ = ["bartlett_sphericity", "factor_loading_weights", "kmo", "pca_weights", "varimax"]

#: Below this overall KMO the data are unsuitable for factor analysis (Kaiser 1974).
KMO_MIN = 0.5
#: Fewer units than this many per indicator trigger a warning (rule of thumb).
UNITS_PER_INDICATOR = 3


def varimax(
    loadings: Any, *, normalize: bool = True, tol: float = 1e-10, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation ``(rotated, T)`` with ``rotated = loadings @ T``, T orthogonal.

    Kaiser's algorithm with SVD updates (as in R's ``stats::varimax``); with
    ``normalize=True`` (default, Kaiser normalisation) rows are scaled to unit length
    before rotating and scaled back afterwards.

    References
    ----------
    .. [1] Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor
       analysis. Psychometrika 23(3), 187-200.

    Examples
    --------
    >>> L = np.array([[0.8, 0.4], [0.7, 0.5], [0.5, -0.6], [0.4, -0.7]])
    >>> np.abs(varimax(L)[0]).round(3).tolist()
    [[0.889, 0.099], [0.859, 0.04], [0.094, 0.775], [0.044, 0.805]]
    """
    L = np.array(loadings, dtype=float)
    if L.ndim != 2:
        raise WeightingError(f"varimax needs a 2-D loadings matrix; got {L.ndim}-D")
    p, k = L.shape
    if k < 2:
        return L.copy(), np.eye(k)
    sc = np.sqrt((L**2).sum(axis=1)) if normalize else np.ones(p)
    sc = np.where(sc > 0, sc, 1.0)
    A = L / sc[:, None]
    T = np.eye(k)
    crit = 0.0
    for _ in range(max_iter):
        Z = A @ T
        B = A.T @ (Z**3 - Z * (Z**2).sum(axis=0) / p)
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        new = s.sum()
        if new < crit * (1 + tol):
            break
        crit = new
    return (A @ T) * sc[:, None], T


def kmo(X: Any) -> tuple[float, np.ndarray]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy: ``(overall, per_indicator)``.

    ``KMO = sum r_ij^2 / (sum r_ij^2 + sum q_ij^2)`` over ``i != j``, with ``q`` the
    partial correlations from the inverse correlation matrix. Below 0.5 the data are
    considered unsuitable for factor analysis.

    References
    ----------
    .. [1] Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika 39(1),
       31-36.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(200, 1))
    >>> X = f + 0.5 * rng.normal(size=(200, 4))
    >>> round(kmo(X)[0], 2) > 0.7
    True
    """
    X = as_data(X, min_units=3, method="KMO")
    R = np.corrcoef(X, rowvar=False)
    Q = np.linalg.pinv(R)
    d = np.sqrt(np.abs(np.diag(Q)))
    P = -Q / np.outer(d, d)
    off = ~np.eye(R.shape[0], dtype=bool)
    r2 = np.where(off, R**2, 0.0)
    p2 = np.where(off, P**2, 0.0)
    overall = float(r2.sum() / (r2.sum() + p2.sum()))
    per = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    return overall, per


def bartlett_sphericity(X: Any) -> tuple[float, int, float]:
    """Bartlett's test that the correlation matrix is the identity: ``(chi2, df, p)``.

    ``chi2 = -(n - 1 - (2m + 5)/6) ln |R|`` on ``m(m - 1)/2`` degrees of freedom.

    References
    ----------
    .. [1] Bartlett, M. S. (1950). Tests of significance in factor analysis. British
       Journal of Psychology 3(2), 77-85.
    """
    X = as_data(X, min_units=3, method="Bartlett's test")
    n, m = X.shape
    R = np.corrcoef(X, rowvar=False)
    sign, logdet = np.linalg.slogdet(R)
    chi2 = float("inf") if sign <= 0 else -(n - 1 - (2 * m + 5) / 6) * logdet
    df = m * (m - 1) // 2
    return float(chi2), df, float(stats.chi2.sf(chi2, df))


def factor_loading_weights(loadings: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Indicator weights from (rotated) factor loadings, OECD/JRC Handbook (2008) p. 89-91.

    1. Square the loadings and scale them to unity sum within each factor.
    2. Assign each indicator to the factor where its scaled squared loading is largest.
    3. Weight each factor by its share of the explained variance
       ``sum_j L_jf^2 / sum_jf L_jf^2``.
    4. Indicator weight = factor weight x its scaled squared loading; renormalised.

    Returns ``(weights, details)`` with ``scaled`` (the scaled squared loadings),
    ``factor`` (0-based assignment), ``factor_weights``.

    Examples
    --------
    >>> L = [[0.9, 0.1], [0.8, 0.2], [0.1, 0.7], [0.2, 0.9]]
    >>> factor_loading_weights(L)[0].round(4).tolist()
    [0.2945, 0.2327, 0.1782, 0.2945]
    """
    L = np.array(loadings, dtype=float)
    if L.ndim != 2 or L.size == 0:
        raise WeightingError(f"loadings must be a 2-D (indicators x factors) matrix; got shape {L.shape}")
    sq = L**2
    ev = sq.sum(axis=0)
    if (ev <= 0).any():
        raise WeightingError("a factor has all-zero loadings")
    scaled = sq / ev
    factor = np.argmax(scaled, axis=1)
    fw = ev / ev.sum()
    raw = fw[factor] * scaled[np.arange(L.shape[0]), factor]
    return raw / raw.sum(), {"scaled": scaled, "factor": factor, "factor_weights": fw}


def _n_factors(eig: np.ndarray, factors: Any, messages: list[str]) -> tuple[int, str]:
    m = eig.size
    share = eig / eig.sum()
    cum = np.cumsum(share)
    if isinstance(factors, (int, np.integer)) and not isinstance(factors, bool):
        if not 1 <= factors <= m:
            raise WeightingError(f"PCA weights: factors must be between 1 and {m}; got {factors}")
        return int(factors), f"fixed ({int(factors)})"
    check_choice("factors", factors, ("handbook", "kaiser"))
    if factors == "kaiser":
        return max(1, int((eig > 1).sum())), "eigenvalue > 1"
    k = max(1, int(np.argmin(share > 0.10)) if (share <= 0.10).any() else m)
    k0 = k
    while cum[k - 1] < 0.60 and k < m:
        k += 1
    if k > k0:
        note(messages, f"PCA weights: the factors explaining > 10 % each reach only {cum[k0 - 1]:.0%} "
                       f"of the variance; {k - k0} more retained to reach 60 %", stacklevel=4)
    return k, "share > 10 % each, cumulative >= 60 %"


@WEIGHTS.register("pca", kind="objective", needs_data=True)
def pca_weights(
    X: Any,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    factors: Any = "handbook",
    rotation: str = "varimax",
) -> WeightResult:
    """PCA / factor-analysis weights following the OECD/JRC Handbook (2008, pp. 89-91).

    1. Cost indicators are sign-reversed and all indicators standardised; principal
       components of the correlation matrix.
    2. Retained factors: ``factors="handbook"`` (default) keeps the leading factors that
       each explain more than 10 % of the variance, adding factors if needed until they
       explain at least 60 % together. This is the choice the Handbook's own TAI example
       makes (Table 16: eigenvalues 3.3, 1.7, 1.0, 0.9 explaining 42, 22, 12 and 11 %;
       four factors retained). ``factors="kaiser"`` keeps eigenvalues > 1; an integer
       fixes the number.
    3. Loadings (eigenvectors x sqrt(eigenvalues)) are rotated with varimax
       (``rotation="varimax"``, Kaiser-normalised) or not (``rotation="none"``).
    4. Weights from the loadings: :func:`factor_loading_weights`.

    Suitability (stated as warnings, computed in numpy): fewer than
    ``3 x n_indicators`` units; overall KMO < 0.5; Bartlett's sphericity test not
    significant at 5 %. An error is raised when there are not more units than
    indicators (the correlation matrix is then singular). A constant indicator gets
    weight 0 with a warning and the analysis runs on the others.

    Returns
    -------
    WeightResult
        Per indicator: ``factor`` (1-based factor the indicator is assigned to; 0 for a
        constant indicator), ``loading`` (its rotated loading there),
        ``scaled_sq_loading`` and ``msa`` (per-indicator KMO). Scalars: ``n_factors``,
        ``retention``, ``explained`` (variance share of the retained factors together),
        ``kmo``, ``bartlett_chi2``, ``bartlett_p``. Arrays: ``eigenvalues``,
        ``explained_variance_ratio``, ``cumulative_variance``, ``loadings``
        (rotated, indicators x factors), ``factor_weights``.

    References
    ----------
    .. [1] OECD/JRC (2008). Handbook on Constructing Composite Indicators: Methodology
       and User Guide. OECD Publishing, pp. 89-91.
    .. [2] Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika 39,
       31-36.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(60, 2))
    >>> X = np.c_[f[:, 0], f[:, 0], f[:, 1], f[:, 1]] + 0.3 * rng.normal(size=(60, 4))
    >>> r = pca_weights(X)
    >>> r.diagnostics["n_factors"], r.to_frame()["factor"].tolist()
    (2, [1, 1, 2, 2])
    """
    X = as_data(X, min_units=3, method="PCA weights")
    n, m = X.shape
    d_ = as_direction(direction, m)
    names = as_names(names, m)
    check_choice("rotation", rotation, ("varimax", "none"))
    messages: list[str] = []
    sd = X.std(axis=0, ddof=1)
    constant = sd <= 1e-12 * np.maximum(1.0, np.abs(X).max(axis=0))
    keep = ~constant
    mk = int(keep.sum())
    if mk < 2:
        raise WeightingError(f"PCA weights need at least two indicators that vary across units; got {mk}")
    if constant.any():
        note(messages, constant_note(constant, names, "PCA weights"))
    if n <= mk:
        raise WeightingError(
            f"PCA weights need more units than indicators; got {n} units for {mk} indicators",
            hint="use another weighting method, or fewer indicators",
        )
    if n < UNITS_PER_INDICATOR * mk:
        note(messages, f"PCA weights: only {n} units for {mk} indicators (fewer than "
                       f"{UNITS_PER_INDICATOR} per indicator); loadings are unstable")
    Xk = X[:, keep] * d_[keep]
    Z = (Xk - Xk.mean(axis=0)) / Xk.std(axis=0, ddof=1)
    R = np.corrcoef(Z, rowvar=False)
    eig, vec = np.linalg.eigh(R)
    order = np.argsort(eig)[::-1]
    eig, vec = np.clip(eig[order], 0.0, None), vec[:, order]
    k, rule = _n_factors(eig, factors, messages)
    L0 = vec[:, :k] * np.sqrt(eig[:k])
    L = varimax(L0)[0] if (rotation == "varimax" and k > 1) else L0
    L = L * np.where(L.sum(axis=0) < 0, -1.0, 1.0)  # orient each factor positively
    w_k, det = factor_loading_weights(L)

    k_overall, msa_k = kmo(Xk)
    chi2, df, p = bartlett_sphericity(Xk)
    if k_overall < KMO_MIN:
        note(messages, f"PCA weights: KMO = {k_overall:.2f} < {KMO_MIN} — the data are unsuitable "
                       f"for factor analysis; the weights are not reliable")
    if p > 0.05:
        note(messages, f"PCA weights: Bartlett's sphericity test is not significant (p = {p:.3f}); "
                       f"the indicators may be too weakly correlated for factor analysis")

    w = np.zeros(m)
    w[keep] = w_k
    factor = np.zeros(m, dtype=int)
    factor[keep] = det["factor"] + 1
    loading = np.full(m, np.nan)
    loading[keep] = L[np.arange(mk), det["factor"]]
    scaled = np.full(m, np.nan)
    scaled[keep] = det["scaled"][np.arange(mk), det["factor"]]
    msa = np.full(m, np.nan)
    msa[keep] = msa_k
    share = eig / eig.sum()
    params = {"factors": factors, "rotation": rotation}
    diagnostics = {
        "n_factors": k,
        "retention": rule,
        "explained": float(share[:k].sum()),
        "kmo": k_overall,
        "bartlett_chi2": chi2,
        "bartlett_p": p,
        "n_units": n,
        "eigenvalues": eig,
        "explained_variance_ratio": share,
        "cumulative_variance": np.cumsum(share),
        "loadings": L,
        "unrotated_loadings": L0,
        "factor_weights": det["factor_weights"],
        "factor": factor,
        "loading": loading,
        "scaled_sq_loading": scaled,
        "msa": msa,
        "constant": constant,
    }
    return make_result(w, "pca", params, names, diagnostics, messages,
                       ("factor", "loading", "scaled_sq_loading", "msa"))
