"""What a passage is scored by: the question's words by rarity, the marks typed, the answer kinds.

A block of a document answers by the resident's own words it holds. Three things keep that honest:
- words of the question already in the title chose the document and count little in choosing
  where the answer is;
- a phrase the synonym list added counts as a phrase ("kinh phí" for "tiền"), never by its single
  syllables ("kinh" in "sự nghiệp kinh tế" is not money);
- where the resident typed marks, a syllable written with other marks is another word ("mất tiền"
  is not "có mặt"): it counts a little, as a typed tone can be a typo.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qa.lexicon import alternatives, marks
from qa.query import Query
from qa.query_words import ANSWER_KINDS, STOPWORDS, pairs
from qa.vntext import fold, syllables

TITLE_TERM_WEIGHT = 0.1
NAME_PASSAGE_WEIGHT = 3.0  # a place named in the question but not in the title marks the passage
PASSAGE_SYNONYM_WEIGHT = 0.3  # phrases the synonym list added count this much towards a passage
OTHER_MARKS_WEIGHT = 0.1  # a syllable typed with marks, found in the block only with other marks
# what "bao nhiêu ..." / "mấy ..." counts when it asks for a number of things, not an amount
# "mỗi hộ bao nhiêu", "1 ha được bao nhiêu": an amount per unit, written "đồng/hộ", "(đồng/ha)"
PER_UNITS = ("ho", "nguoi", "khau", "thang", "nam", "ha", "m", "m2", "lo", "chiec", "suat", "ngay")
PER_SAID = ("moi", "1", "mot")  # "mỗi hộ", "1 ha", "một mét"
# a unit as residents say it -> as documents write it after "/" ("mỗi nhà": "đồng/hộ"; "một mét":
# "đồng/m²")
UNITS_SAID: dict[str, tuple[str, ...]] = {
    "nha": ("ho",),
    "met": ("m", "m2", "m²"),
    "m": ("m", "m2", "m²"),
    "m2": ("m2", "m²"),
    "ng": ("nguoi",),
}
# "tên là gì", "tên mới gọi là gì": a name is asked, as "tên gì" (qa/query_words.py: "who")
NAME_ASKED = frozenset({"ten_la", "ten_goi", "goi_la", "ten_gi"})
# "ngày mấy", "tháng mấy": a date asked ("mấy ngày" is a duration)
DATE_ASKED = frozenset({"ngay_may", "thang_may", "hom_may"})
ANY_UNIT = "*"  # an amount per a unit not known: any "đồng/..." answers
MONEY_WORDS = ("tien", "nhieu", "phi", "gia")  # "mấy tiền một ...", "bao nhiêu một ..."
# first consonants residents type one for the other ("làm song chưa" for "làm xong chưa")
SOUND_ALIKE = (("s", "x"), ("x", "s"), ("tr", "ch"), ("ch", "tr"))
COUNT_UNITS = ("ho", "nguoi", "suat", "lo", "chiec", "con", "tre", "em", "xa", "thon", "ap", "xom", "cai")

# What an answer of each kind looks like in a passage (see qa/query_words.py ANSWER_KINDS).
ANSWER_PATTERNS: dict[str, re.Pattern[str]] = {
    "money": re.compile(
        r"\d[\d.,]*\s*(?:đồng|triệu|tỷ|nghìn|ngàn|đ\b)|miễn|không thu|không phải đóng"
        r"|\((?:triệu |nghìn |ngàn )?đồng\b"  # a table whose header gives the unit: "Mức (đồng/hộ)"
        r"|\b\d{1,3}(?:\.\d{3}){2,}\b",  # 1.000.000 and more: an amount in đồng
        re.IGNORECASE,
    ),
    "date": re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày \d|\btháng \d|\bquý [1-4IV]", re.IGNORECASE),
    "time": re.compile(r"\b\d{1,2}\s*(?:giờ|h\d|:\d\d)", re.IGNORECASE),
    "duration": re.compile(r"\b\d+\s*(?:ngày|tháng|tuần|năm)\b|ngay trong ngày", re.IGNORECASE),
    "length": re.compile(r"\d[\d.,]*\s*(?:m\b|km\b|m2|m²|ha\b|mét)|\((?:m|km|m2|m²|ha)\)", re.IGNORECASE),
    "percent": re.compile(r"\d[\d.,]*\s*%"),
    "who": re.compile(
        r"\b(?:Công ty|Ông|Bà|Đồng chí|Liên danh|Hợp tác xã|[A-ZĐ][a-zà-ỹ]+ [A-ZĐ][a-zà-ỹ]+ [A-ZĐ])"
    ),
    # "tên là gì", "gọi là gì": a proper name of three words, or a name given ("tên dự kiến là
    # thôn Thọ Lễ", "đặt tên", "sáp nhập thành thôn X")
    "name": re.compile(
        r"\b(?:[A-ZĐ][a-zà-ỹ]+ [A-ZĐ][a-zà-ỹ]+ [A-ZĐ])|\btên (?:[^.;\n]{0,20} )?là\b|\btên gọi\b"
        r"|\b(?:đặt|lấy|mang) tên\b|\bthành (?:thôn|xóm|ấp|làng|bản|buôn|tổ dân phố) [A-ZĐ]"
    ),
    "status": re.compile(
        r"\b(?:đã|chưa) (?:hoàn thành|xong|nghiệm thu|được nghiệm thu|bàn giao|đưa vào sử dụng|khởi công)"
        r"|\bđang (?:thi công|triển khai)",
        re.IGNORECASE,
    ),
    "place": re.compile(
        r"\b(?:tại|địa điểm|điểm|nơi)\b|nhà văn hóa|hội trường|trụ sở|bưu điện", re.IGNORECASE
    ),
    "count": re.compile(r"\d"),
    "counted": re.compile(r"\d"),  # "bao nhiêu hộ": a number of things, as precise as a date
    "total": re.compile(r"^\|\s*(?:\*\*)?\s*(?:tổng|cộng|toàn)\b|\btổng (?:số|cộng)\b", re.I | re.M),
}
_SEGMENTS = re.compile(r"[|\n,;:.()]")


@dataclass(frozen=True)
class Asked:
    """The question as a passage sees it: weighted terms, the marks typed, the kinds of answer."""

    weight: dict[str, float]  # term -> its weight towards a passage
    own: frozenset[str]  # the resident's own words not in the title: what the passage must answer
    in_title: frozenset[str]  # terms of the title: they chose the document, not the passage
    phrases: frozenset[str]  # terms of the phrases the synonym list added
    typed_marks: dict[str, frozenset[str]]  # folded syllable -> the marks the resident typed on it
    kinds: frozenset[str]  # answer kinds asked, "count" only when nothing more precise is
    # lone syllables of a listed word the document never writes ("chính" of "địa chính"): in a
    # table they pick no row ("tài chính", "hành chính" are other words)
    halves: frozenset[str] = frozenset()
    # units an amount is asked per ("mỗi hộ": "ho"); a text holding "/hộ" answers the kind "per"
    per: frozenset[str] = frozenset()

    def held(self, text: str) -> dict[str, float]:
        """The asked terms a text holds, each with its weight as written there."""
        found: dict[str, set[str]] = {}
        terms: list[str] = []
        for segment in _SEGMENTS.split(text):  # no pair across a table cell or a line
            folded = []
            for syllable in syllables(segment):
                letters, tone = marks(syllable)
                found.setdefault(letters, set()).add(tone)
                folded.append(letters)
            terms += folded + pairs(folded)

        def factor(term: str) -> float:
            out = 1.0
            for part in term.split("_"):
                typed = self.typed_marks.get(part)
                if typed and not typed & found.get(part, set()):
                    out *= OTHER_MARKS_WEIGHT
            return out

        return {t: self.weight[t] * factor(t) for t in dict.fromkeys(terms) if self.weight.get(t, 0.0) > 0}

    def score(self, text: str) -> float:
        return sum(self.held(text).values())

    def answers(self, text: str) -> frozenset[str]:
        """The kinds of answer asked for that the text holds (an amount, a date...)."""
        found = {k for k in self.kinds - {"per"} if ANSWER_PATTERNS[k].search(text)}
        # "đồng/hộ", "(đồng/m²)", or "mỗi m² ... 268.500 đồng"
        units = "|".join(u for u in self.per if u != ANY_UNIT)
        per = rf"/\s*(?:{units})(?![a-z0-9])|\bmoi\s+(?:{units})(?![a-z0-9])[^.;\n]*?\d"
        if ANY_UNIT in self.per:  # "mỗi nhà", "một mét": the unit is a stopword, any unit price
            per = r"(?:dong|trieu|nghin|ngan|ty)\s*/\s*[a-z]"
        if self.per and re.search(per, fold(text)):
            found.add("per")
        return frozenset(found)


def asked(query: Query, idf: dict[str, float], title: str, body: str = "") -> Asked:
    """Weigh the question's terms for choosing a passage of the document titled `title`.

    Where the resident wrote a word the synonym list knows and the document (`body` and title)
    never holds ("địa chính"), its syllables alone are other words there ("tài chính", "hành
    chính"): a table's rows are picked by its synonyms only ("đất đai"), `Asked.halves`."""
    in_title = set(text_terms(title))
    names = query.name_terms
    phrases = {
        term
        for phrase in alternatives(query.stand_ins)
        for term in (phrase if len(phrase) == 1 else pairs(list(phrase)))
    }
    weight = {
        t: w
        * idf.get(t, 0.0)
        * (TITLE_TERM_WEIGHT if t in in_title else NAME_PASSAGE_WEIGHT if t in names else 1.0)
        * (1.0 if t in query.core else PASSAGE_SYNONYM_WEIGHT)
        for t, w in query.terms.items()
        if t in query.core or t in phrases
    }
    halves = _halves(query, in_title | set(text_terms(body))) if body else frozenset()
    typed: dict[str, set[str]] = {}
    for word in query.marked:
        letters, tone = marks(word)
        typed.setdefault(letters, set()).add(tone)
    # a question phrase typed with a sound-alike consonant ("làm song chưa") asks as the phrase
    # does; its misheard syllable is no topic ("song chắn rác" holds no answer)
    misheard, misheard_kinds = _misheard(query, idf)
    weight = {t: w for t, w in weight.items() if not misheard.intersection(t.split("_"))}
    kinds = query.answer_kinds | misheard_kinds
    if NAME_ASKED & query.core.keys():  # not "sang tên" alone: "tên là", "gọi là", "tên gì"
        kinds |= {"name"}
    if DATE_ASKED & query.core.keys():
        kinds |= {"date"}
    # "bao nhiêu hộ" counts households even beside "góp tiền"; a bare "bao nhiêu" beside an
    # amount, a date or a length asks for that
    counted = any(f"{ask}_{unit}" in query.core for ask in ("nhieu", "may") for unit in COUNT_UNITS)
    if counted:
        kinds = kinds - {"count"} | {"counted"}
    elif kinds - {"count"}:
        kinds = kinds - {"count"}
    per = (
        frozenset(
            written
            for said in (*PER_UNITS, *UNITS_SAID)
            if any(f"{each}_{said}" in query.core for each in PER_SAID)
            for written in UNITS_SAID.get(said, (said,))
        )
        if kinds & {"money", "count"}
        else frozenset()
    )
    # "mỗi nhà", "mấy tiền một mét": a unit the question's terms do not keep (a stopword)
    if not per and kinds & {"money", "count"} and _per_said(query):
        per = frozenset({ANY_UNIT})
    if per:
        kinds |= {"per"}
    # a pair of two of the title's words, with the marks typed, is the title's too ("ngân sách xã
    # năm" in "ngân sách xã X năm"; "đồng ý" is not in "đóng góp ... ý kiến")
    titled: dict[str, set[str]] = {}
    for syllable in syllables(title):
        letters, tone = marks(syllable)
        titled.setdefault(letters, set()).add(tone)

    def in_the_title(part: str) -> bool:
        return part in titled and typed.get(part, set()) <= titled[part]

    in_title |= {t for t in weight if "_" in t and all(in_the_title(p) for p in t.split("_"))}
    own = frozenset(t for t in query.core if t not in in_title and weight.get(t, 0.0) > 0)
    # a question asking nothing but the title with a word that carries no topic ("thủ tục xin giấy
    # phép xây dựng" of "Thủ tục cấp giấy phép xây dựng") asks for the document: its opening
    if not kinds and all(_adds_nothing(t, in_the_title) for t in own):
        own = frozenset()
    return Asked(
        weight,
        own,
        frozenset(in_title),
        frozenset(phrases),
        {k: frozenset(v) for k, v in typed.items()},
        kinds,
        halves,
        per,
    )


def _adds_nothing(term: str, in_the_title: Callable[[str], bool]) -> bool:
    """A pair of a title's word and a word that carries no topic ("xin giấy")."""
    parts = term.split("_")
    return (
        len(parts) > 1
        and any(in_the_title(p) for p in parts)
        and all(in_the_title(p) or p in STOPWORDS for p in parts)
    )


def _per_said(query: Query) -> bool:
    """Whether "mỗi" or "một" is typed before a word carrying no topic ("mỗi nhà", "một mét"), or
    unmarked after a money word ("tien mot met")."""
    if any(t.split("_")[0] in PER_SAID for t in query.core if "_" in t):
        return False  # "mỗi héc ta": a unit said the lists do not know, not "any unit"
    return bool({"mỗi", "một"} & query.marked) or any(
        f"{money}_{each}" in query.core for money in MONEY_WORDS for each in PER_SAID
    )


def _misheard(query: Query, idf: dict[str, float]) -> tuple[frozenset[str], frozenset[str]]:
    """Syllables of the question that are a question phrase typed with a sound-alike first
    consonant ("song" of "làm song chưa") and with no neighbour in a pair the documents write
    ("trợ nào" is not "chỗ nào": "hỗ trợ" is written), and the kinds of answer those phrases ask."""
    syllables_: set[str] = set()
    kinds: set[str] = set()
    for kind, phrases in ANSWER_KINDS.items():
        for phrase in phrases:
            for i, syllable in enumerate(phrase):
                if len(phrase) < 2 or syllable in query.core:
                    continue
                for said, meant in SOUND_ALIKE:
                    if not syllable.startswith(meant):
                        continue
                    typed = said + syllable[len(meant) :]
                    variant = [*phrase[:i], typed, *phrase[i + 1 :]]
                    if (
                        typed in query.core
                        and all(p in query.core for p in pairs(variant))
                        and not _in_a_known_pair(typed, query, idf)
                    ):
                        syllables_.add(typed)
                        kinds.add(kind)
    return frozenset(syllables_), frozenset(kinds)


def _in_a_known_pair(syllable: str, query: Query, idf: dict[str, float]) -> bool:
    """Whether the question pairs the syllable with a neighbour as the documents write it."""
    return any(idf.get(t, 0.0) > 0 for t in query.core if "_" in t and syllable in t.split("_"))


def _halves(query: Query, held: set[str]) -> frozenset[str]:
    """The lone syllables of the listed words of the question the document lacks (none of their
    pairs in `held`), unless a pair the document has holds that syllable too."""
    kept = {part for pair in query.topic_pairs & held for part in pair.split("_")}
    halves: set[str] = set()
    for phrase, _ in query.stand_ins:
        twins = pairs(list(phrase))  # a phrase of topic words only: not "dài bao nhiêu", "ai phụ trách"
        if len(phrase) > 1 and query.topic_pairs.issuperset(twins) and not held.intersection(twins):
            halves |= set(phrase) - kept
    return frozenset(halves & set(query.core))


def text_terms(text: str) -> list[str]:
    """The folded syllables of a text and their pairs, as the index holds them."""
    folded = [fold(s) for s in syllables(text)]
    return folded + pairs(folded)
