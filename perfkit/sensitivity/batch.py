"""The batched evaluator: many replicates of one scheme as array operations.

:func:`evaluate_params` takes the compiled scheme and a :class:`Params` record of ``n``
replicates and returns their final scores, ranks within category and grades, shape
``(n, n_units)``. It never calls :func:`perfkit.evaluate`; it follows the same stages
with the same kernels:

1. replicates are grouped by the choices that change leaf scores or the hierarchy
   (normalisation, left-out indicator), so that within a group the leaf scores are shared;
2. only the leaves, target nodes and aggregate nodes whose inputs a replicate changes are
   recomputed; the others keep the nominal evaluation's exact values;
3. an aggregate node computes ``(n, n_units)`` scores at once: a shared child matrix and
   ``(n, n_children)`` weights is one matrix product for the weighted means;
4. ranks within category (ties share the best rank) and grades (thresholds, quotas,
   vetoes, tie rule) are vectorised over replicates.

Scores are compared (ranked and graded) after rounding to ``SCORE_DECIMALS`` decimals, so
that two units with equal scores stay tied whatever the floating-point summation order.

:func:`run_design` evaluates a whole design (``(n, n_inputs)`` uniform numbers) in
memory-bounded chunks, optionally on several threads.
"""
from __future__ import annotations

import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from perfkit.kernels import treat as treat_k
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.kernels.normalise import NORMALISE, output_range
from perfkit.kernels.rules import RULES
from perfkit.scheme.models import MethodSpec
from perfkit.sensitivity.compile import CompiledScheme, Leaf, kwonly, needs_target, target_row_func
from perfkit.sensitivity.factors import BoundFactor, FactorError
from perfkit.sensitivity.params import Params
from perfkit.survey import survey_index

__all__ = ["SCORE_DECIMALS", "BatchOutput", "evaluate_params", "build_params", "run_design", "rank_within",
           "grade_batch"]

#: Scores are rounded to this many decimals before ranking and grading.
SCORE_DECIMALS = 9


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
    key = p.config_key()
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
    snapped = np.round(final, SCORE_DECIMALS)
    rank = rank_within(snapped, cs.categories)
    grade = grade_batch(cs, snapped, p.quota) if cs.has_grades else np.full(final.shape, -1, dtype=np.int8)
    return BatchOutput(final=final, rank=rank, grade=grade)


def _final_scores(cs: CompiledScheme, p: Params, entropy: int, cache: dict) -> np.ndarray:
    """Final scores ``(n, n_units)`` of replicates sharing normalisation and left-out choices."""
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
        if cs.evaluation.scheme.model.treatment.impute is not None or \
                cs.evaluation.scheme.model.treatment.winsorise is not None:
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
                cache[ck] = _score_leaf(cs, lf, spec, cs.treated[None, :, lf.index], rp, 1)
            scores[lf.id] = cache[ck]
            sig[lf.id] = ck
            continue
        sig[lf.id] = None
        if x is None:
            x = cs.treated[None, :, lf.index]
        scores[lf.id] = _score_leaf(cs, lf, spec or lf.spec, x, rp, n)
    for tr in cs.targets:
        rp = {param: v for (nid, param), v in p.rule_param.items() if nid == tr.node}
        if not rp:
            scores[tr.node] = cs.nominal_scores[tr.node][None, :]
            sig[tr.node] = "nominal"
            continue
        changed.add(tr.node)
        sig[tr.node] = None
        scores[tr.node] = _score_targets(tr, rp, n, cs.n_units)
    for node in cs.nodes:
        kids = node.children
        if not (changed.intersection(kids) or node.id in p.weights or node.id in p.weight_method
                or node.id in p.aggregate or dropped in kids):
            scores[node.id] = cs.nominal_scores[node.id][None, :]
            sig[node.id] = "nominal"
            continue
        changed.add(node.id)
        scores[node.id] = _aggregate_node(cs, node, scores, p, dropped, cache, sig)
    root = scores[cs.root]
    final = root * cs.scale + cs.bonus - cs.penalty
    final = np.where(cs.kept, final, np.nan)
    return np.broadcast_to(final, (n, cs.n_units))


