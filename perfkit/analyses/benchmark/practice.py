"""Peer-city practice (对标先进做法): the benchmarking study as data, its matrix, the home
city's gaps beside the document's own recommendations, and maturity radar data.

The data file (``datasets/benchmark/peer_practice.yaml``) encodes the document's practice
dimensions, their concrete items, and for every item which city does it, *what the
document says* (a verbatim phrase) and the section it says it in; the home city's status
on each item; the document's recommendations; and a maturity score per city and dimension
that is the office's judgement on a rubric kept in the file. :func:`load_practice` checks
all of it, and every quoted phrase against its section of the source document, and
refuses what it cannot place, naming the YAML path.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit.analyses.benchmark.source import Labelled, SourceDocument, read_source
from perfkit.datasets import root as datasets_root
from perfkit.errors import DataError, SchemeError, did_you_mean
from perfkit.i18n import t
from perfkit.results import Alert, html_head, html_table
from perfkit.scheme.load import read_yaml

__all__ = ["City", "Quote", "Cell", "HomeStatus", "Item", "Score", "Level", "Dimension", "PeerPractice",
           "PracticeMatrix", "GapList", "load_practice", "default_practice_path", "practice_matrix", "gap_list",
           "radar_data", "STATUSES"]

#: The home city's status on a practice item (the office's judgement).
STATUSES = ("has", "partial", "lacks")


def default_practice_path() -> Path:
    """``datasets/benchmark/peer_practice.yaml`` of the datasets folder."""
    return datasets_root() / "benchmark" / "peer_practice.yaml"


@dataclass(frozen=True)
class City(Labelled):
    id: str
    zh: str
    en: str
    collective: bool = False  # "各地": what the document says of the peer cities together
    home: bool = False


@dataclass(frozen=True)
class Quote:
    """A verbatim phrase of the source document, its section and the office's translation."""

    section: str
    says: str
    en: str = ""


@dataclass(frozen=True)
class Cell:
    """One city doing one practice item, in the document's words."""

    dimension: str
    item: str
    city: str
    section: str
    says: str
    en: str = ""


@dataclass(frozen=True)
class HomeStatus:
    """The home city on one item: ``has`` / ``partial`` / ``lacks`` (the office's judgement)
    and, when the document describes it, its words."""

    status: str
    judgement: str
    section: str | None = None
    says: str | None = None
    en: str | None = None


@dataclass(frozen=True)
class Item(Labelled):
    id: str
    dimension: str
    zh: str
    en: str
    cells: tuple[Cell, ...]
    home: HomeStatus
    recommendations: tuple[Quote, ...]


@dataclass(frozen=True)
class Score:
    """A maturity score: the office's judgement, on the items it rests on."""

    dimension: str
    city: str
    score: int
    judgement: str
    basis: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    score: int
    zh: str
    en: str


@dataclass(frozen=True)
class Dimension(Labelled):
    id: str
    zh: str
    en: str
    section: str
    says: str
    gap: Quote
    items: tuple[Item, ...]
    scores: Mapping[str, Score]


