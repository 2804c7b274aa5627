"""SQLModel tables: one database holds each commune's data, conversations and message queues.

Every row that belongs to a commune carries `commune_id` (migration 0013); the repositories filter
every read by it and stamp every write (`storage/uow.py` says which commune a unit of work serves).
"""

from storage.models.base import UTCDateTime
from storage.models.chats import (
    Conversation,
    InboundUpdate,
    OutboxMessage,
    RelayPost,
    Subscription,
    UnansweredQuestion,
)
from storage.models.console import ConsoleLoginCode, ConsoleSession
from storage.models.declared import Commune, Disclosure, Event, Group, Official, Village
from storage.models.petitions import Media, Petition, PetitionEvent, PetitionParty
from storage.models.service import OaToken, PassageVector

__all__ = [
    "Commune",
    "ConsoleLoginCode",
    "ConsoleSession",
    "Conversation",
    "Disclosure",
    "Event",
    "Group",
    "InboundUpdate",
    "Media",
    "OaToken",
    "Official",
    "OutboxMessage",
    "PassageVector",
    "Petition",
    "PetitionEvent",
    "PetitionParty",
    "RelayPost",
    "Subscription",
    "UTCDateTime",
    "UnansweredQuestion",
    "Village",
]