# --------------------------------------------------------------------------- leaves


def _score_leaf(cs: CompiledScheme, lf: Leaf, spec: MethodSpec, x: np.ndarray, rp: dict, n: int) -> np.ndarray:
    """Scores of one leaf on the 0-100 scale, ``(b, n_units)`` with ``b`` 1 or ``n``."""
    app = lf.app
    if lf.kind == "normalise":
        col = np.where(app, x, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = NORMALISE.get(spec.method).func(col[..., None], direction=np.array([lf.direction]),
                                                  **spec.params)[..., 0]
        out = np.where(app, res, np.nan)
        if cs.paradigm == "points":  # a share of the points: the output range onto 0-100, as the engine does
            lo, hi = output_range(spec.method, spec.params)
            out = (out - lo) / (hi - lo) * 100.0
    else:
        out = _rule_share(cs, lf, spec, x, rp, n) * 100.0
    if cs.paradigm == "points":
        out = np.where(app & np.isnan(out), 0.0, out)
    return np.where(app, out, np.nan)


def _rule_share(cs: CompiledScheme, lf: Leaf, spec: MethodSpec, x: np.ndarray, rp: dict, n: int) -> np.ndarray:
    params = dict(spec.params)
    func = RULES.get(spec.method).func
    if spec.method == "grade_map":
        return np.asarray(func(np.where(lf.app, cs.text[:, lf.index], None), **params), dtype=float)[None, :]
    if spec.method == "rank_within":
        xs = np.where(lf.app, x, np.nan)
        call = lambda xx, pp: func(xx, groups=cs.categories, direction=lf.direction, **pp)  # noqa: E731
    else:
        if "target" not in params and needs_target(func):
            params["target"] = cs.leaf_targets[:, lf.index]
        if "direction" in kwonly(func) and "direction" not in params:
            params["direction"] = lf.direction
        xs = x
        call = lambda xx, pp: func(xx, **pp)  # noqa: E731
    if not rp:
        return np.asarray(call(xs, params), dtype=float)
    fast = _BATCHED_RULES.get(spec.method)
    if fast is not None and set(rp) <= fast[1]:
        full = {**_defaults(func), **params, **{k: v[:, None] for k, v in rp.items()}}
        return fast[0](xs, full)
    out = np.empty((n, cs.n_units))
    for r in range(n):
        pr = {**params, **{k: float(v[r]) for k, v in rp.items()}}
        out[r] = call(xs[r] if xs.shape[0] > 1 else xs[0], pr)
    return out


def _defaults(func) -> dict:
    import inspect

    return {k: p.default for k, p in inspect.signature(func).parameters.items()
            if p.kind is p.KEYWORD_ONLY and p.default is not p.empty}


def _completion(x, p):
    return np.clip(x / p["target"], 0.0, p["cap"])


def _completion_lower(x, p):
    t, c = p["target"], p["cap"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.clip(t / x, 0.0, c)
    return np.where(x <= 0, c, ratio)


def _linear(x, p):
    f, t = p["floor"], p["target"]
    return np.clip((x - f) / (t - f), 0.0, 1.0) + 0.0


def _deduction(x, p):
    return np.where(np.isnan(x), np.nan, np.maximum(1.0 - p["per"] * x, p["floor"]))


def _binary(x, p):
    return np.where(np.isnan(x), np.nan, np.where(x != 0, p["done_share"], 0.0))


#: Rules re-implemented with array parameters (the same arithmetic as the kernels in
#: perfkit.kernels.rules, whose parameters must be scalars), and the parameters allowed.
_BATCHED_RULES = {
    "completion": (_completion, {"cap", "target"}),
    "completion_lower": (_completion_lower, {"cap", "target"}),
    "linear": (_linear, {"floor", "target"}),
    "deduction": (_deduction, {"per", "floor"}),
    "binary": (_binary, {"done_share"}),
}


def _score_targets(tr, rp: dict, n: int, n_units: int) -> np.ndarray:
    """Functional-target node scores ``(n, n_units)`` with the default rule's parameters varied."""
    shares = np.broadcast_to(tr.share, (n, len(tr.share))).copy()
    affected = tr.uses_default.copy()
    if "cap" in rp:
        affected &= ~tr.own_cap
    for method in sorted(set(tr.method[i] for i in np.flatnonzero(affected))):
        for d in (1, -1):
            rows = np.flatnonzero(affected & (np.array(tr.method) == method) & (tr.direction == d))
            if not len(rows):
                continue
            func = target_row_func(method, d)
            name = "completion_lower" if method == "completion" and d == -1 else method
            base = dict(tr.params[rows[0]])
            base.pop("target", None)
            params = {**base, "target": tr.target[rows]} if needs_target(RULES.get(method).func) else base
            x = tr.value[rows]
            fast = _BATCHED_RULES.get(name)
            if fast is not None and set(rp) <= fast[1]:
                full = {**_defaults(func), **params, **{k: v[:, None] for k, v in rp.items()}}
                s = fast[0](x[None, :], full)
            else:
                s = np.empty((n, len(rows)))
                for r in range(n):
                    s[r] = func(x, **{**params, **{k: float(v[r]) for k, v in rp.items()}})
            shares[:, rows] = np.where(np.isnan(s), 0.0, s)
    pmat = np.zeros((len(tr.share), n_units))
    pmat[np.arange(len(tr.share)), tr.unit] = tr.points
    earned = shares @ pmat
    total = pmat.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, earned / total * 100.0, np.nan)
    score = np.where(tr.app & (total == 0), 0.0, score)
    return np.where(tr.app, score, np.nan)


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
                                       sv.group_weights, min_responses=sv.min_responses)
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
    return treat_like_engine(cs, raw)


