"""Turn a resident's question into weighted search terms: shorthand, typos, synonyms, marks."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import OSA

from qa.lexicon import Lexicon, alternatives, covered
from qa.lexicon import contains as _contains
from qa.query_names import named_things, relative_years
from qa.query_words import (
    ANSWER_KINDS,
    GLUE_PHRASES,
    MARKED_STOPWORDS,
    STOPWORDS,
    WHEN_PHRASES,
    YEAR_RE,
    pairs,
    stopword_flags,
    typed_with_marks,
)
from qa.vntext import fold, syllables

CORRECTED_WEIGHT = 0.8  # a syllable we had to guess from a typo
SYNONYM_WEIGHT = 0.6  # a phrase added from the synonym list
MIN_TYPO_LENGTH = 3


@dataclass(frozen=True)
class Query:
    """Weighted folded terms (syllables and syllable pairs) and the exact marked forms typed."""

    terms: dict[str, float]
    core: dict[str, float]  # terms from the resident's own words (confidence is measured on these)
    marked: frozenset[str]
    names: tuple[tuple[str, ...], ...] = ()  # places, bodies, years the answer must mention
    asks_when: bool = False  # "khi nào", "hôm nào", "mấy giờ": a schedule answers best
    topic_pairs: frozenset[str] = frozenset()  # pairs of two topic words (not numbers) of the question
    # phrases of the question with the synonyms that may stand in for them in a document
    stand_ins: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = ()
    this_year: str | None = None  # "năm nay" said: this year's documents are preferred
    off_topic: tuple[tuple[str, ...], ...] = ()  # topics the commune does not publish about, named
    answer_kinds: frozenset[str] = frozenset()  # what the answer is: "money", "date", "who"... (ANSWER_KINDS)
    # pairs of a question typed without marks that the synonym list writes as one word with a
    # syllable folding to a stopword ("so do": "sổ đỏ"): a document must hold them whole to cover them
    whole_pairs: frozenset[str] = frozenset()
    # per phrase of the question the synonym list knows (phrases that overlap in the question, as
    # "tiêm" and "tiêm phòng", are one): the terms each of its stand-ins adds, weighted
    synonym_groups: tuple[tuple[dict[str, float], ...], ...] = ()

    @cached_property
    def marked_forms(self) -> dict[str, frozenset[str]]:
        """Folded syllable -> every marked form typed for it ("cụ thể như thế nào": "the" twice)."""
        forms: dict[str, set[str]] = {}
        for word in self.marked:
            forms.setdefault(fold(word), set()).add(word)
        return {folded: frozenset(words) for folded, words in forms.items()}

    @property
    def name_terms(self) -> frozenset[str]:
        """The syllables and pairs of the names: checked as names, not counted as topic words."""
        return frozenset(
            [s for name in self.names for s in name]
            + [f"{a}_{b}" for name in self.names for a, b in itertools.pairwise(name)]
        )

    @property
    def years(self) -> list[str]:
        """The years asked about: typed, said relative to today, or "năm nay"."""
        named = [name[0] for name in self.names if len(name) == 1 and YEAR_RE.match(name[0])]
        return named or ([self.this_year] if self.this_year else [])


class Analyzer:
    """Knows the index vocabulary, so typos can be mapped to words the documents really use."""

    def __init__(
        self,
        lexicon: Lexicon,
        vocabulary: dict[str, int],
        pair_vocabulary: set[str],
        words: frozenset[str] = frozenset(),
        written: Iterable[str] = (),
    ) -> None:
        self._lexicon = lexicon
        self._vocab = vocabulary  # folded syllable -> document frequency
        self._vocab_list = [w for w in vocabulary if len(w) >= MIN_TYPO_LENGTH - 1]
        self._pairs = pair_vocabulary
        # folded pairs the documents write as a word whose syllable folds to a stopword ("vệ sinh")
        self._words = words
        self._listed = listed_words(lexicon) - words  # the same, written by the synonym list ("sổ đỏ")
        self._spelled = spelled_syllables(lexicon)
        # folded syllable -> how the documents write it ("tiep" -> "tiếp", "Tiếp")
        self._written: dict[str, set[str]] = {}
        for form in written:
            self._written.setdefault(fold(form.lower()), set()).add(form.lower())

    def analyze(self, question: str, today: date | None = None) -> Query:
        """The weighted terms of a question; `today` resolves "năm ngoái", "năm nay"."""
        typed = syllables(question)
        tokens = self._lexicon.expand_shorthand(typed)
        marked = frozenset(t for t in tokens if t != fold(t))
        folded = [fold(t) for t in tokens]
        stop = stopword_flags(tokens, typed_with_marks(typed))
        whole: frozenset[str] = frozenset()
        if not typed_with_marks(typed):
            hidden = stop
            stop = unhidden(folded, hidden, self._words | self._listed)
            whole = frozenset(
                f"{a}_{b}"
                for i, (a, b) in enumerate(itertools.pairwise(folded))
                if f"{a}_{b}" in self._listed and (hidden[i] != stop[i] or hidden[i + 1] != stop[i + 1])
            )
        stop = [s or glue for s, glue in zip(stop, covered(folded, GLUE_PHRASES), strict=True)]
        said_years, this_year = relative_years(tokens, stop, today)
        weights = [1.0] * len(folded)
        corrected: dict[str, str] = {}
        for i, token in enumerate(folded):
            if token in self._vocab or stop[i] or token.isdigit() or len(token) < MIN_TYPO_LENGTH:
                continue
            if tokens[i].lower() in self._spelled:  # a word typed whole, marks and all: not a typo
                continue
            fixed = self._correct(
                token,
                folded[i - 1] if i else "",
                folded[i + 1] if i + 1 < len(folded) else "",
                tokens[i].lower() if tokens[i] != token else None,
            )
            if fixed:
                folded[i], weights[i] = fixed, CORRECTED_WEIGHT
                corrected[token] = fixed
        core: dict[str, float] = {}
        for token, weight, is_stop in zip(folded, weights, stop, strict=True):
            if not is_stop:
                core[token] = max(core.get(token, 0.0), weight)
        for pair in pairs(folded):
            core.setdefault(pair, 1.0)
        topic = [not (is_stop or token.isdigit()) for token, is_stop in zip(folded, stop, strict=True)]
        topic_pairs = frozenset(
            f"{folded[i]}_{folded[i + 1]}" for i in range(len(folded) - 1) if topic[i] and topic[i + 1]
        )
        terms = dict(core)
        # the marks typed, where the syllable was not replaced by a typo correction
        spelled = [t if fold(t) == f else f for t, f in zip(tokens, folded, strict=True)]
        stand_ins = tuple(self._lexicon.stand_ins(folded, spelled))
        for phrase in alternatives(stand_ins):
            words = list(phrase)
            for term in [w for w in words if w not in STOPWORDS] + pairs(words):
                terms[term] = max(terms.get(term, 0.0), SYNONYM_WEIGHT)
        groups = synonym_groups(folded, stand_ins, core)
        when = any(_contains(folded, phrase) for phrase in WHEN_PHRASES)
        return Query(
            terms=terms,
            core=core,
            marked=marked,
            # a name typed with a typo ("Bàu Xen") is checked as corrected ("Bàu Sen")
            names=tuple(
                dict.fromkeys(
                    [tuple(corrected.get(s, s) for s in name) for name in named_things(question)]
                    + [(year,) for year in said_years]
                )
            ),
            asks_when=when,
            topic_pairs=topic_pairs,
            stand_ins=stand_ins,
            this_year=this_year,
            off_topic=tuple(self._lexicon.off_topic(folded, spelled)),
            answer_kinds=frozenset(
                kind for kind, phrases in ANSWER_KINDS.items() if any(_contains(folded, p) for p in phrases)
            ),
            whole_pairs=whole,
            synonym_groups=groups,
        )

    def _correct(self, token: str, before: str, after: str, typed: str | None = None) -> str | None:
        """The closest known syllable (one edit away: a letter added, dropped or changed, or two
        neighbours swapped, as thumbs on a phone do: "sihn") that fits its neighbours, if any.

        `typed`: the syllable as typed, when typed with marks. Then a guess must be one edit from it
        as the documents write the guess, marks included: a typo slips one letter or one mark
        ("thườg", "chuyễn"), while "tiêm" -> "tiếp" or "cháu" -> "chủ" changes a letter and a mark,
        a real word read as another.
        """
        found = process.extract(token, self._vocab_list, scorer=OSA.distance, score_cutoff=1, limit=8)
        if typed is not None and self._written:
            found = [
                f for f in found if any(OSA.distance(typed, w) <= 1 for w in self._written.get(f[0], ()))
            ]
        if not found:
            return None

        def fit(candidate: str) -> tuple[int, int]:
            context = (f"{before}_{candidate}" in self._pairs) + (f"{candidate}_{after}" in self._pairs)
            return context, self._vocab.get(candidate, 0)

        best = max((c for c, _, _ in found), key=fit)
        # A syllable has many others one edit away ("sai" -> "tai", "khích" -> "khách"): guess only
        # when the guess forms a word the documents use with the next or previous syllable ("ngân
        # xách" -> "sách"). Guessing without that support cost more than it gained on both communes.
        if fit(best)[0] == 0:
            return None
        return best


def spelled_syllables(lexicon: Lexicon) -> frozenset[str]:
    """The syllables the synonym list writes with marks ("tiêm" in "tiêm phòng"): real words.

    One typed with its marks is what the resident meant, even where the commune's documents never
    use it: "lịch tiêm phòng dại" was read as "lịch tiếp" (one edit away, and "lịch tiếp" is in the
    documents) and answered from the citizen-reception schedule.
    """
    return frozenset(
        s.lower() for forms in lexicon.spellings.values() for form in forms for s in form if s != fold(s)
    )


def listed_words(lexicon: Lexicon) -> frozenset[str]:
    """The folded pairs the synonym list writes as a word with a syllable that folds to a stopword
    ("sổ đỏ": "so_do", as "vệ sinh" is for the documents' words). Typed without marks, "lam so do o
    dau" lost "do" as a stopword, kept "so" alone, found it as "số" in a budget report and answered
    from it; now the pair is the question's topic, and a document must hold it whole to cover it."""
    out: set[str] = set()
    for group in lexicon.groups:
        # two-syllable members only: a pair inside a longer phrase ("phí vé" in "phí vé xe") is not
        # a word by itself, and read as one it took "phi ve sinh" for "phí vé"
        for phrase in (p for p in group if len(p) == 2):
            for a, b in lexicon.spellings.get(phrase, frozenset({phrase})):
                hides = [fold(w) in STOPWORDS and w not in MARKED_STOPWORDS for w in (a, b)]
                if any(hides) and not all(fold(w) in STOPWORDS for w in (a, b)):
                    out.add(f"{fold(a)}_{fold(b)}")
    return frozenset(out)


def unhidden(folded: list[str], stop: list[bool], words: frozenset[str]) -> list[bool]:
    """The stopword flags of a question typed without marks, where a syllable that folds to a
    stopword forms with a topic word beside it a word the documents write ("ve sinh": "vệ sinh",
    not "về"): that syllable is a topic word, and the word must be matched as a whole.

    Before, "phi ve sinh moi thang bao nhieu" was answered from the civil-status fees ("phí",
    "khai sinh", "tháng": every topic word found, scattered) where the same question with marks
    abstained. Held out (`qa_tune --semantic --fit`, each commune by a model fitted on the other
    seven, 0.40): top-1 0.862 -> 0.866, abstention 0.915 -> 0.915, precision 0.973 -> 0.972 (one
    near-tie on the development commune now ranked as its twin with marks already was). Tried and
    dropped: giving the syllable the marks the documents most often write it with ("do" -> "độ",
    not the "đỏ" of "sổ đỏ": the synonym list's phrase was lost, a right answer 0.90 -> 0.21);
    counting only the pair, not the syllable (the same, less one "bí thư" found: top-1 0.865).
    """
    out = list(stop)
    for i, token in enumerate(folded):
        if not stop[i]:
            continue
        before = i > 0 and not stop[i - 1] and f"{folded[i - 1]}_{token}" in words
        after = i + 1 < len(folded) and not stop[i + 1] and f"{token}_{folded[i + 1]}" in words
        out[i] = not (before or after)
    return out


def synonym_groups(
    folded: list[str],
    stand_ins: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...],
    core: dict[str, float],
) -> tuple[tuple[dict[str, float], ...], ...]:
    """The stand-ins of each phrase of the question, as the terms each adds (not the question's
    own), for ranking to count only the best-scoring one of a phrase (Index.scores): they are ways
    to say one thing, and a document writing several ("khai sinh", "kết hôn", "khai tử" for "hộ
    tịch") says that thing no more than one writing one. Phrases that overlap in the question
    ("tiêm", "tiêm phòng") are one phrase: their stand-ins are one group."""
    spans = [
        {j for i in range(len(folded)) if tuple(folded[i : i + len(p)]) == p for j in range(i, i + len(p))}
        for p, _ in stand_ins
    ]
    owner = list(range(len(stand_ins)))  # each stand-in's group: the first it overlaps
    for a in range(len(stand_ins)):
        for b in range(a):
            if spans[a] & spans[b]:
                owner[a] = owner[b]
                break
    present = {phrase for phrase, _ in stand_ins}
    grouped: dict[int, dict[tuple[tuple[str, float], ...], None]] = {}
    for (_, replacements), group in zip(stand_ins, owner, strict=True):
        for phrase in replacements:
            words = list(phrase)
            added = [t for t in [w for w in words if w not in STOPWORDS] + pairs(words) if t not in core]
            if phrase not in present and added:
                grouped.setdefault(group, {})[tuple((t, SYNONYM_WEIGHT) for t in dict.fromkeys(added))] = None
    return tuple(tuple(dict(alt) for alt in alts) for alts in grouped.values())
