"""What a document is about, against the official object a question asks about.

"Làm thẻ căn cước cho con ở đâu" matches the civil-status procedures well: the paper list names
"căn cước" in passing, and "cho con", "ở đâu" match too. Yet the document is about other
procedures (khai sinh, kết hôn, khai tử), not the ID card. The objects a question may ask about
(procedures, papers, benefits, taxes and fees, kinds of public work, budget documents) are listed
by kind in qa/wordlists/objects.tsv. A document's *subjects* are the objects its title, tags,
villages (or an event's place and host), headings, bold leads, list leads and table rows' first
cells name; a mention deep in a paragraph is not one, nor its source line (a decision "về việc …"
names the legal basis, often wider than the document). When the question asks about objects none of which is a
subject of the document, while the document's subjects include another object of the same kind,
the document is about a sibling thing: it is offered to open, never quoted as the answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from itertools import pairwise
from pathlib import Path

from qa.lexicon import same_syllable
from qa.vntext import fold, syllables

OBJECTS_FILE = Path(__file__).parent / "wordlists" / "objects.tsv"
NOT_AN_OBJECT = "-"  # the kind of phrases that only hold an object's syllable ("yêu cầu")
# A document about an object of the second kind is about one of the first too (objects.tsv "status")
WIDER = {"benefit": "status"}
# A title naming a procedure: every object the document is about is the object of a procedure
PROCEDURE_TITLE = "thủ tục"
# Said before an object, these make it a condition, not what is asked: "không có lương hưu thì …"
NEGATIONS = frozenset(fold(w) for w in "không ko k khg kg hông hổng chưa chẳng chả hem hok".split())
NEGATION_GLUE = frozenset(fold(w) for w in "có được dc đc".split())
_WORD = re.compile(r"\w+")
_HEADING = re.compile(r"^\s*#+\s*(.+)$", re.MULTILINE)
_BOLD = re.compile(r"\*\*([^*\n]{1,120})\*\*")
_ROW = re.compile(r"^\s*\|(.*)\|\s*$", re.MULTILINE)
_LIST_LEAD = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+([^:\n]{1,40}):", re.MULTILINE)  # "- Đê bao:"


@dataclass(frozen=True)
class Objects:
    """The listed phrases (with marks, as syllables) by their first folded syllable, each with the
    object (its first spelling) and kind it stands for."""

    by_first: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]]

    def found(self, text: str, typed: bool) -> list[tuple[int, str, str]]:
        """(position, object, kind) of each object in the text, longest phrase first at each
        place; not inside a proper name ("thôn Tiên Cầu" is no bridge, "Cầu Bến Đá" is one).
        `typed`: a resident's question (a phrase typed without marks matches any marks; a single
        syllable is too ambiguous: "cho" is not "chợ"); otherwise a published text (its marks
        must be the list's)."""
        written = _WORD.findall(unicodedata.normalize("NFKC", text))
        words = [w.lower() for w in written]
        folded = [fold(w) for w in words]
        out: list[tuple[int, str, str]] = []
        i = 0
        while i < len(words):
            best: tuple[tuple[str, ...], str, str] | None = None
            for phrase, name, kind in self.by_first.get(folded[i], ()):
                window = words[i : i + len(phrase)]
                loose = typed and len(phrase) > 1  # "cho" is not "chợ"; "so do" is "sổ đỏ"
                longer = best is None or len(phrase) > len(best[0])
                if (
                    longer
                    and len(window) == len(phrase)
                    and all(map(partial(same_syllable, loose=loose), window, phrase))
                ):
                    best = (phrase, name, kind)
            if best is None:
                i += 1
                continue
            in_name = i > 0 and written[i][:1].isupper() and written[i - 1][:1].isupper()
            if best[2] != NOT_AN_OBJECT and not in_name:
                out.append((i, best[1], best[2]))
            i += len(best[0])
        return out


@cache
def load_objects(path: Path = OBJECTS_FILE) -> Objects:
    """Read the list of official objects (cached: it does not change while running)."""
    by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        spellings, _, kind = line.partition("\t")
        written = [tuple(syllables(s)) for s in spellings.split("|")]
        written = [w for w in written if w]
        if not written or not kind.strip():
            continue
        name = " ".join(written[0])
        for phrase in written:
            by_first.setdefault(fold(phrase[0]), []).append((phrase, name, kind.strip()))
    return Objects({k: tuple(v) for k, v in by_first.items()})


def asked_objects(
    question: str, objects: Objects | None = None, names: frozenset[tuple[str, str]] = frozenset()
) -> dict[str, set[str]]:
    """The objects a question asks about, by kind; one said after a negation ("không có lương hưu
    thì …", "ko có sổ đỏ") is a condition, not what is asked; one inside a place's name typed in
    lower case ("xóm bãi kè": `names`, folded pairs of capitalised words) is the place."""
    words = _WORD.findall(unicodedata.normalize("NFKC", question.lower()))  # as `found` splits it
    folded = [fold(w) for w in words]
    asked: dict[str, set[str]] = {}
    for i, name, kind in (objects or load_objects()).found(question, typed=True):
        before = folded[max(0, i - 2) : i]
        if names and any(tuple(folded[j : j + 2]) in names for j in (i - 1, i)):
            continue
        if before and (
            before[-1] in NEGATIONS
            or (before[-1] in NEGATION_GLUE and before[:-1] and before[0] in NEGATIONS)
        ):
            continue
        asked.setdefault(kind, set()).add(name)
    return asked


def head_texts(body: str) -> list[str]:
    """The parts of a body that say what it is about: headings, bold leads, list items' leads and
    table rows' first cells."""
    parts = [m.group(1) for m in _HEADING.finditer(body)]
    parts += [m.group(1) for m in _BOLD.finditer(body)]
    parts += [m.group(1) for m in _LIST_LEAD.finditer(body)]
    for row in _ROW.finditer(body):  # the first cell that is words, not a number ("STT", "1")
        cells = [c for c in row.group(1).split("|") if any(ch.islower() for ch in c)]
        parts += [c.strip() for c in cells[:1]]
    return parts


def subjects(
    title: str, body: str, fields: Iterable[str], objects: Objects | None = None
) -> dict[str, set[str]]:
    """The objects a document is about, by kind: those its title, short `fields`, headings, bold
    leads, list leads and table rows' first cells name."""
    found: dict[str, set[str]] = {}
    table = objects or load_objects()
    for text in [title, *fields, *head_texts(body)]:
        for _, name, kind in table.found(text, typed=False):
            found.setdefault(kind, set()).add(name)
    return found


def name_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Two capitalised words in a row, folded ("Bãi Kè", "Tiên Cầu"): the names a text writes."""
    written = _WORD.findall(unicodedata.normalize("NFKC", text))
    return frozenset((fold(a), fold(b)) for a, b in pairwise(written) if a[:1].isupper() and b[:1].isupper())


def sibling(question: str, title: str, body: str, fields: Iterable[str]) -> tuple[str, ...]:
    """The objects the question asks about when the document is about a sibling thing: none of
    them is a subject of the document, and another object of one of their kinds is. Empty when
    the document is about one of them, or about no listed object of their kinds (then nothing
    says it is about another thing)."""
    fields = list(fields)
    asked = asked_objects(question, names=name_pairs(" ".join([title, body, *fields])))
    if not asked:
        return ()
    held = subjects(title, body, fields)
    for kind, wider in WIDER.items():  # a list of poor households is about a benefit too
        if held.get(wider):
            held.setdefault(kind, set()).update(held[wider])
    if PROCEDURE_TITLE in unicodedata.normalize("NFC", title).lower():
        # "Thủ tục trợ cấp xã hội hằng tháng" is the procedure for that benefit: asked for another
        # procedure ("xác nhận tình trạng hôn nhân"), it is about a sibling thing
        held.setdefault("procedure", set()).update(name for names in held.values() for name in names)
    if any(names & held.get(kind, set()) for kind, names in asked.items()):
        return ()
    if not any(held.get(kind) for kind in asked):
        return ()  # a budget report naming an auction in passing may still answer about it
    return tuple(sorted(name for names in asked.values() for name in names))
