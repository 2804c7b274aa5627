"""Petition rules: the words they are stated in. Pure: no I/O.

The vocabulary: statuses, roles, operations, audit actions and what the rules read of a petition
and an official. Who may see what is in domain.petition_access; what an action does (decide) in
domain.petition_actions. Stored strings (statuses, roles, audit actions) are the values of the
enums below: changing one needs a data migration.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from domain.deadlines import KIEN_NGHI, PHAN_ANH


class Status(StrEnum):
    """Where a petition is (stored in ``petition.status``)."""

    RECEIVED = "received"  # filed, waiting for the first step
    ACCEPTED = "accepted"  # thụ lý: being resolved
    FORWARDED = "forwarded"  # sent on to the competent body
    REFUSED = "refused"  # không thụ lý (closed)
    RESOLVED = "resolved"  # giải quyết xong (closed)


OPEN = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.FORWARDED})
CLOSED = frozenset({Status.REFUSED, Status.RESOLVED})


class Role(StrEnum):
    """An official's role in the data file (``officials[].role``)."""

    ADMIN = "admin"  # everything
    HANDLER = "handler"  # works petitions
    SUPERVISOR = "supervisor"  # watches the queue; acts on nothing, never sees a denouncer


ACTING_ROLES = frozenset({Role.ADMIN, Role.HANDLER})


class Op(StrEnum):
    """What an official asks to do (also the button data ``op:<op>:<code>``)."""

    ACCEPT = "accept"
    TAKE = "take"
    FORWARD = "forward"
    REFUSE = "refuse"
    RESOLVE = "resolve"
    ANSWER = "answer"
    NOTE = "note"


class Action(StrEnum):
    """An audit-trail action (stored in ``petition_event.action``)."""

    FILED = "filed"  # by the resident, in a chat
    FILED_ON_PAPER = "filed_on_paper"  # typed in by an official: a paper letter,
    FILED_IN_PERSON = "filed_in_person"  # a visit to the commune office,
    FILED_BY_PHONE = "filed_by_phone"  # a telephone call
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    FORWARDED = "forwarded"
    REFUSED = "refused"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    RATED = "rated"
    NOTE = "note"
    IDENTITY_VIEWED = "identity_viewed"
    ERASED = "erased"


RESIDENT = "resident"  # the audit actor for what the filer does


class PetitionFacts(Protocol):
    """What the rules read of a petition (storage.models.Petition has it)."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def received_at(self) -> datetime | None: ...


class OfficialFacts(Protocol):
    """What the rules read of an official (storage.models.Official has it)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...


def status_of(petition: PetitionFacts) -> Status | None:
    """The petition's status (None for a value this code does not know)."""
    try:
        return Status(petition.status)
    except ValueError:
        return None


def is_open(petition: PetitionFacts) -> bool:
    return status_of(petition) in OPEN


# DOMAIN.md "Petition types and deadlines": the first step of a report or a proposal is a status
# answer, and the commune's reply to the resident is one; a complaint's first step is accepting it
# (thụ lý) and a denunciation's is triage, explicit steps a reply is not. The status still moves only
# by the explicit steps: a replied report stays "received" (with its reply shown), its first step met.
REPLY_MEETS_FIRST_STEP = frozenset({PHAN_ANH, KIEN_NGHI})
# The explicit steps: each meets the first step of every type (and moves the status off "received").
STEPS = frozenset({Action.ACCEPTED, Action.FORWARDED, Action.REFUSED, Action.RESOLVED})


def reply_meets_first_step(kind: str) -> bool:
    """Whether a reply to the resident is this type's first step (phản ánh, kiến nghị)."""
    return kind in REPLY_MEETS_FIRST_STEP


def first_step_at(kind: str, stepped: datetime | None, replied: datetime | None) -> datetime | None:
    """When the first step was met: the first explicit step, or a reply before it where a reply counts."""
    counted = (stepped, replied if reply_meets_first_step(kind) else None)
    return min((t for t in counted if t is not None), default=None)


def first_step_met(kind: str, status: str, replied: bool) -> bool:
    """Whether the first step is behind (`replied`: the commune has replied to the resident)."""
    return status != Status.RECEIVED or (replied and reply_meets_first_step(kind))


def current_due(
    kind: str, status: str, replied: bool, first_due: date | None, resolve_due_: date | None
) -> date | None:
    """The deadline that matters now: the first step's until it is met, then the resolution's."""
    return resolve_due_ if first_step_met(kind, status, replied) else first_due


class DueFacts(Protocol):
    """What the deadline that matters now reads of a stored petition (storage.models.Petition)."""

    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def answer(self) -> str | None: ...  # the commune's reply to the resident, once there is one
    @property
    def first_due(self) -> date | None: ...
    @property
    def resolve_due(self) -> date | None: ...


def due_now(petition: DueFacts) -> date | None:
    """current_due of a stored petition."""
    return current_due(
        petition.kind, petition.status, petition.answer is not None, petition.first_due, petition.resolve_due
    )
