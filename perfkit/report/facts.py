"""Round facts: everything the round report and the feedback reports show, computed once.

:func:`build_facts` turns the evaluations of a round and of its previous rounds into a
:class:`RoundFacts` — plain tables plus a JSON-ready ``meta`` mapping with every label the
reports need — and :meth:`RoundFacts.save` / :func:`open_facts` move it through files, so
the batch runner evaluates a round once and every notebook only reads.

Privacy: survey cells below the scheme's ``survey.min_cell`` are suppressed here (their
means, intervals, counts and comments are blanked), so no table in a report can show them.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import perfkit
from perfkit.engine.grading import quota_size
from perfkit.errors import DataError, UnknownNameError, did_you_mean
from perfkit.i18n import catalogue
from perfkit.io.export import write_json, write_parquet

__all__ = ["RoundFacts", "UnitFacts", "build_facts", "prepare_facts", "open_facts", "evaluate_rounds",
           "TABLES"]

#: Tables of a :class:`RoundFacts`, each saved as ``<name>.parquet``.
TABLES = ("results", "history", "lines", "adjustments", "survey", "comments", "profile", "quotas")


@dataclass(frozen=True)
class UnitFacts:
    """The facts about one unit (rows of the round tables, for its feedback report)."""

    unit_id: str
    row: pd.Series
    history: pd.DataFrame
    lost: pd.DataFrame
    adjustments: pd.DataFrame
    survey: pd.DataFrame
    comments: pd.DataFrame
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame


@dataclass(frozen=True, eq=False)
class RoundFacts:
    """The shared input of every report of one round.

    Attributes
    ----------
    meta
        Scheme id and label, round, previous rounds, paradigm, labels of categories, grades,
        nodes, respondent groups and adjustment items (``{"zh": ..., "en": ...}``), the
        survey's ``min_cell``, and ``reports`` (the report files of the round, when known).
    results
        One row per unit: name, category, base, bonus, penalty, final, rank, category
        size, grade, vetoes, and the previous round's final and rank with the changes.
    history
        round, unit_id, category, final, rank, grade, and the category mean per round.
    lines
        Every line of :meth:`Evaluation.explain` for every unit (with ``unit_id``).
    adjustments
        Bonus, penalty and veto items per unit with their labels and reasons.
    survey
        unit x respondent group: n, mean, ci_low, ci_high, used, suppressed. Suppressed
        cells have every number blanked.
    comments
        The most frequent comments per unit x group, only for cells not suppressed.
    profile
        unit x indicator: score (0-100), category mean, difference.
    quotas
        category x grade: units graded, min score, max share, quota (units admitted).
    """

    meta: dict[str, Any]
    results: pd.DataFrame
    history: pd.DataFrame
    lines: pd.DataFrame
    adjustments: pd.DataFrame
    survey: pd.DataFrame
    comments: pd.DataFrame
    profile: pd.DataFrame
    quotas: pd.DataFrame
    source: str | None = field(default=None, compare=False)

    # ----------------------------------------------------------------- access
    @property
    def units(self) -> list[str]:
        return list(self.results.index)

    @property
    def round(self) -> str:
        return str(self.meta["round"])

    def label(self, kind: str, key: Any, lang: str) -> str:
        """The ``lang`` label of a category, grade, node, group or item (``kind``), or the key."""
        entry = self.meta.get("labels", {}).get(kind, {}).get(str(key))
        return entry[lang] if entry else ("" if key is None or key != key else str(key))

    def unit_name(self, unit: str, lang: str) -> str:
        row = self.results.loc[unit]
        return str(row["name_zh"] if lang == "zh" else row["name_en"])

    def unit(self, unit: str, *, n_profile: int = 3) -> UnitFacts:
        """Everything one feedback report shows about ``unit``."""
        if unit not in self.results.index:
            raise UnknownNameError(f"no unit {unit!r} in round {self.round}{did_you_mean(unit, self.results.index)}",
                                   hint="use a unit_id of the round's units table")
        lines = self.lines[self.lines["unit_id"] == unit]
        col = "lost" if "lost" in lines else "gap"
        lost = lines[(lines[col] > 1e-9) & ~lines["path"].isin(["bonus", "penalty", "veto"])]
        prof = self.profile[self.profile["unit_id"] == unit].dropna(subset=["diff"])
        return UnitFacts(
            unit_id=unit, row=self.results.loc[unit],
            history=self.history[self.history["unit_id"] == unit].sort_values("round"),
            lost=lost.sort_values(col, ascending=False),
            adjustments=self.adjustments[self.adjustments["unit_id"] == unit],
            survey=self.survey[self.survey["unit_id"] == unit],
            comments=self.comments[self.comments["unit_id"] == unit],
            strengths=prof[prof["diff"] > 1e-9].nlargest(n_profile, "diff"),
            weaknesses=prof[prof["diff"] < -1e-9].nsmallest(n_profile, "diff"),
        )

    def movers(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` biggest changes of final score since the previous round (either way)."""
        r = self.results.dropna(subset=["delta_final"])
        return r.reindex(r["delta_final"].abs().sort_values(ascending=False).index).head(n)

    def vetoed(self) -> pd.DataFrame:
        return self.results[self.results["vetoes"].astype(str) != ""]

    def penalised(self) -> pd.DataFrame:
        return self.results[self.results["penalty"] > 0]

    def reports(self, out: str | Path | None = None) -> list[dict[str, str]]:
        """The round's report files as ``[{kind, lang, unit, path}]``, paths relative to the
        round folder: the list the batch runner recorded, else the ``*.html`` found in ``out``."""
        if self.meta.get("reports"):
            return list(self.meta["reports"])
        if out is None or not Path(out).is_dir():
            return []
        found = []
        for p in sorted(Path(out).rglob("*.html")):
            rel = p.relative_to(out).as_posix()
            kind = "index" if p.name == "index.html" else ("round_report" if p.name.startswith("round_report")
                                                          else "unit_feedback")
            found.append({"kind": kind, "lang": "", "unit": "", "path": rel})
        return found

    # ----------------------------------------------------------------- files
    def save(self, folder: str | Path) -> Path:
        """Write every table as Parquet and ``meta.json`` into ``folder`` (atomically per file)."""

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            df = getattr(self, name)
            write_parquet(folder / f"{name}.parquet", df.reset_index() if name == "results" else df)
        write_json(folder / "meta.json", self.meta)
        return folder

    def __repr__(self) -> str:
        return (f"RoundFacts(scheme={self.meta.get('scheme_id')!r}, round={self.round!r}, units={len(self.results)}, "
                f"previous={self.meta.get('previous')})")


