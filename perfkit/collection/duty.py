"""Who returns what (数据采集主体和内容): every unit x indicator cell of a round and its collector.

A scheme leaf names its collector (``collector:``); a functional-targets node may name one
too. Otherwise the collectors registry (``collectors.csv``: ``collector_id, name_zh,
name_en, unit_id, indicators``, the indicators separated by ``;``) assigns indicators, or a
targets node (its id, or the words ``functional targets`` / ``targets`` / ``职能目标``), to a
collector. A collector that is itself an evaluated unit names it in ``unit_id`` (used by the
reverse constraint, :func:`perfkit.collection.collection_penalties`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from perfkit.errors import DataError, SchemeError, did_you_mean
from perfkit.io.read import read_table
from perfkit.io.round import RoundData
from perfkit.scheme import Scheme

__all__ = [
    "DUTY_COLUMNS",
    "TARGET_WORDS",
    "Collector",
    "collector_names",
    "deadline_of",
    "duty_cells",
    "read_collectors",
    "read_deadlines",
]

#: Words in the registry's ``indicators`` column that mean "every functional-targets node".
TARGET_WORDS = ("functional targets", "targets", "职能目标")

#: Columns of :func:`duty_cells`.
DUTY_COLUMNS = ("collector_id", "unit_id", "unit_name", "unit_name_en", "category", "indicator_id",
                "indicator_name", "indicator_name_en", "measure", "target", "kind", "lo", "hi", "grades", "source",
                "node")


@dataclass(frozen=True)
class Collector:
    """A data collector (牵头单位 / 数据采集责任单位)."""

    id: str
    name_zh: str
    name_en: str
    unit_id: str = ""

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


def _where(df: pd.DataFrame, idx, column: str) -> list[str]:
    file = str(df.loc[idx, "_file"]) if "_file" in df else str(df.attrs.get("file", ""))
    row = f"row {df.loc[idx, '_row']}" if "_row" in df else ""
    return [file, row, f"column {column}"]


def _clean(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()


def read_collectors(path: str | Path | pd.DataFrame) -> dict[str, Collector]:
    """The collectors registry as ``{collector_id: Collector}`` (keeps the ``indicators``
    column in ``Collector``-less form for :func:`duty_cells`: pass the same path there)."""
    df = _registry(path)
    return {r["collector_id"]: Collector(r["collector_id"], _clean(r.get("name_zh")) or r["collector_id"],
                                         _clean(r.get("name_en")) or r["collector_id"], _clean(r.get("unit_id")))
            for _, r in df.iterrows()}


def _registry(path: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    if path is None:
        return pd.DataFrame(columns=["collector_id", "name_zh", "name_en", "unit_id", "indicators"])
    df = path.copy() if isinstance(path, pd.DataFrame) else read_table(path)
    if "collector_id" not in df.columns:
        have = [c for c in df.columns if not c.startswith("_")]
        raise DataError(f"missing column collector_id{did_you_mean('collector_id', have)}",
                        where=[str(df.attrs.get("file", path))],
                        hint="the collectors registry needs collector_id, name_zh, name_en, unit_id, indicators")
    df["collector_id"] = df["collector_id"].map(_clean)
    for idx in df.index[df["collector_id"] == ""]:
        raise DataError("empty collector_id", where=_where(df, idx, "collector_id"), hint="fill in the collector's id")
    for idx in df.index[df["collector_id"].duplicated()]:
        raise DataError(f"collector {df.loc[idx, 'collector_id']!r} is listed twice",
                        where=_where(df, idx, "collector_id"), hint="one row per collector")
    return df


def read_deadlines(path: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """``round, collector_id, deadline`` (deadline as a timestamp, ``YYYY-MM-DD HH:MM``)."""
    if path is None:
        return pd.DataFrame({"round": pd.Series(dtype=str), "collector_id": pd.Series(dtype=str),
                             "deadline": pd.Series(dtype="datetime64[ns]")})
    df = path.copy() if isinstance(path, pd.DataFrame) else read_table(path)
    missing = [c for c in ("round", "collector_id", "deadline") if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", where=[str(df.attrs.get("file", path))],
                        hint="the deadlines table needs round, collector_id, deadline")
    df["round"] = df["round"].map(_clean)
    df["collector_id"] = df["collector_id"].map(_clean)
    parsed = pd.to_datetime(df["deadline"].map(_clean), errors="coerce", format="mixed")
    for idx in df.index[parsed.isna()]:
        raise DataError(f"{df.loc[idx, 'deadline']!r} is not a date and time", where=_where(df, idx, "deadline"),
                        hint="write it as YYYY-MM-DD HH:MM, e.g. 2026-01-20 17:30")
    df["deadline"] = parsed
    return df


def deadline_of(deadlines: pd.DataFrame, round_id: str, collector: str) -> pd.Timestamp | None:
    """The deadline of ``collector`` in ``round_id`` (``None`` when none is set)."""
    if deadlines is None or not len(deadlines):
        return None
    hit = deadlines[(deadlines["round"] == str(round_id)) & (deadlines["collector_id"] == collector)]
    return None if hit.empty else pd.Timestamp(hit["deadline"].iloc[0])


def _assignments(scheme: Scheme, registry: pd.DataFrame, default: str | None) -> dict[str, str]:
    """Node id (value leaves and targets nodes) -> collector id."""
    wanted = [nid for nid, n in scheme.nodes.items() if (n.is_leaf and n.source == "values") or n.source == "targets"]
    by_registry: dict[str, str] = {}
    known = set(scheme.nodes)
    for _, r in registry.iterrows():
        for token in (t.strip() for t in _clean(r.get("indicators")).split(";")):
            if not token:
                continue
            if token.lower() in TARGET_WORDS:
                for nid in scheme.target_nodes:
                    by_registry.setdefault(nid, r["collector_id"])
            elif token in known:
                by_registry.setdefault(token, r["collector_id"])
    out: dict[str, str] = {}
    missing = []
    for nid in wanted:
        named = next((scheme.nodes[a].collector for a in reversed(scheme.paths[nid]) if scheme.nodes[a].collector),
                     None)
        who = named or next((by_registry[a] for a in reversed(scheme.paths[nid]) if a in by_registry), None)
        who = default if who is None else who
        if who is None:
            missing.append(nid)
        else:
            out[nid] = who
    if missing:
        raise SchemeError(f"no collector for {', '.join(repr(m) for m in missing[:5])}"
                          + (f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""),
                          where=[scheme.file or "<scheme>"],
                          hint="give the indicator a 'collector:' in the scheme, list it in the collectors "
                               "registry (indicators column), or name a default collector")
    return out


def _grades(node) -> tuple[str, ...]:
    if node.rule is not None and node.rule.method == "grade_map":
        return tuple(str(g) for g in (node.rule.params.get("mapping") or {}))
    return ()


def duty_cells(scheme: Scheme, data: RoundData, *, collectors: str | Path | pd.DataFrame | None = None,
               default: str | None = None) -> pd.DataFrame:
    """Every cell a collector must return in the round: one row per unit x indicator
    (value leaves that apply to the unit's category, and each unit's functional targets).

    Columns (:data:`DUTY_COLUMNS`): ``kind`` is ``number``, ``grade`` or ``binary``; ``lo`` /
    ``hi`` the allowed range (NaN: open); ``grades`` the allowed grades; ``source`` ``leaf``
    or ``target``; ``node`` the scheme node (the targets node for a target). Rows are in
    scheme order (indicator, then unit), targets unit by unit.
    """
    registry = _registry(collectors)
    assign = _assignments(scheme, registry, default)
    units = data.units.copy()
    for col in ("unit_id", "name_zh", "name_en", "category"):
        if col not in units.columns:
            raise DataError(f"the units table has no column {col!r}", where=[str(units.attrs.get("file", ""))],
                            hint="units need unit_id, name_zh, name_en, category")
        units[col] = units[col].map(_clean)
    units = units[units["unit_id"] != ""].drop_duplicates("unit_id")
    categories = [c for c in dict.fromkeys(units["category"]) if c]
    meta, picks = [], []
    cat_of = units["category"].to_numpy(dtype=object)
    for nid, node in scheme.leaves.items():
        if node.source != "values":
            continue
        lo, hi = (node.range if node.range is not None else (np.nan, np.nan))
        grades = _grades(node) if node.kind == "qualitative" else ()
        picks.append(np.flatnonzero(np.isin(cat_of, [c for c in categories if scheme.applies(nid, c)])))
        meta.append({"collector_id": assign[nid], "indicator_id": nid, "indicator_name": node.label.zh,
                     "indicator_name_en": node.label.en, "measure": node.unit or "", "target": np.nan,
                     "kind": "grade" if grades else "number", "lo": float(lo), "hi": float(hi), "grades": grades,
                     "source": "leaf", "node": nid})
    pieces = []
    if meta:
        which = np.concatenate([np.full(len(pk), k) for k, pk in enumerate(picks)])
        who = units.iloc[np.concatenate(picks)][["unit_id", "name_zh", "name_en", "category"]].reset_index(drop=True)
        info = pd.DataFrame(meta).iloc[which].reset_index(drop=True)
        pieces.append(pd.concat([who.rename(columns={"name_zh": "unit_name", "name_en": "unit_name_en"}), info],
                                axis=1))
    rows = []
    targets = data.targets
    if scheme.target_nodes and len(targets):
        tnodes = list(scheme.target_nodes)
        names = units.set_index("unit_id")
        t = targets.copy()
        for col in ("unit_id", "indicator_id", "label_zh", "label_en", "measure", "rule", "node"):
            t[col] = t[col].map(_clean) if col in t.columns else ""
        t = t[t["unit_id"].isin(names.index) & (t["indicator_id"] != "")].drop_duplicates(["unit_id", "indicator_id"])
        target_values = pd.to_numeric(t["target"].map(_clean), errors="coerce") if "target" in t.columns \
            else pd.Series(np.nan, index=t.index)
        for idx, r in t.iterrows():
            node = r["node"] or (tnodes[0] if len(tnodes) == 1 else "")
            if node not in assign:
                continue
            binary = r["rule"] == "binary"
            u = names.loc[r["unit_id"]]
            rows.append((assign[node], r["unit_id"], u["name_zh"], u["name_en"], u["category"], r["indicator_id"],
                         r["label_zh"] or r["indicator_id"], r["label_en"] or r["indicator_id"], r["measure"],
                         float(target_values[idx]), "binary" if binary else "number", 0.0,
                         1.0 if binary else np.nan, (), "target", node))
    pieces.append(pd.DataFrame(rows, columns=list(DUTY_COLUMNS)))
    df = pd.concat([x[list(DUTY_COLUMNS)] for x in pieces if len(x)], ignore_index=True) if any(len(x) for x in pieces) \
        else pd.DataFrame(columns=list(DUTY_COLUMNS))
    for col in ("collector_id", "unit_id", "unit_name", "unit_name_en", "category", "indicator_id", "indicator_name",
                "indicator_name_en", "measure", "kind", "source", "node"):
        df[col] = df[col].astype(object)
    df["lo"] = df["lo"].astype(float)
    df["hi"] = df["hi"].astype(float)
    df["target"] = df["target"].astype(float)
    return df


def collector_names(collectors: str | Path | pd.DataFrame | None, data: RoundData,
                    ids: list[str]) -> Mapping[str, Collector]:
    """A :class:`Collector` for each id: from the registry, else the unit of that id, else the id."""
    reg = read_collectors(collectors) if collectors is not None else {}
    units = data.units.set_index(data.units["unit_id"].map(_clean)) if "unit_id" in data.units else pd.DataFrame()
    out = {}
    for cid in ids:
        if cid in reg:
            out[cid] = reg[cid]
        elif cid in units.index:
            u = units.loc[cid]
            out[cid] = Collector(cid, _clean(u.get("name_zh")) or cid, _clean(u.get("name_en")) or cid, cid)
        else:
            out[cid] = Collector(cid, cid, cid)
    return out
