"""Chat shorthand and administrative synonyms, read from the data files in storage/lexicon/."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from storage.vntext import fold, syllables

LEXICON_DIR = Path(__file__).parent / "lexicon"


@dataclass(frozen=True)
class Lexicon:
    """`shorthand`: short or regional form -> standard syllables; `groups`: folded phrases that mean the same.

    A key is matched on the syllables as typed ("đc" and "dc" are two keys), longest first. A key of
    two or more syllables (a regional phrase: "chừng nào") also matches when typed without any
    marks: a phrase, unlike a single syllable ("hông" vs "hồng"), stays unambiguous folded.
    """

    shorthand: dict[tuple[str, ...], tuple[str, ...]]
    groups: tuple[tuple[tuple[str, ...], ...], ...]

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

    def synonyms(self, folded: list[str]) -> list[tuple[str, ...]]:
        """Phrases meaning the same as a phrase found in the folded question."""
        found = self.stand_ins(folded)
        present = {phrase for phrase, _ in found}
        others = [m for _, alternatives in found for m in alternatives]
        return [m for m in dict.fromkeys(others) if m not in present]

    def stand_ins(self, folded: list[str]) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
        """Each phrase of the folded question found in the list, with the phrases that may replace it."""
        out: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = []
        for i, token in enumerate(folded):  # one pass over the question, phrases by first word
            for phrase, owners in self._by_first.get(token, ()):
                if tuple(folded[i : i + len(phrase)]) == phrase:
                    others = (m for g in owners for m in self.groups[g] if m != phrase)
                    out.append((phrase, tuple(dict.fromkeys(others))))
        return out

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


def contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


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
    groups = []
    for line in _lines(directory / "synonyms.tsv"):
        members = tuple(tuple(fold(s) for s in syllables(m)) for m in line.split("|"))
        groups.append(tuple(m for m in members if m))
    return Lexicon(shorthand=shorthand, groups=tuple(groups))