@dataclass(frozen=True, eq=False)
class PeerPractice:
    """The benchmarking study's peer practice, checked against its source.

    Attributes
    ----------
    file
        The data file read.
    source_file
        The document every cell cites.
    document
        The source document with its sections (``None`` when it was not checked).
    cities
        City id -> :class:`City` (one ``collective`` entry for what the document says of
        "各地", one ``home`` entry).
    levels
        The maturity rubric, lowest first; ``rubric_note`` says the scores are the office's.
    dimensions
        The practice dimensions, each with its items, cells, gap phrase and scores.
    """

    file: str
    source_file: str
    title: Mapping[str, str]
    cities: Mapping[str, City]
    levels: tuple[Level, ...]
    rubric_note: Mapping[str, str]
    dimensions: tuple[Dimension, ...]
    document: SourceDocument | None = field(default=None, repr=False)

    @property
    def home(self) -> City:
        return next(c for c in self.cities.values() if c.home)

    @property
    def peer_cities(self) -> list[City]:
        """The named peer cities (not the collective entry, not the home city)."""
        return [c for c in self.cities.values() if not c.home and not c.collective]

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise DataError(f"no dimension {dim_id!r}{did_you_mean(dim_id, [d.id for d in self.dimensions])}")

    def cite(self, section: str | None, lang: str = "zh") -> str:
        """How a report cites a section: the file name and the section's label."""
        if not section:
            return ""
        if self.document is not None:
            return self.document.cite(section, lang)
        return f"{self.source_file}{',' if lang == 'zh' else ', '}{section}"

    def cells_frame(self) -> pd.DataFrame:
        """One row per cell: dimension, item, city, section, says, en."""
        rows = [{"dimension": c.dimension, "item": c.item, "city": c.city, "section": c.section, "says": c.says,
                 "en": c.en} for d in self.dimensions for i in d.items for c in i.cells]
        return pd.DataFrame(rows, columns=["dimension", "item", "city", "section", "says", "en"])

    def scores_frame(self) -> pd.DataFrame:
        """Dimensions x cities: the maturity scores (NaN: the document does not describe it)."""
        cols = list(self.cities)
        data = {c: [d.scores[c].score if c in d.scores else float("nan") for d in self.dimensions] for c in cols}
        return pd.DataFrame(data, index=pd.Index([d.id for d in self.dimensions], name="dimension"))

    def to_frame(self) -> pd.DataFrame:
        return self.cells_frame()

    def __repr__(self) -> str:
        n = sum(len(i.cells) for d in self.dimensions for i in d.items)
        return (f"PeerPractice(dimensions={len(self.dimensions)}, cells={n}, cities={len(self.cities)}, "
                f"checked={self.document is not None}, file={self.file!r})")

    def _repr_html_(self) -> str:
        meta = {"source": self.source_file, "checked": self.document is not None}
        return html_head("Peer practice", meta) + html_table(self.scores_frame()) + html_table(self.cells_frame(), 80)


# ---------------------------------------------------------------------- loading
class _Where:
    def __init__(self, file: str):
        self.file = file

    def error(self, path: str, message: str, hint: str = "") -> DataError:
        return DataError(message, where=[self.file, path], hint=hint)


def _text(raw: Mapping[str, Any], key: str, w: _Where, path: str, *, what: str) -> str:
    v = raw.get(key) if isinstance(raw, Mapping) else None
    if not isinstance(v, str) or not v.strip():
        raise w.error(path, f"no {key!r}", hint=what)
    return v


def _label(raw: Mapping[str, Any], w: _Where, path: str) -> tuple[str, str]:
    lab = raw.get("label")
    if not isinstance(lab, Mapping) or not all(isinstance(lab.get(k), str) and lab.get(k) for k in ("zh", "en")):
        raise w.error(f"{path}.label", "needs a label in zh and en", hint="label: {zh: ..., en: ...}")
    if set(lab) != {"zh", "en"}:
        raise w.error(f"{path}.label", f"has keys {sorted(map(str, lab))}, not just zh and en",
                      hint="an unquoted comma in {zh: ..., en: ...} cuts the label short: quote the text")
    return lab["zh"], lab["en"]


class _Checker:
    """Checks sections and quotes against the document (when there is one)."""

    def __init__(self, doc: SourceDocument | None, sections: Sequence[str], w: _Where):
        self.doc = doc
        self.sections = list(sections)
        self.w = w

    def quote(self, raw: Mapping[str, Any], path: str, *, required: bool = True) -> Quote | None:
        section = raw.get("section")
        says = raw.get("says")
        if not required and section is None and says is None:
            return None
        if section in (None, ""):
            raise self.w.error(path, "no 'section'",
                               hint="every statement cites the section of the source document it comes from")
        if section not in self.sections:
            raise self.w.error(f"{path}.section", f"unknown section {section!r}{did_you_mean(str(section), self.sections)}",
                               hint=f"sections: {', '.join(self.sections)}")
        if not isinstance(says, str) or not says.strip():
            raise self.w.error(path, "no 'says'", hint="quote the document's words (a verbatim phrase)")
        if self.doc is not None and not self.doc.contains(section, says):
            other = [s for s in self.sections if self.doc.contains(s, says)]
            where = f"; it occurs in section {other[-1]!r}" if other else f"; it is not in {self.doc.file} at all"
            raise self.w.error(f"{path}.says", f"the phrase {says!r} does not occur in section {section!r}{where}",
                               hint="quote the document verbatim and cite the section it is in")
        en = raw.get("en", "")
        return Quote(section=section, says=says, en=en if isinstance(en, str) else "")


