"""What a question names: places, bodies, codes and years, typed or said relative to today."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from qa.query_words import RELATIVE_YEAR_SYLLABLES, YEAR_RE
from qa.vntext import fold, syllables

_WORD_RE = re.compile(r"\w+(?:-\w+)*")
_SENTENCE_END = frozenset(".?!\n:;")


def relative_years(tokens: list[str], stop: list[bool], today: date | None) -> tuple[list[str], str | None]:
    """Years said relative to today ("năm ngoái": last year), and this year if "năm nay" is said.

    The phrase's words become glue (`stop`): the year they stand for is what is looked for.
    """
    if today is None:
        return [], None
    said: list[str] = []
    this_year = None
    for i in range(len(tokens) - 1):
        found = RELATIVE_YEAR_SYLLABLES.get((fold(tokens[i]), fold(tokens[i + 1])))
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
        if YEAR_RE.match(word):
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
