"""Stability margins: how far may the top-level weights move before a unit's grade
changes, or before it swaps places with a neighbour?

With arithmetic aggregation at the root, a unit's final score is a ratio of linear
functions of the top-level weights ``w`` (children of the root):
``final_u = scale * sum_A w_k s_uk / sum_A w_k + bonus_u - penalty_u`` over the children
``A`` that apply to the unit. Every elementary event — unit ``u`` falls below a threshold,
reaches one, is overtaken by ``v``, overtakes ``v`` — is then one linear inequality in
``w`` (multiply through by ``sum_A w_k > 0``). The smallest L1 change
``sum |w_k - w0_k|`` with the total fixed and each weight within its allowed range that
makes an event (or a pair of events) happen is a linear program, solved with HiGHS
(:func:`scipy.optimize.linprog`).

For each unit the candidate events that can change its grade are built from the grading
rule (thresholds, quotas, vetoes): crossing its own grade's threshold or the next better
one, being overtaken by a unit that is eligible for its quota-limited grade, overtaking a
member of the better quota-limited grade, a better-graded unit dropping out and freeing a
place, and — when a quota needs it — passing (or being passed by) several units at once
(the ones cheapest to pass one by one, or the nearest in score). Candidates are solved in
order of a cheap lower bound (the single-constraint optimum, found greedily), every LP
solution is checked by re-grading all units at the new weights, and the smallest checked
change is reported. Each reported margin is reached by the weights given in
``solutions``; since not every combination of units is searched, it is an upper bound on
the exact margin when a combination not tried would be cheaper (a random search over
the weights finds none smaller on the demo city; see the tests).

Rank margins are the smallest change that makes the unit and the unit just above (or just
below) it in its category swap.
"""
from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from perfkit.engine.evaluation import Evaluation
from perfkit.engine.grading import quota_sizes
from perfkit.errors import did_you_mean
from perfkit.kernels.aggregate import AGGREGATE
from perfkit.sensitivity.batch import grade_batch
from perfkit.sensitivity.compile import CompiledScheme, compile_scheme
from perfkit.sensitivity.factors import FactorError
from perfkit.sensitivity.results import MarginResult
from perfkit.stages import comparable

__all__ = ["stability_margin", "greedy_l1"]

#: Strictness of an event, in score points (well above the rounding of scores).
DELTA = 1e-6