_CACHE: dict[str, tuple[tuple, dict[str, Any], dict[str, pd.DataFrame]]] = {}


def open_facts(folder: str | Path) -> RoundFacts:
    """Read facts written by :meth:`RoundFacts.save` (``reports.json`` beside them is merged in).

    The tables read are kept per folder (keyed by the files' sizes and modification times)
    and every call returns fresh copies, so a warm kernel reads them once per round and no
    report can change what the next one sees.
    """
    folder = Path(folder)
    if not (folder / "meta.json").is_file():
        raise DataError("no round facts here", where=[str(folder)],
                        hint="run `perfkit report CONFIG --out DIR` first, or pass scheme and data instead")
    names = ["meta.json", "reports.json", *(f"{n}.parquet" for n in TABLES)]
    stamp = tuple((n, p.stat().st_size, p.stat().st_mtime_ns) for n in names if (p := folder / n).is_file())
    key = str(folder.resolve())
    hit = _CACHE.get(key)
    if hit is None or hit[0] != stamp:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        reports = folder / "reports.json"
        if reports.is_file():
            meta["reports"] = json.loads(reports.read_text(encoding="utf-8"))
        tables = {}
        for name in TABLES:
            df = pd.read_parquet(folder / f"{name}.parquet")
            for c in df.columns:
                if str(df[c].dtype) in ("string", "str"):
                    df[c] = df[c].astype(object).where(df[c].notna(), None)
            tables[name] = df.set_index("unit_id") if name == "results" else df
        _CACHE.clear()
        _CACHE[key] = hit = (stamp, meta, tables)
    _, meta, tables = hit
    return RoundFacts(meta=json.loads(json.dumps(meta)), source=str(folder),
                      **{n: df.copy() for n, df in tables.items()})


# --------------------------------------------------------------------- building
def evaluate_rounds(scheme, data, rounds: Sequence[Any]) -> dict[str, Any]:
    """Evaluate each round. ``scheme`` is a Scheme or a path (``{round}`` in it is filled in,
    for one scheme per round); ``data`` is a path (``{round}`` is filled in, else rows are
    selected by their ``round`` column) or a callable ``round -> RoundData``."""

    out = {}
    for r in rounds:
        sch = scheme
        if isinstance(scheme, (str, Path)):
            sch = perfkit.load_scheme(str(scheme).format(round=r) if "{round}" in str(scheme) else scheme)
        if callable(data):
            rd = data(r)
        else:
            text = str(data)
            rd = perfkit.load_round(text.format(round=r) if "{round}" in text else text,
                                    round=None if r is None else str(r))
        out[str(r)] = perfkit.evaluate(sch, rd)
    return out