def treat_like_engine(cs: CompiledScheme, raw: np.ndarray) -> np.ndarray:
    """Apply the scheme's treatment to raw leaf values ``(n, n_units, n_leaves)`` as
    :func:`perfkit.evaluate` does, in the scheme's ``treatment.order`` (denominate is
    batched; imputation and winsorisation call the kernels replicate by replicate)."""
    ev = cs.evaluation
    s = ev.scheme
    t = s.model.treatment
    x = raw.copy()
    quant = np.array([lf.index for lf in cs.leaves if lf.quantitative], dtype=int)
    kept = cs.kept  # random error moves values, not the pattern of missing ones the screen counts
    for step in t.order:
        if step == "denominate" and t.denominate:
            _denominate_batch(cs, x)
        elif step == "impute" and t.impute is not None:
            by = t.impute.params.get("by")
            groups = ev.data.units[by].to_numpy(dtype=object)[kept] if by is not None else None
            for r in range(x.shape[0]):
                sub = x[r][np.ix_(kept, quant)]
                new, _ = treat_k.impute(sub, method=t.impute.method, groups=groups)
                x[r][np.ix_(kept, quant)] = new
        elif step == "winsorise" and t.winsorise is not None:
            params = dict(t.winsorise.params)
            for r in range(x.shape[0]):
                sub = x[r][np.ix_(kept, quant)]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    new, _ = treat_k.winsorise(sub, **params)
                x[r][np.ix_(kept, quant)] = new
    return x


def _denominate_batch(cs: CompiledScheme, x: np.ndarray) -> None:
    s = cs.evaluation.scheme
    for lf in cs.leaves:
        node = s.leaves[lf.id]
        if lf.quantitative and node.denominator is not None:
            denom = _denominator(cs, node.denominator)
            x[..., lf.index], _ = treat_k.denominate(x[..., lf.index], denom, scale=node.denominator_scale)


