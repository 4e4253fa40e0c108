"""The layout of a perfkit collection template (one place, read by the writer and the reader).

Sheet ``数据填报`` (data entry)::

    row 1   title: round, collector, deadline
    row 2   how to fill in (one line)
    row 3   column headers (zh and en)
    row 4-  one row per unit x indicator cell the collector must return

    A 序号 No.  B 单位代码 unit id  C 单位名称 unit  D 指标代码 indicator id  E 指标名称 indicator
    F 计量单位 unit of measure  G 目标值 target  H 填报要求 allowed values
    I 填报值 value (input)  J 备注 note (input)  K hidden row id

Only I and J of the data rows are unlocked; the sheet is protected. Column K (hidden) holds
each row's id ``unit|indicator|check``, whose check digits bind it to the round and the
collector, so a row that was moved or renamed is still recognised and a row pasted from
another template is not. Sheet ``填报说明`` holds the bilingual instructions; the very
hidden sheet ``_perfkit`` holds what the template is (round, collector, scheme, deadline,
a digest of its rows) under a seal.
"""
from __future__ import annotations

import hashlib

__all__ = [
    "COLUMNS",
    "DATA_SHEET",
    "FIRST_ROW",
    "FORMAT",
    "HEADER_ROW",
    "HELP_SHEET",
    "INPUT_COLUMNS",
    "META_SHEET",
    "TEMPLATE_LETTERS",
    "VERSION",
    "row_id",
    "seal",
]

DATA_SHEET = "数据填报"
HELP_SHEET = "填报说明"
META_SHEET = "_perfkit"
FORMAT = "perfkit-collection-template"
VERSION = "1"
HEADER_ROW = 3
FIRST_ROW = 4

#: (key, letter, zh header, en header, width); ``value`` and ``note`` are the input cells.
COLUMNS = (
    ("no", "A", "序号", "No.", 6),
    ("unit_id", "B", "单位代码", "Unit ID", 16),
    ("unit_name", "C", "单位名称", "Unit", 24),
    ("indicator_id", "D", "指标代码", "Indicator ID", 22),
    ("indicator_name", "E", "指标名称", "Indicator", 34),
    ("measure", "F", "计量单位", "Unit of measure", 14),
    ("target", "G", "目标值", "Target", 10),
    ("allowed", "H", "填报要求", "Allowed values", 22),
    ("value", "I", "填报值", "Value", 14),
    ("note", "J", "备注", "Note", 28),
    ("row_id", "K", "行标识", "Row id", 10),
)
TEMPLATE_LETTERS = {key: letter for key, letter, *_ in COLUMNS}
INPUT_COLUMNS = ("value", "note")
LAST_LETTER = COLUMNS[-1][1]

_SALT = b"perfkit-collection-template-v1"


def row_id(round_id: str, collector: str, unit_id: str, indicator_id: str) -> str:
    """The hidden id of one template row: ``unit|indicator|check`` (check: 6 hex digits of a
    digest of round, collector, unit and indicator).

    >>> row_id("2025", "gov_office", "gov_land", "openness")
    'gov_land|openness|935fd1'
    """
    digest = hashlib.sha256(_SALT + "\x1f".join((str(round_id), collector, unit_id, indicator_id)).encode())
    return f"{unit_id}|{indicator_id}|{digest.hexdigest()[:6]}"


def seal(items: dict[str, str]) -> str:
    """The seal over a template's metadata (detects an edited ``_perfkit`` sheet; it is a
    check against accidents and casual edits, not a signature)."""
    text = "\x1e".join(f"{k}\x1f{items[k]}" for k in sorted(items) if k != "seal")
    return hashlib.sha256(_SALT + text.encode("utf-8")).hexdigest()
