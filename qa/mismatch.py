"""Near misses: the best document speaks of another year, phase or named thing than the question,
or of a sibling official object (qa/subjects.py: "khai sinh" when "khai tử" is asked).

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

from qa.lexicon import covered, same_syllable
from qa.query_names import named_things, relative_years
from qa.query_words import GLUE_PHRASES, STOPWORDS, WHEN_PHRASES, YEAR_RE
from qa.subjects import sibling
from qa.vntext import fold, syllables

_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# "2021-2025", "2025 – 2030", "giai đoạn 2021 đến 2025": every year between counts
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:-|–|—|đến|tới)\s*((?:19|20)\d\d)(?!\d)")
SPAN_MAX = 15  # a wider "span" is two unrelated years
# "giai đoạn 2", "đợt II" (folded): a later phase of a project or a payment than the document's
_PHASE = re.compile(r"\b(?:giai doan|gd|dot)\s*(\d{1,2}|i{1,3}|iv|v)\b(?!\s*[-–—/.,]?\s*\d)")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
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
    phases: tuple[int, ...] = ()  # a later phase asked ("giai đoạn 2") than the document names
    names: tuple[str, ...] = ()  # named in the question (folded), absent from the document
    objects: tuple[str, ...] = ()  # asked about; the document is about a sibling (qa/subjects.py)

    def __bool__(self) -> bool:
        return bool(self.years or self.phases or self.names or self.objects)


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


def phases(text: str) -> set[int]:
    """The phases a text names ("giai đoạn 2", "đợt II", "gđ 3"), as numbers."""
    folded = " ".join(fold(w) for w in _WORD.findall(unicodedata.normalize("NFKC", text)))
    return {int(n) if n.isdigit() else _ROMAN[n] for n in _PHASE.findall(folded)}


Word = tuple[str, bool, str]  # a folded syllable, whether it was written capitalised, as written (lower)


def words_of(text: str) -> list[Word]:
    """The text's syllables, folded, each with whether it was written capitalised (a name's)."""
    return [(fold(w), w[:1].isupper(), w.lower()) for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def has_name(words: list[Word], name: list[str], typed: list[str] | None = None) -> bool:
    """The name's syllables in sequence among the words. Each must be as the resident `typed` it
    (without marks it matches any marks; with marks only its own), except one that may be one
    edit off or carry other marks where the document writes a name (capitalised), the name has
    two syllables or more and the syllable at least FUZZY_MIN letters: a resident's typo ("Bìn
    Phú") is not another name, "đồng bê" is not "Đồng Bến", "Ban Thanh (tra)" is not "Tân Thạnh"."""
    spelled = typed if typed is not None and len(typed) == len(name) else name

    def exact(word: Word, k: int) -> bool:
        return word[0] == name[k] and same_syllable(spelled[k], word[2], loose=True)

    def near(word: Word, k: int) -> bool:
        folded, capital, _ = word
        if folded == name[k]:
            return True  # other marks than typed
        if len(name) < 2 or not capital or len(name[k]) < FUZZY_MIN or name[k].isdigit() or folded.isdigit():
            return False
        return Levenshtein.distance(folded, name[k], score_cutoff=1) <= 1

    def at(i: int) -> bool:
        off = [k for k in range(len(name)) if not exact(words[i + k], k)]
        return not off or (len(off) == 1 and near(words[i + off[0]], off[0]))

    return any(at(i) for i in range(len(words) - len(name) + 1))


def typed_name(question: str, name: tuple[str, ...]) -> list[str] | None:
    """How the resident wrote a (folded) name: its syllables with their marks, lower case."""
    tokens = syllables(question)
    folded = [fold(t) for t in tokens]
    size = len(name)
    for i in range(len(tokens) - size + 1):
        if tuple(folded[i : i + size]) == name:
            return tokens[i : i + size]
    return None


def mismatch(
    question: str, title: str, texts: Iterable[str], today: date | None = None, own: Iterable[str] = ()
) -> Mismatch:
    """The years, phases, names and objects the question asks about that the document (its title,
    and as `texts` its body, tags, villages or place, then others: source) is not about; `own` are
    names every document of the commune may leave out (its own name, province). Empty (falsy) when
    the document fits.

    Years: the title's years decide when it names any ("Dự toán năm 2026"), else the rest of the
    document's (a document naming no year fits any). Phases: a later one ("giai đoạn 2") than the
    document names (none: the first) is another. Names: two or more capitalised words the
    question gives ("cầu Khe Nước"), checked in sequence as typed (has_name). Objects: a procedure,
    benefit, fee or work the document is not about while it is about a sibling (qa/subjects.py).
    """
    fields = list(texts)
    body = "\n".join(fields)
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
        typed = (typed_name(question, name) or list(name))[lead:]
        if not (has_name(ours, distinctive, typed) or has_name(words, distinctive, typed)):
            missing.append(" ".join(distinctive))
    later = tuple(sorted(p for p in phases(question) - phases(f"{title}\n{body}") if p > 1))
    # the source (a decision "về việc …") names the legal basis, often wider than the document
    objects = sibling(question, title, fields[0] if fields else "", fields[1:3])
    return Mismatch(other_years, later, tuple(missing), objects)


def _topic_words(question: str, own: Iterable[str]) -> set[str]:
    """The question's folded words that say what it is about: no question words ("khi nào", "bao
    giờ"), glue, administrative words ("xã", "thôn") or the commune's own name."""
    folded = [w for w, _, _ in words_of(question)]
    asking = covered(folded, (*WHEN_PHRASES, *GLUE_PHRASES))
    ours = {w for w, _, _ in words_of(" ".join(own))}
    return {
        w
        for w, glue in zip(folded, asking, strict=True)
        if not glue and w not in STOPWORDS and w not in GENERIC and w not in ours and not w.isdigit()
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
    held = {w for text in fields for w, _, _ in words_of(text)}
    return bool(topic & held)
