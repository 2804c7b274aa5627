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


def current_due(status: str, first_due: date | None, resolve_due_: date | None) -> date | None:
    """The deadline that matters now: the first step until accepted, then the resolution."""
    return first_due if status == Status.RECEIVED else resolve_due_
