"""Expert points allocation (专家打分法), Kendall's W and Delphi rounds (德尔菲法)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._common import WEIGHTS, WeightingError, as_names, check_choice, n_columns, note
from .result import WeightResult, make_result

__all__ = ["DelphiResult", "KendallW", "delphi", "delphi_weights", "expert_weights", "kendall_w"]


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance.

    Attributes
    ----------
    w
        W in [0, 1] (1 = the raters rank the items identically), tie-corrected.
    chi2, df, p_value
        ``chi2 = m (n - 1) W`` on ``n - 1`` degrees of freedom (large-sample test of
        "no agreement"; rough for few items).
    m, n
        Number of raters and of items.
    """

    w: float
    chi2: float
    df: int
    p_value: float
    m: int
    n: int


def kendall_w(ratings: Any) -> KendallW:
    """Kendall's W of ``ratings`` (raters x items), with the correction for ties.

    Each rater's scores are ranked across the items (average ranks for ties); then
    ``W = 12 S / (m^2 (n^3 - n) - m sum_k T_k)`` with ``S`` the sum of squared
    deviations of the rank sums and ``T_k = sum (t^3 - t)`` over rater ``k``'s tie groups.

    References
    ----------
    .. [1] Kendall, M. G., Babington Smith, B. (1939). The problem of m rankings. Annals
       of Mathematical Statistics 10(3), 275-287.
    .. [2] Siegel, S., Castellan, N. J. (1988). Nonparametric Statistics for the
       Behavioral Sciences, 2nd ed., section 9.4.

    Examples
    --------
    >>> kendall_w([[1, 2, 3], [1, 2, 3], [1, 2, 3]]).w
    1.0
    >>> kendall_w([[1, 2, 3], [3, 2, 1]]).w
    0.0
    """
    R = np.array(ratings, dtype=float)
    if R.ndim != 2 or R.shape[0] < 1 or R.shape[1] < 2:
        raise WeightingError(f"Kendall's W needs a raters x items matrix with at least 2 items; got shape {R.shape}")
    if not np.isfinite(R).all():
        raise WeightingError("Kendall's W: ratings contain missing or non-finite values")
    m, n = R.shape
    ranks = np.apply_along_axis(stats.rankdata, 1, R)
    rank_sums = ranks.sum(axis=0)
    S = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    T = 0.0
    for row in R:
        _, counts = np.unique(row, return_counts=True)
        T += float((counts**3 - counts).sum())
    denom = m**2 * (n**3 - n) - m * T
    w = 12.0 * S / denom if denom > 0 else float("nan")
    df = n - 1
    chi2 = m * df * w
    p = float(stats.chi2.sf(chi2, df)) if np.isfinite(chi2) else float("nan")
    return KendallW(w=float(w), chi2=float(chi2), df=df, p_value=p, m=m, n=n)


def _shares(allocations: Any, budget: float | None, m: int | None) -> np.ndarray:
    A = np.array(allocations, dtype=float)
    if A.ndim == 1:
        A = A[None, :]
    if A.ndim != 2 or A.size == 0:
        raise WeightingError(f"allocations must be an experts x indicators table; got shape {A.shape}")
    if not np.isfinite(A).all() or (A < 0).any():
        raise WeightingError("allocations must be finite, non-negative points")
    if m is not None and A.shape[1] != m:
        raise WeightingError(f"allocations have {A.shape[1]} columns but there are {m} indicators")
    totals = A.sum(axis=1)
    for k, t in enumerate(totals):
        if t <= 0:
            raise WeightingError(f"expert {k + 1} allocated no points")
        if budget is not None and abs(t - budget) > 1e-6 * max(1.0, abs(budget)):
            raise WeightingError(
                f"expert {k + 1} allocated {t:g} points; the budget is {budget:g}",
                hint="ask the expert to re-allocate, or drop budget= to rescale each expert's points",
            )
    return A / totals[:, None]


def _aggregate(S: np.ndarray, aggregate: str) -> tuple[np.ndarray, dict[str, Any]]:
    k = S.shape[0]
    mean = S.mean(axis=0)
    median = np.median(S, axis=0)
    std = S.std(axis=0, ddof=1) if k > 1 else np.zeros(S.shape[1])
    q75, q25 = np.percentile(S, [75, 25], axis=0)
    cv = np.divide(std, mean, out=np.zeros_like(std), where=mean > 0)
    raw = mean if aggregate == "mean" else median
    if raw.sum() <= 0:
        raise WeightingError("expert weights: the aggregated allocations are all zero")
    diag: dict[str, Any] = {
        "mean": mean, "median": median, "std": std, "iqr": q75 - q25, "cv": cv, "n_experts": k,
    }
    if k > 1:
        kw = kendall_w(S)
        diag.update({"kendall_w": kw.w, "kendall_chi2": kw.chi2, "kendall_p": kw.p_value})
    return raw / raw.sum(), diag