def _denominator(cs: CompiledScheme, name: str) -> np.ndarray:
    import pandas as pd

    units = cs.evaluation.data.units
    if name in units.columns:
        return pd.to_numeric(units[name], errors="coerce").to_numpy(dtype=float)
    vals = cs.evaluation.data.values
    d = vals[vals["indicator_id"] == name].set_index("unit_id")["value"]
    return d.reindex(list(cs.units)).to_numpy(dtype=float)


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
                Wr = _data_weights(wspec, Xr, node.app, kids, node.id)
            else:
                Wr = W if W.shape[0] == 1 else W[rows]
            res = aggregate(aspec, Xr, Wr, node.app)
            if ck is not None:
                cache[ck] = res
        if batched:
            out[rows] = res if res.shape[0] == len(rows) else np.broadcast_to(res, (len(rows), cs.n_units))
        else:
            out[:] = res
    sig[node.id] = ck if shareable and not batched else None
    return out


def _data_weights(spec: dict, X: np.ndarray, app: np.ndarray, ids: list[str], node_id: str) -> np.ndarray:
    """Data-driven weights of each slice of ``X`` (``(b, U, C)`` -> ``(b, C)``), as the engine
    derives them (complete, applicable units only)."""
    from perfkit.errors import SchemeError
    from perfkit.weighting import weights_from_spec

    out = np.empty((X.shape[0], X.shape[-1]))
    for r in range(X.shape[0]):
        rows = app & ~np.isnan(X[r]).any(axis=1)
        if rows.sum() < 2:
            raise SchemeError(f"node {node_id!r}: too few complete units ({int(rows.sum())}) to derive weights")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = weights_from_spec(spec, X[r][rows], np.ones(len(ids)), ids)
        out[r] = np.asarray(res.weights, dtype=float)
    return out


