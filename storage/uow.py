"""Unit of work: one transaction exposing every repository; rolls back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import ORMExecuteState
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repositories.commune_data import (
    CommuneRepo,
    DisclosureRepo,
    EventRepo,
    GroupRepo,
    OfficialRepo,
)
from storage.repositories.conversations import ConversationRepo
from storage.repositories.inbound import InboundRepo
from storage.repositories.media import MediaRepo
from storage.repositories.oa_tokens import OaTokenRepo
from storage.repositories.outbox import OutboxRepo
from storage.repositories.petitions import PetitionRepo
from storage.repositories.public import PublicRepo
from storage.repositories.questions import UnansweredRepo
from storage.repositories.relays import RelayRepo
from storage.repositories.subscriptions import SubscriptionRepo
from storage.repositories.vectors import VectorRepo


class UnitOfWork:
    """`async with store.uow() as uow: ...; await uow.commit()`."""

    commune: CommuneRepo
    disclosures: DisclosureRepo
    events: EventRepo
    groups: GroupRepo
    officials: OfficialRepo
    conversations: ConversationRepo
    inbound: InboundRepo
    outbox: OutboxRepo
    unanswered: UnansweredRepo
    petitions: PetitionRepo
    subscriptions: SubscriptionRepo
    relays: RelayRepo
    media: MediaRepo
    oa_tokens: OaTokenRepo
    vectors: VectorRepo
    public: PublicRepo  # the notice board's reads

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._committed = False
        self._wrote = False  # since the transaction began: release() must not end it

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        s = self.session
        event.listen(s.sync_session, "do_orm_execute", self._executed)
        event.listen(s.sync_session, "after_flush", self._flushed)
        self.commune = CommuneRepo(s)
        self.disclosures = DisclosureRepo(s)
        self.events = EventRepo(s)
        self.groups = GroupRepo(s)
        self.officials = OfficialRepo(s)
        self.conversations = ConversationRepo(s)
        self.inbound = InboundRepo(s)
        self.outbox = OutboxRepo(s)
        self.unanswered = UnansweredRepo(s)
        self.petitions = PetitionRepo(s)
        self.subscriptions = SubscriptionRepo(s)
        self.relays = RelayRepo(s)
        self.media = MediaRepo(s)
        self.oa_tokens = OaTokenRepo(s)
        self.vectors = VectorRepo(s)
        self.public = PublicRepo(s)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                # Detach first so objects read in a read-only unit stay usable after it ends.
                self.session.expunge_all()
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def release(self) -> bool:
        """Give the connection back while the unit waits on something else (a search ranking in a
        worker thread): on SQLite the process has ONE connection, and every other chat, the outbox
        and the scheduler queue for it. Only a unit that has read and not written is released: its
        read transaction ends (objects read stay loaded and attached), and the next read or write
        begins a new transaction, so reads after the release may see data committed meanwhile.
        A unit that wrote keeps its connection (its writes must commit or roll back together);
        returns whether the connection was given back. (A write through `session.connection()`
        directly is not seen: handlers never do that; only the outbox's delivery marks do.)"""
        s = self.session
        if self._wrote or s.new or s.dirty or s.deleted:
            return False
        if s.in_transaction():
            await s.commit()  # nothing to write: ends the read transaction, returns the connection
        return True

    def _executed(self, state: ORMExecuteState) -> None:
        if not state.is_select:
            self._wrote = True

    def _flushed(self, *_: Any) -> None:
        self._wrote = True
