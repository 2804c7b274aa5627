"""Messages that are not questions: greetings, thanks, "ok", "hủy" typed alone
(tracking codes: qa/codes.py).

Pure: a message is classified from its folded words against `qa/wordlists/smalltalk.tsv`. Only a
message made wholly of listed phrases is small talk, so "cảm ơn, cho hỏi lịch tiếp dân" stays a
question (and is searched: a greeting in front of a question does not hide it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from qa.vntext import fold, normalize, syllables, typed_as

WORDLIST = Path(__file__).parent / "wordlists" / "smalltalk.tsv"
# A phrase of more syllables than this is never listed, so matching looks no further ahead.
_LONGEST = 6
# Small talk is short: a longer message is never read as one (nor scanned whole on the event loop).
SHORT = 120
_WORD = re.compile(r"\w+", re.UNICODE)
# A yes or no typed alone, outside any step that asked for one (the steps read their own answers):
# an acknowledgement. Only alone: in front of a question they are its words ("có hỗ trợ không").
LONE_ANSWERS = frozenset({"có", "co", "không", "khong", "ko", "k", "hông", "hong"})


class Kind(StrEnum):
    GREET = "greet"
    THANKS = "thanks"
    ACK = "ack"
    BYE = "bye"
    CANCEL = "cancel"


# When a message mixes kinds ("ok cảm ơn"), the first of these present is the reply's kind.
_PRIORITY = (Kind.CANCEL, Kind.THANKS, Kind.BYE, Kind.GREET, Kind.ACK)
_SOFT = "soft"


@dataclass(frozen=True)
class Phrases:
    """Folded phrase (syllables joined by one space) -> the listed phrases folding to it, as
    (kind, the phrase's own syllables), kinds before "soft" ones."""

    by_folded: dict[str, list[tuple[str, tuple[str, ...]]]]


@lru_cache(maxsize=4)
def load_phrases(path: Path = WORDLIST) -> Phrases:
    """The word list; a malformed line is an error (the list is reviewed, not guessed)."""
    table: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    allowed = {k.value for k in Kind} | {_SOFT}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, phrase = line.partition("\t")
        words = tuple(syllables(phrase))
        if kind not in allowed or not words or len(words) > _LONGEST:
            raise ValueError(f"{path.name}:{number}: expected 'kind<TAB>phrase', got {line!r}")
        table.setdefault(" ".join(fold(w) for w in words), []).append((kind, words))
    for candidates in table.values():
        candidates.sort(key=lambda c: c[0] == _SOFT)
    return Phrases(table)


def _kind(phrases: Phrases, typed: list[str]) -> str | None:
    """The kind of the listed phrase the typed syllables are. A syllable typed without marks matches
    any marks ("cam on" is "cảm ơn"); one typed with marks must be the listed one ("đã" is not "dạ")."""
    for kind, listed in phrases.by_folded.get(" ".join(fold(w) for w in typed), []):
        if all(typed_as(w, x) for w, x in zip(typed, listed, strict=True)):
            return kind
    return None


def _lead(words: list[str], phrases: Phrases) -> tuple[int, set[str], int]:
    """How many of the words are listed phrases from the start, the kinds they are, and where the
    last phrase that is not a go-with word ends."""
    found: set[str] = set()
    i = last = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            kind = _kind(phrases, words[i : i + size])
            if kind is not None:
                found.add(kind)
                i += size
                last = i if kind != _SOFT else last
                break
        else:
            break
    return i, found, last


def classify(text: str, phrases: Phrases | None = None) -> Kind | None:
    """The kind of small talk the whole message is, or None when it is (or may be) a question.

    A message with no words at all (an emoji, "?") counts as an acknowledgement.
    """
    if len(text) > SHORT:
        return None
    words = syllables(text)
    if not words:
        return Kind.ACK if text.strip() else None
    if len(words) == 1 and words[0].lower() in LONE_ANSWERS:
        return Kind.ACK
    length, found, _ = _lead(words, phrases or load_phrases())
    if length < len(words):
        return None
    return next((k for k in _PRIORITY if k.value in found), None)


def without_lead(text: str, phrases: Phrases | None = None) -> str:
    """The message without the greeting or thanks in front of it: "chào ad, lịch tiếp dân?" ->
    "lịch tiếp dân?". Unchanged when it does not start with one (or is nothing but small talk).

    Go-with words after the greeting go with it only when a comma or the like closes them
    ("chào ad, lịch…"); otherwise they may belong to the question ("dạ, xã có mấy thôn").
    """
    text = unicodedata.normalize("NFC", text)
    spans = list(_WORD.finditer(text[:SHORT]))
    length, found, last = _lead([normalize(m.group()) for m in spans], phrases or load_phrases())
    if length == len(spans) or not found - {_SOFT, Kind.CANCEL.value}:
        return text
    between = text[spans[length - 1].end() : spans[length].start()]
    cut = length if between.strip() else last
    return text[spans[cut].start() :]
