"""Pure-numpy kernels: normalisation, scoring rules, aggregation, treatment, ranking.

Kernels work on arrays only (no pandas, no files). Matrices are
``(..., n_units, n_ind)`` with optional leading batch axes; NaN means missing.
Methods are looked up by name in the registries (:data:`NORMALISE`, :data:`RULES`,
:data:`AGGREGATE`) when a scheme is built; the outranking aggregations
(:mod:`perfkit.kernels.outranking`) register themselves in :data:`AGGREGATE` on import.
"""
from perfkit.kernels.aggregate import (
    AGGREGATE,
    arithmetic,
    geometric,
    harmonic,
    mazziotta_pareto,
    topsis,
)
from perfkit.kernels.normalise import (
    NORMALISE,
    ConstantColumnWarning,
    TargetReachedWarning,
    above_below_mean,
    categorical,
    cyclical,
    difference_from_best,
    difference_from_mean,
    difference_from_worst,
    distance_to_best,
    distance_to_target,
    goalposts,
    identity,
    minmax,
    output_range,
    percentile_rank,
    rank,
    ratio_to_max,
    ratio_to_mean,
    ratio_to_worst,
    zscore,
)
from perfkit.kernels.outranking import (
    HeuristicRankingWarning,
    KemenyRanking,
    copeland,
    kemeny,
    kemeny_ranking,
    outranking_matrix,
)
from perfkit.kernels.rank import TIES, rank_desc
from perfkit.kernels.registry import Method, Registry
from perfkit.kernels.rules import (
    RULES,
    banded,
    binary,
    completion,
    completion_lower,
    deduction,
    grade_map,
    linear,
    max_share,
    rank_within,
)
from perfkit.kernels.treat import (
    DenominationRecord,
    WinsorisationRecord,
    availability,
    denominate,
    impute,
    screen,
    skew_kurt,
    winsorise,
)

__all__ = [
    # registries
    "Method",
    "Registry",
    "NORMALISE",
    "RULES",
    "AGGREGATE",
    # normalise
    "ConstantColumnWarning",
    "TargetReachedWarning",
    "output_range",
    "minmax",
    "zscore",
    "rank",
    "percentile_rank",
    "goalposts",
    "distance_to_target",
    "distance_to_best",
    "ratio_to_max",
    "ratio_to_mean",
    "ratio_to_worst",
    "difference_from_mean",
    "difference_from_best",
    "difference_from_worst",
    "above_below_mean",
    "categorical",
    "cyclical",
    "identity",
    # rules
    "max_share",
    "completion",
    "completion_lower",
    "linear",
    "banded",
    "deduction",
    "grade_map",
    "binary",
    "rank_within",
    # aggregate
    "arithmetic",
    "geometric",
    "harmonic",
    "mazziotta_pareto",
    "topsis",
    # outranking (non-compensatory aggregation)
    "copeland",
    "kemeny",
    "kemeny_ranking",
    "outranking_matrix",
    "KemenyRanking",
    "HeuristicRankingWarning",
    # treat
    "DenominationRecord",
    "WinsorisationRecord",
    "denominate",
    "impute",
    "availability",
    "screen",
    "skew_kurt",
    "winsorise",
    # rank
    "TIES",
    "rank_desc",
]
