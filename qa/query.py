"""Turn a resident's question into weighted search terms: shorthand, typos, synonyms, marks."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from qa.lexicon import Lexicon, alternatives
from qa.lexicon import contains as _contains
from qa.vntext import fold, syllables

_WORD_RE = re.compile(r"\w+(?:-\w+)*")
_YEAR_RE = re.compile(r"^(19|20)\d\d$")
_SENTENCE_END = frozenset(".?!\n:;")

# Words that carry no topic in a question, with their marks: question words, particles, pronouns,
# glue. A question typed with marks is matched on the marked form, so "thẻ" (a card) is not "thế",
# "chó" not "cho", "đền" (compensate) not "đến", "hội" (association) not "hỏi", "chi" (spend) not
# "chị", "vay" (borrow) not "vậy". A question typed without marks can only be matched folded.
MARKED_STOPWORDS: frozenset[str] = frozenset(
    """a à á ạ ah ad bạn cho của có không là gì thế nào như nhiêu nhiều bao tôi mình em anh chị ơi
    nhé vậy và với được ở tại thì mà để đến này nay đó do những các một xin hỏi xem biết muốn cần về
    trong ra vào lên khi đâu sao rồi mọi người nhà ai ư ừ hả nhỉ thường hay phải làm ấy kia đây mấy
    hôm hằng hàng chưa đã sẽ đang cũng ông bà dạ vâng nhỉ nữa lắm rất bị cả mỗi mới chồng vợ đi
    m m2 km mét""".split()
)
STOPWORDS: frozenset[str] = frozenset(fold(w) for w in MARKED_STOPWORDS)  # folded forms
MARKED_QUESTION_SHARE = 1 / 3  # a question with at least this share of marked syllables is typed with marks


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    """Phrases written as space-separated folded syllables, as syllable tuples."""
    return tuple(tuple(text.split()) for text in texts)


# Question phrases asking for a date or time (folded syllables).
WHEN_PHRASES = _phrases(
    "khi nao",
    "bao gio",
    "hom nao",
    "ngay nao",
    "buoi nao",
    "may gio",
    "thu may",
    "lich",
    "luc nao",
    "vao ngay",
    "thoi gian nao",
)
# Question phrases whose words are topic words elsewhere ("giờ làm việc", "tổ chức bộ máy", "ngày
# 25"): glue in a question ("tổ chức ngày nào?"), not what it is about (folded syllables).
GLUE_PHRASES = _phrases(
    "bao gio",
    "bao lau",
    "ra sao",
    "the nao",
    "to chuc",
    "dien ra",
    "ngay nao",
    "hom nao",
    "buoi nao",
    "luc nao",
    "thoi gian nao",
)
# Years said relative to today (offset from this year). "Năm ngoái" is as good as typing the year:
# it names it. "Năm nay" is often said in passing, so it only prefers this year's documents. Typed
# with marks, the marks must be these ("năm sáu" is "five or six", "năm tôi" is not "năm tới").
RELATIVE_YEARS: dict[str, int] = {
    "năm ngoái": -1,
    "năm trước": -1,
    "năm rồi": -1,
    "năm nay": 0,
    "năm sau": 1,
    "năm tới": 1,
}
_RELATIVE_YEARS = {
    tuple(fold(s) for s in k.split()): (tuple(k.split()), v) for k, v in RELATIVE_YEARS.items()
}
# What kind of answer a question asks for, from its question phrases (folded syllables): the
# passage quoted should hold one ("bao nhiêu tiền": an amount of money; "ai làm": a name).
ANSWER_KINDS: dict[str, tuple[tuple[str, ...], ...]] = {
    kind: _phrases(*phrases)
    for kind, phrases in {
        "money": (
            "bao nhieu tien",
            "mat bao nhieu",
            "het bao nhieu",
            "ton bao nhieu",
            "le phi",
            "phi",
            "muc thu",
            "muc dong",
            "muc ho tro",
            "gia",
            "kinh phi",
            "bao nhieu dong",
            "may tram",
            "may trieu",
            "bao nhieu trieu",
            "duoc bao nhieu",
            "tien",
        ),
        "date": (
            "khi nao",
            "bao gio",
            "ngay nao",
            "hom nao",
            "luc nao",
            "thang nao",
            "nam nao",
            "thoi han",
            "han chot",
            "den bao gio",
            "tu ngay",
            "lich",
        ),
        "time": ("may gio", "gio lam viec", "gio nao", "buoi nao"),
        "length": (
            "dai bao nhieu",
            "rong bao nhieu",
            "bao nhieu met",
            "bao nhieu km",
            "dien tich",
            "bao nhieu ha",
        ),
        "percent": ("phan tram", "bao nhieu %", "ty le"),
        "who": ("ai", "cong ty nao", "nha thau nao", "don vi nao", "ten gi", "nguoi nao"),
        "count": ("bao nhieu", "may"),
    }.items()
}
CORRECTED_WEIGHT = 0.8  # a syllable we had to guess from a typo
SYNONYM_WEIGHT = 0.6  # a phrase added from the synonym list
MIN_TYPO_LENGTH = 3


@dataclass(frozen=True)
class Query:
    """Weighted folded terms (syllables and syllable pairs) and the exact marked forms typed."""

    terms: dict[str, float]
    core: dict[str, float]  # terms from the resident's own words (confidence is measured on these)
    marked: frozenset[str]
    names: tuple[tuple[str, ...], ...] = ()  # places, bodies, years the answer must mention
    asks_when: bool = False  # "khi nào", "hôm nào", "mấy giờ": a schedule answers best
    topic_pairs: frozenset[str] = frozenset()  # pairs of two topic words (not numbers) of the question
    # phrases of the question with the synonyms that may stand in for them in a document
    stand_ins: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = ()
    this_year: str | None = None  # "năm nay" said: this year's documents are preferred
    off_topic: tuple[tuple[str, ...], ...] = ()  # topics the commune does not publish about, named
    answer_kinds: frozenset[str] = frozenset()  # what the answer is: "money", "date", "who"... (ANSWER_KINDS)

    @cached_property
    def marked_forms(self) -> dict[str, frozenset[str]]:
        """Folded syllable -> every marked form typed for it ("cụ thể như thế nào": "the" twice)."""
        forms: dict[str, set[str]] = {}
        for word in self.marked:
            forms.setdefault(fold(word), set()).add(word)
        return {folded: frozenset(words) for folded, words in forms.items()}

    @property
    def name_terms(self) -> frozenset[str]:
        """The syllables and pairs of the names: checked as names, not counted as topic words."""
        return frozenset(
            [s for name in self.names for s in name]
            + [f"{a}_{b}" for name in self.names for a, b in itertools.pairwise(name)]
        )

    @property
    def years(self) -> list[str]:
        """The years asked about: typed, said relative to today, or "năm nay"."""
        named = [name[0] for name in self.names if len(name) == 1 and _YEAR_RE.match(name[0])]
        return named or ([self.this_year] if self.this_year else [])


def pairs(tokens: list[str]) -> list[str]:
    """Adjacent syllable pairs, skipping pairs of two words that carry no topic."""
    return [f"{a}_{b}" for a, b in itertools.pairwise(tokens) if not (a in STOPWORDS and b in STOPWORDS)]


class Analyzer:
    """Knows the index vocabulary, so typos can be mapped to words the documents really use."""

    def __init__(self, lexicon: Lexicon, vocabulary: dict[str, int], pair_vocabulary: set[str]) -> None:
        self._lexicon = lexicon
        self._vocab = vocabulary  # folded syllable -> document frequency
        self._vocab_list = [w for w in vocabulary if len(w) >= MIN_TYPO_LENGTH - 1]
        self._pairs = pair_vocabulary

    def analyze(self, question: str, today: date | None = None) -> Query:
        """The weighted terms of a question; `today` resolves "năm ngoái", "năm nay"."""
        typed = syllables(question)
        tokens = self._lexicon.expand_shorthand(typed)
        marked = frozenset(t for t in tokens if t != fold(t))
        folded = [fold(t) for t in tokens]
        stop = stopword_flags(tokens, typed_with_marks(typed))
        for phrase in GLUE_PHRASES:
            for i in range(len(folded) - len(phrase) + 1):
                if tuple(folded[i : i + len(phrase)]) == phrase:
                    stop[i : i + len(phrase)] = [True] * len(phrase)
        said_years, this_year = relative_years(tokens, stop, today)
        weights = [1.0] * len(folded)
        corrected: dict[str, str] = {}
        for i, token in enumerate(folded):
            if token in self._vocab or stop[i] or token.isdigit() or len(token) < MIN_TYPO_LENGTH:
                continue
            fixed = self._correct(
                token, folded[i - 1] if i else "", folded[i + 1] if i + 1 < len(folded) else ""
            )
            if fixed:
                folded[i], weights[i] = fixed, CORRECTED_WEIGHT
                corrected[token] = fixed
        core: dict[str, float] = {}
        for token, weight, is_stop in zip(folded, weights, stop, strict=True):
            if not is_stop:
                core[token] = max(core.get(token, 0.0), weight)
        for pair in pairs(folded):
            core.setdefault(pair, 1.0)
        topic = [not (is_stop or token.isdigit()) for token, is_stop in zip(folded, stop, strict=True)]
        topic_pairs = frozenset(
            f"{folded[i]}_{folded[i + 1]}" for i in range(len(folded) - 1) if topic[i] and topic[i + 1]
        )
        terms = dict(core)
        # the marks typed, where the syllable was not replaced by a typo correction
        spelled = [t if fold(t) == f else f for t, f in zip(tokens, folded, strict=True)]
        stand_ins = tuple(self._lexicon.stand_ins(folded, spelled))
        for phrase in alternatives(stand_ins):
            words = list(phrase)
            for term in [w for w in words if w not in STOPWORDS] + pairs(words):
                terms[term] = max(terms.get(term, 0.0), SYNONYM_WEIGHT)
        when = any(_contains(folded, phrase) for phrase in WHEN_PHRASES)
        return Query(
            terms=terms,
            core=core,
            marked=marked,
            # a name typed with a typo ("Bàu Xen") is checked as corrected ("Bàu Sen")
            names=tuple(
                dict.fromkeys(
                    [tuple(corrected.get(s, s) for s in name) for name in named_things(question)]
                    + [(year,) for year in said_years]
                )
            ),
            asks_when=when,
            topic_pairs=topic_pairs,
            stand_ins=stand_ins,
            this_year=this_year,
            off_topic=tuple(self._lexicon.off_topic(folded, spelled)),
            answer_kinds=frozenset(
                kind for kind, phrases in ANSWER_KINDS.items() if any(_contains(folded, p) for p in phrases)
            ),
        )

    def _correct(self, token: str, before: str, after: str) -> str | None:
        """The closest known syllable (one edit away) that fits its neighbours, if any."""
        found = process.extract(token, self._vocab_list, scorer=Levenshtein.distance, score_cutoff=1, limit=8)
        if not found:
            return None

        def fit(candidate: str) -> tuple[int, int]:
            context = (f"{before}_{candidate}" in self._pairs) + (f"{candidate}_{after}" in self._pairs)
            return context, self._vocab.get(candidate, 0)

        best = max((c for c, _, _ in found), key=fit)
        # A syllable has many others one edit away ("sai" -> "tai", "khích" -> "khách"): guess only
        # when the guess forms a word the documents use with the next or previous syllable ("ngân
        # xách" -> "sách"). Guessing without that support cost more than it gained on both communes.
        if fit(best)[0] == 0:
            return None
        return best


def relative_years(tokens: list[str], stop: list[bool], today: date | None) -> tuple[list[str], str | None]:
    """Years said relative to today ("năm ngoái": last year), and this year if "năm nay" is said.

    The phrase's words become glue (`stop`): the year they stand for is what is looked for.
    """
    if today is None:
        return [], None
    said: list[str] = []
    this_year = None
    for i in range(len(tokens) - 1):
        found = _RELATIVE_YEARS.get((fold(tokens[i]), fold(tokens[i + 1])))
        if found is None:
            continue
        spelled, offset = found
        if any(t != fold(t) and t != w for t, w in zip(tokens[i : i + 2], spelled, strict=True)):
            continue  # typed with other marks: another phrase
        if offset:
            said.append(str(today.year + offset))
        else:
            this_year = str(today.year)
        stop[i] = stop[i + 1] = True
    return said, this_year


def typed_with_marks(typed: list[str]) -> bool:
    """Whether the resident types with tone and vowel marks (then an unmarked "thi" is not "thì")."""
    words = [t for t in typed if not t.isdigit()]
    return bool(words) and sum(t != fold(t) for t in words) >= MARKED_QUESTION_SHARE * len(words)


def stopword_flags(tokens: list[str], with_marks: bool) -> list[bool]:
    """Which tokens carry no topic: by their marked form when the question has marks."""
    if with_marks:
        return [t in MARKED_STOPWORDS for t in tokens]
    return [fold(t) in STOPWORDS for t in tokens]


def named_things(question: str) -> tuple[tuple[str, ...], ...]:
    """Proper names (two or more capitalised syllables, acronyms, codes) and years, folded.

    A question that names a place, a body or a year the best document never mentions ("Đồng Sau",
    "THCS", "2024") asks about something else, however many other words match.
    """
    names: list[tuple[str, ...]] = []
    run: list[str] = []
    run_opens_sentence = False

    def close() -> None:
        # One capitalised word is too often a title ("Chủ tịch") or a sentence start to count; a
        # longer run that opens a sentence may start with a common word ("Đường Nặm Đíp").
        words = run[1:] if run_opens_sentence and len(run) > 2 else run
        if len(words) > 1:
            names.append(tuple(fold(s) for w in words for s in syllables(w)))
        run.clear()

    text = unicodedata.normalize("NFC", question)
    end = 0
    for match in _WORD_RE.finditer(text):
        word = match.group()
        gap = text[end : match.start()]
        opens_sentence = end == 0 or any(ch in _SENTENCE_END for ch in gap)
        end = match.end()
        if gap.strip():  # punctuation between two names ("Nặm Đíp – Khau Phiêng") parts them
            close()
        if not run:
            run_opens_sentence = opens_sentence
        if _YEAR_RE.match(word):
            close()
            names.append((word,))
        elif word.isupper() and len(word) > 1 and not run:
            names.append(tuple(fold(s) for s in syllables(word)))
        elif word[0].isupper():
            run.append(word)
        else:
            close()
    close()
    return tuple(dict.fromkeys(names))
