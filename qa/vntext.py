"""Vietnamese text for matching: NFC, case, tone/vowel marks and đ folded, syllables and pairs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD_RE = re.compile(r"\w+", re.UNICODE)
# A code typed run together ("DT02") is the same as the published "ĐT-02": letters then digits split.
_CODE_RE = re.compile(r"^([^\W\d_]{2,})(\d+)$")


def normalize(text: str) -> str:
    """NFKC (composed, and "m²" is "m2") and lower case: the form exact matches are compared in."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Strip tone and vowel marks and turn đ into d: "Đường" -> "duong"."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typed_as(typed: str, listed: str) -> bool:
    """Whether a syllable a resident typed is the listed one: typed without marks it matches any
    marks ("cam" is "cảm"); typed with them, only its own ("đã" is not "dạ", "đầu" is not "đâu")."""
    return typed == listed or (typed == fold(typed) and typed == fold(listed))


def syllables(text: str) -> list[str]:
    """Normalized syllables (Vietnamese words are written as space-separated syllables).

    A code of two or more letters followed by digits is split ("dt02" -> "dt", "02"), so that it
    matches the same code written with a hyphen; "t2" (chat for "thứ hai") stays whole.
    """
    out: list[str] = []
    for word in _WORD_RE.findall(normalize(text)):
        code = _CODE_RE.match(word) if word[-1].isdigit() else None  # most words end in a letter
        out.extend(code.groups() if code else (word,))
    return out


def folded_syllables(text: str) -> list[str]:
    """Syllables with marks folded."""
    return [fold(s) for s in syllables(text)]
