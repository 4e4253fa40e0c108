"""Generate the synthetic Demo City (示例市) data set — SYNTHETIC DATA, no real unit.

Run from anywhere::

    python datasets/demo_city/generate.py            # rewrite the committed files
    python datasets/demo_city/generate.py --out DIR  # write a copy elsewhere

The output is a pure function of this script, ``definitions.py`` and the seed (for given
numpy, pandas and PyYAML versions): the same bytes for every CSV/YAML file on every run. XLSX
files have fixed timestamps too; their cell values are what the reproduction test compares
(see README.md).

How the numbers are made
------------------------
Every unit has a latent "true performance" ``a`` (standard normal, an AR(1) process over
2022-2025 with correlation 0.85) and four component propensities (functional targets,
common indicators, satisfaction, special assessments) that mix ``a`` with a fixed
unit-specific part. Every indicator is a plausible function of the relevant propensity
plus noise, so results correlate across indicators and years. On top of that the
findings listed in ``planted.yaml`` are planted on purpose (see README.md).

Only numpy, pandas, PyYAML and openpyxl are used — not perfkit — so the data do not
change when the engine does.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ next to the data
import definitions as D  # noqa: E402

SEED = 20251231
YEARS = [2022, 2023, 2024, 2025]
QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
FIXED_TIME = dt.datetime(2026, 2, 1, 9, 0, 0)
UNIT_IDS = [u[0] for u in D.UNITS]
CATEGORY = {u[0]: u[3] for u in D.UNITS}
NAME_ZH = {u[0]: u[1] for u in D.UNITS}
NAME_EN = {u[0]: u[2] for u in D.UNITS}
N = len(UNIT_IDS)
IDX = {u: i for i, u in enumerate(UNIT_IDS)}
CAT = np.array([CATEGORY[u] for u in UNIT_IDS])

# ----------------------------------------------------------------------------- planted
ROBUST_UNIT = "gov_tourism"
BORDERLINE = ["gov_commerce", "gov_civil"]
# what the engine gives them (checked by tests/datasets/test_planted.py)
BORDERLINE_GRADES = {
    "gov_civil": {"baseline": "excellent", "flips_under": {"social_up": "good"}},
    "gov_commerce": {"baseline": "excellent", "flips_under": {"targets_up": "good", "common_up": "good"}},
}
TRACKING_BEHIND = "gov_housing"
COPY_PASTE_UNITS = ["inst_tobacco", "inst_post", "inst_survey", "inst_fund", "inst_trading", "inst_media"]
COPY_PASTE_VALUE = 88.5
PILEUP_UNITS = ["dist_beishan", "dist_linjiang", "dist_scenic"]
PILEUP_ASSESSMENTS = ["sp_work_safety", "sp_ecology", "sp_rural", "sp_security", "sp_tourism_order"]
PILEUP_WEEK_MONDAY = dt.date(2025, 12, 1)  # ISO week 2025-W49
LATE = {  # (round, collector) -> days late
    ("2023", "gov_tourism"): 2, ("2024", "gov_ecology"): 1,
    ("2025", "gov_stats"): 6, ("2025", "inst_survey"): 3, ("2025", "gov_approval"): 1,
    ("2025Q2", "gov_housing"): 5, ("2025Q2", "dist_shuanghe"): 2,
}
ALTERNATIVE_WEIGHTS = [
    {"id": "social_up", "label": {"zh": "提高社会评价权重(15→25分)", "en": "More weight on social evaluation (15 -> 25)"},
     "points": {"core": 45, "functional": 25, "development": 20, "satisfaction": 25}},
    {"id": "targets_up", "label": {"zh": "提高职能目标权重、降低社会评价和专项考核", "en": "More weight on functional targets"},
     "points": {"core": 65, "functional": 35, "development": 30, "satisfaction": 10, "special": 5}},
    {"id": "common_up", "label": {"zh": "提高共性指标权重(20→30分)", "en": "More weight on common indicators (20 -> 30)"},
     "points": {"core": 50, "functional": 28, "development": 22, "common": 30, "satisfaction": 12, "special": 8}},
]


def rng(part: str, *more: int) -> np.random.Generator:
    """One independent, seeded stream per part, so that changing one part of the
    generator does not shift the random numbers of the others."""
    parts = ["latent", "targets", "common", "development", "survey", "special", "adjust", "collect",
             "tracking", "schedule", "returned", "comments"]
    return np.random.default_rng([SEED, parts.index(part), *more])


# ----------------------------------------------------------------------------- writers
def fmt(v, nd: int = 2) -> str:
    """Deterministic short text for a number: rounded to ``nd`` decimals, no trailing 0."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    s = f"{float(v):.{nd}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def write_csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", encoding=encoding)


def write_yaml(obj, path: Path, header: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=110)
    path.write_text(header + text, encoding="utf-8")


def write_xlsx(df: pd.DataFrame, path: Path, sheet: str, *, numeric: tuple[str, ...] = ()) -> None:
    """Write one sheet with openpyxl, deterministically: fixed document timestamps and
    fixed zip entry dates. Columns in ``numeric`` are written as numbers where the text
    parses as one (as Excel users type them); everything else as text."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, row):
            if col in numeric and isinstance(v, str):
                try:
                    f = float(v)
                    v = int(f) if f.is_integer() and "." not in v else f
                except ValueError:
                    pass
            cells.append(v)
        ws.append(cells)
    for letter, width in zip("ABCDEFGHIJ", (18, 22, 24, 10, 16, 18, 30, 10, 10, 10)):
        ws.column_dimensions[letter].width = width
    props = wb.properties
    props.creator = "示例市绩效办 Demo City performance office (synthetic)"
    props.title = f"{D.CITY['zh']} {D.SYNTHETIC_ZH} / {D.CITY['en']} {D.SYNTHETIC_EN}"
    props.description = "SYNTHETIC DATA generated by datasets/demo_city/generate.py"
    props.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{stamp}\g<2>", text)
                text = re.sub(r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def label(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


# ----------------------------------------------------------------------------- latent
def make_latent():
    """a[year] (n,), and per-component propensities f[year][component] (n,)."""
    r = rng("latent")
    rho = 0.85
    a = {YEARS[0]: r.normal(0, 1, N)}
    for y in YEARS[1:]:
        a[y] = rho * a[y - 1] + math.sqrt(1 - rho**2) * r.normal(0, 1, N)
    comps = ["functional", "common", "satisfaction", "special"]
    u = {c: r.normal(0, 1, N) for c in comps}
    # planted: the robust unit is best at everything, every year
    i = IDX[ROBUST_UNIT]
    for y in YEARS:
        a[y][i] = 2.6
    for c in comps:
        u[c][i] = 1.2
    # planted: two borderline units with opposite profiles
    for y in YEARS:
        a[y][IDX["gov_commerce"]] = 0.5
        a[y][IDX["gov_civil"]] = 1.0
    u["functional"][IDX["gov_commerce"]], u["satisfaction"][IDX["gov_commerce"]] = -1.6, 2.2
    u["common"][IDX["gov_commerce"]], u["special"][IDX["gov_commerce"]] = -0.3, -0.5
    u["functional"][IDX["gov_civil"]], u["satisfaction"][IDX["gov_civil"]] = 1.9, -1.8
    u["common"][IDX["gov_civil"]], u["special"][IDX["gov_civil"]] = 0.5, 0.6
    f = {y: {c: 0.75 * a[y] + 0.55 * u[c] + 0.15 * r.normal(0, 1, N) for c in comps} for y in YEARS}
    return a, f


# ----------------------------------------------------------------------------- units
def units_frame() -> pd.DataFrame:
    return pd.DataFrame({"unit_id": UNIT_IDS, "name_zh": [NAME_ZH[u] for u in UNIT_IDS],
                         "name_en": [NAME_EN[u] for u in UNIT_IDS], "category": list(CAT)})


# ----------------------------------------------------------------------------- scheme
def common_points(year: int) -> dict:
    pts = {"party_building": 2, "rule_of_law": 2, "reconsideration": 1, "openness": 2, "hotline": 2,
           "hotline_satisfaction": 2, "proposals": 2, "integrity": 3, "budget": 2, "safety_accidents": 2}
    if year >= 2024:
        pts.update(hotline=3, hotline_satisfaction=1)
    return pts


DEV_POINTS = {"gdp_growth": 4, "fiscal_revenue_growth": 3, "tourism_revenue_growth": 4, "tourist_growth": 3,
              "income_growth": 3, "air_quality": 3, "pm25": 2, "energy_intensity": 3}


def special_points(year: int) -> dict:
    if year == 2022:
        return {"sp_work_safety": 2.5, "sp_ecology": 2, "sp_rural": 2, "sp_business": 1.5, "sp_security": 1,
                "sp_civilisation": 1}
    return {"sp_work_safety": 2, "sp_ecology": 2, "sp_rural": 1.5, "sp_business": 1.5, "sp_security": 1,
            "sp_civilisation": 1, "sp_tourism_order": 1}


def _indicator_node(iid: str, d: dict, points: float) -> dict:
    node = {"id": iid, "label": label(d["zh"], d["en"]), "points": points, "unit": d["unit"]}
    if d.get("direction", "higher") != "higher" or iid == "reconsideration":
        node["direction"] = d.get("direction", "higher")
    if d.get("kind") == "qualitative":
        node["kind"] = "qualitative"
    node["collector"] = d["collector"]
    if d["categories"] != D.ALL:
        node["categories"] = list(d["categories"])
    if "range" in d:
        node["range"] = list(d["range"])
    node["rule"] = d["rule"]
    return node


def build_scheme(year: int) -> dict:
    cpts = common_points(year)
    spts = special_points(year)
    common = [_indicator_node(k, D.COMMON[k], cpts[k]) for k in D.COMMON]
    dev = []
    for k, d in D.DEVELOPMENT.items():
        node = {"id": k, "label": label(d["zh"], d["en"]), "points": DEV_POINTS[k], "unit": d["unit"]}
        if d.get("direction", "higher") != "higher":
            node["direction"] = d["direction"]
        node["collector"] = d["collector"]
        node["categories"] = ["district"]  # repeated from the parent (see README: validation warnings)
        if "range" in d:
            node["range"] = list(d["range"])
        node["normalise"] = d["normalise"]
        dev.append(node)
    special_nodes = [{"id": k, "label": label(D.SPECIAL[k]["zh"], D.SPECIAL[k]["en"]), "points": p,
                      "source": "special", "assessment": k} for k, p in spts.items()]
    structure = {
        "id": "comprehensive", "label": label(f"{year}年度综合绩效", f"Comprehensive performance {year}"),
        "points": 100,
        "children": [
            {"id": "core", "label": label("职能目标与发展指标", "Functional targets and development"), "points": 55,
             "note": label("区县: 职能目标30分+发展指标25分; 其他单位: 职能目标按55分计",
                           "Districts: targets 30 + development 25; other units: targets rescaled to 55"),
             "children": [
                 {"id": "functional", "label": label("职能目标", "Functional targets"), "points": 30,
                  "source": "targets", "rule": {"method": "completion", "cap": 1.0}},
                 {"id": "development", "label": label("区县发展指标", "District development indicators"),
                  "points": 25, "categories": ["district"], "children": dev},
             ]},
            {"id": "common", "label": label("共性指标", "Common indicators"), "points": 20, "children": common},
            {"id": "satisfaction", "label": label("社会评价(满意度调查)", "Social evaluation (satisfaction survey)"),
             "points": 15, "source": "survey"},
            {"id": "special", "label": label("专项考核", "Special assessments"), "points": 10,
             "children": special_nodes},
        ],
    }
    grades = [
        {"id": "excellent", "label": label("优秀", "Excellent"), "min_score": 90, "max_share": 0.3},
        {"id": "good", "label": label("良好", "Good"), "min_score": 80},
        {"id": "pass", "label": label("合格", "Pass"), "min_score": 60},
        {"id": "fail", "label": label("不合格", "Fail")},
    ]
    district_grades = [
        {"id": "excellent", "label": label("优秀", "Excellent"), "min_score": 80, "max_share": 0.3},
        {"id": "good", "label": label("良好", "Good"), "min_score": 70},
        {"id": "pass", "label": label("合格", "Pass"), "min_score": 60},
        {"id": "fail", "label": label("不合格", "Fail")},
    ]
    return {
        "id": f"demo_city_{year}",
        "label": label(f"示例市{year}年度综合绩效评估方案(虚构示例)",
                       f"Demo City {year} comprehensive performance evaluation (synthetic example)"),
        "paradigm": "points",
        "version": str(year),
        "total_points": 100,
        "source": "SYNTHETIC — generated by datasets/demo_city/generate.py; no real unit's figures",
        "categories": [{"id": c, "label": label(zh, en)} for c, zh, en in D.CATEGORIES],
        "structure": structure,
        "survey": {
            "items": [i for i, _, _ in D.SURVEY_ITEMS],
            "scale": [1, 5],
            "groups": {g: w for g, _, _, w, _ in D.SURVEY_GROUPS},
            "min_responses": 15,
            "min_cell": 10,
            "group_labels": {g: label(zh, en) for g, zh, en, _, _ in D.SURVEY_GROUPS},
        },
        "special": [{"id": k, "label": label(D.SPECIAL[k]["zh"], D.SPECIAL[k]["en"]), "owner": D.SPECIAL[k]["owner"],
                     "indicators": [i[0] for i in D.SPECIAL[k]["indicators"]],
                     **({} if D.SPECIAL[k]["covers"] == D.ALL else {"covers": list(D.SPECIAL[k]["covers"])})}
                    for k in spts],
        "adjustments": {
            "bonus": {"cap": 3, "items": {k: label(zh, en) for k, (zh, en, _) in D.BONUS_ITEMS.items()}},
            "penalty": {"cap": 5, "items": {k: label(zh, en) for k, (zh, en, _) in D.PENALTY_ITEMS.items()}},
            "veto": {k: {"label": label(zh, en), "effect": eff, **({"grade": g} if g else {})}
                     for k, (zh, en, eff, g) in D.VETO_ITEMS.items()},
        },
        "grading": {"quota_rounding": "floor", "ties": "strict", "default": grades,
                    "by_category": {"district": district_grades}},
    }


def build_tracking_scheme(year: int) -> dict:
    """In-year tracking (日常跟踪): functional targets only, cumulative progress against the
    annual target; compare with tracking/expected_progress.csv."""
    return {
        "id": f"demo_city_{year}_tracking",
        "label": label(f"示例市{year}年度职能目标季度跟踪(虚构示例)",
                       f"Demo City {year} quarterly tracking of functional targets (synthetic example)"),
        "paradigm": "points",
        "version": f"{year}-tracking",
        "total_points": 100,
        "source": "SYNTHETIC — generated by datasets/demo_city/generate.py; no real unit's figures",
        "categories": [{"id": c, "label": label(zh, en)} for c, zh, en in D.CATEGORIES],
        "structure": {
            "id": "tracking", "label": label(f"{year}年职能目标进度", f"Progress on functional targets {year}"),
            "points": 100,
            "children": [{"id": "functional", "label": label("职能目标(累计完成/年度目标)",
                                                             "Functional targets (cumulative / annual target)"),
                          "points": 100, "source": "targets", "rule": {"method": "completion", "cap": 1.0}}],
        },
    }


# ----------------------------------------------------------------------------- functional targets
COUNT_MEASURES = {"个", "家", "人", "所", "座", "处", "场", "期", "篇", "项", "户", "张", "次", "件", "起", "部", "人次",
                  "批次", "条", "套", "亩"}


def _round_like(v: float, base: float, measure: str = "") -> float:
    if measure in COUNT_MEASURES and abs(base) >= 1:
        return float(round(v))
    if base >= 100:
        return float(round(v))
    if base >= 10:
        return round(v, 1)
    return round(v, 2)


def task_plan():
    """Per unit: its list of tasks (specific + generic) and their points, fixed over years."""
    r = rng("targets")
    plan = {}
    for u in UNIT_IDS:
        spec = list(D.TASKS[u])
        lo = max(0, 3 - len(spec))
        hi = min(len(D.GENERIC_TASKS), 8 - len(spec))
        k = int(r.integers(lo, hi + 1)) if u != TRACKING_BEHIND else 1
        generic = [D.GENERIC_TASKS[j] for j in sorted(r.choice(len(D.GENERIC_TASKS), size=k, replace=False))]
        tasks = spec + generic
        total = 30 if CATEGORY[u] == "district" else 55
        w = r.dirichlet(np.full(len(tasks), 4.0))
        pts = np.round(w * total * 2) / 2
        pts[np.argmax(pts)] += total - pts.sum()
        growth = r.uniform(0.03, 0.08, len(tasks))
        plan[u] = [(t, float(p), float(g)) for t, p, g in zip(tasks, pts, growth)]
    return plan


def targets_for_year(plan, year: int, f_func: np.ndarray, r: np.random.Generator):
    """targets table rows and achieved values for one year."""
    trows, vrows = [], []
    for u in UNIT_IDS:
        i = IDX[u]
        for k, ((zh, en, measure, base, direction, rule, cap, kind), pts, g) in enumerate(plan[u], start=1):
            tid = f"ft_{u}_{k:02d}"
            if rule == "binary":
                target = 1.0
            elif kind == "flow":
                target = _round_like(base * (1 + g) ** (year - 2022), base, measure)
            elif measure == "%" and base >= 95:
                target = base
            else:
                target = _round_like(base * (1 + g / 4) ** (year - 2022), base, measure)
            ratio = 0.95 + 0.035 * f_func[i] + r.normal(0, 0.03)
            shortfall, cut = r.random() < 0.04, r.uniform(0.55, 0.85)  # always drawn: stable streams
            if shortfall and u not in (ROBUST_UNIT, *BORDERLINE):
                ratio *= cut
            ratio = float(np.clip(ratio, 0.45, 1.35))
            if u == TRACKING_BEHIND and year == 2025 and direction == "higher" and kind == "flow":
                ratio = min(ratio, 0.86)
            if rule == "binary":
                achieved = 1.0 if ratio >= 0.85 else 0.0
            elif direction == "lower":
                achieved = _round_like(target / ratio, base, measure)
            else:
                achieved = _round_like(target * ratio, base, measure)
                if measure == "%":
                    achieved = min(achieved, 100.0)
            trows.append({"round": str(year), "unit_id": u, "indicator_id": tid, "node": "functional",
                          "label_zh": zh, "label_en": en, "measure": measure, "target": fmt(target, 2),
                          "points": fmt(pts, 1), "rule": rule, "cap": "" if cap is None else fmt(cap, 2),
                          "direction": direction, "kind": kind})
            vrows.append({"unit_id": u, "indicator_id": tid, "value": fmt(achieved, 2), "kind": kind,
                          "target": target, "direction": direction, "measure": measure, "rule": rule})
    return pd.DataFrame(trows), vrows


# ----------------------------------------------------------------------------- common indicators
def common_values(year: int, f: np.ndarray, a: np.ndarray, r: np.random.Generator) -> dict[str, dict[str, str]]:
    """indicator -> {unit: value text} for the units the indicator applies to."""
    out: dict[str, dict[str, str]] = {}

    def grade(s, cuts):
        return "A" if s > cuts[0] else "B" if s > cuts[1] else "C" if s > cuts[2] else "D"

    s = 0.8 * f + r.normal(0, 0.6, N)
    out["party_building"] = {u: grade(s[i], (-0.6, -1.5, -2.3)) for i, u in enumerate(UNIT_IDS)}
    s = 0.8 * f + r.normal(0, 0.6, N)
    out["rule_of_law"] = {u: grade(s[i], (-0.3, -1.2, -2.0)) for i, u in enumerate(UNIT_IDS)}
    # planted: declared 'higher', but good units have LOW correction rates
    rate = np.clip(7.0 - 1.8 * (a + f) + r.normal(0, 0.7, N), 0.0, 25.0)
    out["reconsideration"] = {u: fmt(round(rate[i], 1), 1) for i, u in enumerate(UNIT_IDS)}
    op = np.clip(86 + 4.5 * f + r.normal(0, 3, N), 50, 99.5)
    out["openness"] = {u: fmt(round(op[i], 1), 1) for i, u in enumerate(UNIT_IDS)}
    if year == 2025:  # planted: copy-pasted identical values
        for u in COPY_PASTE_UNITS:
            out["openness"][u] = fmt(COPY_PASTE_VALUE, 1)
    hot = np.clip(95.2 + 1.6 * f + r.normal(0, 0.9, N), 86, 99.9)
    sat = np.clip(93.0 + 1.25 * (hot - 95.2) + r.normal(0, 0.3, N), 80, 99.9)  # planted: near-duplicate
    out["hotline"] = {u: fmt(round(hot[i], 2)) for i, u in enumerate(UNIT_IDS)}
    out["hotline_satisfaction"] = {u: fmt(round(sat[i], 2)) for i, u in enumerate(UNIT_IDS)}
    # planted: no discrimination — all but three units handle every proposal on time
    prop = np.ones(N)
    worst = np.argsort(f + r.normal(0, 0.8, N))[:3]
    prop[worst] = np.round(r.uniform(0.88, 0.98, 3), 3)
    out["proposals"] = {u: fmt(prop[i], 3) for i, u in enumerate(UNIT_IDS)}
    cases = r.poisson(0.25 * np.exp(-0.6 * f))
    out["integrity"] = {u: str(int(cases[i])) for i, u in enumerate(UNIT_IDS)}
    bud = np.clip(90 + 3.5 * f + r.normal(0, 2.5, N), 60, 99.8)
    out["budget"] = {u: fmt(round(bud[i], 2)) for i, u in enumerate(UNIT_IDS)}
    risky = {"gov_housing", "gov_transport", "gov_water", "gov_urban", "gov_agri", "inst_fire", "inst_power"}
    lam = np.array([1.2 * math.exp(-0.4 * f[i]) if CAT[i] == "district" else 0.5 if u in risky
                    else 0.15 if CAT[i] == "government" else 0.1 for i, u in enumerate(UNIT_IDS)])
    acc = r.poisson(lam)
    if year == 2025:
        acc[IDX["dist_south"]] = 4  # the major accident behind its veto
    out["safety_accidents"] = {u: str(int(acc[i])) for i, u in enumerate(UNIT_IDS)}
    # keep only applicable units
    for k, d in D.COMMON.items():
        out[k] = {u: v for u, v in out[k].items() if CATEGORY[u] in d["categories"]}
    return out


def development_values(year: int, a: np.ndarray, r: np.random.Generator) -> dict[str, dict[str, str]]:
    trait = {  # (industrial, tourism)
        "dist_central": (0.3, 0.2), "dist_east": (0.6, -0.3), "dist_west": (0.2, 0.1), "dist_south": (1.0, -0.6),
        "dist_beishan": (-0.8, 1.0), "dist_linjiang": (0.1, 0.2), "dist_qingfeng": (-0.6, 0.8),
        "dist_shuanghe": (-0.4, 0.3), "dist_scenic": (-1.2, 1.6), "dist_devzone": (1.5, -1.0)}
    ids = [u for u in UNIT_IDS if CATEGORY[u] == "district"]
    ai = np.array([a[IDX[u]] for u in ids])
    ind = np.array([trait[u][0] for u in ids])
    tour = np.array([trait[u][1] for u in ids])
    n = len(ids)
    v = {
        "gdp_growth": np.round(5.8 + 0.9 * ai + 0.6 * ind + r.normal(0, 0.5, n), 1),
        "fiscal_revenue_growth": np.round(6 + 2.5 * ai + 1.0 * ind + r.normal(0, 2.5, n), 1),
        "tourism_revenue_growth": np.round(14 + 3 * ai + 4 * tour + r.normal(0, 3, n), 1),
        "income_growth": np.round(6.2 + 0.5 * ai + r.normal(0, 0.3, n), 1),
        "air_quality": np.round(np.clip(91 - 3 * ind + 2 * tour + r.normal(0, 1.5, n), 70, 99.5), 1),
        "pm25": np.round(33 + 5 * ind - 3 * tour + r.normal(0, 2, n), 1),
        "energy_intensity": np.round(3 + 0.8 * ai + r.normal(0, 0.8, n), 2),
    }
    v["tourist_growth"] = np.round(0.8 * v["tourism_revenue_growth"] + 2 + r.normal(0, 2, n), 1)
    return {k: {u: fmt(v[k][j], 2) for j, u in enumerate(ids)} for k in D.DEVELOPMENT}


# ----------------------------------------------------------------------------- survey
def survey_for_year(year: int, f: np.ndarray, r: np.random.Generator) -> pd.DataFrame:
    frames = []
    offsets = {"citizens": 0.0, "businesses": -0.12, "service_users": 0.08, "deputies": 0.15, "cppcc": 0.1}
    items = [i for i, _, _ in D.SURVEY_ITEMS]
    seq = 0
    for i, u in enumerate(UNIT_IDS):
        base = 3.85 + 0.3 * f[i]
        for g, _, _, _, mean_n in D.SURVEY_GROUPS:
            n = int(r.poisson(mean_n * (0.6 if CAT[i] == "party" and g in ("businesses", "service_users") else 1.0)))
            n = max(n, 16)
            person = base + offsets[g] + r.normal(0, 0.55, n)
            scores = np.clip(np.rint(person[:, None] + r.normal(0, 0.55, (n, len(items)))), 1, 5)
            miss = r.random((n, len(items))) < 0.02
            cells = np.where(miss, np.nan, scores)
            w = np.round(r.uniform(0.6, 1.8, n), 3) if g == "citizens" else np.ones(n)
            df = pd.DataFrame(cells, columns=items)
            df.insert(0, "respondent_group", g)
            df.insert(0, "unit_id", u)
            df.insert(0, "respondent_id", [f"R{year}-{seq + j + 1:06d}" for j in range(n)])
            df.insert(0, "round", str(year))
            df["weight"] = w
            seq += n
            frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["comment"] = survey_comments(year, out[items].to_numpy(dtype=float))
    for c in items:
        out[c] = out[c].map(lambda v: "" if np.isnan(v) else str(int(v)))
    out["weight"] = out["weight"].map(lambda v: fmt(v, 3))
    return out


def survey_comments(year: int, scores: np.ndarray) -> list[str]:
    """A coded free-text comment for about one respondent in seven: praise from the
    satisfied, a complaint from the others. Drawn from its own stream (``comments``), so
    adding comments moved no other number of the demo city."""
    r = rng("comments", year)
    mean = np.nanmean(scores, axis=1)
    leave = r.random(len(mean)) < D.COMMENT_SHARE
    good = r.integers(0, len(D.SURVEY_COMMENTS_GOOD), len(mean))
    bad = r.integers(0, len(D.SURVEY_COMMENTS_BAD), len(mean))
    return ["" if not c else (D.SURVEY_COMMENTS_GOOD[g] if m >= 4 else D.SURVEY_COMMENTS_BAD[b])
            for c, m, g, b in zip(leave, mean, good, bad)]


# ----------------------------------------------------------------------------- special assessments
def covered(sa_id: str) -> list[str]:
    cov = D.SPECIAL[sa_id]["covers"]
    return [u for u in UNIT_IDS if CATEGORY[u] in cov]


def special_scores(year: int, f: np.ndarray, a: np.ndarray, accidents: dict[str, str],
                   r: np.random.Generator) -> pd.DataFrame:
    rows = []
    for sa, p in special_points(year).items():
        for u in covered(sa):
            i = IDX[u]
            acc = int(accidents.get(u, "0"))
            if sa == "sp_work_safety":
                s = 91 + 3 * f[i] + r.normal(0, 2) - 2.5 * acc
            elif sa == "sp_ecology":  # planted: disagrees with the comprehensive ranking
                s = 88 - 3.5 * a[i] + r.normal(0, 2)
            elif sa == "sp_security":
                s = 90 + 2.5 * f[i] + r.normal(0, 1.5) - 1.5 * acc
            elif sa == "sp_civilisation":  # planted: almost everyone 95+
                s = 96.8 + 0.8 * r.normal(0, 1)
            else:
                s = 88 + 3 * f[i] + r.normal(0, 2.2)
            s = float(np.clip(s, 55, 99.8))
            grade = "A" if s >= 90 else "B" if s >= 80 else "C" if s >= 70 else "D"
            rows.append({"round": str(year), "assessment_id": sa, "unit_id": u, "score": fmt(round(s, 1), 1),
                         "grade": grade})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- adjustments
def adjustments_for_year(year: int, a: np.ndarray, r: np.random.Generator) -> pd.DataFrame:
    rows = []
    bonus_keys = list(D.BONUS_ITEMS)
    pen_keys = [k for k in D.PENALTY_ITEMS if k != "late_data"]
    protected = {ROBUST_UNIT, *BORDERLINE}
    for i, u in enumerate(UNIT_IDS):
        if u in protected:
            continue
        nb = int(r.poisson(0.45 * math.exp(0.6 * a[i])))
        for _ in range(min(nb, 5)):
            k = bonus_keys[int(r.integers(len(bonus_keys)))]
            zh, en, p = D.BONUS_ITEMS[k]
            rows.append({"round": str(year), "unit_id": u, "kind": "bonus", "item": k, "points": fmt(p, 2),
                         "reason": zh, "reason_en": en})
        npn = int(r.poisson(0.3 * math.exp(-0.6 * a[i])))
        for _ in range(min(npn, 4)):
            k = pen_keys[int(r.integers(len(pen_keys)))]
            zh, en, p = D.PENALTY_ITEMS[k]
            rows.append({"round": str(year), "unit_id": u, "kind": "penalty", "item": k, "points": fmt(p, 2),
                         "reason": zh, "reason_en": en})
    if year == 2025:
        zh, en, p = D.PENALTY_ITEMS["late_data"]
        rows.append({"round": "2025", "unit_id": "gov_ecology", "kind": "penalty", "item": "late_data",
                     "points": fmt(p, 2), "reason": zh + "(2024年度数据迟报)", "reason_en": en + " (2024 round)"})
    vetoes = {2023: ("inst_supply", "discipline"), 2024: ("gov_water", "task_failure"),
              2025: ("dist_south", "major_accident")}
    if year in vetoes:
        u, k = vetoes[year]
        zh, en, _, _ = D.VETO_ITEMS[k]
        rows.append({"round": str(year), "unit_id": u, "kind": "veto", "item": k, "points": "0",
                     "reason": zh, "reason_en": en})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- collection
def _deadline(rnd: str, collector: str) -> dt.datetime:
    if "Q" in rnd:
        q = int(rnd[-1])
        end = {1: dt.date(2025, 4, 10), 2: dt.date(2025, 7, 10), 3: dt.date(2025, 10, 10), 4: dt.date(2026, 1, 10)}[q]
        return dt.datetime.combine(end, dt.time(17, 30))
    y = int(rnd) + 1
    day = dt.date(y, 2, 10) if collector in ("gov_stats", "inst_survey") else dt.date(y, 1, 20)
    return dt.datetime.combine(day, dt.time(17, 30))


def submission_time(rnd: str, collector: str, r: np.random.Generator) -> dt.datetime:
    dl = _deadline(rnd, collector)
    late = LATE.get((rnd, collector))
    if late:
        t = dl + dt.timedelta(days=late, hours=int(r.integers(-6, 1)))
    else:
        t = dl - dt.timedelta(days=int(r.integers(0, 6)), hours=int(r.integers(1, 8)))
    return t.replace(minute=int(r.integers(0, 60)), second=0)


def ts(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


SUB_READMES = {
    "schemes": ("每年一个评估方案(YAML, 百分制): 职能目标与发展指标55分、共性指标20分、社会评价15分、专项考核10分; "
                "`2025_tracking.yaml` 为季度跟踪方案。",
                "One scheme per year (points paradigm, 100 points); `2025_tracking.yaml` scores the quarterly "
                "tracking rounds."),
    "rounds": ("年度评估数据, 每个子文件夹可直接用 `perfkit.load_round` 读取: units, targets, values/(每个牵头单位一个文件), "
               "adjustments, survey(满意度调查微观数据), special_results。",
               "Annual rounds, each folder loadable with `perfkit.load_round`: units, targets, values/ (one file "
               "per collector), adjustments, survey (microdata), special_results."),
    "tracking": ("2025年季度跟踪: 各单位自报的职能目标累计完成值; `expected_progress.csv` 为各目标的预期进度曲线。",
                 "2025 quarterly tracking: cumulative progress on functional targets reported by the units; "
                 "`expected_progress.csv` gives each target's expected progress profile."),
    "special": ("专项考核目录(`registry.yaml`: 年度计划总量、牵头部门、设立依据与审批情况、指标、覆盖单位、"
                "在综合考核中的分值、数据报送频次、检查时间窗口)和检查日程(`schedule.csv`)。",
                "Special assessments: registry (annual cap, owner, legal basis and approval, indicators, covered "
                "units, points in the comprehensive score, reporting frequency, inspection windows) and inspection "
                "schedule."),
    "collection": ("数据采集记录: 牵头单位(`collectors.csv`)、报送截止时间(`deadlines.csv`)和实际报送记录(`records.csv`)。",
                   "Data-collection records: collectors, deadlines and submission records."),
    "returned": ("2025年度各牵头单位原始报送文件(每单位一个XLSX, 市统计局为GBK编码的CSV), 含有意埋设的错误(见 planted.yaml)。"
                 "用 `perfkit.datasets.load_returned()` 读取并校验。",
                 "The 2025 files as the collectors returned them (one XLSX per collector; the Statistics Bureau's "
                 "is a CSV saved in GBK), with planted mistakes (see planted.yaml). Load them with "
                 "`perfkit.datasets.load_returned()`."),
}


# ----------------------------------------------------------------------------- main
def generate(out: Path) -> None:
    out = Path(out)
    a, f = make_latent()
    plan = task_plan()
    units = units_frame()
    write_csv(units, out / "units.csv")
    collectors = pd.DataFrame([{"collector_id": k, "name_zh": v[0], "name_en": v[1], "unit_id": v[2],
                                "indicators": ";".join(v[3])} for k, v in D.COLLECTORS.items()])
    write_csv(collectors, out / "collection" / "collectors.csv")

    r_t, r_c, r_d, r_s, r_sp, r_a, r_col = (rng(p) for p in ("targets", "common", "development", "survey",
                                                                  "special", "adjust", "collect"))
    deadlines, records = [], []
    planted_late = []
    annual_values: dict[int, pd.DataFrame] = {}
    annual_targets: dict[int, list] = {}
    for year in YEARS:
        rnd = str(year)
        write_yaml(build_scheme(year), out / "schemes" / f"{year}.yaml",
                   header=f"# 示例市 {year} 年度综合绩效评估方案 — SYNTHETIC (虚构示例), generated by generate.py\n")
        folder = out / "rounds" / rnd
        write_csv(units.assign(round=rnd)[["round", *units.columns]], folder / "units.csv")
        targets, tvals = targets_for_year(plan, year, f[year]["functional"], r_t)
        annual_targets[year] = tvals
        write_csv(targets, folder / "targets.csv")
        comm = common_values(year, f[year]["common"], a[year], r_c)
        dev = development_values(year, a[year], r_d)
        # values, one file per collector
        by_collector: dict[str, list[dict]] = {}
        for iid, vals in {**comm, **dev}.items():
            col = (D.COMMON.get(iid) or D.DEVELOPMENT[iid])["collector"]
            for u in UNIT_IDS:
                if u in vals:
                    by_collector.setdefault(col, []).append({"unit_id": u, "indicator_id": iid, "value": vals[u]})
        by_collector["perf_office"] = [{"unit_id": v["unit_id"], "indicator_id": v["indicator_id"],
                                        "value": v["value"]} for v in tvals]
        frames = []
        for col in D.COLLECTORS:
            dl = _deadline(rnd, col)
            t = submission_time(rnd, col, r_col)
            deadlines.append({"round": rnd, "collector_id": col, "deadline": ts(dl)})
            rows = by_collector[col]
            inds = sorted({x["indicator_id"] for x in rows}) if col != "perf_office" else ["functional targets"]
            if (rnd, col) in LATE:
                planted_late.append({"round": rnd, "collector_id": col, "deadline": ts(dl), "submitted_at": ts(t),
                                     "days_late": LATE[(rnd, col)]})
            final_t = t
            if year == 2025 and col in RETURNED_MISTAKE_COLLECTORS:
                records.append({"round": rnd, "collector_id": col, "version": 1, "file": f"returned/2025/{col}"
                                f"{'.csv' if col == 'gov_stats' else '.xlsx'}", "indicators": ";".join(inds),
                                "rows": len(rows), "submitted_at": ts(t), "deadline": ts(dl),
                                "note": "原始报送(含错误,见planted.yaml) / as returned, with mistakes"})
                final_t = t + dt.timedelta(days=3, hours=2)
                records.append({"round": rnd, "collector_id": col, "version": 2,
                                "file": f"rounds/2025/values/{col}.csv", "indicators": ";".join(inds),
                                "rows": len(rows), "submitted_at": ts(final_t), "deadline": ts(dl),
                                "note": "核实更正后重报 / corrected after the office's query"})
            else:
                fname = (f"returned/2025/{col}{'.csv' if col == 'gov_stats' else '.xlsx'}" if year == 2025
                         else f"rounds/{rnd}/values/{col}.csv")
                records.append({"round": rnd, "collector_id": col, "version": 1, "file": fname,
                                "indicators": ";".join(inds), "rows": len(rows), "submitted_at": ts(t),
                                "deadline": ts(dl), "note": ""})
            df = pd.DataFrame(rows)
            df.insert(0, "round", rnd)
            df["collector_id"] = col
            df["submitted_at"] = ts(final_t)
            write_csv(df, folder / "values" / f"{col}.csv")
            frames.append(df.assign(_submitted_first=ts(t)))
        annual_values[year] = pd.concat(frames, ignore_index=True)
        survey = survey_for_year(year, f[year]["satisfaction"], r_s)
        write_csv(survey, folder / "survey.csv")
        sp = special_scores(year, f[year]["special"], a[year], comm["safety_accidents"], r_sp)
        write_csv(sp, folder / "special_results.csv")
        adj = adjustments_for_year(year, a[year], r_a)
        write_csv(adj, folder / "adjustments.csv")

    write_yaml(build_tracking_scheme(2025), out / "schemes" / "2025_tracking.yaml",
               header="# 示例市 2025 年度职能目标季度跟踪 — SYNTHETIC (虚构示例), generated by generate.py\n")
    tracking_late = tracking(out, plan, annual_targets[2025], rng("tracking"), deadlines, records)
    tracking_history(out, plan, annual_targets)
    follow_up(out, a)
    planted_late.extend(tracking_late)
    write_csv(pd.DataFrame(deadlines), out / "collection" / "deadlines.csv")
    write_csv(pd.DataFrame(records), out / "collection" / "records.csv")
    for sub, (zh, en) in SUB_READMES.items():
        text = (f"# {D.CITY['zh']} / {D.CITY['en']}: {sub}/\n\n"
                f"**虚构示例数据 — SYNTHETIC DATA.** 由 `generate.py` 生成, 不是任何真实单位的数据。"
                f" Generated by `generate.py`; no real unit's figures. See `../README.md` and `../planted.yaml`.\n\n"
                f"{zh}\n\n{en}\n")
        (out / sub).mkdir(parents=True, exist_ok=True)
        (out / sub / "README.md").write_text(text, encoding="utf-8")
    mistakes = returned_files(out, annual_values[2025])
    pileups = special_registry(out)
    planted(out, planted_late, mistakes, pileups)


# ----------------------------------------------------------------------------- tracking
PROFILES = {"linear": (0.25, 0.5, 0.75, 1.0), "back_loaded": (0.12, 0.35, 0.65, 1.0),
            "front_loaded": (0.35, 0.6, 0.82, 1.0), "level": (1.0, 1.0, 1.0, 1.0),
            "milestone": (0.0, 0.0, 0.0, 1.0), "ceiling": (0.25, 0.5, 0.75, 1.0)}


def _profile(task_label: str, kind: str, direction: str) -> str:
    if kind == "milestone":
        return "milestone"
    if kind == "level":
        return "level"
    if direction == "lower":
        return "ceiling"
    if any(w in task_label for w in ("投资", "建设", "改造", "更新", "修复", "整治")):
        return "back_loaded"
    if any(w in task_label for w in ("游客", "旅游", "收入")):
        return "front_loaded" if "入境" not in task_label else "linear"
    return "linear"


def _progress_value(v: dict, prof: str, q: int, share: float, pace_u: float, r: np.random.Generator, *,
                    behind: bool = False) -> str:
    """The cumulative value a unit reports at the end of quarter ``q`` (0-based) for the
    annual target row ``v``: its year-end value at Q4, the level reached for a level target,
    done/not done for a milestone, else its year-end value times the profile's share at the
    unit's pace. ``behind``: the planted unit far behind its profile (2025 only)."""
    annual = float(v["value"])
    target = float(v["target"])
    if q == 3:
        value = annual
    elif prof == "level":
        value = annual * float(np.clip(r.normal(1.0, 0.02), 0.9, 1.05))
        if v["measure"] == "%":
            value = min(value, 100.0)
    elif prof == "milestone":
        value = 1.0 if (annual == 1.0 and q == 2 and r.random() < 0.3) else 0.0
    else:
        pace = pace_u * float(np.exp(r.normal(0, 0.08)))
        value = annual * min(share * pace, 0.98)
        if behind and prof != "ceiling":  # planted: far behind in Q2
            value = target * (0.05, 0.15, 0.5)[q]
    return fmt(_round_like(value, target if target else 1.0, v["measure"]), 2)


def tracking(out: Path, plan, tvals_2025: list, r: np.random.Generator, deadlines: list, records: list) -> list:
    units = units_frame()
    labels = {f"ft_{u}_{k:02d}": t[0][0] for u in UNIT_IDS for k, t in enumerate(plan[u], start=1)}
    exp_rows = []
    late = []
    targets_2025 = pd.read_csv(out / "rounds" / "2025" / "targets.csv", dtype=str, keep_default_na=False)
    unit_pace = {u: float(np.clip(r.normal(1.0, 0.06), 0.85, 1.15)) for u in UNIT_IDS}
    for q, rnd in enumerate(QUARTERS):
        folder = out / "tracking" / rnd
        write_csv(units.assign(round=rnd)[["round", *units.columns]], folder / "units.csv")
        write_csv(targets_2025.assign(round=rnd), folder / "targets.csv")
        rows = []
        for v in tvals_2025:
            u, tid = v["unit_id"], v["indicator_id"]
            prof = _profile(labels[tid], v["kind"], v["direction"])
            share = PROFILES[prof][q]
            exp_rows.append({"round": rnd, "unit_id": u, "indicator_id": tid, "profile": prof,
                             "expected_share": fmt(share, 2)})
            value = _progress_value(v, prof, q, share, unit_pace[u], r, behind=u == TRACKING_BEHIND)
            rows.append({"round": rnd, "unit_id": u, "indicator_id": tid, "value": value})
        df = pd.DataFrame(rows)
        # each unit reports its own progress to the performance office
        subs = {}
        for u in UNIT_IDS:
            dl = _deadline(rnd, u)
            t = submission_time(rnd, u, r)
            subs[u] = ts(t)
            deadlines.append({"round": rnd, "collector_id": u, "deadline": ts(dl)})
            records.append({"round": rnd, "collector_id": u, "version": 1, "file": f"tracking/{rnd}/values.csv",
                            "indicators": "functional targets", "rows": int((df["unit_id"] == u).sum()),
                            "submitted_at": ts(t), "deadline": ts(dl), "note": "单位自报进度 / self-reported progress"})
            if (rnd, u) in LATE:
                late.append({"round": rnd, "collector_id": u, "deadline": ts(dl), "submitted_at": ts(t),
                             "days_late": LATE[(rnd, u)]})
        df["collector_id"] = df["unit_id"]
        df["submitted_at"] = df["unit_id"].map(subs)
        write_csv(df, folder / "values.csv")
    write_csv(pd.DataFrame(exp_rows), out / "tracking" / "expected_progress.csv")
    return late


HISTORY_YEARS = [2022, 2023, 2024]


def tracking_history(out: Path, plan, annual_targets: dict[int, list]) -> None:
    """Quarterly tracking rounds of the earlier years (2022-2024 Q1-Q4), made the same way
    as 2025's, so that a projection can learn from past years' quarter-to-year ratios and a
    backtest can check it. Q4 is each year's annual value. The units report no submission
    times here (the collection records stay those of the annual rounds and 2025)."""
    units = units_frame()
    labels = {f"ft_{u}_{k:02d}": t[0][0] for u in UNIT_IDS for k, t in enumerate(plan[u], start=1)}
    exp_rows = []
    for year in HISTORY_YEARS:
        r = rng("tracking", year)  # its own stream: 2025's quarters are unchanged
        write_yaml(build_tracking_scheme(year), out / "schemes" / f"{year}_tracking.yaml",
                   header=f"# 示例市 {year} 年度职能目标季度跟踪 — SYNTHETIC (虚构示例), generated by generate.py\n")
        targets = pd.read_csv(out / "rounds" / str(year) / "targets.csv", dtype=str, keep_default_na=False)
        unit_pace = {u: float(np.clip(r.normal(1.0, 0.06), 0.85, 1.15)) for u in UNIT_IDS}
        for q in range(4):
            rnd = f"{year}Q{q + 1}"
            folder = out / "tracking" / rnd
            write_csv(units.assign(round=rnd)[["round", *units.columns]], folder / "units.csv")
            write_csv(targets.assign(round=rnd), folder / "targets.csv")
            rows = []
            for v in annual_targets[year]:
                u, tid = v["unit_id"], v["indicator_id"]
                prof = _profile(labels[tid], v["kind"], v["direction"])
                share = PROFILES[prof][q]
                exp_rows.append({"round": rnd, "unit_id": u, "indicator_id": tid, "profile": prof,
                                 "expected_share": fmt(share, 2)})
                rows.append({"round": rnd, "unit_id": u, "indicator_id": tid,
                             "value": _progress_value(v, prof, q, share, unit_pace[u], r), "collector_id": u})
            write_csv(pd.DataFrame(rows), folder / "values.csv")
    write_csv(pd.DataFrame(exp_rows), out / "tracking" / "expected_progress_history.csv")


FOLLOW_UP_ISSUED = "follow_up/rectification_2024_issued.csv"
RECT_HEADER = ["编号 ID", "单位代码 Unit ID", "责任单位 Unit responsible", "问题来源 Source", "问题描述 Problem",
               "整改时限 Due", "整改状态 Status", "整改措施 Measures taken", "责任人 Person responsible",
               "完成时间 Completed on", "备注 Note"]
RECT_SOURCE = {"lost_points": "考评失分 Points lost", "penalty": "扣分事项 Penalty", "veto": "一票否决事项 Veto item",
               "complaint": "群众评价意见 Public comment"}
RECT_STATUS = {"done": "已完成 Done", "in_progress": "整改中 In progress", "not_started": "未启动 Not started"}
RECT_MEASURES = {
    "lost_points": ["已制定专项整改方案，明确责任科室和时间节点", "已召开专题会议分析失分原因，完善工作台账",
                    "已建立月调度机制，按月通报推进情况"],
    "penalty": ["已开展警示教育并完善相关制度", "已对相关责任人进行约谈，建立问题清单"],
    "veto": ["已成立整改领导小组，全面排查隐患"],
    "complaint": ["已优化办事流程，推行一次性告知", "已增设咨询窗口，开通线上预约", "已建立群众诉求限时回复制度"],
}
RECT_ROLES = ["办公室", "综合科", "业务科", "分管领导", "政策法规科"]
NO_REPLY = ["gov_water", "inst_fund"]  # two units did not return their lists


def follow_up(out: Path, a: dict) -> None:
    """Results use and rectification (整改): the staff of each unit, and the units' replies
    to the 2024 rectification lists.

    The lists were issued by perfkit from the 2024 round (``rectification_list`` with the
    rules in ``notebooks/configs/demo_city_rules.yaml``) and are kept in
    ``follow_up/rectification_2024_issued.csv`` as an input of this script (a test checks
    they still match what perfkit issues). Each unit fills in a status — done more often
    when its true performance improved from 2024 to 2025 — and its measures; two units
    send nothing back."""
    r = rng("tracking", 9001)
    lo_hi = {"district": (420, 980), "party": (24, 90), "government": (38, 210), "institution": (28, 130)}
    staff = pd.DataFrame({"unit_id": UNIT_IDS,
                          "staff": [int(r.integers(*lo_hi[CATEGORY[u]])) for u in UNIT_IDS]})
    write_csv(staff, out / "follow_up" / "staff.csv")
    issued = pd.read_csv(HERE / FOLLOW_UP_ISSUED, dtype=str, keep_default_na=False)
    write_csv(issued, out / FOLLOW_UP_ISSUED)
    for u, sub in issued.groupby("unit_id", sort=False):
        gain = float(a[2025][IDX[u]] - a[2024][IDX[u]])
        p_done = 1.0 / (1.0 + math.exp(-(0.9 + 1.5 * gain)))
        rows = []
        for it in sub.itertuples(index=False):
            x = r.random()
            status = "done" if x < p_done else "in_progress" if x < p_done + 0.7 * (1 - p_done) else "not_started"
            measures = RECT_MEASURES[it.source][int(r.integers(len(RECT_MEASURES[it.source])))]
            done_on = dt.date(2025, 4, 1) + dt.timedelta(days=int(r.integers(0, 91)))
            rows.append([it.id, u, NAME_ZH[u], RECT_SOURCE[it.source], f"{it.problem_zh}\n{it.problem_en}", it.due,
                         RECT_STATUS[status], measures if status != "not_started" else "",
                         RECT_ROLES[int(r.integers(len(RECT_ROLES)))],
                         done_on.isoformat() if status == "done" else "", ""])
        if u in NO_REPLY:
            continue
        write_xlsx(pd.DataFrame(rows, columns=RECT_HEADER), out / "follow_up" / "rectification_2024_returned"
                   / f"{u}.xlsx", sheet="整改清单")
    text = (f"# {D.CITY['zh']} / {D.CITY['en']}: follow_up/\n\n"
            f"**虚构示例数据 — SYNTHETIC DATA.** 由 `generate.py` 生成, 不是任何真实单位的数据。"
            f" Generated by `generate.py`; no real unit's figures. See `../README.md` and `../planted.yaml`.\n\n"
            "结果运用与整改跟踪：`staff.csv` 各单位在编人数；`rectification_2024_issued.csv` 市绩效办根据2024年度反馈清单"
            "下发的整改清单（由 perfkit 生成）；`rectification_2024_returned/` 各单位填报后报回的整改清单（两个单位未报回）。\n\n"
            "Results use and rectification: `staff.csv` the staff of each unit; `rectification_2024_issued.csv` the "
            "rectification lists the office issued from the 2024 feedback (made by perfkit); "
            "`rectification_2024_returned/` the lists as the units filled them in and returned them (two units did "
            "not).\n")
    (out / "follow_up" / "README.md").write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- returned files
RETURNED_MISTAKE_COLLECTORS = ["gov_office", "gov_finance", "gov_stats", "gov_justice", "gov_tourism", "inst_survey"]


def returned_files(out: Path, values: pd.DataFrame) -> list[dict]:
    """The 2025 values as the collectors first returned them, with realistic mistakes."""
    folder = out / "returned" / "2025"
    mistakes = []
    notes_zh = {"gov_stats": "初步核算数", "inst_survey": "抽样调查推算", "gov_ecology": "监测站年均值",
                "gov_tourism": "抽样调查推算", "gov_finance": "财政决算口径"}
    for col in D.COLLECTORS:
        df = values[values["collector_id"] == col].copy()
        df["submitted_at"] = df["_submitted_first"]
        df = df.drop(columns=["_submitted_first"]).reset_index(drop=True)
        df.insert(2, "name_zh", df["unit_id"].map(NAME_ZH))
        df["note"] = notes_zh.get(col, "")

        def at(unit: str, ind: str) -> int:
            hit = df.index[(df["unit_id"] == unit) & (df["indicator_id"] == ind)]
            return int(hit[0])

        def record(kind, idx, column, submitted, corrected, sheet):
            mistakes.append({"kind": kind, "file": f"returned/2025/{col}{'.csv' if col == 'gov_stats' else '.xlsx'}",
                             "sheet": sheet, "row": int(idx) + 2, "column": column,
                             "unit_id": str(df.loc[idx, "unit_id"]), "indicator_id": str(df.loc[idx, "indicator_id"]),
                             "submitted": submitted, "corrected": corrected})

        sheet = "数据填报"
        if col == "gov_office":  # a ratio typed as a percent: 96 instead of 0.96
            props = df[(df["indicator_id"] == "proposals") & (df["value"] != "1")]
            i = int(props.index[0])
            old = df.loc[i, "value"]
            df.loc[i, "value"] = fmt(float(old) * 100, 1)
            record("percent_vs_ratio", i, "value", df.loc[i, "value"], old, sheet)
        elif col == "gov_finance":  # a percentage above 100
            i = at("dist_devzone", "budget")
            old = df.loc[i, "value"]
            df.loc[i, "value"] = "103.6"
            record("percent_above_100", i, "value", "103.6", old, sheet)
        elif col == "gov_justice":  # text in a number cell
            i = at("gov_land", "reconsideration")
            old = df.loc[i, "value"]
            df.loc[i, "value"] = "暂无数据"
            record("non_numeric", i, "value", "暂无数据", old, sheet)
        elif col == "gov_tourism":  # an outdated unit id
            i = at("dist_scenic", "tourist_growth")
            record("unknown_unit", i, "unit_id", "dist_scenic_area", "dist_scenic", sheet)
            df.loc[i, "unit_id"] = "dist_scenic_area"
        elif col == "inst_survey":  # a misspelt indicator id
            i = at("dist_qingfeng", "income_growth")
            record("unknown_indicator", i, "indicator_id", "income_grwoth", "income_growth", sheet)
            df.loc[i, "indicator_id"] = "income_grwoth"
        elif col == "gov_stats":  # a row pasted twice (CSV saved by Excel in GBK)
            i = at("dist_west", "gdp_growth")
            df = pd.concat([df.iloc[: i + 1], df.iloc[[i]], df.iloc[i + 1:]], ignore_index=True)
            record("duplicate_row", i + 1, "indicator_id", df.loc[i + 1, "value"], "(delete the row)", "")
        if col == "gov_stats":
            folder.mkdir(parents=True, exist_ok=True)
            write_csv(df, folder / f"{col}.csv", encoding="gbk")
        else:
            write_xlsx(df, folder / f"{col}.xlsx", sheet, numeric=("value",))
    return mistakes


# ----------------------------------------------------------------------------- special registry and schedule
def special_registry(out: Path) -> list[dict]:
    r = rng("schedule")
    reg = []
    for k, d in D.SPECIAL.items():
        gov = D.SPECIAL_GOVERNANCE[k]
        reg.append({
            "id": k, "label": label(d["zh"], d["en"]), "owner": d["owner"],
            "owner_label": label(NAME_ZH[d["owner"]], NAME_EN[d["owner"]]),
            "basis": label(*gov["basis"]), "approval": gov["approval"], "approved": gov["approved"],
            "since": d["since"],
            "covers": list(d["covers"]), "covered_units": covered(k),
            "weight": {str(y): special_points(y)[k] for y in YEARS if k in special_points(y)},
            "frequency": gov["frequency"],
            "inspections": [{"kind": kind, "window": list(w)} for kind, w in D.WINDOWS.items()],
            "indicators": [{"id": i, "label": label(zh, en), "unit": unit, "direction": dr, "target": tg,
                            "points": p} for i, zh, en, unit, dr, tg, p in d["indicators"]],
            "grades": list(D.SPECIAL_GRADES),
            "schedule": "schedule.csv", "results": "rounds/<year>/special_results.csv",
        })
    plan = {"cap": D.SPECIAL_CAP,
            "note": label("年度专项考核计划总量（纳入综合考评的专项考核项目数上限）",
                          "Annual plan: the most special assessments that may be folded into the comprehensive "
                          "evaluation")}
    write_yaml({"synthetic": True, "city": D.CITY, "plan": plan, "assessments": reg},
               out / "special" / "registry.yaml",
               header="# 示例市专项考核目录 — SYNTHETIC (虚构示例), generated by generate.py\n")
    rows = []
    keys = list(D.SPECIAL)
    for year in YEARS:
        for kk, k in enumerate(keys):
            if D.SPECIAL[k]["since"] > year:
                continue
            for j, u in enumerate(covered(k)):
                # mid-year check: weeks 24-31, year-end: weeks 44-51, one week per assessment (shifted by
                # one for every other unit), so that a unit normally sees one assessment a week
                mid_week = 24 + kk + (j % 2)
                end_week = 44 + kk + (j % 2)
                planted_here = year == 2025 and u in PILEUP_UNITS and k in PILEUP_ASSESSMENTS
                for kind, week in (("mid_year", mid_week), ("year_end", end_week)):
                    monday = dt.date.fromisocalendar(year, week, 1)
                    if planted_here and kind == "year_end":
                        monday = PILEUP_WEEK_MONDAY
                    start = monday + dt.timedelta(days=int(r.integers(0, 4)))
                    end = start + dt.timedelta(days=int(r.integers(0, 2)))
                    rows.append({"round": str(year), "assessment_id": k, "unit_id": u, "kind": kind,
                                 "start": start.isoformat(), "end": end.isoformat()})
    sched = pd.DataFrame(rows).sort_values(["round", "start", "assessment_id", "unit_id"], kind="stable")
    write_csv(sched, out / "special" / "schedule.csv")
    return [{"round": "2025", "iso_week": "2025-W49", "unit_id": u,
             "assessments": [k for k in PILEUP_ASSESSMENTS if u in covered(k)]} for u in PILEUP_UNITS]


# ----------------------------------------------------------------------------- planted.yaml
def planted(out: Path, late: list, mistakes: list, pileups: list) -> None:
    doc = {
        "synthetic": True,
        "about": label("示例市虚构数据中有意埋设的问题, 供分析方法发现; 说明见 README.md",
                       "Findings planted on purpose in the synthetic Demo City data; see README.md"),
        "round": "2025",
        "findings": {
            "no_discrimination": {"indicator": "proposals", "rounds": [str(y) for y in YEARS],
                                  "min_full_marks_share": 0.9},
            "near_duplicates": {"indicators": ["hotline", "hotline_satisfaction"], "rounds": [str(y) for y in YEARS],
                                "min_correlation": 0.95},
            "direction_contradiction": {"indicator": "reconsideration", "declared_direction": "higher",
                                        "data_say": "lower", "rounds": [str(y) for y in YEARS],
                                        "max_correlation_with_final": -0.3},
            "special_disagrees": {"assessment": "sp_ecology", "round": "2025", "max_rank_correlation": 0.0},
            "special_ceiling": {"assessment": "sp_civilisation", "round": "2025", "threshold": 95,
                                "min_share": 0.9},
            "double_counting": {"indicator": "safety_accidents", "assessments": ["sp_work_safety", "sp_security"],
                                "comprehensive_node": "safety_accidents"},
            "conflicting_targets": {"indicator": "enterprise_inspections",
                                    "assessments": {"sp_work_safety": {"direction": "higher", "target": 12},
                                                    "sp_business": {"direction": "lower", "target": 4}}},
            "inspection_pileups": {"min_assessments_same_week": 3, "units": pileups},
            "plan_control": {"round": "2025", "cap": D.SPECIAL_CAP,
                             "active": sum(1 for d in D.SPECIAL.values() if d["since"] <= 2025),
                             "not_approved": [k for k, g in D.SPECIAL_GOVERNANCE.items()
                                              if g["approval"] != "approved"]},
            "late_submissions": late,
            "returned_file_mistakes": mistakes,
            "identical_values": {"round": "2025", "indicator": "openness", "units": COPY_PASTE_UNITS,
                                 "value": COPY_PASTE_VALUE, "file": "returned/2025/gov_office.xlsx"},
            "borderline_units": {"round": "2025", "category": "government",
                                 "units": [{"unit": u, **BORDERLINE_GRADES[u]} for u in BORDERLINE]},
            "robust_unit": {"round": "2025", "unit": ROBUST_UNIT, "category": "government", "rank": 1},
            "tracking_behind": {"round": "2025Q2", "unit": TRACKING_BEHIND, "max_progress_ratio": 0.5},
        },
        "alternative_weights": ALTERNATIVE_WEIGHTS,
    }
    write_yaml(doc, out / "planted.yaml",
               header="# Planted findings of the SYNTHETIC Demo City data set (generated by generate.py)\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(HERE), help="output folder (default: this folder)")
    args = p.parse_args(argv)
    generate(Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
