"""Peer practice: every statement is a verbatim phrase of the source document, in the
section it cites; the data file's mistakes are refused with their YAML path."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from perfkit.analyses.benchmark import gap_list, load_practice, practice_matrix, radar_data, read_source
from perfkit.analyses.benchmark.source import SOURCE_FILE, find_source
from perfkit.errors import DataError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "datasets" / "benchmark" / "peer_practice.yaml"
SHIPPED = ROOT / "datasets" / "benchmark" / "source" / SOURCE_FILE
SEEDS = [ROOT.parent / "shared" / "seed" / SOURCE_FILE, ROOT.parent.parent / "shared" / "seed" / SOURCE_FILE]
SEED = next((p for p in SEEDS if p.is_file()), None)
SOURCE = SEED or SHIPPED  # the project's seed when present, else the copy shipped with the data


def _raw() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _statements(raw: dict):
    """Every (yaml path, section, phrase) the file states."""
    for di, d in enumerate(raw["dimensions"]):
        yield f"dimensions[{di}]", d["section"], d["says"]
        yield f"dimensions[{di}].gap", d["gap"]["section"], d["gap"]["says"]
        for ii, it in enumerate(d["items"]):
            for ci, c in enumerate(it["cells"]):
                yield f"dimensions[{di}].items[{ii}].cells[{ci}]", c["section"], c["says"]
            if it["home"].get("says"):
                yield f"dimensions[{di}].items[{ii}].home", it["home"]["section"], it["home"]["says"]
            for ri, r in enumerate(it["recommendations"]):
                yield f"dimensions[{di}].items[{ii}].recommendations[{ri}]", r["section"], r["says"]


def _write(tmp_path: Path, raw: dict) -> Path:
    p = tmp_path / "peer_practice.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_every_quoted_phrase_occurs_in_the_section_it_cites():
    raw = _raw()
    doc = read_source(raw["sections"], path=SOURCE)
    statements = list(_statements(raw))
    assert len(statements) > 60
    missing = [(where, sec, says) for where, sec, says in statements if not doc.contains(sec, says)]
    assert not missing


def test_the_shipped_copy_is_the_seed_document():
    if SEED is None:
        pytest.skip("../shared/seed is not here; the shipped copy is the only source")
    assert SHIPPED.read_bytes() == SEED.read_bytes()


def test_find_source_prefers_the_seed_then_the_shipped_copy():
    assert find_source() in ([SEED] if SEED else []) + [SHIPPED]


def test_a_named_city_is_only_credited_where_its_section_names_it():
    pp = load_practice(DATA, check=True)
    for c in pp.cells_frame().itertuples():
        city = pp.cities[c.city]
        if city.collective:
            continue
        assert city.zh in pp.document.span(c.section), (c.item, c.city, c.section)


def test_chengdu_appears_only_where_the_document_mentions_it():
    pp = load_practice(DATA, check=True)
    cells = pp.cells_frame()
    assert set(cells.loc[cells["city"] == "chengdu", "item"]) == {"embedded_office"}


def test_sections_nest_and_end_where_the_next_sibling_starts(tmp_path):
    text = "前言。一、甲部分。一是甲一内容。二是甲二内容。二、乙部分。乙内容。"
    src = tmp_path / "doc.txt"
    src.write_text(text, encoding="utf-8")
    doc = read_source([{"id": "A", "starts": "一、甲部分", "zh": "甲", "en": "A"},
                       {"id": "A.1", "starts": "一是甲一", "zh": "甲一", "en": "A1"},
                       {"id": "A.2", "starts": "二是甲二", "zh": "甲二", "en": "A2"},
                       {"id": "B", "starts": "二、乙部分", "zh": "乙", "en": "B"}], file="doc.txt", path=src)
    assert doc.span("A") == "一、甲部分。一是甲一内容。二是甲二内容。"
    assert doc.span("A.1") == "一是甲一内容。"
    assert doc.span("B") == "二、乙部分。乙内容。"
    assert doc.contains("A", "甲二内容") and not doc.contains("A.1", "甲二内容")


def test_a_section_whose_opening_phrase_is_not_found_is_named(tmp_path):
    src = tmp_path / "doc.txt"
    src.write_text("一、甲。二、乙。", encoding="utf-8")
    with pytest.raises(DataError, match=r"sections\[1\]\(B\).*not in doc.txt after section 'A'"):
        read_source([{"id": "A", "starts": "二、乙", "zh": "a", "en": "a"},
                     {"id": "B", "starts": "一、甲", "zh": "b", "en": "b"}], file="doc.txt", path=src)


def test_a_cell_without_a_section_is_a_located_error(tmp_path):
    raw = _raw()
    del raw["dimensions"][1]["items"][1]["cells"][0]["section"]
    with pytest.raises(DataError, match=r"dimensions\[1\]\(institutions\)\.items\[1\]\(statute\)\.cells\[0\]: "
                                        r"no 'section'"):
        load_practice(_write(tmp_path, raw))


def test_a_phrase_cited_in_the_wrong_section_says_where_it_is(tmp_path):
    raw = _raw()
    raw["dimensions"][1]["items"][1]["cells"][0]["section"] = "A.1.4"
    with pytest.raises(DataError, match=r"cells\[0\]\.says: .* does not occur in section 'A.1.4'; "
                                        r"it occurs in section 'A.1.2'"):
        load_practice(_write(tmp_path, raw))


def test_an_invented_phrase_is_refused(tmp_path):
    raw = _raw()
    raw["dimensions"][0]["items"][0]["cells"][0]["says"] = "杭州市社会评价占50分"
    with pytest.raises(DataError, match="is not in 000_5138a8738c3f8d77.txt at all"):
        load_practice(_write(tmp_path, raw))


def test_an_unknown_section_or_city_gets_a_suggestion(tmp_path):
    raw = _raw()
    raw["dimensions"][0]["items"][0]["cells"][0]["section"] = "A.1.9"
    with pytest.raises(DataError, match="unknown section 'A.1.9'"):
        load_practice(_write(tmp_path, raw))
    raw = _raw()
    raw["dimensions"][0]["items"][0]["cells"][0]["city"] = "hangzou"
    with pytest.raises(DataError, match="did you mean 'hangzhou'"):
        load_practice(_write(tmp_path, raw))


def test_a_label_cut_by_an_unquoted_comma_is_refused(tmp_path):
    p = tmp_path / "peer_practice.yaml"
    text = DATA.read_text(encoding="utf-8").replace('en: "Meetings, bulletins, open letters and results exhibitions"',
                                                    "en: Meetings, bulletins, open letters and results exhibitions")
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"items\[2\]\(public_outreach\)\.label: has keys .* quote the text"):
        load_practice(p)


def test_a_score_not_marked_as_the_offices_judgement_is_refused(tmp_path):
    raw = _raw()
    del raw["dimensions"][0]["scores"]["hangzhou"]["judgement"]
    with pytest.raises(DataError, match=r"scores\.hangzhou: every score must be marked as the office's judgement"):
        load_practice(_write(tmp_path, raw))
    raw = _raw()
    raw["dimensions"][0]["scores"]["hangzhou"]["score"] = 7
    with pytest.raises(DataError, match="score 7 is not a level of the rubric"):
        load_practice(_write(tmp_path, raw))


def test_a_score_resting_on_what_the_document_does_not_say_of_the_city_is_refused(tmp_path):
    raw = _raw()
    raw["dimensions"][1]["scores"]["chengdu"]["basis"] = ["statute"]  # the statute is Hangzhou's
    with pytest.raises(DataError, match="item 'statute' has no cell for 'chengdu'"):
        load_practice(_write(tmp_path, raw))


def test_structure_only_loading_needs_no_document(tmp_path):
    pp = load_practice(DATA, check=False)
    assert pp.document is None and len(pp.dimensions) == 6
    with pytest.raises(DataError, match="not found"):
        load_practice(DATA, check=True, source=tmp_path / "missing.txt")


def test_the_six_dimensions_are_the_documents():
    pp = load_practice(DATA)
    assert [d.zh for d in pp.dimensions] == ["绩效理念大众化", "绩效评估制度化", "评估机制科学化", "结果运用有效化",
                                             "评估开展规范化", "绩效机构实体化"]
    assert all(d.section == f"A.1.{i + 1}" for i, d in enumerate(pp.dimensions))


def test_gap_list_pairs_each_gap_with_the_documents_recommendations():
    pp = load_practice(DATA)
    g = gap_list(pp)
    assert set(g.items["status"]) == {"lacks", "partial"}
    statute = g.items.set_index("item").loc["statute"]
    assert statute["peers"] == ("hangzhou",) and statute["status"] == "lacks"
    assert all(s.startswith("A.3") for s in statute["recommendation_sections"])
    dims = g.dimensions.set_index("dimension")
    # conduct: home 1 (office's judgement), Hangzhou 4 -> 3 levels behind, a warning
    assert dims.loc["conduct", ["home_score", "best_score", "difference"]].tolist() == [1, 4, 3]
    assert dims.loc["conduct", "best_cities"] == ("hangzhou",)
    levels = {a.subject: a.level for a in g.alerts}
    assert levels["conduct"] == "warning" and levels["concept"] == "info"
    conduct = next(a for a in g.alerts if a.subject == "conduct")
    assert conduct.text("zh") == "“评估开展规范化”:本市成熟度1级,先进市州最高4级,相差3级。"
    assert conduct.text("en").startswith("'Assessments conducted in good order': the home city is at level 1")


def test_radar_best_series_is_the_best_named_peer():
    pp = load_practice(DATA)
    rd = radar_data(pp)
    best = rd[rd["series"] == "best"].set_index("dimension")["score"]
    scores = pp.scores_frame()[[c.id for c in pp.peer_cities]]
    assert best.to_dict() == scores.max(axis=1).to_dict()
    with pytest.raises(DataError, match="did you mean 'home'"):
        radar_data(pp, series=("hom",))


def test_matrix_has_one_column_per_city_and_the_home_status():
    pp = load_practice(DATA)
    wide = practice_matrix(pp).to_frame("zh")
    assert list(wide.columns)[:2] == ["dimension", "item"]
    assert {"杭州市", "长沙市", "西安市", "桂林市", "成都市", "本市"} <= set(wide.columns)
    row = wide[wide["item"].str.contains("地方立法")].iloc[0]
    assert "《杭州市绩效管理条例》" in row["杭州市"] and row["本市"] == "尚无"
    assert "<table" in practice_matrix(pp)._repr_html_()

