"""Residents' questions nothing published answered, grouped by similarity for officials
(`python -m bot questions` and the console's page).

Questions are grouped by their words compared without marks and filler (rapidfuzz's token-set
ratio), most asked first, each group with its count and its first and last dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from domain.redaction import redact
from qa.vntext import folded_syllables
from storage.models import UnansweredQuestion

# Two questions are one group from this token-set ratio of their content words (0-100). Read on
# the demo commune's questions: "sdt xã" / "số điện thoại của xã là gì" score 100 (after filler),
# "lịch họp thôn" / "lịch tiêm phòng" 50.
SIMILAR = 75
SAME_SIZE = 60  # token-sort ratio below which two wordings are not compared further
VARIANTS = 5  # ways of asking shown under each group
# Words that carry no topic: questions differing only in these are the same question.
FILLER = frozenset(
    "a ad admin ah ak alo bao cho co cua da duoc gi hoi khong ko la lam may minh nao nay nhe nha nhi "
    "o oi sao the thi toi vay voi xa xin em chau anh chi ban bac".split()
)


def content(question: str) -> str:
    """The question's topic words, folded: what grouping compares."""
    words = [w for w in folded_syllables(question) if w not in FILLER]
    return " ".join(words) if words else " ".join(folded_syllables(question))


@dataclass
class Group:
    key: str  # the content words of the group's first question
    asked: list[UnansweredQuestion] = field(default_factory=list)

    @property
    def first(self) -> datetime | None:
        return min((q.asked_at for q in self.asked if q.asked_at), default=None)

    @property
    def last(self) -> datetime | None:
        return max((q.asked_at for q in self.asked if q.asked_at), default=None)


def _similarity(a: str, b: str) -> float:
    """Token-set ratio (word order and repeats aside), unless the wordings' lengths differ so much
    that one is only a part of the other ("ngân sách" in "quyết toán ngân sách 2024")."""
    return fuzz.token_set_ratio(a, b) if fuzz.token_sort_ratio(a, b) >= SAME_SIZE else 0.0


def group(questions: list[UnansweredQuestion], similar: int = SIMILAR) -> list[Group]:
    """Each question joins the most similar group above the threshold, else starts one; the most
    asked group first (then the most recently asked)."""
    groups: list[Group] = []
    for q in questions:
        key = content(q.question)
        scores = [_similarity(key, g.key) for g in groups]
        best = max(range(len(groups)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= similar:
            groups[best].asked.append(q)
        else:
            groups.append(Group(key, [q]))
    return sorted(groups, key=lambda g: (-len(g.asked), -max(q.id or 0 for q in g.asked)))


def wordings(g: Group, limit: int) -> tuple[list[str], int]:
    """The group's different wordings, newest first and redacted (phones, e-mails, ID numbers
    hidden), at most `limit`, and how many more there are."""
    seen: list[str] = []
    for q in reversed(g.asked):
        text = redact(" ".join(q.question.split()))
        if text not in seen:
            seen.append(text)
    return seen[:limit], max(0, len(seen) - limit)
