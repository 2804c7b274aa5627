"""A resident asking to send something, in words: "tôi muốn phản ánh đường thôn An Hội bị ngập",
"gui kien nghi ve den duong", "cho em khiếu nại". Pure: the message's folded syllables against a few
lead phrases.

Only an explicit wish to send counts (a "muốn", "xin", "cho tôi", "gửi" before the kind, or the kind
opening the message followed by "về" / "việc"), and never a question about filing ("khiếu nại đất
đai giải quyết trong bao lâu", "muốn phản ánh thì làm thế nào"): those are searched as questions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.deadlines import KHIEU_NAI, KIEN_NGHI, PHAN_ANH, TO_CAO
from qa.vntext import fold, typed_as

_WORD = re.compile(r"\w+", re.UNICODE)
# The lead is looked for among the first this many words, and a question phrase among those in the
# first _HEAD characters: a pasted page is not read whole on the event loop.
_LOOK = 12
_HEAD = 400
# Folded kind words -> the petition kind (None: a petition of a kind not said, "gửi đơn").
_KINDS: dict[tuple[str, ...], str | None] = {
    ("phan", "anh"): PHAN_ANH,
    ("kien", "nghi"): KIEN_NGHI,
    ("de", "nghi"): KIEN_NGHI,
    ("gop", "y"): KIEN_NGHI,
    ("khieu", "nai"): KHIEU_NAI,
    ("to", "cao"): TO_CAO,
    ("to", "giac"): TO_CAO,
    ("y", "kien"): None,
    ("don",): None,
    ("don", "thu"): None,
}
# Who is speaking: "tôi", "em", "cháu"… (skipped; they say nothing of the wish).
_SPEAKERS = frozenset("toi tui minh em chau con bac chu co di anh chi ong ba nha chung".split())
# Words that say the resident wants to send now.
_WISH = frozenset({"muon", "can", "xin", "dinh", "mong", "gui", "nop", "viet", "lam", "bao"})
# Words that may follow a wish before the kind: "muốn gửi đơn", "xin được phản ánh", "gửi một".
_FILLER = frozenset({"duoc", "gui", "nop", "viet", "lam", "mot", "1", "cai", "la", "cho", "len", "toi", "xa"})
# After the kind opening a message, these make it a report rather than a question about the kind.
_ABOUT = frozenset({"ve", "viec", "vu"})
# A question about filing, not a filing: searched as a question. Typed without marks, a syllable
# matches any marks; typed with them, only its own ("ở đầu thôn" is not "ở đâu").
_QUESTIONS = tuple(
    tuple(p.split())
    for p in (
        "thế nào",
        "làm sao",
        "ở đâu",
        "bao lâu",
        "bao nhiêu",
        "khi nào",
        "bao giờ",
        "có được không",
        "có phải",
        "ai giải quyết",
        "mẫu đơn",
        "như nào",
        "ra sao",
        "được không",
    )
)


@dataclass(frozen=True)
class Filing:
    """What the resident wants to send: its kind (None when not said) and what they wrote after the
    lead ("" when nothing), with its marks as typed."""

    kind: str | None
    content: str


def filing(text: str) -> Filing | None:
    """The filing a message asks for, or None when it is (or may be) a question."""
    text = unicodedata.normalize("NFC", text.strip())
    spans = list(_WORD.finditer(text[:_HEAD]))
    typed = [m.group().lower() for m in spans]
    words = [fold(w) for w in typed]
    if not words or text.endswith("?") or _asks(typed):
        return None
    i, wished = 0, False
    if words[:2] in (["cho", "toi"], ["cho", "em"], ["cho", "minh"], ["cho", "chau"], ["cho", "con"]):
        i, wished = 2, True
    while i < min(len(words), _LOOK):
        found = _kind_at(words, i)
        if found is not None:
            size, kind = found
            rest = i + size
            named = _kind_at(words, rest) if kind is None else None  # "gửi đơn khiếu nại"
            if named is not None and named[1] is not None:
                kind, rest = named[1], rest + named[0]
            opened = i == 0 and rest < len(words) and words[rest] in _ABOUT
            if not (wished or opened):
                return None
            while rest < len(words) and words[rest] in _ABOUT:  # "về việc đổ rác": from "đổ"
                rest += 1
            content = (
                text[spans[rest].start() :].strip(" :,.-–") if rest < len(spans) else text[_HEAD:].strip()
            )
            return Filing(kind, content)
        word = words[i]
        if word in _WISH:
            wished = True
        elif not (word in _SPEAKERS or (wished and word in _FILLER)):
            return None
        i += 1
    return None


def _asks(typed: list[str]) -> bool:
    """Whether the message holds a question phrase (see _QUESTIONS)."""
    for phrase in _QUESTIONS:
        size = len(phrase)
        for i in range(len(typed) - size + 1):
            window = typed[i : i + size]
            if all(typed_as(w, x) for w, x in zip(window, phrase, strict=True)):
                return True
    return False


def _kind_at(words: list[str], i: int) -> tuple[int, str | None] | None:
    for size in (2, 1):
        key = tuple(words[i : i + size])
        if len(key) == size and key in _KINDS:
            return size, _KINDS[key]
    return None
