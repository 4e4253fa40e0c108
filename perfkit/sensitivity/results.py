"""Frozen result objects of the sensitivity analyses, with ``.to_frame()``, charts and
``_repr_html_`` (every result lists the factors varied, the seed and the replicates)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfkit.errors import UnknownNameError, did_you_mean
from perfkit.results import html_head as _head
from perfkit.results import html_table as _fmt

__all__ = ["UncertaintyResult", "SobolResult", "MorrisResult", "MarginResult"]


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """How ranks and grades move when the declared factors vary.

    Attributes
    ----------
    units
        One row per unit: category, nominal score and rank, median rank, rank interval
        (``rank_lo``, ``rank_hi`` = the ``quantiles``), score interval, nominal grade,
        the probability of the nominal grade, mean absolute rank shift of the unit and
        ``borderline``.
    grade_probabilities
        Units x grades: the share of replicates giving each grade.
    borderline
        Units whose nominal grade has probability below ``threshold``.
    mean_abs_rank_shift
        Mean over replicates and units of ``|rank - nominal rank|``.
    rank_shift
        Per replicate, the mean absolute rank shift over units.
    final, rank, grade
        The replicates: ``(n, n_units)`` final scores, ranks, grade codes (positions in
        ``grade_names``; -1 = none).
    factors
        The factors varied (name, kind, inputs, what).
    n, seed, entropy, sampling
        Replicates, the seed given (``None`` if a Generator or nothing), the entropy drawn
        from it (keys the random realisations), ``"sobol"`` or ``"random"``.
    """

    units: pd.DataFrame
    grade_probabilities: pd.DataFrame
    borderline: tuple[str, ...]
    threshold: float
    quantiles: tuple[float, float]
    mean_abs_rank_shift: float
    rank_shift: np.ndarray = field(repr=False)
    final: np.ndarray = field(repr=False)
    rank: np.ndarray = field(repr=False)
    grade: np.ndarray = field(repr=False)
    grade_names: tuple[str, ...] = ()
    factors: pd.DataFrame = field(default_factory=pd.DataFrame)
    n: int = 0
    seed: int | None = None
    entropy: int = 0
    sampling: str = "sobol"
    seconds: float = 0.0

    def to_frame(self) -> pd.DataFrame:
        """The per-unit table (see ``units``)."""
        return self.units.copy()

    def rank_chart(self, lang: str = "en"):
        """Caterpillar plot: each unit's rank interval, median and nominal rank."""
        from perfkit.charts.sensitivity import rank_interval_chart  # deferred: Altair loads only when a chart is asked for

        return rank_interval_chart(self, lang=lang)

    def grade_chart(self, lang: str = "en", *, only_uncertain: bool = False):
        """Stacked bars of each unit's grade probabilities."""
        from perfkit.charts.sensitivity import grade_probability_chart  # deferred: Altair loads only when a chart is asked for

        return grade_probability_chart(self, lang=lang, only_uncertain=only_uncertain)

    def __repr__(self) -> str:
        return (f"UncertaintyResult(n={self.n}, units={len(self.units)}, factors={list(self.factors['factor'])}, "
                f"mean_abs_rank_shift={self.mean_abs_rank_shift:.3f}, borderline={len(self.borderline)}, "
                f"seed={self.seed})")

    def _repr_html_(self) -> str:
        head = _head("Uncertainty analysis", {"replicates": self.n, "seed": self.seed, "sampling": self.sampling,
                                              "mean |rank shift|": f"{self.mean_abs_rank_shift:.3f}",
                                              "borderline": len(self.borderline)})
        return head + _fmt(self.factors) + _fmt(self.units.sort_values(["category", "nominal_rank"]))


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol' first-order (``S1``) and total (``ST``) indices with bootstrap confidence
    half-widths, per output and factor (group).

    Attributes
    ----------
    indices
        Long table: ``output`` (``"mean_abs_rank_shift"`` or a unit id), ``factor``,
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, ``variance`` of the output. Indices are NaN
        for an output that never varies.
    factors
        The factors varied; ``groups`` maps each analysed group to its factors.
    n_base, n_evaluations
        SALib's base sample size ``N`` and the model runs ``N (G + 2)``.
    """

    indices: pd.DataFrame
    factors: pd.DataFrame
    groups: dict[str, tuple[str, ...]]
    n_base: int
    n_evaluations: int
    seed: int | None = None
    entropy: int = 0
    conf_level: float = 0.95
    seconds: float = 0.0

    def to_frame(self) -> pd.DataFrame:
        return self.indices.copy()

    def for_output(self, output: str = "mean_abs_rank_shift") -> pd.DataFrame:
        """Indices of one output, one row per factor (group)."""

        outs = list(pd.unique(self.indices["output"]))
        if output not in outs:
            raise UnknownNameError(f"no output {output!r}{did_you_mean(output, outs)}")
        return self.indices[self.indices["output"] == output].set_index("factor").drop(columns="output")

    def chart(self, output: str = "mean_abs_rank_shift", lang: str = "en"):
        from perfkit.charts.sensitivity import sobol_chart  # deferred: Altair loads only when a chart is asked for

        return sobol_chart(self, output=output, lang=lang)

    def __repr__(self) -> str:
        return (f"SobolResult(groups={list(self.groups)}, n_base={self.n_base}, n_evaluations={self.n_evaluations}, "
                f"seed={self.seed})")

    def _repr_html_(self) -> str:
        head = _head("Sobol' sensitivity indices", {"N": self.n_base, "runs": self.n_evaluations,
                                                      "seed": self.seed})
        return head + _fmt(self.factors) + _fmt(self.for_output(self.indices["output"].iloc[0]))


@dataclass(frozen=True, eq=False)
class MorrisResult:
    """Morris elementary effects per output and factor (group): ``mu_star`` (mean
    absolute effect, the screening measure), its confidence half-width, ``mu`` and
    ``sigma`` (NaN for groups, as SALib reports)."""

    indices: pd.DataFrame
    factors: pd.DataFrame
    groups: dict[str, tuple[str, ...]]
    trajectories: int
    n_evaluations: int
    num_levels: int
    seed: int | None = None
    entropy: int = 0
    seconds: float = 0.0

    def to_frame(self) -> pd.DataFrame:
        return self.indices.copy()

    def for_output(self, output: str = "mean_abs_rank_shift") -> pd.DataFrame:
        return self.indices[self.indices["output"] == output].set_index("factor").drop(columns="output")

    def __repr__(self) -> str:
        return (f"MorrisResult(groups={list(self.groups)}, trajectories={self.trajectories}, "
                f"n_evaluations={self.n_evaluations}, seed={self.seed})")

    def _repr_html_(self) -> str:
        head = _head("Morris screening", {"trajectories": self.trajectories, "runs": self.n_evaluations,
                                          "seed": self.seed})
        return head + _fmt(self.factors) + _fmt(self.for_output(self.indices["output"].iloc[0]))


@dataclass(frozen=True, eq=False)
class MarginResult:
    """Stability margins: per unit, the smallest L1 change of the top-level weights (within
    their allowed ranges) that changes its grade, and that swaps it with an adjacent unit.

    Attributes
    ----------
    units
        One row per unit: nominal score, rank and grade; ``grade_margin`` with the event
        (``grade_event``), the new grade and the other unit involved; ``rank_margin`` with
        the adjacent unit (``swap_with``); ``inf`` when no change is possible within the
        ranges, NaN when not computable (see ``note``).
    weights
        The top-level weights (nominal, low, high), in the units margins are measured in
        (points for points schemes, shares summing to 1 for composite schemes).
    node
        The node whose children's weights vary (the root).
    solutions
        Per unit and event kind, the weights reaching the change.
    """

    units: pd.DataFrame
    weights: pd.DataFrame
    node: str
    total: float
    solutions: dict[tuple[str, str], pd.Series] = field(default_factory=dict, repr=False)
    n_lp: int = 0
    seconds: float = 0.0

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def chart(self, lang: str = "en"):
        from perfkit.charts.sensitivity import margin_chart  # deferred: Altair loads only when a chart is asked for

        return margin_chart(self, lang=lang)

    def table_chart(self, lang: str = "en"):
        from perfkit.charts.sensitivity import margin_table_chart  # deferred: Altair loads only when a chart is asked for

        return margin_table_chart(self, lang=lang)

    def __repr__(self) -> str:
        m = self.units["grade_margin"]
        return (f"MarginResult(node={self.node!r}, units={len(self.units)}, min_grade_margin={m.min():.4g}, "
                f"lps={self.n_lp})")

    def _repr_html_(self) -> str:
        head = _head("Stability margins", {"node": self.node, "total": self.total, "LPs": self.n_lp})
        return head + _fmt(self.weights) + _fmt(self.units.sort_values("grade_margin"), rows=60)
