"""Schedule questions: when or where a kind of event takes place ("lịch họp dân", "khi nào tiếp
dân", "họp dân ở đâu", "chừng nào đối thoại"). They are answered from the commune's published
events of that kind (handlers/ask_schedule.py), never from a document that merely mentions the
words ("… lịch họp của xã và của thôn mình").

The kinds are the data file's event `kind`s (storage schema): tiep_cong_dan, hop, doi_thoai,
hoi_nghi, khac. A question names one by its everyday words; an event is of that kind by its `kind`
or by its title naming it ("Hội nghị lấy ý kiến…" filed as `hop`). Words of the question beyond the
kind, the schedule and generic words ("chủ tịch", "An Hội", "sáp nhập", a year) must all be in an
event for it to answer: otherwise the question is left to the ordinary search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qa.lexicon import contains, covered, load_lexicon
from qa.query_words import STOPWORDS, WHEN_PHRASES, YEAR_RE, stopword_flags, typed_with_marks
from qa.vntext import fold, syllables


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


# The words naming a kind of event (folded), with the data file's kinds they stand for. Residents
# call a conference or a dialogue with the people a meeting ("họp dân") too.
KIND_PHRASES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("tiep", "cong", "dan"), frozenset({"tiep_cong_dan"})),
    (("tiep", "dan"), frozenset({"tiep_cong_dan"})),
    (("doi", "thoai"), frozenset({"doi_thoai"})),
    (("hoi", "nghi"), frozenset({"hoi_nghi", "doi_thoai"})),
    (("hop",), frozenset({"hop", "hoi_nghi", "doi_thoai"})),
)
# "hop" typed without marks is "họp" (meet) only beside these words; else it may be "hợp" (hợp
# đồng, hợp tác xã, phù hợp) or "hộp".
MEETING_AFTER = frozenset("dan thon xom ap ban to khu hdnd mat cu dinh hang toi".split())
MEETING_BEFORE = frozenset("cuoc buoi ky phien di lich ngay khi gio".split())
# Question phrases asking where (folded), besides WHEN_PHRASES asking when.
WHERE_PHRASES = _phrases("o dau", "tai dau", "cho nao", "noi nao", "dia diem", "phong nao", "o cho nao")
SCHEDULE_PHRASES = (
    *WHEN_PHRASES,
    *WHERE_PHRASES,
    *_phrases("sap toi", "gio nao", "thang nao", "tuan nao", "toi nao", "sang nao", "chieu nao"),
)
# Words that say nothing about which event: who is asked, time words, generic places, recurrence.
GENERIC = frozenset(
    """dan con xa thon xom ap ban khu to pho dinh ky hang thang tuan nam toi sang chieu trua gio
    ngay thu buoi cuoc lan lich sap tiep theo gan nhat nua cong chuc dien ra thuong xuyen cu the
    the nao nao bao khong chua co duoc dau moi hom ad oi vay a nhe voi ai di tai nay toi""".split()
)


# Acronyms read as their words on both sides ("HĐND" in a title, "hội đồng nhân dân" asked).
ACRONYMS = {"hdnd": ("hoi", "dong", "nhan", "dan"), "ubnd": ("uy", "ban", "nhan", "dan")}


def _words(text: str) -> list[str]:
    """The folded syllables of a text, acronyms spelt out."""
    return [w for word in syllables(text) for w in ACRONYMS.get(fold(word), (fold(word),))]


@dataclass(frozen=True)
class ScheduleAsk:
    """What a schedule question asks for."""

    kinds: frozenset[str]  # the event kinds named
    phrases: tuple[tuple[str, ...], ...]  # the kind phrases said (folded)
    specific: tuple[str, ...]  # folded words every answering event must hold ("chu", "tich")
    said_words: frozenset[str] = frozenset()  # every folded word of the question
    # the specific words as the question runs them together ("hội đồng", "An Hội"): each is found
    # in one piece in an answering event ("hội nghị … đồng" is not "hội đồng")
    runs: tuple[tuple[str, ...], ...] = ()

    def of_kind(self, kind: str, title: str) -> bool:
        """Whether an event of this `kind` and title is of a kind asked about."""
        if kind in self.kinds:
            return True
        words = syllables(title)
        folded = [fold(w) for w in words]
        for phrase in self.phrases:
            if phrase == ("hop",):
                if "họp" in (w.lower() for w in words):
                    return True
            elif contains(folded, phrase):
                return True
        return False

    def title_fit(self, title: str) -> tuple[int, int]:
        """How well a title fits the question, best lowest: the specific words it names, then the
        words it adds ("Phó Chủ tịch … phụ trách đất đai" adds "phó" … to "chủ tịch")."""
        words = {fold(w) for w in syllables(title)}
        named = sum(word in words for word in self.specific)
        kind_words = {w for phrase in self.phrases for w in phrase}
        extra = words - self.said_words - GENERIC - STOPWORDS - kind_words
        return -named, len([w for w in extra if not w.isdigit()])

    def covered_by(self, texts: Iterable[str]) -> bool:
        """Whether the event's texts hold every specific word of the question, each run of them
        in one piece."""
        folded = [_words(text) for text in texts]
        return all(any(contains(words, run) for words in folded) for run in self.runs)


def schedule_ask(question: str) -> ScheduleAsk | None:
    """The kinds of event a question asks the time or place of, or None when it does not."""
    typed = syllables(question)
    tokens = load_lexicon().expand_shorthand(typed)  # "chừng nào" -> "khi nào", "bgio" -> "bao giờ"
    tokens = [w for t in tokens for w in ACRONYMS.get(fold(t), (t,))]
    folded = [fold(t) for t in tokens]
    if not any(contains(folded, phrase) for phrase in SCHEDULE_PHRASES):
        return None
    used = [False] * len(folded)
    kinds: set[str] = set()
    said: list[tuple[str, ...]] = []
    for phrase, phrase_kinds in KIND_PHRASES:
        size = len(phrase)
        for i in range(len(folded) - size + 1):
            if tuple(folded[i : i + size]) != phrase or any(used[i : i + size]):
                continue
            if phrase == ("hop",) and not _meeting(tokens, folded, i):
                continue
            used[i : i + size] = [True] * size
            kinds.update(phrase_kinds)
            if phrase not in said:
                said.append(phrase)
    if not kinds:
        return None
    used = [u or asked for u, asked in zip(used, covered(folded, SCHEDULE_PHRASES), strict=True)]
    stop = stopword_flags(tokens, typed_with_marks(typed))
    runs = _runs(folded, [u or s for u, s in zip(used, stop, strict=True)])
    specific = tuple(dict.fromkeys(word for run in runs for word in run))
    return ScheduleAsk(frozenset(kinds), tuple(said), specific, frozenset(folded), tuple(runs))


def _runs(folded: list[str], said: list[bool]) -> list[tuple[str, ...]]:
    """The runs of specific words: not `said` (a kind, schedule or stop word), not generic, not a
    number other than a year."""
    runs: list[tuple[str, ...]] = []
    run: list[str] = []
    for word, skip in zip([*folded, ""], [*said, True], strict=True):
        if skip or word in GENERIC or (word.isdigit() and not YEAR_RE.match(word)):
            if run and tuple(run) not in runs:
                runs.append(tuple(run))
            run = []
        else:
            run.append(word)
    return runs


def _meeting(tokens: list[str], folded: list[str], i: int) -> bool:
    """Whether "hop" at `i` is "họp" (to meet)."""
    word = tokens[i].lower()
    if "chợ" in (t.lower() for t in tokens[:i]):  # "chợ phiên … họp": the market is held
        return False
    if word == "họp":
        return True
    if word != "hop":  # "hợp", "hộp" typed with their marks
        return False
    after = folded[i + 1] if i + 1 < len(folded) else ""
    before = folded[i - 1] if i else ""
    return after in MEETING_AFTER or before in MEETING_BEFORE or after == "" or after in {"o", "vao", "khi"}
