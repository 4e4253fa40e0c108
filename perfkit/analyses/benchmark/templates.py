"""Peer-model templates (对标模式): a peer city's evaluation model re-expressed for the
office's own scheme, and the office's round re-scored under it.

A template (``datasets/benchmark/templates/*.yaml``) names the model's components, each
taking nodes of the office's scheme (``takes``), with the points the component is worth.
Every component, every point value and every adjustment rule says where it comes from:
``from: document`` (with the section and a phrase the document says there, checked) or
``from: assumption`` (with the assumption in zh and en). The points must add up to the
template's total, every indicator of the scheme must be taken exactly once, and the
scheme must be a points scheme of that total: otherwise a located :class:`SchemeError`.

:func:`apply_template` builds the variant scheme (the taken nodes keep their inner balance,
rescaled to their component's points, via :meth:`Scheme.with_points`);
:func:`compare_templates` re-scores the round under each template with
:meth:`Evaluation.rerun` and compares ranks and grades with the office's own scheme through
:func:`perfkit.analyses.compare`.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from perfkit.analyses.benchmark.practice import PeerPractice, load_practice
from perfkit.analyses.benchmark.source import Labelled
from perfkit.analyses.compare import ComparisonResult, compare
from perfkit.datasets import root as datasets_root
from perfkit.engine.evaluation import Evaluation
from perfkit.errors import SchemeError, did_you_mean
from perfkit.results import Alert, html_head, html_table
from perfkit.scheme import Scheme
from perfkit.scheme.load import read_yaml

__all__ = ["Provenance", "Component", "Template", "TemplateComparison", "load_template", "template_paths",
           "apply_template", "compare_templates", "OFFICE"]

#: The name the office's own scheme has in a template comparison.
OFFICE = "office"
_TOL = 1e-9


def template_paths() -> list[Path]:
    """The templates shipped in ``datasets/benchmark/templates/``."""
    return sorted((datasets_root() / "benchmark" / "templates").glob("*.yaml"))


@dataclass(frozen=True)
class Provenance:
    """Where a component or a value comes from: the document (``section`` and ``says``)
    or an assumption (``assumption_zh`` / ``assumption_en``)."""

    origin: str  # "document" | "assumption"
    section: str | None = None
    says: str | None = None
    en: str | None = None  # the office's translation of what the document says
    assumption_zh: str | None = None
    assumption_en: str | None = None


@dataclass(frozen=True)
class Component(Labelled):
    id: str
    zh: str
    en: str
    points: float
    takes: tuple[str, ...]
    structure: Provenance
    points_source: Provenance


@dataclass(frozen=True, eq=False)
class Template(Labelled):
    """A peer model for the office's scheme (see the module docstring).

    Attributes
    ----------
    components
        The model's parts, each with the office's nodes it takes and its points.
    adjustments
        ``bonus_cap`` / ``penalty_cap`` (value, provenance) and ``veto`` (provenance),
        plus the provenance of the adjustment part itself (``part``).
    model
        What the document says of the model (section and phrase).
    """

    id: str
    city: str
    zh: str
    en: str
    file: str
    total_points: float
    components: tuple[Component, ...]
    model: Provenance
    adjustments: Mapping[str, Any]
    note: Mapping[str, str]

    def to_frame(self) -> pd.DataFrame:
        """One row per component and adjustment value, with where each comes from."""
        rows = []
        for c in self.components:
            rows.append({"template": self.id, "part": c.id, "label_zh": c.zh, "label_en": c.en, "points": c.points,
                         "takes": ", ".join(c.takes), "structure_from": c.structure.origin,
                         "section": c.structure.section, "says": c.structure.says,
                         "points_from": c.points_source.origin, "assumption_zh": c.points_source.assumption_zh,
                         "assumption_en": c.points_source.assumption_en})
        for key in ("bonus_cap", "penalty_cap"):
            if key in self.adjustments:
                value, prov = self.adjustments[key]
                rows.append({"template": self.id, "part": key, "label_zh": key, "label_en": key, "points": value,
                             "takes": "", "structure_from": self.adjustments["part"].origin,
                             "section": self.adjustments["part"].section, "says": self.adjustments["part"].says,
                             "points_from": prov.origin, "assumption_zh": prov.assumption_zh,
                             "assumption_en": prov.assumption_en})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        parts = ", ".join(f"{c.id}={c.points:g}" for c in self.components)
        return f"Template({self.id!r}, city={self.city!r}, {parts})"

    def _repr_html_(self) -> str:
        return html_head(f"Template {self.id}", {"city": self.city, "file": self.file}) + html_table(self.to_frame())


# ---------------------------------------------------------------------- loading
def _err(file: str, path: str, message: str, hint: str = "") -> SchemeError:
    return SchemeError(message, where=[file, path], hint=hint)


def _provenance(raw: Mapping[str, Any], file: str, path: str, practice: PeerPractice | None, *,
                origin_key: str = "from") -> Provenance:
    origin = raw.get(origin_key) if isinstance(raw, Mapping) else None
    if origin not in ("document", "assumption"):
        raise _err(file, f"{path}.{origin_key}", "say where this comes from: 'document' or 'assumption'",
                   hint="the document gives structures, not points: a point value is usually an assumption")
    if origin == "document":
        section, says = raw.get("section"), raw.get("says")
        if not section or not says:
            raise _err(file, path, "'from: document' needs the 'section' and a phrase the document 'says' there")
        doc = practice.document if practice is not None else None
        if doc is not None:
            if section not in doc.sections:
                raise _err(file, f"{path}.section", f"unknown section {section!r}{did_you_mean(section, doc.sections)}")
            if not doc.contains(section, says):
                raise _err(file, f"{path}.says", f"the phrase {says!r} does not occur in section {section!r} of "
                           f"{doc.file}", hint="quote the document verbatim")
        en = raw.get("en")
        return Provenance(origin="document", section=section, says=says, en=en if isinstance(en, str) else None)
    a = raw.get("assumption")
    if not isinstance(a, Mapping) or not a.get("zh") or not a.get("en"):
        raise _err(file, f"{path}.assumption", "'from: assumption' needs the assumption said in zh and en",
                   hint="assumption: {zh: ..., en: ...}")
    return Provenance(origin="assumption", assumption_zh=a["zh"], assumption_en=a["en"])


def _number(v: Any, file: str, path: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v < 0:
        raise _err(file, path, f"must be a non-negative number (got {v!r})")
    return float(v)


def load_template(source: str | Path | Mapping[str, Any], *, practice: PeerPractice | None | str = "auto",
                  file: str | None = None) -> Template:
    """Read and check a template.

    Parameters
    ----------
    source
        A YAML file or a mapping.
    practice
        The peer-practice data whose source document ``from: document`` phrases are checked
        against (``"auto"``: :func:`load_practice`; ``None``: no phrase check).
    file
        The name errors give for a mapping.

    Raises
    ------
    SchemeError
        Naming the file and the YAML path: points that do not add up to ``total_points``,
        a component or value without its origin, a phrase not in the cited section, a node
        taken twice, an unknown peer city.
    """
    if isinstance(source, Mapping):
        raw, f = dict(source), file or "<template>"
    else:
        p = Path(source)
        f = str(p)
        if not p.is_file():
            raise SchemeError("template file not found", where=[f],
                              hint="see datasets/benchmark/templates/ for the shipped ones")
        raw = read_yaml(p)
    if not isinstance(raw, Mapping):
        raise _err(f, "(top level)", "a template is a YAML mapping")
    if practice == "auto":
        practice = load_practice()
    for key in ("id", "city"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise _err(f, key, f"no {key!r}")
    if practice is not None and raw["city"] not in practice.cities:
        raise _err(f, "city", f"unknown city {raw['city']!r}{did_you_mean(raw['city'], practice.cities)}")
    if practice is not None and raw.get("source") != practice.source_file:
        raise _err(f, "source", f"a template cites the benchmarking study {practice.source_file} "
                   f"(got {raw.get('source')!r})")
    lab = raw.get("label")
    if not isinstance(lab, Mapping) or not lab.get("zh") or not lab.get("en"):
        raise _err(f, "label", "needs a label in zh and en")
    model = _provenance({"from": "document", **(raw.get("model") or {})}, f, "model", practice)
    total = _number(raw.get("total_points"), f, "total_points")
    comps: list[Component] = []
    taken: dict[str, str] = {}
    for i, c in enumerate(raw.get("components") or []):
        cp = f"components[{i}]"
        cid = c.get("id") if isinstance(c, Mapping) else None
        if not isinstance(cid, str) or not cid:
            raise _err(f, cp, "a component needs an id")
        cp = f"{cp}({cid})"
        clab = c.get("label")
        if not isinstance(clab, Mapping) or not clab.get("zh") or not clab.get("en") or set(clab) != {"zh", "en"}:
            raise _err(f, f"{cp}.label", "needs a label in zh and en, and nothing else",
                       hint="an unquoted comma in {zh: ..., en: ...} cuts the label short: quote the text")
        structure = _provenance(c, f, cp, practice)
        points = _number(c.get("points"), f, f"{cp}.points")
        psrc = _provenance(c, f, cp, practice, origin_key="points_from") if "points_from" in c else None
        if psrc is None:
            raise _err(f, f"{cp}.points_from", "say where the points come from: 'document' or 'assumption'",
                       hint="the document gives no points for peer models: usually 'assumption' with the reason")
        takes = c.get("takes")
        if not isinstance(takes, list) or not takes or not all(isinstance(x, str) for x in takes):
            raise _err(f, f"{cp}.takes", "list the office's scheme nodes this component takes")
        for n in takes:
            if n in taken:
                raise _err(f, f"{cp}.takes", f"node {n!r} is already taken by component {taken[n]!r}")
            taken[n] = cid
        comps.append(Component(id=cid, zh=clab["zh"], en=clab["en"], points=points, takes=tuple(takes),
                               structure=structure, points_source=psrc))
    if not comps:
        raise _err(f, "components", "a template needs components")
    got = sum(c.points for c in comps)
    if abs(got - total) > 1e-6:
        parts = " + ".join(f"{c.id} {c.points:g}" for c in comps)
        raise _err(f, "components", f"the components' points add up to {got:g} ({parts}), not total_points {total:g}",
                   hint="make the points add up to total_points")
    adj_raw = raw.get("adjustments") or {}
    adjustments: dict[str, Any] = {}
    if adj_raw:
        adjustments["part"] = _provenance(adj_raw, f, "adjustments", practice)
        for key in ("bonus_cap", "penalty_cap"):
            if key in adj_raw:
                v = adj_raw[key] or {}
                adjustments[key] = (_number(v.get("value"), f, f"adjustments.{key}.value"),
                                    _provenance(v, f, f"adjustments.{key}", practice))
        if "veto" in adj_raw:
            v = adj_raw["veto"] or {}
            if v.get("keep") is not True:
                raise _err(f, "adjustments.veto.keep", "only 'keep: true' is supported: the round's veto items "
                           "need the rules of the office's scheme")
            adjustments["veto"] = _provenance(v, f, "adjustments.veto", practice)
    note = raw.get("note") or {}
    return Template(id=raw["id"], city=raw["city"], zh=lab["zh"], en=lab["en"], file=f, total_points=total,
                    components=tuple(comps), model=model, adjustments=adjustments,
                    note={"zh": note.get("zh", ""), "en": note.get("en", "")})


# ---------------------------------------------------------------------- applying
def _covered(scheme: Scheme, node_id: str) -> set[str]:
    """Indicators and target nodes at or under ``node_id``."""
    out = set()
    for nid, path in scheme.paths.items():
        if node_id in path and (scheme.nodes[nid].is_leaf or scheme.nodes[nid].source == "targets"):
            out.add(nid)
    return out


def _find_raw(node: dict[str, Any], node_id: str) -> dict[str, Any] | None:
    if node.get("id") == node_id:
        return node
    for child in node.get("children") or ():
        hit = _find_raw(child, node_id)
        if hit is not None:
            return hit
    return None


def apply_template(scheme: Scheme, template: Template) -> Scheme:
    """The office's ``scheme`` restructured as ``template``'s model.

    The root's children become the template's components; each holds the office's nodes
    it ``takes`` (with their indicators, rules and inner balance), rescaled to the
    component's points. Bonus and penalty caps are the template's; vetoes, survey,
    special assessments and grading are the office's.

    Raises
    ------
    SchemeError
        The scheme is not a points scheme of the template's total, a node the template
        takes does not exist, an indicator is taken by no component or by two, or a
        component's id is already a node of the scheme.
    """
    f = template.file
    if scheme.paradigm != "points":
        raise _err(f, "(template)", f"a peer-model template re-weights a points scheme; {scheme.id!r} is "
                   f"{scheme.paradigm}")
    root_pts = float(scheme.root.points or 0.0)
    if abs(root_pts - template.total_points) > 1e-6:
        raise _err(f, "total_points", f"the template is for a {template.total_points:g}-point scheme, "
                   f"{scheme.id!r} has {root_pts:g}", hint="set total_points to the scheme's total")
    everything = _covered(scheme, scheme.root.id)
    seen: dict[str, str] = {}
    for i, c in enumerate(template.components):
        if c.id in scheme.nodes:
            raise _err(f, f"components[{i}]({c.id}).id", f"{c.id!r} is already a node of {scheme.id!r}",
                       hint="give the component an id of its own, e.g. part_<name>")
        for n in c.takes:
            if n not in scheme.nodes:
                raise _err(f, f"components[{i}]({c.id}).takes",
                           f"no node {n!r} in {scheme.id!r}{did_you_mean(n, scheme.nodes)}")
            if n == scheme.root.id:
                raise _err(f, f"components[{i}]({c.id}).takes", "a component cannot take the root")
            for leaf in _covered(scheme, n):
                if leaf in seen:
                    raise _err(f, f"components[{i}]({c.id}).takes",
                               f"indicator {leaf!r} is taken twice (by {seen[leaf]!r} and {c.id!r})",
                               hint="take a node or its parent, not both")
                seen[leaf] = c.id
    missing = sorted(everything - set(seen))
    if missing:
        raise _err(f, "components", f"no component takes {', '.join(missing[:6])}"
                   + (f" (and {len(missing) - 6} more)" if len(missing) > 6 else ""),
                   hint="every indicator of the scheme goes into one component")
    raw = scheme.to_dict()
    root = raw["structure"]
    children = []
    for c in template.components:
        nodes = [copy.deepcopy(_find_raw(root, n)) for n in c.takes]
        pts = sum(float(n.get("points") or 0.0) for n in nodes)
        if pts <= 0:
            raise _err(f, f"components({c.id}).takes", f"the nodes {list(c.takes)} are worth no points in {scheme.id!r}")
        children.append({"id": c.id, "label": {"zh": c.zh, "en": c.en}, "points": pts, "children": nodes})
    root["children"] = children
    raw["id"] = f"{scheme.id}__{template.id}"
    raw["label"] = {"zh": f"{scheme.model.label.zh}·{template.zh}", "en": f"{scheme.model.label.en} — {template.en}"}
    raw["source"] = f"{scheme.model.source or scheme.id}; restructured by template {template.file}"
    adj = raw.setdefault("adjustments", {})
    for key, kind in (("bonus_cap", "bonus"), ("penalty_cap", "penalty")):
        if key in template.adjustments:
            adj.setdefault(kind, {})["cap"] = template.adjustments[key][0]
    try:
        variant = Scheme.from_dict(raw, file=f)
        return variant.with_points({c.id: c.points for c in template.components})
    except SchemeError as exc:
        raise SchemeError(f"applying template {template.id!r} to {scheme.id!r}: {exc.message}",
                          where=[f], hint=exc.hint) from None


# ---------------------------------------------------------------------- comparing
@dataclass(frozen=True, eq=False)
class TemplateComparison:
    """The office's round re-scored under peer-model templates.

    Attributes
    ----------
    templates
        The templates, in order.
    parts
        Every template's components and adjustment values with their origin (document
        or assumption): :meth:`Template.to_frame` of each.
    comparison
        :func:`perfkit.analyses.compare` of the office's evaluation (named ``"office"``)
        and each template's: per unit scores, ranks and grades side by side, rank shifts,
        grade changes, Spearman/Kendall correlations overall and per category.
    evaluations
        ``{"office": ..., <template id>: ...}``.
    grade_changes
        One row per unit whose grade differs under a template: template, unit, category,
        grade under the office's scheme and under the template, rank shift.
    alerts
        Per template: units changing grade (warning), and a within-category Spearman
        correlation below ``min_spearman`` (info).
    """

    templates: tuple[Template, ...]
    parts: pd.DataFrame
    comparison: ComparisonResult
    evaluations: Mapping[str, Evaluation] = field(repr=False)
    grade_changes: pd.DataFrame = field(repr=False)
    alerts: tuple[Alert, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.comparison.units.copy()

    def summary(self) -> pd.DataFrame:
        return self.comparison.summary.copy()

    def __repr__(self) -> str:
        return (f"TemplateComparison(templates={[t.id for t in self.templates]}, "
                f"grade_changes={len(self.grade_changes)}, alerts={len(self.alerts)})")

    def _repr_html_(self) -> str:
        return html_head("Peer-model templates", {"templates": ", ".join(t.id for t in self.templates)}) + \
            html_table(self.parts) + html_table(self.comparison.summary) + html_table(self.grade_changes, 60)


def compare_templates(ev: Evaluation, templates: Sequence[Template | str | Path] | None = None, *,
                      min_spearman: float = 0.8) -> TemplateComparison:
    """Re-score ``ev``'s round under each template and compare with the office's scheme.

    Parameters
    ----------
    ev
        The office's evaluation of the round.
    templates
        Templates or their files (default: every template shipped, :func:`template_paths`).
    min_spearman
        Within a category, a rank correlation below this is reported (info).
    """
    given = list(templates if templates is not None else template_paths())
    practice = load_practice() if any(not isinstance(t, Template) for t in given) else None
    tpls = [t if isinstance(t, Template) else load_template(t, practice=practice) for t in given]
    if not tpls:
        raise SchemeError("no templates to compare", hint="datasets/benchmark/templates/ holds the shipped ones")
    ids = [t.id for t in tpls]
    if len(set(ids)) != len(ids) or OFFICE in ids:
        raise SchemeError(f"template ids must be distinct and not {OFFICE!r}: {ids}")
    evs: dict[str, Evaluation] = {OFFICE: ev}
    for t in tpls:
        evs[t.id] = ev.rerun(apply_template(ev.scheme, t))
    comp = compare(evs)
    u = comp.units
    cats = {c.id: c.label for c in ev.scheme.model.categories}
    rows, alerts = [], []
    for t in tpls:
        changed = u[u[f"grade_changed[{t.id}]"]]
        for unit, r in changed.iterrows():
            rows.append({"template": t.id, "unit_id": unit, "name_zh": r["name_zh"], "name_en": r["name_en"],
                         "category": r["category"], "grade_office": r[f"grade[{OFFICE}]"],
                         "grade_template": r[f"grade[{t.id}]"], "rank_office": r[f"rank[{OFFICE}]"],
                         "rank_template": r[f"rank[{t.id}]"], "rank_shift": r[f"rank_shift[{t.id}]"]})
        if len(changed):
            alerts.append(Alert(source="benchmark", level="warning", code="bm_template_grades", subject=t.id,
                                params={"template": {"zh": t.zh, "en": t.en}, "n": len(changed)},
                                evidence={"units": tuple(changed.index)}))
        c = comp.correlations
        low = c[(c["a"] == OFFICE) & (c["b"] == t.id) & (c["category"] != "all") & (c["spearman"] < min_spearman)]
        for r in low.itertuples(index=False):
            alerts.append(Alert(source="benchmark", level="info", code="bm_template_ranks", subject=t.id,
                                params={"template": {"zh": t.zh, "en": t.en},
                                        "category": {"zh": cats[r.category].zh, "en": cats[r.category].en}
                                        if r.category in cats else r.category,
                                        "rho": round(float(r.spearman), 2), "threshold": min_spearman}))
    cols = ["template", "unit_id", "name_zh", "name_en", "category", "grade_office", "grade_template", "rank_office",
            "rank_template", "rank_shift"]
    return TemplateComparison(templates=tuple(tpls), parts=pd.concat([t.to_frame() for t in tpls], ignore_index=True),
                              comparison=comp, evaluations=evs, grade_changes=pd.DataFrame(rows, columns=cols),
                              alerts=tuple(alerts))
