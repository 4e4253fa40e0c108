"""Analytic hierarchy process (层次分析法): priorities, consistency, diagnosis, groups, hierarchies."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._common import WEIGHTS, WeightingError, as_names, check_choice, n_columns, note
from .result import WeightResult

__all__ = [
    "RI_TABLES",
    "SAATY_SCALE",
    "AHPResult",
    "HierarchyResult",
    "Judgement",
    "Revision",
    "ahp_hierarchy",
    "ahp_weights",
    "check_pairwise_matrix",
    "consistency_ratio",
    "diagnose_ahp",
    "group_ahp",
    "random_index",
    "scale_label",
]

#: Saaty's 1-9 scale and its reciprocals, ascending (17 values).
SAATY_SCALE: tuple[float, ...] = tuple(sorted({float(k) for k in range(1, 10)} | {1.0 / k for k in range(2, 10)}))

#: Random index tables, indexed by matrix order ``n`` (``table[n - 1]``).
RI_TABLES: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        # Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill; n = 1..11.
        "saaty1980": (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51),
        # The table printed in most Chinese AHP textbooks; n = 1..15.
        "cn_textbook": (0.0, 0.0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59),
    }
)

_PRIORITIES = ("eigenvector", "geometric_mean", "column_mean")
_SCALES = ("saaty", "any")
_TOL = 0.02  # relative tolerance for typed fractions such as 0.33 for 1/3


def scale_label(value: float) -> str:
    """``"3"`` or ``"1/3"`` for a value on Saaty's scale, else ``"%.4g"``.

    >>> scale_label(3.0), scale_label(1 / 3), scale_label(2.5)
    ('3', '1/3', '2.5')
    """
    if value >= 1 and abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    if value < 1 and abs(1 / value - round(1 / value)) < 1e-9:
        return f"1/{int(round(1 / value))}"
    return f"{value:.4g}"


def random_index(n: int, table: str = "saaty1980") -> float:
    """Random index RI of a matrix of order ``n`` from the named table.

    >>> random_index(6), random_index(6, "cn_textbook")
    (1.24, 1.26)
    """
    rows = RI_TABLES.get(table)
    if rows is None:
        raise WeightingError(
            f"unknown random index table {table!r}", hint=f"choose one of: {', '.join(RI_TABLES)}"
        )
    if not 1 <= n <= len(rows):
        raise WeightingError(
            f"random index table {table!r} covers matrices of order 1 to {len(rows)}; got {n}",
            hint="split the criteria into a hierarchy, or choose a table that covers this order",
        )
    return rows[n - 1]


def _cell(i: int, j: int, names: Sequence[str] | None) -> str:
    if names is not None:
        return f"row {names[i]!r}, column {names[j]!r}"
    return f"row {i + 1}, column {j + 1}"


def check_pairwise_matrix(
    matrix: Any, *, scale: str = "saaty", names: Sequence[str] | None = None
) -> np.ndarray:
    """Validate a pairwise comparison matrix and return it as clean floats.

    Checks: square, finite, positive, unit diagonal, reciprocal (``a_ij a_ji = 1`` within
    2 %, so a typed ``0.33`` passes for ``1/3``) and, with ``scale="saaty"``, every
    judgement on Saaty's 1-9 scale (``1/9 ... 9``). Of each reciprocal pair, the entry
    ``>= 1`` is kept and the other replaced by its exact reciprocal.

    Examples
    --------
    >>> check_pairwise_matrix([[1, 3], [0.33, 1]])[1, 0].round(4)
    np.float64(0.3333)
    >>> check_pairwise_matrix([[1, 3], [3, 1]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.weighting._common.WeightingError: AHP matrix is not reciprocal: row 1, column 2 is 3 but ...
    """
    check_choice("scale", scale, _SCALES)
    try:
        A = np.array(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise WeightingError(f"AHP matrix must contain numbers: {exc}") from None
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise WeightingError(f"AHP matrix must be square; got shape {A.shape}")
    n = A.shape[0]
    if names is not None and len(names) != n:
        raise WeightingError(f"AHP matrix has order {n} but {len(names)} names were given")
    bad = ~np.isfinite(A) | (A <= 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise WeightingError(
            f"AHP matrix entries must be positive numbers; {_cell(i, j, names)} is {A[i, j]:g}"
        )
    for i in range(n):
        if abs(A[i, i] - 1.0) > 1e-9:
            raise WeightingError(f"AHP matrix diagonal must be 1; {_cell(i, i, names)} is {A[i, i]:g}")
    for i in range(n):
        for j in range(i + 1, n):
            a, b = A[i, j], A[j, i]
            if abs(math.log(a * b)) > math.log1p(_TOL):
                raise WeightingError(
                    f"AHP matrix is not reciprocal: {_cell(i, j, names)} is {a:g} but "
                    f"{_cell(j, i, names)} is {b:g} (should be {scale_label(1 / a)} ≈ {1 / a:.4g})",
                    hint="every a_ji must equal 1/a_ij",
                )
            if a >= 1:
                A[j, i] = 1.0 / a
            else:
                A[i, j] = 1.0 / b
            if scale == "saaty":
                big, (r, c) = (A[i, j], (i, j)) if A[i, j] >= 1 else (A[j, i], (j, i))
                k = round(big)
                if not (1 <= k <= 9) or abs(big - k) > _TOL * big:
                    raise WeightingError(
                        f"AHP judgement {_cell(r, c, names)} = {big:.4g} is not on Saaty's scale "
                        f"(1, 2, ..., 9 and 1/2, ..., 1/9)",
                        hint="use the 1-9 scale, or pass scale='any' for ratios off the scale",
                    )
    return A


def _priorities(A: np.ndarray, priority: str) -> tuple[np.ndarray, float]:
    """Priority vector and lambda_max (for non-eigenvector methods: mean of (Aw)_i / w_i)."""
    n = A.shape[0]
    if n == 1:
        return np.ones(1), 1.0
    if priority == "eigenvector":
        vals, vecs = np.linalg.eig(A)
        k = int(np.argmax(vals.real))
        w = np.abs(vecs[:, k].real)
        return w / w.sum(), float(vals[k].real)
    if priority == "geometric_mean":
        w = np.exp(np.log(A).mean(axis=1))
    else:  # column_mean (和积法)
        w = (A / A.sum(axis=0)).mean(axis=1)
    w = w / w.sum()
    return w, float(np.mean(A @ w / w))


def _consistency(lam: float, n: int, ri_table: str) -> tuple[float, float, float]:
    ri = random_index(n, ri_table)
    ci = max(0.0, (lam - n) / (n - 1)) if n > 2 else 0.0
    cr = ci / ri if ri > 0 else 0.0
    return ci, ri, cr


def consistency_ratio(matrix: Any, *, priority: str = "eigenvector", ri_table: str = "saaty1980") -> float:
    """CR of a (valid) pairwise comparison matrix.

    >>> round(consistency_ratio([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]]), 12)
    0.0
    """
    A = check_pairwise_matrix(matrix, scale="any")
    lam = _priorities(A, priority)[1]
    return _consistency(lam, A.shape[0], ri_table)[2]


@dataclass(frozen=True)
class Judgement:
    """Diagnosis of one judgement ``a_ij`` of an inconsistent matrix.

    Attributes
    ----------
    row, col
        0-based position (``row < col``).
    row_name, col_name
        Indicator names (or 1-based positions as text).
    value
        The judgement as given.
    consistent_value
        ``w_i / w_j``: the value the priorities imply.
    deviation
        ``|ln(a_ij w_j / w_i)|``: how far the judgement is from the priorities.
    suggested, cr_suggested
        The value on Saaty's scale minimising CR when only this judgement changes, and
        that CR.
    acceptable, cr_acceptable
        The scale value closest to the given one (on a log scale) that brings CR under
        the threshold, and that CR; ``None`` when no single change does.
    """

    row: int
    col: int
    row_name: str
    col_name: str
    value: float
    consistent_value: float
    deviation: float
    suggested: float
    cr_suggested: float
    acceptable: float | None
    cr_acceptable: float | None

    def describe(self) -> str:
        text = (
            f"judgement {self.row_name} vs {self.col_name} = {scale_label(self.value)} "
            f"(the priorities imply {self.consistent_value:.3g}); "
            f"changing it to {scale_label(self.suggested)} gives CR = {self.cr_suggested:.3f}"
        )
        if self.acceptable is not None and self.acceptable != self.suggested:
            text += f"; the nearest acceptable value is {scale_label(self.acceptable)} (CR = {self.cr_acceptable:.3f})"
        return text


@dataclass(frozen=True)
class Revision:
    """One step of the greedy revision path: set ``a[row, col]`` to ``new``."""

    row: int
    col: int
    row_name: str
    col_name: str
    old: float
    new: float
    cr_after: float


def _with(A: np.ndarray, i: int, j: int, v: float) -> np.ndarray:
    B = A.copy()
    B[i, j], B[j, i] = v, 1.0 / v
    return B


def _cr_of(A: np.ndarray, priority: str, ri_table: str) -> float:
    return _consistency(_priorities(A, priority)[1], A.shape[0], ri_table)[2]


def _diagnose(
    A: np.ndarray, names: Sequence[str], *, priority: str, ri_table: str, threshold: float, top: int
) -> tuple[tuple[Judgement, ...], tuple[Revision, ...]]:
    n = A.shape[0]
    if n < 3:
        return (), ()
    w = _priorities(A, priority)[0]
    iu, ju = np.triu_indices(n, k=1)
    dev = np.abs(np.log(A[iu, ju] * w[ju] / w[iu]))
    order = np.argsort(-dev, kind="stable")
    judgements = []
    for k in order[: max(0, int(top))]:
        i, j = int(iu[k]), int(ju[k])
        crs = np.array([_cr_of(_with(A, i, j, s), priority, ri_table) for s in SAATY_SCALE])
        dist = np.abs(np.log(np.array(SAATY_SCALE) / A[i, j]))
        best = int(np.lexsort((dist, np.round(crs, 12)))[0])
        ok = np.flatnonzero(crs < threshold)
        acc = int(ok[np.argmin(dist[ok])]) if ok.size else None
        judgements.append(
            Judgement(
                row=i, col=j, row_name=names[i], col_name=names[j],
                value=float(A[i, j]), consistent_value=float(w[i] / w[j]), deviation=float(dev[k]),
                suggested=SAATY_SCALE[best], cr_suggested=float(crs[best]),
                acceptable=None if acc is None else SAATY_SCALE[acc],
                cr_acceptable=None if acc is None else float(crs[acc]),
            )
        )
    # Greedy path: repeatedly set the most deviating, not yet revised judgement to its
    # CR-minimising scale value, until CR < threshold.
    path: list[Revision] = []
    B = A.copy()
    done: set[tuple[int, int]] = set()
    cr = _cr_of(B, priority, ri_table)
    while cr >= threshold and len(done) < iu.size:
        wb = _priorities(B, priority)[0]
        devb = np.abs(np.log(B[iu, ju] * wb[ju] / wb[iu]))
        for k in np.argsort(-devb, kind="stable"):
            if (int(iu[k]), int(ju[k])) not in done:
                break
        i, j = int(iu[k]), int(ju[k])
        done.add((i, j))
        crs = np.array([_cr_of(_with(B, i, j, s), priority, ri_table) for s in SAATY_SCALE])
        dist = np.abs(np.log(np.array(SAATY_SCALE) / B[i, j]))
        best = int(np.lexsort((dist, np.round(crs, 12)))[0])
        if crs[best] >= cr - 1e-12:
            continue  # no improvement from this judgement
        path.append(Revision(i, j, names[i], names[j], float(B[i, j]), SAATY_SCALE[best], float(crs[best])))
        B = _with(B, i, j, SAATY_SCALE[best])
        cr = float(crs[best])
    return tuple(judgements), tuple(path)


@dataclass(frozen=True, repr=False)
class AHPResult(WeightResult):
    """AHP weights with the consistency check and, when inconsistent, a diagnosis.

    Attributes (besides those of :class:`WeightResult`)
    ----------------------------------------------------
    matrix
        The (cleaned or aggregated) pairwise comparison matrix.
    lambda_max, ci, ri, cr
        Principal eigenvalue (or its estimate), consistency index, random index and
        consistency ratio ``CR = CI / RI``.
    ri_table
        Name of the random index table used (key of :data:`RI_TABLES`).
    threshold, consistent
        ``consistent`` is ``CR < threshold``.
    diagnosis
        The judgements that contribute most to the inconsistency (largest deviation
        first), each with a suggested value; empty when consistent.
    revision
        A greedy sequence of changes that brings CR under the threshold (or as low as
        single changes can); empty when consistent.
    """

    matrix: np.ndarray | None = None
    lambda_max: float = float("nan")
    ci: float = float("nan")
    ri: float = float("nan")
    cr: float = float("nan")
    ri_table: str = "saaty1980"
    threshold: float = 0.1
    consistent: bool = True
    diagnosis: tuple[Judgement, ...] = ()
    revision: tuple[Revision, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.matrix is not None:
            A = np.array(self.matrix, dtype=float)
            A.setflags(write=False)
            object.__setattr__(self, "matrix", A)

    def diagnosis_frame(self):
        """The diagnosis as a DataFrame (one row per judgement, worst first)."""

        rows = [
            {
                "row": d.row_name,
                "column": d.col_name,
                "value": scale_label(d.value),
                "consistent_value": d.consistent_value,
                "deviation": d.deviation,
                "suggested": scale_label(d.suggested),
                "cr_suggested": d.cr_suggested,
                "acceptable": None if d.acceptable is None else scale_label(d.acceptable),
                "cr_acceptable": d.cr_acceptable,
            }
            for d in self.diagnosis
        ]
        return pd.DataFrame(rows, columns=[
            "row", "column", "value", "consistent_value", "deviation",
            "suggested", "cr_suggested", "acceptable", "cr_acceptable",
        ])

    def __repr__(self) -> str:
        base = super().__repr__()[:-1]
        return f"{base}, CR={self.cr:.4f} ({self.ri_table}), consistent={self.consistent})"

    def _repr_html_(self) -> str:
        out = super()._repr_html_()
        if self.diagnosis:
            out = out[: -len("</div>")] + "<p>diagnosis:</p>" + self.diagnosis_frame().to_html(
                index=False, float_format=lambda x: f"{x:.4f}"
            ) + "</div>"
        return out


def _ahp_core(
    A: np.ndarray,
    names: tuple[str, ...] | None,
    *,
    method: str,
    params: dict,
    priority: str,
    ri_table: str,
    threshold: float,
    top: int,
    messages: list[str],
    extra: Mapping[str, Any] | None = None,
) -> AHPResult:
    n = A.shape[0]
    random_index(n, ri_table)  # validates the table and the order first
    w, lam = _priorities(A, priority)
    ci, ri, cr = _consistency(lam, n, ri_table)
    consistent = bool(cr < threshold)
    labels = names if names is not None else tuple(str(i + 1) for i in range(n))
    diagnosis: tuple[Judgement, ...] = ()
    revision: tuple[Revision, ...] = ()
    if not consistent:
        diagnosis, revision = _diagnose(A, labels, priority=priority, ri_table=ri_table, threshold=threshold, top=top)
        text = f"AHP matrix is inconsistent: CR = {cr:.3f} >= {threshold:g} (RI table {ri_table!r})"
        if diagnosis:
            text += "; most inconsistent " + diagnosis[0].describe()
            if all(d.acceptable is None for d in diagnosis):
                text += f"; no single change brings CR under {threshold:g}, see the revision path"
        note(messages, text, stacklevel=4)
    diagnostics = {
        "lambda_max": lam,
        "CI": ci,
        "RI": ri,
        "CR": cr,
        "ri_table": ri_table,
        "threshold": threshold,
        "consistent": consistent,
        "priority": priority,
    }
    if extra:
        diagnostics.update(extra)
    if diagnosis:
        diagnostics["diagnosis"] = [d.describe() for d in diagnosis]
    return AHPResult(
        weights=w, method=method, params=params, names=names, diagnostics=diagnostics,
        warnings=tuple(messages), matrix=A, lambda_max=lam, ci=ci, ri=ri, cr=cr,
        ri_table=ri_table, threshold=threshold, consistent=consistent,
        diagnosis=diagnosis, revision=revision,
    )


def _check_common(priority: str, ri_table: str, threshold: float, top: int) -> float:
    check_choice("priority", priority, _PRIORITIES)
    if ri_table not in RI_TABLES:
        raise WeightingError(
            f"unknown random index table {ri_table!r}", hint=f"choose one of: {', '.join(RI_TABLES)}"
        )
    threshold = float(threshold)
    if not 0 < threshold < 1:
        raise WeightingError(f"CR threshold must be between 0 and 1; got {threshold:g}")
    if not isinstance(top, (int, np.integer)) or top < 0:
        raise WeightingError(f"top must be a non-negative integer; got {top!r}")
    return threshold


@WEIGHTS.register("ahp", kind="subjective", needs_data=False)
def ahp_weights(
    X: Any = None,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    matrix: Any,
    priority: str = "eigenvector",
    ri_table: str = "saaty1980",
    threshold: float = 0.1,
    scale: str = "saaty",
    top: int = 3,
) -> AHPResult:
    """AHP priorities of one pairwise comparison matrix, with CR and a diagnosis.

    Parameters
    ----------
    X
        Optional; used only to check that the matrix has one row per indicator.
    direction
        Ignored (judgements are about importance, not direction).
    names
        Indicator names (also used in messages and the diagnosis).
    matrix
        The pairwise comparison matrix ``a_ij`` = importance of ``i`` over ``j``.
        Validated by :func:`check_pairwise_matrix`.
    priority
        ``"eigenvector"`` (Saaty's principal right eigenvector, default),
        ``"geometric_mean"`` (row geometric mean, 方根法) or ``"column_mean"``
        (normalised column average, 和积法). For the latter two ``lambda_max`` is the
        usual estimate ``mean((A w)_i / w_i)``.
    ri_table
        ``"saaty1980"`` (default) or ``"cn_textbook"``; see :data:`RI_TABLES`. The name
        is recorded in every result.
    threshold
        CR below which the matrix is accepted (0.1).
    scale
        ``"saaty"`` (judgements must be on the 1-9 scale) or ``"any"``.
    top
        How many judgements to diagnose when the matrix is inconsistent.

    Returns
    -------
    AHPResult

    References
    ----------
    .. [1] Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill.
    .. [2] Wang, Y.-M., Chin, K.-S. (2011). Fuzzy analytic hierarchy process: A
       logarithmic fuzzy preference programming methodology. International Journal of
       Approximate Reasoning 52(4), 541-553.

    Examples
    --------
    >>> r = ahp_weights(matrix=[[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]], names=["a", "b", "c"])
    >>> r.weights.round(4).tolist(), round(r.cr, 4), r.ri_table, r.consistent
    ([0.637, 0.2583, 0.1047], 0.0332, 'saaty1980', True)
    """
    threshold = _check_common(priority, ri_table, threshold, top)
    check_choice("scale", scale, _SCALES)
    m = n_columns(X)
    names = as_names(names, None)
    A = check_pairwise_matrix(matrix, scale=scale, names=names)
    if m is not None and m != A.shape[0]:
        raise WeightingError(f"AHP matrix has order {A.shape[0]} but there are {m} indicators")
    params = {
        "matrix": A.tolist(), "priority": priority, "ri_table": ri_table,
        "threshold": threshold, "scale": scale, "top": int(top),
    }
    return _ahp_core(
        A, names, method="ahp", params=params, priority=priority, ri_table=ri_table,
        threshold=threshold, top=int(top), messages=[],
    )


def diagnose_ahp(
    matrix: Any,
    *,
    names: Sequence[str] | None = None,
    priority: str = "eigenvector",
    ri_table: str = "saaty1980",
    threshold: float = 0.1,
    top: int = 3,
) -> tuple[tuple[Judgement, ...], tuple[Revision, ...]]:
    """Diagnose a matrix whatever its CR: ``(judgements, revision_path)``.

    Judgements are ranked by ``|ln(a_ij w_j / w_i)|`` (largest first); for each of the
    ``top`` worst, every value on Saaty's scale is tried and the one minimising CR is
    suggested, together with the nearest value that brings CR under ``threshold``.
    The revision path applies such changes greedily until CR is under the threshold.
    """
    threshold = _check_common(priority, ri_table, threshold, top)
    A = check_pairwise_matrix(matrix, scale="any", names=names)
    labels = as_names(names, A.shape[0]) or tuple(str(i + 1) for i in range(A.shape[0]))
    random_index(A.shape[0], ri_table)
    return _diagnose(A, labels, priority=priority, ri_table=ri_table, threshold=threshold, top=int(top))


@WEIGHTS.register("group_ahp", kind="subjective", needs_data=False)
def group_ahp(
    X: Any = None,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    matrices: Sequence[Any],
    expert_weights: Sequence[float] | None = None,
    priority: str = "eigenvector",
    ri_table: str = "saaty1980",
    threshold: float = 0.1,
    scale: str = "saaty",
    top: int = 3,
) -> AHPResult:
    """Group AHP: aggregate the experts' judgements by (weighted) geometric mean (AIJ).

    ``a_ij = prod_k a_ij^(k) ** lambda_k`` with expert weights ``lambda`` (equal by
    default). The aggregate is reciprocal by construction; its priorities, CR and
    diagnosis are computed as for one matrix. Each expert's own CR is reported in
    ``diagnostics["individual_CR"]`` and inconsistent experts are named in ``warnings``.

    References
    ----------
    .. [1] Forman, E., Peniwati, K. (1998). Aggregating individual judgments and
       priorities with the analytic hierarchy process. European Journal of Operational
       Research 108(1), 165-169.
    .. [2] Aczél, J., Saaty, T. L. (1983). Procedures for synthesizing ratio judgements.
       Journal of Mathematical Psychology 27(1), 93-102.

    Examples
    --------
    >>> r = group_ahp(matrices=[[[1, 2], [1/2, 1]], [[1, 8], [1/8, 1]]])
    >>> r.matrix[0, 1].round(6), r.weights.round(4).tolist()
    (np.float64(4.0), [0.8, 0.2])
    """
    threshold = _check_common(priority, ri_table, threshold, top)
    check_choice("scale", scale, _SCALES)
    if isinstance(matrices, (str, bytes)) or not isinstance(matrices, Sequence) or len(matrices) == 0:
        raise WeightingError("group AHP needs a non-empty list of matrices, one per expert")
    mats = []
    for k, mat in enumerate(matrices):
        try:
            mats.append(check_pairwise_matrix(mat, scale=scale, names=as_names(names, None)))
        except WeightingError as exc:
            raise WeightingError(f"expert {k + 1}: {exc.message}", hint=exc.hint) from None
    n = mats[0].shape[0]
    for k, mat in enumerate(mats):
        if mat.shape[0] != n:
            raise WeightingError(f"expert {k + 1}'s matrix has order {mat.shape[0]}; expert 1's has order {n}")
    names = as_names(names, n)
    m = n_columns(X)
    if m is not None and m != n:
        raise WeightingError(f"AHP matrices have order {n} but there are {m} indicators")
    if expert_weights is None:
        lam = np.full(len(mats), 1.0 / len(mats))
    else:
        lam = np.array(expert_weights, dtype=float)
        if lam.shape != (len(mats),) or not np.isfinite(lam).all() or (lam < 0).any() or lam.sum() <= 0:
            raise WeightingError(
                f"expert_weights must be {len(mats)} non-negative numbers, not all zero; got {expert_weights!r}"
            )
        lam = lam / lam.sum()
    logs = np.stack([np.log(a) for a in mats])
    A = np.exp(np.tensordot(lam, logs, axes=1))
    messages: list[str] = []
    ind_w, ind_cr = [], []
    for mat in mats:
        w_k, lam_k = _priorities(mat, priority)
        ind_w.append(w_k)
        ind_cr.append(_consistency(lam_k, n, ri_table)[2])
    bad = [k + 1 for k, c in enumerate(ind_cr) if c >= threshold]
    if bad:
        note(
            messages,
            f"group AHP: the matrices of expert(s) {', '.join(map(str, bad))} are inconsistent "
            f"(CR >= {threshold:g}); consider asking them to revise before aggregating",
            stacklevel=3,
        )
    params = {
        "matrices": [a.tolist() for a in mats], "expert_weights": lam.tolist(), "priority": priority,
        "ri_table": ri_table, "threshold": threshold, "scale": scale, "top": int(top),
    }
    extra = {
        "aggregation": "AIJ weighted geometric mean",
        "n_experts": len(mats),
        "individual_CR": ind_cr,
        "individual_weights": np.array(ind_w),
    }
    return _ahp_core(
        A, names, method="group_ahp", params=params, priority=priority, ri_table=ri_table,
        threshold=threshold, top=int(top), messages=messages, extra=extra,
    )


# ---------------------------------------------------------------------- hierarchy
@dataclass(frozen=True, repr=False)
class HierarchyResult(WeightResult):
    """Global weights of the leaves of an AHP hierarchy.

    Attributes (besides those of :class:`WeightResult`)
    ----------------------------------------------------
    nodes
        ``{path: AHPResult}`` for every judged node (path like ``"goal/economy"``).
    global_node_weights
        ``{path: global weight}`` of every node, leaves included.
    level_cr
        Hierarchical consistency ratio per level below the top,
        ``CR_L = sum_j g_j CI_j / sum_j g_j RI_j`` over the nodes ``j`` judged at level
        ``L`` (``g_j`` their global weight) — the "总排序一致性检验" of the textbooks.
    consistent
        Every node's CR and every level CR under the threshold.
    """

    nodes: Mapping[str, AHPResult] = field(default_factory=dict)
    global_node_weights: Mapping[str, float] = field(default_factory=dict)
    level_cr: tuple[float, ...] = ()
    consistent: bool = True


_NODE_KEYS = {"name", "matrix", "children"}


@WEIGHTS.register("ahp_hierarchy", kind="subjective", needs_data=False)
def ahp_hierarchy(
    X: Any = None,
    *,
    direction: Any = None,
    names: Sequence[str] | None = None,
    tree: Mapping[str, Any],
    priority: str = "eigenvector",
    ri_table: str = "saaty1980",
    threshold: float = 0.1,
    scale: str = "saaty",
) -> HierarchyResult:
    """Global leaf weights of a hierarchy of AHP matrices (层次总排序).

    ``tree`` is a node: a mapping with ``matrix`` (judgements between its children),
    ``children`` (a list whose items are leaf names or further nodes) and, for inner
    nodes, ``name``. The global weight of a leaf is the product of the local weights on
    its path. When ``names`` is given, the leaves must be exactly these names and the
    weights are returned in their order; otherwise in depth-first order.

    Examples
    --------
    >>> tree = {"name": "goal", "matrix": [[1, 3], [1/3, 1]], "children": [
    ...     {"name": "A", "matrix": [[1, 1], [1, 1]], "children": ["a1", "a2"]}, "b"]}
    >>> r = ahp_hierarchy(tree=tree)
    >>> r.as_dict()
    {'a1': 0.375, 'a2': 0.375, 'b': 0.25}
    """
    threshold = _check_common(priority, ri_table, threshold, 0)
    check_choice("scale", scale, _SCALES)
    nodes: dict[str, AHPResult] = {}
    gweights: dict[str, float] = {}
    leaves: dict[str, float] = {}
    levels: dict[int, list[tuple[float, float, float]]] = {}
    messages: list[str] = []

    def child_name(child: Any, where: str) -> str:
        if isinstance(child, Mapping):
            if "name" not in child:
                raise WeightingError(f"AHP hierarchy node under {where!r} has children but no name")
            return str(child["name"])
        if isinstance(child, str):
            return child
        raise WeightingError(f"AHP hierarchy: a child of {where!r} must be a leaf name or a node; got {child!r}")

    def walk(node: Any, path: str, g: float, depth: int) -> None:
        if not isinstance(node, Mapping):
            raise WeightingError(f"AHP hierarchy node {path!r} must be a mapping with matrix and children")
        unknown = set(node) - _NODE_KEYS
        if unknown:
            raise WeightingError(
                f"AHP hierarchy node {path!r} has unknown key(s) {sorted(unknown)}; allowed: matrix, children, name"
            )
        if "matrix" not in node or "children" not in node:
            raise WeightingError(f"AHP hierarchy node {path!r} needs both 'matrix' and 'children'")
        children = list(node["children"])
        kids = [child_name(c, path) for c in children]
        if len(set(kids)) != len(kids):
            raise WeightingError(f"AHP hierarchy node {path!r} has duplicate children")
        try:
            res = ahp_weights(
                matrix=node["matrix"], names=kids, priority=priority, ri_table=ri_table,
                threshold=threshold, scale=scale,
            )
        except WeightingError as exc:
            raise WeightingError(f"AHP hierarchy node {path!r}: {exc.message}", hint=exc.hint) from None
        nodes[path] = res
        levels.setdefault(depth, []).append((g, res.ci, res.ri))
        messages.extend(f"node {path!r}: {w}" for w in res.warnings)
        for child, kid, w in zip(children, kids, res.weights):
            cpath = f"{path}/{kid}"
            gweights[cpath] = g * float(w)
            if isinstance(child, Mapping):
                walk(child, cpath, g * float(w), depth + 1)
            else:
                if kid in leaves:
                    raise WeightingError(f"AHP hierarchy: leaf {kid!r} appears twice")
                leaves[kid] = g * float(w)

    if not isinstance(tree, Mapping):
        raise WeightingError("AHP hierarchy: tree must be a mapping with matrix and children")
    root = str(tree.get("name", "goal"))
    gweights[root] = 1.0
    walk(tree, root, 1.0, 0)

    level_cr = []
    for depth in sorted(levels):
        num = sum(g * ci for g, ci, _ in levels[depth])
        den = sum(g * ri for g, _, ri in levels[depth])
        level_cr.append(num / den if den > 0 else 0.0)
    consistent = all(r.consistent for r in nodes.values()) and all(c < threshold for c in level_cr)
    if any(c >= threshold for c in level_cr):
        note(messages, f"AHP hierarchy: a level's overall CR is >= {threshold:g}: {[round(c, 4) for c in level_cr]}")

    leaf_names = tuple(leaves)
    if names is not None:
        names = as_names(names, None)
        if set(names) != set(leaf_names):
            missing = sorted(set(names) - set(leaf_names))
            extra = sorted(set(leaf_names) - set(names))
            raise WeightingError(
                f"AHP hierarchy leaves do not match the indicators: missing {missing}, unexpected {extra}"
            )
        leaf_names = names
    m = n_columns(X)
    if m is not None and m != len(leaf_names):
        raise WeightingError(f"AHP hierarchy has {len(leaf_names)} leaves but there are {m} indicators")
    w = np.array([leaves[k] for k in leaf_names])
    params = {"tree": tree, "priority": priority, "ri_table": ri_table, "threshold": threshold, "scale": scale}
    diagnostics = {
        "ri_table": ri_table,
        "level_CR": level_cr,
        "node_CR": {p: r.cr for p, r in nodes.items()},
        "consistent": consistent,
    }
    return HierarchyResult(
        weights=w / w.sum(), method="ahp_hierarchy", params=params, names=leaf_names,
        diagnostics=diagnostics, warnings=tuple(messages), nodes=MappingProxyType(nodes),
        global_node_weights=MappingProxyType(gweights), level_cr=tuple(level_cr), consistent=consistent,
    )