def prepare_facts(scheme, data, *, round: Any = None, previous: Sequence[Any] = ()) -> RoundFacts:
    """Evaluate the round (and ``previous`` rounds for trends) and build its facts.

    This is what a notebook does when run on its own; the batch runner does it once and
    hands the notebooks the saved facts instead.
    """
    if isinstance(previous, str):  # "2023, 2024" from a command line
        previous = [p for p in previous.replace("[", " ").replace("]", " ").replace(",", " ").split() if p]
    evs = evaluate_rounds(scheme, data, [*previous, round])
    return build_facts(evs, round=str(round))


def build_facts(evaluations: Mapping[str, Any], *, round: str) -> RoundFacts:
    """Build the facts of ``round`` from ``{round: Evaluation}`` (earlier rounds give trends)."""
    round = str(round)
    if round not in evaluations:
        raise DataError(f"round {round!r} was not evaluated", hint=f"evaluated: {', '.join(evaluations)}")
    ev = evaluations[round]
    s = ev.scheme
    previous = [r for r in evaluations if r != round]
    meta = _meta(ev, round, previous)
    history = _history(evaluations)
    results = _results(ev, history, previous[-1] if previous else None)
    lines = _lines(ev)
    adjustments = _adjustments(ev)
    survey, comments = _survey(ev)
    profile = _profile(ev)
    quotas = _quotas(ev)
    del s
    return RoundFacts(meta=meta, results=results, history=history, lines=lines, adjustments=adjustments,
                      survey=survey, comments=comments, profile=profile, quotas=quotas)


def _lab(label) -> dict[str, str]:
    return {"zh": label.zh, "en": label.en}


def _meta(ev, round: str, previous: list[str]) -> dict[str, Any]:
    s = ev.scheme
    m = s.model
    cat = catalogue()
    labels: dict[str, dict[str, dict[str, str]]] = {
        "category": {c.id: _lab(c.label) for c in m.categories},
        "node": {nid: _lab(n.label) for nid, n in s.nodes.items()},
        "group": {}, "item": {}, "grade": {},
    }
    grades: dict[str, list[dict[str, Any]]] = {}
    if m.grading is not None:
        for c in sorted(set(ev.results["category"])):
            rules = m.grading.for_category(c)
            grades[c] = [{"id": g.id, "min_score": g.min_score, "max_share": g.max_share} for g in rules]
            for g in rules:
                if g.label is not None:
                    labels["grade"][g.id] = _lab(g.label)
                elif f"grade.{g.id}" in cat:
                    labels["grade"][g.id] = dict(cat[f"grade.{g.id}"])
    if m.survey is not None:
        for g in m.survey.groups:
            lab = m.survey.group_labels.get(g)
            labels["group"][g] = _lab(lab) if lab else {"zh": g, "en": g}
    for kind in ("bonus", "penalty"):
        for k, lab in getattr(m.adjustments, kind).items.items():
            labels["item"][k] = _lab(lab)
    for k, v in m.adjustments.veto.items():
        labels["item"][k] = _lab(v.label)
    return {
        "scheme_id": s.id, "scheme_label": _lab(m.label), "scheme_file": s.file, "scheme_sha256": s.hash,
        "round": round, "previous": previous, "paradigm": s.paradigm,
        "total_points": s.root.points if s.paradigm == "points" else None,
        "categories": [c.id for c in m.categories] or sorted(set(ev.results["category"])),
        "grades": grades, "labels": labels,
        "min_cell": m.survey.min_cell if m.survey is not None else None,
        "has_survey": m.survey is not None and ev.survey is not None and len(ev.survey) > 0,
        "caps": {"bonus": m.adjustments.bonus.cap, "penalty": m.adjustments.penalty.cap},
        "units": len(ev.results), "perfkit": perfkit.__version__,
        "data_source": ev.input_data.source,
    }


