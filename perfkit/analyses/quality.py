"""Data quality (数据质量核查): located, explained flags on a round's figures.

:func:`check_quality` checks every figure of a round (as returned, or as published) and
returns a :class:`QualityReport` of :class:`Flag` records, each with the cell it came from
(``gov_office.xlsx 数据填报!E79``), its evidence and a sentence in zh and en:

* cell problems (from :func:`perfkit.collection.check_figures`, the engine's own reading):
  unknown unit or indicator, an indicator that does not apply, the same cell twice (an
  exact duplicate, or two different figures), not a number, a grade not in the list,
  outside the declared range;
* ``scale_slip`` — a ×100 slip: a rate given as a ratio or the reverse (the figure is about
  100 times, or a hundredth of, the median of its category and does not fit there — an
  outlier or outside the declared range — while the figure corrected by 100 is in range and
  typical);
* ``above_100`` — a rate (a percent whose declared range ends at 100, or a ratio ending at
  1) above 100 %;
* ``outlier`` — robust outliers within the indicator and category: the modified z-score
  ``0.6745 (x − median) / MAD`` (Iglewicz and Hoaglin 1993; with ``MAD = 0`` the mean
  absolute deviation times 1.2533 is used), for indicators with enough distinct values;
* ``jump`` — a change against the unit's own previous rounds (the figure minus the median
  of its previous figures) that is a robust outlier among the same changes of the other
  units of the category;
* ``copied_block`` — the same figure for several consecutive units of a file, where the
  figure is too rare for that to happen by chance; ``twin_units`` — two units of a category
  with identical figures on many indicators whose values rarely coincide;
* ``heaping`` — too many round figures (last reported digit 0 or 5) for an indicator in a
  file (one-sided binomial test against the share of multiples of 5 in the figures' range,
  about 20 %, at the precision the figures are reported to).

Functional targets are compared by their completion ratio (value / target). Thresholds are
in :class:`Thresholds`; the defaults give no flag on the Demo City's clean rounds other
than the planted copy-paste block (tested).

References
----------
.. [1] Iglewicz, B. and Hoaglin, D. C. (1993). *How to Detect and Handle Outliers*. ASQC
   Quality Press (the modified z-score and its cut-off 3.5 for "potential outliers").
.. [2] OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 1.5
   (data quality: outliers, imputation and the checks before aggregation).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from perfkit.collection.cells import Cell, cell_ref
from perfkit.collection.duty import duty_cells
from perfkit.collection.figures import check_figures, clean_text
from perfkit.i18n import t
from perfkit.io.round import RoundData
from perfkit.results import LEVELS, Alert, alerts_frame, html_head, html_table
from perfkit.scheme import Scheme

__all__ = ["Thresholds", "Flag", "QualityReport", "check_quality", "FLAG_CODES"]

#: Flag codes, most specific first (when one figure has several, the first is kept and the
#: others are listed in its evidence).
FLAG_CODES = ("conflict", "duplicate", "unknown_unit", "unknown_indicator", "not_applicable", "not_numeric",
              "bad_grade", "scale_slip", "above_100", "out_of_range", "invalid", "copied_block", "twin_units",
              "jump", "outlier", "heaping")
_CELL_CODES = {"unknown_unit": "unknown_unit", "unknown_unit_suggest": "unknown_unit",
               "unknown_indicator": "unknown_indicator", "unknown_indicator_suggest": "unknown_indicator",
               "not_applicable": "not_applicable", "not_numeric": "not_numeric", "bad_grade": "bad_grade",
               "duplicate": "duplicate", "conflict": "conflict", "out_of_range": "out_of_range", "invalid": "invalid"}
_RANK = {c: i for i, c in enumerate(FLAG_CODES)}


@dataclass(frozen=True)
class Thresholds:
    """When a figure is flagged.

    Attributes
    ----------
    outlier_z
        Modified z-score beyond which a figure is an outlier in its indicator and category.
        Default 6: Iglewicz and Hoaglin's 3.5 marks *potential* outliers (about 1 % of a
        normal sample), too many for an office to query with the collectors every round; a
        clerk's slip (a digit dropped, a wrong unit) lies tens of robust deviations off,
        while the legitimate spread of the Demo City's four clean rounds reaches 5.0.
    min_group
        Fewest figures of an indicator in a category for outliers and jumps.
    min_distinct
        Fewest distinct figures in the group: counts such as 0/1/2 accidents are not
        tested for outliers (an unusual count is a fact, not a slip).
    jump_z, jump_factor
        A change against the unit's previous rounds is a jump when its modified z-score
        among the category's changes exceeds ``jump_z`` and the figure is at least
        ``jump_factor`` times (or at most 1 / ``jump_factor`` of) the median of the unit's
        previous figures (2: doubled or halved; figures that change sign are not tested).
    target_factor
        A functional target's completion ratio is an outlier only when it is also beyond
        1 / ``target_factor`` – ``target_factor`` (a unit that reached 70 % of its target
        did badly, it did not mistype; a figure 10 times its target is a slip).
    slip_band
        log10 of figure / median within which a ×100 slip is considered (1.5–2.5: between
        about 32 and 316 times).
    run_min, alpha
        Fewest consecutive units with the same figure for a copied block, and the chance
        (expected number of such runs) below which it is flagged; ``alpha`` also applies to
        twins and heaping.
    twin_min
        Fewest identical indicators for two units to be twins.
    heaping_min_n
        Fewest figures for the heaping test.
    """

    outlier_z: float = 6.0
    min_group: int = 8
    min_distinct: int = 5
    jump_z: float = 6.0
    jump_factor: float = 2.0
    target_factor: float = 2.0
    slip_band: tuple[float, float] = (1.5, 2.5)
    run_min: int = 4
    alpha: float = 0.001
    twin_min: int = 4
    heaping_min_n: int = 20

    def __post_init__(self) -> None:
        if self.outlier_z <= 0 or self.jump_z <= 0 or not 0 < self.alpha < 1 or self.run_min < 2:
            raise ValueError("thresholds: outlier_z and jump_z must be > 0, alpha in (0, 1), run_min >= 2")


@dataclass(frozen=True)
class Flag:
    """One quality flag.

    Attributes
    ----------
    code
        What was found (:data:`FLAG_CODES`); ``alert.qa_<code>`` in the catalogue says it.
    level
        ``critical`` (the figure cannot be evaluated as it is), ``warning`` or ``info``.
    cell
        Where (a block or a column of a file for ``copied_block`` and ``heaping``).
    unit_id, indicator_id, value
        The figure (``unit_id`` empty for a flag on a whole indicator).
    params
        What the sentence says (numbers rounded for reading).
    evidence
        The figures behind the flag (medians, scores, p-values, the cells of a block ...).
    """

    code: str
    level: str
    cell: Cell
    unit_id: str = ""
    indicator_id: str = ""
    value: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        names = self.evidence.get("names", {})
        unit = names.get(f"unit_{lang}") or self.unit_id
        indicator = names.get(f"indicator_{lang}") or self.indicator_id
        params = dict(self.params)
        for key in ("units", "other"):  # named in the reader's language
            if f"{key}_{lang}" in params:
                params[key] = params[f"{key}_{lang}"]
        return t(f"alert.qa_{self.code}", lang, cell=str(self.cell), unit=unit, indicator=indicator,
                 value=self.value, **params)

    def alert(self) -> Alert:
        return Alert("quality", self.level, f"qa_{self.code}", str(self.cell),
                     {"cell": str(self.cell), "unit": self.unit_id, "indicator": self.indicator_id,
                      "value": self.value, **self.params}, dict(self.evidence))


@dataclass(frozen=True, eq=False)
class QualityReport:
    """Every flag of a round.

    Attributes
    ----------
    round
        The round checked.
    flags
        The flags, most serious first.
    checked
        How many figures were checked.
    thresholds
        The thresholds used.
    previous
        The previous rounds the jumps were measured against.
    """

    round: str
    flags: tuple[Flag, ...]
    checked: int
    thresholds: Thresholds
    previous: tuple[str, ...] = ()

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """One :class:`~perfkit.results.Alert` per flag (for the round report's summary)."""
        return tuple(f.alert() for f in self.flags)

    def by_code(self, code: str) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.code == code)

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """The flags as a table: level, code, label, cell, unit, indicator, value, sentence."""
        rows = []
        for f in self.flags:
            names = f.evidence.get("names", {})
            rows.append({"level": f.level, "code": f.code, "flag": t(f"qa.code.{f.code}", lang),
                         "cell": str(f.cell), "file": f.cell.file, "sheet": f.cell.sheet, "row": f.cell.row,
                         "unit_id": f.unit_id, "unit": names.get(f"unit_{lang}", f.unit_id),
                         "indicator_id": f.indicator_id, "indicator": names.get(f"indicator_{lang}", f.indicator_id),
                         "value": f.value, "text": f.text(lang)})
        return pd.DataFrame(rows, columns=["level", "code", "flag", "cell", "file", "sheet", "row", "unit_id", "unit",
                                           "indicator_id", "indicator", "value", "text"])

    def summary(self, lang: str = "zh") -> pd.DataFrame:
        """Flags per code: ``code, flag, level, count``."""
        df = self.to_frame(lang)
        if df.empty:
            return pd.DataFrame(columns=["code", "flag", "level", "count"])
        out = df.groupby(["code", "flag", "level"], sort=False).size().rename("count").reset_index()
        return out.sort_values("code", key=lambda s: s.map(_RANK), kind="stable").reset_index(drop=True)

    def alerts_frame(self, lang: str = "zh") -> pd.DataFrame:
        return alerts_frame(self.alerts, lang)

    def __repr__(self) -> str:
        return f"QualityReport(round={self.round!r}, checked={self.checked}, flags={len(self.flags)})"

    def _repr_html_(self) -> str:
        return html_head("QualityReport", {"round": self.round, "checked": self.checked, "flags": len(self.flags)}) \
            + html_table(self.to_frame()[["level", "flag", "cell", "value", "text"]], rows=50)


