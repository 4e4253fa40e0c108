"""Index comparison: two composite indices on their common units — rank correlations,
the biggest disagreements, and the data for a scatter.

Typical use: the office's district block (a node of its evaluation) against an index
published by someone else. Units in only one index are listed, not silently dropped.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from perfkit.datasets import root as datasets_root
from perfkit.errors import DataError
from perfkit.io.read import read_table
from perfkit.results import Alert, html_head, html_table

__all__ = ["IndexComparison", "compare_indices", "read_index", "published_index_path"]


def published_index_path() -> Path:
    """The synthetic "published" district index shipped for practice
    (``datasets/benchmark/published_index/district_index_2025.csv``)."""
    return datasets_root() / "benchmark" / "published_index" / "district_index_2025.csv"


def read_index(path: str | Path | None = None, *, value: str = "index", unit: str = "unit_id") -> pd.Series:
    """An index from a table file (CSV UTF-8/GBK, XLSX, Parquet): ``unit`` and ``value``
    columns, one row per unit.

    Raises
    ------
    DataError
        Naming the file, row and column: a missing column, a value that is not a number,
        a unit given twice.
    """
    p = Path(path) if path is not None else published_index_path()
    if not p.is_file():
        raise DataError("index file not found", where=[str(p)])
    df = read_table(p)
    for col in (unit, value):
        if col not in df.columns:
            raise DataError(f"no column {col!r}", where=[str(p)], hint=f"columns: {', '.join(map(str, df.columns))}")
    num = pd.to_numeric(df[value], errors="coerce")
    bad = df.index[num.isna() & df[value].notna() & (df[value].astype(str).str.strip() != "")]
    if len(bad):
        i = bad[0]
        raise DataError(f"value {df.loc[i, value]!r} is not a number", where=[str(p), f"row {int(i) + 2}", value])
    dup = df[unit][df[unit].duplicated()]
    if len(dup):
        i = dup.index[0]
        raise DataError(f"unit {df.loc[i, unit]!r} is given twice", where=[str(p), f"row {int(i) + 2}", unit])
    return pd.Series(num.to_numpy(dtype=float), index=pd.Index(df[unit].astype(str), name="unit_id"), name=value)


@dataclass(frozen=True, eq=False)
class IndexComparison:
    """Two indices on their common units.

    Attributes
    ----------
    names
        The two indices' names.
    units
        One row per common unit: both values, both ranks (1 = best), the rank difference
        (second minus first) and its size, largest first.
    correlations
        Spearman's rho and Kendall's tau-b of the values with their p-values, Pearson's r,
        the number of common units.
    only
        Units in one index but not the other (``index`` says which).
    disagreements
        The ``top`` units whose ranks differ most.
    alerts
        A warning when Spearman's rho is below ``min_spearman``; an info listing units
        whose ranks differ by at least ``big_shift``; an info for units in only one index.
    """

    names: tuple[str, str]
    units: pd.DataFrame
    correlations: Mapping[str, float]
    only: pd.DataFrame
    disagreements: pd.DataFrame
    params: Mapping[str, Any] = field(default_factory=dict)
    alerts: tuple[Alert, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.units.copy()

    def __repr__(self) -> str:
        c = self.correlations
        return (f"IndexComparison({self.names[0]!r} vs {self.names[1]!r}, n={c['n']}, "
                f"spearman={c['spearman']:.3f}, kendall={c['kendall']:.3f})")

    def _repr_html_(self) -> str:
        return html_head("Index comparison", {"a": self.names[0], "b": self.names[1], **self.correlations}) + \
            html_table(self.units, 60)


def compare_indices(a: pd.Series, b: pd.Series, *, names: tuple[str, str] | None = None,
                    higher_is_better: tuple[bool, bool] = (True, True), top: int = 5,
                    min_spearman: float = 0.6, big_shift: int | None = None,
                    unit_names: Mapping[str, Mapping[str, str]] | None = None) -> IndexComparison:
    """Compare two indices (Series indexed by unit) on the units both score.

    Parameters
    ----------
    a, b
        The indices; NaN counts as not scored.
    names
        Their names (default: the Series' names, else ``a`` / ``b``).
    higher_is_better
        Per index, whether a higher value ranks better.
    top
        Disagreements listed.
    min_spearman
        A rank correlation below this is a warning.
    big_shift
        A rank difference at least this big is reported (default: a third of the common
        units, at least 2).
    unit_names
        ``{unit: {"zh": ..., "en": ...}}`` for the alerts' sentences (default: the ids).

    Raises
    ------
    DataError
        Fewer than three common units, or an index with no spread.
    """
    if not isinstance(a, pd.Series) or not isinstance(b, pd.Series):
        raise DataError("give each index as a pandas Series indexed by unit id")
    na = names[0] if names else (str(a.name) if a.name is not None else "a")
    nb = names[1] if names else (str(b.name) if b.name is not None else "b")
    if na == nb:
        nb = f"{nb} (2)"
    a = a.astype(float).dropna()
    b = b.astype(float).dropna()
    common = [u for u in a.index if u in b.index]
    if len(common) < 3:
        raise DataError(f"the indices {na!r} and {nb!r} have {len(common)} units in common; at least 3 are needed",
                        hint="check that both use the same unit ids")
    x, y = a.loc[common].to_numpy(), b.loc[common].to_numpy()
    for v, nm in ((x, na), (y, nb)):
        if np.ptp(v) == 0:
            raise DataError(f"index {nm!r} gives every common unit the same value; ranks cannot be compared")
    rx = pd.Series(-x if higher_is_better[0] else x).rank(method="min").to_numpy()
    ry = pd.Series(-y if higher_is_better[1] else y).rank(method="min").to_numpy()
    sign = (1 if higher_is_better[0] else -1) * (1 if higher_is_better[1] else -1)
    rho, p_rho = stats.spearmanr(x, y)
    tau, p_tau = stats.kendalltau(x, y)
    r = stats.pearsonr(x, y)[0]
    corr = {"n": len(common), "spearman": float(sign * rho), "spearman_p": float(p_rho), "kendall": float(sign * tau),
            "kendall_p": float(p_tau), "pearson": float(sign * r)}
    units = pd.DataFrame({"value_a": x, "value_b": y, "rank_a": rx, "rank_b": ry, "rank_diff": ry - rx},
                         index=pd.Index(common, name="unit_id"))
    units["abs_rank_diff"] = units["rank_diff"].abs()
    units = units.sort_values(["abs_rank_diff", "rank_a"], ascending=[False, True], kind="stable")
    only = pd.DataFrame({"unit_id": [u for u in a.index if u not in b.index] + [u for u in b.index if u not in a.index],
                         "index": [na] * int((~a.index.isin(b.index)).sum()) + [nb] * int((~b.index.isin(a.index)).sum())})
    shift = big_shift if big_shift is not None else max(2, len(common) // 3)
    alerts = []

    def said(ids, lang):
        return ("、" if lang == "zh" else ", ").join(
            (unit_names or {}).get(u, {}).get(lang, str(u)) for u in ids)

    if corr["spearman"] < min_spearman:
        alerts.append(Alert(source="benchmark", level="warning", code="bm_index_low_correlation", subject=f"{na}/{nb}",
                            params={"a": na, "b": nb, "rho": round(corr["spearman"], 2), "threshold": min_spearman,
                                    "n": len(common)}))
    big = units[units["abs_rank_diff"] >= shift]
    if len(big):
        alerts.append(Alert(source="benchmark", level="info", code="bm_index_disagree", subject=", ".join(big.index),
                            params={"a": na, "b": nb, "n": len(big), "shift": shift,
                                    "units": {"zh": said(big.index, "zh"), "en": said(big.index, "en")}},
                            evidence={"units": tuple(big.index)}))
    if len(only):
        alerts.append(Alert(source="benchmark", level="info", code="bm_index_only_one", subject=", ".join(only["unit_id"]),
                            params={"n": len(only), "a": na, "b": nb,
                                    "units": {"zh": said(only["unit_id"], "zh"), "en": said(only["unit_id"], "en")}}))
    return IndexComparison(names=(na, nb), units=units, correlations=corr, only=only,
                           disagreements=units.head(top), params={"higher_is_better": higher_is_better,
                                                                  "min_spearman": min_spearman, "big_shift": shift},
                           alerts=tuple(alerts))
