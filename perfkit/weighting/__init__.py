"""Weighting methods (赋权): subjective, objective, combined, and their comparison.

Every method returns a :class:`WeightResult` (weights summing to one, the method, its
parameters, diagnostics and warnings, ``.to_frame()``). The data-driven methods share one
signature, ``method(X, *, direction=None, names=None, **params)``; the subjective ones
take their judgements as parameters and accept the same call (``X`` is then only used for
its number of columns). All are registered in :data:`WEIGHTS` under their scheme names:

========================  ==================  =========================================
name                      function            kind
========================  ==================  =========================================
``equal``                 equal_weights       subjective
``fixed``                 fixed_weights       subjective (given values)
``expert``                expert_weights      subjective (points allocation)
``delphi``                delphi_weights      subjective (several rounds)
``ahp``                   ahp_weights         subjective (one pairwise matrix)
``group_ahp``             group_ahp           subjective (several experts' matrices)
``ahp_hierarchy``         ahp_hierarchy       subjective (a tree of matrices)
``entropy``               entropy_weights     objective
``critic``                critic_weights      objective
``std``                   std_weights         objective
``cv``                    cv_weights          objective
``pca``                   pca_weights         objective
``bod``                   bod_weights         objective (DEA)
``combined``              combined_weights    subjective + objective
========================  ==================  =========================================

A scheme node asks for weights declaratively; the engine calls
:func:`weights_from_spec`.
"""
from __future__ import annotations

from ._common import WEIGHTS, WeightingError, WeightingWarning
from .ahp import (
    RI_TABLES,
    SAATY_SCALE,
    AHPResult,
    HierarchyResult,
    Judgement,
    Revision,
    ahp_hierarchy,
    ahp_weights,
    check_pairwise_matrix,
    consistency_ratio,
    diagnose_ahp,
    group_ahp,
    random_index,
)
from .combine import combine_weights, combined_weights, game_theory_coefficients
from .compare import ComparisonResult, compare_weightings
from .critic import critic_weights
from .dea import BoDResult, DEAResult, bod_weights, dea_ccr
from .dispersion import cv_weights, std_weights
from .entropy import entropy_weights
from .equal import equal_weights, fixed_weights
from .expert import DelphiResult, KendallW, delphi, delphi_weights, expert_weights, kendall_w
from .pca import bartlett_sphericity, factor_loading_weights, kmo, pca_weights, varimax
from .result import WeightResult
from .spec import check_weights_spec, parse_number, weights_from_spec

__all__ = [
    "AHPResult",
    "BoDResult",
    "ComparisonResult",
    "DEAResult",
    "DelphiResult",
    "HierarchyResult",
    "Judgement",
    "KendallW",
    "RI_TABLES",
    "Revision",
    "SAATY_SCALE",
    "WEIGHTS",
    "WeightResult",
    "WeightingError",
    "WeightingWarning",
    "ahp_hierarchy",
    "ahp_weights",
    "bartlett_sphericity",
    "bod_weights",
    "check_pairwise_matrix",
    "check_weights_spec",
    "combine_weights",
    "combined_weights",
    "compare_weightings",
    "consistency_ratio",
    "critic_weights",
    "cv_weights",
    "dea_ccr",
    "delphi",
    "delphi_weights",
    "diagnose_ahp",
    "entropy_weights",
    "equal_weights",
    "expert_weights",
    "factor_loading_weights",
    "fixed_weights",
    "game_theory_coefficients",
    "group_ahp",
    "kendall_w",
    "kmo",
    "parse_number",
    "pca_weights",
    "random_index",
    "std_weights",
    "varimax",
    "weights_from_spec",
]
