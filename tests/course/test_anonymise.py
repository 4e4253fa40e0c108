"""Unit names replaced by consistent codes in text, data files and file names; leaks found."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from perfkit.course.anonymise import Anonymiser, anonymise_tree, en_code, zh_code

UNITS = pd.DataFrame({"unit_id": ["gov_civil", "gov_civil_defence", "dist_south"],
                      "name_zh": ["市民政局", "市人防办", "南区"],
                      "name_en": ["Civil Affairs Bureau", "Civil Defence Office", "South District"]})


def test_codes_run_through_the_stems_then_lap():
    assert [zh_code(k) for k in range(12)][-3:] == ["癸单位", "甲2单位", "乙2单位"]
    assert len({zh_code(k) for k in range(600)}) == 600 and len({en_code(k) for k in range(600)}) == 600


def test_every_unit_gets_one_code_the_same_every_time():
    a, b = Anonymiser.from_units(UNITS), Anonymiser.from_units(UNITS.iloc[::-1])
    assert a.mapping == b.mapping
    assert len(set(a.units["code"])) == 3 and set(a.units["code_zh"]) <= {zh_code(k) for k in range(3)}


def test_ids_are_replaced_as_words_and_inside_target_ids_names_anywhere():
    a = Anonymiser.from_units(UNITS)
    m = a.mapping
    text = "gov_civil and gov_civil_defence; ft_gov_civil_01; gov_civilian; 市民政局和南区; Civil Affairs Bureau"
    out = a.text(text)
    assert out == (f"{m['gov_civil']} and {m['gov_civil_defence']}; ft_{m['gov_civil']}_01; gov_civilian; "
                   f"{m['市民政局']}和{m['南区']}; {m['Civil Affairs Bureau']}")


def test_a_data_folder_is_copied_with_contents_and_file_names_replaced_encodings_kept(tmp_path):
    src = tmp_path / "src"
    (src / "values").mkdir(parents=True)
    (src / "units.csv").write_text("unit_id,name_zh,name_en\n" + "\n".join(
        f"{r.unit_id},{r.name_zh},{r.name_en}" for r in UNITS.itertuples()) + "\n", encoding="utf-8")
    (src / "values" / "gov_civil.csv").write_bytes("unit_id,note\ndist_south,南区报送\n".encode("gbk"))
    wb = Workbook()
    wb.active.title = "数据填报"
    wb.active.append(["unit_id", "name"])
    wb.active.append(["gov_civil", "市民政局"])
    wb.save(src / "returned.xlsx")
    a = Anonymiser.from_folder(src)
    assert a.leaks(src)
    anonymise_tree(src, tmp_path / "dst", a)
    dst = tmp_path / "dst"
    m = a.mapping
    gbk = (dst / "values" / f"{m['gov_civil']}.csv").read_bytes().decode("gbk")
    assert gbk == f"unit_id,note\n{m['dist_south']},{m['南区']}报送\n"
    rows = list(load_workbook(dst / "returned.xlsx").active.values)
    assert rows[1] == (m["gov_civil"], m["市民政局"])
    assert a.leaks(dst) == []


def test_leaks_are_reported_with_the_file_and_what_leaked(tmp_path):
    a = Anonymiser.from_units(UNITS)
    (tmp_path / "page.html").write_text("<p>Unit A 与 南区</p>", encoding="utf-8")
    assert a.leaks(tmp_path) == [(str(tmp_path / "page.html"), "南区")]


def test_a_units_table_without_names_is_refused():
    with pytest.raises(Exception, match="name_en"):
        Anonymiser.from_units(UNITS.drop(columns=["name_en"]))
