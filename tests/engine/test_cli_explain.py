"""perfkit explain: one unit's points, line by line."""
from pathlib import Path

from perfkit.cli import main

ROOT = Path(__file__).resolve().parents[2] / "datasets" / "real" / "oecd_bli"


def test_explain_prints_every_indicator_of_the_unit(capsys):
    assert main(["explain", str(ROOT / "scheme.yaml"), str(ROOT / "round"), "NOR", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("NOR 挪威 [country]")
    assert out.count("\n") >= 24 + 2
    assert "Life expectancy" in out


def test_explain_unknown_unit_suggests_the_closest(capsys):
    assert main(["explain", str(ROOT / "scheme.yaml"), str(ROOT / "round"), "NORR"]) == 2
    assert "did you mean 'NOR'" in capsys.readouterr().err
