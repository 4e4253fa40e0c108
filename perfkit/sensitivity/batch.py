"""The batched evaluator: many replicates of one scheme as array operations.

:func:`evaluate_params` takes the compiled scheme and a :class:`Params` record of ``n``
replicates and returns their final scores, ranks within category and grades, shape
``(n, n_units)``. It never calls :func:`perfkit.evaluate`; it follows the same stages
with the same kernels:

1. replicates are grouped by the choices that change leaf scores or the hierarchy
   (normalisation, left-out indicator) and by the aggregation methods, so that within a
   group the leaf scores are shared and every node has one method;
2. only the leaves, target nodes and aggregate nodes whose inputs a replicate changes are
   recomputed; the others keep the nominal evaluation's exact values;
3. an aggregate node computes ``(n, n_units)`` scores at once: a shared child matrix and
   ``(n, n_children)`` weights is one matrix product inside the aggregation kernel; nested
   arithmetic (or geometric) means over inputs complete for every unit are one mean with
   the products of the weights along each path, so such a subtree is a single
   ``(n, n_inputs) @ (n_inputs, n_units)`` product (:class:`_Form`) — the bare floor of
   the work;
4. ranks within category (ties share the best rank) and grades (thresholds, quotas,
   vetoes, tie rule) are vectorised over replicates.

Each stage is the engine's own (:mod:`perfkit.stages`, :func:`perfkit.engine.grading.grade_indices`)
called with a leading replicate axis; this module only decides what to recompute and
shares what it can. Scores are compared (ranked and graded) after rounding to
``SCORE_DECIMALS`` decimals, as :func:`perfkit.evaluate` does
(:func:`perfkit.stages.results.comparable`).

:func:`run_design` evaluates a whole design (``(n, n_inputs)`` uniform numbers) in
memory-bounded chunks, on this process's threads or as tasks on a Dask cluster
(``executor="dask"``), with identical results.
"""
from __future__ import annotations

import dataclasses
import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc
from threadpoolctl import threadpool_limits

from perfkit.engine.grading import grade_indices
from perfkit.engine.survey import survey_index
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.kernels.rank import rank_desc
from perfkit.sensitivity.compile import CompiledScheme, Leaf
from perfkit.sensitivity.factors import BoundFactor, FactorError
from perfkit.sensitivity.params import Params
from perfkit.stages import (
    SCORE_DECIMALS,
    aggregate_node,
    comparable,
    derive_weights,
    final_scores,
    score_leaf,
    score_targets,
    target_shares,
    treat,
)

__all__ = ["SCORE_DECIMALS", "BatchOutput", "EXECUTORS", "evaluate_params", "evaluate_chunk", "build_params",
           "run_design", "rank_within", "grade_batch", "check_executor"]


@dataclass(frozen=True, eq=False)
class BatchOutput:
    """Final scores, ranks within category and grade codes of ``n`` replicates.

    ``grade`` holds positions in :attr:`CompiledScheme.grade_names` (-1: no grade).
    """

    final: np.ndarray  # (n, n_units) float64
    rank: np.ndarray  # (n, n_units) float32, NaN for units without a score
    grade: np.ndarray  # (n, n_units) int8


# --------------------------------------------------------------------------- params


def build_params(cs: CompiledScheme, bound: tuple[BoundFactor, ...], u: np.ndarray, entropy: int) -> Params:
    """Turn ``u`` (``(n, sum of dims)`` uniforms) into replicate parameters."""
    u = np.asarray(u, dtype=float)
    p = Params(n=u.shape[0])
    j = 0
    for b in bound:
        b.apply(u[:, j:j + b.dims], p, cs, entropy)
        j += b.dims
    return p


# --------------------------------------------------------------------------- evaluate


