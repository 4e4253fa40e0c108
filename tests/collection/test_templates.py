"""Collection templates: exactly each collector's cells, validation, protection, hidden ids,
the deadline and bilingual instructions; readable by a second program (LibreOffice)."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from perfkit.collection import duty_cells, write_templates
from perfkit.collection import layout as L
from perfkit.errors import DataError, SchemeError, UnknownNameError

from .conftest import COLLECTORS, DEADLINES, meta_of


def _rows(path: Path) -> list[dict]:
    wb = openpyxl.load_workbook(path)
    ws = wb[L.DATA_SHEET]
    out = []
    for n in range(L.FIRST_ROW, ws.max_row + 1):
        row = {key: ws[f"{letter}{n}"].value for key, letter, *_ in L.COLUMNS}
        row["_row"] = n
        out.append(row)
    return out


def test_one_template_per_collector_with_exactly_its_cells(templates, demo25):
    values = demo25.data.values
    assert set(templates) == set(values["collector_id"])
    for cid, path in templates.items():
        got = {(r["unit_id"], r["indicator_id"]) for r in _rows(path)}
        want = set(zip(values.loc[values["collector_id"] == cid, "unit_id"],
                       values.loc[values["collector_id"] == cid, "indicator_id"]))
        assert got == want, cid
        assert len(got) == len(_rows(path)), f"{cid}: a cell listed twice"


def test_functional_targets_are_listed_with_their_target_and_unit_of_measure(templates, demo25):
    t = demo25.data.targets.set_index(["unit_id", "indicator_id"])
    rows = _rows(templates["perf_office"])
    assert len(rows) == len(t) == 321
    for r in rows:
        want = t.loc[(r["unit_id"], r["indicator_id"])]
        assert r["target"] == pytest.approx(float(want["target"]))
        assert r["measure"] == want["measure"]
        assert r["indicator_name"] == want["label_zh"]


def test_each_row_shows_the_unit_of_measure_and_the_allowed_values(templates):
    rows = {(r["unit_id"], r["indicator_id"]): r for r in _rows(templates["gov_office"])}
    assert rows[("gov_land", "openness")]["measure"] == "分 points"
    assert rows[("gov_land", "openness")]["allowed"] == "0–100"
    assert rows[("gov_land", "proposals")]["allowed"] == "0–1"
    grades = {(r["unit_id"], r["indicator_id"]): r for r in _rows(templates["party_org"])}
    assert grades[("gov_land", "party_building")]["allowed"] == "A、B、C、D"


def _validations(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return list(wb[L.DATA_SHEET].data_validations.dataValidation)


def _covers(dv, cell: str) -> bool:
    return cell in dv.sqref


def test_input_cells_carry_excel_data_validation(templates):
    rows = {(r["unit_id"], r["indicator_id"]): r["_row"] for r in _rows(templates["gov_approval"])}
    dvs = _validations(templates["gov_approval"])
    cell = f"I{rows[('gov_land', 'hotline')]}"
    dv = next(d for d in dvs if _covers(d, cell))
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
    assert dv.showErrorMessage and dv.errorStyle == "stop"
    grade_rows = {(r["unit_id"], r["indicator_id"]): r["_row"] for r in _rows(templates["party_org"])}
    dv = next(d for d in _validations(templates["party_org"]) if _covers(d, f"I{grade_rows[('gov_land', 'party_building')]}"))
    assert (dv.type, dv.formula1) == ("list", '"A,B,C,D"')
    done = [r for r in _rows(templates["perf_office"]) if r["allowed"].startswith("1=")]
    assert done, "binary targets expected"
    dv = next(d for d in _validations(templates["perf_office"]) if _covers(d, f"I{done[0]['_row']}"))
    assert (dv.type, dv.formula1, dv.formula2) == ("whole", "0", "1")
    every = set()
    for d in _validations(templates["perf_office"]):
        every |= {c for rng in d.sqref.ranges for c in _cells(rng)}
    assert every == {f"I{r['_row']}" for r in _rows(templates["perf_office"])}


def _cells(rng) -> list[str]:
    return [f"I{r}" for r in range(rng.min_row, rng.max_row + 1)]


def test_layout_is_protected_with_only_the_input_cells_unlocked(templates):
    wb = openpyxl.load_workbook(templates["gov_office"])
    ws = wb[L.DATA_SHEET]
    assert ws.protection.sheet and wb.security.lockStructure
    assert wb[L.HELP_SHEET].protection.sheet
    for n in (L.FIRST_ROW, ws.max_row):
        for key, letter, *_ in L.COLUMNS:
            locked = ws[f"{letter}{n}"].protection.locked
            assert locked == (key not in L.INPUT_COLUMNS), (key, n)
    assert ws[f"A{L.HEADER_ROW}"].protection.locked


def test_hidden_row_ids_and_metadata_name_round_collector_and_deadline(templates, demo25):
    wb = openpyxl.load_workbook(templates["gov_stats"])
    ws = wb[L.DATA_SHEET]
    assert ws.column_dimensions[L.TEMPLATE_LETTERS["row_id"]].hidden
    assert wb[L.META_SHEET].sheet_state == "veryHidden"
    meta = meta_of(templates["gov_stats"])
    assert (meta["round"], meta["collector_id"], meta["deadline"], meta["scheme_id"]) == \
        ("2025", "gov_stats", "2026-02-10 17:30", demo25.scheme.id)
    assert meta["seal"] == L.seal(meta)
    for r in _rows(templates["gov_stats"]):
        assert r["row_id"] == L.row_id("2025", "gov_stats", r["unit_id"], r["indicator_id"])
    assert "2026-02-10 17:30" in ws["A1"].value


def test_instructions_sheet_is_bilingual_and_states_the_deadline(templates):
    wb = openpyxl.load_workbook(templates["gov_finance"])
    text = "\n".join(str(c.value) for row in wb[L.HELP_SHEET].iter_rows() for c in row if c.value)
    assert "报送截止时间 / Deadline" in text and "2026-01-20 17:30" in text
    assert "填报方法" in text and "How to fill in" in text
    assert "市财政局" in text and "Finance Bureau" in text
    assert "budget" in text and "fiscal_revenue_growth" in text
    assert wb.sheetnames[:2] == [L.HELP_SHEET, L.DATA_SHEET]


def test_only_and_unknown_collector(tmp_path, demo25):
    paths = write_templates(demo25.scheme, demo25.data, tmp_path, collectors=COLLECTORS, deadlines=DEADLINES,
                            only=["gov_ecology"])
    assert [p.name for p in paths] == ["gov_ecology_市生态环境局.xlsx"]
    with pytest.raises(UnknownNameError, match="did you mean 'gov_ecology'"):
        write_templates(demo25.scheme, demo25.data, tmp_path, collectors=COLLECTORS, deadlines=DEADLINES,
                        only=["gov_ecolgy"])


def test_missing_deadline_or_collector_is_a_located_error(tmp_path, demo25):
    with pytest.raises(DataError, match="no deadline for collector"):
        write_templates(demo25.scheme, demo25.data, tmp_path, collectors=COLLECTORS)
    with pytest.raises(SchemeError, match="no collector for 'functional'"):
        write_templates(demo25.scheme, demo25.data, tmp_path, deadline="2026-01-20 17:30")
    assert not list(tmp_path.iterdir()), "nothing is written when the plan fails"


def test_duty_cells_match_scheme_applicability(demo25):
    duty = duty_cells(demo25.scheme, demo25.data, collectors=COLLECTORS)
    cats = demo25.data.units.set_index("unit_id")["category"]
    recon = duty[duty["indicator_id"] == "reconsideration"]
    assert set(cats[recon["unit_id"]]) == {"district", "government"}
    assert len(recon) == int(cats.isin(["district", "government"]).sum())
    assert (duty.loc[duty["indicator_id"] == "budget", "hi"] == 100).all()


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed: the second-reader check needs it "
                           "(.ci/run installs libreoffice-calc-nogui)")
def test_libreoffice_reads_every_sheet_of_a_template(tmp_path, filled):
    src = next(p for p in filled.iterdir() if p.name.startswith("gov_office"))
    work = tmp_path / "t.xlsx"
    shutil.copy(src, work)
    profile = tmp_path / "profile"
    proc = subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                           "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                           "--outdir", str(tmp_path / "out"), str(work)],
                          capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    data = tmp_path / "out" / f"t-{L.DATA_SHEET}.csv"
    assert data.is_file(), list((tmp_path / "out").iterdir())
    with open(data, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert "2026-01-20 17:30" in rows[0][0]
    body = pd.DataFrame(rows[L.FIRST_ROW - 1:], columns=[c[1] for c in L.COLUMNS] + [""] * (len(rows[3]) - 11))
    got = dict(zip(zip(body["B"], body["D"]), body["I"]))
    assert got[("gov_land", "openness")] not in ("", None)
    assert got[("gov_justice", "proposals")] == "0.925"
    assert len(body) == 108
    help_csv = (tmp_path / "out" / f"t-{L.HELP_SHEET}.csv").read_text(encoding="utf-8")
    assert "How to fill in" in help_csv and "填报方法" in help_csv