def greedy_l1(a: np.ndarray, w0: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Smallest ``sum |w - w0|`` with ``sum w = sum w0``, ``lo <= w <= hi`` and
    ``a . w >= 0`` (one constraint), by moving weight from the lowest-``a`` to the
    highest-``a`` components; ``inf`` if impossible.

    >>> greedy_l1(np.array([-1.0, 1.0]), np.array([0.6, 0.4]), np.zeros(2), np.ones(2))
    0.2
    """
    need = -float(a @ w0)
    # a shortfall below the LP solver's own feasibility tolerance is no shortfall
    tol = 1e-9 * max(1.0, float(np.abs(a) @ np.abs(w0)))
    if need <= tol:
        return 0.0
    give = np.argsort(a)  # donors: lowest a first
    take = np.argsort(-a)  # receivers: highest a first
    cap_g = (w0 - lo)[give].astype(float)
    cap_t = (hi - w0)[take].astype(float)
    i = j = 0
    cost = 0.0
    while need > 1e-15 and i < len(give) and j < len(take):
        d, r = give[i], take[j]
        gain = a[r] - a[d]
        if gain <= 0:
            break
        if cap_g[i] <= 0:
            i += 1
            continue
        if cap_t[j] <= 0:
            j += 1
            continue
        m = min(cap_g[i], cap_t[j], need / gain if gain > need * 1e-300 else np.inf)
        cost += 2 * m
        need -= m * gain
        cap_g[i] -= m
        cap_t[j] -= m
    return float(round(cost, 12)) if need <= tol else np.inf


def _lp(constraints: list[np.ndarray], w0: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float):
    k = len(w0)
    c = np.concatenate([np.zeros(k), np.ones(k)])
    eye = np.eye(k)
    a_ub = [np.hstack([eye, -eye]), np.hstack([-eye, -eye])]
    b_ub = [w0, -w0]
    for a in constraints:
        a_ub.append(np.concatenate([-a, np.zeros(k)])[None, :])
        b_ub.append(np.zeros(1))
    res = linprog(c, A_ub=np.vstack(a_ub), b_ub=np.concatenate(b_ub),
                  A_eq=np.concatenate([np.ones(k), np.zeros(k)])[None, :], b_eq=[total],
                  bounds=[(float(a), float(b)) for a, b in zip(lo, hi)] + [(0, None)] * k, method="highs")
    if res.status != 0:
        return None
    w = res.x[:k]
    return float(np.abs(w - w0).sum()), w


def _margin_iv(cs: CompiledScheme, bounds, relative):
    root = cs.node(cs.root)
    if AGGREGATE.get(root.aggregate.method).name != "arithmetic":
        raise FactorError(f"stability margins need arithmetic aggregation at the root; {root.id!r} uses "
                          f"{root.aggregate.method!r}", hint="margins are linear programs only for weighted sums")
    if root.weights_spec is not None:
        raise FactorError(f"the weights of {root.id!r} are derived from data ({root.weights_spec.method}); "
                          "margins apply to declared weights")
    if not 0 <= relative < 1:
        raise ValueError(f"relative must be in [0, 1) (got {relative})")
    if bounds is not None:
        for k in bounds:
            if k not in root.children:

                raise FactorError(f"bounds: {k!r} is not a child of {root.id!r}{did_you_mean(k, root.children)}",
                                  hint=f"top-level components: {', '.join(root.children)}")
    return root


def stability_margin(evaluation: Evaluation, *, bounds: Mapping[str, tuple[float, float]] | None = None,
                     relative: float = 0.5) -> MarginResult:
    """Per unit, the smallest L1 change of the top-level weights that changes its grade
    or swaps it with an adjacent unit (see the module docstring).

    Parameters
    ----------
    evaluation
        The nominal evaluation; the root must aggregate arithmetically.
    bounds
        Allowed range per top-level component, in points (points schemes) or in weight
        shares summing to 1 (composite schemes): ``{"satisfaction": (10, 50)}``.
        Components not listed may move by ``relative`` of their nominal weight.
    relative
        Default allowed relative change (0.5: from half to one and a half times).

    Returns
    -------
    MarginResult
        Margins in the weights' units (``grade_margin``), also as a share of the total
        (``grade_margin_share``); ``inf`` when the ranges allow no change.
    """
    t0 = time.perf_counter()
    cs = compile_scheme(evaluation)
    root = _margin_iv(cs, bounds, relative)
    w_nom = root.weights.astype(float)
    if cs.paradigm == "points":
        total = float(cs.scheme.root.points or 100.0)
    else:
        total = 1.0
    w0 = w_nom / w_nom.sum() * total
    lo = w0 * (1 - relative)
    hi = w0 * (1 + relative)
    for k, (a, b) in (bounds or {}).items():
        j = root.children.index(k)
        lo[j], hi[j] = float(a), float(b)
    if np.any(lo > w0 + 1e-12) or np.any(hi < w0 - 1e-12) or lo.sum() > total + 1e-9 or hi.sum() < total - 1e-9:
        raise FactorError("the allowed ranges must contain the nominal weights and allow their total",
                          hint=f"nominal: {dict(zip(root.children, np.round(w0, 6)))}")
    S = np.column_stack([cs.nominal_scores[c] for c in root.children])  # (U, K) on 0-100
    avail = ~np.isnan(S)
    Sf = np.where(avail, S, 0.0)
    adj = cs.bonus - cs.penalty
    scale = cs.scale
    kept = cs.kept & avail.any(axis=1)

    def finals(w: np.ndarray) -> np.ndarray:
        den = avail @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            f = scale * (Sf @ w) / den + adj
        return np.where(kept & (den > 0), f, np.nan)

    f0 = finals(w0)
    ev_final = evaluation.results["final"].to_numpy(dtype=float)
    if np.nanmax(np.abs(np.where(kept, f0 - ev_final, 0.0))) > 1e-6:
        raise FactorError("the top-level scores do not reproduce the final scores (is the root weighted "
                          "arithmetically over its children?)")
    snapped = comparable(f0)
    grade0 = grade_batch(cs, snapped[None, :])[0] if cs.has_grades else np.full(cs.n_units, -1)
    table_of = {}
    for t in cs.grade_tables:
        for _, pos in t.categories:
            for i in pos:
                table_of[i] = t

    def local(i: int) -> int:
        t = table_of.get(i)
        return -1 if t is None or grade0[i] < 0 else int(np.flatnonzero(t.codes == grade0[i])[0])

    def above(i: int, thr: float) -> np.ndarray:  # final_i >= thr + DELTA
        return np.where(avail[i], scale * Sf[i] + adj[i] - thr - DELTA, 0.0)

    def below(i: int, thr: float) -> np.ndarray:  # final_i <= thr - DELTA
        return np.where(avail[i], thr - DELTA - scale * Sf[i] - adj[i], 0.0)

    def beats(i: int, j: int) -> np.ndarray | None:  # final_i >= final_j + DELTA
        if not np.array_equal(avail[i], avail[j]):
            return None
        return np.where(avail[i], scale * (Sf[i] - Sf[j]) + adj[i] - adj[j] - DELTA, 0.0)

    n_lp = 0
    rows = []
    solutions: dict[tuple[str, str], pd.Series] = {}
    cats = cs.categories
    for i in range(cs.n_units):
        uid = cs.units[i]
        row = {"unit_id": uid, "category": cats[i], "final": f0[i], "grade": cs.grade_names[grade0[i]]
               if grade0[i] >= 0 else None, "grade_margin": np.nan, "grade_event": "", "new_grade": None,
               "other_unit": None, "rank_margin": np.nan, "swap_with": None, "note": ""}
        if not kept[i]:
            row["note"] = "no score"
            rows.append(row)
            continue
        peers = [j for j in np.flatnonzero((cats == cats[i]) & kept) if j != i]
        # ---------------------------------------------------------------- grade events
        t = table_of.get(i)
        if t is not None and grade0[i] >= 0:
            g = local(i)
            k = len(t.ids)
            allowed = t.best_allowed
            thr = t.min_scores
            quota = t.max_shares
            cands: list[tuple[str, str | None, list[np.ndarray]]] = []
            if g < k - 1 and thr[g] is not None:
                cands.append((f"falls below {t.ids[g]} threshold {thr[g]:g}", None, [below(i, thr[g])]))
            if g > 0 and allowed[i] <= g - 1 and thr[g - 1] is not None:
                cands.append((f"reaches {t.ids[g - 1]} threshold {thr[g - 1]:g}", None, [above(i, thr[g - 1])]))
            for j in peers:
                gj = local(j)
                if g < k - 1 and quota[g] is not None and gj > g and allowed[j] <= g:
                    b = beats(j, i)
                    if b is not None:
                        cons = [b] + ([above(j, thr[g])] if thr[g] is not None else [])
                        cands.append((f"overtaken by {cs.units[j]} for the {t.ids[g]} quota", cs.units[j], cons))
                if g > 0 and quota[g - 1] is not None and gj == g - 1 and allowed[i] <= g - 1:
                    b = beats(i, j)
                    if b is not None:
                        cons = [b] + ([above(i, thr[g - 1])] if thr[g - 1] is not None else [])
                        cands.append((f"overtakes {cs.units[j]} for the {t.ids[g - 1]} quota", cs.units[j], cons))
                if 0 <= gj < g and thr[gj] is not None and gj < k - 1:
                    cons = [below(j, thr[gj])]
                    if g > 0 and thr[g - 1] is not None and gj == g - 1 and allowed[i] <= g - 1:
                        cons.append(above(i, thr[g - 1]))
                    cands.append((f"{cs.units[j]} falls below {t.ids[gj]}", cs.units[j], cons))
            cands += _combined(i, g, t, peers, local, f0, beats, above, thr, quota, allowed, cs, w0, lo, hi)
            best = _solve(cands, w0, lo, hi, total, lambda w, i=i: _grade_changed(cs, finals(w), i, grade0[i]))
            n_lp += best[-1]
            if best[0] is not None:
                cost, event, other, w = best[:4]
                fw = comparable(finals(w))
                new = grade_batch(cs, fw[None, :])[0][i]
                row.update(grade_margin=cost, grade_event=event, other_unit=other,
                           new_grade=cs.grade_names[new] if new >= 0 else None)
                solutions[(uid, "grade")] = pd.Series(w, index=root.children, name=uid)
            else:
                row["grade_margin"] = np.inf
                row["note"] = "no single event changes the grade within the ranges"
        # ---------------------------------------------------------------- rank swaps
        mine = f0[i]
        up = [j for j in peers if f0[j] > mine]
        down = [j for j in peers if f0[j] < mine]
        tied = [j for j in peers if f0[j] == mine]
        cands = []
        if up:
            j = min(up, key=lambda q: f0[q])
            b = beats(i, j)
            if b is not None:
                cands.append((f"overtakes {cs.units[j]}", cs.units[j], [b]))
        if down:
            j = max(down, key=lambda q: f0[q])
            b = beats(j, i)
            if b is not None:
                cands.append((f"overtaken by {cs.units[j]}", cs.units[j], [b]))
        if tied:
            row.update(rank_margin=0.0, swap_with=cs.units[tied[0]])
        elif cands:
            best = _solve(cands, w0, lo, hi, total, lambda w, i=i: True)
            n_lp += best[-1]
            if best[0] is not None:
                row.update(rank_margin=best[0], swap_with=best[2])
                solutions[(uid, "rank")] = pd.Series(best[3], index=root.children, name=uid)
            else:
                row["rank_margin"] = np.inf
        rows.append(row)
    units = pd.DataFrame(rows).set_index("unit_id")
    res = evaluation.results
    units.insert(0, "name_zh", res["name_zh"].reindex(units.index).to_numpy())
    units.insert(1, "name_en", res["name_en"].reindex(units.index).to_numpy())
    units.insert(4, "rank", res["rank"].reindex(units.index).to_numpy())
    units.insert(units.columns.get_loc("grade_margin") + 1, "grade_margin_share", units["grade_margin"] / total)
    weights = pd.DataFrame({"nominal": w0, "low": lo, "high": hi}, index=pd.Index(root.children, name="component"))
    return MarginResult(units=units, weights=weights, node=root.id, total=total, solutions=solutions, n_lp=n_lp,
                        seconds=time.perf_counter() - t0)


def _combined(i, g, t, peers, local, f0, beats, above, thr, quota, allowed, cs, w0, lo, hi):
    """Combined events for quota-limited grades: ``u`` must pass several units at once
    to enter the better grade, or several units must pass ``u`` to push it out. The units
    taken are the cheapest to pass one by one, or the nearest in score."""
    out = []
    k = len(t.ids)
    n_valid = np.array([len(peers) + 1])
    if g > 0 and quota[g - 1] is not None and allowed[i] <= g - 1:
        q = int(quota_sizes(quota[g - 1], n_valid, cs.rounding)[0])
        ahead = [j for j in peers if f0[j] > f0[i] and local(j) >= g - 1 and allowed[j] <= g - 1
                 and (thr[g - 1] is None or f0[j] >= thr[g - 1])]
        need = len(ahead) - q + 1
        if need >= 2:
            cons = {j: beats(i, j) for j in ahead}
            cons = {j: c for j, c in cons.items() if c is not None}
            if len(cons) >= need:
                extra = [above(i, thr[g - 1])] if thr[g - 1] is not None else []
                for _how, pick in _picks(cons, f0, need, w0, lo, hi, nearest=lambda j: f0[j]):
                    out.append((f"overtakes {need} units ({', '.join(cs.units[j] for j in pick)}) for the "
                                f"{t.ids[g - 1]} quota", cs.units[pick[0]], [cons[j] for j in pick] + extra))
    if g < k - 1 and quota[g] is not None:
        q = int(quota_sizes(quota[g], n_valid, cs.rounding)[0])
        members = sorted([j for j in peers if local(j) == g] + [i], key=lambda j: -f0[j])
        pos = members.index(i) + 1
        need = q - pos + 1
        outs = [j for j in peers if local(j) > g and allowed[j] <= g]
        if need >= 2:
            cons = {j: beats(j, i) for j in outs}
            cons = {j: c for j, c in cons.items() if c is not None}
            if len(cons) >= need:
                for _how, pick in _picks(cons, f0, need, w0, lo, hi, nearest=lambda j: -f0[j]):
                    extra = [above(j, thr[g]) for j in pick] if thr[g] is not None else []
                    out.append((f"overtaken by {need} units ({', '.join(cs.units[j] for j in pick)}) for the "
                                f"{t.ids[g]} quota", cs.units[pick[0]], [cons[j] for j in pick] + extra))
    return out


def _picks(cons, f0, need, w0, lo, hi, nearest):
    costs = {j: greedy_l1(c, w0, lo, hi) for j, c in cons.items()}
    cheap = sorted(cons, key=lambda j: costs[j])[:need]
    near = sorted(cons, key=nearest)[:need]
    picks = [("cheapest", cheap)]
    if set(near) != set(cheap):
        picks.append(("nearest", near))
    return picks


def _grade_changed(cs: CompiledScheme, f: np.ndarray, i: int, g0: int) -> bool:
    g = grade_batch(cs, comparable(f)[None, :])[0]
    return bool(g[i] != g0)


def _solve(cands, w0, lo, hi, total, check):
    """Smallest verified LP solution among candidate events, solved in order of the
    greedy lower bound; returns ``(cost, event, other, w, n_lp)`` or ``(None, .., n_lp)``."""
    bounded = []
    for event, other, cons in cands:
        lb = max(greedy_l1(a, w0, lo, hi) for a in cons)
        if np.isfinite(lb):
            bounded.append((lb, event, other, cons))
    bounded.sort(key=lambda x: x[0])
    best = None
    n_lp = 0
    for lb, event, other, cons in bounded:
        if best is not None and lb >= best[0] - 1e-12:
            break
        sol = _lp(cons, w0, lo, hi, total)
        n_lp += 1
        if sol is None:
            continue
        cost, w = sol
        if check(w) and (best is None or cost < best[0]):
            best = (cost, event, other, w)
    if best is None:
        return None, None, None, None, n_lp
    return (*best, n_lp)
