"""Names that go into the catalogue's sentences in either language.

A catalogue sentence uses the same placeholders in zh and en; a name that differs by
language is a :class:`Bilingual` text, picked by the placeholder's format spec: the zh
sentence writes ``{name:zh}``, the en one ``{name:en}``. It is a ``str`` (its zh text), so
alerts and recommendations holding it still serialise as plain text.
"""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Bilingual", "join"]


class Bilingual(str):
    """A text in zh and en; ``format(b, "zh")`` / ``format(b, "en")`` picks one.

    >>> b = Bilingual("安全生产考核", "Work safety")
    >>> "{0:zh}|{0:en}|{0}".format(b)
    '安全生产考核|Work safety|安全生产考核'
    """

    zh: str
    en: str

    def __new__(cls, zh: str, en: str | None = None) -> Bilingual:
        obj = super().__new__(cls, zh)
        obj.zh = str(zh)
        obj.en = str(en if en is not None else zh)
        return obj

    def __getnewargs__(self) -> tuple[str, str]:
        return self.zh, self.en

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __format__(self, spec: str) -> str:
        if spec in ("zh", "en"):
            return self.get(spec)
        return format(self.zh, spec)


def join(items: Iterable[Bilingual | str]) -> Bilingual:
    """A list in words: ``甲、乙和丙`` / ``A, B and C``.

    >>> j = join([Bilingual("甲", "A"), Bilingual("乙", "B"), Bilingual("丙", "C")])
    >>> f"{j:zh} / {j:en}"
    '甲、乙和丙 / A, B and C'
    """
    xs = [x if isinstance(x, Bilingual) else Bilingual(str(x)) for x in items]
    if not xs:
        return Bilingual("", "")
    if len(xs) == 1:
        return xs[0]
    zh = "、".join(x.zh for x in xs[:-1]) + "和" + xs[-1].zh
    en = ", ".join(x.en for x in xs[:-1]) + " and " + xs[-1].en
    return Bilingual(zh, en)
