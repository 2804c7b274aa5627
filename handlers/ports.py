"""What handlers need of storage, as Protocols: one per repository, and the unit of work holding them.

Exactly the methods handlers (and the search index they call) use, with the signatures of the
repositories in `storage/repositories/`. `storage.uow.UnitOfWork` satisfies `Transaction`
structurally (mypy checks it where bot/ wires the concrete one in); tests run handlers on the
in-memory fakes of `tests/fakes/memory.py`. Rows are the `storage.models` classes, used as plain data.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from domain.petition_actions import Change
    from storage.models import (
        Commune,
        Conversation,
        Disclosure,
        Event,
        Group,
        Official,
        OutboxMessage,
        Petition,
        PetitionEvent,
        PetitionParty,
        RelayPost,
        Subscription,
        UnansweredQuestion,
    )


class Communes(Protocol):
    async def get(self) -> Commune | None: ...

    async def data_version(self) -> int: ...

    async def villages(self) -> list[str]: ...


class Disclosures(Protocol):
    async def get(self, disclosure_id: str) -> Disclosure | None: ...

    async def all(self) -> list[Disclosure]: ...

    async def by_category(self, category: str, limit: int = 10) -> list[Disclosure]: ...

    async def categories(self) -> list[str]: ...


class Events(Protocol):
    async def get(self, event_id: str) -> Event | None: ...

    async def all(self) -> list[Event]: ...


class Groups(Protocol):
    async def get(self, group_id: str) -> Group | None: ...

    async def all(self) -> list[Group]: ...

    async def officials_groups(self) -> list[Group]: ...


class Officials(Protocol):
    async def all(self) -> list[Official]: ...

    async def by_account(self, channel: str, user_id: str) -> Official | None: ...


class Relays(Protocol):
    async def get(self, relay_id: int) -> RelayPost | None: ...

    async def pending_for(self, official_id: str, now: datetime) -> list[RelayPost]: ...

    async def confirm(self, relay_id: int, now: datetime) -> None: ...

    async def recent(self, limit: int = 20) -> list[RelayPost]: ...


class Conversations(Protocol):
    async def get(self, channel: str, chat_id: str, user_id: str) -> Conversation | None: ...

    async def save(
        self,
        channel: str,
        chat_id: str,
        user_id: str,
        *,
        flow: str,
        step: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None: ...

    async def clear(self, channel: str, chat_id: str, user_id: str) -> bool: ...


class Inbound(Protocol):
    async def forget_sender(self, channel: str, sender: str) -> None: ...

    async def last_from(self, channel: str, sender: str) -> datetime | None: ...


class Outbox(Protocol):
    async def by_external(self, channel: str, chat_id: str, external_id: str) -> OutboxMessage | None: ...

    async def forget_chat(self, channel: str, chat_id: str) -> int: ...


class Unanswered(Protocol):
    async def add(self, channel: str, chat_id: str, question: str, now: datetime) -> None: ...

    async def forget_chat(self, channel: str, chat_id: str) -> None: ...

    async def for_chat(self, channel: str, chat_id: str) -> list[UnansweredQuestion]: ...


class Petitions(Protocol):
    async def add(self, petition: Petition, party: PetitionParty) -> Petition: ...

    async def code_exists(self, code: str) -> bool: ...

    async def by_code(self, code: str) -> Petition | None: ...

    async def party(self, petition_id: int) -> PetitionParty | None: ...

    async def for_user(self, channel: str, user_id: str) -> list[Petition]: ...

    async def parties_of(self, channel: str, user_id: str) -> list[PetitionParty]: ...

    async def log(
        self,
        petition_id: int,
        at: datetime,
        actor: str,
        action: str,
        detail: str | None = None,
        *,
        internal: bool = False,
    ) -> None: ...

    async def events(self, petition_id: int, *, include_internal: bool) -> list[PetitionEvent]: ...

    async def apply(self, petition: Petition, change: Change, at: datetime) -> None: ...

    def save(self, petition: Petition) -> None: ...

    def save_party(self, party: PetitionParty) -> None: ...


class Subscriptions(Protocol):
    async def get(self, channel: str, chat_id: str) -> Subscription | None: ...

    async def save(
        self, channel: str, chat_id: str, user_id: str, village: str | None, topics: list[str], now: datetime
    ) -> None: ...

    async def remove(self, channel: str, chat_id: str) -> bool: ...


class Work(Protocol):
    """The open unit of work a handler is given (committed by whoever opened it, not the handler)."""

    # Read-only properties, so a concrete unit may hold its own repository classes (covariance).
    @property
    def commune(self) -> Communes: ...
    @property
    def disclosures(self) -> Disclosures: ...
    @property
    def events(self) -> Events: ...
    @property
    def groups(self) -> Groups: ...
    @property
    def officials(self) -> Officials: ...
    @property
    def conversations(self) -> Conversations: ...
    @property
    def inbound(self) -> Inbound: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def unanswered(self) -> Unanswered: ...
    @property
    def petitions(self) -> Petitions: ...
    @property
    def subscriptions(self) -> Subscriptions: ...
    @property
    def relays(self) -> Relays: ...


class Transaction(Work, Protocol):
    """A unit of work to open (`async with`) and commit: what `Services.uow` makes."""

    async def __aenter__(self) -> Transaction: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