def load_practice(path: str | Path | None = None, *, check: bool | str = "auto",
                  source: str | Path | None = None) -> PeerPractice:
    """Read and check a peer-practice file.

    Parameters
    ----------
    path
        The YAML file (default: :func:`default_practice_path`).
    check
        ``True``: the source document must be found and every quoted phrase must occur in
        the section it cites; ``False``: check the structure only; ``"auto"`` (default):
        check the quotes when the document is found.
    source
        The source document's path (default: :func:`~perfkit.analyses.benchmark.source.find_source`).

    Raises
    ------
    DataError
        Naming the file and the YAML path: a cell without a section or a quote, a quote
        not in its section, an unknown city, section or item, a score off the rubric or
        not marked as the office's judgement, a score resting on items the city has no
        cell for.
    """
    p = Path(path) if path is not None else default_practice_path()
    w = _Where(str(p))
    if not p.is_file():
        raise DataError("peer-practice file not found", where=[str(p)],
                        hint="datasets/benchmark/peer_practice.yaml is the one the project ships")
    try:
        raw = read_yaml(p)
    except SchemeError as exc:  # the same reader as schemes; this file is data
        raise DataError(exc.message, where=exc.where, hint=exc.hint) from None
    if not isinstance(raw, Mapping):
        raise w.error("(top level)", "the file must be a YAML mapping")
    src = raw.get("source") or {}
    source_file = _text(src, "file", w, "source", what="source: {file: <the document's file name>}")
    sec_rows = raw.get("sections")
    if not isinstance(sec_rows, list) or not sec_rows:
        raise w.error("sections", "no sections", hint="list the document's sections: {id, starts, zh, en}")
    for i, s in enumerate(sec_rows):
        for k in ("id", "starts", "zh", "en"):
            _text(s, k, w, f"sections[{i}]", what="each section: {id, starts, zh, en}")
    ids = [s["id"] for s in sec_rows]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise w.error("sections", f"section id(s) given twice: {', '.join(dup)}")
    doc = None
    if check:
        try:
            doc = read_source(sec_rows, file=source_file, path=source, where=str(p))
        except DataError:
            if check is True or source is not None:
                raise
            doc = None
    q = _Checker(doc, ids, w)

    cities: dict[str, City] = {}
    for i, c in enumerate(raw.get("cities") or []):
        cid = _text(c, "id", w, f"cities[{i}]", what="each city: {id, zh, en}")
        cities[cid] = City(id=cid, zh=_text(c, "zh", w, f"cities[{i}]", what="the city's name in zh"),
                           en=_text(c, "en", w, f"cities[{i}]", what="the city's name in en"),
                           collective=bool(c.get("collective", False)), home=bool(c.get("home", False)))
    if sum(c.home for c in cities.values()) != 1:
        raise w.error("cities", "exactly one city must be the home city (home: true)")

    rub = raw.get("rubric") or {}
    if rub.get("judgement") != "office":
        raise w.error("rubric.judgement", "the rubric must say whose judgement the scores are: judgement: office",
                      hint="the document gives no scores; every score is the office's judgement")
    levels = tuple(Level(score=int(lv["score"]), zh=_text(lv, "zh", w, f"rubric.levels[{j}]", what="zh text"),
                         en=_text(lv, "en", w, f"rubric.levels[{j}]", what="en text"))
                   for j, lv in enumerate(rub.get("levels") or []))
    if not levels:
        raise w.error("rubric.levels", "the rubric has no levels", hint="levels: [{score: 0, zh: ..., en: ...}, ...]")
    allowed = {lv.score for lv in levels}
    note = rub.get("note") or {}

    dims: list[Dimension] = []
    seen_items: set[str] = set()
    for di, d in enumerate(raw.get("dimensions") or []):
        dp = f"dimensions[{di}]"
        did = _text(d, "id", w, dp, what="each dimension has an id")
        dp = f"{dp}({did})"
        zh, en = _label(d, w, dp)
        head = q.quote(d, dp)
        gap = q.quote(d.get("gap") or {}, f"{dp}.gap")
        items: list[Item] = []
        for ii, it in enumerate(d.get("items") or []):
            ip = f"{dp}.items[{ii}]"
            iid = _text(it, "id", w, ip, what="each item has an id")
            ip = f"{ip}({iid})"
            if iid in seen_items:
                raise w.error(ip, f"item id {iid!r} is used twice")
            seen_items.add(iid)
            izh, ien = _label(it, w, ip)
            cells = []
            for ci, c in enumerate(it.get("cells") or []):
                cp = f"{ip}.cells[{ci}]"
                city = c.get("city")
                if city not in cities or cities[city].home:
                    peers = [k for k, v in cities.items() if not v.home]
                    raise w.error(f"{cp}.city", f"unknown peer city {city!r}{did_you_mean(str(city), peers)}",
                                  hint=f"cities: {', '.join(peers)}")
                qq = q.quote(c, cp)
                cells.append(Cell(dimension=did, item=iid, city=city, section=qq.section, says=qq.says, en=qq.en))
            if not cells:
                raise w.error(ip, "an item needs at least one city's cell", hint="cells: [{city, section, says, en}]")
            h = it.get("home")
            if not isinstance(h, Mapping) or h.get("status") not in STATUSES:
                raise w.error(f"{ip}.home", f"the home city's status must be one of {', '.join(STATUSES)}",
                              hint="home: {status: has|partial|lacks, judgement: office[, section, says, en]}")
            if h.get("judgement") != "office":
                raise w.error(f"{ip}.home.judgement", "the home city's status is the office's judgement: "
                              "say judgement: office")
            hq = q.quote(h, f"{ip}.home", required=False)
            home = HomeStatus(status=h["status"], judgement="office", section=hq.section if hq else None,
                              says=hq.says if hq else None, en=hq.en if hq else None)
            recs = tuple(q.quote(r, f"{ip}.recommendations[{ri}]") for ri, r in enumerate(it.get("recommendations") or []))
            items.append(Item(id=iid, dimension=did, zh=izh, en=ien, cells=tuple(cells), home=home,
                              recommendations=recs))
        scores: dict[str, Score] = {}
        by_id = {i.id: i for i in items}
        for city, sc in (d.get("scores") or {}).items():
            sp = f"{dp}.scores.{city}"
            if city not in cities:
                raise w.error(sp, f"unknown city {city!r}{did_you_mean(str(city), cities)}")
            if not isinstance(sc, Mapping) or sc.get("judgement") != "office":
                raise w.error(sp, "every score must be marked as the office's judgement (judgement: office)",
                              hint="the document gives no scores")
            if sc.get("score") not in allowed:
                raise w.error(f"{sp}.score", f"score {sc.get('score')!r} is not a level of the rubric "
                              f"({', '.join(map(str, sorted(allowed)))})")
            basis = tuple(sc.get("basis") or ())
            if not basis:
                raise w.error(f"{sp}.basis", "a score names the items it rests on (basis: [item, ...])")
            for b in basis:
                if b not in by_id:
                    raise w.error(f"{sp}.basis", f"unknown item {b!r}{did_you_mean(str(b), by_id)}")
                own = {c.city for c in by_id[b].cells}
                if not cities[city].home and city not in own and not (own & {k for k, v in cities.items() if v.collective}):
                    raise w.error(f"{sp}.basis", f"item {b!r} has no cell for {city!r} (nor a shared-practice cell)",
                                  hint="a score rests only on what the document says of that city")
            scores[city] = Score(dimension=did, city=city, score=int(sc["score"]), judgement="office", basis=basis)
        dims.append(Dimension(id=did, zh=zh, en=en, section=head.section, says=head.says, gap=gap,
                              items=tuple(items), scores=scores))
    if not dims:
        raise w.error("dimensions", "no dimensions")
    title = src.get("title") or {}
    return PeerPractice(file=str(p), source_file=source_file, title={"zh": title.get("zh", ""), "en": title.get("en", "")},
                        cities=cities, levels=levels, rubric_note={"zh": note.get("zh", ""), "en": note.get("en", "")},
                        dimensions=tuple(dims), document=doc)


