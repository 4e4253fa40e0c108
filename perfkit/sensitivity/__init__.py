"""Weighting sensitivity and uncertainty analysis, batched.

Declare the uncertain inputs (factors), then ask:

* :func:`uncertainty` — per unit the rank interval, the probability of each grade, the
  borderline units, the mean absolute rank shift;
* :func:`sobol` / :func:`morris` — which factor matters most (SALib, quasi-random
  Sobol' sampling, factor groups);
* :func:`stability_margin` — the smallest change of the top-level weights that changes a
  unit's grade or swaps it with a neighbour (linear programming);
* :func:`verify` — the batched engine against full :func:`perfkit.evaluate` runs.

Replicates are evaluated as array operations on the evaluation's compiled form
(:attr:`perfkit.Evaluation.compiled`, :mod:`perfkit.sensitivity.batch`), in memory-bounded
chunks, on threads (``n_jobs``) or as tasks on a Dask cluster (``executor="dask"``,
optionally ``scheduler=`` an address or a ``distributed.Client``), with identical results.

Example::

    import perfkit, perfkit.sensitivity as ps
    ev = perfkit.evaluate(scheme, data)
    factors = [ps.WeightNoise(0.2, level=1), ps.Normalisation(["minmax", "percentile_rank"])]
    ua = ps.uncertainty(ev, factors, n=10_000, rng=1)
    ua.to_frame(); ua.borderline; ua.rank_chart()
"""
from perfkit.sensitivity.batch import BatchOutput, run_design
from perfkit.sensitivity.compile import CompiledScheme, compile_scheme
from perfkit.sensitivity.factors import (
    Aggregation,
    DirichletWeights,
    Factor,
    FactorError,
    GradeQuota,
    LeaveOneOut,
    MeasurementError,
    Normalisation,
    Points,
    RuleParameter,
    SurveyBootstrap,
    Weight,
    WeightingMethods,
    WeightNoise,
    factor_table,
    factors_from_spec,
)
from perfkit.sensitivity.margin import stability_margin
from perfkit.sensitivity.results import (
    MarginResult,
    MorrisResult,
    SobolResult,
    UncertaintyResult,
)
from perfkit.sensitivity.sobol import morris, sobol, sobol_function
from perfkit.sensitivity.uncertainty import uncertainty
from perfkit.sensitivity.variant import VerificationResult, replicate_variant, verify

__all__ = [
    # analyses
    "uncertainty", "sobol", "morris", "sobol_function", "stability_margin", "verify",
    # factors
    "Factor", "FactorError", "WeightNoise", "DirichletWeights", "WeightingMethods", "Normalisation", "Aggregation",
    "RuleParameter", "Points", "Weight", "SurveyBootstrap", "MeasurementError", "LeaveOneOut", "GradeQuota",
    "factor_table", "factors_from_spec",
    # results
    "UncertaintyResult", "SobolResult", "MorrisResult", "MarginResult", "VerificationResult",
    # engine
    "CompiledScheme", "compile_scheme", "BatchOutput", "run_design", "replicate_variant",
]
