"""Chat shorthand, regional words, synonyms and out-of-scope topics: data files in qa/wordlists/."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TypeVar

from qa.vntext import fold, syllables

_V = TypeVar("_V")

LEXICON_DIR = Path(__file__).parent / "wordlists"
# synonym groups: administrative vocabulary, and everyday speech -> the words documents use
SYNONYM_FILES = ("synonyms.tsv", "everyday.tsv")


@dataclass(frozen=True)
class Lexicon:
    """`shorthand`: short or regional form -> standard syllables; `groups`: folded phrases that mean the same.

    A key is matched on the syllables as typed ("đc" and "dc" are two keys), longest first. A key of
    two or more syllables (a regional phrase: "chừng nào") also matches when typed without any
    marks: a phrase, unlike a single syllable ("hông" vs "hồng"), stays unambiguous folded.
    """

    shorthand: dict[tuple[str, ...], tuple[str, ...]]
    groups: tuple[tuple[tuple[str, ...], ...], ...]
    # folded phrase -> how the list writes it with marks ("tiến độ"), so that a question typed with
    # marks ("tiền đó") does not take one phrase for another that folds the same
    spellings: dict[tuple[str, ...], frozenset[tuple[str, ...]]] = field(default_factory=dict)
    # topics a commune does not publish about (electricity prices, ID cards, lottery): as written
    out_of_scope: tuple[tuple[str, ...], ...] = ()

    def expand_shorthand(self, tokens: list[str]) -> list[str]:
        """Replace shorthand and regional forms by their standard form (an empty form drops them)."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                full = self._lookup(tokens[i : i + n])
                if full is not None:
                    out.extend(full)
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _lookup(self, window: list[str]) -> tuple[str, ...] | None:
        found = self.shorthand.get(tuple(window))
        if found is None and len(window) > 1 and all(t == fold(t) for t in window):
            found = self._folded_phrases.get(tuple(window))
        return found

    @cached_property
    def _longest(self) -> int:
        return max(map(len, self.shorthand), default=1)

    @cached_property
    def _folded_phrases(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, full in self.shorthand.items():
            if len(key) > 1:
                phrases.setdefault(tuple(fold(s) for s in key), full)
        return phrases

    def stand_ins(
        self, folded: list[str], typed: list[str] | None = None
    ) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
        """Each phrase of the question found in the list, with the phrases that may replace it.

        Phrases are found on folded syllables; where `typed` (the same syllables with the marks the
        resident typed) has marks, they must be the list's marks: "tiền đó" is not "tiến độ".
        """
        out: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = []
        for i, phrase, owners in _occurrences(folded, self._by_first):
            if typed is not None and not self._spelled_alike(typed[i : i + len(phrase)], phrase):
                continue
            others = (m for g in owners for m in self.groups[g] if m != phrase)
            out.append((phrase, tuple(dict.fromkeys(others))))
        return out

    def _spelled_alike(self, typed: list[str], phrase: tuple[str, ...]) -> bool:
        """Whether the syllables typed with marks have the marks of some spelling of the phrase.

        One wrong tone among right ones is a typo ("chứng thức" for "chứng thực"); every marked
        syllable wrong is another phrase ("tiền đó" is not "tiến độ", "số đó" not "sổ đỏ").
        """
        spellings = self.spellings.get(phrase)
        if not spellings:
            return True
        for spelling in spellings:
            same = [marks(t) == marks(s) for t, s in zip(typed, spelling, strict=True) if t != fold(t)]
            if same.count(True) >= same.count(False):  # every one right passes too
                return True
        return False

    def off_topic(self, folded: list[str], typed: list[str]) -> list[tuple[str, ...]]:
        """The out-of-scope topics the question names (folded), typed with their marks or none."""
        found: list[tuple[str, ...]] = []
        for i, key, phrase in _occurrences(folded, self._scope_by_first):
            window = typed[i : i + len(key)]
            if key not in found and all(
                same_syllable(t, s, loose=True) for t, s in zip(window, phrase, strict=True)
            ):
                found.append(key)
        return found

    @cached_property
    def _scope_by_first(self) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
        index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for phrase in self.out_of_scope:
            key = tuple(fold(s) for s in phrase)
            index.setdefault(key[0], []).append((key, phrase))
        return index

    @cached_property
    def _by_first(self) -> dict[str, list[tuple[tuple[str, ...], tuple[int, ...]]]]:
        owners: dict[tuple[str, ...], list[int]] = {}
        for g, group in enumerate(self.groups):
            for member in group:
                owners.setdefault(member, []).append(g)
        index: dict[str, list[tuple[tuple[str, ...], tuple[int, ...]]]] = {}
        for phrase, gs in owners.items():
            index.setdefault(phrase[0], []).append((phrase, tuple(gs)))
        return index


def _occurrences(
    folded: list[str], by_first: dict[str, list[tuple[tuple[str, ...], _V]]]
) -> Iterator[tuple[int, tuple[str, ...], _V]]:
    """Where each phrase of an index (folded phrases by their first syllable) occurs in the question."""
    for i, token in enumerate(folded):  # one pass over the question, phrases by first word
        for phrase, value in by_first.get(token, ()):
            if tuple(folded[i : i + len(phrase)]) == phrase:
                yield i, phrase, value


def alternatives(
    stand_ins: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...],
) -> list[tuple[str, ...]]:
    """The phrases that may replace those found in a question (`Lexicon.stand_ins`), not already in it."""
    present = {phrase for phrase, _ in stand_ins}
    others = [m for _, replacements in stand_ins for m in replacements]
    return [m for m in dict.fromkeys(others) if m not in present]