# ---------------------------------------------------------------------- results
def _quoted(says: str, lang: str) -> str:
    return f"“{says}”" if lang == "zh" else f"\u201c{says}\u201d"


@dataclass(frozen=True, eq=False)
class PracticeMatrix:
    """Practice items x cities: what the document says each city does.

    Attributes
    ----------
    table
        One row per (dimension, item, city) with a cell: the quote, its translation, the
        section and its citation, and the home city's status per item.
    scores
        Dimensions x cities: maturity scores (the office's judgement; NaN: not described).
    """

    table: pd.DataFrame
    scores: pd.DataFrame
    practice: PeerPractice = field(repr=False)

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Wide: one row per item, one column per city (the quotes with their sections)."""
        pp = self.practice
        rows = []
        for d in pp.dimensions:
            for it in d.items:
                row = {"dimension": d.label(lang), "item": it.label(lang)}
                for c in pp.cities.values():
                    if c.home:
                        continue
                    said = [x for x in it.cells if x.city == c.id]
                    row[c.label(lang)] = ";".join(
                        f"{_quoted(x.says if lang == 'zh' else (x.en or x.says), lang)}({pp.cite(x.section, lang)})"
                        for x in said)
                row[pp.home.label(lang)] = t(f"bm.status.{it.home.status}", lang)
                rows.append(row)
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return html_head("Practice matrix", {"source": self.practice.source_file}) + \
            html_table(self.scores) + html_table(self.to_frame("zh"), 80)


@dataclass(frozen=True, eq=False)
class GapList:
    """What peers do that the home city does not (fully), with the document's own
    recommendations beside each gap.

    Attributes
    ----------
    items
        One row per item where the home city's status is ``lacks`` or ``partial``:
        dimension, item, status, the peer cities doing it, the document's gap phrase for
        the dimension, and the recommendations (quotes and sections).
    dimensions
        One row per dimension: the home city's score, the best named peer's score and who,
        the difference, the gap phrase and its section.
    alerts
        A warning per dimension where the home city is two or more rubric levels behind
        the best peer (an info at one level).
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    alerts: tuple[Alert, ...]
    practice: PeerPractice = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.items.copy()

    def _repr_html_(self) -> str:
        return html_head("Gap list", {"source": self.practice.source_file, "alerts": len(self.alerts)}) + \
            html_table(self.dimensions) + html_table(self.items, 60)


