"""Sensitivity analysis: which factor matters most? Sobol' indices and Morris screening
through SALib, on the batched engine.

The factors' uniform inputs form SALib's problem; a factor with several inputs (the
weights of a level) is one SALib *group*, and factors can be grouped further
(``groups={"weights": ["weights L1", "weights L2"]}``). The outputs analysed are the mean
absolute rank shift against the nominal ranking and every unit's rank.

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. *Computer Physics Communications* 181, 259-270.
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
*Technometrics* 33(2), 161-174. Campolongo, F., Cariboni, J. and Saltelli, A. (2007). An
effective screening design for sensitivity analysis of large models. *Environmental
Modelling & Software* 22, 1509-1518.
Herman, J. and Usher, W. (2017). SALib: an open-source Python library for sensitivity
analysis. *Journal of Open Source Software* 2(9), 97.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from perfkit.engine.evaluation import Evaluation
from perfkit.errors import did_you_mean
from perfkit.results import as_rng, seed_of
from perfkit.sensitivity.batch import check_executor, run_design
from perfkit.sensitivity.compile import compile_scheme
from perfkit.sensitivity.factors import BoundFactor, Factor, FactorError, bind_factors, factor_table
from perfkit.sensitivity.results import MorrisResult, SobolResult
from perfkit.sensitivity.uncertainty import nominal_output, rank_shift

__all__ = ["sobol", "morris", "sobol_function", "salib_problem"]

MARS = "mean_abs_rank_shift"


def salib_problem(bound: Sequence[BoundFactor], groups: Mapping[str, Sequence[str]] | None = None) -> dict:
    """SALib problem dict: one variable per uniform input, grouped by factor (or by the
    user's ``groups`` of factor names)."""
    owner: dict[str, str] = {b.name: b.name for b in bound}
    if groups:
        names = [b.name for b in bound]
        seen: dict[str, str] = {}
        for g, members in groups.items():
            if isinstance(members, str):
                members = [members]
            for m in members:
                if m not in owner:
                    raise FactorError(f"group {g!r}: no factor {m!r}{did_you_mean(m, names)}",
                                      hint=f"factors: {', '.join(names)}")
                if m in seen:
                    raise FactorError(f"factor {m!r} is in two groups ({seen[m]!r} and {g!r})")
                seen[m] = g
                owner[m] = g
    var_names, var_groups = [], []
    for b in bound:
        for i in range(b.dims):
            var_names.append(f"{b.name}[{i}]" if b.dims > 1 else b.name)
            var_groups.append(owner[b.name])
    return {"num_vars": len(var_names), "names": var_names, "bounds": [[0.0, 1.0]] * len(var_names),
            "groups": var_groups}


def _group_members(problem: dict, bound: Sequence[BoundFactor]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    j = 0
    for b in bound:
        g = problem["groups"][j]
        out.setdefault(g, [])
        if b.name not in out[g]:
            out[g].append(b.name)
        j += b.dims
    return {g: tuple(m) for g, m in out.items()}


def _salib_seed(gen: np.random.Generator) -> int:
    # SALib treats seed 0 as "no seed" (``if seed:``): draw a positive one
    return int(gen.integers(1, 2**31 - 1))


def _sobol_indices(problem: dict, outputs: Mapping[str, np.ndarray], *, num_resamples: int, conf_level: float,
                   seed: int) -> pd.DataFrame:

    group_names = list(dict.fromkeys(problem["groups"]))
    rows = []
    for out_name, y in outputs.items():
        y = np.asarray(y, dtype=float)
        var = float(np.var(y)) if np.isfinite(y).all() else np.nan
        if not np.isfinite(y).all() or var <= 1e-12 * max(1.0, float(np.mean(y * y))):
            for g in group_names:
                rows.append({"output": out_name, "factor": g, "S1": np.nan, "S1_conf": np.nan, "ST": np.nan,
                             "ST_conf": np.nan, "variance": var})
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                                       conf_level=conf_level, seed=seed)
        for k, g in enumerate(group_names):
            rows.append({"output": out_name, "factor": g, "S1": float(si["S1"][k]),
                         "S1_conf": float(si["S1_conf"][k]), "ST": float(si["ST"][k]),
                         "ST_conf": float(si["ST_conf"][k]), "variance": var})
    return pd.DataFrame(rows, columns=["output", "factor", "S1", "S1_conf", "ST", "ST_conf", "variance"])


def _sobol_iv(n: int, num_resamples: int, conf_level: float) -> None:
    if not isinstance(n, (int, np.integer)) or n < 2 or n & (n - 1):
        raise ValueError(f"n (SALib's base sample N) must be a power of 2, at least 2 (got {n!r}); "
                         "Sobol' sequences keep their balance only at powers of 2")
    if num_resamples < 2:
        raise ValueError(f"num_resamples must be at least 2 (got {num_resamples})")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1) (got {conf_level})")


