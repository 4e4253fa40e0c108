"""Every user-facing label exists in both languages."""
import pytest

from perfkit.i18n import LANGS, catalogue, column_labels, t


def test_every_message_has_zh_and_en():
    missing = [(k, lang) for k, v in catalogue().items() for lang in LANGS if not (v or {}).get(lang)]
    assert not missing


def test_every_message_has_exactly_zh_and_en_and_nothing_cut_off():
    # an unquoted comma in a YAML flow mapping silently cuts a label short and adds stray keys
    broken = {k: v for k, v in catalogue().items() if not isinstance(v, dict) or set(v) != set(LANGS)}
    assert not broken


def test_unknown_key_suggests_the_closest():
    with pytest.raises(KeyError, match="did you mean 'col.final'"):
        t("col.finall")


def test_bilingual_headers():
    assert column_labels(["final", "unknown_col"]) == ["最终得分 Final score", "unknown_col"]
