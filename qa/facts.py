"""Questions about the commune itself (its phone, address, e-mail, website, office hours, villages,
who holds which office), answered from the data file rather than from a document.

Precision first: a question is a fact question only when EVERY word of it is accounted for: a word
naming the fact ("sđt", "địa chỉ"), a word naming the commune ("xã", "ubnd", its own name) or a
filler word ("là", "bao nhiêu", "ạ"). "sdt xã là bao nhiêu" is one; "số điện thoại của chủ tịch
xã", "số điện thoại trung tâm một cửa" and "thôn nào có nhiều hộ nghèo nhất" are not, and go to
the documents. Who holds an office is answered only when an official's title names that office.
Pure: words are compared folded (no marks), so questions typed without marks match the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qa.vntext import fold, syllables


class Fact(StrEnum):
    PHONE = "phone"
    ADDRESS = "address"
    EMAIL = "email"
    WEBSITE = "website"
    HOURS = "office_hours"
    VILLAGES = "villages"
    CONTACT = "contact"  # several of phone, address, e-mail, website, or "liên hệ"
    OFFICIAL = "official"


# Word classes of a question (folded phrases). The longest phrase wins at each place.
_PHRASES: dict[str, tuple[str, ...]] = {
    "phone": (
        "so dien thoai",
        "dien thoai",
        "sdt",
        "so dt",
        "dt",
        "hotline",
        "duong day nong",
        "so lien he",
        "goi dien",
        "goi so nao",
    ),
    "address": ("dia chi", "dia chi o dau"),
    "where": ("o dau", "o cho nao", "cho nao", "nam o dau", "nam cho nao"),
    "email": ("email", "e mail", "mail", "gmail", "thu dien tu", "hop thu", "dia chi email"),
    "website": (
        "website",
        "web",
        "trang web",
        "cong thong tin",
        "cong thong tin dien tu",
        "trang thong tin",
        "trang thong tin dien tu",
    ),
    "contact": ("lien he", "lien lac"),
    "work": ("lam viec", "gio lam viec", "thoi gian lam viec", "mo cua", "dong cua", "gio hanh chinh"),
    "time": ("may gio", "gio nao", "tu may gio", "den may gio", "luc nao", "thoi gian", "nhung gio nao"),
    "village": ("thon", "ap", "xom", "lang", "to dan pho", "thon xom", "thon ban"),
    "which": ("nao", "nhung", "cac", "may", "bao nhieu", "danh sach", "gom", "gom co", "tat ca"),
    "who": (
        "ai",
        "la ai",
        "ai la",
        "ai lam",
        "ai dang lam",
        "ai dang la",
        "ai giu chuc",
        "nguoi nao lam",
        "ten gi",
        "ten la gi",
        "la ong nao",
        "la ba nao",
        "ten la",
    ),
    "commune": (
        "xa",
        "ubnd",
        "ubnd xa",
        "uy ban",
        "uy ban xa",
        "uy ban nhan dan",
        "uy ban nhan dan xa",
        "chinh quyen",
        "chinh quyen xa",
        "tru so",
        "tru so xa",
        "tru so ubnd",
        "tru so uy ban",
        "minh",
        "ben minh",
        "dia ban",
        "tren dia ban",
        "trong xa",
        "cua xa",
        "thuoc xa",
    ),
    "filler": (
        "la",
        "so may",
        "gi",
        "the nao",
        "sao",
        "cua",
        "cho",
        "hoi",
        "cho hoi",
        "xin",
        "xin hoi",
        "toi",
        "em",
        "chau",
        "a",
        "oi",
        "vay",
        "nhe",
        "nha",
        "nhi",
        "khong",
        "ko",
        "k",
        "co",
        "biet",
        "duoc",
        "ad",
        "admin",
        "alo",
        "chao",
        "cam on",
        "vui long",
        "giup",
        "voi",
        "va",
        "hien nay",
        "hien tai",
        "bay gio",
        "nay",
        "the",
        "ha",
        "day",
        "vao",
        "muon",
        "can",
        "hien co",
        "ban",
        "anh",
        "chi",
        "ong",
    ),
}
_LONGEST = max(len(p.split()) for phrases in _PHRASES.values() for p in phrases)
_ADDRESSES = frozenset({"phone", "address", "email", "website", "contact"})
# Words of an official's title that name the commune rather than the office ("UBND xã").
_TITLE_COMMUNE = frozenset({"xa", "ubnd", "uy", "ban", "nhan", "dan"})
_DEPUTY = "pho"


@dataclass(frozen=True)
class FactQuestion:
    kind: Fact
    office: tuple[str, ...] = ()  # for OFFICIAL: the office asked about, folded ("chu", "tich")


def _folded(text: str) -> list[str]:
    return [fold(s) for s in syllables(text)]


def _without_name(words: list[str], commune_name: str) -> list[str]:
    """The words with the commune's own name ("tân lập" of "Xã Tân Lập") taken out."""
    name = [w for w in _folded(commune_name) if w != "xa"]
    if not name:
        return words
    out, i = [], 0
    while i < len(words):
        if words[i : i + len(name)] == name:
            i += len(name)
        else:
            out.append(words[i])
            i += 1
    return out


