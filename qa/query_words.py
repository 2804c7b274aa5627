"""The words of a question that carry no topic, and the phrases that say what kind of answer it wants.

Folded syllables unless said otherwise; used by the analyser (qa/query.py) and the ranking.
"""

from __future__ import annotations

import itertools
import re

from qa.vntext import fold

YEAR_RE = re.compile(r"^(19|20)\d\d$")

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
RELATIVE_YEAR_SYLLABLES = {
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
            "dong bao nhieu",
            "dong gop",
            "gop tien",
            "tra bao nhieu",
            "thu bao nhieu",
            "chi bao nhieu",
            "duoc ho tro",
            "ho tro bao nhieu",
            "den bao nhieu",
            "boi thuong bao nhieu",
            "ket du",
            "du bao nhieu",
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
            "xong chua",
            "bao gio xong",
        ),
        "time": ("may gio", "gio lam viec", "gio nao", "buoi nao"),
        "length": (
            "dai bao nhieu",
            "rong bao nhieu",
            "bao nhieu met",
            "bao nhieu m",  # "mét vuông" typed, "m2" after shorthand
            "bao nhieu km",
            "dien tich",
            "bao nhieu ha",
        ),
        "percent": ("phan tram", "bao nhieu %", "ty le", "den dau", "toi dau", "tien do"),
        "duration": ("may ngay", "bao nhieu ngay", "bao lau", "may thang", "mat bao lau"),
        "total": ("tong cong", "tat ca", "toan xa", "ca xa", "tong so", "tong thu", "tong chi"),
        "who": ("ai", "cong ty nao", "nha thau nao", "don vi nao", "ten gi", "nguoi nao"),
        "status": ("xong chua", "hoan thanh chua", "lam xong chua", "da xong", "xong het chua"),
        "place": ("o dau", "cho nao", "dia diem", "noi nao", "tai dau", "o mo", "dau vay"),
        "count": ("bao nhieu", "may", "bao nhiu", "bao nheu"),
    }.items()
}


def pairs(tokens: list[str]) -> list[str]:
    """Adjacent syllable pairs, skipping pairs of two words that carry no topic."""
    return [f"{a}_{b}" for a, b in itertools.pairwise(tokens) if not (a in STOPWORDS and b in STOPWORDS)]


def typed_with_marks(typed: list[str]) -> bool:
    """Whether the resident types with tone and vowel marks (then an unmarked "thi" is not "thì")."""
    words = [t for t in typed if not t.isdigit()]
    return bool(words) and sum(t != fold(t) for t in words) >= MARKED_QUESTION_SHARE * len(words)


def stopword_flags(tokens: list[str], with_marks: bool) -> list[bool]:
    """Which tokens carry no topic: by their marked form when the question has marks."""
    if with_marks:
        return [t in MARKED_STOPWORDS for t in tokens]
    return [fold(t) in STOPWORDS for t in tokens]