def marks(syllable: str) -> tuple[str, str]:
    """A syllable's letters and marks, whichever vowel the tone sits on ("hoá" and "hóa" alike)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    return fold(syllable), "".join(sorted(ch for ch in decomposed if unicodedata.combining(ch)))


def same_syllable(word: str, listed: str, loose: bool) -> bool:
    """The same syllable with the same marks wherever the tone sits ("hoà", "hòa"); `loose`: one
    written without any marks matches any marks."""
    if loose and word == fold(word):
        return word == fold(listed)  # typed without marks: any marks
    return marks(word) == marks(listed)


def contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def covered(tokens: list[str], phrases: Iterable[tuple[str, ...]]) -> list[bool]:
    """Per token: whether it lies inside an occurrence of one of the phrases."""
    inside = [False] * len(tokens)
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i : i + n]) == phrase:
                inside[i : i + n] = [True] * n
    return inside


def _lines(path: Path) -> list[str]:
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


@cache
def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Read the shorthand, regional and synonym lists (cached: they do not change while running)."""
    shorthand: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name in ("shorthand.tsv", "dialect.tsv"):
        for line in _lines(directory / name):
            short, _, full = line.partition("\t")
            key = tuple(syllables(short))
            if key:
                shorthand.setdefault(key, tuple(syllables(full)))
    # a question is read after its shorthand and regional forms are replaced, so a member is
    # also listed as such a question reads it ("đèn đường hư" as "đèn đường hỏng", "dài mấy mét"
    # as "dài mấy m"), else it matches only where nothing replaced it (typed without marks)
    expand = Lexicon(shorthand=shorthand, groups=()).expand_shorthand
    groups = []
    spellings: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for line in (line for name in SYNONYM_FILES for line in _lines(directory / name)):
        as_listed = [syllables(m) for m in line.split("|")]
        written = list(dict.fromkeys(tuple(w) for m in as_listed for w in (m, expand(m))))
        members = tuple(dict.fromkeys(tuple(fold(s) for s in w) for w in written if w))
        groups.append(members)
        for w in written:
            if w:
                spellings.setdefault(tuple(fold(s) for s in w), set()).add(w)
    out_of_scope = tuple(
        dict.fromkeys(
            tuple(syllables(line.partition("\t")[0])) for line in _lines(directory / "out-of-scope.tsv")
        )
    )
    return Lexicon(
        shorthand=shorthand,
        groups=tuple(groups),
        spellings={k: frozenset(v) for k, v in spellings.items()},
        out_of_scope=tuple(p for p in out_of_scope if p),
    )