_PER_IND = ("mean", "median", "std", "iqr", "cv")


@WEIGHTS.register("expert", kind="subjective", needs_data=False)
def expert_weights(
    X: Any = None,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    allocations: Any,
    aggregate: str = "mean",
    budget: float | None = None,
) -> WeightResult:
    """Weights from experts' points (budget) allocation, with their agreement.

    Each expert's row of points is turned into shares (divided by the row total); the
    shares are aggregated across experts by ``"mean"`` or ``"median"`` and rescaled to
    sum to one. With ``budget`` (for example 100), every expert must have allocated
    exactly that many points.

    Returns
    -------
    WeightResult
        Per indicator: ``mean``, ``median``, ``std``, ``iqr``, ``cv`` of the experts'
        shares; scalars: ``kendall_w`` (tie-corrected), ``kendall_chi2``,
        ``kendall_p`` and ``n_experts``.

    Examples
    --------
    >>> r = expert_weights(allocations=[[50, 30, 20], [40, 40, 20], [60, 20, 20]], budget=100)
    >>> r.weights.round(4).tolist(), round(r.diagnostics["kendall_w"], 4)
    ([0.5, 0.3, 0.2], 0.8333)
    """
    check_choice("aggregate", aggregate, ("mean", "median"))
    if budget is not None:
        budget = float(budget)
        if not budget > 0:
            raise WeightingError(f"budget must be positive; got {budget:g}")
    S = _shares(allocations, budget, n_columns(X))
    names = as_names(names, S.shape[1])
    w, diag = _aggregate(S, aggregate)
    params = {"allocations": np.array(allocations, dtype=float).tolist(), "aggregate": aggregate, "budget": budget}
    return make_result(w, "expert", params, names, diag, (), _PER_IND)


@dataclass(frozen=True)
class DelphiResult:
    """Delphi rounds: the weights of each round and how they converge.

    Attributes
    ----------
    rounds
        One :class:`WeightResult` (method ``"expert"``) per round.
    max_change
        The stability criterion: a round has converged when no indicator's weight
        moved by more than this since the previous round.
    min_agreement
        Optional agreement criterion: Kendall's W must also reach it.
    """

    rounds: tuple[WeightResult, ...]
    max_change: float
    min_agreement: float | None = None

    @property
    def final(self) -> WeightResult:
        """The last round's weights."""
        return self.rounds[-1]

    def changes(self) -> list[float]:
        """Largest absolute weight change from the previous round (NaN for round 1)."""
        out = [float("nan")]
        for a, b in zip(self.rounds, self.rounds[1:]):
            out.append(float(np.max(np.abs(b.weights - a.weights))))
        return out

    def converged_rounds(self) -> list[bool]:
        flags = []
        for r, ch in zip(self.rounds, self.changes()):
            ok = bool(np.isfinite(ch) and ch <= self.max_change + 1e-12)
            if self.min_agreement is not None:
                ok = ok and r.diagnostics.get("kendall_w", 0.0) >= self.min_agreement
            flags.append(ok)
        return flags

    @property
    def converged(self) -> bool:
        """Whether the last round meets the convergence criteria."""
        return self.converged_rounds()[-1]

    def to_frame(self):
        """Convergence report: one row per round."""

        rows = []
        for k, (r, ch, ok) in enumerate(zip(self.rounds, self.changes(), self.converged_rounds()), start=1):
            d = r.diagnostics
            rows.append(
                {
                    "round": k,
                    "n_experts": d["n_experts"],
                    "kendall_w": d.get("kendall_w", np.nan),
                    "kendall_p": d.get("kendall_p", np.nan),
                    "mean_cv": float(np.mean(d["cv"])),
                    "max_iqr": float(np.max(d["iqr"])),
                    "max_change": ch,
                    "converged": ok,
                }
            )
        return pd.DataFrame(rows).set_index("round")

    def indicator_frame(self):
        """Long table: round x indicator with weight, IQR, CV and change."""

        frames = []
        prev = None
        for k, r in enumerate(self.rounds, start=1):
            f = r.to_frame()[["weight", "iqr", "cv"]].copy()
            f["change"] = np.nan if prev is None else r.weights - prev
            f.insert(0, "round", k)
            frames.append(f.reset_index())
            prev = r.weights
        return pd.concat(frames, ignore_index=True).set_index(["round", "indicator"])

    def _repr_html_(self) -> str:
        return (
            "<div><p><strong>德尔菲法 · Delphi convergence</strong></p>"
            + self.to_frame().to_html(float_format=lambda x: f"{x:.4f}")
            + "</div>"
        )