def practice_matrix(practice: PeerPractice) -> PracticeMatrix:
    """The practice matrix of ``practice`` (items x cities, with scores)."""
    rows = []
    for d in practice.dimensions:
        for it in d.items:
            for c in it.cells:
                rows.append({"dimension": d.id, "item": it.id, "city": c.city, "says": c.says, "en": c.en,
                             "section": c.section, "cite_zh": practice.cite(c.section, "zh"),
                             "cite_en": practice.cite(c.section, "en"), "home_status": it.home.status})
    return PracticeMatrix(table=pd.DataFrame(rows), scores=practice.scores_frame(), practice=practice)


def gap_list(practice: PeerPractice, *, warn_at: int = 2) -> GapList:
    """The home city's gaps: every item it lacks or has only in part, with the peers doing
    it and the document's recommendations; per dimension the maturity difference to the
    best named peer (an alert at ``warn_at`` levels or more, an info below).

    Parameters
    ----------
    practice
        From :func:`load_practice`.
    warn_at
        Levels behind the best peer that make a warning.
    """
    home = practice.home.id
    rows = []
    for d in practice.dimensions:
        for it in d.items:
            if it.home.status == "has":
                continue
            rows.append({
                "dimension": d.id, "dimension_zh": d.zh, "dimension_en": d.en, "item": it.id,
                "item_zh": it.zh, "item_en": it.en, "status": it.home.status,
                "peers": tuple(dict.fromkeys(c.city for c in it.cells)),
                "peer_says": tuple(c.says for c in it.cells), "peer_sections": tuple(c.section for c in it.cells),
                "home_says": it.home.says, "home_section": it.home.section,
                "gap_says": d.gap.says, "gap_section": d.gap.section,
                "recommendations": tuple(r.says for r in it.recommendations),
                "recommendation_sections": tuple(r.section for r in it.recommendations),
                "recommendations_en": tuple(r.en for r in it.recommendations),
            })
    dim_rows = []
    alerts = []
    named = [c.id for c in practice.peer_cities]
    for d in practice.dimensions:
        peer_scores = {c: d.scores[c].score for c in named if c in d.scores}
        best = max(peer_scores.values()) if peer_scores else None
        leaders = tuple(c for c, s in peer_scores.items() if s == best)
        mine = d.scores[home].score if home in d.scores else None
        diff = (best - mine) if best is not None and mine is not None else None
        dim_rows.append({"dimension": d.id, "dimension_zh": d.zh, "dimension_en": d.en, "home_score": mine,
                         "best_score": best, "best_cities": leaders, "difference": diff, "gap_says": d.gap.says,
                         "gap_section": d.gap.section})
        if diff is not None and diff > 0:
            alerts.append(Alert(source="benchmark", level="warning" if diff >= warn_at else "info",
                                code="bm_practice_gap", subject=d.id,
                                params={"dimension": {"zh": d.zh, "en": d.en}, "home": mine, "best": best,
                                        "diff": diff},
                                evidence={"best_cities": leaders, "gap": d.gap.says, "section": d.gap.section}))
    return GapList(items=pd.DataFrame(rows), dimensions=pd.DataFrame(dim_rows), alerts=tuple(alerts),
                   practice=practice)