def _outputs(which: str | Sequence[str], units: Sequence[str], rank: np.ndarray, shifts: np.ndarray):
    if isinstance(which, str):
        which = [which]
    outs: dict[str, np.ndarray] = {}
    ulist = list(units)
    for w in which:
        if w == "all":
            outs[MARS] = shifts
            outs.update({u: rank[:, i] for i, u in enumerate(ulist)})
        elif w == MARS:
            outs[MARS] = shifts
        elif w == "units":
            outs.update({u: rank[:, i] for i, u in enumerate(ulist)})
        elif w in ulist:
            outs[w] = rank[:, ulist.index(w)]
        else:
            raise FactorError(f"unknown output {w!r}{did_you_mean(w, [MARS, 'all', 'units', *ulist])}",
                              hint=f"outputs: '{MARS}', 'units', 'all' or a unit id")
    return outs


def sobol(evaluation: Evaluation, factors: Sequence[Factor], *, n: int = 1024,
          groups: Mapping[str, Sequence[str]] | None = None, outputs: str | Sequence[str] = "all",
          rng: None | int | np.random.Generator = None, num_resamples: int = 100, conf_level: float = 0.95,
          chunk_size: int | None = None, n_jobs: int = 1, executor: str = "local", scheduler=None) -> SobolResult:
    """Sobol' first-order and total indices of each factor (group), with bootstrap
    confidence intervals, for the mean absolute rank shift and each unit's rank.

    Parameters
    ----------
    evaluation
        The nominal evaluation.
    factors
        The factors (:mod:`perfkit.sensitivity.factors`).
    n
        SALib's base sample ``N`` (a power of 2); the engine runs ``N (G + 2)`` replicates
        for ``G`` groups (Saltelli's scheme, no second-order indices).
    groups
        Optional ``{group name: [factor names]}``; other factors form their own groups.
    outputs
        ``"all"`` (default), ``"mean_abs_rank_shift"``, ``"units"`` or unit ids.
    rng
        Seed or Generator (samples and bootstrap resamples).
    num_resamples, conf_level
        Bootstrap of the indices' confidence intervals.
    chunk_size, n_jobs, executor, scheduler
        How the replicates run, as in :func:`~perfkit.sensitivity.uncertainty`
        (``executor="dask"``: chunks on a Dask cluster, identical indices for the same seed).

    Returns
    -------
    SobolResult
    """

    _sobol_iv(n, num_resamples, conf_level)
    check_executor(executor, scheduler, n_jobs)
    seed = seed_of(rng)
    gen = as_rng(rng)
    t0 = time.perf_counter()

    def sample(problem):
        if len(set(problem["groups"])) < 2 and problem["num_vars"] > 1:
            # SALib samples one group of several inputs as ungrouped inputs but analyses it as one group
            raise FactorError("Sobol' indices compare at least two factors (or groups): a single one explains "
                              "all the variance there is",
                              hint="add a factor, or use uncertainty() for the spread its variation causes")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=_salib_seed(gen))

    bound, problem, entropy, X, ys = _run_sample(evaluation, factors, groups, outputs, gen, sample,
                                                 chunk_size=chunk_size, n_jobs=n_jobs, executor=executor,
                                                 scheduler=scheduler)
    idx = _sobol_indices(problem, ys, num_resamples=num_resamples, conf_level=conf_level, seed=_salib_seed(gen))
    return SobolResult(indices=idx, factors=factor_table(bound), groups=_group_members(problem, bound),
                       n_base=int(n), n_evaluations=int(X.shape[0]), seed=seed, entropy=entropy,
                       conf_level=conf_level, seconds=time.perf_counter() - t0)


def _run_sample(evaluation: Evaluation, factors: Sequence[Factor], groups, outputs, gen: np.random.Generator,
                sample: Callable, *, chunk_size: int | None, n_jobs: int, executor: str = "local",
                scheduler=None):
    """Compile the scheme, bind the factors, draw the SALib design with ``sample(problem)``
    and evaluate it batched. Returns ``(bound, problem, entropy, X, ys)``: ``X`` is the
    design as SALib drew it (what its analyser expects), ``ys`` the outputs per name."""
    cs = compile_scheme(evaluation)
    bound = bind_factors(cs, factors)
    problem = salib_problem(bound, groups)
    entropy = int(gen.integers(2**62))
    X = sample(problem)
    unit_cube = np.clip(X, 0.0, np.nextafter(1.0, 0.0))  # factor maps take [0, 1)
    out = run_design(cs, bound, unit_cube, entropy=entropy, chunk_size=chunk_size, n_jobs=n_jobs, executor=executor,
                     scheduler=scheduler)
    shifts = rank_shift(out.rank, nominal_output(cs).rank[0])
    return bound, problem, entropy, X, _outputs(outputs, cs.units, out.rank.astype(float), shifts)


