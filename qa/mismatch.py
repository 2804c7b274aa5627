"""Near misses: the best document speaks of another year or another named thing than the question.

"Danh sách hộ nghèo năm 2027" when only the 2026 list is published, "cầu Khe Nước" when the
document is about "cầu Bến Đá": the words match, the answer is wrong. Such a document is offered
to open, never quoted as the answer (handlers/ask.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rapidfuzz.distance import Levenshtein

from qa.query_names import named_things, relative_years
from qa.query_words import GLUE_PHRASES, STOPWORDS, WHEN_PHRASES, YEAR_RE
from qa.vntext import fold, syllables

_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# "2021-2025", "2025 – 2030", "giai đoạn 2021 đến 2025": every year between counts
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:-|–|—|đến|tới)\s*((?:19|20)\d\d)(?!\d)")
SPAN_MAX = 15  # a wider "span" is two unrelated years
# Capitalised words that are not the name itself: administrative words and the kind of thing named
# ("Thôn Tân Sơn", "Cầu Khe Nước", "Lô L05"): the rest of the name is looked for
GENERIC = frozenset(
    fold(w)
    for w in (
        "xã thôn ấp bản làng xóm tổ khu phố huyện tỉnh thành ủy ban nhân dân hội đồng ubnd hđnd "
        "đảng bộ chi mặt trận tổ quốc công an trạm y tế trường cầu đường chợ sông kênh suối đập hồ "
        "lô nhà văn hóa cụm điểm"
    ).split()
)
# How a person is addressed ("Ông Nguyễn Văn Thuận"): left out when a full name follows ("Bà Rén"
# is a bridge's name)
TITLES = frozenset(fold(w) for w in "ông bà anh chị cô chú bác".split())
FUZZY_MIN = 3  # a syllable this long may be typed one edit off ("Bìn Phú" for "Bình Phú")


@dataclass(frozen=True)
class Mismatch:
    """What the question asks that the document is not about."""

    years: tuple[str, ...] = ()  # asked, the document names other years only
    names: tuple[str, ...] = ()  # named in the question (folded), absent from the document

    def __bool__(self) -> bool:
        return bool(self.years or self.names)


def asked_years(question: str, today: date | None) -> list[str]:
    """The years a question asks about: typed ("2027") or said ("năm sau", "năm nay")."""
    typed = [m.group(1) for m in _YEAR.finditer(question)]
    tokens = syllables(question)
    said, this_year = relative_years(tokens, [False] * len(tokens), today)
    return list(dict.fromkeys([*typed, *said, *([this_year] if this_year else [])]))


def text_years(text: str) -> set[str]:
    """The years a text names, spans ("2021-2025") filled in."""
    years = {m.group(1) for m in _YEAR.finditer(text)}
    for m in _YEAR_SPAN.finditer(text):
        first, last = int(m.group(1)), int(m.group(2))
        if 0 < last - first <= SPAN_MAX:
            years.update(str(y) for y in range(first, last + 1))
    return years


Word = tuple[str, bool]  # a folded syllable, and whether it was written capitalised


def words_of(text: str) -> list[Word]:
    """The text's syllables, folded, each with whether it was written capitalised (a name's)."""
    return [(fold(w), w[:1].isupper()) for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def has_name(words: list[Word], name: list[str]) -> bool:
    """The folded syllables of the name in sequence among the words, each as written or one edit
    off where the document writes a name (capitalised), the name has two syllables or more and
    the syllable at least FUZZY_MIN letters: a resident's typo ("Bìn Phú") is not another name, "đồng bê" is not "Đồng Bến"."""

    def same(word: Word, typed: str) -> bool:
        folded, capital = word
        if folded == typed:
            return True
        if len(name) < 2 or not capital or len(typed) < FUZZY_MIN or typed.isdigit() or folded.isdigit():
            return False
        return Levenshtein.distance(folded, typed, score_cutoff=1) <= 1

    size = len(name)
    return any(all(same(words[i + k], name[k]) for k in range(size)) for i in range(len(words) - size + 1))


def mismatch(
    question: str, title: str, texts: Iterable[str], today: date | None = None, own: Iterable[str] = ()
) -> Mismatch:
    """The years and names the question asks about that the document (its title and other `texts`)
    is not about; `own` are names every document of the commune may leave out (its own name,
    province). Empty (falsy) when the document fits.

    Years: the title's years decide when it names any ("Dự toán năm 2026"), else the rest of the
    document's (a document naming no year fits any). Names: two or more capitalised words the
    question gives ("cầu Khe Nước"), checked as folded syllables in sequence.
    """
    body = "\n".join(texts)
    years = asked_years(question, today)
    held = text_years(title) or text_years(body)
    other_years = tuple(years) if years and held and not held.intersection(years) else ()
    words = words_of(f"{title}\n{body}")
    ours = words_of(" ".join(own))
    missing: list[str] = []
    for name in named_things(question):
        if len(name) == 1 and YEAR_RE.match(name[0]):
            continue
        lead = next((i for i, s in enumerate(name) if s not in GENERIC), len(name))
        if lead < len(name) - 2 and name[lead] in TITLES:
            lead += 1
        distinctive = list(name[lead:])  # "Thôn Tân Sơn": "tân sơn"; "Nguyễn Văn Thuận" whole
        if len(name) < 2 or not distinctive:
            continue  # an acronym ("UBND") or administrative words only ("Ủy Ban")
        if not (has_name(ours, distinctive) or has_name(words, distinctive)):
            missing.append(" ".join(distinctive))
    return Mismatch(other_years, tuple(missing))


def _topic_words(question: str, own: Iterable[str]) -> set[str]:
    """The question's folded words that say what it is about: no question words ("khi nào", "bao
    giờ"), glue, administrative words ("xã", "thôn") or the commune's own name."""
    folded = [w for w, _ in words_of(question)]
    keep = [True] * len(folded)
    for phrase in (*WHEN_PHRASES, *GLUE_PHRASES):
        size = len(phrase)
        for i in range(len(folded) - size + 1):
            if tuple(folded[i : i + size]) == phrase:
                keep[i : i + size] = [False] * size
    ours = {w for w, _ in words_of(" ".join(own))}
    return {
        w
        for w, kept in zip(folded, keep, strict=True)
        if kept and w not in STOPWORDS and w not in GENERIC and w not in ours and not w.isdigit()
    }


def names_event(question: str, fields: Iterable[str], own: Iterable[str] = ()) -> bool:
    """Whether an event's own fields (its title, host, place, villages: not its description) hold a
    word of what the question is about. "Đường Gò Dưa bao giờ xong" is not answered by a dialogue
    whose description lists the road among its topics, nor "thứ 7 xã có làm không" by a reception
    held "even on Saturdays": the event is offered, not quoted. A question of question words only
    ("khi nào?") fits any event."""
    topic = _topic_words(question, own)
    if not topic:
        return True
    held = {w for text in fields for w, _ in words_of(text)}
    return bool(topic & held)