def evaluate_params(cs: CompiledScheme, p: Params, *, entropy: int = 0, cache: dict | None = None) -> BatchOutput:
    """Evaluate ``p.n`` replicates (see the module docstring).

    ``cache`` (a dict kept across calls on the same compiled scheme) holds results that do
    not depend on the replicate, such as an indicator normalised another way.
    """
    cache = {} if cache is None else cache
    key = _group_key(p)
    final = np.empty((p.n, cs.n_units))
    if key.shape[1] == 0:
        final[:] = _final_scores(cs, p, entropy, cache)
    else:
        radix = key.max(axis=0) + 2
        code = np.zeros(p.n, dtype=np.int64)
        for j in range(key.shape[1]):
            code = code * radix[j] + (key[:, j] + 1)
        uniq, inv = np.unique(code, return_inverse=True)
        for g in range(len(uniq)):
            rows = np.flatnonzero(inv == g)
            sub = p.take(rows) if len(uniq) > 1 else p
            final[rows] = _final_scores(cs, sub, entropy, cache)
    snapped = comparable(final)
    rank = rank_within(snapped, cs.categories)
    grade = grade_batch(cs, snapped, p.quota) if cs.has_grades else np.full(final.shape, -1, dtype=np.int8)
    return BatchOutput(final=final, rank=rank, grade=grade)


def _group_key(p: Params) -> np.ndarray:
    """``(n, k)``: the choices replicates are grouped by — normalisation and left-out
    indicator (they change leaf scores or the hierarchy) and aggregation (so that within a
    group every node has one method, and nested means can collapse)."""
    cols = [p.config_key()]
    seen: set[int] = set()
    for c in p.aggregate.values():
        if id(c.index) not in seen:  # one Aggregation factor gives many nodes the same choice
            seen.add(id(c.index))
            cols.append(c.index[:, None].astype(np.int64))
    return np.concatenate(cols, axis=1)


def _final_scores(cs: CompiledScheme, p: Params, entropy: int, cache: dict) -> np.ndarray:
    """Final scores ``(n, n_units)`` of replicates sharing normalisation, left-out and
    aggregation choices."""
    n = p.n
    norm = {}
    for ids, c in p.normalise:
        spec = c.options[int(c.index[0])]
        for i in ids:
            norm[i] = spec
    dropped = None
    if p.dropped is not None and p.dropped[0] >= 0:
        dropped = cs.leaves[int(p.dropped[0])].id
    treated_b = noise_cols = None
    if p.noise is not None:
        bound, keys = p.noise
        treated_b = _noisy_treated(cs, bound, keys, entropy)
        noise_cols = set(bound.targets)
        if cs.treatment_plan.impute is not None or cs.treatment_plan.winsorise is not None:
            noise_cols = {lf.id for lf in cs.leaves if lf.quantitative}
    surv = None
    if p.survey_keys is not None:
        surv = survey_bootstrap(cs, p.survey_factor, p.survey_keys, entropy)
    scores: dict[str, np.ndarray] = {}
    changed: set[str] = set()
    # how each shared (replicate-independent) score was computed; None = differs by replicate
    sig: dict[str, object] = {}
    for lf in cs.leaves:
        spec = norm.get(lf.id)
        rp = {param: v for (nid, param), v in p.rule_param.items() if nid == lf.id}
        x = None
        if noise_cols is not None and lf.id in noise_cols:
            x = treated_b[..., lf.index]
        elif surv is not None and lf.source == "survey":
            x = np.where(lf.app, surv, np.nan)
        if spec is None and not rp and x is None:
            scores[lf.id] = cs.nominal_scores[lf.id][None, :]
            sig[lf.id] = "nominal"
            continue
        changed.add(lf.id)
        if x is None and not rp:
            ck = ("leaf", lf.id, spec.method, repr(spec.params))
            if ck not in cache:
                cache[ck] = _score_leaf(cs, dataclasses.replace(lf, spec=spec), cs.treated[None, :, lf.index], rp)
            scores[lf.id] = cache[ck]
            sig[lf.id] = ck
            continue
        sig[lf.id] = None
        if x is None:
            x = cs.treated[None, :, lf.index]
        scores[lf.id] = _score_leaf(cs, lf if spec is None else dataclasses.replace(lf, spec=spec), x, rp)
    for tr in cs.targets:
        rp = {param: v for (nid, param), v in p.rule_param.items() if nid == tr.node}
        if not rp:
            scores[tr.node] = cs.nominal_scores[tr.node][None, :]
            sig[tr.node] = "nominal"
            continue
        changed.add(tr.node)
        sig[tr.node] = None
        scores[tr.node] = np.atleast_2d(score_targets(tr, target_shares(tr, _per_replicate(rp))))
    forms: dict[str, _Form] = {}

    def value(i: str) -> np.ndarray:
        if i not in scores:
            node = cs.node(i)
            if forms[i].nested:
                scores[i] = forms[i].evaluate(node, value)
            else:  # one level: the kernel itself, exactly as evaluate() computes it
                for k in node.children:
                    value(k)
                scores[i] = _aggregate_node(cs, node, scores, p, dropped, cache, sig)
        return scores[i]

    for node in cs.nodes:
        kids = node.children
        if not (changed.intersection(kids) or node.id in p.weights or node.id in p.weight_method
                or node.id in p.aggregate or dropped in kids):
            scores[node.id] = cs.nominal_scores[node.id][None, :]
            sig[node.id] = "nominal"
            continue
        changed.add(node.id)
        form = _collapse(cs, node, value, forms, p, dropped, cache, sig)
        if form is not None:
            forms[node.id] = form
            sig[node.id] = None
            continue
        for k in kids:
            value(k)
        scores[node.id] = _aggregate_node(cs, node, scores, p, dropped, cache, sig)
    final = final_scores(value(cs.root), scale=cs.scale, bonus=cs.bonus, penalty=cs.penalty, kept=cs.kept)
    return np.broadcast_to(final, (n, cs.n_units))


