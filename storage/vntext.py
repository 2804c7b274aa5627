"""Vietnamese text for matching: NFC, case, tone/vowel marks and đ folded, syllables and pairs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """NFC and lower case: the form exact matches are compared in."""
    return unicodedata.normalize("NFC", text).lower()


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Strip tone and vowel marks and turn đ into d: "Đường" -> "duong"."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def syllables(text: str) -> list[str]:
    """Normalized syllables (Vietnamese words are written as space-separated syllables)."""
    return _WORD_RE.findall(normalize(text))


def folded_syllables(text: str) -> list[str]:
    """Syllables with marks folded."""
    return [fold(s) for s in syllables(text)]
