"""The benchmarking study's source document and its sections.

Facts about peer cities come from one document, ``000_5138a8738c3f8d77.txt`` (the seed of
the project, ``../shared/seed/``; a copy ships in ``datasets/benchmark/source/``). Every
fact cites a *section* of it; a section is found by the phrase that opens it, searched in
document order, and runs to the start of the next section that is not one of its
sub-sections (ids are dotted: ``A.1.2`` lies inside ``A.1``, which lies inside ``A``).
:meth:`SourceDocument.contains` checks that a quoted phrase occurs verbatim inside the
section it cites.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from perfkit.datasets import root as datasets_root
from perfkit.errors import DataError, UnknownNameError, did_you_mean

__all__ = ["SOURCE_FILE", "SEED_ENV", "Labelled", "Section", "SourceDocument", "find_source", "read_source"]

#: The document the benchmarking facts come from.
SOURCE_FILE = "000_5138a8738c3f8d77.txt"
#: Environment variable naming the folder of the seed document (default: ``../shared/seed``).
SEED_ENV = "PERFKIT_SEED"


class Labelled:
    """Something with a ``zh`` and an ``en`` name: :meth:`label` gives the one in ``lang``."""

    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Section(Labelled):
    """One section of the source: its id, opening phrase, labels and character span."""

    id: str
    starts: str
    zh: str
    en: str
    start: int
    end: int


@dataclass(frozen=True, eq=False)
class SourceDocument:
    """The text of the source document and its sections.

    Attributes
    ----------
    file
        The document's file name (what facts cite).
    path
        Where it was read from.
    text
        Its text (UTF-8).
    sections
        Section id -> :class:`Section`, in document order.
    """

    file: str
    path: Path
    text: str
    sections: Mapping[str, Section]

    def section(self, section_id: str) -> Section:
        try:
            return self.sections[section_id]
        except KeyError:
            raise UnknownNameError(f"no section {section_id!r} in {self.file}{did_you_mean(section_id, self.sections)}",
                                   hint=f"sections: {', '.join(self.sections)}") from None

    def span(self, section_id: str) -> str:
        """The text of a section (with its sub-sections)."""
        s = self.section(section_id)
        return self.text[s.start:s.end]

    def contains(self, section_id: str, phrase: str) -> bool:
        """Whether ``phrase`` occurs verbatim in section ``section_id``."""
        return bool(phrase) and phrase in self.span(section_id)

    def cite(self, section_id: str, lang: str = "zh") -> str:
        """``<file>,<section label>`` as a report cites it."""
        sep = "," if lang == "zh" else ", "
        return f"{self.file}{sep}{self.section(section_id).label(lang)}"


def _candidates(file: str) -> list[Path]:
    env = os.environ.get(SEED_ENV)
    repo = Path(__file__).resolve().parents[3]
    out = [Path(env) / file] if env else []
    out += [repo.parent / "shared" / "seed" / file, repo.parent.parent / "shared" / "seed" / file]
    try:
        out.append(datasets_root() / "benchmark" / "source" / file)
    except DataError:
        pass
    return out


def find_source(file: str = SOURCE_FILE) -> Path | None:
    """The source document: ``$PERFKIT_SEED/<file>``, else the project's seed
    (``../shared/seed/<file>`` beside the repository), else the copy shipped in
    ``datasets/benchmark/source/``; ``None`` when none exists."""
    for p in _candidates(file):
        if p.is_file():
            return p
    return None


def read_source(sections: Iterable[Mapping[str, str]], *, file: str = SOURCE_FILE, path: str | Path | None = None,
                where: str = "<sections>") -> SourceDocument:
    """Read the source document and locate ``sections`` in it.

    Parameters
    ----------
    sections
        In document order, each ``{id, starts, zh, en}``: ``starts`` is the phrase that
        opens the section.
    file
        The document's file name.
    path
        Read from here instead of :func:`find_source`.
    where
        The file the sections are declared in, for error messages.

    Raises
    ------
    DataError
        The document is not found, or a section's opening phrase does not occur after
        the previous section's (naming the section).
    """
    p = Path(path) if path is not None else find_source(file)
    if p is None or not p.is_file():
        raise DataError(f"source document {file} not found", where=[where],
                        hint=f"put it in ../shared/seed/ or datasets/benchmark/source/, or set {SEED_ENV}")
    text = p.read_text(encoding="utf-8")
    rows = list(sections)
    starts: list[int] = []
    pos = 0
    for i, s in enumerate(rows):
        at = text.find(s["starts"], pos)
        if at < 0:
            prev = f" after section {rows[i - 1]['id']!r}" if i else ""
            raise DataError(f"section {s['id']!r}: its opening phrase {s['starts']!r} is not in {file}{prev}",
                            where=[where, f"sections[{i}]({s['id']})"],
                            hint="copy the phrase verbatim from the document; list sections in document order")
        starts.append(at)
        pos = at + len(s["starts"])
    found: dict[str, Section] = {}
    for i, s in enumerate(rows):
        end = len(text)
        for j in range(i + 1, len(rows)):
            if not rows[j]["id"].startswith(s["id"] + "."):
                end = starts[j]
                break
        found[s["id"]] = Section(id=s["id"], starts=s["starts"], zh=s["zh"], en=s["en"], start=starts[i], end=end)
    return SourceDocument(file=file, path=p, text=text, sections=found)
