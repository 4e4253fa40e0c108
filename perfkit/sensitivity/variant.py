"""The slow path: one replicate as a scheme variant and round-data variant for
:func:`perfkit.evaluate`, and :func:`verify`, which checks the batched engine against it.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfkit.engine.evaluate import evaluate
from perfkit.engine.evaluation import Evaluation
from perfkit.io.round import RoundData
from perfkit.results import as_rng
from perfkit.scheme import Scheme, load_scheme
from perfkit.sensitivity.batch import bootstrap_rows, build_params, evaluate_params, sample_uniform
from perfkit.sensitivity.compile import CompiledScheme, compile_scheme
from perfkit.sensitivity.factors import Factor, bind_factors, factor_table
from perfkit.sensitivity.params import Params
from perfkit.stages import default_target_rule

__all__ = ["replicate_variant", "verify", "VerificationResult"]


def _spec_dict(spec) -> dict:
    return {"method": spec.method, **spec.params}


def _raw_nodes(raw: dict) -> dict[str, dict]:
    out = {}
    stack = [raw["structure"]]
    while stack:
        cur = stack.pop()
        out[cur["id"]] = cur
        stack.extend(cur.get("children") or [])
    return out


def replicate_variant(cs: CompiledScheme, p: Params, row: int = 0, *, entropy: int = 0) -> tuple[Scheme, RoundData]:
    """The scheme and round data that make :func:`perfkit.evaluate` compute replicate
    ``row`` of ``p`` the slow way (one full evaluation)."""
    ev = cs.evaluation
    scheme = ev.scheme
    raw = scheme.to_dict()
    nodes = _raw_nodes(raw)
    for ids, c in p.normalise:
        spec = c.options[int(c.index[row])]
        for i in ids:
            nodes[i]["normalise"] = _spec_dict(spec)
    for nid, c in p.aggregate.items():
        nodes[nid]["aggregate"] = _spec_dict(c.options[int(c.index[row])])
    for nid, c in p.weight_method.items():
        opt = c.options[int(c.index[row])]
        if opt is None:
            nodes[nid].pop("weights", None)
        else:
            nodes[nid]["weights"] = dict(opt)
    for (nid, param), v in p.rule_param.items():
        node = scheme.nodes[nid]
        if "rule" not in nodes[nid] or nodes[nid]["rule"] is None:
            default = default_target_rule(node)
            nodes[nid]["rule"] = _spec_dict(default)
        elif isinstance(nodes[nid]["rule"], str):
            nodes[nid]["rule"] = {"method": nodes[nid]["rule"]}
        nodes[nid]["rule"][param] = float(v[row])
    dropped = None
    if p.dropped is not None and p.dropped[row] >= 0:
        dropped = cs.leaves[int(p.dropped[row])].id
        parent = nodes[scheme.parent[dropped]]
        parent["children"] = [c for c in parent["children"] if c["id"] != dropped]
    if scheme.paradigm == "points":
        if p.weights or dropped is not None:
            rel = {}
            for node in cs.nodes:
                w = p.weights[node.id][row] if node.id in p.weights else node.weights
                rel[node.id] = {c: float(x) for c, x in zip(node.children, w) if c != dropped}
            _assign_points(raw["structure"], float(raw["structure"]["points"]), rel)
    else:
        for nid, w in p.weights.items():
            node = cs.node(nid)
            for c, x in zip(node.children, w[row]):
                if c != dropped:
                    nodes[c]["weight"] = float(x)
    for (table, g), v in p.quota.items():
        rules = raw["grading"]["default"] if table == "default" else raw["grading"]["by_category"][table]
        rules[g]["max_share"] = float(v[row])
    variant = load_scheme(raw)
    data = ev.input_data
    if p.survey_keys is not None:
        rows = cs.survey.rows[bootstrap_rows(cs.survey, p.survey_factor, int(p.survey_keys[row]), entropy)]
        data = data.replace(survey=ev.data.survey.iloc[rows].reset_index(drop=True))
    if dropped is not None and len(data.values):
        iid = data.values["indicator_id"].astype("string").str.strip()
        data = data.replace(values=data.values[(iid != dropped).fillna(True).to_numpy()].reset_index(drop=True))
    if p.noise is not None:
        bound, keys = p.noise
        noisy = bound.factor.realise(bound, cs, int(keys[row]), entropy)
        data = data.replace(values=_noisy_values(cs, data.values, bound.targets, noisy))
    return variant, data


def _assign_points(node: dict, points: float, rel: dict[str, dict[str, float]]) -> None:
    node["points"] = points
    children = node.get("children") or []
    if not children:
        return
    w = rel.get(node["id"])
    if w is None:
        w = {c["id"]: float(c["points"]) for c in children}
    total = sum(w[c["id"]] for c in children)
    for c in children:
        _assign_points(c, points * w[c["id"]] / total if total > 0 else 0.0, rel)


def _noisy_values(cs: CompiledScheme, values: pd.DataFrame, ids: Sequence[str], noisy: np.ndarray) -> pd.DataFrame:
    out = values.copy()
    uid = out["unit_id"].astype("string").str.strip()
    iid = out["indicator_id"].astype("string").str.strip()
    pos = {u: i for i, u in enumerate(cs.units)}
    col = out["value"].astype(object).copy()
    for j, ind in enumerate(ids):
        sel = np.flatnonzero((iid == ind).fillna(False).to_numpy())
        for r in sel:
            i = pos.get(uid.iloc[r])
            if i is not None and not np.isnan(cs.raw[i, cs.leaf(ind).index]):
                col.iloc[r] = float(noisy[i, j])
    out["value"] = col
    return out


@dataclass(frozen=True, eq=False)
class VerificationResult:
    """The batched engine against full :func:`perfkit.evaluate` runs on the same replicates.

    Attributes
    ----------
    max_abs_diff
        Largest absolute difference of a final score over all checked replicates and units.
    ranks_equal, grades_equal
        Whether ranks within category and grades agree for every replicate.
    n
        Replicates checked.
    table
        One row per replicate: max |diff|, ranks and grades equal, the choices made.
    factors
        The factors varied.
    """

    max_abs_diff: float
    ranks_equal: bool
    grades_equal: bool
    n: int
    table: pd.DataFrame
    factors: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __repr__(self) -> str:
        return (f"VerificationResult(n={self.n}, max_abs_diff={self.max_abs_diff:.3g}, "
                f"ranks_equal={self.ranks_equal}, grades_equal={self.grades_equal})")

    def _repr_html_(self) -> str:
        return f"<p><b>{html.escape(repr(self))}</b></p>" + self.table.to_html(index=False)


def verify(evaluation: Evaluation, factors: Sequence[Factor], *, n: int = 10,
           rng: None | int | np.random.Generator = None, sampling: str = "random") -> VerificationResult:
    """Evaluate ``n`` random replicates both ways (batched engine and one full
    :func:`perfkit.evaluate` each) and compare final scores, ranks and grades.

    Both rank and grade final scores rounded to
    :data:`~perfkit.stages.results.SCORE_DECIMALS` decimals, so their ranks and grades
    are compared as they are.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1 (got {n})")
    gen = as_rng(rng)
    cs = compile_scheme(evaluation)
    bound = bind_factors(cs, factors)
    entropy = int(gen.integers(2**62))
    u = sample_uniform(n, sum(b.dims for b in bound), gen, sampling)
    p = build_params(cs, bound, u, entropy)
    fast = evaluate_params(cs, p, entropy=entropy)
    rows = []
    ranks_ok = grades_ok = True
    worst = 0.0
    for r in range(n):
        scheme, data = replicate_variant(cs, p, r, entropy=entropy)
        slow = evaluate(scheme, data)
        f_slow = slow.results["final"].to_numpy(dtype=float)
        diff = float(np.nanmax(np.abs(f_slow - fast.final[r]))) if np.isfinite(f_slow).any() else 0.0
        same_nan = bool((np.isnan(f_slow) == np.isnan(fast.final[r])).all())
        if not same_nan:
            diff = np.inf
        worst = max(worst, diff)
        rk = slow.results["rank"].to_numpy(dtype=float)
        r_ok = bool(np.array_equal(np.nan_to_num(rk, nan=-1), np.nan_to_num(fast.rank[r].astype(float), nan=-1)))
        g_ok = True
        if cs.has_grades:
            names = np.array(list(cs.grade_names) + [None], dtype=object)
            g_ok = bool((slow.results["grade"].to_numpy(dtype=object) == names[fast.grade[r]]).all())
        ranks_ok &= r_ok
        grades_ok &= g_ok
        rows.append({"replicate": r, "max_abs_diff": diff, "ranks_equal": r_ok, "grades_equal": g_ok,
                     "scheme_hash": scheme.hash[:12]})
    return VerificationResult(max_abs_diff=worst, ranks_equal=ranks_ok, grades_equal=grades_ok, n=n,
                              table=pd.DataFrame(rows), factors=factor_table(bound))
