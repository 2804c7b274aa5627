"""Unit of work: one transaction exposing every repository of one commune; rolls back unless committed.

The commune is given (`store.uow(commune_id=...)`) or, when not, is the deployment's only one, so a
one-commune deployment names none anywhere. Every repository filters its reads by it and stamps it
on what it writes.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Commune
from storage.repositories.commune_data import (
    CommuneRepo,
    DisclosureRepo,
    EventRepo,
    GroupRepo,
    OfficialRepo,
)
from storage.repositories.console import ConsoleRepo
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

FIRST_COMMUNE = 1  # the id the first import gives its commune (and rows stored before it belong to)
NO_COMMUNE = 0  # bound to no commune: reads find nothing until `rescope` (the importer picks one)


class AmbiguousCommune(LookupError):
    """Several communes share the database and the unit of work was not told which one it serves."""


class UnknownCommune(LookupError):
    """No commune of the database has the `commune.id` (slug) asked for."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"no commune has the id {slug!r} (import its data file first)")
        self.slug = slug


class UnitOfWork:
    """`async with store.uow() as uow: ...; await uow.commit()`."""

    commune_id: int

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
    console: ConsoleRepo  # the officials' console's login codes and sessions

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        commune_id: int | None = None,
        commune_slug: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._committed = False
        self._wanted = commune_id
        self._slug = commune_slug
        self._wrote = False  # since the transaction began: release() must not end it

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        event.listen(self.session.sync_session, "do_orm_execute", self._executed)
        event.listen(self.session.sync_session, "after_flush", self._flushed)
        try:
            commune_id = await self._resolve()
        except BaseException:
            await self.session.close()
            raise
        self.rescope(commune_id)
        return self

    async def _resolve(self) -> int:
        """The commune given by id, else by its data file's id, else the only one."""
        if self._wanted is not None:
            return self._wanted
        if self._slug:
            query = select(Commune.id).where(Commune.slug == self._slug)
            found = (await self.session.exec(query)).first()
            if found is None:
                raise UnknownCommune(self._slug)
            return found
        return await self._only_commune()

    async def _only_commune(self) -> int:
        query = select(Commune.id).order_by(col(Commune.id)).limit(2)
        ids = [i for i in (await self.session.exec(query)).all() if i is not None]
        if len(ids) > 1:
            raise AmbiguousCommune("several communes share this database: say which one (COMMUNE_ID)")
        return ids[0] if ids else FIRST_COMMUNE

    def rescope(self, commune_id: int) -> None:
        """Serve `commune_id` from now on, in the same transaction (the importer, once it has read
        which commune its file names)."""
        self.commune_id = commune_id
        s, c = self.session, commune_id
        self.commune = CommuneRepo(s, c)
        self.disclosures = DisclosureRepo(s, c)
        self.events = EventRepo(s, c)
        self.groups = GroupRepo(s, c)
        self.officials = OfficialRepo(s, c)
        self.conversations = ConversationRepo(s, c)
        self.inbound = InboundRepo(s, c)
        self.outbox = OutboxRepo(s, c)
        self.unanswered = UnansweredRepo(s, c)
        self.petitions = PetitionRepo(s, c)
        self.subscriptions = SubscriptionRepo(s, c)
        self.relays = RelayRepo(s, c)
        self.media = MediaRepo(s, c)
        self.oa_tokens = OaTokenRepo(s, c)
        self.vectors = VectorRepo(s)
        self.public = PublicRepo(s, c)
        self.console = ConsoleRepo(s, c)

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
