"""Hide what identifies a filer in text others will read (Luật Tố cáo Art. 8(3), 47). Pure.

What is hidden: the filer's own name (as given at the consent step; any case, with or without
diacritics), self-introductions ("Tôi tên X", "Mình là X", "Người tố cáo: X", "X (ĐT: …)"),
phone numbers, e-mails and ID numbers. Ordinary words stay: after "tôi là" only a capitalised
name (1-4 syllables) is taken, so "tôi là người dân thôn Gò Dưa" is left alone; only in text
typed without diacritics and capitals ("toi la teo") are the next lowercase words taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NAME_MARK = "[tên]"
MAX_NAME_WORDS = 4

_PHONE = re.compile(r"(?:\+?84|0)(?:[\s.-]?\d){8,10}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_ID_NUMBER = re.compile(r"\b\d{9,12}\b")
_CITIZEN_ID = re.compile(r"\b\d{12}\b")  # CCCD: before phones, which it would look like
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)

# Matched on folded text (no marks, lowercase; same length as the original).
_INTRO = re.compile(
    r"(?<!\w)(?:"
    r"(?:toi|minh|em|con|chau) ten(?: la)?|ten (?:cua )?(?:toi|minh|em|con|chau)(?: la)?|ten la|"
    r"(?:toi|minh|em|con|chau) la"
    r")(?!\w)"
)
_INTRO_COMMA = re.compile(r"(?<!\w)(?:toi|chung toi|em|chau|con)\s*,[ \t]*")  # "Tôi, Nguyễn Văn A, trú tại…"
_LABEL = re.compile(
    r"(?<!\w)(?:ho (?:va )?ten|nguoi (?:to cao|viet|gui|lam don|phan anh|kien nghi|khieu nai|bao tin)"
    r"|ky ten|ky va ghi ro ho ten|ten|ten nguoi (?:to cao|gui|viet|lam don|phan anh|kien nghi|khieu nai))"
    r"\s*[:\-][ \t]*"
)
_PHONE_LABEL = re.compile(r"(?:\s*[(\-,]\s*|\s+)(?:s\.?\s?d\.?\s?t|d\.?\s?t|dien thoai|so dien thoai)(?!\w)")

HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "cô", "chú", "bác", "cụ", "em"})
# Capitalised words that start a title or a description, not a name ("Tôi là Trưởng thôn").
NOT_NAME_CAPITALISED = frozenset(
    {"người", "chủ", "trưởng", "phó", "bí", "cán", "công", "học", "giáo", "nông", "đảng", "hội", "tổ"}
    | {"ban", "thôn", "xã", "cựu", "đại", "thương", "cư", "hộ", "gia", "nhân", "một", "là", "tên"}
)
# Folded surnames: a lowercase name may start with any of these even if it is also a common word.
SURNAMES = frozenset(
    {"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho"}
    | {"ngo", "duong", "ly", "truong", "to", "chu", "ha", "dinh", "mai", "lam", "cao", "luu", "trinh"}
    | {"doan", "la", "quach", "ta", "kieu", "thai", "tang", "trieu", "luong", "lai", "tong", "nong"}
)
# Folded words that never begin a name typed in lowercase ("toi la nguoi dan", "toi la ba con").
NOT_NAME_LOWER = frozenset(
    {"nguoi", "dan", "cong", "can", "hoc", "sinh", "giao", "cu", "mot", "bo", "me", "chong", "con"}
    | {"pho", "bi", "hoi", "ban", "thuong", "nhan", "chi", "anh", "em", "chau", "ong", "ba", "khach"}
)
# Folded words that end a lowercase name ("toi la teo o thon 3", "goi cho toi sdt …").
NAME_STOP = frozenset(
    {"o", "tai", "thon", "xa", "xom", "nha", "song", "dang", "co", "bi", "muon", "xin", "to", "phan"}
    | {"khieu", "kien", "bao", "va", "la", "de", "nay", "day", "hien", "gui", "viet", "ve", "voi"}
    | {"cua", "sdt", "dt", "so", "dien", "email", "mail", "tuoi", "sinh", "tru", "lam", "toi", "minh"}
    | {"cho", "goi", "lien", "he", "theo", "qua", "nhan", "anh", "chi", "ong", "ba", "em", "chau", "con"}
    | {"can", "bo", "nguoi", "dan", "cong", "an", "ne", "nhe", "ah", "u", "vay", "thi", "ma", "ten"}
)
_NOT_FIRST_LOWER = NOT_NAME_LOWER | (NAME_STOP - SURNAMES)


def fold(text: str) -> str:
    """Lowercase without marks, one character for one ("Đường Tèo" -> "duong teo")."""
    return "".join(_fold_char(ch) for ch in text)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str  # as written
    folded: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() and self.text.isalpha()

    @property
    def plain_lower(self) -> bool:
        """Typed without marks or capitals (a lowercase name is only guessed in such text)."""
        return self.text.isalpha() and self.text.isascii() and self.text.islower()


def _words(text: str, folded: str) -> list[_Word]:
    return [_Word(m.start(), m.end(), m.group(), folded[m.start() : m.end()]) for m in _WORD.finditer(text)]


def _joined(text: str, left: _Word, right: _Word) -> bool:
    """Two words of one phrase: only spaces or tabs between them."""
    return not text[left.end : right.start].strip(" \t")


def _run_after(text: str, words: list[_Word], pos: int) -> list[_Word]:
    """The words right after `pos`, up to punctuation or a line break (a phrase)."""
    following = [w for w in words if w.start >= pos]
    if not following or text[pos : following[0].start].strip(" \t"):
        return []
    run = [following[0]]
    for word in following[1:]:
        if not _joined(text, run[-1], word) or len(run) > MAX_NAME_WORDS:
            break
        run.append(word)
    return run


def _name_in(run: list[_Word]) -> list[_Word]:
    """The name a self-introduction gives: capitalised words, or plain lowercase ones."""
    if run and run[0].text.lower() in HONORIFICS and len(run) > 1:
        run = run[1:]
    if not run:
        return []
    if run[0].capitalised:
        if run[0].text.lower() in NOT_NAME_CAPITALISED:
            return []
        name = []
        for word in run[:MAX_NAME_WORDS]:
            if not word.capitalised or word.folded in ("sdt", "dt"):
                break
            name.append(word)
        return name
    if not run[0].plain_lower or run[0].folded in _NOT_FIRST_LOWER:
        return []
    name = [run[0]]
    for word in run[1:MAX_NAME_WORDS]:
        if not word.plain_lower or word.folded in NAME_STOP:
            break
        name.append(word)
    return name


def _label_value(run: list[_Word]) -> list[_Word]:
    """After "Người tố cáo:" whatever words follow are the name (any case)."""
    name = []
    for word in run[:MAX_NAME_WORDS]:
        if word.text.isdigit():
            break
        name.append(word)
    return name


def _name_before(text: str, words: list[_Word], pos: int) -> list[_Word]:
    """The name right before "(ĐT: …)": the capitalised words (or plain lowercase ones) ending there."""
    before = [w for w in words if w.end <= pos]
    if not before or text[before[-1].end : pos].strip(" \t"):
        return []
    name = [before[-1]]
    for word in reversed(before[:-1]):
        if len(name) >= MAX_NAME_WORDS or not _joined(text, word, name[0]):
            break
        name.insert(0, word)
    if name[-1].capitalised:
        caps: list[_Word] = []
        for word in reversed(name):
            if not word.capitalised:
                break
            caps.insert(0, word)
        while caps and caps[0].text.lower() in NOT_NAME_CAPITALISED:  # "Trưởng thôn" is not a name
            caps.pop(0)
        return caps
    tail: list[_Word] = []
    for word in reversed(name):
        if not word.plain_lower or word.folded in NAME_STOP:
            break
        tail.insert(0, word)
    return tail if tail and tail[0].folded not in _NOT_FIRST_LOWER else []


def _own_name_spans(words: list[_Word], names: Iterable[str]) -> list[tuple[int, int]]:
    """Where the filer's own name is written: the full name or its last 2+ syllables in any form;
    the given name alone only when capitalised (so "Hoa" goes but "hoa màu" stays)."""
    spans: list[tuple[int, int]] = []
    folded = [w.folded for w in words]
    for name in names:
        parts = fold(name).split()
        if not parts:
            continue
        tails = [parts[i:] for i in range(len(parts) - 1)] or [parts]
        for tail in [*tails, parts[-1:]]:
            size = len(tail)
            for i in range(len(words) - size + 1):
                if folded[i : i + size] != tail:
                    continue
                if size == 1 and not words[i].capitalised:
                    continue
                spans.append((words[i].start, words[i + size - 1].end))
    return spans


def name_spans(text: str, names: Iterable[str] = ()) -> list[tuple[int, int]]:
    """(start, end) of every name to hide in `text` (NFC), overlapping spans merged."""
    folded = fold(text)
    words = _words(text, folded)
    found = _own_name_spans(words, names)
    for match in _INTRO.finditer(folded):
        name = _name_in(_run_after(text, words, match.end()))
        if name:
            found.append((name[0].start, name[-1].end))
    for match in _INTRO_COMMA.finditer(folded):
        run = _run_after(text, words, match.end())
        name = _name_in(run) if run and run[0].capitalised else []
        if name:
            found.append((name[0].start, name[-1].end))
    for match in _LABEL.finditer(folded):
        name = _label_value(_run_after(text, words, match.end()))
        if name:
            found.append((name[0].start, name[-1].end))
    for match in _PHONE_LABEL.finditer(folded):
        name = _name_before(text, words, match.start())
        if name:
            found.append((name[0].start, name[-1].end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact_names(text: str, names: Iterable[str] = ()) -> str:
    """The text with the filer's name and self-introduced names replaced by "[tên]"."""
    text = unicodedata.normalize("NFC", text)
    clean = [unicodedata.normalize("NFC", n) for n in names if n and n.strip()]
    out, last = [], 0
    for start, end in name_spans(text, clean):
        out.append(text[last:start] + NAME_MARK)
        last = end
    return "".join(out) + text[last:]


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Hide what identifies a person: names (see module doc), phones, e-mails, ID numbers."""
    text = redact_names(text, names)
    text = _EMAIL.sub("[email]", text)
    text = _CITIZEN_ID.sub("[số giấy tờ]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    return _ID_NUMBER.sub("[số giấy tờ]", text)