def delphi(
    rounds: Sequence[Any],
    *,
    names: Sequence[str] | None = None,
    aggregate: str = "mean",
    budget: float | None = None,
    max_change: float = 0.02,
    min_agreement: float | None = None,
) -> DelphiResult:
    """Weights and convergence over several Delphi rounds.

    ``rounds`` is a list of allocation tables (experts x indicators), one per round;
    the panel may change size between rounds. Each round is aggregated as in
    :func:`expert_weights`.

    Examples
    --------
    >>> r1 = [[50, 30, 20], [20, 40, 40], [60, 20, 20]]
    >>> r2 = [[45, 35, 20], [40, 35, 25], [50, 30, 20]]
    >>> d = delphi([r1, r2], budget=100, max_change=0.05)
    >>> d.to_frame()[["kendall_w", "max_change", "converged"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
           kendall_w  max_change  converged
    round
    1         0.1333         NaN      False
    2         1.0000        0.05       True
    """
    if isinstance(rounds, (str, bytes)) or not isinstance(rounds, Sequence) or len(rounds) == 0:
        raise WeightingError("Delphi needs a non-empty list of rounds (each an experts x indicators table)")
    max_change = float(max_change)
    if not max_change >= 0:
        raise WeightingError(f"max_change must be non-negative; got {max_change:g}")
    if min_agreement is not None and not 0 <= float(min_agreement) <= 1:
        raise WeightingError(f"min_agreement must be between 0 and 1; got {min_agreement!r}")
    results = []
    m = None
    for k, alloc in enumerate(rounds, start=1):
        try:
            r = expert_weights(allocations=alloc, names=names, aggregate=aggregate, budget=budget)
        except WeightingError as exc:
            raise WeightingError(f"Delphi round {k}: {exc.message}", hint=exc.hint) from None
        if m is not None and r.weights.size != m:
            raise WeightingError(f"Delphi round {k} has {r.weights.size} indicators; round 1 has {m}")
        m = r.weights.size
        results.append(r)
    return DelphiResult(tuple(results), max_change, None if min_agreement is None else float(min_agreement))


@WEIGHTS.register("delphi", kind="subjective", needs_data=False)
def delphi_weights(
    X: Any = None,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    rounds: Sequence[Any],
    aggregate: str = "mean",
    budget: float | None = None,
    max_change: float = 0.02,
    min_agreement: float | None = None,
) -> WeightResult:
    """The final round's weights of a Delphi process, with the convergence summary.

    The registry form of :func:`delphi`; a warning says when the last round has not
    converged.

    Examples
    --------
    >>> r = delphi_weights(rounds=[[[60, 40], [40, 60]], [[50, 50], [52, 48]]])
    >>> r.weights.round(3).tolist(), r.diagnostics["converged"]
    ([0.51, 0.49], True)
    """
    m = n_columns(X)
    d = delphi(rounds, names=names, aggregate=aggregate, budget=budget, max_change=max_change,
               min_agreement=min_agreement)
    final = d.final
    if m is not None and m != final.weights.size:
        raise WeightingError(f"Delphi allocations have {final.weights.size} indicators but there are {m}")
    messages: list[str] = []
    if not d.converged:
        note(messages, f"Delphi: the last round (round {len(d.rounds)}) has not converged "
                       f"(max change {d.changes()[-1]:.4g} > {max_change:g} or agreement too low)")
    diag = dict(final.diagnostics)
    diag.update(
        {
            "n_rounds": len(d.rounds),
            "converged": d.converged,
            "max_change_per_round": d.changes(),
            "kendall_w_per_round": [r.diagnostics.get("kendall_w", float("nan")) for r in d.rounds],
        }
    )
    params = {"rounds": [r.params["allocations"] for r in d.rounds], "aggregate": aggregate, "budget": budget,
              "max_change": max_change, "min_agreement": min_agreement}
    return make_result(final.weights, "delphi", params, final.names, diag, messages, _PER_IND)