def _classes(words: list[str]) -> tuple[set[str], list[str]]:
    """The word classes found, and the words of no class (in order)."""
    table = {phrase: cls for cls, phrases in _PHRASES.items() for phrase in phrases}
    found: set[str] = set()
    rest: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            cls = table.get(" ".join(words[i : i + size]))
            if cls is not None:
                found.add(cls)
                i += size
                break
        else:
            rest.append(words[i])
            i += 1
    return found, rest


def match(question: str, commune_name: str = "") -> FactQuestion | None:
    """The commune fact the question clearly asks for, or None (then the documents are searched)."""
    if len(question) > 200:  # a fact question is short; a long text is not scanned on the event loop
        return None
    words = _without_name(_folded(question), commune_name)
    if not words or len(words) > 16:
        return None
    found, rest = _classes(words)
    if "who" in found:
        facts = found & (_ADDRESSES | {"work", "village", "where"})
        return FactQuestion(Fact.OFFICIAL, tuple(rest)) if 0 < len(rest) <= 6 and not facts else None
    if rest:
        return None
    if "work" in found:
        return FactQuestion(Fact.HOURS) if not found & (_ADDRESSES | {"village", "where"}) else None
    if "time" in found:
        return None
    if "village" in found:
        return FactQuestion(Fact.VILLAGES) if "which" in found and not found & _ADDRESSES else None
    if "which" in found and not found & {"phone", "email", "website"}:
        return None  # "xã nào", "địa chỉ nào": not clear enough
    asked = found & _ADDRESSES
    if "where" in found and "commune" in found:
        asked.add("address")
    if not asked:
        return None
    if len(asked) > 1 or asked == {"contact"}:
        return FactQuestion(Fact.CONTACT)
    return FactQuestion(Fact(asked.pop()))


def title_core(title: str, commune_name: str = "") -> list[str]:
    """An official's title without the words naming the commune: "Chủ tịch UBND xã" -> chu tich."""
    return [w for w in _without_name(_folded(title), commune_name) if w not in _TITLE_COMMUNE]


def holders(office: tuple[str, ...], titles: list[str], commune_name: str = "") -> list[int]:
    """Indexes of the titles that name the office asked about, best first; [] when none clearly does.

    A title equal to the office wins ("chủ tịch xã" -> "Chủ tịch UBND xã", not its deputy);
    otherwise titles holding the office's words in a row ("công an" -> "Trưởng Công an xã"),
    a deputy's only when the question says deputy or no one else holds it.
    """
    asked = [w for w in office if w not in _TITLE_COMMUNE]
    if not asked:
        return []
    cores = [title_core(t, commune_name) for t in titles]
    exact = [i for i, core in enumerate(cores) if core == asked]
    if exact:
        return exact
    n = len(asked)
    within = [i for i, c in enumerate(cores) if any(c[j : j + n] == asked for j in range(len(c) - n + 1))]
    chiefs = [i for i in within if _DEPUTY not in cores[i] or _DEPUTY in asked]
    return chiefs or within