def morris(evaluation: Evaluation, factors: Sequence[Factor], *, trajectories: int = 20, num_levels: int = 4,
           groups: Mapping[str, Sequence[str]] | None = None, outputs: str | Sequence[str] = "all",
           rng: None | int | np.random.Generator = None, num_resamples: int = 100, conf_level: float = 0.95,
           chunk_size: int | None = None, n_jobs: int = 1, executor: str = "local", scheduler=None) -> MorrisResult:
    """Morris elementary-effects screening: the cheap first look, ``trajectories (G + 1)``
    replicates. ``mu_star`` ranks the factors (groups) by influence.

    References
    ----------
    Morris (1991); Campolongo, Cariboni and Saltelli (2007) (``mu_star``).
    """

    if trajectories < 2:
        raise ValueError(f"trajectories must be at least 2 (got {trajectories})")
    if num_levels < 2 or num_levels % 2:
        raise ValueError(f"num_levels must be an even number >= 2 (got {num_levels})")
    check_executor(executor, scheduler, n_jobs)
    seed = seed_of(rng)
    gen = as_rng(rng)
    t0 = time.perf_counter()
    bound, problem, entropy, X, ys = _run_sample(
        evaluation, factors, groups, outputs, gen,
        lambda problem: morris_sample.sample(problem, trajectories, num_levels=num_levels, seed=_salib_seed(gen)),
        chunk_size=chunk_size, n_jobs=n_jobs, executor=executor, scheduler=scheduler)
    group_names = list(dict.fromkeys(problem["groups"]))
    rows = []
    s = _salib_seed(gen)
    for name, y in ys.items():
        y = np.asarray(y, dtype=float)
        if not np.isfinite(y).all():
            for g in group_names:
                rows.append({"output": name, "factor": g, "mu": np.nan, "mu_star": np.nan, "sigma": np.nan,
                             "mu_star_conf": np.nan})
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = morris_analyze.analyze(problem, X, y, num_resamples=num_resamples, conf_level=conf_level,
                                        num_levels=num_levels, seed=s)
        for k, g in enumerate(group_names):
            rows.append({"output": name, "factor": g, "mu": float(si["mu"][k]) if "mu" in si else np.nan,
                         "mu_star": float(si["mu_star"][k]), "sigma": float(si["sigma"][k]),
                         "mu_star_conf": float(si["mu_star_conf"][k])})
    return MorrisResult(indices=pd.DataFrame(rows), factors=factor_table(bound),
                        groups=_group_members(problem, bound), trajectories=int(trajectories),
                        n_evaluations=int(X.shape[0]), num_levels=num_levels, seed=seed, entropy=entropy,
                        seconds=time.perf_counter() - t0)


def sobol_function(func: Callable[[np.ndarray], np.ndarray], bounds: Sequence[tuple[float, float]], *,
                   names: Sequence[str] | None = None, groups: Sequence[str] | None = None, n: int = 1024,
                   rng: None | int | np.random.Generator = None, num_resamples: int = 100,
                   conf_level: float = 0.95) -> pd.DataFrame:
    """The same SALib wrapper (sampling, grouping, bootstrap intervals) for any vectorised
    function ``func(X) -> y`` of uniform inputs on ``bounds`` — for checks against
    analytic indices and for teaching.

    Examples
    --------
    A linear model with equal-variance inputs: ``S1_i = w_i^2 / sum(w^2)``.

    >>> w = np.array([1.0, 2.0, 3.0])
    >>> out = sobol_function(lambda X: X @ w, [(0, 1)] * 3, n=4096, rng=1)
    >>> np.round(out["S1"].to_numpy(), 2).tolist(), np.round(w**2 / (w**2).sum(), 2).tolist()
    ([0.07, 0.29, 0.64], [0.07, 0.29, 0.64])
    """

    _sobol_iv(n, num_resamples, conf_level)
    gen = as_rng(rng)
    d = len(bounds)
    names = list(names) if names is not None else [f"x{i + 1}" for i in range(d)]
    if len(names) != d:
        raise ValueError(f"got {len(names)} names for {d} inputs")
    problem = {"num_vars": d, "names": names, "bounds": [list(map(float, b)) for b in bounds]}
    if groups is not None:
        if len(groups) != d:
            raise ValueError(f"got {len(groups)} group labels for {d} inputs")
        problem["groups"] = list(groups)
    else:
        problem["groups"] = list(names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=_salib_seed(gen))
    y = np.asarray(func(X), dtype=float)
    out = _sobol_indices(problem, {"y": y}, num_resamples=num_resamples, conf_level=conf_level,
                         seed=_salib_seed(gen))
    return out.drop(columns="output").set_index("factor")
