"""Petition tracking codes as residents type them: "pa-7k3m9q", "PA 7K3M9Q", "PA-7K3 M9Q", inside a
sentence ("hồ sơ PA UG8342 tôi sao rồi"), and strings shaped like a code that cannot be one
("PA-2026-0001"). Pure.

A code typed alone (or after "tra cứu") is read however it is spaced. Inside a sentence, ordinary
words must not pass for one ("kh" is often "không"), so a code there is the type's letters and six
characters of the code alphabet, and either a dash after the letters, or a digit and a letter in the
six, or the whole code typed in capitals; six split in two ("UG 8342") need the dash or capitals.
"""

from __future__ import annotations

import re
import unicodedata

from domain.petition_texts import CODE_ALPHABET, CODE_LENGTH, CODE_PREFIX
from qa.vntext import fold

# Codes are looked for in a message up to this long (a longer one is a question or a petition).
LONGEST = 500
# A message this short holding a code-like string of another shape gets told how a code looks.
SHORT = 120
MOST = 3  # codes looked up from one message

_PREFIX = "|".join(sorted(CODE_PREFIX.values()))
_DASH = r"\s*[-–—_]\s*"
_SIX = "|".join(
    ["[a-z0-9]{6}"] + [f"[a-z0-9]{{{k}}}[\\s-][a-z0-9]{{{CODE_LENGTH - k}}}" for k in range(1, CODE_LENGTH)]
)
_IN_TEXT = re.compile(
    rf"(?<![\w/.-])(?P<prefix>{_PREFIX})(?P<sep>{_DASH}|\s?)(?P<body>{_SIX})(?![\w-])", re.IGNORECASE
)
# "tra cứu (hồ sơ) (mã)", "mã (hồ sơ) (của tôi) (là)", "hồ sơ của tôi (mã) (là)": words that say a code follows
_LEAD = r"^\W*(?:tra\s*cuu\s+(?:ho\s*so\s+)?(?:ma\s+)?|(?:ma\s+)?(?:ho\s*so\s+)?(?:cua\s+(?:toi|tui|em|minh|chau)\s+)?(?:ma\s+)?(?:la\s+)?)?"
_BARE = re.compile(rf"{_LEAD}(?P<prefix>{_PREFIX})(?:{_DASH}|\s*)(?P<body>{_SIX})\W*$", re.IGNORECASE)
_CODE_LIKE = re.compile(
    rf"(?<![\w/.-])(?:{_PREFIX}){_DASH}[a-z0-9]+(?:[-–_./][a-z0-9]+)*(?![\w-])", re.IGNORECASE
)
_LOOKED_UP = re.compile(rf"{_LEAD}(?P<token>\S*\d\S*)\W*$")
_ALPHABET = frozenset(CODE_ALPHABET)


_GAP = re.compile(r"[\s-]")


def _stored(prefix: str, body: str) -> str:
    return f"{prefix}-{_GAP.sub('', body)}".upper()


def _plausible(prefix: str, sep: str, body: str) -> bool:
    """Whether a code-shaped string inside a sentence is meant as a code (see the module's rules)."""
    six = _GAP.sub("", body).upper()
    if not set(six) <= _ALPHABET:
        return False
    capitals = prefix.isupper() and (body.isupper() or not any(c.isalpha() for c in body))
    if sep.strip():  # "PA-…": a dash says it is a code
        return True
    if not body.isalnum():  # "PA UG 8342": split and without a dash
        return capitals
    return capitals or (any(c.isdigit() for c in six) and any(c.isalpha() for c in six))


def find_codes(text: str) -> list[str]:
    """The codes a message holds, in their stored form ("PA-7K3M9Q"), first typed first."""
    if len(text) > LONGEST:
        return []
    text = unicodedata.normalize("NFC", text)
    folded = " ".join(fold(w) for w in text.strip().split())
    if (bare := _BARE.match(folded)) is not None:
        return [_stored(bare["prefix"], bare["body"])]
    found: list[str] = []
    for match in _IN_TEXT.finditer(text):
        code = _stored(match["prefix"], match["body"])
        if _plausible(match["prefix"], match["sep"], match["body"]) and code not in found:
            found.append(code)
    return found[:MOST]


def malformed_code(text: str) -> str | None:
    """What a short message typed as a code when it cannot be one ("PA-2026-0001", "tra cứu 12345"),
    or None (a code, or no code meant). Run after `find_codes` found none."""
    if len(text) > SHORT:
        return None
    text = unicodedata.normalize("NFC", text).strip()
    for match in _CODE_LIKE.finditer(text):
        if any(c.isdigit() for c in match.group()):
            return match.group()
    looked_up = _LOOKED_UP.match(" ".join(fold(w) for w in text.split()))
    if looked_up is not None and looked_up.start("token") > 0:
        return text.split()[-1].strip(".,;:!?")
    return None