# --------------------------------------------------------------------------- leaves


def _score_leaf(cs: CompiledScheme, lf: Leaf, x: np.ndarray, rp: dict) -> np.ndarray:
    """Scores of one leaf on the 0-100 scale, ``(b, n_units)`` with ``b`` 1 or ``n``
    (``rp``: rule parameters of shape ``(n,)``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the nominal evaluation already warned
        out, _ = score_leaf(lf, x, paradigm=cs.paradigm, text=cs.text[:, lf.index],
                            targets=cs.leaf_targets[:, lf.index], groups=cs.categories, params=_per_replicate(rp),
                            units=cs.units)
    return out


def _per_replicate(rp: dict) -> dict:
    """Rule parameters ``(n,)`` as ``(n, 1)`` columns, broadcasting against the units."""
    return {k: v[:, None] for k, v in rp.items()}


# --------------------------------------------------------------------------- data factors


def survey_bootstrap(cs: CompiledScheme, bound: BoundFactor, keys: np.ndarray, entropy: int) -> np.ndarray:
    """Survey index ``(n, n_units)`` of bootstrap realisations ``keys``."""
    sv = cs.survey
    n = len(keys)
    n_cells = sv.n_units * sv.n_groups
    nonempty = sv.sizes > 0
    st = sv.starts[nonempty]
    ws_all = sv.weight * sv.score
    out = np.empty((n, sv.n_units))
    size = max(1, min(n, 2_000_000 // max(1, len(sv.score))))
    for a in range(0, n, size):
        idx = np.stack([bootstrap_rows(sv, bound, int(k), entropy) for k in keys[a:a + size]])
        sw = np.zeros((len(idx), n_cells))
        sws = np.zeros((len(idx), n_cells))
        sw[:, nonempty] = np.add.reduceat(sv.weight[idx], st, axis=1)
        sws[:, nonempty] = np.add.reduceat(ws_all[idx], st, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = sws / sw
        out[a:a + size] = survey_index(mean.reshape(len(idx), sv.n_units, sv.n_groups), sv.counts,
                                       sv.group_weights, min_responses=sv.threshold)
    return out


def bootstrap_rows(sv, bound: BoundFactor, key: int, entropy: int) -> np.ndarray:
    """Positions (in the sorted respondents) of bootstrap realisation ``key``."""
    g = np.random.default_rng([entropy, bound.position, key])
    u = g.random(len(sv.score))
    return sv.starts[sv.cell] + (u * sv.sizes[sv.cell]).astype(np.int64)


def _noisy_treated(cs: CompiledScheme, bound: BoundFactor, keys: np.ndarray, entropy: int) -> np.ndarray:
    """Treated leaf values ``(n, n_units, n_leaves)`` from noisy raw values."""
    f = bound.factor
    raw = np.broadcast_to(cs.raw, (len(keys), *cs.raw.shape)).copy()
    cols = bound.data["cols"]
    for r, k in enumerate(keys):
        raw[r][:, cols] = f.realise(bound, cs, int(k), entropy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the nominal evaluation already warned
        return treat(cs.treatment_plan, raw).values


# --------------------------------------------------------------------------- aggregation


def _aggregate_node(cs: CompiledScheme, node, scores: dict, p: Params, dropped: str | None,
                    cache: dict, sig: dict) -> np.ndarray:
    n = p.n
    keep = [i for i, c in enumerate(node.children) if c != dropped]
    kids = [node.children[i] for i in keep]
    cols = [scores[c] for c in kids]
    b = max(c.shape[0] for c in cols)
    X = np.stack([np.broadcast_to(c, (b, cs.n_units)) for c in cols], axis=-1)  # (b, U, C)
    W = p.weights.get(node.id)
    if len(keep) == len(node.children):
        W = node.weights[None, :] if W is None else W
    else:
        W = node.weights[None, keep] if W is None else W[:, keep]
    wm = p.weight_method.get(node.id)
    ag = p.aggregate.get(node.id)
    wm_idx = wm.index if wm is not None else np.zeros(n, dtype=np.int64)
    ag_idx = ag.index if ag is not None else np.zeros(n, dtype=np.int64)
    code = wm_idx * (int(ag_idx.max()) + 1) + ag_idx
    combos = np.unique(code)
    # shared inputs give a shared result, the same for every chunk: cache it
    shareable = node.id not in p.weights and all(sig.get(c) is not None for c in kids)
    kid_sig = tuple((c, sig.get(c)) for c in kids)
    batched = b > 1 or W.shape[0] > 1 or len(combos) > 1
    out = np.empty((n if batched else 1, cs.n_units))
    for c in combos:
        rows = np.flatnonzero(code == c) if batched else np.array([0])
        i0 = rows[0]
        wi, ai = int(wm_idx[i0]), int(ag_idx[i0])
        wspec = wm.options[wi] if wm is not None else (node.weights_spec.model_dump() if node.weights_spec else None)
        aspec = ag.options[ai] if ag is not None else node.aggregate
        ck = ("node", node.id, repr(wspec), aspec.method, repr(aspec.params), kid_sig) if shareable else None
        if ck is not None and ck in cache:
            res = cache[ck]
        else:
            Xr = X if b == 1 else X[rows]
            if wspec is not None:
                Wr = _data_weights(cs, wspec, Xr, node.app, kids, node.id)
            else:
                Wr = W if W.shape[0] == 1 else W[rows]
            res = _aggregate(aspec, Xr, Wr, node)
            if ck is not None:
                cache[ck] = res
        if batched:
            out[rows] = res if res.shape[0] == len(rows) else np.broadcast_to(res, (len(rows), cs.n_units))
        else:
            out[:] = res
    sig[node.id] = ck if shareable and not batched else None
    return out


@dataclass(frozen=True, eq=False)
class _Form:
    """A node whose subtree is one kind of weighted mean over complete inputs, held as
    effective weights on the subtree's inputs: ``E @ x`` (arithmetic) or
    ``exp(E @ log(x + shift)) - shift`` (geometric) — nested means of one kind are one
    mean with the products of the weights along each path, so a whole tree of replicates
    is one matrix product."""

    kind: str
    shift: float
    cols: tuple[str, ...]  # the inputs (indicators, target nodes, nodes computed otherwise)
    E: np.ndarray  # (b, len(cols)) effective weights, rows summing to 1
    nested: bool  # some child is a form too (else the node is computed by its kernel)

    def evaluate(self, node, value) -> np.ndarray:
        vals = [value(c) for c in self.cols]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if all(v.shape[0] == 1 for v in vals):
                M = np.vstack(vals)  # (k, U)
                out = self.E @ (np.log(M + self.shift) if self.kind == "geometric" else M)
            else:
                b = max(v.shape[0] for v in vals)
                X = np.stack([np.broadcast_to(v, (b, v.shape[1])) for v in vals], axis=-1)  # (b, U, k)
                X = np.log(X + self.shift) if self.kind == "geometric" else X
                out = (X @ np.broadcast_to(self.E, (b, len(self.cols)))[..., None])[..., 0]
            if self.kind == "geometric":
                out = np.exp(out) - self.shift
        return np.where(node.app, out, np.nan)


def _collapse(cs: CompiledScheme, node, value, forms: dict, p: Params, dropped: str | None, cache: dict,
              sig: dict) -> _Form | None:
    """``node`` as a :class:`_Form`, or ``None`` when the shortcut does not apply: a method
    other than the arithmetic or geometric mean (zero 'raise' or 'shift'), data-driven
    weights, a child missing for a unit the node applies to (the weights would
    renormalise), weights or values the kernel would reject (it then says why)."""
    ag = p.aggregate.get(node.id)
    spec = ag.options[int(ag.index[0])] if ag is not None else node.aggregate
    name = AGGREGATE.get(spec.method).name
    if name == "arithmetic":
        kind, shift = name, 0.0
    elif name == "geometric" and spec.params.get("zero", "raise") in ("raise", "shift") and \
            spec.params.get("floor") is None:
        kind = name
        shift = 0.0 if spec.params.get("zero", "raise") == "raise" else \
            float(1.0 if spec.params.get("shift") is None else spec.params["shift"])
    else:
        return None
    if node.weights_spec is not None or node.id in p.weight_method:
        return None
    keep = [j for j, c in enumerate(node.children) if c != dropped]
    W = p.weights.get(node.id)
    W = node.weights[None, keep] if W is None else W[:, keep]
    total = W.sum(axis=1, keepdims=True)
    if not np.all(np.isfinite(W)) or np.any(W < 0) or np.any(total <= 0):
        return None
    Wn = W / total
    cols: list[str] = []
    parts = []
    for jj, j in enumerate(keep):
        c = node.children[j]
        f = forms.get(c)
        if f is not None and f.kind == kind and f.shift == shift and not (node.app & ~cs.node(c).app).any():
            cols.extend(f.cols)
            parts.append(Wn[:, jj:jj + 1] * f.E)
            continue
        if not _complete(value(c), node.app, kind, shift, cache, (c, sig.get(c), node.id)):
            return None
        cols.append(c)
        parts.append(None)
    if all(x is None for x in parts):  # one level: the node's own weights
        return _Form(kind, shift, tuple(cols), Wn, False)
    b = max(Wn.shape[0], *(x.shape[0] for x in parts if x is not None))
    blocks = [np.broadcast_to(Wn[:, jj:jj + 1] if x is None else x, (b, 1 if x is None else x.shape[1]))
              for jj, x in enumerate(parts)]
    return _Form(kind, shift, tuple(cols), np.concatenate(blocks, axis=1), True)


def _complete(v: np.ndarray, app: np.ndarray, kind: str, shift: float, cache: dict, key: tuple) -> bool:
    """Whether input ``v`` has a value the mean can take for every unit in ``app``
    (remembered in ``cache`` for an input shared by every replicate)."""
    shared = key[1] is not None
    ck = ("complete", kind, shift, *key)
    if shared and ck in cache:
        return cache[ck]
    bad = np.isnan(v) if kind == "arithmetic" else ~(v + shift > 0)  # NaN fails both
    ok = not (bad & app).any()
    if shared:
        cache[ck] = ok
    return ok


def _data_weights(cs: CompiledScheme, spec: dict, X: np.ndarray, app: np.ndarray, ids: list[str],
                  node_id: str) -> np.ndarray:
    """Data-driven weights of each slice of ``X`` (``(b, U, C)`` -> ``(b, C)``), as the engine
    derives them."""
    where = [cs.scheme.file or "<scheme>", f"nodes.{node_id}.weights"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the nominal evaluation already warned
        return np.stack([np.asarray(derive_weights(spec, Xr, app, ids, node_id=node_id, where=where).weights,
                                    dtype=float) for Xr in X])


def _aggregate(spec, X: np.ndarray, W: np.ndarray, node) -> np.ndarray:
    """The engine's aggregation of ``X`` ``(b, U, C)`` with weights ``(bw, C)``; a value or
    weight it cannot take is a :class:`FactorError` (a replicate's choices led to it)."""
    try:
        return aggregate_node(spec, X, W, node.app)
    except ValueError as exc:
        raise FactorError(f"node {node.id!r}: {exc}",
                          hint="the factors' choices in some replicate lead there; for geometric and harmonic "
                               "means give the aggregation zero='shift' or 'floor', or normalise onto a positive "
                               "range (minmax lo=1, zscore mean=100 sd=10)") from None


# --------------------------------------------------------------------------- ranks and grades


def rank_within(scores: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Ranks within category, 1 = best, ties share the best rank, NaN for no score —
    :func:`perfkit.kernels.rank_desc` for ``(n, n_units)`` scores, returned as float32."""
    one = len(categories) == 0 or bool(np.all(categories == categories[0]))
    return rank_desc(scores, groups=None if one else categories).astype(np.float32)  # one category: no regrouping


def grade_batch(cs: CompiledScheme, scores: np.ndarray, quota: dict | None = None) -> np.ndarray:
    """Grade codes ``(n, n_units)`` (positions in ``cs.grade_names``; -1 for no score):
    :func:`perfkit.engine.grading.grade_indices` for every category, with ``quota``
    (``(table, grade index) -> (n,)`` max shares) replacing the scheme's."""
    quota = quota or {}
    out = np.full(scores.shape, -1, dtype=np.int8)
    for table in cs.grade_tables:
        shares = [quota.get((table.name, g), table.max_shares[g]) for g in range(len(table.ids))]
        for _, pos in table.categories:
            idx = grade_indices(scores[:, pos], min_scores=table.min_scores, max_shares=shares,
                                best_allowed=table.best_allowed[pos], rounding=cs.rounding, ties=cs.ties)
            out[:, pos] = np.where(idx >= 0, table.codes[np.maximum(idx, 0)], -1)
    return out


# --------------------------------------------------------------------------- designs


def default_chunk(cs: CompiledScheme, bound: tuple[BoundFactor, ...], budget_mb: float = 192.0) -> int:
    """Replicates per chunk so that one chunk's arrays stay within ``budget_mb``.

    A node computed by its kernel holds a few ``(replicates, units, children)`` arrays;
    nested arithmetic or geometric means over complete inputs collapse into one product
    (:class:`_Form`) and hold none, so only the other nodes count for the widest term."""
    kernel = [nd for nd in cs.nodes if not _may_collapse(cs, nd, bound)]
    widest = max((len(nd.children) for nd in kernel), default=0)
    per = 8.0 * cs.n_units * (len(cs.leaves) + len(cs.nodes) + 4 * widest + 16)
    if any(b.factor.kind == "MeasurementError" for b in bound):
        per += 8.0 * cs.n_units * len(cs.leaves) * 4
    size = int(budget_mb * 2**20 // per)
    return max(64, min(size, 16384))


def _may_collapse(cs: CompiledScheme, node, bound: tuple[BoundFactor, ...]) -> bool:
    """Whether ``node`` can be a :class:`_Form` in every replicate as far as the
    declarations tell (its aggregations, its weights, its children's nominal scores)."""
    specs = [node.aggregate]
    for b in bound:
        if b.factor.kind == "Aggregation" and node.id in b.targets:
            specs.extend(b.data["options"])
        if b.factor.kind == "WeightingMethods" and node.id in b.targets:
            return False
    for spec in specs:
        name = AGGREGATE.get(spec.method).name
        if name not in ("arithmetic", "geometric") or spec.params.get("zero", "raise") not in ("raise", "shift"):
            return False
    if node.weights_spec is not None:
        return False
    return all(not (np.isnan(cs.nominal_scores[c]) & node.app).any() for c in node.children)


#: Where run_design evaluates its chunks.
EXECUTORS = ("local", "dask")


def check_executor(executor: str, scheduler, n_jobs: int) -> None:
    """Validate the ``executor`` / ``scheduler`` / ``n_jobs`` arguments of an analysis."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be 'local' or 'dask' (got {executor!r})")
    if scheduler is not None and executor != "dask":
        raise ValueError("scheduler= is for executor='dask' (a scheduler address or a distributed.Client)")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer (got {n_jobs!r})")


def run_design(cs: CompiledScheme, bound: tuple[BoundFactor, ...], u: np.ndarray, *, entropy: int,
               chunk_size: int | None = None, n_jobs: int = 1, executor: str = "local",
               scheduler=None) -> BatchOutput:
    """Evaluate every row of the design ``u`` (``(n, n_inputs)`` uniforms) in chunks.

    Parameters
    ----------
    chunk_size
        Replicates per chunk (default: :func:`default_chunk`).
    n_jobs
        ``"local"``: threads; ``"dask"`` without a scheduler: the workers of the local
        cluster started for the call.
    executor
        ``"local"`` (this process) or ``"dask"`` (each chunk a task on a Dask cluster).
    scheduler
        With ``"dask"``: a scheduler address (``"tcp://host:8786"``), a
        ``distributed.Client``, or ``None`` for a local cluster of ``n_jobs`` processes.

    The chunks are the same whatever runs them and each is a pure function of the
    compiled scheme, the factors, its rows of ``u`` and ``entropy``: the results are
    identical for every executor.
    """
    check_executor(executor, scheduler, n_jobs)
    u = np.asarray(u, dtype=float)
    n = u.shape[0]
    size = chunk_size or default_chunk(cs, bound)
    final = np.empty((n, cs.n_units))
    rank = np.empty((n, cs.n_units), dtype=np.float32)
    grade = np.empty((n, cs.n_units), dtype=np.int8)

    def store(a: int, out: BatchOutput) -> None:
        b = a + out.final.shape[0]
        final[a:b] = out.final
        rank[a:b] = out.rank
        grade[a:b] = out.grade

    starts = range(0, n, size)
    if executor == "dask":
        for a, out in zip(starts, _dask_chunks(cs, bound, [u[a:a + size] for a in starts], entropy, scheduler,
                                               n_jobs)):
            store(a, out)
        return BatchOutput(final=final, rank=rank, grade=grade)
    cache: dict = {}

    def work(a: int) -> None:
        store(a, evaluate_chunk(cs, bound, u[a:a + size], entropy, cache))

    if n_jobs == 1 or n <= size:
        for a in starts:
            work(a)
    else:
        # one BLAS thread per worker: the workers already use the cores
        with _blas_threads(1), ThreadPoolExecutor(max_workers=n_jobs) as pool:
            list(pool.map(work, starts))
    return BatchOutput(final=final, rank=rank, grade=grade)


def evaluate_chunk(cs: CompiledScheme, bound: tuple[BoundFactor, ...], u: np.ndarray, entropy: int,
                   cache: dict | None = None) -> BatchOutput:
    """One chunk of a design: its replicates' parameters, then the batched evaluation."""
    return evaluate_params(cs, build_params(cs, bound, u, entropy), entropy=entropy, cache=cache)


def _dask_chunks(cs: CompiledScheme, bound, chunks: list[np.ndarray], entropy: int, scheduler, n_jobs: int):
    """The chunks evaluated as tasks on a Dask cluster, results in chunk order."""
    try:
        from distributed import Client, LocalCluster  # deferred: Dask is the optional [dask] extra
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("executor='dask' needs dask[distributed]: pip install 'perfkit[dask]'") from exc
    cluster = client = None
    if isinstance(scheduler, Client):
        active = scheduler
    elif scheduler is not None:
        active = client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40)
        active = client = Client(cluster)
    try:
        # the compiled form (without the nominal Evaluation) and the factors go to every worker once
        shared = active.scatter([cs.detached(), tuple(bound)], broadcast=True)
        futures = [active.submit(evaluate_chunk, shared[0], shared[1], part, entropy, pure=False)
                   for part in chunks]
        return active.gather(futures)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _blas_threads(n: int):
    return threadpool_limits(n, user_api="blas")


def sample_uniform(n: int, d: int, rng: np.random.Generator, sampling: str) -> np.ndarray:
    """``(n, d)`` points in ``[0, 1)``: scrambled Sobol' (``"sobol"``) or pseudo-random."""
    if sampling == "random":
        return rng.random((n, d))

    m = max(0, math.ceil(math.log2(max(n, 1))))
    return qmc.Sobol(d=d, scramble=True, rng=rng).random_base2(m)[:n]