def _history(evaluations: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for r, ev in evaluations.items():
        res = ev.results
        cat_mean = res.groupby("category")["final"].transform("mean")
        rows.append(pd.DataFrame({"round": r, "unit_id": res.index, "category": res["category"].to_numpy(),
                                  "final": res["final"].to_numpy(dtype=float),
                                  "rank": res["rank"].to_numpy(dtype=float),
                                  "grade": res["grade"].to_numpy(dtype=object),
                                  "category_mean": cat_mean.to_numpy(dtype=float)}))
    return pd.concat(rows, ignore_index=True)


def _results(ev, history: pd.DataFrame, prev: str | None) -> pd.DataFrame:
    cols = ["name_zh", "name_en", "category", "base", "bonus", "penalty", "final", "rank", "category_size",
            "grade", "grade_reason", "grade_reason_zh", "vetoes"]
    res = ev.results[[c for c in cols if c in ev.results]].copy()
    res["vetoes"] = res["vetoes"].map(lambda v: ", ".join(v) if isinstance(v, (tuple, list)) else (v or ""))
    res["rank"] = res["rank"].astype(float)
    if prev is not None:
        p = history[history["round"] == prev].set_index("unit_id")
        res["prev_final"] = p["final"].reindex(res.index)
        res["prev_rank"] = p["rank"].reindex(res.index)
    else:
        res["prev_final"] = np.nan
        res["prev_rank"] = np.nan
    res["delta_final"] = res["final"] - res["prev_final"]
    res["delta_rank"] = res["prev_rank"] - res["rank"]  # positive = moved up
    res.index.name = "unit_id"
    return res


def _lines(ev) -> pd.DataFrame:
    """Every unit's explain() lines (targets as the engine reports them: a rule's own
    target, the data's target column, or a functional target's)."""
    lines = ev.explanations.copy()
    for c in ("value", "treated", "target"):
        if c in lines:
            lines[c] = pd.to_numeric(lines[c], errors="coerce")
    return lines


def _adjustments(ev) -> pd.DataFrame:
    adj = ev.data.adjustments
    cols = ["unit_id", "kind", "item", "points", "reason"]
    if adj is None or not len(adj):
        return pd.DataFrame(columns=cols)
    out = adj[[c for c in cols if c in adj]].copy()
    if "reason" not in out:
        out["reason"] = ""
    out["reason"] = out["reason"].fillna("").astype(str)
    out["points"] = pd.to_numeric(out["points"], errors="coerce")
    return out.reset_index(drop=True)


def _survey(ev) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["unit_id", "group", "n", "mean", "ci_low", "ci_high", "used", "suppressed"]
    if ev.survey is None or not len(ev.survey):
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["unit_id", "group", "comment", "count", "n_comments"])
    sv = ev.survey[cols].copy()
    sv["n"] = sv["n"].astype(float)
    small = sv["suppressed"].astype(bool)
    sv.loc[small, ["n", "mean", "ci_low", "ci_high"]] = np.nan
    return sv.reset_index(drop=True), _comments(ev, sv)


def _comments(ev, sv: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The ``top`` most frequent comments per unit x group (cells at or above min_cell only)."""
    cols = ["unit_id", "group", "comment", "count", "n_comments"]
    raw = ev.data.survey
    col = next((c for c in ("comment", "comments") if c in raw.columns), None)
    if col is None:
        return pd.DataFrame(columns=cols)
    open_cells = set(map(tuple, sv.loc[~sv["suppressed"].astype(bool), ["unit_id", "group"]].to_numpy()))
    text = raw[col].astype("string").str.strip()
    df = pd.DataFrame({"unit_id": raw["unit_id"], "group": raw["respondent_group"], "comment": text})
    df = df[df["comment"].notna() & (df["comment"] != "")]
    df = df[[(u, g) in open_cells for u, g in zip(df["unit_id"], df["group"])]]
    if not len(df):
        return pd.DataFrame(columns=cols)
    counts = df.groupby(["unit_id", "group", "comment"]).size().rename("count").reset_index()
    totals = df.groupby(["unit_id", "group"]).size().rename("n_comments").reset_index()
    counts = counts.merge(totals, on=["unit_id", "group"])
    counts = counts.sort_values(["unit_id", "group", "count", "comment"], ascending=[True, True, False, True])
    return counts.groupby(["unit_id", "group"]).head(top).reset_index(drop=True)[cols]


def _profile(ev) -> pd.DataFrame:
    """Each unit's leaf scores against its category's mean (strengths and weaknesses)."""
    s = ev.scheme
    leaves = [c for c in ev.scores.columns if c in s.leaves or c in s.target_nodes]
    sc = ev.scores[leaves]
    cat = ev.results["category"]
    mean = sc.groupby(cat).transform("mean")
    long = sc.stack(future_stack=True).rename("score").reset_index()
    long.columns = ["unit_id", "id", "score"]
    long["category_mean"] = mean.stack(future_stack=True).to_numpy()
    long["diff"] = long["score"] - long["category_mean"]
    long["category"] = cat.reindex(long["unit_id"]).to_numpy()
    return long


def _quotas(ev) -> pd.DataFrame:
    cols = ["category", "grade", "order", "count", "min_score", "max_share", "quota", "category_size"]
    g = ev.scheme.model.grading
    if g is None:
        return pd.DataFrame(columns=cols)
    rows = []
    res = ev.results
    for c in sorted(set(res["category"])):
        sub = res[res["category"] == c]
        n = int(sub["final"].notna().sum())
        for i, rule in enumerate(g.for_category(c)):
            rows.append({"category": c, "grade": rule.id, "order": i, "count": int((sub["grade"] == rule.id).sum()),
                         "min_score": rule.min_score, "max_share": rule.max_share,
                         "quota": quota_size(rule.max_share, n, g.quota_rounding) if rule.max_share else np.nan,
                         "category_size": n})
    return pd.DataFrame(rows, columns=cols)