def radar_data(practice: PeerPractice, series: Sequence[str] = ("home", "best", "peers")) -> pd.DataFrame:
    """Maturity scores for a radar chart: one row per (series, dimension).

    ``series`` are city ids, or ``"best"`` — per dimension the highest score of the named
    peer cities (who it is goes in ``best_cities``). A series without a score on a
    dimension (the document does not describe it) has no row there.
    """
    named = [c.id for c in practice.peer_cities]
    rows = []
    for s in series:
        if s != "best" and s not in practice.cities:
            raise DataError(f"unknown series {s!r}{did_you_mean(s, [*practice.cities, 'best'])}")
        for order, d in enumerate(practice.dimensions):
            if s == "best":
                sc = {c: d.scores[c].score for c in named if c in d.scores}
                if not sc:
                    continue
                value = max(sc.values())
                who = tuple(c for c, v in sc.items() if v == value)
                lab_zh, lab_en = t("bm.series.best", "zh"), t("bm.series.best", "en")
            else:
                if s not in d.scores:
                    continue
                value, who = d.scores[s].score, (s,)
                lab_zh, lab_en = practice.cities[s].zh, practice.cities[s].en
            rows.append({"series": s, "series_zh": lab_zh, "series_en": lab_en, "dimension": d.id,
                         "dimension_zh": d.zh, "dimension_en": d.en, "order": order, "score": float(value),
                         "best_cities": who})
    return pd.DataFrame(rows, columns=["series", "series_zh", "series_en", "dimension", "dimension_zh",
                                       "dimension_en", "order", "score", "best_cities"])
