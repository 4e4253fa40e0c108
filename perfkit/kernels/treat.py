"""Data treatment kernels: denomination, imputation, screening, outlier treatment.

Each treatment returns the treated values *and* a record of what it did, so the
steps can be shown, audited and replayed. Matrices are ``(n_units, n_ind)``; NaN is
missing. ``availability`` and ``screen`` also accept leading batch axes.
"""
from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from perfkit.kernels.rank import _check_groups

__all__ = [
    "DenominationRecord",
    "WinsorisationRecord",
    "denominate",
    "impute",
    "availability",
    "screen",
    "skew_kurt",
    "winsorise",
]


def _matrix(x, who: str, *, batch: bool = False) -> np.ndarray:
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: x must be a numeric array (NaN for missing values)") from None
    if arr.ndim < 2 or (arr.ndim > 2 and not batch):
        expected = "(..., n_units, n_ind)" if batch else "(n_units, n_ind)"
        raise ValueError(f"{who}: x must have shape {expected}; got shape {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(f"{who}: x contains infinite values; use NaN for missing values")
    return arr


# --------------------------------------------------------------------------- denominate


@dataclass(frozen=True, eq=False)
class DenominationRecord:
    """What :func:`denominate` did.

    Attributes
    ----------
    scale
        The multiplier applied after dividing.
    zero_denominator
        Boolean mask (shape of the result): denominator was 0, result set to NaN.
    missing_denominator
        Boolean mask: denominator was NaN while the numerator was present.
    """

    scale: float
    zero_denominator: np.ndarray
    missing_denominator: np.ndarray

    @property
    def n_invalid(self) -> int:
        """Number of cells set to NaN because of their denominator."""
        return int(self.zero_denominator.sum() + self.missing_denominator.sum())


def denominate(x, denom, *, scale=1.0) -> tuple[np.ndarray, DenominationRecord]:
    """Divide indicators by a denominator (per capita, per GDP ...): ``x / denom * scale``.

    Zero or missing denominators give NaN, recorded in the returned
    :class:`DenominationRecord` (never a silent ``inf``).

    Parameters
    ----------
    x
        Numerators, e.g. ``(n_units, n_ind)``.
    denom
        Denominators broadcasting against ``x`` by numpy rules: ``(n_units, n_ind)``,
        or ``(n_units, 1)`` for one denominator per unit.
    scale
        Finite multiplier, e.g. ``1e5`` for "per 100 000 inhabitants".

    Returns
    -------
    values : ndarray
        Denominated values.
    record : DenominationRecord
        Which cells had zero or missing denominators.

    References
    ----------
    COINr ``Denominate()``, ``R/denominate.R`` (bluefoxr/COINr).

    Examples
    --------
    >>> vals, rec = denominate([[10.0], [6.0], [3.0]], [[2.0], [0.0], [3.0]], scale=100)
    >>> vals.ravel()
    array([500.,  nan, 100.])
    >>> rec.n_invalid
    1
    """
    who = "denominate"
    try:
        xa = np.asarray(x, dtype=float)
        da = np.asarray(denom, dtype=float)
        s = float(scale)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: x, denom and scale must be numeric") from None
    if not np.isfinite(s):
        raise ValueError(f"{who}: scale must be finite")
    try:
        shape = np.broadcast_shapes(xa.shape, da.shape)
    except ValueError:
        raise ValueError(
            f"{who}: denom of shape {da.shape} does not broadcast against x of shape "
            f"{xa.shape} (use shape (n_units, 1) for one denominator per unit)"
        ) from None
    xa, da = np.broadcast_to(xa, shape), np.broadcast_to(da, shape)
    zero = da == 0
    missing = np.isnan(da) & ~np.isnan(xa)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(zero, np.nan, xa / np.where(zero, 1.0, da) * s)
    return out, DenominationRecord(scale=s, zero_denominator=zero, missing_denominator=missing)


# --------------------------------------------------------------------------- impute


def _col_stat(x: np.ndarray, method: str) -> np.ndarray:
    """Column mean or median ignoring NaN; NaN (no warning) for all-missing columns."""
    out = np.full(x.shape[1], np.nan)
    for j in range(x.shape[1]):
        col = x[:, j][~np.isnan(x[:, j])]
        if col.size:
            out[j] = col.mean() if method == "mean" else np.median(col)
    return out


def impute(x, *, method="mean", groups=None) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing cells with the column mean or median, optionally within groups.

    With ``groups``, each missing cell gets the statistic of its own group; cells whose
    group has no value for that indicator fall back to the overall statistic (and are
    flagged as imputed too). Columns with no value at all stay missing, with a
    ``UserWarning``.

    Parameters
    ----------
    x
        Array ``(n_units, n_ind)``.
    method
        ``"mean"`` or ``"median"``.
    groups
        Optional 1-D array of ``n_units`` group labels.

    Returns
    -------
    values : ndarray
        Imputed copy of ``x``.
    imputed : ndarray of bool
        True where a value was filled in.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 3
    (single imputation). COINr ``Impute()``, ``R/impute.R``.

    Examples
    --------
    >>> vals, mask = impute([[1.0, 4.0], [float("nan"), 6.0], [3.0, float("nan")]])
    >>> vals
    array([[1., 4.],
           [2., 6.],
           [3., 5.]])
    >>> mask.sum()
    np.int64(2)
    """
    who = "impute"
    x = _matrix(x, who)
    if method not in ("mean", "median"):
        raise ValueError(f"{who}: method must be 'mean' or 'median'; got {method!r}")
    missing = np.isnan(x)
    out = x.copy()
    if groups is not None:
        g = _check_groups(groups, x.shape[0], who=who)
        for label in np.unique(g):
            rows = np.flatnonzero(g == label)
            stat = _col_stat(x[rows], method)
            block = out[rows]
            out[rows] = np.where(np.isnan(block), stat, block)
    overall = _col_stat(x, method)
    out = np.where(np.isnan(out), overall, out)
    empty = np.isnan(overall)
    if empty.any():
        warnings.warn(
            f"{who}: indicator column(s) {np.flatnonzero(empty).tolist()} have no values "
            "at all and were left missing",
            UserWarning,
            stacklevel=2,
        )
    return out, missing & ~np.isnan(out)


# --------------------------------------------------------------------------- screening


def availability(x) -> np.ndarray:
    """Share of non-missing indicators per unit.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.

    Returns
    -------
    ndarray
        ``(..., n_units)`` in ``[0, 1]``.

    Examples
    --------
    >>> availability([[1.0, 2.0], [float("nan"), 3.0]])
    array([1. , 0.5])
    """
    x = _matrix(x, "availability", batch=True)
    return np.mean(~np.isnan(x), axis=-1)


def screen(x, *, min_availability) -> np.ndarray:
    """Keep units whose data availability is at least ``min_availability``.

    Parameters
    ----------
    x
        Array ``(..., n_units, n_ind)``.
    min_availability
        Threshold in ``[0, 1]``.

    Returns
    -------
    ndarray of bool
        ``(..., n_units)``, True for units to keep.

    References
    ----------
    COINr ``Screen()``, ``R/screen_units.R`` (bluefoxr/COINr).

    Examples
    --------
    >>> screen([[1.0, 2.0], [float("nan"), 3.0]], min_availability=0.75)
    array([ True, False])
    """
    try:
        t = float(min_availability)
    except (TypeError, ValueError):
        raise TypeError("screen: min_availability must be a number") from None
    if not 0 <= t <= 1:
        raise ValueError(f"screen: min_availability must be between 0 and 1; got {min_availability!r}")
    return availability(x) >= t


# --------------------------------------------------------------------------- skew/kurt


def _skew(v: np.ndarray) -> float:
    """e1071 type 2 (Excel SKEW) sample skewness of non-missing ``v``; NaN if n < 3."""
    v = v[~np.isnan(v)]
    n = v.size
    if n < 3:
        return np.nan
    dev = v - v.mean()
    m2 = np.sum(dev**2)
    if m2 == 0:
        return np.nan
    g1 = np.sqrt(n) * np.sum(dev**3) / m2**1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def _kurt(v: np.ndarray) -> float:
    """e1071 type 2 (Excel KURT) sample excess kurtosis of non-missing ``v``; NaN if n < 4."""
    v = v[~np.isnan(v)]
    n = v.size
    if n < 4:
        return np.nan
    dev = v - v.mean()
    m2 = np.sum(dev**2)
    if m2 == 0:
        return np.nan
    r = n * np.sum(dev**4) / m2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def skew_kurt(x) -> tuple[np.ndarray, np.ndarray]:
    """Sample skewness and excess kurtosis per indicator, as COINr computes them.

    COINr's ``skew()`` and ``kurt()`` (``R/treat.R``) use the definitions of
    ``e1071::skewness(type = 2)`` and ``e1071::kurtosis(type = 2)``, which equal Excel's
    ``SKEW`` and ``KURT``::

        G1 = sqrt(n) * sum(d^3) / sum(d^2)^1.5 * sqrt(n (n - 1)) / (n - 2)
        G2 = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) (n - 3)),  r = n sum(d^4) / sum(d^2)^2

    with ``d = x - mean(x)`` over the non-missing values. Skewness needs at least 3
    values and kurtosis 4, otherwise NaN (as COINr >= 1.0); a column without spread
    also gives NaN.

    Parameters
    ----------
    x
        Array ``(n_units, n_ind)``.

    Returns
    -------
    skew, kurt : ndarray
        Each of shape ``(n_ind,)``.

    References
    ----------
    COINr ``skew()``, ``kurt()``, ``R/treat.R`` (bluefoxr/COINr). Joanes, D. N. and
    Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis. *Journal
    of the Royal Statistical Society D*, 47(1), 183-189.

    Examples
    --------
    >>> s, k = skew_kurt([[1.0], [2.0], [3.0], [10.0]])
    >>> round(float(s[0]), 4), round(float(k[0]), 4)
    (1.7636, 3.228)
    """
    x = _matrix(x, "skew_kurt")
    skews = np.array([_skew(x[:, j]) for j in range(x.shape[1])])
    kurts = np.array([_kurt(x[:, j]) for j in range(x.shape[1])])
    return skews, kurts


# --------------------------------------------------------------------------- winsorise


@dataclass(frozen=True)
class WinsorisationRecord:
    """Outlier treatment of one indicator column by :func:`winsorise`.

    Attributes
    ----------
    column
        Column index in ``x``.
    skew_before, kurt_before
        Skewness and kurtosis of the original column (NaN if not computable).
    skew_after, kurt_after
        The same for the returned column.
    n_winsorised
        Number of points winsorised in the returned column (0 if untreated or if the
        log transform replaced the winsorisation).
    positions
        Row indices of those points.
    original_values
        Their original values, in the order of ``positions``.
    log_applied
        Whether the column was log-transformed because winsorisation up to
        ``max_points`` did not bring it within the limits.
    passed
        Whether the returned column meets the limits (``None`` when skewness or
        kurtosis cannot be computed; such columns are left untreated).
    """

    column: int
    skew_before: float
    kurt_before: float
    skew_after: float
    kurt_after: float
    n_winsorised: int
    positions: tuple[int, ...]
    original_values: tuple[float, ...]
    log_applied: bool
    passed: bool | None

    @property
    def treated(self) -> bool:
        """Whether the column was changed at all."""
        return self.n_winsorised > 0 or self.log_applied


def _passes(v, skew_max, kurt_max):
    """COINr ``check_SkewKurt``: pass if ``|skew| < skew_max`` or ``kurt < kurt_max``."""
    s, k = _skew(v), _kurt(v)
    if np.isnan(s) or np.isnan(k):
        return None, s, k
    return bool(abs(s) < skew_max or k < kurt_max), s, k


def _log_ct_plus(v: np.ndarray) -> np.ndarray:
    """COINr ``log_CT_plus``: skew-aware "COIN Tool" log transform."""
    vmin, vmax = np.nanmin(v), np.nanmax(v)
    a = 0.01 * (vmax - vmin)
    if _skew(v) > 0:
        return np.log(v - vmin + a)
    return -np.log(vmax + a - v)


def winsorise(x, *, skew_max=2.0, kurt_max=3.5, max_points=5, fallback="log"):
    """Treat outliers column by column: winsorise, then log-transform if still needed.

    This follows COINr's default ``Treat()`` (``R/treat.R``):

    1. A column *fails* when ``|skew| >= skew_max`` **and** ``kurt >= kurt_max``
       (COINr ``check_SkewKurt``; skewness and kurtosis as in :func:`skew_kurt`).
    2. While it fails and fewer than ``max_points`` points have been winsorised: if
       skew >= 0 the points at the maximum are set to the next-highest value,
       otherwise the points at the minimum to the next-lowest value (COINr
       ``winsorise``). Points already winsorised move along with the new extreme, and
       ties are winsorised together, so the count can exceed ``max_points`` by ties.
    3. If it still fails and ``fallback="log"``, the winsorisation is discarded and the
       *original* column is log-transformed (COINr ``combine_treat = FALSE``) with
       COINr's skew-aware ``log_CT_plus``: with ``a = 0.01 * (max - min)``,
       ``log(x - min + a)`` for positive skew and ``-log(max + a - x)`` for negative
       skew (which keeps the order of the values). With ``fallback=None`` the
       winsorised column is kept.

    Columns with fewer than 4 non-missing values or without spread cannot be checked
    and are left untreated (``passed=None``), as in COINr.

    Parameters
    ----------
    x
        Array ``(n_units, n_ind)``.
    skew_max, kurt_max
        Limits for absolute skewness and kurtosis (COINr defaults 2 and 3.5).
    max_points
        Maximum number of points to winsorise per column (COINr ``winmax``).
    fallback
        ``"log"`` or ``None``.

    Returns
    -------
    values : ndarray
        Treated copy of ``x``.
    records : list of WinsorisationRecord
        One per column.

    References
    ----------
    COINr ``Treat()``, ``winsorise()``, ``check_SkewKurt()``, ``log_CT_plus()``,
    ``R/treat.R`` (bluefoxr/COINr). OECD/JRC (2008), *Handbook on Constructing
    Composite Indicators*, section 3 (outliers).

    Examples
    --------
    >>> col = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 100]
    >>> vals, recs = winsorise([[v] for v in col])
    >>> float(vals[15, 0]), recs[0].n_winsorised, recs[0].positions, recs[0].log_applied
    (15.0, 1, (15,), False)
    """
    who = "winsorise"
    x = _matrix(x, who)
    for name, val in (("skew_max", skew_max), ("kurt_max", kurt_max)):
        if not isinstance(val, numbers.Real) or not np.isfinite(val):
            raise ValueError(f"{who}: {name} must be a finite number; got {val!r}")
    if not isinstance(max_points, numbers.Integral) or max_points < 0:
        raise ValueError(f"{who}: max_points must be a non-negative integer; got {max_points!r}")
    if fallback not in ("log", None):
        raise ValueError(f"{who}: fallback must be 'log' or None; got {fallback!r}")

    out = x.copy()
    records = []
    for j in range(x.shape[1]):
        orig = x[:, j]
        passed, s0, k0 = _passes(orig, skew_max, kurt_max)
        v = orig.copy()
        hi_pos: np.ndarray = np.array([], dtype=int)
        lo_pos: np.ndarray = np.array([], dtype=int)
        log_applied = False
        if passed is False:
            while passed is False and hi_pos.size + lo_pos.size < max_points:
                present = ~np.isnan(v)
                if _skew(v) >= 0:
                    ext = np.nanmax(v)
                    at = np.flatnonzero(v == ext)
                    rest = v[present & (v != ext)]
                    if rest.size == 0:
                        break
                    v[at] = rest.max()
                    hi_pos = at
                else:
                    ext = np.nanmin(v)
                    at = np.flatnonzero(v == ext)
                    rest = v[present & (v != ext)]
                    if rest.size == 0:
                        break
                    v[at] = rest.min()
                    lo_pos = at
                passed, _, _ = _passes(v, skew_max, kurt_max)
            if passed is False and fallback == "log":
                v = _log_ct_plus(orig)
                log_applied = True
                hi_pos = lo_pos = np.array([], dtype=int)
                passed, _, _ = _passes(v, skew_max, kurt_max)
        positions = tuple(sorted(set(hi_pos.tolist()) | set(lo_pos.tolist())))
        _, s1, k1 = _passes(v, skew_max, kurt_max)
        out[:, j] = v
        records.append(
            WinsorisationRecord(
                column=j,
                skew_before=s0,
                kurt_before=k0,
                skew_after=s1,
                kurt_after=k1,
                n_winsorised=len(positions),
                positions=positions,
                original_values=tuple(float(orig[p]) for p in positions),
                log_applied=log_applied,
                passed=passed,
            )
        )
    return out, records