# ---------------------------------------------------------------------- statistics
def _robust(y: pd.Series, keys: list[pd.Series]) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Per row: the group's median, the robust scale (MAD / 0.6745, or 1.2533 x mean
    absolute deviation when MAD is 0), size and number of distinct values."""
    g = y.groupby(keys, sort=False, dropna=False)
    med = g.transform("median")
    dev = (y - med).abs()
    gd = dev.groupby(keys, sort=False, dropna=False)
    mad = gd.transform("median")
    mean_ad = gd.transform("mean")
    scale = (mad / 0.6745).where(mad > 0, 1.253314 * mean_ad)
    return med, scale, g.transform("count"), g.transform("nunique")


def _is_rate(measure: str, lo: float, hi: float, label: str) -> bool:
    """A share: the declared range runs from 0 to 100 (a percent) or 1 (a ratio), and the unit
    or the name says it is a rate (%, ratio, 比率, …率)."""
    m = (measure or "").lower()
    return (not math.isnan(hi) and (lo == 0 or math.isnan(lo)) and hi in (1.0, 100.0)
            and ("%" in m or "ratio" in m or "比率" in m or "率" in label))


def _rate_cap(r: Mapping[str, Any]) -> float:
    """The most a rate can be (100 for a percent, 1 for a ratio), NaN for other figures."""
    hi, lo = float(r["hi"]), float(r["lo"])
    label = str(r.get("indicator_name") or "")
    if _is_rate(r["measure"], lo, hi, label):
        return hi
    if r["source"] == "target" and "%" in str(r["measure"]) and "率" in label and "增" not in label:
        return 100.0
    return math.nan


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:.4g}" if abs(v) < 1e6 else f"{v:.6g}"


def _previous_values(previous: Mapping[str, RoundData]) -> pd.DataFrame:
    """``round, unit_id, indicator_id, y`` of earlier rounds (completion ratios for targets)."""
    parts = []
    for rnd, d in previous.items():
        v = d.values
        if v is None or not len(v):
            continue
        df = pd.DataFrame({"unit_id": clean_text(v["unit_id"]), "indicator_id": clean_text(v["indicator_id"])})
        text = clean_text(v["value"]).str.replace(",", "", regex=False).str.rstrip("%")
        df["x"] = pd.to_numeric(text, errors="coerce").to_numpy()
        tg = d.targets
        if tg is not None and len(tg):
            tt = pd.DataFrame({"unit_id": clean_text(tg["unit_id"]), "indicator_id": clean_text(tg["indicator_id"]),
                               "target": pd.to_numeric(clean_text(tg["target"]), errors="coerce").to_numpy()})
            df = df.merge(tt.drop_duplicates(["unit_id", "indicator_id"]), on=["unit_id", "indicator_id"], how="left")
        else:
            df["target"] = np.nan
        df["y"] = np.where(df["target"].notna() & (df["target"] > 0), df["x"] / df["target"], df["x"])
        df["round"] = str(rnd)
        parts.append(df[["round", "unit_id", "indicator_id", "y"]].dropna(subset=["y"]))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["round", "unit_id", "indicator_id",
                                                                                   "y"])


# ---------------------------------------------------------------------- the checks
class _Flags:
    def __init__(self, names: Mapping[str, Mapping[str, str]]) -> None:
        self.items: list[Flag] = []
        self.names = names

    def add(self, code: str, level: str, r: Mapping[str, Any] | None, cell: Cell, *, value: str = "",
            params: Mapping[str, Any] | None = None, evidence: Mapping[str, Any] | None = None,
            unit: str = "", indicator: str = "") -> None:
        unit = unit or (str(r["unit_id"]) if r is not None else "")
        indicator = indicator or (str(r["indicator_id"]) if r is not None else "")
        names = {"unit_zh": self.names["unit_zh"].get(unit, unit), "unit_en": self.names["unit_en"].get(unit, unit),
                 "indicator_zh": self.names["indicator_zh"].get(indicator, indicator),
                 "indicator_en": self.names["indicator_en"].get(indicator, indicator)}
        self.items.append(Flag(code, level, cell, unit, indicator, value, dict(params or {}),
                               {"names": names, **(evidence or {})}))


def _cell(r: Mapping[str, Any], column: str = "value") -> Cell:
    file, sheet = str(r.get("_file") or ""), str(r.get("_sheet") or "")
    ref = str(r.get("_cell") or "")
    if column == "value" and ref and ref not in ("nan", "None"):
        letter = ref.rstrip("0123456789")
        return Cell(file, sheet, int(ref[len(letter):]), column, letter)
    row = r.get("_row")
    row = None if row is None or pd.isna(row) else int(row)
    return cell_ref({"_file": file, "_sheet": sheet, "_row": row}, column) if file and not file.startswith("<") \
        else Cell(file, sheet, row, column)


def _outliers_and_slips(num: pd.DataFrame, th: Thresholds, out: _Flags, blocked: pd.Series) -> None:
    keys = [num["group"], num["category"]]
    med, scale, n, distinct = _robust(num["y"].where(~blocked), keys)
    z = (num["y"] - med) / scale.replace(0, np.nan)
    lo_b, hi_b = th.slip_band
    ratio = np.log10((num["y"].abs() / med.abs()).where((med != 0) & (num["y"] != 0)))
    rate = num["rate"]
    slip_cand = rate & ratio.abs().between(lo_b, hi_b) & (n >= 3)
    corrected = np.where(ratio > 0, num["x"] / 100.0, num["x"] * 100.0)
    yc = np.where(num["is_ratio"], corrected / num["target"], corrected)
    zc = (yc - med) / scale.replace(0, np.nan)
    in_range = ((num["lo"].isna() | (corrected >= num["lo"])) & (num["hi"].isna() | (corrected <= num["hi"])))
    implausible = (z.abs() > th.outlier_z) | (num["status"] == "out_of_range")  # as given, it does not fit
    slip = slip_cand & in_range & implausible & (zc.abs().fillna(0) < th.outlier_z)
    # no peers to compare with: the declared range alone says a hundredth of the figure fits
    lone = rate & (n < 3) & (num["status"] == "out_of_range") & (num["x"] / 100.0 <= num["hi"]) & \
        (num["x"] / 100.0 >= num["lo"].fillna(-np.inf))
    slip = slip | lone
    for i in num.index[slip]:
        r = num.loc[i]
        c = float(corrected[num.index.get_loc(i)]) if not lone[i] else float(r["x"]) / 100.0
        out.add("scale_slip", "critical" if r["status"] == "out_of_range" else "warning", r, _cell(r),
                value=r["text"], params={"corrected": _fmt(c), "median": _fmt(float(med[i]) * (r["target"]
                                                                                            if r["is_ratio"] else 1)),
                                         "times": f"{abs(float(r['x']) / c):.0f}" if c else "100"},
                evidence={"median": float(med[i]), "n": int(n[i]), "log10_ratio": float(ratio[i])
                          if not np.isnan(ratio[i]) else None, "corrected": c, "corrected_z": float(zc[i])
                          if not np.isnan(zc[i]) else None, "category": r["category"]})
    cap = num["cap"]
    above = cap.notna() & (num["x"] > cap) & ~slip
    for i in num.index[above]:
        r = num.loc[i]
        out.add("above_100", "critical" if r["status"] == "out_of_range" else "warning", r, _cell(r), value=r["text"],
                params={"cap": "100%" if float(r["cap"]) == 100.0 else "1", "median": _fmt(float(med[i]))},
                evidence={"cap": float(r["cap"]), "median": float(med[i]), "category": r["category"]})
    far = ~num["is_ratio"] | (num["y"] >= th.target_factor) | (num["y"] <= 1 / th.target_factor)
    outlier = (n >= th.min_group) & (distinct >= th.min_distinct) & (z.abs() > th.outlier_z) & far & ~slip & ~above \
        & ~blocked
    for i in num.index[outlier]:
        r = num.loc[i]
        x_med = float(med[i]) * (float(r["target"]) if r["is_ratio"] else 1.0)
        out.add("outlier", "warning", r, _cell(r), value=r["text"],
                params={"median": _fmt(x_med), "z": f"{float(z[i]):.1f}", "n": int(n[i]),
                        "measure": "completion" if r["is_ratio"] else "value"},
                evidence={"median": float(med[i]), "scale": float(scale[i]), "z": float(z[i]), "n": int(n[i]),
                          "category": r["category"], "completion": bool(r["is_ratio"])})


def _jumps(num: pd.DataFrame, prev: pd.DataFrame, th: Thresholds, out: _Flags, blocked: pd.Series) -> None:
    if prev.empty:
        return
    p = prev.groupby(["unit_id", "indicator_id"])["y"].agg(["median", "count"]).reset_index()
    m = num[~blocked].reset_index().merge(p, on=["unit_id", "indicator_id"], how="inner")
    if m.empty:
        return
    m["d"] = m["y"] - m["median"]
    keys = [m["group"], m["category"]]
    med, scale, n, _ = _robust(m["d"], keys)
    _, _, _, distinct_y = _robust(m["y"], keys)
    z = (m["d"] - med) / scale.replace(0, np.nan)
    factor = (m["y"] / m["median"]).where((m["median"] * m["y"]) > 0)
    hit = (n >= th.min_group) & (distinct_y >= th.min_distinct) & (z.abs() > th.jump_z) & \
        ((factor >= th.jump_factor) | (factor <= 1 / th.jump_factor))
    for j in m.index[hit]:
        r = m.loc[j]
        before = float(r["median"]) * (float(r["target"]) if r["is_ratio"] else 1.0)
        out.add("jump", "warning", r, _cell(r), value=r["text"],
                params={"before": _fmt(before), "rounds": int(r["count"]), "z": f"{float(z[j]):.1f}",
                        "change": f"{float(r['d']) / float(r['median']):+.0%}" if r["median"] else "—"},
                evidence={"previous_median": float(r["median"]), "change": float(r["d"]),
                          "category_median_change": float(med[j]), "scale": float(scale[j]), "z": float(z[j]),
                          "n": int(n[j]), "category": r["category"]})


def _copied_blocks(num: pd.DataFrame, th: Thresholds, out: _Flags) -> pd.Series:
    """Flag the copied blocks; return which figures are in one (left out of the outlier and
    jump statistics, whose medians and spreads a block of equal figures would distort)."""
    blocked = pd.Series(False, index=num.index)
    leaves = num[(num["source"] == "leaf")]
    ordered = leaves.sort_values(["indicator_id", "_file", "_row"], kind="stable")
    x = ordered["x"].to_numpy()
    same = np.zeros(len(x), dtype=bool)  # same figure, file and indicator as the row before
    if len(x) > 1:
        same[1:] = (x[1:] == x[:-1]) & (ordered["indicator_id"].to_numpy()[1:] == ordered["indicator_id"].to_numpy()[
            :-1]) & (ordered["_file"].astype(str).to_numpy()[1:] == ordered["_file"].astype(str).to_numpy()[:-1])
    starts = np.flatnonzero(~same)
    lengths = np.diff(np.append(starts, len(x)))
    counts = ordered.groupby(["indicator_id", "x"], sort=False)["x"].transform("size").to_numpy()
    totals = ordered.groupby("indicator_id", sort=False)["x"].transform("size").to_numpy()
    for start, run in zip(starts[lengths >= th.run_min], lengths[lengths >= th.run_min]):
        total, count = int(totals[start]), int(counts[start])
        p = (count - run + 1) / (total - run + 1)
        expected = (total - run + 1) * p ** (run - 1)
        if expected >= th.alpha:
            continue
        block = ordered.iloc[start:start + run]
        blocked[block.index] = True
        rows = block.to_dict("records")
        iid, v = rows[0]["indicator_id"], float(x[start])
        first, last = _cell(rows[0]), _cell(rows[-1])
        cell = Cell(first.file, first.sheet, first.row, "value", first.letter) if first.letter else first
        span = f"{first.ref}:{last.ref}" if first.letter else f"{first.ref} … {last.ref}"
        out.add("copied_block", "warning", rows[0], cell, value=rows[0]["text"], unit="-", indicator=iid,
                params={"n": int(run), "units": "、".join(r["unit_id"] for r in rows),
                        "units_zh": "、".join(out.names["unit_zh"].get(r["unit_id"], r["unit_id"]) for r in rows),
                        "units_en": ", ".join(out.names["unit_en"].get(r["unit_id"], r["unit_id"]) for r in rows),
                        "span": span, "expected": f"{expected:.1g}"},
                evidence={"units": [r["unit_id"] for r in rows], "cells": [str(_cell(r)) for r in rows],
                          "value": v, "others_with_value": count - int(run), "figures": total,
                          "expected_runs": expected})
    return blocked


def _twins(num: pd.DataFrame, th: Thresholds, out: _Flags) -> None:
    """Pairs of units of a category with identical figures on at least ``twin_min``
    indicators whose values rarely coincide (at least half the figures distinct); the chance
    of that many coincidences is a Poisson tail with the summed collision probabilities."""
    leaves = num[num["source"] == "leaf"][["category", "indicator_id", "unit_id", "x"]]
    g = leaves.groupby(["category", "indicator_id"], sort=False)["x"]
    size, distinct = g.transform("size"), g.transform("nunique")
    cont = leaves[(size >= th.min_group) & (distinct >= 0.5 * size)]
    if cont.empty:
        return
    share = cont.groupby(["category", "indicator_id", "x"], sort=False)["x"].transform("size") / \
        cont.groupby(["category", "indicator_id"], sort=False)["x"].transform("size")
    collision = (share ** 2 / cont.groupby(["category", "indicator_id", "x"], sort=False)["x"].transform("size")) \
        .groupby(cont["category"]).sum()  # sum over indicators of the chance two units coincide
    same = cont[cont.duplicated(["category", "indicator_id", "x"], keep=False)]
    if same.empty:
        return
    pairs = same.merge(same, on=["category", "indicator_id", "x"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["unit_id_a"] < pairs["unit_id_b"]]
    counts = pairs.groupby(["category", "unit_id_a", "unit_id_b"], sort=False)["indicator_id"].agg(list)
    n_units = leaves.groupby("category")["unit_id"].nunique()
    for (cat, a, b), inds in counts.items():
        if len(inds) < th.twin_min:
            continue
        n_pairs = max(1, int(n_units[cat]) * (int(n_units[cat]) - 1) // 2)
        chance = n_pairs * float(stats.poisson.sf(len(inds) - 1, float(collision[cat])))
        if chance >= th.alpha:
            continue
        rows = num[(num["unit_id"] == b) & num["indicator_id"].isin(inds) & (num["source"] == "leaf")] \
            .to_dict("records")
        out.add("twin_units", "warning", rows[0], _cell(rows[0]), unit=b, indicator=inds[0], value=rows[0]["text"],
                params={"other": a, "other_zh": out.names["unit_zh"].get(a, a),
                        "other_en": out.names["unit_en"].get(a, a), "n": len(inds), "indicators": "、".join(inds)},
                evidence={"units": [a, b], "indicators": list(inds), "chance": chance, "category": cat})


def _heaping(num: pd.DataFrame, th: Thresholds, out: _Flags) -> None:
    leaves = num[num["source"] == "leaf"].copy()
    # the reported precision: decimals without trailing zeros ("68.0" is reported to the unit)
    leaves["decimals"] = leaves["text"].astype(str).str.extract(r"^[+-]?\d+\.(\d*[1-9])0*$")[0].str.len() \
        .fillna(0).astype(int)
    for (iid, file), g in leaves.groupby(["indicator_id", "_file"], sort=False):
        if len(g) < th.heaping_min_n:
            continue
        d = int(g["decimals"].mode().iloc[0])
        scaled = np.round(g["x"].to_numpy() * 10 ** d, 6)
        lo, hi = math.ceil(np.nanmin(scaled) - 1e-6), math.floor(np.nanmax(scaled) + 1e-6)
        if hi - lo < 20:  # too few possible last digits (counts of 0-4 cases) for the test
            continue
        expected = (hi // 5 - (lo - 1) // 5) / (hi - lo + 1)  # share of multiples of 5 in the range
        rounded = np.isclose(scaled, np.round(scaled)) & (np.round(scaled) % 5 == 0)
        k, n = int(rounded.sum()), len(g)
        p = float(stats.binom.sf(k - 1, n, expected))
        if p < th.alpha:
            rows = g[rounded].to_dict("records")
            first = _cell(g.iloc[0].to_dict())
            cell = Cell(first.file, first.sheet, None, "value", first.letter)
            out.add("heaping", "info", rows[0], cell, unit="-", indicator=iid,
                    params={"share": f"{k / n:.0%}", "k": k, "n": n, "p": f"{p:.1g}", "expected": f"{expected:.0%}"},
                    evidence={"round_share": k / n, "expected_share": expected, "p_value": p, "decimals": d,
                              "cells": [str(_cell(r)) for r in rows[:20]]})


def _merge(flags: list[Flag]) -> list[Flag]:
    """One flag per figure: the most specific; the others named in its evidence."""
    best: dict[tuple, Flag] = {}
    rest: list[Flag] = []
    for f in flags:
        if f.code in ("copied_block", "heaping", "twin_units"):
            rest.append(f)
            continue
        key = (f.cell.file, f.cell.sheet, f.cell.row, f.unit_id, f.indicator_id)
        have = best.get(key)
        if have is None:
            best[key] = f
            continue
        keep, drop = (f, have) if _RANK[f.code] < _RANK[have.code] else (have, f)
        also = [*keep.evidence.get("also", ()), drop.code, *drop.evidence.get("also", ())]
        best[key] = Flag(keep.code, keep.level if LEVELS.index(keep.level) <= LEVELS.index(drop.level) else drop.level,
                         keep.cell, keep.unit_id, keep.indicator_id, keep.value, keep.params,
                         {**keep.evidence, "also": tuple(dict.fromkeys(also))})
    out = list(best.values()) + rest
    return sorted(out, key=lambda f: (LEVELS.index(f.level), _RANK[f.code], f.cell.file, f.cell.row or 0))


def check_quality(scheme: Scheme, data: RoundData, *, previous: Mapping[str, RoundData] | Sequence[RoundData] = (),
                  thresholds: Thresholds | None = None, collectors=None) -> QualityReport:
    """Check every figure of ``data.values`` and return the located, explained flags.

    Parameters
    ----------
    scheme, data
        The round's scheme and data (values as returned or as published, with their
        source columns; :func:`perfkit.datasets.load_returned` or
        :meth:`perfkit.collection.Ingestion.round_data` give them).
    previous
        Earlier rounds (``{round: RoundData}`` or a list with ``round`` set), for jumps.
    thresholds
        :class:`Thresholds` (defaults documented there).
    collectors
        The collectors registry, for the cells' duty (optional).
    """
    th = thresholds or Thresholds()
    if not isinstance(previous, Mapping):
        previous = {str(d.round): d for d in previous}
    duty = duty_cells(scheme, data, collectors=collectors, default="")
    figs = check_figures(scheme, data, data.values, duty)
    names = {"unit_zh": dict(zip(duty["unit_id"], duty["unit_name"])),
             "unit_en": dict(zip(duty["unit_id"], duty["unit_name_en"])),
             "indicator_zh": dict(zip(duty["indicator_id"], duty["indicator_name"])),
             "indicator_en": dict(zip(duty["indicator_id"], duty["indicator_name_en"]))}
    out = _Flags(names)
    tab = figs.table
    places = {(p.cell.file, p.cell.row) for p in figs.problems if p.code in _CELL_CODES}
    by_place = {}
    if places and len(tab):
        keys = pd.Series(list(zip(tab["_file"].astype(str), pd.to_numeric(tab["_row"], errors="coerce"))),
                         index=tab.index)
        for r in tab[keys.isin(places)].to_dict("records"):
            by_place.setdefault((str(r["_file"]), int(r["_row"])), r)
    for p in figs.problems:
        code = _CELL_CODES.get(p.code)
        if code is None:
            continue
        r = by_place.get((p.cell.file, p.cell.row))
        unit = str(r["unit_id"]) if r is not None else ""
        ind = str(r["indicator_id"]) if r is not None else ""
        params = {"suggest": "—", **{k: v for k, v in p.params.items() if k not in ("unit", "indicator", "category")}}
        out.add(code, "critical", None, p.cell, unit=unit or "-", indicator=ind or "-",
                value=str(r["text"]) if r is not None else str(p.params.get("found", "")), params=params,
                evidence={**p.params, "problem": p.code})
    num = tab[tab["status"].isin(["ok", "out_of_range"]) & tab["x"].notna() & (tab["kind"] == "number")].copy()
    if len(num):
        label = num["indicator_id"].map(names["indicator_zh"]).fillna("")
        num["indicator_name"] = label
        num["is_ratio"] = (num["source"] == "target") & num["target"].notna() & (num["target"] > 0)
        num["y"] = np.where(num["is_ratio"], num["x"] / num["target"], num["x"])
        num["group"] = np.where(num["source"] == "target", "targets:" + num["category"].astype(str),
                                num["indicator_id"])
        kinds = num[["measure", "lo", "hi", "indicator_name", "source"]].drop_duplicates()
        kinds["rate"] = [(_is_rate(m, lo, hi, lb) or (src == "target" and "%" in str(m)))
                         for m, lo, hi, lb, src in zip(kinds["measure"], kinds["lo"], kinds["hi"],
                                                       kinds["indicator_name"], kinds["source"])]
        kinds["cap"] = [_rate_cap(r) for r in kinds.to_dict("records")]
        num = num.reset_index().merge(kinds, on=["measure", "lo", "hi", "indicator_name", "source"], how="left") \
            .set_index("index")
        blocked = _copied_blocks(num, th, out)
        _outliers_and_slips(num, th, out, blocked)
        _jumps(num, _previous_values(previous), th, out, blocked)
        _twins(num, th, out)
        _heaping(num, th, out)
    return QualityReport(str(data.round or ""), tuple(_merge(out.items)), len(tab), th, tuple(previous))