def _wsum(A: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``sum_c W[r, c] A[r, u, c]`` with either side possibly shared (leading axis 1)."""
    if A.shape[0] == 1:
        return W @ A[0].T
    if W.shape[0] == 1:
        return A @ W[0]
    return np.einsum("ruc,rc->ru", A, W)


def _zero_policy(x: np.ndarray, params: dict, who: str) -> tuple[np.ndarray, float]:
    zero = params.get("zero", "raise")
    if zero == "raise":
        if np.any(x <= 0):
            raise FactorError(
                f"{who}: zeros or negative values reach a {who} mean (zero='raise'); the normalisation chosen in "
                "this replicate gives values <= 0",
                hint="give the aggregation zero='shift' or 'floor', or normalise onto a positive range "
                     "(minmax lo=1, zscore mean=100 sd=10)")
        return x, 0.0
    if zero == "shift":
        s = 1.0 if params.get("shift") is None else float(params["shift"])
        return x + s, s
    f = 0.01 if params.get("floor") is None else float(params["floor"])
    return np.where(x < f, f, x), 0.0


def aggregate(spec: MethodSpec, X: np.ndarray, W: np.ndarray, app: np.ndarray) -> np.ndarray:
    """Aggregate ``X`` ``(b, U, C)`` with weights ``W`` ``(bw, C)`` over applicable units,
    as the engine does; returns ``(max(b, bw), U)``.

    The weighted means (arithmetic, geometric, harmonic, Mazziotta-Pareto) are computed
    as matrix products (the kernels' arithmetic, summed in another order); other methods
    call the registered kernel with batched weights.
    """
    method = AGGREGATE.get(spec.method).name
    params = dict(spec.params)
    if np.any(W < 0):
        raise FactorError(f"{method}: negative weights")
    if np.any(W.sum(axis=-1) == 0):
        raise FactorError(f"{method}: weights sum to zero")
    all_app = bool(app.all())
    Xa = X if all_app else np.where(app[:, None], X, np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if method in ("arithmetic", "geometric", "harmonic", "mazziotta_pareto"):
            mask = ~np.isnan(Xa)
            full = bool(mask.all())
            if full:
                den = W.sum(axis=-1)[:, None]
                ok = True
                dsafe = den
                fill = lambda v, f: v  # noqa: E731
            else:
                den = _wsum(mask.astype(float), W)
                ok = den > 0
                dsafe = np.where(ok, den, 1.0)
                fill = lambda v, f: np.where(mask, v, f)  # noqa: E731
            if method == "arithmetic":
                out = _wsum(fill(Xa, 0.0), W) / dsafe
            elif method == "geometric":
                xp, s = _zero_policy(Xa, params, method)
                out = np.exp(_wsum(np.log(fill(xp, 1.0)), W) / dsafe) - s
            elif method == "harmonic":
                xp, s = _zero_policy(Xa, params, method)
                out = 1.0 / (_wsum(1.0 / fill(xp, 1.0), W) / dsafe) - s
            else:
                penalty = params.get("penalty", -1)
                if np.any(Xa < 0):
                    raise FactorError("mazziotta_pareto: negative values present; normalise onto a non-negative "
                                      "scale first")
                xf = fill(Xa, 0.0)
                m = _wsum(xf, W) / dsafe
                if X.shape[0] == 1:
                    s2 = np.maximum(_wsum(xf * xf, W) / dsafe - m * m, 0.0)
                else:
                    dev = xf - m[..., None]
                    s2 = _wsum(fill(dev * dev, 0.0), W) / dsafe
                out = np.where(m > 0, m + penalty * s2 / np.where(m > 0, m, 1.0), m)
            if not full:
                out = np.where(ok, out, np.nan)
        else:
            func = AGGREGATE.get(spec.method).func
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                if method == "topsis":
                    sub = np.asarray(func(Xa[:, app, :], weights=W, **params)) * 100.0
                    out = np.full((sub.shape[0], X.shape[1]), np.nan)
                    out[:, app] = sub
                else:
                    out = np.asarray(func(Xa, weights=W, **params), dtype=float)
    return out if all_app else np.where(app, out, np.nan)


# --------------------------------------------------------------------------- ranks and grades


def rank_within(scores: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Ranks within category, 1 = best, ties share the best rank, NaN for no score —
    :func:`perfkit.kernels.rank_desc` for ``(n, n_units)`` scores, returned as float32."""
    out = np.full(scores.shape, np.nan, dtype=np.float32)
    for cat in np.unique(categories.astype(str)):
        pos = np.flatnonzero(categories.astype(str) == cat)
        a = -scores[:, pos]
        order = np.argsort(a, axis=1)
        sa = np.take_along_axis(a, order, axis=1)
        k = len(pos)
        starts = np.ones(sa.shape, dtype=bool)
        starts[:, 1:] = sa[:, 1:] != sa[:, :-1]
        first = np.maximum.accumulate(np.where(starts, np.arange(k), 0), axis=1)
        ranked = np.where(np.isnan(sa), np.nan, first + 1.0)
        sub = np.empty(sa.shape)
        np.put_along_axis(sub, order, ranked, axis=1)
        out[:, pos] = sub
    return out


def _quota(max_share, n_valid: np.ndarray, rounding: str) -> np.ndarray:
    if max_share is None:
        return n_valid.astype(np.int64)
    raw = np.round(np.asarray(max_share, dtype=float) * n_valid, 9)
    if rounding == "floor":
        q = np.floor(raw)
    elif rounding == "ceil":
        q = np.ceil(raw)
    else:
        q = np.floor(raw + 0.5)
    return q.astype(np.int64)


def grade_batch(cs: CompiledScheme, scores: np.ndarray, quota: dict | None = None) -> np.ndarray:
    """Grade codes ``(n, n_units)`` (positions in ``cs.grade_names``; -1 for no score) by
    :func:`perfkit.grading.assign_grades`' rule, vectorised over replicates."""
    quota = quota or {}
    out = np.full(scores.shape, -1, dtype=np.int8)
    strict = cs.ties == "strict"
    for table in cs.grade_tables:
        k = len(table.ids)
        for _, pos in table.categories:
            s = scores[:, pos]
            valid = ~np.isnan(s)
            n_valid = valid.sum(axis=1)
            order = np.argsort(-np.where(valid, s, -np.inf), axis=1, kind="stable")
            ss = np.take_along_axis(s, order, axis=1)
            al = table.best_allowed[pos][order]
            remaining = np.take_along_axis(valid, order, axis=1)
            idx = np.full(ss.shape, -1, dtype=np.int64)
            for g in range(k):
                thr = table.min_scores[g]
                elig = remaining & (al <= g)
                if thr is not None:
                    elig &= ss >= thr - 1e-12
                if g == k - 1:
                    taken = elig
                else:
                    ms = quota.get((table.name, g), table.max_shares[g])
                    q = _quota(ms, n_valid, cs.rounding)
                    cum = np.cumsum(elig, axis=1)
                    taken = elig & (cum <= q[:, None])
                    over = (cum[:, -1] > q) & (q >= 0) & taken.any(axis=1)
                    bmask = elig & (cum == q[:, None] + 1)
                    lmask = elig & (cum == q[:, None])
                    boundary = np.where(bmask, ss, 0.0).sum(axis=1)
                    last = np.where(lmask, ss, 0.0).sum(axis=1)
                    tie = over & (last == boundary)
                    if tie.any():
                        at = tie[:, None] & (ss == boundary[:, None])
                        if strict:
                            taken = taken & ~at
                        else:
                            taken = taken | (tie[:, None] & elig & (ss >= boundary[:, None]))
                idx[taken] = g
                remaining = remaining & ~taken
            codes = np.where(idx >= 0, table.codes[np.maximum(idx, 0)], -1)
            sub = np.empty(ss.shape, dtype=np.int8)
            np.put_along_axis(sub, order, codes.astype(np.int8), axis=1)
            out[:, pos] = sub
    return out


# --------------------------------------------------------------------------- designs


def default_chunk(cs: CompiledScheme, bound: tuple[BoundFactor, ...], budget_mb: float = 192.0) -> int:
    """Replicates per chunk so that one chunk's arrays stay within ``budget_mb``."""
    widest = max((len(nd.children) for nd in cs.nodes), default=1)
    per = 8.0 * cs.n_units * (len(cs.leaves) + len(cs.nodes) + 4 * widest + 16)
    if any(b.factor.kind == "MeasurementError" for b in bound):
        per += 8.0 * cs.n_units * len(cs.leaves) * 4
    size = int(budget_mb * 2**20 // per)
    return max(64, min(size, 16384))


def run_design(cs: CompiledScheme, bound: tuple[BoundFactor, ...], u: np.ndarray, *, entropy: int,
               chunk_size: int | None = None, n_jobs: int = 1) -> BatchOutput:
    """Evaluate every row of the design ``u`` (``(n, n_inputs)`` uniforms) in chunks."""
    u = np.asarray(u, dtype=float)
    n = u.shape[0]
    size = chunk_size or default_chunk(cs, bound)
    final = np.empty((n, cs.n_units))
    rank = np.empty((n, cs.n_units), dtype=np.float32)
    grade = np.empty((n, cs.n_units), dtype=np.int8)

    cache: dict = {}

    def work(a: int) -> None:
        b = min(n, a + size)
        out = evaluate_params(cs, build_params(cs, bound, u[a:b], entropy), entropy=entropy, cache=cache)
        final[a:b] = out.final
        rank[a:b] = out.rank
        grade[a:b] = out.grade

    starts = range(0, n, size)
    if n_jobs == 1 or n <= size:
        for a in starts:
            work(a)
    else:
        # one BLAS thread per worker: the workers already use the cores
        with _blas_threads(1), ThreadPoolExecutor(max_workers=n_jobs) as pool:
            list(pool.map(work, starts))
    return BatchOutput(final=final, rank=rank, grade=grade)


def _blas_threads(n: int):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(n, user_api="blas")


def sample_uniform(n: int, d: int, rng: np.random.Generator, sampling: str) -> np.ndarray:
    """``(n, d)`` points in ``[0, 1)``: scrambled Sobol' (``"sobol"``) or pseudo-random."""
    if sampling == "random":
        return rng.random((n, d))
    from scipy.stats import qmc

    m = max(0, math.ceil(math.log2(max(n, 1))))
    return qmc.Sobol(d=d, scramble=True, rng=rng).random_base2(m)[:n]
